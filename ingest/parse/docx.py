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


def _body_blocks(document: Any) -> Iterator[Block]:
    """Yield the body's paragraphs and tables in document order."""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text
            if text.strip():
                yield text, _style_level(paragraph)
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
