"""Single sign-on against a real OpenID Connect provider process: panva's `oidc-provider` (OpenID Certified), run
with node from `make oidc-deps`'s install under ~/.cache/kho/oidc-provider and configured by tests/oidc/provider.mjs.

The tests drive the whole flow over real HTTP with httpx, as a browser would (cookies, redirects, the provider's
own login and consent forms): the workdesk sends the user to the provider, the provider back to the callback, and
the session the server opens has the role and clearance the user's groups map to. The provider's access tokens are
then used on `/v1` as bearer tokens. Nothing is mocked; the only reach inside is the one test that gives a pending
login a different nonce, standing for an ID token minted for another login.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from authlib.integrations.httpx_client import OAuth2Client

from app.accounts import Accounts
from app.services import Services
from app.sso import NOT_ENTITLED, SsoConfigError, SsoPolicy, sso_name
from core.settings import Settings
from ingest.model import AccessLevel
from tests.browser import ARTIFACTS, start_chromium
from tests.test_api import SECRET_QUESTION, free_port, no_secret
from tests.test_assistant import injected_world
from tests.test_index_search import World
from tests.test_services import RESTRICTED_NUMBER, make_services
from ui.oidc import STATE_COOKIE, is_access_token
from ui.server import SESSION_COOKIE, check_can_serve, create_app

PROVIDER_DIR = Path(os.environ.get("KHO_OIDC_PROVIDER_DIR", "~/.cache/kho/oidc-provider")).expanduser()
PROVIDER_SCRIPT = Path(__file__).parent / "oidc" / "provider.mjs"
CLIENT_ID = "kho-workdesk"
CLIENT_SECRET = "kho-test-secret-not-for-production"  # the test provider's client (tests/oidc/provider.mjs)
ROLE_MAP = "kho-admin=admin,kho-legal=legal,kho-staff=staff"
CLEARANCE_MAP = "kho-mat=restricted,kho-noibo=internal"
API_RESOURCE = "urn:kho:api"  # the test provider's resource server: its access tokens are JWTs


# ------------------------------------------------------------------------------------------- the mapping alone


def policy(default_role: str = "") -> SsoPolicy:
    return SsoPolicy.parse("groups", ROLE_MAP, CLEARANCE_MAP, default_role, "public")


def test_the_highest_mapped_role_and_clearance_win() -> None:
    who = policy().principal({"iss": "https://idp", "sub": "7", "groups": ["kho-staff", "kho-legal", "kho-noibo"]})
    assert (who.role, who.clearance) == ("legal", AccessLevel.INTERNAL)


def test_a_user_with_no_mapped_group_is_refused_unless_a_default_role_is_set() -> None:
    claims = {"iss": "https://idp", "sub": "8", "groups": ["phong-khac"]}
    with pytest.raises(Exception, match=NOT_ENTITLED):
        policy().principal(claims)
    who = policy(default_role="staff").principal(claims)
    assert (who.role, who.clearance) == ("staff", AccessLevel.PUBLIC)


def test_the_local_name_is_stable_per_issuer_and_subject_and_is_not_the_login() -> None:
    a = policy().principal({"iss": "https://idp", "sub": "tp.phapche", "groups": ["kho-admin"]})
    assert a.name == sso_name("https://idp", "tp.phapche") and "phapche" not in a.name
    assert sso_name("https://other-idp", "tp.phapche") != a.name


def test_groups_can_come_from_a_nested_claim_like_keycloak_realm_roles() -> None:
    nested = SsoPolicy.parse("realm_access.roles", "kho-admin=admin", "", "", "internal")
    who = nested.principal({"iss": "https://kc", "sub": "1", "realm_access": {"roles": ["offline", "kho-admin"]}})
    assert (who.role, who.clearance) == ("admin", AccessLevel.INTERNAL)


@pytest.mark.parametrize(
    ("header", "claims", "access"),
    [
        ({"typ": "at+jwt"}, {"scope": "openid api"}, True),  # RFC 9068 (oidc-provider's resource tokens)
        ({"typ": "JWT"}, {"typ": "Bearer", "scope": "openid profile", "azp": CLIENT_ID}, True),  # Keycloak access
        ({"typ": "JWT"}, {"scp": "user_impersonation"}, True),  # ADFS / Azure AD access token
        ({"typ": "JWT"}, {"typ": "ID", "azp": CLIENT_ID}, False),  # Keycloak ID token
        ({"typ": "JWT"}, {"nonce": "n", "scope": "openid"}, False),  # an ID token with a scope claim
        ({}, {"aud": CLIENT_ID, "at_hash": "x"}, False),  # an ID token without a nonce (no scope either)
    ],
)
def test_an_id_token_is_never_taken_for_an_access_token(header: dict, claims: dict, access: bool) -> None:  # type: ignore[type-arg]
    assert is_access_token(header, claims) is access


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("oidc_role_map", "kho-admin=boss", "KHO_OIDC_ROLE_MAP"),
        ("oidc_role_map", "kho-admin", "KHO_OIDC_ROLE_MAP"),
        ("oidc_clearance_map", "kho-mat=secret", "KHO_OIDC_CLEARANCE_MAP"),
        ("oidc_default_clearance", "top", "KHO_OIDC_DEFAULT_CLEARANCE"),
        ("public_url", "", "KHO_PUBLIC_URL"),
        ("public_url", "https://kho.example/app?x=1", "KHO_PUBLIC_URL"),
        ("oidc_issuer", "http://idp.example", "KHO_OIDC_ISSUER"),
        ("oidc_client_id", "", "KHO_OIDC_CLIENT_ID"),
        ("oidc_scopes", "profile groups", "KHO_OIDC_SCOPES"),
    ],
)
def test_a_bad_sso_setting_stops_the_server_naming_the_setting(
    tmp_path: Path, field: str, value: str, named: str
) -> None:
    good = {
        "data_dir": tmp_path,
        "public_url": "https://kho.example",
        "oidc_issuer": "https://idp.example",
        "oidc_client_id": CLIENT_ID,
        "oidc_role_map": ROLE_MAP,
    }
    settings = Settings(**{**good, field: value})  # type: ignore[arg-type]
    services = Services(settings)
    try:
        with pytest.raises(SsoConfigError, match=named):
            create_app(settings, services, workdesk=False)
    finally:
        services.close()


@pytest.mark.parametrize("issuer", [None, "https://idp.invalid"])
def test_with_sso_configured_there_is_no_anonymous_development_mode(tmp_path: Path, issuer: str | None) -> None:
    """Before any local user exists, a loopback server lets loopback clients in as the local admin, unless an
    OpenID provider is configured: its users are real users (and a reverse proxy on this machine is loopback too).
    The provider is never contacted here (discovery happens at the first login)."""
    settings = Settings(
        data_dir=tmp_path,
        public_url="https://kho.example",
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_role_map=ROLE_MAP,
    )
    services, accounts = Services(settings), Accounts.from_settings(settings)
    port = free_port()
    server = Server(create_app(settings, services, accounts, workdesk=False), port)
    try:
        docs = httpx.get(f"http://127.0.0.1:{port}/v1/documents", timeout=30)
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=30)
        started = httpx.get(f"http://127.0.0.1:{port}/login/sso", timeout=30)
        if issuer is not None:
            check_can_serve("0.0.0.0", accounts, single_sign_on=True)  # the provider's users can log in
            with pytest.raises(RuntimeError, match="no users exist"):
                check_can_serve("0.0.0.0", accounts)
    finally:
        server.stop()
        services.close()
        accounts.close()
    if issuer is None:
        assert docs.status_code == 200 and "sso-login" not in login.text and started.status_code == 404
    else:
        assert docs.status_code == 401 and "sso-login" in login.text
        assert started.status_code == 503  # idp.invalid cannot be reached: said in Vietnamese
        assert "Hệ thống đăng nhập một lần đang không truy cập được" in started.text


# ------------------------------------------------------------------------------------------- the real provider


def start_provider(workdir: Path, client_url: str) -> tuple[subprocess.Popen[str], str]:
    """Start tests/oidc/provider.mjs on a free port; (process, issuer). Fails (never skips) without node or the
    provider package: `make test` installs both (`make oidc-deps`)."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        pytest.fail(
            f"the OpenID provider for the SSO tests is not installed (node: {node}, {PROVIDER_DIR}): "
            "run `make oidc-deps`"
        )
    shutil.copy(PROVIDER_SCRIPT, workdir / "provider.mjs")
    (workdir / "node_modules").symlink_to(PROVIDER_DIR / "node_modules")
    port = free_port()
    env = {**os.environ, "KHO_TEST_OIDC_PORT": str(port), "KHO_TEST_OIDC_CLIENT_URL": client_url}
    proc = subprocess.Popen(
        [node, "provider.mjs"], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = []
    for line in proc.stdout:  # the provider prints `ready <issuer>` once it listens; it exits on a bad config
        output.append(line)
        if line.startswith("ready "):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep draining its warnings
            return proc, line.split(" ", 1)[1].strip()
    proc.wait()
    pytest.fail("the OpenID provider did not start:\n" + "".join(output))


class Server:
    """uvicorn serving an app on `port` in a thread (the port is chosen first: the provider needs the address)."""

    def __init__(self, app: object, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Sso:
    url: str  # the workdesk/API server
    issuer: str
    app: object
    services: Services
    admin_key: str

    def browser(self) -> httpx.Client:
        return httpx.Client(timeout=30, headers={"Accept": "text/html"})

    def session(self, browser: httpx.Client):  # type: ignore[no-untyped-def]
        """The principal the server's session store holds for the browser's session cookie (None: no session)."""
        return self.app.state.auth.read_session(browser.cookies.get(SESSION_COOKIE))  # type: ignore[attr-defined]

    def restricted_id(self) -> str:
        from tests.test_services import ADMIN

        return next(d.id for d in self.services.list_documents(ADMIN) if d.meta.so_hieu == RESTRICTED_NUMBER)


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sso]:
    root = tmp_path_factory.mktemp("sso")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    provider_dir = root / "provider"
    provider_dir.mkdir()
    proc, issuer = start_provider(provider_dir, url)
    world: World = injected_world(root / "world")
    services = make_services(world)
    accounts = Accounts.from_settings(world.settings)
    admin_key = accounts.add("admin1", "admin", "restricted")  # a user exists: no anonymous development mode
    settings = world.settings.model_copy(
        update={
            "public_url": url,
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_scopes": "openid profile groups",
            "oidc_role_map": ROLE_MAP,
            "oidc_clearance_map": CLEARANCE_MAP,
            "oidc_audience": f"{API_RESOURCE},{CLIENT_ID}",  # the client id too: an ID token has that audience
            "oidc_token_cache_s": 0.0,  # every bearer request asks the provider, so a revocation shows at once
        }
    )
    app = create_app(settings, services, accounts, workdesk=False)
    server = Server(app, port)
    try:
        yield Sso(url, issuer, app, services, admin_key)
    finally:
        server.stop()
        proc.terminate()
        proc.wait(timeout=10)
        services.close()
        accounts.close()
        world.close()


class Forms(HTMLParser):
    """The forms of an HTML page: (action, {name: value}) each, and the links by id."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.links: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif tag in ("input", "button") and self.forms and a.get("name"):
            self.forms[-1][1][a["name"]] = a.get("value", "")
        elif tag == "a" and a.get("id"):
            self.links[a["id"]] = a.get("href", "")


def submit(browser: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    """Fill in and post the page's only form, following redirects."""
    forms = Forms(page.text).forms
    assert len(forms) == 1, f"expected one form at {page.url}, found {len(forms)}"
    action, values = forms[0]
    return browser.post(page.url.join(action), data={**values, **fields}, follow_redirects=True)


def to_provider(sso: Sso, browser: httpx.Client) -> httpx.Response:
    """Open the workdesk signed out, take the login page's SSO button, arrive at the provider's login form."""
    first = browser.get(sso.url + "/")
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    login = browser.get(sso.url + first.headers["location"])
    button = Forms(login.text).links["sso-login"]
    assert "Đăng nhập bằng tài khoản một lần (SSO)" in login.text
    page = browser.get(sso.url + button, follow_redirects=True)
    assert str(page.url).startswith(sso.issuer) and Forms(page.text).forms[0][1].get("prompt") == "login"
    return page


def until_callback(sso: Sso, browser: httpx.Client, login_page: httpx.Response, user: str) -> str:
    """Log in as `user` at the provider and consent; the callback address the provider sends the browser to
    (not yet followed)."""
    page = submit(browser, login_page, login=user, password="mật khẩu")
    action, values = Forms(page.text).forms[0]
    assert values.get("prompt") == "consent"
    resp = browser.post(page.url.join(action), data=values)
    while not resp.headers.get("location", "").startswith(sso.url):
        assert resp.status_code in (302, 303), resp.text[:500]
        resp = browser.get(resp.url.join(resp.headers["location"]))
    return resp.headers["location"]


def sign_in(sso: Sso, browser: httpx.Client, user: str) -> httpx.Response:
    """The whole login, as the browser experiences it; the response after the callback's redirect."""
    callback = until_callback(sso, browser, to_provider(sso, browser), user)
    return browser.get(callback, follow_redirects=True)


def test_sso_login_gives_the_mapped_role_and_clearance_and_logout_kills_the_cookie(
    sso: Sso, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with sso.browser() as browser:
        landed = sign_in(sso, browser, "tp.phapche")  # groups kho-admin, kho-mat
        assert landed.status_code == 200 and landed.url == httpx.URL(sso.url + "/")
        who = sso.session(browser)
        assert who is not None and (who.role, who.clearance) == ("admin", AccessLevel.RESTRICTED)
        assert who.name == sso_name(sso.issuer, "tp.phapche")
        cookie = browser.cookies.get(SESSION_COOKIE)
        assert STATE_COOKIE not in browser.cookies  # the one-time state cookie is gone after the callback

        bye = browser.post(sso.url + "/logout")
        assert bye.status_code == 200
        goodbye = Forms(bye.text).links["sso-logout"]
        query = parse_qs(urlsplit(goodbye).query)
        assert goodbye.startswith(sso.issuer) and query["post_logout_redirect_uri"] == [sso.url + "/login"]
        assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0].count(".") == 2

        # The old cookie, replayed, is dead on our side at once.
        replay = httpx.get(sso.url + "/", headers={"Accept": "text/html"}, cookies={SESSION_COOKIE: cookie or ""})
        assert replay.status_code == 303 and replay.headers["location"].startswith("/login")
        assert sso.app.state.auth.read_session(cookie) is None  # type: ignore[attr-defined]

        # The provider's logout confirms, ends its session and sends the browser back to our login page.
        confirm = browser.get(goodbye, follow_redirects=True)
        back = submit(browser, confirm, logout="yes")
        assert back.url == httpx.URL(sso.url + "/login") and back.status_code == 200
        # ... so the next SSO login asks for the password again instead of passing straight through.
        assert "login" == Forms(to_provider(sso, browser).text).forms[0][1].get("prompt")
    assert "tp.phapche" not in caplog.text and "Trưởng phòng" not in caplog.text  # no user names in our logs
    assert "single sign-on login (role admin)" in caplog.text


def test_a_legal_officer_gets_the_legal_role_and_internal_clearance(sso: Sso) -> None:
    with sso.browser() as browser:
        assert sign_in(sso, browser, "cv.phapche").status_code == 200
        who = sso.session(browser)
        assert who is not None and (who.role, who.clearance) == ("legal", AccessLevel.INTERNAL)


def test_a_user_whose_groups_map_to_no_role_is_refused(sso: Sso) -> None:
    with sso.browser() as browser:
        refused = sign_in(sso, browser, "khach")
        assert refused.status_code == 403 and NOT_ENTITLED in refused.text
        assert SESSION_COOKIE not in browser.cookies and sso.session(browser) is None
        assert browser.get(sso.url + "/").status_code == 303


def test_a_callback_with_a_wrong_or_missing_state_is_refused_and_the_right_one_still_works(sso: Sso) -> None:
    with sso.browser() as browser:
        callback = until_callback(sso, browser, to_provider(sso, browser), "cv.vanthu")
        query = parse_qs(urlsplit(callback).query)
        base = sso.url + urlsplit(callback).path
        code, state = query["code"][0], query["state"][0]
        tampered = browser.get(base, params={"code": code, "state": state[:-2] + "xy", "iss": sso.issuer})
        missing = browser.get(base, params={"code": code, "iss": sso.issuer})
        assert tampered.status_code == missing.status_code == 400 and sso.session(browser) is None
        # Another browser presenting this browser's callback (login CSRF / a stolen redirect) lacks the state cookie.
        with sso.browser() as other:
            stolen = other.get(callback)
            assert stolen.status_code == 400 and SESSION_COOKIE not in other.cookies
    # (the refusals above forgot this browser's state cookie, so its genuine callback is a fresh login)
    with sso.browser() as browser:
        assert sign_in(sso, browser, "cv.vanthu").status_code == 200
        who = sso.session(browser)
        assert who is not None and (who.role, who.clearance) == ("staff", AccessLevel.PUBLIC)


def test_a_callback_whose_id_token_carries_another_nonce_is_refused(sso: Sso) -> None:
    with sso.browser() as browser:
        callback = until_callback(sso, browser, to_provider(sso, browser), "cv.vanthu")
        state = parse_qs(urlsplit(callback).query)["state"][0]
        pending = sso.app.state.sso.pending  # type: ignore[attr-defined]
        with pending._lock:  # stands for an ID token minted for another login: ours now expects another nonce
            pending._items[state] = dataclasses.replace(pending._items[state], nonce="a-different-nonce")
        refused = browser.get(callback)
        assert refused.status_code == 401 and SESSION_COOKIE not in browser.cookies


def api_token(sso: Sso, user: str, resource: str | None = None, browser: httpx.Client | None = None) -> dict[str, str]:
    """The provider's token response for `user`, got the way a script's OAuth client would (authlib, code + PKCE),
    the browser part played by httpx (`browser`, or a fresh one): the redirect back is read, not followed. With
    `resource`, the provider issues a JWT access token for it (RFC 8707); without, an opaque one."""
    meta = httpx.get(sso.issuer + "/.well-known/openid-configuration").json()
    verifier = secrets.token_urlsafe(48)
    extra = {"resource": resource} if resource else {}
    with OAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid groups" + (" api" if resource else ""),
        redirect_uri=sso.url + "/login/sso/callback",
        code_challenge_method="S256",
    ) as client:
        url, _ = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, **extra)
        with httpx.Client(timeout=30) as fresh:
            agent = browser or fresh
            back = until_callback(sso, agent, agent.get(url, follow_redirects=True), user)
        token = client.fetch_token(meta["token_endpoint"], authorization_response=back, code_verifier=verifier, **extra)
    return {k: str(v) for k, v in token.items()}


def as_bearer(sso: Sso, token: str) -> tuple[httpx.Response, httpx.Response]:
    """(a search for the restricted plan, an empty admin-only PATCH) with `token` as the bearer: the first shows
    the clearance (the plan appears only to restricted readers), the second the role (admin: 422, others: 403)."""
    with httpx.Client(base_url=sso.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
        found = api.post("/v1/search", json={"query": SECRET_QUESTION, "k": 10})
        patched = api.patch(f"/v1/documents/{sso.restricted_id()}", json={})
    return found, patched


def test_opaque_provider_access_tokens_work_on_the_api_with_the_mapped_role_until_revoked(sso: Sso) -> None:
    admin_token = api_token(sso, "tp.phapche")["access_token"]
    staff_token = api_token(sso, "cv.vanthu")["access_token"]
    assert admin_token.count(".") != 2  # opaque: checked by introspection

    found, patched = as_bearer(sso, admin_token)
    assert found.status_code == 200 and not no_secret(found.json())  # restricted clearance: sees the secret plan
    assert patched.status_code == 422
    found, patched = as_bearer(sso, staff_token)
    assert found.status_code == 200 and no_secret(found.json())  # public clearance: never sees it
    assert patched.status_code == 403

    meta = httpx.get(sso.issuer + "/.well-known/openid-configuration").json()
    revoked = httpx.post(
        meta["revocation_endpoint"], data={"token": admin_token}, auth=(CLIENT_ID, CLIENT_SECRET), timeout=30
    )
    assert revoked.status_code == 200
    assert as_bearer(sso, admin_token)[0].status_code == 401
    assert as_bearer(sso, staff_token)[0].status_code == 200  # only the revoked one


def test_an_opaque_api_token_stops_working_when_its_user_logs_out_at_the_provider(sso: Sso) -> None:
    """oidc-provider ends the tokens of a session (without offline_access) with the session; introspection shows it."""
    meta = httpx.get(sso.issuer + "/.well-known/openid-configuration").json()
    with httpx.Client(timeout=30) as browser:
        token = api_token(sso, "cv.phapche", browser=browser)
        assert as_bearer(sso, token["access_token"])[0].status_code == 200
        confirm = browser.get(
            meta["end_session_endpoint"],
            params={"id_token_hint": token["id_token"], "client_id": CLIENT_ID},
            follow_redirects=True,
        )
        assert submit(browser, confirm, logout="yes").status_code == 200
    assert as_bearer(sso, token["access_token"])[0].status_code == 401


def test_jwt_access_tokens_for_the_api_are_checked_against_the_jwks_and_an_id_token_is_not_one(sso: Sso) -> None:
    legal = api_token(sso, "cv.phapche", resource=API_RESOURCE)
    assert legal["access_token"].count(".") == 2  # a JWT, checked locally (signature, iss, aud, exp)
    found, patched = as_bearer(sso, legal["access_token"])
    assert found.status_code == 200 and no_secret(found.json()) and patched.status_code == 403  # legal, internal
    admin = api_token(sso, "tp.phapche", resource=API_RESOURCE)
    found, patched = as_bearer(sso, admin["access_token"])
    assert found.status_code == 200 and not no_secret(found.json()) and patched.status_code == 422
    # The ID token is signed by the same keys and names our client as audience, but it grants nothing.
    assert as_bearer(sso, admin["id_token"])[0].status_code == 401
    # A token whose signature does not hold (one character of it changed) is refused.
    head, body, signature = admin["access_token"].split(".")
    forged = f"{head}.{body}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    assert as_bearer(sso, forged)[0].status_code == 401


def test_garbage_and_foreign_tokens_are_refused_and_api_keys_keep_working(sso: Sso) -> None:
    for token in ("not-a-token", "a.b.c", "kho_00000000_" + "x" * 43):
        resp = httpx.get(sso.url + "/v1/documents", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401
    resp = httpx.get(sso.url + "/v1/documents", headers={"Authorization": f"Bearer {sso.admin_key}"})
    assert resp.status_code == 200


def test_the_key_form_stays_beside_the_sso_button(sso: Sso) -> None:
    page = httpx.get(sso.url + "/login?next=/x")
    forms = Forms(page.text)
    assert forms.links["sso-login"] == "/login/sso?next=%2Fx" and forms.forms[0][0] == "/login"


def test_a_real_browser_signs_in_through_the_provider_and_out_at_both_ends(sso: Sso) -> None:
    """Debian Chromium, headless and cut off from every host but this one: the SSO button, the provider's login and
    consent forms, back at the workdesk with an admin session; then our logout page, the hop to the provider's
    logout (a page, since CSP `form-action 'self'` would stop a redirect after the form), and back at /login."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = start_chromium("1100,900", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(sso.url + "/")
        wait.until(lambda d: d.find_elements(By.ID, "sso-login"))
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "login_sso.png"))
        driver.set_window_size(390, 844)  # a phone: the SSO button and the key form fit, nothing scrolls sideways
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        driver.save_screenshot(str(ARTIFACTS / "login_sso_390px.png"))
        driver.set_window_size(1100, 900)
        driver.find_element(By.ID, "sso-login").click()
        wait.until(lambda d: d.current_url.startswith(sso.issuer) and d.find_elements(By.NAME, "login"))
        driver.find_element(By.NAME, "login").send_keys("tp.phapche")
        driver.find_element(By.NAME, "password").send_keys("mật khẩu")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=prompt][value=consent]"))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.current_url == sso.url + "/")
        cookie = (driver.get_cookie(SESSION_COOKIE) or {}).get("value")
        who = sso.app.state.auth.read_session(cookie)  # type: ignore[attr-defined]
        assert who is not None and (who.role, who.clearance) == ("admin", AccessLevel.RESTRICTED)

        driver.get(sso.url + "/logout")
        driver.find_element(By.ID, "logout-button").click()
        wait.until(lambda d: d.current_url.startswith(sso.issuer) and d.find_elements(By.NAME, "logout"))
        assert sso.app.state.auth.read_session(cookie) is None  # type: ignore[attr-defined]
        driver.find_element(By.NAME, "logout").click()
        wait.until(lambda d: d.current_url == sso.url + "/login")
        assert driver.find_elements(By.ID, "sso-login") and driver.get_cookie(SESSION_COOKIE) is None
    finally:
        driver.quit()
