"""Users and their API keys: a role, a clearance, and a key stored only as a hash.

A key looks like `kho_<key id>_<secret>`: the key id (8 hex digits, random) finds the row, the secret (32 random
bytes, URL-safe base64) is checked against its SHA-256 with a constant-time comparison. The key is printed once
by `kho users add` and never stored: `accounts.sqlite3` (in the data dir, named migrations like the registry)
holds the key id and the hash only. A revoked user's key stops working at once.

>>> import tempfile, pathlib
>>> accounts = Accounts(pathlib.Path(tempfile.mkdtemp()) / "accounts.sqlite3")
>>> key = accounts.add("an", "staff", AccessLevel.PUBLIC)
>>> accounts.authenticate(key)
Principal(name='an', role='staff', clearance=<AccessLevel.PUBLIC: 'public'>)
>>> accounts.authenticate(key[:-1] + "x") is None, accounts.authenticate("") is None
(True, True)
>>> accounts.revoke("an"); accounts.authenticate(key) is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from app.permissions import ROLES, Principal, Role
from core.clock import utc_now
from core.fs import private_dir
from core.settings import Settings
from core.sqlite import Migrations, connect
from core.text import nfc
from ingest.model import AccessLevel

KEY_PREFIX = "kho"
KEY_RE = re.compile(r"^kho_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
NAME_RE = re.compile(r"^[\w.@-]{1,64}$")
# The key id column of a single sign-on session: not 8 hex digits, so never any user's key.
SSO_KEY_ID = "sso"

MIGRATIONS = Migrations()
migration = MIGRATIONS.register


@migration
def m001_users(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            clearance TEXT NOT NULL,
            key_id TEXT NOT NULL UNIQUE,
            key_sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )"""
    )


@migration
def m002_sessions(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            id_sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            key_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at REAL NOT NULL,
            revoked_at TEXT
        )"""
    )
    db.execute("CREATE INDEX sessions_name ON sessions(name)")


@migration
def m003_sso_sessions(db: sqlite3.Connection) -> None:
    """Sessions of users signed in at the OpenID provider: no key; their role and clearance as mapped at login,
    and the ID token the provider's logout is told about (`id_token_hint`)."""
    db.execute("ALTER TABLE sessions ADD COLUMN role TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN clearance TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN id_token TEXT")


class AccountError(ValueError):
    """A bad user name, role or clearance, or a user that exists (or does not); the message says which."""


@dataclass(frozen=True)
class User:
    """One account as `kho users list` shows it (never the key)."""

    name: str
    role: str
    clearance: str
    key_id: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "active": self.active}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the key to hand out, its key id, the SHA-256 of its secret)."""
    key_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{key_id}_{secret}", key_id, _digest(secret)


class Accounts:
    """The user table; safe to share between threads (one connection under a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        private_dir(self.path.parent)
        self._lock = threading.RLock()
        self.db = connect(self.path)
        with self._lock:
            MIGRATIONS.apply(self.db)

    @classmethod
    def from_settings(cls, settings: Settings) -> Accounts:
        """The accounts of the data dir (`<data_dir>/accounts.sqlite3`)."""
        return cls(settings.accounts_path)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def add(self, name: str, role: str, clearance: AccessLevel | str) -> str:
        """Create user `name` (or give a revoked one a new life) and return their new API key (shown once)."""
        name = nfc(name.strip())
        if not NAME_RE.match(name):
            raise AccountError(f"name: '{name}' must be 1-64 letters, digits, '.', '_', '-' or '@'")
        if role not in ROLES:
            raise AccountError(f"role: '{role}' is not one of: {', '.join(ROLES)}")
        try:
            level = clearance if isinstance(clearance, AccessLevel) else AccessLevel.from_str(clearance)
        except ValueError as exc:
            raise AccountError(f"clearance: {exc}") from None
        key, key_id, digest = new_key()
        with self._lock:
            row = self.db.execute("SELECT revoked_at FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None and row["revoked_at"] is None:
                raise AccountError(f"user '{name}' already exists; `kho users revoke {name}` first to issue a new key")
            self.db.execute(
                "INSERT INTO users (name, role, clearance, key_id, key_sha256, created_at, revoked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                "clearance = excluded.clearance, key_id = excluded.key_id, key_sha256 = excluded.key_sha256, "
                "created_at = excluded.created_at, revoked_at = NULL",
                (name, role, level.value, key_id, digest, utc_now()),
            )
        return key

    def revoke(self, name: str) -> None:
        """Disable user `name`'s key (the row stays, for the audit trail)."""
        with self._lock:
            cur = self.db.execute(
                "UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (utc_now(), name)
            )
        if cur.rowcount == 0:
            raise AccountError(f"no active user '{name}'")

    def list(self) -> list[User]:
        """Every user, active or revoked, by name."""
        with self._lock:
            rows = self.db.execute(
                "SELECT name, role, clearance, key_id, created_at, revoked_at FROM users ORDER BY name"
            ).fetchall()
        return [User(**dict(r)) for r in rows]

    def has_users(self) -> bool:
        """Whether at least one active user exists (a non-loopback server needs one to be usable at all)."""
        with self._lock:
            return self.db.execute("SELECT 1 FROM users WHERE revoked_at IS NULL LIMIT 1").fetchone() is not None

    def ever_had_users(self) -> bool:
        """Whether a user was ever created, revoked ones included. Development mode (anonymous local admin) exists
        only before the first user: revoking the last one must never switch it back on."""
        with self._lock:
            return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    # -- workdesk sessions (server-side, so logout and revocation end them at once) ----------------------------

    def open_session(self, who: Principal, key: str, hours: float) -> str:
        """A new session id for `who`, logged in with `key`; only its SHA-256 is stored."""
        m = KEY_RE.match(key.strip())
        if not m:
            raise AccountError("key: not a kho API key")
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self.db.execute(
                "INSERT INTO sessions (id_sha256, name, key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (_digest(sid), who.name, m.group(1), utc_now(), time.time() + hours * 3600),
            )
            # expired sessions are of no use to anyone: keep the table small
            self.db.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time() - 86400,))
        return sid

    def session_principal(self, sid: str) -> Principal | None:
        """The principal of a live session (not revoked, not expired, its user and key still active), or None."""
        with self._lock:
            row = self.db.execute(
                "SELECT name, key_id, expires_at, role, clearance FROM sessions "
                "WHERE id_sha256 = ? AND revoked_at IS NULL",
                (_digest(sid),),
            ).fetchone()
        if row is None or row["expires_at"] < time.time():
            return None
        if row["key_id"] == SSO_KEY_ID:
            return Principal(row["name"], cast(Role, row["role"]), AccessLevel(row["clearance"]))
        return self.principal_for_key_id(row["name"], row["key_id"])

    def open_sso_session(self, who: Principal, hours: float, id_token: str | None = None) -> str:
        """A new session id for `who`, signed in at the OpenID provider (no key: the role and clearance mapped at
        login hold until the session ends); `id_token` is kept for the provider's logout."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self.db.execute(
                "INSERT INTO sessions (id_sha256, name, key_id, created_at, expires_at, role, clearance, id_token) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _digest(sid),
                    who.name,
                    SSO_KEY_ID,
                    utc_now(),
                    time.time() + hours * 3600,
                    who.role,
                    who.clearance.value,
                    id_token,
                ),
            )
            self.db.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time() - 86400,))
        return sid

    def session_id_token(self, sid: str) -> str | None:
        """The ID token a live single sign-on session was opened with (for the provider's logout), or None."""
        with self._lock:
            row = self.db.execute(
                "SELECT id_token FROM sessions WHERE id_sha256 = ? AND revoked_at IS NULL", (_digest(sid),)
            ).fetchone()
        return str(row["id_token"]) if row is not None and row["id_token"] else None

    def close_session(self, sid: str) -> bool:
        """Revoke one session (logout); whether it was live."""
        with self._lock:
            cur = self.db.execute(
                "UPDATE sessions SET revoked_at = ?, id_token = NULL WHERE id_sha256 = ? AND revoked_at IS NULL",
                (utc_now(), _digest(sid)),
            )
        return cur.rowcount > 0

    def authenticate(self, key: str | None) -> Principal | None:
        """The principal whose key this is, or None (malformed, unknown, wrong secret, revoked)."""
        m = KEY_RE.match((key or "").strip())
        if not m:
            return None
        key_id, secret = m.groups()
        with self._lock:
            row = self.db.execute(
                "SELECT name, role, clearance, key_sha256 FROM users WHERE key_id = ? AND revoked_at IS NULL",
                (key_id,),
            ).fetchone()
        # Compare even when no row matched, so timing does not tell a known key id from an unknown one.
        expected = row["key_sha256"] if row else "0" * 64
        if not hmac.compare_digest(_digest(secret), expected) or row is None:
            return None
        return Principal(row["name"], cast(Role, row["role"]), AccessLevel(row["clearance"]))

    def principal_for_key_id(self, name: str, key_id: str) -> Principal | None:
        """The principal of user `name` if `key_id` is still their active key (how a session cookie is checked)."""
        with self._lock:
            row = self.db.execute(
                "SELECT name, role, clearance FROM users WHERE name = ? AND key_id = ? AND revoked_at IS NULL",
                (name, key_id),
            ).fetchone()
        return Principal(row["name"], cast(Role, row["role"]), AccessLevel(row["clearance"])) if row else None
