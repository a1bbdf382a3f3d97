"""Accounts (hashed API keys, `kho users`), the append-only audit log (`kho audit export`) and personal-data masking."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.accounts import AccountError, Accounts
from app.audit import AuditEvent, AuditLog
from core.pii import mask_pii
from ingest.model import AccessLevel
from tests.conftest import run_kho


@pytest.mark.parametrize("name", ["core.pii", "app.audit", "app.accounts", "app.services"])
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


# ----------------------------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("số CCCD 001203004567", "001203004567"),
        ("CMND 123456789 cấp năm 2010", "123456789"),
        ("gọi 0912345678", "0912345678"),
        ("gọi 0912 345 678 giờ hành chính", "0912 345 678"),
        ("số +84 912 345 678", "912 345 678"),
        ("số 84912345678", "84912345678"),
        ("máy bàn 024.3823.4567", "3823.4567"),
        ("di động 091-234-5678.", "091-234-5678"),
        ("thư Nguyen.Van-A+hr@noivu.gov.vn nhé", "noivu.gov.vn"),
    ],
)
def test_personal_data_is_masked(text: str, hidden: str) -> None:
    assert hidden not in mask_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "Điều 29 Luật Viên chức số 58/2010/QH12",
        "Nghị định 30/2020/NĐ-CP ngày 05/03/2020",
        "mức phạt 100.000.000 đồng",
        "Khoản 2 Điều 12, năm 2019, 12 tháng",
    ],
)
def test_legal_references_and_amounts_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


# ----------------------------------------------------------------------------------------------- accounts


def test_keys_are_stored_only_as_hashes(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "accounts.sqlite3")
    key = accounts.add("an", "legal", AccessLevel.INTERNAL)
    who = accounts.authenticate(key)
    assert who is not None and (who.name, who.role, who.clearance) == ("an", "legal", AccessLevel.INTERNAL)
    accounts.close()
    secret = key.split("_", 2)[2]
    for f in tmp_path.iterdir():
        assert secret.encode() not in f.read_bytes()


def test_a_wrong_or_revoked_key_names_nobody(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "accounts.sqlite3")
    key = accounts.add("an", "staff", "public")
    other = accounts.add("binh", "admin", "restricted")
    key_id = key.split("_")[1]
    assert accounts.authenticate(f"kho_{key_id}_{other.split('_', 2)[2]}") is None  # another user's secret
    assert accounts.authenticate(key.upper()) is None and accounts.authenticate(None) is None
    accounts.revoke("an")
    assert accounts.authenticate(key) is None and accounts.principal_for_key_id("an", key_id) is None
    fresh = accounts.add("an", "staff", "public")  # a revoked user can be given a new key
    assert accounts.authenticate(fresh) is not None and accounts.authenticate(key) is None
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("an", "staff", "public")
    with pytest.raises(AccountError, match="role"):
        accounts.add("c", "boss", "public")
    with pytest.raises(AccountError, match="clearance"):
        accounts.add("c", "staff", "secret")
    with pytest.raises(AccountError, match="name"):
        accounts.add("a b/c", "staff", "public")


def test_kho_users_add_prints_a_key_that_works_and_is_not_stored(data_dir: Path) -> None:
    key = run_kho("users", "add", "chi.le", "--role", "admin", "--clearance", "restricted").stdout.strip()
    assert key.startswith("kho_") and "\n" not in key
    accounts = Accounts(data_dir / "accounts.sqlite3")
    who = accounts.authenticate(key)
    assert who is not None and who.role == "admin" and who.clearance is AccessLevel.RESTRICTED
    accounts.close()
    raw = b"".join(f.read_bytes() for f in data_dir.iterdir() if f.name.startswith("accounts"))
    assert key.encode() not in raw and key.split("_", 2)[2].encode() not in raw
    listed = json.loads(run_kho("users", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["active"]) for u in listed] == [("chi.le", "admin", True)]
    assert key.split("_", 2)[2] not in run_kho("users", "list").stdout
    run_kho("users", "revoke", "chi.le")
    accounts = Accounts(data_dir / "accounts.sqlite3")
    assert accounts.authenticate(key) is None
    accounts.close()
    bad = run_kho("users", "add", "x", "--role", "boss", check=False)
    assert bad.returncode == 2 and "role" in bad.stderr


# -------------------------------------------------------------------------------------------------- audit


def test_the_audit_table_refuses_updates_and_deletes(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record(AuditEvent(user="an", role="staff", event="ask", question="thử việc bao lâu?"))
    log.close()
    db = sqlite3.connect(tmp_path / "audit.sqlite3")  # straight at the file, as any other program could
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET question = 'khác'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")
    assert db.execute("SELECT question FROM events").fetchall() == [("thử việc bao lâu?",)]
    db.close()


def test_audit_migrations_are_named_and_run_once(tmp_path: Path) -> None:
    for _ in range(2):
        log = AuditLog(tmp_path / "audit.sqlite3")
        assert log.applied_migrations() == ["m001_events", "m002_append_only", "m003_hash_chain"]
        log.close()


def test_free_text_is_masked_before_it_is_written(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    eid = log.record(
        AuditEvent(
            user="an",
            role="staff",
            event="feedback",
            question="CCCD 001203004567?",
            details={"comment": "gọi tôi 0912345678", "nested": [{"email": "a@b.vn"}]},
        )
    )
    got = log.get(eid)
    log.close()
    assert got is not None and got.question == "CCCD [số định danh]?"
    assert got.details == {"comment": "gọi tôi [số điện thoại]", "nested": [{"email": "[email]"}]}
    raw = b"".join(f.read_bytes() for f in tmp_path.iterdir())
    assert b"001203004567" not in raw and b"0912345678" not in raw and b"a@b.vn" not in raw


def test_kho_audit_export_gives_the_events_since_a_date(data_dir: Path) -> None:
    log = AuditLog(data_dir / "audit.sqlite3")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).isoformat(timespec="milliseconds")
    log.record(AuditEvent(user="cu", role="staff", event="ask", question="câu hỏi cũ", at=old))
    log.record(
        AuditEvent(
            user="moi",
            role="legal",
            event="ask",
            question="CMND 123456789 thử việc?",
            retrieved=["c1", "c2"],
            citations=[{"marker": 1, "anchor": "Điều 2", "chunk_id": "c1", "document_id": "d"}],
            verification="verified",
            refused=False,
        )
    )
    moi = log.user_ref("moi")
    log.close()
    key = run_kho("users", "add", "phap.che", "--role", "legal").stdout.strip()
    since = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    rows = [json.loads(line) for line in run_kho("audit", "export", "--since", since, "--key", key).stdout.splitlines()]
    assert [r["user"] for r in rows] == [moi]
    assert rows[0]["question"] == "CMND [số định danh] thử việc?" and rows[0]["retrieved"] == ["c1", "c2"]
    assert rows[0]["citations"][0]["anchor"] == "Điều 2" and rows[0]["verification"] == "verified"
    every = run_kho(
        "audit", "export", "--since", "2000-01-01", "--format", "csv", env={"KHO_API_KEY": key}
    ).stdout.splitlines()
    # the first export is itself in the log now: 2 events + 1 audit_export + the header
    assert every[0].startswith("event_id,at,user,role,event,question") and len(every) == 4
    bad = run_kho("audit", "export", "--since", "hôm qua", "--key", key, check=False)
    assert bad.returncode == 2 and "--since" in bad.stderr
