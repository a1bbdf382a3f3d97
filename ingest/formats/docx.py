"""Word 2007+ reader (.docx): body paragraphs and tables in document order, one paragraph or cell per line.

The header block of a Vietnamese decree is usually a two-column table ("CHÍNH PHỦ / Số: 356/2025/NĐ-CP" beside
the Quốc hiệu and "Hà Nội, ngày ..."); python-docx's `Document.paragraphs` skips tables, so this reader walks
the body XML itself: every w:p and every table cell's paragraphs become lines, so "Số: ..." starts a line.
Manual line breaks (w:br) become newlines; deleted tracked changes and the VML fallback copy of text boxes are
skipped (the latter would repeat every text box).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError

from ingest.formats.base import IngestError, NoTextError, RawText
from ingest.formats.text import clean_lines

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

# An OLE compound file: a legacy .doc, or an Office file encrypted with a password (Word wraps those in OLE).
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Subtrees whose text is not part of the visible document.
_SKIP = frozenset(
    {
        _W + "pPr",
        _W + "rPr",
        _W + "del",  # tracked deletion
        _W + "moveFrom",  # tracked move, old place
        _W + "instrText",  # field code, e.g. HYPERLINK "..."
        _W + "delText",
        _W + "footnoteReference",
        _W + "endnoteReference",
        _MC + "Fallback",  # VML duplicate of a DrawingML text box
    }
)
_CONTAINERS = frozenset({_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo"})


def _block_lines(container: Any) -> Iterator[str]:
    """Lines of a block container (body, table cell, text box, content control), in order."""
    for child in container:
        tag = child.tag
        if tag == _W + "p":
            yield from _paragraph_text(child).split("\n")
        elif tag == _W + "tbl":
            for row in _own(child, _W + "tr"):
                for cell in _own(row, _W + "tc"):
                    yield from _block_lines(cell)  # each cell's paragraphs on lines of their own
        elif tag in _CONTAINERS:
            yield from _block_lines(child)


def _own(el: Any, tag: str) -> Iterator[Any]:
    """Children of `el` with `tag`, looking through content-control wrappers but not into nested tables."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _own(child, tag)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    _inline(p, parts)
    return "".join(parts)


def _inline(el: Any, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue  # comments/processing instructions, or hidden subtrees
        if tag == _W + "t":
            parts.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            parts.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "txbxContent":
            # A text box anchored in this paragraph: its paragraphs become lines of their own.
            parts.append("\n")
            parts.extend(line + "\n" for line in _block_lines(child))
        else:
            _inline(child, parts)


class DocxReader:
    """Reads .docx files with python-docx, keeping table text (decree header blocks) in body order.

    >>> import pathlib, tempfile, docx as _d
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.docx"
    >>> d = _d.Document(); row = d.add_table(rows=1, cols=2).rows[0]
    >>> row.cells[0].text = "Số: 1/2025/NĐ-CP"; row.cells[1].text = "Hà Nội"; _ = d.add_paragraph("Điều 1.")
    >>> d.save(p); DocxReader().read(p).text
    'Số: 1/2025/NĐ-CP\\nHà Nội\\nĐiều 1.'
    """

    fmt = "docx"
    suffixes: tuple[str, ...] = (".docx",)

    def read(self, path: Path) -> RawText:
        """Extract body text; `IngestError` for a legacy/encrypted/corrupt file, `NoTextError` if empty."""
        path = Path(path)
        with path.open("rb") as f:
            head = f.read(8)
        if head.startswith(_OLE_MAGIC):
            raise IngestError(
                path,
                "not a .docx: an OLE container, i.e. a password-protected Word file or a legacy Word 97-2003 "
                "(.doc) file; remove the password or save it as .docx and re-upload",
            )
        if not head.startswith(b"PK"):
            raise IngestError(path, "not a .docx (Word 2007+) file: not a zip archive")
        try:
            document = docx.Document(str(path))
        except (zipfile.BadZipFile, PackageNotFoundError) as e:
            raise IngestError(path, f"corrupt .docx: damaged zip archive ({e})") from e
        except (KeyError, ValueError) as e:
            raise IngestError(path, f"corrupt .docx: not a Word document inside the zip ({e})") from e
        except Exception as e:  # lxml syntax errors, zlib errors, ... from a damaged package
            raise IngestError(path, f"corrupt .docx: {type(e).__name__}: {e}") from e

        text = clean_lines("\n".join(_block_lines(document.element.body)))
        if not text:
            raise NoTextError(path, "the Word document has no text")
        return RawText(text=text, fmt=self.fmt)
