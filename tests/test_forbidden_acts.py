"""An act a prohibition lists, asked about or claimed as permitted (issue 14: nothing inverted).

Live, "Công chức có được đình công không?" was answered "Có." (flagged): search ranked eighteen strike articles of
Bộ luật Lao động above Điều 18 Luật Cán bộ, công chức, whose title forbids what its Khoản 1 lists — "… tự ý bỏ việc
hoặc tham gia đình công." Three pieces pin the fix: the person's own rule joins the quoted articles
(`references.own_rule_first`), a claim permitting one act of a forbidden Khoản is flagged (the verifier read the
Khoản's pieces after its ";" without the title), and the judge says "Sai" to it, quoting the title and the Khoản
(`verify.forbidden_act`). The judge's model is scripted (tests/test_judge.py: its probabilities are not
controllable); a real judgement is in test_ask_generative.py.
"""

from __future__ import annotations

import doctest
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from pyvi import ViPosTagger

import assistant.references
import assistant.verify
import core.text
from assistant.answer import CitedSource, Verification
from assistant.closed import answer_closed, read_question
from assistant.judge import StatementJudge
from assistant.pipeline import AskOptions, Assistant
from assistant.polarity import CueLexicon
from assistant.references import matter_of, own_rule_first
from assistant.verify import ActReader, forbidden_act, forbidding_title, verify
from core.text import content_words
from tests.test_assistant import _source
from tests.test_judge import ScriptedLLM

TITLE = "Điều 18. Những việc cán bộ, công chức không được làm liên quan đến đạo đức công vụ"
KHOAN_1 = (
    "1. Trốn tránh trách nhiệm, thoái thác nhiệm vụ được giao; gây bè phái, mất đoàn kết; tự ý bỏ việc hoặc tham gia "
    "đình công."
)
ARTICLE_18 = f"{TITLE}\n{KHOAN_1}\n2. Sử dụng tài sản của Nhà nước và của nhân dân trái pháp luật."


def _titled(marker: int, text: str, title: str, law: str = "Luật Cán bộ, công chức") -> CitedSource:
    plain = _source(marker, text, anchor=f"{title.split('.')[0]} {law}")
    return replace(plain, hit=replace(plain.hit, heading_path=[law, title]))


OWN = _titled(1, ARTICLE_18, TITLE)
STRIKE = _titled(
    2,
    "Điều 199. Trường hợp người lao động có quyền đình công\nTổ chức đại diện người lao động là bên tranh chấp lao "
    "động tập thể về lợi ích có quyền tiến hành thủ tục để đình công.",
    "Điều 199. Trường hợp người lao động có quyền đình công",
    "Bộ luật Lao động",
)


# ------------------------------------------------------------------------------------------------- verification


def test_a_claim_permitting_one_act_of_a_forbidden_khoan_is_flagged() -> None:
    """The title is the lead-in of the whole Khoản, the pieces after its ";" included; a claim that restates one of
    its acts ("tham gia đình công") without "không được" turns the law around. Before, it was verified."""
    permitted = verify("Công chức được tham gia đình công [1].", [OWN])
    assert permitted.status is Verification.UNVERIFIED
    assert "Những việc cán bộ, công chức không được làm" in permitted.sentences[0].reasons[0]
    forbidden = verify("Công chức không được tham gia đình công [1].", [OWN])
    assert forbidden.status is Verification.VERIFIED
    assert forbidden.sentences[0].clause is not None and forbidden.sentences[0].clause.clause == "1"


def test_a_prohibition_quoted_from_its_pha_p_dien_copy_forbids_as_the_law_as_enacted_does() -> None:
    """The pháp điển heads an article "Điều 19 Luật 58/2010/QH12. Những việc viên chức không được làm" — its number
    and its law before the title. The forbidding title was read only from "Điều 19. …", so the same prohibition,
    quoted from the consolidated text, forbade nothing: "Viên chức được tham gia đình công [1]." was verified on
    it. (Found in review.)"""
    title = "Những việc viên chức không được làm"
    khoan = "1. Trốn tránh trách nhiệm, thoái thác công việc hoặc nhiệm vụ được giao; tự ý bỏ việc; tham gia đình công."
    enacted = _titled(1, f"Điều 19. {title}\n{khoan}", f"Điều 19. {title}", "Luật Viên chức")
    consolidated = _titled(1, khoan, f"Điều 19 Luật 58/2010/QH12. {title}", "Viên chức")
    for source in (enacted, consolidated):
        assert forbidding_title(source, CueLexicon.default()) == f"{title}:"
        assert verify("Viên chức được tham gia đình công [1].", [source]).status is Verification.UNVERIFIED
        assert verify("Viên chức không được tham gia đình công [1].", [source]).status is Verification.VERIFIED
    # a title that forbids nothing stays no lead-in, in either form
    plain = _titled(1, khoan, "Điều 14 Luật 58/2010/QH12. Quyền của viên chức", "Viên chức")
    assert forbidding_title(plain, CueLexicon.default()) == ""


def test_an_act_is_restated_only_whole_or_without_its_light_verb() -> None:
    acts = ActReader.default()
    said = frozenset({"công_chức", "công", "chức", "được", "giao", "nhiệm_vụ", "nhiệm", "vụ"})
    # "nhiệm vụ được giao" is part of "thoái thác nhiệm vụ được giao", not the act
    assert acts.restated(KHOAN_1, said) is None
    assert acts.restated(KHOAN_1, said | {"thoái_thác", "thoái", "thác"}) == "thoái thác nhiệm vụ được giao"
    # a verb that names another act is not light: organising a strike is not striking
    assert acts.restated("1. Tổ chức đình công.", frozenset({"đình_công", "đình", "công"})) is None
    assert acts.restated("1. Tham gia đình công.", frozenset({"đình_công", "đình", "công"})) == "Tham gia đình công"
    assert doctest.testmod(assistant.verify).failed == 0


def test_the_act_reader_is_data_and_a_bad_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "acts.toml"
    lines = ['light_verbs = ["tham gia"]', 'subordinators = ["vì"]', 'separators = "[;"', "min_syllables = 2"]
    bad.write_text("\n".join([*lines, "min_act_syllables = 3"]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"acts.toml.*unterminated character set"):
        ActReader.load(bad)


# ------------------------------------------------------------------------------------------------------ the judge


def test_the_judge_says_sai_to_permitting_an_act_the_persons_prohibition_lists() -> None:
    """The model says "Đúng" to anything here; the rule decides, and its two lines are what decides."""
    judge = StatementJudge(ScriptedLLM({"N/A": 0.3}, default=0.95))
    j = judge.judge("Công chức được đình công", [STRIKE, OWN])
    assert j.label == "Sai" and "tham gia đình công" in j.forbidden
    assert j.forbidding == [TITLE, KHOAN_1]
    # the rule forbids, and the statement says so: not decided by it
    assert forbidden_act("Công chức không được đình công", [OWN]) is None
    # a prohibition for cán bộ, công chức says nothing of người lao động
    assert forbidden_act("Người lao động được đình công", [STRIKE, OWN]) is None
    # an item with an exception of its own may be permitted in the excepted case
    excepted = _titled(1, f"{TITLE}\n1. Tham gia đình công, trừ trường hợp quy định tại khoản 2 Điều này.", TITLE)
    assert forbidden_act("Công chức được tham gia đình công", [excepted]) is None
    # … not one that leaves it to other laws: that carves nothing out of the prohibition itself
    saved = _titled(1, f"{TITLE}\n1. Tham gia đình công, trừ trường hợp luật có quy định khác.", TITLE)
    assert forbidden_act("Công chức được tham gia đình công", [saved]) is not None


def test_a_yes_no_question_on_a_forbidden_act_is_answered_no_with_the_rule_quoted() -> None:
    result = answer_closed(
        read_question("Công chức có được đình công không?"), [OWN, STRIKE], ScriptedLLM({"N/A": 0.3}, default=0.95)
    )
    assert result is not None and result.verdict == "Không"
    assert result.text == f"Không. Theo [1]: «{TITLE}» Theo [1]: «{KHOAN_1}»"
    assert result.verification is Verification.VERIFIED
    # the verdict's record says why
    assert "tham gia đình công" in result.sentences[0].reasons[0]


# ------------------------------------------------------------------------------------------------ the search side


def test_the_persons_own_rule_joins_the_quoted_articles_when_none_of_them_is_it() -> None:
    """Strike articles of the labour code fill the first k; the công chức's own prohibition, found lower, moves first
    and takes no one's place (joined = 1)."""
    labour = [replace(STRIKE.hit, chunk_id=f"s{i}") for i in range(5)]
    own = OWN.hit
    ranked, joined = own_rule_first("Công chức có được đình công không?", [*labour, own], k=3)
    assert ranked[0] is own and joined == 1 and ranked[1:] == labour
    # already among the first k: nothing moves
    ranked, joined = own_rule_first("Công chức có được đình công không?", [labour[0], own, *labour[1:]], k=3)
    assert joined == 0 and ranked[1] is own
    # a question naming no one person, or an article that never states the matter, moves nothing
    assert own_rule_first("Có được đình công không?", [*labour, own], k=3)[1] == 0
    assert own_rule_first("Công chức có được nghỉ hưu không?", [*labour, own], k=3)[1] == 0
    # a true/false question is read as its statement: "đúng hay sai" is not what it asks about (live, refused)
    assert own_rule_first("Công chức được tham gia đình công, đúng hay sai?", [*labour, own], k=3)[1] == 1
    # beyond the pool, it is not read
    far = [replace(STRIKE.hit, chunk_id=f"f{i}") for i in range(assistant.references.OWN_POOL)]
    assert own_rule_first("Công chức có được đình công không?", [*far, own], k=3)[1] == 0


def test_the_own_rule_saying_the_act_may_be_done_moves_before_one_that_only_names_its_words() -> None:
    """Live, "Viên chức có được ký hợp đồng với đơn vị khác không?" read first Điều 20 Nghị định 115/2020 — a
    transfer, after which the viên chức "phải ký kết hợp đồng làm việc mới" with the other unit: every word of the
    question, none of it said as may or may not — and the budget held it and one more article. Điều 14 Luật Viên
    chức, "2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác …", which decides it, was 4th and the
    answer was "Không." (flagged). The rule that says it moves first."""
    law = "Luật Viên chức"
    transfer_title = "Điều 20. Các nội dung liên quan đến hợp đồng làm việc"
    transfer = _titled(
        1,
        f"{transfer_title}\n4. Trường hợp viên chức được cấp có thẩm quyền đồng ý chuyển đến đơn vị sự nghiệp công "
        "lập khác thì không thực hiện việc tuyển dụng mới, nhưng phải ký kết hợp đồng làm việc mới với người đứng "
        "đầu đơn vị sự nghiệp công lập;",
        transfer_title,
        "Nghị định 115/2020/NĐ-CP",
    ).hit
    rights_title = "Điều 14. Quyền của viên chức về hoạt động kinh doanh và làm việc ngoài thời gian quy định"
    rights = _titled(
        2,
        f"{rights_title}\n2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác mà pháp luật không cấm nhưng "
        "phải hoàn thành nhiệm vụ được giao.",
        rights_title,
        law,
    ).hit
    other = [replace(STRIKE.hit, chunk_id=f"o{i}") for i in range(2)]
    asked = "Viên chức có được ký hợp đồng với đơn vị khác không?"
    ranked, joined = own_rule_first(asked, [transfer, *other, rights], k=3)
    assert ranked[0] is rights and joined == 1 and ranked[1:] == [transfer, *other]
    # among the first k already, it moves first and brings no one new into them
    ranked, joined = own_rule_first(asked, [transfer, rights, *other], k=3)
    assert ranked[0] is rights and joined == 0
    # the rule that says it, first: nothing moves
    assert own_rule_first(asked, [rights, transfer, *other], k=3) == ([rights, transfer, *other], 0)
    # a rule naming the words without saying them as may, must or may not is still an own rule, read after none
    assert own_rule_first(asked, [transfer, *other], k=3) == ([transfer, *other], 0)
    assert own_rule_first(asked, [*other, replace(STRIKE.hit, chunk_id="o9"), transfer], k=3)[0][0] is transfer


def test_the_own_rule_saying_the_act_moves_first_though_it_names_the_object_in_its_own_words() -> None:
    """Live, "Viên chức có được góp vốn vào doanh nghiệp không?" was refused: Điều 14 Luật Viên chức — "3. Được góp
    vốn nhưng không tham gia quản lý, điều hành công ty trách nhiệm hữu hạn, công ty cổ phần …", no "doanh nghiệp" —
    was 4th, below the public units' capital articles, and no provision of the pool stated every word asked. The
    rule naming the person that says the act may be done moves first all the same."""
    rights_title = "Điều 14. Quyền của viên chức về hoạt động kinh doanh và làm việc ngoài thời gian quy định"
    rights = _titled(
        2,
        f"{rights_title}\n3. Được góp vốn nhưng không tham gia quản lý, điều hành công ty trách nhiệm hữu hạn, công "
        "ty cổ phần, công ty hợp danh, hợp tác xã.",
        rights_title,
        "Luật Viên chức",
    ).hit
    units_title = "Điều 21. Điều kiện để đơn vị sự nghiệp công vận dụng cơ chế tài chính như doanh nghiệp"
    units = [
        _titled(
            i + 3,
            f"{units_title}\n1. Đơn vị sự nghiệp công được góp vốn, vay vốn như doanh nghiệp.",
            units_title,
            "Nghị định 16/2015/NĐ-CP",
        ).hit
        for i in range(3)
    ]
    asked = "Viên chức có được góp vốn vào doanh nghiệp không?"
    ranked, joined = own_rule_first(asked, [*units, rights], k=3)
    assert ranked[0] is rights and joined == 1 and ranked[1:] == units
    # among the first k already: nothing moves
    assert own_rule_first(asked, [units[0], rights, *units[1:]], k=3)[1] == 0
    # an article naming the act without saying it may be done, or another person's, moves nothing
    named = replace(rights, text=f"{rights_title}\n3. Việc góp vốn vào công ty do Chính phủ quy định.")
    assert own_rule_first(asked, [*units, named], k=3) == ([*units, named], 0)
    # the act befalling someone else, in an article naming the person elsewhere (live: "Viên chức có được thành
    # lập doanh nghiệp tư nhân không?" brought Điều 5 Nghị định 120/2020, "… các đơn vị … được thành lập …")
    founding_title = "Điều 5. Điều kiện thành lập, tổ chức lại, giải thể đơn vị sự nghiệp công lập"
    founding = _titled(
        9,
        f"{founding_title}\n1. Điều kiện thành lập đơn vị sự nghiệp công lập\nd) Bảo đảm số lượng người làm việc "
        "là viên chức tối thiểu, trừ các đơn vị được thành lập theo pháp luật chuyên ngành.",
        founding_title,
        "Nghị định 120/2020/NĐ-CP",
    ).hit
    founding_asked = "Viên chức có được thành lập doanh nghiệp tư nhân không?"
    assert own_rule_first(founding_asked, [*units, founding], k=3) == ([*units, founding], 0)
    assert own_rule_first("Công chức có được góp vốn vào doanh nghiệp không?", [*units, rights], k=3)[1] == 0
    # only a question on whether the person may do it: not a question of how, nor one with "không phải" in it
    assert own_rule_first("Viên chức được góp vốn vào doanh nghiệp như thế nào?", [*units, rights], k=3)[1] == 0
    assert own_rule_first("Viên chức không phải góp vốn vào doanh nghiệp, đúng không?", [*units, rights], k=3)[1] == 0


def test_the_matter_of_a_question_is_its_words_but_the_person_and_the_question_words() -> None:
    assert matter_of("Công chức có được đình công không?", "công chức") == [("dinh", "cong")]
    assert matter_of("Viên chức được nghỉ mấy ngày?", "viên chức") == [("nghi",), ("ngay",)]
    assert doctest.testmod(assistant.references).failed == 0


def test_an_act_inside_a_subordinate_phrase_is_not_the_one_forbidden() -> None:
    """Live, "Người lao động có quyền đình công không?" was answered "Không." from Điều 208 Bộ luật Lao động — "Các
    hành vi bị nghiêm cấm …: 4. Chấm dứt hợp đồng lao động … đối với người lao động … vì lý do chuẩn bị đình công
    hoặc tham gia đình công." forbids dismissing a striker. A piece with a subordinate phrase is one act, whole."""
    title = "Điều 208. Các hành vi bị nghiêm cấm trước, trong và sau khi đình công"
    item = (
        "4. Chấm dứt hợp đồng lao động hoặc xử lý kỷ luật lao động đối với người lao động, người lãnh đạo đình công "
        "vì lý do chuẩn bị đình công hoặc tham gia đình công."
    )
    banned = _titled(1, f"{title}\n{item}", title, "Bộ luật Lao động")
    assert forbidden_act("Người lao động được tham gia đình công", [banned]) is None
    assert forbidden_act("Người sử dụng lao động được chấm dứt hợp đồng lao động", [banned]) is None
    assert verify("Người lao động có quyền tham gia đình công [1].", [banned]).sentences[0].reasons == ()
    # the whole act, restated, is forbidden (the title names no one: it forbids it to all)
    assert forbidden_act(f"Người sử dụng lao động được {item[3:].rstrip('.').lower()}", [banned]) is not None


def test_who_an_item_names_is_no_act_of_it() -> None:
    """Live, "Cán bộ có được bỏ việc không?" was answered "Không." because "Cán bộ" — the first of "1. Cán bộ, công
    chức không được tiết lộ thông tin …", cut at its comma — was read as an act the claim restated."""
    title = "Điều 19. Những việc cán bộ, công chức không được làm liên quan đến bí mật nhà nước"
    secret = _titled(1, f"{title}\n1. Cán bộ, công chức không được tiết lộ thông tin về bí mật nhà nước.", title)
    assert forbidden_act("Cán bộ được bỏ việc", [secret]) is None
    assert forbidden_act("Cán bộ được tiết lộ thông tin về bí mật nhà nước", [secret]) is not None


def test_a_part_of_an_item_that_is_no_whole_act_is_never_restated() -> None:
    """On ALQAC's dev items the first reading fired on "giấy tờ" of "Làm giả giấy tờ, tài liệu, …" and "Sử dụng" of
    "Sản xuất, sử dụng … ma túy": a noun that a verb before it governs, a verb whose object comes later."""
    acts = ActReader.default()

    def said(text: str) -> frozenset[str]:
        found = content_words(text)
        return frozenset(found | {s for w in found for s in w.split("_")})

    forged = "1. Làm giả giấy tờ, tài liệu, dữ liệu về cư trú."
    assert acts.restated(forged, said("Cơ quan được lưu trữ giấy tờ, tài liệu")) is None
    assert acts.restated(forged, said("Công dân được làm giả giấy tờ")) == "Làm giả giấy tờ"  # its verb: whole
    drugs = "2. Sản xuất, sử dụng, vận chuyển chất ma túy."
    assert acts.restated(drugs, said("Người bệnh được sử dụng thuốc")) is None
    assert acts.restated(drugs, said("Người dân được vận chuyển chất ma túy")) == "vận chuyển chất ma túy"


def test_a_choice_is_never_decided_by_a_forbidden_act() -> None:
    """A choice names an act; its question says whether it is asked for as forbidden or as permitted."""
    judge = StatementJudge(ScriptedLLM({"N/A": 0.3}, default=0.95))
    asked = "Công chức không được làm việc nào?"
    judged = judge.judge_many(["Tham gia đình công"], [OWN], question=asked, choices=True)
    assert judged[0].forbidden == "" and judged[0].label == "Đúng"
    assert judge.judge_many(["Công chức được tham gia đình công"], [OWN])[0].label == "Sai"


def test_each_part_of_an_item_is_tagged_once_however_many_claims_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyvi's tagger ran for every part of every item once per claim the verifier read (`ActReader._act`); the tags
    of a text are now kept (`core.text.tagged`), the same for every reader, and what is restated does not change."""
    calls: list[str] = []
    postagging = ViPosTagger.postagging

    def counted(text: str) -> tuple[list[str], list[str]]:
        calls.append(text)
        return postagging(text)

    monkeypatch.setattr(ViPosTagger, "postagging", counted)
    core.text.tagged.cache_clear()
    acts = ActReader.default()
    strike = frozenset({"công_chức", "công", "chức", "được", "đình_công", "đình"})
    duty = frozenset({"công_chức", "công", "chức", "được", "thoái_thác", "thoái", "thác", "nhiệm", "vụ", "giao"})
    first = [acts.restated(KHOAN_1, strike), acts.restated(KHOAN_1, duty)]
    tagged_once = len(calls)
    assert tagged_once > 0 and len(set(calls)) == tagged_once  # no text went through the tagger twice
    again = [acts.restated(KHOAN_1, strike), acts.restated(KHOAN_1, duty)]
    assert len(calls) == tagged_once and core.text.tagged.cache_info().hits > 0
    assert first == again == ["tham gia đình công", "thoái thác nhiệm vụ được giao"]
    assert isinstance(core.text.tagged("Làm giả giấy tờ"), tuple)  # shared, so no caller can change it


def test_a_provision_in_the_older_spelling_states_the_matter_of_a_question_in_the_newer_and_back() -> None:
    """A question's words are pyvi's, spelt as `standard_spelling` spells ("quản lí" → "quản lý"); a provision's runs
    were folded as written, so a law spelling "quản lí", "kĩ thuật" or "qui định" never stated a question's matter."""
    spellings = (("quản lí", "quản lý"), ("quản lý", "quản lí"), ("kĩ thuật", "kỹ thuật"), ("quy chế", "qui chế"))
    for asked, law in spellings:
        matter = matter_of(f"Công chức có được tham gia {asked} doanh nghiệp không?", "công chức")
        provision = core.text.folded_runs(f"1. Cán bộ, công chức không được tham gia {law} doanh nghiệp.")
        assert matter and all(core.text.contains_run(provision, run) for run in matter), (asked, law, matter)


EMPLOYER_TITLE = "Điều 17. Hành vi người sử dụng lao động không được làm khi giao kết, thực hiện hợp đồng lao động"
PAPERS = "1. Giữ bản chính giấy tờ tùy thân, văn bằng, chứng chỉ của người lao động."
EMPLOYER = _titled(
    1, f"{EMPLOYER_TITLE}\n{PAPERS}\n2. Yêu cầu người lao động phải thực hiện biện pháp bảo đảm.", EMPLOYER_TITLE
)


def test_a_yes_no_question_on_one_object_of_a_forbidden_act_is_answered_no() -> None:
    """Live: "Người sử dụng lao động có được giữ bản chính văn bằng của người lao động không?" → "Có." (flagged),
    the judge reading «1. Giữ bản chính giấy tờ tùy thân, văn bằng, chứng chỉ …» as an act the question does not
    name whole: its verb governs three objects, and the question names one. A claim on a copy names another act."""
    assert forbidden_act("Người sử dụng lao động được giữ bản chính văn bằng của người lao động", [EMPLOYER])
    assert forbidden_act("Người sử dụng lao động được giữ bản sao văn bằng của người lao động", [EMPLOYER]) is None
    result = answer_closed(
        read_question("Người sử dụng lao động có được giữ bản chính văn bằng của người lao động không?"),
        [EMPLOYER],
        ScriptedLLM({"N/A": 0.3}, default=0.95),
    )
    assert result is not None and result.verdict == "Không"
    assert f"«{PAPERS}»" in result.text and result.verification is Verification.VERIFIED


def test_a_yes_no_question_whose_own_rule_search_missed_probes_for_it_as_a_prohibition() -> None:
    """Live, with dense vectors: Điều 18 Luật Cán bộ, công chức was the 26th hit of "Công chức có được đình công
    không?", past the pool, and the question was refused. The title the codes give a person's prohibitions —
    "Những việc công chức không được làm" — is searched once more (it finds Điều 20, 19, 18 first), and the one
    stating the matter joins first."""
    labour = [replace(STRIKE.hit, chunk_id=f"s{i}") for i in range(assistant.references.OWN_POOL)]
    own = replace(OWN.hit, citation=replace(OWN.hit.citation, document="22/2008/QH12", article="18"))
    ranked, joined = own_rule_first("Công chức có được đình công không?", labour, k=3, probe=lambda: [labour[0], own])
    assert ranked[0] is own and joined == 1 and ranked[1:] == labour

    class Probed:
        """A searcher whose search for the prohibition finds the rule, and for anything else the code."""

        def __init__(self) -> None:
            self.asked: list[str] = []

        def search(self, query: str, **_: object) -> SimpleNamespace:
            self.asked.append(query)
            return SimpleNamespace(hits=[own] if query == "Những việc công chức không được làm" else labour)

    searcher = Probed()
    assistant_ = Assistant.__new__(Assistant)
    assistant_.searcher = searcher  # type: ignore[assignment]
    ranked, joined = assistant_._own_rule_first("Công chức có được đình công không?", labour, 3, AskOptions())
    assert searcher.asked == ["Những việc công chức không được làm"] and ranked[0] is own and joined == 1
    # a question that is no "may X do Y?" searches nothing more
    assert assistant_._own_rule_first("Công chức đình công thì bị xử lý thế nào?", labour, 3, AskOptions())[1] == 0
    assert searcher.asked == ["Những việc công chức không được làm"]


def test_the_article_titled_for_the_measure_asked_moves_first_over_one_that_names_it_in_a_clause() -> None:
    """Probed: "Khi nào viên chức bị buộc thôi việc?" found first Điều 40 Nghị định 112/2020 (what follows a
    dismissal: its Khoản 1 "Viên chức bị xử lý kỷ luật buộc thôi việc" names the measure) and, 4th, Điều 19 — "Áp
    dụng hình thức kỷ luật buộc thôi việc đối với viên chức", the cases asked —, which the context budget left out:
    the model wrote the consequences, withheld, refused. The "khi" of "khi nào" was also read as a word the rule
    must state. An own rule whose title names the person and all that is asked now moves first when none of the
    first k is titled so."""
    after = _titled(
        1,
        "Điều 40. Các quy định liên quan sau khi có quyết định kỷ luật đối với viên chức\n1. Viên chức bị xử lý kỷ "
        "luật buộc thôi việc\na) Viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc.",
        "Điều 40. Các quy định liên quan sau khi có quyết định kỷ luật đối với viên chức",
        "Nghị định 112/2020/NĐ-CP",
    ).hit
    cases = _titled(
        2,
        "Điều 19. Áp dụng hình thức kỷ luật buộc thôi việc đối với viên chức\nHình thức kỷ luật buộc thôi việc áp "
        "dụng đối với viên chức có một trong các hành vi vi phạm sau đây:\n1. Đã bị xử lý kỷ luật bằng hình thức "
        "cách chức mà tái phạm;\n2. Nghiện ma túy.",
        "Điều 19. Áp dụng hình thức kỷ luật buộc thôi việc đối với viên chức",
        "Nghị định 112/2020/NĐ-CP",
    ).hit
    others = [replace(STRIKE.hit, chunk_id=f"s{i}") for i in range(3)]
    assert matter_of("Khi nào viên chức bị buộc thôi việc?", "viên chức") == [("buoc",), ("thoi", "viec")]
    for question in ("Khi nào viên chức bị buộc thôi việc?", "Viên chức bị buộc thôi việc trong trường hợp nào?"):
        ranked, joined = own_rule_first(question, [after, *others, cases], k=3)
        assert ranked[0] is cases and joined == 1, question
    # titled among the first k already: nothing moves
    assert own_rule_first("Khi nào viên chức bị buộc thôi việc?", [after, cases, *others], k=3)[1] == 0
    # an article whose title does not name all that is asked moves nothing
    untitled = replace(cases, heading_path=["Nghị định 112/2020/NĐ-CP", "Điều 19. Các hành vi vi phạm của viên chức"])
    assert own_rule_first("Khi nào viên chức bị buộc thôi việc?", [after, *others, untitled], k=3)[1] == 0
