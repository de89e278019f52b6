"""Word-level text processing for the keyword leg: language detection, Lao segmentation, stemming."""

from __future__ import annotations

import os
import re
from functools import lru_cache

LAO_RANGE = "\u0e80-\u0eff"
# Small words inside a name spelled out ("Mother and Early Childhood Grant", "Ministry of Health"), which its
# acronym skips.
JOINING_WORDS = frozenset("and of for the on in to".split())
_LAO_RUN = re.compile(f"[{LAO_RANGE}]+")
_WORD = re.compile(rf"[{LAO_RANGE}]+|[^\W_]+(?:[.'][^\W_]+)*", re.UNICODE)

# A short list: words that carry no topic in a policy question. Kept small on purpose, because
# words such as "who", "when" or "not" can matter in a policy question's phrasing.
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or that the their this
    to was were will with what which does do did about there these those our we us you your can
    could would should shall may""".split()
)


# Lao function words: question words and particles that carry no topic ("which", "this", "what",
# the plural/polite "ແດ່", "to", "have", "of", "and", "in", "is").
LAO_STOPWORDS = frozenset("ໃດ ນີ້ ນັ້ນ ຫຍັງ ແດ່ ຕໍ່ ມີ ຂອງ ແລະ ໃນ ແມ່ນ ທີ່ ບໍ ໄດ້ ເປັນ ຈະ ກັບ ຈາກ ໂດຍ ຢູ່ ຫຼື".split())


def detect_language(text: str) -> str:
    """Return 'lo' when Lao script dominates the letters of `text`, else 'en'."""
    lao = sum(len(m) for m in _LAO_RUN.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    return "lo" if letters and lao / letters >= 0.3 else "en"


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _lao_segmenter():  # type: ignore[no-untyped-def]
    # laonlp (through pythainlp) writes a data folder in $HOME unless told otherwise.
    os.environ.setdefault("PYTHAINLP_DATA", os.path.join(os.path.expanduser("~"), ".cache", "pythainlp-data"))
    try:
        from laonlp.tokenize import word_tokenize
    except ImportError:  # pragma: no cover - laonlp is a declared dependency
        return None
    return word_tokenize


def segment_lao(run: str) -> list[str]:
    """Split a run of Lao script into words (Lao writes no spaces between words)."""
    segment = _lao_segmenter()
    if segment is None:
        return [run[i : i + 2] for i in range(max(1, len(run) - 1))]
    return [w for w in (t.strip() for t in segment(run)) if w]


def tokenize(text: str) -> list[str]:
    """Return keyword tokens: lower-cased, stop words dropped, English stemmed, Lao segmented."""
    tokens: list[str] = []
    english: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        if _LAO_RUN.fullmatch(word):
            tokens.extend(w for w in segment_lao(word) if w not in LAO_STOPWORDS)
        elif word not in STOPWORDS:
            english.append(word)
    if english:
        tokens.extend(_stemmer().stemWords(english))
    return tokens
