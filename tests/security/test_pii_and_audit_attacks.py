"""Attacks on the audit trail: personal data slipping through masking, rows erased or rewritten behind the
triggers' back, exports by the wrong people, and a data dir other local users can read."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import io
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import core.fs
from app.accounts import Accounts
from app.audit import HEAD_FILE, KEY_FILE, AuditEvent, AuditLog, row_hash
from app.services import Principal, Services
from core.fs import private_dir, secure_umask, tighten
from core.settings import Settings
from ingest.model import AccessLevel
from tests.conftest import run_kho

GROUPED_CCCD = "038 099 001 133"
PREFIXED_CCCD = "CCCD-038099001144"
INTL_PHONE = "(+84) 987 654 322"
SECRETS = [b"038 099 001 133", b"038099001133", b"038099001144", b"987 654 322", b"987654322"]


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


def _raw(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in folder.iterdir() if f.is_file())


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022 umask, so only the code under test can make things private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# ------------------------------------------------------------------------------ personal data in the log


def test_grouped_prefixed_and_international_forms_never_reach_the_file_or_exports(data_dir: Path) -> None:
    log = AuditLog(data_dir / "audit.sqlite3")
    log.record(
        AuditEvent(
            user="nguyen.van.a@noivu.gov.vn",
            role="staff",
            event="ask",
            question=f"CCCD {GROUPED_CCCD} và {PREFIXED_CCCD} hết hạn, gọi {INTL_PHONE}",
            details={"query": f"{PREFIXED_CCCD} {INTL_PHONE}"},
        )
    )
    log.close()
    raw = _raw(data_dir)
    for s in [*SECRETS, b"nguyen.van.a@noivu.gov.vn"]:
        assert s not in raw, s
    key = Accounts(data_dir / "accounts.sqlite3").add("phap.che", "legal", AccessLevel.RESTRICTED)
    jsonl = run_kho("audit", "export", "--since", "2000-01-01", "--key", key).stdout
    csv_text = run_kho("audit", "export", "--since", "2000-01-01", "--format", "csv", "--key", key).stdout
    for text in (jsonl, csv_text):
        for s in SECRETS:
            assert s.decode() not in text, s
        assert "nguyen.van.a" not in text and "[số định danh]" in text and "[số điện thoại]" in text
    asked = json.loads(jsonl.splitlines()[0])
    assert asked["question"] == "CCCD [số định danh] và CCCD-[số định danh] hết hạn, gọi [số điện thoại]"
    assert asked["user"].startswith("u_")


def test_feedback_comments_and_validity_reasons_are_masked(tmp_path: Path) -> None:
    services = Services(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    try:
        asked = services.audit.record(AuditEvent(user="an", role="staff", event="ask", question="thử việc?"))
        evaluator = Principal("danh.gia", "evaluator", AccessLevel.PUBLIC)
        services.feedback(evaluator, asked, correct=False, comment=f"gọi {INTL_PHONE}, STK 0071 0001 23456 VCB")
        services.audit.record(
            AuditEvent(
                user="quan.tri",
                role="admin",
                event="set_validity",
                ref="doc-1",
                details={"hieu_luc": "het_hieu_luc", "reason": f"theo đơn của ông A, {PREFIXED_CCCD}"},
            )
        )
        fb = next(services.audit.events(event="feedback"))
        change = next(services.audit.events(event="set_validity"))
    finally:
        services.close()
    assert fb.details["comment"] == "gọi [số điện thoại], STK [số tài khoản] VCB"
    assert change.details["reason"] == "theo đơn của ông A, CCCD-[số định danh]"
    raw = _raw(tmp_path / "data")
    assert b"0071 0001 23456" not in raw and b"038099001144" not in raw and b"987 654 322" not in raw


# ------------------------------------------------------------------------------------- tampering


def _tampered_log(tmp_path: Path, n: int = 5) -> tuple[AuditLog, sqlite3.Connection]:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for i in range(n):
        log.record(AuditEvent(user="an", role="staff", event="ask", question=f"câu {i}"))
    raw = sqlite3.connect(tmp_path / "audit.sqlite3", isolation_level=None)
    raw.execute("DROP TRIGGER events_no_update")  # what anyone with write access to the file can do
    raw.execute("DROP TRIGGER events_no_delete")
    return log, raw


def test_an_altered_question_is_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute("UPDATE events SET question = 'câu khác' WHERE seq = 3")
    assert log.verify() == ["seq 3: the stored hash does not match the row (changed after it was written)"]
    raw.close()
    log.close()


def test_a_rewritten_user_is_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute("UPDATE events SET user = ? WHERE seq = 1", (log.user_ref("binh"),))
    assert any("seq 1" in p for p in log.verify())
    raw.close()
    log.close()


def test_a_deleted_middle_row_is_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute("DELETE FROM events WHERE seq = 3")
    problems = log.verify()
    assert any("seq 3 missing" in p for p in problems), problems
    raw.close()
    log.close()


def test_a_deleted_last_row_is_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute("DELETE FROM events WHERE seq = 5")
    problems = log.verify()
    assert any("seq 5 missing" in p for p in problems) and any(HEAD_FILE in p for p in problems), problems
    raw.close()
    log.close()


def test_a_deleted_last_row_with_sqlite_sequence_rewound_is_still_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute("DELETE FROM events WHERE seq = 5")
    raw.execute("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'events'")
    problems = log.verify()
    assert problems and all(HEAD_FILE in p for p in problems), problems
    raw.close()
    log.close()


def test_a_consistently_rehashed_chain_is_caught_by_the_head_anchor(tmp_path: Path) -> None:
    """The attacker rewrites row 2 and recomputes every hash after it: only the anchor outside the table tells."""
    log, raw = _tampered_log(tmp_path)
    raw.row_factory = sqlite3.Row
    raw.execute("UPDATE events SET question = 'câu khác' WHERE seq = 2")
    prev = raw.execute("SELECT hash FROM events WHERE seq = 1").fetchone()[0]
    for r in raw.execute("SELECT * FROM events WHERE seq >= 2 ORDER BY seq").fetchall():
        h = row_hash(prev, dict(r))
        raw.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r["seq"]))
        prev = h
    problems = log.verify()
    assert len(problems) == 1 and HEAD_FILE in problems[0], problems
    raw.close()
    log.close()


def test_a_removed_head_anchor_is_reported_not_recreated(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.close()
    log.close()
    (tmp_path / HEAD_FILE).unlink()
    reopened = AuditLog(tmp_path / "audit.sqlite3")
    assert any(f"{HEAD_FILE} is missing" in p for p in reopened.verify())
    assert not (tmp_path / HEAD_FILE).exists()
    reopened.close()


def test_a_row_inserted_around_the_application_is_detected(tmp_path: Path) -> None:
    log, raw = _tampered_log(tmp_path)
    raw.execute(
        "INSERT INTO events (event_id, at, user, role, event, question) "
        "VALUES ('forged', '2026-01-01T00:00:00.000+00:00', 'u_0', 'admin', 'ask', 'giả')"
    )
    problems = log.verify()
    assert any("seq 6: no hash" in p for p in problems) and any(HEAD_FILE in p for p in problems), problems
    raw.close()
    log.close()


# ------------------------------------------------------------------------------------ who may export


def test_audit_export_needs_a_legal_or_admin_key_and_is_itself_audited(data_dir: Path) -> None:
    log = AuditLog(data_dir / "audit.sqlite3")
    log.record(AuditEvent(user="an", role="staff", event="ask", question="thử việc?"))
    log.close()
    accounts = Accounts(data_dir / "accounts.sqlite3")
    staff = accounts.add("nhan.vien", "staff", AccessLevel.RESTRICTED)
    evaluator = accounts.add("danh.gia", "evaluator", AccessLevel.RESTRICTED)
    legal = accounts.add("phap.che", "legal", AccessLevel.PUBLIC)
    admin = accounts.add("quan.tri", "admin", AccessLevel.PUBLIC)
    revoked = accounts.add("cu", "legal", AccessLevel.PUBLIC)
    accounts.revoke("cu")
    accounts.close()
    env_no_key = {k: v for k, v in os.environ.items() if k != "KHO_API_KEY"}
    missing = run_kho("audit", "export", "--since", "2000-01-01", env=env_no_key, check=False)
    assert missing.returncode == 2 and "--key" in missing.stderr and "KHO_API_KEY" in missing.stderr
    assert missing.stdout == ""
    for bad in (staff, evaluator, revoked, legal[:-2] + "xx", "kho_deadbeef_" + "a" * 43):
        refused = run_kho("audit", "export", "--since", "2000-01-01", "--key", bad, check=False)
        assert refused.returncode == 2 and refused.stdout == "" and "--key" in refused.stderr
    first = run_kho("audit", "export", "--since", "2000-01-01", "--key", legal).stdout.splitlines()
    assert len(first) == 1
    second = run_kho("audit", "export", "--since", "2000-01-01", "--format", "csv", env={"KHO_API_KEY": admin})
    rows = list(csv.DictReader(io.StringIO(second.stdout)))
    assert [r["event"] for r in rows] == ["ask", "audit_export"]
    log = AuditLog(data_dir / "audit.sqlite3")
    exports = list(log.events(event="audit_export"))
    assert [(e.user, e.role) for e in exports] == [
        (log.user_ref("phap.che"), "legal"),
        (log.user_ref("quan.tri"), "admin"),
    ]
    assert exports[0].details == {"since": "2000-01-01", "format": "jsonl", "count": 1}
    assert exports[1].details == {"since": "2000-01-01", "format": "csv", "count": 2}
    assert log.verify() == []
    log.close()


# ------------------------------------------------------------------------------------ files at rest


def test_the_audit_log_creates_a_private_dir_and_private_files(tmp_path: Path, loose_umask: None) -> None:
    log = AuditLog(tmp_path / "data" / "audit.sqlite3")
    log.record(AuditEvent(user="an", role="staff", event="ask", question="?"))
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    for name in ("audit.sqlite3", "audit.sqlite3-wal", "audit.sqlite3-shm", KEY_FILE, HEAD_FILE):
        assert (data / name).exists() and _mode(data / name) == 0o600, name
    log.close()


def test_kho_creates_its_files_private_whatever_the_callers_umask(data_dir: Path, loose_umask: None) -> None:
    run_kho("users", "add", "an", "--role", "staff")
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files and all(_mode(p) == 0o600 for p in files), [(p.name, oct(_mode(p))) for p in files]
    assert _mode(data_dir) == 0o700


def test_secure_umask_and_private_dir(tmp_path: Path, loose_umask: None) -> None:
    old = secure_umask()
    try:
        assert old == 0o022
        (tmp_path / "f").write_text("x")
        assert _mode(tmp_path / "f") == 0o600
    finally:
        os.umask(old)
    d = private_dir(tmp_path / "a" / "b")
    assert d.is_dir() and _mode(d) == 0o700
    (tmp_path / "open").mkdir(mode=0o755)
    assert _mode(private_dir(tmp_path / "open")) == 0o700  # an existing folder is tightened too
    s = Settings(data_dir=tmp_path / "kho")
    assert s.ensure_data_dir() == tmp_path / "kho" and _mode(tmp_path / "kho") == 0o700


def test_tighten_fixes_a_loose_tree_without_following_links(tmp_path: Path, loose_umask: None) -> None:
    data, outside = tmp_path / "data", tmp_path / "outside"
    (data / "qdrant" / "collection").mkdir(parents=True)
    outside.mkdir()
    (outside / "theirs").write_text("x")
    (data / "audit.sqlite3").write_text("x")
    (data / "qdrant" / "collection" / "segment").write_text("x")
    (data / "link-to-file").symlink_to(outside / "theirs")
    (data / "link-to-dir").symlink_to(outside)
    (data / "dangling").symlink_to(tmp_path / "gone")
    for p in (data, data / "qdrant", data / "qdrant" / "collection"):
        p.chmod(0o755)
    tighten(data)
    assert _mode(data) == _mode(data / "qdrant") == _mode(data / "qdrant" / "collection") == 0o700
    assert _mode(data / "audit.sqlite3") == _mode(data / "qdrant" / "collection" / "segment") == 0o600
    assert _mode(outside) == 0o755 and _mode(outside / "theirs") == 0o644  # link targets untouched
    tighten(tmp_path / "missing")  # nothing there: nothing to do, no error


def test_an_export_written_to_a_file_is_private(data_dir: Path, loose_umask: None) -> None:
    log = AuditLog(data_dir / "audit.sqlite3")
    log.record(AuditEvent(user="an", role="staff", event="ask", question="?", at=dt.datetime.now(dt.UTC).isoformat()))
    log.close()
    key = Accounts(data_dir / "accounts.sqlite3").add("phap.che", "legal", AccessLevel.PUBLIC)
    out = data_dir.parent / "export.jsonl"
    run_kho("audit", "export", "--since", "2000-01-01", "--key", key, "-o", str(out))
    assert out.read_text(encoding="utf-8").count("\n") == 1 and _mode(out) == 0o600


def test_the_private_files_module_examples_hold() -> None:
    result = doctest.testmod(core.fs)
    assert result.attempted > 0 and result.failed == 0
