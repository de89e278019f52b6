"""Plain-text and Markdown parsing, plus the text normalisation and heading rules other parsers share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from kb.errors import ParseError
from kb.types import Heading, Page, ParsedDocument

# Block = (text, heading level or None); parsers of structured formats build these.
Block = tuple[str, int | None]

_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HYPHEN_BREAK = re.compile(r"([a-z])-\n([a-z])")
_DOT_LEADER = re.compile(r"(\.\s?){4,}|…{2,}")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\S.*)$")
_ARTICLE = re.compile(
    r"^(Article|Chapter|Section|Part|Annex|Appendix|Schedule)\s+([0-9IVXLC]+|[A-Z])\b[.:]?(\s.*)?$",
    re.IGNORECASE,
)
# An annex without a number: "Annex: Summary of commitments", "Appendix", "Annexes".
_ANNEX = re.compile(r"^(?:Annex|Annexes|Appendix|Appendices)(?:\s*[:.–—-]\s*\S.*)?$", re.IGNORECASE)
# A float's label: "TABLE 3.2", "Figure 4: Coverage by province", "Box 3.1", "FIGURE A.1".
_CAPTION = re.compile(
    r"^(?:T(?:able|ABLE)|F(?:igure|IGURE|ig\.)|B(?:ox|OX)|C(?:hart|HART)|M(?:ap|AP)|G(?:raph|RAPH)|E(?:xhibit|XHIBIT))"
    r"\s+(?:[A-Z][.\-–]?)?\d+(?:[.\-–]\d+)*[a-z]?(?:$|[\s.:–—-])"
)
# A heading that is only a label: a number, a numeral or a number word, maybe after "Chapter" or "Part".
_LABEL = re.compile(
    r"^(?:(?:Chapter|Part|Section)\s+)?(?:\d{1,2}|[IVXLC]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[.:]?$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "vs"}
# Words no title ends on: after one of these the line is a sentence ("13 More than 10 degrees of difference for
# more than", a footnote). A title that ends on a preposition may go on in the next line ("3.2 Spending on Water and
# Power Subsidies as" over "Share of Spending"), or not ("1.3 What the fund is for"); so may a numbered one that
# ends on a colon ("3.1 Analysis of Direct Effects:" over "2018–19 Tariff Reforms in Town A").
_SENTENCE_END = (" than", " that", " which", " is", " are", " was", " were")
_WRAPS = (" a", " an", " as", " at", " by", " for", " from", " on", " with")


def normalize_text(text: str, *, join_hyphens: bool = True) -> str:
    """Return NFC text with runs of spaces collapsed, lines trimmed and paragraph breaks as one blank line.

    With `join_hyphens`, a lower-case word broken by a hyphen at a line end is joined; PDF pages leave that
    to `hyphens.join_broken_words`, which asks the whole document whether the hyphen belongs to the word.
    """
    text = unicodedata.normalize("NFC", join_surrogates(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    if join_hyphens:
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def join_surrogates(text: str) -> str:
    """Return the text with UTF-16 surrogate pairs joined into their characters and lone halves replaced.

    A PDF text layer gives a character beyond the Basic Multilingual Plane (a mathematical italic letter) as two
    UTF-16 halves; left apart, the text cannot be encoded, and the tokenizer refuses it.
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def normalize_inline(text: str) -> str:
    """Return NFC text on one line with all whitespace collapsed to single spaces."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", join_surrogates(text)))
    return " ".join(text.split())


def heading_level(line: str, *, title_case: bool) -> int | None:
    """Return the heading level of a numbered, UPPERCASE or (optionally) Title Case line, else None."""
    if not 3 <= len(line) <= 100 or _DOT_LEADER.search(line):
        return None
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 3 or len(letters) < 0.5 * len(line.replace(" ", "")):
        return None
    if line[-1] in ',;"”’)' or line.endswith(("-", ").", " and", " or", " the", " of", " to", " in", *_SENTENCE_END)):
        return None
    words = line.split()
    sentence = line.endswith(".") and len(words) > 4
    if len(words) >= 3 and re.search(r"\S\s+\d{1,3}$", line) and (_NUMBERED.match(line) or _ARTICLE.match(line)):
        return None  # a table-of-contents entry ending in its page number
    numbered = _NUMBERED.match(line)
    if numbered and not sentence and len(words) <= 14 and numbered.group(2)[0].isupper():
        undotted = "." not in numbered.group(1)
        rest = line[numbered.end(1) :]
        cited = "(" in line or ("," in line and re.search(r"\d", rest) is not None)
        if undotted and (cited or int(numbered.group(1)) > 40 or len(line) > 60):
            return None  # "12 Reuters (2020)", "3 Smith, J., 2019": a footnote, not "2 Vision, goal and principles"
        return numbered.group(1).count(".") + 1
    if (_ARTICLE.match(line) or _ANNEX.match(line)) and not sentence and len(words) <= 14:
        return 1
    if line.endswith("."):
        return None
    cased = [c for c in letters if c.lower() != c.upper()]
    upper = sum(c.isupper() for c in cased)
    if cased and cased[0].isupper() and upper >= 0.95 * len(cased) and (len(words) >= 2 or upper >= 6):
        return 1
    if title_case and len(line) <= 60 and line[0].isupper() and not line.endswith(":"):
        significant = [w for w in re.findall(r"[^\W\d_][\w’'-]*", line) if w.lower() not in _SMALL_WORDS]
        if 1 <= len(significant) <= 8 and all(w[0].isupper() for w in significant):
            return 2
    return None


def find_line_headings(text: str, *, title_case: bool = True) -> tuple[Heading, ...]:
    """Return headings found line by line in normalised text; Title Case lines must stand alone.

    A float's caption ("TABLE 3.2", "Figure 4: …") heads no section, nor do the short lines under it (a
    chart's labels): the text after the float goes on under the section around it. A footnote ("26 See …"
    over "27 …") is no numbered heading. A heading that is only a number or a label ("FOUR", "Chapter 2")
    takes the title lines under it.
    """
    headings: list[Heading] = []
    offset = 0
    lines = text.split("\n")
    taken = -1  # the last line a label heading took as its title
    in_float = False  # under a caption, short lines are a chart's labels until prose or a numbered heading
    headed = -1  # the last line of the last heading
    for i, line in enumerate(lines):
        if len(line.split()) >= 8 or _NUMBERED.match(line) or _ARTICLE.match(line):
            in_float = False
        if i <= taken or _is_footnote(lines, i):
            offset += len(line) + 1
            continue
        after = i == 0 or not lines[i - 1] or lines[i - 1].endswith((".", ":", "!", "?")) or headed == i - 1
        if _CAPTION.match(line) and after:
            taken = _with_title(lines, i)[1] if _CAPTION.fullmatch(line) or len(line) < 40 else i
            in_float = True
            offset += len(line) + 1
            continue
        standalone = (i == 0 or lines[i - 1] == "" or lines[i - 1].endswith((".", ":", "!", "?"))) and (
            i + 1 < len(lines)
        )
        level = None if in_float else heading_level(line, title_case=title_case and standalone)
        if level is not None and _goes_on(headings, lines, i, headed, level):
            headings[-1] = Heading(headings[-1].offset, f"{headings[-1].title} {line}", 1)
            headed = i
        elif level is not None and (wrap := _wrapped_title(lines, i)) is not None:
            headings.append(Heading(offset=offset, title=f"{line} {lines[wrap]}", level=level))
            headed = taken = wrap
        elif level is not None:
            title, taken = _with_title(lines, i) if _LABEL.match(line) else (line, i)
            headings.append(Heading(offset=offset, title=title, level=level))
            headed = taken
        offset += len(line) + 1
    return tuple(headings)


def _wrapped_title(lines: list[str], i: int) -> int | None:
    """Return the index of the line a heading's title goes on in (across one blank line at most), or None."""
    line = lines[i]
    if not (line.endswith(_WRAPS) or (line.endswith(":") and _NUMBERED.match(line))):
        return None
    j = i + 1 if i + 1 < len(lines) and lines[i + 1] else i + 2
    return j if j < len(lines) and _titled(lines[j]) else None


def _titled(line: str) -> bool:
    """Return True when a line could end a title: short, no closing stop, its significant words capitalised."""
    if not line or len(line) > 60 or line.endswith((".", ",", ";")):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", line) if w.lower() not in _SMALL_WORDS]
    return bool(words) and all(w[0].isupper() for w in words)


def _goes_on(headings: list[Heading], lines: list[str], i: int, headed: int, level: int) -> bool:
    """Return True when a line in capitals goes on the heading in capitals right above it.

    A cover's title set large breaks over lines ("WATER TARIFFS" / "AND THE POOR" / "IN FIVE CITIES"); each line
    had headed a section of its own, so the page's passages were cited and embedded under a fragment of the title.
    """
    if level != 1 or not headings or headed not in (i - 1, i - 2) or (headed == i - 2 and lines[i - 1]):
        return False
    above = lines[headed]
    if headed == i - 2 and above.rsplit(None, 1)[-1].lower() not in _SMALL_WORDS:
        return False  # across a blank line only a title that breaks on "FOR", "OF" … goes on
    plain = [not (_NUMBERED.match(x) or _ARTICLE.match(x) or _ANNEX.match(x) or _LABEL.match(x)) for x in (above, lines[i])]
    return all(plain) and headings[-1].title.endswith(above) and len(headings[-1].title) + len(lines[i]) < 160


def _is_footnote(lines: list[str], i: int) -> bool:
    """Return True when the line is one of a run of numbered notes: "26 See …" with "27 …" under it."""
    number = re.match(r"(\d{1,3}) \S", lines[i])
    if number is None:
        return False
    n = int(number.group(1))
    after = lines[i + 1] if i + 1 < len(lines) else ""
    before = []
    for line in reversed(lines[max(0, i - 3) : i]):
        if not line:
            break
        before.append(line)
    return after.startswith(f"{n + 1} ") or any(line.startswith(f"{n - 1} ") for line in before)


def _with_title(lines: list[str], i: int) -> tuple[str, int]:
    """Return a label heading joined with its title, and the last line taken.

    The title is the short lines under the label (after one blank line at most) up to the next blank
    line; when text runs on under them, only the first line, if it reads as a title.
    """
    start = i + 2 if i + 2 < len(lines) and not lines[i + 1] else i + 1
    rest: list[str] = []
    j = start
    while (j < len(lines) and lines[j] and len(rest) < 3 and len(" ".join([*rest, lines[j]])) <= 100
           and not (_NUMBERED.match(lines[j]) or _ARTICLE.match(lines[j]))):
        rest.append(lines[j])
        j += 1
    if rest and ((j < len(lines) and lines[j]) or any(line.endswith((".", ";")) for line in rest[1:])):
        rest, j = rest[:1], start + 1
        if len(rest[0]) > 60:
            rest = []
    if not rest or rest[-1].endswith((".", ",", ";")):
        return lines[i], i
    return f"{lines[i]} {' '.join(rest)}", j - 1


def join_blocks(blocks: Iterable[Block]) -> tuple[str, tuple[Heading, ...]]:
    """Join normalised blocks with blank lines; return the text and the headings' offsets in it."""
    parts: list[str] = []
    headings: list[Heading] = []
    length = 0
    for text, level in blocks:
        text = normalize_text(text)
        if not text:
            continue
        if parts:
            length += 2
        if level is not None:
            headings.append(Heading(offset=length, title=normalize_inline(text), level=level))
        parts.append(text)
        length += len(text)
    return "\n\n".join(parts), tuple(headings)


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """Return the decoded text and warnings; UTF-8 (BOM or not), else cp1252/latin-1 with a warning."""
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(source, f"invalid UTF-16 text: {exc.reason}") from None
    elif b"\x00" in data[:8192]:
        raise ParseError(source, "binary data, not text (NUL bytes found)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
            warnings.append(f"not valid UTF-8; decoded as {encoding}")
    text = strip_terminal_formatting(text)
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.01 * max(1, len(sample)):
        raise ParseError(source, "binary data, not text (many control characters)")
    return text, warnings


# A formatted manual page keeps its terminal formatting: escape sequences for bold and underline ("ESC[1m"), or
# overstrikes (a character, a backspace and the character again for bold; an underscore and a backspace for
# underline). The text is what is left without them.
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_OVERSTRIKE = re.compile(r"[^\n]\x08")


def strip_terminal_formatting(text: str) -> str:
    """Return the text without terminal escape sequences and backspace overstrikes."""
    if "\x1b" not in text and "\x08" not in text:
        return text
    return _OVERSTRIKE.sub("", _ESCAPE.sub("", text))


def _markdown_blocks(text: str) -> list[Block]:
    """Split Markdown into paragraphs, headings and table rows, dropping markup characters."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("\n".join(para), None))
            para.clear()

    lines = text.replace("\r\n", "\n").split("\n")
    skip_next = False
    for i, raw in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        line = raw.rstrip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        md = _MD_HEADING.match(line)
        if md:
            flush()
            blocks.append((_MD_LINK.sub(r"\1", md.group(2)), len(md.group(1))))
        elif line.strip() and not para and len(nxt) >= 2 and re.fullmatch(r"=+|-+", nxt):
            blocks.append((line, 1 if nxt[0] == "=" else 2))  # setext heading
            skip_next = True
        elif "|" in line and _MD_TABLE_SEP.match(line):
            continue
        elif line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            para.append(" | ".join(_MD_LINK.sub(r"\1", c) for c in cells))
        elif line.strip().startswith("```"):
            continue
        elif not line.strip():
            flush()
        else:
            para.append(_MD_LINK.sub(r"\1", line))
    flush()
    return blocks


def parse_markdown(path: Path, *, source: str) -> ParsedDocument:
    """Return a Markdown file as one page with '#' and setext headings."""
    text, warnings = decode_text(path.read_bytes(), source)
    body, headings = join_blocks(_markdown_blocks(text))
    title = headings[0].title if headings else None
    return ParsedDocument(pages=[Page(None, body, headings)], title=title, warnings=warnings)


def opening_line(body: str) -> str | None:
    """Return the line a plain-text file opens with when it stands alone as a title: a blank line (or its underline)
    after it, a dozen words at most, and not a sentence, a lead-in or a numbered section."""
    first, _, rest = body.partition("\n")
    first = first.strip()
    if not first or not rest.startswith("\n") or len(first.split()) > 12 or len(first) > 100:
        return None
    if first.endswith((".", ",", ";", ":")) or sum(c.isalpha() for c in first) < 3 or _NUMBERED.match(first):
        return None  # a sentence, a lead-in, or the first numbered section ("1. Introduction")
    return first


def parse_text(path: Path, *, source: str) -> ParsedDocument:
    """Return a plain-text file as one page; underlined, UPPERCASE and numbered lines are headings."""
    text, warnings = decode_text(path.read_bytes(), source)
    body, underlined = _underlined_headings(normalize_text(text))
    found = {h.offset: h for h in find_line_headings(body, title_case=False)} | {h.offset: h for h in underlined}
    headings = tuple(found[offset] for offset in sorted(found))
    title = headings[0].title if headings else None
    return ParsedDocument(pages=[Page(None, body, headings)], title=title, warnings=warnings, opening=opening_line(body))


_RULE = re.compile(r"([=\-*~^#+`])\1{2,}")


def _underlined_headings(text: str) -> tuple[str, tuple[Heading, ...]]:
    """Return the text without the rules that underline (or over- and underline) its headings, and those headings.

    Plain-text documents written in reStructuredText or setext style mark a heading by a rule of one repeated
    character under it, about as long as the heading ("Version 2.1" over "==========="); each character is a level,
    in the order they first appear. A rule much longer than the line above is a separator, not an underline.
    """
    lines = text.split("\n")
    out: list[str] = []
    headings: list[Heading] = []
    levels: list[str] = []
    offset = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        standalone = not out or out[-1] == "" or _RULE.fullmatch(out[-1]) is not None
        if (line and not _RULE.fullmatch(line) and standalone and len(line) <= 100 and _RULE.fullmatch(nxt)
                and 0.7 * len(line) <= len(nxt) <= 1.3 * len(line) + 3):
            if out and _RULE.fullmatch(out[-1]) and out[-1][0] == nxt[0]:  # an overline too
                offset -= len(out.pop()) + 1
            if nxt[0] not in levels:
                levels.append(nxt[0])
            headings.append(Heading(offset=offset, title=line, level=min(levels.index(nxt[0]) + 1, 6)))
            out.append(line)
            offset += len(line) + 1
            i += 2
            continue
        out.append(line)
        offset += len(line) + 1
        i += 1
    return "\n".join(out), tuple(headings)
