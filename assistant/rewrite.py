"""Follow-up questions made self-contained before retrieval ("còn viên chức thì sao?" → a whole question).

Whether a question leans on the conversation is decided by assistant/topic.py (the user may force it with
`mode`): a new topic is read as it is ("as_is", topic "new_topic") even when the conversation had other questions —
"Dấu giáp lai được đóng như thế nào?" after a question on viên chức is not glued to it. A follow-up that names
nothing but another person ("còn viên chức thì sao?" after a question on công chức) is the previous question asked
of them, the person's words replaced ("swap", `asked_of_another`: exact, no model). Any other follow-up is
rewritten by the LLM with the previous question (prompt file `rewrite_follow_up.txt`). A small model sometimes
drifts (copies the previous question, answers instead of asking, or gives the follow-up back unchanged), so the
rewrite is kept only when it is one question that still holds every content word of the follow-up and some of the
previous question's that the follow-up lacks, differs from the previous question, and asks no more than the
follow-up (the model kept "… trong trường hợp nào, … bao nhiêu ngày?", live) — and asks it with the follow-up's
kind of question word ("… áp dụng với ai?" became "… bằng những hình thức nào?", the previous question's ask,
live); otherwise the follow-up is read joined with the previous question ("join"), which retrieval handles well —
as a statement when the follow-up asks its own question. Extractive mode never calls the model, so it always joins.

>>> rewrite("còn viên chức thì sao?", ["Thời gian thử việc của công chức là bao lâu?"], None).query
'Thời gian thử việc của viên chức là bao lâu?'
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

from assistant.actor import ActorLexicon
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
    """The query used for retrieval and answering, how it was obtained ("as_is", "swap", "llm" or "join"), and whether
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


# "còn X thì sao?", "Vậy còn X?", "X thì sao?": the previous question asked again of X.
_THEN_WHAT = r"\s+thì\s+(?:sao|thế\s+nào|như\s+thế\s+nào|ra\s+sao)"
_END = r"(?:\s+(?:ạ|nhỉ|vậy|nhé))?\s*[?.!]*$"
# It asks about another only when it opens with "còn" or ends with "thì sao" (`still`, `then`).
_ABOUT_ANOTHER = re.compile(
    rf"^(?:(?P<still>(?:vậy\s+|thế\s+)?còn)\s+|(?:vậy|thế)\s+)?(?:(?:đối\s+)?với\s+|về\s+)?"
    rf"(?P<x>[^?.,;:]{{2,60}}?)(?P<then>{_THEN_WHAT})?{_END}",
    re.IGNORECASE,
)
MAX_ACTOR_WORDS = 6


def asked_of_another(question: str, previous: str, actors: ActorLexicon | None = None) -> str | None:
    """The previous question asked of the person the follow-up names instead, when the follow-up is nothing but
    that person ("còn viên chức thì sao?", "Vậy còn cán bộ cấp xã?") and the previous question names one other
    person: the words naming them are replaced, nothing else changes — no model, so extractive mode reads it too.
    Live, "Còn công chức thì sao?" after "Viên chức được nghỉ hằng năm bao nhiêu ngày?" was read as the two
    questions joined, and the answer quoted the viên chức's rule and two unrelated articles. None otherwise.

    >>> asked_of_another("còn viên chức thì sao?", "Thời gian thử việc của công chức là bao lâu?")
    'Thời gian thử việc của viên chức là bao lâu?'
    >>> asked_of_another("Còn đối với công chức thì sao?", "Viên chức được nghỉ hằng năm bao nhiêu ngày?")
    'Công chức được nghỉ hằng năm bao nhiêu ngày?'
    >>> asked_of_another("Còn nghỉ lễ thì sao?", "Viên chức được nghỉ hằng năm bao nhiêu ngày?") is None
    True
    """
    actors = actors or ActorLexicon.default()
    question, previous = nfc_strip(question), nfc_strip(previous)
    m = _ABOUT_ANOTHER.match(question)
    if m is None or not (m["still"] or m["then"]):
        return None
    named = m["x"].strip()
    asked, before = actors.person_asked(named), actors.person_asked(previous)
    if asked is None or before is None or asked[0].identity == before[0].identity:
        return None
    if not named.casefold().startswith(asked[1].casefold()):
        return None  # "Luật Viên chức", "vợ của viên chức": the person is not what the follow-up names
    if len(named.split()) > MAX_ACTOR_WORDS or re.search(r"\bthì\b", named, re.I) or Cues.default().asks(named):
        return None  # "còn viên chức thì được mấy ngày?" asks its own question: the model's rewrite, or the join
    at = re.search(rf"(?<!\w){re.escape(before[1])}(?!\w)", previous, re.IGNORECASE)
    if at is None:
        return None
    swapped = named[:1].upper() + named[1:] if at.start() == 0 else named[:1].lower() + named[1:]
    return f"{previous[: at.start()]}{swapped}{previous[at.end() :]}"


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
    # a question rewritten as a statement asks nothing: live, "Hết thời gian đó mà không đạt yêu cầu thì sao?" after
    # the tập sự question became "Hết thời gian tập sự của viên chức đã qua nhưng vẫn chưa đạt yêu cầu của bạn."
    # and the answer was a refusal
    asks_nothing = _asks(question, cues) and not _asks(norm, cues)
    return own <= have and _brings_matter(brought, question, previous) and not (asks_more or asks_other or asks_nothing)


def _brings_matter(brought: set[str], question: str, previous: str) -> bool:
    """Whether the words a rewrite brought from the previous question (`brought`) hold more than the person it
    asked about, when it asked about more than them and the follow-up names no one: live, "Có được hưởng lương
    không?" after "Người lao động được nghỉ việc riêng trong trường hợp nào?" became "Người lao động được hưởng
    lương không?" — the leave it asked about left behind — and was answered "Có." on the monthly pay rule."""
    if not brought:
        return False
    actors = ActorLexicon.default()
    asked = actors.person_asked(previous)
    if asked is None or actors.person_asked(question) is not None:
        return True
    person = content_words(asked[1])
    matter = content_words(previous) - person - content_words(question)
    return not matter or bool(brought - person)


def _asks(text: str, cues: Cues) -> bool:
    """Whether `text` asks: a question word of `cues`, or a question mark at its end ("… thì sao?")."""
    return text.rstrip().endswith("?") or cues.asks(text) > 0


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
    swapped = asked_of_another(question, previous)
    if swapped is not None:
        return Rewrite(swapped, "swap", follow, decision.reason)
    if llm is not None:
        from assistant.llm import ChatMessage, GenerationConfig

        prompt = template("rewrite_follow_up").format(previous=previous.strip(), question=question.strip())
        out = llm.complete([ChatMessage("user", prompt)], GenerationConfig(max_tokens=80, stop=("\n",)))
        candidate = without_lead(str(out))
        if acceptable(candidate, question, previous):
            return Rewrite(nfc(candidate), "llm", follow, decision.reason)
    return Rewrite(join(previous, question), "join", follow, decision.reason)
