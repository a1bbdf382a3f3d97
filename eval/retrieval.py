"""Retrieval evaluation: run every question of a dataset through search and score the ranked articles.

A hit matches a gold item (`{"document", "article"}`) when it comes from that document — by the ORIGINAL document
number (compared NFC + casefolded) or, for the ALQAC corpus, by the law's title — and that article (for pháp điển,
the article named in the source line, which is what chunks are cited as). Hits are counted per article: search
runs article-level, so one article is one rank.

Metrics per question, averaged: Recall@k = gold items found in the top k / gold items; MRR@10 = 1/rank of the
first relevant hit (0 if none in the top 10); nDCG@10 with binary gains (each gold item counted once). Latency is
the wall time of one `Searcher.search` call, query embedding included.

Each dataset corpus gets its own workspace (`data_dir/eval/<corpus>`), ingested and indexed on first use and
synced on later runs, so an evaluation never mixes with the user's own documents.

>>> score_ranking([False, True, False], n_gold=1, found_ranks=[2])["mrr@10"]
0.5
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.jsonl import read_jsonl
from core.settings import Settings
from core.text import match_key, nfc
from corpus import eval_corpus_paths
from eval.runs import percentile
from index.indexer import Indexer
from index.search import FusionConfig, Hit, Mode, Searcher
from index.store import Filters, open_store
from ingest.job import run_ingest
from ingest.registry import Registry

KS = (1, 5, 10)


class DatasetError(ValueError):
    """A dataset file is unreadable or a line lacks a required field; the message names file, line and field."""


@dataclass(frozen=True)
class GoldItem:
    document: str
    article: str

    @property
    def key(self) -> tuple[str, str]:
        return (norm_doc(self.document), self.article.strip())


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    type: str
    corpus: str
    gold: tuple[GoldItem, ...]
    answer: Any = None
    choices: dict[str, str] | None = None


def norm_doc(name: str | None) -> str:
    """How document names and numbers are compared: NFC, casefolded, whitespace collapsed."""
    if not name:
        return ""
    return match_key(name).replace(" /", "/").replace("/ ", "/")


def load_dataset(path: Path) -> list[EvalQuestion]:
    """Questions of a JSON Lines dataset (schema in ../shared/eval/README.md)."""
    out: list[EvalQuestion] = []
    for n, row in read_jsonl(path, DatasetError):
        for key in ("id", "question", "gold", "corpus"):
            if key not in row:
                raise DatasetError(f"{path}:{n}: missing field {key!r}")
        gold = row["gold"]
        if not isinstance(gold, list) or not all(
            isinstance(g, dict) and "document" in g and "article" in g for g in gold
        ):
            raise DatasetError(f"{path}:{n}: field 'gold' must be a list of {{document, article}}")
        out.append(
            EvalQuestion(
                id=str(row["id"]),
                question=nfc(str(row["question"])),
                type=str(row.get("type", "retrieval_only")),
                corpus=str(row["corpus"]),
                gold=tuple(GoldItem(str(g["document"]), str(g["article"])) for g in gold),
                answer=row.get("answer"),
                choices=row.get("choices"),
            )
        )
    if not out:
        raise DatasetError(f"{path}: no questions")
    return out


def single_corpus(path: Path, questions: list[EvalQuestion]) -> str:
    """The one corpus `questions` (read from `path`) point into; a mixed file is an error naming it."""
    corpora = {q.corpus for q in questions}
    if len(corpora) != 1:
        raise DatasetError(f"{path}: questions point into several corpora {sorted(corpora)}; split the file")
    return corpora.pop()


def hit_keys(hit: Hit) -> set[tuple[str, str]]:
    """The (document, article) keys a hit answers to: its cited number and its cited/own title."""
    art = hit.citation.article.strip()
    return {(norm_doc(d), art) for d in (hit.citation.document, hit.citation.title) if d}


def score_ranking(relevant: list[bool], n_gold: int, found_ranks: list[int]) -> dict[str, float]:
    """Metrics of one question from its ranked relevance flags and the ranks at which gold items were found."""
    out: dict[str, float] = {}
    for k in KS:
        out[f"recall@{k}"] = sum(1 for r in found_ranks if r <= k) / n_gold if n_gold else 0.0
    first = next((i for i, rel in enumerate(relevant[:10], start=1) if rel), None)
    out["mrr@10"] = 1.0 / first if first else 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r in found_ranks if r <= 10)
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, min(n_gold, 10) + 1))
    out["ndcg@10"] = dcg / idcg if idcg else 0.0
    return out


def judge(hits: list[Hit], gold: Iterable[GoldItem]) -> tuple[list[bool], list[int]]:
    """Relevance flag per hit, and the rank (from 1) at which each gold item is first found."""
    wanted = {g.key for g in gold}
    found: dict[tuple[str, str], int] = {}
    relevant: list[bool] = []
    for rank, hit in enumerate(hits, start=1):
        matched = (hit_keys(hit) & wanted) - set(found)
        for key in matched:
            found[key] = rank
        relevant.append(bool(hit_keys(hit) & wanted))
    return relevant, sorted(found.values())


@dataclass
class RetrievalReport:
    """Averaged metrics plus what was run."""

    dataset: str
    corpus: str
    mode: str
    n: int
    metrics: dict[str, float]
    latency_ms: list[float] = field(default_factory=list, repr=False)
    skipped: int = 0
    dense_coverage: float | None = None
    collection: str = ""
    subset: str | None = None
    per_question: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_json(self) -> dict[str, Any]:
        lat = sorted(self.latency_ms)
        out: dict[str, Any] = {"n": self.n}
        out.update({k: round(v, 4) for k, v in self.metrics.items()})
        out["latency_ms_p50"] = round(percentile(lat, 50), 1)
        out["latency_ms_p95"] = round(percentile(lat, 95), 1)
        out.update(
            {
                "mode": self.mode,
                "dataset": self.dataset,
                "corpus": self.corpus,
                "subset": self.subset,
                "skipped": self.skipped,
                "dense_coverage": None if self.dense_coverage is None else round(self.dense_coverage, 4),
                "collection": self.collection,
            }
        )
        return out


def workspace(settings: Settings, corpus: str, subset: str | None) -> Settings:
    """Settings whose data dir is the evaluation workspace of `corpus` (and `subset`)."""
    slug = corpus.replace("+", "_")
    if subset:
        slug += "-" + hashlib.sha256(subset.encode()).hexdigest()[:10]
    return settings.model_copy(update={"data_dir": settings.eval_dir / slug})


def corpus_files(settings: Settings, corpus: str, subset: str | None) -> list[Path]:
    """The corpus' paths, or only the files under it matching the glob `subset` (relative to the corpus dir)."""
    paths = eval_corpus_paths(corpus, settings)
    if not subset:
        return paths
    files = sorted(p for p in settings.corpus_dir.glob(subset) if p.is_file())
    files = [f for f in files if any(f == p or p in f.parents for p in paths)]
    if not files:
        raise DatasetError(f"subset {subset!r} matches no file of corpus {corpus!r} under {settings.corpus_dir}")
    return files


def available_articles(registry: Registry) -> set[tuple[str, str]]:
    """Every (document, article) key the workspace's chunks answer to."""
    keys: set[tuple[str, str]] = set()
    for rec in registry.iter_chunks():
        art = rec.citation.article.strip()
        for d in (rec.citation.document, rec.citation.title):
            if d:
                keys.add((norm_doc(d), art))
    return keys


Say = Callable[[str], None]


def prepare(
    settings: Settings, corpus: str, subset: str | None, mode: Mode, fill_dense: bool, say: Say
) -> tuple[Settings, Registry, Indexer]:
    """Ingest and index the workspace of `corpus` (only what changed since last time)."""
    ws = workspace(settings, corpus, subset)
    ws.data_dir.mkdir(parents=True, exist_ok=True)
    registry = Registry.from_settings(ws)
    t = time.perf_counter()
    report = run_ingest(corpus_files(settings, corpus, subset), registry, ws, progress=False)
    states = ", ".join(f"{n} {state}" for state, n in report.totals.items() if n)
    say(f"corpus {corpus}{' / ' + subset if subset else ''}: {states} ({time.perf_counter() - t:.0f} s)")
    store = open_store(ws)
    indexer = Indexer(registry, store, ws)
    t = time.perf_counter()
    sync = indexer.ensure()
    if sync.points or sync.deleted_documents:
        say(f"indexed {sync.points} chunks into {sync.collection} ({time.perf_counter() - t:.0f} s)")
    if mode != "bm25" and fill_dense:
        current = indexer.current()
        assert current is not None
        missing = store.count(current, with_dense=False)
        if missing:
            say(
                f"embedding {missing} chunks without a dense vector (resumable: Ctrl-C keeps what is done; cached "
                f"vectors are reused; on 2 CPU cores EmbeddingGemma does ~5.7 chunks/s through its OpenVINO export, "
                f"~2 through torch, so ~{missing / 5.7 / 60:.0f}–{missing / 2 / 60:.0f} min; "
                "--available-dense evaluates with the vectors that exist)"
            )
            indexer.fill_dense(progress=_progress(say))
    return ws, registry, indexer


def _progress(say: Say) -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10 or done == total:
            last[0] = now
            say(f"  {done}/{total}")

    return report


def run_retrieval_eval(
    dataset: Path,
    settings: Settings,
    mode: Mode = "hybrid",
    limit: int | None = None,
    subset: str | None = None,
    fill_dense: bool = True,
    say: Say = lambda _m: None,
    searcher_factory: Callable[[Indexer], Searcher] | None = None,
) -> RetrievalReport:
    """Evaluate retrieval of `dataset` in `mode`; see the module docstring."""
    questions = load_dataset(dataset)
    corpus = single_corpus(dataset, questions)
    ws, registry, indexer = prepare(settings, corpus, subset, mode, fill_dense, say)
    skipped = 0
    if subset:
        have = available_articles(registry)
        kept = [q for q in questions if all(g.key in have for g in q.gold)]
        skipped = len(questions) - len(kept)
        questions = kept
    if limit is not None:
        questions = questions[:limit]
    # --available-dense is the evaluator's explicit choice to fuse with the vectors that exist, so the product's
    # rule (hybrid only once 98 % of the chunks are embedded, `Searcher.used_mode`) is lifted for it.
    fusion = None if fill_dense else FusionConfig(min_dense_share=0.0)
    searcher = searcher_factory(indexer) if searcher_factory else Searcher(indexer.store, ws, fusion=fusion)
    coverage = None
    if mode != "bm25":
        total = indexer.store.count(searcher.collection)
        coverage = indexer.store.count(searcher.collection, with_dense=True) / total if total else 0.0
        searcher.embed_query("khởi động")  # load the model before timing
    filters = Filters(max_access_rank=2)  # the evaluator sees the whole evaluation corpus
    sums: dict[str, float] = {}
    latencies: list[float] = []
    per_q: list[dict[str, Any]] = []
    for i, q in enumerate(questions, start=1):
        t = time.perf_counter()
        result = searcher.search(q.question, k=10, mode=mode, filters=filters)
        latencies.append((time.perf_counter() - t) * 1000)
        relevant, found = judge(result.hits, q.gold)
        m = score_ranking(relevant, len(q.gold), found)
        for key, v in m.items():
            sums[key] = sums.get(key, 0.0) + v
        per_q.append({"id": q.id, **m, "top": [h.anchor for h in result.hits[:3]]})
        if i % 100 == 0:
            say(f"  {i}/{len(questions)} questions")
    n = len(questions)
    metrics = {k: v / n for k, v in sums.items()} if n else {}
    indexer.store.close()
    return RetrievalReport(
        dataset=dataset.name,
        corpus=corpus,
        mode=mode,
        n=n,
        metrics=metrics,
        latency_ms=latencies,
        skipped=skipped,
        dense_coverage=coverage,
        collection=searcher.collection,
        subset=subset,
        per_question=per_q,
    )
