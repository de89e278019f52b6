"""Acronyms the library defines ("National Social Protection Commission (NSPC)"), to search with both forms.

A question that says "NSPC" should find the passage that says "the National Social Protection Commission was
established", and one that spells out "National Health Insurance Bureau" the passages that say "the NHIB": the
keyword leg matches neither, and MiniLM knows no Lao acronym.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DEFINED = re.compile(r"\(([A-Z]{2,8})\)")
_JOINING = frozenset("and of for the on in to".split())


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Return {acronym: long form} for every "Long Form (ACR)" whose capitalised words spell the acronym."""
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
                elif word.lower() not in _JOINING:
                    break
                used.insert(0, word)
            if letters == acronym and used[0][:1].isupper():
                found.setdefault(acronym, " ".join(used))
    return found


def with_other_forms(question: str, acronyms: dict[str, str]) -> str:
    """Return the question followed by the other form of each acronym it uses or spells out."""
    extra = []
    for acronym, long_form in acronyms.items():
        # "ILO–UNDESA project" names a project, which the two bodies' long names would only blur.
        has_acronym = re.search(rf"(?<![\w–-]){acronym}(?![\w–-])", question) is not None
        has_long = re.search(rf"(?<!\w){re.escape(long_form)}(?!\w)", question, re.I) is not None
        if has_acronym and not has_long:
            extra.append(long_form)
    return " ".join([question, *extra])
