"""What an answer becomes outside the workdesk: its formal citations, the plain text "Sao chép" puts on the
clipboard, and a DOCX "Phiếu tra cứu pháp luật" a legal officer files or forwards.

A formal citation names the provision the way Vietnamese administrative documents do: the anchor's Điểm/Khoản/Điều,
then the document by type (a law by its title), số hiệu, ngày ban hành and issuing body — each only when known, so a
missing field is left out rather than guessed. Everything here is plain text: retrieved text is data, written as
text runs (python-docx escapes XML), NFC, with the control characters XML 1.0 forbids removed.

>>> import datetime as dt
>>> from ingest.model import DocumentMeta
>>> meta = DocumentMeta("Luật Viên chức", "58/2010/QH12", "Luật", "Quốc hội", dt.date(2010, 11, 15))
>>> formal_name("Khoản 2 Điều 29 Luật Viên chức 58/2010/QH12", meta)
'Khoản 2 Điều 29 Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 của Quốc hội'
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from assistant.answer import REFUSAL, Answer, CitedSource
from assistant.clauses import ClauseRef
from index.search import Hit
from ingest.model import DocumentMeta, document_short_name
from ui.render import MODE_LABELS, VERIFICATION_BADGES, validity_label, vn_date

MEMO_TITLE = "PHIẾU TRA CỨU PHÁP LUẬT"
FOOTER = (
    "Phiếu do hệ thống Kho tri thức tạo tự động, chỉ để tham khảo. Nội dung trích dẫn phải được đối chiếu với "
    "văn bản chính thức (bản gốc, Công báo) trước khi sử dụng."
)
# Nghị định 30/2020/NĐ-CP (Phụ lục I) sets the administrative document's typeface: Times New Roman, 13–14 pt, A4,
# margins top/bottom 2 cm, left 3 cm, right 2 cm. Times New Roman also covers every Vietnamese letter.
FONT = "Times New Roman"
FONT_SIZE = Pt(13)

# Documents named by their title in a citation ("Luật Viên chức"); other acts by type ("Nghị định số …").
_TITLED = ("luật", "bộ luật", "hiến pháp", "pháp lệnh")
# The provision an anchor names before the document's name: "Điểm a Khoản 2 Điều 29", "Khoản 2-4 Điều 10",
# "Mục II.1" (ingest/chunking.py `_anchor`, assistant/clauses.py `anchor_for`).
_PROVISION = re.compile(r"^(?:(?:Điểm|Khoản)\s+\S+\s+)*Điều\s+\S+|^(?:Mục|Phần|Chương|Tiết)\s+\S+")
# XML 1.0 forbids C0 controls other than tab, newline and carriage return, lone surrogates and U+FFFE/FFFF;
# python-docx (lxml) raises ValueError on them. C1 controls are legal but never meaningful in a legal text.
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\u2028\u2029]")  # vertical tab / form feed: Word's line and page breaks


def clean(text: object) -> str:
    """`text` as NFC, with line breaks as "\\n" and nothing XML 1.0 forbids.

    >>> clean("a\\x0bb\\x00c")
    'a\\nbc'
    """
    return _FORBIDDEN.sub("", _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", str(text))))


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


# --- formal citations -------------------------------------------------------------------------------------


def _provision(anchor: str, names: list[str]) -> str:
    """The part of `anchor` before the document's name ("Khoản 2 Điều 29"), or "" when none is recognisable."""
    anchor = _one_line(anchor)
    for name in names:
        if name and anchor.endswith(" " + name):
            return anchor[: -len(name) - 1].strip()
    m = _PROVISION.match(anchor)
    return m.group(0) if m else ""


def _document_name(meta: DocumentMeta | None, hit: Hit | None) -> str:
    """ "Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 của Quốc hội", from the registry's metadata first and the
    search hit's copy of it second; a field neither knows is left out."""
    title = _one_line((meta.title if meta else None) or (hit.title if hit else None) or "")
    so_hieu = (meta.so_hieu if meta else None) or (hit.so_hieu if hit else None) or ""
    loai = (meta.loai if meta else None) or (hit.loai if hit else None) or ""
    co_quan = (meta.co_quan if meta else None) or (hit.co_quan if hit else None) or ""
    issued = meta.ngay_ban_hanh if meta else None  # a hit carries only the year: never turned into a date
    so_hieu, loai, co_quan = _one_line(so_hieu), _one_line(loai), _one_line(co_quan)
    titled = loai.lower() in _TITLED and title.lower().startswith(loai.lower())
    if titled:
        head = title
    elif loai:
        head = loai
    elif so_hieu:
        head = "Văn bản"
    else:
        head = title
    parts = [head]
    if so_hieu:
        parts.append(f"số {so_hieu}")
    if issued:
        parts.append(f"ngày {vn_date(issued)}")
    if co_quan:
        parts.append(f"của {co_quan}")
    trich_yeu = _one_line(meta.trich_yeu or "") if meta else ""
    if not titled and loai and re.match(r"(?i)về\s", trich_yeu):  # "Nghị định số … của Chính phủ về công tác văn thư"
        parts.append(trich_yeu[:1].lower() + trich_yeu[1:])
    return " ".join(p for p in parts if p)


def _names_in_anchor(meta: DocumentMeta | None, hit: Hit | None) -> list[str]:
    """How an anchor may name the document (ingest/model.py `document_short_name`), longest first."""
    names = []
    if meta is not None:
        names.append(meta.short_name)
    if hit is not None:
        names += [document_short_name(hit.title, hit.so_hieu, hit.loai), hit.so_hieu or "", hit.citation.document]
    return sorted({_one_line(n) for n in names if n}, key=len, reverse=True)


def formal_name(anchor: str, meta: DocumentMeta | None, hit: Hit | None = None) -> str:
    """The formal citation of the provision `anchor` names, in the document `meta` (or `hit`) describes."""
    provision = _provision(anchor, _names_in_anchor(meta, hit))
    document = _document_name(meta, hit)
    if not provision and not document:
        return _one_line(anchor)
    return " ".join(p for p in (provision, document) if p)


def formal_citation(source: CitedSource, meta: DocumentMeta | None) -> str:
    """ "Khoản 2 Điều 29 Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 của Quốc hội": the cited source's provision
    (its anchor) and its document, from `meta` (the registry record) and what the hit carries."""
    return formal_name(source.hit.anchor, meta, source.hit)


def formal_citation_of_ground(ground: ClauseRef, source: CitedSource, meta: DocumentMeta | None) -> str:
    """The formal citation of a "Căn cứ" clause: the Khoản/Điểm the claim binds to, inside `source`'s document."""
    return formal_name(ground.anchor, meta, source.hit)


# --- what the memo lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """One entry of "Căn cứ": marker, formal citation, the quoted text, its validity and the notice it carries."""

    marker: int
    citation: str
    quote: str
    validity: str
    notice: str | None = None


def _validity(source: CitedSource, meta: DocumentMeta | None) -> str:
    """The quoted text's standing on the answer's date when known, else the document's validity; with the date
    it took effect."""
    if source.standing is not None:
        label = source.standing.label
    else:
        label = validity_label(meta.hieu_luc.value if meta else source.hit.hieu_luc)
    if meta is not None and meta.ngay_hieu_luc is not None:
        label += f" (có hiệu lực từ ngày {vn_date(meta.ngay_hieu_luc)})"
    return label


def bases(answer: Answer, metas: Mapping[str, DocumentMeta]) -> list[Basis]:
    """ "Căn cứ" of an answer, in its citations' order: each source's clauses the answer binds claims to (the more
    precise Khoản/Điểm), or the source itself when none is bound. A refusal has none."""
    if answer.refused:
        return []
    grounds = answer.grounds()
    out: list[Basis] = []
    for source in answer.citations:
        meta = metas.get(source.hit.document_id)
        validity = _validity(source, meta)
        notice = clean(source.notice) if source.notice else None
        own = [g for g in grounds if g.marker == source.marker]
        if own:
            out += [
                Basis(source.marker, formal_citation_of_ground(g, source, meta), _one_line(g.quote), validity, notice)
                for g in own
            ]
        else:
            out.append(Basis(source.marker, formal_citation(source, meta), _one_line(source.text), validity, notice))
    return out


def _verification(answer: Answer) -> str:
    """ "Đã kiểm chứng — Mọi câu trả lời đều …" (the workdesk badge's words, without its symbol)."""
    badge = VERIFICATION_BADGES["refused" if answer.refused else answer.verification.value]
    label = badge.label.split(" ", 1)[1] if not badge.label[:1].isalnum() else badge.label
    return f"{label} — {badge.hint}"


def _as_of(answer: Answer) -> str:
    if answer.as_of is None:
        return "mọi phiên bản của văn bản (không theo ngày)"
    return vn_date(answer.as_of)


def _answer_text(answer: Answer) -> str:
    return REFUSAL if answer.refused else clean(answer.answer).strip()


def _closest(answer: Answer) -> list[str]:
    return [_one_line(h.anchor) for h in answer.closest] if answer.refused else []


# --- the clipboard ----------------------------------------------------------------------------------------


def plain_text(answer: Answer, metas: Mapping[str, DocumentMeta]) -> str:
    """What "Sao chép" copies: the question, the answer (its [n] markers kept), then "Căn cứ:" with one line per
    cited provision — "[n] <formal citation>" — and its text in «…». No markup of any kind."""
    lines = [f"Câu hỏi: {_one_line(answer.question)}"]
    if answer.query and answer.query != answer.question:
        lines.append(f"Câu hỏi được hiểu là: {_one_line(answer.query)}")
    lines.append(f"Pháp luật áp dụng tại ngày: {_as_of(answer)}")
    lines += ["", "Trả lời:", _answer_text(answer)]
    notices = [clean(n) for n in answer.notices]
    if notices:
        lines += ["", *(f"Lưu ý: {n}" for n in notices)]
    entries = bases(answer, metas)
    if entries:
        lines += ["", "Căn cứ:"]
        for b in entries:
            lines += [f"[{b.marker}] {b.citation}", f"«{b.quote}»"]
    closest = _closest(answer)
    if closest:
        lines += ["", "Các điều gần nhất để tham khảo (không phải căn cứ):", *(f"- {a}" for a in closest)]
    return "\n".join(lines) + "\n"


# --- the DOCX memo ----------------------------------------------------------------------------------------


class _Container(Protocol):
    """A document body or a footer: somewhere paragraphs go."""

    def add_paragraph(self, text: str = ...) -> Paragraph: ...


def _use_font_everywhere(doc: DocxDocument) -> None:
    """Times New Roman for every script slot of Normal (and the styles built on it), so no run falls back."""
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = FONT_SIZE
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), FONT)
    for attr in list(rfonts.attrib):  # a theme font would override the name
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]


def _para(
    container: _Container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: Pt | None = None,
    after: Pt | None = Pt(4),
) -> Paragraph:
    p = container.add_paragraph()
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    if align is not None:
        p.alignment = align
    if after is not None:
        p.paragraph_format.space_after = after
    return p


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: Pt | None = None) -> None:
    run = p.add_run(clean(text))
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = size


def _field(container: _Container, label: str, value: str) -> None:
    p = _para(container)
    _run(p, f"{label}: ", bold=True)
    _run(p, value)


@dataclass(frozen=True)
class MemoContent:
    """What a memo says, as text: kept with a conversation's answer so a memo can be written again after a reload
    (`to_json` / `from_json`), without the answer's objects."""

    question: str
    query: str | None
    as_of: str
    verification: str
    mode: str | None  # None for a refusal
    notices: tuple[str, ...]
    answer: str
    bases: tuple[Basis, ...]
    closest: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "bases": [asdict(b) for b in self.bases]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MemoContent:
        """The content as `to_json` wrote it; KeyError/TypeError for anything else."""
        return cls(
            str(data["question"]),
            None if data.get("query") is None else str(data["query"]),
            str(data["as_of"]),
            str(data["verification"]),
            None if data.get("mode") is None else str(data["mode"]),
            tuple(str(n) for n in data.get("notices") or ()),
            str(data["answer"]),
            tuple(Basis(**b) for b in data.get("bases") or ()),
            tuple(str(a) for a in data.get("closest") or ()),
        )


def memo_content(answer: Answer, metas: Mapping[str, DocumentMeta]) -> MemoContent:
    """The text of the memo of `answer` (see `memo_docx`)."""
    query = _one_line(answer.query) if answer.query and answer.query != answer.question else None
    return MemoContent(
        _one_line(answer.question),
        query,
        _as_of(answer),
        _verification(answer),
        None if answer.refused else MODE_LABELS.get(answer.mode, answer.mode),
        tuple(clean(n) for n in answer.notices),
        _answer_text(answer),
        tuple(bases(answer, metas)),
        tuple(_closest(answer)),
    )


def memo_docx(
    answer: Answer,
    metas: Mapping[str, DocumentMeta],
    asked_by: str | None = None,
    asked_at: dt.datetime | None = None,
) -> bytes:
    """The answer as a DOCX "Phiếu tra cứu pháp luật": question, the day whose law it states, its verification in
    words, the answer, then "Căn cứ pháp lý" — each provision's formal citation, validity and text — and a footer
    saying the memo must be checked against the official text. `asked_by`/`asked_at` are printed when given.
    """
    return write_memo(memo_content(answer, metas), asked_by, asked_at)


def write_memo(content: MemoContent, asked_by: str | None = None, asked_at: dt.datetime | None = None) -> bytes:
    """The DOCX of `content` (`memo_docx`)."""
    doc = Document()
    _use_font_everywhere(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = section.right_margin = Cm(2)
    section.left_margin = Cm(3)
    props = doc.core_properties
    props.title = "Phiếu tra cứu pháp luật"
    props.subject = content.question[:255]
    props.author = clean(asked_by) if asked_by else "Kho tri thức"
    props.last_modified_by = "Kho tri thức"
    props.comments = ""
    # The template's own dates (2013) would mislead a reader of the file's properties.
    props.created = props.modified = asked_at or dt.datetime.now(dt.UTC)

    _para(doc, MEMO_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14), after=Pt(12))
    if asked_by:
        _field(doc, "Người tra cứu", _one_line(asked_by))
    if asked_at is not None:
        _field(doc, "Thời điểm tra cứu", f"{asked_at:%H:%M} ngày {vn_date(asked_at.date())}")
    _field(doc, "Câu hỏi", content.question)
    if content.query:
        _field(doc, "Câu hỏi được hiểu là", content.query)
    _field(doc, "Pháp luật áp dụng tại ngày", content.as_of)
    _field(doc, "Tình trạng kiểm chứng", content.verification)
    if content.mode is not None:
        _field(doc, "Cách trả lời", content.mode)
    for notice in content.notices:
        _field(doc, "Lưu ý", notice)

    _para(doc, "Nội dung trả lời", bold=True, after=Pt(4)).paragraph_format.space_before = Pt(10)
    for line in content.answer.split("\n"):
        if line.strip():
            _para(doc, line.strip(), align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    if content.bases:
        _para(doc, "Căn cứ pháp lý", bold=True).paragraph_format.space_before = Pt(10)
        for b in content.bases:
            p = _para(doc, after=Pt(2))
            _run(p, f"[{b.marker}] ", bold=True)
            _run(p, b.citation, bold=True)
            _field(doc, "Hiệu lực", b.validity)
            if b.notice:
                _field(doc, "Lưu ý", b.notice)
            _para(doc, f"«{b.quote}»", italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=Pt(8))
    if content.closest:
        _para(doc, "Các điều gần nhất để tham khảo (không phải căn cứ)", bold=True)
        for anchor in content.closest:
            _para(doc, f"- {anchor}")

    footer = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    _run(footer, FOOTER, italic=True, size=Pt(10))
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
