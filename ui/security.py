"""The HTTP perimeter of `kho serve`: what every request must pass before any route, key check or body parsing.

One pure-ASGI middleware (`SecurityGate`, outermost) enforces, in this order:

1. **Host allow-list** (DNS rebinding): the `Host` header must name this server — loopback names, the bound address,
   the machine's own names, or `KHO_ALLOWED_HOSTS`. Also in development mode: a page on `evil.example` that rebinds
   its name to 127.0.0.1 gets 400, never the local admin.
2. **Cross-site requests** (CSRF): a state-changing request (POST, PUT, PATCH, DELETE) that is not authenticated by
   an `Authorization` header — i.e. one a browser could send with ambient credentials (the session cookie, or the
   loopback development mode) — must come from this origin or a configured one (`KHO_CORS_ORIGINS`); an `Origin` of
   another site, `null`, or `Sec-Fetch-Site: cross-site` gets 403. Login and logout are covered the same way.
3. **CORS** only for configured origins: a preflight from any other origin gets 403, and whatever CORS headers an
   inner app (Gradio reflects origins) set are removed unless the origin is configured.
4. **Bounded bodies**: `Content-Length` above the route's limit → 413 before a byte is read; a chunked body is
   counted as it streams and cut off at the limit. Uploads may carry `KHO_MAX_FILE_MB` (+1 MiB of form overhead),
   everything else `KHO_MAX_BODY_KB`.
5. **Security headers** on every response: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a CSP with
   `frame-ancestors 'none'`, `Referrer-Policy: same-origin` (not `no-referrer`: browsers then send `Origin: null`
   on same-origin POSTs, which check 2 would refuse), `Cross-Origin-Opener-Policy: same-origin`, and
   `Cache-Control: no-store` on API and login responses.

>>> policy = HttpPolicy(frozenset({"127.0.0.1", "localhost"}), frozenset(), 1024, 4096)
>>> policy.host_allowed("127.0.0.1:7860"), policy.host_allowed("evil.example")
(True, False)
>>> policy.same_origin("http://127.0.0.1:7860", "127.0.0.1:7860"), policy.same_origin("null", "127.0.0.1:7860")
(True, False)
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.fs import discard_within
from core.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UPLOAD_PATHS = ("/v1/documents", "/gradio_api/upload")
NO_STORE_PREFIXES = ("/v1/", "/login", "/logout", "/gradio_api/queue", "/gradio_api/upload")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
CSP = b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", "[::]", ""})


def _host_only(host: str) -> str:
    """`Host` header value without its port, lower-case ("[::1]:7860" → "[::1]", "a.b:80" → "a.b")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def machine_names() -> set[str]:
    """This machine's host name, fully qualified name and the addresses they resolve to (lower-case)."""
    names: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        if not name:
            continue
        names.add(name.lower())
        try:
            _, aliases, addresses = socket.gethostbyname_ex(name)
        except OSError:
            continue
        names.update(a.lower() for a in aliases)
        names.update(addresses)
    return names


def is_loopback(host: str | None) -> bool:
    """Whether `host` (an address or "localhost") only ever reaches this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "[::1]", "localhost", "10.0.0.5", "kho.example", None)]
    [True, True, True, False, False, False]
    """
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HttpPolicy:
    """What the perimeter allows: host names, cross-origin callers, body sizes."""

    allowed_hosts: frozenset[str]  # lower-case, without port; "*" allows any (only if an operator says so)
    cors_origins: frozenset[str]  # exact origins, e.g. "https://desk.noivu.gov.vn"
    max_body_bytes: int
    max_upload_bytes: int

    @classmethod
    def for_settings(cls, settings: Settings, bind_host: str) -> HttpPolicy:
        """The policy for a server bound to `bind_host`: configured hosts, else this machine's own names."""
        configured = {_host_only(h) for h in settings.allowed_hosts.split(",") if h.strip()}
        hosts = configured or set(LOOPBACK_NAMES) | machine_names()
        if bind_host.strip().lower() not in WILDCARD_BINDS:
            hosts.add(_host_only(bind_host))
        hosts |= {f"[{h}]" for h in hosts if ":" in h and not h.startswith("[")}
        origins = frozenset(o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip())
        return cls(
            allowed_hosts=frozenset(hosts),
            cors_origins=origins,
            max_body_bytes=settings.max_body_kb * 1024,
            max_upload_bytes=settings.max_file_bytes + 1024 * 1024,
        )

    def host_allowed(self, host: str | None) -> bool:
        if "*" in self.allowed_hosts:
            return True
        return bool(host) and _host_only(host or "") in self.allowed_hosts

    @staticmethod
    def same_origin(origin: str, host: str) -> bool:
        """Whether `origin` (an Origin header) names the host the request was sent to."""
        parts = urlsplit(origin)
        return bool(parts.scheme in ("http", "https") and parts.netloc) and parts.netloc.lower() == host.lower()

    def origin_allowed(self, origin: str, host: str) -> bool:
        return self.same_origin(origin, host) or origin.rstrip("/") in self.cors_origins

    def body_limit(self, path: str) -> int:
        return self.max_upload_bytes if path.startswith(UPLOAD_PATHS) else self.max_body_bytes


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


async def _plain(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        (b"content-security-policy", CSP),
        (b"cache-control", b"no-store"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityGate:
    """ASGI middleware enforcing `HttpPolicy` (see the module docstring); wrap the whole app with it."""

    def __init__(self, app: ASGIApp, policy: HttpPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get("host", "")
        if not self.policy.host_allowed(host):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _plain(send, 400, "Host không được phép (KHO_ALLOWED_HOSTS)")
            return
        origin = headers.get("origin")
        if scope["type"] == "websocket":
            if origin is not None and not self.policy.origin_allowed(origin, host):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET").upper()
        path = scope.get("path", "")
        if method == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            await self._preflight(send, origin, host, headers)
            return
        if method in UNSAFE_METHODS and not headers.get("authorization"):
            cross = headers.get("sec-fetch-site") == "cross-site"
            if cross or (origin is not None and not self.policy.origin_allowed(origin, host)):
                await _plain(send, 403, "Yêu cầu từ trang web khác bị từ chối (cross-site request refused)")
                return
        limit = self.policy.body_limit(path)
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                await _plain(send, 400, "Content-Length không hợp lệ")
                return
            if too_big:
                await _plain(send, 413, f"Nội dung yêu cầu vượt giới hạn {limit} byte")
                return
        cors = origin if origin is not None and origin.rstrip("/") in self.policy.cors_origins else None
        await self.app(scope, _limited(receive, limit), _decorate(send, path, cors))

    async def _preflight(self, send: Send, origin: str, host: str, headers: dict[str, str]) -> None:
        if origin.rstrip("/") not in self.policy.cors_origins:
            await _plain(send, 403, "Nguồn gốc (Origin) không được phép gọi API này")
            return
        allow = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", b"GET, POST, PATCH, DELETE"),
            (b"access-control-allow-headers", b"authorization, content-type, accept"),
            (b"access-control-max-age", b"600"),
            (b"vary", b"Origin"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": [*allow, *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": b""})


def _limited(receive: Receive, limit: int) -> Callable[[], Awaitable[Message]]:
    """`receive` that stops a body (chunked, or lying about its length) once it passes `limit` bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"Nội dung yêu cầu vượt giới hạn {limit} byte")
        return message

    return wrapped


def _decorate(send: Send, path: str, cors_origin: str | None) -> Callable[[Message], Awaitable[None]]:
    """`send` that adds the security headers and keeps CORS headers only for a configured origin."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept: list[tuple[bytes, bytes]] = [
                (k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")
            ]
            names = {k.lower() for k, _ in kept}
            kept += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
            if b"content-security-policy" not in names:
                kept.append((b"content-security-policy", CSP))
            if b"cache-control" not in names and path.startswith(NO_STORE_PREFIXES):
                kept.append((b"cache-control", b"no-store"))
            if cors_origin is not None:
                kept += [
                    (b"access-control-allow-origin", cors_origin.encode("latin-1")),
                    (b"vary", b"Origin"),
                ]
            message = {**message, "headers": kept}
        await send(message)

    return wrapped


def json_body_field(body: bytes, field: str) -> Any:
    """`field` of a JSON object body, or None (not JSON, not an object, or absent)."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    return data.get(field) if isinstance(data, dict) else None


class SessionBinder:
    """Binds each Gradio `session_hash` to the user who used it first; another user presenting it is refused.

    Gradio's event stream (`/gradio_api/queue/data?session_hash=…`) answers whoever names the session, and the
    access log prints that name. Bounded: the oldest bindings are forgotten beyond `max_entries` (a forgotten
    session is simply bound again by its next user).

    >>> b = SessionBinder()
    >>> b.allow("abc", "an"), b.allow("abc", "an"), b.allow("abc", "binh")
    (True, True, False)
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def allow(self, session_hash: str, user: str) -> bool:
        if not session_hash:
            return True
        with self._lock:
            owner = self._owners.get(session_hash)
            if owner is None:
                self._owners[session_hash] = user
                while len(self._owners) > self.max_entries:
                    self._owners.pop(next(iter(self._owners)))
                return True
            return hmac.compare_digest(owner.encode(), user.encode())


class UploadLedger:
    """The workdesk's private upload folder and who uploaded what into it.

    Gradio's upload route writes each file under `folder` and answers with its path; the workdesk then sends that
    path back to the upload handler, which a client can forge (any server path). The handler therefore ingests a
    path only when `claim` finds it among the same user's recorded uploads, inside `folder`, and `discard`s it
    after ingestion: nothing uploaded stays readable for anyone.
    """

    def __init__(self, folder: Path, max_entries: int = 10_000) -> None:
        self.folder = folder.resolve()
        self.max_entries = max_entries
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def _key(self, path: str | Path) -> str | None:
        try:
            resolved = Path(path).resolve()
        except (OSError, RuntimeError):
            return None
        return str(resolved) if resolved.is_relative_to(self.folder) else None

    def record(self, user: str, paths: list[str]) -> None:
        """`user` uploaded `paths` (those outside the folder are ignored)."""
        with self._lock:
            for p in paths:
                key = self._key(p)
                if key is not None:
                    self._owners[key] = user
            while len(self._owners) > self.max_entries:
                self._owners.pop(next(iter(self._owners)))

    def claim(self, user: str, path: str | Path) -> Path:
        """The resolved path if `user` uploaded it; PermissionError naming the file otherwise."""
        key = self._key(path)
        with self._lock:
            owner = self._owners.get(key) if key is not None else None
        if key is None or owner is None or not hmac.compare_digest(owner.encode(), user.encode()):
            raise PermissionError(f"{Path(str(path)).name}: không phải tệp bạn vừa tải lên")
        return Path(key)

    def discard(self, path: str | Path) -> None:
        """Delete an uploaded file (and its now empty Gradio sub-folder) and forget it."""
        key = self._key(path)
        if key is None:
            return
        with self._lock:
            self._owners.pop(key, None)
        discard_within(key, self.folder)

    def serves_upload(self, path: str) -> bool:
        """Whether a request path asks Gradio to serve a file from the upload folder (never allowed)."""
        for prefix in ("/gradio_api/file=", "/gradio_api/file/", "/file=", "/file/"):
            if path.startswith(prefix):
                target = unquote(path[len(prefix) :])
                return self._key(target) is not None or ".." in target
        return False
