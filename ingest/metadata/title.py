"""The title a document gives itself: its file's metadata, its title page's largest type, or its first heading."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from kb.types import CoverLine

from .dates import find_dates

# Titles that authoring tools write when nobody gave one.
_PLACEHOLDER = re.compile(
    r"^(?:untitled(?:\s+document)?|title|document\s*\d*|doc\d*|book\d*|new\s+document|draft|final|slide\s*\d+|"
    r"page\s*\d+|presentation|powerpoint\s+presentation|microsoft\s+(?:word|powerpoint|excel)\b.*)$",
    re.I,
)
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|html?|md|txt|rtf|odt|indd|qxd|ps|eps|jpe?g|png|tiff?)$", re.I)
# A site's or publisher's name after the page's own title: "Programme brief: … | Ministry".
_SITE_SUFFIX = re.compile(r"\s+(?:\||::|»)\s+")
# Lines that head official paper before its title: the state, the ministry or office issuing it.
_LETTERHEAD = re.compile(
    r"^\W*(?:the\s+)?(?:ministry|department|government|office|embassy|secretariat|kingdom|bureau|agency|division)"
    r"\s+(?:of|for)\b|\b(?:republic|kingdom)\W*$",
    re.I,
)
_CONNECTIVE = re.compile(r"^(?:on|of|for|concerning|regarding|about|to|in)\s+\S", re.I)
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "from", "into", "vs"}
_FOOTNOTE_MARKS = "*†‡"
PROMINENT_RATIO = 1.2  # type this much larger than the page's body text is a title
PROMINENT_SIZE = 16.0  # type this large is a title even on a cover with no body text
BLOCK_GAP = 1.6  # baselines further apart than this many type sizes start a new block
SUBTITLE_WORDS = 8
SUBTITLE_MIN_SIZE = 0.3  # a subtitle may be much smaller than the title, but not footnote-sized
MAX_TITLE = 250


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def is_placeholder(title: str, source: str) -> bool:
    """Return True when a title says nothing of its document: empty, a tool's default, or the file's own name."""
    text = " ".join(title.split()).strip(" .:-_")
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or _PLACEHOLDER.match(text) or _FILE_NAME.search(text):
        return True
    if re.search(r"https?:|www\.", text, re.I):
        return True  # a link, not a title
    if letters < 0.5 * len(text.replace(" ", "")):
        return True  # a garbage text layer's "«POAH «3E*»CM", or a reference number
    if _squash(text) in {_squash(Path(source).name), _squash(Path(source).stem)}:
        return True
    if " " not in text and len(text) >= 16 and re.search(r"[a-z][A-Z]\w*[a-z][A-Z]", text):
        return True  # words run together by the tool that wrote it: "AnnualReviewofPensions"
    return " " not in text and re.search(r"[_\-.\d]", text) is not None  # a slug: report-final, Doc1, v2_final


def readable_name(source: str) -> str:
    """Return the file name as words: 'report_final-v2.pdf' -> 'Report final v2'."""
    words = " ".join(re.sub(r"[_\-.]+", " ", Path(source).stem).split())
    return (words[:1].upper() + words[1:]) if words else Path(source).name


def metadata_title(title: str | None, headings: Sequence[str]) -> str | None:
    """Return the title the file's metadata gives, without a site-name suffix; None when it is a heading pick."""
    if not title or title in headings:
        return None  # the parser fell back on a heading: the page itself will be read for the title
    parts = _SITE_SUFFIX.split(title)
    return next((p for p in parts if p in headings), parts[0]).strip() or None


def acronyms(texts: Sequence[str]) -> set[str]:
    """Return the capitalised words a document writes in capitals inside ordinary lines (COVID, an agency's initials)."""
    found: set[str] = set()
    for text in texts:
        for line in text.split("\n"):
            letters = [c for c in line if c.isalpha()]
            if letters and sum(c.isupper() for c in letters) < 0.5 * len(letters):
                found.update(re.findall(r"\b[A-Z][A-Z0-9&]+\b", line))
    return found


def readable_case(text: str, known: set[str]) -> str:
    """Return a title with its ALL-CAPS lines in title case, keeping acronyms the document writes in capitals."""
    out: list[str] = []
    for line in text.split("\n"):
        letters = [c for c in line if c.isalpha()]
        shouting = bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
        for word in line.split():
            core = re.sub(r"^\W+|\W+$", "", word)
            if not shouting or not core or any(c.isdigit() for c in core) or core in known or not core.isupper():
                out.append(word)
            elif out and core.lower() in _SMALL and not out[-1].endswith(":"):
                out.append(word.lower())
            else:
                # "MID-YEAR" -> "Mid-Year", "OWNER'S" -> "Owner's": capitals after a hyphen, not an apostrophe.
                out.append(re.sub(r"(^\W*|[-/])([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), word.lower()))
    return " ".join(out)


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _date_only(text: str) -> bool:
    """Return True for a line that is a date and little else ('November - 2015')."""
    dates = find_dates(text)
    return bool(dates) and _letters(text) - sum(_letters(text[d.start : d.end]) for d in dates) <= 3


def _subtitle(line: CoverLine, top: float) -> bool:
    """Return True for a short title-like line that may follow a title ('Review of Recent Approaches')."""
    text = line.text
    words = len(text.split())
    letters = _letters(text)
    return (
        SUBTITLE_MIN_SIZE * top <= line.size <= top + 0.6
        and 2 <= words <= SUBTITLE_WORDS
        and letters >= 0.5 * len(text.replace(" ", ""))  # not "Vol. 85, No. 152"
        and not text.endswith(".")
        and ", " not in text  # "Anne Olivier, Mikhail Matytsin": authors, not a subtitle
        and ": " not in text  # "Normal text: Hello World": a field, not a subtitle
        and not _name_like(text)
        and not _date_only(text)
        and not _LETTERHEAD.search(text)
    )


def _name_like(text: str) -> bool:
    """Return True for a short line of Capitalised Words only, as an author's name is set ('Jane Smith')."""
    words = re.findall(r"[A-Za-z][\w'’.-]*", text)
    return bool(words) and len(words) == len(text.split()) and all(w[0].isupper() and not w.isupper() for w in words)


def cover_title(cover: Sequence[CoverLine]) -> str | None:
    """Return the title page's largest text as one title, with a short subtitle just below it."""
    lines = [ln for ln in cover if _letters(ln.text) >= 3]
    if not lines:
        return None
    by_size: dict[float, int] = {}
    for ln in lines:
        by_size[ln.size] = by_size.get(ln.size, 0) + len(ln.text)
    body = max(by_size, key=lambda s: by_size[s])
    top = max(ln.size for ln in lines if not _date_only(ln.text))
    if top < PROMINENT_RATIO * body and top < PROMINENT_SIZE:
        return None
    blocks: list[list[int]] = []
    for i, ln in enumerate(cover):
        if abs(ln.size - top) > 0.6 or _letters(ln.text) < 3 or _date_only(ln.text):
            continue
        last = blocks[-1][-1] if blocks else None
        # A block is interrupted by a line of another size ("COUNTRY CASE STUDY") or a wide gap, not by a footnote
        # mark or a raised letter set between its lines ("… Reports of" / "∗" / "the Engineer Research …").
        between = cover[last + 1 : i] if last is not None else []
        if last is None or any(_letters(b.text) >= 3 for b in between) or cover[last].y - ln.y > BLOCK_GAP * top:
            blocks.append([i])
        else:
            blocks[-1].append(i)
    block = max(blocks, key=lambda b: sum(_letters(cover[i].text) for i in b))
    title = "\n".join(cover[i].text.rstrip(_FOOTNOTE_MARKS) for i in block)
    nxt = block[-1] + 1
    if nxt < len(cover) and _subtitle(cover[nxt], top):
        title = title + ("\n" if title.endswith(":") else ":\n") + cover[nxt].text
    return title


def _adjacent(text: str, first: str, second: str) -> bool:
    """Return True when `second` is the line right after `first` in `text`, with no blank line between."""
    return f"{first}\n{second}" in text


def heading_title(text: str, headings: Sequence[str], names_kind: Callable[[str], bool]) -> str | None:
    """Return the first heading block of a page's top: one naming a kind of document, else the first not a letterhead."""
    heading_set = set(headings)
    blocks: list[list[str]] = []
    follows = False  # the line before (blank lines aside) closed the last block
    for line in text.split("\n")[:30]:
        line = line.strip()
        if not line:
            continue
        if line in heading_set:
            # Heading lines run on as one title, and past a blank line after "THE ROAD TO RECOVERY:".
            if follows and (blocks[-1][-1].endswith(":") or _adjacent(text, blocks[-1][-1], line)):
                blocks[-1].append(line)
            else:
                blocks.append([line])
            follows = True
        elif follows and _CONNECTIVE.match(line) and len(line) <= 120 and line[0].islower():
            blocks[-1].append(line)  # "HARBOUR BOARD ORDER" / "on the Dredging of the Channel"
            follows = False
        else:
            follows = False
    blocks = blocks[:6]
    for block in blocks:
        if names_kind(" ".join(block)):
            return "\n".join(block)
    return "\n".join(next((b for b in blocks if not _LETTERHEAD.search(b[0])), blocks[0])) if blocks else None


def clean_title(title: str, known: set[str]) -> str:
    """Return a title on one line, in readable case, cut at a word near MAX_TITLE characters."""
    # Lines are cased on their own: an ALL-CAPS title over a mixed-case subtitle is still shouting.
    lines = [" ".join(line.split()) for line in title.split("\n")]
    title = readable_case("\n".join(line for line in lines if line), known).strip(" :;,|-–")
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE].rsplit(" ", 1)[0] + " …"
    return title
