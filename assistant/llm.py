"""The assistant's LLM: one small streaming interface over embedded llama.cpp or an OpenAI-compatible server.

`get_llm()` picks the backend from the settings: with `KHO_LLM_URL` set, `OpenAICompatBackend` talks to that
server (vLLM, llama.cpp server, the embedded server of another process) over `/v1/chat/completions` with SSE
streaming; without it, the process-wide `LlamaCppBackend` runs the verified Qwen2.5-Coder-1.5B-Instruct Q4_K_M
GGUF in-process through `xllamacpp` (loaded lazily, once). Both yield text deltas as the model produces them and
turn every failure (server down, timeout, HTTP error, model not fetched) into `LLMError` with a message that
says what to do.

>>> GenerationConfig().max_tokens, GenerationConfig().temperature
(384, 0.0)
>>> ChatMessage("user", "Xin chào").as_dict()
{'role': 'user', 'content': 'Xin chào'}
"""

from __future__ import annotations

import json
import math
import os
import queue
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import httpx

from core.metrics import Generation, llm_slot
from core.models import ModelError, model_path
from core.settings import Settings, get_settings

LLM_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
READY_TIMEOUT_S = 2.0  # a model server that takes longer to list its models is not ready for questions
READY_CACHE_S = 5.0  # how long a server's readiness answer is reused
ROLES = frozenset({"system", "user", "assistant"})


class LLMError(RuntimeError):
    """Generation failed (server unreachable, timeout, HTTP error, model missing); the message says what to do."""


class Cut(str):
    """The last thing a stream yields when the model stopped at `max_tokens` rather than at its own end: no text,
    and its type says the answer stops where the limit fell — its last sentence may be unfinished ("… thì cũng").

    >>> "".join(["Viên chức", Cut()]), isinstance(Cut(), str)
    ('Viên chức', True)
    """

    def __new__(cls) -> Cut:
        return super().__new__(cls, "")


@dataclass(frozen=True)
class ChatMessage:
    """One chat turn; `role` is system, user or assistant."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}, got {self.role!r}")

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerationConfig:
    """Sampling and limits for one generation; temperature 0 is greedy (deterministic)."""

    max_tokens: int = 384
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    timeout_s: float = 120.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")


class LLMBackend(Protocol):
    """What the assistant needs from an LLM. Subclass it explicitly to inherit `complete` from `stream`."""

    name: str

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        """Yield the answer's text deltas as they are generated, then `Cut()` if `max_tokens` ended it; raises
        `LLMError`."""
        ...

    def complete(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> str:
        """The whole answer (the streamed deltas joined)."""
        return "".join(self.stream(messages, config))

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        """The probability the model gives each label as its next token (see `label_mass`); raises `LLMError`."""
        ...

    def ready(self) -> bool:
        """Whether the model can answer now, found out cheaply (`/readyz` asks on every probe); a backend that
        cannot tell is taken as ready."""
        return True


def _request_body(messages: Sequence[ChatMessage], config: GenerationConfig) -> dict[str, Any]:
    """The OpenAI chat-completions request both backends send (`stream` on)."""
    body: dict[str, Any] = {
        "messages": [m.as_dict() for m in messages],
        "max_tokens": config.max_tokens,
        "temperature": config.temperature,
        "seed": config.seed,
        "stream": True,
        "stream_options": {"include_usage": True},  # the last chunk carries the token counts (core.metrics)
    }
    if config.stop:
        body["stop"] = list(config.stop)
    return body


TOP_LOGPROBS = 20  # vLLM's default max_logprobs


def _label_body(messages: Sequence[ChatMessage], labels: Sequence[str]) -> dict[str, Any]:
    """The request for one next-token distribution: greedy, one token, the top log-probabilities."""
    if not labels:
        raise ValueError("labels must not be empty")
    return {
        "messages": [m.as_dict() for m in messages],
        "max_tokens": 1,
        "temperature": 0.0,
        "seed": 0,
        "stream": False,
        "logprobs": True,
        "top_logprobs": TOP_LOGPROBS,
    }


def label_mass(top: Sequence[dict[str, Any]], labels: Sequence[str]) -> dict[str, float]:
    """Probability mass on each label among one position's top tokens.

    A token counts for a label when, stripped and casefolded, it is a non-empty prefix of that label alone
    ("Đ", "Đúng" and " Đúng" all count for "Đúng"); a token that could begin two labels counts for neither.

    >>> top = [{"token": "S", "logprob": -0.5}, {"token": " Sai", "logprob": -3.0}, {"token": "Đ", "logprob": -1.2}]
    >>> {k: round(v, 3) for k, v in label_mass(top, ["Đúng", "Sai"]).items()}
    {'Đúng': 0.301, 'Sai': 0.656}
    """
    mass = dict.fromkeys(labels, 0.0)
    folded = {label: label.casefold() for label in labels}
    for entry in top:
        token = str(entry.get("token", "")).strip().casefold()
        if not token:
            continue
        owners = [label for label, f in folded.items() if f.startswith(token)]
        if len(owners) == 1:
            mass[owners[0]] += math.exp(float(entry["logprob"]))
    return mass


def _top_logprobs(response: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The first generated position's top log-probabilities of a non-streamed chat completion."""
    if "error" in response:
        raise LLMError(f"{source} refused the request: {response['error']}")
    try:
        content = response["choices"][0]["logprobs"]["content"]
        return list(content[0]["top_logprobs"]) if content else []
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"{source} returned no logprobs (does it support `logprobs`/`top_logprobs`?)") from exc


def _cut(chunk: dict[str, Any]) -> bool:
    """Whether an OpenAI `chat.completion.chunk` says the generation stopped at its token limit."""
    choices = chunk.get("choices") or [{}]
    return bool(choices[0].get("finish_reason") == "length")


def _delta(chunk: dict[str, Any], source: str) -> str:
    """The text of one OpenAI `chat.completion.chunk` (empty for role/finish chunks); an error chunk raises."""
    if "error" in chunk:
        err = chunk["error"]
        message = err.get("message", err) if isinstance(err, dict) else err
        raise LLMError(f"{source} refused the request: {message}")
    choices = chunk.get("choices") or [{}]
    content = (choices[0].get("delta") or {}).get("content")
    return content if isinstance(content, str) else ""


# ------------------------------------------------------------------------------------------- embedded llama.cpp


class LlamaCppBackend(LLMBackend):
    """llama.cpp in this process through `xllamacpp`: the GGUF is loaded on first use, once, then reused.

    Streaming is real: `Server.handle_chat_completions(body, callback)` calls the callback with one
    `chat.completion.chunk` dict per token on the calling thread, so generation runs in a worker thread that
    feeds a queue which `stream` drains. A lock serialises generations; closing the iterator early (or running
    past `timeout_s`) makes the callback return True, which stops llama.cpp at its next token (a prompt still
    being read is finished first: llama.cpp calls back only per generated token). The model's own chat template
    (Jinja, from the GGUF) formats the messages. xllamacpp's `Server` also listens on 127.0.0.1 at a free
    port (`listening_address`) with an OpenAI-compatible HTTP API, protected by a random `api_key`.
    """

    def __init__(
        self,
        model: Path | None = None,
        *,
        settings: Settings | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
    ) -> None:
        self.name = f"llama.cpp:{LLM_MODEL}"
        self._model = model
        self._settings = settings
        self._n_ctx = n_ctx
        self._n_threads = n_threads or os.cpu_count() or 1
        self.api_key = secrets.token_urlsafe(16)
        self._server: Any = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()

    def _load(self) -> Any:
        with self._load_lock:
            if self._server is None:
                import xllamacpp

                try:
                    path = self._model or model_path(LLM_MODEL, self._settings)
                except ModelError as exc:
                    raise LLMError(f"embedded LLM unavailable: {exc} (or set KHO_LLM_URL to a server)") from exc
                params = xllamacpp.CommonParams()
                params.model.path = str(path)
                params.model_alias = {LLM_MODEL}
                params.n_ctx = self._n_ctx
                params.cpuparams.n_threads = self._n_threads
                params.cpuparams_batch.n_threads = self._n_threads
                params.api_keys = [self.api_key]
                params.verbosity = -1  # llama.cpp logs nothing but errors
                params.warmup = False
                try:
                    self._server = xllamacpp.Server(params)
                except Exception as exc:  # the extension raises plain RuntimeError/ValueError
                    raise LLMError(f"llama.cpp could not load {path}: {exc}") from exc
            return self._server

    def ready(self) -> bool:
        """Loaded already, or its GGUF fetched and verified: a stat of the file against its marker
        (`core.models.model_path`); the 1 GB model is never loaded to find out."""
        if self._server is not None:
            return True
        if self._model is not None:
            return self._model.is_file()
        try:
            model_path(LLM_MODEL, self._settings)
        except ModelError:
            return False
        return True

    @property
    def listening_address(self) -> str:
        """The embedded server's HTTP address (`http://127.0.0.1:<port>`); loads the model."""
        return str(self._load().listening_address)

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        with Generation(LLM_MODEL) as measured:  # the first call's model load counts: the user waits for it
            yield from self._stream(messages, config, measured)

    def _stream(self, messages: Sequence[ChatMessage], config: GenerationConfig, measured: Generation) -> Iterator[str]:
        server = self._load()
        body = _request_body(messages, config)
        chunks: queue.Queue[dict[str, Any] | BaseException | None] = queue.Queue()
        cancel = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            chunks.put(chunk)
            return cancel.is_set()  # True stops llama.cpp

        def generate() -> None:
            try:
                with llm_slot(self._generate_lock):
                    if not cancel.is_set():
                        server.handle_chat_completions(body, on_chunk)
            except BaseException as exc:  # handed to the consumer, raised there
                chunks.put(exc)
            finally:
                chunks.put(None)

        deadline = time.monotonic() + config.timeout_s
        # Not a daemon: a daemon thread killed inside llama.cpp at interpreter exit aborts the process ("FATAL:
        # exception not rethrown"). A cancelled worker ends at its next token, so exit waits at most that long.
        threading.Thread(target=generate, name="kho-llm", daemon=False).start()
        cut = False
        try:
            while True:
                try:
                    item = chunks.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise LLMError(
                        f"embedded llama.cpp did not finish within timeout_s={config.timeout_s:g} s "
                        "(including any wait for another generation); raise the timeout or lower max_tokens"
                    ) from None
                if item is None:
                    if cut:
                        yield Cut()
                    return
                if isinstance(item, BaseException):
                    raise LLMError(f"embedded llama.cpp failed: {item}") from item
                text = _delta(item, "embedded llama.cpp")
                cut = cut or _cut(item)
                measured.text(text)
                measured.usage(item.get("usage"))
                if text:
                    yield text
        finally:
            cancel.set()

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        server = self._load()
        body = _label_body(messages, labels)
        responses: list[dict[str, Any]] = []

        def keep(response: dict[str, Any]) -> bool:
            responses.append(response)
            return False

        # One call, one response (not streamed); llama.cpp keeps the prompt's KV cache, so a second request that
        # shares the prefix (same context, another statement) only reads its new tokens.
        try:
            with Generation(LLM_MODEL) as measured, llm_slot(self._generate_lock):
                server.handle_chat_completions(body, keep)
                measured.usage(responses[-1].get("usage") if responses else None)
        except Exception as exc:  # the extension raises plain RuntimeError/ValueError
            raise LLMError(f"embedded llama.cpp failed: {exc}") from exc
        if not responses:
            raise LLMError("embedded llama.cpp returned nothing for a logprobs request")
        return label_mass(_top_logprobs(responses[-1], "embedded llama.cpp"), labels)


# ------------------------------------------------------------------------------------- OpenAI-compatible server


class OpenAICompatBackend(LLMBackend):
    """Any OpenAI-compatible `/v1/chat/completions` server, streamed over SSE with httpx.

    `url` is the server root (a trailing `/v1` is accepted). `model` defaults to the first id that
    `GET /v1/models` lists, looked up once. `timeout_s` bounds connecting and each read (the wait for the next
    streamed chunk), not the whole answer.
    """

    def __init__(self, url: str, api_key: str | None = None, model: str | None = None) -> None:
        self.url = url.rstrip("/").removesuffix("/v1")
        self.name = f"openai-compat:{self.url}"
        self._model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.url, headers=headers)
        self._ready: tuple[float, bool] | None = None  # (monotonic time asked, answer)

    def ready(self) -> bool:
        """`GET /v1/models` answers 2xx with JSON within `READY_TIMEOUT_S`; the answer is reused for `READY_CACHE_S`
        so that frequent probes (several load balancers, Kubernetes) do not load the model server."""
        now = time.monotonic()
        if self._ready is not None and now - self._ready[0] < READY_CACHE_S:
            return self._ready[1]
        try:
            response = self._client.get("/v1/models", timeout=READY_TIMEOUT_S)
            ok = response.is_success and isinstance(response.json(), dict)
        except (httpx.HTTPError, ValueError):
            ok = False
        self._ready = (time.monotonic(), ok)
        return ok

    def _fail(self, exc: httpx.HTTPError, timeout_s: float) -> LLMError:
        """The `LLMError` for one httpx failure, naming the server and what to do."""
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(
                f"LLM server at {self.url} did not answer within timeout_s={timeout_s:g} s "
                f"({type(exc).__name__}); raise GenerationConfig.timeout_s or check the server's load"
            )
        if isinstance(exc, httpx.ConnectError):
            reason = "connection refused" if "refused" in str(exc).lower() else str(exc) or type(exc).__name__
            return LLMError(
                f"LLM server at {self.url} is not reachable ({reason}); start it (make serve-llm) or unset KHO_LLM_URL"
            )
        if isinstance(exc, httpx.HTTPStatusError):
            response = exc.response
            try:
                excerpt = response.text[:300]
            except httpx.ResponseNotRead:  # a streamed response whose body was not read before it closed
                excerpt = "(body not read)"
            return LLMError(
                f"LLM server at {self.url} answered HTTP {response.status_code} to {response.request.url.path}: "
                f"{excerpt}"
            )
        return LLMError(f"LLM server at {self.url} failed: {type(exc).__name__}: {exc}")

    def model_id(self, timeout_s: float = 30.0) -> str:
        """The model to request: the one given, else the first id of `GET /v1/models` (cached)."""
        if self._model is None:
            try:
                response = self._client.get("/v1/models", timeout=timeout_s)
                response.raise_for_status()
                models = response.json().get("data") or []
            except httpx.HTTPError as exc:
                raise self._fail(exc, timeout_s) from exc
            except ValueError as exc:
                raise LLMError(f"LLM server at {self.url} sent /v1/models that is not JSON: {exc}") from exc
            if not models:
                raise LLMError(f"LLM server at {self.url} lists no models at /v1/models; pass model= explicitly")
            self._model = str(models[0]["id"])
        return self._model

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        body = {"model": self.model_id(config.timeout_s), **_request_body(messages, config)}
        with Generation(str(body["model"])) as measured, llm_slot():
            yield from self._stream(body, config, measured)

    def _stream(self, body: dict[str, Any], config: GenerationConfig, measured: Generation) -> Iterator[str]:
        source = f"LLM server at {self.url}"
        cut = False
        try:
            with self._client.stream("POST", "/v1/chat/completions", json=body, timeout=config.timeout_s) as resp:
                if resp.is_error:
                    resp.read()  # for the error message's body excerpt; the stream closes with this block
                    resp.raise_for_status()
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, `: ping` comments, `event:`/`id:` fields
                    payload = line[len("data:") :].strip()
                    if payload == "[DONE]":
                        break
                    try:
                        chunk = json.loads(payload)
                    except ValueError as exc:
                        raise LLMError(f"{source} sent a malformed SSE event: {payload[:200]!r}") from exc
                    text = _delta(chunk, source)
                    cut = cut or _cut(chunk)
                    measured.text(text)
                    measured.usage(chunk.get("usage"))
                    if text:
                        yield text
        except httpx.HTTPError as exc:
            raise self._fail(exc, config.timeout_s) from exc
        if cut:
            yield Cut()

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        body = {"model": self.model_id(timeout_s), **_label_body(messages, labels)}
        source = f"LLM server at {self.url}"
        try:
            with Generation(str(body["model"])) as measured, llm_slot():
                response = self._client.post("/v1/chat/completions", json=body, timeout=timeout_s)
                response.raise_for_status()
                data = response.json()
                measured.usage(data.get("usage") if isinstance(data, dict) else None)
        except httpx.HTTPError as exc:
            raise self._fail(exc, timeout_s) from exc
        except ValueError as exc:
            raise LLMError(f"{source} sent a response that is not JSON: {exc}") from exc
        return label_mass(_top_logprobs(data, source), labels)


# ------------------------------------------------------------------------------------------- registry / factory


@lru_cache(maxsize=4)
def _embedded(cache_dir: Path) -> LlamaCppBackend:
    """The process-wide embedded backend for one model cache (nothing loads until it generates)."""
    return LlamaCppBackend(settings=Settings(cache_dir=cache_dir))


@lru_cache(maxsize=8)
def _server(url: str, api_key: str | None) -> OpenAICompatBackend:
    return OpenAICompatBackend(url, api_key)


def get_llm(settings: Settings | None = None) -> LLMBackend:
    """The configured LLM: the `KHO_LLM_URL` server when set, else embedded llama.cpp (one per process)."""
    settings = settings or get_settings()
    if settings.llm_url:
        return _server(settings.llm_url, settings.llm_api_key)
    return _embedded(settings.cache_dir)
