"""The examples in module docstrings run and hold, so the documentation cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "core.settings",
    "core.fs",
    "core.text",
    "core.jsonl",
    "assistant.topic_model",
    "assistant.focus",
    "assistant.answer",
    "assistant.lists",
    "assistant.figures",
    "assistant.actor",
    "core.clock",
    "core.hashing",
    "core.metrics",
    "ui.security",
    "app.limits",
    "app.backup",
    "app.sso",
    "corpus",
    "ingest.ids",
    "ingest.model",
    "ingest.metadata",
    "ingest.structure",
    "ingest.standing",
    "ingest.chunking",
    "ingest.parse",
    "ingest.formats.registry",
    "index.embedders",
    "index.sparse",
    "index.search",
    "index.store",
    "eval.retrieval",
    "eval.answers",
    "eval.refusal",
    "assistant.evidence",
    "assistant.verify",
    "assistant.judge",
    "assistant.llm",
    "assistant.rewrite",
    "assistant.injection",
    "core.sqlite",
    "eval.runs",
    "eval.ragas_eval",
    "eval.compare",
    "eval.gate",
    "eval.report",
    "eval.feedback",
    "eval.validity_questions",
    "ingest.versions",
    "ingest.relations",
    "app.lineage",
    "assistant.references",
    "assistant.extractive",
    "assistant.polarity",
    "assistant.terms",
    "assistant.closed",
    "assistant.topic",
    "assistant.topic_signals",
    "ui.render",
    "ui.workdesk",
    "assistant.pipeline",
    "assistant.clauses",
    "assistant.context",
    "assistant.prompts",
    "assistant.counts",
    "assistant.unfinished",
    "assistant.who",
    "assistant.who_quote",
    "assistant.case_quote",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples to check"
    assert result.failed == 0
