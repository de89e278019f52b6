"""Regenerate every PDF and DOCX of the sample library from ``corpus/_sources``.

Run from the repository root::

    .venv/bin/python scripts/build_corpus.py

Each source is a small text file: YAML front matter, then blocks in a line-oriented markup.

``=== page ===``   start a new page (PDFs only; DOCX ignores it)
``# text``         document title            ``## text``  section heading (Heading 1 in DOCX)
``### text``       sub-section heading (Heading 2 in DOCX)
``^ text``         centred line              ``> text``   note in italics
``- text``         bullet                    ``| a | b |``  table row (first row of a run = header)
``~``              vertical space            other lines   one paragraph each

Front matter keys: ``output`` (file name in corpus/), ``title``, ``author``, ``subject``,
``keywords``, ``created`` (ISO date), ``header`` (running header, optional),
``font`` (``serif``, ``sans`` or ``lao``) and ``kind`` (``pdf``, ``docx`` or ``scan``).

Output is deterministic: fixed creation dates, fixed metadata, fixed zip timestamps, seeded
scan noise. The build fails if a PDF's page count differs from its ``=== page ===`` markers,
so a page that overflows is caught instead of silently shifting every later page number.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "corpus" / "_sources"
CORPUS = ROOT / "corpus"

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LAO_FONT = Path("/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf")
PAGE_MARK = "=== page ==="


@dataclass
class Block:
    """One unit of layout: a heading, paragraph, bullet, table, note or spacer."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    """A parsed source file: metadata plus its pages of blocks."""

    path: Path
    meta: dict[str, str]
    pages: list[list[Block]]


def parse_source(path: Path) -> Source:
    """Return the metadata and pages of blocks of one source file."""
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---\n", 2)
    meta = {k: str(v) for k, v in yaml.safe_load(front).items()}
    pages: list[list[Block]] = [[]]
    para: list[str] = []

    def flush() -> None:
        if para:
            pages[-1].append(Block("para", " ".join(para)))
            para.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if stripped == PAGE_MARK:
            flush()
            pages.append([])
        elif not stripped:
            flush()
        elif stripped.startswith("|"):
            flush()
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            blocks = pages[-1]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
        elif m := re.match(r"^(#{1,3}|\^|>|-|~)(?:\s+|$)(.*)$", stripped):
            flush()
            kind = {"#": "title", "##": "h1", "###": "h2", "^": "center", ">": "note", "-": "bullet", "~": "space"}[
                m.group(1)
            ]
            pages[-1].append(Block(kind, m.group(2)))
        else:
            para.append(stripped)
            flush()
    flush()
    return Source(path, meta, [p for p in pages if p] or [[]])


def fixed_datetime(meta: dict[str, str]) -> dt.datetime:
    """Return the document's fixed creation time (noon UTC on its ``created`` date)."""
    day = dt.date.fromisoformat(meta["created"])
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=dt.UTC)


class LibraryPDF(FPDF):
    """An A4 page with an optional running header (not on page 1) and a page-number footer."""

    running_header = ""
    body_font = "body"

    def header(self) -> None:
        if self.running_header and self.page_no() > 1:
            self.set_font(self.body_font, "", 8)
            self.set_text_color(110)
            self.cell(0, 5, self.running_header, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0)
            self.ln(4)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")
        self.set_text_color(0)


def new_pdf(meta: dict[str, str]) -> LibraryPDF:
    """Return an empty PDF with fonts registered and fixed metadata set."""
    pdf = LibraryPDF(format="A4")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=20)
    font = meta.get("font", "serif")
    if font == "lao":
        pdf.add_font("body", "", str(LAO_FONT))
        pdf.add_font("body", "B", str(LAO_FONT))
        pdf.add_font("body", "I", str(LAO_FONT))
        pdf.add_font("fallback", "", str(DEJAVU / "DejaVuSans.ttf"))
        pdf.set_fallback_fonts(["fallback"])
        pdf.set_text_shaping(True, script="lao", language="lo")
        pdf.set_lang("lo")
    else:
        base = "DejaVuSerif" if font == "serif" else "DejaVuSans"
        pdf.add_font("body", "", str(DEJAVU / f"{base}.ttf"))
        pdf.add_font("body", "B", str(DEJAVU / f"{base}-Bold.ttf"))
        italic = "Italic" if font == "serif" else "Oblique"
        pdf.add_font("body", "I", str(DEJAVU / f"{base}-{italic}.ttf"))
        pdf.set_lang("en")
    pdf.running_header = meta.get("header", "")
    pdf.set_title(meta["title"])
    pdf.set_author(meta.get("author", ""))
    pdf.set_subject(meta.get("subject", ""))
    pdf.set_keywords(meta.get("keywords", ""))
    pdf.set_creator("NSPS Knowledge Base scripts/build_corpus.py")
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(fixed_datetime(meta))
    return pdf


def render_pdf(src: Source) -> bytes:
    """Lay out a text source as a PDF and return its bytes."""
    pdf = new_pdf(src.meta)
    lao = src.meta.get("font") == "lao"
    size = 11.5 if lao else 10
    line = 7.2 if lao else 5.2
    for blocks in src.pages:
        pdf.add_page()
        for b in blocks:
            if b.kind == "title":
                pdf.set_font("body", "B", 17)
                pdf.multi_cell(0, 9 if not lao else 11, b.text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(3)
            elif b.kind in ("h1", "h2"):
                pdf.ln(3 if b.kind == "h1" else 1.5)
                pdf.set_font("body", "B", 12.5 if b.kind == "h1" else 10.5)
                pdf.multi_cell(0, line + 1, b.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
            elif b.kind == "center":
                pdf.set_font("body", "", size + 1)
                pdf.multi_cell(0, line + 1, b.text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            elif b.kind == "note":
                pdf.set_font("body", "I", size - 1.5)
                pdf.multi_cell(0, line - 0.6, b.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1.5)
            elif b.kind == "bullet":
                pdf.set_font("body", "", size)
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(0, line, "\u2022 " + b.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(0.8)
            elif b.kind == "space":
                pdf.ln(8)
            elif b.kind == "table":
                render_pdf_table(pdf, b.rows, size)
            else:
                pdf.set_font("body", "", size)
                pdf.multi_cell(0, line, b.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(2)
    if pdf.page_no() != len(src.pages):
        raise SystemExit(
            f"{src.path.name}: laid out on {pdf.page_no()} pages, "
            f"source has {len(src.pages)}; shorten the overflowing page"
        )
    return bytes(pdf.output())


def render_pdf_table(pdf: FPDF, rows: list[list[str]], size: float) -> None:
    """Draw a bordered table with columns as wide as their longest text allows."""
    widths = tuple(max(5, min(30, max(len(r[c]) for r in rows))) for c in range(len(rows[0])))
    pdf.set_font("body", "", size - 1.5)
    pdf.ln(1)
    with pdf.table(
        col_widths=widths,
        line_height=4.6,
        padding=1.2,
        text_align="LEFT",
        headings_style=None,
        first_row_as_headings=False,
    ) as table:
        for i, cells in enumerate(rows):
            pdf.set_font("body", "B" if i == 0 else "", size - 1.5)
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(3)


def render_docx(src: Source) -> bytes:
    """Write a source as a Word document with real heading styles and tables."""
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    for blocks in src.pages:
        for b in blocks:
            if b.kind == "title":
                doc.add_heading(b.text, level=0)
            elif b.kind == "h1":
                doc.add_heading(b.text, level=1)
            elif b.kind == "h2":
                doc.add_heading(b.text, level=2)
            elif b.kind == "bullet":
                doc.add_paragraph(b.text, style="List Bullet")
            elif b.kind == "note":
                doc.add_paragraph().add_run(b.text).italic = True
            elif b.kind == "table":
                table = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]), style="Table Grid")
                for r, cells in enumerate(b.rows):
                    for c, text in enumerate(cells):
                        table.cell(r, c).text = text
                        if r == 0:
                            table.cell(r, c).paragraphs[0].runs[0].bold = True
            elif b.kind != "space":
                doc.add_paragraph(b.text)
    when = fixed_datetime(src.meta).replace(tzinfo=None)
    props = doc.core_properties
    props.title = src.meta["title"]
    props.author = props.last_modified_by = src.meta.get("author", "")
    props.subject = src.meta.get("subject", "")
    props.keywords = src.meta.get("keywords", "")
    props.created = props.modified = when
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), when)


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip with fixed member timestamps so rebuilds are byte-identical."""
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, 12, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(
                zipfile.ZipInfo(info.filename, stamp), zin.read(info.filename), compress_type=zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def render_scan(src: Source) -> bytes:
    """Render a source to a noisy, slightly skewed page image inside an image-only PDF."""
    dpi, width, height = 150, 1240, 1754
    img = Image.new("L", (width, height), 248)
    draw = ImageDraw.Draw(img)
    serif = str(DEJAVU / "DejaVuSerif.ttf")
    bold = str(DEJAVU / "DejaVuSerif-Bold.ttf")
    fonts = {
        "title": ImageFont.truetype(bold, 30),
        "h1": ImageFont.truetype(bold, 25),
        "h2": ImageFont.truetype(bold, 24),
        "center": ImageFont.truetype(serif, 24),
        "note": ImageFont.truetype(str(DEJAVU / "DejaVuSerif-Italic.ttf"), 19),
        "para": ImageFont.truetype(serif, 24),
        "bullet": ImageFont.truetype(serif, 24),
    }
    margin, y = 140, 130
    for b in src.pages[0]:
        if b.kind == "space":
            y += 30
            continue
        font = fonts.get(b.kind, fonts["para"])
        text = ("\u2013 " + b.text) if b.kind == "bullet" else b.text
        for ln in wrap_pixels(draw, text, font, width - 2 * margin):
            w = draw.textlength(ln, font=font)
            x = (width - w) / 2 if b.kind in ("title", "center") else margin
            draw.text((x, y), ln, font=font, fill=25)
            y += int(font.size * 1.45)
        y += 14
    rng = np.random.default_rng(1666)
    pixels = np.asarray(img, dtype=np.int16)
    pixels = pixels + rng.normal(0, 9, pixels.shape).astype(np.int16)
    specks = rng.random(pixels.shape) < 0.0012
    pixels[specks] = 60
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    img = img.rotate(0.45, resample=Image.Resampling.BICUBIC, fillcolor=240)
    jpeg = io.BytesIO()
    img.save(jpeg, format="JPEG", quality=70, dpi=(dpi, dpi))
    jpeg.seek(0)
    pdf = FPDF(format="A4")
    pdf.set_title(src.meta["title"])
    pdf.set_author(src.meta.get("author", ""))
    pdf.set_subject(src.meta.get("subject", ""))
    pdf.set_creator("NSPS Knowledge Base scripts/build_corpus.py (scanner simulation)")
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(fixed_datetime(src.meta))
    pdf.add_page()
    pdf.image(jpeg, x=0, y=0, w=pdf.w, h=pdf.h)
    return bytes(pdf.output())


def wrap_pixels(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Return ``text`` broken into lines no wider than ``max_width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + ([current] if current else [])


def build_all() -> list[tuple[str, int]]:
    """Build every source and return (output file, page count) pairs."""
    built = []
    renderers = {"pdf": render_pdf, "docx": render_docx, "scan": render_scan}
    for path in sorted(SOURCES.glob("*.txt")):
        src = parse_source(path)
        kind = src.meta.get("kind", "pdf")
        data = renderers[kind](src)
        (CORPUS / src.meta["output"]).write_bytes(data)
        built.append((src.meta["output"], len(src.pages) if kind != "docx" else 0))
    return built


def main() -> int:
    """Build the library and print what was written."""
    for name, pages in build_all():
        print(f"{name:48} {pages or '-':>3} {'pages' if pages else '(docx)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
