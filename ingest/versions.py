"""Versions of a legal article and its standing on a date: which text was the law when, and what changed it.

A legal article — a *work*, named as it is cited: document number + article number — may be held twice: as
enacted (the original law in `laws/`) and consolidated (a pháp điển article whose source line lists the amendments
it already includes). Each stored article becomes one `ArticleVersion`:

- `kind`: `enacted`, or `consolidated` for a compiled article (its `Article.source` names the original).
- `valid_from`: enacted — the document's effective date; consolidated — the latest of its original's effective
  date and the effective dates of the amendments its source line includes.
- `valid_to`: the earliest of the whole document's repeal or replacement, the article's repeal, and — for a text
  that a NEWER version held in the corpus supersedes — that version's `valid_from`, so the newer one is quoted.
- `changes`: every applied relation acting on the article (amend, supplement, repeal, replace; clause-level ones
  included), each with who, when, the sentence it was read from, and whether this text already includes it.

`standing_on(version, as_of)` names the citation's badge (KeyCite-like) and the notice an answer must carry
when the quoted text is not the law in force on `as_of`:

- `repealed` — the article, or its whole document, ended on or before `as_of`;
- `not_yet_in_force` — `valid_from` is after `as_of`;
- `superseded` — amended after this text on or before `as_of`, and no newer text applies: the notice names
  the amending document and date, and says the quoted text is the earlier one;
- `partly_repealed` — clauses or points of it ended;
- `amended` — a consolidated text that includes amendments: it is the current wording;
- `current` — an export or an administrator says the document is in force;
- `unknown` — nothing in the corpus amends or repeals it ("không có văn bản nào trong kho sửa đổi, bãi bỏ"):
  absence of a repeal is not proof of validity.

Only `applied` relations count (those `needs_review` are never applied silently). The index payload carries
`valid_from`/`valid_to` as `YYYYMMDD` integers (`day_number`) so a date filter runs inside Qdrant.

>>> v = ArticleVersion("d1", "25", "58/2010/QH12", "25", "enacted", dt.date(2012, 1, 1), None, changes=[
...     Change("amend", "52/2019/QH14", dt.date(2020, 7, 1), "…", None, None, included=False)])
>>> standing_on(v, dt.date(2015, 1, 1)).badge, standing_on(v, dt.date(2021, 1, 1)).badge
('unknown', 'superseded')
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from core.text import match_key
from ingest.model import Article, DocumentMeta, Validity, iso_date, parse_iso_date
from ingest.relations import Relation, RelationKind, RelationStatus, document_key

OPEN_END = 99991231  # `valid_to` of a version nothing ends
NO_START = 0  # `valid_from` when the date is not known
CHANGE_KINDS = (RelationKind.AMEND, RelationKind.SUPPLEMENT, RelationKind.REPEAL, RelationKind.REPLACE)
MAX_CHANGES = 40  # changes kept per article in the payload (the registry keeps every relation)

BADGES = {
    "current": "Còn hiệu lực",
    "amended": "Đã sửa đổi, bổ sung (văn bản hợp nhất)",
    "superseded": "Đã bị sửa đổi — văn bản trích là bản trước sửa đổi",
    "partly_repealed": "Hết hiệu lực một phần",
    "repealed": "Hết hiệu lực",
    "not_yet_in_force": "Chưa có hiệu lực",
    "unknown": "Không có văn bản nào trong kho sửa đổi, bãi bỏ",
}
KIND_LABELS = {"enacted": "Văn bản gốc (khi ban hành)", "consolidated": "Văn bản hợp nhất (pháp điển)"}
ACTS = {"amend": "sửa đổi", "supplement": "bổ sung", "repeal": "bãi bỏ", "replace": "thay thế"}


def day_number(d: dt.date) -> int:
    """A date as the integer `YYYYMMDD` the index filters on (order-preserving)."""
    return d.year * 10000 + d.month * 100 + d.day


def vn_date(d: dt.date | None, unknown: str = "?") -> str:
    """A date as Vietnamese texts write it (01/07/2020), `unknown` when there is none."""
    return d.strftime("%d/%m/%Y") if d else unknown


@dataclass(frozen=True)
class Change:
    """One applied relation acting on an article: the act, who, from when, the sentence, the part it touches."""

    kind: str
    by: str
    since: dt.date | None
    sentence: str
    clause: str | None
    point: str | None
    included: bool = False  # a consolidated text already contains it
    whole_document: bool = False  # it ends the whole document, not only this article
    partial: bool = False  # "có nội dung bị bãi bỏ" on a pháp điển source line: some of the article, not all

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "by": self.by,
            "since": iso_date(self.since),
            "sentence": self.sentence,
            "clause": self.clause,
            "point": self.point,
            "included": self.included,
            "whole_document": self.whole_document,
            "partial": self.partial,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Change:
        return cls(
            kind=d["kind"],
            by=d["by"],
            since=parse_iso_date(d.get("since")),
            sentence=d.get("sentence") or "",
            clause=d.get("clause"),
            point=d.get("point"),
            included=bool(d.get("included")),
            whole_document=bool(d.get("whole_document")),
            partial=bool(d.get("partial")),
        )

    @property
    def ends(self) -> bool:
        """Whether it ends the whole article (or document): a repeal of it, or the whole document replaced."""
        if self.kind == "replace":
            return self.whole_document
        return self.kind == "repeal" and not self.partial and self.clause is None and self.point is None

    def describe(self) -> str:
        """ "sửa đổi bởi 52/2019/QH14 từ 01/07/2020" (with the part when it touches one)."""
        part = " ".join(
            x for x in (f"điểm {self.point}" if self.point else "", f"khoản {self.clause}" if self.clause else "") if x
        )
        where = f" ({part})" if part else ""
        return f"{ACTS.get(self.kind, self.kind)}{where} bởi {self.by} từ {vn_date(self.since)}"


@dataclass(frozen=True)
class Reference:
    """An article or law a text applies ("theo quy định tại khoản 4 Điều 29 của Luật này", "… của Bộ luật Lao
    động"): the document's number (a law named by title is resolved to the one stored document of that title),
    the article and clause when named, and the sentence."""

    document: str
    article: str | None
    clause: str | None
    sentence: str
    # "number" (stated), "title" (matched to a stored document's title) or "field" (a field of law, "pháp luật về lao
    # động", resolved to its principal law: `principal_law`)
    resolved_by: str = "number"

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "article": self.article,
            "clause": self.clause,
            "sentence": self.sentence,
            "resolved_by": self.resolved_by,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Reference:
        return cls(
            d["document"], d.get("article"), d.get("clause"), d.get("sentence") or "", d.get("resolved_by") or "number"
        )


@dataclass(frozen=True)
class ArticleVersion:
    """One stored text of a legal article, the dates it was the law, and what acts on it (module docstring)."""

    document_id: str
    article: str  # the article's number in the stored document (the chunks' `article`)
    work_document: str  # the cited (original) document number or title
    work_article: str
    kind: str  # enacted | consolidated
    valid_from: dt.date | None
    valid_to: dt.date | None
    changes: list[Change] = field(default_factory=list)
    export: str | None = None  # the document's validity as an export/administrator set it (con_hieu_luc, …)
    export_reason: str | None = None
    superseded_by: str | None = None  # the stored document holding the newer text that ends this one
    references: list[Reference] = field(default_factory=list)  # articles and laws this text applies

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "article": self.article,
            "work_document": self.work_document,
            "work_article": self.work_article,
            "kind": self.kind,
            "valid_from": iso_date(self.valid_from),
            "valid_to": iso_date(self.valid_to),
            "changes": [c.to_json() for c in self.changes[:MAX_CHANGES]],
            "export": self.export,
            "export_reason": self.export_reason,
            "superseded_by": self.superseded_by,
            "references": [r.to_json() for r in self.references[:MAX_CHANGES]],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ArticleVersion:
        return cls(
            document_id=d["document_id"],
            article=d["article"],
            work_document=d["work_document"],
            work_article=d["work_article"],
            kind=d["kind"],
            valid_from=parse_iso_date(d.get("valid_from")),
            valid_to=parse_iso_date(d.get("valid_to")),
            changes=[Change.from_json(c) for c in d.get("changes") or []],
            export=d.get("export"),
            export_reason=d.get("export_reason"),
            superseded_by=d.get("superseded_by"),
            references=[Reference.from_json(r) for r in d.get("references") or []],
        )

    @property
    def work_key(self) -> tuple[str, str]:
        return (document_key(self.work_document), self.work_article)

    def range_for(self, clause: str | None, point: str | None) -> tuple[int, int]:
        """(`valid_from`, `valid_to`) as index integers for a chunk of this article citing `clause`/`point`.

        A chunk that is exactly a repealed clause (or point) ends when that part ends.
        """
        end = self.valid_to
        if clause:
            for c in self.changes:
                if c.kind == "repeal" and c.since and c.clause == clause and c.point in (None, point):
                    end = min(end, c.since) if end else c.since
        return (
            day_number(self.valid_from) if self.valid_from else NO_START,
            day_number(end) if end else OPEN_END,
        )


@dataclass(frozen=True)
class Standing:
    """A version's standing on `as_of`: the badge, its label, what applies, and the notice an answer carries."""

    badge: str
    label: str
    as_of: dt.date
    applied: list[Change]
    notice: str | None
    after: list[Change] = field(default_factory=list)  # changes that take effect after `as_of` (a past day's law)

    def to_json(self) -> dict[str, Any]:
        return {
            "badge": self.badge,
            "label": self.label,
            "as_of": iso_date(self.as_of),
            "applied": [c.to_json() for c in self.applied],
            "notice": self.notice,
            "after": [c.to_json() for c in self.after],
        }


def standing_on(v: ArticleVersion, as_of: dt.date, clause: str | None = None) -> Standing:
    """The badge and notice of version `v` on `as_of` (module docstring); `clause` narrows partial repeals."""
    known = [c for c in v.changes if c.since is not None and c.since <= as_of]
    after = [c for c in v.changes if c.since is not None and c.since > as_of and not c.included]
    name = f"Điều {v.work_article} {v.work_document}"

    def make(badge: str, applied: list[Change], notice: str | None) -> Standing:
        return Standing(badge, BADGES[badge], as_of, applied, notice, after)

    ended = sorted((c for c in known if c.ends), key=lambda c: c.since or as_of)
    if ended:
        c = ended[0]
        what = "Văn bản" if c.whole_document else name
        return make("repealed", [c], f"{what} đã hết hiệu lực từ {vn_date(c.since)} ({c.describe()}).")
    if v.export == Validity.HET_HIEU_LUC.value:
        why = v.export_reason or "quản trị viên xác định"
        return make("repealed", [], f"{name}: văn bản đã hết hiệu lực (lý do: {why}).")
    if v.valid_from is not None and v.valid_from > as_of:
        return make("not_yet_in_force", [], f"{name} có hiệu lực từ {vn_date(v.valid_from)}.")
    later = [
        c
        for c in known
        if c.kind in ("amend", "supplement", "replace")
        and not c.included
        and (v.valid_from is None or c.since and c.since > v.valid_from)
    ]
    if later:
        acts = "; ".join(c.describe() for c in later)
        newer = v.superseded_by is not None and v.valid_to is not None and v.valid_to <= as_of
        tail = (
            f"từ {vn_date(v.valid_to)} kho có văn bản hợp nhất của điều này — đó là nội dung đang áp dụng."
            if newer
            else "kho chưa có văn bản hợp nhất áp dụng cho ngày này — cần đối chiếu văn bản sửa đổi."
        )
        return make(
            "superseded",
            later,
            f"Lưu ý: nội dung trích dẫn của {name} là văn bản trước khi được sửa đổi ({acts}); {tail}",
        )
    parts = [c for c in known if c.kind == "repeal" and not c.ends and not c.included]
    if parts:
        hit = [c for c in parts if clause is not None and c.clause == clause]
        notice = None
        if hit:
            notice = f"Lưu ý: khoản {clause} {name} đã hết hiệu lực ({hit[0].describe()})."
        return make("partly_repealed", parts, notice)
    included = [c for c in known if c.included]
    if included:
        return make("amended", included, None)
    if v.export == Validity.CON_HIEU_LUC.value:
        return make("current", [], None)
    return make("unknown", [], None)


# ---------------------------------------------------------------------------------------------- derivation
@dataclass(frozen=True)
class StoredArticles:
    """What `derive_versions` reads of one stored document: its id, metadata and articles."""

    document_id: str
    meta: DocumentMeta
    articles: list[Article]


def _change(r: Relation, included: bool = False, partial: bool = False) -> Change:
    return Change(
        kind=r.kind.value,
        by=r.source_document,
        since=r.effective,
        sentence=r.text,
        clause=r.target.clause,
        point=r.target.point,
        included=included,
        whole_document=r.target.article is None,
        partial=partial,
    )


def _dedupe(changes: Iterable[Change]) -> list[Change]:
    """One change per (act, by, date, part): the same amendment read from two texts counts once."""
    seen: dict[tuple[Any, ...], Change] = {}
    for c in changes:
        key = (c.kind, document_key(c.by), c.since, c.clause, c.point, c.whole_document)
        if key not in seen or (c.included and not seen[key].included):
            seen[key] = c
    return sorted(seen.values(), key=lambda c: (c.since or dt.date.min, c.kind))


def derive_versions(docs: Iterable[StoredArticles], relations: Iterable[tuple[str, Relation]]) -> list[ArticleVersion]:
    """Every stored article's version, from the documents and the (stored document id, relation) pairs."""
    docs = list(docs)
    relations = list(relations)
    refs = _references(docs, relations)
    applied = [(did, r) for did, r in relations if r.status is RelationStatus.APPLIED and r.kind in CHANGE_KINDS]
    by_article: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    by_document: dict[str, list[Relation]] = defaultdict(list)
    in_document: dict[str, list[Relation]] = defaultdict(list)  # relations read from a stored document's text
    compiled = {d.document_id: _Spans(a for a in d.articles if a.source is not None) for d in docs}
    source_line: set[int] = set()  # ids of relations read from a pháp điển source line (see `Change.partial`)
    for did, r in applied:
        spans = compiled.get(did)
        if spans is not None and spans.find(r.start) is not None:
            source_line.add(id(r))
        if r.target_key is None:
            continue
        in_document[did].append(r)
        if r.target.article is None:
            if r.kind in (RelationKind.REPEAL, RelationKind.REPLACE):  # "sửa đổi một số điều" names no article
                by_document[r.target_key].append(r)
        else:
            by_article[(r.target_key, r.target.article)].append(r)
    own = {did: _ByStart(rels) for did, rels in in_document.items()}
    out: list[ArticleVersion] = []
    for d in docs:
        for art in d.articles:
            v = _version(d, art, by_article, by_document, own.get(d.document_id, _NONE), source_line)
            out.append(replace(v, references=refs.get((d.document_id, art.number), [])))
    return _supersede(out)


class _Spans:
    """Article spans of one document, searchable by offset (bisect, not a scan per relation)."""

    def __init__(self, articles: Iterable[Article]) -> None:
        spans = sorted((a.start, a.end) for a in articles)
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def find(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]:
            return self.spans[i]
        return None


class _ByStart:
    """One document's relations sorted by where they were read, to take those inside an article's span."""

    def __init__(self, relations: Iterable[Relation]) -> None:
        self.relations = sorted(relations, key=lambda r: r.start)
        self.starts = [r.start for r in self.relations]

    def within(self, start: int, end: int) -> list[Relation]:
        return self.relations[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]


_NONE = _ByStart(())


_FIELD = re.compile(r"pháp luật về (.+)")
_LAW_KINDS = ("luật ", "bộ luật ")


def principal_law(field_of_law: str, by_title: dict[str, set[str]]) -> set[str]:
    """The stored law a field of law ("pháp luật về lao động") is governed by: the law titled with the field, or
    with its longest part before a comma ("cán bộ, công chức, viên chức" → "Luật Cán bộ, công chức"; "đất đai,
    thuế thu nhập doanh nghiệp" → "Luật Đất đai"), else the one law whose title opens with the whole field ("hôn
    nhân", cut before "và", → "Luật Hôn nhân và gia đình"). Never fewer words than a part: "đầu tư công" is not
    "Luật Đầu tư". `by_title`: folded title → the numbers stored under it. Every number found: `_references` resolves
    only one ("thuế" finds Luật Thuế thu nhập cá nhân and Luật Thuế giá trị gia tăng: left unresolved).

    >>> titles = {"bộ luật lao động": {"45/2019/QH14"}, "luật hôn nhân và gia đình": {"52/2014/QH13"},
    ...           "luật thuế thu nhập cá nhân": {"04/2007/QH12"}, "luật thuế giá trị gia tăng": {"13/2008/QH12"},
    ...           "luật đầu tư": {"61/2020/QH14"}}
    >>> principal_law("lao động", titles), principal_law("hôn nhân", titles), len(principal_law("thuế", titles))
    ({'45/2019/QH14'}, {'52/2014/QH13'}, 2)
    >>> principal_law("đầu tư công", titles), principal_law("đầu tư, xây dựng", titles)
    (set(), {'61/2020/QH14'})
    """
    parts = [p.strip() for p in field_of_law.split(",")]
    for n in range(len(parts), 0, -1):
        found = set().union(*(by_title.get(kind + ", ".join(parts[:n]), set()) for kind in _LAW_KINDS))
        if found:
            return found
    opening = tuple(kind + field_of_law + " " for kind in _LAW_KINDS)
    return set().union(*(numbers for title, numbers in by_title.items() if title.startswith(opening)))


def _references(
    docs: list[StoredArticles], relations: list[tuple[str, Relation]]
) -> dict[tuple[str, str], list[Reference]]:
    """(stored document id, article) → what it refers to; laws named only by title resolved to the one stored
    document of that title, a field of law to its principal law (`principal_law`); left out when none or several
    match."""
    by_title: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        if d.meta.so_hieu:
            by_title[match_key(d.meta.title)].add(d.meta.so_hieu)
    out: dict[tuple[str, str], list[Reference]] = defaultdict(list)
    for did, r in relations:
        if r.kind is not RelationKind.REFERENCE or r.source_article is None or r.target.document is None:
            continue
        if r.status is RelationStatus.APPLIED:
            ref = Reference(r.target.document, r.target.article, r.target.clause, r.text)
        else:
            numbers = by_title.get(match_key(r.target.document), set())
            how = "title"
            if not numbers and (field_of := _FIELD.match(match_key(r.target.document))):
                numbers, how = principal_law(field_of.group(1), by_title), "field"
            if len(numbers) != 1:
                continue
            ref = Reference(next(iter(numbers)), r.target.article, r.target.clause, r.text, resolved_by=how)
        key = (did, r.source_article)
        if all((x.document, x.article, x.clause) != (ref.document, ref.article, ref.clause) for x in out[key]):
            out[key].append(ref)
    return out


def _version(
    d: StoredArticles,
    art: Article,
    by_article: dict[tuple[str, str], list[Relation]],
    by_document: dict[str, list[Relation]],
    own: _ByStart,
    source_line: set[int],
) -> ArticleVersion:
    if art.source is not None:
        work_doc, work_art, kind = art.source.document, art.source.article, "consolidated"
        start = art.source.ngay_hieu_luc
        # the amendments its own source line names (read from this article's span of the compiled text)
        inside = own.within(art.start, art.end)
        included_keys = {(r.kind, document_key(r.source_document), r.effective) for r in inside}
    else:
        work_doc, work_art, kind = d.meta.so_hieu or d.meta.title, art.number, "enacted"
        start, included_keys = d.meta.ngay_hieu_luc, set()
    wkey = document_key(work_doc)
    acting = by_article.get((wkey, work_art), []) + by_document.get(wkey, [])
    changes = _dedupe(
        _change(
            r,
            included=(r.kind, document_key(r.source_document), r.effective) in included_keys,
            partial=id(r) in source_line,
        )
        for r in acting
    )
    if kind == "consolidated":
        dates = [c.since for c in changes if c.included and c.since and c.kind in ("amend", "supplement", "repeal")]
        if dates:
            start = max([*dates, *([start] if start else [])])
    ends = [c.since for c in changes if c.ends and c.since]
    export = d.meta.hieu_luc.value if d.meta.hieu_luc is not Validity.CHUA_XAC_DINH else None
    return ArticleVersion(
        document_id=d.document_id,
        article=art.number,
        work_document=work_doc,
        work_article=work_art,
        kind=kind,
        valid_from=start,
        valid_to=min(ends) if ends else None,
        changes=changes,
        export=export,
        export_reason=d.meta.hieu_luc_reason if export else None,
    )


def _supersede(versions: list[ArticleVersion]) -> list[ArticleVersion]:
    """End each text where a newer text of the same article held in the corpus begins."""
    by_work: dict[tuple[str, str], list[ArticleVersion]] = defaultdict(list)
    for v in versions:
        by_work[v.work_key].append(v)
    out = []
    for v in versions:
        newer = [
            w
            for w in by_work[v.work_key]
            if w.valid_from is not None and (v.valid_from is None or w.valid_from > v.valid_from)
        ]
        if newer:
            first = min(newer, key=lambda w: w.valid_from or dt.date.max)
            assert first.valid_from is not None
            end = min(v.valid_to, first.valid_from) if v.valid_to else first.valid_from
            v = replace(v, valid_to=end, superseded_by=first.document_id)
        out.append(v)
    return out


def versions_of(versions: Iterable[ArticleVersion], document: str, article: str) -> list[ArticleVersion]:
    """The versions of the legal article `article` of `document` (a number or title), oldest first."""
    key = (document_key(document), article)
    found = [v for v in versions if v.work_key == key]
    return sorted(found, key=lambda v: (v.valid_from or dt.date.min, v.kind))
