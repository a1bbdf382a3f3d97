"""Article → chunks with citation anchors: one chunk per article, split at clause boundaries when it is long.

A long article is cut between clauses (Khoản), packing consecutive clauses up to `max_chars`; a clause that alone
is too long is cut between its points (Điểm) — never inside a point. Each chunk names the ORIGINAL document and
article (for pháp điển, the source line's), carries its heading path as context and its span in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.ids import chunk_id
from ingest.model import Article, Chunk, Citation, LegalDocument, SourceRef, document_short_name

# ~1,500 characters ≈ 350–400 tokens of Vietnamese: three chunks fit the small CPU model's prompt budget.
DEFAULT_MAX_CHARS = 1500


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


def _piece(text: str, art: Article, group: list[_Unit]) -> _Piece:
    clauses = list(dict.fromkeys(u.clause for u in group if u.clause))
    points = [u.point for u in group if u.point]
    whole_clause = bool(points) and len(points) == group[0].n_points
    lead_parts: list[str] = []
    if group[0].start > art.start:
        first_child = art.clauses[0].start if art.clauses else art.points[0].start
        lead_parts.append(text[art.heading_end : first_child].strip())
    if points and group[0].point != "a" and group[0].clause:
        clause = next(c for c in art.clauses if c.number == group[0].clause)
        lead_parts.append(text[clause.start : clause.points[0].start].strip())
    return _Piece(
        group[0].start,
        group[-1].end,
        _range(clauses),
        None if whole_clause else _range(points),
        "\n".join(p for p in lead_parts if p),
    )


def split_article(text: str, art: Article, max_chars: int) -> list[_Piece]:
    """The pieces an article is cut into (one piece when it fits in `max_chars`)."""
    units = _units(art, max_chars)
    if art.end - art.start <= max_chars or not units:
        return [_Piece(art.start, art.end)]
    units[0].start = art.start  # the heading and lead-in travel with the first clause
    units[-1].end = art.end
    groups: list[list[_Unit]] = []
    for u in units:
        if groups and _compatible(groups[-1], u) and u.end - groups[-1][0].start <= max_chars:
            groups[-1].append(u)
        else:
            groups.append([u])
    if len(groups) == 1:
        return [_Piece(art.start, art.end)]
    return [_piece(text, art, g) for g in groups]


def _source_title(src: SourceRef) -> str:
    base = f"{src.loai} {src.document}" if src.loai else src.document
    return f"{base} {src.trich_yeu[:1].lower()}{src.trich_yeu[1:]}" if src.trich_yeu else base


def _anchor(art: Article, clause: str | None, point: str | None, doc_name: str, cited_article: str) -> str:
    if art.label == "Điều":
        parts = Citation("", "", cited_article, clause, point).anchor_parts()
        return f"{' '.join(parts)} {doc_name}"
    path = ".".join(x for x in (cited_article, clause, point) if x)
    return f"{art.label} {path} {doc_name}"


def chunk_document(doc: LegalDocument, doc_id: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """All chunks of a document, in text order, with stable ids derived from `doc_id`."""
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
