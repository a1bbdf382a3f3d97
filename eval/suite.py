"""`kho eval run`: one command that measures retrieval, answers, citations, refusal, latency and Ragas on a dataset.

For a stratified selection of the dataset (the types taken in turn, `answers.stratified`), every item is:
1. searched (top 10 articles, the same query the answer pipeline uses) → Recall@1/5/10, MRR@10, nDCG@10 and the
   ranks at which gold articles were found (the recall@k curve);
2. answered and scored as in `kho eval answers` → accuracy (true/false and multiple choice), free-text F1,
   refusal, citation precision/recall, verification, latency and time to the first model output;
3. for the first `ragas_limit` items: asked as a user would ask it (`Assistant.ask`, generative) and scored with
   the Ragas metrics by the local judge (`eval.ragas_eval`).

Metrics are stored flat (`retrieval.recall@10`, `answer.accuracy`, `ragas.faithfulness`, …) with 95 % intervals
(Wilson for proportions, bootstrap for means) and item counts, together with the dataset hash, configuration,
judge, code version and model pins (`eval.runs.EvalRun`), in the run history.

Suites (`SUITES`) name the defaults: `default` (hybrid search, what `make eval` runs) and `ci` (BM25 only, a few
items: what `make test` gates on, minutes on a CPU without dense vectors).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer import Answer, CitedSource
from assistant.extractive import quote_sources
from assistant.llm import LLMBackend, get_llm
from assistant.pipeline import AskOptions, Assistant
from assistant.prompts import without_source_line
from core.hashing import file_sha256
from core.settings import Settings
from eval.answers import JUDGED, LABELLED, ItemResult, item_query, judge_item, stratified
from eval.items import RagasTrace, RetrievalTrace, RunItem, TopHit
from eval.ragas_eval import RAGAS_METRICS, RagasJudge, ask_text, reference_for
from eval.retrieval import (
    DatasetError,
    EvalQuestion,
    hit_keys,
    judge,
    load_dataset,
    prepare,
    score_ranking,
    single_corpus,
)
from eval.runs import (
    EvalRun,
    RunStore,
    code_version,
    mean_interval,
    model_pins,
    new_run_id,
    percentile,
    wilson,
)
from index.search import Mode, Searcher
from index.store import Filters

Say = Callable[[str], None]
CURVE_K = 10
MARKER_RE = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Suite:
    """A named set of defaults for `kho eval run`."""

    mode: Mode
    limit: int | None
    ragas_limit: int | None
    description: str


SUITES: dict[str, Suite] = {
    "default": Suite("hybrid", 24, 6, "hybrid search; 24 stratified items, Ragas on the first 6 (`make eval`)"),
    "ci": Suite("bm25", 6, 1, "BM25 only, 6 stratified items, Ragas on 1: the regression gate in `make test`"),
}


@dataclass
class RunRequest:
    """What to run: the dataset and the choices that differ from the suite's defaults."""

    dataset: Path
    suite: str = "default"
    name: str | None = None
    limit: int | None = None
    ragas_limit: int | None = None
    mode: Mode | None = None
    offset: int = 0
    types: tuple[str, ...] = JUDGED
    ragas: bool = True
    validity: bool = True  # the law-in-force section (eval/validity.py): extraction + question set, extractive

    def resolved(self) -> tuple[Suite, int | None, int, Mode]:
        if self.suite not in SUITES:
            raise ValueError(f"unknown suite {self.suite!r}; known: {', '.join(SUITES)}")
        suite = SUITES[self.suite]
        limit = self.limit if self.limit is not None else suite.limit
        ragas_limit = self.ragas_limit if self.ragas_limit is not None else suite.ragas_limit
        if not self.ragas:
            ragas_limit = 0
        return suite, limit, ragas_limit if ragas_limit is not None else (limit or 0), self.mode or suite.mode


def _law(q: EvalQuestion) -> str:
    return q.gold[0].document if q.gold else "(none)"


def _retrieval_item(q: EvalQuestion, searcher: Searcher, mode: Mode, filters: Filters) -> RetrievalTrace:
    t = time.perf_counter()
    result = searcher.search(item_query(q), k=CURVE_K, mode=mode, filters=filters)
    latency_ms = (time.perf_counter() - t) * 1000
    relevant, found = judge(result.hits, q.gold)
    gold = {g.key for g in q.gold}
    return RetrievalTrace.of(
        {k: round(v, 4) for k, v in score_ranking(relevant, len(q.gold), found).items()},
        found_ranks=found,
        n_gold=len(q.gold),
        latency_ms=round(latency_ms, 1),
        top=tuple(TopHit(h.anchor, bool(hit_keys(h) & gold), round(h.score, 4)) for h in result.hits[:CURVE_K]),
    )


def _judged_contexts(
    assistant: Assistant, ans: Answer, question: str, options: AskOptions
) -> tuple[list[CitedSource], list[str]]:
    """The passages Ragas judges an answer against: what the model read. For an answer, the sources its prompt
    held, each whole as the prompt gives it (the article without its pháp điển source line, the articles it applies
    after it), gathered again — the same question gives the same sources, as `Assistant.context_of` relies on.
    Judging a whole-article answer against the best passage of each hit counted a verbatim quote of another Khoản
    of the same article as unsupported. A refusal read nothing: the best passages of the closest hits, for the
    context metrics."""
    query = ans.query or question
    if ans.refused:
        quoted = quote_sources(query, list(ans.closest), n=assistant.k(options)) if ans.closest else []
        return quoted, [f"{s.hit.anchor}\n{s.text}" for s in quoted]
    _, _, read = assistant.gather(query, options)
    return read, [f"{s.hit.anchor}\n{without_source_line(s.hit.text.strip())}" for s in read]


def _ragas_item(
    q: EvalQuestion, searcher: Searcher, llm: LLMBackend, judge_: RagasJudge, options: AskOptions
) -> RagasTrace:
    question = ask_text(q.question, q.type, q.choices)
    assistant = Assistant(searcher, llm_factory=lambda: llm)
    ans = assistant.ask(question, options=options)
    sources, contexts = _judged_contexts(assistant, ans, question, options)
    response = None if ans.refused else MARKER_RE.sub("", ans.answer).strip()
    reference = reference_for(q.question, q.type, q.answer, q.choices)
    scores = judge_.score(question, response, contexts, reference, reference_is_answer=q.type == "free_text")
    return RagasTrace(
        response=ans.answer,
        refused=ans.refused,
        verification=ans.verification.value,
        contexts=tuple(s.hit.anchor for s in sources),
        reference=reference,
        generate_s=round(ans.latency_s, 2),
        scores=scores.scores,
        errors=scores.errors,
        latency_s=round(scores.latency_s, 2),
    )


Summary = tuple[dict[str, float | None], dict[str, tuple[float, float]], dict[str, int]]


def summarise(items: Sequence[RunItem]) -> Summary:
    """The run's flat metric table, 95 % intervals and counts, from its items."""
    metrics: dict[str, float | None] = {}
    intervals: dict[str, tuple[float, float]] = {}
    counts: dict[str, int] = {}

    def mean(name: str, values: list[float]) -> None:
        if values:
            metrics[name] = round(statistics.fmean(values), 4)
            intervals[name] = mean_interval(values)
            counts[name] = len(values)

    def share(name: str, flags: list[bool]) -> None:
        if flags:
            metrics[name] = round(sum(flags) / len(flags), 4)
            intervals[name] = wilson(sum(flags), len(flags))
            counts[name] = len(flags)

    retrieval = [it.retrieval for it in items if it.retrieval]
    for key in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"):
        mean(f"retrieval.{key}", [r.score(key) for r in retrieval])
    if retrieval:
        lat = [r.latency_ms for r in retrieval]
        metrics["latency.search_ms_p50"] = round(percentile(lat, 50), 1)
        metrics["latency.search_ms_p95"] = round(percentile(lat, 95), 1)

    answered = [it.answer for it in items if it.answer]
    labelled = [a for a in answered if a.type in LABELLED]
    share("answer.accuracy", [a.correct for a in labelled])
    for t in LABELLED:
        share(f"answer.accuracy.{t}", [a.correct for a in labelled if a.type == t])
    mean("answer.free_text_f1", [a.score for a in answered if a.type == "free_text"])
    share("answer.refusal_rate", [a.refused for a in answered])
    share("answer.verified_rate", [a.verified for a in answered if a.verified is not None])
    cited = [a.cited for a in answered if a.cited]
    mean("citation.precision", [sum(1 for c in cs if c[1] == "gold") / len(cs) for cs in cited])
    share("citation.recall", [a.gold_hit for a in answered])
    if answered:
        lat = [a.latency_s for a in answered]
        metrics["latency.answer_s_p50"] = round(percentile(lat, 50), 2)
        metrics["latency.answer_s_p95"] = round(percentile(lat, 95), 2)
        ttft = [a.ttft_s for a in answered if a.ttft_s is not None]
        if ttft:
            metrics["latency.first_output_s_p50"] = round(percentile(ttft, 50), 2)

    scored = [it.ragas for it in items if it.ragas]
    for m in RAGAS_METRICS:
        mean(f"ragas.{m}", [v for r in scored if (v := r.scores.get(m)) is not None])
    if scored:
        counts["ragas.items"] = len(scored)
        counts["ragas.judge_errors"] = sum(len(r.errors) for r in scored)
        gen = [r.generate_s for r in scored]
        metrics["latency.generate_s_p50"] = round(percentile(gen, 50), 2)
        metrics["latency.generate_s_p95"] = round(percentile(gen, 95), 2)
    return metrics, intervals, counts


def _config(settings: Settings, searcher: Searcher, mode: Mode, llm: LLMBackend, suite: str) -> dict[str, Any]:
    return {
        "suite": suite,
        "mode": mode,
        "search_k": CURVE_K,
        "context_sources": settings.context_sources,
        "embedder": searcher.meta.embedder if mode != "bm25" else None,
        "collection": searcher.collection,
        "llm": llm.name,
        "llm_endpoint": "KHO_LLM_URL" if settings.llm_url else "embedded llama.cpp",
        "access": "max_access_rank=2 (the evaluator sees the whole evaluation corpus)",
    }


# The law-in-force section's metrics (`validity_section`), in this order.
VALIDITY_METRICS = (
    "validity.current_rule_accuracy",
    "validity.past_accuracy",
    "validity.superseded_quoted_as_current",
    "validity.extraction_precision",
    "validity.extraction_recall",
)


def validity_section(settings: Settings, say: Say) -> tuple[dict[str, float | None], dict[str, int]]:
    """The law-in-force section of a run: relation extraction against its gold set, and the question set whose
    answer changed with an amendment or repeal (extractive, so it measures retrieval and the choice of version)."""
    from eval.validity import GOLD, run_question_set, score_extraction

    ex = score_extraction(settings, GOLD)
    q = run_question_set(settings, say)
    say(
        f"law in force: current rule {q['current_rule_accuracy']}, superseded quoted as current "
        f"{q['superseded_quoted_as_current']}, past {q['past_accuracy']} (n={q['n']})"
    )
    values = (
        q["current_rule_accuracy"],
        q["past_accuracy"],
        float(q["superseded_quoted_as_current"]),
        ex["applied"]["precision"],
        ex["applied"]["recall"],
    )
    metrics = dict(zip(VALIDITY_METRICS, values, strict=True))
    return metrics, {"validity.questions": q["n"], "validity.gold_events": ex["events"]}


def run_suite(
    request: RunRequest,
    settings: Settings,
    say: Say = lambda _m: None,
    llm: LLMBackend | None = None,
    store: RunStore | None = None,
) -> EvalRun:
    """Run the evaluation `request` describes, store it in the run history, and return it."""
    t_start = time.perf_counter()
    code = code_version()  # what is running now, before anyone commits or edits during a long run
    suite, limit, ragas_limit, mode = request.resolved()
    questions = stratified(load_dataset(request.dataset), limit, request.types, request.offset)
    if not questions:
        raise DatasetError(f"{request.dataset}: no {', '.join(request.types)} items to evaluate")
    corpus = single_corpus(request.dataset, questions)
    ws, _registry, indexer = prepare(settings, corpus, None, mode, mode != "bm25", say)
    searcher = Searcher(indexer.store, ws)
    llm = llm or get_llm(settings)
    filters = Filters(max_access_rank=2)
    options = AskOptions(filters=filters, mode=mode)
    ragas_judge = RagasJudge(ws) if ragas_limit else None
    items: list[RunItem] = []
    try:
        for i, q in enumerate(questions, start=1):
            # The answer as the history stores it (times rounded), so the metrics read what a stored run reads.
            answer = ItemResult.from_json(judge_item(q, searcher, llm, filters, mode).to_json())
            item = RunItem(
                id=q.id,
                type=q.type,
                question=q.question,
                choices=q.choices,
                law=_law(q),
                gold=tuple((g.document, g.article) for g in q.gold),
                retrieval=_retrieval_item(q, searcher, mode, filters),
                answer=answer,
                ragas=_ragas_item(q, searcher, llm, ragas_judge, options)
                if ragas_judge is not None and i <= ragas_limit
                else None,
            )
            items.append(item)
            done = "✓" if answer.correct else ("–" if answer.refused else "✗")
            say(f"  {i}/{len(questions)} {q.id} [{q.type}] {done} ({time.perf_counter() - t_start:.0f} s)")
    finally:
        indexer.store.close()
    metrics, intervals, counts = summarise(items)
    if request.validity:
        metrics_, counts_ = validity_section(settings, say)
        metrics.update(metrics_)
        counts.update(counts_)
    created = dt.datetime.now(dt.UTC)
    run = EvalRun(
        id=new_run_id(created, f"{request.dataset}:{time.time_ns()}"),
        name=request.name or f"{request.suite}-{mode}",
        created=created.isoformat(timespec="seconds"),
        dataset={
            "path": str(request.dataset),
            "name": request.dataset.name,
            "sha256": file_sha256(request.dataset),
            "corpus": corpus,
            "selection": {
                "limit": limit,
                "offset": request.offset,
                "types": list(request.types),
                "ragas_limit": ragas_limit,
                "n": len(questions),
                "method": "stratified round-robin over types (eval.answers.stratified)",
            },
        },
        config=_config(settings, searcher, mode, llm, request.suite),
        judge=ragas_judge.describe() if ragas_judge else None,
        code=code,
        models=model_pins(),
        metrics=metrics,
        intervals=intervals,
        counts=counts,
        duration_s=round(time.perf_counter() - t_start, 1),
        items=items,
    )
    store = store or RunStore.from_settings(settings)
    store.save(run)
    return run
