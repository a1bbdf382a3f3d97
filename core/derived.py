"""Models built here from a verified teacher (a distilled table, an exported graph): the marker that vouches for them.

A fetched model is verified against a pin (`core.models`); a derived one cannot be pinned in advance — its bytes
depend on the build — so its folder carries `.derived`, a JSON record of the teacher's SHA-256 pin, the recipe,
and the SHA-256 and size of every output file. Loading re-hashes the outputs against it (megabytes: milliseconds),
so a tampered or truncated file is refused with an error naming it; a marker from another teacher or recipe
means "build again".

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "v.bin").write_bytes(b"abc")
>>> _ = write_marker(d, teacher="0" * 64, outputs=("v.bin",), recipe="r1")
>>> read_verified(d, teacher="0" * 64, outputs=("v.bin",), recipe="r1")["outputs"]["v.bin"]["size"]
3
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.hashing import file_sha256
from core.models import MODELS, ModelChecksumError, ModelError

MARKER = ".derived"


class DerivedError(ModelError):
    """A derived model is missing, from another teacher or recipe, or malformed; the message says which."""


class DerivedChecksumError(DerivedError, ModelChecksumError):
    """An output file of a derived model is not the file its marker recorded."""


def write_marker(folder: Path, teacher: str, outputs: Sequence[str], recipe: str, **extra: Any) -> dict[str, Any]:
    """Record the teacher pin, the recipe and each output's SHA-256 and size in `folder/.derived` (atomically)."""
    record: dict[str, Any] = {
        "teacher_sha256": teacher,
        "recipe": recipe,
        "outputs": {
            name: {"sha256": file_sha256(folder / name), "size": (folder / name).stat().st_size} for name in outputs
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **extra,
    }
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)
    return record


def read_verified(folder: Path, teacher: str, outputs: Sequence[str], recipe: str) -> dict[str, Any]:
    """The marker of `folder` after checking it is for `teacher` and `recipe` and that every output matches it."""
    path = folder / MARKER
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DerivedError(f"{folder}: no {MARKER} marker (not built, or the build was interrupted)") from None
    except (OSError, ValueError) as exc:
        raise DerivedError(f"{path}: unreadable marker ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("outputs"), dict):
        raise DerivedError(f"{path}: the marker has no `outputs` table")
    if record.get("teacher_sha256") != teacher:
        raise DerivedError(f"{path}: built from another teacher ({record.get('teacher_sha256')}), not {teacher}")
    if record.get("recipe") != recipe:
        raise DerivedError(f"{path}: built by recipe {record.get('recipe')!r}, not {recipe!r}")
    for name in outputs:
        want = record["outputs"].get(name)
        file = folder / name
        if not isinstance(want, dict) or "sha256" not in want:
            raise DerivedError(f"{path}: the marker records no SHA-256 for {name}")
        if not file.is_file():
            raise DerivedError(f"{file}: missing (the marker records it)")
        actual = file_sha256(file)
        if actual != want["sha256"]:
            raise DerivedChecksumError(
                f"{file}: SHA-256 {actual} is not the {want['sha256']} recorded at build time; the file was "
                f"changed or damaged — delete {folder} and run `make models` to build it again"
            )
    return record


def teacher_pin(name: str) -> str:
    """The SHA-256 pin of the fetched model `name` (`core.models.MODELS`) that a derived model is built from."""
    pin = MODELS[name].sha256
    if pin is None:
        raise DerivedError(f"model {name} has no SHA-256 pin: nothing can be derived from it")
    return pin


def install_built(
    final: Path, write: Callable[[Path], None], teacher: str, outputs: Sequence[str], recipe: str, **extra: Any
) -> Path:
    """Build a derived model into `final` atomically: `write(folder)` fills a fresh folder staged beside `final`,
    its marker is written, and it replaces `final` by a rename; the staging area is removed whatever happens, so
    an interrupted build leaves the old model (or nothing), never half a new one."""
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    try:
        staged = scratch / "model"
        staged.mkdir()
        write(staged)
        write_marker(staged, teacher=teacher, outputs=outputs, recipe=recipe, **extra)
        if final.exists():
            shutil.rmtree(final)
        staged.rename(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def ensure_built(
    folder: Path,
    teacher: str,
    outputs: Sequence[str],
    recipe: str,
    build: Callable[[], Path],
    say: Callable[[str], None] = lambda _m: None,
) -> Path:
    """`folder` when its marker vouches for it (`read_verified`); otherwise `build()` (which writes it anew and
    returns it), saying why an existing folder is rebuilt."""
    try:
        read_verified(folder, teacher=teacher, outputs=outputs, recipe=recipe)
        say(f"{folder.name}: already built and verified ({folder})")
        return folder
    except DerivedError as exc:
        if folder.exists():
            say(f"{folder.name}: rebuilding ({exc})")
    return build()
