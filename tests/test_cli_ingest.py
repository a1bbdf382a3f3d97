"""`kho ingest` end to end through the real console script: per-file states, reasons, reruns, the corpus."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, kho_json, run_kho

# A small law: number, date, chapter, articles with clauses and points.
LAW_TXT = """\
QUỐC HỘI
Luật số: 77/2099/QH99

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 15 tháng 06 năm 2099

LUẬT
VĂN THƯ THỬ NGHIỆM

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định về công tác văn thư thử nghiệm.

Điều 2. Nguyên tắc
1. Công tác văn thư phải bảo đảm các yêu cầu sau:
a) Kịp thời, chính xác;
b) Bảo mật thông tin.
2. Cơ quan, tổ chức chịu trách nhiệm về văn bản do mình ban hành.
"""

# A pháp điển subject file: the second compiled article has no heading line (its source line starts it), and
# the trailing "Danh sách điều khoản" list repeats the headings with truncated text.
PHAPDIEN_MD = """\
---
layout: page
title: Công tác văn thư thử nghiệm
---

## THÔNG TIN VĂN BẢN

| Thuộc tính | Nội dung |
|---|---|
| **Số hiệu** | Đang cập nhật |

---

## VĂN BẢN
# Công tác văn thư thử nghiệm


Chương I

QUY ĐỊNH CHUNG

Điều 42.1.NĐ.1. Phạm vi điều chỉnh

(Điều 1 Nghị định số 30/2020/NĐ-CP Về công tác văn thư ngày 05/03/2020 của Chính phủ, \
có hiệu lực thi hành kể từ ngày 05/03/2020 )

Nghị định này quy định về công tác văn thư và quản lý nhà nước về công tác văn thư.

(Điều 2 Nghị định số 30/2020/NĐ-CP, có hiệu lực thi hành kể từ ngày 05/03/2020)

1. Nghị định này áp dụng đối với cơ quan, tổ chức nhà nước.

2. Tổ chức chính trị - xã hội căn cứ quy định của Nghị định này để áp dụng cho phù hợp.

## Danh sách điều khoản

### 42001000000000001000

Chương I QUY ĐỊNH CHUNG

### 4200100000000000100000100000000000000000

Điều 42.1.NĐ.1. Phạm vi điều chỉnh Nghị định này quy định về công tác văn thư và quản lý nhà nước về...

### 4200100000000000100000200000000000000000

Điều 42.1.NĐ.2. Đối tượng áp dụng 1. Nghị định này áp dụng đối với cơ quan, tổ chức nhà nước.
"""

GOOD = ("luat-van-thu.txt", "van-thu.md")
IGNORED = ("NOTES.md", "data.tsv")
# the bad files and a word their failure reason must contain
BAD_REASONS = {
    "rong.txt": "empty",
    "rac.txt": "binary",
    "hong.pdf": "PDF",
    "gia.docx": "zip",
}


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {"KHO_DATA_DIR": str(data_dir), **extra}


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _mixed_folder(root: Path) -> Path:
    folder = root / "van-ban"
    _write(folder / "luat-van-thu.txt", LAW_TXT)
    _write(folder / "van-thu.md", PHAPDIEN_MD)
    _write(folder / "NOTES.md", "# Ghi chú\nThư mục tài liệu thử nghiệm, không phải văn bản.\n")
    _write(folder / "data.tsv", "so_hieu\tngay\n30/2020/NĐ-CP\t2020-03-05\n")
    _write(folder / "rong.txt", b"")
    _write(folder / "rac.txt", os.urandom(4096))
    _write(folder / "hong.pdf", b"%PDF-1.7\n" + os.urandom(4096))
    _write(folder / "gia.docx", "Đây không phải tệp Word")
    return folder


def _ingest_json(*args: str, env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    proc = run_kho("ingest", *args, "--json", "--no-progress", env=env, check=False)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(r["path"]).name: r for r in report["results"]}


def _registry_snapshot(env: dict[str, str]) -> tuple[dict[str, tuple[str, int]], dict[str, int]]:
    """Per file (state, chunks) and per document id its chunk count, from `kho docs --json`."""
    out = kho_json("docs", env=env)
    files = {Path(f["path"]).name: (f["state"], f["n_chunks"]) for f in out["files"]}
    docs = {d["id"]: d["n_chunks"] for d in out["documents"]}
    return files, docs


def test_folder_ingest_indexes_good_files_fails_bad_ones_with_reasons_and_ignores_non_documents(
    tmp_path: Path,
) -> None:
    folder = _mixed_folder(tmp_path)
    env = _env(tmp_path / "data")

    rc, report, stderr = _ingest_json(str(folder), env=env)

    assert rc == 1, "some files failed, so the run exits 1"
    assert "Traceback" not in stderr
    results = _by_name(report)
    assert set(results) == {*GOOD, *BAD_REASONS}, "non-documents are not attempted"
    assert sorted(Path(p).name for p in report["ignored"]) == sorted(IGNORED)
    for name in GOOD:
        r = results[name]
        assert r["state"] == "indexed", r
        assert r["n_documents"] == 1 and r["n_chunks"] >= 2, r
        assert r["reason"] is None
    for name, word in BAD_REASONS.items():
        r = results[name]
        assert r["state"] in ("failed", "failed_no_text"), r
        assert word in (r["reason"] or ""), f"{name}: reason {r['reason']!r} should mention {word!r}"
        assert r["n_chunks"] == 0
    assert report["totals"]["indexed"] == 2
    assert report["totals"]["failed"] + report["totals"]["failed_no_text"] == 4
    assert report["n_documents_indexed"] == 2
    assert report["n_chunks_indexed"] == sum(results[n]["n_chunks"] for n in GOOD)


def test_second_folder_ingest_skips_unchanged_good_files_and_leaves_chunk_counts_identical(
    tmp_path: Path,
) -> None:
    folder = _mixed_folder(tmp_path)
    env = _env(tmp_path / "data")
    first_rc, first, _ = _ingest_json(str(folder), env=env)
    assert first_rc == 1
    files_before, docs_before = _registry_snapshot(env)
    assert len(docs_before) == 2 and all(n > 0 for n in docs_before.values())

    rc, report, stderr = _ingest_json(str(folder), env=env)

    assert rc == 1, "the bad files still fail"
    assert "Traceback" not in stderr
    results = _by_name(report)
    first_results = _by_name(first)
    for name in GOOD:
        assert results[name]["state"] == "skipped_unchanged", results[name]
        assert results[name]["n_chunks"] == first_results[name]["n_chunks"]
    for name in BAD_REASONS:
        assert results[name]["state"] in ("failed", "failed_no_text")
    assert report["totals"]["indexed"] == 0
    assert report["n_chunks_indexed"] == 0
    assert _registry_snapshot(env) == (files_before, docs_before)


def test_ingesting_a_path_that_does_not_exist_fails_it_and_exits_nonzero_without_traceback(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "khong-co"
    env = _env(tmp_path / "data")

    rc, report, stderr = _ingest_json(str(missing), env=env)

    assert rc != 0
    assert "Traceback" not in stderr
    assert report["results"] == [
        {
            "path": str(missing.resolve()),
            "state": "failed",
            "reason": "path does not exist",
            "n_documents": 0,
            "n_chunks": 0,
            "seconds": 0.0,
        }
    ]
    plain = run_kho("ingest", str(missing), "--no-progress", env=env, check=False)
    assert plain.returncode != 0
    assert "FAILED" in plain.stdout and "path does not exist" in plain.stdout
    assert "Traceback" not in plain.stderr


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_parse_of_phapdien_file_keeps_heading_less_article_inherits_its_source_and_ignores_the_list(
    tmp_path: Path, form: str
) -> None:
    # NFD is how macOS and some editors save Vietnamese: the parser must see and store the same text as NFC.
    path = _write(tmp_path / "van-thu.md", unicodedata.normalize(form, PHAPDIEN_MD))

    out = kho_json("parse", str(path), env=_env(tmp_path / "data"))

    assert out["format"] == "phapdien"
    assert out["document"]["title"] == "Pháp điển — Công tác văn thư thử nghiệm"
    articles = out["articles"]
    assert len(articles) == 2, "the 'Danh sách điều khoản' list must not add articles"
    first, second = articles
    assert first["number"] == "42.1.NĐ.1" and first["title"] == "Phạm vi điều chỉnh"
    assert first["source"]["document"] == "30/2020/NĐ-CP" and first["source"]["article"] == "1"
    src = second["source"]
    assert src is not None, "the heading-less article is started by its source line"
    assert src["document"] == "30/2020/NĐ-CP"
    assert src["article"] == "2"
    assert src["ngay_ban_hanh"] == "2020-03-05", "issue date inherited from the first article of the decree"
    assert src["ngay_hieu_luc"] == "2020-03-05"
    assert src["trich_yeu"] == "Về công tác văn thư" and src["co_quan"] == "Chính phủ"
    assert [c["number"] for c in second["clauses"]] == ["1", "2"]
    assert first["end"] <= second["start"], "the first article stops where the source line starts the second"

    chunks = out["chunks"]
    assert [c["citation"]["article"] for c in chunks] == ["1", "2"]
    for c in chunks:
        assert unicodedata.is_normalized("NFC", c["text"]), c["text"]
        assert "Danh sách" not in c["text"] and "42001000" not in c["text"]
        assert "Đối tượng áp dụng" not in c["text"], "no heading from the trailing list leaks into a chunk"
    assert "văn thư" in chunks[0]["text"]
    assert chunks[1]["text"].startswith("(Điều 2 Nghị định số 30/2020/NĐ-CP")
    assert "Tổ chức chính trị - xã hội" in chunks[1]["text"]


def test_default_corpus_without_the_shared_folder_exits_2_and_says_how_to_ingest_own_files(
    tmp_path: Path,
) -> None:
    proc = run_kho(
        "ingest",
        "--default-corpus",
        "--no-progress",
        env=_env(tmp_path / "data", KHO_SHARED_DIR="/nonexistent"),
        check=False,
    )

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "KHO_SHARED_DIR" in proc.stderr
    assert "kho ingest PATH" in proc.stderr
    assert "/nonexistent/corpus" in proc.stderr
    assert not (tmp_path / "data" / "registry.sqlite3").exists(), "nothing is stored"


@pytest.mark.shared
def test_default_corpus_indexes_every_manifest_file_with_its_metadata_overrides_and_shows_articles(
    tmp_path: Path,
) -> None:
    from core.settings import Settings
    from corpus import load_manifest

    manifest = load_manifest(Settings(shared_dir=SHARED, data_dir=tmp_path / "unused"))
    missing = [p for p in manifest.paths() if not p.exists()]
    if missing:
        pytest.skip(f"needs ../shared beside the checkout ({missing[0]} not found)")
    env = _env(tmp_path / "data", KHO_SHARED_DIR=str(SHARED))

    rc, report, stderr = _ingest_json("--default-corpus", env=env)

    assert rc == 0, stderr
    states = {r["path"]: r["state"] for r in report["results"]}
    assert states == {str(p.resolve()): "indexed" for p in manifest.paths()}
    docs = kho_json("docs", env=env)["documents"]
    strategy = [d for d in docs if Path(d["file_path"]).name == "chien-luoc-chuyen-doi-so-bnv-den-2030.txt"]
    assert len(strategy) == 1
    assert strategy[0]["title"] == "Chiến lược chuyển đổi số của Bộ Nội vụ đến năm 2030"
    assert strategy[0]["access_level"] == "internal"
    assert strategy[0]["loai"] == "Chiến lược" and strategy[0]["co_quan"] == "Bộ Nội vụ"
    plan = next(d for d in docs if Path(d["file_path"]).name == "ke-hoach-chuyen-doi-so-bnv-2024.txt")
    assert plan["access_level"] == "internal"
    laws = [d for d in docs if "/laws/" in d["file_path"]]
    assert laws and all(d["access_level"] == "public" for d in laws)

    shown = run_kho("show", "Điều 29", "-d", "58/2010/QH12", env=env)
    assert "Luật Viên chức" in shown.stdout
    assert "Đơn phương chấm dứt hợp đồng làm việc" in shown.stdout


def test_unknown_access_level_exits_2_listing_the_valid_values(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    proc = run_kho(
        "ingest",
        str(folder),
        "--access-level",
        "secret",
        "--no-progress",
        env=_env(tmp_path / "data"),
        check=False,
    )

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "secret" in proc.stderr
    for value in ("public", "internal", "restricted"):
        assert value in proc.stderr
    assert not (tmp_path / "data" / "registry.sqlite3").exists(), "nothing is stored"
