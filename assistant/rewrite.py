"""Follow-up questions made self-contained before retrieval ("còn viên chức thì sao?" → a whole question).

A question that leans on the conversation — short, or pointing back ("thì sao", "vậy", "đó", "còn …") — is
rewritten by the LLM with the previous question (prompt file `rewrite_follow_up.txt`). A small model sometimes
drifts (copies the previous question, answers instead of asking), so the rewrite is kept only when it is one
question that still holds every content word of the follow-up and some of the previous question, and differs
from the previous question; otherwise the follow-up is read joined with the previous question ("join"), which
retrieval handles well. Extractive mode never calls the model, so it always joins.

>>> needs_context("còn viên chức thì sao?")
True
>>> needs_context("Viên chức bị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?")
False
>>> join("Thời gian thử việc của công chức là bao lâu?", "còn viên chức thì sao?")
'Thời gian thử việc của công chức là bao lâu? còn viên chức thì sao?'
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

from assistant.prompts import template
from core.text import content_words, nfc, nfc_strip

if TYPE_CHECKING:  # the backend module (httpx) is imported only when the model is called
    from assistant.llm import LLMBackend

FOLLOW_UP_WORDS = 7  # a question this short after another one leans on it
_POINTS_BACK = re.compile(r"\b(thì sao|vậy|đó|đấy|này|trên|còn|nữa|như thế|trường hợp ấy)\b", re.IGNORECASE)
MAX_WORDS = 60


@dataclass(frozen=True)
class Rewrite:
    """The query used for retrieval and answering, and how it was obtained ("as_is", "llm" or "join")."""

    query: str
    how: str


def needs_context(question: str) -> bool:
    """Whether a question, asked after another, leans on it."""
    return len(question.split()) <= FOLLOW_UP_WORDS or bool(_POINTS_BACK.search(question))


def join(previous: str, question: str) -> str:
    return f"{previous} {question}"


def acceptable(rewrite: str, question: str, previous: str) -> bool:
    """Whether the model's rewrite can stand in for the follow-up (see the module docstring)."""
    norm = nfc_strip(rewrite)
    if not norm or len(norm.split()) > MAX_WORDS or norm.casefold() == previous.strip().casefold():
        return False
    have = content_words(norm)
    return content_words(question) <= have and bool(content_words(previous) & have)


def rewrite(question: str, history: Sequence[str], llm: LLMBackend | None) -> Rewrite:
    """The self-contained query for `question` after the questions in `history` (latest last)."""
    if not history or not needs_context(question):
        return Rewrite(question, "as_is")
    previous = history[-1]
    if llm is not None:
        from assistant.llm import ChatMessage, GenerationConfig

        prompt = template("rewrite_follow_up").format(previous=previous.strip(), question=question.strip())
        out = llm.complete([ChatMessage("user", prompt)], GenerationConfig(max_tokens=80, stop=("\n",)))
        candidate = re.sub(r"^(Câu hỏi( đầy đủ)?\s*:\s*)", "", str(out).strip(), flags=re.IGNORECASE).strip()
        if acceptable(candidate, question, previous):
            return Rewrite(nfc(candidate), "llm")
    return Rewrite(join(previous, question), "join")
