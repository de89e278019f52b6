"""A deterministic stand-in for the embedding model, for tests where the model does not matter."""

from __future__ import annotations

import hashlib

import numpy as np

from kb.lexical import tokenize
from kb.types import Chunk, Document, Hit


class FakeEmbedder:
    """Hashes stemmed words into a fixed-size bag-of-words vector: similar words, similar vectors."""

    name = "fake-bow-128"
    dim = 128

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        """Return L2-normalised hashed bag-of-words vectors."""
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                h = int.from_bytes(hashlib.md5(token.encode()).digest()[:4], "little")
                out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def count_tokens(self, text: str) -> int:
        """Return a word-piece-like count: words plus punctuation marks."""
        return len(text.split()) + sum(1 for ch in text if ch in ",.;:()")


def passage_hit(
    text: str, doc: Document, section: str | None = None, *, page: int | None = None, score: float = 1.0, ordinal: int = 0
) -> Hit:
    """Return a retrieved passage of the document made of the whole text, with a middling dense score."""
    return Hit(Chunk(doc.id, ordinal, text, page, section, 0, len(text)), doc, score, dense=0.9)


def reading_of(question: str, hits: list[Hit], probability: dict[str, float]):  # type: ignore[no-untyped-def]
    """Return a reading whose unit probabilities are given by the unit's first words (the model is not under test)."""
    from kb.read.features import featurize
    from kb.read.frame import read_question
    from kb.read.reading import Reading
    from kb.read.units import passage_units

    frame = read_question(question)
    units = [u for i, h in enumerate(hits) for u in passage_units(h.chunk, i)]
    features = featurize(frame, hits, units, np.zeros(len(units), dtype=np.float32), lambda t: 1.0)
    p = np.array([next((v for k, v in probability.items() if u.text(hits[u.hit].chunk).startswith(k)), 0.01)
                  for u in units])
    return Reading(frame, hits, units, features, p)
