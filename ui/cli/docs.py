"""`kho docs` (the registry's files and documents, `docs remove`) and `kho show` (one stored article)."""

from __future__ import annotations

import typer

from core.settings import get_settings
from ui.cli.common import echo_json, err

app = typer.Typer(no_args_is_help=False)


@app.callback(invoke_without_command=True)
def docs(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print the registry as JSON"),
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="the date each document's standing is derived for (default today)"
    ),
) -> None:
    """Every file's state, metadata and chunk count, and each document's standing derived from the corpus."""
    import datetime as dt

    from ingest.registry import Registry
    from ingest.standing import Standing, standing

    if ctx.invoked_subcommand is not None:
        return
    from core.clock import today_vn

    try:
        day = dt.date.fromisoformat(as_of) if as_of else today_vn()
    except ValueError:
        err(f"--as-of: '{as_of}' is not a date YYYY-MM-DD")
        raise typer.Exit(2) from None

    settings = get_settings()
    if not settings.registry_path.exists():
        if as_json:
            echo_json({"files": [], "documents": []})
        else:
            typer.echo(f"no registry yet at {settings.registry_path}: run `kho ingest PATH...` first")
        return
    with Registry.from_settings(settings) as registry:
        files = registry.list_files()
        documents = registry.list_documents()
        failures = registry.index_failures()
        standings = {
            d.id: standing(
                d.meta,
                (x.relation for x in registry.relations(d.meta.so_hieu or d.meta.title, direction="target")),
                day,
            )
            for d in documents
        }
    if as_json:
        echo_json(
            {
                "files": [f.to_json() for f in files],
                "documents": [{**d.to_json(), "standing": standings[d.id].to_json()} for d in documents],
                "index_failures": [x.to_json() for x in failures],
            }
        )
        return
    for f in files:
        line = f"{f.state.upper():<18} {f.n_chunks:>6} chunks  {f.path}"
        if f.reason:
            line += f"  — {f.reason}"
        typer.echo(line)
    for d in documents:  # what the corpus says ended or limits a document (the rest: nobody here repeals it)
        st = standings[d.id]
        if st.status is not Standing.KHONG_CO_VAN_BAN_BAI_BO:
            since = f" từ {st.since.isoformat()}" if st.since else ""
            by = f" — {st.by}: “{(st.reason or '')[:160]}”" if st.by else (f" — {st.reason}" if st.reason else "")
            typer.echo(f"{st.to_json()['label'].upper():<24} {d.meta.so_hieu or d.meta.title}{since}{by}")
    for x in failures:  # stored, but the index could not take it: not searchable until it changes or is retried
        typer.echo(f"INDEX FAILED       {x.document_id}  ({x.consumer}) — {x.reason}")
    typer.echo(f"{len(files)} files, {len(documents)} documents, {sum(d.n_chunks for d in documents)} chunks")


@app.command("remove")
def remove(
    doc_id: str = typer.Argument(..., help="the document id (see `kho docs --json`)"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Remove one document from the registry and the index (audited as the operating-system user)."""
    import getpass
    from urllib.parse import quote

    from app.services import NotFound, Principal, Services
    from ingest.model import AccessLevel
    from ui.cli.remote import RemoteError, via_server

    settings = get_settings()
    if not yes and not typer.confirm(f"Xóa văn bản {doc_id} khỏi kho (remove document)?"):
        raise typer.Exit(1)
    server = via_server(settings)
    if server is not None:  # it holds the index: it removes (audited as the local operator)
        try:
            server.request_json("DELETE", f"/v1/documents/{quote(doc_id, safe='')}")
        except RemoteError as exc:
            err(
                f"kho docs remove: no document with id {doc_id!r} (không có văn bản này)"
                if exc.status == 404
                else str(exc)
            )
            raise typer.Exit(2 if exc.status == 404 else 1) from None
        typer.echo(f"removed {doc_id}")
        return
    operator = Principal(f"cli:{getpass.getuser()}", "admin", AccessLevel.RESTRICTED)
    with Services.from_settings(settings) as services:
        try:
            services.delete_document(operator, doc_id)
        except NotFound:
            err(f"kho docs remove: no document with id {doc_id!r} (không có văn bản này)")
            raise typer.Exit(2) from None
    typer.echo(f"removed {doc_id}")


def show(
    article: str = typer.Argument(..., help='the article: "Điều 29", "29", or "III" for a plan section'),
    document: str = typer.Option(..., "--document", "-d", help="số hiệu or title of the document"),
) -> None:
    """Print one stored article with its document's metadata, as the citation view shows it.

    Example: `kho show "Điều 29" -d 58/2010/QH12`.
    """
    from ingest.metadata import normalise_so_hieu
    from ingest.registry import Registry

    settings = get_settings()
    wanted = article.split()[-1]
    key = normalise_so_hieu(document)
    with Registry.from_settings(settings) as registry:
        matches = [
            d
            for d in registry.list_documents()
            if normalise_so_hieu(d.meta.so_hieu or "") == key or d.meta.title.lower() == document.lower()
        ]
        doc = registry.get_document(matches[0].id) if matches else None
        version = registry.version(doc.id, wanted) if doc is not None else None
    if doc is None:
        err(f"no stored document matches '{document}' (see `kho docs`)")
        raise typer.Exit(1)
    legal = doc.to_legal_document()
    art = next((a for a in legal.articles if a.number == wanted), None)
    if art is None:
        err(f"{legal.meta.title} has no article {wanted}")
        raise typer.Exit(1)
    meta = legal.meta
    typer.echo(f"{meta.title} — số hiệu {meta.so_hieu or '—'}, {meta.loai or '?'}, {meta.co_quan or '—'}")
    typer.echo(
        f"ban hành {meta.ngay_ban_hanh or '—'}, hiệu lực {meta.ngay_hieu_luc or '—'} "
        f"({meta.hieu_luc.value}), truy cập: {meta.access_level.value}"
    )
    if version is not None:  # this text's version and standing today (`kho versions` lists every text of it)
        from core.clock import today_vn
        from ingest.versions import KIND_LABELS, standing_on, vn_date

        st = standing_on(version, today_vn())
        until = vn_date(version.valid_to) if version.valid_to else "nay"
        typer.echo(f"{KIND_LABELS[version.kind]}, hiệu lực {vn_date(version.valid_from)} – {until} · {st.label}")
        for c in version.changes:
            typer.echo(f"  - {c.describe()}{' (đã gồm trong văn bản này)' if c.included else ''}")
        if st.notice:
            typer.secho(f"  ⚠ {st.notice}", fg=typer.colors.YELLOW)
    typer.echo("")
    typer.echo(legal.text[art.start : art.end])
