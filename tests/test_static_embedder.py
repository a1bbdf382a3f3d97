"""The static embedder distilled from EmbeddingGemma: a verified, deterministic build and sound vectors.

The teacher is the real EmbeddingGemma (`make models` fetches it before the tests); the build tests distil a tiny
vocabulary (a few seconds), the quality tests use the model `make models` built from the shipped word list.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.derived import MARKER, DerivedChecksumError, DerivedError
from core.hashing import file_sha256
from core.settings import Settings, get_settings
from index import static_model
from index.embedders import DocText, StaticEmbedder

WORDS = (
    "viên chức hợp đồng làm việc kỷ luật khiển trách cảnh cáo buộc thôi việc lương bảo hiểm xã hội lưu trữ "
    "tài liệu khen thưởng huân chương thi đua người lao động nghỉ phép năm"
).split()


@pytest.fixture(scope="module")
def teacher() -> Any:
    return static_model._teacher(get_settings())


def _tiny_vocab(tmp_path: Path) -> Path:
    path = tmp_path / "vocab.tsv"
    path.write_text("".join(f"{w}\t{100 - i}\n" for i, w in enumerate(dict.fromkeys(WORDS))), encoding="utf-8")
    return path


def _build(tmp_path: Path, teacher: Any, name: str) -> Path:
    settings = Settings(data_dir=tmp_path / name / "data", cache_dir=tmp_path / name / "cache")
    return static_model.build(settings, vocabulary_file=_tiny_vocab(tmp_path), dim=8, teacher=teacher).path


def test_build_from_the_same_teacher_and_words_is_byte_identical(tmp_path: Path, teacher: Any) -> None:
    a = _build(tmp_path, teacher, "a")
    b = _build(tmp_path, teacher, "b")
    for name in static_model.OUTPUTS:
        assert file_sha256(a / name) == file_sha256(b / name)
    model = static_model.StaticModel.load(a)
    assert model.vectors.shape == (len(set(WORDS)), 8)


def test_a_tampered_output_file_is_refused_naming_it(tmp_path: Path, teacher: Any) -> None:
    folder = _build(tmp_path, teacher, "t")
    vectors = folder / static_model.VECTORS
    raw = bytearray(vectors.read_bytes())
    raw[-1] ^= 0xFF
    vectors.write_bytes(bytes(raw))
    with pytest.raises(DerivedChecksumError, match=r"vectors\.npy"):
        static_model.StaticModel.load(folder)


def test_a_build_without_its_marker_or_from_another_recipe_is_not_trusted(tmp_path: Path, teacher: Any) -> None:
    folder = _build(tmp_path, teacher, "m")
    marker = folder / MARKER
    text = marker.read_text(encoding="utf-8")
    marker.write_text(text.replace(static_model.RECIPE, "older-recipe"), encoding="utf-8")
    with pytest.raises(DerivedError, match="recipe"):
        static_model.StaticModel.load(folder)
    marker.unlink()
    with pytest.raises(DerivedError, match=r"no \.derived marker"):
        static_model.StaticModel.load(folder)


def test_a_malformed_vocabulary_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "vocab.tsv"
    path.write_text("viên\t3\nHợp đồng\t2\n", encoding="utf-8")
    with pytest.raises(DerivedError, match=r"vocab\.tsv:2"):
        static_model.read_vocabulary(path)


def test_a_text_is_the_mean_of_its_known_syllables_and_syllable_pairs() -> None:
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [5, 5, 5]], dtype=np.float32)
    model = static_model.StaticModel(vectors, ["hợp", "đồng", "hợp đồng", "lao"])
    got = model.encode(["Hợp đồng, 2024!"])[0]
    assert np.allclose(got, np.ones(3) / np.sqrt(3))  # rows 0, 1 and 2 ("lao" absent), averaged, unit length


def test_the_shipped_vocabulary_is_well_formed_and_covers_the_domain() -> None:
    words = {w for w, _ in static_model.read_vocabulary()}
    assert {"viên", "chức", "hợp", "đồng", "kỷ", "luật", "viên chức", "hợp đồng", "kỷ luật"} <= words
    assert all(unicodedata.is_normalized("NFC", w) and w == w.lower() for w in words)


# ------------------------------------------------------------------------- the model `make models` built

PASSAGES = [
    DocText("Luật Viên chức › Điều 52", "Viên chức vi phạm quy định thì bị kỷ luật: khiển trách, cảnh cáo, "
            "cách chức, buộc thôi việc."),
    DocText("Luật Lưu trữ › Điều 9", "Tài liệu lưu trữ được bảo quản tại kho lưu trữ chuyên dụng của cơ quan."),
    DocText("Bộ luật Lao động › Điều 113", "Người lao động làm đủ 12 tháng cho một người sử dụng lao động thì "
            "được nghỉ hằng năm, hưởng nguyên lương."),
    DocText("Luật Thi đua, khen thưởng › Điều 7", "Hình thức khen thưởng gồm huân chương, huy chương, danh hiệu "
            "vinh dự nhà nước, giải thưởng."),
]


QUERIES = [
    "Viên chức vi phạm thì bị xử lý kỷ luật bằng những hình thức nào?",
    "Người lao động được nghỉ phép năm bao nhiêu ngày?",
    "Các hình thức khen thưởng của nhà nước là gì?",
    "Quyền và nghĩa vụ của viên chức trong hoạt động nghề nghiệp",
]


@pytest.fixture(scope="module")
def embedder(teacher: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The registered embedder over a model distilled here from the real teacher: the shipped vocabulary's 300
    most frequent rows plus every word of the fixtures (a full build takes the teacher minutes)."""
    tmp = tmp_path_factory.mktemp("static")
    shipped = static_model.read_vocabulary()
    seen = {w for w, _ in shipped[:300]}
    texts = [*QUERIES, *(f"{d.title} {d.text}" for d in PASSAGES)]
    fixture_words = {t for text in texts for t in static_model.tokens(text)} - seen
    counts = dict(shipped)
    rows = shipped[:300] + [(w, counts.get(w, 1)) for w in sorted(fixture_words)]
    vocab = tmp / "vocab.tsv"
    vocab.write_text("".join(f"{w}\t{c}\n" for w, c in rows), encoding="utf-8")
    settings = Settings(data_dir=tmp / "data", cache_dir=tmp / "cache")
    static_model.build(settings, vocabulary_file=vocab, teacher=teacher)
    return StaticEmbedder(settings=settings)


def test_rows_are_unit_length_float32_of_the_registered_size(embedder: Any) -> None:
    docs = embedder.embed_documents(PASSAGES)
    queries = embedder.embed_queries(["viên chức bị kỷ luật", "xyzzy"])
    assert docs.dtype == np.float32 and docs.shape == (4, 256) and embedder.dim == 256
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert np.isclose(np.linalg.norm(queries[0]), 1.0, atol=1e-5)
    assert not queries[1].any()  # no known word: a zero row, never NaN


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (QUERIES[0], 0),
        (QUERIES[1], 2),
        (QUERIES[2], 3),
    ],
)
def test_a_vietnamese_question_ranks_its_passage_first(embedder: Any, query: str, expected: int) -> None:
    docs = embedder.embed_documents(PASSAGES)
    scores = docs @ embedder.embed_queries([query])[0]
    assert int(np.argmax(scores)) == expected


def test_nfd_and_nfc_spellings_embed_the_same(embedder: Any) -> None:
    text = QUERIES[3]
    nfc, nfd = embedder.embed_queries([unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)])
    assert unicodedata.normalize("NFD", text) != text
    assert np.array_equal(nfc, nfd)
