"""Backups of a data dir and their restore: what a ministry service needs to survive a lost disk.

`write_backup` takes a consistent copy of everything the data dir holds that cannot be recomputed — the registry,
the audit log (with its key and head anchor), accounts, conversations, review decisions, the evaluation history
and reports, the uploaded originals, the keys — and of the index, into `DIR/<stamp>/`, with a `manifest.json`
listing every file's SHA-256 and size, the counts that prove nothing was lost, and the versions that made it.

- SQLite files are copied with SQLite's online backup API (`sqlite3.Connection.backup`): one read transaction, so
  the copy is the database as it was at one moment even while others write. The audit log is copied while a write
  lock on it is held, so the copy and `audit.head` (written inside each append's transaction) agree.
- The index: Qdrant Edge has no "create snapshot" (its binding only reads or applies one), so the live collection's
  folder and `aliases.json` are copied after a flush while no write can run (the caller holds the services' write
  lock, or this process holds the shard's own lock, which Qdrant Edge takes per process). That keeps the dense
  vectors: a restore searches in hybrid mode at once. A Qdrant server (`KHO_QDRANT_URL`) is asked for a collection
  snapshot, downloaded into the backup and uploaded back on restore (not exercised by the tests: no Qdrant server
  can be installed here). qdrant-client's local mode is not captured: its index is rebuilt from the registry.
- The backup is written into `DIR/<stamp>.partial/` and renamed when complete, so an interrupted backup never looks
  like a finished one. Folders are 0700 and files 0600: a backup holds the keys and the accounts.

`restore_backup` refuses — naming the file or both values — a damaged file (checksum or size), a file the manifest
does not list, a format or schema newer than this code, an embedder other than the configured one, counts that do
not match the manifest, an audit chain that does not verify, and a target that already holds data (unless `force`,
which moves the old data aside instead of deleting it). It writes into a hidden folder beside the target and renames
it into place, so a failed restore leaves nothing half-written. The index is checked against the manifest and the
registry; when it is missing, damaged or does not match, it is rebuilt from the registry (the dense vectors then
come from the embeddings cache outside the data dir, or stay missing until `kho index --dense`).

>>> import tempfile, pathlib
>>> from core.settings import Settings
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> src = Settings(data_dir=root / "data", qdrant_engine="client-local")
>>> from app.audit import AuditEvent, AuditLog
>>> log = AuditLog(src.audit_path); _ = log.record(AuditEvent(user="an", role="staff", event="ask", question="?"))
>>> log.close()
>>> folder, manifest = write_backup(src, root / "backups")
>>> manifest.counts["audit_events"], folder.name.endswith(".partial")
(1, False)
>>> report = restore_backup(folder, Settings(data_dir=root / "restored", qdrant_engine="client-local"))
>>> report.counts["audit_events"], report.index["how"]
(1, 'empty')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from core.fs import PRIVATE_FILE_MODE, private_dir, tighten
from core.settings import Settings
from index.embedders import space_name
from index.store import ALIAS, SCHEMA_VERSION, ClientStore, EdgeStore, StoreError, VectorStore, open_store

FORMAT_VERSION = 1  # the layout of a backup folder and its manifest; a restore refuses a newer one
MANIFEST = "manifest.json"
DATA = "data"  # the backup's copy of the data dir, same layout
INDEX_SNAPSHOT = "index"  # a Qdrant server's collection snapshot, beside `data/`
PARTIAL = ".partial"
CHUNK = 1 << 20
AUDIT_DB, AUDIT_KEY, AUDIT_HEAD = "audit.sqlite3", "audit.key", "audit.head"
REGISTRY_DB = "registry.sqlite3"
# Plain files of the data dir a backup keeps besides the SQLite stores (keys, anchors).
KEY_FILES = (AUDIT_KEY, "session.key")
# Folders copied whole: uploaded originals (the registry points at them), evaluation reports.
FOLDERS = ("uploads", "eval/reports")
# Files never copied: the running server's address file, SQLite's side files, temporary writes.
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal", ".tmp", ".lock")
SKIPPED_NAMES = frozenset({"server.json"})

# What each SQLite store is counted by (label → SQL over the store's own tables).
COUNTS: dict[str, dict[str, str]] = {
    REGISTRY_DB: {
        "files": "SELECT count(*) FROM files",
        "documents": "SELECT count(*) FROM documents",
        "chunks": "SELECT count(*) FROM chunks",
    },
    AUDIT_DB: {"audit_events": "SELECT count(*) FROM events"},
    "accounts.sqlite3": {"accounts": "SELECT count(*) FROM users"},
    "conversations.sqlite3": {
        "conversations": "SELECT count(*) FROM conversations",
        "turns": "SELECT count(*) FROM turns",
    },
    "review.sqlite3": {"review_decisions": "SELECT count(*) FROM decisions"},
    "eval/runs.sqlite3": {"eval_runs": "SELECT count(*) FROM runs"},
}
EXTRA_STORES = ("eval/runs.sqlite3",)  # SQLite stores below the top level of the data dir

Progress = Callable[[str], None]


class BackupError(ValueError):
    """A backup cannot be taken, or a backup is refused for restore; the message names the file or the values."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup: its path inside the backup folder, SHA-256 and size."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class IndexCapture:
    """How the index was captured: engine, live collection, its points, and what the backup holds of it.

    `how` is "copy" (Qdrant Edge's collection folder), "snapshot" (a Qdrant server's collection snapshot), "rebuild"
    (nothing captured: restore rebuilds from the registry) or "empty" (no index yet).
    """

    engine: str
    collection: str | None
    points: int
    dense_points: int
    how: str
    embedder: str | None = None
    schema: int | None = None
    snapshot: str | None = None  # the snapshot file under `index/`, for a server


@dataclass
class BackupManifest:
    """What a backup holds and what made it (`manifest.json`); see the module docstring."""

    format: int
    backup_id: str
    created_at: str
    code_version: str
    source_data_dir: str
    embedder: str
    index_schema: int
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    audit_head: dict[str, Any]
    index: IndexCapture
    files: list[FileEntry]
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = "kho-backup"
        return out

    @classmethod
    def from_json(cls, d: Any, where: str = MANIFEST) -> BackupManifest:
        """The manifest in `d`; `BackupError` naming `where` and the field when it is not one."""
        if not isinstance(d, dict) or d.get("kind") != "kho-backup":
            raise BackupError(f"{where}: not a kho backup manifest")
        try:
            fmt = int(d["format"])
            if fmt > FORMAT_VERSION:  # checked before the rest: a newer layout may name its fields otherwise
                raise BackupError(
                    f"{where}: backup format {fmt} is newer than this code's ({FORMAT_VERSION}); it was made by kho "
                    f"{d.get('code_version', '?')} — restore it with that version or newer"
                )
            return cls(
                format=fmt,
                backup_id=str(d["backup_id"]),
                created_at=str(d["created_at"]),
                code_version=str(d["code_version"]),
                source_data_dir=str(d["source_data_dir"]),
                embedder=str(d["embedder"]),
                index_schema=int(d["index_schema"]),
                migrations={str(k): [str(x) for x in v] for k, v in dict(d["migrations"]).items()},
                counts={str(k): int(v) for k, v in dict(d["counts"]).items()},
                audit_head=dict(d["audit_head"]),
                index=IndexCapture(**dict(d["index"])),
                files=[FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in d["files"]],
                timings_s={str(k): float(v) for k, v in dict(d.get("timings_s") or {}).items()},
            )
        except KeyError as exc:
            raise BackupError(f"{where}: the field {exc.args[0]!r} is missing (damaged manifest)") from None
        except (TypeError, ValueError) as exc:
            raise BackupError(f"{where}: a field has the wrong type ({exc}) (damaged manifest)") from None


@dataclass
class RestoreReport:
    """What `restore_backup` restored, from which backup, into where, and how long each step took."""

    backup: str
    backup_id: str
    data_dir: str
    counts: dict[str, int]
    files: int
    bytes: int
    index: dict[str, Any]
    moved_aside: str | None = None
    notes: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------------------------ helpers


def code_version() -> str:
    """The installed kho's version ("0.1.0"), or "unknown" outside an install."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kho-tri-thuc")
    except PackageNotFoundError:
        return "unknown"


def embedder_name(settings: Settings) -> str:
    """The dense space the settings ask for ("embeddinggemma-768"), as collections record it, without the model."""
    try:
        return space_name(settings.embedder, settings.embed_dim)
    except ValueError as exc:
        raise BackupError(f"KHO_EMBEDDER: {exc}") from None


def known_migrations() -> dict[str, list[str]]:
    """The schema steps this code knows, per store below the services (the faces add those of the stores built on
    them: `review.sqlite3`, `eval/runs.sqlite3`)."""
    from app import accounts, audit, conversations
    from ingest import registry

    return {
        REGISTRY_DB: [f.__name__ for f in registry.MIGRATIONS.steps],
        AUDIT_DB: [f.__name__ for f in audit.MIGRATIONS.steps],
        "accounts.sqlite3": [f.__name__ for f in accounts.MIGRATIONS.steps],
        "conversations.sqlite3": [f.__name__ for f in conversations.MIGRATIONS.steps],
    }


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    """Copy `src` to `dst` (0600), reading it once; returns the SHA-256 and size of what was written.

    Blocks of zeros are skipped rather than written, so Qdrant's sparse, mostly empty files stay sparse.
    """
    h = hashlib.sha256()
    size = 0
    zeros = bytes(CHUNK)
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE_MODE)
    with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
        while block := fin.read(CHUNK):
            h.update(block)
            if block == zeros[: len(block)]:
                fout.seek(len(block), os.SEEK_CUR)
            else:
                fout.write(block)
            size += len(block)
        fout.truncate(size)
    return h.hexdigest(), size


def _hash(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def _skipped(name: str) -> bool:
    return name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES) or name.startswith(".")


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy the regular files under `src` to `dst` (folders 0700, files 0600); links and side files are left."""
    for top, dirs, files in os.walk(src, followlinks=False):
        rel = Path(top).relative_to(src)
        private_dir(dst / rel)
        dirs[:] = [d for d in dirs if not (Path(top) / d).is_symlink()]
        for name in files:
            p = Path(top) / name
            if p.is_symlink() or not p.is_file() or _skipped(name):
                continue
            _copy_hashing(p, dst / rel / name)


def _sqlite_snapshot(src: Path, dst: Path, hold_writes: bool = False, side: Sequence[str] = ()) -> dict[str, bytes]:
    """Copy the SQLite database `src` to `dst` with the online backup API; returns the files in `side` (names beside
    `src`) as read while the copy's snapshot was current.

    With `hold_writes`, a write lock is taken first (other writers wait, within the busy timeout), so a side file
    written inside every write transaction (`audit.head`) matches the copy exactly.
    """
    from core.sqlite import BUSY_TIMEOUT_MS

    lock: sqlite3.Connection | None = None
    side_data: dict[str, bytes] = {}
    if hold_writes:
        lock = sqlite3.connect(str(src), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        lock.execute("BEGIN IMMEDIATE")
    try:
        reader = sqlite3.connect(str(src), timeout=BUSY_TIMEOUT_MS / 1000)
        os.close(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE))
        target = sqlite3.connect(str(dst))
        try:
            reader.backup(target)  # all pages in one step: one read transaction, one moment
            # a rollback journal: the copy is one self-contained file, no -wal/-shm beside it (WAL comes back when
            # the restored store is opened by `core.sqlite.connect`)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            reader.close()
        for name in side:
            with contextlib.suppress(FileNotFoundError):
                side_data[name] = (src.parent / name).read_bytes()
    finally:
        if lock is not None:
            lock.execute("COMMIT")
            lock.close()
    return side_data


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _store_facts(path: Path, rel: str) -> tuple[list[str], dict[str, int]]:
    """The applied migrations and the counts (`COUNTS`) of the SQLite copy at `path`."""
    db = _read_only(path)
    try:
        has = db.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone()
        migrations = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")] if has else []
        counts: dict[str, int] = {}
        for label, sql in COUNTS.get(rel, {}).items():
            try:
                counts[label] = int(db.execute(sql).fetchone()[0])
            except sqlite3.OperationalError:  # a store created before that table existed
                counts[label] = 0
        return migrations, counts
    finally:
        db.close()


def sqlite_stores(data_dir: Path) -> list[str]:
    """The SQLite stores of a data dir, relative paths: every `*.sqlite3` at its top level, plus `EXTRA_STORES`."""
    top = sorted(p.name for p in data_dir.glob("*.sqlite3") if p.is_file() and not p.is_symlink())
    return top + [rel for rel in EXTRA_STORES if (data_dir / rel).is_file()]


def _inner(store: VectorStore) -> VectorStore:
    """The engine behind a `GuardedStore` (or the store itself)."""
    return cast(VectorStore, getattr(store, "inner", store))


# ------------------------------------------------------------------------------------------------ backup


def write_backup(
    settings: Settings, dest: Path, store: VectorStore | None = None, progress: Progress | None = None
) -> tuple[Path, BackupManifest]:
    """Back up `settings.data_dir` into a new folder under `dest`; returns that folder and its manifest.

    `store` is the open vector store of a running service (its writes must be held by the caller, e.g. under
    `Services._write_lock`); without one the store is opened here, which for Qdrant Edge also locks the index
    against every other process until the copy is done.
    """
    say = progress or (lambda _msg: None)
    data_dir = settings.data_dir.resolve()
    dest = dest.expanduser().resolve()
    if dest == data_dir or dest.is_relative_to(data_dir):
        raise BackupError(f"{dest}: a backup cannot go inside the data dir it copies ({data_dir}); choose another")
    if dest.exists() and not dest.is_dir():
        raise BackupError(f"{dest}: exists and is not a folder")
    if not (data_dir / REGISTRY_DB).exists() and not (data_dir / AUDIT_DB).exists():
        raise BackupError(f"{data_dir}: no data to back up (no {REGISTRY_DB}, no {AUDIT_DB})")
    private_dir(dest)
    backup_id = _stamp()
    partial = dest / f"{backup_id}{PARTIAL}"
    final = dest / backup_id
    if final.exists():
        raise BackupError(f"{final} already exists")
    out = private_dir(partial / DATA)
    timings: dict[str, float] = {}
    own = store is None
    # Opened here, the store stays open until the SQLite copies are made: for Qdrant Edge that holds the index's
    # process lock, so no other process can change the index between its copy and the registry's.
    opened = store if store is not None else open_store(settings)
    try:
        t = time.perf_counter()
        capture = _capture_index(settings, opened, partial, say)
        timings["index"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        migrations: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        head: dict[str, Any] = {}
        for rel in sqlite_stores(data_dir):
            say(f"copying {rel}")
            private_dir((out / rel).parent)
            is_audit = rel == AUDIT_DB
            side = _sqlite_snapshot(
                data_dir / rel, out / rel, hold_writes=is_audit, side=(AUDIT_HEAD,) if is_audit else ()
            )
            if is_audit and AUDIT_HEAD in side:
                (out / AUDIT_HEAD).write_bytes(side[AUDIT_HEAD])
                head = json.loads(side[AUDIT_HEAD])
            migrations[rel], found = _store_facts(out / rel, rel)
            counts.update(found)
        timings["sqlite"] = round(time.perf_counter() - t, 3)
        if own:
            opened.close()
            own = False

        t = time.perf_counter()
        for name in KEY_FILES:
            if (data_dir / name).is_file():
                shutil.copyfile(data_dir / name, out / name)
        for rel in FOLDERS:
            if (data_dir / rel).is_dir():
                say(f"copying {rel}/")
                _copy_tree(data_dir / rel, out / rel)
        timings["files"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        tighten(partial)
        entries = _entries(partial)
        timings["checksums"] = round(time.perf_counter() - t, 3)
        counts["index_points"] = capture.points
        manifest = BackupManifest(
            format=FORMAT_VERSION,
            backup_id=backup_id,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            code_version=code_version(),
            source_data_dir=str(data_dir),
            embedder=capture.embedder or embedder_name(settings),
            index_schema=capture.schema or SCHEMA_VERSION,
            migrations=migrations,
            counts=counts,
            audit_head=head or {"seq": 0, "hash": None},
            index=capture,
            files=entries,
            timings_s=timings,
        )
        path = partial / MANIFEST
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(manifest.to_json(), f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, final)  # complete: only now does it look like a backup
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        if own:
            opened.close()
    say(f"backup written: {final}")
    return final, manifest


def _entries(folder: Path) -> list[FileEntry]:
    entries = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.name != MANIFEST:
            sha, size = _hash(p)
            entries.append(FileEntry(p.relative_to(folder).as_posix(), sha, size))
    return entries


def _capture_index(settings: Settings, store: VectorStore, folder: Path, say: Progress) -> IndexCapture:
    """Copy (Edge) or snapshot (server) the live collection into `folder`; see the module docstring."""
    inner = _inner(store)
    engine = "edge" if isinstance(inner, EdgeStore) else "server" if settings.qdrant_url else "client-local"
    name = store.resolve_alias(ALIAS)
    if name is None:
        return IndexCapture(engine, None, 0, 0, "empty")
    meta = store.collection_meta(name)
    store.flush(name)
    points = store.count(name)
    dense = store.count(name, with_dense=True)

    def captured(how: str, snapshot: str | None = None) -> IndexCapture:
        return IndexCapture(engine, name, points, dense, how, meta.embedder, meta.schema, snapshot)

    if isinstance(inner, EdgeStore):
        say(f"copying the index ({name}, {points} points)")
        _copy_tree(inner.root / "collections" / name, folder / DATA / "qdrant" / "collections" / name)
        (folder / DATA / "qdrant" / "aliases.json").write_text(json.dumps({ALIAS: name}, indent=1))
        return captured("copy")
    if isinstance(inner, ClientStore) and settings.qdrant_url:
        say(f"asking the Qdrant server for a snapshot of {name}")
        return captured("snapshot", _server_snapshot(inner, settings, name, private_dir(folder / INDEX_SNAPSHOT)))
    return captured("rebuild")


def _server_headers(settings: Settings) -> dict[str, str]:
    return {"api-key": settings.qdrant_api_key} if settings.qdrant_api_key else {}


def _server_snapshot(store: ClientStore, settings: Settings, name: str, folder: Path) -> str:
    """Create a snapshot of collection `name` on the Qdrant server, download it into `folder`, check its checksum,
    and delete it from the server; returns the file name. (Untested here: no Qdrant server can run on this host.)"""
    import httpx

    desc = store.client.create_snapshot(collection_name=name, wait=True)
    if desc is None:
        raise BackupError(f"the Qdrant server at {settings.qdrant_url} made no snapshot of {name}")
    target = folder / desc.name
    url = f"{str(settings.qdrant_url).rstrip('/')}/collections/{name}/snapshots/{desc.name}"
    h = hashlib.sha256()
    try:
        with httpx.stream("GET", url, headers=_server_headers(settings), timeout=600) as resp:
            resp.raise_for_status()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                for block in resp.iter_bytes(CHUNK):
                    h.update(block)
                    f.write(block)
    finally:
        with contextlib.suppress(Exception):
            store.client.delete_snapshot(collection_name=name, snapshot_name=desc.name, wait=True)
    if desc.checksum and desc.checksum != h.hexdigest():
        raise BackupError(f"the snapshot {desc.name} downloaded from the Qdrant server does not match its checksum")
    return desc.name


# ------------------------------------------------------------------------------------------------ restore


def find_backup(path: Path) -> Path:
    """The backup folder at `path`: `path` itself when it holds a manifest, else its newest complete backup."""
    path = path.expanduser()
    if (path / MANIFEST).is_file():
        return path
    if not path.is_dir():
        raise BackupError(f"{path}: no such backup folder")
    found = sorted(
        p for p in path.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL) and (p / MANIFEST).is_file()
    )
    if not found:
        partial = [p.name for p in path.iterdir() if p.name.endswith(PARTIAL)]
        hint = f" (only unfinished ones: {', '.join(sorted(partial))})" if partial else ""
        raise BackupError(f"{path}: no complete backup here{hint}")
    return found[-1]


def read_manifest(folder: Path) -> BackupManifest:
    """The manifest of the backup in `folder`; `BackupError` when it is missing or damaged."""
    path = folder / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: missing — not a complete backup") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: damaged, not valid JSON ({exc})") from None
    return BackupManifest.from_json(raw, str(path))


def check_compatible(
    manifest: BackupManifest,
    settings: Settings,
    rebuild_index: bool = False,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """`BackupError` when this code cannot take the backup: schema steps it does not know (a newer kho made it),
    an index schema newer than its own, or a dense embedder other than the configured one (both named)."""
    known = {**known_migrations(), **{k: list(v) for k, v in (extra or {}).items()}}
    for rel, steps in manifest.migrations.items():
        if rel in known:
            unknown = [s for s in steps if s not in known[rel]]
            if unknown:
                raise BackupError(
                    f"{rel} in the backup has schema step(s) {', '.join(unknown)} that this code does not know: it "
                    f"was made by a newer kho ({manifest.code_version}; this is {code_version()})"
                )
    if rebuild_index:
        return
    if manifest.index.how in ("copy", "snapshot") and manifest.index_schema > SCHEMA_VERSION:
        raise BackupError(
            f"the backup's index has schema {manifest.index_schema}, newer than this code's {SCHEMA_VERSION}: "
            "restore with a newer kho, or pass --rebuild-index to rebuild the index from the registry"
        )
    wanted = embedder_name(settings)
    if manifest.embedder != wanted:
        raise BackupError(
            f"the backup's index holds {manifest.embedder} vectors but this installation is configured for {wanted} "
            f"(KHO_EMBEDDER/KHO_EMBED_DIM): configure {manifest.embedder}, or pass --rebuild-index to rebuild the "
            f"index for {wanted}"
        )


def target_contents(data_dir: Path) -> list[str]:
    """What already lives in a would-be restore target (names at its top level), hidden files included."""
    if not data_dir.exists():
        return []
    if not data_dir.is_dir():
        return [data_dir.name]
    return sorted(p.name for p in data_dir.iterdir())


def restore_backup(
    backup: Path,
    settings: Settings,
    *,
    force: bool = False,
    rebuild_index: bool = False,
    actor: tuple[str, str] | None = None,
    extra_migrations: Mapping[str, Sequence[str]] | None = None,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore the backup at `backup` (a backup folder, or a folder of them: the newest) into `settings.data_dir`.

    `actor` (name, role) records the restore in the restored audit log. The caller makes sure no server runs on the
    target (the faces check `server.json`). See the module docstring for what is refused.
    """
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    folder = find_backup(backup)
    manifest = read_manifest(folder)
    check_compatible(manifest, settings, rebuild_index, extra_migrations)
    target = settings.data_dir.expanduser().absolute()
    present = target_contents(target)
    if present and not force:
        shown = ", ".join(present[:6]) + (", …" if len(present) > 6 else "")
        raise BackupError(
            f"{target} already holds data ({shown}): restore into an empty or new folder, or pass --force to move "
            "the current data aside (nothing is deleted)"
        )
    stamp = _stamp()
    staging = target.parent / f".{target.name}.restoring-{stamp}"
    target.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    try:
        t = time.perf_counter()
        index_damaged = _copy_verified(folder, manifest, private_dir(staging), say)
        timings["copy_and_verify"] = round(time.perf_counter() - t, 3)
        if index_damaged:
            notes.append(f"index files damaged ({index_damaged}): the index is rebuilt from the registry")

        t = time.perf_counter()
        _check_stores(staging, manifest)
        moved = _move_uploads(staging, manifest, target)
        if moved:
            notes.append(f"{moved} uploaded file path(s) moved from {manifest.source_data_dir} to {target}")
        timings["check_stores"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        staged = settings.model_copy(update={"data_dir": staging})
        index = _restore_index(staged, folder, manifest, rebuild_index or bool(index_damaged), say)
        if index.get("rebuilt_because"):
            notes.append(f"index rebuilt from the registry: {index['rebuilt_because']}")
        timings["index"] = round(time.perf_counter() - t, 3)

        counts = dict(manifest.counts)
        counts["index_points"] = int(index["points"])
        if actor is not None:
            from app.audit import AuditEvent, AuditLog

            log = AuditLog(staging / AUDIT_DB)
            try:
                log.record(
                    AuditEvent(
                        user=actor[0],
                        role=actor[1],
                        event="restore",
                        ref=manifest.backup_id,
                        details={"created_at": manifest.created_at, "counts": counts, "index": index["how"]},
                    )
                )
            finally:
                log.close()
        tighten(staging)
        moved_aside: str | None = None
        if target.exists():
            if present:
                aside = target.parent / f"{target.name}.before-restore-{stamp}"
                os.replace(target, aside)
                moved_aside = str(aside)
            else:
                target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    timings["total"] = round(time.perf_counter() - t0, 3)
    total_bytes = sum(f.size for f in manifest.files)
    return RestoreReport(
        backup=str(folder),
        backup_id=manifest.backup_id,
        data_dir=str(target),
        counts=counts,
        files=len(manifest.files),
        bytes=total_bytes,
        index=index,
        moved_aside=moved_aside,
        notes=notes,
        timings_s=timings,
    )


def _is_index_file(rel: str) -> bool:
    return rel.startswith((f"{DATA}/qdrant/", f"{INDEX_SNAPSHOT}/"))


def _copy_verified(folder: Path, manifest: BackupManifest, staging: Path, say: Progress) -> str:
    """Copy the backup's data into `staging`, checking each file's size and SHA-256 as it is read.

    A damaged or missing data file, or a file the manifest does not list, raises `BackupError` naming it; damage to
    the index's files only returns the first such file's name (the index can be rebuilt from the registry).
    """
    listed = {f.path for f in manifest.files}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != MANIFEST and rel not in listed:
            raise BackupError(f"{p}: not listed in the manifest (the backup was changed after it was written)")
    damaged_index = ""
    say(f"verifying and copying {len(manifest.files)} files")
    for entry in manifest.files:
        src = folder / entry.path
        is_index = _is_index_file(entry.path)
        if not entry.path.startswith(f"{DATA}/") and not is_index:
            raise BackupError(f"{MANIFEST}: lists {entry.path}, outside the backup's folders (damaged manifest)")
        if ".." in Path(entry.path).parts or Path(entry.path).is_absolute():
            raise BackupError(f"{MANIFEST}: lists {entry.path}, outside the backup (damaged manifest)")
        dst = staging / Path(entry.path).relative_to(DATA) if entry.path.startswith(f"{DATA}/") else None
        problem = ""
        if not src.is_file():
            problem = "missing"
        elif src.stat().st_size != entry.size:
            problem = f"size {src.stat().st_size}, the manifest says {entry.size}"
        elif dst is not None:
            private_dir(dst.parent)
            sha, _ = _copy_hashing(src, dst)
            problem = "" if sha == entry.sha256 else "checksum does not match the manifest (damaged)"
        elif _hash(src)[0] != entry.sha256:
            problem = "checksum does not match the manifest (damaged)"
        if problem:
            if is_index:
                damaged_index = damaged_index or f"{entry.path}: {problem}"
                continue
            raise BackupError(f"{src}: {problem} — this backup cannot be restored as it is")
    return damaged_index


def _check_stores(staging: Path, manifest: BackupManifest) -> None:
    """Each restored SQLite file passes SQLite's own check and holds the counts the manifest names; the audit chain
    verifies and ends at the manifest's head."""
    for rel in manifest.migrations:
        path = staging / rel
        db = _read_only(path)
        try:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{rel}: not a readable SQLite database ({exc})") from None
        finally:
            db.close()
        if ok != "ok":
            raise BackupError(f"{rel}: SQLite finds it damaged ({ok})")
        _, counts = _store_facts(path, rel)
        for label, n in counts.items():
            if label in manifest.counts and manifest.counts[label] != n:
                raise BackupError(f"{rel} holds {n} {label}, the manifest says {manifest.counts[label]}")
    if (staging / AUDIT_DB).exists():
        from app.audit import AuditLog

        log = AuditLog(staging / AUDIT_DB)
        try:
            problems = log.verify()
        finally:
            log.close()
        if problems:
            raise BackupError(f"{AUDIT_DB}: the restored audit chain does not verify: {'; '.join(problems[:3])}")
        head = json.loads((staging / AUDIT_HEAD).read_text()) if (staging / AUDIT_HEAD).exists() else {}
        if manifest.audit_head.get("seq") and head != manifest.audit_head:
            raise BackupError(f"{AUDIT_HEAD}: says {head}, the manifest says {manifest.audit_head}")


def _move_uploads(staging: Path, manifest: BackupManifest, target: Path) -> int:
    """Point the registry's uploaded files at the target's `uploads/` when the data dir moved; returns how many."""
    old = str(Path(manifest.source_data_dir) / "uploads") + os.sep
    new = str(target.resolve() / "uploads") + os.sep
    path = staging / REGISTRY_DB
    if old == new or not path.exists():
        return 0
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        n = db.execute(
            "UPDATE files SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?",
            (new, len(old) + 1, len(old), old),
        ).rowcount
        db.execute(
            "UPDATE documents SET file_path = ? || substr(file_path, ?) WHERE substr(file_path, 1, ?) = ?",
            (new, len(old) + 1, len(old), old),
        )
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return int(n)


def _restore_index(
    settings: Settings, folder: Path, manifest: BackupManifest, rebuild: bool, say: Progress
) -> dict[str, Any]:
    """Bring back the index in the staged data dir (`settings.data_dir`): the captured one when it checks out,
    else rebuilt from the registry. Returns what was done."""
    from index.indexer import Indexer
    from ingest.registry import Registry

    cap = manifest.index
    out: dict[str, Any] = {"engine": cap.engine, "collection": cap.collection, "how": cap.how, "points": 0}
    registry = Registry.from_settings(settings)
    store = open_store(settings)
    try:
        reason = "--rebuild-index" if rebuild else ""
        if cap.how == "empty" and not rebuild:
            return out
        if not reason and cap.how == "rebuild":
            reason = f"the backup holds no copy of the {cap.engine} index"
        if not reason and cap.how == "snapshot" and cap.snapshot:
            reason = _recover_server_snapshot(store, settings, folder / INDEX_SNAPSHOT / cap.snapshot, cap)
        if not reason:
            reason = _check_points(store, registry, cap)
        if reason:
            say(f"rebuilding the index from the registry ({reason})")
            if not settings.qdrant_url:  # an embedded index: start from nothing rather than from damaged files
                store.close()
                for local in ("qdrant", "qdrant-local"):
                    shutil.rmtree(settings.data_dir / local, ignore_errors=True)
                store = open_store(settings)
            Indexer(registry, store, settings).rebuild()
            out.update(how="rebuilt", rebuilt_because=reason)
        live = set(store.collections())
        for stale in _consumers(registry):
            if stale not in live:  # a collection that is not there any more must not hold the outbox back
                registry.forget_consumer(stale)
        name = store.resolve_alias(ALIAS)
        out["collection"] = name
        out["points"] = store.count(name) if name else 0
        out["dense_points"] = store.count(name, with_dense=True) if name else 0
        return out
    finally:
        store.close()
        registry.close()


def _consumers(registry: Any) -> list[str]:
    return [r[0] for r in registry.db.execute("SELECT name FROM consumers")]


def _check_points(store: VectorStore, registry: Any, cap: IndexCapture) -> str:
    """Why the restored collection cannot be used as it is ("" when it can): missing, unreadable, or its point
    count differs from the manifest or (when nothing is pending for it) from the registry's indexed chunks."""
    try:
        name = store.resolve_alias(ALIAS)
        if name is None or name != cap.collection:
            return f"the alias {ALIAS} points at {name}, the manifest says {cap.collection}"
        points = store.count(name)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — damaged files: plain Exceptions, or a Rust panic (BaseException)
        return f"the copied collection cannot be opened ({type(exc).__name__}: {exc})"
    if points != cap.points:
        return f"the collection holds {points} points, the manifest says {cap.points}"
    if not registry.pending_ops(consumer=name):
        failed = {f.document_id for f in registry.index_failures(name)}
        chunks = registry.chunk_counts()
        expected = sum(n for doc, n in chunks.items() if doc not in failed)
        if points != expected:
            return f"the collection holds {points} points, the registry {expected} indexable chunks"
    return ""


def _recover_server_snapshot(store: VectorStore, settings: Settings, snapshot: Path, cap: IndexCapture) -> str:
    """Upload `snapshot` to the Qdrant server as collection `cap.collection` and point the alias at it; returns why
    it could not ("" when it did). (Untested here: no Qdrant server can run on this host.)"""
    import httpx

    if cap.collection is None or not settings.qdrant_url:
        return "no Qdrant server configured (KHO_QDRANT_URL) to take the backup's snapshot"
    url = f"{str(settings.qdrant_url).rstrip('/')}/collections/{cap.collection}/snapshots/upload"
    sha, _ = _hash(snapshot)
    try:
        with snapshot.open("rb") as f:
            resp = httpx.post(
                url,
                params={"priority": "snapshot", "wait": "true", "checksum": sha},
                files={"snapshot": (snapshot.name, f, "application/octet-stream")},
                headers=_server_headers(settings),
                timeout=3600,
            )
        resp.raise_for_status()
        store.set_alias(ALIAS, cap.collection)
    except (httpx.HTTPError, StoreError) as exc:
        return f"the Qdrant server did not take the snapshot ({exc})"
    return ""
