"""The project's SQLite stores (registry, accounts, audit log): one way to open them and one migration mechanism.

Each store keeps its own `Migrations` list of named schema steps; `apply` runs, in definition order, every step
not yet recorded in that database's `_migrations` table, each in its own `BEGIN IMMEDIATE` transaction and
checked inside it, so two processes opening a new database at once apply each step exactly once.

>>> steps = Migrations()
>>> @steps.register
... def m001_things(db: sqlite3.Connection) -> None:
...     db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
>>> db = connect(":memory:")
>>> steps.apply(db); steps.apply(db)
>>> applied(db)
['m001_things']
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from core.clock import utc_now

BUSY_TIMEOUT_MS = 30_000  # an ingest run and the API may write at once; wait for the other's commit, not fail

Migration = Callable[[sqlite3.Connection], None]


def connect(path: Path | str, *, foreign_keys: bool = False, synchronous_full: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, rows by name, shareable across threads."""
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    db.row_factory = sqlite3.Row
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    if foreign_keys:
        db.execute("PRAGMA foreign_keys = ON")
    if synchronous_full:
        db.execute("PRAGMA synchronous = FULL")
    return db


class Migrations:
    """A store's named schema steps, in definition order."""

    def __init__(self) -> None:
        self.steps: list[Migration] = []

    def register(self, fn: Migration) -> Migration:
        """Decorator: add a named step; it runs once per database."""
        self.steps.append(fn)
        return fn

    def apply(self, db: sqlite3.Connection) -> None:
        """Run every step `db` has not recorded yet (callers serialise access to a shared connection)."""
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for fn in self.steps:
            db.execute("BEGIN IMMEDIATE")
            try:
                # checked inside the transaction: two processes opening a new database at once apply it once
                if not db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone():
                    fn(db)
                    db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (fn.__name__, utc_now()))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def applied(db: sqlite3.Connection) -> list[str]:
    """The names of the steps `db` has recorded, in the order they ran."""
    return [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
