"""What a piece of text gives: a figure, a share, an amount, a date, a span, a frequency, a name of a kind.

General detectors over any text (English cues and digits), used to check a unit against the answer type a
question expects. Person, organisation and place also ask spaCy's entity recogniser, which errs on this
domain's names (STACK.md): its labels count as evidence beside the cues, never alone as truth.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from kb.read.frame import _nlp

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|dozen|half|double|twice"
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_UNITS = r"years?|months?|weeks?|days?|hours?|minutes?|decades?"
_CUES: dict[str, re.Pattern[str]] = {
    "number": re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I),
    "percent": re.compile(r"\d\s?%|\bper ?cent\b|\bpercentage\b|\b(?:one|two|three|four)\s+(?:in|out of)\s+\w+|"
                          r"\b(?:half|a third|two thirds|a quarter|three quarters|a fifth)\b|\brate of\b", re.I),
    # So much per unit ("3.1 births per woman", "$70 per hour", "4,200 crowns per euro") or one figure to another ("10:1").
    "rate": re.compile(r"\d(?:[\d,.]*\d)?\s*(?:[^\W\d]+\s+){0,2}per\s+(?!cent\b)\S|\b\d+(?:\.\d+)?\s?:\s?1\b|"
                       r"\d\s?%|\bper ?cent\b", re.I),
    "amount": re.compile(r"[$€£¥₭]\s?\d|\b[A-Z]{3}\s?\d|\d\s?[A-Z]{3}\b|\b(?:US\$|dollars?|euros?|kip|sums?|soums?|rupees?|"
                         r"yuan|baht|dong|pounds)\b|\b\d[\d,.]*\s*(?:million|billion|thousand)\b", re.I),
    "date": re.compile(rf"\b(?:{_MONTHS})\b|\b(?:1[89]|20)\d\d\b|\bQ[1-4]\b|\bquarter\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|"
                       r"\b(?:by the end of|deadline|due)\b"),
    "duration": re.compile(rf"\b(?:\d+|{_NUMBER_WORDS}|several|a few)[\s-]+(?:{_UNITS})\b|\b(?:{_UNITS})-long\b", re.I),
    "frequency": re.compile(rf"\b(?:every|each)\s+(?:\w+\s+)?(?:{_UNITS}|quarter|session)\b|\b(?:annual(?:ly)?|yearly|monthly|"
                            r"quarterly|weekly|daily|biannual(?:ly)?|biennial(?:ly)?|semi-annual(?:ly)?|six-monthly|"
                            r"twice|once)\b|\b(?:per|a)\s+(?:year|month|week|day|quarter)\b|\btimes\s+(?:a|per)\b", re.I),
    # A version or release: a dotted number ("2.6", "P1.4.2", "tool-3.1", "2.x"), "v12", "version: 3", "release 7",
    # "R2"; one named by its year or date, or by a name ("the Tern release").
    "version": re.compile(r"\d\.(?:\d|x\b)|\b(?:v|r|ver|version|release|revision|edition)[\s.:]*\d|"
                          r"\b(?:1[89]|20)\d\d\b|(?-i:\b[A-Z][a-z]+\s+release\b)", re.I),
    "person": re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|H\.E|Madam|Sir)\.?\s+[A-Z]"),
    "organisation": re.compile(r"\b(?:Ministry|Department|Agency|Organi[sz]ation|Office|Bank|Fund|Commission|Committee|"
                               r"Council|Secretariat|Bureau|Authority|Institute|Government|Programme|Union|Association|"
                               r"Foundation|Centre|Center|Service|Administration)\b|\b[A-Z]{2,6}\b"),
    "place": re.compile(r"\b[A-Z][a-z]+\s+(?:[Pp]rovince|[Dd]istrict|[Rr]egion|[Cc]ity|[Vv]illage|[Ss]tate)\b|"
                        r"\b(?:[Pp]rovince|[Dd]istrict|[Rr]egion)s?\s+of\s+[A-Z]"),
    "reason": re.compile(r"\b(?:because|due to|so that|in order to|as a result|owing to|since|reasons?|caused? by|"
                         r"aims? to|aimed at|to ensure|to avoid|purpose|given that|thanks to|led to|leads to|therefore)\b", re.I),
}
_ENTITY_KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place",
                 "MONEY": "amount", "PERCENT": "percent", "DATE": "date", "CARDINAL": "number", "QUANTITY": "number"}
_lock = threading.Lock()


@lru_cache(maxsize=50_000)
def entity_kinds(text: str) -> frozenset[str]:
    """Return the kinds of entity spaCy finds in a text (remembered: the same units come back)."""
    nlp = _nlp()
    if nlp is None:
        return frozenset()
    with _lock:
        doc = nlp(text[:2000])
    return frozenset(_ENTITY_KINDS[e.label_] for e in doc.ents if e.label_ in _ENTITY_KINDS)


def gives(kind: str, text: str) -> bool:
    """Return True when the text gives an answer of this kind."""
    cue = _CUES[kind].search(text) is not None
    if kind in ("person", "organisation", "place"):
        return cue or kind in entity_kinds(text)
    if kind == "number":
        return cue and not _only_years_or_labels(text)
    return cue


def gives_any(kinds: frozenset[str], text: str) -> bool:
    """Return True when the text gives an answer of one of these kinds (True when none is expected)."""
    return not kinds or any(gives(kind, text) for kind in kinds)


# A section number is a label ("2.1", "3.4.2"); a decimal with a measure after it is a figure ("37.5 per cent").
_LABEL_NUMBERS = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})|[A-Z]{{1,3}}\d{{1,2}}|"
    r"\d+(?:\.\d+)+(?!\s?(?:%|per ?cent|percent|percentage points?|[mb]illion|thousand|times)\b|\s?%)|"
    r"(?:No|Article|Art|Section|para)\.?\s*\d+|(?:1[89]|20)\d\d)\b"
)


def _only_years_or_labels(text: str) -> bool:
    """Return True when every figure in the text is a year, a day of a date or a label ("R5", "2.1", "Article 3")."""
    rest = _LABEL_NUMBERS.sub(" ", text)
    return not re.search(rf"\d|\b(?:{_NUMBER_WORDS})\b", rest, re.I)
