"""`kho serve`: one process serving the Gradio workdesk at `/`, the REST API under `/v1`, and `/healthz`.

Authentication
--------------
- API: `Authorization: Bearer <key>` on every `/v1` request (keys from `kho users add`, stored hashed).
- Workdesk: the user opens `/`, is sent to `/login` (a Vietnamese form) and enters the same API key. The server
  checks it and sets `kho_session`, an HttpOnly, SameSite=Lax cookie holding `user name | key id | expiry`, signed
  with HMAC-SHA256 under a secret kept in `<data_dir>/session.key` (created 0600 on first start). The key itself
  never goes into the cookie. Every workdesk request (page, Gradio API, queue) is checked by Gradio's
  `auth_dependency` and by `principal_for_request`, which re-reads the account each time: revoking a user
  (`kho users revoke`) ends their sessions at once. `/logout` clears the cookie. Sessions last `SESSION_HOURS`.
- Development mode: bound to a loopback address with no users defined, every request from a loopback client is
  the local principal `local-admin` (role admin, clearance restricted), without login. Bound to any other
  address, `kho serve` refuses to start until a user exists, and then nothing is anonymous.

Gradio handlers get the caller with `principal_for_request(request)` (their `request: gr.Request` argument);
None means nobody is logged in (the handler should show "Vui lòng đăng nhập" and do nothing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import secrets
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from core.settings import Settings
from ingest.model import AccessLevel
from ui.accounts import Accounts
from ui.api import api_router, health_router, install_error_handlers
from ui.services import Principal, Services

log = logging.getLogger(__name__)

SESSION_COOKIE = "kho_session"
SESSION_HOURS = 12
LOCAL_PRINCIPAL = Principal("local-admin", "admin", AccessLevel.RESTRICTED)
# Paths that never need a workdesk session: the API (bearer keys), health, the login page, the API docs.
OPEN_PREFIXES = ("/v1/", "/healthz", "/login", "/logout", "/openapi.json", "/docs", "/redoc", "/favicon.ico")


def is_loopback(host: str | None) -> bool:
    """Whether `host` (an address or "localhost") only ever reaches this machine."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class WorkdeskAuth:
    """Who a request comes from: a bearer key, a signed session cookie, or (development mode) the local admin."""

    def __init__(self, accounts: Accounts, secret: bytes, bind_host: str) -> None:
        self.accounts = accounts
        self.secret = secret
        self.bind_host = bind_host

    @classmethod
    def for_settings(cls, settings: Settings, accounts: Accounts, bind_host: str) -> WorkdeskAuth:
        return cls(accounts, session_secret(settings.data_dir / "session.key"), bind_host)

    def dev_mode(self, client_host: str | None) -> bool:
        """No users, bound to loopback, and the client on this machine: the local admin needs no login."""
        return is_loopback(self.bind_host) and is_loopback(client_host) and not self.accounts.has_users()

    # session cookies ------------------------------------------------------------------------------------------
    def _sign(self, payload: bytes) -> str:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest()

    def make_session(self, who: Principal, key: str) -> str:
        """The cookie value for a logged-in user (name, key id, expiry; signed)."""
        key_id = key.split("_")[1]
        payload = json.dumps({"u": who.name, "k": key_id, "exp": int(time.time()) + SESSION_HOURS * 3600})
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._sign(body.encode())}"

    def read_session(self, value: str | None) -> Principal | None:
        """The principal a cookie value stands for, if its signature holds, it has not expired and the key lives."""
        if not value or "." not in value:
            return None
        body, sig = value.rsplit(".", 1)
        if not hmac.compare_digest(self._sign(body.encode()), sig):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            name, key_id, exp = str(data["u"]), str(data["k"]), int(data["exp"])
        except (ValueError, KeyError, TypeError):
            return None
        if exp < time.time():
            return None
        return self.accounts.principal_for_key_id(name, key_id)

    # resolution -----------------------------------------------------------------------------------------------
    def from_bearer(self, key: str | None, client_host: str | None) -> Principal | None:
        """The API's rule: a valid key, or development mode."""
        if key:
            return self.accounts.authenticate(key)
        return LOCAL_PRINCIPAL if self.dev_mode(client_host) else None

    def from_request(self, request: Any) -> Principal | None:
        """The workdesk's rule: a session cookie, else a bearer key, else development mode."""
        headers = _headers(request)
        who = self.read_session(_cookies(request, headers).get(SESSION_COOKIE))
        if who is not None:
            return who
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return self.accounts.authenticate(auth[7:].strip())
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
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return path.read_bytes()


_AUTH: WorkdeskAuth | None = None  # set by create_app: the workdesk served by this process


def principal_for_request(request: Any) -> Principal | None:
    """The logged-in principal of a workdesk request (a `gr.Request` or a Starlette request), or None.

    Gradio handlers call it with their `request: gr.Request` argument on every event; None means not logged in.
    """
    if _AUTH is None:
        return None
    return _AUTH.from_request(request)


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
<p>Trợ lý tra cứu văn bản pháp luật. Nhập khóa truy cập do quản trị viên cấp.</p>
{error}
<form method="post" action="/login">
<label for="key">Khóa truy cập</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{next}">
<button type="submit" id="login-button">Đăng nhập</button>
</form></main></body></html>
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


def _login_routes(app: FastAPI, auth: WorkdeskAuth) -> None:
    @app.get("/login", include_in_schema=False)
    def login_form(next: str = "/") -> HTMLResponse:
        return HTMLResponse(LOGIN_PAGE.format(error="", next=html.escape(_safe_next(next))))

    @app.post("/login", include_in_schema=False)
    def login(request: Request, key: str = Form(""), next: str = Form("/")) -> Response:
        who = auth.accounts.authenticate(key)
        if who is None:
            page = LOGIN_PAGE.format(
                error='<p class="err" id="login-error">Khóa truy cập không đúng hoặc đã bị thu hồi.</p>',
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
        log.info("workdesk login: %s (%s)", who.name, who.role)
        return resp

    @app.get("/logout", include_in_schema=False)
    def logout() -> Response:
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp


class _WorkdeskGate:
    """ASGI middleware: a browser without a session goes to `/login`; other workdesk requests get 401.

    Plain ASGI rather than `BaseHTTPMiddleware`, so Gradio's long-lived event streams pass through untouched.
    """

    def __init__(self, app: ASGIApp, auth: WorkdeskAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(OPEN_PREFIXES) or path == "/v1":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.auth.from_request(request) is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response: Response
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            response = RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        else:
            response = JSONResponse({"detail": "Vui lòng đăng nhập"}, status_code=401)
        await response(scope, receive, send)


# ------------------------------------------------------------------------------------------------ the app


def create_app(
    settings: Settings,
    services: Services,
    accounts: Accounts | None = None,
    bind_host: str = "127.0.0.1",
    workdesk: bool = True,
) -> FastAPI:
    """The FastAPI app: API under /v1, /healthz, login, and the Gradio workdesk at / (a placeholder without it)."""
    global _AUTH
    accounts = accounts or Accounts.from_settings(settings)
    auth = WorkdeskAuth.for_settings(settings, accounts, bind_host)
    _AUTH = auth
    app = FastAPI(
        title="Kho tri thức — API",
        version="1.0",
        description="Trợ lý tra cứu văn bản pháp luật của Bộ Nội vụ (chạy nội bộ, không cần Internet). "
        "Mọi câu trả lời kèm trích dẫn Điều/Khoản đã kiểm chứng; người dùng chỉ truy xuất được văn bản ở cấp "
        "truy cập của mình. Xác thực: `Authorization: Bearer <khóa API>` (cấp bằng `kho users add`).",
    )
    app.state.services = services
    app.state.auth = auth
    install_error_handlers(app)
    app.include_router(health_router(services))
    app.state.resolve_principal = lambda request, key: auth.from_bearer(key, _client_host(request))
    app.include_router(api_router(services))
    _login_routes(app, auth)
    app.add_middleware(_WorkdeskGate, auth=auth)
    mounted = workdesk and _mount_workdesk(app, services, auth)
    if not mounted:

        @app.get("/", include_in_schema=False)
        def placeholder() -> HTMLResponse:
            return HTMLResponse(PLACEHOLDER_PAGE)

    return app


def _mount_workdesk(app: FastAPI, services: Services, auth: WorkdeskAuth) -> bool:
    """Mount `ui.workdesk.build_workdesk(services)` at `/`; False when the module is not there."""
    try:
        from ui import workdesk
    except ImportError as exc:
        log.warning("workdesk not available (%s): serving a placeholder page", exc)
        return False
    import gradio as gr

    def user_id(request: Request) -> str | None:
        who = auth.from_request(request)
        return who.name if who else None

    blocks = workdesk.build_workdesk(services)
    look: dict[str, Any] = workdesk.mount_options() if hasattr(workdesk, "mount_options") else {}
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


def check_can_serve(host: str, accounts: Accounts) -> None:
    """Refuse to serve a non-loopback address while no user exists (there would be no way to log in safely)."""
    if not is_loopback(host) and not accounts.has_users():
        raise RuntimeError(
            f"kho serve --host {host}: không có tài khoản nào, nên không thể mở ra mạng. "
            "Tạo tài khoản trước: `kho users add TEN --role admin --clearance restricted` "
            "(no users exist; run `kho users add` before serving on a non-loopback address)"
        )


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the workdesk and the API with uvicorn until interrupted."""
    import uvicorn

    accounts = Accounts.from_settings(settings)
    check_can_serve(host, accounts)
    services = Services.from_settings(settings)
    try:
        services.warm()
        app = create_app(settings, services, accounts, bind_host=host)
        mode = "" if accounts.has_users() else " (chế độ phát triển: chưa có tài khoản, chỉ truy cập từ máy này)"
        print(f"Kho tri thức: bàn làm việc số tại http://{host}:{port}/ — API tại /v1, tài liệu API tại /docs{mode}")
        uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
    finally:
        services.close()
        accounts.close()
