"""Time a newcomer's `make demo` until the workdesk answers and until search is hybrid (issue 17, item 2).

What it is for: the figure the README gives for "a clean-clone `make demo` reaches hybrid search". It runs
`make demo` in a checkout (a fresh clone, for the figure) with a fresh data dir and a fresh embedding cache, so
nothing computed earlier — term counts, dense vectors — is reused; the model cache (`~/.cache/kho/models`, what
`make models` fetches and builds) is the machine's, warm or not, and the result says which. Every 15 s it asks
the running server, as a user would, through `kho search --json` (which goes through the server once `kho serve`
holds the index): the first answer marks "the workdesk answers" (BM25 while the vectors are computed in the
background), the first `retrieval.mode == "hybrid"` marks the end. It then stops `make demo` and writes
`bench/results/demo.json` in the checkout it was started from.

Run: `python bench/demo_time.py --repo /tmp/clone/main` (`--repo .` times this checkout). Never a test: it
takes tens of minutes on 2 cores and is measured, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "demo.json"
QUERY = "đóng dấu giáp lai thế nào?"
POLL_S = 15.0


def ask(repo: Path, env: dict[str, str]) -> dict[str, Any] | None:
    """`kho search --json` in `repo`; None while nothing answers (the server is not up, or no index yet)."""
    kho = repo / ".venv" / "bin" / "kho"
    if not kho.exists():
        return None
    out = subprocess.run(
        [str(kho), "search", QUERY, "--k", "3", "--json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        return None
    try:
        data = json.loads(out.stdout)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", default=".", help="the checkout to run `make demo` in (a fresh clone for the figure)")
    p.add_argument("--timeout-min", type=float, default=120.0)
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    repo = Path(args.repo).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="kho-demo-time-"))
    env = {
        **os.environ,
        "KHO_DATA_DIR": str(scratch / "data"),
        "KHO_EMBEDDINGS_CACHE_DIR": str(scratch / "embeddings"),
    }
    models = Path(os.environ.get("KHO_CACHE_DIR", "~/.cache/kho")).expanduser() / "models"
    warm = sorted(x.name for x in models.iterdir()) if models.is_dir() else []
    fresh_venv = not (repo / ".venv").exists()
    log = scratch / "make-demo.log"
    t0 = time.monotonic()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with log.open("w") as f:
        proc = subprocess.Popen(
            ["make", "demo"], cwd=repo, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True
        )
    marks: dict[str, float] = {}
    polls: list[dict[str, Any]] = []
    try:
        while time.monotonic() - t0 < args.timeout_min * 60:
            if proc.poll() is not None:
                raise SystemExit(f"make demo ended with {proc.returncode} before search was hybrid; see {log}")
            if "serving" not in marks and (scratch / "data" / "server.json").exists():
                marks["serving"] = time.monotonic() - t0
            if "serving" in marks:
                data = ask(repo, env)
                r = (data or {}).get("retrieval") or {}
                if data is not None:
                    now = time.monotonic() - t0
                    marks.setdefault("answering", now)
                    polls.append(
                        {
                            "s": round(now),
                            "mode": r.get("mode"),
                            "dense": r.get("dense_points"),
                            "points": r.get("points"),
                        }
                    )
                    print(
                        f"{now / 60:6.1f} min  {r.get('mode')}  {r.get('dense_points')}/{r.get('points')}", flush=True
                    )
                    if r.get("mode") == "hybrid":
                        marks["hybrid"] = now
                        break
            time.sleep(POLL_S)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    if "hybrid" not in marks:
        print(f"not hybrid within {args.timeout_min} min; see {log}", file=sys.stderr)
        return 1
    result = {
        "what": "make demo in a checkout with a fresh data dir and a fresh embedding cache, polled every 15 s "
        "with `kho search --json` through the running server",
        "started": started,
        "repo": str(repo),
        "fresh_venv": fresh_venv,
        "model_cache_warm": warm,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "dense_runtime": "embeddinggemma-openvino"
        if "embeddinggemma-openvino" in warm and env.get("KHO_EMBED_FAST_CPU", "true").lower() != "false"
        else "embeddinggemma (torch fp32)",
        "minutes": {k: round(v / 60, 1) for k, v in marks.items()},
        "chunks": polls[-1]["points"] if polls else None,
        "polls": polls,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result["minutes"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
