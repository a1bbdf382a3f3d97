"""Citation verification: every answer sentence with a marker is checked against the text it cites.

- A marker that names no retrieved source ([7] when 3 were given) is removed from the text before anything else:
  a citation to a chunk that was not retrieved never reaches the user.
- A sentence is supported by its cited sources when enough of its content words occur in them (`min_support`)
  AND every number in it (amounts, durations, dates, article numbers) occurs in them too, and so does every term
  it names of a closed family (assistant/terms.py: "giáng chức" is not "cách chức").
- Support comes only from the law's own text: sentences of a source that address the assistant (found by
  assistant/injection.py) are removed first. An unsupported sentence whose numbers or words occur only in such
  removed text (in no retrieved source's own text) repeats an injected instruction: it is dropped, never shown,
  whatever the policy.
- A link (URL, web address or e-mail) in an answer sentence is removed unless a cited source's trusted metadata
  carries it — none does today, as documents have no URL field — so links never come from document text. A
  sentence that had a link and is then unsupported is dropped.
- A supported sentence must also keep the polarity of the clause that supports it (assistant/polarity.py): a
  negation or an exception of the law that the claim drops, or one the claim adds, flags it ("không được đơn
  phương chấm dứt … trong các trường hợp sau:" answered as "được …" shares almost every word).
  A case of a list whose lead-in forbids ("… không được … trong các trường hợp sau: a) …") is flagged too when
  nothing in the answer's own statement of it says so (under "Trường hợp a:", or alone): it would read as a case
  where the rule applies. The claim must also name the actor its clause names, and a true claim about another
  actor than the one the question asks about is not shown (assistant/actor.py). Of clauses that state a claim's
  words equally, one whose polarity it keeps states it (Khoản 3's "không được …" lead-in, not Khoản 1's "được …").
- An answer to a question asking when an act is done ("… chấm dứt hợp đồng trong trường hợp nào?") whose every
  shown claim forbids that act ("… không được đơn phương chấm dứt … trong các trường hợp sau: …") is true and
  answers the other side of the rule — its exceptions (`Verified.opposite`); the pipeline holds it back and asks
  once more, naming the act. Beside a claim that answers, such claims stay: the exceptions belong with the rule.
- A sentence without any marker is attributed after generation (the small model often drops markers in lists
  and after numbers) and then carries the marker — in `feed`, so the streamed text is the shown text:
  to any source that supports it strongly (`min_attribution` of at least 3 content words, all its numbers); or to a
  clause of a source this answer already cites, when it is a list item the clause's item matches both ways
  (`min_attribution` of its words, half of the item's), or when it states numbers that clause states (all of them,
  and `min_support` of its words). Either way not when it turns that clause's polarity around. Otherwise it is
  removed (an uncited claim is never shown), and so is a question ("…?") and a sentence with no content words
  ("[1] [2]."): neither is a claim. A cited sentence that its sources do not support but another retrieved
  source states in full (the strong attribution test above) was mis-numbered — the small model cites [1] for
  what [4] says — and is re-cited to that source (its check records "re-cited"). Other cited but unsupported
  sentences are flagged (kept, marked "(chưa kiểm chứng)") or removed (`drop_unsupported`).
- An unmarked piece that goes on quoting its source where the previous, cited piece stopped at ";" or "," (the
  law's enumeration, cut by the sentence splitter) carries that piece's marker.
- A sentence that says again what a shown sentence said (the same words, markers and list label aside: the small
  model loops) is not shown twice; the part right after a lead-in's ":" is compared with its lead-in ("nghỉ 03
  ngày." under "c) … chết:" is not a repeat of a)'s). A list the model numbers with markers ("[1] …\\n[2] …") is
  read as a list (`MarkerLines`): each line an item whose marker is a citation to check. A marker spelled as the
  prompt names it ("[số tài liệu 2]") is read as "[2]".
- A claim's figures must come from where its case is: figures one piece of it states together must stand together
  in one sentence of a cited text (`numbers_apart`), a list case must keep its own item's value (`VALUE_SWAPPED`),
  and the case it names ("khi …", "trường hợp …", `case_phrase`) must be named by the provision stating its
  numbers (`CASE_ELSEWHERE`). Otherwise it is stitched from two provisions and is not verified.
- A supported sentence is bound to the provision of its source that states it (assistant/clauses.py): the
  Điểm, else the Khoản, else the body paragraph — its `clause`, the span a citation highlights. One that no
  provision states alone (its words spread over the article) goes to another source that does, if one does
  (`SPREAD`); a lettered line shows the letter of the Điểm it is bound to (`with_law_label`).
- The status follows what is shown: `unverified` when no supported sentence is shown (the pipeline then refuses),
  `partially_verified` when a flagged sentence is shown next to supported ones, else `verified`.

`SentenceVerifier` does this one sentence at a time (`feed`), so the pipeline can verify an answer while the model
writes it; `verify()` feeds it a whole answer. Answers are cut into sentences by `core.text.split_answer_sentences`,
and a token stream by `core.text.SentenceSplitter` into the same sentences.

>>> markers_in("Viên chức được thử việc [1][3].")
(1, 3)
>>> links_in("Xem tại http://tra-cuu.vn/phat hoặc gửi thư tới hotro@phat.vn.")
['http://tra-cuu.vn/phat', 'hotro@phat.vn']
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

from assistant.actor import ActorLexicon, Clash, OffQuestion
from assistant.answer import FLAG, CitedSource, SentenceCheck, Verification, with_marker
from assistant.case_quote import CASE_OPENERS, asked_case_of
from assistant.clauses import ClauseRef, Level, SourceOutline, article_title, outline
from assistant.context import asked_claim, says_as_asked, states_act
from assistant.evidence import coverage
from assistant.focus import Focus, PointsOnly, Unspoken, asks_where, points_only
from assistant.injection import strip_instructions
from assistant.lists import marked, source_lists
from assistant.polarity import (
    LEFT_OUT,
    PROHIBITIONS,
    Clause,
    CueKind,
    CueLexicon,
    clauses,
    is_turned,
    label_rank,
    letter_label,
    present_words,
    share,
    without_label,
)
from assistant.terms import TermLexicon
from assistant.who import names_no_one
from core.text import (
    contains_run,
    content_syllables,
    content_words,
    fold,
    folded_runs,
    folded_words,
    is_clause_label,
    nfc,
    run_starts,
    split_answer_sentences,
    stopwords,
    tagged,
)

_MARKER = re.compile(r"\[(\d{1,2})\]")
# A marker written the way the prompt names it ("[số tài liệu 2]", "[tài liệu 2]"), read as "[2]" (live, an answer
# was "[số tài liệu 1] [số tài liệu 2] …" and nothing else: a claimless answer, worth the retry, not a refusal).
_SPELLED_MARKER = re.compile(r"\[\s*(?:số\s+)?(?:tài\s+liệu|nguồn)\s*(?:số\s*)?(\d{1,2})\s*\]", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_TLD = r"(?:vn|com|net|org|info|io|xyz|top|club|site|online|link|ly|me|biz|gov|edu|asia|app|dev|co|cc|tk)"
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]\"']+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\b(?:[a-z0-9][a-z0-9-]*\.)+{_TLD}\b(?:/[^\s<>()\[\]\"']*)?",
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
INJECTED_NUMBERS = "numbers only in text addressed to the assistant: "
INJECTED_WORDS = "supported only by text addressed to the assistant"
LINK_REMOVED = "link removed (not in a cited source's metadata): "
NO_CLAIM = "no claim: no content words"
NUMBERS_MISSING = "numbers not in the cited text: "
POINTS_MISSING = "points not in the cited text: "
ARTICLES_MISSING = "articles neither cited nor referred to by the cited text: "
QUESTION = "a question, not a claim"
NAMES_NO_ONE = "no claim: asked who, it names no one («cơ quan có thẩm quyền» …)"
TITLE_ONLY = "no claim: only the title of a source's article"
OFF_QUESTION = "does not answer the question: "
TURNED_ELSEWHERE = "its citation states it in part; the source that states it says otherwise "
CONTINUES_OFF = "it continues a sentence about another actor than the one asked"
UNDER_OFF_LEAD = "it is an item of a lead-in withheld as answering another question"
# Term families (assistant/data/terms_vi.tsv) whose member a question names is what it asks about: a claim that names
# only another member of the family, or an item under a lead-in that does, answers another question. Not the
# personnel family (who acts is `actor.py`'s) nor the instruments, whose other member corrects a question's premise
# ("hợp đồng làm việc" for a viên chức asked about a "hợp đồng lao động").
ASKED_FAMILIES = frozenset(
    {
        "award",
        "order",
        "order_class",
        "title",
        "discipline",
        "discipline_period",
        "archive_period",
        "grade",
        "direction",
    }
)
RIVAL_TERM = "the question asks about «{asked}»; this is about «{said}»"
CONTINUES_HIDDEN = "it continues, after its ';', a sentence that is not shown"
RECITED = "re-cited: another source states it in full: "
WITH_APPLIED = "cited with what its source applies: "
REPEATED = "repeats a sentence already shown"
GROUP_SAME = 0.75  # share of two lines' words in common (of all their words) that makes them the same lead-in
WITHIN_MIN_WORDS = 6  # a shorter line may share every word with a longer one and still say something of its own
DANGLING_LEAD = "a lead-in that nothing shown continues"
TERMS_MISSING = "terms not in the cited text: "
TERMS_SWAPPED = "names a term where the clause it restates names another of its kind: "
VALUE_SWAPPED = "gives its case the value of another case of the list: "
CASE_ELSEWHERE = "the clause stating its numbers does not name its case: "
CASE_UNASKED = "gives its figure for another case than the one asked: "
CASE_OF_ANOTHER = "gives as the case asked one its source opens for another statement: "
ACT_AS_CASE = "says what follows the act asked, not when it is done (the act is its case): "
MEASURES_MISSING = "figures not in the cited text with their unit: "
NUMBERS_APART = "states together figures the cited text states apart: "
FIGURE_OF_CONDITION = "gives as what is granted the figure of its condition ("
CASE_CUES = Path(__file__).with_name("data") / "case_cues_vi.toml"
CASE_SHARE = 0.5  # a claim's case must be named more than this much by the provision stating its figure
SPREAD = "no one provision of the cited text states it"
ITEM_IN_PART = "the cited provision states the list item only in part"
ITEM_AMONG_MORE = "the cited provision names the list item among more; another source's provision is that item"
# A provision "is" a list item when the item holds at least this share of its words; "names it among more" below.
ITEM_SHARE = 0.5
FOCUS_ELSEWHERE = "names what the follow-up asks, which the clause it restates does not: "
SAID_ELSEWHERE = "the cited provision holds its words only in part; another source's says it word for word"
# A claim this many words long, said word for word by a provision, is that provision's (`_said_by_another`).
SAID_MIN_WORDS = 8
# The cues of a list's lead-in that make its items cases where something may NOT be done (`_negated_case_lost`).
# A question that asks for the cases or the time an act is done ("… chấm dứt hợp đồng trong trường hợp nào?"): when
# every claim shown forbids that act ("không được đơn phương chấm dứt … trong các trường hợp sau: …"), the answer is
# true and answers the other question (`Opposite`).
CASE_QUESTIONS = ("trường hợp nào", "những trường hợp", "các trường hợp", "khi nào", "lúc nào")
_ACT_END = re.compile(r"\s(?:trong|khi|nếu|đối với)\s")
# The rule's lead-in states the act the exceptions forbid: most of its words ("đơn phương chấm dứt hợp đồng").
RULE_ACT = 0.8
RELEVANT_ACT = 0.5  # of an act's words a negation must govern to negate it ("không cần báo trước" does not)
# How many of the previous piece's last words an unmarked piece must continue, word for word, in the source.
QUOTE_OVERLAP = 4


@dataclass(frozen=True)
class Opposite:
    """A true claim that forbids the act the question asks when it is done: the cases where it may NOT be done,
    which are the exceptions to the rule asked about, not the rule."""

    act: str  # the act as the claim forbids it ("đơn phương chấm dứt hợp đồng")
    cue: str  # the claim's forbidding words ("không được")

    template = "answer_retry_opposite"  # the retry note that names the act (assistant/prompts/)
    retried = "gave only the cases where the act asked about may not be done"  # in the retry's record

    @property
    def reason(self) -> str:
        return f"the question asks when «{self.act}» is done; this says when it may not be («{self.cue} {self.act}»)"

    def fields(self) -> dict[str, str]:
        return {"act": self.act}


# The flag a check puts after a claim its sources do not support, with the space before it (`verify`).
_FLAGGED = re.compile(r"[ \t]*" + re.escape(FLAG.strip()))
# The prompt's placeholder for a marker, written back by the model ("[số tài liệu:" then "1]", live): no claim.
_PROMPT_ECHO = re.compile(r"(?i)\[?\s*số\s+tài\s+liệu\s*[:\]]?")
# A line that only names a provision ("Điều 5.2.NĐ.12.21 [2].", the pháp điển's number of the article the prompt
# heads a source with, written back; "Khoản 2 Điều 8."), with its document and number and the standing note the
# prompt gives it ("- Điều 31 Nghị định 112/2020/NĐ-CP (văn bản hợp nhất [3];", live, verified as a claim, and "Điều
# 15 Nghị định 112/2020/NĐ-CP [2]:" as the title of a list cited to another article): it says where, not what — no
# claim.
_REFERENCE_ONLY = re.compile(
    r"(?i)^\s*(?:điểm\s+\w\s+)?(?:khoản\s+\d+\s+)?điều\s+[\w.\-]+"
    r"(?:\s+(?:của\s+)?(?:bộ\s+luật|luật|nghị\s+định|thông\s+tư|quyết\s+định|nghị\s+quyết|pháp\s+lệnh)\b"
    r"[^()\n]{0,80}?\s(?:số\s+)?\d+/\d{4}/[\w\-]+)?"
    r"(?:\s*\([^)]*\)?)?[\s.:;,]*$"
)


def _is_item(sentence: str, quote: str) -> bool:
    """Whether the provision `quote` is the list item `sentence` gives: the sentence holds `ITEM_SHARE` of its
    content words (its label aside), not a few of a longer provision's.

    >>> _is_item("- Danh hiệu vinh dự nhà nước [1].", "3. Danh hiệu vinh dự nhà nước.")
    True
    >>> _is_item("- Danh hiệu vinh dự nhà nước [3].", "3. Trường hợp đề nghị tặng huân chương, huy chương, danh hiệu "
    ...          "vinh dự nhà nước thì hồ sơ gửi Bộ Nội vụ trước ngày 30 tháng 6.")
    False
    """
    own = content_words(without_label(quote))
    return bool(own) and coverage(own, sentence) >= ITEM_SHARE


def markers_in(sentence: str) -> tuple[int, ...]:
    return tuple(int(m) for m in _MARKER.findall(sentence))


# Where a source's sentences end, for telling figures stated together: ".", ";" or ":" before white space, a line.
SOURCE_SENTENCE_END = re.compile(r"[.;:](?=\s|$)|\n")
# A reference is no figure: "Điều 3", "khoản 2", "Phụ lục 1", "Nghị định 45/2094/NĐ-CP" (`_DOC_NUMBER`).
_REFERENCE = re.compile(r"(?i)\b(?:điều|khoản|điểm|chương|mục|phụ lục|số)\s+\d+[a-zđ]?\b")
# Where a claim's pieces end: each piece gives its own figures ("12 tháng đối với hạng I, 6 tháng đối với hạng IV").
_CLAIM_PIECE_END = re.compile(r"[,;:](?=\s)|\s(?:và|còn|hoặc)\s|\n")
# A time the whole claim is set in, before its first comma: "Năm 2028, …", "Kể từ ngày 01/01/2021, …". Its figure
# belongs to every piece after it that gives a figure of its own.
_TIME_OPENER = re.compile(
    r"(?i)^\s*(?:(?:kể\s+)?từ|đến|vào|trong|sau|trước)?\s*(?:ngày\s+\d{1,2}/\d{1,2}/\d{4}|(?:tháng\s+\d{1,2}\s+)?năm\s+\d{4})\s*,"
)


# A list label opening a quotation ("Theo [2]: «1. Viên chức …»"): the provision's number, not a figure it states.
_QUOTED_LABEL = re.compile(r"(?<=«)\s*(?:\d+(?:\.\d+)*[.)]|[a-zđ]\))\s+", re.IGNORECASE)


def _figures_text(claim: str) -> str:
    """A claim as its figures are read: NFC, without its source markers, document numbers ("45/2019/QH14"),
    references ("Điều 3", "Khoản 2") and the label opening a quotation, whose digits are no figure it states.

    >>> _figures_text("Mức phạt tại Điều 3 Nghị định 45/2019/NĐ-CP là 2 triệu [1].").split()
    ['Mức', 'phạt', 'tại', 'Nghị', 'định', 'là', '2', 'triệu', '.']
    >>> _figures_text("Theo [2]: «1. Viên chức bị khiển trách thì bị kéo dài 03 tháng;»").split()[2:5]
    ['«Viên', 'chức', 'bị']
    """
    return _QUOTED_LABEL.sub("", _REFERENCE.sub(" ", _DOC_NUMBER.sub(" ", _MARKER.sub(" ", nfc(claim)))))


def numbers_apart(claim: str, cited: Sequence[str]) -> str | None:
    """Why a claim's figures were taken from different sentences of its sources: a piece of it (between "," ";"
    "và" …) states two numbers or more that no one sentence of a cited text states together. Live: "Tuổi nghỉ hưu
    của người lao động nữ … năm 2028 là đủ 55 tuổi 04 tháng [1]." — 2028 is the men's year in one sentence of
    Khoản 2 Điều 169 Bộ luật Lao động, "55 tuổi 04 tháng" the women's age from 2021 in the next; the law gives 57
    years 8 months for 2028. None when every piece's figures stand together somewhere. Pieces are what keeps a
    claim that lists cases ("12 tháng đối với hạng I, 6 tháng đối với hạng IV") from being flagged; a time the
    claim opens with, set off by a comma ("Năm 2028, …", `_TIME_OPENER`), belongs to each piece after it.

    >>> law = "Đủ 62 tuổi đối với nam vào năm 2028. Kể từ năm 2021, đủ 55 tuổi 04 tháng đối với nữ; sau đó tăng."
    >>> numbers_apart("Năm 2028, tuổi nghỉ hưu của nữ là 55 tuổi 04 tháng [1].", [law])
    'states together figures the cited text states apart: 2028, 4, 55'
    >>> numbers_apart("Từ năm 2021, tuổi nghỉ hưu của nữ là 55 tuổi 04 tháng [1].", [law]) is None
    True
    >>> numbers_apart("Tuổi nghỉ hưu của nữ năm 2028 là 55 tuổi 04 tháng [1].", [law])
    'states together figures the cited text states apart: 2028, 4, 55'
    >>> numbers_apart("Từ năm 2021 nữ nghỉ hưu ở tuổi 55 tuổi 04 tháng [1].", [law]) is None
    True
    >>> numbers_apart("Mức phạt này được quy định tại Điều 3 Nghị định 45/2094/NĐ-CP [1].", ["Phạt 2 triệu."]) is None
    True
    >>> numbers_apart("1. Thời gian thử việc từ 03 tháng đến 12 tháng [1].", ["Từ 03 tháng đến 12 tháng."]) is None
    True
    >>> numbers_apart("Theo [2]: «1. Viên chức bị khiển trách thì bị kéo dài 03 tháng;»", ["Kéo dài 03 tháng."]) is None
    True
    """
    figures_only = _figures_text(without_label(claim))
    opener = _TIME_OPENER.match(figures_only)
    when = numbers_in(opener.group(0)) if opener else set()
    rest = figures_only[opener.end() :] if opener else figures_only
    pieces = [f | when for f in map(numbers_in, _CLAIM_PIECE_END.split(rest)) if f]
    pieces = [f for f in pieces if len(f) >= 2]
    if not pieces:  # most claims: the cited texts are not split at all
        return None
    sentences = [numbers_in(s) for text in cited for s in SOURCE_SENTENCE_END.split(text)]
    for figures in pieces:
        if not any(figures <= stated for stated in sentences):
            return f"{NUMBERS_APART}{', '.join(sorted(figures))}"
    return None


# A provision's pieces, each pairing the terms it names with the figures it gives: ";", a full stop (not a number's
# dot), a line break. A claim's pieces are smaller: a comma and "và" part the cases of a list it writes in one line.
_PROVISION_PIECE = re.compile(r"[;\n]|\.(?!\d)")
_CLAIM_PIECE = re.compile(r"[,;\n]|\.(?!\d)|(?<!\w)và(?!\w)")
TERM_MEASURE_SWAPPED = "gives a term the figure its cited text gives another of its kind: "


def measure_of_another_term(claim: str, cited: Sequence[str], terms: TermLexicon | None = None) -> str | None:
    """Why a claim pairs a term of a family (assistant/terms.py: "cảnh cáo", a discipline) with the figure its
    cited text pairs with another member of that family, and never with it. Live: "Thời hạn nâng lương bị kéo
    dài 03 tháng nếu viên chức bị kỷ luật bằng hình thức khiển trách hoặc cảnh cáo, 06 tháng nếu bị cảnh cáo [2]"
    was verified on «Viên chức bị khiển trách thì thời hạn nâng lương bị kéo dài 03 tháng; bị cảnh cáo thì thời hạn
    nâng lương bị kéo dài 06 tháng.» — every word and figure is there, paired otherwise. Pieces of the provision
    (`_PROVISION_PIECE`) pair a term with the figures (with their units: `measures_in`) they give; a piece of the
    claim (`_CLAIM_PIECE`) that names a term and figures, none of them one the provision pairs with that term and
    each one it pairs with another term of the family, is the swap. None when the provision pairs the term with no
    figure, or when the claim pieces a term apart from its figure.

    >>> law = ["1. Viên chức bị khiển trách thì kéo dài 03 tháng; bị cảnh cáo thì kéo dài 06 tháng."]
    >>> measure_of_another_term("Kéo dài 03 tháng nếu bị khiển trách hoặc cảnh cáo [2].", law)
    'gives a term the figure its cited text gives another of its kind: «cảnh cáo» is 6 tháng, not 3 tháng'
    >>> measure_of_another_term("Kéo dài 03 tháng nếu bị khiển trách, 06 tháng nếu bị cảnh cáo [2].", law) is None
    True
    >>> measure_of_another_term("Khi bị cảnh cáo, thời hạn kéo dài 06 tháng [2].", law) is None
    True
    """
    terms = terms or TermLexicon.default()
    paired: dict[str, set[str]] = {}
    for text in cited:
        for piece in _PROVISION_PIECE.split(nfc(text)):
            figures = measures_in(piece)
            for term in terms.named(piece) if figures else ():
                paired.setdefault(term, set()).update(figures)
    # a family's members that the provision pairs with figures of their own: only they can be swapped
    by_family: dict[str, set[str]] = {}
    for term in paired:
        by_family.setdefault(terms.families[term], set()).add(term)
    for piece in _CLAIM_PIECE.split(_figures_text(claim)):
        figures = measures_in(piece)
        if not figures:
            continue
        for term in sorted(terms.named(piece) & paired.keys()):
            rivals = by_family[terms.families[term]] - {term}
            theirs = set().union(*(paired[r] for r in rivals)) if rivals else set()
            if not figures & paired[term] and figures <= theirs:
                mine, given = ", ".join(sorted(paired[term])), ", ".join(sorted(figures))
                return f"{TERM_MEASURE_SWAPPED}«{term}» is {mine}, not {given}"
    return None


FIGURE_NAMED_OTHERWISE = "gives its figure to what no cited text stating that figure names: "
# What names any figure, not what it is of: "thời gian", "thời hạn", "mức", "tối đa", "không quá" …
_ANY_FIGURE = frozenset("thoi gian han muc toi da thieu khong qua it nhat tong so luong".split())


def figure_named_otherwise(claim: str, cited: Sequence[str]) -> str | None:
    """Why a claim gives a figure to something that no cited text stating that figure names at all: the content
    syllables before the figure in its piece (`_CLAIM_PIECE`), those naming any figure aside (`_ANY_FIGURE`), are
    mostly in none of them. Live: "Thời gian thử việc tối đa là 02 năm [1]." was verified on Điều 155 Bộ luật Lao
    động, "Thời hạn của giấy phép lao động tối đa là 02 năm …", which says nothing of a probation: half its words
    ("thời gian", "tối đa", "năm") were there, and the figure.

    >>> permit = ["Điều 155. Thời hạn của giấy phép lao động\\nThời hạn của giấy phép lao động tối đa là 02 năm."]
    >>> figure_named_otherwise("Thời gian thử việc tối đa là 02 năm [1].", permit)
    'gives its figure to what no cited text stating that figure names: «Thời gian thử việc tối đa là 02 năm»'
    >>> figure_named_otherwise("Giấy phép lao động có thời hạn tối đa là 02 năm [1].", permit) is None
    True
    >>> figure_named_otherwise("Tối đa là 02 năm [1].", permit) is None
    True
    """
    # each cited text's syllables, by the figures it states
    stating: dict[str, list[set[str]]] = {}
    for text in (nfc(t) for t in cited):
        syllables = set(folded_runs(text))
        for measure in {_measure_key(m) for m in _MEASURE.finditer(text)}:
            stating.setdefault(measure, []).append(syllables)
    for piece in _CLAIM_PIECE.split(_figures_text(claim)):
        for found in _MEASURE.finditer(piece):
            before = piece[: found.start()]
            name = content_syllables(before) - _ANY_FIGURE
            texts = stating.get(_measure_key(found))
            if not name or not texts:
                continue  # nothing names it; or no cited text states it, which is another check's
            if max(len(name & t) for t in texts) < MIN_CONDITION_SAID * len(name):
                return f"{FIGURE_NAMED_OTHERWISE}«{' '.join(before.split())} {found.group(0).strip()}»"
    return None


# "… thì …": a provision's condition before it, what it grants or requires after it.
_THEN = re.compile(r"(?i)(?<!\w)thì(?!\w)")
# A figure's condition written right after it, to the end of its piece: "30 ngày nếu đã đóng bảo hiểm xã hội dưới 15
# năm", "… khi …", "… trong trường hợp …".
_CONDITION_AFTER = re.compile(r"\s*(?P<cue>nếu|khi|trong\s+trường\s+hợp)\s+(?P<case>[^,;:.\n]{3,200})", re.IGNORECASE)
CONDITION_DROPPED = "states without its condition a figure its provision gives only on one ("
MIN_CONDITION_SAID = 0.5  # share of a condition's content syllables a claim (or its question) must name
# How many syllables before a figure name it ("khoảng thời gian 30 ngày", "làm việc đủ 12 tháng").
_FIGURE_NAME = 3
_IS = "la"  # "là", folded: the claim gives the figure as the value of what it names before it


# A duty ("phải", not "không phải": need not) and an option ("có thể", not "không thể"), as whole words.
_DUTY = re.compile(r"(?<![\w])(?<!không )phải(?![\w])", re.IGNORECASE)
_OPTION = re.compile(r"(?<![\w])(?<!không )có thể(?![\w])", re.IGNORECASE)


def claims_duty(claim: str, rule: str) -> bool:
    """Whether `claim` states a duty ("phải", "bắt buộc") that `rule` does not: the law's "được nghỉ" is a right,
    and a yes to "… có phải nghỉ 03 ngày …?" would make it an obligation.

    >>> claims_duty("Người lao động phải nghỉ 03 ngày khi kết hôn", "a) Kết hôn: nghỉ 03 ngày;")
    True
    >>> claims_duty("Người lao động được nghỉ 03 ngày", "a) Kết hôn: nghỉ 03 ngày;")
    False
    >>> lead = "1. Người lao động được nghỉ việc riêng và phải thông báo với người sử dụng lao động:"
    >>> claims_duty("Người lao động phải nghỉ 03 ngày khi kết hôn", f"{lead}\\na) Kết hôn: nghỉ 03 ngày;")
    True
    >>> claims_duty("Người lao động phải thông báo", lead)
    False
    """
    said = _MARKER.sub(" ", claim)
    duty = _DUTY.search(said) or re.search(r"(?<![\w])bắt buộc(?![\w])", said, re.IGNORECASE)
    if duty is None:
        return False
    # the duty's act, the claim's first word after "phải": the rule states that duty when its own "phải" comes
    # within two words before it (a lead-in's "… và phải thông báo …" is another duty)
    act = next(iter(re.findall(r"\w+", said[duty.end() :].replace("phải", " "))), "")
    return not act or not re.search(rf"(?<!không )phải\s+(?:\S+\s+){{0,2}}?{re.escape(act)}(?!\w)", rule, re.I)


def modal_shift(claim: str, clause: str) -> str | None:
    """Why `claim` makes the duty its clause states an option, or the option a duty: the law's "phải" written "có
    thể" (or the reverse) in a claim that has not the other. Live: "Hợp đồng lao động có thể được giao kết theo một
    trong các loại sau đây [1]:" went out verified on Khoản 1 Điều 20 Bộ luật Lao động's "Hợp đồng lao động phải được
    giao kết theo một trong các loại sau đây:" — every content word the law's ("phải" and "có thể" are none).

    >>> law = "1. Hợp đồng lao động phải được giao kết theo một trong các loại sau đây:"
    >>> modal_shift("Hợp đồng lao động có thể được giao kết theo các loại sau [1]:", law)
    'the cited text says «phải» (a duty); the claim, «có thể» (an option)'
    >>> modal_shift("Hợp đồng lao động phải được giao kết theo các loại sau [1]:", law) is None
    True
    >>> modal_shift("Viên chức có thể được nghỉ [1].", "Viên chức được nghỉ, không phải báo trước.") is None
    True
    """
    text, law = _MARKER.sub(" ", claim), _MARKER.sub(" ", clause)
    duty, option = bool(_DUTY.search(text)), bool(_OPTION.search(text))
    law_duty, law_option = bool(_DUTY.search(law)), bool(_OPTION.search(law))
    if option and not duty and law_duty and not law_option:
        return "the cited text says «phải» (a duty); the claim, «có thể» (an option)"
    if duty and not option and law_option and not law_duty:
        return "the cited text says «có thể» (an option); the claim, «phải» (a duty)"
    return None


def condition_dropped(claim: str, cited: Sequence[str], asked: str = "") -> str | None:
    """Why a claim states, as though unconditional, a figure that its cited texts give only on a condition written
    right after it ("… 30 ngày nếu đã đóng bảo hiểm xã hội dưới 15 năm; 40 ngày nếu …"): none of those conditions
    is named, `MIN_CONDITION_SAID` of its content syllables, by the claim or by what it answers (`asked`: the
    question, the claim's lead-in). Live: "Người lao động bị ốm đau được hưởng chế độ ốm đau tối đa 30 ngày trong
    một năm [1]." was verified on Khoản 1 Điều 26 Luật Bảo hiểm xã hội, where 30 ngày is for those who have paid in
    for under 15 years (40 and 60 ngày for longer). A figure the texts also state with no condition after it is
    left alone.

    >>> law = ("a) Làm việc trong điều kiện bình thường thì được hưởng 30 ngày nếu đã đóng bảo hiểm xã hội dưới 15"
    ...        " năm; 40 ngày nếu đã đóng từ đủ 15 năm đến dưới 30 năm;")
    >>> condition_dropped("Người lao động được hưởng chế độ ốm đau tối đa 30 ngày trong một năm [1].", [law])[-7:]
    '30 ngày'
    >>> condition_dropped("Đã đóng bảo hiểm xã hội dưới 15 năm thì được hưởng 30 ngày [1].", [law]) is None
    True
    >>> condition_dropped("Được hưởng 30 ngày [1].", [law], "Người đã đóng bảo hiểm xã hội 10 năm thì sao?") is None
    True
    """
    figures_only = _figures_text(claim)
    said = set(folded_runs(f"{asked}\n{figures_only}"))
    plain = [_MARKER.sub(" ", nfc(text)) for text in cited]
    for measure in sorted(measures_in(figures_only)):
        stated = [
            (text, found) for text in plain for found in _MEASURE.finditer(text) if _measure_key(found) == measure
        ]
        conditions = [_CONDITION_AFTER.match(text, found.end()) for text, found in stated]
        if not conditions or any(c is None for c in conditions):
            continue  # stated with no condition after it somewhere
        cases = [c.group("case").strip() for c in conditions if c is not None]
        for case in cases:
            words = content_syllables(case)
            if words and len(words & said) >= MIN_CONDITION_SAID * len(words):
                break
        else:
            return f"{CONDITION_DROPPED}«{cases[0]}»): {measure}"
    return _case_before(figures_only, plain, asked)


# A case the law opens before a figure in the same sentence ("…, trường hợp cần thiết có thể kéo dài thêm nhưng tối
# đa không quá 15 ngày"): its opener, and the case up to the figure or to the "thì" that ends it.
_CASE_OPENER = re.compile(r"(?i)(?<!\w)(?:trong\s+)?(?:trường\s+hợp|nếu)(?!\w)")
# "trừ", "ngoại trừ", "trừ các" / "trừ những" right before a case's opener: the case is excepted, not opened.
_EXCEPTING = re.compile(r"(?i)(?<!\w)trừ(?:\s+(?:các|những))?\s*$")
_CASE_WINDOW = 4  # how many syllables before a figure say which statement of it a claim took
_CASE_NAMED = 2  # of a case's syllables, how many name it (or half of them, for a short one)
_FIGURE_WORDS_MATCH = 2  # of those, how many a statement must share with the claim's to be the one it took


def _case_before(claim: str, cited: Sequence[str], asked: str = "") -> str | None:
    """Why a claim gives a figure as its provision's rule when the provision states it, in those words, only in a
    case it opens before the figure in the same sentence, which neither the claim nor what it answers names. Each
    figure of the claim is matched to the statements of it whose `_CASE_WINDOW` syllables before it share the most
    with the claim's (at least `_FIGURE_WORDS_MATCH`): live, "Thời hạn tạm đình chỉ công tác … là 15 ngày, tối đa
    không quá 15 ngày [1]." was verified on Khoản 1 Điều 81 Luật Cán bộ, công chức, "… không quá 15 ngày, trường
    hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá 15 ngày" — its "tối đa không quá 15 ngày" is the
    extension's, and the claim made it the whole.

    >>> law = "Thời hạn không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá 15 ngày."
    >>> _case_before("Thời hạn tạm đình chỉ tối đa không quá 15 ngày.", [law])[-75:]
    '«trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá»): 15 ngày'
    >>> _case_before("Thời hạn tạm đình chỉ không quá 15 ngày.", [law]) is None
    True
    >>> _case_before("Khi cần thiết được kéo dài thêm nhưng tối đa không quá 15 ngày.", [law]) is None
    True
    """
    said = set(folded_runs(f"{asked}\n{claim}"))
    statements = [(text, found) for text in cited for found in _MEASURE.finditer(text)]
    for claimed in _MEASURE.finditer(claim):
        measure = _measure_key(claimed)
        named = set(folded_runs(claim[: claimed.start()])[-_CASE_WINDOW:])
        shared = [
            (len(named & set(folded_runs(text[: found.start()])[-_CASE_WINDOW:])), text, found)
            for text, found in statements
            if _measure_key(found) == measure
        ]
        best = max((n for n, _, _ in shared), default=0)
        if best < _FIGURE_WORDS_MATCH:
            continue
        cases = [_opened_case(text, found) for n, text, found in shared if n == best]
        if not all(cases):
            continue
        for case in cases:
            # the case's own words: not its opener, nor those naming the figure, which the claim shares by its match;
            # a long case is named by a few of them ("Với vụ việc phức tạp, …" for "trường hợp vụ việc có những tình
            # tiết phức tạp cần có thời gian thanh tra, kiểm tra để xác minh làm rõ thêm thì …")
            words = content_syllables(_CASE_OPENER.sub(" ", case or "")) - named
            if not words or len(words & said) >= min(MIN_CONDITION_SAID * len(words), _CASE_NAMED):
                break
        else:
            return f"{CONDITION_DROPPED}«{cases[0]}»): {measure}"
    return None


# Where a case opens a piece of its sentence: the sentence's start, or a comma before it ("…, trường hợp …").
_PIECE_START = re.compile(r"(?:^|,)\s*$")
_CASE_MATCHED = 3  # syllables after the opener that tell which of its source's cases a claim took


def case_of_another_statement(claim: str, cited: Sequence[str], asked: str) -> str | None:
    """Why a claim answering "trong trường hợp nào?" gives, as the case of what the question asks, a case its
    source opens for another statement. Live: "Công chức bị tạm đình chỉ công tác trong trường hợp cần thiết có thể
    kéo dài thêm nhưng tối đa không quá 15 ngày [1]" was verified on Khoản 1 Điều 81 Luật Cán bộ, công chức,
    "… Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm …" — the case of
    the extension, while the suspension's is "nếu để cán bộ, công chức đó tiếp tục làm việc có thể gây khó khăn …".
    A case that opens a piece of its sentence (at its start or after a comma) is the case of what the sentence says
    from there on ("Trường hợp viên chức ốm đau, đơn vị không được …" too); the claim took it (its `_CASE_MATCHED`
    syllables after the opener are the case's) and the sentence from the opener on names nothing of what the claim
    says before its opener and the question asks.

    >>> law = ("Thời hạn tạm đình chỉ công tác không quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm nhưng tối"
    ...        " đa không quá 15 ngày. Cơ quan có thể tạm đình chỉ công tác đối với công chức nếu để công chức đó tiếp"
    ...        " tục làm việc có thể gây khó khăn cho việc xử lý.")
    >>> asked = "Công chức bị tạm đình chỉ công tác trong trường hợp nào?"
    >>> case_of_another_statement("Công chức bị tạm đình chỉ công tác trong trường hợp cần thiết có thể kéo dài"
    ...                           " thêm [1].", [law], asked).split(": ")[1]
    '«trường hợp cần thiết có thể kéo dài…»'
    >>> case_of_another_statement("Công chức bị tạm đình chỉ công tác nếu để công chức đó tiếp tục làm việc có thể"
    ...                           " gây khó khăn [1].", [law], asked) is None
    True
    >>> case_of_another_statement("Thời hạn được kéo dài trong trường hợp cần thiết [1].", [law], asked) is None
    True
    >>> sick = "Trường hợp viên chức ốm đau, đơn vị không được đơn phương chấm dứt hợp đồng."
    >>> case_of_another_statement("Đơn vị không được đơn phương chấm dứt hợp đồng trong trường hợp viên chức ốm đau"
    ...                           " [1].", [sick], "Đơn vị không được đơn phương chấm dứt hợp đồng khi nào?") is None
    True
    """
    if not asks_when(asked):
        return None
    text = nfc(_MARKER.sub(" ", claim))
    opener = _CASE_OPENER.search(text)
    if opener is None:
        return None
    echoed = content_syllables(text[: opener.start()]) & content_syllables(asked)
    case = folded_runs(text[opener.end() :])[:_CASE_MATCHED]
    if not echoed or len(case) < _CASE_MATCHED:
        return None
    for source in cited:
        for sentence in SOURCE_SENTENCE_END.split(nfc(source)):
            for opened in _CASE_OPENER.finditer(sentence):
                rest = sentence[opened.end() :]
                if not _PIECE_START.search(sentence[: opened.start()]) or folded_runs(rest)[:_CASE_MATCHED] != case:
                    continue
                if not echoed & content_syllables(rest):
                    shown = " ".join(sentence[opened.start() :].split()[: len(opened.group(0).split()) + 6])
                    return f"{CASE_OF_ANOTHER}«{shown}…»"
    return None


# What opens the case of a claim answering when: "Khi …", "Nếu …", "(Trong) trường hợp …" — their first syllables.
_OPENER_SYLLABLES = frozenset(opener[0] for opener in CASE_OPENERS)
# What makes the act asked a description of the person right before a statement of its own: "viên chức bị xử lý
# kỷ luật buộc thôi việc được quyền đăng ký dự tuyển" (folded).
_ANOTHER_STATEMENT = (("duoc",), ("co", "quyen"), ("khong", "duoc"))


def act_as_its_case(claim: str, asked: str) -> str | None:
    """Why a claim answering when an act is done puts that act in its own case, or in the person it describes, and
    says what follows it. Live, "Khi nào viên chức bị buộc thôi việc?" was answered "Khi viên chức bị xử lý kỷ luật
    buộc thôi việc thì không được hưởng chế độ thôi việc … [1]" and "Sau 12 tháng, …, viên chức bị xử lý kỷ luật
    buộc thôi việc được quyền đăng ký dự tuyển … [1]" — true of Điều 40 Nghị định 112/2020, what follows a
    dismissal, and verified, then completed as that article's list: no case of the dismissal anywhere. The act asked
    (`case_quote.asked_case_of`) is so when a "thì" follows it in the claim with no case opened between ("Khi …",
    "Nếu …", "Trường hợp …" open the one it is in, or none), or "được", "có quyền", "không được" follow it at once;
    None otherwise.

    >>> asked = "Khi nào viên chức bị buộc thôi việc?"
    >>> act_as_its_case("Khi viên chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng trợ cấp [1].", asked)
    'says what follows the act asked, not when it is done (the act is its case): «… buộc thôi việc … thì …»'
    >>> act_as_its_case("- Viên chức bị buộc thôi việc được quyền đăng ký dự tuyển [1].", asked).split(": ")[1]
    '«… buộc thôi việc được …»'
    >>> act_as_its_case("Viên chức bị buộc thôi việc khi nghỉ việc 05 ngày liên tục [1].", asked) is None
    True
    >>> act_as_its_case("Khi nghỉ việc 05 ngày liên tục thì viên chức bị buộc thôi việc [1].", asked) is None
    True
    >>> act_as_its_case("Viên chức bị buộc thôi việc nếu nghỉ 05 ngày thì bị xóa tên [1].", asked) is None
    True
    """
    if not asks_when(asked):
        return None
    found = asked_case_of(asked)
    if found is None:
        return None
    act, n = found[0], len(found[0])
    text = nfc(_MARKER.sub(" ", claim))
    runs = folded_runs(text)
    for at in run_starts(runs, act):
        after = runs[at + n :]
        then = after.index("thi") if "thi" in after else None
        if then is not None and not _OPENER_SYLLABLES & set(after[:then]):
            return f"{ACT_AS_CASE}«… {_written(text, at, n)} … thì …»"
        said = next((len(m) for m in _ANOTHER_STATEMENT if tuple(after[: len(m)]) == m), 0)
        if said:
            return f"{ACT_AS_CASE}«… {_written(text, at, n + said)} …»"
    return None


def _written(piece: str, at: int, n: int) -> str:
    """The `n` syllables of `piece` from its `at`-th, as written (`folded_runs` counts them alike)."""
    return " ".join(re.findall(r"\w+", nfc(piece))[at : at + n])


def _opened_case(text: str, figure: re.Match[str]) -> str | None:
    """The case a statement of a figure in `text` is made in, opened after the sentence's previous figure
    ("trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá"), from its opener to the figure, cut at its
    "thì"; None when there is none — or when a "thì" follows the figure in its sentence: the figure is then the
    case's own ("Trường hợp đã có thời gian từ đủ 12 tháng trở lên … thì không phải tập sự"), what the claim
    names by naming it; and so it is after "trừ trường hợp" ("… phải tập sự, trừ trường hợp đã có thời gian từ đủ 12
    tháng trở lên …"), "trừ các trường hợp" or "ngoại trừ trường hợp".

    >>> law = "Phải tập sự 12 tháng, trường hợp đặc biệt được rút ngắn còn 06 tháng."
    >>> _opened_case(law, list(_MEASURE.finditer(law))[-1])
    'trường hợp đặc biệt được rút ngắn còn'
    >>> law = "Phải tập sự, trừ các trường hợp đã làm việc đủ 12 tháng."
    >>> _opened_case(law, next(_MEASURE.finditer(law))) is None
    True
    """
    after = SOURCE_SENTENCE_END.split(text[figure.end() :], maxsplit=1)[0]
    if _THEN.search(after):
        return None
    piece = SOURCE_SENTENCE_END.split(text[: figure.start()])[-1]
    figures = list(_MEASURE.finditer(piece))
    piece = piece[figures[-1].end() :] if figures else piece
    opened = list(_CASE_OPENER.finditer(piece))
    if not opened or _EXCEPTING.search(piece[: opened[-1].start()]):
        return None  # none; or "trừ trường hợp …": the figure describes the case excepted, which the rule precedes
    case = _THEN.split(piece[opened[-1].start() :])[0]
    return " ".join(case.split()) or None


def _before_figure(text: str, measure: str) -> list[str] | None:
    """The syllables of `text` before its first figure that is `measure` ("30 ngày"); None when it states none."""
    for found in _MEASURE.finditer(text):
        if f"{found.group(1).lstrip('0') or '0'} {found.group(2).lower()}" == measure:
            return folded_runs(text[: found.start()])
    return None


def figure_of_condition(claim: str, cited: Sequence[str]) -> str | None:
    """Why a claim gives, as the measure of what a provision grants, the figure that provision states as its
    condition. Live: "Lao động nữ sinh con được nghỉ bao lâu là 30 ngày đầu làm việc mà sức khỏe chưa phục hồi [1]."
    was verified on Khoản 1 Điều 41 Luật Bảo hiểm xã hội, "… trong khoảng thời gian 30 ngày đầu làm việc mà sức
    khỏe chưa phục hồi thì được nghỉ dưỡng sức …" — every word and the 30 ngày are in it, but 30 ngày is the window
    in which the leave may begin (its length is in Khoản 2), and the leave after childbirth is 06 tháng (Điều 34).

    A figure is a condition's when every sentence of the cited texts that states it states it before "thì" and not
    after. The claim gives it as what is granted when, before the figure, it says something of what is granted
    (a syllable found after "thì", not before) just before it, or "là", and nothing of what the law names the
    figure by (the syllables just before it there: "khoảng thời gian"). "Thời hạn giải quyết là 15 ngày" on "Trong
    thời hạn 15 ngày … thì cơ quan phải giải quyết" names the figure as the law does; "… được tăng thêm 01 ngày khi
    có 05 năm công tác" gives it as a condition: neither is one.

    >>> law = ("1. Lao động nữ sau thai sản, trong khoảng thời gian 30 ngày đầu làm việc mà sức khỏe chưa phục hồi"
    ...        " thì được nghỉ dưỡng sức.")
    >>> figure_of_condition("Lao động nữ được nghỉ 30 ngày [1].", [law])
    'gives as what is granted the figure of its condition («… 30 ngày … thì được nghỉ dưỡng sức»): 30 ngày'
    >>> figure_of_condition("Trong khoảng thời gian 30 ngày đầu làm việc mà sức khỏe chưa phục hồi, lao động nữ"
    ...                     " được nghỉ dưỡng sức [1].", [law]) is None
    True
    >>> figure_of_condition("Lao động nữ sinh con được nghỉ bao lâu là 30 ngày đầu làm việc [1].", [law])[-7:]
    '30 ngày'
    >>> seniority = "Viên chức có thời gian công tác 05 năm thì được tăng thêm 01 ngày nghỉ."
    >>> figure_of_condition("Viên chức được tăng thêm 01 ngày nghỉ khi có 05 năm công tác [1].", [seniority]) is None
    True
    >>> deadline = "Trong thời hạn 15 ngày kể từ ngày nhận hồ sơ thì cơ quan phải giải quyết."
    >>> figure_of_condition("Thời hạn giải quyết hồ sơ là 15 ngày [1].", [deadline]) is None
    True

    A sentence of another source stating the figure of something else, unconditionally, does not clear it:

    >>> father = "Thời gian nghỉ của chồng được tính trong khoảng thời gian 30 ngày đầu kể từ ngày vợ sinh con."
    >>> claim = "Lao động nữ được nghỉ 30 ngày đầu làm việc mà sức khỏe chưa phục hồi [1]."
    >>> figure_of_condition(claim, [law, father])[-7:]
    '30 ngày'
    """
    figures_only = _figures_text(claim)
    sentences = [s for text in cited for s in SOURCE_SENTENCE_END.split(nfc(text))]
    for measure in sorted(measures_in(figures_only)):
        stating = [s for s in sentences if measure in measures_in(s)]
        # the sentences the claim takes it from: those stating most of its words (a source applied beside the cited
        # one may state the same "30 ngày" of another window, unconditionally: it is not what the claim says)
        held = [coverage(claimed, s) for s in stating] if (claimed := content_words(figures_only)) else []
        stating = [s for s, h in zip(stating, held, strict=True) if h == max(held)] if held else stating
        parts = [_THEN.split(s, maxsplit=1) for s in stating]
        if not parts or any(len(p) < 2 or measure in measures_in(p[1]) for p in parts):
            continue  # stated unconditionally somewhere, or as what is granted
        condition, granted = parts[0]
        named = _before_figure(condition, measure) or []
        said = _before_figure(figures_only, measure) or []
        name = set(named[-_FIGURE_NAME:]) - set(folded_runs(granted))
        grant = set(folded_runs(granted)) - set(folded_runs(condition))
        if not said or name & set(said) or not (said[-1] in grant or said[-1] == _IS):
            continue  # the claim names the figure as the law does, or gives it as a condition ("khi có 05 năm")
        what = " ".join(granted.split()[:5])
        return f"{FIGURE_OF_CONDITION}«… {measure} … thì {what}»): {measure}"
    return None


@cache
def _case_cues(path: Path = CASE_CUES) -> dict[str, list[str]]:
    """The word lists of assistant/data/case_cues_vi.toml, NFC and lower case; ValueError naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {key: [nfc(str(w)).casefold() for w in data[key]] for key in ("openers", "closers", "persons", "asking")}
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"{path}: {err}") from err


@cache
def _case_pattern(path: Path = CASE_CUES) -> re.Pattern[str]:
    """The case phrase of assistant/data/case_cues_vi.toml as one pattern; ValueError naming the file."""
    openers = sorted(_case_cues(path)["openers"], key=len, reverse=True)
    closers = sorted(_case_cues(path)["closers"], key=len, reverse=True)
    alt = "|".join(map(re.escape, openers))
    stop = "|".join(map(re.escape, closers))
    return re.compile(rf"(?<!\w)(?:{alt})\s+([^,;:.?!]+?)(?=\s+(?:{stop})(?!\w)|\s*[,;:.?!]|\s*$)")


@cache
def case_persons(path: Path = CASE_CUES) -> frozenset[str]:
    """The people of assistant/data/case_cues_vi.toml's `persons`, folded; ValueError naming the file."""
    return frozenset(fold(w) for w in _case_cues(path)["persons"])


def case_asked(question: str, path: Path = CASE_CUES) -> str | None:
    """The case a question names (`case_phrase`), unless that phrase is what it asks ("Trường hợp nào …?").

    >>> case_asked("Người lao động được nghỉ bao nhiêu ngày khi cha mẹ chết?")
    'cha mẹ chết'
    >>> case_asked("Trường hợp nào đơn vị không được đơn phương chấm dứt hợp đồng?") is None
    True
    """
    found = case_phrase(question)
    return None if found is None or _asking_pattern(path).search(found.casefold()) else found


@cache
def _asking_pattern(path: Path = CASE_CUES) -> re.Pattern[str]:
    """The question words of assistant/data/case_cues_vi.toml's `asking`, as one pattern; ValueError naming it."""
    pattern = "|".join(map(re.escape, _case_cues(path)["asking"]))
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def case_phrase(sentence: str) -> str | None:
    """The case a claim gives its figure for ("… khi ông bà chết được nghỉ 04 tháng" → "ông bà chết"), from the
    openers and closers of assistant/data/case_cues_vi.toml; None when it names none.

    >>> case_phrase("Người lao động nghỉ việc riêng khi ông bà chết được nghỉ 04 tháng [2].")
    'ông bà chết'
    >>> case_phrase("Trong trường hợp con đẻ kết hôn, người lao động được nghỉ 01 ngày [1].")
    'con đẻ kết hôn'
    >>> case_phrase("Nghỉ 12 ngày.") is None
    True
    """
    found = _case_pattern().search(nfc(_MARKER.sub(" ", sentence)).casefold())
    return found.group(1).strip() if found else None


def numbers_in(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(_MARKER.sub(" ", text))}


def claim_numbers(claim: str) -> set[str]:
    """The numbers a claim of the answer states: `numbers_in` without its list label's. The model numbers the law's
    lettered points its own way: live, "3. Do thiên tai … buộc phải giảm chỗ làm việc;" (Điểm c Khoản 1 Điều 36 Bộ
    luật Lao động) was held to the provision saying "03 ngày", whose actor it was then not compared with.

    >>> sorted(claim_numbers("3. Nghỉ 03 ngày [1];")), sorted(claim_numbers("[2] 12. Ít nhất 45 ngày"))
    (['3'], ['45'])
    """
    return numbers_in(without_label(_MARKER.sub(" ", claim).lstrip()))


# A reference to lettered points: "điểm d", "các điểm a, b, c, đ và g", "điểm d và điểm e" (not "điểm thi", "điểm ưu
# tiên": one letter, then no other). A point's label opens a line: "c) Viên chức …".
_POINT_REFERENCE = re.compile(r"(?i)\bđiểm\s+([a-zđ](?:\s*(?:,|và|hoặc)\s*(?:điểm\s+)?[a-zđ])*)(?!\w)")
_POINT_LETTER = re.compile(r"(?i)(?<!\w)([a-zđ])(?!\w)")
_POINT_LABEL = re.compile(r"(?im)^\s*([a-zđ])\)")


def points_in(text: str) -> set[str]:
    """The letters of the points `text` refers to ("các điểm a, b, c, đ và g khoản 1" → a, b, c, đ, g).

    >>> sorted(points_in("trong trường hợp quy định tại các điểm a, b và đ khoản 1 Điều này; điểm thi 9"))
    ['a', 'b', 'đ']
    """
    return {
        letter.lower()
        for found in _POINT_REFERENCE.finditer(_MARKER.sub(" ", text))
        for letter in _POINT_LETTER.findall(found.group(1))
    }


def points_missing(claim: str, cited: str) -> list[str]:
    """The points `claim` refers to that the cited text neither refers to nor labels: live, "… trong trường hợp quy
    định tại điểm f khoản 1 Điều này [1]." went out verified on Điều 36 Bộ luật Lao động, whose points run a, b, c,
    d, đ, e, g (a Vietnamese law has no "điểm f"); the sentence's other words were all the law's.

    >>> points_missing("… tại điểm f khoản 1 Điều này [1].", "1. Các trường hợp:\\na) X;\\ng) Y.\\n2. Theo điểm a.")
    ['f']
    >>> points_missing("… tại điểm g khoản 1 Điều này [1].", "1. Các trường hợp:\\na) X;\\ng) Y.")
    []
    """
    cited_points = points_in(cited) | {m.lower() for m in _POINT_LABEL.findall(cited)}
    return sorted(points_in(claim) - cited_points)


# A reference to an article by its number ("Điều 52", "Điều 29a"); not pháp điển's dotted numbering ("Điều 5.2.1.1").
_ARTICLE_REF = re.compile(r"(?i)(?<!\w)điều\s+(\d+[a-zđ]?)(?![\w.]\d|\w)")


def articles_missing(claim: str, cited: str, articles: set[str]) -> list[str]:
    """The articles `claim` refers to by number that are neither the cited sources' own (`articles`) nor referred to
    by the cited text: live, "Viên chức quản lý bị kỷ luật bằng một trong các hình thức quy định tại khoản 1 Điều 1
    này …" went out verified on Khoản 3 Điều 15 Nghị định 112/2020, "… quy định tại Điều này …" (its "1" was there,
    as the label of Khoản 1).

    >>> articles_missing("… quy định tại khoản 1 Điều 1 này [2].", "3. … quy định tại Điều này.", {"15"})
    ['1']
    >>> articles_missing("Theo Điều 15, … tại Điều 52 của Luật này [2].", "… tại Điều 52 của Luật này.", {"15"})
    []
    >>> articles_missing("Điều 5.2.1.1: Viên chức … [1].", "Viên chức …", {"52"})
    []
    """
    referred = {a.lower() for a in _ARTICLE_REF.findall(cited)} | {a.lower() for a in articles if a}
    return sorted({a.lower() for a in _ARTICLE_REF.findall(claim)} - referred)


def figures_in(text: str) -> set[str]:
    """The numbers of `text` that are figures, not references: an article's heading "Điều 2. Thời gian thử việc"
    states none.

    >>> sorted(figures_in("Điều 2. Thời gian thử việc từ 03 tháng theo khoản 1 Điều 5"))
    ['3']
    """
    return numbers_in(_REFERENCE.sub(" ", text))


# A figure with its unit of time or age ("03 ngày", "03 (ba) năm", "55 tuổi", "06 tháng tuổi"): the unit is part of
# what it says. A date's day and month ("ngày 01 tháng 01 năm 2021") are no measures.
_MEASURE = re.compile(
    r"(?<![\w/])(?<!ngày )(?<!tháng )(\d+)(?:\s*\([^()\d]{1,30}\))?\s+"
    r"(ngày|tuần|tháng|năm|tuổi|giờ|phút)(\s+tuổi)?(?!\w)",
    re.I,
)


def measures_in(text: str) -> set[str]:
    """The figures of `text` that carry a unit of time or age, as "3 ngày": a claim's "nghỉ 03 ngày" is not stated by
    a clause whose 03 is "03 năm" (live: cited to Khoản 2 Điều 13 Luật Viên chức, "gộp số ngày nghỉ phép của 03
    năm", and shown as verified with that clause highlighted).

    >>> sorted(measures_in("nghỉ 03 ngày; gộp 03 (ba) năm; đủ 55 tuổi 04 tháng; năm 2028; 14 ngày làm việc"))
    ['14 ngày', '3 ngày', '3 năm', '4 tháng', '55 tuổi']
    >>> measures_in("từ ngày 01 tháng 01 năm 2021")
    set()

    An age in months or weeks is no duration: "06 tháng tuổi" is not "06 tháng" (live: "… được nghỉ thai sản … 06
    tháng [1]" was verified on "… nhận nuôi con nuôi dưới 06 tháng tuổi …").

    >>> sorted(measures_in("nuôi con dưới 06 tháng tuổi; sinh con dưới 32  tuần tuổi; nghỉ 06 tháng"))
    ['32 tuần tuổi', '6 tháng', '6 tháng tuổi']
    """
    return {_measure_key(m) for m in _MEASURE.finditer(_MARKER.sub(" ", nfc(text)))}


def _measure_key(found: re.Match[str], age: bool = True) -> str:
    """ "6 tháng" for a `_MEASURE` match of "06 tháng"; "6 tháng tuổi" for "06 tháng tuổi" unless not `age`."""
    unit = found.group(2).lower() + (" tuổi" if age and found.group(3) else "")
    return f"{found.group(1).lstrip('0') or '0'} {unit}"


def ages_written_short(claim: str, cited: str) -> set[str]:
    """The claim's measures that are an age of the cited text written without its "tuổi", the word before the
    figure the same ("nuôi con dưới 06 tháng" for "… dưới 06 tháng tuổi"); a figure the claim gives as how long
    something lasts ("… là 06 tháng") is not one.

    >>> ages_written_short("Nuôi con dưới 06 tháng [1].", "nhận nuôi con nuôi dưới 06 tháng tuổi")
    {'6 tháng'}
    >>> ages_written_short("Được nghỉ thai sản là 06 tháng [1].", "nhận nuôi con nuôi dưới 06 tháng tuổi")
    set()
    """
    claim_text, cited_text = _MARKER.sub(" ", nfc(claim)), _MARKER.sub(" ", nfc(cited))
    ages = {
        (_measure_key(m, age=False), _word_before(cited_text, m.start()))
        for m in _MEASURE.finditer(cited_text)
        if m.group(3)
    }
    return {
        _measure_key(m, age=False)
        for m in _MEASURE.finditer(claim_text)
        if not m.group(3) and (_measure_key(m, age=False), _word_before(claim_text, m.start())) in ages
    }


def _word_before(text: str, at: int) -> str:
    words = text[:at].split()
    return words[-1].casefold() if words else ""


# A document number as a claim writes it: "01/2011/QH13", "30/2020/NĐ-CP", "1/2011/qh13".
_DOC_NUMBER = re.compile(r"(?<![\w/])\d+/\d{4}/[^\W_]+(?:-[^\W_]+)*")


def _doc_number_key(number: str) -> str:
    return nfc(number).casefold().lstrip("0")


def without_own_numbers(sentence: str, sources: Sequence[CitedSource]) -> str:
    """`sentence` without the document numbers of the sources it cites: "Theo Điều 2 Luật 77/2099/QH99, … [1]" names
    [1] itself, and its 2099 and 99 are no figure the law must state (the number is the source's metadata, not its
    text). Any other document's number stays and must be in the cited text.

    >>> from types import SimpleNamespace
    >>> cited = [SimpleNamespace(hit=SimpleNamespace(so_hieu="77/2099/QH99"))]
    >>> without_own_numbers("Theo Luật 77/2099/QH99 và Nghị định 45/2099/NĐ-CP, phạt 5 triệu [1].", cited)
    'Theo Luật   và Nghị định 45/2099/NĐ-CP, phạt 5 triệu [1].'
    """
    own = {_doc_number_key(s.hit.so_hieu) for s in sources if s.hit.so_hieu}
    return _DOC_NUMBER.sub(lambda m: " " if _doc_number_key(m.group(0)) in own else m.group(0), sentence)


def _lead_before(context: str, body: str) -> str:
    """The answer's lead-in that `context` (`SentenceVerifier._context`) puts before `body`, the claim it ends with
    (markers out, spaces single); "" for a claim standing by itself."""
    return context[: -len(body)] if body and context != body and context.endswith(body) else ""


def _gist(sentence: str) -> str:
    """What a sentence says, for telling a repeat: its words folded, without markers, list label or punctuation.

    >>> _gist("[1] Công chức bị kỷ luật bằng các hình thức:") == _gist("- Công chức bị kỷ luật bằng các hình thức [2]:")
    True
    """
    return " ".join(re.findall(r"\w+", fold(without_label(_MARKER.sub(" ", sentence).strip()))))


def _words(text: str) -> list[str]:
    """The folded words of `text` in order, markers left out."""
    return re.findall(r"\w+", fold(_MARKER.sub(" ", text)))


def links_in(text: str) -> list[str]:
    """Web addresses and e-mail addresses in `text`, without the punctuation that ends the sentence."""
    return [m.group(0).rstrip(".,;:!?") for m in _LINK.finditer(text)]


# A claim of fewer content words is short: attributed to a source only where the source says it whole (a line of
# it, `SentenceVerifier._said_verbatim`; a list item of it, every word), never on a share of its words.
SHORT_CLAIM = 3
SHORT_RUN = 3  # the syllables a short claim says in a row for a source's line to be it


@dataclass(frozen=True)
class VerifyPolicy:
    min_support: float = 0.5
    min_attribution: float = 0.8
    drop_unsupported: bool = False


@dataclass(frozen=True)
class Verified:
    text: str
    sentences: list[SentenceCheck]
    status: Verification
    dropped_markers: tuple[int, ...]
    used_markers: tuple[int, ...]
    off_question: OffQuestion | None = None  # the first claim withheld as answering for another actor
    opposite: Opposite | None = None  # set when every claim shown forbids the act the question asks about
    unspoken: Unspoken | None = None  # set when a follow-up's answer does not name what it newly asks about
    pointer: PointsOnly | None = None  # set when every line shown only says where the rule is

    @property
    def claimless(self) -> bool:
        """Nothing was written but markers, function words and questions ("[1] [2]", "", the question echoed back,
        as the model did live for a follow-up), and, asked who, sentences naming no one ("… là cơ quan có thẩm
        quyền …", `who.names_no_one`), or only an article's title (`TITLE_ONLY`) — or nothing is shown but lead-ins,
        whose items were all withheld (`lead_only`): not an answer, worth a retry."""
        empty = (NO_CLAIM, QUESTION, NAMES_NO_ONE, TITLE_ONLY)
        return all(any(r in s.reasons for r in empty) for s in self.sentences) or self.lead_only

    @property
    def lead_only(self) -> bool:
        """Every line shown is a lead-in ending with ":" — it says there is a list, not what is in it. Live: "Thời
        hạn bảo quản hồ sơ, tài liệu lưu trữ gồm những mức [1]:" was the whole answer, shown as verified (the
        figures after it had no marker and no source stating them).

        >>> Verified("Thời hạn bảo quản gồm những mức [1]:", [], Verification.VERIFIED, (), (1,)).lead_only
        True
        >>> Verified("Gồm các mức [1]:\\na) Vĩnh viễn [1];", [], Verification.VERIFIED, (), (1,)).lead_only
        False
        """
        lines = [_MARKER.sub("", line).strip() for line in self.text.splitlines()]
        shown = [line for line in lines if line]
        return bool(shown) and all(line.endswith(":") for line in shown)

    @property
    def answered_another_actor(self) -> bool:
        """Nothing is shown, and what was true answered for another actor than the one asked: worth a retry that
        names the actor."""
        return self.off_question is not None and not any(s.supported for s in self.sentences)

    @property
    def unstated_figures(self) -> str:
        """The figures no cited source states for which a claim was withheld, when nothing is shown ("24"; "2 năm",
        a figure whose unit no source gives it with): the model's memory of the law, often of a version no longer in
        force (assistant/figures.py); "" otherwise."""
        prefixes = (NUMBERS_MISSING, MEASURES_MISSING)
        missing = (r[len(p) :] for r in self._withheld_reasons for p in prefixes if r.startswith(p))
        return ", ".join(dict.fromkeys(missing))

    @property
    def focus_misplaced(self) -> bool:
        """Nothing is shown, and a claim was withheld for naming what the follow-up asks on a clause that does not
        say it (`FOCUS_ELSEWHERE`): the follow-up's words were in the question, the clause stating them may be in
        the prompt. Live: "Còn hợp đồng dưới 12 tháng thì sao?" after the worker's notice days got "… báo trước 30
        ngày nếu hợp đồng dưới 12 tháng", withheld, and the refusal — Điểm c Khoản 1 Điều 35's "03 ngày làm việc"
        was [1]."""
        return self.status is Verification.UNVERIFIED and any(
            r.startswith(FOCUS_ELSEWHERE) for s in self.sentences for r in s.reasons
        )

    @property
    def misstated(self) -> str:
        """Why claims were withheld for turning their provision, when nothing is shown: the negation or exception
        it states that they leave out, or one they add ("the cited text says «chưa kể tiền lương ngày lễ» and the
        claim does not"), the case of its figure they drop, or a figure they give to what it does not name; ""
        otherwise. Live: the overtime rate on a public holiday, 300 % "chưa kể tiền lương ngày
        lễ", written without those words and withheld, left the question refused.

        >>> out = "the cited text says «chưa kể tiền lương ngày lễ» and the claim does not"
        >>> check = SentenceCheck("Ít nhất bằng 300% [1].", (1,), False, 0.9, (out,))
        >>> Verified("", [check], Verification.UNVERIFIED, (1,), ()).misstated == out
        True
        """
        withheld = self._withheld_reasons
        wrong = (CONDITION_DROPPED, FIGURE_NAMED_OTHERWISE)
        return "; ".join(dict.fromkeys(r for r in withheld if is_turned(r) or r.startswith(wrong)))

    @property
    def _withheld_reasons(self) -> list[str]:
        """Every reason the claims were withheld for, when nothing is shown; none when something is."""
        if any(s.supported for s in self.sentences):
            return []
        return [r for s in self.sentences for r in s.reasons]


_END_THEN_MARKERS = re.compile(r"\s*([.;:])\s*((?:\[\d{1,2}\]\s*)+)$")


def _markers_inside(sentence: str) -> str:
    """Markers the model put after the full stop, put before it: "… thời hạn. [1]" → "… thời hạn [1].".

    >>> _markers_inside("Báo trước 45 ngày. [1]"), _markers_inside("Báo trước [1].")
    ('Báo trước 45 ngày [1].', 'Báo trước [1].')
    """
    return _END_THEN_MARKERS.sub(lambda m: f" {' '.join(m.group(2).split())}{m.group(1)}", sentence)


_LIST_ITEM = re.compile(r"^\s*([-•*]|\d+[.)]|[a-zđ]\))\s")
_LINE_MARKER = re.compile(r"^\[(\d{1,2})\]\s+(?=\S)")
# Within a line led by a marker, where the next item starts: a marker after a word (not after another marker or a
# sentence's end) and before a capital letter.
_INLINE_ITEM = re.compile(r"(?<=[^\W_])\s+(?=\[\d{1,2}\]\s+[A-ZÀ-ỸĐ])")
# A list label the model put in brackets, at the start of a line: "[a) …", "[f] …".
_BRACKETED_LABEL = re.compile(r"^\[([a-zđ])[)\]]\s+")


def _as_item(sentence: str) -> str:
    """ "[2] Viên chức bị buộc thôi việc." → "- Viên chức bị buộc thôi việc [2].": a line the model led with a
    marker, as a list item whose marker ends it (then checked, re-cited or attributed like any item); one already
    labelled keeps its label alone ("[2] b) Nơi nhận." → "b) Nơi nhận [2].", not "- b) …").

    >>> _as_item("[2] Viên chức bị buộc thôi việc."), _as_item("[2] b) Nơi nhận.")
    ('- Viên chức bị buộc thôi việc [2].', 'b) Nơi nhận [2].')
    """
    assert _LINE_MARKER.match(sentence) is not None
    prose = _as_prose(sentence)
    return prose if _LIST_ITEM.match(prose) else f"- {prose}"


def _ended(item: str) -> str:
    """`item` with a full stop when it ends in none of `_LINE_ENDS` (after its markers)."""
    return item if _MARKER.sub("", item).rstrip().endswith(_LINE_ENDS) else f"{item}."


def _as_prose(sentence: str) -> str:
    """ "[1] Thời hạn nộp lưu … như sau:" → "Thời hạn nộp lưu … như sau [1]:": the answer's first line, led with a
    marker and not a list of such lines, as prose whose marker ends it, as every other sentence's does."""
    m = _LINE_MARKER.match(sentence)
    if m is None:
        return sentence
    body = sentence[m.end() :]
    return body if _MARKER.search(body) else with_marker(body, int(m.group(1)))


class MarkerLines:
    """The model's lists numbered with markers ("[1] …\\n[2] …\\n[3] …", the 1.5B model's habit) read as lists.

    Sentences come in as the splitter cuts them, with the raw text written so far (`take`); out come the sentences
    to verify. A sentence that starts a line with "[n] " becomes the item "- … [n]." — unless it is the answer's
    first line and the next sentence is not such a line too (then "[1] Đóng dấu …" is prose that cites first, and
    reads "Đóng dấu … [1]."), so the first line is held until the next sentence says which. The marker of an item
    is then only a claimed citation: verification checks it, re-cites the item to the source that states it, or
    drops a marker that names no source ([4] of 3) and attributes the item.

    >>> lines = MarkerLines()
    >>> raw = "[1] Khiển trách.\\n[2] Cảnh cáo.\\n[3] Cách chức."
    >>> [out for s in ("[1] Khiển trách.", "[2] Cảnh cáo.", "[3] Cách chức.") for out in lines.take(s, raw)]
    ['- Khiển trách [1].', '- Cảnh cáo [2].', '- Cách chức [3].']
    >>> lines = MarkerLines()
    >>> lines.take("[1] Dấu đóng phải rõ ràng.", "[1] Dấu đóng phải rõ ràng. Mực dấu màu đỏ [1]."), lines.finish()
    ([], ['Dấu đóng phải rõ ràng [1].'])

    Such a list written on one line, with no sentence end between its items ("[1] A [2] B [3] C", live), is the
    same list: each marker before a capital letter opens an item. A list label the model bracketed ("[a) …",
    "[f] …", live) is the label alone ("a) …"), which verification then reads as the law's.

    >>> raw = "[1] Các hình thức kỷ luật [2] Chính phủ quy định thẩm quyền [3] Trường hợp khác"
    >>> MarkerLines().take(raw, raw)
    ['- Các hình thức kỷ luật [1].', '- Chính phủ quy định thẩm quyền [2].', '- Trường hợp khác [3].']
    >>> MarkerLines().take("[b) Kiểm tra việc thực hiện.", "x\\n[b) Kiểm tra việc thực hiện.")
    ['b) Kiểm tra việc thực hiện.']
    """

    def __init__(self) -> None:
        self._pos = 0  # where the sentences taken so far end in the raw text
        self._held: str | None = None  # the answer's first line "[n] …", until the next sentence shows what it is

    def take(self, sentence: str, raw: str) -> list[str]:
        """The sentences to verify now, given the next one and everything the model has written (`raw`)."""
        at = raw.find(sentence, self._pos)
        first_line = self._pos == 0
        # only white space lies between two sentences: a line starts where it holds a line break
        line_start = at >= 0 and (first_line or "\n" in raw[self._pos : at])
        if at >= 0:
            self._pos = at + len(sentence)
        sentence = _BRACKETED_LABEL.sub(r"\1) ", sentence)
        led = line_start and _LINE_MARKER.match(sentence) is not None
        items = _INLINE_ITEM.split(sentence) if led else [sentence]
        if len(items) > 1:
            first, self._held = ([self._held] if self._held is not None else []), None
            # each item written without its sentence end gets one: a line ending otherwise reads as a title
            return [_as_item(_ended(item.strip())) for item in (*first, *items)]
        out: list[str] = []
        if self._held is not None:
            held, self._held = self._held, None
            out.append(_as_item(held) if led else _as_prose(held))
        if led and first_line:
            self._held = sentence
        else:
            out.append(_as_item(sentence) if led else sentence)
        return out

    def finish(self) -> list[str]:
        """A first line still held: prose (the answer had one line)."""
        held, self._held = self._held, None
        return [_as_prose(held)] if held is not None else []


# What ends a sentence or an item: a line ending otherwise is a title ("Áp dụng đối với viên chức quản lý").
_LINE_ENDS = (".", ";", ":", "!", "?", ",", ")", "»", "…")


def separator(previous: str, line: str) -> str:
    """What goes before `line` in the answer: nothing first, a newline before a list item and before a lead-in
    that follows a finished list (the exceptions' "… không được … sau:" after the rule's last item, "… ."), else a
    space — an item's own "…; con đẻ, con nuôi chết [1]: nghỉ 03 ngày" goes on with it.

    >>> separator("- a [1].", "Trừ các trường hợp sau [1]:"), separator("Câu một.", "Câu hai:")
    ('\\n', ' ')
    >>> separator("c) Cha đẻ, mẹ đẻ [1]; vợ hoặc chồng [1];", "con đẻ, con nuôi chết [1]:")
    ' '

    A title line after a finished list opens the next one on a line of its own (live: "c) Buộc thôi việc [2].
    Áp dụng đối với viên chức quản lý [2]", the managers' list run on after the others'):

    >>> separator("c) Buộc thôi việc [2].", "Áp dụng đối với viên chức quản lý [2]")
    '\\n'
    """
    if not previous:
        return ""
    last = previous.rsplit("\n", 1)[-1]
    after_list = _LIST_ITEM.match(last) is not None and _MARKER.sub("", last).rstrip().endswith(".")
    opens = line.rstrip().endswith(":") or not _MARKER.sub("", line).rstrip().endswith(_LINE_ENDS)
    return "\n" if _LIST_ITEM.match(line) or (after_list and opens) else " "


def _join(lines: list[str]) -> str:
    """The kept sentences as text: list items on their own lines, prose run together."""
    out = ""
    for line in lines:
        out += separator(out, line) + line
    return out


@dataclass(frozen=True)
class _SourceClause:
    """A clause of a source with what attribution measures against it, found once per verifier."""

    clause: Clause
    present: frozenset[str]
    item_words: set[str]
    numbers: set[str]
    forbidden: set[str]  # an item under a lead-in that forbids: the act it forbids ("đơn phương chấm dứt …"), words
    case_words: set[str]  # an item that gives its case a value ("a) Kết hôn: nghỉ 03 ngày;"): the case's words
    values: set[str]  # … and the numbers of its value ({"3"}); empty for an item without one

    @classmethod
    def of(cls, clause: Clause, lexicon: CueLexicon) -> _SourceClause:
        # "không" alone describes more often than it forbids ("hàng không", "không thuộc …"): `PROHIBITIONS` only
        cues = lexicon.cues(clause.lead) if clause.lead else []
        forbidden = content_words(next((c.governed for c in cues if c.phrase in PROHIBITIONS), ""))
        item = without_label(clause.item)
        words = content_words(item)
        case, _, value = item.partition(":")
        case_words = content_words(case) if value else words
        values = numbers_in(value) if value and case_words else set()
        return cls(clause, present_words(clause.text), words, numbers_in(clause.text), forbidden, case_words, values)


def _case_rank(item: _SourceClause, named: Callable[[str], bool]) -> tuple[bool, int]:
    """How a claim names an item's case: whether it names all of the case's words, and how many it names."""
    hits = sum(named(w) for w in item.case_words)
    return hits == len(item.case_words), hits


def _named_syllables(item: _SourceClause, named: Callable[[str], bool]) -> set[str]:
    """The syllables of an item's case that a claim names."""
    return {s for w in item.case_words for s in w.split("_") if named(s)}


def forbidding_title(source: CitedSource, lexicon: CueLexicon) -> str:
    """The article's title when it forbids ("Điều 8. Các hành vi bị nghiêm cấm", "Những việc cán bộ, công chức không
    được làm …"), without its number; "" otherwise. Its Khoản are the forbidden acts ("1. Chiếm đoạt, làm hỏng, làm
    mất tài liệu lưu trữ."): the title is their lead-in, as "… không được … sau:" is a list's.

    >>> from types import SimpleNamespace
    >>> hit = SimpleNamespace(heading_path=["Luật Lưu trữ", "Điều 8. Các hành vi bị nghiêm cấm"])
    >>> forbidding_title(SimpleNamespace(hit=hit), CueLexicon.default())
    'Các hành vi bị nghiêm cấm:'
    """
    title = article_title(source.hit).rstrip(".:")
    if not title or not any(c.phrase in PROHIBITIONS for c in lexicon.cues(title)):
        return ""
    return f"{title}:"


def _under(found: Sequence[Clause], title: str) -> list[Clause]:
    """`found` (a source's `clauses`) with a forbidding article `title` as the lead-in of each of the article's
    Khoản and of the sentences that continue one ("1. Trốn tránh trách nhiệm …;" then "gây bè phái, mất đoàn
    kết;" then "tự ý bỏ việc hoặc tham gia đình công.": one Khoản, cut at its ";")."""
    out: list[Clause] = []
    in_khoan = False
    for clause in found:
        rank = label_rank(clause.item)
        in_khoan = rank == 1 or (in_khoan and rank == 0)
        out.append(Clause(title, clause.item) if title and not clause.lead and in_khoan else clause)
    return out


FORBIDDEN_ACTS = Path(__file__).with_name("data") / "forbidden_acts_vi.toml"


@dataclass(frozen=True)
class ActReader:
    """How a claim restates one act of a forbidden list item (assistant/data/forbidden_acts_vi.toml)."""

    light_verbs: tuple[str, ...]
    subordinators: re.Pattern[str]
    separators: re.Pattern[str]
    min_syllables: int
    min_act_syllables: int

    @classmethod
    def load(cls, path: Path = FORBIDDEN_ACTS) -> ActReader:
        """The reader of `path`; ValueError naming the file when it is not valid."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            subordinators = "|".join(re.escape(nfc(w).lower()) for w in data["subordinators"])
            return cls(
                tuple(nfc(v).lower() for v in data["light_verbs"]),
                re.compile(rf"(?<!\w)(?:{subordinators})(?!\w)"),
                re.compile(data["separators"]),
                int(data["min_syllables"]),
                int(data["min_act_syllables"]),
            )
        except (OSError, KeyError, TypeError, ValueError, re.error) as exc:
            raise ValueError(f"{path}: {exc}") from exc

    @staticmethod
    def default() -> ActReader:
        return _default_acts()

    def restated(self, item: str, present: frozenset[str], actors: ActorLexicon | None = None) -> str | None:
        """The act of the list `item` that `present` (a claim's words and their syllables, lowercased) names whole,
        or whole but for a light verb at its start; None when it names none. Who is named is no act ("Cán bộ" of
        "Cán bộ, công chức không được tiết lộ …" is not one): the persons are left out first.

        >>> claim = frozenset({"công_chức", "công", "chức", "được", "đình_công", "đình", "công"})
        >>> ActReader.default().restated("1. Trốn tránh trách nhiệm; tự ý bỏ việc hoặc tham gia đình công.", claim)
        'tham gia đình công'
        >>> ActReader.default().restated("1. Trốn tránh trách nhiệm, thoái thác nhiệm vụ được giao.", claim) is None
        True
        """
        actors = actors or ActorLexicon.default()
        for piece in without_label(item).split(";"):
            # a piece with a subordinate phrase is one act: its "hoặc" may join acts the phrase qualifies alike
            parts = [piece] if self.subordinators.search(piece.lower()) else self.separators.split(piece)
            for part in parts:
                act = self._act(part, actors)
                if act is not None and act[1] <= present:
                    return act[0]
            shared = self._shared_verb(piece, present, actors)
            if shared is not None:
                return shared
        return None

    def _shared_verb(self, piece: str, present: frozenset[str], actors: ActorLexicon) -> str | None:
        """The act "verb + one of its objects" of a piece whose first part is a verb with its object and whose
        other parts are further objects of that verb, when `present` names the verb phrase (the first part up to
        its object, at least `min_syllables` syllables) and that object. Live: "Người sử dụng lao động có được giữ
        bản chính văn bằng của người lao động không?" → "Có." on «1. Giữ bản chính giấy tờ tùy thân, văn bằng,
        chứng chỉ của người lao động.» under "Hành vi người sử dụng lao động không được làm …": the claim names
        "văn bằng", not the whole item.

        >>> present = frozenset({"giữ", "bản", "chính", "văn", "bằng", "bản_chính", "văn_bằng"})
        >>> item = "1. Giữ bản chính giấy tờ tùy thân, văn bằng, chứng chỉ của người lao động."
        >>> ActReader.default().restated(item, present)
        'giữ bản chính … văn bằng'
        >>> ActReader.default().restated(item, frozenset({"giữ", "bản", "sao", "văn", "bằng", "văn_bằng"})) is None
        True
        """
        parts = [p.strip(" .;:") for p in self.separators.split(piece)]
        if len(parts) < 2:
            return None
        head = tagged(actors.without_persons(parts[0]))
        if not head or head[0][1] == "N":
            return None  # no verb leads: the parts are not its objects
        function = stopwords()
        named = 0  # the first part's words the claim names, from its start: the verb phrase
        while named < len(head) and (
            head[named][0] in function or all(s in present for s in head[named][0].lower().split("_"))
        ):
            named += 1
        verb = [w for w, _ in head[:named]]
        object_ = head[named:]
        syllables = sum(len(w.split("_")) for w in verb if w not in function)
        if not object_ or any(tag == "V" for _, tag in object_) or syllables < self.min_syllables:
            return None
        for part in parts[1:]:
            own = tagged(actors.without_persons(part))
            if not own or own[0][1] != "N":
                return None  # an act of its own, not an object of the verb
            wanted = {s for w in content_words(" ".join(w for w, _ in own)) for s in w.split("_")}
            if wanted and wanted <= present:
                return f"{' '.join(verb)} … {' '.join(w for w, _ in own if w not in function)}".replace("_", " ")
        return None

    def _act(self, part: str, actors: ActorLexicon) -> tuple[str, set[str]] | None:
        """An act and the content syllables that name it, or None when the part is no whole act: too short, or a
        noun that a verb before it governs ("tài liệu" of "Làm giả giấy tờ, tài liệu"; pyvi's tags), or a verb
        whose object follows in the next part ("Sản xuất" of "Sản xuất, mua bán … ma túy": `min_act_syllables`)."""
        act = part.strip(" .;:")
        own = actors.without_persons(act)
        light = next((v for v in self.light_verbs if own.startswith(f"{v} ")), "")
        tags = tagged(own)
        if not tags or len(own.split()) < self.min_act_syllables or (tags[0][1] == "N" and not light):
            return None
        syllables = {s for w in content_words(own[len(light) :]) for s in w.split("_")}
        return (act, syllables) if len(syllables) >= self.min_syllables else None


@cache
def _default_acts() -> ActReader:
    return ActReader.load()


@dataclass(frozen=True)
class ForbiddenAct:
    """An act a cited prohibition lists, which a claim states without forbidding it: "Công chức được đình công"
    against "Những việc cán bộ, công chức không được làm …: 1. … tự ý bỏ việc hoặc tham gia đình công."."""

    act: str  # the item's act the claim restates
    rule: str  # the lead-in (or the article's title) that forbids it
    item: str  # the item, as the source's text has it
    source: CitedSource

    @property
    def reason(self) -> str:
        rule = " ".join(without_label(self.rule).rstrip(":").split()[:12])
        return f"«{self.act}» is an act «{rule} …» lists ([{self.source.marker}]); the claim does not forbid it"

    @property
    def lines(self) -> list[str]:
        """The lines of the source's text that state it, verbatim: the one holding the rule, then the item's."""
        text = self.source.hit.text.split("\n")
        rule = self.rule.rstrip(":").strip()
        first = [line.strip() for line in text if rule and rule in line][:1]
        item = [line.strip() for line in text if self.item.strip() and self.item.strip() in line][:1]
        return list(dict.fromkeys(first + item))


def forbidden_act(
    claim: str,
    sources: Sequence[CitedSource],
    lexicon: CueLexicon | None = None,
    actors: ActorLexicon | None = None,
    acts: ActReader | None = None,
    about: str = "",
) -> ForbiddenAct | None:
    """The first act a prohibition of `sources` lists that `claim` states with nothing negating it, or None.

    A prohibition is a list's lead-in that forbids ("… không được … sau đây:") or an article's title that does
    ("Những việc cán bộ, công chức không được làm …", `forbidding_title`), over its Khoản. Not when the item makes
    an exception of its own ("…, trừ trường hợp …": the claim may state the excepted case), nor when the claim names
    a person and the rule names others (`ActorLexicon.names_person`: the strike "cán bộ, công chức" may not join is
    not the labour code's "người lao động"'s; the person is read in `about`, the question a choice answers, too).
    A rule that names no one ("Các hành vi bị nghiêm cấm") forbids it to all."""
    lexicon = lexicon or CueLexicon.default()
    actors = actors or ActorLexicon.default()
    acts = acts or ActReader.default()
    if any(c.kind is CueKind.NEGATION for c in lexicon.cues(claim)):
        return None
    words = content_words(claim)
    present = frozenset(words | {s for w in words for s in w.split("_")})
    asked = actors.person_asked(f"{about} {claim}")
    for source in sources:
        title = forbidding_title(source, lexicon)
        for clause in _under(clauses(strip_instructions(source.hit.text)[0]), title):
            if not clause.lead or not any(c.phrase in PROHIBITIONS for c in lexicon.cues(clause.lead)):
                continue
            if any(c.kind is CueKind.EXCEPTION for c in lexicon.cues(clause.item)):
                continue
            others = actors.names_a_person(clause.lead)
            if asked is not None and others and not actors.names_person(clause.lead, asked[0]):
                continue
            act = acts.restated(clause.item, present, actors)
            if act is not None:
                return ForbiddenAct(act, clause.lead, clause.item, source)
    return None


def trusted_links(source: CitedSource) -> set[str]:
    """Links a source's metadata vouches for (set at ingest, not read from the body); documents carry none yet."""
    url = getattr(source.hit, "url", None)
    return {url} if isinstance(url, str) and url else set()


@dataclass
class SentenceVerifier:
    """Verifies an answer sentence by sentence against its sources; `result()` is what `verify()` returns.

    `feed()` returns the text the sentence adds to the answer (separator included, "" when it is not shown), so the
    concatenation of everything `feed()` returned is always `result().text`.

    >>> from assistant.answer import CitedSource
    >>> v = SentenceVerifier([])
    >>> v.feed("Câu này không có trích dẫn.")
    ''
    >>> v.result().status.value
    'unverified'
    """

    sources: list[CitedSource]
    policy: VerifyPolicy = field(default_factory=VerifyPolicy)
    lexicon: CueLexicon = field(default_factory=CueLexicon.default)
    actors: ActorLexicon = field(default_factory=ActorLexicon.default)
    terms: TermLexicon = field(default_factory=TermLexicon.default)
    question: str = ""  # what the answer answers: a bare list that opens the answer continues it
    focus: Focus = Focus(())  # what a follow-up newly asks about (assistant/focus.py): its answer must speak of it
    checks: list[SentenceCheck] = field(default_factory=list, init=False)
    text: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self._by_marker = {s.marker: s for s in self.sources}
        self._clean: dict[int, str] = {}
        self._clauses: dict[int, list[_SourceClause]] = {}
        removed: list[str] = []
        for s in self.sources:
            # Support comes from the law's own sentences: text that speaks to the assistant supports nothing.
            clean, cut = strip_instructions(s.hit.text)
            self._clean[s.marker] = f"{' '.join(s.hit.heading_path)}\n{clean}"
            title = forbidding_title(s, self.lexicon)
            self._clauses[s.marker] = [_SourceClause.of(c, self.lexicon) for c in _under(clauses(clean), title)]
            removed.extend(cut)
        self._injected = "\n".join(removed)
        self._all_clean = "\n".join(self._clean.values())
        self._law_folded = fold(self._all_clean)
        self._folded = fold(self._injected)
        self._dropped: set[int] = set()
        self._law_runs: dict[int, list[str]] = {}  # each source's folded words in order (`_run_of`), read once
        self._lead = ""  # the answer's open lead-in ("… trong các trường hợp sau:"), which its list items continue
        self._lead_marks: tuple[int, ...] = ()  # … and the markers it cites
        self._after_lead = False
        self._continues = False  # the sentence last read continues the open lead-in
        self._after_label = False  # the sentence last read was a bare clause label ("1.")
        self._in_item = False  # the sentence last read continued the lead-in and ended with ";": its item goes on
        # Lead-ins shown only once a line shown continues them: their checks (and whether each was flagged), and
        # their text
        self._pending: list[tuple[int, bool]] = []
        self._held_lead = ""
        self._question_led = False  # the question stands as the lead-in of the answer's opening list
        self._flagged_shown = 0
        self._said: set[str] = set()  # what the sentences shown so far say (`_gist`): a repeat is not shown again
        self._said_polar: dict[str, bool] = {}  # … and whether each negates or excepts anything (`_within_said`)
        self._group = 0  # the group of list items the last unlabelled line shown opened: an item repeats within it
        self._groups: list[tuple[set[str], bool, int]] = []  # each unlabelled line shown: its words, polarity, group
        self._outlines: dict[int, SourceOutline] = {}
        self._off: OffQuestion | None = None  # the first claim withheld as answering for another actor
        self._off_open = False  # the last sentence was withheld so and ended with ";": its rest goes with it
        self._off_lead = ""  # the answer's lead-in withheld so (another actor's, another title's): its items go too
        self._own_open = False  # the last sentence was the asked actor's by its own words and ended with ";"
        self._continues_own = False  # … so the one being checked, unlabelled, is its rest (`_off_person`)
        self._item_clause: _SourceClause | None = None  # the source item the last item of the answer's list states
        self._body = ""  # the sentence being checked, without markers
        self._clashes: dict[str, Clash] = {}  # the actor conflicts found for it, by their reason
        self._turns: dict[str, None] = {}  # the negations and exceptions its clauses turn it by, in order
        self._recited_from: frozenset[int] = frozenset()  # the markers a claim being re-cited was checked with
        self._hidden_open = False  # the last sentence was not shown and ended with ";": a lower-case rest neither
        self._opposite: Opposite | None = None  # the first shown claim that forbids the act the question asks about
        self._answering = 0  # shown claims that do not
        self._spoken = ""  # the lines shown, until they name the follow-up's focus
        self._focused = self.focus.spoken_in("")
        # A line shown says what the rule is, not only where it is (`points_only`) — or the question asks where.
        self._says = asks_where(self.question)
        self._case_question = _asks_for_cases(self.question, self.lexicon)
        self._case_asked = case_asked(self.question) if self.question else None
        self._question_lead = " ".join(self.question.rstrip(" ?").split()) + ":"  # bare items open: they continue it

    @property
    def n_supported(self) -> int:
        """How many sentences so far are supported by their citations."""
        return sum(1 for c in self.checks if c.supported)

    @property
    def n_answering(self) -> int:
        """How many supported sentences so far answer the question itself: all of them, except claims forbidding
        the act a question asks the cases of (`Opposite`), which answer it only beside the rule — and none until
        the answer names what a follow-up newly asks about (`focus`) and a line says what the rule is, not only
        where it is (`points_only`)."""
        return self._answering if self._focused and self._says else 0

    def feed(self, sentence: str) -> str:
        """Check one sentence of the answer; the text it adds to the verified answer ("" if it is not shown)."""
        sentence = _SPELLED_MARKER.sub(r"[\1]", sentence)
        body = " ".join(_MARKER.sub(" ", sentence).split())
        rank = label_rank(body)
        # the part after a lead-in's ":" ("c) … chết: nghỉ 03 ngày"); a labelled item is one of its own
        value = self._after_lead and bool(self._lead) and rank == 0
        context = self._context(sentence)
        # A repeat is told in context for such a part: "nghỉ 03 ngày." after "c) … chết:" is c)'s own figure, not
        # a)'s "Kết hôn: nghỉ 03 ngày" said again (it was dropped so, live, and c) was left ending in ":").
        gist = _gist(context if value else sentence)
        # … and a lettered or numbered item in the group its shown line without a label opens: "a) Khiển trách"
        # under "Áp dụng đối với viên chức quản lý" is not the same item under "… không giữ chức vụ quản lý" (live:
        # dropped, the managers' list showed "c) Cách chức" alone)
        listed = rank in (1, 2)
        # … and by its label: the law may say the same words under two numbers ("2. Vi phạm quy định của pháp luật
        # về:" and "5. Vi phạm quy định của pháp luật về:", each over items of its own, Điều 16 Nghị định 112/2020;
        # live, 5.'s lead-in was withheld and its items read on as 4.'s); the small model's loop repeats its labels
        label = body[: len(body) - len(without_label(body))].strip().lower()
        key = f"{self._group}|{label}|{gist}" if listed else gist
        # an unlettered line that goes on with the item before it — its value after a ":" ("01 ngày (ngày 01 tháng 01
        # dương lịch)"), its part after a ";" ("có lý lịch rõ ràng") — is in that item's group; it opens none
        opens = not listed and not value and not without_label(body)[:1].islower()
        # (a value said before on a line of its own is said again under any lead-in: live, "Khiển trách, Cảnh cáo,
        # Cách chức, Buộc thôi việc [1]." under each of three lines naming an article)
        again = value and _gist(sentence) in self._said
        if gist and (key in self._said or again or (not listed and self._within_said(gist, sentence))):
            # the small model loops: "… hình thức là [2]: …" again after "[1] …"
            self.checks.append(SentenceCheck(sentence, markers_in(sentence), False, 0.0, (REPEATED,)))
            if opens:
                # a lead-in said again reopens its group: the items under it are repeats too (live: "a) Có một quốc
                # tịch …", "b) Đủ 18 tuổi …" were shown twice, the group having moved on at "có lý lịch rõ ràng")
                self._group = self._group_of(set(gist.split()), self.lexicon.polar(sentence))
            return ""
        if self._hidden_open and rank == 0 and body[:1].islower():
            # The rest of a sentence not shown, after its ";" ("- Viên chức … có quyền đơn phương chấm dứt … 45
            # ngày; trường hợp viên chức ốm đau … thì phải báo trước ít nhất 03 ngày [1]."): whose act it states,
            # the hidden part said — alone it read as the unit's and was shown as the answer (live).
            self.checks.append(SentenceCheck(sentence, markers_in(sentence), False, 0.0, (CONTINUES_HIDDEN,)))
            self._hidden_open = body.endswith(";")
            return ""
        line = self._check(sentence, context)
        # A hidden item's case written before its value ("a) Kết hôn:") takes the value with it: shown alone, the value
        # read as the line before's ("… trong trường hợp sau đây [1]: nghỉ 03 ngày [1];", live).
        self._hidden_open = line is None and (body.endswith(";") or (body.endswith(":") and rank > 0))
        if line is None:
            return ""
        self._said.add(key)
        self._said_polar[gist] = self.lexicon.polar(line)
        if opens:
            self._group = self._group_of(set(gist.split()), self._said_polar[gist])
        lead = self._pending_lead(line)
        if line.endswith(FLAG):
            self._flagged_shown += 1
        elsewhere = any(r.startswith(FOCUS_ELSEWHERE) for r in self.checks[-1].reasons)
        says = not points_only(line, self.question)
        self._says = self._says or says
        if not self._focused and not elsewhere and says:
            # A flagged line speaks of the follow-up too (visibly marked), unless its flag is that it does not; a
            # line that only says where the rule is ("… theo quy định tại Điều 33 …") does not say what it is.
            self._spoken = f"{self._spoken}\n{line}"
            self._focused = self.focus.spoken_in(self._spoken)
        if self._after_lead:  # the sentence read ends with ":" (`_context`), flagged or not
            # A lead-in waits for what it leads into: the small model repeats its list in the law's words, the
            # repeats are not shown, and its second "… các tiêu chuẩn sau đây [2]:" was left ending the answer
            # (live). It goes out with the next line shown that continues it, or not at all.
            self._pending.append((len(self.checks) - 1, line.endswith(FLAG)))
            self._held_lead = f"{lead}{separator(self.text + lead, line)}{line}"
            return ""
        piece = lead + separator(self.text + lead, line) + line
        self.text += piece
        return piece

    def _group_of(self, words: set[str], polar: bool) -> int:
        """The group of list items an unlabelled line opens: that of a shown line it restates (`GROUP_SAME` of their
        words in common, the same polarity) — the model writing its list again under the law's wording of the same
        lead-in ("… để tặng cho cá nhân đạt các tiêu chuẩn sau đây [2]:") repeats it —, else a new one."""
        same = next(
            (g for w, p, g in self._groups if p == polar and len(words & w) >= GROUP_SAME * len(words | w)), None
        )
        group = same if same is not None else len(self._groups) + 1
        self._groups.append((words, polar, group))
        return group

    def _within_said(self, gist: str, sentence: str) -> bool:
        """Whether an unlettered line (`gist`) only says again part of one line already shown: each of its words, at
        least `WITHIN_MIN_WORDS`, is that line's (live: "- Cá nhân, tập thể người Việt Nam định cư ở nước ngoài, cá
        nhân, tập thể người Việt Nam định cư [2]" after the whole criterion it garbles, verified). A lettered or
        numbered item stays: it is the law's list ("a) 05 ngày làm việc"); so does a line that leaves out a negation
        or exception of the shown one: "Áp dụng đối với viên chức quản lý" is not "… không giữ chức vụ quản lý" (its
        every word is, live: dropped, the second list's "c) Cách chức" went under the first list's lead-in)."""
        words = set(gist.split())
        if len(words) < WITHIN_MIN_WORDS:
            return False
        polar = self.lexicon.polar(sentence)
        return any(words <= set(said.split()) and (polar or not p) for said, p in self._said_polar.items())

    def _pending_lead(self, line: str) -> str:
        """The waiting lead-ins' text to show before `line` when `line` continues them ("" when none waits); a
        waiting lead-in that `line` does not continue is dropped (`DANGLING_LEAD`)."""
        if not self._pending:
            return ""
        if self._continues:
            held, self._pending, self._held_lead = self._held_lead, [], ""
            return held  # with the separators it was held with
        self._drop_pending()
        return ""

    def _drop_pending(self) -> None:
        """Lead-ins nothing shown continued are not shown: their checks say so."""
        for at, flagged in self._pending:
            check = self.checks[at]
            self.checks[at] = replace(check, supported=False, reasons=(*check.reasons, DANGLING_LEAD), clause=None)
            self._flagged_shown -= flagged
        self._pending, self._held_lead = [], ""

    def _strip_unknown(self, sentence: str) -> str:
        def keep(match: re.Match[str]) -> str:
            if int(match.group(1)) in self._by_marker:
                return match.group(0)
            self._dropped.add(int(match.group(1)))
            return ""

        kept = _MARKER.sub(keep, sentence)
        return kept.strip() if kept == sentence else _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(kept.split()))

    def _strip_links(self, sentence: str, marks: tuple[int, ...]) -> tuple[str, list[str]]:
        trusted = set().union(*(trusted_links(self._by_marker[m]) for m in marks if m in self._by_marker))
        removed = [link for link in links_in(sentence) if link not in trusted]
        for link in removed:
            sentence = sentence.replace(link, "")
        if removed:
            sentence = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(sentence.split()))
        return sentence, [LINK_REMOVED + link for link in removed]

    def _injection_reasons(self, sentence: str) -> list[str]:
        """Why a sentence repeats injected text: numbers or words that only the removed instructions contain.

        "Only" means in no retrieved source's clean text either: a claim the law states elsewhere is merely
        mis-cited (flagged), not injected. Words are compared folded (assistant/injection.py): an instruction typed
        without diacritics still lends the model its words, and the model writes them back with diacritics.
        """
        if not self._injected:
            return []
        reasons = []
        borrowed = sorted((claim_numbers(sentence) - numbers_in(self._all_clean)) & numbers_in(self._injected))
        if borrowed:
            reasons.append(INJECTED_NUMBERS + ", ".join(borrowed))
        words = folded_words(_MARKER.sub(" ", sentence))
        law = self._law_folded
        if words and coverage(words, law) < self.policy.min_support <= coverage(words, f"{law}\n{self._folded}"):
            reasons.append(INJECTED_WORDS)
        return reasons

    def _context(self, sentence: str) -> str:
        """The sentence as the answer states it: a list item, or the line right after a lead-in, continues it.

        The answer's lead-in carries the polarity of its list ("Đơn vị không được … trong các trường hợp sau:");
        an answer that opens with bare list items takes the question as their lead-in.
        """
        body = " ".join(_MARKER.sub(" ", sentence).split())
        may_lead = bool(self.question) and (not self._lead or self._question_led)
        item = label_rank(body) > 0 or (may_lead and self._restates_listed_item(sentence, body))
        # An unlabelled sentence right after an item of the answer's list that states the source item's next
        # sentence is that item's too: live, Điểm a Khoản 1 Điều 36 Bộ luật Lao động's "Quy chế đánh giá … tại cơ
        # sở;" ended the employer's list quoted whole, and its items b-g went out as the worker's cases, verified,
        # their lead-in withheld. Its marker is not trusted for this: the small model cites [1] for what [3] says,
        # and re-citing comes later.
        after = self._next_piece(self._item_clause) if not item and self._lead else None
        same_item = after is not None and share(after.item_words, present_words(body)) >= 0.5
        self._item_clause = (
            after if same_item else self._listed_item_of(sentence, body) if item and label_rank(body) > 0 else None
        )
        item = item or same_item
        opening = not self._lead and (not self.text or self._question_led)
        if opening and self.question and item:
            # The answer opens with list items — labelled, or items of a source's list written as sentences —
            # and no lead-in of its own: they are the cases the question asks for ("… bị chấm dứt hợp đồng trong
            # trường hợp nào?"), so they carry the question's polarity — the items of "không được chấm dứt … trong
            # các trường hợp sau:" do not answer it.
            self._lead, self._lead_marks = self._question_lead, ()
            self._question_led = True
        # the text after a bare label the sentence splitter cut off ("1." then "Đạt tiêu chuẩn …") is that item, and
        # so is an item's part after its ";" ("1. Trốn tránh trách nhiệm …; gây bè phái …; tham gia đình công.")
        continues = self._lead and (self._after_lead or item or self._after_label or self._in_item)
        self._after_label = is_clause_label(body)
        self._in_item = bool(continues) and body.endswith(";")
        self._continues = bool(continues)
        context = f"{self._lead} {body}" if continues else body
        if body.endswith(":") and not _REFERENCE_ONLY.match(without_label(body)):
            # (a line naming only a provision, "- Điều 15 Nghị định 112/2020/NĐ-CP [2]:", leads into nothing: what
            # follows it is a claim of its own, and the same one under the next such line is said again)
            self._lead, self._after_lead, self._question_led = body, True, False
            self._lead_marks = markers_in(sentence)
        else:
            if not continues:
                self._lead, self._question_led, self._lead_marks = "", False, ()
            self._after_lead = False
        return context

    def _next_piece(self, piece: _SourceClause | None) -> _SourceClause | None:
        """The unlabelled piece of a source that follows `piece` in the same list item (under the same lead-in)."""
        if piece is None:
            return None
        for found in self._clauses.values():
            at = next((i for i, c in enumerate(found) if c is piece), None)
            if at is None:
                continue
            after = found[at + 1] if at + 1 < len(found) else None
            if after is None or after.clause.lead != piece.clause.lead or label_rank(after.clause.item):
                return None
            return after
        return None

    def _listed_item_of(self, sentence: str, body: str) -> _SourceClause | None:
        """The item of a source's list (one under a lead-in) that a sentence mostly restates, if any: of the sources
        it cites, else of all (a mis-numbered marker is re-cited later)."""
        marks = markers_in(sentence)
        return (self._listed_item_in(body, marks) if marks else None) or self._listed_item_in(
            body, tuple(self._clauses)
        )

    def _restates_listed_item(self, sentence: str, body: str) -> bool:
        """Whether an unlabelled sentence mostly restates an item of a source's list (one under a lead-in), the
        lead-in left out: the cited sources' clauses, or every source's for a sentence without a marker."""
        return self._listed_item_in(body, markers_in(sentence) or tuple(self._clauses)) is not None

    def _listed_item_in(self, body: str, marks: tuple[int, ...]) -> _SourceClause | None:
        """The clause of the sources `marks` that states most of `body`'s words, when it is an item under a lead-in
        and `body` holds half of the item's words."""
        clause = self._supporting_clause(content_words(body), marks)
        return (
            clause if clause and clause.clause.lead and share(clause.item_words, present_words(body)) >= 0.5 else None
        )

    def _cited_so_far(self) -> list[int]:
        return sorted({m for c in self.checks if c.supported for m in c.markers})

    def _supporting_clause(
        self, words: set[str], marks: tuple[int, ...], numbers: set[str] | None = None
    ) -> _SourceClause | None:
        """The clause of the cited sources that states most of the claim's words (the first of equals)."""
        best = self._supporting_clauses(words, marks, numbers)
        return best[0] if best else None

    def _supporting_clauses(
        self, words: set[str], marks: tuple[int, ...], numbers: set[str] | None = None
    ) -> list[_SourceClause]:
        """The clauses of the cited sources that state most of the claim's words, equals in order. A claim with
        numbers is held to the clauses that state them, when any does: "tối đa là 60 tháng" is supported by the
        paragraph that says 60 tháng, not by a neighbouring one that shares more words and carries an exception."""
        candidates = [c for m in marks for c in self._clauses.get(m, [])]
        if numbers:
            stating = [c for c in candidates if not numbers - c.numbers]
            candidates = stating or candidates
        scores = [share(words, clause.present) for clause in candidates]
        top = max(scores, default=0.0)
        return [c for c, score in zip(candidates, scores, strict=True) if score == top]

    def _value_of_another_case(
        self, words: set[str], context: str, numbers: set[str], marks: tuple[int, ...]
    ) -> str | None:
        """Why a claim gives the case it names the value another case of its source has: "Khi con đẻ, con nuôi kết
        hôn, người lao động được nghỉ 03 ngày [1]" on "a) Kết hôn: nghỉ 03 ngày; b) Con đẻ, con nuôi kết hôn: nghỉ
        01 ngày;" — every word and the 03 are in the cited text, so it was verified. The case a claim names is the
        item ("case: value") whose case it names in full, the most words of it; none when two items with different
        values tie. Only the numbers that are items' values count (not "Điều 115"). A value piece ("nghỉ 03 ngày
        [1];") names its case in the piece before it, its `context` ("b) Con đẻ … kết hôn:")."""
        if not numbers:
            return None
        said: set[str] = set()  # the claim's words and its context's, segmented only once a list is in question

        def named(word: str) -> bool:
            if not said:
                said.update(words, content_words(without_label(_MARKER.sub(" ", context))))
                said.update(s for w in list(said) for s in w.split("_"))
            return word in said or all(s in said for s in word.split("_"))

        for m in marks:
            # The source's items with a value, whatever list they are in: an item cut at ";" loses its lead-in in
            # `clauses` ("… vợ hoặc chồng; con đẻ, con nuôi chết: nghỉ 03 ngày." is c)'s end, on its own).
            items = [c for c in self._clauses.get(m, []) if c.values]
            given = numbers & set().union(*(c.values for c in items))
            if not given or len(items) < 2:
                continue
            if any(
                not c.values and given <= c.numbers and share(words, c.present) == 1.0 for c in self._clauses.get(m, [])
            ):
                # a provision that is no "case: value" item states every word and number of it: it restates that
                # provision, not a list's case
                # (live: Khoản 2 Điều 115's "nghỉ không hưởng lương 01 ngày … khi ông nội … chết;" was flagged as
                # giving Điểm c's "con đẻ, con nuôi chết" the 01 ngày)
                continue
            ranked = sorted(items, key=lambda c: _case_rank(c, named), reverse=True)
            best, top = ranked[0], _case_rank(ranked[0], named)
            alike = any(_case_rank(c, named) == top and c.values != best.values for c in ranked[1:])
            if top[1] and not alike and not given & best.values:  # a case named, no tie, and none of its values
                if any(given & c.values and _named_syllables(c, named) > _named_syllables(best, named) for c in items):
                    # the claim names more of a case that has its value: "khi con kết hôn … 01 ngày" names "Con đẻ,
                    # con nuôi kết hôn: nghỉ 01 ngày" in part, beyond "Kết hôn", which it names whole (live, refused)
                    continue
                case = without_label(best.clause.item).partition(":")[0].strip()
                return f"{VALUE_SWAPPED}«{case}» is {', '.join(sorted(best.values))}, not {', '.join(sorted(given))}"
        return None

    def _swapped_terms(self, sentence: str, words: set[str], marks: tuple[int, ...]) -> str | None:
        """Why a claim swaps a term for another of its family (assistant/terms.py): every clause stating most of its
        words names a rival of a term it names and not that term — live, "Hình thức giáng chức áp dụng đối với viên
        chức quản lý …" was verified on "Hình thức kỷ luật cách chức áp dụng đối với viên chức quản lý …" (the cited
        article named "giáng chức" elsewhere). A claim that names several members of a list's items is not one."""
        terms = self.terms.named(sentence)
        if not terms:
            return None
        why: str | None = None
        for clause in self._supporting_clauses(words, marks, claim_numbers(sentence)):
            named = self.terms.named(clause.clause.text)
            missing = terms - named
            kinds = {self.terms.families[t] for t in missing}
            rivals = sorted(t for t in named - terms if self.terms.families[t] in kinds)
            if not missing or not rivals:
                return None
            why = why or f"{TERMS_SWAPPED}«{', '.join(sorted(missing))}» for «{', '.join(rivals)}»"
        return why

    def _clash_off_question(self, reasons: Sequence[str]) -> OffQuestion | None:
        """The actor conflict one of `reasons` records, as an answer for another actor than the person the question
        asks about, when the claim named that person; None otherwise."""
        asked = self.actors.person_asked(self.question) if self.question else None
        if asked is None:
            return None
        found = (c for reason, c in self._clashes.items() if any(r.endswith(reason) for r in reasons))
        return next((off for c in found if (off := c.off_question(asked[0])) is not None), None)

    def _turned_elsewhere(self, words: set[str], context: str, marks: tuple[int, ...]) -> str | None:
        """Why a claim its citation backs only in part is another source's, turned around: that source (not among
        `marks`) states `min_attribution` of its words, and its clause stating them gets a negation, an exception
        or its actor changed (`_polarity_conflict`); None when no such source does."""
        for marker, text in self._clean.items():
            if marker not in marks and coverage(words, text) >= self.policy.min_attribution:
                turned = self._polarity_conflict(words, context, (marker,))
                if turned is not None:
                    return f"{TURNED_ELSEWHERE}[{marker}]: {turned}"
        return None

    def _polarity_conflict(self, words: set[str], context: str, marks: tuple[int, ...]) -> str | None:
        """Why the claim turns the clause that states it around, or None. Of clauses stating its words equally,
        one whose polarity it keeps states it: "Đơn vị … không được đơn phương chấm dứt … trong các trường hợp
        sau:" is Khoản 3's lead-in, not Khoản 1's "được đơn phương chấm dứt …" ("không" is no content word)."""
        why: str | None = None
        # A lead-in of the answer restates the lead-in of the law's list, not one of its items: "Tài liệu lưu trữ
        # thuộc Danh mục tài liệu hạn chế sử dụng có một trong các đặc điểm sau đây:" was flagged for the "không
        # thuộc Danh mục …" of Điểm a under it (live).
        leads = _MARKER.sub("", context).rstrip().endswith(":")
        for clause in self._supporting_clauses(words, marks, self._figures(context)):
            applier = self._applier(clause, marks)
            stated = clause.clause.lead if leads and clause.clause.lead else clause.clause.text
            turned = (
                self._turned(context, stated, applier)
                or self._negated_case_lost(words, context, marks, clause)
                # a lead-in's modal is its own: the items under it are the law's cases either way
                or (None if self._continues else modal_shift(context, stated))
            )
            if turned is None:
                return None
            why = why or turned
        return why

    def _negated_case_lost(
        self, words: set[str], context: str, marks: tuple[int, ...], supporting: _SourceClause
    ) -> str | None:
        """Why the claim restates a case of a list whose lead-in forbids ("… không được đơn phương chấm dứt … trong
        các trường hợp sau: a) Viên chức ốm đau …") with nothing saying "không được" — under "Trường hợp a:", alone,
        or stitched to another clause's rule ("Nếu viên chức ốm đau …, đơn vị phải báo trước 45 ngày"): it would
        read as a case where the rule applies. `words`: the sentence's own content words; they restate a case when
        they hold half of its words for the clause that states most of the claim (`supporting`), `min_attribution` of
        them for any other cited clause (an actor and a place in common are not a case restated)."""
        # the sentence itself restates the case (its lead-in, maybe the question, only says what it is a case of)
        present = frozenset(words | {s for w in words for s in w.split("_")})
        negations = [c for c in self.lexicon.cues(context) if c.kind is CueKind.NEGATION]
        for clause in (c for m in marks for c in self._clauses.get(m, []) if c.forbidden):
            restates = share(clause.item_words, present) >= (
                0.5 if clause is supporting else self.policy.min_attribution
            )
            # or one act of the item, whole ("tham gia đình công" of "… tự ý bỏ việc hoặc tham gia đình công")
            if not restates and ActReader.default().restated(clause.clause.item, present, self.actors) is None:
                continue
            # said when the answer forbids too, or negates the same act ("Đơn vị không thể đơn phương chấm dứt …");
            # not by a "không" about something else ("hợp đồng không xác định thời hạn")
            if not any(c.phrase in PROHIBITIONS or coverage(clause.forbidden, c.governed) >= 0.5 for c in negations):
                rule = " ".join(without_label(clause.clause.lead).split()[:12])
                return f"the cited case is one of a list under «{rule} …», whose negation the answer does not state"
        return None

    def _excepts_only(self, context: str, clause: str) -> bool:
        """Whether the claim keeps its clause but for an exception it leaves out (same actor, nothing negated)."""
        return (
            self.lexicon.drops_an_exception_only(context, clause)
            and self.actors.conflict(context, clause, sentence=self._own_sentence) is None
        )

    def _turned(self, context: str, clause: str, applier: str | None = None) -> str | None:
        """Why the claim (as the answer states it) turns its clause around: a negation or exception dropped or
        added (assistant/polarity.py), or the clause's act given to another actor (assistant/actor.py) — but for
        the persons `applier`, a cited clause that applies this one's article, names."""
        polar = self.lexicon.conflict(context, clause)
        if polar:
            self._turns[polar] = None
            return polar
        clash = self.actors.clash(context, clause, applier, sentence=self._own_sentence)
        if clash is None:
            return None
        self._clashes[clash.conflict] = clash
        return clash.conflict

    def _figures(self, context: str) -> set[str]:
        """The numbers a claim states as the answer states it (`context`: the sentence being checked, after its
        lead-in): its own and its lead-in's (`claim_numbers`), without either's list label — the label of an item
        under the question as its lead-in sits mid-text ("… khi nào 3. Do thiên tai …")."""
        lead = _lead_before(context, self._body)
        return claim_numbers(lead) | claim_numbers(context[len(lead) :])

    @property
    def _own_sentence(self) -> str | None:
        """Whose act a claim opens with is read from the sentence itself, unless it is a lettered or numbered item,
        whose act is its lead-in's ("- Người lao động được đơn phương chấm dứt … sau đây [2]:" then "a) Người lao
        động thường xuyên không hoàn thành công việc … [3]" — the employer's case, Điểm a Khoản 1 Điều 36 Bộ luật Lao
        động, given as the worker's, live, verified) — and so is a bare item the question stands as the lead-in of
        (asked again, naming the worker, the model wrote the same cases as "- Người lao động bị ốm đau … [3]", each
        true as a sentence, all verified); any other "- " line is the model's own statement."""
        led = self._question_led and self._continues and not self._says_asked_act
        return None if led or label_rank(self._body) in (1, 2) else self._body

    @property
    def _says_asked_act(self) -> bool:
        """Whether the sentence being checked names the act the question asks about (`context.asked_claim`'s): a
        whole rule of its own ("Người lao động được nghỉ việc riêng … khi kết hôn: nghỉ 03 ngày" for a công chức's
        question), not a case of the question's."""
        return self._asked_act is not None and contains_run(folded_runs(self._body), list(self._asked_act))

    @cached_property
    def _asked_act(self) -> tuple[str, ...] | None:
        """The first syllables of the act the question asks about (`context.asked_claim`), if it says one."""
        claim = asked_claim(self.question) if self.question else None
        return claim[1] if claim is not None else None

    def _applier(self, clause: _SourceClause, marks: tuple[int, ...]) -> str | None:
        """The text of the cited source that applies `clause`'s source (`CitedSource.applied_by`), if it is cited."""
        source = next((self._by_marker[m] for m in marks if clause in self._clauses.get(m, [])), None)
        by = source.applied_by if source is not None else None
        return self._clean[by] if by is not None and by in marks else None

    def _off_question(self, sentence: str, context: str) -> OffQuestion | None:
        """`_off_person` — unless the other person is the one an applied source speaks of, and the clause that
        applies it, cited by this sentence or one shown before, names the person asked about: under "Người lao
        động được nghỉ việc riêng … trong trường hợp kết hôn [2]:" (the code's article, which Điều 13 Luật Viên
        chức [1] applies to viên chức), "nghỉ 03 ngày [1] [2]." answers a viên chức's question (live, withheld: the
        answer ended at the lead-in's ":")."""
        off = self._off_person(sentence, context)
        if off is None:
            return None
        asked = self.actors.person_asked(self.question)
        cited = {*markers_in(sentence), *self._cited_so_far()}
        for s in self.sources:
            if asked is None or s.marker not in cited or s.applied_by is None or s.applied_by not in self._clean:
                continue
            applier, applied = self._clean[s.applied_by], self._clean[s.marker]
            if self.actors.names_person(applier, asked[0]) and self.actors.other_person(applied, asked[0]) == off.said:
                return None
        return off

    @cached_property
    def _asked_terms(self) -> dict[str, set[str]]:
        """The terms of `ASKED_FAMILIES` the question names, by family."""
        out: dict[str, set[str]] = {}
        for term in self.terms.named(self.question):
            family = self.terms.families[term]
            if family in ASKED_FAMILIES:
                out.setdefault(family, set()).add(term)
        return out

    def _rival_term(self, sentence: str, context: str, words: set[str], marks: tuple[int, ...]) -> str | None:
        """Why a claim answers for another member of a term family than the one the question names
        (`ASKED_FAMILIES`): it is an item under a lead-in of the answer that names only other members of it; or,
        under none, it names only other members itself and no clause stating it (with the lead-in of its list)
        names the one asked — "Đạt tiêu chuẩn danh hiệu Lao động tiên tiến" is a criterion of the "Chiến sĩ thi đua
        cơ sở" when its clause's lead-in says so."""
        if not self._asked_terms:
            return None
        body = " ".join(_MARKER.sub(" ", sentence).split())
        lead = _lead_before(context, body)
        if lead.startswith(self._question_lead) or self._unsupported_lead(lead):
            # the question standing as the lead-in of bare items names what is asked, not what they are; and so does
            # a lead-in of the model's own that no source states ("Thời hạn bảo quản hồ sơ, tài liệu được quy định
            # như sau [1]: (chưa kiểm chứng)" over the rule on holding records back, live, verified)
            lead = ""
        for family, asked in self._asked_terms.items():
            led = self._members(lead, family)
            if led & asked:
                continue
            mine = led or self._members(body, family)
            if mine & asked:
                continue
            if not led:
                stating = self._supporting_clauses(words, marks, self._figures(context))
                named = [self._members(c.clause.text, family) for c in stating]
                if any(n & asked for n in named):
                    continue
                if not mine:
                    # Naming none, the claim is about the member its clause names: the criteria of "“Huân chương
                    # Độc lập” hạng Ba để tặng cho …" restated are no answer on the Huân chương Lao động's (live).
                    if not named or not all(named):
                        continue
                    mine = set().union(*named)
            return RIVAL_TERM.format(asked=", ".join(sorted(asked)), said=", ".join(sorted(mine)))
        return None

    def _unsupported_lead(self, lead: str) -> bool:
        """Whether `lead` (a lead-in of the answer) was checked and found unsupported."""
        gist = _gist(lead)
        return bool(gist) and any(not c.supported and _gist(c.text) == gist for c in self.checks)

    def _members(self, text: str, family: str) -> set[str]:
        """The terms of `family` that `text` names."""
        return {t for t in self.terms.named(text) if self.terms.families[t] == family}

    def _off_person(self, sentence: str, context: str) -> OffQuestion | None:
        """Why a supported claim answers for another actor than the question asks about: its own words first
        ("d) Viên chức … có quyền đơn phương chấm dứt …"), else as the answer's lead-in states it, else from
        articles that never name the person asked about (`ActorLexicon.off_source`), else by the person it opens with
        when it names no one who may be the one asked (`ActorLexicon.other_subject`). A claim cited only to articles
        another source applies (`CitedSource.applied_by`) is judged by the applying sources alone."""
        if not self.question:
            return None
        body = " ".join(_MARKER.sub(" ", sentence).split())
        marks = markers_in(sentence)
        referrers = {self._by_marker[m].applied_by for m in marks if m in self._by_marker}
        if marks and None not in referrers:
            # Only articles another source applies: the code's "người lao động" stands for whom the applying clause
            # names ("Công chức được nghỉ hằng năm … theo quy định của pháp luật về lao động"), so that clause, not
            # the claim's own words, says whether the question's person is meant (ActorLexicon.off_source).
            return self.actors.off_source(self.question, body, self._about(tuple(r for r in referrers if r)))
        if context != body and not context.startswith(self._question_lead) and label_rank(body) in (1, 2):
            # A lettered or numbered item under the answer's own lead-in is one of the lead-in's cases, as the law's
            # points are: whose act it is, the lead-in says ("Đơn vị … được đơn phương chấm dứt … sau: c) Viên chức
            # làm việc theo hợp đồng làm việc … bị ốm đau …" is the unit's act, though the item's own words put "viên
            # chức" before "hợp đồng làm việc"). A "- " line is the model's own statement: read by itself first
            # ("- Viên chức … có quyền đơn phương chấm dứt …" after Khoản 3's list, seen live, is the viên chức's).
            return self.actors.off_question(self.question, context) or self.actors.off_source(
                self.question, body, self._about(marks)
            )
        # A line naming, for the act asked, the actor asked is theirs, whatever lead-in of the answer it follows, and
        # so is its rest after its ";" (live: "- Viên chức … có quyền đơn phương chấm dứt hợp đồng … 45 ngày; trường
        # hợp viên chức ốm đau … thì phải báo trước ít nhất 03 ngày" after the unit's list: both withheld).
        by_itself = (self._continues_own and label_rank(body) == 0) or self.actors.acts_as_asked(self.question, body)
        off = (
            self.actors.off_question(self.question, body)
            or (self.actors.off_question(self.question, context) if context != body and not by_itself else None)
            or self.actors.off_source(self.question, body, self._about(marks))
            or self.actors.other_subject(self.question, body)
        )
        self._own_open = by_itself and off is None and body.endswith(";")
        return off

    def _withheld_off(self, sentence: str) -> None:
        """Note `sentence` as just withheld for answering another question: its rest after a closing ";" goes with
        it, and so do its items when it leads a list in (ends with ":")."""
        end = _MARKER.sub("", sentence).rstrip()[-1:]
        self._off_open = end == ";"
        if end == ":":
            self._off_lead = self._lead

    def _under_off_lead(self) -> bool:
        """Whether the sentence being checked is a labelled item ("a) …", "1. …") of the open lead-in withheld as
        answering another question (`_withheld_off`) — not a line of the model's own ("- …"), read by itself."""
        on = bool(self._off_lead) and self._continues and self._lead == self._off_lead
        return on and label_rank(self._body) in (1, 2)  # `_body`: the sentence without its markers

    def _about(self, marks: tuple[int, ...]) -> list[str]:
        """What the cited sources are about, for who they speak of: their headings and text."""
        return ["\n".join([*self._by_marker[m].hit.heading_path, self._by_marker[m].hit.text]) for m in marks]

    def _forbids_the_asked_act(self, context: str) -> Opposite | None:
        """Whether a supported claim (as the answer states it, its lead-in included) forbids the act the question
        asks the cases of: "Đơn vị … không được đơn phương chấm dứt hợp đồng … khi viên chức ốm đau" to "… đơn phương
        chấm dứt hợp đồng … trong trường hợp nào?" — at least half of the forbidden act's words are the question's."""
        return _forbidden_asked_act(context, self.question, self.lexicon) if self._case_question else None

    def _attribute(
        self,
        sentence: str,
        words: set[str],
        context: str,
        turned_ok: bool = False,
        exclude: tuple[int, ...] = (),
        any_source: bool = False,
    ) -> int | None:
        """The source an unmarked sentence states (module docstring), if any. With `turned_ok`, a clause it states
        all but an exception of ("…, trừ trường hợp …") still counts when none states it plainly: the sentence is
        then cited to it and flagged for the exception it drops, as a marked one is — not hidden (live, the notice
        follow-up's right answer "… phải báo cho viên chức biết trước ít nhất 45 ngày …", written without a marker
        and without Khoản 2's "trừ trường hợp …", was dropped and the answer refused). One that negates its clause
        or gives its act to another actor stays unattributed: a false sentence is not shown, even flagged. Sources
        in `exclude` are not candidates. A list item or a figure is looked for in the sources cited so far, and a
        list item, with `any_source` (a claim the model marked, being re-cited), then in the others."""
        numbers, terms = claim_numbers(sentence), self.terms.named(sentence)
        turned: int | None = None
        if len(words) >= SHORT_CLAIM:
            # Of sources covering it equally, the one the open lead-in cites, then one saying it word for word: live,
            # "a) Năng lực quản lý, điều hành và tổ chức thực hiện nhiệm vụ;" under "… viên chức quản lý còn được
            # đánh giá theo các nội dung sau đây [2]:" went to [1], the công chức's article holding the same words,
            # and was withheld as the công chức's (Điểm a Khoản 2 Điều 41 Luật Viên chức, [2], says it).
            led = self._lead_marks if self._continues else ()
            spoken = _words(without_label(_MARKER.sub(" ", sentence).strip()))
            best: tuple[tuple[float, bool, bool], int] | None = None
            for marker, text in self._clean.items():
                # the candidate's own document number is its metadata, not a figure its text must state ("Trong quy
                # định của Bộ luật Lao động 45/2019/QH14, khi hợp đồng … chấm dứt …" quotes Điều 46, live, uncited)
                own = claim_numbers(without_own_numbers(sentence, [self._by_marker[marker]]))
                if marker in exclude or own - numbers_in(text) or terms - self.terms.named(text):
                    continue
                score = coverage(words, text)
                if score < self.policy.min_attribution or (best is not None and score < best[0][0]):
                    continue
                rank = (score, marker in led, contains_run(self._run_of(marker), spoken))
                if best is None or rank > best[0]:
                    if self._polarity_conflict(words, context, (marker,)) is None:
                        best = (rank, marker)
                    elif turned is None and any(
                        self._excepts_only(context, c.clause.text)
                        for c in self._supporting_clauses(words, (marker,), self._figures(context))
                    ):
                        turned = marker
            if best is not None:
                return best[1]
        else:
            said = self._said_verbatim(sentence, numbers | terms, exclude)
            if said is not None:
                return said
        item = label_rank(sentence) > 0 or self._after_lead_item(context, sentence)
        if not (numbers or item):
            return None
        sentence_present = present_words(sentence)
        found: tuple[float, int] | None = None
        cited = self._cited_so_far()
        # the sources the answer cites so far; for a list item the model marked (`any_source`, re-citing it), then
        # any other (live: "- Huân chương [1]." opened a list of the award forms, all of them Điều 9's, [2], and
        # stayed flagged while the items after it, by then citing [2], were re-cited). Not for a figure: the same
        # "tối đa là 02 năm" of another source's subject (a work permit's, asked about a labour contract) is not it.
        others = [m for m in sorted(self._clauses) if m not in cited] if any_source and not numbers else []
        pools = [cited, others]
        for marker in (m for pool in pools if found is None for m in pool if m not in exclude):
            for clause in self._clauses.get(marker, []):
                if numbers - clause.numbers or terms - self.terms.named(clause.clause.text):
                    continue
                score = share(words, clause.present)
                if numbers:
                    ok = score >= self.policy.min_support
                else:  # a list item: the law's item, not words scattered over the clause — or, for an item's case
                    # written alone before its value ("a) Kết hôn:", then "nghỉ 03 ngày [1];"), the item's case
                    law = clause.case_words if _MARKER.sub("", sentence).rstrip().endswith(":") else clause.item_words
                    # … all of it, for an item of one or two words: "- Bộ Nội vụ" answering who decides is not
                    # «5. Bộ Nội vụ hướng dẫn thực hiện Điều này.», half of whose words it says
                    whole = 1.0 if len(words) < SHORT_CLAIM else 0.5
                    ok = score >= self.policy.min_attribution and share(law, sentence_present) >= whole
                if ok and (found is None or score > found[0]):
                    if self._turned(context, clause.clause.text) is None:
                        found = (score, marker)
                    elif turned is None and self._excepts_only(context, clause.clause.text):
                        turned = marker
        if found is not None:
            return found[1]
        return turned if turned_ok else None

    def _said_verbatim(self, sentence: str, stated: set[str], exclude: tuple[int, ...]) -> int | None:
        """The one source with a line that is a claim of under three content words, word for word (a Khoản's heading,
        "1. Chuẩn bị họp"; at least `SHORT_RUN` syllables, no number or term: `stated`); None when none has or
        several have. Live: "Chuẩn bị họp [1]:" (Điều 36's Khoản 1 heading, [3]) was cited to Điều 32, whose "Tổ
        chức họp kiểm điểm" holds half of it, and verified: a claim that short was attributed to no other source.
        A line, not a phrase inside one: "- Bộ Nội vụ" answering who decides is not said by a clause that names
        the ministry in passing."""
        said = folded_runs(without_label(_MARKER.sub(" ", sentence)))
        if len(said) < SHORT_RUN or stated:
            return None
        holding = [
            m
            for m, text in self._clean.items()
            if m not in exclude and any(folded_runs(without_label(line)) == said for line in text.split("\n"))
        ]
        return holding[0] if len(holding) == 1 else None

    def _continued_quote(self, sentence: str) -> int | None:
        """The marker of the shown piece an unmarked one goes on quoting: the previous piece ended with ";" or ","
        and its last words then this one's are, word for word, in its cited source ("… của vợ hoặc chồng [1];"
        then "vợ hoặc chồng;" — the law's own enumeration, cut at its ";" — which was dropped as uncited, live)."""
        last = self.checks[-1] if self.checks else None
        if last is None or not last.supported or not last.markers:
            return None
        before = _MARKER.sub(" ", last.text).rstrip()
        if not before.endswith((";", ",")):
            return None
        quoted = _words(before)[-QUOTE_OVERLAP:] + _words(sentence)
        for marker in last.markers:
            if contains_run(self._run_of(marker), quoted):
                return marker
        return None

    def _title_only(self, bare: str) -> bool:
        """Whether `bare` (a sentence without its label and markers) only repeats the title of a source's article:
        live, "- Các hình thức kỷ luật đối với công chức [2]." — the title of Điều 79 Luật Cán bộ, công chức — was
        shown as the first item of an answer to who disciplines a công chức, verified. A title that is also a
        provision's own text ("3. Danh hiệu vinh dự nhà nước.", an item of a list) is a claim, and a title ending
        with ":" leads a list in."""
        said = fold(bare).rstrip(" .;")
        if not said or said.endswith(":"):
            return False
        return said in self._titles and said not in self._provision_lines

    def _titled_lead(self, words: set[str], marks: tuple[int, ...]) -> bool:
        """Whether the sentence being checked leads a list in (ends with ":") in the words of a cited article's
        title: its source, though no one provision of it holds those words. Live, "[1] Các hình thức kỷ luật đối
        với viên chức là:" — Điều 52 Luật Viên chức's title, its Khoản 1 listing them — was re-cited to Điều 31
        Nghị định 112/2020 (who decides them: "… quyết định hình thức kỷ luật" for each kind of viên chức), and its
        four items, looked for in [2] alone, were dropped: "the first answer held no claim"."""
        return self._body.rstrip().endswith(":") and any(
            coverage(words, article_title(self._by_marker[m].hit)) == 1.0 for m in marks
        )

    @cached_property
    def _titles(self) -> frozenset[str]:
        """The titles of the sources' articles, folded."""
        return frozenset(t for s in self.sources if (t := fold(article_title(s.hit)).rstrip(" .;:")))

    @cached_property
    def _provision_lines(self) -> frozenset[str]:
        """The sources' lines without their labels, folded: what a list item may restate word for word."""
        lines = (without_label(line.strip()) for text in self._clean.values() for line in text.splitlines())
        return frozenset(fold(line).rstrip(" .;:") for line in lines)

    @staticmethod
    def _after_lead_item(context: str, sentence: str) -> bool:
        """Whether an unlabelled sentence continues a lead-in (its context is longer than itself)."""
        return len(context) > len(" ".join(_MARKER.sub(" ", sentence).split()))

    def _check(self, raw: str, context: str) -> str | None:
        """Record the check of one sentence; the line to show, or None."""
        continues_off, self._off_open = self._off_open, False
        self._continues_own, self._own_open = self._own_open, False
        sentence = _markers_inside(self._strip_unknown(raw))
        self._body = " ".join(_MARKER.sub(" ", sentence).split())  # the claim without its lead-in (`_turned`)
        self._clashes, self._turns = {}, {}
        if not sentence:
            return None
        if _MARKER.sub("", sentence).rstrip().endswith("?"):
            self.checks.append(SentenceCheck(sentence, markers_in(sentence), False, 0.0, (QUESTION,)))
            return None
        sentence, link_reasons = self._strip_links(sentence, markers_in(sentence))
        marks = markers_in(sentence)
        # A list label's letter is not a word of the law ("f)" where the law, skipping f, has "e)").
        bare = without_label(_MARKER.sub(" ", _PROMPT_ECHO.sub(" ", sentence)))
        words = set() if _REFERENCE_ONLY.match(bare) else content_words(bare)
        if not words:
            self.checks.append(SentenceCheck(sentence, marks, False, 0.0, (NO_CLAIM, *link_reasons)))
            return None
        if names_no_one(bare, self.question, self.actors):
            self.checks.append(SentenceCheck(sentence, marks, False, 0.0, (NAMES_NO_ONE, *link_reasons)))
            return None
        if self._title_only(bare):
            self.checks.append(SentenceCheck(sentence, marks, False, 0.0, (TITLE_ONLY, *link_reasons)))
            return None
        if not marks:
            marker = self._continued_quote(sentence) or self._attribute(sentence, words, context, turned_ok=True)
            if marker is None:
                # A claim without a citation is not shown: the answer keeps only what its sources can back. One
                # left unattributed because the clause stating it gives its act to another actor than the one asked
                # is that actor's case, as a cited one is (live: the employer's "3. Do thiên tai …" under the
                # worker's question): worth the retry that names the person, then the person's own rule quoted.
                # One whose clause turns it (a may-not case of Khoản 3 Điều 29 Luật Viên chức, unmarked, for when
                # the unit may end the contract) says so, as a cited one does: the rule is then quoted instead.
                why = ("no citation", *self._turns, *self._injection_reasons(sentence), *link_reasons)
                self.checks.append(SentenceCheck(sentence, (), False, 0.0, why))
                self._off = self._off or self._clash_off_question(tuple(self._clashes))
                return None
            sentence, marks = with_marker(sentence, marker), (marker,)
        texts = [self._clean[m] for m in marks]
        cited = "\n".join(texts)
        score = coverage(words, cited)
        reasons: list[str] = []
        if score < self.policy.min_support:
            reasons.append(f"only {score:.0%} of its words are in the cited text")
        own = without_own_numbers(sentence, [self._by_marker[m] for m in marks])
        missing = sorted(claim_numbers(own) - numbers_in(cited))
        unmeasured = sorted(measures_in(own) - measures_in(cited) - ages_written_short(own, cited))
        unpointed = points_missing(own, cited)
        if unpointed:
            reasons.append(POINTS_MISSING + ", ".join(f"điểm {p}" for p in unpointed))
        unreferred = articles_missing(own, cited, {self._by_marker[m].hit.citation.article for m in marks})
        if unreferred:
            reasons.append(ARTICLES_MISSING + ", ".join(f"Điều {a}" for a in unreferred))
        if missing:
            reasons.append(NUMBERS_MISSING + ", ".join(missing))
        elif unmeasured:
            reasons.append(MEASURES_MISSING + ", ".join(unmeasured))
        else:
            stitched = (
                self._value_of_another_case(words, context, claim_numbers(own), marks)
                or numbers_apart(own, texts)
                or measure_of_another_term(own, texts, self.terms)
                or figure_named_otherwise(own, texts)
                or figure_of_condition(own, texts)
                or condition_dropped(own, texts, f"{self.question}\n{context}")
                or self._case_elsewhere(own, marks)
                or self._case_unasked(own, context)
                or case_of_another_statement(own, texts, self.question)
            )
            if stitched:
                reasons.append(stitched)
        unnamed = sorted(self.terms.named(sentence) - self.terms.named(cited))
        if unnamed:
            reasons.append(TERMS_MISSING + ", ".join(unnamed))
        else:
            swapped = self._swapped_terms(sentence, words, marks)
            if swapped:
                reasons.append(swapped)
        turned = self._polarity_conflict(words, context, marks)
        if turned:
            reasons.append(turned)
        applied = self._applied_by(marks) if reasons and not link_reasons else ()
        if applied and self._states_with(own, words, marks, applied):
            # The claim joins what its clause says with what that clause applies: "Công chức được nghỉ việc riêng
            # khi kết hôn 03 ngày [1]" — [1] gives công chức their leave "theo quy định của pháp luật về lao động",
            # [2], the code's article it applies, the 03 ngày (live, refused for the number). Both are cited.
            joined = WITH_APPLIED + "".join(f"[{m}]" for m in applied)
            self.checks.append(SentenceCheck(sentence, marks, False, score, (joined, *reasons)))
            for m in applied:
                sentence = with_marker(sentence, m)
            return self._check(sentence, context)
        if reasons and not link_reasons:
            # One its cited source contradicts (a negation or an actor of its own, `turned`) is not laundered through
            # another source that merely holds its words: live, "Chính phủ quyết định tặng Bằng khen của Thủ tướng
            # Chính phủ [1]." — [1], Điều 78, gives that act to the Thủ tướng — went, verified, to Điều 73's criteria
            # for the award, which hold four of its five words. Only a provision stating every word of it takes it.
            contradicted = turned is not None and turned in reasons
            recited = self._recite(
                sentence, words, context, marks, score, reasons, provision_only=contradicted, whole=contradicted
            )
            if recited is not None:
                return recited[0]
        elif not link_reasons and score < self.policy.min_attribution:
            # Half-supported by its citation, stated in full by another source: mis-numbered too ("Đối với hồ sơ,
            # tài liệu xây dựng cơ bản [3]:" — two of its four words in [3]'s responsibilities clause, all of them in
            # [2]'s deadline article, live). The claim binds to the source that states it.
            partial = [f"only {score:.0%} of its words are in the cited text"]
            recited = self._recite(sentence, words, context, marks, score, partial, others_only=True)
            if recited is not None:
                return recited[0]
            # … and one that another source states in full, turned around, is that source's claim turned: flagged,
            # not verified on the half its citation shares (live: "Người lao động được đơn phương chấm dứt hợp đồng
            # lao động khi sức khỏe … bình phục thì người sử dụng lao động xem xét …" cited to Điều 40, which holds
            # 55 % of its words; Điều 36 states them all, of the employer)
            elsewhere = self._turned_elsewhere(words, context, marks)
            reasons = [elsewhere] if elsewhere else reasons
        injected = self._injection_reasons(sentence) if reasons else []
        ok = not reasons
        # Whose act it is is asked of a claim turned around too: one about another actor is withheld, not flagged.
        off = self._off_question(sentence, context) if ok or reasons == [turned] else None
        rival = self._rival_term(sentence, context, words, marks) if ok and off is None else None
        if rival:
            # True, but about another title, measure or period of the family the question names (live: asked who
            # gets the "Chiến sĩ thi đua cơ sở", the answer went on with the criteria of the Bộ's title, whose item
            # names the cơ sở title as one of them): not shown, nor the rest of it after its ";". Unless another
            # source's provision states it, for the member asked: "a) Hoàn thành tốt nhiệm vụ trở lên [1];" cited to
            # the collective title's Điều 28 is the Lao động tiên tiến's Điều 24 too (live: dropped, the list went
            # on at b).
            recited = self._recite(
                sentence, words, context, marks, score, [OFF_QUESTION + rival], True, provision_only=True, whole=True
            )
            if recited is not None:
                return recited[0]
            self.checks.append(SentenceCheck(sentence, marks, False, score, (OFF_QUESTION + rival,)))
            self._withheld_off(sentence)
            return None
        if off or (ok and continues_off and label_rank(sentence) == 0):
            # True, but about another actor's act than the one asked: not shown (the pipeline asks once more when
            # nothing else was) — "cases where the unit may end the contract" are not the viên chức's own cases. The
            # rest of such a sentence after its ";" ("…; trường hợp viên chức ốm đau … thì phải báo trước …") goes
            # with it.
            withheld = OFF_QUESTION + (off.reason if off else CONTINUES_OFF)
            self.checks.append(SentenceCheck(sentence, marks, False, score, (withheld,)))
            self._off = self._off or off
            self._withheld_off(sentence)
            return None
        if ok and self._under_off_lead():
            # An item of a lead-in withheld as another actor's or another title's is that lead-in's case, whatever
            # it names itself: live, under the Bộ-level title's "Danh hiệu chiến sĩ thi đua Bộ, ban, ngành, tỉnh để
            # tặng cho cá nhân đạt các tiêu chuẩn sau đây:", withheld, "a) … có 03 lần liên tục được tặng danh hiệu
            # “Chiến sĩ thi đua cơ sở”" went out alone as an answer on the cơ sở title; under a viên chức's "Áp
            # dụng đối với viên chức không giữ chức vụ quản lý:", its forms, in the answer on a công chức's.
            self.checks.append(SentenceCheck(sentence, marks, False, score, (OFF_QUESTION + UNDER_OFF_LEAD,)))
            return None
        act_case = act_as_its_case(own, self.question) if ok else None
        if act_case:
            # True, and of the person asked, but what follows the act asked, not when it is done (live: "Khi viên
            # chức bị xử lý kỷ luật buộc thôi việc thì không được hưởng chế độ thôi việc …" for when a viên chức is
            # dismissed): flagged, after the checks that withhold another actor's act
            reasons.append(act_case)
            ok = False
        clause = self._bind(sentence, words, marks) if ok else None
        if (
            clause is not None
            and clause.spread
            and not link_reasons
            and not off
            and not self._titled_lead(words, marks)
        ):
            # No one provision of the cited article states it — its words are spread over several (live: "Bản sao
            # y được thực hiện bằng việc số hóa văn bản giấy và ký số …" on Điều 3's definitions, which Điều 25's
            # Điểm c states word for word). Another source whose provision states it takes the marker.
            recited = self._recite(sentence, words, context, marks, score, [SPREAD], True, provision_only=True)
            if recited is not None:
                return recited[0]
        if ok and clause is not None and self._continues and not link_reasons and coverage(words, clause.quote) < 1.0:
            # An item of the answer's list that its cited provision states only in part, while another source's
            # provision states it whole: live, "a) Hoàn thành tốt nhiệm vụ trở lên [1];" (under "Danh hiệu Lao động
            # tiên tiến … [2]:") was shown as Điểm a Khoản 1 Điều 28 ("Hoàn thành tốt nhiệm vụ được giao"), the
            # collective title's criteria, while [2]'s Điều 24 states it word for word.
            partly = [ITEM_IN_PART]
            recited = self._recite(
                sentence, words, context, marks, score, partly, others_only=True, provision_only=True, whole=True
            )
            if recited is not None:
                return recited[0]
        if ok and clause is not None and not link_reasons and coverage(words, clause.quote) < 1.0:
            # Its provision holds most of its words, another source's says it word for word: live, "Người đứng đầu
            # cơ quan, tổ chức có thẩm quyền ký tất cả văn bản do cơ quan, tổ chức ban hành [1]" was verified on
            # Khoản 1 Điều 27 Nghị định 30/2020 (who decides on copies "và quy định thẩm quyền ký các bản sao"),
            # while [2]'s Khoản 1 Điều 13 is that sentence. The highlight goes to the span that says it.
            holder = self._said_by_another(sentence, marks)
            if holder is not None:
                recited = self._recite(
                    sentence, words, context, marks, score, [SAID_ELSEWHERE], True, provision_only=True, to=holder
                )
                if recited is not None:
                    return recited[0]
        listed = ok and clause is not None and not link_reasons and label_rank(sentence) > 0
        if listed and clause is not None and not _is_item(sentence, clause.quote):
            # A list item bound to a provision that names it among more (live: "- Danh hiệu vinh dự nhà nước [3]." in
            # the forms of commendation, on Khoản 3 Điều 84, a procedure naming nine of them), while another source's
            # provision is that item ("3. Danh hiệu vinh dự nhà nước.", Điều 9's): the law's list it comes from.
            among = [ITEM_AMONG_MORE]
            recited = self._recite(
                sentence, words, context, marks, score, among, others_only=True, provision_only=True, item=True
            )
            if recited is not None:
                return recited[0]
        misplaced = self._misplaced_focus(sentence, clause)
        if misplaced:
            # The previous answer's clause retold about what the follow-up asks ("Dấu chữ ký được đóng vào khoảng
            # giữa mép phải …" — the giáp lai rule, live, after a note naming "chữ ký"): its words are the law's,
            # its subject is not.
            reasons.append(misplaced)
            ok, clause = False, None
            # … or the right words cited to the wrong source: another source that states them in full says it
            # ("… con đẻ, con nuôi kết hôn [2]" where [1]'s Điểm b does, live).
            recited = None if link_reasons else self._recite(sentence, words, context, marks, score, reasons, True)
            if recited is not None:
                return recited[0]
        if ok and clause is not None:
            whole = completed(sentence, clause)
            if whole != sentence:
                # the law's words that complete it are checked with it: they may name what the question does not
                # ask ("- Đăng ký văn bản [2]" is how Điều 22's rule for incoming documents begins, live)
                said, whole_said = (" ".join(_MARKER.sub(" ", x).split()) for x in (sentence, whole))
                return self._check(whole, f"{_lead_before(context, said)}{whole_said}")
            sentence = with_law_label(with_value(sentence, clause), clause)
        self.checks.append(SentenceCheck(sentence, marks, ok, score, (*reasons, *injected, *link_reasons), clause))
        if not ok:
            # a claim giving the person asked the act its clause gives another answered from that other's rule:
            # worth the retry that names the person (live: the employer's cases given as the worker's, then refused)
            self._off = self._off or self._clash_off_question(reasons)
        if ok:
            opposite = self._forbids_the_asked_act(context)
            self._opposite = self._opposite or opposite
            self._answering += opposite is None
            return sentence
        if injected or link_reasons or self.policy.drop_unsupported:
            return None  # repeats an injected instruction, or existed to carry a link: not shown at all
        return sentence + FLAG

    def _applied_by(self, marks: tuple[int, ...]) -> tuple[int, ...]:
        """The markers of the sources the cited ones apply (`CitedSource.applied_by`) that the claim does not cite."""
        return tuple(s.marker for s in self.sources if s.applied_by in marks and s.marker not in marks)

    def _states_with(self, own: str, words: set[str], marks: tuple[int, ...], applied: tuple[int, ...]) -> bool:
        """Whether the cited sources (`marks`) and those they apply (`applied`) together hold the claim's words
        (`min_support`) and every number of it — and the cited ones add words of it the applied ones lack ("công
        chức"): else the applied source alone is what states it, and the claim is re-cited to it (`_recite`), not
        cited to both (live, a list item on the code's cases came out "… mẹ nuôi [3] [1]", [3] being Luật Bảo hiểm
        xã hội's clause that applies the code's article, which says nothing of them)."""
        both = "\n".join(self._clean[m] for m in marks + applied)
        stated = claim_numbers(own) <= numbers_in(both) and measures_in(own) <= measures_in(both)
        together = coverage(words, both)
        alone = coverage(words, "\n".join(self._clean[m] for m in applied))
        return stated and together >= self.policy.min_support and together > alone

    def _recite(
        self,
        sentence: str,
        words: set[str],
        context: str,
        marks: tuple[int, ...],
        score: float,
        reasons: list[str],
        others_only: bool = False,
        provision_only: bool = False,
        whole: bool = False,
        item: bool = False,
        to: int | None = None,
    ) -> tuple[str | None] | None:
        """Mis-numbered: the small model cites [1] for what [4] states. A claim another source states in full (the
        attribution test of an unmarked sentence) is re-cited to it rather than flagged: the check of the re-cited
        sentence (in a 1-tuple: the line to show, or None), or None when no other source states it. `others_only`:
        the cited sources are no candidates (their clause was found wanting whatever their words). `provision_only`:
        only a source one of whose Khoản or Điểm states it (not its article as a whole) takes it; `whole`: only one
        whose provision states every word of it; `item`: only one whose provision is the claim, a list item
        (`_is_item`), word for word; `to`: that source, found otherwise, rather than the one attribution finds."""
        # a claim is never re-cited back to a source it was checked with: [1] → [4] → [1] … did not end (live)
        exclude = (*(marks if others_only else ()), *self._recited_from)
        other = to if to is not None and to not in exclude else None
        if to is None:
            other = self._attribute(_MARKER.sub("", sentence).strip(), words, context, exclude=exclude, any_source=True)
        if other is None or other in marks:
            return None
        if provision_only:
            bound = self._outline(other).bind(sentence)
            whole_body = bound is not None and bound.level is Level.ARTICLE and len(self._outline(other).units) > 1
            if bound is None or bound.spread or whole_body or (whole and coverage(words, bound.quote) < 1.0):
                return None
            if item and (coverage(words, bound.quote) < 1.0 or not _is_item(sentence, bound.quote)):
                return None
        bare = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(_MARKER.sub("", sentence).split()))
        self.checks.append(SentenceCheck(sentence, marks, False, score, (f"{RECITED}[{other}]", *reasons)))
        before, self._recited_from = self._recited_from, self._recited_from | set(marks)
        try:
            return (self._check(with_marker(bare, other), context),)
        finally:
            self._recited_from = before

    def _said_by_another(self, sentence: str, marks: tuple[int, ...]) -> int | None:
        """The one source, not cited by `sentence`, whose text says it word for word (its list label and markers
        aside, at least `SAID_MIN_WORDS` words, folded): that source states it, whatever else holds its words.
        None when none does, several do (the model's choice among them stands), or a cited one does too."""
        said = _words(without_label(_MARKER.sub(" ", sentence)))
        if len(said) < SAID_MIN_WORDS or any(contains_run(self._run_of(m), said) for m in marks):
            return None  # short, or said word for word where it is cited (another provision of it was bound)
        holding = [
            m
            for m in self._clean
            if m not in marks and m not in self._recited_from and contains_run(self._run_of(m), said)
        ]
        return holding[0] if len(holding) == 1 else None

    def _misplaced_focus(self, sentence: str, clause: ClauseRef | None) -> str | None:
        """Why a supported sentence naming the follow-up's focus words is not supported after all: the clause it
        binds to does not name them (the source names them elsewhere, so the cited text's coverage passed)."""
        if clause is None:
            return None
        stated = self.focus.named_in(clause.quote)
        missing = [w for w in self.focus.named_in(_MARKER.sub(" ", sentence)) if w not in stated]
        return FOCUS_ELSEWHERE + ", ".join(w.replace("_", " ") for w in missing) if missing else None

    def _bind(self, sentence: str, words: set[str], marks: tuple[int, ...]) -> ClauseRef | None:
        """The Khoản/Điểm that states a supported sentence (assistant/clauses.py), in the cited source that states
        its figures with their units, of those the one that covers most of its words (the first of equals): "nghỉ
        03 ngày [1] [2]" binds to [2]'s "a) Kết hôn: nghỉ 03 ngày;", not to [1]'s "… 03 năm …" (live)."""
        measures = measures_in(sentence)
        marker = max(marks, key=lambda m: (measures <= measures_in(self._clean[m]), coverage(words, self._clean[m])))
        return self._outline(marker).bind(sentence)

    def _run_of(self, marker: int) -> list[str]:
        """Source `marker`'s law (its headings and its text, instructions cut) as folded words in order, read once:
        where a claim is looked for word for word, for each sentence and each source."""
        if marker not in self._law_runs:
            self._law_runs[marker] = _words(self._clean[marker])
        return self._law_runs[marker]

    def _outline(self, marker: int) -> SourceOutline:
        if marker not in self._outlines:
            self._outlines[marker] = SourceOutline.of(marker, self._by_marker[marker].hit)
        return self._outlines[marker]

    @cached_property
    def _law_syllables(self) -> frozenset[str]:
        """The words of the prompt's law, folded: read once, by the first claim whose case is checked."""
        return frozenset(folded_runs(self._all_clean))

    def _case_unasked(self, own: str, context: str) -> str | None:
        """Why a claim gives its figure for another case than the one the question asks about: asked "Người lao động
        được nghỉ việc riêng bao nhiêu ngày khi cha mẹ chết?", "… nếu con dưới 02 tháng tuổi bị chết thì mẹ được nghỉ
        việc 04 tháng … [2]" (Điều 34 Luật Bảo hiểm xã hội, the maternity leave when a newborn dies) was verified,
        live. The claim names a case of its own (`case_phrase`, in it or its lead-in) and leaves out a word of the
        question's case that the law of the prompt uses or that names a person (`case_persons`: the article that
        says "cha" may not be in the prompt at all): a user's "bố" or "mất", which the law writes "cha", "chết", is
        no such word, nor the person the question asks about ("… khi viên chức kết hôn?" answered from the labour
        code's "Khi kết hôn, người lao động …")."""
        asked = self._case_asked
        if not asked or not claim_numbers(own):
            return None
        # its lead-in names the case with it; the question, which stands as the first sentence's context, does not
        lead = "" if " ".join(self.question.rstrip(" ?").split()) in " ".join(context.split()) else context
        if case_phrase(own) is None and (not lead or case_phrase(lead) is None):
            return None
        said = set(folded_runs(f"{lead}\n{own}"))
        case = {s for w in content_words(asked) for s in folded_runs(w.replace("_", " "))}
        person = self.actors.person_asked(self.question)
        if person is not None:  # "khi viên chức kết hôn": whom the question asks about, not the case
            case -= set(folded_runs(person[1]))
        missing = sorted(w for w in case if w not in said and (w in self._law_syllables or w in case_persons()))
        return f"{CASE_UNASKED}«{asked}»" if missing else None

    def _case_elsewhere(self, sentence: str, marks: tuple[int, ...]) -> str | None:
        """Why a claim's figure is another case's: the case it names ("khi ông bà chết", `case_phrase`) is not
        named by the provision of any cited source that states its numbers (live: "… khi ông bà chết được nghỉ 04
        tháng tính từ ngày sinh con [2]." on Luật BHXH's clause for a newborn's death, which names "chết" and no
        grandparent): no such provision names more than `CASE_SHARE` of the case's words. Nothing when it names no
        case, states no number, or no single provision states its numbers. The case's words are many ("… vì hoàn
        cảnh khó khăn theo điểm d khoản 5", whose clause states the 30 days by pointing to điểm d) and some are
        worded otherwise ("kể từ"), so more than half suffice."""
        case = case_phrase(sentence)
        numbers = claim_numbers(sentence)
        if case:
            # the figures the case itself states ("… nghỉ ốm đau … dưới 14 ngày") describe it; the claim's value is
            # the rest, and the provision stating that value must name the case (live: "Thời gian tập sự … là 12
            # tháng đối với trường hợp người tập sự nghỉ ốm đau … dưới 14 ngày …" was verified: no one provision
            # states both 12 and 14, and Điểm a's 12 tháng is for a university degree)
            numbers = (numbers - numbers_in(case)) or numbers
        words = content_words(case) if case else set()
        if not words or not numbers:
            return None
        shares = [share for m in marks if (share := self._outline(m).case_share(numbers, words)) is not None]
        if not shares or max(shares) > CASE_SHARE:
            return None
        return f"{CASE_ELSEWHERE}«{case}»"

    def result(self) -> Verified:
        """The verified answer so far: kept text, every sentence's check, the status and the markers. A lead-in
        still waiting for what it leads into is dropped — unless it is all the answer shows, which then stands
        for itself (a sentence verified alone, as `kho eval highlight` reads them)."""
        if self.text:
            self._drop_pending()
        elif self._pending:
            self.text, self._pending, self._held_lead = self._held_lead.lstrip(), [], ""
        # What is shown decides: every supported sentence is shown; a flagged one is shown with FLAG.
        if self.n_supported == 0:
            status = Verification.UNVERIFIED
        elif self._flagged_shown:
            status = Verification.PARTIALLY_VERIFIED
        else:
            status = Verification.VERIFIED
        used = tuple(sorted({m for c in self.checks if c.supported for m in c.markers}))
        opposite = self._opposite if self.n_supported and not self._answering else None
        unspoken = Unspoken(self.focus) if self.n_supported and not self._focused else None
        pointer = PointsOnly() if self.n_supported and not self._says and unspoken is None else None
        dropped = tuple(sorted(self._dropped))
        return Verified(self.text, list(self.checks), status, dropped, used, self._off, opposite, unspoken, pointer)


# The value a Điểm gives its case after ":" ("a) Kết hôn: nghỉ 03 ngày;"), at most `VALUE_CHARS` long.
_ITEM_VALUE = re.compile(r":\s*([^:\n]*\d[^:\n]*?)\s*[.;]?\s*$")
_LINE_TAIL = re.compile(r"(\s*(?:\[\d{1,2}\]\s*)*[.;!]?\s*)$")
VALUE_CHARS = 80


def with_value(sentence: str, clause: ClauseRef) -> str:
    """`sentence` with the value its Điểm gives the case it states, when the sentence left the value's numbers out:
    "… nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp kết hôn [1]." on "a) Kết hôn: nghỉ 03 ngày;"
    (live, a follow-up's answer) becomes "… kết hôn: nghỉ 03 ngày [1]." — the law's words, as they stand after
    its ":". Not for a piece of an item that goes on after ";" (the value is its last piece's), nor for a sentence
    that ends with ":" (its value follows), nor for a Khoản, whose lines may hold several values.

    >>> ref = ClauseRef(1, "d", 0, 24, Level.DIEM, "Điểm a Khoản 1 Điều 115", "a) Kết hôn: nghỉ 03 ngày;", "1", "a")
    >>> with_value("Người lao động được nghỉ có lương khi kết hôn [1].", ref)
    'Người lao động được nghỉ có lương khi kết hôn: nghỉ 03 ngày [1].'
    >>> with_value("Khi kết hôn được nghỉ 03 ngày [1].", ref), with_value("Khi kết hôn [1];", ref)
    ('Khi kết hôn được nghỉ 03 ngày [1].', 'Khi kết hôn [1];')
    """
    value = _ITEM_VALUE.search(clause.quote.strip()) if clause.level is Level.DIEM else None
    if value is None or "\n" in clause.quote.strip() or len(value.group(1)) > VALUE_CHARS:
        return sentence
    if numbers_in(value.group(1)) <= numbers_in(sentence):
        return sentence
    tail = _LINE_TAIL.search(sentence)
    body, end = (sentence[: tail.start()], tail.group(1)) if tail else (sentence, "")
    if end.strip().endswith((";", ":")) or body.rstrip().endswith((";", ":")):
        return sentence
    return f"{body.rstrip()}: {value.group(1).strip()}{end}"


# Where a piece of the law's sentence ends: a ";" or ":", a "." that is no decimal point, a line's end.
_PIECE_END = re.compile(r"[;:]|\.(?!\d)|\n")
CUT_MIN_WORDS = 8  # syllables: a shorter run may begin many a provision ("Đăng ký văn bản" …)


def completed(sentence: str, clause: ClauseRef) -> str:
    """`sentence` with the rest of the law's sentence it stops in the middle of, as its provision goes on: the small
    model cuts a quote short ("- Đối với thời gian công tác … từ ngày 01 tháng 01 năm 2009 đến nay được thực hiện
    theo quy định [1]" for "… theo quy định của pháp luật về trợ cấp thất nghiệp.", live), and a reference cut
    short points nowhere. Only a claim whose words are the provision's own, at least `CUT_MIN_WORDS` of them, run
    for run, stopping where the law goes on without a break; the law's words complete it.

    >>> ref = ClauseRef(1, "d", 0, 9, Level.KHOAN, "Khoản 2 Điều 58", "2. Từ năm 2009 được thực hiện theo quy định "
    ...     "của pháp luật về trợ cấp thất nghiệp.", "2")
    >>> completed("- Từ năm 2009 được thực hiện theo quy định [1]", ref)
    '- Từ năm 2009 được thực hiện theo quy định của pháp luật về trợ cấp thất nghiệp [1]'
    >>> completed("Từ năm 2009 được thực hiện theo quy định của pháp luật [1].", ref)
    'Từ năm 2009 được thực hiện theo quy định của pháp luật về trợ cấp thất nghiệp [1].'
    >>> completed("Được thực hiện theo quy định của pháp luật về trợ cấp thất nghiệp [1].", ref)
    'Được thực hiện theo quy định của pháp luật về trợ cấp thất nghiệp [1].'
    >>> completed("Thực hiện theo quy định của luật [1].", ref)
    'Thực hiện theo quy định của luật [1].'
    >>> listed = ClauseRef(1, "d", 0, 9, Level.KHOAN, "Khoản 1", "1. Áp dụng đối với viên chức không giữ chức vụ quản "
    ...     "lý\\na) Khiển trách;", "1")
    >>> completed("Áp dụng đối với viên chức không giữ chức vụ quản lý [2]", listed)
    'Áp dụng đối với viên chức không giữ chức vụ quản lý [2]'
    """
    tail = _LINE_TAIL.search(sentence)
    body, end = (sentence[: tail.start()], tail.group(1)) if tail else (sentence, "")
    if body.rstrip().endswith((":", ",")):
        return sentence
    claim = " ".join(nfc(without_label(body)).split())
    if len(claim.split()) < CUT_MIN_WORDS:
        return sentence
    law = "\n".join(" ".join(line.split()) for line in nfc(clause.quote).split("\n"))  # a line's end ends it
    at = law.lower().find(claim.lower())
    if at < 0:
        return sentence
    after = law[at + len(claim) :]
    if not after.startswith(" ") or not after[1:2].isalnum():
        return sentence  # the claim ends where the law's words break, or ends inside a word
    stop = _PIECE_END.search(after)
    rest = (after[: stop.start()] if stop else after).rstrip(" ,")
    return f"{body.rstrip()}{rest}{end}"


def with_law_label(sentence: str, clause: ClauseRef) -> str:
    """`sentence` with the letter of the Điểm it is bound to, where it wrote another: the small model letters its
    list a, b, c, d, e, f… while the law, in the Vietnamese alphabet, has a, b, c, d, đ, e, g… (live, Điều 8 Nghị
    định 30/2020: "e) Tên loại và trích yếu …", "f) Nội dung văn bản." for the law's đ) and e), each cited to the
    right Điểm). A lawyer reads "f)" as a Điểm the article does not have. An unlabelled or numbered line, or one
    bound to a Khoản or an article, is left as written.

    >>> ref = ClauseRef(1, "d", 0, 9, Level.DIEM, "Điểm e Khoản 2 Điều 8", "e) Nội dung văn bản.", "2", "e")
    >>> with_law_label("f) Nội dung văn bản [1].", ref), with_law_label("  F) Nội dung văn bản [1].", ref)
    ('e) Nội dung văn bản [1].', '  e) Nội dung văn bản [1].')
    >>> with_law_label("e) Nội dung văn bản [1].", ref), with_law_label("- Nội dung văn bản [1].", ref)
    ('e) Nội dung văn bản [1].', '- Nội dung văn bản [1].')
    """
    written = letter_label(sentence)
    law = letter_label(clause.quote.strip()) if clause.level is Level.DIEM else None
    if written is None or law is None or written == law:
        return sentence
    start = sentence.index(sentence.lstrip()[:1])
    return f"{sentence[:start]}{law}){sentence[start + len(written) + 1 :]}"


def the_rule(opposite: Opposite, sources: list[CitedSource], question: str) -> str | None:
    """The list whose exceptions an answer gave alone, quoted: in the cited sources, in order, the first lead-in that
    states the act without a negation, for the actor `question` asks about ("1. Đơn vị … được đơn phương chấm dứt
    hợp đồng … trong các trường hợp sau:", not the viên chức's own "có quyền đơn phương chấm dứt …"), and its items,
    verbatim, each line ending in its source's marker; None when no source has one."""
    lexicon, actors = CueLexicon.default(), ActorLexicon.default()
    act = content_words(opposite.act)
    for source in sources:
        for listed in source_lists(source.hit.text, source.marker):
            if (
                coverage(act, listed.lead) >= RULE_ACT
                and not any(c.kind is CueKind.NEGATION for c in lexicon.cues(listed.lead))
                and actors.off_question(question, listed.lead) is None
            ):
                return listed.quoted()
    return None


def own_rules(off: OffQuestion, sources: list[CitedSource], question: str) -> str | None:
    """The rule of the actor the question asks about, quoted, when the answer spoke only of another actor: of the
    first source (in order) that has any, every list whose lead-in gives the act asked (`off.predicate`, at least
    `RULE_ACT` of its words) to that actor (`ActorLexicon.acts_as_asked`) without negating it, verbatim, lead-in
    first; None when no source has one. Live: "Người lao động được đơn phương chấm dứt hợp đồng lao động khi nào?"
    was answered twice with the employer's cases (Điều 36 Bộ luật Lao động) and refused; Điều 35, "1. Người lao
    động có quyền đơn phương chấm dứt hợp đồng lao động nhưng phải báo trước …" and "2. … không cần báo trước trong
    trường hợp sau đây:" ("không cần" governs the notice, not the act), was [4]."""
    lexicon, actors = CueLexicon.default(), ActorLexicon.default()
    act = content_words(off.predicate)

    def gives_the_act(lead: str) -> bool:
        negated = any(
            c.kind is CueKind.NEGATION and coverage(act, c.governed) >= RELEVANT_ACT for c in lexicon.cues(lead)
        )
        return coverage(act, lead) >= RULE_ACT and not negated and actors.acts_as_asked(question, lead)

    return _lists_led_by(sources, gives_the_act)


def rules_left_out(checked: Verified, sources: Sequence[CitedSource], question: str) -> str | None:
    """The rest of a rule the answer gave in part, quoted: for a question asking when the person asked may (or may
    not) do an act, the other Khoản of a cited article that state it for them (`context.says_as_asked`), when the
    answer's kept claims are bound to one that does — each verbatim, a list with its items (`SourceList.quoted`),
    one after another; None when there are none. Live: "Viên chức được đơn phương chấm dứt hợp đồng làm việc khi
    nào?" was answered, verified, with Khoản 4 of Điều 29 Luật Viên chức (a contract without a fixed term: 45 days'
    notice) and not Khoản 5 (a fixed-term one: the cases); "Khi nào người lao động được đơn phương chấm dứt hợp
    đồng lao động?" with Khoản 1 of Điều 35 Bộ luật Lao động (with notice) and not Khoản 2 (without)."""
    claim = asked_claim(question)
    if claim is None or not asks_when(question):
        return None
    bound = {(c.clause.marker, c.clause.clause) for c in checked.sentences if c.supported and c.clause is not None}
    out: list[str] = []
    for source in sources:
        rules = _rules_of(source, claim)
        if any((source.marker, label) in bound for label in rules):
            out += [quoted for label, quoted in rules.items() if (source.marker, label) not in bound]
    return "\n".join(out) or None


def _rules_of(source: CitedSource, claim: tuple[frozenset[str], tuple[str, ...], bool]) -> dict[str, str]:
    """The Khoản of `source` (by label) whose lead-in states the act of `claim` for its person, each quoted: a list
    with its items, else the Khoản with its number (a line of its own after a list), each part cited (below,
    Khoản 1 is the unit's, not his).

    >>> from types import SimpleNamespace
    >>> text = ("Điều 29. Chấm dứt hợp đồng làm việc\\n1. Đơn vị được đơn phương chấm dứt hợp đồng khi viên chức ốm."
    ...         "\\n2. Viên chức có quyền đơn phương chấm dứt hợp đồng nhưng phải báo trước 45 ngày."
    ...         "\\n3. Viên chức có hợp đồng xác định thời hạn có quyền đơn phương chấm dứt hợp đồng "
    ...         "trong các trường hợp sau:"
    ...         "\\na) Không được bố trí theo đúng vị trí việc làm;\\nb) Không được trả lương đầy đủ.")
    >>> law = SimpleNamespace(marker=1, hit=SimpleNamespace(text=text))
    >>> rules = _rules_of(law, asked_claim("Viên chức được đơn phương chấm dứt hợp đồng khi nào?"))
    >>> list(rules)
    ['2', '3']
    >>> print(rules["2"]); print(rules["3"])
    2. Viên chức có quyền đơn phương chấm dứt hợp đồng nhưng phải báo trước 45 ngày [1].
    Viên chức có hợp đồng xác định thời hạn có quyền đơn phương chấm dứt hợp đồng trong các trường hợp sau [1]:
    a) Không được bố trí theo đúng vị trí việc làm [1];
    b) Không được trả lương đầy đủ [1].
    """
    text, rules = source.hit.text, {}
    lists = source_lists(text, source.marker)
    for unit in outline(text)[1]:
        if unit.level is not Level.KHOAN or unit.clause is None:
            continue
        lead = text[unit.start : unit.lead_end or unit.end].strip()
        if not (says_as_asked(lead, *claim) and states_act(lead, claim[1])):
            continue  # "6. Viên chức phải thông báo … về việc đơn phương chấm dứt …" gives the notice, not the act
        listed = next((x for x in lists if x.label == unit.clause), None)
        if unit.children and listed is None:
            continue  # a list not read as one is not quoted by halves
        rules[unit.clause] = listed.quoted() if listed else marked(lead, source.marker)
    return rules


def forbidden_rules(sources: list[CitedSource], question: str) -> str | None:
    """For a question asking the cases where an act may NOT be done, the rule that says so, quoted: of the first
    source (in order) that has any, every list whose lead-in states that act with the negation for the person
    asked (`context.says_as_asked`), verbatim, lead-in first; None when no source has one, or the question asks no
    such thing. Live: "Khi nào người lao động không được từ chối làm thêm giờ?" — Điều 108 Bộ luật Lao động, "… và
    người lao động không được từ chối trong trường hợp sau đây: a) … b) …"."""
    claim = asked_claim(question)
    if claim is None or not claim[2]:
        return None
    return _lists_led_by(sources, lambda lead: says_as_asked(lead, *claim))


def _lists_led_by(sources: list[CitedSource], leads: Callable[[str], bool]) -> str | None:
    """Of the first source (in order) with any, every list whose lead-in `leads` accepts, quoted verbatim, lead-in
    first (`SourceList.quoted`), one after another; None when no source has one."""
    for source in sources:
        chosen = [listed for listed in source_lists(source.hit.text, source.marker) if leads(listed.lead)]
        if chosen:
            return "\n".join(listed.quoted() for listed in chosen)
    return None


def _forbidden_asked_act(text: str, question: str, lexicon: CueLexicon) -> Opposite | None:
    """The act `question` asks about that `text` forbids ("không được đơn phương chấm dứt hợp đồng …"), with its
    forbidding words: at least half of the forbidden act's words are the question's, or what is forbidden opens
    with the act the question asks may be done (`context.asked_claim`) — live, "Người sử dụng lao động không được sa
    thải hoặc đơn phương chấm dứt hợp đồng lao động … vì lý do kết hôn, mang thai …" was verified as the answer to
    "Khi nào người sử dụng lao động được sa thải người lao động?", the forbidden words too many for the half; the
    act is then the one asked, up to its "hoặc". None when it forbids none.

    >>> law = "Người sử dụng lao động không được sa thải hoặc đơn phương chấm dứt hợp đồng vì lý do kết hôn, mang thai."
    >>> _forbidden_asked_act(law, "Khi nào người sử dụng lao động được sa thải người lao động?", CueLexicon.default())
    Opposite(act='sa thải', cue='không được')
    """
    asked = asked_claim(question)
    for cue in lexicon.cues(text):
        if cue.phrase not in PROHIBITIONS:
            continue
        act = _ACT_END.split(f" {cue.governed} ", maxsplit=1)[0].strip()
        if coverage(content_words(cue.governed), question) >= 0.5:
            return Opposite(act, cue.phrase)
        if asked is not None and tuple(folded_runs(cue.governed)[: len(asked[1])]) == asked[1]:
            return Opposite(_OR.split(act, maxsplit=1)[0].strip(), cue.phrase)
    return None


_OR = re.compile(r"(?i)\s(?:hoặc|hay)\s")


_LEFT_OUT = re.compile(re.escape(LEFT_OUT).replace(re.escape("{}"), "(?P<cue>.+)"))


def inverted_cases(checked: Verified, question: str) -> Opposite | None:
    """The act whose may-not cases the answer stated as the cases where it may, when nothing is shown: a claim was
    withheld because its clause forbids what it states, that act the one `question` asks the cases of. Live:
    "Viên chức bị đơn vị … đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?" was answered with Khoản 3's
    cases, each withheld ("the cited text says «không được đơn phương chấm dứt hợp đồng» and the claim does not"),
    and refused; the rule they are exceptions to, Khoản 1, can be quoted instead (`the_rule`).

    >>> out = LEFT_OUT.format("không được đơn phương chấm dứt hợp đồng")
    >>> check = SentenceCheck("Đơn vị được đơn phương chấm dứt hợp đồng khi viên chức ốm đau [1].", (1,), False, 1.0,
    ...                       (out,))
    >>> checked = Verified("", [check], Verification.UNVERIFIED, (1,), ())
    >>> inverted_cases(checked, "Đơn vị được đơn phương chấm dứt hợp đồng trong trường hợp nào?")
    Opposite(act='đơn phương chấm dứt hợp đồng', cue='không được')
    >>> inverted_cases(checked, "Đơn vị có được đơn phương chấm dứt hợp đồng không?") is None
    True
    """
    lexicon = CueLexicon.default()
    if not _asks_for_cases(question, lexicon):
        return None
    for reason in checked._withheld_reasons:
        left_out = _LEFT_OUT.fullmatch(reason)
        opposite = _forbidden_asked_act(left_out["cue"], question, lexicon) if left_out else None
        if opposite is not None:
            return opposite
    return None


def asks_when(question: str) -> bool:
    """Whether `question` asks for the cases or the time of an act (`CASE_QUESTIONS`: "… trong trường hợp nào?",
    "Khi nào …?"), with or without a negation."""
    return any(phrase in _folded_spaces(question) for phrase in CASE_QUESTIONS)


def _folded_spaces(question: str) -> str:
    return " ".join(nfc(question).casefold().split())


def _asks_for_cases(question: str, lexicon: CueLexicon) -> bool:
    """Whether `question` asks for the cases or the time an act is done, itself without a negation ("… trong
    trường hợp nào?", not "… không được … trong trường hợp nào?", nor a yes/no "có được … không?")."""
    if not asks_when(question):
        return False
    return not any(c.kind is CueKind.NEGATION for c in lexicon.cues(question)) and not re.search(
        r"\bkhông\s*\??\s*$", _folded_spaces(question)
    )


def verify(answer: str, sources: list[CitedSource], policy: VerifyPolicy | None = None, question: str = "") -> Verified:
    """Check `answer` (to `question`, when given) against `sources`; see the module docstring. The flags an earlier
    check put (`FLAG`) are not the answer's words: an answer verified again — a list completed, a rule added — is
    read without them, and flagged afresh (live, "… luân chuyển [3]. (chưa kiểm chứng) (chưa kiểm chứng) Thẩm quyền
    …": the first check's flag was read as the start of the next sentence, and shown again with it)."""
    answer = _FLAGGED.sub("", answer)
    verifier = SentenceVerifier(sources, policy or VerifyPolicy(), question=question)
    lines = MarkerLines()
    for sentence in split_answer_sentences(answer):
        for line in lines.take(sentence, answer):
            verifier.feed(line)
    for line in lines.finish():
        verifier.feed(line)
    return verifier.result()
