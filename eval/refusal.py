"""Refusal calibration: pick the evidence thresholds below which the assistant says it found no legal basis.

The assistant refuses unless a top hit covers enough of the question's content words OR its dense cosine is high
enough (`assistant.evidence`). This module measures both signals, exactly as `Assistant.gather` computes them
(hybrid search, `Filters(max_access_rank=2)`, `AskOptions` defaults), for two kinds of questions searched in the
SAME workspace:

- answerable: a dataset over that corpus (ALQAC dev: the corpus holds every gold article);
- unanswerable: questions whose gold documents the corpus does NOT hold — in-domain legal questions over another
  corpus (Zalo dev over pháp điển + laws, minus every question whose gold document is in the answerable corpus,
  matched by number or by title), and hand-written out-of-domain questions (`eval/data/out_of_domain_vi.jsonl`).

`pick_thresholds` then walks a grid of (min_coverage, min_similarity): among the points that falsely refuse at most
`max_false_refusal` of the answerable questions, it takes the one refusing the largest share of unanswerable ones
(the mean over the unanswerable sets, so a small set weighs as much as a large one). No item is looked at on its
own; only the two rates are optimised. The report adds the best point per budget, each signal alone, the best
similarity at a few fixed coverages, and a pick-on-one-half, measure-on-the-other check. `mode="bm25"` measures an
index without dense vectors, where coverage decides alone.

>>> answerable = [Scores("a1", 0.9, 0.40), Scores("a2", 0.5, 0.62), Scores("a3", 0.7, 0.30)]
>>> unanswerable = {"off": [Scores("u1", 0.5, 0.35), Scores("u2", 0.2, 0.58)]}
>>> p = pick_thresholds(answerable, unanswerable, max_false_refusal=0.0)
>>> (p.min_coverage, p.min_similarity, p.false_refusal, p.refused["off"])
(0.55, 0.59, 0.0, 1.0)
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence import EvidencePolicy
from assistant.pipeline import AskOptions, Assistant
from core.settings import Settings
from core.text import standard_spelling
from eval.retrieval import (
    DatasetError,
    EvalQuestion,
    GoldItem,
    corpus_files,
    judge,
    load_dataset,
    norm_doc,
    prepare,
    single_corpus,
    workspace,
)
from index.search import Mode, Searcher
from index.store import Filters
from ingest.job import run_ingest
from ingest.registry import Registry

OUT_OF_DOMAIN = Path(__file__).with_name("data") / "out_of_domain_vi.jsonl"
FALSE_REFUSAL_BUDGET = 0.05  # issue 4: refuse at most 1 answerable question in 20
OFF = 1.01  # a threshold no score reaches: that signal alone never suffices (as in EvidencePolicy)
# Coverage is a share of a handful of content words, so 0.05 steps resolve it; cosines need 0.01.
COVERAGE_GRID: tuple[float, ...] = (*(round(0.05 * i, 2) for i in range(21)), OFF)
SIMILARITY_GRID: tuple[float, ...] = (*(round(0.01 * i, 2) for i in range(101)), OFF)
CURVE_BUDGETS = (0.0, 0.01, 0.02, 0.05, 0.10, 0.20)
BY_COVERAGE = (0.5, 0.6, 0.7, 0.8, 0.9, OFF)

Say = Callable[[str], None]


# -- which questions are unanswerable ---------------------------------------------------------------------------

_NUMBER = re.compile(r"(?:số\s+)?\S*\d+/\d{4}/\S*")


def title_key(name: str) -> str:
    """A document title as compared across corpora: casefolded, document numbers and punctuation removed.

    >>> title_key("Luật 24/2018/QH14 an ninh mạng") == title_key("Luật An ninh mạng")
    True
    """
    text = _NUMBER.sub(" ", norm_doc(name))
    text = standard_spelling(text)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def names_document(title: str, corpus_title: str) -> bool:
    """Whether `title` is, or names, the corpus document `corpus_title` (both `title_key`s): "Nghị định … quy
    định chi tiết Luật Cư trú" names "luật cư trú" (its articles may be answered by that law)."""
    return bool(corpus_title) and re.search(rf"(?:^| ){re.escape(corpus_title)}(?: |$)", title) is not None


@dataclass(frozen=True)
class CorpusDocuments:
    """The numbers and title keys of the documents a workspace holds."""

    numbers: frozenset[str]
    titles: frozenset[str]

    @classmethod
    def from_registry(cls, registry: Registry) -> CorpusDocuments:
        docs = registry.list_documents()
        return cls(
            numbers=frozenset(norm_doc(d.meta.so_hieu) for d in docs if d.meta.so_hieu),
            titles=frozenset(k for k in (title_key(d.meta.title) for d in docs) if k),
        )

    def holds(self, gold: GoldItem, titles_of: Mapping[str, Iterable[str]]) -> bool:
        """Whether the gold document is in this corpus: by number, by its own name, or by a title it is known by
        (`titles_of`: normalised number → titles, from the registry of the question's corpus)."""
        number = norm_doc(gold.document)
        if number in self.numbers:
            return True
        names = {title_key(gold.document), *(title_key(t) for t in titles_of.get(number, ()))}
        return any(names_document(n, t) for n in names for t in self.titles)


def document_titles(registry: Registry) -> dict[str, set[str]]:
    """Normalised document number → the titles the registry knows it by (documents and cited originals)."""
    out: dict[str, set[str]] = {}
    for doc in registry.list_documents():
        if doc.meta.so_hieu:
            out.setdefault(norm_doc(doc.meta.so_hieu), set()).add(doc.meta.title)
    for chunk in registry.iter_chunks():
        cited = chunk.citation
        if cited.document and cited.title:
            out.setdefault(norm_doc(cited.document), set()).add(cited.title)
    return out


def split_unanswerable(
    questions: Sequence[EvalQuestion], corpus: CorpusDocuments, titles_of: Mapping[str, Iterable[str]]
) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """(kept, dropped): a question is dropped when any of its gold documents is held by `corpus`."""
    kept: list[EvalQuestion] = []
    dropped: list[EvalQuestion] = []
    for q in questions:
        (dropped if any(corpus.holds(g, titles_of) for g in q.gold) else kept).append(q)
    return kept, dropped


# -- scores and operating points ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """What the evidence check saw for one question: best coverage and dense cosine among the top hits."""

    id: str
    coverage: float
    similarity: float | None
    has_hits: bool = True
    gold_retrieved: bool | None = None  # answerable questions: a gold article among the top hits

    def accepted(self, min_coverage: float, min_similarity: float) -> bool:
        """The rule of `assistant.evidence.assess`."""
        sim_ok = self.similarity is not None and self.similarity >= min_similarity
        return self.has_hits and (self.coverage >= min_coverage or sim_ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "coverage": round(self.coverage, 4),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }
        if not self.has_hits:
            out["has_hits"] = False
        if self.gold_retrieved is not None:
            out["gold_retrieved"] = self.gold_retrieved
        return out


@dataclass(frozen=True)
class OperatingPoint:
    """One (min_coverage, min_similarity) pair and what it does on the calibration sets."""

    min_coverage: float
    min_similarity: float
    false_refusal: float  # share of answerable questions refused
    refused: dict[str, float]  # per unanswerable set: share refused

    @property
    def refused_mean(self) -> float:
        return sum(self.refused.values()) / len(self.refused) if self.refused else 0.0

    def to_json(self) -> dict[str, Any]:
        def threshold(v: float) -> float | str:
            return "off" if v >= OFF else v

        return {
            "min_coverage": threshold(self.min_coverage),
            "min_similarity": threshold(self.min_similarity),
            "answerable_accepted": round(1 - self.false_refusal, 4),
            "false_refusal": round(self.false_refusal, 4),
            "refused": {k: round(v, 4) for k, v in self.refused.items()},
            "refused_mean": round(self.refused_mean, 4),
        }


def _accept_grid(scores: Sequence[Scores], coverages: Sequence[float], similarities: Sequence[float]) -> np.ndarray:
    """Acceptance share of `scores` at every grid point: shape (len(coverages), len(similarities))."""
    if not scores:
        return np.zeros((len(coverages), len(similarities)))
    cov = np.array([s.coverage for s in scores])
    sim = np.array([-np.inf if s.similarity is None else s.similarity for s in scores])
    hits = np.array([s.has_hits for s in scores])
    by_cov = cov[:, None] >= np.asarray(coverages)[None, :]
    by_sim = sim[:, None] >= np.asarray(similarities)[None, :]
    accepted = hits[:, None, None] & (by_cov[:, :, None] | by_sim[:, None, :])
    return np.asarray(accepted.mean(axis=0))


def operating_point(
    answerable: Sequence[Scores],
    unanswerable: Mapping[str, Sequence[Scores]],
    min_coverage: float,
    min_similarity: float,
) -> OperatingPoint:
    """The rates of one threshold pair."""

    def refused(scores: Sequence[Scores]) -> float:
        return sum(not s.accepted(min_coverage, min_similarity) for s in scores) / len(scores) if scores else 0.0

    return OperatingPoint(
        min_coverage=min_coverage,
        min_similarity=min_similarity,
        false_refusal=refused(answerable),
        refused={name: refused(scores) for name, scores in unanswerable.items()},
    )


def pick_thresholds(
    answerable: Sequence[Scores],
    unanswerable: Mapping[str, Sequence[Scores]],
    max_false_refusal: float = FALSE_REFUSAL_BUDGET,
    coverages: Sequence[float] = COVERAGE_GRID,
    similarities: Sequence[float] = SIMILARITY_GRID,
) -> OperatingPoint:
    """The grid point refusing the most unanswerable questions (mean share over the sets) while refusing at most
    `max_false_refusal` of the answerable ones; ties go to fewer false refusals, then to the looser thresholds
    (smaller coverage, then smaller similarity), which cost nothing measured and refuse fewer unseen questions.
    Raises ValueError when no grid point keeps within the budget (more answerable questions than that have no
    hit at all)."""
    if not answerable:
        raise ValueError("no answerable questions to calibrate on")
    everything = [*answerable, *(s for scores in unanswerable.values() for s in scores)]
    if all(s.similarity is None for s in everything):
        similarities = (OFF,)  # no dense vectors: coverage decides alone, say so instead of a meaningless number
    false_refusal = 1 - _accept_grid(answerable, coverages, similarities)
    grids = [1 - _accept_grid(s, coverages, similarities) for s in unanswerable.values()]
    refused = np.mean(grids, axis=0) if grids else np.zeros_like(false_refusal)
    feasible = false_refusal <= max_false_refusal + 1e-12
    if not feasible.any():
        raise ValueError(f"no threshold refuses at most {max_false_refusal:.0%} of the answerable questions")
    best: tuple[float, float, int, int] | None = None
    for i, j in zip(*np.nonzero(feasible), strict=True):
        key = (-float(refused[i, j]), float(false_refusal[i, j]), int(i), int(j))
        if best is None or key < best:
            best = key
    assert best is not None
    return operating_point(answerable, unanswerable, float(coverages[best[2]]), float(similarities[best[3]]))


def trade_off_curve(
    answerable: Sequence[Scores],
    unanswerable: Mapping[str, Sequence[Scores]],
    budgets: Iterable[float] = CURVE_BUDGETS,
    coverages: Sequence[float] = COVERAGE_GRID,
    similarities: Sequence[float] = SIMILARITY_GRID,
) -> dict[float, OperatingPoint]:
    """The best operating point at each false-refusal budget (budgets no point can keep are left out)."""
    out = {}
    for budget in budgets:
        try:
            out[budget] = pick_thresholds(answerable, unanswerable, budget, coverages, similarities)
        except ValueError:
            continue
    return out


def fold_of(question_id: str) -> int:
    """0 or 1: a stable split of the questions in halves (by a hash of the id), for the held-out check."""
    return hashlib.sha256(question_id.encode()).digest()[0] % 2


def held_out(
    answerable: Sequence[Scores], unanswerable: Mapping[str, Sequence[Scores]], budget: float
) -> list[dict[str, Any]]:
    """Pick on one half, measure on the other (both ways): how much of the dev figure is fitted."""

    def half(scores: Sequence[Scores], fold: int) -> list[Scores]:
        return [s for s in scores if fold_of(s.id) == fold]

    out = []
    for fit in (0, 1):
        picked = pick_thresholds(half(answerable, fit), {k: half(v, fit) for k, v in unanswerable.items()}, budget)
        measured = operating_point(
            half(answerable, 1 - fit),
            {k: half(v, 1 - fit) for k, v in unanswerable.items()},
            picked.min_coverage,
            picked.min_similarity,
        )
        out.append({"fitted_on_fold": fit, "picked": picked.to_json(), "on_other_fold": measured.to_json()})
    return out


# -- the run ----------------------------------------------------------------------------------------------------


@dataclass
class CalibrationReport:
    """Scores of every question, the chosen thresholds, the shipped ones and the trade-off curves."""

    embedder: str
    mode: str
    budget: float
    answerable_dataset: str
    answerable: list[Scores]
    unanswerable: dict[str, list[Scores]]
    dropped: dict[str, int]
    shipped: tuple[float, float]  # the EvidencePolicy defaults when this ran (min_coverage, min_similarity)
    elapsed_s: float = 0.0

    def chosen(self) -> OperatingPoint:
        return pick_thresholds(self.answerable, self.unanswerable, self.budget)

    def to_json(self) -> dict[str, Any]:
        chosen = self.chosen()
        thresholds = (chosen.min_coverage, chosen.min_similarity)
        with_gold = [s for s in self.answerable if s.gold_retrieved]
        single = {  # each signal on its own, within the same budget (None: it cannot keep the budget alone)
            "coverage_only": trade_off_curve(self.answerable, self.unanswerable, [self.budget], similarities=(OFF,)),
            "similarity_only": trade_off_curve(self.answerable, self.unanswerable, [self.budget], coverages=(OFF,)),
        }
        return {
            "embedder": self.embedder,
            "mode": self.mode,
            "rule": "answer when coverage >= min_coverage OR similarity >= min_similarity (best of the top 3 hits)",
            "false_refusal_budget": self.budget,
            "n": {"answerable": len(self.answerable), **{k: len(v) for k, v in self.unanswerable.items()}},
            "answerable_dataset": self.answerable_dataset,
            "dropped_gold_in_corpus": self.dropped,
            "chosen": chosen.to_json(),
            # the answerable questions the assistant could really answer: a gold article among the top hits
            "answerable_with_gold_in_top_hits": len(with_gold),
            "chosen_accepts_of_those": round(1 - operating_point(with_gold, {}, *thresholds).false_refusal, 4),
            "shipped": operating_point(self.answerable, self.unanswerable, *self.shipped).to_json(),
            "curve": [
                {"max_false_refusal": b, **p.to_json()}
                for b, p in trade_off_curve(self.answerable, self.unanswerable).items()
            ],
            "single_signal": {k: p[self.budget].to_json() if p else None for k, p in single.items()},
            # the best similarity threshold when min_coverage is held at a value (e.g. one an index without dense
            # vectors, where coverage decides alone, can bear)
            "by_coverage": [
                p[self.budget].to_json()
                for c in BY_COVERAGE
                if (p := trade_off_curve(self.answerable, self.unanswerable, [self.budget], coverages=(c,)))
            ],
            "held_out": held_out(self.answerable, self.unanswerable, self.budget),
            "elapsed_s": round(self.elapsed_s, 1),
        }

    def scores_json(self) -> dict[str, Any]:
        """Every question's scores (to re-pick without searching again)."""
        return {
            "answerable": [s.to_json() for s in self.answerable],
            **{k: [s.to_json() for s in v] for k, v in self.unanswerable.items()},
        }


def collect_scores(
    questions: Sequence[EvalQuestion], assistant: Assistant, options: AskOptions, say: Say = lambda _m: None
) -> list[Scores]:
    """Search each question as `kho ask` does and keep the evidence signals (and, with gold, whether it was hit)."""
    top = assistant.evidence_policy.top_hits
    out = []
    for i, q in enumerate(questions, start=1):
        hits, ev, _sources = assistant.gather(q.question, options)
        gold = bool(judge(hits[:top], q.gold)[1]) if q.gold else None
        out.append(Scores(q.id, ev.coverage, ev.similarity, bool(hits), gold))
        if i % 100 == 0:
            say(f"  {i}/{len(questions)}")
    return out


def corpus_registry(settings: Settings, corpus: str, say: Say) -> Registry:
    """The registry of `corpus`'s evaluation workspace, ingested (not indexed) if needed: gold titles live there."""
    ws = workspace(settings, corpus, None)
    registry = Registry.from_settings(ws)
    t = time.perf_counter()
    run_ingest(corpus_files(settings, corpus, None), registry, ws, progress=False)
    say(f"corpus {corpus} registry synced ({time.perf_counter() - t:.0f} s)")
    return registry


def default_datasets(settings: Settings) -> tuple[Path, list[Path]]:
    """ALQAC dev as the answerable set; Zalo dev and the out-of-domain fixture as the unanswerable ones."""
    ev = settings.shared_dir / "eval"
    return ev / "alqac25_dev.jsonl", [ev / "zalo_dev.jsonl", OUT_OF_DOMAIN]


def run_refusal_calibration(
    settings: Settings,
    answerable: Path,
    unanswerable: Sequence[Path],
    budget: float = FALSE_REFUSAL_BUDGET,
    limit: int | None = None,
    say: Say = lambda _m: None,
    mode: Mode = "hybrid",
) -> CalibrationReport:
    """Measure the evidence signals on the answerable and unanswerable sets and pick the thresholds (`mode`
    "bm25" measures what coverage alone does where an index has no dense vectors)."""
    t0 = time.perf_counter()
    positives = load_dataset(answerable)
    corpus = single_corpus(answerable, positives)
    ws, registry, indexer = prepare(settings, corpus, None, mode, True, say)
    held = CorpusDocuments.from_registry(registry)
    negatives: dict[str, list[EvalQuestion]] = {}
    dropped: dict[str, int] = {}
    titles: dict[str, dict[str, set[str]]] = {corpus: document_titles(registry)}
    for path in unanswerable:
        questions = load_dataset(path)
        titles_of: dict[str, set[str]] = {}
        for other in sorted({q.corpus for q in questions if q.gold}):
            if other not in titles:
                titles[other] = document_titles(corpus_registry(settings, other, say))
            for number, names in titles[other].items():
                titles_of.setdefault(number, set()).update(names)
        kept, out = split_unanswerable(questions, held, titles_of)
        name = path.name.removesuffix(".jsonl")
        if name in negatives or name == "answerable":
            raise DatasetError(f"{path}: two unanswerable sets named {name!r}")
        negatives[name], dropped[name] = kept[:limit], len(out)
        say(f"{path.name}: {len(kept)} unanswerable questions, {len(out)} dropped (gold document in the corpus)")
    if limit is not None:
        positives = positives[:limit]
    searcher = Searcher(indexer.store, ws)
    assistant = Assistant(searcher)
    options = AskOptions(mode=mode, filters=Filters(max_access_rank=2))  # the evaluator sees the whole corpus
    try:
        say(f"{answerable.name}: {len(positives)} answerable questions")
        pos = collect_scores(positives, assistant, options, say)
        neg = {}
        for name, questions in negatives.items():
            say(f"{name}: {len(questions)} questions")
            neg[name] = collect_scores(questions, assistant, options, say)
    finally:
        indexer.store.close()
    policy = EvidencePolicy()
    embedder = searcher.meta.embedder
    return CalibrationReport(
        embedder=embedder,
        mode=mode,
        budget=budget,
        answerable_dataset=answerable.name,
        answerable=pos,
        unanswerable=neg,
        dropped=dropped,
        shipped=(policy.coverage_threshold(embedder, mode != "bm25"), policy.similarity_threshold(embedder)),
        elapsed_s=time.perf_counter() - t0,
    )
