"""Vietnamese BM25 as Qdrant sparse vectors: pyvi words, a stable token hash, IDF kept by Qdrant.

A document's sparse vector holds, for each term, BM25's saturated term frequency
`tf·(k1+1) / (tf + k1·(1−b+b·len/avg_len))`; a query's holds 1 per distinct term. The collection's sparse
vector is created with `Modifier.IDF`, so Qdrant multiplies each query term by its IDF over the points
currently stored: IDF is kept with the collection and follows documents as they come and go, and the dot
product is exactly BM25.

Terms are pyvi words, segmented in the original case (pyvi's CRF uses capitalisation) and then lowercased
("Việt Nam" → "việt_nam"), plus the syllables of every compound word ("việt", "nam"), so a query that pyvi
segments differently from the document still matches on syllables. Punctuation is dropped. Words spelt two ways
are read one way first (core.text.standard_spelling): "thoả thuận" and "thỏa thuận", "lí do" and "lý do", "hàng năm"
and "hằng năm" are the same terms. A term's index is
the first 4 bytes of its BLAKE2b hash: stable across processes, machines and Python versions (unlike
`hash()`), so vectors built anywhere fit the same collection.

>>> enc = BM25Encoder(avg_len=10)
>>> enc.terms("Cán bộ, công chức")
['cán_bộ', 'cán', 'bộ', 'công_chức', 'công', 'chức']
>>> term_index("cán_bộ") == term_index("cán_bộ")
True
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import sqlite3
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.text import words, words_and_syllables

PARALLEL_FROM = 256  # below this many texts, a process pool costs more than it saves


@dataclass(frozen=True)
class SparseVec:
    """A sparse vector as Qdrant takes it: sorted unique indices and their values."""

    indices: list[int]
    values: list[float]

    def __len__(self) -> int:
        return len(self.indices)


def term_index(term: str) -> int:
    """The stable 32-bit index of a term."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


class BM25Encoder:
    """Turns texts into BM25 sparse vectors (documents) and term sets (queries)."""

    def __init__(self, avg_len: float, k1: float = 1.2, b: float = 0.75, syllables: bool = True) -> None:
        if avg_len <= 0:
            raise ValueError("avg_len must be positive")
        self.avg_len = avg_len
        self.k1 = k1
        self.b = b
        self.syllables = syllables

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order (lowercased words, then each compound's syllables)."""
        return words_and_syllables(text) if self.syllables else words(text)

    def term_counts(self, text: str) -> dict[int, int]:
        """Term index -> frequency (a hash collision merges two terms' counts; rare at 2^32 buckets)."""
        counts: Counter[int] = Counter(term_index(t) for t in self.terms(text))
        return dict(counts)

    def weigh(self, counts: dict[int, int]) -> SparseVec:
        """BM25 document weights from term counts."""
        length = sum(counts.values())
        norm = self.k1 * (1 - self.b + self.b * length / self.avg_len)
        return _sorted({idx: tf * (self.k1 + 1) / (tf + norm) for idx, tf in counts.items()})

    def encode_document(self, text: str) -> SparseVec:
        return self.weigh(self.term_counts(text))

    def encode_query(self, text: str) -> SparseVec:
        return _sorted({term_index(t): 1.0 for t in set(self.terms(text))})


def _sorted(weights: dict[int, float]) -> SparseVec:
    keys = sorted(weights)
    return SparseVec(indices=keys, values=[weights[k] for k in keys])


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    """Pool-worker initializer: on Linux, ask the kernel to SIGKILL this worker when its parent dies.

    A worker that outlived a `kill -9` of `kho ingest` would keep segmenting for nobody and, had it been
    forked, keep the parent's inherited file descriptors — the Qdrant index lock among them. Workers are
    spawned (a fresh interpreter, no inherited descriptors) and, with this, never outlive their parent. (The
    signal follows the THREAD that started the worker; the pool lives inside one `with` in that thread.)
    """
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request was in place
        os._exit(1)


def _pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """A process pool whose workers start fresh ('spawn': no inherited locks or descriptors) and die with us."""
    ctx = multiprocessing.get_context("spawn")
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),)
    )


def _counts_worker(args: tuple[bool, list[str]]) -> list[dict[int, int]]:
    syllables, texts = args
    enc = BM25Encoder(avg_len=1.0, syllables=syllables)
    return [enc.term_counts(t) for t in texts]


class TermCountCache:
    """Term counts by text hash, so re-indexing the same chunks skips word segmentation (~10 ms per chunk)."""

    # Bump when `terms` changes: old counts are then simply not found (v2: tone placement, v3: i/y and hàng/hằng).
    VERSION = "pyvi-syl-v3"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, idx BLOB, tf BLOB)")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(f"{TermCountCache.VERSION}\x1f{text}".encode()).hexdigest()[:32]

    def get_many(self, keys: list[str]) -> dict[str, dict[int, int]]:
        out: dict[str, dict[int, int]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, idx, tf in self.db.execute(f"SELECT key, idx, tf FROM counts WHERE key IN ({marks})", part):
                out[key] = dict(zip(array("I", idx), array("I", tf), strict=True))
        return out

    def put_many(self, items: list[tuple[str, dict[int, int]]]) -> None:
        rows = [(k, array("I", c.keys()).tobytes(), array("I", c.values()).tobytes()) for k, c in items]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO counts (key, idx, tf) VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()


def bulk_term_counts(
    encoder: BM25Encoder, texts: list[str], cache: TermCountCache | None = None, workers: int | None = None
) -> list[dict[int, int]]:
    """Term counts of many texts: cached ones read back, the rest segmented in parallel processes when many."""
    keys = [TermCountCache.key(t) for t in texts]
    have = cache.get_many(keys) if cache else {}
    missing = [i for i, k in enumerate(keys) if k not in have]
    workers = workers or os.cpu_count() or 1
    if len(missing) >= PARALLEL_FROM and workers > 1:
        step = max(16, len(missing) // (workers * 4))
        parts = [missing[i : i + step] for i in range(0, len(missing), step)]
        with _pool(workers) as pool:
            results = pool.map(_counts_worker, [(encoder.syllables, [texts[i] for i in part]) for part in parts])
            computed = [c for chunk in results for c in chunk]
    else:
        computed = [encoder.term_counts(texts[i]) for i in missing]
    new = [(keys[i], c) for i, c in zip(missing, computed, strict=True)]
    if cache and new:
        cache.put_many(new)
    have.update(new)
    return [have[k] for k in keys]


def average_length(texts: list[str], encoder: BM25Encoder | None = None, sample: int = 2000) -> float:
    """The mean term count of (a sample of) `texts`: the `avg_len` a collection is created with."""
    if not texts:
        return 100.0
    enc = encoder or BM25Encoder(avg_len=1.0)
    step = max(1, len(texts) // sample)
    lengths = [len(enc.terms(t)) for t in texts[::step]]
    return max(1.0, sum(lengths) / len(lengths))
