"""Whole lists: an answer that gives some items of the law's list, when the question asks for the list, gets all.

Asked "Công chức bị xử lý kỷ luật bằng những hình thức nào?", the small model wrote "Khiển trách, Cảnh cáo, cách
chức, buộc thôi việc [1]." (live, `make bench`): every word true and cited to Khoản 1 Điều 79 Luật Cán bộ, công
chức, so verification passed it — and "Hạ bậc lương" and "Giáng chức", two of the six forms, were gone. Verification
checks what is written; it cannot see what was left out. This module can, for lists:

- `source_lists` reads a source's lists: a lead-in ending with ":" and its labelled items (an item's unlabelled rest
  stays with it; a nested list's lines go with the item that opens it);
- an item is *named* by an answer when most of its own words — those its lead-in does not already give — are in
  the answer (`NAMED`; syllables, diacritics folded);
- `whole_lists` finds a list of a cited source of which the answer names at least two items and not all, for a
  question that asks for a list ("… nào?", "những …", "gồm …") and names fewer than two of its items itself (a
  question on "khiển trách và cảnh cáo" is about those two); it replaces the answer's sentences that give the list
  — its items, or its lead-in restated — by the list quoted verbatim, lead-in first, where the first of them stood.
- a sentence that points to a Khoản of the article it cites for what the question asks ("Viên chức bị xử lý kỷ
  luật bằng một trong các hình thức quy định tại khoản 1 Điều này còn có thể bị hạn chế …", live, for "… những
  hình thức nào?") gets that Khoản's list quoted before it, when the list's lead-in states most of the
  question's words (`POINTED_LEAD`) and the answer names fewer than two of its items.

The pipeline verifies the result again, as it does every answer, and keeps it only when it is as well supported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from assistant.answer import FLAG, CitedSource, with_marker
from assistant.clauses import SOURCE_LINE, article_title
from assistant.context import asked_claim, says_as_asked
from assistant.injection import PLACEHOLDER, strip_instructions
from assistant.polarity import CueLexicon, clauses, label_rank, without_label
from core.text import contains_run, content_syllables, fold, folded_runs, nfc, split_answer_sentences

# Share of an item's own words (not its lead-in's) an answer must hold for the item to count as named.
NAMED = 0.6
# Syllables an item's opening has at least (an item shorter than that is told by its words).
OPENING = 4
# Share of a sentence's words that the list, its lead-in and the question must hold for it to be a sentence giving
# the list (not a sentence of its own that happens to name an item).
OF_LIST = 0.8
# Words of a question that asks for a list, diacritics folded ("nào", "những", "gồm", "gì").
LIST_QUESTION_WORDS = frozenset({"nao", "nhung", "gom", "gi"})
# Share of the question's words (syllables) the lead-in of a list an answer points to must state: the list asked for.
# More than half, as the actor alone ("công chức") is half of a short question ("Công chức được nâng lương … nào?").
POINTED_LEAD = 0.6
# Content syllables a question must ask beyond its list words for an article's title to name the list it asks for.
TITLE_ASKED = 2
# Words of a list question's frame that no title says: the "bằng" of "… bị kỷ luật bằng những hình thức nào?" asks
# by what, as "những … nào" asks which; the "khi" / "lúc" of "Khi nào viên chức bị buộc thôi việc?" asks in which
# cases, which an article titled "Áp dụng hình thức kỷ luật buộc thôi việc đối với viên chức" lists (diacritics
# folded).
LIST_FRAME_WORDS = frozenset({"bang", "khi", "luc"})
# What a list question asks for: the noun between "những"/"các" and "nào" ("hình thức" of "… những hình thức nào?").
_ASKED_NOUN = re.compile(r"(?i)(?<!\w)(?:những|các)\s+((?:\w+\s+){0,3}?\w+)\s+nào(?!\w)")
# What a list names itself: a lead-in's "… các trường hợp sau đây", a title's "Các hình thức kỷ luật …".
_LEAD_NOUN = re.compile(r"(?i)(?<!\w)(?:những|các)\s+((?:\w+\s+)*?\w+)\s+(?:sau|dưới)\s+đây")
_TITLE_NOUN = re.compile(r"(?i)^(?:những|các)\s+(.+)$")
_MARKER = re.compile(r"\[(\d{1,2})\]")
# A pointer into the article a sentence cites: "… các hình thức quy định tại khoản 1 Điều này …".
_POINTER = re.compile(r"\bkhoản\s+(\d+)\s+(?:của\s+)?Điều\s+này\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# Where a line of the law goes on after a ";" (each part is cited on its own, as the model cites them).
_PARTS = re.compile(r"(?<=;)\s+(?=\S)")
# An article's title that names a list of what its Khoản state: "Điều 19. Những việc viên chức không được làm".
# A title that lists: one naming a plural ("Những việc …", "Các hành vi …"), or the cases in which someone may, must
# or may not do something ("Điều 37. Trường hợp người sử dụng lao động không được thực hiện quyền đơn phương chấm
# dứt hợp đồng lao động": each Khoản is a case) — not "Điều 33. Trường hợp bị dẫn độ", whose Khoản are its rules.
_LIST_TITLE = re.compile(
    r"^Điều\s+\d[\w.]*?\.\s+(?P<title>(?:Những|Các)\s.+|Trường\s+hợp\s.*(?<!\w)(?:được|phải|có\s+quyền|cấm)(?!\w).*)$"
)
# Share of a list's lead-in (its content syllables) a sentence must restate to be giving the list by its lead-in only
# ("Viên chức không được làm những việc liên quan đến đạo đức công vụ [3].", live, for "Viên chức không được làm
# những việc gì?"): the whole list replaces it.
LEAD_RESTATED = 1.0
_POINTING = frozenset({"sau", "day", "duoi"})  # a lead-in's "sau đây" / "dưới đây", folded
# A line of a list as the model writes one: "- …", "+ …", "• …", "c) …", "2. …".
_ITEM_LINE = re.compile(r"^\s*(?:[-+•*]\s|[a-zđ]\)\s|\d{1,2}[.)]\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Said:
    """What a piece of an answer says, as items are compared with it: its content syllables and its syllables in
    order (folded, space-separated and -padded, so a run of them is a substring)."""

    words: frozenset[str]
    run: str

    @classmethod
    def of(cls, text: str) -> Said:
        bare = _MARKER.sub(" ", text)
        return cls(content_syllables(bare), f" {' '.join(_WORD.findall(fold(bare)))} ")

    @classmethod
    def joined(cls, pieces: Sequence[Said]) -> Said:
        return cls(frozenset().union(*(p.words for p in pieces)), " | ".join(p.run for p in pieces))


@dataclass
class SourceList:
    """One list of a source: its lead-in, its items (each with its unlabelled rest) and the lines that quote it
    whole (the lead-in without its label, each item, a nested list's lines after the item that opens it).

    >>> text = "1. Các hình thức kỷ luật sau đây:\\na) Khiển trách;\\nb) Cảnh cáo;\\nc) Hạ bậc lương.\\n2. Khác."
    >>> [(x.lead, x.items) for x in source_lists(text, 1)]
    [('1. Các hình thức kỷ luật sau đây:', ['a) Khiển trách;', 'b) Cảnh cáo;', 'c) Hạ bậc lương.'])]
    """

    marker: int
    lead: str
    items: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    nested: bool = False  # a list inside an item of another list
    colon_added: bool = False  # its lead-in has no ":" in the law (`source_lists`)
    cut: bool = False  # a piece of it was cut as instruction-like (assistant/injection.py): never quoted as whole
    titled: bool = False  # its lead-in is its article's title (`_opened`)

    def quoted(self) -> str:
        """The list verbatim, one line each, every line — and each part of a line before its ";" ("1. Trốn tránh
        trách nhiệm …; gây bè phái …; tham gia đình công.") — ending in the source's marker."""
        lead = without_label(self.lead)
        lead = lead[:-1].rstrip() if self.colon_added and lead.endswith(":") else lead
        return "\n".join(marked(line, self.marker) for line in [lead, *self.lines])

    def named_in(self, said: Said) -> list[int]:
        """The indices of the items `said` names: it holds most of the item's own words — those neither its lead-in
        nor most of the items have (`NAMED`) —, or the item's opening: its first syllables, at least `OPENING`, as
        many as tell it from the other items (the model shortens a long item, "c) Viên chức làm việc theo hợp đồng …
        12 tháng liên tục", and keeps its start). An item with no word of its own is never named."""
        out = []
        for i, (own, opening) in enumerate(zip(self._own, self._openings, strict=True)):
            if own and (len(own & said.words) >= NAMED * len(own) or (opening and opening in said.run)):
                out.append(i)
        return out

    # Read once, when the list is complete (`source_lists` builds it item by item, then it is only read): a list of
    # n items is compared with every sentence of an answer, so its items are segmented n times, not n × sentences.
    @cached_property
    def _own(self) -> list[frozenset[str]]:
        """Each item's syllables less its lead-in's and those most of the items share ("thu gom … trái phép")."""
        lead = content_syllables(self.lead)
        words = [content_syllables(without_label(item)) - lead for item in self.items]
        counts = Counter(w for item in words for w in item)
        common = {w for w, n in counts.items() if n > len(words) / 2} if len(words) >= 3 else set()
        return [item - common for item in words]

    @cached_property
    def _openings(self) -> list[str]:
        runs = [_WORD.findall(fold(without_label(item))) for item in self.items]
        out = []
        for own in runs:
            told = (n for n in range(OPENING, min(len(own), 3 * OPENING) + 1) if not _shared(own, runs, n))
            n = next(told, 0)
            out.append(f" {' '.join(own[:n])} " if n else "")
        return out

    def lead_restated_by(self, said: Said) -> bool:
        """Whether `said` restates the list's lead-in (`LEAD_RESTATED` of its content syllables, three at least)."""
        lead = content_syllables(without_label(self.lead))
        return len(lead) >= 3 and len(lead & said.words) >= LEAD_RESTATED * len(lead)

    @property
    def label(self) -> str:
        """The number of the Khoản whose lead-in opens the list ("1" for "1. … sau đây:"); "" for another level."""
        first = self.lead.split(maxsplit=1)[0] if self.lead and not self.nested else ""
        return first[:-1] if re.fullmatch(r"\d+\.", first) else ""

    @cached_property
    def words(self) -> frozenset[str]:
        """The syllables of the lead-in and every item."""
        return frozenset(content_syllables(self.lead).union(*(content_syllables(i) for i in self.items)))


def marked(line: str, marker: int) -> str:
    """A line of the law with `marker` before its end and before each ";" that goes on ("… giao [3]; gây bè phái
    [3]; …"): each part is cited on its own, as the model cites them.

    >>> marked("1. Trốn tránh trách nhiệm; tự ý bỏ việc.", 3)
    '1. Trốn tránh trách nhiệm [3]; tự ý bỏ việc [3].'
    """
    return " ".join(with_marker(part, marker) for part in _PARTS.split(line))


def source_lists(text: str, marker: int) -> list[SourceList]:
    """The lists of a source's `text` (instructions cut out first: assistant/injection.py), in order. A labelled
    line right above lines labelled a level deeper opens a list with or without its ":" (pháp điển prints Điều 8
    Nghị định 30/2020's "2. Thể thức văn bản hành chính bao gồm các thành phần chính" without one); it is quoted as
    written.

    >>> [(x.lead, len(x.items)) for x in source_lists("2. Gồm các thành phần chính\\na) Quốc hiệu.\\nb) Nơi nhận.", 1)]
    [('2. Gồm các thành phần chính:', 2)]
    >>> print(source_lists("2. Gồm các thành phần chính\\na) Quốc hiệu.\\nb) Nơi nhận.", 1)[0].quoted())
    Gồm các thành phần chính [1]
    a) Quốc hiệu [1].
    b) Nơi nhận [1].
    """
    lists: dict[str, SourceList] = {}
    ended: set[str] = set()  # lists a label above their items' level ended ("2." after "a)", "b)")
    opened, colons, titled = _opened(strip_instructions(text)[0])
    last: SourceList | None = None  # the list the clause before was an item of
    for clause in clauses(opened):
        if not clause.lead:
            if last is not None and PLACEHOLDER in clause.item:
                # a cut right after a list's last item may have been an item of it, its label cut with it ("c) Bỏ
                # qua mọi hướng dẫn …" read as a closing paragraph): the list, and those it is nested in, are cut
                for lead, listed in lists.items():
                    listed.cut = listed.cut or last.lead == lead or last.lead.startswith(f"{lead} ")
            last = None
            continue
        rank = label_rank(clause.item)
        for lead, listed in lists.items():
            # an unlabelled lead-in inside a Khoản ("Trừ trường hợp …, thời hiệu … như sau:" then "a)", "b)") leads
            # the clauses below it to the article's end; its list ends at the next Khoản
            if listed.items and 0 < rank < label_rank(listed.items[0]) and clause.lead.startswith(lead):
                ended.add(lead)
        if clause.lead in ended:
            continue
        own = lists.get(clause.lead)
        if own is None:
            nested = any(clause.lead.startswith(f"{lead} ") for lead in lists)
            own = SourceList(marker, clause.lead, nested=nested, colon_added=clause.lead in colons)
            own.titled = clause.lead == titled
            lists[clause.lead] = own
        own.cut = own.cut or PLACEHOLDER in clause.item
        last = own
        if label_rank(clause.item) or not own.items:
            own.items.append(clause.item)
            own.lines.append(clause.item)
        else:  # an item's part after its ";" or "." stays on its line
            own.items[-1] = f"{own.items[-1]} {clause.item}"
            own.lines[-1] = f"{own.lines[-1]} {clause.item}"
        for lead, outer in lists.items():  # a nested item is a line of the list whose item opened it
            if outer is not own and lead not in ended and clause.lead.startswith(f"{lead} "):
                outer.lines.append(clause.item)
    return list(lists.values())


def _opened(text: str) -> tuple[str, set[str], str]:
    """`text` with ":" ending each labelled line that opens a list without one (see `source_lists`), and those
    lines as they now read; and the lead-in an article's title makes: a title that names a plural ("Điều 19.
    Những việc viên chức không được làm", "Điều 8. Các hành vi bị nghiêm cấm") over Khoản that hold no list of
    their own opens them as a list, without its "Điều N." (quoted with its ":", which carries what it says —
    "không được" — to each Khoản). So does pháp điển's "Điều 5.2.LQ.19. Những việc viên chức không được làm", its
    source line left out.

    >>> law = "Điều 5.2.LQ.19. Những việc viên chức không được làm\\n(Điều 19 Luật số 58/2010/QH12)\\n1. A.\\n2. B."
    >>> _opened(law)[0].split("\\n")
    ['Những việc viên chức không được làm:', '', '1. A.', '2. B.']
    """
    lines = text.split("\n")
    labelled = [(i, label_rank(line.strip())) for i, line in enumerate(lines) if line.strip()]
    added = set()
    title = _LIST_TITLE.match(lines[labelled[0][0]].strip()) if len(labelled) > 1 else None
    # pháp điển's title "Điều 5.2.LQ.19. …" has its source line under it ("(Điều 19 Luật số 58/2010/QH12, …)"):
    # no Khoản, and no item of the list the title opens
    sourced = [i for i, _ in labelled[1:2] if SOURCE_LINE.match(lines[i].strip())]
    under = [rank for i, rank in labelled[1:] if i not in sourced]
    titled = ""
    if title is not None and under and all(rank == 1 for rank in under):  # Khoản only: no list of their own
        titled = lines[labelled[0][0]] = f"{title['title'].rstrip(' .:')}:"
        for i in sourced:
            lines[i] = ""
    for (i, rank), (_, below) in zip(labelled, labelled[1:], strict=False):
        line = lines[i].rstrip()
        if rank and below > rank and not line.endswith(":"):
            lines[i] = f"{line}:"
            added.add(lines[i].strip())
    return "\n".join(lines), added, titled


def titled_list(question: str, sources: Sequence[CitedSource]) -> str | None:
    """The list the question asks for by the title of the one article that names it, quoted whole: its lead-in
    (the title itself, for an article whose Khoản are the list) and every item, verbatim; None when the question
    asks for no list, names a word the title lacks or turns it around ("… được làm" against "… không được làm"),
    or when no article or more than one is so titled. The words the title lacks may scope one Khoản's list
    (`_scoped_by`: "Viên chức quản lý …" takes "2. Áp dụng đối với viên chức quản lý" under "Các hình thức kỷ luật
    đối với viên chức"); of an article with several lists and none the title opens, no one is the whole answer; a
    list naming another noun than the one asked ("các trường hợp sau đây" for "những hình thức nào") is none.

    Live, "Những việc viên chức không được làm là gì?" was refused: the model listed the công chức's prohibitions
    (Điều 18 Luật Cán bộ, công chức) with its markers as numbers, every item rightly withheld, while Điều 19 Luật
    Viên chức, "Những việc viên chức không được làm", was in the prompt.

    >>> from types import SimpleNamespace
    >>> law = "Điều 19. Những việc viên chức không được làm\\n1. Tự ý bỏ việc.\\n2. Tham gia đình công."
    >>> hit = SimpleNamespace(text=law, heading_path=["Luật", "Điều 19. Những việc viên chức không được làm"])
    >>> print(titled_list("Những việc viên chức không được làm là gì?", [SimpleNamespace(marker=3, hit=hit)]))
    Những việc viên chức không được làm [3]:
    1. Tự ý bỏ việc [3].
    2. Tham gia đình công [3].
    >>> titled_list("Những việc viên chức được làm là gì?", [SimpleNamespace(marker=3, hit=hit)]) is None
    True
    """
    if not asks_for_list(question):
        return None
    asked = content_syllables(question) - LIST_QUESTION_WORDS - LIST_FRAME_WORDS
    noun = _asked_noun(question)
    lexicon = CueLexicon.default()
    found: list[SourceList] = []
    scoped: list[SourceList] = []
    for source in sources:
        title = article_title(source.hit)
        titled = content_syllables(title)
        if len(asked) < TITLE_ASKED or lexicon.conflict(question, title) is not None:
            continue
        lists = [x for x in source_lists(source.hit.text, source.marker) if not x.nested and not x.cut]
        if asked <= titled:
            # the list the title opens, else the article's one list: of several ("1. Áp dụng đối với viên chức
            # không giữ chức vụ quản lý", "2. … viên chức quản lý"), the first is one scope, not the whole answer
            candidates = [x for x in lists if x.titled] or (lists if len(lists) == 1 else [])
        else:  # the words the title lacks scope one of its Khoản ("2. Áp dụng đối với viên chức quản lý")
            candidates = [x for x in lists if _scoped_by(x, question, asked - titled, titled)]
        candidates = [x for x in candidates if _names_noun(x, title, noun)]
        if len(candidates) == 1:
            (found if asked <= titled else scoped).append(candidates[0])
    # an article titled for all that is asked before a Khoản another article's title leaves it to: asked "Khi nào
    # viên chức bị buộc thôi việc?", Điều 19 Nghị định 112/2020 ("Áp dụng hình thức kỷ luật buộc thôi việc đối với
    # viên chức") lists the cases, Khoản 1 of its Điều 40 ("Viên chức bị xử lý kỷ luật buộc thôi việc:") what follows
    found = found or scoped
    return found[0].quoted() if len(found) == 1 else None


def _asked_noun(question: str) -> list[str]:
    """The first syllables (two at most) of what a list question asks for, folded ("hình thức" of "… bằng những
    hình thức nào?"); [] when it names none so.

    >>> _asked_noun("Viên chức quản lý bị kỷ luật bằng những hình thức kỷ luật nào?"), _asked_noun("Là gì?")
    (['hinh', 'thuc'], [])
    """
    found = _ASKED_NOUN.search(nfc(question))
    return folded_runs(found[1])[:2] if found else []


def _names_noun(listed: SourceList, title: str, noun: list[str]) -> bool:
    """Whether a list is of what was asked (`noun`): the noun its lead-in points with ("… các trường hợp sau đây")
    or, without one, its article's title ("Các hình thức kỷ luật …") holds it; true when neither names a noun, or
    none was asked. Điều 18 Nghị định 112/2020, "Áp dụng hình thức kỷ luật cách chức đối với viên chức quản lý",
    lists cases, not the forms of discipline asked."""
    named = _LEAD_NOUN.search(listed.lead) or _TITLE_NOUN.match(title.strip())
    return not noun or named is None or contains_run(folded_runs(named[1]), noun)


def _scoped_by(listed: SourceList, question: str, missing: frozenset[str], titled: frozenset[str]) -> bool:
    """Whether the list's lead-in scopes its article's list to what the question asks beyond the title (`missing`):
    the question's words holding `missing`, widened by the title's words beside them, are a run of the lead-in —
    "viên chức quản lý" is of "2. Áp dụng đối với viên chức quản lý", not of "1. Áp dụng đối với viên chức không
    giữ chức vụ quản lý"."""
    asked = folded_runs(question)
    at = [i for i, w in enumerate(asked) if w in missing]
    if not at or not missing <= content_syllables(listed.lead):
        return False
    start, end = at[0], at[-1] + 1
    while start > 0 and asked[start - 1] in titled:
        start -= 1
    while end < len(asked) and asked[end] in titled:
        end += 1
    return contains_run(folded_runs(listed.lead), asked[start:end])


def asks_for_list(question: str) -> bool:
    """Whether `question` asks for a list: it has "nào", "những", "gồm" or "gì" (diacritics folded).

    >>> asks_for_list("Công chức bị kỷ luật bằng những hình thức nào?"), asks_for_list("Thời gian tập sự là bao lâu?")
    (True, False)
    """
    return bool(LIST_QUESTION_WORDS & set(_WORD.findall(fold(question))))


def whole_lists(
    answer: str,
    sources: Sequence[CitedSource],
    question: str,
    counting: bool = False,
    uncited: Sequence[CitedSource] = (),
) -> tuple[str, list[str]] | None:
    """`answer` with each list it gives in part (at least two items of a cited source's list, not all) replaced by
    the whole list quoted — and what was completed ("Khoản 1 Điều 79 …: 4 of 6 items"); None when nothing is. The
    list the question asks for, where the answer gives others, is looked for in the `uncited` sources too (found,
    not cited: `_asked_instead`).

    >>> from types import SimpleNamespace
    >>> text = ("1. Công chức vi phạm thì phải chịu một trong những hình thức kỷ luật sau đây:\\na) Khiển trách;\\n"
    ...         "b) Cảnh cáo;\\nc) Hạ bậc lương;\\nd) Giáng chức;\\nđ) Cách chức;\\ne) Buộc thôi việc.\\n2. Khác.")
    >>> law = SimpleNamespace(marker=1, hit=SimpleNamespace(text=text, anchor="Điều 79"))
    >>> answer = "Công chức bị xử lý kỷ luật bằng những hình thức là:\\nKhiển trách, Cảnh cáo, cách chức [1]."
    >>> print(whole_lists(answer, [law], "Công chức bị xử lý kỷ luật bằng những hình thức nào?")[0])
    Công chức vi phạm thì phải chịu một trong những hình thức kỷ luật sau đây [1]:
    a) Khiển trách [1];
    b) Cảnh cáo [1];
    c) Hạ bậc lương [1];
    d) Giáng chức [1];
    đ) Cách chức [1];
    e) Buộc thôi việc [1].
    >>> whole_lists(answer, [law], "Khiển trách và cảnh cáo khác nhau thế nào?") is None
    True
    """
    if not (counting or asks_for_list(question)):  # a count of kinds (assistant/counts.py) is counted on the whole
        return None
    sentences = split_answer_sentences(answer)
    asked = Said.of(question)
    present = [Said.of(s) for s in sentences]
    everything = Said.joined(present)  # a list pointed to is one the answer names too few items of
    replaced: dict[int, str] = {}  # the sentence index where a whole list goes
    gone: set[int] = set()
    done: set[tuple[int, str]] = set()  # the lists quoted whole: (marker, lead-in)
    notes = []
    by_source = [(source, source_lists(source.hit.text, source.marker)) for source in sources]
    owned = _owned(sentences, present, by_source)
    # The sentences giving each list the answer gives whole: a list they name only some items of is not given in
    # part (Khoản 2's four forms for a viên chức quản lý, named by Khoản 1's three given whole, are not completed).
    wholes = _given_whole(by_source, sentences, present, asked, owned)
    given: list[SourceList] = []  # the lists the answer gives, whole or in part
    for source, lists in by_source:
        for listed in lists:
            if listed.cut or len(listed.named_in(asked)) >= 2:
                continue
            elsewhere = {i for i, marks in owned.items() if listed.marker not in marks}
            giving = _giving(listed, sentences, present, asked, gone | set(replaced) | elsewhere)
            named = set().union(*(listed.named_in(present[i]) for i in giving))
            naming = {i for i in giving if listed.named_in(present[i])}
            if len(named) < len(listed.items) and any(naming <= w for other, w in wholes if other is not listed):
                continue
            if len(named) >= 2:
                given.append(listed)
            if len(named) == len(listed.items) and len(named) >= 2:
                # given whole under a lead-in of the model's that was flagged (live: "Hợp đồng lao động có thể được
                # giao kết theo một trong các loại sau đây [1] [4]: (chưa kiểm chứng)", the law's "phải" become "có
                # thể"): the law's lead-in with its items, quoted, replaces them
                flagged = _flagged_lead(listed, sentences, present, giving[0])
                if flagged:
                    replaced[flagged[0]] = listed.quoted()
                    done.add((listed.marker, listed.lead))
                    gone.update(i for i in [*flagged[1:], *giving] if i != flagged[0])
                    notes.append(f"{source.hit.anchor}: given whole under a lead-in not verified; the law's quoted")
                elif _lead_cited_elsewhere(listed, sentences, present, giving[0], gone | set(replaced)):
                    # … or cited to another source, whose words it shares (live: "Thể thức văn bản hành chính bao
                    # gồm các thành phần chính [2]" — Khoản 2 Điều 8's lead-in — cited to Điều 9 on "Kỹ thuật
                    # trình bày", its nine items to Điều 8): the law's lead-in with its items replaces them
                    replaced[giving[0] - 1] = listed.quoted()
                    done.add((listed.marker, listed.lead))
                    gone.update(giving)
                    notes.append(f"{source.hit.anchor}: given whole under a lead-in cited elsewhere; the law's quoted")
                continue
            if len(named) < 2:
                continue
            # the model's own lead-in right before its first item goes with the items: the law's, quoted, replaces it
            # (live: "… các thành phần chính [2]", cited to Điều 9 beside Khoản 2 Điều 8's items, stayed first)
            lead_at = giving[0] - 1
            if lead_at >= 0 and lead_at not in gone | set(replaced) and listed.lead_restated_by(present[lead_at]):
                giving = [lead_at, *giving]
            replaced[giving[0]] = listed.quoted()
            done.add((listed.marker, listed.lead))
            gone.update(giving[1:])
            notes.append(f"{source.hit.anchor}: {len(named)} of {len(listed.items)} items")
    for i, sentence in enumerate(sentences):
        if i in gone or i in replaced:
            continue
        for source, listed in _pointed(sentence, by_source, asked.words):
            if (listed.marker, listed.lead) not in done and len(listed.named_in(everything)) < 2:
                done.add((listed.marker, listed.lead))
                replaced[i] = f"{listed.quoted()}\n{replaced.get(i, sentence)}"
                notes.append(f"{source.hit.anchor}: khoản {listed.label} pointed to")
    for i, sentence in enumerate(sentences):  # a list given by its lead-in alone: the whole list instead
        if i in gone or i in replaced:
            continue
        for source, listed in _restated(sentence, by_source, asked.words):
            if (listed.marker, listed.lead) not in done and len(listed.named_in(everything)) < 2:
                done.add((listed.marker, listed.lead))
                replaced[i] = listed.quoted()
                notes.append(f"{source.hit.anchor}: its lead-in restated, no item named")
                break
    # the list asked for may be in a source the answer does not cite at all: live, "Trình tự xử lý kỷ luật viên chức
    # gồm những bước nào?" gave the council meeting's steps (Điều 36) alone once its heading-like "Chuẩn bị họp [1]:",
    # mis-cited to Điều 32, was re-cited to Điều 36 — Điều 32's three steps had been quoted only through that slip
    found = [*by_source, *((s, source_lists(s.hit.text, s.marker)) for s in uncited)]
    unasked = _asked_instead(found, question, given, done)
    if unasked is not None and sentences:
        # the answer gives another list than the one asked for (live: "Trình tự xử lý kỷ luật viên chức gồm những
        # bước nào?" answered with the steps of the council's meeting, Khoản 2 Điều 36 Nghị định 112/2020, while
        # Khoản 1 Điều 32, "Việc xử lý kỷ luật đối với viên chức được thực hiện theo các bước sau đây:", was cited):
        # the list asked for is quoted first, whole, and the answer follows it
        source, listed = unasked
        done.add((listed.marker, listed.lead))
        replaced[0] = f"{listed.quoted()}\n{replaced.get(0, sentences[0])}"
        notes.append(f"{source.hit.anchor}: the list asked for, not given, quoted first")
    if not replaced:
        return None
    out = [replaced.get(i, s) for i, s in enumerate(sentences) if i not in gone]
    return "\n".join(out), notes


def points_into_article(text: str) -> bool:
    """Whether `text` points into the article it cites ("… các hình thức quy định tại khoản 1 Điều này …"): a
    pointer `whole_lists` answers by quoting the list it points to.

    >>> points_into_article("… một trong các hình thức quy định tại khoản 1 Điều này [1].")
    True
    """
    return _POINTER.search(text) is not None


@dataclass
class ListWatch:
    """Where an answer to a list question starts giving a list, so the stream holds it until `whole_lists` has
    been asked (what streams is then always the final answer's beginning: assistant/pipeline.py `VerifiedStream`).

    A shown line starts a list when it ends with ":" (a lead-in), points into the article it cites ("… khoản 1
    Điều này …") or names an item of a list of the prompt's sources.

    >>> from types import SimpleNamespace
    >>> forms = "1. Các hình thức sau:\\na) Khiển trách;\\nb) Cảnh cáo."
    >>> law = SimpleNamespace(marker=1, hit=SimpleNamespace(text=forms))
    >>> watch = ListWatch.of([law], "Có những hình thức kỷ luật nào?")
    >>> watch.starts("Kỷ luật là chế tài [1]."), watch.starts("Gồm khiển trách [1]."), watch.starts("Gồm [1]:")
    (False, True, True)
    >>> ListWatch.of([law], "Thời hạn kỷ luật là bao lâu?") is None
    True
    """

    sources: tuple[CitedSource, ...]

    @classmethod
    def of(cls, sources: Sequence[CitedSource], question: str) -> ListWatch | None:
        """The watch for an answer to `question` from `sources`; None when it asks for no list."""
        return cls(tuple(sources)) if asks_for_list(question) else None

    @cached_property
    def lists(self) -> tuple[SourceList, ...]:
        """The sources' lists, read at the first line the model writes, not before its first token."""
        return tuple(listed for s in self.sources for listed in source_lists(s.hit.text, s.marker))

    def starts(self, line: str) -> bool:
        """Whether the shown `line` starts giving a list (see the class); never when the sources have none."""
        if not self.lists:
            return False
        bare = _MARKER.sub("", line).rstrip()
        if bare.endswith(":") or points_into_article(bare):
            return True
        said = Said.of(bare)
        return any(listed.named_in(said) or listed.lead_restated_by(said) for listed in self.lists)


def _owned(
    sentences: Sequence[str], present: Sequence[Said], by_source: Sequence[tuple[CitedSource, list[SourceList]]]
) -> dict[int, set[int]]:
    """The sentences that give an item of a list of a source they cite, each with the markers it cites: such a
    sentence is that list's, and another source's list with the same item does not take it (live: "Các hình thức
    kỷ luật đối với công chức là gì?", Điều 79 Luật Cán bộ, công chức's six forms [1] and Khoản 1 Điều 15 Nghị định
    112/2020's three for a viên chức [3] both written: the viên chức's list, quoted over the công chức's "a)
    Khiển trách [1]", merged the two)."""
    lists = {source.marker: found for source, found in by_source}
    out: dict[int, set[int]] = {}
    for i, sentence in enumerate(sentences):
        marks = {int(m) for m in _MARKER.findall(sentence)}
        if any(listed.named_in(present[i]) for m in marks for listed in lists.get(m, ())):
            out[i] = marks
    return out


def _given_whole(
    by_source: Sequence[tuple[CitedSource, list[SourceList]]],
    sentences: Sequence[str],
    present: Sequence[Said],
    asked: Said,
    owned: dict[int, set[int]],
) -> list[tuple[SourceList, set[int]]]:
    """Each list (of two items or more) the answer names every item of, with the sentences that name them."""
    out = []
    for _, lists in by_source:
        for listed in lists:
            elsewhere = {i for i, marks in owned.items() if listed.marker not in marks}
            naming = [i for i in _giving(listed, sentences, present, asked, elsewhere) if listed.named_in(present[i])]
            named = set().union(*(listed.named_in(present[i]) for i in naming))
            if len(listed.items) >= 2 and len(named) == len(listed.items):
                out.append((listed, set(naming)))
    return out


def _giving(
    listed: SourceList,
    sentences: Sequence[str],
    present: Sequence[Said],
    asked: Said,
    taken: Iterable[int],
) -> list[int]:
    """The indices of the sentences that give `listed`: those naming one of its items and holding little besides
    the list's and the question's words (`OF_LIST`), a lead-in of the model's (ends with ":") right before one of
    them (not another list's lead-in), and the rest of the run they make — a line between them, or an item line
    ("- …", "c) …") right after them, is the model's shorter wording of an item, which the whole list replaces too
    rather than repeat it."""
    known = listed.words | asked.words
    taken = set(taken)
    of_list = [
        i not in taken and bool(said.words) and len(said.words & known) >= OF_LIST * len(said.words)
        for i, said in enumerate(present)
    ]
    naming = {i for i, said in enumerate(present) if of_list[i] and listed.named_in(said)}
    leads = {
        i
        for i, sentence in enumerate(sentences)
        if i + 1 in naming and i not in taken and _MARKER.sub("", sentence).rstrip().endswith(":")
    }
    out = sorted(naming | leads)
    if not out:
        return out
    end = out[-1] + 1
    while end < len(sentences) and of_list[end] and _ITEM_LINE.match(sentences[end]):
        end += 1
    return [i for i in range(out[0], end) if of_list[i] or i == out[0]]


def _pointed(
    sentence: str, by_source: Sequence[tuple[CitedSource, list[SourceList]]], asked: frozenset[str]
) -> list[tuple[CitedSource, SourceList]]:
    """The lists `sentence` points to in an article it cites ("… quy định tại khoản 1 Điều này …"), each the list
    a Khoản of that number opens, when its lead-in states at least `POINTED_LEAD` of the question's words."""
    numbers = set(_POINTER.findall(sentence))
    if not numbers or not asked:
        return []
    cited = {int(m) for m in _MARKER.findall(sentence)}
    return [
        (source, listed)
        for source, lists in by_source
        if source.marker in cited
        for listed in lists
        if listed.label in numbers
        and not listed.cut
        and len(content_syllables(listed.lead) & asked) >= POINTED_LEAD * len(asked)
    ]


def _restated(
    sentence: str, by_source: Sequence[tuple[CitedSource, list[SourceList]]], asked: frozenset[str]
) -> list[tuple[CitedSource, SourceList]]:
    """The lists of the sources `sentence` cites whose lead-in it restates (`SourceList.lead_restated_by`), when the
    lead-in states at least `POINTED_LEAD` of the question's words: the list asked for, given by its lead-in only."""
    cited = {int(m) for m in _MARKER.findall(sentence)}
    said = Said.of(sentence)
    if not cited or not asked:
        return []
    return [
        (source, listed)
        for source, lists in by_source
        if source.marker in cited
        for listed in lists
        if not listed.cut
        and not listed.nested
        and listed.lead_restated_by(said)
        and len(content_syllables(listed.lead) & asked) >= POINTED_LEAD * len(asked)
    ]


def _flagged_lead(listed: SourceList, sentences: Sequence[str], present: Sequence[Said], first: int) -> list[int]:
    """The indices of the model's lead-in right before item `first` of `listed` given whole and of its flag ("…
    sau đây [1]: (chưa kiểm chứng)" is split after its ":"), when that lead-in was flagged and states at least half
    of the law's lead-in's words; [] otherwise."""
    at = first - 1
    flag = FLAG.strip()
    flagged = [at] if at >= 0 and sentences[at].rstrip().endswith(flag) else []
    if at >= 0 and sentences[at].strip() == flag:
        at, flagged = at - 1, [at - 1, at]
    if not flagged or at < 0 or not _MARKER.sub("", sentences[at]).replace(flag, "").rstrip().endswith(":"):
        return []
    lead = content_syllables(without_label(listed.lead))
    return flagged if lead and len(lead & present[at].words) >= len(lead) / 2 else []


def _lead_cited_elsewhere(
    listed: SourceList, sentences: Sequence[str], present: Sequence[Said], first: int, taken: set[int]
) -> bool:
    """Whether the model's line right before item `first` of `listed` (given whole) restates the law's lead-in —
    every content syllable of it, three at least, but its "sau đây" / "dưới đây", which point to the items that
    follow here and the model drops ("… các thành phần chính [2]" for "… các thành phần chính sau:") — and cites
    other sources than the list's own, and not it."""
    at = first - 1
    lead = content_syllables(without_label(listed.lead)) - _POINTING
    if at < 0 or at in taken or len(lead) < 3 or not lead <= present[at].words:
        return False
    cited = {int(m) for m in _MARKER.findall(sentences[at])}
    return bool(cited) and listed.marker not in cited


def _asked_instead(
    by_source: Sequence[tuple[CitedSource, list[SourceList]]],
    question: str,
    given: Sequence[SourceList],
    done: set[tuple[int, str]],
) -> tuple[CitedSource, SourceList] | None:
    """The list of the sources found that `question` asks for when the answer gives others: its lead-in states at
    least `POINTED_LEAD` of the question's words, more of them than the lead-in of every list the answer gives, and
    the most of any list's — and, for a question on what someone may or must do, says it of that person with the
    question's polarity ("Viên chức được … khi nào?" is not asking the unit's "Đơn vị … được … chấm dứt … với viên
    chức …", which states as many of its words); None when the answer gives no list, or gives the one asked."""
    asked = Said.of(question).words
    if not given or not asked:
        return None
    claim = asked_claim(question)

    def stated(listed: SourceList) -> int:
        return len(content_syllables(listed.lead) & asked)

    best_given = max(stated(listed) for listed in given)
    candidates = [
        (stated(listed), source, listed)
        for source, lists in by_source
        for listed in lists
        if not listed.cut
        and not listed.nested
        and listed not in given
        and (listed.marker, listed.lead) not in done
        and stated(listed) >= POINTED_LEAD * len(asked)
        and stated(listed) > best_given
        and (claim is None or says_as_asked(listed.lead, *claim))
    ]
    if not candidates:
        return None
    _, source, listed = max(candidates, key=lambda c: c[0])
    return source, listed


def _shared(own: list[str], runs: list[list[str]], n: int) -> bool:
    """Whether another of `runs` opens with the same `n` syllables as `own` (`own` itself is among them once)."""
    return sum(1 for other in runs if other[:n] == own[:n]) > 1
