"""Parse one file into pages of text: detect its type by content, then dispatch to a format parser."""

from __future__ import annotations

from pathlib import Path

from kb.errors import ParseError
from kb.types import ParsedDocument

from .cover import read_cover
from .detect import detect_type
from .docx import parse_docx
from .html import parse_html
from .ocr import parse_image
from .pdf import OcrBudget, parse_pdf
from .text import parse_markdown, parse_text

__all__ = ["ParseError", "detect_type", "parse_file"]


def parse_file(
    path: Path,
    *,
    source: str,
    password: str | None = None,
    ocr: bool = True,
    ocr_languages: str = "eng+lao",
    max_ocr_pages: int = 50,
    ocr_budget_s: float | None = None,
) -> ParsedDocument:
    """Return the file's pages, title, date and warnings; raise ParseError naming `source` and why."""
    path = Path(path)
    kind = detect_type(path, source=source)
    if kind == "pdf":
        budget = OcrBudget(max_pages=max_ocr_pages, seconds=ocr_budget_s)
        parsed = parse_pdf(path, source=source, password=password, ocr=ocr, ocr_languages=ocr_languages, budget=budget)
        # Read here, inside the isolated parse, so a hostile PDF never runs in the ingesting process.
        parsed.cover = read_cover(path, password)
        return parsed
    if kind == "docx":
        return parse_docx(path, source=source)
    if kind == "html":
        return parse_html(path, source=source)
    if kind == "markdown":
        return parse_markdown(path, source=source)
    if kind == "text":
        return parse_text(path, source=source)
    return parse_image(path, source=source, ocr=ocr, ocr_languages=ocr_languages)
