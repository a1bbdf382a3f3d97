"""Labelled data files, one JSON object per line: read with errors that name the file and the line.

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
>>> _ = p.write_text('{"a": 1}\\n\\n{"a": 2}\\n', encoding="utf-8")
>>> [(n, row["a"]) for n, row in read_jsonl(p, ValueError)]
[(1, 1), (3, 2)]
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_jsonl(path: Path, error: type[ValueError]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of `path`; `error` naming the file (and line) when the file
    is missing or a line is not a JSON object."""
    if not path.is_file():
        raise error(f"{path}: no such dataset file")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise error(f"{path}:{n}: not a JSON object")
        yield n, row
