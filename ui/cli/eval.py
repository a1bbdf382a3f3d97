"""`kho eval`: the evaluators' suite (`run`, `runs`, `report`, `compare`, `gate`, `feedback`) and its parts
(`retrieval`, `answers`, `refusal`, `injection`, `topic`, `highlight`, `validity`).

A stored run is named by its id, its name (the newest run of that name), `latest` or `previous`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from core.settings import get_settings
from ui.cli.common import EvalSuite, SearchMode, choice, echo_json, err, parse_day

if TYPE_CHECKING:
    from eval.report import ReportFiles
    from eval.runs import EvalRun, RunStore

app = typer.Typer(
    help="Evaluate: the whole suite (`run`, `runs`, `report`, `compare`, `gate`, `feedback`) or one part.",
    no_args_is_help=True,
)

JUDGED_TYPES = "true_false,multiple_choice,free_text"


def _say(msg: str) -> None:
    typer.echo(msg, err=True)


def _types(types: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in types.split(",") if t.strip())


@app.command("retrieval")
def retrieval(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set (../shared/eval/*.jsonl)"),
    limit: int | None = typer.Option(None, "--limit", help="only the first N questions"),
    mode: SearchMode = typer.Option(SearchMode.HYBRID, "--mode", parser=choice(SearchMode, "--mode", "mode")),
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
    """Recall@1/5/10, MRR@10, nDCG@10, latency p50/p95 of search on an evaluation set, in its own workspace."""
    from eval.retrieval import DatasetError, run_retrieval_eval

    settings = get_settings()
    try:
        report = run_retrieval_eval(
            dataset, settings, mode=mode.literal, limit=limit, subset=subset, fill_dense=fill_dense, say=_say
        )
    except (DatasetError, ValueError) as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    data = report.to_json()
    if as_json:
        echo_json(data)
        return
    typer.echo(f"{data['dataset']} ({data['corpus']}), mode {mode.value}, n={data['n']}")
    for key in ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50", "latency_ms_p95"):
        typer.echo(f"  {key:<15} {data.get(key)}")
    if data["dense_coverage"] is not None and data["dense_coverage"] < 1:
        typer.echo(f"  dense vectors for {data['dense_coverage']:.1%} of chunks only")


@app.command("answers")
def answers(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set with answers"),
    limit: int | None = typer.Option(None, "--limit", help="first N items, taken round-robin over the types"),
    types: str = typer.Option(JUDGED_TYPES, "--types", help="comma-separated item types to evaluate"),
    offset: int = typer.Option(0, "--offset", min=0, help="skip the first N items of each type"),
    details: Path | None = typer.Option(None, "--details", help="also write every item's judgement here (JSON)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Answer accuracy (true/false, multiple choice, free text), refusals, citation precision/recall, latency.

    Also what each judging step buys (`ablation`).
    """
    from eval.answers import run_answer_eval
    from eval.retrieval import DatasetError
    from index.store import StoreError

    settings = get_settings()
    try:
        report = run_answer_eval(dataset, settings, limit=limit, say=_say, types=_types(types), offset=offset)
    except (DatasetError, ValueError, StoreError) as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    data = report.to_json()
    if details is not None:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(json.dumps(report.details(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        typer.echo(f"  {key:<20} {value}")


@app.command("refusal")
def refusal(
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
    mode: SearchMode = typer.Option(
        SearchMode.HYBRID,
        "--mode",
        parser=choice(SearchMode, "--mode", "mode"),
        help="retrieval (bm25: evidence coverage alone, no dense vectors)",
    ),
    details: Path | None = typer.Option(None, "--details", help="also write every question's scores here (JSON)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Calibrate the refusal thresholds (evidence coverage, similarity) on answerable vs unanswerable questions."""
    from eval.refusal import default_datasets, run_refusal_calibration
    from eval.retrieval import DatasetError

    settings = get_settings()
    default_answerable, default_unanswerable = default_datasets(settings)
    try:
        report = run_refusal_calibration(
            settings,
            answerable or default_answerable,
            unanswerable or default_unanswerable,
            budget=budget,
            limit=limit,
            say=_say,
            mode=mode.literal,
        )
        data = report.to_json()
    except (DatasetError, ValueError) as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    if details is not None:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(json.dumps(report.scores_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        echo_json(data)
        return
    typer.echo(f"{data['answerable_dataset']} vs {', '.join(report.unanswerable)} ({mode.value}, {data['embedder']})")
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


@app.command("injection")
def injection(
    dataset: Path | None = typer.Option(None, "--dataset", help="labelled sentences (eval/data/injection_eval.jsonl)"),
    corpus_sample: int = typer.Option(2000, "--corpus-sample", help="corpus sentences for the false-positive rate"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Precision/recall of the injection detector per kind, and its false-positive rate on corpus sentences."""
    from eval.injection import CORPUS, DATASET, RESULTS, DatasetError, run_injection_eval

    try:
        # Only the shipped set's figures go to bench/results; another set is printed, not recorded.
        data = run_injection_eval(dataset or DATASET, CORPUS, corpus_sample, out=None if dataset else RESULTS).to_json()
    except DatasetError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        echo_json(data)
        return
    typer.echo(f"{data['dataset']}  (threshold {data['detector']['threshold']}, from cross-validation on training)")
    typer.echo("  kind              n    precision  recall  f1     false positives")
    for kind, m in [("overall", data["overall"]), *data["per_kind"].items()]:
        p, r, f1 = (str(m[k]) if m[k] is not None else "-" for k in ("precision", "recall", "f1"))
        fp = f"{m['false_positives']}/{m['n'] - m['positives']}"
        typer.echo(f"  {kind:<16} {m['n']:>4}    {p:<9}  {r:<6}  {f1:<5}  {fp}")
    c = data["corpus_sample"]
    typer.echo(f"  corpus sentences flagged: {c['flagged']}/{c['n']} (FPR {c['fpr']:.2%}); written to bench/results")
    li = data["list_items"]
    typer.echo(
        f"  corpus list items hidden: {li['hidden']}/{li['corpus_n']}"
        f" (classifier alone {li['hidden_by_classifier_alone']});"
        f" injections laid out as list items caught: {li['injections_as_items_caught']}/{li['injections_as_items']}"
        f" ({li['injections_caught']} as written)"
    )


@app.command("topic")
def topic(
    dataset: Path | None = typer.Option(None, "--dataset", help="labelled pairs (eval/data/topic_pairs.jsonl)"),
    rules_only: bool = typer.Option(False, "--rules-only", help="the word signals alone, without the learned head"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """How well a follow-up is told from a new topic: accuracy overall, per label and split, and the misses."""
    from eval.topic import DATASET, DatasetError, run_topic_eval

    try:
        data = run_topic_eval(dataset or DATASET, rules_only).to_json()
    except DatasetError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        echo_json(data)
        return
    typer.echo(data["dataset"])
    typer.echo("  part               n   correct  accuracy")
    parts = [
        ("overall", data["overall"]),
        *data["per_label"].items(),
        *data["per_split"].items(),
        ("ambiguous", data["ambiguous"]),
    ]
    for name, m in parts:
        acc = f"{m['accuracy']:.3f}" if m["accuracy"] is not None else "-"
        typer.echo(f"  {name:<16} {m['n']:>4}   {m['correct']:>5}    {acc}")
    for miss in data["misclassified"]:
        flag = ", ambiguous" if miss["ambiguous"] else ""
        typer.echo(f"  ✗ {miss['id']} ({miss['split']}{flag}) {miss['question']}")
        typer.echo(f"      label {miss['label']}, read as {miss['predicted']}: {miss['reason']}")


@app.command("highlight")
def highlight(
    dataset: Path | None = typer.Option(
        None, "--dataset", help="labelled sentences (eval/data/highlight_set.jsonl), read against ../shared/corpus"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Whether a supported sentence highlights exactly the Khoản/Điểm that states it: precision, per split, misses."""
    from eval.highlight import DATASET, DatasetError, run_highlight_eval

    try:
        data = run_highlight_eval(dataset or DATASET).to_json()
    except DatasetError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        echo_json(data)
        return
    typer.echo(data["dataset"])
    typer.echo("  part        n  supported  exact  precision  char precision  coverage  binder alone")
    for name, m in [("overall", data["overall"]), *data["per_split"].items()]:
        figs = [m[k] for k in ("precision", "char_precision", "coverage", "binder_precision")]
        p, c, cov, alone = (f"{f:.3f}" if f is not None else "-" for f in figs)
        typer.echo(f"  {name:<8} {m['n']:>4}  {m['supported']:>9}  {m['exact']:>5}  {p:<9}  {c:<14}  {cov:<8}  {alone}")
    for miss in data["misses"]:
        why = "not supported: " + "; ".join(miss["reasons"]) if not miss["supported"] else "unbound"
        where = miss["anchor"] or why
        typer.echo(f"  ✗ {miss['id']} ({miss['split']}, {miss['case']}) {miss['sentence']}")
        typer.echo(f"      gold {miss['gold']}, highlighted {where}")


@app.command("validity")
def validity(
    gold: Path | None = typer.Option(None, "--gold", help="hand-checked events (eval/data/relations_gold.jsonl)"),
    questions: bool = typer.Option(
        True,
        "--questions/--no-questions",
        help="also ask the law-in-force question set (eval/data/validity_questions.jsonl)",
    ),
    generative: bool = typer.Option(False, "--generative", help="answer with the local model (default: extractive)"),
    limit: int | None = typer.Option(None, "--limit", help="only the first N questions"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Relation extraction precision/recall, and whether answers state the law in force (not a superseded text)."""
    from eval.validity import GOLD, run_question_set, score_extraction

    settings = get_settings()
    try:
        data: dict[str, Any] = {"extraction": score_extraction(settings, gold or GOLD)}
        if questions:
            llm = None
            if generative:
                from assistant.llm import get_llm

                llm = get_llm(settings)
            data["questions"] = run_question_set(
                settings, say=_say if not as_json else lambda _m: None, llm=llm, limit=limit
            )
    except (OSError, ValueError) as exc:
        err(f"kho eval validity: {exc}")
        raise typer.Exit(2) from None
    if as_json:
        echo_json(data)
        return
    ex = data["extraction"]
    typer.echo(f"{ex['gold']}: {ex['events']} events in {ex['files']} files")
    for label in ("applied", "all"):
        m = ex[label]
        typer.echo(
            f"  {label:<8} precision {m['precision']}  recall {m['recall']}  "
            f"({m['matched']} matched of {m['predicted']} predicted near a gold span)  "
            f"dates agree {m['effective_date_agrees']}"
        )
    for kind, m in ex["all"]["per_kind"].items():
        typer.echo(f"    {kind:<11} precision {m['precision']}  recall {m['recall']}  (gold {m['gold']})")
    if "questions" in data:
        _print_questions(data["questions"])


def _print_questions(q: dict[str, Any]) -> None:
    typer.echo(
        f"law in force ({q['mode']}, {q['n']} questions, {q['elapsed_s']} s): current-rule accuracy "
        f"{q['current_rule_accuracy']}, superseded text quoted as current {q['superseded_quoted_as_current']}, "
        f"as of a past day {q['past_accuracy']}"
    )
    for law, m in q["per_law"].items():
        typer.echo(
            f"    {law:<14} n {m['n']}  current {m['current_rule_accuracy']}  "
            f"superseded-as-current {m['superseded_quoted_as_current']}  past {m['past_accuracy']}"
        )
    for f in q["failures"][:15]:
        typer.echo(f"    ✗ {f['id']}: {f['why']}")


# ------------------------------------------------------------------------------------------ the evaluators' suite


def _run_store() -> RunStore:
    from eval.runs import RunStore

    return RunStore.from_settings(get_settings())


def _get_run(store: RunStore, ref: str) -> EvalRun:
    from eval.runs import RunNotFound

    try:
        return store.get(ref)
    except RunNotFound as exc:
        err(str(exc))
        raise typer.Exit(2) from None


def _write_report(store: RunStore, run: EvalRun, out: Path | None) -> ReportFiles:
    from eval.report import write_report

    out_dir = out or get_settings().eval_reports_dir / run.id
    return write_report(run, out_dir, previous=store.previous_of(run))


def _print_metrics(run: EvalRun) -> None:
    for key, value in sorted(run.metrics.items()):
        ci = run.intervals.get(key)
        n = run.counts.get(key)
        extra = (f"  [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "") + (f"  n={n}" if n else "")
        typer.echo(f"  {key:<34} {'—' if value is None else value}{extra}")


@app.command("run")
def run(
    dataset: Path = typer.Option(..., "--dataset", help="JSON Lines evaluation set (schema: ../shared/eval/README.md)"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="N items, stratified over types (suite default)"),
    name: str | None = typer.Option(None, "--name", help="a name for this run (default: <suite>-<mode>)"),
    suite: EvalSuite = typer.Option(
        EvalSuite.DEFAULT,
        "--suite",
        parser=choice(EvalSuite, "--suite", "suite"),
        help="default (make eval) or ci (the gate in make test)",
    ),
    mode: SearchMode | None = typer.Option(
        None, "--mode", parser=choice(SearchMode, "--mode", "mode"), help="retrieval (default: the suite's)"
    ),
    ragas_limit: int | None = typer.Option(None, "--ragas-limit", min=0, help="Ragas on the first N items"),
    no_ragas: bool = typer.Option(False, "--no-ragas", help="skip the Ragas metrics (no judge calls)"),
    no_validity: bool = typer.Option(
        False, "--no-validity", help="skip the law-in-force section (relation extraction + question set)"
    ),
    offset: int = typer.Option(0, "--offset", min=0, help="skip the first N items of each type"),
    types: str = typer.Option(JUDGED_TYPES, "--types", help="item types to evaluate"),
    report_dir: Path | None = typer.Option(None, "--report-dir", help="where the HTML/Markdown report goes"),
    as_json: bool = typer.Option(False, "--json", help="print the run record (no items) as JSON"),
) -> None:
    """The evaluators' suite: every metric incl. Ragas, stored in the run history with an HTML/Markdown report.

    Retrieval, answer accuracy, citations, refusal, latency and the Ragas metrics (local judge); `make eval`.
    """
    from eval.retrieval import DatasetError
    from eval.suite import RunRequest, run_suite
    from index.store import StoreError

    request = RunRequest(
        dataset=dataset,
        suite=suite.value,
        name=name,
        limit=limit,
        ragas_limit=ragas_limit,
        mode=mode.literal if mode is not None else None,
        offset=offset,
        types=_types(types),
        ragas=not no_ragas,
        validity=not no_validity,
    )
    store = _run_store()
    try:
        result = run_suite(request, get_settings(), say=_say, store=store)
    except (DatasetError, ValueError, StoreError) as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    files = _write_report(store, result, report_dir)
    if as_json:
        echo_json({**result.record(), "report": str(files.html), "summary": str(files.markdown)})
        return
    typer.echo(f"run {result.id} ({result.name}): {len(result.items)} items in {result.duration_s:.0f} s")
    _print_metrics(result)
    typer.echo(f"report: {files.html}\nsummary: {files.markdown}")


@app.command("runs")
def runs(as_json: bool = typer.Option(False, "--json")) -> None:
    """The run history, newest first, with each run's headline figures."""
    records = _run_store().list()
    if as_json:
        echo_json(records)
        return
    if not records:
        typer.echo("no evaluation runs yet (kho eval run --dataset FILE)")
    for r in records:
        m = r["metrics"]
        keys = ("answer.accuracy", "retrieval.recall@10", "ragas.faithfulness")
        figures = "  ".join(f"{k.split('.', 1)[1]}={m[k]}" for k in keys if m.get(k) is not None)
        typer.echo(f"{r['id']}  {r['name']:<22} {r['config'].get('mode', ''):<7} {r['dataset']['name']}  {figures}")


@app.command("report")
def report(
    run: str = typer.Argument("latest", help="run id, name, latest or previous"),
    out: Path | None = typer.Option(None, "--out", help="output folder (default <data_dir>/eval/reports/<id>)"),
) -> None:
    """(Re)write a stored run's HTML report and Markdown summary."""
    store = _run_store()
    files = _write_report(store, _get_run(store, run), out)
    typer.echo(f"report: {files.html}\nsummary: {files.markdown}")


@app.command("compare")
def compare(
    run_a: str = typer.Argument(..., help="the baseline: run id, name, latest or previous"),
    run_b: str = typer.Argument(..., help="the candidate"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per-metric deltas (B − A) between two stored runs and the questions whose outcome flipped."""
    from eval.compare import compare as compare_runs
    from eval.compare import render_text

    store = _run_store()
    result = compare_runs(_get_run(store, run_a), _get_run(store, run_b))
    if as_json:
        echo_json(result.to_json())
    else:
        typer.echo(render_text(result))


@app.command("gate")
def gate(
    run: str = typer.Argument("latest", help="run id, name, latest or previous"),
    thresholds: Path | None = typer.Option(None, "--thresholds", help="thresholds file (default eval/thresholds.toml)"),
    suite: EvalSuite | None = typer.Option(
        None,
        "--suite",
        parser=choice(EvalSuite, "--suite", "suite"),
        help="which table of thresholds (default: the run's suite)",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The regression gate: exit 1 when a metric of the run is below (or above) its versioned threshold."""
    from eval.gate import DEFAULT_THRESHOLDS, Thresholds, ThresholdsError, render_checks

    store = _run_store()
    stored = _get_run(store, run)
    try:
        table = Thresholds.load(thresholds or DEFAULT_THRESHOLDS)
        checks = table.check(suite.value if suite else stored.config.get("suite", "default"), stored.metrics)
    except ThresholdsError as exc:
        err(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        echo_json({"run": stored.id, "ok": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]})
    else:
        typer.echo(f"run {stored.id} ({stored.name}) against {table.source}")
        typer.echo(render_checks(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command("feedback")
def feedback(
    output: Path = typer.Option(..., "--output", "-o", help="JSON Lines file of candidate eval items"),
    since: str | None = typer.Option(None, "--since", help="only feedback from this day on, YYYY-MM-DD (UTC)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing output file"),
) -> None:
    """Export workdesk feedback (wrong answers, wrong citations) as eval items marked `needs_review`."""
    from app.audit import AuditLog
    from eval.feedback import feedback_items, write_items

    day = parse_day("--since", since) if since else None
    path = get_settings().audit_path
    if not path.exists():
        err(f"no audit log yet at {path} (feedback is recorded by `kho serve`)")
        raise typer.Exit(1)
    log = AuditLog(path)
    try:
        items = feedback_items(log, day)
        if not items:
            typer.echo("no feedback recorded" + (f" since {day}" if day else "") + "; nothing written")
            return
        n = write_items(items, output, overwrite=overwrite)
    except FileExistsError:
        err(f"{output}: already exists (it may be under review); pass --overwrite to replace it")
        raise typer.Exit(2) from None
    finally:
        log.close()
    typer.echo(f"{n} feedback item(s) written to {output} (status needs_review: check each before adding it to a set)")
