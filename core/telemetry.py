"""The one place that switches telemetry and hub lookups off, before any library that reads them is imported."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "SCARF_NO_ANALYTICS": "true",
    "TOKENIZERS_PARALLELISM": "false",
}


def _tiktoken_cache() -> str | None:
    """llama-index-core bundles tiktoken's encodings; pointing tiktoken there stops it downloading them."""
    try:
        spec = importlib.util.find_spec("llama_index.core")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    cache = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
    return str(cache) if cache.is_dir() else None


def disable_telemetry() -> None:
    """Set the offline/no-telemetry variables unless the operator already set them."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        cache = _tiktoken_cache()
        if cache:
            os.environ["TIKTOKEN_CACHE_DIR"] = cache
