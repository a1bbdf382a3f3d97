"""The regression gate: a run passes when every metric meets the thresholds versioned in `eval/thresholds.toml`.

The thresholds file has one table per suite (`[ci]`, `[default]`), each with `min` and/or `max` sub-tables of
metric → bound. A run is checked against the table of the suite it was run with (`config.suite`) unless another
is named. A metric the thresholds name but the run did not measure FAILS (a metric that silently disappears is a
regression too). `kho eval gate` exits 1 when anything fails, so CI stops.

>>> t = Thresholds.parse({"ci": {"min": {"answer.accuracy": 0.5}, "max": {"latency.answer_s_p95": 60}}}, "x")
>>> [c.ok for c in t.check("ci", {"answer.accuracy": 0.4, "latency.answer_s_p95": 30.0})]
[False, True]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
BOUNDS = ("min", "max")


class ThresholdsError(ValueError):
    """The thresholds file is missing, unreadable or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Check:
    metric: str
    bound: str
    threshold: float
    value: float | None

    @property
    def ok(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "bound": self.bound,
            "threshold": self.threshold,
            "value": self.value,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class Thresholds:
    """Per suite: bound kind → metric → threshold."""

    source: str
    suites: dict[str, dict[str, dict[str, float]]]

    @classmethod
    def load(cls, path: Path = DEFAULT_THRESHOLDS) -> Thresholds:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ThresholdsError(f"{path}: no such thresholds file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ThresholdsError(f"{path}: not valid TOML ({exc})") from None
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: dict[str, Any], source: str) -> Thresholds:
        suites: dict[str, dict[str, dict[str, float]]] = {}
        for suite, table in data.items():
            if suite == "version":
                continue
            if not isinstance(table, dict) or not set(table) <= set(BOUNDS):
                raise ThresholdsError(f"{source}: [{suite}] must hold only {' / '.join(BOUNDS)} tables")
            suites[suite] = {}
            for bound, metrics in table.items():
                if not isinstance(metrics, dict):
                    raise ThresholdsError(f"{source}: [{suite}.{bound}] must be a table of metric = number")
                for metric, value in metrics.items():
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise ThresholdsError(f"{source}: {suite}.{bound}.{metric!r} must be a number, got {value!r}")
                suites[suite][bound] = {m: float(v) for m, v in metrics.items()}
        return cls(source, suites)

    def check(self, suite: str, metrics: dict[str, float | None]) -> list[Check]:
        """Every threshold of `suite` checked against `metrics`."""
        if suite not in self.suites:
            raise ThresholdsError(f"{self.source}: no thresholds for suite {suite!r} (has: {', '.join(self.suites)})")
        return [
            Check(metric, bound, threshold, metrics.get(metric))
            for bound, table in self.suites[suite].items()
            for metric, threshold in sorted(table.items())
        ]


def render_checks(checks: list[Check]) -> str:
    """The checks as a table, failures marked."""
    lines = [f"{'metric':36} {'value':>9} {'bound':>12}  result"]
    for c in checks:
        value = "not run" if c.value is None else f"{c.value:.4g}"
        sign = "≥" if c.bound == "min" else "≤"
        bound = f"{sign} {c.threshold:.4g}"
        lines.append(f"{c.metric:36} {value:>9} {bound:>12}  {'ok' if c.ok else 'FAIL'}")
    failed = sum(not c.ok for c in checks)
    lines.append(f"{len(checks) - failed}/{len(checks)} thresholds met" + (f"; {failed} FAILED" if failed else ""))
    return "\n".join(lines)
