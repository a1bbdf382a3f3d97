"""Polarity of a claim and of the clause that supports it: the negations and exceptions that decide what a rule says.

Word overlap cannot tell "Đơn vị không được đơn phương chấm dứt hợp đồng trong các trường hợp sau:" from "Đơn vị
được đơn phương chấm dứt hợp đồng trong các trường hợp sau:" — one word apart, opposite law. This module finds the
cues that turn a rule around (the lexicon is data: `assistant/data/polarity_cues_vi.tsv`, for a lawyer to review)
and says when a claim and its supporting clause disagree on them:

- a negation in the clause whose words the claim states ("đơn phương chấm dứt") must be a negation in the claim too;
- an exception in the clause must be carried by the claim (an exception or a negation) when the claim states the
  rule it qualifies;
- the reverse: a negation or exception in the claim over words the clause states needs one in the clause;
- a claim that reaches a case the clause excepts ("…, kể cả trường hợp X" against "…, trừ trường hợp X") turns it
  around, whatever else it carries (naming the case is how a claim keeps an exception; "kể cả" names it to include
  it).

A cue "governs" words: a negation the words after it (up to the next punctuation, `SCOPE_SYLLABLES` at most), an
exception the rule before it. A cue matters only when the other side states at least half of what it governs
(`RELEVANT`): "không cần báo trước" in the clause says nothing against a claim that does not mention "báo trước".

A list item's clause carries its lead-in ("… trong các trường hợp sau:" + "a) Viên chức ốm đau …"): the negation
of a list lives in the sentence that introduces it (`clauses`).

>>> lexicon = CueLexicon.default()
>>> [(c.kind.value, c.phrase) for c in lexicon.cues("Người chưa thành niên không được, trừ trường hợp sau.")]
[('negation', 'không được'), ('exception', 'trừ trường hợp')]
>>> source = "Đơn vị không được đơn phương chấm dứt hợp đồng làm việc với viên chức."
>>> lexicon.conflict("Đơn vị được đơn phương chấm dứt hợp đồng làm việc [1].", source)
'the cited text says «không được đơn phương chấm dứt hợp đồng» and the claim does not'
>>> lexicon.conflict("Đơn vị không được đơn phương chấm dứt hợp đồng làm việc [1].", source) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from assistant.evidence import coverage, covered
from core.text import content_words, nfc, words_and_syllables

CUES_FILE = Path(__file__).with_name("data") / "polarity_cues_vi.tsv"
# A negation governs the few words after it: "không được đơn phương chấm dứt hợp đồng" — about one predicate.
SCOPE_SYLLABLES = 6
# Half of what a cue governs must be stated by the other side for the cue to matter (the same bar as a sentence's
# support in assistant/verify.py).
RELEVANT = 0.5
BARE_NEGATION = "không"  # the negation that as often describes ("không xác định thời hạn") as denies
# The negations that forbid (not "không phải", need not; not a bare "không"): a rule's "may not".
PROHIBITIONS = frozenset({"không được", "không được phép", "không ai được", "chưa được", "cấm", "nghiêm cấm"})
# How many syllables after a bare "không" name what it governs, when looking for the same words un-negated.
KEY_SYLLABLES = 3

_MARKER = re.compile(r"\[\d{1,2}\]")
_SCOPE_END = re.compile(r"[,;:.!?()\n]")
_SYLLABLE = re.compile(r"\w+")
# A clause label: "2.", "a)", "đ)", "-", "•"; its rank says what it can sit under (a letter item under a numbered
# clause or an unlabelled lead-in, a numbered item under an unlabelled lead-in).
# The reasons `CueLexicon.conflict` gives for a negation or exception one side states and the other does not.
LEFT_OUT = "the cited text says «{}» and the claim does not"
ADDED = "the claim says «{}» and the cited text does not"
_TURNED = re.compile("|".join(re.escape(t).replace(re.escape("{}"), ".*") for t in (LEFT_OUT, ADDED)))


def is_turned(reason: str) -> bool:
    """Whether a verification reason is `CueLexicon.conflict`'s for a negation or exception left out or added.

    >>> is_turned(LEFT_OUT.format("chưa kể tiền lương ngày lễ")), is_turned("numbers not in the cited text: 2")
    (True, False)
    """
    return _TURNED.fullmatch(reason) is not None


_LABEL = re.compile(r"^\s*(?:(?P<number>\d+(?:\.\d+)*[.)])|(?P<letter>[a-zđ]\))|(?P<dash>[-•*+]))\s+", re.IGNORECASE)
_LABEL_ONLY = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|[a-zđ]\))$", re.IGNORECASE)
_RANK = {"number": 1, "letter": 2, "dash": 3}
_SOURCE_SENTENCE = re.compile(r"\n+|(?<=[.;])\s+|(?<=:)\s+(?=(?:\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-•])\s)", re.IGNORECASE)


class CueKind(StrEnum):
    """What a cue does to the rule it is in."""

    NEGATION = "negation"
    EXCEPTION = "exception"
    INCLUSION = "inclusion"  # the rule reaches a case ("…, kể cả khi …"): the opposite of excepting that case
    NEUTRAL = "neutral"  # contains a cue word but turns nothing around ("không quá", "chưa thành niên")

    @classmethod
    def from_str(cls, value: str) -> CueKind:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown cue kind {value!r}; valid: {', '.join(k.value for k in cls)}") from None


@dataclass(frozen=True)
class Cue:
    """One negation or exception in a text, with the words it governs."""

    kind: CueKind
    phrase: str
    governed: str
    condition: str = ""  # an exception's case ("trừ trường hợp đang bị kỷ luật" → "đang bị kỷ luật")

    def answered_by(self, other: list[Cue], this_text: str, other_text: str, own: Sequence[Cue] = ()) -> bool:
        """Whether the other side carries a cue that keeps this one's meaning (`own`: this side's cues).

        Like answers like. An exception and a negation answer each other only when the negating side names the
        exception's case ("được nghỉ, trừ trường hợp bị kỷ luật" ~ "khi bị kỷ luật thì không được nghỉ"; not
        "không được nghỉ") — and not when this side carries that same exception itself: the item "Viên chức ốm
        đau …, trừ trường hợp quy định tại điểm c khoản 1" copied from "không được chấm dứt … trong các trường
        hợp sau:" keeps the item's exception, not the lead-in's negation.
        """
        for c in other:
            if c.kind is self.kind and (self.kind is not CueKind.NEGATION or _same_negation(self, c)):
                return True
            if self.kind is CueKind.EXCEPTION and _stated(self.condition, other_text):
                return True
            if (
                c.kind is CueKind.EXCEPTION
                and _stated(c.condition, this_text)
                and not any(o.kind is CueKind.EXCEPTION and _stated(c.condition, o.condition) for o in own)
            ):
                return True
        return False

    def describe(self) -> str:
        if self.kind is CueKind.NEGATION:
            return f"{self.phrase} {self.governed}".strip()
        return f"{self.governed} … {self.phrase}".strip()


def _scope_after(text: str) -> str:
    """The words a negation governs: up to the next punctuation, `SCOPE_SYLLABLES` syllables at most."""
    cut = _SCOPE_END.search(text)
    return " ".join(_SYLLABLE.findall(text[: cut.start()] if cut else text)[:SCOPE_SYLLABLES])


def _rule_before(text: str) -> str:
    """The rule an exception qualifies: the clause before it, markers and trailing punctuation dropped."""
    return " ".join(_MARKER.sub(" ", text).strip(" ,;:.").split())


@dataclass(frozen=True)
class CueLexicon:
    """The cue phrases and their kinds; `default()` reads `assistant/data/polarity_cues_vi.tsv`."""

    phrases: tuple[tuple[str, CueKind], ...]
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.phrases:
            raise ValueError("a cue lexicon needs at least one phrase")
        longest_first = sorted((p for p, _ in self.phrases), key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in longest_first)
        object.__setattr__(self, "_pattern", re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE))

    @classmethod
    def from_file(cls, path: Path) -> CueLexicon:
        phrases: list[tuple[str, CueKind]] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            kind, sep, phrase = line.partition("\t")
            if not sep or not phrase.strip():
                raise ValueError(f"{path}:{n}: expected KIND<TAB>PHRASE, got {line!r}")
            phrases.append((nfc(" ".join(phrase.lower().split())), CueKind.from_str(kind.strip())))
        return cls(tuple(phrases))

    @classmethod
    def default(cls) -> CueLexicon:
        return _default_lexicon()

    def kind_of(self, phrase: str) -> CueKind:
        key = " ".join(phrase.lower().split())
        return next(k for p, k in self.phrases if p == key)

    def polar(self, text: str) -> bool:
        """Whether `text` negates or excepts anything (a cue of either kind)."""
        return any(c.kind in (CueKind.NEGATION, CueKind.EXCEPTION) for c in self.cues(text))

    def cues(self, text: str) -> list[Cue]:
        """The negations and exceptions in `text`, in order (neutral phrases are matched and skipped)."""
        text = _MARKER.sub(" ", nfc(text))
        out = []
        for m in self._pattern.finditer(text):
            kind = self.kind_of(m.group(0))
            if kind is CueKind.NEGATION:
                out.append(Cue(kind, m.group(0).lower(), _scope_after(text[m.end() :])))
            elif kind in (CueKind.EXCEPTION, CueKind.INCLUSION):
                rule, case = _rule_before(text[: m.start()]), _scope_after(text[m.end() :])
                out.append(Cue(kind, m.group(0).lower(), rule, case))
        return out

    def conflict(self, claim: str, clause: str) -> str | None:
        """Why `claim` turns `clause` around (a reason for the verification record), or None when they agree."""
        claim_cues, clause_cues = self.cues(claim), self.cues(clause)
        included = _includes_excepted(claim_cues, clause_cues)
        if included:
            return included
        for cue, in_clause in _unanswered(claim, clause, claim_cues, clause_cues):
            return (LEFT_OUT if in_clause else ADDED).format(cue.describe())
        return None

    def drops_an_exception_only(self, claim: str, clause: str) -> bool:
        """Whether all `claim` does to `clause` is leave out an exception the clause makes ("…, trừ trường hợp …"):
        true but for the excepted case — a claim to flag, not one that negates its law.

        >>> lex = CueLexicon.default()
        >>> law = "Người đứng đầu phải báo trước 45 ngày, trừ trường hợp quy định tại điểm b khoản 1."
        >>> lex.drops_an_exception_only("Người đứng đầu phải báo trước 45 ngày.", law)
        True
        >>> lex.drops_an_exception_only("Người đứng đầu không phải báo trước 45 ngày.", law)
        False
        """
        claim_cues, clause_cues = self.cues(claim), self.cues(clause)
        if _includes_excepted(claim_cues, clause_cues):
            return False
        turned = list(_unanswered(claim, clause, claim_cues, clause_cues))
        return bool(turned) and all(in_clause and cue.kind is CueKind.EXCEPTION for cue, in_clause in turned)

    def includes_excepted(self, claim: str, clause: str) -> str | None:
        """Why `claim` reaches a case `clause` excepts ("…, kể cả trường hợp X" against "…, trừ trường hợp X"), or
        None. The one polarity conflict that holds whatever else the claim leaves out: a claim may be shorter than
        its law, it may not include what the law carves out."""
        return _includes_excepted(self.cues(claim), self.cues(clause))


def _unanswered(claim: str, clause: str, claim_cues: list[Cue], clause_cues: list[Cue]) -> Iterator[tuple[Cue, bool]]:
    """The cues one side states about words the other side states, which the other side does not keep, in order:
    the clause's first (True), then the claim's (False) — what `CueLexicon.conflict` reports the first of."""
    for cue in (c for c in clause_cues if c.kind is not CueKind.INCLUSION):
        if not _also_unnegated(cue, clause) and _stated(cue.governed, claim):
            if not cue.answered_by(claim_cues, clause, claim, clause_cues):
                yield cue, True
    for cue in (c for c in claim_cues if c.kind is not CueKind.INCLUSION):
        if _stated(cue.governed, clause) and not cue.answered_by(clause_cues, claim, clause, claim_cues):
            yield cue, False


def _includes_excepted(claim_cues: Sequence[Cue], clause_cues: Sequence[Cue]) -> str | None:
    for cue in (c for c in clause_cues if c.kind is CueKind.EXCEPTION and c.condition):
        for inclusion in (c for c in claim_cues if c.kind is CueKind.INCLUSION):
            if _stated(cue.condition, inclusion.condition):
                return (
                    f"the cited text excepts «{cue.condition}» («{cue.phrase}») and the claim includes it "
                    f"(«{inclusion.phrase}»)"
                )
    return None


def _also_unnegated(cue: Cue, clause: str) -> bool:
    """Whether a bare "không" of `clause` describes rather than denies: the clause also states the words it governs
    without it ("… 45 ngày đối với hợp đồng làm việc không xác định thời hạn hoặc ít nhất 30 ngày đối với hợp đồng
    làm việc xác định thời hạn": both kinds of contract are named, so a claim on the second keeps the clause). Only
    bare "không" — "không được", "cấm" … forbid, whatever else the clause says.

    >>> lex = CueLexicon.default()
    >>> both = "45 ngày với hợp đồng không xác định thời hạn hoặc 30 ngày với hợp đồng xác định thời hạn."
    >>> lex.conflict("Báo trước 30 ngày với hợp đồng xác định thời hạn.", both) is None
    True
    >>> only = "45 ngày với hợp đồng không xác định thời hạn."
    >>> lex.conflict("Báo trước 45 ngày với hợp đồng xác định thời hạn.", only)
    'the cited text says «không xác định thời hạn» and the claim does not'
    """
    if cue.kind is not CueKind.NEGATION or cue.phrase != BARE_NEGATION:
        return False
    key = _SYLLABLE.findall(cue.governed)[:KEY_SYLLABLES]
    if not key:
        return False
    phrase = r"\s+".join(re.escape(w) for w in key)
    text = nfc(clause).lower()
    stated = len(re.findall(rf"(?<!\w){phrase}(?!\w)", text))
    negated = len(re.findall(rf"(?<!\w)không\s+{phrase}(?!\w)", text))
    return stated > negated


def _same_negation(one: Cue, other: Cue) -> bool:
    """Whether two negations can be the same one. The same phrase, or two forbidding ones (`PROHIBITIONS`: "không
    được" in the claim, "nghiêm cấm" or the lead-in's "không được làm những việc sau đây:" in the clause), keep
    each other whatever they govern. Any other two must govern a word in common: a bare "không" describes as often
    as it denies ("không phải báo … trước 45 ngày" is not kept by its clause's "hợp đồng … không xác định thời
    hạn"), and "may not" is not "need not" (live: "… không được đơn phương chấm dứt hợp đồng lao động trong trường
    hợp quy định tại điểm d và điểm e …" was verified on Khoản 3 Điều 36 Bộ luật Lao động, where the employer ending
    the contract in those cases "không phải báo trước"). Nor is one stray word in common enough: "không được đơn
    phương chấm dứt hợp đồng" shares only "hợp" with "không hoàn thành công việc theo hợp đồng" cut at its scope
    (an employer's case of Điều 36 Bộ luật Lao động, written as one where he may not, was verified): each must
    govern some of the other's words, and one at least half of the other's.

    >>> lexicon = CueLexicon.default()
    >>> may_not, need_not = lexicon.cues("không được chấm dứt hợp đồng")[0], lexicon.cues("không phải báo trước")[0]
    >>> _same_negation(may_not, need_not), _same_negation(may_not, lexicon.cues("nghiêm cấm chấm dứt")[0])
    (False, True)
    >>> ending = lexicon.cues("không được đơn phương chấm dứt hợp đồng")[0]
    >>> _same_negation(ending, lexicon.cues("không hoàn thành công việc theo hợp đồng")[0])
    False
    """
    if one.phrase == other.phrase or (one.phrase in PROHIBITIONS and other.phrase in PROHIBITIONS):
        return True
    mine, theirs = content_words(one.governed), content_words(other.governed)
    if not mine or not theirs:
        return True
    shares = sorted((coverage(mine, other.governed), coverage(theirs, one.governed)))
    return shares[0] > 0 and shares[1] >= RELEVANT


def _stated(governed: str, other: str) -> bool:
    """Whether `other` states at least `RELEVANT` of the words of `governed`."""
    words = content_words(governed)
    return bool(words) and coverage(words, other) >= RELEVANT


@cache
def _default_lexicon() -> CueLexicon:
    return CueLexicon.from_file(CUES_FILE)


# ------------------------------------------------------------------------------------------------ clauses


@dataclass(frozen=True)
class Clause:
    """One provision of a source as a claim can rest on it: a list item carries the lead-in that introduces it."""

    lead: str
    item: str

    @property
    def text(self) -> str:
        return f"{self.lead} {self.item}" if self.lead else self.item


def label_rank(line: str) -> int:
    """0 for an unlabelled line, else how deep its label sits (numbered 1, lettered 2, dash 3)."""
    m = _LABEL.match(line)
    if m is None:
        return 0
    return next(_RANK[k] for k, v in m.groupdict().items() if v)


def letter_label(line: str) -> str | None:
    """The letter of a lettered list label ("đ) Tên loại" → "đ"), lower case; None for any other line.

    >>> letter_label("  Đ) Tên loại"), letter_label("2. Thể thức"), letter_label("Quốc hiệu")
    ('đ', None, None)
    """
    m = _LABEL.match(line)
    return m.group("letter")[:-1].lower() if m and m.group("letter") else None


def without_label(line: str) -> str:
    """The line without its list label ("a) Quốc hiệu" → "Quốc hiệu"): a label's letter is not a word of the law."""
    return _LABEL.sub("", line, count=1)


def clauses(text: str) -> list[Clause]:
    """`text` cut into provisions; an item under a lead-in ("… sau đây:") keeps it (and the lead-ins above that).

    >>> [c.text for c in clauses("1. Cấm các việc sau:\\na) Nói dối;\\nb) Trốn việc.\\n2. Được nghỉ.")][1:]
    ['1. Cấm các việc sau: a) Nói dối;', '1. Cấm các việc sau: b) Trốn việc.', '2. Được nghỉ.']
    >>> [c.lead for c in clauses("1. Cấm các việc sau:\\na) Nói dối. Khi say thì phạt;\\nb) Trốn việc.\\nLời kết.")][1:]
    ['1. Cấm các việc sau:', '1. Cấm các việc sau:', '1. Cấm các việc sau:', '']
    """
    out: list[Clause] = []
    leads: list[tuple[str, int]] = []  # the open lead-ins, outermost first, with their label ranks
    just_opened = False
    item_rank = 0  # the rank of the list item the last piece was (part of), 0 outside a list
    pieces = []
    carry = ""
    for piece in _SOURCE_SENTENCE.split(text):
        piece = f"{carry}{piece.strip()}"
        carry = ""
        if piece and _LABEL_ONLY.match(piece):
            carry = f"{piece} "  # "1." cut off by the sentence split: it labels what follows
        elif piece:
            pieces.append(piece)
    for n, piece in enumerate(pieces):
        rank = label_rank(piece)
        # An unlabelled line right after a lead-in continues it; one inside an item whose list goes on (the next
        # labelled line is an item of the same rank: "c) … chưa hồi phục. Khi sức khỏe … bình phục thì …;" then
        # "d) …") continues the item, and so does a lowercase one after its ";" — the last item's too ("3. Người lao
        # động nữ mang thai; người lao động đang nghỉ thai sản …", Điều 37 Bộ luật Lao động's end). Neither ends the
        # list; a closing paragraph after the last item does.
        goes_on = item_rank > 0 and (
            _next_rank(pieces, n + 1) == item_rank or (pieces[n - 1].endswith(";") and piece[:1].islower())
        )
        continues = rank == 0 and (just_opened or goes_on)
        if not continues:
            while leads and rank <= leads[-1][1]:
                leads.pop()  # a clause of a lead-in's own level (or above) ends its list
        out.append(Clause(" ".join(t for t, _ in leads), piece))
        item_rank = (rank or item_rank) if leads and (rank or continues) else 0
        just_opened = piece.endswith(":")
        if just_opened:
            leads.append((piece, rank))
    return out


def _next_rank(pieces: Sequence[str], start: int) -> int:
    """The label rank of the first labelled piece from `start` on (0: none)."""
    return next((r for p in pieces[start:] if (r := label_rank(p))), 0)


def present_words(text: str) -> frozenset[str]:
    """The words and syllables of `text`, to measure a claim's coverage against many times."""
    return frozenset(words_and_syllables(text))


def share(words: set[str], present: frozenset[str]) -> float:
    """`assistant.evidence.coverage` against words already found (`present_words`)."""
    if not words:
        return 0.0
    return covered(words, present) / len(words)
