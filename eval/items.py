"""One evaluated question of a run (`RunItem`): what `eval.suite` measures, the run history stores, and the report and
the comparison read — with one JSON form (`to_json` / `from_json`), the one stored in `run_items.data`.

>>> trace = RetrievalTrace.of({"recall@10": 1.0, "mrr@10": 0.5}, found_ranks=(2,), n_gold=1, latency_ms=12.0, top=())
>>> item = RunItem(id="q1", type="true_false", question="…", law="Bộ luật dân sự", retrieval=trace)
>>> RunItem.from_json(item.to_json()) == item, item.to_json()["retrieval"]["found_ranks"]
(True, [2])
>>> item.retrieval.score("mrr@10"), item.retrieval.score("ndcg@10")
(0.5, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ItemResult:
    """How one question was answered and scored (`eval.answers.judge_item`): the item of `kho eval answers
    --details`, and a run item's answer part."""

    id: str
    type: str
    correct: bool
    predicted: str | None
    refused: bool
    cited: list[tuple[str, str]]
    gold_hit: bool
    verified: bool | None
    latency_s: float
    ttft_s: float | None = None
    score: float = 0.0
    gold: str | None = None
    trace: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The item as `--details` and the run history store it (prediction, gold, citations, judge trace)."""
        return {
            "id": self.id,
            "type": self.type,
            "gold": self.gold,
            "predicted": self.predicted,
            "correct": self.correct,
            "score": self.score,
            "refused": self.refused,
            "cited": [list(c) for c in self.cited],
            "gold_hit": self.gold_hit,
            "verified": self.verified,
            "latency_s": round(self.latency_s, 2),
            "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 2),
            "trace": self.trace,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], id: str = "", type: str = "") -> ItemResult:
        """The item `to_json` wrote (`id`/`type`: the defaults where an older record does not repeat them)."""
        ttft = data.get("ttft_s")
        return cls(
            id=str(data.get("id", id)),
            type=str(data.get("type", type)),
            correct=bool(data.get("correct")),
            predicted=data.get("predicted"),
            refused=bool(data.get("refused")),
            cited=[(str(c[0]), str(c[1])) for c in data.get("cited") or ()],
            gold_hit=bool(data.get("gold_hit")),
            verified=data.get("verified"),
            latency_s=float(data.get("latency_s", 0.0)),
            ttft_s=None if ttft is None else float(ttft),
            score=float(data.get("score", 0.0)),
            gold=data.get("gold"),
            trace=data.get("trace"),
        )


@dataclass(frozen=True)
class TopHit:
    """One of the top retrieved articles: its anchor, whether it is gold, its score."""

    anchor: str
    gold: bool
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"anchor": self.anchor, "gold": self.gold, "score": self.score}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TopHit:
        return cls(anchor=str(data["anchor"]), gold=bool(data["gold"]), score=float(data["score"]))


@dataclass(frozen=True)
class RetrievalTrace:
    """How retrieval did on one question: the ranking metrics (`eval.retrieval.score_ranking`, keyed "recall@10",
    "mrr@10", … as stored), the ranks gold was found at, the number of gold articles, the latency, the top hits."""

    scores: tuple[tuple[str, float], ...]  # (name, value) in the stored order; read with `score(name)`
    found_ranks: tuple[int, ...]
    n_gold: int
    latency_ms: float
    top: tuple[TopHit, ...] = ()

    @classmethod
    def of(
        cls,
        scores: Mapping[str, float],
        found_ranks: tuple[int, ...] | list[int],
        n_gold: int,
        latency_ms: float,
        top: tuple[TopHit, ...] = (),
    ) -> RetrievalTrace:
        return cls(tuple(scores.items()), tuple(found_ranks), n_gold, latency_ms, top)

    def score(self, name: str) -> float:
        """One ranking metric ("recall@10", "mrr@10", …); 0.0 where the trace has none."""
        return next((v for k, v in self.scores if k == name), 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            **dict(self.scores),
            "found_ranks": list(self.found_ranks),
            "n_gold": self.n_gold,
            "latency_ms": self.latency_ms,
            "top": [t.to_json() for t in self.top],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetrievalTrace:
        fixed = {"found_ranks", "n_gold", "latency_ms", "top"}
        return cls(
            scores=tuple((k, float(v)) for k, v in data.items() if k not in fixed),
            found_ranks=tuple(int(r) for r in data.get("found_ranks") or ()),
            n_gold=int(data.get("n_gold", 0)),
            latency_ms=float(data.get("latency_ms", 0.0)),
            top=tuple(TopHit.from_json(t) for t in data.get("top") or ()),
        )


@dataclass(frozen=True)
class RagasTrace:
    """The question asked as a user would ask it and the Ragas judge's scores (`eval.ragas_eval.RagasScores`)."""

    response: str
    refused: bool
    verification: str
    contexts: tuple[str, ...]
    reference: str | None  # None where the dataset gives nothing to compare with
    generate_s: float
    scores: Mapping[str, float | None]
    errors: Mapping[str, str] = field(default_factory=dict)
    latency_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "response": self.response,
            "refused": self.refused,
            "verification": self.verification,
            "contexts": list(self.contexts),
            "reference": self.reference,
            "generate_s": self.generate_s,
            "scores": dict(self.scores),
            "errors": dict(self.errors),
            "latency_s": self.latency_s,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RagasTrace:
        return cls(
            response=str(data.get("response") or ""),
            refused=bool(data.get("refused")),
            verification=str(data.get("verification") or ""),
            contexts=tuple(str(c) for c in data.get("contexts") or ()),
            reference=data.get("reference"),
            generate_s=float(data.get("generate_s", 0.0)),
            scores=dict(data.get("scores") or {}),
            errors=dict(data.get("errors") or {}),
            latency_s=float(data.get("latency_s", 0.0)),
        )


@dataclass(frozen=True)
class RunItem:
    """One question of a run: what it was, and its retrieval, answer and (for the first few) Ragas traces."""

    id: str
    type: str
    question: str
    law: str | None = None  # the first gold article's document ("(none)" without gold)
    choices: Mapping[str, str] | None = None
    gold: tuple[tuple[str, str], ...] = ()  # (document, article)
    retrieval: RetrievalTrace | None = None
    answer: ItemResult | None = None  # scored as `kho eval answers` scores it
    ragas: RagasTrace | None = None

    def to_json(self) -> dict[str, Any]:
        """The item as the run history stores it ("ragas" only where the item was judged)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "question": self.question,
            "choices": None if self.choices is None else dict(self.choices),
            "law": self.law,
            "gold": [list(g) for g in self.gold],
            "retrieval": self.retrieval.to_json() if self.retrieval else None,
            "answer": self.answer.to_json() if self.answer else None,
        }
        if self.ragas is not None:
            out["ragas"] = self.ragas.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunItem:
        """An item as stored (older runs may lack the newer fields: they read as absent)."""
        item_id, item_type = str(data.get("id", "")), str(data.get("type", ""))
        answer, retrieval, ragas = data.get("answer"), data.get("retrieval"), data.get("ragas")
        return cls(
            id=item_id,
            type=item_type,
            question=str(data.get("question") or ""),
            law=data.get("law"),
            choices=data.get("choices"),
            gold=tuple((str(d), str(a)) for d, a in data.get("gold") or ()),
            retrieval=RetrievalTrace.from_json(retrieval) if retrieval else None,
            answer=ItemResult.from_json(answer, item_id, item_type) if answer else None,
            ragas=RagasTrace.from_json(ragas) if ragas else None,
        )
