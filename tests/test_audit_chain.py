"""The audit log's hash chain, head anchor and user pseudonyms (`app.audit.AuditLog`), on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from app.audit import GENESIS, HEAD_FILE, KEY_FILE, MIGRATIONS, AuditEvent, AuditLog, row_hash
from tests.conftest import run_kho


def _log_with(path: Path, n: int, user: str = "an") -> AuditLog:
    log = AuditLog(path)
    for i in range(n):
        log.record(AuditEvent(user=user, role="staff", event="ask", question=f"câu hỏi {i}"))
    return log


def test_an_intact_log_verifies_clean_after_50_records(tmp_path: Path) -> None:
    log = _log_with(tmp_path / "audit.sqlite3", 50)
    assert log.verify() == []
    rows = log.db.execute("SELECT seq, prev_hash, hash FROM events ORDER BY seq").fetchall()
    assert [r["seq"] for r in rows] == list(range(1, 51))
    assert rows[0]["prev_hash"] == GENESIS
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 50))
    head = json.loads((tmp_path / HEAD_FILE).read_text())
    assert head == {"seq": 50, "hash": rows[-1]["hash"]}
    log.close()
    reopened = AuditLog(tmp_path / "audit.sqlite3")  # reopening does not re-anchor or break anything
    assert reopened.verify() == []
    reopened.close()


def test_an_empty_log_verifies_clean(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    assert log.verify() == []
    log.close()


def test_each_row_hash_covers_its_stored_fields(tmp_path: Path) -> None:
    log = _log_with(tmp_path / "audit.sqlite3", 2)
    r = log.db.execute("SELECT * FROM events WHERE seq = 2").fetchone()
    fields = {k: r[k] for k in r.keys()}
    assert row_hash(r["prev_hash"], fields) == r["hash"]
    assert row_hash(r["prev_hash"], {**fields, "role": "admin"}) != r["hash"]
    assert row_hash(GENESIS, fields) != r["hash"]  # the link is part of the hash
    log.close()


def test_user_ref_is_a_stable_keyed_pseudonym(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a" / "audit.sqlite3")
    ref = log.user_ref("nguyen.van.a@noivu.gov.vn")
    assert ref.startswith("u_") and len(ref) == 18 and all(c in "0123456789abcdef" for c in ref[2:])
    assert log.user_ref("nguyen.van.a@noivu.gov.vn") == ref != log.user_ref("tran.thi.b@noivu.gov.vn")
    assert log.user_ref("Nguye\u0302\u0303n") == log.user_ref("Nguyễn")  # NFC first
    eid = log.record(AuditEvent(user="nguyen.van.a@noivu.gov.vn", role="staff", event="ask", question="?"))
    got = log.get(eid)
    assert got is not None and got.user == ref
    log.close()
    again = AuditLog(tmp_path / "a" / "audit.sqlite3")  # the key persists: the same person, the same id
    assert again.user_ref("nguyen.van.a@noivu.gov.vn") == ref
    again.close()
    other = AuditLog(tmp_path / "b" / "audit.sqlite3")  # another install, another key: ids do not link up
    assert other.user_ref("nguyen.van.a@noivu.gov.vn") != ref
    other.close()
    key = tmp_path / "a" / KEY_FILE
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_e_mail_named_users_stay_distinct_in_the_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for name in ("an@noivu.gov.vn", "binh@noivu.gov.vn"):
        log.record(AuditEvent(user=name, role="staff", event="search", question="thử việc"))
    users = [e.user for e in log.events()]
    assert len(set(users)) == 2 and "[email]" not in users
    log.close()


def test_a_corrupt_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_bytes(b"short")
    log = AuditLog(tmp_path / "audit.sqlite3")
    with pytest.raises(ValueError, match="32-byte key"):
        log.user_ref("an")
    log.close()
    assert (tmp_path / KEY_FILE).read_bytes() == b"short"


def test_records_from_4_threads_keep_a_valid_chain(tmp_path: Path) -> None:
    shared = AuditLog(tmp_path / "audit.sqlite3")
    errors: list[BaseException] = []

    def write(who: str, own_connection: bool) -> None:
        log = AuditLog(tmp_path / "audit.sqlite3") if own_connection else shared
        try:
            for i in range(25):
                log.record(AuditEvent(user=who, role="staff", event="ask", question=f"{who} {i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            if own_connection:
                log.close()

    # two threads share one AuditLog, two open their own connection (as two processes would)
    threads = [threading.Thread(target=write, args=(f"t{n}", n % 2 == 1)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert shared.verify() == []
    assert tuple(shared.db.execute("SELECT count(*), max(seq) FROM events").fetchone()) == (100, 100)
    shared.close()


def test_an_old_log_is_chained_by_the_migration(tmp_path: Path) -> None:
    """A log written before the chain existed (m001, m002 only) gets its rows chained, still append-only."""
    path = tmp_path / "audit.sqlite3"
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for step in MIGRATIONS.steps[:2]:
        step(db)
        db.execute("INSERT INTO _migrations VALUES (?, '2026-01-01T00:00:00+00:00')", (step.__name__,))
    for i in range(3):
        db.execute(
            "INSERT INTO events (event_id, at, user, role, event, question) VALUES (?, ?, 'an', 'staff', 'ask', ?)",
            (f"old{i}", f"2026-01-0{i + 1}T00:00:00.000+00:00", f"cũ {i}"),
        )
    db.commit()
    db.close()
    log = AuditLog(path)
    assert log.applied_migrations()[-1] == "m003_hash_chain"
    assert log.verify() == []
    assert [e.user for e in log.events()] == ["an"] * 3  # existing rows stay as they are
    log.record(AuditEvent(user="an", role="staff", event="ask", question="mới"))
    assert log.verify() == []
    log.close()
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE events SET question = 'khác' WHERE seq = 1")
    raw.close()


def test_kho_audit_verify_exits_0_when_intact_and_1_with_the_problems(data_dir: Path) -> None:
    log = _log_with(data_dir / "audit.sqlite3", 3)
    log.close()
    ok = run_kho("audit", "verify", "--json")
    assert json.loads(ok.stdout) == {"ok": True, "rows": 3, "problems": []}
    assert "intact" in run_kho("audit", "verify").stdout
    raw = sqlite3.connect(data_dir / "audit.sqlite3")
    raw.execute("DROP TRIGGER events_no_delete")
    raw.execute("DELETE FROM events WHERE seq = 2")
    raw.commit()
    raw.close()
    bad = run_kho("audit", "verify", "--json", check=False)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False and any("seq 2 missing" in p for p in report["problems"])
    plain = run_kho("audit", "verify", check=False)
    assert plain.returncode == 1 and "seq 2 missing" in plain.stderr


def test_a_failed_append_leaves_the_chain_and_its_anchor_as_they_were(tmp_path: Path) -> None:
    log = _log_with(tmp_path / "audit.sqlite3", 2)
    head = (tmp_path / HEAD_FILE).read_text()
    dup = AuditEvent(user="an", role="staff", event="ask", question="lại", event_id="same")
    log.record(dup)
    with pytest.raises(sqlite3.IntegrityError):
        log.record(dup)  # the same event_id twice: the INSERT fails and the transaction is rolled back
    assert json.loads((tmp_path / HEAD_FILE).read_text())["seq"] == 3 != json.loads(head)["seq"]
    assert log.verify() == []
    log.record(AuditEvent(user="an", role="staff", event="ask", question="tiếp"))
    assert log.verify() == []
    log.close()
