"""Ragas judges an answer against what the model read, not against the best passage of each hit.

The model reads the governing article whole (assistant/context.py); Ragas was given `quote_sources` — the best
passage of each search hit for the question. In the 12-item run at 2117ba5 two answers quoting their source
verbatim ("Theo [1]: «2. Trường hợp giao dịch dân sự …»") scored faithfulness 0: the quoted Khoản was not the
passage Ragas saw. Real index (Qdrant Edge, BM25) of the fixture law of tests/test_context.py, where the question
on when a unit may end a contract matches Khoản 3 best while Khoản 1 answers it; a scripted stand-in for the model
writes Khoản 1 (the point is which passages the judge is given, whatever the model writes).
"""

from __future__ import annotations

from assistant.extractive import quote_sources
from assistant.pipeline import AskOptions, Assistant
from eval.suite import _judged_contexts
from tests.security.test_injection_attacks import ScriptedLLM
from tests.test_context import ENDING, KHOAN_1, PUBLIC, World
from tests.test_context import world as world  # noqa: F401  (the fixture law's index, shared)


def test_ragas_judges_an_answer_against_the_whole_articles_the_model_read(world: World) -> None:
    options = AskOptions(mode="bm25", filters=PUBLIC)
    assistant = Assistant(world.searcher, llm_factory=lambda: ScriptedLLM(f"- {KHOAN_1} [1]."))
    ans = assistant.ask(ENDING, options=options)
    assert not ans.refused and KHOAN_1 in ans.answer
    read, contexts = _judged_contexts(assistant, ans, ENDING, options)
    _, _, prompt_sources = assistant.gather(ENDING, options)
    assert [s.hit.anchor for s in read] == [s.hit.anchor for s in prompt_sources]
    assert contexts[0].startswith(read[0].hit.anchor + "\n") and KHOAN_1 in contexts[0]
    # what the judge was given before: the best passages, none holding the clause the answer states
    passages = quote_sources(ENDING, list(ans.closest), n=assistant.k(options))
    assert passages and all(KHOAN_1 not in s.text for s in passages)


def test_a_refusal_is_judged_on_the_best_passages_of_its_closest_hits(world: World) -> None:
    options = AskOptions(mode="bm25", filters=PUBLIC)
    assistant = Assistant(
        world.searcher, llm_factory=lambda: ScriptedLLM("Viên chức được nghỉ 99 ngày [1].")
    )  # unsupported
    ans = assistant.ask(ENDING, options=options)
    assert ans.refused and ans.closest
    read, contexts = _judged_contexts(assistant, ans, ENDING, options)
    assert [s.text for s in read] == [s.text for s in quote_sources(ENDING, list(ans.closest), n=assistant.k(options))]
    assert contexts == [f"{s.hit.anchor}\n{s.text}" for s in read]
