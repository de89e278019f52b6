"""The words and ruling lines of one PDF page, read with pypdfium2, in top-down page coordinates (points)."""

from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A char is part of the current word when it starts at most this many line heights after the word ends.
# pdfium puts a (generated) space between words itself; this only catches words set without one.
_WORD_GAP = 0.25
_MAX_PATH_SEGMENTS = 400  # a path with more segments is a drawing (a map, a logo), not table rules
_MIN_EDGE = 3.0  # shorter strokes are glyph-like marks, not rules
_NUMBER_END = re.compile(r"\d[a-z]?$")  # a number, or a number and its ordinal's first letter ("10t" of "10th")


@dataclass(slots=True)
class Word:
    """A run of characters without a space, with its box; `size` is the line height of its font."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def size(self) -> float:
        """Return the word's height: its font's ascent to descent."""
        return self.bottom - self.top


@dataclass
class PageContent:
    """What the layout needs of a page: its words, its horizontal and vertical rules, and its size."""

    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    hidden_text: bool = False  # most text is invisible: an OCR layer laid over a scan
    edges: list[dict[str, Any]] = field(default_factory=list)  # pdfplumber's edge dicts (x0, x1, top, bottom, orientation)


Matrix = tuple[float, float, float, float, float, float]


class _View:
    """Maps PDF user space to the page as seen: top-down, rotated upright, from the crop box's corner."""

    def __init__(self, page: pdfium.PdfPage, extra_turns: int) -> None:
        left, bottom, right, top = page.get_cropbox()
        self.left, self.bottom, self.right, self.top = left, bottom, right, top
        self.turns = (page.get_rotation() // 90 + extra_turns) % 4
        w, h = right - left, top - bottom
        self.width, self.height = (h, w) if self.turns % 2 else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Return (x, y-from-top) of a user-space point on the upright page."""
        dx, dy = x - self.left, self.top - y  # top-down, unrotated
        w, h = self.right - self.left, self.top - self.bottom
        if self.turns == 1:
            return h - dy, dx
        if self.turns == 2:
            return w - dx, h - dy
        if self.turns == 3:
            return dy, w - dx
        return dx, dy

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """Return (x0, top, x1, bottom) of a user-space rectangle on the upright page."""
        xa, ya = self.point(left, bottom)
        xb, yb = self.point(right, top)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


def read_page(page: pdfium.PdfPage) -> PageContent:
    """Return the page's words in content order and its ruling edges, upright as the page is shown."""
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        # Text turned as a whole (a landscape table set sideways) is read upright; text at another angle
        # than most of the page (a "Public Disclosure Authorized" stamp up the margin) is left out.
        angles = [_quarter_turns(pdfium_c.FPDFText_GetCharAngle(raw, i)) for i in range(count)]
        common = Counter(a for a in angles if a is not None).most_common(1)
        turns = common[0][0] if common else 0
        view = _View(page, (4 - turns) % 4)
        content = PageContent(view.width, view.height, hidden_text=_mostly_invisible(raw, count))
        content.words = _words(raw, count, angles, turns, view)
    finally:
        textpage.close()
    content.edges = _edges(page, view)
    return content


def _mostly_invisible(raw: Any, count: int) -> bool:
    """Return True when most chars (every 20th looked at) are drawn invisibly, as OCR layers over scans are."""
    sample = range(0, count, 20)
    hidden = 0
    for i in sample:
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        if obj and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
            hidden += 1
    return hidden > 0.5 * len(sample) if count else False


def _quarter_turns(angle: float) -> int | None:
    """Return a char's angle as a whole number of quarter turns, or None when it is not near one (or unknown)."""
    if angle < 0:
        return None
    turns = angle / (math.pi / 2)
    nearest = round(turns)
    return nearest % 4 if abs(turns - nearest) < 0.05 else None


def _words(raw: Any, count: int, angles: list[int | None], turns: int, view: _View) -> list[Word]:
    """Return the words made of the page's chars: split at spaces, gaps and jumps to another line."""
    rect = pdfium_c.FS_RECTF()
    words: list[Word] = []
    current: Word | None = None
    last: tuple[str, float, float, float] | None = None  # the last char, its x0, x1 and top
    pending = ""  # an accent drawn before the letter it goes on
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        # pdfium gives a hyphen that ends a line as U+0002 (it may be a soft hyphen): keep it as "-", and
        # let de-hyphenation decide.
        char = "-" if code == 2 else chr(code) if 0 < code < 0x110000 else ""
        if not char or char.isspace() or pdfium_c.FPDFText_IsGenerated(raw, i) or angles[i] != turns:
            current, pending = None, ""
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, ctypes.byref(rect)):
            continue
        x0, top, x1, bottom = view.box(rect.left, rect.bottom, rect.right, rect.top)
        height = bottom - top
        if height <= 0 or x1 < 0 or x0 > view.width or bottom < 0 or top > view.height:
            continue  # off the visible page (clipped text, crop marks)
        if char in _SPACING_ACCENTS:
            # An accent drawn as a glyph of its own (TeX sets "ê" as "e" and "ˆ") goes on the letter under it: the one
            # before ("Gene ˆve") or the one after ("M¨uller").
            if current is not None and last is not None and last[1] <= (x0 + x1) / 2 <= last[2]:
                current.text += _SPACING_ACCENTS[char]
            else:
                pending = _SPACING_ACCENTS[char]
            continue
        char, pending = char + pending, ""
        if current is not None and last is not None and abs(last[1] - x0) < 0.01 and abs(last[2] - x1) < 0.01:
            current.text += char  # a ligature's second letter ("ffi" is one glyph): pdfium gives it the same box
            continue
        # "Fake bold" draws each glyph twice, a hair apart: keep the first. (A real double letter, "ff", is a
        # glyph's width further on.)
        if last is not None and last[0] == char and abs(last[1] - x0) < 0.3 * (x1 - x0) and abs(last[3] - top) < 0.1 * height:
            continue
        last = (char, x0, x1, top)
        # Same baseline band, next to it: a char in another font ("COVID‑19" with a non-breaking hyphen) or
        # a footnote mark glued on ("it.1") joins the word, as pypdf's plain text has it.
        middle, current_middle = (top + bottom) / 2, 0.0 if current is None else (current.top + current.bottom) / 2
        if current is not None and (
            (
                (abs(middle - current_middle) < 0.3 * max(height, current.size) or _ordinal(char, top, bottom, current))
                and -0.3 * height <= x0 - current.x1 <= _WORD_GAP * max(height, current.size)
                and not _note_mark(current, char, top, bottom)
            )
            or (not char.isdigit() and _tucked_in(x0, top, bottom, current))
        ):
            current.text += char
            current.x1 = max(current.x1, x1)
            continue
        current = Word(char, x0, top, x1, bottom)
        words.append(current)
    for word in words:
        if any(mark in word.text for mark in _SPACING_ACCENTS.values()):
            word.text = unicodedata.normalize("NFC", word.text)  # "Genève", "Müller"
    return _dedupe(words)


# Accents a PDF may draw as glyphs of their own, and the combining marks they stand for.
_SPACING_ACCENTS = {"ˆ": "\u0302", "˜": "\u0303", "¸": "\u0327", "¨": "\u0308", "´": "\u0301", "ˇ": "\u030c",
                    "˘": "\u0306", "˙": "\u0307", "˚": "\u030a", "˝": "\u030b", "¯": "\u0304"}


def _tucked_in(x0: float, top: float, bottom: float, word: Word) -> bool:
    """Return True for a glyph set raised or lowered and kerned back under the end of the word before it: a logo's
    letters ("LaTeX", "TeX"), a vowel sign over or under a consonant, which belong to that word. (A note's number is
    left to the rule for marks glued on.)

    It starts within the word's last glyph or so (a line height back from its end) and shares most of its height with
    the word's line.
    """
    shared = min(bottom, word.bottom) - max(top, word.top)
    return max(word.x0, word.x1 - word.size) < x0 < word.x1 and shared >= 0.6 * min(bottom - top, word.size)


def _raised(top: float, bottom: float, word: Word) -> bool:
    """Return True when a glyph from `top` to `bottom` is set small and raised beside `word`."""
    return bottom - top < 0.8 * word.size and bottom < word.bottom - 0.15 * word.size and top > word.top - 0.5 * word.size


def _ordinal(char: str, top: float, bottom: float, word: Word) -> bool:
    """Return True for a raised small letter after a number: an ordinal's "th" joins it ("10th")."""
    return char.islower() and _NUMBER_END.search(word.text) is not None and _raised(top, bottom, word)


def _note_mark(word: Word, char: str, top: float, bottom: float) -> bool:
    """Return True when `word` is a raised note number before a capital: "13More than …" opens a footnote."""
    return char.isupper() and word.text.isdigit() and _raised(word.top, word.bottom, Word(char, 0.0, top, 0.0, bottom))


def _dedupe(words: list[Word]) -> list[Word]:
    """Drop a word drawn twice at the same place (fake bold done word by word)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for word in words:
        key = (word.text, round(word.x0), round(word.top))
        if key not in seen:
            seen.add(key)
            out.append(word)
    return out


def long_rules(content: PageContent, share: float = 0.25) -> list[tuple[float, float, float]]:
    """Return the page's horizontal lines at least `share` of the page wide, as (x0, y, x1)."""
    wide = share * content.width
    return [(e["x0"], e["top"], e["x1"]) for e in content.edges if e["orientation"] == "h" and e["width"] >= wide]


def _edges(page: pdfium.PdfPage, view: _View) -> list[dict[str, Any]]:
    """Return the page's horizontal and vertical strokes and box sides, as pdfplumber edge dicts."""
    edges: list[dict[str, Any]] = []
    _collect_edges(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, (1, 0, 0, 1, 0, 0), view, edges, 0)
    return edges


def _collect_edges(parent: Any, count_objects: Any, get_object: Any, outer: Matrix, view: _View,
                   edges: list[dict[str, Any]], depth: int) -> None:
    """Add the edges of the path objects under `parent`, descending into form objects."""
    matrix = pdfium_c.FS_MATRIX()
    for i in range(count_objects(parent)):
        obj = get_object(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            continue
        own = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            if depth < 4:
                count, get = pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject
                _collect_edges(obj, count, get, own, view, edges, depth + 1)
            continue
        segments = pdfium_c.FPDFPath_CountSegments(obj)
        if 0 < segments <= _MAX_PATH_SEGMENTS:
            _path_edges(obj, segments, own, view, edges)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """Return the matrix that applies `inner`, then `outer`."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_edges(obj: Any, segments: int, matrix: Matrix, view: _View, edges: list[dict[str, Any]]) -> None:
    """Add the horizontal and vertical sides of one path made of straight lines (a rule, a box, a grid).

    A path with a curve is a drawing (an icon, a logo, a chart's line): its straight bits are no table
    rules, and pdfplumber's snapping would drag real rules nearby towards them.
    """
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    found: list[dict[str, Any]] = []
    for i in range(segments):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = view.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = previous = point
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
            _add_edge(previous, point, found)
        previous = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            _add_edge(point, start, found)
            previous = start
    edges.extend(found)


def _add_edge(p: tuple[float, float], q: tuple[float, float], edges: list[dict[str, Any]]) -> None:
    """Add the segment p-q when it is horizontal or vertical and long enough to be a rule."""
    (x0, y0), (x1, y1) = sorted([p, q])
    if abs(y1 - y0) < 1.0 and x1 - x0 >= _MIN_EDGE:
        y = (y0 + y1) / 2
        edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0, "orientation": "h"})
    elif abs(x1 - x0) < 1.0 and abs(y1 - y0) >= _MIN_EDGE:
        x, top, bottom = (x0 + x1) / 2, min(y0, y1), max(y0, y1)
        edges.append({"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top, "orientation": "v"})
