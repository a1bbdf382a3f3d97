"""`kho models`: fetch the model weights."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import err


def models(names: list[str] = typer.Argument(None, help="models to fetch (default: all)")) -> None:
    """Fetch, assemble and verify the model weights (cached under KHO_CACHE_DIR/models; `make models`)."""
    from core.models import ModelError, fetch_all

    try:
        paths = fetch_all(get_settings(), names or None)
    except ModelError as exc:
        err(str(exc))
        raise typer.Exit(1) from None
    for name, path in paths.items():
        typer.echo(f"{name}: {path}")
