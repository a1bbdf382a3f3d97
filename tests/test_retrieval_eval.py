"""Retrieval evaluation: gold matching, the metrics, dataset errors, and `kho eval retrieval` on real ALQAC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.retrieval import DatasetError, GoldItem, judge, load_dataset, score_ranking
from index.search import Hit
from ingest.model import Citation
from tests.conftest import SHARED, kho_json, run_kho


def hit(document: str, article: str, title: str = "") -> Hit:
    return Hit(
        chunk_id="c",
        document_id="d",
        anchor=f"Điều {article} {document}",
        citation=Citation(document=document, title=title or document, article=article),
        score=1.0,
        text="",
        heading_path=[],
        start=0,
        end=0,
        so_hieu=None,
        loai=None,
        co_quan=None,
        year=None,
        hieu_luc="chua_xac_dinh",
        access_level="public",
        title=title,
    )


def test_gold_matches_by_number_case_and_normalisation_insensitively() -> None:
    hits = [hit("30/2020/NĐ-CP", "5"), hit("30/2020/NĐ-CP", "33"), hit("58/2010/QH12", "29")]
    relevant, found = judge(hits, [GoldItem("30/2020/nđ-cp", "33")])
    assert relevant == [False, True, False] and found == [2]


def test_gold_matches_by_law_title_for_alqac() -> None:
    hits = [hit("Bộ luật dân sự", "260")]
    relevant, found = judge(hits, [GoldItem("Bộ Luật Dân sự", "260"), GoldItem("Bộ luật dân sự", "261")])
    assert relevant == [True] and found == [1]


def test_metrics_of_one_ranking() -> None:
    m = score_ranking([False, False, True, True], n_gold=2, found_ranks=[3, 4])
    assert m["recall@1"] == 0 and m["recall@5"] == 1.0 and m["mrr@10"] == pytest.approx(1 / 3)
    ideal = 1 + 1 / 1.5849625
    assert m["ndcg@10"] == pytest.approx((0.5 + 1 / 2.3219281) / ideal, rel=1e-4)
    assert score_ranking([False] * 10, n_gold=1, found_ranks=[])["mrr@10"] == 0.0


def test_dataset_errors_name_the_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "q", "corpus": "alqac", "gold": []}\n{"id": "2", "question": "q"}\n')
    with pytest.raises(DatasetError, match=r"bad.jsonl:2: missing field 'gold'"):
        load_dataset(bad)
    bad.write_text("{not json\n")
    with pytest.raises(DatasetError, match=r"bad.jsonl:1: not valid JSON"):
        load_dataset(bad)
    with pytest.raises(DatasetError, match="no such dataset file"):
        load_dataset(tmp_path / "missing.jsonl")


@pytest.mark.shared
def test_kho_eval_retrieval_on_alqac_bm25(data_dir: Path) -> None:
    dataset = SHARED / "eval" / "alqac25_dev.jsonl"
    if not dataset.exists():
        pytest.skip("needs ../shared/eval")
    out = kho_json("eval", "retrieval", "--dataset", str(dataset), "--mode", "bm25", "--limit", "80")
    assert out["n"] == 80 and out["mode"] == "bm25" and out["corpus"] == "alqac"
    for key in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50", "latency_ms_p95"):
        assert key in out
    assert out["recall@1"] <= out["recall@5"] <= out["recall@10"]
    assert out["recall@10"] >= 0.85 and out["mrr@10"] >= 0.7  # a broken tokenizer/matcher falls far below
    # The evaluation ran in its own workspace, not in the user's index.
    assert (data_dir / "eval" / "alqac" / "registry.sqlite3").exists()
    assert not (data_dir / "registry.sqlite3").exists()


def test_kho_eval_retrieval_refuses_a_bad_mode_and_a_bad_file(data_dir: Path, tmp_path: Path) -> None:
    proc = run_kho("eval", "retrieval", "--dataset", "x.jsonl", "--mode", "semantic", check=False)
    assert proc.returncode == 2 and "--mode must be one of" in proc.stderr
    bad = tmp_path / "q.jsonl"
    bad.write_text(json.dumps({"id": "1", "question": "q", "gold": [], "corpus": "atlantis"}) + "\n")
    proc = run_kho("eval", "retrieval", "--dataset", str(bad), "--mode", "bm25", check=False)
    assert proc.returncode == 2 and "unknown evaluation corpus 'atlantis'" in proc.stderr
