"""Answer accuracy: true/false and multiple-choice items judged by the pipeline, free text by overlap.

Each item retrieves its sources with the same hybrid search and evidence policy as `kho ask`, then:
- `true_false`: `assistant.judge.StatementJudge` — governing sentences quoted, the model's calibrated
  probability of "Đúng" vs "Sai" under two views (the quote, the whole passages) summed, and a number the law
  does not state makes the statement false.
- `multiple_choice`: `assistant.judge.ChoiceJudge` — every choice judged the same way as the answer to the
  question; composite choices and "which is NOT …" questions decided from those judgements.
- `free_text`: a generated answer (`Assistant.ask`), scored by token F1 against the reference.
Refused items count as wrong. `accuracy` is exact match over true/false and multiple choice; free text is
reported as mean token F1 (and in `accuracy_by_type` as the share with F1 ≥ 0.5). Citation recall: a gold article
among the sources read. Citation precision: the share of what the answer cites that is a gold article — for a
judged item the source of the quote that decides it (the judge's top governing sentence: what `kho ask` shows as
"Theo [n]: «…»"), for free text the sources its verified sentences cite. `ablation` re-scores the same run with
steps left out (from the per-item scores kept in the traces, no extra model calls), so the report says what each
step bought.

>>> token_f1("hết cuộc đời của người hưởng dụng", "Hết cuộc đời người hưởng dụng đầu tiên")
0.8
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.judge import ChoiceJudge, Judgement, StatementJudge, pick_choice
from assistant.llm import ChatMessage, GenerationConfig, LLMBackend, get_llm
from assistant.pipeline import AskOptions, Assistant
from core.settings import Settings
from core.text import nfc
from eval.items import ItemResult
from eval.retrieval import DatasetError, EvalQuestion, hit_keys, load_dataset, prepare, single_corpus
from eval.runs import percentile
from index.search import Hit, Mode, Searcher
from index.store import Filters

JUDGED = ("true_false", "multiple_choice", "free_text")
LABELLED = ("true_false", "multiple_choice")


def token_f1(prediction: str, reference: str) -> float:
    """Token-level F1 of two texts (lowercased syllables), rounded to 4 places."""
    p = nfc(prediction).lower().split()
    r = nfc(reference).lower().split()
    common = sum((Counter(p) & Counter(r)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return round(2 * precision * recall / (precision + recall), 4)


def stratified(
    questions: list[EvalQuestion], limit: int | None, types: tuple[str, ...] = JUDGED, offset: int = 0
) -> list[EvalQuestion]:
    """The first `limit` items of `types`, taken round-robin over the types, so every type is represented.

    `offset` skips that many items of each type first (e.g. the ones looked at while developing).
    """
    unknown = set(types) - set(JUDGED)
    if unknown or not types:
        raise ValueError(f"--types must name some of {', '.join(JUDGED)}; got {', '.join(types) or 'none'}")
    by_type: dict[str, list[EvalQuestion]] = defaultdict(list)
    for q in questions:
        if q.type in types:
            by_type[q.type].append(q)
    out: list[EvalQuestion] = []
    queues = [by_type[t][offset:] for t in JUDGED if by_type[t][offset:]]
    while queues and (limit is None or len(out) < limit):
        for queue in list(queues):
            if queue and (limit is None or len(out) < limit):
                out.append(queue.pop(0))
            if not queue:
                queues.remove(queue)
    return out


@dataclass
class AnswerReport:
    dataset: str
    items: list[ItemResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        n = len(self.items)
        by_type: dict[str, list[ItemResult]] = defaultdict(list)
        for it in self.items:
            by_type[it.type].append(it)
        cited = [it for it in self.items if it.cited]
        labelled = [it for it in self.items if it.type in LABELLED]
        lat = [it.latency_s for it in self.items]
        ttft = [it.ttft_s for it in self.items if it.ttft_s is not None]
        verified = [it.verified for it in self.items if it.verified is not None]
        return {
            "n": n,
            # Exact-match accuracy over the labelled types; free text is scored by F1 (below), not counted here.
            "accuracy": round(sum(it.correct for it in labelled) / len(labelled), 4) if labelled else 0.0,
            "accuracy_by_type": {
                t: round(sum(i.correct for i in items) / len(items), 4) for t, items in sorted(by_type.items())
            },
            "refusal_rate": round(sum(it.refused for it in self.items) / n, 4) if n else 0.0,
            "citation_precision": round(
                sum(sum(1 for c in it.cited if c[1] == "gold") / len(it.cited) for it in cited) / len(cited), 4
            )
            if cited
            else 0.0,
            "citation_recall": round(sum(it.gold_hit for it in self.items) / n, 4) if n else 0.0,
            "verified_rate": round(sum(verified) / len(verified), 4) if verified else None,
            "latency_s_p50": round(statistics.median(lat), 2) if lat else 0.0,
            "latency_s_p95": round(percentile(lat, 95), 2) if lat else 0.0,
            "ttft_s_p50": round(statistics.median(ttft), 2) if ttft else None,
            "free_text_f1": round(statistics.mean([i.score for i in by_type["free_text"]]), 4)
            if by_type.get("free_text")
            else None,
            "ablation": ablation(self.items),
            "dataset": self.dataset,
        }

    def details(self) -> dict[str, Any]:
        """The summary plus every item (prediction, gold, citations and the judge's scores)."""
        return {**self.to_json(), "items": [it.to_json() for it in self.items]}


def _tf_variants() -> dict[str, Callable[[Judgement], bool]]:
    """True/false decision rules, each leaving steps out (True = judged "Đúng")."""
    return {
        "passages view, raw model probability": lambda j: j.raw.get("passages", 0.0) > 0,
        "quote view, raw": lambda j: j.raw.get("quote", 0.0) > 0,
        "passages view, calibrated": lambda j: j.calibrated.get("passages", 0.0) > 0,
        "quote view, calibrated": lambda j: j.calibrated.get("quote", 0.0) > 0,
        "both views voted (calibrated)": lambda j: sum(j.calibrated.values()) > 0,
        "+ number check (the pipeline)": lambda j: j.score > 0,
    }


_MC_VARIANTS: dict[str, tuple[str, bool]] = {
    "per-choice, passages view, raw": ("raw:passages", False),
    "per-choice, passages view, calibrated": ("passages", False),
    "per-choice, quote view, calibrated": ("quote", False),
    "per-choice, both views + number check": ("score", False),
    "+ composite choices and NOT-questions (the pipeline)": ("score", True),
}


def ablation(items: list[ItemResult]) -> dict[str, dict[str, float]]:
    """Accuracy per type under decision rules that leave pipeline steps out, from the items' traces."""
    out: dict[str, dict[str, float]] = {}
    tf = [it for it in items if it.type == "true_false" and it.trace and "judgement" in it.trace]
    if tf:
        judged = [(_judgement(it.trace["judgement"]), it.gold) for it in tf if it.trace]
        out["true_false"] = {
            name: round(sum(("Đúng" if rule(j) else "Sai") == gold for j, gold in judged) / len(tf), 4)
            for name, rule in _tf_variants().items()
        }
        out["true_false"]["always Đúng"] = round(sum(gold == "Đúng" for _, gold in judged) / len(tf), 4)
    mc = [it for it in items if it.type == "multiple_choice" and it.trace and "choices" in it.trace]
    if mc:
        rows = {name: 0 for name in _MC_VARIANTS}
        for it in mc:
            assert it.trace is not None
            judgements = {k: _judgement(v) for k, v in it.trace["choices"].items()}
            composites = {k: (v[0], tuple(v[1])) for k, v in it.trace["composites"].items()}
            for name, (score, full) in _MC_VARIANTS.items():
                letter = pick_choice(
                    judgements, composites if full else {}, it.trace["wrong_wanted"] if full else False, score
                )
                rows[name] += letter == it.gold
        out["multiple_choice"] = {name: round(n / len(mc), 4) for name, n in rows.items()}
    return out


def _judgement(data: dict[str, Any]) -> Judgement:
    """A Judgement back from its trace (scores only)."""
    return Judgement(
        statement="",
        quote=[],
        raw=dict(data["raw"]),
        calibrated=dict(data["calibrated"]),
        missing_numbers=tuple(data["missing_numbers"]),
        included=str(data.get("included", "")),  # runs before it was recorded: none
    )


def _cited(hits: list[Hit], q: EvalQuestion) -> tuple[list[tuple[str, str]], bool]:
    gold = {g.key for g in q.gold}
    out = [(h.anchor, "gold" if hit_keys(h) & gold else "other") for h in hits]
    return out, any(flag == "gold" for _, flag in out)


def item_query(q: EvalQuestion) -> str:
    """What the pipeline searches with for an item: the question, plus the choices for multiple choice."""
    return q.question if q.type != "multiple_choice" else f"{q.question} " + " ".join((q.choices or {}).values())


def judge_item(
    q: EvalQuestion, searcher: Searcher, llm: LLMBackend, filters: Filters, mode: Mode = "hybrid"
) -> ItemResult:
    """Answer one item and score it."""
    t0 = time.perf_counter()
    options = AskOptions(filters=filters, mode=mode)
    if q.type == "free_text":
        ans = Assistant(searcher, llm_factory=lambda: llm).ask(q.question, options=options)
        cited, gold_hit = _cited([c.hit for c in ans.citations], q)
        f1 = token_f1(ans.answer, str(q.answer or "")) if not ans.refused else 0.0
        return ItemResult(
            q.id,
            q.type,
            f1 >= 0.5,
            ans.answer,  # the model's answer as shown, for the report's failed free-text items
            ans.refused,
            cited,
            gold_hit,
            ans.verification.value == "verified",
            ans.latency_s,
            ans.ttft_s,
            f1,
            gold=str(q.answer or ""),
        )
    _hits, ev, sources = Assistant(searcher, llm_factory=lambda: llm).gather(item_query(q), options)
    _, gold_hit = _cited([s.hit for s in sources], q)  # recall: a gold article among what the judge read
    gold = str(q.answer)
    if not ev.enough:
        return ItemResult(q.id, q.type, False, None, True, [], False, None, time.perf_counter() - t0, gold=gold)
    timed = _FirstCall(llm, t0)
    statements = StatementJudge(timed)
    trace: dict[str, Any]
    if q.type == "true_false":
        statement = re.sub(r",?\s*(là\s+)?đúng hay sai\s*\??\s*$", "", q.question.strip(), flags=re.IGNORECASE)
        judgement = statements.judge(statement.strip(), sources)
        label: str | None = judgement.label
        trace = {"judgement": judgement.to_json(), "quote": judgement.quote}
        deciding = judgement.quote[:1]
    else:
        choice = ChoiceJudge(statements).choose(q.question, dict(q.choices or {}), sources)
        label = choice.letter
        trace = choice.to_json()
        decided_by = choice.judgements.get(label or "") or next(iter(choice.judgements.values()), None)
        deciding = decided_by.quote[:1] if decided_by is not None else []
    # What the answer cites: the source of the quote that decides it (precision = that source is a gold article).
    cited, _ = _cited([s.hit for s in sources if any(quote in s.hit.text for quote in deciding)][:1], q)
    trace["deciding_quote"] = deciding
    return ItemResult(
        q.id,
        q.type,
        label == gold,
        label,
        False,
        cited,
        gold_hit,
        None,
        time.perf_counter() - t0,
        timed.first_s,
        gold=gold,
        trace=trace,
    )


class _FirstCall(LLMBackend):
    """An LLM wrapper that notes when the first label distribution came back (the labelled items' TTFT)."""

    def __init__(self, llm: LLMBackend, t0: float) -> None:
        self.llm, self.t0, self.name = llm, t0, llm.name
        self.first_s: float | None = None

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        return self.llm.stream(messages, config)

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        out = self.llm.label_probs(messages, labels, timeout_s)
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.t0
        return out


def run_answer_eval(
    dataset: Path,
    settings: Settings,
    limit: int | None = None,
    say: Callable[[str], None] = lambda _m: None,
    llm: LLMBackend | None = None,
    types: tuple[str, ...] = JUDGED,
    offset: int = 0,
) -> AnswerReport:
    """Evaluate answers on `dataset` (see the module docstring)."""
    questions = stratified(load_dataset(dataset), limit, types, offset)
    if not questions:
        raise DatasetError(f"{dataset}: no {', '.join(types)} items")
    corpus = single_corpus(dataset, questions)
    ws, _registry, indexer = prepare(settings, corpus, None, "hybrid", True, say)
    searcher = Searcher(indexer.store, ws)
    llm = llm or get_llm(settings)
    report = AnswerReport(dataset=dataset.name)
    filters = Filters(max_access_rank=2)
    for i, q in enumerate(questions, start=1):
        report.items.append(judge_item(q, searcher, llm, filters))
        if i % 10 == 0:
            say(f"  {i}/{len(questions)} items, accuracy so far {report.to_json()['accuracy']}")
    indexer.store.close()
    return report
