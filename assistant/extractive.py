"""Extractive answers: the governing clauses quoted verbatim with their anchors — no model, instant.

For each of the top hits, the passage quoted is the chunk's paragraph (a clause or point line) that covers most
of the question's content words, extended to the whole chunk when the chunk is short. Offsets point into the
stored document text, so the workdesk can highlight exactly what is quoted. This is the legal department's
preferred view and the fallback when no LLM is available.
"""

from __future__ import annotations

import re

from assistant.answer import CitedSource
from assistant.evidence import coverage
from core.text import content_words
from index.search import Hit

SHORT_CHUNK = 700  # characters: quote such a chunk whole


# A point's line ("a) Kết hôn: nghỉ 03 ngày;"), and the line that leads into a list of them ("1. … sau đây:").
_POINT = re.compile(r"\s*[a-zđ]\)\s")
LEADS_IN = re.compile(r":\s*$")
# An article's heading line ("Điều 55. Điều kiện hưởng lương hưu khi …"): it names the matter and states nothing,
# so it is never the passage quoted (live, the quoted answer gave Điều 55 as its heading alone).
_HEADING = re.compile(r"\s*Điều\s+\d+[a-zđ]?\s*\.")


def best_passage(question: str, hit: Hit) -> tuple[str, int, int]:
    """(text, start, end) of the part of `hit` to quote; offsets into the document text.

    A point is read with the clause line that leads into it: "a) Kết hôn: nghỉ 03 ngày;" says whose leave and of
    what kind only under "1. Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương … sau đây:". The two are
    scored together (the points between them aside) and quoted as one span from the lead-in to the point. Asked
    "… nghỉ việc riêng khi kết hôn mấy ngày?", a lone line on unpaid leave that says "kết hôn" twice had won.

    >>> from ingest.model import Citation
    >>> text = ("Điều 9. Nghỉ việc riêng\\n1. Người làm được nghỉ việc riêng hưởng nguyên lương khi:\\n"
    ...         "a) Kết hôn: nghỉ 03 ngày;\\nb) Con kết hôn: nghỉ 01 ngày.\\n"
    ...         "2. Người làm được nghỉ không hưởng lương 01 ngày khi anh, chị, em ruột kết hôn; cha hoặc mẹ kết hôn.")
    >>> hit = Hit("c", "d", "Điều 9", Citation("1/2090/QH15", "", "9"), 1.0, text + " " * 600, [], 0,
    ...           len(text) + 600, None, None, None, None, "", "public", "")
    >>> print(best_passage("Được nghỉ việc riêng khi kết hôn mấy ngày?", hit)[0])
    1. Người làm được nghỉ việc riêng hưởng nguyên lương khi:
    a) Kết hôn: nghỉ 03 ngày;

    The article's heading line is never the passage, however many of the question's words it holds:

    >>> text = ("Điều 55. Điều kiện hưởng lương hưu khi suy giảm khả năng lao động\\n1. Người lao động có đủ 20 năm"
    ...         " đóng bảo hiểm xã hội được hưởng lương hưu thấp hơn khi suy giảm khả năng lao động từ 61% trở lên.")
    >>> hit = Hit("c", "d", "Điều 55", Citation("1/2090/QH15", "", "55"), 1.0, text + " " * 700, [], 0,
    ...           len(text) + 700, None, None, None, None, "", "public", "")
    >>> print(best_passage("Điều kiện hưởng lương hưu khi suy giảm khả năng lao động?", hit)[0][:39])
    1. Người lao động có đủ 20 năm đóng bảo
    """
    if len(hit.text) <= SHORT_CHUNK:
        return hit.text, hit.start, hit.end
    words = content_words(question)
    best = (-1.0, 0, len(hit.text))
    pos = 0
    lead: tuple[str, int] | None = None  # the last line that leads into points, and where it starts
    for line in hit.text.split("\n"):
        start = hit.text.find(line, pos)
        pos = start + len(line)
        point = _POINT.match(line) is not None
        if not point:
            lead = (line, start) if LEADS_IN.search(line) else None
        if (len(line.strip()) < 20 and not (point and lead)) or _HEADING.match(line):
            continue
        score = coverage(words, line)
        if score > best[0]:
            best = (score, start, start + len(line))
        if point and lead is not None:
            score = coverage(words, f"{lead[0]}\n{line}")
            if score > best[0]:
                best = (score, lead[1], start + len(line))
    _, s, e = best
    return hit.text[s:e], hit.start + s, hit.start + e


def quote_sources(question: str, hits: list[Hit], n: int = 3) -> list[CitedSource]:
    """Markers [1]..[n] bound to the quoted passages of the top `n` hits."""
    out = []
    for i, hit in enumerate(hits[:n], start=1):
        text, start, end = best_passage(question, hit)
        out.append(CitedSource(marker=i, hit=hit, text=text, start=start, end=end))
    return out


def render(sources: list[CitedSource]) -> str:
    """The extractive answer text: each quote with its marker and anchor."""
    parts = ["Các quy định liên quan:"]
    for s in sources:
        # a notice (superseded, repealed) is the answer's `notices`, shown once by every client, not repeated here
        parts.append(f"[{s.marker}] {s.hit.anchor}{standing_note(s)}:\n«{s.text.strip()}»")
    return "\n\n".join(parts)


def standing_note(s: CitedSource) -> str:
    """ " (văn bản hợp nhất; sửa đổi bởi 52/2019/QH14 từ 01/07/2020)" — what an anchor says about its version (and
    " — được dẫn chiếu từ [1]" for a source that joined because another applies it)."""
    referral = getattr(s, "referred_from", None)  # assistant/references.py: it joined because [n] applies it
    tail = f" — {referral.label}" if referral is not None else ""
    st = s.standing
    if st is None or not st.applied:
        return tail
    acts = "; ".join(c.describe() for c in st.applied)
    lead = {"amended": "văn bản hợp nhất; ", "superseded": "bản trước khi sửa đổi; đã "}.get(st.badge, "")
    return f" ({lead}{acts}){tail}"
