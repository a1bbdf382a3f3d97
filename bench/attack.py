"""Attack run: what an abusive client costs everyone else, against a real `kho serve` on loopback.

Two measurements, each on a fresh workspace with the demo corpus (as `make demo` ingests it), one user per client
(as deployed: every civil servant has their own key). The per-user rate limits are lifted (`CAPACITY_ENV`), so
what is measured is what bounded inputs alone guarantee; with the default limits the abusers are also throttled
(429) after their burst.

- **maximal chat histories**: 20 clients ask extractive questions (`POST /v1/ask`) for `--seconds` — the baseline —
  then again while 2 more clients send `POST /v1/chat/completions` with the largest history the API accepts
  (10 earlier questions of 2,000 characters, a 2,000-character question, long assistant turns). Reported: the
  20 normal clients' p50/p95 in both runs and the ratio (target ≤ 2×), and what the abusers got (429s).
- **a 45 MB adversarial upload**: an administrator uploads the crafted text of `bench/adversarial_ingest.py`
  ("Điều 1." then ~620,000 lines starting "1.") while 5 clients keep asking; the server's resident memory is
  sampled from /proc and its high-water mark read at the end (target < 2 GB); reported: upload result and
  time, the other clients' answers during it.

Writes bench/results/attack.json; the README quotes it.

    python -m bench.attack                 # both, 60 s per load phase
    python -m bench.attack --part upload   # only the upload
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

import core  # noqa: F401  (telemetry off)
from bench.adversarial_ingest import adversarial_text
from bench.load import QUESTIONS, _free_port, _pct, _prepare, _start_server, user_keys

RESULTS = Path(__file__).resolve().parent / "results" / "attack.json"
HISTORY = ["Viên chức được đánh giá, xếp loại chất lượng hằng năm theo những tiêu chí nào? " * 25][0][:2000]


async def _asker(http: httpx.AsyncClient, key: str, n: int, end: float, out: list[dict[str, Any]]) -> None:
    i = n
    while time.monotonic() < end:
        q = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        t0 = time.monotonic()
        try:
            r = await http.post(
                "/v1/ask", json={"question": q, "extractive": True}, headers={"Authorization": f"Bearer {key}"}
            )
            out.append({"latency_s": time.monotonic() - t0, "status": r.status_code})
        except httpx.HTTPError as exc:
            out.append({"latency_s": time.monotonic() - t0, "status": None, "error": type(exc).__name__})


async def _abuser(http: httpx.AsyncClient, key: str, end: float, out: list[dict[str, Any]]) -> None:
    messages: list[dict[str, str]] = []
    for _ in range(10):
        messages += [{"role": "user", "content": HISTORY}, {"role": "assistant", "content": "Theo quy định. " * 500}]
    messages.append({"role": "user", "content": HISTORY})
    body = {"model": "kho-extractive", "messages": messages}
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            r = await http.post("/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"})
            out.append({"latency_s": time.monotonic() - t0, "status": r.status_code})
        except httpx.HTTPError as exc:
            out.append({"latency_s": time.monotonic() - t0, "status": None, "error": type(exc).__name__})


def _summary(rows: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    ok = [r["latency_s"] for r in rows if r["status"] == 200]
    codes: dict[str, int] = {}
    for r in rows:
        codes[str(r["status"])] = codes.get(str(r["status"]), 0) + 1
    return {
        "requests": len(rows),
        "ok": len(ok),
        "status_counts": codes,
        "throughput_rps": round(len(ok) / wall, 2) if wall else None,
        "latency_s": {"p50": _pct(ok, 0.5), "p95": _pct(ok, 0.95), "max": round(max(ok), 3) if ok else None},
    }


async def _load(url: str, keys: list[str], abusers: list[str], seconds: float) -> dict[str, Any]:
    normal: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=len(keys) + len(abusers) + 2)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        t0 = time.monotonic()
        end = t0 + seconds
        await asyncio.gather(
            *(_asker(http, k, n, end, normal) for n, k in enumerate(keys)),
            *(_abuser(http, k, end, bad) for k in abusers),
        )
        wall = time.monotonic() - t0
    out = {"clients": _summary(normal, wall)}
    if abusers:
        out["abusers"] = _summary(bad, wall)
    return out


def _rss(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of process `pid` in MB, from /proc."""
    now = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return round(now, 1), round(peak, 1)


def _upload(url: str, pid: int, admin: str, askers: list[str], mb: float, tmp: Path) -> dict[str, Any]:
    path = tmp / "tan-cong.txt"
    path.write_text(adversarial_text("lines", mb), encoding="utf-8")
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                samples.append(_rss(pid)[0])
            except OSError:
                return
            stop.wait(0.5)

    result: dict[str, Any] = {}

    def upload() -> None:
        t0 = time.monotonic()
        with httpx.Client(base_url=url, timeout=3600) as c, path.open("rb") as fh:
            r = c.post(
                "/v1/documents",
                files={"files": (path.name, fh, "text/plain")},
                headers={"Authorization": f"Bearer {admin}"},
            )
        result["status"] = r.status_code
        is_json = r.headers.get("content-type", "").startswith("application/json")
        result["files"] = r.json().get("files") if is_json else None
        result["seconds"] = round(time.monotonic() - t0, 1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    uploader = threading.Thread(target=upload)
    uploader.start()
    others: list[dict[str, Any]] = []
    t0 = time.monotonic()

    async def ask_while_uploading() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            while uploader.is_alive():
                await asyncio.gather(*(_asker(http, k, n, time.monotonic() + 5, others) for n, k in enumerate(askers)))

    asyncio.run(ask_while_uploading())
    uploader.join()
    wall = time.monotonic() - t0
    stop.set()
    sampler.join()
    _, peak = _rss(pid)
    files = result.get("files") or [{}]
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "upload_status": result.get("status"),
        "upload_state": files[0].get("state"),
        "upload_reason": files[0].get("reason"),
        "upload_seconds": result.get("seconds"),
        "server_peak_rss_mb": peak,
        "server_rss_sampled_max_mb": max(samples) if samples else None,
        "other_users_during_upload": _summary(others, wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["history", "upload", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mb", type=float, default=45.0)
    parser.add_argument(
        "--max-chunks",
        type=int,
        help="KHO_MAX_CHUNKS_PER_FILE for the server (e.g. 30000: the crafted file is then stored and indexed in "
        "full; recorded as `upload_limit_lifted`)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    previous: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    result: dict[str, Any] = {
        "what": __doc__.split("\n\n")[0],
        "machine": f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        **{k: v for k, v in previous.items() if k in ("history", "upload", "upload_limit_lifted")},
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        _, facts = _prepare(data_dir)
        result["corpus"] = facts
        keys = user_keys(data_dir, args.clients)
        abusers = user_keys(data_dir, 2, prefix="lam-dung")
        admin = user_keys(data_dir, 1, role="admin", prefix="quan-tri")[0]
        port = _free_port()
        extra = {"KHO_MAX_CHUNKS_PER_FILE": str(args.max_chunks)} if args.max_chunks else {}
        server = _start_server(data_dir, port, Path(tmp) / "serve.log", extra)
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {keys[0]}"}, timeout=120) as c:
                c.post("/v1/ask", json={"question": QUESTIONS[0], "extractive": True}).raise_for_status()
            if args.part in ("history", "both"):
                print(f"baseline: {args.clients} clients × {args.seconds:.0f} s…", file=sys.stderr)
                base = asyncio.run(_load(url, keys, [], args.seconds))
                print("with 2 clients sending maximal histories…", file=sys.stderr)
                attacked = asyncio.run(_load(url, keys, abusers, args.seconds))
                p95 = (base["clients"]["latency_s"]["p95"], attacked["clients"]["latency_s"]["p95"])
                result["history"] = {
                    "baseline": base,
                    "with_abusers": attacked,
                    "p95_ratio": round(p95[1] / p95[0], 2) if all(p95) else None,
                    "load_average_1min_after": round(os.getloadavg()[0], 2),
                }
            if args.part in ("upload", "both"):
                print(f"{args.mb:g} MB adversarial upload with 5 users asking…", file=sys.stderr)
                key = "upload_limit_lifted" if args.max_chunks else "upload"
                result[key] = _upload(url, server.pid, admin, keys[:5], args.mb, Path(tmp))
                result[key]["max_chunks_per_file"] = args.max_chunks or "default"
        finally:
            server.terminate()
            server.wait(timeout=60)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
