"""Validity from a document-management export (`source_registry.json`) beside the documents."""

from __future__ import annotations

import json
from pathlib import Path

from core.settings import Settings
from ingest.job import run_ingest
from ingest.registry import Registry

LAW = (
    "QUỐC HỘI\nLuật số: 77/2077/QH77\nHà Nội, ngày 01 tháng 01 năm 2077\nLUẬT\nKIỂM THỬ\n"
    "Điều 1. Phạm vi\nLuật này quy định việc kiểm thử.\n"
    "Điều 2. Hiệu lực thi hành\nLuật này có hiệu lực thi hành từ ngày 01 tháng 07 năm 2077.\n"
)


def _export(folder: Path, status: str) -> None:
    (folder / "source_registry.json").write_text(
        json.dumps(
            {
                "documents": [
                    {
                        "official_number": "77/2077/qh77",
                        "validity_status": status,
                        "effective_from": "2077-07-01",
                        "source_name": "CSDL quốc gia về văn bản pháp luật",
                        "validity_checked_at": "2078-01-01",
                        "repeal_reason": "thay thế bởi Luật số 88/2088/QH88" if status == "het_hieu_luc" else None,
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def _ingest(tmp_path: Path, folder: Path) -> dict[str, str | None]:
    settings = Settings(data_dir=tmp_path / "data")
    with Registry(settings.registry_path) as reg:
        run_ingest([folder], reg, settings, progress=False)
        doc = reg.list_documents()[0]
    return {"hieu_luc": doc.meta.hieu_luc.value, "reason": doc.meta.hieu_luc_reason}


def test_export_beside_the_file_sets_validity_and_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "docs" / "luat"
    folder.mkdir(parents=True)
    (folder / "luat.txt").write_text(LAW, encoding="utf-8")
    _export(tmp_path / "docs", "het_hieu_luc")  # one folder up still applies
    got = _ingest(tmp_path, folder)
    assert got["hieu_luc"] == "het_hieu_luc"
    assert got["reason"] and "88/2088/QH88" in got["reason"] and "CSDL quốc gia" in got["reason"]


def test_changing_the_export_reingests_and_a_sidecar_still_wins(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "luat.txt").write_text(LAW, encoding="utf-8")
    _export(folder, "dang_co_hieu_luc")
    assert _ingest(tmp_path, folder)["hieu_luc"] == "con_hieu_luc"
    _export(folder, "het_hieu_luc")
    assert _ingest(tmp_path, folder)["hieu_luc"] == "het_hieu_luc"
    (folder / "luat.txt.kho.toml").write_text('hieu_luc = "chua_xac_dinh"\nhieu_luc_reason = "đang rà soát"\n')
    got = _ingest(tmp_path, folder)
    assert got == {"hieu_luc": "chua_xac_dinh", "reason": "đang rà soát"}
