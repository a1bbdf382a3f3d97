"""One reader per file format (TXT, DOCX, HTML, PDF + OCR, pháp điển, ALQAC) → raw text for `ingest.structure`."""
