"""Stable ids: the same content always gets the same document and chunk ids.

Ids are UUIDv5 (Qdrant accepts UUIDs as point ids) under one fixed project namespace, so re-ingesting an
unchanged file, rebuilding the index or moving the data dir never changes what a citation points at.

>>> doc_id("ab" * 32, "") == doc_id("ab" * 32, "")
True
>>> chunk_id(doc_id("ab" * 32, ""), 0) != chunk_id(doc_id("ab" * 32, ""), 1)
True
"""

from __future__ import annotations

import uuid

# Fixed forever: changing it changes every id and orphans every stored vector and saved citation.
KHO_NAMESPACE = uuid.UUID("6f1c2a3e-5b7d-5e0a-9c41-6b8f2d7e3a10")


def doc_id(content_hash: str, key: str) -> str:
    """The id of document `key` ("" for one-document files) of the file whose content has `content_hash`."""
    return str(uuid.uuid5(KHO_NAMESPACE, f"{content_hash}:{key}"))


def chunk_id(doc_id: str, ordinal: int) -> str:
    """The id of the `ordinal`-th chunk (0-based) of document `doc_id`."""
    return str(uuid.uuid5(KHO_NAMESPACE, f"{doc_id}:{ordinal}"))
