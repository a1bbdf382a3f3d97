"""The service's Prometheus metrics, defined once: what `/metrics` shows (ui/observability.py serves them).

Names follow the OpenTelemetry semantic conventions where one exists, written the Prometheus way (dots become
underscores, the unit a suffix): `http.server.request.duration` (s) is `http_server_request_duration_seconds`,
`gen_ai.client.token.usage` ({token}) is `gen_ai_client_token_usage`; the attributes become labels the same way
(`http.route` → `http_route`). Our own series (answers, the model's queue, the index) are prefixed `kho_`.

Every metric lives on `REGISTRY`, this module's own `CollectorRegistry` rather than prometheus_client's global one,
so a library that registers metrics of its own cannot collide with ours or leak into the scrape. Label values are
always drawn from small fixed sets (route templates, modes, outcomes, model names): never an id, a path with an
id in it, a question or a user.

The recording helpers keep instrumentation out of the logic's way: `Generation` measures one model call,
`llm_slot` counts a generation waiting for / holding the model, `timed` times a block into a histogram.

>>> with timed(RETRIEVAL_DURATION, gen_ai_operation_name="retrieval"):
...     pass
>>> REGISTRY.get_sample_value(
...     "gen_ai_retrieval_duration_seconds_count", {"gen_ai_operation_name": "retrieval", "error_type": ""}
... ) >= 1
True
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

# No `<name>_created` sample beside every counter and histogram: it doubles the series and Prometheus (< 3)
# stores it as a series of its own; the process start time (process_start_time_seconds) tells when counting began.
disable_created_metrics()
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total, …
PlatformCollector(registry=REGISTRY)  # python_info

# OTel's advice for http.server.request.duration, plus 30 s – 5 min: a generated answer on the CPU model takes
# 20-40 s, more while other users' generations are queued (KHO_LLM_TIMEOUT_S defaults to 300 s).
OTEL_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
HTTP_BUCKETS = OTEL_HTTP_BUCKETS + (30.0, 60.0, 120.0, 300.0)
# OTel's advice for gen_ai.client.operation.duration and gen_ai.server.time_to_first_token (0.01 s doubling to
# 81.92 s), two doublings more for the same reason.
GENAI_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68)
# OTel's advice for gen_ai.client.token.usage (powers of 4), up to 64 Ki tokens: the model's context is 4 Ki.
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536)
# Retrieval is milliseconds on a small index and up to seconds with the dense embedder on a cold CPU.
RETRIEVAL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# -- HTTP (OTel http.server.*) -----------------------------------------------------------------------------------
HTTP_REQUEST_DURATION = Histogram(
    "http_server_request_duration",
    "Duration of HTTP server requests (OTel http.server.request.duration), by route template and status; a "
    "streamed response counts until its last byte",
    ["http_request_method", "http_route", "http_response_status_code"],
    unit="seconds",
    buckets=HTTP_BUCKETS,
    registry=REGISTRY,
)
HTTP_ACTIVE_REQUESTS = Gauge(
    "http_server_active_requests",
    "HTTP server requests in progress (OTel http.server.active_requests), open event streams included",
    ["http_request_method"],
    registry=REGISTRY,
)

# -- the language model (OTel gen_ai.*) --------------------------------------------------------------------------
GENAI_OPERATION_DURATION = Histogram(
    "gen_ai_client_operation_duration",
    "Duration of one call to the language model (OTel gen_ai.client.operation.duration), waiting for the model "
    "included; error_type is empty for a successful call",
    ["gen_ai_operation_name", "gen_ai_request_model", "error_type"],
    unit="seconds",
    buckets=GENAI_BUCKETS,
    registry=REGISTRY,
)
GENAI_TIME_TO_FIRST_TOKEN = Histogram(
    "gen_ai_server_time_to_first_token",
    "From a streamed model call's start to its first generated text (OTel gen_ai.server.time_to_first_token), "
    "the wait for the model and reading the prompt included",
    ["gen_ai_operation_name", "gen_ai_request_model"],
    unit="seconds",
    buckets=GENAI_BUCKETS,
    registry=REGISTRY,
)
GENAI_TOKEN_USAGE = Histogram(
    "gen_ai_client_token_usage",
    "Tokens per successful model call (OTel gen_ai.client.token.usage), gen_ai_token_type input or output",
    ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_token_type"],
    buckets=TOKEN_BUCKETS,
    registry=REGISTRY,
)
RETRIEVAL_DURATION = Histogram(
    "gen_ai_retrieval_duration",
    "Duration of one retrieval: a hybrid/BM25/dense search of the index (OTel gen_ai.retrieval.duration)",
    ["gen_ai_operation_name", "error_type"],
    unit="seconds",
    buckets=RETRIEVAL_BUCKETS,
    registry=REGISTRY,
)
LLM_QUEUE = Gauge(
    "kho_llm_queue_requests",
    "Model calls waiting for the model (state=waiting: the embedded CPU model runs one at a time) or running on "
    "it (state=running)",
    ["state"],
    registry=REGISTRY,
)

# -- answers -----------------------------------------------------------------------------------------------------
ANSWERS = Counter(
    "kho_answers",
    "Answers given, by mode (extractive, generative, judged), outcome (verified, partially_verified, unverified, "
    "refused) and, for a refusal, its reason (no_index, no_evidence, not_verified; empty otherwise)",
    ["mode", "outcome", "reason"],
    registry=REGISTRY,
)
ANSWER_DURATION = Histogram(
    "kho_answer_duration",
    "From a question's arrival at the assistant to its verified answer, by mode",
    ["mode"],
    unit="seconds",
    buckets=GENAI_BUCKETS,
    registry=REGISTRY,
)
ANSWER_TIME_TO_FIRST_TOKEN = Histogram(
    "kho_answer_time_to_first_token",
    "From a question's arrival at the assistant to the model's first token (retrieval included), by mode",
    ["mode"],
    unit="seconds",
    buckets=GENAI_BUCKETS,
    registry=REGISTRY,
)

ANSWER_MODES = frozenset({"extractive", "generative", "judged"})
ANSWER_OUTCOMES = frozenset({"verified", "partially_verified", "unverified", "refused"})
REFUSAL_REASONS = frozenset({"no_index", "no_evidence", "not_verified"})


def observe_answer(mode: str, outcome: str, reason: str, duration_s: float, ttft_s: float | None) -> None:
    """Count one answer and its timings; a value outside the fixed sets becomes "other" (labels stay bounded)."""
    mode = mode if mode in ANSWER_MODES else "other"
    outcome = outcome if outcome in ANSWER_OUTCOMES else "other"
    reason = reason if reason in REFUSAL_REASONS or not reason else "other"
    ANSWERS.labels(mode, outcome, reason).inc()
    ANSWER_DURATION.labels(mode).observe(max(0.0, duration_s))
    if ttft_s is not None:
        ANSWER_TIME_TO_FIRST_TOKEN.labels(mode).observe(max(0.0, ttft_s))


def error_type(exc_type: type[BaseException] | None) -> str:
    """OTel's error.type: the exception's class name, empty for success (and for a stream its reader closed early,
    GeneratorExit, which is a cancellation, not a failure)."""
    if exc_type is None or issubclass(exc_type, GeneratorExit):
        return ""
    return exc_type.__name__


@contextmanager
def timed(histogram: Histogram, **labels: str) -> Iterator[None]:
    """Observe the block's duration in `histogram` under `labels` plus `error_type` (empty when it succeeds)."""
    started = time.perf_counter()
    failed: type[BaseException] | None = None
    try:
        yield
    except BaseException as exc:
        failed = type(exc)
        raise
    finally:
        histogram.labels(**labels, error_type=error_type(failed)).observe(time.perf_counter() - started)


@contextmanager
def llm_slot(lock: threading.Lock | None = None) -> Iterator[None]:
    """Hold `lock` (the model's one-at-a-time lock) for a generation: counted as waiting until it is acquired, then
    as running until released. Without a lock (a model server queues for itself) the call only counts as running."""
    if lock is not None:
        waiting = LLM_QUEUE.labels("waiting")
        waiting.inc()
        try:
            lock.acquire()
        finally:
            waiting.dec()
    running = LLM_QUEUE.labels("running")
    running.inc()
    try:
        yield
    finally:
        running.dec()
        if lock is not None:
            lock.release()


class Generation:
    """One call to the language model, measured as OTel's gen_ai metrics when the `with` block ends.

    Duration always (with `error_type` on failure); for a streamed call the time to its first text (`text`);
    for a successful call the tokens: the server's own count (`usage`, OpenAI's `usage` object) when it sent
    one, else the number of text chunks for output (OTel: "if the system returns each token independently,
    count them").

    >>> with Generation("demo-model") as g:
    ...     g.text("Xin ")
    ...     g.text("chào")
    >>> REGISTRY.get_sample_value("gen_ai_client_token_usage_sum", {
    ...     "gen_ai_operation_name": "chat", "gen_ai_request_model": "demo-model", "gen_ai_token_type": "output"}) >= 2
    True
    """

    def __init__(self, model: str, operation: str = "chat") -> None:
        self.model = model
        self.operation = operation
        self.started = 0.0
        self.first_text_s: float | None = None
        self.chunks = 0
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None

    def __enter__(self) -> Generation:
        self.started = time.perf_counter()
        return self

    def text(self, delta: str) -> None:
        """A streamed piece of generated text arrived (empty pieces are role/finish chunks and do not count)."""
        if not delta:
            return
        if self.first_text_s is None:
            self.first_text_s = time.perf_counter() - self.started
        self.chunks += 1

    def usage(self, usage: object) -> None:
        """The server's token count, OpenAI's `{"prompt_tokens": …, "completion_tokens": …}`; anything else is
        ignored."""
        if not isinstance(usage, dict):
            return
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(prompt, int) and prompt >= 0:
            self.input_tokens = prompt
        if isinstance(completion, int) and completion >= 0:
            self.output_tokens = completion

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        failed = error_type(exc_type)
        elapsed = time.perf_counter() - self.started
        GENAI_OPERATION_DURATION.labels(self.operation, self.model, failed).observe(elapsed)
        if failed:
            return
        if self.first_text_s is not None:
            GENAI_TIME_TO_FIRST_TOKEN.labels(self.operation, self.model).observe(self.first_text_s)
        if self.input_tokens is not None:
            GENAI_TOKEN_USAGE.labels(self.operation, self.model, "input").observe(self.input_tokens)
        output = self.output_tokens if self.output_tokens is not None else (self.chunks or None)
        if output is not None:
            GENAI_TOKEN_USAGE.labels(self.operation, self.model, "output").observe(output)
