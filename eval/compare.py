"""`kho eval compare RUN_A RUN_B`: what changed between two runs — per-metric deltas and the questions that flipped.

A delta is B − A for every metric either run has. It is marked significant (`*`) when the two 95 % intervals do
not overlap — a conservative test, so a starred change is worth believing and an unstarred one may be noise.
Whether a change is better follows `eval.runs.direction` (latency: lower is better; refusal rate: neither).

A question flips when it is in both runs and its outcome differs: the answer went right→wrong or wrong→right, it
became (un)refused, or its gold article entered/left the top 10. Runs on different dataset files (hashes) can
still be compared; the result says so.

>>> verdict("latency.answer_s_p50", -2.0), verdict("answer.accuracy", -0.1), verdict("answer.refusal_rate", 0.1)
('▲', '▼', '')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.items import RunItem
from eval.runs import EvalRun, direction


def verdict(metric: str, delta: float | None) -> str:
    """▲ when a change of `delta` in `metric` is an improvement, ▼ when it is worse, '' when neither."""
    if not delta or direction(metric) == 0:
        return ""
    return "▲" if delta * direction(metric) > 0 else "▼"


@dataclass(frozen=True)
class MetricDelta:
    metric: str
    a: float | None
    b: float | None
    significant: bool

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else round(self.b - self.a, 4)

    def to_json(self) -> dict[str, Any]:
        d = self.delta
        return {
            "metric": self.metric,
            "a": self.a,
            "b": self.b,
            "delta": d,
            "significant": self.significant,
            "better": {"▲": True, "▼": False}.get(verdict(self.metric, d)),
        }


@dataclass(frozen=True)
class Flip:
    id: str
    question: str
    what: str
    a: str
    b: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "question": self.question, "what": self.what, "a": self.a, "b": self.b}


@dataclass
class Comparison:
    a: EvalRun
    b: EvalRun
    deltas: list[MetricDelta] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)
    common: int = 0

    @property
    def same_dataset(self) -> bool:
        return self.a.dataset.get("sha256") == self.b.dataset.get("sha256")

    def to_json(self) -> dict[str, Any]:
        return {
            "a": {"id": self.a.id, "name": self.a.name, "config": self.a.config},
            "b": {"id": self.b.id, "name": self.b.name, "config": self.b.config},
            "same_dataset": self.same_dataset,
            "config_changes": config_changes(self.a, self.b),
            "common_items": self.common,
            "metrics": [d.to_json() for d in self.deltas],
            "flips": [f.to_json() for f in self.flips],
        }


def config_changes(a: EvalRun, b: EvalRun) -> dict[str, list[Any]]:
    """Configuration keys whose values differ: key → [A's value, B's value]."""
    keys = sorted(set(a.config) | set(b.config))
    return {k: [a.config.get(k), b.config.get(k)] for k in keys if a.config.get(k) != b.config.get(k)}


def _disjoint(x: tuple[float, float] | None, y: tuple[float, float] | None) -> bool:
    return bool(x and y and (x[1] < y[0] or y[1] < x[0]))


def _outcome(item: RunItem) -> dict[str, str]:
    ans, ret = item.answer, item.retrieval
    out: dict[str, str] = {}
    if ans:
        out["answer"] = "refused" if ans.refused else ("right" if ans.correct else "wrong")
    if ret:
        ranks = ret.found_ranks
        out["retrieval"] = f"gold at rank {ranks[0]}" if ranks else "gold not in top 10"
    return out


def compare(a: EvalRun, b: EvalRun) -> Comparison:
    """Per-metric deltas and flipped questions between runs `a` and `b`."""
    out = Comparison(a, b)
    for metric in sorted(set(a.metrics) | set(b.metrics)):
        va, vb = a.metrics.get(metric), b.metrics.get(metric)
        out.deltas.append(MetricDelta(metric, va, vb, _disjoint(a.intervals.get(metric), b.intervals.get(metric))))
    items_b = {it.id: it for it in b.items}
    for it_a in a.items:
        it_b = items_b.get(it_a.id)
        if it_b is None:
            continue
        out.common += 1
        oa, ob = _outcome(it_a), _outcome(it_b)
        for what in ("answer", "retrieval"):
            if what not in oa or what not in ob:
                continue
            found_a = "not in" not in oa[what] if what == "retrieval" else oa[what]
            found_b = "not in" not in ob[what] if what == "retrieval" else ob[what]
            if found_a != found_b:
                out.flips.append(Flip(it_a.id, it_a.question, what, oa[what], ob[what]))
    return out


def render_text(c: Comparison) -> str:
    """The comparison as a plain-text table (what `kho eval compare` prints)."""
    lines = [
        f"A: {c.a.name} ({c.a.id})  B: {c.b.name} ({c.b.id})",
        "same dataset file" if c.same_dataset else "NOTE: different dataset files (sha256 differ)",
    ]
    for key, (va, vb) in config_changes(c.a, c.b).items():
        lines.append(f"config {key}: {va} → {vb}")
    lines.append("")
    lines.append(f"{'metric':36} {'A':>9} {'B':>9} {'B−A':>9}")
    for d in c.deltas:
        fa = "—" if d.a is None else f"{d.a:.4g}"
        fb = "—" if d.b is None else f"{d.b:.4g}"
        delta = d.delta
        fd = "" if delta is None else f"{delta:+.4g}"
        arrow = verdict(d.metric, delta)
        mark = f" {arrow}" + (" *" if d.significant else "") if arrow else ""
        lines.append(f"{d.metric:36} {fa:>9} {fb:>9} {fd:>9}{mark}")
    lines.append("")
    lines.append("* = the two 95 % intervals do not overlap")
    lines.append(f"{c.common} questions in both runs; {len(c.flips)} flipped:")
    for f in c.flips:
        lines.append(f"  {f.id} [{f.what}] {f.a} → {f.b}: {f.question[:90]}")
    return "\n".join(lines)
