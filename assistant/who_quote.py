"""Who does the act a question asks about, as the law says it: the provision quoted when the answer does not say it.

Live: "Ai quyết định tặng Bằng khen của Thủ tướng Chính phủ?" was answered "Chính phủ quyết định tặng … [1]" — [1],
Điều 78 Luật Thi đua, khen thưởng, gives that act to the Thủ tướng — withheld for it, and refused, while Khoản 2 of
that article, in the prompt, says who. "Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?" was answered,
verified, with Khoản 2 Điều 83, who *proposes* an award: its claims never say "quyết định", while [1], Điều 77, reads
"Chủ tịch nước quyết định tặng huân chương …".

For a question that opens by asking who (`who.asks_who`: "Ai …", "Cơ quan nào …"), the act asked is what follows,
after a word of holding a power ("có thẩm quyền", `holds` in `assistant/data/who_vi.toml`): its first word is the
verb, the other content words its object (`asked_act`). An answer says who does it when one of its lines holds the
verb and at least half of the object's words (`says_the_act`). When none does, or nothing was verified, the
provision of the prompt's sources that gives that act to someone — the verb after words naming who, no negation
governing it, at least half of the object's words — is quoted verbatim with its marker (`who_does`); the pipeline
verifies the quote like any answer and keeps it only when verified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer import CitedSource
from assistant.evidence import coverage
from assistant.figures import MIN_LINE_CHARS
from assistant.injection import law_words
from assistant.lists import marked
from assistant.polarity import CueKind, CueLexicon, without_label
from assistant.who import WhoCues, asks_who
from core.text import content_words, folded_runs, nfc, segment

# Share of the object's words a line must hold to speak of the act asked (the answer's, the quoted provision's).
OBJECT_SHARE = 0.5
VERB_GAP = 4  # syllables a verb's own may stand apart in a line (`AskedAct.verb_at`)
ASKED_CACHE = 256  # questions whose act `asked_act` keeps read
_MARKER = re.compile(r"\[\d{1,2}\]")
# Where a question's act ends and the case it is asked for begins ("… báo trước cho viên chức khi đơn phương …").
_CASE = re.compile(r"(?i)\s(?:khi|nếu|trong trường hợp|trường hợp)\s")
# An article's heading ("Điều 32. Quản lý con dấu …", pháp điển's "Điều 42.1.NĐ.32. …") or its source line
# ("(Điều 32 Nghị định số 30/2020/NĐ-CP, có hiệu lực …)"): no provision, and no one named in it.
_NOT_A_PROVISION = re.compile(r"(?i)^(?:điều\s+\d|\()")


@dataclass(frozen=True)
class AskedAct:
    """The act a question asking who is about: its verb's syllables, folded ("quyet", "dinh"), and its object's
    content words ({"khen_thưởng", "huân_chương"})."""

    verb: tuple[str, ...]
    object: frozenset[str]

    def spoken_in(self, line: str) -> bool:
        """Whether `line` holds the verb (`verb_at`) and at least `OBJECT_SHARE` of the object's words."""
        said = folded_runs(line)
        return self.verb_at(said) is not None and (not self.object or coverage(set(self.object), line) >= OBJECT_SHARE)

    def verb_at(self, said: Sequence[str]) -> int | None:
        """Where the verb starts in the syllables `said`: its syllables in order, at most `VERB_GAP` others between
        them — the law splits a verb around its object ("báo cho viên chức biết trước" is "báo trước")."""
        for start, syllable in enumerate(said):
            if syllable != self.verb[0]:
                continue
            at, ok = start, True
            for part in self.verb[1:]:
                following = said[at + 1 : at + 2 + VERB_GAP]
                if part not in following:
                    ok = False
                    break
                at += 1 + following.index(part)
            if ok:
                return start
        return None


@lru_cache(maxsize=ASKED_CACHE)
def asked_act(question: str, cues: WhoCues | None = None) -> AskedAct | None:
    """The act `question` asks who does, when it opens with its who-phrase; None otherwise. Cached: the stream asks
    it of the same question at each sentence until the answer is let out (`pipeline._off_matter_of`).

    >>> act = asked_act("Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?")
    >>> act.verb, sorted(act.object)
    (('quyet', 'dinh'), ['huân_chương', 'khen_thưởng'])
    >>> asked_act("Ai chịu trách nhiệm quản lý con dấu?").verb
    ('quan', 'ly')
    >>> asked_act("Cơ quan nào có trách nhiệm thực hiện thống nhất quản lý nhà nước về thanh niên?").verb
    ('thong', 'nhat')
    >>> asked_act("Viên chức chịu sự quản lý của ai?") is None, asked_act("Viên chức bị kỷ luật khi nào?") is None
    (True, True)
    """
    cues = cues or WhoCues.default()
    text = nfc(question).strip().rstrip("?").strip()
    opening = cues.asks.match(text)
    if opening is None or not asks_who(question, cues):
        return None
    rest = text[opening.end() :].strip()
    # "có trách nhiệm thực hiện việc …": each word of holding a power, or of doing in general, in turn
    while (held := cues.holds.match(rest)) is not None and held.end() < len(rest):
        rest = rest[held.end() :].strip()
    rest = _CASE.split(f" {rest} ", maxsplit=1)[0].strip()  # the act, without the case it is asked for
    words = [w for w in segment(rest) if re.search(r"\w", w)]
    own = content_words(rest)
    if not words or words[0].lower() not in {w.lower() for w in own}:
        return None
    verb = words[0].lower()
    return AskedAct(tuple(folded_runs(verb.replace("_", " "))), frozenset(w for w in own if w.lower() != verb))


def says_the_act(question: str, answer: str, cues: WhoCues | None = None) -> bool:
    """Whether `answer` says who does the act `question` asks about: one of its lines holds the act's verb and at
    least `OBJECT_SHARE` of its object (`AskedAct.spoken_in`). True for a question that asks no act this way.

    >>> q = "Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?"
    >>> says_the_act(q, "Bộ trưởng … đề nghị Thủ tướng Chính phủ trình Chủ tịch nước tặng huân chương [2].")
    False
    >>> says_the_act(q, "Chủ tịch nước quyết định tặng huân chương, huy chương [1].")
    True
    >>> q = "Ai phải báo trước cho viên chức khi đơn phương chấm dứt hợp đồng làm việc?"
    >>> says_the_act(q, "Đơn vị phải báo cho viên chức biết trước 45 ngày [1].")
    True
    """
    act = asked_act(question, cues)
    if act is None:
        return True
    return any(act.spoken_in(_MARKER.sub(" ", line)) for line in answer.splitlines())


def who_does(question: str, sources: Sequence[CitedSource], cues: WhoCues | None = None) -> str | None:
    """The provision of `sources` that gives the act `question` asks about to someone, verbatim with its marker: a
    line holding the act (`AskedAct.spoken_in`), not negated, whose verb comes after words naming who — not only a
    phrase that names no one ("cơ quan có thẩm quyền", `WhoCues.nobody`). Of those, the one holding most of the
    object, the first source's of equals; None when no source has one.

    >>> from types import SimpleNamespace
    >>> def src(m, text):
    ...     return SimpleNamespace(marker=m, hit=SimpleNamespace(text=text))
    >>> proposing = src(1, "2. Bộ trưởng đề nghị Thủ tướng Chính phủ trình Chủ tịch nước tặng huân chương.")
    >>> deciding = src(2, "Điều 77. Thẩm quyền của Chủ tịch nước\\nChủ tịch nước quyết định tặng huân chương.")
    >>> who_does("Cơ quan nào có thẩm quyền quyết định khen thưởng huân chương?", [proposing, deciding])
    'Chủ tịch nước quyết định tặng huân chương [2].'
    >>> seal = src(4, "Điều 32. Quản lý con dấu\\n1. Người đứng đầu cơ quan giao cho Văn thư quản lý con dấu.")
    >>> who_does("Ai chịu trách nhiệm quản lý con dấu?", [seal])
    'Người đứng đầu cơ quan giao cho Văn thư quản lý con dấu [4].'
    >>> nobody = src(3, "3. Cơ quan có thẩm quyền quyết định tặng huân chương theo quy định.")
    >>> who_does("Ai quyết định tặng huân chương?", [proposing, nobody]) is None
    True
    >>> forbidden = src(5, "4. Cấp phó không được quyết định tặng huân chương thay cấp trưởng.")
    >>> who_does("Ai quyết định tặng huân chương?", [forbidden, deciding])
    'Chủ tịch nước quyết định tặng huân chương [2].'
    """
    cues = cues or WhoCues.default()
    act = asked_act(question, cues)
    if act is None:
        return None
    best: tuple[float, str] | None = None
    for source in sources:
        text = law_words(source.hit.text)
        for raw in text.split("\n"):
            # the provision's words, without its number ("2. Thủ tướng …"): the answer says who, not where
            line = without_label(raw.strip())
            if len(line) < MIN_LINE_CHARS or _NOT_A_PROVISION.match(line) or not act.spoken_in(line):
                continue
            if not _named_before(line, act, cues) or _negated(line, act):
                continue
            held = coverage(set(act.object), line) if act.object else 1.0
            if best is None or held > best[0]:
                best = (held, marked(line, source.marker))
    return best[1] if best else None


def _negated(line: str, act: AskedAct) -> bool:
    """Whether a negation of `line` governs the act's verb ("Cấp phó không được quyết định …"): who may NOT do it
    is no answer to who does it (assistant/polarity.py reads what each negation governs)."""
    return any(
        cue.kind is CueKind.NEGATION and act.verb_at(folded_runs(cue.governed)) is not None
        for cue in CueLexicon.default().cues(line)
    )


def _named_before(line: str, act: AskedAct, cues: WhoCues) -> bool:
    """Whether the words before the act's verb in `line` name someone: content words that are not all a phrase
    naming no one."""
    at = act.verb_at(folded_runs(line))
    if not at:
        return False
    # the same words in the line's own spelling: the first `at` syllables
    before = " ".join(re.findall(r"\w+", line)[:at])
    rest = cues.nobody.sub(" ", before)
    return bool(content_words(rest))
