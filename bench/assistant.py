"""Benchmark the assistant on CPU: extractive latency, and generative time to first token for a first question
and for a follow-up, with total latency.

Runs on a fresh workspace with the default demo corpus (BM25 retrieval: its dense vectors would take ~40 min to
compute here), the embedded llama.cpp backend (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) and Home-Affairs questions.

- "first question": a question on a topic the conversation has not touched — its sources are new to the model,
  so only the system prompt can come from llama.cpp's prompt cache.
- "follow-up": the next question of the same conversation (`history` = the first, topic "follow_up"); the time
  includes the follow-up's rewrite by the model. Sources it shares with the previous answer stay first, in the
  same order, so llama.cpp reuses their prompt prefix (assistant/pipeline.py).

Time to first token is measured from the call to `Assistant.ask` to the model's first token (retrieval and
prompt reading included). Questions are asked as the workdesk asks them: the law in force today (`as_of`, so a
superseded text is not what the model reads). Writes bench/results/assistant.json (or `--out FILE`); the README
quotes it.
Run with `make bench` (or `python -m bench.assistant`).
"""

from __future__ import annotations

import argparse
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
# (first question, a follow-up asked right after it in the same conversation)
CONVERSATIONS = [
    (
        "Viên chức bị đơn vị sự nghiệp công lập đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?",
        "Khi đó đơn vị phải báo trước cho viên chức bao nhiêu ngày?",
    ),
    ("Đóng dấu giáp lai văn bản được thực hiện như thế nào?", "Còn dấu chữ ký thì đóng thế nào?"),
    ("Thời gian tập sự của viên chức là bao lâu?", "Trong thời gian đó viên chức được hưởng lương thế nào?"),
    (
        "Hồ sơ lưu trữ được nộp vào lưu trữ cơ quan trong thời hạn nào?",
        "Đơn vị nộp chậm thì phải làm gì?",
    ),
    (
        "Người lao động được nghỉ việc riêng mà vẫn hưởng nguyên lương trong trường hợp nào?",
        "Còn khi con kết hôn thì sao?",
    ),
    ("Công chức bị xử lý kỷ luật bằng những hình thức nào?", "Hình thức giáng chức áp dụng với ai?"),
]


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(p95, 2),
        "max": round(max(values), 2),
        "n": len(values),
    }


def _llama_build() -> str:
    """The CPU features the installed llama.cpp was compiled for (the PyPI wheel: AVX2; `make llm-native`: this
    CPU's own, e.g. AVX512_VNNI)."""
    import xllamacpp

    return str(xllamacpp.get_system_info()).strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--label", default="", help="what this run measures (e.g. 'before the stable prefix')")
    args = parser.parse_args(argv)

    from assistant.pipeline import AskOptions, Assistant
    from core.clock import today_vn
    from corpus import require_default_corpus
    from index.indexer import Indexer
    from index.search import Searcher
    from index.store import Filters, open_store
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
        extractive: list[float] = []
        first_ttft: list[float] = []
        follow_ttft: list[float] = []
        total: list[float] = []
        answers: list[dict[str, Any]] = []
        today = Filters(as_of=today_vn())  # as app/services.py filters_for: the law in force today
        for q, _ in CONVERSATIONS:
            extractive.append(assistant.ask(q, options=AskOptions(filters=today, extractive=True)).latency_s)
        assistant.ask("Thời gian thử việc?", options=AskOptions(filters=today, max_tokens=8))  # load the model once
        for q, follow in CONVERSATIONS:
            for kind, question, history in (("first", q, []), ("follow_up", follow, [q])):
                topic = "follow_up" if history else "auto"
                a = assistant.ask(question, history=history, options=AskOptions(filters=today), topic=topic)
                if a.ttft_s is not None:
                    (first_ttft if kind == "first" else follow_ttft).append(a.ttft_s)
                total.append(a.latency_s)
                shown = a.to_json()
                answers.append(
                    {"kind": kind, "question": question, "read_as": a.query, "ttft_s": a.ttft_s}
                    | {k: shown[k] for k in ("answer", "verification", "refused")}
                    | {"retried": "retry" in a.evidence}
                )
                print(f"{kind} ttft {a.ttft_s}s total {a.latency_s:.1f}s: {a.answer[:100]}", file=sys.stderr)
        store.close()
        registry.close()
    out: dict[str, Any] = {
        "what": "kho ask on the demo corpus (BM25 retrieval), embedded llama.cpp, Qwen2.5-Coder-1.5B Q4_K_M; "
        f"context budget {settings.context_chars} characters",
        "label": args.label,
        "machine": f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores",
        "llama_cpp_build": _llama_build(),
        "date": time.strftime("%Y-%m-%d"),
        "extractive_latency_s": _stats(extractive),
        "ttft_first_question_s": _stats(first_ttft) if first_ttft else None,
        "ttft_follow_up_s": _stats(follow_ttft) if follow_ttft else None,
        "generative_total_s": _stats(total),
        "answers": answers,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "answers"}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
