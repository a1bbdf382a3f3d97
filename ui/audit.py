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

`kho audit export --since 2026-01-01 [--format jsonl|csv]` prints the rows for the legal department.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.pii import mask_pii
from core.sqlite import Migrations, applied, connect

EventKind = Literal["ask", "search", "document_view", "upload", "set_access", "set_validity", "feedback"]
EVENT_KINDS: tuple[str, ...] = ("ask", "search", "document_view", "upload", "set_access", "set_validity", "feedback")
EXPORT_FORMATS = ("jsonl", "csv")

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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


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
    at: str = field(default_factory=_now)

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
    """The append-only audit table; safe to share between threads (one connection, writes under a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = connect(self.path, synchronous_full=True)
        with self._lock:
            MIGRATIONS.apply(self.db)

    def applied_migrations(self) -> list[str]:
        with self._lock:
            return applied(self.db)

    def record(self, ev: AuditEvent) -> str:
        """Append one event (free text masked first); returns its `event_id`."""
        row = (
            ev.event_id,
            ev.at,
            mask_pii(ev.user),
            ev.role,
            ev.event,
            mask_pii(ev.question) if ev.question is not None else None,
            json.dumps(list(ev.retrieved), ensure_ascii=False),
            json.dumps(_mask_value(list(ev.citations)), ensure_ascii=False),
            ev.verification,
            None if ev.refused is None else int(ev.refused),
            ev.ref,
            json.dumps(_mask_value(dict(ev.details)), ensure_ascii=False),
        )
        with self._lock:
            self.db.execute(
                "INSERT INTO events (event_id, at, user, role, event, question, retrieved_json, citations_json,"
                " verification, refused, ref, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return ev.event_id

    def get(self, event_id: str) -> AuditEvent | None:
        """One event by id, or None."""
        with self._lock:
            r = self.db.execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone()
        return _row(r) if r else None

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
