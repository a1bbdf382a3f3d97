"""`kho index`: bring the Qdrant index up to date with the registry, and fill in dense vectors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from core.settings import Settings, get_settings
from ui.cli.common import echo_json, err, progress_bar

if TYPE_CHECKING:
    from ingest.registry import Registry


def update_index(registry: Registry, settings: Settings, progress: bool) -> dict[str, Any]:
    """Sync the index with `registry` (what `kho ingest` does after storing); the report as JSON."""
    from index.indexer import Indexer
    from index.store import store_from_settings

    with store_from_settings(settings) as store:
        indexer = Indexer(registry, store, settings)
        rep = indexer.ensure(progress=progress_bar("index") if progress else None)
        out = rep.to_json()
        out["missing_dense"] = store.count(rep.collection, with_dense=False)
        out["points_total"] = store.count(rep.collection)
        return out


def index_summary(r: dict[str, Any]) -> str:
    """One line saying what `update_index` did."""
    if r["rebuilt"]:
        line = f"index: built {r['collection']} ({r['points_total']} chunks)"
    else:
        line = (
            f"index {r['collection']}: {r['points_total']} chunks"
            f" ({r['upserted_documents']} documents updated, {r['deleted_documents']} removed)"
        )
    if r["missing_dense"]:
        line += f"; {r['missing_dense']} without dense vectors yet (BM25 only) — run `kho index --dense`"
    return line


def index_cmd(
    dense: bool = typer.Option(False, "--dense", help="compute missing dense vectors (resumable)"),
    rebuild: bool = typer.Option(False, "--rebuild", help="build a new collection version, then switch to it"),
    limit: int | None = typer.Option(None, "--limit", help="embed at most this many chunks this run"),
    batch: int | None = typer.Option(
        None, "--batch", help="chunks fetched per round (default: 8 embedder batches; 128 on CPU, 8,192 on CUDA)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sync Qdrant with the registry; `--dense` embeds chunks still lacking a dense vector (resumable).

    `--rebuild` builds a new collection version, then switches to it. An interrupted `--dense` keeps what it
    embedded: the same command continues.
    """
    from index.indexer import Indexer
    from index.store import StoreError, store_from_settings
    from ingest.registry import Registry
    from ui.cli.remote import RemoteError, via_server

    settings = get_settings()
    if not settings.registry_path.exists():
        err(f"no registry at {settings.registry_path}: run `kho ingest` first")
        raise typer.Exit(2)
    server = via_server(settings)
    if server is not None:
        if dense or rebuild:  # hours of work on the index: not a request to the service people are using
            err(
                f"kho index {'--dense' if dense else '--rebuild'}: the running server at {server.url} (pid "
                f"{server.pid}) holds the index. Stop it, run this command, then start it again (uploads and "
                "`kho ingest` meanwhile are searchable by BM25 at once; KHO_EMBED_ON_INGEST=1 embeds them as they come)"
            )
            raise typer.Exit(2)
        try:
            synced = server.post_json("/v1/operator/index", {}, timeout=None)
        except RemoteError as exc:
            err(str(exc))
            raise typer.Exit(1) from None
        _print_index(synced, as_json)
        return
    with Registry.from_settings(settings) as registry, store_from_settings(settings) as store:
        indexer = Indexer(registry, store, settings)
        try:
            rep = indexer.rebuild(progress_bar("index")) if rebuild else indexer.ensure(progress_bar("index"))
            out: dict[str, Any] = {"sync": rep.to_json()}
            if dense:
                filled = indexer.fill_dense(batch_size=batch, progress=progress_bar("dense"), limit=limit)
                out["dense"] = filled.to_json()
            indexer.optimize()  # build HNSW for new vectors, vacuum deleted points
        except StoreError as exc:
            err(str(exc))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err("interrupted: what was embedded so far is stored; run the same command to continue")
            raise typer.Exit(130) from None
        current = indexer.current() or rep.collection
        out["collection"] = current
        out["points_total"] = store.count(current)
        out["missing_dense"] = store.count(current, with_dense=False)
    _print_index(out, as_json)


def _print_index(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(out)
    else:
        typer.echo(
            f"{out['collection']}: {out['points_total']} chunks, "
            f"{out['points_total'] - out['missing_dense']} with dense vectors, {out['missing_dense']} without"
        )
