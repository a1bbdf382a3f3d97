"""The typed vocabulary of ingestion: what a parsed legal document, its articles and its chunks are.

Every parser returns `LegalDocument`s; the chunker turns them into `Chunk`s; the registry and, later, the index
store those. Offsets (`start`, `end`) always point into `LegalDocument.text`, the NFC-normalised text that the
registry keeps, so a UI can highlight exactly the cited span.

>>> Citation(document="58/2010/QH12", title="Luật Viên chức", article="29", clause="1", point="a").anchor_parts()
['Điểm a', 'Khoản 1', 'Điều 29']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class _ChoiceEnum(str, enum.Enum):
    """A string enum whose `from_str` names the valid values when given a wrong one."""

    @classmethod
    def from_str(cls, value: str) -> Any:
        try:
            return cls(value.strip().lower())
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"{cls.__name__}: '{value}' is not one of: {valid}") from None


class AccessLevel(_ChoiceEnum):
    """Who may retrieve a document; ordered from least to most protected."""

    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return list(AccessLevel).index(self)

    def allowed(self) -> list[AccessLevel]:
        """The levels a user with this clearance may read (this one and every lower one)."""
        return [lvl for lvl in AccessLevel if lvl.rank <= self.rank]


class Validity(_ChoiceEnum):
    """Hiệu lực: whether a document is in force."""

    CON_HIEU_LUC = "con_hieu_luc"
    HET_HIEU_LUC = "het_hieu_luc"
    CHUA_XAC_DINH = "chua_xac_dinh"


class DocState(_ChoiceEnum):
    """A file's state in the document registry."""

    PENDING = "pending"
    INDEXED = "indexed"
    SKIPPED_UNCHANGED = "skipped_unchanged"
    FAILED = "failed"
    FAILED_NO_TEXT = "failed_no_text"


@dataclass(frozen=True)
class SourceRef:
    """The original document and article a compiled (pháp điển) article comes from.

    Parsed from the source line "(Điều 33 Nghị định số 30/2020/NĐ-CP ... ngày 05/03/2020 ..., có hiệu lực thi hành
    kể từ ngày 05/03/2020)".
    """

    document: str
    article: str
    loai: str | None = None
    trich_yeu: str | None = None
    co_quan: str | None = None
    ngay_ban_hanh: dt.date | None = None
    ngay_hieu_luc: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "article": self.article,
            "loai": self.loai,
            "trich_yeu": self.trich_yeu,
            "co_quan": self.co_quan,
            "ngay_ban_hanh": iso_date(self.ngay_ban_hanh),
            "ngay_hieu_luc": iso_date(self.ngay_hieu_luc),
        }


@dataclass
class Span:
    """A half-open character range [start, end) into `LegalDocument.text`."""

    start: int
    end: int


@dataclass
class Point(Span):
    """Điểm: a lettered item "a)", "b)", "đ)" inside a clause."""

    letter: str = ""


@dataclass
class Clause(Span):
    """Khoản: a numbered item "1." inside an article."""

    number: str = ""
    points: list[Point] = field(default_factory=list)


@dataclass
class Article(Span):
    """Điều (or, for internal plans, a top-level section "III."): the unit of citation.

    `heading_end` is where the heading line ends and the body begins. `chapter`/`section` are the enclosing
    Chương / Mục headings. `points` holds points that sit directly in the article, outside any clause.
    `source` is set for compiled articles whose original is another document.
    """

    number: str = ""
    title: str = ""
    heading_end: int = 0
    clauses: list[Clause] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    source: SourceRef | None = None
    links: list[str] = field(default_factory=list)
    label: str = "Điều"

    @property
    def display(self) -> str:
        """ "Điều 29" for laws, "Mục III" for internal plans."""
        return f"{self.label} {self.number}"


@dataclass
class DocumentMeta:
    """Metadata of one document: what the legal department reads beside every citation."""

    title: str
    so_hieu: str | None = None
    loai: str | None = None
    co_quan: str | None = None
    ngay_ban_hanh: dt.date | None = None
    ngay_hieu_luc: dt.date | None = None
    trich_yeu: str | None = None
    access_level: AccessLevel = AccessLevel.PUBLIC
    hieu_luc: Validity = Validity.CHUA_XAC_DINH
    hieu_luc_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "so_hieu": self.so_hieu,
            "loai": self.loai,
            "co_quan": self.co_quan,
            "ngay_ban_hanh": iso_date(self.ngay_ban_hanh),
            "ngay_hieu_luc": iso_date(self.ngay_hieu_luc),
            "trich_yeu": self.trich_yeu,
            "title": self.title,
            "access_level": self.access_level.value,
            "hieu_luc": self.hieu_luc.value,
            "hieu_luc_reason": self.hieu_luc_reason,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DocumentMeta:
        return cls(
            title=d["title"],
            so_hieu=d.get("so_hieu"),
            loai=d.get("loai"),
            co_quan=d.get("co_quan"),
            ngay_ban_hanh=parse_iso_date(d.get("ngay_ban_hanh")),
            ngay_hieu_luc=parse_iso_date(d.get("ngay_hieu_luc")),
            trich_yeu=d.get("trich_yeu"),
            access_level=AccessLevel.from_str(d.get("access_level") or "public"),
            hieu_luc=Validity.from_str(d.get("hieu_luc") or "chua_xac_dinh"),
            hieu_luc_reason=d.get("hieu_luc_reason"),
        )

    @property
    def short_name(self) -> str:
        """How an anchor names the document: "Nghị định 30/2020/NĐ-CP", "Luật Viên chức 58/2010/QH12"."""
        return document_short_name(self.title, self.so_hieu, self.loai)


def document_short_name(title: str | None, so_hieu: str | None, loai: str | None) -> str:
    """The document's name in an anchor: laws by title and number, other acts by type and number."""
    if so_hieu and loai and loai.lower() in ("luật", "bộ luật", "hiến pháp") and title:
        return f"{title} {so_hieu}"
    if so_hieu and loai:
        return f"{loai} {so_hieu}"
    if so_hieu:
        return so_hieu
    return title or "?"


@dataclass
class LegalDocument:
    """One parsed document: metadata, its NFC text, and its articles with offsets into that text.

    `key` distinguishes documents that come from the same file (the ALQAC JSON holds 17 laws); it is "" for
    one-document files. `fmt` names the reader that produced it.
    """

    meta: DocumentMeta
    text: str
    articles: list[Article]
    fmt: str
    key: str = ""
    source_path: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Citation:
    """What a chunk is cited as: the ORIGINAL document and article, with clause/point when the chunk is one."""

    document: str
    title: str
    article: str
    clause: str | None = None
    point: str | None = None

    def anchor_parts(self) -> list[str]:
        parts = []
        if self.point:
            parts.append(f"Điểm {self.point}")
        if self.clause:
            parts.append(f"Khoản {self.clause}")
        parts.append(f"Điều {self.article}")
        return parts

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Chunk:
    """A retrievable unit: an article, or a run of its clauses/points when the article is long.

    `text` is exactly `document.text[start:end]`; `heading_path` is the context (document title › Chương › Điều ›
    Khoản) that an embedder or a prompt puts in front of it. The id is stable: the same content always gives the
    same id.
    """

    id: str
    ordinal: int
    anchor: str
    citation: Citation
    heading_path: list[str]
    start: int
    end: int
    text: str
    article_number: str = ""
    lead: str = ""

    def contextual_text(self) -> str:
        """Heading path, the article's lead-in when the chunk starts after it, then the text: what gets embedded."""
        head = " › ".join(self.heading_path)
        lead = f"{self.lead}\n" if self.lead else ""
        return f"{head}\n{lead}{self.text}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "anchor": self.anchor,
            "citation": self.citation.to_json(),
            "heading_path": self.heading_path,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


def iso_date(d: dt.date | None) -> str | None:
    """A date as ISO `YYYY-MM-DD`, or None."""
    return d.isoformat() if d else None


def parse_iso_date(s: str | None) -> dt.date | None:
    """The inverse of `iso_date`."""
    return dt.date.fromisoformat(s) if s else None
