"""What a question asks for: its names and figures, and the kind of answer it expects (a figure, a date)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from itertools import takewhile
from typing import Literal

from kb.lexical import JOINING_WORDS, LAO_RANGE, tokenize
from kb.types import Document, Hit

AnswerType = Literal["percent", "money", "number", "date"]

_SPECIFIC = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_][\w'’]*")

# Which questions want a figure or a date. "How often" wants a frequency ("every second month"),
# "who ..." a name: neither has a shape a pattern can check, so they expect nothing here.
_WANTS: list[tuple[AnswerType, re.Pattern[str]]] = [
    ("percent", re.compile(r"\b(?:what|which) (?:share|proportion|percentage|fraction)\b|\bwhat per ?cent", re.I)),
    (
        "money",
        re.compile(
            r"\bhow much\b.*\b(?:cost\w*|price\w*|pa(?:y|ys|id)|worth|spen[dt]\w*|allocat\w*|budget\w*|money|kip|"
            r"transfer\w*|contribut\w*|invest\w*|donat\w*|dollars?|fees?|salar\w+|wages?|funding)\b"
            r"|\bwhat (?:is|was|were|are) the (?:[\w-]+ ){0,2}?(?:cost|price|fee|budget)s?\b"
            r"|\b(?:what|which) (?:[\w-]+ )?amount\b.*\b(?:in|of) (?:kip|LAK|USD|US dollars|dollars)\b"
            r"|\bwhat (?:[\w-]+ ){0,2}?(?:fee|price|charge|tariff)s? (?:does|do|did|is|are|was|were|will)\b"
            r"|\bhow (?:big|large|high)\b.*\b(?:budget|cost|price|fee|salar\w+|wages?|funding)s?\b",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|large|big|far|long)\b|\bwhat (?:number|amount|figure|sum|rate)\b|\b[\w-]+ rate\b", re.I
        ),
    ),
    (
        "date",
        # "What did they say about when to decide …?" asks what was said, and "which standards did they use when
        # preparing the strategy?" what they used: neither asks for a date.
        re.compile(
            r"(?<!\babout )(?<!\bon )\bwhen\b(?!\s+(?!during\b)[a-z]+ing\b)"
            r"|\b(?:what|which) (?:date|day|year|month)\b|\bdeadline\b|\bwhich year\b",
            re.I,
        ),
    ),
]
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|half|dozen|third|quarter"
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_SET = frozenset(_MONTHS.lower().split("|"))
_HAS: dict[AnswerType, re.Pattern[str]] = {
    "percent": re.compile(r"%|\bper ?cent\b|\bhalf\b|\bthirds?\b|\bquarters?\b|\bone in \w+\b", re.I),
    "money": re.compile(r"(?<!\w)(?:LAK|kip|USD|US\$|dollars?|euros?|EUR|baht|THB)(?!\w)|[$€₭]", re.I),
    "number": re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I),
    "date": re.compile(
        rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\b|\bQ[1-4]\b|\bquarter\b",
        re.I,
    ),
}


def expected_answers(question: str) -> set[AnswerType]:
    """Return the kinds of answer the question asks for: a percentage, a number, a date (possibly several)."""
    found = {kind for kind, pattern in _WANTS if pattern.search(question)}
    if found & {"percent", "money"}:
        found.discard("number")  # "what share" is answered by "86.4%", "how much does it cost" by "LAK 800"
    return found


# "How long …", "how far ahead …", "how much notice …": the question wants a span of time. A figure of some
# other thing ("the pool has 24 vehicles") is no answer when a sentence nearby gives a span; when none does
# ("How long does the strategy run?" answered by "2021–2025") the figure or date asked for still serves.
_WANTS_SPAN = re.compile(
    r"\bhow (?:long|soon|early|far (?:ahead|in advance|before)|much (?:notice|time|advance notice)|"
    r"many (?:minutes|hours|days|weeks|months|years))\b"
    r"|\bthe longest\b|\b(?:maximum|minimum|longest|shortest)\s+(?:time|period|duration|stay|notice)\b",
    re.I,
)
_HAS_SPAN = re.compile(
    rf"\b(?:\d+|an?|{_NUMBER_WORDS})[\s-](?:(?:full|working|calendar|business|clear)[\s-])?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.I,
)


# Looser, for refusing: a span, a range of years ("2021–2025", "from 2021 to 2025") or a time until something
# ("until June 2025").
_MENTIONS_SPAN = re.compile(
    _HAS_SPAN.pattern + r"|\b(?:19|20)\d\d\s*(?:[–-]|to|and|until)\s*(?:\w+\s+)?(?:19|20)?\d\d\b"
    r"|\b(?:until|till|through|within)\b",
    re.I,
)


def asks_for_span(question: str) -> bool:
    """Return True when the question asks how long, how far ahead or how much notice."""
    return _WANTS_SPAN.search(question) is not None


def gives_span(text: str, *, loosely: bool = False) -> bool:
    """Return True when the text gives a span of time ("two working days", "48 hours", "a month"; loosely, also
    "2021–2025", "until June 2025", "within")."""
    return (_MENTIONS_SPAN if loosely else _HAS_SPAN).search(text) is not None


# "How far in advance …", "how much notice …": a span that ends before something ("two working days before
# the trip", "48 hours' notice"), not any span ("for trips longer than three days").
_WANTS_LEAD = re.compile(r"\b(?:ahead|in advance|beforehand|before|notice|early)\b", re.I)
_HAS_LEAD = re.compile(
    _HAS_SPAN.pattern + r"['’]?\s+(?:\w+\s+)?(?:before|in advance|ahead|prior|beforehand|notice|earlier)\b", re.I
)


def asks_for_lead_time(question: str) -> bool:
    """Return True when the question asks how far ahead something must be done."""
    return asks_for_span(question) and _WANTS_LEAD.search(question) is not None


def gives_lead_time(text: str) -> bool:
    """Return True when the text gives a span before something ("at least two working days before the trip")."""
    return _HAS_LEAD.search(text) is not None


# "How often …": the question wants a frequency ("every six months", "twice a year", "six-monthly"), and a
# sentence that gives none ("The pool has 24 vehicles") is no answer when one nearby does.
_WANTS_FREQUENCY = re.compile(r"\bhow (?:often|frequently)\b|\bat what (?:interval|frequency)\b", re.I)
_UNITS = r"(?:days?|weeks?|months?|quarters?|years?|km|kilometres?|trips?|meetings?)"
_HAS_FREQUENCY = re.compile(
    rf"\bevery\s+(?:(?:other|second|third|{_NUMBER_WORDS}|\d[\d,]*)\s+)?{_UNITS}\b"
    rf"|\b(?:once|twice|(?:{_NUMBER_WORDS}|\d+)\s+times)\s+(?:a|per|each|every)\s+{_UNITS}\b"
    r"|\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually|six-monthly|half-yearly|bi-monthly)\b"
    r"|\b(?:at\s+least|no\s+less\s+than)\s+(?:once|twice)\b",
    re.I,
)


# Looser, for refusing: a question "how often" that no read sentence answers even this way ("an annual
# report", "LAK 150,000 for each month") is refused; the strict pattern above chooses among sentences.
_MENTIONS_FREQUENCY = re.compile(
    _HAS_FREQUENCY.pattern + r"|\b(?:annual|biannual|semi-annual)\b|\b(?:each|per)\s+(?:day|week|month|quarter|year|trip)\b",
    re.I,
)


def asks_for_frequency(question: str) -> bool:
    """Return True when the question asks how often something happens."""
    return _WANTS_FREQUENCY.search(question) is not None


def gives_frequency(text: str, *, loosely: bool = False) -> bool:
    """Return True when the text gives a frequency ("every second month", "twice a year", "monthly"; loosely,
    also "an annual report", "for each month")."""
    return (_MENTIONS_FREQUENCY if loosely else _HAS_FREQUENCY).search(text) is not None


# What a frequency is of: "publish audited accounts every year" says how often accounts are published, not
# how often actuarial valuations are done. A frequency answers when its clause (the words between commas,
# semicolons and brackets) shares a word with the question, or speaks of the passage's own subject through a
# pronoun ("it is paid every second month"); a table row counts as one clause.
_CLAUSE_BREAK = re.compile(r"(?<!\d),|,(?!\d)|[;:()\[\]]|\s[–—-]\s")
_PRONOUN_SUBJECT = re.compile(r"\b(?:it|they|this|these|each|both)\b", re.I)


def frequency_of(question: str, text: str, *, loosely: bool = False) -> bool:
    """Return True when the text gives a frequency of what the question asks about (see above)."""
    pattern = _MENTIONS_FREQUENCY if loosely else _HAS_FREQUENCY
    if "|" in text:
        return pattern.search(text) is not None
    asked = set(tokenize(question))
    for clause in _CLAUSE_BREAK.split(text):
        if pattern.search(clause) and (asked.intersection(tokenize(clause)) or _PRONOUN_SUBJECT.search(clause)):
            return True
    return False


# "When did the decree enter into force?", "from when does it apply?": the date a text takes effect, which is
# not the date it was signed or issued unless a sentence says so ("takes effect on the date of its signature").
_WANTS_EFFECT = re.compile(
    r"\b(?:when|(?:what|which|the)\s+date|from when|since when)\b.*\b(?:(?:enter|entered|enters|come|came|comes|go|went|goes)"
    r"\s+into\s+force|in\s+force|(?:take|takes|took|taken|taking)\s+effect|in\s+effect|(?:become|became|becomes)\s+"
    r"effective|effective|appl(?:y|ies|ied)|valid)\b",
    re.I,
)
_HAS_EFFECT = re.compile(
    r"\b(?:into\s+force|in\s+force|(?:take|takes|took|taken)\s+effect|effective|appl(?:y|ies)\s+from|valid\s+from)\b",
    re.I,
)
_EFFECT_DATE = re.compile(
    r"\bdate\s+of\s+(?:its\s+)?(?:signature|signing|publication|promulgation|adoption|issue|approval)\b"
    r"|\b(?:upon|on|from)\s+(?:its\s+)?(?:signature|signing|publication|promulgation|adoption)\b",
    re.I,
)


# "When was the commission set up?", "when does the pilot end?": the date of that event, not of another one in
# the same passage ("the programme started in June 2021", "the next meeting, date to be set"). Each event is
# asked with one of its words, answered with any of them, and searched for with a few of them beside the
# question's own ("established on 9 December 2021" shares no word with "when was the commission set up?").
_EVENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str], str]] = {
    "set up": (
        re.compile(r"\b(?:set\s+up|establish(?:ed)?|created?|found(?:ed)?|formed|constituted)\s*\?", re.I),
        re.compile(r"\b(?:set\s+up|establish\w*|creat\w*|found(?:ed|ing)|formed|formation|constitut\w*)\b", re.I),
        "established created founded",
    ),
    "issued": (
        re.compile(
            r"\b(?:signed|promulgated|adopted|enacted|passed|approved|issued|endorsed|ratified|published)\s*\?"
            r"|\bdid\b.+\b(?:sign|promulgate|adopt|enact|approve|issue|endorse|ratify|publish)\b",
            re.I,
        ),
        re.compile(
            rf"\b(?:sign\w*|dated|promulgat\w*|adopt\w*|enact\w*|passed|approv\w*|issu\w*|endors\w*|ratif\w*|publish\w*)\b"
            rf"|\bNo\.\s*\S+\s+of\s+\d{{1,2}}\s+(?:{_MONTHS})",
            re.I,
        ),
        "signed dated approved",
    ),
    "launched": (
        re.compile(r"\b(?:launched|inaugurated|kicked\s+off|rolled\s+out|unveiled)\b", re.I),
        re.compile(r"\b(?:launch\w*|inaugurat\w*|kick\w*\s+off|roll\w*\s+out|unveil\w*)\b", re.I),
        "launched inaugurated",
    ),
    "end": (
        re.compile(r"\b(?:end|ends|ended|close|closes|closed|finish|finishes|finished|expire|expires|expired)\s*\?", re.I),
        re.compile(
            r"\b(?:end(?:s|ed|ing)?(?!-)|clos\w*|finish\w*|conclu\w*|expir\w*)\b|\b(?:until|till|through|to)\s+(?:\w+\s+)?(?:19|20)\d\d\b"
            r"|[–-]\s*(?:19|20)\d\d\b",
            re.I,
        ),
        "end until",
    ),
}
_WHEN = re.compile(r"\b(?:when|(?:what|which)\s+(?:exact\s+|precise\s+)?(?:date|day|year|month))\b", re.I)


def event_asked(question: str) -> str | None:
    """Return the event whose date the question asks ("set up", "end"), or None."""
    if _WHEN.search(question) is None:
        return None
    return next((event for event, (asked, _, _) in _EVENTS.items() if asked.search(question)), None)


def event_words(question: str) -> str:
    """Return the words to search for beside a question on the date of an event ("" for other questions)."""
    event = event_asked(question)
    return _EVENTS[event][2] if event else ""


def tells_event(event: str, text: str) -> bool:
    """Return True when the text speaks of the event ("established on 9 December 2021" for "set up"); a Lao
    sentence, which the English event words cannot read, is given the benefit of the doubt."""
    return _EVENTS[event][1].search(text) is not None or _LAO_SCRIPT.search(text) is not None


_LAO_SCRIPT = re.compile(f"[{LAO_RANGE}]")


# "When was the 2018 Health Insurance Law promulgated?" is about a law, which "Prime Minister's Decree No. 470/PM on
# National Health Insurance, dated 17 October 2012" is not: a kind of legal text the question names must be the
# kind the dated sentence speaks of (a decree, an order or a regulation are one kind of act; a law, a strategy
# or plan, a convention are others), or the sentence speaks of it as "it" or "this".
_INSTRUMENTS = (
    r"laws?",
    r"(?:decrees?|orders?|regulations?|instructions?|resolutions?|notices?|agreements?)",
    r"(?:strateg(?:y|ies)|plans?|polic(?:y|ies))",
    r"(?:conventions?|recommendations?)",
)
_IT_START = re.compile(r"\W*(?:it|this|these)\b", re.I)


def names_instrument(question: str, text: str) -> bool:
    """Return True unless the question names a kind of legal text that the text neither names nor speaks of as it."""
    kinds = [kind for kind in _INSTRUMENTS if re.search(rf"\b{kind}\b", question, re.I)]
    if not kinds or _IT_START.match(text):
        return True
    return any(re.search(rf"\b{kind}\b", text, re.I) for kind in kinds)


def asks_when_effective(question: str) -> bool:
    """Return True when the question asks when something takes effect ("enter into force", "apply from")."""
    return _WANTS_EFFECT.search(question) is not None


def gives_effect_date(text: str) -> bool:
    """Return True when the text says when something takes effect: "takes effect on the date of its signature",
    "effective 1 January 2023" (not "Decree No. 224/PM of 1 April 2020", which is when it was signed)."""
    return _HAS_EFFECT.search(text) is not None and (
        _EFFECT_DATE.search(text) is not None or gives("date", text)
    )


# "Which agency has to …", "who is in charge of …": recommendations and action items name their owner in a
# field ("(Responsible: LSSO. Deadline: …)", a table's "Responsible" or "Lead body" column).
_ASKS_OWNER = re.compile(
    r"\bwho (?:is|was|are|were) (?:in charge|responsible)\b|\bresponsible for\b"
    r"|\b(?:who|which \w+) (?:(?:has|had|have) to|must|should|will) \w+"
    r"|\b(?:who|which \w+)\b.*\b(?:task(?:ed)?|assign(?:ed)?|charge[ds]?)\s+(?:\w+\s+){0,4}?(?:with|to)\b",
    re.I,
)
_HAS_OWNER = re.compile(r"\b(?:Responsible|Owner|Lead\s+(?:body|agency|ministry))\s*[:|]|\|\s*(?:Responsible|Lead body)\b")


def asks_for_owner(question: str) -> bool:
    """Return True when the question asks which body is responsible for something."""
    return _ASKS_OWNER.search(question) is not None


def names_owner(text: str) -> bool:
    """Return True when the text names an owner in a field: "(Responsible: MoF …)", a "Lead body" column."""
    return _HAS_OWNER.search(text) is not None


# "What is the name of the minister who chaired …?" wants a person's name ("Mr Leepao Yang", "the UN Resident
# Coordinator, Sara Sekkenes"), not the office ("Chair: Minister of Labour and Social Welfare").
_WANTS_PERSON = re.compile(r"\bwhat(?: is| was|'s|’s) (?:the )?(?:full )?names? of\b|\bwhat (?:is|was) (?:he|she) called\b", re.I)
_HONORIFIC_NAME = re.compile(r"\b(?:Mr|Ms|Mrs|Miss|Dr|Prof|Madam|H\.\s?E)\.?\s+[A-Z][\w’'-]+")
# … or a name in apposition: "the UN Resident Coordinator, Sara Sekkenes." (two capitalised words between commas).
_NAME_IN_APPOSITION = re.compile(r",\s+([A-Z][a-z][\w’'-]*)\s+([A-Z][a-z][\w’'-]*)\s*[,.;)]")
# Words of offices, bodies and places, which two capitalised words of a person's name are not.
_OFFICE_WORDS = frozenset(
    """minister ministry vice deputy director general chair chairperson president secretary secretariat coordinator
    representative governor commission committee council bureau office department organisation organization
    national social protection welfare labour labor health insurance security education sports finance planning
    investment fund programme program project strategy review decree law policy grant scheme united nations
    world food bank international development the of and lao province district capital vientiane people's
    democratic republic embassy agency unit centre center institute university association union federation
    authority mission delegation team group partners observers members""".split()
)
_NOT_NAMES = _OFFICE_WORDS | _MONTH_SET


# "Which vice minister officiated …?", "who opened the project?": a person or an office answers ("Mr Leepao Yang",
# "the Vice Minister of Labour"), not the date of the ceremony.
_WANTS_OFFICIAL = re.compile(
    r"\bwhich\s+(?:vice[\s-]+|deputy\s+|prime\s+)?(?:minister|official|officer|governor|director(?:-general)?|speaker)s?\b"
    r"|\bwho\s+(?:officiated|opened|closed|launched|presided|chaired|spoke|signed|addressed|inaugurated|welcomed)\b"
    r"|\bwhose\s+(?:sign[\s-]?off|signature|approval|permission|authori[sz]ation|consent|clearance)\b",
    re.I,
)
_OFFICE = re.compile(
    r"\b(?:(?:Vice|Deputy|Prime)[\s-]+)?(?:Minister|Director(?:-General)?|Governor|Chair(?:person|man|woman)?|President|"
    r"Secretary|Coordinator|Ambassador|Head|Representative|Vice-governor)s?\b|\bchaired\s+by\b|\bled\s+by\b"
)


def asks_for_official(question: str) -> bool:
    """Return True when the question asks which official did something ("which vice minister officiated")."""
    return _WANTS_OFFICIAL.search(question) is not None


def names_official(text: str) -> bool:
    """Return True when the text names a person or an office ("the Vice Minister of Labour", "chaired by")."""
    return names_person(text) or _OFFICE.search(text) is not None


def asks_for_person(question: str) -> bool:
    """Return True when the question asks for someone's name ("what is the name of the minister …")."""
    return _WANTS_PERSON.search(question) is not None


def names_person(text: str) -> bool:
    """Return True when the text names a person: an honorific and a name, or two capitalised words set off by
    commas that are not words of an office, a body or a place."""
    if _HONORIFIC_NAME.search(text):
        return True
    return any(a.lower() not in _NOT_NAMES and b.lower() not in _NOT_NAMES for a, b in _NAME_IN_APPOSITION.findall(text))


# "How many pregnant women is the pilot aiming to reach?" asks a target, which the number enrolled so far
# ("Pregnant women | 529" under "Number enrolled") is not; "the pilot aims to reach at least 1,400 children",
# "Illustrative target: by 2025, 90 per cent …" are.
_WANTS_TARGET = re.compile(
    r"\b(?:aim(?:s|ed|ing)?|meant|supposed|expected|planned|intended|set)\s+to\s+"
    r"(?:reach|cover|enrol|join|have|serve|achieve|attain|benefit|get|hit)\b|\b(?:target|goal)s?\b",
    re.I,
)
_HAS_TARGET = re.compile(
    r"\b(?:target\w*|aim\w*|goals?|plan(?:s|ned)?|will|shall|expected|intend\w*|commit\w*|objectives?)\b"
    r"|\bby\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d\b",
    re.I,
)


def asks_for_target(question: str) -> bool:
    """Return True when the question asks what figure something aims at ("meant to reach", "the target")."""
    return _WANTS_TARGET.search(question) is not None


def gives_target(text: str) -> bool:
    """Return True when the text states an aim ("aims to reach", "target", "will", "by 2025")."""
    return _HAS_TARGET.search(text) is not None


def gives(kind: AnswerType, text: str) -> bool:
    """Return True when `text` holds an answer of that kind (a figure, a percentage, a date)."""
    return _HAS[kind].search(text) is not None


_YEAR_ASKED = re.compile(
    r"\b(?:(?:by|in|until|before|after|since|during|for)\s+|(?:end|start|beginning|middle|(?:first|second)\s+half)\s+of\s+"
    r"|mid-?)((?:19|20)\d\d)\b",
    re.I,
)


# Years said relative to today: "this year", "next year", "by the end of the decade".
_RELATIVE_YEARS: list[tuple[re.Pattern[str], Callable[[int], int]]] = [
    (re.compile(r"\b(?:this|the current) year\b", re.I), lambda year: year),
    (re.compile(r"\bnext year\b", re.I), lambda year: year + 1),
    (re.compile(r"\b(?:last|previous) year\b", re.I), lambda year: year - 1),
    (re.compile(r"\bend of (?:this|the|the current) decade\b", re.I), lambda year: year // 10 * 10 + 10),
]


def years_asked(question: str, today: date | None = None) -> list[str]:
    """Return the years a question is about: "in 2023", "by 2030", "this year" (not a year inside a name)."""
    year = (today or date.today()).year
    relative = [str(when(year)) for pattern, when in _RELATIVE_YEARS if pattern.search(question)]
    return _YEAR_ASKED.findall(question) + relative


def speaks_of(hit: Hit, years: list[str]) -> bool:
    """Return True when the passage itself (text, section, table header) names every one of the years.

    The document's title does not count: "Vision 2030" in a strategy's title does not make its
    passage on 2025 contribution rates an answer about 2030.
    """
    return names_years(f"{hit.chunk.section or ''} {hit.chunk.table_header or ''} {hit.chunk.text}", years)


# "Who spoke at the launch in November 2023?": a month and year date an event, which a meeting's record may not
# repeat in every passage (so they are not years the passage must name); but a passage that names other years
# only, in a document not dated that year, is about another event (the strategy's launch in September 2020).
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS})\s+((?:19|20)\d\d)\b", re.I)


def month_years(question: str) -> list[str]:
    """Return the years of the months a question names ("2023" for "in November 2023")."""
    return _MONTH_YEAR.findall(question)


def speaks_of_other_years(hit: Hit, years: list[str]) -> bool:
    """Return True when the passage names years, none of them one asked, and its document is dated another year."""
    if not years or (hit.document.date or "")[:4] in years:
        return False
    named = set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", f"{hit.chunk.section or ''} {hit.chunk.text}"))
    return bool(named) and not named & set(years)


# "The meeting in the second half of 2024", "the session in November 2023": a meeting's record dated outside that
# period is not its record, unless a passage of it speaks of the period ("the next high-level meeting will be held
# in the second half of 2024"). Each period is (phrase, first month "YYYY-MM", last month "YYYY-MM").
_PERIOD = re.compile(
    rf"\b(?:(first|second)\s+half|(first|second|third|fourth|last)\s+quarter|({_MONTHS}))\s+(?:of\s+)?((?:19|20)\d\d)\b",
    re.I,
)
_HALVES = {"first": (1, 6), "second": (7, 12)}
_QUARTERS = {"first": (1, 3), "second": (4, 6), "third": (7, 9), "fourth": (10, 12), "last": (10, 12)}


def periods_asked(question: str) -> list[tuple[str, str, str]]:
    """Return the periods shorter than a year that a question names, as (phrase, first month, last month)."""
    found = []
    for match in _PERIOD.finditer(question):
        half, quarter, month, year = match.groups()
        if half:
            first, last = _HALVES[half.lower()]
        elif quarter:
            first, last = _QUARTERS[quarter.lower()]
        else:
            first = last = _MONTHS.split("|").index(month.capitalize()) + 1
        found.append((match.group(0), f"{year}-{first:02d}", f"{year}-{last:02d}"))
    return found


def record_of_another_period(hit: Hit, periods: list[tuple[str, str, str]]) -> bool:
    """Return True when the passage is from a meeting's record dated outside every period asked about, and does
    not itself speak of one of them."""
    return recorded_outside(hit, periods) and not names_period(f"{hit.chunk.section or ''} {hit.chunk.text}", periods)


def _record_month(hit: Hit) -> str | None:
    """Return the month ("YYYY-MM") of the meeting the passage's record is of, or None when it is no dated record."""
    date = (hit.document.date or "")[:7]
    return date if hit.document.doc_type == "minutes" and date else None


def recorded_outside(hit: Hit, periods: list[tuple[str, str, str]]) -> bool:
    """Return True when the passage is from a meeting's record dated outside every period asked about."""
    month = _record_month(hit)
    return month is not None and bool(periods) and not any(first <= month <= last for _, first, last in periods)


def written_before(hit: Hit, periods: list[tuple[str, str, str]]) -> bool:
    """Return True when the passage's document is dated before every period asked about: whatever it says of that
    period is a plan ("Next meeting: end of January 2024", "due 8 January 2024"), not a record of it."""
    date = (hit.document.date or "")[:7]
    return bool(date) and bool(periods) and all(date < first for _, first, _ in periods)


def recorded_within(hit: Hit, periods: list[tuple[str, str, str]]) -> bool:
    """Return True when the passage is from a meeting's record dated within a period asked about."""
    month = _record_month(hit)
    return month is not None and any(first <= month <= last for _, first, last in periods)


def names_period(text: str, periods: list[tuple[str, str, str]]) -> bool:
    """Return True when the text speaks of one of the periods asked about ("in the second half of 2024")."""
    text = " ".join(text.split())
    return any(re.search(re.escape(phrase).replace(r"\ ", r"\s+"), text, re.I) for phrase, _, _ in periods)


# "What did the commission decide at its meeting in the second half of 2024?": a sentence that announces a meeting
# ("Next meeting: end of January 2024", "will be held in the second half of 2024") tells when it is to be, not what
# it did.
_ASKS_OUTCOME = re.compile(
    r"\b(?:decisions?|decided?|decides|agreed|agreements?|action\s+items?|resolutions?|resolved|conclu\w+|outcomes?|"
    r"discuss\w*|happened)\b",
    re.I,
)
_MEETING = re.compile(r"\b(?:meeting|session|workshop|conference)s?\b", re.I)
_ANNOUNCES = re.compile(
    r"^\W*Next\s+(?:meeting|session)\s*:|\b(?:will|shall|is\s+to|are\s+to)\s+(?:be\s+)?(?:held|convened|meet|convene|"
    r"take\s+place)\b|\bto\s+be\s+held\b",
    re.I,
)


def asks_meeting_outcome(question: str) -> bool:
    """Return True when the question asks what a meeting did: its decisions, agreements, action items."""
    return _ASKS_OUTCOME.search(question) is not None and _MEETING.search(question) is not None


def announces_meeting(text: str) -> bool:
    """Return True when the sentence announces a meeting to come."""
    return _ANNOUNCES.search(text) is not None


# "How many were enrolled in Nong district?": a passage that does not name the district does not answer for it,
# however close its figures ("the first transfers were made in Sanamxay district"; "the first provincial NHIB
# office opened in April 2014" is no answer about Luang Prabang province).
_PLACE_KINDS = r"(district|province|village|city|town)"
_PLACE_NAME = r"([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)"
_PLACE_ASKED = re.compile(rf"\b{_PLACE_NAME}\s+{_PLACE_KINDS}s?\b|\b{_PLACE_KINDS}\s+of\s+{_PLACE_NAME}")
_NOT_PLACE_NAMES = frozenset("which what each every the a one two three four five several many all some".split())


# The provinces of Lao PDR, each with the spellings documents use, so that a question naming one without the word
# "province" ("the NHIB's office in Luang Prabang") is held to it, and "Luangnamtha" answers for "Luang Namtha".
# Vientiane is left out: the capital, the province and the city share the name.
_PROVINCES = tuple(
    tuple(names.split("|"))
    for names in (
        "Attapeu|Attapu|Attopeu", "Bokeo", "Bolikhamxay|Bolikhamsai|Borikhamxay|Borikhamxai",
        "Champasak|Champassak|Champasack|Champassack", "Houaphanh|Houaphan|Huaphan|Hua Phan",
        "Khammouane|Khammouan|Khammuan", "Luang Namtha|Luangnamtha|Louang Namtha",
        "Luang Prabang|Luangprabang|Louangphabang|Luang Phabang", "Oudomxay|Oudomxai|Udomxai|Oudomsay",
        "Phongsaly|Phongsali", "Salavan|Saravane|Salavanh|Saravan", "Savannakhet", "Sekong|Xekong|Xe Kong",
        "Xaisomboun|Xaysomboun|Saysomboun", "Xayaboury|Xayabouly|Sayaboury|Sainyabuli|Xaignabouli",
        "Xiengkhouang|Xieng Khouang|Xiangkhouang",
    )
)


_PROVINCE_WORDS = frozenset(word.lower() for names in _PROVINCES for name in names for word in name.split())


def _spellings(name: str) -> tuple[str, ...]:
    """Return every spelling of a province's name (the name alone for any other place)."""
    key = name.replace(" ", "").lower()
    return next((names for names in _PROVINCES if key in {n.replace(" ", "").lower() for n in names}), (name,))


def places_asked(question: str) -> list[tuple[str, str]]:
    """Return the places a question is about, with their kind: [("Nong", "district")] for "in Nong district",
    [("Luang Prabang", "province")] for "in Luang Prabang"."""
    found = []
    for name, kind, kind_of, name_of in _PLACE_ASKED.findall(question):
        name, kind = (name, kind) if name else (name_of, kind_of)
        if name.split()[0].lower() not in _NOT_PLACE_NAMES:
            found.append((name, kind.lower()))
    named = {_spellings(name)[0] for name, _ in found}
    for names in _PROVINCES:
        if names[0] not in named and any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", question, re.I) for n in names):
            found.append((names[0], "province"))
    return found


def names_places_asked(hit: Hit, places: list[tuple[str, str]]) -> bool:
    """Return True when the passage (text or section) names every place the question is about, in any spelling."""
    text = f"{hit.chunk.section or ''} {hit.chunk.text}"
    return all(
        any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I) for n in _spellings(name)) for name, _ in places
    )


# "Which provinces did the team visit?" wants provinces by name: "visits to three provinces" names none.
_WHICH_PLACES = re.compile(rf"\b(?:which|what)\s+(?:[\w-]+\s+){{0,2}}?{_PLACE_KINDS}s?\b", re.I)


def place_kind_asked(question: str) -> str | None:
    """Return the kind of place a question asks to name ("province" for "which three provinces"), or None."""
    match = _WHICH_PLACES.search(question)
    return match.group(1).lower() if match else None


def plural_places_asked(question: str) -> bool:
    """Return True when the question asks which places, in the plural ("which districts", not "which district")."""
    match = _WHICH_PLACES.search(question)
    return match is not None and match.group(0).lower().endswith("s")


def names_places(kind: str, text: str, question: str = "") -> bool:
    """Return True when the text names a place of the kind that the question does not: a capitalised word
    within three words of the kind ("three northern provinces: Phongsaly, Oudomxay", "in Sanamxay district",
    "Vice-governors of Attapeu, Savannakhet and Luang Prabang provinces")."""
    return bool(places_named(kind, text, question))


def places_named(kind: str, text: str, question: str = "") -> set[str]:
    """Return the names of places of the kind that the text names and the question does not (see `names_places`)."""
    asked = {w.lower() for w in re.findall(r"[\w’'-]+", question)}
    found: set[str] = set()
    for part in re.split(r"[|;()]", text):
        found |= _places_named_in(kind, re.findall(r"[\w’'-]+", part), asked)
    return found


def _places_named_in(kind: str, words: list[str], asked: set[str]) -> set[str]:
    found = set()
    for i, word in enumerate(words):
        if not re.fullmatch(rf"{kind}s?", word, re.I):
            continue
        for near in words[max(0, i - 3) : i] + words[i + 1 : i + 4]:
            if (
                near[:1].isupper() and not re.fullmatch(rf"{_PLACE_KINDS}s?", near, re.I)
                and near.lower() not in asked and near.lower() not in _NOT_PLACE_NAMES and near.lower() not in _MONTH_SET
                and (kind.lower() == "province" or near.lower() not in _PROVINCE_WORDS)  # "districts of Attapeu"
            ):
                found.add(near)
    return found


def names_years(text: str, years: list[str]) -> bool:
    """Return True when the text names every one of the years ("2023", not "12023")."""
    return all(re.search(rf"(?<!\d){year}(?!\d)", text) for year in years)


# "The National Social Protection Strategy 2026–2030", "its 2020–2023 spending data": a span of years names a plan,
# a phase or a series; a passage speaks of it when it, or the document it is in (title or file name: the strategy
# "nsps-2021-2025.pdf"), names the span's first year. The strategy of 2021–2025 says nothing of the 2026–2030 one's
# goals, however well its own goals match.
_RANGE_ASKED = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*(?:(?:19|20)\d\d|\d\d)(?!\d)")


def ranges_asked(question: str) -> list[str]:
    """Return the first year of each span of years the question names ("2026" for "2026–2030")."""
    return _RANGE_ASKED.findall(question)


def speaks_of_ranges(hit: Hit, firsts: list[str]) -> bool:
    """Return True when the passage or its document names the first year of every span asked about."""
    doc = hit.document
    return names_years(f"{doc.title} {doc.source} {hit.chunk.section or ''} {hit.chunk.text}", firsts)


# "according to the review", "what does the strategy say", "what did the working group agree": the
# question names where the answer should come from, not only what it is about.
_SOURCE = re.compile(
    r"\baccording to (?:the |our )?([\w’'–-]+(?: [\w’'–-]+){0,3}?)(?:’s|'s)?(?= table\b|[,?.]|$| on\b| for\b| in\b)"
    r"|\b(?:does|did|do) the ([\w–-]+(?: [\w–-]+){0,2}?) "
    r"(?:say|said|recommend|find|found|report|propose|conclude|state|decide|agree|pledge|promise|commit|ask|plan|set|"
    r"task|assign|call|urge|suggest|advise|expect|want|list|name|give)\b",
    re.I,
)


def named_sources(question: str) -> list[str]:
    """Return the documents a question names as its source: "the mid-term review", "the strategy"."""
    return [re.sub(r"(?:’s|'s)$", "", (a or b).lower()) for a, b in _SOURCE.findall(question)]


# Words that name a kind of document: "the strategy" is the document of that type, not any document whose
# title mentions a strategy (the review's title does).
_DOC_TYPE_WORDS = {"strategy", "review", "minutes", "decree", "brief", "note"}


def is_named(document: Document, sources: list[str]) -> bool:
    """Return True when the document is one the question names as its source (a year in the name, "the 2024
    mid-term review", is the year the document is dated)."""
    title = set(tokenize(document.title)) | ({document.date[:4]} if document.date else set())
    for source in sources:
        words = tokenize(source)
        head = source.split()[-1] if source.split() else ""
        if words and all(w in title for w in words) and (head not in _DOC_TYPE_WORDS or document.doc_type == head):
            return True
    return False


def sources_not_held(question: str, documents: Iterable[Document]) -> list[str]:
    """Return the documents a question names as its source that the library does not hold.

    Only a name whose last word is a kind of document counts ("the end-term review", "the 2019
    strategy"): the library can say nothing of what a review it lacks recommended, however close the
    mid-term review's sentences come. "What did the commission decide" names a body, not a document.
    """
    documents = list(documents)
    sources = named_sources(question)
    sources += [review.lower() for review in _TERM_REVIEW.findall(question) if review.lower() not in sources]
    return [
        source
        for source in sources
        if source.split()[-1] in _DOC_TYPE_WORDS and not any(is_named(d, [source]) for d in documents)
    ]


def held_source_years(question: str, documents: Iterable[Document]) -> set[str]:
    """Return the years that only say which held document the question names ("2024" in "according to the 2024
    mid-term review"): the review's passages need not repeat the year it is dated."""
    documents = list(documents)
    return {
        year
        for source in named_sources(question)
        if any(is_named(d, [source]) for d in documents)
        for year in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", source)
    }


# A review is named by its term wherever the question speaks of it: "the interviews held for the end-term review",
# "the end-term review team" are about that review, not the mid-term one.
_TERM_REVIEW = re.compile(r"\b(\w+-term\s+review)\b", re.I)


_REPORTING = (
    r"(?:reports?|reported|finds|found|shows?|showed|notes?|noted|recommends?|recommended|states?|stated|says|said|"
    r"concludes?|concluded|estimates?|estimated)"
)


def reports(text: str, source: str) -> bool:
    """Return True when the text reports what a source says: "The end-term review of the strategy reports
    that …", "according to the end-term review" (the library may quote a document it does not hold)."""
    name = r"\s+".join(map(re.escape, source.split()))
    return re.search(
        rf"\b{name}(?:\s+of\s+the\s+[\w-]+)?\s+(?:has\s+|had\s+)?{_REPORTING}\b|\baccording\s+to\s+the\s+{name}\b",
        text,
        re.I,
    ) is not None


# "What does Article 2 say?", "section 4.2", "§ 3": the question points at a numbered part of a document, and a
# passage under that heading answers it over the preamble or a neighbouring article.
_PART = re.compile(r"\b(article|art\.|section|chapter|annex|part|item)\s+(\d+(?:\.\d+)*|[ivx]+)\b|§\s*(\d+(?:\.\d+)*)", re.I)


def parts_named(question: str) -> list[str]:
    """Return the numbered parts a question points at, as their headings begin: "article 2", "annex 1", and
    "4.2" for "section 4.2" or "§ 4.2" (a numbered heading seldom says "section")."""
    parts = []
    for kind, number, bare in _PART.findall(question):
        kind = "article" if kind.lower() == "art." else kind.lower()
        parts.append(bare or (number if kind in ("section", "chapter", "part") else f"{kind} {number}").lower())
    return parts


def under_part(hit: Hit, parts: list[str]) -> bool:
    """Return True when the passage's section heading is one of the parts ("Article 2. Mandate", "4.2 …")."""
    section = " ".join((hit.chunk.section or "").lower().replace("art.", "article").split())
    section = section.removeprefix("section ")
    return any(re.match(rf"{re.escape(p)}(?!\d)", section) for p in parts)  # "4.2" takes in "4.2.1", not "4.21"


# "What did we promise …", "what is the target …": the question wants a commitment, and a sentence that
# states one ("commits to", "will", "Illustrative target: …", a row under "Commitment | … | Target year") is
# the answer, not a sentence that reports where things stand.
_ASKS_COMMITMENT = re.compile(
    r"\b(?:promis\w*|pledg\w*|commit\w*|targets?|aim(?:s|ed)?|goals?|plann?(?:ed|s)? to|undert(?:ake|ook)\w*)\b", re.I
)
_STATES_COMMITMENT = re.compile(r"\b(?:commit\w*|will|shall|targets?|pledg\w*|promis\w*)\b", re.I)


def asks_for_commitment(question: str) -> bool:
    """Return True when the question asks what was promised, pledged or targeted."""
    return _ASKS_COMMITMENT.search(question) is not None


def states_commitment(text: str) -> bool:
    """Return True when the text states a commitment rather than a fact."""
    return _STATES_COMMITMENT.search(text) is not None


# A meeting's record heads its minutes with fields: "Chair: …", "Venue: …", "Date: …". A question about who
# chaired a meeting, where or when it met is answered by that field, which shares no word with "presided"
# or "held" and is too short for its vector to say much.
_MEETING_FIELDS: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        # … of a meeting: "who chaired the working group in March 2024", not "who chairs the committee in each
        # province" (a standing role, which a meeting record's "Chair:" line does not answer).
        re.compile(
            rf"\bwho\b.*\b(?:chair\w*|presid\w*|in the chair)\b(?=.*\b(?:meeting|session|workshop|conference|met|"
            rf"{_MONTHS}|(?:19|20)\d\d)\b)",
            re.I,
        ),
        re.compile(r"^(?:Chair(?:person|man|woman)?|Presid(?:ent|ing officer|ed by))\s*:", re.I),
    ),
    (
        re.compile(r"\bwhere\b.*\b(?:meet|met|meeting|held|convened?|take place|took place)\b", re.I),
        re.compile(r"^(?:Venue|Place|Location)\s*:", re.I),
    ),
    (
        re.compile(r"\b(?:when|(?:what|which) (?:date|day))\b.*\b(?:meet|met|meeting|held|convened?)\b", re.I),
        re.compile(r"^Date(?: and time)?\s*:", re.I),
    ),
    (
        # "Which partners sat in as observers?", "who attended the meeting?": the record's "Observers:",
        # "Present:" lines.
        re.compile(
            r"\b(?:observers?|attend(?:ed|ees?|ance)|participants?|(?:was|were) (?:present|there)|sat in)\b"
            r"(?=.*\b(?:meeting|session|workshop|conference|met|commission|group)\b)",
            re.I,
        ),
        re.compile(r"^(?:Observers?|Present|Participants|Attendees|In attendance|Members(?: present)?)\s*:", re.I),
    ),
]


# "When is the next meeting?": a record's own "Date:" line is the date of the meeting it records, not of the next;
# the sentence announcing the next one answers ("The next high-level meeting will be held in the second half of 2024").
_NEXT_MEETING = re.compile(r"\b(?:next|upcoming|coming|following)\s+(?:[\w-]+\s+){0,3}?(?:meeting|session)s?\b", re.I)


def asks_next_meeting(question: str) -> bool:
    """Return True when the question is about a meeting still to come ("the next high-level meeting")."""
    return _NEXT_MEETING.search(question) is not None


def asks_meeting_field(question: str) -> bool:
    """Return True when the question asks who chaired a meeting, where or when it met (a meeting recorded, not the
    next one)."""
    return not asks_next_meeting(question) and any(asks.search(question) for asks, _ in _MEETING_FIELDS)


def answers_meeting_field(question: str, text: str) -> bool:
    """Return True when the text is the field of a meeting's record that the question asks for."""
    line = text.strip()
    return any(asks.search(question) and field.match(line) for asks, field in _MEETING_FIELDS)


# "How many drivers …", "in how many villages …": the question counts a thing, and a figure of another thing
# in a sentence on the same topic ("within 48 hours", "24 vehicles") does not answer it. The thing counted is
# the phrase after "how many" up to its first function word; its head is the phrase's first plural ("U-Money
# agents"), else its first word ("how many kip").
_HOW_MANY = re.compile(r"\b(?:how many|what number of)\s+([\w’'-]+(?:\s+[\w’'-]+){0,4})", re.I)
_PHRASE_END = frozenset(
    """do does did is are was were be been have has had will would can could should must may might in on at of
    for to by from with across within per that who which there than""".split()
)
_IRREGULAR_PLURALS = frozenset("people children staff personnel women men police cattle livestock".split())
# Counted by anything: "how many people" is answered by "46 interviews" or "982 beneficiaries"; units of time
# are a span, checked as one.
_ANY_COUNT = frozenset("people persons individuals times minutes hours days weeks months years".split())
# Words for the same people or things that a count may use instead of the question's: a small thesaurus of
# whom and what social protection documents count, with their currencies.
_KINDRED = [
    frozenset("children child pupils pupil students student kids kid learners learner schoolchildren".split()),
    frozenset("women woman mothers mother".split()),
    frozenset("delegates delegate representatives representative participants participant attendees".split()),
    frozenset("staff employees employee personnel officials official officers officer".split()),
    frozenset("households household families family".split()),
    frozenset("beneficiaries beneficiary recipients recipient".split()),
    frozenset("vehicles vehicle cars car".split()),
    frozenset("kip lak ₭".split()),
    frozenset("dollars dollar us$ usd $".split()),
]
_COUNT_TOKEN = re.compile(rf"\d(?:[\d,.]*\d)?|\b(?:{_NUMBER_WORDS})\b|[A-Z]{{2}}\$|[$₭]|[^\W\d_][\w’'-]*", re.I)
_NUMBER = re.compile(rf"\d|(?:{_NUMBER_WORDS})$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_SHARES = frozenset("half third quarter".split())
_DATE_OR_TIME = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b(?!,\d)|\b\d{{1,2}}:\d\d\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.I,
)


def counted_things(question: str) -> list[str] | None:
    """Return what a "how many" question counts ("drivers"; "trucks", "cars" for "trucks and cars"), an empty
    list when it counts nothing in particular ("how many farmers and other people"), None when it counts
    nothing at all (not a "how many" question)."""
    matches = list(_HOW_MANY.finditer(question))
    if not matches:
        return None
    things: list[str] = []
    # "How many schools … and in how many provinces?" counts both.
    for match in matches:
        phrase = list(takewhile(lambda w: w.lower() not in _PHRASE_END, match.group(1).split()))
        if any(w.lower() in _ANY_COUNT for w in phrase):
            return []
        for part in re.split(r"\s+(?:and|or)\s+", " ".join(phrase), flags=re.I):
            words = part.split()
            plurals = [w for w in words if w.lower() in _IRREGULAR_PLURALS or re.search(r"[^su]s$", w.lower())]
            things += (plurals or words)[:1]
    return things


def _forms(thing: str) -> set[str]:
    """Return the words, lower-cased, and their stems that name the thing or its kin."""
    kin = next((group for group in _KINDRED if thing.lower() in group), frozenset([thing.lower()]))
    return set(kin) | {stem for w in kin for stem in tokenize(w)[-1:]}


def _names(word: str, forms: set[str]) -> bool:
    return word.lower() in forms or bool(forms.intersection(tokenize(word)))


def counts(text: str, things: list[str]) -> bool:
    """Return True when the text gives a figure of the thing: "46 villages", "eight provinces", "more than
    500 schools", "workers (86.4 per cent)", "LAK 150,000", or a table row whose label or columns name it
    ("Children reached by school meals | 185,000"); with no thing, any figure that is not a year, a date or
    a time of day ("held in Thalat on 21 February 2024" counts nothing)."""
    text = _DATE_OR_TIME.sub(" ", text)
    forms = set().union(*(_forms(thing) for thing in things))
    if "|" in text:
        # A row, judged under its header row ("header\nrow") or quoted with it ("row (columns: header)").
        row, _, columns = text.partition(" (columns:")
        *header, row = row.split("\n")
        named = f"{row.split('|', 1)[0]} {' '.join(header)} {columns}"
        figures = [w for w in _COUNT_TOKEN.findall(row) if w[:1].isdigit() and not _YEAR.fullmatch(w)]
        if figures and (not things or any(_names(w, forms) for w in named.split())):
            return True
    words = [m.group(0) for m in _COUNT_TOKEN.finditer(text)]
    for i, word in enumerate(words):
        # A year counts nothing ("in several provinces during 2022"), nor does a share ("the second half").
        if not _NUMBER.match(word) or _YEAR.fullmatch(word) or word.lower() in _SHARES:
            continue
        if not things:
            return True
        # The thing counted follows its figure up to the next function word ("46 interviews with officials"
        # counts interviews), or just precedes it ("LAK 150,000", "workers (86.4 per cent)").
        after = list(takewhile(lambda w: w.lower() not in _PHRASE_END and w.lower() != "and", words[i + 1 : i + 5]))
        if any(_names(w, forms) for w in words[max(0, i - 2) : i] + after):
            return True
    return False


def specific_terms(question: str) -> list[str]:
    """Return the question's names and figures: numbers, and capitalised words after the first."""
    terms = []
    for i, match in enumerate(_SPECIFIC.finditer(question)):
        word = match.group(0).rstrip("'’").removesuffix("'s").removesuffix("’s")
        if word[:1].isdigit() or (i > 0 and word[:1].isupper() and word != "I"):
            terms.append(word)
    return terms


def unmatched_terms(question: str, hits: list[Hit]) -> list[str]:
    """Return the names and figures of the question that none of the passages mentions.

    A question about "Luang Namtha" or "2022" is not answered by passages that never say
    "Luang Namtha" or "2022", however close they are otherwise.
    """
    text = " ".join(f"{h.document.title} {h.chunk.section or ''} {h.chunk.table_header or ''} {h.chunk.text}" for h in hits)
    return terms_missing(specific_terms(question), text)


_LINK = r"(?:\s+(?:of|for|the|and|on))*\s+"


def as_named(question: str, terms: list[str]) -> list[str]:
    """Return the terms with those that stand next to each other in the question joined: ["Luang Prabang"], not
    ["Luang", "Prabang"]."""
    joined: list[str] = []
    for term in terms:
        pattern = rf"(?<!\w){re.escape(joined[-1])}({_LINK}){re.escape(term)}(?!\w)" if joined else None
        if pattern and (between := re.search(pattern, question)):
            joined[-1] = f"{joined[-1]}{between.group(1)}{term}"
        else:
            joined.append(term)
    return joined


def terms_missing(terms: list[str], text: str) -> list[str]:
    """Return the names and figures that the text does not mention, in any of the forms `unmatched_terms` allows."""
    stems: set[str] | None = None
    missing = []
    for term in terms:
        pattern = rf"(?<![\w]){re.escape(term)}(?![\w])"
        # Acronyms must match in capitals ("US" is not "us"); other words in any case.
        if re.search(pattern, text, 0 if term.isupper() else re.IGNORECASE) is not None:
            continue
        if not term[:1].isdigit() and not term.isupper():
            # A name may be inflected: "Laos" is answered by a passage about "Lao" workers.
            stems = set(tokenize(text)) if stems is None else stems
            if (words := tokenize(term)) and all(w in stems for w in words):
                continue
            if _names_country(term, text) or _province_spelled_otherwise(term, text):
                continue
        elif term.isupper() and len(term) >= 3 and _spelled_out(term, text):
            continue
        missing.append(term)
    return missing


def _province_spelled_otherwise(term: str, text: str) -> bool:
    """Return True when the term is a word of a province's name and the text spells that province some way:
    "Luang" of "Luang Namtha" is found in "Luangnamtha"."""
    return any(
        any(term.lower() in n.lower().split() for n in names)
        and any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I) for n in names)
        for names in _PROVINCES
    )


_DEMONYM = re.compile(r"(.{4,}?)(?:ese|ian|an|ish)")


def _names_country(term: str, text: str) -> bool:
    """Return True when the term is a people's name and the text names their country: "Chinese" is answered by
    "China", "Australian" by "Australia" (the country's name is the root and at most two letters more)."""
    match = _DEMONYM.fullmatch(term)
    if match is None:
        return False
    root = match.group(1)
    return re.search(rf"(?<!\w){re.escape(root)}\w{{0,2}}(?!\w)", text) is not None


def _spelled_out(acronym: str, text: str) -> bool:
    """Return True when the text spells the acronym out: "NHIB" in "the National Health Insurance Bureau",
    "MECG" in "Mother and Early Childhood Grant", "MTR" in "Mid-Term Review" (capitalised words and parts of
    hyphenated words, joining words skipped)."""
    words = re.findall(r"[\w’']+", text)  # "Mid-Term Review" is three words: MTR
    for i, word in enumerate(words):
        if word[:1] != acronym[0] or not word[:1].isupper():
            continue
        letters, j = "", i
        while j < len(words) and len(letters) < len(acronym):
            if words[j][:1].isupper():
                letters += words[j][0]
            elif words[j].lower() not in JOINING_WORDS:
                break
            j += 1
        if letters == acronym:
            return True
    return False


# "In what year did WFP hand over its remaining 915 schools?", "which eight provinces …": a figure in the question
# says which of several events or groups it is about, and a sentence without it is about another ("In May 2019
# WFP handed over more than 500 schools"). A number in a name or a date ("Convention No. 102", "Decree 224/PM",
# "Article 4", "19 January 2024") and a year (see `years_asked`) say nothing of this kind.
_FIGURE_IN_QUESTION = re.compile(
    rf"(?<![\w/.-])(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?![\w/-])"
    rf"|\b({_NUMBER_WORDS})\s+([a-z][\w-]+)",
    re.I,
)
_NAMES_NUMBER = re.compile(
    rf"(?:\b(?:no|nos|number|convention|recommendation|decree|law|article|section|chapter|annex|part|item|r|q|phase)\.?"
    rf"|\b(?:{_MONTHS}))\s*$",
    re.I,
)
_MONTH_NEXT = re.compile(rf"\s*(?:{_MONTHS})\b", re.I)
_NOT_COUNT_NOUNS = frozenset("of to and or times".split())
_NOT_COUNTING = frozenset("one half third quarter hundred hundreds thousand thousands million millions billion dozen".split())


def figures_asked(question: str) -> list[str]:
    """Return the figures a question names, each as a pattern a sentence about the same thing holds: "915", and
    "eight province" for "eight provinces" (a number word alone is too common to tell anything)."""
    found = []
    for match in _FIGURE_IN_QUESTION.finditer(question):
        digits, word, noun = match.groups()
        before, after = question[: match.start()], question[match.end() :]
        if digits:
            if _YEAR.fullmatch(digits) or _NAMES_NUMBER.search(before) or _MONTH_NEXT.match(after):
                continue
            found.append(rf"(?<![\d,.]){re.escape(digits)}(?![\d]|,\d)")
        elif word.lower() not in _NOT_COUNTING and noun.lower() not in _NOT_COUNT_NOUNS:
            found.append(rf"\b{word}\s+{re.escape(noun.rstrip('s'))}")
    return found


def holds_figures(text: str, figures: list[str]) -> bool:
    """Return True when the text holds every figure the question names (see `figures_asked`)."""
    return all(re.search(pattern, text, re.I) for pattern in figures)


# "Who was the UN Resident Coordinator who spoke at the launch?", "which Minister of Health signed the decree?": the
# question names the office it wants filled, and a sentence naming another ("the Vice Minister …, Mr Leepao Yang",
# "Prime Minister's Decree No. 470/PM on National Health Insurance") is no answer.
_ROLE_HEAD = (
    r"(?:minister|director(?:-general)?|governor|vice-governor|coordinator|ambassador|representative|president|"
    r"secretary)s?"
)
_ROLE_NAME = r"(?-i:[A-Z][\w’'-]*)"
_ROLE_QUALIFIER = rf"(?:vice|deputy|prime|acting|former|resident|{_ROLE_NAME})"
_ROLE_OF = rf"\s+of\s+(?:the\s+)?{_ROLE_NAME}(?:\s+(?:{_ROLE_NAME}|of|and|the|for))*"
_ROLE_ASKED = re.compile(
    r"\b(?:which|(?:names?|who\s+(?:is|was|are|were))\s+of\s+the|who\s+(?:is|was|are|were)\s+the)\s+"
    rf"((?:{_ROLE_QUALIFIER}[\s-]+){{0,2}}?{_ROLE_HEAD}(?![’'\w])(?:{_ROLE_OF})?)\b",
    re.I,
)


def role_asked(question: str) -> str | None:
    """Return the office a question asks who holds ("UN Resident Coordinator", "Minister of Health"), or None."""
    match = _ROLE_ASKED.search(question)
    if match is None:
        return None
    words = match.group(1).split()
    while words and words[-1].lower() in JOINING_WORDS:  # "Minister of Health and" stops at the office's name
        words.pop()
    return " ".join(words)


def asks_for_holder(question: str) -> bool:
    """Return True when the question names an office fully and asks who held it, so only a person's name answers:
    "which Minister of Health signed", "who was the UN Resident Coordinator" (not "which vice minister opened")."""
    match = _ROLE_ASKED.search(question)
    return match is not None and (" of " in match.group(1) or not match.group(0).lower().startswith("which"))


def names_role(text: str, role: str) -> bool:
    """Return True when the text names the office: its words in order, "the" optional, "vice minister" matching
    "Vice-Minister" and a plural "ministers" its singular."""
    words = [w for w in role.split() if w.lower() != "the"]
    parts = [re.escape(w.rstrip("s")) + r"s?" if i == len(words) - 1 else re.escape(w) for i, w in enumerate(words)]
    return re.search(r"\b" + r"[\s-]+(?:the\s+)?".join(parts) + r"\b", text, re.I) is not None


# "per child", "for each month" ask an amount per something; "how large is each payment" does not.
_PER = re.compile(r"\b(?:per|for each|for every)\s+((?:[a-z]+\s+)?[a-z]+)", re.I)
_SPEAKS_OF_IT = re.compile(
    r"\b(?:it|they|its|their)\b|\bthe\s+(?:grant|programme|program|project|scheme|pilot|fund|allowance|benefit)\b", re.I
)


def money_of(question: str, text: str, hit: Hit) -> bool:
    """Return True when the text may give the amount of money asked: it names whoever the question names (or speaks
    of them as "it" in a passage that names them), and it says per what, when the question asks an amount per
    something ("per child per school day": per child, each school day)."""
    names = [t for t in specific_terms(question) if not t[:1].isdigit()]
    if names and terms_missing(names, f"{hit.chunk.section or ''} {text}"):
        passage = f"{hit.document.title} {hit.chunk.section or ''} {hit.chunk.text}"
        if _SPEAKS_OF_IT.search(text) is None or terms_missing(names, passage):
            return False
    words = re.findall(r"[\w’'$₭-]+", text)
    units = [_unit(unit) for unit in _PER.findall(question)]
    return all(any(_names(w, _forms(unit)) for w in words) for unit in units if unit.lower() not in _NOT_UNITS)


_NOT_UNITS = frozenset("the a an one of".split())
# "per month and how often …": the unit is "month", not the word after it.
_AFTER_UNIT = frozenset("and or but how what when who which is are was were do does did in on at to of for by".split())


def _unit(phrase: str) -> str:
    """Return the unit of a "per …" phrase: its last word, unless that word only follows the unit."""
    words = phrase.split()
    return words[0] if len(words) > 1 and words[-1].lower() in _AFTER_UNIT else words[-1]


# "What percentage of GDP …", "what percentage of salary …": a share is of something, and a sentence giving a share
# of something else ("the share of registered enterprises that pay on time rises to 85 per cent") is no answer.
_SHARE_OF = re.compile(
    r"\b(?:percentage|proportion|share|fraction|per\s?cent|%)\s+of\s+(?:the\s+|their\s+|its\s+|all\s+)?"
    r"([\w’'-]+(?:\s+[\w’'-]+)?)",
    re.I,
)
# Words after "of" that do not say what the whole is: a people's adjective ("Lao workers"), verbs and links.
_NOT_WHOLE = frozenset("lao national is are was were do does did had has have will can in on at by to of the a an".split())


def share_of(question: str) -> list[str]:
    """Return the words that say what the question asks a share of (["gdp"] for "what percentage of GDP is …",
    ["workers"] for "what share of Lao workers are …"), or [] when it asks no share."""
    match = _SHARE_OF.search(question)
    return [w for w in match.group(1).split() if w.lower() not in _NOT_WHOLE] if match else []


def gives_share_of(text: str, whole: list[str]) -> bool:
    """Return True when the text speaks of the whole the share is of: one of its words, in any of its forms."""
    words = re.findall(r"[\w’'-]+", text)
    return any(_names(w, _forms(part)) for part in whole for w in words)


# "What does the Lao-language summary say …?", "… in the Lao version": the question names the language of the
# document it wants read, which an English question's search ranks low (MiniLM cannot read Lao).
_LANGUAGE_NAMED = re.compile(
    r"\bLao[\s-]+language\b|\bin\s+(?:the\s+)?Lao\b(?![\s-]+(?:PDR|People|government|workers|people))"
    r"|\bLao\s+(?:version|text|translation|summary|edition|original)\b",
    re.I,
)


def language_named(question: str) -> str | None:
    """Return the language code of the documents a question asks to be read ("lo" for "the Lao-language summary")."""
    return "lo" if _LANGUAGE_NAMED.search(question) else None


# "What is the monthly fuel allowance for a minibus?": an allowance (a per diem, a quota) is answered by a sentence
# that gives one, not by "the pool has 24 vehicles: … 4 minibuses"; and a sentence that gives it for kinds of thing
# ("300 litres for a pick-up truck and 180 litres for a saloon car") answers only for the kinds it names.
_MEASURE_ASKED = re.compile(r"\b(allowances?|per\s+diems?|quotas?|entitlements?|stipends?)\b", re.I)
# A figure given for a kind of thing: group 1 the kind as said ("a pick-up truck"), group 2 its words.
_FOR_KIND = re.compile(r"\d[\d,.]*\s+(?:[a-z]+\s+)?for\s+((?:a|an|each|every|one)\s+([\w-]+(?:\s+[\w-]+)?))", re.I)
# What the question asks it for ("one of the ministry's minibuses" in "… for one of the ministry's minibuses?").
_KIND_ASKED = re.compile(
    r"\bfor\s+((?:one\s+of\s+)?(?:a|an|the|each|every)?\s*[\w’'-]+(?:\s+[\w’'-]+){0,3}?)"
    r"(?=\s*[?,.]|\s+(?:in|on|at|from|during|under|per|and|or|when|if)\b|$)",
    re.I,
)


def measure_asked(question: str) -> str | None:
    """Return the allowance, per diem or quota the question asks about, or None."""
    match = _MEASURE_ASKED.search(question)
    return " ".join(match.group(1).lower().split()) if match else None


def gives_measure(measure: str, text: str) -> bool:
    """Return True when the text speaks of that allowance (per diem, quota)."""
    return re.search(r"\b" + r"\s+".join(re.escape(w.rstrip("s")) for w in measure.split()) + r"s?\b", text, re.I) is not None


def for_kinds_named(question: str, text: str) -> bool:
    """Return False when the text gives its figures for kinds of thing ("for a pick-up truck", "for a saloon car")
    and the question asks for a thing ("for a minibus") that names none of them."""
    kinds = [m.group(2) for m in _FOR_KIND.finditer(text)]
    if len(kinds) < 2 or kind_asked(question) is None:
        return True
    # Each kind by its own words: "vehicle" is kin to "car", but it does not say which kind.
    return bool(set(tokenize(question)) & {stem for kind in kinds for stem in tokenize(kind) if len(stem) > 2})


def kinds_given(measure: str, text: str) -> list[str]:
    """Return the kinds of thing the text gives that allowance for ("a pick-up truck", "a saloon car"), in order."""
    if not gives_measure(measure, text):
        return []
    return list(dict.fromkeys(m.group(1) for m in _FOR_KIND.finditer(text)))


def kind_asked(question: str) -> str | None:
    """Return what the question asks an allowance for ("a minibus" in "… for a minibus in the pool?"), or None."""
    match = _KIND_ASKED.search(question)
    return match.group(1) if match else None


# "What's the number of the decree that set up the Commission?", "which decree approved the strategy?": the answer
# names a legal text by its number ("Decree No. 224/PM"); "the Commission was established on 9 December 2021" does not.
_INSTRUMENT_KINDS = r"(?:decree|law|order|regulation|resolution|instruction|notice)"
_ASKS_NUMBER_OF = re.compile(
    rf"\bnumber\s+of\s+the\s+(?:[\w’'-]+\s+){{0,3}}?{_INSTRUMENT_KINDS}\b|\b{_INSTRUMENT_KINDS}\s+number\b"
    rf"|\b(?:which|what)\s+(?:[\w’'-]+\s+){{0,3}}?{_INSTRUMENT_KINDS}\b",
    re.I,
)
_GIVES_NUMBER_OF = re.compile(rf"\bNo\.?\s*\d+|(?<![\w/])\d+\s*/\s*[A-Z]{{1,6}}\b|\bnumbered\s+\d+|[{LAO_RANGE}]", re.I)


def asks_instrument_number(question: str) -> bool:
    """Return True when the question asks which legal text (decree, law, order) by its number."""
    return _ASKS_NUMBER_OF.search(question) is not None


def gives_instrument_number(question: str, text: str) -> bool:
    """Return True when the text names a legal text by its number ("Decree No. 470/PM", "224/PM"), and, when the
    question says the text set something up ("the decree that set up the Commission"), tells of a setting-up (a
    decree that "approves the strategy" did not); a Lao sentence is given the benefit of the doubt."""
    if _GIVES_NUMBER_OF.search(text) is None:
        return False
    telling = _EVENTS["set up"][1]
    return telling.search(question) is None or tells_event("set up", text)


# "Which Chinese ministry is a technical partner?": a sentence naming a ministry ("the Ministry of Human Resources and
# Social Security of China takes part as a technical partner") answers over one naming other bodies ("the ILO
# supported the review through its joint project with UNDESA"), when one was read.
_BODY_KINDS = (
    "ministry department bureau agency fund bank union office unit committee commission council organisation "
    "organization programme university company"
).split()
# The kind is the head of the phrase asked about: "which Chinese ministry is …", not "which International Labour
# Organization standards …".
_WHICH_BODY = re.compile(
    rf"\b(?:which|what)\s+(?:[\w’'-]+\s+){{0,3}}?({'|'.join(_BODY_KINDS)})"
    r"(?=\s*[,?]|\s+(?:is|are|was|were|did|does|do|has|have|had|will|would|can|should|must|in|of|for|at|that|who|"
    r"takes?|took|leads?|led|runs?|ran|manages?|managed|pays?|paid)\b)",
    re.I,
)


def body_kind_asked(question: str) -> str | None:
    """Return the kind of body a "which …" question asks for ("ministry"), or None."""
    match = _WHICH_BODY.search(question)
    return match.group(1).lower() if match else None


def names_body(kind: str, text: str) -> bool:
    """Return True when the text names a body of that kind ("the Ministry of Health", "MoES" for a ministry)."""
    capital = kind.capitalize()
    pattern = rf"\b{capital}\b|\b{capital[:-1]}ies\b" if kind.endswith("y") else rf"\b{capital}s?\b"
    if kind == "ministry":
        pattern += r"|\bMo[A-Z][A-Za-z]*\b"
    return re.search(pattern, text) is not None


# "How many children did the meals reach in Phongsaly province alone?": "some 30,000 pupils in three northern provinces:
# Phongsaly, Oudomxay and Luangnamtha" counts all three together; one figure beside several places is not the figure
# of one of them.
_FIGURE = re.compile(r"(?<![\w/])\d[\d,.]*\d?(?![\w/])")


def figure_of_place(text: str, passage: str, place: tuple[str, str], question: str) -> bool:
    """Return True when the sentence may give the figure of the one place asked: it names the place and gives a figure
    of its own, not one figure for several places; or it does not name it, in a passage about that place alone."""
    name, kind = place
    if not _mentions_place(name, text):
        return not _other_places(kind, passage, name, question)
    figures = [f for f in _FIGURE.findall(_DATE_OR_TIME.sub(" ", text)) if not _YEAR.fullmatch(f)]
    return not (_other_places(kind, text, name, question) and len(figures) == 1)


def _mentions_place(name: str, text: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I) for n in _spellings(name))


def _other_places(kind: str, text: str, name: str, question: str) -> set[str]:
    """Return the places of the kind the text names beside the one asked: provinces from the gazetteer, others where
    the kind is said with the name ("Nong district", "the district of Nong")."""
    if kind == "province":
        asked = _spellings(name)[0]
        return {names[0] for names in _PROVINCES if names[0] != asked and any(_mentions_place(n, text) for n in names)}
    pattern = rf"\b([A-Z][\w’'-]+)\s+{kind}s?\b|\b{kind}s?\s+of\s+([A-Z][\w’'-]+)"
    found = {a or b for a, b in re.findall(pattern, text, re.I)}
    return {p for p in found if p[:1].isupper() and p.lower() != name.lower() and p.lower() not in _NOT_PLACE_NAMES}
