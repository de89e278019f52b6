"""The features of a candidate answer unit: general signals any library gives, none of them about one library.

Each row describes one unit of one passage read for a question: how close the encoder puts it to the
question, how much of the question's wording (weighted by rarity) it and its passage hold, how retrieval
ranked its passage, whether it gives the kind of answer asked for, and whether it holds the names, years and
figures the question insists on. The scorer (`kb.read.scorer`) turns a row into a probability.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from kb.lexical import detect_language, tokenize
from kb.read.evidence import gives_any
from kb.read.frame import QuestionFrame
from kb.read.kinds import FIGURE_TYPES
from kb.read.units import Unit
from kb.types import Hit

FEATURES = (
    "bias",
    "cosine",  # the encoder's cosine of question and unit
    "cosine_gap",  # that cosine less the best unit's (0 for the best)
    "cosine_unnamed",  # the cosine with the question's names, years and figures taken out: is the unit about what is asked
    "cosine_unnamed_gap",  # that cosine less the best unit's
    "coverage",  # IDF-weighted share of the question's terms in the unit
    "coverage_context",  # … in the unit with its document's title and its section
    "coverage_passage",  # … in the whole passage with title and section
    "coverage_beyond_head",  # … of the question's terms its title and section do not hold: what the unit itself adds
    "coverage_window",  # … in the unit and the one before it ("It held 46 interviews" after the sentence naming the team)
    "key_missing",  # the rarest question term the unit (with title and section) lacks, as a share of the rarest term's IDF
    "focus",  # share of what the wh-phrase asks about ("how many *interviews*") in the unit
    "focus_near_figure",  # a figure stands within a few words of it (for a number, amount, share, date or span)
    "heading_like",  # a short line without a full stop: a heading or a label, rarely an answer
    "bm25",  # the unit's BM25 among the candidates, over the best's
    "passage_score",  # the passage's fused retrieval score over the best passage's
    "passage_rank",  # 1 / (1 + rank of the passage among those read)
    "passage_dense",  # the passage's own encoder cosine
    "held_back",  # the passage was read beyond the per-document cap
    "type_given",  # the question expects a kind of answer and the unit gives one
    "type_missing",  # … and the unit gives none
    "names_unit",  # share of the names the question writes (not acronyms) that the unit, the one before it or the title holds
    "acronyms_unit",  # … of its acronyms (a library may spell one out)
    "figures_unit",  # … of its years and figures that the unit or its document's title and date hold
    "names_passage",  # share of all of those that the passage (with title) holds
    "years_missing",  # the question names a year the unit's passage and document do not
    "position",  # 1 / (1 + the unit's place in its passage)
    "is_row",
    "is_item",  # an item or record with its fields
    "is_field",
    "length",  # log of the unit's words
    "other_language",  # the unit is in another language than the question (the encoder cannot compare them)
    "title_coverage",  # share of the question's terms in the document's title: the question names its source
)


# Where a document may say who made it and when: its first passages (a cover, a title block, an imprint page, the
# acknowledgements) and its last ones (a signature, a sign-off, a colophon).
FRONT_PASSAGES, BACK_PASSAGES = 10, 3


def is_edge(hit: Hit) -> bool:
    """Return True for a passage among its document's first FRONT_PASSAGES or last BACK_PASSAGES."""
    return hit.chunk.ordinal < FRONT_PASSAGES or hit.chunk.ordinal >= hit.document.chunks - BACK_PASSAGES


def _coverage(terms: Sequence[str], tokens: set[str], idf: Callable[[str], float]) -> float:
    """Return the IDF-weighted share of `terms` found in `tokens`."""
    unique = set(terms)
    total = sum(idf(t) for t in unique)
    return sum(idf(t) for t in unique if t in tokens) / total if total else 0.0


def _holds(name: str, text: str) -> bool:
    """Return True when a name, year or figure is written in the text (case and spacing aside)."""
    pattern = r"\s*".join(re.escape(part) for part in name.split())
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.I) is not None


def is_acronym(name: str) -> bool:
    """Return True for a name written as an acronym ("IMF", "M&E", "ABC")."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1)


def _share(names: Sequence[str], text: str) -> float:
    """Return the share of `names` written in `text` (1 when there are none)."""
    return sum(_holds(n, text) for n in names) / len(names) if names else 1.0


def insisted(frame: QuestionFrame) -> list[str]:
    """Return the names, years and figures the question insists on."""
    return [*frame.names, *frame.years, *frame.figures]


def featurize(
    frame: QuestionFrame,
    hits: Sequence[Hit],
    units: Sequence[Unit],
    cosines: np.ndarray,
    idf: Callable[[str], float],
    *,
    unnamed: np.ndarray | None = None,
) -> np.ndarray:
    """Return one row of FEATURES per unit; `cosines[i]` is the encoder's cosine of question and unit i, `unnamed[i]`
    that of the question without its names, years and figures (the question's cosines when not given)."""
    n = len(units)
    x = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if not n:
        return x
    col = {name: i for i, name in enumerate(FEATURES)}
    terms = list(frame.terms)
    wanted = insisted(frame)
    acronyms = [n for n in frame.names if is_acronym(n)]
    names = [n for n in frame.names if not is_acronym(n)]
    figures = [*frame.years, *frame.figures]
    unseen = idf("\x00 never a term")  # the IDF of a term no passage holds
    best_score = max((h.score for h in hits), default=0.0) or 1.0
    passage_tokens: dict[int, set[str]] = {}
    passage_names: dict[int, float] = {}
    year_missing: dict[int, float] = {}
    for i, hit in enumerate(hits):
        head = f"{hit.document.title} {hit.chunk.section or ''}"
        passage_tokens[i] = set(tokenize(f"{head} {hit.chunk.text}"))
        full = f"{head} {hit.chunk.text} {hit.document.date or ''}"
        passage_names[i] = sum(_holds(w, full) for w in wanted) / len(wanted) if wanted else 1.0
        year_missing[i] = float(bool(frame.years) and not any(_holds(y, full) for y in frame.years))
    texts = [u.context(hits[u.hit].chunk) for u in units]
    tokens = [tokenize(t) for t in texts]
    bm25 = _bm25(terms, tokens, idf)
    top_cos = float(cosines.max())
    unnamed = cosines if unnamed is None else unnamed
    top_unnamed = float(unnamed.max())
    seen_terms = {t for t in terms if idf(t) < unseen - 1e-9}  # a term no passage holds is in no unit either
    rarest = max((idf(t) for t in seen_terms), default=0.0) or 1.0
    figures_wanted = bool(frame.answer_types & FIGURE_TYPES)
    for r, (unit, text, toks) in enumerate(zip(units, texts, tokens, strict=True)):
        hit = hits[unit.hit]
        head = f"{hit.document.title} {hit.chunk.section or ''}"
        own = set(toks)
        row = x[r]
        row[col["bias"]] = 1.0
        row[col["cosine"]] = float(cosines[r])
        row[col["cosine_gap"]] = float(cosines[r]) - top_cos
        row[col["cosine_unnamed"]] = float(unnamed[r])
        row[col["cosine_unnamed_gap"]] = float(unnamed[r]) - top_unnamed
        row[col["coverage"]] = _coverage(terms, own, idf)
        row[col["coverage_context"]] = _coverage(terms, own | set(tokenize(head)), idf)
        row[col["coverage_passage"]] = _coverage(terms, passage_tokens[unit.hit], idf)
        head_tokens = set(tokenize(head))
        rest_terms = [t for t in terms if t not in head_tokens]
        row[col["coverage_beyond_head"]] = _coverage(rest_terms, own, idf) if rest_terms else 1.0
        before = set(tokens[r - 1]) if r > 0 and units[r - 1].hit == unit.hit else set()
        row[col["coverage_window"]] = _coverage(terms, own | before, idf)
        context = own | set(tokenize(head))
        row[col["key_missing"]] = max((idf(t) for t in seen_terms if t not in context), default=0.0) / rarest
        if frame.focus:
            row[col["focus"]] = sum(t in own for t in frame.focus) / len(frame.focus)
            row[col["focus_near_figure"]] = float(figures_wanted and _near_figure(text, frame.focus))
        row[col["heading_like"]] = float(unit.kind not in ("row", "field", "byline") and _heading_like(text))
        row[col["bm25"]] = bm25[r]
        row[col["passage_score"]] = hit.score / best_score
        row[col["passage_rank"]] = 1.0 / (1 + unit.hit)
        row[col["passage_dense"]] = hit.dense or 0.0
        row[col["held_back"]] = float(hit.held_back)
        if frame.answer_types:
            given = gives_any(frame.answer_types, text)
            row[col["type_given"]] = float(given)
            row[col["type_missing"]] = float(not given)
        window = f"{head} {texts[r - 1] if before else ''} {text}"
        row[col["names_unit"]] = _share(names, window)
        row[col["acronyms_unit"]] = _share(acronyms, window)
        row[col["figures_unit"]] = _share(figures, f"{head} {hit.document.date or ''} {text}")
        row[col["names_passage"]] = passage_names[unit.hit]
        row[col["years_missing"]] = year_missing[unit.hit]
        row[col["position"]] = 1.0 / (1 + unit.position)
        row[col["is_row"]] = float(unit.kind == "row")
        row[col["is_item"]] = float(unit.kind in ("item", "record"))
        row[col["is_field"]] = float(unit.kind == "field")
        row[col["length"]] = math.log1p(len(text.split())) / 5
        row[col["other_language"]] = float(detect_language(text) != frame.language)
        row[col["title_coverage"]] = _coverage(terms, set(tokenize(hit.document.title)), idf)
    return x


def _bm25(terms: list[str], docs: list[list[str]], idf: Callable[[str], float], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Return each unit's BM25 for the question's terms (the library's IDF), over the best unit's."""
    if not docs:
        return []
    avg = sum(len(d) for d in docs) / len(docs) or 1.0
    scores = []
    for doc in docs:
        counts: dict[str, int] = {}
        for t in doc:
            counts[t] = counts.get(t, 0) + 1
        norm = k1 * (1 - b + b * len(doc) / avg)
        scores.append(sum(idf(t) * counts[t] * (k1 + 1) / (counts[t] + norm) for t in set(terms) if t in counts))
    top = max(scores) or 1.0
    return [s / top for s in scores]


_TERMINAL = re.compile(r"[.!?:;)\]\"'\u0eaf]$")


def _heading_like(text: str) -> bool:
    """Return True for a short piece of text that does not end like a sentence."""
    return len(text.split()) <= 10 and not _TERMINAL.search(text.strip())


def _near_figure(text: str, focus: Sequence[str], window: int = 4) -> bool:
    """Return True when a word holding a digit stands within `window` words of a focus term."""
    words = text.split()
    stems = [tokenize(w) for w in words]
    at = [i for i, s in enumerate(stems) if any(t in focus for t in s)]
    digits = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    return any(abs(i - j) <= window for i in at for j in digits)
