"""A document's standing on a date, derived from the corpus: in force, repealed wholly or in part, not yet in force.

The vocabulary is vbpl.vn's (còn hiệu lực / hết hiệu lực toàn bộ / hết hiệu lực một phần / chưa có hiệu lực /
ngưng hiệu lực), each with its reason: the repealing sentence quoted from the corpus and the document it is in.
Absence of a repeal in the corpus is not proof of validity: without an export or an administrator saying so, a
document nobody repeals is "không có văn bản nào trong kho bãi bỏ", never "còn hiệu lực". What an export
(`source_registry.json`) or an administrator set (`hieu_luc` other than chua_xac_dinh) wins over the derivation,
and says so. Only `applied` relations count; those still `needs_review` are listed, not used.

>>> from ingest.model import DocumentMeta
>>> standing(DocumentMeta(title="Luật X", so_hieu="1/2000/QH10"), [], dt.date(2026, 1, 1)).status.value
'khong_co_van_ban_bai_bo'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest.model import DocumentMeta, Validity, _ChoiceEnum, iso_date
from ingest.relations import Relation, RelationKind, RelationStatus

ENDING_KINDS = (RelationKind.REPEAL, RelationKind.REPLACE)


class Standing(_ChoiceEnum):
    """Hiệu lực as vbpl.vn names it, plus the honest "nobody in the corpus repeals it"."""

    CON_HIEU_LUC = "con_hieu_luc"
    HET_HIEU_LUC_TOAN_BO = "het_hieu_luc_toan_bo"
    HET_HIEU_LUC_MOT_PHAN = "het_hieu_luc_mot_phan"
    CHUA_CO_HIEU_LUC = "chua_co_hieu_luc"
    NGUNG_HIEU_LUC = "ngung_hieu_luc"
    KHONG_CO_VAN_BAN_BAI_BO = "khong_co_van_ban_bai_bo"


LABELS = {
    Standing.CON_HIEU_LUC: "Còn hiệu lực",
    Standing.HET_HIEU_LUC_TOAN_BO: "Hết hiệu lực toàn bộ",
    Standing.HET_HIEU_LUC_MOT_PHAN: "Hết hiệu lực một phần",
    Standing.CHUA_CO_HIEU_LUC: "Chưa có hiệu lực",
    Standing.NGUNG_HIEU_LUC: "Ngưng hiệu lực",
    Standing.KHONG_CO_VAN_BAN_BAI_BO: "Không có văn bản nào trong kho bãi bỏ",
}


@dataclass(frozen=True)
class DocumentStanding:
    """A document's standing on `as_of`, why, and from which source (rule, export, admin)."""

    status: Standing
    as_of: dt.date
    since: dt.date | None = None
    by: str | None = None  # the repealing/replacing document
    reason: str | None = None  # the sentence that says so, quoted
    found_by: str = "rule"
    parts: list[dict[str, Any]] = field(default_factory=list)  # partial repeals: target part, by, since, sentence
    to_review: int = 0  # relations about it still `needs_review` (not used)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "label": LABELS[self.status],
            "as_of": iso_date(self.as_of),
            "since": iso_date(self.since),
            "by": self.by,
            "reason": self.reason,
            "found_by": self.found_by,
            "parts": self.parts,
            "to_review": self.to_review,
        }


def standing(meta: DocumentMeta, targeting: Iterable[Relation], as_of: dt.date) -> DocumentStanding:
    """The standing of the document `meta` describes on `as_of`, from the relations whose target it is."""
    rels = list(targeting)
    review = sum(1 for r in rels if r.status is RelationStatus.NEEDS_REVIEW and r.kind in ENDING_KINDS)
    applied = [
        r
        for r in rels
        if r.status is RelationStatus.APPLIED and r.kind in ENDING_KINDS and r.effective and r.effective <= as_of
    ]
    if meta.hieu_luc is not Validity.CHUA_XAC_DINH:  # an export or an administrator said so: that wins
        status = Standing.CON_HIEU_LUC if meta.hieu_luc is Validity.CON_HIEU_LUC else Standing.HET_HIEU_LUC_TOAN_BO
        return DocumentStanding(status, as_of, reason=meta.hieu_luc_reason, found_by="export", to_review=review)
    whole = sorted((r for r in applied if r.target.article is None), key=lambda r: r.effective or as_of)
    if whole:
        r = whole[0]
        return DocumentStanding(
            Standing.HET_HIEU_LUC_TOAN_BO, as_of, r.effective, r.source_document, r.text, to_review=review
        )
    if meta.ngay_hieu_luc is not None and meta.ngay_hieu_luc > as_of:
        return DocumentStanding(Standing.CHUA_CO_HIEU_LUC, as_of, meta.ngay_hieu_luc, to_review=review)
    parts = [
        {
            "target": r.target.to_json(),
            "by": r.source_document,
            "since": iso_date(r.effective),
            "sentence": r.text,
        }
        for r in applied
    ]
    if parts:
        first = min(applied, key=lambda r: r.effective or as_of)
        return DocumentStanding(
            Standing.HET_HIEU_LUC_MOT_PHAN,
            as_of,
            first.effective,
            first.source_document,
            first.text,
            parts=parts,
            to_review=review,
        )
    return DocumentStanding(Standing.KHONG_CO_VAN_BAN_BAI_BO, as_of, to_review=review)
