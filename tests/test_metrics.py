"""Monitoring: `/metrics` (Prometheus text, parsed with prometheus_client's own parser), `/readyz`, and the request
middleware, over real HTTP on loopback (`create_app` served by uvicorn, as in tests/test_api.py).

The scrape test asks through the API with the real embedded model (one short generated answer, ~20-40 s on 2 CPU
cores), so that time to first token and token counts exist; the other questions are a refusal and an extractive
answer, which never reach the model. Metrics are process-wide, so the test compares a scrape before with one after.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from app.accounts import Accounts
from app.services import Services
from assistant.llm import LLM_MODEL
from core import metrics
from core.models import ModelError, model_path
from core.settings import Settings
from tests.test_api import LiveServer
from tests.test_assistant import injected_world
from tests.test_index_search import World
from tests.test_services import ADMIN, RESTRICTED_NUMBER, EchoLLM
from ui.observability import GRADIO_GROUPS, WORKDESK_ROUTE, HttpMetrics
from ui.server import create_app

SCRAPE_TOKEN = "scrape-" + "x" * 40
GENERATED = "Thời gian thử việc của viên chức là bao lâu?"
OUTSIDE = "Kết quả trận bóng đá tối qua giữa hai đội tuyển thế nào?"
EXTRACTIVE = "Đóng dấu giáp lai thế nào?"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of a scrape, by (sample name, labels); the parser rejects anything not in Prometheus' format."""
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = float(s.value)
    return out


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def delta(after: Samples, before: Samples, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def need_model() -> None:
    try:
        model_path(LLM_MODEL)
    except ModelError as exc:
        pytest.skip(f"needs the LLM weights (make models): {exc}")


@dataclass
class Monitored:
    url: str
    keys: dict[str, str]
    services: Services
    world: World

    def get(self, path: str, key: str | None = None, accept: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        if accept is not None:
            headers["Accept"] = accept
        return httpx.get(self.url + path, headers=headers, timeout=600)

    def post(self, path: str, body: object, key: str) -> httpx.Response:
        return httpx.post(self.url + path, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=600)

    def scrape(self) -> Samples:
        r = self.get("/metrics", SCRAPE_TOKEN)
        assert r.status_code == 200, r.text
        return parse(r.text)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monitored]:
    """The fixture corpus served with the real model (no LLM factory: the process's embedded llama.cpp)."""
    world = injected_world(tmp_path_factory.mktemp("metrics"))
    settings = world.settings.model_copy(update={"metrics_token": SCRAPE_TOKEN})
    services = Services(settings, registry=world.registry, store=world.store)
    accounts = Accounts.from_settings(settings)
    keys = {"staff": accounts.add("staff1", "staff", "public"), "admin": accounts.add("admin1", "admin", "restricted")}
    server = LiveServer(create_app(settings, services, accounts, workdesk=False))
    yield Monitored(server.url, keys, services, world)
    server.stop()
    services.close()
    accounts.close()
    world.close()


# ------------------------------------------------------------------------------------------------ the scrape


@pytest.mark.models
def test_metrics_show_the_listed_series_after_a_few_questions(monitored: Monitored) -> None:
    need_model()
    m, admin, staff = monitored, monitored.keys["admin"], monitored.keys["staff"]
    before = m.scrape()
    generated = m.post("/v1/ask", {"question": GENERATED}, admin)
    refused = m.post("/v1/ask", {"question": OUTSIDE}, staff)
    quoted = m.post("/v1/ask", {"question": EXTRACTIVE, "extractive": True}, staff)
    assert [r.status_code for r in (generated, refused, quoted)] == [200, 200, 200]
    assert refused.json()["refused"] and quoted.json()["mode"] == "extractive"
    assert m.post("/v1/search", {"query": "thử việc"}, staff).status_code == 200
    hidden = next(d.id for d in m.services.list_documents(ADMIN) if d.meta.so_hieu == RESTRICTED_NUMBER)
    assert m.get(f"/v1/documents/{hidden}", staff).status_code == 404  # above the staff member's clearance
    assert m.get("/v1/documents").status_code == 401
    response = m.get("/metrics", admin)
    assert response.headers["content-type"].startswith("text/plain")
    after = parse(response.text)

    http = "http_server_request_duration_seconds_count"
    assert (
        delta(after, before, http, http_route="/v1/ask", http_request_method="POST", http_response_status_code="200")
        >= 3
    )
    assert delta(after, before, http, http_route="/v1/documents", http_response_status_code="401") >= 1
    assert delta(after, before, http, http_route="/v1/documents/{doc_id}", http_response_status_code="404") >= 1
    assert total(after, "http_server_active_requests") >= 1  # the scrape itself is in progress

    chat = {"gen_ai_operation_name": "chat", "gen_ai_request_model": LLM_MODEL}
    calls = delta(after, before, "gen_ai_client_operation_duration_seconds_count", **chat, error_type="")
    generation_s = delta(after, before, "gen_ai_client_operation_duration_seconds_sum", **chat, error_type="")
    assert calls >= 1 and generation_s > 0
    first = delta(after, before, "gen_ai_server_time_to_first_token_seconds_count", **chat)
    first_s = delta(after, before, "gen_ai_server_time_to_first_token_seconds_sum", **chat)
    assert 1 <= first <= calls and 0 < first_s < generation_s
    prompt = delta(after, before, "gen_ai_client_token_usage_sum", **chat, gen_ai_token_type="input")
    output = delta(after, before, "gen_ai_client_token_usage_sum", **chat, gen_ai_token_type="output")
    assert prompt > 100 and output >= 1  # the prompt holds whole articles; the answer at least one token
    assert delta(after, before, "gen_ai_retrieval_duration_seconds_count", gen_ai_operation_name="retrieval") >= 4

    answers = "kho_answers_total"
    assert delta(after, before, answers) >= 3
    assert delta(after, before, answers, mode="generative", outcome="refused", reason="no_evidence") >= 1
    assert delta(after, before, answers, mode="extractive", outcome="verified", reason="") >= 1
    assert delta(after, before, "kho_answer_time_to_first_token_seconds_count", mode="generative") >= 1
    assert delta(after, before, "kho_answer_duration_seconds_count") >= 3
    assert total(after, "kho_llm_queue_requests", state="waiting") == 0  # nothing generating any more
    assert total(after, "kho_llm_queue_requests", state="running") == 0
    assert ("kho_llm_queue_requests", frozenset({("state", "running")})) in after

    size = m.services.index_size()
    assert total(after, "kho_index_documents") == size["documents"] == len(m.services.list_documents(ADMIN))
    assert total(after, "kho_index_points") == size["points"] > 0
    assert total(after, "process_resident_memory_bytes") > 0

    ids = {d.id for d in m.services.list_documents(ADMIN)}
    values = {v for _, labels in after for _, v in labels}
    assert not any(i in v for i in ids for v in values), "a document id reached a label"
    assert not any("viên chức" in v or "bóng đá" in v for v in values), "a question reached a label"


def test_metrics_need_an_administrator_or_the_scrape_token(monitored: Monitored) -> None:
    m = monitored
    anonymous = m.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert "gen_ai" not in anonymous.text
    assert m.get("/metrics", "not-the-token").status_code == 401
    assert m.get("/metrics", m.keys["staff"]).status_code == 403  # a user, but not an administrator
    admin = m.get("/metrics", m.keys["admin"])
    assert admin.status_code == 200 and "http_server_request_duration_seconds" in admin.text
    assert m.get("/metrics", SCRAPE_TOKEN).status_code == 200
    assert m.get("/v1/documents", SCRAPE_TOKEN).status_code == 401  # the scrape token opens nothing else


def test_metrics_speak_openmetrics_when_the_scraper_asks(monitored: Monitored) -> None:
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    r = monitored.get("/metrics", SCRAPE_TOKEN, accept=accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/openmetrics-text")
    assert r.text.rstrip().endswith("# EOF") and "# UNIT http_server_request_duration_seconds seconds" in r.text


# ------------------------------------------------------------------------------------------------ readiness


@pytest.mark.models
def test_readyz_is_ready_with_the_index_open_and_the_model_fetched(monitored: Monitored) -> None:
    need_model()
    r = monitored.get("/readyz")  # no credentials: a probe
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"index": "ok", "model": "ok"}, "failing": []}
    assert monitored.get("/healthz").json() == {"status": "ok"}


def serve(settings: Settings, services: Services) -> tuple[LiveServer, Accounts]:
    accounts = Accounts.from_settings(settings)
    accounts.add("admin1", "admin", "restricted")  # not development mode: the probes must be open anyway
    return LiveServer(create_app(settings, services, accounts, workdesk=False)), accounts


def test_readyz_names_the_index_when_there_is_none(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    services = Services(settings, llm_factory=EchoLLM)  # a stand-in model, always ready: only the index fails
    server, accounts = serve(settings, services)
    try:
        r = httpx.get(server.url + "/readyz", timeout=60)
        assert r.status_code == 503
        assert r.json() == {"status": "not_ready", "checks": {"index": "fail", "model": "ok"}, "failing": ["index"]}
        assert httpx.get(server.url + "/healthz", timeout=60).status_code == 200  # alive, only not ready
    finally:
        server.stop()
        services.close()
        accounts.close()


def test_readyz_names_the_model_when_its_server_is_down(monitored: Monitored, tmp_path: Path) -> None:
    """A model server (KHO_LLM_URL) that refuses connections: the model check fails, without its address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world = monitored.world
    settings = world.settings.model_copy(update={"llm_url": f"http://127.0.0.1:{port}/v1", "data_dir": tmp_path})
    services = Services(settings, registry=world.registry, store=world.store)
    server, accounts = serve(settings, services)
    try:
        r = httpx.get(server.url + "/readyz", timeout=60)
        assert r.status_code == 503 and r.json()["failing"] == ["model"]
        assert r.json()["checks"] == {"index": "ok", "model": "fail"}
        assert str(port) not in r.text and str(tmp_path) not in r.text
    finally:
        server.stop()
        services.close()
        accounts.close()


# ------------------------------------------------------------------------------------------------ the middleware


def test_route_labels_are_templates_and_the_workdesk_is_collapsed() -> None:
    """A small app shaped like ours: an API route with an id in its path, and an app mounted at / (the workdesk)
    answering Gradio-like paths. Ids and asset names never become labels."""
    router = APIRouter()

    @router.get("/v1/documents/{doc_id}")
    def document(doc_id: str) -> dict[str, str]:
        return {"id": doc_id}

    def page(request: object) -> PlainTextResponse:
        return PlainTextResponse("workdesk")

    app = FastAPI()
    app.include_router(router)
    app.router.routes.append(Mount("/", routes=[Route("/{path:path}", page)]))
    app.add_middleware(HttpMetrics)
    server = LiveServer(app)
    try:
        paths = ["/v1/documents/doc-7f3a9e", "/gradio_api/queue/data?session_hash=s3cr3t", "/assets/index-5e1d.js"]
        before = parse_registry()
        for p in paths:
            assert httpx.get(server.url + p, timeout=60).status_code == 200
    finally:
        server.stop()
    # read once the server has stopped: a request is recorded after its last chunk is sent, so the client can have
    # the response before the count lands (seen once on a loaded machine: the last path's count still 0)
    after = parse_registry()
    name = "http_server_request_duration_seconds_count"
    for route in ("/v1/documents/{doc_id}", GRADIO_GROUPS[0][1], WORKDESK_ROUTE):
        assert delta(after, before, name, http_route=route, http_response_status_code="200") == 1, route
    values = {v for _, labels in after for _, v in labels}
    assert not any(secret in v for v in values for secret in ("doc-7f3a9e", "s3cr3t", "index-5e1d"))


def parse_registry() -> Samples:
    from prometheus_client import generate_latest

    return parse(generate_latest(metrics.REGISTRY).decode())


def test_the_middleware_passes_each_chunk_on_at_once_and_counts_a_crash_as_500() -> None:
    """Streaming is not buffered: the client has each chunk before the app writes the next (the order of events
    proves it, no clock involved). A request that raises before answering is counted as a 500."""
    events: list[str] = []

    async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(3):
            await send({"type": "http.response.body", "body": f"chunk{i}".encode(), "more_body": i < 2})
            events.append(f"app wrote chunk{i}")

    async def client(message: Message) -> None:
        if message["type"] == "http.response.body":
            events.append(f"client got {message['body'].decode()}")

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/stream", "headers": [], "app": FastAPI()}
    asyncio.run(HttpMetrics(streaming)(scope, receive, client))
    assert events == [e for i in range(3) for e in (f"client got chunk{i}", f"app wrote chunk{i}")]

    async def crashing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    before = parse_registry()
    with pytest.raises(RuntimeError):
        asyncio.run(HttpMetrics(crashing)({**scope, "path": "/crash"}, receive, client))
    after = parse_registry()
    name = "http_server_request_duration_seconds_count"
    assert delta(after, before, name, http_route="other", http_response_status_code="500") == 1


def test_a_model_call_is_measured_with_its_error_type() -> None:
    """`Generation`: a failed call counts its duration under the exception's name and no tokens."""
    labels = {"gen_ai_operation_name": "chat", "gen_ai_request_model": "test-failing-model"}
    with pytest.raises(TimeoutError), metrics.Generation("test-failing-model") as g:
        g.text("Xin")
        raise TimeoutError
    after = parse_registry()
    assert total(after, "gen_ai_client_operation_duration_seconds_count", **labels, error_type="TimeoutError") == 1
    assert total(after, "gen_ai_client_token_usage_count", **labels) == 0
    assert total(after, "gen_ai_server_time_to_first_token_seconds_count", **labels) == 0  # successful calls only
