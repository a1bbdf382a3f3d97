"""The LLM backends: embedded llama.cpp (real GGUF), the OpenAI-compatible client against the real llama.cpp HTTP
server that xllamacpp starts in-process, and the client's failure modes (server down, timeout, HTTP error) against
a tiny fake server.

Real generations: three in all (embedded stream, embedded complete, HTTP stream), each a few tokens.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.llm import (
    LLM_MODEL,
    ChatMessage,
    GenerationConfig,
    LlamaCppBackend,
    LLMError,
    OpenAICompatBackend,
    get_llm,
)
from core.models import ModelError, model_path
from core.settings import Settings

QUESTION = [
    ChatMessage("system", "Bạn là trợ lý pháp lý. Trả lời bằng tiếng Việt."),
    ChatMessage(
        "user",
        "Câu sau đúng hay sai: 'Hà Nội là thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam.' "
        "Chỉ trả lời đúng một từ: Đúng hoặc Sai.",
    ),
]
SHORT = GenerationConfig(max_tokens=8, timeout_s=120.0)


# ------------------------------------------------------------------------------------------------ real model


@pytest.fixture(scope="module")
def embedded() -> LlamaCppBackend:
    """One embedded backend for the module (the GGUF loads once, ~5 s); skips when the weights are not fetched."""
    try:
        model_path(LLM_MODEL)
    except ModelError as exc:
        pytest.skip(f"needs the LLM weights (make models): {exc}")
    return LlamaCppBackend()


@pytest.mark.models
def test_embedded_answers_in_vietnamese_and_streams(embedded: LlamaCppBackend) -> None:
    """xllamacpp streams through a per-chunk callback, so more than one delta must arrive (e.g. 'Đ', 'úng')."""
    deltas = list(embedded.stream(QUESTION, SHORT))
    text = "".join(deltas)
    assert "Đúng" in text or "Sai" in text, text
    assert len(deltas) > 1, deltas
    # Temperature 0 is greedy: the same question gives the same answer through `complete`.
    assert embedded.complete(QUESTION, SHORT) == text


@pytest.mark.models
def test_openai_compat_streams_from_real_llamacpp_server(embedded: LlamaCppBackend) -> None:
    """A real OpenAI-compatible server: the llama.cpp HTTP server that xllamacpp's `Server` listens with."""
    client = OpenAICompatBackend(embedded.listening_address + "/v1", api_key=embedded.api_key)
    assert client.model_id() == LLM_MODEL  # discovered from GET /v1/models
    deltas = list(client.stream(QUESTION, SHORT))
    assert len(deltas) > 1, deltas
    assert "".join(deltas) == embedded.complete(QUESTION, SHORT)


@pytest.mark.models
def test_label_probabilities_come_from_the_model_and_agree_over_http(embedded: LlamaCppBackend) -> None:
    """The judge's primitive: next-token mass on each label, the same in-process and through the HTTP API."""
    here = embedded.label_probs(QUESTION, ("Đúng", "Sai"))
    assert 0.5 < here["Đúng"] + here["Sai"] <= 1.0 + 1e-6, here  # the prompt asks for one of the two
    assert here["Đúng"] > here["Sai"], here  # Hà Nội is the capital
    client = OpenAICompatBackend(embedded.listening_address, api_key=embedded.api_key)
    there = client.label_probs(QUESTION, ("Đúng", "Sai"))
    assert there == pytest.approx(here, abs=1e-3)


@pytest.mark.models
def test_embedded_server_requires_its_api_key(embedded: LlamaCppBackend) -> None:
    client = OpenAICompatBackend(embedded.listening_address, api_key="wrong")
    with pytest.raises(LLMError, match="HTTP 401"):
        client.model_id()


# ------------------------------------------------------------------------------------------------ fake server


class _FakeOpenAI(BaseHTTPRequestHandler):
    """A fake OpenAI-compatible server, for what a real one will not do on demand: stall, fail.

    `/v1/models` lists `fake-model`; chat completions stream "Xin " + "chào" as SSE (finished for "length" when
    `max_tokens` is 1, else "stop"), or, by the request's `model`, sleep past the client's timeout (`slow`) or
    answer HTTP 500 (`broken`).
    """

    requests: list[dict[str, object]] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model", "object": "model"}]}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if body["model"] == "slow":
            time.sleep(2.0)
        if body["model"] == "broken":
            self._send(500, b'{"error": "model exploded"}')
            return
        events = [
            {"choices": [{"index": 0, "delta": {"role": "assistant"}}]},
            {"choices": [{"index": 0, "delta": {"content": "Xin "}}]},
            {"choices": [{"index": 0, "delta": {"content": "chào"}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "length" if body["max_tokens"] == 1 else "stop"}]},
        ]
        stream = ": ping\n\n" + "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        try:
            self._send(200, stream.encode(), "text/event-stream")
        except OSError:
            pass  # the client gave up (timeout test)


@pytest.fixture
def fake_server() -> Iterator[str]:
    _FakeOpenAI.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sse_parsing_and_model_discovery_on_fake_server(fake_server: str) -> None:
    """Runs without weights: deltas join to the full text, the model comes from /v1/models, the body is OpenAI's."""
    client = OpenAICompatBackend(fake_server)
    config = GenerationConfig(max_tokens=5, stop=("\n\n",))
    assert list(client.stream([ChatMessage("user", "chào")], config)) == ["Xin ", "chào"]
    assert client.complete([ChatMessage("user", "chào")], config) == "Xin chào"
    sent = _FakeOpenAI.requests[0]
    assert sent["model"] == "fake-model" and sent["stream"] is True
    assert sent["max_tokens"] == 5 and sent["temperature"] == 0.0 and sent["stop"] == ["\n\n"]


def test_server_down_names_url_and_fix() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(LLMError) as info:
        list(OpenAICompatBackend(url).stream([ChatMessage("user", "chào")], GenerationConfig(timeout_s=5)))
    message = str(info.value)
    assert url in message and "not reachable" in message and "connection refused" in message
    assert "make serve-llm" in message and "KHO_LLM_URL" in message


def test_timeout_is_an_llm_error_naming_the_timeout(fake_server: str) -> None:
    client = OpenAICompatBackend(fake_server, model="slow")
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"timeout_s=0\.3 s") as info:
        client.complete([ChatMessage("user", "chào")], GenerationConfig(timeout_s=0.3))
    assert fake_server in str(info.value)
    assert time.monotonic() - started < 1.5


def test_http_error_shows_status_and_body(fake_server: str) -> None:
    client = OpenAICompatBackend(fake_server, model="broken")
    with pytest.raises(LLMError, match=r"HTTP 500 to /v1/chat/completions: .*model exploded"):
        client.complete([ChatMessage("user", "chào")], GenerationConfig())


def test_get_llm_picks_server_or_embedded() -> None:
    remote = get_llm(Settings(llm_url="http://127.0.0.1:9/v1", llm_api_key="k"))
    assert isinstance(remote, OpenAICompatBackend) and remote.url == "http://127.0.0.1:9"
    local = get_llm(Settings(llm_url=None))
    assert isinstance(local, LlamaCppBackend)
    assert get_llm(Settings(llm_url=None)) is local  # one per process; nothing loaded yet
