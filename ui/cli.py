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
from typing import TYPE_CHECKING, Any

import typer

import core  # noqa: F401  (switches telemetry off before anything else is imported)
from core.settings import get_settings
from ingest.chunking import chunk_document
from ingest.formats.base import IngestError
from ingest.ids import doc_id
from ingest.model import AccessLevel, LegalDocument

if TYPE_CHECKING:
    from index.search import Mode

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


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _err(msg: str) -> None:
    typer.secho(msg, fg=typer.colors.RED, err=True)


def _check_mode(mode: str) -> Mode:
    """`--mode` as a search mode; exit 2 with the choices when it names none."""
    from index.search import MODES

    if mode not in MODES:
        _err(f"--mode must be one of {', '.join(MODES)}")
        raise typer.Exit(2)
    return mode


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
    index: bool = typer.Option(True, "--index/--no-index", help="update the Qdrant index after storing"),
) -> None:
    """Ingest documents: parse, chunk and store them, one atomic step per file; unchanged files are skipped.

    The Qdrant index is then brought up to date: every new chunk is searchable by BM25 at once; dense vectors
    come from the embedding cache, or later from `kho index --dense` (or at once with KHO_EMBED_ON_INGEST=1).
    """
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
    settings.ensure_data_dir()
    index_report: dict[str, Any] | None = None
    index_error: str | None = None
    with Registry.from_settings(settings) as registry:
        report = run_ingest(
            targets, registry, settings, access_level=level, progress=progress, meta_overrides=overrides
        )
        if index:
            try:
                index_report = _update_index(registry, settings, progress and not as_json)
            except Exception as exc:  # the registry is safe; the index catches up on the next run
                index_error = f"index update failed ({type(exc).__name__}: {exc}); run `kho index` to retry"
    if as_json:
        out = report.to_json()
        out["index"] = index_report
        if index_error:
            out["index_error"] = index_error
        _echo_json(out)
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
        if index_report:
            typer.echo(_index_summary(index_report))
    if index_error:
        _err(index_error)
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)


def _bar(label: str) -> Any:
    """A progress callback printing `label done/total` on stderr, at most every 2 s."""
    import time

    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 2 or done == total:
            last[0] = now
            typer.echo(f"\r{label} {done}/{total}", err=True, nl=done == total)

    return report


def _update_index(registry: Any, settings: Any, progress: bool) -> dict[str, Any]:
    from index.indexer import Indexer
    from index.store import store_from_settings

    with store_from_settings(settings) as store:
        indexer = Indexer(registry, store, settings)
        rep = indexer.ensure(progress=_bar("index") if progress else None)
        out = rep.to_json()
        out["missing_dense"] = store.count(rep.collection, with_dense=False)
        out["points_total"] = store.count(rep.collection)
        return out


def _index_summary(r: dict[str, Any]) -> str:
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


@app.command("index")
def index_cmd(
    dense: bool = typer.Option(False, "--dense", help="compute missing dense vectors (resumable)"),
    rebuild: bool = typer.Option(False, "--rebuild", help="build a new collection version, then switch to it"),
    limit: int | None = typer.Option(None, "--limit", help="embed at most this many chunks this run"),
    batch: int | None = typer.Option(
        None, "--batch", help="chunks fetched per round (default: 8 embedder batches; 128 on CPU, 1024 on CUDA)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Bring the Qdrant index up to date with the registry; with --dense, fill in dense vectors."""
    from index.indexer import Indexer
    from index.store import StoreError, store_from_settings
    from ingest.registry import Registry

    settings = get_settings()
    if not settings.registry_path.exists():
        _err(f"no registry at {settings.registry_path}: run `kho ingest` first")
        raise typer.Exit(2)
    with Registry.from_settings(settings) as registry, store_from_settings(settings) as store:
        indexer = Indexer(registry, store, settings)
        try:
            rep = indexer.rebuild(_bar("index")) if rebuild else indexer.ensure(_bar("index"))
            out: dict[str, Any] = {"sync": rep.to_json()}
            if dense:
                filled = indexer.fill_dense(batch_size=batch, progress=_bar("dense"), limit=limit)
                out["dense"] = filled.to_json()
            indexer.optimize()  # build HNSW for new vectors, vacuum deleted points
        except StoreError as exc:
            _err(str(exc))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _err("interrupted: what was embedded so far is stored; run the same command to continue")
            raise typer.Exit(130) from None
        current = indexer.current() or rep.collection
        out["collection"] = current
        out["points_total"] = store.count(current)
        out["missing_dense"] = store.count(current, with_dense=False)
    if as_json:
        _echo_json(out)
    else:
        typer.echo(
            f"{current}: {out['points_total']} chunks, "
            f"{out['points_total'] - out['missing_dense']} with dense vectors, {out['missing_dense']} without"
        )


def _filters(
    user_level: str,
    types: list[str],
    issuers: list[str],
    year_from: int | None,
    year_to: int | None,
    validity: list[str],
    numbers: list[str],
) -> Any:
    from index.payload import ACCESS_RANK, norm_label, norm_number
    from index.store import Filters
    from ingest.model import Validity

    level = AccessLevel.from_str(user_level)
    for v in validity:
        Validity.from_str(v)  # a clear error for a wrong value
    return Filters(
        max_access_rank=ACCESS_RANK[level],
        types=tuple(x for x in (norm_label(t) for t in types) if x),
        issuers=tuple(x for x in (norm_label(t) for t in issuers) if x),
        year_from=year_from,
        year_to=year_to,
        validity=tuple(validity),
        numbers=tuple(x for x in (norm_number(n) for n in numbers) if x),
    )


@app.command()
def search(
    query: str = typer.Argument(..., help="the question or keywords, in Vietnamese"),
    k: int = typer.Option(10, "--k", "-k", help="how many hits"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | bm25 | dense"),
    types: list[str] = typer.Option([], "--type", help="document type (Luật, Nghị định, …); repeatable"),
    issuers: list[str] = typer.Option([], "--issuer", help="issuing body (Quốc hội, Chính phủ, …); repeatable"),
    year_from: int | None = typer.Option(None, "--from-year", help="issued in or after this year"),
    year_to: int | None = typer.Option(None, "--to-year", help="issued in or before this year"),
    validity: list[str] = typer.Option([], "--validity", help="con_hieu_luc | het_hieu_luc | …; repeatable"),
    numbers: list[str] = typer.Option([], "--number", help="document number (số hiệu); repeatable"),
    access_level: str = typer.Option("public", "--as", help="the reader's clearance: public | internal | restricted"),
    chunks: bool = typer.Option(False, "--chunks", help="list chunks, not one hit per article"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search the indexed documents: hybrid BM25 + dense, filtered inside Qdrant by metadata and clearance."""
    from index.search import Searcher
    from index.store import StoreError, store_from_settings

    settings = get_settings()
    _check_mode(mode)
    try:
        filters = _filters(access_level, types, issuers, year_from, year_to, validity, numbers)
    except ValueError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    with store_from_settings(settings) as store:
        try:
            searcher = Searcher(store, settings)
            result = searcher.search(query, k=k, mode=mode, filters=filters, article_level=not chunks)  # type: ignore[arg-type]
        except (StoreError, ValueError) as exc:
            _err(str(exc))
            raise typer.Exit(1) from None
    if as_json:
        _echo_json(
            {
                "query": query,
                "mode": mode,
                "k": k,
                "timings_ms": result.timings_ms,
                "hits": [h.to_json() for h in result.hits],
            }
        )
        return
    if result.timings_ms.get("dense_unavailable"):
        typer.secho("(BM25 only: this index has no dense vectors yet — run `kho index --dense`)", err=True)
    if not result.hits:
        typer.echo("không tìm thấy kết quả phù hợp")
        return
    for i, h in enumerate(result.hits, start=1):
        typer.secho(f"{i:>2}. {h.anchor}  [{h.score:.4f}]", bold=True)
        typer.echo(f"    {' › '.join(h.heading_path)}  ({h.hieu_luc})")
        text = h.text if len(h.text) <= 400 else h.text[:400].rstrip() + " …"
        typer.echo("    " + text.replace("\n", "\n    "))


@app.command()
def ask(
    question: str = typer.Argument(..., help="the question, in Vietnamese"),
    extractive: bool = typer.Option(False, "--extractive", help="quote the governing clauses, no LLM (instant)"),
    k: int | None = typer.Option(
        None, "--k", help="how many sources the answer may cite (default KHO_ANSWER_SOURCES: 3 on CPU, 6 on a server)"
    ),
    mode: str = typer.Option("hybrid", "--mode", help="retrieval: hybrid | bm25 | dense"),
    access_level: str = typer.Option("public", "--as", help="the reader's clearance: public | internal | restricted"),
    types: list[str] = typer.Option([], "--type", help="only documents of this type; repeatable"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Answer a question from the indexed documents, every claim cited and checked; refuses without evidence."""
    from assistant.pipeline import AskOptions, Assistant
    from index.search import Searcher
    from index.store import StoreError, store_from_settings

    _check_mode(mode)
    try:
        filters = _filters(access_level, types, [], None, None, [], [])
    except ValueError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    settings = get_settings()
    stream = None if as_json or extractive else (lambda t: typer.echo(t, nl=False))
    with store_from_settings(settings) as store:
        try:
            assistant = Assistant(Searcher(store, settings))
            options = AskOptions(k=k, mode=mode, filters=filters, extractive=extractive)  # type: ignore[arg-type]
            answer = assistant.ask(question, options=options, on_token=stream)
        except (StoreError, ValueError) as exc:
            _err(str(exc))
            raise typer.Exit(1) from None
        except Exception as exc:  # LLM backend down, model missing: say what to do
            from assistant.llm import LLMError

            if isinstance(exc, LLMError):
                _err(f"{exc}\n(tip: `kho ask --extractive` answers without an LLM)")
                raise typer.Exit(1) from None
            raise
    if as_json:
        _echo_json(answer.to_json())
        return
    labels = {"verified": "đã kiểm chứng", "partially_verified": "kiểm chứng một phần", "unverified": "chưa kiểm chứng"}
    if stream is not None and not answer.refused:
        typer.echo(f"\n\nSau kiểm chứng ({labels[answer.verification.value]}):")
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\nCăn cứ:")
        for c in answer.citations:
            typer.echo(f"  [{c.marker}] {c.hit.anchor} ({c.hit.hieu_luc})")
    typer.echo(f"\n({answer.verification.value}; {answer.latency_s:.1f} s)")


eval_app = typer.Typer(
    help="Evaluate: the whole suite (`run`, `runs`, `report`, `compare`, `gate`, `feedback`) or one part.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set (../shared/eval/*.jsonl)"),
    limit: int | None = typer.Option(None, "--limit", help="only the first N questions"),
    mode: str = typer.Option("hybrid", "--mode", help="bm25 | dense | hybrid"),
    subset: str | None = typer.Option(
        None, "--subset", help="glob under the corpus dir: index only these files, keep questions answerable there"
    ),
    fill_dense: bool = typer.Option(
        True,
        "--fill-dense/--available-dense",
        help="compute missing dense vectors first (default), or search with those that exist",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recall@1/5/10, MRR@10, nDCG@10 and latency of search on an evaluation set."""
    from eval.retrieval import DatasetError, run_retrieval_eval

    search_mode = _check_mode(mode)
    settings = get_settings()

    def say(msg: str) -> None:
        typer.echo(msg, err=True)

    try:
        report = run_retrieval_eval(
            dataset,
            settings,
            mode=search_mode,
            limit=limit,
            subset=subset,
            fill_dense=fill_dense,
            say=say,  # type: ignore[arg-type]
        )
    except (DatasetError, ValueError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    data = report.to_json()
    if as_json:
        _echo_json(data)
        return
    typer.echo(f"{data['dataset']} ({data['corpus']}), mode {mode}, n={data['n']}")
    for key in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50", "latency_ms_p95"):
        typer.echo(f"  {key:<15} {data.get(key)}")
    if data["dense_coverage"] is not None and data["dense_coverage"] < 1:
        typer.echo(f"  dense vectors for {data['dense_coverage']:.1%} of chunks only")


docs_app = typer.Typer(help="the registry's files and documents", no_args_is_help=False)
app.add_typer(docs_app, name="docs")


@docs_app.command("remove")
def docs_remove(
    doc_id: str = typer.Argument(..., help="the document id (see `kho docs --json`)"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Remove one document from the registry and the index (audited as the operating-system user)."""
    import getpass

    from app.services import NotFound, Principal, Services
    from ingest.model import AccessLevel

    settings = get_settings()
    if not yes and not typer.confirm(f"Xóa văn bản {doc_id} khỏi kho (remove document)?"):
        raise typer.Exit(1)
    operator = Principal(f"cli:{getpass.getuser()}", "admin", AccessLevel.RESTRICTED)
    with Services.from_settings(settings) as services:
        try:
            services.delete_document(operator, doc_id)
        except NotFound:
            _err(f"kho docs remove: no document with id {doc_id!r} (không có văn bản này)")
            raise typer.Exit(2) from None
    typer.echo(f"removed {doc_id}")


@docs_app.callback(invoke_without_command=True)
def docs(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print the registry as JSON"),
) -> None:
    """List the files and documents in the registry with their state, metadata and chunk counts."""
    from ingest.registry import Registry

    if ctx.invoked_subcommand is not None:
        return

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
        failures = registry.index_failures()
    if as_json:
        _echo_json(
            {
                "files": [f.to_json() for f in files],
                "documents": [d.to_json() for d in documents],
                "index_failures": [x.to_json() for x in failures],
            }
        )
        return
    for f in files:
        line = f"{f.state.upper():<18} {f.n_chunks:>6} chunks  {f.path}"
        if f.reason:
            line += f"  — {f.reason}"
        typer.echo(line)
    for x in failures:  # stored, but the index could not take it: not searchable until it changes or is retried
        typer.echo(f"INDEX FAILED       {x.document_id}  ({x.consumer}) — {x.reason}")
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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (non-loopback needs users)"),
    port: int = typer.Option(7860, "--port", help="port to listen on"),
) -> None:
    """Run the digital workdesk (Gradio, at /) and the REST API (/v1) in one process."""
    from ui.server import serve as run_server

    try:
        run_server(get_settings(), host=host, port=port)
    except RuntimeError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None


users_app = typer.Typer(help="Users and API keys (role + clearance; keys stored hashed).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="user name"),
    role: str = typer.Option(..., "--role", help="staff | legal | admin | evaluator"),
    clearance: str = typer.Option("public", "--clearance", help="public | internal | restricted"),
) -> None:
    """Create a user and print their API key — shown once, only its hash is stored."""
    from app.accounts import AccountError, Accounts

    accounts = Accounts.from_settings(get_settings())
    try:
        key = accounts.add(name, role, clearance)
    except AccountError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    finally:
        accounts.close()
    typer.echo(key)
    typer.echo(f"(khóa API của {name}: chỉ hiển thị một lần; gửi kèm 'Authorization: Bearer <khóa>')", err=True)


@users_app.command("list")
def users_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List users with role, clearance and state (never their keys)."""
    from app.accounts import Accounts
    from app.audit import load_or_create_key, pseudonym

    settings = get_settings()
    accounts = Accounts.from_settings(settings)
    try:
        users = accounts.list()
    finally:
        accounts.close()
    # The audit log names users by pseudonym only: this is where an administrator maps one back to a person.
    key = load_or_create_key(settings.data_dir / "audit.key")
    if as_json:
        _echo_json([{**u.to_json(), "audit_id": pseudonym(key, u.name)} for u in users])
        return
    for u in users:
        state = "active" if u.active else f"revoked {u.revoked_at}"
        typer.echo(
            f"{u.name:<24} {u.role:<10} {u.clearance:<11} kho_{u.key_id}_…  {pseudonym(key, u.name)}  {state}"
        )
    if not users:
        typer.echo("no users yet: `kho users add NAME --role R --clearance C`")


@users_app.command("revoke")
def users_revoke(name: str = typer.Argument(..., help="user name")) -> None:
    """Disable a user's API key at once (their workdesk sessions end too)."""
    from app.accounts import AccountError, Accounts

    accounts = Accounts.from_settings(get_settings())
    try:
        accounts.revoke(name)
    except AccountError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    finally:
        accounts.close()
    typer.echo(f"revoked {name}")


audit_app = typer.Typer(
    help="The audit log (append-only, hash-chained; personal data masked, users pseudonymised).", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")

AUDIT_EXPORT_ROLES = ("legal", "admin")


def _audit_path() -> Path:
    """The audit database; exit 1 saying so when there is none yet."""
    path = get_settings().data_dir / "audit.sqlite3"
    if not path.exists():
        _err(f"no audit log yet at {path}")
        raise typer.Exit(1)
    return path


def _audit_exporter(key: str | None) -> Any:
    """The principal of `key` (or $KHO_API_KEY) when it is a legal or admin user's; exit 2 otherwise."""
    from app.accounts import Accounts

    if not key:
        _err(
            "Cần khóa API của người dùng pháp chế hoặc quản trị: --key KEY hoặc biến môi trường KHO_API_KEY. / "
            "An API key of a legal or admin user is required: --key KEY or the KHO_API_KEY environment variable."
        )
        raise typer.Exit(2)
    accounts = Accounts.from_settings(get_settings())
    try:
        who = accounts.authenticate(key)
    finally:
        accounts.close()
    if who is None or who.role not in AUDIT_EXPORT_ROLES:
        _err(
            "Khóa API không hợp lệ hoặc không thuộc vai trò pháp chế/quản trị (--key / KHO_API_KEY). / "
            "The API key is not valid or not a legal/admin user's (--key / KHO_API_KEY)."
        )
        raise typer.Exit(2)
    return who


@audit_app.command("export")
def audit_export(
    since: str = typer.Option(..., "--since", help="first day to export, YYYY-MM-DD (UTC)"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write here instead of stdout"),
    key: str | None = typer.Option(
        None, "--key", envvar="KHO_API_KEY", show_envvar=True, help="API key of a legal or admin user"
    ),
) -> None:
    """Export audit events from a date on, for the legal department (legal/admin key; the export is audited)."""
    import datetime as dt

    from app.audit import EXPORT_FORMATS, AuditEvent, AuditLog

    try:
        day = dt.date.fromisoformat(since)
    except ValueError:
        _err(f"--since: '{since}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if fmt not in EXPORT_FORMATS:
        _err(f"--format must be one of {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(2)
    who = _audit_exporter(key)
    log = AuditLog(_audit_path())
    try:
        count = sum(1 for _ in log.events(day))
        text = log.export(day, fmt)
        log.record(
            AuditEvent(
                user=who.name,
                role=who.role,
                event="audit_export",
                details={"since": day.isoformat(), "format": fmt, "count": count},
            )
        )
    finally:
        log.close()
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@audit_app.command("verify")
def audit_verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the audit log's hash chain: exit 0 when intact, 1 listing what was changed or erased."""
    from app.audit import AuditLog

    log = AuditLog(_audit_path())
    try:
        problems = log.verify()
        rows = sum(1 for _ in log.events())
    finally:
        log.close()
    if as_json:
        _echo_json({"ok": not problems, "rows": rows, "problems": problems})
    elif problems:
        for p in problems:
            _err(p)
    else:
        typer.echo(f"audit log intact: {rows} row(s), hash chain and head anchor verified")
    if problems:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())


@eval_app.command("answers")
def eval_answers(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set with answers"),
    limit: int | None = typer.Option(None, "--limit", help="first N items, taken round-robin over the types"),
    types: str = typer.Option(
        "true_false,multiple_choice,free_text", "--types", help="comma-separated item types to evaluate"
    ),
    offset: int = typer.Option(0, "--offset", min=0, help="skip the first N items of each type"),
    details: Path | None = typer.Option(None, "--details", help="also write every item's judgement here (JSON)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Answer accuracy (true/false, multiple choice, free text), refusals, citation precision/recall, latency."""
    from eval.answers import run_answer_eval
    from eval.retrieval import DatasetError
    from index.store import StoreError

    settings = get_settings()
    wanted = tuple(t.strip() for t in types.split(",") if t.strip())
    try:
        report = run_answer_eval(
            dataset, settings, limit=limit, say=lambda m: typer.echo(m, err=True), types=wanted, offset=offset
        )
    except (DatasetError, ValueError, StoreError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    data = report.to_json()
    if details is not None:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(json.dumps(report.details(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if as_json:
        _echo_json(data)
        return
    for key, value in data.items():
        typer.echo(f"  {key:<20} {value}")


@eval_app.command("refusal")
def eval_refusal(
    answerable: Path | None = typer.Option(
        None, "--answerable", help="questions the corpus answers (default ../shared/eval/alqac25_dev.jsonl)"
    ),
    unanswerable: list[Path] = typer.Option(
        [],
        "--unanswerable",
        help="questions it cannot answer; repeatable (default zalo_dev.jsonl + eval/data/out_of_domain_vi.jsonl); "
        "questions whose gold document is in the answerable corpus are dropped",
    ),
    budget: float = typer.Option(0.05, "--max-false-refusal", help="largest share of answerable questions refused"),
    limit: int | None = typer.Option(None, "--limit", help="only the first N questions of each set"),
    mode: str = typer.Option("hybrid", "--mode", help="retrieval: hybrid | bm25 (coverage alone, no dense vectors)"),
    details: Path | None = typer.Option(None, "--details", help="also write every question's scores here (JSON)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Calibrate the refusal thresholds (evidence coverage / similarity) on answerable and unanswerable sets."""
    from eval.refusal import default_datasets, run_refusal_calibration
    from eval.retrieval import DatasetError

    _check_mode(mode)
    settings = get_settings()
    default_answerable, default_unanswerable = default_datasets(settings)
    try:
        report = run_refusal_calibration(
            settings,
            answerable or default_answerable,
            unanswerable or default_unanswerable,
            budget=budget,
            limit=limit,
            say=lambda m: typer.echo(m, err=True),
            mode=mode,  # type: ignore[arg-type]
        )
        data = report.to_json()
    except (DatasetError, ValueError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    if details is not None:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(json.dumps(report.scores_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        _echo_json(data)
        return
    typer.echo(f"{data['answerable_dataset']} vs {', '.join(report.unanswerable)} ({mode}, {data['embedder']})")
    typer.echo(f"  n = {data['n']}")
    typer.echo("  min_coverage  min_similarity  answerable accepted  refused (per unanswerable set)")
    rows = [("chosen", data["chosen"]), ("shipped defaults", data["shipped"])]
    rows += [(f"best with ≤ {p['max_false_refusal']:.0%} false refusals", p) for p in data["curve"]]
    rows += [(f"best with coverage held at {p['min_coverage']}", p) for p in data["by_coverage"]]
    for label, p in rows:
        refused = ", ".join(f"{k} {v:.1%}" for k, v in p["refused"].items())
        typer.echo(
            f"  {p['min_coverage']!s:<12}  {p['min_similarity']!s:<14}  {p['answerable_accepted']:<19.1%}  "
            f"{refused}   ({label})"
        )


@eval_app.command("injection")
def eval_injection(
    dataset: Path | None = typer.Option(None, "--dataset", help="labelled sentences (eval/data/injection_eval.jsonl)"),
    corpus_sample: int = typer.Option(2000, "--corpus-sample", help="corpus sentences for the false-positive rate"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Precision/recall/F1 of the injection detector (per kind) and its false-positive rate on corpus sentences."""
    from eval.injection import CORPUS, DATASET, RESULTS, DatasetError, run_injection_eval

    try:
        # Only the shipped set's figures go to bench/results; another set is printed, not recorded.
        data = run_injection_eval(dataset or DATASET, CORPUS, corpus_sample, out=None if dataset else RESULTS).to_json()
    except DatasetError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        _echo_json(data)
        return
    typer.echo(f"{data['dataset']}  (threshold {data['detector']['threshold']}, from cross-validation on training)")
    typer.echo("  kind              n    precision  recall  f1     false positives")
    for kind, m in [("overall", data["overall"]), *data["per_kind"].items()]:
        p, r, f1 = (str(m[k]) if m[k] is not None else "-" for k in ("precision", "recall", "f1"))
        fp = f"{m['false_positives']}/{m['n'] - m['positives']}"
        typer.echo(f"  {kind:<16} {m['n']:>4}    {p:<9}  {r:<6}  {f1:<5}  {fp}")
    c = data["corpus_sample"]
    typer.echo(f"  corpus sentences flagged: {c['flagged']}/{c['n']} (FPR {c['fpr']:.2%}); written to bench/results")


# ------------------------------------------------------------------------------------------ the evaluators' suite


def _run_store() -> Any:
    from eval.runs import RunStore

    return RunStore.from_settings(get_settings())


def _get_run(store: Any, ref: str) -> Any:
    from eval.runs import RunNotFound

    try:
        return store.get(ref)
    except RunNotFound as exc:
        _err(str(exc))
        raise typer.Exit(2) from None


def _write_report(store: Any, run: Any, out: Path | None) -> Any:
    from eval.report import write_report

    out_dir = out or get_settings().data_dir / "eval" / "reports" / run.id
    return write_report(run, out_dir, previous=store.previous_of(run))


def _print_metrics(run: Any) -> None:
    for key, value in sorted(run.metrics.items()):
        ci = run.intervals.get(key)
        n = run.counts.get(key)
        extra = (f"  [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "") + (f"  n={n}" if n else "")
        typer.echo(f"  {key:<34} {'—' if value is None else value}{extra}")


@eval_app.command("run")
def eval_run(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set (schema: ../shared/eval/README.md)"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="N items, stratified over types (suite default)"),
    name: str | None = typer.Option(None, "--name", help="a name for this run (default: <suite>-<mode>)"),
    suite: str = typer.Option("default", "--suite", help="default (make eval) | ci (the gate in make test)"),
    mode: str | None = typer.Option(None, "--mode", help="retrieval: hybrid | bm25 | dense (suite default)"),
    ragas_limit: int | None = typer.Option(None, "--ragas-limit", min=0, help="Ragas on the first N items"),
    no_ragas: bool = typer.Option(False, "--no-ragas", help="skip the Ragas metrics (no judge calls)"),
    offset: int = typer.Option(0, "--offset", min=0, help="skip the first N items of each type"),
    types: str = typer.Option("true_false,multiple_choice,free_text", "--types", help="item types to evaluate"),
    report_dir: Path | None = typer.Option(None, "--report-dir", help="where the HTML/Markdown report goes"),
    as_json: bool = typer.Option(False, "--json", help="print the run record (no items) as JSON"),
) -> None:
    """Run the whole evaluation, store it in the run history, and write its report."""
    from eval.retrieval import DatasetError
    from eval.suite import RunRequest, run_suite
    from index.store import StoreError

    if mode is not None:
        _check_mode(mode)
    request = RunRequest(
        dataset=dataset,
        suite=suite,
        name=name,
        limit=limit,
        ragas_limit=ragas_limit,
        mode=mode,  # type: ignore[arg-type]
        offset=offset,
        types=tuple(t.strip() for t in types.split(",") if t.strip()),
        ragas=not no_ragas,
    )
    store = _run_store()
    try:
        run = run_suite(request, get_settings(), say=lambda m: typer.echo(m, err=True), store=store)
    except (DatasetError, ValueError, StoreError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    files = _write_report(store, run, report_dir)
    if as_json:
        _echo_json({**run.record(), "report": str(files.html), "summary": str(files.markdown)})
        return
    typer.echo(f"run {run.id} ({run.name}): {len(run.items)} items in {run.duration_s:.0f} s")
    _print_metrics(run)
    typer.echo(f"report: {files.html}\nsummary: {files.markdown}")


@eval_app.command("runs")
def eval_runs(as_json: bool = typer.Option(False, "--json")) -> None:
    """The stored runs, newest first."""
    records = _run_store().list()
    if as_json:
        _echo_json(records)
        return
    if not records:
        typer.echo("no evaluation runs yet (kho eval run --dataset FILE)")
    for r in records:
        m = r["metrics"]
        keys = ("answer.accuracy", "retrieval.recall@10", "ragas.faithfulness")
        figures = "  ".join(f"{k.split('.', 1)[1]}={m[k]}" for k in keys if m.get(k) is not None)
        typer.echo(f"{r['id']}  {r['name']:<22} {r['config'].get('mode', ''):<7} {r['dataset']['name']}  {figures}")


@eval_app.command("report")
def eval_report(
    run_ref: str = typer.Argument("latest", help="run id, name, latest or previous"),
    out: Path | None = typer.Option(None, "--out", help="output folder (default <data_dir>/eval/reports/<id>)"),
) -> None:
    """(Re)write a stored run's HTML report and Markdown summary."""
    store = _run_store()
    files = _write_report(store, _get_run(store, run_ref), out)
    typer.echo(f"report: {files.html}\nsummary: {files.markdown}")


@eval_app.command("compare")
def eval_compare(
    run_a: str = typer.Argument(..., help="the baseline: run id, name, latest or previous"),
    run_b: str = typer.Argument(..., help="the candidate"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per-metric deltas (B − A) and the questions whose outcome flipped."""
    from eval.compare import compare, render_text

    store = _run_store()
    result = compare(_get_run(store, run_a), _get_run(store, run_b))
    if as_json:
        _echo_json(result.to_json())
    else:
        typer.echo(render_text(result))


@eval_app.command("gate")
def eval_gate(
    run_ref: str = typer.Argument("latest", help="run id, name, latest or previous"),
    thresholds: Path | None = typer.Option(None, "--thresholds", help="thresholds file (default eval/thresholds.toml)"),
    suite: str | None = typer.Option(None, "--suite", help="which table of thresholds (default: the run's suite)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Exit 1 when a metric of the run falls below (or above) its versioned threshold."""
    from eval.gate import DEFAULT_THRESHOLDS, Thresholds, ThresholdsError, render_checks

    store = _run_store()
    run = _get_run(store, run_ref)
    try:
        table = Thresholds.load(thresholds or DEFAULT_THRESHOLDS)
        checks = table.check(suite or run.config.get("suite", "default"), run.metrics)
    except ThresholdsError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        _echo_json({"run": run.id, "ok": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]})
    else:
        typer.echo(f"run {run.id} ({run.name}) against {table.source}")
        typer.echo(render_checks(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@eval_app.command("feedback")
def eval_feedback(
    output: Path = typer.Option(..., "--output", "-o", help="JSON Lines file of candidate eval items"),
    since: str | None = typer.Option(None, "--since", help="only feedback from this day on, YYYY-MM-DD (UTC)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file"),
) -> None:
    """Export workdesk feedback (wrong answers, wrong citations) as eval items marked needs_review."""
    import datetime as dt

    from app.audit import AuditLog
    from eval.feedback import feedback_items, write_items

    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        _err(f"--since: '{since}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    path = get_settings().data_dir / "audit.sqlite3"
    if not path.exists():
        _err(f"no audit log yet at {path} (feedback is recorded by `kho serve`)")
        raise typer.Exit(1)
    log = AuditLog(path)
    try:
        items = feedback_items(log, day)
        if not items:
            typer.echo("no feedback recorded" + (f" since {day}" if day else "") + "; nothing written")
            return
        n = write_items(items, output, overwrite=overwrite)
    except FileExistsError:
        _err(f"{output}: already exists (it may be under review); pass --overwrite to replace it")
        raise typer.Exit(2) from None
    finally:
        log.close()
    typer.echo(f"{n} feedback item(s) written to {output} (status needs_review: check each before adding it to a set)")
