"""Benchmark: ingest the whole shared corpus into a fresh registry (cold), then again (warm, all unchanged).

Part of the cold run, measured again on its own afterwards: deriving every article's version from all documents
and relations (`Registry.refresh_versions`, ingest/versions.py), which each ingest that stored something runs.

Writes bench/results/ingest.json; the README quotes it. Run with `make bench`.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import core  # noqa: F401
from core.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


def _run(corpus: Path, data_dir: Path) -> tuple[float, dict[str, object]]:
    kho = Path(sys.executable).parent / "kho"
    env = {"KHO_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(kho), "ingest", str(corpus), "--json", "--no-progress", "--no-index"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kho ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return seconds, json.loads(proc.stdout)


def _versions(data_dir: Path) -> dict[str, object]:
    """Time one full re-derivation of the article versions (nothing changed: read, derive, compare)."""
    from ingest.registry import Registry

    with Registry(data_dir / "registry.sqlite3") as reg:
        t0 = time.perf_counter()
        changed = reg.refresh_versions()
        seconds = time.perf_counter() - t0
        n = reg.db.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        relations = sum(reg.relation_counts().values())
    return {"refresh_seconds": round(seconds, 2), "articles": n, "relations": relations, "changed": changed}


def main() -> None:
    settings = Settings()
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise SystemExit(f"needs the shared corpus at {corpus} (KHO_SHARED_DIR)")
    with tempfile.TemporaryDirectory() as tmp:
        cold_s, cold = _run(corpus, Path(tmp))
        warm_s, warm = _run(corpus, Path(tmp))
        registry_mb = (Path(tmp) / "registry.sqlite3").stat().st_size / 1e6
        versions = _versions(Path(tmp))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = {
        "what": "kho ingest ../shared/corpus --no-index (registry only; bench.retrieval measures indexing): "
        "cold run into an empty registry, then a warm rerun",
        "machine": f"{platform.machine()}, {platform.python_version()}, {__import__('os').cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "files": cold["n_files"],
        "ignored_non_documents": len(ignored) if isinstance(ignored := cold.get("ignored"), list) else 0,
        "totals_cold": cold["totals"],
        "documents": cold["n_documents_indexed"],
        "chunks": cold["n_chunks_indexed"],
        "cold_seconds": round(cold_s, 1),
        "warm_seconds": round(warm_s, 2),
        "totals_warm": warm["totals"],
        "registry_mb": round(registry_mb, 1),
        "peak_rss_mb": round(peak_rss_mb, 0),
        "versions": versions,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
