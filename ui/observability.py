"""Monitoring the server: request metrics (`HttpMetrics`) and `GET /metrics` in Prometheus' text format.

What is measured is defined once in `core.metrics` (OpenTelemetry names, the Prometheus way); this module records
the HTTP side and serves the scrape, adding the index's size, read when scraped.

Who may scrape (`metrics_access`): an administrator — an admin's API key as `Authorization: Bearer`, or a signed-in
admin's workdesk session; development mode on loopback counts, as everywhere — or a Prometheus server presenting
the scrape token `KHO_METRICS_TOKEN` as its bearer token (`authorization: {credentials: …}` in a scrape config),
compared in constant time and good for nothing else. Anyone else: 401 without credentials, 403 for a signed-in
user who is not an administrator. `/healthz` and `/readyz` stay open: they are probes, and say no more than
which check fails.

Labels never carry request data: `http_route` is the route's template (`/v1/documents/{doc_id}`, never the id),
the workdesk's Gradio routes are collapsed to four groups, and anything else is "other".
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services import Principal, Services, allowed
from core.metrics import HTTP_ACTIVE_REQUESTS, HTTP_REQUEST_DURATION, REGISTRY

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_ROUTE = "other"
# Gradio's own routes, collapsed: the event streams that carry answers, uploads, the rest of its API, and the
# workdesk's page and static files (each asset path would otherwise be a series of its own).
GRADIO_GROUPS = (
    ("/gradio_api/queue/", "/gradio_api/queue/{action}"),
    ("/gradio_api/upload", "/gradio_api/upload"),
    ("/gradio_api/", "/gradio_api/{other}"),
)
WORKDESK_ROUTE = "/{workdesk}"


# ------------------------------------------------------------------------------------------------ route labels


@dataclass(frozen=True)
class RouteTable:
    """The app's own routes (not the mounted workdesk) with their full templates, and whether a workdesk is mounted.

    Built once, from the app as it serves its first request (every route is registered by then)."""

    routes: tuple[tuple[BaseRoute, str], ...]
    mounted: bool

    @classmethod
    def of(cls, app: Any) -> RouteTable:
        top = list(getattr(getattr(app, "router", None), "routes", []))
        routes = []
        for ctx in iter_route_contexts(top):
            route, path = ctx.original_route, ctx.path
            if not isinstance(route, Mount) and path:
                routes.append((route, str(path)))
        return cls(tuple(routes), any(isinstance(r, Mount) for r in top))

    def label(self, scope: Scope) -> str:
        """The `http_route` label for a finished request: the template of the app's route that served it (or
        that would have, for a request the perimeter refused before routing), a Gradio group, the workdesk
        (mounted at /, it serves every other path: its page, static files and 404s), or "other" without one."""
        path = str(scope.get("path", ""))
        for prefix, label in GRADIO_GROUPS:
            if path.startswith(prefix):
                return label
        served = scope.get("route")
        for route, template in self.routes:
            if route is served:
                return template
        probe = {**scope, "type": "http"}
        for route, template in self.routes:
            try:
                match, _ = route.matches(probe)
            except Exception:  # a route that cannot judge this scope is not the one
                continue
            if match is not Match.NONE:
                return template
        return WORKDESK_ROUTE if self.mounted else OTHER_ROUTE


class HttpMetrics:
    """ASGI middleware: each HTTP request's duration by method, route template and status
    (`http_server_request_duration_seconds`), and the requests in progress (`http_server_active_requests`).

    Plain ASGI rather than `BaseHTTPMiddleware`: the response passes through untouched, chunk by chunk, so Gradio's
    event streams and the API's SSE answers are never buffered; a streamed response counts until its last chunk.
    A request that fails before answering counts as 500. Registered outermost, so the perimeter's refusals
    (`ui.security.SecurityGate`: Host, body size) are counted too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.table: RouteTable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.table is None:  # the FastAPI app this middleware belongs to (a mounted app replaces it later)
            self.table = RouteTable.of(scope.get("app"))
        table = self.table
        method = str(scope.get("method", "")).upper()
        method = method if method in METHODS else "_OTHER"  # OTel's value for methods outside the known set
        status = {"code": 500}

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        active = HTTP_ACTIVE_REQUESTS.labels(method)
        active.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, recording)
        finally:
            active.dec()
            route = table.label(scope)
            HTTP_REQUEST_DURATION.labels(method, route, str(status["code"])).observe(time.perf_counter() - started)


# ------------------------------------------------------------------------------------------------ the scrape


class IndexSize:
    """A collector for the scrape: the index's documents, chunks and points, read from `services` when scraped
    (`Services.index_size`: three counts), so the figures are never stale. A store that does not answer leaves
    them out of that scrape rather than failing it."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        try:
            size = self.services.index_size()
        except Exception:
            log.debug("index size unavailable for the scrape", exc_info=True)
            return
        yield GaugeMetricFamily("kho_index_documents", "Documents in the registry", value=size["documents"])
        yield GaugeMetricFamily("kho_index_chunks", "Chunks (cited units) in the registry", value=size["chunks"])
        yield GaugeMetricFamily(
            "kho_index_points", "Points in the current Qdrant collection (chunks indexed)", value=size["points"]
        )


class Scrape:
    """What one `/metrics` answer holds: the process-wide `core.metrics.REGISTRY`, then these extra collectors."""

    def __init__(self, *extra: Any) -> None:
        self.extra: Iterable[Any] = extra

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        for collector in self.extra:
            yield from collector.collect()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def metrics_access(request: Request, token: str | None) -> int:
    """200 when the request may scrape: the scrape token `token` (KHO_METRICS_TOKEN) as its bearer, or an
    administrator (`app.state.auth.from_request`: session cookie, API key, development mode); else 401 (nobody)
    or 403 (a user whose role may not)."""
    presented = _bearer(request)
    if token and presented and hmac.compare_digest(presented.encode(), token.encode()):
        return 200
    auth = getattr(request.app.state, "auth", None)
    who: Principal | None = auth.from_request(request) if auth is not None else None
    if who is None:
        return 401
    return 200 if allowed(who, "metrics") else 403


def metrics_router(services: Services) -> APIRouter:
    """`GET /metrics`: the Prometheus text format (OpenMetrics when the scraper asks for it), for administrators
    and the scrape token only (`metrics_access`)."""
    router = APIRouter()
    scrape = Scrape(IndexSize(services))

    @router.get(METRICS_PATH, include_in_schema=False)
    def metrics(request: Request) -> Response:
        status = metrics_access(request, services.settings.metrics_token)
        if status == 401:
            return JSONResponse(
                {"detail": "Thiếu hoặc sai khóa truy cập"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        if status == 403:
            return JSONResponse({"detail": "Chỉ quản trị viên được xem số liệu giám sát"}, status_code=403)
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(scrape), media_type=content_type, headers={"Cache-Control": "no-store"})

    return router
