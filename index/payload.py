"""How a stored chunk becomes a Qdrant point: the text its vectors see, and the payload filters act on.

Payload fields (all indexed in Qdrant, see `store.PAYLOAD_INDEXES`): `document_id`, `so_hieu` (casefolded,
NFC), `loai`, `co_quan`, `year` (of issue), `hieu_luc`, `access_rank` (0 public, 1 internal, 2 restricted: a
user cleared for rank r sees points with `access_rank <= r`), `cited` ("document key|article": the legal article
a chunk belongs to, for following a reference), `valid_from`/`valid_to` (`YYYYMMDD` integers: the text is the
law on day d when `valid_from <= d < valid_to`; see ingest/versions.py), plus what a hit shows (anchor,
citation, text offsets, heading path, `version`: the article's version and the changes acting on it).
"""

from __future__ import annotations

from typing import Any

from core.text import match_key, nfc
from index.embedders import DocText
from ingest.model import AccessLevel
from ingest.registry import ChunkRecord
from ingest.versions import NO_START, OPEN_END

ACCESS_RANK = {level: rank for rank, level in enumerate(AccessLevel)}


def norm_number(so_hieu: str | None) -> str | None:
    """A document number as it is compared: NFC, casefolded, without spaces ("30/2020/nđ-cp")."""
    if not so_hieu:
        return None
    return nfc(so_hieu).casefold().replace(" ", "")


def cited_document_key(document: str) -> str:
    """How a cited document is identified across stored copies: its normalised number, else its name."""
    return norm_number(document) or document


def norm_label(value: str | None) -> str | None:
    """A type or issuer as filters compare it: NFC, casefolded, single spaces ("Chính phủ" → "chính phủ")."""
    if not value:
        return None
    return match_key(value)


def doc_text(rec: ChunkRecord) -> DocText:
    """What the embedders and BM25 read for a chunk: the heading path as title, the lead-in and the text."""
    return _doc_text(rec.heading_path, rec.lead, rec.text)


def payload_doc_text(payload: dict[str, Any]) -> DocText:
    """`doc_text` rebuilt from a stored point's payload (what `kho index --dense` embeds)."""
    return _doc_text(list(payload.get("heading_path") or []), str(payload.get("lead") or ""), str(payload["text"]))


def _doc_text(heading_path: list[str], lead: str, text: str) -> DocText:
    return DocText(title=" › ".join(str(h) for h in heading_path), text=f"{lead}\n{text}" if lead else text)


def cited_key(document: str, article: str) -> str:
    """The `cited` payload value of a legal article: "58/2010/qh12|25"."""
    return f"{cited_document_key(document)}|{article}"


def chunk_payload(rec: ChunkRecord) -> dict[str, Any]:
    """The payload stored with a chunk's point."""
    cit = rec.citation
    year = int(rec.ngay_ban_hanh[:4]) if rec.ngay_ban_hanh else None
    v = rec.version
    valid_from, valid_to = v.range_for(cit.clause, cit.point) if v else (NO_START, OPEN_END)
    return {
        "chunk_id": rec.id,
        "document_id": rec.document_id,
        "ordinal": rec.ordinal,
        "anchor": rec.anchor,
        "citation": cit.to_json(),
        "cited_document": cited_document_key(cit.document),
        "cited_article": cit.article,
        "cited": cited_key(cit.document, cit.article),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "version": v.to_json() if v else None,
        "heading_path": list(rec.heading_path),
        "start": rec.start,
        "end": rec.end,
        "text": rec.text,
        "lead": rec.lead,
        "article": rec.article,
        "title": rec.title,
        "so_hieu": norm_number(rec.so_hieu),
        "so_hieu_display": rec.so_hieu,
        "loai": norm_label(rec.loai),
        "loai_display": rec.loai,
        "co_quan": norm_label(rec.co_quan),
        "co_quan_display": rec.co_quan,
        "year": year,
        "hieu_luc": rec.hieu_luc.value,
        "access_level": rec.access_level.value,
        "access_rank": ACCESS_RANK[rec.access_level],
    }
