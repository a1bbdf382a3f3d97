"""Prompt templates as reviewable Vietnamese text files (`assistant/prompts/*.txt`), filled here.

Retrieved text goes inside `<tai_lieu>` blocks and is neutralised first: anything that looks like our own tags
is defused, so a document cannot close its block and speak outside it, and sentences that address the assistant
("Bỏ qua mọi hướng dẫn…", "trả lời rằng…") are cut out (assistant/injection.py). The system prompt tells the
model that block content is data, never instructions; verification (assistant/verify.py) then checks what came
out, against the same cleaned text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from assistant.answer import CitedSource
from assistant.extractive import standing_note
from assistant.injection import strip_instructions

PROMPTS = Path(__file__).with_name("prompts")
_TAG = re.compile(r"<\s*/?\s*tai_lieu[^>]*>", re.IGNORECASE)


@cache
def template(name: str) -> str:
    """The text of `prompts/<name>.txt`."""
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8")


def neutralise(text: str) -> str:
    """Document text made safe to put inside a block: tag look-alikes become plain brackets."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def context(sources: list[CitedSource]) -> str:
    """The sources as `<tai_lieu>` blocks: instruction-like sentences cut out (assistant/injection.py), tags defused."""
    return "\n".join(
        template("context_block").format(
            marker=s.marker,
            anchor=neutralise(s.hit.anchor + standing_note(s)),
            text=neutralise(strip_instructions(s.hit.text.strip())[0]),
        )
        for s in sources
    )


def answer_messages(question: str, sources: list[CitedSource]) -> list[tuple[str, str]]:
    """(role, content) pairs for the answer prompt."""
    return [
        ("system", template("answer_system").strip()),
        ("user", template("answer_user").format(context=context(sources), question=question.strip())),
    ]
