"""EmbeddingGemma on a CPU, faster: the OpenVINO export keeps the vectors, its marker refuses tampering, and
length-sorted batching hands rows back in the caller's order.

The export and its teacher are the real ones that `make models` builds and fetches (the fixture builds the export
when it is missing, ~2 min on 2 cores); the tamper test writes its own small files, since copying a 1.2 GB export
only to spoil it proves nothing more.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.derived import DerivedChecksumError, teacher_pin, write_marker
from core.models import model_path
from core.settings import get_settings
from index import gemma_openvino
from index.embedders import DocText, get_embedder, length_sorted

QUERIES = [
    "Thời gian tập sự của viên chức là bao lâu?",
    "Cán bộ bị kỷ luật cảnh cáo thì có được nâng lương không?",
    "Hồ sơ lưu trữ điện tử được bảo quản như thế nào?",
]
DOCS = [
    DocText("Luật Viên chức › Điều 27. Chế độ tập sự", "Thời gian tập sự từ 03 tháng đến 12 tháng."),
    DocText("", "Áp dụng tập quán trong giao dịch dân sự khi các bên không có thỏa thuận."),
    DocText(
        "Luật Lưu trữ › Điều 40. Bảo quản tài liệu lưu trữ điện tử",
        "Tài liệu lưu trữ điện tử phải được bảo quản trong hệ thống quản lý tài liệu lưu trữ điện tử, bảo đảm "
        "tính xác thực, toàn vẹn, nhất quán và khả năng truy cập; định kỳ kiểm tra, sao lưu và chuyển đổi "
        "định dạng khi công nghệ thay đổi. " * 3,
    ),
    DocText("Bộ luật dân sự › Điều 5", "Tập quán."),
]


@pytest.fixture(scope="module")
def built() -> Path:
    return gemma_openvino.ensure(get_settings())


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_openvino_vectors_match_torch_fp32_for_queries_and_documents(built: Path) -> None:
    torch_only = get_settings().model_copy(update={"embed_fast_cpu": False})
    fp32 = get_embedder("embeddinggemma", device="cpu", settings=torch_only)
    fast = get_embedder("embeddinggemma-openvino")
    assert type(fp32).__name__ == "GemmaEmbedder" and type(fast).__name__ == "GemmaOpenVinoEmbedder"
    assert fast.name == fp32.name  # one vector space: collections built by either serve both
    assert _cosines(fast.embed_queries(QUERIES), fp32.embed_queries(QUERIES)).min() >= 0.99
    assert _cosines(fast.embed_documents(DOCS), fp32.embed_documents(DOCS)).min() >= 0.99


def test_openvino_matryoshka_dims_are_the_leading_columns_renormalised(built: Path) -> None:
    full = get_embedder("embeddinggemma-openvino", dim=768).embed_queries(QUERIES)
    short = get_embedder("embeddinggemma-openvino", dim=256).embed_queries(QUERIES)
    lead = full[:, :256] / np.linalg.norm(full[:, :256], axis=1, keepdims=True)
    assert short.shape == (3, 256)
    assert np.allclose(short, lead, atol=1e-5)


def test_documents_get_the_same_rows_alone_as_in_a_length_sorted_batch(built: Path) -> None:
    fast = get_embedder("embeddinggemma-openvino")
    together = fast.embed_documents(DOCS, batch_size=4)
    alone = np.vstack([fast.embed_documents([d], batch_size=1) for d in DOCS])
    assert _cosines(together, alone).min() >= 0.999


def test_a_tampered_export_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / gemma_openvino.NAME
    folder.mkdir()
    (folder / gemma_openvino.XML).write_text("<net/>", encoding="utf-8")
    (folder / gemma_openvino.BIN).write_bytes(b"\0" * 64)
    write_marker(
        folder,
        teacher=teacher_pin(gemma_openvino.TEACHER),
        outputs=gemma_openvino.OUTPUTS,
        recipe=gemma_openvino.RECIPE,
    )
    (folder / gemma_openvino.BIN).write_bytes(b"\1" + b"\0" * 63)
    with pytest.raises(DerivedChecksumError, match=r"model\.bin"):
        gemma_openvino.OpenVinoGemma(folder, model_path(gemma_openvino.TEACHER))


def test_length_sorted_batches_by_length_and_returns_rows_in_input_order() -> None:
    texts = ["bbbbbb", "a", "cccccccccc", "dd", "eeee", "f"]
    seen: list[list[str]] = []

    def encode(batch: list[str]) -> np.ndarray:
        seen.append(batch)
        return np.asarray([[len(t), ord(t[0])] for t in batch], dtype=np.float32)

    progress: list[tuple[int, int]] = []
    out = length_sorted(texts, 2, encode, dim=2, progress=lambda d, n: progress.append((d, n)))
    assert [row[1] for row in out] == [ord(t[0]) for t in texts]
    assert [row[0] for row in out] == [len(t) for t in texts]
    assert seen == [["cccccccccc", "bbbbbb"], ["eeee", "dd"], ["a", "f"]]
    assert progress == [(2, 6), (4, 6), (6, 6)]


def test_a_short_text_batched_with_a_long_one_gets_its_own_vector(built: Path) -> None:
    fast = get_embedder("embeddinggemma-openvino")
    long = DocText("Luật Viên chức › Điều 27", "Thời gian tập sự từ 03 tháng đến 12 tháng. " * 45)
    short = DocText("", "Tập quán.")
    mixed = fast.embed_documents([long, short], batch_size=2)
    alone = np.vstack([fast.embed_documents([d], batch_size=1) for d in (long, short)])
    assert np.isfinite(mixed).all()
    assert _cosines(mixed, alone).min() >= 0.999
