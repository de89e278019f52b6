"""A briefing to take into a meeting: questions, their answers, the quoted passages and references, as DOCX or PDF.

Each answer is written as: the question; the answer (or the refusal and its reason); what was searched; then each
source with its reference to paste, its link, and its passage with the quoted sentences in bold.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from kb.errors import KBError
from kb.types import Answer, Citation

# Debian's fonts-dejavu-core and fonts-lao (the Makefile's and the Dockerfile's packages): Unicode text, Lao script.
FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/lao"))
_LAO = re.compile(r"[\u0e80-\u0eff]")


def passage_runs(citation: Citation) -> list[tuple[str, bool]]:
    """Return the passage cut into (text, quoted) runs: the sentences the answer quotes are marked."""
    text = citation.hit.chunk.text
    spans = sorted((max(0, s), min(len(text), e)) for s, e in citation.highlights if e > s)
    runs: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            start = pos
        if start > pos:
            runs.append((text[pos:start], False))
        if end > start:
            runs.append((text[start:end], True))
            pos = end
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


def sources_of(answer: Answer) -> tuple[str, list[Citation]]:
    """Return the heading and the citations a briefing lists: the sources, or for a refusal the related passages."""
    return ("Sources", answer.citations) if not answer.abstained else ("Related passages (not an answer)", answer.related)


def _link(base_url: str, citation: Citation) -> str | None:
    return f"{base_url.rstrip('/')}{citation.url}" if citation.url else None


def briefing_docx(answers: Sequence[Answer], *, base_url: str, title: str = "Briefing") -> bytes:
    """Return a Word document holding each answer with its passages and references."""
    from docx import Document as WordDocument
    from docx.shared import Pt

    doc = WordDocument()
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"Prepared {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the policy library. "
                      "Answers quote the documents; they are not advice.")
    for answer in answers:
        doc.add_heading(answer.question, level=1)
        doc.add_paragraph(answer.answer)
        if answer.coverage is not None:
            doc.add_paragraph(answer.coverage.describe()).runs[0].font.size = Pt(8)
        heading, citations = sources_of(answer)
        doc.add_heading(heading, level=2)
        for c in citations:
            p = doc.add_paragraph()
            p.add_run(f"[{c.n}] ").bold = True
            p.add_run(c.reference or c.hit.document.title).bold = True
            if link := _link(base_url, c):
                p.add_run(f"\n{link}").font.size = Pt(8)
            quote = doc.add_paragraph(style="Quote")
            for text, quoted in passage_runs(c):
                quote.add_run(text).bold = quoted
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _font_file(name: str) -> Path:
    """Return the path of a TrueType font: Debian's folders first, then fontconfig; a KBError when it is missing."""
    for folder in FONT_FOLDERS:
        if (folder / name).is_file():
            return folder / name
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", Path(name).stem], capture_output=True, text=True, timeout=10)
        if found.returncode == 0 and Path(found.stdout).is_file() and Path(found.stdout).name == name:
            return Path(found.stdout)
    except (OSError, subprocess.TimeoutExpired):
        pass
    raise KBError(f"the PDF briefing needs the font {name} (Debian: fonts-dejavu-core, fonts-lao); it is not installed")


def _script_font(lang: str, besides: Sequence[Path]) -> Path:
    """Return a TrueType font that fontconfig knows to cover a script's language (`lang`: "lo"), of another family than
    the body fonts `besides` (which cover a few of its letters only); a KBError when none is installed."""
    def listed(*args: str) -> list[str]:
        try:
            found = subprocess.run(["fc-list", *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return []
        return sorted(line for line in found.stdout.split("\n") if line) if found.returncode == 0 else []

    body = {p.resolve() for p in besides}
    fonts = [line.rsplit("|", 1) for line in listed(f":lang={lang}", "-f", "%{file}|%{family[0]}\n") if "|" in line]
    body_families = {family for file, family in fonts if Path(file).resolve() in body}
    for file, family in fonts:
        if file.lower().endswith(".ttf") and family not in body_families and Path(file).is_file():
            return Path(file)
    raise KBError(f"the PDF briefing needs a font for the script '{lang}' (Debian: fonts-lao); none is installed")


def briefing_pdf(answers: Sequence[Answer], *, base_url: str, title: str = "Briefing") -> bytes:
    """Return a PDF holding each answer with its passages and references (Lao set in a Lao font, shaped)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("NSPS Knowledge Base")
    pdf.set_auto_page_break(True, margin=15)
    body = [_font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")]
    pdf.add_font("body", "", str(body[0]))
    pdf.add_font("body", "B", str(body[1]))
    if any(_LAO.search(a.answer + " ".join(c.hit.chunk.text for c in a.citations + a.related)) for a in answers):
        lao = _script_font("lo", besides=body)
        pdf.add_font("lao", "", str(lao))
        pdf.add_font("lao", "B", str(lao))
        pdf.set_fallback_fonts(["lao"])
        pdf.set_text_shaping(True)
    pdf.add_page()
    width = pdf.epw

    def para(text: str, size: float = 10, bold: bool = False, gap: float = 2) -> None:
        pdf.set_font("body", "B" if bold else "", size)
        pdf.multi_cell(width, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    para(title, 18, bold=True)
    para(f"Prepared {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the policy library. "
         "Answers quote the documents; they are not advice.", 8, gap=4)
    for answer in answers:
        para(answer.question, 13, bold=True)
        para(answer.answer, 10.5)
        if answer.coverage is not None:
            para(answer.coverage.describe(), 7.5, gap=3)
        heading, citations = sources_of(answer)
        para(heading, 11.5, bold=True)
        for c in citations:
            para(f"[{c.n}] {c.reference or c.hit.document.title}", 9.5, bold=True, gap=0.5)
            if link := _link(base_url, c):
                pdf.set_font("body", "", 7.5)
                pdf.cell(width, 4, link, link=link, new_x="LMARGIN", new_y="NEXT")
            pdf.set_left_margin(pdf.l_margin + 6)
            pdf.set_x(pdf.l_margin)
            for text, quoted in passage_runs(c):
                pdf.set_font("body", "B" if quoted else "", 9)
                pdf.write(4.5, text)
            pdf.set_left_margin(pdf.l_margin - 6)
            pdf.ln(8)
        pdf.ln(4)
    return bytes(pdf.output())
