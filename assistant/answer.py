"""What the assistant returns: an answer, its citations bound to markers, and how well they were verified.

`Answer.to_json()` is the `kho ask --json` contract:
`{"answer", "citations": [{"marker", "anchor", "citation", "text", "start", "end"}], "verification", "refused",
"latency_s"}` (plus `mode`, `evidence`, `sentences` and `closest` for the workdesk). `grounds` is "Căn cứ": each
provision a shown claim binds to (assistant/clauses.py), `{"marker", "document_id", "start", "end", "level",
"clause", "point", "anchor", "quote"}` — the span exactly that Khoản/Điểm, in the answer's order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.clauses import ClauseRef
from index.search import Hit
from ingest.model import iso_date
from ingest.versions import KIND_LABELS, Standing, standing_on

REFUSAL = "Không tìm thấy căn cứ pháp lý phù hợp trong kho văn bản."
FLAG = " (chưa kiểm chứng)"  # after a claim its sources do not support, shown so (assistant/verify.py)


def with_marker(sentence: str, marker: int) -> str:
    """The sentence with `[marker]` before its final punctuation ("… trái." → "… trái [1].").

    >>> with_marker("Dấu đóng phải rõ ràng;", 2)
    'Dấu đóng phải rõ ràng [2];'
    """
    body = sentence.rstrip()
    end = len(body.rstrip(".;:!"))
    return f"{body[:end]} [{marker}]{body[end:]}"


class Verification(StrEnum):
    """How much of an answer its citations support."""

    VERIFIED = "verified"
    PARTIALLY_VERIFIED = "partially_verified"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class CitedSource:
    """Marker [n] → the retrieved chunk (or the quoted span of it) it stands for."""

    marker: int
    hit: Hit
    text: str
    start: int
    end: int
    standing: Standing | None = None  # the quoted text's standing on the answer's date (None: no version known)

    @property
    def notice(self) -> str | None:
        """What an answer must say when this text is not the law in force on its date."""
        return self.standing.notice if self.standing else None

    @property
    def applied_by(self) -> int | None:
        """The marker of the source that applies this one ("… theo quy định của pháp luật về lao động" brings the
        code's article), None for a source search found: `assistant.references.ReferredSource` says which."""
        return None

    def version_json(self) -> dict[str, Any] | None:
        """The quoted text's version, badge and notice (the `version` of `to_json`)."""
        v = self.hit.version
        if v is None:
            return None
        st = self.standing
        return {
            "kind": v.kind,
            "kind_label": KIND_LABELS.get(v.kind, v.kind),
            "valid_from": iso_date(v.valid_from),
            "valid_to": iso_date(v.valid_to),
            "badge": st.badge if st else "unknown",
            "label": st.label if st else "",
            "as_of": iso_date(st.as_of) if st else None,
            "applied": [c.to_json() for c in st.applied] if st else [],
            "after": [c.to_json() for c in st.after] if st else [],
            "changes": [c.to_json() for c in v.changes],
            "notice": self.notice,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "anchor": self.hit.anchor,
            "citation": self.hit.citation.to_json(),
            "document_id": self.hit.document_id,
            "so_hieu": self.hit.so_hieu,
            "hieu_luc": self.hit.hieu_luc,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "version": self.version_json(),
        }


def with_standing(source: CitedSource, as_of: dt.date) -> CitedSource:
    """`source` with its standing on `as_of` (unchanged when its hit has no version)."""
    v = source.hit.version
    if v is None:
        return source
    st = standing_on(v, as_of, source.hit.citation.clause)
    return CitedSource(source.marker, source.hit, source.text, source.start, source.end, st)


@dataclass(frozen=True)
class SentenceCheck:
    """One answer sentence and whether the text it cites supports it."""

    text: str
    markers: tuple[int, ...]
    supported: bool
    score: float
    reasons: tuple[str, ...] = ()
    clause: ClauseRef | None = None  # a supported sentence: the Khoản/Điểm of its source that states it

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "markers": list(self.markers),
            "supported": self.supported,
            "score": round(self.score, 3),
            "reasons": list(self.reasons),
            "clause": self.clause.to_json() if self.clause else None,
        }


@dataclass
class Answer:
    """The assistant's reply to one question."""

    question: str
    answer: str
    citations: list[CitedSource]
    verification: Verification
    refused: bool
    mode: str
    latency_s: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    sentences: list[SentenceCheck] = field(default_factory=list)
    closest: list[Hit] = field(default_factory=list)
    ttft_s: float | None = None
    query: str | None = None  # the self-contained question a follow-up was read as
    as_of: dt.date | None = None  # the day whose law the answer states (None: every version was searched)
    topic: str | None = None  # after earlier questions: "follow_up" (read with them) or "new_topic" (read alone)

    @property
    def notices(self) -> list[str]:
        """What the cited texts' standing requires the reader to know (superseded, repealed, not yet in force)."""
        out: list[str] = []
        for c in self.citations:
            if c.notice and c.notice not in out:
                out.append(c.notice)
        return out

    def grounds(self) -> list[ClauseRef]:
        """ "Căn cứ": the provisions the shown claims bind to, each once, in the order the answer first uses them.

        A refusal has none; so has an extractive answer, whose quotes are its citations — also where it replaced
        the model's answer and keeps that answer's checked sentences for the record (live: an answer on another
        matter, quoted instead, still listed the model's withheld claim's Điểm b under "Căn cứ").
        """
        if self.refused or self.mode == "extractive":
            return []
        shown = {c.marker for c in self.citations}
        out: dict[tuple[str, int, int], ClauseRef] = {}
        for s in self.sentences:
            if s.supported and s.clause is not None and s.clause.marker in shown:
                out.setdefault(s.clause.key, s.clause)
        return list(out.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso_date(self.as_of),
            "topic": self.topic,
            "notices": self.notices,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "verification": self.verification.value,
            "refused": self.refused,
            "latency_s": round(self.latency_s, 3),
            "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 3),
            "mode": self.mode,
            "query": self.query,
            "evidence": self.evidence,
            "sentences": [s.to_json() for s in self.sentences],
            "grounds": [g.to_json() for g in self.grounds()],
            "closest": [{"anchor": h.anchor, "citation": h.citation.to_json()} for h in self.closest],
        }


def refusal(question: str, evidence: dict[str, Any], closest: list[Hit], mode: str, latency_s: float) -> Answer:
    """The refusal: "no basis found" with the closest articles to read (at most three), citing nothing."""
    closest = closest[:3]
    text = REFUSAL
    if closest:
        text += " Các điều gần nhất để tham khảo: " + "; ".join(h.anchor for h in closest) + "."
    return Answer(
        question=question,
        answer=text,
        citations=[],
        verification=Verification.UNVERIFIED,
        refused=True,
        mode=mode,
        latency_s=latency_s,
        evidence=evidence,
        closest=closest,
    )
