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
        flag = "" if r.status.value == "applied" else f"  [{r.status.value}: {r.reason}]"
        if r.found_by.value != "rule":
            flag += f"  [{r.found_by.value}]"
        typer.echo(
            f"{stored.key}  {r.kind.value:<10} {when}  {where or '(toàn văn)'} {t.document or '?'}  ← {by}{flag}"
        )
    typer.echo(f"{len(found)} relations")


def decide(
    key: str = typer.Argument(..., help="the relation's key (`kho relations DOCUMENT` shows it)"),
    apply: bool = typer.Option(False, "--apply", help="apply it (correcting the target or date if given)"),
    reject: bool = typer.Option(False, "--reject", help="the text does not state it: never apply it"),
    reason: str = typer.Option(..., "--reason", help="why (kept with the decision and shown beside the relation)"),
    document: str | None = typer.Option(None, "--document", help="corrected target document number"),
    article: str | None = typer.Option(None, "--article", help="corrected target article"),
    clause: str | None = typer.Option(None, "--clause", help="corrected target clause"),
    point: str | None = typer.Option(None, "--point", help="corrected target point"),
    effective: str | None = typer.Option(None, "--effective", metavar="YYYY-MM-DD", help="corrected effective date"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """An administrator's decision on one extracted relation (audited as the operating-system user)."""
    import getpass
    from urllib.parse import quote

    from app.services import NotFound, Principal, Services
    from ingest.model import AccessLevel
    from ingest.relations import LegalRef
    from ui.cli.common import parse_day
    from ui.cli.remote import RemoteError, via_server

    if apply == reject:
        err("kho decide: give exactly one of --apply, --reject")
        raise typer.Exit(2)
    day = parse_day("--effective", effective) if effective else None
    target = LegalRef(document, article.removeprefix("Điều").strip() if article else None, clause, point)
    settings = get_settings()
    server = via_server(settings)
    if server is not None:  # it holds the index: it decides (audited as the local operator)
        body = {
            "decision": "apply" if apply else "reject",
            "reason": reason,
            "target_document": target.document,
            "target_article": target.article,
            "target_clause": target.clause,
            "target_point": target.point,
            "effective": day.isoformat() if day else None,
        }
        try:
            out = server.post_json(f"/v1/relations/{quote(key, safe='')}/decision", body)
        except RemoteError as exc:
            err(f"kho decide: no relation with key {key!r}" if exc.status == 404 else f"kho decide: {exc}")
            raise typer.Exit(2 if exc.status in (404, 422) else 1) from None
    else:
        operator = Principal(f"cli:{getpass.getuser()}", "admin", AccessLevel.RESTRICTED)
        with Services.from_settings(settings) as services:
            try:
                decided = services.decide_relation(operator, key, "apply" if apply else "reject", reason, target, day)
            except NotFound:
                err(f"kho decide: no relation with key {key!r}")
                raise typer.Exit(2) from None
            except ValueError as exc:
                err(f"kho decide: {exc}")
                raise typer.Exit(2) from None
        out = decided.to_json()
    if as_json:
        echo_json(out)
        return
    typer.echo(
        f"{key}: {out['status']} ({out['found_by']}) {out['kind']} {out['target']['document']} "
        f"Điều {out['target']['article']}"
    )
