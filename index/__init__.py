"""Chunks → vectors → Qdrant, and queries → hits: embedders, Vietnamese BM25, the store (Qdrant Edge or a server),
the indexer that follows the registry's outbox, hybrid search under the reader's clearance, and the lock that lets
searches run while one writer changes the index. Imports `ingest` types and `core`."""
