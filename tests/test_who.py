"""Asked who, an answer that names no one ("… là cơ quan có thẩm quyền …") is no claim: it is asked again, never
shown. Live: "Ai có thẩm quyền quyết định kỷ luật viên chức?" was answered, verified, "Người có thẩm quyền quyết
định kỷ luật viên chức là cơ quan có thẩm quyền xử lý kỷ luật [1]." — every word in its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import Verification
from assistant.pipeline import AskOptions, Assistant
from assistant.verify import NAMES_NO_ONE, verify
from assistant.who import WhoCues
from tests.test_actor import FirstThenLLM
from tests.test_assistant import _source
from tests.test_context import PUBLIC, World
from tests.test_context import world as world  # noqa: F401  (the fixture law's index, shared)

REVIEW = (
    "Điều 40. Xem xét lại quyết định kỷ luật\n4. Trường hợp cơ quan có thẩm quyền giải quyết khiếu nại kết luận việc "
    "xử lý kỷ luật viên chức không đúng thẩm quyền thì cấp có thẩm quyền đã ký quyết định kỷ luật phải ra quyết "
    "định hủy bỏ quyết định kỷ luật."
)
TAUTOLOGY = "Người có thẩm quyền quyết định kỷ luật viên chức là cơ quan có thẩm quyền xử lý kỷ luật [1]."


def test_a_who_answer_naming_only_whoever_has_the_power_is_no_claim() -> None:
    law = _source(1, REVIEW, anchor="Điều 40 Nghị định 112/2020/NĐ-CP")
    checked = verify(TAUTOLOGY, [law], question="Ai có thẩm quyền quyết định kỷ luật viên chức?")
    assert checked.status is Verification.UNVERIFIED and checked.claimless
    assert NAMES_NO_ONE in checked.sentences[0].reasons
    # the same sentence answers another question: it is a claim there
    other = verify(TAUTOLOGY, [law], question="Quyết định kỷ luật viên chức có thể bị hủy bỏ không?")
    assert NAMES_NO_ONE not in other.sentences[0].reasons


def test_a_who_answer_naming_someone_beside_the_authority_stays_a_claim() -> None:
    law = _source(1, REVIEW, anchor="Điều 40 Nghị định 112/2020/NĐ-CP")
    named = "Cấp có thẩm quyền đã ký quyết định kỷ luật phải ra quyết định hủy bỏ quyết định kỷ luật [1]."
    assert NAMES_NO_ONE not in verify(named, [law], question="Ai phải hủy bỏ quyết định kỷ luật?").sentences[0].reasons
    head = "Thủ trưởng cơ quan có thẩm quyền giải quyết khiếu nại [1]."
    assert NAMES_NO_ONE not in verify(head, [law], question="Ai giải quyết khiếu nại?").sentences[0].reasons


def test_a_who_answer_naming_no_one_is_asked_again_and_the_second_is_shown(world: World) -> None:  # noqa: F811
    question = "Ai phải báo trước cho viên chức khi đơn phương chấm dứt hợp đồng làm việc?"
    first = "Người phải báo trước cho viên chức khi đơn phương chấm dứt hợp đồng làm việc là cơ quan có thẩm quyền [1]."
    second = "Đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày [1]."
    llm = FirstThenLLM(first, second)
    ans = Assistant(world.searcher, llm_factory=lambda: llm).ask(
        question, options=AskOptions(mode="bm25", filters=PUBLIC)
    )
    assert len(llm.prompts) == 2 and "cơ quan có thẩm quyền" not in ans.answer
    assert not ans.refused and ans.answer.startswith("Đơn vị sự nghiệp công lập phải báo cho viên chức")


def test_a_who_phrase_list_that_is_not_a_list_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "who.toml"
    bad.write_text('asks = ["ai"]\nquantifiers = ["không ai"]\nnobody = "cơ quan có thẩm quyền"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"who\.toml.*«nobody»"):
        WhoCues.from_file(bad)
