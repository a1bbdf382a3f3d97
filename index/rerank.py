"""The reranker slot: a cross-encoder the ministry supplies can reorder the fused hits; none ships today.

No cross-encoder of any language ships its weights on PyPI (../shared/MODELS.md), so `RERANKERS` is empty and
search runs without one. A reranker is registered by name and picked with `KHO_RERANKER`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from index.search import Hit


class Reranker(Protocol):
    """Reorders hits for a query (best first); may drop hits, never adds any."""

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


RERANKERS: dict[str, Callable[[], Reranker]] = {}


def get_reranker(name: str | None) -> Reranker | None:
    """The reranker registered as `name`; None when no name is given."""
    if not name:
        return None
    try:
        return RERANKERS[name]()
    except KeyError:
        available = ", ".join(sorted(RERANKERS)) or "none ships with kho"
        raise ValueError(f"unknown reranker {name!r} (available: {available})") from None
