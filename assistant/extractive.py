"""Extractive answers: the governing clauses quoted verbatim with their anchors — no model, instant.

For each of the top hits, the passage quoted is the chunk's paragraph (a clause or point line) that covers most
of the question's content words, extended to the whole chunk when the chunk is short. Offsets point into the
stored document text, so the workdesk can highlight exactly what is quoted. This is the legal department's
preferred view and the fallback when no LLM is available.
"""

from __future__ import annotations

from assistant.answer import CitedSource
from assistant.evidence import coverage
from core.text import content_words
from index.search import Hit

SHORT_CHUNK = 700  # characters: quote such a chunk whole


def best_passage(question: str, hit: Hit) -> tuple[str, int, int]:
    """(text, start, end) of the part of `hit` to quote; offsets into the document text."""
    if len(hit.text) <= SHORT_CHUNK:
        return hit.text, hit.start, hit.end
    words = content_words(question)
    best = (-1.0, 0, len(hit.text))
    pos = 0
    for line in hit.text.split("\n"):
        start = hit.text.find(line, pos)
        pos = start + len(line)
        if len(line.strip()) < 20:
            continue
        score = coverage(words, line)
        if score > best[0]:
            best = (score, start, start + len(line))
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
