"""A content-addressed store of document vectors, so no text is ever embedded twice by the same model.

Dense vectors are the expensive part of indexing (~2 chunks/s for EmbeddingGemma on 2 CPU cores). The cache
keys each vector by the embedder's name and a hash of exactly what was embedded, so re-indexing, a new
collection version, an evaluation workspace or vectors computed on a GPU host (`import_vectors`) all reuse it.
It lives under `Settings.embeddings_dir/<embedder>.sqlite3`; vectors are stored as float16.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.embedders import DocText, Embedder, Progress

GROUP = 64


def text_key(doc: DocText) -> str:
    """The cache key of one document text: a SHA-256 of title and text."""
    return hashlib.sha256(f"{doc.title}\x1f{doc.text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Vectors of one embedder, by `text_key`."""

    def __init__(self, path: Path, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dim = dim
        self.db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB NOT NULL)")

    @classmethod
    def for_embedder(cls, embeddings_dir: Path, embedder: Embedder) -> EmbeddingCache:
        return cls(embeddings_dir / f"{embedder.name}.sqlite3", embedder.dim)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = list(keys[start : start + 500])
            marks = ",".join("?" * len(part))
            for key, blob in self.db.execute(f"SELECT key, v FROM vectors WHERE key IN ({marks})", part):
                found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = []
        for key, vec in items:
            if vec.shape != (self.dim,):
                raise ValueError(f"{self.path.name}: vector for {key} has shape {vec.shape}, expected ({self.dim},)")
            rows.append((key, np.asarray(vec, dtype=np.float16).tobytes()))
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO vectors (key, v) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self.db.close()


def embed_with_cache(
    embedder: Embedder,
    docs: Sequence[DocText],
    cache: EmbeddingCache,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Vectors for `docs`: cached ones read back, the rest embedded (in batches, each stored as it completes).

    `batch_size` defaults to the embedder's own (`preferred_batch`: 16 on CPU, up to 1,024 texts for EmbeddingGemma
    on CUDA, where a token budget shapes the batches).
    """
    size: int = batch_size or int(getattr(embedder, "preferred_batch", 16))
    keys = [text_key(d) for d in docs]
    have = cache.get_many(keys)
    missing = [i for i, k in enumerate(keys) if k not in have]
    done = len(docs) - len(missing)
    if progress:
        progress(done, len(docs))
    # Longest first, in groups of several batches: texts of similar length share a batch, so little padding is
    # computed (a transformer pays for the longest text of each batch), and each group is stored as it completes.
    missing.sort(key=lambda i: -len(docs[i].title) - len(docs[i].text))
    group = max(4 * size, GROUP)
    for start in range(0, len(missing), group):
        idx = missing[start : start + group]
        vecs = embedder.embed_documents([docs[i] for i in idx], batch_size=size)
        cache.put_many((keys[i], v) for i, v in zip(idx, vecs, strict=True))
        for i, v in zip(idx, vecs, strict=True):
            have[keys[i]] = v
        done += len(idx)
        if progress:
            progress(done, len(docs))
    out = np.zeros((len(docs), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = have[k]
    return out
