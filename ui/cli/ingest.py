"""`kho parse` and `kho ingest`: read documents, and store them in the registry (then the index)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import typer

from core.settings import get_settings
from ingest.chunking import chunk_document
from ingest.formats.base import IngestError
from ingest.ids import doc_id
from ingest.model import AccessLevel, DocState, LegalDocument
from ui.cli.common import choice, echo_json, err
from ui.cli.index import index_summary, update_index


def document_json(doc: LegalDocument, content_hash: str, max_chars: int) -> dict[str, Any]:
    """The `kho parse --json` contract for one document: metadata, articles with clauses/points, chunks."""
    did = doc_id(content_hash, doc.key)
    chunks = chunk_document(doc, did, max_chars)
    articles = []
    for a in doc.articles:
        src = None
        if a.source is not None:
            src = a.source.to_json()
        articles.append(
            {
                "number": a.number,
                "label": a.label,
                "title": a.title,
                "chapter": a.chapter,
                "section": a.section,
                "start": a.start,
                "end": a.end,
                "source": src,
                "links": a.links,
                "points": [{"letter": p.letter, "start": p.start, "end": p.end} for p in a.points],
                "clauses": [
                    {
                        "number": c.number,
                        "start": c.start,
                        "end": c.end,
                        "points": [{"letter": p.letter, "start": p.start, "end": p.end} for p in c.points],
                    }
                    for c in a.clauses
                ],
            }
        )
    return {
        "id": did,
        "format": doc.fmt,
        "document": doc.meta.to_json(),
        "articles": articles,
        "chunks": [c.to_json() for c in chunks],
        "warnings": doc.warnings,
    }


def parse(
    file: Path = typer.Argument(..., help="a document: TXT, DOCX, PDF, HTML, pháp điển .md or ALQAC .json"),
    as_json: bool = typer.Option(False, "--json", help="print the parsed document as JSON"),
) -> None:
    """Parse one file and print its metadata, articles with clauses/points, and chunks (nothing is stored)."""
    from ingest.parse import parse_file

    settings = get_settings()
    try:
        docs = parse_file(file, settings)
    except IngestError as exc:
        err(f"{exc.state.upper()}: {exc}")
        raise typer.Exit(2) from None
    content_hash = hashlib.sha256(file.read_bytes()).hexdigest()
    out = [document_json(d, content_hash, settings.chunk_max_chars) for d in docs]
    if as_json:
        echo_json(out[0] if len(out) == 1 else out)
        return
    for d in out:
        meta = d["document"]
        typer.echo(f"{meta['title']}  [{meta['loai'] or '?'}] số hiệu {meta['so_hieu'] or '—'}")
        typer.echo(
            f"  cơ quan: {meta['co_quan'] or '—'}; ban hành {meta['ngay_ban_hanh'] or '—'}; "
            f"hiệu lực {meta['ngay_hieu_luc'] or '—'} ({meta['hieu_luc']})"
        )
        typer.echo(f"  {len(d['articles'])} articles, {len(d['chunks'])} chunks")


def ingest(
    paths: list[Path] = typer.Argument(None, help="files or folders to ingest"),
    access_level: AccessLevel | None = typer.Option(
        None,
        "--access-level",
        parser=choice(AccessLevel, "--access-level", "access level"),
        help="the documents' access level (folder .kho.toml files may raise it)",
    ),
    default_corpus: bool = typer.Option(
        False, "--default-corpus", help="also ingest the demo corpus named in corpus/default.toml"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the per-file report as JSON"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show progress on stderr"),
    index: bool = typer.Option(True, "--index/--no-index", help="update the Qdrant index after storing"),
) -> None:
    """Parse, chunk and store files/folders in the registry, one atomic step per file, then update the index.

    Unchanged files are skipped. Every new chunk is searchable by BM25 at once; dense vectors come from the
    embedding cache, or later from `kho index --dense` (or at once with KHO_EMBED_ON_INGEST=1).
    """
    from corpus import CorpusNotFound, require_default_corpus
    from ingest.job import run_ingest
    from ingest.registry import Registry
    from ui.cli.remote import RemoteError, via_server

    settings = get_settings()
    targets = list(paths or [])
    if not targets and not default_corpus:
        err("nothing to ingest: give files or folders, or --default-corpus")
        raise typer.Exit(2)
    server = via_server(settings)
    if server is not None:  # it holds the index: it ingests (the paths are on this machine, so on its too)
        body = {
            "paths": [str(p.expanduser().absolute()) for p in targets],
            "access_level": access_level.value if access_level else None,
            "default_corpus": default_corpus,
            "index": index,
        }
        try:
            out = server.post_json("/v1/operator/ingest", body, timeout=None)
        except RemoteError as exc:
            err(str(exc))
            raise typer.Exit(2 if exc.status == 422 else 1) from None
        _finish(out, as_json)
        return
    overrides: dict[Path, dict[str, str]] = {}
    if default_corpus:
        try:
            manifest = require_default_corpus(settings)
        except CorpusNotFound as exc:
            err(str(exc))
            raise typer.Exit(2) from None
        targets += manifest.paths()
        overrides = manifest.overrides()
    if not targets:
        err("nothing to ingest: give files or folders, or --default-corpus")
        raise typer.Exit(2)
    settings.ensure_data_dir()
    with Registry.from_settings(settings) as registry:
        report = run_ingest(
            targets, registry, settings, access_level=access_level, progress=progress, meta_overrides=overrides
        )
        out = report.to_json()
        out["index"] = None
        if index:
            try:
                out["index"] = update_index(registry, settings, progress and not as_json)
            except Exception as exc:  # the registry is safe; the index catches up on the next run
                out["index_error"] = f"index update failed ({type(exc).__name__}: {exc}); run `kho index` to retry"
    _finish(out, as_json)


def _finish(out: dict[str, Any], as_json: bool) -> None:
    """Print an ingest report (`IngestReport.to_json()` + `index`, `index_error`), as JSON or one line per file;
    exit 1 when a file failed, the run was interrupted or the index could not be updated."""
    if as_json:
        echo_json(out)
    else:
        for r in out["results"]:
            line = f"{r['state'].upper():<18} {r['path']}"
            if r["n_chunks"]:
                line += f"  ({r['n_documents']} doc, {r['n_chunks']} chunks)"
            if r["reason"]:
                line += f"  — {r['reason']}"
            typer.echo(line)
        totals = ", ".join(f"{k}: {v}" for k, v in out["totals"].items() if v)
        if out["ignored"]:
            totals += f"; {len(out['ignored'])} non-document files ignored"
        typer.echo(
            f"{out['n_files']} files in {out['elapsed']:.1f}s — {totals}; "
            f"{out['n_documents_indexed']} documents, {out['n_chunks_indexed']} chunks stored this run"
        )
        if out.get("index"):
            typer.echo(index_summary(out["index"]))
    if out.get("index_error"):
        err(out["index_error"])
        raise typer.Exit(1)
    failed = out["totals"].get(DocState.FAILED.value, 0) + out["totals"].get(DocState.FAILED_NO_TEXT.value, 0)
    if out["interrupted"] or failed:
        raise typer.Exit(1)
