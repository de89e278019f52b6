"""Briefing export: the answer page's question, answer, quoted passages and references as DOCX and PDF."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from fastapi.testclient import TestClient
from pypdf import PdfReader

from kb.briefing import passage_runs
from kb.knowledge_base import KnowledgeBase
from kb.types import Filters

QUESTION = "What are the three pillars of the National Social Protection Strategy?"
LAO_QUESTION = "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ ມີເສົາຄ້ຳຫຍັງແດ່?"


def test_docx_briefing_holds_the_question_answer_passages_and_references(client: TestClient, kb: KnowledgeBase) -> None:
    answer = kb.ask(QUESTION, filters=Filters(doc_types=("strategy",)))
    r = client.get("/ask/briefing.docx", params={"q": QUESTION, "type": "strategy"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="briefing-what-are-the-three-pillars' in r.headers["content-disposition"]
    doc = WordDocument(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert QUESTION in text and answer.answer in text and "filters: type strategy" in text
    for c in answer.citations:
        assert str(c.reference) in text and f"http://testserver{c.url}" in text
        assert c.hit.chunk.text in text
    bold = {run.text for p in doc.paragraphs for run in p.runs if run.bold}
    quoted = [t for c in answer.citations for t, q in passage_runs(c) if q]
    assert quoted and all(t in bold for t in quoted)  # the sentences the answer quotes stand out


def test_pdf_briefing_holds_the_same_and_sets_lao(client: TestClient, kb: KnowledgeBase) -> None:
    answer = kb.ask(QUESTION)
    r = client.get("/ask/briefing.pdf", params={"q": QUESTION})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(r.content)).pages)
    flat = " ".join(text.split())
    assert QUESTION in flat
    for c in answer.citations:
        assert " ".join(str(c.reference).split()) in flat
    lao = client.get("/ask/briefing.pdf", params={"q": LAO_QUESTION})
    assert lao.status_code == 200
    fonts = {str(f) for page in PdfReader(io.BytesIO(lao.content)).pages for f in page["/Resources"]["/Font"].values()}
    assert len(fonts) >= 2  # the body font and the Lao one
    assert client.get("/ask/briefing.odt", params={"q": QUESTION}).status_code == 404
    assert client.get("/ask/briefing.docx", params={"q": ""}).status_code == 422


def test_the_answer_page_links_both_briefings(client: TestClient) -> None:
    html = client.get("/ask", params={"q": QUESTION, "type": "strategy"}, headers={"HX-Request": "true"}).text
    assert "/ask/briefing.docx?q=What+are+the+three+pillars" in html and "type=strategy" in html
    assert "/ask/briefing.pdf?q=" in html
