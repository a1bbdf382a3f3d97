"""What every command group shares: JSON and error output, the progress bar, and the choice types.

Choices are Enums that typer validates through `choice(...)`: a wrong value exits 2 with a message that names the
option, the valid values and the wrong one (`--mode must be one of hybrid, bm25, dense: unknown mode 'x'`).

>>> choice(SearchMode, "--mode", "mode")("BM25").literal
'bm25'
>>> choice(AccessLevel, "--as", "clearance")("boss")
Traceback (most recent call last):
...
ui.cli.common.ChoiceError: --as must be one of public, internal, restricted: unknown clearance 'boss'
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

import typer

from ingest.model import AccessLevel, Validity

__all__ = [
    "AccessLevel",
    "ChoiceError",
    "EvalSuite",
    "ExportFormat",
    "SearchMode",
    "UserRole",
    "Validity",
    "choice",
    "echo_json",
    "err",
    "parse_day",
    "progress_bar",
]

E = TypeVar("E", bound=Enum)

if TYPE_CHECKING:  # index.search is imported lazily, by the commands that search
    from index.search import Mode


class SearchMode(str, Enum):
    """`--mode`: how retrieval ranks (the values of `index.search.MODES`)."""

    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"

    @property
    def literal(self) -> Mode:
        """The same mode as `index.search` types it."""
        from index.search import MODES

        return next(m for m in MODES if m == self.value)


class UserRole(str, Enum):
    """`kho users add --role` (the values of `app.permissions.ROLES`)."""

    STAFF = "staff"
    LEGAL = "legal"
    ADMIN = "admin"
    EVALUATOR = "evaluator"


class ExportFormat(str, Enum):
    """`kho audit export --format` (the values of `app.audit.EXPORT_FORMATS`)."""

    JSONL = "jsonl"
    CSV = "csv"


class EvalSuite(str, Enum):
    """`kho eval run --suite` / `gate --suite` (the names of `eval.suite.SUITES`)."""

    DEFAULT = "default"
    CI = "ci"


class ChoiceError(typer.BadParameter):
    """A value outside an option's choices; its message already names the option, so it is shown as it is."""

    def format_message(self) -> str:
        return self.message


def choice(enum: type[E], option: str, noun: str) -> Callable[[object], E]:
    """A typer `parser=` for `option`: the member of `enum` whose value is given (any case), else `ChoiceError`."""

    def parse(value: object) -> E:
        if isinstance(value, enum):
            return value
        text = str(value).strip().lower()
        for member in enum:
            if member.value == text:
                return member
        valid = ", ".join(str(m.value) for m in enum)
        raise ChoiceError(f"{option} must be one of {valid}: unknown {noun} {str(value)!r}")

    return parse


def echo_json(obj: object) -> None:
    """Print `obj` as indented JSON, Vietnamese kept readable (the `--json` contract)."""
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def err(msg: str) -> None:
    """Print `msg` in red on stderr."""
    typer.secho(msg, fg=typer.colors.RED, err=True)


def parse_day(option: str, value: str) -> dt.date:
    """`value` as a date, or exit 2 naming `option` (`--since: 'x' is not a date (YYYY-MM-DD)`)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err(f"{option}: '{value}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A progress callback printing `label done/total` on stderr, at most every 2 s."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 2 or done == total:
            last[0] = now
            typer.echo(f"\r{label} {done}/{total}", err=True, nl=done == total)

    return report
