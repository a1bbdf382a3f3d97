"""Verification that neither lets an inverted rule through nor drops a true fact (issue 14, item 4).

Seen by users: a clause saying where a unit may NOT end a contract, answered as where it MAY and marked verified
(the words overlap); list items and key numbers written without a marker, removed although the cited law states
them; an answer of markers only shown as verified; "kiểm chứng một phần" shown with no sentence flagged.

Hand-written sources and answers (the point is the verification logic); the pipeline tests use the scripted model
of tests/security/test_injection_attacks.py on its decree world, to hold the streaming contract.
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import assistant.polarity
from assistant.answer import REFUSAL, CitedSource, Verification
from assistant.llm import ChatMessage, GenerationConfig
from assistant.polarity import CueKind, CueLexicon
from assistant.prompts import template
from assistant.verify import (
    ARTICLES_MISSING,
    CASE_ELSEWHERE,
    CASE_UNASKED,
    FIGURE_NAMED_OTHERWISE,
    FIGURE_OF_CONDITION,
    FLAG,
    NO_CLAIM,
    NUMBERS_APART,
    TITLE_ONLY,
    VALUE_SWAPPED,
    VerifyPolicy,
    verify,
)
from core.text import SentenceSplitter, split_answer_sentences
from tests.security.test_injection_attacks import (
    LAW,
    QUESTION,
    ScriptedLLM,
    ask_scripted,
    decree_source,
    decree_world,
)
from tests.test_assistant import SOURCES, _source
from tests.test_index_search import World

CONTRACT = _source(
    1,
    "1. Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các "
    "trường hợp sau:\n"
    "a) Viên chức ốm đau hoặc bị tai nạn đang điều trị theo chỉ định của cơ sở khám bệnh, chữa bệnh;\n"
    "b) Viên chức nữ đang mang thai, nghỉ thai sản.",
    anchor="Điều 29 Luật Viên chức thử nghiệm",
)
LEAVE = _source(1, "Công chức được nghỉ phép năm 12 ngày làm việc, trừ trường hợp đang bị tạm đình chỉ công tác.")
DOSSIER = _source(
    1,
    "Hồ sơ đăng ký dự tuyển viên chức gồm các giấy tờ sau đây:\n"
    "a) Đơn đăng ký dự tuyển;\nb) Bản sơ yếu lý lịch tự thuật;\nc) Bản sao giấy khai sinh;\n"
    "d) Bản sao các văn bằng, chứng chỉ;\nđ) Giấy chứng nhận sức khỏe;\ne) Phiếu lý lịch tư pháp;\n"
    "g) Giấy xác nhận đối tượng ưu tiên;\nh) Ảnh chân dung cỡ nhỏ;\ni) Bản cam kết thực hiện nghĩa vụ.",
)
PERSONAL_LEAVE = _source(
    1,
    "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp sau đây:\n"
    "a) Kết hôn: nghỉ 03 ngày;\nb) Con đẻ, con nuôi kết hôn: nghỉ 01 ngày;\n"
    "c) Cha đẻ, mẹ đẻ, vợ hoặc chồng, con đẻ, con nuôi chết: nghỉ 03 ngày.",
)


# ------------------------------------------------------------------------------------------------ inverted law


def test_a_list_lead_in_that_drops_the_laws_negation_is_flagged_and_so_are_its_items() -> None:
    answer = (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
        "sau [1]:\n"
        "- Viên chức ốm đau hoặc bị tai nạn đang điều trị [1].\n"
        "- Viên chức nữ đang mang thai, nghỉ thai sản [1]."
    )
    v = verify(answer, [CONTRACT])
    assert [c.supported for c in v.sentences] == [False, False, False]
    assert all("không được" in " ".join(c.reasons) for c in v.sentences)
    assert v.text.count(FLAG) == 3 and v.status is Verification.UNVERIFIED  # nothing supported: refused


def test_the_same_list_with_the_negation_kept_verifies() -> None:
    answer = (
        "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các "
        "trường hợp sau [1]:\n"
        "- Viên chức ốm đau hoặc bị tai nạn đang điều trị [1].\n"
        "- Viên chức nữ đang mang thai, nghỉ thai sản [1]."
    )
    v = verify(answer, [CONTRACT])
    assert all(c.supported for c in v.sentences) and v.status is Verification.VERIFIED and FLAG not in v.text


def test_a_claim_spelt_with_the_other_tone_placement_is_still_supported() -> None:
    """The law prints "thoả thuận", "Toà án", "Uỷ ban"; the model writes "thỏa thuận", "Tòa án", "Ủy ban". Each
    word was unsupported, and the true sentence was flagged."""
    older = _source(
        1,
        "Các bên thoả thuận về mức bồi thường; trường hợp không thoả thuận được thì Toà án giải quyết theo yêu cầu "
        "của Uỷ ban nhân dân cấp xã.",
    )
    v = verify(
        "Các bên thỏa thuận về mức bồi thường; nếu không thỏa thuận được thì Tòa án giải quyết theo yêu cầu của "
        "Ủy ban nhân dân cấp xã [1].",
        [older],
    )
    assert v.status is Verification.VERIFIED and FLAG not in v.text


def test_an_answer_led_by_a_marker_reads_as_prose_with_its_marker_at_the_end() -> None:
    """Live, the answer on hồ sơ lưu trữ opened "[1] Thời hạn nộp lưu … như sau:" — a citation chip in front of the
    first word, where every other line ends with its own."""
    deadline = _source(
        1,
        "1. Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan được quy định như sau:\n"
        "a) Trong thời hạn 01 năm, kể từ ngày công việc kết thúc;\n"
        "b) Trong thời hạn 03 tháng, kể từ ngày công trình được quyết toán.",
    )
    answer = (
        "[1] Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan được quy định như sau:\n"
        "a) Trong thời hạn 01 năm, kể từ ngày công việc kết thúc [1];\n"
        "b) Trong thời hạn 03 tháng, kể từ ngày công trình được quyết toán [1]."
    )
    v = verify(answer, [deadline])
    assert v.status is Verification.VERIFIED
    assert v.text.startswith("Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan được quy định như sau [1]:\na)")


def test_a_claim_that_drops_the_laws_exception_is_flagged() -> None:
    v = verify("Công chức được nghỉ phép năm 12 ngày làm việc [1].", [LEAVE])
    assert v.text.endswith(FLAG) and "trừ trường hợp" in v.sentences[0].reasons[0]
    kept = verify(
        "Công chức được nghỉ phép năm 12 ngày làm việc, trừ trường hợp đang bị tạm đình chỉ công tác [1].", [LEAVE]
    )
    assert kept.status is Verification.VERIFIED
    restated = verify("Công chức đang bị tạm đình chỉ công tác thì không được nghỉ phép năm [1].", [LEAVE])
    assert restated.status is Verification.VERIFIED  # the exception told as a negation of its own case


def test_a_saving_clause_leaving_the_rule_to_other_laws_is_no_exception_a_claim_must_keep() -> None:
    """"…, trừ trường hợp pháp luật có quy định khác" carves nothing out of the rule (live, "Viên chức có được hoạt
    động nghề nghiệp ngoài thời gian làm việc không?" → "Có. (chưa kiểm chứng)", the clause read as turning the
    claim around); an exception this law makes still does."""
    saved = _source(1, "Viên chức được hoạt động nghề nghiệp ngoài giờ, trừ trường hợp pháp luật có quy định khác.")
    assert verify("Viên chức được hoạt động nghề nghiệp ngoài giờ [1].", [saved]).status is Verification.VERIFIED
    own = _source(1, "Viên chức được hoạt động nghề nghiệp ngoài giờ, trừ trường hợp Luật này có quy định khác.")
    assert verify("Viên chức được hoạt động nghề nghiệp ngoài giờ [1].", [own]).text.endswith(FLAG)


def test_a_claim_that_includes_the_case_the_law_excepts_is_flagged() -> None:
    """Naming the exception's case is how a claim keeps it ("… thì không được nghỉ"); "kể cả" names it to include
    it — before, that passed as keeping the exception."""
    v = verify("Công chức được nghỉ phép năm 12 ngày làm việc, kể cả khi đang bị tạm đình chỉ công tác [1].", [LEAVE])
    assert v.text.endswith(FLAG) and "«kể cả khi»" in v.sentences[0].reasons[0]


def test_a_claim_that_negates_what_the_law_affirms_is_flagged() -> None:
    v = verify("Viên chức không phải thử việc [1].", SOURCES)
    assert v.text.endswith(FLAG) and "không phải" in v.sentences[0].reasons[0]
    assert verify("Viên chức không được nghỉ phép năm [1].", [LEAVE]).text.endswith(FLAG)


def test_a_negation_the_claim_does_not_touch_is_not_an_inversion() -> None:
    """The decree says "không đúng nơi quy định"; a claim about the fine alone does not state those words."""
    assert verify("Mức phạt tiền là 2 triệu đồng [1].", [decree_source()]).status is Verification.VERIFIED
    bound = _source(1, "Thời gian thử việc của viên chức không quá 60 ngày; người chưa thành niên không thử việc.")
    assert verify("Thời gian thử việc của viên chức là 60 ngày [1].", [bound]).status is Verification.VERIFIED


def test_may_not_is_not_kept_by_a_clause_that_only_says_need_not() -> None:
    """Live: asked when an employer may NOT end a labour contract, "- Người sử dụng lao động không được đơn phương
    chấm dứt hợp đồng lao động trong trường hợp quy định tại điểm d và điểm e khoản 1 Điều này [1]." went out
    verified on Khoản 3 Điều 36 Bộ luật Lao động — where the employer need not give notice ("không phải báo trước")
    when it ends the contract in those cases: the opposite of the claim. Two different negations keep each other
    only when they govern the same words (two forbidding ones, "không được" and "nghiêm cấm", always do)."""
    clause = _source(
        1,
        "3. Khi đơn phương chấm dứt hợp đồng lao động quy định tại điểm d và điểm e khoản 1 Điều này thì người sử "
        "dụng lao động không phải báo trước cho người lao động.",
    )
    claim = (
        "Người sử dụng lao động không được đơn phương chấm dứt hợp đồng lao động trong trường hợp quy định tại điểm d "
        "và điểm e khoản 1 Điều này [1]."
    )
    v = verify(claim, [clause])
    assert v.status is Verification.UNVERIFIED
    assert "không được đơn phương chấm dứt hợp đồng" in v.sentences[0].reasons[0]
    said = (
        "Người sử dụng lao động không phải báo trước cho người lao động khi đơn phương chấm dứt hợp đồng lao động [1]."
    )
    assert verify(said, [clause]).status is Verification.VERIFIED
    forbidding = _source(1, "Nghiêm cấm viên chức trốn tránh trách nhiệm, thoái thác nhiệm vụ được giao.")
    assert verify("Viên chức không được trốn tránh trách nhiệm [1].", [forbidding]).status is Verification.VERIFIED


def test_the_cue_lexicon_is_data_with_a_checked_kind(tmp_path: Path) -> None:
    lexicon = CueLexicon.default()
    assert lexicon.kind_of("nghiêm cấm") is CueKind.NEGATION and lexicon.kind_of("ngoại trừ") is CueKind.EXCEPTION
    assert lexicon.cues("Thuế thu nhập được khấu trừ tại nguồn; người cư trú.") == []  # not "trừ", not "trú"
    bad = tmp_path / "cues.tsv"
    bad.write_text("phủ định\tkhông\n", encoding="utf-8")
    with pytest.raises(ValueError, match="valid: negation, exception, inclusion, neutral"):
        CueLexicon.from_file(bad)
    assert doctest.testmod(assistant.polarity).failed == 0


# ------------------------------------------------------------------------------------------- true facts, unmarked


def test_an_unmarked_item_of_a_nine_item_list_is_kept_and_cited() -> None:
    """The model letters the items without skipping "f" as the law does: its "f)" is the law's "e)", and is shown
    with the law's letter (so is its "e)", the law's "đ)")."""
    answer = (
        "Hồ sơ đăng ký dự tuyển viên chức gồm các giấy tờ sau đây [1]:\n"
        "a) Đơn đăng ký dự tuyển [1].\nb) Bản sơ yếu lý lịch tự thuật [1].\nc) Bản sao giấy khai sinh [1].\n"
        "d) Bản sao các văn bằng, chứng chỉ [1].\ne) Giấy chứng nhận sức khỏe [1].\n"
        "f) Phiếu lý lịch tư pháp.\n"
        "g) Giấy xác nhận đối tượng ưu tiên [1].\nh) Ảnh chân dung cỡ nhỏ [1].\n"
        "i) Bản cam kết thực hiện nghĩa vụ [1]."
    )
    v = verify(answer, [DOSSIER])
    assert "\nđ) Giấy chứng nhận sức khỏe [1].\ne) Phiếu lý lịch tư pháp [1].\n" in v.text
    assert len(v.text.split("\n")) == 10 and v.status is Verification.VERIFIED


def test_an_unmarked_short_item_is_cited_only_from_a_source_the_answer_cites() -> None:
    answer = "Hồ sơ đăng ký dự tuyển viên chức gồm các giấy tờ sau đây [1]:\n- Phiếu lý lịch tư pháp."
    other = _source(2, "Phiếu lý lịch tư pháp do Sở Tư pháp cấp.")
    v = verify(answer, [DOSSIER, other])
    assert v.text.endswith("- Phiếu lý lịch tư pháp [1].")  # the cited list, not the other source that has the words


def test_an_unmarked_number_the_cited_law_states_is_kept_and_cited() -> None:
    answer = "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi kết hôn [1]. Khi đó được nghỉ 03 ngày."
    v = verify(answer, [PERSONAL_LEAVE])
    assert v.text.endswith("Khi đó được nghỉ 03 ngày [1].") and v.status is Verification.VERIFIED


def test_an_unmarked_number_no_source_states_stays_out() -> None:
    answer = "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi kết hôn [1]. Khi đó được nghỉ 05 ngày."
    v = verify(answer, [PERSONAL_LEAVE])
    assert "05" not in v.text and v.status is Verification.VERIFIED
    assert "no citation" in v.sentences[1].reasons
    flagged = verify("Người lao động kết hôn được nghỉ 05 ngày [1].", [PERSONAL_LEAVE])
    assert flagged.text.endswith(FLAG) and "5" in " ".join(flagged.sentences[0].reasons)


def test_an_unmarked_sentence_that_inverts_the_law_is_not_bound_to_it() -> None:
    answer = "Công chức được nghỉ phép năm 12 ngày làm việc, trừ trường hợp đang bị tạm đình chỉ công tác [1]. " + (
        "Công chức không được nghỉ phép năm 12 ngày làm việc."
    )
    v = verify(answer, [LEAVE])
    assert v.text.count("[1]") == 1 and "không được nghỉ" not in v.text


NOTICE = _source(
    1,
    "2. Khi đơn phương chấm dứt hợp đồng làm việc, trừ trường hợp quy định tại điểm b khoản 1 Điều này, người đứng "
    "đầu đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không "
    "xác định thời hạn hoặc ít nhất 30 ngày đối với hợp đồng làm việc xác định thời hạn.",
)


def test_an_unmarked_sentence_that_drops_only_its_clauses_exception_is_cited_and_flagged_not_hidden() -> None:
    """Live (the bench's notice follow-up): the right answer — 45 / 30 days — written without a marker and without
    Khoản 2's "trừ trường hợp …" was hidden as uncited, and the answer was refused. It is true but for the
    excepted case: shown, cited, and flagged for the exception it leaves out."""
    question = "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc. Khi đó đơn vị phải báo trước bao nhiêu ngày?"
    claim = (
        "- Người đứng đầu đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp "
        "đồng làm việc không xác định thời hạn hoặc ít nhất 30 ngày đối với hợp đồng làm việc xác định thời hạn."
    )
    v = verify(claim, [NOTICE], question=question)
    assert v.text.endswith(f"thời hạn [1].{FLAG}") and v.status is Verification.UNVERIFIED
    assert "trừ trường hợp" in v.sentences[0].reasons[0]
    # negated instead, it is a false sentence: still not shown at all
    negated = claim.replace("phải báo cho", "không phải báo cho")
    assert verify(negated, [NOTICE], question=question).text == ""
    # and cited, it is flagged: the clause's "không xác định thời hạn" does not keep the claim's "không phải báo"
    marked = verify(negated.replace("thời hạn.", "thời hạn [1]."), [NOTICE])
    assert marked.text.endswith(FLAG) and "không phải báo" in marked.sentences[0].reasons[0]


# ------------------------------------------------------------------------------------------ no claim, no badge


def test_an_answer_of_markers_only_is_not_a_claim() -> None:
    for answer in ("[1] [2] [3]", "[1].", "[1]\n- [1]", ""):
        v = verify(answer, [LEAVE, decree_source(2), _source(3, "Điều 3. Văn bản.")])
        assert v.text == "" and v.status is Verification.UNVERIFIED, answer


def test_partially_verified_only_when_a_flag_is_shown() -> None:
    flagged = verify(f"{LAW} [1]. Người vi phạm bị tước giấy phép lái xe [1].", [decree_source()])
    assert FLAG in flagged.text and flagged.status is Verification.PARTIALLY_VERIFIED
    dropped = verify(
        f"{LAW} [1]. Người vi phạm bị tước giấy phép lái xe [1].",
        [decree_source()],
        VerifyPolicy(drop_unsupported=True),
    )
    assert FLAG not in dropped.text and dropped.status is Verification.VERIFIED
    injected = verify(f"{LAW} [1]. Mức phạt là 50 triệu đồng [1].", [decree_source()])
    assert FLAG not in injected.text and injected.status is Verification.VERIFIED
    assert not injected.sentences[1].supported  # the dropped claim stays in the record


AWARDS = "Điều 9. Hình thức khen thưởng\n1. Huân chương.\n2. Huy chương.\n3. Bằng khen.\n4. Giấy khen."
CONTESTS = (
    "Điều 16. Hình thức tổ chức thi đua\n1. Hình thức tổ chức thi đua gồm:\na) Thi đua thường xuyên;\n"
    "b) Thi đua theo chuyên đề."
)


@pytest.mark.parametrize(
    "answer",
    [
        "- Huân chương [1].\n- Huy chương [2].\n- Bằng khen [2].",  # the first item mis-numbered
        "- Thi đua thường xuyên [1].\n- Huân chương [1].\n- Huy chương [2].",  # an item after another source's
    ],
)
def test_a_mis_numbered_list_item_is_re_cited_to_the_source_that_lists_it_even_before_that_source_is_cited(
    answer: str,
) -> None:
    # live: "- Huân chương [1]." opened the list of award forms ([2], Điều 9) and stayed flagged "chưa kiểm chứng"
    # while every item after it was verified: a mis-numbered item was only looked for in the sources cited so far
    sources = [_source(1, CONTESTS, "Điều 16 Luật 77/2099/QH99"), _source(2, AWARDS, "Điều 9 Luật 77/2099/QH99")]
    v = verify(answer, sources, question="Các hình thức khen thưởng gồm những gì?")
    assert v.status is Verification.VERIFIED and "Huân chương [2]" in v.text
    assert "chưa kiểm chứng" not in v.text


def test_an_unmarked_list_item_is_not_attributed_to_a_source_the_answer_has_not_cited() -> None:
    sources = [_source(1, CONTESTS, "Điều 16 Luật 77/2099/QH99"), _source(2, AWARDS, "Điều 9 Luật 77/2099/QH99")]
    answer = "- Thi đua thường xuyên [1].\n- Huân chương."
    v = verify(answer, sources, question="Các hình thức khen thưởng gồm những gì?")
    assert "Huân chương [2]" not in v.text


CONTRACT_TYPES = (
    "Điều 20. Loại hợp đồng lao động\n1. Hợp đồng lao động phải được giao kết theo một trong các loại sau đây:\n"
    "a) Hợp đồng lao động không xác định thời hạn là hợp đồng mà trong đó hai bên không xác định thời hạn;\n"
    "b) Hợp đồng lao động xác định thời hạn là hợp đồng mà trong đó hai bên xác định thời hạn trong thời gian không"
    " quá 36 tháng kể từ thời điểm có hiệu lực của hợp đồng."
)
WORK_PERMIT = (
    "Điều 155. Thời hạn của giấy phép lao động\nThời hạn của giấy phép lao động tối đa là 02 năm, trường hợp gia hạn"
    " thì chỉ được gia hạn một lần với thời hạn tối đa là 02 năm."
)
CONTRACT_TERM = "Thời hạn của hợp đồng lao động xác định thời hạn tối đa là bao lâu?"
PERMIT_AS_CONTRACT = (
    "Thời hạn của hợp đồng lao động xác định thời hạn tối đa là 02 năm, trường hợp gia hạn thì chỉ được gia hạn"
    " một lần với thời hạn tối đa là 02 năm [{}]."
)


@pytest.mark.parametrize("marker", [1, 2])
def test_a_work_permits_term_is_not_verified_as_a_labour_contracts_whichever_source_it_cites(marker: int) -> None:
    # live: the model gave Điều 155's work-permit term as the contract's, citing Điều 20 [1]; re-citing it to the
    # source stating its words went [1] → [2] → [1] … until the recursion limit (the server's answer crashed), and
    # cited to [2] directly it was verified: "hợp đồng lao động" is no "giấy phép lao động" (terms_vi.tsv)
    sources = [_source(1, CONTRACT_TYPES, "Điều 20 Bộ luật 45/2099/QH99"), _source(2, WORK_PERMIT, "Điều 155")]
    v = verify(PERMIT_AS_CONTRACT.format(marker), sources, question=CONTRACT_TERM)
    assert v.status is Verification.UNVERIFIED and not any(c.supported for c in v.sentences)


# ------------------------------------------------------------------------------------------------------ pipeline


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = decree_world(tmp_path_factory.mktemp("issue14"))
    yield w
    w.close()


@pytest.mark.parametrize("answer", ["[1] [2] [3]", "[1].", "", f"{QUESTION} [1]"])
def test_a_generated_answer_without_a_claim_twice_is_never_shown_the_sources_clauses_are_quoted(
    world: World, answer: str
) -> None:
    # asked once more, the model writes no claim again (live: the question written back, on both tries): nothing of
    # it is shown; the clauses of the sources the evidence found enough are, verbatim ("Chỉ trích dẫn"). The
    # question asks no figure (one that does gets the provision stating it, below).
    from assistant.pipeline import QUOTED_INSTEAD, Assistant
    from index.search import Searcher

    question = "Hành vi vứt rác thải sinh hoạt không đúng nơi quy định tại nơi công cộng bị xử phạt thế nào?"
    answer = answer.replace(QUESTION, question)
    llm = ScriptedLLM(answer)
    seen: list[tuple[str, str]] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(
        question, on_token=lambda t: seen.append((t, llm.written))
    )
    assert not ans.refused and ans.mode == "extractive"  # type: ignore[attr-defined]
    assert ans.verification is Verification.VERIFIED  # type: ignore[attr-defined]
    assert ans.answer.startswith("Các quy định liên quan:\n\n[1] ")  # type: ignore[attr-defined]
    assert LAW in ans.answer and (not answer or answer not in ans.answer)  # type: ignore[attr-defined]
    # only the sources that speak of what was asked: not the scope articles of two other documents
    assert "Phạm vi điều chỉnh" not in ans.answer and [c.marker for c in ans.citations] == [1]  # type: ignore[attr-defined]
    assert "".join(t for t, _ in seen) == ans.answer  # type: ignore[attr-defined]
    assert ans.evidence["quoted"] == QUOTED_INSTEAD  # type: ignore[attr-defined]
    assert ans.evidence["retry"] == "the first answer held no claim"  # type: ignore[attr-defined]
    assert not any(c.supported for c in ans.sentences)  # type: ignore[attr-defined]  # the model's, recorded


def test_a_figure_question_answered_twice_without_a_claim_quotes_the_provision_stating_the_figure(
    world: World,
) -> None:
    """Live: "Người lao động làm việc đủ 12 tháng được nghỉ hằng năm bao nhiêu ngày?" was written back twice by the
    model, and every source of the prompt was quoted — the labour code's Điều 113 beside social-insurance
    contributions and wage advances. For a question asking a figure, the provision stating it is quoted alone."""
    from assistant.pipeline import FIGURES_INSTEAD, Assistant
    from index.search import Searcher

    question = "Thời gian thử việc của viên chức là bao lâu?"
    llm = ScriptedLLM(f"{question} [1]")
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(question, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert "Các quy định liên quan" not in ans.answer and "Hoa Sen" not in ans.answer
    assert re.fullmatch(r"1\. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng \[\d\]\.", ans.answer)
    assert "".join(seen) == ans.answer
    assert ans.evidence["figures"] == FIGURES_INSTEAD and "quoted" not in ans.evidence
    assert ans.evidence["retry"] == "the first answer held no claim"


def test_a_figure_question_whose_claims_all_drop_what_their_provision_says_quotes_the_provision_not_a_refusal(
    world: World,
) -> None:
    """Live: "Người lao động làm thêm giờ vào ngày nghỉ lễ được trả lương ít nhất bằng bao nhiêu?" — the model wrote
    300 % without Điều 98's "chưa kể tiền lương ngày lễ"; the claim was rightly withheld, and the question refused
    although the provision stating it was in the prompt. Here the claim drops the decree's "không đúng nơi quy
    định": the provision is quoted whole instead, verified, and the claim is not shown."""
    from assistant.pipeline import Assistant
    from index.search import Searcher

    dropped = "Mức phạt đối với hành vi vứt rác thải sinh hoạt tại nơi công cộng là 2 triệu đồng [1]."
    llm = ScriptedLLM(dropped)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert LAW in ans.answer and dropped not in ans.answer
    assert "".join(seen) == ans.answer
    assert ans.evidence["figures"].startswith("the cited text says «không đúng nơi quy định")
    assert not any(c.supported for c in ans.sentences if "tại nơi công cộng là 2 triệu" in c.text)


def test_a_figure_question_answered_with_a_figure_in_another_unit_quotes_the_provision_stating_it(world: World) -> None:
    # live: "Thời hạn của hợp đồng lao động xác định thời hạn tối đa là bao lâu?" — the model wrote "02 năm" (the
    # work permit's), withheld as a figure no source gives with its unit, and the question was refused although
    # Điều 20's "không quá 36 tháng" was in the prompt: only a number no source states led to the provision
    from assistant.pipeline import Assistant
    from index.search import Searcher

    question = "Thời gian thử việc của viên chức tối đa là bao lâu?"
    llm = ScriptedLLM("Thời gian thử việc của viên chức tối đa là 12 năm [1].")
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(question)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert re.fullmatch(r"1\. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng \[\d\]\.", ans.answer)
    assert ans.evidence["figures"].startswith("figures no source states (12 năm)")


SEAL_LIST = (
    "a) Dấu được đóng vào khoảng giữa mép phải của văn bản hoặc phụ lục [1];\nb) Mỗi dấu đóng tối đa 05 tờ văn bản [1]."
)


def test_a_held_list_on_another_matter_is_not_shown_the_provisions_holding_what_was_asked_are_quoted(
    world: World,
) -> None:
    """Live: "Điều kiện hưởng lương hưu của người lao động là gì?" was answered, every item verified, with the list
    of who must join social insurance (Khoản 1 Điều 2 Luật Bảo hiểm xã hội, which the pension articles refer to):
    true, cited, and no answer to what was asked. Here: asked how records are kept, the model lists the seal rules."""
    from assistant.pipeline import OFF_MATTER_QUOTED, Assistant
    from index.search import Searcher

    question = "Cơ quan phải lập hồ sơ và nộp lưu hồ sơ văn bản theo những quy định nào?"
    llm = ScriptedLLM(SEAL_LIST)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(question, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer.startswith("Các quy định liên quan:") and "giáp lai" not in ans.answer
    assert "phải lập hồ sơ về công việc và nộp lưu hồ sơ" in ans.answer
    assert "".join(seen) == ans.answer  # the model's list was held, never passed on
    assert ans.evidence["quoted"].endswith(OFF_MATTER_QUOTED) and "lap" in ans.evidence["quoted"]
    assert any(c.supported for c in ans.sentences)  # the model's list, true and cited, is in the record
    assert ans.grounds() == []  # … but not under "Căn cứ": the quotes shown are the answer's grounds


def test_a_held_answer_that_leaves_out_the_discipline_asked_about_is_off_matter_though_it_speaks_of_half() -> None:
    """Live: "Công chức bị buộc thôi việc trong trường hợp nào?" was answered, verified, with "b) Theo nguyện vọng và
    được cấp có thẩm quyền đồng ý" — the cases a công chức may leave on request (Điều 59 Luật Cán bộ, công chức),
    whose heading speaks of "thôi việc", half of what was asked. "Buộc thôi việc" is a disciplinary measure, a term
    of a closed family (assistant/data/terms_vi.tsv): an answer and cited articles that never name it answer
    another question."""
    from types import SimpleNamespace

    from assistant.references import off_matter

    def src(heading: str, text: str) -> Any:
        return SimpleNamespace(hit=SimpleNamespace(heading_path=[heading], text=text))

    leaving = src("Điều 59. Thôi việc đối với công chức", "1. Công chức được thôi việc trong các trường hợp sau đây:")
    question = "Công chức bị buộc thôi việc trong trường hợp nào?"
    off = off_matter(question, "b) Theo nguyện vọng và được cấp có thẩm quyền đồng ý [1];", [leaving])
    assert off is not None and off.missing == ("buộc thôi việc",)
    forms = src("Điều 79. Các hình thức kỷ luật đối với công chức", "1. Công chức vi phạm … chịu: … e) Buộc thôi việc.")
    assert off_matter(question, "Công chức bị buộc thôi việc khi vi phạm pháp luật [1].", [forms]) is None
    # the person's own term is who is asked about, not what: "công chức" is not required of the answer's words
    assert off_matter("Công chức được thôi việc khi nào?", "Theo nguyện vọng [1].", [leaving]) is None


def test_the_quotes_instead_leave_out_another_persons_article_unless_a_quoted_one_applies_it() -> None:
    """Live: quoted for "Công chức bị buộc thôi việc trong trường hợp nào?", Nghị định 112/2020's rule on a viên
    chức's records stood beside Luật Cán bộ, công chức's articles. The labour code's article that the công chức's
    article applies ("theo quy định của pháp luật về lao động") is theirs too."""
    from types import SimpleNamespace

    from assistant.references import on_matter

    def src(marker: int, text: str, applied_by: int | None = None) -> Any:
        return SimpleNamespace(marker=marker, hit=SimpleNamespace(heading_path=[], text=text), applied_by=applied_by)

    forms = src(1, "Công chức vi phạm thì tùy mức độ phải chịu hình thức kỷ luật buộc thôi việc.")
    records = src(2, "Đơn vị lưu giữ hồ sơ viên chức bị xử lý kỷ luật buộc thôi việc.")
    question = "Công chức bị buộc thôi việc trong trường hợp nào?"
    assert [s.marker for s in on_matter(question, [forms, records])] == [1]
    leave = src(1, "Cán bộ, công chức được nghỉ hằng năm theo quy định của pháp luật về lao động.")
    code = src(2, "Người lao động được nghỉ hằng năm 12 ngày làm việc.", applied_by=1)
    stranger = src(3, "Viên chức được nghỉ hằng năm theo quy định của pháp luật về lao động.")
    asked = "Công chức được nghỉ hằng năm bao nhiêu ngày?"
    assert [s.marker for s in on_matter(asked, [leave, code, stranger])] == [1, 2]
    # nobody's article is about them: none is left out for it
    assert [s.marker for s in on_matter(asked, [code, stranger])] == [2, 3]


SEAL_DUTY = "Người có thẩm quyền chịu trách nhiệm về việc sử dụng con dấu [2]."


def test_a_streamed_answer_on_another_matter_is_held_from_its_first_claim_and_the_provisions_asked_are_quoted(
    world: World,
) -> None:
    """Live: "Ai có thẩm quyền quyết định tặng Bằng khen của Thủ tướng Chính phủ?" was answered, streamed and
    verified, with who proposes a huân chương: only a list was held, so nothing could take it back. Now the first
    claim is judged as the held list is (`off_matter`) before anything goes out."""
    from assistant.pipeline import OFF_MATTER_QUOTED, Assistant
    from index.search import Searcher

    question = "Cơ quan phải lập hồ sơ và nộp lưu hồ sơ văn bản như thế nào?"
    llm = ScriptedLLM(SEAL_DUTY)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(question, on_token=seen.append)
    assert not ans.refused and ans.answer.startswith("Các quy định liên quan:") and "con dấu" not in ans.answer
    assert "phải lập hồ sơ về công việc và nộp lưu hồ sơ" in ans.answer
    assert "".join(seen) == ans.answer
    assert ans.evidence["quoted"].endswith(OFF_MATTER_QUOTED) and ans.grounds() == []
    # on what was asked, the same answer streams as the model wrote it
    seen.clear()
    asked = "Ai chịu trách nhiệm về việc sử dụng con dấu?"
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: ScriptedLLM(SEAL_DUTY)).ask(
        asked, on_token=seen.append
    )
    assert ans.answer.startswith("Người có thẩm quyền chịu trách nhiệm") and "".join(seen) == ans.answer
    assert "quoted" not in ans.evidence and ans.verification is Verification.VERIFIED


def test_a_held_list_on_what_was_asked_is_shown_as_the_model_wrote_it(world: World) -> None:
    from assistant.pipeline import Assistant
    from index.search import Searcher

    question = "Việc đóng dấu giáp lai văn bản được thực hiện theo những quy định nào?"
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: ScriptedLLM(SEAL_LIST)).ask(question)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert "Các quy định liên quan" not in ans.answer and "quoted" not in ans.evidence
    assert "Mỗi dấu đóng tối đa 05 tờ văn bản" in ans.answer


def test_a_model_that_writes_the_refusal_is_refused_not_quoted(world: World) -> None:
    ans, seen, _llm = ask_scripted(world, f"{REFUSAL}")
    assert ans.refused and ans.answer.startswith(REFUSAL) and seen == []  # type: ignore[attr-defined]


class MarkersFirstLLM(ScriptedLLM):
    """A stand-in model that writes "[1] [2]" the first time (as the 1.5B model did for the contract question with
    its prompt already cached) and `answer` when asked again; it keeps the prompts it was given."""

    def __init__(self, answer: str, first: str = "[1] [2]") -> None:
        super().__init__(answer)
        self.first = first
        self.prompts: list[str] = []

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        if "Câu hỏi:" in messages[-1].content:
            self.prompts.append(messages[-1].content)
            if len(self.prompts) == 1:
                yield self.first
                return
        yield from super().stream(messages, config)


def test_an_answer_of_markers_only_is_asked_again_once_and_the_second_answer_is_verified(world: World) -> None:
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(f"{LAW} [1].")
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer == f"{LAW} [1]." and "".join(seen) == ans.answer  # nothing of the first try was passed on
    assert ans.evidence["retry"] == "the first answer held no claim"
    first, second = llm.prompts
    # the retry keeps the first prompt whole as its prefix (llama.cpp reads only the added line) and says what it wants
    assert second.startswith(first.rstrip()) and template("answer_retry").strip() in second


def test_an_answer_that_only_echoes_the_question_is_asked_again(world: World) -> None:
    """Live, a follow-up's first answer was the question written twice ("[1] Trong thời gian tập sự …, viên chức
    được hưởng lương thế nào? [2] …?"): no claim, so not a refusal on the spot but a second try."""
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(f"{LAW} [1].", first=f"[1] {QUESTION} [2] {QUESTION}")
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION)
    assert not ans.refused and ans.answer == f"{LAW} [1]." and len(llm.prompts) == 2
    assert ans.evidence["retry"] == "the first answer held no claim"


def test_a_claim_naming_its_cited_law_by_number_is_supported_and_another_law_s_number_is_not() -> None:
    """Live, "- Điều 11 Luật Lưu trữ 01/2011/QH13 [1]" was flagged "numbers not in the cited text: 1/2011, 13": a
    document's number is its metadata, not its text, so every claim naming the law it cites by number — "Theo Điều
    2 Luật 77/2099/QH99, … [1]" — failed the number check (and a one-claim answer became the refusal)."""
    probation = _source(1, "1. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng.")
    rule = "thời gian thử việc của viên chức từ 03 tháng đến 12 tháng"
    assert verify(f"Theo Điều 2 Luật 77/2099/QH99, {rule} [1].", [probation]).status is Verification.VERIFIED
    wrong_figure = "Theo Luật 77/2099/QH99, thời gian thử việc của viên chức từ 03 tháng đến 99 tháng [1]."
    for wrong in (
        f"Theo Nghị định 45/2099/NĐ-CP, {rule} [1].",
        f"Theo Điều 7 Luật 77/2099/QH99, {rule} [1].",
        wrong_figure,
    ):
        assert verify(wrong, [probation]).status is Verification.UNVERIFIED


def test_the_value_of_a_hidden_item_is_not_shown_as_the_value_of_the_line_before() -> None:
    """Live (bench, marriage leave): the model wrote the lead-in, then "a) Kết hôn:" without a marker — hidden —
    then its value "nghỉ 03 ngày [1];", which was shown glued to the lead-in: "… trong trường hợp sau đây [1]:
    nghỉ 03 ngày [1];", as if every case gave three days. The case is the law's item a) and is kept, cited; a case
    the law does not have is hidden, and its value with it."""
    asked = "Người lao động được nghỉ việc riêng trong trường hợp nào?"
    lead = "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp sau đây [1]:"
    rest = "b) Con đẻ, con nuôi kết hôn [1]: nghỉ 01 ngày [1];"
    kept = verify(f"{lead}\na) Kết hôn:\nnghỉ 03 ngày [1];\n{rest}", [PERSONAL_LEAVE], question=asked)
    assert kept.text == f"{lead}\na) Kết hôn [1]: nghỉ 03 ngày [1];\n{rest}"
    hidden = verify(f"{lead}\na) Đi du lịch:\nnghỉ 03 ngày [1];\n{rest}", [PERSONAL_LEAVE], question=asked)
    assert hidden.text == f"{lead}\n{rest}"


def test_a_claim_half_supported_by_its_citation_is_re_cited_to_the_source_that_states_it() -> None:
    """Live (bench, hồ sơ lưu trữ): "- Đối với hồ sơ, tài liệu xây dựng cơ bản [3]: …" was verified against [3], a
    clause on who files (half of its words), while [2]'s deadline article states the case word for word."""
    deadline = _source(
        2,
        "2. Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan\n"
        "a) Đối với hồ sơ, tài liệu xây dựng cơ bản: Trong thời hạn 03 tháng kể từ ngày công trình được quyết toán.",
    )
    duties = _source(
        3,
        "3. Đối với hồ sơ, tài liệu của đơn vị, người đứng đầu đơn vị chịu trách nhiệm về việc lập hồ sơ và nộp lưu.",
    )
    v = verify(
        "- Đối với hồ sơ, tài liệu xây dựng cơ bản [3]: Trong thời hạn 03 tháng kể từ ngày công trình được quyết "
        "toán [2].",
        [deadline, duties],
    )
    assert v.status is Verification.VERIFIED and "[3]" not in v.text and v.used_markers == (2,)
    assert v.text.startswith("- Đối với hồ sơ, tài liệu xây dựng cơ bản [2]:")


def test_a_probation_given_the_other_grade_s_months_is_flagged() -> None:
    """Live: "Thời gian tập sự … là 12 tháng đối với … tài nguyên và môi trường hạng IV [3]." was verified — every word
    and the 12 are in the cited circular, whose hạng IV is 6 months and hạng III 12. Grades are a family of terms
    (assistant/data/terms_vi.tsv): a claim giving one grade the clause of another is flagged."""
    circular = _source(
        3,
        "1. Để được bổ nhiệm vào chức danh nghề nghiệp viên chức chuyên ngành tài nguyên và môi trường hạng IV, người "
        "trúng tuyển phải thực hiện thời gian tập sự 6 tháng.\n2. Để được bổ nhiệm vào chức danh nghề nghiệp viên "
        "chức chuyên ngành tài nguyên và môi trường hạng III, người trúng tuyển phải thực hiện thời gian tập sự 12 "
        "tháng.",
    )
    claim = "Thời gian tập sự là {n} tháng đối với chức danh nghề nghiệp tài nguyên và môi trường hạng {g} [3]."
    assert verify(claim.format(n=12, g="IV"), [circular]).status is Verification.UNVERIFIED
    assert verify(claim.format(n=6, g="IV"), [circular]).status is Verification.VERIFIED
    assert verify(claim.format(n=12, g="III"), [circular]).status is Verification.VERIFIED


@pytest.mark.parametrize(
    "claim",
    [
        "Khi con đẻ, con nuôi kết hôn, người lao động được nghỉ 03 ngày [1].",  # 01: b)'s own value
        "Người lao động được nghỉ 01 ngày khi kết hôn [1].",  # 03: a)'s
        "Khi cha đẻ chết, người lao động được nghỉ 01 ngày [1].",  # 03: c)'s
        "b) Con đẻ, con nuôi kết hôn [1]:\nnghỉ 03 ngày [1];",  # the value piece after its case
    ],
)
def test_a_case_given_another_case_s_value_is_not_verified(claim: str) -> None:
    """Every word and the number of "Khi con đẻ, con nuôi kết hôn, … nghỉ 03 ngày [1]" are in the cited list, so it
    was verified — with a)'s three days for b)'s case, whose value is one. The case a claim names is the item it
    names in full; a number that is only another item's value is flagged."""
    v = verify(claim, [PERSONAL_LEAVE], question="Người lao động được nghỉ việc riêng trong trường hợp nào?")
    assert any(r.startswith(VALUE_SWAPPED) for c in v.sentences for r in c.reasons), v.sentences
    assert v.status is not Verification.VERIFIED


@pytest.mark.parametrize(
    "claim",
    [
        "Khi con đẻ, con nuôi kết hôn, người lao động được nghỉ 01 ngày [1].",
        "Người lao động kết hôn được nghỉ 03 ngày [1].",
        "Người lao động được nghỉ 03 ngày khi kết hôn, 01 ngày khi con kết hôn [1].",
        "a) Kết hôn [1]: nghỉ 03 ngày [1];\nb) Con đẻ, con nuôi kết hôn [1]:\nnghỉ 01 ngày [1];",
        # "con kết hôn" names b) in part, beyond a)'s "Kết hôn" (live, refused as a)'s case given b)'s value)
        "- Người lao động được nghỉ việc riêng khi con kết hôn 01 ngày [1].",
    ],
)
def test_each_case_with_its_own_value_still_verifies(claim: str) -> None:
    assert verify(claim, [PERSONAL_LEAVE]).status is Verification.VERIFIED


def test_a_provision_restated_whole_is_not_read_as_a_list_case_given_another_value() -> None:
    """Live: Khoản 2 Điều 115 BLLĐ restated, "… nghỉ không hưởng lương 01 ngày … khi ông nội, bà nội, ông ngoại, bà
    ngoại, anh, chị, em ruột chết;", was flagged as giving Điểm c's "con đẻ, con nuôi chết" (03 ngày) its 01 ngày:
    the claim names "chết", part of that case, and the provision stating all of it is no "case: value" item."""
    article = _source(
        1,
        "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp sau đây:\n"
        "a) Kết hôn: nghỉ 03 ngày;\nb) Con đẻ, con nuôi kết hôn: nghỉ 01 ngày;\n"
        "c) Cha đẻ, mẹ đẻ, vợ hoặc chồng; con đẻ, con nuôi chết: nghỉ 03 ngày.\n"
        "2. Người lao động được nghỉ không hưởng lương 01 ngày và phải thông báo với người sử dụng lao động khi ông "
        "nội, bà nội, ông ngoại, bà ngoại, anh, chị, em ruột chết; cha hoặc mẹ kết hôn; anh, chị, em ruột kết hôn.",
    )
    claim = (
        "Người lao động được nghỉ không hưởng lương 01 ngày và phải thông báo với người sử dụng lao động khi ông nội, "
        "bà nội, ông ngoại, bà ngoại, anh, chị, em ruột chết [1]."
    )
    checked = verify(claim, [article])
    assert checked.status is Verification.VERIFIED, checked.sentences
    assert checked.sentences[-1].clause is not None and checked.sentences[-1].clause.clause == "2"
    # a list case given another's value is still caught on the same article
    assert verify("Khi con đẻ, con nuôi chết, người lao động được nghỉ 01 ngày [1].", [article]).status is not (
        Verification.VERIFIED
    )


# Written for these tests after Bộ luật Lao động 2019 Điều 115 and Luật Bảo hiểm xã hội 2014 Điều 34, under numbers
# no real text has: the unpaid leave for a grandparent's death, and the maternity clause for a newborn's death.
UNPAID_LEAVE = _source(
    1,
    "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi kết hôn: nghỉ 03 ngày.\n"
    "2. Người lao động được nghỉ không hưởng lương 01 ngày và phải thông báo với người sử dụng lao động khi ông "
    "nội, bà nội, ông ngoại, bà ngoại, anh, chị, em ruột chết.",
)
NEWBORN_DEATH = _source(
    2,
    "3. Trường hợp sau khi sinh con, nếu con dưới 02 tháng tuổi bị chết thì mẹ được nghỉ việc 04 tháng tính từ "
    "ngày sinh con; thời gian này không tính vào thời gian nghỉ việc riêng.",
    anchor="Điều 34 Luật 78/2099/QH99",
)


def test_a_figure_taken_from_another_case_s_clause_is_not_verified() -> None:
    """Live, twice: "Người lao động nghỉ việc riêng khi ông bà chết được nghỉ 04 tháng tính từ ngày sinh con [2]."
    was shown as verified. The maternity clause holds the 04 and ten of its twelve words ("nghỉ việc riêng",
    "chết", "ngày sinh con"); it names no grandparent. The provision stating a claim's figure must name the case
    the claim gives it for."""
    claim = "Người lao động nghỉ việc riêng khi ông bà chết được nghỉ 04 tháng tính từ ngày sinh con [2]."
    v = verify(claim, [UNPAID_LEAVE, NEWBORN_DEATH], question="Khi ông bà chết, người lao động được nghỉ mấy ngày?")
    assert [r for c in v.sentences for r in c.reasons if r.startswith(CASE_ELSEWHERE)], v.sentences
    assert v.status is not Verification.VERIFIED


@pytest.mark.parametrize(
    "claim",
    [
        "Khi ông bà chết, người lao động được nghỉ không hưởng lương 01 ngày [1].",
        "Người lao động được nghỉ 03 ngày khi kết hôn [1].",
        "Nếu con dưới 02 tháng tuổi bị chết thì mẹ được nghỉ việc 04 tháng tính từ ngày sinh con [2].",
    ],
)
def test_a_figure_given_for_the_case_its_clause_names_still_verifies(claim: str) -> None:
    assert verify(claim, [UNPAID_LEAVE, NEWBORN_DEATH]).status is Verification.VERIFIED


# Written for this test after Nghị định 30/2020/NĐ-CP Điều 3 (definitions) and Điều 25 (how a copy is made), under
# numbers no real text has.
_DEFINED = _source(
    3,
    "9. “Bản sao y” là bản sao đầy đủ, chính xác nội dung của bản gốc hoặc bản chính văn bản.\n"
    "10. “Số hóa văn bản” là việc chuyển văn bản giấy sang văn bản điện tử.\n"
    "11. “Ký số” là việc ký lên văn bản điện tử bằng chữ ký số.\n"
    "12. “Văn thư cơ quan” là bộ phận thực hiện công tác văn thư của cơ quan, tổ chức.",
    anchor="Khoản 9-12 Điều 3 Nghị định 12/2099/NĐ-CP",
)
DEFINITIONS = replace(
    _DEFINED, hit=replace(_DEFINED.hit, citation=replace(_DEFINED.hit.citation, article="3", clause="9-12"))
)
COPYING = _source(
    2,
    "1. Sao y\n"
    "a) Sao y từ văn bản giấy sang văn bản giấy được thực hiện bằng việc chụp từ bản gốc sang giấy.\n"
    "b) Sao y từ văn bản điện tử sang văn bản giấy được thực hiện bằng việc in từ bản gốc ra giấy.\n"
    "c) Sao y từ văn bản giấy sang văn bản điện tử được thực hiện bằng việc số hóa văn bản giấy và ký số của cơ "
    "quan, tổ chức.",
    anchor="Điều 25 Nghị định 12/2099/NĐ-CP",
)


def test_a_claim_no_one_provision_of_its_citation_states_is_cited_to_the_provision_that_does() -> None:
    """Live: "Bản sao y được thực hiện bằng việc số hóa văn bản giấy và ký số của cơ quan, tổ chức [3]." was verified
    on the definitions of Điều 3 — its words spread over three of them — and highlighted as the whole chunk, while
    Điều 25's Điểm c, also cited by the answer, states it word for word."""
    claim = "Bản sao y được thực hiện bằng việc số hóa văn bản giấy và ký số của cơ quan, tổ chức [3]."
    checked = verify(claim, [COPYING, DEFINITIONS])
    assert checked.text == claim.replace("[3]", "[2]") and checked.status is Verification.VERIFIED
    shown = [c for c in checked.sentences if c.supported]
    assert len(shown) == 1 and shown[0].clause is not None and shown[0].clause.point == "c"


def test_a_lead_in_its_articles_body_paragraph_states_keeps_its_citation() -> None:
    """Found while making the change above: the lead-in "Danh hiệu … để tặng cho cá nhân đạt các tiêu chuẩn sau đây
    [1]:" binds to its article's own opening paragraph, a provision of its own, and was re-cited to another law's
    "d) Có cá nhân đạt danh hiệu …" (whose article holds every word)."""
    award = _source(
        1,
        "Danh hiệu “Chiến sĩ thi đua cơ sở” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:\n"
        "1. Đạt tiêu chuẩn danh hiệu “Lao động tiên tiến”;\n2. Hoàn thành xuất sắc nhiệm vụ.",
        anchor="Điều 23 Luật 79/2099/QH99",
    )
    unit = _source(
        2,
        "1. Danh hiệu “Tập thể lao động tiên tiến” để tặng cho tập thể đạt các tiêu chuẩn sau đây:\n"
        "a) Hoàn thành tốt nhiệm vụ;\nb) Có phong trào thi đua thường xuyên;\n"
        "c) Không có cá nhân bị kỷ luật;\nd) Có cá nhân đạt danh hiệu “Chiến sĩ thi đua cơ sở”.",
        anchor="Điều 27 Luật 79/2099/QH99",
    )
    lead = "Danh hiệu Chiến sĩ thi đua cơ sở để tặng cho cá nhân đạt các tiêu chuẩn sau đây [1]:"
    checked = verify(f"{lead}\n1. Đạt tiêu chuẩn danh hiệu Lao động tiên tiến [1].", [award, unit])
    assert checked.text.startswith(lead) and checked.status is Verification.VERIFIED


def test_a_lead_in_whose_list_is_not_shown_is_dropped_not_left_ending_the_answer() -> None:
    """Live ("Danh hiệu Chiến sĩ thi đua cơ sở được xét tặng cho ai?"): the model gave the list, then wrote it
    again in the law's words under a second lead-in cited to another article; the repeats were not shown and the
    answer ended "… các tiêu chuẩn sau đây [2]:", verified, highlighted on the other article's Điểm a."""
    from assistant.pipeline import VerifiedStream
    from assistant.verify import DANGLING_LEAD, SentenceVerifier

    award = _source(
        1,
        "Danh hiệu “Chiến sĩ thi đua cơ sở” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:\n"
        "1. Đạt tiêu chuẩn danh hiệu “Lao động tiên tiến”;\n2. Hoàn thành xuất sắc nhiệm vụ.",
        anchor="Điều 23 Luật 79/2099/QH99",
    )
    higher = _source(
        2,
        "1. Danh hiệu “Chiến sĩ thi đua cấp bộ” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:\n"
        "a) Có thành tích xuất sắc tiêu biểu được lựa chọn trong số những cá nhân có 03 lần liên tục được tặng "
        "danh hiệu “Chiến sĩ thi đua cơ sở”;",
        anchor="Điều 22 Luật 79/2099/QH99",
    )
    first = (
        "Danh hiệu Chiến sĩ thi đua cơ sở được xét tặng cho cá nhân đạt các tiêu chuẩn sau đây [1]:\n"
        "1. Đạt tiêu chuẩn danh hiệu Lao động tiên tiến [1];\n2. Hoàn thành xuất sắc nhiệm vụ [1]."
    )
    again = (
        "- Danh hiệu Chiến sĩ thi đua cơ sở để tặng cho cá nhân đạt các tiêu chuẩn sau đây [2]:\n"
        "1. Đạt tiêu chuẩn danh hiệu Lao động tiên tiến;\n2. Hoàn thành xuất sắc nhiệm vụ."
    )
    checked = verify(f"{first}\n{again}", [award, higher])
    assert checked.text.startswith(first.split("\n")[0]) and checked.text.endswith("xuất sắc nhiệm vụ [1].")
    assert "sau đây [2]" not in checked.text and checked.status is Verification.VERIFIED
    dangling = [c for c in checked.sentences if DANGLING_LEAD in c.reasons]
    assert [c.text.split(" cho ")[0] for c in dangling] == ["- Danh hiệu Chiến sĩ thi đua cơ sở để tặng"]
    assert not dangling[0].supported and dangling[0].clause is None
    # streamed, the lead-in never reaches the reader: it waits for a line that continues it
    tokens: list[str] = []
    stream = VerifiedStream(SentenceVerifier([award, higher]), tokens.append)
    stream.push(f"{first}\n{again}")
    assert stream.finish().text == checked.text and "".join(tokens) == checked.text
    # a lead-in that a later line continues goes out with it; one followed by a sentence that does not, does not
    # a lead-in that is all the answer shows stands as the verifier's text (`kho eval highlight` reads sentences
    # so), but it is no answer: nothing streams, and the pipeline asks again, then quotes (`Verified.lead_only`)
    alone: list[str] = []
    lone = VerifiedStream(SentenceVerifier([award]), alone.append)
    lone.push(first.split("\n")[0])
    settled = lone.finish()
    assert settled.text == first.split("\n")[0] and settled.lead_only and settled.claimless and alone == []
    # a flagged lead-in waits the same way (its "(chưa kiểm chứng)" after the ":" once hid that it leads in)
    flagged = verify(f"{first}\nDanh hiệu này không để tặng cho cá nhân đạt các tiêu chuẩn sau đây [1]:", [award])
    assert "không để tặng" not in flagged.text and flagged.status is Verification.VERIFIED
    assert DANGLING_LEAD in flagged.sentences[-1].reasons
    continued = f"{first.split(chr(10))[0]}\nHoàn thành xuất sắc nhiệm vụ [1]."
    assert verify(continued, [award]).text.startswith("Danh hiệu Chiến sĩ")
    not_continued = verify(f"{first}\n{again}\nDanh hiệu Lao động tiên tiến là tiêu chuẩn [1].", [award, higher])
    assert "sau đây [2]" not in not_continued.text and not_continued.text.endswith("là tiêu chuẩn [1].")


# Written for this test after Bộ luật Lao động 2019 Điều 169 Khoản 2, under a number no real text has.
RETIREMENT = _source(
    1,
    "2. Tuổi nghỉ hưu của người lao động trong điều kiện lao động bình thường được điều chỉnh theo lộ trình cho đến "
    "khi đủ 62 tuổi đối với lao động nam vào năm 2028 và đủ 60 tuổi đối với lao động nữ vào năm 2035. Kể từ năm "
    "2021, tuổi nghỉ hưu của người lao động trong điều kiện lao động bình thường là đủ 60 tuổi 03 tháng đối với "
    "lao động nam và đủ 55 tuổi 04 tháng đối với lao động nữ; sau đó, cứ mỗi năm tăng thêm 03 tháng đối với lao "
    "động nam và 04 tháng đối với lao động nữ.",
    anchor="Điều 169 Bộ luật 80/2099/QH99",
)


def test_figures_the_law_states_in_different_sentences_are_not_verified_together() -> None:
    """Live: "Tuổi nghỉ hưu của người lao động nữ làm việc trong điều kiện bình thường năm 2028 là đủ 55 tuổi 04
    tháng [1]." was verified — 2028 is the men's year in the first sentence, 55 years 4 months the women's age
    from 2021 in the second (the law gives 57 years 8 months for 2028)."""
    claim = (
        "Tuổi nghỉ hưu của người lao động nữ làm việc trong điều kiện bình thường năm 2028 là đủ 55 tuổi 04 tháng [1]."
    )
    checked = verify(claim, [RETIREMENT])
    assert checked.status is not Verification.VERIFIED
    assert [r for c in checked.sentences for r in c.reasons if r.startswith(NUMBERS_APART)]


def test_a_year_the_claim_opens_with_belongs_to_the_figures_after_its_comma() -> None:
    """ "Năm 2028, …" set off by a comma was a piece of its own and went unchecked."""
    claim = "Năm 2028, tuổi nghỉ hưu của lao động nữ trong điều kiện bình thường là đủ 55 tuổi 04 tháng [1]."
    checked = verify(claim, [RETIREMENT])
    assert checked.status is not Verification.VERIFIED
    assert [r for c in checked.sentences for r in c.reasons if r.startswith(NUMBERS_APART)]


@pytest.mark.parametrize(
    "claim",
    [
        "Kể từ năm 2021, tuổi nghỉ hưu của lao động nữ trong điều kiện bình thường là đủ 55 tuổi 04 tháng [1].",
        "Lao động nam nghỉ hưu ở tuổi đủ 62 tuổi vào năm 2028, lao động nữ đủ 60 tuổi vào năm 2035 [1].",
        "Tuổi nghỉ hưu của lao động nam là đủ 60 tuổi 03 tháng và của lao động nữ là đủ 55 tuổi 04 tháng [1].",
        "Từ năm 2021, lao động nam nghỉ hưu khi đủ 60 tuổi 03 tháng, lao động nữ khi đủ 55 tuổi 04 tháng [1].",
    ],
)
def test_figures_the_law_states_together_still_verify(claim: str) -> None:
    assert verify(claim, [RETIREMENT]).status is Verification.VERIFIED


POINTER = (
    "Mức phạt đối với hành vi vứt rác thải sinh hoạt không đúng nơi quy định tại nơi công cộng được quy định tại "
    "Điều 3 Nghị định 45/2094/NĐ-CP [1]."
)


def test_a_first_answer_that_only_says_where_the_rule_is_is_asked_again_for_what_it_says(world: World) -> None:
    """A first question answered "… được quy định tại Điều 3 Nghị định 45/2094/NĐ-CP [1]." was shown as the verified
    answer: true and cited, yet it does not say the fine. It is held and asked once more for the rule's content.
    (The stand-in model writes what the 1.5B model wrote for such questions; the real one cannot be made to.)"""
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(f"{LAW} [1].", first=POINTER)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION, on_token=seen.append)
    assert not ans.refused and ans.answer == f"{LAW} [1]." and "".join(seen) == ans.answer
    assert (
        ans.evidence["retry"] == "the first answer only said where the rule is: every line only says where the rule is"
    )
    first, second = llm.prompts
    assert second.startswith(first.rstrip()) and template("answer_retry_pointer").strip() in second


def test_a_list_answer_pointing_elsewhere_is_asked_again_and_one_pointing_into_its_article_is_left_to_the_list() -> (
    None
):
    """ "… như thế nào?" counts as asking for a list, and a list answer's pointer was left to the list path, which
    quotes only a list the answer points into ("khoản 1 Điều này"): live, "Đóng dấu giáp lai … theo quy định tại
    Phụ lục I Nghị định này [2]." was shown as the answer. Only a pointer into the cited article is left to it now."""
    from assistant.pipeline import pointer_to_retry

    how = "Đóng dấu giáp lai văn bản được thực hiện như thế nào?"
    seals = _source(1, "d) Việc đóng dấu giáp lai được thực hiện theo quy định tại Phụ lục I Nghị định này.")
    elsewhere = verify(
        "Đóng dấu giáp lai văn bản được thực hiện theo quy định tại Phụ lục I Nghị định này [1].", [seals], question=how
    )
    assert elsewhere.pointer is not None and pointer_to_retry(elsewhere, listing=True) is not None
    forms = _source(1, "2. Đóng dấu giáp lai văn bản được thực hiện theo quy định tại khoản 1 Điều này.")
    inside = verify(
        "Đóng dấu giáp lai văn bản được thực hiện theo quy định tại khoản 1 Điều này [1].", [forms], question=how
    )
    assert inside.pointer is not None and pointer_to_retry(inside, listing=True) is None


def test_a_second_answer_that_only_points_is_shown_once_no_retry_is_left(world: World) -> None:
    """Asked again, the model may point once more: the pointer is true and cited, and the clause it names is quoted
    under it, so it is shown (and streamed) rather than refused."""
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(POINTER, first=POINTER)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION, on_token=seen.append)
    assert not ans.refused and ans.answer == POINTER and "".join(seen) == ans.answer and len(llm.prompts) == 2
    assert ans.verification is Verification.VERIFIED


def test_a_pointer_is_not_flagged_as_one_when_a_line_says_the_rule() -> None:
    said = verify(
        f"{LAW} [1]. Mức phạt này được quy định tại Điều 3 Nghị định 45/2094/NĐ-CP [1].",
        [decree_source()],
        question=QUESTION,
    )
    pointed = verify(POINTER, [decree_source()], question=QUESTION)
    assert said.pointer is None and said.status is Verification.VERIFIED
    assert pointed.pointer is not None and pointed.status is Verification.VERIFIED


def test_a_pointer_to_an_appendix_numbered_in_roman_is_a_pointer() -> None:
    """Live, the giáp lai question was answered only "Đóng dấu giáp lai văn bản được thực hiện theo quy định tại Phụ
    lục I Nghị định này [2]." and shown, not asked again: the "I" of "Phụ lục I" counted as a word of the rule."""
    seals = _source(1, "d) Việc đóng dấu giáp lai được thực hiện theo quy định tại Phụ lục I Nghị định này.")
    answer = "Đóng dấu giáp lai văn bản được thực hiện theo quy định tại Phụ lục I Nghị định này [1]."
    v = verify(answer, [seals], question="Đóng dấu giáp lai văn bản được thực hiện như thế nào?")
    assert v.status is Verification.VERIFIED and v.pointer is not None


def test_a_pointer_answers_a_question_that_asks_where_the_rule_is() -> None:
    where = "Mức phạt đối với hành vi vứt rác thải sinh hoạt tại nơi công cộng được quy định tại điều nào?"
    assert verify(POINTER, [decree_source()], question=where).pointer is None


def test_the_marker_bound_to_an_unmarked_sentence_streams_as_it_is_shown(world: World) -> None:
    ans, seen, _llm = ask_scripted(world, f"{LAW} [1].\n- Phạt 2 triệu.")
    assert ans.answer.endswith("\n- Phạt 2 triệu [1].")  # type: ignore[attr-defined]
    assert "".join(t for t, _ in seen) == ans.answer  # type: ignore[attr-defined]
    assert ans.verification is Verification.VERIFIED  # type: ignore[attr-defined]


def test_an_exception_in_the_neighbouring_paragraph_does_not_flag_a_claim_its_own_paragraph_states() -> None:
    """Điều 25 as consolidated: the 60-month maximum and, in the next paragraph of the same clause, to whom fixed
    terms apply "trừ trường hợp …". The claim about the maximum is stated by the first; it shares more words with
    the second (which names viên chức) — its exception is not the claim's (it flagged the right answer before)."""
    text = (
        "1. Hợp đồng làm việc xác định thời hạn là hợp đồng mà trong đó hai bên xác định thời hạn, thời điểm chấm "
        "dứt hiệu lực của hợp đồng trong khoảng thời gian từ đủ 12 tháng đến 60 tháng.\n"
        "Hợp đồng làm việc xác định thời hạn áp dụng đối với người được tuyển dụng làm viên chức kể từ ngày 01 "
        "tháng 7 năm 2020, trừ trường hợp quy định tại điểm b và điểm c khoản 2 Điều này."
    )
    claim = "Hợp đồng làm việc xác định thời hạn của viên chức có thời hạn tối đa là 60 tháng [1]."
    assert verify(claim, [_source(1, text)]).status is Verification.VERIFIED
    # a claim that drops the exception of the paragraph that does state it is still flagged
    dropped = "Hợp đồng làm việc xác định thời hạn áp dụng đối với người được tuyển dụng làm viên chức từ năm 2020 [1]."
    assert verify(dropped, [_source(1, text)]).text.endswith(FLAG)


def test_a_claim_cited_to_the_wrong_source_is_re_cited_to_the_one_that_states_it() -> None:
    """The real model wrote "… tối đa là 60 tháng [1]" with the 60-month clause in [4]: it was flagged, and as the
    answer's only sentence it turned the answer into a refusal."""
    sources = [
        _source(1, "Số lượng giáo viên hợp đồng lao động được xác định theo định mức tối đa của Thông tư này."),
        _source(
            2,
            "1. Hợp đồng làm việc xác định thời hạn là hợp đồng mà trong đó hai bên xác định thời hạn, thời điểm "
            "chấm dứt hiệu lực của hợp đồng trong khoảng thời gian từ đủ 12 tháng đến 60 tháng.",
        ),
    ]
    checked = verify("Hợp đồng làm việc xác định thời hạn có thời hạn tối đa là 60 tháng [1].", sources)
    assert checked.status is Verification.VERIFIED
    assert checked.text == "Hợp đồng làm việc xác định thời hạn có thời hạn tối đa là 60 tháng [2]."
    assert checked.sentences[0].reasons[0].startswith("re-cited")


def test_a_wrong_number_is_not_re_cited_to_a_source_with_other_numbers() -> None:
    sources = [
        _source(1, "Số lượng giáo viên hợp đồng lao động được xác định theo định mức tối đa của Thông tư này."),
        _source(2, "Hợp đồng làm việc xác định thời hạn có thời hạn từ đủ 12 tháng đến 60 tháng."),
    ]
    checked = verify("Hợp đồng làm việc xác định thời hạn có thời hạn tối đa là 36 tháng [1].", sources)
    assert checked.status is Verification.UNVERIFIED


def test_bare_list_items_that_open_the_answer_are_held_to_the_questions_polarity() -> None:
    """Asked when a unit MAY end the contract, the model listed the items of "không được … trong các trường hợp
    sau:" with no lead-in of its own; verified, they read as the cases where it may."""
    clause = (
        "3. Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các "
        "trường hợp sau:\na) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của "
        "cơ sở chữa bệnh;\nb) Viên chức đang nghỉ hằng năm, nghỉ về việc riêng được người đứng đầu cho phép."
    )
    question = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    answer = (
        "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh [1];\n"
        "b) Viên chức đang nghỉ hằng năm, nghỉ về việc riêng được người đứng đầu cho phép [1]."
    )
    # without the question nothing says what they are cases of: a case of a "không được" list stated alone is
    # flagged too (tests/test_actor.py has the "Trường hợp a:" lead-in a real answer used)
    assert verify(answer, [_source(1, clause)]).status is Verification.UNVERIFIED
    checked = verify(answer, [_source(1, clause)], question=question)
    assert checked.status is not Verification.VERIFIED
    assert all(not c.supported for c in checked.sentences)
    negative = "Viên chức không bị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    assert verify(answer, [_source(1, clause)], question=negative).status is Verification.VERIFIED


def test_list_items_written_as_sentences_that_open_the_answer_are_held_to_the_questions_polarity() -> None:
    """Seen in `make bench` with a 2,000-character context: asked when a unit MAY end a contract, the model wrote the
    items of "không được … trong các trường hợp sau:" as one unlabelled sentence joined by ";" — no list label, so
    the rule for bare list items did not apply and the inverted answer was shown as verified."""
    clause = (
        "3. Người đứng đầu đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức "
        "trong các trường hợp sau:\na) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết "
        "định của cơ sở chữa bệnh;\nb) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 "
        "tháng tuổi."
    )
    question = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    answer = (
        "[1] Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh; "
        "Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi [1]."
    )
    # without the question nothing says what they are cases of: a case of a "không được" list stated alone is
    # flagged too (tests/test_actor.py has the "Trường hợp a:" lead-in a real answer used)
    assert verify(answer, [_source(1, clause)]).status is Verification.UNVERIFIED
    checked = verify(answer, [_source(1, clause)], question=question)
    assert checked.status is not Verification.VERIFIED
    assert not any(c.supported for c in checked.sentences)
    negative = "Viên chức không bị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    assert verify(answer, [_source(1, clause)], question=negative).status is Verification.VERIFIED
    # a sentence that states the rule with its own words is read as it is
    own = "Đơn vị không được đơn phương chấm dứt hợp đồng với viên chức nữ đang nghỉ thai sản [1]."
    assert verify(own, [_source(1, clause)], question=question).status is Verification.VERIFIED


# ------------------------------------------------------------------------------------- lists numbered with markers

TERMINATION = _source(
    1,
    "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:\n"
    "a) Viên chức có 02 năm liên tiếp bị xếp loại chất lượng ở mức độ không hoàn thành nhiệm vụ;\n"
    "b) Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này;\n"
    "c) Khi đơn vị sự nghiệp công lập chấm dứt hoạt động theo quyết định của cơ quan có thẩm quyền.",
)
SEVERANCE = _source(2, "Điều 45. Viên chức được hưởng trợ cấp thôi việc khi đơn vị chấm dứt hợp đồng làm việc.")
# what the 1.5B model wrote for the contract question: its list numbered [1] [2] [3], one more than the sources
NUMBERED = (
    "[1] Viên chức có 02 năm liên tiếp bị xếp loại chất lượng ở mức độ không hoàn thành nhiệm vụ.\n"
    "[2] Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này.\n"
    "[3] Khi đơn vị sự nghiệp công lập chấm dứt hoạt động theo quyết định của cơ quan có thẩm quyền."
)


def test_a_list_numbered_with_markers_is_shown_as_a_list_each_item_cited_to_the_source_stating_it() -> None:
    checked = verify(NUMBERED, [TERMINATION, SEVERANCE])
    assert checked.status is Verification.VERIFIED
    assert checked.text.splitlines() == [
        "- Viên chức có 02 năm liên tiếp bị xếp loại chất lượng ở mức độ không hoàn thành nhiệm vụ [1].",
        "- Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này [1].",  # re-cited
        "- Khi đơn vị sự nghiệp công lập chấm dứt hoạt động theo quyết định của cơ quan có thẩm quyền [1].",
    ]  # before: one paragraph, "[2]"/"[3]" items taken as citations of Điều 45 or of nothing
    assert [c.clause.point for c in checked.sentences if c.supported and c.clause] == ["a", "b", "c"]


def test_one_line_led_by_its_marker_stays_prose_with_its_marker_at_the_end() -> None:
    answer = "[1] Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này."
    prose = "Viên chức bị buộc thôi việc theo quy định tại điểm d khoản 1 Điều 52 của Luật này [1]."
    assert verify(answer, [TERMINATION]).text == prose


def test_the_streamed_list_is_the_shown_list(world: World) -> None:
    """The streaming contract holds for the rewritten items: what is passed on is exactly the answer."""
    from assistant.pipeline import VerifiedStream
    from assistant.verify import SentenceVerifier

    seen: list[str] = []
    stream = VerifiedStream(SentenceVerifier([TERMINATION, SEVERANCE]), seen.append)
    for i in range(0, len(NUMBERED), 5):
        stream.push(NUMBERED[i : i + 5])
    shown = stream.finish().text
    assert "".join(seen) == shown == verify(NUMBERED, [TERMINATION, SEVERANCE]).text and shown.startswith("- ")


def test_an_item_of_a_may_not_list_keeping_its_own_exception_is_still_an_inversion() -> None:
    """The bench's first question on the code before: the answer opened with Khoản 3's items — the cases where the
    unit may NOT end the contract — and was shown as verified, because the item's own "trừ trường hợp …" was taken
    to answer the lead-in's "không được"."""
    may_not = _source(
        1,
        "3. Người đứng đầu đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức "
        "trong các trường hợp sau:\n"
        "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh, "
        "trừ trường hợp quy định tại điểm c khoản 1 Điều này;\n"
        "b) Viên chức đang nghỉ hàng năm, nghỉ về việc riêng.",
    )
    answer = (
        "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh, "
        "trừ trường hợp quy định tại điểm c khoản 1 Điều này [1];"
    )
    question = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    checked = verify(answer, [may_not], question=question)
    assert not checked.sentences[0].supported and "không được" in checked.sentences[0].reasons[0]
    # asked the other way round, the same item answers the question
    asked_right = "Trường hợp nào đơn vị không được đơn phương chấm dứt hợp đồng làm việc với viên chức?"
    assert verify(answer, [may_not], question=asked_right).status is Verification.VERIFIED


def test_a_sentence_the_model_repeats_is_shown_once() -> None:
    """The bench's discipline question: the model wrote the same line three times, numbered [1], [2], [3]."""
    line = "Công chức bị xử lý kỷ luật bằng các hình thức khiển trách, cảnh cáo, cách chức, buộc thôi việc"
    law = _source(
        1, "Điều 7. Công chức bị xử lý kỷ luật bằng các hình thức khiển trách, cảnh cáo, cách chức, buộc thôi việc."
    )
    checked = verify(f"[1] {line}.\n[2] {line}.\n[3] {line}.", [law])
    assert checked.text.count("khiển trách") == 1 and checked.status is Verification.VERIFIED
    assert [c.reasons for c in checked.sentences].count(("repeats a sentence already shown",)) == 2


PRIVATE_LEAVE = (
    "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương và phải thông báo với người sử dụng lao động "
    "trong trường hợp sau đây:\n"
    "a) Kết hôn: nghỉ 03 ngày;\n"
    "b) Con đẻ, con nuôi kết hôn: nghỉ 01 ngày;\n"
    "c) Cha đẻ, mẹ đẻ, cha nuôi, mẹ nuôi; cha đẻ, mẹ đẻ, cha nuôi, mẹ nuôi của vợ hoặc chồng; vợ hoặc chồng; con đẻ, "
    "con nuôi chết: nghỉ 03 ngày."
)


def test_the_same_figure_under_another_item_is_kept_and_an_unmarked_part_of_the_laws_enumeration_cited() -> None:
    """The bench's private-leave answer, live: c)'s "nghỉ 03 ngày." was dropped as a repeat of a)'s, leaving c)
    ending in ":", and "vợ hoặc chồng;" — the model quoting the law, without a marker — was dropped as uncited, so
    one of the relatives whose death gives three days vanished."""
    answer = (
        "[1] Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp a) Kết hôn: nghỉ 03 ngày "
        "[1]; b) Con đẻ, con nuôi kết hôn [1]: nghỉ 01 ngày [1]; c) Cha đẻ, mẹ đẻ, cha nuôi, mẹ nuôi [1]; cha đẻ, mẹ "
        "đẻ, cha nuôi, mẹ nuôi của vợ hoặc chồng [1]; vợ hoặc chồng; con đẻ, con nuôi chết [1]: nghỉ 03 ngày."
    )
    question = "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp nào?"
    checked = verify(answer, [_source(1, PRIVATE_LEAVE)], question=question)
    assert checked.status is Verification.VERIFIED, [(c.text, c.reasons) for c in checked.sentences]
    assert checked.text.endswith("con đẻ, con nuôi chết [1]: nghỉ 03 ngày [1].")
    assert "của vợ hoặc chồng [1]; vợ hoặc chồng [1]; con đẻ" in checked.text
    assert all(c.supported for c in checked.sentences)


def test_words_the_law_does_not_have_right_after_a_cited_piece_are_still_uncited() -> None:
    """The continuation rule quotes the law word for word: an unmarked piece after "…;" that is not the law's
    next words is not given the marker (a dropped claim stays dropped)."""
    answer = "c) Cha đẻ, mẹ đẻ, cha nuôi, mẹ nuôi của vợ hoặc chồng [1]; anh chị em ruột;"
    checked = verify(answer, [_source(1, PRIVATE_LEAVE)])
    assert "anh chị em" not in checked.text and checked.sentences[-1].reasons == ("no citation",)


def test_a_marker_after_the_full_stop_cites_that_sentence() -> None:
    """Live, the retried notice answer wrote each line "… xác định thời hạn. [1]": the marker became a sentence
    of its own and every claim was dropped as uncited, so the answer was refused. Streamed, the same."""
    law = _source(
        1,
        "2. Khi đơn phương chấm dứt hợp đồng làm việc, người đứng đầu đơn vị sự nghiệp công lập phải báo cho viên "
        "chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không xác định thời hạn hoặc ít nhất 30 ngày đối "
        "với hợp đồng làm việc xác định thời hạn. Việc báo trước phải được thực hiện bằng văn bản.",
    )
    answer = (
        "- Đơn vị phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không xác định thời "
        "hạn. [1]\n- Việc báo trước phải được thực hiện bằng văn bản. [1]"
    )
    checked = verify(answer, [law])
    assert checked.status is Verification.VERIFIED
    assert checked.text.splitlines() == [
        "- Đơn vị phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không xác định thời "
        "hạn [1].",
        "- Việc báo trước phải được thực hiện bằng văn bản [1].",
    ]
    # each line is one checked claim with its own marker, not a claim then a marker-only "sentence"
    assert [c.markers for c in checked.sentences] == [(1,), (1,)]
    splitter, streamed = SentenceSplitter(), []
    for i in range(0, len(answer), 3):  # three characters at a time: "[", "1]" arrive apart
        streamed += splitter.push(answer[i : i + 3])
    assert streamed + splitter.finish() == split_answer_sentences(answer)
    # a marker that opens the next sentence on the same line still cites that one
    assert split_answer_sentences("Câu một [1]. [2] Câu hai.") == ["Câu một [1].", "[2] Câu hai."]


def test_a_contract_kind_named_with_khong_is_not_a_negation_the_other_kind_drops() -> None:
    """Khoản 2 Điều 29 Luật Viên chức names both kinds of contract ("… không xác định thời hạn hoặc ít nhất 30 ngày
    đối với hợp đồng làm việc xác định thời hạn"): the true claim on the fixed-term one was flagged as dropping
    the "không" of the other. A claim moving a rule to the kind its clause does not name is still flagged."""
    both = _source(
        1,
        "2. Người đứng đầu đơn vị phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không "
        "xác định thời hạn hoặc ít nhất 30 ngày đối với hợp đồng làm việc xác định thời hạn.",
    )
    fixed = verify("Đơn vị phải báo trước ít nhất 30 ngày đối với hợp đồng làm việc xác định thời hạn [1].", [both])
    assert fixed.status is Verification.VERIFIED, fixed.sentences[0].reasons
    only = _source(
        1, "4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt."
    )
    moved = verify(
        "Viên chức làm việc theo hợp đồng làm việc xác định thời hạn có quyền đơn phương chấm dứt [1].", [only]
    )
    assert not moved.sentences[0].supported and "không xác định thời hạn" in moved.sentences[0].reasons[0]


def test_a_lead_in_written_again_after_its_list_is_still_a_repeat() -> None:
    """Found with the check in context: the bench's discipline answer wrote its lead-in again after the list, under
    another marker; compared with the list before it, it passed as new and the answer ended in "… là [2]:"."""
    forms = (
        "Điều 7. Công chức bị xử lý kỷ luật bằng những hình thức là: khiển trách, cảnh cáo, cách chức, buộc thôi việc."
    )
    answer = (
        "[1] Công chức bị xử lý kỷ luật bằng những hình thức là: khiển trách, cảnh cáo, cách chức, buộc thôi việc "
        "[1].\n- Công chức bị xử lý kỷ luật bằng những hình thức là [2]:"
    )
    checked = verify(answer, [_source(1, forms), _source(2, forms)])
    assert not checked.text.rstrip().endswith(":") and checked.sentences[-1].reasons == (
        "repeats a sentence already shown",
    )


def test_a_marker_spelled_as_the_prompt_names_it_is_a_marker() -> None:
    """The prompt asks for "[số tài liệu]"; live, a follow-up's whole answer was "[số tài liệu 1] [số tài liệu 2]
    [số tài liệu 3] [số tài liệu 4]" — read as words, it was an uncited claim and the question was refused on the
    spot instead of asked again."""
    sources = [_source(1, PRIVATE_LEAVE)]
    assert verify("[số tài liệu 1] [số tài liệu 2] [Tài liệu 3]", sources).claimless
    cited = verify("Người lao động kết hôn được nghỉ 03 ngày [số tài liệu 1].", sources)
    assert cited.status is Verification.VERIFIED and cited.text.endswith("nghỉ 03 ngày [1].")


def test_a_claim_naming_another_disciplinary_measure_than_its_clause_is_not_verified() -> None:
    """The bench's "Hình thức giáng chức áp dụng với ai?": "Hình thức giáng chức áp dụng với viên chức … [2]" was
    shown as verified on Điều 18 NĐ 112/2020 — "Hình thức kỷ luật cách chức áp dụng đối với viên chức quản lý …":
    every syllable but "giáng" is in it. Terms of a closed family (assistant/data/terms_vi.tsv) are checked like
    numbers; the clause's own measure still verifies."""
    removal = _source(
        2,
        "Điều 18. Áp dụng hình thức kỷ luật cách chức đối với viên chức quản lý\nHình thức kỷ luật cách chức áp dụng "
        "đối với viên chức quản lý thuộc một trong các trường hợp sau đây:\n1. Đã bị xử lý kỷ luật bằng hình thức "
        "cảnh cáo mà tái phạm;\n4. Sử dụng giấy tờ không hợp pháp để được bổ nhiệm chức vụ.",
    )
    wrong = verify("Hình thức giáng chức áp dụng với viên chức giữ chức vụ quản lý [2].", [removal])
    assert not wrong.sentences[0].supported and "giáng chức" in wrong.sentences[0].reasons[0]
    right = verify("Hình thức kỷ luật cách chức áp dụng đối với viên chức quản lý [2].", [removal])
    assert right.status is Verification.VERIFIED
    # unmarked, it is not attributed to the clause either
    assert "giáng chức" not in verify("Hình thức giáng chức áp dụng với viên chức quản lý.", [removal]).text


SWAPS = {
    # the clause it restates says "cách chức"; the article names "giáng chức" in another clause
    "measure": (
        "1. Viên chức vi phạm bị xử lý kỷ luật bằng một trong những hình thức sau:\na) Khiển trách;\nb) Cảnh cáo;\n"
        "c) Cách chức;\nd) Buộc thôi việc.\n2. Hình thức kỷ luật cách chức áp dụng đối với viên chức quản lý thuộc "
        "một trong các trường hợp sau đây:\na) Đã bị xử lý kỷ luật bằng hình thức cảnh cáo mà tái phạm.\n"
        "3. Hình thức giáng chức không áp dụng đối với viên chức.",
        "Hình thức giáng chức áp dụng đối với viên chức quản lý thuộc các trường hợp sau [1].",
        "«giáng chức» for «cách chức»",
        "Viên chức bị xử lý kỷ luật bằng các hình thức khiển trách, cảnh cáo, cách chức [1].",
    ),
    # Luật Cán bộ, công chức's rule restated for viên chức; "viên chức" is covered by its syllables elsewhere
    "personnel": (
        "1. Công chức vi phạm quy định thì bị kỷ luật.\n2. Việc giáng chức, cách chức chỉ áp dụng đối với công chức "
        "giữ chức vụ lãnh đạo, quản lý; viên chức thì theo luật khác.",
        "Việc giáng chức chỉ áp dụng đối với viên chức giữ chức vụ lãnh đạo, quản lý [1].",
        "«viên chức» for «công chức»",
        "Việc giáng chức chỉ áp dụng đối với công chức giữ chức vụ lãnh đạo, quản lý [1].",
    ),
    # live: Khoản 2's definition of the thời hạn given as the thời hiệu, which Khoản 1 of the same article names
    "period": (
        "1. Thời hiệu xử lý kỷ luật là thời hạn mà khi hết thời hạn đó thì cán bộ, công chức có hành vi vi phạm "
        "không bị xem xét xử lý kỷ luật. Thời hiệu xử lý kỷ luật là 24 tháng, kể từ thời điểm có hành vi vi phạm.\n"
        "2. Thời hạn xử lý kỷ luật đối với cán bộ, công chức là khoảng thời gian từ khi phát hiện hành vi vi phạm "
        "kỷ luật của cán bộ, công chức đến khi có quyết định xử lý kỷ luật của cơ quan, tổ chức có thẩm quyền.",
        "Thời hiệu xử lý kỷ luật đối với công chức là khoảng thời gian từ khi phát hiện hành vi vi phạm kỷ luật của "
        "công chức đến khi có quyết định xử lý kỷ luật của cơ quan, tổ chức có thẩm quyền [1].",
        "«thời hiệu xử lý kỷ luật» for «thời hạn xử lý kỷ luật»",
        "Thời hiệu xử lý kỷ luật đối với công chức là 24 tháng, kể từ thời điểm có hành vi vi phạm [1].",
    ),
    # live: the deadline to hand records to the archive given as how long they are kept
    "archive": (
        "1. Thời hạn nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan được quy định như sau:\na) Trong thời hạn 01 năm, "
        "kể từ ngày công việc kết thúc;\nb) Trong thời hạn 03 tháng, kể từ ngày công trình được quyết toán.\n"
        "2. Hồ sơ, tài liệu có thời hạn bảo quản vĩnh viễn phải được nộp lưu.",
        "Thời hạn bảo quản hồ sơ, tài liệu là 03 tháng kể từ ngày công trình được quyết toán [1].",
        "«thời hạn bảo quản» for «thời hạn nộp lưu»",
        "Thời hạn nộp lưu hồ sơ, tài liệu là 03 tháng kể từ ngày công trình được quyết toán [1].",
    ),
    # who decides one form of commendation is not who decides another
    "award": (
        "1. Thủ tướng Chính phủ quyết định tặng Bằng khen của Thủ tướng Chính phủ.\n2. Chủ tịch nước quyết định "
        "tặng huân chương, huy chương.",
        "Thủ tướng Chính phủ quyết định tặng huân chương [1].",
        "«huân chương» for «bằng khen»",
        "Thủ tướng Chính phủ quyết định tặng Bằng khen của Thủ tướng Chính phủ [1].",
    ),
}


@pytest.mark.parametrize("case", sorted(SWAPS))
def test_a_term_swapped_for_another_of_its_family_is_flagged_even_when_the_cited_article_names_both(case: str) -> None:
    """Live, after the check above, the same answer twice: "Hình thức giáng chức áp dụng đối với viên chức quản lý
    …" verified on a source naming "giáng chức" in another clause (the clause it restates says "cách chức"), then on
    Luật Cán bộ, công chức's "… chỉ áp dụng đối với công chức …" (cán bộ, công chức and viên chức are a family of
    terms_vi.tsv). A claim naming its clause's own terms — a list's measures among them — still verifies."""
    text, swapped, reason, kept = SWAPS[case]
    checked = verify(swapped, [_source(1, text)])
    assert not checked.sentences[0].supported and checked.sentences[0].reasons[0].endswith(reason)
    assert verify(kept, [_source(1, text)]).status is Verification.VERIFIED


def test_a_malformed_terms_file_names_its_line(tmp_path: Path) -> None:
    from assistant.terms import TermLexicon

    bad = tmp_path / "terms.tsv"
    bad.write_text("# a comment\ndiscipline\tkhiển trách\ngiáng chức\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms.tsv:3: expected FAMILY<TAB>TERM"):
        TermLexicon.from_file(bad)


def test_the_acts_an_article_titled_as_forbidden_lists_answer_what_is_forbidden() -> None:
    """Live, "Những hành vi nào bị nghiêm cấm trong lĩnh vực lưu trữ?" was refused with Điều 8 Luật Lưu trữ in the
    prompt: its Khoản are the acts ("1. Chiếm đoạt, làm hỏng, làm mất tài liệu lưu trữ.") and only its title says
    "Các hành vi bị nghiêm cấm", so each item, read with the question, "said «nghiêm cấm» and the cited text did not".
    The title is now the Khoản's lead-in: the prohibition is the law's."""
    from dataclasses import replace

    text = (
        "Điều 8. Các hành vi bị nghiêm cấm\n1. Chiếm đoạt, làm hỏng, làm mất tài liệu lưu trữ.\n"
        "2. Mang tài liệu lưu trữ ra nước ngoài trái phép."
    )
    plain = _source(1, text)
    titled = replace(plain, hit=replace(plain.hit, heading_path=["Luật Lưu trữ", "Điều 8. Các hành vi bị nghiêm cấm"]))
    asked = "Những hành vi nào bị nghiêm cấm trong lĩnh vực lưu trữ?"
    answer = (
        "- Chiếm đoạt, làm hỏng, làm mất tài liệu lưu trữ [1].\n- Mang tài liệu lưu trữ ra nước ngoài trái phép [1]."
    )
    assert verify(answer, [titled], question=asked).status is Verification.VERIFIED
    untitled = replace(plain, hit=replace(plain.hit, heading_path=["Luật Lưu trữ", "Điều 8. Lưu trữ tài liệu"]))
    assert verify(answer, [untitled], question=asked).status is Verification.UNVERIFIED  # nothing says it is forbidden


def test_a_case_stated_without_the_value_its_point_gives_it_gets_that_value() -> None:
    """Live, a follow-up on marriage leave was answered "… trong trường hợp kết hôn [1]." — bound to "a) Kết hôn:
    nghỉ 03 ngày;" and verified, the days gone. The point's value after ":" is now added to the line, verbatim."""
    answer = (
        "- Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp kết hôn [1].\n"
        "- Khi con đẻ, con nuôi kết hôn được nghỉ 01 ngày [1]."
    )
    leave = _source(1, f"1. {PERSONAL_LEAVE.hit.text}\n2. Người lao động được nghỉ không hưởng lương 01 ngày.")
    v = verify(answer, [leave], question="Còn khi kết hôn thì sao?")
    lines = v.text.splitlines()
    assert lines[0].endswith("trong trường hợp kết hôn: nghỉ 03 ngày [1].") and v.status is Verification.VERIFIED
    assert lines[1] == "- Khi con đẻ, con nuôi kết hôn được nghỉ 01 ngày [1]."  # its number is there: as written
    assert v.sentences[0].text == lines[0]  # the record is what is shown
    # a piece that goes on after ";" leaves the value to the last piece
    pieces = "- Khi cha đẻ, mẹ đẻ chết [1]; vợ hoặc chồng chết [1]."
    assert verify(pieces, [leave]).text == "- Khi cha đẻ, mẹ đẻ chết [1]; vợ hoặc chồng chết: nghỉ 03 ngày [1]."


def test_a_follow_ups_words_cited_to_a_clause_without_them_are_re_cited_to_the_source_stating_them() -> None:
    """Live: "… trong trường hợp con đẻ, con nuôi kết hôn [2]." — the right case, cited to a source whose clause does
    not name "kết hôn" — was flagged, while [1]'s Điểm b states it in full. It is re-cited there, and gets its value."""
    from assistant.focus import Focus
    from assistant.verify import SentenceVerifier

    asked, before = "Còn khi con kết hôn thì sao?", "Người lao động được nghỉ việc riêng có hưởng lương khi nào?"
    leave = _source(1, f"1. {PERSONAL_LEAVE.hit.text}")
    other = _source(
        2,
        "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi con đẻ, con nuôi ốm đau nặng.\n"
        "2. Người lao động kết hôn được công đoàn tặng quà.",
    )
    v = SentenceVerifier([leave, other], question=asked, focus=Focus.of(asked, before))
    line = v.feed("- Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương khi con đẻ, con nuôi kết hôn [2].")
    assert line.endswith("khi con đẻ, con nuôi kết hôn: nghỉ 01 ngày [1].")
    assert v.checks[-1].clause is not None and v.checks[-1].clause.label == "Điểm b Khoản 1"


LEAVE_RIGHTS = _source(
    1,
    "1. Được nghỉ hằng năm, nghỉ lễ, nghỉ việc riêng theo quy định của pháp luật về lao động.\n"
    "2. Viên chức làm việc ở vùng sâu, vùng xa được gộp số ngày nghỉ phép của 03 năm để nghỉ một lần.",
    anchor="Điều 13 Luật 78/2099/QH99",
)


def test_a_figure_whose_unit_the_cited_clause_gives_another_is_not_verified() -> None:
    """Live: "nghỉ 03 ngày [1]." was shown verified, Khoản 2 Điều 13 Luật Viên chức highlighted — its 03 is "03
    năm" of leave carried over, not the 03 days of marriage leave."""
    checked = verify("Viên chức được nghỉ việc riêng khi kết hôn 03 ngày [1].", [LEAVE_RIGHTS])
    assert checked.status is Verification.UNVERIFIED
    assert any("3 ngày" in r for c in checked.sentences for r in c.reasons)
    # the same figure with the clause's own unit is what the clause states
    stated = verify("Viên chức được gộp số ngày nghỉ phép của 03 năm để nghỉ một lần [1].", [LEAVE_RIGHTS])
    assert stated.status is Verification.VERIFIED


def test_a_claim_citing_two_sources_highlights_the_one_that_states_its_figure_with_its_unit() -> None:
    """Live: "nghỉ 03 ngày [1] [2]." highlighted Khoản 2 Điều 13 Luật Viên chức ("… 03 năm …", [1], which covers
    the claim's words as well) instead of [2]'s "a) Kết hôn: nghỉ 03 ngày;"."""
    applying = _source(
        1,
        "Viên chức được nghỉ khi kết hôn theo quy định của pháp luật về lao động; số ngày nghỉ phép của 03 năm "
        "được gộp để nghỉ một lần.",
        anchor="Điều 13 Luật 78/2099/QH99",
    )
    code = _source(2, "1. Người lao động được nghỉ việc riêng trong trường hợp sau:\na) Kết hôn: nghỉ 03 ngày;")
    checked = verify("Viên chức được nghỉ 03 ngày khi kết hôn [1] [2].", [applying, code])
    (check,) = checked.sentences
    assert check.supported and check.clause is not None
    assert check.clause.marker == 2 and check.clause.quote == "a) Kết hôn: nghỉ 03 ngày;"


def test_a_rule_for_the_stamp_does_not_verify_a_claim_about_the_digital_signature() -> None:
    """Live, "Chữ ký số của cơ quan được đặt ở vị trí nào trên văn bản điện tử?" was answered "Chữ ký số của cơ quan
    được đặt ở vị trí trùm lên khoảng 1/3 chữ ký về phía bên trái trên văn bản điện tử [2]." — verified on «b) Khi
    đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.», the paper stamp's rule (the
    article names "văn bản điện tử" and "chữ ký số" in another clause)."""
    seal = _source(
        2,
        "1. Sử dụng con dấu\na) Dấu đóng phải rõ ràng, ngay ngắn, đúng chiều và dùng đúng mực dấu màu đỏ.\nb) Khi đóng "
        "dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.\n2. Thiết bị lưu khóa bí mật "
        "được sử dụng để ký số các văn bản điện tử do cơ quan ban hành; vị trí chữ ký số của cơ quan theo quy định.",
    )
    wrong = verify(
        "Chữ ký số của cơ quan được đặt ở vị trí trùm lên khoảng 1/3 chữ ký về phía bên trái trên văn bản điện tử [2].",
        [seal],
    )
    assert wrong.status is Verification.UNVERIFIED and "chữ ký số" in wrong.sentences[0].reasons[0], wrong.sentences
    right = verify("Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái [2].", [seal])
    assert right.status is Verification.VERIFIED
    both = _source(1, "h) Dấu, chữ ký số của cơ quan, tổ chức.")
    assert verify("Chữ ký số của cơ quan, tổ chức [1].", [both]).status is Verification.VERIFIED


# Written for this test after Luật Bảo hiểm xã hội 2014 Điều 41 Khoản 1, under a number no real text has.
RECOVERY = _source(
    1,
    "1. Lao động nữ ngay sau thời gian hưởng chế độ thai sản quy định tại Điều 33 của Luật này, trong khoảng thời "
    "gian 30 ngày đầu làm việc mà sức khỏe chưa phục hồi thì được nghỉ dưỡng sức, phục hồi sức khỏe.",
    anchor="Điều 41 Luật 77/2099/QH99",
)


@pytest.mark.parametrize(
    "claim",
    [
        "Lao động nữ sinh con được nghỉ bao lâu là 30 ngày đầu làm việc mà sức khỏe chưa phục hồi [1].",
        "Lao động nữ được nghỉ 30 ngày sau thời gian hưởng chế độ thai sản [1].",
    ],
)
def test_a_figure_the_law_states_as_a_condition_is_not_verified_as_what_it_grants(claim: str) -> None:
    """Live: "Lao động nữ sinh con được nghỉ bao lâu là 30 ngày đầu làm việc mà sức khỏe chưa phục hồi [1]." was
    verified — 30 ngày is the window in which the recovery leave may begin ("… thì được nghỉ dưỡng sức"), not the
    length of any leave; the leave after childbirth is 06 tháng."""
    checked = verify(claim, [RECOVERY])
    assert checked.status is not Verification.VERIFIED
    assert [r for c in checked.sentences for r in c.reasons if r.startswith(FIGURE_OF_CONDITION)]


def test_a_condition_figure_is_not_cleared_by_another_source_stating_the_same_figure_of_something_else() -> None:
    """Live, the same claim cited [1], was joined with the article [1] applies (Điều 34, whose Khoản 2 counts a
    father's leave "trong khoảng thời gian 30 ngày đầu kể từ ngày vợ sinh con", no "thì") and verified: a sentence
    stating the figure unconditionally anywhere in the cited texts had cleared it."""
    father = _source(
        2,
        "2. Thời gian nghỉ việc hưởng chế độ thai sản của lao động nam được tính trong khoảng thời gian 30 ngày đầu "
        "kể từ ngày vợ sinh con.",
        anchor="Điều 34 Luật 77/2099/QH99",
    )
    claim = "Lao động nữ sinh con được nghỉ bao lâu là 30 ngày đầu làm việc mà sức khỏe chưa phục hồi [1] [2]."
    checked = verify(claim, [RECOVERY, father])
    assert checked.status is not Verification.VERIFIED
    assert [r for c in checked.sentences for r in c.reasons if r.startswith(FIGURE_OF_CONDITION)]


def test_a_condition_restated_as_a_condition_still_verifies() -> None:
    claim = (
        "Trong khoảng thời gian 30 ngày đầu làm việc mà sức khỏe chưa phục hồi, lao động nữ được nghỉ dưỡng sức, "
        "phục hồi sức khỏe [1]."
    )
    assert verify(claim, [RECOVERY]).status is Verification.VERIFIED


# Written for this test after Luật Bảo hiểm xã hội 2014 Điều 34 Khoản 3 and Bộ luật Lao động 2019 Điều 115, under
# numbers no real text has.
NEWBORN = _source(
    1,
    "3. Trường hợp sau khi sinh con, nếu con dưới 02 tháng tuổi bị chết thì mẹ được nghỉ việc 04 tháng tính từ ngày "
    "sinh con.",
    anchor="Điều 34 Luật 58/2099/QH99",
)
BEREAVEMENT = _source(
    2,
    "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp sau đây:\n"
    "a) Kết hôn: nghỉ 03 ngày;\nb) Cha đẻ, mẹ đẻ, vợ hoặc chồng, con đẻ chết: nghỉ 03 ngày.",
    anchor="Điều 115 Bộ luật 45/2099/QH99",
)


def test_a_figure_given_for_another_case_than_the_one_asked_is_not_verified() -> None:
    """Live: asked "… bao nhiêu ngày khi cha mẹ chết?", the maternity leave when a newborn dies (04 tháng) was the
    verified answer; its case names no "cha", a word the law of the prompt uses."""
    question = "Người lao động được nghỉ việc riêng bao nhiêu ngày khi cha mẹ chết?"
    claim = "Trường hợp sau khi sinh con, nếu con dưới 02 tháng tuổi bị chết thì mẹ được nghỉ việc 04 tháng [1]."
    for said in (claim, f"3. {claim}"):  # labelled as the law's Khoản, as live: read with the question before it
        checked = verify(said, [NEWBORN, BEREAVEMENT], question=question)
        assert checked.status is not Verification.VERIFIED, said
        assert [r for c in checked.sentences for r in c.reasons if r.startswith(CASE_UNASKED)]
    # the case asked, in the law's words, verifies; so does a user's own word for it, which the law does not use
    right = "Khi cha đẻ, mẹ đẻ chết, người lao động được nghỉ 03 ngày [2]."
    assert verify(right, [NEWBORN, BEREAVEMENT], question=question).status is Verification.VERIFIED
    own_words = "Người lao động được nghỉ việc riêng bao nhiêu ngày khi bố mẹ mất?"
    assert verify(right, [NEWBORN, BEREAVEMENT], question=own_words).status is Verification.VERIFIED
    # the person the question asks about, named in its case, is no word the claim's case must hold
    applied = "Người lao động được nghỉ việc riêng bao nhiêu ngày khi người lao động kết hôn?"
    married = "Khi kết hôn, được nghỉ việc riêng 03 ngày [2]."
    assert verify(married, [NEWBORN, BEREAVEMENT], question=applied).status is Verification.VERIFIED
    # the article that says "cha" need not be in the prompt: a person the question's case names counts anyway
    alone = verify(claim, [NEWBORN], question=question)
    assert [r for c in alone.sentences for r in c.reasons if r.startswith(CASE_UNASKED)]


def test_the_prompts_marker_placeholder_written_back_is_no_claim() -> None:
    """Live: the model wrote the question back, then "[số tài liệu:" and "1]" — the prompt's own placeholder. Read
    as a claim without citation it made the answer one with claims (refused) rather than one without (asked again,
    then quoted)."""
    checked = verify("Công chức được nghỉ bao nhiêu ngày? [1]\n[số tài liệu:\n1]", [LEAVE])
    assert checked.claimless and checked.status is Verification.UNVERIFIED


FORMS = _source(
    1,
    "Điều 9. Hình thức khen thưởng\n1. Huân chương.\n2. Huy chương.\n3. Danh hiệu vinh dự nhà nước.\n4. Bằng khen.",
    anchor="Điều 9 Luật Thi đua thử nghiệm",
)
PROPOSALS = _source(
    2,
    "Điều 84. Hồ sơ đề nghị khen thưởng\n3. Trường hợp đề nghị tặng huân chương, huy chương, danh hiệu vinh dự nhà "
    "nước, bằng khen thì hồ sơ gửi cơ quan thi đua, khen thưởng trung ương trước ngày 30 tháng 6.",
    anchor="Điều 84 Luật Thi đua thử nghiệm",
)


def test_a_list_item_cited_to_a_provision_naming_it_among_more_binds_to_the_provision_that_is_that_item() -> None:
    """Live: asked the forms of commendation, "- Danh hiệu vinh dự nhà nước [3]." was verified and highlighted on
    Khoản 3 Điều 84 (a proposal procedure naming nine forms), between items bound to Điều 9's own list."""
    listed = "- Huân chương [1].\n- Danh hiệu vinh dự nhà nước [2].\n- Bằng khen [1]."
    checked = verify(listed, [FORMS, PROPOSALS])
    assert checked.status is Verification.VERIFIED
    item = next(c for c in checked.sentences if c.supported and "vinh dự" in c.text)
    assert item.markers == (1,) and item.clause is not None and item.clause.quote == "3. Danh hiệu vinh dự nhà nước."
    assert "[2]" not in checked.text
    # with no provision that is the item, it stays where the model cited it
    alone = verify("- Danh hiệu vinh dự nhà nước [2].", [PROPOSALS])
    assert alone.status is Verification.VERIFIED and alone.sentences[-1].markers == (2,)


def test_a_lead_in_whose_items_were_all_withheld_is_no_answer_it_is_asked_again_then_quoted(world: World) -> None:
    """Live: "Thời hạn bảo quản hồ sơ, tài liệu lưu trữ gồm những mức nào?" was answered "Thời hạn bảo quản hồ sơ,
    tài liệu lưu trữ gồm những mức [1]:" and nothing else (the figures after it had no marker and no source), shown
    as verified. A lead-in alone says there is a list, not what is in it: asked once more, then the clauses are
    quoted."""
    from assistant.pipeline import QUOTED_INSTEAD, Assistant
    from index.search import Searcher

    lead_only = f"{LAW} theo các mức sau [1]:\n99 năm, 77 tháng."
    llm = ScriptedLLM(lead_only)
    seen: list[str] = []
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION, on_token=seen.append)
    assert not ans.refused and ans.answer.startswith("Các quy định liên quan:")
    assert "theo các mức sau" not in ans.answer and "".join(seen) == ans.answer
    assert ans.evidence["quoted"] == QUOTED_INSTEAD and ans.evidence["retry"]
    assert LAW in ans.answer  # the provision itself, quoted


@pytest.mark.parametrize("line", ["Điều 5.2.NĐ.12.21 [2].", "Khoản 1 Điều 21 [2]:", "Điều 21."])
def test_a_line_that_only_names_a_provision_is_no_claim_and_is_not_shown(line: str) -> None:
    """Live: "Chế độ tập sự đối với viên chức được quy định như thế nào?" opened with "Điều 5.2.NĐ.12.21 [2].
    (chưa kiểm chứng)" — the pháp điển's number of the article, written back; it says where, not what."""
    source = _source(2, "Điều 21. Chế độ tập sự\n1. Người được tuyển dụng vào viên chức phải thực hiện chế độ tập sự.")
    rule = "1. Người được tuyển dụng vào viên chức phải thực hiện chế độ tập sự [2]."
    checked = verify(f"{line}\n{rule}", [source])
    assert checked.text == rule and checked.status is Verification.VERIFIED
    assert NO_CLAIM in checked.sentences[0].reasons
    # a provision named inside a claim is no such line
    assert verify("Theo Điều 21, viên chức phải thực hiện chế độ tập sự [2].", [source]).status is (
        Verification.VERIFIED
    )


BASE_TITLE = _source(
    1,
    "Điều 23. Danh hiệu “Chiến sĩ thi đua cơ sở”\nDanh hiệu “Chiến sĩ thi đua cơ sở” để tặng cho cá nhân đạt các tiêu "
    "chuẩn sau đây:\n1. Đạt tiêu chuẩn danh hiệu “Lao động tiên tiến” hoặc “Chiến sĩ tiên tiến”;\n2. Hoàn thành xuất "
    "sắc nhiệm vụ.",
)
HIGHER_TITLE = _source(
    2,
    "Điều 22. Danh hiệu chiến sĩ thi đua Bộ, ban, ngành, tỉnh\nDanh hiệu Chiến sĩ thi đua Bộ, ban, ngành, tỉnh để "
    "tặng cho cá nhân đạt các tiêu chuẩn sau đây:\na) Có thành tích xuất sắc tiêu biểu được lựa chọn trong số những cá "
    "nhân có 03 lần liên tục được tặng danh hiệu “Chiến sĩ thi đua cơ sở”;\nb) Có sáng kiến đã được áp dụng hiệu quả.",
)


def test_the_criteria_of_another_title_than_the_one_asked_are_not_shown_its_own_criteria_are() -> None:
    """Live: "Danh hiệu Chiến sĩ thi đua cơ sở được xét tặng cho ai?" listed Điều 23's criteria, then Điều 22's for
    the Bộ's title — whose item a) names the cơ sở title as a precondition. The cơ sở title's own item naming other
    titles ("Lao động tiên tiến") is its criterion, under its lead-in or under none."""
    question = "Danh hiệu Chiến sĩ thi đua cơ sở được xét tặng cho ai?"
    own = (
        "Danh hiệu Chiến sĩ thi đua cơ sở để tặng cho cá nhân đạt các tiêu chuẩn sau đây [1]:\n"
        "1. Đạt tiêu chuẩn danh hiệu “Lao động tiên tiến” hoặc “Chiến sĩ tiên tiến” [1];\n"
        "2. Hoàn thành xuất sắc nhiệm vụ [1]."
    )
    other = (
        "Danh hiệu Chiến sĩ thi đua Bộ, ban, ngành, tỉnh để tặng cho cá nhân đạt các tiêu chuẩn sau đây [2]:\n"
        "a) Có thành tích xuất sắc tiêu biểu được lựa chọn trong số những cá nhân có 03 lần liên tục được tặng danh "
        "hiệu “Chiến sĩ thi đua cơ sở” [2];\nb) Có sáng kiến đã được áp dụng hiệu quả [2]."
    )
    checked = verify(f"{own}\n{other}", [BASE_TITLE, HIGHER_TITLE], question=question)
    assert checked.text == own and checked.status is Verification.VERIFIED
    assert any("«chiến sĩ thi đua bộ»" in r for c in checked.sentences for r in c.reasons)
    alone = "Cá nhân phải đạt tiêu chuẩn danh hiệu Lao động tiên tiến hoặc Chiến sĩ tiên tiến [1]."
    assert verify(alone, [BASE_TITLE, HIGHER_TITLE], question=question).status is Verification.VERIFIED
    # asked about the Bộ's title, the same list is its answer
    higher = "Danh hiệu Chiến sĩ thi đua Bộ, ban, ngành, tỉnh được xét tặng cho ai?"
    assert verify(other, [BASE_TITLE, HIGHER_TITLE], question=higher).status is Verification.VERIFIED


ORDERS = [
    _source(
        1,
        "4. “Huân chương Độc lập” hạng Ba để tặng cho cá nhân, tập thể người Việt Nam định cư ở nước ngoài có thành "
        "tích xuất sắc đối với nước Cộng hòa xã hội chủ nghĩa Việt Nam được Bộ, ban, ngành, tỉnh công nhận và đề nghị.",
        anchor="Điều 38 Luật Thi đua thử nghiệm",
    ),
    _source(
        2,
        "6. “Huân chương Lao động” hạng Ba để tặng cho cá nhân, tập thể người Việt Nam định cư ở nước ngoài có thành "
        "tích xuất sắc đóng góp vào sự nghiệp phát triển kinh tế - xã hội được Bộ, ban, ngành, tỉnh công nhận và "
        "đề nghị.",
        anchor="Điều 44 Luật Thi đua thử nghiệm",
    ),
]


def test_criteria_restated_from_another_orders_clause_are_not_shown_for_the_order_asked() -> None:
    """Live: asked what the Huân chương Lao động hạng Ba is conferred for, a line of the answer restated Khoản 4
    Điều 38 — the Huân chương Độc lập hạng Ba's criteria — without naming the order, and was verified. A claim that
    names no member of the family asked about answers for the one its clause names."""
    question = "Huân chương Lao động hạng Ba được xét tặng cho cá nhân đạt tiêu chuẩn gì?"
    other = (
        "- Cá nhân, tập thể người Việt Nam định cư ở nước ngoài có thành tích xuất sắc đối với nước Cộng hòa xã hội "
        "chủ nghĩa Việt Nam được Bộ, ban, ngành, tỉnh công nhận và đề nghị [1]."
    )
    own = (
        "- Cá nhân, tập thể người Việt Nam định cư ở nước ngoài có thành tích xuất sắc đóng góp vào sự nghiệp phát "
        "triển kinh tế - xã hội được Bộ, ban, ngành, tỉnh công nhận và đề nghị [2]."
    )
    checked = verify(f"{other}\n{own}", ORDERS, question=question)
    assert checked.text == own and checked.status is Verification.VERIFIED
    assert any("«huân chương độc lập»" in r for c in checked.sentences for r in c.reasons)
    # asked about the Huân chương Độc lập, the same line is its answer
    asked = "Huân chương Độc lập hạng Ba được xét tặng cho ai?"
    assert verify(other, ORDERS, question=asked).status is Verification.VERIFIED


def test_a_duration_is_not_verified_on_the_same_figure_given_as_an_age() -> None:
    """Live: "Người lao động nữ sinh con được nghỉ thai sản bao lâu là 06 tháng [1]." was verified on "… nhận nuôi
    con nuôi dưới 06 tháng tuổi phải có giấy chứng nhận …": half its words and its "06 tháng" are there, but as a
    child's age. The age written short, after the same word, is still the law's."""
    adoption = _source(1, "3. Trường hợp người lao động nhận nuôi con nuôi dưới 06 tháng tuổi phải có giấy chứng nhận.")
    question = "Người lao động nữ sinh con được nghỉ thai sản bao lâu?"
    claim = "Người lao động nữ sinh con được nghỉ thai sản bao lâu là 06 tháng [1]."
    checked = verify(claim, [adoption], question=question)
    assert checked.status is not Verification.VERIFIED
    assert any("6 tháng" in r for c in checked.sentences for r in c.reasons)
    short = "Người lao động nhận nuôi con nuôi dưới 06 tháng phải có giấy chứng nhận [1]."
    assert verify(short, [adoption]).status is Verification.VERIFIED


def test_a_lead_in_restating_the_laws_lead_in_is_not_flagged_for_a_negation_in_an_item_under_it() -> None:
    """Live: "Tài liệu lưu trữ thuộc Danh mục tài liệu hạn chế sử dụng có một trong các đặc điểm sau đây [1]:" —
    Khoản 2 Điều 30 Luật Lưu trữ's lead-in ("Tài liệu hạn chế sử dụng có …") in Điểm a's words — was flagged
    "(chưa kiểm chứng)" for the "không thuộc Danh mục …" of Điểm a, which shares more of its words than the other
    items. A lead-in that adds a negation is still flagged."""
    restricted = _source(
        1,
        "2. Tài liệu hạn chế sử dụng có một trong các đặc điểm sau đây:\n"
        "a) Tài liệu lưu trữ không thuộc Danh mục tài liệu có đóng dấu chỉ các mức độ mật nhưng có nội dung thông "
        "tin nếu sử dụng rộng rãi có thể ảnh hưởng nghiêm trọng đến lợi ích của Nhà nước;\n"
        "b) Tài liệu lưu trữ bị hư hỏng nặng chưa được tu bổ, phục chế.",
    )
    question = "Tài liệu lưu trữ nào được sử dụng hạn chế?"
    lead = "Tài liệu lưu trữ thuộc Danh mục tài liệu hạn chế sử dụng có một trong các đặc điểm sau đây [1]:"
    answer = f"{lead}\nb) Tài liệu lưu trữ bị hư hỏng nặng chưa được tu bổ, phục chế [1]."
    checked = verify(answer, [restricted], question=question)
    assert checked.status is Verification.VERIFIED and FLAG not in checked.text
    turned = lead.replace("thuộc Danh mục", "không thuộc Danh mục")
    assert (
        verify(
            f"{turned}\nb) Tài liệu lưu trữ bị hư hỏng nặng chưa được tu bổ, phục chế [1].",
            [restricted],
            question=question,
        ).status
        is not Verification.VERIFIED
    )


def test_a_quote_cut_short_in_the_middle_of_the_laws_sentence_is_completed_with_the_laws_words() -> None:
    """Live: the answer on severance pay ended "- Đối với thời gian công tác của viên chức từ ngày 01 tháng 01 năm
    2009 đến nay được thực hiện theo quy định [1]", verified — the law goes on "… của pháp luật về trợ cấp thất
    nghiệp.", and a reference cut short points nowhere. The same holds for a figure cut off ("… 08 giờ trong 01
    ngày" where the law goes on "và không quá 48 giờ trong 01 tuần")."""
    severance = _source(
        1,
        "2. Đối với thời gian công tác của viên chức từ ngày 01 tháng 01 năm 2009 đến nay được thực hiện theo quy "
        "định của pháp luật về trợ cấp thất nghiệp.",
    )
    cut = (
        "- Đối với thời gian công tác của viên chức từ ngày 01 tháng 01 năm 2009 đến nay được thực hiện theo quy "
        "định [1]"
    )
    checked = verify(cut, [severance])
    assert checked.status is Verification.VERIFIED
    assert checked.text.endswith("theo quy định của pháp luật về trợ cấp thất nghiệp [1]")
    hours = _source(
        1, "1. Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần."
    )
    day = verify("Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày [1].", [hours])
    assert (
        day.text
        == "Thời giờ làm việc bình thường không quá 08 giờ trong 01 ngày và không quá 48 giờ trong 01 tuần [1]."
    )
    whole = "Thời giờ làm việc bình thường không quá 48 giờ trong 01 tuần [1]."
    assert verify(whole, [hours]).text == whole


def test_a_line_saying_again_part_of_a_line_shown_is_not_shown_a_lettered_item_is() -> None:
    """Live: after the Huân chương Lao động hạng Ba's whole criterion, the answer went on "- Cá nhân, tập thể người
    Việt Nam định cư ở nước ngoài, cá nhân, tập thể người Việt Nam định cư [2]" — a garbled piece of it, verified.
    A line all of whose words a line shown already says adds nothing; a lettered item of the law's list stays."""
    criterion = ORDERS[1]
    whole = (
        "- Cá nhân, tập thể người Việt Nam định cư ở nước ngoài có thành tích xuất sắc đóng góp vào sự nghiệp phát "
        "triển kinh tế - xã hội được Bộ, ban, ngành, tỉnh công nhận và đề nghị [2]."
    )
    garbled = "- Cá nhân, tập thể người Việt Nam định cư ở nước ngoài, cá nhân, tập thể người Việt Nam định cư [2]"
    checked = verify(f"{whole}\n{garbled}", [ORDERS[0], criterion])
    assert checked.text == whole
    assert any(c.reasons == ("repeats a sentence already shown",) for c in checked.sentences)
    leave = _source(
        1,
        "2. Lao động nam được nghỉ 05 ngày làm việc khi vợ sinh con, như sau:\na) 05 ngày làm việc;\n"
        "b) 07 ngày làm việc khi vợ sinh con phải phẫu thuật.",
    )
    listed = (
        "Lao động nam được nghỉ 05 ngày làm việc khi vợ sinh con, như sau [1]:\na) 05 ngày làm việc [1];\n"
        "b) 07 ngày làm việc khi vợ sinh con phải phẫu thuật [1]."
    )
    assert verify(listed, [leave]).text == listed


def test_an_answer_giving_no_figure_to_a_how_many_question_is_held_and_the_provisions_asked_are_quoted(
    world: World,
) -> None:
    """Live: "Người lao động nữ sinh con được nghỉ thai sản bao lâu?" was answered, verified, with Khoản 1 Điều 31
    Luật Bảo hiểm xã hội's list of who is entitled to maternity benefits: every item true, cited, and no length of
    leave anywhere. An answer to "bao lâu" / "bao nhiêu tờ" that states no figure answers another question; the
    same answer asked how the seal is placed streams as written. The provision stating the figure asked is quoted:
    the seal rule's lead-in with the one item that states it (every source holding the words, quoted whole, had left
    the reader to find "05 tờ" among them)."""
    from assistant.pipeline import Assistant
    from index.search import Searcher

    placed = "Dấu được đóng vào khoảng giữa mép phải của văn bản hoặc phụ lục văn bản [1]."
    question = "Mỗi dấu giáp lai được đóng tối đa bao nhiêu tờ văn bản?"
    seen: list[str] = []
    llm = ScriptedLLM(placed)
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(question, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer.splitlines()[1:] == ["b) Mỗi dấu đóng tối đa 05 tờ văn bản [1]."], ans.answer
    assert ans.answer.startswith("Việc đóng dấu giáp lai") and "".join(seen) == ans.answer
    assert ans.evidence["figures"].startswith("the answer and its cited articles' headings do not speak of «tối đa")
    assert "quoted" not in ans.evidence
    asked = "Dấu giáp lai được đóng ở vị trí nào?"
    seen.clear()
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: ScriptedLLM(placed)).ask(
        asked, on_token=seen.append
    )
    assert ans.answer.startswith("Dấu được đóng vào khoảng giữa mép phải") and "quoted" not in (ans.evidence or {})


def test_an_age_is_no_answer_to_how_long() -> None:
    """Live, the maternity-leave answer that listed who is entitled had one figure: "d) Người lao động nhận nuôi con
    nuôi dưới 06 tháng tuổi" — an age, which says nothing of how long the leave lasts."""
    from types import SimpleNamespace

    from assistant.references import off_matter

    entitled = SimpleNamespace(
        hit=SimpleNamespace(heading_path=["Điều 31. Điều kiện hưởng chế độ thai sản"], text="1. Người lao động …")
    )
    question = "Người lao động nữ sinh con được nghỉ thai sản bao lâu?"
    listed = "b) Lao động nữ sinh con [4];\nd) Người lao động nhận nuôi con nuôi dưới 06 tháng tuổi [4];"
    off = off_matter(question, listed, [entitled])
    assert off is not None and off.missing == ("bao lâu",)
    assert off_matter(question, "Lao động nữ sinh con được nghỉ thai sản 06 tháng [4].", [entitled]) is None


def test_the_rule_for_when_the_act_may_be_done_is_no_answer_to_when_it_may_not() -> None:
    """Live: "Khi nào người lao động không được từ chối làm thêm giờ?" was answered, verified, with Điều 107 Bộ luật
    Lao động's conditions for overtime (every one true) — the cases where the worker may not refuse, Điều 108, were
    [1]. A question for what may NOT be done is answered only by text, or cited lead-ins, that state the act with
    that negation for the person asked; "Khi nào" before the person is no part of who is asked about."""
    from types import SimpleNamespace

    from assistant.context import asked_claim
    from assistant.references import off_matter

    def src(heading: str, text: str) -> Any:
        return SimpleNamespace(hit=SimpleNamespace(heading_path=[heading], text=text))

    question = "Khi nào người lao động không được từ chối làm thêm giờ?"
    claim = asked_claim(question)
    assert claim is not None and claim[0] == frozenset({"lao", "dong"}) and claim[2]
    overtime = src(
        "Điều 107. Làm thêm giờ",
        "2. Người sử dụng lao động được sử dụng người lao động làm thêm giờ khi đáp ứng đầy đủ các yêu cầu sau đây:",
    )
    answer = "a) Phải được sự đồng ý của người lao động [2];"
    off = off_matter(question, answer, [overtime])
    assert off is not None and off.missing == ("không được từ chối",)
    special = src(
        "Điều 108. Làm thêm giờ trong trường hợp đặc biệt",
        "Người sử dụng lao động có quyền yêu cầu người lao động làm thêm giờ vào bất kỳ ngày nào và người lao động "
        "không được từ chối trong trường hợp sau đây:",
    )
    assert (
        off_matter(question, "a) Thực hiện lệnh động viên, huy động bảo đảm nhiệm vụ quốc phòng [1];", [special])
        is None
    )
    # the answer's own words may say it too
    said = "Người lao động không được từ chối làm thêm giờ khi thực hiện lệnh động viên [2]."
    assert off_matter(question, said, [overtime]) is None
    # a question without the negation is not held to it
    assert off_matter("Khi nào người lao động được làm thêm giờ?", answer, [overtime]) is None


SICK_LEAVE = _source(
    1,
    "1. Thời gian tối đa hưởng chế độ ốm đau trong một năm đối với người lao động tính theo ngày làm việc như sau:\n"
    "a) Làm việc trong điều kiện bình thường thì được hưởng 30 ngày nếu đã đóng bảo hiểm xã hội dưới 15 năm; 40 ngày "
    "nếu đã đóng từ đủ 15 năm đến dưới 30 năm; 60 ngày nếu đã đóng từ đủ 30 năm trở lên;",
)


def test_a_figure_the_law_gives_only_on_a_condition_is_not_verified_stated_without_it() -> None:
    """Live: "Người lao động bị ốm đau được hưởng chế độ ốm đau tối đa 30 ngày trong một năm [1]." was verified on
    Khoản 1 Điều 26 Luật Bảo hiểm xã hội: 30 ngày is for those who have paid in for under 15 years; 40 and 60 ngày
    for longer. Named with its condition — by the claim or by the question it answers — the figure stands."""
    question = "Người lao động bị ốm đau được hưởng chế độ ốm đau tối đa bao nhiêu ngày trong một năm?"
    flat = "Người lao động bị ốm đau được hưởng chế độ ốm đau tối đa 30 ngày trong một năm [1]."
    checked = verify(flat, [SICK_LEAVE], question=question)
    assert checked.status is not Verification.VERIFIED
    assert checked.misstated.endswith("dưới 15 năm»): 30 ngày")  # the pipeline quotes the provision instead
    whole = "Người lao động được hưởng 30 ngày nếu đã đóng bảo hiểm xã hội dưới 15 năm [1]."
    assert verify(whole, [SICK_LEAVE], question=question).status is Verification.VERIFIED
    asked = "Người lao động đã đóng bảo hiểm xã hội 10 năm, dưới 15 năm, được nghỉ ốm tối đa bao nhiêu ngày?"
    assert verify("Người lao động được hưởng tối đa 30 ngày [1].", [SICK_LEAVE], question=asked).status is (
        Verification.VERIFIED
    )


SUSPENSION = _source(
    1,
    "1. Cơ quan quản lý cán bộ, công chức có thể ra quyết định tạm đình chỉ công tác trong thời gian xem xét, xử lý kỷ "
    "luật cán bộ, công chức. Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài "
    "thêm nhưng tối đa không quá 15 ngày; hết thời hạn tạm đình chỉ công tác thì được bố trí làm việc ở vị trí cũ.",
)
SUSPENSION_ASKED = "Thời hạn tạm đình chỉ công tác đối với công chức là bao lâu?"


def test_a_figure_the_law_states_only_in_a_case_it_opens_before_it_is_not_verified_stated_without_the_case() -> None:
    """Live: the extension's "tối đa không quá 15 ngày" of Khoản 1 Điều 81 Luật Cán bộ, công chức — "trường hợp cần
    thiết có thể kéo dài thêm nhưng tối đa không quá 15 ngày" — was verified as the suspension's whole length, which
    a lawyer reads as 15 days at most where the law allows 30. The statement a claim's figure was taken from (its
    words before the figure) must have its case named."""
    claim = "Thời hạn tạm đình chỉ công tác đối với công chức là bao lâu là 15 ngày, tối đa không quá 15 ngày [1]."
    checked = verify(claim, [SUSPENSION], question=SUSPENSION_ASKED)
    assert checked.status is Verification.UNVERIFIED
    assert checked.misstated.endswith("kéo dài thêm nhưng tối đa không quá»): 15 ngày")  # the provision is quoted


@pytest.mark.parametrize(
    "claim",
    [
        "Thời hạn tạm đình chỉ công tác không quá 15 ngày [1].",
        "Trường hợp cần thiết, thời hạn tạm đình chỉ có thể kéo dài thêm tối đa 15 ngày [1].",
        # (live too, as the index changed: the case named, in a few of its words)
        "Thời hạn tạm đình chỉ công tác đối với công chức là 15 ngày, tối đa 15 ngày nếu cần thiết [1].",
        "Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không "
        "quá 15 ngày [1].",
    ],
)
def test_a_figure_stated_with_its_case_or_from_the_statement_without_one_still_verifies(claim: str) -> None:
    assert verify(claim, [SUSPENSION], question=SUSPENSION_ASKED).status is Verification.VERIFIED


def test_a_figure_describing_the_case_itself_is_not_a_case_dropped() -> None:
    # the highlight set's vc-07: the figure is the excepted case's own ("trừ trường hợp đã có thời gian từ đủ 12
    # tháng trở lên …"), and the claim restates that case; and a long case named in a few words (cb-09)
    probation = _source(
        1,
        "1. Người trúng tuyển viên chức phải thực hiện chế độ tập sự, trừ trường hợp đã có thời gian từ đủ 12 tháng "
        "trở lên thực hiện chuyên môn, nghiệp vụ phù hợp với yêu cầu của vị trí việc làm được tuyển dụng.",
    )
    claim = "Người trúng tuyển đã có từ đủ 12 tháng trở lên làm chuyên môn phù hợp thì không phải tập sự [1]."
    assert verify(claim, [probation]).status is Verification.VERIFIED
    complex_case = _source(
        1,
        "2. Trường hợp vụ việc có những tình tiết phức tạp cần có thời gian thanh tra, kiểm tra để xác minh làm rõ "
        "thêm thì thời hạn xử lý kỷ luật có thể kéo dài nhưng tối đa không quá 04 tháng.",
    )
    claim = "Với vụ việc phức tạp, thời hạn xử lý kỷ luật có thể kéo dài nhưng tối đa không quá 04 tháng [1]."
    assert verify(claim, [complex_case]).status is Verification.VERIFIED


def test_the_provision_quoted_for_a_figure_is_the_sentence_of_its_clause_that_states_it() -> None:
    """The quote that replaced the withheld claim above was the whole Khoản — who may suspend, for how long, and what
    follows —: the sentence stating the figure asked is quoted, verbatim, and verified."""
    from assistant.figures import quote_figures

    quote = quote_figures(SUSPENSION_ASKED, [SUSPENSION])
    assert quote == (
        "Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không "
        "quá 15 ngày [1];"
    )
    assert verify(quote, [SUSPENSION], question=SUSPENSION_ASKED).status is Verification.VERIFIED


def test_a_figure_given_to_what_its_provision_does_not_name_is_not_verified() -> None:
    """Live: "Thời gian thử việc tối đa là bao lâu?" was answered "Thời gian thử việc tối đa là 02 năm [1]." on
    Điều 155 Bộ luật Lao động — the work permit's term, "Thời hạn của giấy phép lao động tối đa là 02 năm …" —
    verified: half its words and the figure were there. The cited text stating a claim's figure must name what the
    claim gives it to; a claim naming it as the law does still verifies."""
    text = "Thời hạn của giấy phép lao động tối đa là 02 năm, trường hợp gia hạn thì chỉ được gia hạn một lần."
    permit = _source(1, text, "Điều 155 Bộ luật Lao động 45/2099/QH99")
    permit = replace(permit, hit=replace(permit.hit, heading_path=["Bộ luật", "Điều 155. Thời hạn của giấy phép"]))
    checked = verify("- Thời gian thử việc tối đa là 02 năm [1].", [permit], question="Thời gian thử việc tối đa?")
    assert checked.status is Verification.UNVERIFIED
    assert [r for c in checked.sentences for r in c.reasons if r.startswith(FIGURE_NAMED_OTHERWISE)], checked
    own = "Thời hạn của giấy phép lao động tối đa là 02 năm [1]."
    assert verify(own, [permit], question="Giấy phép lao động có thời hạn bao lâu?").status is Verification.VERIFIED


def test_an_item_cited_to_another_titles_provision_is_recited_to_the_asked_titles_one_that_states_it() -> None:
    """Live: asked who gets the "Lao động tiên tiến", "a) Hoàn thành tốt nhiệm vụ trở lên [1];" was cited to Điều
    28, the collective title's criteria, and withheld as about another title — while [2], Điều 24, states it for the
    title asked. The list went on at b). The item now binds to [2]."""
    collective = _source(
        1,
        "1. Danh hiệu “Tập thể lao động tiên tiến” được xét tặng cho tập thể đạt các tiêu chuẩn sau đây:\n"
        "a) Hoàn thành tốt nhiệm vụ trở lên;\nb) Có phong trào thi đua thường xuyên.",
    )
    own = _source(
        2,
        "1. Danh hiệu “Lao động tiên tiến” được xét tặng cho cán bộ, công chức đạt các tiêu chuẩn sau đây:\n"
        "a) Hoàn thành tốt nhiệm vụ trở lên;\nb) Có tinh thần tự lực, tự cường, đoàn kết.",
    )
    question = "Danh hiệu Lao động tiên tiến được xét tặng cho ai?"
    answer = "a) Hoàn thành tốt nhiệm vụ trở lên [1];\nb) Có tinh thần tự lực, tự cường, đoàn kết [2]."
    checked = verify(answer, [collective, own], question=question)
    assert checked.text == "a) Hoàn thành tốt nhiệm vụ trở lên [2];\nb) Có tinh thần tự lực, tự cường, đoàn kết [2]."
    assert checked.status is Verification.VERIFIED


def test_a_worker_named_by_sex_is_the_worker_a_question_asks_about_and_their_figure_is_quoted() -> None:
    """Live: asked "Người lao động nữ sinh con được nghỉ thai sản bao lâu?", the model's claim was withheld and no
    provision was quoted: Điều 34's "Lao động nữ sinh con được nghỉ việc hưởng chế độ thai sản … là 06 tháng" was
    read as naming no người lao động, the person asked (assistant/data/actors_vi.tsv had no "lao động nữ")."""
    from types import SimpleNamespace

    from assistant.actor import ActorLexicon
    from assistant.figures import quote_figures

    actors = ActorLexicon.default()
    asked = actors.person_asked("Người lao động nữ sinh con được nghỉ thai sản bao lâu?")
    assert asked is not None and actors.names_person("1. Lao động nữ sinh con được nghỉ …", asked[0])
    leave = SimpleNamespace(
        marker=2,
        hit=SimpleNamespace(
            text="1. Lao động nữ sinh con được nghỉ việc hưởng chế độ thai sản trước và sau khi sinh con là 06 tháng.",
            heading_path=["Luật Bảo hiểm xã hội", "Điều 34. Thời gian hưởng chế độ khi sinh con"],
        ),
    )
    quoted = quote_figures("Người lao động nữ sinh con được nghỉ thai sản bao lâu?", [leave])
    assert (
        quoted
        == "1. Lao động nữ sinh con được nghỉ việc hưởng chế độ thai sản trước và sau khi sinh con là 06 tháng [2]."
    )


PROBATION_SPELLS = _source(
    1,
    "2. Thời gian tập sự được quy định như sau:\n"
    "a) 12 tháng đối với trường hợp tuyển dụng vào chức danh nghề nghiệp có yêu cầu tiêu chuẩn trình độ đào tạo đại "
    "học. Riêng đối với chức danh nghề nghiệp bác sĩ là 09 tháng;\n"
    "b) 09 tháng đối với trường hợp tuyển dụng vào chức danh nghề nghiệp có yêu cầu tiêu chuẩn trình độ đào tạo cao "
    "đẳng;\n"
    "Trường hợp người tập sự nghỉ ốm đau hoặc có lý do chính đáng dưới 14 ngày mà được người đứng đầu đơn vị đồng ý "
    "thì thời gian này được tính vào thời gian tập sự.",
)


def test_a_value_given_to_a_case_whose_own_figure_is_another_provisions_is_not_verified() -> None:
    """Live: "- Thời gian tập sự của viên chức là 12 tháng đối với trường hợp người tập sự nghỉ ốm đau hoặc có lý do
    chính đáng dưới 14 ngày mà được người đứng đầu … đồng ý [1]." was verified on Điều 21 Nghị định 115/2020: the
    12 tháng is Điểm a's (a university degree), the sick days under 14 are counted in, not 12 months. No one provision
    states both 12 and 14, so the case check had nothing to read; the case's own figure (14) describes the case, the
    value (12) must come from a provision naming it."""
    question = "Thời gian tập sự của viên chức là bao lâu?"
    stitched = (
        "- Thời gian tập sự của viên chức là 12 tháng đối với trường hợp người tập sự nghỉ ốm đau hoặc có lý do "
        "chính đáng dưới 14 ngày mà được người đứng đầu đơn vị đồng ý [1]."
    )
    checked = verify(stitched, [PROBATION_SPELLS], question=question)
    assert checked.status is not Verification.VERIFIED
    assert any(r.startswith(CASE_ELSEWHERE) for c in checked.sentences for r in c.reasons)
    own = "- Thời gian tập sự là 09 tháng đối với trường hợp tuyển dụng vào chức danh nghề nghiệp yêu cầu cao đẳng [1]."
    assert verify(own, [PROBATION_SPELLS], question=question).status is Verification.VERIFIED


def test_a_rule_for_incoming_documents_is_not_shown_for_a_question_on_outgoing_ones() -> None:
    """Live: asked "Văn bản đi phải được đăng ký như thế nào?", the answer went on "- Đăng ký văn bản đến phải bảo đảm
    đầy đủ, rõ ràng, chính xác …" (Điều 22 Nghị định 30/2020, the incoming documents' rule), verified beside Điều 16's.
    Which way a document goes is a term family (`direction`) the question names."""
    outgoing = _source(1, "1. Việc đăng ký văn bản đi phải bảo đảm đầy đủ, chính xác các thông tin cần thiết.")
    incoming = _source(2, "1. Đăng ký văn bản đến phải bảo đảm đầy đủ, rõ ràng, chính xác các thông tin cần thiết.")
    own = "- Việc đăng ký văn bản đi phải bảo đảm đầy đủ, chính xác các thông tin cần thiết [1]."
    other = "- Đăng ký văn bản đến phải bảo đảm đầy đủ, rõ ràng, chính xác các thông tin cần thiết [2]."
    checked = verify(f"{own}\n{other}", [outgoing, incoming], question="Văn bản đi phải được đăng ký như thế nào?")
    assert checked.text == own and checked.status is Verification.VERIFIED
    assert any("«văn bản đến»" in r for c in checked.sentences for r in c.reasons)


def test_a_few_words_that_begin_a_provision_are_not_completed_into_it() -> None:
    """Live: the model wrote "- Đăng ký văn bản [2]" (four syllables) and the completion of quotes cut short made it
    Điều 22's rule for incoming documents, "Đăng ký văn bản đến phải bảo đảm …", shown verified for a question on
    outgoing ones. A run of fewer than `CUT_MIN_WORDS` syllables may begin many a provision: it is left as written."""
    from assistant.verify import CUT_MIN_WORDS

    incoming = _source(
        2,
        "1. Đăng ký văn bản đến phải bảo đảm đầy đủ, rõ ràng, chính xác các thông tin cần thiết.\n"
        "3. Đăng ký văn bản\nVăn bản được đăng ký bằng sổ hoặc bằng Hệ thống.",
    )
    outgoing = _source(1, "1. Việc đăng ký văn bản đi phải bảo đảm đầy đủ, chính xác các thông tin cần thiết.")
    checked = verify("- Đăng ký văn bản [2]", [outgoing, incoming], question="Văn bản đi được đăng ký thế nào?")
    assert "văn bản đến" not in checked.text and len("Đăng ký văn bản".split()) < CUT_MIN_WORDS


def test_a_lead_in_whose_words_a_shown_line_holds_with_a_negation_is_still_shown() -> None:
    """Live: "Áp dụng đối với viên chức quản lý [2]" was dropped as saying again part of "Áp dụng đối với viên chức
    không giữ chức vụ quản lý a) Khiển trách [2]" — every word of it is there, but with "không" — and the second
    list's "c) Cách chức" was shown under the first list's lead-in."""
    forms = _source(
        2,
        "1. Áp dụng đối với viên chức không giữ chức vụ quản lý\na) Khiển trách;\nb) Cảnh cáo;\nc) Buộc thôi việc.\n"
        "2. Áp dụng đối với viên chức quản lý\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức;\nd) Buộc thôi việc.",
    )
    answer = (
        "Áp dụng đối với viên chức không giữ chức vụ quản lý [2]:\na) Khiển trách [2];\nb) Cảnh cáo [2];\n"
        "c) Buộc thôi việc [2].\nÁp dụng đối với viên chức quản lý [2]:\nc) Cách chức [2]."
    )
    checked = verify(answer, [forms], question="Viên chức bị kỷ luật bằng những hình thức nào?")
    assert "Áp dụng đối với viên chức quản lý [2]:\nc) Cách chức [2]." in checked.text


def test_an_item_of_a_second_list_is_no_repeat_of_the_same_item_of_the_first() -> None:
    """Live: the viên chức's forms of discipline came as two lists — "Áp dụng đối với viên chức không giữ chức vụ quản
    lý" a) b) c), then "Áp dụng đối với viên chức quản lý" a) b) c) d) — and the second list's "a) Khiển trách", "b)
    Cảnh cáo", "d) Buộc thôi việc" were dropped as repeats: the managers' list showed "c) Cách chức" alone. The same
    list written twice under one lead-in is still shown once."""
    forms = _source(
        2,
        "1. Áp dụng đối với viên chức không giữ chức vụ quản lý\na) Khiển trách;\nb) Cảnh cáo;\nc) Buộc thôi việc.\n"
        "2. Áp dụng đối với viên chức quản lý\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức;\nd) Buộc thôi việc.",
    )
    items = "a) Khiển trách [2].\nb) Cảnh cáo [2].\n"
    second = f"Áp dụng đối với viên chức quản lý [2]\n{items}c) Cách chức [2].\nd) Buộc thôi việc [2]."
    first = f"Áp dụng đối với viên chức không giữ chức vụ quản lý [2]\n{items}c) Buộc thôi việc [2]."
    checked = verify(f"{first}\n{second}", [forms], question="Viên chức bị kỷ luật bằng những hình thức nào?")
    assert checked.text.endswith(second), checked.text
    looped = verify(f"{first}\n{first}", [forms], question="Viên chức bị kỷ luật bằng những hình thức nào?")
    assert looped.text == first


def test_a_claim_pointing_to_a_point_the_cited_law_does_not_have_is_flagged() -> None:
    """Live: "- Người sử dụng lao động được đơn phương chấm dứt hợp đồng lao động trong trường hợp quy định tại điểm f
    khoản 1 Điều này [1]." went out verified on Điều 36 Bộ luật Lao động: every word is the law's, but its points run
    a, b, c, d, đ, e, g — there is no "điểm f" (a number is checked; a point's letter was not). Flagged, as a claim
    with a number the law does not state is."""
    law = _source(
        1,
        "1. Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng lao động trong trường hợp sau đây:\n"
        "a) Người lao động thường xuyên không hoàn thành công việc;\nd) Người lao động không có mặt tại nơi làm việc;\n"
        "e) Người lao động tự ý bỏ việc;\ng) Người lao động cung cấp không trung thực thông tin.\n"
        "3. Khi đơn phương chấm dứt hợp đồng lao động quy định tại điểm d và điểm e khoản 1 Điều này thì người sử "
        "dụng lao động không phải báo trước cho người lao động.",
    )
    stem = "- Người sử dụng lao động được đơn phương chấm dứt hợp đồng lao động trong trường hợp quy định tại"
    kept = f"{stem} điểm d và điểm e khoản 1 Điều này [1]."
    checked = verify(f"{kept}\n{stem} điểm f khoản 1 Điều này [1].", [law])
    assert checked.text.splitlines()[0] == kept and checked.text.endswith(f"điểm f khoản 1 Điều này [1].{FLAG}")
    assert checked.status is Verification.PARTIALLY_VERIFIED
    assert any(r == "points not in the cited text: điểm f" for c in checked.sentences for r in c.reasons)


def test_a_claim_pointing_to_an_article_neither_cited_nor_referred_to_is_not_verified() -> None:
    """Live (BM25 demo): "- Viên chức quản lý bị kỷ luật bằng một trong các hình thức quy định tại khoản 1 Điều 1
    này còn có thể bị hạn chế …" went out verified on Khoản 3 Điều 15 Nghị định 112/2020, "… quy định tại Điều
    này …": its "1" was there, as Khoản 1's label, and an article's number was not checked."""
    law = _source(
        2,
        "1. Áp dụng đối với viên chức không giữ chức vụ quản lý:\na) Khiển trách;\nb) Cảnh cáo;\nc) Buộc thôi việc.\n"
        "3. Viên chức bị kỷ luật bằng một trong các hình thức quy định tại Điều này còn có thể bị hạn chế thực hiện "
        "hoạt động nghề nghiệp theo quy định của pháp luật có liên quan.",
    )
    stem = "Viên chức bị kỷ luật bằng một trong các hình thức quy định tại"
    rest = "còn có thể bị hạn chế thực hiện hoạt động nghề nghiệp theo quy định của pháp luật có liên quan [2]."
    wrong = verify(f"- {stem} khoản 1 Điều 1 này {rest}", [law])
    assert wrong.status is not Verification.VERIFIED
    assert any("Điều 1" in r for c in wrong.sentences for r in c.reasons if r.startswith(ARTICLES_MISSING))
    # the law's own words, and the source's own article named by its number, stay verified
    assert verify(f"- {stem} Điều này {rest}", [law]).status is Verification.VERIFIED
    assert verify(f"- Theo Điều 2, {stem[0].lower()}{stem[1:]} Điều này {rest}", [law]).status is Verification.VERIFIED

def test_an_unmarked_quote_that_names_its_law_by_number_is_kept_and_cited() -> None:
    """Live: "Trong quy định của Bộ luật Lao động 45/2019/QH14, khi hợp đồng lao động chấm dứt …, người sử dụng lao
    động có trách nhiệm trả trợ cấp thôi việc …" — Điều 46, word for word, written without a marker — was dropped as
    uncited and the answer refused: the law's number (its metadata) was looked for in its text as a figure."""
    unmarked = "Trong quy định của Luật 77/2099/QH99, thời gian thử việc của viên chức từ 03 tháng đến 12 tháng."
    checked = verify(unmarked, SOURCES)
    assert checked.text == unmarked[:-1] + " [1]." and checked.status is Verification.VERIFIED
    # another law's number is still a figure the cited text must state
    other = "Trong quy định của Luật 88/2098/QH98, thời gian thử việc của viên chức từ 03 tháng đến 12 tháng."
    assert verify(other, SOURCES).text == ""


def test_how_long_a_unit_may_hold_back_a_record_is_not_how_long_it_is_kept() -> None:
    """Live: "Thời hạn bảo quản hồ sơ, tài liệu như thế nào?" was answered, verified, with Khoản 2 Điều 11 Luật Lưu
    trữ: a unit may hold back a record due for the archive for no more than 02 năm. That is another period of the
    same records (`archive_period` in assistant/data/terms_vi.tsv), as the nộp lưu deadline is."""
    law = _source(
        1,
        "2. Trường hợp đơn vị, cá nhân có nhu cầu giữ lại hồ sơ, tài liệu đã đến hạn nộp lưu để phục vụ công việc thì "
        "phải được người đứng đầu cơ quan, tổ chức đồng ý. Thời gian giữ lại hồ sơ, tài liệu của đơn vị, cá nhân không "
        "quá 02 năm, kể từ ngày đến hạn nộp lưu.",
    )
    claim = "Thời hạn giữ lại hồ sơ, tài liệu của đơn vị, cá nhân không quá 02 năm kể từ ngày đến hạn nộp lưu [1]."
    asked = verify(claim, [law], question="Thời hạn bảo quản hồ sơ, tài liệu như thế nào?")
    assert asked.status is not Verification.VERIFIED and "02 năm" not in asked.text
    # nor under a lead-in of the model's own that restates the question and no source states (live: the items under
    # "Thời hạn bảo quản hồ sơ, tài liệu được quy định như sau [1]: (chưa kiểm chứng)" went out verified)
    led = verify(
        f"Thời hạn bảo quản hồ sơ, tài liệu được quy định như sau [1]:\n- {claim}",
        [law],
        question="Thời hạn bảo quản hồ sơ, tài liệu như thế nào?",
    )
    assert "02 năm" not in led.text and not any(c.supported for c in led.sentences)
    # asked how long a record may be held back, it is the answer
    held = verify(claim, [law], question="Đơn vị được giữ lại hồ sơ, tài liệu đến hạn nộp lưu trong bao lâu?")
    assert held.status is Verification.VERIFIED


def test_a_duty_written_as_an_option_is_flagged() -> None:
    """Live: "Hợp đồng lao động có thể được giao kết theo một trong các loại sau đây [1]:" went out verified on Khoản 1
    Điều 20 Bộ luật Lao động, which says the contract "phải được giao kết" in one of them: a duty read as an option.
    The law's own word keeps it verified; an option the law gives, written as an option, too."""
    law = _source(
        1,
        "1. Hợp đồng lao động phải được giao kết theo một trong các loại sau đây:\n"
        "a) Hợp đồng lao động không xác định thời hạn;\nb) Hợp đồng lao động xác định thời hạn.",
    )
    items = "\na) Hợp đồng lao động không xác định thời hạn [1];\nb) Hợp đồng lao động xác định thời hạn [1]."
    option = verify(f"Hợp đồng lao động có thể được giao kết theo một trong các loại sau đây [1]:{items}", [law])
    assert option.status is Verification.PARTIALLY_VERIFIED and FLAG in option.text.splitlines()[0]
    assert [c.supported for c in option.sentences] == [False, True, True]  # the items are the law's either way
    duty = verify(f"Hợp đồng lao động phải được giao kết theo một trong các loại sau đây [1]:{items}", [law])
    assert duty.status is Verification.VERIFIED
    may = _source(1, "Viên chức có thể được cử đi đào tạo, bồi dưỡng ở nước ngoài.")
    assert verify("Viên chức có thể được cử đi đào tạo, bồi dưỡng ở nước ngoài [1].", [may]).status is (
        Verification.VERIFIED
    )


HOLIDAYS = _source(
    1,
    "1. Người lao động được nghỉ làm việc, hưởng nguyên lương trong những ngày lễ, tết sau đây:\n"
    "a) Tết Dương lịch: 01 ngày (ngày 01 tháng 01 dương lịch);\nb) Tết Âm lịch: 05 ngày;\n"
    "c) Ngày Chiến thắng: 01 ngày (ngày 30 tháng 4 dương lịch);",
)
RECRUITMENT = _source(
    1,
    "1. Người có đủ các điều kiện sau đây được đăng ký dự tuyển công chức:\na) Có một quốc tịch là quốc tịch Việt "
    "Nam;\nb) Đủ 18 tuổi trở lên;\nc) Có đơn dự tuyển; có lý lịch rõ ràng;\nd) Có văn bằng, chứng chỉ phù hợp;",
)


@pytest.mark.parametrize(
    ("source", "question", "first", "again"),
    [
        (
            RECRUITMENT,
            "Điều kiện đăng ký dự tuyển công chức là gì?",
            "Điều kiện đăng ký dự tuyển công chức là [1]:\na) Có một quốc tịch là quốc tịch Việt Nam [1];\nb) Đủ 18 "
            "tuổi trở lên [1];\nc) Có đơn dự tuyển [1]; có lý lịch rõ ràng [1];\n"
            "d) Có văn bằng, chứng chỉ phù hợp [1];",
            "- Điều kiện đăng ký dự tuyển công chức là [1]:\na) Có một quốc tịch là quốc tịch Việt Nam;\nb) Đủ 18 "
            "tuổi trở lên;\nc) Có đơn dự tuyển;\ncó lý lịch rõ ràng;",
        ),
        (
            HOLIDAYS,
            "Người lao động được nghỉ lễ, tết những ngày nào?",
            "Người lao động được nghỉ làm việc, hưởng nguyên lương trong những ngày lễ, tết sau đây [1]:\na) Tết Dương "
            "lịch [1]:\n01 ngày (ngày 01 tháng 01 dương lịch) [1];",
            "Người lao động được nghỉ làm việc, hưởng nguyên lương trong những ngày lễ, tết sau đây [1]:\na) Tết Dương "
            "lịch [1]:\n01 ngày (ngày 01 tháng 01 dương lịch) [1];\nb) Tết Âm lịch [1]:\n05 ngày [1];",
        ),
    ],
)
def test_a_list_written_again_is_not_shown_again_even_after_an_items_continued_line(
    source: Any, question: str, first: str, again: str
) -> None:
    """Live: the recruitment conditions were shown whole, then "a) Có một quốc tịch …", "b) Đủ 18 tuổi …", "c) Có
    đơn dự tuyển" again (the model's second copy): c)'s part after its ";" ("có lý lịch rõ ràng") had opened a group
    of its own, and the items under the repeated lead-in were read as a new list. And the holidays' "a) Tết Dương
    lịch [1]:" was shown a second time on a line of its own (each "01 ngày …" had opened a group)."""
    checked = verify(f"{first}\n{again}", [source], question=question)
    assert checked.status is Verification.VERIFIED
    shown = checked.text.splitlines()
    assert len(shown) == len(set(shown))
    assert [line[:2] for line in shown if line[1:2] == ")"] == ["a)", "b)", "c)", "d)"][: len(shown) - 1]


def test_the_managers_list_keeps_its_own_letters_on_lines_of_its_own() -> None:
    """Live: asked the forms of discipline of a viên chức, Điều 15 Nghị định 112/2020's two lists came back with the
    managers' "d) Buộc thôi việc" shown as "c)" — bound to the first list's "c) Buộc thôi việc", which states it as
    well — and their title run on after the first list's last item ("c) Buộc thôi việc [2]. Áp dụng đối với viên
    chức quản lý [2]"). Of points stating an item equally, the one its own letter names is it."""
    forms = _source(
        2,
        "1. Áp dụng đối với viên chức không giữ chức vụ quản lý\na) Khiển trách.\nb) Cảnh cáo.\nc) Buộc thôi việc.\n"
        "2. Áp dụng đối với viên chức quản lý\na) Khiển trách.\nb) Cảnh cáo.\nc) Cách chức.\nd) Buộc thôi việc.\n"
        "Viên chức bị kỷ luật bằng một trong các hình thức quy định tại Điều này còn có thể bị hạn chế thực hiện hoạt "
        "động nghề nghiệp theo quy định của pháp luật có liên quan.",
    )
    first = "Áp dụng đối với viên chức không giữ chức vụ quản lý [2]\na) Khiển trách [2].\nb) Cảnh cáo [2].\n"
    first += "c) Buộc thôi việc [2]."
    second = "Áp dụng đối với viên chức quản lý [2]\na) Khiển trách [2].\nb) Cảnh cáo [2].\nc) Cách chức [2].\n"
    second += "d) Buộc thôi việc [2]."
    checked = verify(f"{first}\n{second}", [forms], question="Viên chức bị kỷ luật bằng những hình thức nào?")
    assert checked.text == f"{first}\n{second}", checked.text
    last = checked.sentences[-1].clause
    assert last is not None and (last.clause, last.point) == ("2", "d")


def test_a_line_naming_only_an_article_is_no_claim_and_leads_into_nothing() -> None:
    """Live, "Các hình thức kỷ luật đối với viên chức quản lý là gì?": the model headed three copies of one list
    with the articles the prompt gives ("- Điều 15 Nghị định 112/2020/NĐ-CP [2]:", "- Điều 31 Nghị định
    112/2020/NĐ-CP (văn bản hợp nhất [3]; sửa đổi bởi …) [3]:"), each verified as a claim, and each copy cited to
    Điều 52 shown under a line naming another article. A line that says only where is no claim, and the list
    under it is said once."""
    law = _source(
        1,
        "1. Viên chức vi phạm các quy định của pháp luật thì tuỳ theo tính chất, mức độ vi phạm, phải chịu một trong "
        "các hình thức kỷ luật sau:\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức;\nd) Buộc thôi việc.",
        anchor="Điều 52 Luật Viên chức 58/2010/QH12",
    )
    managers = "2. Áp dụng đối với viên chức quản lý\na) Khiển trách.\nb) Cảnh cáo.\nc) Cách chức.\nd) Buộc thôi việc."
    decree = _source(2, managers)
    power = _source(3, "1. Đối với viên chức quản lý, người đứng đầu cơ quan có thẩm quyền bổ nhiệm quyết định kỷ luật")
    forms = "Khiển trách, Cảnh cáo, Cách chức, Buộc thôi việc [1]."
    answer = (
        f"Điều 52 Luật Viên chức 58/2010/QH12 [1]: {forms}\n- Điều 15 Nghị định 112/2020/NĐ-CP [2]: {forms}\n"
        "- Điều 31 Nghị định 112/2020/NĐ-CP (văn bản hợp nhất [3]; sửa đổi bởi 71/2023/NĐ-CP từ 20/09/2023) [3]: "
        f"{forms}"
    )
    checked = verify(answer, [law, decree, power], question="Các hình thức kỷ luật đối với viên chức quản lý là gì?")
    assert checked.text == forms, checked.text
    named = [s for s in checked.sentences if s.text.lstrip("- ").startswith("Điều")]
    assert len(named) == 3 and all(not s.supported and NO_CLAIM in s.reasons[0] for s in named), named
    # a line that says what the article does is a claim, checked as one
    said = verify("Theo Điều 2 Luật 77/2099/QH99, viên chức vi phạm phải chịu kỷ luật cách chức [1].", [law])
    assert said.status is Verification.VERIFIED and said.sentences[0].supported, said.sentences


def test_a_claim_giving_one_discipline_the_figure_the_law_gives_another_is_flagged() -> None:
    """Live: "… 03 tháng nếu viên chức bị kỷ luật bằng hình thức khiển trách hoặc cảnh cáo, 06 tháng nếu bị cảnh
    cáo …" was verified on the clause that gives khiển trách 03 tháng and cảnh cáo 06: every word and figure was
    in it, paired otherwise. The same list with each figure by its own measure stays verified."""
    raise_delay = _source(
        2,
        "1. Viên chức bị khiển trách thì thời hạn nâng lương bị kéo dài 03 tháng; bị cảnh cáo thì thời hạn nâng "
        "lương bị kéo dài 06 tháng. Trường hợp viên chức bị cách chức thì thời hạn nâng lương bị kéo dài 12 tháng.",
    )
    swapped = verify(
        "Thời hạn nâng lương bị kéo dài 03 tháng nếu viên chức bị kỷ luật bằng hình thức khiển trách hoặc cảnh "
        "cáo, 12 tháng nếu bị cách chức [2].",
        [raise_delay],
    )
    assert not swapped.sentences[0].supported
    assert "«cảnh cáo» is 6 tháng, not 3 tháng" in " ".join(swapped.sentences[0].reasons)
    paired = verify(
        "Thời hạn nâng lương bị kéo dài 03 tháng nếu viên chức bị khiển trách, 06 tháng nếu bị cảnh cáo và 12 "
        "tháng nếu bị cách chức [2].",
        [raise_delay],
    )
    assert paired.status is Verification.VERIFIED and FLAG not in paired.text


STEPS = (
    "Điều 32. Trình tự xử lý kỷ luật\n1. Việc xử lý kỷ luật đối với viên chức được thực hiện theo các bước sau đây:\n"
    "a) Tổ chức họp kiểm điểm;\nb) Thành lập Hội đồng kỷ luật;\nc) Cấp có thẩm quyền ra quyết định xử lý kỷ luật."
)
MEETING = (
    "Điều 36. Cuộc họp của Hội đồng kỷ luật\n1. Chuẩn bị họp\na) Chậm nhất là 05 ngày làm việc trước ngày tổ chức "
    "cuộc họp của Hội đồng kỷ luật, giấy triệu tập họp phải được gửi tới viên chức có hành vi vi phạm."
)


def test_a_short_heading_like_line_cited_to_a_source_that_holds_half_its_words_goes_to_the_one_that_says_it() -> None:
    """Live: "Trình tự xử lý kỷ luật viên chức gồm những bước nào?" went on "Chuẩn bị họp [1]: …", Điều 36's Khoản 1
    heading cited to Điều 32 ([1], "họp" in its "Tổ chức họp kiểm điểm") and verified at half its words: a claim of
    under three words was never looked for in another source."""
    sources = [_source(1, STEPS, "Điều 32 Nghị định 9/2095/NĐ-CP"), _source(2, MEETING, "Điều 36 Nghị định 9/NĐ-CP")]
    answer = (
        "Việc xử lý kỷ luật đối với viên chức được thực hiện theo các bước sau đây [1]:\n- Tổ chức họp kiểm điểm [1].\n"
        "Chuẩn bị họp [1]: Chậm nhất là 05 ngày làm việc trước ngày tổ chức cuộc họp của Hội đồng kỷ luật, giấy triệu "
        "tập họp phải được gửi tới viên chức có hành vi vi phạm [2]."
    )
    v = verify(answer, sources, question="Trình tự xử lý kỷ luật viên chức gồm những bước nào?")
    assert "Chuẩn bị họp [1]" not in v.text, v.text
    assert "Chuẩn bị họp [2]" in v.text, v.text


def test_a_short_item_is_not_re_cited_to_a_clause_that_names_it_in_passing() -> None:
    """Live, "Ai có thẩm quyền quyết định kỷ luật viên chức?" opened on a flagged "- Bộ Nội vụ [1]", which no source
    says; a clause naming the ministry among four words («5. Bộ Nội vụ hướng dẫn thực hiện Điều này.») took it
    verified, a list item needing only half of the law's item's words. An item of one or two words is the law's
    only where the law's item is it, whole."""
    steps = _source(1, STEPS, "Điều 32 Nghị định 9/2095/NĐ-CP")
    minister = _source(2, "5. Bộ Nội vụ hướng dẫn thực hiện Điều này.", "Điều 40 Nghị định 9/2095/NĐ-CP")
    v = verify("- Bộ Nội vụ [1].", [steps, minister], question="Ai có thẩm quyền quyết định kỷ luật viên chức?")
    assert "[2]" not in v.text and v.status is not Verification.VERIFIED, v.text
    awards = _source(3, AWARDS, "Điều 9 Luật 77/2099/QH99")  # the law's own one-word item still is
    v = verify("- Huân chương [1].", [steps, awards], question="Các hình thức khen thưởng gồm những gì?")
    assert "Huân chương [3]" in v.text and v.status is Verification.VERIFIED, v.text


# ------------------------------------------------------------------------------------ who a clause's act belongs to


def test_a_claim_its_source_gives_to_another_actor_is_not_re_cited_to_one_that_merely_holds_its_words() -> None:
    """Live: "Chính phủ quyết định tặng Bằng khen của Thủ tướng Chính phủ [1]." — [1], Điều 78 Luật Thi đua, khen
    thưởng, gives that act to the Thủ tướng — was re-cited to [2], Điều 73's criteria for the award (four of its
    five words), and shown verified: the wrong actor, with a citation that does not say it."""
    sources = [
        _source(
            1,
            "Điều 78. Thẩm quyền của Chính phủ, Thủ tướng Chính phủ\n"
            "1. Chính phủ quyết định tặng “Cờ thi đua của Chính phủ”.\n"
            "2. Thủ tướng Chính phủ quyết định tặng danh hiệu “Chiến sĩ thi đua toàn quốc”, “Bằng khen của Thủ "
            "tướng Chính phủ”.",
        ),
        _source(
            2,
            "Điều 73. “Bằng khen của Thủ tướng Chính phủ”\n"
            "1. “Bằng khen của Thủ tướng Chính phủ” để tặng hoặc truy tặng cho cá nhân chấp hành tốt chủ trương "
            "của Đảng, chính sách, pháp luật của Nhà nước và đạt một trong các tiêu chuẩn sau đây:\n"
            "a) Có thành tích xuất sắc tiêu biểu, được bình xét trong phong trào thi đua;",
        ),
    ]
    checked = verify(
        "Chính phủ quyết định tặng Bằng khen của Thủ tướng Chính phủ [1].",
        sources,
        question="Ai quyết định tặng Bằng khen của Thủ tướng Chính phủ?",
    )
    assert checked.status is not Verification.VERIFIED
    assert "[2]" not in checked.text
    assert not any(s.supported for s in checked.sentences)
    # the right actor, cited to the clause that gives it the act, is verified there
    right = verify(
        "Thủ tướng Chính phủ quyết định tặng Bằng khen của Thủ tướng Chính phủ [1].",
        sources,
        question="Ai quyết định tặng Bằng khen của Thủ tướng Chính phủ?",
    )
    assert right.status is Verification.VERIFIED
    assert right.sentences[-1].clause is not None and right.sentences[-1].clause.quote.startswith("2. Thủ tướng")


def test_a_claim_another_source_says_word_for_word_is_cited_to_it_not_to_one_holding_most_of_its_words() -> None:
    """Live: "Người đứng đầu cơ quan, tổ chức có thẩm quyền ký tất cả văn bản do cơ quan, tổ chức ban hành [1]" was
    verified on, and highlighted in, Khoản 1 Điều 27 Nghị định 30/2020 — who decides on copies and "quy định thẩm
    quyền ký các bản sao" — while [2], Khoản 1 Điều 13, is that sentence."""
    sources = [
        _source(
            1,
            "Điều 27. Thẩm quyền sao văn bản\n"
            "1. Người đứng đầu cơ quan, tổ chức quyết định việc sao văn bản do cơ quan, tổ chức ban hành, văn bản do "
            "các cơ quan, tổ chức khác gửi đến và quy định thẩm quyền ký các bản sao văn bản.\n"
            "2. Việc sao, chụp tài liệu, vật chứa bí mật nhà nước được thực hiện theo quy định của pháp luật.",
        ),
        _source(
            2,
            "Điều 13. Thẩm quyền ký văn bản\n"
            "1. Cơ quan, tổ chức làm việc theo chế độ thủ trưởng\n"
            "Người đứng đầu cơ quan, tổ chức có thẩm quyền ký tất cả văn bản do cơ quan, tổ chức ban hành; có thể "
            "giao cấp phó ký thay các văn bản thuộc lĩnh vực được phân công phụ trách.",
        ),
    ]
    claim = "Người đứng đầu cơ quan, tổ chức có thẩm quyền ký tất cả văn bản do cơ quan, tổ chức ban hành [1]."
    checked = verify(claim, sources, question="Ai có thẩm quyền ký văn bản của cơ quan?")
    assert checked.status is Verification.VERIFIED
    assert checked.text.endswith("ban hành [2].")
    shown = checked.sentences[-1]
    assert shown.clause is not None and shown.clause.marker == 2 and "ký tất cả văn bản" in shown.clause.quote
    # said word for word by the source it cites, it stays there
    kept = verify(claim.replace("[1]", "[2]"), sources, question="Ai có thẩm quyền ký văn bản của cơ quan?")
    assert kept.text == claim.replace("[1]", "[2]") and len(kept.sentences) == 1


def _titled(marker: int, text: str, title: str) -> CitedSource:
    """`_source` under an article heading of the given title."""
    src = _source(marker, text)
    hit = replace(src.hit, heading_path=["Luật Cán bộ thử nghiệm", f"Điều 79. {title}"])
    return replace(src, hit=hit)


def test_a_line_that_only_repeats_an_articles_title_is_no_claim_and_is_not_shown() -> None:
    """Live: "- Các hình thức kỷ luật đối với công chức [2]." — the title of Điều 79 Luật Cán bộ, công chức, no
    claim — was shown, verified, as the first item of the answer to who disciplines a công chức."""
    source = _titled(
        1,
        "1. Công chức vi phạm thì phải chịu một trong những hình thức kỷ luật sau đây:\na) Khiển trách;\n"
        "b) Cảnh cáo.\n4. Chính phủ quy định thẩm quyền xử lý kỷ luật đối với công chức.",
        "Các hình thức kỷ luật đối với công chức",
    )
    answer = (
        "- Các hình thức kỷ luật đối với công chức [1].\n"
        "- Chính phủ quy định thẩm quyền xử lý kỷ luật đối với công chức [1]."
    )
    checked = verify(answer, [source], question="Ai có thẩm quyền xử lý kỷ luật công chức?")
    assert "Các hình thức kỷ luật đối với công chức [1]" not in checked.text
    assert "Chính phủ quy định thẩm quyền xử lý kỷ luật đối với công chức [1]." in checked.text
    assert checked.status is Verification.VERIFIED
    assert TITLE_ONLY in checked.sentences[0].reasons
    # the title alone is no answer: retried, like markers alone
    assert verify("Các hình thức kỷ luật đối với công chức [1].", [source]).claimless
    # a title that is also a provision's own text is an item of the law's list, and a title leading a list stays
    listed = _titled(1, "Các hình thức khen thưởng gồm:\n1. Huân chương.\n2. Huy chương.", "Huân chương")
    kept = verify("Các hình thức khen thưởng gồm [1]:\n- Huân chương [1];\n- Huy chương [1].", [listed])
    assert "Huân chương [1]" in kept.text and not kept.claimless


def test_an_answer_verified_again_keeps_one_flag_per_flagged_claim_and_no_flag_on_the_next() -> None:
    """Live: "… thời gian luân chuyển [3]. (chưa kiểm chứng) (chưa kiểm chứng) Thẩm quyền, trình tự …" — a list
    completed from the law was verified again with the first check's flag in it, which was read as the opening of
    the next sentence and shown with it: twice flagged, and the next claim shown as verified with a flag."""
    source = _source(
        1,
        "2. Việc đánh giá cán bộ được thực hiện hàng năm, trước khi bầu cử, bổ nhiệm. Thẩm quyền, trình tự, thủ tục "
        "đánh giá cán bộ được thực hiện theo quy định của pháp luật.",
    )
    answer = (
        "- Việc đánh giá viên chức được thực hiện hàng năm, trước khi bầu cử, bổ nhiệm [1]. Thẩm quyền, trình tự, thủ"
        " tục đánh giá cán bộ được thực hiện theo quy định của pháp luật [1]."
    )
    once = verify(answer, [source])
    assert once.text.count(FLAG) == 1 and once.status is Verification.PARTIALLY_VERIFIED
    again = verify(once.text, [source])
    assert again.text == once.text and again.status is once.status
    shown = [s.text for s in again.sentences if s.supported]
    assert shown and not any(FLAG.strip() in s for s in shown)


# Written after Điều 56 and Điều 28 Luật Cán bộ, công chức and Điều 41 Luật Viên chức (as pháp điển prints it),
# under numbers no real text has.
ASSESSED_CIVIL = """Điều 56. Nội dung đánh giá công chức
1. Công chức được đánh giá theo các nội dung sau đây:
a) Chấp hành đường lối, chủ trương, chính sách của Đảng và pháp luật của Nhà nước;
b) Năng lực, trình độ chuyên môn, nghiệp vụ;
c) Tiến độ và kết quả thực hiện nhiệm vụ.
2. Ngoài những quy định tại khoản 1 Điều này, công chức lãnh đạo, quản lý còn được đánh giá theo các nội dung \
sau đây:
a) Kết quả hoạt động của cơ quan, tổ chức, đơn vị được giao lãnh đạo, quản lý;
b) Năng lực lãnh đạo, quản lý."""
ASSESSED_PUBLIC = """2. Ngoài các nội dung quy định tại khoản 1 Điều này, viên chức quản lý còn được đánh giá \
theo các nội dung sau đây:
a) Năng lực quản lý, điều hành và tổ chức thực hiện nhiệm vụ;
b) Kế hoạch làm việc theo năm, quý, tháng và kết quả hoạt động của cơ quan, tổ chức, đơn vị được giao quản lý."""
ASSESSED_CADRE = """Điều 28. Nội dung đánh giá cán bộ
1. Cán bộ được đánh giá theo các nội dung sau đây:
a) Chấp hành đường lối, chủ trương, chính sách của Đảng và pháp luật của Nhà nước;
b) Năng lực lãnh đạo, điều hành, tổ chức thực hiện nhiệm vụ;
c) Kết quả thực hiện nhiệm vụ được giao."""


def _headed(marker: int, text: str, heading: str) -> CitedSource:
    src = _source(marker, text)
    return replace(src, hit=replace(src.hit, heading_path=[heading]))


def test_an_unmarked_item_goes_to_the_source_its_lead_in_cites_among_sources_holding_its_words() -> None:
    """Live: "a) Năng lực quản lý, điều hành và tổ chức thực hiện nhiệm vụ;", written without a marker under "[2]
    Ngoài những quy định tại khoản 1 Điều này, viên chức quản lý còn được đánh giá …:", was given to [1] — the
    công chức's article, which holds most of its words — and withheld as the công chức's: Điểm a of [2], which says
    it word for word, was lost from the viên chức's list."""
    sources = [
        _headed(1, ASSESSED_CIVIL, "Luật Cán bộ, công chức thử nghiệm Mục 6. ĐÁNH GIÁ CÔNG CHỨC Điều 56"),
        _headed(2, ASSESSED_PUBLIC, "Pháp điển — Viên chức Điều 41 Luật 58/2098/QH12. Nội dung đánh giá viên chức"),
        _headed(3, ASSESSED_CADRE, "Luật Cán bộ, công chức thử nghiệm Điều 28. Nội dung đánh giá cán bộ"),
    ]
    answer = (
        "[1] Công chức được đánh giá theo các nội dung sau đây:\na) Chấp hành đường lối, chủ trương, chính sách của "
        "Đảng và pháp luật của Nhà nước;\nb) Năng lực lãnh đạo, điều hành, tổ chức thực hiện nhiệm vụ.\n\n"
        "[2] Ngoài những quy định tại khoản 1 Điều này, viên chức quản lý còn được đánh giá theo các nội dung sau "
        "đây:\na) Năng lực quản lý, điều hành và tổ chức thực hiện nhiệm vụ;\nb) Kế hoạch làm việc theo năm, quý, "
        "tháng và kết quả hoạt động của cơ quan, tổ chức, đơn vị được giao quản lý."
    )
    checked = verify(answer, sources, question="Viên chức được đánh giá theo những nội dung nào?")
    assert "a) Năng lực quản lý, điều hành và tổ chức thực hiện nhiệm vụ [2];" in checked.text.splitlines()


def test_a_list_the_model_numbers_itself_keeps_items_whose_label_number_the_source_never_states() -> None:
    """The model writes the law's lettered points as "1. … 2. … 3. …": a label is the answer's numbering, not a
    figure of the law, so "3. Cách chức [1];" on a clause with no 3 in it is not flagged for its number."""
    forms = _source(
        1,
        "Viên chức quản lý có thể bị kỷ luật bằng một trong các hình thức sau:\na) Khiển trách;\nb) Cảnh cáo;\n"
        "c) Cách chức;\nd) Buộc thôi việc.",
    )
    answer = (
        "Viên chức quản lý có thể bị kỷ luật bằng một trong các hình thức sau [1]:\n1. Khiển trách [1];\n"
        "2. Cảnh cáo [1];\n3. Cách chức [1];\n4. Buộc thôi việc [1]."
    )
    checked = verify(answer, [forms], question="Viên chức quản lý bị kỷ luật bằng những hình thức nào?")
    assert checked.status is Verification.VERIFIED, [(s.text, s.reasons) for s in checked.sentences]
    assert "3. Cách chức [1];" in checked.text.splitlines()
    # a figure the law does not state still is one
    wrong = verify(answer.replace("Khiển trách", "Khiển trách 3 lần"), [forms])
    assert any("3" in r for s in wrong.sentences for r in s.reasons)


def test_a_lead_in_in_the_words_of_its_articles_title_keeps_its_source_and_its_items() -> None:
    """Live, "[1] Các hình thức kỷ luật đối với viên chức là:" then the four forms without markers: no one provision
    of Điều 52 holds the lead-in's words (its title does), so it was re-cited to the article on who decides them,
    whose Khoản 1 says "… quyết định hình thức kỷ luật" of a viên chức quản lý — and its items, looked for in that
    article alone, were dropped: "the first answer held no claim"."""
    forms = _headed(
        1,
        "1. Viên chức vi phạm các quy định của pháp luật thì tùy theo tính chất, mức độ vi phạm, phải chịu một trong "
        "các hình thức kỷ luật sau:\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức;\nd) Buộc thôi việc.\n"
        "2. Hình thức kỷ luật cách chức chỉ áp dụng đối với viên chức quản lý.",
        "Điều 52. Các hình thức kỷ luật đối với viên chức",
    )
    authority = _headed(
        2,
        "1. Đối với viên chức quản lý, người đứng đầu cơ quan có thẩm quyền bổ nhiệm tiến hành xử lý kỷ luật và quyết "
        "định hình thức kỷ luật.",
        "Điều 31. Thẩm quyền xử lý kỷ luật đối với viên chức",
    )
    answer = (
        "[1] Các hình thức kỷ luật đối với viên chức là:\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức;\n"
        "d) Buộc thôi việc."
    )
    checked = verify(answer, [forms, authority], question="Các hình thức kỷ luật đối với viên chức là gì?")
    assert checked.text.splitlines() == [
        "Các hình thức kỷ luật đối với viên chức là [1]:",
        "a) Khiển trách [1];",
        "b) Cảnh cáo [1];",
        "c) Cách chức [1];",
        "d) Buộc thôi việc [1].",
    ]
    # a lead-in the title does not state is still re-cited to the provision that states it
    moved = verify(answer.replace("Các hình thức", "Thẩm quyền quyết định hình thức"), [forms, authority])
    assert "[2]" in moved.text.splitlines()[0]


SUSPENSION_WHOLE = (
    "1. Trong thời gian xem xét, xử lý kỷ luật, cơ quan, tổ chức, đơn vị có thẩm quyền có thể ra quyết định tạm đình "
    "chỉ công tác đối với cán bộ, công chức nếu để cán bộ, công chức đó tiếp tục làm việc có thể gây khó khăn cho việc "
    "xem xét, xử lý. Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm nhưng "
    "tối đa không quá 15 ngày; nếu cán bộ, công chức bị tạm giữ, tạm giam để phục vụ công tác điều tra, truy tố, xét "
    "xử thì thời gian tạm giữ, tạm giam được tính là thời gian nghỉ việc có lý do."
)


def test_the_case_of_another_statement_of_the_clause_is_not_the_case_asked() -> None:
    """Live, asked when a công chức is suspended, "Công chức bị tạm đình chỉ công tác trong trường hợp cần thiết có
    thể kéo dài thêm nhưng tối đa không quá 15 ngày [1]" was verified: every word is Khoản 1 Điều 81's, but "trường
    hợp cần thiết" is the case in which the suspension's 15 days may be extended; the suspension's own case is the
    "nếu …" after "tạm đình chỉ công tác đối với cán bộ, công chức"."""
    source = _source(1, SUSPENSION_WHOLE)
    question = "Công chức bị tạm đình chỉ công tác trong trường hợp nào?"
    wrong = (
        "Công chức bị tạm đình chỉ công tác trong trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá 15 "
        "ngày [1]."
    )
    checked = verify(wrong, [source], question=question)
    assert checked.status is not Verification.VERIFIED
    assert any("«trường hợp cần thiết" in r for s in checked.sentences for r in s.reasons)
    right = (
        "Công chức bị tạm đình chỉ công tác nếu để cán bộ, công chức đó tiếp tục làm việc có thể gây khó khăn cho việc "
        "xem xét, xử lý [1]."
    )
    assert verify(right, [source], question=question).status is Verification.VERIFIED
    # asked how long the suspension lasts, the extension's case is the answer's, not a case given for another act
    long = verify(wrong, [source], question="Công chức bị tạm đình chỉ công tác tối đa bao lâu?")
    assert long.status is Verification.VERIFIED


# Our own wording of what follows a viên chức's dismissal (after Điều 40 Nghị định 112/2020): no case of it.
AFTER_DISMISSAL = (
    "1. Viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc.\n"
    "2. Sau 12 tháng, kể từ ngày quyết định kỷ luật buộc thôi việc có hiệu lực, viên chức bị xử lý kỷ luật buộc thôi "
    "việc được quyền đăng ký dự tuyển vào các cơ quan của Nhà nước."
)


def test_a_when_question_answered_with_what_follows_the_act_is_not_verified() -> None:
    """Live: "Khi nào viên chức bị buộc thôi việc?" was answered "Khi viên chức bị xử lý kỷ luật buộc thôi việc thì
    không được hưởng chế độ thôi việc …" and "Sau 12 tháng, …, viên chức bị xử lý kỷ luật buộc thôi việc được quyền
    đăng ký dự tuyển …", verified, then completed as Điều 40's list: every word true, the dismissal the case of
    them, and no case of the dismissal anywhere. Both are withheld; the same words asked what follows pass."""
    source = _source(1, AFTER_DISMISSAL)
    asked = "Khi nào viên chức bị buộc thôi việc?"
    answer = (
        "Khi viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc [1].\n"
        "Sau 12 tháng, kể từ ngày quyết định kỷ luật buộc thôi việc có hiệu lực, viên chức bị xử lý kỷ luật buộc "
        "thôi việc được quyền đăng ký dự tuyển vào các cơ quan của Nhà nước [1]."
    )
    checked = verify(answer, [source], question=asked)
    assert checked.status is Verification.UNVERIFIED, checked.sentences
    assert all(any("the act is its case" in r for r in s.reasons) for s in checked.sentences)
    followed = verify(answer, [source], question="Viên chức bị buộc thôi việc thì có được hưởng chế độ thôi việc?")
    assert not any("the act is its case" in r for s in followed.sentences for r in s.reasons)


# Our own wording of an article with the unit's cases (Khoản 1) and the cases where it may not (Khoản 3).
UNIT_MAY_AND_MAY_NOT = (
    "Điều 29. Chấm dứt hợp đồng làm việc\n"
    "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:\n"
    "a) Viên chức có 02 năm liên tiếp bị xếp loại chất lượng ở mức độ không hoàn thành nhiệm vụ;\n"
    "b) Viên chức không đạt yêu cầu sau thời gian tập sự.\n"
    "3. Người đứng đầu đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức "
    "trong các trường hợp sau:\n"
    "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh;\n"
    "b) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi."
)


def test_unmarked_may_not_cases_given_for_a_when_question_count_as_the_cases_turned_around() -> None:
    """Live: asked "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?", the model
    wrote the question back, then Khoản 3's may-not cases without a marker: each left unattributed (the clause
    stating it forbids the act), the answer refused, with no word of why — so the rule they are exceptions to,
    Khoản 1, was never quoted (`inverted_cases` reads the reasons of what was withheld). The unattributed line now
    records its clause's negation, and the rule is found."""
    from assistant.verify import inverted_cases, the_rule

    source = _source(1, UNIT_MAY_AND_MAY_NOT, anchor="Điều 29 Luật 58/2099/QH99")
    asked = "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    answer = (
        f"[1] {asked}\n"
        "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh;\n"
        "b) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi."
    )
    checked = verify(answer, [source], question=asked)
    assert checked.status is Verification.UNVERIFIED
    inverted = inverted_cases(checked, asked)
    assert inverted is not None and inverted.act == "đơn phương chấm dứt hợp đồng"
    rule = the_rule(inverted, [source], asked)
    assert rule is not None and rule.startswith("Đơn vị sự nghiệp công lập được đơn phương chấm dứt")
    assert "không hoàn thành nhiệm vụ" in rule and "ốm đau" not in rule


# Our own wording of a labour code's dismissal rule and its prohibition for reasons of family.
DISMISSAL_RULE = (
    "Điều 125. Áp dụng hình thức xử lý kỷ luật sa thải\n"
    "Hình thức xử lý kỷ luật sa thải được người sử dụng lao động áp dụng trong trường hợp sau đây:\n"
    "1. Người lao động có hành vi trộm cắp, tham ô tại nơi làm việc;\n"
    "2. Người lao động tự ý bỏ việc 05 ngày cộng dồn trong thời hạn 30 ngày mà không có lý do chính đáng."
)
DISMISSAL_FORBIDDEN = (
    "Điều 137. Bảo vệ thai sản\n3. Người sử dụng lao động không được sa thải hoặc đơn phương chấm dứt hợp đồng lao "
    "động đối với người lao động vì lý do kết hôn, mang thai, nghỉ thai sản, nuôi con dưới 12 tháng tuổi."
)


def test_a_may_question_answered_with_the_acts_prohibition_gets_the_rule_first() -> None:
    """Live: "Khi nào người sử dụng lao động được sa thải người lao động?" was answered, verified, with Khoản 3 Điều
    137 Bộ luật Lao động alone — when the employer may NOT dismiss (marriage, pregnancy …): what it forbids, "sa
    thải hoặc đơn phương chấm dứt hợp đồng lao động đối với …", held too many words of its own for half of them to
    be the question's. What is forbidden opens with the act asked: the answer is only the exceptions, and Điều
    125's rule is the one to quote first."""
    from assistant.verify import the_rule

    sources = [_source(1, DISMISSAL_RULE), _source(2, DISMISSAL_FORBIDDEN, anchor="Điều 137 Luật 77/2099/QH99")]
    asked = "Khi nào người sử dụng lao động được sa thải người lao động?"
    claim = (
        "Người sử dụng lao động không được sa thải hoặc đơn phương chấm dứt hợp đồng lao động đối với người lao động "
        "vì lý do kết hôn, mang thai, nghỉ thai sản, nuôi con dưới 12 tháng tuổi [2]."
    )
    checked = verify(claim, sources, question=asked)
    assert checked.status is Verification.VERIFIED and checked.opposite is not None
    assert checked.opposite.act == "sa thải"
    rule = the_rule(checked.opposite, sources, asked)
    assert rule is not None and rule.startswith("Hình thức xử lý kỷ luật sa thải được người sử dụng lao động áp dụng")


def test_two_numbered_items_of_a_quoted_list_saying_the_same_words_are_both_kept() -> None:
    """Probed: "Viên chức bị khiển trách khi nào?" was answered with Điều 16 Nghị định 112/2020's list quoted
    whole, but its "5. Vi phạm quy định của pháp luật về:" was withheld as a repeat of "2. Vi phạm quy định của
    pháp luật về:" — and 5.'s items ("phòng, chống tội phạm; …") then read on as 4.'s, the list jumping from 4 to
    6. An item is told from another by its label too; the small model's loop, which repeats its labels, is still
    withheld."""
    law = _source(
        2,
        "Hình thức kỷ luật khiển trách áp dụng đối với viên chức thuộc một trong các trường hợp sau đây:\n"
        "1. Không tuân thủ quy trình chuyên môn.\n"
        "2. Vi phạm quy định của pháp luật về: thực hiện chức trách, nhiệm vụ của viên chức; kỷ luật lao động.\n"
        "3. Né tránh, đùn đẩy chức trách.\n"
        "4. Vi phạm quy định của pháp luật về: phòng, chống tội phạm; phòng, chống tham nhũng.",
    )
    quoted = (
        "Hình thức kỷ luật khiển trách áp dụng đối với viên chức thuộc một trong các trường hợp sau đây [2]:\n"
        "1. Không tuân thủ quy trình chuyên môn [2].\n"
        "2. Vi phạm quy định của pháp luật về [2]: thực hiện chức trách, nhiệm vụ của viên chức [2]; kỷ luật lao "
        "động [2].\n"
        "3. Né tránh, đùn đẩy chức trách [2].\n"
        "4. Vi phạm quy định của pháp luật về [2]: phòng, chống tội phạm [2]; phòng, chống tham nhũng [2]."
    )
    checked = verify(quoted, [law], question="Viên chức bị khiển trách khi nào?")
    assert checked.status is Verification.VERIFIED
    lines = checked.text.splitlines()
    assert [line[:2] for line in lines[1:]] == ["1.", "2.", "3.", "4."], checked.text
    assert lines[4].startswith("4. Vi phạm quy định của pháp luật về") and "phòng, chống tội phạm" in lines[4]
    assert "tội phạm" not in lines[3]
    # the model saying an item again, label and all, is still a repeat
    looped = verify(f"{quoted}\n2. Vi phạm quy định của pháp luật về [2]: kỷ luật lao động [2].", [law])
    assert looped.text.count("2. Vi phạm quy định") == 1
