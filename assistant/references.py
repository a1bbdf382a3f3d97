"""Following references: the article a quoted clause applies joins the answer's sources.

A clause often answers by sending the reader elsewhere — "Công chức được nghỉ hưu theo quy định của Bộ luật Lao
động" (Điều 60 Luật Cán bộ, công chức), "theo quy định tại khoản 2 Điều 5 của Luật này". The question is then
answered by that clause *and* the article it points to, which search alone rarely ranks next to it (it shares few
of the question's words). `ReferenceFollower` reads what each quoted hit applies (`Hit.version.references`, from
the stored relations) and fetches the referenced articles, in the quoted hits' rank order, up to a budget:

- an article reference ("Điều 169 của Bộ luật …", "khoản 2 Điều 5 của Luật này") → that legal article, by its
  `cited` key (k=1; the named clause's chunk when it has one); the law applies it, so no relevance test;
- a law named without an article ("theo quy định của Bộ luật Lao động") → the question searched within that
  document (k=1), kept only above a relevance floor (`RELATIVE_FLOOR`): nothing says which of its articles is meant.

Only references whose sentence is in the quoted chunk are followed (the article's other clauses were not what
matched), and none already among the quoted hits. Every follow-up search runs under the reader's own filter,
`dataclasses.replace`d: the clearance (`max_access_rank`), the day (`as_of`), the validity and `document_ids` are
kept, so a referenced text the reader may not see — or that was not the law that day — is never fetched; the
topical choices (types, issuers, years, numbers) are dropped, as the law, not the reader, chose the target.

>>> ref = Reference("45/2019/QH14", None, None, "theo quy định của Bộ luật Lao động", resolved_by="title")
>>> Referral(1, "Điều 60 Luật Cán bộ, công chức 22/2008/QH12", ref).label
'được dẫn chiếu từ [1]'

A law named without an article is searched for the question without the referring law's own subject
(`delegated_query`): "Công chức nghỉ hưu khi nào?" from Luật Cán bộ, công chức → "hưu khi nghỉ" in the code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant.actor import Actor, ActorLexicon
from assistant.answer import CitedSource, with_standing
from assistant.clauses import SourceOutline, anchor_for, article_title
from assistant.closed import Cues, QuestionKind, read_question
from assistant.context import asked_claim, forbidden_asked, grants_act, opens_on_modal, says_as_asked, states_act
from assistant.evidence import coverage, covered
from assistant.extractive import LEADS_IN, best_passage
from assistant.polarity import clauses, without_label
from assistant.terms import TermLexicon
from assistant.verify import asks_when, figures_in, measures_in
from core.text import contains_run, content_words, fold, folded_runs, nfc, words, words_and_syllables
from index.payload import cited_document_key, cited_key, norm_number
from index.search import Hit, Mode, SearchResult
from index.store import Filters
from ingest.versions import Reference

# Extra sources per answer. The CPU model reads ~3 chunks in ~15 s (`Settings.context_sources`): one more chunk
# costs a few seconds, and the first reference of the best hit is the one a question like "nghỉ hưu khi nào?" needs.
FOLLOW_BUDGET = 1

# A law named without an article: its best article for the question is kept when it covers at least half as much
# of the question's content words as the best quoted hit does (evidence.coverage, the measure evidence.py judges
# relevance by). Half, because the referenced law speaks of its own subject — Bộ luật Lao động of "người lao động",
# never of "công chức" — so only the part the referring clause delegates can be expected there. "Công chức nghỉ hưu
# khi nào?" ({công_chức, nghỉ, hưu, khi}): Điều 60 covers 0.75, Điều 169 of the code 0.75 (kept), its Điều 35 0
# (dropped). Against the best hit, not the referring one, so a weak hit's reference cannot bring in weaker text:
# "Công chức thôi việc được hưởng trợ cấp thế nào?" quotes Điều 59 (1.0) first, and Điều 169 (0.25), reached
# through a lower-ranked Điều 60, stays out. Coverage rather than the BM25 score: it is the same in every search
# mode, and a ratio of BM25 scores swings with the terms' IDF.
RELATIVE_FLOOR = 0.5

# Searches spent past the budget to find which quoted article a law named without an article applies (each ~0.1-0.3
# s before the first word): the first two such references of the quoted hits.
MARK_SEARCHES = 2

# Chunks searched for a named clause within its article (an article rarely has more).
_CLAUSE_CANDIDATES = 20


class Search(Protocol):
    """What following needs of search: `index.search.Searcher`, or the pipeline's `Retriever`."""

    def search(
        self, query: str, k: int = 10, mode: Mode = "hybrid", filters: Filters | None = None, article_level: bool = True
    ) -> SearchResult: ...


@dataclass(frozen=True)
class Followed:
    """A referenced article for an answer: its hit, the quoted hit that applies it, and the reference. `quoted`:
    the article is among the quoted hits already (search found it); it is marked, not fetched again."""

    hit: Hit
    referred_by: Hit
    reference: Reference
    quoted: bool = False


@dataclass(frozen=True)
class Referral:
    """Where a followed source was referred from: the referring source's marker and anchor, and the sentence."""

    marker: int
    anchor: str
    reference: Reference

    def to_json(self) -> dict[str, Any]:
        return {"marker": self.marker, "anchor": self.anchor, **self.reference.to_json()}

    @property
    def label(self) -> str:
        """ "được dẫn chiếu từ [1]" — what a reader is shown beside the source."""
        return f"được dẫn chiếu từ [{self.marker}]"


@dataclass(frozen=True)
class ReferredSource(CitedSource):
    """A cited source that joined the answer because another source applies it (`referred_from`).

    Its `to_json` is `CitedSource`'s plus `referred_from` ({marker, anchor, document, article, clause, sentence,
    resolved_by}).
    """

    referred_from: Referral | None = None

    @property
    def applied_by(self) -> int | None:
        return self.referred_from.marker if self.referred_from else None

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["referred_from"] = self.referred_from.to_json() if self.referred_from else None
        return out


class ReferenceFollower:
    """Fetches the articles the top hits apply, under the reader's filter, up to `budget` of them (module doc).

    `__init__` only stores the configuration; `run` does one answer's follow-ups.
    """

    def __init__(self, searcher: Search, budget: int = FOLLOW_BUDGET, floor: float = RELATIVE_FLOOR) -> None:
        self.searcher = searcher
        self.budget = budget
        self.floor = floor

    def run(self, query: str, hits: list[Hit], filters: Filters, mode: Mode = "hybrid") -> list[Followed]:
        """The referenced articles of `hits` (the quoted ones, best first) not among them, at most `budget`; and,
        `quoted`, those among them that another quoted hit applies ("Điều 113 Bộ luật Lao động", found by search
        for "nghỉ hằng năm", is what Điều 13 Luật Cán bộ, công chức applies to công chức), outside the budget."""
        out: list[Followed] = []
        if self.budget <= 0:
            return out
        quoted = {h.article_key: h for h in hits}
        seen = set(quoted)
        words = content_words(query)
        best = max(coverage(words, searchable(h)) for h in hits) if hits else 0.0
        marking = MARK_SEARCHES
        for hit in hits:
            for ref in hit.version.references if hit.version else []:
                room = sum(not f.quoted for f in out) < self.budget
                if not _stated_in(ref, hit):
                    continue
                if ref.article is not None:
                    target = quoted.get((cited_document_key(ref.document), ref.article))
                    if target is not None:
                        out.extend(self._applied(hit, target, ref, out))
                        continue
                    if not room:
                        continue
                    found = self._article(query, ref, filters, mode)
                else:
                    if not room:
                        law = cited_document_key(ref.document)
                        if marking <= 0 or not any(cited_document_key(h.citation.document) == law for h in hits):
                            continue  # out of budget, and nothing of that law quoted to mark (or no searches left)
                        marking -= 1
                    found = self._in_document(delegated_query(query, hit), ref, filters, mode)
                    if found is not None and not self._relevant(words, found, best):
                        found = None
                if found is None:
                    continue
                if found.article_key in quoted:
                    # A law named without an article: its best article for the question is what the clause applies
                    # only when its heading names what the clause sends there (`names_the_matter`).
                    target = quoted[found.article_key]
                    if names_the_matter(ref, hit, target):
                        out.extend(self._applied(hit, target, ref, out))
                elif room and found.article_key not in seen:
                    seen.add(found.article_key)
                    out.append(Followed(found, hit, ref))
        return out

    @staticmethod
    def _applied(by: Hit, target: Hit, ref: Reference, out: list[Followed]) -> list[Followed]:
        """A quoted hit that `by` applies, marked once (the first hit that applies it), never by itself."""
        if target.article_key == by.article_key or any(f.quoted and f.hit.chunk_id == target.chunk_id for f in out):
            return []
        return [Followed(target, by, ref, quoted=True)]

    def _article(self, query: str, ref: Reference, filters: Filters, mode: Mode) -> Hit | None:
        assert ref.article is not None
        scoped = _scoped(filters, cited=(cited_key(ref.document, ref.article),))
        if ref.clause is None:
            hits = self.searcher.search(query, k=1, mode=mode, filters=scoped, article_level=True).hits
            return hits[0] if hits else None
        chunks = self.searcher.search(query, k=_CLAUSE_CANDIDATES, mode=mode, filters=scoped, article_level=False).hits
        # the named clause's own chunk when it has one; else the article's best chunk (a short article is one chunk)
        found = next((h for h in chunks if h.citation.clause == ref.clause), chunks[0] if chunks else None)
        return None if found is None else narrowed_to_clause(found, ref.clause)

    def _in_document(self, query: str, ref: Reference, filters: Filters, mode: Mode) -> Hit | None:
        number = norm_number(ref.document)
        if number is None:
            return None
        hits = self.searcher.search(query, k=1, mode=mode, filters=_scoped(filters, numbers=(number,))).hits
        return hits[0] if hits else None

    def _relevant(self, words: set[str], found: Hit, best: float) -> bool:
        """Whether a law's best article covers enough of the question: `floor` × the best quoted hit's coverage."""
        got = coverage(words, searchable(found))
        return got > 0 and got >= self.floor * best


def narrowed_to_clause(hit: Hit, clause: str) -> Hit:
    """The part of `hit` that is Khoản `clause`, as its own hit ("Khoản 1 Điều 52 …"): the law applies that clause,
    so the model reads it, not the whole article (on a 2-core CPU every 100 tokens is ~1.5 s before the first word).
    `hit` unchanged when it is that clause already or does not hold it.

    >>> from ingest.model import Citation
    >>> text = "Điều 52. Hình thức kỷ luật\\n1. Gồm:\\na) Khiển trách;\\nb) Buộc thôi việc.\\n2. Khác."
    >>> hit = Hit("c", "d", "Điều 52 Luật Viên chức 58/2010/QH12", Citation("58/2010/QH12", "", "52"), 1.0, text, [],
    ...           10, 10 + len(text), None, None, None, None, "", "public", "")
    >>> one = narrowed_to_clause(hit, "1")
    >>> one.anchor, one.text.splitlines()[-1], one.start - hit.start == text.index("1. Gồm")
    ('Khoản 1 Điều 52 Luật Viên chức 58/2010/QH12', 'b) Buộc thôi việc.', True)
    """
    if hit.citation.clause == clause:
        return hit
    unit = next((u for u in SourceOutline.of(0, hit).units if u.clause == clause and u.point is None), None)
    if unit is None:
        return hit
    return replace(
        hit,
        anchor=anchor_for(hit.anchor, clause, None),
        citation=replace(hit.citation, clause=clause, point=None),
        text=hit.text[unit.start : unit.end],
        start=hit.start + unit.start,
        end=hit.start + unit.end,
    )


# Where the matter a clause sends elsewhere starts, before its reference: the sentence's start; and its parts.
_SENTENCE_START = re.compile(r".*[.;:\n]\s*", re.S)
_MATTER_PARTS = re.compile(r",|\s(?:và|hoặc)\s")
# Words of one part of that matter an article's heading must hold to be what the clause applies.
MATTER_WORDS = 2


def names_the_matter(ref: Reference, referring: Hit, target: Hit) -> bool:
    """Whether `target`'s heading names what `referring` sends to a law named without an article: two words or more
    of one part of the sentence before the reference, the referring law's own subject aside ("Cán bộ, công chức
    được nghỉ hàng năm, nghỉ lễ, … theo quy định của pháp luật về lao động" → "Điều 113. Nghỉ hằng năm"; "… không
    tính vào thời gian nghỉ việc riêng theo quy định của pháp luật về lao động" → "Điều 115. Nghỉ việc riêng, …").
    The code's best article for a question is not always what a clause applies: "Công chức được nghỉ hưu theo quy
    định của Bộ luật Lao động" does not apply "Nghỉ hằng năm"."""
    text, said = _lines(referring.text), _lines(ref.sentence)
    at = text.find(said) if said else -1
    if at < 0:
        return False
    before = text[:at]
    opening = _SENTENCE_START.match(before)
    matter = before[opening.end() :] if opening else before
    # the article's own heading ("Điều 113. Nghỉ hằng năm"): a chunk of some clauses ends its path with "Khoản 1-5"
    heading = next((h for h in reversed(target.heading_path) if h.startswith("Điều")), target.text.split("\n", 1)[0])
    present = set(words_and_syllables(heading))
    own = content_words(referring.title)
    for part in _MATTER_PARTS.split(matter):
        words = content_words(part) - own
        if covered(words, present) >= MATTER_WORDS:
            return True
    return False


# Clauses a question's search found below the quoted ones that may join them because they apply a quoted article
# for the person asked about (`applying_first`); one is what a question needs ("Cán bộ, công chức được nghỉ … theo
# quy định của pháp luật về lao động"), and each costs the prompt a source.
APPLIERS = 1
# How many of the question's hits (one per article) are read for such a clause. Search ranks it by the question's
# words, which are the applied article's: Điều 13 Luật Viên chức is the 11th hit of "Viên chức được nghỉ việc riêng
# khi con kết hôn mấy ngày?" on the demo's BM25 index, Điều 13 Luật Cán bộ, công chức the 13th of its công chức
# twin. Search's fusion reads 60 candidates a branch for any k up to 20, so the first hits do not change.
APPLIER_POOL = 16


@dataclass(frozen=True)
class Applying:
    """`applying_first`'s result: the hits reranked, the marks (`Followed`, `quoted`: the applied article, the
    clause that applies it), and how many of those clauses came from below the quoted ones (`joined`)."""

    ranked: list[Hit]
    marks: list[Followed]
    joined: int = 0


def applying_first(question: str, hits: Sequence[Hit], k: int, actors: ActorLexicon | None = None) -> Applying:
    """`hits` (ranked) with a clause that applies one of the first `k` to the person asked about moved just before
    that article — joining the first `k` when it was below them —, and the marks that say so.

    Asked "Công chức được nghỉ việc riêng khi kết hôn mấy ngày?", search ranks Bộ luật Lao động's "Điều 115. Nghỉ
    việc riêng …" first — its words — and Điều 13 Luật Cán bộ, công chức, which gives công chức their leave
    "theo quy định của pháp luật về lao động", fifth: out of the quoted three. The code speaks of "người lao
    động", so without that clause every claim for a công chức was withheld (another person's rule) and the answer
    refused. A hit ranked after a quoted article moves just before it (the reader, and the model, read who the rule
    is for, then the rule) when:

    - the question names one person (`ActorLexicon.person_asked`) and the hit names them (or a group that includes
      them by name, `names_person`);
    - a reference stated in its chunk reaches that article (the article it names, or its law named without an
      article with the article's heading naming the matter, `names_the_matter`);
    - that article never names the person asked about while naming another (`other_person`): an article that
      speaks of them needs nothing to apply it.

    At most `APPLIERS` hits move. Nothing is searched: the clause must be among the hits the reader's own search
    found (under their filter).
    """
    actors = actors or ActorLexicon.default()
    asked = actors.person_asked(question)
    ranked = list(hits)
    if asked is None:
        return Applying(ranked, [])
    person = asked[0]
    marks: list[Followed] = []
    joined = 0
    for at, hit in enumerate(hits):
        if len(marks) >= APPLIERS:
            break
        if at == 0 or not actors.names_person(searchable(hit), person):
            continue
        for ref in hit.version.references if hit.version else []:
            before = ranked[: min(k, ranked.index(hit))]  # the quoted articles ranked above it
            target = _applied_to(ref, hit, before) if _stated_in(ref, hit) else None
            if target is None or actors.other_person(searchable(target), person) is None:
                continue
            ranked.remove(hit)
            ranked.insert(ranked.index(target), hit)
            marks.append(Followed(target, hit, ref, quoted=True))
            joined += at >= k
            break
    return Applying(ranked, marks, joined)


# How many of the question's hits are read for the person's own rule (`own_rule_first`). Search's fusion reads 60
# candidates a branch for any k up to 20, so reading 20 costs nothing the first 16 did not: "Công chức có được đình
# công không?" finds Điều 18 Luật Cán bộ, công chức 19th on the demo's BM25 index, below eighteen articles of Bộ luật
# Lao động on "đình công".
OWN_POOL = 20


def own_rule_first(
    question: str,
    hits: Sequence[Hit],
    k: int,
    actors: ActorLexicon | None = None,
    cues: Cues | None = None,
    probe: Callable[[], Sequence[Hit]] | None = None,
) -> tuple[list[Hit], int]:
    """`hits` (ranked) with the person's own rule moved first when the first `k` hold none, and how many hits that
    brought into the first `k` (0 or 1).

    Asked "Công chức có được đình công không?", search ranks Bộ luật Lao động's strike articles first (their words,
    and "người lao động" may strike), and Điều 18 Luật Cán bộ, công chức — "cán bộ, công chức không được … tham gia
    đình công" — 19th: the judge read only the code and answered "Có.", flagged but wrong. A hit is the person's own
    rule when it names the person asked about (`ActorLexicon.names_person`: them or a group that includes them by
    name) and one of its provisions (`polarity.clauses`, with its lead-in) states every word the question asks about
    besides the person and its question words (`matter_of`), each as a run of syllables. When no hit among the first
    `k` is one, the first that is, among the first `OWN_POOL`, moves first, taking no one's place (the answer reads
    it beside them). Of the person's own rules, one whose provision says the asked act may, must or may not be done
    (`context.states_act`: "2. Được ký hợp đồng vụ, việc với cơ quan, tổ chức, đơn vị khác …") decides the question
    as one that merely names its words does not: when the first own rule among the first `k` does not say it so and
    one in the pool does, that one moves first. Live, "Viên chức có được ký hợp đồng với đơn vị khác không?" read
    Điều 20 Nghị định 115/2020 — "… phải ký kết hợp đồng làm việc mới …" on a transfer — first, and the context
    budget held it and one more article; Điều 14 Luật Viên chức, 4th, did not fit, and the answer was "Không.".
    When the pool holds no provision stating every word asked and the question asks whether the person may do
    something (`may_asked`), a provision saying the person may (must, may not) do the asked act moves first all the
    same (`grants_or_forbids`): the law names the act's object in its own words. Live, "Viên chức có được góp vốn
    vào doanh nghiệp không?" was refused: Điều 14 Luật Viên chức — "3. Được góp vốn nhưng không tham gia quản lý,
    điều hành công ty trách nhiệm hữu hạn, công ty cổ phần …", no "doanh nghiệp" — ranked 4th, below the public
    units' capital articles, and the context held three of them.
    Of the person's own rules, too, one whose article title names the person and all that is asked (`titled`:
    "Áp dụng hình thức kỷ luật buộc thôi việc đối với viên chức") is the article on it: when none of the first `k`
    is titled so and one in the pool is, it moves first. Live, "Khi nào viên chức bị buộc thôi việc?" read first
    Điều 40 Nghị định 112/2020 — what follows a dismissal, its Khoản 1 naming the measure — and Điều 19, the cases,
    4th, did not fit: the model wrote the consequences, withheld, and the question was refused.
    Nothing is searched here, and nothing moves for a question naming no one person or nothing else. `probe` is a
    further search (`prohibition_probe`), run only when the pool holds no such rule; its hits are read after the
    pool.
    """
    ranked = list(hits)
    actors = actors or ActorLexicon.default()
    asked, matter = person_and_matter(question, actors, cues)
    if asked is None or not matter:
        return ranked, 0

    claim = asked_claim(question)

    stated: dict[int, list[str]] = {}  # by id(hit): each hit's provisions are read once, whichever asks

    def stating(hit: Hit) -> list[str]:
        """The provisions of `hit` that state every word of the matter."""
        if id(hit) not in stated:
            provisions = (c.text for c in clauses(hit.text))
            stated[id(hit)] = [t for t in provisions if all(contains_run(folded_runs(t), run) for run in matter)]
        return stated[id(hit)]

    def own(hit: Hit) -> bool:
        return bool(stating(hit)) and actors.names_person(searchable(hit), asked[0])

    def as_asked(hit: Hit) -> bool:
        return claim is not None and any(states_act(t, claim[1]) for t in stating(hit)) and own(hit)

    def grants_or_forbids(hit: Hit) -> bool:
        """A rule that says the person may (or must, or may not) do the act, in other words for the rest: a provision
        naming them before "được" / "có quyền" on the act, or one opening with that under an article title naming
        them ("3. Được góp vốn …" under "Quyền của viên chức …") — not one where the act befalls someone else ("…
        các đơn vị … được thành lập …" in an article that names viên chức elsewhere)."""
        if claim is None:
            return False
        titled = actors.names_person(article_title(hit), asked[0])
        return any(
            grants_act(c.text, claim[0], claim[1])
            or (titled and opens_on_modal(without_label(c.text)) and states_act(c.text, claim[1]))
            for c in clauses(hit.text)
        )

    def titled(hit: Hit) -> bool:
        """An own rule whose article title names the person and every word of the matter ("Áp dụng hình thức kỷ
        luật buộc thôi việc đối với viên chức"): the article on it, not one that names it in a clause."""
        title = article_title(hit)
        said = folded_runs(title)
        return all(contains_run(said, run) for run in matter) and actors.names_person(title, asked[0]) and own(hit)

    first = next((h for h in ranked[:k] if own(h)), None)
    if first is not None and as_asked(first):
        return ranked, 0
    found = next((h for h in ranked[:OWN_POOL] if as_asked(h)), None)
    if found is None and first is not None and not any(titled(h) for h in ranked[:k]):
        found = next((h for h in ranked[k:OWN_POOL] if titled(h)), None)
    if found is None and first is not None:
        return ranked, 0
    found = found or next((h for h in ranked[k:OWN_POOL] if own(h)), None)
    if found is None and may_asked(question, cues) is not None:
        said = next((h for h in ranked[:OWN_POOL] if grants_or_forbids(h)), None)
        found = None if said in ranked[:k] else said
    if found is not None:
        brought = int(found not in ranked[:k])
        ranked.remove(found)
        return [found, *ranked], brought
    if probe is not None:
        keys = {h.article_key for h in ranked}
        found = next((h for h in probe() if h.article_key not in keys and own(h)), None)
    if found is None:
        return ranked, 0
    return [found, *ranked], 1


def prohibition_probe(question: str, actors: ActorLexicon | None = None, cues: Cues | None = None) -> str | None:
    """What to search when a yes/no question on whether someone may do something finds none of their own rules
    among its hits: the title the codes give the person's prohibitions, "Những việc <person> không được làm"
    (`PROHIBITIONS_TITLE`: Điều 18-20 Luật Cán bộ, công chức, Điều 19 Luật Viên chức), which `own_rule_first` then
    reads for a clause stating the matter. Live, with dense vectors beside BM25, Điều 18 Luật Cán bộ, công chức —
    "… tự ý bỏ việc hoặc tham gia đình công" — was the 26th hit of "Công chức có được đình công không?", below the
    labour code's strike articles and the "tạm đình chỉ" ones, past `OWN_POOL`, and the question was refused; the
    statement's own words as a prohibition ("Công chức không được đình công") found it 19th at best, the title
    first. None for any other question, or one naming no person.

    >>> prohibition_probe("Công chức có được đình công không?")
    'Những việc công chức không được làm'
    >>> prohibition_probe("Công chức không được làm gì?") is None
    True
    """
    statement = may_asked(question, cues)
    if statement is None:
        return None
    person = (actors or ActorLexicon.default()).person_asked(statement)
    return PROHIBITIONS_TITLE.format(person=person[1].lower()) if person is not None else None


def may_asked(question: str, cues: Cues | None = None) -> str | None:
    """The statement of a yes/no question on whether someone may do something ("được", no "không" in it); None for
    any other question.

    >>> may_asked("Viên chức có được góp vốn vào doanh nghiệp không?")
    'Viên chức được góp vốn vào doanh nghiệp'
    >>> may_asked("Điều nào sau đây không phải nghĩa vụ của công dân?") is None
    True
    """
    closed = read_question(question, cues)
    statement = closed.statement if closed.kind is QuestionKind.YES_NO else ""
    if not _MAY.search(statement) or re.search(r"(?i)(?<!\w)không(?!\w)", statement):
        return None
    return statement


# How the codes title a person's prohibitions ("Những việc cán bộ, công chức không được làm liên quan đến đạo đức
# công vụ", "Những việc viên chức không được làm"): what `prohibition_probe` searches.
PROHIBITIONS_TITLE = "Những việc {person} không được làm"
_MAY = re.compile(r"(?i)(?<!\w)được(?!\w)")


def matter_of(question: str, person: str, cues: Cues | None = None) -> list[tuple[str, ...]]:
    """What `question` asks about besides `person` (the words naming them) and its question words: each content
    word's syllables, diacritics folded, in the question's order. A closed question is read as its statement or
    stem (`closed.read_question`): "đúng hay sai", its options, are not what it asks about (live, "Viên chức được
    tham gia đình công, đúng hay sai?" found no article stating "đúng" and "sai" and was refused).

    >>> matter_of("Công chức có được đình công không?", "công chức")
    [('dinh', 'cong')]
    >>> matter_of("Viên chức được tham gia đình công, đúng hay sai?", "viên chức")
    [('tham', 'gia', 'dinh', 'cong')]
    >>> matter_of("Viên chức được nghỉ mấy ngày?", "viên chức")
    [('nghi',), ('ngay',)]
    >>> matter_of("Thời gian thử việc của viên chức tối đa là bao lâu?", "viên chức")
    [('thoi', 'gian'), ('thu',)]
    >>> matter_of("Hồ sơ được nộp lưu như thế nào?", "")
    [('ho', 'so'), ('nop',), ('luu',)]
    """
    cues = cues or Cues.default()
    read = read_question(question, cues)
    asked = cues.without_question_words(read.statement or read.stem or question)
    asking = {fold(w) for w in (*cues.question_words, *cues.figure_degrees)}
    own = set(folded_runs(person))
    content = content_words(asked)
    runs = (tuple(fold(s) for s in w.split("_") if s) for w in dict.fromkeys(words(asked)) if w in content)
    return [run for run in dict.fromkeys(runs) if run and not set(run) <= own and " ".join(run) not in asking]


def person_and_matter(
    question: str, actors: ActorLexicon | None = None, cues: Cues | None = None, paired: bool = False
) -> tuple[tuple[Actor, str] | None, list[tuple[str, ...]]]:
    """The one person `question` asks about (`ActorLexicon.person_asked`: them and the words naming them), or None,
    and what it asks about besides them (`matter_of`; with `paired`, `matter_units`).

    >>> person, matter = person_and_matter("Công chức có được đình công không?")
    >>> person[1], matter
    ('công chức', [('dinh', 'cong')])
    """
    person = (actors or ActorLexicon.default()).person_asked(question)
    of = matter_units if paired else matter_of
    return person, of(question, person[1] if person is not None else "", cues)


# Share of a question's matter (`matter_units`) an answer must speak of, with its cited articles' headings.
MIN_MATTER_SPOKEN = 0.5
# A question for how long, for how many of a unit (of time, age, share, money, sheets, people: "bao nhiêu ngày",
# "mấy tháng", "bao nhiêu tờ"), or for a bound ("tối đa bao nhiêu …", "ít nhất mấy …"): its answer states a figure.
# Not a count of kinds ("bao nhiêu hình thức", "mấy mức"), which a list answers.
_MEASURE_ASKED = re.compile(
    r"(?<!\w)(?:bao\s+lâu|là\s+bao\s+nhiêu(?=\s*\??\s*$)|(?:(?:tối\s+đa|tối\s+thiểu|ít\s+nhất|không\s+quá)\s+)?(?:bao\s+nhiêu|mấy)"
    r"(?:\s+(?:ngày|tuần|tháng|năm|giờ|phút|tuổi|lần|phần\s+trăm|%|đồng|triệu|tỷ|tờ|bản|người|thành\s+viên))?)(?!\w)",
    re.IGNORECASE,
)
# A length of time the law gives in words ("Bảo quản vĩnh viễn"), which answers "bao lâu" with no figure.
_TIMELESS = re.compile(r"(?<!\w)(?:vĩnh\s+viễn|không\s+(?:xác\s+định\s+)?thời\s+hạn)(?!\w)", re.IGNORECASE)


def measure_asked(question: str) -> str | None:
    """The phrase of `question` that asks for a figure (`_MEASURE_ASKED`), lower case; None when it asks for none.

    >>> measure_asked("Lao động nữ sinh con được nghỉ thai sản bao lâu?"), measure_asked("Mấy mức xếp loại?")
    ('bao lâu', None)
    >>> measure_asked("Làm thêm tối đa bao nhiêu giờ một tháng?"), measure_asked("Có bao nhiêu hình thức?")
    ('tối đa bao nhiêu giờ', None)
    >>> measure_asked("Cần ít nhất mấy thành viên?"), measure_asked("Mỗi dấu đóng bao nhiêu tờ?")
    ('ít nhất mấy thành viên', 'bao nhiêu tờ')
    >>> measure_asked("Thời giờ làm việc bình thường là bao nhiêu?"), measure_asked("Là bao nhiêu loại?")
    ('là bao nhiêu', None)
    """
    for found in _MEASURE_ASKED.finditer(nfc(question)):
        phrase = " ".join(found.group(0).lower().split())
        if phrase in ("bao lâu", "là bao nhiêu") or phrase.startswith(("tối", "ít", "không")) or phrase.count(" ") >= 2:
            return phrase  # "bao lâu", "… là bao nhiêu?", a bound, or a unit after "bao nhiêu" (two words)
        if phrase.startswith("mấy ") and phrase.count(" ") == 1:
            return phrase  # … or after "mấy"
    return None


_TIME_UNITS = frozenset({"ngày", "tuần", "tháng", "năm", "giờ", "phút"})


def states_a_measure(text: str, asked: str) -> bool:
    """Whether an answer's `text` gives what `asked` (`measure_asked`) asks for: a length of time for "bao lâu", one in
    the unit of time asked ("bao nhiêu ngày") — an age is none ("nhận nuôi con nuôi dưới 06 tháng tuổi", live, for
    how long maternity leave lasts) —, or in words ("vĩnh viễn"); an age for "mấy tuổi"; else a figure (a
    reference's number is none: "Điều 34").

    >>> states_a_measure("d) Người lao động nhận nuôi con nuôi dưới 06 tháng tuổi [4].", "bao lâu")
    False
    >>> states_a_measure("Được nghỉ 06 tháng [1].", "bao lâu"), states_a_measure("Theo Điều 34 [1].", "là bao nhiêu")
    (True, False)
    >>> states_a_measure("Được gộp số ngày nghỉ phép của 02 năm [1].", "bao nhiêu ngày")
    False
    >>> states_a_measure("Được nghỉ 12 ngày làm việc [1].", "bao nhiêu ngày")
    True
    """
    if _TIMELESS.search(nfc(text)):
        return True
    unit = asked.split()[-1]
    if asked == "bao lâu":
        return any(not m.endswith("tuổi") for m in measures_in(text))
    if unit in _TIME_UNITS:  # "bao nhiêu ngày" is not answered by "gộp số ngày nghỉ phép của 02 năm" (live)
        return any(m.split()[1:] == [unit] for m in measures_in(text))
    if unit == "tuổi":
        return any(m.endswith("tuổi") for m in measures_in(text))
    return bool(figures_in(text))


def matter_units(question: str, person: str = "", cues: Cues | None = None) -> list[tuple[str, ...]]:
    """What an answer to `question` must speak of: its matter (`matter_of`), where two one-syllable words next to
    each other in the question are read as the pair they make. pyvi leaves many legal compounds apart ("lương
    hưu", "thử việc"), and a single "lương" or "hưu" is in many provisions that say nothing of a pension.

    >>> matter_units("Điều kiện hưởng lương hưu của người lao động là gì?", "người lao động")
    [('dieu', 'kien'), ('huong', 'luong'), ('luong', 'huu')]
    >>> matter_units("Công chức được nghỉ hằng năm bao nhiêu ngày?", "công chức")
    [('nghi', 'hang'), ('hang', 'nam'), ('ngay',)]
    """
    runs = matter_of(question, person, cues)
    said = folded_runs(question)
    paired: set[int] = set()
    units: list[tuple[str, ...]] = []
    for i, run in enumerate(runs):
        after = runs[i + 1] if i + 1 < len(runs) else ()
        if len(run) == 1 and len(after) == 1 and contains_run(said, run + after):
            units.append(run + after)
            paired.update((i, i + 1))
        elif len(run) > 1 or i not in paired:
            units.append(run)
    return list(dict.fromkeys(units))


@dataclass(frozen=True)
class OffMatter:
    """An answer that, with the headings of the articles it cites, speaks of less than half of what its question
    asks (`matter_units`): true and cited, yet an answer to another question. Live: asked "Điều kiện hưởng lương hưu
    của người lao động là gì?", the model listed who must join social insurance (Khoản 1 Điều 2 Luật Bảo hiểm xã
    hội, which the retirement articles refer to for the people they cover), every item verified."""

    missing: tuple[str, ...]

    @property
    def reason(self) -> str:
        return f"the answer and its cited articles' headings do not speak of «{', '.join(self.missing)}»"


def terms_asked(question: str, person: str, terms: TermLexicon | None = None) -> set[str]:
    """The terms of a closed family (assistant/data/terms_vi.tsv) `question` names besides the words naming its
    `person`: "buộc thôi việc" in "Công chức bị buộc thôi việc trong trường hợp nào?", not "công chức".

    >>> sorted(terms_asked("Công chức bị buộc thôi việc trong trường hợp nào?", "công chức"))
    ['buộc thôi việc']
    """
    terms = terms or TermLexicon.default()
    return terms.named(question) - terms.named(person)


def forbidden_unsaid(question: str, text: str, cited: Sequence[CitedSource] = ()) -> str | None:
    """What a question asking the cases where an act may NOT be done asks ("không được từ chối"), when neither the
    answer `text` nor the sources it cites state that act with that negation for the person asked
    (`context.says_as_asked`); None otherwise. Live: "Khi nào người lao động không được từ chối làm thêm giờ?" was
    answered, verified, with Điều 107 Bộ luật Lao động's conditions for overtime — Điều 108's cases were [1]. With
    no `cited`, the answer's own words must say it: a cited article may hold the rule asked in one Khoản and the
    answer give another's cases.

    >>> q = "Khi nào người lao động không được từ chối làm thêm giờ?"
    >>> forbidden_unsaid(q, "Người lao động được làm thêm giờ khi đồng ý [1].")
    'không được từ chối'
    >>> forbidden_unsaid(q, "Người lao động không được từ chối làm thêm giờ khi có lệnh động viên [1].") is None
    True
    """
    forbidden = forbidden_asked(question) if asks_when(question) else None
    claim = asked_claim(question) if forbidden else None
    if forbidden and claim and not any(says_as_asked(t, *claim) for t in [text, *(s.hit.text for s in cited)]):
        return forbidden
    return None


def off_matter(
    question: str,
    text: str,
    cited: Sequence[CitedSource],
    actors: ActorLexicon | None = None,
    cues: Cues | None = None,
) -> OffMatter | None:
    """Whether the answer `text`, citing `cited`, speaks of too little of `question`'s matter (`OffMatter`); None
    when it speaks of at least `MIN_MATTER_SPOKEN` of it, or the question names nothing besides its person. A term
    of a closed family the question names (`terms_asked`) must be spoken of whatever the share: naming one member
    for another changes the law, and so does leaving it out (live: "Công chức bị buộc thôi việc trong trường hợp
    nào?" was answered, verified, with "b) Theo nguyện vọng và được cấp có thẩm quyền đồng ý" — Điều 59 Luật Cán
    bộ, công chức, the cases a công chức may leave on request, which speak of "thôi việc", half of what was asked).

    >>> from types import SimpleNamespace
    >>> def src(heading, text):
    ...     return SimpleNamespace(hit=SimpleNamespace(heading_path=[heading], text=text))
    >>> who = src("Điều 2. Đối tượng áp dụng", "1. Người lao động thuộc đối tượng tham gia bảo hiểm, bao gồm:")
    >>> q = "Điều kiện hưởng lương hưu của người lao động là gì?"
    >>> off_matter(q, "Người quản lý doanh nghiệp có hưởng tiền lương [4].", [who]).missing
    ('dieu kien', 'huong luong', 'luong huu')
    >>> age = src("Điều 54. Điều kiện hưởng lương hưu", "1. Người lao động được hưởng lương hưu khi:")
    >>> off_matter(q, "Nam đủ 60 tuổi, nữ đủ 55 tuổi [1].", [age]) is None
    True

    The items of a list, written without the lead-in they hang under, speak of what it says:

    >>> lead = "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc trong các trường hợp sau:"
    >>> ending = src("Điều 29. Chấm dứt hợp đồng làm việc", lead)
    >>> q = "Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc khi nào?"
    >>> off_matter(q, "- Viên chức 02 năm liên tiếp không hoàn thành nhiệm vụ [1].", [ending]) is None
    True
    >>> leaving = src("Điều 59. Thôi việc đối với công chức", "1. Công chức được thôi việc trong các trường hợp sau:")
    >>> q = "Công chức bị buộc thôi việc trong trường hợp nào?"
    >>> off_matter(q, "b) Theo nguyện vọng và được cấp có thẩm quyền đồng ý [1];", [leaving]).missing
    ('buộc thôi việc',)

    A question for how long or how many days (`measure_asked`) is not answered by text that gives no figure (live:
    "Người lao động nữ sinh con được nghỉ thai sản bao lâu?" was answered, verified, with Khoản 1 Điều 31 Luật Bảo
    hiểm xã hội's list of who is entitled to maternity benefits):

    >>> entitled = src("Điều 31. Điều kiện hưởng chế độ thai sản", "1. Người lao động được hưởng chế độ thai sản khi:")
    >>> q = "Lao động nữ sinh con được nghỉ thai sản bao lâu?"
    >>> off_matter(q, "Lao động nữ sinh con được hưởng chế độ thai sản [1].", [entitled]).missing
    ('bao lâu',)
    >>> off_matter(q, "Lao động nữ sinh con được nghỉ hưởng chế độ thai sản 06 tháng [1].", [entitled]) is None
    True
    """
    asked = measure_asked(question)
    if asked is not None and not states_a_measure(text, asked):
        return OffMatter((asked,))
    unsaid = forbidden_unsaid(question, text, cited)
    if unsaid is not None:
        return OffMatter((unsaid,))
    person, units = person_and_matter(question, actors, cues, paired=True)
    if not units:
        return None
    # what the cited articles say their provisions are about: headings, and the lead-ins their items hang under
    # ("Đơn vị … được đơn phương chấm dứt hợp đồng làm việc … trong các trường hợp sau:"), which an answer giving
    # the items alone does not repeat
    about = [" ".join(s.hit.heading_path) for s in cited]
    about += [line for s in cited for line in s.hit.text.split("\n") if LEADS_IN.search(line)]
    said = "\n".join([text, *about])
    spoken = folded_runs(said)
    missing = tuple(" ".join(u) for u in units if not contains_run(spoken, u))
    terms = TermLexicon.default()
    unnamed = tuple(sorted(terms_asked(question, person[1] if person else "", terms) - terms.named(said)))
    if unnamed:
        return OffMatter(unnamed)
    return OffMatter(missing) if len(units) - len(missing) < MIN_MATTER_SPOKEN * len(units) else None


def on_matter(question: str, sources: Sequence[CitedSource], actors: ActorLexicon | None = None) -> list[CitedSource]:
    """The sources that speak of what `question` asks, to quote when the model wrote nothing: those whose article
    (its heading path and text) holds the most of the question's matter (`matter_of`), one word less at most, and
    at least half of it; the best ones whatever they hold. Live, asked how many days of annual leave, the quoted
    answer put the labour code's Điều 113 beside social-insurance contributions and wage advances.

    >>> from types import SimpleNamespace
    >>> def src(m, text):
    ...     return SimpleNamespace(marker=m, hit=SimpleNamespace(text=text, heading_path=[]), applied_by=None)
    >>> leave = src(1, "Người lao động được nghỉ hằng năm 12 ngày làm việc.")
    >>> advance = src(2, "Người lao động được tạm ứng tiền lương.")
    >>> [s.marker for s in on_matter("Người lao động được nghỉ hằng năm bao nhiêu ngày?", [leave, advance])]
    [1]

    Of those, an article about another person than the one asked (`ActorLexicon.other_person`) is left out when
    one about them is quoted, unless a quoted one about them applies it — or applies it in the words of the one left
    out (`_applied_also_by`) — (live, asked when a công chức is dismissed, the quotes
    put Nghị định 112/2020's rule on a viên chức's records beside Luật Cán bộ, công chức's articles):

    >>> forms = src(1, "Công chức vi phạm thì phải chịu hình thức kỷ luật buộc thôi việc.")
    >>> records = src(2, "Đơn vị lưu giữ hồ sơ viên chức bị kỷ luật buộc thôi việc.")
    >>> [s.marker for s in on_matter("Công chức bị buộc thôi việc khi nào?", [forms, records])]
    [1]
    """
    actors = actors or ActorLexicon.default()
    person, asked = person_and_matter(question, actors)
    if not asked or len(sources) < 2:
        return list(sources)
    held = [sum(contains_run(folded_runs(searchable(s.hit)), run) for run in asked) for s in sources]
    top = max(held)
    floor = max(top - 1, len(asked) / 2) if top >= len(asked) / 2 else top
    kept = [s for s, n in zip(sources, held, strict=True) if n >= floor]
    if person is None:
        return kept
    theirs = {s.marker for s in kept if actors.other_person(searchable(s.hit), person[0]) is None}
    if not theirs:
        return kept
    about_them = [s for s in kept if s.marker in theirs]
    out = []
    for s in kept:
        if s.marker in theirs or s.applied_by in theirs:
            out.append(s)
        elif (heir := _applied_also_by(s, about_them)) is not None:
            out.append(heir)
    return out


def _applied_also_by(source: CitedSource, theirs: Sequence[CitedSource]) -> CitedSource | None:
    """`source`, referred from the first of `theirs` that applies it in the same words ("… theo quy định của pháp
    luật về lao động"), when the source that brought it is left out. Live: asked a viên chức's annual leave after a
    công chức's, Điều 113 Bộ luật Lao động had joined through Luật Cán bộ, công chức's Điều 13; left out with it, the
    quotes kept Luật Viên chức's Điều 13 — which applies the same code in the same words — without its 12 ngày."""
    if not isinstance(source, ReferredSource) or source.referred_from is None:
        return None
    referral = source.referred_from
    if not referral.reference.sentence.strip():
        return None
    said = " ".join(referral.reference.sentence.casefold().split())
    for other in theirs:
        if said in " ".join(other.hit.text.casefold().split()):
            return replace(source, referred_from=replace(referral, marker=other.marker, anchor=other.hit.anchor))
    return None


def _applied_to(ref: Reference, referring: Hit, quoted: Sequence[Hit]) -> Hit | None:
    """The quoted hit `ref` (made in `referring`) applies: the article it names, or, for a law named without an
    article, the first of that law's quoted articles whose heading names the matter."""
    law = cited_document_key(ref.document)
    for hit in quoted:
        if hit.article_key[0] != law:
            continue
        if hit.article_key[1] == ref.article if ref.article is not None else names_the_matter(ref, referring, hit):
            return hit
    return None


def delegated_query(query: str, referring: Hit) -> str:
    """What to search a law named without an article for: the question without the referring law's own subject.

    "Công chức nghỉ hưu khi nào?" answered by Luật Cán bộ, công chức "theo quy định của Bộ luật Lao động": the
    code is searched for "nghỉ hưu khi" — its article on retirement age says "người lao động", and an article that
    happens to mention "công chức" (the code's amendment of another law) must not win on the referring law's word.
    The question as asked when nothing else is left.
    """
    own = content_words(referring.title)
    kept = sorted(w for w in content_words(query) if w not in own)
    return " ".join(w.replace("_", " ") for w in kept) if kept else query


def cite_followed(
    query: str, followed: list[Followed], sources: list[CitedSource], as_of: dt.date
) -> list[CitedSource]:
    """`sources`, those another applies marked (`ReferredSource`, same marker), then the fetched articles (markers
    continue), each quoting its best passage, with its standing on `as_of` and the marker of the source that
    refers to it; those whose referrer is not quoted are left out."""
    marker_of = {s.hit.chunk_id: s for s in sources}
    marked: dict[str, Followed] = {}
    for mark in followed:  # the first mark of a source stands (`applying_first`'s come before the follower's)
        if mark.quoted and mark.referred_by.chunk_id in marker_of:
            marked.setdefault(mark.hit.chunk_id, mark)
    out: list[CitedSource] = []
    for s in sources:
        f = marked.get(s.hit.chunk_id)
        if f is None or isinstance(s, ReferredSource):
            out.append(s)
            continue
        referrer = marker_of[f.referred_by.chunk_id]
        referral = Referral(referrer.marker, referrer.hit.anchor, f.reference)
        out.append(ReferredSource(s.marker, s.hit, s.text, s.start, s.end, s.standing, referral))
    for f in followed:
        by = marker_of.get(f.referred_by.chunk_id)
        if by is None or f.quoted:
            continue
        text, start, end = best_passage(query, f.hit)
        marker = len(out) + 1
        s = with_standing(CitedSource(marker, f.hit, text, start, end), as_of)
        referral = Referral(by.marker, by.hit.anchor, f.reference)
        out.append(ReferredSource(s.marker, s.hit, s.text, s.start, s.end, s.standing, referral))
    return out


def _scoped(filters: Filters, **target: Any) -> Filters:
    """The reader's filter aimed at a referenced text: clearance, date, validity and document fence kept."""
    reset: dict[str, Any] = {"types": (), "issuers": (), "year_from": None, "year_to": None, "numbers": (), "cited": ()}
    return replace(filters, **{**reset, **target})


def _stated_in(ref: Reference, hit: Hit) -> bool:
    """Whether the reference is made in the hit's chunk (a reference without its sentence is given the benefit)."""
    if not ref.sentence:
        return True
    return _lines(ref.sentence) in _lines(hit.text)


def _lines(text: str) -> str:
    """`text` with the white space inside each line collapsed, its line breaks kept: a reference's sentence is
    found whatever its spacing, and an article's heading line stays a sentence of its own (`names_the_matter`).

    >>> _lines("Điều 60.  Nghỉ hưu\\n Công chức được   nghỉ hưu ")
    'Điều 60. Nghỉ hưu\\nCông chức được nghỉ hưu'
    """
    return "\n".join(line for line in (" ".join(part.split()) for part in text.splitlines()) if line)


def searchable(hit: Hit) -> str:
    """A hit's headings and text, as evidence.assess reads a hit: where its person and matter are looked for."""
    return f"{' '.join(hit.heading_path)}\n{hit.text}"
