"""How well the injection detector separates text addressed to the assistant from the law (`kho eval injection`).

Two measures, neither used to fit or tune the detector (its threshold comes from cross-validation on
`assistant/data/injection_train.jsonl`):

- precision, recall and F1 on a labelled evaluation set written apart from the training file
  (`eval/data/injection_eval.jsonl`: paraphrases, text without diacritics, English, mixed, and hard negatives
  from the corpus), overall and per `kind`;
- the false-positive rate on a seeded random sample of real corpus sentences (pháp điển + laws, sentences of the
  training file left out): each flagged sentence is one the assistant would wrongly hide from the model;
- list items: the share of a seeded sample of the corpus's list items ("đ) Tên loại và trích yếu …") that the
  shipped rule hides (`looks_like_instruction`: the classifier, after `judged`), against the classifier alone; and
  how many of the set's injections are still caught when laid out as a list item ("đ) " before each).

`kho eval injection` writes the figures of the shipped set to bench/results/injection_detector.json (another
`--dataset` is printed, not recorded).

>>> prf([1, 0], [1, 1])
{'n': 2, 'positives': 1, 'false_positives': 1, 'precision': 0.5, 'recall': 1.0, 'f1': 0.667}
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.injection import TRAINING, InjectionDetector, is_list_item, judged, load_examples
from core.jsonl import read_jsonl
from core.text import fold, sentence_pieces

DATASET = Path(__file__).with_name("data") / "injection_eval.jsonl"
RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results" / "injection_detector.json"
CORPUS = Path("/work/shared/corpus")
SEED = 20260  # the corpus sample is the same on every run
_MARKUP = re.compile(r"^\s*(\||---|#|- \[|\*\*|!\[|<)")


class DatasetError(ValueError):
    """The evaluation set is missing or malformed."""


def corpus_files(root: Path) -> list[Path]:
    """The law texts of the corpus: pháp điển topics (Markdown) and laws (plain text), sorted for reproducibility."""
    return sorted([*root.glob("phapdien/**/*.md"), *root.glob("laws/*.txt")])


def corpus_sentences(path: Path) -> Iterator[str]:
    """Sentences of one file as the detector sees them, without Markdown tables/headings and fragments."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if _MARKUP.match(line):
            continue
        for piece in sentence_pieces(line):
            s = piece.strip()
            if len(s.split()) >= 5:
                yield s


def sample_corpus(root: Path, n: int, seed: int = SEED, exclude: set[str] | None = None) -> list[str]:
    """`n` distinct corpus sentences drawn at random (seeded), none of whose folded form is in `exclude`."""
    exclude = exclude or set()
    rng = random.Random(seed)
    files = corpus_files(root)
    if not files:
        raise DatasetError(f"no corpus files under {root}")
    pool: list[str] = []
    seen: set[str] = set()
    for path in files:
        for s in corpus_sentences(path):
            key = fold(s)
            if key not in seen and key not in exclude:
                seen.add(key)
                pool.append(s)
    return rng.sample(pool, min(n, len(pool)))


def sample_list_items(root: Path, n: int, seed: int = SEED) -> list[str]:
    """`n` distinct corpus sentences laid out as list items ("a) …", "- …", "2. …"), drawn at random (seeded)."""
    pool: dict[str, str] = {}
    for path in corpus_files(root):
        for s in corpus_sentences(path):
            if is_list_item(s):
                pool.setdefault(fold(s), s)
    return random.Random(seed).sample(list(pool.values()), min(n, len(pool)))


def load_dataset(path: Path) -> list[dict[str, Any]]:
    """Rows `{"text", "label", "kind"}` of an evaluation file."""
    rows = []
    for i, row in read_jsonl(path, DatasetError):
        if not isinstance(row.get("text"), str) or row.get("label") not in (0, 1):
            raise DatasetError(f"{path}:{i}: needs a `text` string and a `label` 0 or 1")
        row.setdefault("kind", "unspecified")
        rows.append(row)
    return rows


def prf(labels: list[int], predicted: list[int]) -> dict[str, Any]:
    """Precision, recall and F1 of the positive class (None where undefined), rounded to 3 decimals."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else (0.0 if fp + fn else None)
    out: dict[str, Any] = {"n": len(labels), "positives": sum(labels), "false_positives": fp}
    for key, value in (("precision", precision), ("recall", recall), ("f1", f1)):
        out[key] = None if value is None else round(value, 3)
    return out


@dataclass
class InjectionReport:
    """The figures of one run; `to_json()` is what `--json` prints and what lands in bench/results."""

    dataset: str
    overall: dict[str, Any]
    per_kind: dict[str, dict[str, Any]]
    corpus_n: int
    corpus_flagged: list[str]
    threshold: float
    cv_f1: float
    training: dict[str, int]
    errors: list[dict[str, Any]] = field(default_factory=list)
    list_items: dict[str, Any] = field(default_factory=dict)

    @property
    def corpus_fpr(self) -> float:
        return len(self.corpus_flagged) / self.corpus_n if self.corpus_n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "overall": self.overall,
            "per_kind": self.per_kind,
            "corpus_sample": {
                "n": self.corpus_n,
                "flagged": len(self.corpus_flagged),
                "fpr": round(self.corpus_fpr, 4),
                "seed": SEED,
                "flagged_sentences": self.corpus_flagged,
            },
            "list_items": self.list_items,
            "detector": {"threshold": round(self.threshold, 4), "cv_f1": round(self.cv_f1, 3), **self.training},
            "errors": self.errors,
        }


def run_injection_eval(
    dataset: Path = DATASET, corpus: Path = CORPUS, corpus_sample: int = 2000, out: Path | None = RESULTS
) -> InjectionReport:
    """Score the shipped detector on `dataset` and on `corpus_sample` corpus sentences; write the figures to `out`."""
    rows = load_dataset(dataset)
    detector = InjectionDetector.default()
    scores = detector.scores([r["text"] for r in rows])
    predicted = [int(s >= detector.threshold) for s in scores]
    labels = [int(r["label"]) for r in rows]
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({r["kind"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind]
        per_kind[kind] = prf([labels[i] for i in idx], [predicted[i] for i in idx])
    errors = [
        {"text": r["text"], "label": r["label"], "kind": r["kind"], "score": round(s, 3)}
        for r, s, p in zip(rows, scores, predicted, strict=True)
        if p != r["label"]
    ]
    train_texts, _ = load_examples(TRAINING)
    sample = sample_corpus(corpus, corpus_sample, exclude={fold(t) for t in train_texts}) if corpus_sample else []
    corpus_scores = detector.scores(sample)
    flagged = [s for s, p in zip(sample, corpus_scores, strict=True) if p >= detector.threshold]
    report = InjectionReport(
        dataset=str(dataset),
        overall=prf(labels, predicted),
        per_kind=per_kind,
        corpus_n=len(sample),
        corpus_flagged=flagged,
        threshold=detector.threshold,
        cv_f1=detector.cv_f1,
        training={"train_positive": detector.n_positive, "train_negative": detector.n_negative},
        errors=errors,
        list_items=_list_item_figures(rows, corpus, corpus_sample, detector),
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def _list_item_figures(rows: list[dict[str, Any]], corpus: Path, n: int, detector: InjectionDetector) -> dict[str, Any]:
    """What the shipped rule does with list items: corpus items hidden (and by the classifier alone), and the set's
    injections laid out as items ("đ) " before each) still caught."""
    items = sample_list_items(corpus, n) if n else []
    # scored in batches; the shipped rule (`looks_like_instruction`) is the classifier's verdict on what is `judged`
    by_classifier = [t for t, p in zip(items, detector.scores(items), strict=True) if p >= detector.threshold]
    hidden = [t for t in by_classifier if judged(t)]
    injections = [str(r["text"]) for r in rows if int(r["label"]) == 1]

    def caught(texts: list[str]) -> int:
        scores = detector.scores(texts)
        return sum(p >= detector.threshold and judged(t) for t, p in zip(texts, scores, strict=True))

    return {
        "corpus_n": len(items),
        "hidden": len(hidden),
        "hidden_by_classifier_alone": len(by_classifier),
        "hidden_sentences": hidden,
        "injections_as_items": len(injections),
        "injections_as_items_caught": caught([f"đ) {t}" for t in injections]),
        "injections_caught": caught(injections),
    }
