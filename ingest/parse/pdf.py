"""PDF parsing: one Page per PDF page, read in layout order; OCR for pages without a usable text layer.

pypdf opens the file (damage repair, passwords, metadata); pypdfium2's words and rules give each page's
text in reading order with its tables as rows (`layout.py`, `tables.py`). A page the layout reader cannot
read falls back to pypdf's plain text, so no page is lost.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError

from kb.errors import ParseError
from kb.types import Page, ParsedDocument

from .hyphens import join_broken_words_in
from .layout import page_text
from .ocr import OCRUnavailable, PdfRenderer, is_blank, read_image, usable_languages
from .running import strip_running_lines
from .tables import find_tables
from .text import find_line_headings, normalize_inline, normalize_text
from .words import long_rules, read_page

log = logging.getLogger(__name__)

MIN_LETTERS = 20  # fewer letters than this on a page: treat it as having no text layer
_JUNK_TITLE = re.compile(
    r"(^(untitled|title|document|world bank document|microsoft word\b.*|slide \d+)$)"
    r"|\.(pdf|jpe?g|png|tiff?|docx?|indd|qxd|ps|eps)$",
    re.I,
)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_LAO = re.compile(r"[\u0e80-\u0eff]")
_LAO_MARK_START = re.compile(r"(?:^|\s)[\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd]")


@dataclass
class OcrBudget:
    """How much OCR one document may use: a page count and a wall-time budget."""

    max_pages: int = 50
    seconds: float | None = None
    started: float = field(default_factory=time.monotonic)
    used_pages: int = 0

    def allows(self) -> bool:
        """Return True while another page may be OCR'd."""
        if self.used_pages >= self.max_pages:
            return False
        return self.seconds is None or time.monotonic() - self.started < self.seconds

    def describe(self) -> str:
        """Return the limit in words, for warnings."""
        limit = f"{self.max_pages} pages"
        return limit if self.seconds is None else f"{limit} or {self.seconds:g} s"


def text_problem(text: str) -> str | None:
    """Return why a page's text layer is unusable (no text, garbage, broken Lao), or None when it is fine."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return "no text layer"
    bad = sum(1 for c in chars if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 32)
    if bad > 0.2 * len(chars):
        return "garbage text layer (replacement or private-use characters)"
    letters = sum(1 for c in chars if c.isalpha() and not "\ue000" <= c <= "\uf8ff")
    if letters < MIN_LETTERS:
        return "almost no text layer"
    lao = len(_LAO.findall(text))
    if lao >= 20:
        words = max(1, len(re.findall(r"\S*[\u0e80-\u0eff]\S*", text)))
        if len(_LAO_MARK_START.findall(text)) > 0.1 * words:
            return "Lao text in broken order (vowel or tone marks start words)"
    return None


def pdf_date(value: object) -> str | None:
    """Return an ISO date (yyyy-mm-dd, or shorter when the PDF gives less) from a PDF date string."""
    match = _PDF_DATE.match(str(value or "").strip())
    if not match or not 1900 < int(match.group(1)) < 2200:
        return None
    return "-".join(part for part in match.groups() if part)


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    """Return the (title, date) the PDF's info dictionary gives, dropping placeholder titles."""
    try:
        info: Any = reader.metadata or {}
        raw_title = normalize_inline(str(info.get("/Title") or "").replace("\x00", ""))
        date = pdf_date(info.get("/CreationDate")) or pdf_date(info.get("/ModDate"))
    except Exception:  # a damaged info dictionary only loses metadata
        return None, None
    title = raw_title if raw_title and not _JUNK_TITLE.search(raw_title) else None
    return title, date


def _open(path: Path, source: str, password: str | None) -> tuple[PdfReader, str | None]:
    """Return a readable (decrypted) PdfReader and the password that opened it."""
    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise ParseError(source, f"damaged PDF: {_reason(exc)}") from None
    if not encrypted:
        return reader, None
    try:
        if reader.decrypt(""):
            return reader, None
        if password is None:
            raise ParseError(source, "encrypted PDF: password required (set `password:` in the manifest)")
        if reader.decrypt(password):
            return reader, password
    except DependencyError:
        raise ParseError(source, "encrypted PDF: the 'cryptography' package is needed to decrypt it") from None
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(source, f"encrypted PDF could not be decrypted: {_reason(exc)}") from None
    raise ParseError(source, "encrypted PDF: wrong password")


def page_labels(reader: PdfReader) -> dict[int, str]:
    """Return the printed label of each page by 1-based number, when the PDF defines /PageLabels (else empty)."""
    try:
        root: Any = reader.trailer["/Root"]
        if "/PageLabels" not in root:
            return {}
        return {i + 1: str(label) for i, label in enumerate(reader.page_labels) if str(label).strip()}
    except Exception:  # a damaged label tree only loses the labels: citations fall back to page numbers
        return {}


def _reason(exc: BaseException) -> str:
    """Return an exception as a short human reason."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _page_ranges(numbers: list[int]) -> str:
    """Return page numbers as compact ranges: '2, 5-9'."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def parse_pdf(
    path: Path,
    *,
    source: str,
    password: str | None = None,
    ocr: bool = True,
    ocr_languages: str = "eng+lao",
    budget: OcrBudget | None = None,
) -> ParsedDocument:
    """Return one Page per PDF page (1-based), OCR'ing pages whose text layer is missing or garbage."""
    reader, used_password = _open(path, source, password)
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise ParseError(source, f"damaged PDF: {_reason(exc)}") from None
    if count == 0:
        raise ParseError(source, "damaged PDF: no pages found")
    title, date = _metadata(reader)
    budget = budget or OcrBudget()
    warnings: list[str] = []
    over_budget: list[int] = []
    renderer = PdfRenderer(path, used_password)
    languages: str | None = None
    ocr_missing: str | None = None
    if ocr:
        try:
            languages = usable_languages(ocr_languages)
        except OCRUnavailable as exc:
            ocr_missing = str(exc)
    pages: list[Page] = []
    layout = _LayoutReader(renderer)
    try:
        for index in range(count):
            number = index + 1
            text = layout.page_text(index)
            if text is None or text_problem(text) is not None:
                plain = _plain_text(reader, index, number, warnings)
                if text is None or text_problem(plain) is None:
                    text = plain
            problem = text_problem(text)
            if problem is None:
                pages.append(Page(number, text, find_line_headings(text)))
                continue
            if not ocr:
                pages.append(Page(number, text, find_line_headings(text)))
                if not text:
                    warnings.append(f"page {number}: {problem} and OCR is turned off; page skipped")
                continue
            if languages is None:
                pages.append(Page(number, text, find_line_headings(text)))
                what = "Tesseract is not installed" if ocr_missing == "Tesseract is not installed" else ocr_missing
                warnings.append(f"page {number}: {problem} and {what}; page skipped")
                continue
            if not budget.allows():
                pages.append(Page(number, text, find_line_headings(text)))
                over_budget.append(number)
                continue
            pages.append(_ocr_page(renderer, index, text, languages, budget, warnings))
    finally:
        renderer.close()
    if over_budget:
        warnings.append(
            f"pages {_page_ranges(over_budget)}: need OCR but the OCR limit ({budget.describe()}) was reached"
        )
    pages = join_broken_words_in(strip_running_lines(pages))
    if title is None:
        title = next((h.title for page in pages if not page.ocr for h in page.headings), None)
    return ParsedDocument(pages=pages, title=title, date=date, warnings=warnings, page_labels=page_labels(reader))


class _LayoutReader:
    """Reads pages in layout order with pypdfium2, from the document the renderer opens on first use."""

    def __init__(self, renderer: PdfRenderer) -> None:
        self.renderer = renderer
        self._failed = False

    def page_text(self, index: int) -> str | None:
        """Return page `index` (0-based) in reading order with table rows, or None when pdfium cannot read it."""
        if self._failed:
            return None
        try:
            document = self.renderer.document()
        except Exception as exc:  # a file pypdf repairs may be one pdfium refuses: plain text then
            log.debug("pdfium cannot open %s: %s", self.renderer.path, _reason(exc))
            self._failed = True
            return None
        try:
            page = document[index]
        except Exception as exc:
            log.debug("pdfium cannot open %s page %d: %s", self.renderer.path, index + 1, _reason(exc))
            return None
        try:
            content = read_page(page)
            if content.hidden_text:
                # An OCR layer places each word on its own, not on the lines of the scan under it: pypdf's
                # plain text follows its order better than a layout of its boxes does.
                return None
            return normalize_text(page_text(content.words, find_tables(content.edges, content.words), long_rules(content)),
                                  join_hyphens=False)
        except Exception as exc:  # one unreadable page falls back to pypdf's plain text; the rest keep their layout
            log.debug("layout of %s page %d failed: %s", self.renderer.path, index + 1, _reason(exc))
            return None
        finally:
            page.close()


def _plain_text(reader: PdfReader, index: int, number: int, warnings: list[str]) -> str:
    """Return pypdf's plain text of a page (the fallback when the layout reader fails or reads less)."""
    try:
        return normalize_text(reader.pages[index].extract_text() or "", join_hyphens=False)
    except Exception as exc:
        warnings.append(f"page {number}: text extraction failed ({_reason(exc)})")
        return ""


def _ocr_page(
    renderer: PdfRenderer, index: int, layer: str, languages: str, budget: OcrBudget, warnings: list[str]
) -> Page:
    """Return page `index` read by Tesseract, or its own text layer when OCR fails or reads less."""
    number = index + 1
    started = time.monotonic()
    try:
        image = renderer.render(index)
        if is_blank(image):
            return Page(number, layer, find_line_headings(layer))
        budget.used_pages += 1
        reading = read_image(image, languages)
        text = reading.text
    except Exception as exc:  # pdfium render errors and Tesseract failures both only lose this page
        warnings.append(f"page {number}: OCR failed ({_reason(exc)})")
        return Page(number, layer, find_line_headings(layer))
    log.debug("OCR of page %d took %.1f s", number, time.monotonic() - started)
    if not any(c.isalpha() for c in text):
        return Page(number, layer, find_line_headings(layer))
    return Page(number, text, find_line_headings(text), ocr=True, words=reading.words)
