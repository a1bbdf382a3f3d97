"""`kho users`: accounts and their API keys (role + clearance; keys stored hashed)."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import AccessLevel, UserRole, choice, echo_json, err

app = typer.Typer(help="Users and API keys (role + clearance; keys stored hashed).", no_args_is_help=True)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="user name"),
    role: UserRole = typer.Option(..., "--role", parser=choice(UserRole, "--role", "role"), help="what they may do"),
    clearance: AccessLevel = typer.Option(
        AccessLevel.PUBLIC,
        "--clearance",
        parser=choice(AccessLevel, "--clearance", "clearance"),
        help="the highest access level they may read",
    ),
) -> None:
    """Create a user and print their API key once (only its hash is stored)."""
    from app.accounts import AccountError, Accounts

    accounts = Accounts.from_settings(get_settings())
    try:
        key = accounts.add(name, role.value, clearance)
    except AccountError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    finally:
        accounts.close()
    typer.echo(key)
    typer.echo(f"(khóa API của {name}: chỉ hiển thị một lần; gửi kèm 'Authorization: Bearer <khóa>')", err=True)


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json")) -> None:
    """List users with role, clearance, state and audit pseudonym (never their keys)."""
    from app.accounts import Accounts
    from app.audit import load_or_create_key, pseudonym

    settings = get_settings()
    accounts = Accounts.from_settings(settings)
    try:
        users = accounts.list()
    finally:
        accounts.close()
    # The audit log names users by pseudonym only: this is where an administrator maps one back to a person.
    key = load_or_create_key(settings.audit_key_path)
    if as_json:
        echo_json([{**u.to_json(), "audit_id": pseudonym(key, u.name)} for u in users])
        return
    for u in users:
        state = "active" if u.active else f"revoked {u.revoked_at}"
        typer.echo(f"{u.name:<24} {u.role:<10} {u.clearance:<11} kho_{u.key_id}_…  {pseudonym(key, u.name)}  {state}")
    if not users:
        typer.echo("no users yet: `kho users add NAME --role R --clearance C`")


@app.command("revoke")
def revoke(name: str = typer.Argument(..., help="user name")) -> None:
    """Disable a user's API key at once (their workdesk sessions end too)."""
    from app.accounts import AccountError, Accounts

    accounts = Accounts.from_settings(get_settings())
    try:
        accounts.revoke(name)
    except AccountError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    finally:
        accounts.close()
    typer.echo(f"revoked {name}")
