"""`kho eval validity`: relation extraction scored against hand-checked events (eval/validity.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import Settings
from eval.validity import GOLD, load_gold, score_extraction
from tests.conftest import kho_json, shared_path


def test_a_malformed_gold_line_is_named() -> None:
    bad = Path(__file__).parent / "artifacts" / "bad_gold.jsonl"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text('{"id": "g1", "kind": "amend"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad_gold.jsonl:1"):
        load_gold(bad)


def test_the_shipped_gold_set_is_large_and_varied_enough() -> None:
    gold = load_gold(GOLD)
    assert len(gold) >= 100 and len({g.file for g in gold}) >= 8
    assert {g.kind for g in gold} >= {"amend", "supplement", "repeal", "reference"}


@pytest.mark.shared
def test_vien_chuc_amendments_are_all_found_and_a_wrong_target_is_not_a_match(tmp_path: Path) -> None:
    shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    events = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    mine = [e for e in events if e["source"]["file"].endswith("vien-chuc.md") and e["kind"] == "amend"]
    assert mine
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in mine), encoding="utf-8")
    ok = score_extraction(Settings(data_dir=tmp_path / "data"), gold)
    assert ok["applied"]["recall"] == 1.0 and ok["applied"]["effective_date_agrees"] == 1.0
    for e in mine:
        e["target"]["article"] = "999"  # the same spans, but events the text does not state
    gold.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in mine), encoding="utf-8")
    wrong = score_extraction(Settings(data_dir=tmp_path / "data"), gold)
    assert wrong["applied"]["recall"] == 0.0 and wrong["applied"]["precision"] == 0.0


@pytest.mark.shared
def test_kho_eval_validity_prints_the_figures_as_json() -> None:
    shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    data = kho_json("eval", "validity", "--limit", "6")
    ex, q = data["extraction"], data["questions"]
    assert ex["events"] >= 100 and 0 < ex["all"]["recall"] <= 1 and ex["applied"]["precision"] is not None
    # the law-in-force questions, asked today and on a past day over their own corpus workspace
    assert q["n"] == 6 and q["mode"] == "extractive" and q["as_of_past"] is True
    assert q["superseded_quoted_as_current"] == 0  # the target: no superseded text quoted as current
