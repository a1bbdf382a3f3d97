"""What the default corpus is and how it is found: `default.toml` names documents under ../shared/corpus.

>>> m = load_manifest()
>>> any(e.path.name.startswith("Luat-vien-chuc") for e in m.entries)
True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings

MANIFEST = Path(__file__).with_name("default.toml")
_OVERRIDE_FIELDS = ("title", "loai", "co_quan", "access_level", "hieu_luc", "hieu_luc_reason")


class CorpusNotFound(Exception):
    """The shared corpus is not where the settings say; the message says how to ingest one's own documents."""


@dataclass(frozen=True)
class ManifestEntry:
    """One document of the default corpus and the metadata it overrides."""

    path: Path
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The default corpus: its entries, resolved against the shared corpus folder."""

    root: Path
    entries: list[ManifestEntry]

    def paths(self) -> list[Path]:
        return [e.path for e in self.entries]

    def overrides(self) -> dict[Path, dict[str, str]]:
        return {e.path: e.overrides for e in self.entries if e.overrides}


def load_manifest(settings: Settings | None = None, manifest: Path = MANIFEST) -> Manifest:
    """Read the manifest; paths are resolved under `settings.corpus_dir` (not checked here)."""
    settings = settings or get_settings()
    data: dict[str, Any] = tomllib.loads(manifest.read_text(encoding="utf-8"))
    entries = []
    for i, item in enumerate(data.get("documents", [])):
        if "path" not in item:
            raise ValueError(f"{manifest}: documents[{i}] has no 'path'")
        unknown = set(item) - {"path", *_OVERRIDE_FIELDS}
        if unknown:
            raise ValueError(f"{manifest}: documents[{i}] has unknown field(s) {sorted(unknown)}")
        overrides = {k: str(item[k]) for k in _OVERRIDE_FIELDS if k in item}
        entries.append(ManifestEntry(settings.corpus_dir / item["path"], overrides))
    return Manifest(settings.corpus_dir, entries)


def require_default_corpus(settings: Settings | None = None) -> Manifest:
    """The manifest, after checking that the shared corpus is there; `CorpusNotFound` explains what to do if not."""
    settings = settings or get_settings()
    manifest = load_manifest(settings)
    missing = [p for p in manifest.paths() if not p.exists()]
    if not settings.corpus_dir.is_dir() or missing:
        where = settings.corpus_dir
        detail = (
            f"{len(missing)} of {len(manifest.entries)} documents are missing" if missing else "not found"
        )
        raise CorpusNotFound(
            f"The default corpus is expected under {where} ({detail}).\n"
            "Put the project's shared/ folder beside the checkout, or set KHO_SHARED_DIR to where it is.\n"
            "To use your own documents instead: kho ingest PATH... (files or folders of TXT, DOCX, PDF, HTML, "
            "pháp điển Markdown or ALQAC JSON), e.g. `kho ingest ~/van-ban --access-level internal`."
        )
    return manifest


# The corpora an evaluation set can point into (its `corpus` field; see ../shared/eval/README.md), as paths under
# the shared corpus folder.
EVAL_CORPORA: dict[str, tuple[str, ...]] = {
    "alqac": ("alqac/law.json",),
    "phapdien+laws": ("phapdien", "laws"),
}


def eval_corpus_paths(name: str, settings: Settings | None = None) -> list[Path]:
    """The files/folders of evaluation corpus `name`, checked to exist."""
    settings = settings or get_settings()
    try:
        rel = EVAL_CORPORA[name]
    except KeyError:
        raise ValueError(f"unknown evaluation corpus {name!r}; known: {sorted(EVAL_CORPORA)}") from None
    paths = [settings.corpus_dir / r for r in rel]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CorpusNotFound(
            f"evaluation corpus {name!r} needs {', '.join(map(str, missing))}; put the shared/ folder beside the "
            "checkout or set KHO_SHARED_DIR"
        )
    return paths
