"""The audit log: who asked what and when, what was retrieved and cited, feedback, and every admin action.

One append-only SQLite table (`events`) in the data dir (`audit.sqlite3`), created by named migrations recorded
in `_migrations`. Triggers make SQLite itself refuse any UPDATE or DELETE of a row, so the application cannot
rewrite history either. Free text (questions, feedback comments, reasons) is masked by `core.pii.mask_pii`
before it is written: CCCD/CMND numbers, phone numbers and e-mail addresses never reach the file in clear.

>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.sqlite3")
>>> eid = log.record(AuditEvent(user="an", role="staff", event="ask", question="CCCD 001203004567 có hạn không?"))
>>> log.get(eid).question
'CCCD [số định danh] có hạn không?'
>>> log.close()

Who acted is stored as a stable pseudonym, `user_ref(name)` (`u_` + 16 hex digits of an HMAC keyed by
`audit.key`, 32 random bytes beside the database, mode 0600): the log links a person's actions without naming
them, and only whoever holds the key (an admin, with the user list) can map a pseudonym back.

Rows are hash-chained: each row's `hash` is SHA-256 over the previous row's hash and a canonical JSON of its
own stored fields, and the newest (seq, hash) is also kept in `audit.head`. Dropping the triggers to change or
erase rows is therefore still detected by `verify()`:

>>> import sqlite3
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.sqlite3")
>>> log.user_ref("an") == log.user_ref("an") != log.user_ref("binh"), log.user_ref("an")[:2]
(True, 'u_')
>>> for q in ("một", "hai", "ba"):
...     _ = log.record(AuditEvent(user="an", role="staff", event="ask", question=q))
>>> log.verify()
[]
>>> raw = sqlite3.connect(log.path)
>>> _ = raw.execute("DROP TRIGGER events_no_update")
>>> with raw:
...     _ = raw.execute("UPDATE events SET question = 'khác' WHERE seq = 2")
>>> log.verify()
['seq 2: the stored hash does not match the row (changed after it was written)']
>>> raw.close(); log.close()

`kho audit export --since 2026-01-01 [--format jsonl|csv] --key KEY` prints the rows for the legal department
(legal and admin keys only; the export is itself audited); `kho audit verify` checks the chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.clock import utc_now_ms
from core.fs import PRIVATE_FILE_MODE, private_dir, write_private
from core.pii import mask_pii
from core.sqlite import Migrations, applied, connect
from core.text import nfc

EventKind = Literal[
    "ask", "search", "document_view", "upload", "delete", "set_access", "set_validity", "feedback", "audit_export",
    "relation_decision", "reindex", "backup", "restore",
]
EVENT_KINDS: tuple[str, ...] = (
    "ask",
    "search",
    "document_view",
    "upload",
    "delete",
    "set_access",
    "set_validity",
    "feedback",
    "audit_export",
    "relation_decision",
    "reindex",
    "backup",
    "restore",
)
EXPORT_FORMATS = ("jsonl", "csv")

KEY_FILE = "audit.key"  # beside the database: the HMAC key of the user pseudonyms
HEAD_FILE = "audit.head"  # beside the database: the newest (seq, hash), so erasing the last rows shows
KEY_BYTES = 32
USER_REF_HEX = 16  # 64 bits: no collision among a ministry's users, short enough to read in an export
GENESIS = "0" * 64  # the prev_hash of the first row
# The stored fields a row's hash covers, in this order (seq included, so rows cannot be reordered either).
HASHED_COLUMNS = (
    "seq",
    "event_id",
    "at",
    "user",
    "role",
    "event",
    "question",
    "retrieved_json",
    "citations_json",
    "verification",
    "refused",
    "ref",
    "details_json",
)

MIGRATIONS = Migrations()
migration = MIGRATIONS.register


@migration
def m001_events(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            role TEXT NOT NULL,
            event TEXT NOT NULL,
            question TEXT,
            retrieved_json TEXT NOT NULL DEFAULT '[]',
            citations_json TEXT NOT NULL DEFAULT '[]',
            verification TEXT,
            refused INTEGER,
            ref TEXT,
            details_json TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute("CREATE INDEX events_at ON events(at)")
    db.execute("CREATE INDEX events_ref ON events(ref)")


@migration
def m002_append_only(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted'); END"
    )


NO_UPDATE_TRIGGER = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END"
)


def row_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 (hex) over the previous row's hash and a canonical JSON of this row's stored fields.

    >>> row_hash(GENESIS, {"seq": 1}) == row_hash(GENESIS, {"seq": 1}) != row_hash(GENESIS, {"seq": 2})
    True
    """
    canonical = json.dumps(
        {k: fields.get(k) for k in HASHED_COLUMNS}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@migration
def m003_hash_chain(db: sqlite3.Connection) -> None:
    """Add `prev_hash`/`hash` and chain the rows already there (the UPDATE trigger is lifted for that only)."""
    db.execute("ALTER TABLE events ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    db.execute("DROP TRIGGER events_no_update")
    prev = GENESIS
    for r in db.execute("SELECT * FROM events ORDER BY seq").fetchall():
        h = row_hash(prev, {k: r[k] for k in HASHED_COLUMNS})
        db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r["seq"]))
        prev = h
    db.execute(NO_UPDATE_TRIGGER)


def pseudonym(key: bytes, name: str) -> str:
    """`u_` + the first 16 hex digits of HMAC-SHA256(key, NFC name): what the log stores instead of a user name.

    >>> pseudonym(bytes(32), "an")
    'u_9fda0deae5c62a5f'
    """
    mac = hmac.new(key, nfc(name).encode(), hashlib.sha256)
    return "u_" + mac.hexdigest()[:USER_REF_HEX]


def load_or_create_key(path: Path) -> bytes:
    """The secret in `path`, created on first use (32 random bytes, mode 0600).

    Written to a temporary file and linked into place, so a process racing this one reads a whole key or
    creates its own link first, never a half-written file.
    """
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        write_private(tmp, secrets.token_bytes(KEY_BYTES))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path}: not a {KEY_BYTES}-byte key ({len(key)} bytes); restore it from a backup")
    return key


def _mask_value(value: Any) -> Any:
    """Strings masked, containers walked; numbers, booleans and None as they are."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v) for v in value]
    return value


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened. `ref` points at what it is about: a document id, or the answer a feedback judges.

    `retrieved` holds the chunk ids the search returned; `citations` what was shown: `{marker, anchor, chunk_id,
    document_id}` each. `details` holds the rest (feedback verdict and comment, an admin action's values).
    """

    user: str
    role: str
    event: str
    question: str | None = None
    retrieved: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    verification: str | None = None
    refused: bool | None = None
    ref: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: str = field(default_factory=utc_now_ms)

    def __post_init__(self) -> None:
        if self.event not in EVENT_KINDS:
            raise ValueError(f"event must be one of {', '.join(EVENT_KINDS)}, not {self.event!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "at": self.at,
            "user": self.user,
            "role": self.role,
            "event": self.event,
            "question": self.question,
            "retrieved": list(self.retrieved),
            "citations": list(self.citations),
            "verification": self.verification,
            "refused": self.refused,
            "ref": self.ref,
            "details": dict(self.details),
        }


class AuditLog:
    """The append-only, hash-chained audit table; safe to share between threads (one connection, writes under a
    lock) and between processes (each append is one `BEGIN IMMEDIATE` transaction)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        private_dir(self.path.parent)
        self.key_path = self.path.parent / KEY_FILE
        self.head_path = self.path.parent / HEAD_FILE
        if not self.path.exists():  # created 0600; SQLite gives its -wal/-shm files the same mode
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
        self._lock = threading.RLock()
        self._key: bytes | None = None
        self.db = connect(self.path, synchronous_full=True)
        with self._lock:
            has_table = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone()
            before = set(applied(self.db)) if has_table else set()
            MIGRATIONS.apply(self.db)
            if "m003_hash_chain" not in before:  # the chain starts here (a new or upgraded log): anchor it
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    self._anchor_head()
                finally:
                    self.db.execute("COMMIT")

    def _anchor_head(self) -> None:
        """Write `audit.head` from the newest row (in a transaction, once: when the chain is created)."""
        last = self.db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._write_head(last["seq"] if last else 0, last["hash"] if last else GENESIS)

    def _write_head(self, seq: int, h: str) -> None:
        write_private(self.head_path, json.dumps({"seq": seq, "hash": h}).encode())

    def applied_migrations(self) -> list[str]:
        with self._lock:
            return applied(self.db)

    def user_ref(self, name: str) -> str:
        """The stable pseudonym the log stores for user `name`: `u_` + 16 hex digits of HMAC-SHA256(key, NFC name)."""
        if self._key is None:
            self._key = load_or_create_key(self.key_path)
        return pseudonym(self._key, name)

    def record(self, ev: AuditEvent) -> str:
        """Append one event (user pseudonymised, free text masked, row chained); returns its `event_id`."""
        fields: dict[str, Any] = {
            "event_id": ev.event_id,
            "at": ev.at,
            "user": self.user_ref(ev.user),
            "role": ev.role,
            "event": ev.event,
            "question": mask_pii(ev.question) if ev.question is not None else None,
            "retrieved_json": json.dumps(list(ev.retrieved), ensure_ascii=False),
            "citations_json": json.dumps(_mask_value(list(ev.citations)), ensure_ascii=False),
            "verification": ev.verification,
            "refused": None if ev.refused is None else int(ev.refused),
            "ref": ev.ref,
            "details_json": json.dumps(_mask_value(dict(ev.details)), ensure_ascii=False),
        }
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")  # other processes wait: the chain has one head
            last = None
            wrote_head = False
            try:
                last = self.db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                issued = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
                # never reuse a number: a deleted last row leaves a gap that `verify` reports
                fields["seq"] = max(last["seq"] if last else 0, issued[0] if issued else 0) + 1
                prev = (last["hash"] if last else None) or GENESIS
                fields["prev_hash"] = prev
                fields["hash"] = row_hash(prev, fields)
                cols = (*HASHED_COLUMNS, "prev_hash", "hash")
                self.db.execute(
                    f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [fields[c] for c in cols],
                )
                # anchored before COMMIT, while this transaction still keeps every other writer out
                wrote_head = True
                self._write_head(fields["seq"], fields["hash"])
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if wrote_head:  # the row is not there after all: the anchor goes back to the row before
                    self._write_head(last["seq"] if last else 0, (last["hash"] if last else None) or GENESIS)
                raise
        return ev.event_id

    def verify(self) -> list[str]:
        """What is wrong with the chain, one sentence per problem; an empty list when the log is intact.

        Checks every row's hash against its content, every link to the row before, gaps in `seq`, numbers issued
        (`sqlite_sequence`) but missing at the end, and the newest row against `audit.head`.
        """
        problems: list[str] = []
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")  # a consistent view: no append is between its row and its head
            try:
                rows = self.db.execute("SELECT * FROM events ORDER BY seq").fetchall()
                issued_row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
                head_text = self.head_path.read_text(encoding="utf-8") if self.head_path.exists() else None
            finally:
                self.db.execute("COMMIT")
        prev_seq, prev_hash = 0, GENESIS
        for r in rows:
            seq = r["seq"]
            if seq != prev_seq + 1:
                problems.append(_missing(prev_seq + 1, seq - 1, "rows deleted"))
            if r["hash"] is None:
                problems.append(f"seq {seq}: no hash (written around the application)")
            elif row_hash(r["prev_hash"] or "", {k: r[k] for k in HASHED_COLUMNS}) != r["hash"]:
                problems.append(f"seq {seq}: the stored hash does not match the row (changed after it was written)")
            if r["prev_hash"] != prev_hash and seq == prev_seq + 1:
                problems.append(f"seq {seq}: does not link to seq {prev_seq} (the row before was replaced)")
            prev_seq, prev_hash = seq, r["hash"]
        issued = issued_row[0] if issued_row else 0
        if issued > prev_seq:
            problems.append(_missing(prev_seq + 1, issued, "the newest rows deleted"))
        if head_text is None:
            if rows:
                problems.append(f"{self.head_path.name} is missing (the anchor of the newest row was removed)")
        else:
            try:
                head = json.loads(head_text)
                head_seq, head_hash = int(head["seq"]), str(head["hash"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"{self.head_path.name} is unreadable")
            else:
                if (head_seq, head_hash) != (prev_seq, prev_hash if rows else GENESIS):
                    problems.append(
                        f"{self.head_path.name} says the newest row is seq {head_seq}, the table ends at seq "
                        f"{prev_seq} or its hash differs (rows erased or rewritten)"
                    )
        return problems

    def get(self, event_id: str) -> AuditEvent | None:
        """One event by id, or None."""
        with self._lock:
            r = self.db.execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone()
        return _row(r) if r else None

    def referring(self, ref: str, event: str) -> list[AuditEvent]:
        """The `event` events that refer to `ref` (e.g. the feedback on one answer), oldest first (indexed)."""
        with self._lock:
            rows = self.db.execute(
                "SELECT * FROM events WHERE ref = ? AND event = ? ORDER BY seq", (ref, event)
            ).fetchall()
        return [_row(r) for r in rows]

    def events(self, since: dt.datetime | dt.date | None = None, event: str | None = None) -> Iterator[AuditEvent]:
        """Events in the order they were written, from `since` (UTC; a date means its 00:00) on."""
        where, args = [], []
        if since is not None:
            start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
            if start.tzinfo is None:
                start = start.replace(tzinfo=dt.UTC)
            where.append("at >= ?")
            args.append(start.astimezone(dt.UTC).isoformat(timespec="milliseconds"))
        if event is not None:
            where.append("event = ?")
            args.append(event)
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        with self._lock:
            rows = self.db.execute(sql, args).fetchall()
        for r in rows:
            yield _row(r)

    def export(self, since: dt.date | dt.datetime | None, fmt: str = "jsonl") -> str:
        """The events from `since` as JSON Lines or CSV (nested fields as JSON text), for the legal department."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        rows = [e.to_json() for e in self.events(since)]
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        buf = io.StringIO()
        cols = list(AuditEvent(user="", role="", event="ask").to_json())
        writer = csv.DictWriter(buf, fieldnames=cols)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in r.items()}
            )
        return buf.getvalue()

    def close(self) -> None:
        with self._lock:
            self.db.close()


def _missing(first: int, last: int, why: str) -> str:
    span = f"seq {first}" if first == last else f"seq {first}-{last}"
    return f"{span} missing ({why})"


def _row(r: sqlite3.Row) -> AuditEvent:
    return AuditEvent(
        event_id=r["event_id"],
        at=r["at"],
        user=r["user"],
        role=r["role"],
        event=r["event"],
        question=r["question"],
        retrieved=json.loads(r["retrieved_json"]),
        citations=json.loads(r["citations_json"]),
        verification=r["verification"],
        refused=None if r["refused"] is None else bool(r["refused"]),
        ref=r["ref"],
        details=json.loads(r["details_json"]),
    )
