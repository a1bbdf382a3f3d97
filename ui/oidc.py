"""Single sign-on with the ministry's OpenID Connect provider: workdesk login, and the provider's tokens on the API.

On when `KHO_OIDC_ISSUER` is set (with `KHO_OIDC_CLIENT_ID`, `KHO_OIDC_CLIENT_SECRET`, `KHO_PUBLIC_URL` and a
group → role map, see `app.sso`); otherwise nothing here runs and API keys are the only credentials.

Workdesk login (authorization code flow, authlib's OAuth2 client):
1. `GET /login/sso?next=/` makes a fresh `state`, `nonce` and PKCE verifier, keeps them server-side
   (`PendingLogins`: one use, ten minutes), binds the state to the browser with a short-lived HttpOnly cookie
   (`kho_sso_state`, path `/login/sso`) and sends the browser to the provider.
2. The provider sends it back to `GET /login/sso/callback?code&state`. The state must be pending and equal to the
   browser's cookie (a callback forged or replayed by another site is refused); the code is exchanged with the
   verifier; the ID token must carry a valid signature from the provider's JWKS, `iss` = the issuer, `aud` = our
   client id, an unexpired `exp`, and our `nonce`. The groups come from the ID token or, when the provider keeps
   them for the userinfo endpoint, from there. `app.sso.SsoPolicy` turns them into a `Principal`; a user with
   no mapped role gets "Tài khoản chưa được cấp quyền sử dụng Kho tri thức".
3. The same server-side session a key login opens (`Accounts.open_sso_session`), the same signed cookie.
   `POST /logout` ends it on our side and, when the provider has an `end_session_endpoint`, sends the browser
   there (RP-initiated logout: `id_token_hint`, `client_id`, `post_logout_redirect_uri` = `<public url>/login`).
Redirect addresses are built from `KHO_PUBLIC_URL`, never from the request's Host header. The callback is a GET,
which the perimeter's cross-site check lets through; its own state/cookie/nonce checks are what protects it.

API bearer tokens from the provider (`SingleSignOn.bearer`, added after the API keys): a JWT access token is
checked against the JWKS (signature, `iss`, `exp`, `aud` in `KHO_OIDC_AUDIENCE` or the client id, or `azp` = the
client id; an ID token is not an access token and is refused); an opaque one is asked about at the provider's
introspection endpoint (`active`, issued to our client), which is also how a revoked token stops working. Answers
are cached for `KHO_OIDC_TOKEN_CACHE_S` (by the token's SHA-256, never the token). Groups missing from the token
are read from the userinfo endpoint. Provider metadata (discovery) is fetched once; the JWKS once, and again when a
token names a key it does not hold (key rotation).

Logs never name the user: a login logs its role only.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.common.security import is_secure_transport
from authlib.integrations.httpx_client import OAuth2Client
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from app.permissions import Principal
from app.sso import NotEntitled, SsoConfigError, SsoPolicy
from core.settings import Settings

log = logging.getLogger(__name__)

STATE_COOKIE = "kho_sso_state"
LOGIN_PATH = "/login/sso"
CALLBACK_PATH = "/login/sso/callback"
PENDING_SECONDS = 600  # how long a browser may take at the provider's login page
PENDING_MAX = 10_000  # logins in flight kept at most (the oldest are dropped first)
CACHE_MAX = 10_000  # introspected tokens remembered at most
HTTP_TIMEOUT_S = 10.0
# Asymmetric signatures only: an HMAC-signed token would be checked with the client secret, which we share.
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519")
LEEWAY_S = 60  # clock difference tolerated between us and the provider for exp/iat/nbf
JWKS_REFRESH_S = 60  # a token naming an unknown key fetches the JWKS again at most this often


class OidcError(Exception):
    """The provider could not be reached or answered something unusable (the message says what, never a token)."""


@dataclass(frozen=True)
class OidcConfig:
    """The single sign-on settings, checked: `from_settings` raises `SsoConfigError` naming the bad setting."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str
    public_url: str
    audiences: frozenset[str]
    token_cache_s: float
    policy: SsoPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig:
        issuer = (settings.oidc_issuer or "").strip().rstrip("/")
        if not issuer or not is_secure_transport(issuer):
            raise SsoConfigError(f"KHO_OIDC_ISSUER: '{issuer}' must be an https:// URL (http only on loopback)")
        if not settings.oidc_client_id.strip():
            raise SsoConfigError("KHO_OIDC_CLIENT_ID: required with KHO_OIDC_ISSUER")
        public = (settings.public_url or "").strip().rstrip("/")
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise SsoConfigError(
                f"KHO_PUBLIC_URL: '{public}' must be the server's address, e.g. https://kho.noivu.gov.vn "
                "(required with KHO_OIDC_ISSUER: the provider sends users back there)"
            )
        scopes = " ".join(settings.oidc_scopes.split())
        if "openid" not in scopes.split():
            raise SsoConfigError(f"KHO_OIDC_SCOPES: '{scopes}' must include 'openid'")
        audiences = frozenset(a.strip() for a in settings.oidc_audience.split(",") if a.strip())
        return cls(
            issuer=issuer,
            client_id=settings.oidc_client_id.strip(),
            client_secret=settings.oidc_client_secret,
            scopes=scopes,
            public_url=public,
            audiences=audiences or frozenset({settings.oidc_client_id.strip()}),
            token_cache_s=settings.oidc_token_cache_s,
            policy=SsoPolicy.from_settings(settings),
        )

    @property
    def redirect_uri(self) -> str:
        return self.public_url + CALLBACK_PATH

    @property
    def after_logout_uri(self) -> str:
        return self.public_url + "/login"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


@dataclass(frozen=True)
class PendingLogin:
    """What a login sent to the provider must come back with."""

    nonce: str
    verifier: str
    next: str
    created: float


class PendingLogins:
    """Logins in flight, by state: each taken at most once, within `PENDING_SECONDS`; thread-safe and bounded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, PendingLogin] = OrderedDict()

    def add(self, next_path: str) -> tuple[str, PendingLogin]:
        state = secrets.token_urlsafe(32)
        pending = PendingLogin(secrets.token_urlsafe(32), secrets.token_urlsafe(48), next_path, time.monotonic())
        with self._lock:
            self._items[state] = pending
            while len(self._items) > PENDING_MAX:
                self._items.popitem(last=False)
        return state, pending

    def take(self, state: str) -> PendingLogin | None:
        with self._lock:
            pending = self._items.pop(state, None)
        if pending is None or time.monotonic() - pending.created > PENDING_SECONDS:
            return None
        return pending


class TokenCache:
    """Principals (or refusals) of recently checked bearer tokens, by SHA-256, for at most `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> tuple[bool, Principal | None]:
        """(found, principal)."""
        if self.ttl <= 0:
            return False, None
        with self._lock:
            hit = self._items.get(self.key(token))
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, token: str, who: Principal | None, expires_at: float | None) -> None:
        if self.ttl <= 0:
            return
        until = time.monotonic() + self.ttl
        if expires_at is not None:  # never beyond the token's own expiry
            until = min(until, time.monotonic() + max(0.0, expires_at - time.time()))
        with self._lock:
            self._items[self.key(token)] = (until, who)
            while len(self._items) > CACHE_MAX:
                self._items.popitem(last=False)


def is_access_token(header: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether a verified JWT is an access token rather than an ID token (both are signed by the same keys, and an
    ID token's audience is our client): typed `at+jwt` (RFC 9068), or carrying a scope (`scope`, or `scp` as Azure
    AD and ADFS write it) and neither a `nonce` nor Keycloak's `typ: ID`."""
    if str(header.get("typ", "")).lower() in ("at+jwt", "application/at+jwt"):
        return True
    if "nonce" in claims or claims.get("typ") == "ID":
        return False
    return "scope" in claims or "scp" in claims


class OidcProvider:
    """The provider as this server talks to it: discovery, JWKS, the code exchange, introspection, userinfo."""

    def __init__(self, config: OidcConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_fetched = 0.0

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=HTTP_TIMEOUT_S, transport=self._transport, follow_redirects=False)

    def _oauth(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope=self.config.scopes,
            redirect_uri=self.config.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
            timeout=HTTP_TIMEOUT_S,
            transport=self._transport,
        )

    @property
    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, fetched on first use and kept (its issuer must be ours)."""
        with self._lock:
            if self._metadata is None:
                url = self.config.issuer + "/.well-known/openid-configuration"
                doc = self._get_json(url, "discovery")
                if str(doc.get("issuer", "")).rstrip("/") != self.config.issuer:
                    raise OidcError(f"discovery: the provider's issuer is '{doc.get('issuer')}', not KHO_OIDC_ISSUER")
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(doc.get(name), str) or not is_secure_transport(doc[name]):
                        raise OidcError(f"discovery: '{name}' is missing or not https")
                self._metadata = doc
            return self._metadata

    @property
    def issuer(self) -> str:
        """The issuer exactly as the provider writes it (with its trailing slash, if it has one): what `iss` holds."""
        return str(self.metadata["issuer"])

    def endpoint(self, name: str) -> str | None:
        value = self.metadata.get(name)
        return value if isinstance(value, str) and is_secure_transport(value) else None

    def _get_json(self, url: str, what: str, token: str | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            with self._http() as http:
                resp = http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise OidcError(f"{what}: provider unreachable ({type(exc).__name__})") from None
        if resp.status_code != 200:
            raise OidcError(f"{what}: provider answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            raise OidcError(f"{what}: not JSON") from None
        if not isinstance(data, dict):
            raise OidcError(f"{what}: not a JSON object")
        return data

    def keys(self, refresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS), fetched once and again on `refresh` (a key we do not hold)."""
        with self._lock:
            keys = self._keys
        if keys is None or refresh:
            jwks_uri = self.metadata["jwks_uri"]
            try:
                keys = KeySet.import_key_set(self._get_json(jwks_uri, "jwks"))  # type: ignore[arg-type]
            except JoseError as exc:
                raise OidcError(f"jwks: unusable key set ({type(exc).__name__})") from None
            with self._lock:
                self._keys = keys
                self._keys_fetched = time.monotonic()
        return keys

    def verify_jwt(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(header, claims) of a JWT signed by one of the provider's keys (`JoseError` when it is not). A key id we
        do not hold fetches the key set again (key rotation), at most once a minute whatever tokens arrive."""
        try:
            decoded = jwt.decode(token, self.keys(), algorithms=SIGNING_ALGS)
        except InvalidKeyIdError:
            with self._lock:
                recent = time.monotonic() - self._keys_fetched < JWKS_REFRESH_S
            if recent:
                raise
            decoded = jwt.decode(token, self.keys(refresh=True), algorithms=SIGNING_ALGS)
        return dict(decoded.header), dict(decoded.claims)

    # -- the login -----------------------------------------------------------------------------------------------
    def authorization_url(self, state: str, pending: PendingLogin) -> str:
        with self._oauth() as client:
            url, _ = client.create_authorization_url(
                self.metadata["authorization_endpoint"],
                state=state,
                code_verifier=pending.verifier,
                nonce=pending.nonce,
            )
        return str(url)

    def exchange(self, code: str, pending: PendingLogin) -> dict[str, Any]:
        """The token response for an authorization code (client authenticated, PKCE verifier sent)."""
        try:
            with self._oauth() as client:
                token = client.fetch_token(
                    self.metadata["token_endpoint"], grant_type="authorization_code", code=code,
                    code_verifier=pending.verifier,
                )  # fmt: skip
        except Exception as exc:  # authlib raises its OAuthError, httpx its own; neither message holds a secret
            raise OidcError(f"token: the code exchange failed ({type(exc).__name__}: {str(exc)[:200]})") from None
        return dict(token)

    def id_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The verified claims of an ID token: signature, iss, aud (and azp), exp, iat, nonce."""
        _, claims = self.verify_jwt(id_token)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcError("id_token: several audiences and 'azp' is not our client id")
        return claims

    def userinfo(self, access_token: str) -> dict[str, Any]:
        url = self.endpoint("userinfo_endpoint")
        return self._get_json(url, "userinfo", access_token) if url else {}

    # -- API tokens ----------------------------------------------------------------------------------------------
    def access_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a valid access token issued for this service, or None. A JWT is checked locally against the
        JWKS; anything else is introspected (RFC 7662)."""
        if token.count(".") == 2:
            return self._jwt_access_claims(token)
        return self._introspected_claims(token)

    def _jwt_access_claims(self, token: str) -> dict[str, Any] | None:
        try:
            header, claims = self.verify_jwt(token)
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY_S,
                iss={"essential": True, "value": self.issuer},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(claims)
        except JoseError:
            return None
        if not is_access_token(header, claims):  # an ID token says who logged in; it grants nothing
            return None
        aud = claims.get("aud")
        audiences = set(aud) if isinstance(aud, list) else {aud} if isinstance(aud, str) else set()
        if not audiences & self.config.audiences and claims.get("azp") != self.config.client_id:
            return None
        return claims

    def _introspected_claims(self, token: str) -> dict[str, Any] | None:
        url = self.endpoint("introspection_endpoint")
        if url is None:
            return None
        try:
            with self._oauth() as client:
                resp = client.introspect_token(url, token=token, token_type_hint="access_token")
        except httpx.HTTPError as exc:
            raise OidcError(f"introspection: provider unreachable ({type(exc).__name__})") from None
        if resp.status_code != 200:
            raise OidcError(f"introspection: provider answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            raise OidcError("introspection: not JSON") from None
        if not isinstance(data, dict) or data.get("active") is not True:
            return None
        if data.get("token_type") not in (None, "Bearer", "access_token"):
            return None
        aud = data.get("aud")
        audiences = set(aud) if isinstance(aud, list) else {aud} if isinstance(aud, str) else set()
        if data.get("client_id") != self.config.client_id and not audiences & self.config.audiences:
            return None
        if data.get("iss", self.issuer) != self.issuer:
            return None
        return {"iss": self.issuer, **data}

    def logout_url(self, id_token: str | None) -> str | None:
        """The provider's RP-initiated logout address for a session opened with `id_token`, or None."""
        url = self.endpoint("end_session_endpoint")
        if url is None:
            return None
        params = {"client_id": self.config.client_id, "post_logout_redirect_uri": self.config.after_logout_uri}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


class SessionOpener(Protocol):
    """What the login needs from the server's auth (`ui.server.WorkdeskAuth`): a new workdesk session for a
    principal, as the signed cookie value."""

    def sso_session(self, who: Principal, id_token: str | None) -> str: ...


class SingleSignOn:
    """Login, callback, logout target and bearer resolution for one provider (see the module docstring)."""

    def __init__(self, config: OidcConfig, provider: OidcProvider | None = None) -> None:
        self.config = config
        self.provider = provider or OidcProvider(config)
        self.pending = PendingLogins()
        self.cache = TokenCache(config.token_cache_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> SingleSignOn | None:
        """None when `KHO_OIDC_ISSUER` is unset; `SsoConfigError` naming the setting when one is wrong."""
        return cls(OidcConfig.from_settings(settings)) if settings.oidc_issuer else None

    def principal(self, claims: Mapping[str, Any], access_token: str | None) -> Principal:
        """`SsoPolicy.principal` over the claims, reading the groups from userinfo when the claims lack them."""
        if self.config.policy.groups_claim.split(".")[0] not in claims and access_token:
            extra = self.provider.userinfo(access_token)
            if extra.get("sub") == claims.get("sub"):
                claims = {**extra, **claims}
        return self.config.policy.principal(claims)

    def bearer(self, token: str, client_host: str | None) -> Principal | None:
        """The principal of a provider-issued access token, or None (not one, invalid, revoked, no mapped role)."""
        if not token or token.startswith("kho_") or len(token) > 8192:
            return None
        found, who = self.cache.get(token)
        if found:
            return who
        try:
            claims = self.provider.access_claims(token)
            who = self.principal(claims, token) if claims is not None else None
        except NotEntitled:
            who = None
        except OidcError as exc:
            log.warning("single sign-on token check failed: %s", exc)
            return None  # not cached: the provider may be back on the next request
        exp = claims.get("exp") if claims else None
        self.cache.put(token, who, float(exp) if isinstance(exp, int | float) else None)
        return who

    def login_button(self, next_path: str) -> str:
        """The login page's SSO button (HTML), returning to `next_path` afterwards."""
        href = html.escape(f"{LOGIN_PATH}?{urlencode({'next': next_path})}")
        return (
            f'<p><a id="sso-login" href="{href}" style="display:block;text-align:center;padding:10px;'
            'border-radius:6px;background:#1f4e8c;color:#fff;text-decoration:none;font-size:1rem">'
            "Đăng nhập bằng tài khoản một lần (SSO)</a></p>"
            '<p style="text-align:center">hoặc dùng khóa truy cập</p>'
        )

    def after_logout(self, id_token: str | None) -> Response | None:
        """After our session of a single sign-on user ended: a page taking the browser to the provider's logout.
        A page, not a redirect, because the logout is a form POST and CSP `form-action 'self'` would stop a
        redirect to another site."""
        url = self.provider.logout_url(id_token) if id_token else None
        if url is None:
            return None
        return HTMLResponse(LEAVING_PAGE.format(url=html.escape(url)))


def _safe_next(value: str | None) -> str:
    """A local path to return to after login (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


LEAVING_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={url}">
<title>Đăng xuất — Kho tri thức</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px;color:#1f2937">
<h1 style="font-size:1.3rem;color:#8b1a1a">Kho tri thức — Bộ Nội vụ</h1>
<p>Đã đăng xuất khỏi Kho tri thức. Đang chuyển tới trang đăng xuất của hệ thống đăng nhập một lần…</p>
<p><a id="sso-logout" href="{url}">Tiếp tục đăng xuất</a></p></body></html>
"""

REFUSED_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Đăng nhập — Kho tri thức</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px;color:#1f2937">
<h1 style="font-size:1.3rem;color:#8b1a1a">Kho tri thức — Bộ Nội vụ</h1>
<p class="err" id="sso-error" style="color:#b91c1c;font-weight:600">{message}</p>
<p><a href="/login">Quay lại trang đăng nhập</a></p></body></html>
"""


def _refused(message: str, status: int) -> HTMLResponse:
    return HTMLResponse(REFUSED_PAGE.format(message=html.escape(message)), status_code=status)


def sso_router(sso: SingleSignOn, opener: SessionOpener, cookie_name: str, max_age_s: int) -> APIRouter:
    """`GET /login/sso` and `GET /login/sso/callback`; a successful callback sets `cookie_name` to the session
    `opener.sso_session` opens."""
    router = APIRouter(include_in_schema=False)
    secure = sso.config.secure_cookies

    @router.get(LOGIN_PATH)
    def start(next: str = "/") -> Response:
        state, pending = sso.pending.add(_safe_next(next))
        try:
            url = sso.provider.authorization_url(state, pending)
        except OidcError as exc:
            log.warning("single sign-on unavailable: %s", exc)
            return _refused("Hệ thống đăng nhập một lần đang không truy cập được. Vui lòng thử lại sau.", 503)
        resp = RedirectResponse(url, status_code=302)
        resp.set_cookie(
            STATE_COOKIE, state, max_age=PENDING_SECONDS, httponly=True, samesite="lax", secure=secure, path=LOGIN_PATH
        )
        return resp

    @router.get(CALLBACK_PATH)
    def callback(request: Request) -> Response:
        params = request.query_params
        state = params.get("state") or ""
        browser_state = request.cookies.get(STATE_COOKIE) or ""
        same_browser = bool(state) and hmac.compare_digest(state.encode(), browser_state.encode())
        pending = sso.pending.take(state) if same_browser else None
        if pending is None:
            log.warning("single sign-on callback refused: unknown, expired or foreign state")
            return _forget_state(_refused("Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.", 400))
        if params.get("error"):
            log.info("single sign-on login ended at the provider (%s)", params.get("error", "")[:60])
            return _forget_state(_refused("Đăng nhập một lần không thành công. Vui lòng thử lại.", 401))
        issuer = params.get("iss")  # RFC 9207: when the provider names itself, it must be ours (mix-up attacks)
        if issuer is not None and issuer != sso.provider.issuer:
            return _forget_state(_refused("Phiên đăng nhập không hợp lệ. Vui lòng đăng nhập lại.", 400))
        code = params.get("code") or ""
        try:
            token = sso.provider.exchange(code, pending)
            id_token = str(token.get("id_token") or "")
            if not id_token:
                raise OidcError("token: no id_token in the response")
            claims = sso.provider.id_claims(id_token, pending.nonce)
            who = sso.principal(claims, token.get("access_token"))
        except NotEntitled as exc:
            log.info("single sign-on login refused: no role mapped to the user's groups")
            return _forget_state(_refused(str(exc), 403))
        except (OidcError, JoseError) as exc:
            log.warning("single sign-on login failed: %s", exc if isinstance(exc, OidcError) else type(exc).__name__)
            return _forget_state(_refused("Không xác minh được đăng nhập một lần. Vui lòng đăng nhập lại.", 401))
        resp = RedirectResponse(pending.next, status_code=303)
        resp.set_cookie(
            cookie_name,
            opener.sso_session(who, id_token),
            max_age=max_age_s,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
        log.info("workdesk single sign-on login (role %s)", who.role)  # no user names in logs
        return _forget_state(resp)

    return router


def _forget_state(resp: Response) -> Response:
    resp.delete_cookie(STATE_COOKIE, path=LOGIN_PATH)
    return resp


def install_sso(app: FastAPI, sso: SingleSignOn, opener: SessionOpener, cookie_name: str, max_age_s: int) -> None:
    """Mount the login routes (the caller adds `sso.bearer`, `sso.login_button` and `sso.after_logout` to its auth)."""
    app.state.sso = sso
    app.include_router(sso_router(sso, opener, cookie_name, max_age_s))
