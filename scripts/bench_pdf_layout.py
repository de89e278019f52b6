"""Compare word sources for layout parsing on the shared PDFs: pypdfium2 (what we ship) and pdfplumber.

Both feed the same layout (ingest/parse/layout.py): what differs is how words and rules are read, and
how tables are found (ours: pdfplumber's geometry on pypdfium2's rules; pdfplumber: its own find_tables
and cell text). Prints time per file, pages that failed, and how many known passages and table rows
(seen on the rendered pages) come out whole and in order.

    PYTHONPATH=. python scripts/bench_pdf_layout.py ../shared/pdfs
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from ingest.parse.layout import page_text
from ingest.parse.tables import Table, find_tables
from ingest.parse.words import Word, long_rules, read_page

# (file, page, passages in reading order, whitespace-normalised); rows must appear as whole lines.
CHECKS: list[tuple[str, int, list[str]]] = [
    ("policy/GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf", 1, [
        "which includes social assistance, labour market interventions, pensions and social care services.",
        "further compound these challenges.",
        "The overall objective is to support the Government of Uzbekistan to build sustainable",
    ]),
    ("policy/IPCIG_Universal_Health_Insurance_Uzbekistan_2023.pdf", 1, [
        "with extensive and effective primary care facilities.",
        "The country’s public health interventions against the epidemic began in February 2020.",
        "However, the pandemic has confirmed that Uzbekistan’s public health system needs to be substantially",
    ]),
    ("policy/us-federal-register-2020-17221.pdf", 2, [
        "Following the Lion Air Flight 610 accident on October 29, 2018, data from the flight data recorder,",
        "On November 7, 2018, the FAA issued Emergency AD 2018–23–51 as an interim corrective action.",
        "To address the unsafe condition, the FAA proposes to require four design changes:",
    ]),
    ("policy/ESCAP_Unpaid_Care_Work_Uzbekistan_2023.pdf", 10, [
        "With the introduction of a 30 per cent quota system for women candidates in political parties in 2003,",
        "According to the Ministry of Employment and Labor Relations of the Republic of Uzbekistan",
    ]),
    ("nasty/two-column-latex-lorem.pdf", 1, [
        "This is a sample document with two columns filled with Lorem Ipsum text.",
        "Donec nonummy pellentesque ante. Phasellus adipiscing semper elit.",
        "Quisque ullamcorper placerat ipsum. Cras nibh.",
    ]),
]
ROWS: list[tuple[str, int, str]] = [
    ("policy/us-fbi-nics-background-checks-2015-11.pdf", 1, "Alabama | 18,870 | 23,022 | 22,650 | 859 | 1,178 | 0 |"),
    ("policy/WARN-Report-for-7-1-2015-to-03-25-2016.pdf", 1,
     "06/30/2015 | 08/29/2015 | 07/01/2015 | McGraw-Hill Education | Monterey | 137 | Layoff Unknown at this time"),
    ("policy/UNICEF_Road_to_Recovery_Uzbekistan_COVID_2021.pdf", 27,
     "Old age allowance for all uncovered people above retirement age | UZS315,030 | $31 | 0.05%"),
    ("policy/GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf", 1,
     "Main partner | Ministry of Finance, Government of the Republic of Uzbekistan"),
]

PageReader = Callable[[Path], list[str | None]]


def read_pdfium(path: Path) -> list[str | None]:
    """Return each page's text as we parse it (None for a page that failed)."""
    out: list[str | None] = []
    document = pdfium.PdfDocument(str(path))
    for index in range(len(document)):
        try:
            content = read_page(document[index])
            tables = find_tables(content.edges, content.words)
            out.append(page_text(content.words, tables, long_rules(content)))
        except Exception:
            out.append(None)
    document.close()
    return out


def read_pdfplumber(path: Path) -> list[str | None]:
    """Return each page's text from pdfplumber's words and its own table finder, through the same layout."""
    out: list[str | None] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            try:
                words = [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"]) for w in page.extract_words()]
                tables = []
                for found in page.find_tables():
                    rows = [[" ".join((c or "").split()) for c in row] for row in found.extract()]
                    tables.append(Table(found.bbox, rows, [], []))
                rules = [(e["x0"], e["top"], e["x1"]) for e in page.edges
                         if e["orientation"] == "h" and e["width"] >= 0.25 * float(page.width)]
                out.append(page_text(words, tables, rules))
            except Exception:
                out.append(None)
            page.close()
    return out


def score(texts: dict[str, list[str | None]]) -> tuple[int, int, int, int]:
    """Return (passages in order, passages checked, rows found, rows checked)."""
    found = total = 0
    for name, number, passages in CHECKS:
        page = " ".join((texts[name][number - 1] or "").split())
        last = -1
        for passage in passages:
            total += 1
            at = page.find(" ".join(passage.split()))
            if at > last:
                found += 1
                last = at
    rows = sum(1 for name, number, row in ROWS if any(
        line.startswith(row) for line in (texts[name][number - 1] or "").split("\n")))
    return found, total, rows, len(ROWS)


def main(root: Path) -> None:
    """Print the comparison table."""
    warnings.filterwarnings("ignore")
    files = sorted((root / "policy").glob("*.pdf")) + sorted((root / "nasty").glob("*.pdf"))
    engines: dict[str, PageReader] = {"pypdfium2 + layout": read_pdfium, "pdfplumber + layout": read_pdfplumber}
    texts: dict[str, dict[str, list[str | None]]] = {e: {} for e in engines}
    print("| file | pages | " + " | ".join(f"{e} s (failed pages)" for e in engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for path in files:
        name = f"{path.parent.name}/{path.name}"
        cells = []
        pages = "?"
        for engine, read in engines.items():
            started = time.perf_counter()
            try:
                result = read(path)
                texts[engine][name] = result
                failed = sum(1 for t in result if t is None)
                pages = str(len(result))
                cells.append(f"{time.perf_counter() - started:.2f} ({failed})")
            except Exception as exc:
                texts[engine][name] = []
                cells.append(f"cannot open: {type(exc).__name__}")
        print(f"| {name} | {pages} | " + " | ".join(cells) + " |", flush=True)
    for engine in engines:
        found, total, rows, row_total = score(texts[engine])
        print(f"{engine}: passages whole and in order {found}/{total}; table rows {rows}/{row_total}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/pdfs"))
