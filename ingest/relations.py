"""Legal relations with provenance: which document amends, supplements, repeals or cites which article, from when.

Each `Relation` records the act (`kind`), the document that acts (`source_document`, with its article and clause
when known), what it acts on (`target`: document number or title, article, clause, point — each optional), the
date it takes effect, and the exact sentence it was read from (`text`, with `start`/`end` offsets into the
stored `LegalDocument.text`), so a reviewer can check every relation against the text. A relation whose target
or date could not be resolved is kept with status `needs_review` and a reason: it is never applied silently.

Relations are found by small rule extractors, one per source of facts, each registered in `EXTRACTORS`:

- `phapdien_source`: a pháp điển source line "(Điều 29 Luật số 58/2010/QH12, có hiệu lực thi hành kể từ ngày
  01/01/2012, có nội dung được sửa đổi, có nội dung được bổ sung bởi Điều 2 Luật số 52/2019/QH14 có hiệu lực
  thi hành kể từ ngày 01/07/2020)" — amend/supplement/repeal of the original article by Luật 52/2019/QH14.
- `effect_article`: the "Hiệu lực thi hành" article of a law ending other laws, wholly or down to point.
- `in_text_reference`: "theo quy định tại khoản 4 Điều 29 của Luật này" (same document), "theo quy định của
  Bộ luật Lao động" (by name; `needs_review` until a number says which one) and "theo quy định của pháp luật về lao
  động" (a field of law; `needs_review`, resolved to the field's principal law when the versions are derived).
- `repeal_clause`: "Bãi bỏ điểm b khoản 1 Điều 45 của Luật Lý lịch tư pháp số 28/2009/QH12" in an amending law.
- `replace`: "Luật này thay thế Luật … số 33/2002/QH10" (whole document) and "Thay thế cụm từ “…” bằng cụm từ “…”
  tại khoản 2 Điều 20 của Luật Nhà ở số 65/2014/QH13" (words in a clause).
- `guide`: "Nghị định này quy định chi tiết các Điều 9, 10 … của Luật Cạnh tranh" / "Thông tư này hướng dẫn …":
  the guided document and its articles; named without a number → `needs_review`. When no sentence says it, the
  title (trích yếu) of a decree, circular or resolution: "Quy định chi tiết một số điều … Luật Bảo vệ dữ liệu cá nhân".
- `amending_items`: the items of an article that amends other documents ("Điều 1. Sửa đổi, bổ sung một số điều của
  Luật Cán bộ, công chức số 22/2008/QH12", "… của các luật có liên quan"): "1. Khoản 1 Điều 29 được sửa đổi, bổ sung
  như sau:" (amend + supplement), "Bổ sung Điều 29a vào sau Điều 29" (supplement of the new part), "Bãi bỏ khoản 3
  Điều 7" (repeal, when the item does not name the law itself), "Thay cụm từ …"/"Bỏ cụm từ … tại …" (replace/amend).
  The span is the item's heading sentence; the amended document is the one the item names, else its enclosing
  item's or article's. The new wording an item quotes is the amended document's text: no rule reads relations of
  the amending document from it (`amended_wording`, applied by `extract_relations`).

Dates: a repeal or replacement stated "từ ngày … này có hiệu lực", a guide and an amending item take the acting
document's own effective date (`own_effective`: the metadata, its "… này có hiệu lực thi hành từ ngày …" sentence,
or in a compiled text the date on the article's source line).

>>> line = ("(Điều 29 Luật số 58/2010/QH12, có hiệu lực thi hành kể từ ngày 01/01/2012, có nội dung được sửa đổi "
...         "bởi Điều 2 Luật số 52/2019/QH14 có hiệu lực thi hành kể từ ngày 01/07/2020)")
>>> [(r.kind.value, r.source_document, r.target.document, r.target.article, str(r.effective))
...  for r in source_line_relations(line, 0)]
[('amend', '52/2019/QH14', '58/2010/QH12', '29', '2020-07-01')]
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from core.text import match_key
from ingest.metadata import SO_HIEU, normalise_so_hieu, parse_vn_date
from ingest.model import Article, LegalDocument, _ChoiceEnum, iso_date, parse_iso_date


class RelationKind(_ChoiceEnum):
    """What the source document does to the target."""

    AMEND = "amend"  # sửa đổi
    SUPPLEMENT = "supplement"  # bổ sung
    REPEAL = "repeal"  # bãi bỏ, hết hiệu lực
    REPLACE = "replace"  # thay thế
    REFERENCE = "reference"  # dẫn chiếu "theo quy định tại …"
    GUIDE = "guide"  # hướng dẫn, quy định chi tiết


class FoundBy(_ChoiceEnum):
    """Who asserted the relation: a text rule, a validity export, or an administrator."""

    RULE = "rule"
    EXPORT = "export"
    ADMIN = "admin"


class RelationStatus(_ChoiceEnum):
    """`applied`: target and date resolved; `needs_review`: something is missing, a person must look;
    `rejected`: an administrator decided the text does not state it (never applied, still listed)."""

    APPLIED = "applied"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"


@dataclass(frozen=True)
class LegalRef:
    """What a relation points at: a document (number, else title) and optionally its article, clause, point."""

    document: str | None = None
    article: str | None = None
    clause: str | None = None
    point: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "article": self.article, "clause": self.clause, "point": self.point}


@dataclass(frozen=True)
class Relation:
    """One legal relation and where it was read (see the module docstring)."""

    kind: RelationKind
    source_document: str
    target: LegalRef
    text: str
    start: int
    end: int
    effective: dt.date | None = None
    source_article: str | None = None
    source_clause: str | None = None
    found_by: FoundBy = FoundBy.RULE
    status: RelationStatus = RelationStatus.APPLIED
    reason: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"relation span [{self.start}, {self.end}) is not a range")
        if self.end - self.start != len(self.text):
            raise ValueError("relation text must be exactly the span it was read from")
        if self.status is RelationStatus.APPLIED and (self.target.document is None or self.reason):
            raise ValueError("an applied relation needs a target document and no open reason")

    @property
    def source_key(self) -> str:
        return document_key(self.source_document)

    @property
    def target_key(self) -> str | None:
        return document_key(self.target.document) if self.target.document else None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "source": {
                "document": self.source_document,
                "article": self.source_article,
                "clause": self.source_clause,
                "text": self.text,
                "start": self.start,
                "end": self.end,
            },
            "target": self.target.to_json(),
            "effective": iso_date(self.effective),
            "found_by": self.found_by.value,
            "status": self.status.value,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Relation:
        src = d["source"]
        return cls(
            kind=RelationKind.from_str(d["kind"]),
            source_document=src["document"],
            source_article=src.get("article"),
            source_clause=src.get("clause"),
            text=src["text"],
            start=src["start"],
            end=src["end"],
            target=LegalRef(**d["target"]),
            effective=parse_iso_date(d.get("effective")),
            found_by=FoundBy.from_str(d.get("found_by") or "rule"),
            status=RelationStatus.from_str(d.get("status") or "applied"),
            reason=d.get("reason"),
        )


def document_key(document: str) -> str:
    """How a document is matched: its number upper-cased without spaces ("58/2010/QH12"), else its folded title."""
    if re.fullmatch(SO_HIEU, document.strip(), re.I):
        return normalise_so_hieu(document)
    return match_key(document)


def _doc_name(doc: LegalDocument) -> str:
    return doc.meta.so_hieu or doc.meta.title


# ---------------------------------------------------------------------------------------------- the registry
Extractor = Callable[[LegalDocument], Iterator[Relation]]
EXTRACTORS: dict[str, Extractor] = {}


def extractor(name: str) -> Callable[[Extractor], Extractor]:
    """Register a rule extractor under `name`; `extract_relations` runs them all, in registration order."""

    def register(fn: Extractor) -> Extractor:
        if name in EXTRACTORS:
            raise ValueError(f"relation extractor {name!r} is registered twice")
        EXTRACTORS[name] = fn
        return fn

    return register


def extract_relations(doc: LegalDocument) -> list[Relation]:
    """Every relation the registered extractors find in `doc`, in the order of the text within each extractor —
    save those read from the new wording an amending article quotes (`amended_wording`): that text is the amended
    document's, not `doc`'s."""
    quoted = amended_wording(doc)
    found = [rel for fn in EXTRACTORS.values() for rel in fn(doc)]
    if not quoted:
        return found
    quoted.sort()
    starts = [s for s, _ in quoted]
    return [r for r in found if not _inside_span(r.start, quoted, starts)]


def _inside_span(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


# ---------------------------------------------------------------------------------------------- (a) pháp điển
_ACTS = {"sửa đổi": RelationKind.AMEND, "bổ sung": RelationKind.SUPPLEMENT, "bãi bỏ": RelationKind.REPEAL,
         "thay thế": RelationKind.REPLACE}  # fmt: skip
# ", có nội dung được sửa đổi, có nội dung được bổ sung bởi " / ", bị bãi bỏ theo quy định tại "
_VERBS_RE = re.compile(
    r",\s*(?P<verbs>(?:(?:có nội dung\s+)?(?:được|bị)\s+(?:sửa đổi|bổ sung|bãi bỏ|thay thế)(?:,\s*(?:bổ sung|sửa đổi)"
    r"(?=[\s,]))?[\s,]*)+?)\s*(?:bởi|theo quy định tại)\s+(?P<by>.+?)\)\s*$",
    re.S,
)
_ACTOR_RE = re.compile(
    rf"Điều\s+(?P<article>\d+[a-zđ]?)\s+[^;]*?(?:số\s+)?(?P<so>{SO_HIEU})"
    r"(?:[^;]*?hiệu lực(?: thi hành)?(?: kể)? từ ngày\s+(?P<date>\d{1,2}/\d{1,2}/\d{4}))?"
)
_ORIGINAL_RE = re.compile(rf"^\(\s*Điều\s+(?P<article>\d+[a-zđ]?)\s+[^\d()]*?(?:số\s+)?(?P<so>{SO_HIEU})")


def source_line_relations(line: str, offset: int) -> list[Relation]:
    """The relations a pháp điển source line states about its original article; `offset` = where `line` starts.

    One actor with several acts ("được sửa đổi, được bổ sung bởi Điều 2 Luật số 52/2019/QH14") gives one relation
    per act. With several actors AND several acts the text does not say who did what: each pair is kept, for
    review.
    """
    orig = _ORIGINAL_RE.match(line)
    vm = _VERBS_RE.search(line)
    if not orig or not vm:
        return []
    kinds = [k for word, k in _ACTS.items() if word in vm.group("verbs")]
    target = LegalRef(document=orig.group("so"), article=orig.group("article"))
    actors = list(_ACTOR_RE.finditer(vm.group("by")))
    ambiguous = len(actors) > 1 and len(kinds) > 1
    out: list[Relation] = []
    for am in actors:
        date = parse_vn_date(am.group("date")) if am.group("date") else None
        reason = None
        if ambiguous:
            reason = "several amending documents and several acts: which did what is not stated"
        elif date is None:
            reason = "no effective date stated for the amending document"
        for kind in kinds:
            out.append(
                Relation(
                    kind=kind,
                    source_document=am.group("so"),
                    source_article=am.group("article"),
                    target=target,
                    text=line,
                    start=offset,
                    end=offset + len(line),
                    effective=date,
                    status=RelationStatus.NEEDS_REVIEW if reason else RelationStatus.APPLIED,
                    reason=reason,
                )
            )
    return out


_SOURCE_LINE_RE = re.compile(r"^\(Điều\s.*\)[ \t]*$", re.M)


@extractor("phapdien_source")
def phapdien_source(doc: LegalDocument) -> Iterator[Relation]:
    """Amend/supplement/repeal relations from the source lines of compiled (pháp điển) articles."""
    for art in doc.articles:
        if art.source is None:
            continue
        m = _SOURCE_LINE_RE.search(doc.text, art.start, max(art.heading_end, art.start) + 1)
        if m:
            yield from source_line_relations(m.group(0), m.start())


# ---------------------------------------------------------------------------------------------- (b) hiệu lực
_EFFECT_TITLE_RE = re.compile(r"(?i)^(?:hiệu\s+lực|điều\s+khoản\s+thi\s+hành)")
_ENDS_RE = re.compile(r"hết\s+hiệu\s+lực")
# "(kể) từ ngày (Bộ) Luật này có hiệu lực (thi hành)": the repeal takes effect with the law itself
_UPON_THIS_RE = re.compile(r"(?:kể\s+)?từ\s+ngày\s+.{0,40}?này\s+có\s+hiệu\s+lực")
_DOC_RE = re.compile(
    rf"(?P<name>(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+quyết|Nghị\s+định)\b(?:[^,;]|,\s*(?=[a-zđ]))*?)\s*(?:số\s+)?"
    rf"(?P<so>{SO_HIEU})"
)
_NAMED_DOC_RE = re.compile(r"(?P<name>(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+[^,;]*?(?:năm\s+\d{4}|ngày[^,;]*?\d{4}))")
# "đã được sửa đổi, bổ sung … theo Luật số 31/2009/QH12, Luật số 35/2018/QH14 và …": amending laws named in passing;
# "Luật sửa đổi, bổ sung Điều 170 của …": an article named as what a law amended, not as what is repealed
_AMENDED_BY_RE = re.compile(
    rf"đã\s+được\s+sửa\s+đổi,?\s*bổ\s+sung[^;]*?theo\s+(?:(?:Luật|Bộ luật|Pháp lệnh)\s+)?(?:số\s+)?{SO_HIEU}"
    rf"(?:\s*(?:,|và)\s*(?:Luật\s+)?(?:số\s+)?{SO_HIEU})*"
    r"|sửa\s+đổi,?\s*bổ\s+sung\s+(?:một\s+số\s+điều|Điều\s+\d+[a-zđ]?)"
)
_PART_RE = re.compile(
    r"(?P<points>(?:điểm|các\s+điểm)\s+[a-zđ](?:\s*(?:,|và)\s*(?:điểm\s+)?[a-zđ](?![\w]))*)"
    r"|(?P<clauses>(?:khoản|các\s+khoản)\s+\d+[a-zđ]?(?![\w])(?:\s*(?:,|và)\s*(?:khoản\s+)?\d+[a-zđ]?(?![\w]))*)"
    r"|(?P<articles>(?:Điều|các\s+[Đđ]iều)\s+\d+[a-zđ]?(?:\s*(?:,|và)\s*(?:Điều\s+)?\d+[a-zđ]?(?![\w]))*)",
)
_SENTENCE_RE = re.compile(r"[^\n.;]*(?:\.(?=\d)[^\n.;]*)*")


def parts_of(text: str) -> list[LegalRef]:
    """Article/clause/point references in reading order: "điểm b khoản 1 và điểm a khoản 2 Điều 86" → 2 refs.

    Points and clauses are held until the article that follows them names where they sit.

    >>> [(r.article, r.clause, r.point) for r in parts_of("khoản 4 Điều 84, điểm b khoản 1 Điều 86, các điều 104, 105")]
    [('84', '4', None), ('86', '1', 'b'), ('104', None, None), ('105', None, None)]
    """
    return [ref for ref, _ in _parts_at(text)]


def _parts_at(text: str) -> list[tuple[LegalRef, int]]:
    """`parts_of` with where each reference's article number stands in `text`."""
    out: list[tuple[LegalRef, int]] = []
    points: list[str] = []
    clauses: list[tuple[str, list[str | None]]] = []
    for m in _PART_RE.finditer(text):
        if m.group("points"):
            points = re.findall(r"(?<![\w])[a-zđ](?![\w])", m.group("points").split(None, 1)[1])
        elif m.group("clauses"):
            # "điểm c khoản 4 và khoản 5": c is in 4; "các khoản 1a, 1b": clauses added by an amendment
            for i, n in enumerate(re.findall(r"\d+[a-zđ]?", m.group("clauses"))):
                clauses.append((n, [*points] or [None] if i == 0 else [None]))
            points = []
        else:
            for n in re.findall(r"\d+[a-zđ]?", m.group("articles")):
                refs = [LegalRef(article=n, clause=c, point=p) for c, ps in clauses for p in ps]
                refs = refs or [LegalRef(article=n, point=p) for p in points] or [LegalRef(article=n)]
                out.extend((r, m.start()) for r in refs)
                clauses, points = [], []
    return out


def _article_text(doc: LegalDocument, art: Article) -> tuple[str, int]:
    return doc.text[art.heading_end : art.end], art.heading_end


def _matching_text(doc: LegalDocument, art: Article) -> tuple[str, int]:
    """The article's body for the act rules to match, with the look-alike capital eth "Ð" some texts use read as
    "Đ" (same length: offsets into the stored text hold), and where it starts."""
    body, base = _article_text(doc, art)
    return body.replace("Ð", "Đ"), base


@extractor("effect_article")
def effect_article(doc: LegalDocument) -> Iterator[Relation]:
    """Repeals stated by the "Hiệu lực thi hành" article: "Luật … số 68/2014/QH13 hết hiệu lực kể từ ngày …"."""
    if doc.fmt == "phapdien":
        return
    for art in doc.articles:
        if not _EFFECT_TITLE_RE.match(art.title or ""):
            continue
        body, base = _matching_text(doc, art)
        for sm in _SENTENCE_RE.finditer(body):
            sentence = sm.group(0)
            end = _ENDS_RE.search(sentence)
            if not end:
                continue
            # "Các pháp lệnh sau đây hết hiệu lực …:" then "a) Pháp lệnh … số …;" lines: the list names the documents
            lead = sentence.rstrip().endswith(":") and not _DOC_RE.search(sentence[: end.start()])
            listed = _POINT_LIST_RE.match(body, sm.end()) if lead else None
            if listed:  # the whole clause, its number included: "2. Các pháp lệnh sau đây …:\na) …;\nb) …."
                num = _CLAUSE_NUMBER_RE.search(body, 0, sm.start())
                start = num.start() if num else sm.start()
                block = body[start : listed.end()].rstrip()
                extra = block[sm.end() - start :]
                cut = sm.start() - start + end.start()
                yield from _repeals(doc, art, block[: len(block) - len(extra)] + extra, base + start, cut, extra=extra)
            else:
                yield from _repeals(doc, art, sentence, base + sm.start(), end.start())


_CLAUSE_NUMBER_RE = re.compile(r"(?:^|(?<=\n))[ \t]*\d+\.[ \t]*$")
_POINT_LIST_RE = re.compile(r"[ \t]*\n(?:[ \t]*[a-zđ]\)[^\n]*(?:\n|$))+")
_OWN_EFFECT_RE = re.compile(
    r"này\s+có\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+(?P<date>ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|ngày\s+\d{1,2}/\d{1,2}/\d{4})"
)


def own_effective(doc: LegalDocument, art: Article | None = None) -> dt.date | None:
    """When `doc` (or, in a compiled text, the original document of `art`) takes effect, if known.

    The metadata date, else the "… này có hiệu lực thi hành từ ngày …" sentence of its effect article.
    """
    if art is not None and art.source is not None:
        return art.source.ngay_hieu_luc
    if doc.meta.ngay_hieu_luc is not None:
        return doc.meta.ngay_hieu_luc
    for a in doc.articles:
        if _EFFECT_TITLE_RE.match(a.title or ""):
            m = _OWN_EFFECT_RE.search(doc.text, a.heading_end, a.end)
            if m:
                return parse_vn_date(m.group("date"))
    return None


def _repeals(
    doc: LegalDocument, art: Article, sentence: str, offset: int, cut: int, extra: str = ""
) -> Iterator[Relation]:
    head, tail = sentence[:cut] + extra, sentence[cut : len(sentence) - len(extra)]
    reasons: list[str] = []
    if _UPON_THIS_RE.search(tail):
        date = own_effective(doc)
        if date is None:
            reasons.append("the law's own effective date is not known")
    else:
        date = parse_vn_date(tail)
        if date is None:
            reasons.append("no date stated")
    if re.search(r"\btrừ\b", tail):
        reasons.append("the repeal has exceptions (“trừ …”)")
    common = _common(doc, art, sentence, offset, date)
    for target, why in _repealed_targets(head):
        yield _made(common, target, reasons + why)


def _common(doc: LegalDocument, art: Article, sentence: str, offset: int, date: dt.date | None) -> dict[str, Any]:
    """The fields of a relation read from `sentence` (at `offset`) of `art`, stripped of surrounding blanks."""
    sentence = doc.text[offset : offset + len(sentence)]  # as stored: the scan may have normalised look-alikes
    return {
        "source_document": art.source.document if art.source else _doc_name(doc),
        "source_article": art.source.article if art.source else art.number,
        "source_clause": _clause_of(doc, art, offset),
        "text": sentence.strip(),
        "start": offset + (len(sentence) - len(sentence.lstrip())),
        "end": offset + len(sentence.rstrip()),
        "effective": date,
    }


# "Mục 5 Chương XIV" right after an article list says where those articles stand, not that the Mục goes too
_WHOLE_PART_RE = re.compile(r"\b(?:Mục|Chương|Phần)\s+[\dIVXLC]+")
_LOCATES_RE = re.compile(r"(?:\d+[a-zđ]?|Mục\s+\d+)\s*$")


def _repealed_targets(head: str) -> Iterator[tuple[LegalRef, list[str]]]:
    """The documents (or their parts) `head` names as ended, each with the reasons it must be reviewed."""
    scan = _AMENDED_BY_RE.sub(lambda m: " " * len(m.group(0)), head)  # amending laws are named, not repealed
    docs = list(_DOC_RE.finditer(scan))
    named = [n for n in _NAMED_DOC_RE.finditer(scan) if not any(d.start() < n.end() < d.end() + 1 for d in docs)]
    if docs and _PART_RE.search(scan[: docs[-1].start()]):  # partial: "khoản 4 Điều 84 … của Luật … số …"
        reasons = []
        if any(not _LOCATES_RE.search(scan, 0, m.start()) for m in _WHOLE_PART_RE.finditer(scan)):
            reasons = ["a whole Mục/Chương is named too; it is not resolved to articles"]
        for ref, pos in _parts_at(scan):
            owner = _owner(scan, docs, pos)
            target = LegalRef(owner.group("so") if owner else None, ref.article, ref.clause, ref.point)
            yield target, reasons + ([] if owner else ["the document of the part is not named"])
        return
    for d in docs:
        yield LegalRef(document=d.group("so")), []
    for n in named:  # "Luật báo chí ngày 28 tháng 12 năm 1989": no number to resolve it by
        name = re.sub(r"\s+", " ", n.group("name")).strip()
        yield LegalRef(document=name), ["document named without a number"]


def _owner(scan: str, docs: list[re.Match[str]], pos: int) -> re.Match[str] | None:
    """The numbered document a part at `pos` belongs to: the next one named, in the same ";"-separated item."""
    return next((d for d in docs if d.start() > pos and ";" not in scan[pos : d.start()]), None)


def _made(
    common: dict[str, Any], target: LegalRef, reasons: list[str], kind: RelationKind = RelationKind.REPEAL
) -> Relation:
    status = RelationStatus.NEEDS_REVIEW if reasons else RelationStatus.APPLIED
    return Relation(kind=kind, target=target, status=status, reason="; ".join(reasons) or None, **common)


def _clause_of(doc: LegalDocument, art: Article, pos: int) -> str | None:
    return next((c.number for c in art.clauses if c.start <= pos < c.end), None)


# ---------------------------------------------------------------------------------------------- (c) references
_SELF_REF_RE = re.compile(
    r"(?P<ref>(?:(?:điểm\s+[a-zđ]\s+)?(?:khoản\s+\d+\s+)?Điều\s+\d+[a-zđ]?)"
    r"(?:\s*(?:,|và)\s*(?:(?:điểm\s+[a-zđ]\s+)?(?:khoản\s+\d+\s+)?Điều\s+\d+[a-zđ]?))*)"
    r"\s+(?:của\s+)?(?:Bộ\s+luật|Luật|Nghị\s+định|Thông\s+tư|Pháp\s+lệnh|Nghị\s+quyết)\s+này$"
)
# `_SELF_REF_RE` is only tried in a window ending at each "… này" (5x faster than scanning every body position)
_THIS_DOC_RE = re.compile(r"(?:Bộ\s+luật|Luật|Nghị\s+định|Thông\s+tư|Pháp\s+lệnh|Nghị\s+quyết)\s+này")
_SELF_REF_WINDOW = 300
_BY_NAME_RE = re.compile(
    r"theo\s+quy\s+định\s+(?:tại\s+(?P<ref>[^,;()]{0,80}?)\s+)?của\s+(?P<name>(?:Bộ\s+[Ll]uật|Luật)\s+"
    # the name's first word, in any case ("Bộ luật lao động", "Luật Ưu đãi người có công"), not "Luật này/hiện hành"
    r"(?!(?:này|hiện|khác|chuyên|có|liên|đó)\b)[^\W\d_][^\s,;.()]*(?:\s+(?!(?:số|và|hoặc|này|năm|thì|để|về|của|đối|trong|khi|mà|có|được|không|"
    r"theo|tại|quy|với|cho|từ|ngày)\b)[^\s,;.()]+){0,8})"
    rf"(?:\s+(?:số\s+)?(?P<so>{SO_HIEU}))?(?=[\s,;.()]|$)"
)

# A field of law instead of a law's name: "theo quy định của pháp luật về lao động và pháp luật về bảo hiểm xã hội"
# (Luật Viên chức, Luật Cán bộ, công chức: leave, pensions, contracts). The field is up to eight words, cut before
# a word that starts another phrase; which law states it is resolved when the versions are derived
# (`ingest.versions`: the principal law of that field, "Bộ luật Lao động", when one is stored).
_FIELD_NAME = (
    r"pháp\s+luật\s+về\s+[^\W\d_][^\s,;.()]*(?:,?\s+(?!(?:và|hoặc|này|năm|thì|để|của|đối|trong|khi|mà|có|được|không|"
    r"theo|tại|quy|với|cho|từ|ngày|hiện|liên|khác|trừ|nếu|trường\s+hợp|kể|bao|đã|phải|sau|như|pháp)\b)[^\s,;.()]+){0,7}"
)
_BY_FIELD_RE = re.compile(rf"theo\s+quy\s+định\s+của\s+(?P<fields>{_FIELD_NAME}(?:\s*(?:,|và|hoặc)\s+{_FIELD_NAME})*)")
_FIELD_RE = re.compile(_FIELD_NAME)


@extractor("in_text_reference")
def in_text_reference(doc: LegalDocument) -> Iterator[Relation]:
    """References in article bodies, to this document's articles or to another law by name."""
    for art in doc.articles:
        body, base = _article_text(doc, art)
        # in a compiled article "Luật này" is the original document the article comes from
        here = art.source.document if art.source else _doc_name(doc)
        source = art.source.document if art.source else _doc_name(doc)
        source_article = art.source.article if art.source else art.number
        last = 0
        for this in _THIS_DOC_RE.finditer(body):
            m = _SELF_REF_RE.search(body, max(last, this.start() - _SELF_REF_WINDOW), this.end())
            if m is None:
                continue
            last = m.end()
            for ref in parts_of(m.group("ref")):
                yield Relation(
                    kind=RelationKind.REFERENCE,
                    source_document=source,
                    source_article=source_article,
                    source_clause=_clause_of(doc, art, base + m.start()),
                    target=LegalRef(here, ref.article, ref.clause, ref.point),
                    text=m.group(0),
                    start=base + m.start(),
                    end=base + m.end(),
                )
        for m in _BY_NAME_RE.finditer(body):
            refs = parts_of(m.group("ref") or "") or [LegalRef()]
            name = re.sub(r"\s+", " ", m.group("name"))
            for ref in refs:
                so = m.group("so")
                yield Relation(
                    kind=RelationKind.REFERENCE,
                    source_document=source,
                    source_article=source_article,
                    source_clause=_clause_of(doc, art, base + m.start()),
                    target=LegalRef(so or name, ref.article, ref.clause, ref.point),
                    text=m.group(0),
                    start=base + m.start(),
                    end=base + m.end(),
                    status=RelationStatus.APPLIED if so else RelationStatus.NEEDS_REVIEW,
                    reason=None if so else "law named without a number: which one (and which version) is not resolved",
                )
        for m in _BY_FIELD_RE.finditer(body):
            for f in _FIELD_RE.finditer(m.group("fields")):
                yield Relation(
                    kind=RelationKind.REFERENCE,
                    source_document=source,
                    source_article=source_article,
                    source_clause=_clause_of(doc, art, base + m.start()),
                    target=LegalRef(re.sub(r"\s+", " ", f.group(0))),
                    text=m.group(0),
                    start=base + m.start(),
                    end=base + m.end(),
                    status=RelationStatus.NEEDS_REVIEW,
                    reason="a field of law, not a law: resolved to the field's principal law when one is stored",
                )


# ---------------------------------------------------------------------------------------------- (d) bãi bỏ
# "4. Bãi bỏ điểm b khoản 1 Điều 45 của Luật Lý lịch tư pháp số 28/2009/QH12." (a clause of an amending law)
_REPEAL_CLAUSE_RE = re.compile(r"^[ \t]*(?:\d+\.|[a-zđ]\))?[ \t]*Bãi\s+bỏ\s+(?P<what>[^\n]+)", re.M)


@extractor("repeal_clause")
def repeal_clause(doc: LegalDocument) -> Iterator[Relation]:
    """Repeals stated by a "Bãi bỏ …" clause or point, from the day the repealing document takes effect."""
    if doc.fmt == "phapdien":
        return  # compiled texts state their repeals in the source lines
    date = own_effective(doc)
    for art in doc.articles:
        body, base = _matching_text(doc, art)
        for m in _REPEAL_CLAUSE_RE.finditer(body):
            if _ENDS_RE.search(m.group(0)):
                continue  # "… hết hiệu lực": the effect-article rule reads it
            reasons = [] if date else ["the repealing document's effective date is not known"]
            common = _common(doc, art, m.group(0), base + m.start(), date)
            for target, why in _repealed_targets(_QUOTED_RE.sub(_blank, m.group("what"))):
                yield _made(common, target, reasons + why)


_QUOTED_RE = re.compile(r"[“\"][^”\"\n]*[”\"]")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


# ---------------------------------------------------------------------------------------------- (e) thay thế
_THIS_KIND = r"(?:Bộ\s+luật|Luật|Nghị\s+định|Thông\s+tư(?:\s+liên\s+tịch)?|Pháp\s+lệnh|Nghị\s+quyết|Quyết\s+định)"
_DOC_KIND = r"(?:Bộ\s+luật|Luật|Nghị\s+định|Thông\s+tư(?:\s+liên\s+tịch)?|Pháp\s+lệnh|Nghị\s+quyết|Quyết\s+định)"
# "Luật này có hiệu lực thi hành từ ngày … và thay thế Luật … số …": active voice only ("Thông tư này được thay thế
# hoặc sửa đổi …" says what happens to the document itself, not what it replaces)
_REPLACES_RE = re.compile(
    rf"{_THIS_KIND}\s+này(?P<mid>(?:(?!\b(?:được|bị|hoặc|thì|nếu|khi)\b)[^.;\n])*?)\bthay\s+thế\s+"
    rf"(?P<what>(?:các\s+)?{_DOC_KIND}\b[^;\n]*)"
)
_REPLACED_DOC_RE = re.compile(rf"(?P<name>{_DOC_KIND}\b[^,;]*?)\s*(?:số\s+)?(?P<so>{SO_HIEU})")
_REPLACED_NAMED_RE = re.compile(
    r"(?P<name>(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+(?:sửa\s+đổi,\s*bổ\s+sung\s+)?[^,;]*?ngày\s+\d{1,2}\s+tháng\s+\d{1,2}"
    r"\s+năm\s+\d{4})"
)
# "Thay thế cụm từ “…” bằng cụm từ “…” tại khoản 2 Điều 20 của Luật Nhà ở số 65/2014/QH13"
_REPLACE_WORDS_RE = re.compile(r"\b[Tt]hay\s+thế\s+(?:cụm\s+)?từ\s+[^\n]+")


# what may stand between two documents listed together: a date, "và", a comma ("… của Chính phủ quy định về …"
# before the next one describes the first document instead)
_JOIN_GAP_RE = re.compile(
    r"[\s,]*(?:ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?[\s,]*(?:và|,)?\s*(?:các\s+)?"
)


def _inside(x: re.Match[str], docs: list[re.Match[str]]) -> bool:
    return any(d.start() <= x.start() < d.end() for d in docs)


def _joined(text: str, mentions: list[re.Match[str]], gap: re.Pattern[str] = _JOIN_GAP_RE) -> list[re.Match[str]]:
    """The first document mentioned and those listed with it; the rest of `text` describes them."""
    kept: list[re.Match[str]] = []
    for x in mentions:
        if kept and not gap.fullmatch(text, kept[-1].end(), x.start()):
            break
        kept.append(x)
    return kept


@extractor("replace")
def replace(doc: LegalDocument) -> Iterator[Relation]:
    """Replacements: a document replacing an earlier one whole, and words replaced in named articles of a law."""
    for art in doc.articles:
        body, base = _matching_text(doc, art)
        for sm in _SENTENCE_RE.finditer(body):
            m = _REPLACES_RE.search(sm.group(0))
            if m is None:
                continue
            sentence, offset = sm.group(0), base + sm.start()
            pre = sentence[: m.start("what")]
            date = parse_vn_date(pre) if "hiệu lực" in pre else own_effective(doc, art)
            reasons = [] if date else ["no effective date known for the replacing document"]
            common = _common(doc, art, sentence, offset, date)
            what = _AMENDED_BY_RE.sub(_blank, m.group("what"))  # amending laws named in passing are not replaced
            docs = list(_REPLACED_DOC_RE.finditer(what))
            named = [n for n in _REPLACED_NAMED_RE.finditer(m.group("what")) if not _inside(n, docs)]
            for x in _joined(what, sorted([*docs, *named], key=lambda x: x.start())):
                if "so" in x.re.groupindex:
                    yield _made(common, LegalRef(document=x.group("so")), reasons, RelationKind.REPLACE)
                else:
                    name = re.sub(r"\s+", " ", x.group("name")).strip()
                    why = [*reasons, "document named without a number"]
                    yield _made(common, LegalRef(document=name), why, RelationKind.REPLACE)
        if doc.fmt == "phapdien":
            continue  # compiled texts state replaced words in the source lines
        for m in _REPLACE_WORDS_RE.finditer(body):
            date = own_effective(doc, art)
            reasons = [] if date else ["no effective date known for the replacing document"]
            common = _common(doc, art, m.group(0), base + m.start(), date)
            scan = _AMENDED_BY_RE.sub(_blank, _QUOTED_RE.sub(_blank, m.group(0)))
            docs = list(_DOC_RE.finditer(scan))
            for ref, pos in _parts_at(scan):
                owner = _owner(scan, docs, pos)
                if owner is not None:
                    target = LegalRef(owner.group("so"), ref.article, ref.clause, ref.point)
                    yield _made(common, target, reasons, RelationKind.REPLACE)


# ---------------------------------------------------------------------------------------------- (f) hướng dẫn
# "Nghị định này quy định chi tiết các Điều 9, 10 … của Luật Cạnh tranh." / "Thông tư này hướng dẫn thi hành …"
_GUIDES_RE = re.compile(
    r"(?:Nghị\s+định|Thông\s+tư(?:\s+liên\s+tịch)?|Quyết\s+định|Nghị\s+quyết)\s+này\s+"
    r"(?:quy\s+định\s+chi\s+tiết|hướng\s+dẫn)(?P<what>[^;\n]*)"
)
_GUIDED_NAME_RE = re.compile(
    r"(?P<name>(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+(?!này|sửa\s+đổi)[^\s,;.()“”]+(?:\s+(?!(?:số|và|hoặc|này|năm|thì|để|về|"
    r"của|đối|trong|khi|mà|có|được|không|theo|tại|quy|với|cho|từ|ngày|như|sau|trên|đã|nhằm|bao|gồm|liên)\b)[^\s,;.()“”]+){0,8})"
)
_GUIDED_GAP_RE = re.compile(r"[\s,]*(?:và|,)?[\s,]*(?:(?:các\s+)?(?:điểm|khoản|[Đđ]iều)\b[^;]*?)?(?:của\s+)?")


@extractor("guide")
def guide(doc: LegalDocument) -> Iterator[Relation]:
    """Guidance: a decree or circular that details or guides a named law/decree (its scope article, usually), else
    what its title (trích yếu) says it details: "Nghị định quy định chi tiết một số điều của Luật …"."""
    found = False
    for art in doc.articles:
        body, base = _matching_text(doc, art)
        for sm in _SENTENCE_RE.finditer(body):
            m = _GUIDES_RE.search(sm.group(0))
            if m is None:
                continue
            date = own_effective(doc, art)
            common = _common(doc, art, sm.group(0), base + sm.start(), date)
            for target, why in _guided_targets(m.group("what")):
                reasons = why + ([] if date else ["no effective date known for the guiding document"])
                found = True
                yield _made(common, target, reasons, RelationKind.GUIDE)
    if not found:
        yield from _title_guides(doc)


_GUIDING_TYPES = ("Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết", "Quyết định")
# the trích yếu under the type line: "NGHỊ ĐỊNH\nQuy định chi tiết một số điều và biện pháp thi hành\nLuật Bảo vệ …"
_TITLE_GUIDE_RE = re.compile(
    r"^[ \t]*(?:NGHỊ\s+ĐỊNH|THÔNG\s+TƯ(?:\s+LIÊN\s+TỊCH)?|NGHỊ\s+QUYẾT|QUYẾT\s+ĐỊNH)[ \t]*\n"
    r"(?P<title>[ \t]*(?i:quy\s+định\s+chi\s+tiết|quy\s+định\s+thi\s+hành|hướng\s+dẫn)\b[^\n]*"
    r"(?:\n(?![ \t]*(?:Căn\s+cứ|Theo\s+đề\s+nghị|[-_*=]))[^\n]+){0,2})",
    re.M,
)
_DOC_WORD_RE = re.compile(r"(?<!pháp )\b(?:bộ\s+luật|luật|pháp\s+lệnh|nghị\s+định|nghị\s+quyết|thông\s+tư)\b")


def _title_guides(doc: LegalDocument) -> Iterator[Relation]:
    """Guidance stated only by the title of a decree, circular or resolution."""
    if doc.fmt == "phapdien" or doc.meta.loai not in _GUIDING_TYPES:
        return
    head_end = doc.articles[0].start if doc.articles else min(len(doc.text), 3000)
    m = _TITLE_GUIDE_RE.search(doc.text, 0, head_end)
    if m is None:
        return
    title = m.group("title")
    if title.isupper():  # "QUY ĐỊNH CHI TIẾT … LUẬT VIÊN CHỨC": read as "… Luật viên chức" (same length)
        low = title.lower()
        for so in re.finditer(SO_HIEU, title):  # numbers stay as written: "58/2010/QH12"
            low = low[: so.start()] + so.group(0) + low[so.end() :]
        title = _DOC_WORD_RE.sub(lambda w: w.group(0).capitalize(), low)
    verb = re.match(r"\s*(?i:quy\s+định\s+chi\s+tiết|quy\s+định\s+thi\s+hành|hướng\s+dẫn)", title)
    assert verb is not None
    date = own_effective(doc)
    common = {
        "source_document": _doc_name(doc),
        "source_article": None,
        "source_clause": None,
        "text": m.group("title").strip(),
        "start": m.start("title") + len(title) - len(title.lstrip()),
        "end": m.start("title") + len(title.rstrip()),
        "effective": date,
    }
    for target, why in _guided_targets(title[verb.end() :]):
        reasons = why + ([] if date else ["no effective date known for the guiding document"])
        yield _made(common, target, reasons, RelationKind.GUIDE)


def _guided_targets(what: str) -> Iterator[tuple[LegalRef, list[str]]]:
    """The guided documents (and their parts) of "… quy định chi tiết <what>": the first document named, and
    those joined to it by "và"/"," — later ones ("… của Chính phủ quy định chi tiết Luật …") describe it."""
    numbered = list(_DOC_RE.finditer(what))
    named = [n for n in _GUIDED_NAME_RE.finditer(what) if not any(d.start() <= n.start() < d.end() for d in numbered)]
    kept = _joined(what, sorted([*numbered, *named], key=lambda x: x.start()), _GUIDED_GAP_RE)
    if not kept:
        return
    parts = _parts_at(what[: kept[-1].start()])
    for x in kept:
        so = x.group("so") if "so" in x.re.groupindex else None
        doc = so or re.sub(r"\s+", " ", x.group("name")).strip()
        why = [] if so else ["guided document named without a number"]
        own = [r for r, pos in parts if pos < x.start() and all(not (pos < k.start() < x.start()) for k in kept)]
        for ref in own or [LegalRef()]:
            yield LegalRef(doc, ref.article, ref.clause, ref.point), why


# ---------------------------------------------------------------------------------------------- (g) sửa đổi, bổ sung
# An article that amends other documents, as its heading says: "Sửa đổi, bổ sung một số điều của Luật Cán bộ, công
# chức số 22/2008/QH12", "… của các luật có liên quan đến lao động", "Sửa đổi, bổ sung khoản 1 Điều 73 của Luật Tài
# nguyên nước số 17/2012/QH13" — not "Sửa đổi, bổ sung hợp đồng lao động" nor "… văn bản quy phạm pháp luật"
_AMENDING_TITLE_RE = re.compile(
    r"(?i:sửa\s+đổi|bổ\s+sung|bãi\s+bỏ)\b[^.]*?(?:\b(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Thông\s+tư|Nghị\s+quyết"
    r"|Quyết\s+định)\b|\b(?:các|số)\s+(?:bộ\s+)?luật\b)"
)
_VERB = r"(?:[Ss]ửa\s+đổi|[Bb]ổ\s+sung|[Bb]ãi\s+bỏ)"
_VERBS = rf"{_VERB}(?:\s*(?:,|và)?\s*{_VERB})*(?![\w])"
_ACTIVE_HEAD_RE = re.compile(rf"(?P<verbs>{_VERBS})")
# "Khoản 1 Điều 29 được sửa đổi, bổ sung như sau:" — the parts come first
_PASSIVE_HEAD_RE = re.compile(
    rf"(?:[Cc]ác\s+)?(?:[Đđ]iểm|[Kk]hoản|Điều|[Tt]ên)\b[^:;“”\"]*?\s+được\s+(?P<verbs>{_VERBS})"
)
# words changed in a part: "Thay cụm từ “…” bằng cụm từ “…” tại …", "Bỏ cụm từ “…” tại …", "Sửa cụm từ …"
_WORDS_HEAD_RE = re.compile(
    r"(?P<verb>[Tt]hay(?:\s+thế)?|[Bb]ỏ|[Ss]ửa(?:\s+đổi)?)\s+(?:các\s+|một\s+số\s+)?(?:cụm\s+)?từ(?![\w])"
)
_ITEM_MARK_RE = re.compile(r"[ \t]*(?:(?P<num>\d+[a-zđ]?)\.|(?P<letter>[a-zđ])\))?[ \t]*")
_MARK_ONLY_RE = re.compile(r"(?:\d+[a-zđ]?\.|[a-zđ]\))(?:\s|$)")
_AMENDED_DOC_RE = re.compile(
    r"(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+quyết|Nghị\s+định|Thông\s+tư(?:\s+liên\s+tịch)?|Quyết\s+định)\b"
    rf"(?:[^,;:]|,\s*(?=[a-zđ]))*?\s*(?:số\s+)?(?P<so>{SO_HIEU})"
)
_AMENDED_NAME_RE = re.compile(
    r"\b(?:của|tại|trong)\s+(?P<name>(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư)\b(?!\s+này).*)$",
    re.S,
)
_HEAD_END_RE = re.compile(r"\s+như\s+sau\s*:?|:")
# "… số 58/2014/QH13 đã được sửa đổi, bổ sung theo Luật số 84/2015/QH13": the laws after it amended the target earlier
_EARLIER_RE = re.compile(r",?\s+đã\s+được\s+sửa\s+đổi.*$", re.S)
_SOME_RE = re.compile(r"một\s+số\s+(?:điều|Điều|khoản|điểm|nội\s+dung)(?:\s+(?:của|tại|trong)\s+(?P<of>.*))?", re.S)
_INTO_RE = re.compile(r"\s+vào\s+(?:(?:sau|trước|cuối|đầu)\s+)?")
_CAPITAL_PART_RE = re.compile(r"\b(?:Điểm|Khoản|Các)\b")
_ANNEX_RE = re.compile(r"\bPhụ\s+lục\b")
_KIND_OF = {"sửa": RelationKind.AMEND, "bổ": RelationKind.SUPPLEMENT, "bãi": RelationKind.REPEAL}
_MAX_HEAD_LINES = 3  # "1.\nĐiểm c … được sửa đổi, bổ sung như sau:", "6. Bổ sung khoản 5 … số 40/2009/QH12\nnhư sau:"


@dataclass(frozen=True)
class _Head:
    """One item heading of an amending article ("a) Sửa đổi, bổ sung khoản 2 Điều 21 như sau:"), offsets into the
    article body, and whether it only groups the items under it."""

    level: int  # 0: no number, 1: "1.", 2: "a)"
    num: str | None
    start: int
    end: int
    text: str
    group: bool = False


@dataclass(frozen=True)
class _Scope:
    """What an item acts on when it does not say: the document (numbered, or only named) and the article, clause."""

    document: str | None = None
    numbered: bool = False
    article: str | None = None
    clause: str | None = None


def _lowered_parts(text: str) -> str:
    """ "Khoản 1 Điều 29" → "khoản 1 Điều 29", as `_PART_RE` reads it (same length)."""
    return _CAPITAL_PART_RE.sub(lambda m: m.group(0).lower(), text)


def _starts_head(text: str) -> bool:
    return bool(_ACTIVE_HEAD_RE.match(text) or _WORDS_HEAD_RE.match(text) or _PASSIVE_HEAD_RE.match(text))


def _head_at(body: str, lines: list[tuple[int, int]], i: int) -> tuple[_Head, int] | None:
    """The item heading that starts on line `i` and the index of its last line; None when the line starts none."""
    s, e = lines[i]
    mark = _ITEM_MARK_RE.match(body, s, e)
    assert mark is not None  # every part of it is optional
    j = i
    rest = body[mark.end() : e]
    while j + 1 < len(lines) and j - i < _MAX_HEAD_LINES - 1:
        done = rest.strip() and (_HEAD_END_RE.search(rest) or rest.rstrip()[-1] in '.;,”"')
        nxt = body[lines[j + 1][0] : lines[j + 1][1]].strip()
        if done or not nxt or nxt[0] in '“"' or _MARK_ONLY_RE.match(nxt):
            break
        if rest.strip() and not (_ACTIVE_HEAD_RE.match(rest.strip()) or _WORDS_HEAD_RE.match(rest.strip())):
            break
        j += 1
        rest = body[mark.end() : lines[j][1]]
    if not _starts_head(rest.lstrip()):
        return None
    stop = _HEAD_END_RE.search(body, mark.end(), mark.end() + len(rest))
    end = stop.end() if stop else mark.end() + len(rest)
    raw = body[s:end]
    start = s + len(raw) - len(raw.lstrip())
    text = body[start:end].rstrip()
    level = 1 if mark.group("num") else 2 if mark.group("letter") else 0
    return _Head(level, mark.group("num"), start, start + len(text), text), j


def _wording_end(body: str, lines: list[tuple[int, int]], i: int, is_head: Callable[[int], bool]) -> int:
    """The last line of the new wording that starts on line `i`: the line that closes its opening quote, else (no
    quote, or never closed) the line before the next item heading."""
    first = body[lines[i][0] : lines[i][1]].lstrip()
    if first.startswith("“"):
        depth = 0
        for j in range(i, len(lines)):
            line = body[lines[j][0] : lines[j][1]]
            depth += line.count("“") - line.count("”")
            if depth <= 0:
                return j
    j = i
    while j + 1 < len(lines) and not is_head(j + 1):
        j += 1
    return j


def _amending_items(body: str) -> tuple[list[_Head], list[tuple[int, int]]]:
    """The item headings of an amending article's body and the spans (into `body`) of the new wording they quote."""
    lines, pos = [], 0
    for line in body.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    heads: dict[int, tuple[_Head, int] | None] = {}

    def is_head(k: int) -> bool:
        if k not in heads:
            heads[k] = _head_at(body, lines, k)
        return heads[k] is not None

    items: list[_Head] = []
    wording: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        found = heads[i] if is_head(i) else None
        if found is None:
            i += 1
            continue
        head, last = found
        nxt = last + 1
        while nxt < len(lines) and not body[lines[nxt][0] : lines[nxt][1]].strip():
            nxt += 1
        if nxt >= len(lines):
            items.append(head)
            break
        under = heads[nxt] if is_head(nxt) else None  # an item under this one, not the next one beside it
        group = under is not None and head.text.endswith(":") and under[0].level > head.level
        items.append(_Head(head.level, head.num, head.start, head.end, head.text, group))
        opens = head.text.endswith(":") or body[lines[nxt][0] : lines[nxt][1]].lstrip()[:1] in ("“", '"')
        if opens and not group and under is None:
            end = _wording_end(body, lines, nxt, is_head)
            wording.append((lines[nxt][0], lines[end][1]))
            i = end + 1
        else:
            i = nxt
    return items, wording


def _is_amending(art: Article) -> bool:
    return bool(_AMENDING_TITLE_RE.match(art.title or ""))


def amended_wording(doc: LegalDocument) -> list[tuple[int, int]]:
    """The spans of `doc.text` that quote the new wording an amending article gives another document ("“1. Viên
    chức …”"): what they say belongs to the amended document, so no relation of `doc` is read from them."""
    if doc.fmt == "phapdien":
        return []
    out: list[tuple[int, int]] = []
    for art in doc.articles:
        if _is_amending(art):
            body, base = _matching_text(doc, art)
            items, wording = _amending_items(body)
            out.extend((base + s, base + e) for s, e in wording)
            for head in items:  # "Bỏ cụm từ “… tại khoản 2 Điều 34 của Luật này” tại …": the amended law's words
                out.extend((base + head.start + q.start(), base + head.start + q.end())
                           for q in _QUOTED_RE.finditer(head.text))  # fmt: skip
            if not items and _acts(art.title, _Scope())[0]:  # "Điều 2. Sửa đổi Điều 126 của Luật …" + new text
                out.append((art.heading_end, art.end))
    return out


def _scope_of(text: str, outer: _Scope) -> tuple[_Scope, str]:
    """The document a heading names (else `outer`'s, with its article and clause), and the text before that name,
    where the acts and parts are."""
    core = _EARLIER_RE.sub("", text)
    m = _AMENDED_DOC_RE.search(core)
    if m:
        return _Scope(m.group("so"), True), re.sub(r"\s*(?:của|tại|trong)\s*$", "", core[: m.start()])
    n = _AMENDED_NAME_RE.search(core)
    if n:
        return _Scope(re.sub(r"\s+", " ", n.group("name")).strip(" :;.,"), False), core[: n.start()]
    return outer, core


def _within_scope(text: str, scope: _Scope) -> list[LegalRef]:
    """The parts `text` names, placed in `scope`'s article (and clause) when it names only clauses or points."""
    text = _lowered_parts(text)
    found = list(_PART_RE.finditer(text))
    if not found:
        return []
    if found[-1].group("articles") is None and scope.article:
        clause = f" khoản {scope.clause}" if scope.clause and all(f.group("points") for f in found) else ""
        text = f"{text}{clause} Điều {scope.article}"
    return parts_of(text)


def _supplemented(rest: str, scope: _Scope) -> list[LegalRef]:
    """ "Điều 29a vào sau Điều 29", "điểm e vào sau điểm đ khoản 1 Điều 10", "khoản 5 vào Điều 82": the new part,
    where the text places it; "đoạn mở đầu vào trước khoản 1 Điều 51": the part it is added to."""
    into = _INTO_RE.search(rest)
    if into is None:
        return _within_scope(rest, scope)
    new, where = rest[: into.start()], _within_scope(rest[into.end() :], scope)
    found = list(_PART_RE.finditer(_lowered_parts(new)))
    if not found:
        return where
    if any(f.group("articles") for f in found) or not where:
        return _within_scope(new, scope)
    return _within_scope(new, _narrowed(scope, where[-1].article, where[-1].clause))


def _narrowed(scope: _Scope, article: str | None, clause: str | None) -> _Scope:
    return _Scope(scope.document, scope.numbered, article, clause)


def _acts(text: str, outer: _Scope) -> tuple[list[tuple[RelationKind, LegalRef]], _Scope | None]:
    """What one heading does — (act, part) pairs — or, for one that only says whose articles the items under it
    change ("3. Sửa đổi, bổ sung một số điều của Luật Thú y số 79/2015/QH13 như sau:"), their scope."""
    mark = _ITEM_MARK_RE.match(text)
    head = _HEAD_END_RE.split(text[mark.end() if mark else 0 :], maxsplit=1)[0]
    own, parts_text = _scope_of(_QUOTED_RE.sub(_blank, head), outer)
    out: list[tuple[RelationKind, LegalRef]] = []
    kinds: list[RelationKind] = []
    for seg in parts_text.split(";"):
        seg = seg.strip(" ,.\n\t")
        words = _WORDS_HEAD_RE.match(seg)
        if words:
            verb = words.group("verb").lower()
            if verb.startswith("thay thế") and own is not outer:
                continue  # "Thay thế cụm từ … tại … của Luật … số …": the replace rule reads it
            kind = RelationKind.REPLACE if verb.startswith("thay") else RelationKind.AMEND
            rest = re.sub(r"bằng\s+(?:cụm\s+)?từ", " ", seg[words.end() :])
            out.extend((kind, ref) for ref in _within_scope(rest, own))
            continue
        passive, active = _PASSIVE_HEAD_RE.match(seg), _ACTIVE_HEAD_RE.match(seg)
        verbs = passive or active
        if verbs:
            kinds = [_KIND_OF[v.split()[0].lower()] for v in re.findall(_VERB, verbs.group("verbs"))]
        rest = seg[: passive.start("verbs")] if passive else seg[active.end() :] if active else seg
        some = _SOME_RE.search(rest)
        if some and not _PART_RE.search(_lowered_parts(rest[: some.start()])):  # "một số khoản của Điều 41"
            refs = _within_scope(some.group("of") or "", own)
            return [], _narrowed(own, refs[0].article, refs[0].clause) if refs else own
        for kind in dict.fromkeys(kinds):
            refs = _supplemented(rest, own) if kind is RelationKind.SUPPLEMENT else _within_scope(rest, own)
            if own.article and re.search(r"\btên\s+(?:của\s+)?điều\b", rest):  # "sửa đổi tên điều": the article
                refs = [LegalRef(article=own.article), *refs]
            if not refs and _ANNEX_RE.search(rest):
                refs = [LegalRef()]  # an annex: the document only
            out.extend((kind, ref) for ref in refs)
    if not out and own.document and not _PART_RE.search(_lowered_parts(parts_text)):
        return [], own  # "Sửa đổi, bổ sung Luật Đầu tư số 61/2020/QH14 …:" names only whose parts follow
    return out, None


def _read_by_repeal_clause(text: str) -> bool:
    """Whether `repeal_clause` reads this heading already: it starts "Bãi bỏ" and names a document."""
    m = _REPEAL_CLAUSE_RE.match(text)
    if m is None:
        return False
    scan = _AMENDED_BY_RE.sub(_blank, _QUOTED_RE.sub(_blank, m.group("what")))
    return bool(_DOC_RE.search(scan) or _NAMED_DOC_RE.search(scan))


@extractor("amending_items")
def amending_items(doc: LegalDocument) -> Iterator[Relation]:
    """Amendments stated by the items of an amending article — "1. Khoản 1 Điều 29 được sửa đổi, bổ sung như sau:",
    "b) Bổ sung Điều 29a vào sau Điều 29 như sau:", "a) Bãi bỏ điểm g khoản 3 Điều 19;" — each read from its
    heading sentence, never from the new wording it quotes; the amended document is the one the item names, else
    the one its enclosing item or article heading names; the date is the amending document's own."""
    if doc.fmt == "phapdien":
        return  # compiled texts state their amendments in the source lines
    date: dt.date | None = None
    for art in doc.articles:
        if not _is_amending(art):
            continue
        date = date or own_effective(doc)
        body, base = _matching_text(doc, art)
        title_acts, title_scope = _acts(art.title, _Scope())
        scope = title_scope or _scope_of(art.title, _Scope())[0]
        items, _ = _amending_items(body)
        if not items and title_acts:  # only the heading names the part: "Sửa đổi Điều 126 của Luật … số …"
            start = doc.text.find(art.title, art.start, art.heading_end)
            if start >= 0:
                yield from _item_relations(doc, art, start, art.title, title_acts, scope, date, None)
            continue
        enclosing: dict[int, _Scope] = {0: scope}  # the scope each level of item sets for the items under it
        clause: str | None = None
        for head in items:
            if head.level == 1:
                clause = head.num
            outer = enclosing.get(head.level - 1) or enclosing.get(0) or scope
            for deeper in (1, 2):
                if deeper >= head.level:
                    enclosing.pop(deeper, None)
            acts, inner = _acts(head.text, outer)
            if inner is None and head.group:  # "2. Sửa đổi, bổ sung Điều 32 của Bộ luật … như sau:" then "a) …"
                own = _scope_of(_QUOTED_RE.sub(_blank, head.text), outer)[0]
                refs = [r for _, r in acts]
                inner = _narrowed(own, refs[0].article if refs else own.article,
                                      refs[0].clause if len(set(refs)) == 1 else None)  # fmt: skip
            if inner is not None:
                enclosing[head.level] = inner
                continue
            if _read_by_repeal_clause(body[head.start : head.end]):
                acts = [(k, r) for k, r in acts if k is not RelationKind.REPEAL]
            yield from _item_relations(doc, art, base + head.start, head.text, acts, outer, date, clause)


def _item_relations(
    doc: LegalDocument,
    art: Article,
    start: int,
    text: str,
    acts: list[tuple[RelationKind, LegalRef]],
    outer: _Scope,
    date: dt.date | None,
    clause: str | None,
) -> Iterator[Relation]:
    own = _scope_of(_QUOTED_RE.sub(_blank, _HEAD_END_RE.split(text, maxsplit=1)[0]), outer)[0]
    reasons = [] if date else ["the amending document's effective date is not known"]
    if own.document is None:
        reasons.append("the amended document is not named")
    elif not own.numbered:
        reasons.append("amended document named without a number")
    for kind, ref in dict.fromkeys(acts):
        why = reasons + ([] if ref.article else ["an annex (Phụ lục) is changed; it is not resolved to articles"])
        yield Relation(
            kind=kind,
            source_document=_doc_name(doc),
            source_article=art.number,
            source_clause=clause,
            target=LegalRef(own.document, ref.article, ref.clause, ref.point),
            text=doc.text[start : start + len(text)],
            start=start,
            end=start + len(text),
            effective=date,
            status=RelationStatus.NEEDS_REVIEW if why else RelationStatus.APPLIED,
            reason="; ".join(why) or None,
        )
