"""What a format reader is: a file in, its text out (`RawText`), or an `IngestError` naming the file and why.

Readers only extract text; the legal structure is found afterwards by `ingest.structure`, the same way for
every format. Readers never download anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class IngestError(Exception):
    """A file could not be ingested; the message names the file and the reason."""

    state = "failed"

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class NoTextError(IngestError):
    """The file holds no extractable text (e.g. a scanned PDF that OCR could not read)."""

    state = "failed_no_text"


@dataclass
class RawText:
    """Text extracted from one file, NFC-normalised, with where each page starts (PDF) and any warnings."""

    text: str
    fmt: str
    page_starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Reader(Protocol):
    """A format reader: `suffixes` it handles, `read(path)` → `RawText`."""

    fmt: str
    suffixes: tuple[str, ...]

    def read(self, path: Path) -> RawText: ...
