"""What the model reads: whole articles within a character budget, not the best chunk of each.

Search ranks articles by their best chunk (index/search.py), but a rule is rarely all in one chunk: asked when a
unit may end a viên chức's contract, the best chunk of Điều 29 was Khoản 3 (when it may NOT) and Khoản 1 — the
answer — was never shown to the model. So each ranked article is put back together from its chunks
(`Searcher.article`, under the reader's filters) and the budget (`Settings.context_chars`) is spent like this:

1. The first `reserved` (3) ranked articles are sure of the chunk search found in each (while they fit), with the
   chunk that opens its clause when it starts inside the clause's list (`with_lead_in`: an item's lead-in says who
   may, or may not, do it): the
   top hit is not always the governing article — BM25 can rank a long circular that shares the question's words
   above the law's article — so the runners-up keep their place. For a question asking who, one of them titled
   for the power it names ("Thẩm quyền …", `_titled_first`) becomes the first.
2. In rank order, each of them is made whole when what is left of the budget holds it — the first also when it
   would without the third, which then gives way (fewer, complete articles rather than fragments), unless the
   third's document has the higher legal force (`legal_force`: a law's article found third after two circulars'
   is the governing one) or it is another text of an article chosen (`_give_way`). Three found chunks left no
   room for the rest of the first article, and the model read its found clause beside two fragments of others
   (live: the tập sự pay question got Khoản 3-5 of Điều 23 NĐ 115/2020 — the bonuses, not Khoản 1's 85 % —
   beside a circular's pay-grading clause, and answered "Có." on that clause). On the 563 ALQAC dev questions
   (bm25) the gold article reached the model whole for 443 instead of 412; it left the prompt for 1 (the third
   fragment).
3. Those still cut get more of their clauses with what is left: the clauses the question names ("khoản 2 Điều
   29") first, then the found chunk — or, when another names more of the question's words (`naming_more`: the
   thời hiệu clause, where search found the thời hạn one), that one —, then the others in text order, while they
   fit — given to the model in text order, one source per run of contiguous text.
4. Further articles join whole when what is left holds them, or not at all (fewer, complete articles rather than
   fragments), up to `max_sources` articles.
5. A follow-up (`previous` = the sources the previous question's prompt held, in its order) keeps them first,
   unchanged — the longest run of them from the start whose articles the follow-up's own search also finds — and
   adds its own articles after them, by steps 1-4 within what they leave of the budget (its best article's found
   chunk at least, unless the previous sources hold that article). When they hold it only in part, the clauses
   they cut come first (`_rest`; the first of them even over the budget): the previous prompt of the tập sự pay
   follow-up held Khoản 3-5 of the pay article (bonuses, the guide's allowance), the follow-up's search found that
   article first, and Khoản 1 (85 % of the first step) never reached the model, which answered with Khoản 5's
   words (refused). The prompt then starts with the same
   system prompt and the same source blocks as the previous one, and llama.cpp reuses that prefix instead of
   reading it again (bench/assistant.py measures the time to first token). A follow-up usually asks about the
   same rule ("Khi đó phải báo trước bao nhiêu ngày?"), and what the model already read costs almost nothing.

A source keeps the identity (`chunk_id`, score, ranks) of the chunk search found, so follow-up references
(assistant/references.py) and the audit still name what was retrieved; its text, offsets, anchor and citation are
the article's (or the run's). Offsets stay exact: the text between two chunks of an article is whitespace, and it
is filled with the same number of line breaks.

>>> ContextBudget(3600).reserved
3
>>> sorted(named_clauses("Khoản 2 và khoản 3 Điều 29 quy định gì?"))
['2', '3']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from assistant.clauses import anchor_for, article_title
from assistant.who import titled_for_power
from core.text import contains_run, content_syllables, folded_runs, folded_words, run_starts
from index.search import Hit
from index.store import Filters
from ingest.metadata import legal_force
from ingest.model import Citation

# Chunks of one article are separated by whitespace only; a larger gap means they are not one run of text.
_MAX_GAP = 8
_NAMED_CLAUSE = re.compile(r"\bkhoản\s+(\d+[a-zđ]?)", re.IGNORECASE)
_CLAUSE_RANGE = re.compile(r"^(\d+[a-zđ]?)(?:\s*[-–]\s*(\d+[a-zđ]?))?$")


class ArticleReader(Protocol):
    """What the context needs of search: an article's chunks under the reader's filters (`Searcher.article`)."""

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = ...) -> list[Hit]: ...


@dataclass(frozen=True)
class ContextBudget:
    """How much source text one prompt may hold (characters), how many articles at most, and how many of the first
    ranked articles are sure of a place (the chunk search found of each, when they fit)."""

    chars: int
    max_sources: int = 6
    reserved: int = 3


def named_clauses(question: str) -> set[str]:
    """The clause numbers the question names ("khoản 2" → "2")."""
    return {m.group(1).lower() for m in _NAMED_CLAUSE.finditer(question)}


def _clause_numbers(citation: Citation) -> set[str]:
    """The clauses a chunk cites: "2" → {"2"}, "2-4" → {"2", "3", "4"}."""
    if not citation.clause:
        return set()
    m = _CLAUSE_RANGE.match(citation.clause.strip())
    if m is None:
        return {citation.clause.strip().lower()}
    lo, hi = m.group(1), m.group(2)
    if hi is None or not (lo.isdigit() and hi.isdigit()):
        return {lo.lower()} | ({hi.lower()} if hi else set())
    return {str(n) for n in range(int(lo), int(hi) + 1)}


def runs(chunks: Sequence[Hit]) -> list[list[Hit]]:
    """The chunks (in text order) cut into runs of contiguous text."""
    out: list[list[Hit]] = []
    for c in chunks:
        if out and 0 <= c.start - out[-1][-1].end <= _MAX_GAP:
            out[-1].append(c)
        else:
            out.append([c])
    return out


def joined(found: Hit, run: Sequence[Hit], whole: bool) -> Hit:
    """One source made of a contiguous run of chunks, keeping `found`'s identity and ranking; `whole` when the run
    is the entire article (then it is cited as the article, else as the clauses it spans)."""
    first, last = run[0], run[-1]
    parts = [first.text]
    for prev, c in zip(run, run[1:], strict=False):
        parts.append("\n" * (c.start - prev.end))
        parts.append(c.text)
    text = "".join(parts)
    if len(run) == 1 and not whole:
        return replace(
            found, text=first.text, start=first.start, end=first.end, citation=first.citation, anchor=first.anchor
        )
    citation = replace(found.citation, clause=None if whole else _clause_span(run), point=None)
    # "Khoản 2-4 Điều 29 Luật …" → "Điều 29 Luật …" whole, "Khoản 1-4 Điều 29 Luật …" for a run (a plan's "Mục"
    # keeps its own name: its runs are cited as the section)
    anchor = anchor_for(found.anchor, None, None)
    if citation.clause and anchor.startswith("Điều "):
        anchor = anchor_for(found.anchor, citation.clause, None)
    heading = _common_prefix([c.heading_path for c in run])
    return replace(
        found, text=text, start=first.start, end=last.end, citation=citation, anchor=anchor, heading_path=heading
    )


def _clause_span(run: Sequence[Hit]) -> str | None:
    """The clauses a run of chunks cites, first to last ("1" and "2-4" → "1-4")."""
    clauses = [c.citation.clause for c in run if c.citation.clause]
    if not clauses:
        return None
    if clauses[0] == clauses[-1]:
        return clauses[0]
    return f"{clauses[0].split('-')[0]}-{clauses[-1].split('-')[-1]}"


def _common_prefix(paths: Sequence[list[str]]) -> list[str]:
    out: list[str] = []
    for items in zip(*paths, strict=False):
        if any(x != items[0] for x in items):
            break
        out.append(items[0])
    return out


def _outranks(one: _Chosen, other: _Chosen) -> bool:
    """Whether `one`'s document has a higher legal force than `other`'s (a law's article over a circular's); False
    where either's number names no type that can be compared."""
    a, b = legal_force(one.hit.citation.document), legal_force(other.hit.citation.document)
    return a is not None and b is not None and a < b


# Step 2 gives way the last of exactly this many sure articles (`ContextBudget.reserved`'s default): never one more
# article was reserved for (an applied or the person's own rule, `Assistant._context`), never one of two.
_EVICTING = 3


def _give_way(chosen: list[_Chosen], used: int, chars: int, sure: int) -> int:
    """Step 2's exception (module docstring): drops the third of the `sure` articles `chosen` when that alone lets
    the first be made whole within `chars` (`used` so far), the third's document has no higher legal force, and it
    is no other text of an article chosen (searched over every version, the original beside the consolidated text
    is what the reader compares: the one in force is never dropped for a superseded one made whole); the
    characters it freed (0 when none)."""
    if not sure == len(chosen) == _EVICTING or not chosen[0].whole:
        return 0
    first, last = chosen[0], chosen[-1]
    if any(c.hit.article_key == last.hit.article_key for c in chosen[:-1]):
        return 0
    over = used - first.size + _span(first.chunks) - chars
    if over <= 0 or over > last.size or used - first.size + _size(first.chunks) <= chars or _outranks(last, first):
        return 0  # (it fits already; it would not; or step 3 gives it every clause, the spaces between them aside)
    chosen.remove(last)
    return last.size


def _titled_first(query: str, chosen: list[_Chosen]) -> None:
    """Moves first the first of `chosen` titled for the power a question asking who names (`who.titled_for_power`:
    "Thẩm quyền …"), unless the first already is: that article is the one that answers, and the first is made
    whole (step 2) and read first. Live, "Ai có thẩm quyền quyết định kỷ luật viên chức?" found first Khoản 4 Điều
    40 Nghị định 112/2020 ("Các quy định liên quan sau khi có quyết định kỷ luật …") and second Điều 31 ("Thẩm
    quyền xử lý kỷ luật đối với viên chức") by its Khoản 3-4; the first was made whole and left no room for Khoản
    1-2, which name who decides: the answer named no authority. On the 563 ALQAC dev questions (bm25) it moves one
    article first, the competence article of Luật Hôn nhân và gia đình before the gold one, which stays in the
    prompt; a title opening on any word a who-question names would have moved fifteen, the gold article from
    first place in twelve of them.
    """
    if not chosen or titled_for_power(article_title(chosen[0].hit), query):
        return
    titled = next((c for c in chosen[1:] if titled_for_power(article_title(c.hit), query)), None)
    if titled is not None:
        chosen.remove(titled)
        chosen.insert(0, titled)


def _span(run: Sequence[Hit]) -> int:
    return run[-1].end - run[0].start


def _size(chunks: Sequence[Hit]) -> int:
    return sum(c.end - c.start for c in chunks)


@dataclass
class _Chosen:
    """One article of the context: its hit, all its chunks, and the chunks it gives the model."""

    hit: Hit
    chunks: list[Hit]
    parts: list[Hit]

    @property
    def whole(self) -> bool:
        return len(runs(self.chunks)) == 1

    @property
    def size(self) -> int:
        return _size(self.parts)

    def sources(self) -> list[Hit]:
        """The article whole, or one source per run of contiguous chunks it gives, in text order."""
        if self.whole and len(self.parts) == len(self.chunks):
            return [joined(self.hit, self.chunks, whole=True)]
        return [joined(self.hit, run, whole=False) for run in runs(self.parts)]


@dataclass
class ContextBuilder:
    """Chooses the text of each source within the budget (module docstring)."""

    reader: ArticleReader
    budget: ContextBudget

    def pick(
        self, query: str, hits: Sequence[Hit], filters: Filters | None = None, previous: Sequence[Hit] = ()
    ) -> list[Hit]:
        """The sources, in prompt order, for `query` from the ranked article-level `hits` (module docstring)."""
        found = {_key(h) for h in hits}
        kept: list[Hit] = []
        for source in previous:  # 5. a follow-up: the previous prompt's sources, while the new search finds them
            if _key(source) not in found:
                break
            kept.append(source)
        taken = {_key(h) for h in kept}
        fresh = [h for h in hits if _key(h) not in taken]
        if not kept:
            return self._fresh(query, fresh, filters, self.budget)
        # What the previous sources leave of the budget; the follow-up's best article joins even when nothing is
        # left: the clauses of it they cut, when they hold it in part, else its found chunk.
        room = max(0, self.budget.chars - sum(len(h.text) for h in kept))
        held = bool(hits) and _key(hits[0]) in taken
        rest = self._rest(query, hits[0], kept, filters, room) if held else []
        room = max(0, room - sum(len(h.text) for h in rest))
        return kept + rest + self._fresh(query, fresh, filters, replace(self.budget, chars=room), first_sure=not held)

    def _rest(self, query: str, hit: Hit, kept: Sequence[Hit], filters: Filters | None, room: int) -> list[Hit]:
        """The clauses of `hit`'s article that the kept sources cut off, within `room` (the first of them always, a
        chunk over it at most) — the ones the question names first, then in text order —, one source per run: a
        follow-up whose best article the previous prompt held only in part ("Khoản 3-5 Điều 23", the tập sự
        article's bonuses) reads the rest of it ("Khoản 1", the pay) after the kept sources, which stay unchanged."""
        spans = [(h.start, h.end) for h in kept if _key(h) == _key(hit)]
        chunks = self.reader.article(hit, filters)
        cut = [c for c in chunks if not any(lo <= c.start and c.end <= hi for lo, hi in spans)]
        return [joined(hit, run, whole=False) for run in runs(_take(_named_first(query, cut) + cut, room))]

    def _fresh(
        self, query: str, hits: Sequence[Hit], filters: Filters | None, budget: ContextBudget, first_sure: bool = True
    ) -> list[Hit]:
        chosen: list[_Chosen] = []
        used = 0
        sure = min(budget.reserved, budget.max_sources)
        for hit in hits[:sure]:  # 1. the chunk search found of each of the first articles (with its lead-in)
            chunks = self.reader.article(hit, filters)
            found = next((c for c in chunks if c.chunk_id == hit.chunk_id), hit)
            unit = with_lead_in(found, chunks)
            size = _size(unit)
            if (chosen or not first_sure) and used + size > budget.chars:
                break
            chosen.append(_Chosen(hit, chunks, unit))
            used += size
        _titled_first(query, chosen)  # 1. the article named for what a who-question asks, first
        used -= _give_way(chosen, used, budget.chars, sure)  # 2. the first whole rather than three fragments
        for c in chosen:  # 2. in rank order, each made whole when what is left holds it
            if c.whole and used - c.size + _span(c.chunks) <= budget.chars:
                used += _span(c.chunks) - c.size
                c.parts = list(c.chunks)
        for c in chosen:  # 3. those still cut get more of their clauses with what is left
            if len(c.parts) < len(c.chunks):
                wanted = self._selection(query, c.hit, c.chunks, budget.chars - (used - c.size))
                used += sum(x.end - x.start for x in wanted) - c.size
                c.parts = wanted
        for hit in hits[sure:]:  # 4. further articles, whole or not at all
            if len(chosen) >= budget.max_sources:
                break
            chunks = self.reader.article(hit, filters)
            if len(runs(chunks)) == 1 and used + _span(chunks) <= budget.chars:
                chosen.append(_Chosen(hit, chunks, list(chunks)))
                used += _span(chunks)
        return [source for c in chosen for source in c.sources()]

    def fit(self, query: str, hit: Hit, filters: Filters | None, room: int) -> Hit:
        """`hit`'s article within `room` characters: whole when it fits, else the run of its clauses around the
        chunk search found (that chunk at least) — for an article that joins on its own (a followed reference)."""
        chunks = self.reader.article(hit, filters)
        if len(runs(chunks)) == 1 and _span(chunks) <= room:
            return joined(hit, chunks, whole=True)
        found = next((c for c in chunks if c.chunk_id == hit.chunk_id), None)
        if found is None:
            return hit
        run_of = next(r for r in runs(chunks) if found in r)
        lo = hi = run_of.index(found)
        while hi + 1 < len(run_of) and _span(run_of[lo : hi + 2]) <= room:
            hi += 1
        while lo > 0 and _span(run_of[lo - 1 : hi + 1]) <= room:
            lo -= 1
        return joined(hit, run_of[lo : hi + 1], whole=False)

    @staticmethod
    def _selection(query: str, hit: Hit, chunks: list[Hit], room: int) -> list[Hit]:
        """The article's chunks that fit in `room`, taken in this order — the clauses the question names, the chunk
        search found (with its lead-in) or, in its place, the one naming more of the question's words (`naming_more`,
        where the question names no clause by number), then the rest in text order — in text order. That chunk and
        its lead-in are always in, even over the room."""
        found = next((c for c in chunks if c.chunk_id == hit.chunk_id), None)
        if found is None:
            return [hit]
        named = _named_first(query, chunks)
        unit = with_lead_in((None if named else naming_more(query, found, chunks)) or found, chunks)
        return _take([*named, *unit, found, *chunks], room, always=unit)


def _named_first(query: str, chunks: Sequence[Hit]) -> list[Hit]:
    """The chunks that cite a clause the question names ("khoản 2"), in text order."""
    named = named_clauses(query)
    return [c for c in chunks if named & _clause_numbers(c.citation)]


def naming_more(query: str, found: Hit, chunks: Sequence[Hit]) -> Hit | None:
    """The chunk of the article that names the most of the question's words (pyvi content words, diacritics
    folded: "thời_hiệu" is not the "hiệu" of "dấu_hiệu") — of chunks naming as many, one with a line that says what
    the question asks of whom it asks it (`says_as_asked`) — when that is more than the found chunk (the first of
    equals); None when none is. Live: "Thời hiệu xử lý kỷ luật viên chức là bao lâu?" found Khoản 3-4 of Điều 53
    Luật Viên chức, the thời hạn; Khoản 1-2, the thời hiệu, names it. The issue's own question, "Đơn vị sự nghiệp
    công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong trường hợp nào?", found Khoản 2-4 of
    Điều 29 — the notice, when the unit may NOT, and the viên chức's own right — which names every word of it as
    Khoản 1, "Đơn vị sự nghiệp công lập được đơn phương chấm dứt …", does; the budget held one of them, and it was
    the found one."""
    asked = folded_words(query)
    claim = asked_claim(query)

    def naming(chunk: Hit) -> tuple[int, bool]:
        return len(asked & folded_words(chunk.text)), claim is not None and says_as_asked(chunk.text, *claim)

    best, most = None, naming(found)
    for c in chunks:
        named = naming(c) if c is not found else (0, False)
        if named > most:
            best, most = c, named
    return best


# The words that say what someone may, must or may not do: the question's subject is before them, its act after.
_MODAL = re.compile(r"(?i)(?<!\w)(?P<no>không\s+)?(?P<modal>được|phải|có\s+quyền)(?!\w)")


def opens_on_modal(text: str, grant_only: bool = False) -> bool:
    """Whether `text` (a provision without its label) opens on what may, must or may not be done (`_MODAL`): "Được
    góp vốn …", "Không được …", "Phải …"; with `grant_only`, on a grant — "được" or "có quyền", not negated. The one
    reading of it: assistant/references.py asks it of a provision under an article titled for the person,
    assistant/closed.py (`grant_only`) of a line whose article title says whose right it is.

    >>> opens_on_modal("Được góp vốn nhưng không tham gia quản lý"), opens_on_modal("Không được thành lập")
    (True, True)
    >>> opens_on_modal("Không được thành lập", grant_only=True), opens_on_modal("Phải báo trước", grant_only=True)
    (False, False)
    >>> opens_on_modal("Có quyền đình công", grant_only=True), opens_on_modal("Viên chức được góp vốn")
    (True, False)
    """
    opening = _MODAL.match(text)
    if opening is None:
        return False
    return not grant_only or (opening["no"] is None and opening["modal"].casefold() != "phải")


_NEGATION_SPAN = 3  # syllables before an act in which a "không" negates it ("không được", "không có quyền")
# Words that only carry the act after a modal ("không được thực hiện quyền đơn phương chấm dứt …", Điều 37 Bộ luật
# Lao động): a negation before them negates the act after them. Folded syllables, longest first.
_CARRIERS = (("thuc", "hien", "quyen"), ("thuc", "hien", "viec"), ("thuc", "hien"), ("tien", "hanh"))
_PIECE = re.compile(r"[\n,;:]|\.(?!\d)")


class Subject(frozenset[str]):
    """Whom a question asks about: the content syllables of its subject, and `head`, the first two syllables of its
    last part (after its last comma, "các" / "những" / "mọi" aside), folded, in order. The syllables alone do not
    tell the worker from the employer: "người sử dụng lao động" holds every content syllable of "người lao động"
    ("người" is a function word), not its "người lao" (live, the employer's right to end a contract was quoted for
    "Người lao động có được đơn phương chấm dứt hợp đồng lao động không?" and the answer refused as about
    someone else)."""

    head: tuple[str, ...]

    def __new__(cls, syllables: Iterable[str], head: Sequence[str] = ()) -> Subject:
        self = super().__new__(cls, syllables)
        self.head = tuple(head)
        return self

    @classmethod
    def of(cls, text: str) -> Subject:
        """The subject `text` names.

        >>> Subject.of("Người lao động").head, Subject.of("Cán bộ, công chức").head, Subject.of("Các cơ quan").head
        (('nguoi', 'lao'), ('cong', 'chuc'), ('co', 'quan'))
        """
        last = folded_runs(text.rsplit(",", 1)[-1])
        while last and last[0] in _DETERMINERS:
            last = last[1:]
        return cls(content_syllables(text), last[:2])

    def named_in(self, runs: Sequence[str]) -> bool:
        """Whether `runs` (folded syllables) name this subject: all its syllables, and its head in order.

        >>> worker = Subject.of("Người lao động")
        >>> worker.named_in(folded_runs("người sử dụng lao động")), worker.named_in(folded_runs("người lao động nữ"))
        (False, True)
        """
        return self <= set(runs) and (not self.head or contains_run(runs, list(self.head)))


_DETERMINERS = frozenset({"cac", "nhung", "moi"})


@lru_cache(maxsize=64)  # a question is read once per claim checked (`verify._forbidden_asked_act`)
def asked_claim(query: str) -> tuple[Subject, tuple[str, ...], bool] | None:
    """What a question asks of whom: its subject (the words before "được" / "phải" / "có quyền": `Subject`), the
    first two syllables of the act after them (folded), and whether it asks what may NOT be done; None for a
    question without such words or subject.

    >>> subject, act, negative = asked_claim("Viên chức được đơn phương chấm dứt hợp đồng khi nào?")
    >>> sorted(subject), subject.head, act, negative
    (['chuc', 'vien'], ('vien', 'chuc'), ('don', 'phuong'), False)
    """
    m = _MODAL.search(query)
    if m is None:
        return None
    subject = Subject.of(_ASKED_FIRST.sub("", query[: m.start()]))
    act = tuple(_act_runs(query[m.end() :])[:2])
    return (subject, act, m["no"] is not None) if subject and len(act) == 2 else None


def _names(subject: frozenset[str], runs: Sequence[str]) -> bool:
    """Whether `runs` name `subject`: a `Subject` by its syllables and head, a bare set by its syllables."""
    return subject.named_in(runs) if isinstance(subject, Subject) else subject <= set(runs)


# What a question may ask before its subject: "Khi nào người lao động …" asks about the worker, not "khi".
_ASKED_FIRST = re.compile(
    r"(?i)^\W*(?:khi\s+nào|lúc\s+nào|bao\s+giờ|(?:trong\s+)?(?:những\s+|các\s+)?trường\s+hợp\s+nào)\W*"
)


def forbidden_asked(query: str) -> str | None:
    """The act a question asks the cases of as NOT allowed, as it writes it with its negation ("không được từ
    chối"): the negated modal and the two words after it; None for a question that asks no such thing.

    >>> forbidden_asked("Khi nào người lao động không được từ chối làm thêm giờ?")
    'không được từ chối'
    >>> forbidden_asked("Khi nào người lao động được làm thêm giờ?") is None
    True
    """
    m = _MODAL.search(query)
    if m is None or m["no"] is None or asked_claim(query) is None:
        return None
    act = re.match(r"\s*(\w+)\s+(\w+)", query[m.end() :])
    return f"{' '.join(m[0].split())} {act[1]} {act[2]}" if act else None


def states_act(text: str, act: tuple[str, ...]) -> bool:
    """Whether `text` says what may, must or may not be done of `act` (folded syllables, `asked_claim`'s): the act
    right after "được", "phải" or "có quyền". "2. Được ký hợp đồng vụ, việc với …" states "ký hợp đồng"; "… phải ký
    kết hợp đồng làm việc mới …" states "ký kết", and "… tham gia ký hợp đồng" states nothing.

    >>> states_act("2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác", ("ky", "hop"))
    True
    >>> states_act("… nhưng phải ký kết hợp đồng làm việc mới", ("ky", "hop"))
    False
    """
    return any(tuple(_act_runs(text[m.end() :])[: len(act)]) == act for m in _MODAL.finditer(text))


def _act_runs(after_modal: str) -> list[str]:
    """The folded syllables of the act a modal gives, from the text after it: the words that only carry it
    (`_CARRIERS`: "thực hiện quyền …") skipped."""
    runs = folded_runs(after_modal)
    for words in _CARRIERS:
        if tuple(runs[: len(words)]) == words:
            return runs[len(words) :]
    return runs


# What grants an act: "được", "có quyền", "có thể" right before it, unless a "không" or "chưa" negates them.
_GRANT = re.compile(r"(?i)(?<!\w)(?P<no>(?:không|chưa)\s+)?(?:được|có\s+quyền|có\s+thể)(?!\w)")


def grants_act(text: str, subject: frozenset[str], act: tuple[str, ...]) -> bool:
    """Whether a piece of `text` (cut at its punctuation) grants `act` (folded syllables, `asked_claim`'s) to
    `subject`: it names all of the subject, then "được" / "có quyền" / "có thể" right before the act (the words that
    only carry it aside), with no "không" or "chưa" on them. «4. Viên chức … có quyền đơn phương chấm dứt hợp đồng
    …» grants it; «… quyền lợi hợp pháp khác của người lao động trong thời gian đình công» names both and grants
    nothing.

    >>> grants_act("4. Viên chức làm việc theo hợp đồng có quyền đơn phương chấm dứt hợp đồng.",
    ...            frozenset({"vien", "chuc"}), ("don", "phuong"))
    True
    >>> worker, strike = frozenset({"lao", "dong"}), ("dinh", "cong")
    >>> grants_act("Quyền lợi của người lao động trong thời gian đình công.", worker, strike)
    False
    >>> grants_act("1. Người lao động không được đình công.", worker, strike)
    False
    >>> grants_act("1. Người lao động chưa được đình công.", worker, strike)
    False
    """
    for piece in _PIECE.split(text):
        for m in _GRANT.finditer(piece):
            if m["no"] is None and tuple(_act_runs(piece[m.end() :])[: len(act)]) == act:
                if _names(subject, folded_runs(piece[: m.start()])):
                    return True
    return False


def says_as_asked(text: str, subject: frozenset[str], act: tuple[str, ...], negative: bool) -> bool:
    """Whether a piece of `text` (a line, cut at its punctuation) states `act` of `subject` (its syllables before the
    act, in that piece) with the question's polarity (a "không" just before it negates it). "1. Đơn vị sự nghiệp
    công lập được đơn phương chấm dứt …" says it of the unit; "4. Viên chức … có quyền đơn phương chấm dứt …" of the
    viên chức; "3. Đơn vị … không được đơn phương chấm dứt …" says the unit may not; "…, việc đơn phương chấm dứt …"
    says it of no one.

    >>> claim = asked_claim("Đơn vị được đơn phương chấm dứt hợp đồng khi nào?")
    >>> says_as_asked("3. Đơn vị không được đơn phương chấm dứt hợp đồng khi viên chức ốm đau.", *claim)
    False
    >>> says_as_asked("4. Viên chức có quyền đơn phương chấm dứt.\\n1. Đơn vị được đơn phương chấm dứt:", *claim)
    True
    """
    for piece in _PIECE.split(text):  # its subject is in the same piece: "…, việc đơn phương chấm dứt" names none
        runs = folded_runs(piece)
        for at in run_starts(runs, act):
            negated = _negated_at(runs, at)
            if negated == negative and _names(subject, runs[:at]):
                return True
    return False


def names_before_act(text: str, subject: frozenset[str], act: tuple[str, ...]) -> bool:
    """Whether `text` states `act` after naming all of `subject` (`asked_claim`'s), either polarity — read whole, not
    piece by piece as `says_as_asked` reads: a subject may hold a comma ("Công chức lãnh đạo, quản lý có thể từ
    chức …").

    >>> names_before_act("1. Công chức lãnh đạo, quản lý có thể từ chức:", frozenset({"cong", "chuc"}), ("tu", "chuc"))
    True
    >>> names_before_act("3. Đơn vị không được đơn phương chấm dứt với viên chức", frozenset({"vien", "chuc"}),
    ...                  ("don", "phuong"))
    False
    """
    runs = folded_runs(text)
    return any(_names(subject, runs[:at]) for at in run_starts(runs, act))


def _negated_at(runs: Sequence[str], at: int) -> bool:
    """Whether a "không" within `_NEGATION_SPAN` syllables before `runs[at]`, the act, negates it — counted before
    the words that only carry it (`_CARRIERS`): "không được thực hiện quyền đơn phương" negates "đơn phương".

    >>> runs = folded_runs("không được thực hiện quyền đơn phương chấm dứt")
    >>> _negated_at(runs, 5), _negated_at(folded_runs("không cần báo trước khi đơn phương"), 5)
    (True, False)
    """
    carried = True
    while carried:
        carried = False
        for words in _CARRIERS:
            if at >= len(words) and tuple(runs[at - len(words) : at]) == words:
                at, carried = at - len(words), True
                break
    return "khong" in runs[max(0, at - _NEGATION_SPAN) : at]


def with_lead_in(found: Hit, chunks: Sequence[Hit]) -> list[Hit]:
    """The chunk search found, with the chunk that opens its clause before it when it starts inside that clause's
    list (its citation names points): an item is never given without its lead-in, which says who may, or may not,
    do it. Live: Khoản 1's points đ-g of Điều 36 Bộ luật Lao động reached the model without "1. Người sử dụng lao
    động có quyền đơn phương chấm dứt hợp đồng lao động trong trường hợp sau đây:" (tests/test_context.py)."""
    if not found.citation.point:
        return [found]
    opening = next((c for c in chunks if c.citation.clause == found.citation.clause), None)
    if opening is None or opening.start >= found.start:
        return [found]
    return [opening, found]


def _take(priority: Sequence[Hit], room: int, always: Sequence[Hit] = ()) -> list[Hit]:
    """The chunks of `priority`, taken in that order (each once) while they fit in `room` — the first one and
    those of `always` even over it —, in text order."""
    chosen: list[Hit] = []
    used = 0
    for c in priority:
        size = c.end - c.start
        if c in chosen or (chosen and used + size > room and c not in always):
            continue
        chosen.append(c)
        used += size
    return sorted(chosen, key=lambda c: c.start)


def _key(hit: Hit) -> tuple[str, str]:
    return (hit.document_id, "|".join(hit.article_key))
