"""Asked who does an act, the answer says who the law gives it to (assistant/who_quote.py).

Live: "Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?" was answered, verified, with who *proposes* an
award (Khoản 2 Điều 83 Luật Thi đua, khen thưởng), while [1], Điều 77, says "Chủ tịch nước quyết định tặng huân
chương"; "Ai quyết định tặng Bằng khen của Thủ tướng Chính phủ?" was answered "Chính phủ quyết định …", which
Điều 78 gives to the Thủ tướng, and refused. The pipeline tests run the real pipeline (registry, Qdrant Edge, BM25)
over a law of our own wording, with a stand-in model writing what the 1.5B model wrote (the real one is exercised by
`kho ask` and the bench; its answers are not fixed enough for a test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import Verification
from assistant.pipeline import WHO_QUOTED
from assistant.verify import verify
from assistant.who_quote import asked_act, says_the_act, who_does
from tests.test_assistant import _source
from tests.test_context import World, built_world
from tests.test_lists import ask_written

LAW = Path(__file__).with_name("fixtures") / "who" / "luat-thi-dua-2096.txt"
HUAN_CHUONG = "Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?"
BANG_KHEN = "Ai quyết định tặng bằng khen của Thủ tướng Chính phủ?"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from built_world(tmp_path_factory.mktemp("who"), LAW)


def test_an_answer_naming_who_proposes_for_who_decides_gives_way_to_the_provision_that_says_who_decides(
    world: World,
) -> None:
    proposing = (
        "Bộ trưởng, Chủ tịch Ủy ban nhân dân cấp tỉnh xem xét, công nhận thành tích, đề nghị Thủ tướng Chính phủ "
        "trình Chủ tịch nước tặng huân chương, huy chương [1]."
    )
    ans, streamed = ask_written(world, HUAN_CHUONG, proposing)
    assert not ans.refused and ans.verification is Verification.VERIFIED, ans.sentences
    assert ans.answer.startswith("Chủ tịch nước quyết định tặng huân chương")
    assert "đề nghị" not in ans.answer and streamed == ans.answer  # held, never streamed: the stream is the answer
    assert ans.evidence["rule"] == WHO_QUOTED
    assert ans.citations[0].hit.anchor.startswith("Điều 77 ")


def test_a_withheld_answer_giving_the_act_to_another_actor_becomes_the_provision_naming_the_right_one(
    world: World,
) -> None:
    ans, _ = ask_written(world, BANG_KHEN, "[1] Chính phủ quyết định tặng bằng khen của Thủ tướng Chính phủ.")
    assert not ans.refused and ans.verification is Verification.VERIFIED, ans.sentences
    assert ans.answer.startswith("Thủ tướng Chính phủ quyết định tặng danh hiệu chiến sĩ thi đua toàn quốc")
    assert not ans.answer.startswith("2.")  # the provision's words, not its number
    bound = [s.clause.anchor for s in ans.sentences if s.supported and s.clause is not None]
    assert bound and bound[0].startswith("Khoản 2 Điều 78")  # highlighted on the Khoản that gives the act


def test_an_answer_that_says_who_decides_stays_the_models(world: World) -> None:
    said = "Chủ tịch nước quyết định tặng huân chương, huy chương, danh hiệu vinh dự nhà nước [1]."
    ans, streamed = ask_written(world, HUAN_CHUONG, said)
    assert ans.verification is Verification.VERIFIED and "rule" not in ans.evidence
    assert ans.answer.startswith(said[:-5]) and streamed == ans.answer  # re-cited where the fixture numbers it


def test_the_act_asked_is_read_after_who_and_the_power_and_found_only_with_its_object() -> None:
    act = asked_act("Ai có thẩm quyền tuyển dụng viên chức?")
    assert act is not None and act.verb == ("tuyen", "dung") and act.object == {"viên_chức"}
    assert asked_act("Viên chức được tuyển dụng thế nào?") is None  # asks no one
    asked = "Ai chịu trách nhiệm quản lý con dấu?"
    assert not says_the_act(asked, "Bộ Nội vụ thực hiện quản lý nhà nước về công tác văn thư [1].")
    assert says_the_act(asked, "Văn thư cơ quan quản lý, sử dụng con dấu [1].")


def test_a_provision_naming_no_one_or_an_articles_heading_is_not_quoted_as_who() -> None:
    heading_only = _source(1, "Điều 32. Quản lý con dấu\n(Điều 32 Nghị định số 30/2020/NĐ-CP quản lý con dấu)")
    assert who_does("Ai chịu trách nhiệm quản lý con dấu?", [heading_only]) is None
    nobody = _source(2, "3. Cơ quan có thẩm quyền quyết định tặng huân chương theo quy định của pháp luật.")
    assert who_does("Ai quyết định tặng huân chương?", [nobody]) is None


def test_a_provision_giving_the_act_to_another_person_than_the_one_asked_is_found_but_not_verified() -> None:
    """Attacked: asked who disciplines a công chức, the viên chức's Khoản holds the act and half its object, so
    `who_does` offers it; the verification the pipeline puts every quote through withholds it (another person's
    rule), so it is never shown in place of the model's answer."""
    law = _source(
        1,
        "Điều 31. Thẩm quyền xử lý kỷ luật đối với viên chức\n2. Đối với viên chức không giữ chức vụ quản lý, người "
        "đứng đầu đơn vị sự nghiệp công lập quản lý viên chức tiến hành xử lý kỷ luật và quyết định hình thức kỷ luật.",
    )
    asked = "Ai có thẩm quyền xử lý kỷ luật công chức?"
    quote = who_does(asked, [law])
    assert quote is not None and "viên chức" in quote
    checked = verify(quote, [law], question=asked)
    assert checked.status is Verification.UNVERIFIED
    assert "«công chức»" in checked.sentences[0].reasons[0]
