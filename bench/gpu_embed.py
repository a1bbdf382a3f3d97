"""GPU check and benchmark of the project's own EmbeddingGemma path (`index/embedders.py`) on CUDA.

What it is for: proving that `GemmaEmbedder`'s CUDA branch (device pick, the dtype it loads in, batching, the
query/document prompts, Matryoshka truncation and normalisation) runs on a GPU and gives the same vectors as the
CPU fp32 path, and measuring how fast it is. It embeds a fixed set of real texts (ALQAC articles and ALQAC dev
questions) through `get_embedder("embeddinggemma", dim, device=Settings.embed_device)` and reports, as JSON:

- device name, the dtype the project's code loaded the model in (per module), library versions;
- document throughput (passages/s, tokens/s) at the default batch size (16) and at larger ones, through the
  project's `embed_documents` (which calls `encode` once per batch), and through one `encode` over all texts
  (sentence-transformers then sorts by length across the whole set: less padding) for comparison;
- GPU memory peak per run, query latency (one query) and query throughput (a batch);
- cosine between the GPU vectors and CPU fp32 vectors of the same texts (documents and queries, 768-d and the
  256-d Matryoshka prefix), NaN/inf rows, and the pinned values of tests/test_embedders.py;
- optionally the same model loaded in other dtypes (`--compare-dtypes bf16,fp32`), with top-10 agreement of a
  full ranking of all documents for the queries against the fp32 GPU ranking.

Run on a GPU host (torch with CUDA, sentence-transformers, pydantic-settings; the repository root on PYTHONPATH):

    KHO_EMBED_DEVICE=cuda python -m bench.gpu_embed --model-dir DIR --out FILE \\
        [--texts texts.jsonl] [--ref cpu_ref.npz] [--compare-dtypes bf16,fp32]

`--model-dir` is an EmbeddingGemma sentence-transformers folder. `core.models.model_path` only vouches for the
fp32 file with its SHA-256 pin; what travels to a GPU host is a bf16 copy (half the size, see
../shared/MODELS.md), which has no pin, so `--model-dir` points `index.embedders` at that folder for this process
only (nothing else of the embedder changes). Without it, the verified model from `make models` is used.
When making the bf16 copy, keep the Dense layers' own `2_Dense/` and `3_Dense/` `model.safetensors`
(a `tar --exclude=model.safetensors` drops them too, and the load then fails).

The inputs are made on the development machine (CPU), where the verified fp32 model is:

    python -m bench.gpu_embed --make-texts texts.jsonl          # ALQAC articles + dev questions, from shared/
    KHO_EMBED_DEVICE=cpu python -m bench.gpu_embed --make-ref cpu_ref.npz --texts texts.jsonl  # ~2 min, torch fp32

Results of a run on the lent H100: bench/results/gpu_embedding.json. That run measured the per-batch path
(`encode` per fixed-size batch, before `index.bulk_embed`). Since then `embed_documents` on CUDA goes through
`index.bulk_embed` (token-budget batches, tokenised ahead on a thread into pinned memory, one copy back); the
`bulk` section times it at several token budgets. The whole-corpus timing the issue asks for (≥ 5,000 chunks/s,
the whole shared corpus in < 30 s) uses every chunk of a registry that holds the whole corpus:

    python -m bench.gpu_embed --make-chunks chunks.jsonl          # on the CPU machine, after `kho ingest --all`
    python -m bench.gpu_embed --make-ref chunks_ref.npz --texts chunks.jsonl     # torch fp32, CPU machine
    KHO_EMBED_DEVICE=cuda python -m bench.gpu_embed --texts chunks.jsonl --ref chunks_ref.npz --bulk-only --out F

Not measured yet: no GPU machine was lent to the session that wrote it (README, issue 17).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import core  # noqa: F401  (switches telemetry and hub lookups off first)
from core.settings import Settings, get_settings
from index import embedders
from index.embedders import DocText, GemmaEmbedder, get_embedder

DEFAULT_BATCH = 16  # embed_documents' default
BATCHES = (16, 64, 128, 256)
REF_DOCS = 32
REF_QUERIES = 32
# tests/test_embedders.py: the query, the relevant document and its pinned values (CPU, fp32 weights)
PIN_QUERY = "Thời gian thử việc của viên chức là bao lâu?"
PIN_DOCS = [
    DocText("Luật Viên chức › Điều 27. Chế độ tập sự", "Thời gian tập sự từ 03 tháng đến 12 tháng."),
    DocText("Bộ luật dân sự › Điều 5", "Áp dụng tập quán trong giao dịch dân sự."),
]
PIN = {"q4": [-0.1142, -0.0574, 0.0607, -0.0059], "d4": [0.0067, -0.0250, 0.0457, 0.0040], "cos": [0.6179, 0.2039]}


# ---------------------------------------------------------------- inputs (made on the CPU machine)


def make_texts(out: Path, settings: Settings, n_queries: int = 256) -> None:
    """ALQAC's articles (title "law › Điều N") and the first `n_queries` ALQAC 2025 dev questions, as JSONL."""
    laws = json.loads((settings.corpus_dir / "alqac" / "law.json").read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = []
    for law in laws:
        for art in law["articles"]:
            rows.append({"kind": "doc", "title": f"{law['id']} › Điều {art['id']}", "text": art["text"]})
    dev = settings.shared_dir / "eval" / "alqac25_dev.jsonl"
    with dev.open(encoding="utf-8") as f:
        for line in f:
            if sum(r["kind"] == "query" for r in rows) >= n_queries:
                break
            rows.append({"kind": "query", "text": json.loads(line)["question"]})
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out}: {sum(r['kind'] == 'doc' for r in rows)} documents, {n_queries} queries")


def make_chunk_texts(out: Path, settings: Settings, n_queries: int = 256) -> None:
    """Every chunk of the data dir's registry as the indexer embeds it (`index.payload.doc_text`), and ALQAC dev
    questions, as JSONL: after `kho ingest --all`, the whole shared corpus — the set issue 17 times (< 30 s)."""
    from index.payload import doc_text
    from ingest.registry import Registry

    rows = 0
    with Registry(settings.registry_path) as reg, out.open("w", encoding="utf-8") as f:
        for rec in reg.iter_chunks():
            d = doc_text(rec)
            f.write(json.dumps({"kind": "doc", "title": d.title, "text": d.text}, ensure_ascii=False) + "\n")
            rows += 1
        dev = settings.shared_dir / "eval" / "alqac25_dev.jsonl"
        with dev.open(encoding="utf-8") as q:
            for i, line in enumerate(q):
                if i >= n_queries:
                    break
                f.write(json.dumps({"kind": "query", "text": json.loads(line)["question"]}, ensure_ascii=False) + "\n")
    print(f"{out}: {rows} chunks from {settings.registry_path}, {n_queries} queries")


def load_texts(path: Path) -> tuple[list[DocText], list[str]]:
    docs, queries = [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] == "doc":
                docs.append(DocText(r["title"], r["text"]))
            else:
                queries.append(r["text"])
    return docs, queries


def ref_doc_indices(n_docs: int) -> np.ndarray:
    """The documents the CPU reference covers: spread evenly over the set (short and long articles)."""
    return np.unique(np.linspace(0, n_docs - 1, REF_DOCS).round().astype(int))


def make_ref(out: Path, texts: Path, settings: Settings) -> None:
    """CPU fp32 vectors (768-d) of a sample of documents and queries, with the project's embedder."""
    docs, queries = load_texts(texts)
    idx = ref_doc_indices(len(docs))
    torch_fp32 = settings.model_copy(update={"embed_fast_cpu": False})  # the reference is torch, not OpenVINO
    emb: Any = get_embedder("embeddinggemma", 768, "cpu", torch_fp32)
    t0 = time.perf_counter()
    dvec = emb.embed_documents([docs[i] for i in idx] + PIN_DOCS, batch_size=8)
    qvec = emb.embed_queries(queries[:REF_QUERIES] + [PIN_QUERY])
    print(f"{out}: {len(idx)}+2 documents, {REF_QUERIES}+1 queries in {time.perf_counter() - t0:.1f} s (CPU)")
    np.savez(
        out,
        doc_idx=idx,
        docs=dvec[: len(idx)],
        queries=qvec[:REF_QUERIES],
        pin_docs=dvec[len(idx) :],
        pin_query=qvec[REF_QUERIES:],
        dtype=np.array(str(next(emb.model.parameters()).dtype)),
    )


# ---------------------------------------------------------------- the GPU run


def use_model_dir(model_dir: Path) -> None:
    """Point `index.embedders` at `model_dir` for EmbeddingGemma (the unpinned bf16 copy), this process only."""
    real = embedders.model_path

    def model_path(name: str, settings: Settings | None = None) -> Path:
        return model_dir if name == "embeddinggemma-300m" else real(name, settings)

    embedders.model_path = model_path  # type: ignore[assignment]


class DtypeGemma(GemmaEmbedder):
    """`GemmaEmbedder` loaded in another dtype, the same way its `model` property loads it (for comparison only)."""

    def __init__(self, dtype: Any, dim: int, device: str, settings: Settings) -> None:
        super().__init__(dim=dim, device=device, settings=settings)
        from sentence_transformers import SentenceTransformer

        path = embedders.model_path("embeddinggemma-300m", settings)
        self._model = SentenceTransformer(
            str(path),
            device=self.device,
            truncate_dim=self.dim,
            local_files_only=True,
            model_kwargs={"torch_dtype": dtype},
        )


def _f(x: float, nd: int = 4) -> float | None:
    return round(float(x), nd) if math.isfinite(float(x)) else None


def _cos_stats(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Row-wise cosine of two sets of rows (renormalised: a truncated prefix is compared as a unit vector)."""
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    c = np.sum(a * b, axis=1)
    ok = np.isfinite(c)
    if not ok.any():
        return {"n": int(len(c)), "non_finite": int((~ok).sum())}
    return {
        "n": int(len(c)),
        "min": _f(c[ok].min(), 5),
        "mean": _f(c[ok].mean(), 5),
        "median": _f(np.median(c[ok]), 5),
        "non_finite": int((~ok).sum()),
    }


def _bad_rows(v: np.ndarray) -> int:
    return int((~np.isfinite(v).all(axis=1)).sum())


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _mem_reset() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _mem_peak() -> float | None:
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None


def _module_dtypes(model: Any) -> dict[str, str]:
    out = {}
    for i, mod in enumerate(model):
        p = next(mod.parameters(), None)
        if p is not None:
            out[f"{i}:{type(mod).__name__}"] = str(p.dtype).replace("torch.", "")
    return out


def _timed(run: Any) -> tuple[float, np.ndarray]:
    """Seconds `run()` takes on the device (synchronised before and after, memory peak reset) and its vectors."""
    _mem_reset()
    _sync()
    t0 = time.perf_counter()
    vec = run()
    _sync()
    return time.perf_counter() - t0, vec


def _rates(n_docs: int, tokens: int, dt: float, vec: np.ndarray) -> dict[str, Any]:
    return {
        "seconds": round(dt, 2),
        "passages_per_s": round(n_docs / dt, 1),
        "tokens_per_s": round(tokens / dt),
        "gpu_mem_peak_gib": _mem_peak(),
        "non_finite_rows": _bad_rows(vec),
    }


def _time_docs(emb: Any, docs: list[DocText], batch: int, tokens: int, whole: bool = False) -> tuple[dict, np.ndarray]:
    """One timed pass over `docs`: through `embed_documents` (the project), or one `encode` over all (`whole`)."""
    texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]

    def run() -> np.ndarray:
        if whole:
            return np.asarray(
                emb.model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
            )
        return np.asarray(emb.embed_documents(docs, batch_size=batch))

    dt, vec = _timed(run)
    return {"batch_size": batch, **_rates(len(docs), tokens, dt, vec)}, vec


def _query_timing(emb: Any, queries: list[str]) -> dict[str, Any]:
    for q in queries[:3]:
        emb.embed_queries([q])
    lat = []
    for q in queries[:30]:
        _sync()
        t0 = time.perf_counter()
        emb.embed_queries([q])
        _sync()
        lat.append((time.perf_counter() - t0) * 1000)
    _sync()
    t0 = time.perf_counter()
    qv = emb.embed_queries(queries)
    _sync()
    dt = time.perf_counter() - t0
    return {
        "single_ms_median": round(statistics.median(lat), 1),
        "single_ms_max": round(max(lat), 1),
        "batch": len(queries),
        "batch_queries_per_s": round(len(queries) / dt, 1),
        "non_finite_rows": _bad_rows(qv),
    }


def _agreement(emb: Any, dvec: np.ndarray, queries: list[str], ref: Any | None) -> dict[str, Any]:
    """GPU vs CPU fp32: documents (from `dvec`) and queries, at 768-d and at the 256-d Matryoshka prefix."""
    if ref is None:
        return {}
    idx = ref["doc_idx"]
    qv = emb.embed_queries(queries[:REF_QUERIES])
    pin_q = emb.embed_queries([PIN_QUERY])[0]
    pin_d = emb.embed_documents(PIN_DOCS, batch_size=2)
    out: dict[str, Any] = {
        "documents_768": _cos_stats(dvec[idx], ref["docs"]),
        "queries_768": _cos_stats(qv, ref["queries"]),
        "documents_256_prefix": _cos_stats(dvec[idx][:, :256], ref["docs"][:, :256]),
        "queries_256_prefix": _cos_stats(qv[:, :256], ref["queries"][:, :256]),
        "pinned_test": {
            "query_first4": [_f(x) for x in pin_q[:4]],
            "doc_first4": [_f(x) for x in pin_d[0, :4]],
            "cos_q_docs": [_f(pin_d[0] @ pin_q), _f(pin_d[1] @ pin_q)],
            "expected": PIN,
            "cos_vs_cpu_query": _f(pin_q @ ref["pin_query"][0], 5),
        },
    }
    # query-document scores: what retrieval actually uses
    s_gpu, s_cpu = qv @ dvec[idx].T, ref["queries"] @ ref["docs"].T
    out["score_max_abs_diff"] = _f(np.nanmax(np.abs(s_gpu - s_cpu)), 5)
    return out


def _topk_overlap(q_a: np.ndarray, d_a: np.ndarray, q_b: np.ndarray, d_b: np.ndarray, k: int = 10) -> dict:
    ta = np.argsort(-(q_a @ d_a.T), axis=1)[:, :k]
    tb = np.argsort(-(q_b @ d_b.T), axis=1)[:, :k]
    overlap = [len(set(a) & set(b)) / k for a, b in zip(ta, tb, strict=True)]
    return {
        "queries": len(overlap),
        f"mean_top{k}_overlap": round(float(np.mean(overlap)), 4),
        "top1_same": round(float(np.mean(ta[:, 0] == tb[:, 0])), 4),
    }


def _bulk(emb: Any, docs: list[DocText], tokens: int, ref: Any | None, budgets: list[int]) -> list[dict[str, Any]]:
    """The project's CUDA path (`embed_documents` → `index.bulk_embed`) over all `docs` at each token budget:
    chunks/s (the issue's target: ≥ 5,000 on an H100/H200), tokens/s, memory, and the vectors against CPU fp32."""
    from index import bulk_embed

    texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]
    out = []
    for budget in budgets:
        dt, vec = _timed(lambda b=budget: bulk_embed.embed_bulk(emb.model, texts, max_tokens=b))
        row: dict[str, Any] = {"max_tokens": budget, **_rates(len(docs), tokens, dt, vec)}
        if ref is not None:
            row["documents_768_vs_cpu_fp32"] = _cos_stats(vec[ref["doc_idx"]], ref["docs"])
        print("bulk", row, flush=True)
        out.append(row)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sentence_transformers
    import torch
    import transformers

    settings = get_settings()
    if args.model_dir:
        use_model_dir(Path(args.model_dir))
    docs, queries = load_texts(Path(args.texts))
    if args.limit:
        docs = docs[: args.limit]
    ref = np.load(args.ref) if args.ref else None
    device_req = settings.embed_device
    res: dict[str, Any] = {
        "machine": {
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
        "model_dir": args.model_dir or "core.models.model_path (verified fp32)",
        "embed_device_setting": device_req,
        "texts": {"documents": len(docs), "queries": len(queries), "source": args.texts},
    }

    # the project's path, exactly as index/indexer.py and index/search.py call it
    emb: Any = get_embedder("embeddinggemma", 768, device_req, settings)
    t0 = time.perf_counter()
    model = emb.model
    res["project"] = {
        "picked_device": emb.device,
        "model_device": str(model.device),
        "load_seconds": round(time.perf_counter() - t0, 1),
        "module_dtypes": _module_dtypes(model),
        "max_seq_length": model.max_seq_length,
        "truncate_dim": model.truncate_dim,
    }
    texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]
    lens = [len(x) for x in model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]]
    tokens = int(sum(lens))
    res["texts"]["tokens_mean"] = round(tokens / len(lens), 1)
    res["texts"]["tokens_max"] = max(lens)
    print(json.dumps(res, ensure_ascii=False), flush=True)

    emb.embed_documents(docs[:64], batch_size=DEFAULT_BATCH)  # warm-up (kernels, allocator)
    res["project"]["bulk"] = _bulk(emb, docs, tokens, ref, [int(b) for b in args.budgets.split(",")])
    if args.bulk_only:
        return res
    runs, base = [], None
    for b in BATCHES:
        r, vec = _time_docs(emb, docs, b, tokens)
        runs.append(r)
        print("project", r, flush=True)
        if b == DEFAULT_BATCH:
            base = vec
    res["project"]["embed_documents"] = runs
    whole = []
    for b in BATCHES[1:]:
        r, _ = _time_docs(emb, docs, b, tokens, whole=True)
        whole.append(r)
        print("encode-all", r, flush=True)
    res["project"]["encode_all_length_sorted"] = whole
    res["project"]["queries"] = _query_timing(emb, queries)
    assert base is not None
    res["project"]["vs_cpu_fp32"] = _agreement(emb, base, queries, ref)
    q_proj = emb.embed_queries(queries)

    # Matryoshka through the project's own 256-d embedder (truncate_dim=256), vs the 768-d prefix
    emb256 = get_embedder("embeddinggemma", 256, device_req, settings)
    d256 = emb256.embed_documents(docs[:256], batch_size=DEFAULT_BATCH)
    q256 = emb256.embed_queries(queries[:64])
    res["project"]["matryoshka_256"] = {
        "shape": list(d256.shape),
        "norm_min": _f(np.linalg.norm(d256, axis=1).min(), 5),
        "docs_vs_768_prefix": _cos_stats(d256, base[:256, :256]),
        "queries_vs_768_prefix": _cos_stats(q256, q_proj[:64, :256]),
        "docs_vs_cpu_fp32_prefix": _cos_stats(
            d256[ref["doc_idx"][ref["doc_idx"] < 256]], ref["docs"][ref["doc_idx"] < 256][:, :256]
        )
        if ref is not None
        else None,
    }
    del emb256
    embedders._LOADED.pop(("embeddinggemma", 256, device_req), None)
    print("project", json.dumps(res["project"]["vs_cpu_fp32"]), flush=True)

    # the same code, loaded in other dtypes
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
    variants: dict[str, Any] = {}
    vecs: dict[str, tuple[np.ndarray, np.ndarray]] = {"project": (q_proj, base)}
    for name in [x for x in (args.compare_dtypes or "").split(",") if x]:
        e = DtypeGemma(dtypes[name], 768, emb.device, settings)
        e.embed_documents(docs[:64], batch_size=DEFAULT_BATCH)
        v: dict[str, Any] = {"module_dtypes": _module_dtypes(e.model), "embed_documents": []}
        dv = None
        for b in (DEFAULT_BATCH, 128):
            r, vec = _time_docs(e, docs, b, tokens)
            v["embed_documents"].append(r)
            print(name, r, flush=True)
            dv = vec if dv is None else dv
        assert dv is not None
        v["queries"] = _query_timing(e, queries)
        v["vs_cpu_fp32"] = _agreement(e, dv, queries, ref)
        vecs[name] = (e.embed_queries(queries), dv)
        variants[name] = v
        del e
        torch.cuda.empty_cache()
    if "fp32" in vecs:
        qf, df = vecs["fp32"]
        for name, (qv, dv) in vecs.items():
            if name != "fp32":
                target = res["project"] if name == "project" else variants[name]
                target["ranking_vs_gpu_fp32_all_docs"] = _topk_overlap(qv, dv, qf, df)
    res["dtype_variants"] = variants
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model-dir", help="EmbeddingGemma folder to load (e.g. the bf16 copy); default: make models'")
    p.add_argument("--texts", default=".gpu-bench/texts.jsonl", help="JSONL of documents and queries")
    p.add_argument("--ref", help="CPU fp32 reference vectors (.npz from --make-ref)")
    p.add_argument("--out", help="write the JSON here (default: stdout)")
    p.add_argument("--compare-dtypes", default="", help="also load the model in these dtypes: bf16,fp16,fp32")
    p.add_argument("--limit", type=int, default=0, help="use only the first N documents")
    p.add_argument("--make-texts", metavar="JSONL", help="write the text set from shared/ and stop")
    p.add_argument("--make-ref", metavar="NPZ", help="compute the CPU fp32 reference vectors and stop")
    p.add_argument("--make-chunks", metavar="JSONL", help="write every chunk of the data dir's registry and stop")
    p.add_argument("--budgets", default="32768,65536,131072", help="token budgets per batch for the bulk runs")
    p.add_argument("--bulk-only", action="store_true", help="only the bulk pipeline (the whole-corpus timing)")
    args = p.parse_args(argv)
    settings = get_settings()
    if args.make_texts:
        make_texts(Path(args.make_texts), settings)
        return 0
    if args.make_chunks:
        make_chunk_texts(Path(args.make_chunks), settings)
        return 0
    if args.make_ref:
        make_ref(Path(args.make_ref), Path(args.texts), settings)
        return 0
    res = run(args)
    text = json.dumps(res, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
