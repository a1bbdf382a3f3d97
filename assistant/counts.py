"""How many kinds, answered with the number first: a question counting the items of a list ("Văn bản hành chính có
bao nhiêu thành phần thể thức?") whose answer shows every Điểm of one Khoản, that Khoản's lead-in naming what is
counted, gets "Có 9 thành phần thể thức (theo Khoản 2 Điều 8 …)." before the list. The number is counted from the
law's list, not written by the model: live, the nine components were listed, verified, and the nine never said.

A count of a unit ("bao nhiêu ngày", "mấy tháng": `references.measure_asked`) is a figure the law states, not
this."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import takewhile

from assistant.answer import CitedSource, SentenceCheck
from assistant.clauses import Level, anchor_for, outline
from assistant.references import measure_asked
from core.text import folded_runs, nfc

# "bao nhiêu" / "mấy" and the words after it, up to the question's end or a word that ends a noun phrase.
_COUNTED = re.compile(r"(?i)(?<!\w)(?:bao\s+nhiêu|mấy)\s+(?P<noun>[^?,.;:!]+)")
_NOUN_END = re.compile(r"(?i)(?<!\w)(?:đối\s+với|của|được|theo|khi|trong|mà|là|do|phải|gồm|cho|tại|với)(?!\w)")
NOUN_WORDS = 4  # at most this many syllables of what is counted are shown
_WORD = re.compile(r"\w+")


def kinds_counted(question: str) -> str | None:
    """What `question` asks how many kinds of ("thành phần thể thức"), as written; None when it asks no count, or a
    count of a unit of measure.

    >>> kinds_counted("Văn bản hành chính có bao nhiêu thành phần thể thức?")
    'thành phần thể thức'
    >>> kinds_counted("Có mấy hình thức kỷ luật đối với viên chức?")
    'hình thức kỷ luật'
    >>> kinds_counted("Người lao động được nghỉ bao nhiêu ngày?") is None
    True
    >>> kinds_counted("Có bao nhiêu <b>thành phần?"), kinds_counted("Có bao nhiêu thành <script>")
    (None, 'thành')
    """
    found = _COUNTED.search(nfc(question))
    if found is None or measure_asked(question) is not None:
        return None
    noun = _NOUN_END.split(found["noun"], maxsplit=1)[0]
    words = list(takewhile(_WORD.fullmatch, noun.split()))[:NOUN_WORDS]  # words only: it is shown back
    return " ".join(words) or None


def count_line(question: str, checks: Sequence[SentenceCheck], sources: Sequence[CitedSource]) -> str | None:
    """The number first, for a question counting kinds: when the shown, verified sentences give every Điểm of one
    Khoản of a source, whose lead-in names at least the first word of what is counted, "Có N <what is counted,
    as far as the lead-in names it> (theo <that Khoản's anchor>)."; None otherwise.

    >>> from types import SimpleNamespace
    >>> text = "Điều 8. Thể thức\\n1. Chung.\\n2. Thể thức gồm các thành phần chính\\na) Quốc hiệu.\\nb) Nơi nhận."
    >>> law = SimpleNamespace(marker=1, hit=SimpleNamespace(text=text, anchor="Điều 8 Nghị định 30/2020/NĐ-CP"))
    >>> shown = [SimpleNamespace(supported=True, clause=SimpleNamespace(marker=1, clause="2", point=p)) for p in "ab"]
    >>> count_line("Có bao nhiêu thành phần thể thức?", shown, [law])
    'Có 2 thành phần thể thức (theo Khoản 2 Điều 8 Nghị định 30/2020/NĐ-CP).'
    >>> count_line("Có bao nhiêu thành phần thể thức?", shown[:1], [law]) is None
    True
    """
    noun = kinds_counted(question)
    if noun is None:
        return None
    shown: dict[tuple[int, str], set[str]] = {}
    for check in checks:
        ref = check.clause
        if check.supported and ref is not None and ref.clause and ref.point:
            shown.setdefault((ref.marker, ref.clause), set()).add(ref.point)
    by_marker = {s.marker: s for s in sources}
    for (marker, clause), points in shown.items():
        source = by_marker.get(marker)
        if source is None:
            continue
        text = source.hit.text
        unit = next((u for u in outline(text)[1] if u.level is Level.KHOAN and u.clause == clause), None)
        if unit is None or unit.lead_end is None:
            continue
        listed = {u.point for u in unit.children if u.level is Level.DIEM}
        named = _named_in(noun, text[unit.start : unit.lead_end])
        if named and listed and listed == points:
            return f"Có {len(listed)} {named} (theo {anchor_for(source.hit.anchor, clause, None)})."
    return None


def _named_in(noun: str, lead: str) -> str:
    """The longest start of `noun` whose syllables `lead` all has (folded); "" when not even its first."""
    present = set(folded_runs(lead))
    words = noun.split()
    for n in range(len(words), 0, -1):
        if all(w in present for w in folded_runs(" ".join(words[:n]))):
            return " ".join(words[:n])
    return ""
