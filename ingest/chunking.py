"""Article → chunks with citation anchors: one chunk per article, split at clause boundaries when it is long.

A long article is cut between clauses (Khoản), packing consecutive clauses up to `max_chars`; a clause that alone
is too long is cut between its points (Điểm). No chunk is ever longer than `max_chars`: a clause or point that is
still too long on its own (or an article without clauses) is cut by size at the best boundary in reach — a line
break, else a sentence end, else a space, else a hard cut — and every such piece keeps the clause/point it cites.
Each chunk names the ORIGINAL document and article (for pháp điển, the source line's), carries its heading path
as context and its span in the text.

Work is linear in the text: an uploaded file cannot turn into a chunk whose indexing cost explodes (one 33-million
character chunk once took 18 GB to index).

>>> from ingest.structure import parse_articles
>>> text = "Điều 1. Dài\\n" + "\\n".join("1. dòng số %d của khoản." % i for i in range(200))
>>> spans = [(p.start, p.end) for p in split_article(text, parse_articles(text)[0], 500)]
>>> max(e - s for s, e in spans) <= 500 and all(text[e - 1] == "." for s, e in spans)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.ids import chunk_id
from ingest.model import Article, Chunk, Citation, LegalDocument, SourceRef, document_short_name

# ~1,500 characters ≈ 350–400 tokens of Vietnamese: three chunks fit the small CPU model's prompt budget.
DEFAULT_MAX_CHARS = 1500
# Longer than any real title or heading (the longest in the shared corpus is well under this); only a crafted
# one-line "title" reaches it, and it is repeated on every chunk of its article.
_HEADING_MAX = 1000


class ChunkLimitError(ValueError):
    """A document would make more chunks than allowed (`max_chunks`); raised as soon as the count passes it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"more than {limit} chunks")


@dataclass
class _Piece:
    """A span to become one chunk, with what it cites below the article."""

    start: int
    end: int
    clause: str | None = None
    point: str | None = None
    lead: str = ""


def _range(labels: list[str]) -> str | None:
    if not labels:
        return None
    return labels[0] if len(labels) == 1 else f"{labels[0]}-{labels[-1]}"


@dataclass
class _Unit:
    """An uncuttable span: a whole clause, or one point of a clause too long to keep whole."""

    start: int
    end: int
    clause: str | None
    point: str | None
    n_points: int = 0


def _units(art: Article, max_chars: int) -> list[_Unit]:
    units: list[_Unit] = []
    if not art.clauses:
        return [_Unit(p.start, p.end, None, p.letter, len(art.points)) for p in art.points]
    for c in art.clauses:
        if c.end - c.start > max_chars and c.points:
            pts = [_Unit(p.start, p.end, c.number, p.letter, len(c.points)) for p in c.points]
            pts[0].start = c.start
            pts[-1].end = c.end  # the Khoản's closing paragraph after its last Điểm travels with it
            units.extend(pts)
        else:
            units.append(_Unit(c.start, c.end, c.number, None))
    return units


def _compatible(group: list[_Unit], unit: _Unit) -> bool:
    """Whole clauses pack with whole clauses; points pack only with points of the same clause."""
    last = group[-1]
    if last.point is None and unit.point is None:
        return True
    return last.point is not None and unit.point is not None and last.clause == unit.clause


def _piece(text: str, art: Article, group: list[_Unit], clause_at: dict[str, int], max_chars: int) -> _Piece:
    clauses = list(dict.fromkeys(u.clause for u in group if u.clause))
    points = [u.point for u in group if u.point]
    whole_clause = bool(points) and len(points) == group[0].n_points
    lead_parts: list[str] = []
    if group[0].start > art.start:
        first_child = art.clauses[0].start if art.clauses else art.points[0].start
        lead_parts.append(text[art.heading_end : first_child].strip())
    if points and group[0].point != "a" and group[0].clause:
        clause = art.clauses[clause_at[group[0].clause]]
        lead_parts.append(text[clause.start : clause.points[0].start].strip())
    return _Piece(
        group[0].start,
        group[-1].end,
        _range(clauses),
        None if whole_clause else _range(points),
        _cap("\n".join(p for p in lead_parts if p), max_chars),
    )


def _cap(s: str, limit: int) -> str:
    """`s` cut to at most `limit` characters at a space, marked "…": a lead or heading is context, not content,
    and repeating a huge one on every chunk would make the chunks' total size quadratic in the text."""
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", limit // 2, limit)
    return s[: cut if cut > 0 else limit - 1].rstrip() + "…"


def split_article(text: str, art: Article, max_chars: int) -> list[_Piece]:
    """The pieces an article is cut into (one piece when it fits in `max_chars`), none longer than `max_chars`."""
    if art.end - art.start <= max_chars:
        return [_Piece(art.start, art.end)]
    units = _units(art, max_chars)
    if not units:
        return _by_size(text, _Piece(art.start, art.end), max_chars)
    units[0].start = art.start  # the heading and lead-in travel with the first clause
    units[-1].end = art.end
    groups: list[list[_Unit]] = []
    for u in units:
        if groups and _compatible(groups[-1], u) and u.end - groups[-1][0].start <= max_chars:
            groups[-1].append(u)
        else:
            groups.append([u])
    clause_at = {c.number: i for i, c in enumerate(art.clauses)}
    if len(groups) == 1:  # one clause or point longer than max_chars on its own: cut by size, citing it
        return _by_size(text, _piece(text, art, groups[0], clause_at, max_chars), max_chars)
    out: list[_Piece] = []
    for g in groups:
        out.extend(_by_size(text, _piece(text, art, g, clause_at, max_chars), max_chars))
    return out


_SENTENCE_END = re.compile(r"[.;:!?…](?=\s)")


def _by_size(text: str, piece: _Piece, max_chars: int) -> list[_Piece]:
    """`piece` as it is when it fits, else cut into spans of at most `max_chars`, each citing what `piece` cites.

    Each cut is at the last line break in the second half of the window, else the last sentence end there, else
    the last space in the window, else exactly at `max_chars`. Spans never start or end with whitespace, so
    their offsets stay exact. Every window is scanned once: linear in the piece's length.
    """
    if piece.end - piece.start <= max_chars:
        return [piece]
    out: list[_Piece] = []
    pos, end = piece.start, piece.end
    while pos < end:
        hi = min(end, pos + max_chars)
        if hi < end:
            half = pos + max_chars // 2
            cut = text.rfind("\n", half, hi) + 1
            if cut <= 0:
                ends = [m.end() for m in _SENTENCE_END.finditer(text, half, hi)]
                cut = ends[-1] if ends else 0
            if cut <= 0:
                cut = max(text.rfind(" ", pos + 1, hi), text.rfind("\t", pos + 1, hi))
            if cut <= pos:
                cut = hi
        else:
            cut = end
        stop = cut
        while stop > pos and text[stop - 1].isspace():
            stop -= 1
        if stop > pos:
            out.append(replace(piece, start=pos, end=stop))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    return out


def _source_title(src: SourceRef) -> str:
    base = f"{src.loai} {src.document}" if src.loai else src.document
    return f"{base} {src.trich_yeu[:1].lower()}{src.trich_yeu[1:]}" if src.trich_yeu else base


def _anchor(art: Article, clause: str | None, point: str | None, doc_name: str, cited_article: str) -> str:
    if art.label == "Điều":
        parts = Citation("", "", cited_article, clause, point).anchor_parts()
        return f"{' '.join(parts)} {doc_name}"
    path = ".".join(x for x in (cited_article, clause, point) if x)
    return f"{art.label} {path} {doc_name}"


def chunk_document(
    doc: LegalDocument, doc_id: str, max_chars: int = DEFAULT_MAX_CHARS, max_chunks: int | None = None
) -> list[Chunk]:
    """All chunks of a document, in text order, with stable ids derived from `doc_id`.

    Raises `ChunkLimitError` as soon as there would be more than `max_chunks` (when given).
    """
    meta = doc.meta
    chunks: list[Chunk] = []
    for art in doc.articles:
        if art.source is not None:
            src = art.source
            cite_doc, cite_title, cite_article = src.document, _source_title(src), src.article
            doc_name = document_short_name(None, src.document, src.loai)
            art_heading = f"Điều {src.article} {doc_name}" + (f". {art.title}" if art.title else "")
        else:
            cite_doc = meta.so_hieu or meta.title
            cite_title, cite_article = meta.title, art.number
            doc_name = meta.short_name
            art_heading = art.display + (f". {art.title}" if art.title else "")
        context = [meta.title] + [h for h in (art.part, art.chapter, art.section) if h] + [art_heading]
        context = [_cap(h, _HEADING_MAX) for h in context]
        for piece in split_article(doc.text, art, max_chars):
            citation = Citation(
                document=cite_doc,
                title=cite_title,
                article=cite_article,
                clause=piece.clause,
                point=piece.point,
            )
            heading_path = context + ([f"Khoản {piece.clause}"] if piece.clause else [])
            ordinal = len(chunks)
            if max_chunks is not None and ordinal >= max_chunks:
                raise ChunkLimitError(max_chunks)
            chunks.append(
                Chunk(
                    id=chunk_id(doc_id, ordinal),
                    ordinal=ordinal,
                    anchor=_anchor(art, piece.clause, piece.point, doc_name, cite_article),
                    citation=citation,
                    heading_path=heading_path,
                    start=piece.start,
                    end=piece.end,
                    text=doc.text[piece.start : piece.end],
                    article_number=art.number,
                    lead=piece.lead,
                )
            )
    return chunks
