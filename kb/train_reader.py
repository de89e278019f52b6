"""Training the reader: features of every answer unit read for each question of the sets, labelled by the
sets' answer phrases; a logistic regression cross-validated by document; the abstention threshold chosen on the
held-out folds for a false-abstention budget. `scripts/train_reader.py` wires the libraries in.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kb.answer import AnswerParams, build_answer
from kb.eval_questions import Question, _norm, _norm_passage, first_hit_rank
from kb.knowledge_base import KnowledgeBase
from kb.lexical import tokenize
from kb.read.abstain import refusal_by_checks
from kb.read.features import FEATURES
from kb.read.reading import Reading
from kb.read.scorer import LinearReader, answer_probability
from kb.types import Hit


class NullReader:
    """A reader that has not been trained: every unit 0 (features are what training needs)."""

    threshold = 1.0

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return zeros."""
        return np.zeros(len(features))


@dataclass
class Example:
    """One question's reading: its units' features and labels, and what grouping and scoring need."""

    question: Question
    group: str
    reading: Reading
    labels: np.ndarray


def _in_place(question: Question, hit: Hit) -> bool:
    source = hit.document.source.replace("\\", "/")
    places = [(question.document, question.page), *question.also]
    return any((source == d or source.endswith("/" + str(d))) and (p is None or hit.chunk.page == p) for d, p in places)


def unit_labels(question: Question, reading: Reading) -> np.ndarray:
    """Return 1 for each unit that holds an answer phrase in the right place, else 0.

    A phrase that runs across two units (a sentence and its deadline line) marks the units of its passage that
    hold most of its words.
    """
    labels = np.zeros(len(reading.units), dtype=np.int8)
    if not question.answerable:
        return labels
    phrases = [_norm(a) for a in question.answers]
    for i, unit in enumerate(reading.units):
        hit = reading.hits[unit.hit]
        if not _in_place(question, hit):
            continue
        text = _norm_passage(unit.context(hit.chunk))
        if any(p in text for p in phrases):
            labels[i] = 1
    if labels.any():
        return labels
    for i, unit in enumerate(reading.units):
        hit = reading.hits[unit.hit]
        if not _in_place(question, hit) or not any(p in _norm_passage(hit.chunk.text) for p in phrases):
            continue
        own = set(tokenize(unit.context(hit.chunk)))
        for answer in question.answers:
            words = set(tokenize(answer))
            if words and len(words & own) >= 0.6 * len(words):
                labels[i] = 1
    return labels


def collect(
    kb: KnowledgeBase, questions: Sequence[Question], *, library: str, progress: Callable[[Any], Any] = iter
) -> list[Example]:
    """Return an Example for each question, read through the knowledge base's own retrieval and reader."""
    out = []
    for q in progress(list(questions)):
        hits = kb.reading(q.question)
        reading = kb.read(q.question, hits)
        group = f"{library}:{q.document}" if q.answerable else f"{library}:unanswerable:{zlib.crc32(q.id.encode()) % 5}"
        out.append(Example(q, group, reading, unit_labels(q, reading)))
    return out


def fit(examples: Sequence[Example], *, c: float = 1.0) -> np.ndarray:
    """Return logistic-regression weights over FEATURES (the bias folded in), fitted on standardised features."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([e.reading.features for e in examples if len(e.labels)])
    y = np.concatenate([e.labels for e in examples if len(e.labels)])
    bias = FEATURES.index("bias")
    cols = [i for i in range(len(FEATURES)) if i != bias]
    mean, scale = x[:, cols].mean(axis=0), x[:, cols].std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x[:, cols] - mean) / scale, y)
    weights = np.zeros(len(FEATURES))
    weights[cols] = model.coef_[0] / scale
    weights[bias] = float(model.intercept_[0]) - float(np.sum(model.coef_[0] * mean / scale))
    return weights


def out_of_fold(examples: Sequence[Example], *, folds: int = 5, c: float = 1.0) -> list[np.ndarray]:
    """Return each example's unit probabilities from a model that never saw its group (grouped k-fold)."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    out: list[np.ndarray] = [np.zeros(0)] * len(examples)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for train, test in splitter.split(np.zeros(len(examples)), groups=groups):
        weights = fit([examples[i] for i in train], c=c)
        reader = LinearReader(weights=weights, threshold=0.5)
        for i in test:
            out[i] = reader.probabilities(examples[i].reading.features)
    return out


def outcomes(examples: Sequence[Example], probabilities: Sequence[np.ndarray], threshold: float) -> dict[str, Any]:
    """Return hit@1, hit@3, false abstention and abstention when the answers are built with these probabilities."""
    ans = una = hit1 = hit3 = false = refused = 0
    for e, p in zip(examples, probabilities, strict=True):
        answer = build_answer(replace(e.reading, probabilities=p), AnswerParams(threshold=threshold))
        if e.question.answerable:
            ans += 1
            rank = None if answer.abstained else first_hit_rank(e.question, [c.hit for c in answer.citations])
            hit1 += rank == 1
            hit3 += rank is not None and rank <= 3
            false += answer.abstained
        else:
            una += 1
            refused += answer.abstained
    return {"n": ans, "hit@1": round(hit1 / max(ans, 1), 4), "hit@3": round(hit3 / max(ans, 1), 4),
            "false_abstention": round(false / max(ans, 1), 4), "n_unanswerable": una,
            "abstention": round(refused / max(una, 1), 4)}


def choose_threshold(examples: Sequence[Example], probabilities: Sequence[np.ndarray], *, budget: float = 0.05) -> float:
    """Return the highest threshold whose false abstention stays within `budget` on every library's answerable
    questions (out of fold).

    The probabilities run lower on a library the model saw little of than on the one most questions are about, so
    the threshold is the strictest library's: a budget met on the sample library alone would be overspent on a new
    one. The questions refused by the general checks use the budget first.
    """
    libraries = sorted({e.group.split(":", 1)[0] for e in examples})
    return min(
        _library_threshold(
            [(e, p) for e, p in zip(examples, probabilities, strict=True) if e.group.split(":", 1)[0] == lib], budget
        )
        for lib in libraries
    )


def _library_threshold(pairs: Sequence[tuple[Example, np.ndarray]], budget: float) -> float:
    answerable = [(e, p) for e, p in pairs if e.question.answerable]
    if not answerable:
        return 1.0
    checked = [refusal_by_checks(replace(e.reading, probabilities=p)) is not None for e, p in answerable]
    allowed = int(budget * len(answerable)) - sum(checked)
    scores = sorted(answer_probability(p) for (e, p), c in zip(answerable, checked, strict=True) if not c)
    if allowed < 0 or not scores:
        return 0.0
    # Refusing below scores[allowed] refuses exactly `allowed` answerable questions (ties aside): stay just under it.
    return float(max(0.0, scores[min(allowed, len(scores) - 1)] - 1e-6))
