"""What the workdesk and the REST API can do, for whom: the one layer both call, with access checks and audit.

Every operation takes the `Principal` asking. Clearance becomes `Filters.max_access_rank`, so retrieval is
filtered inside Qdrant; document reads check the clearance again and answer `NotFound` for a document above it
(the same answer as for a missing one: existence is never revealed). Roles allowed per operation live in one
table (`PERMISSIONS`); a role outside it gets `Forbidden`. Questions, retrieved chunk ids, the citations shown,
feedback and admin actions go to the audit log (`app.audit`), personal data masked.

>>> who = Principal("an", "staff", AccessLevel.PUBLIC)
>>> filters_for(who, SearchFilters(types=("Nghị định",))).max_access_rank, filters_for(who).types
(0, ())
>>> allowed(who, "upload")
False

Threads: the API serves requests from a thread pool. The registry's single SQLite connection is only written
under `_write_lock` (uploads, access/validity changes and the index sync that follows them run one at a time);
reads go through one registry connection per thread (WAL: each sees committed data, never a writer's open
transaction, which a shared connection would show). The vector store is wrapped in `GuardedStore`: writes are
serialised; for qdrant-client's local mode (plain Python dicts) a readers-writer lock also keeps queries out
while a write runs. Qdrant Edge needs no such exclusion: its Python binding (pyo3) can only hand out shared
references to a Rust shard that does its own locking (a conflicting borrow raises, it cannot corrupt), and 4
query threads against a sync loop (upsert, delete, flush, optimize) for 8 s gave no error — so searches keep
running during an upload instead of waiting for Qdrant's optimizer. LLM generations are serialised by the
backend itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.audit import AuditEvent, AuditLog
from app.conversations import Conversation, ConversationNotFound, ConversationStore, ConversationSummary, Turn
from app.dense_fill import DenseFill
from app.limits import InFlight, Rate, RateLimited, RateLimiter
from app.lineage import Lineage, VersionView, article_versions, lineage
from app.permissions import FEEDBACK_ON_OTHERS, PERMISSIONS, ROLES, Forbidden, Principal, Role, allowed, require
from assistant.answer import REFUSAL, Answer, Verification
from assistant.pipeline import AskOptions, Assistant
from assistant.topic_model import shipped_reader
from core.clock import today_vn
from core.fs import discard_within, write_private
from core.metrics import observe_answer
from core.pii import mask_pii
from core.settings import Settings, get_settings
from core.text import nfc_strip
from index.guarded import GuardedStore
from index.payload import ACCESS_RANK, norm_label, norm_number
from index.search import ARTICLE_CHUNKS, Hit, Mode, Retrieval, Searcher, SearchResult
from index.store import ALIAS, CollectionMeta, EdgeStore, Filters, VectorStore, open_store
from ingest.model import AccessLevel, DocState, Validity
from ingest.registry import DocumentRecord, FileRecord, Registry, StoredRelation
from ingest.relations import LegalRef

if TYPE_CHECKING:  # the backend module (httpx) is imported only when an answer is generated
    from assistant.llm import LLMBackend
    from index.indexer import SyncReport
    from ingest.job import IngestReport

log = logging.getLogger(__name__)

# What upload reports per file, in order: refused before ingest, ingest running, the registry's verdict, then
# (for stored files) the index updated so the documents are searchable.
UPLOAD_STATES = ("rejected", "ingesting", *(s.value for s in DocState), "indexing", "searchable")
MAX_QUESTION_CHARS = 2000
MAX_HISTORY = 10
CONVERSATIONS_FILE = "conversations.sqlite3"
WITHHELD = "Câu trả lời này trích văn bản bạn không còn được xem; câu hỏi vẫn được giữ."
# Re-exported for the faces, which talk to the application through this module.
__all__ = [
    "FEEDBACK_ON_OTHERS",
    "PERMISSIONS",
    "ROLES",
    "AskResult",
    "Forbidden",
    "NotFound",
    "Principal",
    "RateLimited",
    "Role",
    "SearchFilters",
    "Services",
    "UploadResult",
    "allowed",
    "filters_for",
    "require",
]


class NotFound(Exception):
    """No such thing for this principal: missing OR above their clearance (→ 404; never reveals existence)."""


@dataclass(frozen=True)
class SearchFilters:
    """What a user can narrow retrieval by in the UI/API (clearance is never among them: it comes from who asks)."""

    types: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    validity: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # số hiệu, e.g. "58/2010/QH12"
    as_of: dt.date | None = None  # the law in force on that day; None = today (`all_versions` searches every text)
    all_versions: bool = False


@dataclass(frozen=True)
class UploadResult:
    """What `Services.upload` reports for one file (the API's and the audit log's JSON is `to_json()`).

    >>> UploadResult("a.txt", "indexed", documents=("d1",), access_level="public").to_json()
    {'file': 'a.txt', 'state': 'indexed', 'reason': None, 'documents': ['d1'], 'access_level': 'public'}
    """

    file: str
    state: str  # one of UPLOAD_STATES' verdicts: "rejected" or the registry's `DocState` value
    reason: str | None = None
    documents: tuple[str, ...] = ()  # the ids stored from this file
    access_level: str | None = None  # the level the stored documents have (never lowered by a re-upload)

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "state": self.state,
            "reason": self.reason,
            "documents": list(self.documents),
            "access_level": self.access_level,
        }


@dataclass
class AskResult:
    """An answer and the id of its audit record (what feedback refers to)."""

    answer_id: str
    answer: Answer


def audited_citations(answer: Answer) -> list[dict[str, Any]]:
    """What the audit log keeps of an answer's citations: marker, anchor, chunk and document ids (no text)."""
    return [
        {"marker": c.marker, "anchor": c.hit.anchor, "chunk_id": c.hit.chunk_id, "document_id": c.hit.document_id}
        for c in answer.citations
    ]


def filters_for(who: Principal, chosen: SearchFilters | None = None) -> Filters:
    """The Qdrant filter for `who`: their clearance as `max_access_rank`, plus the filters they chose.

    Wrong values (an unknown validity, a year range that ends before it starts) raise ValueError naming the field.
    """
    f = chosen or SearchFilters()
    for v in f.validity:
        Validity.from_str(v)
    if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
        raise ValueError(f"year_from ({f.year_from}) is after year_to ({f.year_to})")
    return Filters(
        max_access_rank=ACCESS_RANK[who.clearance],
        types=tuple(x for x in (norm_label(t) for t in f.types) if x),
        issuers=tuple(x for x in (norm_label(t) for t in f.issuers) if x),
        year_from=f.year_from,
        year_to=f.year_to,
        validity=tuple(Validity.from_str(v).value for v in f.validity),
        numbers=tuple(x for x in (norm_number(n) for n in f.numbers) if x),
        as_of=None if f.all_versions else (f.as_of or today_vn()),
    )


def bounded_history(history: Sequence[str]) -> list[str]:
    """The last `MAX_HISTORY` non-empty earlier questions, NFC; ValueError naming `history[i]` when one of them is
    longer than `MAX_QUESTION_CHARS` (it would be joined into the search query)."""
    kept = list(history)[-MAX_HISTORY:]
    out: list[str] = []
    offset = max(0, len(history) - len(kept))
    for i, item in enumerate(kept, start=offset):
        text = nfc_strip(str(item))
        if len(text) > MAX_QUESTION_CHARS:
            raise ValueError(f"history[{i}]: dài quá {MAX_QUESTION_CHARS} ký tự")
        if text:
            out.append(text)
    return out


def _bounded_text(field: str, value: str, empty: str) -> str:
    """`value` NFC-normalised and stripped; ValueError naming `field` when empty or over MAX_QUESTION_CHARS."""
    text = nfc_strip(value)
    if not text:
        raise ValueError(f"{field}: {empty}")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValueError(f"{field}: dài quá {MAX_QUESTION_CHARS} ký tự")
    return text


# ------------------------------------------------------------------------------------------------- concurrency


class _RecordingSearcher:
    """Delegates to the shared searcher and remembers what one question's searches returned (for the audit)."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self.hits: list[Hit] = []

    @property
    def settings(self) -> Settings:
        return self.inner.settings

    @property
    def meta(self) -> CollectionMeta:
        return self.inner.meta

    def search(
        self, query: str, k: int = 10, mode: Mode = "hybrid", filters: Filters | None = None, article_level: bool = True
    ) -> SearchResult:
        result = self.inner.search(query, k=k, mode=mode, filters=filters, article_level=article_level)
        self.hits.extend(h for h in result.hits if h.chunk_id not in {x.chunk_id for x in self.hits})
        return result

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = ARTICLE_CHUNKS) -> list[Hit]:
        return self.inner.article(hit, filters, limit)


# ------------------------------------------------------------------------------------------------- services


@dataclass
class _ReadConnections:
    """One read-only registry connection per thread, all closed together."""

    path: Path
    local: threading.local = field(default_factory=threading.local)
    opened: list[Registry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> Registry:
        reg = getattr(self.local, "registry", None)
        if reg is None:
            reg = Registry(self.path)
            self.local.registry = reg
            with self.lock:
                self.opened.append(reg)
        return cast(Registry, reg)

    def close(self) -> None:
        with self.lock:
            for reg in self.opened:
                try:
                    reg.close()
                except Exception:  # a connection made in another thread; closing is best effort at shutdown
                    log.debug("closing a read connection failed", exc_info=True)
            self.opened.clear()


class Services:
    """Ask, search, read documents, upload, change access/validity, give feedback: each checked and audited."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry | None = None,
        store: VectorStore | None = None,
        audit: AuditLog | None = None,
        llm_factory: Callable[[], LLMBackend] | None = None,
        mode: Mode = "hybrid",
    ) -> None:
        self.settings = settings
        settings.ensure_data_dir()
        self._own_registry = registry is None
        self._own_store = store is None
        self.registry = registry or Registry.from_settings(settings)
        inner = store or open_store(settings)
        self.store = GuardedStore(inner, exclusive_writes=not isinstance(inner, EdgeStore))
        self.audit = audit or AuditLog(settings.audit_path)
        self.conversations = ConversationStore(settings.data_dir / CONVERSATIONS_FILE, self.audit.user_ref)
        self._llm_factory = llm_factory
        self.mode: Mode = mode
        self._reads = _ReadConnections(self.registry.path)
        self.limits = RateLimiter(
            {
                "ask": Rate(settings.rate_ask_per_minute, max(1, settings.rate_ask_per_minute // 3)),
                "search": Rate(settings.rate_search_per_minute, max(1, settings.rate_search_per_minute // 4)),
                "upload": Rate(settings.rate_upload_per_minute, max(1, settings.rate_upload_per_minute // 2)),
            }
        )
        self.in_flight = InFlight(settings.max_inflight_per_user)
        self._catch_up_thread: threading.Thread | None = None
        self.catch_up_error: str | None = None
        self._write_lock = threading.RLock()
        self._searcher_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._embedder: Any = None
        self._dense_fill: DenseFill | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Services:
        """Services over the data dir of `settings` (default: the process settings); brings the index up to date."""
        services = cls(settings or get_settings())
        services.catch_up()
        return services

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def catch_up(self) -> SyncReport | None:
        """Apply registry changes the index has not seen (e.g. a `kho ingest` run while the server was down); what
        the sync did (None when there is nothing at all to index)."""
        from index.indexer import Indexer

        with self._write_lock:
            if self.registry.counts()["documents"] == 0 and self.store.resolve_alias(ALIAS) is None:
                return None
            report = Indexer(self.registry, cast(VectorStore, self.store), self.settings).ensure()
            self._invalidate()
            return report

    def ingest_paths(
        self,
        who: Principal,
        paths: Sequence[Path],
        access_level: AccessLevel | None = None,
        meta_overrides: dict[Path, dict[str, str]] | None = None,
    ) -> IngestReport:
        """Store files and folders of this machine in the registry, as `kho ingest` does (`catch_up` then indexes
        them), under the same write lock as uploads. It reads whatever path the server process can: the caller
        decides who may name paths (over HTTP only the local operator, `ui/operator.py`). Audited ("upload", with
        the counts, not the paths)."""
        from ingest.job import run_ingest

        require(who, "upload")
        with self._write_lock:
            report = run_ingest(
                list(paths), self.registry, self.settings, access_level, progress=False, meta_overrides=meta_overrides
            )
        totals = {k: v for k, v in report.totals.items() if v}
        details = {"source": "server paths", "files": len(report.results), "totals": totals}
        self.audit.record(_event(who, "upload", details=details))
        return report

    def searcher(self) -> Searcher | None:
        """The searcher over the current collection, shared by every caller (the query embedder is loaded once);
        None while nothing is indexed."""
        return self._current_searcher()

    def catch_up_in_background(self, fill_dense: bool = False) -> threading.Thread:
        """`catch_up` in a daemon thread, so a server opens its port at once whatever the index has to do; with
        `fill_dense`, then the background dense fill (`start_dense_fill`). The topic reader's model starts loading
        beside it (`QuestionReader.warm_in_background`).

        Searches keep using the collection as it is meanwhile; a document whose indexing fails is recorded as
        failed by the indexer (not retried on every start); an error of the catch-up itself is logged and kept in
        `catch_up_error`.
        """

        # The topic reader's model loads in a thread of its own, so the dense fill does not wait for it; until it
        # is loaded, follow-ups are told by the word signals (a question never waits for it).
        shipped_reader().warm_in_background()

        def run() -> None:
            try:
                self.catch_up()
                self.warm()
                if fill_dense:
                    self.start_dense_fill()
            except Exception as exc:  # the server keeps serving what is indexed
                self.catch_up_error = f"{type(exc).__name__}: {exc}"
                log.error("index catch-up failed", exc_info=exc)

        thread = threading.Thread(target=run, name="kho-index-catch-up", daemon=True)
        thread.start()
        self._catch_up_thread = thread
        return thread

    def warm(self) -> None:
        """Load the query embedder now rather than on the first question."""
        searcher = self._current_searcher()
        if searcher is not None and searcher.dense_points:
            searcher.embedder  # noqa: B018  (loads the model)

    def start_dense_fill(self, on_batch: Callable[[int], None] | None = None) -> DenseFill:
        """Embed the chunks that lack a dense vector in a background thread, a batch at a time (`app.dense_fill`);
        search turns hybrid once enough have one (`Searcher.used_mode`). Stopped by `close`. `on_batch(n)` is
        called in that thread after each stored batch."""
        if self._dense_fill is None:
            step = lambda: self.fill_dense_step(self.settings.dense_fill_batch)  # noqa: E731
            self._dense_fill = DenseFill(step, on_batch=on_batch).start()
        return self._dense_fill

    @property
    def dense_fill(self) -> DenseFill | None:
        """The background dense fill, once started."""
        return self._dense_fill

    def fill_dense_step(self, batch: int) -> int:
        """Embed and store up to `batch` chunks that lack a dense vector, under the write lock (an upload waits
        for one batch at most; searches do not wait); how many were embedded (0: none lack one, or no index)."""
        from index.indexer import Indexer

        searcher = self._current_searcher()
        if searcher is None or searcher.dense_points >= searcher.points:
            return 0
        embedder = searcher.embedder  # the collection's embedder, loaded outside the lock and shared with queries
        with self._write_lock:
            report = Indexer(self.registry, cast(VectorStore, self.store), self.settings, embedder).fill_dense(
                batch_size=batch, limit=batch
            )
        current = self._current_searcher()
        if current is not None:
            current.refresh_dense()
        return report.dense_computed

    @property
    def dense_filling(self) -> bool:
        """Whether the background dense fill is computing vectors now."""
        return self._dense_fill is not None and self._dense_fill.running

    def readiness(self) -> dict[str, bool]:
        """What `/readyz` checks: `index`, the store answers and the current collection exists; `model`, the
        language model can answer (`LLMBackend.ready`: the embedded GGUF fetched, or the model server listing its
        models — nothing is loaded to find out)."""
        try:
            name = self.store.resolve_alias(ALIAS)
            index = name is not None and name in self.store.collections()
        except Exception:  # a store that does not answer is not ready; probes come often, so no warning each time
            log.debug("readiness: the index store did not answer", exc_info=True)
            index = False
        try:
            if self._llm_factory is not None:
                model = self._llm_factory().ready()
            else:
                from assistant.llm import get_llm

                model = get_llm(self.settings).ready()
        except Exception:
            log.debug("readiness: the language model check failed", exc_info=True)
            model = False
        return {"index": index, "model": model}

    def index_size(self) -> dict[str, int]:
        """What the index holds, for monitoring: documents and chunks in the registry, points in the current
        collection (0 before the first index). Raises when the store does not answer."""
        counts = self._reads.get().counts()
        name = self.store.resolve_alias(ALIAS)
        points = self.store.count(name) if name else 0
        return {"documents": counts["documents"], "chunks": counts["chunks"], "points": points}

    def close(self) -> None:
        if self._dense_fill is not None:
            self._dense_fill.stop()  # after the batch in flight, before the store closes under it
        self._reads.close()
        self.conversations.close()
        self.audit.close()
        if self._own_store:
            self.store.close()
        if self._own_registry:
            self.registry.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _invalidate(self) -> None:
        """Forget the searcher: the next question builds one on the current collection and its counts."""
        with self._searcher_lock:
            if self._searcher is not None and self._searcher._embedder is not None:
                self._embedder = self._searcher._embedder
            self._searcher = None
        if self._dense_fill is not None:
            self._dense_fill.wake()  # the write may have brought chunks without a dense vector

    def _current_searcher(self) -> Searcher | None:
        with self._searcher_lock:
            if self._searcher is None:
                if self.store.resolve_alias(ALIAS) is None:
                    return None
                self._searcher = Searcher(cast(VectorStore, self.store), self.settings, embedder=self._embedder)
            return self._searcher

    # -- reading -----------------------------------------------------------------------------------------------

    def ask(
        self,
        who: Principal,
        question: str,
        history: Sequence[str] = (),
        filters: SearchFilters | None = None,
        extractive: bool = False,
        on_token: Callable[[str], None] | None = None,
        topic: str = "auto",
        conversation_id: str | None = None,
        keep: Callable[[AskResult], dict[str, Any]] | None = None,
    ) -> AskResult:
        """Answer `question` from what `who` may read; the question (masked) and what was cited are audited.

        `topic`: "auto" (assistant/topic.py tells a follow-up from a new question), or the user's choice
        "follow_up" (read with `history`) / "new_topic" (read alone).

        `conversation_id`: one of `who`'s conversations (app/conversations.py; another user's is `NotFound`, before
        any work); the question and its answer are added to it, and without an explicit `history` its earlier
        questions are the history. `keep(result)`: what the caller wants kept with the turn besides the answer (the
        workdesk's rendered bubble and cards), stored under the answer's "view" key — and withheld with it.

        Bounded before any work: the question and each of the last `MAX_HISTORY` earlier questions at most
        `MAX_QUESTION_CHARS` (ValueError naming the field), the user's rate (`RateLimited`), and at most
        `max_inflight_per_user` questions of one user in progress at once.
        """
        require(who, "ask")
        question = _bounded_text("question", question, "câu hỏi trống")
        past = bounded_history(history)
        if conversation_id is not None:
            # the turns are read only when they are the history; otherwise the ownership check is enough
            if past:
                self.conversation_summary(who, conversation_id)
            else:
                past = bounded_history(self._own_conversation(who, conversation_id).questions[-MAX_HISTORY:])
        self.limits.take(who.name, "ask")
        with self.in_flight.slot(who.name):
            result = self._ask(who, question, past, filters, extractive, on_token, topic)
        if conversation_id is not None:
            kept_answer = {"answer_id": result.answer_id, **result.answer.to_json()}
            if keep is not None:
                kept_answer["view"] = keep(result)
            self.conversations.append(who.name, conversation_id, question, kept_answer)
        return result

    def _ask(
        self,
        who: Principal,
        question: str,
        past: list[str],
        filters: SearchFilters | None,
        extractive: bool,
        on_token: Callable[[str], None] | None,
        topic: str = "auto",
    ) -> AskResult:
        options = AskOptions(mode=self.mode, filters=filters_for(who, filters), extractive=extractive)
        searcher = self._current_searcher()
        mode = "extractive" if extractive else "generative"
        recorder: _RecordingSearcher | None = None
        if searcher is None:
            answer = Answer(question, REFUSAL, [], Verification.UNVERIFIED, refused=True, mode=mode)
        else:
            recorder = _RecordingSearcher(searcher)
            assistant = Assistant(recorder, llm_factory=self._llm_factory)
            try:
                answer = assistant.ask(question, past, options, on_token, topic=topic)
            except Exception as exc:  # every question is audited, answered or not
                self.audit.record(
                    _event(
                        who,
                        event="ask",
                        question=question,
                        retrieved=[h.chunk_id for h in recorder.hits],
                        details={"mode": mode, "history": len(past), "error": type(exc).__name__},
                    )
                )
                raise
        search = answer.evidence.get("search")
        if isinstance(search, dict) and self.dense_filling:
            search["filling"] = True  # as `with_fill_state` marks a search
        event = _event(
            who,
            event="ask",
            question=question,
            retrieved=[h.chunk_id for h in recorder.hits] if recorder else [],
            citations=audited_citations(answer),
            verification=answer.verification.value,
            refused=answer.refused,
            details={"mode": answer.mode, "history": len(past), "query": answer.query},
        )
        answer_id = self.audit.record(event)
        _observe(answer)
        # the pseudonym, never the name (an e-mail address is personal data), and the question masked
        log.info("ask by %s (%s): %s", self.audit.user_ref(who.name), who.role, mask_pii(question)[:200])
        return AskResult(answer_id=answer_id, answer=answer)

    # -- conversations -----------------------------------------------------------------------------------------

    def list_conversations(self, who: Principal) -> list[ConversationSummary]:
        """`who`'s conversations, the most recently used first."""
        require(who, "ask")
        return self.conversations.list(who.name)

    def new_conversation(self, who: Principal, title: str = "") -> ConversationSummary:
        """A new, empty conversation of `who`."""
        require(who, "ask")
        return self.conversation_summary(who, self.conversations.create(who.name, title))

    def conversation_summary(self, who: Principal, conversation_id: str) -> ConversationSummary:
        """One of `who`'s conversations without its turns — whether it is theirs (`NotFound` otherwise)."""
        require(who, "ask")
        try:
            return self.conversations.summary(who.name, conversation_id)
        except ConversationNotFound as exc:
            raise NotFound(str(exc)) from None

    def conversation(self, who: Principal, conversation_id: str) -> Conversation:
        """One of `who`'s conversations, every answer checked again against `who`'s clearance today: an answer
        citing a document `who` may no longer read keeps its question but not its text or sources."""
        require(who, "ask")
        kept = self._own_conversation(who, conversation_id)
        reads = self._reads.get()
        turns = [Turn(t.seq, t.at, t.question, self._still_readable(who, t.answer, reads)) for t in kept.turns]
        return Conversation(kept.summary, turns)

    def rename_conversation(self, who: Principal, conversation_id: str, title: str) -> ConversationSummary:
        require(who, "ask")
        try:
            return self.conversations.rename(who.name, conversation_id, title)
        except ConversationNotFound as exc:
            raise NotFound(str(exc)) from None

    def delete_conversation(self, who: Principal, conversation_id: str) -> None:
        require(who, "ask")
        try:
            self.conversations.delete(who.name, conversation_id)
        except ConversationNotFound as exc:
            raise NotFound(str(exc)) from None

    def _own_conversation(self, who: Principal, conversation_id: str) -> Conversation:
        try:
            return self.conversations.get(who.name, conversation_id)
        except ConversationNotFound as exc:
            raise NotFound(str(exc)) from None

    @staticmethod
    def _still_readable(who: Principal, answer: dict[str, Any], reads: Registry) -> dict[str, Any]:
        """`answer` as stored, or — when a document it cites is now missing or above `who`'s clearance — the same
        answer with its text, sentences and sources withheld."""
        for c in answer.get("citations") or []:
            level = reads.document_access(str(c.get("document_id", "")))
            if level is None or level.rank > who.clearance.rank:
                return {
                    **{k: answer.get(k) for k in ("answer_id", "as_of", "topic", "mode", "query", "refused")},
                    "answer": WITHHELD,
                    "withheld": True,
                    "citations": [],
                    "sentences": [],
                    "grounds": [],
                    "closest": [],
                    "verification": answer.get("verification"),
                }
        return answer

    def search(self, who: Principal, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """The top `k` articles for `query` among those `who` may read."""
        return self.find(who, query, k, filters).hits

    def find(self, who: Principal, query: str, k: int = 10, filters: SearchFilters | None = None) -> SearchResult:
        """`search` with what the faces show beside the hits: which search ran (`SearchResult.retrieval`: hybrid,
        or BM25 while dense vectors are missing — and whether they are being computed now)."""
        require(who, "search")
        query = _bounded_text("query", query, "nội dung tìm kiếm trống")
        if not 1 <= k <= 100:
            raise ValueError(f"k: phải từ 1 đến 100, không phải {k}")
        self.limits.take(who.name, "search")
        flt = filters_for(who, filters)
        searcher = self._current_searcher()
        result = SearchResult([], {}) if searcher is None else searcher.search(query, k=k, mode=self.mode, filters=flt)
        result.retrieval = self.with_fill_state(result.retrieval)
        hits = result.hits
        self.audit.record(
            _event(
                who,
                event="search",
                question=query,
                retrieved=[h.chunk_id for h in hits],
            )
        )
        return result

    def with_fill_state(self, retrieval: Retrieval | None) -> Retrieval | None:
        """`retrieval` marked `filling` while the background dense fill computes vectors (the faces then say
        "đang tính" rather than "run `kho index --dense`")."""
        if retrieval is None or not self.dense_filling:
            return retrieval
        return dataclasses.replace(retrieval, filling=True)

    def list_documents(self, who: Principal) -> list[DocumentRecord]:
        """The documents `who` is cleared for (metadata only)."""
        require(who, "read_documents")
        return self._reads.get().list_documents(who.clearance.allowed())

    def list_files(self, who: Principal) -> list[FileRecord]:
        """Every source file the registry knows, with its state and reason (admin only): failed files have no
        document, so this is where an administrator sees them."""
        require(who, "upload")
        return self._reads.get().list_files()

    def get_document(self, who: Principal, doc_id: str) -> DocumentRecord:
        """One document with its text and articles; `NotFound` when missing or above `who`'s clearance."""
        require(who, "read_documents")
        reads = self._reads.get()
        # The level first, by one indexed lookup: a document above the reader's clearance is refused exactly as a
        # missing id is, before its (possibly large) text is loaded — its size must not show in the answer time.
        level = reads.document_access(doc_id)
        doc = reads.get_document(doc_id) if level is not None and level.rank <= who.clearance.rank else None
        if doc is None or doc.meta.access_level.rank > who.clearance.rank:
            raise NotFound(f"không có văn bản {doc_id!r}")
        self.audit.record(_event(who, "document_view", ref=doc_id))
        return doc

    def original_file(self, who: Principal, doc_id: str) -> Path:
        """The stored source file (as uploaded or ingested) of a document `who` may read; `NotFound` as
        `get_document` answers it, or when the file is no longer on disk. Audited as a view of the document."""
        path = Path(self.get_document(who, doc_id).file_path)
        if not path.is_file():
            raise NotFound(f"không còn tệp gốc của văn bản {doc_id!r}")
        return path

    def versions(self, who: Principal, document: str, article: str, as_of: dt.date | None = None) -> list[VersionView]:
        """The stored versions of Điều `article` of `document` that `who` may read, with their standing on
        `as_of` (default today)."""
        require(who, "read_documents")
        found = article_versions(self._reads.get(), who.clearance, document, article, as_of or today_vn())
        self.audit.record(_event(who, "document_view", ref=f"versions:{document}|{article}"))
        return found

    def lineage(self, who: Principal, document: str, article: str | None = None) -> Lineage:
        """The Lược đồ of `document` (or its Điều `article`): the relations `who` may read, by group."""
        require(who, "read_documents")
        return lineage(self._reads.get(), who.clearance, document, article)

    # -- changing the corpus (admin) ---------------------------------------------------------------------------

    def decide_relation(
        self,
        who: Principal,
        key: str,
        decision: str,
        reason: str,
        target: LegalRef | None = None,
        effective: dt.date | None = None,
    ) -> StoredRelation:
        """An administrator applies (correcting target or date) or rejects one extracted relation; audited. The
        versions and every affected document's index payload follow."""
        require(who, "set_validity")
        reason = mask_pii(nfc_strip(reason))[:1000]  # stored and shown beside the relation: no personal data
        try:
            with self._write_lock:
                decided = self.registry.decide_relation(key, decision, reason, target, effective)
        except KeyError:
            raise NotFound(f"không có quan hệ {key!r}") from None
        self.audit.record(_event(who, "relation_decision", ref=key, details={"decision": decision, "reason": reason}))
        self.catch_up()
        return decided

    def upload(
        self,
        who: Principal,
        files: Sequence[tuple[str, bytes]],
        access_level: AccessLevel = AccessLevel.PUBLIC,
        on_progress: Callable[[str, str], None] | None = None,
        replace: str | None = None,
    ) -> list[UploadResult]:
        """Store uploaded files under `<data_dir>/uploads/<content hash>/`, ingest them, and update the index.

        Each file gets an `UploadResult` (in the files' order): `state` is "rejected" (bad name, type, size; `reason`
        says which) or the registry's state (indexed, skipped_unchanged, failed, failed_no_text); `documents` lists
        the ids stored for it and `access_level` the level they have.

        - A file is kept under its content hash, so a different file with the same name is a NEW document, never a
          silent replacement; re-uploading the same content is idempotent.
        - A re-upload never lowers a level: the ingest job keeps the highest of the requested level and that of
          an already stored document with the same path, content or số hiệu (`Registry.access_floor`); only
          `set_access_level` lowers one, audited as such.
        - `replace=<document id>` (one file only) is the explicit replacement: once the new file is stored, that
          document is removed (audited with the upload).
        `on_progress(file, state)` reports each step (`UPLOAD_STATES`).
        """
        from index.indexer import Indexer
        from ingest.formats.registry import READERS
        from ingest.job import run_ingest

        require(who, "upload")
        level = access_level if isinstance(access_level, AccessLevel) else AccessLevel.from_str(str(access_level))
        if not files:
            raise ValueError("files: chưa chọn tệp nào")
        if replace is not None and len(files) != 1:
            raise ValueError("replace: chỉ thay thế được bằng đúng một tệp")
        self.limits.take(who.name, "upload")

        def report(name: str, state: str) -> None:
            if on_progress is not None:
                on_progress(name, state)

        folder = self.settings.uploads_dir
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        results: list[UploadResult] = []
        accepted: list[tuple[int, Path, bytes]] = []  # (position in `results`, where it is kept, its bytes)
        seen: set[str] = set()
        for raw_name, content in files:
            name = _safe_name(raw_name)
            problem = _upload_problem(name, content, self.settings.max_file_bytes, READERS, seen)
            results.append(UploadResult(file=name or raw_name[:200], state="rejected", reason=problem))
            if problem:
                report(results[-1].file, "rejected")
                continue
            seen.add(name.casefold())
            digest = hashlib.sha256(content).hexdigest()[:32]
            accepted.append((len(results) - 1, folder / digest / name, content))
        replaced: str | None = None
        with self._write_lock:
            if replace is not None and self.registry.get_document(replace) is None:
                raise NotFound(f"không có văn bản {replace!r}")
            for i, path, content in accepted:
                path.parent.mkdir(exist_ok=True, mode=0o700)
                write_private(path, content)
                report(results[i].file, "ingesting")
                rep = run_ingest([path], self.registry, self.settings, access_level=level, progress=False)
                res = rep.result(path)
                reason = res.reason if res else "không đọc được tệp"
                ids = self.registry.document_ids(path)
                levels = {lv for lv in (self.registry.document_access(i) for i in ids) if lv is not None}
                top = max(levels, key=lambda lv: lv.rank, default=None)
                if top is not None and top.rank > level.rank:
                    reason = (
                        f"giữ mức truy cập “{top.value}” của văn bản đã có (không hạ mức khi tải lại; "
                        "đổi mức bằng chức năng cập nhật mức truy cập)"
                    )
                results[i] = dataclasses.replace(
                    results[i],
                    state=res.state.value if res else DocState.FAILED.value,
                    reason=reason,
                    documents=tuple(ids),
                    access_level=top.value if top else None,
                )
                if not ids:
                    discard_within(path, folder)  # nothing stored from it: do not keep the bytes
                report(results[i].file, results[i].state)
            stored = [results[i] for i, _, _ in accepted if results[i].documents]
            if replace is not None and stored and replace not in stored[0].documents:
                old_path = self.registry.remove_document(replace)
                replaced = replace
                if old_path is not None:
                    self._forget_upload(Path(old_path))
            if accepted:
                for r in stored:
                    report(r.file, "indexing")
                Indexer(self.registry, cast(VectorStore, self.store), self.settings).sync()
                self._invalidate()
                for r in stored:
                    report(r.file, "searchable")
        self.audit.record(
            _event(
                who,
                event="upload",
                details={
                    "access_level": level.value,
                    "replaced": replaced,
                    "files": [r.to_json() for r in results],
                },
            )
        )
        return results

    def delete_document(self, who: Principal, doc_id: str) -> None:
        """Remove a document from the registry and the index (admin); its uploaded file goes when nothing of it is
        left. `NotFound` for an unknown id. Audited."""
        from index.indexer import Indexer

        require(who, "delete")
        with self._write_lock:
            doc = self.registry.get_document(doc_id)
            if doc is None:
                raise NotFound(f"không có văn bản {doc_id!r}")
            path = self.registry.remove_document(doc_id)
            if path is not None:
                self._forget_upload(Path(path))
            Indexer(self.registry, cast(VectorStore, self.store), self.settings).sync()
            self._invalidate()
        self.audit.record(
            _event(
                who,
                event="delete",
                ref=doc_id,
                details={"so_hieu": doc.meta.so_hieu, "title": doc.meta.title[:300], "file": Path(doc.file_path).name},
            )
        )

    def reindex_document(self, who: Principal, doc_id: str) -> list[str]:
        """Write one document's chunks into the index again (admin), e.g. after its indexing failed; returns the
        reasons it still could not be indexed (empty when it is searchable). `NotFound` for an unknown id.
        Audited ("reindex", with the outcome).
        """
        from index.indexer import Indexer

        require(who, "upload")
        with self._write_lock:
            level = self.registry.document_access(doc_id)
            if level is None:
                raise NotFound(f"không có văn bản {doc_id!r}")
            # The registry queues an index 'upsert' only with a write of the document: writing its level back
            # unchanged is that write, and `sync` then rewrites its points (clearing a recorded failure on success).
            self.registry.set_access_level(doc_id, level)
            report = Indexer(self.registry, cast(VectorStore, self.store), self.settings).sync()
            self._invalidate()
        failed = [report.failed[doc_id]] if doc_id in report.failed else []
        self.audit.record(_event(who, "reindex", ref=doc_id, details={"ok": not failed, "failed": failed}))
        return failed

    def backup(self, who: Principal, dest: Path) -> dict[str, Any]:
        """Back up the data dir into a new folder under `dest` while the service runs (admin): no upload, change or
        index sync runs meanwhile (the write lock), the index is flushed and copied (`app.backup`). Audited
        ("backup": the folder and the counts, no personal data). Returns the manifest, with `folder` added."""
        from app.backup import write_backup

        require(who, "backup")
        with self._write_lock:
            folder, manifest = write_backup(self.settings, Path(dest), store=cast(VectorStore, self.store))
        self.audit.record(
            _event(who, "backup", ref=manifest.backup_id, details={"folder": str(folder), "counts": manifest.counts})
        )
        return {"folder": str(folder), **manifest.to_json()}

    def _forget_upload(self, path: Path) -> None:
        """Delete an uploaded source file once the registry no longer holds any document of it."""
        folder = self.settings.uploads_dir.resolve()
        if path.resolve().is_relative_to(folder) and not self.registry.document_ids(path):
            self.registry.remove_file(path)
            discard_within(path, folder)

    def set_access_level(self, who: Principal, doc_id: str, level: AccessLevel) -> None:
        """Change a document's access level; the index payload follows before this returns."""
        require(who, "set_access")
        lvl = level if isinstance(level, AccessLevel) else AccessLevel.from_str(str(level))
        self._change(
            who, doc_id, "set_access", lambda: self.registry.set_access_level(doc_id, lvl), {"access_level": lvl.value}
        )

    def set_validity(self, who: Principal, doc_id: str, validity: str, reason: str | None = None) -> None:
        """Set a document's hiệu lực (and why); the index payload follows before this returns."""
        require(who, "set_validity")
        v = Validity.from_str(validity)
        # stored in the registry and shown beside every citation: personal data never goes in
        reason = mask_pii(nfc_strip(reason))[:1000] if reason else None
        self._change(
            who,
            doc_id,
            "set_validity",
            lambda: self.registry.set_validity(doc_id, v, reason),
            {"hieu_luc": v.value, "reason": reason},
        )

    def _change(
        self, who: Principal, doc_id: str, event: str, apply: Callable[[], None], details: dict[str, Any]
    ) -> None:
        from index.indexer import Indexer

        with self._write_lock:
            if self.registry.get_document(doc_id) is None:
                raise NotFound(f"không có văn bản {doc_id!r}")
            apply()
            Indexer(self.registry, cast(VectorStore, self.store), self.settings).sync()
            self._invalidate()
        self.audit.record(_event(who, event, ref=doc_id, details=details))

    # -- feedback ----------------------------------------------------------------------------------------------

    def feedback(
        self,
        who: Principal,
        answer_id: str,
        correct: bool,
        comment: str = "",
        wrong_citation: int | None = None,
        wrong_citations: Sequence[int] = (),
    ) -> bool:
        """Record a verdict on an answer (đúng/sai, a comment, the markers of the citations judged wrong); True when
        recorded, False when `who` already gave exactly this verdict on this answer (a second click is one event; a
        changed verdict is recorded and is the one the review queue reads).

        `NotFound` for an unknown answer, or one given to someone else unless `who` is an evaluator, legal or admin;
        ValueError naming `wrong_citations` for a marker the answer does not have.
        """
        require(who, "feedback")
        asked = self.audit.get(answer_id)
        if asked is None or asked.event != "ask":
            raise NotFound(f"không có câu trả lời {answer_id!r}")
        if asked.user != self.audit.user_ref(who.name) and who.role not in FEEDBACK_ON_OTHERS:
            raise NotFound(f"không có câu trả lời {answer_id!r}")
        chosen = sorted({*wrong_citations, *([wrong_citation] if wrong_citation is not None else [])})
        markers = {int(c["marker"]) for c in asked.citations}
        unknown = [m for m in chosen if m not in markers]
        if unknown:
            shown = ", ".join(str(m) for m in sorted(markers)) or "không có"
            missing = ", ".join(f"[{m}]" for m in unknown)
            raise ValueError(f"wrong_citations: câu trả lời không có trích dẫn {missing} (có: {shown})")
        details = {
            "correct": bool(correct),
            "comment": nfc_strip(comment)[:4000],
            "wrong_citation": chosen[0] if chosen else None,  # the first, for readers of the one-citation form
            "wrong_citations": chosen,
        }
        me = self.audit.user_ref(who.name)
        mine = [e for e in self.audit.referring(answer_id, "feedback") if e.user == me]
        if mine and _same_verdict(mine[-1].details, details):
            return False
        self.audit.record(
            _event(
                who,
                event="feedback",
                ref=answer_id,
                citations=[c for c in asked.citations if int(c["marker"]) in chosen],
                details=details,
            )
        )
        return True


def _same_verdict(recorded: dict[str, Any], details: dict[str, Any]) -> bool:
    """Whether a recorded feedback says what `details` says (the comment compared as stored, i.e. masked)."""
    wrong = recorded.get("wrong_citations")
    if wrong is None:  # recorded before several citations could be marked
        wrong = [recorded["wrong_citation"]] if recorded.get("wrong_citation") is not None else []
    return (
        bool(recorded.get("correct")) == details["correct"]
        and sorted(wrong) == details["wrong_citations"]
        and recorded.get("comment", "") == mask_pii(details["comment"])
    )


def _event(who: Principal, event: str, **fields: Any) -> AuditEvent:
    """An audit event done by `who` (the audit log turns the name into its pseudonym)."""
    return AuditEvent(user=who.name, role=who.role, event=event, **fields)


def _observe(answer: Answer) -> None:
    """Count `answer` in the metrics (`core.metrics.ANSWERS`): its outcome, and a refusal's reason — no index yet
    (no evidence was assessed), not enough evidence, or a generated answer that verification did not keep."""
    reason = ""
    if answer.refused:
        enough = answer.evidence.get("enough")
        reason = "no_index" if enough is None else "no_evidence" if not enough else "not_verified"
    outcome = "refused" if answer.refused else answer.verification.value
    observe_answer(answer.mode, outcome, reason, answer.latency_s, answer.ttft_s)


def _safe_name(name: str) -> str:
    """The file name without any folder part, NFC; "" when nothing usable is left."""
    base = nfc_strip(name.replace("\\", "/").rsplit("/", 1)[-1])
    if base in (".", "..") or base.startswith(".") or any(ord(ch) < 32 for ch in base):
        return ""
    return base[:200]


def _upload_problem(name: str, content: bytes, max_bytes: int, readers: dict[str, Any], seen: set[str]) -> str | None:
    """Why an uploaded file is refused (a sentence naming it), or None."""
    if not name:
        return "tên tệp không hợp lệ"
    suffix = Path(name).suffix.lower()
    if suffix not in readers:
        kinds = ", ".join(sorted(readers))
        return f"{name}: định dạng '{suffix or '(không có đuôi)'}' không được hỗ trợ (chỉ nhận {kinds})"
    if not content:
        return f"{name}: tệp rỗng"
    if len(content) > max_bytes:
        return f"{name}: lớn hơn giới hạn {max_bytes / 1024 / 1024:g} MB"
    if name.casefold() in seen:
        return f"{name}: tải lên hai lần trong cùng một lượt"
    return None
