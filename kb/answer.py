"""Extractive answers: pick the sentences that answer the question, cite them, or abstain."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kb.embed import Embedder
from kb.lexical import tokenize
from kb.types import Answer, Citation, Hit

ABSTAIN_MESSAGE = (
    "The library has no passage that answers this question. "
    "The nearest passages are listed below as related reading, not as an answer."
)

# A sentence ends at . ! ? (or the Lao/Thai full stop) before a space, or at a line break;
# table rows and list items stay on their own lines, so each is a sentence too.
_SENTENCE_END = re.compile(r"(?<=[.!?\u0eaf])\s+(?=[\"'(\[]?[A-Z0-9\u0e80-\u0eff])|\n+")


@dataclass(frozen=True)
class AnswerParams:
    """Knobs of the extractive answer, calibrated on the tuning half of the question set."""

    threshold: float
    dense_weight: float = 0.5
    max_sentences: int = 3
    max_chars: int = 600


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in `text`, whitespace trimmed."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 3:
            out.append((s, e))
    return out


def coverage(question_tokens: list[str], text_tokens: set[str], idf: Callable[[str], float]) -> float:
    """Return the IDF-weighted share of the question's terms found in the text."""
    terms = set(question_tokens)
    if not terms:
        return 0.0
    total = sum(idf(t) for t in terms)
    found = sum(idf(t) for t in terms if t in text_tokens)
    return found / total if total else 0.0


def evidence(hit: Hit, question_tokens: list[str], idf: Callable[[str], float], dense_weight: float) -> float:
    """Return how strongly one passage supports an answer: dense similarity blended with term coverage."""
    doc, chunk = hit.document, hit.chunk
    text_tokens = set(tokenize(f"{doc.title} {chunk.section or ''} {chunk.text}"))
    dense = max(0.0, hit.dense or 0.0)
    return dense_weight * dense + (1 - dense_weight) * coverage(question_tokens, text_tokens, idf)


def build_answer(
    question: str,
    hits: list[Hit],
    *,
    embedder: Embedder,
    idf: Callable[[str], float],
    params: AnswerParams,
) -> Answer:
    """Return an answer citing the passages that clear the evidence threshold, or an abstention."""
    q_tokens = tokenize(question)
    strengths = [evidence(h, q_tokens, idf, params.dense_weight) for h in hits]
    supported = [h for h, s in zip(hits, strengths) if s >= params.threshold]
    if not supported:
        related = [Citation(n=i + 1, hit=h) for i, h in enumerate(hits)]
        return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, citations=[], related=related)
    citations = [Citation(n=i + 1, hit=h) for i, h in enumerate(supported)]
    related = [Citation(n=len(citations) + i + 1, hit=h) for i, h in enumerate(h for h in hits if h not in supported)]
    text = _compose(question, q_tokens, citations, embedder=embedder, idf=idf, params=params)
    return Answer(question=question, answer=text, abstained=False, citations=citations, related=related)


def _compose(
    question: str,
    q_tokens: list[str],
    citations: list[Citation],
    *,
    embedder: Embedder,
    idf: Callable[[str], float],
    params: AnswerParams,
) -> str:
    """Choose the best sentences across the cited passages, mark them, and join them in rank order."""
    candidates: list[tuple[Citation, int, int]] = []
    for cit in citations:
        for start, end in split_sentences(cit.hit.chunk.text):
            candidates.append((cit, start, end))
    texts = [c.hit.chunk.text[s:e] for c, s, e in candidates]
    vectors = embedder.embed([question, *texts], kind="passage")
    similarity = vectors[1:] @ vectors[0] if len(texts) else np.zeros(0)
    scores = [
        params.dense_weight * float(sim) + (1 - params.dense_weight) * coverage(q_tokens, set(tokenize(t)), idf)
        # A passage's rank breaks ties, so the best passage's sentence leads.
        - 0.01 * (cand[0].n - 1)
        for cand, sim, t in zip(candidates, similarity, texts)
    ]
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    chosen: list[int] = []
    length = 0
    for i in order:
        if len(chosen) >= params.max_sentences:
            break
        if chosen and scores[i] < 0.75 * scores[chosen[0]]:
            break
        if chosen and length + len(texts[i]) > params.max_chars:
            continue
        if any(texts[i] == texts[j] for j in chosen):
            continue
        chosen.append(i)
        length += len(texts[i])
    parts = []
    for i in chosen:
        cit, start, end = candidates[i]
        cit.highlights.append((start, end))
        parts.append(f"{_clean(texts[i])} [{cit.n}]")
    return " ".join(parts)


def _clean(sentence: str) -> str:
    """Collapse the whitespace inside a sentence so it reads as one line."""
    return re.sub(r"\s+", " ", sentence).strip()
