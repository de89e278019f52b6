"""The date a document gives for itself: a dateline or 'Date:' field on its title page, else its imprint."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_ENGLISH_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_LAO_MONTHS = ("ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ", "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ")
MONTHS: dict[str, int] = {name: i + 1 for i, name in enumerate(_ENGLISH_MONTHS)}
MONTHS.update({name[:3]: i + 1 for i, name in enumerate(_ENGLISH_MONTHS)})
MONTHS.update({"sept": 9})
MONTHS.update({name: i + 1 for i, name in enumerate(_LAO_MONTHS)})
_MONTH = (
    r"(?P<m>\b(?:"
    + "|".join(sorted((m for m in MONTHS if m.isascii()), key=len, reverse=True))
    + r")\b\.?"
    + "|"
    + "|".join(_LAO_MONTHS)
    + ")"
)
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d\d)(?![\d/])"
_FORMS = [
    re.compile(rf"(?<![\d/.]){_DAY}\s+{_MONTH},?\s+{_YEAR}", re.I),  # 28 February 2024, 1 ເມສາ 2020
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.I),  # August 6, 2020
    re.compile(rf"{_MONTH}\s*[-–,/]?\s*{_YEAR}", re.I),  # November 2022, November - 2015
    re.compile(rf"(?<![\d–-]){_YEAR}\s+{_MONTH}", re.I),  # © 2023 September
    re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<mm>[01]\d)-(?P<d>[0-3]\d)(?!\d)"),  # 2023-11-28
]
_NUMERIC = re.compile(r"(?<![\d/.])(?P<a>[0-3]?\d)[/.](?P<b>[01]?\d)[/.](?P<y>(?:19|20)\d\d)(?!\d)")
# A year standing alone: on its own, after a comma or separator ("Capital City, 2020"), not in a range
# ("2021–2025") and not part of a name ("Vision 2030").
_BARE_YEAR = re.compile(r"(?:^|[,|·(]\s*)(?P<y>(?:19|20)\d\d)(?![\d–-]|\s*[–-]\s*\d)\W*$")
_FIELD = re.compile(r"^\W*(?:date(?:\s+and\s+time)?|dated|meeting\s+date|ວັນທີ)\s*:", re.I)
# Words that put the document's own date right after them: "Updated March 2022", "effective 1 January 2023".
_LABEL = re.compile(
    r"\b(?:updated|published|issued|revised|released|as\s+at|dated|effective(?:\s+from)?)\s*:?\s*(?:on\s+)?$", re.I
)
_IMPRINT = re.compile(r"©|\bcopyright\b|\bas\s+at\b|\bpublished\b|\bprinted\b", re.I)
# A line of a web page or a cover may hold several statements: "Ministry of X · Updated March 2022 · Policy brief …".
_SEGMENT = re.compile(r"\s+[·|•]\s+|(?<=[a-z0-9)]{2}[.;])\s+(?=[A-Z])")
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
SHORT_WORDS = 8
DATELINE_WORDS = 12


@dataclass(frozen=True)
class Found:
    """A date found in a line: its ISO form and where it sits."""

    iso: str
    start: int
    end: int


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """Return yyyy[-mm[-dd]] for a plausible date, else None."""
    if not 1900 <= year <= 2100 or (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return "-".join([f"{year:04d}"] + ([f"{month:02d}"] if month else []) + ([f"{day:02d}"] if month and day else []))


def find_dates(line: str, *, numeric: bool = False) -> list[Found]:
    """Return the dates written in a line with a month or as ISO (and d/m/y when `numeric`), left to right."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    forms: list[re.Pattern[str]] = _FORMS + ([_NUMERIC] if numeric else [])
    for form in forms:
        for m in form.finditer(line):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            groups = m.groupdict()
            day: int | None
            if "a" in groups:  # day first unless that cannot be (a US "03/25/2016")
                a, b = int(groups["a"]), int(groups["b"])
                day, month = (b, a) if b > 12 >= a else (a, b)
            else:
                month = int(groups["mm"]) if groups.get("mm") else MONTHS[groups["m"].lower().rstrip(".")]
                day = int(groups["d"]) if groups.get("d") else None
            iso = _iso(int(groups["y"]), month, day)
            if iso:
                found.append(Found(iso, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _bare_year(line: str) -> Found | None:
    """Return a year that stands alone at the end of a line ('Capital City, 2020'), else None."""
    m = _BARE_YEAR.search(line)
    return Found(m.group("y"), m.start("y"), m.end("y")) if m else None


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in _WEEKDAYS]


def _dateline(line: str) -> Found | None:
    """Return the date of a line that is mostly a date ('Thursday, August 6, 2020', 'Place, 2020'), else None."""
    dates = find_dates(line) or [d for d in [_bare_year(line)] if d]
    if not dates:
        return None
    date = dates[-1]
    rest = line[: date.start] + line[date.end :]
    if len(_words(rest)) <= 3:
        return date
    # A place and date closing a line: "Ministry of Y. No. 123. Capital City, 22 July 2013."
    if line[: date.start].rstrip().endswith(",") and not line[date.end :].strip(" .") and len(line.split()) <= DATELINE_WORDS:
        return date
    return None


def _labelled(line: str) -> Found | None:
    """Return a date a field or label gives ('Date: …', 'Updated March 2022'), else None."""
    if _FIELD.match(line):
        dates = find_dates(line, numeric=True)
        if dates:
            return dates[0]
    if len(line.split()) > DATELINE_WORDS:
        return None  # "… Order No. 12/HB, dated 17 October 2012, which created …" dates something else
    return next((d for d in find_dates(line) if _LABEL.search(line[: d.start])), None)


def _short(line: str) -> Found | None:
    """Return a month-bearing date in a short, title-like line ('Minutes of the meeting of 28 November 2023')."""
    if len(line.split()) > SHORT_WORDS or len(line) > 70:
        return None
    dates = find_dates(line)
    return dates[0] if dates else None


def _imprint(line: str) -> Found | None:
    """Return the date of a copyright or publication line ('© An Agency November 2021', 'As at November 2022')."""
    if not _IMPRINT.search(line):
        return None
    dates = find_dates(line) or [d for d in [_bare_year(line)] if d]
    if not dates:
        match = re.search(r"(?:©|copyright)\D{0,120}?\b((?:19|20)\d\d)\b(?!\s*[–-]\s*\d)", line, re.I)
        return Found(match.group(1), match.start(1), match.end(1)) if match else None
    return dates[-1]


def infer_date(
    title: str | None,
    top_lines: Sequence[str],
    imprint_lines: Iterable[str] = (),
    *,
    file_date: str | None = None,
) -> str | None:
    """Return the document's own date in ISO form, trying its title page, then its imprint, then the file's date."""
    ranked: list[tuple[int, int, str]] = []
    segments = [seg for line in top_lines for seg in _SEGMENT.split(line) if seg.strip()]
    for i, segment in enumerate(segments):
        for rank, reader in ((0, _labelled), (1, _dateline), (2, _short)):
            found = reader(segment.strip())
            if found:
                ranked.append((rank, i, found.iso))
                break
    if title:
        title_dates = find_dates(title) or [d for d in [_bare_year(title)] if d]
        if title_dates:
            ranked.append((1, -1, title_dates[-1].iso))
    if ranked:
        return min(ranked)[2]
    for line in imprint_lines:
        found = _imprint(line)
        if found:
            return found.iso
    return file_date
