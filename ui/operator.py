"""The local operator's routes (`/v1/operator/...`): what `kho ingest`, `kho search`, `kho ask` and `kho backup` do,
run inside the server that holds the index, for a `kho` command on the same machine.

The embedded Qdrant Edge store is single-process: while `kho serve` holds it, a command in another process cannot
open it. So the server publishes `<data_dir>/server.json` (`ui.discovery`) with a fresh random token, and a command
that finds it sends its work here (`ui.cli.remote`). The token is the local operator's credential:

- only its SHA-256 is kept, compared in constant time, and only from this machine (`OperatorToken.resolve`);
- it stands for `OPERATOR` (role admin, clearance restricted) on the whole `/v1` API, through the bearer resolvers
  of `ui.server.WorkdeskAuth`;
- these routes accept nothing else: not an administrator's API key, not development mode. They read server-local
  paths (ingest, backup), which only someone who can read the data dir — who could run `kho` there anyway — may
  name.

Search and ask take the command line's options (mode, clearance, chunks, k) and answer with its `--json` output,
which the public `/v1/search` and `/v1/ask` do not (their clearance is the caller's, their mode the server's).
Search and ask are audited as the operator's, like every question the server answers.

The routes are left out of the published API schema: they are the command line's, not a public interface.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from app.audit import AuditEvent
from app.services import Principal, SearchFilters, Services, audited_citations, filters_for
from index.store import ALIAS
from ingest.model import AccessLevel, Validity
from ui import discovery
from ui.api import SSE, ApiError, Strict, sse, stream_ask
from ui.security import is_loopback

log = logging.getLogger(__name__)

OPERATOR = Principal("local-operator", "admin", AccessLevel.RESTRICTED)
MAX_PATHS = 1000  # one request names at most this many files/folders (a folder may hold any number of files)
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux
MAX_QUERY_CHARS = 2000

_bearer = HTTPBearer(auto_error=False)


class OperatorToken:
    """The local operator's token for one server run: only its SHA-256 is kept, and it is only accepted from this
    machine — a loopback client, or (bound to one address) a client whose address is that address.

    >>> t, key = OperatorToken("s3cret-s3cret-s3cret", bind_host="10.0.0.5"), "s3cret-s3cret-s3cret"
    >>> [t.resolve(key, client) == OPERATOR for client in ("127.0.0.1", "::1", "10.0.0.5", "10.0.0.7", None)]
    [True, True, True, False, False]
    >>> t.resolve("wrong-wrong-wrong", "127.0.0.1") is None
    True
    """

    def __init__(self, token: str, bind_host: str = "127.0.0.1") -> None:
        if len(token) < 16:
            raise ValueError("operator token: at least 16 characters")
        self._digest = hashlib.sha256(token.encode()).digest()
        self.bind_host = bind_host

    def matches(self, token: str | None) -> bool:
        """Whether `token` is this run's token (constant time)."""
        if not token or len(token) > 512:
            return False
        return hmac.compare_digest(hashlib.sha256(token.encode()).digest(), self._digest)

    def from_this_machine(self, client_host: str | None) -> bool:
        """A loopback client, or one connecting from the very address the server is bound to."""
        return is_loopback(client_host) or (client_host is not None and client_host == self.bind_host.strip("[]"))

    def resolve(self, token: str, client_host: str | None) -> Principal | None:
        """A bearer resolver (`WorkdeskAuth.add_bearer`): the operator for this token from this machine, else None."""
        return OPERATOR if self.from_this_machine(client_host) and self.matches(token) else None


# ------------------------------------------------------------------------------------------------ schemas


PathText = Annotated[str, Field(min_length=1, max_length=MAX_PATH_CHARS)]
Label = Annotated[str, Field(max_length=200)]
Mode = Literal["hybrid", "bm25", "dense"]


class IngestIn(Strict):
    """`kho ingest`'s arguments: absolute paths on this machine and its options."""

    paths: list[PathText] = Field(default=[], max_length=MAX_PATHS)
    access_level: AccessLevel | None = None
    default_corpus: bool = False
    index: bool = True


class BackupIn(Strict):
    """Where a backup goes: an absolute folder on this machine."""

    dir: PathText


class ReaderIn(Strict):
    """What a command-line reader chose: clearance (`--as`) and the metadata filters."""

    clearance: AccessLevel = AccessLevel.PUBLIC
    mode: Mode = "hybrid"
    types: list[Label] = Field(default=[], max_length=20)
    issuers: list[Label] = Field(default=[], max_length=20)
    year_from: int | None = Field(default=None, ge=1, le=9999)
    year_to: int | None = Field(default=None, ge=1, le=9999)
    validity: list[Validity] = Field(default=[], max_length=3)
    numbers: list[Label] = Field(default=[], max_length=20)
    as_of: dt.date | None = None
    all_versions: bool = False

    def filters(self) -> SearchFilters:
        return SearchFilters(
            types=tuple(self.types),
            issuers=tuple(self.issuers),
            year_from=self.year_from,
            year_to=self.year_to,
            validity=tuple(v.value for v in self.validity),
            numbers=tuple(self.numbers),
            as_of=self.as_of,
            all_versions=self.all_versions,
        )


class SearchIn(ReaderIn):
    """`kho search`."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(default=10, ge=1, le=100)
    chunks: bool = False


class AskIn(ReaderIn):
    """`kho ask`."""

    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    extractive: bool = False
    k: int | None = Field(default=None, ge=1, le=20)
    history: list[Annotated[str, Field(max_length=MAX_QUERY_CHARS)]] = Field(default=[], max_length=10)
    topic: Literal["auto", "follow_up", "new_topic"] = "auto"
    stream: bool = False


# ------------------------------------------------------------------------------------------------ the router


def _absolute(field: str, values: list[str]) -> list[Path]:
    out = []
    for i, value in enumerate(values):
        if "\x00" in value or not os.path.isabs(value):
            raise ApiError(422, f"{field}[{i}]: must be an absolute path on the server, not {value[:200]!r}")
        out.append(Path(value))
    return out


def _trouble(exc: Exception) -> ApiError | None:
    """The operator's view of an error: the real message (the operator can read the data dir and its logs)."""
    from assistant.llm import LLMError
    from index.store import StoreError

    if isinstance(exc, LLMError):
        return ApiError(503, str(exc))
    if isinstance(exc, (StoreError, ValueError)):
        return ApiError(409 if isinstance(exc, StoreError) else 422, str(exc))
    return None


def _operator_error(exc: BaseException) -> tuple[int, str]:
    """An error as the operator sees it: the real message (the operator can read the data dir and its logs)."""
    problem = _trouble(exc) if isinstance(exc, Exception) else None
    if problem is None:
        log.error("operator ask failed", exc_info=exc)
    return (problem.status if problem else 500), str(exc)


def _stream(run: Callable[[Callable[[str], None]], dict[str, Any]]) -> AsyncIterator[str]:
    """Run a blocking answer in a thread; Server-Sent Events `token` as the text comes, then `answer` or `error`
    (with the real message, as `_trouble` words it)."""
    return stream_ask(
        run,
        render_token=lambda text: sse("token", {"text": text}),
        render_final=lambda answer: [sse("answer", answer)],
        render_error=lambda status, detail: sse("error", {"status": status, "detail": detail}),
        public_error=_operator_error,
    )


def operator_router(services: Services, token: OperatorToken) -> APIRouter:
    """The `/v1/operator` routes over `services`, open only to `token` from this machine (`OperatorToken.resolve`)."""
    router = APIRouter(prefix="/v1/operator", include_in_schema=False)

    def operator(
        request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        client = request.client.host if request.client else None
        who = token.resolve(creds.credentials, client) if creds else None
        if who is None:
            raise ApiError(403, "Chỉ người vận hành trên máy chủ (khóa trong server.json) được dùng đường dẫn này")
        return who

    only_operator = Depends(operator)

    def call(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:
            problem = _trouble(exc)
            if problem is None:
                raise
            raise problem from None

    @router.get("/whoami")
    def whoami(who: Principal = only_operator) -> dict[str, Any]:
        """Which server this is: a client checks that its discovery file still names this process."""
        return {"server": "kho", "pid": os.getpid(), "data_dir": str(services.settings.data_dir), "user": who.name}

    @router.post("/ingest")
    def ingest(body: IngestIn, who: Principal = only_operator) -> dict[str, Any]:
        """`kho ingest`: store the files in the registry, then bring the index up to date; its `--json` report."""
        targets = _absolute("paths", body.paths)
        overrides: dict[Path, dict[str, str]] = {}
        if body.default_corpus:
            from corpus import CorpusNotFound, require_default_corpus

            try:
                manifest = require_default_corpus(services.settings)
            except CorpusNotFound as exc:
                raise ApiError(422, str(exc)) from None
            targets += manifest.paths()
            overrides = manifest.overrides()
        if not targets:
            raise ApiError(422, "nothing to ingest: give files or folders, or --default-corpus")
        report = services.ingest_paths(who, targets, body.access_level, overrides)
        out = report.to_json()
        out["index"] = None
        if body.index:
            try:
                synced = services.catch_up()
                if synced is not None:
                    index = synced.to_json()
                    index["missing_dense"] = services.store.count(synced.collection, with_dense=False)
                    index["points_total"] = services.store.count(synced.collection)
                    out["index"] = index
            except Exception as exc:  # the registry is safe; the index catches up on the next run
                out["index_error"] = f"index update failed ({type(exc).__name__}: {exc}); run `kho index` to retry"
        return out

    @router.post("/index")
    def index(who: Principal = only_operator) -> dict[str, Any]:
        """`kho index` (no options): bring the index up to date with the registry; its `--json` output."""

        def run() -> dict[str, Any]:
            synced = services.catch_up()
            if synced is None:
                raise ValueError("nothing to index: run `kho ingest` first")
            current = services.store.resolve_alias(ALIAS) or synced.collection
            return {
                "sync": synced.to_json(),
                "collection": current,
                "points_total": services.store.count(current),
                "missing_dense": services.store.count(current, with_dense=False),
            }

        return dict(call(run))

    @router.post("/search")
    def search(body: SearchIn, who: Principal = only_operator) -> dict[str, Any]:
        """`kho search`: its `--json` output."""
        from index.store import StoreError

        def run() -> dict[str, Any]:
            flt = filters_for(Principal(who.name, who.role, body.clearance), body.filters())
            searcher = services.searcher()
            if searcher is None:
                raise StoreError("no index yet: run `kho ingest` first")
            result = searcher.search(body.query, k=body.k, mode=body.mode, filters=flt, article_level=not body.chunks)
            retrieval = services.with_fill_state(result.retrieval)
            services.audit.record(
                AuditEvent(
                    user=who.name,
                    role=who.role,
                    event="search",
                    question=body.query,
                    retrieved=[h.chunk_id for h in result.hits],
                    details={"via": "operator", "clearance": body.clearance.value},
                )
            )
            return {
                "query": body.query,
                "mode": body.mode,
                "k": body.k,
                "timings_ms": result.timings_ms,
                "retrieval": retrieval.to_json() if retrieval is not None else None,
                "hits": [h.to_json() for h in result.hits],
            }

        return dict(call(run))

    @router.post("/ask", response_model=None)
    def ask(body: AskIn, who: Principal = only_operator) -> dict[str, Any] | StreamingResponse:
        """`kho ask`: `{"answer": <its --json output>, "grounds": [the "Căn cứ" lines], "as_of": day}`; with
        `stream`, Server-Sent Events `token` then `answer` (that object) or `error`."""
        from assistant.pipeline import AskOptions, Assistant
        from index.store import StoreError
        from ui.cli.search import grounds_lines

        flt = call(lambda: filters_for(Principal(who.name, who.role, body.clearance), body.filters()))

        def run(on_token: Callable[[str], None] | None) -> dict[str, Any]:
            searcher = services.searcher()
            if searcher is None:
                raise StoreError("no index yet: run `kho ingest` first")
            options = AskOptions(k=body.k, mode=body.mode, filters=flt, extractive=body.extractive)
            answer = Assistant(searcher).ask(
                body.question, body.history, options=options, on_token=on_token, topic=body.topic
            )
            services.audit.record(
                AuditEvent(
                    user=who.name,
                    role=who.role,
                    event="ask",
                    question=body.question,
                    citations=audited_citations(answer),
                    verification=answer.verification.value,
                    refused=answer.refused,
                    details={"via": "operator", "mode": answer.mode, "clearance": body.clearance.value},
                )
            )
            day = flt.as_of.isoformat() if flt.as_of else None
            return {"answer": answer.to_json(), "grounds": grounds_lines(answer, flt.as_of), "as_of": day}

        if not body.stream:
            return dict(call(lambda: run(None)))
        return StreamingResponse(_stream(run), media_type=SSE, headers={"Cache-Control": "no-cache"})

    @router.post("/backup")
    def backup(body: BackupIn, who: Principal = only_operator) -> dict[str, Any]:
        """`kho backup` while the server holds the index: `Services.backup` into an absolute folder here."""
        (folder,) = _absolute("dir", [body.dir])
        return dict(call(lambda: services.backup(who, folder)))

    return router


def announce(app: FastAPI, data_dir: Path, info: discovery.ServerInfo) -> None:
    """Publish `info` as `data_dir`'s discovery file while `app` serves: written as the app starts (just before the
    port opens), withdrawn as it stops. In the app's lifespan rather than around `uvicorn.run`, because after a
    SIGTERM (systemd's stop) uvicorn shuts the app down and then ends the process by that signal, past any `finally`.
    """
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            discovery.publish(data_dir, info)
            try:
                yield state
            finally:
                discovery.withdraw(data_dir, info)

    app.router.lifespan_context = lifespan
