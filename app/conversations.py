"""Conversations kept per user: the questions asked and the answers given, so a reload or another day reopens them.

One SQLite database in the data dir (`conversations.sqlite3`, named migrations as every store here), under the rules
of the audit log (app/audit.py): the owner is stored as the audit log's pseudonym (`AuditLog.user_ref`, an HMAC of
the user name), never the name; free text — titles, questions, and every string of a stored answer — goes through
`core.pii.mask_pii` before it is written, so CCCD/CMND numbers, phone numbers and e-mail addresses never reach the
file in clear.

Every call names the owner: a conversation of another user is answered exactly as a missing one
(`ConversationNotFound`), so ids cannot be probed. Bounded: a title of `MAX_TITLE_CHARS`, `MAX_TURNS` turns in a
conversation and `MAX_CONVERSATIONS` per user (ValueError naming the limit). Deleting removes the rows (the audit log
keeps its own record of the questions, as the law on records asks; this store is the user's working copy).

>>> import tempfile, pathlib
>>> store = ConversationStore(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite3", user_ref=lambda n: "u_" + n)
>>> cid = store.create("an", "Nghỉ phép")
>>> _ = store.append("an", cid, "Gọi 0912345678 hỏi thử việc?", {"answer": "Tối đa 60 ngày [1].", "answer_id": "e1"})
>>> store.get("an", cid).turns[0].question
'Gọi [số điện thoại] hỏi thử việc?'
>>> [c.title for c in store.list("an")], store.list("binh")
(['Nghỉ phép'], [])
>>> store.get("binh", cid)
Traceback (most recent call last):
...
app.conversations.ConversationNotFound: không có cuộc hỏi đáp này
>>> store.close()
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.clock import utc_now_ms
from core.fs import PRIVATE_FILE_MODE
from core.pii import mask_pii
from core.sqlite import Migrations, connect
from core.text import nfc

MAX_TITLE_CHARS = 120
MAX_TURNS = 200  # a conversation longer than this is several; the user starts a new one
MAX_CONVERSATIONS = 1000  # per user
TITLE_FROM_QUESTION_CHARS = 80  # a new conversation is named after its first question, cut here

# A conversation as the history lists it (ConversationSummary's fields, in order); callers add WHERE / ORDER BY.
_SUMMARIES = (
    "SELECT c.id, c.title, c.created, c.updated, "
    "(SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) FROM conversations c"
)
_NEXT = "(SELECT COALESCE(MAX(touched), 0) + 1 FROM conversations)"

MIGRATIONS = Migrations()
migration = MIGRATIONS.register


@migration
def m001_conversations(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            title TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            touched INTEGER NOT NULL  -- a counter over all writes: "most recent first" even within one millisecond
        )"""
    )
    db.execute("CREATE INDEX conversations_by_owner ON conversations (owner, touched)")
    db.execute(
        """CREATE TABLE turns (
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            question TEXT NOT NULL,
            answer_json TEXT NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        )"""
    )


class ConversationNotFound(LookupError):
    """No such conversation for this user: missing, deleted, or another user's (the same answer for all three)."""

    def __init__(self) -> None:
        super().__init__("không có cuộc hỏi đáp này")


@dataclass(frozen=True)
class Turn:
    """One question and the answer given to it (the answer as the API returned it, free text masked)."""

    seq: int
    at: str
    question: str
    answer: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "question": self.question, "answer": self.answer}


@dataclass(frozen=True)
class ConversationSummary:
    """A conversation as the history list shows it."""

    id: str
    title: str
    created: str
    updated: str
    n_turns: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "created": self.created,
            "updated": self.updated,
            "n_turns": self.n_turns,
        }


@dataclass(frozen=True)
class Conversation:
    """A conversation with its turns, oldest first."""

    summary: ConversationSummary
    turns: list[Turn] = field(default_factory=list)

    @property
    def questions(self) -> list[str]:
        return [t.question for t in self.turns]

    def to_json(self) -> dict[str, Any]:
        return {**self.summary.to_json(), "turns": [t.to_json() for t in self.turns]}


def _masked(value: Any) -> Any:
    """`value` with every string in it NFC-normalised and masked (`core.pii.mask_pii`), structure kept."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def clean_title(title: str) -> str:
    """A title as stored: NFC, one line, spaces collapsed, masked; ValueError naming the field when too long."""
    text = " ".join(nfc(title).split())
    if len(text) > MAX_TITLE_CHARS:
        raise ValueError(f"title: at most {MAX_TITLE_CHARS} characters ({len(text)} given)")
    return mask_pii(text)


def title_from(question: str) -> str:
    """A new conversation's name: its first question, cut at a word near `TITLE_FROM_QUESTION_CHARS`."""
    text = " ".join(nfc(question).split())
    if len(text) <= TITLE_FROM_QUESTION_CHARS:
        return text
    return text[:TITLE_FROM_QUESTION_CHARS].rsplit(" ", 1)[0] + " …"


class ConversationStore:
    """The per-user conversation history (module docstring): create, list, get, append, rename, delete."""

    def __init__(self, path: Path | str, user_ref: Callable[[str], str]) -> None:
        self.path = Path(path)
        new = not self.path.exists()
        self.db = connect(self.path, foreign_keys=True)
        self.db.execute("PRAGMA secure_delete = ON")  # a deleted question is overwritten, not left in free pages
        if new and str(path) != ":memory:":
            self.path.chmod(PRIVATE_FILE_MODE)  # questions are the users' own words
        self._user_ref = user_ref
        self._lock = threading.Lock()
        with self._lock:
            MIGRATIONS.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # -- reading ------------------------------------------------------------------------------------------------

    def list(self, user: str, limit: int = MAX_CONVERSATIONS) -> list[ConversationSummary]:
        """`user`'s conversations, the most recently used first."""
        rows = self.db.execute(
            f"{_SUMMARIES} WHERE c.owner = ? ORDER BY c.touched DESC LIMIT ?", (self._user_ref(user), limit)
        ).fetchall()
        return [ConversationSummary(*r) for r in rows]

    def get(self, user: str, conversation_id: str) -> Conversation:
        """One of `user`'s conversations with its turns; `ConversationNotFound` otherwise."""
        summary = self.summary(user, conversation_id)
        rows = self.db.execute(
            "SELECT seq, at, question, answer_json FROM turns WHERE conversation_id = ? ORDER BY seq",
            (summary.id,),
        ).fetchall()
        return Conversation(summary, [Turn(r[0], r[1], r[2], json.loads(r[3])) for r in rows])

    def summary(self, user: str, conversation_id: str) -> ConversationSummary:
        """One of `user`'s conversations without its turns (an ownership check); `ConversationNotFound` otherwise."""
        row = self.db.execute(
            f"{_SUMMARIES} WHERE c.id = ? AND c.owner = ?", (str(conversation_id), self._user_ref(user))
        ).fetchone()
        if row is None:
            raise ConversationNotFound()
        return ConversationSummary(*row)

    # -- writing ------------------------------------------------------------------------------------------------

    def create(self, user: str, title: str = "") -> str:
        """A new, empty conversation of `user`; its id."""
        title = clean_title(title) or "Cuộc hỏi đáp mới"
        owner = self._user_ref(user)
        now = utc_now_ms()
        cid = uuid.uuid4().hex
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                (n,) = self.db.execute("SELECT COUNT(*) FROM conversations WHERE owner = ?", (owner,)).fetchone()
                if n >= MAX_CONVERSATIONS:
                    raise ValueError(
                        f"at most {MAX_CONVERSATIONS} conversations per user: delete old ones to start a new one"
                    )
                self.db.execute(
                    "INSERT INTO conversations (id, owner, title, created, updated, touched) "
                    f"VALUES (?, ?, ?, ?, ?, {_NEXT})",
                    (cid, owner, title, now, now),
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        return cid

    def append(self, user: str, conversation_id: str, question: str, answer: dict[str, Any]) -> Turn:
        """Add a question and its answer to `user`'s conversation (both masked); the conversation moves to the top.
        A conversation still named by default takes its first question as its title."""
        summary = self.summary(user, conversation_id)
        now = utc_now_ms()
        masked_q = mask_pii(nfc(question))
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                (n,) = self.db.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (summary.id,)).fetchone()
                if n >= MAX_TURNS:
                    raise ValueError(f"at most {MAX_TURNS} questions in one conversation: start a new one")
                self.db.execute(
                    "INSERT INTO turns (conversation_id, seq, at, question, answer_json) VALUES (?, ?, ?, ?, ?)",
                    (summary.id, n + 1, now, masked_q, json.dumps(_masked(answer), ensure_ascii=False)),
                )
                title = title_from(masked_q) if n == 0 and summary.title == "Cuộc hỏi đáp mới" else summary.title
                self.db.execute(
                    f"UPDATE conversations SET updated = ?, title = ?, touched = {_NEXT} WHERE id = ?",
                    (now, title, summary.id),
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        return Turn(n + 1, now, masked_q, _masked(answer))

    def rename(self, user: str, conversation_id: str, title: str) -> ConversationSummary:
        """Give `user`'s conversation a new title (not empty)."""
        title = clean_title(title)
        if not title:
            raise ValueError("title: must not be empty")
        summary = self.summary(user, conversation_id)
        with self._lock:
            self.db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, summary.id))
        return self.summary(user, conversation_id)

    def delete(self, user: str, conversation_id: str) -> None:
        """Remove `user`'s conversation and its turns."""
        summary = self.summary(user, conversation_id)
        with self._lock:
            self.db.execute("DELETE FROM conversations WHERE id = ?", (summary.id,))
