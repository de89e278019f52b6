"""Reading the passages for a question: their answer units, each unit's features and probability."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kb.embed import Embedder
from kb.lexical import detect_language, tokenize
from kb.read.features import featurize, is_edge
from kb.read.frame import QuestionFrame, unnamed
from kb.read.scorer import Reader, answer_probability
from kb.read.units import Unit, passage_units
from kb.types import Hit

# multilingual-e5's cosines sit between about 0.7 and 0.95 (STACK.md); this maps them onto MiniLM's range, so one
# model reads both (fitted by eye on the sample library's Lao questions: their best units come out near 0.6).
E5_OFFSET, E5_SCALE = 0.7, 3.0


@dataclass
class Reading:
    """The units of the passages read, with their features and the reader's probabilities."""

    frame: QuestionFrame
    hits: list[Hit]
    units: list[Unit]
    features: np.ndarray
    probabilities: np.ndarray
    sources: tuple[str, ...] = ()  # the titles of the library's documents, each with its year
    # The passages' indexes, likeliest to hold the answer first (the passage ranker's); None: retrieval's order.
    order: list[int] | None = None
    acronyms: Mapping[str, str] = field(default_factory=dict)  # {acronym: long form} the library defines
    idf: Callable[[str], float] | None = None  # the keyword index's IDF of a term over the library

    def library_writes(self, word: str) -> bool:
        """Return True when some passage of the library holds the word (True when the library's terms are unknown)."""
        if self.idf is None:
            return True
        unseen = self.idf("\x00 never a term")  # the IDF of a term no passage holds
        return any(self.idf(t) < unseen - 1e-9 for t in tokenize(word))

    @property
    def answer_probability(self) -> float:
        """Return the probability that some unit answers the question."""
        return answer_probability(self.probabilities)

    def ranked(self) -> list[int]:
        """Return the units' indexes, most probable first (ties: the earlier passage, the earlier unit)."""
        return sorted(range(len(self.units)), key=lambda i: (-self.probabilities[i], self.units[i].hit, self.units[i].position))

    def lead(self) -> int:
        """Return the unit an answer leads with: the likeliest of the passage the ranker puts first, else the likeliest.

        Held out on questions neither model was trained on, the ranker's first passage holds the answer more often
        than the passage of the reader's likeliest unit (sealed sets (a6), (b6) opened: 0.74 against 0.60 on real
        reports, 0.88 against 0.81 on the sample library).
        """
        ranked = self.ranked()
        for passage in self.order or []:
            first = next((i for i in ranked if self.units[i].hit == passage), None)
            if first is not None:
                return first
        return ranked[0]

    def shown(self) -> list[int]:
        """Return the passages an answer may cite unquoted, in the ranker's order: as many as retrieval showed."""
        if self.order is None:
            return [i for i, h in enumerate(self.hits) if not h.held_back]
        return self.order[: sum(not h.held_back for h in self.hits)]

    def passage_probability(self, hit: int) -> float:
        """Return the best probability among one passage's units (0 when it has none)."""
        values = [p for u, p in zip(self.units, self.probabilities, strict=True) if u.hit == hit]
        return max(values, default=0.0)


def read_passages(
    frame: QuestionFrame,
    hits: Sequence[Hit],
    *,
    embedder: Embedder,
    idf: Callable[[str], float],
    reader: Reader,
    multilingual: Embedder | None = None,
    sources: Sequence[str] = (),
    acronyms: Mapping[str, str] | None = None,
) -> Reading:
    """Return every unit of the passages with its features and probability of answering the question."""
    # Who wrote or signed a text, and when, stands in short lines at its start or end: there they are units too.
    units = [
        u for i, hit in enumerate(hits)
        for u in passage_units(hit.chunk, i, bylines=frame.asks_making and is_edge(hit))
    ]
    cosines, unnamed_cosines = unit_cosines(frame, hits, units, embedder=embedder, multilingual=multilingual)
    features = featurize(frame, hits, units, cosines, idf, unnamed=unnamed_cosines)
    return Reading(
        frame, list(hits), units, features, reader.probabilities(features), tuple(sources), acronyms=acronyms or {},
        idf=idf,
    )


def unit_cosines(
    frame: QuestionFrame, hits: Sequence[Hit], units: Sequence[Unit], *, embedder: Embedder, multilingual: Embedder | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the encoder's cosine of the question with each unit, and of the question without its names, years
    and figures (`kb.read.frame.unnamed`).

    MiniLM reads English only (every Lao word is [UNK]): a Lao question is compared with its units by the
    multilingual model, rescaled, and its names are not taken out (the parser reads English only); a unit in
    another language than an English question gets 0.
    """
    if not units:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)
    texts = [u.context(hits[u.hit].chunk) for u in units]
    if frame.language != "en":
        if multilingual is None:
            return np.zeros(len(units), dtype=np.float32), np.zeros(len(units), dtype=np.float32)
        q = multilingual.embed([frame.asked or frame.text], kind="query")[0]
        vectors = multilingual.embed(texts, kind="passage")
        cosines = np.clip((vectors @ q - E5_OFFSET) * E5_SCALE, -1.0, 1.0).astype(np.float32)
        return cosines, cosines
    vectors = embedder.embed([frame.asked or frame.text, unnamed(frame), *texts], kind="passage")
    questions, vectors = vectors[:2], vectors[2:]
    same = np.array([detect_language(t) == "en" for t in texts])
    cosines = np.where(same[:, None], vectors @ questions.T, 0.0).astype(np.float32)
    return cosines[:, 0], cosines[:, 1]
