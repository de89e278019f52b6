"""DOCX parsing with python-docx: body paragraphs and tables in order, headings from styles."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from kb.errors import ParseError
from kb.types import Page, ParsedDocument

from .text import Block, join_blocks, normalize_inline

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)


def _style_level(paragraph: Paragraph) -> int | None:
    """Return the heading level of a paragraph's style: 'Title' is 1, 'Heading N' is N."""
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style id the styles part does not define
        return None
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else None


def _table_rows(table: Table) -> list[str]:
    """Return each table row as 'cell | cell', merged cells counted once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(normalize_inline(cell.text))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Numbering:
    """Word's list numbering: which paragraphs are list items, and the marker Word shows for each ("1.", "R2.", "a)")."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, level) -> (numFmt, lvlText, start)
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {
            a.get(f"{_W}abstractNumId"): {int(lvl.get(f"{_W}ilvl", "0")): _level(lvl) for lvl in a.iter(f"{_W}lvl")}
            for a in root.iter(f"{_W}abstractNum")
        }
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            for level, spec in abstract.get(ref.get(f"{_W}val") if ref is not None else None, {}).items():
                self.levels[(num.get(f"{_W}numId") or "", level)] = spec

    def marker(self, paragraph: Paragraph) -> str:
        """Return the marker Word shows before a list item and a space, "• " for a bullet, "" for other paragraphs."""
        num_id, level = _num_props(paragraph)
        if num_id is None:
            return ""
        default = ("bullet", "", 1) if "bullet" in _style_name(paragraph) else ("decimal", f"%{level + 1}.", 1)
        fmt, text, start = self.levels.get((num_id, level), default)
        if fmt in ("bullet", "none"):
            return "• "
        key = (num_id, level)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[deeper]

        def shown(match: re.Match[str]) -> str:
            lvl = int(match.group(1)) - 1
            lvl_fmt = self.levels.get((num_id, lvl), default)[0]
            return _format_number(self.counters.get((num_id, lvl), 1), lvl_fmt)

        return (re.sub(r"%(\d)", shown, text or f"%{level + 1}.").strip() or f"{self.counters[key]}.") + " "


def _level(lvl: Any) -> tuple[str, str, int]:
    """Return a numbering level's format, marker text ("%1.", "R%1.") and first number."""
    fmt, text, start = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText"), lvl.find(f"{_W}start")
    first = start.get(f"{_W}val") if start is not None else "1"
    return (
        str(fmt.get(f"{_W}val")) if fmt is not None else "decimal",
        str(text.get(f"{_W}val") or "") if text is not None else "",
        int(first) if first and first.isdigit() else 1,
    )


def _format_number(n: int, fmt: str) -> str:
    """Return a list number as Word shows it in a format: 3, c, C, iii, III."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                    ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
        out = ""
        for sign, value in numerals:
            while n >= value:
                out, n = out + sign, n - value
        return out.upper() if fmt == "upperRoman" else out
    return str(n)


def _style_name(paragraph: Paragraph) -> str:
    try:
        return (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _num_props(paragraph: Paragraph) -> tuple[str | None, int]:
    """Return the paragraph's list (numId, level), from its own properties or its style's."""
    for holder in (paragraph._p.pPr, _style_ppr(paragraph)):
        num_pr = holder.find(f"{_W}numPr") if holder is not None else None
        if num_pr is not None:
            num_id = num_pr.find(f"{_W}numId")
            ilvl = num_pr.find(f"{_W}ilvl")
            value = num_id.get(f"{_W}val") if num_id is not None else None
            if value and value != "0":
                return value, int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
    name = _style_name(paragraph)
    if name.startswith("list bullet"):
        return "bullet", 0
    if name.startswith("list number"):
        return "style-number", 0
    return None, 0


def _style_ppr(paragraph: Paragraph) -> Any:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return None
    return style.element.pPr if style is not None else None


def _body_blocks(document: Any) -> Iterator[Block]:
    """Yield the body's paragraphs (list items with the marker Word shows) and tables in document order."""
    numbering = _Numbering(document)
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text
            if text.strip():
                level = _style_level(paragraph)
                yield (text if level is not None else numbering.marker(paragraph) + text), level
        elif tag == "tbl":
            rows = _table_rows(Table(child, document))
            if rows:
                yield "\n".join(rows), None


def parse_docx(path: Path, *, source: str) -> ParsedDocument:
    """Return a DOCX file as one page, headings from 'Heading N'/'Title' styles, tables as rows."""
    try:
        document = docx.Document(str(path))
        text, headings = join_blocks(_body_blocks(document))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(source, f"damaged DOCX: {exc}") from None
    except Exception as exc:  # lxml and python-docx raise many types on malformed XML
        raise ParseError(source, f"damaged DOCX: {type(exc).__name__}: {exc}") from None
    props = document.core_properties
    title = normalize_inline(props.title or "") or (headings[0].title if headings else None)
    date = props.created.date().isoformat() if props.created else None
    return ParsedDocument(pages=[Page(None, text, headings)], title=title, date=date)
