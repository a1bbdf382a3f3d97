"""A static embedder distilled from EmbeddingGemma: one vector per Vietnamese syllable, a text is their mean.

What it is for: dense vectors on a 2-core CPU in seconds instead of hours (EmbeddingGemma does ~1.3 chunks/s
there). The recipe is model2vec's ("Model2Vec: distill a static model from a sentence transformer"): embed every
vocabulary item once with the teacher, reduce with PCA, weight each row by SIF (a / (a + p(word)), the smooth
inverse frequency of Arora et al. 2017, a = 1e-4 as in model2vec) so frequent function words weigh little, and at
run time average the rows of a text's tokens and L2-normalise. It is done here rather than with
`model2vec.distill` because that embeds the teacher's whole 262,144-token subword vocabulary (hours on 2 cores),
pins transformers < 5.4 (we run 5.x later) and cannot see Vietnamese syllables as words; here the vocabulary is
the corpus's own, and the teacher is the full sentence-transformers pipeline (pooling, Dense layers, normalise).

Vietnamese is written in syllables separated by spaces, and most words are two syllables ("hợp đồng"), so the
vocabulary is the lower-cased NFC syllables of the shared corpus seen twice or more, plus its 16,000 most frequent
pairs of adjacent syllables (`core/data/vocab_vi.tsv`, word and count, shipped so a build never needs the corpus;
`python -m index.static_model vocab` regenerates it). A text is tokenised the same way: NFC, lower case, runs of
letters (digits and punctuation carry no meaning a static model could use), then every known syllable and every
known pair of adjacent syllables contributes its row.

The model folder (`<cache_dir>/models/gemma-static/`) holds `vectors.npy` (float32, rows × dim), `vocab.txt`
(one word a line, row order) and `.derived` (the teacher's SHA-256 and each output's SHA-256, `core.derived`),
checked on every load.

>>> tokens("Viên chức  VIÊN chức, điều 12!")
['viên', 'chức', 'viên', 'chức', 'điều']
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.derived import DerivedError, ensure_built, install_built, read_verified, teacher_pin
from core.models import model_path
from core.settings import Settings, get_settings

NAME = "gemma-static"
TEACHER = "embeddinggemma-300m"
VOCAB_FILE = Path(__file__).resolve().parent.parent / "core" / "data" / "vocab_vi.tsv"
VECTORS = "vectors.npy"
VOCAB = "vocab.txt"
OUTPUTS = (VECTORS, VOCAB)
DIM = 256  # model2vec's default PCA size: the 768-d teacher rows keep most of their variance in 256
SIF_A = 1e-4  # model2vec's default SIF coefficient
TEACHER_BATCH = 256  # single words are 1-4 tokens: a big batch costs little padding
# Bumped when the recipe changes, so an old build is rebuilt rather than trusted.
RECIPE = "syllables-pairs-sif-pca-v2"
# Syllable pairs kept: Vietnamese words are mostly two syllables ("hợp đồng", "viên chức"); a pair's own teacher
# row carries the word's meaning, which the mean of its syllables' rows blurs.
MAX_PAIRS = 16000

_TOKEN_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
Say = Callable[[str], None]


def tokens(text: str) -> list[str]:
    """The words a static model looks up: NFC, lower-cased runs of letters (Vietnamese syllables)."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFC", text).lower())


# ------------------------------------------------------------------------------------------------ vocabulary


def count_vocabulary(paths: Iterable[Path]) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """How often each syllable, and each pair of adjacent syllables, occurs in the text files `paths` (UTF-8)."""
    singles: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[str] = collections.Counter()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            toks = tokens(line)
            singles.update(toks)
            pairs.update(f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False))
    return singles, pairs


def write_vocabulary(
    singles: collections.Counter[str],
    pairs: collections.Counter[str],
    out: Path,
    min_count: int = 2,
    max_pairs: int = MAX_PAIRS,
) -> int:
    """Write `word<TAB>count`: syllables seen `min_count` times, then the `max_pairs` most frequent syllable pairs
    (most frequent first within each); return how many rows."""
    rows = sorted(((w, c) for w, c in singles.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    top = sorted(((w, c) for w, c in pairs.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))[:max_pairs]
    out.write_text("".join(f"{w}\t{c}\n" for w, c in rows + top), encoding="utf-8")
    return len(rows) + len(top)


def read_vocabulary(path: Path = VOCAB_FILE) -> list[tuple[str, int]]:
    """The (word, count) rows of a vocabulary file; a malformed line is an error naming the file and line."""
    rows: list[tuple[str, int]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        word, sep, count = line.partition("\t")
        if not sep or not count.isdigit() or not 1 <= len(tokens(word)) <= 2 or " ".join(tokens(word)) != word:
            raise DerivedError(
                f"{path}:{n}: expected `word<TAB>count`, the word one or two lower-case NFC syllables, got {line!r}"
            )
        rows.append((word, int(count)))
    if not rows:
        raise DerivedError(f"{path}: the vocabulary is empty")
    return rows


# ------------------------------------------------------------------------------------------------- build


@dataclass(frozen=True)
class BuildReport:
    """What a build did: rows, dimension, seconds of teacher time and in all."""

    path: Path
    rows: int
    dim: int
    teacher_s: float
    total_s: float


def _teacher(settings: Settings, device: str = "cpu") -> object:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path(TEACHER, settings)), device=device, local_files_only=True)


def distill(
    teacher: object, vocabulary: Sequence[tuple[str, int]], dim: int = DIM, batch_size: int = TEACHER_BATCH
) -> tuple[np.ndarray, float]:
    """The static table for `vocabulary`: teacher rows, PCA to `dim`, SIF-weighted; and the teacher's seconds.

    Deterministic: the teacher runs in eval mode, and the PCA axes get a fixed sign (largest loading positive).
    """
    words = [w for w, _ in vocabulary]
    t = time.perf_counter()
    rows = np.asarray(
        teacher.encode(words, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True),  # type: ignore[attr-defined]
        dtype=np.float64,
    )
    teacher_s = time.perf_counter() - t
    if dim > min(rows.shape):
        raise DerivedError(f"{NAME}: dim {dim} is more than the vocabulary ({len(words)}) or the teacher allows")
    centred = rows - rows.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:dim]
    signs = np.sign(axes[np.arange(dim), np.abs(axes).argmax(axis=1)])
    axes = axes * signs[:, None]
    reduced = centred @ axes.T
    counts = np.asarray([c for _, c in vocabulary], dtype=np.float64)
    weights = SIF_A / (SIF_A + counts / counts.sum())
    return (reduced * weights[:, None]).astype(np.float32), teacher_s


def build(
    settings: Settings | None = None,
    vocabulary_file: Path = VOCAB_FILE,
    dim: int = DIM,
    teacher: object | None = None,
    say: Say = lambda _m: None,
) -> BuildReport:
    """Distil the static model into `<models_dir>/gemma-static/` from the verified teacher; atomic."""
    settings = settings or get_settings()
    started = time.perf_counter()
    vocabulary = read_vocabulary(vocabulary_file)
    say(f"{NAME}: embedding {len(vocabulary)} words with {TEACHER} (~1 min per 4,000 on 2 CPU cores)")
    teacher = teacher or _teacher(settings)
    table, teacher_s = distill(teacher, vocabulary, dim)

    def write(staged: Path) -> None:
        np.save(staged / VECTORS, table, allow_pickle=False)
        (staged / VOCAB).write_text("".join(f"{w}\n" for w, _ in vocabulary), encoding="utf-8")

    final = install_built(
        settings.models_dir / NAME, write, teacher=teacher_pin(TEACHER), outputs=OUTPUTS, recipe=RECIPE, dim=dim
    )
    # Cached document vectors are keyed by embedder name and text, not by build: drop the old build's ones.
    # (An index built with the old table still holds its vectors: `kho index --rebuild` after a rebuild.)
    for stale in settings.embeddings_dir.glob(f"{NAME}-*.sqlite3*"):
        stale.unlink(missing_ok=True)
    total = time.perf_counter() - started
    say(f"{NAME}: {len(vocabulary)} × {dim} built in {total:.0f} s (teacher {teacher_s:.0f} s) at {final}")
    return BuildReport(final, len(vocabulary), dim, teacher_s, total)


def ensure(settings: Settings | None = None, say: Say = lambda _m: None) -> Path:
    """The verified static model folder, built first when missing or when its marker does not vouch for it."""
    settings = settings or get_settings()
    return ensure_built(
        settings.models_dir / NAME,
        teacher_pin(TEACHER),
        OUTPUTS,
        RECIPE,
        lambda: build(settings, say=say).path,
        say=say,
    )


# -------------------------------------------------------------------------------------------------- model


class StaticModel:
    """A loaded static table: `encode(texts)` → L2-normalised float32 rows (zeros for a text of unknown words)."""

    def __init__(self, vectors: np.ndarray, vocabulary: Sequence[str]) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(vocabulary):
            raise DerivedError(f"{NAME}: {vectors.shape[0]} vectors for {len(vocabulary)} words")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index = {w: i for i, w in enumerate(vocabulary)}
        self.dim = int(vectors.shape[1])

    @classmethod
    def load(cls, folder: Path) -> StaticModel:
        """Load a built folder after checking each file against the SHA-256 its marker records."""
        read_verified(folder, teacher=teacher_pin(TEACHER), outputs=OUTPUTS, recipe=RECIPE)
        vectors = np.load(folder / VECTORS, allow_pickle=False)
        vocabulary = (folder / VOCAB).read_text(encoding="utf-8").splitlines()
        return cls(vectors, vocabulary)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            toks = tokens(text)
            grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
            ids = [j for j in (self.index.get(t) for t in grams) if j is not None]
            if ids:
                out[i] = self.vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


_LOADED: dict[Path, StaticModel] = {}
_LOCK = threading.Lock()


def load(settings: Settings | None = None) -> StaticModel:
    """The built model, loaded once per process; a clear error when it is not built (`make models`)."""
    settings = settings or get_settings()
    folder = settings.models_dir / NAME
    with _LOCK:
        if folder not in _LOADED:
            if not (folder / VECTORS).exists():
                raise DerivedError(f"model {NAME} is not built; run `make models` (or `kho models {NAME}`)")
            _LOADED[folder] = StaticModel.load(folder)
        return _LOADED[folder]


# ---------------------------------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index.static_model vocab [DIRS...]` regenerates the word list; `build` builds the model."""
    parser = argparse.ArgumentParser(prog="python -m index.static_model", description=main.__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vocab", help=f"count the words of text files under DIRS into {VOCAB_FILE.name}")
    v.add_argument("dirs", nargs="*", type=Path, help="default: the shared corpus")
    v.add_argument("--min-count", type=int, default=2)
    sub.add_parser("build", help="(re)build the model from the verified teacher")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.cmd == "vocab":
        dirs = args.dirs or [settings.corpus_dir]
        suffixes = {".txt", ".md", ".json", ".html"}
        files = sorted(p for d in dirs for p in d.rglob("*") if p.is_file() and p.suffix in suffixes)
        n = write_vocabulary(*count_vocabulary(files), VOCAB_FILE, args.min_count)
        print(f"{n} words from {len(files)} files → {VOCAB_FILE}")
        return 0
    report = build(settings, say=lambda m: print(m, file=sys.stderr))
    print(f"{report.path}\t{report.rows}x{report.dim}\t{report.total_s:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
