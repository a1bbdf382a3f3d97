"""Evaluation reports: one stored run as an offline HTML page, a Markdown summary and the PNG plots they show.

`write_report(run, out_dir, previous=None)` writes into `out_dir`:
- `report.html`, one self-contained file (plots as base64 PNG data URIs, inline CSS, no script, no network):
  the headline (the regression gate's verdict, `eval.gate`, with each failed threshold, and the metrics that moved
  most since `previous`), provenance, the metric table with 95 % intervals (and the change against `previous`),
  the plots, the failed free-text answers beside their reference answers, and the worst questions with what was
  retrieved, cited and answered for each;
- `summary.md`, the same headline, provenance and metric table in Markdown, the plots as relative PNG files;
- the plots (`PLOTS`): metric bars with intervals, the recall@k curve, latency histograms, and the breakdowns by
  law and by question type.

Metrics are shown by their human names (`METRIC_LABELS`, `metric_label`), the raw id beside them in small
monospace (and as a title attribute) so it can still be searched for.

Everything is computed from the run's flat metric table and its items (`eval.runs.EvalRun`), so a report can be
written again at any time from the run history. Question text, retrieved text and model output are data: they
are HTML-escaped everywhere.

>>> metric_label("retrieval.recall@5"), metric_label("validity.some_new_rate")
('Recall@5 (gold article in the top 5)', 'Validity: some new rate')

>>> items = [RunItem.from_json({"retrieval": {"found_ranks": [3], "n_gold": 1}}),
...          RunItem.from_json({"retrieval": {"found_ranks": [1, 12], "n_gold": 2}})]
>>> recall_curve(items, k_max=4)
[0.25, 0.25, 0.75, 0.75]
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: reports are written by `kho eval` on servers without a display

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from eval.answers import LABELLED  # noqa: E402
from eval.gate import DEFAULT_THRESHOLDS, Check, Thresholds, ThresholdsError  # noqa: E402
from eval.items import RunItem  # noqa: E402
from eval.ragas_eval import RAGAS_METRICS  # noqa: E402
from eval.runs import EvalRun, direction  # noqa: E402

DPI = 110  # sharp enough on a laptop screen, small enough (tens of kB per plot) to inline in the HTML
CURVE_K = 10  # the suite keeps the top 10 articles of every search
WORST_LIMIT = 10
TOP_SHOWN = 5  # retrieved articles listed per worst question
MOVES_SHOWN = 3  # metrics named in the headline as the largest moves since the previous run

# Metric groups as the report shows them (bars, table order); only 0..1 metrics go into the bar plot.
METRIC_GROUPS: dict[str, tuple[str, ...]] = {
    "Truy hồi / Retrieval": (
        "retrieval.recall@1",
        "retrieval.recall@5",
        "retrieval.recall@10",
        "retrieval.mrr@10",
        "retrieval.ndcg@10",
    ),
    "Trả lời / Answers": (
        "answer.accuracy",
        "answer.accuracy.true_false",
        "answer.accuracy.multiple_choice",
        "answer.free_text_f1",
        "answer.refusal_rate",
        "answer.verified_rate",
        "citation.precision",
        "citation.recall",
    ),
    "Ragas": tuple(f"ragas.{m}" for m in RAGAS_METRICS),
    "Hiệu lực / Law in force": (
        "validity.current_rule_accuracy",
        "validity.past_accuracy",
        "validity.extraction_precision",
        "validity.extraction_recall",
    ),
}
LATENCY_METRICS = (
    "latency.search_ms_p50",
    "latency.search_ms_p95",
    "latency.answer_s_p50",
    "latency.answer_s_p95",
    "latency.first_output_s_p50",
    "latency.generate_s_p50",
    "latency.generate_s_p95",
)
METRIC_ORDER = tuple(m for group in METRIC_GROUPS.values() for m in group) + LATENCY_METRICS

# What a reader sees for each metric id: tables, plot labels and legends, the headline. An id missing here reads
# as its words (`metric_label`); the raw id is always shown beside the name, small, so it can be searched for.
METRIC_LABELS: dict[str, str] = {
    "retrieval.recall@1": "Recall@1 (gold article ranked first)",
    "retrieval.recall@5": "Recall@5 (gold article in the top 5)",
    "retrieval.recall@10": "Recall@10 (gold article in the top 10)",
    "retrieval.mrr@10": "MRR@10 (mean 1/rank of the first gold article)",
    "retrieval.ndcg@10": "nDCG@10 (gold articles ranked high)",
    "answer.accuracy": "Answer accuracy (true/false and multiple choice)",
    "answer.accuracy.true_false": "Answer accuracy, true/false",
    "answer.accuracy.multiple_choice": "Answer accuracy, multiple choice",
    "answer.free_text_f1": "Free-text F1 (word overlap with the reference)",
    "answer.refusal_rate": "Refusal rate",
    "answer.verified_rate": "Verified answers (citations check out)",
    "citation.precision": "Citation precision",
    "citation.recall": "Citation recall (answers citing a gold article)",
    "ragas.faithfulness": "Faithfulness (Ragas)",
    "ragas.answer_relevancy": "Answer relevancy (Ragas)",
    "ragas.context_precision": "Context precision (Ragas)",
    "ragas.context_recall": "Context recall (Ragas)",
    "ragas.answer_correctness": "Answer correctness (Ragas)",
    "validity.current_rule_accuracy": "Law in force: current rule answered",
    "validity.past_accuracy": "Law in force: rule on a past date answered",
    "validity.superseded_quoted_as_current": "Law in force: superseded rules quoted as current",
    "validity.extraction_precision": "Law in force: amendment extraction precision",
    "validity.extraction_recall": "Law in force: amendment extraction recall",
    "latency.search_ms_p50": "Search latency, median (ms)",
    "latency.search_ms_p95": "Search latency, 95th percentile (ms)",
    "latency.answer_s_p50": "Answer latency, median (s)",
    "latency.answer_s_p95": "Answer latency, 95th percentile (s)",
    "latency.first_output_s_p50": "Time to first output, median (s)",
    "latency.generate_s_p50": "Ragas answer generation, median (s)",
    "latency.generate_s_p95": "Ragas answer generation, 95th percentile (s)",
}


def metric_label(name: str) -> str:
    """The human name of metric `name`; an unknown id reads as its words ("group: words", capitalised)."""
    if name in METRIC_LABELS:
        return METRIC_LABELS[name]
    group, _, rest = name.replace("_", " ").partition(".")
    text = f"{group}: {rest.replace('.', ', ')}" if rest else group
    return text[:1].upper() + text[1:]


TYPE_LABELS = {"true_false": "Đúng/Sai", "multiple_choice": "Trắc nghiệm", "free_text": "Tự luận"}
RUN_COLOURS = ("#1f5f99", "#c9822b")  # this run, the previous one
DIRTY_LABELS: dict[bool | None, str] = {
    True: "có thay đổi chưa commit / dirty",
    False: "sạch / clean",
    None: "không rõ / unknown",
}


@dataclass(frozen=True)
class ReportFiles:
    """Where `write_report` put the report: the HTML page, the Markdown summary and each plot's PNG."""

    html: Path
    markdown: Path
    plots: dict[str, Path]


# ------------------------------------------------------------------------------------------------ item statistics


def recall_curve(items: Iterable[RunItem], k_max: int = CURVE_K) -> list[float]:
    """Mean recall@k over the items with a retrieval trace, for k = 1..k_max, from the ranks gold was found at."""
    traces = [it.retrieval for it in items if it.retrieval]
    if not traces:
        return []
    curve = []
    for k in range(1, k_max + 1):
        per_item = [sum(1 for r in t.found_ranks if r <= k) / t.n_gold if t.n_gold else 0.0 for t in traces]
        curve.append(round(statistics.fmean(per_item), 4))
    return curve


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


@dataclass(frozen=True)
class GroupStats:
    """How one slice of the items (one law, one question type) did; None where the slice has nothing to measure."""

    name: str
    n: int
    accuracy: float | None  # true/false and multiple-choice items only
    free_text_f1: float | None
    refusal_rate: float | None
    recall_at_10: float | None
    citation_recall: float | None

    @property
    def answer_score(self) -> float | None:
        """Accuracy where the slice has labelled items, else the mean free-text F1."""
        return self.accuracy if self.accuracy is not None else self.free_text_f1

    @classmethod
    def of(cls, name: str, items: Sequence[RunItem]) -> GroupStats:
        answers = [(it.type, it.answer) for it in items if it.answer]
        labelled = [a for t, a in answers if t in LABELLED]
        free = [a for t, a in answers if t == "free_text"]
        traces = [it.retrieval for it in items if it.retrieval]
        return cls(
            name=name,
            n=len(items),
            accuracy=_mean([float(a.correct) for a in labelled]),
            free_text_f1=_mean([float(a.score) for a in free]),
            refusal_rate=_mean([float(a.refused) for _, a in answers]),
            recall_at_10=_mean([t.score("recall@10") for t in traces]),
            citation_recall=_mean([float(a.gold_hit) for _, a in answers]),
        )


def breakdown(items: Sequence[RunItem], key: Callable[[RunItem], str]) -> list[GroupStats]:
    """The items grouped by `key`, most items first (then by name)."""
    groups: dict[str, list[RunItem]] = {}
    for it in items:
        groups.setdefault(key(it), []).append(it)
    stats = [GroupStats.of(name, members) for name, members in groups.items()]
    return sorted(stats, key=lambda s: (-s.n, s.name))


def by_law(items: Sequence[RunItem]) -> list[GroupStats]:
    """Per-law breakdown (the law of the item's first gold article)."""
    return breakdown(items, lambda it: it.law or "(không rõ)")


def by_type(items: Sequence[RunItem]) -> list[GroupStats]:
    """Per-question-type breakdown (true_false, multiple_choice, free_text)."""
    return breakdown(items, lambda it: it.type)


def failed(item: RunItem) -> bool:
    """Whether the item's answer was wrong or refused."""
    return item.answer is not None and (item.answer.refused or not item.answer.correct)


def _faithfulness(item: RunItem) -> float:
    value = item.ragas.scores.get("faithfulness") if item.ragas else None
    return float(value) if value is not None else float("inf")  # unscored sorts after scored


def _ranking(item: RunItem) -> tuple[float, float]:
    """(recall@10, mrr@10); (0, 0) without a retrieval trace."""
    trace = item.retrieval
    return (trace.score("recall@10"), trace.score("mrr@10")) if trace else (0.0, 0.0)


def _flawless(item: RunItem) -> bool:
    recall, mrr = _ranking(item)
    return not failed(item) and recall >= 1.0 and mrr >= 1.0


def worst_items(items: Sequence[RunItem], limit: int = WORST_LIMIT) -> list[RunItem]:
    """The questions most worth reading: wrong or refused answers first, then the weakest retrieval.

    Ties fall to the lowest Ragas faithfulness. Items answered right with every gold article at rank 1 are left out.
    """

    def rank(it: RunItem) -> tuple[int, float, float, float]:
        return (0 if failed(it) else 1, *_ranking(it), _faithfulness(it))

    return sorted((it for it in items if not _flawless(it)), key=rank)[:limit]


@dataclass(frozen=True)
class AnswerText:
    """What the model answered and what the dataset expected, as stored with a run item (None: not stored)."""

    model: str | None
    reference: str | None
    from_ragas: bool  # the model's answer is the one the Ragas pass generated (asked as a user would ask it)


def answer_text(item: RunItem) -> AnswerText:
    """The item's answer and reference: the scored answer's where the run stored them, else the Ragas trace's."""
    answer, ragas = item.answer, item.ragas
    model = answer.predicted if answer and answer.predicted else None
    reference = answer.gold if answer and answer.gold else None
    from_ragas = False
    if model is None and ragas is not None and ragas.response:
        model, from_ragas = ragas.response, True
    if reference is None and ragas is not None and ragas.reference:
        reference = ragas.reference
    return AnswerText(model, reference, from_ragas)


def failed_free_text(items: Sequence[RunItem]) -> list[RunItem]:
    """The free-text items answered wrong (F1 under the bar) or refused, lowest F1 first."""
    wrong = [it for it in items if it.type == "free_text" and failed(it)]
    return sorted(wrong, key=lambda it: it.answer.score if it.answer else 0.0)


# ------------------------------------------------------------------------------------------------ metric formatting


def metric_names(run: EvalRun, previous: EvalRun | None = None) -> list[str]:
    """The metrics to tabulate: the known ones in report order, then any others alphabetically."""
    present = set(run.metrics) | (set(previous.metrics) if previous else set())
    return [m for m in METRIC_ORDER if m in present] + sorted(present - set(METRIC_ORDER))


def fmt_value(name: str, value: float | None) -> str:
    """A metric value as the report prints it (— when missing)."""
    if value is None:
        return "—"
    if name.startswith("latency."):
        return f"{value:.1f}" if "_ms_" in name else f"{value:.2f}"
    return f"{value:.3f}"


def fmt_interval(run: EvalRun, name: str) -> str:
    ci = run.intervals.get(name)
    return f"[{fmt_value(name, ci[0])}, {fmt_value(name, ci[1])}]" if ci else "—"


def delta(run: EvalRun, previous: EvalRun, name: str) -> float | None:
    """This run's value minus the previous run's, when both have one."""
    now, before = run.metrics.get(name), previous.metrics.get(name)
    return None if now is None or before is None else now - before


def delta_class(name: str, change: float | None) -> str:
    """`better`, `worse` or `same`: how the change reads for this metric."""
    if change is None or abs(change) < 1e-9 or direction(name) == 0:
        return "same"
    return "better" if change * direction(name) > 0 else "worse"


def fmt_delta(name: str, change: float | None) -> str:
    return "—" if change is None else ("+" if change >= 0 else "−") + fmt_value(name, abs(change))


def run_label(run: EvalRun) -> str:
    return f"{run.name} ({run.id})"


# ------------------------------------------------------------------------------------------------ headline


@dataclass(frozen=True)
class Verdict:
    """The regression gate (`eval.gate`) applied to a run: its checks, or why it could not be applied."""

    suite: str
    source: str
    checks: tuple[Check, ...] = ()
    error: str | None = None  # the thresholds file is missing or malformed, or has no table for the suite

    @property
    def ok(self) -> bool | None:
        """True when every threshold is met, False when one is not, None when there was no gate to apply."""
        return None if self.error is not None else all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def gate_verdict(run: EvalRun, thresholds: Thresholds | None = None) -> Verdict:
    """The run checked as `kho eval gate` checks it: against its own suite's table (default `eval/thresholds.toml`)."""
    suite = str(run.config.get("suite") or "default")
    try:
        table = thresholds if thresholds is not None else Thresholds.load(DEFAULT_THRESHOLDS)
        return Verdict(suite, table.source, tuple(table.check(suite, run.metrics)))
    except ThresholdsError as exc:
        return Verdict(suite, thresholds.source if thresholds else str(DEFAULT_THRESHOLDS), error=str(exc))


def fmt_bound(check: Check) -> str:
    return ("≥ " if check.bound == "min" else "≤ ") + fmt_value(check.metric, check.threshold)


def _shown_path(source: str) -> str:
    """A thresholds file inside the checkout as its repository path (`eval/thresholds.toml`), else as given."""
    try:
        return Path(source).resolve().relative_to(Path(__file__).resolve().parent.parent).as_posix()
    except ValueError:
        return source


def verdict_sentence(verdict: Verdict) -> str:
    """The verdict in one plain line (Vietnamese / English)."""
    if verdict.ok is None:
        return f"Không kiểm được cổng / Gate not checked: {verdict.error}"
    n, failed_n = len(verdict.checks), len(verdict.failures)
    where = f"(bộ / suite {verdict.suite}, {_shown_path(verdict.source)})"
    if verdict.ok:
        return f"ĐẠT / PASSED — cả {n} ngưỡng đều đạt / all {n} thresholds met {where}"
    return f"KHÔNG ĐẠT / FAILED — {failed_n}/{n} ngưỡng không đạt / thresholds failed {where}"


@dataclass(frozen=True)
class Move:
    """How one metric changed since the previous run."""

    metric: str
    before: float
    now: float

    @property
    def change(self) -> float:
        return self.now - self.before

    @property
    def verdict(self) -> str:
        """`better`, `worse` or `same` (the last also for a metric where neither direction is good)."""
        return delta_class(self.metric, self.change)

    @property
    def size(self) -> float:
        """How large the move is: the absolute change of a score; for a latency, the change relative to before."""
        if self.metric.startswith("latency."):
            return abs(self.change) / abs(self.before) if self.before else abs(self.change)
        return abs(self.change)

    def describe(self) -> str:
        """E.g. `Answer accuracy (…): 0.750 → 0.500 (−0.250, worse)` (plain text; the writers escape it)."""
        how = {"better": "tốt hơn / better", "worse": "kém hơn / worse"}.get(self.verdict, "đổi / changed")
        before, now = fmt_value(self.metric, self.before), fmt_value(self.metric, self.now)
        return f"{metric_label(self.metric)}: {before} → {now} ({fmt_delta(self.metric, self.change)}, {how})"


def moves(run: EvalRun, previous: EvalRun) -> list[Move]:
    """The metrics that changed since `previous`, largest move first (ties by report order)."""
    out = []
    for name in metric_names(run, previous):
        now, before = run.metrics.get(name), previous.metrics.get(name)
        if now is not None and before is not None and abs(now - before) >= 1e-9:
            out.append(Move(name, before, now))
    return sorted(out, key=lambda m: -m.size)  # sorted() is stable: equal moves keep the report's order


def moved_summary(moved: Sequence[Move]) -> str:
    """Every improvement and every regression named, in one line."""
    better = [metric_label(m.metric) for m in moved if m.verdict == "better"]
    worse = [metric_label(m.metric) for m in moved if m.verdict == "worse"]
    other = [metric_label(m.metric) for m in moved if m.verdict == "same"]
    line = f"Tốt hơn / improved ({len(better)}): {', '.join(better) or '—'}. "
    line += f"Kém hơn / regressed ({len(worse)}): {', '.join(worse) or '—'}."
    return line + (f" Đổi, không tốt không xấu / changed ({len(other)}): {', '.join(other)}." if other else "")


def _kv(data: dict[str, Any] | None) -> str:
    if not data:
        return "—"
    return "; ".join(f"{k}={', '.join(map(str, v)) if isinstance(v, list | tuple) else v}" for k, v in data.items())


def provenance(run: EvalRun) -> list[tuple[str, str]]:
    """The rows that say what was run, on what and with what (plain text; the writers escape it)."""
    ds = run.dataset
    selection = ds.get("selection") or {}
    code = run.code
    dirty = DIRTY_LABELS.get(code.get("dirty"), DIRTY_LABELS[None])
    pins = {name: (pin[:12] if pin else "không ghim / unpinned") for name, pin in run.models.items()}
    return [
        ("Tập dữ liệu / Dataset", f"{ds.get('name', '—')} ({ds.get('path', '—')})"),
        ("SHA-256", str(ds.get("sha256", "—"))),
        ("Kho văn bản / Corpus", str(ds.get("corpus", "—"))),
        ("Lựa chọn / Selection", _kv(selection)),
        ("Cấu hình / Config", _kv(run.config)),
        ("Giám khảo / Judge", _kv(run.judge) if run.judge else "không chạy Ragas / no Ragas judge"),
        ("Mã nguồn / Code", f"version={code.get('version', '—')}; commit={code.get('commit') or '—'}; {dirty}"),
        ("Mô hình / Model pins", _kv(pins)),
        ("Thời gian chạy / Duration", f"{run.duration_s:.1f} s, {len(run.items)} câu hỏi / items"),
    ]


# ------------------------------------------------------------------------------------------------ plots


def _gold_articles(item: RunItem) -> list[str]:
    return [f"Điều {article} {law}" for law, article in item.gold]


def _bar_labels(ax: Any, bars: Any, values: Sequence[float], offset: float = 0.01) -> None:
    for bar, value in zip(bars, values, strict=True):
        ax.text(
            bar.get_width() + offset,
            bar.get_y() + bar.get_height() / 2,
            f"{value:.2f}",
            va="center",
            fontsize=7,
        )


def _metric_panel(ax: Any, title: str, names: Sequence[str], run: EvalRun, previous: EvalRun | None) -> None:
    """One group of metric bars with 95 % error bars, the value beside each, the previous run as diamonds."""
    values = [float(run.metrics[m] or 0.0) for m in names]
    ys = list(range(len(names)))[::-1]
    ci = [run.intervals.get(m, (v, v)) for m, v in zip(names, values, strict=True)]
    errors = [[max(0.0, v - lo) for v, (lo, _) in zip(values, ci, strict=True)]]
    errors.append([max(0.0, hi - v) for v, (_, hi) in zip(values, ci, strict=True)])
    ax.barh(ys, values, color=RUN_COLOURS[0], height=0.6, xerr=errors, capsize=3)
    for y, v in zip(ys, values, strict=True):  # in a column right of 1.0: clear of bars, error bars and markers
        ax.text(1.03, y, f"{v:.3f}", va="center", fontsize=7)
    if previous is not None:
        old = [(y, before) for y, m in zip(ys, names, strict=True) if (before := previous.metrics.get(m)) is not None]
        ax.scatter([x for _, x in old], [y for y, _ in old], marker="D", s=22, color=RUN_COLOURS[1], zorder=3)
    ax.set_yticks(ys, [metric_label(m) for m in names])
    ax.set_xlim(0, 1.14)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", alpha=0.3)


def plot_metrics(run: EvalRun, previous: EvalRun | None) -> Figure | None:
    """Horizontal bars of the 0..1 metrics with their 95 % intervals, one panel per group; missing ones skipped."""
    groups = {
        title: [m for m in names if run.metrics.get(m) is not None]
        for title, names in METRIC_GROUPS.items()
        if any(run.metrics.get(m) is not None for m in names)
    }
    if not groups:
        return None
    sizes = [len(names) for names in groups.values()]
    height = 1.2 + 0.34 * sum(sizes) + 0.5 * len(groups)
    fig, axes = plt.subplots(
        len(groups), 1, figsize=(8, height), height_ratios=sizes, squeeze=False, layout="constrained"
    )
    for ax, (title, names) in zip(axes[:, 0], groups.items(), strict=True):
        _metric_panel(ax, title, names, run, previous)
    axes[-1, 0].set_xlabel("giá trị (thanh lỗi: khoảng tin cậy 95 %) / value (error bars: 95 % CI)")
    if previous is not None:
        handles = [
            Patch(color=RUN_COLOURS[0], label=run_label(run)),
            Line2D([], [], marker="D", linestyle="", color=RUN_COLOURS[1], label=run_label(previous)),
        ]
        fig.legend(handles=handles, loc="outside upper right", ncol=2, fontsize=8, frameon=False)
    return fig


def plot_recall_curve(run: EvalRun, previous: EvalRun | None) -> Figure | None:
    """Mean recall@k for k = 1..10, this run and (dashed) the previous one."""
    curves = [(run, recall_curve(run.items), "-")]
    if previous is not None:
        curves.append((previous, recall_curve(previous.items), "--"))
    if not curves[0][1]:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    for (r, curve, style), colour in zip(curves, RUN_COLOURS, strict=False):
        if curve:
            ax.plot(range(1, len(curve) + 1), curve, style, marker="o", color=colour, label=run_label(r))
    ax.set_xticks(range(1, CURVE_K + 1))  # k counts articles: one tick per whole k
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("k (số điều luật lấy về / articles retrieved)")
    ax.set_ylabel("Recall@k (gold article in the top k)")
    ax.set_title("Recall@k theo k / Recall@k by k", loc="left", fontweight="bold")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


# Each latency histogram: its title and how to read one value from an item (None when the item has none).
LATENCY_SERIES: dict[str, Callable[[RunItem], float | None]] = {
    "Trả lời / Answer (s)": lambda it: it.answer.latency_s if it.answer else None,
    "Truy hồi / Search (ms)": lambda it: it.retrieval.latency_ms if it.retrieval else None,
    "Sinh câu trả lời Ragas / Ragas generate (s)": lambda it: it.ragas.generate_s if it.ragas else None,
}


def plot_latency(run: EvalRun, previous: EvalRun | None) -> Figure | None:
    """Histograms of answer, search and (where present) Ragas generation latency, with the median marked."""
    series = {
        title: values
        for title, read in LATENCY_SERIES.items()
        if (values := [float(v) for it in run.items if (v := read(it)) is not None])
    }
    if not series:
        return None
    fig, axes = plt.subplots(
        1, len(series), figsize=(3.6 * len(series) + 0.6, 3.2), squeeze=False, layout="constrained"
    )
    for ax, (title, values) in zip(axes[0], series.items(), strict=True):
        ax.hist(values, bins=min(20, max(5, len(values) // 2)), color=RUN_COLOURS[0], edgecolor="white")
        median = statistics.median(values)
        ax.axvline(median, color=RUN_COLOURS[1], linestyle="--")
        ax.set_title(f"{title}\ntrung vị / p50 = {median:.1f} (đường đứt / dashed)", fontsize=9)
        ax.set_ylabel("số câu / items")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of questions: no 0.5 of a question
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Độ trễ / Latency", x=0.01, ha="left", fontweight="bold")
    return fig


def _grouped_barh(
    fig: Figure, ax: Any, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], colours: Sequence[str]
) -> None:
    """Horizontal grouped bars, one group per label; a None value draws no bar (it is not a zero)."""
    height = 0.8 / len(series)
    ys = list(range(len(labels)))[::-1]
    for i, ((name, values), colour) in enumerate(zip(series.items(), colours, strict=False)):
        at = [(y - 0.4 + height * (len(series) - i - 0.5), v) for y, v in zip(ys, values, strict=True) if v is not None]
        bars = ax.barh([y for y, _ in at], [v for _, v in at], height=height, color=colour, label=name)
        _bar_labels(ax, bars, [v for _, v in at])
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 1.12)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)


def plot_by_law(run: EvalRun, previous: EvalRun | None) -> Figure | None:
    """Accuracy (labelled items) and recall@10 per law, with the number of items in each label."""
    stats = by_law(run.items)
    if not stats:
        return None
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.55 * len(stats)), layout="constrained")
    labels = [f"{s.name} (n={s.n})" for s in stats]
    series = {
        metric_label("answer.accuracy"): [s.accuracy for s in stats],
        metric_label("retrieval.recall@10"): [s.recall_at_10 for s in stats],
    }
    _grouped_barh(fig, ax, labels, series, RUN_COLOURS)
    ax.set_title("Theo văn bản luật / By law", loc="left", fontweight="bold")
    return fig


def plot_by_type(run: EvalRun, previous: EvalRun | None) -> Figure | None:
    """Answer score (accuracy, or F1 for free text), refusal rate, recall@10 and citation recall per question type."""
    stats = by_type(run.items)
    if not stats:
        return None
    fig, ax = plt.subplots(figsize=(8, 1.8 + 1.1 * len(stats)), layout="constrained")
    labels = [f"{TYPE_LABELS.get(s.name, s.name)}\n({s.name}, n={s.n})" for s in stats]
    series = {
        "Answer accuracy (free text: F1 with the reference)": [s.answer_score for s in stats],
        metric_label("answer.refusal_rate"): [s.refusal_rate for s in stats],
        metric_label("retrieval.recall@10"): [s.recall_at_10 for s in stats],
        metric_label("citation.recall"): [s.citation_recall for s in stats],
    }
    _grouped_barh(fig, ax, labels, series, (*RUN_COLOURS, "#8a8a8a", "#4e9a5b"))
    ax.set_title("Theo loại câu hỏi / By question type", loc="left", fontweight="bold")
    return fig


@dataclass(frozen=True)
class PlotSpec:
    """One plot of the report: its file stem, its caption and how to draw it (None when there is nothing to draw)."""

    name: str
    caption: str
    draw: Callable[[EvalRun, EvalRun | None], Figure | None]


PLOTS: dict[str, PlotSpec] = {
    spec.name: spec
    for spec in (
        PlotSpec("metrics", "Chỉ số với khoảng tin cậy 95 % / Metrics with 95 % CI", plot_metrics),
        PlotSpec("recall_at_k", "Đường recall@k / Recall@k curve", plot_recall_curve),
        PlotSpec("latency", "Phân bố độ trễ / Latency histograms", plot_latency),
        PlotSpec("by_law", "Theo văn bản luật / By law", plot_by_law),
        PlotSpec("by_type", "Theo loại câu hỏi / By question type", plot_by_type),
    )
}


def render_png(fig: Figure) -> bytes:
    """The figure (laid out by its constrained layout) as PNG bytes at the report's dpi; the figure is closed."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def draw_plots(run: EvalRun, previous: EvalRun | None = None) -> dict[str, bytes]:
    """Each plot that has data, as PNG bytes, in report order."""
    out: dict[str, bytes] = {}
    with plt.rc_context({"font.family": "DejaVu Sans", "font.size": 9}):  # DejaVu Sans has Vietnamese glyphs
        for spec in PLOTS.values():
            fig = spec.draw(run, previous)
            if fig is not None:
                out[spec.name] = render_png(fig)
    return out


# ------------------------------------------------------------------------------------------------ HTML

CSS = """
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
main { max-width: 1120px; margin: 0 auto; padding: 24px; }
header { background: #1f3b5c; color: #fff; padding: 20px 24px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
header p { margin: 0; opacity: .9; }
section { background: #fff; border-radius: 8px; padding: 16px 20px; margin: 18px 0; box-shadow: 0 1px 3px #0002; }
h2 { margin-top: 0; font-size: 19px; color: #1f3b5c; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
#provenance td { word-break: break-word; }
.better { color: #17803d; font-weight: bold; }
.worse { color: #b3261e; font-weight: bold; }
.same { color: #666; }
figure { margin: 0 0 18px; }
img.plot { max-width: 100%; height: auto; border: 1px solid #e3e6ea; }
figcaption { font-size: 13px; color: #555; }
.worst-item { border-left: 4px solid #b3261e; padding: 8px 14px; margin: 12px 0; background: #fcfcfd; }
.worst-item.ok { border-left-color: #c9822b; }
.worst-item th { width: 240px; }
.worst-item h3 { margin: 0 0 6px; font-size: 15px; }
.question { font-size: 15px; margin: 6px 0; white-space: pre-wrap; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px; margin-left: 4px; }
.badge.wrong { background: #fbe3e1; color: #b3261e; }
.badge.refused { background: #fff1d6; color: #8a5a00; }
.gold { color: #17803d; font-weight: bold; }
.cols { display: flex; gap: 24px; flex-wrap: wrap; }
.cols > div { flex: 1 1 300px; }
.errors { color: #b3261e; font-size: 13px; }
ol, ul { margin: 4px 0; padding-left: 22px; }
code.metric-id { font-size: 11px; color: #777; margin-left: 4px; white-space: nowrap; }
#headline { border-left: 6px solid #666; }
#headline.pass { border-left-color: #17803d; }
#headline.fail { border-left-color: #b3261e; }
#headline h2 { font-size: 22px; }
#headline.pass .verdict-word { color: #17803d; }
#headline.fail .verdict-word { color: #b3261e; }
#headline h3 { font-size: 15px; margin: 14px 0 4px; }
.answer-text { white-space: pre-wrap; word-break: break-word; }
.free-text-item { border-left: 4px solid #b3261e; padding: 8px 14px; margin: 12px 0; background: #fcfcfd; }
.free-text-item h3 { margin: 0 0 6px; font-size: 15px; }
.free-text-item th { width: 240px; }
.note { color: #666; font-size: 12px; }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_provenance(run: EvalRun) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in provenance(run))
    return f'<section id="provenance"><h2>Nguồn gốc / Provenance</h2><table>{rows}</table></section>'


def _html_metric_name(name: str) -> str:
    """The metric's human name, the raw id beside it in small monospace (and as its title, for a tooltip)."""
    return (
        f'<span class="metric-name" title="{esc(name)}">{esc(metric_label(name))}</span>'
        f'<code class="metric-id">{esc(name)}</code>'
    )


def _html_headline(run: EvalRun, previous: EvalRun | None, verdict: Verdict) -> str:
    """The verdict of the regression gate, each failed threshold, and what moved most since `previous`."""
    state = {True: "pass", False: "fail", None: "unknown"}[verdict.ok]
    word = {True: "ĐẠT / PASSED", False: "KHÔNG ĐẠT / FAILED", None: "CHƯA KIỂM / NOT CHECKED"}[verdict.ok]
    parts = [
        f"<h2>Cổng hồi quy / Regression gate: <span class='verdict-word'>{word}</span></h2>",
        f"<p class='verdict-line'>{esc(verdict_sentence(verdict))}</p>",
    ]
    if verdict.failures:
        rows = "".join(
            f'<tr data-metric="{esc(c.metric)}"><td>{_html_metric_name(c.metric)}</td>'
            f"<td class='num'>{esc(fmt_value(c.metric, c.value) if c.value is not None else 'chưa đo / not run')}</td>"
            f"<td class='num'>{esc(fmt_bound(c))}</td></tr>"
            for c in verdict.failures
        )
        parts.append(
            "<table class='failed-thresholds'><thead><tr><th>Ngưỡng không đạt / Failed threshold</th>"
            f"<th>Giá trị / Value</th><th>Ngưỡng / Threshold</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if previous is None:
        parts.append("<p class='moves none'>Không có lượt chạy trước để so / no previous run to compare with.</p>")
    else:
        moved = moves(run, previous)
        parts.append(f"<h3>Thay đổi lớn nhất so với / Largest moves since {esc(run_label(previous))}</h3>")
        if moved:
            arrows = {"better": "▲ ", "worse": "▼ "}
            lis = "".join(
                f'<li class="{m.verdict}" data-metric="{esc(m.metric)}">{arrows.get(m.verdict, "● ")}'
                f'{esc(m.describe())}<code class="metric-id">{esc(m.metric)}</code></li>'
                for m in moved[:MOVES_SHOWN]
            )
            parts.append(f"<ol class='moves'>{lis}</ol>")
            parts.append(f"<p class='moved-summary'>{esc(moved_summary(moved))}</p>")
        else:
            parts.append("<p class='moves none'>Không chỉ số nào đổi / no metric moved.</p>")
    return f'<section id="headline" class="{state}">{"".join(parts)}</section>'


def _html_metrics(run: EvalRun, previous: EvalRun | None) -> str:
    head = "<th>Chỉ số / Metric</th><th>Giá trị / Value</th><th>KTC 95 % / 95 % CI</th><th>n</th>"
    if previous is not None:
        head += f"<th>Δ so với / vs {esc(run_label(previous))}</th>"
    rows = []
    for name in metric_names(run, previous):
        cells = (
            f"<td>{_html_metric_name(name)}</td><td class='num'>{fmt_value(name, run.metrics.get(name))}</td>"
            f"<td class='num'>{fmt_interval(run, name)}</td><td class='num'>{run.counts.get(name, '—')}</td>"
        )
        if previous is not None:
            change = delta(run, previous, name)
            arrow = "" if change is None or abs(change) < 1e-9 else ("▲ " if change > 0 else "▼ ")
            cells += f"<td class='num delta {delta_class(name, change)}'>{arrow}{fmt_delta(name, change)}</td>"
        rows.append(f'<tr data-metric="{esc(name)}">{cells}</tr>')
    ragas = ""
    if "ragas.items" in run.counts:
        ragas = (
            f"<p>Ragas: {run.counts['ragas.items']} câu được chấm / items scored, "
            f"{run.counts.get('ragas.judge_errors', 0)} lỗi giám khảo / judge errors.</p>"
        )
    return (
        f'<section id="metrics"><h2>Chỉ số / Metrics</h2><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{ragas}</section>"
    )


def _html_plots(pngs: dict[str, bytes]) -> str:
    figures = [
        f'<figure><img class="plot" data-plot="{esc(name)}" alt="{esc(PLOTS[name].caption)}" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
        f"<figcaption>{esc(PLOTS[name].caption)}</figcaption></figure>"
        for name, png in pngs.items()
    ]
    return f'<section id="plots"><h2>Biểu đồ / Plots</h2>{"".join(figures)}</section>'


def _html_answer(item: RunItem) -> str:
    answer = item.answer
    rows = [("Điều luật đúng / Gold articles", "; ".join(_gold_articles(item)) or "—")]
    if item.type == "free_text":
        rows.append(("F1 (tự luận / free text)", f"{answer.score if answer else 0.0:.3f}"))
        text = answer_text(item)
        rows.append((_model_answer_heading(text), text.model or NOT_STORED))
        rows.append(("Đáp án tham chiếu / Reference answer", text.reference or NOT_STORED))
    else:
        rows.append(("Dự đoán / Predicted", str(answer and answer.predicted or "—")))
        rows.append(("Đáp án / Gold answer", str(answer and answer.gold or "—")))
    recall, mrr = _ranking(item)
    rows.append(("Recall@10 · MRR@10", f"{recall:.2f} · {mrr:.2f}"))
    return (
        "<table>"
        + "".join(f"<tr><th>{esc(k)}</th><td class='answer-text'>{esc(v)}</td></tr>" for k, v in rows)
        + "</table>"
    )


NOT_STORED = "— (không lưu trong lượt chạy / not stored in the run)"


def _model_answer_heading(text: AnswerText) -> str:
    heading = "Câu trả lời của mô hình / Model's answer"
    return heading + (" (lượt Ragas / from the Ragas pass)" if text.from_ragas else "")


def _html_anchor_list(entries: Iterable[tuple[str, bool]], ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    lis = [f"<li class='gold'>✓ {esc(a)}</li>" if gold else f"<li>{esc(a)}</li>" for a, gold in entries]
    return f"<{tag}>{''.join(lis)}</{tag}>" if lis else "<p>—</p>"


def _html_ragas(item: RunItem) -> str:
    ragas = item.ragas
    if not ragas:
        return ""
    scores = " · ".join(
        f"{_html_metric_name(f'ragas.{m}')} {'—' if v is None else f'{float(v):.2f}'}" for m, v in ragas.scores.items()
    )
    errors = "".join(
        f"<li><span title='{esc(f'ragas.{m}')}'>{esc(metric_label(f'ragas.{m}'))}</span>: {esc(e)}</li>"
        for m, e in ragas.errors.items()
    )
    return f"<p><b>Ragas:</b> {scores}</p>" + (f"<ul class='errors'>{errors}</ul>" if errors else "")


def _html_worst_item(rank: int, item: RunItem) -> str:
    answer = item.answer
    badges = ""
    if answer is not None and not answer.correct:
        badges += "<span class='badge wrong'>sai / wrong</span>"
    if answer is not None and answer.refused:
        badges += "<span class='badge refused'>từ chối / refused</span>"
    choices = item.choices or {}
    choice_list = "".join(f"<li>{esc(k)}. {esc(v)}</li>" for k, v in choices.items())
    top = [(t.anchor, t.gold) for t in (item.retrieval.top[:TOP_SHOWN] if item.retrieval else ())]
    cited = [(c[0], c[1] == "gold") for c in (answer.cited if answer else ())]
    kind = TYPE_LABELS.get(item.type, item.type)
    return (
        f'<article class="worst-item{"" if failed(item) else " ok"}" data-id="{esc(item.id)}">'
        f"<h3>{rank}. {esc(item.id)} · {esc(kind)} · {esc(item.law or '—')}{badges}</h3>"
        f"<p class='question'>{esc(item.question)}</p>"
        + (f"<ul class='choices'>{choice_list}</ul>" if choice_list else "")
        + _html_answer(item)
        + "<div class='cols'><div><b>Lấy về / Retrieved (top 5)</b>"
        + _html_anchor_list(top, ordered=True)
        + "</div><div><b>Trích dẫn / Cited</b>"
        + _html_anchor_list(cited, ordered=False)
        + "</div></div>"
        + _html_ragas(item)
        + "</article>"
    )


def _html_worst(items: Sequence[RunItem]) -> str:
    worst = worst_items(items)
    body = "".join(_html_worst_item(i, it) for i, it in enumerate(worst, start=1)) or "<p>Không có câu nào sai.</p>"
    return f'<section id="worst"><h2>Câu hỏi kém nhất / Worst questions</h2>{body}</section>'


def _html_free_text_item(item: RunItem) -> str:
    answer = item.answer
    text = answer_text(item)
    badge = "<span class='badge refused'>từ chối / refused</span>" if answer and answer.refused else ""
    rows = [
        ("F1 (tự luận / free text)", f"{answer.score if answer else 0.0:.3f}"),
        (_model_answer_heading(text), text.model or NOT_STORED),
        ("Đáp án tham chiếu / Reference answer", text.reference or NOT_STORED),
    ]
    table = "".join(
        f"<tr class='{cls}'><th>{esc(k)}</th><td class='answer-text'>{esc(v)}</td></tr>"
        for cls, (k, v) in zip(("f1", "model-answer", "reference-answer"), rows, strict=True)
    )
    return (
        f'<article class="free-text-item" data-id="{esc(item.id)}">'
        f"<h3>{esc(item.id)} · {esc(item.law or '—')}{badge}</h3>"
        f"<p class='question'>{esc(item.question)}</p><table>{table}</table></article>"
    )


def _html_failed_free_text(items: Sequence[RunItem]) -> str:
    wrong = failed_free_text(items)
    if not any(it.type == "free_text" for it in items):
        return ""
    body = "".join(_html_free_text_item(it) for it in wrong) or "<p>Không có câu tự luận nào sai.</p>"
    return (
        '<section id="failed-free-text"><h2>Câu tự luận sai / Failed free-text answers '
        f"({len(wrong)})</h2>{body}</section>"
    )


def render_html(
    run: EvalRun, pngs: dict[str, bytes], previous: EvalRun | None = None, verdict: Verdict | None = None
) -> str:
    """The whole report as one offline HTML page (no script, no external resource); `verdict` defaults to the
    run checked against `eval/thresholds.toml`."""
    verdict = verdict if verdict is not None else gate_verdict(run)
    against = f" · so với / vs {esc(run_label(previous))}" if previous is not None else ""
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>Báo cáo đánh giá — {esc(run.name)}</title><style>{CSS}</style></head><body>"
        f'<header id="header"><h1>Báo cáo đánh giá / Evaluation report — {esc(run.name)}</h1>'
        f"<p>Lượt chạy / Run <code>{esc(run.id)}</code> · {esc(run.created)}{against}</p></header><main>"
        + _html_headline(run, previous, verdict)
        + _html_provenance(run)
        + _html_metrics(run, previous)
        + _html_plots(pngs)
        + _html_failed_free_text(run.items)
        + _html_worst(run.items)
        + "</main></body></html>"
    )


# ------------------------------------------------------------------------------------------------ Markdown


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_metric(name: str) -> str:
    return f"{_md_cell(metric_label(name))} `{name}`"


def _md_headline(run: EvalRun, previous: EvalRun | None, verdict: Verdict) -> list[str]:
    lines = ["## Cổng hồi quy / Regression gate", "", f"**{_md_cell(verdict_sentence(verdict))}**", ""]
    if verdict.failures:
        lines += ["| Failed threshold | Value | Threshold |", "|---|---:|---:|"]
        lines += [
            f"| {_md_metric(c.metric)} | {fmt_value(c.metric, c.value) if c.value is not None else 'not run'} | "
            f"{fmt_bound(c)} |"
            for c in verdict.failures
        ]
        lines.append("")
    if previous is None:
        return [*lines, "No previous run to compare with.", ""]
    moved = moves(run, previous)
    lines.append(f"Largest moves since {_md_cell(run_label(previous))}:" if moved else "No metric moved.")
    lines += [""] + [f"{i}. {_md_cell(m.describe())} `{m.metric}`" for i, m in enumerate(moved[:MOVES_SHOWN], 1)]
    if moved:
        lines += ["", _md_cell(moved_summary(moved))]
    return [*lines, ""]


def render_markdown(
    run: EvalRun, plot_files: dict[str, str], previous: EvalRun | None = None, verdict: Verdict | None = None
) -> str:
    """The Markdown summary: the headline, provenance, the metric table (with Δ against `previous`), the plots."""
    verdict = verdict if verdict is not None else gate_verdict(run)
    lines = [f"# Báo cáo đánh giá — {run.name}", "", f"Lượt chạy / Run `{run.id}` · {run.created}", ""]
    lines += _md_headline(run, previous, verdict)
    lines += [f"- **{k}**: {_md_cell(v)}" for k, v in provenance(run)]
    lines += ["", "## Chỉ số / Metrics", ""]
    header = "| Metric | Value | 95% CI | n |"
    rule = "|---|---:|---|---:|"
    if previous is not None:
        header += f" Δ vs {_md_cell(run_label(previous))} |"
        rule += "---:|"
    lines += [header, rule]
    for name in metric_names(run, previous):
        row = (
            f"| {_md_metric(name)} | {fmt_value(name, run.metrics.get(name))} | {fmt_interval(run, name)} | "
            f"{run.counts.get(name, '—')} |"
        )
        if previous is not None:
            row += f" {fmt_delta(name, delta(run, previous, name))} |"
        lines.append(row)
    if "ragas.items" in run.counts:
        lines += [
            "",
            f"Ragas: {run.counts['ragas.items']} items, {run.counts.get('ragas.judge_errors', 0)} judge errors.",
        ]
    lines += ["", "## Biểu đồ / Plots", ""]
    lines += [f"![{PLOTS[name].caption}]({file})\n" for name, file in plot_files.items()]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------------ entry point


def write_report(
    run: EvalRun, out_dir: Path, previous: EvalRun | None = None, thresholds: Thresholds | None = None
) -> ReportFiles:
    """Write `report.html`, `summary.md` and one PNG per plot into `out_dir` (created if needed); the headline's
    verdict checks the run against `thresholds` (default: `eval/thresholds.toml`, as `kho eval gate` does)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    verdict = gate_verdict(run, thresholds)
    pngs = draw_plots(run, previous)
    plots: dict[str, Path] = {}
    for name, png in pngs.items():
        plots[name] = out_dir / f"{name}.png"
        plots[name].write_bytes(png)
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(run, pngs, previous, verdict), encoding="utf-8")
    md_path = out_dir / "summary.md"
    md = render_markdown(run, {n: p.name for n, p in plots.items()}, previous, verdict)
    md_path.write_text(md, encoding="utf-8")
    return ReportFiles(html=html_path, markdown=md_path, plots=plots)
