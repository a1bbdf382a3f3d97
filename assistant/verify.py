"""Citation verification: every answer sentence with a marker is checked against the text it cites.

- A marker that names no retrieved source ([7] when 3 were given) is removed from the text before anything else:
  a citation to a chunk that was not retrieved never reaches the user.
- A sentence is supported by its cited sources when enough of its content words occur in them (`min_support`)
  AND every number in it (amounts, durations, dates, article numbers) occurs in them too.
- Sentences without any marker are removed (an uncited claim is never shown). Cited but unsupported sentences
  are flagged (kept, marked "(chưa kiểm chứng)") or removed (`drop_unsupported`).
- The answer is `verified` when every cited sentence is supported, `partially_verified` when some are,
  `unverified` when none is or nothing is cited.

>>> markers_in("Viên chức được thử việc [1][3].")
(1, 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer import CitedSource, SentenceCheck, Verification
from assistant.evidence import content_words, coverage
from assistant.injection import strip_instructions

_MARKER = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
FLAG = " (chưa kiểm chứng)"


def markers_in(sentence: str) -> tuple[int, ...]:
    return tuple(int(m) for m in _MARKER.findall(sentence))


def split_sentences(text: str) -> list[str]:
    """Sentences (and list lines) of an answer; markers stay with the sentence they end."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def numbers_in(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(_MARKER.sub(" ", text))}


@dataclass(frozen=True)
class VerifyPolicy:
    min_support: float = 0.5
    drop_unsupported: bool = False


@dataclass(frozen=True)
class Verified:
    text: str
    sentences: list[SentenceCheck]
    status: Verification
    dropped_markers: tuple[int, ...]
    used_markers: tuple[int, ...]


def verify(answer: str, sources: list[CitedSource], policy: VerifyPolicy | None = None) -> Verified:
    """Check `answer` against `sources`; see the module docstring."""
    policy = policy or VerifyPolicy()
    by_marker = {s.marker: s for s in sources}
    dropped = sorted({m for m in markers_in(answer) if m not in by_marker})

    def strip_unknown(match: re.Match[str]) -> str:
        return match.group(0) if int(match.group(1)) in by_marker else ""

    cleaned = _MARKER.sub(strip_unknown, answer)
    checks: list[SentenceCheck] = []
    out_lines: list[str] = []
    for sentence in split_sentences(cleaned):
        marks = markers_in(sentence)
        if not marks:
            # A claim without a citation is not shown: the answer keeps only what its sources can back.
            checks.append(SentenceCheck(sentence, (), False, 0.0, ("no citation",)))
            continue
        # Support comes from the law's own sentences: text that speaks to the assistant supports nothing.
        cited = "\n".join(
            f"{' '.join(by_marker[m].hit.heading_path)}\n{strip_instructions(by_marker[m].hit.text)[0]}" for m in marks
        )
        words = content_words(_MARKER.sub(" ", sentence))
        score = coverage(words, cited) if words else 1.0
        reasons = []
        if score < policy.min_support:
            reasons.append(f"only {score:.0%} of its words are in the cited text")
        missing = sorted(numbers_in(sentence) - numbers_in(cited))
        if missing:
            reasons.append("numbers not in the cited text: " + ", ".join(missing))
        ok = not reasons
        checks.append(SentenceCheck(sentence, marks, ok, score, tuple(reasons)))
        if ok:
            out_lines.append(sentence)
        elif not policy.drop_unsupported:
            out_lines.append(sentence + FLAG)
    cited_checks = [c for c in checks if c.markers]
    n_ok = sum(1 for c in cited_checks if c.supported)
    if cited_checks and n_ok == len(cited_checks):
        status = Verification.VERIFIED
    elif n_ok:
        status = Verification.PARTIALLY_VERIFIED
    else:
        status = Verification.UNVERIFIED
    used = tuple(sorted({m for c in checks if c.supported for m in c.markers}))
    return Verified(" ".join(out_lines), checks, status, tuple(dropped), used)
