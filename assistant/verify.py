"""Citation verification: every answer sentence with a marker is checked against the text it cites.

- A marker that names no retrieved source ([7] when 3 were given) is removed from the text before anything else:
  a citation to a chunk that was not retrieved never reaches the user.
- A sentence is supported by its cited sources when enough of its content words occur in them (`min_support`)
  AND every number in it (amounts, durations, dates, article numbers) occurs in them too.
- A sentence without any marker is attributed after generation when one source supports it strongly
  (`min_attribution` of its content words and all its numbers: the small model often drops markers in lists);
  it then carries that source's marker. Otherwise it is removed (an uncited claim is never shown), and so is a
  question ("…?"): the model echoing the question is not a claim. Cited but unsupported sentences are flagged
  (kept, marked "(chưa kiểm chứng)") or removed (`drop_unsupported`).
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
    min_attribution: float = 0.8
    drop_unsupported: bool = False


@dataclass(frozen=True)
class Verified:
    text: str
    sentences: list[SentenceCheck]
    status: Verification
    dropped_markers: tuple[int, ...]
    used_markers: tuple[int, ...]


def _attribute(sentence: str, by_marker: dict[int, CitedSource], support_text: object, threshold: float) -> int | None:
    """The one source that supports an unmarked sentence strongly (words and every number), if any."""
    words = content_words(sentence)
    if len(words) < 3:
        return None
    best: tuple[float, int] | None = None
    for marker in by_marker:
        text = support_text(marker)  # type: ignore[operator]
        if numbers_in(sentence) - numbers_in(text):
            continue
        score = coverage(words, text)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, marker)
    return None if best is None else best[1]


def _with_marker(sentence: str, marker: int) -> str:
    """The sentence with `[marker]` before its final punctuation."""
    body = sentence.rstrip()
    end = len(body.rstrip(".;:!"))
    return f"{body[:end]} [{marker}]{body[end:]}"


_LIST_ITEM = re.compile(r"^\s*([-•*]|\d+[.)]|[a-zđ]\))\s")


def _join(lines: list[str]) -> str:
    """The kept sentences as text: list items on their own lines, prose run together."""
    out = ""
    for line in lines:
        sep = "" if not out else ("\n" if _LIST_ITEM.match(line) else " ")
        out += sep + line
    return out


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

    def support_text(marker: int) -> str:
        # Support comes from the law's own sentences: text that speaks to the assistant supports nothing.
        source = by_marker[marker]
        return f"{' '.join(source.hit.heading_path)}\n{strip_instructions(source.hit.text)[0]}"

    for sentence in split_sentences(cleaned):
        if _MARKER.sub("", sentence).rstrip().endswith("?"):
            checks.append(SentenceCheck(sentence, markers_in(sentence), False, 0.0, ("a question, not a claim",)))
            continue
        marks = markers_in(sentence)
        if not marks:
            marker = _attribute(sentence, by_marker, support_text, policy.min_attribution)
            if marker is None:
                # A claim without a citation is not shown: the answer keeps only what its sources can back.
                checks.append(SentenceCheck(sentence, (), False, 0.0, ("no citation",)))
                continue
            sentence, marks = _with_marker(sentence, marker), (marker,)
        cited = "\n".join(support_text(m) for m in marks)
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
    return Verified(_join(out_lines), checks, status, tuple(dropped), used)
