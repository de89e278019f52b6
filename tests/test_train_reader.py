"""Training the reader: labels from answer phrases, grouped cross-validation, the threshold for a budget."""

from __future__ import annotations

import numpy as np

from kb.eval_questions import Question
from kb.read.features import FEATURES, featurize
from kb.read.frame import read_question
from kb.read.reading import Reading
from kb.read.units import passage_units
from kb.train_reader import Example, choose_threshold, fit, out_of_fold, unit_labels
from kb.types import Chunk, Document, Hit

DOC = Document("d", "lib/review.pdf", "Review")
OTHER = Document("o", "lib/other.pdf", "Other")


def _reading(question: str, hits: list[Hit]) -> Reading:
    frame = read_question(question)
    units = [u for i, h in enumerate(hits) for u in passage_units(h.chunk, i)]
    features = featurize(frame, hits, units, np.linspace(0.2, 0.6, len(units)).astype(np.float32), lambda t: 1.0)
    return Reading(frame, hits, units, features, np.zeros(len(units)))


def _hit(doc: Document, text: str, page: int = 2) -> Hit:
    return Hit(Chunk(doc.id, 0, text, page, None, 0, len(text)), doc, 1.0, dense=0.5)


def test_a_unit_is_labelled_when_it_holds_an_answer_phrase_in_the_right_place() -> None:
    text = "The review held 46 interviews. It visited three provinces."
    hits = [_hit(DOC, text), _hit(OTHER, text), _hit(DOC, text, page=3)]
    q = Question("q", "How many interviews?", "number", "test", document="review.pdf", page=2, answers=("46 interviews",))
    labels = unit_labels(q, _reading(q.question, hits))
    assert labels.tolist() == [1, 0, 0, 0, 0, 0]  # the first unit of the right page only
    refused = Question("u", "How many visits?", "unanswerable", "test", answerable=False)
    assert unit_labels(refused, _reading(refused.question, hits)).sum() == 0


def test_a_phrase_across_two_units_labels_the_units_holding_most_of_its_words() -> None:
    hits = [_hit(DOC, "Make spending visible in the budget.\n\nDeadline: October 2024, in time for the budget.")]
    q = Question("q", "When?", "date", "test", document="review.pdf", answers=("budget. Deadline: October 2024",))
    reading = _reading(q.question, hits)
    assert unit_labels(q, reading).sum() >= 1


def _examples(n: int, rng: np.random.Generator) -> list[Example]:
    """Synthetic questions whose right unit has a higher cosine than the others."""
    out = []
    for i in range(n):
        answerable = i % 3 != 0
        hits = [_hit(DOC, f"Fact number {i} is here. Another line {i} stands here. A third line {i} ends here.")]
        reading = _reading(f"What is fact {i}?", hits)
        labels = np.zeros(len(reading.units), dtype=np.int8)
        col = FEATURES.index("cosine")
        reading.features[:, col] = rng.uniform(0.0, 0.4, len(reading.units))
        if answerable:
            labels[0] = 1
            reading.features[0, col] = rng.uniform(0.5, 0.9)
        q = Question(f"q{i}", reading.frame.text, "fact", "test", document="review.pdf", answers=("x",), answerable=answerable)
        out.append(Example(q, f"g{i % 5}", reading, labels))
    return out


def test_grouped_cross_validation_learns_and_the_threshold_keeps_the_budget() -> None:
    examples = _examples(60, np.random.default_rng(0))
    weights = fit(examples)
    assert weights[FEATURES.index("cosine")] > 0  # a higher cosine means an answer, in this data
    oof = out_of_fold(examples)
    assert all(len(p) == len(e.labels) for e, p in zip(examples, oof, strict=True))
    threshold = choose_threshold(examples, oof, budget=0.05)
    answerable = [(e, p) for e, p in zip(examples, oof, strict=True) if e.question.answerable]
    refused = sum(1 - np.prod(1 - np.sort(p)[::-1][:3]) < threshold for _, p in answerable)
    assert refused <= 0.05 * len(answerable)
    assert threshold > 0
