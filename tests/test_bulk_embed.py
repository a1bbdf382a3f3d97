"""The GPU bulk-embedding pipeline (index/bulk_embed.py): token-budget batches cover every text once within the
budget, and the pipelined vectors are `encode`'s, in the caller's order, whatever the batching.

The model is the real EmbeddingGemma on the CPU (no GPU here): pinning and device copies are skipped on a CPU,
everything else — the planner, the tokenising worker, the forward, the reordering — is the code a CUDA host runs.
bench/gpu_embed.py checks the CUDA vectors against CPU fp32 on a GPU host.
"""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from core.settings import get_settings
from index.bulk_embed import embed_bulk, estimate_tokens, plan_batches
from index.embedders import GemmaEmbedder

TEXTS = [
    "title: Luật Viên chức › Điều 27. Chế độ tập sự | text: Thời gian tập sự từ 03 tháng đến 12 tháng.",
    "title: none | text: Áp dụng tập quán trong giao dịch dân sự.",
    "title: Nghị định 30/2020/NĐ-CP › Điều 8 | text: "
    + "Thể thức văn bản hành chính bao gồm các thành phần chính: quốc hiệu và tiêu ngữ; tên cơ quan; số, ký hiệu; " * 6,
    "title: none | text: Dấu giáp lai được đóng vào khoảng giữa mép phải của văn bản.",
    "title: Bộ luật Lao động › Điều 115 | text: Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương: "
    "kết hôn nghỉ 03 ngày; con đẻ, con nuôi kết hôn nghỉ 01 ngày.",
    "title: none | text: Cán bộ.",
    "title: Luật Lưu trữ › Điều 3 | text: " + "Tài liệu lưu trữ điện tử được bảo quản theo quy định. " * 12,
]


def test_batches_cover_every_text_once_longest_first_within_the_budget() -> None:
    rng = random.Random(17)
    for _ in range(200):
        sizes = [1, 2, 30, 200, 512, 2048, 5000]
        lengths = [rng.choice(sizes) + rng.randrange(50) for _ in range(rng.randrange(1, 80))]
        budget, cap = rng.choice([64, 1000, 4096, 65_536]), rng.choice([1, 3, 16, 1024])
        batches = plan_batches(lengths, max_tokens=budget, max_batch=cap)
        flat = [i for b in batches for i in b]
        assert sorted(flat) == list(range(len(lengths)))
        assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
        for b in batches:
            assert len(b) <= cap
            assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= budget


def test_bad_budgets_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        plan_batches([10], max_tokens=0)


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return GemmaEmbedder(768, device="cpu", settings=get_settings()).model


@pytest.mark.models
def test_pipelined_vectors_are_encodes_in_the_callers_order(model) -> None:  # type: ignore[no-untyped-def]
    ref = np.asarray(model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32)
    seen: list[tuple[int, int]] = []
    # A budget so small that the texts go in several batches of different widths, two prefetched at a time.
    got = embed_bulk(model, TEXTS, max_tokens=300, max_batch=3, prefetch=2, progress=lambda d, n: seen.append((d, n)))
    assert got.shape == ref.shape and got.dtype == np.float32
    cos = np.sum(got * ref, axis=1)
    assert cos.min() > 0.9999, cos
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert len(seen) >= 3 and seen[-1] == (len(TEXTS), len(TEXTS))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.models
def test_estimates_follow_the_tokenizer(model) -> None:  # type: ignore[no-untyped-def]
    est = estimate_tokens(model, TEXTS)
    real = [len(ids) for ids in model.tokenizer(TEXTS, add_special_tokens=True)["input_ids"]]
    # Batching only needs the order and the rough size right.
    assert np.corrcoef(est, real)[0, 1] > 0.95
    assert all(0.5 * r <= e <= 2 * r for e, r in zip(est, real, strict=True))


@pytest.mark.models
def test_a_tokenising_failure_reaches_the_caller_and_stops_the_worker(model, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}
    real = model.preprocess

    def failing(texts, *a, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("tokeniser broke on batch 2")
        return real(texts, *a, **kw)

    monkeypatch.setattr(model, "preprocess", failing)
    with pytest.raises(RuntimeError, match="batch 2"):
        embed_bulk(model, TEXTS, max_tokens=200, max_batch=2)
    assert not [t for t in threading.enumerate() if t.name == "kho-tokenise"]


def test_nothing_to_embed_gives_an_empty_matrix() -> None:
    class Empty:
        """Stands in for a model that is never run: nothing is tokenised or computed for no texts."""

        def get_embedding_dimension(self) -> int:
            return 768

    assert embed_bulk(Empty(), []).shape == (0, 768)
