"""Benchmark the assistant on CPU: extractive latency, and generative time to first token and total latency.

Runs on a fresh workspace with the default demo corpus (BM25 retrieval: its dense vectors would take ~40 min to
compute here), the embedded llama.cpp backend (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) and a few Home-Affairs
questions. Writes bench/results/assistant.json; the README quotes it. Run with `make bench`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import core  # noqa: F401
from core.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "assistant.json"
QUESTIONS = [
    "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?",
    "Đóng dấu giáp lai văn bản được thực hiện như thế nào?",
    "Thời gian tập sự của viên chức là bao lâu?",
    "Hồ sơ lưu trữ được nộp vào lưu trữ cơ quan trong thời hạn nào?",
]


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "max": round(max(values), 2)}


def main() -> None:
    from assistant.pipeline import AskOptions, Assistant
    from corpus import require_default_corpus
    from index.indexer import Indexer
    from index.search import Searcher
    from index.store import open_store
    from ingest.job import run_ingest
    from ingest.registry import Registry

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().model_copy(update={"data_dir": Path(tmp)})
        manifest = require_default_corpus(settings)
        registry = Registry.from_settings(settings)
        run_ingest(manifest.paths(), registry, settings, progress=False, meta_overrides=manifest.overrides())
        store = open_store(settings)
        Indexer(registry, store, settings).ensure()
        assistant = Assistant(Searcher(store, settings))
        extractive, ttft, total, answers = [], [], [], []
        for q in QUESTIONS:
            a = assistant.ask(q, options=AskOptions(extractive=True))
            extractive.append(a.latency_s)
        assistant.ask("Thời gian thử việc?", options=AskOptions(max_tokens=8))  # load the model once
        for q in QUESTIONS:
            a = assistant.ask(q)
            if a.ttft_s is not None:
                ttft.append(a.ttft_s)
            total.append(a.latency_s)
            answers.append({"question": q, **{k: a.to_json()[k] for k in ("answer", "verification", "refused")}})
            print(f"{a.latency_s:.1f}s {a.verification.value}: {a.answer[:120]}", file=sys.stderr)
        store.close()
        registry.close()
    out: dict[str, Any] = {
        "what": "kho ask on the demo corpus (BM25 retrieval), embedded llama.cpp, Qwen2.5-Coder-1.5B Q4_K_M, 3 sources",
        "machine": f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "extractive_latency_s": _stats(extractive),
        "generative_ttft_s": _stats(ttft) if ttft else None,
        "generative_total_s": _stats(total),
        "answers": answers,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
