"""A question asking how many kinds gets the number first, counted from the law's list its answer gives whole —
through the real pipeline over the fixture law (tests/fixtures/context: Điều 29's five cases in Khoản 1), the model
scripted (`FirstThenLLM`)."""

from __future__ import annotations

from assistant.answer import Verification
from assistant.pipeline import COUNTED, AskOptions, Assistant
from tests.test_actor import FirstThenLLM
from tests.test_context import PUBLIC, World
from tests.test_context import world as world  # noqa: F401  (the fixture law's index, shared)

ASKED = "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong bao nhiêu trường hợp?"
LEAD = (
    "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau [1]:"
)
ITEMS = [
    "a) Viên chức có 02 năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ [1];",
    "b) Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này [1];",
]


def _ask(world: World, question: str, written: str):  # noqa: ANN202
    llm = FirstThenLLM(written, written)
    options = AskOptions(mode="bm25", filters=PUBLIC)
    return Assistant(world.searcher, llm_factory=lambda: llm).ask(question, options=options)


def test_the_number_of_kinds_asked_goes_first_counted_from_the_whole_list(world: World) -> None:  # noqa: F811
    """Live: "Văn bản hành chính có bao nhiêu thành phần thể thức?" listed the nine components, verified, and never
    said nine. The model here gives two of the five cases; the whole list replaces them, and its five are counted."""
    ans = _ask(world, ASKED, "\n".join([LEAD, *ITEMS]))
    assert not ans.refused and ans.verification is Verification.VERIFIED
    first, *rest = ans.answer.splitlines()
    assert first == "Có 5 trường hợp (theo Khoản 1 Điều 29 Luật Viên chức thử nghiệm 58/2090/QH90)."
    assert rest[0].startswith("Đơn vị sự nghiệp công lập được đơn phương chấm dứt") and len(rest) == 6
    assert (ans.evidence or {}).get("counted") == COUNTED


def test_a_figure_asked_is_not_answered_with_a_count(world: World) -> None:  # noqa: F811
    question = "Đơn vị phải báo trước cho viên chức bao nhiêu ngày?"
    written = "Đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày [1]."
    ans = _ask(world, question, written)
    assert not ans.answer.startswith("Có ") and "counted" not in (ans.evidence or {})
