"""File → `LegalDocument`s: picks the parser for a file from a registry and returns typed documents.

Three parsers, tried in registry order, the first whose `accepts(path, head)` is true wins:
- `PhapDienParser`: pháp điển Markdown subject files ("Điều 42.1.NĐ.33." articles with source lines);
- `AlqacParser`: the ALQAC JSON corpus (`[{"id": law title, "articles": [{"id", "text"}]}]`), one document per law;
- `OfficialTextParser`: everything a format reader turns into text (TXT, DOCX, HTML, PDF incl. OCR): the header
  block gives the metadata, then Điều/Khoản/Điểm, or I./1./a) for internal plans, or numbered paragraphs.

>>> from pathlib import Path
>>> type(parser_for(Path("x.md"), "(Điều 33 Nghị định số 30/2020/NĐ-CP, có hiệu lực ...)")).__name__
'PhapDienParser'
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Protocol

from core.settings import Settings
from core.text import clean_extracted
from ingest.formats.base import IngestError, NoTextError
from ingest.metadata import (
    find_effective_date,
    issuer_from_number,
    parse_header,
    parse_source_line,
    type_from_number,
)
from ingest.model import Article, DocumentMeta, LegalDocument, SourceRef, Validity
from ingest.structure import (
    CHAPTER_RE,
    SECTION_RE,
    ClauseBuilder,
    Line,
    article_title,
    body_start,
    heading_title,
    is_section_heading,
    iter_lines,
    needs_reflow,
    parse_articles,
    parse_sections,
    reflow,
)


class DocumentParser(Protocol):
    """Turns one file into one or more `LegalDocument`s."""

    name: str

    def accepts(self, path: Path, head: str) -> bool: ...

    def parse(self, path: Path, settings: Settings) -> list[LegalDocument]: ...


def _read_utf8(path: Path, settings: Settings) -> str:
    """Read a text file (.md, .json) through the same checks and decoding as every other text file."""
    from ingest.formats.registry import read_file
    from ingest.formats.text import TextReader

    return read_file(path, settings.max_file_bytes, reader=TextReader()).text


# ---------------------------------------------------------------------------------------------- pháp điển
# "Điều 42.1.NĐ.33. Title" (compilation numbering) or, in some subject files, the original "Điều 1. Title"
_PD_ARTICLE_RE = re.compile(r"^Điều\s+(?:(\d+(?:\.\d+)*\.[A-ZĐ]+(?:\.\d+)+)\.?|(\d+[a-zđ]?)\.)\s*(.*)$")
_PD_SOURCE_LINE_RE = re.compile(r"^\(Điều\s+\d+[a-zđ]?\s+[^()]{0,60}?(?:số\s+)?\d+[^()]*/", re.M)
_PD_LINK_RE = re.compile(r"^\(Điều này có nội dung liên quan đến (.+)\)\s*$")
# The export's link to an article's appendix file, printed as its name on a line of its own after the article
# ("Phu luc kem theo Nghi dinh so 30_2020.NĐ-CP.doc"): no words of the law — quoted as Khoản 4 of Điều 25 Nghị
# định 30/2020's last sentence, it was.
_PD_ATTACHMENT_RE = re.compile(r"^[^\s()][^()\n]{0,200}\.(?:docx?|pdf|xlsx?|rtf|zip)$", re.IGNORECASE)
# A compiled article's heading, or its "(Điều này có nội dung liên quan đến …)" note, glued to the end of the line
# before it, as the subject files print about one heading in five: "… thẩm quyền quản lý viên chức.Điều
# 5.2.NĐ.11.32. Trình tự, thủ tục xử lý kỷ luật đối với viên chức". A reference to such an article in the text
# ("tại Điều 5.2.NĐ.11.32", "liên quan đến Điều 5.2.LQ.9.") follows a space or a bracket.
_PD_GLUED_HEADING_RE = re.compile(
    r"(?<=[^\s(])(?=Điều\s+\d+(?:\.\d+)*\.[A-ZĐ]+(?:\.\d+)+\.\s)|(?<=\S)(?=\(Điều này có nội dung liên quan đến )"
)
# How many lines a source line may be wrapped over ("(Điều 1 Thông tư số 145/2017/TT-BTC Hướng dẫn … theo" and
# "Nghị định số 141/2016/NĐ-CP … ngày 29/12/2017 của Bộ Tài chính, có hiệu lực …)").
_PD_SOURCE_WRAP = 4


def mend_export(text: str) -> str:
    """`text` with the subject files' layout slips mended before it is parsed: a compiled heading or a "(Điều này có
    nội dung liên quan đến …)" note glued to the line before it is put on a line of its own
    (`_PD_GLUED_HEADING_RE`), and a source line wrapped over several lines is joined, the text glued after its ")"
    put on the next line (`_join_source_lines`). Left as printed, the article lost its title and its heading, or its
    note, was read as the last words of the article before it (Khoản 4 Điều 31 Nghị định 112/2020/NĐ-CP was quoted
    «… quản lý viên chức.Điều 5.2.NĐ.11.32. Trình tự, thủ tục xử lý kỷ luật đối với viên chức»), and an article
    whose source line wraps had no source: no document, no dates, no validity.

    >>> mend_export("4. … quản lý viên chức.Điều 5.2.NĐ.11.32. Trình tự\\n(Điều 32 …)")
    '4. … quản lý viên chức.\\nĐiều 5.2.NĐ.11.32. Trình tự\\n(Điều 32 …)'
    >>> mend_export("(Điều này có nội dung liên quan đến Điều 5.2.LQ.9. Đơn vị sự nghiệp công lập)")
    '(Điều này có nội dung liên quan đến Điều 5.2.LQ.9. Đơn vị sự nghiệp công lập)'
    >>> mend_export("1. … công lập.(Điều này có nội dung liên quan đến Điều 5.2.LQ.9. Đơn vị)")
    '1. … công lập.\\n(Điều này có nội dung liên quan đến Điều 5.2.LQ.9. Đơn vị)'
    >>> print(mend_export("(Điều 1 Thông tư số 39/2018/TT-NHNN Hướng dẫn\\n của Ngân hàng Nhà nước, có hiệu lực thi "
    ...                   "hành kể từ ngày 11/02/2019)Thông tư này hướng dẫn"))
    (Điều 1 Thông tư số 39/2018/TT-NHNN Hướng dẫn của Ngân hàng Nhà nước, có hiệu lực thi hành kể từ ngày 11/02/2019)
    Thông tư này hướng dẫn
    """
    return _join_source_lines(_PD_GLUED_HEADING_RE.sub("\n", text))


def _join_source_lines(text: str) -> str:
    """A source line wrapped over up to `_PD_SOURCE_WRAP` lines joined into one, when the joined line reads as a
    source line; text glued after its closing bracket goes on the next line."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("(Điều ") and line.count("(") > line.count(")"):
            joined, j = line.rstrip(), i
            while joined.count("(") > joined.count(")") and j + 1 < len(lines) and j - i < _PD_SOURCE_WRAP:
                j += 1
                joined = f"{joined} {lines[j].strip()}"
            close = _closing_bracket(joined)
            if close is not None and parse_source_line(joined[: close + 1]) is not None:
                out.append(joined[: close + 1])
                if joined[close + 1 :].strip():
                    out.append(joined[close + 1 :].strip())
                i = j + 1
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _closing_bracket(line: str) -> int | None:
    """Where the bracket opening `line` closes, or None."""
    depth = 0
    for at, ch in enumerate(line):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return at
    return None


class PhapDienParser:
    """Pháp điển subject (đề mục) files: each compiled article cites its original document and article.

    The table at the top of each file is unreliable (see shared/corpus/phapdien/SOURCES.md) and is skipped: the
    stored text starts after the "## VĂN BẢN" marker. A source's issue date and title appear only on its first
    compiled article; later articles of the same source inherit them.
    """

    name = "phapdien"

    def accepts(self, path: Path, head: str) -> bool:
        # chủ đề index files list article headings under "## Danh sách điều khoản" but hold no article text
        body = head.split("## Danh sách điều khoản")[0]
        return path.suffix.lower() == ".md" and bool(_PD_SOURCE_LINE_RE.search(body))

    def parse(self, path: Path, settings: Settings) -> list[LegalDocument]:
        raw = _read_utf8(path, settings)
        title_m = re.search(r"^title:\s*(.+)$", raw, re.M)
        marker = raw.find("## VĂN BẢN")
        text = raw[marker + len("## VĂN BẢN") :].lstrip("\n") if marker >= 0 else raw
        # the "## Danh sách điều khoản" list at the end repeats every heading with a truncated summary
        tail = re.search(r"^## Danh sách (?:điều khoản|đề mục)", text, re.M)
        if tail:
            text = text[: tail.start()].rstrip() + "\n"
        text = mend_export(text)
        h1 = re.search(r"^#\s+(.+)$", text, re.M)
        subject = (h1.group(1) if h1 else title_m.group(1) if title_m else path.stem).strip()
        lines = list(iter_lines(text))
        articles: list[Article] = []
        first_source: dict[str, SourceRef] = {}
        chapter = section = None
        builder: ClauseBuilder | None = None
        skip_until = -1
        awaiting_source = False
        for i, ln in enumerate(lines):
            if i <= skip_until:
                continue
            am = _PD_ARTICLE_RE.match(ln.text)
            if am:
                art = Article(
                    start=ln.start,
                    end=ln.end,
                    heading_end=ln.end,
                    number=am.group(1) or am.group(2),
                    title=article_title(am.group(3)),
                    chapter=chapter,
                    section=section,
                )
                articles.append(art)
                builder = ClauseBuilder(art)
                awaiting_source = True
                continue
            src = parse_source_line(ln.text) if ln.text.startswith("(Điều ") else None
            if src and awaiting_source and builder is not None:
                awaiting_source = False
                builder.article.source = _inherit(src, first_source)
                builder.article.end = builder.article.heading_end = ln.end
                continue
            awaiting_source = False
            if src:
                # some compiled articles have no heading line: their source line starts them
                art = Article(
                    start=ln.start,
                    end=ln.end,
                    heading_end=ln.end,
                    number=f"{src.document}:{src.article}",
                    chapter=chapter,
                    section=section,
                    source=_inherit(src, first_source),
                )
                articles.append(art)
                builder = ClauseBuilder(art)
                continue
            if _PD_ATTACHMENT_RE.match(ln.text.strip()):
                continue
            link = _PD_LINK_RE.match(ln.text)
            if link and builder is not None:
                builder.article.links.extend(x.strip() for x in re.split(r";\s*(?=Điều\s)", link.group(1)))
                continue
            cm = CHAPTER_RE.match(ln.text)
            sm = SECTION_RE.match(ln.text) if is_section_heading(ln) else None
            if cm or sm:
                m = cm or sm
                assert m is not None
                t, skip_until = heading_title(lines, i, m.group(2).strip())
                label = "Chương" if cm else "Mục"
                heading = f"{label} {m.group(1)}" + (f". {t}" if t else "")
                if cm:
                    chapter, section = heading, None
                else:
                    section = heading
                builder = None
                continue
            if builder is not None:
                builder.line(ln)
        if not articles:
            raise NoTextError(path, "no pháp điển articles found")
        meta = DocumentMeta(
            title=f"Pháp điển — {subject}",
            loai="Đề mục pháp điển",
            co_quan="Bộ Tư pháp (Bộ pháp điển)",
            trich_yeu=subject,
            hieu_luc=Validity.CHUA_XAC_DINH,
            hieu_luc_reason="bản pháp điển tổng hợp; hiệu lực theo từng văn bản gốc được dẫn nguồn",
        )
        return [LegalDocument(meta=meta, text=text, articles=articles, fmt=self.name, source_path=str(path))]


def _inherit(src: SourceRef, first: dict[str, SourceRef]) -> SourceRef:
    """Fill a source line's missing title/date/issuer from the first article of the same original document."""
    key = src.document.upper()
    known = first.get(key)
    if known is None:
        first[key] = src
        return src
    return SourceRef(
        document=src.document,
        article=src.article,
        loai=src.loai or known.loai,
        trich_yeu=src.trich_yeu or known.trich_yeu,
        co_quan=src.co_quan or known.co_quan,
        ngay_ban_hanh=src.ngay_ban_hanh or known.ngay_ban_hanh,
        ngay_hieu_luc=src.ngay_hieu_luc or known.ngay_hieu_luc,
    )


# ---------------------------------------------------------------------------------------------- ALQAC JSON
class AlqacParser:
    """The ALQAC corpus: a JSON list of laws, each `{"id": title, "articles": [{"id": "N", "text": ...}]}`.

    The first line of an article's text is its title. The law's title is the document name (the ALQAC gold
    answers cite laws by title), and each law becomes its own document keyed by that title.
    """

    name = "alqac"

    def accepts(self, path: Path, head: str) -> bool:
        return path.suffix.lower() == ".json" and '"articles"' in head

    def parse(self, path: Path, settings: Settings) -> list[LegalDocument]:
        raw = _read_utf8(path, settings)
        try:
            data: Any = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise IngestError(
                path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        if not isinstance(data, list):
            raise IngestError(path, "expected a JSON list of laws with 'id' and 'articles'")
        docs = []
        for i, law in enumerate(data):
            if not isinstance(law, dict) or "id" not in law or not isinstance(law.get("articles"), list):
                raise IngestError(path, f"law #{i}: expected an object with 'id' and an 'articles' list")
            docs.append(self._law(path, clean_extracted(str(law["id"])).strip(), law["articles"]))
        return docs

    def _law(self, path: Path, title: str, items: list[Any]) -> LegalDocument:
        parts: list[str] = [title, ""]
        pos = len(title) + 2
        articles: list[Article] = []
        for j, item in enumerate(items):
            if not isinstance(item, dict) or "id" not in item or "text" not in item:
                raise IngestError(path, f"{title}: article #{j}: expected an object with 'id' and 'text'")
            number = str(item["id"]).strip()
            body = clean_extracted(str(item["text"])).strip()
            art_title, _, rest = body.partition("\n")
            heading = f"Điều {number}. {art_title.strip()}"
            block = f"{heading}\n{rest.strip()}" if rest.strip() else heading
            art = Article(
                start=pos,
                end=pos + len(block),
                heading_end=pos + len(heading),
                number=number,
                title=article_title(art_title),
            )
            builder = ClauseBuilder(art)
            for ln in iter_lines(block[len(heading) :]):
                builder.line(Line(ln.start + pos + len(heading), ln.end + pos + len(heading), ln.text))
            art.end = pos + len(block)
            articles.append(art)
            parts.append(block)
            parts.append("")
            pos += len(block) + 2
        text = "\n".join(parts)
        loai = next(
            (t for t in ("Bộ luật", "Hiến pháp", "Luật") if title.lower().startswith(t.lower())), None
        )
        meta = DocumentMeta(
            title=title,
            loai=loai,
            co_quan="Quốc hội" if loai else None,
            trich_yeu=title,
            hieu_luc=Validity.CHUA_XAC_DINH,
            hieu_luc_reason="ALQAC corpus: không ghi số hiệu và ngày hiệu lực",
        )
        return LegalDocument(
            meta=meta, text=text, articles=articles, fmt=self.name, key=title, source_path=str(path)
        )


# ---------------------------------------------------------------------------------------------- official text
_PRECEDENT_RE = re.compile(r"ÁN LỆ SỐ\s+(\d+/\d{4}/AL)", re.I)
_ATTACHED_RE = re.compile(r"kèm theo (?:Quyết định|Nghị quyết) số[^/]{0,20}/(?:QĐ|NQ)-([A-ZĐa-z]+)")
_PARAGRAPH_TARGET = 1200
_MIN_PROSE_LETTERS = 200  # below this, an unstructured text is a list of links or ids, not a document


class OfficialTextParser:
    """Any official document a format reader can turn into text: header metadata, then its structure."""

    name = "text"

    def accepts(self, path: Path, head: str) -> bool:
        from ingest.formats.registry import READERS

        return path.suffix.lower() in READERS

    def parse(self, path: Path, settings: Settings) -> list[LegalDocument]:
        from ingest.formats.registry import read_file

        raw = read_file(path, settings.max_file_bytes, ocr_lang=settings.ocr_lang)
        text = raw.text
        if needs_reflow(text):
            text = reflow(text)
        if not text.strip():
            raise NoTextError(path, "the file contains no text")
        articles = parse_articles(text)
        if len(articles) < 1:
            articles = parse_sections(text)
        if not articles:
            if _prose_letters(text) < _MIN_PROSE_LETTERS:
                raise NoTextError(path, "no document text: no legal structure and hardly any prose (only links?)")
            articles = paragraph_articles(text)
        if not articles:
            raise NoTextError(path, "no text content found")
        head = parse_header(text, body_start(text, articles))
        so_hieu = head.so_hieu
        loai = head.loai
        precedent = _PRECEDENT_RE.search(text[:600])
        if precedent:
            so_hieu, loai = precedent.group(1), "Án lệ"
        co_quan = head.co_quan
        if co_quan is None:
            attached = _ATTACHED_RE.search(text[:1500])
            if attached:
                co_quan = issuer_from_number(f"1/QĐ-{attached.group(1)}")
        if precedent and co_quan is None:
            co_quan = "Hội đồng Thẩm phán Tòa án nhân dân tối cao"
        title = head.title or (f"{loai} {so_hieu}" if loai and so_hieu else None) or _title_from_path(path)
        effect = next((a for a in reversed(articles) if a.label == "Điều" and "hiệu lực" in a.title.lower()), None)
        effective = find_effective_date(text[effect.start : effect.end], head.ngay_ban_hanh) if effect else None
        meta = DocumentMeta(
            title=title,
            so_hieu=so_hieu,
            loai=loai or type_from_number(so_hieu),
            co_quan=co_quan,
            ngay_ban_hanh=head.ngay_ban_hanh,
            ngay_hieu_luc=effective,
            trich_yeu=head.trich_yeu,
        )
        return [
            LegalDocument(
                meta=meta,
                text=text,
                articles=articles,
                fmt=raw.fmt,
                source_path=str(path),
                warnings=list(raw.warnings),
            )
        ]


def _prose_letters(text: str) -> int:
    """Letters outside links: a word-by-word scan (a regex with `\\S*` around the link pattern backtracks
    quadratically on one long run of non-spaces)."""
    return sum(
        sum(ch.isalpha() for ch in word)
        for word in text.split()
        if "http://" not in word and "https://" not in word and "www." not in word
    )


def paragraph_articles(text: str) -> list[Article]:
    """Fallback structure for texts without Điều or sections: runs of paragraphs labelled "Đoạn 1", "Đoạn 2"…"""
    articles: list[Article] = []
    current: Article | None = None
    for ln in iter_lines(text):
        if current is None or current.end - current.start > _PARAGRAPH_TARGET:
            current = Article(
                start=ln.start, end=ln.end, heading_end=ln.start, number=str(len(articles) + 1), label="Đoạn"
            )
            articles.append(current)
        current.end = ln.end
    return articles


def _title_from_path(path: Path) -> str:
    return clean_extracted(path.stem.replace("_", " ").replace("-", " ")).strip()


PARSERS: list[DocumentParser] = [PhapDienParser(), AlqacParser(), OfficialTextParser()]


def parser_for(path: Path, head: str) -> DocumentParser | None:
    """The first registered parser that accepts this file, or None."""
    return next((p for p in PARSERS if p.accepts(path, head)), None)


def claims(path: Path) -> bool:
    """Whether some parser would take this file (a folder walk ignores the others)."""
    return parser_for(path, _head(path)) is not None


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return clean_extracted(fh.read(200_000).decode("utf-8", errors="ignore"))
    except OSError:
        return ""


def parse_file(path: Path, settings: Settings) -> list[LegalDocument]:
    """Parse one file into its documents; bad input raises `IngestError`/`NoTextError` naming the file."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "file does not exist")
    parser = parser_for(path, _head(path))
    if parser is None:
        from ingest.formats.registry import READERS

        kinds = ", ".join(sorted(READERS)) + ", pháp điển .md, ALQAC .json"
        raise IngestError(path, f"unsupported file type '{path.suffix or path.name}' (supported: {kinds})")
    docs = parser.parse(path, settings)
    for doc in docs:
        doc.meta.title = clean_extracted(doc.meta.title)
    return docs
