"""`kho serve`: the workdesk and the REST API in one process."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import err


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (non-loopback needs users)"),
    port: int = typer.Option(7860, "--port", help="port to listen on"),
) -> None:
    """Run the workdesk (Gradio, at `/`) and the REST API (`/v1`) in one process."""
    from app.sso import SsoConfigError
    from ui.server import serve as run_server

    try:
        run_server(get_settings(), host=host, port=port)
    except (RuntimeError, SsoConfigError) as exc:  # no users on a network address; a bad single sign-on setting
        err(str(exc))
        raise typer.Exit(2) from None
