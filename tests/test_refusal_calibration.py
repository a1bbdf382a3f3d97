"""Refusal calibration: the threshold picking on synthetic scores, and which questions count as unanswerable."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidencePolicy, assess
from core.settings import Settings
from eval.refusal import (
    OFF,
    OUT_OF_DOMAIN,
    CorpusDocuments,
    Scores,
    document_titles,
    operating_point,
    pick_thresholds,
    split_unanswerable,
    title_key,
    trade_off_curve,
)
from eval.retrieval import EvalQuestion, GoldItem, load_dataset
from index.search import Hit
from ingest.job import run_ingest
from ingest.model import Citation
from ingest.registry import Registry
from tests.legal_fixtures import LUAT


def q(id: str, *gold: str) -> EvalQuestion:
    return EvalQuestion(id, "câu hỏi", "retrieval_only", "phapdien+laws", tuple(GoldItem(g, "1") for g in gold))


# 20 answerable questions: 18 clearly covered, 2 weak ones that only a loose threshold accepts.
ANSWERABLE = [Scores(f"a{i}", 0.8, 0.70) for i in range(18)] + [Scores("a18", 0.4, 0.45), Scores("a19", 0.3, 0.52)]
# Unanswerable ones sit between: refusing them all would refuse the weak answerable ones too.
UNANSWERABLE = {
    "in_domain": [Scores(f"u{i}", 0.5, 0.55) for i in range(6)] + [Scores(f"v{i}", 0.35, 0.40) for i in range(4)],
    "out_of_domain": [Scores(f"o{i}", 0.1, 0.20) for i in range(5)],
}


def test_picked_thresholds_keep_the_false_refusal_budget() -> None:
    for budget in (0.0, 0.05, 0.10):
        p = pick_thresholds(ANSWERABLE, UNANSWERABLE, max_false_refusal=budget)
        assert p.false_refusal <= budget
    # with no false refusal allowed, the weak answerable questions force loose thresholds
    strict = pick_thresholds(ANSWERABLE, UNANSWERABLE, max_false_refusal=0.0)
    assert all(s.accepted(strict.min_coverage, strict.min_similarity) for s in ANSWERABLE)


def test_a_larger_budget_buys_more_refusals_of_unanswerable_questions() -> None:
    tight = pick_thresholds(ANSWERABLE, UNANSWERABLE, max_false_refusal=0.0)
    loose = pick_thresholds(ANSWERABLE, UNANSWERABLE, max_false_refusal=0.10)
    assert loose.refused_mean > tight.refused_mean
    assert loose.refused["in_domain"] == 1.0 and loose.false_refusal == pytest.approx(0.10)


def test_among_points_within_budget_the_one_accepting_fewer_unanswerable_questions_wins() -> None:
    p = pick_thresholds(ANSWERABLE, UNANSWERABLE, max_false_refusal=0.05)
    # the "v" questions can be refused without losing an answerable one (coverage in (0.35, 0.4], similarity in
    # (0.40, 0.52]); the "u" ones cannot, short of refusing both weak answerable questions (10 %)
    assert p.refused == {"in_domain": 0.4, "out_of_domain": 1.0}
    assert 0.35 < p.min_coverage <= 0.4 and 0.40 < p.min_similarity <= 0.52
    worse = operating_point(ANSWERABLE, UNANSWERABLE, 0.3, OFF)  # also within budget, but accepts the "v" ones
    assert worse.false_refusal <= 0.05 and worse.refused_mean < p.refused_mean


def test_ties_go_to_fewer_false_refusals() -> None:
    answerable = [Scores("a1", 0.9, None), Scores("a2", 0.6, None)]
    unanswerable = {"u": [Scores("u1", 0.2, None)]}
    p = pick_thresholds(answerable, unanswerable, max_false_refusal=0.5)
    # both 0.25 and 0.65 refuse u1; only 0.25 (… up to 0.6) keeps a2
    assert p.refused["u"] == 1.0 and p.false_refusal == 0.0 and 0.2 < p.min_coverage <= 0.6


def test_without_dense_vectors_coverage_decides_alone_and_similarity_is_reported_off() -> None:
    answerable = [Scores(f"a{i}", 0.8, None) for i in range(9)] + [Scores("a9", 0.45, None)]
    unanswerable = {"u": [Scores("u1", 0.3, None), Scores("u2", 0.5, None)]}
    p = pick_thresholds(answerable, unanswerable, max_false_refusal=0.0)
    assert p.min_similarity == OFF and p.to_json()["min_similarity"] == "off"
    assert 0.3 < p.min_coverage <= 0.45 and p.refused["u"] == 0.5  # u2 (0.5) cannot be refused without a9


def test_no_threshold_within_budget_is_an_error_not_a_silent_pick() -> None:
    no_hits = [Scores(f"a{i}", 0.0, None, has_hits=False) for i in range(10)]
    with pytest.raises(ValueError, match="at most 5%"):
        pick_thresholds(no_hits, UNANSWERABLE, max_false_refusal=0.05)
    assert trade_off_curve(no_hits, UNANSWERABLE, budgets=(0.05,)) == {}


def _hit(text: str, dense: float | None) -> Hit:
    return Hit(
        chunk_id="c",
        document_id="d",
        anchor="Điều 1 Luật 77/2099/QH99",
        citation=Citation(document="77/2099/QH99", title="Luật", article="1"),
        score=1.0,
        text=text,
        heading_path=["Điều 1. Thời gian thử việc"],
        start=0,
        end=0,
        so_hieu=None,
        loai=None,
        co_quan=None,
        year=None,
        hieu_luc="chua_xac_dinh",
        access_level="public",
        title="Luật",
        branch_scores={} if dense is None else {"dense": dense},
    )


@pytest.mark.parametrize(
    ("text", "dense"),
    [
        ("Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng.", None),
        ("Việc chấm công được thực hiện bằng thẻ điện tử.", 0.62),
        ("Việc chấm công được thực hiện bằng thẻ điện tử.", 0.31),
        ("Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng.", 0.31),  # full coverage, low cosine
    ],
)
def test_scores_accept_exactly_when_the_evidence_check_does(text: str, dense: float | None) -> None:
    policy = EvidencePolicy()
    question = "Thời gian thử việc của viên chức là bao lâu?"
    ev = assess(question, [_hit(text, dense)], policy, "embeddinggemma-768")
    scores = Scores("x", ev.coverage, ev.similarity)
    min_coverage = policy.coverage_threshold("embeddinggemma-768", ev.similarity is not None)
    assert scores.accepted(min_coverage, policy.similarity_threshold("embeddinggemma-768")) is ev.enough


def test_question_whose_gold_document_is_in_the_corpus_is_not_a_negative(tmp_path: Path) -> None:
    """By document number, against a real registry."""
    law = tmp_path / "luat-77-2099.txt"
    law.write_text(LUAT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    registry = Registry.from_settings(settings)
    run_ingest([law], registry, settings, progress=False)
    corpus = CorpusDocuments.from_registry(registry)
    kept, dropped = split_unanswerable([q("in", "77/2099/qh99"), q("out", "9/2091/TT-BTC")], corpus, {})
    assert [x.id for x in dropped] == ["in"] and [x.id for x in kept] == ["out"]
    assert document_titles(registry) == {"77/2099/qh99": {"Luật Viên chức thử nghiệm"}}
    registry.close()


def test_gold_named_by_number_is_matched_to_a_corpus_that_names_laws_by_title() -> None:
    """ALQAC names its laws by title only; a Zalo gold is a number, resolved through its own corpus' titles."""
    corpus = CorpusDocuments(numbers=frozenset(), titles=frozenset({title_key("Bộ luật dân sự")}))
    titles_of = {
        "91/2015/qh13": {"Bộ luật Dân sự"},
        "21/2021/nđ-cp": {"Nghị định 21/2021/NĐ-CP quy định thi hành Bộ luật Dân sự về bảo đảm thực hiện nghĩa vụ"},
        "92/2015/qh13": {"Bộ luật Tố tụng dân sự"},
    }
    questions = [q("code", "91/2015/QH13"), q("decree", "21/2021/NĐ-CP"), q("procedure", "92/2015/QH13"), q("ood")]
    kept, dropped = split_unanswerable(questions, corpus, titles_of)
    assert [x.id for x in dropped] == ["code", "decree"]  # the code itself, and a decree implementing it
    assert [x.id for x in kept] == ["procedure", "ood"]  # a different code; a question with no gold at all


def test_titles_compare_without_numbers_case_punctuation_or_old_tone_placement() -> None:
    assert title_key("Luật 73/2021/QH14 phòng, chống ma tuý") == title_key("Luật Phòng, chống ma túy")
    assert title_key("Luật số 24/2018/QH14 An ninh mạng") == "luật an ninh mạng"


def test_out_of_domain_fixture_is_a_valid_dataset_without_gold() -> None:
    questions = load_dataset(OUT_OF_DOMAIN)
    assert len(questions) >= 20 and all(not x.gold for x in questions)
    assert len({x.id for x in questions}) == len(questions)
