"""Question → answer with verified citations: follow-up rewriting, evidence-based refusal, extractive quotes,
prompts as data files, the LLM backends (llama.cpp in-process, OpenAI-compatible servers), injected-instruction
detection and sentence-by-sentence verification. Imports `index`, `ingest` types and `core`."""
