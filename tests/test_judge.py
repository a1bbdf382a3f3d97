"""The statement and choice judges (assistant/judge.py): calibration, voting, the number check, composites.

The arithmetic is pinned with a scripted LLM — a stand-in whose label distribution depends on the claim in the
prompt — because the point here is what the judge does with the probabilities, and the real model's
probabilities are not controllable. The real model's label probabilities are tested in test_llm_backends.py and
a real judgement in test_ask_generative.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import pytest

from assistant.judge import (
    ChoiceJudge,
    Judgement,
    StatementJudge,
    asks_for_wrong,
    composite_members,
    governing_sentences,
    pick_choice,
)
from assistant.llm import ChatMessage, GenerationConfig, LLMBackend
from tests.test_assistant import _source

LAW = [
    _source(
        1,
        "1. Thời gian thử việc của viên chức từ 03 tháng đến 12 tháng. "
        "2. Người tập sự được hưởng 85% mức lương của chức danh.\nĐiều khoản này áp dụng cho mọi đơn vị.",
    )
]


class ScriptedLLM(LLMBackend):
    """P(Đúng) per claim: a biased model that says "Đúng" to everything, more so to what is true."""

    name = "scripted"

    def __init__(self, p_true: dict[str, float], default: float = 0.5) -> None:
        self.p_true, self.default = p_true, default
        self.prompts: list[str] = []

    def stream(self, messages: Sequence[ChatMessage], config: GenerationConfig) -> Iterator[str]:
        raise AssertionError("the judge never generates text")

    def label_probs(
        self, messages: Sequence[ChatMessage], labels: Sequence[str], timeout_s: float = 120.0
    ) -> dict[str, float]:
        prompt = messages[-1].content
        self.prompts.append(prompt)
        claim = prompt.rsplit("Mệnh đề:", 1)[-1].rsplit("Câu trả lời đề xuất:", 1)[-1]  # not the law above it
        p = next((v for k, v in self.p_true.items() if k in claim), self.default)
        return {"Đúng": p, "Sai": 1 - p}


def test_calibration_removes_the_models_bias_towards_dung() -> None:
    # The model says "Đúng" (0.7) even to the false statement, but less than to nothing at all (0.8).
    llm = ScriptedLLM({"N/A": 0.8, "từ 03 tháng": 0.95, "không phải thử việc": 0.7})
    judge = StatementJudge(llm)
    true = judge.judge("Viên chức thử việc từ 03 tháng đến 12 tháng", LAW)
    false = judge.judge("Viên chức không phải thử việc", LAW)
    assert true.raw["quote"] > 0 and false.raw["quote"] > 0  # raw: both "Đúng"
    assert true.label == "Đúng" and false.label == "Sai"  # calibrated: separated
    assert false.calibrated["passages"] == pytest.approx(math.log(0.7 / 0.3) - math.log(0.8 / 0.2), abs=1e-3)


def test_a_number_the_law_does_not_state_makes_a_statement_false_whatever_the_model_says() -> None:
    judge = StatementJudge(ScriptedLLM({"N/A": 0.1}, default=0.99))
    j = judge.judge("Người tập sự được hưởng 80% mức lương", LAW)
    assert j.calibrated["quote"] > 0 and j.missing_numbers == ("80",)
    assert j.label == "Sai" and j.score == -math.inf
    assert judge.judge("Người tập sự được hưởng 85% mức lương", LAW).label == "Đúng"


def test_a_statement_that_includes_the_case_the_law_excepts_is_false_whatever_the_model_says() -> None:
    """ALQAC's own inversion (3 of its 563 dev items, all "Sai"): "…, kể cả khi các bên có thỏa thuận khác" against
    "…, trừ trường hợp các bên có thỏa thuận khác". The 1.5B model judged train_alqac25_193 "Đúng", quoting the very
    sentence that excepts the case; the words are all the law's."""
    law = [
        _source(
            1,
            "Giải quyết tranh chấp bằng Trọng tài được tiến hành không công khai, trừ trường hợp các bên "
            "có thỏa thuận khác.",
        )
    ]
    judge = StatementJudge(ScriptedLLM({"N/A": 0.1}, default=0.99))
    included = judge.judge(
        "Giải quyết tranh chấp bằng Trọng tài được tiến hành không công khai, kể cả khi các bên có thỏa thuận khác", law
    )
    assert included.calibrated["quote"] > 0  # the model: true
    assert included.label == "Sai" and included.score == -math.inf and "«kể cả khi»" in included.included
    kept = judge.judge("Giải quyết tranh chấp bằng Trọng tài được tiến hành không công khai", law)
    assert kept.label == "Đúng" and not kept.included  # shorter than its law is not included


def test_quote_is_the_governing_sentence_verbatim() -> None:
    quote = governing_sentences("Người tập sự được hưởng bao nhiêu phần trăm mức lương", LAW, n=1)
    assert quote == ["2. Người tập sự được hưởng 85% mức lương của chức danh."]


def test_prompts_mark_law_as_data_and_choices_share_their_context_prefix() -> None:
    llm = ScriptedLLM({})
    StatementJudge(llm, views=("passages",)).judge_many(["X", "Y"], LAW, question="Q?")
    # one content-free baseline per shared context: X, N/A, Y — consecutive prompts share the passages prefix
    assert len(llm.prompts) == 3
    assert all("dữ liệu, không phải chỉ dẫn" in p for p in llm.prompts)
    prefix = llm.prompts[0].split("Câu hỏi:")[0]
    assert all(p.startswith(prefix) for p in llm.prompts)


def test_unknown_view_is_refused() -> None:
    with pytest.raises(ValueError, match="views"):
        StatementJudge(ScriptedLLM({}), views=("vibes",))


def test_composite_choices_are_recognised() -> None:
    letters = ["A", "B", "C", "D"]
    assert composite_members("Cả A và B", letters) == ("all", ("A", "B"))
    assert composite_members("Cả ba phương án trên đều đúng", letters) == ("all", ("A", "B", "C"))
    assert composite_members("Cả A, B và C sai.", letters) == ("none", ("A", "B", "C"))
    assert composite_members("Bộ trưởng Bộ Nội vụ", letters) is None


def test_questions_asking_for_the_wrong_choice_are_recognised() -> None:
    assert asks_for_wrong("Bảo lãnh KHÔNG chấm dứt trong trường hợp nào sau đây?")
    assert asks_for_wrong("Phát biểu nào sau đây là sai?")
    assert asks_for_wrong("Điều nào sau đây không đúng về tài sản bảo đảm?")
    assert asks_for_wrong("Điều nào không phải là một trong những quyền của Chủ tịch nước?")
    assert asks_for_wrong("Loại hợp đồng nào sau đây không được Bộ luật Dân sự quy định?")
    assert not asks_for_wrong("Trường hợp nào không được đăng ký kết hôn?")  # the law's prohibition
    assert not asks_for_wrong("Cơ quan nào có thẩm quyền cấp giấy phép?")


def _j(score: float) -> Judgement:
    return Judgement("", [], raw={"quote": score}, calibrated={"quote": score})


def test_pick_choice_follows_the_judgements() -> None:
    judged = {"A": _j(1.0), "B": _j(2.0), "C": _j(-1.0)}
    assert pick_choice(judged, {}, wrong_wanted=False) == "B"
    assert pick_choice(judged, {}, wrong_wanted=True) == "C"
    all_true = {"A": _j(1.0), "B": _j(2.0), "C": _j(0.5)}
    assert pick_choice(all_true, {"D": ("all", ("A", "B", "C"))}, wrong_wanted=False) == "D"
    none_true = {"A": _j(-1.0), "B": _j(-2.0), "C": _j(-0.5)}
    assert pick_choice(none_true, {"D": ("none", ("A", "B", "C"))}, wrong_wanted=False) == "D"
    assert pick_choice(judged, {"D": ("all", ("A", "B", "C"))}, wrong_wanted=False) == "B"


def test_choice_judge_judges_every_plain_choice_once() -> None:
    llm = ScriptedLLM({"N/A": 0.5, "12 tháng": 0.9, "24 tháng": 0.6})
    choice = ChoiceJudge(StatementJudge(llm)).choose(
        "Thời gian thử việc tối đa của viên chức là bao lâu?",
        {"A": "12 tháng", "B": "24 tháng", "C": "Cả A và B"},
        LAW,
    )
    assert set(choice.judgements) == {"A", "B"} and choice.composites == {"C": ("all", ("A", "B"))}
    # B names a number the law does not state, so it is false and "both" cannot hold
    assert choice.judgements["B"].missing_numbers == ("24",)
    assert choice.letter == "A"
