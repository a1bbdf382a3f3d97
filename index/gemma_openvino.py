"""EmbeddingGemma exported to OpenVINO here, from the verified weights: the same vectors 2.9× faster on a CPU.

What it is for: dense vectors on a CPU without waiting hours. The export is the whole sentence-transformers
pipeline (Gemma 3 body, mean pooling, the two Dense layers, normalise) traced with `torch.export` (dynamic batch
and length) and converted with `openvino.convert_model`; weights stay float32 in the file. At run time OpenVINO
computes in bfloat16 on CPUs that have it (AVX-512 BF16 / AMX) and in float32 elsewhere. Measured on the 2-core
EPYC of this project against torch fp32 on 64 real ALQAC chunks: cosine ≥ 0.9999 (README, issue 17).
int8 was tried and refused: torch dynamic int8 (per tensor or per channel) gives cosine ≈ 0.90–0.92 against fp32
(Gemma's activation outliers), far from a faithful copy.

Nothing is downloaded: `kho models` (`make models`) builds `<cache_dir>/models/embeddinggemma-openvino/`
(`model.xml`, `model.bin`) from the verified `embeddinggemma-300m` folder, whose tokenizer and prompts are used
at run time too. The folder's `.derived` marker (`core.derived`) records the teacher's SHA-256 pin and each
output's SHA-256; every load re-checks them, so a tampered export is refused with an error naming the file, and
`ensure` rebuilds a missing or mismatched one.

>>> OUTPUTS
('model.xml', 'model.bin')
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.derived import MARKER, DerivedError, ensure_built, install_built, read_verified, teacher_pin
from core.models import model_path
from core.settings import Settings, get_settings

Say = Callable[[str], None]

NAME = "embeddinggemma-openvino"
TEACHER = "embeddinggemma-300m"
XML = "model.xml"
BIN = "model.bin"
OUTPUTS = (XML, BIN)
RECIPE = "st-pipeline-torch.export-openvino2026-f32-512-v2"
# Texts are cut at Gemma 3's sliding window (512 tokens), the length the export was checked at. A short text
# padded to a much longer one's length can still come out NaN from the graph (fully masked padding rows reach the
# pooled vector as 0 × NaN); `encode` recomputes such rows alone. The cut's cost is small: ALQAC chunks with
# their "title: … | text: …" framing are 203 tokens at p50, 412 at p95,
# 566 at most, and 3 of 2,698 are longer than 512 (their last ≤ 54 tokens are not read).
MAX_TOKENS = 512


def export(teacher_dir: Path, out_dir: Path) -> None:
    """Trace the sentence-transformers pipeline in `teacher_dir` and write `model.xml`/`model.bin` to `out_dir`."""
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(teacher_dir), device="cpu", local_files_only=True).eval()

    class Pipeline(torch.nn.Module):
        """(input_ids, attention_mask) → the normalised 768-d sentence embedding."""

        def __init__(self) -> None:
            super().__init__()
            self.st = st

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.st({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    sample = st.tokenizer(
        ["title: none | text: Thời gian tập sự từ 03 tháng đến 12 tháng.", "task: search result | query: tập sự"],
        padding=True,
        return_tensors="pt",
    )
    batch = torch.export.Dim("batch", min=1, max=4096)
    length = torch.export.Dim("length", min=2, max=MAX_TOKENS)
    with torch.no_grad():
        program = torch.export.export(
            Pipeline().eval(),
            (sample["input_ids"], sample["attention_mask"]),
            dynamic_shapes=({0: batch, 1: length}, {0: batch, 1: length}),
            strict=False,
        )
        model = ov.convert_model(program)
    ov.save_model(model, str(out_dir / XML), compress_to_fp16=False)


def build(settings: Settings | None = None, say: Say = lambda _m: None) -> Path:
    """Export into `<models_dir>/embeddinggemma-openvino/` from the verified teacher; atomic (staged, renamed)."""
    settings = settings or get_settings()
    teacher_dir = model_path(TEACHER, settings)
    say(f"{NAME}: exporting {TEACHER} to OpenVINO (~2 min on 2 CPU cores, ~3 GB of memory)")
    started = time.perf_counter()
    final = install_built(
        settings.models_dir / NAME,
        lambda staged: export(teacher_dir, staged),
        teacher=teacher_pin(TEACHER),
        outputs=OUTPUTS,
        recipe=RECIPE,
        max_tokens=MAX_TOKENS,
    )
    say(f"{NAME}: built in {time.perf_counter() - started:.0f} s at {final}")
    return final


def ensure(settings: Settings | None = None, say: Say = lambda _m: None) -> Path:
    """The verified export folder, built first when missing or when its marker does not vouch for it."""
    settings = settings or get_settings()
    return ensure_built(
        settings.models_dir / NAME, teacher_pin(TEACHER), OUTPUTS, RECIPE, lambda: build(settings, say=say), say=say
    )


class OpenVinoGemma:
    """A loaded export: `encode(texts)` → L2-normalised float32 rows of 768 columns, one per text, in order.

    Texts carry their prompt already ("task: search result | query: …", "title: … | text: …"; `prompts`).
    """

    def __init__(self, folder: Path, teacher_dir: Path, precision: str = "auto", threads: int = 0) -> None:
        import openvino as ov
        from transformers import AutoTokenizer

        read_verified(folder, teacher=teacher_pin(TEACHER), outputs=OUTPUTS, recipe=RECIPE)
        core = ov.Core()
        if precision == "auto":
            precision = "bf16" if "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "f32"
        if precision not in ("bf16", "f32"):
            raise ValueError(f"{NAME}: precision must be auto, bf16 or f32, not {precision!r}")
        self.precision = precision
        config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = core.compile_model(str(folder / XML), "CPU", config)
        self._tokenizer = AutoTokenizer.from_pretrained(str(teacher_dir), local_files_only=True)
        config_file = teacher_dir / "config_sentence_transformers.json"
        self.prompts: dict[str, str] = json.loads(config_file.read_text(encoding="utf-8")).get("prompts", {})
        self._lock = threading.Lock()  # one inference request at a time on a compiled model's default request

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 768), dtype=np.float32)
        out = self._run(list(texts))
        # A short text padded far beyond its length can come out NaN from the exported graph (see MAX_TOKENS);
        # alone it has no padding, so such rows are computed again one by one. Length-sorted batches rarely hit it.
        for i in np.flatnonzero(~np.isfinite(out).all(axis=1)):
            out[i] = self._run([texts[int(i)]])[0]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _run(self, texts: list[str]) -> np.ndarray:
        feats = self._tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np")
        inputs = {
            "input_ids": feats["input_ids"].astype(np.int64),
            "attention_mask": feats["attention_mask"].astype(np.int64),
        }
        with self._lock:
            return np.asarray(self._compiled(inputs)[0], dtype=np.float32)


def is_built(settings: Settings | None = None) -> bool:
    """Whether the export's files are there (`load` verifies them against the marker)."""
    settings = settings or get_settings()
    folder = settings.models_dir / NAME
    return all((folder / name).is_file() for name in (*OUTPUTS, MARKER))


_LOADED: dict[tuple[Path, str], OpenVinoGemma] = {}
_LOAD_LOCK = threading.Lock()


def load(settings: Settings | None = None, precision: str = "auto") -> OpenVinoGemma:
    """The built export, compiled once per process; a clear error when it is not built (`make models`)."""
    settings = settings or get_settings()
    folder = settings.models_dir / NAME
    with _LOAD_LOCK:
        key = (folder, precision)
        if key not in _LOADED:
            if not (folder / XML).exists():
                raise DerivedError(f"model {NAME} is not built; run `make models` (or `kho models {NAME}`)")
            _LOADED[key] = OpenVinoGemma(folder, model_path(TEACHER, settings), precision=precision)
        return _LOADED[key]
