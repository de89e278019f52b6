"""The documents a question names as its source: "according to the interim evaluation", "in the 2019 annual report".

A question that names its source asks about that document. When the library holds it (the distinguishing words,
the kind of document and the other words of the phrase are in a document's title or file name), its passages are
read first and the phrase's words stop counting as what the question asks about: "what did the interim evaluation
recommend on dredging" asks about dredging, in the interim evaluation. When it holds no such document, the answer
says so (`sources_not_held`). Nothing here knows a particular library: titles and file names come from it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from kb.lexical import tokenize
from kb.types import Document

# Words for kinds of documents, and the words that tell one document of a kind from another: "the final evaluation",
# "the 2019 annual report", "the second progress report".
_KINDS = (r"review|report|evaluation|assessment|survey|study|minutes|decree|law|strategy|plan|brief|note|policy|"
          r"guidelines|regulation|census|audit|memo|circular|agreement|framework|paper|factsheet|manual|handbook")


def _source_phrase(leads: str) -> re.Pattern[str]:
    """Return the pattern of a source named after one of `leads`: "<lead> the <up to three words> <kind>"."""
    return re.compile(rf"\b(?:{leads})\s+(?:the|its|their|this|that)\s+((?:[\w–-]+\s+){{0,3}}?)({_KINDS})s?\b", re.I)


# A source the question takes its facts from, whether the library holds it or not ("of the 2019 report" too).
_SOURCE = _source_phrase("according to|in|by|from|did|does|do|will|has|have|had|of")
# The ways a question names the source it asks about: "according to the review", "what did the review find", "in
# the 2019 report". Not "of the review", which is as often a topic ("the launch of the plan").
_NAMING = _source_phrase("according to|in|by|from|did|does|do|will|has|have|had")
_DISTINCT = re.compile(r"\w+[–-]\w+|\b(?:1[89]|20)\d\d\b|\b(?:first|second|third|fourth|fifth|final|annual|quarterly|"
                       r"midterm|endline|baseline|interim|inception|evaluation)\b", re.I)
# The parts of speech a source's modifier is written with ("the 2019 annual report", "the Ministry of Transport
# report"); a verb or a second determiner means the kind word belongs to another phrase ("did the team decide the
# review …").
_MODIFIER_POS = frozenset({"NOUN", "PROPN", "ADJ", "NUM", "PUNCT", "X", "SYM"})


def _key(text: str) -> str:
    return re.sub(r"[\s–-]+", "", text).casefold()


def _mentions(word: str, key: str) -> bool:
    """Return True when a distinguishing word is in a text's key, a hyphenated one by its parts' stems too
    ("32-country" in "a review of 32 countries")."""
    if _key(word) in key:
        return True
    parts = [part for part in re.split(r"[–-]", word) if part]
    return len(parts) > 1 and all(_key(part[:5]) in key for part in parts)


def sources_not_held(question: str, titles: Sequence[str], passages: Sequence[str] = ()) -> list[str]:
    """Return the documents the question takes as its source that the library holds none of ("the final evaluation").

    Only a source told apart by a distinguishing word (a hyphenated word, a year, "annual", "final" …) is checked: a
    document of that kind whose title (with its year) holds those words is held; "the review" or "the report" is any.
    """
    keys = [_key(t) for t in titles]
    out = []
    for match in _SOURCE.finditer(question):
        modifier, kind = match.group(1).strip(), match.group(2)
        distinct = _DISTINCT.findall(modifier)
        if not distinct:
            continue
        held = any(all(_mentions(d, k) for d in distinct) and _key(kind) in k for k in keys)
        # A passage that names the source ("the final evaluation reports that …", "drafting the 2026–2030 strategy")
        # speaks of it: what the question asks of it may be there.
        quoted = any(_names_source(distinct, kind, text) for text in passages)
        if not held and not quoted and not _modifies_a_noun(question, match.start(2)):
            out.append(f"{modifier} {kind}".strip())
    return out


@dataclass(frozen=True)
class NamedSource:
    """A source the question names that the library holds: the phrase as written, and the documents it fits."""

    phrase: str
    documents: tuple[str, ...]


def named_sources(question: str, documents: Sequence[Document]) -> list[NamedSource]:
    """Return the sources the question names that fit some, not all, of the library's documents.

    A document fits when its title, file name or year holds every distinguishing word of the phrase ("interim",
    "2019") and, when the phrase has other words, one of them ("the Ministry of Transport report"), else its kind word;
    of those, the documents holding most of the other words, then the kind word, are named.
    """
    if len(documents) < 2:
        return []
    out = []
    described: list[tuple[str, tuple[str, frozenset[str]]]] = []
    for match in _NAMING.finditer(question):
        modifier, kind = match.group(1).strip(), match.group(2)
        if not _is_noun_phrase(question, match.start(1), match.start(2), match.end(2)):
            continue
        described = described or [(d.id, _description(d.title, d.source, d.date)) for d in documents]
        distinct = _DISTINCT.findall(modifier)
        words = set(tokenize(_DISTINCT.sub(" ", modifier)))
        kind_terms = set(tokenize(kind))
        scores: dict[str, tuple[int, bool]] = {}
        for doc_id, (key, terms) in described:
            if not all(_mentions(d, key) for d in distinct):
                continue
            score = (len(words & terms), bool(kind_terms & terms))
            if score[0] if words else score[1]:
                scores[doc_id] = score
        best = max(scores.values(), default=None)
        fits = tuple(doc_id for doc_id, score in scores.items() if score == best)
        if fits and len(fits) < len(documents):
            out.append(NamedSource(phrase=f"{modifier} {kind}".strip(), documents=fits))
    return out


@lru_cache(maxsize=4096)
def _description(title: str, source: str, date: str | None) -> tuple[str, frozenset[str]]:
    """Return a document's key and its words: title, file name (its separators as spaces) and year."""
    stem = re.sub(r"[_.]+", " ", PurePath(source).stem)
    text = f"{title} {stem} {(date or '')[:4]}"
    return _key(text), frozenset(tokenize(text))


def _is_noun_phrase(question: str, start: int, kind_start: int, kind_end: int) -> bool:
    """Return True when the modifier and kind word are one noun phrase: the kind a noun, the modifier's words
    nouns, adjectives, figures or "of" ("the Ministry of Transport report"), not "does the ministry report …"."""
    from kb.read.frame import parse

    doc = parse(question)
    if doc is None:
        return True
    kind = next((t for t in doc if t.idx == kind_start), None)
    if kind is None or kind.pos_ not in ("NOUN", "PROPN") or _modifies_a_noun(question, kind_start):
        return False
    # "How does the agency plan to …": an auxiliary that hangs on the kind word makes it the verb, whatever its tag.
    if any(child.dep_ == "aux" and child.i < kind.i for child in kind.children):
        return False
    return all(t.pos_ in _MODIFIER_POS or t.lower_ == "of" for t in doc if start <= t.idx < kind_start)


def _modifies_a_noun(question: str, at: int) -> bool:
    """Return True when the kind word at `at` qualifies a noun after it that is no kind of document: the "policy" of
    "the box on family-friendly policy responses" names no policy document ("the survey report" still names a report).
    """
    from kb.read.frame import parse

    doc = parse(question)
    if doc is None:
        return False
    token = next((t for t in doc if t.idx == at), None)
    # The small model sometimes makes a kind word the compound of a verb ("did the 2025 evaluation find"): that
    # qualifies no noun.
    return (token is not None and token.dep_ == "compound" and token.head.i > token.i
            and token.head.pos_ in ("NOUN", "PROPN") and re.fullmatch(rf"(?:{_KINDS})s?", token.head.text, re.I) is None)


def _names_source(distinct: Sequence[str], kind: str, text: str) -> bool:
    """Return True when the text names such a source: "the 2018 cost-benefit study found …", "preparation of the
    2026–2030 strategy", "a study of 20 countries" (its distinguishing words near its kind word). The library then
    speaks of it, whether or not it holds it."""
    for match in re.finditer(rf"\b{re.escape(kind)}s?\b", text, re.I):
        near = text[max(0, match.start() - 80) : match.end() + 60]
        if all(_mentions(d, _key(near)) for d in distinct):
            return True
    return False


def named_documents(named: Sequence[NamedSource]) -> tuple[str, ...]:
    """Return the ids of the documents the named sources fit, each once."""
    return tuple(dict.fromkeys(doc_id for source in named for doc_id in source.documents))


def without_source(text: str, named: Sequence[NamedSource]) -> str:
    """Return the question without the words that tell its sources apart: what it asks of them. The kind word stays,
    as the source's own text names itself by it ("this decree enters into force …")."""
    for source in named:
        text = re.sub(r"\s+".join(re.escape(w) for w in source.phrase.split()), " ", text, flags=re.I)
    return " ".join(text.split())


def named_first(order: Sequence[int], documents: Sequence[str], named: Sequence[str]) -> list[int]:
    """Return the passages' order with those of the named documents first (`documents[i]`: passage i's document)."""
    wanted = set(named)
    return [i for i in order if documents[i] in wanted] + [i for i in order if documents[i] not in wanted]
