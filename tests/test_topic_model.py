"""The learned part of follow-up detection (assistant/topic_model.py): its head is what its training file gives,
the training file is disjoint from the evaluation set, and it decides the questions the word count misread.

Runs the real EmbeddingGemma (the OpenVINO export when built, else torch): ~20 s to embed the 180 training
questions once per session.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.topic import Topic, TopicDetector
from assistant.topic_model import (
    HEAD_FILE,
    PROMPT,
    Embed,
    QuestionReader,
    TopicHead,
    TopicHeadError,
    _space_embedder,
    cv_scores,
    load_training,
    shipped_reader,
    train,
    training_digest,
)
from assistant.topic_signals import signals, signals_digest
from eval.topic import DATASET, load_items

GIAP_LAI = "Dấu giáp lai được đóng như thế nào?"
# A pair whose P(follow-up) is this close to 0.5 may decide either way on another machine's embeddings.
BOUNDARY = 0.05
# Cross-validated accuracies this close (about 5 of the 953 pairs) are a tie another machine may break either way.
CV_TIE = 0.005


@pytest.fixture(scope="module")
def embed() -> Embed:
    return _space_embedder("embeddinggemma-768", PROMPT)


def test_the_shipped_head_is_what_its_training_file_gives(embed: Embed) -> None:
    shipped = TopicHead.load(HEAD_FILE)
    stale = "run python -m assistant.topic_model --write"
    assert shipped.trained_on == training_digest(), f"topic_train.jsonl changed: {stale}"
    assert shipped.signals_digest == signals_digest(), f"topic_signals.toml changed: {stale}"
    pairs = load_training()
    questions = [p.question for p in pairs]
    vectors = embed(questions)

    def cached(texts: Sequence[str]) -> Any:
        return vectors if list(texts) == questions else embed(texts)

    # the shipped C is the one cross-validation chooses here, or ties with it: 30 and 100 score 0.9171 and 0.9168 on
    # one machine's embeddings, 100 came first on the machine that trained it
    scores = cv_scores(pairs, cached)
    assert scores[shipped.c] >= max(scores.values()) - CV_TIE, scores
    again = train(pairs, cached, training_digest(), c=shipped.c)
    assert again.n == shipped.n == len(pairs) and again.features == shipped.features
    w1, w2 = np.asarray(shipped.weights), np.asarray(again.weights)
    assert float(w1 @ w2 / (np.linalg.norm(w1) * np.linalg.norm(w2))) > 0.99
    x = embed([p.question for p in pairs])
    words = [signals().read(p.question).values for p in pairs]
    both = list(zip(x, words, strict=True))
    mine = [shipped.probability(v, w) for v, w in both]
    theirs = [again.probability(v, w) for v, w in both]
    # The embedding backend's numerics differ a little between machines of the same kind, so a head retrained here
    # moves each P(follow-up) by a few hundredths (0.055 at most on the 953 pairs, seen on one machine, where pair 500
    # went 0.503 → 0.489): every probability stays close, and every pair not on the boundary keeps its decision.
    assert max(abs(a - b) for a, b in zip(mine, theirs, strict=True)) < 0.1
    settled = [(a >= 0.5, b >= 0.5) for a, b in zip(mine, theirs, strict=True) if abs(a - 0.5) >= BOUNDARY]
    assert len(settled) >= 0.97 * len(pairs) and all(a == b for a, b in settled)


def test_the_training_file_is_balanced_and_shares_no_question_with_the_evaluation_set() -> None:
    pairs = load_training()
    assert len(pairs) >= 150
    follow_ups = sum(p.label == "follow_up" for p in pairs)
    assert abs(follow_ups - (len(pairs) - follow_ups)) <= 0.01 * len(pairs)  # no label is the head's default
    evaluated = {" ".join(i.question.casefold().split()) for i in load_items(DATASET)}
    assert not [p.id for p in pairs if " ".join(p.question.casefold().split()) in evaluated]


def test_a_malformed_training_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "t.jsonl"
    good = {"id": "a", "history": ["Câu trước?"], "question": "Câu sau?", "label": "follow_up"}
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "label": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(TopicHeadError, match=r"t\.jsonl:2"):
        load_training(bad)


# Written for this test (in neither the training nor the evaluation file): a whole sentence that names no subject
# of its own — the word count took its three content words for a question of its own.
EARLIER = ["Lao động nữ sinh con được nghỉ thai sản bao nhiêu tháng?"]
LEANING = "Sinh đôi trở lên thì tính thế nào?"


def test_the_head_reads_a_question_the_word_count_took_for_a_whole_one() -> None:
    rules = TopicDetector(reader=None).run(EARLIER, LEANING)
    reader = shipped_reader()
    assert reader.warm(), reader.unavailable_reason
    learned = TopicDetector(reader=reader).run(EARLIER, LEANING)
    assert rules.topic is Topic.NEW_TOPIC and rules.reason.startswith("a whole question")
    assert learned.topic is Topic.FOLLOW_UP, learned.reason
    assert learned.reason.startswith("reads as leaning on the previous question (p=")


def always_follow_up(tmp_path: Path) -> Path:
    """A head file over a 2-d stand-in space whose head says follow-up to the stand-in vector (1, 1)/√2."""
    head = TopicHead(space="s-2", weights=(50.0, 50.0), bias=0.0, threshold=0.5, trained_on="x", n=0)
    path = tmp_path / "head.json"
    path.write_text(json.dumps(head.to_json()), encoding="utf-8")
    return path


def test_the_head_weighs_the_word_signals_and_the_reason_names_them() -> None:
    """The shipped head reads the question's vector and its word signals; the reason shown names p and the
    signals that fired, so a reader can see why ("Dấu giáp lai …" names its own subject and stands alone)."""
    shipped = TopicHead.load(HEAD_FILE)
    assert shipped.features == signals().feature_names and shipped.prompt == PROMPT
    reader = shipped_reader()
    assert reader.warm(), reader.unavailable_reason
    alone = TopicDetector(reader=reader).run(["Viên chức bị kỷ luật trong trường hợp nào?"], GIAP_LAI)
    assert alone.topic is Topic.NEW_TOPIC and alone.reason.startswith("reads as a whole question (p=")
    assert "names its own subject «dấu" in alone.reason
    back = TopicDetector(reader=reader).run(["Thời gian thử việc của công chức là bao lâu?"], "còn viên chức thì sao?")
    assert back.topic is Topic.FOLLOW_UP and "points back: «còn»" in back.reason


def test_a_head_trained_on_other_word_signals_is_refused(tmp_path: Path) -> None:
    data = json.loads(HEAD_FILE.read_text(encoding="utf-8"))
    other = tmp_path / "other.json"
    renamed = [*data["features"][:-1], "a signal the signals file does not have"]
    other.write_text(json.dumps({**data, "features": renamed}), encoding="utf-8")
    reader = QuestionReader(head_file=other, embed=lambda qs: np.ones((len(qs), 768)) / np.sqrt(768))
    assert not reader.warm() and "other word signals" in reader.unavailable_reason
    assert TopicDetector(reader=reader).run(EARLIER, LEANING).reason.startswith("a whole question")


def test_without_the_embedding_model_the_word_signals_decide(tmp_path: Path) -> None:
    def missing(_: object) -> np.ndarray:
        raise RuntimeError("embeddinggemma-300m is not fetched")

    reader = QuestionReader(embed=missing)
    read = TopicDetector(reader=reader).run(EARLIER, LEANING)
    assert read.topic is Topic.NEW_TOPIC and read.reason.startswith("a whole question")
    broken = QuestionReader(head_file=tmp_path / "absent.json")
    assert broken.probability(LEANING) is None and "absent.json" in broken.unavailable_reason


def test_a_head_file_that_does_not_fit_its_space_is_refused_and_the_word_signals_decide(tmp_path: Path) -> None:
    data = json.loads(HEAD_FILE.read_text(encoding="utf-8"))
    short = tmp_path / "short.json"
    short.write_text(json.dumps({**data, "weights": data["weights"][:512]}), encoding="utf-8")
    with pytest.raises(TopicHeadError, match="512 weights do not fit the space 'embeddinggemma-768'"):
        TopicHead.load(short)
    reader = QuestionReader(head_file=short, embed=lambda qs: np.ones((len(qs), 768)))
    assert reader.probability(LEANING) is None
    assert TopicDetector(reader=reader).run(EARLIER, LEANING).reason.startswith("a whole question")


def test_a_question_never_waits_for_the_model_to_load_in_the_background_mode(tmp_path: Path) -> None:
    """The server's reader: the first question starts the load and is decided by the word signals at once (an
    attacker's first question once stalled the server for a minute while EmbeddingGemma loaded); once loaded,
    the head reads. The model here is a stand-in that loads only when the test lets it (no timing involved: had
    the question waited for the load, the load would never have been let through and the reader never ready)."""
    release = threading.Event()

    def slow_model(qs: Sequence[str]) -> np.ndarray:
        if not release.wait(timeout=300):
            raise RuntimeError("the question waited for the load")
        return np.ones((len(qs), 2)) / np.sqrt(2)

    reader = QuestionReader(head_file=always_follow_up(tmp_path), embed=slow_model, background=True)
    first = TopicDetector(reader=reader).run(EARLIER, LEANING)
    assert first.reason.startswith("a whole question") and not reader.ready  # the word signals, without waiting
    release.set()
    reader.warm_in_background().join()  # the thread the question started
    assert reader.ready, reader.unavailable_reason
    assert TopicDetector(reader=reader).run(EARLIER, LEANING).reason.startswith("reads as leaning")
