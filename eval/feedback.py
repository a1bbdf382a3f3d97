"""The evaluators' feedback loop: verdicts given in the workdesk, exported as candidate evaluation items to review.

Each `feedback` event of the audit log (`app.audit`) is joined with the `ask` event it judges (its `ref`) and shaped
like a line of an evaluation set (../shared/eval/README.md), so `eval.retrieval.load_dataset` reads the file:

- `gold`: for an "đúng" verdict, the articles of the citations shown, less any the user marked wrong; for a "sai"
  verdict, nothing (an empty list is valid for the loader; a wrong answer says nothing about which article is right).
- `type`/`answer`: a "sai" verdict with a comment carries the user's correction, so the comment becomes the
  `answer` candidate of a `free_text` item; otherwise the item is `retrieval_only`.
- `status: "needs_review"` and `feedback` (every verdict, comment, wrong citation, citations shown) for the
  reviewer; the loader ignores both. No item is fit for scoring before a person has reviewed it.

Questions and comments are exported as the audit log stores them, masked (`core.pii`), and masked once more on the
way out; user names are never exported (a hash of a guessable name is no protection), only the role. Feedback on
the same question (NFC, casefolded, whitespace collapsed) becomes one item named after the earliest event:

>>> dedup_key("  Công chức được nghỉ\\tphép BAO NHIÊU ngày? ")
'công chức được nghỉ phép bao nhiêu ngày?'
>>> gold_of_anchor("Khoản 1 Điều 29 Luật Viên chức 58/2010/QH12")
{'document': '58/2010/QH12', 'article': '29'}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.pii import mask_pii
from core.text import match_key, nfc
from ingest.metadata import SO_HIEU

if TYPE_CHECKING:  # eval reads the workdesk's audit log through the object it is given; no import of ui at run time
    from app.audit import AuditEvent, AuditLog

log = logging.getLogger(__name__)

CORPUS = "workdesk"  # the answers came from the user's own store, not from an evaluation corpus
STATUS = "needs_review"

# Anchors as `ingest.chunking` writes them: "[Điểm a ][Khoản 1 ]Điều 29 <document>", or "Mục I.1.a <document>"
# for plans numbered I./1./a) (the article is the first part of the path).
_DIEU_ANCHOR = re.compile(r"^(?:Điểm \S+ )?(?:Khoản \S+ )?Điều (?P<article>\S+) (?P<doc>.+)$")
_MUC_ANCHOR = re.compile(r"^Mục (?P<article>[^.\s]+)\S* (?P<doc>.+)$")
_NUMBER = re.compile(SO_HIEU)


def dedup_key(question: str) -> str:
    """What makes two questions the same one: NFC, casefolded, whitespace collapsed."""
    return match_key(question)


def gold_of_anchor(anchor: str) -> dict[str, str] | None:
    """The `{document, article}` a citation anchor points at (the document by number when it has one), or None.

    >>> gold_of_anchor("Điều 8 Bộ luật dân sự")
    {'document': 'Bộ luật dân sự', 'article': '8'}
    """
    text = " ".join(nfc(anchor).split())
    m = _DIEU_ANCHOR.match(text) or _MUC_ANCHOR.match(text)
    if m is None or m["doc"] == "?":
        return None
    numbers = _NUMBER.findall(m["doc"])
    # The anchor names a law "Luật Viên chức 58/2010/QH12" and other acts "Nghị định 30/2020/NĐ-CP"; the number is
    # what chunks are cited by. Without one the name is the title, which gold items may also use.
    return {"document": numbers[-1] if numbers else m["doc"], "article": m["article"]}


def _shown(citation: Mapping[str, Any]) -> dict[str, Any]:
    """A citation as the reviewer sees it: marker, anchor, and the ids that find the chunk again."""
    return {k: citation.get(k) for k in ("marker", "anchor", "chunk_id", "document_id")}


def _entry(feedback: AuditEvent, asked: AuditEvent) -> dict[str, Any]:
    """One verdict for the reviewer; the user name stays behind, only the role goes with it."""
    wrong = feedback.citations[0] if feedback.citations else None
    return {
        "verdict": "đúng" if feedback.details.get("correct") else "sai",
        "comment": mask_pii(str(feedback.details.get("comment") or "")).strip(),
        "wrong_citation": _shown(wrong) if wrong else None,
        "answer": asked.event_id,
        "refused": asked.refused,
        "citations_shown": [_shown(c) for c in asked.citations],
        "at": feedback.at,
        "role": feedback.role,
    }


def _gold_key(gold: Mapping[str, str]) -> tuple[str, str]:
    return (dedup_key(gold["document"]), gold["article"])


def _item(question: str, first: AuditEvent, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The candidate evaluation item for one question and all the feedback on it."""
    wrong = {
        _gold_key(g)
        for e in entries
        if e["wrong_citation"] and (g := gold_of_anchor(str(e["wrong_citation"]["anchor"] or "")))
    }
    gold: dict[tuple[str, str], dict[str, str]] = {}
    for e in entries:
        if e["verdict"] != "đúng":
            continue
        for c in e["citations_shown"]:
            g = gold_of_anchor(str(c["anchor"] or ""))
            if g is not None and _gold_key(g) not in wrong:
                gold.setdefault(_gold_key(g), g)
    corrections = [e["comment"] for e in entries if e["verdict"] == "sai" and e["comment"]]
    item: dict[str, Any] = {
        "id": f"feedback-{first.event_id}",
        "question": question,
        "type": "free_text" if corrections else "retrieval_only",
    }
    if corrections:
        item["answer"] = corrections[-1]  # the latest correction; every one stays listed under `feedback`
    item |= {
        "gold": list(gold.values()),
        "corpus": CORPUS,
        "source": f"workdesk feedback {first.at[:10]}",
        "status": STATUS,
        "feedback": entries,
    }
    return item


def feedback_items(audit: AuditLog, since: dt.datetime | dt.date | None = None) -> list[dict[str, Any]]:
    """One candidate evaluation item per question that got feedback from `since` on, in the order first judged."""
    groups: dict[str, tuple[str, AuditEvent, list[dict[str, Any]]]] = {}
    for fb in audit.events(since, event="feedback"):
        asked = audit.get(fb.ref) if fb.ref else None
        if asked is None or asked.event != "ask" or not asked.question:
            log.warning("feedback %s skipped: the answer it judges (%s) is not in the audit log", fb.event_id, fb.ref)
            continue
        # Masked again on the way out: the export leaves the audit log's protection, whatever path wrote the row.
        question = mask_pii(asked.question).strip()
        key = dedup_key(question)
        if key not in groups:
            groups[key] = (question, fb, [])
        groups[key][2].append(_entry(fb, asked))
    return [_item(question, first, entries) for question, first, entries in groups.values()]


def _nfc_deep(value: Any) -> Any:
    """Strings NFC, containers walked."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Mapping):
        return {_nfc_deep(k): _nfc_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nfc_deep(v) for v in value]
    return value


def write_items(items: Iterable[Mapping[str, Any]], path: Path, overwrite: bool = False) -> int:
    """Write `items` as JSON Lines (UTF-8, NFC, one object a line) to `path`; returns how many.

    An existing file is kept (`FileExistsError` naming it) unless `overwrite`: an export may already be under review.
    """
    path = Path(path)
    lines = [json.dumps(_nfc_deep(item), ensure_ascii=False) + "\n" for item in items]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("w" if overwrite else "x", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
    except FileExistsError:
        raise FileExistsError(f"{path}: the file already exists; pass overwrite=True to replace it") from None
    return len(lines)
