"""Clause-exact citations: the Khoản or Điểm of a cited source that states a claim, and the anchor naming it.

A source given to the model is a whole article (or a run of its clauses); a claim rests on one provision inside
it. `SourceOutline` reads the source's structure (Khoản "1.", Điểm "a)" … "đ)" in the order of
ingest/structure.py, with the same span convention: a unit runs from its label to the end of its last line) and
`bind` walks down it:

- the article's heading line (and a pháp điển source line "(Điều 8 Nghị định số …)") is context, never a unit:
  what a claim shares with the heading says nothing about which provision states it;
- at each level the unit is chosen by the claim's numbers first — a claim with numbers binds to the unit stating
  them, whatever a neighbour shares in words — then by the claim's words that the context above does not already
  give (a word of two syllables only when the context has them side by side): the unit giving most of them (at
  least `MIN_SHARE`), ties broken by how many of all the claim's words the unit states ("Thể thức văn bản hành
  chính bao gồm các thành phần chính" is Khoản 2's lead-in, not Khoản 1's definition, though the heading gives
  "hành chính"), then by how much of the unit the claim restates; a tie that stands means the claim speaks of the
  level above, which is where it stays;
- a Khoản with points is descended into the same way, so "Tên loại và trích yếu nội dung văn bản" binds to Điểm đ,
  not to Điểm d or to the whole Khoản 2; the Khoản's closing paragraph after its last Điểm ("Trường hợp quy định
  tại điểm b khoản này …", told apart as ingest/structure.py `closes_points` does) competes with the Điểm and,
  when it states the claim, the claim binds to the Khoản — never to the last Điểm — and its quote is the Khoản's
  lead-in and that paragraph ("2. … như sau: … Thời gian nghỉ … được tính trong 30 ngày đầu …");
- a list item ("f) Nội dung văn bản.") is compared with the law's items (Điểm) first, by content: its label's
  letter is never read, since the model numbers its own list; an item is taken only when it states the claim's
  numbers (live, "- Mức hưởng chế độ ốm đau … là 75% mức tiền lương …" was highlighted on "c) Bằng 50% mức tiền
  lương …", the point with its words, while Khoản 1 states the 75%);
- a pointer into the article ("… quy định tại khoản 1 Điều này") names where a rule stands, not what it says: its
  words and its number are not the claim's, so the clause listing the forms a claim names wins over the clause
  that points to them;
- a source without Khoản (or a claim only the article's lead-in states) binds to the body paragraph that states
  it; only when no unit states the claim does it bind to the article's body as a whole — never to the heading;
- a verbatim quote («…», as a closed answer or a quoted fallback shows the law) binds to where it stands: the
  narrowest unit holding the whole passage, before any word is compared (live, «4. Trường hợp viên chức … chuyển
  đến đơn vị sự nghiệp công lập khác … phải ký kết hợp đồng làm việc mới …» was shown as Khoản 2, which names
  "khoản 4" and shares its words).

The anchor names the level found ("Điểm đ Khoản 2 Điều 8 Nghị định 30/2020/NĐ-CP"), whatever range the source's
own anchor gave ("Khoản 2-4 Điều …" → "Khoản 3 Điều …").

>>> from ingest.model import Citation
>>> from index.search import Hit
>>> text = "Điều 8. Thể thức\\n1. Thể thức là tập hợp các thành phần.\\n2. Gồm các thành phần chính\\n" \\
...        "a) Quốc hiệu.\\nb) Tên cơ quan.\\nc) Số, ký hiệu.\\nd) Địa danh và thời gian ban hành văn bản.\\n" \\
...        "đ) Tên loại và trích yếu nội dung văn bản."
>>> hit = Hit("c", "doc", "Điều 8 Nghị định 30/2020/NĐ-CP", Citation("30/2020/NĐ-CP", "", "8"), 1.0, text, [],
...           100, 100 + len(text), None, None, None, None, "", "public", "")
>>> ref = SourceOutline.of(1, hit).bind("Văn bản ghi tên loại và trích yếu nội dung [1].")
>>> ref.anchor, ref.quote
('Điểm đ Khoản 2 Điều 8 Nghị định 30/2020/NĐ-CP', 'đ) Tên loại và trích yếu nội dung văn bản.')
>>> text[ref.start - 100 : ref.end - 100] == ref.quote
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from assistant.polarity import CueLexicon, label_rank, letter_label, present_words, without_label
from core.text import contains_run, content_words, folded_runs
from index.search import Hit
from ingest.structure import POINT_LETTERS, closes_points, iter_lines

# Half of the claim's words (beyond what the context above gives) must come from one unit for it to state the
# claim: the same bar as a sentence's support in assistant/verify.py.
MIN_SHARE = 0.5
QUOTE_MAX = 400  # characters of a unit's text quoted under "Căn cứ"; the source view shows it whole

_MARKER = re.compile(r"\[\d{1,2}\]")
_QUOTED = re.compile(r"«([^«»]+)»")
# A definition: "10. “Bản sao y” là …" (a Khoản or Điểm label, the term in quotes, "là" / "được hiểu là")
_DEFINES = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|[a-zđ]\))?\s*[“\"]([^”\"]{2,80})[”\"]\s*(?:là|được\s+hiểu\s+là)\s")
MIN_VERBATIM_RUN = 6  # syllables a claim needs to be told apart by being stated word for word
MIN_VERBATIM = 20  # characters a quoted passage needs to be found by its place: a shorter one may recur
_SYLLABLES = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_CLAUSE = re.compile(r"^(\d{1,3})\s*[.\-)]\s*(?=\S)")
_POINT = re.compile(r"^([a-zđ])\s*\)\s*")
_HEADING = re.compile(r"^(?:Điều\s+\d|Mục\s+\S|[IVXLC]+\s*[.:]\s)")
SOURCE_LINE = re.compile(r"^\((?:Điều|Khoản|Điểm)\s.*\)\s*$")  # pháp điển: "(Điều 8 Nghị định số …)"
_LEADING_LEVELS = re.compile(r"^(?:Điểm\s+\S+\s+)?(?:Khoản\s+\S+\s+)?")
# A pointer into the cited article ("… các hình thức quy định tại khoản 1 Điều này", "theo điểm a, b khoản 2 Điều
# này"): its words name where a rule stands, not what it says (`bind`).
_INTO_ARTICLE = re.compile(
    r"(?i)(?:\bquy\s+định\s+)?(?:\b(?:tại|theo)\s+)?(?:\bcác\s+)?(?:\bđiểm\s+[a-zđ](?:\s*(?:,|và|hoặc)\s*[a-zđ])*\s+)?"
    r"\bkhoản\s+\d+(?:\s*(?:,|và|hoặc)\s*\d+)*\s+(?:của\s+)?Điều\s+này\b"
)


def numbers_of(text: str) -> set[str]:
    """The numbers a text states, as assistant/verify.py compares them ("03" and "3" are one number)."""
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(_MARKER.sub(" ", text))}


class Level(StrEnum):
    """How deep a bound provision sits: the article's body, a Khoản, or a Điểm."""

    ARTICLE = "article"
    KHOAN = "khoan"
    DIEM = "diem"


@dataclass(frozen=True)
class ClauseRef:
    """The provision a claim binds to: exactly `document text[start:end]` (NFC offsets, as ingestion stored them);
    `quote` is that text, or for a Khoản bound by its closing paragraph its lead-in "…" that paragraph."""

    marker: int
    document_id: str
    start: int
    end: int
    level: Level
    anchor: str
    quote: str
    clause: str | None = None
    point: str | None = None
    spread: bool = False  # no one provision states the claim: the article's body as a whole, its words spread over it

    @property
    def label(self) -> str:
        """ "Điểm đ Khoản 2", "Khoản 3", "" (the article's body): the level below the article."""
        parts = ([f"Điểm {self.point}"] if self.point else []) + ([f"Khoản {self.clause}"] if self.clause else [])
        return " ".join(parts)

    @property
    def short_quote(self) -> str:
        """The quote as "Căn cứ" shows it: at most `QUOTE_MAX` characters, cut at a space and marked "…"."""
        q = " ".join(self.quote.split())
        if len(q) <= QUOTE_MAX:
            return q
        cut = q.rfind(" ", QUOTE_MAX // 2, QUOTE_MAX)
        return q[: cut if cut > 0 else QUOTE_MAX - 1].rstrip(" ,;:") + "…"

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.document_id, self.start, self.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "level": self.level.value,
            "clause": self.clause,
            "point": self.point,
            "anchor": self.anchor,
            "quote": self.quote,
        }


@dataclass
class Unit:
    """One provision of a source: offsets into the source's text; `lead_end` ends the part above its points."""

    level: Level
    start: int
    end: int
    clause: str | None = None
    point: str | None = None
    lead_end: int | None = None
    children: list[Unit] = field(default_factory=list)
    _present: frozenset[str] | None = field(default=None, repr=False)
    _lead_present: frozenset[str] | None = field(default=None, repr=False)
    _own: set[str] | None = field(default=None, repr=False)
    _numbers: set[str] | None = field(default=None, repr=False)
    _runs: list[str] | None = field(default=None, repr=False)


def _first(label: str | None) -> str | None:
    """The first label of a range ("2-4" → "2")."""
    return label.split("-")[0].strip() or None if label else None


def _next_letter(letter: str) -> str:
    i = POINT_LETTERS.find(letter) + 1
    return POINT_LETTERS[i] if 0 < i < len(POINT_LETTERS) else ""


def outline(
    text: str,
    first_clause: str = "1",
    first_point: str = "a",
    point_clause: str | None = None,
    in_clause: bool = False,
) -> tuple[int, list[Unit]]:
    """(where the context above the units ends, the top-level units) of a source text.

    Numbering runs in order as in ingest/structure.py; a source that starts inside an article (a chunk "Khoản 2-4")
    starts at `first_clause`, one that starts among the points of a clause at `first_point` of `point_clause`. A
    source cited by its clauses (`in_clause`) whose text opens on a point, whatever its letter, opens inside
    `first_clause`'s list, and the clauses after it follow on (live: "Khoản 1-3 Điều 36" made whole from its
    chunks opened on Khoản 1's "đ)"; its "2." then read as no clause, and Khoản 2's "a) Ít nhất 45 ngày …" was
    cited as "Điểm a Điều 36").
    """
    lines = list(iter_lines(text))
    i = 0
    context_end = 0
    while i < len(lines) and (
        (i == 0 and _HEADING.match(lines[i].text)) or (i <= 1 and SOURCE_LINE.match(lines[i].text))
    ):
        context_end = lines[i].end
        i += 1
    top: list[Unit] = []
    clause: Unit | None = None
    point: Unit | None = None
    tail: Unit | None = None  # paragraphs after the open Điểm read as its list's close (ingest/structure.py)
    last_clause: str | None = None
    last_text = ""
    for ln in lines[i:]:
        cm = _CLAUSE.match(ln.text)
        pm = _POINT.match(ln.text)
        expected_clause = str(int(last_clause) + 1) if last_clause else first_clause
        siblings = clause.children if clause is not None else top
        points = [u for u in siblings if u.level is Level.DIEM]
        expected_letter = _next_letter(points[-1].point or "") if points else "a" if clause else first_point
        previous, last_text = last_text, ln.text
        if pm and in_clause and clause is None and not top and point_clause is None:
            # the text opens among the points of the first clause cited, past its lead-in
            point = Unit(Level.DIEM, ln.start, ln.end, clause=first_clause, point=pm.group(1))
            top.append(point)
            point_clause = last_clause = first_clause
            continue
        if cm and cm.group(1) == expected_clause:
            clause = Unit(Level.KHOAN, ln.start, ln.end, clause=cm.group(1))
            top.append(clause)
            point, tail, last_clause = None, None, cm.group(1)
        elif pm and pm.group(1) == expected_letter:
            if point is not None and tail is not None:  # a Điểm of several paragraphs, not the list's close
                point.end = tail.end
                siblings.remove(tail)
            tail = None
            owner = clause.clause if clause else point_clause
            point = Unit(Level.DIEM, ln.start, ln.end, clause=owner, point=pm.group(1))
            if clause is not None:
                if clause.lead_end is None:
                    clause.lead_end = point.start
                clause.children.append(point)
            else:
                top.append(point)
        elif point is not None and (tail is not None or closes_points(previous, ln.text)):
            if tail is None:  # the Khoản's (or the article's) own closing paragraph: a unit of its level
                owner = clause.clause if clause else point_clause
                tail = Unit(Level.KHOAN if owner else Level.ARTICLE, ln.start, ln.end, clause=owner)
                siblings.append(tail)
            for span in (tail, clause):
                if span is not None:
                    span.end = ln.end
            continue
        elif point is None and clause is None:
            top.append(Unit(Level.ARTICLE, ln.start, ln.end))  # a body paragraph outside any Khoản
            continue
        for span in (point, clause):
            if span is not None:
                span.end = ln.end
    return context_end, top


@dataclass
class SourceOutline:
    """A cited source's provisions, read once, that claims are bound to (`bind`)."""

    marker: int
    hit: Hit
    context_end: int
    units: list[Unit]
    _context: frozenset[str] | None = None
    _context_phrases: str | None = None

    @classmethod
    def of(cls, marker: int, hit: Hit) -> SourceOutline:
        c = hit.citation
        point_clause = _first(c.clause) if c.point else None
        end, units = outline(hit.text, _first(c.clause) or "1", _first(c.point) or "a", point_clause, bool(c.clause))
        return cls(marker, hit, end, units)

    # -- words, found once per unit ------------------------------------------------------------------------------

    def _text(self, u: Unit) -> str:
        return self.hit.text[u.start : u.end]

    def context(self) -> frozenset[str]:
        """Words the claim may take from above every unit: heading, source line, anchor, heading path."""
        if self._context is None:
            self._context = present_words(self._head())
        return self._context

    def _head(self) -> str:
        """The context above every unit, as text: anchor, heading path, heading and source line."""
        return "\n".join([self.hit.anchor, *self.hit.heading_path, self.hit.text[: self.context_end]])

    def _in_context(self, word: str) -> bool:
        """Whether the context above gives `word`: as a word, or its syllables side by side ("ký hiệu", not "KÝ BAN
        HÀNH … có hiệu lực": live, "c) Số, ký hiệu của văn bản" then had no word of its own and bound to Điều 8 as
        a whole)."""
        if word in self.context():
            return True
        if self._context_phrases is None:
            self._context_phrases = " " + " ".join(_SYLLABLES.findall(self._head().lower())) + " "
        return f" {word.replace('_', ' ')} " in self._context_phrases

    def _context_numbers(self) -> set[str]:
        return numbers_of(self._head())

    def _present(self, u: Unit) -> frozenset[str]:
        if u._present is None:
            u._present = present_words(self._text(u))
        return u._present

    def _lead_present(self, u: Unit) -> frozenset[str]:
        if u._lead_present is None:
            lead = self.hit.text[u.start : u.lead_end if u.lead_end is not None else u.end]
            u._lead_present = present_words(lead)
        return u._lead_present

    def _numbers(self, u: Unit) -> set[str]:
        """The numbers a unit states, its label aside: read once, for binding and for the case check."""
        if u._numbers is None:
            u._numbers = numbers_of(without_label(self._text(u)))
        return u._numbers

    def _runs(self, u: Unit) -> list[str]:
        """A unit's syllables in order, folded (`folded_runs`): where a claim is found word for word."""
        if u._runs is None:
            u._runs = folded_runs(self._text(u))
        return u._runs

    def _own(self, u: Unit) -> set[str]:
        if u._own is None:
            u._own = content_words(without_label(self._text(u)))
        return u._own

    # -- binding -------------------------------------------------------------------------------------------------

    def bind(self, claim: str) -> ClauseRef | None:
        """The narrowest provision of this source that states `claim` (module docstring); None: no unit at all."""
        if not self.units:
            return None
        placed = self._where_quoted(claim)
        if placed is not None:
            return self._ref(placed.level, placed.start, placed.end, placed.clause, placed.point)
        body = _MARKER.sub(" ", claim)
        unlabelled = without_label(body.strip())  # a "4." label states no 4
        # a pointer into the article names where, not what: "… gồm các hình thức kỷ luật bằng một trong các hình
        # thức quy định tại khoản 1 Điều này, bao gồm khiển trách, cảnh cáo, cách chức, buộc thôi việc" is Khoản 1
        # Điều 52 Luật Viên chức (the forms), not Khoản 2, which holds the pointer word for word (live: highlighted
        # there, verified)
        stated = _INTO_ARTICLE.sub(" ", unlabelled)
        words = content_words(stated)
        rest = {w for w in words if not self._in_context(w)}
        numbers = numbers_of(stated) - self._context_numbers()
        if label_rank(body.strip()) > 0:
            # a list item restates an item of the law's list: compared with the items first, whatever its letter
            units = [p for u in self.units for p in ([u] if u.level is Level.DIEM else u.children)]
            points = [p for p in units if p.level is Level.DIEM]
            item = self._choose(points, rest, numbers, words, unlabelled) if points else None
            if item is None and points:
                item = self._same_letter(points, rest, numbers, words, letter_label(body.strip()))
            # "- … là 75% …" is no point stating 50%; "- Chính phủ quy định chi tiết … [3]." is Khoản 7 Điều 44 Luật
            # Thi đua, khen thưởng word for word, not the Điểm đ of Khoản 4 it shares "Chính phủ" and "tặng" with
            # (live): a Khoản without points that states more of the claim than the item is no item's
            if (
                item is not None
                and numbers <= self._numbers(item)
                and not any(self._states(u, rest) > self._states(item, rest) for u in self._plain_clauses())
            ):
                return self._ref(item.level, item.start, item.end, item.clause, item.point)
        unit = self._choose(self.units, rest, numbers, words, body)
        if unit is None:
            whole = self._ref(Level.ARTICLE, self.units[0].start, self.units[-1].end, None, None)
            return replace(whole, spread=len(self.units) > 1)
        while unit.children:
            lead = self._lead_present(unit)
            below = self._choose(
                unit.children,
                {w for w in rest if not _covered(w, lead)},
                numbers - numbers_of(without_label(self.hit.text[unit.start : unit.lead_end or unit.end])),
                words,
                unlabelled,
            )
            if below is None:
                break
            if below.point is None:  # the Khoản's closing paragraph states it: the Khoản, quoted lead … close
                opening = self.hit.text[unit.start : unit.lead_end or unit.end].strip()
                quote = f"{opening} … {self._text(below).strip()}"
                return self._ref(unit.level, unit.start, unit.end, unit.clause, unit.point, quote)
            unit = below
        return self._ref(unit.level, unit.start, unit.end, unit.clause, unit.point)

    def _same_letter(
        self, points: list[Unit], rest: set[str], numbers: set[str], words: set[str], letter: str | None
    ) -> Unit | None:
        """Of points that state a lettered item equally well, the one the item's own letter names: the managers'
        "d) Buộc thôi việc" is Khoản 2's Điểm d, not Khoản 1's "c) Buộc thôi việc" (live: bound there, and shown
        relabelled "c)"). None when no such point states as much of the item as the best one does."""
        if letter is None or not rest:
            return None
        states = [self._states(p, rest) for p in points]
        best = max(states)
        same = [p for p, n in zip(points, states, strict=True) if p.point == letter and n == best]
        item = self._choose(same, rest, numbers, words) if best else None
        return item if item is not None and numbers <= self._numbers(item) else None

    def _states(self, u: Unit, words: set[str]) -> int:
        """How many of `words` unit `u` states."""
        present = self._present(u)
        return sum(1 for w in words if _covered(w, present))

    def _plain_clauses(self) -> list[Unit]:
        """The article's provisions that are no list: its Khoản without points (at any depth)."""
        out: list[Unit] = []
        stack = list(self.units)
        while stack:
            u = stack.pop()
            if u.children:
                stack.extend(u.children)
            elif u.level is not Level.DIEM:
                out.append(u)
        return out

    def _where_quoted(self, claim: str) -> Unit | None:
        """The narrowest unit holding the whole passage `claim` quotes («…») verbatim — for a passage over several
        units, the article, just the span quoted —, or None (no quote, a short or an elided one, one found nowhere,
        or once in the context above the units)."""
        m = _QUOTED.search(claim)
        passage = m[1].strip() if m else ""
        # the quote is shown on one line: a lead-in quoted with its items ("… như sau: a) …; b) …") holds a space
        # where the law breaks the line (live, Khoản 1 Điều 35 Bộ luật Lao động so quoted was bound to its Điểm b)
        spaced = re.compile(r"\s+".join(map(re.escape, passage.split()))) if len(passage) >= MIN_VERBATIM else None
        where = spaced.search(self.hit.text) if spaced is not None else None
        if where is None:
            return None
        at, end, found, units = where.start(), where.end(), None, self.units
        while (unit := next((u for u in units if u.start <= at and end <= u.end), None)) is not None:
            found, units = unit, unit.children
        if found is None and end > self.units[0].start:
            # a quote over several provisions — an article's lead-in quoted with its Khoản («… để đình công trong
            # trường hợp sau đây: 1. …; 2. …», Điều 199 Bộ luật Lao động, was bound to its lead-in line alone,
            # which "Căn cứ" showed and the source view highlighted): the article, just the span quoted
            return Unit(Level.ARTICLE, at, end)
        return found

    def case_share(self, numbers: set[str], case: set[str]) -> float | None:
        """How much of `case` a provision that states all of `numbers` names (the best of the narrowest such ones),
        with the lead-ins above it and the context; None when no single provision states them all.

        A claim's figure and the case it gives it for must come from one provision: "… khi ông bà chết được nghỉ
        04 tháng" takes its "04 tháng" from the maternity clause, which names no grandparent (0.5: only "chết").
        """
        numbers = numbers - self._context_numbers()
        if not numbers or not case:
            return None
        best: float | None = None
        for unit, above in self._narrowest_with(numbers, self.units, ()):
            present = self._present(unit) | self.context()
            for parent in above:
                present |= self._lead_present(parent)
            named = sum(1 for w in case if _covered(w, present)) / len(case)
            best = named if best is None else max(best, named)
        return best

    def _narrowest_with(
        self, numbers: set[str], units: list[Unit], above: tuple[Unit, ...]
    ) -> Iterator[tuple[Unit, tuple[Unit, ...]]]:
        """The deepest units of `units` whose text states every number, each with the units above it."""
        for unit in units:
            if numbers <= self._numbers(unit):
                deeper = list(self._narrowest_with(numbers, unit.children, (*above, unit)))
                yield from deeper or [(unit, above)]

    def _lead_text(self, unit: Unit) -> str:
        """A unit's own sentence: its lead-in when it has items (their negations are theirs), else its text."""
        return self.hit.text[unit.start : unit.lead_end or unit.end]

    def _choose(
        self, units: list[Unit], rest: set[str], numbers: set[str], words: set[str], claim: str = ""
    ) -> Unit | None:
        """The one unit of `units` that states the claim, or None when none does or several do equally. With
        `claim` (the article's own units: an item's polarity is its lead-in's), of units that state as many of its
        words, one whose lead-in it does not turn around (assistant/polarity.py) comes first: "Đơn vị được đơn
        phương chấm dứt … trong các trường hợp sau:" is Khoản 1's lead-in, not Khoản 3's "không được …", which shares
        its every content word and is shorter. Of those stating as many of its words (and not defining another term),
        one that states it word for word comes first: "Trong thời hạn 30 ngày … hai bên phải ký kết hợp đồng lao
        động mới" is Điểm a Khoản 2 Điều 20 Bộ luật Lao động, not Điểm b ("Nếu hết thời hạn 30 ngày … mà hai bên
        không ký kết …"), which holds the same words and fewer of its own (live: highlighted there)."""
        candidates = units
        said = folded_runs(without_label(claim.strip())) if claim else []
        said = said if len(said) >= MIN_VERBATIM_RUN else []
        if numbers:
            counts = [len(numbers & self._numbers(u)) for u in units]
            most = max(counts)
            if most:
                candidates = [u for u, n in zip(units, counts, strict=True) if n == most]
                if len(candidates) == 1:
                    return candidates[0]
        if not rest:
            return None
        lexicon = CueLexicon.default()
        scored = []
        for u in candidates:
            present = self._present(u)
            hits = sum(1 for w in rest if _covered(w, present))
            own = self._own(u)
            restated = sum(1 for w in own if _covered_by_claim(w, words)) / len(own) if own else 0.0
            agrees = not claim or lexicon.conflict(claim, self._lead_text(u)) is None
            about = self._about(u, words)
            stated = sum(1 for w in words if _covered(w, present))
            verbatim = contains_run(self._runs(u), said)
            scored.append(((hits, about, verbatim, agrees, stated, round(restated, 6)), u))
        scored.sort(key=lambda s: s[0], reverse=True)
        (best_hits, *_), unit = scored[0]
        if best_hits == 0 or best_hits < MIN_SHARE * len(rest):
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return unit

    def _about(self, u: Unit, words: set[str]) -> bool:
        """Whether unit `u` may speak of the claim: not a definition ("11. “Bản sao lục” là … của bản sao y, được
        trình bày theo thể thức và kỹ thuật quy định.") of a term the claim does not name. Live, "Bản sao y được
        trình bày theo thể thức và kỹ thuật quy định" was highlighted on that Khoản 11, shorter than Khoản 10 ("“Bản
        sao y” là …") and holding the same words."""
        m = _DEFINES.match(self.hit.text[u.start : u.end])
        return m is None or all(_covered_by_claim(w, words) for w in content_words(m[1]))

    def _ref(
        self, level: Level, start: int, end: int, clause: str | None, point: str | None, quote: str | None = None
    ) -> ClauseRef:
        """The bound provision `text[start:end]`; `quote` (default: that text) is what "Căn cứ" shows of it."""
        return ClauseRef(
            marker=self.marker,
            document_id=self.hit.document_id,
            start=self.hit.start + start,
            end=self.hit.start + end,
            level=level,
            anchor=anchor_for(self.hit.anchor, clause, point),
            quote=self.hit.text[start:end] if quote is None else quote,
            clause=clause,
            point=point,
        )


def _covered(word: str, present: frozenset[str]) -> bool:
    return word in present or all(s in present for s in word.split("_"))


def _covered_by_claim(word: str, claim: set[str]) -> bool:
    """Whether a unit's word is one the claim states (a compound of the claim's syllables counts)."""
    if word in claim:
        return True
    syllables = {s for w in claim for s in w.split("_")}
    return all(s in syllables for s in word.split("_"))


def anchor_for(source_anchor: str, clause: str | None, point: str | None) -> str:
    """The source's anchor naming `clause`/`point` instead of whatever range it named.

    >>> anchor_for("Khoản 2-4 Điều 10 Luật Viên chức 58/2010/QH12", "3", None)
    'Khoản 3 Điều 10 Luật Viên chức 58/2010/QH12'
    >>> anchor_for("Mục II.1 Kế hoạch chuyển đổi số", "2", "a")
    'Mục II.2.a Kế hoạch chuyển đổi số'
    """
    if source_anchor.startswith("Mục "):
        path, _, name = source_anchor[4:].partition(" ")
        article = path.split(".")[0]
        return f"Mục {'.'.join(x for x in (article, clause, point) if x)} {name}".rstrip()
    base = _LEADING_LEVELS.sub("", source_anchor, count=1)
    parts = ([f"Điểm {point}"] if point else []) + ([f"Khoản {clause}"] if clause else [])
    return " ".join([*parts, base])


# An article's heading up to its title: "Điều 8. ", "Điều 5.2.LQ.19. ", and the pháp điển's "Điều 19 Luật
# 58/2010/QH12. " or "Điều 20 Nghị định 115/2020/NĐ-CP. " (the first ". " ends it).
_ARTICLE_TITLE = re.compile(r"^Điều\s+\d[^\n]*?\.\s+(?=\S)")


def heading_title(heading: str) -> str:
    """The title an article's heading gives after its number, in either form the corpus has; "" for a heading that
    is not an article's or gives no title.

    >>> heading_title("Điều 19 Luật 58/2010/QH12. Những việc viên chức không được làm")
    'Những việc viên chức không được làm'
    >>> heading_title("Điều 8. Các hành vi bị nghiêm cấm"), heading_title("Chương II"), heading_title("Điều 8.")
    ('Các hành vi bị nghiêm cấm', '', '')
    """
    m = _ARTICLE_TITLE.match(heading)
    return heading[m.end() :].strip() if m else ""


def article_title(hit: Hit) -> str:
    """The title of `hit`'s article, from its headings ("" when they give none)."""
    return next((t for t in map(heading_title, reversed(hit.heading_path)) if t), "")
