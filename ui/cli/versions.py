"""`kho versions`: every stored text of one legal article, the dates each was the law, and what changed."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import AccessLevel, choice, echo_json, parse_day


def versions(
    article: str = typer.Argument(..., help='the article: "Điều 25" or "25"'),
    document: str = typer.Option(..., "--document", "-d", help='số hiệu ("58/2010/QH12") or title'),
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="standing on that day (default today)"
    ),
    clearance: AccessLevel = typer.Option(
        AccessLevel.RESTRICTED, "--as", parser=choice(AccessLevel, "--as", "clearance"), help="the reader's clearance"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the versions (with their text and diffs) as JSON"),
) -> None:
    """Versions of one article (as enacted, consolidated) with their dates, standing and a word diff between them."""
    from app.lineage import article_versions, inline_diff, word_diff
    from core.clock import today_vn
    from ingest.registry import Registry
    from ingest.versions import vn_date

    settings = get_settings()
    if not settings.registry_path.exists():
        typer.echo(f"no registry yet at {settings.registry_path}: run `kho ingest PATH...` first")
        raise typer.Exit(1)
    day = parse_day("--as-of", as_of) if as_of else today_vn()
    with Registry.from_settings(settings) as registry:
        found = article_versions(registry, clearance, document, article, day)
    diffs = [word_diff(a.body, b.body) for a, b in zip(found, found[1:], strict=False)]
    if as_json:
        echo_json(
            {
                "document": document,
                "article": article,
                "as_of": day.isoformat(),
                "versions": [v.to_json() for v in found],
                "diffs": [[{"op": op, "text": t} for op, t in d] for d in diffs],
            }
        )
        return
    if not found:
        typer.echo(f"không có phiên bản nào của {article} {document} trong kho")
        raise typer.Exit(1)
    for i, view in enumerate(found, start=1):
        v = view.version
        until = vn_date(v.valid_to) if v.valid_to else "nay"
        typer.secho(f"{i}. {view.to_json()['kind_label']} — hiệu lực {vn_date(v.valid_from)} – {until}", bold=True)
        typer.echo(f"   {view.title}{f' ({view.so_hieu})' if view.so_hieu else ''} · {view.standing.label}")
        for c in v.changes:
            mark = " (đã gồm trong văn bản này)" if c.included else ""
            typer.echo(f"   - {c.describe()}{mark}")
            typer.echo(f"     «{c.sentence.strip()[:300]}»")
        if view.standing.notice:
            typer.secho(f"   ⚠ {view.standing.notice}", fg=typer.colors.YELLOW)
    for i, d in enumerate(diffs, start=1):
        typer.secho(f"\nThay đổi từ phiên bản {i} sang {i + 1}:", bold=True)
        if all(op == "=" for op, _ in d):
            typer.echo("   (không khác về lời văn)")
            continue
        typer.echo("   " + inline_diff(d).replace("\n", "\n   "))
