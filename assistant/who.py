"""A question asking who, and an answer sentence that names no one: "… là cơ quan có thẩm quyền …" for "Ai có thẩm
quyền quyết định kỷ luật viên chức?" (live, verified: every word is in its source). Such a sentence is no claim
(`verify`: like a sentence of markers only), so an answer made only of them is asked again, then quoted or refused —
never shown as the answer. Phrases in `assistant/data/who_vi.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.actor import ActorLexicon
from assistant.evidence import coverage
from core.text import content_words, nfc, phrases_pattern

WHO_FILE = Path(__file__).with_name("data") / "who_vi.toml"
# Share of the question's words a sentence's part before "là" holds for it to be the question said again.
ECHOED = 0.75


@dataclass(frozen=True)
class WhoCues:
    """The question words that ask who, the quantifiers that do not ("không ai"), the phrases that name no one, the
    words an article on who has the power is titled by, and those a question puts between who and the act it asks
    about ("có thẩm quyền", `holds`) (`WHO_FILE`)."""

    asks: re.Pattern[str]
    quantifiers: re.Pattern[str]
    nobody: re.Pattern[str]
    powers: re.Pattern[str]
    holds: re.Pattern[str]

    @classmethod
    def from_file(cls, path: Path) -> WhoCues:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        lists = {}
        for key in ("asks", "quantifiers", "nobody", "powers", "holds"):
            phrases = data.get(key)
            if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p for p in phrases):
                raise ValueError(f"{path}: «{key}» must be a list of phrases")
            lists[key] = _phrases(phrases)
        return cls(lists["asks"], lists["quantifiers"], lists["nobody"], lists["powers"], lists["holds"])

    @classmethod
    def default(cls) -> WhoCues:
        return _default()


def _phrases(phrases: list[str]) -> re.Pattern[str]:
    """One pattern matching any of `phrases` (NFC) as whole words, longest first, spaces as any white space."""
    return re.compile(phrases_pattern([nfc(p) for p in phrases]), re.IGNORECASE)


@cache
def _default() -> WhoCues:
    return WhoCues.from_file(WHO_FILE)


def asks_who(question: str, cues: WhoCues | None = None) -> bool:
    """Whether `question` asks who acts, decides or may decide.

    >>> asks_who("Ai có thẩm quyền quyết định kỷ luật viên chức?"), asks_who("Cơ quan nào cấp giấy phép?")
    (True, True)
    >>> asks_who("Viên chức bị kỷ luật bằng hình thức nào?"), asks_who("Không ai được cưỡng bức lao động, đúng không?")
    (False, False)
    >>> asks_who("Chủ sở hữu có quyền ngăn chặn bất kỳ người nào xâm phạm quyền của mình, đúng hay sai?")
    False
    """
    cues = cues or WhoCues.default()
    return cues.asks.search(cues.quantifiers.sub(" ", nfc(question))) is not None


def names_no_one(sentence: str, question: str, actors: ActorLexicon | None = None, cues: WhoCues | None = None) -> bool:
    """Whether `sentence`, in an answer to `question` asking who, names no one: it says "cơ quan có thẩm quyền" (or
    the like, `WhoCues.nobody`), names no actor besides those phrases that the question does not name already, and
    is "<the question again> là <such a phrase> …" (its part before "là" holds `ECHOED` of the question's words).
    Where the law itself names "người có thẩm quyền" as the one who acts ("Người có thẩm quyền chịu trách nhiệm về
    việc sử dụng con dấu."), that is its answer, and a sentence saying so stays a claim.

    >>> q = "Ai có thẩm quyền quyết định kỷ luật viên chức?"
    >>> names_no_one("Người có thẩm quyền quyết định kỷ luật viên chức là cơ quan có thẩm quyền xử lý kỷ luật.", q)
    True
    >>> names_no_one("Cơ quan có thẩm quyền quyết định kỷ luật viên chức.", q)
    False
    >>> names_no_one("Người đứng đầu đơn vị sự nghiệp công lập quyết định kỷ luật viên chức.", q)
    False
    >>> names_no_one("Thủ trưởng hoặc cơ quan có thẩm quyền quyết định kỷ luật viên chức.", q)
    False
    >>> names_no_one("Cơ quan có thẩm quyền quyết định kỷ luật.", "Viên chức bị kỷ luật khi nào?")
    False
    >>> names_no_one("Cấp có thẩm quyền đã ký quyết định kỷ luật phải hủy bỏ nó.", "Ai hủy bỏ quyết định kỷ luật?")
    False
    """
    cues = cues or WhoCues.default()
    text = nfc(sentence)
    if not asks_who(question, cues) or cues.nobody.search(text) is None:
        return False
    actors = actors or ActorLexicon.default()
    rest = cues.nobody.sub(" ; ", text)
    if actors.identities(rest) - actors.identities(question):
        return False
    restated = _RESTATED_IS.match(text)
    if restated is None or cues.nobody.match(restated["said"]) is None:
        return False
    asked = content_words(question)
    return bool(asked) and coverage(asked, restated["subject"]) >= ECHOED


def titled_for_power(title: str, question: str, cues: WhoCues | None = None) -> bool:
    """Whether an article's `title` opens on a word naming the power to act (`WhoCues.powers`: "Thẩm quyền …") that
    `question`, asking who, names too: that article says who.

    >>> q = "Ai có thẩm quyền quyết định kỷ luật viên chức?"
    >>> titled_for_power("Thẩm quyền xử lý kỷ luật đối với viên chức", q)
    True
    >>> titled_for_power("Các quy định liên quan sau khi có quyết định kỷ luật đối với viên chức", q)
    False
    >>> titled_for_power("Thẩm quyền xử lý kỷ luật đối với viên chức", "Viên chức bị kỷ luật khi nào?")
    False
    """
    cues = cues or WhoCues.default()
    opening = cues.powers.match(nfc(title).strip())
    if opening is None or not asks_who(question, cues):
        return False
    return any(m.group(0).casefold() == opening.group(0).casefold() for m in cues.powers.finditer(nfc(question)))


# "<subject> là <what it is>": the subject restates the question, what it is names (or not) someone.
_RESTATED_IS = re.compile(r"(?is)^(?P<subject>.+?)\s+là\s+(?P<said>.+)$")
