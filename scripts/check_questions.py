"""Check tests/data/questions.yaml against the files in corpus/.

Run from the repository root::

    .venv/bin/python scripts/check_questions.py

For every answerable question, each answer phrase must occur (case-insensitive, whitespace
collapsed) in the text of the named document, on the named page for PDFs. Text comes from
pypdf page by page, python-docx paragraphs and tables, HTML without nav/header/footer/aside/
script/style, and MD/TXT as is. Image-only pages have no text layer, so their phrases are
checked against the page's source in corpus/_sources, and by Tesseract when it is installed.
Also checks ids, kinds, splits, counts and that every document is covered in both splits.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml
from docx import Document
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
KINDS = {"fact", "commitment", "recommendation", "table", "lao", "ocr", "unanswerable"}
MINIMUM = {"total": 70, "lao": 5, "ocr": 3, "unanswerable": 12}
LAO = re.compile(r"[\u0e80-\u0eff]")


def normalise(text: str) -> str:
    """Return text in NFC, lower case, with runs of whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


class _VisibleText(HTMLParser):
    """Collect the text of an HTML page outside navigation, chrome and scripts."""

    SKIP = {"nav", "header", "footer", "aside", "script", "style", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def scan_sources() -> dict[str, Path]:
    """Return output file name -> source path for image-only (scan) documents."""
    found = {}
    for path in (CORPUS / "_sources").glob("*.txt"):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])
        if meta.get("kind") == "scan":
            found[meta["output"]] = path
    return found


def ocr_page(path: Path, index: int) -> str | None:
    """Return Tesseract's text for one PDF page, or None when Tesseract is unavailable."""
    if not shutil.which("tesseract"):
        return None
    import pypdfium2
    import pytesseract

    image = pypdfium2.PdfDocument(str(path))[index].render(scale=2).to_pil()
    return str(pytesseract.image_to_string(image))


def document_pages(name: str, scans: dict[str, Path]) -> list[str]:
    """Return the normalised text of a document, one string per page (one for non-PDFs)."""
    path = CORPUS / name
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        texts = [p.extract_text() or "" for p in PdfReader(path).pages]
        if name in scans:
            if any(t.strip() for t in texts):
                raise SystemExit(f"{name}: expected an image-only PDF but found a text layer")
            texts = [scans[name].read_text(encoding="utf-8")]
        return [normalise(t) for t in texts]
    if suffix == ".docx":
        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return [normalise("\n".join(parts))]
    if suffix in (".html", ".htm"):
        parser = _VisibleText()
        parser.feed(path.read_text(encoding="utf-8"))
        return [normalise(" ".join(parser.parts))]
    return [normalise(path.read_text(encoding="utf-8"))]


def check(questions: list[dict], manifest: list[dict]) -> list[str]:
    """Return a list of problems found in the question set (empty when all is well)."""
    problems: list[str] = []
    files = {d["file"] for d in manifest}
    scans = scan_sources()
    pages = {f: document_pages(f, scans) for f in files}
    ocr_cache: dict[tuple[str, int], str | None] = {}
    ids = Counter(q["id"] for q in questions)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for q in questions:
        qid, kind = q["id"], q.get("kind")
        if kind not in KINDS:
            problems.append(f"{qid}: unknown kind {kind!r}")
        if q.get("split") not in ("tune", "test"):
            problems.append(f"{qid}: split must be tune or test")
        if kind == "lao" and not LAO.search(q["question"]):
            problems.append(f"{qid}: a lao question must be written in Lao script")
        if kind == "unanswerable":
            if q.get("answerable") is not False or q.get("document"):
                problems.append(f"{qid}: unanswerable needs answerable: false and no document")
            continue
        if not q.get("answers"):
            problems.append(f"{qid}: no answer phrases")
        # The named source first, then any other source that states the same answer (`also:`).
        for where in [{"document": q.get("document"), "page": q.get("page")}, *q.get("also", [])]:
            problems += check_location(qid, where, q.get("answers", []), files, pages, scans, ocr_cache)
    problems += check_balance(questions, files)
    return problems


def check_location(
    qid: str, where: dict, answers: list[str], files: set[str], pages: dict[str, list[str]],
    scans: dict[str, Path], ocr_cache: dict[tuple[str, int], str | None],
) -> list[str]:
    """Return problems with one place a question's answer is said to be: every phrase must be there."""
    problems: list[str] = []
    doc, page = where.get("document"), where.get("page")
    if not isinstance(doc, str) or doc not in files:
        return [f"{qid}: document {doc!r} is not in the manifest"]
    is_pdf = doc.lower().endswith(".pdf")
    if is_pdf and not (isinstance(page, int) and 1 <= page <= len(pages[doc])):
        return [f"{qid}: page {page!r} out of range for {doc}"]
    if not is_pdf and page is not None:
        problems.append(f"{qid}: page must be null for {doc}")
    index = page - 1 if is_pdf and isinstance(page, int) else 0
    text = pages[doc][index]
    for phrase in answers:
        if normalise(phrase) not in text:
            problems.append(f"{qid}: {phrase!r} not found in {doc} page {page}")
    if doc in scans:
        key = (doc, index)
        if key not in ocr_cache:
            ocr_cache[key] = ocr_page(CORPUS / doc, index)
        ocr = ocr_cache[key]
        if ocr is not None and not any(normalise(a) in normalise(ocr) for a in answers):
            problems.append(f"{qid}: OCR of {doc} page {page} finds none of {answers}")
    return problems


def check_balance(questions: list[dict], files: set[str]) -> list[str]:
    """Return problems with counts and with coverage of kinds and documents in each split."""
    problems = []
    kinds = Counter(q["kind"] for q in questions)
    if len(questions) < MINIMUM["total"]:
        problems.append(f"only {len(questions)} questions, need {MINIMUM['total']}")
    for kind in ("lao", "ocr", "unanswerable"):
        if kinds[kind] < MINIMUM[kind]:
            problems.append(f"only {kinds[kind]} {kind} questions, need {MINIMUM[kind]}")
    for split in ("tune", "test"):
        chosen = [q for q in questions if q["split"] == split]
        problems += [f"no {k} question in {split}" for k in KINDS if k not in {q["kind"] for q in chosen}]
        problems += [
            f"no question on {f} in {split}" for f in sorted(files) if f not in {q.get("document") for q in chosen}
        ]
    return problems


def main() -> int:
    """Check the question set and print a summary; exit 1 on any problem."""
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    manifest = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))["documents"]
    problems = check(questions, manifest)
    for p in problems:
        print("FAIL", p)
    kinds = Counter(q["kind"] for q in questions)
    splits = Counter(q["split"] for q in questions)
    print(f"{len(questions)} questions; kinds {dict(sorted(kinds.items()))}; splits {dict(splits)}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
