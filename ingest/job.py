"""Ingestion as a job: walk → hash → parse → chunk → store, one transaction per file, resumable.

>>> from core.settings import Settings  # doctest: +SKIP
>>> with Registry.from_settings(s := Settings()) as reg:  # doctest: +SKIP
...     report = run_ingest([Path("../shared/corpus")], reg, s, access_level=AccessLevel.INTERNAL)

A file is either fully stored (its documents, chunks and outbox ops in one registry transaction) or not at
all, so a run killed at any moment leaves a consistent registry, and running it again does only what is left:
a file whose content and ingest options are unchanged is skipped without parsing. One bad file never stops a
run: it is recorded FAILED (or FAILED_NO_TEXT) with its reason, and what was stored for it before stays
searchable.

Access level and validity come from `.kho.toml` files:

    # <folder>/.kho.toml applies to everything below the folder; <file>.kho.toml to that one file
    access_level = "restricted"        # public | internal | restricted
    hieu_luc = "het_hieu_luc"          # con_hieu_luc | het_hieu_luc | chua_xac_dinh
    hieu_luc_reason = "Bị thay thế bởi Luật số 52/2019/QH14"

The effective access level is the MOST restrictive of the CLI value, every folder `.kho.toml` above the file
(all ancestors, not only those below the path given: naming a sub-folder or a single file must not escape a
protection set higher up) and the file's own sidecar, so a run never downgrades a protected folder. Nor does a
re-upload downgrade a stored document: the level is at least that of any stored document with the same source
path, the same content or the same số hiệu (`Registry.access_floor`); only `Registry.set_access_level` lowers
it. For validity the nearest setting wins (file sidecar, then the closest folder).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.hashing import file_sha256
from core.settings import Settings
from ingest.chunking import ChunkLimitError, chunk_document
from ingest.formats.base import IngestError, NoTextError
from ingest.ids import doc_id
from ingest.model import AccessLevel, Chunk, DocState, LegalDocument, Validity
from ingest.parse import claims, parse_file
from ingest.registry import Registry
from ingest.relations import extract_relations
from ingest.validity import registry_for

log = logging.getLogger(__name__)

# Bump when parsing or chunking changes what is stored: every file is then re-parsed on the next run.
PARSER_VERSION = "15"
SIDECAR_SUFFIX = ".kho.toml"
FOLDER_SIDECAR = ".kho.toml"
SIDECAR_FIELDS = ("access_level", "hieu_luc", "hieu_luc_reason")
# Metadata a corpus manifest may set for a document whose text does not state it (e.g. a plan without a title).
META_OVERRIDE_FIELDS = ("title", "loai", "co_quan")


class SidecarError(IngestError):
    """A `.kho.toml` is unreadable or holds a bad value; the reason names the sidecar and the field."""


@dataclass(frozen=True)
class IngestOptions:
    """What, besides the bytes, decides what is stored for a file; its hash is the file's `options_hash`."""

    access_level: AccessLevel = AccessLevel.PUBLIC
    hieu_luc: Validity | None = None
    hieu_luc_reason: str | None = None
    sidecars: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # title / loai / co_quan given by a corpus manifest
    validity_export: str | None = None  # sha256 of the source_registry.json that applies, if any

    def options_hash(self, settings: Settings) -> str:
        payload = {
            "parser_version": PARSER_VERSION,
            "meta": list(self.meta),
            "validity_export": self.validity_export,
            "access_level": self.access_level.value,
            "hieu_luc": self.hieu_luc.value if self.hieu_luc else None,
            "hieu_luc_reason": self.hieu_luc_reason,
            "chunk_max_chars": settings.chunk_max_chars,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def apply(self, doc: LegalDocument) -> None:
        """Raise the document's access level to at least ours (never lower it) and set validity overrides."""
        if self.access_level.rank > doc.meta.access_level.rank:
            doc.meta.access_level = self.access_level
        if self.hieu_luc is not None:
            doc.meta.hieu_luc = self.hieu_luc
            doc.meta.hieu_luc_reason = self.hieu_luc_reason
        elif self.hieu_luc_reason is not None:
            doc.meta.hieu_luc_reason = self.hieu_luc_reason
        for key, value in self.meta:
            setattr(doc.meta, key, value)


@dataclass
class FileResult:
    """What a run did with one file."""

    path: str
    state: DocState
    reason: str | None = None
    n_documents: int = 0
    n_chunks: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "state": self.state.value,
            "reason": self.reason,
            "n_documents": self.n_documents,
            "n_chunks": self.n_chunks,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class IngestReport:
    """Per-file results of one run, totals by state, elapsed time; `interrupted` when stopped by a signal."""

    results: list[FileResult] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False
    not_processed: int = 0
    ignored: list[Path] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        out = {st.value: 0 for st in DocState}
        for r in self.results:
            out[r.state.value] += 1
        return out

    @property
    def n_documents(self) -> int:
        return sum(r.n_documents for r in self.results if r.state is DocState.INDEXED)

    @property
    def n_chunks(self) -> int:
        return sum(r.n_chunks for r in self.results if r.state is DocState.INDEXED)

    @property
    def ok(self) -> bool:
        """No file failed and the run was not interrupted."""
        return not self.interrupted and not any(
            r.state in (DocState.FAILED, DocState.FAILED_NO_TEXT) for r in self.results
        )

    def result(self, path: Path | str) -> FileResult | None:
        p = str(Path(path).expanduser().resolve())
        return next((r for r in self.results if r.path == p), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "n_files": len(self.results),
            "n_documents_indexed": self.n_documents,
            "n_chunks_indexed": self.n_chunks,
            "elapsed": round(self.elapsed, 3),
            "interrupted": self.interrupted,
            "not_processed": self.not_processed,
            "ignored": [str(p) for p in self.ignored],
            "results": [r.to_json() for r in self.results],
        }


# ---------------------------------------------------------------------------------------------- walking


def _skipped_name(name: str) -> bool:
    # hidden files/dirs, sidecars, and Word's "~$x.docx" lock files (never documents)
    return name.startswith(".") or name.endswith(SIDECAR_SUFFIX) or name.startswith("~$")


def _walk_dir(folder: Path) -> Iterator[Path]:
    """Files under `folder`, sorted by name at every level; symlinked folders are not followed (no loops)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        log.warning("cannot list %s: %s", folder, exc)
        return
    for e in entries:
        if _skipped_name(e.name):
            continue
        if e.is_dir(follow_symlinks=False):
            yield from _walk_dir(Path(e.path))
        elif e.is_file():
            yield Path(e.path)


def collect_files(
    paths: list[Path], ignored: list[Path] | None = None
) -> tuple[list[Path], list[FileResult]]:
    """The files to ingest (in the order given, each folder walked sorted; no file twice) and a FAILED result
    for each given path that does not exist.

    A folder walk leaves out files that no parser claims (notes, indexes, licences); they are appended to
    `ignored`. A file named explicitly is always attempted, so an unsupported one gets a clear FAILED reason.
    """
    ignored = ignored if ignored is not None else []
    files: list[Path] = []
    missing: list[FileResult] = []
    seen: set[Path] = set()
    for given in paths:
        p = Path(given).expanduser()
        if not p.exists():
            missing.append(FileResult(str(p.resolve()), DocState.FAILED, "path does not exist"))
            continue
        if p.is_dir():
            found: list[Path] = []
            for f in _walk_dir(p):
                (found if claims(f) else ignored).append(f)
        else:
            found = [] if p.name.endswith(SIDECAR_SUFFIX) else [p]
        for f in found:
            rf = f.resolve()
            if rf not in seen:
                seen.add(rf)
                files.append(rf)
    return files, missing


# ---------------------------------------------------------------------------------------------- sidecars


class _Sidecars:
    """Reads `.kho.toml` files once per run and combines them into a file's `IngestOptions`."""

    def __init__(
        self, cli_level: AccessLevel | None, meta_overrides: dict[Path, dict[str, str]] | None = None
    ) -> None:
        self.cli_level = cli_level
        self.meta_overrides = {Path(k).resolve(): v for k, v in (meta_overrides or {}).items()}
        self._cache: dict[Path, dict[str, Any] | None] = {}

    def _read(self, sidecar: Path, file: Path) -> dict[str, Any] | None:
        if sidecar in self._cache:
            return self._cache[sidecar]
        data: dict[str, Any] | None = None
        if sidecar.is_file():
            try:
                with sidecar.open("rb") as fh:
                    raw = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SidecarError(file, f"sidecar {sidecar}: cannot read: {exc}") from None
            data = {}
            for key, value in raw.items():
                if key not in SIDECAR_FIELDS:
                    valid = ", ".join(SIDECAR_FIELDS)
                    raise SidecarError(file, f"sidecar {sidecar}: unknown field '{key}' (valid: {valid})")
                if not isinstance(value, str):
                    raise SidecarError(file, f"sidecar {sidecar}: field '{key}' must be a string")
                try:
                    if key == "access_level":
                        data[key] = AccessLevel.from_str(value)
                    elif key == "hieu_luc":
                        data[key] = Validity.from_str(value)
                    else:
                        data[key] = value.strip() or None
                except ValueError as exc:
                    raise SidecarError(file, f"sidecar {sidecar}: field '{key}': {exc}") from None
        self._cache[sidecar] = data
        return data

    def options_for(self, file: Path) -> IngestOptions:
        chain = [d / FOLDER_SIDECAR for d in reversed(file.parents)]
        chain.append(file.with_name(file.name + SIDECAR_SUFFIX))
        level = self.cli_level or AccessLevel.PUBLIC
        hieu_luc: Validity | None = None
        reason: str | None = None
        used: list[str] = []
        for sidecar in chain:
            data = self._read(sidecar, file)
            if not data:
                continue
            used.append(str(sidecar))
            lvl = data.get("access_level")
            if lvl is not None and lvl.rank > level.rank:
                level = lvl
            if "hieu_luc" in data:
                hieu_luc = data["hieu_luc"]
                reason = data.get("hieu_luc_reason")
            elif data.get("hieu_luc_reason"):
                reason = data["hieu_luc_reason"]
        extra = self.meta_overrides.get(file, {})
        if "access_level" in extra:
            lvl = AccessLevel.from_str(extra["access_level"])
            level = lvl if lvl.rank > level.rank else level
        if "hieu_luc" in extra:
            hieu_luc, reason = Validity.from_str(extra["hieu_luc"]), extra.get("hieu_luc_reason")
        meta = tuple((k, extra[k]) for k in META_OVERRIDE_FIELDS if k in extra)
        export = registry_for(file)
        return IngestOptions(level, hieu_luc, reason, tuple(used), meta, export.sha256 if export else None)


# ---------------------------------------------------------------------------------------------- the job


class _Stop:
    """Set by SIGINT/SIGTERM: the run finishes the file in hand, then stops. A second signal stops at once
    (raising KeyboardInterrupt; the registry transaction in progress, if any, rolls back)."""

    def __init__(self) -> None:
        self.requested = False

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        log.warning("signal %s: stopping after the current file (again to stop now)", signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be set from the main thread; an API worker just runs to the end
            return
        old = {s: signal.signal(s, self.handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in old.items():
                signal.signal(s, h)


def _too_many_chunks(path: Path, limit: int) -> IngestError:
    return IngestError(
        path,
        f"{path.name}: tệp tạo ra hơn {limit} đoạn (chunk), vượt giới hạn KHO_MAX_CHUNKS_PER_FILE = {limit} / "
        f"the file would make more than {limit} chunks (limit KHO_MAX_CHUNKS_PER_FILE = {limit}); "
        "split it into several files or raise the limit",
    )


def _apply_access_floor(path: Path, doc: LegalDocument, content_hash: str, registry: Registry) -> None:
    """Raise `doc`'s access level to that of what is already stored for the same path, content or số hiệu.

    Re-uploading a restricted document (changed or not, under any name) must never make it public: only an
    explicit `Registry.set_access_level` lowers a level.
    """
    floor = registry.access_floor(path, content_hash, [doc.meta.so_hieu] if doc.meta.so_hieu else [])
    if floor is not None and floor.rank > doc.meta.access_level.rank:
        log.info(
            "%s: access level raised from %s to %s, the level of the stored document with the same path, "
            "content or số hiệu",
            path,
            doc.meta.access_level.value,
            floor.value,
        )
        doc.meta.access_level = floor


def ingest_file(path: Path, registry: Registry, settings: Settings, sidecars: _Sidecars) -> FileResult:
    """Ingest one file (an absolute resolved path); never raises for bad input, only records why it failed."""
    t0 = time.perf_counter()
    res = FileResult(str(path), DocState.FAILED)
    content_hash: str | None = None
    size: int | None = None
    mtime: float | None = None
    try:
        st = path.stat()
        size, mtime = st.st_size, st.st_mtime
        limit = settings.max_file_bytes
        if size > limit:  # refused before reading a byte
            raise IngestError(
                path,
                f"file is {size / 1048576:.1f} MB, larger than the {settings.max_file_mb:g} MB limit "
                "(KHO_MAX_FILE_MB)",
            )
        opts = sidecars.options_for(path)
        content_hash = file_sha256(path)
        options_hash = opts.options_hash(settings)
        rec = registry.file_record(path)
        if (
            rec is not None
            and rec.state is DocState.INDEXED
            and rec.content_hash == content_hash
            and rec.options_hash == options_hash
        ):
            res.state, res.reason = DocState.SKIPPED_UNCHANGED, "unchanged"
            res.n_documents, res.n_chunks = rec.n_documents, rec.n_chunks
            return res
        if registry.duplicate_of(path, content_hash) is not None:  # no need to parse it
            rec = registry.mark_duplicate(path, content_hash, size, mtime)
            if rec is not None:  # None: the other copy went away meanwhile, so parse it after all
                res.state, res.reason = rec.state, rec.reason
                return res
        docs = parse_file(path, settings)
        if not docs:
            raise NoTextError(path, "no documents found in the file")
        stored: list[tuple[LegalDocument, list[Chunk]]] = []
        export = registry_for(path)
        limit = settings.max_chunks_per_file
        if sum(len(d.articles) for d in docs) > limit:  # every article makes at least one chunk
            raise _too_many_chunks(path, limit)
        for doc in docs:
            if export is not None:
                export.apply(doc)
            opts.apply(doc)
            _apply_access_floor(path, doc, content_hash, registry)
            left = limit - sum(len(c) for _, c in stored)
            try:
                chunks = chunk_document(doc, doc_id(content_hash, doc.key), settings.chunk_max_chars, left)
            except ChunkLimitError:
                raise _too_many_chunks(path, limit) from None
            stored.append((doc, chunks))
        n_chunks = sum(len(c) for _, c in stored)
        if n_chunks == 0:
            raise NoTextError(path, "no text to index (0 chunks)")
        relations = [extract_relations(doc) for doc, _ in stored]
        rec = registry.store_file(path, content_hash, options_hash, size, mtime, docs[0].fmt, stored, relations)
        res.state, res.reason = rec.state, rec.reason
        res.n_documents, res.n_chunks = rec.n_documents, rec.n_chunks
        for w in (w for d in docs for w in d.warnings):
            log.info("%s: %s", path, w)
    except IngestError as exc:
        res.state = DocState.from_str(exc.state)
        res.reason = exc.reason
    except OSError as exc:
        res.state, res.reason = DocState.FAILED, f"cannot read the file: {exc.strerror or exc}"
    except Exception as exc:  # a parser bug must not stop the run; the traceback goes to the debug log
        log.debug("internal error while ingesting %s", path, exc_info=True)
        res.state, res.reason = DocState.FAILED, f"internal error: {type(exc).__name__}: {exc}"
    finally:
        res.seconds = time.perf_counter() - t0
    if res.state in (DocState.FAILED, DocState.FAILED_NO_TEXT):
        log.info("%s: %s: %s", path, res.state.value, res.reason)
        try:
            registry.mark_failed(path, res.state, res.reason or "", content_hash, size, mtime)
        except Exception:
            log.error("could not record the failure of %s in the registry", path, exc_info=True)
    return res


def run_ingest(
    paths: list[Path],
    registry: Registry,
    settings: Settings,
    access_level: AccessLevel | None = None,
    progress: bool = True,
    meta_overrides: dict[Path, dict[str, str]] | None = None,
) -> IngestReport:
    """Ingest files and folders into the registry; see the module docstring. Never raises for bad input.

    SIGINT/SIGTERM stop the run between files (the report then says `interrupted`); a file is always either
    fully stored or not at all.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    files, missing = collect_files(paths, report.ignored)
    report.results.extend(missing)
    sidecars = _Sidecars(access_level, meta_overrides)
    stop = _Stop()
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]kho ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # file names may hold "[...]"
        console=console,
        disable=not progress or not console.is_terminal,
        transient=False,
    )
    with stop.installed(), bar:
        task = bar.add_task("", total=len(files))
        last_line = time.perf_counter()
        for i, path in enumerate(files):
            if stop.requested:
                report.interrupted, report.not_processed = True, len(files) - i
                break
            bar.update(task, description=path.name)
            if progress and not console.is_terminal and time.perf_counter() - last_line > 10:
                last_line = time.perf_counter()
                console.print(
                    f"kho ingest: {i}/{len(files)} files, {time.perf_counter() - t0:.0f}s — {path.name}",
                    markup=False,
                    highlight=False,
                )
            try:
                report.results.append(ingest_file(path, registry, settings, sidecars))
            except KeyboardInterrupt:
                report.interrupted, report.not_processed = True, len(files) - i
                break
            bar.advance(task)
    if report.n_documents or registry.versions_missing():
        registry.refresh_versions()  # what the new texts amend or repeal, in every stored document's versions
    report.elapsed = time.perf_counter() - t0
    return report
