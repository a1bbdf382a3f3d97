"""A LlamaIndex retriever over kho's hybrid search, so LlamaIndex query engines and the assistant can use it.

Each hit becomes a `TextNode` whose id is the chunk id and whose metadata carries the citation (document, article,
clause, point), the anchor, the validity and the offsets into the source text — what the assistant needs to cite
and what the workdesk needs to highlight. The reader's clearance and filters are fixed per retriever, so they are
applied inside Qdrant on every call.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from index.search import Hit, Mode, Searcher
from index.store import Filters


def hit_to_node(hit: Hit) -> NodeWithScore:
    """A search hit as a LlamaIndex node with score."""
    meta: dict[str, Any] = {
        "anchor": hit.anchor,
        "document_id": hit.document_id,
        "so_hieu": hit.so_hieu,
        "title": hit.title,
        "article": hit.citation.article,
        "clause": hit.citation.clause,
        "point": hit.citation.point,
        "cited_document": hit.citation.document,
        "hieu_luc": hit.hieu_luc,
        "access_level": hit.access_level,
        "heading_path": " › ".join(hit.heading_path),
        "start": hit.start,
        "end": hit.end,
    }
    node = TextNode(
        id_=hit.chunk_id,
        text=hit.text,
        metadata=meta,
        # The LLM sees the heading path and anchor; offsets and ids are for the UI, not the prompt.
        excluded_llm_metadata_keys=["document_id", "start", "end", "access_level"],
        excluded_embed_metadata_keys=list(meta),
    )
    return NodeWithScore(node=node, score=hit.score)


class KhoRetriever(BaseRetriever):
    """`retrieve("câu hỏi")` → nodes from `Searcher.search` with fixed mode, k, filters and clearance."""

    def __init__(
        self,
        searcher: Searcher,
        k: int = 5,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
        article_level: bool = True,
    ) -> None:
        super().__init__()
        self.searcher = searcher
        self.k = k
        self.mode: Mode = mode
        self.filters = filters or Filters()
        self.article_level = article_level

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self.searcher.search(
            query_bundle.query_str, k=self.k, mode=self.mode, filters=self.filters, article_level=self.article_level
        )
        return [hit_to_node(h) for h in result.hits]
