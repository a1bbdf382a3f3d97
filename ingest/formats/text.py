"""Plain-text reader (.txt), and the byte-decoding and line-cleaning helpers the other readers share.

Vietnamese .txt files come as UTF-8 (with or without BOM), UTF-16 (Notepad's "Unicode") or Windows-1258, whose
tone marks are separate combining characters; `core.text.clean_extracted()` composes them, so every path ends in
the same NFC text.

>>> clean_lines("  Điều 1.\\u00a0Phạm vi  \\n\\n\\tNghị định này ")
'Điều 1. Phạm vi\\nNghị định này'
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from core.text import clean_extracted
from ingest.formats.base import IngestError, NoTextError, RawText

# Encodings charset-normalizer may choose from when the bytes are not UTF-8: those that can hold Vietnamese.
# (TCVN3/VNI font encodings reuse Latin-1 code points and cannot be told apart from Latin-1 text, so they
# are not guessed.)
VIETNAMESE_ENCODINGS = ["cp1258", "utf_16", "utf_16_le", "utf_16_be"]

# charset-normalizer's "chaos" (0 = clean, 1 = garbage) above which a guess is not trusted. Clean Vietnamese
# cp1258 and UTF-16 score 0.0; its own default cut-off is 0.2.
MAX_CHAOS = 0.1

# Text is "binary junk" when more than 2 in every 100 characters are control characters (other than tab,
# newline, carriage return, form feed, vertical tab), NULs or U+FFFD replacement characters. Real documents
# have essentially none; executables, images and archives decoded as text have far more.
MAX_JUNK_RATIO = 0.02

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_CONTROL_BYTES = [bytes([b]) for b in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)]
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; tab, LF, VT, FF and CR (U+0009-U+000D) are
# allowed. One regex pass instead of a Python loop per character (seconds on a 45 MB upload).
_JUNK_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
# Runs of horizontal whitespace (incl. tab, NBSP, other Unicode spaces) that are not already one plain space: a
# run of 2+, or one other space character. Leaving single spaces unmatched keeps `sub` from building a piece per
# word (hundreds of MB on one huge line).
_HSPACE_RE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")


def junk_ratio(text: str) -> float:
    """The share of characters that never occur in real text (controls, NUL, U+FFFD); 0.0 for empty text."""
    if not text:
        return 0.0
    return (len(text) - len(_JUNK_RE.sub("", text))) / len(text)


def check_not_binary(text: str, path: Path | str) -> None:
    """Raise `IngestError` when decoded text looks like binary junk (see `MAX_JUNK_RATIO`)."""
    ratio = junk_ratio(text)
    if ratio > MAX_JUNK_RATIO:
        raise IngestError(
            path,
            f"not readable text: looks binary ({ratio:.0%} control/NUL/replacement characters, "
            f"limit {MAX_JUNK_RATIO:.0%})",
        )


def _bom_encoding(data: bytes) -> str | None:
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return enc
    return None


def decode_bytes(data: bytes, path: Path | str, declared: str | None = None) -> tuple[str, str]:
    """Decode a document's bytes to text; returns (text, encoding used). For .txt and .html alike.

    Order: a byte-order mark; valid UTF-8 (legacy bytes practically never form valid UTF-8, while a wrong
    declared charset on UTF-8 pages is common); the `declared` charset (HTML `<meta charset>`), if it decodes
    cleanly; charset-normalizer's best guess among `VIETNAMESE_ENCODINGS`. Raises `IngestError` when none is
    confident or the result looks binary.

    >>> decode_bytes("Điều 1".encode("utf-16"), "a.txt")
    ('Điều 1', 'utf-16')
    """
    candidates: list[str] = []
    bom = _bom_encoding(data)
    if bom:
        candidates.append(bom)
    candidates.append("utf-8")
    if declared:
        try:
            candidates.append(codecs.lookup(declared).name)
        except LookupError:
            pass  # an unknown declared charset is ignored, the bytes decide
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if junk_ratio(text) <= MAX_JUNK_RATIO:
            return text, enc
        # Valid but junk-laden (e.g. BOM-less UTF-16 of ASCII text is valid UTF-8 full of NULs): keep looking.

    best = charset_normalizer.from_bytes(data, cp_isolation=VIETNAMESE_ENCODINGS).best()
    if best is None or best.chaos > MAX_CHAOS:
        # Tell "binary junk" from "text in an encoding we cannot identify": C0 control bytes occur in no text
        # encoding left to consider (UTF-16/32 were tried above), while any binary format is full of them.
        ratio = sum(data.count(b) for b in _CONTROL_BYTES) / len(data) if data else 0.0
        if ratio > MAX_JUNK_RATIO:
            raise IngestError(
                path,
                f"not readable text: looks binary ({ratio:.0%} control bytes, limit {MAX_JUNK_RATIO:.0%})",
            )
        raise IngestError(
            path,
            "unknown text encoding: not UTF-8, UTF-16 or Windows-1258 (save the file as UTF-8 and re-upload)",
        )
    text = str(best)
    check_not_binary(text, path)
    return text, best.encoding


def clean_lines(text: str) -> str:
    """NFC-normalise and tidy extracted text: one non-empty line per paragraph, single spaces, no edge spaces.

    Every reader ends with this so `ingest.structure` sees the same shape whatever the format; NBSP and tabs
    become plain spaces so patterns such as `^Điều\\s+1` match.
    """
    lines = (_HSPACE_RE.sub(" ", line).strip() for line in clean_extracted(text).split("\n"))
    return "\n".join(line for line in lines if line)


class TextReader:
    """Reads .txt files in UTF-8, UTF-16 or Windows-1258 into NFC text.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes("\\ufeffĐiều 1. Phạm vi".encode("utf-8"))
    >>> TextReader().read(p).text
    'Điều 1. Phạm vi'
    """

    fmt = "txt"
    suffixes: tuple[str, ...] = (".txt",)

    def read(self, path: Path) -> RawText:
        """Decode the file and return its cleaned text; a non-UTF-8 encoding is noted in `warnings`.

        Raises `IngestError` for binary junk or an unknown encoding, `NoTextError` for a whitespace-only file.
        """
        text, encoding = decode_bytes(Path(path).read_bytes(), path)
        text = clean_lines(text)
        if not text:
            raise NoTextError(path, "the text file holds only whitespace")
        warnings = [] if encoding in ("utf-8", "utf-8-sig", "ascii") else [f"decoded as {encoding}"]
        return RawText(text=text, fmt=self.fmt, warnings=warnings)
