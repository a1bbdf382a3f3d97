"""`kho eval highlight` (issue 14, item 3): the shipped labelled set, read against ../shared/corpus through the real
parser and scored with the real verifier, keeps highlight precision ≥ 0.95 on its dev split."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eval.highlight import DATASET, DatasetError, load_items, run_highlight_eval
from tests.conftest import CORPUS
from ui.cli import app

HARD_CASES = {"d_vs_dd", "list_letter", "numbers", "neighbour_words", "clause_range", "exception", "heading_words"}


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    if not (CORPUS / "laws").is_dir():
        pytest.skip(f"needs ../shared beside the checkout ({CORPUS} not found)")
    yield run_highlight_eval(DATASET, CORPUS).to_json()


def test_the_set_is_large_varied_and_keeps_a_held_out_split() -> None:
    items = load_items()
    assert len(items) >= 60
    assert len({i.document for i in items}) >= 8
    assert sum(i.split == "heldout" for i in items) >= 20
    assert HARD_CASES <= {i.case for i in items}
    assert {i.source for i in items} == {"article", "chunk"}  # whole articles and range-anchored chunks


def test_dev_highlight_precision_is_at_least_95_percent(report: dict[str, Any]) -> None:
    dev = report["per_split"]["dev"]
    assert dev["precision"] is not None and dev["precision"] >= 0.95, report["misses"]
    assert dev["supported"] >= 50  # measured on enough sentences the verifier keeps
    assert report["overall"]["char_precision"] >= 0.95


def test_kho_eval_highlight_prints_the_figures(report: dict[str, Any]) -> None:
    out = CliRunner().invoke(app, ["eval", "highlight"])
    assert out.exit_code == 0, out.output
    dev = report["per_split"]["dev"]
    line = next(ln for ln in out.output.splitlines() if ln.strip().startswith("dev "))
    assert f"{dev['precision']:.3f}" in line and str(dev["n"]) in line
    assert "heldout" in out.output and "char precision" in out.output


def test_a_malformed_line_or_an_item_outside_the_corpus_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="bad.jsonl:1"):
        load_items(bad)
    stray = tmp_path / "stray.jsonl"
    row = {
        "id": "s-1",
        "split": "dev",
        "file": "laws/khong-co.txt",
        "document": "1/2000/QH10",
        "article": "1",
        "sentence": "x [1].",
        "gold": {"khoan": "1"},
    }
    stray.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="s-1"):
        run_highlight_eval(stray, tmp_path)
