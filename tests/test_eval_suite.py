"""The evaluators' suite: run summary, run history, comparison and the regression gate.

The summary/history/compare/gate tests use small runs written here (their items have the shape `eval.suite`
stores); the gate is driven through the real `kho` console script so its exit code is what CI sees. The Ragas
judge test runs the real local judge (llama.cpp's OpenAI-compatible server, the project's embedder).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from eval.compare import compare, render_text
from eval.gate import DEFAULT_THRESHOLDS, Thresholds, ThresholdsError
from eval.items import RunItem
from eval.runs import EvalRun, RunNotFound, RunStore, mean_interval, wilson
from eval.suite import SUITES, VALIDITY_METRICS, summarise
from tests.conftest import run_kho


def item(
    qid: str,
    qtype: str = "true_false",
    correct: bool = True,
    refused: bool = False,
    ranks: list[int] | None = None,
    ragas: dict[str, float | None] | None = None,
) -> RunItem:
    return RunItem.from_json(stored_item(qid, qtype, correct, refused, ranks, ragas))


def stored_item(
    qid: str,
    qtype: str = "true_false",
    correct: bool = True,
    refused: bool = False,
    ranks: list[int] | None = None,
    ragas: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """An item in the JSON form the run history stores (`RunItem.to_json`)."""
    found = [1] if ranks is None else ranks
    return {
        "id": qid,
        "type": qtype,
        "question": f"Câu hỏi {qid}?",
        "choices": None,
        "law": "Luật Viên chức",
        "gold": [["Luật Viên chức", "29"]],
        "retrieval": {
            "recall@1": float(bool(found) and found[0] <= 1),
            "recall@5": float(bool(found) and found[0] <= 5),
            "recall@10": float(bool(found)),
            "mrr@10": 1.0 / found[0] if found else 0.0,
            "ndcg@10": 1.0 if found == [1] else 0.5 if found else 0.0,
            "found_ranks": found,
            "n_gold": 1,
            "latency_ms": 12.0,
            "top": [],
        },
        "answer": {
            "id": qid,
            "type": qtype,
            "gold": "Đúng",
            "predicted": None if refused else ("Đúng" if correct else "Sai"),
            "correct": correct and not refused,
            "score": 0.0,
            "refused": refused,
            "cited": [] if refused else [["Điều 29 Luật Viên chức", "gold"], ["Điều 30 Luật Viên chức", "other"]],
            "gold_hit": not refused,
            "verified": None,
            "latency_s": 10.0,
            "ttft_s": 2.0,
            "trace": None,
        },
        **(
            {}
            if ragas is None
            else {
                "ragas": {
                    "response": "Đúng [1].",
                    "refused": False,
                    "verification": "verified",
                    "contexts": ["Điều 29 Luật Viên chức"],
                    "reference": "Đúng",
                    "generate_s": 20.0,
                    "scores": ragas,
                    "errors": {},
                    "latency_s": 60.0,
                }
            }
        ),
    }


def make_run(run_id: str, items: list[RunItem], name: str = "r", mode: str = "hybrid", **extra: Any) -> EvalRun:
    metrics, intervals, counts = summarise(items)
    return EvalRun(
        id=run_id,
        name=name,
        created=extra.get("created", "2026-11-23T03:00:00+00:00"),
        dataset={"path": "d.jsonl", "name": "d.jsonl", "sha256": "ab" * 32},
        config={"suite": extra.get("suite", "default"), "mode": mode},
        judge=None,
        code={"version": "0.1.0", "commit": None, "dirty": None},
        models={},
        metrics=metrics,
        intervals=intervals,
        counts=counts,
        items=items,
    )


# ----------------------------------------------------------------------------------------------------- summary


def test_summary_scores_labelled_accuracy_with_a_wilson_interval_and_counts_refusals_as_wrong() -> None:
    items = [item("1"), item("2"), item("3", correct=False), item("4", refused=True)]
    metrics, intervals, counts = summarise(items)
    assert metrics["answer.accuracy"] == 0.5
    assert metrics["answer.refusal_rate"] == 0.25
    assert intervals["answer.accuracy"] == wilson(2, 4)
    lo, hi = intervals["answer.accuracy"]
    assert lo < 0.5 < hi
    assert counts["answer.accuracy"] == 4


def test_summary_leaves_unscored_ragas_metrics_out_of_the_mean_instead_of_counting_zero() -> None:
    items = [
        item("1", ragas={"faithfulness": 1.0, "context_recall": 1.0}),
        item("2", ragas={"faithfulness": None, "context_recall": 0.0}),
        item("3"),
    ]
    metrics, _intervals, counts = summarise(items)
    assert metrics["ragas.faithfulness"] == 1.0 and counts["ragas.faithfulness"] == 1
    assert metrics["ragas.context_recall"] == 0.5 and counts["ragas.context_recall"] == 2
    assert "ragas.answer_correctness" not in metrics
    assert counts["ragas.items"] == 2


def test_summary_retrieval_means_follow_the_ranks_gold_articles_were_found_at() -> None:
    metrics, _i, _c = summarise([item("1", ranks=[1]), item("2", ranks=[4]), item("3", ranks=[])])
    assert metrics["retrieval.recall@1"] == round(1 / 3, 4)
    assert metrics["retrieval.recall@5"] == round(2 / 3, 4)
    assert metrics["retrieval.mrr@10"] == round((1 + 0.25 + 0) / 3, 4)
    assert metrics["citation.precision"] == 0.5


def test_bootstrap_interval_is_reproducible_and_brackets_the_mean() -> None:
    values = [0.2, 0.9, 0.4, 1.0, 0.7, 0.0]
    assert mean_interval(values) == mean_interval(values)
    lo, hi = mean_interval(values)
    assert lo < sum(values) / len(values) < hi


# ----------------------------------------------------------------------------------------------------- history


def test_run_history_keeps_every_run_and_resolves_ids_names_latest_and_previous(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    a = make_run("20261123-030000-aaaaaa", [item("1")], name="baseline", created="2026-11-23T03:00:00+00:00")
    b = make_run("20261123-040000-bbbbbb", [item("1", correct=False)], name="bm25", created="2026-11-23T04:00:00+00:00")
    store.save(a)
    store.save(b)
    assert store.resolve("latest") == b.id and store.resolve("previous") == a.id
    assert store.resolve("baseline") == a.id and store.resolve("20261123-04") == b.id
    again = store.get("baseline")
    assert again.items == a.items and again.metrics == a.metrics and again.intervals == a.intervals
    previous = store.previous_of(b)
    assert previous is not None and previous.id == a.id and store.previous_of(a) is None
    with pytest.raises(RunNotFound, match="no evaluation run 'nope'"):
        store.get("nope")


def test_a_run_item_reads_and_writes_exactly_the_json_the_history_stores(tmp_path: Path) -> None:
    stored = [stored_item("1", ragas={"faithfulness": 0.5}), stored_item("2", "multiple_choice", ranks=[3, 7])]
    assert [RunItem.from_json(s).to_json() for s in stored] == stored
    store = RunStore(tmp_path / "runs.sqlite3")
    store.save(make_run("20261123-030000-aaaaaa", [RunItem.from_json(s) for s in stored]))
    rows = store.db.execute("SELECT item_id, data FROM run_items ORDER BY seq").fetchall()
    assert [(r["item_id"], json.loads(r["data"])) for r in rows] == [("1", stored[0]), ("2", stored[1])]
    assert "ragas" not in json.loads(rows[1]["data"])  # an item the judge did not score has no "ragas" key


def test_a_failed_save_stores_nothing_and_keeps_earlier_runs(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    a = make_run("20261123-030000-aaaaaa", [item("1")])
    store.save(a)
    with pytest.raises(Exception, match="UNIQUE"):
        store.save(make_run(a.id, [item("2"), item("3")]))  # same id: the second insert fails inside the transaction
    assert [r["id"] for r in store.list()] == [a.id]
    assert [it.id for it in store.get(a.id).items] == ["1"]


# ----------------------------------------------------------------------------------------------------- compare


def test_compare_reports_metric_deltas_and_the_questions_that_flipped() -> None:
    a = make_run("a", [item("1"), item("2"), item("3", ranks=[2])], mode="hybrid")
    b = make_run("b", [item("1"), item("2", correct=False), item("3", ranks=[])], mode="bm25")
    c = compare(a, b)
    deltas = {d.metric: d for d in c.deltas}
    assert deltas["answer.accuracy"].delta == round(2 / 3 - 1.0, 4)
    assert {(f.id, f.what, f.a, f.b) for f in c.flips} == {
        ("2", "answer", "right", "wrong"),
        ("3", "retrieval", "gold at rank 2", "gold not in top 10"),
    }
    text = render_text(c)
    assert "config mode: hybrid → bm25" in text
    assert re.search(r"answer\.accuracy\s+1\s+0\.6667\s+-0\.3333 ▼", text)


def test_compare_stars_a_change_only_when_the_intervals_do_not_overlap() -> None:
    good = make_run("a", [item(str(i)) for i in range(40)])
    bad = make_run("b", [item(str(i), correct=i < 5) for i in range(40)])
    noisy = make_run("c", [item(str(i), correct=i != 0) for i in range(40)])
    assert {d.metric: d.significant for d in compare(good, bad).deltas}["answer.accuracy"]
    assert not {d.metric: d.significant for d in compare(good, noisy).deltas}["answer.accuracy"]


# -------------------------------------------------------------------------------------------------------- gate


def _store_run(data_dir: Path, run: EvalRun) -> None:
    store = RunStore(data_dir / "eval" / "runs.sqlite3")
    store.save(run)
    store.close()


def _gate(data_dir: Path, thresholds: Path, *extra: str) -> Any:
    return run_kho(
        "eval", "gate", "--thresholds", str(thresholds), *extra, env={"KHO_DATA_DIR": str(data_dir)}, check=False
    )


def test_gate_fails_when_a_threshold_is_raised_above_the_current_figure(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run = make_run("20261123-030000-aaaaaa", [item("1"), item("2"), item("3", correct=False)], suite="ci")
    _store_run(data_dir, run)
    accuracy = run.metrics["answer.accuracy"]
    assert accuracy is not None
    at = tmp_path / "at.toml"
    at.write_text(f'[ci.min]\n"answer.accuracy" = {accuracy}\n[ci.max]\n"latency.answer_s_p95" = 60\n')
    passed = _gate(data_dir, at)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    above = tmp_path / "above.toml"
    above.write_text(f'[ci.min]\n"answer.accuracy" = {accuracy + 0.01}\n')
    failed = _gate(data_dir, above)
    assert failed.returncode == 1
    assert re.search(r"answer\.accuracy\s+0\.6667\s+≥ 0\.6767\s+FAIL", failed.stdout)


def test_gate_fails_a_metric_the_run_did_not_measure(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_run(data_dir, make_run("20261123-030000-aaaaaa", [item("1")], suite="ci"))
    t = tmp_path / "t.toml"
    t.write_text('[ci.min]\n"ragas.faithfulness" = 0.0\n')
    proc = _gate(data_dir, t, "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["checks"] == [
        {"metric": "ragas.faithfulness", "bound": "min", "threshold": 0.0, "value": None, "ok": False}
    ]


def test_gate_names_the_file_of_a_malformed_thresholds_table(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_run(data_dir, make_run("20261123-030000-aaaaaa", [item("1")], suite="ci"))
    bad = tmp_path / "bad.toml"
    bad.write_text('[ci.min]\n"answer.accuracy" = "high"\n')
    proc = _gate(data_dir, bad)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "answer.accuracy" in proc.stderr


def test_shipped_thresholds_cover_every_suite_and_name_only_metrics_a_run_produces() -> None:
    table = Thresholds.load(DEFAULT_THRESHOLDS)
    assert set(table.suites) == set(SUITES)
    full = [
        item("1", ragas={m: 1.0 for m in ("faithfulness", "answer_relevancy", "context_precision", "context_recall")}),
        item("2", qtype="multiple_choice"),
        RunItem.from_json(
            {
                **stored_item("3", qtype="free_text", ragas={"answer_correctness": 1.0}),
                "answer": {**stored_item("3", qtype="free_text")["answer"], "score": 0.5},
            }
        ),
    ]
    produced, _i, _c = summarise(full)
    produced.update(dict.fromkeys(VALIDITY_METRICS, 0.0))  # the law-in-force section (`validity_section`)
    for suite, bounds in table.suites.items():
        for metrics in bounds.values():
            unknown = set(metrics) - set(produced)
            assert not unknown, f"{suite}: thresholds name metrics no run produces: {unknown}"
    with pytest.raises(ThresholdsError, match="no thresholds for suite 'nope'"):
        table.check("nope", produced)


# --------------------------------------------------------------------------------------------------- the judge


@pytest.mark.models
def test_ragas_faithfulness_from_the_local_judge_separates_a_supported_answer_from_a_contradicted_one() -> None:
    """Real judge: the embedded llama.cpp model through its OpenAI-compatible HTTP server, no network."""
    from core.settings import get_settings
    from eval.ragas_eval import RagasJudge

    judge = RagasJudge(get_settings())
    assert judge.describe()["endpoint"] == "embedded llama.cpp HTTP server"
    context = [
        "Điều 29 Luật Viên chức. 1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên "
        "chức khi viên chức có 02 năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ."
    ]
    question = "Khi nào đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức?"
    supported = judge.score(
        question,
        "Đơn vị được đơn phương chấm dứt hợp đồng khi viên chức có 02 năm liên tiếp không hoàn thành nhiệm vụ.",
        context,
        None,
        reference_is_answer=False,
    )
    contradicted = judge.score(
        question,
        "Đơn vị chỉ được chấm dứt hợp đồng khi viên chức đủ 70 tuổi và đã nhận huy chương vàng Olympic.",
        context,
        None,
        reference_is_answer=False,
    )
    assert supported.errors == {} and contradicted.errors == {}
    assert supported.scores["faithfulness"] is not None and contradicted.scores["faithfulness"] is not None
    assert supported.scores["faithfulness"] > contradicted.scores["faithfulness"]
    assert supported.scores["context_recall"] is None  # no reference → the context metrics are not applicable


def test_eval_run_names_the_dataset_file_and_line_of_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "Hỏi?", "corpus": "alqac"}\n', encoding="utf-8")
    env = {"KHO_DATA_DIR": str(tmp_path / "data")}
    proc = run_kho("eval", "run", "--dataset", str(bad), env=env, check=False)
    assert proc.returncode == 2 and f"{bad}:1: missing field 'gold'" in proc.stderr
    mixed = tmp_path / "mixed.jsonl"
    line = '{{"id": "{0}", "question": "Hỏi?", "type": "free_text", "answer": "x", "corpus": "{1}", "gold": []}}\n'
    mixed.write_text(line.format(1, "alqac") + line.format(2, "phapdien+laws"), encoding="utf-8")
    proc = run_kho("eval", "run", "--dataset", str(mixed), env=env, check=False)
    assert proc.returncode == 2 and f"{mixed}: questions point into several corpora" in proc.stderr
    proc = run_kho("eval", "run", "--dataset", str(bad), "--suite", "nightly", env=env, check=False)
    assert proc.returncode == 2 and "unknown suite 'nightly'" in proc.stderr
    assert (
        not (tmp_path / "data" / "eval" / "runs.sqlite3").exists()
        or not RunStore(tmp_path / "data" / "eval" / "runs.sqlite3").list()
    )
