"""The `kho` command line: one module per command group, each a thin layer over the library.

`--json` prints machine-readable output that tests and other tools rely on (the contract is in README.md, whose
command table `ui.cli.doc` generates from this app's own help). `python -m ui.cli` runs the same app.

    kho parse ../shared/corpus/laws/Luat-vien-chuc-2010-115271.txt --json
    kho ingest ../shared/corpus --access-level public
    kho docs --json
"""

from __future__ import annotations

import typer

import core  # noqa: F401  (switches telemetry off before anything else is imported)
from ui.cli import audit, backup, docs, eval, index, ingest, models, relations, search, serve, users, versions

app = typer.Typer(
    help="Kho tri thức — trợ lý tra cứu văn bản pháp luật (offline).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _private_files() -> None:
    # before any command writes: the data dir's files (audit log, accounts, keys) are created 0600, folders 0700
    from core.fs import secure_umask

    secure_umask()


# The order here is the order of `kho --help` and of README's command table.
app.command("parse")(ingest.parse)
app.command("ingest")(ingest.ingest)
app.command("index")(index.index_cmd)
app.command("search")(search.search)
app.command("ask")(search.ask)
app.add_typer(docs.app, name="docs")
app.command("show")(docs.show)
app.command("relations")(relations.relations)
app.command("versions")(versions.versions)
app.command("decide")(relations.decide)
app.command("models")(models.models)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(eval.app, name="eval")

__all__ = ["app"]
