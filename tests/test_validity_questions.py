"""The question set whose answers changed with an amendment or repeal, and its scorer (eval/validity_questions.py)."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from corpus import load_manifest
from eval.validity_questions import (
    CORPUS_MANIFEST,
    QUESTIONS,
    ChangeKind,
    ValidityQuestion,
    article_text,
    consolidated_article_text,
    contains,
    current_correct,
    load_questions,
    past_correct,
    run_validity_questions,
    superseded_as_current,
)
from tests.conftest import CORPUS, SHARED, shared_path

VC_25: dict[str, Any] = {
    "id": "vc-25-1",
    "question": "Hợp đồng làm việc xác định thời hạn của viên chức có thời hạn tối đa bao lâu?",
    "law": "58/2010/QH12",
    "article": "25",
    "clause": "1",
    "kind": "amend",
    "current": {"phrases": ["60 tháng"], "file": "phapdien/x.md", "since": "2020-07-01", "by": "52/2019/QH14"},
    "superseded": {"phrases": ["36 tháng"], "file": "laws/x.txt", "from": "2012-01-01", "to": "2020-07-01"},
    "as_of_past": "2015-01-01",
}
KN_61: dict[str, Any] = {
    "id": "kn-61-1",
    "question": "Chủ tịch Ủy ban nhân dân cấp xã phải trực tiếp tiếp công dân định kỳ bao lâu một lần?",
    "law": "02/2011/QH13",
    "article": "61",
    "clause": "1",
    "kind": "repeal",
    "current": {"phrases": [], "repealed": True, "since": "2014-07-01", "by": "42/2013/QH13"},
    "superseded": {
        "phrases": ["mỗi tuần ít nhất một ngày"],
        "file": "laws/y.txt",
        "from": "2012-07-01",
        "to": "2014-07-01",
    },
    "as_of_past": "2013-06-01",
}


def _item(d: dict[str, Any] = VC_25, **changes: Any) -> ValidityQuestion:
    return ValidityQuestion.from_json({**d, **changes})


def _version(
    badge: str = "current", notice: str | None = None, changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "kind": "consolidated",
        "valid_from": None,
        "valid_to": None,
        "badge": badge,
        "label": "",
        "changes": changes or [],
        "notice": notice,
    }


def _citation(text: str, **version: Any) -> dict[str, Any]:
    return {
        "marker": 1,
        "anchor": "a",
        "citation": {"document": "58/2010/QH12", "article": "25", "clause": "1", "point": None},
        "text": text,
        "document_id": "d",
        "version": _version(**version),
    }


def _answer(
    text: str = "",
    citations: list[dict[str, Any]] | None = None,
    notices: list[str] | None = None,
    refused: bool = False,
) -> dict[str, Any]:
    return {
        "answer": text,
        "refused": refused,
        "as_of": "2026-01-01",
        "notices": notices or [],
        "citations": citations or [],
    }


# ------------------------------------------------------------------------------------------------ the data


def test_a_malformed_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(VC_25, ensure_ascii=False) + "\n" + '{"id": "x", "kind": "amend"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        load_questions(bad)


def test_an_unknown_kind_names_the_valid_kinds() -> None:
    with pytest.raises(ValueError, match="amend, supplement, repeal"):
        _item(kind="replace")


def test_a_repeal_item_must_say_repealed_and_carry_no_current_phrase() -> None:
    with pytest.raises(ValueError, match="repealed"):
        _item(kind="repeal")
    with pytest.raises(ValueError, match="no current phrases"):
        _item(KN_61, current={**KN_61["current"], "phrases": ["mỗi tháng"]})


def test_the_past_date_must_fall_while_the_superseded_rule_applied() -> None:
    with pytest.raises(ValueError, match="as_of_past"):
        _item(as_of_past="2021-01-01")


def test_a_repeated_id_is_rejected(tmp_path: Path) -> None:
    twice = tmp_path / "twice.jsonl"
    twice.write_text((json.dumps(VC_25, ensure_ascii=False) + "\n") * 2, encoding="utf-8")
    with pytest.raises(ValueError, match="twice.jsonl:2: duplicate id"):
        load_questions(twice)


def test_the_shipped_set_has_40_items_over_5_laws_with_repeals() -> None:
    items = load_questions(QUESTIONS)
    assert len(items) >= 40
    assert len({q.law for q in items}) >= 5
    assert sum(q.kind is ChangeKind.REPEAL for q in items) >= 4
    assert {q.kind for q in items} == set(ChangeKind)
    assert len({unicodedata.normalize("NFC", q.question) for q in items}) == len(items)


def test_no_question_gives_away_its_answer() -> None:
    for q in load_questions(QUESTIONS):
        for p in (*q.current.phrases, *q.superseded.phrases):
            assert not contains(q.question, p), f"{q.id}: the question already contains {p!r}"


@pytest.mark.shared
def test_every_phrase_is_in_its_article_and_no_superseded_phrase_is_in_the_current_text() -> None:
    shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    for q in load_questions(QUESTIONS):
        assert q.current.file is not None, q.id
        enacted = article_text(CORPUS, q.superseded.file, q.law, q.article)
        current = article_text(CORPUS, q.current.file, q.law, q.article)
        assert enacted and current, f"{q.id}: Điều {q.article} of {q.law} not found"
        for p in q.superseded.phrases:
            assert contains(enacted, p), f"{q.id}: {p!r} not in the enacted article"
            assert not contains(current, p), f"{q.id}: superseded {p!r} still in the current article"
        for p in q.current.phrases:
            assert contains(current, p), f"{q.id}: {p!r} not in the current article"
            assert not contains(enacted, p), f"{q.id}: current {p!r} was already in the enacted article"


@pytest.mark.shared
def test_each_consolidated_article_is_changed_by_the_named_law_on_the_named_day() -> None:
    shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    for q in load_questions(QUESTIONS):
        assert q.current.file is not None
        found = consolidated_article_text(CORPUS / q.current.file, q.law, q.article)
        assert found is not None, q.id
        source = found[0]
        assert f"Luật số {q.current.by}" in source, f"{q.id}: {source}"
        assert f"kể từ ngày {q.current.since:%d/%m/%Y}" in source, f"{q.id}: {source}"
        if q.kind is ChangeKind.REPEAL:
            assert "bãi bỏ" in source, f"{q.id}: {source}"


@pytest.mark.shared
def test_the_corpus_manifest_lists_exactly_the_files_the_questions_need(tmp_path: Path) -> None:
    shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md")
    manifest = load_manifest(Settings(shared_dir=SHARED, data_dir=tmp_path / "data"), manifest=CORPUS_MANIFEST)
    listed = {p.relative_to(manifest.root).as_posix() for p in manifest.paths()}
    needed = {f for q in load_questions(QUESTIONS) for f in (q.superseded.file, q.current.file) if f}
    assert listed == needed
    assert all(p.exists() for p in manifest.paths())


# ------------------------------------------------------------------------------------------------ the scorer


def test_an_answer_stating_the_current_rule_is_current_correct() -> None:
    item = _item()
    assert current_correct(item, _answer("Tối đa 60 tháng."))
    assert current_correct(item, _answer("Xem Điều 25.", [_citation("từ đủ 12 tháng đến 60 tháng.")]))
    assert not superseded_as_current(item, _answer("Tối đa 60 tháng.", [_citation("từ đủ 12 tháng đến 60 tháng.")]))


def test_an_answer_giving_only_the_old_rule_is_not_current_correct() -> None:
    assert not current_correct(_item(), _answer("Tối đa 36 tháng."))


def test_a_refusal_is_wrong_for_an_amended_rule() -> None:
    assert not current_correct(_item(), _answer("60 tháng", refused=True))


def test_a_superseded_quote_without_notice_counts_as_superseded_as_current() -> None:
    answer = _answer("Xem Điều 25.", [_citation("từ đủ 12 tháng đến 36 tháng.", badge="current")])
    assert superseded_as_current(_item(), answer)


def test_the_same_quote_with_a_version_notice_does_not_count() -> None:
    notice = "Đã được sửa đổi bởi Luật số 52/2019/QH14 từ 01/07/2020"
    answer = _answer("Xem Điều 25.", [_citation("từ đủ 12 tháng đến 36 tháng.", badge="amended", notice=notice)])
    assert not superseded_as_current(_item(), answer)


def test_the_same_quote_badged_superseded_does_not_count() -> None:
    answer = _answer("Xem Điều 25.", [_citation("từ đủ 12 tháng đến 36 tháng.", badge="superseded")])
    assert not superseded_as_current(_item(), answer)


def test_an_old_phrase_in_the_answer_text_counts_only_when_the_answer_has_no_notices() -> None:
    text = "Trước đây là 36 tháng, nay là 60 tháng."
    assert superseded_as_current(_item(), _answer(text))
    assert not superseded_as_current(_item(), _answer(text, notices=["Điều 25 đã được sửa đổi năm 2019."]))


def test_comparison_ignores_case_unicode_form_and_spacing() -> None:
    item = _item(current={**VC_25["current"], "phrases": ["Thời hiệu xử lý kỷ luật"]})
    decomposed = unicodedata.normalize("NFD", "THỜI HIỆU   xử lý\nkỷ luật là 02 năm")
    assert current_correct(item, _answer(decomposed))


def test_a_refusal_is_correct_for_a_repealed_rule() -> None:
    assert current_correct(_item(KN_61), _answer("", refused=True))


def test_a_repeal_counts_when_a_notice_or_a_repealed_badge_names_the_repealing_law() -> None:
    item = _item(KN_61)
    assert current_correct(item, _answer("…", notices=["Điều 61 đã bị bãi bỏ bởi Luật số 42/2013/QH13."]))
    assert not current_correct(item, _answer("…", notices=["Điều 61 đã bị bãi bỏ bởi Luật số 99/2099/QH99."]))
    change = {"kind": "repeal", "by": "42/2013/QH13", "since": "2014-07-01", "target": "Điều 61", "sentence": ""}
    cited = _citation("Chủ tịch Ủy ban nhân dân cấp xã mỗi tuần ít nhất một ngày;", badge="repealed", changes=[change])
    assert current_correct(item, _answer("…", [cited]))
    assert not superseded_as_current(item, _answer("…", [cited]))


def test_a_repealed_rule_answered_as_if_in_force_is_wrong_and_counts_as_superseded() -> None:
    item = _item(KN_61)
    answer = _answer(
        "Mỗi tuần ít nhất một ngày.", [_citation("a) Chủ tịch Ủy ban nhân dân cấp xã mỗi tuần ít nhất một ngày;")]
    )
    assert not current_correct(item, answer)
    assert superseded_as_current(item, answer)


def test_a_past_answer_is_correct_when_it_states_the_superseded_rule() -> None:
    assert past_correct(_item(), _answer("Tối đa 36 tháng."))
    assert not past_correct(_item(), _answer("Tối đa 60 tháng."))


# ------------------------------------------------------------------------------------------------ the runner


def _informed(items: list[ValidityQuestion]) -> Any:
    """An assistant that knows every item: the current rule today, the old one as of the past date."""
    by_question = {q.question: q for q in items}
    calls: list[tuple[str, date | None]] = []

    def ask(question: str, as_of: date | None) -> dict[str, Any]:
        calls.append((question, as_of))
        q = by_question[question]
        if as_of is not None:
            return _answer(q.superseded.phrases[0])
        if q.kind is ChangeKind.REPEAL:
            return _answer("Quy định này không còn hiệu lực.", notices=[f"Đã bị bãi bỏ bởi Luật số {q.current.by}."])
        return _answer(q.current.phrases[0])

    ask.calls = calls  # type: ignore[attr-defined]
    return ask


def test_the_runner_asks_today_and_the_past_date_and_scores_an_informed_assistant_fully() -> None:
    items = load_questions(QUESTIONS)
    ask = _informed(items)
    out = run_validity_questions(ask, items).to_json()
    assert out["n"] == len(items)
    assert out["current_rule_accuracy"] == 1.0 and out["past_accuracy"] == 1.0
    assert out["superseded_quoted_as_current"] == 0 and out["failures"] == []
    assert set(out["per_law"]) == {q.law for q in items}
    assert sum(v["n"] for v in out["per_law"].values()) == len(items)
    assert [a for _, a in ask.calls] == [x for q in items for x in (None, q.as_of_past)]


def test_a_stale_assistant_fails_and_every_item_is_listed_with_why() -> None:
    items = load_questions(QUESTIONS)

    def stale(question: str, as_of: date | None) -> dict[str, Any]:
        q = next(i for i in items if i.question == question)
        return _answer(q.superseded.phrases[0])

    out = run_validity_questions(stale, items).to_json()
    assert out["current_rule_accuracy"] == 0.0
    assert out["superseded_quoted_as_current"] == len(items)
    assert out["past_accuracy"] == 1.0
    assert {f["id"] for f in out["failures"]} == {q.id for q in items}
    assert all("superseded text quoted as current" in f["why"] for f in out["failures"])


def test_without_the_past_run_past_accuracy_is_none_and_each_item_is_asked_once() -> None:
    items = [_item(), _item(KN_61)]
    ask = _informed(items)
    out = run_validity_questions(ask, items, as_of_past=False).to_json()
    assert out["past_accuracy"] is None and len(ask.calls) == 2
    assert out["per_kind"]["repeal"]["current_rule_accuracy"] == 1.0


def test_an_assistant_that_raises_is_scored_wrong_and_the_error_named() -> None:
    def broken(question: str, as_of: date | None) -> dict[str, Any]:
        raise RuntimeError("model not loaded")

    out = run_validity_questions(broken, [_item()]).to_json()
    assert out["current_rule_accuracy"] == 0.0 and out["past_accuracy"] == 0.0
    assert any("RuntimeError: model not loaded" in w for w in out["failures"][0]["why"])
