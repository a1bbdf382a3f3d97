"""Highlight precision: does a supported answer sentence light up exactly the Khoản/Điểm that states it?

`eval/data/highlight_set.jsonl` holds answer sentences as a model writes them, each with the provision that
supports it, pointing into the shared corpus (../shared/corpus; nothing of it is copied here). One JSON object per
line: `{"id", "split", "file", "document", "article", "sentence", "gold", "case"}` and optionally `"source":
"chunk"` — `file` is a corpus path, `document` the cited document number ("30/2020/NĐ-CP", "58/2010/QH12"),
`article` its Điều; `gold` is `{"khoan": "2", "diem": "đ"}` (`diem` alone for an article's own points), or
`{"line": "…"}` for a body paragraph outside any Khoản (the paragraph holding that text). Each file is read by
the project's own parser (ingest/parse.py); the gold span is the parsed Clause/Point (ingest/structure.py).

The cited source is, as the assistant gives it, the whole article (`"source": "chunk"`: the ~1,500-character
chunk holding the gold unit, whose anchor may name a range such as "Khoản 2-4"). The sentence is fed to the
shipped `SentenceVerifier` with that source as [1]; its check's `clause` is the highlight.

- `precision`: share of supported sentences whose highlight IS the gold unit (same span) — the issue-14 figure;
- `char_precision`: mean |highlight ∩ gold| / |highlight| over bound sentences;
- `coverage`: share of items bound at all (supported and given a clause);
- `binder_precision`: share of all items whose sentence the binder alone (assistant/clauses.py, without the
  verifier's support check) binds to the gold unit — what the highlight would be if the verifier kept them all;
- per split: "dev" items were written while the binder was built, "heldout" ones after it was finished.

>>> _overlap((10, 20), (15, 30))
5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from assistant.answer import CitedSource
from assistant.clauses import SourceOutline
from assistant.verify import SentenceVerifier
from core.jsonl import read_jsonl
from index.search import Hit
from ingest.chunking import chunk_document
from ingest.model import Article, Chunk, LegalDocument
from ingest.parse import parse_file

DATASET = Path(__file__).with_name("data") / "highlight_set.jsonl"
SPLITS = ("dev", "heldout")
WHOLE_ARTICLE = 10**9  # max_chars for chunking: one chunk per article, as the assistant cites it


class DatasetError(ValueError):
    """The labelled set is missing or malformed, or an item does not point into the corpus (the message names it)."""


@dataclass(frozen=True)
class HighlightItem:
    id: str
    split: str
    file: str
    document: str
    article: str
    sentence: str
    gold: dict[str, str]
    case: str = ""
    source: str = "article"


@dataclass(frozen=True)
class Scored:
    item: HighlightItem
    gold: tuple[int, int]
    supported: bool
    highlight: tuple[int, int] | None
    anchor: str | None
    reasons: tuple[str, ...] = ()
    bound_alone: tuple[int, int] | None = None  # the binder's span whether or not the verifier supports it

    @property
    def exact(self) -> bool:
        return self.highlight == self.gold

    @property
    def char_precision(self) -> float | None:
        if self.highlight is None:
            return None
        return _overlap(self.highlight, self.gold) / max(1, self.highlight[1] - self.highlight[0])


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass
class HighlightReport:
    dataset: str
    results: list[Scored] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "overall": _part(self.results),
            "per_split": {s: _part([r for r in self.results if r.item.split == s]) for s in SPLITS},
            "misses": [
                {
                    "id": r.item.id,
                    "split": r.item.split,
                    "case": r.item.case,
                    "sentence": r.item.sentence,
                    "gold": r.item.gold,
                    "supported": r.supported,
                    "anchor": r.anchor,
                    "char_precision": None if r.char_precision is None else round(r.char_precision, 3),
                    "reasons": list(r.reasons),
                }
                for r in self.results
                if not r.exact
            ],
        }


def _part(rs: list[Scored]) -> dict[str, Any]:
    supported = [r for r in rs if r.supported]
    bound = [r for r in supported if r.highlight is not None]
    chars = [r.char_precision for r in bound if r.char_precision is not None]
    return {
        "n": len(rs),
        "supported": len(supported),
        "bound": len(bound),
        "exact": sum(r.exact for r in supported),
        "precision": round(sum(r.exact for r in supported) / len(supported), 4) if supported else None,
        "char_precision": round(sum(chars) / len(chars), 4) if chars else None,
        "coverage": round(len(bound) / len(rs), 4) if rs else None,
        "binder_precision": round(sum(r.bound_alone == r.gold for r in rs) / len(rs), 4) if rs else None,
    }


def load_items(path: Path = DATASET) -> list[HighlightItem]:
    """The labelled items of `path`; DatasetError naming the line when one is malformed."""
    items: list[HighlightItem] = []
    for n, row in read_jsonl(path, DatasetError):
        try:
            item = HighlightItem(
                id=str(row["id"]),
                split=str(row["split"]),
                file=str(row["file"]),
                document=str(row["document"]),
                article=str(row["article"]),
                sentence=str(row["sentence"]),
                gold={str(k): str(v) for k, v in dict(row["gold"]).items()},
                case=str(row.get("case", "")),
                source=str(row.get("source", "article")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{path}:{n}: {exc}") from None
        if item.split not in SPLITS or item.source not in ("article", "chunk"):
            raise DatasetError(f"{path}:{n}: split must be one of {list(SPLITS)}, source 'article' or 'chunk'")
        if not ({"khoan", "diem"} & item.gold.keys() or "line" in item.gold):
            raise DatasetError(f"{path}:{n}: gold needs khoan/diem or line")
        items.append(item)
    return items


@cache
def _parsed(path: Path) -> tuple[LegalDocument, ...]:
    from core.settings import get_settings

    return tuple(parse_file(path, get_settings()))


def _find(docs: tuple[LegalDocument, ...], document: str, article: str) -> tuple[LegalDocument, Article] | None:
    for doc in docs:
        for art in doc.articles:
            cited_doc = art.source.document if art.source else doc.meta.so_hieu
            cited_art = art.source.article if art.source else art.number
            if cited_doc == document and cited_art == article:
                return doc, art
    return None


def gold_span(doc: LegalDocument, art: Article, gold: dict[str, str]) -> tuple[int, int]:
    """The parsed span of the gold unit (ValueError when the article has no such unit)."""
    if "line" in gold:
        at = doc.text.find(gold["line"], art.start, art.end)
        if at < 0:
            raise ValueError(f"line {gold['line']!r} not in Điều {art.number}")
        lo = doc.text.rfind("\n", art.start, at) + 1
        hi = doc.text.find("\n", at, art.end)
        hi = art.end if hi < 0 else hi
        return lo + (len(doc.text[lo:hi]) - len(doc.text[lo:hi].lstrip())), hi - (
            len(doc.text[lo:hi]) - len(doc.text[lo:hi].rstrip())
        )
    points = art.points
    if "khoan" in gold:
        clause = next((c for c in art.clauses if c.number == gold["khoan"]), None)
        if clause is None:
            raise ValueError(f"no Khoản {gold['khoan']} in Điều {art.number}")
        if "diem" not in gold:
            return clause.start, clause.end
        points = clause.points
    point = next((p for p in points if p.letter == gold["diem"]), None)
    if point is None:
        raise ValueError(f"no Điểm {gold['diem']} there in Điều {art.number}")
    return point.start, point.end


def chunk_hit(doc: LegalDocument, doc_id: str, chunk: Chunk) -> Hit:
    """`chunk` of `doc` as search would return it (score 1, the document's own metadata)."""
    return Hit(
        chunk_id=chunk.id,
        document_id=doc_id,
        anchor=chunk.anchor,
        citation=chunk.citation,
        score=1.0,
        text=chunk.text,
        heading_path=chunk.heading_path,
        start=chunk.start,
        end=chunk.end,
        so_hieu=doc.meta.so_hieu,
        loai=doc.meta.loai,
        co_quan=doc.meta.co_quan,
        year=None,
        hieu_luc=doc.meta.hieu_luc.value,
        access_level=doc.meta.access_level.value,
        title=doc.meta.title,
    )


def source_for(item: HighlightItem, corpus_dir: Path) -> tuple[Hit, tuple[int, int]]:
    """The source the item's sentence cites ([1]) and the gold span, both in the parsed document's offsets."""
    path = corpus_dir / item.file
    if not path.is_file():
        raise DatasetError(f"{item.id}: {path} not found (the set points into ../shared/corpus)")
    found = _find(_parsed(path), item.document, item.article)
    if found is None:
        raise DatasetError(f"{item.id}: no Điều {item.article} of {item.document} in {item.file}")
    doc, art = found
    try:
        gold = gold_span(doc, art, item.gold)
    except ValueError as exc:
        raise DatasetError(f"{item.id}: {exc}") from None
    doc_id = f"corpus:{item.file}#{item.document}"
    max_chars = WHOLE_ARTICLE if item.source == "article" else None
    chunks = chunk_document(doc, doc_id, max_chars) if max_chars else chunk_document(doc, doc_id)
    chunk = next((c for c in chunks if c.start <= gold[0] and gold[1] <= c.end and c.start >= art.start), None)
    if chunk is None:
        raise DatasetError(f"{item.id}: no chunk holds the gold unit")
    return chunk_hit(doc, doc_id, chunk), gold


def score_item(item: HighlightItem, corpus_dir: Path) -> Scored:
    hit, gold = source_for(item, corpus_dir)
    verifier = SentenceVerifier([CitedSource(1, hit, hit.text, hit.start, hit.end)])
    verifier.feed(item.sentence)
    check = verifier.checks[-1]
    ref = check.clause if check.supported else None
    alone = SourceOutline.of(1, hit).bind(item.sentence)
    return Scored(
        item,
        gold,
        check.supported,
        None if ref is None else (ref.start, ref.end),
        None if ref is None else ref.anchor,
        check.reasons,
        None if alone is None else (alone.start, alone.end),
    )


def run_highlight_eval(path: Path = DATASET, corpus_dir: Path | None = None) -> HighlightReport:
    """Every item of `path` scored against the corpus under `corpus_dir` (default: the settings' shared corpus)."""
    if corpus_dir is None:
        from core.settings import get_settings

        corpus_dir = get_settings().corpus_dir
    report = HighlightReport(str(path))
    for item in load_items(path):
        report.results.append(score_item(item, corpus_dir))
    return report
