"""Words broken at a line end ("pro-\\ntection"), joined again when the document shows they are one word."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.types import Page

from .text import find_line_headings

_BROKEN = re.compile(r"(\w+)-\n(\w+)")
_DASH_BREAK = re.compile(r"(\w[–—])\n(?=\w)")  # "737–\n9", "2018–\n23–51": a line may break after a dash
_WORD = re.compile(r"\w+(?:-\w+)*")


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Return the lower-cased words and hyphenated compounds the texts use within their lines."""
    words: set[str] = set()
    for text in texts:
        lines = text.split("\n")
        for n, line in enumerate(lines):
            found = [m.group().lower() for m in _WORD.finditer(line)]
            # Half-words are no words: a broken line's last ("pro-") and the next line's first ("tection").
            if line.endswith("-") and found:
                found.pop()
            if n and lines[n - 1].endswith("-") and found:
                found.pop(0)
            words.update(found)
    return words


def join_broken_words(text: str, known: set[str]) -> str:
    """Return the text with each word hyphenated across a line end rejoined onto the first line.

    "pro-\\ntection" becomes "protection" when the document writes "protection" elsewhere, or when neither
    part is a word of its own; "self-\\nemployed" becomes "self-employed" when the document writes it so, or
    when both halves are words ("health-\\nrelated"). The rest of the second line follows the word, as
    pypdf's plain text joined it. A line broken after a dash between words or figures ("737–" over "9") is
    joined the same way, the dash kept.
    """

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if not (left[-1].isalpha() and right[0].isalpha()) or right[0].isupper():
            return f"{left}-\n{right}"  # "COVID-\n19", "Lao-\nGerman": not one broken word
        whole, compound = (left + right).lower(), f"{left}-{right}".lower()
        if whole in known:
            return left + right
        if compound in known or (left.lower() in known and right.lower() in known):
            return f"{left}-{right}"
        return left + right

    return _BROKEN.sub(join, _DASH_BREAK.sub(r"\1", text))


def join_broken_words_in(pages: list[Page]) -> list[Page]:
    """Return the pages with words hyphenated at a line end rejoined, as the document's own words show."""
    known = vocabulary(page.text for page in pages)
    out = []
    for page in pages:
        text = join_broken_words(page.text, known)
        out.append(page if text == page.text
                   else Page(page.number, text, find_line_headings(text), ocr=page.ocr, words=page.words))
    return out
