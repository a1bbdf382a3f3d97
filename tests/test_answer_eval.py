"""Answer-accuracy scoring: label parsing, free-text F1, stratified sampling, the report's JSON contract."""

from __future__ import annotations

from eval.answers import AnswerReport, ItemResult, parse_label, stratified, token_f1
from eval.retrieval import EvalQuestion, GoldItem


def test_label_is_read_after_the_conclusion_even_when_the_quote_mentions_others() -> None:
    out = "Trích dẫn: Phương án A không đúng vì ... Đúng là\nĐáp án: C"
    assert parse_label(out, ("A", "B", "C", "D")) == "C"
    assert parse_label("Kết luận: **Sai**", ("Đúng", "Sai")) == "Sai"
    assert parse_label("không rõ", ("Đúng", "Sai")) is None


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
