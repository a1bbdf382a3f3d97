"""`kho search` and `kho ask`: retrieval and cited answers, filtered by metadata and the reader's clearance.

The filter is the one the workdesk and the API use (`app.services.filters_for`): the clearance given with `--as`
becomes the reader's, and the options become a `SearchFilters`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from core.settings import get_settings
from ui.cli.common import AccessLevel, SearchMode, Validity, choice, echo_json, err, parse_day
from ui.search_mode import search_line_cli

if TYPE_CHECKING:
    from app.services import SearchFilters
    from assistant.answer import Answer
    from index.search import Hit
    from index.store import Filters
    from ui.cli.remote import RemoteServer


def reader_filters(clearance: AccessLevel, chosen: SearchFilters) -> Filters:
    """The Qdrant filter for a command-line reader cleared for `clearance`; exit 2 on a wrong value."""
    from app.services import Principal, filters_for

    try:
        return filters_for(Principal("cli", "staff", clearance), chosen)
    except ValueError as exc:
        err(str(exc))
        raise typer.Exit(2) from None


def search(
    query: str = typer.Argument(..., help="the question or keywords, in Vietnamese"),
    k: int = typer.Option(10, "--k", "-k", help="how many hits"),
    mode: SearchMode = typer.Option(SearchMode.HYBRID, "--mode", parser=choice(SearchMode, "--mode", "mode")),
    types: list[str] = typer.Option([], "--type", help="document type (Luật, Nghị định, …); repeatable"),
    issuers: list[str] = typer.Option([], "--issuer", help="issuing body (Quốc hội, Chính phủ, …); repeatable"),
    year_from: int | None = typer.Option(None, "--from-year", help="issued in or after this year"),
    year_to: int | None = typer.Option(None, "--to-year", help="issued in or before this year"),
    validity: list[Validity] = typer.Option(
        [], "--validity", parser=choice(Validity, "--validity", "validity"), help="hiệu lực; repeatable"
    ),
    numbers: list[str] = typer.Option([], "--number", help="document number (số hiệu); repeatable"),
    clearance: AccessLevel = typer.Option(
        AccessLevel.PUBLIC, "--as", parser=choice(AccessLevel, "--as", "clearance"), help="the reader's clearance"
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="the law in force on that day (default today)"
    ),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="search every stored text, superseded and not yet in force included"
    ),
    chunks: bool = typer.Option(False, "--chunks", help="list chunks, not one hit per article"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Hybrid search, one hit per article (or chunk): anchor, citation, score, ranks per branch and the text.

    BM25 + dense, fused; filtered inside Qdrant by the metadata options and the reader's clearance (`--as`).
    """
    from app.services import SearchFilters
    from index.search import Searcher
    from index.store import StoreError, store_from_settings
    from ui.cli.remote import via_server

    settings = get_settings()
    chosen = SearchFilters(
        types=tuple(types),
        issuers=tuple(issuers),
        year_from=year_from,
        year_to=year_to,
        validity=tuple(v.value for v in validity),
        numbers=tuple(numbers),
        as_of=parse_day("--as-of", as_of) if as_of else None,
        all_versions=all_versions,
    )
    filters = reader_filters(clearance, chosen)
    server = via_server(settings)
    if server is not None:  # it holds the index: it searches, with the same options
        body = {"query": query, "k": k, "mode": mode.value, "chunks": chunks, **reader_json(clearance, chosen)}
        out = _remote(lambda: server.post_json("/v1/operator/search", body))
        hits = [hit_from_json(h) for h in out["hits"]]
        timings = out["timings_ms"]
        retrieval = out.get("retrieval")
    else:
        with store_from_settings(settings) as store:
            try:
                searcher = Searcher(store, settings)
                result = searcher.search(query, k=k, mode=mode.literal, filters=filters, article_level=not chunks)
            except (StoreError, ValueError) as exc:
                err(str(exc))
                raise typer.Exit(1) from None
        hits, timings = result.hits, result.timings_ms
        retrieval = result.retrieval.to_json() if result.retrieval is not None else None
    if as_json:
        echo_json(
            {
                "query": query,
                "mode": mode.value,
                "k": k,
                "retrieval": retrieval,  # the search that ran: `mode`, and the dense coverage behind it
                "timings_ms": timings,
                "hits": [h.to_json() for h in hits],
            }
        )
        return
    typer.secho(search_line_cli(retrieval), err=True)
    if not hits:
        typer.echo("không tìm thấy kết quả phù hợp")
        return
    for i, h in enumerate(hits, start=1):
        typer.secho(f"{i:>2}. {h.anchor}  [{h.score:.4f}]", bold=True)
        typer.echo(f"    {' › '.join(h.heading_path)}  ({h.hieu_luc})")
        if h.version is not None:
            typer.echo(f"    {version_line(h, filters.as_of)}")
        text = h.text if len(h.text) <= 400 else h.text[:400].rstrip() + " …"
        typer.echo("    " + text.replace("\n", "\n    "))


VERIFICATION_LABELS = {
    "verified": "đã kiểm chứng",
    "partially_verified": "kiểm chứng một phần",
    "unverified": "chưa kiểm chứng",
}


def ask(
    question: str = typer.Argument(..., help="the question, in Vietnamese"),
    extractive: bool = typer.Option(False, "--extractive", help="quote the governing clauses, no LLM (instant)"),
    k: int | None = typer.Option(
        None, "--k", help="how many sources the answer may cite (default KHO_ANSWER_SOURCES: 3 on CPU, 6 on a server)"
    ),
    mode: SearchMode = typer.Option(
        SearchMode.HYBRID, "--mode", parser=choice(SearchMode, "--mode", "mode"), help="retrieval"
    ),
    clearance: AccessLevel = typer.Option(
        AccessLevel.PUBLIC, "--as", parser=choice(AccessLevel, "--as", "clearance"), help="the reader's clearance"
    ),
    types: list[str] = typer.Option([], "--type", help="only documents of this type; repeatable"),
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="the law in force on that day (default today)"
    ),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="search every stored text, superseded and not yet in force included"
    ),
    history: list[str] = typer.Option(
        [], "--history", help="an earlier question of the conversation, oldest first; repeatable"
    ),
    new_topic: bool = typer.Option(False, "--new-topic", help="read the question alone, whatever the history"),
    follow_up: bool = typer.Option(False, "--follow-up", help="read the question with the previous one"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A cited, verified answer (or a refusal naming the closest articles); `--extractive` needs no model.

    Every claim is checked against the cited clauses; `--extractive` quotes the governing clauses instantly.
    After `--history`, a follow-up ("còn viên chức thì sao?") is read with the previous question and a new topic
    alone; `--follow-up` / `--new-topic` overrule the detector.
    """
    from app.services import SearchFilters
    from assistant.pipeline import AskOptions, Assistant
    from assistant.topic_model import shipped_reader
    from index.search import Searcher
    from index.store import StoreError, store_from_settings
    from ui.cli.remote import via_server

    if new_topic and follow_up:
        err("--new-topic and --follow-up exclude each other")
        raise typer.Exit(2)
    topic = "new_topic" if new_topic else "follow_up" if follow_up else "auto"
    day = parse_day("--as-of", as_of) if as_of else None
    chosen = SearchFilters(types=tuple(types), as_of=day, all_versions=all_versions)
    filters = reader_filters(clearance, chosen)
    settings = get_settings()
    stream = None if as_json or extractive else (lambda t: typer.echo(t, nl=False))
    server = via_server(settings)
    if server is not None:  # it holds the index: it answers, with the same options
        body = {
            "question": question,
            "extractive": extractive,
            "k": k,
            "mode": mode.value,
            "history": history,
            "topic": topic,
            "stream": stream is not None,
            **reader_json(clearance, chosen),
        }
        out = _remote(lambda: _ask_remote(server, body, stream))
        if as_json:
            echo_json(out["answer"])
            return
        a = out["answer"]
        _print_answer(
            a["answer"],
            a["refused"],
            a["verification"],
            out["grounds"],
            a["notices"],
            a["latency_s"],
            filters.as_of,
            streamed=stream is not None,
        )
        return
    with store_from_settings(settings) as store:
        try:
            assistant = Assistant(Searcher(store, settings))
            options = AskOptions(k=k, mode=mode.literal, filters=filters, extractive=extractive)
            if history and topic == "auto":  # one question at a terminal: wait for the reader's model, as the
                shipped_reader().warm()  # server does once at start (else the word signals alone would decide)
            answer = assistant.ask(question, history, options=options, on_token=stream, topic=topic)
        except (StoreError, ValueError) as exc:
            err(str(exc))
            raise typer.Exit(1) from None
        except Exception as exc:  # LLM backend down, model missing: say what to do
            from assistant.llm import LLMError

            if isinstance(exc, LLMError):
                err(f"{exc}\n(tip: `kho ask --extractive` answers without an LLM)")
                raise typer.Exit(1) from None
            raise
    if as_json:
        echo_json(answer.to_json())
        return
    _print_answer(
        answer.answer,
        answer.refused,
        answer.verification.value,
        grounds_lines(answer, filters.as_of),
        answer.notices,
        answer.latency_s,
        filters.as_of,
        streamed=stream is not None,
    )


def _print_answer(
    text: str,
    refused: bool,
    verification: str,
    grounds: list[str],
    notices: list[str],
    latency_s: float,
    as_of: dt.date | None,
    streamed: bool,
) -> None:
    """The answer as `kho ask` prints it (after the streamed draft, when there was one)."""
    if streamed and not refused:
        typer.echo(f"\n\nSau kiểm chứng ({VERIFICATION_LABELS[verification]}):")
    typer.echo(text)
    for line in grounds:
        typer.echo(line)
    for notice in notices:
        typer.secho(f"\n⚠ {notice}", fg=typer.colors.YELLOW)
    day_said = f"pháp luật tại ngày {as_of:%d/%m/%Y}" if as_of else "mọi phiên bản"
    typer.echo(f"\n({verification}; {day_said}; {latency_s:.1f} s)")


def reader_json(clearance: AccessLevel, chosen: SearchFilters) -> dict[str, Any]:
    """The reader's clearance and filters as the operator routes take them (`ui.operator.ReaderIn`)."""
    return {
        "clearance": clearance.value,
        "types": list(chosen.types),
        "issuers": list(chosen.issuers),
        "year_from": chosen.year_from,
        "year_to": chosen.year_to,
        "validity": list(chosen.validity),
        "numbers": list(chosen.numbers),
        "as_of": chosen.as_of.isoformat() if chosen.as_of else None,
        "all_versions": chosen.all_versions,
    }


def hit_from_json(d: dict[str, Any]) -> Hit:
    """A search hit from its `to_json()` (as the server sends it)."""
    from index.search import Hit
    from ingest.model import Citation
    from ingest.versions import ArticleVersion

    fields = {k: v for k, v in d.items() if k not in ("citation", "version")}
    version = ArticleVersion.from_json(d["version"]) if d.get("version") else None
    return Hit(**fields, citation=Citation(**d["citation"]), version=version)


def _ask_remote(server: RemoteServer, body: dict[str, Any], stream: Callable[[str], None] | None) -> dict[str, Any]:
    """The operator route's answer object; with `stream`, its tokens are handed to `stream` as they come."""
    from ui.cli.remote import RemoteError

    if stream is None:
        return server.post_json("/v1/operator/ask", body)
    for event, data in server.stream_events("/v1/operator/ask", body):
        if event == "token":
            stream(str(data.get("text", "")))
        elif event == "answer":
            return dict(data)
        elif event == "error":
            raise RemoteError(str(data.get("detail")), int(data.get("status") or 500))
    raise RemoteError(f"the running server at {server.url} ended the answer stream without an answer")


def _remote(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`call()`'s answer; a `RemoteError` is printed (with the tip to answer without the model when it is the
    model that failed) and ends the command with status 1 (2 for a value the server rejected)."""
    from ui.cli.remote import RemoteError

    try:
        return call()
    except RemoteError as exc:
        tip = "\n(tip: `kho ask --extractive` answers without an LLM)" if exc.status == 503 else ""
        err(f"{exc}{tip}")
        raise typer.Exit(2 if exc.status == 422 else 1) from None


def grounds_lines(answer: Answer, as_of: dt.date | None) -> list[str]:
    """ "Căn cứ" after the answer: each clause a claim binds to, by the anchor naming its Khoản/Điểm, with its text
    (in the answer's order); then any cited source no claim was bound to, by its anchor. A source's version line
    follows its first entry."""
    if not answer.citations:
        return []
    by_marker = {c.marker: c for c in answer.citations}
    lines = ["", "Căn cứ:"]
    versioned: set[int] = set()

    def version(marker: int) -> None:
        hit = by_marker[marker].hit
        if hit.version is not None and marker not in versioned:
            versioned.add(marker)
            lines.append(f"      {version_line(hit, as_of)}")

    grounds = [g for g in answer.grounds() if g.marker in by_marker]
    for g in grounds:
        lines.append(f"  [{g.marker}] {g.anchor}")
        lines.append(f"      «{g.short_quote}»")
        version(g.marker)
    bound = {g.marker for g in grounds}
    for c in answer.citations:
        if c.marker not in bound:
            lines.append(f"  [{c.marker}] {c.hit.anchor}")
            version(c.marker)
    return lines


def version_line(hit: Hit, as_of: dt.date | None) -> str:
    """ "Văn bản hợp nhất (pháp điển), hiệu lực 01/07/2020 – nay · Đã sửa đổi, bổ sung: sửa đổi bởi 52/2019/QH14 …"."""
    from core.clock import today_vn
    from ingest.versions import KIND_LABELS, standing_on, vn_date

    v = hit.version
    assert v is not None
    st = standing_on(v, as_of or today_vn(), hit.citation.clause)
    span = f"{vn_date(v.valid_from)} – {vn_date(v.valid_to) if v.valid_to else 'nay'}"
    acts = "; ".join(c.describe() for c in st.applied)
    later = "; ".join(c.describe() for c in st.after)
    return (
        f"{KIND_LABELS[v.kind]}, hiệu lực {span} · {st.label}"
        + (f": {acts}" if acts else "")
        + (f" · sau ngày này: {later}" if later else "")
    )
