"""The case in which the act a question asks about is done, as the law says it: quoted when the answer gave another.

Live: "Công chức bị tạm đình chỉ công tác trong trường hợp nào?" was answered "Công chức bị tạm đình chỉ công tác
trong trường hợp cần thiết có thể kéo dài thêm nhưng tối đa không quá 15 ngày [1]" — the case in which Khoản 1 Điều
81 Luật Cán bộ, công chức lets the suspension be *extended* — flagged for it (`verify.case_of_another_statement`)
and shown so, while the same Khoản's first sentence says when it is ordered: "Cơ quan … có thể ra quyết định tạm
đình chỉ công tác trong thời gian xem xét, xử lý kỷ luật cán bộ, công chức, nếu để cán bộ, công chức đó tiếp tục
làm việc có thể gây khó khăn cho việc xem xét, xử lý."

`case_quoted` finds that sentence in the sources the flagged claim cited: one that names the person asked, states
the act asked (its syllables as a run, not as what a term or a time is of: "Thời hạn tạm đình chỉ công tác …"),
and opens a case after it ("nếu", "khi", "trường hợp") within the same piece. It is quoted verbatim with its
marker; the pipeline verifies it like any answer and keeps it only when verified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer import CitedSource
from assistant.injection import PLACEHOLDER, strip_instructions
from assistant.lists import marked
from assistant.polarity import without_label
from core.text import contains_run, content_syllables, folded_runs, nfc, run_starts

# The act a case question asks about: after its verb of being subjected or allowed, up to the case asked.
_ASKED = re.compile(
    r"(?i)(?<!\w)(?:bị|được|phải|có\s+quyền|có\s+thể)\s+(?P<act>.+?)\s*"
    r"(?:(?:trong|vào)\s+)?(?:những\s+|các\s+)?(?:trường\s+hợp\s+nào|khi\s+nào|lúc\s+nào)"
)
# "Khi nào công chức bị buộc thôi việc?": the case asked first, the act to the question's end.
_ASKED_FIRST = re.compile(
    r"(?i)^\W*(?:khi\s+nào|lúc\s+nào|(?:trong\s+)?(?:những\s+|các\s+)?trường\s+hợp\s+nào)\W+(?P<subject>.+?)\s+"
    r"(?:bị|được|phải|có\s+quyền|có\s+thể)\s+(?P<act>[^?]+)"
)
# What opens a case after the act: "nếu …", "khi …", "(trong) trường hợp …" (folded syllables).
CASE_OPENERS = (("neu",), ("khi",), ("truong", "hop"))
# Words before an act that make it what a term or a time is of, not the act done: "thời hạn tạm đình chỉ …",
# "trong thời gian bị tạm đình chỉ …" (folded, the verb of being subjected skipped).
_OF_A_TIME = (("thoi", "han"), ("thoi", "gian"), ("thoi", "diem"), ("thoi", "hieu"), ("ngay",))
_SUBJECTED = frozenset({"bi", "duoc"})
# A "không", "chưa" or "cấm" this close before the act turns it around: "không được tạm đình chỉ … nếu …" gives the
# case where it may NOT be done (folded).
_NEGATING = frozenset({"khong", "chua", "cam"})
_NEGATION_SPAN = 3
# Where a provision's sentences end ("." before white space, or a line's end); its pieces, at ";" too.
_SENTENCE_END = re.compile(r"(?<=\.)\s+|\n")
MIN_ACT = 2  # syllables an act must have to be found as itself


def asked_case_of(question: str) -> tuple[list[str], frozenset[str]] | None:
    """The act a question asks the case of (folded syllables) and the person it asks about (content syllables);
    None when it asks no case of an act.

    >>> act, person = asked_case_of("Công chức bị tạm đình chỉ công tác trong trường hợp nào?")
    >>> act, sorted(person)
    (['tam', 'dinh', 'chi', 'cong', 'tac'], ['chuc', 'cong'])
    >>> asked_case_of("Khi nào công chức bị buộc thôi việc?")[0]
    ['buoc', 'thoi', 'viec']
    >>> asked_case_of("Thời gian thử việc tối đa là bao lâu?") is None
    True
    """
    text = nfc(question)
    first = _ASKED_FIRST.search(text)
    asked = first or _ASKED.search(text)
    if asked is None:
        return None
    subject = first["subject"] if first else text[: asked.start()]
    act = folded_runs(asked["act"])
    person = content_syllables(subject)
    return (act, person) if len(act) >= MIN_ACT and person else None


def case_quoted(question: str, sources: Sequence[CitedSource]) -> str | None:
    """The first sentence of `sources` (in order) that names the person `question` asks about, states its act and
    opens a case after it (see the module docstring), verbatim with its marker and without its Khoản's label;
    None when the question asks no case of an act or no source has such a sentence.

    >>> from types import SimpleNamespace
    >>> law = ("Điều 81. Tạm đình chỉ công tác\\n1. Cơ quan có thể ra quyết định tạm đình chỉ công tác công chức,"
    ...        " nếu để công chức đó làm việc có thể gây khó khăn. Thời hạn tạm đình chỉ công tác không"
    ...        " quá 15 ngày, trường hợp cần thiết có thể kéo dài thêm.")
    >>> source = SimpleNamespace(marker=1, hit=SimpleNamespace(text=law))
    >>> print(case_quoted("Công chức bị tạm đình chỉ công tác trong trường hợp nào?", [source]))
    Cơ quan có thể ra quyết định tạm đình chỉ công tác công chức, nếu để công chức đó làm việc có thể gây khó khăn [1].
    >>> case_quoted("Viên chức bị tạm đình chỉ công tác trong trường hợp nào?", [source]) is None
    True
    >>> source.hit.text = "1. Cơ quan không được tạm đình chỉ công tác công chức nếu công chức đó đang ốm đau."
    >>> case_quoted("Công chức bị tạm đình chỉ công tác trong trường hợp nào?", [source]) is None
    True
    """
    asked = asked_case_of(question)
    if asked is None:
        return None
    act, person = asked
    for source in sources:
        for sentence in _SENTENCE_END.split(strip_instructions(nfc(source.hit.text))[0]):
            sentence = without_label(sentence.strip())
            if PLACEHOLDER in sentence:
                continue  # a piece cut as instruction-like (assistant/injection.py) is never quoted
            if person <= content_syllables(sentence) and _opens_case_after(sentence, act):
                return marked(sentence, source.marker)
    return None


def _opens_case_after(sentence: str, act: Sequence[str]) -> bool:
    """Whether a piece of `sentence` (cut at its ";") states `act` as done — not as what a term or a time is of —
    and opens a case after it."""
    for piece in sentence.split(";"):
        runs = folded_runs(piece)
        for at in run_starts(runs, act):
            before = runs[:at]
            while before and before[-1] in _SUBJECTED:
                before = before[:-1]
            if any(tuple(before[-len(t) :]) == t for t in _OF_A_TIME) or _NEGATING & set(before[-_NEGATION_SPAN:]):
                continue
            after = runs[at + len(act) :]
            if any(contains_run(after, o) for o in CASE_OPENERS):
                return True
    return False
