"""When to refuse, and how to say why: the calibrated probability, and a few checks that name no library.

The reader's probability decides most refusals; its threshold was set on held-out folds for a false-abstention
budget (scripts/train_reader.py). Before it, general checks: no word of the question in any passage read; a name,
year or figure that the question insists on and that no passage read contains (neither its text, nor its document's
title, section or date); a figure, share, amount, frequency or version asked for that none of the likeliest units gives
(the question's own figures aside); a default asked for that none of their passages states.
Acronyms are not checked this way: a question's "ID" or "M&E" is often spelled out by the library ("identity
card", "monitoring and evaluation"), so an acronym only weighs through the features.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kb.lexical import JOINING_WORDS, tokenize
from kb.read.evidence import gives
from kb.read.features import is_acronym
from kb.read.frame import MONTHS, YEAR_RANGE, QuestionFrame
from kb.read.reading import Reading
from kb.read.sources import sources_not_held
from kb.read.units import Unit
from kb.types import Hit

_TYPE_NAMES = {
    "number": "a figure", "amount": "an amount", "percent": "a percentage or share", "rate": "a rate",
    "date": "a date", "version": "a version",
    "duration": "a length of time", "frequency": "how often", "person": "a person", "organisation": "an organisation",
    "place": "a place", "reason": "a reason",
}


_DASHES = re.compile(r"[‐‑‒–—]")  # hyphens and dashes a text sets where a question types "-"
# A code of one to three capitals and a number ("K12", "AB-7").
_CODE = re.compile(r"([A-Z]{1,3})[-\s]?(\d{1,4})")


def is_written(name: str, text: str) -> bool:
    """Return True when the name is in the text: whole (spacing aside), or every word of a longer name somewhere.

    A year is written only as a year of its own: the "2021" of "the 2021–2025 strategy" is a span's start, not the
    year 2021; a span is written as a span ("2021-2025", "2021 to 2025", "2014-15") or by both its ends.
    """
    if range_ := YEAR_RANGE.fullmatch(name):
        first, last = range_.groups()
        # ... or by its two ends ("between 2014 and 2015").
        return re.search(rf"\b{first}\s*(?:[-–/]|to)\s*(?:{last}|{last[2:]})\b", text) is not None or all(
            re.search(rf"(?<![\w–-]){year}(?![\w])", text) for year in (first, last))
    if name in MONTHS.values():  # a month, full or short ("November", "Nov."), or a numeric date's month
        short, rest = name[:3], name[3:]
        if re.search(rf"\b(?:{short}|{short.upper()})(?:{rest}|{rest.upper()}|\.)?(?!\w)", text):
            return True
        return _in_numeric_date(list(MONTHS.values()).index(name) + 1, text)
    if re.fullmatch(r"(?:1[89]|20)\d\d", name):
        # A fiscal or school year written as a short span ("2014–15", "2019/20") holds its first year.
        own = rf"(?<![\w–-]){name}(?:(?![\w–-])|(?=\s*[–/-]\s*\d\d(?!\d)))"
        return re.search(own, YEAR_RANGE.sub(" ", text)) is not None
    # A name that a lower-case word joins by a hyphen is the name ("U.S.-registered" is written as "U.S. registry").
    name = re.sub(r"(?<=\w|\.)[-–][a-z]+$", "", name)
    plain = _DASHES.sub("-", name.replace(",", "").replace("’", "'"))
    text = _DASHES.sub("-", text.replace("’", "'"))
    if code := _CODE.fullmatch(plain):
        # A code of letters and a number is written spelled out too: "K12" as "Kind No. 12".
        letters, number = code.groups()
        if re.search(rf"\b{letters[0]}\w*\W+(?:\w+\W+){{0,2}}?{number}(?!\d)", text):
            return True
    spaced = r"\s*".join(re.escape(part) for part in plain.split())
    if re.search(rf"(?<!\w){spaced}(?!\w)", text.replace(",", ""), re.I):
        return True
    # A name set as a logo or with a digit ("XyTeX2", "McZeta") often comes out of a PDF with its letters apart ("X Y T
    # EX2"): such a name is written when the text holds its letters in order, spaces and marks aside.
    squashed = re.sub(r"\W+", "", plain).casefold()
    if len(squashed) >= 5 and re.search(r"\d|[a-z][A-Z]", plain) and squashed in re.sub(r"\W+", "", text).casefold():
        return True
    # A version number is one word ("Zeta 2.0" is written as "Zeta Licence, Version 2.0").
    # A short code is a word of its own ("Recommendation R1").
    words = [
        w for w in re.findall(r"[\w’'-]+(?:\.\d+)*", name)
        if w.lower() not in JOINING_WORDS and (len(w) > 2 or _CODE.fullmatch(w))
    ]
    # Names a hyphen joins are two names ("ABC-Ministry of Labour": the body's acronym and the ministry).
    words = [part for w in words for part in (w.split("-") if re.fullmatch(r"[A-Z][\w’']*(?:-[A-Z][\w’']*)+", w) else [w])]
    if len(words) > 1:
        # An acronym among a name's words may be spelled out ("Water Board XYZ"): the other words decide.
        spelled = [w for w in words if not is_acronym(w)] or words
        return all(_word_written(w, text) for w in spelled)
    # One word: a near form counts ("Alps" and "Alp", "Harbours" and "Harbour"), and so does a longer word it begins
    # ("Nepal" in "Nepalese"), as a name is written several ways.
    stem = plain[:-1] if plain.lower().endswith("s") else plain
    return len(plain) >= 4 and (re.search(rf"(?<!\w){re.escape(stem)}\w*", text, re.I) is not None
                                or _misspelt_in(plain, text))


def _word_written(word: str, text: str) -> bool:
    """Return True when a word of a longer name is in the text, as written, or a capitalised one in its other number
    ("Agencies" and "Agency", "Reports" and "Report"; "region" only as written), a longer one in a word it begins
    ("Charter" in "Chartered") or misspelt by one letter."""
    if len(word) < 4 or not word[:1].isupper() or re.search(r"\d", word):
        return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None
    stem = re.sub(r"(?:ies|s)$", "", word, flags=re.I)
    ending = r"\w*" if len(stem) >= 6 else r"(?:s|es|y|ies)?"
    return re.search(rf"(?<!\w){re.escape(stem)}{ending}(?!\w)", text, re.I) is not None or _misspelt_in(word, text)


def _misspelt_in(word: str, text: str) -> bool:
    """Return True when the text holds the word (a name's, six letters or more) one typing slip away ("Ruritnia")."""
    folded = word.casefold()
    return len(folded) >= 6 and any(_misspelt_or_same(folded, w) for w in set(re.findall(r"\w+", text.casefold())))


def _in_numeric_date(month: int, text: str) -> bool:
    """Return True when a numeric date in the text can be of the month: "1/26/2016", "26.01.2016", "2016-01-26"."""
    m = rf"0?{month}"
    return re.search(
        rf"(?<![\d/.-])(?:{m}[/.-]\d{{1,2}}[/.-]|\d{{1,2}}[/.-]{m}[/.-])(?:\d{{4}}|\d{{2}})(?![\d/.-])"
        rf"|\b(?:1[89]|20)\d\d-{m}-\d{{1,2}}\b", text) is not None


def hit_text(hit: Hit) -> str:
    """Return everything a passage says, with its document's title and date, its section (and the numbered headings
    above it) and its table's header."""
    doc, chunk = hit.document, hit.chunk
    dated = f"{(doc.date or '')[:4]} {doc.date or ''}"  # the year alone too: "2024-02-28" is a date, not a span
    return f"{doc.title}\n{chunk.parent or ''}\n{chunk.section or ''}\n{chunk.text}\n{dated}\n{chunk.table_header or ''}"


def missing_specifics(
    frame: QuestionFrame, hits: Sequence[Hit], *, best: int = 3, acronyms: Mapping[str, str] | None = None
) -> list[str]:
    """Return the names, years and figures the question insists on that neither the best passages nor any one
    passage read holds.

    Each must be in one of the `best` passages, or all of them together in one passage read: "How many children
    got meals in Province X in 2022?" is not answered by a passage on Province X read eighth and another that
    mentions 2022. A name is written by the acronym the library defines for it too (`acronyms`, {acronym: long
    form}): after "the Water Users' Board (WUB)" a report says "the WUB".
    """
    wanted = [n for n in frame.names if not is_acronym(n)] + list(frame.years) + list(frame.figures)
    if not hits or not wanted:
        return []
    short = {w: _acronyms_of(w, acronyms) for w in frame.names} if acronyms else {}

    def written(want: str, text: str) -> bool:
        return is_written(want, text) or any(re.search(rf"\b{a}\b", text) for a in short.get(want, ()))

    texts = [hit_text(h) for h in hits]
    top = [t for h, t in zip(hits, texts, strict=True) if not h.held_back][:best]
    missing = [w for w in wanted if not any(written(w, t) for t in top)]
    if missing and any(all(written(w, t) for w in wanted) for t in texts):
        return []
    return missing


def _acronyms_of(name: str, acronyms: Mapping[str, str]) -> list[str]:
    """Return the acronyms whose long form is the name (spacing, case and the apostrophe's shape aside)."""
    def plain(text: str) -> str:
        return " ".join(text.replace("’", "'").casefold().split())

    return [a for a, long in acronyms.items() if plain(long) == plain(name) or is_written(long, name)]


# Kinds of answer whose cues are sure enough that a question asking only such a kind is refused when none of the
# likeliest units gives one. A date, an organisation or a place is told in too many ways to refuse on; a person's
# name is checked when the question asks for a name.
GATED_TYPES = frozenset({"amount", "frequency", "number", "percent", "rate", "version"})
# How many of the likeliest units must all lack the kind asked for. On the opened sets (5,009 questions over three
# libraries, the reader retrained each time, out-of-fold), looking at the best two instead of five refused a third
# of the unanswerable questions instead of a quarter, for 0.3 point of hit@3; the best one alone spent more than
# the false-abstention budget on the real reports.
GATE_UNITS = 2


def _asked_kinds(frame: QuestionFrame) -> frozenset[str]:
    """Return the kinds of answer the question asks for, a reason aside (any passage may give one)."""
    return frame.answer_types - {"reason"}


def _likeliest_units(reading: Reading) -> list[Unit]:
    """Return the GATE_UNITS units the reader finds likeliest to answer."""
    return [reading.units[i] for i in reading.ranked()[:GATE_UNITS]]


def wanted_type_missing(reading: Reading) -> bool:
    """Return True when the question asks only gated kinds of answer (or a person's name) and none of the
    likeliest units gives one."""
    frame = reading.frame
    kinds = _asked_kinds(frame)
    if frame.asks_name:
        kinds = frozenset({"person"})
    elif not kinds or not kinds <= GATED_TYPES:
        return False
    if not reading.units:
        return False
    texts = [without_figures_of(frame.text, u.context(reading.hits[u.hit].chunk)) for u in _likeliest_units(reading)]
    return not any(gives(k, t) for k in kinds for t in texts)


_FIGURE = re.compile(r"\d(?:[\d,.]*\d)?")


def without_figures_of(question: str, text: str) -> str:
    """Return the text without the figures the question itself writes: "How many came on 19 May 2024?" is not answered
    by "the meeting of 19 May 2024", nor "how much above the 800 target" by "800"."""
    for figure in sorted(set(_FIGURE.findall(question)), key=len, reverse=True):
        text = re.sub(rf"(?<![\d.,]){re.escape(figure)}(?!\d)", " ", text)
    return text


def counted_unmentioned(reading: Reading) -> list[str]:
    """Return what a figure is asked of ("how many *lorries*") when the question asks only gated kinds of answer and
    none of the likeliest units' passages speaks of it, else [].

    Each word of it counts alone, and so do the passage's title, headings and table header. A table row is left to the
    reader: its header may name a column shortly ("No. of"), so a row's figure is not refused for the words.
    """
    frame = reading.frame
    kinds = _asked_kinds(frame)
    if not frame.counted or not kinds or not kinds <= GATED_TYPES or not reading.units:
        return []
    best = _likeliest_units(reading)
    hits = [reading.hits[u.hit] for u in best]
    if any(u.kind == "row" for u in best) or any(h.chunk.table_header for h in hits):
        return []
    wanted = set(tokenize(" ".join(frame.counted)))
    if any(_misspelt_or_same(w, t) or _derived(w, t) for h in hits for t in set(tokenize(hit_text(h))) for w in wanted):
        return []
    return list(frame.counted)


def _derived(word: str, other: str) -> bool:
    """Return True when one word stem of five letters or more begins the other: a people and its country ("rurit" and
    "ruritania"), a word and one made from it ("employ" and "employment")."""
    short, long = sorted((word, other), key=len)
    return len(short) >= 5 and long.startswith(short)


def _misspelt_or_same(word: str, other: str) -> bool:
    """Return True when two word stems are the same, or one edit apart and long enough for that to be a typing slip
    ("houshold" for "household", "recomend" for "recommend")."""
    if word == other:
        return True
    if len(word) < 6 or abs(len(word) - len(other)) > 1:
        return False
    if len(word) == len(other):
        diff = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        # One letter changed, or two next to each other swapped ("recieve").
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == other[diff[1]]
                                  and word[diff[1]] == other[diff[0]])
    short, long = sorted((word, other), key=len)
    i = next((i for i, (a, b) in enumerate(zip(short, long[: len(short)], strict=True)) if a != b), len(short))
    return short[i:] == long[i + 1:]  # one letter left out


def year_unspoken(reading: Reading) -> str | None:
    """Return the year a figure is asked for ("how many … in 2022") when the likeliest unit's passage does not speak of
    it, else None.

    Only for a question that names one year, as the time of what it asks ("in", "during", "by", "for" or "since" the
    year), and asks only gated kinds of answer or none the wh-phrase tells ("what was the port's cargo tonnage in
    2020"): "the 2015 survey" names a source, two years ask for a change, and a date, a name or a place is told in many
    ways.
    """
    frame = reading.frame
    if len(frame.years) != 1 or not _asked_kinds(frame) <= GATED_TYPES or not reading.units:
        return None
    year = frame.years[0]
    if not re.fullmatch(r"\d{4}", year) or not re.search(rf"\b(?:in|during|by|for|since)\s+{year}\b", frame.text, re.I):
        return None
    best = reading.units[reading.ranked()[0]]
    return None if is_written(year, hit_text(reading.hits[best.hit])) else year


# A question asks what something is by default ("what is the default port", "which format does it use by default").
_ASKS_DEFAULT = re.compile(r"\bdefaults?\b", re.I)


def default_unspoken(reading: Reading) -> bool:
    """Return True when the question asks for a default and none of the likeliest units' passages speaks of one,
    though the library does elsewhere.

    A default is written as one ("defaults to", "by default", "Default:"); a passage that never says so gives a
    setting's meaning, not its default. Only the likeliest units' passages are read, not the units alone: a table's
    "Default" column or a heading may say it. In a library that never speaks of a default, the question's word is the
    asker's ("the default room rate" for the usual one), and the reader decides. A question asking why something
    is the default is left to the reader too.
    """
    text = reading.frame.text
    if not _ASKS_DEFAULT.search(text) or re.search(r"\bwhy\b", text, re.I) or not reading.units:
        return False
    if not reading.library_writes("default"):
        return False
    return not any(_ASKS_DEFAULT.search(hit_text(reading.hits[u.hit])) for u in _likeliest_units(reading))


def unmentioned_words(frame: QuestionFrame, hits: Sequence[Hit]) -> list[str]:
    """Return the question's content words when no passage read holds any of them, else [].

    Only when question and passages share a language: a Lao question finds English passages by meaning alone.
    The keyword leg's scores say it cheaply; the texts are read only when none scored.
    """
    if frame.language != "en" or not frame.terms or not hits or any(h.keyword for h in hits):
        return []
    if any(h.chunk.language != frame.language for h in hits):
        return []
    read = {t for h in hits for t in tokenize(hit_text(h))}
    if read & set(frame.terms):
        return []
    return [w for w in re.findall(r"[^\W\d_][\w'’-]*", frame.text) if tokenize(w)]


def refusal_by_checks(reading: Reading) -> str | None:
    """Return why a general check refuses the question whatever the probability (no word of the question in any
    passage read, a source the library does not hold, a name, year or figure no passage holds with the others, a
    gated kind of answer none gives, a year the closest passage does not speak of, a count none speaks of, or a default
    none states), or None."""
    if words := unmentioned_words(reading.frame, reading.hits):
        return f"No passage mentions {_joined(words, 'or')}."
    if not_held := sources_not_held(reading.frame.text, reading.sources, [h.chunk.text for h in reading.hits]):
        return f"The library holds no {' or '.join(not_held)}."
    if missing := missing_specifics(reading.frame, reading.hits, acronyms=reading.acronyms):
        years = [m for m in missing if m in reading.frame.years]
        if years and len(years) == len(missing):
            return f"No passage speaks of {' or '.join(years)}."
        return f"No passage mentions {_joined(missing)}."
    if wanted_type_missing(reading):
        return weak_refusal(reading)
    if year := year_unspoken(reading):
        return f"The passage closest to the question does not speak of {year}."
    if counted := counted_unmentioned(reading):
        return f"No passage close to the question speaks of {' '.join(counted)}."
    if default_unspoken(reading):
        return "No passage close to the question says what the default is."
    return None


def weak_refusal(reading: Reading) -> str:
    """Return why a question no likely unit answers is refused, in words a user understands."""
    kinds = sorted(_asked_kinds(reading.frame))
    if kinds and reading.units:
        texts = [without_figures_of(reading.frame.text, u.context(reading.hits[u.hit].chunk))
                 for u in _likeliest_units(reading)]
        if not any(gives(k, t) for k in kinds for t in texts):
            return f"No passage close to the question gives {' or '.join(_TYPE_NAMES[k] for k in kinds)}."
    return "The nearest passages speak of the subject but none answers the question closely enough."


def _joined(items: list[str], last: str = "and") -> str:
    """Return "a, b and c" (or "a, b or c")."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"
