"""Load run: N concurrent API clients for T seconds against a real `kho serve`, on loopback.

A fresh workspace gets the default demo corpus (as `make demo` ingests it) and one `staff` user; `kho serve` runs as
a subprocess with the workdesk mounted, exactly as deployed. Each client loops `POST /v1/ask` over a few
Home-Affairs questions until the time is up (a request started before the end is waited for). Two modes:

- extractive: quotes, no LLM — 20 clients × 60 s by default.
- llm: the embedded llama.cpp model on CPU, which serialises generations (~20–30 s each on 2 cores): 4 clients ×
  120 s by default, client timeout 900 s, so latency includes the queue behind the other clients' answers. One
  warm-up question (model load) is sent first and not counted.

Writes bench/results/load.json (p50/p95/max latency, throughput, errors per mode); the README quotes it.

    python -m bench.load                       # both modes, defaults
    python -m bench.load --mode extractive --clients 20 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

import core  # noqa: F401  (telemetry off)
from core.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
KHO = Path(sys.executable).parent / "kho"
QUESTIONS = [
    "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?",
    "Đóng dấu giáp lai văn bản được thực hiện như thế nào?",
    "Thời gian tập sự của viên chức là bao lâu?",
    "Hồ sơ lưu trữ được nộp vào lưu trữ cơ quan trong thời hạn nào?",
    "Công chức được nghỉ phép năm bao nhiêu ngày?",
    "Thẩm quyền ký văn bản của cấp phó được quy định thế nào?",
]
DEFAULTS = {"extractive": (20, 60.0, 60.0), "llm": (4, 120.0, 900.0)}  # clients, seconds, client timeout


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 3)


async def _client(
    http: httpx.AsyncClient, n: int, end: float, extractive: bool, out: list[dict[str, Any]], key: str
) -> None:
    i = n
    while time.monotonic() < end:
        q = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        t0 = time.monotonic()
        status: int | None = None
        error: str | None = None
        refused = None
        try:
            r = await http.post(
                "/v1/ask",
                json={"question": q, "extractive": extractive},
                headers={"Authorization": f"Bearer {key}"},
            )
            status = r.status_code
            if r.status_code == 200:
                refused = r.json()["refused"]
            else:
                error = f"HTTP {r.status_code}: {r.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        out.append({"latency_s": time.monotonic() - t0, "status": status, "error": error, "refused": refused})


async def run_load(
    url: str, keys: list[str], clients: int, seconds: float, timeout: float, extractive: bool
) -> dict[str, Any]:
    """`clients` loops (client n with `keys[n]`) posting questions for `seconds`; latency, throughput, errors."""
    out: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        t0 = time.monotonic()
        end = t0 + seconds
        await asyncio.gather(*(_client(http, n, end, extractive, out, keys[n % len(keys)]) for n in range(clients)))
        wall = time.monotonic() - t0
    ok = [r["latency_s"] for r in out if r["error"] is None]
    errors = [r["error"] for r in out if r["error"] is not None]
    return {
        "clients": clients,
        "seconds": seconds,
        "wall_s": round(wall, 1),
        "client_timeout_s": timeout,
        "requests": len(out),
        "ok": len(ok),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "refused": sum(1 for r in out if r["refused"]),
        "throughput_rps": round(len(ok) / wall, 2) if wall else None,
        "latency_s": {
            "p50": _pct(ok, 0.50),
            "p95": _pct(ok, 0.95),
            "max": round(max(ok), 3) if ok else None,
            "mean": round(statistics.mean(ok), 3) if ok else None,
        },
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(data_dir: Path) -> tuple[str, dict[str, Any]]:
    """Ingest the demo corpus into `data_dir`, index it, add a staff user; (key, corpus facts)."""
    from app.accounts import Accounts
    from corpus import require_default_corpus
    from index.indexer import Indexer
    from index.store import open_store
    from ingest.job import run_ingest
    from ingest.registry import Registry

    settings = Settings().model_copy(update={"data_dir": data_dir})
    manifest = require_default_corpus(settings)
    with Registry.from_settings(settings) as registry:
        run_ingest(manifest.paths(), registry, settings, progress=False, meta_overrides=manifest.overrides())
        store = open_store(settings)
        try:
            rep = Indexer(registry, store, settings).ensure()
            facts = {
                "documents": registry.counts()["documents"],
                "chunks": registry.counts()["chunks"],
                "dense_vectors": store.count(rep.collection, with_dense=True),
            }
        finally:
            store.close()
    accounts = Accounts.from_settings(settings)
    key = accounts.add("load-test", "staff", "public")
    accounts.close()
    return key, facts


def user_keys(data_dir: Path, n: int, role: str = "staff", prefix: str = "nguoi-dung") -> list[str]:
    """`n` new users' API keys (fair-use limits are per user: one key per simulated person)."""
    from app.accounts import Accounts

    accounts = Accounts.from_settings(Settings().model_copy(update={"data_dir": data_dir}))
    try:
        return [accounts.add(f"{prefix}-{i}", role, "restricted" if role == "admin" else "public") for i in range(n)]
    finally:
        accounts.close()


# The load runs measure capacity: each simulated client asks as fast as it is answered (~100 questions a minute),
# far above a person's pace, so the per-user fair-use limits (app/limits.py) are lifted for them.
CAPACITY_ENV = {
    "KHO_RATE_ASK_PER_MINUTE": "1000000",
    "KHO_RATE_SEARCH_PER_MINUTE": "1000000",
    "KHO_RATE_UPLOAD_PER_MINUTE": "1000",
}


def _start_server(
    data_dir: Path, port: int, log: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KHO_DATA_DIR": str(data_dir), **CAPACITY_ENV, **(extra_env or {})}
    with log.open("wb") as f:
        proc = subprocess.Popen([str(KHO), "serve", "--port", str(port)], env=env, stdout=f, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kho serve exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("kho serve did not answer /healthz within 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["extractive", "llm", "both"], default="both")
    parser.add_argument("--clients", type=int, help="concurrent clients (default: 20 extractive, 4 llm)")
    parser.add_argument("--seconds", type=float, help="how long new requests are sent (default: 60 / 120)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    modes = ["extractive", "llm"] if args.mode == "both" else [args.mode]

    previous: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    result: dict[str, Any] = {
        "what": "POST /v1/ask on loopback against `kho serve` (workdesk mounted), one staff user per client, "
        "demo corpus",
        "machine": f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "modes": dict(previous.get("modes", {})),
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        key, facts = _prepare(data_dir)
        result["corpus"] = facts
        keys = [key, *user_keys(data_dir, max(DEFAULTS["extractive"][0], args.clients or 0))]
        port = _free_port()
        server = _start_server(data_dir, port, Path(tmp) / "serve.log")
        url = f"http://127.0.0.1:{port}"
        try:
            for mode in modes:
                clients, seconds, timeout = DEFAULTS[mode]
                clients, seconds = args.clients or clients, args.seconds or seconds
                extractive = mode == "extractive"
                warm: float | None = None
                with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout) as c:
                    t0 = time.monotonic()
                    c.post("/v1/ask", json={"question": QUESTIONS[0], "extractive": extractive}).raise_for_status()
                    warm = round(time.monotonic() - t0, 2)
                print(f"{mode}: {clients} clients × {seconds:.0f} s (warm-up {warm} s)…", file=sys.stderr)
                busy = round(os.getloadavg()[0], 2)
                res = asyncio.run(run_load(url, keys, clients, seconds, timeout, extractive))
                res["warm_up_s"] = warm
                res["load_average_1min_before"] = busy
                # other work on the machine during the run skews the figures: say how busy it was
                res["load_average_1min_after"] = round(os.getloadavg()[0], 2)
                result["modes"][mode] = res
                print(json.dumps(res, ensure_ascii=False), file=sys.stderr)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
