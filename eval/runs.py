"""Run history: every `kho eval run` stored with what it measured and everything needed to reproduce it.

A run is one JSON-able record (`EvalRun`): its id and name, the dataset (path, SHA-256, the selection made from
it), the configuration (search mode, context budget, embedder, LLM), the judge used for Ragas, the code version
(package version, git commit, uncommitted changes) and the model pins, the flat metric table
(`"retrieval.recall@10"`, `"answer.accuracy"`, `"ragas.faithfulness"`, …) with 95 % confidence intervals, and
every item's trace (retrieved articles, prediction, citations, Ragas scores). Runs live in one SQLite file under
the data dir (`eval/runs.sqlite3`), so reports, comparisons and the regression gate all read the same record.

A run is named on the command line by its id, its name (the newest run of that name), `latest` or `previous`.

>>> wilson(8, 10)
(0.4902, 0.9433)
>>> mean_interval([1.0, 1.0, 1.0])
(1.0, 1.0)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import sqlite3
import statistics
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.sqlite import Migrations, connect
from eval.items import RunItem

MIGRATIONS = Migrations()


@MIGRATIONS.register
def m001_runs(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created TEXT NOT NULL,
            dataset_sha256 TEXT NOT NULL,
            record TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX runs_by_name ON runs (name, created)")
    db.execute(
        """CREATE TABLE run_items (
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            item_id TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        )"""
    )


class RunNotFound(LookupError):
    """No stored run answers to the reference given; the message lists what does."""


@dataclass
class EvalRun:
    """One evaluation run: what was run, on what, with what, and what it measured."""

    id: str
    name: str
    created: str
    dataset: dict[str, Any]
    config: dict[str, Any]
    judge: dict[str, Any] | None
    code: dict[str, Any]
    models: dict[str, str | None]
    metrics: dict[str, float | None] = field(default_factory=dict)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    items: list[RunItem] = field(default_factory=list, repr=False)

    def record(self) -> dict[str, Any]:
        """Everything but the items (what `runs.record` holds)."""
        out = asdict(replace(self, items=[]))
        out.pop("items")
        out["intervals"] = {k: list(v) for k, v in self.intervals.items()}
        return out

    def to_json(self) -> dict[str, Any]:
        return {**self.record(), "items": [it.to_json() for it in self.items]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EvalRun:
        data = dict(data)
        data["intervals"] = {k: (float(v[0]), float(v[1])) for k, v in data.get("intervals", {}).items()}
        data["items"] = [RunItem.from_json(it) for it in data.get("items", [])]
        return cls(**data)


def new_run_id(created: dt.datetime, salt: str) -> str:
    """A sortable, unique id: UTC time plus a short hash (`20261123-031500-1a2b3c`)."""
    return created.strftime("%Y%m%d-%H%M%S") + "-" + hashlib.sha256(salt.encode()).hexdigest()[:6]


class RunStore:
    """The runs of one data dir (`<data_dir>/eval/runs.sqlite3`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = connect(path)
        self._lock = threading.Lock()
        with self._lock:
            MIGRATIONS.apply(self.db)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunStore:
        return cls(settings.eval_runs_path)

    def save(self, run: EvalRun) -> None:
        """Store a run and its items in one transaction (a crash stores nothing, never half a run)."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute(
                    "INSERT INTO runs (id, name, created, dataset_sha256, record) VALUES (?, ?, ?, ?, ?)",
                    (run.id, run.name, run.created, run.dataset.get("sha256", ""), json.dumps(run.record())),
                )
                self.db.executemany(
                    "INSERT INTO run_items (run_id, seq, item_id, data) VALUES (?, ?, ?, ?)",
                    [
                        (run.id, i, it.id, json.dumps(it.to_json(), ensure_ascii=False))
                        for i, it in enumerate(run.items)
                    ],
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def list(self) -> list[dict[str, Any]]:
        """Every run's record, newest first."""
        rows = self.db.execute("SELECT record FROM runs ORDER BY created DESC, id DESC").fetchall()
        return [json.loads(r["record"]) for r in rows]

    def resolve(self, ref: str) -> str:
        """The id of the run `ref` names: an id (or its unique prefix), a name (newest of it), latest, previous."""
        ids = [r["id"] for r in self.db.execute("SELECT id FROM runs ORDER BY created DESC, id DESC")]
        if ref in ("latest", "previous"):
            want = 0 if ref == "latest" else 1
            if len(ids) > want:
                return str(ids[want])
        elif ref in ids:
            return ref
        else:
            row = self.db.execute(
                "SELECT id FROM runs WHERE name = ? ORDER BY created DESC, id DESC LIMIT 1", (ref,)
            ).fetchone()
            if row:
                return str(row["id"])
            prefixed = [i for i in ids if i.startswith(ref)]
            if len(prefixed) == 1:
                return str(prefixed[0])
        known = ", ".join(ids[:5]) or "none yet"
        raise RunNotFound(f"no evaluation run {ref!r} in {self.path} (newest: {known}; see `kho eval runs`)")

    def get(self, ref: str) -> EvalRun:
        """The run `ref` names, with its items."""
        run_id = self.resolve(ref)
        row = self.db.execute("SELECT record FROM runs WHERE id = ?", (run_id,)).fetchone()
        items = [
            json.loads(r["data"])
            for r in self.db.execute("SELECT data FROM run_items WHERE run_id = ? ORDER BY seq", (run_id,))
        ]
        return EvalRun.from_json({**json.loads(row["record"]), "items": items})

    def previous_of(self, run: EvalRun) -> EvalRun | None:
        """The newest earlier run on the same dataset file and suite (what a report's deltas compare with)."""
        for rec in self.list():
            if (
                rec["created"] <= run.created
                and rec["id"] != run.id
                and rec["dataset"].get("sha256") == run.dataset.get("sha256")
                and rec["config"].get("suite") == run.config.get("suite")
            ):
                return self.get(rec["id"])
        return None

    def close(self) -> None:
        self.db.close()


# ------------------------------------------------------------------------------------------------ provenance


def code_version(repo: Path | None = None) -> dict[str, Any]:
    """The package version and, in a git checkout, the commit and whether files differ from it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("kho-tri-thuc")
    except PackageNotFoundError:
        pkg = "unknown"
    out: dict[str, Any] = {"version": pkg, "commit": None, "dirty": None}
    root = repo or Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        out.update(commit=commit, dirty=bool(status.strip()))
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def model_pins() -> dict[str, str | None]:
    """Each known model's SHA-256 pin (None for a wheel checked against its own RECORD)."""
    from core.models import MODELS

    return {name: spec.sha256 for name, spec in MODELS.items()}


# ------------------------------------------------------------------------------------------------ direction

# Whether a rise is good (+1), bad (-1) or neither (0): refusing can be right or wrong depending on the question.
DIRECTION_BY_PREFIX: dict[str, int] = {"latency.": -1, "answer.refusal_rate": 0}


def direction(name: str) -> int:
    """+1 when a higher value of metric `name` is better, -1 when lower is better, 0 when neither."""
    return next((d for prefix, d in DIRECTION_BY_PREFIX.items() if name.startswith(prefix)), 1)


# ------------------------------------------------------------------------------------------------ statistics

Z95 = 1.959964


def wilson(successes: float, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (sound for small n and for 0 or n successes)."""
    if n <= 0:
        return (0.0, 0.0)
    p = successes / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def mean_interval(values: Sequence[float], resamples: int = 2000, seed: int = 7) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of a mean (fixed seed: the same values give the same interval)."""
    if not values:
        return (0.0, 0.0)
    if len(set(values)) == 1:
        return (round(values[0], 4), round(values[0], 4))
    rng = random.Random(seed)
    n = len(values)
    means = sorted(statistics.fmean(rng.choices(values, k=n)) for _ in range(resamples))
    return (round(means[int(0.025 * resamples)], 4), round(means[int(0.975 * resamples) - 1], 4))


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct` percentile (inclusive method; the single value for one)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    if len(ordered) == 1:
        return ordered[0]
    return float(statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1])
