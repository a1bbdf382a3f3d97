"""Ragas metrics computed offline: a local judge LLM over an OpenAI-compatible endpoint and local embeddings.

Metrics (ragas 0.4 `metrics.collections`, each scored with `.ascore`):
- `faithfulness` — share of the answer's statements the retrieved contexts support;
- `answer_relevancy` — how well questions regenerated from the answer match the question (embeddings);
- `context_precision` — whether the useful contexts are ranked first (judged against the reference);
- `context_recall` — share of the reference's statements the contexts support;
- `answer_correctness` — only where the dataset has a reference ANSWER (free-text items): statement F1 against
  it blended with embedding similarity.

The reference for context precision/recall is the reference answer where there is one; for labelled items it is
the gold label stated as a sentence (`reference_for`): the statement itself when it is true, its negation when
false, the right choice's text for multiple choice. That is derived from the gold label alone, never tuned.

The judge is the project's own OpenAI-compatible endpoint (`judge_endpoint`): `KHO_EVAL_JUDGE_URL` (e.g. a larger
model on vLLM), else `KHO_LLM_URL`, else the HTTP server of the embedded llama.cpp the assistant runs on. The
embeddings are the project's own dense embedder (query side: the metric compares questions). Nothing leaves the
machine. A metric the judge cannot score (unparseable output after ragas' retries) is recorded as an error and
left out of the mean, never counted as 0.

>>> reference_for("Người lao động được nghỉ 12 ngày, đúng hay sai?", "true_false", "Sai", None)
'Không đúng rằng: Người lao động được nghỉ 12 ngày.'
>>> reference_for("Chọn đáp án đúng:", "multiple_choice", "B", {"A": "x", "B": "Chủ tịch nước"})
'Chọn đáp án đúng: Chủ tịch nước'
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.settings import Settings

RAGAS_METRICS = ("faithfulness", "answer_relevancy", "context_precision", "context_recall", "answer_correctness")
# Greedy decoding: the same run gives the same verdicts, so two runs differ only by what changed. Ragas' answer
# relevancy averages `strictness` sampled questions; greedy sampling would repeat one, so it asks once.
JUDGE_TEMPERATURE = 0.0
JUDGE_MAX_TOKENS = 768
STRICTNESS = 1
JUDGE_RETRIES = 3


def reference_for(question: str, qtype: str, answer: Any, choices: dict[str, str] | None) -> str | None:
    """The reference text a dataset item supports (see the module docstring); None when it has none."""
    if answer is None or answer == "":
        return None
    if qtype == "true_false":
        statement = re.sub(r",?\s*(là\s+)?đúng hay sai\s*\??\s*$", "", question.strip(), flags=re.IGNORECASE)
        statement = statement.rstrip(" .?") + "."
        return statement if str(answer).strip().casefold() == "đúng" else f"Không đúng rằng: {statement}"
    if qtype == "multiple_choice":
        text = (choices or {}).get(str(answer))
        return f"{question.strip()} {text}" if text else None
    return str(answer)


def ask_text(question: str, qtype: str, choices: dict[str, str] | None) -> str:
    """How a dataset item is put to the assistant as a question (choices listed for multiple choice)."""
    if qtype == "multiple_choice" and choices:
        return question.strip() + "\n" + "\n".join(f"{k}. {v}" for k, v in choices.items())
    return question.strip()


@dataclass(frozen=True)
class JudgeEndpoint:
    """Where the judge LLM is served and how to describe it in the run record."""

    url: str
    api_key: str
    model: str
    kind: str

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "model": self.model,
            "endpoint": self.kind,
            "url": self.url if self.kind != "embedded llama.cpp HTTP server" else "127.0.0.1 (in-process)",
            "temperature": JUDGE_TEMPERATURE,
            "answer_relevancy_strictness": STRICTNESS,
            "ragas": version("ragas"),
        }


def judge_endpoint(settings: Settings) -> JudgeEndpoint:
    """The judge's OpenAI-compatible endpoint (see the module docstring for the order)."""
    from assistant.llm import LLM_MODEL, LlamaCppBackend, OpenAICompatBackend, get_llm

    if settings.eval_judge_url:
        server = OpenAICompatBackend(settings.eval_judge_url, settings.eval_judge_api_key)
        return JudgeEndpoint(server.url, settings.eval_judge_api_key or "none", server.model_id(), "KHO_EVAL_JUDGE_URL")
    llm = get_llm(settings)
    if isinstance(llm, OpenAICompatBackend):
        return JudgeEndpoint(llm.url, settings.llm_api_key or "none", llm.model_id(), "KHO_LLM_URL")
    assert isinstance(llm, LlamaCppBackend)
    return JudgeEndpoint(llm.listening_address, llm.api_key, LLM_MODEL, "embedded llama.cpp HTTP server")


def _embeddings_adapter(settings: Settings) -> Any:
    from ragas.embeddings.base import BaseRagasEmbedding

    from index.embedders import get_embedder

    class ProjectEmbeddings(BaseRagasEmbedding):  # type: ignore[misc]
        """The project's dense embedder as a ragas embedding (questions compared with questions)."""

        def __init__(self) -> None:
            super().__init__()
            self.embedder = get_embedder(settings.embedder, settings=settings)

        def embed_text(self, text: str, **kwargs: Any) -> list[float]:
            return [float(x) for x in np.asarray(self.embedder.embed_queries([text]))[0]]

        def embed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            return [[float(x) for x in row] for row in np.asarray(self.embedder.embed_queries(texts))]

        async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
            return self.embed_text(text)

        async def aembed_texts(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
            return self.embed_texts(texts)

    return ProjectEmbeddings()


@dataclass
class RagasScores:
    """One item's Ragas scores (None = not applicable or the judge failed; `errors` says which)."""

    scores: dict[str, float | None]
    errors: dict[str, str]
    latency_s: float

    def to_json(self) -> dict[str, Any]:
        return {"scores": self.scores, "errors": self.errors, "latency_s": round(self.latency_s, 2)}


class RagasJudge:
    """Scores (question, answer, contexts, reference) with the Ragas metrics; built once per run."""

    def __init__(self, settings: Settings, endpoint: JudgeEndpoint | None = None) -> None:
        import instructor
        from openai import AsyncOpenAI
        from ragas.llms.base import InstructorLLM
        from ragas.metrics.collections import (
            AnswerCorrectness,
            AnswerRelevancy,
            ContextPrecisionWithReference,
            ContextRecall,
            Faithfulness,
        )

        self.endpoint = endpoint or judge_endpoint(settings)
        client = AsyncOpenAI(
            base_url=self.endpoint.url.rstrip("/") + "/v1",
            api_key=self.endpoint.api_key,
            timeout=settings.llm_timeout_s,
            max_retries=1,
        )
        # ragas' llm_factory patches the client in instructor's JSON mode (a schema in the prompt); the 1.5B model
        # then sometimes returns the schema itself. JSON_SCHEMA mode sends it as `response_format`, which llama.cpp
        # and vLLM turn into a grammar, so the judge's output always parses.
        llm = InstructorLLM(
            client=instructor.from_openai(client, mode=instructor.Mode.JSON_SCHEMA),
            model=self.endpoint.model,
            provider="openai",
            temperature=JUDGE_TEMPERATURE,
            max_tokens=JUDGE_MAX_TOKENS,
            max_retries=JUDGE_RETRIES,  # instructor re-asks with the validation error when a value is off
        )
        emb = _embeddings_adapter(settings)
        self.metrics: dict[str, Any] = {
            "faithfulness": Faithfulness(llm=llm),
            "answer_relevancy": AnswerRelevancy(llm=llm, embeddings=emb, strictness=STRICTNESS),
            "context_precision": ContextPrecisionWithReference(llm=llm),
            "context_recall": ContextRecall(llm=llm),
            "answer_correctness": AnswerCorrectness(llm=llm, embeddings=emb),
        }

    def describe(self) -> dict[str, Any]:
        return {**self.endpoint.describe(), "embeddings": "project dense embedder (query side)"}

    def score(
        self,
        question: str,
        response: str | None,
        contexts: Sequence[str],
        reference: str | None,
        reference_is_answer: bool,
    ) -> RagasScores:
        """Every applicable metric for one item; a refused answer has no response, so only the context metrics."""
        t0 = time.perf_counter()
        calls: dict[str, dict[str, Any]] = {}
        ctx = list(contexts)
        if response and ctx:
            calls["faithfulness"] = dict(user_input=question, response=response, retrieved_contexts=ctx)
        if response:
            calls["answer_relevancy"] = dict(user_input=question, response=response)
        if reference and ctx:
            calls["context_precision"] = dict(user_input=question, reference=reference, retrieved_contexts=ctx)
            calls["context_recall"] = dict(user_input=question, retrieved_contexts=ctx, reference=reference)
        if response and reference and reference_is_answer:
            calls["answer_correctness"] = dict(user_input=question, response=response, reference=reference)
        scores: dict[str, float | None] = {m: None for m in RAGAS_METRICS}
        errors: dict[str, str] = {}
        for name, kwargs in calls.items():
            try:
                result = asyncio.run(self.metrics[name].ascore(**kwargs))
                value = float(result.value)
                scores[name] = None if np.isnan(value) else round(value, 4)
                if scores[name] is None:
                    errors[name] = "judge returned no usable verdicts (NaN)"
            except Exception as exc:  # the judge's output failed ragas' validation even after its retries
                errors[name] = f"{type(exc).__name__}: {str(exc)[:200]}"
        return RagasScores(scores, errors, time.perf_counter() - t0)
