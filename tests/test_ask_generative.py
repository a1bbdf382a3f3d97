"""`Assistant.ask` with the real embedded llama.cpp model (Qwen2.5-Coder-1.5B Q4_K_M) on the fixture corpus.

About 20–40 s per question on 2 CPU cores; kept to the behaviours only a real model can show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import Verification
from assistant.pipeline import AskOptions, Assistant
from index.search import Searcher
from tests.test_assistant import injected_world
from tests.test_index_search import World

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = injected_world(tmp_path_factory.mktemp("generative"))
    yield w
    w.close()


def test_generated_answer_is_vietnamese_cited_and_verified(world: World) -> None:
    tokens: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings)).ask(
        "Thời gian thử việc của viên chức là bao lâu?", on_token=tokens.append
    )
    assert not ans.refused and ans.mode == "generative"
    assert len(tokens) > 1 and ans.ttft_s is not None and ans.ttft_s < ans.latency_s  # streamed
    assert ans.verification in (Verification.VERIFIED, Verification.PARTIALLY_VERIFIED)
    assert any(c.hit.so_hieu == "77/2099/QH99" and c.hit.citation.article == "2" for c in ans.citations)
    assert "tháng" in ans.answer
    retrieved = {c.marker for c in ans.citations}
    assert all(set(s.markers) <= {1, 2, 3} for s in ans.sentences) and retrieved <= {1, 2, 3}


def test_instruction_inside_a_document_does_not_change_the_answer(world: World) -> None:
    """The default 3 sources, the injected document among them: its instruction is cut out before the model reads."""
    ans = Assistant(Searcher(world.store, world.settings)).ask("Công chức được nghỉ phép năm bao nhiêu ngày?")
    assert "365" not in ans.answer
    if not ans.refused:
        assert "12" in ans.answer and ans.citations[0].hit.so_hieu == "3/2093/TT-BNV"


def test_follow_up_is_answered_as_a_whole_question(world: World) -> None:
    """Rewritten by the model (or, when its rewrite drifts, joined): either way it keeps both questions' subject."""
    assistant = Assistant(Searcher(world.store, world.settings))
    ans = assistant.ask("còn viên chức thì sao?", history=["Thời gian thử việc của công chức là bao lâu?"])
    assert ans.query is not None and "viên chức" in ans.query and "thử việc" in ans.query
    if not ans.refused:
        assert any(c.hit.so_hieu == "77/2099/QH99" for c in ans.citations)


def test_real_model_judges_the_law_true_and_its_negation_less_true(world: World) -> None:
    from assistant.judge import StatementJudge
    from assistant.llm import get_llm

    assistant = Assistant(Searcher(world.store, world.settings))
    _hits, _ev, sources = assistant.gather("Thời gian thử việc của viên chức", AskOptions())
    judge = StatementJudge(get_llm())
    right = judge.judge("Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng", sources)
    negated = judge.judge("Viên chức không phải thử việc", sources)
    wrong_number = judge.judge("Thời gian thử việc của viên chức từ 03 tháng đến 36 tháng", sources)
    assert right.score > negated.score, (right.to_json(), negated.to_json())
    assert wrong_number.label == "Sai" and wrong_number.missing_numbers == ("36",)


@pytest.mark.shared
def test_the_real_model_states_the_law_of_the_day_asked_about(tmp_path: Path) -> None:
    """Issue 13's acceptance with the real model: today the amended 60 months from a text in force (the
    consolidated Điều 25, naming 52/2019/QH14 beside it, or Nghị định 115/2020's Điều 19, which states the same
    60 months: which of the two BM25 ranks third moved when pháp điển's appendix file names left the text), never
    the 36-month text as current; as of 2015 the 2010 text's 36 months."""
    import datetime as dt

    from core.settings import Settings
    from index.indexer import Indexer
    from index.store import Filters, open_store
    from ingest.job import run_ingest
    from ingest.registry import Registry
    from tests.conftest import shared_path

    files = [
        shared_path("laws/Luat-vien-chuc-2010-115271.txt"),
        shared_path("phapdien/can-bo-cong-chuc-vien-chuc/vien-chuc.md"),
    ]
    settings = Settings(data_dir=tmp_path / "data")
    with Registry.from_settings(settings) as reg:
        run_ingest(files, reg, settings, progress=False)
        store = open_store(settings)
        try:
            Indexer(reg, store, settings).ensure()
            assistant = Assistant(Searcher(store, settings))
            question = "Hợp đồng làm việc xác định thời hạn của viên chức có thời hạn tối đa bao lâu?"
            today = assistant.ask(
                question, options=AskOptions(mode="bm25", filters=Filters(as_of=dt.date(2026, 12, 1)))
            )
            past = assistant.ask(question, options=AskOptions(mode="bm25", filters=Filters(as_of=dt.date(2015, 1, 1))))
        finally:
            store.close()
    assert not today.refused and "60 tháng" in today.answer and "36 tháng" not in today.answer
    stating = [c for c in today.citations if "60 tháng" in c.hit.text]
    assert stating and all(c.standing is None or c.standing.badge in ("amended", "current", "unknown") for c in stating)
    for law in (c for c in today.citations if c.hit.citation.article == "25"):
        assert law.standing is not None and law.standing.badge == "amended"
        assert any(c.by == "52/2019/QH14" for c in law.standing.applied)
    assert not past.refused and "36 tháng" in past.answer and "60 tháng" not in past.answer
