"""The `kho` command line: parse, ingest, list documents, fetch models.

Each command is a thin layer over the library; `--json` prints machine-readable output that tests and other
tools rely on (the contract is in README.md).

    kho parse ../shared/corpus/laws/Luat-vien-chuc-2010-115271.txt --json
    kho ingest ../shared/corpus --access-level public
    kho docs --json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import typer

import core  # noqa: F401  (switches telemetry off before anything else is imported)
from core.settings import get_settings
from ingest.chunking import chunk_document
from ingest.formats.base import IngestError
from ingest.ids import doc_id
from ingest.model import AccessLevel, LegalDocument

app = typer.Typer(
    help="Kho tri thức — trợ lý tra cứu văn bản pháp luật (offline).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _err(msg: str) -> None:
    typer.secho(msg, fg=typer.colors.RED, err=True)


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


@app.command()
def parse(
    file: Path = typer.Argument(..., help="a document: TXT, DOCX, PDF, HTML, pháp điển .md or ALQAC .json"),
    as_json: bool = typer.Option(False, "--json", help="print the parsed document as JSON"),
) -> None:
    """Parse one file and print its metadata, legal structure and chunks (nothing is stored)."""
    from ingest.parse import parse_file

    settings = get_settings()
    try:
        docs = parse_file(file, settings)
    except IngestError as exc:
        _err(f"{exc.state.upper()}: {exc}")
        raise typer.Exit(2) from None
    content_hash = hashlib.sha256(file.read_bytes()).hexdigest()
    out = [document_json(d, content_hash, settings.chunk_max_chars) for d in docs]
    if as_json:
        _echo_json(out[0] if len(out) == 1 else out)
        return
    for d in out:
        meta = d["document"]
        typer.echo(f"{meta['title']}  [{meta['loai'] or '?'}] số hiệu {meta['so_hieu'] or '—'}")
        typer.echo(
            f"  cơ quan: {meta['co_quan'] or '—'}; ban hành {meta['ngay_ban_hanh'] or '—'}; "
            f"hiệu lực {meta['ngay_hieu_luc'] or '—'} ({meta['hieu_luc']})"
        )
        typer.echo(f"  {len(d['articles'])} articles, {len(d['chunks'])} chunks")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="files or folders to ingest"),
    access_level: str | None = typer.Option(
        None, "--access-level", help="public | internal | restricted (folder .kho.toml files may raise it)"
    ),
    default_corpus: bool = typer.Option(False, "--default-corpus", help="ingest the demo corpus of corpus/"),
    as_json: bool = typer.Option(False, "--json", help="print the per-file report as JSON"),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
) -> None:
    """Ingest documents: parse, chunk and store them, one atomic step per file; unchanged files are skipped."""
    from corpus import CorpusNotFound, require_default_corpus
    from ingest.job import run_ingest
    from ingest.registry import Registry

    settings = get_settings()
    level = None
    if access_level is not None:
        try:
            level = AccessLevel.from_str(access_level)
        except ValueError as exc:
            _err(f"--access-level: {exc}")
            raise typer.Exit(2) from None
    targets = list(paths or [])
    overrides: dict[Path, dict[str, str]] = {}
    if default_corpus:
        try:
            manifest = require_default_corpus(settings)
        except CorpusNotFound as exc:
            _err(str(exc))
            raise typer.Exit(2) from None
        targets += manifest.paths()
        overrides = manifest.overrides()
    if not targets:
        _err("nothing to ingest: give files or folders, or --default-corpus")
        raise typer.Exit(2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with Registry.from_settings(settings) as registry:
        report = run_ingest(
            targets, registry, settings, access_level=level, progress=progress, meta_overrides=overrides
        )
    if as_json:
        _echo_json(report.to_json())
    else:
        for r in report.results:
            line = f"{r.state.upper():<18} {r.path}"
            if r.n_chunks:
                line += f"  ({r.n_documents} doc, {r.n_chunks} chunks)"
            if r.reason:
                line += f"  — {r.reason}"
            typer.echo(line)
        totals = ", ".join(f"{k}: {v}" for k, v in report.totals.items() if v)
        if report.ignored:
            totals += f"; {len(report.ignored)} non-document files ignored"
        typer.echo(
            f"{len(report.results)} files in {report.elapsed:.1f}s — {totals}; "
            f"{report.n_documents} documents, {report.n_chunks} chunks stored this run"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def docs(
    as_json: bool = typer.Option(False, "--json", help="print the registry as JSON"),
) -> None:
    """List the files and documents in the registry with their state, metadata and chunk counts."""
    from ingest.registry import Registry

    settings = get_settings()
    if not settings.registry_path.exists():
        if as_json:
            _echo_json({"files": [], "documents": []})
        else:
            typer.echo(f"no registry yet at {settings.registry_path}: run `kho ingest PATH...` first")
        return
    with Registry.from_settings(settings) as registry:
        files = registry.list_files()
        documents = registry.list_documents()
    if as_json:
        _echo_json({"files": [f.to_json() for f in files], "documents": [d.to_json() for d in documents]})
        return
    for f in files:
        line = f"{f.state.upper():<18} {f.n_chunks:>6} chunks  {f.path}"
        if f.reason:
            line += f"  — {f.reason}"
        typer.echo(line)
    typer.echo(f"{len(files)} files, {len(documents)} documents, {sum(d.n_chunks for d in documents)} chunks")


@app.command()
def show(
    article: str = typer.Argument(..., help='the article: "Điều 29", "29", or "III" for a plan section'),
    document: str = typer.Option(..., "--document", "-d", help="số hiệu or title of the document"),
) -> None:
    """Print one stored article with its document's metadata (as the citation view will show it)."""
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
    if doc is None:
        _err(f"no stored document matches '{document}' (see `kho docs`)")
        raise typer.Exit(1)
    legal = doc.to_legal_document()
    art = next((a for a in legal.articles if a.number == wanted), None)
    if art is None:
        _err(f"{legal.meta.title} has no article {wanted}")
        raise typer.Exit(1)
    meta = legal.meta
    typer.echo(f"{meta.title} — số hiệu {meta.so_hieu or '—'}, {meta.loai or '?'}, {meta.co_quan or '—'}")
    typer.echo(
        f"ban hành {meta.ngay_ban_hanh or '—'}, hiệu lực {meta.ngay_hieu_luc or '—'} "
        f"({meta.hieu_luc.value}), truy cập: {meta.access_level.value}"
    )
    typer.echo("")
    typer.echo(legal.text[art.start : art.end])


@app.command()
def models(names: list[str] = typer.Argument(None, help="models to fetch (default: all)")) -> None:
    """Fetch, assemble and verify the model weights (cached under KHO_CACHE_DIR/models)."""
    from core.models import ModelError, fetch_all

    try:
        paths = fetch_all(get_settings(), names or None)
    except ModelError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    for name, path in paths.items():
        typer.echo(f"{name}: {path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
