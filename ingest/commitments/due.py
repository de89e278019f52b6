"""Deadlines in a document's words ("31 March 2025", "Q3 2024", "in time for the 2025 budget") as ISO dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTHS = {
    name: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}

# Most specific first: a day, then a month, a quarter or half, then a year.
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I)
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>(?:19|20)\d{2})\b")
_MONTH_YEAR = re.compile(
    rf"\b(?:(?P<part>early|beginning of|start of|mid|middle of|end of|late|the end of)[\s-]+)?{_MONTH},?\s+{_YEAR}\b",
    re.I,
)
_QUARTER = re.compile(
    rf"\b(?:Q(?P<q>[1-4])[\s/-]*{_YEAR}|(?P<qword>first|second|third|fourth|last|1st|2nd|3rd|4th)\s+quarter"
    rf"(?:\s+of)?\s+{_YEAR})\b".replace("(?P<year>", "(?P<year1>", 1),
    re.I,
)
_HALF = re.compile(
    rf"\b(?:H(?P<h>[12])[\s/-]*{_YEAR}|(?P<hword>first|second|1st|2nd)\s+half(?:\s+of)?\s+{_YEAR})\b".replace(
        "(?P<year>", "(?P<year1>", 1
    ),
    re.I,
)
_IN_TIME_FOR = re.compile(rf"\bin time for\s+(?:the\s+)?{_YEAR}\b", re.I)
_PART_YEAR = re.compile(
    rf"\b(?:(?P<part>early|beginning of|start of|mid|middle of|end of|late|the end of|end)[\s-]+)?"
    rf"(?:(?:FY|fiscal year|financial year|the year)\s*)?{_YEAR}\b",
    re.I,
)
_RANGE = re.compile(rf"\b{_YEAR}\s*[–—-]\s*(?:19|20)?\d{{2}}\b")
_BARE_MONTH = re.compile(rf"\b(?:(?P<part>early|mid|end of|late)[\s-]+)?{_MONTH}\b", re.I)


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {"a": 1, "an": 1}
_WITHIN = re.compile(r"\b(?:within|in)\s+(?:the\s+)?(?:next\s+)?(?P<n>\d{1,3}|[a-z]+)\s+(?P<unit>day|week|month|year)s?\b",
                     re.I)
_THIS = re.compile(r"\b(?:end of\s+)?(?P<which>this|the|next)\s+(?P<unit>month|year)\b", re.I)


def _relative(text: str, reference: str | None) -> str | None:
    """Return "within three months" or "by the end of next year" counted from the document's date."""
    if not reference or not re.match(r"\d{4}-\d{2}-\d{2}$", reference):
        return None
    start = dt.date.fromisoformat(reference)
    if m := _WITHIN.search(text):
        n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS.get(m["n"].lower())
        if n is None:
            return None
        unit = m["unit"].lower()
        if unit in ("day", "week"):
            return (start + dt.timedelta(days=n * (7 if unit == "week" else 1))).isoformat()
        months = start.month - 1 + n * (12 if unit == "year" else 1)
        year, month = start.year + months // 12, months % 12 + 1
        return _iso(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    if (m := _THIS.search(text)) and re.search(r"\bend\b|\bby\b|\bbefore\b", text, re.I):
        later = 1 if m["which"].lower() == "next" else 0
        if m["unit"].lower() == "year":
            return _iso(start.year + later, 12)
        months = start.month - 1 + later
        return _iso(start.year + months // 12, months % 12 + 1)
    return None


def _iso(year: int, month: int, day: int | None = None) -> str | None:
    if not (1 <= month <= 12):
        return None
    last = calendar.monthrange(year, month)[1]
    day = last if day is None else day
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= last else None


def _part_day(part: str | None, year: int, month: int) -> str | None:
    part = (part or "").lower()
    if part in ("early", "beginning of", "start of"):
        return _iso(year, month, 10)
    if part in ("mid", "middle of"):
        return _iso(year, month, 15)
    return _iso(year, month)


def resolve_due(text: str | None, *, reference: str | None = None) -> str | None:
    """Return the deadline these words give as yyyy-mm-dd (the end of a month, quarter or year), or None.

    `reference` (the document's date) gives the year of a month named without one ("by June").
    """
    if not text:
        return None
    if m := _ISO.search(text):
        return _iso(int(m["year"]), int(m["month"]), int(m["day"]))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        if m := pattern.search(text):
            return _iso(int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]))
    if m := _NUMERIC.search(text):
        a, b = int(m["a"]), int(m["b"])
        day, month = (a, b) if a > 12 or b <= 12 else (b, a)  # day first, as most of the world writes it
        return _iso(int(m["year"]), month, day)
    if m := _MONTH_YEAR.search(text):
        return _part_day(m["part"], int(m["year"]), _MONTHS[m["month"].lower()])
    if m := _QUARTER.search(text):
        quarter = int(m["q"]) if m["q"] else _ORDINAL[m["qword"].lower()]
        return _iso(int(m["year1"] or m["year"]), quarter * 3)
    if m := _HALF.search(text):
        half = int(m["h"]) if m["h"] else _ORDINAL[m["hword"].lower()]
        return _iso(int(m["year1"] or m["year"]), half * 6)
    if m := _IN_TIME_FOR.search(text):
        # What must be ready "in time for the 2025 budget" is due before that year begins.
        return _iso(int(m["year"]) - 1, 12)
    if _RANGE.search(text) and not re.search(r"\b(?:by|before|until|deadline)\b", text, re.I):
        return None  # "2026–2030" is a period, not a deadline
    if m := _PART_YEAR.search(text):
        part = (m["part"] or "").lower()
        year = int(m["year"])
        if part in ("early", "beginning of", "start of"):
            return _iso(year, 3)
        if part in ("mid", "middle of"):
            return _iso(year, 6)
        return _iso(year, 12)
    if relative := _relative(text, reference):
        return relative
    if reference and (m := _BARE_MONTH.search(text)) and re.match(r"\d{4}", reference):
        year, month = int(reference[:4]), _MONTHS[m["month"].lower()]
        ref_month = int(reference[5:7]) if len(reference) >= 7 else 1
        return _part_day(m["part"], year + (1 if month < ref_month else 0), month)
    return None
