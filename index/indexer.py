"""Keeps Qdrant in step with the registry: full builds into a new collection version, incremental syncs, dense fill.

- `sync`: applies the registry's outbox ops after this collection's last ack. An 'upsert' stores the document's
  current chunks (BM25 vector always; the dense vector when the embedding cache has it, or computes it when
  `embed_on_ingest`), THEN deletes the document's points that are not among them — so a changed document never
  leaves a stale chunk and is never missing in between. A 'delete' removes its points. Each op is acked after it
  is applied and flushed: a crash replays at most the op in flight, and replaying is harmless (ids are stable).
- `rebuild`: a new versioned collection filled from `iter_chunks`, caught up with the outbox, and only then made
  the alias target (the old version is dropped afterwards). Readers never see a half-built collection.
- `fill_dense`: embeds points that still lack a dense vector, batch by batch, each batch stored before the next:
  interrupt it at any point and the next run continues where it stopped (`kho index --dense`).

The consumer name in the registry's `consumers` table is the collection name, so each version keeps its own
position in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from core.settings import Settings
from index.embcache import EmbeddingCache, embed_with_cache, text_key
from index.embedders import EMBEDDERS, Embedder, get_embedder
from index.payload import chunk_payload, doc_text, payload_doc_text
from index.sparse import BM25Encoder, TermCountCache, average_length, bulk_term_counts
from index.store import ALIAS, CollectionMeta, PointIn, StoreError, VectorStore, new_collection_name
from ingest.registry import ChunkRecord, Registry

log = logging.getLogger(__name__)

BATCH = 2048
Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    """What one `sync`/`rebuild`/`fill_dense` did."""

    collection: str
    upserted_documents: int = 0
    deleted_documents: int = 0
    points: int = 0
    dense_from_cache: int = 0
    dense_computed: int = 0
    rebuilt: bool = False
    dropped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _batches(items: Iterable[ChunkRecord], size: int) -> Iterator[list[ChunkRecord]]:
    batch: list[ChunkRecord] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Indexer:
    """Writes the registry's chunks into the collection behind the `kho_chunks` alias."""

    def __init__(
        self, registry: Registry, store: VectorStore, settings: Settings, embedder: Embedder | None = None
    ) -> None:
        self.registry = registry
        self.store = store
        self.settings = settings
        self._embedder = embedder
        self._term_cache: TermCountCache | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(
                self.settings.embedder, self.settings.embed_dim, self.settings.embed_device, self.settings
            )
        return self._embedder

    @property
    def embedder_name(self) -> str:
        """The dense space this indexer writes ("embeddinggemma-768"), without loading the model."""
        return self._embedder.name if self._embedder is not None else f"{self.settings.embedder}-{self._dim()}"

    def current(self) -> str | None:
        """The collection readers use now, or None before the first build."""
        return self.store.resolve_alias(ALIAS)

    def encoder(self, collection: str) -> BM25Encoder:
        return BM25Encoder(avg_len=self.store.collection_meta(collection).avg_len)

    # -- writing points ----------------------------------------------------------------------------------------

    def _cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.settings.embeddings_dir / f"{self.embedder_name}.sqlite3", self._dim())

    def _points(
        self, records: list[ChunkRecord], encoder: BM25Encoder, cache: EmbeddingCache, compute: bool, report: SyncReport
    ) -> list[PointIn]:
        texts = [doc_text(r) for r in records]
        dense: dict[int, np.ndarray] = {}
        if compute:
            vecs = embed_with_cache(self.embedder, texts, cache)
            dense = dict(enumerate(vecs))
            report.dense_computed += len(records)
        else:
            keys = [text_key(t) for t in texts]
            found = cache.get_many(keys)
            dense = {i: found[k] for i, k in enumerate(keys) if k in found}
            report.dense_from_cache += len(dense)
        counts = bulk_term_counts(encoder, [f"{t.title}\n{t.text}" for t in texts], self._terms())
        return [
            PointIn(id=r.id, sparse=encoder.weigh(c), payload=chunk_payload(r), dense=dense.get(i))
            for i, (r, c) in enumerate(zip(records, counts, strict=True))
        ]

    def _terms(self) -> TermCountCache:
        if self._term_cache is None:
            self._term_cache = TermCountCache(self.settings.embeddings_dir / "bm25-term-counts.sqlite3")
        return self._term_cache

    def _write_document(
        self, collection: str, document_id: str, encoder: BM25Encoder, cache: EmbeddingCache, report: SyncReport
    ) -> None:
        records = list(self.registry.iter_chunks(document_id=document_id))
        keep = [r.id for r in records]
        for batch in _batches(records, BATCH):
            self.store.upsert(collection, self._points(batch, encoder, cache, self.settings.embed_on_ingest, report))
            report.points += len(batch)
        # After the new chunks are in: drop the document's points that are no longer among them (none if the
        # document is gone from the registry — then every point of it goes).
        self.store.delete_document(collection, document_id, keep_ids=keep)

    # -- public operations --------------------------------------------------------------------------------------

    def ensure(self, progress: Progress | None = None) -> SyncReport:
        """Bring the index up to date: build it if there is none (or it is for another embedder), else sync."""
        current = self.current()
        if current is None or self.store.collection_meta(current).embedder != self.embedder_name:
            return self.rebuild(progress)
        return self.sync(progress)

    def sync(self, progress: Progress | None = None, collection: str | None = None) -> SyncReport:
        """Apply the outbox ops `collection` (default: the alias target) has not seen yet."""
        collection = collection or self.current()
        if collection is None:
            return self.rebuild(progress)
        report = SyncReport(collection)
        encoder = self.encoder(collection)
        cache = self._cache()
        try:
            ops = self.registry.pending_ops(consumer=collection)
            for n, op in enumerate(ops, start=1):
                if op.op == "delete":
                    self.store.delete_document(collection, op.document_id)
                    report.deleted_documents += 1
                else:
                    self._write_document(collection, op.document_id, encoder, cache, report)
                    report.upserted_documents += 1
                self.store.flush(collection)
                self.registry.ack(collection, op.seq)
                if progress:
                    progress(n, len(ops))
            if report.deleted_documents:
                # Qdrant counts deleted points in IDF until their segment is vacuumed: vacuum now, so removed
                # and replaced documents stop weighing on BM25 at once.
                self.store.optimize(collection)
        finally:
            cache.close()
        return report

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        """Build a new collection version from the registry, catch up, switch the alias, drop older versions."""
        start_seq = self.registry.max_seq()
        sample = [doc_text(r) for r in _sample(self.registry.iter_chunks(), 4000)]
        avg_len = average_length([f"{t.title}\n{t.text}" for t in sample])
        name = new_collection_name(self.embedder_name)
        self.store.create_collection(
            name, CollectionMeta(embedder=self.embedder_name, dim=self._dim(), avg_len=avg_len)
        )
        report = SyncReport(name, rebuilt=True)
        encoder = BM25Encoder(avg_len=avg_len)
        cache = self._cache()
        total = self.registry.counts().get("chunks", 0)
        try:
            for batch in _batches(self.registry.iter_chunks(), BATCH):
                self.store.upsert(name, self._points(batch, encoder, cache, self.settings.embed_on_ingest, report))
                report.points += len(batch)
                if progress:
                    progress(report.points, total)
            self.store.flush(name)
        except BaseException:
            self.store.drop_collection(name)  # never leave a half-built version behind
            cache.close()
            raise
        cache.close()
        self.store.optimize(name)
        self.registry.ack(name, start_seq)
        # Catch up with what changed during the build, then switch readers over.
        caught = self.sync(collection=name)
        self.store.set_alias(ALIAS, name)
        report.upserted_documents += caught.upserted_documents
        report.deleted_documents += caught.deleted_documents
        # Older versions, and any left by an interrupted build, are no longer read by anyone.
        for other in self.store.collections():
            if other != name and other.startswith(f"{ALIAS}__"):
                self.store.drop_collection(other)
                report.dropped.append(other)
        return report

    def optimize(self) -> None:
        """Let the engine build its indexes and vacuum deleted points (so IDF forgets removed documents)."""
        current = self.current()
        if current is not None:
            self.store.optimize(current)

    def _dim(self) -> int:
        if self._embedder is not None:
            return self._embedder.dim
        spec = EMBEDDERS.get(self.settings.embedder)
        if spec is None:
            raise StoreError(f"unknown embedder {self.settings.embedder!r}; choose one of {sorted(EMBEDDERS)}")
        return self.settings.embed_dim or spec.dims[0]

    def fill_dense(
        self, batch_size: int | None = None, progress: Progress | None = None, limit: int | None = None
    ) -> SyncReport:
        """Compute dense vectors for points that lack one, a batch at a time (resumable)."""
        collection = self.current()
        if collection is None:
            raise StoreError("no index yet: run `kho ingest` (or `kho index`) first")
        meta = self.store.collection_meta(collection)
        if meta.embedder != self.embedder.name:
            raise StoreError(
                f"collection {collection} holds {meta.embedder} vectors but the embedder is {self.embedder.name}; "
                "run `kho index --rebuild`"
            )
        report = SyncReport(collection)
        # Points fetched per round: several of the embedder's batches (16 on CPU, 128 on CUDA).
        batch_size = batch_size or 8 * int(getattr(self.embedder, "preferred_batch", 16))
        total = self.store.count(collection, with_dense=False)
        todo = total if limit is None else min(total, limit)
        cache = self._cache()
        try:
            while report.dense_computed < todo:
                want = min(batch_size, todo - report.dense_computed)
                missing = self.store.missing_dense(collection, want)
                if not missing:
                    break
                texts = [payload_doc_text(p.payload) for p in missing]
                vecs = embed_with_cache(self.embedder, texts, cache)
                self.store.set_dense(collection, [p.id for p in missing], vecs)
                self.store.flush(collection)
                report.dense_computed += len(missing)
                if progress:
                    progress(report.dense_computed, todo)
        finally:
            cache.close()
        return report


def _sample(items: Iterable[ChunkRecord], n: int) -> list[ChunkRecord]:
    out: list[ChunkRecord] = []
    for i, item in enumerate(items):
        if i % 7 == 0:
            out.append(item)
            if len(out) >= n:
                break
    return out
