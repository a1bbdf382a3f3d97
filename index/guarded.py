"""The index's lock: writes to a vector store one at a time, and (for engines that need it) never during a query.

Qdrant Edge needs no exclusion between reads and writes: its Python binding (pyo3) only hands out shared
references to a Rust shard that does its own locking (a conflicting borrow raises, it cannot corrupt), and 4 query
threads against a sync loop (upsert, delete, flush, optimize) for 8 s gave no error — so searches keep running
during an upload. qdrant-client's local mode (plain Python dicts) does: `exclusive_writes` keeps queries out while
a write runs. A waiting writer holds back new readers, so writers never starve.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from index.sparse import SparseVec
from index.store import CollectionMeta, Filters, PointIn, ScoredPoint, VectorStore


class ReadWriteLock:
    """Many readers at once, or one writer alone; a waiting writer holds back new readers (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class GuardedStore:
    """A `VectorStore` whose writes run one at a time; with `exclusive_writes`, also never during a query."""

    def __init__(self, inner: VectorStore, exclusive_writes: bool = True) -> None:
        self.inner = inner
        self.lock = ReadWriteLock()
        self._write_lock = threading.RLock()
        self.exclusive_writes = exclusive_writes

    @contextmanager
    def _reading(self) -> Iterator[None]:
        if not self.exclusive_writes:
            yield
            return
        with self.lock.reading():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._write_lock:
            if not self.exclusive_writes:
                yield
                return
            with self.lock.writing():
                yield

    # reads
    def collections(self) -> list[str]:
        with self._reading():
            return self.inner.collections()

    def collection_meta(self, name: str) -> CollectionMeta:
        with self._reading():
            return self.inner.collection_meta(name)

    def resolve_alias(self, alias: str) -> str | None:
        with self._reading():
            return self.inner.resolve_alias(alias)

    def missing_dense(self, name: str, limit: int) -> list[ScoredPoint]:
        with self._reading():
            return self.inner.missing_dense(name, limit)

    def query(
        self, name: str, using: str, vector: np.ndarray | SparseVec, filters: Filters, limit: int
    ) -> list[ScoredPoint]:
        with self._reading():
            return self.inner.query(name, using, vector, filters, limit)

    def count(self, name: str, filters: Filters | None = None, with_dense: bool | None = None) -> int:
        with self._reading():
            return self.inner.count(name, filters, with_dense)

    def scroll(self, name: str, filters: Filters, limit: int) -> list[ScoredPoint]:
        with self._reading():
            return self.inner.scroll(name, filters, limit)

    def point_ids(self, name: str, document_id: str) -> list[str]:
        with self._reading():
            return self.inner.point_ids(name, document_id)

    # writes
    def create_collection(self, name: str, meta: CollectionMeta) -> None:
        with self._writing():
            self.inner.create_collection(name, meta)

    def drop_collection(self, name: str) -> None:
        with self._writing():
            self.inner.drop_collection(name)

    def set_alias(self, alias: str, name: str) -> None:
        with self._writing():
            self.inner.set_alias(alias, name)

    def upsert(self, name: str, points: Sequence[PointIn]) -> None:
        with self._writing():
            self.inner.upsert(name, points)

    def delete_document(self, name: str, document_id: str, keep_ids: Sequence[str] = ()) -> None:
        with self._writing():
            self.inner.delete_document(name, document_id, keep_ids)

    def set_dense(self, name: str, ids: Sequence[str], vectors: np.ndarray) -> None:
        with self._writing():
            self.inner.set_dense(name, ids, vectors)

    def flush(self, name: str) -> None:
        with self._writing():
            self.inner.flush(name)

    def optimize(self, name: str) -> None:
        with self._writing():
            self.inner.optimize(name)

    def close(self) -> None:
        with self._writing():
            self.inner.close()
