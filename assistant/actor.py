"""Who acts in a rule: a claim must name the actor its supporting clause names, and answer the actor asked about.

Word overlap and polarity cannot tell "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng …" from "Viên
chức … có quyền đơn phương chấm dứt hợp đồng …": both state "đơn phương chấm dứt hợp đồng", neither negates it, and
the cases listed under them are different law. This module finds, for a predicate two texts share, the actor that
does it in each, and says when they differ:

- `ActorLexicon.conflict(claim, clause)`: the claim gives the clause's act to another actor (flagged, like a
  negation the claim drops);
- `ActorLexicon.off_question(question, claim)`: the question asks what one actor does ("Viên chức bị đơn vị …
  đơn phương chấm dứt hợp đồng trong trường hợp nào?") and the claim, true as it may be, says what another does
  ("Viên chức … có quyền đơn phương chấm dứt hợp đồng …"): it does not answer the question.

The actors are data (`assistant/data/actors_vi.tsv`, for a lawyer to review). The predicate is the longest run of
syllables both texts share, actors and punctuation excluded (`MIN_PREDICATE` syllables at least), for which both
texts name an actor. The actor of a predicate is the first actor of the stretch before it (from the last
punctuation, list label or "thì/nếu/khi/mà": a condition is not the subject), or, in a passive ("Viên chức bị đơn
vị … chấm dứt"), the actor right after "bị/được/do/bởi"; an actor named right after it ("người đứng đầu đơn vị")
or joined to it ("người lao động và người sử dụng lao động") acts with it. A subject that undergoes the act with no
actor named ("Viên chức bị đơn phương chấm dứt …") names none. Asked of a question, a rule no one does is compared by
the person it applies to, named after "đối với" or "của" ("Các hình thức kỷ luật đối với công chức"). Nothing is
claimed when either text names no actor for a shared predicate.

>>> actors = ActorLexicon.default()
>>> question = "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng trong trường hợp nào?"
>>> off = actors.off_question(question, "Viên chức có quyền đơn phương chấm dứt hợp đồng khi bị ngược đãi [1].")
>>> off.asked, off.predicate, off.said
('đơn vị sự nghiệp công lập', 'đơn phương chấm dứt hợp đồng', 'viên chức')
>>> clause = "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp:"
>>> actors.conflict("Đơn vị được đơn phương chấm dứt hợp đồng làm việc khi viên chức bị kỷ luật [1].", clause) is None
True
>>> print(actors.conflict("Viên chức được đơn phương chấm dứt hợp đồng [1].", clause))
the cited text says «đơn vị sự nghiệp công lập» does «được đơn phương chấm dứt hợp đồng»; the claim, «viên chức»

"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from core.text import contains_run, nfc, standard_spelling

ACTORS_FILE = Path(__file__).with_name("data") / "actors_vi.tsv"
# A shared run shorter than this is a word or two in common ("theo quy định"), not an act both texts state.
MIN_PREDICATE = 3
# Bounded work: a text longer than twice this many tokens keeps its first and its last EDGE (an actor and its act
# sit in one sentence: a lead-in's at the start, a list item's at the end); a 2,000-character question and a
# 40-item answer cost what a normal one does.
EDGE = 80

_TOKEN = re.compile(r"\w+|[,;:.!?()\[\]\n]")
_MARKER = re.compile(r"\[\d{1,2}\]")
_PUNCT = frozenset(",;:.!?()[]\n")
# A condition before these is not the subject: "Trường hợp viên chức ốm đau thì đơn vị không được …".
_CONDITION_END = frozenset({"thì", "nếu", "khi", "mà"})
# "Viên chức bị đơn vị … chấm dứt", "được cơ quan cử đi", "do người đứng đầu quyết định", "bởi tòa án".
_PASSIVE = frozenset({"bị", "được", "do", "bởi"})
_SIDES = ("person", "body", "any")
_COORDINATION = frozenset({"và", "hoặc", ",", "hay"})
# "X là Y" names one actor twice ("Người lao động là người nước ngoài làm việc tại Việt Nam …": the foreign worker).
_COPULA = frozenset({"là"})


@dataclass(frozen=True)
class Actor:
    """One identity of the lexicon: who it is, on which side of a rule it stands, and whether it is generic."""

    identity: str
    side: str
    generic: bool = False
    stage_of: frozenset[str] = frozenset()  # the identities this is a stage of ("người tập sự": viên chức, công chức)
    stage: tuple[str, ...] = ()  # the syllables that name the stage ("tập sự")

    def staged_as(self, other: Actor, tokens: Sequence[str]) -> bool:
        """Whether this stage actor is `other` in a text (`tokens`) that names `other` and the stage: "người tập
        sự" is the viên chức of "Trong thời gian tập sự, viên chức được hưởng …", not of "Viên chức được hưởng …"."""
        return other.identity in self.stage_of and contains_run(tokens, self.stage)

    @property
    def group(self) -> frozenset[str]:
        """The identities a generic actor names as a group ("cán bộ, công chức" → cán bộ, công chức); empty for
        one that names none ("cá nhân")."""
        parts = [p.strip() for p in self.identity.split(",")]
        return frozenset(parts) if self.generic and len(parts) > 1 else frozenset()

    def clashes(self, other: Actor) -> bool:
        """Whether the two cannot be the same actor (the lexicon file's header says when). A group is each of its
        members and no one else: "cán bộ, công chức" is not a viên chức (Luật Cán bộ, công chức's Điều 82, on
        what follows a discipline, was quoted for a viên chức's question, live)."""
        if self.identity == other.identity or "any" in (self.side, other.side):
            return False
        if self.side != other.side:
            return True
        for group, one in ((self, other), (other, self)):
            if group.group and not one.generic:
                return one.identity not in group.group
        return not (self.generic or other.generic)


@dataclass(frozen=True)
class Agent:
    """Who does a predicate in one text: the actor(s) named and the words that name them."""

    actors: frozenset[Actor]
    phrase: str

    def clashes(self, other: Agent) -> bool:
        return all(a.clashes(b) for a in self.actors for b in other.actors)

    def clashes_in(self, text: Sequence[str], other: Agent, other_text: Sequence[str]) -> bool:
        """`clashes`, unless one is a stage of the other and the text naming the other names the stage."""
        return self.clashes(other) and not any(
            a.staged_as(b, other_text) or b.staged_as(a, text) for a in self.actors for b in other.actors
        )


@dataclass(frozen=True)
class OffQuestion:
    """A claim about another actor's act than the one asked: who was asked about, the act, who the claim names."""

    asked: str
    predicate: str
    said: str

    template = "answer_retry_actor"  # the retry note that names both actors (assistant/prompts/)
    retried = "spoke of another actor"  # what the first answer did, in the retry's record

    @property
    def reason(self) -> str:
        return f"the question asks what «{self.asked}» does («{self.predicate}»); this says what «{self.said}» does"

    def fields(self) -> dict[str, str]:
        return {"asked": self.asked, "predicate": self.predicate, "said": self.said}


@dataclass(frozen=True)
class Clash:
    """A claim giving its clause's act to another actor: the act, the claim's actor, the clause's."""

    predicate: str
    mine: Agent
    theirs: Agent

    @property
    def conflict(self) -> str:
        """The reason a verification records."""
        return f"the cited text says «{self.theirs.phrase}» does «{self.predicate}»; the claim, «{self.mine.phrase}»"

    def off_question(self, asked: Actor) -> OffQuestion | None:
        """As an answer for another actor than `asked`, the person a question asks about: the claim gave `asked` the
        act the clause gives another — the clause answers for that other actor, not for `asked`."""
        return OffQuestion(self.mine.phrase, self.predicate, self.theirs.phrase) if asked in self.mine.actors else None


@dataclass(frozen=True)
class _Span:
    start: int
    end: int  # exclusive, in tokens
    actor: Actor


@dataclass(frozen=True)
class _Tokens:
    """A text as lowercased syllables and punctuation, with its actors found."""

    tokens: tuple[str, ...]
    actors: tuple[_Span, ...]

    def actor_at(self, i: int) -> _Span | None:
        return next((s for s in self.actors if s.start == i), None)

    def in_actor(self, i: int) -> bool:
        return any(s.start <= i < s.end for s in self.actors)

    def word(self, i: int) -> bool:
        """Whether token `i` can be part of a predicate (not punctuation, not inside an actor's name)."""
        return self.tokens[i] not in _PUNCT and not self.in_actor(i)


@dataclass(frozen=True)
class ActorLexicon:
    """The actor phrases and their identities; `default()` reads `assistant/data/actors_vi.tsv`."""

    phrases: tuple[tuple[tuple[str, ...], Actor], ...]
    _by_first: dict[str, list[tuple[tuple[str, ...], Actor]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.phrases:
            raise ValueError("an actor lexicon needs at least one phrase")
        by_first: dict[str, list[tuple[tuple[str, ...], Actor]]] = {}
        for syllables, actor in sorted(self.phrases, key=lambda p: len(p[0]), reverse=True):
            by_first.setdefault(syllables[0], []).append((syllables, actor))
        object.__setattr__(self, "_by_first", by_first)

    @classmethod
    def from_file(cls, path: Path) -> ActorLexicon:
        phrases: list[tuple[tuple[str, ...], Actor]] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) not in (3, 4) or not all(p.strip() for p in parts):
                raise ValueError(f"{path}:{n}: expected IDENTITY<TAB>SIDE<TAB>PHRASE[<TAB>STAGE OF], got {line!r}")
            identity, side, phrase = (p.strip() for p in parts[:3])
            generic = side.endswith("*")
            side = side.rstrip("*")
            if side not in _SIDES:
                raise ValueError(f"{path}:{n}: unknown side {side!r}; valid: {', '.join(_SIDES)} (with * if generic)")
            syllables = _syllables(phrase)
            stage_of = frozenset(nfc(x.strip()) for x in parts[3].split(",")) if len(parts) == 4 else frozenset()
            stage = (syllables[1:] if syllables[0] == "người" else syllables) if stage_of else ()
            if stage_of and not stage:
                raise ValueError(f"{path}:{n}: a stage actor's phrase must name its stage after «người»: {phrase!r}")
            phrases.append((syllables, Actor(nfc(identity), side, generic, stage_of, stage)))
        return cls(tuple(phrases))

    @classmethod
    def default(cls) -> ActorLexicon:
        return _default_lexicon()

    def conflict(
        self, claim: str, clause: str, applied_for: str | None = None, sentence: str | None = None
    ) -> str | None:
        """Why `claim` gives `clause`'s act to another actor (a reason for the verification record), or None.
        `applied_for`: the text of a clause that applies `clause`'s article to the persons it names ("Cán bộ, công
        chức được nghỉ … theo quy định của pháp luật về lao động"); a person of `clause` ("người lao động") then
        stands for them, and a claim naming them does not clash. `sentence`: the claim's own sentence, when `claim`
        is it with the answer's lead-in before it — whose subject is the one that opens the sentence
        (`_subject_act`).

        >>> actors = ActorLexicon.default()
        >>> code = "Người lao động được nghỉ việc riêng khi kết hôn: nghỉ 03 ngày."
        >>> claim = "Công chức được nghỉ việc riêng khi kết hôn [1] [2]."
        >>> actors.conflict(claim, code) is None
        False
        >>> actors.conflict(claim, code, "Công chức được nghỉ việc riêng theo quy định của pháp luật về lao động.")
        >>> actors.conflict(claim, code, "Viên chức được nghỉ việc riêng theo quy định của pháp luật về lao động.")
        'the cited text says «người lao động» does «được nghỉ việc riêng khi kết hôn»; the claim, «công chức»'
        """
        found = self.clash(claim, clause, applied_for, sentence)
        return None if found is None else found.conflict

    def clash(
        self, claim: str, clause: str, applied_for: str | None = None, sentence: str | None = None
    ) -> Clash | None:
        """`conflict`'s finding: the act, who the claim says does it and who the clause says does it."""
        tc, tl = self._tokens(claim), self._tokens(clause)
        found = [f for f in (self._agents(claim, clause), _subject_act(self._tokens(sentence or claim), tl)) if f]
        clashing = next((f for f in found if f[1].clashes_in(tc.tokens, f[2], tl.tokens)), None)
        if clashing is None:
            return None
        predicate, mine, theirs = clashing
        if applied_for is not None and all(a.side == "person" for a in theirs.actors | mine.actors):
            if all(self.names_person(applied_for, a) for a in mine.actors):
                return None
        return Clash(predicate, mine, theirs)

    def off_question(self, question: str, claim: str) -> OffQuestion | None:
        """How `claim` answers for another actor than the one `question` asks about, or None. Where neither names
        who acts ("Khi nào công chức bị buộc thôi việc?"), the one who undergoes the act is compared: live, that
        question was answered with what follows for a viên chức ("Viên chức bị xử lý kỷ luật buộc thôi việc thì
        không được hưởng chế độ thôi việc …"), shown as verified.

        >>> actors = ActorLexicon.default()
        >>> off = actors.off_question("Khi nào công chức bị buộc thôi việc?",
        ...                           "Viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng trợ cấp [1].")
        >>> off.asked, off.predicate, off.said
        ('công chức', 'buộc thôi việc', 'viên chức')
        >>> actors.off_question("Khi nào công chức bị buộc thôi việc?", "Công chức bị buộc thôi việc khi … [1].")
        """
        compared = self._compared(question, claim)
        if compared is None or not compared[3]:
            return None
        predicate, mine, asked, _ = compared
        return OffQuestion(asked.phrase, predicate, mine.phrase)

    def acts_as_asked(self, question: str, claim: str) -> bool:
        """Whether `claim` names, for an act it shares with `question`, the actor the question asks about — so what
        the claim says is theirs, whatever lead-in it stands under.

        >>> actors = ActorLexicon.default()
        >>> asked = "Viên chức được đơn phương chấm dứt hợp đồng khi nào?"
        >>> actors.acts_as_asked(asked, "- Viên chức có quyền đơn phương chấm dứt hợp đồng nhưng phải báo trước [1].")
        True
        >>> actors.acts_as_asked(asked, "a) Viên chức bị buộc thôi việc [1].")
        False
        """
        compared = self._compared(question, claim)
        return compared is not None and not compared[3]

    def _compared(self, question: str, claim: str) -> tuple[str, Agent, Agent, bool] | None:
        """The act `claim` shares with `question`, with the actor each names for it, and whether they clash; None
        when they share none for which both name one."""
        tq, tc = self._tokens(question), self._tokens(claim)
        found = (
            self._agents(claim, question)
            or _shared(tc, tq, _patient_of)
            or _undergone(tc, tq)
            or _shared(tc, tq, _applied_to)
        )
        if found is None:
            return None
        predicate, mine, asked = found
        return predicate, mine, asked, mine.clashes_in(tc.tokens, asked, tq.tokens)

    def off_source(self, question: str, claim: str, sources: Sequence[str]) -> OffQuestion | None:
        """How `claim` answers, from articles about another person, a question about one person: the question names
        one person (not a generic "cán bộ, công chức"), the claim does not name them, and every cited source
        (`sources`: text with its headings) never names them while naming another; the act is one of three syllables
        or more the claim shares with the question, else the question's words after the person (`_act_asked`).
        Live: "Khi nào công chức bị buộc thôi việc?" was answered from Nghị định 112/2020's article on viên chức;
        after its "Viên chức bị …" lines were withheld, "Trường hợp bị xử lý kỷ luật buộc thôi việc do tham nhũng …
        thì không được đăng ký dự tuyển …" (no subject of its own) remained.

        >>> actors = ActorLexicon.default()
        >>> source = "Điều 40. Viên chức bị buộc thôi việc\\nc) Viên chức bị buộc thôi việc được quyền dự tuyển."
        >>> off = actors.off_source("Khi nào công chức bị buộc thôi việc?",
        ...                         "Trường hợp bị buộc thôi việc do tham nhũng thì không được dự tuyển [1].", [source])
        >>> off.asked, off.predicate, off.said
        ('công chức', 'bị buộc thôi việc', 'viên chức')
        >>> actors.off_source("Khi nào công chức bị buộc thôi việc?", "- Nghiện ma túy [1].", [source]).predicate
        'bị buộc thôi việc'
        >>> actors.off_source("Khi nào viên chức bị buộc thôi việc?", "Bị buộc thôi việc thì … [1].", [source])
        """
        asked = self.person_asked(question)
        if asked is None or not sources:
            return None
        person, phrase = asked
        tq, tc = self._tokens(question), self._tokens(claim)
        if any(not person.clashes(s.actor) for s in tc.actors):
            return None
        others = [self.other_person(source, person) for source in sources]
        if any(other is None for other in others):
            return None
        run = next(iter(_common_runs(tc, tq)), None)
        # No act in common: still said only of another person (live: "- Nghiện ma túy [4]", a case of Điều 19 Nghị
        # định 112/2020 for a viên chức's dismissal, and "- Trường hợp người lao động bị xử lý kỷ luật lao động …" of
        # the labour code, shown verified for a công chức's dismissal and suspension): the act asked is the act.
        predicate = " ".join(run) if run else _act_asked(tq, person)
        return OffQuestion(phrase, predicate, str(others[0])) if predicate else None

    def other_subject(self, question: str, claim: str) -> OffQuestion | None:
        """How `claim`, opening with another person than the one `question` asks about and naming no one who may be
        them, speaks of that other person, even where it shares no act with the question: live, asked "Các hình
        thức kỷ luật đối với công chức là gì?", "Viên chức bị kỷ luật bằng một trong các hình thức quy định tại
        Điều này còn có thể bị hạn chế thực hiện hoạt động nghề nghiệp …" (Nghị định 112/2020, whose title names
        công chức too) went out verified after Điều 79's list. A stage of the person asked is them where the
        question names the stage (`Actor.staged_as`).

        >>> actors = ActorLexicon.default()
        >>> off = actors.other_subject("Các hình thức kỷ luật đối với công chức là gì?",
        ...                            "Viên chức bị kỷ luật còn có thể bị hạn chế hoạt động nghề nghiệp [2].")
        >>> off.asked, off.said
        ('công chức', 'viên chức')
        >>> actors.other_subject("Các hình thức kỷ luật đối với công chức là gì?",
        ...                      "Cán bộ, công chức bị kỷ luật thì không được nâng lương [1].")
        >>> actors.other_subject("Các hình thức kỷ luật đối với công chức là gì?",
        ...                      "Áp dụng đối với viên chức không giữ chức vụ quản lý [3]:").said
        'viên chức'
        >>> actors.other_subject("Các hình thức kỷ luật đối với công chức là gì?",
        ...                      "Người đứng đầu cơ quan quyết định kỷ luật viên chức [1].")
        """
        asked = self.person_asked(question)
        if asked is None:
            return None
        person, phrase = asked
        tc, tq = self._tokens(claim, whole=True), self._tokens(question, whole=True)
        subject = tc.actors[0] if tc.actors and _opens(tc, tc.actors[0]) else None
        if subject is None or subject.actor.side != "person" or subject.actor.generic:
            return None
        if any(not person.clashes(s.actor) or s.actor.staged_as(person, tq.tokens) for s in tc.actors):
            return None
        # the act: one the two share, else what the question asks of its person, else what the claim says of its own
        run = next(iter(_common_runs(tc, tq)), None)
        said = itertools.takewhile(lambda t: t not in _PUNCT, tc.tokens[subject.end : subject.end + _SUBJECT_ACT])
        act = " ".join(run) if run else _act_asked(tq, person) or " ".join(said)
        return OffQuestion(phrase, act, " ".join(tc.tokens[subject.start : subject.end]))

    def person_asked(self, question: str) -> tuple[Actor, str] | None:
        """The one person `question` asks about (not a generic "cán bộ, công chức") and the words naming them.

        >>> actors = ActorLexicon.default()
        >>> actors.person_asked("Công chức được nghỉ việc riêng khi kết hôn mấy ngày?")[1]
        'công chức'
        >>> actors.person_asked("Cán bộ, công chức được nghỉ mấy ngày?") is None
        True
        """
        tq = self._tokens(question)
        asked = [s for s in tq.actors if s.actor.side == "person" and not s.actor.generic]
        if len({s.actor.identity for s in asked}) != 1:
            return None
        return asked[0].actor, " ".join(tq.tokens[asked[0].start : asked[0].end])

    def other_person(self, source: str, person: Actor) -> str | None:
        """Who `source` (an article, whole) is about when it never names `person`: the first other person it names
        ("người lao động" in Bộ luật Lao động's articles, asked about a công chức); None when it names `person`, an
        actor that may be them, or no person at all."""
        ts = self._tokens(source, whole=True)  # a long article may name the person only in its middle
        if any(not person.clashes(s.actor) for s in ts.actors):
            return None
        named = next(
            (s for s in ts.actors if s.actor.side == "person" and (not s.actor.generic or s.actor.group)), None
        )
        return None if named is None else " ".join(ts.tokens[named.start : named.end])

    def only_others(self, text: str, person: Actor, asked: str = "") -> str | None:
        """Who `text` speaks of when it names actors and none of them can be `person`: the first it names ("đơn
        vị sự nghiệp công" in a quote given to decide whether a viên chức may found a company); None when it names
        no one, or someone who may be `person` (them, a group of them, "cá nhân", "cá nhân, tổ chức") — a stage of
        theirs too, where the question `asked` names the stage (`Actor.staged_as`: "người tập sự" is the viên chức
        asked about "… trong thời gian tập sự").

        >>> actors = ActorLexicon.default()
        >>> person, _ = actors.person_asked("Viên chức có được thành lập doanh nghiệp tư nhân không?")
        >>> actors.only_others("Đơn vị sự nghiệp công lập được thành lập doanh nghiệp.", person)
        'đơn vị sự nghiệp công lập'
        >>> actors.only_others("Cá nhân có quyền thành lập doanh nghiệp.", person) is None
        True
        >>> actors.only_others("Thời gian nghỉ không tính vào thời gian nghỉ việc riêng.", person) is None
        True
        >>> probation = "Trong thời gian tập sự, người tập sự được hưởng 85% mức lương bậc 1."
        >>> actors.only_others(probation, person), actors.only_others(probation, person, "Viên chức tập sự …")
        ('người tập sự', None)
        """
        ts = self._tokens(text, whole=True)
        stated = self._tokens(asked, whole=True).tokens if asked else ()
        if not ts.actors or any(not person.clashes(s.actor) or s.actor.staged_as(person, stated) for s in ts.actors):
            return None
        first = ts.actors[0]
        return " ".join(ts.tokens[first.start : first.end])

    def names_person(self, source: str, person: Actor) -> bool:
        """Whether `source` names `person` itself, or a group that includes them by name ("cán bộ, công chức" for a
        công chức) — not merely an actor that does not clash, such as a generic "cơ quan".

        >>> actors = ActorLexicon.default()
        >>> person, _ = actors.person_asked("Công chức được nghỉ mấy ngày?")
        >>> actors.names_person("Cán bộ, công chức được nghỉ hàng năm theo quy định của pháp luật về lao động.", person)
        True
        >>> actors.names_person("Viên chức được nghỉ hàng năm theo quy định của pháp luật về lao động.", person)
        False
        """
        own = _syllables(person.identity)
        ts = self._tokens(source, whole=True)
        return any(
            s.actor.identity == person.identity
            or (s.actor.generic and s.actor.side == person.side and contains_run(_syllables(s.actor.identity), own))
            for s in ts.actors
        )

    def without_persons(self, text: str) -> str:
        """`text` with the persons it names left out (lowercased syllables, tone marks placed the newer way): what
        is said of them. Only persons: "tổ chức" names a body or organising ("Tổ chức đình công").

        >>> ActorLexicon.default().without_persons("Cán bộ, công chức không được tiết lộ thông tin")
        'không được tiết lộ thông tin'
        >>> ActorLexicon.default().without_persons("Tổ chức đình công")
        'tổ chức đình công'
        """
        t = self._tokens(text, whole=True)
        persons = [s for s in t.actors if s.actor.side == "person"]
        return " ".join(
            tok
            for i, tok in enumerate(t.tokens)
            if tok not in _PUNCT and not any(s.start <= i < s.end for s in persons)
        )

    def names_a_person(self, text: str) -> bool:
        """Whether `text` names anyone a rule may be about (an actor of the "person" side, generic ones included).

        >>> ActorLexicon.default().names_a_person("Những việc cán bộ, công chức không được làm")
        True
        >>> ActorLexicon.default().names_a_person("Các hành vi bị nghiêm cấm")
        False
        """
        return any(s.actor.side == "person" for s in self._tokens(text, whole=True).actors)

    def identities(self, text: str) -> set[str]:
        """The identities of the actors `text` names anywhere.

        >>> sorted(ActorLexicon.default().identities("Thủ trưởng đơn vị sự nghiệp công lập kỷ luật viên chức"))
        ['người đứng đầu', 'viên chức', 'đơn vị']
        """
        return {s.actor.identity for s in self._tokens(text, whole=True).actors}

    def agent(self, text: str, predicate: str) -> Agent | None:
        """Who does `predicate` (its last mention) in `text`, if an actor is named for it.

        >>> ActorLexicon.default().agent("Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng",
        ...                              "đơn phương chấm dứt").phrase
        'đơn vị sự nghiệp công lập'
        """
        t, run = self._tokens(text), _syllables(predicate)
        return _agent_of(t, run)

    def _agents(self, a: str, b: str) -> tuple[str, Agent, Agent] | None:
        """The longest predicate `a` and `b` share for which both name an actor, with the two actors."""
        return _shared(self._tokens(a), self._tokens(b), _agent_of)

    @lru_cache(maxsize=256)  # noqa: B019 — the question and each clause are read once per sentence checked
    def _tokens(self, text: str, whole: bool = False) -> _Tokens:
        """`text`'s tokens and the actors named in them: its first and last `EDGE` tokens (who acts where), or with
        `whole` all of it (who a source names anywhere: one scan, as cheap per token as the cut)."""
        tokens = tuple(m.group(0).lower() for m in _TOKEN.finditer(_MARKER.sub(" ", standard_spelling(text))))
        if len(tokens) > 2 * EDGE and not whole:
            tokens = (*tokens[:EDGE], "\n", *tokens[-EDGE:])
        spans: list[_Span] = []
        i = 0
        while i < len(tokens):
            match = next(
                ((s, a) for s, a in self._by_first.get(tokens[i], []) if tokens[i : i + len(s)] == s),
                None,
            )
            if match is None:
                i += 1
                continue
            spans.append(_Span(i, i + len(match[0]), match[1]))
            i += len(match[0])
        return _Tokens(tokens, tuple(spans))


# Where a question's act ends and what it asks of it begins: "… bị tạm đình chỉ công tác | trong trường hợp nào?".
_QUESTION_TAIL = frozenset({"khi", "nếu", "trong", "bao", "như", "thế", "là", "nào", "gì", "không", "mấy", "ra", "sao"})


def _opens(t: _Tokens, span: _Span) -> bool:
    """Whether the actor at `span` is who `t` is about by its opening: named first (after a list label, at most
    `SUBJECT_AT` tokens in), or as whom its opening words apply to ("Áp dụng đối với viên chức …", "Quyền của công
    chức …": `_APPLIED_TO`, within `OPENING_AT` tokens)."""
    before = t.tokens[: span.start]
    applied = any(before[-len(end) :] == end for end in _APPLIED_TO)
    return len(before) <= SUBJECT_AT or (applied and len(before) <= OPENING_AT)


def _act_asked(t: _Tokens, person: Actor) -> str:
    """The words a question says of `person`, after naming them and before what it asks ("bị tạm đình chỉ công tác"
    of "Công chức bị tạm đình chỉ công tác trong trường hợp nào?"); "" when it names them last or not at all."""
    span = next((s for s in t.actors if s.actor.identity == person.identity), None)
    if span is None:
        return ""
    words: list[str] = []
    for token in t.tokens[span.end :]:
        if token in _QUESTION_TAIL or not token[0].isalnum():
            break
        words.append(token)
    return " ".join(words)


def _syllables(text: str) -> tuple[str, ...]:
    """The lowercased syllables of `text`, tone marks placed the newer way ("Uỷ ban" and "Ủy ban" name one actor).

    Not `core.text.folded_runs`: the syllables keep their diacritics (a folded "bo" would be "bộ", "bổ" and "bỏ"),
    and punctuation stays, each mark a token of its own, as in the `_tokens` that a phrase is looked for in.
    """
    return tuple(m.group(0).lower() for m in _TOKEN.finditer(standard_spelling(text)))


def _common_runs(a: _Tokens, b: _Tokens) -> Iterator[tuple[str, ...]]:
    """The runs of predicate words (`MIN_PREDICATE` or more) both texts share, longest first."""
    runs: dict[tuple[str, ...], int] = {}  # each run and where it ends in `a` (its last mention there)
    previous = [0] * (len(b.tokens) + 1)
    for i in range(1, len(a.tokens) + 1):
        current = [0] * (len(b.tokens) + 1)
        if a.word(i - 1):
            for j in range(1, len(b.tokens) + 1):
                if a.tokens[i - 1] == b.tokens[j - 1] and b.word(j - 1):
                    current[j] = previous[j - 1] + 1
                    n = current[j]
                    if n >= MIN_PREDICATE:
                        runs[a.tokens[i - n : i]] = i
        previous = current
    # a run inside a longer one is tried after it; among equals, the one that comes first in `a`
    yield from sorted(runs, key=lambda run: (-len(run), runs[run]))


def _shared(
    ta: _Tokens, tb: _Tokens, role: Callable[[_Tokens, tuple[str, ...]], Agent | None]
) -> tuple[str, Agent, Agent] | None:
    """The longest predicate two texts share for which both name an actor in `role`, with the two actors."""
    for run in _common_runs(ta, tb):
        in_a, in_b = role(ta, run), role(tb, run)
        if in_a is not None and in_b is not None:
            return " ".join(run), in_a, in_b
    return None


# What may stand between a subject and its act: "Người lao động được / có quyền / không được / phải …".
_BEFORE_ACT = frozenset({"được", "có", "quyền", "không", "phải", "cũng", "chỉ"})
SUBJECT_AT = 3  # tokens before a claim's first actor that may open it (a list label: "a", ")")
OPENING_AT = 8  # tokens before an actor that an opening naming whom it applies to may take ("1 . Áp dụng đối với")
_SUBJECT_ACT = 6  # syllables after a claim's subject that say, in a withheld claim's record, what it says of them


def _subject_act(claim: _Tokens, clause: _Tokens) -> tuple[str, Agent, Agent] | None:
    """The act of the claim's own subject — the actor it opens with, and the longest run of predicate words it
    shares with `clause` right after that actor and its "được / có quyền / không được / phải" — with the actor the
    clause names for it. `_shared` reads only the longest run the two share, and a claim that joins its subject's
    act to a sentence copied from the clause shares that sentence longest: live, "Người lao động được đơn phương
    chấm dứt hợp đồng lao động khi sức khỏe của người lao động bình phục thì người sử dụng lao động xem xét để tiếp
    tục giao kết …" was verified on Điểm b Khoản 1 Điều 36 Bộ luật Lao động, whose lead-in gives that act to
    "người sử dụng lao động" — its longest shared run, "xem xét để tiếp tục giao kết …", has the same actor in
    both. None when the claim opens with no actor or shares nothing there.

    >>> lex = ActorLexicon.default()
    >>> claim = lex._tokens("Người lao động được đơn phương chấm dứt hợp đồng khi bình phục thì được xem xét lại.")
    >>> clause = lex._tokens("Người sử dụng lao động có quyền đơn phương chấm dứt hợp đồng trong trường hợp: b) ốm"
    ...                      " đau. Khi bình phục thì được xem xét lại.")
    >>> predicate, mine, theirs = _subject_act(claim, clause)
    >>> predicate, mine.phrase, theirs.phrase
    ('đơn phương chấm dứt hợp đồng', 'người lao động', 'người sử dụng lao động')
    """
    subject = claim.actors[0] if claim.actors and claim.actors[0].start <= SUBJECT_AT else None
    if subject is None:
        return None
    at = subject.end
    while at < len(claim.tokens) and claim.tokens[at] in _BEFORE_ACT:
        at += 1
    for run in _common_runs(claim, clause):
        starts = [i for i in range(subject.end, at + 1) if claim.tokens[i : i + len(run)] == run]
        if not starts:
            continue
        mine, theirs = _agent_before(claim, starts[0]), _agent_of(clause, run)
        return (" ".join(run), mine, theirs) if mine is not None and theirs is not None else None
    return None


def _patient_of(t: _Tokens, run: tuple[str, ...]) -> Agent | None:
    """Who undergoes the last mention of `run` in `t` when no one is named to do it: the subject of "X bị …"
    ("Viên chức bị xử lý kỷ luật buộc thôi việc" → viên chức); None where an actor does it or none is named."""
    at = _last_mention(t, run)
    if at is None or _agent_before(t, at) is not None:
        return None
    start = _stretch_start(t, at)
    spans = [s for s in t.actors if start <= s.start and s.end <= at]
    if not spans or "bị" not in t.tokens[spans[0].end : at] or len(spans) > 1:
        return None
    subject = spans[0]
    return Agent(frozenset({subject.actor}), " ".join(t.tokens[subject.start : subject.end]))


# A shared run ending in these names whom the rule applies to, right after it: "Các hình thức kỷ luật đối với | viên
# chức", "Quyền của | công chức".
_APPLIED_TO = (("đối", "với"), ("của",))


def _applied_to(t: _Tokens, run: tuple[str, ...]) -> Agent | None:
    """The person(s) a rule applies to, named right after the last mention of `run` when it ends in "đối với" or
    "của" ("Các hình thức kỷ luật đối với công chức" → công chức; "đối với cán bộ, công chức" → both). Live: asked
    the forms of discipline for a viên chức, "- Các hình thức kỷ luật đối với công chức là [2]:" and two of its
    items went out verified: no one does "hình thức kỷ luật", and no one undergoes it as a subject."""
    if not any(run[-len(end) :] == end for end in _APPLIED_TO):
        return None
    at = _last_mention(t, run)
    span = None if at is None else t.actor_at(at + len(run))
    if span is None or span.actor.side != "person":
        return None
    return _persons_from(t, span)


def _persons_from(t: _Tokens, span: _Span) -> Agent:
    """The person named at `span` with those joined to it ("cán bộ, công chức, viên chức": all three)."""
    chosen = [span]
    while chosen[-1].end < len(t.tokens) and t.tokens[chosen[-1].end] in _COORDINATION:
        following = t.actor_at(chosen[-1].end + 1)
        if following is None or following.actor.side != "person":
            break
        chosen.append(following)
    phrase = " ".join(t.tokens[chosen[0].start : chosen[-1].end])
    return Agent(frozenset(s.actor for s in chosen), phrase)


# Words that make an act a noun ("việc tuyển dụng công chức"): the person after the act undergoes it.
_NOMINAL = frozenset({"việc"})
# "Viên chức được tuyển dụng": the person before these undergoes the act after them (not "do"/"bởi", which name who
# acts and are in _PASSIVE).
_UNDERGOES = frozenset({"được", "bị"})
NOMINAL_MAX = 4  # syllables of an act between "việc" and its person


def _undergone(claim: _Tokens, question: _Tokens) -> tuple[str, Agent, Agent] | None:
    """An act the claim names as a noun, undergone by a person ("Việc tuyển dụng công chức được thực hiện …"), that
    the question's person undergoes ("Viên chức được tuyển dụng …", "Việc tuyển dụng viên chức …"): the act and the
    two persons. Live: asked how a viên chức is recruited, "- Việc tuyển dụng công chức được thực hiện thông qua
    thi tuyển …" (Luật Cán bộ, công chức) went out verified: its act is two syllables, and no one does it."""
    for span in claim.actors:
        run = _nominal_act(claim, span)
        if run is None:
            continue
        asked = _nominal_undergoer(question, run) or _passive_subject(question, run)
        if asked is not None:
            return " ".join(run), _persons_from(claim, span), asked
    return None


def _nominal_act(t: _Tokens, span: _Span) -> tuple[str, ...] | None:
    """The act before a person's name that a nominalising "việc" opens ("việc tuyển dụng | công chức")."""
    if span.actor.side != "person":
        return None
    for start in range(span.start - 1, max(span.start - NOMINAL_MAX - 1, 0) - 1, -1):
        if t.tokens[start] in _NOMINAL:
            return t.tokens[start + 1 : span.start] if start + 1 < span.start else None
        if not t.word(start):
            return None
    return None


def _nominal_undergoer(t: _Tokens, run: tuple[str, ...]) -> Agent | None:
    """The person right after "việc <run>" in `t`."""
    for span in t.actors:
        if _nominal_act(t, span) == run:
            return Agent(frozenset({span.actor}), " ".join(t.tokens[span.start : span.end]))
    return None


def _passive_subject(t: _Tokens, run: tuple[str, ...]) -> Agent | None:
    """The person right before "được <run>" / "bị <run>" in `t` ("Viên chức được tuyển dụng" → viên chức)."""
    at = _last_mention(t, run)
    if at is None or at < 2 or t.tokens[at - 1] not in _UNDERGOES:
        return None
    span = next((s for s in t.actors if s.end == at - 1 and s.actor.side == "person"), None)
    return None if span is None else Agent(frozenset({span.actor}), " ".join(t.tokens[span.start : span.end]))


def _agent_of(t: _Tokens, run: tuple[str, ...]) -> Agent | None:
    """The actor of the last mention of `run` in `t`, if `run` is there and an actor is named for it."""
    at = _last_mention(t, run)
    return None if at is None else _agent_before(t, at)


def _last_mention(t: _Tokens, run: tuple[str, ...]) -> int | None:
    """Where the last mention of `run` in `t` starts, if it is there."""
    n = len(run)
    return next((i for i in range(len(t.tokens) - n, -1, -1) if t.tokens[i : i + n] == run), None)


def _stretch_start(t: _Tokens, at: int) -> int:
    """Where the stretch before token `at` starts: after the last punctuation or "thì/nếu/khi/mà" (a condition is
    not the subject)."""
    start = at
    while start > 0:
        prev = t.tokens[start - 1]
        if (prev in _PUNCT or prev in _CONDITION_END) and not t.in_actor(start - 1):
            break
        start -= 1
    return start


def _agent_before(t: _Tokens, at: int) -> Agent | None:
    """The actor of the predicate that starts at token `at` (module docstring), if one is named."""
    start = _stretch_start(t, at)
    spans = [s for s in t.actors if start <= s.start and s.end <= at]
    if not spans:
        return None
    subject = spans[0]
    for span in spans[1:]:
        if t.tokens[span.start - 1] in _PASSIVE and span.start - 1 >= subject.end:
            subject = span  # "Viên chức bị đơn vị … chấm dứt": the unit acts
    if subject is spans[0] and "bị" in t.tokens[subject.end : at]:
        return None  # "Viên chức không bị đơn phương chấm dứt …": the viên chức undergoes it; who acts is unsaid
    chosen = [subject]
    while True:
        last = chosen[-1]
        # "người đứng đầu đơn vị sự nghiệp công lập": the head acts for the unit; "người lao động và người sử dụng
        # lao động có quyền …": both act; "người lao động là người nước ngoài …": one actor, named twice
        joined = last.end < at and t.tokens[last.end] in _COORDINATION | _COPULA
        following = t.actor_at(last.end + 1 if joined else last.end)
        if following is None or following.end > at:
            break
        chosen.append(following)
    phrase = " ".join(t.tokens[chosen[0].start : chosen[-1].end])
    return Agent(frozenset(s.actor for s in chosen), phrase)


@cache
def _default_lexicon() -> ActorLexicon:
    return ActorLexicon.from_file(ACTORS_FILE)
