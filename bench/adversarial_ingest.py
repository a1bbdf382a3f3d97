"""Benchmark: ingest cost of crafted uploads must grow linearly with their size (time and peak memory).

An attacker's 47 MB text — one "Điều 1." article followed by 650,000 lines "1. …" (out-of-sequence clause numbers,
so none becomes a clause) — once became ONE 33-million-character chunk and took the server to 17.9 GB while
indexing. This script generates such files at several sizes, in two shapes:

- `lines`: "Điều 1. …" then lines "1. <Vietnamese words>;" of ~72 characters;
- `one_line`: "Điều 1. …" then a single line of words with no line break at all;
- `wrapped`: "Điều 1. …" then ~72-character lines that never end a sentence, as a PDF's hard-wrapped text: the
  reflow joins them all into one paragraph (once by growing one string line by line: quadratic);

and, for each size, runs parse + chunk + registry store (`run_ingest` into a fresh data dir) in a FRESH
subprocess, so each figure is that run's own wall time and peak RSS — once with the default settings (the
largest file is then FAILED by `KHO_MAX_CHUNKS_PER_FILE`) and once with that limit lifted (everything stored).
With `--bm25` it also times the BM25 term counting of the stored chunks (what indexing does first; pyvi's cost
grows faster than linearly in one chunk's length, which is why no chunk may exceed `KHO_CHUNK_MAX_CHARS`) for
sizes up to 2 MB.

    .venv/bin/python -m bench.adversarial_ingest            # writes bench/results/adversarial_ingest.json
    .venv/bin/python -m bench.adversarial_ingest --sizes 0.5 2 --bm25
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parent.parent
SIZES_MB = (0.5, 2.0, 8.0, 45.0)
SHAPES = ("lines", "one_line", "wrapped")
BM25_UP_TO_MB = 2.0
_WORDS = (
    "quy định về quyền và nghĩa vụ của cơ quan tổ chức cá nhân trong hoạt động văn thư lưu trữ theo pháp luật hiện hành"
).split()


def adversarial_text(shape: str, mb: float) -> str:
    """The crafted file's text: about `mb` megabytes (UTF-8) in the given shape."""
    target = int(mb * 1_000_000)
    head = "LUẬT THỬ NGHIỆM\n\nĐiều 1. Phạm vi điều chỉnh\n"
    parts = [head]
    size = len(head.encode())
    i = 0
    sep = " " if shape == "one_line" else "\n"
    while size < target:
        words = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(14))
        piece = f"1. {words};{sep}" if shape == "lines" else f"{words}{sep}"
        parts.append(piece)
        size += len(piece.encode())
        i += 1
    return "".join(parts).rstrip() + "\n"


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: VmHWM, which starts afresh at exec (ru_maxrss does not: it
    keeps the forking parent's high-water mark, here the generator's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(path: str, data_dir: str, bm25: bool) -> None:
    """Runs in the fresh subprocess: one ingest, then prints its figures as one JSON line."""
    from core.settings import Settings
    from ingest.job import run_ingest
    from ingest.registry import Registry

    settings = Settings(data_dir=Path(data_dir))
    t0 = time.perf_counter()
    with Registry.from_settings(settings) as reg:
        report = run_ingest([Path(path)], reg, settings, progress=False)
        seconds = time.perf_counter() - t0
        res = report.results[0]
        lengths = [c.end - c.start for c in reg.iter_chunks()]
        out: dict[str, object] = {
            "state": res.state.value,
            "reason": res.reason,
            "chunks": res.n_chunks,
            "longest_chunk_chars": max(lengths, default=0),
            "ingest_seconds": round(seconds, 2),
            "ingest_peak_rss_mb": peak_rss_mb(),
        }
        if bm25:
            from index.sparse import BM25Encoder

            enc = BM25Encoder(avg_len=100.0)
            t1 = time.perf_counter()
            for rec in reg.iter_chunks():
                enc.term_counts(rec.text)
            out["bm25_seconds"] = round(time.perf_counter() - t1, 2)
            out["peak_rss_mb_with_bm25"] = peak_rss_mb()
    print(json.dumps(out))


def measure(shape: str, mb: float, bm25: bool, pythonpath: Path = REPO, lift_limit: bool = False) -> dict[str, object]:
    """Generate one file and ingest it in a fresh subprocess; its figures, with the file's size.

    `lift_limit` sets KHO_MAX_CHUNKS_PER_FILE out of reach, so the whole file is chunked and stored: the cost of
    the full pipeline at that size, not of refusing it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"adversarial-{shape}-{mb:g}mb.txt"
        path.write_text(adversarial_text(shape, mb), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
        if lift_limit:
            env["KHO_MAX_CHUNKS_PER_FILE"] = str(10**9)
        cmd = [sys.executable, "-m", "bench.adversarial_ingest", "--child", str(path), str(Path(tmp) / "data")]
        if bm25:
            cmd.append("--bm25")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=pythonpath, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{shape} {mb} MB: child failed ({proc.returncode}): {proc.stderr[-2000:]}")
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        return {
            "shape": shape,
            "mb": mb,
            "chunk_limit": "lifted" if lift_limit else "default",
            "bytes": path.stat().st_size,
            "process_seconds": round(wall, 2),
            **figures,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=float, nargs="*", default=list(SIZES_MB), help="file sizes in MB")
    ap.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=SHAPES)
    ap.add_argument("--bm25", action="store_true", help=f"also time BM25 term counts (sizes ≤ {BM25_UP_TO_MB} MB)")
    ap.add_argument("--code", type=Path, default=REPO, help="source tree to measure (e.g. an export of HEAD)")
    ap.add_argument("--out", type=Path, default=RESULTS / "adversarial_ingest.json")
    ap.add_argument("--child", nargs=2, metavar=("FILE", "DATA_DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.bm25)
        return
    runs = []
    for lift in (False, True):
        for shape in args.shapes:
            for mb in args.sizes:
                row = measure(shape, mb, args.bm25 and mb <= BM25_UP_TO_MB and not lift, args.code, lift)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                runs.append(row)
    out = {
        "what": "parse + chunk + registry store (run_ingest, fresh data dir) of crafted uploads, each in a fresh "
        "subprocess: `lines` = 'Điều 1.' then ~72-char lines '1. …'; `one_line` = 'Điều 1.' then one line "
        "with no line break; `wrapped` = hard-wrapped lines that never end a sentence (all reflowed into one "
        "paragraph). Peak RSS is the subprocess's own VmHWM (Python + imports ≈ 60 MB). chunk_limit "
        "'lifted' = KHO_MAX_CHUNKS_PER_FILE out of reach, so the whole file is chunked and stored.",
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "code": str(args.code),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
