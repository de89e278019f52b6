"""OCR with Tesseract: rendered PDF pages (via pypdfium2) and image files."""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageStat, UnidentifiedImageError

from kb.errors import ParseError
from kb.types import Page, ParsedDocument, Word

from .text import find_line_headings, normalize_text

log = logging.getLogger(__name__)

OCR_DPI = 300
PAGE_TIMEOUT_S = 60.0
# Tesseract's OpenMP threads spin and slow down badly on a busy 2-core machine; one thread is steadier.
_ENV_EXTRA = {"OMP_THREAD_LIMIT": "1"}


class OCRUnavailable(Exception):
    """Tesseract is not installed, or none of the requested languages is."""


@functools.cache
def tesseract_path() -> str | None:
    """Return the Tesseract binary's path, or None when it is not installed."""
    return shutil.which("tesseract")


@functools.cache
def installed_languages() -> frozenset[str]:
    """Return the language packs Tesseract has installed (empty when Tesseract is missing)."""
    binary = tesseract_path()
    if binary is None:
        return frozenset()
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def usable_languages(requested: str) -> str:
    """Return the installed subset of a 'eng+lao' style list, or raise OCRUnavailable."""
    if tesseract_path() is None:
        raise OCRUnavailable("Tesseract is not installed")
    have = installed_languages()
    langs = [lang for lang in requested.split("+") if lang and lang in have]
    if not langs:
        raise OCRUnavailable(f"no Tesseract language pack for {requested!r} is installed")
    return "+".join(langs)


def is_blank(image: Image.Image) -> bool:
    """Return True when an image is (nearly) one flat colour, so OCR would find nothing."""
    small = image.convert("L")
    small.thumbnail((256, 256))
    extrema: Any = small.getextrema()
    lo, hi = extrema
    return bool(hi - lo < 16 or ImageStat.Stat(small).stddev[0] < 2.0)


def lao_share(text: str) -> float:
    """Return the share of letters in `text` that are Lao script."""
    letters = [c for c in text if c.isalpha()]
    return sum("\u0e80" <= c <= "\u0eff" for c in letters) / len(letters) if letters else 0.0


# A page Tesseract reads with less mean word confidence than this is read again after a 3×3 median
# filter, and the more confident reading is kept. Measured on page 1 (plain → filtered): the sample
# library's noisy scan 81.3 → 95.4 ("22 Ful 2013" → "22 July 2013"), a noisy scanned letter 74.4 → 85.8;
# two clean scans 95.1 → 95.1 and 94.4 → 94.7 (not re-read); Lao text with or without noise reads the same.
CLEAN_CONFIDENCE = 90.0
# Tesseract is less sure of Lao: a clean rendered Lao page scores 85.0 (84.0 filtered), the same page with
# scanner noise 70.6 (84.2 filtered, kept). Mostly-Lao pages use this bar, so clean ones are read once.
CLEAN_CONFIDENCE_LAO = 80.0


@dataclass(frozen=True)
class Reading:
    """What Tesseract read on a page, its mean word confidence (0-100), and each word with its box."""

    text: str
    confidence: float
    words: tuple[Word, ...] = ()


def ocr_image(image: Image.Image, languages: str, *, timeout_s: float = PAGE_TIMEOUT_S) -> str:
    """Return the text Tesseract reads (see `read_image`)."""
    return read_image(image, languages, timeout_s=timeout_s).text


def read_image(image: Image.Image, languages: str, *, timeout_s: float = PAGE_TIMEOUT_S) -> Reading:
    """Return what Tesseract reads; a noisy page is also read denoised, a barely-Lao page without Lao.

    With eng+lao, Tesseract turns specks and smudges on an English page into stray Lao
    letters and misreads digits ("12/PM" as ".12/814"); a second pass without Lao fixes both.
    """
    reading = _tesseract(image, languages, timeout_s=timeout_s)
    if reading.confidence < (CLEAN_CONFIDENCE_LAO if lao_share(reading.text) > 0.5 else CLEAN_CONFIDENCE):
        denoised = image.convert("L").filter(ImageFilter.MedianFilter(3))
        second = _tesseract(denoised, languages, timeout_s=timeout_s)
        if second.confidence > reading.confidence:
            image, reading = denoised, second
    langs = languages.split("+")
    if "lao" in langs and len(langs) > 1 and 0 < lao_share(reading.text) < 0.15:
        reading = _tesseract(image, "+".join(x for x in langs if x != "lao"), timeout_s=timeout_s)
    return reading


def _tesseract(image: Image.Image, languages: str, *, timeout_s: float) -> Reading:
    """Run Tesseract once on an image and return its normalised text with the mean word confidence."""
    binary = tesseract_path()
    if binary is None:
        raise OCRUnavailable("Tesseract is not installed")
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
        base = Path(folder) / "page"
        try:
            out = subprocess.run(
                [binary, "stdin", str(base), "-l", languages, "--psm", "3", "txt", "tsv"],
                input=buffer.getvalue(),
                capture_output=True,
                timeout=timeout_s,
                env={**os.environ, **_ENV_EXTRA},
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"Tesseract took more than {timeout_s:g} s") from None
        if out.returncode != 0:
            message = out.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"Tesseract failed: {message[-1] if message else out.returncode}")
        text = base.with_suffix(".txt").read_text("utf-8", "replace")
        table = base.with_suffix(".tsv").read_text("utf-8", "replace")
    return Reading(normalize_text(text), _mean_confidence(table), word_boxes(table, *image.size))


def word_boxes(tsv: str, width: int, height: int) -> tuple[Word, ...]:
    """Return each word of Tesseract's TSV with its box as fractions of the image: (text, left, top, width, height)."""
    words: list[Word] = []
    if width <= 0 or height <= 0:
        return ()
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            left, top, w, h = (int(cells[i]) for i in range(6, 10))
        except ValueError:
            continue
        box = (round(left / width, 5), round(top / height, 5), round(w / width, 5), round(h / height, 5))
        words.append((cells[11].strip(), *box))
    return tuple(words)


def _mean_confidence(tsv: str) -> float:
    """Return the mean confidence of the words in Tesseract's TSV output (0 when it found none)."""
    confidences = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) >= 12 and cells[11].strip():
            try:
                confidence = float(cells[10])
            except ValueError:
                continue
            if confidence >= 0:
                confidences.append(confidence)
    return sum(confidences) / len(confidences) if confidences else 0.0


class PdfRenderer:
    """One PDF opened with pypdfium2 on first use: pages rendered for OCR, and the document for the layout reader."""

    def __init__(self, path: Path, password: str | None = None, dpi: int = OCR_DPI) -> None:
        self.path, self.password, self.dpi = path, password, dpi
        self._document: Any = None

    def document(self) -> Any:
        """Return the pdfium document, opening the file on first use (the layout reader shares it)."""
        if self._document is None:
            import pypdfium2 as pdfium  # native library: load only when a page needs it

            self._document = pdfium.PdfDocument(str(self.path), password=self.password)
        return self._document

    def render(self, index: int) -> Image.Image:
        """Return page `index` (0-based) rendered to a greyscale image."""
        page = self.document()[index]
        try:
            return page.render(scale=self.dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()

    def close(self) -> None:
        """Release the pdfium document."""
        if self._document is not None:
            self._document.close()
            self._document = None


def parse_image(path: Path, *, source: str, ocr: bool = True, ocr_languages: str = "eng+lao") -> ParsedDocument:
    """Return an image file's OCR text as one page (number=None, ocr=True); frames of a TIFF are joined."""
    if not ocr:
        raise ParseError(source, "image file, and OCR is turned off")
    try:
        languages = usable_languages(ocr_languages)
    except OCRUnavailable as exc:
        raise ParseError(source, f"image file needs OCR, but {exc}") from None
    try:
        image = Image.open(path)
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError) as exc:
        raise ParseError(source, f"damaged or unsupported image: {exc}") from None
    texts: list[str] = []
    words: tuple[Word, ...] = ()
    warnings: list[str] = []
    for frame in range(frames):
        try:
            image.seek(frame)
            image.load()
        except (OSError, EOFError) as exc:
            warnings.append(f"frame {frame + 1}: unreadable ({exc})")
            continue
        if is_blank(image):
            continue
        try:
            reading = read_image(image, languages)
        except (TimeoutError, RuntimeError) as exc:
            warnings.append(f"frame {frame + 1}: {exc}")
            continue
        texts.append(reading.text)
        # The words' boxes place the passage on the image; a TIFF of several frames has no one image to place them on.
        words = reading.words if frames == 1 else ()
    text = "\n\n".join(t for t in texts if t)
    if not text:
        warnings.append("OCR found no text in the image")
    page = Page(number=None, text=text, headings=find_line_headings(text), ocr=True, words=words)
    return ParsedDocument(pages=[page], warnings=warnings)
