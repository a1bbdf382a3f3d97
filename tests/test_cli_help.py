"""The CLI documents itself: README's command table is generated from its help, and every command is reachable."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from ui.cli.doc import README, command_table, main, replace_between_markers

REPO = Path(__file__).resolve().parents[1]
GROUPS = ("parse", "ingest", "index", "search", "ask", "docs", "show", "models", "serve", "users", "audit", "eval")


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_readme_command_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert replace_between_markers(text, command_table()) == text, (
        "README.md's command table differs from `kho --help`: run `make readme` (python -m ui.cli.doc --write)"
    )


def test_check_fails_on_a_drifted_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(replace_between_markers(README.read_text(encoding="utf-8"), "| command | what it does |"))
    monkeypatch.setattr("ui.cli.doc.README", stale)
    assert main(["--check"]) == 1
    assert main(["--write"]) == 0 and main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == README.read_text(encoding="utf-8")


def test_table_has_one_row_per_command_with_its_options_and_help() -> None:
    rows = command_table().splitlines()[2:]
    usages = [r.split(" | ")[0].strip("| `") for r in rows]
    assert "kho docs [--json] [--as-of AS_OF]" in usages
    assert any(u.startswith("kho docs remove DOC_ID") for u in usages)
    assert not any(u in ("kho users", "kho audit", "kho eval") for u in usages), "groups without a body get no row"
    search = next(r for r in rows if r.startswith("| `kho search QUERY"))
    assert "[--mode hybrid\\|bm25\\|dense]" in search and "[--type TYPE …]" in search and "[--as public" in search
    assert all(r.count(" | ") == 1 and not r.endswith("|  |") for r in rows), "every command has a help line"


def test_python_m_lists_every_group() -> None:
    proc = _python_m("ui.cli", "--help")
    assert proc.returncode == 0, proc.stderr
    for name in GROUPS:
        assert f" {name} " in proc.stdout, name


def test_python_m_reaches_the_eval_commands() -> None:
    """The eval commands once sat below `if __name__ == "__main__"`, so `python -m ui.cli eval run` never saw them."""
    proc = _python_m("ui.cli", "eval", "run", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "--dataset" in proc.stdout and "--suite" in proc.stdout


def test_a_wrong_choice_names_the_option_the_values_and_the_wrong_one() -> None:
    proc = _python_m("ui.cli", "eval", "gate", "--suite", "nightly")
    assert proc.returncode == 2
    assert "--suite must be one of default, ci: unknown suite 'nightly'" in proc.stderr


def test_choice_enums_match_the_library() -> None:
    from app.audit import EXPORT_FORMATS
    from app.permissions import ROLES
    from eval.suite import SUITES
    from index.search import MODES
    from ui.cli.common import EvalSuite, ExportFormat, SearchMode, UserRole

    assert {m.value for m in SearchMode} == set(MODES)
    assert all(m.literal == m.value for m in SearchMode)
    assert [r.value for r in UserRole] == list(ROLES)
    assert [f.value for f in ExportFormat] == list(EXPORT_FORMATS)
    assert {s.value for s in EvalSuite} == set(SUITES)


def test_search_filter_is_the_services_one() -> None:
    from app.services import SearchFilters
    from ui.cli.common import AccessLevel
    from ui.cli.search import reader_filters

    f = reader_filters(AccessLevel.INTERNAL, SearchFilters(types=("luật",), numbers=("58/2010/qh12",)))
    assert f.max_access_rank == 1 and f.types == ("luật",) and f.numbers == ("58/2010/qh12",)


@pytest.mark.parametrize("name", ["ui.cli.common", "ui.cli.doc"])
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
