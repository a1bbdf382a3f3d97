"""The restore drill: ingest, ask, back up, destroy the data dir, restore into a fresh one, and prove nothing is lost.

`make drill` (or `python -m bench.drill`) runs it on the demo corpus (corpus/default.toml) in a fresh temporary
folder, through the real `kho` commands for ingest, backup and restore, and the application's services for the rest:

1. `kho ingest --default-corpus`; an admin account is created, a document uploaded (so `uploads/` and a relocated
   path are exercised), and a question asked in a conversation with the real local model (greedy decoding);
2. `kho backup` (no server running: taken in-process); the data dir is then deleted;
3. `kho restore --into <a new folder>`;
4. proof: the same document, chunk, file, account and conversation counts; every audit row of the original with
   the same hash, plus the restore's own row, and the chain verifies; the same uploaded bytes; the same index
   points; the same search hits for the same query; the admin's API key still valid; and the same answer to the
   same question (text and cited anchors).

It prints what was restored and how long each step took, and writes bench/results/drill.json (or `--out FILE`).
`tests/test_backup.py` runs the same drill on the small fixture corpus with extractive answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import core  # noqa: F401
from core.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "drill.json"
KHO = Path(sys.executable).parent / "kho"
QUESTION = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
QUERY = "đóng dấu giáp lai thế nào?"
UPLOAD_NAME = "thong-tu-drill-4-2095.txt"
UPLOAD_TEXT = """\
BỘ NỘI VỤ
Số: 4/2095/TT-BNV

THÔNG TƯ
VỀ LÀM VIỆC TỪ XA THỬ NGHIỆM (TÀI LIỆU DIỄN TẬP KHÔI PHỤC)

Điều 1. Làm việc từ xa
Công chức được làm việc từ xa tối đa 02 ngày mỗi tuần khi thủ trưởng đơn vị đồng ý.
"""
ADMIN_NAME = "drill.admin"


class DrillFailed(AssertionError):
    """Something was lost or changed between the original data dir and the restored one; the message says what."""


@dataclass
class Fingerprint:
    """What must survive a backup and restore, read straight from a data dir's files and index."""

    counts: dict[str, int]
    audit_hashes: list[str]  # the chain, row by row
    uploads: dict[str, str]  # path under uploads/ → SHA-256
    search: list[str]  # chunk ids the query returns, in order
    index_points: int
    dense_points: int


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def fingerprint(settings: Settings) -> Fingerprint:
    """The counts, audit chain, uploaded files, index size and search hits of `settings.data_dir`."""
    from index.search import Searcher
    from index.store import ALIAS, Filters, store_from_settings

    d = settings.data_dir
    reg = d / "registry.sqlite3"
    counts = {
        "files": _count(reg, "SELECT count(*) FROM files"),
        "documents": _count(reg, "SELECT count(*) FROM documents"),
        "chunks": _count(reg, "SELECT count(*) FROM chunks"),
        "audit_events": _count(d / "audit.sqlite3", "SELECT count(*) FROM events"),
        "accounts": _count(d / "accounts.sqlite3", "SELECT count(*) FROM users"),
        "conversations": _count(d / "conversations.sqlite3", "SELECT count(*) FROM conversations"),
        "turns": _count(d / "conversations.sqlite3", "SELECT count(*) FROM turns"),
    }
    con = sqlite3.connect(f"file:{d / 'audit.sqlite3'}?mode=ro", uri=True)
    try:
        hashes = [r[0] for r in con.execute("SELECT hash FROM events ORDER BY seq")]
    finally:
        con.close()
    uploads = {
        p.relative_to(settings.uploads_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(settings.uploads_dir.rglob("*"))
        if p.is_file()
    }
    with store_from_settings(settings) as store:
        name = store.resolve_alias(ALIAS)
        points = store.count(name) if name else 0
        dense = store.count(name, with_dense=True) if name else 0
        hits = Searcher(store, settings).search(QUERY, k=5, filters=Filters(max_access_rank=2)).hits if name else []
    return Fingerprint(counts, hashes, uploads, [h.chunk_id for h in hits], points, dense)


def kho(settings: Settings, *args: str) -> Any:
    """Run the real `kho` command with `--json` on `settings.data_dir`; its JSON output."""
    env = {**os.environ, "KHO_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run([str(KHO), *args, "--json"], capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        raise DrillFailed(f"kho {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def ask_once(
    settings: Settings, question: str, extractive: bool, llm_factory: Callable[[], Any] | None
) -> dict[str, Any]:
    """Ask `question` as the drill's admin in a new conversation; the answer's text, anchors and verification."""
    from app.permissions import Principal
    from app.services import Services
    from ingest.model import AccessLevel

    who = Principal(ADMIN_NAME, "admin", AccessLevel.RESTRICTED)
    services = Services(settings, llm_factory=llm_factory)
    try:
        conv = services.new_conversation(who, "Diễn tập khôi phục")
        res = services.ask(who, question, extractive=extractive, conversation_id=conv.id)
    finally:
        services.close()
    a = res.answer
    return {
        "answer": a.answer,
        "anchors": [c.hit.anchor for c in a.citations],
        "verification": a.verification.value,
        "refused": a.refused,
    }


def prepare(settings: Settings, corpus: list[Path] | None) -> dict[str, Any]:
    """Fill a fresh data dir: ingest (the demo corpus when `corpus` is None), an admin account, one upload."""
    from app.accounts import Accounts
    from app.permissions import Principal
    from app.services import Services
    from ingest.model import AccessLevel

    report = (
        kho(settings, "ingest", "--default-corpus") if corpus is None else kho(settings, "ingest", *map(str, corpus))
    )
    accounts = Accounts.from_settings(settings)
    try:
        key = accounts.add(ADMIN_NAME, "admin", AccessLevel.RESTRICTED)
    finally:
        accounts.close()
    services = Services(settings)
    try:
        up = services.upload(
            Principal(ADMIN_NAME, "admin", AccessLevel.RESTRICTED),
            [(UPLOAD_NAME, UPLOAD_TEXT.encode())],
            AccessLevel.INTERNAL,
        )
    finally:
        services.close()
    if not up[0].documents:
        raise DrillFailed(f"the drill's upload was not stored: {up[0].to_json()}")
    return {"key": key, "ingested": report, "upload_document": up[0].documents[0]}


def compare(before: Fingerprint, after: Fingerprint) -> list[str]:
    """What differs between the original and the restored data dir (the restore adds exactly one audit row)."""
    problems = []
    for k, n in before.counts.items():
        want = n + 1 if k == "audit_events" else n
        if after.counts.get(k) != want:
            problems.append(f"{k}: {after.counts.get(k)} restored, {want} expected")
    if after.audit_hashes[: len(before.audit_hashes)] != before.audit_hashes:
        problems.append("the audit rows of the original do not all come back with the same hashes")
    if after.uploads != before.uploads:
        problems.append(f"uploaded files differ: {sorted(set(before.uploads.items()) ^ set(after.uploads.items()))}")
    if (after.index_points, after.dense_points) != (before.index_points, before.dense_points):
        problems.append(
            f"index: {after.index_points} points ({after.dense_points} dense) restored, "
            f"{before.index_points} ({before.dense_points}) before"
        )
    if after.search != before.search:
        problems.append(f"search hits for {QUERY!r} differ: {after.search} vs {before.search}")
    return problems


def run_drill(
    root: Path,
    corpus: list[Path] | None = None,
    question: str = QUESTION,
    extractive: bool = False,
    llm_factory: Callable[[], Any] | None = None,
    base: Settings | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The whole drill under `root` (see the module docstring); `DrillFailed` naming what was lost, else the report.

    `base` supplies every setting but the data dir (the embedder, the embeddings cache).
    """
    from app.accounts import Accounts
    from app.audit import AuditLog
    from app.permissions import Principal
    from app.services import Services
    from ingest.model import AccessLevel

    base = base or Settings()
    original = base.model_copy(update={"data_dir": root / "data"})
    restored = base.model_copy(update={"data_dir": root / "restored"})
    backups = root / "backups"
    t: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = fn()
        t[name] = round(time.perf_counter() - start, 2)
        say(f"{name:<10} {t[name]:7.2f} s")
        return out

    made = step("ingest", lambda: prepare(original, corpus))
    first = step("ask", lambda: ask_once(original, question, extractive, llm_factory))
    before = fingerprint(original)
    manifest = step("backup", lambda: kho(original, "backup", str(backups)))
    step("destroy", lambda: shutil.rmtree(original.data_dir))
    restore = step("restore", lambda: kho(restored, "restore", str(backups), "--into", str(restored.data_dir)))
    after = step("verify", lambda: fingerprint(restored))
    problems = compare(before, after)
    log = AuditLog(restored.audit_path)
    try:
        problems += [f"audit chain: {p}" for p in log.verify()]
    finally:
        log.close()
    accounts = Accounts.from_settings(restored)
    try:
        if accounts.authenticate(made["key"]) is None:
            problems.append("the admin's API key is no longer valid after the restore")
    finally:
        accounts.close()
    services = Services(restored)
    try:
        path = services.original_file(Principal(ADMIN_NAME, "admin", AccessLevel.RESTRICTED), made["upload_document"])
        if not path.is_relative_to(restored.uploads_dir):
            problems.append(f"the uploaded file's path {path} is not under the restored data dir")
    finally:
        services.close()
    second = step("ask again", lambda: ask_once(restored, question, extractive, llm_factory))
    same_answer = second["answer"] == first["answer"]
    if second["anchors"] != first["anchors"]:
        problems.append(f"the answer cites {second['anchors']} after the restore, {first['anchors']} before")
    if not same_answer:
        problems.append("the answer's text differs after the restore (same question, same sources, greedy decoding)")
    report = {
        "ok": not problems,
        "problems": problems,
        "restored": {**after.counts, "index_points": after.index_points, "dense_points": after.dense_points},
        "audit_rows_before": len(before.audit_hashes),
        "backup_files": len(manifest["files"]),
        "backup_bytes": sum(int(f["size"]) for f in manifest["files"]),
        "index_captured_by": manifest["index"]["how"],
        "index_restored_by": restore["index"]["how"],
        "search_hits": len(after.search),
        "same_answer": same_answer,
        "answer": {"question": question, "extractive": extractive, **first},
        "timings_s": t,
        "restore_timings_s": restore["timings_s"],
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the figures go (JSON)")
    parser.add_argument("--extractive", action="store_true", help="quote instead of generating (no LLM)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="kho-drill-"))
    print(f"restore drill in {root} (demo corpus, corpus/default.toml)")
    try:
        # the drill proves the answer comes back, not how fast: a busy 2-core machine may take minutes per answer
        base = Settings()
        base = base.model_copy(update={"llm_timeout_s": max(base.llm_timeout_s, 1800.0)})
        report = run_drill(root, extractive=args.extractive, base=base)
    except DrillFailed as exc:
        print(f"DRILL FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    r = report["restored"]
    print(
        f"restored: {r['documents']} documents, {r['chunks']} chunks, {r['files']} files, "
        f"{r['audit_events']} audit events ({report['audit_rows_before']} original + the restore's, chain verified), "
        f"{r['accounts']} account(s), {r['conversations']} conversation(s), index {r['index_points']} points "
        f"({report['index_captured_by']} → {report['index_restored_by']}); {report['backup_files']} files, "
        f"{report['backup_bytes'] / 1e6:.1f} MB checked"
    )
    print(f"same search hits: {report['search_hits']}; same answer: {report['same_answer']}")
    print(f"restore took {report['timings_s']['restore']:.2f} s (kho restore, process start included)")
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**report, "answer": report["answer"]}, ensure_ascii=False, indent=1) + "\n")
    if report["problems"]:
        for p in report["problems"]:
            print(f"LOST: {p}", file=sys.stderr)
        return 1
    print(f"drill passed — figures in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
