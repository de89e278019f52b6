"""What citations carry beyond the passage: references with printed page labels, lasting urls, the coverage line."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from markupsafe import escape
from pypdf import PdfReader, PdfWriter

from ingest.parse.pdf import page_labels
from ingest.pipeline import ingest_paths
from kb.citing import reference, section_number
from kb.config import Settings
from kb.coverage import coverage_of
from kb.knowledge_base import KnowledgeBase
from kb.passage_keys import passage_key
from kb.types import Chunk, Document, Filters
from web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What are the three pillars of the National Social Protection Strategy?"


def labelled_copy(source: Path, target: Path) -> Path:
    """Write a copy of a PDF whose first two pages are numbered i, ii and the rest 1, 2, ... (/PageLabels)."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.set_page_label(0, 1, style="/r")
    writer.set_page_label(2, len(writer.pages) - 1, style="/D", start=1)
    writer.write(target)
    return target


def test_section_numbers_and_the_reference_format() -> None:
    assert [section_number(s) for s in ("3.2 Health insurance", "R4. Financing", "Annex 2: Tables", "Ill health", None)] == [
        "3.2", "R4", "Annex 2", None, None,
    ]
    doc = Document(id="d", source="s.pdf", title="National Strategy 2021–2025")
    chunk = Chunk("d", 0, "text", 24, "3.2 Health insurance", 0, 4)
    assert reference(doc, chunk, "22") == "National Strategy 2021–2025, § 3.2, p. 22"
    assert reference(doc, chunk) == "National Strategy 2021–2025, § 3.2, p. 24"  # no label: the page number
    unpaged = Chunk("d", 0, "text", None, "Governance", 0, 4)
    assert reference(doc, unpaged) == "National Strategy 2021–2025, “Governance”"


def test_page_labels_are_read_at_ingest_and_cited(settings: Settings, fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "lib"
    folder.mkdir()
    pdf = labelled_copy(ROOT / "corpus" / "nsps-2021-2025.pdf", folder / "strategy.pdf")
    labels = page_labels(PdfReader(pdf))
    assert labels[1] == "i" and labels[2] == "ii" and labels[3] == "1"
    assert page_labels(PdfReader(ROOT / "corpus" / "nsps-mid-term-review-2024.pdf")) == {}  # defines none
    shutil.copy(ROOT / "corpus" / "nsps-mid-term-review-2024.pdf", folder / "review.pdf")
    assert ingest_paths([folder], settings=settings, embedder=fake_embedder).ok
    kb = KnowledgeBase(settings, embedder=fake_embedder)
    answer = kb.ask(QUESTION)
    strategy = next(c for c in answer.citations + answer.related if c.hit.document.source == "strategy.pdf")
    page = strategy.hit.chunk.page
    assert page is not None and labels[page] != str(page)
    assert strategy.reference is not None and strategy.reference.endswith(f", p. {labels[page]}")  # printed, not physical
    review = next(d for d in kb.documents() if d.source == "review.pdf")
    assert kb.store.page_labels(review.id) == {} and len(kb.store.page_labels(strategy.hit.document.id)) == 8
    with TestClient(create_app(kb.settings, kb=kb)) as client:
        viewer = client.get(str(strategy.url)).text
        assert f"Page {page} (printed {labels[page]})" in viewer


def test_every_citation_of_the_api_carries_url_and_reference(client: TestClient, kb: KnowledgeBase) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert body["citations"]
    for c in body["citations"] + body["related"]:
        assert c["url"] == f"/documents/{c['document_id']}/passages/{passage_key(c['text'])}"
        assert c["reference"].startswith(c["title"])
        assert client.get(c["url"]).status_code == 200
    assert kb.ask(QUESTION).to_dict()["citations"][0]["url"] == body["citations"][0]["url"]  # `kb ask --json` too
    coverage = body["coverage"]
    assert coverage["documents"] == coverage["library_documents"] == len(kb.documents())
    assert coverage["as_of"] == max(d.date for d in kb.documents() if d.date)

    schema = client.get("/openapi.json").json()["components"]["schemas"]
    citation = schema["CitationOut"]["properties"]
    assert "passages" in citation["url"]["description"] and "PageLabels" in citation["reference"]["description"]
    assert "coverage" in schema["AnswerOut"]["properties"]


def test_coverage_counts_what_the_filters_let_through(kb: KnowledgeBase) -> None:
    docs = kb.documents()
    everything = coverage_of(docs, None)
    assert everything.documents == len(docs) and everything.filters == {}
    assert sum(everything.formats.values()) == sum(everything.kinds.values()) == len(docs)
    assert "PDF" in everything.formats and "no filters" in everything.describe()
    minutes = coverage_of(docs, Filters(doc_types=("minutes",), languages=("en",)))
    assert minutes.documents == sum(1 for d in docs if d.doc_type == "minutes" and d.language == "en")
    assert set(minutes.kinds) == {"minutes"}
    line = minutes.describe()
    assert f"Searched {minutes.documents} of {len(docs)} documents" in line
    assert "filters: type minutes, language English" in line and "latest document date" in line
    nothing = coverage_of(docs, Filters(date_from="2099"))
    assert nothing.documents == 0 and nothing.as_of is None and "No document" in nothing.describe()


def test_the_answer_page_shows_the_coverage_line_and_references(client: TestClient, kb: KnowledgeBase) -> None:
    html = client.get("/ask", params={"q": QUESTION, "type": "strategy"}, headers={"HX-Request": "true"}).text
    assert 'class="coverage"' in html and "filters: type strategy" in html
    answer = kb.ask(QUESTION, filters=Filters(doc_types=("strategy",)))
    assert answer.citations
    for c in answer.citations:
        assert f'<cite class="reference-text">{escape(c.reference)}</cite>' in html


def test_ocr_words_are_kept_with_their_boxes(kb: KnowledgeBase, client: TestClient) -> None:
    from ingest.parse.ocr import word_boxes

    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t2000\t1000\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t500\t100\t200\t50\t96.1\tDecree\n"
           "5\t1\t1\t1\t1\t2\t720\t100\t80\t50\t95.0\t \n")
    assert word_boxes(tsv, 2000, 1000) == (("Decree", 0.25, 0.1, 0.1, 0.05),)
    scan = next(d for d in kb.documents() if any(c.ocr for c in kb.chunks(d.id)))
    words = client.get(f"/documents/{scan.id}/pages/1/words").json()["words"]
    assert len(words) > 50 and any(w[0].startswith("Establishment") for w in words)
    assert all(0 <= left <= 1 and 0 <= top <= 1 and 0 < width <= 1 and 0 < height <= 1 for _, left, top, width, height in words)
    not_scanned = next(d for d in kb.documents() if d.media_type == "application/pdf" and d.id != scan.id)
    assert client.get(f"/documents/{not_scanned.id}/pages/1/words").json() == {"words": []}
