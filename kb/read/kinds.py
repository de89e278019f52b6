"""What kind of answer a question asks for, read from its wh-phrase: a figure ("how many"), a share ("what share"), an
amount, a date ("when", "by when"), a length of time, a frequency, a version ("which release"), a person ("who"), an
organisation ("which ministry"), a place ("in which province"), a reason ("why").

General English cues, none about a particular library; the question's frame (`kb.read.frame`) holds the result.
"""

from __future__ import annotations

import re

# The kinds of answer a question can expect.
ANSWER_TYPES = (
    "number", "amount", "percent", "rate", "date", "duration", "frequency", "version", "person", "organisation", "place",
    "reason",
)
# The kinds that are figures or dates: a unit gives one by a cue a text writes.
FIGURE_TYPES = frozenset({"number", "amount", "percent", "rate", "date", "duration", "frequency", "version"})

# Words that name a kind of organisation or of place: "which ministry", "what agency", "which province".
_ORG_WORDS = (
    "ministry|ministries|department|agency|agencies|organi[sz]ation|body|bodies|institution|office|bank|fund|"
    "partner|partners|donor|donors|commission|committee|council|secretariat|bureau|authority|authorities|government|"
    "company|companies|employer|employers|union|unions|team|unit|programme|program|project|firm|university"
)
_ROLE_WORDS = (
    "minister|ministers|director|directors|official|officials|person|people|chair|chairs|chairperson|president|"
    "secretary|governor|governors|representative|representatives|author|authors|head|leader|officer|spokesperson"
)
_PLACE_WORDS = (
    "province|provinces|district|districts|country|countries|city|cities|region|regions|village|villages|state|states|"
    "area|areas"
)
# A measure noun asks for its measure only where its noun phrase ends ("what is the total budget of …"), not
# where it modifies another noun ("what are the benefit packages").
_ENDS_PHRASE = (r"(?=\s*(?:[,.;:?!)]|$)|\s+(?:of|for|in|per|to|that|which|will|would|is|was|are|were|does|did|do|has|"
                r"have|had|paid|set|given|applies|apply|applied|can|should|must|shall|under|at|from|on|by|between|among|across|"
                r"after|before|since|during)\b)")
# The words between "what" and the measure noun it asks for: a verb "to be", then up to three words, a name's possessive
# among them ("what was the port's cargo handling rate", "what was the average ferry ticket price").
_WORDS_BEFORE = r"(?:(?:is|was|are|were)\s+)?(?:(?:\w+\s+){0,3}|(?:\w+\s+){0,1}[\w-]+['’]s\s+(?:\w+\s+){0,2})"
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("percent", rf"\b(?:what|which)\s+{_WORDS_BEFORE}(?:percentage|per ?cent|share|proportion|ratio|rate|fraction)s?"
                    + _ENDS_PHRASE + r"|"
                    r"\bhow\s+(?:high|large|big|low)\s+(?:is|was|were|are)\s+(?:the\s+)?(?:\w+\s+)?(?:rate|share|coverage)\b|"
                    # "what %", "above 50%": a sign of its own, not the start of a code ("%macro", "%s", "%-style").
                    r"(?:(?<=\d)|(?<=\s)|(?<=\())%(?=[\s?.,;:)]|$)"),
        ("amount", r"\bhow\s+much\s+(?:money|funding|did|does|do|will|would|is\s+(?:paid|spent|allocated|budgeted))|"
                   r"\bhow\s+much\b.*\b(?:cost|costs|spend|spent|pay|paid|budget|fund|funded|worth|contribute|allocate)|"
                   rf"\b(?:what|which)\s+{_WORDS_BEFORE}(?:amount|cost|budget|price|fee|tariff|salary|wage|allowance|payment|"
                   r"benefit)s?"
                   + _ENDS_PHRASE),
        ("frequency", r"\bhow\s+(?:often|frequently|regularly)\b|\bhow\s+many\s+times\b"),
        ("duration", r"\bhow\s+long\b|\b(?:for|over)\s+how\s+many\s+(?:years|months|weeks|days)\b|"
                     r"\bwhat\s+(?:period|duration)\b"),
        ("number", r"\bhow\s+many\b|\bhow\s+much\b|\bhow\s+old\b|\bwhat\s+(?:\w+\s+)?(?:number|count|total|figure|size)\b|"
                   r"\bhow\s+(?:big|large)\b"),
        # "Which release added …", "what is the minimum version of …": a version or release number.
        ("version", r"\b(?:which|what)\s+(?:(?!press\b)[\w.+'’-]+\s+){0,3}(?:versions?|releases?)\b"
                    r"(?!\s+(?:notes?|dates?|control)\b)|\bminimum\s+(?:[\w.+'’-]+\s+){0,2}version\b"),
        ("date", r"\bwhen\b|\b(?:what|which)\s+(?:\w+\s+){0,2}(?:date|year|month|day|time|deadline|quarter)\b|\bby\s+when\b"),
        ("person", r"\bwho\b|\bwhose\b|\bwhom\b|\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+names?\b|"
                   rf"\b(?:which|what)\s+(?:\w+\s+){{0,2}}(?:{_ROLE_WORDS})\b(?!['’]s)"),
        ("organisation", rf"\b(?:what|which)\s+(?:\w+\s+){{0,2}}(?:{_ORG_WORDS})\b|\bwho\b|\bwhose\b"),
        ("place", rf"\bwhere\b|\b(?:what|which|in\s+which)\s+(?:\w+\s+){{0,2}}(?:{_PLACE_WORDS})\b"),
        ("reason", r"\bwhy\b|\bwhat\s+(?:\w+\s+)?(?:reasons?|causes?|explains?)\b|\bfor\s+what\s+reason\b"),
    )
)
# A limit or a target asked for ("what is the 2025 target for …", "what is the maximum length …") is a figure or a
# date, when nothing else says what kind of answer is asked; "the target group" is neither (the noun must end its phrase).
_ASKS_LIMIT = re.compile(r"\b(?:what|which)\s+(?:is|was|are|were)\s+the\s+(?:\w+\s+){0,3}(?:(?:maximum|minimum)\b|"
                         r"(?:target|limit|threshold|ceiling|cap)(?=\s+(?:for|of|on|in|by|under|set|that|to|at)\b|\s*[?,.]|$))",
                         re.I)
_ASKS_NAME = re.compile(r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+names?\b|\bwhose\s+name\b|"
                        r"\bwho\s+(?:is|was)\s+named\b|^\s*name\s+the\b", re.I)
# "The name of" a thing (a company, a tool, a programme) asks for that thing's name, not a person's: only a role word
# in the few words after it makes it a person ("the name of the minister", "the names of its authors").
_NAME_OF = re.compile(r"\bnames?\s+of\s+", re.I)


# A question about how much something changed, or how much of a whole something is.
_ASKS_CHANGE = re.compile(
    r"\bby\s+how\s+much\b|\bhow\s+much\s+of\b|\bhow\s+much\b.*\b(?:ris(?:e|en)|rose|rais(?:e|ed)|increas(?:e|ed)|gr(?:o|e)w|fall(?:en)?|fell|"
    r"drop(?:ped)?|declin(?:e|ed)|cut|reduc(?:e|ed)|higher|lower|more|less)\b", re.I)


_ASKS_RATE = re.compile(r"\b(?:rate|ratio)s?\b", re.I)


def answer_types(question: str) -> frozenset[str]:
    """Return the kinds of answer the question's wh-phrase asks for (empty for "what does X say about Y")."""
    found = {kind for kind, pattern in _TYPE_PATTERNS if pattern.search(question)}
    if not found and _ASKS_LIMIT.search(question):
        found = {"number", "date"}
    if "amount" in found and _ASKS_CHANGE.search(question):
        found.add("percent")  # "By how much did tariffs rise?": by 10 percent as well as by 500 francs; "how much of the budget"
    if "percent" in found and _ASKS_RATE.search(question):
        found.add("rate")  # a rate or a ratio is a share, or so much per unit: "3.1 births per woman", "$70 per hour"
    if "amount" in found or "percent" in found:
        found.discard("number")
    if re.match(r"\W*how\b", question, re.I):
        found.discard("version")  # "how can I find out which version I run?" asks for a way, not a version
    if found & {"duration", "frequency"} or re.search(r"\bhow\s+old\b", question, re.I):
        found.discard("date")
    return frozenset(found)


def asks_name(question: str) -> bool:
    """Return True when the question asks for a person's name ("what is the name of the minister", "whose name")."""
    if not _ASKS_NAME.search(question):
        return False
    named = _NAME_OF.search(question)
    if named is None:
        return True
    phrase = " ".join(re.split(r"\s+(?:who|whom|that|which|whose)\b|[?,.;:]", question[named.end():])[0].split()[:6])
    return re.search(rf"\b(?:{_ROLE_WORDS})\b", phrase, re.I) is not None
