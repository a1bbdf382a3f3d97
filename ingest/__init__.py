"""Documents in, legal structure out: readers per format, Phần/Chương/Mục/Điều/Khoản/Điểm, metadata, chunks with
citation anchors, and the SQLite registry (the source of truth) with its transactional outbox for the index.
Imports only `core`."""
