"""Whether a question stands on its own: a linear head over the question's embedding and its word signals.

assistant/topic_signals.py names what a reader would point to ("còn … thì sao", "trường hợp đó", a document
number or subject of its own). As rules they fail on questions their author did not see: "Tỷ lệ tối đa trong một
cơ quan, đơn vị là bao nhiêu?" names "cơ quan" and still leans on the award asked about before, while "Còn ghi chú
kết hôn ở nước ngoài thì thủ tục thế nào?" opens with "Còn" and stands alone. Whether a question is *complete* is a
property of its meaning, which its EmbeddingGemma vector carries; so a logistic-regression head reads the vector
(embedded with the model's "Clustering" task prompt) together with the signals as numbers, and learns how much
each is worth.

The head is data: `assistant/data/topic_head.json` (768 + one weight per signal, a bias, the threshold, the
embedding space and prompt, the signals' names, and the SHA-256 of its training file and of the signals file),
trained by `python -m assistant.topic_model --write` from the reviewable file `assistant/data/topic_train.jsonl`
(labelled (history, question) pairs written for training only, none from the evaluation set
eval/data/topic_pairs.jsonl). tests/test_topic_model.py retrains it and checks the shipped file is what the data
gives. Without the embedding model (not fetched, or still loading in a server), assistant/topic.py decides with
the word signals alone.

>>> head = TopicHead(space="s", weights=(1.0, -1.0), bias=0.0, threshold=0.5, trained_on="x", n=2)
>>> round(head.probability([1.0, 0.0]), 3), head.follow_up([1.0, 0.0])
(0.731, True)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.topic_signals import signals, signals_digest
from core.jsonl import read_jsonl
from core.text import nfc

DATA = Path(__file__).with_name("data")
TRAINING = DATA / "topic_train.jsonl"
HEAD_FILE = DATA / "topic_head.json"
SPACE = "embeddinggemma-768"  # the vectors the head reads (torch or its OpenVINO export: the same space)
# The model's own task prompt the question is embedded with ("task: clustering | query: …"). Chosen by 5-fold
# cross-validation on the training file, against its "query" (search), "Classification" and "STS" prompts
# (assistant/data/topic_train.md): whether a question stands alone is a property of its form, which the search
# prompt — tuned to find passages on the same subject — carries least.
PROMPT = "Clustering"
LABELS = ("follow_up", "new_topic")
# Inverse L2 strength: the 768 inputs are unit-length vectors and the set holds under a thousand questions; chosen
# by 5-fold cross-validation repeated `_REPEATS` times on the training file only (see `train`). One 5-fold split
# chose C=30 at 953 pairs; repeated, the folds' noise averages out and C=100 (now in the grid) scores best.
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
_SEED = 14
_FOLDS = 5
_REPEATS = 3

Embed = Callable[[Sequence[str]], np.ndarray]
log = logging.getLogger(__name__)


class TopicHeadError(ValueError):
    """The training file or the head file is missing or malformed (the message names the file and line)."""


@dataclass(frozen=True)
class TopicHead:
    """A logistic-regression head: P(follow-up | x) = sigmoid(w·x + b), follow-up at ≥ threshold, where x is the
    question's vector followed by the word signals named in `features` (assistant/topic_signals.py; none in a head
    over the vector alone)."""

    space: str
    weights: tuple[float, ...]
    bias: float
    threshold: float
    trained_on: str
    n: int
    c: float = 1.0
    cv_accuracy: float | None = None
    prompt: str = "query"  # the model's task prompt the head was trained with (before it was recorded: "query")
    features: tuple[str, ...] = ()  # the word signals after the vector, by name (`TopicSignals.feature_names`)
    signals_digest: str = ""  # the SHA-256 of the signals file those features were read with

    def probability(self, vector: Sequence[float] | np.ndarray, signal_values: Sequence[float] = ()) -> float:
        """P(follow-up) for a question's vector and its word-signal values (ignored by a head without them)."""
        x = np.asarray(vector, dtype=np.float64)
        if self.features:
            if len(signal_values) != len(self.features):
                raise TopicHeadError(f"the head reads {len(self.features)} word signals, not {len(signal_values)}")
            x = np.concatenate([x, np.asarray(signal_values, dtype=np.float64)])
        z = float(np.dot(np.asarray(self.weights, dtype=np.float64), x)) + self.bias
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def follow_up(self, vector: Sequence[float] | np.ndarray, signal_values: Sequence[float] = ()) -> bool:
        return self.probability(vector, signal_values) >= self.threshold

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["weights"] = [round(w, 6) for w in self.weights]
        data["bias"] = round(self.bias, 6)
        return data

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> TopicHead:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            head = cls(
                space=str(data["space"]),
                weights=tuple(float(w) for w in data["weights"]),
                bias=float(data["bias"]),
                threshold=float(data["threshold"]),
                trained_on=str(data["trained_on"]),
                n=int(data["n"]),
                c=float(data.get("c", 1.0)),
                cv_accuracy=data.get("cv_accuracy"),
                prompt=str(data.get("prompt", "query")),
                features=tuple(str(f) for f in data.get("features", ())),
                signals_digest=str(data.get("signals_digest", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TopicHeadError(f"{path}: {exc}") from None
        dim = head.space.rpartition("-")[2]
        if (
            not dim.isdigit()
            or len(head.weights) != int(dim) + len(head.features)
            or not np.all(np.isfinite(head.weights))
        ):
            raise TopicHeadError(f"{path}: {len(head.weights)} weights do not fit the space {head.space!r}")
        return head


@dataclass(frozen=True)
class TrainingPair:
    id: str
    history: tuple[str, ...]
    question: str
    label: str


def load_training(path: Path = TRAINING) -> list[TrainingPair]:
    """The labelled pairs of `path`; TopicHeadError naming the line when one is malformed."""
    pairs: list[TrainingPair] = []
    for n, row in read_jsonl(path, TopicHeadError):
        try:
            pair = TrainingPair(
                str(row["id"]), tuple(nfc(str(h)) for h in row["history"]), nfc(str(row["question"])), row["label"]
            )
        except (KeyError, TypeError) as exc:
            raise TopicHeadError(f"{path}:{n}: {exc}") from None
        if pair.label not in LABELS or not pair.history or not pair.question.strip():
            raise TopicHeadError(f"{path}:{n}: needs a non-empty history and question, label one of {LABELS}")
        pairs.append(pair)
    return pairs


def training_digest(path: Path = TRAINING) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(
    pairs: Sequence[TrainingPair],
    embed: Embed,
    digest: str,
    space: str = SPACE,
    prompt: str = PROMPT,
    c: float | None = None,
) -> TopicHead:
    """The head fitted to `pairs` — each question's vector (embedded by `embed`, with the task prompt `prompt`)
    followed by its word signals (assistant/topic_signals.py) —, its C chosen by stratified 5-fold
    cross-validation on `pairs` alone (repeated `_REPEATS` times with other shuffles), threshold 0.5 (the classes
    are balanced). With `c`, that C is fitted (and cross-validated) instead of choosing one."""
    x, y = _design(pairs, embed)
    scores = _cv_scores(x, y, C_GRID if c is None else (c,))
    best = max(scores, key=lambda k: (round(scores[k], 4), -k))  # ties: the stronger penalty
    fitted = _model(best).fit(x, y)
    return TopicHead(
        space=space,
        weights=tuple(float(w) for w in fitted.coef_[0]),
        bias=float(fitted.intercept_[0]),
        threshold=0.5,
        trained_on=digest,
        n=len(pairs),
        c=best,
        cv_accuracy=round(scores[best], 4),
        prompt=prompt,
        features=signals().feature_names,
        signals_digest=signals_digest(),
    )


def cv_scores(pairs: Sequence[TrainingPair], embed: Embed) -> dict[float, float]:
    """Each C of `C_GRID` with its cross-validated accuracy on `pairs`, as `train` chooses among them: two Cs a few
    ten-thousandths apart (30 and 100 on the shipped file) may change places on another machine's embeddings."""
    return _cv_scores(*_design(pairs, embed), C_GRID)


def _design(pairs: Sequence[TrainingPair], embed: Embed) -> tuple[Any, Any]:
    """The features (vector, then word signals) and labels (1 = follow-up) of `pairs`."""
    words = signals()
    vectors = np.asarray(embed([p.question for p in pairs]), dtype=np.float64)
    x = np.concatenate([vectors, np.array([words.read(p.question).values for p in pairs])], axis=1)
    y = np.array([p.label == "follow_up" for p in pairs], dtype=int)
    return x, y


def _cv_scores(x: Any, y: Any, grid: Sequence[float]) -> dict[float, float]:
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

    folds = RepeatedStratifiedKFold(n_splits=_FOLDS, n_repeats=_REPEATS, random_state=_SEED)
    return {c: float(np.mean(cross_val_score(_model(c), x, y, cv=folds))) for c in grid}


def _model(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000)


class QuestionReader:
    """Reads questions with the shipped head and the embedder of its space; `read` and `probability` give None
    when either is missing (the word signals of assistant/topic.py then decide alone).

    Loading the embedding model takes 10–60 s on a busy CPU. With `background` (the server's reader), a question
    never waits for it: the first one starts the load in a daemon thread and is decided by the word signals, as
    is every question until the model answers; `warm` loads it now (the server starts that at its start). Without
    `background`, the first question loads it in the caller's thread (evaluation and tests, which want the head).
    """

    def __init__(self, head_file: Path = HEAD_FILE, embed: Embed | None = None, background: bool = False) -> None:
        self.head_file = head_file
        self.background = background
        self._embed = embed
        self._loaded: tuple[TopicHead, Embed] | None = None  # set once, whole: the reader is ready
        self._failed = ""
        self._lock = threading.Lock()  # held for the whole load
        self._loader_lock = threading.Lock()  # held only to start the loader: a question never waits on a load
        self._loader: threading.Thread | None = None

    def warm(self) -> bool:
        """Load the head and the embedding model now (one question embedded, since models load on first use);
        whether the reader can read. Concurrent callers wait for the one load."""
        return self._load() is not None

    def _load(self) -> tuple[TopicHead, Embed] | None:
        with self._lock:
            if self._loaded is not None or self._failed:
                return self._loaded
            try:
                head = TopicHead.load(self.head_file)
                embed = self._embed or _space_embedder(head.space, head.prompt)
                if head.features and head.features != signals().feature_names:
                    raise TopicHeadError(
                        f"{self.head_file}: trained on other word signals than {signals().feature_names}; retrain it"
                    )
                probe = np.asarray(embed(["Câu hỏi?"]))
                head.probability(probe[0], [0.0] * len(head.features))  # vectors that do not fit: refused, once
            except Exception as exc:  # noqa: BLE001 - no model, no head, or a head that does not fit: the word
                self._failed = f"{type(exc).__name__}: {exc}"  # signals decide from now on
                return None
            self._loaded = (head, embed)
            return self._loaded

    def warm_in_background(self) -> threading.Thread:
        """`warm` in a daemon thread, started once (later calls return the same thread)."""
        with self._loader_lock:
            if self._loader is None:
                self._loader = threading.Thread(target=self.warm, name="kho-topic-reader-load", daemon=True)
                self._loader.start()
            return self._loader

    @property
    def ready(self) -> bool:
        """Whether the head and its embedder are loaded (the next question is read without waiting)."""
        return self._loaded is not None

    @property
    def unavailable_reason(self) -> str:
        return self._failed

    def probability(self, question: str, signal_values: Sequence[float] = ()) -> float | None:
        """P(follow-up) for `question` read alone, with its word-signal values (`SignalReading.values`), or None
        when the head cannot run here (or, in the background mode, not yet)."""
        loaded = self._loaded
        if loaded is None and not self._failed:
            if self.background:
                self.warm_in_background()
            else:
                loaded = self._load()
        if loaded is None:
            return None
        head, embed = loaded
        try:
            return head.probability(np.asarray(embed([nfc(question)]))[0], signal_values)
        except Exception as exc:  # noqa: BLE001 - the model failed on this question: the word signals decide
            log.warning("topic head could not read a question: %s", type(exc).__name__)
            return None

    def read(self, question: str, signal_values: Sequence[float] = ()) -> tuple[bool, float] | None:
        """(leans on the previous question, P(follow-up)) for `question` read alone, or None as `probability`."""
        p = self.probability(question, signal_values)
        loaded = self._loaded
        return None if p is None or loaded is None else (p >= loaded[0].threshold, p)


def _space_embedder(space: str, prompt: str = PROMPT) -> Embed:
    """Questions embedded in `space` with the model's task prompt `prompt`, by the embedder writing `space` on
    this host (shared with search: loaded once)."""
    from index.embedders import get_embedder

    family, _, dim = space.rpartition("-")
    embedder = get_embedder(family, int(dim))
    task = getattr(embedder, "embed_task", None)
    if task is None:
        raise TopicHeadError(f"the embedder of {space!r} has no task prompts")
    return lambda texts: task(texts, prompt)


_READER: QuestionReader | None = None
_READER_LOCK = threading.Lock()


def shipped_reader() -> QuestionReader:
    """The process's reader of the shipped head (one embedder load per process), in the background mode: a
    question never waits for the model to load. Call `warm()` first where the head must decide (evaluation)."""
    global _READER
    with _READER_LOCK:
        if _READER is None:
            _READER = QuestionReader(background=True)
        return _READER


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.topic_model [--write]`: retrain the head from the training file and print its
    cross-validated accuracy; `--write` replaces assistant/data/topic_head.json."""
    parser = argparse.ArgumentParser(prog="python -m assistant.topic_model", description=main.__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {HEAD_FILE.name}")
    args = parser.parse_args(argv)
    head = train(load_training(), _space_embedder(SPACE, PROMPT), training_digest())
    print(f"trained on {head.n} pairs, C={head.c:g}, 5-fold accuracy {head.cv_accuracy}")
    if args.write:
        HEAD_FILE.write_text(json.dumps(head.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {HEAD_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
