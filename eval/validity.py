"""How well legal relations are extracted: precision and recall against a hand-checked gold set (`kho eval validity`).

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

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.text import match_key
from ingest.parse import parse_file
from ingest.relations import Relation, RelationStatus, document_key, extract_relations

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
