"""Answer-accuracy scoring: label parsing, free-text F1, stratified sampling, the report's JSON contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.answers import AnswerReport, ItemResult, stratified, token_f1
from eval.retrieval import EvalQuestion, GoldItem


def test_free_text_f1() -> None:
    assert token_f1("12 tháng", "12 tháng") == 1.0
    assert token_f1("", "12 tháng") == 0.0


def q(i: int, kind: str) -> EvalQuestion:
    return EvalQuestion(str(i), "?", kind, "alqac", (GoldItem("Luật", "1"),), answer="Đúng")


def test_limit_takes_every_type_in_turn() -> None:
    items = [q(i, "true_false") for i in range(5)] + [q(10 + i, "multiple_choice") for i in range(2)]
    items += [q(20, "retrieval_only")]
    picked = stratified(items, 4)
    assert [x.type for x in picked] == ["true_false", "multiple_choice", "true_false", "multiple_choice"]
    assert all(x.type != "retrieval_only" for x in stratified(items, None))
    skipped = stratified(items, None, ("true_false", "multiple_choice"), offset=1)
    assert [x.id for x in skipped] == ["1", "11", "2", "3", "4"]


def test_report_has_the_contract_fields() -> None:
    rep = AnswerReport(
        "d.jsonl",
        [
            ItemResult(
                "1", "true_false", True, "Đúng", False, [("Điều 1", "gold"), ("Điều 2", "other")], True, None, 2.0, 1.0
            ),
            ItemResult("2", "multiple_choice", False, None, True, [], False, None, 1.0),
        ],
    )
    data = rep.to_json()
    for key in (
        "n",
        "accuracy",
        "accuracy_by_type",
        "refusal_rate",
        "citation_precision",
        "citation_recall",
        "verified_rate",
        "latency_s_p50",
        "latency_s_p95",
        "ttft_s_p50",
    ):
        assert key in data
    assert data["accuracy"] == 0.5 and data["refusal_rate"] == 0.5
    with_text = AnswerReport("d", [*rep.items, ItemResult("3", "free_text", False, None, False, [], False, True, 1.0)])
    assert with_text.to_json()["accuracy"] == 0.5  # free text is scored by F1, not in the exact-match accuracy
    assert data["citation_precision"] == 0.5 and data["citation_recall"] == 0.5
    assert data["accuracy_by_type"] == {"multiple_choice": 0.0, "true_false": 1.0}


def _trace(raw: dict[str, float], cal: dict[str, float], missing: tuple[str, ...] = ()) -> dict[str, object]:
    return {"raw": raw, "calibrated": cal, "missing_numbers": list(missing), "label": ""}


def test_ablation_rescores_the_same_run_with_steps_left_out() -> None:
    """Raw says "Đúng" to everything; calibration and the number check each fix one item here."""
    tf = [
        ItemResult(
            "1",
            "true_false",
            True,
            "Sai",
            False,
            [],
            True,
            None,
            1.0,
            gold="Sai",
            trace={"judgement": _trace({"quote": 1.0, "passages": 1.0}, {"quote": -0.5, "passages": -0.2})},
        ),
        ItemResult(
            "2",
            "true_false",
            True,
            "Sai",
            False,
            [],
            True,
            None,
            1.0,
            gold="Sai",
            trace={"judgement": _trace({"quote": 2.0, "passages": 2.0}, {"quote": 0.5, "passages": 0.5}, ("36",))},
        ),
        ItemResult(
            "3",
            "true_false",
            True,
            "Đúng",
            False,
            [],
            True,
            None,
            1.0,
            gold="Đúng",
            trace={"judgement": _trace({"quote": 2.0, "passages": 2.0}, {"quote": 1.0, "passages": 1.0})},
        ),
    ]
    choices = {
        k: _trace({"passages": v}, {"quote": v, "passages": v}) for k, v in {"A": 0.2, "B": 0.5, "C": 2.0}.items()
    }
    mc = ItemResult(
        "4",
        "multiple_choice",
        True,
        "A",
        False,
        [],
        True,
        None,
        1.0,
        gold="A",
        trace={"choices": choices, "composites": {"D": ["all", ["A", "B", "C"]]}, "wrong_wanted": True},
    )
    table = AnswerReport("d", [*tf, mc]).to_json()["ablation"]
    assert table["true_false"]["passages view, raw model probability"] == round(1 / 3, 4)
    assert table["true_false"]["both views voted (calibrated)"] == round(2 / 3, 4)
    assert table["true_false"]["+ number check (the pipeline)"] == 1.0
    assert table["multiple_choice"]["per-choice, passages view, raw"] == 0.0  # C is the most "true"
    assert table["multiple_choice"]["+ composite choices and NOT-questions (the pipeline)"] == 1.0  # NOT → A


def test_kho_eval_answers_passes_offset_and_types_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wiring only (a stub stands in for the minutes-long real evaluation): `--offset` once failed to reach it."""
    from typer.testing import CliRunner

    import eval.answers
    from ui.cli import app

    seen: dict[str, object] = {}

    def stub(dataset: Path, settings: object, **kwargs: object) -> eval.answers.AnswerReport:
        seen.update(kwargs)
        return eval.answers.AnswerReport(dataset=dataset.name)

    monkeypatch.setattr(eval.answers, "run_answer_eval", stub)
    result = CliRunner().invoke(
        app, ["eval", "answers", "--dataset", "x.jsonl", "--offset", "40", "--limit", "5", "--types", "true_false"]
    )
    assert result.exit_code == 0, result.output
    assert seen["offset"] == 40 and seen["limit"] == 5 and seen["types"] == ("true_false",)
