"""Content hashes of files: what identifies a document, a data set or a model file, whatever its name.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "luat.txt"
>>> _ = path.write_bytes(b"abc")
>>> file_sha256(path)
'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file as hex, read in a stream (never the whole file in memory)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
