"""Which search answered, in words: the line the workdesk shows beside results and answers, and `kho search` prints.

It reads `index.search.Retrieval.to_json()` (what the API and the answer's `evidence["search"]` carry), so every
face says the same thing from the same fields.

>>> search_label({"mode": "hybrid", "requested": "hybrid", "dense_points": 10, "points": 10})
'Tìm kiếm: kết hợp (BM25 + ngữ nghĩa)'
>>> search_label({"mode": "bm25", "requested": "hybrid", "dense_points": 45, "points": 100, "filling": True})
'Tìm kiếm: từ khóa (BM25) — đang tính vector ngữ nghĩa 45 %'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MODE_LABELS = {
    "hybrid": "kết hợp (BM25 + ngữ nghĩa)",
    "bm25": "từ khóa (BM25)",
    "dense": "ngữ nghĩa",
}


def _percent(r: Mapping[str, Any]) -> int:
    """The share of chunks with dense vectors in whole percent, rounded down (100 only when complete)."""
    points, dense = int(r.get("points") or 0), int(r.get("dense_points") or 0)
    return dense * 100 // points if points else 0


def search_label(r: Mapping[str, Any] | None) -> str:
    """The workdesk's line: the search that ran, and why it was not hybrid when hybrid was asked for."""
    if not r:
        return ""
    mode = str(r.get("mode") or "")
    text = f"Tìm kiếm: {MODE_LABELS.get(mode, mode)}"
    if mode != "hybrid" and r.get("requested") == "hybrid":
        if r.get("filling"):
            text += f" — đang tính vector ngữ nghĩa {_percent(r)} %"
        elif int(r.get("dense_points") or 0):
            text += f" — mới có vector ngữ nghĩa cho {_percent(r)} % đoạn văn bản"
        else:
            text += " — chưa có vector ngữ nghĩa"
    elif mode == "dense" and int(r.get("dense_points") or 0) < int(r.get("points") or 0):
        text += f" — trên {_percent(r)} % đoạn văn bản đã có vector"
    return text


def search_line_cli(r: Mapping[str, Any] | None) -> str:
    """`kho search`'s line: "search: bm25 — dense vectors: 1,234 / 3,163 chunks (39 %) — đang tính (computing)"."""
    if not r:
        return ""
    mode = str(r.get("mode") or "")
    line = f"search: {mode}"
    points, dense = int(r.get("points") or 0), int(r.get("dense_points") or 0)
    if mode != "hybrid" and r.get("requested") == "hybrid" or (mode == "dense" and dense < points):
        line += f" — dense vectors: {dense:,} / {points:,} chunks ({_percent(r)} %)"
        if mode == "bm25":
            if r.get("filling"):
                line += " — đang tính (the server is computing them)"
            else:
                line += " — run `kho index --dense` (hoặc để `kho serve` tính trong nền)"
    return line
