"""The word signals of follow-up detection: reviewable lists (assistant/data/topic_signals.toml) read on a question.

A question *points back* when it opens with "còn"/"vậy", ends in a bare "thì sao", says "trường hợp đó", or drops
its actor or object; it *stands alone* when it names its own document ("30/2020/NĐ-CP", "Điều 25") or a subject
of the domain ("viên chức", "con dấu"), or has enough content words of its own. `TopicSignals.read` gives all of
them for one question (`SignalReading`): assistant/topic.py decides with them, and assistant/topic_model.py
gives them to its learned head beside the question's vector, as numbers (`SignalReading.values`, named by
`TopicSignals.feature_names`).

>>> reading = signals().read("Còn viên chức thì sao?")
>>> [name for name, _ in reading.points_back][:1], reading.subject
(['opens with còn / vậy / thế (contrast or continuation)'], 'viên chức')
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from core.text import content_words, nfc

SIGNALS_FILE = Path(__file__).with_name("data") / "topic_signals.toml"
# A document number ("30/2020/NĐ-CP", "77/2099/QH99") or an article ("Điều 25"): the question names its own source.
OWN_REFERENCE = re.compile(r"\b\d+/(\d{4}/)?[A-ZĐ]{1,6}[\w-]*|\bđiều\s+\d+", re.IGNORECASE)
# Own content words counted up to this many as a feature (a long question is no more whole than a six-word one).
_OWN_WORDS_CAP = 6


@dataclass(frozen=True)
class SignalReading:
    """What the word signals see in one question: the markers that point back (name, matched text), its own
    source and subject when it names them, and its own content words (neither function words nor generic)."""

    points_back: tuple[tuple[str, str], ...]
    own_reference: str | None
    subject: str | None
    own_words: tuple[str, ...]
    marker_names: tuple[str, ...] = field(repr=False, default=())

    @property
    def values(self) -> tuple[float, ...]:
        """The reading as numbers, in the order of `TopicSignals.feature_names`."""
        fired = {name for name, _ in self.points_back}
        return (
            float(bool(fired)),
            *(float(name in fired) for name in self.marker_names),
            float(self.own_reference is not None),
            float(self.subject is not None),
            min(len(self.own_words), _OWN_WORDS_CAP) / _OWN_WORDS_CAP,
        )

    def explain(self) -> str:
        """The signals that fired, as a reader would name them ("points back: «còn»; names «viên chức»")."""
        parts = [f"points back: «{text}»" for _, text in self.points_back[:2]]
        if self.own_reference:
            parts.append(f"names its own source «{self.own_reference}»")
        if self.subject:
            parts.append(f"names its own subject «{self.subject}»")
        if not parts:
            n = len(self.own_words)
            parts.append("no word of its own" if n == 0 else f"{n} word{'s' if n > 1 else ''} of its own")
        return "; ".join(parts)


@dataclass(frozen=True)
class Marker:
    """A way of pointing back ("opens with còn …"), as a named pattern over the normalised question.

    `unless_actor`: the pattern points back only while the question names no actor of its own — "Nếu bị kỷ luật
    thì …?" leans on the person asked about before, "Nếu bị mất con dấu thì cơ quan phải làm gì?" does not.
    """

    name: str
    pattern: re.Pattern[str]
    unless_actor: bool = False


@dataclass(frozen=True)
class TopicSignals:
    """The reviewable word lists of assistant/data/topic_signals.toml, compiled."""

    points_back: tuple[Marker, ...]
    subjects: re.Pattern[str]
    actors: re.Pattern[str]
    generic: frozenset[str]

    @classmethod
    def load(cls, path: Path = SIGNALS_FILE) -> TopicSignals:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        markers = tuple(
            Marker(m["name"], re.compile(m["pattern"]), bool(m.get("unless_actor", False))) for m in data["points_back"]
        )
        actors = data["actors"]["terms"]
        return cls(
            markers,
            _alternation([*actors, *data["subjects"]["terms"]]),
            _alternation(actors),
            frozenset(normalise(t) for t in data["generic"]["terms"]),
        )

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The names of `SignalReading.values`, in order (a head file records them)."""
        marker_names = tuple(f"points_back:{m.name}" for m in self.points_back)
        return ("points_back", *marker_names, "own_reference", "subject", "own_words")

    def read(self, question: str) -> SignalReading:
        """What the signals see in `question`."""
        text = normalise(question)
        fired = []
        for marker in self.points_back:
            m = marker.pattern.search(text)
            if m and not (marker.unless_actor and self.actors.search(text)):
                fired.append((marker.name, m.group(0).strip()))
        ref = OWN_REFERENCE.search(nfc(question))
        subject = self.subjects.search(text)
        own = tuple(sorted(w for w in content_words(question) if w.replace("_", " ") not in self.generic))
        return SignalReading(
            tuple(fired),
            ref.group(0) if ref else None,
            subject.group(0) if subject else None,
            own,
            tuple(m.name for m in self.points_back),
        )


def _alternation(terms: Sequence[str]) -> re.Pattern[str]:
    """One pattern matching any of `terms` (normalised) as whole words, the longest first."""
    ordered = sorted({normalise(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in ordered) + r")\b")


def normalise(text: str) -> str:
    """NFC, lowercased, one space between words, punctuation other than "/" and "-" dropped."""
    return " ".join(re.sub(r"[^\w/-]+", " ", nfc(text).casefold()).split())


@cache
def signals(path: Path = SIGNALS_FILE) -> TopicSignals:
    """The signals of `path`, compiled once per process."""
    return TopicSignals.load(path)


def signals_digest(path: Path = SIGNALS_FILE) -> str:
    """The SHA-256 of the signals file (a head trained on its features records it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
