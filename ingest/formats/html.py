"""HTML reader (.html, .htm): the visible text of a saved web page (vbpl.vn, thuvienphapluat.vn, intranet).

Page chrome (script, style, nav, header, footer, ...) is dropped; every block element (p, div, li, h1-h6,
table cell, ...) and every <br> ends a line; whitespace inside a block collapses to single spaces, as a
browser shows it.
The charset comes from the bytes (BOM, valid UTF-8), then `<meta charset>`, then charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction

from ingest.formats.base import IngestError, NoTextError, RawText
from ingest.formats.text import clean_lines, decode_bytes

# Never visible content. `form` is kept on purpose: ASP.NET sites such as vbpl.vn wrap the whole page in one.
DROP_TAGS = (
    "script", "style", "noscript", "template", "head", "nav", "header", "footer",
    "svg", "canvas", "iframe", "object", "embed", "button", "select",
)  # fmt: skip

BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "body", "html",
)  # fmt: skip

# A private-use character marks line ends while bs4 flattens the tree; unlike U+001E it is not whitespace to
# `re`, so collapsing whitespace leaves it alone.
_EOL = "\ue000"
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_SPACES_RE = re.compile(r"\s+")


def _same_codec(a: str, b: str) -> bool:
    try:
        names = {codecs.lookup(a).name, codecs.lookup(b).name}
    except LookupError:
        return False
    return len({"utf-8" if n == "utf-8-sig" else n for n in names}) == 1


def declared_charset(data: bytes) -> str | None:
    """The charset named by `<meta charset=...>` or `<meta http-equiv content="...; charset=...">`, if any.

    >>> declared_charset(b'<html><head><meta charset="windows-1258"></head>')
    'windows-1258'
    """
    m = _META_CHARSET_RE.search(data[:16384])
    return m.group(1).decode("ascii") if m else None


def html_to_text(markup: str) -> str:
    """The visible text of an HTML document, one block per line (not yet NFC-normalised or tidied)."""
    soup = BeautifulSoup(markup.replace(_EOL, " "), "lxml")
    for node in soup.find_all(
        string=lambda s: isinstance(s, (Comment, Declaration, Doctype, ProcessingInstruction))
    ):
        node.extract()
    for el in soup.find_all(DROP_TAGS):
        el.decompose()
    for pre in soup.find_all("pre"):
        for s in pre.find_all(string=True):
            s.replace_with(s.replace("\n", _EOL))
    for br in soup.find_all("br"):
        br.replace_with(_EOL)
    for el in soup.find_all(BLOCK_TAGS):
        el.insert_before(_EOL)
        el.append(_EOL)
    flat = _SPACES_RE.sub(" ", soup.get_text())
    return "\n".join(flat.split(_EOL))


class HtmlReader:
    """Reads saved web pages (.html/.htm) into one line per visible block of text.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.html"
    >>> _ = p.write_text("<nav>Menu</nav><h1>Nghị định</h1><p>Điều 1.<br>Phạm vi</p>", encoding="utf-8")
    >>> HtmlReader().read(p).text
    'Nghị định\\nĐiều 1.\\nPhạm vi'
    """

    fmt = "html"
    suffixes: tuple[str, ...] = (".html", ".htm")

    def read(self, path: Path) -> RawText:
        """Decode, parse and flatten the page; `NoTextError` when nothing visible is left."""
        data = Path(path).read_bytes()
        declared = declared_charset(data)
        markup, encoding = decode_bytes(data, path, declared=declared)
        try:
            text = clean_lines(html_to_text(markup))
        except RecursionError as e:  # bs4 walks pathologically deep markup recursively
            raise IngestError(path, "HTML nested too deeply to parse") from e
        if not text:
            raise NoTextError(path, "the HTML page has no visible text")
        warnings = []
        if declared and not data.isascii() and not _same_codec(declared, encoding):
            warnings.append(f"page declares charset {declared} but was decoded as {encoding}")
        return RawText(text=text, fmt=self.fmt, warnings=warnings)
