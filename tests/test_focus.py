"""A follow-up's answer must speak of what the follow-up newly asks (assistant/focus.py).

Seen live (`make bench`): asked "Còn dấu chữ ký thì đóng thế nào?" after a question on dấu giáp lai, the model
answered the giáp lai question again ("Đóng dấu giáp lai văn bản được thực hiện theo quy định tại Phụ lục I …
[1]"), and because that sentence was true and cited it was shown as verified — an answer to the previous question.

Pipeline tests use the scripted model and decree world of tests/security/test_injection_attacks.py (the point is
the retry and refusal logic, which a real model would make unreproducible); `Focus` is tested on real questions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import REFUSAL, Verification
from assistant.focus import Focus, quote_naming
from assistant.prompts import template
from assistant.verify import FLAG, FOCUS_ELSEWHERE, SentenceVerifier
from tests.security.test_injection_attacks import LAW, QUESTION, decree_source, decree_world
from tests.test_assistant import _source
from tests.test_index_search import World
from tests.test_verify_issue14 import MarkersFirstLLM

GIAP_LAI = "Đóng dấu giáp lai văn bản được thực hiện như thế nào?"
FOLLOW_UP = "Còn việc thu dọn rác thì quy định thế nào?"  # after QUESTION (the fine for littering)
CLEAN_UP = "Người vi phạm phải thu dọn rác thải đã vứt [1]."


@pytest.mark.parametrize(
    ("question", "previous", "words"),
    [
        ("Còn dấu chữ ký thì đóng thế nào?", GIAP_LAI, ("chữ_ký",)),  # "dấu", "đóng" were asked before
        (
            "Trong thời gian đó viên chức được hưởng lương thế nào?",
            "Thời gian tập sự của viên chức là bao lâu?",
            ("hưởng", "lương"),
        ),
        ("con dau chu ky thi dong the nao", GIAP_LAI, ("chu", "ky")),  # typed without diacritics: same syllables
        ("Còn trường hợp đó thì sao?", "Viên chức bị kỷ luật trong trường hợp nào?", ()),  # nothing new: no check
        # typed with diacritics, "con" is a child, not a "còn" without its mark (live: no focus, and an answer on
        # combining annual leave was verified as the answer to it)
        ("Còn khi con kết hôn thì sao?", "Viên chức được nghỉ việc riêng khi kết hôn mấy ngày?", ("con",)),
        ("con khi con ket hon thi sao", "Vien chuc duoc nghi viec rieng khi ket hon may ngay?", ()),
    ],
)
def test_the_focus_is_the_follow_ups_words_its_previous_question_did_not_use(
    question: str, previous: str, words: tuple[str, ...]
) -> None:
    assert Focus.of(question, previous).words == words


def test_an_answer_naming_fewer_than_half_of_the_focus_words_does_not_speak_of_it() -> None:
    focus = Focus.of(
        "Khi đó đơn vị phải báo trước cho viên chức bao nhiêu ngày?",
        "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?",
    )
    assert not focus.spoken_in("Việc chấm dứt do người đứng đầu quyết định sau khi có sự đồng ý bằng văn bản.")
    assert focus.spoken_in("Đơn vị phải báo trước cho viên chức ít nhất 45 ngày.")


def test_supported_lines_that_do_not_name_the_focus_are_held_and_reported_unspoken() -> None:
    focus = Focus.of(FOLLOW_UP, QUESTION)
    v = SentenceVerifier([decree_source()], question=FOLLOW_UP, focus=focus)
    v.feed(f"{LAW} [1].")
    assert v.n_supported == 1 and v.n_answering == 0  # true and cited, but the previous question's answer
    checked = v.result()
    assert checked.unspoken is not None and "thu dọn" in checked.unspoken.reason
    v.feed(CLEAN_UP)
    assert v.n_answering == 2 and v.result().unspoken is None  # spoken of: the held line answers with it


SEALS = _source(
    1,
    "1. Việc đóng dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản hoặc phụ lục văn bản, trùm lên một "
    "phần các tờ giấy; mỗi dấu đóng tối đa 05 tờ văn bản.\n"
    "2. Khi đóng dấu lên chữ ký thì dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.",
)


def test_the_previous_clause_retold_about_the_follow_ups_words_is_flagged_not_verified() -> None:
    """Live, asked again with the note naming "chữ ký", the model wrote the giáp lai clause with "Dấu chữ ký" as
    its subject, and it was shown as verified: the source names "chữ ký" (in Khoản 2), so its words were covered."""
    focus = Focus.of("Còn dấu chữ ký thì đóng thế nào?", GIAP_LAI)
    retold = (
        "Dấu chữ ký được đóng vào khoảng giữa mép phải của văn bản hoặc phụ lục văn bản, trùm lên một phần các tờ "
        "giấy [1]."
    )
    v = SentenceVerifier([SEALS], question="Còn dấu chữ ký thì đóng thế nào?", focus=focus)
    assert v.feed(retold).endswith(FLAG) and v.n_supported == 0
    assert v.checks[-1].reasons[-1] == FOCUS_ELSEWHERE + "chữ ký"
    right = "Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái [1]."
    assert v.feed(right).endswith(right) and v.n_answering == 1
    assert v.checks[-1].clause is not None and v.checks[-1].clause.clause == "2"  # bound to the Khoản that says it


LEAVE_13 = _source(
    1,
    "1. Viên chức được nghỉ hằng năm, nghỉ lễ, nghỉ việc riêng theo quy định của pháp luật về lao động, kể cả khi "
    "kết hôn.\n2. Viên chức làm việc ở miền núi, biên giới, hải đảo, nếu có yêu cầu, được gộp số ngày nghỉ phép "
    "của 02 năm để nghỉ một lần.",
)


def test_a_follow_ups_child_is_asked_of_the_clause_the_claim_binds_to() -> None:
    """Live: "Còn khi con kết hôn thì sao?" after the viên chức's marriage leave was answered, verified, "Đối với con
    kết hôn, viên chức được gộp số ngày nghỉ phép của 02 năm để nghỉ một lần [1]" — Khoản 2 Điều 13 Luật Viên
    chức, on combining annual leave in remote areas; "con" was read as a "còn" typed without its mark."""
    question = "Còn khi con kết hôn thì sao?"
    focus = Focus.of(question, "Viên chức được nghỉ việc riêng khi kết hôn mấy ngày?")
    v = SentenceVerifier([LEAVE_13], question="Viên chức được nghỉ việc riêng khi con kết hôn mấy ngày?", focus=focus)
    stitched = "Đối với con kết hôn, viên chức được gộp số ngày nghỉ phép của 02 năm để nghỉ một lần [1]."
    v.feed(stitched)
    assert v.n_supported == 0 and FOCUS_ELSEWHERE + "con" in v.checks[-1].reasons


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = decree_world(tmp_path_factory.mktemp("focus"))
    yield w
    w.close()


def _ask_follow_up(world: World, llm: MarkersFirstLLM, seen: list[str]) -> object:
    from assistant.pipeline import Assistant
    from index.search import Searcher

    assistant = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm)
    return assistant.ask(FOLLOW_UP, history=[QUESTION], topic="follow_up", on_token=seen.append)


def test_a_follow_up_answered_with_the_previous_answer_is_asked_again_naming_its_words(world: World) -> None:
    llm = MarkersFirstLLM(CLEAN_UP, first=f"{LAW} [1].")
    seen: list[str] = []
    ans = _ask_follow_up(world, llm, seen)
    assert not ans.refused and ans.verification is Verification.VERIFIED  # type: ignore[attr-defined]
    assert ans.answer == CLEAN_UP and "".join(seen) == CLEAN_UP  # type: ignore[attr-defined]
    assert "did not speak of what the follow-up asks" in ans.evidence["retry"]  # type: ignore[attr-defined]
    first, second = llm.prompts
    note = template("answer_retry_focus").strip().format(focus="thu dọn")
    assert second.startswith(first.rstrip()) and note in second  # the cached prefix kept, the words named


def test_a_follow_up_answered_twice_with_the_previous_answer_gets_the_clause_naming_its_words_quoted(
    world: World,
) -> None:
    """Live (`make bench`): "Còn dấu chữ ký thì đóng thế nào?" was answered twice with the giáp lai rule, then
    refused, while Điểm b of the same article in the prompt says it ("Khi đóng dấu lên chữ ký, …"): that clause is
    now the answer, verbatim, and nothing of the two answers went out."""
    llm = MarkersFirstLLM(f"{LAW} [1].", first=f"{LAW} [1].")
    seen: list[str] = []
    ans = _ask_follow_up(world, llm, seen)
    assert not ans.refused and ans.verification is Verification.VERIFIED  # type: ignore[attr-defined]
    assert ans.answer == CLEAN_UP and "".join(seen) == CLEAN_UP and LAW not in "".join(seen)  # type: ignore[attr-defined]
    assert "thu dọn" in ans.evidence["quoted"] and len(llm.prompts) == 2  # type: ignore[attr-defined]
    assert ans.grounds()[0].quote.endswith("Người vi phạm phải thu dọn rác thải đã vứt.")  # type: ignore[attr-defined]


def test_a_follow_ups_words_put_twice_on_a_clause_that_does_not_say_them_get_the_clause_naming_them_quoted(
    world: World,
) -> None:
    """Live: "Còn hợp đồng dưới 12 tháng thì sao?" after the worker's notice days got "… phải báo trước 30 ngày nếu
    hợp đồng dưới 12 tháng [2]" — the 30 days are for 12 to 36 months — withheld (the clause it binds to does not
    say "dưới"), and then the refusal, while Điểm c Khoản 1 Điều 35 ("03 ngày làm việc … dưới 12 tháng") was in
    the prompt. That clause is quoted now."""
    from assistant.pipeline import FOCUS_MISPLACED

    misplaced = f"Người vi phạm phải thu dọn rác, {LAW[0].lower()}{LAW[1:]} [1]."
    llm = MarkersFirstLLM(misplaced, first=misplaced)
    seen: list[str] = []
    ans = _ask_follow_up(world, llm, seen)
    assert not ans.refused and ans.verification is Verification.VERIFIED  # type: ignore[attr-defined]
    assert ans.answer == CLEAN_UP and "".join(seen) == CLEAN_UP  # type: ignore[attr-defined]
    assert ans.evidence["quoted"].startswith(FOCUS_MISPLACED)  # type: ignore[attr-defined]


def test_a_follow_up_answered_twice_with_the_previous_answer_is_refused_when_no_clause_names_its_words(
    world: World,
) -> None:
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(f"{LAW} [1].", first=f"{LAW} [1].")
    seen: list[str] = []
    assistant = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm)
    ans = assistant.ask("Còn việc tái chế thì quy định thế nào?", [QUESTION], topic="follow_up", on_token=seen.append)
    assert ans.refused and ans.answer.startswith(REFUSAL) and seen == []
    assert "tái chế" in ans.evidence["unspoken"] and "quoted" not in ans.evidence


def test_only_a_clause_naming_every_focus_word_as_a_word_and_half_the_question_is_quoted() -> None:
    focus = Focus.of("Đơn vị nộp chậm thì phải làm gì?", "Hồ sơ được nộp vào lưu trữ cơ quan trong thời hạn nào?")
    assert "chậm" in focus.words
    deadline = _source(1, "1. Chậm nhất sau 05 ngày làm việc, đơn vị phải nộp hồ sơ vào lưu trữ cơ quan.")
    assert quote_naming(focus, [deadline], "Đơn vị nộp chậm thì phải làm gì?") is None  # "chậm nhất" is no "chậm"
    cases = _source(
        1,
        "3. Đơn vị sự nghiệp công lập không được đơn phương chấm dứt hợp đồng trong các trường hợp sau:\n"
        "a) Viên chức ốm đau đang điều trị;\nb) Viên chức nữ đang nghỉ thai sản.",
    )
    follow = "Còn viên chức nữ nghỉ thai sản thì sao?"
    quote = quote_naming(Focus.of(follow, "Đơn vị được chấm dứt hợp đồng khi nào?"), [cases], follow)
    assert quote is not None and quote.splitlines()[0].startswith("Đơn vị sự nghiệp công lập không được")  # lead kept


def test_a_new_question_is_not_held_to_a_focus(world: World) -> None:
    from assistant.pipeline import Assistant
    from index.search import Searcher

    llm = MarkersFirstLLM(f"{LAW} [1].", first=f"{LAW} [1].")
    ans = Assistant(Searcher(world.store, world.settings), llm_factory=lambda: llm).ask(QUESTION)
    assert not ans.refused and ans.answer == f"{LAW} [1]." and len(llm.prompts) == 1


def test_a_flagged_line_naming_the_focus_speaks_of_it_and_the_answer_is_shown_partly_verified() -> None:
    """Live: the notice follow-up's answer was Khoản 2's 45 / 30 days without its exception (flagged) and Khoản 2's
    second sentence (verified, naming none of «báo, trước, ngày»): the flagged line is the answer, visibly marked."""
    khoan_2 = _source(
        1,
        "2. Khi đơn phương chấm dứt hợp đồng làm việc, trừ trường hợp quy định tại điểm b khoản 1 Điều này, người "
        "đứng đầu đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày. Đối với viên chức do "
        "cơ quan quản lý đơn vị sự nghiệp công lập thực hiện tuyển dụng, việc đơn phương chấm dứt hợp đồng làm việc "
        "do người đứng đầu đơn vị sự nghiệp công lập quyết định sau khi có sự đồng ý bằng văn bản.",
    )
    asked = "Khi đó đơn vị phải báo trước cho viên chức bao nhiêu ngày?"
    focus = Focus.of(asked, "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?")
    read_as = "Viên chức bị đơn vị đơn phương chấm dứt hợp đồng làm việc. " + asked
    v = SentenceVerifier([khoan_2], question=read_as, focus=focus)
    v.feed("- Người đứng đầu đơn vị sự nghiệp công lập phải báo cho viên chức biết trước ít nhất 45 ngày.")
    v.feed(
        "Đối với viên chức do cơ quan quản lý đơn vị sự nghiệp công lập thực hiện tuyển dụng, việc đơn phương "
        "chấm dứt hợp đồng làm việc do người đứng đầu đơn vị sự nghiệp công lập quyết định sau khi có sự đồng ý "
        "bằng văn bản [1]."
    )
    checked = v.result()
    assert checked.text.startswith("- Người đứng đầu") and not checked.sentences[0].supported  # cited and flagged
    assert checked.unspoken is None and checked.status is Verification.PARTIALLY_VERIFIED and v.n_answering == 1


def test_a_line_that_only_says_where_the_rule_is_does_not_speak_of_the_follow_up() -> None:
    """Live (`kho ask --history`): "Đóng dấu chữ ký thì đóng theo quy định tại Điều 42.1.NĐ.33 của Nghị định
    30/2020/NĐ-CP [1]." named "chữ ký", so it was shown as the verified answer — where the rule is, not how."""
    question = "Còn dấu chữ ký thì đóng thế nào?"
    focus = Focus.of(question, GIAP_LAI)
    v = SentenceVerifier([SEALS], question=question, focus=focus)
    v.feed("Dấu chữ ký được đóng theo quy định tại Khoản 2 Điều này [1].")
    assert v.n_supported == 1 and v.n_answering == 0 and v.result().unspoken is not None
    v.feed("Khi đóng dấu lên chữ ký thì dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái [1].")
    assert v.n_answering == 2 and v.result().unspoken is None


def test_a_follow_up_answered_with_a_pointer_twice_gets_the_clause_quoted(world: World) -> None:
    pointer = "Việc thu dọn rác được thực hiện theo quy định tại Điều 3 Nghị định 45/2094/NĐ-CP [1]."
    llm = MarkersFirstLLM(pointer, first=pointer)
    seen: list[str] = []
    ans = _ask_follow_up(world, llm, seen)
    assert not ans.refused and ans.answer == CLEAN_UP and "".join(seen) == CLEAN_UP  # type: ignore[attr-defined]
    assert "quoted" in ans.evidence and len(llm.prompts) == 2  # type: ignore[attr-defined]


def test_a_malformed_pointer_file_names_the_file(tmp_path: Path) -> None:
    from assistant.focus import _pointers

    bad = tmp_path / "pointers.toml"
    bad.write_text(
        'leads = ["theo quy định tại"]\ntargets = []\nwords = ["điều"]\nasks_where = ["điều nào"]\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"pointers\.toml: needs non-empty"):
        _pointers(bad)
    bad.write_text("leads = [", encoding="utf-8")
    with pytest.raises(ValueError, match=r"pointers\.toml:"):
        _pointers(bad)
    bad.write_text('leads = ["quy định tại"]\ntargets = ["điều"]\nwords = ["điều"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pointers\.toml: 'asks_where'"):
        _pointers(bad)
