"""Follow-up or new topic: whether a question, asked after others, must be read with the previous one.

A conversation holds questions on several matters; only a question that cannot be understood alone should be glued
to the one before it (assistant/rewrite.py). "Dấu giáp lai được đóng như thế nào?" asked after a question on viên
chức is a new topic — it names its own subject — while "còn viên chức thì sao?" or "Trường hợp đó được bồi thường
không?" lean on what was asked before.

The decision is a short, ordered list of linguistic signals, each one a reason a reader would give:

1. the user's choice, when they made one (mode "follow_up" / "new_topic");
2. no earlier question → new topic;
3. the question *points back* — anaphora or ellipsis that needs an antecedent: opens with "còn" / "vậy" / "thế",
   ends in a bare "thì sao", says "như vậy", "trường hợp đó", "họ", or drops its actor ("Được kiêm nhiệm …?"),
   its object ("… đóng bao nhiêu?") or the standard of a comparison ("nghỉ thêm …", "cao hơn …"), or sets a
   condition on an unnamed actor ("Nếu bị kỷ luật thì …?") → follow-up. Some of these count only while the
   question names no actor of its own (`unless_actor`). "như thế nào" and "thế nào là" ask how/what and do not
   count;
4. it names its own document (a số hiệu such as 30/2020/NĐ-CP, or "Điều 25") → new topic;
5. it names an actor, object or institution of the domain (viên chức, dấu, hợp đồng, bảo hiểm …) → new topic;
6. otherwise the question's *meaning* decides: a logistic-regression head over its EmbeddingGemma vector
   (assistant/topic_model.py, trained on assistant/data/topic_train.jsonl) gives P(follow-up); at ≥ 0.5 it leans
   on the previous question ("Trong bao lâu kể từ ngày quyết định có hiệu lực?" has three content words and still
   leans). Where the embedding model is not available (not fetched), a word count decides instead: at least
   `MIN_OWN_WORDS` content words that are neither function words nor relational heads ("mức", "thời hạn",
   "thẩm quyền" need a complement) → new topic; fewer → follow-up ("Mức hưởng là bao nhiêu?", "Ai cho phép?").
   The head replaces only this last step: let it overrule step 5 too and it glues "Dấu giáp lai được đóng như
   thế nào?" to a question on viên chức (and the dev split falls from 0.985 to 0.909).

Markers, subjects and relational heads are data (assistant/data/topic_signals.toml), so a reviewer can extend them
without touching code. Why not the other candidate signals:

- Lexical overlap with the previous question (core.text.content_words) tells *same topic*, not *needs context*:
  "Công chức có được đình công không?" after a question on viên chức shares words and is still read correctly on
  its own, while "còn viên chức thì sao?" after one on công chức shares none and is a follow-up. Reading a
  self-contained question as it is costs nothing even when it continues the topic, so overlap is reported in the
  decision (`shared`) but does not decide.
- Retrieval agreement (do the question alone and the joined query find the same articles?) costs two searches per
  question; the question's own vector is one embedding, by the embedder search already loads (the vector itself
  is computed again by hybrid search).

>>> rules = TopicDetector(reader=None)  # the word signals alone
>>> rules.run(["Viên chức bị kỷ luật trong trường hợp nào?"], "Dấu giáp lai được đóng như thế nào?").topic.value
'new_topic'
>>> decide("còn viên chức thì sao?", ["Thời gian thử việc của công chức là bao lâu?"]).topic.value
'follow_up'
>>> decide("Dấu giáp lai được đóng như thế nào?", ["Viên chức …?"], mode="follow_up").reason
'the user asked to continue the previous question'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

from assistant.topic_model import QuestionReader, shipped_reader
from core.text import content_words, nfc

SIGNALS_FILE = Path(__file__).with_name("data") / "topic_signals.toml"
# Three content words of its own make a question a sentence about something ("Thủ tục cấp lại sổ …"); two or
# fewer are a fragment ("Mức hưởng …", "Ai cho phép?") — the length of the shortest self-contained legal question.
MIN_OWN_WORDS = 3
# A document number ("30/2020/NĐ-CP", "77/2099/QH99") or an article ("Điều 25"): the question names its own source.
_OWN_REFERENCE = re.compile(r"\b\d+/(\d{4}/)?[A-ZĐ]{1,6}[\w-]*|\bđiều\s+\d+", re.IGNORECASE)


class Topic(Enum):
    """How a question stands to the conversation before it."""

    FOLLOW_UP = "follow_up"
    NEW_TOPIC = "new_topic"


class TopicMode(Enum):
    """Who decides: the detector ("auto") or the user ("follow_up" / "new_topic", e.g. the "Hỏi tiếp" button)."""

    AUTO = "auto"
    FOLLOW_UP = "follow_up"
    NEW_TOPIC = "new_topic"

    @classmethod
    def from_str(cls, value: str | TopicMode) -> TopicMode:
        if isinstance(value, TopicMode):
            return value
        try:
            return cls(value.strip().lower().replace("-", "_"))
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown topic mode {value!r}; valid: {valid}") from None


@dataclass(frozen=True)
class TopicDecision:
    """The decision, the reason a person can read, and the content words shared with the previous question."""

    topic: Topic
    reason: str
    shared: frozenset[str] = field(default_factory=frozenset)

    @property
    def follow_up(self) -> bool:
        return self.topic is Topic.FOLLOW_UP


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


def _alternation(terms: Sequence[str]) -> re.Pattern[str]:
    """One pattern matching any of `terms` (normalised) as whole words, the longest first."""
    ordered = sorted({normalise(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in ordered) + r")\b")


def normalise(text: str) -> str:
    """NFC, lowercased, one space between words, punctuation other than "/" and "-" dropped."""
    return " ".join(re.sub(r"[^\w/-]+", " ", nfc(text).casefold()).split())


class TopicDetector:
    """Decides whether a question continues the conversation (see the module docstring for the signals).

    `reader` is the learned head of step 6 (None: the word signals alone, as without the embedding model).

    >>> TopicDetector().run(["Hợp đồng lao động có mấy loại?"], "Loại nào được ký tối đa hai lần?").reason
    'no subject of its own (left: ký)'
    """

    def __init__(
        self,
        signals_file: Path = SIGNALS_FILE,
        min_own_words: int = MIN_OWN_WORDS,
        reader: QuestionReader | None = None,
    ) -> None:
        self.signals_file = signals_file
        self.min_own_words = min_own_words
        self.reader = reader

    @property
    def signals(self) -> TopicSignals:
        return _signals(self.signals_file)

    def run(self, history: Sequence[str], question: str, mode: str | TopicMode = TopicMode.AUTO) -> TopicDecision:
        """The decision for `question` after `history` (earlier questions, latest last)."""
        mode = TopicMode.from_str(mode)
        earlier = [h for h in history if h.strip()]
        shared = frozenset(content_words(question) & content_words(earlier[-1])) if earlier else frozenset()
        if mode is TopicMode.FOLLOW_UP:
            return TopicDecision(Topic.FOLLOW_UP, "the user asked to continue the previous question", shared)
        if mode is TopicMode.NEW_TOPIC:
            return TopicDecision(Topic.NEW_TOPIC, "the user asked a new question", shared)
        if not earlier:
            return TopicDecision(Topic.NEW_TOPIC, "no earlier question", shared)
        text = normalise(question)
        signals = self.signals
        for marker in signals.points_back:
            m = marker.pattern.search(text)
            if m and not (marker.unless_actor and signals.actors.search(text)):
                return TopicDecision(Topic.FOLLOW_UP, f"points back: {marker.name} («{m.group(0).strip()}»)", shared)
        ref = _OWN_REFERENCE.search(nfc(question))
        if ref:
            return TopicDecision(Topic.NEW_TOPIC, f"names its own source («{ref.group(0)}»)", shared)
        subject = signals.subjects.search(text)
        if subject:
            return TopicDecision(Topic.NEW_TOPIC, f"names its own subject («{subject.group(0)}»)", shared)
        reading = self.reader.read(question) if self.reader is not None else None
        if reading is not None:
            leans, p = reading
            if leans:
                return TopicDecision(Topic.FOLLOW_UP, f"reads as leaning on the previous question (p={p:.2f})", shared)
            return TopicDecision(Topic.NEW_TOPIC, f"reads as a whole question (p={p:.2f})", shared)
        own = sorted(w for w in content_words(question) if w.replace("_", " ") not in signals.generic)
        left = ", ".join(w.replace("_", " ") for w in own) or "nothing"
        if len(own) >= self.min_own_words:
            return TopicDecision(Topic.NEW_TOPIC, f"a whole question on its own ({left})", shared)
        return TopicDecision(Topic.FOLLOW_UP, f"no subject of its own (left: {left})", shared)


@cache
def _signals(path: Path) -> TopicSignals:
    return TopicSignals.load(path)


def decide(question: str, history: Sequence[str], mode: str | TopicMode = TopicMode.AUTO) -> TopicDecision:
    """`TopicDetector(reader=shipped_reader()).run(history, question, mode)`: the shipped signals and head."""
    return TopicDetector(reader=shipped_reader()).run(history, question, mode)
