"""Vietnamese BM25 sparse vectors: pyvi terms, the stable hash, BM25 weights."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from index.sparse import BM25Encoder, average_length, term_index


def test_terms_are_pyvi_words_in_lowercase_plus_their_syllables() -> None:
    enc = BM25Encoder(avg_len=10)
    assert enc.terms("Đóng dấu giáp lai thế nào?") == [
        "đóng_dấu",
        "đóng",
        "dấu",
        "giáp_lai",
        "giáp",
        "lai",
        "thế_nào",
        "thế",
        "nào",
    ]
    assert BM25Encoder(avg_len=10, syllables=False).terms("Cán bộ, công chức") == ["cán_bộ", "công_chức"]


def test_decomposed_input_gives_the_same_terms_as_composed() -> None:
    enc = BM25Encoder(avg_len=10)
    text = "Viên chức được hưởng lương"
    assert enc.terms(unicodedata.normalize("NFD", text)) == enc.terms(text)


def test_term_hash_is_pinned_and_the_same_in_a_fresh_interpreter() -> None:
    # Pinned: vectors built on another machine or Python must land on the same indices.
    assert term_index("cán_bộ") == 281502403
    assert term_index("viên_chức") == 1290163705
    out = subprocess.run(
        [sys.executable, "-c", "from index.sparse import term_index; print(term_index('viên_chức'))"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert out.stdout.strip() == "1290163705"


def test_document_weights_saturate_with_term_frequency_and_length() -> None:
    enc = BM25Encoder(avg_len=20)
    once = enc.encode_document("lương")
    many = enc.encode_document("lương lương lương lương")
    assert once.indices == many.indices == [term_index("lương")]
    assert once.values[0] < many.values[0] < enc.k1 + 1  # grows with tf, bounded by k1+1
    long_doc = enc.encode_document("lương " + "khác " * 60)
    assert dict(zip(long_doc.indices, long_doc.values, strict=True))[term_index("lương")] < once.values[0]


def test_query_vector_has_one_entry_per_distinct_term() -> None:
    q = BM25Encoder(avg_len=10).encode_query("lương lương cán bộ")
    assert q.values == [1.0] * len(q.indices)
    assert sorted(q.indices) == q.indices
    assert len(q) == 4  # lương, cán_bộ, cán, bộ


def test_punctuation_only_text_has_no_terms_and_avg_len_is_positive() -> None:
    enc = BM25Encoder(avg_len=10)
    assert enc.encode_query("?!... ,").indices == []
    assert average_length([]) > 0
    with pytest.raises(ValueError):
        BM25Encoder(avg_len=0)


def test_both_placements_of_a_tone_mark_give_the_same_terms() -> None:
    """The corpus writes "thoả thuận", "Uỷ ban", "Toà án" (the older placement) beside "thỏa thuận", "Ủy ban",
    "Tòa án": a query in one spelling found nothing of the other by BM25."""
    enc = BM25Encoder(avg_len=10)
    assert enc.terms("Các bên thoả thuận; Toà án, Uỷ ban, sức khoẻ, văn hoá") == enc.terms(
        "Các bên thỏa thuận; Tòa án, Ủy ban, sức khỏe, văn hóa"
    )
    assert "quý" in enc.terms("Quý I") and "hoàn_thành" in enc.terms("hoàn thành")  # no open "oa"/"uy": as written


def test_words_the_corpus_spells_two_ways_give_the_same_terms() -> None:
    """The pháp điển writes "hàng năm" and "hằng năm" about equally often (~3,200 each), and "lí do", "kĩ thuật",
    "qui định", "sỹ quan" beside "lý do", "kỹ thuật", "quy định", "sĩ quan": a query in one spelling missed the
    other's key syllable. "hàng" (goods) before anything but a unit of time, and loan syllables, stay as written."""
    enc = BM25Encoder(avg_len=10)
    assert enc.terms("Nghỉ hàng năm, báo cáo hàng tháng; lí do kĩ thuật, qui định, sỹ quan") == enc.terms(
        "Nghỉ hằng năm, báo cáo hằng tháng; lý do kỹ thuật, quy định, sĩ quan"
    )
    assert "hàng" in enc.terms("mặt hàng xuất khẩu") and "ki" in enc.terms("ki-lô-gam")
