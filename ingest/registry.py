"""The document registry: one SQLite file in the data dir that knows every ingested file, document and chunk.

It is the source of truth for ingestion. For each file it records the content hash, the hash of the ingest
options, a state (`DocState`) and a reason; for each document its metadata, access level, validity (hiệu lực),
full NFC text and articles; for each document its chunks, with anchors, citations and offsets into that text.

>>> import tempfile, pathlib
>>> with Registry(pathlib.Path(tempfile.mkdtemp()) / "r.sqlite3") as reg:
...     reg.counts()["documents"]
0

Schema (migrations `m001_initial`, `m002_outbox`, `m003_index_failures`, `m004_relations`, `m005_versions`,
`m006_relation_decisions`; each named migration runs once and is recorded in `_migrations`):

- `files(path PK, content_hash, options_hash, size, mtime, fmt, state, reason, n_documents, n_chunks,
  updated_at, indexed_hash)` — `path` is the absolute resolved path; `indexed_hash` is the content hash whose
  documents are stored right now, kept when a later attempt fails so nothing already stored is lost.
- `documents(id PK, file_path → files, key, title, so_hieu, loai, co_quan, ngay_ban_hanh, ngay_hieu_luc,
  trich_yeu, access_level, hieu_luc, hieu_luc_reason, meta_json, text, articles_json, warnings_json, fmt,
  n_chunks, content_hash, created_at)`, indexed on so_hieu, loai, access_level. `file_path` has no cascade on
  purpose: documents are only ever removed through code that also writes the outbox.
- `chunks(id PK, document_id → documents ON DELETE CASCADE, ordinal, anchor, citation_json, heading_path_json,
  start, end, text, article, lead)`.
- `outbox(seq, op, document_id, created_at)` and `consumers(name PK, last_seq)`.
- `relations(id PK, document_id → documents ON DELETE CASCADE, kind, source_document, source_key, source_article,
  source_clause, text, start, end, target_document, target_key, target_article, target_clause, target_point,
  effective, found_by, status, reason)` — legal relations read from the document's text (`ingest.relations`);
  `document_id` is the document the text span is in, and the cascade makes a re-ingest replace them.
- `article_versions(document_id → documents ON DELETE CASCADE, article, work_key, version_json)` — each stored
  article's version and the changes acting on it (`ingest.versions`), derived from ALL documents and relations
  by `refresh_versions()`; a document whose versions change gets an 'upsert' op so the index payload follows.
- `relation_decisions(key PK, decision apply|reject, target_document, target_article, target_clause,
  target_point, effective, reason, at)` — an administrator's decision on one extracted relation (`relation_key`:
  stable across re-ingests of the same text); it overrides the extraction wherever relations are read, and says
  so (`found_by` admin, the decision's reason).

Hand-over to the index — a transactional outbox. Every change of a document (store, replace, delete, a new
access level or validity) appends an op ('upsert' or 'delete', with only the document id) to `outbox` IN THE
SAME TRANSACTION as the change itself. So the registry and its list of changes can never disagree, whatever
crashes when. The indexer (embeddings + Qdrant) reads `pending_ops(consumer=...)`, applies each op by reading
the document's CURRENT state here (an 'upsert' of a document deleted since is simply skipped; applying an op
twice is harmless), and then records its progress with `ack(consumer, seq)`. If the indexer crashes, it
re-reads from its last ack; if Qdrant is lost, a new consumer rebuilds from `iter_chunks()` and acks
`max_seq()`. The index can always catch up, and no dual write (SQLite and Qdrant) ever has to be atomic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from core.clock import utc_now
from core.fs import private_dir
from core.sqlite import Migrations, applied, connect
from ingest.ids import doc_id
from ingest.model import (
    AccessLevel,
    Article,
    Chunk,
    Citation,
    Clause,
    DocState,
    DocumentMeta,
    LegalDocument,
    Point,
    SourceRef,
    Validity,
    iso_date,
    parse_iso_date,
)
from ingest.relations import FoundBy, LegalRef, Relation, RelationKind, RelationStatus, document_key
from ingest.versions import ArticleVersion, StoredArticles, derive_versions

if TYPE_CHECKING:
    from core.settings import Settings


MIGRATIONS = Migrations()
migration = MIGRATIONS.register


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE files (
            path TEXT PRIMARY KEY,
            content_hash TEXT,
            options_hash TEXT,
            size INTEGER,
            mtime REAL,
            fmt TEXT,
            state TEXT NOT NULL,
            reason TEXT,
            n_documents INTEGER NOT NULL DEFAULT 0,
            n_chunks INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            indexed_hash TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            file_path TEXT NOT NULL REFERENCES files(path),
            key TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL,
            so_hieu TEXT,
            loai TEXT,
            co_quan TEXT,
            ngay_ban_hanh TEXT,
            ngay_hieu_luc TEXT,
            trich_yeu TEXT,
            access_level TEXT NOT NULL,
            hieu_luc TEXT NOT NULL,
            hieu_luc_reason TEXT,
            meta_json TEXT NOT NULL,
            text TEXT NOT NULL,
            articles_json TEXT NOT NULL,
            warnings_json TEXT NOT NULL DEFAULT '[]',
            fmt TEXT,
            n_chunks INTEGER NOT NULL DEFAULT 0,
            content_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX documents_file_path ON documents(file_path)")
    db.execute("CREATE INDEX documents_so_hieu ON documents(so_hieu)")
    db.execute("CREATE INDEX documents_loai ON documents(loai)")
    db.execute("CREATE INDEX documents_access_level ON documents(access_level)")
    db.execute(
        """CREATE TABLE chunks (
            id TEXT PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            anchor TEXT NOT NULL,
            citation_json TEXT NOT NULL,
            heading_path_json TEXT NOT NULL,
            "start" INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            article TEXT NOT NULL DEFAULT '',
            lead TEXT NOT NULL DEFAULT '',
            UNIQUE (document_id, ordinal)
        )"""
    )


@migration
def m002_outbox(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
            document_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE TABLE consumers (name TEXT PRIMARY KEY, last_seq INTEGER NOT NULL DEFAULT 0)")


@migration
def m003_index_failures(db: sqlite3.Connection) -> None:
    # Documents an index consumer could not write (a bug, memory, over `max_points_per_document`): recorded so
    # the op is acked instead of retried on every start, and shown to administrators until it indexes fine.
    db.execute(
        """CREATE TABLE index_failures (
            consumer TEXT NOT NULL,
            document_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (consumer, document_id)
        )"""
    )


@migration
def m004_relations(db: sqlite3.Connection) -> None:
    # Stored with the document they were read from (same transaction, cascade on delete), so a re-ingest
    # replaces them and a changed file leaves none behind. Keys are `relations.document_key` forms.
    db.execute(
        """CREATE TABLE relations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            source_document TEXT NOT NULL,
            source_key TEXT NOT NULL,
            source_article TEXT,
            source_clause TEXT,
            text TEXT NOT NULL,
            "start" INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            target_document TEXT,
            target_key TEXT,
            target_article TEXT,
            target_clause TEXT,
            target_point TEXT,
            effective TEXT,
            found_by TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('applied', 'needs_review')),
            reason TEXT
        )"""
    )
    db.execute("CREATE INDEX relations_document_id ON relations(document_id)")
    db.execute("CREATE INDEX relations_source_key ON relations(source_key, source_article)")
    db.execute("CREATE INDEX relations_target_key ON relations(target_key, target_article)")


@migration
def m005_versions(db: sqlite3.Connection) -> None:
    # Derived, not ingested: rebuilt by `Registry.refresh_versions` whenever documents or relations change.
    db.execute(
        """CREATE TABLE article_versions (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            article TEXT NOT NULL,
            work_key TEXT NOT NULL,
            work_article TEXT NOT NULL,
            version_json TEXT NOT NULL,
            PRIMARY KEY (document_id, article)
        )"""
    )
    db.execute("CREATE INDEX article_versions_work ON article_versions(work_key, work_article)")


@migration
def m006_relation_decisions(db: sqlite3.Connection) -> None:
    # Kept apart from `relations` (which a re-ingest replaces): a decision outlives the rows it was made on.
    db.execute(
        """CREATE TABLE relation_decisions (
            key TEXT PRIMARY KEY,
            decision TEXT NOT NULL CHECK (decision IN ('apply', 'reject')),
            target_document TEXT,
            target_article TEXT,
            target_clause TEXT,
            target_point TEXT,
            effective TEXT,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )"""
    )


def relation_key(document_id: str, r: Relation) -> str:
    """A relation's stable key: the same text span of the same stored document, the same act and target."""
    t = r.target
    parts = (document_id, r.kind.value, r.start, r.end, t.document, t.article, t.clause, t.point)
    raw = "|".join(str(x) for x in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StoredRelation:
    """A relation as the registry holds it: the `Relation`, the stored document its text span is in, its key."""

    document_id: str
    relation: Relation
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "document_id": self.document_id, **self.relation.to_json()}


@dataclass(frozen=True)
class FileRecord:
    """One row of `files`: what the registry knows about a source file."""

    path: str
    content_hash: str | None
    options_hash: str | None
    size: int | None
    mtime: float | None
    fmt: str | None
    state: DocState
    reason: str | None
    n_documents: int
    n_chunks: int
    updated_at: str
    indexed_hash: str | None

    def to_json(self) -> dict[str, Any]:
        """The row as `kho docs --json` prints it."""
        d = dataclasses.asdict(self)
        d["state"] = self.state.value
        return d


@dataclass
class DocumentRecord:
    """A stored document: its metadata, and (from `get_document` only) its text and articles."""

    id: str
    file_path: str
    key: str
    meta: DocumentMeta
    fmt: str | None
    n_chunks: int
    content_hash: str
    created_at: str
    warnings: list[str] = field(default_factory=list)
    text: str | None = None
    articles_json: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Metadata and counts as `kho docs --json` prints them (no text, no articles)."""
        return {
            "id": self.id,
            "file_path": self.file_path,
            "key": self.key,
            "format": self.fmt,
            "n_chunks": self.n_chunks,
            "created_at": self.created_at,
            **self.meta.to_json(),
        }

    def articles(self) -> list[Article]:
        """The articles, rebuilt from `articles_json` (empty when this record was listed without them)."""
        return articles_from_json(self.articles_json) if self.articles_json else []

    def to_legal_document(self) -> LegalDocument:
        """The stored document as the parser returned it (needs a record from `get_document`)."""
        if self.text is None:
            raise ValueError(f"document {self.id} was listed without its text; use Registry.get_document")
        return LegalDocument(
            meta=self.meta,
            text=self.text,
            articles=self.articles(),
            fmt=self.fmt or "",
            key=self.key,
            source_path=self.file_path,
            warnings=list(self.warnings),
        )


@dataclass(frozen=True)
class ChunkRecord:
    """A stored chunk with the document fields the index needs as payload (access level, validity, number)."""

    id: str
    document_id: str
    ordinal: int
    anchor: str
    citation: Citation
    heading_path: list[str]
    start: int
    end: int
    text: str
    article: str
    lead: str
    access_level: AccessLevel
    hieu_luc: Validity
    so_hieu: str | None
    loai: str | None
    title: str
    co_quan: str | None = None
    ngay_ban_hanh: str | None = None
    version: ArticleVersion | None = None  # the article's version (`refresh_versions`), None before the first

    def to_chunk(self) -> Chunk:
        return Chunk(
            id=self.id,
            ordinal=self.ordinal,
            anchor=self.anchor,
            citation=self.citation,
            heading_path=list(self.heading_path),
            start=self.start,
            end=self.end,
            text=self.text,
            article_number=self.article,
            lead=self.lead,
        )


@dataclass(frozen=True)
class OutboxOp:
    """One change for the indexer: upsert (re-read the document and its chunks) or delete a document."""

    seq: int
    op: str
    document_id: str
    created_at: str


def _json_default(o: object) -> Any:
    if isinstance(o, dt.date):
        return o.isoformat()
    if isinstance(o, (AccessLevel, Validity, DocState)):
        return o.value
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def articles_to_json(articles: Iterable[Article]) -> str:
    """Articles (with clauses, points, source) as JSON, dates in ISO form."""
    return json.dumps([dataclasses.asdict(a) for a in articles], ensure_ascii=False, default=_json_default)


def articles_from_json(s: str) -> list[Article]:
    """Inverse of `articles_to_json`."""
    out: list[Article] = []
    for a in json.loads(s):
        clauses = [Clause(**{**c, "points": [Point(**p) for p in c.get("points", [])]}) for c in a.get("clauses", [])]
        src = a.get("source")
        out.append(Article(**{**a, "clauses": clauses, "source": _source_ref(src) if src else None}))
    return out


def _source_ref(src: dict[str, Any]) -> SourceRef:
    dates = {k: parse_iso_date(src.get(k)) for k in ("ngay_ban_hanh", "ngay_hieu_luc")}
    return SourceRef(**{**src, **dates})


def _resolve(path: Path | str) -> str:
    return str(Path(path).expanduser().resolve())


class Registry:
    """The SQLite document registry (WAL, foreign keys on, busy timeout); see the module docstring.

    Writes run in `BEGIN IMMEDIATE` transactions, so a file's documents, chunks and outbox ops are stored all
    together or not at all, even when the process is killed midway. One `Registry` may be shared by threads
    (writes are serialised by a lock); separate processes coordinate through SQLite's own locking.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        private_dir(self.path.parent)
        self._lock = threading.RLock()
        # autocommit mode (core.sqlite.connect): we issue BEGIN/COMMIT ourselves
        self.db = connect(self.path, foreign_keys=True, synchronous_full=True)
        with self._lock:
            MIGRATIONS.apply(self.db)

    @classmethod
    def from_settings(cls, settings: Settings) -> Registry:
        """The registry at `settings.registry_path` (the data dir)."""
        return cls(settings.registry_path)

    # -- lifecycle -------------------------------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on ANY exception, KeyboardInterrupt included."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")

    def applied_migrations(self) -> list[str]:
        return applied(self.db)

    # -- writes ----------------------------------------------------------------------------------------------

    def store_file(
        self,
        path: Path | str,
        content_hash: str,
        options_hash: str,
        size: int,
        mtime: float,
        fmt: str | None,
        documents: list[tuple[LegalDocument, list[Chunk]]],
        relations: list[list[Relation]] | None = None,
    ) -> FileRecord:
        """Replace everything stored for `path` with `documents` and their chunks, in ONE transaction.

        `relations[i]` are the legal relations read from `documents[i]` (`ingest.relations.extract_relations`);
        they are stored in the same transaction and replace the old documents' relations.

        Old documents of the file are deleted (their chunks cascade; an outbox 'delete' for each old id that
        is not in the new set), the new ones inserted (an outbox 'upsert' each), and the file set INDEXED with
        `indexed_hash = content_hash`. Document ids are `ids.doc_id(content_hash, doc.key)`.

        When the same content is already stored under another path, nothing is stored (the ids would collide):
        the file is recorded SKIPPED_UNCHANGED with reason "duplicate of <other path>", and this path's own
        old documents, whose content the file no longer has, are removed.
        """
        p = _resolve(path)
        new_ids = [doc_id(content_hash, doc.key) for doc, _ in documents]
        rels = relations if relations is not None else [[] for _ in documents]
        if len(rels) != len(documents):
            raise ValueError(f"{p}: {len(rels)} relation lists for {len(documents)} documents")
        if len(set(new_ids)) != len(new_ids):
            keys = [doc.key for doc, _ in documents]
            raise ValueError(f"{p}: documents of one file must have distinct keys, got {keys}")
        now = utc_now()
        with self._tx() as db:
            other = self._duplicate_of(db, p, content_hash)
            if other is not None:
                self._record_duplicate(db, p, other, content_hash, size, mtime, fmt, now)
            else:
                self._upsert_file(
                    db,
                    p,
                    state=DocState.INDEXED,
                    reason=None,
                    content_hash=content_hash,
                    options_hash=options_hash,
                    size=size,
                    mtime=mtime,
                    fmt=fmt,
                    n_documents=len(documents),
                    n_chunks=sum(len(c) for _, c in documents),
                    indexed_hash=content_hash,
                    now=now,
                    replace_counts=True,
                )
                self._delete_documents(db, p, keep=set(new_ids))
                for (doc, chunks), did, doc_rels in zip(documents, new_ids, rels, strict=True):
                    self._insert_document(db, p, did, doc, chunks, content_hash, now)
                    self._insert_relations(db, did, doc_rels)
            return self._file_record(db, p)  # type: ignore[return-value]

    def mark_duplicate(
        self,
        path: Path | str,
        content_hash: str,
        size: int | None = None,
        mtime: float | None = None,
        fmt: str | None = None,
    ) -> FileRecord | None:
        """Record the file SKIPPED_UNCHANGED as a duplicate if its content is stored under another path.

        Returns the file's new record, or None (and writes nothing) when no other path holds the content. The
        path's own old documents (an earlier content of this file) are removed, as `store_file` does: they are
        no longer what the file says.
        """
        p = _resolve(path)
        with self._tx() as db:
            other = self._duplicate_of(db, p, content_hash)
            if other is None:
                return None
            self._record_duplicate(db, p, other, content_hash, size, mtime, fmt, utc_now())
            return self._file_record(db, p)

    def mark_skipped(
        self,
        path: Path | str,
        reason: str | None = None,
        content_hash: str | None = None,
        size: int | None = None,
        mtime: float | None = None,
    ) -> None:
        """Record the file as SKIPPED_UNCHANGED with a reason; stored documents are left as they are."""
        with self._tx() as db:
            self._upsert_file(
                db,
                _resolve(path),
                state=DocState.SKIPPED_UNCHANGED,
                reason=reason,
                content_hash=content_hash,
                size=size,
                mtime=mtime,
                now=utc_now(),
            )

    def mark_failed(
        self,
        path: Path | str,
        state: DocState | str,
        reason: str,
        content_hash: str | None = None,
        size: int | None = None,
        mtime: float | None = None,
    ) -> None:
        """Record a failed attempt (FAILED or FAILED_NO_TEXT) and why; NEVER deletes stored documents/chunks.

        A file that was indexed before keeps its documents, `indexed_hash` and counts, so a broken new version
        never takes the last good one out of search.
        """
        st = state if isinstance(state, DocState) else DocState.from_str(state)
        if st not in (DocState.FAILED, DocState.FAILED_NO_TEXT):
            raise ValueError(f"mark_failed needs FAILED or FAILED_NO_TEXT, got {st.value}")
        with self._tx() as db:
            self._upsert_file(
                db,
                _resolve(path),
                state=st,
                reason=reason,
                content_hash=content_hash,
                size=size,
                mtime=mtime,
                now=utc_now(),
            )

    def set_access_level(self, doc_id: str, level: AccessLevel | str) -> None:
        """Change a document's access level (and queue an 'upsert' so the index payload follows).

        A later re-ingest of a CHANGED file applies the sidecar/CLI level again; put it in `.kho.toml` to
        keep it.
        """
        lvl = level if isinstance(level, AccessLevel) else AccessLevel.from_str(level)
        with self._tx() as db:
            cur = db.execute(
                "UPDATE documents SET access_level = ?, meta_json = json_set(meta_json, '$.access_level', ?) "
                "WHERE id = ?",
                (lvl.value, lvl.value, doc_id),
            )
            if cur.rowcount == 0:
                raise KeyError(f"no document with id {doc_id}")
            self._op(db, "upsert", doc_id)
        self.refresh_versions()

    def set_validity(self, doc_id: str, validity: Validity | str, reason: str | None) -> None:
        """Set a document's hiệu lực and why (e.g. "bị thay thế bởi Luật số …"); queues an 'upsert'."""
        v = validity if isinstance(validity, Validity) else Validity.from_str(validity)
        with self._tx() as db:
            cur = db.execute(
                "UPDATE documents SET hieu_luc = ?, hieu_luc_reason = ?, "
                "meta_json = json_set(meta_json, '$.hieu_luc', ?, '$.hieu_luc_reason', ?) WHERE id = ?",
                (v.value, reason, v.value, reason, doc_id),
            )
            if cur.rowcount == 0:
                raise KeyError(f"no document with id {doc_id}")
            self._op(db, "upsert", doc_id)
        self.refresh_versions()

    def remove_file(self, path: Path | str) -> int:
        """Forget a file: delete its documents (outbox 'delete' each; chunks cascade) and its row.

        Returns how many documents were removed.
        """
        p = _resolve(path)
        with self._tx() as db:
            n = self._delete_documents(db, p, keep=set())
            db.execute("DELETE FROM files WHERE path = ?", (p,))
        if n:
            self.refresh_versions()
        return n

    def remove_document(self, doc_id: str) -> str | None:
        """Delete one document and its chunks (outbox 'delete'), in one transaction; returns its file's path.

        The file's counts follow; when it was the file's last document the file row goes too, so the registry
        stays consistent. Returns None (and writes nothing) when there is no such document.
        """
        with self._tx() as db:
            row = db.execute("SELECT file_path FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                return None
            p = str(row[0])
            self._op(db, "delete", doc_id)
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            left = db.execute(
                "SELECT count(*), coalesce(sum(n_chunks), 0) FROM documents WHERE file_path = ?", (p,)
            ).fetchone()
            if left[0] == 0:
                db.execute("DELETE FROM files WHERE path = ?", (p,))
            else:
                db.execute(
                    "UPDATE files SET n_documents = ?, n_chunks = ?, updated_at = ? WHERE path = ?",
                    (left[0], left[1], utc_now(), p),
                )
        self.refresh_versions()  # its amendments and repeals no longer act on other documents
        return p

    def ack(self, consumer: str, seq: int) -> None:
        """Record that `consumer` (e.g. "qdrant") has applied every outbox op up to and including `seq`."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO consumers (name, last_seq) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
                (consumer, seq),
            )

    def prune_outbox(self) -> int:
        """Delete ops every known consumer has acked; returns how many. Does nothing without consumers.

        The indexer calls it after it acks (`Indexer.sync`, `Indexer.rebuild`) and forgets the consumers of the
        collections it drops (`forget_consumer`), so a dropped version never holds the outbox back."""
        with self._tx() as db:
            row = db.execute("SELECT min(last_seq) AS m, count(*) AS n FROM consumers").fetchone()
            if not row["n"]:
                return 0
            return db.execute("DELETE FROM outbox WHERE seq <= ?", (row["m"],)).rowcount

    # -- reads -----------------------------------------------------------------------------------------------

    def file_record(self, path: Path | str) -> FileRecord | None:
        return self._file_record(self.db, _resolve(path))

    def duplicate_of(self, path: Path | str, content_hash: str) -> str | None:
        """Another path whose stored documents come from this same content, if any."""
        return self._duplicate_of(self.db, _resolve(path), content_hash)

    def list_files(self, state: DocState | None = None) -> list[FileRecord]:
        """Every file the registry knows (optionally only those in `state`), by path."""
        sql = "SELECT * FROM files"
        args: tuple[str, ...] = ()
        if state is not None:
            sql, args = sql + " WHERE state = ?", (state.value,)
        return [_file_row(r) for r in self.db.execute(sql + " ORDER BY path", args)]

    def list_documents(self, access_levels: Iterable[AccessLevel] | None = None) -> list[DocumentRecord]:
        """Every document (without text/articles), optionally only those at the given access levels."""
        where, args = _access_filter("access_level", access_levels)
        cols = (
            "id, file_path, key, title, so_hieu, loai, co_quan, ngay_ban_hanh, ngay_hieu_luc, trich_yeu, "
            "access_level, hieu_luc, hieu_luc_reason, warnings_json, fmt, n_chunks, content_hash, created_at"
        )
        rows = self.db.execute(f"SELECT {cols} FROM documents {where} ORDER BY file_path, key, id", args)
        return [_document_row(r) for r in rows]

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        """One document with its full text and articles (`articles_json`, `articles()`)."""
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document_row(row, full=True) if row else None

    def document_access(self, doc_id: str) -> AccessLevel | None:
        """One document's access level by primary key, without reading its text; None when there is no such id.

        The server checks this first, so a restricted id costs no more to refuse than a missing one.
        """
        row = self.db.execute("SELECT access_level FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return AccessLevel(row[0]) if row else None

    def access_floor(self, path: Path | str, content_hash: str, so_hieus: Iterable[str] = ()) -> AccessLevel | None:
        """The highest access level among stored documents from the same path, the same content, or with one of
        these số hiệu (compared as written and normalised); None when there are none.

        A document being stored is never given less: re-uploading a restricted text must not make it public.
        """
        from ingest.metadata import normalise_so_hieu

        numbers = sorted({n for s in so_hieus if s for n in (s, normalise_so_hieu(s))})
        marks = ", ".join("?" for _ in numbers)
        by_number = f" OR so_hieu IN ({marks})" if numbers else ""
        # files.indexed_hash is the content hash of each file's stored documents; `files` is small, `documents`
        # holds the texts, so the content is matched there and the documents are reached by their file index
        rows = self.db.execute(
            "SELECT DISTINCT access_level FROM documents WHERE file_path IN "
            f"(SELECT path FROM files WHERE path = ? OR indexed_hash = ?){by_number}",
            (_resolve(path), content_hash, *numbers),
        )
        levels = [AccessLevel(r[0]) for r in rows]
        return max(levels, key=lambda lvl: lvl.rank) if levels else None

    def document_ids(self, path: Path | str | None = None) -> list[str]:
        """Ids of all documents, or of one file's documents."""
        if path is None:
            return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]
        rows = self.db.execute("SELECT id FROM documents WHERE file_path = ? ORDER BY id", (_resolve(path),))
        return [r[0] for r in rows]

    def iter_chunks(
        self, document_id: str | None = None, access_levels: Iterable[AccessLevel] | None = None
    ) -> Iterator[ChunkRecord]:
        """The chunk stream (by document, then ordinal), with the document fields an index filters on."""
        where, args = _access_filter("d.access_level", access_levels)
        if document_id is not None:
            where = (where + " AND" if where else "WHERE") + " c.document_id = ?"
            args = (*args, document_id)
        sql = (
            "SELECT c.id, c.document_id, c.ordinal, c.anchor, c.citation_json, c.heading_path_json, "
            'c."start", '
            'c."end", c.text, c.article, c.lead, d.access_level, d.hieu_luc, d.so_hieu, d.loai, d.title, '
            "d.co_quan, d.ngay_ban_hanh, v.version_json "
            "FROM chunks c JOIN documents d ON d.id = c.document_id "
            f"LEFT JOIN article_versions v ON v.document_id = c.document_id AND v.article = c.article {where} "
            "ORDER BY c.document_id, c.ordinal"
        )
        for r in self.db.execute(sql, args):
            yield ChunkRecord(
                id=r["id"],
                document_id=r["document_id"],
                ordinal=r["ordinal"],
                anchor=r["anchor"],
                citation=Citation(**json.loads(r["citation_json"])),
                heading_path=json.loads(r["heading_path_json"]),
                start=r["start"],
                end=r["end"],
                text=r["text"],
                article=r["article"],
                lead=r["lead"],
                access_level=AccessLevel(r["access_level"]),
                hieu_luc=Validity(r["hieu_luc"]),
                so_hieu=r["so_hieu"],
                loai=r["loai"],
                title=r["title"],
                co_quan=r["co_quan"],
                ngay_ban_hanh=r["ngay_ban_hanh"],
                version=ArticleVersion.from_json(json.loads(r["version_json"])) if r["version_json"] else None,
            )

    def pending_ops(
        self, after_seq: int | None = None, consumer: str | None = None, limit: int | None = None
    ) -> list[OutboxOp]:
        """Outbox ops after `after_seq`, or after `consumer`'s last ack, or from the start."""
        if after_seq is None:
            after_seq = self.consumer_seq(consumer) if consumer else 0
        sql = "SELECT * FROM outbox WHERE seq > ? ORDER BY seq"
        args: tuple[Any, ...] = (after_seq,)
        if limit is not None:
            sql, args = sql + " LIMIT ?", (after_seq, limit)
        return [OutboxOp(r["seq"], r["op"], r["document_id"], r["created_at"]) for r in self.db.execute(sql, args)]

    def consumer_seq(self, consumer: str) -> int:
        """The last seq `consumer` acked (0 when it never did)."""
        row = self.db.execute("SELECT last_seq FROM consumers WHERE name = ?", (consumer,)).fetchone()
        return int(row[0]) if row else 0

    def max_seq(self) -> int:
        """The newest outbox seq (0 when empty): what a consumer that rebuilt from `iter_chunks` acks."""
        row = self.db.execute("SELECT max(seq) FROM outbox").fetchone()
        if row[0] is not None:
            return int(row[0])
        # ops may all be pruned; AUTOINCREMENT still remembers the highest seq ever given out
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return int(row[0]) if row else 0

    def counts(self) -> dict[str, int]:
        """files, documents, chunks, outbox ops, and files per state (`files_indexed`, `files_failed`, …)."""
        out: dict[str, int] = {}
        for table in ("files", "documents", "chunks", "outbox"):
            out[table] = int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for st in DocState:
            out[f"files_{st.value}"] = 0
        for r in self.db.execute("SELECT state, count(*) AS n FROM files GROUP BY state"):
            out[f"files_{r['state']}"] = int(r["n"])
        return out

    def check_consistency(self) -> list[str]:
        """Problems in the stored data, as sentences; an empty list when the registry is consistent."""
        problems: list[str] = []
        q = self.db.execute
        for r in q("SELECT c.id FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL"):
            problems.append(f"chunk {r[0]} has no document")
        for r in q(
            "SELECT d.id, d.file_path FROM documents d LEFT JOIN files f ON f.path = d.file_path WHERE f.path IS NULL"
        ):
            problems.append(f"document {r[0]} has no file ({r[1]})")
        for r in q(
            "SELECT d.id, d.n_chunks, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS actual "
            "FROM documents d WHERE d.n_chunks != actual"
        ):
            problems.append(f"document {r[0]} records {r[1]} chunks but has {r[2]}")
        for r in q(
            "SELECT f.path, f.state, f.n_documents, f.n_chunks, "
            "(SELECT count(*) FROM documents d WHERE d.file_path = f.path) AS docs, "
            "(SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id "
            " WHERE d.file_path = f.path) AS chunks FROM files f"
        ):
            if r["n_chunks"] != r["chunks"]:
                problems.append(f"file {r['path']} ({r['state']}) records {r['n_chunks']} chunks but has {r['chunks']}")
            if r["n_documents"] != r["docs"]:
                problems.append(
                    f"file {r['path']} ({r['state']}) records {r['n_documents']} documents but has {r['docs']}"
                )
        for r in q(
            "SELECT path, content_hash, indexed_hash FROM files WHERE state = 'indexed' "
            "AND (indexed_hash IS NULL OR indexed_hash != content_hash)"
        ):
            problems.append(f"file {r[0]} is indexed but its indexed hash differs from its content hash")
        for r in q(
            "SELECT d.id, d.file_path FROM documents d JOIN files f ON f.path = d.file_path "
            "WHERE f.indexed_hash IS NULL OR d.content_hash != f.indexed_hash"
        ):
            problems.append(f"document {r[0]} is not from the indexed content of {r[1]}")
        for r in q("PRAGMA foreign_key_check"):
            problems.append(f"foreign key violation in {r[0]} (rowid {r[1]}) → {r[2]}")
        return problems

    # -- internals -------------------------------------------------------------------------------------------

    @staticmethod
    def _op(db: sqlite3.Connection, op: str, document_id: str) -> None:
        db.execute("INSERT INTO outbox (op, document_id, created_at) VALUES (?, ?, ?)", (op, document_id, utc_now()))

    @staticmethod
    def _file_record(db: sqlite3.Connection, p: str) -> FileRecord | None:
        row = db.execute("SELECT * FROM files WHERE path = ?", (p,)).fetchone()
        return _file_row(row) if row else None

    @staticmethod
    def _duplicate_of(db: sqlite3.Connection, p: str, content_hash: str) -> str | None:
        row = db.execute(
            "SELECT path FROM files WHERE indexed_hash = ? AND path != ? ORDER BY path LIMIT 1",
            (content_hash, p),
        ).fetchone()
        return str(row[0]) if row else None

    def _record_duplicate(
        self,
        db: sqlite3.Connection,
        p: str,
        other: str,
        content_hash: str,
        size: int | None,
        mtime: float | None,
        fmt: str | None,
        now: str,
    ) -> None:
        self._delete_documents(db, p, keep=set())
        self._upsert_file(
            db,
            p,
            state=DocState.SKIPPED_UNCHANGED,
            reason=f"duplicate of {other}",
            content_hash=content_hash,
            options_hash=None,
            size=size,
            mtime=mtime,
            fmt=fmt,
            n_documents=0,
            n_chunks=0,
            indexed_hash=None,
            now=now,
            replace_counts=True,
        )

    def _delete_documents(self, db: sqlite3.Connection, p: str, keep: set[str]) -> int:
        old = [r[0] for r in db.execute("SELECT id FROM documents WHERE file_path = ? ORDER BY id", (p,))]
        for did in old:
            if did not in keep:  # a kept id is re-inserted below and gets an 'upsert' instead
                self._op(db, "delete", did)
        db.execute("DELETE FROM documents WHERE file_path = ?", (p,))
        return len(old)

    @staticmethod
    def _upsert_file(
        db: sqlite3.Connection,
        p: str,
        *,
        state: DocState,
        reason: str | None,
        now: str,
        content_hash: str | None = None,
        options_hash: str | None = None,
        size: int | None = None,
        mtime: float | None = None,
        fmt: str | None = None,
        n_documents: int = 0,
        n_chunks: int = 0,
        indexed_hash: str | None = None,
        replace_counts: bool = False,
    ) -> None:
        """Insert or update a file row. Without `replace_counts`, what is stored (counts, indexed_hash,
        options hash) is kept and only the state, reason and the given observations of the file change."""
        if replace_counts:
            db.execute(
                "INSERT INTO files (path, content_hash, options_hash, size, mtime, fmt, state, reason,"
                " n_documents, n_chunks, updated_at, indexed_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET content_hash = excluded.content_hash, "
                "options_hash = excluded.options_hash, size = excluded.size, mtime = excluded.mtime, "
                "fmt = excluded.fmt, state = excluded.state, reason = excluded.reason, "
                "n_documents = excluded.n_documents, n_chunks = excluded.n_chunks, "
                "updated_at = excluded.updated_at, indexed_hash = excluded.indexed_hash",
                (
                    p,
                    content_hash,
                    options_hash,
                    size,
                    mtime,
                    fmt,
                    state.value,
                    reason,
                    n_documents,
                    n_chunks,
                    now,
                    indexed_hash,
                ),
            )
        else:
            db.execute(
                "INSERT INTO files (path, content_hash, size, mtime, state, reason, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET "
                "content_hash = coalesce(excluded.content_hash, content_hash), "
                "size = coalesce(excluded.size, size), mtime = coalesce(excluded.mtime, mtime), "
                "state = excluded.state, reason = excluded.reason, updated_at = excluded.updated_at",
                (p, content_hash, size, mtime, state.value, reason, now),
            )

    def _insert_document(
        self,
        db: sqlite3.Connection,
        p: str,
        did: str,
        doc: LegalDocument,
        chunks: list[Chunk],
        content_hash: str,
        now: str,
    ) -> None:
        m = doc.meta
        db.execute(
            "INSERT INTO documents (id, file_path, key, title, so_hieu, loai, co_quan, ngay_ban_hanh,"
            " ngay_hieu_luc, trich_yeu, access_level, hieu_luc, hieu_luc_reason, meta_json, text,"
            " articles_json, warnings_json, fmt, n_chunks, content_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            (
                did,
                p,
                doc.key,
                m.title,
                m.so_hieu,
                m.loai,
                m.co_quan,
                iso_date(m.ngay_ban_hanh),
                iso_date(m.ngay_hieu_luc),
                m.trich_yeu,
                m.access_level.value,
                m.hieu_luc.value,
                m.hieu_luc_reason,
                json.dumps(m.to_json(), ensure_ascii=False),
                doc.text,
                articles_to_json(doc.articles),
                json.dumps(doc.warnings, ensure_ascii=False),
                doc.fmt,
                len(chunks),
                content_hash,
                now,
            ),
        )
        db.executemany(
            "INSERT INTO chunks (id, document_id, ordinal, anchor, citation_json, heading_path_json,"
            ' "start", "end", text, article, lead) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
                (
                    c.id,
                    did,
                    c.ordinal,
                    c.anchor,
                    json.dumps(c.citation.to_json(), ensure_ascii=False),
                    json.dumps(c.heading_path, ensure_ascii=False),
                    c.start,
                    c.end,
                    c.text,
                    c.article_number,
                    c.lead,
                )
                for c in chunks
            ],
        )
        self._op(db, "upsert", did)

    @staticmethod
    def _insert_relations(db: sqlite3.Connection, did: str, relations: list[Relation]) -> None:
        db.executemany(
            "INSERT INTO relations (document_id, kind, source_document, source_key, source_article, source_clause,"
            ' text, "start", "end", target_document, target_key, target_article, target_clause, target_point,'
            " effective, found_by, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    did,
                    r.kind.value,
                    r.source_document,
                    r.source_key,
                    r.source_article,
                    r.source_clause,
                    r.text,
                    r.start,
                    r.end,
                    r.target.document,
                    r.target_key,
                    r.target.article,
                    r.target.clause,
                    r.target.point,
                    iso_date(r.effective),
                    r.found_by.value,
                    r.status.value,
                    r.reason,
                )
                for r in relations
            ],
        )

    # -- relations (appended: m004_relations) ------------------------------------------------------------------

    def relations(
        self, document: str | None = None, article: str | None = None, direction: str = "both"
    ) -> list[StoredRelation]:
        """Relations where `document` (a number, a title or a stored document id) is the source or the target.

        `direction` is "source" (what the document does to others), "target" (what others do to it) or "both";
        `article` narrows to that article on the chosen side(s). Without `document`, every relation.
        """
        if direction not in ("source", "target", "both"):
            raise ValueError(f"direction: '{direction}' is not one of: source, target, both")
        where: list[str] = []
        args: list[Any] = []
        if document is not None:
            key = document_key(document)
            sides = []
            for side in ("source", "target") if direction == "both" else (direction,):
                cond = f"{side}_key = ?" + (f" AND {side}_article = ?" if article else "")
                sides.append(f"({cond})")
                args.extend([key, article] if article else [key])
            if article is None:
                sides.append("(document_id = ?)")
                args.append(document)
            where.append("(" + " OR ".join(sides) + ")")
        rows = self.db.execute(
            'SELECT document_id, kind, source_document, source_article, source_clause, text, "start", "end",'
            " target_document, target_article, target_clause, target_point, effective, found_by, status, reason"
            " FROM relations" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id",
            args,
        ).fetchall()
        decisions = self._decisions()
        out = []
        for r in rows:
            rel = Relation(
                kind=RelationKind.from_str(r[1]),
                source_document=r[2],
                source_article=r[3],
                source_clause=r[4],
                text=r[5],
                start=r[6],
                end=r[7],
                target=LegalRef(r[8], r[9], r[10], r[11]),
                effective=parse_iso_date(r[12]),
                found_by=FoundBy.from_str(r[13]),
                status=RelationStatus.from_str(r[14]),
                reason=r[15],
            )
            key = relation_key(r[0], rel)
            out.append(StoredRelation(r[0], _decided(rel, decisions[key]) if key in decisions else rel, key))
        return out

    def _decisions(self) -> dict[str, sqlite3.Row]:
        return {r["key"]: r for r in self.db.execute("SELECT * FROM relation_decisions")}

    def decide_relation(
        self,
        key: str,
        decision: str,
        reason: str,
        target: LegalRef | None = None,
        effective: dt.date | None = None,
    ) -> StoredRelation:
        """Record an administrator's decision on the relation `key`: 'apply' (with a corrected target or date when
        given) or 'reject'; versions are re-derived. KeyError when no stored relation has that key; ValueError
        for an unknown decision, an empty reason, or an 'apply' that still lacks a target document or date."""
        if decision not in ("apply", "reject"):
            raise ValueError(f"decision: '{decision}' is not one of: apply, reject")
        if not reason.strip():
            raise ValueError("reason: a decision needs its reason")
        found = next((s for s in self.relations() if s.key == key), None)
        if found is None:
            raise KeyError(f"no relation with key {key!r}")
        t = target or LegalRef()
        if decision == "apply" and not (t.document or found.relation.target.document):
            raise ValueError("target document: an applied relation needs the document it acts on")
        if decision == "apply" and not (effective or found.relation.effective) and found.relation.kind in (
            RelationKind.AMEND, RelationKind.SUPPLEMENT, RelationKind.REPEAL, RelationKind.REPLACE
        ):
            raise ValueError("effective: an applied amendment or repeal needs the date it takes effect")
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO relation_decisions (key, decision, target_document, target_article,"
                " target_clause, target_point, effective, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, decision, t.document, t.article, t.clause, t.point, iso_date(effective), reason.strip(),
                 utc_now()),  # fmt: skip
            )
        self.refresh_versions()
        return next(s for s in self.relations() if s.key == key)


    # -- versions (appended: m005_versions) ---------------------------------------------------------------------

    def refresh_versions(self) -> int:
        """Re-derive every article's version from all documents and relations; returns how many documents changed.

        A changed document gets an 'upsert' op (same transaction) so the index payload — `valid_from`,
        `valid_to`, the changes — follows; none is added when an op for it is still unconsumed, or before any
        index consumer exists (the first build reads `iter_chunks`, which joins the versions).
        """
        docs = self._stored_articles()
        pairs = [(s.document_id, s.relation) for s in self.relations()]
        derived: dict[str, dict[str, ArticleVersion]] = {}
        for v in derive_versions(docs, pairs):
            derived.setdefault(v.document_id, {})[v.article] = v
        changed = 0
        with self._tx() as db:
            stored: dict[str, dict[str, str]] = {}
            for r in db.execute("SELECT document_id, article, version_json FROM article_versions"):
                stored.setdefault(r[0], {})[r[1]] = r[2]
            row = db.execute("SELECT min(last_seq), count(*) FROM consumers").fetchone()
            consumed, n_consumers = (row[0] or 0), row[1]
            unconsumed = {r[0] for r in db.execute("SELECT document_id FROM outbox WHERE seq > ?", (consumed,))}
            for did in {d.document_id for d in docs}:
                mine = derived.get(did, {})
                new = {a: json.dumps(v.to_json(), ensure_ascii=False, sort_keys=True) for a, v in mine.items()}
                if new == stored.get(did, {}):
                    continue
                changed += 1
                db.execute("DELETE FROM article_versions WHERE document_id = ?", (did,))
                db.executemany(
                    "INSERT INTO article_versions (document_id, article, work_key, work_article, version_json)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(did, a, derived[did][a].work_key[0], derived[did][a].work_article, j) for a, j in new.items()],
                )
                if n_consumers and did not in unconsumed:
                    self._op(db, "upsert", did)
        return changed

    def versions_missing(self) -> bool:
        """Whether documents are stored but no version was ever derived (a registry from before m005_versions)."""
        row = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM documents), EXISTS (SELECT 1 FROM article_versions)"
        ).fetchone()
        return bool(row[0]) and not row[1]

    def _stored_articles(self) -> list[StoredArticles]:
        """Every document's metadata and its articles' number, span and source — read inside SQLite (json_each),
        not by rebuilding every clause and point: on the whole corpus this is the bulk of `refresh_versions`."""
        arts: dict[str, list[Article]] = {}
        rows = self.db.execute(
            "SELECT d.id, json_extract(j.value, '$.number'), json_extract(j.value, '$.start'),"
            " json_extract(j.value, '$.end'), json_extract(j.value, '$.source')"
            " FROM documents d, json_each(d.articles_json) j ORDER BY d.id, j.key"
        )
        for did, number, start, end, source in rows:
            src = _source_ref(json.loads(source)) if source else None
            arts.setdefault(did, []).append(Article(start=start, end=end, number=number, source=src))
        return [
            StoredArticles(r["id"], _document_row(r).meta, arts.get(r["id"], []))
            for r in self.db.execute(
                "SELECT id, file_path, key, title, so_hieu, loai, co_quan, ngay_ban_hanh, ngay_hieu_luc, trich_yeu,"
                " access_level, hieu_luc, hieu_luc_reason, fmt, n_chunks, content_hash, created_at, warnings_json"
                " FROM documents ORDER BY id"
            )
        ]

    def versions(self, document: str, article: str) -> list[ArticleVersion]:
        """The stored versions of legal article `article` of `document` (a number or title), oldest first."""
        rows = self.db.execute(
            "SELECT version_json FROM article_versions WHERE work_key = ? AND work_article = ?",
            (document_key(document), article),
        ).fetchall()
        found = [ArticleVersion.from_json(json.loads(r[0])) for r in rows]
        return sorted(found, key=lambda v: (v.valid_from or dt.date.min, v.kind))

    def version(self, document_id: str, article: str) -> ArticleVersion | None:
        """The version of one stored article (its number in the stored document), if derived."""
        row = self.db.execute(
            "SELECT version_json FROM article_versions WHERE document_id = ? AND article = ?", (document_id, article)
        ).fetchone()
        return ArticleVersion.from_json(json.loads(row[0])) if row else None

    def relation_counts(self) -> dict[str, int]:
        """How many relations are stored, by "kind/status"."""
        rows = self.db.execute("SELECT kind, status, count(*) FROM relations GROUP BY kind, status ORDER BY 1, 2")
        return {f"{k}/{s}": int(n) for k, s, n in rows}

    # -- index failures (appended: m003_index_failures) --------------------------------------------------------

    def mark_index_failed(self, consumer: str, document_id: str, seq: int, reason: str) -> None:
        """Record that `consumer` (a collection) could not index `document_id` at outbox `seq`, and why."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO index_failures (consumer, document_id, seq, reason, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(consumer, document_id) DO UPDATE SET seq = excluded.seq, reason = excluded.reason, "
                "at = excluded.at",
                (consumer, document_id, seq, reason, utc_now()),
            )

    def clear_index_failure(self, consumer: str, document_id: str) -> bool:
        """Forget `consumer`'s failure for a document (it indexed fine, or is gone); True if there was one."""
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM index_failures WHERE consumer = ? AND document_id = ?", (consumer, document_id)
            )
            return cur.rowcount > 0

    def forget_consumer(self, consumer: str) -> None:
        """Remove `consumer` (a collection version that was dropped): its ack row and its recorded failures."""
        with self._tx() as db:
            db.execute("DELETE FROM consumers WHERE name = ?", (consumer,))
            db.execute("DELETE FROM index_failures WHERE consumer = ?", (consumer,))

    def clear_index_failures(self, consumer: str) -> int:
        """Forget every failure of `consumer` (a collection version that was dropped); returns how many."""
        with self._tx() as db:
            return db.execute("DELETE FROM index_failures WHERE consumer = ?", (consumer,)).rowcount

    def index_failures(self, consumer: str | None = None) -> list[IndexFailure]:
        """Documents an index consumer (default: any) failed to write, newest first."""
        sql = "SELECT * FROM index_failures"
        args: tuple[Any, ...] = ()
        if consumer is not None:
            sql, args = sql + " WHERE consumer = ?", (consumer,)
        rows = self.db.execute(sql + " ORDER BY at DESC, document_id", args).fetchall()
        return [IndexFailure(r["consumer"], r["document_id"], int(r["seq"]), r["reason"], r["at"]) for r in rows]

    def chunk_counts(self, document_id: str | None = None, more_than: int = 0) -> dict[str, int]:
        """Chunks per document (one document, or all) that has more than `more_than` of them."""
        where, args = ("WHERE document_id = ? ", (document_id,)) if document_id is not None else ("", ())
        rows = self.db.execute(
            f"SELECT document_id, count(*) AS n FROM chunks {where}GROUP BY document_id HAVING n > ?",
            (*args, more_than),
        ).fetchall()
        return {r["document_id"]: int(r["n"]) for r in rows}


def _decided(rel: Relation, d: sqlite3.Row) -> Relation:
    """`rel` as an administrator decided it: applied (target/date corrected where given) or rejected, by admin."""
    t = rel.target
    target = LegalRef(
        d["target_document"] or t.document,
        d["target_article"] or t.article,
        d["target_clause"] or t.clause,
        d["target_point"] or t.point,
    )
    status = RelationStatus.APPLIED if d["decision"] == "apply" else RelationStatus.REJECTED
    return dataclasses.replace(
        rel,
        target=target,
        effective=parse_iso_date(d["effective"]) or rel.effective,
        found_by=FoundBy.ADMIN,
        status=status,
        reason=None if status is RelationStatus.APPLIED else f"quản trị viên bác bỏ: {d['reason']}",
    )


def _access_filter(column: str, levels: Iterable[AccessLevel] | None) -> tuple[str, tuple[Any, ...]]:
    if levels is None:
        return "", ()
    vals = tuple(lvl.value if isinstance(lvl, AccessLevel) else AccessLevel.from_str(lvl).value for lvl in levels)
    if not vals:
        return "WHERE 0", ()
    return f"WHERE {column} IN ({', '.join('?' for _ in vals)})", vals


def _file_row(r: sqlite3.Row) -> FileRecord:
    return FileRecord(
        path=r["path"],
        content_hash=r["content_hash"],
        options_hash=r["options_hash"],
        size=r["size"],
        mtime=r["mtime"],
        fmt=r["fmt"],
        state=DocState(r["state"]),
        reason=r["reason"],
        n_documents=r["n_documents"],
        n_chunks=r["n_chunks"],
        updated_at=r["updated_at"],
        indexed_hash=r["indexed_hash"],
    )


def _document_row(r: sqlite3.Row, full: bool = False) -> DocumentRecord:
    meta = DocumentMeta(
        title=r["title"],
        so_hieu=r["so_hieu"],
        loai=r["loai"],
        co_quan=r["co_quan"],
        ngay_ban_hanh=parse_iso_date(r["ngay_ban_hanh"]),
        ngay_hieu_luc=parse_iso_date(r["ngay_hieu_luc"]),
        trich_yeu=r["trich_yeu"],
        access_level=AccessLevel(r["access_level"]),
        hieu_luc=Validity(r["hieu_luc"]),
        hieu_luc_reason=r["hieu_luc_reason"],
    )
    return DocumentRecord(
        id=r["id"],
        file_path=r["file_path"],
        key=r["key"],
        meta=meta,
        fmt=r["fmt"],
        n_chunks=r["n_chunks"],
        content_hash=r["content_hash"],
        created_at=r["created_at"],
        warnings=json.loads(r["warnings_json"]),
        text=r["text"] if full else None,
        articles_json=r["articles_json"] if full else None,
    )


@dataclass(frozen=True)
class IndexFailure:
    """A document an index consumer could not write: which op it was at, why, and when."""

    consumer: str
    document_id: str
    seq: int
    reason: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
