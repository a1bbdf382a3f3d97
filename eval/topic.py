"""How well assistant/topic.py tells a follow-up from a new topic, on a hand-labelled set.

`eval/data/topic_pairs.jsonl`: one JSON object per line, `{"id", "history", "question", "label", "split"}` and
optionally `"ambiguous": true`. `history` holds 1–3 earlier questions (latest last); `label` is "follow_up" when
the question cannot be read correctly on its own (it needs something said before), "new_topic" when it can — even on
the same subject, since such a question is best searched as it is. Ambiguous items carry the label a careful reader
would choose. The set was written before the detector was built; `split` "heldout" (30 %, drawn per label with seed
14) was set aside and not looked at while the signals were written — report it beside "dev". Two later batches of
40 (20/20, 4 ambiguous each) were written by someone who saw neither the detector nor the set: "heldout2" was
scored once blind (0.825) and its misses then informed the signals; "heldout3" was scored blind after that change
and not looked at for the signals. The word signals alone scored it 0.750. Then the open part of the decision
moved to a learned head over the question's embedding (assistant/topic_model.py), trained on a separate file
(assistant/data/topic_train.jsonl, 180 pairs written by two other people who saw neither the detector nor this
set); "heldout4" (40, written blind by a fourth person) was scored once with it (0.750; the word signals alone
0.625) and not looked at afterwards. Then two more blind batches: "heldout5" (40) was scored once with that design
(0.775) and the rules alone (0.725); the head then moved to read the word signals as features beside the vector,
trained on 334 pairs (prompt and C by cross-validation on its training file only), and "heldout6" (38 after two
questions shared with other files were dropped) was scored once with the frozen result (0.842). Then the training
file grew to 649 pairs (315 more, by two more people who saw neither the detector nor this set; same head, same
cross-validation), and "heldout7" (44 after four questions shared with other files were dropped, unread) was
scored once with that frozen result (0.955; the previous head 0.932). Then the training file grew to 953 pairs
(304 more, by two more people blind to both; same head, same cross-validation), and "heldout8" (46 after two
questions shared with other files were dropped, unread) was scored once with that frozen result (0.913; the
previous head 0.935). "heldout9" (51 after one question shared with the training file was dropped, unread;
about half hard cases on purpose) was then scored once with the same frozen head and nothing changed after
(0.804; the previous head 0.824, the word signals alone 0.608). "heldout10" and "heldout11" (48 each after two
questions shared with other files were dropped from each, unread; written blind by two more people, about half
hard cases) were scored once with the same frozen head before anything else was tried on it (0.813 and 0.833;
the word signals alone 0.646 and 0.708). Then the head's C was chosen by repeated cross-validation on its training
file (C=100 where one 5-fold split had chosen 30); the rule "ship it unless worse on new blind batches" was fixed,
and "heldout12" (48) and "heldout13" (49), written blind by two more people (three questions shared with other files
dropped, unread), were scored once with both heads: 0.812 / 0.939 with C=30, 0.875 / 0.939 with C=100 (shipped).
"heldout14" (46 after four questions shared with other files were dropped, unread; written blind by one more
person) was scored once with the shipped head and nothing changed after (0.891; the word signals alone 0.696).
None of the fifteen splits is in the head's training data; the word signals were written on "dev", "heldout" and
"heldout2", so "heldout3" to "heldout14" are the figures for unseen questions.

>>> score([TopicItem("a", ("Công chức …?",), "còn viên chức thì sao?", "follow_up", "dev")]).accuracy
1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.topic import Topic, TopicDetector
from assistant.topic_model import shipped_reader
from core.jsonl import read_jsonl

DATASET = Path(__file__).with_name("data") / "topic_pairs.jsonl"
SPLITS = (
    "dev",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
)


class DatasetError(ValueError):
    """The labelled set is missing or malformed (the message names the line)."""


@dataclass(frozen=True)
class TopicItem:
    id: str
    history: tuple[str, ...]
    question: str
    label: str
    split: str
    ambiguous: bool = False


@dataclass(frozen=True)
class Scored:
    item: TopicItem
    predicted: str
    reason: str

    @property
    def correct(self) -> bool:
        return self.predicted == self.item.label


@dataclass
class TopicReport:
    dataset: str
    results: list[Scored] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return _accuracy(self.results)

    def to_json(self) -> dict[str, Any]:
        def part(rs: list[Scored]) -> dict[str, Any]:
            return {"n": len(rs), "correct": sum(r.correct for r in rs), "accuracy": _accuracy(rs)}

        return {
            "dataset": self.dataset,
            "overall": part(self.results),
            "per_label": {t.value: part([r for r in self.results if r.item.label == t.value]) for t in Topic},
            "per_split": {s: part([r for r in self.results if r.item.split == s]) for s in SPLITS},
            "ambiguous": part([r for r in self.results if r.item.ambiguous]),
            "misclassified": [
                {
                    "id": r.item.id,
                    "split": r.item.split,
                    "ambiguous": r.item.ambiguous,
                    "history": list(r.item.history),
                    "question": r.item.question,
                    "label": r.item.label,
                    "predicted": r.predicted,
                    "reason": r.reason,
                }
                for r in self.results
                if not r.correct
            ],
        }


def _accuracy(rs: Sequence[Scored]) -> float | None:
    return round(sum(r.correct for r in rs) / len(rs), 4) if rs else None


def load_items(path: Path = DATASET) -> list[TopicItem]:
    """The labelled items of `path`; DatasetError naming the line when one is malformed."""
    labels = {t.value for t in Topic}
    items: list[TopicItem] = []
    for n, row in read_jsonl(path, DatasetError):
        try:
            item = TopicItem(
                str(row["id"]),
                tuple(str(h) for h in row["history"]),
                str(row["question"]),
                str(row["label"]),
                str(row.get("split", "dev")),
                bool(row.get("ambiguous", False)),
            )
        except (KeyError, TypeError) as exc:
            raise DatasetError(f"{path}:{n}: {exc}") from None
        if item.label not in labels or item.split not in SPLITS:
            raise DatasetError(f"{path}:{n}: label must be one of {sorted(labels)}, split one of {list(SPLITS)}")
        items.append(item)
    return items


def score(items: Iterable[TopicItem], detector: TopicDetector | None = None, dataset: str = "") -> TopicReport:
    """Each item decided by `detector` (the shipped one by default: word signals and the learned head) and
    compared with its label."""
    if detector is None:
        reader = shipped_reader()
        reader.warm()  # the head decides every item, not only those after its model loaded in the background
        detector = TopicDetector(reader=reader)
    report = TopicReport(dataset)
    for item in items:
        d = detector.run(item.history, item.question)
        report.results.append(Scored(item, d.topic.value, d.reason))
    return report


def run_topic_eval(path: Path = DATASET, rules_only: bool = False) -> TopicReport:
    """The labelled set scored by the shipped detector, or by its word signals alone (`rules_only`)."""
    detector = TopicDetector(reader=None) if rules_only else None
    return score(load_items(path), detector, dataset=str(path))
