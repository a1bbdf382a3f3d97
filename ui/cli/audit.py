"""`kho audit`: export and verify the audit log (append-only, hash-chained)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from core.settings import get_settings
from ui.cli.common import ExportFormat, choice, echo_json, err, parse_day

if TYPE_CHECKING:
    from app.permissions import Principal

app = typer.Typer(
    help="The audit log (append-only, hash-chained; personal data masked, users pseudonymised).", no_args_is_help=True
)

AUDIT_EXPORT_ROLES = ("legal", "admin")


def audit_path() -> Path:
    """The audit database; exit 1 saying so when there is none yet."""
    path = get_settings().audit_path
    if not path.exists():
        err(f"no audit log yet at {path}")
        raise typer.Exit(1)
    return path


def exporter(key: str | None) -> Principal:
    """The principal of `key` (or $KHO_API_KEY) when it is a legal or admin user's; exit 2 otherwise."""
    from app.accounts import Accounts

    if not key:
        err(
            "Cần khóa API của người dùng pháp chế hoặc quản trị: --key KEY hoặc biến môi trường KHO_API_KEY. / "
            "An API key of a legal or admin user is required: --key KEY or the KHO_API_KEY environment variable."
        )
        raise typer.Exit(2)
    accounts = Accounts.from_settings(get_settings())
    try:
        who = accounts.authenticate(key)
    finally:
        accounts.close()
    if who is None or who.role not in AUDIT_EXPORT_ROLES:
        err(
            "Khóa API không hợp lệ hoặc không thuộc vai trò pháp chế/quản trị (--key / KHO_API_KEY). / "
            "The API key is not valid or not a legal/admin user's (--key / KHO_API_KEY)."
        )
        raise typer.Exit(2)
    return who


@app.command("export")
def export(
    since: str = typer.Option(..., "--since", help="first day to export, YYYY-MM-DD (UTC)"),
    fmt: ExportFormat = typer.Option(
        ExportFormat.JSONL, "--format", parser=choice(ExportFormat, "--format", "format"), help="output format"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="write here instead of stdout"),
    key: str | None = typer.Option(
        None, "--key", envvar="KHO_API_KEY", show_envvar=True, help="API key of a legal or admin user"
    ),
) -> None:
    """Export the audit log from a date on, for the legal department (legal/admin key; the export is audited).

    Personal data is masked and users are named by pseudonym; the key comes from `--key` or KHO_API_KEY.
    """
    from app.audit import AuditEvent, AuditLog

    day = parse_day("--since", since)
    who = exporter(key)
    log = AuditLog(audit_path())
    try:
        count = sum(1 for _ in log.events(day))
        text = log.export(day, fmt.value)
        log.record(
            AuditEvent(
                user=who.name,
                role=who.role,
                event="audit_export",
                details={"since": day.isoformat(), "format": fmt.value, "count": count},
            )
        )
    finally:
        log.close()
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the audit log's hash chain: exit 1 naming any altered, deleted or inserted row."""
    from app.audit import AuditLog

    log = AuditLog(audit_path())
    try:
        problems = log.verify()
        rows = sum(1 for _ in log.events())
    finally:
        log.close()
    if as_json:
        echo_json({"ok": not problems, "rows": rows, "problems": problems})
    elif problems:
        for p in problems:
            err(p)
    else:
        typer.echo(f"audit log intact: {rows} row(s), hash chain and head anchor verified")
    if problems:
        raise typer.Exit(1)
