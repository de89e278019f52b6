"""General cues of commitments: what a heading or a table header names, labelled fields, modal verbs, owners."""

from __future__ import annotations

import re

# What a section heading, a lead-in line or a table column names: nouns first (the earliest in the text wins),
# then verbs ("Agreed actions" are actions; "It was agreed:" introduces decisions).
_KIND_NOUNS = (
    ("recommendation", re.compile(r"\brecommendations?\b", re.I)),
    ("decision", re.compile(r"\b(?:decisions?|resolutions?|agreements?)\b(?![- ]mak)", re.I)),
    ("action", re.compile(r"\b(?:actions?|action (?:items?|points?|plan)|follow[- ]?ups?|next steps|to[- ]dos?|"
                          r"tasks?|assignments?|way forward|responsibilities)\b", re.I)),
    ("target", re.compile(r"\b(?:targets?|commitments?|milestones?)\b", re.I)),
)
_LABEL_LINE = re.compile(r"^\s*(?:actions?|decisions?|recommendations?|targets?)\s*:\s*(?P<rest>\S.*)$", re.I)
_KIND_VERBS = (
    ("recommendation", re.compile(r"\brecommend(?:ed|s)?\b", re.I)),
    ("decision", re.compile(r"\b(?:decided|agreed|resolved)\b", re.I)),
)
# Sections that talk about things without committing to them.
_TALK = re.compile(r"\b(?:discussions?|deliberations?|background|findings?|context|presentations?|"
                   r"introduction|summary of discussion|attendance|agenda|participants|present|apologies|"
                   r"opening|welcome|overview|purpose|method|methodology|lessons learn[te]d)\b", re.I)
# A lead-in line that reports what was found or said: the list after it holds findings, not commitments.
REPORTING_LEAD = re.compile(r"\b(?:found|finds|noted|notes|observed|identified|highlighted|reported|presented|"
                            r"discussed|showed|shows|include[sd]?|were|are|was|is)\b[^:]*:\s*$", re.I)


def kind_named(text: str) -> str | None:
    """Return the kind of commitment a heading, lead-in or column name names, if any.

    A label line ("ACTION: Notice of proposed rulemaking") names what follows its colon, not its label.
    """
    if (m := _LABEL_LINE.match(text)) and len(m["rest"].split()) > 2:
        text = m["rest"]
    found = [(m.start(), kind) for kind, pattern in _KIND_NOUNS if (m := pattern.search(text))]
    if found:
        return min(found)[1]
    for kind, pattern in _KIND_VERBS:
        if pattern.search(text):
            return kind
    return None


def names_talk(text: str) -> bool:
    """Return True for a heading of a section that discusses rather than decides ("Discussion", "Findings")."""
    return bool(_TALK.search(text)) and kind_named(text) is None


# Table columns by role.
_OWNER_COL = re.compile(r"\b(?:responsib\w*|lead(?:s| body| agency| ministry| organi[sz]ation)?|owners?|who|"
                        r"by whom|agency|agencies|focal point|assigned(?: to)?|accountable|implement\w*|actors?|"
                        r"ministry|ministries|institutions?|entity|entities|department|party|parties)\b",
                        re.I)
_DUE_COL = re.compile(r"\b(?:due(?: date)?|deadlines?|by when|when|timeline|time ?frame|timing|target date|"
                      r"target year|completion(?: date)?|date|year)\b", re.I)
_NUMBER_COL = re.compile(r"^(?:[a-z]{1,6}\.?\s+)?(?:no\.?|nr\.?|#|n°|ref\.?|id|number|item|s/n|sn)$", re.I)
_STATUS_COL = re.compile(r"^(?:status|progress|state)\b", re.I)
_TARGET_VALUE_COL = re.compile(r"\btarget\b", re.I)
_TEXT_COL = re.compile(r"\b(?:recommend\w*|actions?|decisions?|commitments?|targets?|indicators?|measures?|"
                       r"activit(?:y|ies)|tasks?|description|items?|what|milestones?|outputs?|results?)\b", re.I)


def column_roles(header: list[str]) -> dict[str, int]:
    """Return the column of each role a table header names: number, text, owner, due, status, target."""
    roles: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue
        if "number" not in roles and _NUMBER_COL.match(name):
            roles["number"] = i
        elif "status" not in roles and _STATUS_COL.match(name):
            roles["status"] = i
        elif "owner" not in roles and _OWNER_COL.search(name):
            roles["owner"] = i
        elif "due" not in roles and _DUE_COL.search(name) and not re.search(r"\bbaseline\b", name, re.I):
            roles["due"] = i
        elif "text" not in roles and _TEXT_COL.search(name) and not _TARGET_VALUE_COL.fullmatch(name):
            roles["text"] = i
        elif "target" not in roles and _TARGET_VALUE_COL.search(name):
            roles["target"] = i
    return roles


# Labelled fields inside an item: "(Responsible: the Treasury. Deadline: 31 December 2024.)", "Lead: PSA", "Due: Q3 2025".
_FIELD_END = r"(?=\.\s+(?:\(|[A-Z][\w /-]{0,24}:)|\.?\s*\)|;|\.\s*$|\s*$|\n|\s+[–—]\s)"
OWNER_FIELD = re.compile(
    r"\b(?:responsib(?:le|ility)(?: body| agency)?|lead(?: body| agency| ministry)?|owner|led by|by whom|who|"
    r"assigned to|focal point|accountable)\s*:\s*(?P<value>[^:]+?)" + _FIELD_END,
    re.I,
)
DUE_FIELD = re.compile(
    r"\b(?:deadline|due(?: date| by)?|by when|timeline|time ?frame|target date|target year|completion date|"
    r"when|timing)\s*:\s*(?P<value>[^:]+?)" + _FIELD_END,
    re.I,
)
# A deadline in running text: "by 30 June 2025", "before the end of 2024", "no later than Q3 2025".
DUE_PHRASE = re.compile(
    r"\b(?:by|before|no later than|not later than|in time for|deadline(?: of| is)?|due(?: on| by| in)?|"
    r"(?=within\s))\s*"
    r"(?P<value>(?:the\s+)?[^,;()]{2,60}?)(?=[,;()]|\.\s|\.$|$)",
    re.I,
)
# A deadline stated about something: "the deadline of R4 is confirmed as 30 June 2024".
DEADLINE_STATED = re.compile(
    r"\b(?:deadline|due date|target date)\b[^.;]{0,80}?\b(?:is|as|at|to|for|on)\s+"
    r"(?P<value>[^,;()]{2,40}?)(?=[,;()]|\.\s|\.$|$)",
    re.I,
)
# A date given to the day, the month, the quarter or the half: "15 March 2025", "March 2025", "Q4 2025",
# "end of 2025", "2025-03-15" (a bare year is not: "in 2025" is as often a period as a deadline).
FULL_DATE = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?,)?\s+(?:19|20)\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b"
    r"|\b(?:Q[1-4]|H[12])\s*(?:19|20)\d{2}\b|\b(?:first|second|third|fourth|last)\s+(?:quarter|half)\s+of\s+"
    r"(?:19|20)\d{2}\b|\b(?:end|mid|middle)(?:\s+of|-)\s*(?:19|20)\d{2}\b",
    re.I,
)
# Text that labels itself: "Action: ...", "Illustrative target: ...", "Decision 3: ...".
SELF_LABEL = re.compile(
    r"^(?:[A-Z][a-z]+\s+)?(?P<label>recommendation|decision|action(?: point| item)?|target|commitment|"
    r"milestone)s?\s*(?:\d+[a-z]?)?\s*:\s*",
    re.I,
)
# A parenthesis naming the sentence a target: "(illustrative target year)", "(target)".
TARGET_ASIDE = re.compile(r"\((?![^()]*\b(?:no|not|without)\b)[^()]*\btarget\b[^()]*\)", re.I)
# A real modal verb: what a sentence outside any commitments section needs, with a deadline, to be an action.
STRONG_MODAL = re.compile(r"\b(?:will|shall|must|agreed to|agrees to|undert(?:ook|akes) to|is to|are to|"
                          r"(?:was|were|is|are) (?:asked|requested|tasked|mandated|invited) to)\b")
# Arrangements for the next meeting are not commitments of anyone.
NEXT_MEETING = re.compile(r"\b(?:next|following)\b[\w -]{0,30}?\b(?:meeting|session)\b[^.]*\b(?:will|shall|would)\s+"
                          r"(?:be held|take place|"
                          r"convene|be convened)|\bmeeting (?:closed|ended|adjourned)\b", re.I)

# Words that commit someone: "will", "shall", "agreed to", "is to", "undertook to", "to + verb" in minutes.
_MODAL = re.compile(
    r"\b(?:will|would|shall|must|should|is to|are to|agreed to|agrees to|undert(?:ook|akes) to|commit(?:ted|s)? to|"
    r"(?:was|were|is|are) (?:asked|requested|tasked|mandated|invited|expected|responsible) (?:to|for|with))\b",
)
# Minutes' shorthand for an action: "MoF to prepare a costing note by June."
_INFINITIVE = re.compile(r"^(?P<who>[A-Z][\w .,&/()'’-]{1,80}?)\s+to\s+(?:be\s+)?(?!the\b|a\b|an\b)[a-z]{3,}\b")
_VERB_IN_SUBJECT = re.compile(r"\b(?:is|are|was|were|has|have|had|be|been|that|which|who|can|could|would|may|might)\b",
                              re.I)
_AGREED = re.compile(r"\b(?:it was (?:agreed|decided|resolved)|(?:agreed|decided|resolved) that|"
                     r"the (?:meeting|group|committee|commission|board|council) (?:agreed|decided|resolved))\b", re.I)
_RECOMMEND = re.compile(r"\b(?:recommend\w*|should)\b", re.I)
_REPORTING = re.compile(
    r"\b(?:noted|reported|said|stated|explained|recalled|stressed|presented|informed|mentioned|observed|"
    r"highlighted|welcomed|expressed|raised|discussed|suggested|wondered|questioned|asked (?:whether|if|about)|"
    r"thanked|summari[sz]ed|pointed out|emphasi[sz]ed|acknowledged|regretted)\b",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(?:ministry|ministries|department|secretariat|office|commission|committee|bureau|unit|agency|council|"
    r"team|group|government|authority|organi[sz]ation|division|fund|board|directorate|institute|"
    r"province|provinces|partners?|chair|minister|director|officer|coordinator|head|members?|consultant|staff|"
    r"union|federation|bank|embassy|mission|centre|center|administration|cabinet|taskforce|"
    r"task force|working group|focal point)\b",
    re.I,
)
_PASSIVE_AGENT = re.compile(r"\b(?:be|been)\s+\w+(?:ed|en|wn|ne|t)\s+by\s+(?:the\s+)?(?P<who>[A-Z][\w&/'’-]*(?:\s+"
                            r"(?:[A-Z][\w&/'’-]*|of|and|for|the|on))*)")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]{1,}[A-Za-z]*\b")

# A record of a meeting: its committing sentences stand under agenda items named for their subject, not
# "Decisions" or "Actions".
MEETING_RECORD = re.compile(r"\b(?:minutes|meeting notes|notes of the meeting|record of (?:the )?(?:meeting|proceedings)|"
                            r"summary record|proceedings)\b", re.I)
# What a meeting decided or asked someone to do, as minutes write it in prose.
_DECIDED = re.compile(r"\b(?:approved|endorsed|adopted|resolved|decided|agreed)\b(?!\s+(?:with|on|upon)\b)", re.I)
ASKED_TO = re.compile(r"\b(?:asked|requested|tasked|mandated|instructed|directed|invited)\s+(?:the\s+)?"
                      r"(?P<who>[A-Z][\w&/’'()-]*(?:\s+(?:[A-Z][\w&/’'()-]*|of|and|for|the|on))*)\s+to\s+[a-z]")


def meeting_commits(sentence: str) -> str | None:
    """Return the kind of a sentence of minutes that decides or gives someone a task ("The Board approved …",
    "The Chair asked the Secretariat to …", "X undertook to …"), or None for talk."""
    if NEXT_MEETING.search(sentence):
        return None
    cue = _DECIDED.search(sentence)
    before = sentence[: cue.start()] if cue else ""
    if cue and not _REPORTING.search(before) and not re.search(r"\b(?:not|if|whether)\b", before, re.I):
        return "decision"
    if ASKED_TO.search(sentence) or firmly_commits(sentence):
        return "recommendation" if _RECOMMEND.search(sentence) else "action"
    return None


def commits(sentence: str) -> bool:
    """Return True for a sentence that commits someone to something rather than reporting talk."""
    if NEXT_MEETING.search(sentence):
        return False
    agreed = _AGREED.search(sentence)
    modal = _MODAL.search(sentence)
    if not (agreed or modal):
        return infinitive_subject(sentence) is not None
    cue = agreed or modal
    assert cue is not None
    before = sentence[: cue.start()]
    return agreed is not None or not _REPORTING.search(before)


def firmly_commits(sentence: str) -> bool:
    """Return True for a firm commitment: "will", "shall", "agreed to" — or "would" after "it was agreed that"
    ("would be able to" alone is a hypothesis)."""
    firm = STRONG_MODAL.search(sentence) or (_AGREED.search(sentence) and re.search(r"\bwould\b", sentence))
    return bool(firm) and commits(sentence)


def infinitive_subject(sentence: str) -> str | None:
    """Return X of minutes' shorthand "X to do Y" when X names someone, else None."""
    m = _INFINITIVE.match(SELF_LABEL.sub("", sentence))
    if m is None or len(m["who"].split()) > 10 or _VERB_IN_SUBJECT.search(m["who"]) or _REPORTING.search(m["who"]):
        return None
    return m["who"] if looks_like_owner(m["who"]) else None


def prose_kind(sentence: str, section_kind: str | None) -> str:
    """Return the kind of a committing sentence: its section's, else what its words say."""
    if section_kind:
        return section_kind
    if _AGREED.search(sentence):
        return "decision"
    if _RECOMMEND.search(sentence):
        return "recommendation"
    return "action"


def looks_like_owner(text: str) -> bool:
    """Return True for words that name a body or a person: an organisation word, an acronym or a proper name."""
    if not text or len(text.split()) > 14:
        return False
    if _ORG_WORDS.search(text) or _ACRONYM.search(text):
        return True
    words = text.split()
    return sum(1 for w in words[1:] if w[:1].isupper()) >= 1


def clean_owner(text: str | None) -> str | None:
    """Return an owner as written, without a leading article or trailing punctuation."""
    if not text:
        return None
    text = text.strip()
    if text[:1].islower():  # a sentence's tail run into its subject ("… in other countries, GIZ")
        text = text.rsplit(",", 1)[1].strip() if "," in text else ""
        if text[:1].islower():
            return None
    text = re.sub(r"^\s*(?:the|a|an)\s+", "", text, flags=re.I).strip(" .;:,–—-")
    return text or None


def subject_owner(sentence: str) -> str | None:
    """Return who a committing sentence names as doing it: the words before its modal verb, if they name someone."""
    body = SELF_LABEL.sub("", sentence)
    body = re.sub(r"^(?:it was (?:agreed|decided|resolved)|(?:we|members|the \w+) (?:agreed|decided|resolved))"
                  r"\s+that\s+", "", body, flags=re.I)
    m = _MODAL.search(body)
    if m is None:
        if (who := infinitive_subject(body)) is None:
            return None
        subject = who
    elif m.start() == 0:
        return None
    else:
        subject = body[: m.start()].strip(" ,")
        if re.match(r"\s+be\s+\w+(?:ed|en|wn|ne|t)\b", body[m.end():]):
            # Passive: the subject is what is done; whoever does it follows "by" ("… be circulated by the Secretariat").
            agent = _PASSIVE_AGENT.search(body)
            subject = agent["who"] if agent else ""
    subject = re.sub(r"^(?:in addition|also|furthermore|finally|then|therefore)[, ]+", "", subject, flags=re.I)
    owner = clean_owner(subject)
    return owner if owner and looks_like_owner(owner) else None
