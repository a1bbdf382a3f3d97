"""Hybrid search: Vietnamese BM25 and dense vectors from Qdrant, fused by weighted reciprocal rank.

Both branches run inside Qdrant with the same filter — the reader's clearance (`access_rank`) and any metadata
filters — so a chunk the reader may not see is never even a candidate. The BM25 branch scores through the
vector of the reader's clearance (`bm25_public`, `bm25_internal`, `bm25`; see `index.store`), whose IDF and
average length come only from chunks that reader may see; cosine scores depend on no other chunk. So what a
reader gets back — ids, order and scores — does not change when documents above their clearance come or go.
The fused list can be collapsed to one hit per article (`article_level`, the default: the best-ranked chunk
stands for its article, which is what citations and the evaluation count). An optional reranker (none ships;
see `Reranker`) may reorder the top.

>>> rrf([["a", "b"], ["b", "c"]], weights=[1.0, 1.0], k=60)[0][0]
'b'
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np

from core.metrics import RETRIEVAL_DURATION, timed
from core.settings import Settings
from core.text import nfc_strip
from index.embedders import Embedder, embedder_for_space, get_embedder
from index.payload import cited_document_key, cited_key
from index.sparse import BM25Encoder
from index.store import (
    ALIAS,
    DENSE,
    PER_CLEARANCE_SCHEMA,
    TOP_RANK,
    Filters,
    ScoredPoint,
    StoreError,
    VectorStore,
    sparse_vector_name,
)
from ingest.model import Citation
from ingest.versions import ArticleVersion

Mode = Literal["bm25", "dense", "hybrid"]
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class FusionConfig:
    """How many candidates each branch brings and how they are fused."""

    candidates: int = 60
    rrf_k: int = 60
    weight_sparse: float = 1.0
    weight_dense: float = 1.0
    # Hybrid only once this share of the collection's chunks has a dense vector (see `Searcher.used_mode`).
    min_dense_share: float = 0.98


@dataclass(frozen=True)
class Retrieval:
    """Which search answered a query, and the dense coverage behind that choice (what the faces tell the reader).

    >>> Retrieval("bm25", "hybrid", dense_points=45, points=100).to_json()["reason"]
    'dense_partial'
    """

    mode: Mode  # the search that ran
    requested: Mode
    dense_points: int  # chunks of the collection with a dense vector
    points: int  # chunks of the collection
    filling: bool = False  # a background fill is computing the missing vectors now (set by app.services)

    @property
    def dense_share(self) -> float:
        return self.dense_points / self.points if self.points else 0.0

    @property
    def reason(self) -> str | None:
        """Why hybrid did not run when it was asked for: "dense_missing" (no vectors yet) or "dense_partial" (still
        being computed); None otherwise."""
        if self.requested != "hybrid" or self.mode == "hybrid":
            return None
        return "dense_partial" if self.dense_points else "dense_missing"

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "requested": self.requested,
            "reason": self.reason,
            "dense_points": self.dense_points,
            "points": self.points,
            "dense_share": round(self.dense_share, 4),
            "filling": self.filling,
        }


@dataclass(frozen=True)
class Hit:
    """One search result: the chunk, where it is cited, and how it ranked."""

    chunk_id: str
    document_id: str
    anchor: str
    citation: Citation
    score: float
    text: str
    heading_path: list[str]
    start: int
    end: int
    so_hieu: str | None
    loai: str | None
    co_quan: str | None
    year: int | None
    hieu_luc: str
    access_level: str
    title: str
    ranks: dict[str, int] = field(default_factory=dict)
    branch_scores: dict[str, float] = field(default_factory=dict)
    version: ArticleVersion | None = None  # the article's version and what acts on it (ingest/versions.py)

    @classmethod
    def from_point(
        cls, p: ScoredPoint, score: float, ranks: dict[str, int], branch_scores: dict[str, float] | None = None
    ) -> Hit:
        pl = p.payload
        return cls(
            chunk_id=p.id,
            document_id=pl["document_id"],
            anchor=pl["anchor"],
            citation=Citation(**pl["citation"]),
            score=score,
            text=pl["text"],
            heading_path=list(pl.get("heading_path") or []),
            start=int(pl["start"]),
            end=int(pl["end"]),
            so_hieu=pl.get("so_hieu_display"),
            loai=pl.get("loai_display"),
            co_quan=pl.get("co_quan_display"),
            year=pl.get("year"),
            hieu_luc=pl["hieu_luc"],
            access_level=pl["access_level"],
            title=pl.get("title") or "",
            ranks=ranks,
            branch_scores=branch_scores or {},
            version=_version(pl.get("version")),
        )

    @property
    def article_key(self) -> tuple[str, str]:
        """The legal article a hit belongs to: (original document number or title, article)."""
        return (cited_document_key(self.citation.document), self.citation.article)

    def to_json(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "anchor": self.anchor,
            "citation": self.citation.to_json(),
            "score": round(self.score, 6),
            "ranks": self.ranks,
            "branch_scores": {k: round(v, 6) for k, v in self.branch_scores.items()},
            "so_hieu": self.so_hieu,
            "loai": self.loai,
            "co_quan": self.co_quan,
            "year": self.year,
            "hieu_luc": self.hieu_luc,
            "access_level": self.access_level,
            "title": self.title,
            "heading_path": self.heading_path,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "version": self.version.to_json() if self.version else None,
        }


def _version(raw: Any) -> ArticleVersion | None:
    """A payload's article version; None when absent or unreadable (a point written by other code: the hit still
    shows, without a standing, rather than failing the search)."""
    if not isinstance(raw, dict):
        return None
    try:
        return ArticleVersion.from_json(raw)
    except (KeyError, TypeError, ValueError):
        return None


class Reranker(Protocol):
    """The reranker slot: reorders the fused hits for a query (best first); may drop hits, never adds any.

    None ships: no cross-encoder of any language has its weights on PyPI (../shared/MODELS.md). A ministry that
    supplies one passes it to `Searcher(reranker=...)`; there is deliberately no setting naming one yet.
    """

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


@dataclass
class SearchResult:
    """Hits plus where the time went (milliseconds)."""

    hits: list[Hit]
    timings_ms: dict[str, float]
    retrieval: Retrieval | None = None  # which search ran (None from a searcher that does not say)


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: Σ w / (k + rank), rank from 1; ties keep first-seen order."""
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


# Chunks read to put one article back together: ~190,000 characters at 1,500 a chunk, far past any context budget.
ARTICLE_CHUNKS = 128


class Searcher:
    """Runs queries against the collection behind the alias (or a named one)."""

    def __init__(
        self,
        store: VectorStore,
        settings: Settings,
        embedder: Embedder | None = None,
        collection: str | None = None,
        fusion: FusionConfig | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        name = collection or store.resolve_alias(ALIAS)
        if name is None:
            raise StoreError("no index yet: run `kho ingest` first")
        self.collection = name
        self.meta = store.collection_meta(name)
        # Queries weigh each term 1 whatever the level; only documents' weights depend on the average length.
        self.encoder = BM25Encoder(avg_len=self.meta.avg_len)
        self._embedder = embedder
        self.fusion = fusion or FusionConfig()
        self.reranker = reranker
        # Until enough chunks have dense vectors, hybrid search is BM25 alone (`used_mode`; the result says so).
        self.points = 0
        self.dense_points = 0
        self.refresh_dense()

    def refresh_dense(self) -> None:
        """Count again how many chunks have dense vectors (a background fill calls it after each batch)."""
        points = self.store.count(self.collection)
        dense = self.store.count(self.collection, with_dense=True)
        # Two plain int stores, no lock: a search in between reads one count fresh and one a batch old — still a
        # state the index was in within a batch, so the mode it picks is one it could have picked anyway.
        self.points, self.dense_points = points, dense

    def used_mode(self, requested: Mode) -> Mode:
        """The search that runs for `requested`: the rule by which search switches to hybrid as vectors arrive.

        Hybrid runs once at least `FusionConfig.min_dense_share` (98 %) of the chunks have dense vectors; below
        that, BM25 alone. Fusing BM25 with a dense branch that can only rank the embedded chunks would favour
        them — an article whose chunks are not embedded yet could only ever score one RRF term against two —
        so a half-filled index would rank worse than BM25 and, worse, the refusal thresholds calibrated for a
        fully embedded index would apply to it. The 2 % slack keeps hybrid on while a fresh upload (a few
        chunks in a large corpus) waits for its vectors. "dense" is an explicit choice: it runs on whatever is
        embedded (the result says how much), and fails only when nothing is.
        """
        if requested == "hybrid":
            enough = self.points > 0 and self.dense_points >= self.fusion.min_dense_share * self.points
            return "hybrid" if enough and self.dense_points else "bm25"
        return requested

    def retrieval(self, requested: Mode) -> Retrieval:
        """What `search(mode=requested)` would run now, with the counts behind it."""
        return Retrieval(self.used_mode(requested), requested, self.dense_points, self.points)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            name = embedder_for_space(self.meta.embedder, self.settings.embedder)
            dim = int(self.meta.embedder.rpartition("-")[2])
            self._embedder = get_embedder(name, dim, self.settings.embed_device, self.settings)
        if self._embedder.name != self.meta.embedder:
            raise StoreError(
                f"collection {self.collection} holds {self.meta.embedder} vectors, not {self._embedder.name}"
            )
        return self._embedder

    def sparse_vector(self, filters: Filters) -> str:
        """The BM25 vector a reader with these filters is scored through: their clearance's.

        A collection older than schema 2 has only the top level's, whose IDF counts every chunk: it may serve
        fully cleared readers, but anyone else is refused until `kho index` (or a server start) rebuilds it.
        """
        if filters.max_access_rank >= TOP_RANK:
            return sparse_vector_name(TOP_RANK)
        if self.meta.schema < PER_CLEARANCE_SCHEMA:
            raise StoreError(
                f"collection {self.collection} predates per-clearance BM25 (schema {self.meta.schema} < "
                f"{PER_CLEARANCE_SCHEMA}): run `kho index` (or restart the server) to rebuild it"
            )
        return sparse_vector_name(filters.max_access_rank)

    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_queries([nfc_strip(query)])[0])

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = ARTICLE_CHUNKS) -> list[Hit]:
        """Every chunk of `hit`'s article in the same stored text (same document, same cited article, hence the
        same version), in text order — read under the reader's `filters` (clearance, date) like any search, so a
        chunk the reader may not see never comes back. At most `limit` chunks; `[hit]` when nothing else is found."""
        base = filters or Filters()
        scope = replace(
            base, document_ids=(hit.document_id,), cited=(cited_key(hit.citation.document, hit.citation.article),)
        )
        points = self.store.scroll(self.collection, scope, limit)
        chunks = [Hit.from_point(p, hit.score, dict(hit.ranks), dict(hit.branch_scores)) for p in points]
        chunks = sorted({c.chunk_id: c for c in [hit, *chunks]}.values(), key=lambda c: (c.start, c.end))
        return chunks

    @timed(RETRIEVAL_DURATION, gen_ai_operation_name="retrieval")
    def search(
        self,
        query: str,
        k: int = 10,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
        article_level: bool = True,
    ) -> SearchResult:
        """The top `k` hits for `query` that the filters (and the reader's clearance) allow."""
        query = nfc_strip(query)
        if not query:
            raise ValueError("empty query")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        filters = filters or Filters()
        timings: dict[str, float] = {}
        retrieval = self.retrieval(mode)
        used = retrieval.mode
        n = max(self.fusion.candidates, k * 3)
        branches: list[tuple[str, list[ScoredPoint], float]] = []
        if used in ("bm25", "hybrid"):
            t = time.perf_counter()
            using = self.sparse_vector(filters)
            sparse = self.store.query(self.collection, using, self.encoder.encode_query(query), filters, n)
            timings["sparse_ms"] = (time.perf_counter() - t) * 1000
            branches.append(("bm25", sparse, self.fusion.weight_sparse))
        if used == "dense" and not self.dense_points:
            raise StoreError(f"collection {self.collection} has no dense vectors yet: run `kho index --dense`")
        if mode == "hybrid" and used != "hybrid":
            timings["dense_unavailable"] = 1.0
        elif used in ("dense", "hybrid"):
            t = time.perf_counter()
            qvec = self.embed_query(query)
            timings["embed_ms"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            dense = self.store.query(self.collection, DENSE, qvec, filters, n)
            timings["dense_ms"] = (time.perf_counter() - t) * 1000
            branches.append(("dense", dense, self.fusion.weight_dense))
        t = time.perf_counter()
        hits = self._fuse(branches, article_level)
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(query, hits)
        timings["fuse_ms"] = (time.perf_counter() - t) * 1000
        return SearchResult(hits=hits[:k], timings_ms=timings, retrieval=retrieval)

    def _fuse(self, branches: list[tuple[str, list[ScoredPoint], float]], article_level: bool) -> list[Hit]:
        """Fuse the branches' rankings; with `article_level`, rank articles and keep each one's best chunk."""

        def key_of(p: ScoredPoint) -> str:
            if article_level:
                # The legal article, not the stored copy: a pháp điển article and the law it compiles cite the
                # same original (document number, article) and count once.
                doc = p.payload.get("cited_document") or p.payload["document_id"]
                return f"{doc}|{p.payload.get('cited_article')}"
            return p.id

        best: dict[str, tuple[int, ScoredPoint]] = {}  # key -> (best rank in any branch, its chunk)
        ranks: dict[str, dict[str, int]] = {}
        raw: dict[str, dict[str, float]] = {}
        rankings: list[list[str]] = []
        for name, hits, _w in branches:
            keys: list[str] = []
            for p in hits:
                key = key_of(p)
                if key in ranks.get(name + "#seen", {}):
                    continue  # a later chunk of an article already ranked in this branch
                ranks.setdefault(name + "#seen", {})[key] = 1
                keys.append(key)
                rank = len(keys)
                ranks.setdefault(key, {})[name] = rank
                raw.setdefault(key, {})[name] = float(p.score)  # BM25 score / cosine of the article's best chunk
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, p)
            rankings.append(keys)
        if len(branches) == 1:
            fused = [(key, float(best[key][1].score)) for key in rankings[0]]
        else:
            fused = rrf(rankings, [w for _, _, w in branches], self.fusion.rrf_k)
        return [Hit.from_point(best[key][1], score, ranks[key], raw[key]) for key, score in fused]
