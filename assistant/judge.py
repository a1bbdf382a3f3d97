"""Judging statements against the law: is a statement true under the retrieved provisions, which choice is right.

Asked to write "Đúng" or "Sai", the small local model answers "Đúng" to almost anything (MODELS.md). So the judge
makes the evidence do the work and reads the model's probabilities instead of its prose:

1. **Quote**: the governing sentences are picked verbatim from the retrieved passages — those sharing the most
   content words with the statement (`governing_sentences`).
2. **Judge**: the model's next-token probability of "Đúng" against "Sai" for the statement (prompt file
   `judge_statement.txt`), once with the quoted sentences ("quote" view) and once with the whole passages
   ("passages" view).
3. **Calibrate**: each view is asked the same question about a content-free statement ("N/A"); its log-odds are
   subtracted, removing the model's bias for that context (contextual calibration, Zhao et al. 2021). No labelled
   data is used, so nothing is fitted to the evaluation questions.
4. **Vote**: the calibrated log-odds of the views are summed.
5. **Numbers**: a number, date or amount in the statement that the quoted law does not state makes it false.
6. **Excepted cases**: a statement that reaches a case the quoted law excepts ("…, kể cả khi các bên có thỏa thuận
   khác" against "…, trừ trường hợp các bên có thỏa thuận khác": assistant/polarity.py) is false. The model reads
   the two as the same sentence; the exam writer's and the careless reader's favourite inversion.
7. **Forbidden acts**: a statement that permits an act a source's prohibition lists, for the person it names
   ("Công chức được đình công" against "Những việc cán bộ, công chức không được làm …: 1. … tự ý bỏ việc hoặc
   tham gia đình công.", `verify.forbidden_act`), is false, decided by the rule and its item. The model read the
   item without the article's title that forbids it, and answered "Đúng".

Multiple choice judges each choice as the statement "question — answer" the same way; composite choices
("Cả A, B và C đều đúng", "Tất cả đều sai") are decided from the choices they name, and a question that asks for
the wrong choice ("không đúng", "KHÔNG") picks the least supported one. Every step's score is kept in the
`Judgement`, so the evaluation reports what each step bought.

>>> composite_members("Cả A, B và C đều đúng", ["A", "B", "C", "D"])
('all', ('A', 'B', 'C'))
>>> composite_members("Tất cả các phương án trên đều sai", ["A", "B", "C", "D"])
('none', ('A', 'B', 'C'))
>>> composite_members("Người kháng cáo", ["A", "B", "C", "D"]) is None
True
>>> asks_for_wrong("Trường hợp nào sau đây KHÔNG được hưởng trợ cấp?")
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer import CitedSource
from assistant.evidence import coverage
from assistant.injection import strip_instructions
from assistant.llm import ChatMessage, LLMBackend
from assistant.polarity import CueLexicon
from assistant.prompts import neutralise, template
from assistant.verify import forbidden_act, numbers_in
from core.text import content_words, nfc, nfc_strip, split_source_sentences

TRUE, FALSE = "Đúng", "Sai"
CONTENT_FREE = "N/A"
VIEWS = ("quote", "passages")
_EPS = 1e-6


def log_odds(probs: dict[str, float]) -> float:
    """log P(Đúng) − log P(Sai) from a label distribution (mass outside the two labels is ignored)."""
    return math.log(probs.get(TRUE, 0.0) + _EPS) - math.log(probs.get(FALSE, 0.0) + _EPS)


def governing_sentences(statement: str, sources: Sequence[CitedSource], n: int = 3) -> list[str]:
    """The `n` sentences of the sources that share most content words with `statement`, verbatim, best first."""
    words = content_words(statement)
    scored: list[tuple[float, int, str]] = []
    for source in sources:
        for sentence in split_source_sentences(strip_instructions(source.hit.text)[0]):
            if len(sentence) >= 25:
                scored.append((coverage(words, sentence), -len(scored), sentence))
    scored.sort(reverse=True)
    return [s for _, _, s in scored[:n]]


def _passages(sources: Sequence[CitedSource]) -> str:
    return "\n\n".join(
        f"{neutralise(s.hit.anchor)}: {neutralise(strip_instructions(s.hit.text.strip())[0])}" for s in sources
    )


def _quotes(sentences: Sequence[str]) -> str:
    return "\n".join(f"- {neutralise(s)}" for s in sentences)


@dataclass
class Judgement:
    """How one statement was judged: per-view raw and calibrated log-odds, the number check, the verdict."""

    statement: str
    quote: list[str]
    raw: dict[str, float] = field(default_factory=dict)
    calibrated: dict[str, float] = field(default_factory=dict)
    missing_numbers: tuple[str, ...] = ()
    included: str = ""  # why the statement reaches a case the quoted law excepts, when it does
    forbidden: str = ""  # why the statement permits an act a source forbids, when it does
    forbidding: list[str] = field(default_factory=list)  # … and the source lines that forbid it (rule, item)

    @property
    def score(self) -> float:
        """Summed calibrated log-odds of the views; a missing number, an excepted case included or a forbidden act
        permitted makes it −inf."""
        if self.missing_numbers or self.included or self.forbidden:
            return -math.inf
        return sum(self.calibrated.values())

    @property
    def label(self) -> str:
        return TRUE if self.score > 0 else FALSE

    def to_json(self) -> dict[str, object]:
        return {
            "raw": {k: round(v, 4) for k, v in self.raw.items()},
            "calibrated": {k: round(v, 4) for k, v in self.calibrated.items()},
            "missing_numbers": list(self.missing_numbers),
            "included": self.included,
            "forbidden": self.forbidden,
            "label": self.label,
        }


class StatementJudge:
    """Judges statements with one LLM backend that supports `label_probs` (both of ours do)."""

    def __init__(self, llm: LLMBackend, views: Sequence[str] = VIEWS, quote_sentences: int = 3) -> None:
        unknown = set(views) - set(VIEWS)
        if unknown or not views:
            raise ValueError(f"views must be a non-empty subset of {VIEWS}, got {list(views)}")
        self.llm = llm
        self.views = tuple(views)
        self.quote_sentences = quote_sentences
        self.lexicon = CueLexicon.default()

    def _odds(self, context: str, statement: str, question: str | None) -> float:
        claim = f"Câu hỏi: {question}\nCâu trả lời đề xuất: {statement}" if question else f"Mệnh đề: {statement}"
        prompt = template("judge_statement").format(context=context, claim=neutralise(claim))
        return log_odds(self.llm.label_probs([ChatMessage("user", prompt)], (TRUE, FALSE)))

    def judge(self, statement: str, sources: Sequence[CitedSource], question: str | None = None) -> Judgement:
        """Judge `statement` (or, with `question`, the answer `statement` to it) against `sources`."""
        return self.judge_many([statement], sources, question)[0]

    def judge_many(
        self,
        statements: Sequence[str],
        sources: Sequence[CitedSource],
        question: str | None = None,
        choices: bool = False,
    ) -> list[Judgement]:
        """Judge several statements (the `choices` of one question) against the same sources. A forbidden act
        decides a statement only (step 7): a choice names an act, and its question says whether that act is
        asked for as forbidden ("Hành vi nào sau đây bị nghiêm cấm?") or as permitted.

        Calls are ordered view by view so that consecutive prompts share their context prefix: llama.cpp (and vLLM
        with prefix caching) then reads only each new statement, not the passages again.
        """
        law = "\n".join(s.hit.text for s in sources)
        out = []
        for statement in statements:
            statement = nfc_strip(statement)
            quote = governing_sentences(
                f"{question} {statement}" if question else statement, sources, self.quote_sentences
            )
            j = Judgement(statement=statement, quote=quote)
            j.missing_numbers = tuple(sorted(numbers_in(statement) - numbers_in(law)))
            j.included = next((why for q in quote if (why := self.lexicon.includes_excepted(statement, q))), "")
            act = None if choices else forbidden_act(statement, sources, self.lexicon, about=question or "")
            if act is not None:
                j.forbidden, j.forbidding = act.reason, act.lines
            out.append(j)
        for view in self.views:
            shared = _passages(sources) if view == "passages" else None
            baseline: float | None = None
            for j in out:
                context = shared if shared is not None else _quotes(j.quote)
                j.raw[view] = self._odds(context, j.statement, question)
                if shared is None or baseline is None:
                    baseline = self._odds(context, CONTENT_FREE, question)
                j.calibrated[view] = j.raw[view] - baseline
        return out


# ------------------------------------------------------------------------------------------- multiple choice

_LETTERS = r"[A-H]"
_ALL = re.compile(r"(đều|cùng)\s+đúng|tất\s+cả\s+(các\s+)?(phương\s+án|đáp\s+án|ý|trường\s+hợp)?.*đúng", re.IGNORECASE)
_NONE = re.compile(r"(đều\s+)?(sai|không\s+đúng)\s*\.?$|không\s+có\s+(phương\s+án|đáp\s+án)", re.IGNORECASE)
# The exam's own negation ("KHÔNG đúng", "nào sai", "ngoại trừ"), not a prohibition the law states ("không được").
_WRONG_Q = re.compile(
    r"\bkhông\s+(đúng|chính\s+xác|phải|thuộc|bao\s+gồm|có\s+quyền|được\s+[^?]*\bquy\s+định)\b"
    r"|\bnào\s+(sau\s+đây\s+)?(là\s+)?sai\b|\bsai\s*\?|\bngoại\s+trừ\b"
)


def composite_members(text: str, letters: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """("all"|"none", the letters named) for a choice about other choices, else None.

    A choice names other letters ("Cả A và B đều đúng") or all the others ("Tất cả các phương án trên đều sai").
    """
    norm = nfc_strip(text)
    named = tuple(sorted(set(re.findall(rf"\b({_LETTERS})\b", norm)) & set(letters)))
    about_others = bool(named) or bool(re.search(r"tất\s+cả|cả\s+\w+\s+phương\s+án|các\s+phương\s+án", norm, re.I))
    if not about_others:
        return None
    members = named or tuple(letter for letter in letters if letter != letters[-1])
    if _ALL.search(norm):
        return "all", members
    if _NONE.search(norm):
        return "none", members
    if named and len(named) >= 2:
        return "all", members  # "Cả A và B"
    return None


def asks_for_wrong(question: str) -> bool:
    """Whether the question asks for the choice the law does NOT support ("không đúng", "KHÔNG", "ngoại trừ").

    An emphasised KHÔNG/SAI is the exam's negation; a lowercase "không được" is usually the law's own
    prohibition ("Trường hợp nào không được đăng ký kết hôn?"), whose answer the law does support.
    """
    norm = nfc(question)
    if re.search(r"\bKHÔNG\b|\bSAI\b", norm):
        return True
    return bool(_WRONG_Q.search(norm.lower()))


@dataclass
class ChoiceJudgement:
    """The judgement of each plain choice, how composites were decided, and the chosen letter."""

    letter: str | None
    judgements: dict[str, Judgement]
    composites: dict[str, tuple[str, tuple[str, ...]]]
    wrong_wanted: bool

    def to_json(self) -> dict[str, object]:
        return {
            "letter": self.letter,
            "choices": {k: j.to_json() for k, j in self.judgements.items()},
            "composites": {k: [kind, list(m)] for k, (kind, m) in self.composites.items()},
            "wrong_wanted": self.wrong_wanted,
        }


def pick_choice(
    judgements: dict[str, Judgement],
    composites: dict[str, tuple[str, tuple[str, ...]]],
    wrong_wanted: bool,
    score: str = "score",
) -> str | None:
    """The letter to answer from per-choice judgements (`score` names the Judgement attribute or view to use)."""

    def s(letter: str) -> float:
        j = judgements[letter]
        if score == "score":
            return j.score
        if score.startswith("raw:"):
            return j.raw.get(score[4:], 0.0)
        return j.calibrated.get(score, 0.0)

    if not judgements:
        return None
    if wrong_wanted:
        return min(judgements, key=s)
    best = max(judgements, key=s)
    true_ones = {k for k in judgements if s(k) > 0}
    for letter, (kind, members) in composites.items():
        known = [m for m in members if m in judgements]
        if not known:
            continue
        if kind == "all" and all(m in true_ones for m in known) and len(known) >= 2:
            return letter
        if kind == "none" and not true_ones:
            return letter
    return best


class ChoiceJudge:
    """Multiple choice by judging each choice separately (see the module docstring)."""

    def __init__(self, statements: StatementJudge) -> None:
        self.statements = statements

    def choose(self, question: str, choices: dict[str, str], sources: Sequence[CitedSource]) -> ChoiceJudgement:
        letters = list(choices)
        composites: dict[str, tuple[str, tuple[str, ...]]] = {}
        plain: dict[str, str] = {}
        for letter, text in choices.items():
            comp = composite_members(text, letters)
            if comp is not None:
                composites[letter] = comp
            else:
                plain[letter] = text
        judged = self.statements.judge_many(list(plain.values()), sources, question=question, choices=True)
        judgements = dict(zip(plain, judged, strict=True))
        wrong = asks_for_wrong(question)
        return ChoiceJudgement(pick_choice(judgements, composites, wrong), judgements, composites, wrong)
