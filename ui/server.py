"""`kho serve`: one process serving the Gradio workdesk at `/`, the REST API under `/v1`, `/healthz` and `/readyz`
(open probes), and `/metrics` (Prometheus; administrators or the scrape token: ui/observability.py).

Authentication
--------------
- API: `Authorization: Bearer <key>` on every `/v1` request (keys from `kho users add`, stored hashed).
- Workdesk: the user opens `/`, is sent to `/login` (a Vietnamese form) and enters the same API key. The server
  checks it, opens a server-side session (`Accounts.open_session`: only its SHA-256 is stored) and sets
  `kho_session`, an HttpOnly, SameSite=Lax cookie holding the session id signed with HMAC-SHA256 under a secret
  kept in `<data_dir>/session.key` (created 0600 on first start). The key itself never goes into the cookie.
  Every workdesk request (page, Gradio API, queue) is checked by Gradio's `auth_dependency` and by
  `principal_for_request`, which re-reads the session and the account each time: revoking a user (`kho users
  revoke`) ends their sessions at once, and `POST /logout` revokes the session on the server (a copied cookie is
  dead after it). Sessions last `SESSION_HOURS`.
- Single sign-on (`ui.oidc`, on when `KHO_OIDC_ISSUER` is set): the login page also offers "Đăng nhập bằng tài
  khoản một lần (SSO)"; the provider's user gets the same kind of server-side session with the role and clearance
  their groups map to (`app.sso`), and `POST /logout` also sends them to the provider's logout. The provider's
  access tokens are accepted as bearer tokens on `/v1` after the API keys (`WorkdeskAuth.add_bearer`).
- Development mode: bound to a loopback address before any user was ever created, every request from a loopback
  client is the local principal `local-admin` (role admin, clearance restricted), without login. Creating the
  first user ends it for good (revoking every user does not bring it back). Bound to any other address,
  `kho serve` refuses to start until a user exists, and then nothing is anonymous.
- The perimeter (`ui.security.SecurityGate`, outermost): Host allow-list, cross-site (CSRF) refusal for
  cookie/development-mode state changes including login and logout, CORS only for configured origins, body size
  limits before authentication, security headers.
- Gradio's own routes (`_WorkdeskGate`): each Gradio `session_hash` (which the access log prints) is bound to the
  user who first used it, so another user presenting it gets 403 instead of that user's event stream; only
  administrators may upload files, each upload is recorded to its uploader (`UploadLedger`: the upload handler
  only ingests files the same user uploaded, never a server path), and Gradio's programmatic API routes, which
  the workdesk does not use, are closed.

Gradio handlers get the caller through the `identify` function the server hands the workdesk
(`WorkdeskAuth.from_request` on their `request: gr.Request` argument); None means nobody is logged in (the handler
shows "Vui lòng đăng nhập" and does nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import mimetypes
import os
import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import Accounts
from app.services import NotFound, Principal, Services, allowed
from core.fs import private_dir, tighten
from core.settings import Settings
from ingest.model import AccessLevel
from ui import discovery
from ui.api import api_router, health_router, install_error_handlers
from ui.apidocs import install_api_docs
from ui.exports import ExportShelf
from ui.observability import METRICS_PATH, HttpMetrics, metrics_router
from ui.oidc import SingleSignOn, install_sso
from ui.operator import OperatorToken, announce, operator_router
from ui.security import HttpPolicy, SecurityGate, SessionBinder, UploadLedger, is_loopback, json_body_field

log = logging.getLogger(__name__)

SESSION_COOKIE = "kho_session"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SESSION_HOURS = 12
LOCAL_PRINCIPAL = Principal("local-admin", "admin", AccessLevel.RESTRICTED)
# Paths that never need a workdesk session: the API (bearer keys), health, the login page, the API docs.
OPEN_PREFIXES = ("/v1/", "/healthz", "/readyz", "/login", "/logout", "/openapi.json", "/docs", "/redoc", "/favicon.ico")
# Exact paths that check their own credentials: /metrics takes an administrator or the scrape token
# (ui/observability.py), which is no user and so would be refused here.
OWN_AUTH_PATHS = ("/v1", METRICS_PATH)
# Gradio routes the workdesk never uses: its programmatic API (our API is /v1), media streams, proxies, MCP,
# monitoring, code editing. Closed, so they cannot be used to reach handlers or files around the UI.
CLOSED_GRADIO_PREFIXES = (
    "/gradio_api/call/",
    "/gradio_api/run/",
    "/gradio_api/api/",
    "/gradio_api/stream/",
    "/gradio_api/proxy=",
    "/gradio_api/mcp",
    "/gradio_api/vibe",
    "/gradio_api/undo-vibe",
    "/gradio_api/process_recording",
    "/monitoring",
    "/gradio_api/monitoring",
    "/gradio_api/dev/",
)
# Gradio routes whose JSON body names the session it acts on.
SESSION_BODY_PATHS = ("/gradio_api/queue/join", "/gradio_api/cancel")


BearerResolver = Callable[[str, "str | None"], "Principal | None"]


class WorkdeskAuth:
    """Who a request comes from: a bearer key, a signed session cookie, or (development mode) the local admin."""

    def __init__(self, accounts: Accounts, secret: bytes, bind_host: str) -> None:
        self.accounts = accounts
        self.secret = secret
        self.bind_host = bind_host
        # Who a bearer token stands for, asked in order; the first answer wins. Accounts' API keys first; other
        # issuers (single sign-on tokens, the local operator's token) are added with `add_bearer`.
        self.bearers: list[BearerResolver] = [lambda token, client: accounts.authenticate(token)]
        # Single sign-on (ui/oidc.py) adds its button to the login page (HTML, given the path to return to) and,
        # after a provider-opened session ends, the page that takes the browser to the provider's logout.
        self.login_extras: Callable[[str], str] = lambda next_path: ""
        self.after_logout: Callable[[str | None], Response | None] = lambda id_token: None
        self.single_sign_on = False  # set when an OpenID provider is configured: no anonymous development mode

    def add_bearer(self, resolver: BearerResolver) -> None:
        """Accept another kind of bearer token: `resolver(token, client_host)` → the principal, or None."""
        self.bearers.append(resolver)

    def bearer(self, token: str, client_host: str | None) -> Principal | None:
        """The principal a bearer token stands for under any accepted issuer, or None."""
        for resolve in self.bearers:
            who = resolve(token, client_host)
            if who is not None:
                return who
        return None

    @classmethod
    def for_settings(cls, settings: Settings, accounts: Accounts, bind_host: str) -> WorkdeskAuth:
        return cls(accounts, session_secret(settings.session_key_path), bind_host)

    def dev_mode(self, client_host: str | None) -> bool:
        """No user ever created, bound to loopback, the client on this machine: the local admin needs no login.
        Never with single sign-on configured: its users exist at the provider, not in our accounts."""
        if self.single_sign_on:
            return False
        return is_loopback(self.bind_host) and is_loopback(client_host) and not self.accounts.ever_had_users()

    # session cookies ------------------------------------------------------------------------------------------
    def _sign(self, payload: bytes) -> str:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest()

    def make_session(self, who: Principal, key: str) -> str:
        """The cookie value for a logged-in user: a new server-side session's id, signed."""
        sid = self.accounts.open_session(who, key, SESSION_HOURS)
        return f"{sid}.{self._sign(sid.encode())}"

    def sso_session(self, who: Principal, id_token: str | None) -> str:
        """The cookie value for a user signed in at the OpenID provider (`ui.oidc`): a new server-side session."""
        sid = self.accounts.open_sso_session(who, SESSION_HOURS, id_token)
        return f"{sid}.{self._sign(sid.encode())}"

    def session_id_token(self, value: str | None) -> str | None:
        """The provider's ID token behind a live single sign-on session cookie, for its logout; else None."""
        sid = self._session_id(value)
        return self.accounts.session_id_token(sid) if sid else None

    def _session_id(self, value: str | None) -> str | None:
        if not value or "." not in value or len(value) > 512:
            return None
        sid, sig = value.rsplit(".", 1)
        return sid if hmac.compare_digest(self._sign(sid.encode()), sig) else None

    def read_session(self, value: str | None) -> Principal | None:
        """The principal a cookie value stands for: signature holds, session live, user and key still active."""
        sid = self._session_id(value)
        return self.accounts.session_principal(sid) if sid else None

    def end_session(self, value: str | None) -> bool:
        """Revoke the session a cookie value names (logout); whether one was live."""
        sid = self._session_id(value)
        return self.accounts.close_session(sid) if sid else False

    # resolution -----------------------------------------------------------------------------------------------
    def from_bearer(self, key: str | None, client_host: str | None) -> Principal | None:
        """The API's rule: a valid key, or development mode."""
        if key:
            return self.bearer(key, client_host)
        return LOCAL_PRINCIPAL if self.dev_mode(client_host) else None

    def from_request(self, request: Any) -> Principal | None:
        """The workdesk's rule: a session cookie, else a bearer key, else development mode."""
        headers = _headers(request)
        who = self.read_session(_cookies(request, headers).get(SESSION_COOKIE))
        if who is not None:
            return who
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return self.bearer(auth[7:].strip(), _client_host(request))
        return LOCAL_PRINCIPAL if self.dev_mode(_client_host(request)) else None


def _headers(request: Any) -> dict[str, str]:
    try:
        return {str(k).lower(): str(v) for k, v in dict(request.headers).items()}
    except Exception:
        return {}


def _cookies(request: Any, headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def _client_host(request: Any) -> str | None:
    try:
        client = request.client
        host = client.host if client is not None else None
        return str(host) if host else None
    except Exception:
        return None


def session_secret(path: Path) -> bytes:
    """The HMAC secret for session cookies, created (32 random bytes, mode 0600) on first use."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return path.read_bytes()




# ------------------------------------------------------------------------------------------------ pages

LOGIN_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập — Kho tri thức</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f9;margin:0;display:flex;
min-height:100vh;align-items:center;justify-content:center;color:#1f2937}}
main{{background:#fff;border:1px solid #d8dee8;border-radius:8px;padding:32px;width:min(420px,90vw);
box-shadow:0 2px 8px rgba(0,0,0,.05)}}
h1{{font-size:1.3rem;margin:0 0 4px;color:#8b1a1a}} p{{margin:4px 0 16px;font-size:.92rem;color:#4b5563}}
label{{display:block;font-weight:600;margin-bottom:6px}}
input{{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c3cad6;border-radius:6px;font-size:1rem}}
button{{margin-top:16px;width:100%;padding:10px;border:0;border-radius:6px;background:#8b1a1a;color:#fff;
font-size:1rem;cursor:pointer}} .err{{color:#b91c1c;font-weight:600}}
</style></head><body><main>
<h1>Kho tri thức — Bộ Nội vụ</h1>
<p>Trợ lý tra cứu văn bản pháp luật. {intro}</p>
{error}
{extras}
<form method="post" action="/login">
<label for="key">Khóa truy cập</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{next}">
<button type="submit" id="login-button">Đăng nhập</button>
</form></main></body></html>
"""

LOGOUT_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng xuất — Kho tri thức</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px;color:#1f2937">
<h1 style="font-size:1.3rem;color:#8b1a1a">Kho tri thức — Bộ Nội vụ</h1>
<form method="post" action="/logout"><button type="submit" id="logout-button"
style="padding:10px 18px;border:0;border-radius:6px;background:#8b1a1a;color:#fff;font-size:1rem">Đăng xuất</button>
</form><p><a href="/">Quay lại bàn làm việc</a></p></body></html>
"""

PLACEHOLDER_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Kho tri thức</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px">
<h1>Kho tri thức</h1>
<p>Bàn làm việc số đang được cài đặt. API: <a href="/docs">/docs</a>.</p>
</body></html>
"""


def _safe_next(value: str | None) -> str:
    """A local path to return to after login (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _intro(auth: WorkdeskAuth) -> str:
    """The login page's one line of guidance: the ministry account first when single sign-on is on."""
    if auth.single_sign_on:
        return "Đăng nhập bằng tài khoản một lần của Bộ, hoặc bằng khóa truy cập do quản trị viên cấp."
    return "Nhập khóa truy cập do quản trị viên cấp."


def _login_routes(app: FastAPI, auth: WorkdeskAuth) -> None:
    @app.get("/login", include_in_schema=False)
    def login_form(next: str = "/") -> HTMLResponse:
        extras = auth.login_extras(_safe_next(next))
        page = LOGIN_PAGE.format(intro=_intro(auth), error="", extras=extras, next=html.escape(_safe_next(next)))
        return HTMLResponse(page)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, key: str = Form(""), next: str = Form("/")) -> Response:
        who = auth.accounts.authenticate(key)
        if who is None:
            page = LOGIN_PAGE.format(
                intro=_intro(auth),
                error='<p class="err" id="login-error">Khóa truy cập không đúng hoặc đã bị thu hồi.</p>',
                extras=auth.login_extras(_safe_next(next)),
                next=html.escape(_safe_next(next)),
            )
            return HTMLResponse(page, status_code=401)
        resp = RedirectResponse(_safe_next(next), status_code=303)
        resp.set_cookie(
            SESSION_COOKIE,
            auth.make_session(who, key.strip()),
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        log.info("workdesk login (role %s)", who.role)  # no user names in logs
        return resp

    @app.get("/logout", include_in_schema=False)
    def logout_form() -> HTMLResponse:
        """A page with the logout button: a GET never changes state (a link or an image cannot log anyone out)."""
        return HTMLResponse(LOGOUT_PAGE)

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        """End the session on the server (the cookie is useless afterwards, even if copied), clear the cookie."""
        value = request.cookies.get(SESSION_COOKIE)
        id_token = auth.session_id_token(value)  # a single sign-on session also ends at the provider
        ended = auth.end_session(value)
        if ended:
            log.info("workdesk logout")
        resp = auth.after_logout(id_token) or RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp


class _WorkdeskGate:
    """ASGI middleware: a browser without a session goes to `/login`; other workdesk requests get 401.

    For a signed-in user it also guards Gradio's own routes: closed prefixes answer 404, each `session_hash` is
    bound to the first user who used it (another user presenting it gets 403: event streams carry answers), only
    administrators may upload files, and every upload is recorded to its uploader in the `UploadLedger`.
    Plain ASGI rather than `BaseHTTPMiddleware`, so Gradio's long-lived event streams pass through untouched.
    """

    def __init__(self, app: ASGIApp, auth: WorkdeskAuth, sessions: SessionBinder, uploads: UploadLedger) -> None:
        self.app = app
        self.auth = auth
        self.sessions = sessions
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(OPEN_PREFIXES) or path in OWN_AUTH_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        who = self.auth.from_request(request)
        if who is None:
            await self._refuse_anonymous(scope, receive, send, request, path)
            return
        if path.startswith(CLOSED_GRADIO_PREFIXES) or self.uploads.serves_upload(path):
            await JSONResponse({"detail": "Không tìm thấy"}, status_code=404)(scope, receive, send)
            return
        if path.startswith("/gradio_api/upload") and path != "/gradio_api/upload_progress":
            if not allowed(who, "upload"):
                await JSONResponse({"detail": "Chỉ quản trị viên được tải tệp lên"}, status_code=403)(
                    scope, receive, send
                )
                return
            send = self._recording_uploads(send, who.name)
        hashes = [request.query_params.get("session_hash")]
        if path.startswith("/gradio_api/heartbeat/"):
            hashes.append(path.rsplit("/", 1)[-1])
        if scope["type"] == "http" and request.method == "POST" and path.rstrip("/") in SESSION_BODY_PATHS:
            body = await _read_body(receive)
            hashes.append(json_body_field(body, "session_hash"))
            receive = _replay(body, receive)
        for h in hashes:
            if h is not None and not self.sessions.allow(str(h), who.name):
                log.warning("refused a Gradio session used by another user")
                await JSONResponse({"detail": "Phiên làm việc không thuộc về bạn"}, status_code=403)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)

    async def _refuse_anonymous(self, scope: Scope, receive: Receive, send: Send, request: Request, path: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            response = RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        else:
            response = JSONResponse({"detail": "Vui lòng đăng nhập"}, status_code=401)
        await response(scope, receive, send)

    def _recording_uploads(self, send: Send, user: str) -> Send:
        """`send` that records the paths Gradio's upload route answers with as `user`'s uploads."""
        chunks: list[bytes] = []
        status = {"code": 0}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status["code"] == 200:
                    try:
                        paths = json.loads(b"".join(chunks))
                    except ValueError:
                        paths = []
                    self.uploads.record(user, [str(p) for p in paths if isinstance(p, str)])
            await send(message)

        return wrapped


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (already bounded by the perimeter's limit)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body over once, then defers to the real one."""
    sent = {"done": False}

    async def wrapped() -> Message:
        if not sent["done"]:
            sent["done"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


# ------------------------------------------------------------------------------------------------ the app


def create_app(
    settings: Settings,
    services: Services,
    accounts: Accounts | None = None,
    bind_host: str = "127.0.0.1",
    workdesk: bool = True,
    operator: OperatorToken | None = None,
) -> FastAPI:
    """The FastAPI app: API under /v1, /healthz, login, and the Gradio workdesk at / (a placeholder without it).

    With `operator` (this server run's token, `ui.operator`), the token is accepted as the local operator's from
    this machine, and the `/v1/operator` routes the `kho` command line uses while this server holds the index
    are open to it (to it alone)."""
    accounts = accounts or Accounts.from_settings(settings)
    auth = WorkdeskAuth.for_settings(settings, accounts, bind_host)
    app = FastAPI(
        docs_url=None,  # served from local assets below (ui/apidocs.py): the default pages need a CDN
        redoc_url=None,
        title="Kho tri thức — API",
        version="1.0",
        description="Trợ lý tra cứu văn bản pháp luật của Bộ Nội vụ (chạy nội bộ, không cần Internet). "
        "Mọi câu trả lời kèm trích dẫn Điều/Khoản đã kiểm chứng; người dùng chỉ truy xuất được văn bản ở cấp "
        "truy cập của mình. Xác thực: `Authorization: Bearer <khóa API>` (cấp bằng `kho users add`).",
    )
    app.state.services = services
    app.state.auth = auth
    install_api_docs(app)
    install_error_handlers(app)
    app.include_router(health_router(services))
    app.include_router(metrics_router(services))
    app.state.resolve_principal = lambda request, key: auth.from_bearer(key, _client_host(request))
    app.include_router(api_router(services))
    if operator is not None:
        auth.add_bearer(operator.resolve)
        app.include_router(operator_router(services, operator))
    sso = SingleSignOn.from_settings(settings)  # None unless KHO_OIDC_ISSUER; a bad SSO setting stops the start
    if sso is not None:
        auth.single_sign_on = True
        auth.add_bearer(sso.bearer)
        auth.login_extras = sso.login_button
        auth.after_logout = sso.after_logout
        install_sso(app, sso, auth, SESSION_COOKIE, SESSION_HOURS * 3600)
    _login_routes(app, auth)
    uploads = UploadLedger(private_dir(settings.upload_tmp_dir))
    app.state.uploads = uploads
    app.add_middleware(_WorkdeskGate, auth=auth, sessions=SessionBinder(), uploads=uploads)
    app.add_middleware(SecurityGate, policy=HttpPolicy.for_settings(settings, bind_host))
    app.add_middleware(HttpMetrics)  # outermost: the perimeter's refusals are counted too
    mounted = workdesk and _mount_workdesk(app, services, auth, uploads)
    if not mounted:

        @app.get("/", include_in_schema=False)
        def placeholder() -> HTMLResponse:
            return HTMLResponse(PLACEHOLDER_PAGE)

    return app


def _mount_workdesk(app: FastAPI, services: Services, auth: WorkdeskAuth, uploads: UploadLedger) -> bool:
    """Mount `ui.workdesk.build_workdesk(services)` at `/`; False when the module is not there."""
    try:
        from ui import workdesk
    except ImportError as exc:
        log.warning("workdesk not available (%s): serving a placeholder page", exc)
        return False
    # Gradio keeps uploads in GRADIO_TEMP_DIR (default: the world-readable system temp): use the private folder.
    os.environ["GRADIO_TEMP_DIR"] = str(uploads.folder)
    import gradio as gr

    def user_id(request: Request) -> str | None:
        who = auth.from_request(request)
        return who.name if who else None

    shelf = ExportShelf(Path(uploads.folder).parent / "exports")

    @app.get("/exports/{token}", include_in_schema=False)
    def export(token: str, request: Request) -> Response:
        who = auth.from_request(request)
        found = shelf.take(who.name, token) if who else None
        if found is None:
            return JSONResponse({"detail": "Không tìm thấy"}, status_code=404)
        path, name = found
        return FileResponse(path, filename=name, media_type=DOCX_TYPE, headers={"Cache-Control": "no-store"})

    @app.get("/documents/{doc_id}/original", include_in_schema=False)
    def original(doc_id: str, request: Request) -> Response:
        """The stored source file of a document, under its original name, for a workdesk session cleared for it
        (`Services.original_file`): anyone else, or a missing document or file, gets the same 404."""
        who = auth.from_request(request)
        try:
            path = services.original_file(who, doc_id) if who else None
        except NotFound:
            path = None
        if path is None:
            return JSONResponse({"detail": "Không tìm thấy"}, status_code=404)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, filename=path.name, media_type=kind, headers={"Cache-Control": "no-store"})

    blocks = workdesk.build_workdesk(services, identify=auth.from_request, uploads=uploads, exports=shelf)
    look: dict[str, Any] = workdesk.mount_options() if hasattr(workdesk, "mount_options") else {}
    # Gradio's own words (upload area, chat buttons, table search, toasts) in Vietnamese for every browser.
    from ui import i18n

    vietnamese = i18n.mount_options()
    look.setdefault("i18n", vietnamese["i18n"])
    look["head"] = (look.get("head") or "") + vietnamese["head"]
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        auth_dependency=user_id,
        footer_links=[],
        run_history=False,
        mcp_server=False,
        show_error=False,
        ssr_mode=False,
        max_file_size=int(services.settings.max_file_bytes),
        **look,
    )
    return True


def check_can_serve(host: str, accounts: Accounts, single_sign_on: bool = False) -> None:
    """Refuse to serve a non-loopback address while no user exists (there would be no way to log in safely);
    with single sign-on configured, the provider's users can log in."""
    if not is_loopback(host) and not accounts.has_users() and not single_sign_on:
        raise RuntimeError(
            f"kho serve --host {host}: không có tài khoản nào, nên không thể mở ra mạng. "
            "Tạo tài khoản trước: `kho users add TEN --role admin --clearance restricted` "
            "(no users exist; run `kho users add` before serving on a non-loopback address)"
        )


def check_not_served(settings: Settings) -> None:
    """Refuse to start a second server on a data dir a live one serves (it holds the index and the discovery file).

    Live means answering with the token of its discovery file, not merely a pid that exists: after a reboot, a
    stale file's pid may belong to any process, and that must not keep the service from starting."""
    from ui.cli.remote import find_server

    running = find_server(settings)
    if running is not None:
        raise RuntimeError(
            f"kho serve: a server is already running on {settings.data_dir} at {running.url} (pid {running.pid}); "
            "stop it first (đã có máy chủ khác đang chạy trên thư mục dữ liệu này)"
        )


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the workdesk and the API with uvicorn until interrupted."""
    import uvicorn

    tighten(settings.ensure_data_dir())  # an install from before 0700/0600 is repaired on the first start
    check_not_served(settings)
    accounts = Accounts.from_settings(settings)
    check_can_serve(host, accounts, single_sign_on=bool(settings.oidc_issuer))
    services = Services(settings)
    try:
        # The port opens at once: pending index work (e.g. a large upload an earlier run did not finish) runs in
        # the background, and a document that cannot be indexed is recorded as failed instead of crash-looping.
        # Then chunks without dense vectors get them, a batch at a time, while it answers (KHO_DENSE_FILL_ON_SERVE).
        services.catch_up_in_background(fill_dense=settings.dense_fill_on_serve)
        # `kho` commands in other processes find this server (and its fresh operator token) in <data_dir>/server.json
        # and send their work here, since the embedded index can only be open in one process (ui/operator.py).
        info = discovery.ServerInfo.for_this_process(host, port)
        app = create_app(settings, services, accounts, bind_host=host, operator=OperatorToken(info.token, host))
        announce(app, settings.data_dir, info)
        dev = not (accounts.ever_had_users() or settings.oidc_issuer)
        mode = " (chế độ phát triển: chưa có tài khoản, chỉ truy cập từ máy này)" if dev else ""
        print(f"Kho tri thức: bàn làm việc số tại http://{host}:{port}/ — API tại /v1, tài liệu API tại /docs{mode}")
        try:
            uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
        finally:
            discovery.withdraw(settings.data_dir, info)  # e.g. the port was taken: uvicorn exits after startup
    finally:
        services.close()
        accounts.close()
