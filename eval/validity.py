"""Does the assistant state the law in force? (`kho eval validity`, also a section of `kho eval run`.)

(a) How well legal relations are extracted: precision and recall against a hand-checked gold set.
(b) `run_question_set`: questions whose right answer changed with an amendment or repeal, asked as of today and
    as of a day before it: current-rule accuracy and how many answers quote a superseded text as current.

The gold set (`eval/data/relations_gold.jsonl`, written from the corpus by someone who did not see the extractor)
lists events — amend, supplement, repeal, replace, reference, guide — each with the verbatim span that states it,
its target (document, article, clause, point) and its effective date. Each gold file is parsed as `kho ingest`
parses it and the extractors (`ingest.relations.extract_relations`) run on it. An extracted relation matches a
gold event when the kind and the whole target agree and one span contains the other (compared after NFC,
case-folding and white-space collapsing). The gold set does not list every event of its files, so precision only
counts extracted relations whose span overlaps a gold span; recall counts every gold event.

Figures are given for the relations the extractor applies and for all it found (`needs_review` included), and per
kind; matched events also report whether the effective date agrees.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from core.text import match_key
from ingest.parse import parse_file
from ingest.relations import Relation, RelationStatus, document_key, extract_relations

if TYPE_CHECKING:
    from assistant.llm import LLMBackend

GOLD = Path(__file__).resolve().parent / "data" / "relations_gold.jsonl"


@dataclass(frozen=True)
class GoldEvent:
    """One hand-checked relation event of the gold set."""

    id: str
    kind: str
    file: str
    span: str
    target: tuple[str, str | None, str | None, str | None]  # (document key, article, clause, point)
    effective: str | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GoldEvent:
        t = d["target"]
        return cls(
            id=d["id"],
            kind=d["kind"],
            file=d["source"]["file"],
            span=d["source"]["span"],
            target=(document_key(t["document"]), t.get("article"), t.get("clause"), t.get("point")),
            effective=d.get("effective"),
        )


def load_gold(path: Path = GOLD) -> list[GoldEvent]:
    """The gold events of `path` (JSON Lines); ValueError naming the line when one is malformed."""
    events = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(GoldEvent.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a gold event ({exc})") from None
    return events


def _key(r: Relation) -> tuple[str, str | None, str | None, str | None]:
    return (r.target_key or "", r.target.article, r.target.clause, r.target.point)


def _overlaps(a: str, b: str) -> bool:
    x, y = match_key(a), match_key(b)
    return bool(x and y) and (x in y or y in x)


def _prf(tp: int, predicted: int, gold: int) -> dict[str, float | int | None]:
    return {
        "precision": round(tp / predicted, 3) if predicted else None,
        "recall": round(tp / gold, 3) if gold else None,
        "predicted": predicted,
        "gold": gold,
        "matched": tp,
    }


def score_extraction(settings: Settings, gold_path: Path = GOLD) -> dict[str, Any]:
    """Precision/recall of relation extraction on the gold set's files (see the module docstring)."""
    gold = load_gold(gold_path)
    by_file: dict[str, list[GoldEvent]] = defaultdict(list)
    for g in gold:
        by_file[g.file].append(g)
    extracted: dict[str, list[Relation]] = {}
    missing: list[str] = []
    for rel in by_file:
        path = settings.corpus_dir / rel
        if not path.exists():
            missing.append(rel)
            continue
        extracted[rel] = [r for doc in parse_file(path, settings) for r in extract_relations(doc)]
    out: dict[str, Any] = {"gold": str(gold_path), "events": len(gold), "files": len(by_file), "missing": missing}
    for label, keep in (("applied", True), ("all", False)):
        matched: set[str] = set()
        dates_ok = 0
        per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, predicted, gold
        predicted = tp = 0
        for g in gold:
            per_kind[g.kind][2] += 1
        for rel, relations in extracted.items():
            events = by_file[rel]
            for r in relations:
                if keep and r.status is not RelationStatus.APPLIED:
                    continue
                near = [g for g in events if _overlaps(g.span, r.text)]
                if not near:
                    continue  # a span the gold set does not cover: not counted either way
                predicted += 1
                per_kind[r.kind.value][1] += 1
                hit = next((g for g in near if g.kind == r.kind.value and g.target == _key(r)), None)
                if hit is not None:
                    tp += 1
                    per_kind[r.kind.value][0] += 1
                    if hit.id not in matched:
                        matched.add(hit.id)
                        dates_ok += int(hit.effective == (r.effective.isoformat() if r.effective else None))
        out[label] = {
            **_prf(tp, predicted, len(gold)),
            "recall": round(len(matched) / len(gold), 3) if gold else None,
            "effective_date_agrees": round(dates_ok / len(matched), 3) if matched else None,
            "per_kind": {k: _prf(v[0], v[1], v[2]) for k, v in sorted(per_kind.items())},
        }
    return out


# ------------------------------------------------------------------------------------- (b) the law-in-force questions
def run_question_set(
    settings: Settings,
    say: Callable[[str], None] = lambda _m: None,
    llm: LLMBackend | None = None,
    limit: int | None = None,
    as_of_past: bool = True,
) -> dict[str, Any]:
    """Ask the law-in-force question set (eval/validity_questions.py) over its own corpus workspace; the scores.

    The workspace (`<eval dir>/validity`) holds the files `eval/data/validity_corpus.toml` names — each law as
    enacted and consolidated — ingested and indexed (BM25; only what changed since the last run). Each item is
    asked as of today and, with `as_of_past`, as of a day before the amendment. Without `llm` the answers are
    extractive (the quoted clauses: retrieval + version choice, no model); with one, generated and verified.
    """
    from assistant.pipeline import AskOptions, Assistant
    from core.clock import today_vn
    from corpus import load_manifest
    from eval.validity_questions import CORPUS_MANIFEST, load_questions, run_validity_questions
    from index.indexer import Indexer
    from index.search import Searcher
    from index.store import Filters, open_store
    from ingest.job import run_ingest
    from ingest.registry import Registry

    ws = settings.model_copy(update={"data_dir": settings.eval_dir / "validity"})
    ws.data_dir.mkdir(parents=True, exist_ok=True)
    items = load_questions()[:limit] if limit else load_questions()
    manifest = load_manifest(settings, CORPUS_MANIFEST)
    t0 = time.perf_counter()
    with Registry.from_settings(ws) as registry:
        run_ingest(manifest.paths(), registry, ws, progress=False, meta_overrides=manifest.overrides())
        store = open_store(ws)
        try:
            Indexer(registry, store, ws).ensure()
            say(f"validity corpus: {len(manifest.paths())} files ready ({time.perf_counter() - t0:.0f} s)")
            assistant = Assistant(Searcher(store, ws), llm_factory=(lambda: llm) if llm is not None else None)

            def ask(question: str, as_of: dt.date | None) -> dict[str, Any]:
                filters = Filters(max_access_rank=2, as_of=as_of or today_vn())
                options = AskOptions(mode="bm25", filters=filters, extractive=llm is None)
                return assistant.ask(question, options=options).to_json()

            result = run_validity_questions(ask, items, as_of_past=as_of_past).to_json()
        finally:
            store.close()
    result["mode"] = "extractive" if llm is None else "generative"
    result["elapsed_s"] = round(time.perf_counter() - t0, 1)
    return result

