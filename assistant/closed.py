"""Closed questions — yes/no, true/false, multiple choice — answered by the judge, not by free generation.

Asked "… có được … không?" the small model writes "Có." or "B. …", sentences that cite nothing and that
verification rightly removes, so the generative path refused most closed questions that the judge
(assistant/judge.py) answers. This module reads the question's kind and answers it through the same path the
evaluation uses (eval/answers.py `judge_item`), in one answer shape:

1. **Read** (`read_question`): a registry of rules (`RULES`), the first that reads the question wins — options on
   their own lines or inline ("A) … B) …") make a `choice` question; a tag ("…, đúng hay sai?", "Đúng hay sai:
   …", "…, phải không?") or the particle frame ("… có được … không?") a `yes_no` one, with the statement to judge:
   the frame dropped, a negation inside kept ("… không được …"). Anything else is `open`. The phrases are data
   (`assistant/data/closed_cues_vi.toml`), for the legal team to review.
2. **Judge**: `StatementJudge` for the statement, `ChoiceJudge` for the choices, with the sources the pipeline
   gathered — after the evidence check, so an off-corpus question is still refused.
3. **Answer** (`closed_answer`): the direct answer first ("Có." / "Không.", "Đúng." / "Sai." for a true/false
   statement, "B. <choice>." for a choice), then the deciding quote, verbatim with its marker:
   "Có. Theo [2]: «…»". The quote (`deciding_quotes`) is the judge's governing sentence or a whole line of a
   source — a point such as "a) Kết hôn: nghỉ 03 ngày;" that sentence splitting would cut — whichever covers the
   claim and states its numbers. It is verified like any cited sentence (so it binds to its Khoản/Điểm); the
   verdict sentence is recorded with the judge's log-odds, and the whole judgement goes into
   `answer.evidence["judge"]`. The citation is narrowed to the quoted span (document offsets). A verdict its
   quote does not decide is flagged; one no quote about the person asked decides is not given (the refusal,
   `quoted_another`); a "no" whose quote states the claim outright is the quote's "yes" (`states_outright`). A
   yes/no question whose deciding quotes are lead-ins holding only in the cases they list ("… có thể từ chức …
   trong các trường hợp sau đây:"), none of which it names, is answered "Tùy trường hợp." with each lead-in
   quoted together with its cases (`_with_cases`; the phrase is in the cues file). One whose every deciding quote
   grants the act asked to the person asked, with words of its own — a condition, a case, a duty that goes with
   the right —, is answered "Có, với điều kiện quy định dưới đây." whatever the judge said (`grants`; the phrase is
   in the cues file too).

>>> q = read_question("Người lao động có được nghỉ 03 ngày khi kết hôn không?")
>>> q.kind.value, q.statement
('yes_no', 'Người lao động được nghỉ 03 ngày khi kết hôn')
>>> read_question("Quyền hưởng dụng là một loại quyền khác đối với tài sản, đúng hay sai?").statement
'Quyền hưởng dụng là một loại quyền khác đối với tài sản'
>>> read_question("Trường hợp nào không được đăng ký kết hôn?").kind.value
'open'
>>> read_question("Ai là người đại diện?\\nA. Cha mẹ\\nB. Con").choices
{'A': 'Cha mẹ', 'B': 'Con'}
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
import tomllib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.actor import ActorLexicon
from assistant.answer import Answer, CitedSource, SentenceCheck, Verification, refusal
from assistant.clauses import SourceOutline, heading_title
from assistant.context import asked_claim, grants_act, names_before_act, opens_on_modal, states_act
from assistant.evidence import Evidence, coverage
from assistant.injection import strip_instructions
from assistant.polarity import CueKind, CueLexicon, clauses, label_rank, without_label
from assistant.verify import (
    FLAG,
    SentenceVerifier,
    claims_duty,
    forbidding_title,
    measures_in,
    modal_shift,
    numbers_in,
)
from core.text import (
    contains_run,
    content_syllables,
    content_words,
    fold,
    folded_runs,
    folded_stopwords,
    nfc,
    phrase_pattern,
    phrases_pattern,
    stopwords,
    words,
)

if TYPE_CHECKING:  # the judge imports the backend module (httpx): only when a closed question is answered
    from assistant.judge import ChoiceJudgement, Judgement
    from assistant.llm import LLMBackend
    from index.search import Hit

CUES_FILE = Path(__file__).with_name("data") / "closed_cues_vi.toml"
MODE = "judged"
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\s*\S+|\s+$")  # as the pipeline's stream: a client shows the answer being typed


class QuestionKind(StrEnum):
    """What a question asks for: an explanation (`open`), a yes/no verdict, or one of its lettered choices."""

    OPEN = "open"
    YES_NO = "yes_no"
    CHOICE = "choice"

    @classmethod
    def from_str(cls, value: str) -> QuestionKind:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown question kind {value!r}; valid: {', '.join(k.value for k in cls)}") from None


@dataclass(frozen=True)
class ClosedQuestion:
    """A question as read: its kind, and what the judge needs — the statement (yes/no) or stem and choices.

    `form` names the answer words (`Cues.forms`: "co_khong" → Có/Không, "dung_sai" → Đúng/Sai); `context` is
    the earlier question a follow-up's statement answers (judged as "question — proposed answer"); `rule` names
    the rule that read it.
    """

    kind: QuestionKind
    text: str
    statement: str = ""
    stem: str = ""
    choices: dict[str, str] = field(default_factory=dict)
    form: str = "co_khong"
    context: str | None = None
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "rule": self.rule}
        if self.kind is QuestionKind.YES_NO:
            out |= {"statement": self.statement, "form": self.form, "context": self.context}
        elif self.kind is QuestionKind.CHOICE:
            out |= {"stem": self.stem, "choices": dict(self.choices)}
        return out


# ------------------------------------------------------------------------------------------------- the cues


@dataclass(frozen=True)
class Cues:
    """The reviewable phrase lists of assistant/data/closed_cues_vi.toml (see the comments there)."""

    forms: dict[str, tuple[str, str]]
    tail_tags: dict[str, str]  # phrase → form
    lead_tags: dict[str, str]
    particle_form: str
    particle_tails: tuple[str, ...]
    courtesy: tuple[str, ...]
    openers: tuple[str, ...]
    particle_co_before: tuple[str, ...]
    question_words: tuple[str, ...]
    quantifiers: tuple[str, ...]
    phrase_heads: tuple[str, ...] = ()
    same_kind: tuple[tuple[str, ...], ...] = ()
    figure_degrees: tuple[str, ...] = ()  # "tối đa", "tối thiểu": how far the figure asked goes
    case_by_case: str = "Tùy trường hợp"  # the answer when the law says yes or no only in the cases it lists
    granted: str = "{yes}, với điều kiện quy định dưới đây"  # a yes the quote grants with conditions of its own

    def __post_init__(self) -> None:
        for tags in (self.tail_tags, self.lead_tags, {"": self.particle_form}):
            unknown = set(tags.values()) - set(self.forms)
            if unknown:
                raise ValueError(f"unknown answer form(s) {sorted(unknown)}; known: {', '.join(self.forms)}")
        try:
            self.granted.format(yes="")
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(f"[granted] answer {self.granted!r}: only {{yes}} may be filled in ({err})") from err

    @classmethod
    def load(cls, path: Path = CUES_FILE) -> Cues:
        data = tomllib.loads(path.read_text(encoding="utf-8"))

        def tags(key: str) -> dict[str, str]:
            return {nfc(p).lower(): t["form"] for t in data.get(key, []) for p in t["phrases"]}

        def words(section: str, key: str) -> tuple[str, ...]:
            return tuple(nfc(p).lower() for p in data[section][key])

        forms: dict[str, tuple[str, str]] = {}
        for name, pair in data["forms"].items():
            if len(pair) != 2:
                raise ValueError(f"{path.name}: form {name!r} must be [yes word, no word], got {pair}")
            forms[name] = (str(pair[0]), str(pair[1]))
        return cls(
            forms=forms,
            tail_tags=tags("tail_tags"),
            lead_tags=tags("lead_tags"),
            particle_form=data["particle"]["form"],
            particle_tails=words("particle", "tails"),
            courtesy=words("particle", "courtesy"),
            openers=words("particle", "openers"),
            particle_co_before=words("particle", "particle_co_before"),
            question_words=words("open", "question_words"),
            quantifiers=words("open", "quantifiers"),
            phrase_heads=words("open", "phrase_heads"),
            same_kind=tuple(tuple(nfc(w).lower() for w in group) for group in data["open"].get("same_kind", [])),
            figure_degrees=tuple(nfc(w).lower() for w in data["open"].get("figure_degrees", [])),
            case_by_case=nfc(data["listed"]["answer"]),
            granted=nfc(data["granted"]["answer"]),
        )

    def asks(self, text: str) -> int:
        """How many question words `text` asks with (quantified ones, "bất kỳ … nào", not counted)."""
        return len(self._question_words_in(text))

    def asked_kinds(self, text: str) -> frozenset[str]:
        """What `text` asks, as kinds of question word: each word found (as `asks` counts them) stands for the
        first word of its `same_kind` group, or for itself.

        >>> sorted(Cues.default().asked_kinds("Hình thức này áp dụng với ai, ra sao?"))
        ['ai', 'thế nào']
        >>> Cues.default().asked_kinds("Có những hình thức gì?") == Cues.default().asked_kinds("Hình thức nào?")
        True
        """
        kind = {word: group[0] for group in self.same_kind for word in group}
        return frozenset(kind.get(w, w) for w in self._question_words_in(text))

    def _question_words_in(self, text: str) -> list[str]:
        """The question words `text` asks with, lowercased, one space inside: quantified ones ("bất kỳ … nào")
        left out with their quantifier."""
        quantified = (
            phrases_pattern(self.quantifiers) + r"(?:(?:\s+\S+){0,6}?\s+" + phrases_pattern(self.question_words) + ")?"
        )
        rest = re.sub(quantified, " ", text, flags=re.IGNORECASE)
        found = re.findall(phrases_pattern(self.question_words), rest, re.IGNORECASE)
        return [" ".join(w.lower().split()) for w in found]

    def without_question_words(self, text: str) -> str:
        """`text` with its question words blanked out, whole phrases first: pyvi reads "như thế nào" as "như" and
        "thế_nào", and a lone "như" is no word of what is asked.

        >>> Cues.default().without_question_words("Hồ sơ được nộp lưu như thế nào?")
        'Hồ sơ được nộp lưu  ?'
        """
        return re.sub(phrases_pattern(self.question_words), " ", text, flags=re.IGNORECASE)

    def without_question_phrase(self, question: str) -> str:
        """`question` as a statement, when it ends in a question phrase: the phrase (from the word of `phrase_heads`
        nearest the question word, at most three words before it, else the question word alone) and the "?" left
        out — the nearest, so a restriction before it stays ("… đối với công chức là gì?" keeps "đối với công chức":
        live, a follow-up on the thời hiệu was read with "Các hình thức kỷ luật." and answered for three persons).

        >>> Cues.default().without_question_phrase("Viên chức bị chấm dứt hợp đồng trong trường hợp nào?")
        'Viên chức bị chấm dứt hợp đồng.'
        >>> Cues.default().without_question_phrase("Các hình thức kỷ luật đối với công chức là gì?")
        'Các hình thức kỷ luật đối với công chức.'
        >>> Cues.default().without_question_phrase("Người lao động có được trợ cấp không?")
        'Người lao động có được trợ cấp không?'
        """
        words = phrases_pattern(self.question_words)
        heads = phrases_pattern(self.phrase_heads)
        phrase = re.compile(rf"(?:{heads})(?:\s+\S+){{0,3}}?\s+{words}\s*\?*\s*$", re.IGNORECASE)
        starts = [m.end() for m in re.finditer(r"(?:^|[\s,])", question)]
        start = max((i for i in starts if phrase.match(question, i)), default=None)
        if start is None:
            bare = re.search(rf"[\s,]*{words}\s*\?*\s*$", question, re.IGNORECASE)
            start = bare.start() if bare is not None else None
        if start is None or not question[:start].strip(" ,"):
            return question
        return question[:start].rstrip(" ,") + "."

    @staticmethod
    def default() -> Cues:
        """The cues of assistant/data/closed_cues_vi.toml, read once."""
        return _default_cues()


@cache
def _default_cues() -> Cues:
    return Cues.load()


# ------------------------------------------------------------------------------------------------- the rules


def _tidy(text: str) -> str:
    return _SPACE.sub(" ", nfc(text)).strip()


def _sentence(text: str) -> str:
    """A statement as judged: outer punctuation stripped, first letter upper-case."""
    s = text.strip(" \t\n,.;:–-?!…")
    return s[:1].upper() + s[1:]


def _body(text: str, cues: Cues) -> str:
    """The question without its final punctuation and courtesy words ("… không ạ?" → "… không")."""
    body = text.rstrip(" ?!.…")
    courtesy = re.compile(r"[\s,]+" + phrases_pattern(cues.courtesy) + r"\s*$", re.IGNORECASE)
    while (m := courtesy.search(body)) is not None:
        body = body[: m.start()].rstrip(" ?!.…,")
    return body


class QuestionRule(ABC):
    """One way a closed question is put; `read` returns the question as read, or None when the rule does not apply."""

    name: str

    @abstractmethod
    def read(self, text: str, cues: Cues) -> ClosedQuestion | None: ...


_OPTION_LINE = re.compile(r"^\s*\(?([A-H])(?:[.):]|\s+[-–])(?:\s+|$)(.*)$")
_OPTION_INLINE = re.compile(r"(?:(?<=\s)|^)\(?([A-H])[.)]\s+")


def _consecutive(letters: Sequence[str]) -> bool:
    return len(letters) >= 2 and list(letters) == [chr(ord("A") + i) for i in range(len(letters))]


class ChoiceLines(QuestionRule):
    """A stem, then options on their own lines: "A. …", "B) …" (an option may wrap onto following lines)."""

    name = "choice_lines"

    def read(self, text: str, cues: Cues) -> ClosedQuestion | None:
        stem: list[str] = []
        choices: dict[str, str] = {}
        last: str | None = None
        for line in text.splitlines():
            m = _OPTION_LINE.match(line)
            if m and m.group(1) == chr(ord("A") + len(choices)):
                last = m.group(1)
                choices[last] = m.group(2).strip()
            elif last is None:
                stem.append(line.strip())
            elif line.strip():
                choices[last] = f"{choices[last]} {line.strip()}"
        question = _tidy(" ".join(stem))
        if not question or not _consecutive(list(choices)):
            return None
        return ClosedQuestion(QuestionKind.CHOICE, text, stem=question, choices=choices, rule=self.name)


class ChoiceInline(QuestionRule):
    """Options on one line after the stem's "?" or ":": "… sau đây? A) … B) … C) …" (upper-case letters only:
    a lower-case "a)" is a point of a clause)."""

    name = "choice_inline"

    def read(self, text: str, cues: Cues) -> ClosedQuestion | None:
        flat = _tidy(text)
        marks = list(_OPTION_INLINE.finditer(flat))
        first = next(
            (i for i, m in enumerate(marks) if m.group(1) == "A" and flat[: m.start()].rstrip().endswith(("?", ":"))),
            None,
        )
        if first is None:
            return None
        chosen = [marks[first]]
        for m in marks[first + 1 :]:
            if m.group(1) == chr(ord(chosen[-1].group(1)) + 1):
                chosen.append(m)
        if not _consecutive([m.group(1) for m in chosen]):
            return None
        ends = [m.start() for m in chosen[1:]] + [len(flat)]
        choices = {m.group(1): flat[m.end() : end].strip() for m, end in zip(chosen, ends, strict=True)}
        stem = flat[: chosen[0].start()].strip()
        return ClosedQuestion(QuestionKind.CHOICE, text, stem=stem, choices=choices, rule=self.name)


class LeadTag(QuestionRule):
    """ "Đúng hay sai: <statement>" — a tag, a colon (or "?"), the statement."""

    name = "lead_tag"

    def read(self, text: str, cues: Cues) -> ClosedQuestion | None:
        flat = _tidy(text)
        for phrase in sorted(cues.lead_tags, key=len, reverse=True):
            m = re.match(phrase_pattern(phrase) + r"\s*[:?]\s*(\S.*)$", flat, re.IGNORECASE)
            if m and len(m.group(1).split()) >= 2:
                return ClosedQuestion(
                    QuestionKind.YES_NO,
                    text,
                    statement=_sentence(m.group(1)),
                    form=cues.lead_tags[phrase],
                    rule=self.name,
                )
        return None


class TailTag(QuestionRule):
    """ "<statement>, đúng hay sai?" / "…, đúng không?" / "… phải không?" — the statement is what precedes the tag."""

    name = "tail_tag"

    def read(self, text: str, cues: Cues) -> ClosedQuestion | None:
        body = _body(_tidy(text), cues)
        for phrase in sorted(cues.tail_tags, key=len, reverse=True):
            m = re.search(r"(?:^|[\s,.;:–-]+)(?:là\s+)?" + phrase_pattern(phrase) + r"$", body, re.IGNORECASE)
            if m and len(body[: m.start()].split()) >= 2:
                statement = _sentence(body[: m.start()])
                return ClosedQuestion(
                    QuestionKind.YES_NO, text, statement=statement, form=cues.tail_tags[phrase], rule=self.name
                )
        return None


class Particle(QuestionRule):
    """ "… có được … không?", "Có phải … không?", "… hay không?" — unless a question word makes it open
    ("Trường hợp nào … không?"). The opener and the particle "có" are dropped; the verb "có" ("có quyền") and a
    negation ("không được") stay."""

    name = "particle"

    def read(self, text: str, cues: Cues) -> ClosedQuestion | None:
        flat = _tidy(text)
        body = _body(flat, cues)
        tail = re.search(r"[\s,]+" + phrases_pattern(cues.particle_tails) + r"$", body, re.IGNORECASE)
        if tail is None:
            return None
        rest = body[: tail.start()].rstrip(" ,")
        co = re.compile(phrase_pattern("có"), re.IGNORECASE)
        framed = bool(co.search(rest)) or tail.group(0).strip().lower() != "không"
        if not (flat.endswith("?") or framed) or len(rest.split()) < 2 or self._asks_open(rest, cues):
            return None
        opener = re.match(phrases_pattern(cues.openers) + r"\s*,?\s*", rest, re.IGNORECASE)
        if opener is not None and len(rest[opener.end() :].split()) >= 2:
            rest = rest[opener.end() :]
        rest = self._drop_particle_co(rest, cues)
        return ClosedQuestion(
            QuestionKind.YES_NO, text, statement=_sentence(rest), form=cues.particle_form, rule=self.name
        )

    @staticmethod
    def _asks_open(rest: str, cues: Cues) -> bool:
        words = phrases_pattern(cues.question_words)
        quantified = phrases_pattern(cues.quantifiers) + r"(?:(?:\s+\S+){0,6}?\s+" + words + ")?"
        return re.search(words, re.sub(quantified, " ", rest, flags=re.IGNORECASE), re.IGNORECASE) is not None

    @staticmethod
    def _drop_particle_co(rest: str, cues: Cues) -> str:
        before = phrases_pattern(cues.particle_co_before)
        m = re.search(phrase_pattern("có") + r"\s+(?=" + before + ")", rest, re.IGNORECASE)
        if m is None:
            return rest
        after = rest[m.end() :]
        phai_la = re.match(phrase_pattern("phải") + r"\s+(?=" + phrase_pattern("là") + ")", after, re.IGNORECASE)
        if phai_la is not None:
            after = after[phai_la.end() :]
        return rest[: m.start()] + after


RULES: tuple[QuestionRule, ...] = (ChoiceLines(), ChoiceInline(), LeadTag(), TailTag(), Particle())


def read_question(text: str, cues: Cues | None = None, rules: Sequence[QuestionRule] = RULES) -> ClosedQuestion:
    """The question as read by the first rule that applies; `open` when none does."""
    cues = cues or Cues.default()
    text = nfc(text).strip()
    for rule in rules:
        read = rule.read(text, cues)
        if read is not None:
            return read
    return ClosedQuestion(QuestionKind.OPEN, text)


def searched_as(closed: ClosedQuestion, query: str) -> tuple[str, ...]:
    """What a question, read as `closed` (`read_closed`), is searched with, then any other reading its evidence may
    be judged on: a choice question is searched with its stem and its options' texts, without their letters, as
    the evaluation searches it, and its evidence holds on that or on the stem alone ("Viên chức kết hôn được nghỉ
    mấy ngày? A. 01 ngày B. 03 ngày C. 05 ngày" was refused, live: the letters "A." "B." "C." counted as three
    words no article states). Any other question is searched as read (`query`).

    >>> asked = "Viên chức kết hôn được nghỉ mấy ngày? A. 01 ngày B. 03 ngày C. 05 ngày"
    >>> searched_as(read_closed(asked), asked)
    ('Viên chức kết hôn được nghỉ mấy ngày? 01 ngày 03 ngày 05 ngày', 'Viên chức kết hôn được nghỉ mấy ngày?')
    >>> searched_as(read_closed("Viên chức được nghỉ mấy ngày?"), "Viên chức được nghỉ mấy ngày?")
    ('Viên chức được nghỉ mấy ngày?',)

    A yes/no question's evidence may hold on its statement too: its tag is no word a law states ("Viên chức được
    tham gia đình công, đúng hay sai?" was refused, live, with Điều 19 Luật Viên chức first among the closest).

    >>> asked = "Viên chức được tham gia đình công, đúng hay sai?"
    >>> searched_as(read_closed(asked), asked)
    ('Viên chức được tham gia đình công, đúng hay sai?', 'Viên chức được tham gia đình công')
    """
    if closed.kind is QuestionKind.YES_NO and not closed.context and closed.statement not in ("", query):
        return query, closed.statement
    if closed.kind is not QuestionKind.CHOICE:
        return (query,)
    options = " ".join(c.strip() for c in closed.choices.values())
    return f"{closed.stem} {options}".strip(), closed.stem


def read_closed(question: str, query: str | None = None, cues: Cues | None = None) -> ClosedQuestion:
    """The user's `question` as read, its statement made self-contained with `query` for a follow-up.

    The kind and the choices come from the user's own words. A follow-up the model rewrote into a standalone
    question gives its statement (or stem) when it reads as the same kind. A follow-up joined with the previous
    question ("<previous> <question>", assistant/rewrite.py) keeps its own statement, judged as the answer to the
    previous question (`context`), and a choice stem is read after the previous question.
    """
    asked = read_question(question, cues)
    question, query = nfc(question).strip(), nfc(query or "").strip()
    if asked.kind is QuestionKind.OPEN or not query or query == question:
        return asked
    if query.endswith(question):  # joined
        previous = query[: -len(question)].strip()
        if asked.kind is QuestionKind.CHOICE:
            return dataclasses.replace(asked, stem=f"{previous} {asked.stem}".strip())
        return dataclasses.replace(asked, context=previous or None)
    rewritten = read_question(query, cues)
    if asked.kind is QuestionKind.YES_NO:
        if rewritten.kind is QuestionKind.YES_NO:
            return dataclasses.replace(asked, statement=rewritten.statement)
        return dataclasses.replace(asked, context=query)
    stem = rewritten.stem if rewritten.kind is QuestionKind.CHOICE else query.splitlines()[0]
    return dataclasses.replace(asked, stem=stem)


# ------------------------------------------------------------------------------------------------ the answer


@dataclass(frozen=True)
class Quote:
    """A deciding passage (a source line or sentence), verbatim, and the source it is quoted from."""

    sentence: str
    source: CitedSource
    verbatim: bool  # found as is in the source's text (not only in its instruction-free reading)

    @property
    def line(self) -> str:
        """The quote as the answer shows it, on one line (a list quoted with its items: their lines joined)."""
        return f"Theo [{self.source.marker}]: «{' '.join(self.sentence.split())}»"


@dataclass
class ClosedResult:
    """What the judge decided and the text that says it: the direct answer, then the deciding quotes."""

    verdict: str  # "Có" / "Không" / "Đúng" / "Sai", or the chosen letter
    text: str
    quotes: list[Quote]
    sentences: list[SentenceCheck]
    verification: Verification
    judgement: dict[str, Any]
    # why no verdict may be given: every deciding quote speaks of someone other than the person asked about
    unfounded: str | None = None

    @property
    def markers(self) -> tuple[int, ...]:
        return tuple(sorted({q.source.marker for q in self.quotes}))


def _locate(sentence: str, sources: Sequence[CitedSource]) -> Quote | None:
    for s in sources:
        if sentence in s.hit.text:
            return Quote(sentence, s, True)
    for s in sources:
        if sentence in strip_instructions(s.hit.text)[0]:
            return Quote(sentence, s, False)
    return None


# A line of a source's structure, not a provision: a heading ("Điều 54. …", "Mục 2. …", "Chương III"), a pháp
# điển's source note ("(Điều 20 Nghị định số 115/2020/NĐ-CP, có hiệu lực …)").
_STRUCTURE_LINE = re.compile(
    r"^(?:\(?Điều\s+\d|Mục\s+\d|Chương\s+[IVXLC\d]|Phần\s+(?:thứ\s+\w+|[IVXLC\d]+)(?!\w))", re.IGNORECASE
)
MIN_QUOTE_CHARS = 10  # a shorter line is a label or a heading, not a provision
# Words that open a case ("khi kết hôn"): what the case is lies in the words after them, which a quote must state.
CASE_OPENERS = frozenset({"khi", "vì", "do"})
ACT_WEIGHT = 0.25  # what speaking of the act asked adds to a passage's share of the claim's words
DEMOTED = 0.5  # what a passage of a `demoted` text loses: it still wins where nothing else covers half as much


def deciding_quotes(
    claim: str,
    sources: Sequence[CitedSource],
    judged: Sequence[str] = (),
    frame: str = "",
    n: int = 1,
    demoted: Sequence[str] = (),
    about: str = "",
) -> list[str]:
    """The `n` passages that decide `claim`, verbatim: a whole line of a source (a clause or a point, which keeps
    "a) Kết hôn: nghỉ 03 ngày;" whole where sentence splitting would cut it) or one of the judge's `judged`
    sentences — whichever covers most of the claim's content words and states its numbers; `frame` (a choice's
    question) breaks ties, and so does the act the claim asks about (`asked_act`): live, «4. Khi viên chức chuyển công
    tác đến cơ quan, tổ chức, đơn vị khác thì chấm dứt hợp đồng …» was quoted for "Viên chức có được ký hợp đồng với
    cơ quan, tổ chức khác không?" over the judge's «2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác …»,
    the same share of its words and shorter. A shorter passage wins a tie. A passage found in one of the `demoted`
    texts (the prohibitions, when the verdict permits: `prohibitions`) counts `DEMOTED` less, and so does one that,
    read with its article's heading and its list's lead-in, speaks only of others than the one person `about` (a
    yes/no claim) asks about (`ActorLexicon.only_others`, as `quoted_another` reads a quote): live, «2. Tổ chức đại
    diện người lao động có quyền tổ chức và lãnh đạo đình công …» (the workers' organisation's right, "người lao
    động" only in its name) was quoted for "Người lao động có quyền đình công không?" over Điều 199, "Trường hợp
    người lao động có quyền đình công".
    """
    words, frame_words, numbers = content_words(claim) - CASE_OPENERS - _MODES, content_words(frame), numbers_in(claim)
    # a figure with its unit is stated by that figure in that unit: "07 ngày làm việc" (the father's leave) does
    # not state "7 tháng" (live, quoted for "Lao động nữ có được nghỉ thai sản 7 tháng không?")
    measures = measures_in(claim)
    act_run = _folded(asked_act(claim))
    claim_syllables = content_syllables(claim)
    said = asked_claim(claim)
    predicate = asked_predicate(claim)
    # each passage with the lead-in of its list and the heading of its article, which may say whom it is about
    candidates: dict[str, tuple[str, str]] = dict.fromkeys((j for j in judged if j), ("", ""))
    placed: set[str] = set()
    for source in sources:
        text = strip_instructions(source.hit.text)[0]
        article = _article_of(source)
        provisions = [c for c in clauses(text) if c.lead and c.item]
        for line in (raw.strip() for raw in text.split("\n")):
            if len(line) >= MIN_QUOTE_CHARS and line not in placed:
                # (a line the judge quoted too is read where it stands: live, Điều 199's lead-in, quoted by the
                # judge, was read without the title that says whose right it is)
                placed.add(line)
                # a list item is read with its lead-in, which says whose rule it is: «b) Con đẻ, con nuôi kết hôn:
                # nghỉ 01 ngày.» under "Người lao động được nghỉ việc riêng …" (live, Khoản 2's unpaid day for "cha
                # hoặc mẹ kết hôn" was quoted for "… nghỉ 01 ngày khi con kết hôn": it names "người lao động")
                lead = next((c.lead for c in provisions if c.item in line or line in c.item), "")
                candidates[line] = (lead, article)

    # an article's title, as a heading gives it after its number ("Điều 54. …", "Điều 20 Nghị định 115/2020/NĐ-CP. …")
    titles = {heading_title(h) for s in sources for h in s.hit.heading_path} - {""}
    actors = ActorLexicon.default()
    person = actors.person_asked(about) if about else None

    def score(passage: str) -> tuple[float, bool, float, int]:
        lead, article = candidates[passage]
        read = f"{lead}\n{passage}"
        # a line's own label ("3.") states no 3: live, «3. Khi nghỉ hằng năm, người lao động được tạm ứng …» was
        # quoted for "… nghỉ 03 ngày khi kết hôn" over «a) Kết hôn: nghỉ 03 ngày;»
        if measures:
            stated = len(measures & measures_in(without_label(passage))) / len(measures)
        else:
            stated = len(numbers & numbers_in(without_label(passage))) / len(numbers) if numbers else 0.0
        penalty = DEMOTED if any(passage in text for text in demoted) else 0.0
        # a title names what its article rules on and rules nothing: live, "Công chức có được từ chức không?" was
        # answered on «Từ chức hoặc miễn nhiệm đối với công chức», Điều 54's title, over its Khoản 1 that says who may
        penalty += DEMOTED if passage in titles or _STRUCTURE_LINE.match(passage) else 0.0
        if person is not None and actors.only_others(f"{article}\n{read}", person[0], about) is not None:
            penalty += DEMOTED
        # saying the act as the claim does, after "được" / "không được" / "phải", counts again: live, «2. Được ký hợp
        # đồng vụ, việc với cơ quan, tổ chức, đơn vị khác …» (Điều 14 Luật Viên chức) lost to a transfer's «… được
        # ký kết hợp đồng làm việc … đơn vị sự nghiệp công lập khác …» for "Viên chức có được ký hợp đồng với đơn vị
        # khác không?": that one names the viên chức, this one leaves them to its title
        # and so does naming the person asked before the act, in the passage itself: live, «3. Người đứng đầu đơn vị
        # sự nghiệp công lập không được đơn phương chấm dứt hợp đồng làm việc với viên chức …» (the unit's) was
        # quoted for "Viên chức có được đơn phương chấm dứt hợp đồng làm việc không?" over Khoản 4's «Viên chức …
        # có quyền đơn phương …»
        # and so does granting it to the person asked, read with its title where that says whose right it is
        # (`_granting_text`): live, Điều 207's «2. Người lao động tham gia đình công không được trả lương …», shorter,
        # was quoted for "Người lao động có quyền đình công không?" over Điều 199's lead-in of the cases
        # — but only where it says all the claim says of the act: live, «1. Lao động nữ mang thai nếu có xác nhận …
        # về việc tiếp tục làm việc sẽ ảnh hưởng xấu tới thai nhi thì có quyền đơn phương chấm dứt …» (Điều 138)
        # names her and "làm việc" and was quoted for "Lao động nữ mang thai có được làm việc ban đêm không?" over
        # Điều 137's «a) Mang thai từ tháng thứ 07 …» under "… không được sử dụng người lao động làm việc ban đêm …"
        says_all = not predicate or coverage(set(predicate), read) == 1.0
        states = said is not None and states_act(passage, said[1])
        acts = (ACT_WEIGHT if says_all else 0.0) * (
            contains_run(folded_runs(read), act_run)
            + states
            + (said is not None and names_before_act(passage, said[0], said[1]))
            + (
                said is not None
                and not said[2]
                and grants_act(_granting_text(heading_title(article), lead, passage), said[0], said[1])
            )
        )
        return (
            coverage(words, read) + 0.5 * stated + 0.25 * coverage(frame_words, read) + acts - penalty,
            # of those, one that states the act as allowed, due or barred (after "được" / "có quyền" / "phải")
            # with no case the claim does not name before one that holds only in such cases, or is one of them
            # (live: Điều 35 Bộ luật Lao động whole in the prompt, «2. Người lao động có quyền đơn phương chấm dứt
            # hợp đồng lao động không cần báo trước trong trường hợp sau đây:», shorter, was quoted for "Người lao
            # động có được đơn phương chấm dứt hợp đồng lao động không?" over Khoản 1's right with notice, and the
            # answer was "Tùy trường hợp." instead of "Có, với điều kiện …"),
            (states or (said is not None and grants_act(passage, said[0], said[1])))
            and not _in_cases_only(passage, lead, claim_syllables, act_run),
            # then one that states it itself before an item its lead-in lends the words (live: "Có được hưởng
            # lương không?" after the personal-leave question quoted «a) Kết hôn: nghỉ 03 ngày;» for its lead-in's
            # "… mà vẫn hưởng nguyên lương"), then the shorter
            coverage(words, passage),
            -len(passage),
        )

    return sorted(candidates, key=score, reverse=True)[:n]


def _sigmoid(x: float) -> float:
    return 1.0 if math.isinf(x) and x > 0 else 0.0 if math.isinf(x) else 1 / (1 + math.exp(-x))


def _odds(j: Judgement) -> str:
    views = ", ".join(f"{k} {v:+.2f}" for k, v in j.calibrated.items())
    missing = f"; numbers the law does not state: {', '.join(j.missing_numbers)}" if j.missing_numbers else ""
    included = f"; {j.included}" if j.included else ""
    forbidden = f"; {j.forbidden}" if j.forbidden else ""
    score = "−inf" if math.isinf(j.score) else f"{j.score:+.2f}"
    return f"{score} ({views}){missing}{included}{forbidden}"


def _verdict_yes_no(closed: ClosedQuestion, j: Judgement, cues: Cues) -> tuple[str, str, float]:
    from assistant.judge import TRUE

    yes, no = cues.forms[closed.form]
    word = yes if j.label == TRUE else no
    return word, f"decided by the judge: log-odds {_odds(j)} → {j.label}", _sigmoid(abs(j.score))


def _verdict_choice(closed: ClosedQuestion, c: ChoiceJudgement) -> tuple[str, str, float]:
    assert c.letter is not None
    scores = "; ".join(f"{k} {_odds(j)}" for k, j in c.judgements.items())
    how = " (the question asks for the choice the law does not support: the least supported)" if c.wrong_wanted else ""
    if c.letter in c.composites:
        kind, members = c.composites[c.letter]
        how += f" (composite: {kind} of {', '.join(members)})"
    plain = [j.score for k, j in c.judgements.items() if k != c.letter]
    if c.letter in c.judgements and plain:
        mine = c.judgements[c.letter].score
        margin = (max(plain) - mine) if c.wrong_wanted else (mine - max(plain))
        confidence = _sigmoid(margin) if not math.isnan(margin) else 0.5
    else:
        confidence = 0.5
    return c.letter, f"decided by the judge: choice {c.letter}{how}; log-odds per choice: {scores}", confidence


def _choice_quotes(closed: ClosedQuestion, c: ChoiceJudgement, sources: Sequence[CitedSource]) -> list[str]:
    """The passages that decided the chosen letter: its own, or its members' for a composite ("Cả A và B")."""
    assert c.letter is not None
    letters = c.composites[c.letter][1] if c.letter in c.composites else (c.letter,)
    out: list[str] = []
    for letter in letters:
        j = c.judgements.get(letter)
        judged = j.quote if j is not None else []
        deciding = j.forbidding if j is not None and j.forbidding else None
        for quote in deciding or deciding_quotes(closed.choices[letter], sources, judged, frame=closed.stem):
            if quote not in out:
                out.append(quote)
    return out[:3]


def answer_closed(
    closed: ClosedQuestion, sources: Sequence[CitedSource], llm: LLMBackend, cues: Cues | None = None
) -> ClosedResult | None:
    """Judge `closed` against `sources` as the evaluation does; None when the judge cannot decide or quote."""
    from assistant.judge import TRUE, ChoiceJudge, StatementJudge

    cues = cues or Cues.default()
    statements = StatementJudge(llm)
    if closed.kind is QuestionKind.YES_NO:
        j = statements.judge(closed.statement, sources, question=closed.context)
        verdict, reason, confidence = _verdict_yes_no(closed, j, cues)
        claim = f"{closed.context or ''} {closed.statement}".strip()
        asked = claim
        banned = prohibitions(claim, sources) if j.label == TRUE else []
        quoted = j.forbidding or deciding_quotes(claim, sources, j.quote, demoted=[t for _, t in banned], about=claim)
        lead, judgement = f"{verdict}.", {"statement": j.statement, "quote": j.quote, **j.to_json()}
    elif closed.kind is QuestionKind.CHOICE:
        c = ChoiceJudge(statements).choose(closed.stem, dict(closed.choices), sources)
        if c.letter is None:
            return None
        verdict, reason, confidence = _verdict_choice(closed, c)
        claim = closed.stem
        # the person check reads the stem with the chosen option; a choice picked as the one the law does not
        # support is decided by a quote about someone else, rightly
        asked = "" if c.wrong_wanted else f"{closed.stem} {closed.choices[verdict]}"
        lead = f"{verdict}. {closed.choices[verdict].strip().rstrip('.;,:')}."
        quoted, judgement = _choice_quotes(closed, c, sources), c.to_json()
    else:
        raise ValueError("an open question is answered by the generative path")
    quotes = [q for q in (_locate(s, sources) for s in quoted) if q is not None]
    shown, quote_lines, checks = _shown(quotes, sources)
    lines = [lead, *quote_lines]
    if not shown:
        return None
    markers = tuple(sorted({q.source.marker for q in shown}))
    undecided = unfounded = quoted_another(asked, shown, sources) if asked else None
    granted = _granted(claim, shown) if closed.kind is QuestionKind.YES_NO else None
    # (an item that is one case of its lead-in's list stands for that lead-in, whose person `quoted_another` read)
    leads = [_case_of_lead(claim, q) for q in shown]
    if undecided is None and closed.kind is QuestionKind.YES_NO:
        undecided = narrower_case(claim, shown, leads)
        if undecided not in (None, LISTED) and granted is not None:
            # a case the act is granted in ("Khi bị ngược đãi thì viên chức có quyền …") is a condition of a yes:
            # "Có, với điều kiện …" below, the quote following
            undecided = None
    if undecided is None and closed.kind is QuestionKind.YES_NO and math.isfinite(j.score):
        # the model's verdict; a rule's decides itself (the act a prohibition lists, `verify.forbidden_act`: its
        # quote need not repeat "bản chính" that Điều 17's like item adds)
        says_yes, tossed = j.score > 0, coin_toss(j.score)
        if states_outright(claim, shown):
            # The quote says it outright: it decides, not the small judge (live, "Người lao động có được nghỉ 03 ngày
            # khi kết hôn không?" → "Không." quoting «a) Kết hôn: nghỉ 03 ngày;», flagged as a coin toss — and shown
            # verified where the judge leant to "no", the claim's "khi" not being the quote's word; "Có." flagged
            # as a coin toss where it leant to "yes").
            if not says_yes:
                verdict = cues.forms[closed.form][0]
                lead = lines[0] = f"{verdict}."
                banned = prohibitions(claim, sources)
            if not says_yes or tossed:  # (a judge sure of the same "yes" keeps its reason)
                reason = f"{QUOTE_DECIDES} (the judge: log-odds {_odds(j)} → {j.label})"
            says_yes, tossed = True, None
        elif granted is not None:
            # The quote grants it, with words of its own: "Có", pointed to them (live, "Viên chức có được đơn phương
            # chấm dứt hợp đồng làm việc không?" → "Không. (chưa kiểm chứng)" on Khoản 4's «Viên chức làm việc theo
            # hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt hợp đồng nhưng phải thông báo …»)
            if not says_yes:
                verdict = cues.forms[closed.form][0]
                banned = prohibitions(claim, sources)
            lead = f"{cues.granted.format(yes=verdict)}."
            shown, quote_lines, checks = _shown(granted, sources)
            leads = [_case_of_lead(claim, q) for q in shown]
            lines = [lead, *quote_lines]
            reason = f"{QUOTE_GRANTS} (the judge: log-odds {_odds(j)} → {j.label})"
            says_yes, tossed = True, None
        elif says_yes and any(claims_duty(claim, _rule(q)) for q in shown):
            # a "yes" to a duty the quote states as a right: live, "Người lao động có phải nghỉ 03 ngày khi kết hôn
            # không?" → "Có." verified on «a) Kết hôn: nghỉ 03 ngày;» under "… được nghỉ việc riêng …"
            tossed = tossed or DUTY_UNSTATED
        undecided = (
            tossed
            or against_quotes(verdict, says_yes, claim, shown)
            or quoted_beside(claim, shown, sources)
            or act_unquoted(claim, shown)
            or case_unquoted(claim, shown)
        )
        if undecided is None and says_yes:
            undecided = forbidden_quotes(verdict, shown, banned)
    if (
        undecided == LISTED
        and closed.kind is QuestionKind.YES_NO
        and all(lead is not None or lists_for_asked(claim, q) for q, lead in zip(shown, leads, strict=True))
    ):
        # Every deciding quote is a list's lead-in the question names no case of (live: "Công chức có được từ chức
        # không?" → "Không. (chưa kiểm chứng)" on «1. Công chức lãnh đạo, quản lý có thể từ chức hoặc miễn nhiệm
        # trong các trường hợp sau đây:»): neither yes nor no — it depends on the case, and the cases are quoted.
        listed = [_with_cases(lead or q) for q, lead in zip(shown, leads, strict=True)]
        whole, whole_lines, whole_checks = _shown([q for q in listed if q is not None], sources)
        if whole and len(whole) == len(shown):  # every lead-in with its cases, or the verdict stays flagged
            shown, checks, undecided = whole, whole_checks, None
            lead, lines = f"{cues.case_by_case}.", [f"{cues.case_by_case}.", *whole_lines]
            reason = f"{CASE_BY_CASE} (the judge: log-odds {_odds(j)} → {j.label})"
    verdict_check = SentenceCheck(lead, markers, undecided is None, confidence, (reason, *filter(None, [undecided])))
    if undecided is not None:  # the verdict is the judge's, shown flagged: its quote does not decide it
        lines[0] = f"{lead}{FLAG}"
    clean = all(q.verbatim for q in shown) and not any(line.endswith(FLAG) for line in lines)
    return ClosedResult(
        verdict=verdict,
        text=" ".join(lines),
        quotes=shown,
        sentences=[verdict_check, *checks],
        verification=Verification.VERIFIED if clean else Verification.PARTIALLY_VERIFIED,
        judgement={"question": closed.to_json(), **judgement},
        unfounded=unfounded,
    )


def _shown(
    quotes: Sequence[Quote], sources: Sequence[CitedSource]
) -> tuple[list[Quote], list[str], list[SentenceCheck]]:
    """The deciding quotes as the answer shows them — each read by the verifier, a verbatim one kept as the law
    cited where it stands —, their lines and their checks."""
    verifier = SentenceVerifier(list(sources))
    shown: list[Quote] = []
    lines: list[str] = []
    checks: list[SentenceCheck] = []
    for q in quotes:
        line = verifier.feed(q.line).strip()
        check = verifier.checks[-1]
        if q.verbatim and (not check.supported or check.markers != (q.source.marker,)):
            # The verifier reads a claim against the clause it most resembles; a verbatim quote is the law itself
            # (a long point with a "không" of its own can resemble its neighbour more than itself), and it is
            # cited where it stands: live, «3. Giữ giấy tờ tùy thân của người lao động.» of Điều 165 was shown
            # "Theo: «…» [1]", moved to Điều 17's like clause, which the answer's citations did not hold.
            m = q.source.marker
            why = (f"verbatim quote of [{m}]", *(f"verifier: {r}" for r in check.reasons))
            check = SentenceCheck(q.line, (m,), True, 1.0, why, SourceOutline.of(m, q.source.hit).bind(q.line))
            line = q.line
        checks.append(check)
        if line:
            shown.append(q)
            lines.append(line)
    return shown, lines, checks


def lists_for_asked(claim: str, q: Quote) -> bool:
    """Whether the lead-in `q` lists the cases of what `claim` asks of the person it asks about (that person named
    before the act), either way: "… người lao động không được từ chối trong trường hợp sau đây:" lists them for
    "Người lao động được từ chối …"; "3. Người đứng đầu đơn vị … không được đơn phương chấm dứt hợp đồng làm việc
    với viên chức …:" lists the unit's, not the viên chức's asked by "Viên chức được đơn phương chấm dứt …".

    >>> unit = Quote("3. Đơn vị không được đơn phương chấm dứt hợp đồng với viên chức trong các trường hợp sau:",
    ...              None, True)  # type: ignore[arg-type]
    >>> lists_for_asked("Viên chức được đơn phương chấm dứt hợp đồng", unit)
    False
    >>> lists_for_asked("Đơn vị được đơn phương chấm dứt hợp đồng", unit)
    True
    >>> lists_for_asked("Công chức được từ chức", Quote("1. Công chức lãnh đạo, quản lý có thể từ chức trong các "
    ...                                                 "trường hợp sau đây:", None, True))  # type: ignore[arg-type]
    True
    """
    asked = asked_claim(claim)
    return asked is not None and names_before_act(q.sentence, asked[0], asked[1])


def _with_cases(q: Quote) -> Quote | None:
    """`q`, a list's lead-in, with the cases it lists, verbatim: the lines after it labelled deeper than it (and
    their unlabelled rest) up to the next line of its own level or above; None when it lists nothing, or a case the
    injection detector cuts (never quoted as the law).

    >>> law = "1. Viên chức có thể thôi việc trong các trường hợp sau:\\na) Ốm đau;\\nb) Vì lý do khác.\\n2. Khác."
    >>> src = CitedSource(1, None, law, 0, len(law))  # type: ignore[arg-type]
    >>> listed = _with_cases(Quote("1. Viên chức có thể thôi việc trong các trường hợp sau:", src, True))
    >>> print(listed.line)  # type: ignore[union-attr]
    Theo [1]: «1. Viên chức có thể thôi việc trong các trường hợp sau: a) Ốm đau; b) Vì lý do khác.»
    """
    text = q.source.text if q.source.hit is None else q.source.hit.text
    start = text.find(q.sentence)
    if start < 0:
        return None
    level = label_rank(q.sentence)  # 0: a lead-in of the article's body, whose cases may be its Khoản
    end = start + len(q.sentence)
    at = text.find("\n", end)
    while at >= 0:
        nxt = text.find("\n", at + 1)
        line = text[at + 1 : nxt if nxt >= 0 else len(text)]
        rank = label_rank(line.strip())
        if line.strip() and (0 < rank <= level or (rank == 0 and end == start + len(q.sentence))):
            break
        if line.strip():
            end = at + 1 + len(line)
        at = nxt
    if end == start + len(q.sentence) or strip_instructions(text[start:end])[1]:
        return None
    return Quote(text[start:end], q.source, q.verbatim)


UNDECIDED = "the deciding quote speaks of «{other}», not of «{asked}» the question asks about"


def quoted_another(
    claim: str, quotes: Sequence[Quote], sources: Sequence[CitedSource], actors: ActorLexicon | None = None
) -> str | None:
    """Why the deciding quotes do not decide a yes/no `claim` (or a choice's stem with its option) about one
    person: each, read with its article's heading and its list's lead-in, names actors and none who may be that
    person — and no quoted source that applies it names them. Live: "Viên chức có được thành lập doanh nghiệp tư
    nhân không?" was answered "Không." as verified, quoting what an "đơn vị sự nghiệp công" does in a joint
    venture; the judge had said so at 0.53. None when a quote speaks of them (or of no one: an impersonal
    rule), or the claim names no one person."""
    actors = actors or ActorLexicon.default()
    asked = actors.person_asked(claim)
    if asked is None:
        return None
    person, phrase = asked
    by_marker = {s.marker: s for s in sources}
    others: list[str] = []
    for q in quotes:
        applier = by_marker.get(q.source.applied_by) if q.source.applied_by is not None else None
        if applier is not None and actors.names_person(_searchable(applier), person):
            return None  # the code's "người lao động", applied to công chức by a quoted clause
        other = actors.only_others(_in_context(q), person, claim)
        if other is None:
            return None
        others.append(other)
    return UNDECIDED.format(other=others[0], asked=phrase) if others else None


# The case a provision is limited to: from the word that opens a condition ("do", "vì", "khi", "nếu", "trường
# hợp") to the "thì" that ends it, within one clause of the sentence ("… bị kỷ luật cách chức do tham nhũng thì
# không được bổ nhiệm …").
_CASE = re.compile(
    r"(?i)(?:^|[\s,])(?:do|vì|khi|nếu|trong\s+trường\s+hợp|trường\s+hợp)\s+(?P<case>[^,;:.]{1,200}?)\s+thì\s"
)
NARROWER = "the deciding quote holds only when «{case}», which the question does not say"
# A lead-in that holds only in the cases listed below it ("… người lao động không được từ chối trong trường hợp sau
# đây:"): quoted alone, it says nothing of the cases the question asks about.
_LISTED = re.compile(r"trường\s+hợp\s+(?:sau|dưới)(?:\s+đây)?\s*:?\s*$")
LISTED = "the deciding quote holds only in the cases listed after it, which the question does not name"
CASE_BY_CASE = "the deciding quote holds only in the cases it lists, which the question does not name: quoted with them"


def narrower_case(claim: str, quotes: Sequence[Quote], leads: Sequence[Quote | None] | None = None) -> str | None:
    """Why the deciding quotes do not decide a yes/no `claim`: each holds only in a case the claim does not name
    — its "do / vì / khi / nếu / trường hợp … thì" names content words the claim lacks. Live: "Cán bộ bị kỷ luật
    cách chức thì có được bổ nhiệm lại không?" was answered "Không." as verified on «4. Cán bộ, công chức bị kỷ
    luật cách chức do tham nhũng thì không được bổ nhiệm vào vị trí lãnh đạo, quản lý.» — the rule for a dismissal
    for corruption, not for every dismissal. A list's lead-in quoted alone holds only in the cases it lists
    (live, "Người lao động có được từ chối làm thêm giờ không?" → "Không." as verified on «… người lao động không
    được từ chối trong trường hợp sau đây:», while overtime needs the worker's consent outside those cases). None
    when a quote states its rule with no case, or only cases the claim names. `leads`: each quote's
    `_case_of_lead`, where the caller has them already.

    >>> q = Quote("4. Cán bộ bị cách chức do tham nhũng thì không được bổ nhiệm.", None, True)  # type: ignore[arg-type]
    >>> narrower_case("Cán bộ bị cách chức được bổ nhiệm lại", [q])
    'the deciding quote holds only when «tham nhũng», which the question does not say'
    >>> narrower_case("Cán bộ bị cách chức do tham nhũng được bổ nhiệm lại", [q]) is None
    True
    """
    said = content_syllables(claim)
    act = _folded(asked_act(claim))
    first: str | None = None
    if leads is None:
        leads = [_case_of_lead(claim, q) for q in quotes]
    for q, lead in zip(quotes, leads, strict=True):
        if lead is not None:
            first = first or LISTED
            continue
        unnamed = _unnamed_case(q.sentence, said, act)
        why = NARROWER.format(case=unnamed) if unnamed else LISTED if _LISTED.search(q.sentence) else None
        if why is None:
            return None
        first = first or why
    return first


def _unnamed_case(sentence: str, said: AbstractSet[str], act: Sequence[str]) -> str | None:
    """The first case of `sentence` ("do / vì / khi / nếu / trường hợp … thì") that limits `act` (`_limits`) and
    names content syllables beyond `said` (the claim's); None when it has none.

    >>> _unnamed_case("4. Cán bộ bị cách chức do tham nhũng thì không được bổ nhiệm.", {"can", "bo", "chuc"}, [])
    'tham nhũng'
    """
    cases = (m for m in _CASE.finditer(sentence) if _limits(sentence, m.start(), act))
    unnamed = next((m["case"] for m in cases if content_syllables(m["case"]) - said), None)
    return unnamed.strip() if unnamed else None


def _in_cases_only(passage: str, lead: str, said: AbstractSet[str], act: Sequence[str]) -> bool:
    """Whether `passage` states its rule only in cases the claim does not name (`said`: its content syllables,
    `act`: its act, folded): a list's lead-in ("… trong trường hợp sau đây:"), an item of one (`lead`: one of its
    cases), or a case of its own (`_unnamed_case`) — as `narrower_case` reads a deciding quote.

    >>> said, act = content_syllables("Người lao động được đơn phương chấm dứt hợp đồng"), ["don", "phuong"]
    >>> _in_cases_only("2. Người lao động có quyền đơn phương chấm dứt hợp đồng không cần báo trước trong trường "
    ...     "hợp sau đây:", "", said, act)
    True
    >>> _in_cases_only("1. Người lao động có quyền đơn phương chấm dứt nhưng phải báo trước như sau:", "", said, act)
    False
    >>> _in_cases_only("a) Không được trả đủ lương;", "2. … không cần báo trước trong trường hợp sau đây:", said, act)
    True
    """
    sentence = passage.strip()
    if _LISTED.search(sentence) or _LISTED.search(lead.strip()):
        return True
    return _unnamed_case(sentence, said, act) is not None


def _case_of_lead(claim: str, q: Quote) -> Quote | None:
    """The lead-in, as a quote, of the list of cases `q` is one item of, where the item says what `claim` asks of the
    act (`asked_predicate`) only with its lead-in's words: it is then one case of the rule, not the rule. Live, «a)
    Mang thai từ tháng thứ 07 hoặc từ tháng thứ 06 nếu làm việc ở vùng cao …» was quoted for "Lao động nữ mang
    thai có được làm việc ban đêm không?" → "Không.": its lead-in, «1. Người sử dụng lao động không được sử dụng
    người lao động làm việc ban đêm … trong trường hợp sau đây:», says "ban đêm", and forbids it only from the
    seventh month. None for an item that says it itself («a) Kết hôn: nghỉ 03 ngày;» for "… nghỉ 03 ngày khi kết
    hôn"), one the claim names (the case it asks about), or one whose lead-in lists no cases.
    """
    if q.source is None:  # (the doctests' quotes have none)
        return None
    lead = _lead_of(q)
    predicate = asked_predicate(claim)
    if not lead or not _LISTED.search(lead) or not predicate or coverage(set(predicate), q.sentence) == 1.0:
        return None
    if content_syllables(without_label(q.sentence)) <= content_syllables(claim):
        return None  # the case the claim names: "Công chức lãnh đạo có được từ chức khi không đủ sức khỏe không?"
    return Quote(lead, q.source, q.verbatim) if coverage(set(predicate), f"{lead}\n{q.sentence}") == 1.0 else None


def _limits(sentence: str, at: int, act: Sequence[str]) -> bool:
    """Whether the case opening at `at` limits `act` (folded syllables): the part of `sentence` it stands in, between
    its ";", speaks of the act — or the claim names no act. «4. Viên chức … có quyền đơn phương chấm dứt hợp đồng
    nhưng phải thông báo …; trường hợp viên chức ốm đau … thì phải báo trước ít nhất 03 ngày.»: the illness limits
    the notice, not the right (live, "Viên chức có được đơn phương chấm dứt hợp đồng làm việc không?" was answered
    "Không." on it, flagged as holding only when ill).

    >>> right = "4. Viên chức có quyền đơn phương chấm dứt; trường hợp ốm đau thì báo trước 03 ngày."
    >>> _limits(right, right.index("trường"), ["don", "phuong"]), _limits(right, right.index("trường"), [])
    (False, True)
    """
    if not act:
        return True
    start = sentence.rfind(";", 0, at) + 1
    end = sentence.find(";", at)
    return contains_run(folded_runs(sentence[start : end if end >= 0 else len(sentence)]), list(act))


ELSEWHERE = "the deciding quote does not speak of «{words}», which another source of the answer does"


def quoted_beside(
    claim: str, quotes: Sequence[Quote], sources: Sequence[CitedSource], actors: ActorLexicon | None = None
) -> str | None:
    """Why the deciding quotes do not decide a yes/no `claim`: none of them, read with its article's heading and its
    list's lead-in, speaks of a compound word of what the claim asks (its person's words and function words aside)
    that another source of the answer states. Only the model's verdict is so judged: a rule's decides itself.
    Live: "Lao động nữ mang thai có được làm việc ban đêm không?" was answered "Không." as verified on Điều 138's
    right to end the contract while pregnant; Điều 137, which says when a pregnant worker may not be given night
    work, was [1]. None when a quote speaks of every such word, or no other source does.

    >>> from types import SimpleNamespace
    >>> def src(m, heading, text):
    ...     return SimpleNamespace(marker=m, hit=SimpleNamespace(heading_path=[heading], text=text))
    >>> end = src(2, "Điều 138. Quyền của lao động nữ", "1. Lao động nữ mang thai có quyền tạm hoãn hợp đồng.")
    >>> night = src(1, "Điều 137. Bảo vệ thai sản", "1. Không sử dụng lao động nữ mang thai làm việc ban đêm.")
    >>> q = Quote(end.hit.text, end, True)  # type: ignore[arg-type]
    >>> quoted_beside("Lao động nữ mang thai được làm việc ban đêm", [q], [night, end])
    'the deciding quote does not speak of «ban đêm», which another source of the answer does'
    >>> quoted_beside("Lao động nữ mang thai được làm việc ban đêm", [q], [end]) is None
    True
    """
    actors = actors or ActorLexicon.default()
    asked = actors.person_asked(claim)
    own = content_syllables(asked[1]) if asked else frozenset()
    function = stopwords()
    words = [
        w
        for w in dict.fromkeys(content_words(claim))
        if "_" in w and not {fold(s) for s in w.split("_")} <= own and not any(s in function for s in w.split("_"))
    ]
    if not words or not quotes:
        return None
    lacking = list(words)  # what no quote speaks of
    for q in quotes:
        said = _in_context(q) if q.source is not None else q.sentence
        missing = [w for w in words if coverage({w}, said) < 1.0]
        if not missing:
            return None
        lacking = [w for w in lacking if w in missing]
    quoted = {q.source.marker for q in quotes if q.source is not None}
    others = [_searchable(s) for s in sources if s.marker not in quoted]
    stated = [w for w in lacking if any(coverage({w}, text) == 1.0 for text in others)]
    return ELSEWHERE.format(words=", ".join(w.replace("_", " ") for w in stated)) if stated else None


# Below this, the judge's log-odds are a coin toss: on the stored ALQAC true/false run
# (bench/results/answers_alqac_150_items.json) the verdicts within it were right 2 times in 4, those from 0.25 to 2
# about 6 in 10, those above 2 about 9 in 10.
UNDECIDED_MARGIN = 0.25
COIN_TOSS = "the judge is undecided (log-odds {score:+.2f}): its verdict is a coin toss"


QUOTE_DECIDES = "decided by the quote: it states the claim outright, every word and number, negating nothing"
DUTY_UNSTATED = "the deciding quote states a right or a rule, not the duty («phải») the question asks about"


def states_outright(claim: str, quotes: Sequence[Quote], lexicon: CueLexicon | None = None) -> bool:
    """Whether every deciding quote says a yes/no `claim` outright: read with its article's title and its list's
    lead-in, it states each of the claim's content words (`CASE_OPENERS` aside); its own line states the claim's
    numbers and no content word the claim lacks (no case or condition of its own); it neither forbids, excepts nor
    negates what the claim states (`turns`), and states any duty the claim does. Then "Có" / "Đúng" is the quote's,
    whatever the judge said.

    >>> from types import SimpleNamespace
    >>> lead = "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp sau đây:\\n"
    >>> title = ["Điều 115. Nghỉ việc riêng, nghỉ không hưởng lương"]
    >>> src = SimpleNamespace(hit=SimpleNamespace(text=lead + "a) Kết hôn: nghỉ 03 ngày;", heading_path=title))
    >>> q = Quote("a) Kết hôn: nghỉ 03 ngày;", src, True)  # type: ignore[arg-type]
    >>> states_outright("Người lao động được nghỉ 03 ngày khi kết hôn", [q])
    True
    >>> states_outright("Người lao động được nghỉ 05 ngày khi kết hôn", [q])
    False
    >>> states_outright("Người lao động được nghỉ 03 ngày", [q])  # the quote's case is not the claim's
    False
    """
    lexicon = lexicon or CueLexicon.default()
    words = content_words(claim) - CASE_OPENERS
    return bool(quotes) and all(
        _states(claim, q, lexicon) and content_words(without_label(q.sentence)) <= words for q in quotes
    )


def _states(claim: str, q: Quote, lexicon: CueLexicon) -> bool:
    """Whether `q`, read with its article's title and its list's lead-in, states each of a yes/no `claim`'s content
    words (`CASE_OPENERS` aside) and, on its own line, its numbers; neither forbids, excepts nor negates what the
    claim states (`turns`); and states any duty the claim does, and no duty the claim makes an option. False for a
    claim that negates, or states nothing."""
    words, numbers = content_words(claim) - CASE_OPENERS, numbers_in(claim)
    if not words or lexicon.polar(claim):
        return False
    said, line = (_in_context(q) if q.source is not None else q.sentence), without_label(q.sentence)
    rule = _rule(q)  # (its lead-in found once: each reading parses the article)
    if coverage(words, said) < 1.0 or not numbers <= numbers_in(line) or turns(claim, q, lexicon, rule):
        return False
    return not (claims_duty(claim, rule) or modal_shift(claim, rule))  # a right is no duty, a duty no option


QUOTE_GRANTS = (
    "decided by the quote: it grants the act asked to the person asked, every word and number, negating nothing, "
    "with words of its own (a condition, a duty with it) the answer points to"
)


def grants(claim: str, quotes: Sequence[Quote], lexicon: CueLexicon | None = None) -> bool:
    """Whether every deciding quote grants what a yes/no `claim` asks — may a person do an act — with words of its
    own: it states the claim (`_states`, numbers and all), and its line, with its list's lead-in, names that person
    before an "được" / "có quyền" / "có thể" on the act, in the same piece, with no "không" on it (`grants_act`).
    Then the answer is "Có", with those words (a condition, a duty that goes with the right) to read in the quote,
    whatever the judge said. Live, "Viên chức có được đơn phương chấm dứt hợp đồng làm việc không?" was answered
    "Không." on «4. Viên chức làm việc theo hợp đồng làm việc không xác định thời hạn có quyền đơn phương chấm dứt
    hợp đồng nhưng phải thông báo … trước ít nhất 45 ngày; …» (the judge at −0.56).

    >>> right = Quote("4. Viên chức có quyền đơn phương chấm dứt hợp đồng nhưng phải báo trước 45 ngày.", None, True)
    >>> grants("Viên chức được đơn phương chấm dứt hợp đồng", [right])  # type: ignore[list-item]
    True
    >>> unit = Quote("3. Đơn vị không được đơn phương chấm dứt hợp đồng với viên chức.", None, True)
    >>> grants("Viên chức được đơn phương chấm dứt hợp đồng", [unit])  # type: ignore[list-item]
    False
    """
    lexicon = lexicon or CueLexicon.default()
    asked = asked_claim(claim)
    if asked is None or asked[2] or not quotes:
        return False
    subject, act, _ = asked
    return all(_states(claim, q, lexicon) and grants_act(_granting(q), subject, act) for q in quotes)


def _granted(claim: str, quotes: Sequence[Quote]) -> list[Quote] | None:
    """The deciding quotes as a granting answer gives them (`grants`), a lead-in ("… nhưng phải báo trước cho người
    sử dụng lao động như sau:") with the items it introduces — the conditions "với điều kiện quy định dưới đây"
    points to —; None when they do not grant `claim`, or a lead-in's items are not all quoted (none listed, or one
    the injection detector cuts: never quoted as the law)."""
    if not grants(claim, quotes):
        return None
    out = [_with_cases(q) if q.sentence.rstrip().endswith(":") else q for q in quotes]
    return [q for q in out if q is not None] if all(out) else None


def _granting(q: Quote) -> str:
    """What `q` grants, read with whom (`_granting_text`)."""
    if q.source is None:
        return q.sentence
    return _granting_text(heading_title(_article_of(q.source)), _lead_of(q), q.sentence)


def _granting_text(title: str, lead: str, line: str) -> str:
    """What a line grants, read with whom: its list's `lead` and the line — and, for a line outside a list that
    opens with the grant itself or introduces the cases listed after it, its article's `title` before it, which says
    whose right it is: «2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác …» under "Điều 14. Quyền của
    viên chức về hoạt động kinh doanh …" (live, "Viên chức có được ký hợp đồng với đơn vị khác không?" → "Có. (chưa
    kiểm chứng)", the judge's coin toss); «Tổ chức đại diện người lao động … có quyền tiến hành thủ tục … để đình công
    trong trường hợp sau đây:» under "Điều 199. Trường hợp người lao động có quyền đình công".

    >>> _granting_text("Trường hợp người lao động có quyền đình công", "", "Tổ chức … trong trường hợp sau đây:")
    'Trường hợp người lao động có quyền đình công Tổ chức … trong trường hợp sau đây:'
    >>> _granting_text("Trường hợp người lao động có quyền đình công", "", "1. Hòa giải không thành.")
    '\\n1. Hòa giải không thành.'
    """
    bare = without_label(line)
    if lead or not title or not (opens_on_modal(bare, grant_only=True) or _LISTED.search(bare)):
        return f"{lead}\n{line}"
    return f"{title} {bare}"


def turns(claim: str, quote: Quote, lexicon: CueLexicon, rule: str | None = None) -> bool:
    """Whether `quote` says the opposite of `claim` or less: its article's title forbids what its Khoản list
    ("Các hành vi bị nghiêm cấm đối với người sử dụng lao động" over «3. Giữ giấy tờ tùy thân của người lao động.»),
    or its lead-in and line (`rule`, `_rule` of it when not given) make an exception or negate what the claim
    states (`_turns`)."""
    forbids = quote.source is not None and bool(forbidding_title(quote.source, lexicon))
    return forbids or _turns(claim, _rule(quote) if rule is None else rule, lexicon)


def _rule(quote: Quote) -> str:
    """What a quote rules: its list's lead-in and the line — not its article's title, which names more than it
    ("Nghỉ việc riêng, nghỉ không hưởng lương" heads the paid leave too)."""
    return f"{_lead_of(quote)}\n{quote.sentence}" if quote.source is not None else quote.sentence


def _turns(claim: str, rule: str, lexicon: CueLexicon) -> bool:
    """Whether `rule` makes an exception, or negates what `claim` states: the word a negation governs first is one
    of the claim's (by its syllables). "nghỉ không hưởng lương 01 ngày" negates the pay, not the day's leave a
    claim on "nghỉ 01 ngày" states (live, "Người lao động có được nghỉ 01 ngày khi anh ruột kết hôn không?" →
    "Không." verified on that very clause).

    >>> lex = CueLexicon.default()
    >>> _turns("Người lao động được nghỉ 01 ngày", "Người lao động được nghỉ không hưởng lương 01 ngày.", lex)
    False
    >>> _turns("Người lao động được nghỉ 01 ngày", "Người lao động không được nghỉ việc riêng.", lex)
    True
    """
    said = content_syllables(claim)
    for cue in lexicon.cues(rule):
        if cue.kind is CueKind.EXCEPTION:
            return True
        head = next((w for w in words(cue.governed) if w not in stopwords()), "")
        if cue.kind is CueKind.NEGATION and (not head or fold(head.split("_")[0]) in said):
            return True
    return False


def coin_toss(score: float) -> str | None:
    """Why the model's yes/no verdict decides nothing: its log-odds are within `UNDECIDED_MARGIN` of zero. Live:
    "Viên chức được ký hợp đồng làm việc với đơn vị khác không?" → "Không." shown verified at −0.01 (quote +0.39,
    passages −0.40), quoting a clause that says a transferred viên chức signs a new contract.

    >>> coin_toss(-0.01)
    'the judge is undecided (log-odds -0.01): its verdict is a coin toss'
    >>> coin_toss(0.8) is None
    True
    """
    return COIN_TOSS.format(score=score) if abs(score) < UNDECIDED_MARGIN else None


ACT_UNQUOTED = "the deciding quote does not speak of «{act}», the act the question asks about"
# The words that say an act is allowed, required or suffered ("được", "phải", "bắt buộc", "bị", "có quyền", "được
# phép"): the word after them is the act asked about. Of them, all but a right's say nothing of what is done: a
# deciding quote need not repeat them (live, "Viên chức có bắt buộc phải tập sự không?" quoted a line on time
# "có đóng bảo hiểm xã hội bắt buộc", for its "bắt buộc").
_MODALS = frozenset({"được", "phải", "bắt_buộc", "bị", "quyền", "có_quyền", "phép", "được_phép"})
_MODES = _MODALS - {"quyền", "có_quyền"}


def asked_act(claim: str) -> str | None:
    """The act a yes/no `claim` asks about: its first content word after "được" / "phải" / "bị" / "có quyền"
    (`_MODALS`), or after a "việc" before them that makes it a noun, as pyvi reads it; None when it has none.

    >>> asked_act("Viên chức được ký hợp đồng với cơ quan khác"), asked_act("Người lao động có quyền đình công")
    ('ký', 'đình_công')
    >>> asked_act("Thời hiệu kỷ luật là 24 tháng") is None
    True
    >>> asked_act("Việc mang tài liệu lưu trữ ra nước ngoài trái phép bị nghiêm cấm")
    'mang'
    """
    found = words(claim)
    function = stopwords()
    for i, word in enumerate(found[:-1]):
        if word == "việc" and found[i + 1] not in function:
            return found[i + 1]  # the act made a noun: "việc mang tài liệu … ra nước ngoài bị nghiêm cấm"
        if word in _MODALS:
            act = next((w for w in found[i + 1 :] if w not in _MODALS), None)
            return act if act is not None and act not in function and not act.isdigit() else None
    return None


def asked_predicate(claim: str) -> frozenset[str]:
    """The content words a yes/no `claim` says of the act it asks about: those after its first "được" / "phải" /
    "có quyền" (`_MODALS`), the act and what it is done to, when or where; empty for a claim without one.

    >>> sorted(asked_predicate("Lao động nữ mang thai có được làm việc ban đêm"))
    ['ban_đêm', 'làm_việc']
    >>> asked_predicate("Thời hiệu kỷ luật là 24 tháng")
    frozenset()
    """
    found = words(claim)
    at = next((i for i, word in enumerate(found) if word in _MODALS), None)
    if at is None:
        return frozenset()
    function = stopwords()
    return frozenset(w for w in found[at + 1 :] if w not in function and not w.isdigit()) - _MODALS - CASE_OPENERS


def _folded(act: str | None) -> list[str]:
    """An act's syllables (`asked_act`) folded as `folded_runs` reads a passage; [] for none."""
    return [fold(s) for s in act.split("_")] if act else []


def act_unquoted(claim: str, quotes: Sequence[Quote]) -> str | None:
    """Why the deciding quotes do not decide a yes/no `claim`: none of them, read with its list's lead-in — not with
    its article's heading: Điều 28's "Thay đổi nội dung, ký kết tiếp, … hợp đồng làm việc" names every act on a
    contract —, speaks of the act the claim asks about (`asked_act`), whatever the other sources say.
    Only the model's verdict is so judged. Live: "Viên chức có được ký hợp đồng với cơ quan, tổ chức khác không?" was
    answered "Có." as verified on «4. Khi viên chức chuyển công tác đến cơ quan, tổ chức, đơn vị khác thì chấm dứt
    hợp đồng làm việc …»: it speaks of contracts and other bodies, not of signing one.

    >>> moving = "4. Khi viên chức chuyển công tác đến cơ quan khác thì chấm dứt hợp đồng."
    >>> q = Quote(moving, None, True)  # type: ignore[arg-type]
    >>> act_unquoted("Viên chức được ký hợp đồng với cơ quan khác", [q])
    'the deciding quote does not speak of «ký», the act the question asks about'
    >>> act_unquoted("Viên chức được chấm dứt hợp đồng khi chuyển công tác", [q]) is None
    True
    """
    act = asked_act(claim)
    if act is None or not quotes:
        return None
    run = _folded(act)
    for q in quotes:
        said = f"{_lead_of(q)}\n{q.sentence}" if q.source is not None else q.sentence
        if contains_run(folded_runs(said), run):
            return None
    return ACT_UNQUOTED.format(act=act.replace("_", " "))


CASE_UNQUOTED = "the deciding quote does not say «{case}», the case the question asks about"
# The case a yes/no claim puts its act in, after the act: "… giữ chức vụ lãnh đạo khi đang bị kỷ luật".
_CLAIM_CASE = re.compile(r"(?i)(?:^|\s)(?:khi|nếu|trong\s+thời\s+gian|trong\s+trường\s+hợp)\s+(?P<case>[^,;:.?]+)")
# Words that bind the words after them into a state the case must be in: "bị kỷ luật" is not "hình thức kỷ luật".
_BINDING = frozenset({"bi", "duoc", "phai", "khong"})


def case_unquoted(claim: str, quotes: Sequence[Quote]) -> str | None:
    """Why the deciding quotes do not decide a yes/no `claim`: the claim asks of its act in a case ("khi …",
    "nếu …", "trong thời gian …") that none of them, read with its article's heading and its list's lead-in,
    states — its content words, in order after a "bị" / "được" / "phải" / "không" that makes them a state. Only
    the model's verdict is so judged. Live: "Công chức có được giữ chức vụ lãnh đạo khi đang bị kỷ luật không?" was
    answered "Không." as verified on «2. Việc giáng chức, cách chức chỉ áp dụng đối với công chức giữ chức vụ lãnh
    đạo, quản lý.» of Điều 79 ("Các hình thức kỷ luật …"): it says who may be demoted, not what one disciplined may
    hold. None when a quote states the case, or the claim names none.

    >>> demote = Quote("2. Việc cách chức chỉ áp dụng đối với công chức giữ chức vụ lãnh đạo.", None, True)
    >>> case_unquoted("Công chức được giữ chức vụ lãnh đạo khi đang bị kỷ luật", [demote])  # type: ignore[list-item]
    'the deciding quote does not say «đang bị kỷ luật», the case the question asks about'
    >>> barred = Quote("2. Công chức bị kỷ luật thì không được bổ nhiệm.", None, True)
    >>> case_unquoted("Công chức được bổ nhiệm khi đang bị kỷ luật", [barred]) is None  # type: ignore[list-item]
    True
    >>> leave = Quote("a) Kết hôn: nghỉ 03 ngày;", None, True)
    >>> case_unquoted("Người lao động được nghỉ 03 ngày khi kết hôn", [leave]) is None  # type: ignore[list-item]
    True
    """
    act = asked_act(claim)
    at = claim.lower().find(act.replace("_", " ")) if act is not None else -1
    found = next((m for m in _CLAIM_CASE.finditer(claim) if at >= 0 and m.start() > at), None)
    if found is None or not quotes:
        return None
    case = found["case"].strip()
    function = folded_stopwords()
    wanted = [r for r in folded_runs(case) if r not in function or r in _BINDING]
    bound = next((i for i, r in enumerate(wanted) if r in _BINDING), None)
    for q in quotes:
        said = _in_context(q) if q.source is not None else q.sentence
        if bound is not None:
            runs = [r for r in folded_runs(said) if r not in function or r in _BINDING]
            if contains_run(runs, wanted[bound:]):
                return None
        elif content_syllables(case) <= content_syllables(said):
            return None
    return CASE_UNQUOTED.format(case=case)


AGAINST_QUOTE = {
    True: "the deciding quote turns the claim around ({why}): it does not decide «{verdict}»",
    False: "the deciding quote states every word of the claim and negates nothing: it does not decide «{verdict}»",
}


def against_quotes(
    verdict: str, true: bool, claim: str, quotes: Sequence[Quote], lexicon: CueLexicon | None = None
) -> str | None:
    """Why a yes/no `verdict` the model's log-odds gave (`true`: "Có"/"Đúng") is one its every deciding quote says the
    opposite of, or None. A quote decides against "Không" when, read with its article's title and its list's
    lead-in (`_in_context`), it states every content word of the claim and neither negates nor excepts anything
    (a claim that does is left alone); against "Có" when it states every word and turns the claim around
    (`CueLexicon.conflict`: a negation or exception of the claim's own words). Live, "Người
    lao động có quyền đình công không?" was answered "Không." and shown verified on «Tiền lương và các quyền lợi
    hợp pháp khác của người lao động trong thời gian đình công» (the model's log-odds −0.38). A quote that does not
    state every word of the claim says nothing either way here.

    >>> q = Quote("Người lao động có quyền đình công.", None, True)  # type: ignore[arg-type]
    >>> against_quotes("Không", False, "Người lao động có quyền đình công", [q])[:40]
    'the deciding quote states every word of '
    >>> against_quotes("Có", True, "Người lao động có quyền đình công", [q]) is None
    True
    """
    lexicon = lexicon or CueLexicon.default()
    words = content_words(claim)
    why: str | None = None
    if not true and lexicon.polar(claim):
        return None  # a claim that negates is denied by a quote that does not
    for q in quotes:
        said = _in_context(q) if q.source is not None else q.sentence
        if coverage(words, said) < 1.0:
            return None
        turned = lexicon.conflict(claim, said) if true else None
        # (against "Không": a negation of something else — "nghỉ không hưởng lương 01 ngày" — is no "no", `turns`)
        if (turned is None) if true else turns(claim, q, lexicon):
            return None
        why = why or turned
    return None if not quotes else AGAINST_QUOTE[true].format(why=why, verdict=verdict)


def prohibitions(
    claim: str, sources: Sequence[CitedSource], lexicon: CueLexicon | None = None
) -> list[tuple[str, str]]:
    """The sources that list what the law forbids (an article titled "Các hành vi bị nghiêm cấm", "Những việc …
    không được làm": `verify.forbidding_title`), as (title, text), when `claim` itself forbids or negates nothing:
    none of their items can say that the claim's act is allowed. Live, "Tài liệu lưu trữ có thể mang ra nước ngoài
    không?" was answered "Có." as verified on «5. Mang tài liệu lưu trữ ra nước ngoài trái phép.» — an item of
    "Điều 8. Các hành vi bị nghiêm cấm" — while Điều 34, which says who may allow it, was in the context. A claim
    that forbids ("Công chức bị cấm đình công") is what such an item says: nothing is returned for it."""
    lexicon = lexicon or CueLexicon.default()
    if lexicon.polar(claim):
        return []
    found = ((forbidding_title(s, lexicon), s) for s in sources)
    return [(title, strip_instructions(s.hit.text)[0]) for title, s in found if title]


FORBIDS = "the deciding quote is an item of «{title}»: what the law forbids does not decide «{verdict}»"


def forbidden_quotes(verdict: str, quotes: Sequence[Quote], banned: Sequence[tuple[str, str]]) -> str | None:
    """Why a permitting `verdict` ("Có"/"Đúng") is not decided by its quotes: each is an item of a prohibition
    (`prohibitions`, read for the claim), or None. An item may carry a case the claim lacks ("… trái phép"), so
    the rule that forbids the act outright (`verify.forbidden_act`) did not decide it; the model's "Có" then rests
    on what the law forbids.

    >>> q = Quote("5. Mang tài liệu lưu trữ ra nước ngoài trái phép.", None, True)  # type: ignore[arg-type]
    >>> law = [("Các hành vi bị nghiêm cấm:", "1. Chiếm đoạt tài liệu.\\n" + q.sentence)]
    >>> forbidden_quotes("Có", [q], law)
    'the deciding quote is an item of «Các hành vi bị nghiêm cấm»: what the law forbids does not decide «Có»'
    >>> forbidden_quotes("Có", [q], []) is None
    True
    """
    titles = [next((t for t, text in banned if q.sentence in text), "") for q in quotes]
    if not quotes or not all(titles):
        return None
    return FORBIDS.format(title=titles[0].rstrip(":"), verdict=verdict)


def _in_context(quote: Quote) -> str:
    """A quote with what says whom it is about: its article's heading and the lead-in of its list, if any."""
    return "\n".join(part for part in (_article_of(quote.source), _lead_of(quote), quote.sentence) if part)


def _article_of(source: CitedSource) -> str:
    """The heading of the article `source` is, or is of ("Điều 14. Quyền của viên chức …"); "" when none is."""
    return next((h for h in reversed(source.hit.heading_path) if h.startswith("Điều")), "")


def _lead_of(quote: Quote) -> str:
    """The lead-in of the list a quote is an item of ("" when it is none)."""
    said = quote.sentence
    return next(
        (c.lead for c in clauses(quote.source.hit.text) if c.lead and c.item and (c.item in said or said in c.item)), ""
    )


def _searchable(source: CitedSource) -> str:
    return f"{' '.join(source.hit.heading_path)}\n{source.hit.text}"


def _narrowed(source: CitedSource, quotes: Sequence[Quote]) -> CitedSource:
    """`source` quoting just the span of its deciding sentences (document offsets), so a client highlights them."""
    spans = [
        (i, i + len(q.sentence))
        for q in quotes
        if q.source.marker == source.marker and (i := source.hit.text.find(q.sentence)) >= 0
    ]
    if not spans:
        return source
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    text = source.hit.text[start:end]
    return dataclasses.replace(source, text=text, start=source.hit.start + start, end=source.hit.start + end)


def closed_answer(
    closed: ClosedQuestion,
    sources: Sequence[CitedSource],
    llm: LLMBackend,
    evidence: Evidence,
    closest: list[Hit],
    on_token: Callable[[str], None] | None = None,
    t0: float | None = None,
) -> Answer | None:
    """The `Answer` to a closed question (mode "judged"), or None to leave it to the generative path.

    `on_token` receives the final text word by word once it is decided, so the concatenation of what it received
    is `answer.answer` (the pipeline's streaming contract); nothing is passed when None is returned.
    """
    t0 = time.perf_counter() if t0 is None else t0
    result = answer_closed(closed, sources, llm)
    if result is None:
        return None
    if result.unfounded is not None:
        # Nothing read speaks of the person asked about: a verdict would be a guess, so none is given — the
        # refusal, with the closest articles (live: "Công chức có được thành lập doanh nghiệp tư nhân không?" was
        # answered "Có." flagged, on what a public unit does in a joint venture; the law forbids it).
        judged = {**result.judgement, "unfounded": result.unfounded}
        # (shown as every refusal is: "Phán định theo căn cứ" beside "no basis found" would say both)
        ev = {**evidence.to_json(), "judge": judged}
        answer = refusal(closed.text, ev, closest, "generative", time.perf_counter() - t0)
        answer.sentences = result.sentences
        return answer
    ttft = time.perf_counter() - t0
    if on_token is not None:
        for word in _WORD.findall(result.text):
            on_token(word)
    used = [s for s in sources if s.marker in result.markers]
    return Answer(
        question=closed.text,
        answer=result.text,
        citations=[_narrowed(s, result.quotes) for s in used],
        verification=result.verification,
        refused=False,
        mode=MODE,
        latency_s=time.perf_counter() - t0,
        evidence={**evidence.to_json(), "judge": result.judgement},
        sentences=result.sentences,
        closest=closest,
        ttft_s=ttft,
    )
