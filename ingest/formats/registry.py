"""Which reader handles which file, and `read_file`: the one entry point that checks a file, then reads it.

`read_file` never lets a reader's unexpected exception escape: the caller (the ingest pipeline, the UI upload)
always gets an `IngestError` naming the file, so one bad file cannot stop a batch.

>>> reader_for("quyet_dinh.PDF").fmt
'pdf'
>>> sorted(READERS)
['.docx', '.htm', '.html', '.pdf', '.txt']
"""

from __future__ import annotations

from pathlib import Path

from ingest.formats.base import IngestError, RawText, Reader
from ingest.formats.docx import DocxReader
from ingest.formats.html import HtmlReader
from ingest.formats.pdf import PdfReader
from ingest.formats.text import TextReader

# Sizes are in MiB, the unit `KHO_MAX_FILE_MB` is given in: max_bytes = int(settings.max_file_mb * MB).
MB = 1024 * 1024

_READERS: tuple[Reader, ...] = (TextReader(), DocxReader(), HtmlReader(), PdfReader())
READERS: dict[str, Reader] = {suffix: reader for reader in _READERS for suffix in reader.suffixes}


def reader_for(path: Path | str) -> Reader:
    """The reader for a file's suffix (any case); `IngestError` listing the supported suffixes otherwise."""
    suffix = Path(path).suffix.lower()
    try:
        return READERS[suffix]
    except KeyError:
        shown = f"'{suffix}'" if suffix else "(no suffix)"
        raise IngestError(
            path, f"unsupported file type {shown} (supported: {', '.join(sorted(READERS))})"
        ) from None


def read_file(
    path: Path | str, max_bytes: int, ocr_lang: str | None = None, reader: Reader | None = None
) -> RawText:
    """Check a file (exists, regular, supported, not empty, not over `max_bytes`) and read it with its reader.

    `reader` forces a reader regardless of suffix (parsers of .md/.json read them as text).
    `ocr_lang` overrides the tesseract language for scanned PDFs (`KHO_OCR_LANG`; default "vie"). Every
    failure, including an unexpected exception inside a reader, is raised as `IngestError` naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "file does not exist")
    if not path.is_file():
        raise IngestError(path, "not a regular file")
    reader = reader or reader_for(path)
    if ocr_lang is not None and isinstance(reader, PdfReader) and ocr_lang != reader.ocr_lang:
        reader = PdfReader(ocr_lang=ocr_lang, ocr_dpi=reader.ocr_dpi)
    size = path.stat().st_size
    if size == 0:
        raise IngestError(path, "empty file")
    if size > max_bytes:
        raise IngestError(
            path, f"file is too large: {size / MB:.1f} MB > limit {max_bytes / MB:.4g} MB (KHO_MAX_FILE_MB)"
        )
    try:
        return reader.read(path)
    except IngestError:
        raise
    except OSError as e:  # permission denied, file vanished or unreadable medium while reading
        raise IngestError(path, f"cannot read file: {e.strerror or e}") from e
    except Exception as e:  # a reader bug or a library choking on a malformed file: report it, don't crash
        raise IngestError(
            path, f"could not read {reader.fmt} file: unexpected {type(e).__name__}: {e}"
        ) from e
