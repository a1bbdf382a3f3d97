"""The REST API over real HTTP on loopback: uvicorn serving `create_app` in a thread, called with httpx.

A `staff` user with `public` clearance must not see the restricted fixture document ("phương án Hoa Sen",
5/2097/QĐ-BNV) through any path — one test per path. Keys come from `Accounts`; wrong or missing keys get 401,
roles 403, malformed bodies 4xx. Schemathesis fuzzes the OpenAPI spec (a bounded number of examples) against the
live server and must find no 500 and no response outside the spec. Generated answers come from `EchoLLM`.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.accounts import Accounts
from app.services import Services
from tests.test_assistant import injected_world
from tests.test_index_search import World
from tests.test_services import RESTRICTED_NUMBER, SECRET_WORD, TXT_UPLOAD, make_services
from ui.server import create_app

SECRET_QUESTION = "Phương án Hoa Sen áp dụng cho việc đóng dấu giáp lai văn bản mật thế nào?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a thread, until `stop`."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Api:
    url: str
    keys: dict[str, str]  # user → key
    services: Services
    world: World

    def client(self, user: str | None = None, key: str | None = None) -> httpx.Client:
        token = key if key is not None else (self.keys[user] if user else None)
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def restricted_id(self) -> str:
        docs = self.services.list_documents(self.services_admin())
        return next(d.id for d in docs if d.meta.so_hieu == RESTRICTED_NUMBER)

    @staticmethod
    def services_admin():  # type: ignore[no-untyped-def]
        from tests.test_services import ADMIN

        return ADMIN


def start_api(root: Path) -> tuple[Api, LiveServer, Accounts]:
    world = injected_world(root)
    services = make_services(world)
    accounts = Accounts.from_settings(world.settings)
    keys = {
        "staff": accounts.add("staff1", "staff", "public"),
        "legal": accounts.add("legal1", "legal", "internal"),
        "admin": accounts.add("admin1", "admin", "restricted"),
        "evaluator": accounts.add("eval1", "evaluator", "public"),
    }
    app = create_app(world.settings, services, accounts, workdesk=False)
    server = LiveServer(app)
    return Api(server.url, keys, services, world), server, accounts


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    a, server, accounts = start_api(tmp_path_factory.mktemp("api"))
    yield a
    server.stop()
    a.services.close()
    accounts.close()
    a.world.close()


def no_secret(payload: object) -> bool:
    """Whether nothing of the restricted document reached the payload. The reader's own question, which every
    answer now echoes as `query` (how it was read), is the reader's words, not the document's: left out."""
    if isinstance(payload, dict) and "query" in payload:
        payload = {k: v for k, v in payload.items() if k != "query"}
    text = json.dumps(payload, ensure_ascii=False)
    return SECRET_WORD not in text and RESTRICTED_NUMBER not in text


def sse_events(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a Server-Sent Events body."""
    out = []
    for block in text.split("\n\n"):
        event, data = "message", []
        for line in block.splitlines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if data:
            out.append((event, "\n".join(data)))
    return out


# ------------------------------------------------------------------------------------------- authentication

ROUTES = [
    ("POST", "/v1/ask", {"question": "Đóng dấu giáp lai thế nào?", "extractive": True}),
    ("POST", "/v1/search", {"query": "đóng dấu"}),
    ("GET", "/v1/documents", None),
    ("GET", "/v1/documents/abc", None),
    ("PATCH", "/v1/documents/abc", {"access_level": "public"}),
    ("POST", "/v1/feedback", {"answer_id": "x", "correct": True}),
    ("POST", "/v1/chat/completions", {"model": "kho-extractive", "messages": [{"role": "user", "content": "x"}]}),
    ("GET", "/v1/models", None),
    ("GET", "/v1/versions?document=58/2010/QH12&article=25", None),
    ("GET", "/v1/lineage?document=58/2010/QH12", None),
    ("POST", "/v1/relations/0123456789abcdef/decision", {"decision": "reject", "reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer kho_00000000_" + "A" * 43, "Bearer not-a-key", "Basic YWRtaW46YWRtaW4=", "kho_00000000_x"],
)
def test_missing_or_wrong_key_gets_401(
    api: Api, method: str, path: str, body: object, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    r = httpx.request(method, api.url + path, json=body, headers=headers, timeout=60)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["detail"]


def test_a_revoked_key_stops_working(api: Api, tmp_path: Path) -> None:
    accounts = Accounts.from_settings(api.world.settings)
    key = accounts.add("tam.thoi", "staff", "public")
    with api.client(key=key) as c:
        assert c.get("/v1/documents").status_code == 200
        accounts.revoke("tam.thoi")
        assert c.get("/v1/documents").status_code == 401
    accounts.close()


def test_health_needs_no_key_and_says_nothing_more(api: Api) -> None:
    r = httpx.get(f"{api.url}/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_non_admins_cannot_upload_or_change_documents(api: Api) -> None:
    doc_id = api.restricted_id()
    for user in ("staff", "legal", "evaluator"):
        with api.client(user) as c:
            up = c.post("/v1/documents", files={"files": ("a.txt", TXT_UPLOAD.encode(), "text/plain")})
            assert up.status_code == 403
            patch = c.patch(f"/v1/documents/{doc_id}", json={"access_level": "public"})
            assert patch.status_code == 403
    with api.client("admin") as c:
        assert c.get(f"/v1/documents/{doc_id}").json()["access_level"] == "restricted"


# ------------------------------------------------------------------------ a restricted document, every path


def test_search_never_returns_a_restricted_document_to_a_public_user(api: Api) -> None:
    with api.client("staff") as c:
        r = c.post("/v1/search", json={"query": SECRET_QUESTION, "k": 50})
    assert r.status_code == 200 and r.json()["hits"]
    assert all(h["access_level"] == "public" for h in r.json()["hits"]) and no_secret(r.json())
    with api.client("admin") as c:
        top = c.post("/v1/search", json={"query": "phương án Hoa Sen", "k": 3}).json()["hits"][0]
    assert top["so_hieu"] == RESTRICTED_NUMBER  # the document is there, for those cleared


def test_extractive_ask_never_cites_a_restricted_document_to_a_public_user(api: Api) -> None:
    with api.client("staff") as c:
        r = c.post("/v1/ask", json={"question": SECRET_QUESTION, "extractive": True})
    assert r.status_code == 200 and no_secret(r.json())
    assert r.json()["answer_id"] and r.json()["mode"] == "extractive"


def test_generated_ask_never_cites_a_restricted_document_to_a_public_user(api: Api) -> None:
    with api.client("staff") as c:
        r = c.post("/v1/ask", json={"question": SECRET_QUESTION})
    assert r.status_code == 200 and r.json()["mode"] == "generative" and no_secret(r.json())


def test_streamed_ask_never_carries_a_restricted_document_to_a_public_user(api: Api) -> None:
    with api.client("staff") as c:
        r = c.post("/v1/ask", json={"question": SECRET_QUESTION}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    assert events[-1][0] == "answer" and json.loads(events[-1][1])["answer_id"]
    assert all(no_secret(json.loads(data)) for _event, data in events)  # every token and the answer


def test_ask_streams_tokens_then_the_whole_verified_answer(api: Api) -> None:
    with api.client("staff") as c:
        r = c.post("/v1/ask", json={"question": "Đóng dấu giáp lai thế nào?", "stream": True})
    events = sse_events(r.text)
    kinds = [e for e, _ in events]
    assert kinds.count("token") > 3 and kinds[-1] == "answer" and "token" not in kinds[kinds.index("answer") :]
    streamed = "".join(json.loads(d)["text"] for e, d in events if e == "token")
    final = json.loads(events[-1][1])
    assert "[1]" in streamed and final["mode"] == "generative" and final["citations"]
    assert final["verification"] in ("verified", "partially_verified", "unverified")


def test_chat_completions_never_cites_a_restricted_document_to_a_public_user(api: Api) -> None:
    body = {"model": "kho-extractive", "messages": [{"role": "user", "content": SECRET_QUESTION}]}
    with api.client("staff") as c:
        r = c.post("/v1/chat/completions", json=body)
        streamed = c.post("/v1/chat/completions", json={**body, "model": "kho", "stream": True})
    assert r.status_code == 200 and no_secret(r.json())
    assert streamed.status_code == 200 and SECRET_WORD not in streamed.text and RESTRICTED_NUMBER not in streamed.text


def test_document_list_hides_documents_above_clearance(api: Api) -> None:
    with api.client("staff") as c:
        docs = c.get("/v1/documents").json()["documents"]
    assert docs and {d["access_level"] for d in docs} == {"public"} and no_secret(docs)
    with api.client("legal") as c:
        levels = {d["access_level"] for d in c.get("/v1/documents").json()["documents"]}
    assert levels == {"public", "internal"}
    assert all("/" not in d["file_name"] for d in docs)  # no server paths


def test_a_restricted_document_cannot_be_read_and_looks_missing(api: Api) -> None:
    doc_id = api.restricted_id()
    with api.client("staff") as c:
        hidden = c.get(f"/v1/documents/{doc_id}")
        missing = c.get("/v1/documents/khong-ton-tai")
        patch = c.patch(f"/v1/documents/{doc_id}", json={"hieu_luc": "het_hieu_luc"})
    assert hidden.status_code == missing.status_code == 404 and no_secret(hidden.json())
    assert patch.status_code == 403  # the role is refused before existence is looked at
    with api.client("admin") as c:
        full = c.get(f"/v1/documents/{doc_id}").json()
    assert SECRET_WORD in full["text"] and full["articles"][0]["number"] == "1"
    art = full["articles"][0]
    assert full["text"][art["start"] : art["end"]].startswith("Điều 1.")


# --------------------------------------------------------------------------------------- behaviour of routes


def test_chat_completions_keeps_citations_in_the_openai_response(api: Api) -> None:
    body = {
        "model": "kho-extractive",
        "messages": [
            {"role": "system", "content": "Bạn là trợ lý."},
            {"role": "user", "content": "Thời gian thử việc của viên chức?"},
            {"role": "assistant", "content": "…"},
            {"role": "user", "content": [{"type": "text", "text": "Đóng dấu giáp lai thế nào?"}]},
        ],
    }
    with api.client("staff") as c:
        r = c.post("/v1/chat/completions", json=body)
    data = r.json()
    assert r.status_code == 200 and data["object"] == "chat.completion"
    msg = data["choices"][0]["message"]
    assert msg["role"] == "assistant" and "giáp lai" in msg["content"]
    assert data["citations"] and data["citations"] == msg["citations"]
    assert data["citations"][0]["anchor"].startswith("Điều 2 Nghị định 12/2098/NĐ-CP")
    assert data["verification"] == "verified" and data["refused"] is False


def test_chat_completions_streams_openai_chunks_and_ends_with_the_citations(api: Api) -> None:
    body = {"model": "kho", "stream": True, "messages": [{"role": "user", "content": "Đóng dấu giáp lai thế nào?"}]}
    with api.client("staff") as c:
        r = c.post("/v1/chat/completions", json=body)
    datas = [d for _, d in sse_events(r.text)]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    assert all(ch["object"] == "chat.completion.chunk" for ch in chunks)
    text = "".join(ch["choices"][0]["delta"].get("content", "") for ch in chunks)
    assert "[1]" in text and len(chunks) > 3
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["citations"][0]["anchor"].startswith("Điều 2") and last["verification"]


def test_models_lists_the_generative_and_the_extractive_model(api: Api) -> None:
    with api.client("staff") as c:
        ids = [m["id"] for m in c.get("/v1/models").json()["data"]]
    assert ids == ["kho", "kho-extractive"]


def test_admin_uploads_a_document_and_it_becomes_searchable(api: Api) -> None:
    files = [
        ("files", ("lam-viec-tu-xa.txt", TXT_UPLOAD.encode(), "text/plain")),
        ("files", ("bang-tinh.xlsx", b"PK\x03\x04", "application/octet-stream")),
    ]
    with api.client("admin") as c:
        r = c.post("/v1/documents", files=files, data={"access_level": "public"})
    assert r.status_code == 200
    states = {f["file"]: f for f in r.json()["files"]}
    assert states["lam-viec-tu-xa.txt"]["state"] == "indexed"
    assert states["bang-tinh.xlsx"]["state"] == "rejected" and "bang-tinh.xlsx" in states["bang-tinh.xlsx"]["reason"]
    with api.client("staff") as c:
        hits = c.post("/v1/search", json={"query": "làm việc từ xa"}).json()["hits"]
    assert hits[0]["so_hieu"] == "4/2095/TT-BNV"


def test_admin_patch_restricts_a_document_for_public_users_at_once(api: Api) -> None:
    with api.client("staff") as c:
        hits = c.post("/v1/search", json={"query": "thời gian thử việc của viên chức", "k": 5}).json()["hits"]
    law_id = next(h["document_id"] for h in hits if h["so_hieu"] == "77/2099/QH99")
    with api.client("admin") as admin, api.client("staff") as staff:
        r = admin.patch(f"/v1/documents/{law_id}", json={"access_level": "restricted"})
        assert r.status_code == 200 and r.json()["access_level"] == "restricted"
        try:
            after = staff.post("/v1/search", json={"query": "thời gian thử việc của viên chức", "k": 50}).json()
            assert all(h["document_id"] != law_id for h in after["hits"])
            assert staff.get(f"/v1/documents/{law_id}").status_code == 404
        finally:
            assert admin.patch(f"/v1/documents/{law_id}", json={"access_level": "public"}).status_code == 200


def test_feedback_refers_to_an_answer_the_user_got(api: Api) -> None:
    with api.client("staff") as c:
        ans = c.post("/v1/ask", json={"question": "Đóng dấu giáp lai thế nào?", "extractive": True}).json()
        ok = c.post("/v1/feedback", json={"answer_id": ans["answer_id"], "correct": False, "wrong_citation": 1})
        unknown = c.post("/v1/feedback", json={"answer_id": "khong-co", "correct": True})
        bad_marker = c.post("/v1/feedback", json={"answer_id": ans["answer_id"], "correct": False, "wrong_citation": 7})
    assert ok.status_code == 200 and unknown.status_code == 404 and bad_marker.status_code == 422
    events = [e for e in api.services.audit.events(event="feedback") if e.ref == ans["answer_id"]]
    assert events[0].details["wrong_citation"] == 1


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/ask", {"json": {}}),
        ("POST", "/v1/ask", {"json": {"question": ""}}),
        ("POST", "/v1/ask", {"json": {"question": "x" * 2001}}),
        ("POST", "/v1/ask", {"json": {"question": "con dấu", "filters": {"validity": ["mãi mãi"]}}}),
        ("POST", "/v1/ask", {"json": {"question": "con dấu", "filters": {"year_from": 2100, "year_to": 2000}}}),
        ("POST", "/v1/ask", {"json": {"question": "con dấu", "unknown_field": 1}}),
        ("POST", "/v1/ask", {"json": {"question": "   "}}),
        ("POST", "/v1/search", {"json": {"query": "con dấu", "k": 0}}),
        ("POST", "/v1/search", {"json": {"query": 12}}),
        ("POST", "/v1/search", {"json": ["query"]}),
        ("POST", "/v1/chat/completions", {"json": {"messages": []}}),
        ("POST", "/v1/chat/completions", {"json": {"model": "gpt-4", "messages": [{"role": "user", "content": "x"}]}}),
        ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "system", "content": "x"}]}}),
        ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "robot", "content": "x"}]}}),
        ("POST", "/v1/feedback", {"json": {"answer_id": "x"}}),
        ("POST", "/v1/feedback", {"json": {"answer_id": "x", "correct": "có lẽ"}}),
        ("PATCH", "/v1/documents/abc", {"json": {}}),
        ("PATCH", "/v1/documents/abc", {"json": {"access_level": "top-secret"}}),
        ("POST", "/v1/documents", {"data": {"access_level": "public"}}),
        ("POST", "/v1/documents", {"files": {"files": ("a.txt", b"x")}, "data": {"access_level": "secret"}}),
    ],
)
def test_malformed_requests_get_4xx_with_a_reason(api: Api, method: str, path: str, kwargs: dict) -> None:  # type: ignore[type-arg]
    with api.client("admin") as c:
        r = c.request(method, path, **kwargs)
    assert 400 <= r.status_code < 500 and r.json()["detail"]


def test_every_question_is_in_the_audit_log_with_personal_data_masked(api: Api) -> None:
    question = "CCCD của tôi là 079203001234, SĐT +84 912 345 678, thư a.b@gmail.com — thử việc bao lâu?"
    with api.client("staff") as c:
        answer_id = c.post("/v1/ask", json={"question": question, "extractive": True}).json()["answer_id"]
        c.post(
            "/v1/chat/completions",
            json={"model": "kho-extractive", "messages": [{"role": "user", "content": question}]},
        )
    asked = [
        e
        for e in api.services.audit.events(event="ask")
        if e.user == api.services.audit.user_ref("staff1") and "thử việc bao lâu" in (e.question or "")
    ]
    assert len(asked) == 2 and asked[0].event_id == answer_id
    for e in asked:
        assert (
            "079203001234" not in e.question and "912 345 678" not in e.question and "a.b@gmail.com" not in e.question
        )  # type: ignore[operator]
        assert "[số định danh]" in e.question  # type: ignore[operator]


def test_the_openapi_spec_describes_every_route(api: Api) -> None:
    spec = httpx.get(f"{api.url}/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/v1/ask", "/v1/search", "/v1/documents", "/v1/documents/{doc_id}", "/v1/feedback"} <= paths
    assert {"/v1/chat/completions", "/v1/models", "/healthz"} <= paths
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "Hỏi trợ lý pháp lý" == spec["paths"]["/v1/ask"]["post"]["summary"]


# --------------------------------------------------------------------------------------------- schemathesis


@pytest.mark.parametrize("user", ["staff", "admin"])
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_spec(
    tmp_path_factory: pytest.TempPathFactory, user: str
) -> None:
    """Fuzz every operation (bounded examples) with a valid key; its own data dir, since admin calls change data."""
    a, server, accounts = start_api(tmp_path_factory.mktemp(f"fuzz-{user}"))
    try:
        st = Path(sys.executable).parent / "st"
        proc = subprocess.run(
            [
                str(st),
                "run",
                f"{a.url}/openapi.json",
                "-H",
                f"Authorization: Bearer {a.keys[user]}",
                "--max-examples",
                "12",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance,response_headers_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--seed",
                "5",
                "--request-timeout",
                "60",
                # One worker: CPython 3.11.7 keeps the AST constructor's recursion depth per interpreter, so
                # hypothesis parsing lambda sources in two threads at once can raise a spurious "AST constructor
                # recursion depth mismatch" SystemError (cpython gh-106905); it failed CI once.
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=a.world.settings.data_dir,  # its case cache (.schemathesis/) stays out of the checkout
        )
    finally:
        server.stop()
        a.services.close()
        accounts.close()
        a.world.close()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


# ---------------------------------------------------------------------------------- the workdesk and its login


@pytest.fixture(scope="module")
def desk(api: Api) -> Iterator[str]:
    """The full app (workdesk mounted at /) over the same services and accounts, on its own port."""
    accounts = Accounts.from_settings(api.world.settings)
    server = LiveServer(create_app(api.world.settings, api.services, accounts))
    yield server.url
    server.stop()
    accounts.close()


def test_a_browser_without_session_is_sent_to_the_login_page(desk: str) -> None:
    r = httpx.get(f"{desk}/", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/"
    page = httpx.get(f"{desk}/login")
    assert page.status_code == 200 and "Khóa truy cập" in page.text and 'lang="vi"' in page.text
    assert httpx.get(f"{desk}/gradio_api/info").status_code == 401  # the workdesk's own API is closed too
    assert httpx.get(f"{desk}/config").status_code == 401


def test_logging_in_with_a_key_opens_the_workdesk_for_that_user(api: Api, desk: str) -> None:
    wrong = httpx.post(f"{desk}/login", data={"key": "kho_00000000_" + "x" * 43, "next": "/"})
    assert wrong.status_code == 401 and "không đúng" in wrong.text and "set-cookie" not in wrong.headers
    with httpx.Client(base_url=desk) as browser:
        r = browser.post("/login", data={"key": api.keys["staff"], "next": "//evil.example/"})
        assert r.status_code == 303 and r.headers["location"] == "/"  # never redirected off-site
        cookie = r.headers["set-cookie"]
        assert "kho_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert api.keys["staff"] not in cookie and api.keys["staff"].split("_", 2)[2] not in cookie
        page = browser.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert browser.get("/v1/documents").status_code == 401  # the API wants the key, not the cookie
        copied = browser.cookies["kho_session"]
        assert browser.get("/logout").status_code == 200  # a GET only shows the logout button
        assert browser.get("/", headers={"Accept": "text/html"}).status_code == 200
        out = browser.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert browser.get("/", headers={"Accept": "text/html"}).status_code == 303
    # the session ended on the server: a copy of the cookie taken before logout opens nothing
    stale = httpx.get(f"{desk}/", headers={"Accept": "text/html"}, cookies={"kho_session": copied})
    assert stale.status_code == 303


def test_principal_for_request_reads_the_session_and_follows_revocation(api: Api, desk: str) -> None:
    from ui.server import SESSION_COOKIE, WorkdeskAuth

    accounts = Accounts.from_settings(api.world.settings)
    principal_for_request = WorkdeskAuth.for_settings(api.world.settings, accounts, "127.0.0.1").from_request
    key = accounts.add("phien.lam.viec", "legal", "internal")
    r = httpx.post(f"{desk}/login", data={"key": key})
    session = r.cookies[SESSION_COOKIE]

    class FakeRequest:  # what a gr.Request offers: headers and client
        def __init__(self, cookie: str) -> None:
            self.headers = {"cookie": f"{SESSION_COOKIE}={cookie}"}
            self.client = None

    who = principal_for_request(FakeRequest(session))
    assert who is not None and (who.name, who.role, who.clearance.value) == ("phien.lam.viec", "legal", "internal")
    body, sig = session.rsplit(".", 1)
    assert principal_for_request(FakeRequest(f"{body}.{'0' * len(sig)}")) is None  # forged signature
    accounts.revoke("phien.lam.viec")
    assert principal_for_request(FakeRequest(session)) is None
    accounts.close()


def test_without_users_only_loopback_is_served_and_only_there_anonymous(tmp_path: Path) -> None:
    from core.settings import Settings
    from tests.conftest import run_kho
    from ui.server import LOCAL_PRINCIPAL, WorkdeskAuth, check_can_serve

    settings = Settings(data_dir=tmp_path / "data")
    accounts = Accounts.from_settings(settings)
    with pytest.raises(RuntimeError, match="kho users add"):
        check_can_serve("0.0.0.0", accounts)
    check_can_serve("127.0.0.1", accounts)
    local = WorkdeskAuth.for_settings(settings, accounts, "127.0.0.1")
    exposed = WorkdeskAuth.for_settings(settings, accounts, "0.0.0.0")
    assert local.from_bearer(None, "127.0.0.1") == LOCAL_PRINCIPAL
    assert local.from_bearer(None, "10.0.0.7") is None and exposed.from_bearer(None, "127.0.0.1") is None
    accounts.add("dau.tien", "admin", "restricted")
    assert local.from_bearer(None, "127.0.0.1") is None  # once a user exists, nothing is anonymous
    check_can_serve("0.0.0.0", accounts)
    accounts.close()
    proc = run_kho("serve", "--host", "0.0.0.0", env={"KHO_DATA_DIR": str(tmp_path / "empty")}, check=False)
    assert proc.returncode == 2 and "kho users add" in proc.stderr


# ------------------------------------------------------------------------------------- the real model, once


@pytest.mark.models
def test_the_real_model_streams_an_openai_chat_answer_with_checked_citations(api: Api) -> None:
    """One generative question through llama.cpp (~30 s on 2 cores): tokens stream, citations survive."""
    real = Services(api.world.settings, registry=api.world.registry, store=api.world.store)
    accounts = Accounts.from_settings(api.world.settings)
    server = LiveServer(create_app(api.world.settings, real, accounts, workdesk=False))
    body = {"model": "kho", "stream": True, "messages": [{"role": "user", "content": "Đóng dấu giáp lai thế nào?"}]}
    try:
        r = httpx.post(
            f"{server.url}/v1/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {api.keys['staff']}"},
            timeout=600,
        )
    finally:
        server.stop()
        real.close()
        accounts.close()
    datas = [d for _, d in sse_events(r.text)]
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    assert len(chunks) > 5  # streamed token by token, not one block
    last = chunks[-1]
    assert last["refused"] or (last["citations"] and last["citations"][0]["anchor"].startswith("Điều 2"))
    assert SECRET_WORD not in r.text


# ------------------------------------------------------------------------------- the law in force (issue 13)


def test_versions_and_lineage_never_show_a_document_above_the_readers_clearance(api: Api) -> None:
    doc = api.services.get_document(api.services_admin(), api.restricted_id())
    article = doc.articles()[0].number
    query = {"document": RESTRICTED_NUMBER, "article": article}
    with api.client("admin") as c:
        seen = c.get("/v1/versions", params=query).json()
        assert [v["document_id"] for v in seen["versions"]] == [doc.id]
    with api.client("staff") as c:
        r = c.get("/v1/versions", params=query)
        assert r.status_code == 200 and r.json() == {"versions": [], "diffs": []}
        lineage = c.get("/v1/lineage", params={"document": RESTRICTED_NUMBER}).json()
        assert lineage["groups"] == [] and no_secret(lineage["groups"])


def test_only_an_admin_decides_on_a_relation_and_a_malformed_key_or_date_is_refused(api: Api) -> None:
    body = {"decision": "reject", "reason": "không đúng"}
    with api.client("legal") as c:
        assert c.post("/v1/relations/0123456789abcdef/decision", json=body).status_code == 403
    with api.client("admin") as c:
        assert c.post("/v1/relations/0123456789abcdef/decision", json=body).status_code == 404
        assert c.post("/v1/relations/..%2Fetc/decision", json=body).status_code in (404, 422)
        assert c.post("/v1/relations/0123456789abcdef/decision", json={**body, "decision": "x"}).status_code == 422
    with api.client("staff") as c:
        r = c.post("/v1/search", json={"query": "đóng dấu", "filters": {"as_of": "2015-13-01"}})
        assert r.status_code == 422 and "as_of" in r.text
        ok = c.post("/v1/ask", json={"question": "Đóng dấu giáp lai thế nào?", "extractive": True,
                                     "filters": {"as_of": "2020-01-01"}})  # fmt: skip
        assert ok.status_code == 200 and ok.json()["as_of"] == "2020-01-01"
