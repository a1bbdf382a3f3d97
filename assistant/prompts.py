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
from typing import Protocol

from assistant.answer import CitedSource
from assistant.extractive import standing_note
from assistant.injection import strip_instructions
from ingest.metadata import parse_source_line

PROMPTS = Path(__file__).with_name("prompts")
_TAG = re.compile(r"<\s*/?\s*tai_lieu[^>]*>", re.IGNORECASE)


@cache
def template(name: str) -> str:
    """The text of `prompts/<name>.txt`."""
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8")


def neutralise(text: str) -> str:
    """Document text made safe to put inside a block: tag look-alikes become plain brackets."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def without_source_line(text: str) -> str:
    """A source's text without its pháp điển source line ("(Điều 21 Nghị định số 115/2020/NĐ-CP, có hiệu lực thi
    hành kể từ ngày …, có nội dung được sửa đổi bởi …)"): the block's `nguon` already names the text and what
    amended it, and on a 2-core CPU those ~50 tokens per source are ~0.7 s more before the first word. Only the
    model's copy loses it; verification and the source view read the stored text.

    >>> without_source_line("Điều 5.2.LQ.45. Chế độ thôi việc\\n(Điều 45 Luật số 58/2010/QH12, có hiệu lực thi hành "
    ...                     "kể từ ngày 01/01/2012)\\n1. Viên chức được hưởng trợ cấp thôi việc.")
    'Điều 5.2.LQ.45. Chế độ thôi việc\\n1. Viên chức được hưởng trợ cấp thôi việc.'
    """
    lines = text.split("\n")
    for i, line in enumerate(lines[:3]):
        if line.strip().startswith("(") and parse_source_line(line) is not None:
            return "\n".join(lines[:i] + lines[i + 1 :])
    return text


def context(sources: list[CitedSource]) -> str:
    """The sources as `<tai_lieu>` blocks: instruction-like sentences cut out (assistant/injection.py), tags defused,
    a pháp điển source line left to the anchor (`without_source_line`)."""
    return "\n".join(
        template("context_block").format(
            marker=s.marker,
            anchor=neutralise(s.hit.anchor + standing_note(s)),
            text=neutralise(strip_instructions(without_source_line(s.hit.text.strip()))[0]),
        )
        for s in sources
    )


class RetryReason(Protocol):
    """Why a first answer is asked again with a note of its own: its template's name and the words it names
    (assistant.actor.OffQuestion: another actor answered for; assistant.verify.Opposite: only the cases where the
    act asked about may not be done)."""

    template: str

    def fields(self) -> dict[str, str]: ...


def answer_messages(
    question: str, sources: list[CitedSource], retry: bool = False, why: RetryReason | None = None
) -> list[tuple[str, str]]:
    """(role, content) pairs for the answer prompt; `retry`: the second try after an answer without a claim
    (`answer_retry.txt` after the prompt's last line, so the sources and question stay a reusable prefix), or,
    with `why`, after one that answered another question (its own note: `answer_retry_actor.txt` names both actors,
    `answer_retry_opposite.txt` the act asked about)."""
    user = template("answer_user").format(context=context(sources), question=question.strip())
    if retry:
        note = template("answer_retry").strip()
        if why is not None:
            note = template(why.template).strip().format(**{k: neutralise(v) for k, v in why.fields().items()})
        user = f"{user.rstrip()}\n{note}\n"
    return [("system", template("answer_system").strip()), ("user", user)]
