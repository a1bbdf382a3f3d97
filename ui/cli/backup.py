"""`kho backup` / `kho restore`: a consistent copy of the data dir, and its verified restore (`app.backup`).

While `kho serve` runs on the data dir it holds the embedded index, so `kho backup` asks it to take the backup
(`POST /v1/operator/backup`, under the server's write lock); otherwise the backup is taken in this process, which
then holds the index itself. `kho restore` never runs beside a server on the target: stop it first.

    kho backup /srv/backups/kho
    kho restore /srv/backups/kho --into /srv/kho-data
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import typer

from core.settings import Settings, get_settings
from ui.cli.common import echo_json, err


def _operator() -> tuple[str, str]:
    """Who runs the command, as the audit log names an operator at the machine (`cli:<user>`, admin)."""
    return f"cli:{getpass.getuser()}", "admin"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def take_backup(settings: Settings, dest: Path) -> dict[str, Any]:
    """Back up `settings.data_dir` into a new folder under `dest`: through the running server when there is one,
    else in this process. Returns the manifest (with `folder`); `BackupError`/`RemoteError` say why not."""
    from ui.cli.remote import via_server

    server = via_server(settings)
    if server is not None:
        return server.post_json("/v1/operator/backup", {"dir": str(dest.resolve())}, timeout=None)
    from app.permissions import Principal
    from app.services import Services
    from ingest.model import AccessLevel

    name, role = _operator()
    services = Services(settings)
    try:
        return services.backup(Principal(name, "admin", AccessLevel.RESTRICTED), dest)
    finally:
        services.close()


def backup(
    dest: Path = typer.Argument(..., help="folder that receives the backup (a new <timestamp>/ folder inside it)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Back up the data dir (registry, audit log, accounts, conversations, eval history, uploads, keys, index).

    Consistent while the server runs (SQLite's online backup; the index copied while writes are held). The backup
    folder is private (0700/0600: it holds keys and accounts) and carries a manifest with every file's SHA-256.
    """
    from app.backup import BackupError
    from index.store import StoreError
    from ui.cli.remote import RemoteError

    try:
        manifest = take_backup(get_settings(), dest)
    except (BackupError, StoreError, RemoteError) as exc:
        err(f"backup failed: {exc}")
        raise typer.Exit(1) from None
    if as_json:
        echo_json(manifest)
        return
    counts = manifest["counts"]
    index = manifest["index"]
    size = sum(int(f["size"]) for f in manifest["files"])
    typer.echo(f"backup written: {manifest['folder']}")
    typer.echo(
        f"  {counts.get('documents', 0)} documents, {counts.get('chunks', 0)} chunks, "
        f"{counts.get('audit_events', 0)} audit events (head seq {manifest['audit_head'].get('seq')}), "
        f"{counts.get('accounts', 0)} accounts, {counts.get('conversations', 0)} conversations, "
        f"{counts.get('eval_runs', 0)} eval runs"
    )
    typer.echo(
        f"  index: {index['engine']} {index['collection'] or '(none)'}, {index['points']} points "
        f"({index['dense_points']} with dense vectors), captured by {index['how']}"
    )
    typer.echo(f"  {len(manifest['files'])} files, {_size(size)}; took {sum(manifest['timings_s'].values()):.1f} s")


def restore(
    source: Path = typer.Argument(..., help="a backup folder, or a folder of backups (the newest is taken)"),
    into: Path | None = typer.Option(None, "--into", help="data dir to restore into (default: KHO_DATA_DIR)"),
    force: bool = typer.Option(False, "--force", help="move the target's current data aside (never deleted)"),
    rebuild_index: bool = typer.Option(False, "--rebuild-index", help="rebuild the index from the registry"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Restore a backup into an empty data dir, after checking every file's checksum, the versions and the counts.

    Refuses a damaged or changed file (named), a newer format or schema, another embedder (both named), a running
    server on the target, and a target that already holds data unless --force. The index is checked against the
    manifest and rebuilt from the registry when it is missing or does not match.
    """
    from app.backup import BackupError, restore_backup
    from app.review import MIGRATIONS as REVIEW_MIGRATIONS
    from eval.runs import MIGRATIONS as EVAL_MIGRATIONS
    from index.store import StoreError
    from ui.cli.remote import find_server

    settings = get_settings()
    if into is not None:
        settings = settings.model_copy(update={"data_dir": into.expanduser().absolute()})
    server = find_server(settings)
    if server is not None:
        err(
            f"a server is running on {settings.data_dir} (pid {server.pid}, {server.url}): stop it before restoring "
            "into its data dir"
        )
        raise typer.Exit(1)
    extra = {
        "eval/runs.sqlite3": [f.__name__ for f in EVAL_MIGRATIONS.steps],
        "review.sqlite3": [f.__name__ for f in REVIEW_MIGRATIONS.steps],
    }
    say = None if as_json else (lambda msg: typer.echo(f"  {msg}", err=True))
    try:
        report = restore_backup(
            source,
            settings,
            force=force,
            rebuild_index=rebuild_index,
            actor=_operator(),
            extra_migrations=extra,
            progress=say,
        )
    except (BackupError, StoreError) as exc:
        err(f"restore refused: {exc}")
        raise typer.Exit(1) from None
    if as_json:
        echo_json(report.to_json())
        return
    c = report.counts
    typer.echo(f"restored {report.backup} into {report.data_dir}")
    typer.echo(
        f"  {c.get('documents', 0)} documents, {c.get('chunks', 0)} chunks, {c.get('audit_events', 0)} audit events "
        f"(chain verified), {c.get('accounts', 0)} accounts, {c.get('conversations', 0)} conversations, "
        f"{c.get('eval_runs', 0)} eval runs; {report.files} files, {_size(report.bytes)} checked"
    )
    typer.echo(f"  index: {report.index['how']}, {report.index['points']} points in {report.index['collection']}")
    for note in report.notes:
        typer.echo(f"  note: {note}")
    if report.moved_aside:
        typer.echo(f"  the previous data is kept at {report.moved_aside}")
    typer.echo(f"  took {report.timings_s['total']:.1f} s")
