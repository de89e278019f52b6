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

# Inside a paragraph a sentence ends at . ! ? (or the Lao ellipsis-stop) before a space and a capital.
_SENTENCE_END = re.compile(r"(?<![A-Z][0-9]\.)(?<![A-Z][0-9][0-9]\.)(?<=[.!?\u0eaf])\s+(?=[\"'(\[]?[A-Z0-9\u0e80-\u0eff])")
# A line that starts a new unit rather than continuing a wrapped paragraph: list items, numbered
# headings and recommendations, table rows.
_NEW_UNIT = re.compile(r"^\s*(?:[-•*▪]\s|\(?[0-9]{1,2}[.)]\s|[0-9]+(?:\.[0-9]+)+\s|[A-Z][0-9]{1,2}[.:)]\s|#)")
_TERMINAL = re.compile(r"[.!?:;)\]\"'\u0eaf]$")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Return spans of paragraphs, re-joining lines that a PDF wrapped mid-sentence."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    prev_line = ""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        breaks = (
            not stripped
            or _NEW_UNIT.match(line) is not None
            or "|" in line
            or "|" in prev_line
            or (not _TERMINAL.search(prev_line.strip()) and len(prev_line.split()) <= 8 and bool(prev_line.strip()))
        )
        if start is not None and breaks:
            spans.append((start, last_end))
            start = None
        if stripped:
            if start is None:
                start = pos
            last_end = end
        prev_line = line
        pos = end + 1
    if start is not None:
        spans.append((start, last_end))
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in `text`, whitespace trimmed."""
    out = []
    for p_start, p_end in _paragraphs(text):
        start = p_start
        paragraph = text[p_start:p_end]
        bounds = [
            (p_start + m.start(), p_start + m.end())
            for m in _SENTENCE_END.finditer(paragraph)
            # a bracketed aside such as "(Responsible: MoH. Deadline: 2024.)" stays whole
            if paragraph.count("(", 0, m.start()) <= paragraph.count(")", 0, m.start())
        ]
        for b_start, b_end in [*bounds, (p_end, p_end)]:
            s, e = start, b_start
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e - s >= 3:
                out.append((s, e))
            start = b_end
    return out


def is_answer_sentence(sentence: str, *, section: str | None, last: bool) -> bool:
    """Return False for headings, fragments cut by a chunk boundary, and running headers."""
    words = sentence.split()
    if section and " ".join(words) == " ".join(section.split()):
        return False
    if "|" in sentence:
        return len(words) >= 3
    if sentence[:1].islower():
        return False  # the tail of a sentence that began in the previous chunk
    ends = bool(_TERMINAL.search(sentence))
    if not ends and (last or len(words) <= 8):
        return False  # a heading, or a sentence cut off at the end of the chunk
    return len(words) >= 4 or (ends and len(words) >= 2)


@dataclass(frozen=True)
class AnswerParams:
    """Knobs of the extractive answer, calibrated on the tuning half of the question set."""

    threshold: float
    dense_weight: float = 0.5
    max_sentences: int = 3
    max_chars: int = 600


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
        chunk = cit.hit.chunk
        spans = split_sentences(chunk.text)
        for i, (start, end) in enumerate(spans):
            if is_answer_sentence(chunk.text[start:end], section=chunk.section, last=i == len(spans) - 1):
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
