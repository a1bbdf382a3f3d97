"""Citation verification: every answer sentence with a marker is checked against the text it cites.

- A marker that names no retrieved source ([7] when 3 were given) is removed from the text before anything else:
  a citation to a chunk that was not retrieved never reaches the user.
- A sentence is supported by its cited sources when enough of its content words occur in them (`min_support`)
  AND every number in it (amounts, durations, dates, article numbers) occurs in them too.
- Support comes only from the law's own text: sentences of a source that address the assistant (found by
  assistant/injection.py) are removed first. An unsupported sentence whose numbers or words occur only in such
  removed text (in no retrieved source's own text) repeats an injected instruction: it is dropped, never shown,
  whatever the policy.
- A link (URL, web address or e-mail) in an answer sentence is removed unless a cited source's trusted metadata
  carries it — none does today, as documents have no URL field — so links never come from document text. A
  sentence that had a link and is then unsupported is dropped.
- A sentence without any marker is attributed after generation when one source supports it strongly
  (`min_attribution` of its content words and all its numbers: the small model often drops markers in lists);
  it then carries that source's marker. Otherwise it is removed (an uncited claim is never shown), and so is a
  question ("…?"): the model echoing the question is not a claim. Cited but unsupported sentences are flagged
  (kept, marked "(chưa kiểm chứng)") or removed (`drop_unsupported`).
- The answer is `verified` when every cited sentence is supported, `partially_verified` when some are,
  `unverified` when none is or nothing is cited.

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
from dataclasses import dataclass, field

from assistant.answer import CitedSource, SentenceCheck, Verification
from assistant.evidence import coverage
from assistant.injection import strip_instructions
from core.text import content_words, fold, split_answer_sentences

_MARKER = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_TLD = r"(?:vn|com|net|org|info|io|xyz|top|club|site|online|link|ly|me|biz|gov|edu|asia|app|dev|co|cc|tk)"
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]\"']+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\b(?:[a-z0-9][a-z0-9-]*\.)+{_TLD}\b(?:/[^\s<>()\[\]\"']*)?",
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
FLAG = " (chưa kiểm chứng)"
INJECTED_NUMBERS = "numbers only in text addressed to the assistant: "
INJECTED_WORDS = "supported only by text addressed to the assistant"
LINK_REMOVED = "link removed (not in a cited source's metadata): "


def markers_in(sentence: str) -> tuple[int, ...]:
    return tuple(int(m) for m in _MARKER.findall(sentence))


def numbers_in(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(_MARKER.sub(" ", text))}


def links_in(text: str) -> list[str]:
    """Web addresses and e-mail addresses in `text`, without the punctuation that ends the sentence."""
    return [m.group(0).rstrip(".,;:!?") for m in _LINK.finditer(text)]


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


def _with_marker(sentence: str, marker: int) -> str:
    """The sentence with `[marker]` before its final punctuation."""
    body = sentence.rstrip()
    end = len(body.rstrip(".;:!"))
    return f"{body[:end]} [{marker}]{body[end:]}"


_LIST_ITEM = re.compile(r"^\s*([-•*]|\d+[.)]|[a-zđ]\))\s")


def separator(previous: str, line: str) -> str:
    """What goes before `line` in the answer: nothing first, a newline before a list item, else a space."""
    return "" if not previous else ("\n" if _LIST_ITEM.match(line) else " ")


def _join(lines: list[str]) -> str:
    """The kept sentences as text: list items on their own lines, prose run together."""
    out = ""
    for line in lines:
        out += separator(out, line) + line
    return out


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
    checks: list[SentenceCheck] = field(default_factory=list, init=False)
    text: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self._by_marker = {s.marker: s for s in self.sources}
        self._clean: dict[int, str] = {}
        removed: list[str] = []
        for s in self.sources:
            # Support comes from the law's own sentences: text that speaks to the assistant supports nothing.
            clean, cut = strip_instructions(s.hit.text)
            self._clean[s.marker] = f"{' '.join(s.hit.heading_path)}\n{clean}"
            removed.extend(cut)
        self._injected = "\n".join(removed)
        self._all_clean = "\n".join(self._clean.values())
        self._law_folded = fold(self._all_clean)
        self._folded = fold(self._injected)
        self._dropped: set[int] = set()

    @property
    def n_supported(self) -> int:
        """How many sentences so far are supported by their citations."""
        return sum(1 for c in self.checks if c.supported)

    def feed(self, sentence: str) -> str:
        """Check one sentence of the answer; the text it adds to the verified answer ("" if it is not shown)."""
        line = self._check(sentence)
        if line is None:
            return ""
        piece = separator(self.text, line) + line
        self.text += piece
        return piece

    def _strip_unknown(self, sentence: str) -> str:
        def keep(match: re.Match[str]) -> str:
            if int(match.group(1)) in self._by_marker:
                return match.group(0)
            self._dropped.add(int(match.group(1)))
            return ""

        return _MARKER.sub(keep, sentence).strip()

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
        borrowed = sorted((numbers_in(sentence) - numbers_in(self._all_clean)) & numbers_in(self._injected))
        if borrowed:
            reasons.append(INJECTED_NUMBERS + ", ".join(borrowed))
        words = {fold(w) for w in content_words(_MARKER.sub(" ", sentence))}
        law = self._law_folded
        if words and coverage(words, law) < self.policy.min_support <= coverage(words, f"{law}\n{self._folded}"):
            reasons.append(INJECTED_WORDS)
        return reasons

    def _attribute(self, sentence: str) -> int | None:
        """The one source that supports an unmarked sentence strongly (words and every number), if any."""
        words = content_words(sentence)
        if len(words) < 3:
            return None
        best: tuple[float, int] | None = None
        for marker, text in self._clean.items():
            if numbers_in(sentence) - numbers_in(text):
                continue
            score = coverage(words, text)
            if score >= self.policy.min_attribution and (best is None or score > best[0]):
                best = (score, marker)
        return None if best is None else best[1]

    def _check(self, raw: str) -> str | None:
        """Record the check of one sentence; the line to show, or None."""
        sentence = self._strip_unknown(raw)
        if not sentence:
            return None
        if _MARKER.sub("", sentence).rstrip().endswith("?"):
            self.checks.append(SentenceCheck(sentence, markers_in(sentence), False, 0.0, ("a question, not a claim",)))
            return None
        sentence, link_reasons = self._strip_links(sentence, markers_in(sentence))
        marks = markers_in(sentence)
        if not marks:
            marker = self._attribute(sentence)
            if marker is None:
                # A claim without a citation is not shown: the answer keeps only what its sources can back.
                why = ("no citation", *self._injection_reasons(sentence), *link_reasons)
                self.checks.append(SentenceCheck(sentence, (), False, 0.0, why))
                return None
            sentence, marks = _with_marker(sentence, marker), (marker,)
        cited = "\n".join(self._clean[m] for m in marks)
        words = content_words(_MARKER.sub(" ", sentence))
        score = coverage(words, cited) if words else 1.0
        reasons: list[str] = []
        if score < self.policy.min_support:
            reasons.append(f"only {score:.0%} of its words are in the cited text")
        missing = sorted(numbers_in(sentence) - numbers_in(cited))
        if missing:
            reasons.append("numbers not in the cited text: " + ", ".join(missing))
        injected = self._injection_reasons(sentence) if reasons else []
        ok = not reasons
        self.checks.append(SentenceCheck(sentence, marks, ok, score, (*reasons, *injected, *link_reasons)))
        if ok:
            return sentence
        if injected or link_reasons or self.policy.drop_unsupported:
            return None  # repeats an injected instruction, or existed to carry a link: not shown at all
        return sentence + FLAG

    def result(self) -> Verified:
        """The verified answer so far: kept text, every sentence's check, the status and the markers."""
        cited_checks = [c for c in self.checks if c.markers]
        n_ok = sum(1 for c in cited_checks if c.supported)
        if cited_checks and n_ok == len(cited_checks):
            status = Verification.VERIFIED
        elif n_ok:
            status = Verification.PARTIALLY_VERIFIED
        else:
            status = Verification.UNVERIFIED
        used = tuple(sorted({m for c in self.checks if c.supported for m in c.markers}))
        return Verified(self.text, list(self.checks), status, tuple(sorted(self._dropped)), used)


def verify(answer: str, sources: list[CitedSource], policy: VerifyPolicy | None = None) -> Verified:
    """Check `answer` against `sources`; see the module docstring."""
    verifier = SentenceVerifier(sources, policy or VerifyPolicy())
    for sentence in split_answer_sentences(answer):
        verifier.feed(sentence)
    return verifier.result()
