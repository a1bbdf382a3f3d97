"""What a follow-up newly asks about, and whether an answer speaks of it at all.

A follow-up read with its history is answered from the previous question's sources first (their prompt prefix is
cached), and the small model then tends to answer the previous question again: asked "Còn dấu chữ ký thì đóng thế
nào?" after a question on dấu giáp lai, it wrote the giáp lai line once more (live, `make bench`). Its sentences were
true and cited, so verification passed them. The follow-up's own words — those the previous question did not use
("chữ ký") — are what it asks; an answer that names fewer than half of them has not answered it
(`Focus.spoken_in`): the pipeline asks once more naming them. If the second answer does not either, the clause of
the prompt's sources that names them and most of the follow-up's words is quoted verbatim as the answer
(`quote_naming`: "Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái [1]." — in
the prompt, twice not written by the model); when no clause names them all, it refuses.

Words are compared by syllable with the diacritics folded away (a question typed without them still counts), and
a word of the follow-up counts as new only when one of its syllables is not in the previous question ("dấu" and
"đóng" are not new after "Đóng dấu giáp lai…", however pyvi groups them).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from assistant.answer import CitedSource, with_marker
from assistant.injection import strip_instructions
from assistant.polarity import clauses, without_label
from core.text import (
    content_syllables,
    content_words,
    fold,
    folded_stopwords,
    folded_syllables,
    folded_words,
    nfc,
    words,
    words_and_syllables,
)

# Share of the follow-up's new words an answer must name to be an answer to it.
MIN_SPOKEN = 0.5
POINTERS_FILE = Path(__file__).with_name("data") / "pointers_vi.toml"


# A question fewer of whose words than this carry a diacritic was typed without them ("con ket hon thi sao").
TYPED_PLAIN = 0.25


def _asked(question: str) -> set[str]:
    """The question's content words; in a question typed without diacritics (`TYPED_PLAIN`), a word that is a
    function word with them ("thi" for "thì", "con" for "còn") is not one. Typed with them, "con" is a child: live,
    "Còn khi con kết hôn thì sao?" asked nothing new of "Viên chức được nghỉ việc riêng khi kết hôn mấy ngày?", and
    an answer on combining annual leave was verified as the answer to it.

    >>> sorted(_asked("Còn khi con kết hôn thì sao?")), sorted(_asked("con khi con ket hon thi sao"))
    (['con', 'khi', 'kết_hôn'], ['hon', 'ket', 'khi'])
    """
    said = words(question)
    plain = sum(fold(w) != w for w in said) < TYPED_PLAIN * len(said)
    return {w for w in content_words(question) if not (plain and fold(w) == w and w in folded_stopwords())}


@dataclass(frozen=True)
class Focus:
    """The content words a follow-up asks about that its previous question did not use (in the follow-up's order).

    >>> Focus.of("Còn dấu chữ ký thì đóng thế nào?", "Đóng dấu giáp lai văn bản được thực hiện như thế nào?").words
    ('chữ_ký',)
    >>> Focus.of("Còn dấu chữ ký thì đóng thế nào?", "Đóng dấu giáp lai như thế nào?").spoken_in("Dấu trùm lên chữ ký.")
    True
    """

    words: tuple[str, ...]

    @classmethod
    def of(cls, question: str, previous: str) -> Focus:
        seen = folded_syllables(words_and_syllables(previous))
        order = [w.lower() for w in words_and_syllables(question)]
        asked = _asked(question)
        new = [w for w in dict.fromkeys(order) if w in asked and not folded_syllables([w]) <= seen]
        return cls(tuple(new))

    def named_in(self, text: str) -> tuple[str, ...]:
        """The words `text` names (each with all its syllables, diacritics folded)."""
        if not self.words:
            return ()
        present = folded_syllables(words_and_syllables(text))
        return tuple(w for w in self.words if folded_syllables([w]) <= present)

    def spoken_in(self, text: str) -> bool:
        """Whether `text` names at least half of the words; True when there are none."""
        return not self.words or len(self.named_in(text)) >= MIN_SPOKEN * len(self.words)

    @property
    def phrase(self) -> str:
        """The words as the note to the model names them ("chữ ký")."""
        return ", ".join(w.replace("_", " ") for w in self.words)


@dataclass(frozen=True)
class Unspoken:
    """An answer to a follow-up that names too few of the words it newly asks about: it answered the previous
    question again (a `RetryReason`: the retry's note names the words)."""

    focus: Focus

    template = "answer_retry_focus"  # the retry note that names what the follow-up asks (assistant/prompts/)
    retried = "did not speak of what the follow-up asks"  # in the retry's record

    @property
    def reason(self) -> str:
        return f"the follow-up asks about «{self.focus.phrase}»; the answer does not speak of it"

    def fields(self) -> dict[str, str]:
        return {"focus": self.focus.phrase}


@dataclass(frozen=True)
class PointsOnly:
    """An answer whose every line only says where the rule is ("Thời giờ làm việc được quy định tại Điều 105 Bộ luật
    Lao động [1]."), not what it says: true and cited, yet no answer (a `RetryReason`: asked once more for what the
    rule says; a second such answer is shown, with the clause it points to quoted under it)."""

    template = "answer_retry_pointer"  # the retry note asking for the rule's content (assistant/prompts/)
    retried = "only said where the rule is"  # in the retry's record
    reason = "every line only says where the rule is"

    def fields(self) -> dict[str, str]:
        return {}


# Share of the follow-up's own content words a clause must name (besides every focus word) to be quoted for it.
MIN_QUOTED = 0.5


def quote_naming(focus: Focus, sources: Sequence[CitedSource], question: str) -> str | None:
    """The clause of `sources` that names every focus word (as words, diacritics folded: "chậm" is not "chậm
    nhất") and the most of `question`'s content words (at least `MIN_QUOTED`; the first of equals), verbatim with
    its source's marker — with its lead-in on the line before (a line ending with ":"; a heading without one, "1. Sử
    dụng con dấu", is none), so an item of a "không được … trong các trường hợp sau:" list keeps its negation —;
    None when no clause qualifies.

    >>> from types import SimpleNamespace
    >>> text = ("1. Sử dụng con dấu\\na) Dấu đóng phải rõ ràng, ngay ngắn.\\n"
    ...         "b) Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.")
    >>> seals = SimpleNamespace(marker=1, hit=SimpleNamespace(text=text))
    >>> focus = Focus.of("Còn dấu chữ ký thì đóng thế nào?", "Đóng dấu giáp lai như thế nào?")
    >>> print(quote_naming(focus, [seals], "Còn dấu chữ ký thì đóng thế nào?"))
    Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái [1].
    """
    if not focus.words:
        return None
    wanted = {fold(w) for w in focus.words}
    asked = {fold(w) for w in _asked(question)}
    best: tuple[float, str] | None = None
    for source in sources:
        for clause in clauses(strip_instructions(source.hit.text)[0]):
            words = folded_words(clause.text)
            if not wanted <= words:
                continue
            share = len(asked & words) / len(asked) if asked else 0.0
            if share < MIN_QUOTED or (best is not None and share <= best[0]):
                continue
            lines = [without_label(clause.lead)] if clause.lead else []  # a lead-in ends with ":" (`clauses`)
            lines.append(without_label(clause.item))
            best = (share, "\n".join(with_marker(line, source.marker) for line in lines))
    return best[1] if best else None


def points_only(line: str, question: str) -> bool:
    """Whether `line` only says where the rule on the question's words is: "Đóng dấu chữ ký thì đóng theo quy
    định tại Điều 42.1.NĐ.33 của Nghị định 30/2020/NĐ-CP [1]." (live) names "chữ ký", yet does not say how — every
    content word is the question's, the pointer's verb or what it points to.

    >>> asked = "Còn dấu chữ ký thì đóng thế nào?"
    >>> points_only("Dấu chữ ký được đóng theo quy định tại Điều 33 Nghị định 30/2020/NĐ-CP [1].", asked)
    True
    >>> points_only("Theo quy định tại Điều 33, dấu phải trùm lên khoảng 1/3 chữ ký [1].", asked)
    False
    >>> points_only("Dấu chữ ký được đóng theo quy định tại Phụ lục I Nghị định này [1].", asked)
    True
    """
    pointers = _pointers()
    if pointers.pattern.search(line) is None:
        return False
    asked = _question_syllables(question)
    return all(folded_syllables([w]) <= asked or w in pointers.words or _points_at(w) for w in content_words(line))


# What a pointer points at besides its named parts: a number ("33", "30/2020/nđ-cp") or a roman one ("Phụ lục I").
_ROMAN = re.compile(r"[ivxlc]+")


def _points_at(word: str) -> bool:
    return any(c.isdigit() for c in word) or _ROMAN.fullmatch(word) is not None


def asks_where(question: str) -> bool:
    """Whether `question` asks where a rule is ("… được quy định tại điều nào?", "… quy định ở đâu?"): a pointer
    is its answer, not a line that dodges it (pointers_vi.toml, `asks_where`).

    >>> asks_where("Nghỉ hằng năm được quy định tại điều nào của Bộ luật Lao động?"), asks_where("Nghỉ bao lâu?")
    (True, False)
    """
    return _pointers().where.search(nfc(question)) is not None


@lru_cache(maxsize=64)
def _question_syllables(question: str) -> frozenset[str]:
    """The syllables of `question`'s content words, folded: segmented once per question, not once per line."""
    return content_syllables(question)


@dataclass(frozen=True)
class Pointers:
    """pointers_vi.toml read: what a pointer line looks like, and how a question asks where a rule is."""

    pattern: re.Pattern[str]  # a lead followed by a target: "theo quy định tại Điều", "được quy định tại các khoản"
    words: frozenset[str]  # content words a pointer is made of besides the question's own
    where: re.Pattern[str]  # a question that asks where the rule is: a pointer answers it


@cache
def _pointers(path: Path = POINTERS_FILE) -> Pointers:
    """The pointers of `path` (assistant/data/pointers_vi.toml); ValueError naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        leads, targets, words, where = (list(map(str, data[k])) for k in ("leads", "targets", "words", "asks_where"))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not (leads and targets and words and where):
        raise ValueError(f"{path}: needs non-empty 'leads', 'targets', 'words' and 'asks_where'")

    def alternatives(phrases: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))

    return Pointers(
        pattern=re.compile(rf"\b(?:{alternatives(leads)})\s+(?:các\s+)?(?:{alternatives(targets)})\b", re.IGNORECASE),
        words=frozenset(nfc(w).lower() for w in words),
        where=re.compile(rf"(?<!\w)(?:{alternatives(where)})(?!\w)", re.IGNORECASE),
    )
