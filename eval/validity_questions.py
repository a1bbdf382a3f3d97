"""Questions whose right answer changed with an amendment or repeal, and how an assistant's answers to them score.

Each item of `eval/data/validity_questions.jsonl` (written from ../shared/corpus, see `validity_corpus.toml`) asks
something a civil servant would ask about one article of a law whose text was later amended, supplemented or
repealed. It carries the phrases that answer it now (`current`, taken from the consolidated pháp điển article) and
the phrases that answered it before (`superseded`, taken from the law as enacted), with the dates and the amending
document. Every phrase occurs verbatim in the article it is attributed to, and no superseded phrase occurs in the
current article (checked by tests/test_validity_questions.py).

An answer is the assistant's `Answer.to_json()` dict. Texts are compared by `core.text.match_key` (NFC,
case-folded, white space collapsed). Per item:

- current_correct (asked as of today): for an amendment or supplement, the answer is not a refusal and its text or a
  cited source's text holds a current phrase; for a repeal, the answer is a refusal, or a notice, or a citation
  badged "repealed"/"partly_repealed" names the repealing document.
- superseded_as_current (asked as of today): a cited source holds a superseded phrase while its version has no
  notice and a badge other than "superseded"/"repealed", or the answer text holds one while the answer has no
  notices. The target is 0.
- past_correct (asked as of `as_of_past`, when the run asks for it): the answer or a cited text holds a superseded
  phrase.

>>> items = load_questions()
>>> len(items) >= 40 and len({q.law for q in items}) >= 5
True
>>> def ask(question, as_of):
...     return {"answer": "Tối đa 60 tháng.", "refused": False, "notices": [], "citations": []}
>>> r = run_validity_questions(ask, [q for q in items if q.id == "vc-25-1"], as_of_past=False)
>>> r.to_json()["current_rule_accuracy"]
1.0
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from core.text import match_key

QUESTIONS = Path(__file__).resolve().parent / "data" / "validity_questions.jsonl"
CORPUS_MANIFEST = Path(__file__).resolve().parent / "data" / "validity_corpus.toml"

Ask = Callable[[str, date | None], dict[str, Any]]

# Badges under which quoting an old text is not presenting it as the law in force.
_NOT_CURRENT_BADGES = frozenset({"superseded", "repealed"})
_REPEAL_BADGES = frozenset({"repealed", "partly_repealed"})


class ChangeKind(str, Enum):
    """What the later law did to the article: the question's right answer changed because of it."""

    AMEND = "amend"
    SUPPLEMENT = "supplement"
    REPEAL = "repeal"

    @classmethod
    def from_str(cls, value: str) -> ChangeKind:
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown kind {value!r} (valid: {valid})") from None


@dataclass(frozen=True)
class CurrentRule:
    """What answers the question now: phrases of the consolidated article, or that the article is repealed."""

    phrases: tuple[str, ...]
    since: date
    by: str
    file: str | None = None
    repealed: bool = False


@dataclass(frozen=True)
class SupersededRule:
    """What answered the question before the change: phrases of the article as enacted and when they applied."""

    phrases: tuple[str, ...]
    file: str
    valid_from: date | None
    valid_to: date


@dataclass(frozen=True)
class ValidityQuestion:
    """One question about an article whose right answer changed on `current.since`."""

    id: str
    question: str
    law: str
    article: str
    clause: str | None
    kind: ChangeKind
    current: CurrentRule
    superseded: SupersededRule
    as_of_past: date

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ValidityQuestion:
        kind = ChangeKind.from_str(d["kind"])
        cur, old = d["current"], d["superseded"]
        current = CurrentRule(
            phrases=tuple(cur["phrases"]),
            since=date.fromisoformat(cur["since"]),
            by=cur["by"],
            file=cur.get("file"),
            repealed=bool(cur.get("repealed", False)),
        )
        superseded = SupersededRule(
            phrases=tuple(old["phrases"]),
            file=old["file"],
            valid_from=date.fromisoformat(old["from"]) if old.get("from") else None,
            valid_to=date.fromisoformat(old["to"]),
        )
        q = cls(
            id=d["id"],
            question=d["question"],
            law=d["law"],
            article=str(d["article"]),
            clause=str(d["clause"]) if d.get("clause") is not None else None,
            kind=kind,
            current=current,
            superseded=superseded,
            as_of_past=date.fromisoformat(d["as_of_past"]),
        )
        q._check()
        return q

    def _check(self) -> None:
        if not self.id or not self.question.strip():
            raise ValueError("id and question must not be empty")
        if (self.kind is ChangeKind.REPEAL) != self.current.repealed:
            raise ValueError("current.repealed must be true exactly when kind is 'repeal'")
        if self.kind is ChangeKind.REPEAL and self.current.phrases:
            raise ValueError("a repealed rule has no current phrases")
        if self.kind is not ChangeKind.REPEAL and not self.current.phrases:
            raise ValueError("an amended or supplemented rule needs current phrases")
        if not self.superseded.phrases:
            raise ValueError("superseded phrases are needed to score past answers and stale quotes")
        if self.superseded.valid_to != self.current.since:
            raise ValueError("superseded.to must be the day the current rule applies from")
        start = self.superseded.valid_from or date.min
        if not start <= self.as_of_past < self.superseded.valid_to:
            raise ValueError("as_of_past must fall while the superseded rule applied")


def load_questions(path: Path = QUESTIONS) -> list[ValidityQuestion]:
    """The items of `path` (JSON Lines); ValueError naming the line when one is malformed or an id repeats."""
    items: list[ValidityQuestion] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            q = ValidityQuestion.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{n}: not a validity question ({exc})") from None
        if q.id in seen:
            raise ValueError(f"{path}:{n}: duplicate id {q.id!r}")
        seen.add(q.id)
        items.append(q)
    return items


# ------------------------------------------------------------------------------------------------ article texts

_LAW_HEADING = re.compile(r"^(?:Điều|Điền) (\d+[a-zđ]?)\b")  # "Điền 47." is a typo the crawled text carries
_LAW_BREAK = re.compile(r"^(?:Chương [IVXLC\d]+|Mục \d+)\b")
_PD_HEADING = re.compile(r"^Điều \d+\.\d+\.[A-ZĐ]+\.")
_PD_SOURCE = re.compile(r"^\(Điều (\d+[a-zđ]?) (?:Bộ luật|Luật)[^,(]*?số (\d+/\d{4}/QH\d+)")
_PD_RELATED = "(Điều này có nội dung liên quan"


def enacted_article_text(path: Path, article: str) -> str | None:
    """Article `article` of a law as enacted (plain text, "Điều N. title" headings), or None when absent."""
    out: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        m = _LAW_HEADING.match(s)
        if m:
            if out is not None:
                break
            if m.group(1) == article:
                out = []
        elif out is not None and _LAW_BREAK.match(s):
            break
        if out is not None:
            out.append(s)
    return "\n".join(out) if out else None


def consolidated_article_text(path: Path, law: str, article: str) -> tuple[str, str] | None:
    """(source line, text) of the pháp điển article compiled from Điều `article` of `law`, or None when absent.

    The text is the heading and body; the "(Điều này có nội dung liên quan …)" cross-reference lines are left out,
    since they quote titles of other articles.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not _PD_HEADING.match(line):
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        m = _PD_SOURCE.match(lines[j]) if j < len(lines) else None
        if not m or m.group(1) != article or m.group(2) != law:
            continue
        body = [line]
        for k in range(j + 1, len(lines)):
            if _PD_HEADING.match(lines[k]) or re.match(r"^Chương [IVXLC]+\s*$", lines[k].strip()):
                break
            if lines[k].strip() and not lines[k].startswith(_PD_RELATED):
                body.append(lines[k])
        return lines[j], "\n".join(body)
    return None


def article_text(corpus_dir: Path, rel: str, law: str, article: str) -> str | None:
    """The text of Điều `article` of `law` in the corpus file `rel` (pháp điển or enacted law), or None."""
    path = corpus_dir / rel
    if rel.startswith("phapdien/"):
        found = consolidated_article_text(path, law, article)
        return found[1] if found else None
    return enacted_article_text(path, article)


# ------------------------------------------------------------------------------------------------ scoring


def contains(text: str | None, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` once both are NFC, case-folded and white-space collapsed."""
    return bool(text) and match_key(phrase) in match_key(text or "")


def _any_phrase(texts: Iterable[str | None], phrases: Sequence[str]) -> bool:
    keys = [match_key(t) for t in texts if t]
    return any(match_key(p) in k for p in phrases for k in keys)


def _citations(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in answer.get("citations") or [] if isinstance(c, dict)]


def _of_rule(item: ValidityQuestion, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The citations of the item's own article (its law, as enacted or consolidated): a number that happens to
    occur in another article is not this rule, current or superseded."""
    law = match_key(item.law)
    out = []
    for c in _citations(answer):
        raw = c.get("citation")
        cit: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if match_key(str(cit.get("document") or "")) == law and str(cit.get("article") or "") == item.article:
            out.append(c)
    return out


def _generated(answer: dict[str, Any]) -> str | None:
    """The answer's own words: None for an extractive answer, whose text is only the quotes of its citations."""
    return None if answer.get("mode") == "extractive" else answer.get("answer")


def _version(citation: dict[str, Any]) -> dict[str, Any]:
    v = citation.get("version")
    return v if isinstance(v, dict) else {}


def _names(document: str, *texts: Any) -> bool:
    key = match_key(document)
    return any(isinstance(t, str) and key in match_key(t) for t in texts)


def _citation_names_repeal(citation: dict[str, Any], by: str) -> bool:
    v = _version(citation)
    if v.get("badge") not in _REPEAL_BADGES:
        return False
    changes = [c for c in v.get("changes") or [] if isinstance(c, dict)]
    return _names(by, v.get("notice"), v.get("label"), *(c.get("by") for c in changes))


def current_correct(item: ValidityQuestion, answer: dict[str, Any]) -> bool:
    """Whether an answer given as of today states the rule now in force (see the module docstring)."""
    refused = bool(answer.get("refused"))
    if item.kind is ChangeKind.REPEAL:
        if refused:
            return True
        notices = [n for n in answer.get("notices") or [] if isinstance(n, str)]
        return _names(item.current.by, *notices) or any(
            _citation_names_repeal(c, item.current.by) for c in _citations(answer)
        )
    if refused:
        return False
    texts = [_generated(answer), *(c.get("text") for c in _of_rule(item, answer))]
    return _any_phrase(texts, item.current.phrases)


def superseded_as_current(item: ValidityQuestion, answer: dict[str, Any]) -> bool:
    """Whether an answer given as of today presents a superseded rule as the law in force."""
    phrases = item.superseded.phrases
    for c in _of_rule(item, answer):
        v = _version(c)
        if _any_phrase([c.get("text")], phrases) and not v.get("notice") and v.get("badge") not in _NOT_CURRENT_BADGES:
            return True
    return not answer.get("notices") and _any_phrase([_generated(answer)], phrases)


def past_correct(item: ValidityQuestion, answer: dict[str, Any]) -> bool:
    """Whether an answer given as of `item.as_of_past` states the rule that applied then."""
    texts = [_generated(answer), *(c.get("text") for c in _of_rule(item, answer))]
    return _any_phrase(texts, item.superseded.phrases)


@dataclass(frozen=True)
class ItemScore:
    """How one item scored; `past_correct` is None when the run did not ask about the past."""

    id: str
    law: str
    kind: ChangeKind
    current_correct: bool
    superseded_as_current: bool
    past_correct: bool | None
    errors: tuple[str, ...] = ()

    def why(self) -> list[str]:
        out = list(self.errors)
        if not self.current_correct:
            out.append("current rule not stated" if self.kind is not ChangeKind.REPEAL else "repeal not signalled")
        if self.superseded_as_current:
            out.append("superseded text quoted as current")
        if self.past_correct is False:
            out.append("past rule not stated when asked as of the past")
        return out


def score_item(
    item: ValidityQuestion, now: dict[str, Any], past: dict[str, Any] | None = None, errors: Sequence[str] = ()
) -> ItemScore:
    """Score one item from its answer as of today and, when given, its answer as of `item.as_of_past`."""
    return ItemScore(
        id=item.id,
        law=item.law,
        kind=item.kind,
        current_correct=current_correct(item, now),
        superseded_as_current=superseded_as_current(item, now),
        past_correct=past_correct(item, past) if past is not None else None,
        errors=tuple(errors),
    )


def _ratio(hits: int, n: int) -> float | None:
    return round(hits / n, 3) if n else None


def _summary(scores: Sequence[ItemScore]) -> dict[str, Any]:
    past = [s.past_correct for s in scores if s.past_correct is not None]
    return {
        "n": len(scores),
        "current_rule_accuracy": _ratio(sum(s.current_correct for s in scores), len(scores)),
        "superseded_quoted_as_current": sum(s.superseded_as_current for s in scores),
        "past_accuracy": _ratio(sum(past), len(past)),
    }


@dataclass
class ValidityQuestionsResult:
    """The scores of one run over the question set, with figures overall, per law and per kind."""

    scores: list[ItemScore]
    as_of_past: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        by_law: dict[str, list[ItemScore]] = defaultdict(list)
        by_kind: dict[str, list[ItemScore]] = defaultdict(list)
        for s in self.scores:
            by_law[s.law].append(s)
            by_kind[s.kind.value].append(s)
        return {
            **_summary(self.scores),
            "as_of_past": self.as_of_past,
            "per_law": {law: _summary(v) for law, v in sorted(by_law.items())},
            "per_kind": {kind: _summary(v) for kind, v in sorted(by_kind.items())},
            "failures": [{"id": s.id, "why": s.why()} for s in self.scores if s.why()],
            **self.extra,
        }


def _ask(ask: Ask, question: str, as_of: date | None, errors: list[str]) -> dict[str, Any]:
    # One failing call is scored as a wrong answer and named, so a long run still reports the other items.
    try:
        answer = ask(question, as_of)
    except Exception as exc:  # noqa: BLE001 - any failure of the assistant is a result to report
        errors.append(f"ask({'today' if as_of is None else as_of.isoformat()}) raised {type(exc).__name__}: {exc}")
        return {"answer": "", "refused": False, "notices": [], "citations": []}
    if not isinstance(answer, dict):
        errors.append(f"ask returned {type(answer).__name__}, not an answer dict")
        return {"answer": "", "refused": False, "notices": [], "citations": []}
    return answer


def run_validity_questions(
    ask: Ask, items: Sequence[ValidityQuestion], as_of_past: bool = True
) -> ValidityQuestionsResult:
    """Ask every item as of today (`ask(question, None)`) and, if `as_of_past`, as of its past date; score them."""
    scores = []
    for item in items:
        errors: list[str] = []
        now = _ask(ask, item.question, None, errors)
        past = _ask(ask, item.question, item.as_of_past, errors) if as_of_past else None
        scores.append(score_item(item, now, past, errors))
    return ValidityQuestionsResult(scores, as_of_past)
