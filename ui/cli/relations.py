"""`kho relations`: the legal relations stored for a document (amended, supplemented, repealed, cited by whom)."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import echo_json, err

DIRECTIONS = ("both", "source", "target")


def relations(
    document: str = typer.Argument(..., help='số hiệu ("58/2010/QH12"), title, or stored document id'),
    article: str | None = typer.Option(None, "--article", "-a", help='only this article ("29")'),
    direction: str = typer.Option("both", "--direction", help="target (acted on), source (acting), or both"),
    as_json: bool = typer.Option(False, "--json", help="print the relations as JSON"),
) -> None:
    """Relations where DOCUMENT is the source or the target, with effective date and the text they come from."""
    from ingest.registry import Registry

    if direction not in DIRECTIONS:
        err(f"kho relations: --direction '{direction}' is not one of: {', '.join(DIRECTIONS)}")
        raise typer.Exit(2)
    settings = get_settings()
    if not settings.registry_path.exists():
        if as_json:
            echo_json({"relations": []})
        else:
            typer.echo(f"no registry yet at {settings.registry_path}: run `kho ingest PATH...` first")
        return
    number = article.removeprefix("Điều").strip() if article else None
    with Registry.from_settings(settings) as registry:
        found = registry.relations(document, number, direction)
    if as_json:
        echo_json({"relations": [r.to_json() for r in found]})
        return
    for stored in found:
        r = stored.relation
        t = r.target
        where = " ".join(x for x in (f"điểm {t.point}" if t.point else "", f"khoản {t.clause}" if t.clause else "",
                                      f"Điều {t.article}" if t.article else "") if x)  # fmt: skip
        by = f"Điều {r.source_article} {r.source_document}" if r.source_article else r.source_document
        when = r.effective.isoformat() if r.effective else "?"
        flag = "" if r.status.value == "applied" else f"  [needs_review: {r.reason}]"
        typer.echo(f"{r.kind.value:<10} {when}  {where or '(toàn văn)'} {t.document or '?'}  ← {by}{flag}")
    typer.echo(f"{len(found)} relations")
