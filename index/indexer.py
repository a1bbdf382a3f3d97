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
position in the outbox. After a sync applies ops, and after a rebuild, the ops every live version has acked are
pruned from the outbox; a dropped version's consumer row and recorded failures go with it.

Each chunk gets one BM25 vector per clearance level that may see it (`index.store.SPARSE_BY_RANK`), weighted
with that level's own average length, measured at build time on that level's chunks only.

One bad document never stops the rest, nor the server's start: if writing it raises (a bug, memory, a payload
the engine rejects) or it has more chunks than `max_points_per_document`, its points are removed from the
collection, the failure is recorded in the registry (`index_failures`, shown by `Registry.index_failures`), its
op is acked — so it is not retried on every start — and the sync goes on. The next op for that document (it
changed, or its access level did) tries again, and a success clears the failure. Errors that are not
`Exception`s (KeyboardInterrupt, SystemExit) still stop the sync, with the op unacked.

Running `sync` in a background thread while searches run is fine (Qdrant Edge reads while it writes), as long
as one writer at a time uses a collection (app/services.py serialises writes). `rebuild` switches the alias and
DROPS the previous collection: a `Searcher` bound to it must be replaced once it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from core.settings import Settings
from index.embcache import EmbeddingCache, embed_with_cache, text_key
from index.embedders import EMBEDDERS, Embedder, get_embedder, space_name
from index.payload import ACCESS_RANK, chunk_payload, doc_text, payload_doc_text
from index.sparse import BM25Encoder, TermCountCache, bulk_term_counts
from index.store import (
    ALIAS,
    SCHEMA_VERSION,
    SPARSE,
    SPARSE_BY_RANK,
    CollectionMeta,
    PointIn,
    StoreError,
    VectorStore,
    new_collection_name,
    sparse_vector_names,
)
from ingest.registry import ChunkRecord, Registry

log = logging.getLogger(__name__)

BATCH = 2048
REASON_CHARS = 500  # a failure's reason as stored: enough for the exception's message, not a whole traceback
Progress = Callable[[int, int], None]


class DocumentTooLarge(Exception):
    """A document has more chunks than `max_points_per_document`: not embedded, not indexed."""


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
    failed: dict[str, str] = field(default_factory=dict)  # document id -> why it could not be indexed

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
        return self._embedder.name if self._embedder is not None else space_name(self.settings.embedder, self._dim())

    def current(self) -> str | None:
        """The collection readers use now, or None before the first build."""
        return self.store.resolve_alias(ALIAS)

    def encoder(self, collection: str) -> BM25Encoder:
        """The top level's (`bm25`) document encoder for `collection`."""
        return BM25Encoder(avg_len=self.store.collection_meta(collection).avg_len)

    def encoders(self, collection: str) -> dict[str, BM25Encoder]:
        """A document encoder per BM25 vector of `collection`, each with its level's average length."""
        meta = self.store.collection_meta(collection)
        return {name: BM25Encoder(avg_len=meta.avg_len_of(name)) for name in SPARSE_BY_RANK.values()}

    def needs_rebuild(self) -> bool:
        """Whether `ensure` would build a new collection (none yet, another embedder, an older schema).

        A rebuild reads every chunk again (minutes on the full corpus); a caller that runs `ensure` in the
        background may prefer to run it in the foreground when this is True, since a collection older than
        schema 2 refuses BM25 searches from readers below the top clearance until it is rebuilt.
        """
        current = self.current()
        if current is None:
            return True
        meta = self.store.collection_meta(current)
        return meta.embedder != self.embedder_name or meta.schema < SCHEMA_VERSION

    # -- writing points ----------------------------------------------------------------------------------------

    def _cache(self) -> EmbeddingCache:
        return EmbeddingCache(self.settings.embeddings_dir / f"{self.embedder_name}.sqlite3", self._dim())

    def _points(
        self,
        records: list[ChunkRecord],
        encoders: dict[str, BM25Encoder],
        cache: EmbeddingCache,
        compute: bool,
        report: SyncReport,
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
        counts = bulk_term_counts(encoders[SPARSE], [f"{t.title}\n{t.text}" for t in texts], self._terms())
        points = []
        for i, (r, c) in enumerate(zip(records, counts, strict=True)):
            names = sparse_vector_names(ACCESS_RANK[r.access_level])
            points.append(
                PointIn(
                    id=r.id,
                    sparse=encoders[SPARSE].weigh(c),
                    payload=chunk_payload(r),
                    dense=dense.get(i),
                    sparse_levels={n: encoders[n].weigh(c) for n in names if n != SPARSE},
                )
            )
        return points

    def _terms(self) -> TermCountCache:
        if self._term_cache is None:
            self._term_cache = TermCountCache(self.settings.embeddings_dir / "bm25-term-counts.sqlite3")
        return self._term_cache

    def _write_document(
        self,
        collection: str,
        document_id: str,
        encoders: dict[str, BM25Encoder],
        cache: EmbeddingCache,
        report: SyncReport,
    ) -> None:
        bound = self.settings.max_points_per_document
        too_many = self.registry.chunk_counts(document_id, more_than=bound)
        if too_many:
            raise DocumentTooLarge(_too_large(too_many[document_id], bound))
        records = list(self.registry.iter_chunks(document_id=document_id))
        keep = [r.id for r in records]
        for batch in _batches(records, BATCH):
            self.store.upsert(collection, self._points(batch, encoders, cache, self.settings.embed_on_ingest, report))
            report.points += len(batch)
        # After the new chunks are in: drop the document's points that are no longer among them (none if the
        # document is gone from the registry — then every point of it goes).
        self.store.delete_document(collection, document_id, keep_ids=keep)

    # -- public operations --------------------------------------------------------------------------------------

    def _fail_document(self, collection: str, document_id: str, seq: int, exc: Exception, report: SyncReport) -> None:
        """Record that a document could not be indexed and remove whatever points of it the collection holds.

        All of them go, not only the new ones: points left from an earlier version could carry an access level
        or text the registry no longer has. If even that removal fails, the store itself is broken: raise, so
        the op stays unacked and nothing is recorded as done.
        """
        reason = f"{type(exc).__name__}: {exc}"[:REASON_CHARS]
        if isinstance(exc, DocumentTooLarge):
            log.warning("not indexing document %s in %s: %s", document_id, collection, reason)
        else:
            log.error("indexing document %s in %s failed: %s", document_id, collection, reason, exc_info=exc)
        self.store.delete_document(collection, document_id)
        self.registry.mark_index_failed(collection, document_id, seq, reason)
        report.failed[document_id] = reason

    def ensure(self, progress: Progress | None = None) -> SyncReport:
        """Bring the index up to date: build it if there is none (or for another embedder or an older schema),
        else sync."""
        if self.needs_rebuild():
            return self.rebuild(progress)
        return self.sync(progress)

    def sync(self, progress: Progress | None = None, collection: str | None = None) -> SyncReport:
        """Apply the outbox ops `collection` (default: the alias target) has not seen yet."""
        collection = collection or self.current()
        if collection is None:
            return self.rebuild(progress)
        report = SyncReport(collection)
        encoders = self.encoders(collection)
        cache = self._cache()
        failing = {f.document_id for f in self.registry.index_failures(collection)}  # recorded, not yet cleared
        try:
            ops = self.registry.pending_ops(consumer=collection)
            for n, op in enumerate(ops, start=1):
                op_failed = False
                if op.op == "delete":
                    self.store.delete_document(collection, op.document_id)
                    report.deleted_documents += 1
                else:
                    try:
                        self._write_document(collection, op.document_id, encoders, cache, report)
                    except Exception as exc:  # noqa: BLE001 — one document must not stop the index (see module doc)
                        self._fail_document(collection, op.document_id, op.seq, exc, report)
                        failing.add(op.document_id)
                        op_failed = True
                    else:
                        report.upserted_documents += 1
                if op.document_id in failing and not op_failed:
                    self.registry.clear_index_failure(collection, op.document_id)  # indexed fine now, or gone
                    failing.discard(op.document_id)
                    report.failed.pop(op.document_id, None)
                self.store.flush(collection)
                self.registry.ack(collection, op.seq)
                if progress:
                    progress(n, len(ops))
            if ops:
                self.registry.prune_outbox()  # what every live collection has applied is no longer needed
            if report.deleted_documents or report.upserted_documents or report.failed:
                # Qdrant counts deleted points in IDF until their segment is vacuumed — a replaced point's old
                # version too, e.g. one that lost `bm25_public` when it became restricted: vacuum now, so
                # removed and replaced chunks stop weighing on BM25 at once.
                self.store.optimize(collection)
        finally:
            cache.close()
        return report

    def rebuild(self, progress: Progress | None = None) -> SyncReport:
        """Build a new collection version from the registry, catch up, switch the alias, drop older versions."""
        start_seq = self.registry.max_seq()
        avg_lens = _average_lengths(self.registry.iter_chunks())
        name = new_collection_name(self.embedder_name)
        self.store.create_collection(
            name,
            CollectionMeta(embedder=self.embedder_name, dim=self._dim(), avg_len=avg_lens[SPARSE], avg_lens=avg_lens),
        )
        # Registered at once with the seq it starts from, so a sync of another version meanwhile cannot prune the
        # ops this one must still catch up with.
        self.registry.ack(name, start_seq)
        report = SyncReport(name, rebuilt=True)
        encoders = {n: BM25Encoder(avg_len=a) for n, a in avg_lens.items()}
        cache = self._cache()
        total = self.registry.counts().get("chunks", 0)
        bound = self.settings.max_points_per_document
        try:
            for doc, n_chunks in self.registry.chunk_counts(more_than=bound).items():
                self._fail_document(name, doc, start_seq, DocumentTooLarge(_too_large(n_chunks, bound)), report)
            chunks = (r for r in self.registry.iter_chunks() if r.document_id not in report.failed)
            for batch in _batches(chunks, BATCH):
                self._rebuild_batch(name, batch, encoders, cache, start_seq, report)
                if progress:
                    progress(report.points, total)
            if total and not report.points:
                # Not one document went in: the cause is not a document (a missing model, a broken engine).
                # Keep readers on the collection they have rather than switch them to an empty one.
                first = next(iter(report.failed.values()), "")
                raise StoreError(f"rebuild failed for every document, e.g. {first}")
            self.store.flush(name)
        except BaseException:
            self.store.drop_collection(name)  # never leave a half-built version behind
            self.registry.forget_consumer(name)
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
                self.registry.forget_consumer(other)
                report.dropped.append(other)
        self.registry.prune_outbox()
        report.failed.update(caught.failed)
        return report

    def _rebuild_batch(
        self,
        name: str,
        batch: list[ChunkRecord],
        encoders: dict[str, BM25Encoder],
        cache: EmbeddingCache,
        seq: int,
        report: SyncReport,
    ) -> None:
        """Store one batch of a rebuild; if it fails, document by document, recording those that fail."""
        batch = [r for r in batch if r.document_id not in report.failed]  # a document failed in a prior batch
        try:
            self.store.upsert(name, self._points(batch, encoders, cache, self.settings.embed_on_ingest, report))
            report.points += len(batch)
            return
        except Exception:  # noqa: BLE001 — find the document(s) at fault below
            pass
        by_doc: dict[str, list[ChunkRecord]] = {}
        for r in batch:
            by_doc.setdefault(r.document_id, []).append(r)
        for doc, records in by_doc.items():
            try:
                self.store.upsert(name, self._points(records, encoders, cache, self.settings.embed_on_ingest, report))
                report.points += len(records)
            except Exception as exc:  # noqa: BLE001 — one document must not stop the build
                self._fail_document(name, doc, seq, exc, report)

    def retry_failed(self, progress: Progress | None = None) -> SyncReport:
        """Index again the documents recorded as failed in the current collection (after fixing the cause,
        e.g. raising `max_points_per_document`); those that fail again stay recorded, with the new reason."""
        collection = self.current()
        if collection is None:
            raise StoreError("no index yet: run `kho ingest` (or `kho index`) first")
        report = SyncReport(collection)
        encoders = self.encoders(collection)
        cache = self._cache()
        seq = self.registry.consumer_seq(collection)
        try:
            failures = self.registry.index_failures(collection)
            for n, failure in enumerate(failures, start=1):
                try:
                    self._write_document(collection, failure.document_id, encoders, cache, report)
                except Exception as exc:  # noqa: BLE001 — as in `sync`
                    self._fail_document(collection, failure.document_id, seq, exc, report)
                else:
                    self.registry.clear_index_failure(collection, failure.document_id)
                    report.upserted_documents += 1
                self.store.flush(collection)
                if progress:
                    progress(n, len(failures))
        finally:
            cache.close()
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
        # Points fetched per round: several of the embedder's batches (16 texts on CPU, up to 1,024 on CUDA).
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


def _too_large(n_chunks: int, bound: int) -> str:
    return f"{n_chunks} chunks, more than max_points_per_document={bound} (KHO_MAX_POINTS_PER_DOCUMENT)"


def _average_lengths(chunks: Iterable[ChunkRecord], n: int = 4000) -> dict[str, float]:
    """BM25's average length per vector, each from a sample of the chunks that carry that vector only.

    Every 7th chunk of each level's own stream (up to `n`): the top level's sample is exactly the one a
    single-vector collection used, and a lower level's does not depend on chunks above it.
    """
    samples: dict[str, list[str]] = {name: [] for name in SPARSE_BY_RANK.values()}
    seen = dict.fromkeys(samples, 0)
    for rec in chunks:
        text: str | None = None
        for name in sparse_vector_names(ACCESS_RANK[rec.access_level]):
            if seen[name] % 7 == 0 and len(samples[name]) < n:
                if text is None:
                    t = doc_text(rec)
                    text = f"{t.title}\n{t.text}"
                samples[name].append(text)
            seen[name] += 1
        if all(len(s) >= n for s in samples.values()):
            break
    lengths: dict[str, int] = {}  # one segmentation per sampled text, shared by the levels that sampled it

    def length(text: str) -> int:
        if text not in lengths:
            lengths[text] = len(BM25Encoder(avg_len=1.0).terms(text))
        return lengths[text]

    return {name: _average(texts, length) for name, texts in samples.items()}


def _average(texts: list[str], length: Callable[[str], int], sample: int = 2000) -> float:
    """`index.sparse.average_length` with a shared length function (same sampling, same result)."""
    if not texts:
        return 100.0
    step = max(1, len(texts) // sample)
    lengths = [length(t) for t in texts[::step]]
    return max(1.0, sum(lengths) / len(lengths))
