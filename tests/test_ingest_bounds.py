"""Bounded ingestion: no chunk longer than `chunk_max_chars`, a per-file chunk limit, and registry removal/lookups.

The crafted files come from `bench.adversarial_ingest` (the benchmark measures their time and memory; tests here
only pin what is produced, never how fast).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.adversarial_ingest import adversarial_text
from core.settings import Settings
from ingest.chunking import ChunkLimitError, chunk_document, split_article
from ingest.formats.text import junk_ratio
from ingest.ids import chunk_id
from ingest.job import run_ingest
from ingest.model import AccessLevel, DocState, DocumentMeta, LegalDocument
from ingest.parse import parse_file
from ingest.registry import Registry
from ingest.structure import _reflow_lines, parse_articles

MAX = 1500




def _doc(text: str) -> LegalDocument:
    meta = DocumentMeta(title="Luật Thử nghiệm", so_hieu="99/2099/QH99", loai="Luật")
    return LegalDocument(meta=meta, text=text, articles=parse_articles(text), fmt="text")


def _non_space(s: str) -> int:
    return sum(1 for ch in s if not ch.isspace())


@pytest.mark.parametrize("shape", ["lines", "one_line"])
def test_adversarial_2mb_file_makes_only_chunks_within_max_chars_with_exact_offsets(
    tmp_path: Path, settings: Settings, shape: str
) -> None:
    path = tmp_path / f"{shape}.txt"
    path.write_text(adversarial_text(shape, 2.0), encoding="utf-8")
    [doc] = parse_file(path, settings)
    assert len(doc.articles) == 1
    chunks = chunk_document(doc, "doc", settings.chunk_max_chars)
    art = doc.articles[0]
    assert len(chunks) > 500  # ~1.5 M characters: cut, not kept whole
    for c in chunks:
        assert 0 < c.end - c.start <= settings.chunk_max_chars
        assert c.text == doc.text[c.start : c.end]
        assert c.citation.article == "1"
    # the pieces cover the whole article, in order, without overlap (only whitespace falls between them)
    assert chunks[0].start == art.start and chunks[-1].end == art.end
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))
    assert sum(_non_space(c.text) for c in chunks) == _non_space(doc.text[art.start : art.end])


def test_repeated_clause_number_lines_make_one_clause_and_a_linear_number_of_chunks() -> None:
    n = 20_000
    text = "Điều 1. Phạm vi\n" + "".join(f"1. dòng thứ {i} của một khoản rất dài;\n" for i in range(n))
    doc = _doc(text)
    [art] = doc.articles
    assert [c.number for c in art.clauses] == ["1"]  # out-of-sequence "1." lines stay body text
    chunks = chunk_document(doc, "doc", MAX)
    span = art.end - art.start
    # every piece but the last is cut at a line break in the second half of its window: at least MAX/2 long
    assert math.ceil(span / MAX) <= len(chunks) <= math.ceil(span / (MAX / 2)) + 1
    assert all(c.citation.clause == "1" for c in chunks)
    assert all(c.anchor.startswith("Khoản 1 Điều 1 ") for c in chunks)


def _cuts(text: str, max_chars: int) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in split_article(text, parse_articles(text)[0], max_chars)]


def test_size_cuts_prefer_line_break_then_sentence_end_then_space_then_hard_cut() -> None:
    head = "Điều 1. T\n"
    lines = head + "aaaa bbbb.\n" * 10
    sentences = head + "aaaa, bbbb. " * 10
    words = head + "aaaa bbbb " * 10
    blob = head + "x" * 100
    for text in (lines, sentences, words, blob):
        cuts = _cuts(text, 40)
        assert len(cuts) > 2 and all(e - s <= 40 for s, e in cuts)
        assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in cuts)
        art_text = text[: len(text.rstrip())]
        assert sum(_non_space(text[s:e]) for s, e in cuts) == _non_space(art_text)
    assert all(lines[e] == "\n" for _, e in _cuts(lines, 40)[:-1])  # at line breaks
    assert all(sentences[e - 1] == "." for _, e in _cuts(sentences, 40)[1:-1])  # at sentence ends, not commas
    assert all(words[e] == " " for _, e in _cuts(words, 40)[:-1])  # at spaces
    blob_cuts = _cuts(blob, 40)
    assert [e - s for s, e in blob_cuts[1:-1]] == [40, 40]  # no boundary at all: hard cuts at max_chars


def test_oversized_clause_is_cut_by_size_and_every_piece_cites_that_clause() -> None:
    long = "2. Khoản hai: " + "".join(f"nội dung câu số {i} rất dài. " for i in range(200))
    text = f"Điều 5. Điều có khoản dài\n1. Khoản một ngắn.\n{long}\n3. Khoản ba ngắn.\n"
    chunks = chunk_document(_doc(text), "doc", 600)
    assert all(c.end - c.start <= 600 and c.text == text[c.start : c.end] for c in chunks)
    second = [c for c in chunks if c.citation.clause == "2"]
    assert len(second) >= 5
    assert all(c.anchor.startswith("Khoản 2 Điều 5 ") for c in second)
    assert chunks[-1].citation.clause == "3"


def test_oversized_point_is_cut_by_size_and_every_piece_cites_clause_and_point() -> None:
    big_b = "b) Điểm b: " + "chi tiết dài. " * 120
    text = f"Điều 3. Điểm dài\n1. Khoản một gồm:\na) Điểm a ngắn;\n{big_b}\n2. Khoản hai.\n"
    chunks = chunk_document(_doc(text), "doc", 500)
    b_chunks = [c for c in chunks if c.citation.point == "b"]
    assert len(b_chunks) >= 3
    assert all(c.citation.clause == "1" and c.end - c.start <= 500 for c in b_chunks)
    assert all(c.anchor.startswith("Điểm b Khoản 1 Điều 3 ") for c in b_chunks)


def test_articles_that_fit_keep_their_chunks_and_ids() -> None:
    text = "Điều 1. Ngắn\n1. Một.\n2. Hai.\nĐiều 2. Cũng ngắn\nNội dung.\n"
    chunks = chunk_document(_doc(text), "doc", MAX)
    second = text.index("Điều 2")
    assert [(c.id, c.start, c.end, c.citation.clause) for c in chunks] == [
        (chunk_id("doc", 0), 0, second - 1, None),
        (chunk_id("doc", 1), second, len(text) - 1, None),
    ]


def test_a_huge_article_title_and_lead_are_capped_in_every_chunks_context() -> None:
    title = "Tiêu đề " * 5000
    lead = "Lời dẫn " * 5000
    clauses = "".join(f"{i}. Khoản {i} " + "nội dung " * 150 + "\n" for i in range(1, 6))
    text = f"Điều 1. {title}\n{lead}\n{clauses}"
    chunks = chunk_document(_doc(text), "doc", MAX)
    assert len(chunks) > 5
    for c in chunks:
        assert all(len(h) <= 1000 for h in c.heading_path)
        assert len(c.lead) <= MAX
        assert c.end - c.start <= MAX and c.text == text[c.start : c.end]


def test_chunk_document_stops_at_max_chunks() -> None:
    text = "Điều 1. A\n" + "dòng nội dung.\n" * 2000
    with pytest.raises(ChunkLimitError, match="more than 3 chunks"):
        chunk_document(_doc(text), "doc", MAX, max_chunks=3)


def test_file_over_the_chunk_limit_is_failed_naming_file_and_limit_and_stores_nothing(
    tmp_path: Path, reg: Registry
) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_chunks_per_file=50)
    path = tmp_path / "lớn.txt"
    path.write_text(adversarial_text("lines", 0.5), encoding="utf-8")
    report = run_ingest([path], reg, settings, progress=False)
    res = report.results[0]
    assert res.state is DocState.FAILED
    assert res.reason is not None
    assert "lớn.txt" in res.reason and "KHO_MAX_CHUNKS_PER_FILE = 50" in res.reason
    assert "more than 50 chunks" in res.reason
    counts = reg.counts()
    assert counts["documents"] == 0 and counts["chunks"] == 0 and counts["outbox"] == 0
    assert reg.file_record(path).state is DocState.FAILED  # type: ignore[union-attr]
    assert reg.check_consistency() == []


def test_file_with_more_articles_than_the_limit_is_failed(tmp_path: Path, reg: Registry) -> None:
    settings = Settings(data_dir=tmp_path / "data", max_chunks_per_file=10)
    path = tmp_path / "nhieu-dieu.txt"
    path.write_text("".join(f"Điều {i}. Tiêu đề {i}\nNội dung.\n" for i in range(1, 30)), encoding="utf-8")
    res = run_ingest([path], reg, settings, progress=False).results[0]
    assert res.state is DocState.FAILED and "KHO_MAX_CHUNKS_PER_FILE = 10" in (res.reason or "")
    assert reg.counts()["chunks"] == 0


def test_default_chunk_limit_leaves_room_for_the_largest_real_files() -> None:
    assert Settings().max_chunks_per_file >= 10_000


def test_reflow_joins_a_paragraph_that_never_ends_into_one_line() -> None:
    lines = [f"dòng {i:05d} tiếp tục câu không có dấu chấm" for i in range(5000)]
    out = _reflow_lines("\n".join(lines))
    assert out == " ".join(lines) + "\n"


def test_junk_ratio_counts_controls_nul_and_replacement_characters_only() -> None:
    assert junk_ratio("Điều 1.\tNội dung\r\n\f\v") == 0.0
    assert junk_ratio("ab\x00\x01\x7f\x9f\ufffd" + "c" * 3) == pytest.approx(5 / 10)


def test_text_without_structure_made_of_one_long_word_is_paragraph_text(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "blob.txt"
    path.write_text("x" * 300_000, encoding="utf-8")
    [doc] = parse_file(path, settings)
    assert doc.articles and doc.articles[0].label == "Đoạn"
    assert all(c.end - c.start <= MAX for c in chunk_document(doc, "d", MAX))


# ---------------------------------------------------------------------------------------------- registry


def _store_two(tmp_path: Path, reg: Registry, settings: Settings) -> Path:
    """An ALQAC-style file with two laws, so one file holds two documents."""
    path = tmp_path / "laws.json"
    path.write_text(
        '[{"id": "Luật A", "articles": [{"id": "1", "text": "Phạm vi\\nNội dung A."}]},'
        ' {"id": "Luật B", "articles": [{"id": "1", "text": "Phạm vi\\nNội dung B."}]}]',
        encoding="utf-8",
    )
    res = run_ingest([path], reg, settings, progress=False, access_level=AccessLevel.RESTRICTED).results[0]
    assert res.state is DocState.INDEXED and res.n_documents == 2
    return path


def test_remove_document_deletes_it_and_its_chunks_and_queues_a_delete(
    tmp_path: Path, reg: Registry, settings: Settings
) -> None:
    path = _store_two(tmp_path, reg, settings)
    first, second = reg.document_ids(path)
    before = reg.max_seq()
    assert reg.remove_document(first) == str(path.resolve())
    assert reg.get_document(first) is None
    assert list(reg.iter_chunks(first)) == []
    assert [(op.op, op.document_id) for op in reg.pending_ops(after_seq=before)] == [("delete", first)]
    rec = reg.file_record(path)
    assert rec is not None and rec.n_documents == 1 and rec.n_chunks == reg.get_document(second).n_chunks  # type: ignore[union-attr]
    assert reg.check_consistency() == []
    # the file's last document takes the file row with it
    assert reg.remove_document(second) == str(path.resolve())
    assert reg.file_record(path) is None
    assert reg.counts()["documents"] == 0 and reg.counts()["chunks"] == 0
    assert reg.check_consistency() == []


def test_remove_document_of_an_unknown_id_returns_none_and_writes_nothing(reg: Registry) -> None:
    seq = reg.max_seq()
    assert reg.remove_document("no-such-id") is None
    assert reg.max_seq() == seq


def test_document_access_is_the_stored_level_or_none(tmp_path: Path, reg: Registry, settings: Settings) -> None:
    path = _store_two(tmp_path, reg, settings)
    did = reg.document_ids(path)[0]
    assert reg.document_access(did) is AccessLevel.RESTRICTED
    reg.set_access_level(did, AccessLevel.PUBLIC)
    assert reg.document_access(did) is AccessLevel.PUBLIC
    assert reg.document_access("missing") is None
