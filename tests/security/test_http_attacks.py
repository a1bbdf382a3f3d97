"""The attacks found against a running `kho serve`, replayed over real HTTP on loopback; each must now fail.

A real server (uvicorn in a thread, `create_app` with the workdesk mounted) over the fixture corpus (public, internal
and a restricted decision "phương án Hoa Sen"); answers are extractive or from `EchoLLM` (the point is the HTTP
perimeter, not the model). Numbers in the test names follow the issue's findings.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.accounts import Accounts
from app.services import NotFound, Services
from tests.test_api import Api, LiveServer, start_api
from tests.test_services import ADMIN, RESTRICTED_NUMBER, SECRET_WORD, STAFF, TXT_UPLOAD
from ui.security import UploadLedger
from ui.server import SESSION_COOKIE, create_app
from ui.workdesk import Workdesk


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    a, server, accounts = start_api(tmp_path_factory.mktemp("http-attacks"))
    yield a
    server.stop()
    a.services.close()
    accounts.close()
    a.world.close()


@pytest.fixture(scope="module")
def desk(api: Api) -> Iterator[str]:
    """The full app with the workdesk mounted, over the same services and accounts."""
    accounts = Accounts.from_settings(api.world.settings)
    server = LiveServer(create_app(api.world.settings, api.services, accounts))
    yield server.url
    server.stop()
    accounts.close()


def login(desk: str, key: str) -> httpx.Client:
    client = httpx.Client(base_url=desk, headers={"Origin": desk}, timeout=60)
    r = client.post("/login", data={"key": key, "next": "/"})
    assert r.status_code == 303, r.text
    return client


def raw_request(url: str, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send a hand-written HTTP/1.1 request (headers may lie about the body) and read the status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data else 0
    return status, data


# -- 2. bounded chat histories and fair use -------------------------------------------------------------------


def test_2_a_megabyte_earlier_message_is_refused_before_any_search(api: Api) -> None:
    huge = "Công chức " * 100_000  # 1 MB of text in an earlier message
    messages = [{"role": "user", "content": huge}, {"role": "user", "content": "?"}]
    body = {"model": "kho-extractive", "messages": messages}
    with api.client("staff") as c:
        r = c.post("/v1/chat/completions", json=body)
    assert r.status_code == 413  # over the body limit: not even parsed
    medium = "Công chức được nghỉ phép. " * 400  # 10,000 characters: parsed, refused by the field limit
    body["messages"][0]["content"] = medium
    with api.client("staff") as c:
        r = c.post("/v1/chat/completions", json=body)
    assert r.status_code == 422
    before = sum(1 for _ in api.services.audit.events(event="ask"))
    long_history = {"question": "còn viên chức thì sao?", "history": ["Viên chức " * 250], "extractive": True}
    with api.client("staff") as c:
        r = c.post("/v1/ask", json=long_history)
    assert r.status_code == 422 and "history" in json.dumps(r.json(), ensure_ascii=False)
    assert sum(1 for _ in api.services.audit.events(event="ask")) == before  # refused before any search


def test_2_a_user_over_the_rate_gets_429_with_retry_after_and_others_are_served(tmp_path: Path) -> None:
    from core.settings import Settings

    a, server, accounts = start_api(tmp_path)
    try:
        limited = Settings(**{**a.world.settings.model_dump(), "rate_search_per_minute": 4})
        a.services.limits = Services(limited, registry=a.world.registry, store=a.world.store).limits
        with a.client("staff") as c:
            codes = [c.post("/v1/search", json={"query": "đóng dấu giáp lai"}).status_code for _ in range(3)]
            r = c.post("/v1/search", json={"query": "đóng dấu giáp lai"})
        assert codes == [200, 200, 200] or 429 in codes  # burst of 1 = 4 // 4
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        with a.client("legal") as other:
            assert other.post("/v1/search", json={"query": "đóng dấu giáp lai"}).status_code == 200
    finally:
        server.stop()
        a.services.close()
        accounts.close()
        a.world.close()


def test_2_one_user_cannot_hold_more_than_its_share_of_questions_at_once() -> None:
    from app.limits import InFlight, RateLimited

    flights = InFlight(2)
    with flights.slot("an"), flights.slot("an"):
        with pytest.raises(RateLimited):
            with flights.slot("an"):
                pass
        with flights.slot("binh"):  # another user is not affected
            pass
    with flights.slot("an"):  # released when the questions end
        pass


# -- 4. uploads cannot lower a level or silently replace a document; documents can be deleted -------------------


def test_4_a_restricted_document_stays_restricted_when_uploaded_again_as_public(api: Api) -> None:
    secret = TXT_UPLOAD.replace("4/2095/TT-BNV", "9/2095/TT-BNV").replace("LÀM VIỆC TỪ XA", "KẾ HOẠCH MẬT SEN VÀNG")
    with api.client("admin") as c:
        first = c.post(
            "/v1/documents", files={"files": ("mat.txt", secret.encode())}, data={"access_level": "restricted"}
        ).json()["files"][0]
        again = c.post("/v1/documents", files={"files": ("mat.txt", secret.encode())}).json()["files"][0]
        renamed = c.post("/v1/documents", files={"files": ("ban-sao.txt", secret.encode())}).json()["files"][0]
    assert first["access_level"] == "restricted"
    assert again["access_level"] == "restricted" and again["documents"] == first["documents"]
    # the same content under another name is recognised as a copy of the stored (restricted) document
    assert renamed["state"] == "skipped_unchanged" and renamed["access_level"] in (None, "restricted")
    with api.client("staff") as c:
        hits = c.post("/v1/search", json={"query": "kế hoạch mật sen vàng"}).json()["hits"]
    assert all("SEN VÀNG" not in h["text"] for h in hits)


def test_4_a_different_file_with_the_same_name_is_a_new_document_not_a_silent_delete(api: Api) -> None:
    one = TXT_UPLOAD.replace("4/2095/TT-BNV", "11/2095/TT-BNV")
    two = TXT_UPLOAD.replace("4/2095/TT-BNV", "12/2095/TT-BNV").replace("02 ngày", "03 ngày")
    with api.client("admin") as c:
        a = c.post("/v1/documents", files={"files": ("trung-ten.txt", one.encode())}).json()["files"][0]
        b = c.post("/v1/documents", files={"files": ("trung-ten.txt", two.encode())}).json()["files"][0]
        numbers = {d["so_hieu"] for d in c.get("/v1/documents").json()["documents"]}
    assert a["documents"] and b["documents"] and a["documents"] != b["documents"]
    assert {"11/2095/TT-BNV", "12/2095/TT-BNV"} <= numbers


def test_4_an_explicit_replace_and_a_delete_are_admin_only_and_audited(api: Api) -> None:
    old = TXT_UPLOAD.replace("4/2095/TT-BNV", "21/2095/TT-BNV")
    new = old.replace("02 ngày", "04 ngày")
    with api.client("admin") as c:
        first = c.post("/v1/documents", files={"files": ("thay.txt", old.encode())}).json()["files"][0]
        old_id = first["documents"][0]
        replaced = c.post(
            "/v1/documents", files={"files": ("thay-moi.txt", new.encode())}, data={"replace": old_id}
        ).json()["files"][0]
        assert c.get(f"/v1/documents/{old_id}").status_code == 404
        new_id = replaced["documents"][0]
        with api.client("staff") as staff:
            assert staff.delete(f"/v1/documents/{new_id}").status_code == 403
        assert c.delete(f"/v1/documents/{new_id}").status_code == 200
        assert c.get(f"/v1/documents/{new_id}").status_code == 404
        assert c.delete(f"/v1/documents/{new_id}").status_code == 404
    deleted = [e for e in api.services.audit.events(event="delete") if e.ref == new_id]
    uploads = [e for e in api.services.audit.events(event="upload") if e.details.get("replaced") == old_id]
    assert len(deleted) == 1 and len(uploads) == 1
    assert not list((api.world.settings.data_dir / "uploads").rglob("thay-moi.txt"))  # its file went too


# -- 5. Gradio event streams belong to their user ----------------------------------------------------------------


def test_5_another_users_gradio_session_hash_is_refused(api: Api, desk: str) -> None:
    admin = login(desk, api.keys["admin"])
    staff = login(desk, api.keys["staff"])
    try:
        session = "phien-cua-quan-tri-123"
        joined = admin.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": session})
        assert joined.status_code != 403
        stolen = staff.get("/gradio_api/queue/data", params={"session_hash": session}, timeout=5)
        assert stolen.status_code == 403
        forged_join = staff.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": session})
        assert forged_join.status_code == 403
        assert staff.get(f"/gradio_api/heartbeat/{session}").status_code == 403
    finally:
        admin.close()
        staff.close()


def test_5_gradios_programmatic_api_routes_are_closed(api: Api, desk: str) -> None:
    admin = login(desk, api.keys["admin"])
    try:
        for path in ("/gradio_api/call/ask", "/gradio_api/run/predict", "/gradio_api/api/predict"):
            assert admin.post(path, json={"data": []}).status_code == 404
    finally:
        admin.close()


# -- 6. development mode cannot be reached from a web page -----------------------------------------------------


def test_6_dns_rebinding_and_cross_site_posts_fail_in_development_mode(tmp_path: Path) -> None:
    from tests.test_assistant import injected_world
    from tests.test_services import make_services

    world = injected_world(tmp_path)
    services = make_services(world)
    accounts = Accounts.from_settings(world.settings)  # no users: development mode on loopback
    server = LiveServer(create_app(world.settings, services, accounts, workdesk=False))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            ok = c.post("/v1/search", json={"query": SECRET_WORD})
            assert ok.status_code == 200  # the local admin, from this machine, with no Origin
            rebound = c.post("/v1/search", json={"query": SECRET_WORD}, headers={"Host": "evil.example:7860"})
            assert rebound.status_code == 400 and SECRET_WORD not in rebound.text
            cross = c.post(
                "/v1/documents",
                files={"files": ("poison.txt", TXT_UPLOAD.encode())},
                headers={"Origin": "http://evil.example"},
            )
            assert cross.status_code == 403
            fetch_meta = c.post(
                "/v1/documents",
                files={"files": ("poison.txt", TXT_UPLOAD.encode())},
                headers={"Sec-Fetch-Site": "cross-site"},
            )
            assert fetch_meta.status_code == 403
            assert c.post("/v1/search", json={"query": "x"}, headers={"Origin": "null"}).status_code == 403
        assert not (world.settings.data_dir / "uploads").exists() or not list(
            (world.settings.data_dir / "uploads").rglob("poison.txt")
        )
        accounts.add("nguoi.dau.tien", "admin", "restricted")
        accounts.revoke("nguoi.dau.tien")
        with httpx.Client(base_url=server.url, timeout=60) as c:
            assert c.post("/v1/search", json={"query": SECRET_WORD}).status_code == 401  # never anonymous again
    finally:
        server.stop()
        services.close()
        accounts.close()
        world.close()


# -- 7. bodies are bounded before authentication ------------------------------------------------------------------


def test_7_a_huge_body_without_a_key_is_refused_before_it_is_read(api: Api) -> None:
    status, _ = raw_request(
        api.url,
        "POST /v1/ask HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: 200000000\n",
    )
    assert status == 413
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"  # 2.6 MB, no length
    status, _ = raw_request(
        api.url,
        "POST /v1/ask HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
        "Connection: close\n",
        body,
    )
    assert status == 413


# -- 8. the workdesk upload reads only what this user uploaded ---------------------------------------------------


def test_8_the_workdesk_upload_handler_refuses_a_server_path(api: Api, tmp_path: Path) -> None:
    ledger = UploadLedger(tmp_path / "gradio")
    (tmp_path / "gradio").mkdir()
    desk = Workdesk(api.services, identify=lambda request: ADMIN, uploads=ledger)
    outputs = list(desk.upload(["/etc/hostname"], "public", request=None))  # type: ignore[arg-type]
    assert len(outputs) == 1 and "không phải tệp bạn vừa tải lên" in str(outputs[0][1])
    assert not any("hostname" in d.file_path for d in api.services.list_documents(ADMIN))
    # a real upload by this user is ingested, then its temporary copy is gone
    mine = tmp_path / "gradio" / "abc" / "lam-viec-tu-xa.txt"
    mine.parent.mkdir()
    mine.write_text(TXT_UPLOAD.replace("4/2095/TT-BNV", "31/2095/TT-BNV"), encoding="utf-8")
    ledger.record(ADMIN.name, [str(mine)])
    other = Workdesk(api.services, identify=lambda request: STAFF.__class__("khac", "admin", "public"), uploads=ledger)
    assert "không phải tệp" in str(list(other.upload([str(mine)], "public", request=None))[0][1])  # type: ignore[arg-type]
    outputs = list(desk.upload([str(mine)], "public", request=None))  # type: ignore[arg-type]
    assert "sẵn sàng" in str(outputs[-1][1]) and not mine.exists()


def test_8_only_administrators_may_write_into_gradios_upload_folder(api: Api, desk: str) -> None:
    staff = login(desk, api.keys["staff"])
    admin = login(desk, api.keys["admin"])
    try:
        refused = staff.post("/gradio_api/upload", files={"files": ("x.txt", b"noi dung")})
        assert refused.status_code == 403
        accepted = admin.post("/gradio_api/upload", files={"files": ("x.txt", b"noi dung")})
        assert accepted.status_code == 200
        path = accepted.json()[0]
        assert admin.get(f"/gradio_api/file={path}").status_code == 404  # never served back, to anyone
    finally:
        staff.close()
        admin.close()


# -- 10. the rest of the perimeter ------------------------------------------------------------------------------


def test_10_cors_only_for_configured_origins_and_security_headers_everywhere(api: Api, desk: str) -> None:
    pre = httpx.options(
        f"{desk}/gradio_api/info",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    admin = login(desk, api.keys["admin"])
    try:
        info = admin.get("/config", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in info.headers
        for r in (admin.get("/", headers={"Accept": "text/html"}), httpx.get(f"{desk}/login"), info):
            assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            assert r.headers["referrer-policy"] == "same-origin"
    finally:
        admin.close()
    with api.client("staff") as c:
        assert c.get("/v1/documents").headers["cache-control"] == "no-store"


def test_10_login_from_a_foreign_origin_is_refused(api: Api, desk: str) -> None:
    r = httpx.post(f"{desk}/login", data={"key": api.keys["staff"]}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
    with httpx.Client(base_url=desk) as c:
        c.post("/login", data={"key": api.keys["staff"]}, headers={"Origin": desk})
        out = c.post("/logout", headers={"Origin": "http://evil.example"})
        assert out.status_code == 403  # a foreign page cannot log the user out either
        assert c.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_10_a_restricted_id_is_refused_without_loading_its_text(api: Api) -> None:
    """Timing: the refusal must not depend on the document's size, so its text is never read for a 404."""
    restricted = api.restricted_id()
    registry_type = type(api.services._reads.get())
    loads: list[str] = []
    original = registry_type.get_document

    def counting(self: object, doc_id: str) -> object:
        loads.append(doc_id)
        return original(self, doc_id)  # type: ignore[arg-type]

    registry_type.get_document = counting  # type: ignore[method-assign]
    try:
        with pytest.raises(NotFound):
            api.services.get_document(STAFF, restricted)
        with pytest.raises(NotFound):
            api.services.get_document(STAFF, "khong-co-van-ban-nay")
    finally:
        registry_type.get_document = original  # type: ignore[method-assign]
    assert loads == []
    with api.client("staff") as c:
        a, b = c.get(f"/v1/documents/{restricted}"), c.get("/v1/documents/khong-co-van-ban-nay")
    assert (a.status_code, b.status_code) == (404, 404) and RESTRICTED_NUMBER not in a.text


def test_1_a_restart_with_a_pending_bad_document_opens_the_port_and_records_the_failure(tmp_path: Path) -> None:
    """`kho serve` answers /healthz while the index catch-up runs in the background; a document the index cannot
    take (here: more points than KHO_MAX_POINTS_PER_DOCUMENT allows) is recorded as failed, not retried forever."""
    import os
    import subprocess
    import sys

    from tests.test_api import free_port

    data = tmp_path / "data"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TXT_UPLOAD, encoding="utf-8")
    env = {
        **os.environ,
        "KHO_DATA_DIR": str(data),
        "KHO_EMBEDDINGS_CACHE_DIR": str(tmp_path / "emb"),
        "KHO_MAX_POINTS_PER_DOCUMENT": "1",
    }
    big = TXT_UPLOAD + "".join(f"\nĐiều {n}. Điều khoản thứ {n}\nNội dung của điều {n}." for n in range(2, 6))
    (corpus / "b.txt").write_text(big.replace("4/2095/TT-BNV", "5/2095/TT-BNV"), encoding="utf-8")
    kho = Path(sys.executable).parent / "kho"
    subprocess.run([str(kho), "ingest", str(corpus), "--no-index"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [str(kho), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        status = None
        for _ in range(600):  # bounded: up to ~60 s for the interpreter to start, never a timing assertion
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        assert status == 200, proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
        from ingest.registry import IndexFailure, Registry

        failures: list[IndexFailure] = []
        with Registry(data / "registry.sqlite3") as registry:
            for _ in range(600):  # bounded wait for the background catch-up
                failures = registry.index_failures()
                if failures:
                    break
                time.sleep(0.1)
        assert len(failures) == 1 and failures[0].reason  # b.txt (5 chunks) failed; a.txt (1 chunk) did not
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200  # still serving
    finally:
        proc.terminate()
        proc.wait(timeout=30)
