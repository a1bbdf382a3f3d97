"""What the legal department reads beside a citation: the article's versions, what changed, and its Lược đồ.

- `article_versions`: every stored text of one legal article (as enacted, consolidated), oldest first, each with
  its dates, its standing on a day, the changes acting on it, and its text; `word_diff` shows what changed
  between two versions (word by word).
- `lineage`: vbpl.vn's "Lược đồ" for a document or one of its articles — amends / amended by, repeals /
  repealed by, references / referenced by, guides / guided by — each with its date, the sentence it was read
  from, how it was found (rule, export, admin) and whether it is applied or waits for review.

Clearance holds on every read: a version whose stored document is above the reader's clearance is not listed,
and neither is a relation read from such a document (its sentence is that document's text).

>>> [op for op, _ in word_diff("từ đủ 12 tháng đến 36 tháng", "từ đủ 12 tháng đến 60 tháng") if op != "="]
['-', '+']
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ingest.model import AccessLevel, iso_date
from ingest.registry import Registry, StoredRelation
from ingest.relations import RelationKind, RelationStatus, document_key
from ingest.versions import BADGES, KIND_LABELS, ArticleVersion, Standing, standing_on

_TOKEN_RE = re.compile(r"\s+|[^\s]+")
_SOURCE_LINE_RE = re.compile(r"^\s*\(Điều\s[^\n]*\)[ \t]*(?:\n|$)")


def inline_diff(pieces: list[tuple[str, str]]) -> str:
    """A word diff as one line of text: removed words as [-…-], added ones as {+…+} (git's word-diff form)."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return "".join(marks[op].format(" ".join(t.split()) if op != "=" else t) for op, t in pieces)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(`op`, text) pieces turning `old` into `new`: "=" kept, "-" removed, "+" added; word by word."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    same_a = [" " if t.isspace() else t for t in a]  # a line break where a space was is not a change of wording
    same_b = [" " if t.isspace() else t for t in b]
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, same_a, same_b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


@dataclass(frozen=True)
class VersionView:
    """One stored text of a legal article as a reader sees it."""

    version: ArticleVersion
    standing: Standing
    title: str
    so_hieu: str | None
    text: str
    start: int
    end: int
    body: str = ""  # the text without its heading and pháp điển source line: what versions are compared on

    def to_json(self) -> dict[str, Any]:
        v = self.version
        return {
            **v.to_json(),
            "kind_label": KIND_LABELS.get(v.kind, v.kind),
            "stored_title": self.title,
            "stored_so_hieu": self.so_hieu,
            "standing": self.standing.to_json(),
            "text": self.text,
            "body": self.body,
            "start": self.start,
            "end": self.end,
        }


def _readable(reg: Registry, clearance: AccessLevel, document_id: str) -> bool:
    level = reg.document_access(document_id)
    return level is not None and level.rank <= clearance.rank


def article_versions(
    reg: Registry, clearance: AccessLevel, document: str, article: str, as_of: dt.date
) -> list[VersionView]:
    """The versions of Điều `article` of `document` the reader may see, oldest first, with their text."""
    article = article.removeprefix("Điều").strip()
    out = []
    for v in reg.versions(document, article):
        if not _readable(reg, clearance, v.document_id):
            continue
        doc = reg.get_document(v.document_id)
        if doc is None or doc.text is None:
            continue
        art = next((a for a in doc.articles() if a.number == v.article), None)
        if art is None:
            continue
        text = doc.text[art.start : art.end]
        body = _SOURCE_LINE_RE.sub("", doc.text[max(art.heading_end, art.start) : art.end], count=1).strip()
        st = standing_on(v, as_of)
        out.append(VersionView(v, st, doc.meta.title, doc.meta.so_hieu, text, art.start, art.end, body))
    return out


# Lược đồ: (relation kind, which side the asked document is on) → the panel's group.
GROUPS: dict[tuple[RelationKind, str], str] = {
    (RelationKind.AMEND, "source"): "amends",
    (RelationKind.SUPPLEMENT, "source"): "amends",
    (RelationKind.REPLACE, "source"): "replaces",
    (RelationKind.REPEAL, "source"): "repeals",
    (RelationKind.REFERENCE, "source"): "references",
    (RelationKind.GUIDE, "source"): "guides",
    (RelationKind.AMEND, "target"): "amended_by",
    (RelationKind.SUPPLEMENT, "target"): "amended_by",
    (RelationKind.REPLACE, "target"): "replaced_by",
    (RelationKind.REPEAL, "target"): "repealed_by",
    (RelationKind.REFERENCE, "target"): "referenced_by",
    (RelationKind.GUIDE, "target"): "guided_by",
}
GROUP_LABELS = {
    "amends": "Sửa đổi, bổ sung",
    "amended_by": "Được sửa đổi, bổ sung bởi",
    "replaces": "Thay thế",
    "replaced_by": "Bị thay thế bởi",
    "repeals": "Bãi bỏ",
    "repealed_by": "Bị bãi bỏ bởi",
    "references": "Dẫn chiếu đến",
    "referenced_by": "Được dẫn chiếu bởi",
    "guides": "Hướng dẫn",
    "guided_by": "Được hướng dẫn bởi",
}


@dataclass
class Lineage:
    """The Lược đồ of a document (or one article): relations by group, and how many wait for review."""

    document: str
    article: str | None
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    to_review: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "article": self.article,
            "groups": [
                {"group": g, "label": GROUP_LABELS[g], "relations": self.groups[g]}
                for g in GROUP_LABELS
                if self.groups.get(g)
            ],
            "to_review": self.to_review,
        }


def _side(stored: StoredRelation, key: str, article: str | None) -> str | None:
    r = stored.relation
    if r.target_key == key and (article is None or r.target.article == article):
        return "target"
    if r.source_key == key and (article is None or r.source_article == article):
        return "source"
    return None


def lineage(reg: Registry, clearance: AccessLevel, document: str, article: str | None = None) -> Lineage:
    """The Lược đồ of `document` (number or title), or of its Điều `article`, as the reader may see it."""
    article = article.removeprefix("Điều").strip() if article else None
    key = document_key(document)
    out = Lineage(document=document, article=article)
    readable: dict[str, bool] = {}
    for stored in reg.relations(document, article):
        if stored.document_id not in readable:
            readable[stored.document_id] = _readable(reg, clearance, stored.document_id)
        if not readable[stored.document_id]:
            continue
        side = _side(stored, key, article)
        if side is None:
            continue
        r = stored.relation
        if r.status is RelationStatus.NEEDS_REVIEW:
            out.to_review += 1
        other = (
            {"document": r.source_document, "article": r.source_article, "clause": r.source_clause, "point": None}
            if side == "target"
            else r.target.to_json()
        )
        mine = r.target.to_json() if side == "target" else {"article": r.source_article, "clause": r.source_clause}
        out.groups.setdefault(GROUPS[(r.kind, side)], []).append(
            {
                "kind": r.kind.value,
                "other": other,
                "this": mine,
                "since": iso_date(r.effective),
                "sentence": r.text,
                "read_in": stored.document_id,
                "found_by": r.found_by.value,
                "status": r.status.value,
                "reason": r.reason,
            }
        )
    return out


__all__ = ["BADGES", "Lineage", "VersionView", "article_versions", "inline_diff", "lineage", "word_diff"]
