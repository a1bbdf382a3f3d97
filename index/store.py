"""Qdrant under one small interface: the embedded engine by default, a server or cluster with `KHO_QDRANT_URL`.

Two backends, both real Qdrant, both behind `VectorStore`:

- `EdgeStore` (default): Qdrant Edge (`qdrant-edge-py`), Qdrant's in-process engine with HNSW and inverted
  sparse indexes, under `data_dir/qdrant/`. Each collection is a shard folder; aliases live in `aliases.json`
  (replaced atomically). qdrant-client's local mode is brute force in Python: 0.6 s per sparse query at 20k
  points, seconds at the corpus's 100k (see bench/results/retrieval.json), so it is only used by tests to show
  the client path works without a server.
- `ClientStore`: `qdrant-client` against `KHO_QDRANT_URL` (+ `KHO_QDRANT_API_KEY`), or its local mode
  (`KHO_QDRANT_ENGINE=client-local`). Real collections, payload indexes and aliases.

Every collection has the same schema: a named dense vector `dense` (cosine, the embedder's size; points may
lack it until `kho index --dense` fills it in), one BM25 sparse vector per clearance level, each with
`Modifier.IDF`, and payload indexes on the fields filters use.

Why one BM25 vector per level: Qdrant's IDF counts the points that HAVE the vector, and a score that depends on
documents a reader may not see lets that reader count them ("how many restricted chunks say X?"), even when the
filter hides them. So a point carries the vector of every level that may see it — `bm25` (the top level, every
point: what fully cleared readers and the evaluation use), `bm25_internal` (access rank ≤ 1), `bm25_public`
(rank 0) — each weighted with its own level's average length, and a reader is scored through the vector of
their clearance (`sparse_vector_name`): IDF, length normalisation and hence ranking come only from documents
they may see. Schema 2; a schema-1 collection (one `bm25`) is rebuilt by `Indexer.ensure`.

Collections are versioned (`kho_chunks__<embedder>__<stamp>`); readers go
through the alias `kho_chunks`, switched only once a new version is complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.clock import utc_now
from core.settings import Settings
from index.sparse import SparseVec
from ingest.model import AccessLevel

DENSE = "dense"
SPARSE = "bm25"  # the top level's BM25 vector: every point has it
ALIAS = "kho_chunks"
# 2: one BM25 vector per clearance level (`SPARSE_BY_RANK`) and per-level average lengths.
# 3: article versions in the payload (`valid_from`, `valid_to`, `version`, `cited`) for the `as_of` filter.
# 4: BM25 terms read with tone marks placed the newer way ("hoá" → "hóa", core.text.standard_spelling): a query in
#    either spelling meets both; an older collection is rebuilt (its terms are the text's own spelling).
# 5: also a lone i/y ("lí"/"lý", "qui"/"quy") and "hàng"/"hằng" before a unit of time (core.text.standard_spelling).
SCHEMA_VERSION = 5
# The first schema with one BM25 vector per clearance level: an older collection serves only top-cleared readers.
PER_CLEARANCE_SCHEMA = 2
TOP_RANK = len(AccessLevel) - 1
# Clearance rank → the BM25 vector a reader of that rank is scored with; a point of access rank r has the
# vectors of every rank ≥ r.
SPARSE_BY_RANK: dict[int, str] = {
    rank: SPARSE if rank == TOP_RANK else f"{SPARSE}_{level.value}" for rank, level in enumerate(AccessLevel)
}
VACUUM_DELETED_FRACTION = 0.05
META_FILE = "kho_collection.json"

# Payload field → index type. Filters only ever touch these.
PAYLOAD_INDEXES: dict[str, str] = {
    "document_id": "keyword",
    "so_hieu": "keyword",
    "cited_document": "keyword",
    "loai": "keyword",
    "co_quan": "keyword",
    "year": "integer",
    "hieu_luc": "keyword",
    "access_rank": "integer",
    "cited": "keyword",
    "valid_from": "integer",
    "valid_to": "integer",
}


class StoreError(RuntimeError):
    """A Qdrant collection is missing, of the wrong shape, or unreachable."""


def sparse_vector_name(max_access_rank: int) -> str:
    """The BM25 vector whose IDF counts only points a reader cleared for `max_access_rank` may see.

    >>> sparse_vector_name(0), sparse_vector_name(1), sparse_vector_name(2)
    ('bm25_public', 'bm25_internal', 'bm25')
    """
    return SPARSE_BY_RANK[min(max(max_access_rank, 0), TOP_RANK)]


def sparse_vector_names(access_rank: int) -> list[str]:
    """The BM25 vectors a point of `access_rank` carries: those of every clearance that may see it."""
    return [SPARSE_BY_RANK[r] for r in range(max(access_rank, 0), TOP_RANK + 1)]


@dataclass(frozen=True)
class CollectionMeta:
    """What a collection was built for: the dense vector space and BM25's average document length(s).

    `avg_len` is the top level's (all points); `avg_lens` holds each BM25 vector's own, measured on the points
    that carry it, so a reader's length normalisation does not depend on documents above their clearance.
    A collection from before schema 1 has no `schema` key in its metadata and reads as schema 0.
    """

    embedder: str
    dim: int
    avg_len: float
    schema: int = SCHEMA_VERSION
    created_at: str = field(default_factory=utc_now)
    avg_lens: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CollectionMeta:
        keys = ("embedder", "dim", "avg_len", "schema", "created_at", "avg_lens")
        return cls(**{"schema": 0, **{k: d[k] for k in keys if k in d}})

    def avg_len_of(self, vector: str) -> float:
        """The average length BM25 vector `vector` was weighted with (the top level's when not recorded)."""
        return float(self.avg_lens.get(vector, self.avg_len))


@dataclass(frozen=True)
class PointIn:
    """One chunk to store: id, its BM25 vectors, its dense vector when already computed, its payload.

    `sparse` is the top level's vector (`bm25`); `sparse_levels` the lower clearance levels' vectors by name
    (`bm25_public`, `bm25_internal`) for the levels that may see the chunk. An upsert replaces ALL of a point's
    vectors, so a chunk whose access level rises loses the vectors of the levels that no longer see it.
    """

    id: str
    sparse: SparseVec
    payload: dict[str, Any]
    dense: np.ndarray | None = None
    sparse_levels: dict[str, SparseVec] = field(default_factory=dict)

    def sparse_vectors(self) -> dict[str, SparseVec]:
        """Every BM25 vector of the point, by vector name."""
        return {SPARSE: self.sparse, **self.sparse_levels}


@dataclass(frozen=True)
class ScoredPoint:
    """A point a query returned."""

    id: str
    score: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class Filters:
    """Metadata filters plus the reader's clearance; all applied inside Qdrant.

    `max_access_rank` is the highest access rank the reader is cleared for (0 public, 1 internal, 2 restricted);
    it is always part of the query filter. Empty lists mean "any".
    """

    max_access_rank: int = 0
    types: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    validity: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    document_ids: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()  # legal articles, as `index.payload.cited_key` writes them
    as_of: dt.date | None = None  # only texts that were the law on that day (None: every version)


class VectorStore(Protocol):
    """The operations the indexer and the searcher need, over named, versioned collections."""

    def create_collection(self, name: str, meta: CollectionMeta) -> None: ...
    def drop_collection(self, name: str) -> None: ...
    def collections(self) -> list[str]: ...
    def collection_meta(self, name: str) -> CollectionMeta: ...
    def resolve_alias(self, alias: str) -> str | None: ...
    def set_alias(self, alias: str, name: str) -> None: ...
    def upsert(self, name: str, points: Sequence[PointIn]) -> None: ...
    def delete_document(self, name: str, document_id: str, keep_ids: Sequence[str] = ()) -> None: ...
    def set_dense(self, name: str, ids: Sequence[str], vectors: np.ndarray) -> None: ...
    def missing_dense(self, name: str, limit: int) -> list[ScoredPoint]: ...
    def query(
        self, name: str, using: str, vector: np.ndarray | SparseVec, filters: Filters, limit: int
    ) -> list[ScoredPoint]: ...
    def count(self, name: str, filters: Filters | None = None, with_dense: bool | None = None) -> int: ...
    def scroll(self, name: str, filters: Filters, limit: int) -> list[ScoredPoint]: ...
    def point_ids(self, name: str, document_id: str) -> list[str]: ...
    def flush(self, name: str) -> None: ...
    def optimize(self, name: str) -> None: ...
    def close(self) -> None: ...


def new_collection_name(embedder: str) -> str:
    """A fresh versioned collection name, e.g. `kho_chunks__embeddinggemma-768__20261122t213000123456`."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dt%H%M%S%f")
    return f"{ALIAS}__{embedder}__{stamp}"


def _conditions(f: Filters) -> dict[str, Any]:
    """The filter as backend-neutral parts: exact matches, any-of matches and ranges."""
    any_of: dict[str, list[Any]] = {}
    ranges: dict[str, tuple[float | None, float | None]] = {"access_rank": (None, float(f.max_access_rank))}
    for key, values in (
        ("loai", f.types),
        ("co_quan", f.issuers),
        ("hieu_luc", f.validity),
        ("so_hieu", f.numbers),
        ("document_id", f.document_ids),
        ("cited", f.cited),
    ):
        if values:
            any_of[key] = list(values)
    if f.year_from is not None or f.year_to is not None:
        ranges["year"] = (
            float(f.year_from) if f.year_from is not None else None,
            float(f.year_to) if f.year_to is not None else None,
        )
    if f.as_of is not None:  # valid_from <= d < valid_to, as YYYYMMDD integers (ingest/versions.py)
        day = f.as_of.year * 10000 + f.as_of.month * 100 + f.as_of.day
        ranges["valid_from"] = (None, float(day))
        ranges["valid_to"] = (float(day + 1), None)
    return {"any_of": any_of, "ranges": ranges}


# --------------------------------------------------------------------------------------------------------------
# Qdrant Edge (embedded default)


class EdgeStore:
    """Qdrant Edge shards under `root/collections/<name>/`, aliases in `root/aliases.json`."""

    def __init__(self, root: Path) -> None:
        import qdrant_edge

        self.e = qdrant_edge
        self.root = root
        (root / "collections").mkdir(parents=True, exist_ok=True)
        self._shards: dict[str, Any] = {}
        self._lock = threading.RLock()

    # catalog -------------------------------------------------------------------------------------------------
    def _dir(self, name: str) -> Path:
        return self.root / "collections" / name

    def create_collection(self, name: str, meta: CollectionMeta) -> None:
        e = self.e
        path = self._dir(name)
        if path.exists():
            raise StoreError(f"collection {name} already exists")
        config = e.EdgeConfig(
            vectors={DENSE: e.EdgeVectorParams(size=meta.dim, distance=e.Distance.Cosine)},
            sparse_vectors={
                name: e.EdgeSparseVectorParams(modifier=e.Modifier.Idf) for name in SPARSE_BY_RANK.values()
            },
            # Qdrant's IDF counts deleted points until their segment is vacuumed: vacuum early, so removed
            # documents stop weighing on IDF at the next `optimize` (kho index) instead of at 20 % deleted.
            optimizers=e.EdgeOptimizersConfig(deleted_threshold=VACUUM_DELETED_FRACTION, vacuum_min_vector_number=1),
        )
        tmp = path.with_name(path.name + ".creating")
        shutil.rmtree(tmp, ignore_errors=True)
        shard = e.EdgeShard.create(str(tmp / "shard"), config)
        schema = {"keyword": e.PayloadSchemaType.Keyword, "integer": e.PayloadSchemaType.Integer}
        for key, kind in PAYLOAD_INDEXES.items():
            shard.update(e.UpdateOperation.create_field_index(key, schema[kind]))
        shard.flush()
        shard.close()
        (tmp / META_FILE).write_text(json.dumps(asdict(meta), indent=1))
        os.replace(tmp, path)

    def drop_collection(self, name: str) -> None:
        with self._lock:
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
        shutil.rmtree(self._dir(name), ignore_errors=True)

    def collections(self) -> list[str]:
        base = self.root / "collections"
        return sorted(p.name for p in base.iterdir() if (p / META_FILE).exists())

    def collection_meta(self, name: str) -> CollectionMeta:
        path = self._dir(name) / META_FILE
        if not path.exists():
            raise StoreError(f"collection {name} does not exist under {self.root}")
        return CollectionMeta.from_json(json.loads(path.read_text()))

    def _aliases(self) -> dict[str, str]:
        path = self.root / "aliases.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def resolve_alias(self, alias: str) -> str | None:
        return self._aliases().get(alias)

    def set_alias(self, alias: str, name: str) -> None:
        if not self._dir(name).exists():
            raise StoreError(f"cannot point alias {alias} at missing collection {name}")
        aliases = self._aliases()
        aliases[alias] = name
        tmp = self.root / "aliases.json.tmp"
        tmp.write_text(json.dumps(aliases, indent=1))
        os.replace(tmp, self.root / "aliases.json")

    def _shard(self, name: str) -> Any:
        with self._lock:
            if name not in self._shards:
                path = self._dir(name) / "shard"
                if not path.exists():
                    raise StoreError(f"collection {name} does not exist under {self.root}")
                try:
                    self._shards[name] = self.e.EdgeShard.load(str(path))
                except Exception as exc:  # the extension raises a plain Exception
                    if "WouldBlock" in str(exc):  # its write-ahead log is locked by another process
                        raise StoreError(
                            f"the index {path} is open in another process (e.g. `kho serve` or another `kho` "
                            "command on the same data dir); wait for it to finish, or ask the running server"
                        ) from None
                    raise
            return self._shards[name]

    # points --------------------------------------------------------------------------------------------------
    def _filter(self, f: Filters) -> Any:
        e = self.e
        parts = _conditions(f)
        must: list[Any] = [e.FieldCondition(key=k, match=e.MatchAny(any=v)) for k, v in parts["any_of"].items()]
        must += [e.FieldCondition(key=k, range=e.RangeFloat(gte=lo, lte=hi)) for k, (lo, hi) in parts["ranges"].items()]
        return e.Filter(must=must)

    def upsert(self, name: str, points: Sequence[PointIn]) -> None:
        e = self.e
        out = []
        for p in points:
            vec: dict[str, Any] = {
                k: e.SparseVector(indices=v.indices, values=v.values) for k, v in p.sparse_vectors().items()
            }
            if p.dense is not None:
                vec[DENSE] = np.asarray(p.dense, dtype=np.float32).tolist()
            out.append(e.Point(id=p.id, vector=vec, payload=p.payload))
        if out:
            with self._lock:
                self._shard(name).update(e.UpdateOperation.upsert_points(out))

    def delete_document(self, name: str, document_id: str, keep_ids: Sequence[str] = ()) -> None:
        e = self.e
        flt = e.Filter(
            must=[e.FieldCondition(key="document_id", match=e.MatchValue(value=document_id))],
            must_not=[e.HasIdCondition(point_ids=set(keep_ids))] if keep_ids else None,
        )
        with self._lock:
            self._shard(name).update(e.UpdateOperation.delete_points_by_filter(flt))

    def set_dense(self, name: str, ids: Sequence[str], vectors: np.ndarray) -> None:
        e = self.e
        pv = [
            e.PointVectors(id=i, vector={DENSE: v.astype(np.float32).tolist()})
            for i, v in zip(ids, vectors, strict=True)
        ]
        with self._lock:
            self._shard(name).update(e.UpdateOperation.update_vectors(pv))

    def missing_dense(self, name: str, limit: int) -> list[ScoredPoint]:
        e = self.e
        flt = e.Filter(must_not=[e.HasVectorCondition(vector=DENSE)])
        with self._lock:
            records, _ = self._shard(name).scroll(e.ScrollRequest(limit=limit, filter=flt, with_payload=True))
        return [ScoredPoint(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def scroll(self, name: str, filters: Filters, limit: int) -> list[ScoredPoint]:
        """Up to `limit` points the filters (and the clearance in them) allow, with payloads, in no ranked order."""
        e = self.e
        records, _ = self._shard(name).scroll(
            e.ScrollRequest(limit=limit, filter=self._filter(filters), with_payload=True)
        )
        return [ScoredPoint(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def query(
        self, name: str, using: str, vector: np.ndarray | SparseVec, filters: Filters, limit: int
    ) -> list[ScoredPoint]:
        e = self.e
        q: Any
        if isinstance(vector, SparseVec):
            if not vector.indices:
                return []
            q = e.SparseVector(indices=vector.indices, values=vector.values)
        else:
            q = np.asarray(vector, dtype=np.float32).tolist()
        req = e.QueryRequest(
            limit=limit, query=e.Query.Nearest(q, using=using), filter=self._filter(filters), with_payload=True
        )
        shard = self._shard(name)
        hits = shard.query(req)
        return [ScoredPoint(str(h.id), float(h.score), dict(h.payload or {})) for h in hits]

    def count(self, name: str, filters: Filters | None = None, with_dense: bool | None = None) -> int:
        e = self.e
        must: list[Any] = []
        must_not: list[Any] = []
        if filters is not None:
            must.append(self._filter(filters))
        if with_dense is True:
            must.append(e.HasVectorCondition(vector=DENSE))
        elif with_dense is False:
            must_not.append(e.HasVectorCondition(vector=DENSE))
        flt = e.Filter(must=must or None, must_not=must_not or None) if (must or must_not) else None
        return int(self._shard(name).count(e.CountRequest(exact=True, filter=flt)))

    def point_ids(self, name: str, document_id: str) -> list[str]:
        e = self.e
        flt = e.Filter(must=[e.FieldCondition(key="document_id", match=e.MatchValue(value=document_id))])
        ids: list[str] = []
        offset = None
        while True:
            records, offset = self._shard(name).scroll(
                e.ScrollRequest(offset=offset, limit=1000, filter=flt, with_payload=False)
            )
            ids += [str(r.id) for r in records]
            if offset is None:
                return ids

    def flush(self, name: str) -> None:
        with self._lock:
            self._shard(name).flush()

    def optimize(self, name: str) -> None:
        """Build HNSW/sparse indexes now rather than at the engine's leisure (after a bulk load)."""
        with self._lock:
            self._shard(name).optimize()

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                with contextlib.suppress(Exception):
                    shard.flush()
                shard.close()
            self._shards.clear()


# --------------------------------------------------------------------------------------------------------------
# qdrant-client (server / cluster, or local mode)


class ClientStore:
    """Collections on a Qdrant server or cluster (or qdrant-client's local mode), through `qdrant-client`."""

    def __init__(self, url: str | None = None, api_key: str | None = None, path: Path | None = None) -> None:
        from qdrant_client import QdrantClient
        from qdrant_client import models as m

        self.m = m
        if url:
            self.client = QdrantClient(url=url, api_key=api_key, timeout=60)
        elif path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self.client = QdrantClient(path=str(path))
        else:
            raise StoreError("ClientStore needs a URL or a local path")
        self.local = url is None

    def create_collection(self, name: str, meta: CollectionMeta) -> None:
        m = self.m
        if self.client.collection_exists(name):
            raise StoreError(f"collection {name} already exists")
        self.client.create_collection(
            name,
            vectors_config={DENSE: m.VectorParams(size=meta.dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={
                name: m.SparseVectorParams(modifier=m.Modifier.IDF) for name in SPARSE_BY_RANK.values()
            },
            metadata=asdict(meta),
        )
        if self.local:
            return  # local mode scans every point anyway; it warns that payload indexes have no effect there
        schema = {"keyword": m.PayloadSchemaType.KEYWORD, "integer": m.PayloadSchemaType.INTEGER}
        for key, kind in PAYLOAD_INDEXES.items():
            self.client.create_payload_index(name, key, field_schema=schema[kind], wait=True)

    def drop_collection(self, name: str) -> None:
        self.client.delete_collection(name)

    def collections(self) -> list[str]:
        return sorted(c.name for c in self.client.get_collections().collections)

    def collection_meta(self, name: str) -> CollectionMeta:
        if not self.client.collection_exists(name):
            raise StoreError(f"collection {name} does not exist")
        info = self.client.get_collection(name)
        meta = getattr(info.config, "metadata", None)
        if not meta:
            raise StoreError(f"collection {name} carries no kho metadata (not built by kho?)")
        return CollectionMeta.from_json(dict(meta))

    def resolve_alias(self, alias: str) -> str | None:
        for a in self.client.get_aliases().aliases:
            if a.alias_name == alias:
                return str(a.collection_name)
        return None

    def set_alias(self, alias: str, name: str) -> None:
        m = self.m
        ops: list[Any] = []
        if self.resolve_alias(alias) is not None:
            ops.append(m.DeleteAliasOperation(delete_alias=m.DeleteAlias(alias_name=alias)))
        ops.append(m.CreateAliasOperation(create_alias=m.CreateAlias(collection_name=name, alias_name=alias)))
        # One request: readers see either the old or the new collection, never none.
        self.client.update_collection_aliases(change_aliases_operations=ops)

    def _filter(self, f: Filters) -> Any:
        m = self.m
        parts = _conditions(f)
        must: list[Any] = [m.FieldCondition(key=k, match=m.MatchAny(any=v)) for k, v in parts["any_of"].items()]
        must += [m.FieldCondition(key=k, range=m.Range(gte=lo, lte=hi)) for k, (lo, hi) in parts["ranges"].items()]
        return m.Filter(must=must)

    def upsert(self, name: str, points: Sequence[PointIn]) -> None:
        m = self.m
        out = []
        for p in points:
            vec: dict[str, Any] = {
                k: m.SparseVector(indices=v.indices, values=v.values) for k, v in p.sparse_vectors().items()
            }
            if p.dense is not None:
                vec[DENSE] = np.asarray(p.dense, dtype=np.float32).tolist()
            out.append(m.PointStruct(id=p.id, vector=vec, payload=p.payload))
        if out:
            self.client.upsert(name, out, wait=True)

    def delete_document(self, name: str, document_id: str, keep_ids: Sequence[str] = ()) -> None:
        m = self.m
        flt = m.Filter(
            must=[m.FieldCondition(key="document_id", match=m.MatchValue(value=document_id))],
            must_not=[m.HasIdCondition(has_id=list(keep_ids))] if keep_ids else None,
        )
        self.client.delete(name, points_selector=m.FilterSelector(filter=flt), wait=True)

    def set_dense(self, name: str, ids: Sequence[str], vectors: np.ndarray) -> None:
        m = self.m
        pv = [
            m.PointVectors(id=i, vector={DENSE: v.astype(np.float32).tolist()})
            for i, v in zip(ids, vectors, strict=True)
        ]
        self.client.update_vectors(name, points=pv, wait=True)

    def missing_dense(self, name: str, limit: int) -> list[ScoredPoint]:
        m = self.m
        flt = m.Filter(must_not=[m.HasVectorCondition(has_vector=DENSE)])
        records, _ = self.client.scroll(name, scroll_filter=flt, limit=limit, with_payload=True)
        return [ScoredPoint(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def scroll(self, name: str, filters: Filters, limit: int) -> list[ScoredPoint]:
        """Up to `limit` points the filters (and the clearance in them) allow, with payloads, in no ranked order."""
        records, _ = self.client.scroll(name, scroll_filter=self._filter(filters), limit=limit, with_payload=True)
        return [ScoredPoint(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def query(
        self, name: str, using: str, vector: np.ndarray | SparseVec, filters: Filters, limit: int
    ) -> list[ScoredPoint]:
        m = self.m
        q: Any
        if isinstance(vector, SparseVec):
            if not vector.indices:
                return []
            q = m.SparseVector(indices=vector.indices, values=vector.values)
        else:
            q = np.asarray(vector, dtype=np.float32).tolist()
        res = self.client.query_points(
            name, query=q, using=using, query_filter=self._filter(filters), limit=limit, with_payload=True
        )
        return [ScoredPoint(str(h.id), float(h.score), dict(h.payload or {})) for h in res.points]

    def count(self, name: str, filters: Filters | None = None, with_dense: bool | None = None) -> int:
        m = self.m
        must: list[Any] = []
        must_not: list[Any] = []
        if filters is not None:
            must.append(self._filter(filters))
        if with_dense is True:
            must.append(m.HasVectorCondition(has_vector=DENSE))
        elif with_dense is False:
            must_not.append(m.HasVectorCondition(has_vector=DENSE))
        flt = m.Filter(must=must or None, must_not=must_not or None) if (must or must_not) else None
        return int(self.client.count(name, count_filter=flt, exact=True).count)

    def point_ids(self, name: str, document_id: str) -> list[str]:
        m = self.m
        flt = m.Filter(must=[m.FieldCondition(key="document_id", match=m.MatchValue(value=document_id))])
        ids: list[str] = []
        offset = None
        while True:
            records, offset = self.client.scroll(name, scroll_filter=flt, limit=1000, offset=offset, with_payload=False)
            ids += [str(r.id) for r in records]
            if offset is None:
                return ids

    def flush(self, name: str) -> None:
        """Server writes are durable once acknowledged (`wait=True`); nothing to do."""

    def optimize(self, name: str) -> None:
        """A server optimizes (indexes, vacuums) in the background; nothing to do."""

    def close(self) -> None:
        self.client.close()


# --------------------------------------------------------------------------------------------------------------

ENGINES = ("edge", "client-local")


def open_store(settings: Settings) -> VectorStore:
    """The store the settings ask for: a server when `qdrant_url` is set, else the embedded engine."""
    if settings.qdrant_url:
        return ClientStore(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
    if settings.qdrant_engine == "client-local":
        return ClientStore(path=settings.data_dir / "qdrant-local")
    if settings.qdrant_engine != "edge":
        raise StoreError(f"KHO_QDRANT_ENGINE must be one of {ENGINES}, not {settings.qdrant_engine!r}")
    return EdgeStore(settings.data_dir / "qdrant")


@contextlib.contextmanager
def store_from_settings(settings: Settings) -> Iterator[VectorStore]:
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()
