"""Acronyms the library defines ("National Health Insurance Fund (NHIF)"), to search an acronym by its long form.

A question that says "NHIF" should find the passage that says "the National Health Insurance Fund was
established": the keyword leg does not match the two, and MiniLM knows no Lao acronym. (The other way, the long
form searched with its acronym too, blurred more searches than it helped; see docs/benchmarks.md.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.lexical import JOINING_WORDS

_DEFINED = re.compile(r"\(([A-Z]{2,8})\)")


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Return {acronym: long form} for every "Long Form (ACR)" whose capitalised words spell the acronym, or whose
    words in lower case do."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            acronym = match.group(1)
            words = re.findall(r"[\w’']+", text[max(0, match.start() - 200) : match.start()])
            letters = ""
            used: list[str] = []
            for word in reversed(words):
                if len(letters) == len(acronym):
                    break
                if word[:1].isupper():
                    letters = word[0] + letters
                elif word.lower() not in JOINING_WORDS:
                    break
                used.insert(0, word)
            if letters == acronym and used[0][:1].isupper():
                found.setdefault(acronym, " ".join(used))
            elif long_form := _spelled_in_lower_case(words, acronym):
                found.setdefault(acronym, long_form)
    return found


def _spelled_in_lower_case(words: list[str], acronym: str) -> str | None:
    """Return the words before an acronym whose first letters spell it in lower case, or None.

    Technical writing defines its acronyms in lower case: "the water quality index (WQI)", "a point of sale (POS)
    terminal". Every word gives one letter, in order, but a joining word may give none ("of" in "point of sale"
    gives one, in "ministry of health (MH)" none); the first word gives one.
    """
    letters = acronym.lower()  # two to eight capitals (`_DEFINED`)
    tail = words[-(2 * len(letters)):]

    def match(i: int, j: int) -> int | None:  # words tail[..i] spell letters[..j]: the index of the first word
        if j == 0:
            return i
        if i == 0 or not tail[i - 1].isalpha():
            return None
        word = tail[i - 1]
        if word[0].lower() == letters[j - 1] and (found := match(i - 1, j - 1)) is not None:
            return found
        return match(i - 1, j) if word.lower() in JOINING_WORDS and j < len(letters) else None

    first = match(len(tail), len(letters))
    return " ".join(tail[first:]) if first is not None else None


def with_other_forms(question: str, acronyms: dict[str, str]) -> str:
    """Return the question followed by the long form of each acronym it uses without spelling it out."""
    extra = []
    for acronym, long_form in acronyms.items():
        # "ABC–XYZ project" names a project, which the two bodies' long names would only blur.
        has_acronym = re.search(rf"(?<![\w–-]){acronym}(?![\w–-])", question) is not None
        has_long = re.search(rf"(?<!\w){re.escape(long_form)}(?!\w)", question, re.I) is not None
        if has_acronym and not has_long:
            extra.append(long_form)
    return " ".join([question, *extra])
