"""Who acts: a claim names the actor its clause names, and answers for the actor the question asks about.

Seen in the bench: asked "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường
hợp nào?", the 1.5B model answered with Khoản 4–5 of Điều 29 Luật Viên chức — the viên chức's own right to end the
contract — and every sentence was shown as verified: true words, the wrong actor. Hand-written sources and answers
for the verification logic; the retry runs the real pipeline over a real index (Qdrant Edge, BM25) of the fixture
law of tests/test_context.py with a scripted stand-in for the model (the point is what the pipeline does with each
answer, which a real model would not write on demand).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

import assistant.context
from assistant import pipeline
from assistant.actor import ActorLexicon
from assistant.answer import Answer, CitedSource, Verification
from assistant.llm import ChatMessage, GenerationConfig
from assistant.pipeline import AskOptions, Assistant
from assistant.prompts import answer_messages, template
from assistant.verify import OFF_QUESTION, TURNED_ELSEWHERE, the_rule, verify
from core.text import folded_runs
from index.search import Searcher
from tests.security.test_injection_attacks import ScriptedLLM
from tests.test_assistant import _source
from tests.test_context import KHOAN_1, PUBLIC, World
from tests.test_context import world as world  # noqa: F401  (the fixture law's index, shared)

ASKED = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
UNIT_MAY = (
    "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:\n"
    "a) Viên chức có 02 năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ;\n"
    "b) Viên chức bị buộc thôi việc."
)
OWN_RIGHT = (
    "5. Viên chức làm việc theo hợp đồng làm việc xác định thời hạn có quyền đơn phương chấm dứt hợp đồng trong các "
    "trường hợp sau:\n"
    "a) Không được bố trí theo đúng vị trí việc làm, địa điểm làm việc đã thỏa thuận trong hợp đồng làm việc;\n"
    "b) Không được trả lương đầy đủ hoặc không được trả lương đúng thời hạn."
)
ARTICLE = _source(1, f"{UNIT_MAY}\n{OWN_RIGHT}", anchor="Điều 29 Luật Viên chức thử nghiệm")


# ------------------------------------------------------------------------------------------------ the claim's actor


def test_a_claim_that_gives_the_units_power_to_the_vien_chuc_is_flagged() -> None:
    answer = "Viên chức được đơn phương chấm dứt hợp đồng làm việc khi bị buộc thôi việc [1]."
    checked = verify(answer, [_source(1, UNIT_MAY)])
    assert checked.status is not Verification.VERIFIED
    assert any("«viên chức»" in r for s in checked.sentences for r in s.reasons)
    right = "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc khi viên chức bị buộc thôi việc [1]."
    assert verify(right, [_source(1, UNIT_MAY)]).status is Verification.VERIFIED


def test_bare_items_of_the_vien_chucs_own_right_do_not_answer_what_the_unit_may_do() -> None:
    """The items of Khoản 5 written with no lead-in, under the question about the unit: read as the unit's cases."""
    answer = (
        "a) Không được bố trí theo đúng vị trí việc làm, địa điểm làm việc đã thỏa thuận trong hợp đồng làm việc [1];\n"
        "b) Không được trả lương đầy đủ hoặc không được trả lương đúng thời hạn [1]."
    )
    assert verify(answer, [_source(1, OWN_RIGHT)]).status is Verification.VERIFIED  # no question: no lead
    checked = verify(answer, [_source(1, OWN_RIGHT)], question=ASKED)
    assert checked.status is Verification.UNVERIFIED
    assert all(not s.supported for s in checked.sentences)


def test_a_subject_that_undergoes_the_act_names_no_actor() -> None:
    """ "Viên chức không bị đơn phương chấm dứt …" says nothing of who ends it: the unit's clause can answer."""
    actors = ActorLexicon.default()
    assert actors.agent("Viên chức không bị đơn phương chấm dứt hợp đồng", "đơn phương chấm dứt hợp đồng") is None
    assert (
        actors.conflict("Viên chức bị đơn phương chấm dứt hợp đồng làm việc khi bị buộc thôi việc.", UNIT_MAY) is None
    )


def test_the_actor_named_after_do_is_the_one_who_acts() -> None:
    """ "… do người đứng đầu … ban hành": the head issues it, not the viên chức the decision is about. (A second
    word list for "được"/"bị" alone, bound later under the same name, had hidden "do" and "bởi" here.)"""
    agent = ActorLexicon.default().agent(
        "Quyết định kỷ luật viên chức do người đứng đầu đơn vị sự nghiệp công lập ban hành.", "ban hành"
    )
    assert agent is not None
    assert agent.phrase == "người đứng đầu đơn vị sự nghiệp công lập"


def test_a_long_article_that_names_the_person_asked_about_only_in_its_middle_still_names_them() -> None:
    """Who an article names is read from all of it: an actor's act is read from a text's first and last words,
    but a long article naming "công chức" only mid-text was taken for one that never names them, and a claim
    cited to it withheld."""
    actors = ActorLexicon.default()
    filler = " ".join(["Người đứng đầu cơ quan quản lý hồ sơ theo quy định."] * 20)
    source = f"Điều 80. Thôi việc\nViên chức thôi việc. {filler} Công chức bị buộc thôi việc. {filler}"
    claim = "Trường hợp bị buộc thôi việc thì không được hưởng trợ cấp [1]."
    question = "Khi nào công chức bị buộc thôi việc?"
    assert actors.off_source(question, claim, [source]) is None
    never = source.replace("Công chức bị", "Viên chức bị")
    assert actors.off_source(question, claim, [never]) is not None


def test_a_claim_only_articles_about_another_person_state_is_off_the_question_though_it_shares_no_act() -> None:
    """Live: "- Trường hợp người lao động bị xử lý kỷ luật lao động, người lao động cũng không phải trả lại số tiền
    lương đã tạm ứng [3]." was shown, verified, in the answer to "Công chức bị tạm đình chỉ công tác trong trường
    hợp nào?", and "- Nghiện ma túy [4]", a viên chức's case for dismissal, in the answer to when a công chức is
    dismissed: neither shares an act with the question, which was all that marked a claim from articles about
    another person as answering for them."""
    law = (
        "Điều 128. Tạm đình chỉ công việc\n3. Trường hợp người lao động bị xử lý kỷ luật lao động, người lao động "
        "cũng không phải trả lại số tiền lương đã tạm ứng."
    )
    source = _source(3, law, anchor="Điều 128 Bộ luật Lao động thử nghiệm")
    code = ["Bộ luật Lao động thử nghiệm", "Điều 128. Tạm đình chỉ công việc"]
    source = replace(source, hit=replace(source.hit, heading_path=code))
    question = "Công chức bị tạm đình chỉ công tác trong trường hợp nào?"
    claim = (
        "- Trường hợp người lao động bị xử lý kỷ luật lao động, người lao động cũng không phải trả lại số tiền "
        "lương đã tạm ứng [3]."
    )
    checked = verify(claim, [source], question=question)
    assert not any(s.supported for s in checked.sentences) and checked.answered_another_actor
    assert checked.off_question is not None and checked.off_question.fields() == {
        "asked": "công chức",
        "predicate": "bị tạm đình chỉ công tác",
        "said": "người lao động",
    }
    # nor does a claim naming no one; one from an article that names the person asked is theirs
    actors = ActorLexicon.default()
    off = actors.off_source(question, "- Không phải trả lại số tiền lương đã tạm ứng [3].", [law])
    assert off is not None and off.predicate == "bị tạm đình chỉ công tác"
    named = law.replace("3. Trường hợp", "Công chức bị tạm đình chỉ công tác.\n3. Trường hợp")
    assert actors.off_source(question, claim, [named]) is None


VIEN_CHUC_FORMS = (
    "1. Áp dụng đối với viên chức không giữ chức vụ quản lý:\na) Khiển trách;\nb) Cảnh cáo;\nc) Buộc thôi việc."
)


def _decree_source(marker: int, text: str) -> CitedSource:
    """`text` as an article of a decree on the discipline of "cán bộ, công chức, viên chức" about a viên chức's."""
    title = ["Nghị định về xử lý kỷ luật cán bộ, công chức, viên chức", "Điều 15. Hình thức kỷ luật đối với viên chức"]
    source = _source(marker, text, anchor="Điều 15 Nghị định thử nghiệm")
    return replace(source, hit=replace(source.hit, heading_path=title))


def test_a_claim_opening_with_another_person_is_off_the_question_though_its_decree_names_the_person_asked() -> None:
    """Live, on the re-ingested demo: "Các hình thức kỷ luật đối với công chức là gì?" got Điều 79's six forms
    and then, verified, "Viên chức bị kỷ luật bằng một trong các hình thức quy định tại Điều này còn có thể bị hạn
    chế …" from Điều 15 Nghị định 112/2020: it shares no act with the question, and the decree's title names công
    chức too, so neither check marked it."""
    forms = (
        "Điều 79. Các hình thức kỷ luật đối với công chức\n1. Công chức vi phạm thì phải chịu một trong những hình "
        "thức kỷ luật sau đây:\na) Khiển trách;\nb) Cảnh cáo;\nc) Hạ bậc lương;\nd) Giáng chức;\nđ) Cách chức;\n"
        "e) Buộc thôi việc."
    )
    decree = (
        f"{VIEN_CHUC_FORMS}\n3. Viên chức bị kỷ luật bằng một trong các hình thức quy định tại Điều này còn có thể bị "
        "hạn chế thực hiện hoạt động nghề nghiệp theo quy định của pháp luật có liên quan."
    )
    law = _source(1, forms, anchor="Điều 79 Luật Cán bộ, công chức thử nghiệm")
    law = replace(law, hit=replace(law.hit, heading_path=["Luật Cán bộ, công chức thử nghiệm", "Điều 79"]))
    other = _decree_source(2, decree)
    answer = (
        "Các hình thức kỷ luật đối với công chức là [1]:\na) Khiển trách [1];\nb) Cảnh cáo [1];\nc) Hạ bậc lương [1];\n"
        "d) Giáng chức [1];\nđ) Cách chức [1];\ne) Buộc thôi việc [1].\nViên chức bị kỷ luật bằng một trong các hình "
        "thức quy định tại Điều này còn có thể bị hạn chế thực hiện hoạt động nghề nghiệp theo quy định của pháp luật "
        "có liên quan [2]."
    )
    checked = verify(answer, [law, other], question="Các hình thức kỷ luật đối với công chức là gì?")
    assert checked.status is Verification.VERIFIED and "Viên chức" not in checked.text
    assert "e) Buộc thôi việc [1]." in checked.text
    withheld = next(s for s in checked.sentences if s.text.startswith("Viên chức"))
    assert not withheld.supported and "«viên chức»" in withheld.reasons[0]
    # asked about the viên chức, it is theirs
    theirs = verify(answer, [law, other], question="Các hình thức kỷ luật đối với viên chức là gì?")
    assert any(s.supported and s.text.startswith("Viên chức") for s in theirs.sentences)


def test_the_items_of_a_lead_in_withheld_as_another_persons_go_with_it() -> None:
    """Live, on the hybrid demo: the same question got, verified, "Áp dụng đối với viên chức không giữ chức vụ quản
    lý [3]" and its three forms (Khoản 1 Điều 15 Nghị định 112/2020) beside Điều 79's. The lead-in names the viên
    chức; its items, "a) Khiển trách", name no one and are a viên chức's forms all the same."""
    other = _decree_source(2, VIEN_CHUC_FORMS)
    answer = (
        "Các hình thức kỷ luật gồm:\nÁp dụng đối với viên chức không giữ chức vụ quản lý [2]:\na) Khiển trách [2];\n"
        "b) Cảnh cáo [2];\nc) Buộc thôi việc [2]."
    )
    checked = verify(answer, [other], question="Các hình thức kỷ luật đối với công chức là gì?")
    assert checked.status is Verification.UNVERIFIED and checked.answered_another_actor
    items = [s for s in checked.sentences if s.text[:2] in ("a)", "b)", "c)")]
    assert len(items) == 3 and not any(s.supported for s in items)
    # asked about the viên chức, lead-in and items are theirs
    theirs = verify(answer, [other], question="Các hình thức kỷ luật đối với viên chức là gì?")
    assert "a) Khiển trách [2];" in theirs.text and "c) Buộc thôi việc [2]." in theirs.text


@pytest.mark.parametrize(
    "claim",
    [
        # the head acts for the unit
        "Người đứng đầu đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức.",
        # a generic actor of the same side
        "Cơ quan được đơn phương chấm dứt hợp đồng làm việc với viên chức khi viên chức bị buộc thôi việc.",
        # the short name of the same actor
        "Đơn vị được đơn phương chấm dứt hợp đồng làm việc với viên chức khi viên chức bị buộc thôi việc.",
        # the condition before "thì" is not the subject
        "Trường hợp viên chức bị buộc thôi việc thì đơn vị được đơn phương chấm dứt hợp đồng làm việc.",
        # actors joined by "và"/"hoặc"/"," act together: the unit is one of them
        "Viên chức và đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc theo thỏa thuận.",
    ],
)
def test_the_same_actor_named_otherwise_is_not_a_conflict(claim: str) -> None:
    assert ActorLexicon.default().conflict(claim, UNIT_MAY) is None


def test_an_actor_spelt_with_the_older_tone_placement_is_the_same_actor() -> None:
    """The law prints "Uỷ ban nhân dân" and "Toà án" as often as "Ủy ban nhân dân" and "Tòa án"; the lexicon
    lists each once."""
    rule = "Uỷ ban nhân dân cấp xã có trách nhiệm hòa giải tranh chấp đất đai."
    assert (
        ActorLexicon.default().conflict("Ủy ban nhân dân cấp xã có trách nhiệm hòa giải tranh chấp đất đai.", rule)
        is None
    )
    clash = ActorLexicon.default().conflict("Toà án có trách nhiệm hòa giải tranh chấp đất đai.", rule)
    assert clash is not None


def test_an_actor_named_twice_with_la_is_one_actor_not_a_clash() -> None:
    """Live: "Người lao động là người nước ngoài làm việc tại Việt Nam … còn được nghỉ thêm 01 ngày Tết cổ truyền …"
    stayed flagged though Khoản 2 Điều 112 says it: "người lao động" and "người nước ngoài" were read as two
    actors. "X là Y" names one; another actor doing the act still clashes."""
    rule = "Lao động là người nước ngoài làm việc tại Việt Nam còn được nghỉ thêm 01 ngày Tết cổ truyền dân tộc."
    actors = ActorLexicon.default()
    claim = "Người lao động là người nước ngoài làm việc tại Việt Nam còn được nghỉ thêm 01 ngày Tết cổ truyền dân tộc."
    assert actors.conflict(claim, rule) is None
    assert actors.conflict("Người lao động làm việc tại Việt Nam còn được nghỉ thêm 01 ngày Tết cổ truyền.", rule)


def test_the_workers_organisation_is_another_actor_than_the_worker_it_is_named_after() -> None:
    """Live: «2. Tổ chức đại diện người lao động có quyền tổ chức và lãnh đạo đình công …» decided "Người lao động có
    quyền đình công không?" as the worker's own right: "người lao động" was read inside the organisation's name."""
    actors = ActorLexicon.default()
    worker, _ = actors.person_asked("Người lao động có quyền đình công không?")
    organised = "2. Tổ chức đại diện người lao động có quyền tổ chức và lãnh đạo đình công."
    assert actors.only_others(organised, worker) == "tổ chức đại diện người lao động"
    # the worker named beside it is still named
    assert actors.only_others("Người lao động và tổ chức đại diện người lao động có quyền đình công.", worker) is None
    assert actors.only_others("Tổ chức đại diện người sử dụng lao động có quyền tham gia.", worker) is not None


def test_an_actor_phrase_keeps_the_diacritics_and_commas_that_a_matters_folded_runs_drop() -> None:
    """The lexicon's phrases are read with their tone marks and commas ("vợ, chồng" is one phrase, "cán bộ, công
    chức" another than "cán bộ"), in the standard spelling; a question's matter is looked for in a provision folded
    and without punctuation (`core.text.folded_runs`, which references and figures read). Two readings on purpose."""
    from assistant.actor import _syllables

    assert _syllables("Uỷ ban, Cán bộ; VỢ") == ("ủy", "ban", ",", "cán", "bộ", ";", "vợ")
    assert folded_runs("Uỷ ban, Cán bộ; VỢ") == ["uy", "ban", "can", "bo", "vo"]
    assert folded_runs("bộ, bổ, bỏ") == ["bo", "bo", "bo"] and len(set(_syllables("bộ, bổ, bỏ"))) == 4


# ------------------------------------------------------------------------------------------------ the question's actor


BENCH_ANSWER = (  # what the bench's model wrote (Khoản 5 of the real law), labels and all
    "d) Viên chức làm việc theo hợp đồng làm việc xác định thời hạn có quyền đơn phương chấm dứt hợp đồng trong các "
    "trường hợp sau [1]:\n"
    "a) Không được bố trí theo đúng vị trí việc làm, địa điểm làm việc đã thỏa thuận trong hợp đồng làm việc [1];\n"
    "b) Không được trả lương đầy đủ hoặc không được trả lương đúng thời hạn [1]"
)


def test_an_answer_about_the_vien_chucs_own_right_is_not_shown_for_the_units_question() -> None:
    assert verify(BENCH_ANSWER, [ARTICLE]).status is Verification.VERIFIED  # true, as such
    checked = verify(BENCH_ANSWER, [ARTICLE], question=ASKED)
    assert checked.status is Verification.UNVERIFIED and checked.text == ""
    assert all(any(r.startswith(OFF_QUESTION) for r in s.reasons) for s in checked.sentences)
    assert checked.answered_another_actor
    off = checked.off_question
    assert off is not None and (off.asked, off.said) == ("đơn vị sự nghiệp công lập", "viên chức")


def test_the_units_cases_are_kept_and_the_vien_chucs_are_withheld_from_one_answer() -> None:
    answer = f"- {KHOAN_1} [1].\n- Viên chức bị buộc thôi việc [1].\n{BENCH_ANSWER}"
    checked = verify(answer, [ARTICLE], question=ASKED)
    assert checked.status is Verification.VERIFIED and not checked.answered_another_actor
    assert KHOAN_1 in checked.text and "bị buộc thôi việc" in checked.text
    assert "có quyền" not in checked.text and "trả lương" not in checked.text


def test_a_question_that_names_no_actor_takes_either_actors_rule() -> None:
    checked = verify(BENCH_ANSWER, [ARTICLE], question="Khi nào hợp đồng làm việc bị đơn phương chấm dứt?")
    assert checked.status is Verification.VERIFIED


# ------------------------------------------------------------------------------------------------ the retry


class FirstThenLLM(ScriptedLLM):
    """A stand-in model that writes `first` to the first answer prompt and `second` to the next (here: the viên
    chức's own right, Khoản 4 of the fixture law, then the unit's case of Khoản 1); it keeps the prompts it was
    given."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(second)
        self.first = first
        self.prompts: list[str] = []

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        if "Câu hỏi:" in messages[-1].content:
            self.prompts.append(messages[-1].content)
            if len(self.prompts) == 1:
                yield self.first
                return
        yield from super().stream(messages, config)


def _ask(world: World, llm: FirstThenLLM) -> tuple[Answer, str]:
    """The bench's contract question through the real pipeline over the fixture index; the answer and what
    streamed."""
    seen: list[str] = []
    options = AskOptions(mode="bm25", filters=PUBLIC)
    ans = Assistant(world.searcher, llm_factory=lambda: llm).ask(ASKED, options=options, on_token=seen.append)
    return ans, "".join(seen)


def test_an_answer_for_another_actor_is_asked_again_naming_the_actor_and_nothing_of_it_is_shown(world: World) -> None:
    first = (
        "Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng làm "
        "việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày [1]."
    )
    llm = FirstThenLLM(first, f"- {KHOAN_1} [1].")
    ans, seen = _ask(world, llm)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert KHOAN_1 in ans.answer and "có quyền" not in ans.answer
    assert seen == ans.answer  # nothing of the first answer went out
    assert ans.evidence["retry"].startswith("the first answer spoke of another actor")
    first_prompt, second_prompt = llm.prompts
    assert second_prompt.startswith(first_prompt.rstrip())  # the cached prefix is kept
    assert "câu hỏi hỏi về việc đơn vị sự nghiệp công lập" in second_prompt


def _assert_the_units_rule_is_quoted(ans: Answer) -> None:
    """The answer is Khoản 1 of the fixture law's Điều 29, quoted from its lead-in on, verified."""
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer.splitlines()[0] == (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau "
        "[1]:"
    )
    assert KHOAN_1 in ans.answer


def test_an_answer_for_another_actor_twice_gives_way_to_the_asked_actors_rule_quoted(world: World) -> None:
    """Live, on the demo: "Người lao động được đơn phương chấm dứt hợp đồng lao động khi nào?" was answered with the
    employer's cases (Điều 36), asked again naming the worker, answered with them again, and refused — Điều 35, the
    worker's own right, was [4]. Now the rule of the cited sources whose lead-in gives the act asked to the actor
    asked is quoted, verbatim and verified; nothing of the other actor's cases goes out."""
    own_right = (
        "Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng làm "
        "việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày [1]."
    )
    llm = FirstThenLLM(own_right, own_right)
    ans, seen = _ask(world, llm)
    _assert_the_units_rule_is_quoted(ans)
    assert KHOAN_1 in ans.answer and "có quyền" not in ans.answer and "không được" not in ans.answer
    assert seen == ans.answer and len(llm.prompts) == 2
    assert ans.evidence["rule"].startswith("the answer spoke of another actor")


def test_the_actor_retry_note_is_data_and_names_both_actors() -> None:
    off = verify(BENCH_ANSWER, [ARTICLE], question=ASKED).off_question
    assert off is not None
    user = answer_messages(ASKED, [ARTICLE], retry=True, why=off)[1][1]
    note = user.rstrip().splitlines()[-1]
    assert note == template("answer_retry_actor").strip().format(
        asked=off.asked, predicate=off.predicate, said=off.said
    )
    assert "viên chức" in note and "đơn vị sự nghiệp công lập" in note


# ------------------------------------------------------------------------------------------------ the lexicon


def test_a_malformed_actor_line_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "actors.tsv"
    bad.write_text("# header\nviên chức\tperson\tviên chức\nđơn vị\tsomewhere\tđơn vị\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors\.tsv:3: unknown side 'somewhere'"):
        ActorLexicon.from_file(bad)
    bad.write_text("viên chức\tviên chức\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors\.tsv:1: expected IDENTITY<TAB>SIDE<TAB>PHRASE"):
        ActorLexicon.from_file(bad)
    bad.write_text("người\tperson\tngười\tviên chức\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors\.tsv:1: a stage actor's phrase must name its stage"):
        ActorLexicon.from_file(bad)


# ------------------------------------------------------------------------------------------------ stages

PROBATION_PAY = "1. Trong thời gian tập sự, người tập sự được hưởng 85% mức lương bậc 1 của chức danh nghề nghiệp."


def test_a_vien_chuc_named_with_the_probation_is_the_person_on_probation() -> None:
    """Live: "… tập sự của viên chức, viên chức được hưởng 85% mức lương bậc 1 …" was flagged against the decree's
    "người tập sự được hưởng 85% …" (two actors), and the right answer shown "chưa kiểm chứng"."""
    actors = ActorLexicon.default()
    claim = "Trong thời gian tập sự, viên chức được hưởng 85% mức lương bậc 1 của chức danh nghề nghiệp [1]."
    assert actors.conflict(claim, PROBATION_PAY) is None
    question = "Trong thời gian tập sự viên chức được hưởng lương thế nào?"
    assert actors.off_question(question, "Người tập sự được hưởng 85% mức lương bậc 1 [1].") is None


def test_a_vien_chuc_without_the_probation_named_is_not_the_person_on_probation() -> None:
    """The stage is what makes them one: 85 % of the first step is not every viên chức's pay."""
    actors = ActorLexicon.default()
    claim = "Viên chức được hưởng 85% mức lương bậc 1 của chức danh nghề nghiệp [1]."
    assert actors.conflict(claim, PROBATION_PAY) is not None
    # and another career's stage is not this one: a người lao động on probation is no người tập sự of the decree
    assert actors.conflict("Trong thời gian tập sự, người lao động được hưởng 85% mức lương bậc 1 [1].", PROBATION_PAY)


def test_a_claim_cited_to_the_wrong_source_is_cited_to_the_clause_of_the_person_on_probation() -> None:
    """The bench follow-up, live: the right rule cited [1] (the probation's length) was flagged for its number,
    because the source stating it ([2]) names "người tập sự" and the claim "viên chức"; it is re-cited to [2]."""
    length = _source(1, "2. Thời gian tập sự là 12 tháng đối với chức danh có yêu cầu trình độ đại học.")
    pay = _source(2, PROBATION_PAY)
    answer = "Trong thời gian tập sự, viên chức được hưởng 85% mức lương bậc 1 của chức danh nghề nghiệp [1]."
    result = verify(answer, [length, pay], question="Trong thời gian tập sự, viên chức được hưởng lương thế nào?")
    assert result.status is Verification.VERIFIED, result.sentences
    assert "85% mức lương bậc 1" in result.text and "[2]" in result.text and "[1]" not in result.text


def test_the_rest_of_a_sentence_about_another_actor_after_its_semicolon_is_withheld_with_it() -> None:
    """The bench's second try: Khoản 4 written whole, cut at its ";" — the notice rule after it names no actor."""
    khoan_4 = (
        "4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
        "làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất "
        "45 ngày; trường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì phải báo trước ít "
        "nhất 03 ngày."
    )
    answer = khoan_4[3:-1] + " [1]."
    source = _source(1, f"{UNIT_MAY}\n{khoan_4}")
    checked = verify(answer, [source], question=ASKED)
    assert checked.text == "" and checked.answered_another_actor
    alone = "Trường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì phải báo trước 03 ngày [1]."
    assert verify(alone, [source], question=ASKED).status is Verification.VERIFIED  # not glued to anything withheld


def test_a_question_of_two_thousand_characters_is_read_in_bounded_pieces() -> None:
    """Bounded work: the predicate search reads a long text's first and last `EDGE` tokens; the actor asked about at
    the start of a long question is still found."""
    from assistant.actor import EDGE

    actors = ActorLexicon.default()
    long_question = (ASKED[:-1] + " " + "xin cảm ơn " * 400)[:1999] + "?"
    assert len(actors._tokens(long_question).tokens) == 2 * EDGE + 1
    off = actors.off_question(long_question, BENCH_ANSWER.splitlines()[0])
    assert off is not None and off.asked == "đơn vị sự nghiệp công lập"


# ---------------------------------------------------------------------------------------------- a negated list's cases


MAY_NOT = (
    "3. Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường "
    "hợp sau:\n"
    "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh;\n"
    "b) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi."
)


def test_cases_of_a_may_not_list_under_a_lead_in_that_drops_the_negation_are_not_verified() -> None:
    """Seen on the bench's follow-up ("… đơn vị phải báo trước bao nhiêu ngày?"): the model listed Khoản 3's cases
    under "- Trường hợp a:", "- Trường hợp b:" — shown as verified cases, with nothing saying the unit may NOT end the
    contract in them."""
    answer = (
        "- Trường hợp a:\n"
        "Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh [1].\n"
        "- Trường hợp b:\n"
        "Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi [1]."
    )
    question = "Đơn vị phải báo trước cho viên chức bao nhiêu ngày khi đơn phương chấm dứt hợp đồng làm việc?"
    checked = verify(answer, [_source(1, MAY_NOT)], question=question)
    assert checked.status is Verification.UNVERIFIED
    assert any("không được" in r for s in checked.sentences for r in s.reasons)
    kept = (
        "Đơn vị không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau [1]:\n"
        "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh [1];"
    )
    assert verify(kept, [_source(1, MAY_NOT)], question=question).status is Verification.VERIFIED
    # the answer's own words for the same prohibition
    own_words = kept.replace("không được", "không thể")
    assert verify(own_words, [_source(1, MAY_NOT)], question=question).status is Verification.VERIFIED


def test_a_case_of_a_may_not_list_stitched_to_another_clauses_rule_is_not_verified() -> None:
    """Seen on the same follow-up, asked again: "Nếu viên chức ốm đau …, đơn vị phải báo trước ít nhất 45 ngày" —
    Khoản 3's case (the unit may NOT end the contract) glued to Khoản 2's notice period, every word and number in
    the article. The clause that states most of it (the one with 45) carries no "không được"; the case does."""
    article = _source(
        1,
        "2. Khi đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc với viên chức, đơn vị phải báo cho "
        "viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không xác định thời hạn.\n" + MAY_NOT,
    )
    answer = (
        "- Nếu viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh, "
        "đơn vị phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng làm việc không xác định thời hạn "
        "[1]."
    )  # its "không" is about the contract's term, not the act the list forbids
    checked = verify(answer, [article], question="Đơn vị phải báo trước cho viên chức bao nhiêu ngày?")
    assert checked.status is Verification.UNVERIFIED
    notice = "- Đơn vị phải báo cho viên chức biết trước ít nhất 45 ngày đối với hợp đồng không xác định thời hạn [1]."
    assert verify(notice, [article]).status is Verification.VERIFIED


# ------------------------------------------------------------------------------------------ the other side of the rule

# The bench's contract question, asked again after the actor check (assistant_native_xeon.json): the model listed
# Khoản 3 — where the unit may NOT end the contract —, its "không được" kept. True and cited, and not the answer:
# the cases asked for are Khoản 1's, of which Khoản 3's are the exceptions.
MAY_NOT_ANSWER = (
    "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
    "sau [1]:\n"
    "a) Viên chức ốm đau hoặc bị tai nạn, đang điều trị bệnh nghề nghiệp theo quyết định của cơ sở chữa bệnh [1];\n"
    "b) Viên chức nữ đang trong thời gian có thai, nghỉ thai sản, nuôi con dưới 36 tháng tuổi [1]."
)
WHOLE = _source(1, f"{UNIT_MAY}\n{MAY_NOT}", anchor="Điều 29 Luật Viên chức thử nghiệm")


def test_an_answer_giving_only_where_the_act_asked_about_is_forbidden_answers_the_other_side() -> None:
    checked = verify(MAY_NOT_ANSWER, [WHOLE], question=ASKED)
    assert checked.status is Verification.VERIFIED  # every sentence true, its negation kept
    assert checked.opposite is not None and checked.opposite.act == "đơn phương chấm dứt hợp đồng"
    assert verify(MAY_NOT_ANSWER, [WHOLE]).opposite is None  # no question: nothing to answer the other side of


def test_the_exceptions_beside_the_rule_answer_the_question() -> None:
    answer = f"- {KHOAN_1} [1].\n{MAY_NOT_ANSWER}"
    checked = verify(answer, [WHOLE], question=ASKED)
    assert checked.status is Verification.VERIFIED and checked.opposite is None
    assert KHOAN_1 in checked.text and "không được đơn phương" in checked.text  # the exceptions stay, beside it


@pytest.mark.parametrize(
    "question",
    [
        # asks for the forbidden cases themselves
        "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?",
        # a yes/no question: "không được" is its answer
        "Đơn vị có được đơn phương chấm dứt hợp đồng làm việc với viên chức đang nghỉ thai sản không?",
        # asks about another act
        "Viên chức được hưởng trợ cấp thôi việc trong trường hợp nào?",
    ],
)
def test_a_prohibition_answers_a_question_that_does_not_ask_when_the_act_is_done(question: str) -> None:
    assert verify(MAY_NOT_ANSWER, [WHOLE], question=question).opposite is None


FIXTURE_MAY_NOT = (  # Khoản 3 of the fixture law, as the model would copy it
    "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
    "sau [1]:\n"
    "b) Viên chức đang nghỉ hằng năm, nghỉ về việc riêng và những trường hợp nghỉ khác được người đứng đầu đơn vị sự "
    "nghiệp công lập cho phép [1]."
)


def test_only_the_exceptions_get_the_rule_they_are_exceptions_to_quoted_before_them(world: World) -> None:
    """The bench's contract answer, live: Khoản 3 alone, and asked again with the note, Khoản 3 alone again. Khoản 1
    is in the prompt (the whole article): it is quoted verbatim before the exceptions, no second generation."""
    llm = FirstThenLLM(FIXTURE_MAY_NOT, "never asked")
    ans, seen = _ask(world, llm)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    lines = ans.answer.splitlines()
    assert lines[0] == (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau "
        "[1]:"
    )
    assert KHOAN_1 in lines[1] and "không được đơn phương" in ans.answer  # the rule, then its exceptions
    assert ans.answer.index(KHOAN_1) < ans.answer.index("không được đơn phương")
    assert seen == ans.answer and len(llm.prompts) == 1
    assert ans.evidence["rule"].startswith("the answer gave only the exceptions") and "retry" not in ans.evidence
    assert "đ) Khi đơn vị sự nghiệp công lập chấm dứt hoạt động" in ans.answer  # the whole list, to its last item
    assert "; khi sức khỏe của viên chức bình phục" in ans.answer  # an item's part after its ";" stays with it
    bound = [(s.text.split()[0], s.clause.label) for s in ans.sentences if s.supported and s.clause is not None]
    # each highlight on the clause that says it: the rule's lead-in on Khoản 1, the exceptions' on Khoản 3
    assert bound[0] == ("Đơn", "Khoản 1") and ("a)", "Điểm a Khoản 1") in bound and ("Đơn", "Khoản 3") in bound


def test_exceptions_written_as_the_rule_are_withheld_and_the_rule_they_except_is_quoted(world: World) -> None:
    """Live, on the demo: asked when the unit may end a viên chức's contract, the model wrote Khoản 3's cases (where
    it may NOT) as the cases where it may. Each was withheld ("the cited text says «không được đơn phương chấm dứt
    hợp đồng» and the claim does not") and the answer was the refusal, though Khoản 1, the rule asked for, was in
    the article cited. Now the rule is quoted from the article made whole, verbatim and verified; none of the
    inverted cases goes out."""
    inverted = (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức khi viên chức đang nghỉ "
        "hằng năm, nghỉ về việc riêng và những trường hợp nghỉ khác được người đứng đầu đơn vị sự nghiệp công lập "
        "cho phép [1]."
    )
    llm = FirstThenLLM(inverted, inverted)
    ans, seen = _ask(world, llm)
    _assert_the_units_rule_is_quoted(ans)
    assert KHOAN_1 in ans.answer and "đang nghỉ hằng năm" not in ans.answer and "không được" not in ans.answer
    assert seen == ans.answer
    assert ans.evidence["rule"].startswith("the answer stated the cases where")
    assert "không được đơn phương chấm dứt hợp đồng" in ans.evidence["rule"]


def test_the_rule_for_when_the_act_may_be_done_gives_way_to_the_cases_where_it_may_not(world: World) -> None:
    """Live, on the demo: "Khi nào người lao động không được từ chối làm thêm giờ?" was answered, verified, with
    Điều 107 Bộ luật Lao động's conditions for overtime; Điều 108, "… người lao động không được từ chối trong trường
    hợp sau đây:", was [1]. Here the fixture law: asked when the unit may NOT end the contract, the model gives
    Khoản 1's cases (when it may). The answer was held, and Khoản 3 — the lead-in and its items — is quoted
    instead, verbatim and verified; nothing of Khoản 1 goes out."""
    asked = "Khi nào đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức?"
    may = (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
        f"sau [1]:\na) {KHOAN_1} [1]."
    )
    llm = FirstThenLLM(may, may)
    seen: list[str] = []
    options = AskOptions(mode="bm25", filters=PUBLIC)
    ans = Assistant(world.searcher, llm_factory=lambda: llm).ask(asked, options=options, on_token=seen.append)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer.splitlines()[0] == (
        "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường "
        "hợp sau [1]:"
    )
    assert "Viên chức nữ đang trong thời gian có thai" in ans.answer and KHOAN_1 not in ans.answer
    assert "".join(seen) == ans.answer
    assert ans.evidence["rule"] == (
        "the answer did not say when «không được đơn phương» applies; the rule that says it is quoted"
    )


def test_the_cases_where_the_act_may_not_be_done_are_quoted_when_nothing_the_model_wrote_was_kept(
    world: World,
) -> None:
    """Live, on the demo: asked when the unit may NOT end a viên chức's contract, the model wrote the severance
    rules, each withheld, and the answer was the refusal — Khoản 3 of the article cited said it. Now it is quoted."""
    asked = "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    unrelated = "Hồ sơ của viên chức được bảo quản trong 70 năm [1]."
    llm = FirstThenLLM(unrelated, unrelated)
    options = AskOptions(mode="bm25", filters=PUBLIC)
    ans = Assistant(world.searcher, llm_factory=lambda: llm).ask(asked, options=options)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert ans.answer.startswith("Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc")
    assert "Viên chức nữ đang trong thời gian có thai" in ans.answer and "70 năm" not in ans.answer


def test_the_cases_where_the_act_may_not_be_done_are_quoted_when_the_withheld_claims_worded_the_negation(
    world: World,
) -> None:
    """Live, on the demo: asked when the employer may NOT end a labour contract, the model wrote "… không được đơn
    phương chấm dứt hợp đồng lao động trong trường hợp quy định tại các điểm a, b, c …", each claim withheld, and
    the answer was the refusal: the withheld claims' own words were read as saying the negation asked."""
    asked = "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    withheld = (
        "Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức có 02 năm liên "
        "tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ [1]."
    )
    llm = FirstThenLLM(withheld, withheld)
    options = AskOptions(mode="bm25", filters=PUBLIC)
    ans = Assistant(world.searcher, llm_factory=lambda: llm).ask(asked, options=options)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert "Viên chức nữ đang trong thời gian có thai" in ans.answer and "02 năm liên tiếp" not in ans.answer


def test_the_rule_is_the_list_that_states_the_act_without_forbidding_it() -> None:
    opposite = verify(MAY_NOT_ANSWER, [WHOLE], question=ASKED).opposite
    assert opposite is not None
    assert the_rule(opposite, [_source(1, MAY_NOT)], ASKED) is None  # only the exceptions in the sources
    rule = the_rule(opposite, [_source(1, OWN_RIGHT), _source(2, f"{UNIT_MAY}\n{MAY_NOT}")], ASKED)
    assert rule is not None and rule.splitlines()[1].endswith("nhiệm vụ [2];")  # the viên chức's right is no rule
    assert all(line.rstrip(";.:").endswith("[2]") for line in rule.splitlines())


@pytest.fixture
def no_rule_in_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture law's article always holds Khoản 1; these cases stand for a source that holds only the
    exceptions (`the_rule` finds nothing), where the model is asked again."""
    monkeypatch.setattr(pipeline, "the_rule", lambda *_: None)


@pytest.mark.usefixtures("no_rule_in_the_sources")
def test_only_the_other_side_is_asked_again_naming_the_act_and_none_of_it_goes_out(world: World) -> None:
    llm = FirstThenLLM(FIXTURE_MAY_NOT, f"- {KHOAN_1} [1].")
    ans, seen = _ask(world, llm)
    assert not ans.refused and ans.verification is Verification.VERIFIED
    assert KHOAN_1 in ans.answer and "không được" not in ans.answer
    assert seen == ans.answer  # nothing of the first answer went out
    assert ans.evidence["retry"].startswith("the first answer gave only the cases where the act asked about may not")
    first_prompt, second_prompt = llm.prompts
    assert second_prompt.startswith(first_prompt.rstrip())  # the cached prefix is kept
    assert second_prompt.rstrip().splitlines()[-1] == template("answer_retry_opposite").strip().format(
        act="đơn phương chấm dứt hợp đồng"
    )


@pytest.mark.usefixtures("no_rule_in_the_sources")
def test_the_other_side_twice_is_shown_once_no_retry_can_replace_it(world: World) -> None:
    llm = FirstThenLLM(FIXTURE_MAY_NOT, FIXTURE_MAY_NOT)
    ans, seen = _ask(world, llm)
    assert not ans.refused and "không được đơn phương" in ans.answer  # true and cited: the exceptions, kept
    assert seen == ans.answer  # streamed once, the second time
    assert len(llm.prompts) == 2


def test_a_dash_line_after_the_answers_own_list_is_read_by_itself_for_its_actor() -> None:
    """Seen live after the rule quoting (assistant_native_rule.json): Khoản 3's list, then "- Viên chức … có quyền
    đơn phương chấm dứt hợp đồng …" (Khoản 4, the viên chức's own right), shown as verified: read as one more case of
    Khoản 3's lead-in, its act was the unit's."""
    khoan_4 = (
        "4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
        "làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày."
    )
    answer = (
        f"{MAY_NOT_ANSWER}\n- Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương "
        "chấm dứt hợp đồng làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập "
        "biết trước ít nhất 45 ngày [1]."
    )
    checked = verify(answer, [_source(1, f"{UNIT_MAY}\n{MAY_NOT}\n{khoan_4}")], question=ASKED)
    assert "có quyền" not in checked.text
    assert any(r.startswith(OFF_QUESTION) for s in checked.sentences for r in s.reasons)


def test_a_dash_line_naming_the_actor_asked_is_kept_after_a_list_of_another_actors_cases() -> None:
    """The mirror of the test above. Live, "Viên chức được đơn phương chấm dứt hợp đồng làm việc khi nào?" was
    answered with the unit's cases (withheld, rightly), then "- Viên chức làm việc theo hợp đồng làm việc không xác
    định thời hạn có quyền đơn phương chấm dứt hợp đồng …" — the viên chức's own right, which answers it — withheld
    too: the line names its actor, the one asked, and was read with the unit's lead-in after that. The answer was the
    refusal."""
    khoan_4 = (
        "4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
        "làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày; trường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì phải báo trước ít nhất 03 "
        "ngày."
    )
    own = (
        "- Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
        "làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày [1]; trường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì phải báo trước ít "
        "nhất 03 ngày [1]."
    )
    unit_cases = (
        "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau "
        "[1]:\na) Viên chức bị buộc thôi việc [1]."
    )
    asked = "Viên chức được đơn phương chấm dứt hợp đồng làm việc khi nào?"
    checked = verify(f"{unit_cases}\n{own}", [_source(1, f"{UNIT_MAY}\n{khoan_4}")], question=asked)
    assert "có quyền đơn phương chấm dứt" in checked.text
    assert "báo trước ít nhất 03 ngày" in checked.text  # its rest after the ";", with it
    assert "buộc thôi việc" not in checked.text  # the unit's case, still withheld
    kept = [s for s in checked.sentences if "45 ngày" in s.text or "03 ngày" in s.text]
    assert len(kept) == 2 and all(s.supported for s in kept), [s.reasons for s in kept]


@pytest.fixture
def found_clause_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget keeps the clause search found, not the fixture's Khoản 1: it stands for an article whose rule names
    fewer of the question's words than its exceptions do (here they name them alike, and Khoản 1, which says what
    the question asks of the unit, would be given instead: `context.naming_more`)."""
    monkeypatch.setattr(assistant.context, "naming_more", lambda *_: None)


@pytest.mark.usefixtures("found_clause_kept")
def test_the_rule_cut_from_the_prompt_by_the_budget_is_quoted_from_its_whole_article(world: World) -> None:
    """Live on the demo corpus: Điều 29 as in force today went to the model as "Khoản 2-6" beside a second article
    (the budget), so Khoản 1 was not in the prompt; its exceptions alone came back. The article is made whole under
    the same filters and its Khoản 1 quoted; the citation is the whole article."""
    settings = world.settings.model_copy(update={"answer_context_chars": 700})
    searcher = Searcher(world.searcher.store, settings)
    llm = FirstThenLLM(FIXTURE_MAY_NOT, "never asked")
    seen: list[str] = []
    options = AskOptions(mode="bm25", filters=PUBLIC)
    ans = Assistant(searcher, llm_factory=lambda: llm).ask(ASKED, options=options, on_token=seen.append)
    assert KHOAN_1 not in llm.prompts[0]  # the premise: the budget cut Khoản 1
    assert not ans.refused and KHOAN_1 in ans.answer and "".join(seen) == ans.answer
    assert ans.evidence["rule"].startswith("the answer gave only the exceptions") and len(llm.prompts) == 1
    cited = ans.citations[0]
    assert KHOAN_1 in cited.hit.text and "không được đơn phương" in cited.hit.text


def test_the_quoted_rule_keeps_every_item_when_one_item_runs_over_a_full_stop() -> None:
    """The law in force (pháp điển): "c) … chưa hồi phục. Khi sức khỏe … bình phục thì …;" then "d) …", "đ) …", "e) …".
    The sentence after c's full stop ended the list, and the quote stopped at c — a list that looked whole."""
    law = (
        "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp "
        "sau:\n"
        "c) Viên chức bị ốm đau đã điều trị 12 tháng liên tục mà khả năng làm việc chưa hồi phục. Khi sức khỏe của "
        "viên chức bình phục thì được xem xét để ký kết tiếp hợp đồng làm việc;\n"
        "d) Do thiên tai, hỏa hoạn buộc phải thu hẹp quy mô;\n"
        "đ) Khi đơn vị sự nghiệp công lập chấm dứt hoạt động.\n"
        "Trường hợp khác do Chính phủ quy định.\n"
    )
    opposite = verify(MAY_NOT_ANSWER, [WHOLE], question=ASKED).opposite
    assert opposite is not None
    rule = the_rule(opposite, [_source(1, f"{law}{MAY_NOT}")], ASKED)
    assert rule is not None
    lines = rule.splitlines()
    assert [line[:2] for line in lines[1:]] == ["c)", "d)", "đ)"] and "Khi sức khỏe" in lines[1]
    assert "Trường hợp khác" not in rule  # a closing paragraph after the last item is not an item


def test_the_rest_of_a_hidden_sentence_after_its_semicolon_is_not_shown_as_the_answer() -> None:
    """Live (bench, retry after "another actor"): Khoản 3's list, then the viên chức's own right written without a
    marker — hidden, unattributed — and its rest after the ";" with one: "trường hợp viên chức ốm đau … thì phải báo
    trước ít nhất 03 ngày [1]." was shown as verified (the viên chức's notice, read as an answer to the unit's act),
    and, counting as an answer, it kept the rule of Khoản 1 from being quoted."""
    khoan_4 = (
        "4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
        "làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập biết trước ít nhất 45 "
        "ngày; trường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì phải báo trước ít nhất 03 "
        "ngày."
    )
    answer = (
        f"{MAY_NOT_ANSWER}\n- Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương "
        "chấm dứt hợp đồng làm việc nhưng phải thông báo bằng văn bản cho người đứng đầu đơn vị sự nghiệp công lập "
        "biết trước ít nhất 45 ngày;\ntrường hợp viên chức ốm đau hoặc bị tai nạn đã điều trị 06 tháng liên tục thì "
        "phải báo trước ít nhất 03 ngày [1]."
    )
    checked = verify(answer, [_source(1, f"{UNIT_MAY}\n{MAY_NOT}\n{khoan_4}")], question=ASKED)
    assert "03 ngày" not in checked.text and "45 ngày" not in checked.text
    assert checked.opposite is not None  # only the exceptions are shown: the rule is quoted before them
    # a labelled item after a hidden line is its own sentence, and still checked for itself
    listed = verify("Câu không có trích dẫn nào;\na) Viên chức ốm đau hoặc bị tai nạn [1];", [_source(1, MAY_NOT)])
    assert listed.sentences[-1].reasons != ("it continues, after its ';', a sentence that is not shown",)


def test_a_cong_chuc_on_probation_is_not_verified_on_the_vien_chuc_decrees_probation_clause() -> None:
    """The stage joins "người tập sự" to viên chức and công chức alike; which regime a source is, its named terms
    say: a công chức claim on a viên chức source ("Luật Viên chức …" heading) stays unsupported."""
    claim = "Trong thời gian tập sự, công chức được hưởng 85% mức lương bậc 1 của chức danh nghề nghiệp [1]."
    result = verify(claim, [_source(1, PROBATION_PAY)])
    assert result.status is Verification.UNVERIFIED
    assert any("công chức" in r for s in result.sentences for r in s.reasons)


# Written for this test after Nghị định 112/2020/NĐ-CP Điều 40 (what follows a viên chức's dismissal).
DISMISSED = _source(
    1,
    "1. Viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc nhưng được cơ quan bảo hiểm "
    "xã hội xác nhận thời gian làm việc đã đóng bảo hiểm xã hội.",
    anchor="Điều 40 Nghị định 12/2099/NĐ-CP",
)
DISMISSED_CLAIM = (
    "Viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc nhưng được cơ quan bảo hiểm xã "
    "hội xác nhận thời gian làm việc đã đóng bảo hiểm xã hội [1]."
)


def test_what_befalls_another_person_than_the_one_asked_is_not_the_answer() -> None:
    """Live: "Khi nào công chức bị buộc thôi việc?" was answered, as verified, with what follows a viên chức's
    dismissal. Neither names who dismisses, so no agent was compared; the one who undergoes it now is."""
    checked = verify(DISMISSED_CLAIM, [DISMISSED], question="Khi nào công chức bị buộc thôi việc?")
    assert checked.status is Verification.UNVERIFIED and checked.text == ""
    off = checked.off_question
    assert off is not None and (off.asked, off.predicate, off.said) == ("công chức", "buộc thôi việc", "viên chức")
    asked_right = verify(DISMISSED_CLAIM, [DISMISSED], question="Viên chức bị buộc thôi việc thì được hưởng gì?")
    assert asked_right.status is Verification.VERIFIED


def test_a_claim_without_a_subject_from_an_article_about_another_person_is_not_the_answer() -> None:
    """Live, after the lines above were withheld: "Trường hợp bị xử lý kỷ luật buộc thôi việc do tham nhũng … thì
    không được đăng ký dự tuyển …" remained — no subject of its own, from an article that never names a công
    chức. A question about one person is not answered from articles about another."""
    source = _source(
        1,
        "c) Sau 12 tháng, viên chức bị xử lý kỷ luật buộc thôi việc được quyền đăng ký dự tuyển. Trường hợp bị xử "
        "lý kỷ luật buộc thôi việc do tham nhũng thì không được đăng ký dự tuyển vào vị trí có liên quan.",
        anchor="Điều 40 Nghị định 12/2099/NĐ-CP",
    )
    claim = "Trường hợp bị xử lý kỷ luật buộc thôi việc do tham nhũng thì không được đăng ký dự tuyển [1]."
    checked = verify(claim, [source], question="Khi nào công chức bị buộc thôi việc?")
    assert checked.status is Verification.UNVERIFIED and checked.off_question is not None
    assert (checked.off_question.asked, checked.off_question.said) == ("công chức", "viên chức")
    # the same claim answers a question about the person its article speaks of, and one naming no person — what
    # follows the dismissal, not when it is done (asked when, the act is its case: `verify.act_as_its_case`)
    when = verify(claim, [source], question="Khi nào viên chức bị buộc thôi việc?")
    assert when.status is Verification.UNVERIFIED and "the act is its case" in when.sentences[0].reasons[0]
    follows = "Viên chức bị buộc thôi việc thì có được đăng ký dự tuyển?"
    assert verify(claim, [source], question=follows).status is Verification.VERIFIED
    assert verify(claim, [source], question="Bị buộc thôi việc thì có được dự tuyển?").status is Verification.VERIFIED


def test_an_act_named_as_a_noun_for_another_person_than_the_one_asked_is_withheld() -> None:
    """Live: asked "Viên chức được tuyển dụng theo những phương thức nào?", the answer went on "- Việc tuyển dụng công
    chức được thực hiện thông qua thi tuyển, trừ trường hợp quy định tại khoản 2 Điều này [2]." (Luật Cán bộ, công
    chức), verified: "tuyển dụng" is two syllables, no one is named doing it, and the công chức undergoes it after a
    nominalising "việc". The viên chức's own line stays, and so does a rule for "cán bộ, công chức, viên chức"."""
    question = "Viên chức được tuyển dụng theo những phương thức nào?"
    own = _source(1, "1. Việc tuyển dụng viên chức được thực hiện thông qua thi tuyển hoặc xét tuyển.")
    other = _source(2, "1. Việc tuyển dụng công chức được thực hiện thông qua thi tuyển.")
    mine = "- Việc tuyển dụng viên chức được thực hiện thông qua thi tuyển hoặc xét tuyển [1]."
    checked = verify(
        f"{mine}\n- Việc tuyển dụng công chức được thực hiện thông qua thi tuyển [2].", [own, other], question=question
    )
    assert checked.text == mine and checked.status is Verification.VERIFIED
    assert any(r.startswith(OFF_QUESTION) and "công chức" in r for c in checked.sentences for r in c.reasons)
    actors = ActorLexicon.default()
    nominal = "Việc tuyển dụng viên chức được thực hiện theo phương thức nào?"
    assert actors.off_question(nominal, "Việc tuyển dụng công chức được thực hiện thông qua thi tuyển") is not None
    # a rule for "cán bộ, công chức" is not one for a viên chức (a group is its members, no one else) …
    assert actors.off_question(question, "Việc tuyển dụng cán bộ, công chức phải công khai") is not None
    # … and one for all three is
    assert actors.off_question(question, "Việc tuyển dụng cán bộ, công chức, viên chức phải công khai") is None
    assert actors.off_question(question, "Việc tuyển dụng viên chức căn cứ vào nhu cầu công việc") is None


def test_a_list_for_another_person_than_the_one_asked_is_withheld_with_its_items() -> None:
    """Live: asked "Các hình thức kỷ luật đối với viên chức là gì?", the answer gave Điều 52 Luật Viên chức's four
    forms, then went on "- Các hình thức kỷ luật đối với công chức là [2]: … c) Hạ bậc lương [2]; d) Giáng chức [2];"
    (Luật Cán bộ, công chức), verified: no one does "hình thức kỷ luật"; the person it applies to, named after "đối
    với", is another. That lead-in and every item under it are withheld; a rule "đối với cán bộ, công chức, viên
    chức" applies to the one asked too."""
    question = "Các hình thức kỷ luật đối với viên chức là gì?"
    own = _source(1, "1. Các hình thức kỷ luật đối với viên chức:\na) Khiển trách;\nb) Cảnh cáo;\nc) Cách chức.")
    other = _source(2, "1. Các hình thức kỷ luật đối với công chức:\na) Khiển trách;\nb) Hạ bậc lương;\nc) Giáng chức.")
    mine = "Các hình thức kỷ luật đối với viên chức là [1]:\na) Khiển trách [1];\nb) Cảnh cáo [1];\nc) Cách chức [1]."
    theirs = "- Các hình thức kỷ luật đối với công chức là [2]:\nb) Hạ bậc lương [2];\nc) Giáng chức [2]."
    checked = verify(f"{mine}\n{theirs}", [own, other], question=question)
    assert "Hạ bậc lương" not in checked.text and "Giáng chức" not in checked.text
    assert "Cách chức" in checked.text and checked.status is Verification.VERIFIED
    actors = ActorLexicon.default()
    off = actors.off_question(question, "Các hình thức kỷ luật đối với công chức là [2]:")
    assert off is not None and (off.asked, off.said) == ("viên chức", "công chức")
    assert actors.off_question(question, "Các hình thức kỷ luật đối với cán bộ, công chức, viên chức gồm") is None
    rights = "Quyền của viên chức về nghỉ ngơi là gì?"
    assert actors.off_question(rights, "Quyền của công chức về nghỉ ngơi") is not None


def test_a_rule_for_can_bo_cong_chuc_is_not_quoted_for_a_vien_chuc() -> None:
    """Live: asked whether a viên chức dismissed from a post (cách chức) is restricted, the quotes given instead of
    an answer put Luật Cán bộ, công chức's Điều 82 ("Cán bộ, công chức bị khiển trách …") first, beside Luật Viên
    chức's Điều 56: "cán bộ, công chức" was read as anyone. A group is each of its members and no one else."""
    from dataclasses import replace

    from assistant.references import on_matter

    cadre = _source(1, "1. Cán bộ, công chức bị kỷ luật cách chức thì thời gian nâng lương bị kéo dài 12 tháng.")
    headings = ["Luật Cán bộ, công chức", "Điều 82. Các quy định khác"]
    cadre = replace(cadre, hit=replace(cadre.hit, heading_path=headings))
    own = _source(2, "2. Viên chức bị kỷ luật cách chức thì không thực hiện việc quy hoạch, bổ nhiệm trong 24 tháng.")
    question = "Viên chức bị kỷ luật cách chức thì có bị hạn chế gì không?"
    assert [s.marker for s in on_matter(question, [cadre, own])] == [2]
    assert [s.marker for s in on_matter(question.replace("Viên chức", "Công chức"), [cadre, own])] == [1]
    actors = ActorLexicon.default()
    person, _ = actors.person_asked(question)
    assert actors.other_person(cadre.hit.text, person) == "cán bộ , công chức"
    assert actors.other_person("Cán bộ, công chức, viên chức phải kê khai tài sản.", person) is None


def test_a_code_article_applied_by_the_persons_own_law_stays_quoted_when_its_first_applier_goes() -> None:
    """Live: asked "Còn viên chức thì sao?" after a công chức's annual leave, Điều 113 Bộ luật Lao động had joined
    through Luật Cán bộ, công chức's Điều 13 ("… theo quy định của pháp luật về lao động"); once that article was
    left out of the quotes as another person's, the code's 12 ngày went with it, although Luật Viên chức's Điều 13
    applies it in the same words. It stays, referred from the viên chức's article."""
    from dataclasses import replace

    from assistant.references import Referral, ReferredSource, on_matter
    from ingest.versions import Reference

    by_field = "theo quy định của pháp luật về lao động"
    cadre = _source(1, f"Cán bộ, công chức được nghỉ hàng năm, nghỉ lễ {by_field}.")
    cadre = replace(cadre, hit=replace(cadre.hit, heading_path=["Luật Cán bộ, công chức", "Điều 13. Nghỉ ngơi"]))
    own = _source(2, f"1. Viên chức được nghỉ hàng năm, nghỉ lễ, nghỉ việc riêng {by_field}.")
    law = _source(3, "1. Người lao động làm việc đủ 12 tháng thì được nghỉ hằng năm 12 ngày làm việc.")
    law = replace(law, hit=replace(law.hit, heading_path=["Bộ luật Lao động", "Điều 113. Nghỉ hằng năm"]))
    referral = Referral(1, cadre.hit.anchor, Reference("45/2019/QH14", None, None, by_field, "field"))
    code = ReferredSource(3, law.hit, law.text, law.start, law.end, referred_from=referral)
    kept = on_matter("Viên chức được nghỉ hằng năm bao nhiêu ngày?", [cadre, own, code])
    assert [s.marker for s in kept] == [2, 3] and kept[1].applied_by == 2


def test_an_applier_is_cited_only_for_a_person_its_code_article_does_not_name() -> None:
    """Probed: asked "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong những trường hợp nào?",
    the answer cited Điều 115 Bộ luật Lao động alone, and its citations also showed Khoản 1-3 Điều 34 Luật Bảo hiểm
    xã hội — whose "… theo quy định của pháp luật về lao động" (on maternity leave) had reached the code. The
    applier is what makes the code's rule the asked person's: for a viên chức it is cited, for a người lao động,
    whom the code names, it is not."""
    from dataclasses import replace

    from assistant.pipeline import with_appliers
    from assistant.references import Referral, ReferredSource
    from ingest.versions import Reference

    by_field = "theo quy định của pháp luật về lao động"
    own = _source(1, f"1. Viên chức được nghỉ hàng năm, nghỉ lễ, nghỉ việc riêng {by_field}.")
    insurance = _source(2, f"Thời gian nghỉ việc hưởng chế độ thai sản của lao động nữ {by_field}.")
    insurance = replace(insurance, hit=replace(insurance.hit, heading_path=["Luật Bảo hiểm xã hội", "Điều 34"]))
    law = _source(3, "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương: a) Kết hôn: nghỉ 03 ngày.")
    law = replace(law, hit=replace(law.hit, heading_path=["Bộ luật Lao động", "Điều 115. Nghỉ việc riêng"]))
    for applier in (own, insurance):
        reference = Reference("45/2019/QH14", None, None, by_field, "field")
        referral = Referral(applier.marker, applier.hit.anchor, reference)
        code = ReferredSource(3, law.hit, law.text, law.start, law.end, referred_from=referral)
        sources = [own, insurance, code]
        worker = with_appliers(sources, (3,), "Người lao động được nghỉ việc riêng khi kết hôn mấy ngày?")
        assert [s.marker for s in worker] == [3]
        official = with_appliers(sources, (3,), "Viên chức được nghỉ việc riêng khi kết hôn mấy ngày?")
        assert [s.marker for s in official] == ([1, 3] if applier is own else [3])


EMPLOYER_MAY = (
    "Điều 36. Quyền đơn phương chấm dứt hợp đồng lao động của người sử dụng lao động\n"
    "1. Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng lao động trong trường hợp sau đây:\n"
    "a) Người lao động thường xuyên không hoàn thành công việc theo hợp đồng lao động được xác định theo tiêu chí "
    "đánh giá mức độ hoàn thành công việc trong quy chế của người sử dụng lao động. Quy chế đánh giá mức độ hoàn "
    "thành công việc do người sử dụng lao động ban hành nhưng phải tham khảo ý kiến tổ chức đại diện người lao động "
    "tại cơ sở;\n"
    "b) Người lao động bị ốm đau, tai nạn đã điều trị 12 tháng liên tục mà khả năng lao động chưa hồi phục.\n"
    "Khi sức khỏe của người lao động bình phục thì người sử dụng lao động xem xét để tiếp tục giao kết hợp đồng lao "
    "động với người lao động;\n"
    "c) Người lao động tự ý bỏ việc mà không có lý do chính đáng từ 05 ngày làm việc liên tục trở lên."
)
WORKER_ASKS = "Người lao động được đơn phương chấm dứt hợp đồng lao động khi nào?"


def test_a_claim_giving_its_subject_the_act_its_clause_gives_another_is_flagged_though_it_copies_more_of_it() -> None:
    """Live, "Người lao động được đơn phương chấm dứt hợp đồng lao động khi sức khỏe của người lao động bình phục thì
    người sử dụng lao động xem xét để tiếp tục giao kết …" was verified on Điểm b Khoản 1 Điều 36 Bộ luật Lao
    động: the actor check read only the longest run the claim shares with the clause, the copied sentence, whose
    actor is the employer in both; the claim's own subject and act, the worker ending the contract, were not read."""
    claim = (
        "Người lao động được đơn phương chấm dứt hợp đồng lao động khi sức khỏe của người lao động bình phục thì "
        "người sử dụng lao động xem xét để tiếp tục giao kết hợp đồng lao động với người lao động [1]."
    )
    checked = verify(claim, [_source(1, EMPLOYER_MAY)])
    assert checked.status is not Verification.VERIFIED
    assert any("người sử dụng lao động" in r for r in checked.sentences[0].reasons)
    # the employer's act given to the employer, the copied sentence after it, stays verified
    employer = verify(
        claim.replace("Người lao động được", "Người sử dụng lao động được", 1), [_source(1, EMPLOYER_MAY)]
    )
    assert employer.status is Verification.VERIFIED, employer.sentences[0].reasons


def test_a_quoted_items_second_sentence_keeps_the_rest_of_the_list_under_its_lead_in() -> None:
    """Live, the employer's cases quoted whole for the worker's question: the lead-in and Điểm a were withheld as
    another actor's act, but Điểm a's second sentence ("Quy chế đánh giá …") was read as a line of its own, the
    lead-in was dropped after it, and Điểm b-g went out, verified, as the worker's cases."""
    answer = (
        "Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng lao động trong trường hợp sau đây [1]:\n"
        "a) Người lao động thường xuyên không hoàn thành công việc theo hợp đồng lao động được xác định theo tiêu chí "
        "đánh giá mức độ hoàn thành công việc trong quy chế của người sử dụng lao động [1]. Quy chế đánh giá mức độ "
        "hoàn thành công việc do người sử dụng lao động ban hành nhưng phải tham khảo ý kiến tổ chức đại diện người "
        "lao động tại cơ sở [1];\n"
        "b) Người lao động bị ốm đau, tai nạn đã điều trị 12 tháng liên tục mà khả năng lao động chưa hồi phục [1].\n"
        "c) Người lao động tự ý bỏ việc mà không có lý do chính đáng từ 05 ngày làm việc liên tục trở lên [1]."
    )
    checked = verify(answer, [_source(1, EMPLOYER_MAY)], question=WORKER_ASKS)
    assert checked.text == ""
    assert all(any(r.startswith(OFF_QUESTION) for r in s.reasons) for s in checked.sentences)
    # asked of the employer, the same answer is the answer, every item of it
    employer = verify(answer, [_source(1, EMPLOYER_MAY)], question=WORKER_ASKS.replace("Người", "Người sử dụng", 1))
    assert "tự ý bỏ việc" in employer.text and "Quy chế đánh giá" in employer.text


def test_a_claim_cited_to_a_source_sharing_half_its_words_is_not_verified_when_the_source_stating_it_turns_it() -> None:
    """The same claim, live, was cited to Điều 40 Bộ luật Lao động (a worker's duties after ending the contract
    unlawfully), which holds 55 % of its words — above the half a cited claim needs — and was verified there; Điều
    36, which states all of them, gives the act to the employer."""
    duties = _source(
        1,
        "Điều 40. Nghĩa vụ của người lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật\n"
        "1. Không được trợ cấp thôi việc.\n2. Phải bồi thường cho người sử dụng lao động nửa tháng tiền lương theo hợp "
        "đồng lao động.",
    )
    claim = (
        "Người lao động được đơn phương chấm dứt hợp đồng lao động khi sức khỏe của người lao động bình phục thì "
        "người sử dụng lao động xem xét để tiếp tục giao kết hợp đồng lao động với người lao động [1]."
    )
    checked = verify(claim, [duties, _source(2, EMPLOYER_MAY)], question=WORKER_ASKS)
    assert checked.status is Verification.UNVERIFIED
    assert checked.sentences[0].reasons[0].startswith(TURNED_ELSEWHERE)
    assert "người sử dụng lao động" in checked.sentences[0].reasons[0]
    # nothing else shown, it answered from the employer's rule: the pipeline asks again, naming the worker
    off = checked.off_question
    assert checked.answered_another_actor and off is not None
    assert (off.asked, off.said) == ("người lao động", "người sử dụng lao động")
    # a claim its citation backs in part, that no other source turns, is checked as before — asked what follows
    # (asked when, it says what follows the act, not when: `verify.act_as_its_case`)
    plain = "Người lao động đơn phương chấm dứt hợp đồng lao động trái pháp luật thì không được trợ cấp thôi việc [1]."
    follows = "Người lao động đơn phương chấm dứt hợp đồng lao động trái pháp luật thì có nghĩa vụ gì?"
    assert verify(plain, [duties, _source(2, EMPLOYER_MAY)], question=follows).status is Verification.VERIFIED


def test_bare_items_of_another_actors_list_are_not_the_cases_the_question_asks_for() -> None:
    """Asked again, naming the worker, the model wrote the employer's cases as bare lines — "- Người lao động bị ốm
    đau … [3]" — each true as a sentence, all verified (live). With no lead-in of the answer's own, the question
    stands as their lead-in, and its act is compared with the clause's lead-in: the employer's. A bare line that
    states the asked act itself ("Người lao động được nghỉ việc riêng …" for a công chức) is read by itself."""
    answer = (
        "- Người lao động bị ốm đau, tai nạn đã điều trị 12 tháng liên tục mà khả năng lao động chưa hồi phục [1].\n"
        "- Người lao động tự ý bỏ việc mà không có lý do chính đáng từ 05 ngày làm việc liên tục trở lên [1]."
    )
    checked = verify(answer, [_source(1, EMPLOYER_MAY)], question=WORKER_ASKS)
    assert checked.status is Verification.UNVERIFIED
    assert all("«người sử dụng lao động» does" in s.reasons[0] for s in checked.sentences)
    # the employer's question takes them
    employer = verify(answer, [_source(1, EMPLOYER_MAY)], question=WORKER_ASKS.replace("Người", "Người sử dụng", 1))
    assert employer.status is Verification.VERIFIED


def test_bare_items_of_another_actors_list_stay_its_cases_when_cited_to_the_wrong_source() -> None:
    """Live, the retry's answer: the first case without a marker (not attributed: it is the employer's), Điểm a's
    second sentence and the next cases cited to another article and re-cited to the employer's: the second sentence
    was read as a line of its own — the question no longer their lead-in — and every case after it was verified."""
    duties = _source(
        2,
        "Điều 40. Nghĩa vụ của người lao động khi đơn phương chấm dứt hợp đồng lao động trái pháp luật\n"
        "1. Không được trợ cấp thôi việc.",
    )
    answer = (
        "- Người lao động thường xuyên không hoàn thành công việc theo hợp đồng lao động được xác định theo tiêu chí "
        "đánh giá mức độ hoàn thành công việc trong quy chế của người sử dụng lao động.\n"
        "Quy chế đánh giá mức độ hoàn thành công việc do người sử dụng lao động ban hành nhưng phải tham khảo ý kiến "
        "tổ chức đại diện người lao động tại cơ sở [2].\n"
        "- Người lao động bị ốm đau, tai nạn đã điều trị 12 tháng liên tục mà khả năng lao động chưa hồi phục [2].\n"
        "- Người lao động tự ý bỏ việc mà không có lý do chính đáng từ 05 ngày làm việc liên tục trở lên [2]."
    )
    checked = verify(answer, [_source(1, EMPLOYER_MAY), duties], question=WORKER_ASKS)
    assert checked.status is Verification.UNVERIFIED, [(s.text[:30], s.reasons) for s in checked.sentences]
    assert not any(s.supported for s in checked.sentences)


EMPLOYER_NOTICE = (
    "c) Do thiên tai, hỏa hoạn, dịch bệnh nguy hiểm, địch họa hoặc di dời, thu hẹp sản xuất, kinh doanh theo yêu cầu "
    "của cơ quan nhà nước có thẩm quyền mà người sử dụng lao động đã tìm mọi biện pháp khắc phục nhưng vẫn buộc phải "
    "giảm chỗ làm việc;\n"
    "2. Khi đơn phương chấm dứt hợp đồng lao động trong trường hợp quy định tại các điểm a, b và c khoản 1 Điều này, "
    "người sử dụng lao động phải báo trước cho người lao động như sau:\n"
    "a) Ít nhất 45 ngày nếu làm việc theo hợp đồng lao động không xác định thời hạn;\n"
    "b) Ít nhất 03 ngày làm việc nếu làm việc theo hợp đồng lao động xác định thời hạn có thời hạn dưới 12 tháng."
)


def test_an_item_the_model_numbers_itself_is_the_employers_case_whatever_figure_its_label_is() -> None:
    """Live, asked when the worker may end the contract, the model echoed the question and wrote Điều 36's points
    a–c as "1. … 2. … 3. Do thiên tai … buộc phải giảm chỗ làm việc;" without markers; the third was cited to the
    employer's article and shown verified. Its label's 3 was read as a figure, so the provision that says "03 ngày"
    (Khoản 2, the employer's notice) was taken as the one stating it, and its actor agreed with the question's."""
    cases = EMPLOYER_MAY + "\n" + EMPLOYER_NOTICE
    unrelated = _source(1, "Điều 38. Hủy bỏ việc đơn phương chấm dứt hợp đồng lao động\nMỗi bên đều có quyền hủy bỏ.")
    answer = (
        "[1] Người lao động có quyền đơn phương chấm dứt hợp đồng khi nào?\n\n"
        "1. Người lao động bị ốm đau, tai nạn đã điều trị 12 tháng liên tục mà khả năng lao động chưa hồi phục.\n"
        "3. Do thiên tai, hỏa hoạn, dịch bệnh nguy hiểm, địch họa hoặc di dời, thu hẹp sản xuất, kinh doanh theo yêu "
        "cầu của cơ quan nhà nước có thẩm quyền mà người sử dụng lao động đã tìm mọi biện pháp khắc phục nhưng vẫn "
        "buộc phải giảm chỗ làm việc;"
    )
    question = "Người lao động có quyền đơn phương chấm dứt hợp đồng khi nào?"
    checked = verify(answer, [unrelated, _source(2, cases)], question=question)
    assert not any(s.supported for s in checked.sentences), [(s.text[:20], s.reasons) for s in checked.sentences]
    assert checked.text == ""
    # the employer's case, not a bare claim without a source: the pipeline asks again naming the worker, then quotes
    # the worker's own rule (live: Điều 35's two lists, verified, where the answer had been refused)
    assert checked.answered_another_actor and checked.off_question is not None
    assert checked.off_question.said == "người sử dụng lao động"
    # asked of the employer, the same case is the answer
    employer = verify(answer, [unrelated, _source(2, cases)], question=question.replace("Người", "Người sử dụng", 1))
    assert "3. Do thiên tai" in employer.text
