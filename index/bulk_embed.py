"""Bulk document embedding through a sentence-transformers model on a GPU: what `kho index --dense` runs on a CUDA
host (issue 17, item 3).

What it is for: keeping the GPU busy. `SentenceTransformer.encode` tokenises, pads, copies and computes one batch
after another on one thread, with a fixed number of texts per batch, so on an H100 EmbeddingGemma reached 795
chunks/s at batch 256 — a few percent of the chip (bench/results/gpu_embedding.json). This pipeline changes the
feeding, not the model:

- **token-budget batches** (`plan_batches`): texts longest first, cut into batches whose padded size (texts ×
  longest text) stays within `max_tokens` — many short texts per batch, few long ones, little padding;
- **tokenisation ahead of the model**: a worker thread runs the model's own `preprocess` (the fast tokenizer,
  which releases the GIL) `prefetch` batches ahead, into pinned host memory, so copies to the device are
  asynchronous (`non_blocking`) and overlap the previous batch's compute;
- **bf16 weights** (how `GemmaEmbedder` loads on CUDA; fp16 turns Gemma 3 vectors into NaN), `inference_mode`;
- **one copy back**: the embeddings stay on the device until the end.

The vectors are those of `encode` on the same texts: the same `preprocess` and the same forward, only grouped
differently (tests/test_bulk_embed.py checks it on the CPU with the real model; bench/gpu_embed.py checks the GPU
vectors against CPU fp32 on a GPU host). On a CPU the worker thread and pinning add nothing, so the CPU runtimes
keep their own batching.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Progress = Callable[[int, int], None]
"""Called as `progress(done, total)` after each batch."""

MAX_TOKENS = 65_536
"""Padded tokens per batch: EmbeddingGemma peaked at 10.6 GiB for 128 texts of ≤ 2,004 tokens (256 k padded
tokens) on an H100, so 64 k keeps a batch near 3 GiB on any 16 GB card."""
MAX_BATCH = 1_024
"""Texts per batch at most, however short they are."""
PREFETCH = 4
"""Batches tokenised ahead of the model."""
_CALIBRATE = 256  # texts tokenised up front to learn characters per token


def plan_batches(lengths: Sequence[int], max_tokens: int = MAX_TOKENS, max_batch: int = MAX_BATCH) -> list[list[int]]:
    """Indices of `lengths` (tokens per text) grouped longest first into batches whose padded size — the batch's
    longest length × its number of texts — is at most `max_tokens` (a text longer than that goes alone), with at
    most `max_batch` texts each. Every index appears exactly once.

    >>> plan_batches([5, 100, 20, 20, 60], max_tokens=120)
    [[1], [4, 2], [3, 0]]
    >>> plan_batches([3, 3, 3], max_tokens=100, max_batch=2)
    [[0, 1], [2]]
    """
    if max_tokens < 1 or max_batch < 1:
        raise ValueError(f"max_tokens and max_batch must be positive, not {max_tokens} and {max_batch}")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if current and (width * (len(current) + 1) > max_tokens or len(current) >= max_batch):
            batches.append(current)
            current, width = [], max(lengths[i], 1)
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches


def estimate_tokens(model: Any, texts: Sequence[str]) -> list[int]:
    """Token counts of `texts` estimated from their characters, with the characters-per-token ratio measured by
    the model's tokenizer on up to 256 of them (spread over the set), capped at the model's `max_seq_length`.
    Only the batching uses it: an estimate costs nothing, while tokenising everything first would hold the GPU
    back until the whole corpus is tokenised."""
    if not texts:
        return []
    step = max(1, len(texts) // _CALIBRATE)
    sample = list(texts[::step][:_CALIBRATE])
    tokens = sum(len(ids) for ids in model.tokenizer(sample, add_special_tokens=True)["input_ids"])
    per_token = max(1.0, sum(len(t) for t in sample) / max(1, tokens))
    cap = int(getattr(model, "max_seq_length", 0) or 1 << 30)
    return [min(cap, int(len(t) / per_token) + 2) for t in texts]


def embed_bulk(
    model: Any,
    texts: Sequence[str],
    *,
    max_tokens: int = MAX_TOKENS,
    max_batch: int = MAX_BATCH,
    prefetch: int = PREFETCH,
    progress: Progress | None = None,
) -> np.ndarray:
    """L2-normalised float32 `sentence_embedding` rows of `texts` through `model` (a SentenceTransformer on its
    device), in input order; `texts` already carry their prompt ("title: … | text: …")."""
    import torch

    n = len(texts)
    # sentence-transformers 6 names these `get_embedding_dimension` / `preprocess`; 5.x `get_sentence_…` / `tokenize`
    dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = int(dim_of() or 0)
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    device = torch.device(model.device)
    pin = device.type == "cuda"
    tokenise = getattr(model, "preprocess", None) or model.tokenize
    batches = plan_batches(estimate_tokens(model, texts), max_tokens, max_batch)
    ready: queue.Queue[tuple[list[int], dict[str, Any]] | BaseException | None] = queue.Queue(maxsize=max(1, prefetch))
    stop = threading.Event()

    def produce() -> None:
        try:
            for ids in batches:
                if stop.is_set():
                    return
                features = tokenise([texts[i] for i in ids])
                if pin:
                    features = {k: v.pin_memory() if torch.is_tensor(v) else v for k, v in features.items()}
                ready.put((ids, features))
            ready.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            ready.put(exc)

    worker = threading.Thread(target=produce, name="kho-tokenise", daemon=True)
    worker.start()
    parts: list[tuple[list[int], Any]] = []
    done = 0
    model.eval()
    try:
        with torch.inference_mode():
            while True:
                item = ready.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                ids, features = item
                features = {k: v.to(device, non_blocking=pin) if torch.is_tensor(v) else v for k, v in features.items()}
                emb = model(features)["sentence_embedding"]
                parts.append((ids, torch.nn.functional.normalize(emb.float(), p=2, dim=1)))
                done += len(ids)
                if progress:
                    progress(done, n)
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting on a full queue
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
    stacked = torch.cat([e for _, e in parts]).cpu().numpy()
    out = np.empty((n, stacked.shape[1]), dtype=np.float32)
    out[[i for ids, _ in parts for i in ids]] = stacked
    return out
