"""Validity (hiệu lực) from a document-management export: a `source_registry.json` beside the documents.

A ministry's document system knows which acts are in force; the text itself rarely says. When a folder (or an
ancestor) of an ingested file holds `source_registry.json` — `{"documents": [{"official_number",
"validity_status", "effective_from", "source_name", "validity_basis", "validity_checked_at", "repeal_reason"}]}`
— the document with that number gets its validity, the reason and, if the text did not state it, its effective
date. Explicit `.kho.toml` / manifest settings still win (they are applied afterwards).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.metadata import normalise_so_hieu
from ingest.model import LegalDocument, Validity

REGISTRY_NAME = "source_registry.json"
_MAX_LEVELS = 4  # how far up from a file to look for an export

# The export's status vocabulary → ours.
_STATUS: dict[str, Validity] = {
    "dang_co_hieu_luc": Validity.CON_HIEU_LUC,
    "con_hieu_luc": Validity.CON_HIEU_LUC,
    "an_le_da_cong_bo": Validity.CON_HIEU_LUC,
    "het_hieu_luc": Validity.HET_HIEU_LUC,
    "het_hieu_luc_toan_bo": Validity.HET_HIEU_LUC,
    "bi_bai_bo": Validity.HET_HIEU_LUC,
}


@dataclass(frozen=True)
class ValidityEntry:
    """What the export says about one document number."""

    hieu_luc: Validity
    reason: str
    effective_from: dt.date | None


@dataclass(frozen=True)
class ValidityRegistry:
    """The entries of one export file, by normalised document number, and the file's hash."""

    path: str
    sha256: str
    entries: dict[str, ValidityEntry]

    def apply(self, doc: LegalDocument) -> bool:
        """Set the document's validity from the export; True when the export knows its number."""
        entry = self.entries.get(normalise_so_hieu(doc.meta.so_hieu or ""))
        if entry is None:
            return False
        doc.meta.hieu_luc, doc.meta.hieu_luc_reason = entry.hieu_luc, entry.reason
        if doc.meta.ngay_hieu_luc is None:
            doc.meta.ngay_hieu_luc = entry.effective_from
        return True


def _entry(item: dict[str, Any]) -> ValidityEntry:
    status = str(item.get("validity_status") or "")
    hieu_luc = _STATUS.get(status, Validity.CHUA_XAC_DINH)
    basis = ", ".join(str(item[k]) for k in ("source_name", "validity_basis") if item.get(k))
    checked = item.get("validity_checked_at")
    reason = f"theo {basis or REGISTRY_NAME}" + (f", kiểm tra ngày {checked}" if checked else "")
    reason = f"{status or 'không rõ'} — {reason}"
    if item.get("repeal_reason"):
        reason += f"; {item['repeal_reason']}"
    eff = item.get("effective_from")
    try:
        effective = dt.date.fromisoformat(eff) if eff else None
    except ValueError:
        effective = None
    return ValidityEntry(hieu_luc, reason, effective)


@lru_cache(maxsize=32)
def _load(path: str, mtime: float) -> ValidityRegistry | None:
    raw = Path(path).read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return None
    items = data.get("documents", []) if isinstance(data, dict) else []
    entries = {
        normalise_so_hieu(str(it["official_number"])): _entry(it)
        for it in items
        if isinstance(it, dict) and it.get("official_number")
    }
    return ValidityRegistry(path, hashlib.sha256(raw).hexdigest(), entries)


def registry_for(file: Path) -> ValidityRegistry | None:
    """The nearest export in the file's folder or up to four folders above it, if any (unreadable ones: None)."""
    folder = file.parent
    for _ in range(_MAX_LEVELS):
        candidate = folder / REGISTRY_NAME
        if candidate.is_file():
            return _load(str(candidate), candidate.stat().st_mtime)
        if folder.parent == folder:
            break
        folder = folder.parent
    return None
