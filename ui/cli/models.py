"""`kho models`: fetch the model weights."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import err


def models(names: list[str] = typer.Argument(None, help="models to fetch (default: all)")) -> None:
    """Fetch, assemble and verify the model weights (cached under KHO_CACHE_DIR/models; `make models`)."""
    from core.models import ModelError, fetch_all
    from index import gemma_openvino, static_model

    settings = get_settings()
    # The static embedder and the OpenVINO export are built here from their verified teacher, once it is fetched.
    # The static embedder only when named or configured: on ALQAC it lowers hybrid MRR@10 (README, "CPU embedders"),
    # so a default `make models` does not spend the ~7-15 min of teacher time on it.
    build_static = static_model.NAME in (names or []) or (not names and settings.embedder == static_model.NAME)
    build_openvino = not names or gemma_openvino.NAME in names
    fetched = [n for n in names or [] if n not in (static_model.NAME, gemma_openvino.NAME)]
    try:
        paths = fetch_all(settings, fetched or None) if fetched or not names else {}
        if build_static:
            if static_model.TEACHER not in paths:
                paths.update(fetch_all(settings, [static_model.TEACHER]))
            paths[static_model.NAME] = static_model.ensure(settings, say=_say)
        if build_openvino:
            if gemma_openvino.TEACHER not in paths:
                paths.update(fetch_all(settings, [gemma_openvino.TEACHER]))
            paths[gemma_openvino.NAME] = gemma_openvino.ensure(settings, say=_say)
    except ModelError as exc:
        err(str(exc))
        raise typer.Exit(1) from None
    for name, path in paths.items():
        typer.echo(f"{name}: {path}")


def _say(message: str) -> None:
    typer.echo(f"[models] {message}", err=True)
