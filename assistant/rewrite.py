"""Follow-up questions made self-contained before retrieval ("còn viên chức thì sao?" → a whole question).

Whether a question leans on the conversation is decided by assistant/topic.py (the user may force it with
`mode`): a new topic is read as it is ("as_is", topic "new_topic") even when the conversation had other questions —
"Dấu giáp lai được đóng như thế nào?" after a question on viên chức is not glued to it. A follow-up is
rewritten by the LLM with the previous question (prompt file `rewrite_follow_up.txt`). A small model sometimes
drifts (copies the previous question, answers instead of asking, or gives the follow-up back unchanged), so the
rewrite is kept only when it is one question that still holds every content word of the follow-up and some of the
previous question's that the follow-up lacks, differs from the previous question, and asks no more than the
follow-up (the model kept "… trong trường hợp nào, … bao nhiêu ngày?", live) — and asks it with the follow-up's
kind of question word ("… áp dụng với ai?" became "… bằng những hình thức nào?", the previous question's ask,
live); otherwise the follow-up is read joined with the previous question ("join"), which retrieval handles well —
as a statement when the follow-up asks its own question. Extractive mode never calls the model, so it always joins.

>>> rewrite("còn viên chức thì sao?", ["Thời gian thử việc của công chức là bao lâu?"], None).topic
'follow_up'
>>> rewrite("Dấu giáp lai được đóng như thế nào?", ["Viên chức bị kỷ luật khi nào?"], None).how
'as_is'
>>> join("Thời gian thử việc của công chức là bao lâu?", "còn viên chức thì sao?")
'Thời gian thử việc của công chức là bao lâu? còn viên chức thì sao?'
>>> join("Viên chức bị chấm dứt hợp đồng trong trường hợp nào?", "Khi đó phải báo trước bao nhiêu ngày?")
'Viên chức bị chấm dứt hợp đồng. Khi đó phải báo trước bao nhiêu ngày?'
>>> acceptable("Khi viên chức bị chấm dứt hợp đồng trong trường hợp nào, phải báo trước bao nhiêu ngày?",
...            "Khi đó phải báo trước bao nhiêu ngày?", "Viên chức bị chấm dứt hợp đồng trong trường hợp nào?")
False
>>> acceptable("Hình thức giáng chức áp dụng với ai?", "Hình thức giáng chức áp dụng với ai?",
...            "Công chức bị xử lý kỷ luật bằng những hình thức nào?")
False
>>> acceptable("Hình thức giáng chức áp dụng với công chức bị xử lý kỷ luật bằng những hình thức nào?",
...            "Hình thức giáng chức áp dụng với ai?", "Công chức bị xử lý kỷ luật bằng những hình thức nào?")
False
>>> acceptable("Thời gian thử việc của viên chức là bao lâu?", "còn viên chức thì sao?",
...            "Thời gian thử việc của công chức là bao lâu?")
True
>>> acceptable("Thời gian thử việc của công chức là bao lâu?", "còn viên chức thì sao?",
...            "Thời gian thử việc của công chức là bao lâu?")
False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.closed import Cues
from assistant.prompts import template
from assistant.topic import Topic, TopicMode, decide
from core.text import content_words, nfc, nfc_strip

if TYPE_CHECKING:  # the backend module (httpx) is imported only when the model is called
    from assistant.llm import LLMBackend

MAX_WORDS = 60
# What the model sometimes writes before the question itself: the prompt's own label ("Câu hỏi đầy đủ:") or a
# guess at the user's meaning ("Có thể bạn đang hỏi về việc …", live — shown as "Câu hỏi được hiểu là: Có thể bạn
# đang hỏi …" and searched with).
_LEAD = re.compile(
    r"^\s*(?:câu\s+hỏi(?:\s+(?:đầy\s+đủ|viết\s+lại|của\s+bạn))?(?:\s+là)?\s*:"
    r"|(?:có\s+(?:thể|lẽ)\s+)?(?:bạn|anh|chị|người\s+dùng)\s+(?:đang\s+|muốn\s+)*hỏi(?:\s+(?:về|rằng|là))?"
    r"(?:\s+việc)?\s*:?)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rewrite:
    """The query used for retrieval and answering, how it was obtained ("as_is", "llm" or "join"), and whether
    the question was taken as a follow-up or a new topic (`topic`, with assistant/topic.py's `reason`)."""

    query: str
    how: str
    topic: str = Topic.NEW_TOPIC.value
    reason: str = ""


def needs_context(question: str, history: Sequence[str] = ("…",)) -> bool:
    """Whether `question`, asked after `history` (by default after some earlier question), leans on it."""
    return decide(question, history).follow_up


def join(previous: str, question: str) -> str:
    """The follow-up read after the previous question — as a statement when the follow-up asks its own question,
    so the two are not asked at once ("… chấm dứt hợp đồng làm việc trong trường hợp nào? Khi đó … bao nhiêu
    ngày?" made the answer list the cases again, live)."""
    cues = Cues.default()
    context = cues.without_question_phrase(previous.strip()) if cues.asks(question) else previous
    return f"{context} {question}"


def without_lead(text: str) -> str:
    """The model's rewrite without what it wrote before the question (`_LEAD`), its first letter capitalised.

    >>> without_lead("Có thể bạn đang hỏi về việc viên chức có được thành lập doanh nghiệp không?")
    'Viên chức có được thành lập doanh nghiệp không?'
    >>> without_lead("Câu hỏi đầy đủ: Viên chức bị kỷ luật khi nào?"), without_lead("Bạn bè có được làm chứng không?")
    ('Viên chức bị kỷ luật khi nào?', 'Bạn bè có được làm chứng không?')
    """
    rest = _LEAD.sub("", nfc_strip(text), count=1).strip()
    return rest[:1].upper() + rest[1:]


def acceptable(rewrite: str, question: str, previous: str) -> bool:
    """Whether the model's rewrite can stand in for the follow-up (see the module docstring)."""
    norm = nfc_strip(rewrite)
    if not norm or len(norm.split()) > MAX_WORDS or norm.casefold() == previous.strip().casefold():
        return False
    have = content_words(norm)
    cues = Cues.default()
    asks_more = cues.asks(norm) > max(1, cues.asks(question))
    asked = cues.asked_kinds(question)
    asks_other = bool(asked) and cues.asked_kinds(norm) != asked
    own = content_words(question)
    brought = (content_words(previous) - own) & have  # the model's copy of the follow-up is no rewrite
    return own <= have and bool(brought) and not (asks_more or asks_other)


def rewrite(
    question: str, history: Sequence[str], llm: LLMBackend | None, mode: str | TopicMode = TopicMode.AUTO
) -> Rewrite:
    """The self-contained query for `question` after the questions in `history` (latest last); `mode` "auto" lets
    assistant/topic.py decide, "follow_up" / "new_topic" is the user's choice."""
    history = [h for h in history if h.strip()]
    decision = decide(question, history, mode)
    if not history or not decision.follow_up:
        return Rewrite(question, "as_is", Topic.NEW_TOPIC.value, decision.reason)
    follow = Topic.FOLLOW_UP.value
    previous = history[-1]
    if llm is not None:
        from assistant.llm import ChatMessage, GenerationConfig

        prompt = template("rewrite_follow_up").format(previous=previous.strip(), question=question.strip())
        out = llm.complete([ChatMessage("user", prompt)], GenerationConfig(max_tokens=80, stop=("\n",)))
        candidate = without_lead(str(out))
        if acceptable(candidate, question, previous):
            return Rewrite(nfc(candidate), "llm", follow, decision.reason)
    return Rewrite(join(previous, question), "join", follow, decision.reason)
