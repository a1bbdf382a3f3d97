"""Follow-up or new topic: whether a question, asked after others, must be read with the previous one.

A conversation holds questions on several matters; only a question that cannot be understood alone should be glued
to the one before it (assistant/rewrite.py). "Dấu giáp lai được đóng như thế nào?" asked after a question on viên
chức is a new topic, while "còn viên chức thì sao?" or "Trường hợp đó được bồi thường không?" lean on what was
asked before.

The decision, in order:

1. the user's choice, when they made one (mode "follow_up" / "new_topic", the "Hỏi tiếp" / "Câu hỏi mới" buttons);
2. no earlier question → new topic;
3. otherwise a learned head decides (assistant/topic_model.py): a logistic regression over the question's
   EmbeddingGemma vector *and* the word signals of assistant/topic_signals.py (does it point back — "còn",
   "trường hợp đó", a dropped actor or object —, name its own document or subject, how many words of its own),
   trained on assistant/data/topic_train.jsonl. P(follow-up) ≥ 0.5 → follow-up. The reason shown names p and the
   signals that fired ("reads as leaning on the previous question (p=0.97; points back: «còn»)").

Where the head cannot run (the embedding model not fetched, or still loading in a server that just started), the
word signals decide alone, as an ordered cascade: points back → follow-up; names its own document or subject →
new topic; at least `MIN_OWN_WORDS` content words of its own → new topic; fewer → follow-up ("Mức hưởng là bao
nhiêu?").

Why the head weighs the signals instead of coming after them: the cascade was written on the labelled set's dev
part, where each of its steps is right 94–100 % of the time; on pairs written independently (the head's training
file, and the unseen splits heldout3–5) "opens with còn / vậy" is right about half the time ("Còn ghi
chú kết hôn ở nước ngoài thì thủ tục thế nào?" stands alone) and "names its own subject" three times in four.
Five-fold cross-validation on the training file: the cascade with the head at its last step 0.79, the head over
vector and signals 0.90.

Not used: lexical overlap with the previous question (core.text.content_words) tells *same topic*, not *needs
context* ("Công chức có được đình công không?" after a question on viên chức shares words and stands alone); it is
reported in the decision (`shared`). Cosine similarity of the two questions' vectors added nothing in
cross-validation.

>>> rules = TopicDetector(reader=None)  # the word signals alone
>>> rules.run(["Viên chức bị kỷ luật trong trường hợp nào?"], "Dấu giáp lai được đóng như thế nào?").topic.value
'new_topic'
>>> rules.run(["Thời gian thử việc của công chức là bao lâu?"], "còn viên chức thì sao?").topic.value
'follow_up'
>>> decide("Dấu giáp lai được đóng như thế nào?", ["Viên chức …?"], mode="follow_up").reason
'the user asked to continue the previous question'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from assistant.topic_model import QuestionReader, shipped_reader
from assistant.topic_signals import SIGNALS_FILE, SignalReading, TopicSignals, signals
from core.text import content_words

# Three content words of its own make a question a sentence about something ("Thủ tục cấp lại sổ …"); two or
# fewer are a fragment ("Mức hưởng …", "Ai cho phép?") — the length of the shortest self-contained legal question.
MIN_OWN_WORDS = 3


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


class TopicDetector:
    """Decides whether a question continues the conversation (see the module docstring for the order).

    `reader` is the learned head (None: the word signals alone, as without the embedding model).

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
        return signals(self.signals_file)

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
        seen = self.signals.read(question)
        reading = self.reader.read(question, seen.values) if self.reader is not None else None
        if reading is not None:
            leans, p = reading
            if leans:
                reason = f"reads as leaning on the previous question (p={p:.2f}; {seen.explain()})"
                return TopicDecision(Topic.FOLLOW_UP, reason, shared)
            return TopicDecision(Topic.NEW_TOPIC, f"reads as a whole question (p={p:.2f}; {seen.explain()})", shared)
        return self._cascade(seen, shared)

    def _cascade(self, seen: SignalReading, shared: frozenset[str]) -> TopicDecision:
        """The word signals alone, in order (no head here)."""
        if seen.points_back:
            name, text = seen.points_back[0]
            return TopicDecision(Topic.FOLLOW_UP, f"points back: {name} («{text}»)", shared)
        if seen.own_reference:
            return TopicDecision(Topic.NEW_TOPIC, f"names its own source («{seen.own_reference}»)", shared)
        if seen.subject:
            return TopicDecision(Topic.NEW_TOPIC, f"names its own subject («{seen.subject}»)", shared)
        left = ", ".join(w.replace("_", " ") for w in seen.own_words) or "nothing"
        if len(seen.own_words) >= self.min_own_words:
            return TopicDecision(Topic.NEW_TOPIC, f"a whole question on its own ({left})", shared)
        return TopicDecision(Topic.FOLLOW_UP, f"no subject of its own (left: {left})", shared)


def decide(question: str, history: Sequence[str], mode: str | TopicMode = TopicMode.AUTO) -> TopicDecision:
    """`TopicDetector(reader=shipped_reader()).run(history, question, mode)`: the shipped signals and head."""
    return TopicDetector(reader=shipped_reader()).run(history, question, mode)
