"""The legal department's desk: review the answers users said were wrong, and read or export the audit log.

`ReviewDesk.queue` lists the `feedback` events of the audit log (`app.audit`) that say an answer was wrong ("sai")
or that one of its citations was wrong, newest first (only a user's latest verdict on an answer counts: a changed
verdict withdraws the earlier one), each joined with the `ask` event it judges (the question as
the log stores it, masked; the citations shown; the verification) and with the reviewer's decision, if any.
`decide` records "confirm" (the answer or citation was indeed wrong) or "dismiss" for one feedback event.

The audit log's event kinds are a fixed list, so decisions live in a store of their own, `review.sqlite3` in the
data dir (named migrations, `core.sqlite`): the current decision per feedback event, and every decision ever made
in `decision_history`, so a changed mind leaves a trace. The reviewer is stored as the audit log's pseudonym and the
note masked (`core.pii`), like the log's own free text.

Only the legal department and administrators may use the desk: every method raises `Forbidden` for other roles.

>>> import tempfile, pathlib
>>> from core.settings import Settings
>>> from ingest.model import AccessLevel
>>> from app.services import Principal, Services
>>> services = Services(Settings(data_dir=pathlib.Path(tempfile.mkdtemp()) / "data"))
>>> staff, legal = Principal("an", "staff", AccessLevel.PUBLIC), Principal("lan", "legal", AccessLevel.PUBLIC)
>>> answer_id = services.ask(staff, "Công chức nghỉ phép mấy ngày?").answer_id
>>> _ = services.feedback(staff, answer_id, correct=False, comment="Thiếu Điều 12")
>>> desk = ReviewDesk(services)
>>> [(i.question, i.comment, i.status) for i in desk.queue(legal)]
[('Công chức nghỉ phép mấy ngày?', 'Thiếu Điều 12', 'open')]
>>> desk.decide(legal, desk.queue(legal)[0].feedback_id, "confirm", "Đúng là thiếu").status
'confirmed'
>>> desk.queue(staff)
Traceback (most recent call last):
...
app.permissions.Forbidden: vai trò 'staff' không được phép thực hiện thao tác này (review)
>>> desk.close(); services.close()
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from app.audit import EVENT_KINDS, EXPORT_FORMATS, AuditEvent
from app.permissions import Forbidden, Principal, require
from core.clock import utc_now_ms
from core.fs import PRIVATE_FILE_MODE
from core.pii import mask_pii
from core.sqlite import Migrations, connect
from core.text import nfc_strip

if TYPE_CHECKING:
    from app.services import Services

REVIEW_FILE = "review.sqlite3"
# The roles of the legal desk; the audit export is the same people's (`PERMISSIONS["audit_export"]`).
REVIEWERS: frozenset[str] = frozenset({"legal", "admin"})
MAX_NOTE_CHARS = 4000  # as much as a feedback comment
DEFAULT_AUDIT_ROWS = 500  # a screenful of tables; the export has them all

Decision = Literal["confirm", "dismiss"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
Status = Literal["open", "confirmed", "dismissed", "all"]
STATUSES: tuple[Status, ...] = get_args(Status)
_STATUS_OF: dict[str, Status] = {"confirm": "confirmed", "dismiss": "dismissed"}

MIGRATIONS = Migrations()
migration = MIGRATIONS.register


@migration
def m001_decisions(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE decisions (
            feedback_id TEXT PRIMARY KEY,
            decision TEXT NOT NULL CHECK (decision IN ('confirm', 'dismiss')),
            reviewer TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE decision_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            feedback_id TEXT NOT NULL,
            decision TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX decision_history_feedback ON decision_history(feedback_id)")


@dataclass(frozen=True)
class ReviewDecision:
    """What a reviewer (their audit pseudonym) decided about one feedback event, when, and why (masked)."""

    decision: Decision
    reviewer: str
    note: str
    at: str

    @property
    def status(self) -> Status:
        return _STATUS_OF[self.decision]


@dataclass(frozen=True)
class ReviewItem:
    """One "wrong" verdict joined with the answer it judges and the decision on it (None: still open).

    `wrong_citations` are the citations the user marked wrong (`{marker, anchor, chunk_id, document_id}` each);
    `citations` every citation the answer showed. Questions, comments and anchors are as the audit log stores them:
    masked, and never HTML-safe (the screen escapes them).
    """

    feedback_id: str
    at: str
    user: str  # the audit pseudonym of whoever gave the verdict
    role: str
    correct: bool  # False: "sai"; True: "đúng", but with a wrong citation
    comment: str
    wrong_citations: list[dict[str, Any]]
    answer_id: str | None
    question: str | None  # None when the answer is not in the log
    citations: list[dict[str, Any]]
    verification: str | None
    refused: bool | None
    decision: ReviewDecision | None

    @property
    def status(self) -> Status:
        return self.decision.status if self.decision else "open"


class FeedbackSource:
    """The audit log seen through the review: `events(since, event)` yields only the confirmed feedback events,
    `get` finds any event. The shape `eval.feedback.feedback_items` reads, so confirmed verdicts become eval items
    the same way every verdict does."""

    def __init__(self, events: list[AuditEvent], get: Callable[[str], AuditEvent | None]) -> None:
        self._events = events
        self._get = get

    def events(self, since: dt.datetime | dt.date | None = None, event: str | None = None) -> Iterator[AuditEvent]:
        start = _utc_start(since) if since is not None else None
        for ev in self._events:
            if (event is None or ev.event == event) and (start is None or ev.at >= start):
                yield ev

    def get(self, event_id: str) -> AuditEvent | None:
        return self._get(event_id)


EvalItemsOf = Callable[[FeedbackSource], list[dict[str, Any]]]


def _utc_start(since: dt.datetime | dt.date) -> str:
    """`since` as the audit log's timestamps are written (UTC, milliseconds); a date means its 00:00 UTC."""
    start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return start.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def is_complaint(ev: AuditEvent) -> bool:
    """A feedback event that says the answer was wrong, or that one of its citations was."""
    return ev.event == "feedback" and (not ev.details.get("correct") or bool(ev.citations))


def require_reviewer(who: Principal) -> None:
    """`Forbidden` unless `who` is of the legal department or an administrator."""
    if who.role not in REVIEWERS:
        raise Forbidden(f"vai trò '{who.role}' không được phép thực hiện thao tác này (review)")


class ReviewDesk:
    """The review queue, the decisions and the audit view of the legal department, over a `Services`.

    `to_eval_items` turns the confirmed feedback (a `FeedbackSource`) into evaluation items; the application layer
    does not import `eval`, so the face that builds the desk passes `eval.feedback.feedback_items` in
    (`ui.legal_desk.review_desk`).
    """

    def __init__(self, services: Services, to_eval_items: EvalItemsOf | None = None) -> None:
        self.services = services
        self.audit = services.audit
        self.to_eval_items = to_eval_items
        self.path = services.settings.ensure_data_dir() / REVIEW_FILE
        if not self.path.exists():  # private from the start, like the audit log it annotates
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
        self._lock = threading.RLock()
        self.db = connect(self.path, synchronous_full=True)
        with self._lock:
            MIGRATIONS.apply(self.db)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # -- the queue -----------------------------------------------------------------------------------------------

    def _decisions(self) -> dict[str, ReviewDecision]:
        with self._lock:
            rows = self.db.execute("SELECT * FROM decisions").fetchall()
        return {r["feedback_id"]: ReviewDecision(r["decision"], r["reviewer"], r["note"], r["at"]) for r in rows}

    def _item(self, fb: AuditEvent, decision: ReviewDecision | None) -> ReviewItem:
        asked = self.audit.get(fb.ref) if fb.ref else None
        if asked is not None and asked.event != "ask":
            asked = None
        return ReviewItem(
            feedback_id=fb.event_id,
            at=fb.at,
            user=fb.user,
            role=fb.role,
            correct=bool(fb.details.get("correct")),
            comment=str(fb.details.get("comment") or ""),
            wrong_citations=[dict(c) for c in fb.citations],
            answer_id=fb.ref,
            question=asked.question if asked else None,
            citations=list(asked.citations) if asked else [],
            verification=asked.verification if asked else None,
            refused=asked.refused if asked else None,
            decision=decision,
        )

    def queue(self, who: Principal, status: Status = "open") -> list[ReviewItem]:
        """The complaints (wrong answer or wrong citation) with `status` ("open", "confirmed", "dismissed", "all"),
        newest first, each joined with its answer and decision."""
        require_reviewer(who)
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        decisions = self._decisions()
        items = []
        for fb in self._latest_verdicts():
            if not is_complaint(fb):
                continue
            item = self._item(fb, decisions.get(fb.event_id))
            if status == "all" or item.status == status:
                items.append(item)
        items.reverse()
        return items

    def _latest_verdicts(self) -> list[AuditEvent]:
        """Each user's latest feedback event on each answer, in the order they were written."""
        latest: dict[tuple[str, str | None], AuditEvent] = {}
        for fb in self.audit.events(event="feedback"):
            latest.pop((fb.user, fb.ref), None)  # re-inserted: the dict keeps the order of the latest
            latest[(fb.user, fb.ref)] = fb
        return list(latest.values())

    def item(self, who: Principal, feedback_id: str) -> ReviewItem:
        """One complaint by its feedback event id; `NotFound` if there is no such complaint."""
        from app.services import NotFound

        require_reviewer(who)
        fb = self.audit.get(feedback_id)
        if fb is None or not is_complaint(fb):
            raise NotFound(f"không có ý kiến phản hồi cần xem xét {feedback_id!r}")
        return self._item(fb, self._decisions().get(feedback_id))

    def decide(self, who: Principal, feedback_id: str, decision: str, note: str = "") -> ReviewItem:
        """Confirm or dismiss one complaint; a later decision replaces the earlier one, and both stay in the history.

        `ValueError` for a decision other than "confirm"/"dismiss", `NotFound` for an unknown feedback event.
        """
        require_reviewer(who)
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        self.item(who, feedback_id)
        reviewer = self.audit.user_ref(who.name)
        masked = mask_pii(nfc_strip(note))[:MAX_NOTE_CHARS]
        at = utc_now_ms()
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute(
                    "INSERT INTO decision_history (feedback_id, decision, reviewer, note, at) VALUES (?, ?, ?, ?, ?)",
                    (feedback_id, decision, reviewer, masked, at),
                )
                self.db.execute(
                    "INSERT INTO decisions (feedback_id, decision, reviewer, note, at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(feedback_id) DO UPDATE SET decision = excluded.decision, "
                    "reviewer = excluded.reviewer, note = excluded.note, at = excluded.at",
                    (feedback_id, decision, reviewer, masked, at),
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        return self.item(who, feedback_id)

    def history(self, who: Principal, feedback_id: str) -> list[ReviewDecision]:
        """Every decision made on one complaint, oldest first."""
        require_reviewer(who)
        with self._lock:
            rows = self.db.execute(
                "SELECT * FROM decision_history WHERE feedback_id = ? ORDER BY seq", (feedback_id,)
            ).fetchall()
        return [ReviewDecision(r["decision"], r["reviewer"], r["note"], r["at"]) for r in rows]

    def confirmed_source(self, who: Principal) -> FeedbackSource:
        """The confirmed complaints as an audit-log-shaped source (in the order they were given)."""
        require_reviewer(who)
        confirmed = {k for k, d in self._decisions().items() if d.decision == "confirm"}
        events = [fb for fb in self.audit.events(event="feedback") if fb.event_id in confirmed]
        return FeedbackSource(events, self.audit.get)

    def confirmed_eval_items(self, who: Principal) -> list[dict[str, Any]]:
        """Evaluation items (../shared/eval schema) from the confirmed complaints, marked `status: "confirmed"`
        with the decisions under `review`; `RuntimeError` when the desk was built without `to_eval_items`."""
        source = self.confirmed_source(who)
        if self.to_eval_items is None:
            raise RuntimeError("ReviewDesk was built without to_eval_items (see ui.legal_desk.review_desk)")
        decisions = self._decisions()
        # an item's `feedback` entries name the answer and the time of each verdict, not the verdict's own id
        by_entry = {(fb.ref, fb.at): decisions[fb.event_id] for fb in source.events()}
        items = self.to_eval_items(source)
        for item in items:
            reviews = []
            for entry in item.get("feedback", []):
                d = by_entry.get((entry.get("answer"), entry.get("at")))
                if d is not None:
                    reviews.append({"decision": d.decision, "reviewer": d.reviewer, "note": d.note, "at": d.at})
            item["status"] = "confirmed"
            item["review"] = reviews
        return items

    # -- the audit log -------------------------------------------------------------------------------------------

    def audit_rows(
        self,
        who: Principal,
        since: dt.date | None = None,
        event: str | None = None,
        user_ref: str | None = None,
        limit: int = DEFAULT_AUDIT_ROWS,
    ) -> list[AuditEvent]:
        """The newest `limit` audit events from `since` on, of one kind and one user (pseudonym) if given."""
        require_reviewer(who)
        require(who, "audit_export")
        if event is not None and event not in EVENT_KINDS:
            raise ValueError(f"event must be one of {', '.join(EVENT_KINDS)}, not {event!r}")
        rows = [e for e in self.audit.events(since, event) if not user_ref or e.user == user_ref.strip()]
        rows.reverse()
        return rows[: max(0, limit)]

    def audit_export(self, who: Principal, since: dt.date | None, fmt: str = "jsonl") -> str:
        """What `kho audit export --since` prints (`AuditLog.export`), audited as an `audit_export` the same way."""
        require_reviewer(who)
        require(who, "audit_export")
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        count = sum(1 for _ in self.audit.events(since))
        text = self.audit.export(since, fmt)
        self.audit.record(
            AuditEvent(
                user=who.name,
                role=who.role,
                event="audit_export",
                details={"since": since.isoformat() if since else None, "format": fmt, "count": count},
            )
        )
        return text
