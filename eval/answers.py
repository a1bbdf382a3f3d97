"""Answer accuracy: true/false and multiple-choice items judged by the pipeline, free text by overlap.

Each item retrieves its sources with the same hybrid search and evidence policy as `kho ask`, then:
- `true_false`: the model quotes the governing sentence and concludes "Đúng"/"Sai" (assistant/prompts/
  judge_true_false.txt); a statement carrying a number that none of its sources contains is "Sai" whatever the
  model says (small models answer "Đúng" to almost everything).
- `multiple_choice`: the model quotes, then names one letter (judge_choice.txt).
- `free_text`: a generated answer (`Assistant.ask`), scored by token F1 against the reference.
Refused items count as wrong. `accuracy` is exact match over true/false and multiple choice; free text is
reported as mean token F1 (and in `accuracy_by_type` as the share with F1 ≥ 0.5). Citation precision/recall
compare the cited articles with the gold ones.

>>> parse_label("Trích dẫn: ...\\nKết luận: Sai.", ("Đúng", "Sai"))
'Sai'
>>> token_f1("hết cuộc đời của người hưởng dụng", "Hết cuộc đời người hưởng dụng đầu tiên")
0.8
"""

from __future__ import annotations

import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.llm import ChatMessage, GenerationConfig, LLMBackend, get_llm
from assistant.pipeline import AskOptions, Assistant
from assistant.prompts import context, template
from assistant.verify import numbers_in
from core.settings import Settings
from eval.retrieval import DatasetError, EvalQuestion, hit_keys, load_dataset, prepare
from index.search import Hit, Searcher
from index.store import Filters

JUDGED = ("true_false", "multiple_choice", "free_text")
LABELLED = ("true_false", "multiple_choice")


def parse_label(text: str, labels: tuple[str, ...]) -> str | None:
    """The label after "Kết luận:"/"Đáp án:" (or, failing that, the last label mentioned)."""
    norm = unicodedata.normalize("NFC", text)
    m = re.search(r"(?:Kết luận|Đáp án)\s*:\s*\**\s*([^\s.*,;]+)", norm, re.IGNORECASE)
    if m:
        word = m.group(1).strip()
        for label in labels:
            if word.casefold() == label.casefold():
                return label
    found = [(norm.rfind(label), label) for label in labels if label in norm]
    return max(found)[1] if found else None


def token_f1(prediction: str, reference: str) -> float:
    """Token-level F1 of two texts (lowercased syllables), rounded to 4 places."""
    p = unicodedata.normalize("NFC", prediction).lower().split()
    r = unicodedata.normalize("NFC", reference).lower().split()
    common = sum((Counter(p) & Counter(r)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return round(2 * precision * recall / (precision + recall), 4)


def stratified(questions: list[EvalQuestion], limit: int | None) -> list[EvalQuestion]:
    """The first `limit` items taken round-robin over the judged types, so every type is represented."""
    by_type: dict[str, list[EvalQuestion]] = defaultdict(list)
    for q in questions:
        if q.type in JUDGED:
            by_type[q.type].append(q)
    out: list[EvalQuestion] = []
    queues = [by_type[t] for t in JUDGED if by_type[t]]
    while queues and (limit is None or len(out) < limit):
        for queue in list(queues):
            if queue and (limit is None or len(out) < limit):
                out.append(queue.pop(0))
            if not queue:
                queues.remove(queue)
    return out


@dataclass
class ItemResult:
    id: str
    type: str
    correct: bool
    predicted: str | None
    refused: bool
    cited: list[tuple[str, str]]
    gold_hit: bool
    verified: bool | None
    latency_s: float
    ttft_s: float | None = None
    score: float = 0.0


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
            "latency_s_p95": round(_p95(lat), 2) if lat else 0.0,
            "ttft_s_p50": round(statistics.median(ttft), 2) if ttft else None,
            "free_text_f1": round(statistics.mean([i.score for i in by_type["free_text"]]), 4)
            if by_type.get("free_text")
            else None,
            "dataset": self.dataset,
        }


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return float(statistics.quantiles(values, n=100, method="inclusive")[94])


def _cited(hits: list[Hit], q: EvalQuestion) -> tuple[list[tuple[str, str]], bool]:
    gold = {g.key for g in q.gold}
    out = [(h.anchor, "gold" if hit_keys(h) & gold else "other") for h in hits]
    return out, any(flag == "gold" for _, flag in out)


def _generate(llm: LLMBackend, prompt: str, max_tokens: int = 160) -> tuple[str, float]:
    t = time.perf_counter()
    first: float | None = None
    pieces = []
    for delta in llm.stream([ChatMessage("user", prompt)], GenerationConfig(max_tokens=max_tokens)):
        if first is None:
            first = time.perf_counter() - t
        pieces.append(delta)
    return "".join(pieces), first or 0.0


def judge_item(q: EvalQuestion, searcher: Searcher, llm: LLMBackend, filters: Filters) -> ItemResult:
    """Answer one item and score it."""
    t0 = time.perf_counter()
    if q.type == "free_text":
        ans = Assistant(searcher, llm_factory=lambda: llm).ask(q.question, options=AskOptions(filters=filters))
        cited, gold_hit = _cited([c.hit for c in ans.citations], q)
        f1 = token_f1(ans.answer, str(q.answer or "")) if not ans.refused else 0.0
        return ItemResult(
            q.id,
            q.type,
            f1 >= 0.5,
            None,
            ans.refused,
            cited,
            gold_hit,
            ans.verification.value == "verified",
            ans.latency_s,
            ans.ttft_s,
            f1,
        )
    query = q.question if q.type == "true_false" else f"{q.question} " + " ".join((q.choices or {}).values())
    _hits, ev, sources = Assistant(searcher, llm_factory=lambda: llm).gather(query, AskOptions(filters=filters))
    cited, gold_hit = _cited([s.hit for s in sources], q)
    if not ev.enough:
        return ItemResult(q.id, q.type, False, None, True, [], False, None, time.perf_counter() - t0)
    ctx = context(sources)
    if q.type == "true_false":
        statement = re.sub(r",?\s*đúng hay sai\??\s*$", "", q.question, flags=re.IGNORECASE).strip()
        out, ttft = _generate(llm, template("judge_true_false").format(context=ctx, statement=statement))
        label = parse_label(out, ("Đúng", "Sai"))
        source_text = "\n".join(s.hit.text for s in sources)
        if numbers_in(statement) - numbers_in(source_text):
            label = "Sai"  # a number the law does not state
    else:
        choices = q.choices or {}
        listing = "\n".join(f"{k}. {v}" for k, v in choices.items())
        out, ttft = _generate(llm, template("judge_choice").format(context=ctx, question=q.question, choices=listing))
        label = parse_label(out, tuple(choices))
    return ItemResult(
        q.id, q.type, label == str(q.answer), label, False, cited, gold_hit, None, time.perf_counter() - t0, ttft
    )


def run_answer_eval(
    dataset: Path,
    settings: Settings,
    limit: int | None = None,
    say: Callable[[str], None] = lambda _m: None,
    llm: LLMBackend | None = None,
) -> AnswerReport:
    """Evaluate answers on `dataset` (see the module docstring)."""
    questions = stratified(load_dataset(dataset), limit)
    if not questions:
        raise DatasetError(f"{dataset}: no true_false, multiple_choice or free_text items")
    corpus = questions[0].corpus
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
