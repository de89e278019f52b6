"""The web app through FastAPI's TestClient: pages, htmx fragments, the JSON API and its errors."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from kb.errors import KBError
from kb.knowledge_base import KnowledgeBase
from kb.types import DOC_TYPES, Answer, Chunk, Citation, Document, Hit
from web.app import create_app
from web.templating import create_templates, highlight, link_markers

QUESTION = "What are the three pillars of the National Social Protection Strategy?"
NONSENSE = "zebra xylophone quasar marmalade"
HX = {"HX-Request": "true"}

CONTRACT = {"question": str, "answer": str, "abstained": bool, "citations": list}
CITATION: dict[str, type | tuple[type, ...]] = {
    "n": int,
    "document_id": str,
    "title": str,
    "source": str,
    "doc_type": str,
    "page": (int, type(None)),
    "section": (str, type(None)),
    "parent": (str, type(None)),
    "text": str,
    "score": float,
}


def first_pdf(kb: KnowledgeBase) -> Document:
    """Return a PDF of the library with several pages."""
    return next(d for d in kb.documents() if d.media_type == "application/pdf" and d.pages > 1)


# -- pages ---------------------------------------------------------------------------------------
def test_index_shows_the_form_and_the_library_size(client: TestClient, kb: KnowledgeBase) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="en">' in html and '<meta charset="utf-8">' in html
    assert f"Searching {kb.stats().documents} documents" in html
    assert 'hx-get="/ask"' in html and 'hx-push-url="true"' in html and 'hx-target="#answer"' in html
    assert 'action="/ask"' in html and 'method="get"' in html  # works as a plain form without JS
    for doc_type in DOC_TYPES:
        assert f'<option value="{doc_type}"' in html


def test_ask_renders_the_full_page_or_the_htmx_fragment(client: TestClient, kb: KnowledgeBase) -> None:
    page = client.get("/ask", params={"q": QUESTION})
    assert page.status_code == 200
    assert page.text.lstrip().startswith("<!doctype html>")
    assert 'class="answer' in page.text and 'id="cite-1"' in page.text
    assert f'value="{escape(QUESTION)}"' in page.text  # the form keeps the question
    assert "HX-Request" in page.headers["vary"]

    fragment = client.get("/ask", params={"q": QUESTION}, headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'role="search"' not in fragment.text  # no page, no question form
    assert 'class="answer' in fragment.text and 'id="cite-1"' in fragment.text
    markers = set(re.findall(r"\[(\d+)\]", kb.ask(QUESTION).answer))
    assert markers and all(f'href="#cite-{n}"' in fragment.text for n in markers)  # [n] links to citation n

    # htmx restoring history after a cache miss needs the whole page, not the fragment.
    restore = client.get("/ask", params={"q": QUESTION}, headers=HX | {"HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_citations_show_title_page_and_link_to_the_place(client: TestClient, kb: KnowledgeBase) -> None:
    answer = kb.ask(QUESTION)
    html = client.get("/ask", params={"q": QUESTION}, headers=HX).text
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        doc, chunk = c.hit.document, c.hit.chunk
        assert str(escape(doc.title)) in html
        # Every citation opens its lasting link: the passage's viewer, at the PDF page or in the text view.
        assert c.url and c.url.startswith(f"/documents/{doc.id}/passages/")
        assert f'href="{c.url}#passage"' in html
        if doc.media_type == "application/pdf":
            assert f"page {chunk.page}" in html and f'href="{c.url}?view=text#passage"' in html
    assert "<mark>" in html  # the answering sentences are highlighted


def test_abstention_is_plain_and_lists_related_passages(client: TestClient) -> None:
    html = client.get("/ask", params={"q": NONSENSE}, headers=HX).text
    assert "The library has no passage that answers this question" in html
    assert "Related passages (not an answer)" in html
    assert 'id="cite-' not in html


def test_doc_type_filter_restricts_the_answer(client: TestClient, kb: KnowledgeBase) -> None:
    html = client.get("/ask", params={"q": QUESTION, "type": "minutes"}, headers=HX).text
    minutes = {d.id for d in kb.documents() if d.doc_type == "minutes"}
    linked = set(re.findall(r'href="/documents/([^/"#]+)', html))
    assert linked and linked <= minutes


def test_language_filter_restricts_the_answer_to_documents_in_that_language(client: TestClient, kb: KnowledgeBase) -> None:
    lao = {d.id for d in kb.documents() if d.language == "lo"}
    assert lao  # the sample library has a Lao summary
    assert '<option value="lo">Lao (ລາວ)</option>' in client.get("/").text
    html = client.get("/ask", params={"q": "ຍຸດທະສາດການປົກປ້ອງສັງຄົມແຫ່ງຊາດ", "lang": "lo"}, headers=HX).text
    linked = set(re.findall(r'href="/documents/([^/"#]+)', html))
    assert linked and linked <= lao
    page = client.get("/ask", params={"q": QUESTION, "lang": "lo"})
    assert '<option value="lo" selected>' in page.text  # the form keeps the choice
    mixed = "health insurance ການປະກັນສຸຂະພາບ"  # found in English documents too, without the filter
    unfiltered = client.post("/api/ask", json={"question": mixed}).json()
    assert {c["document_id"] for c in unfiltered["citations"] + unfiltered["related"]} - lao
    body = {"question": mixed, "filters": {"language": "lo"}}
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200
    shown = {c["document_id"] for c in r.json()["citations"] + r.json()["related"]}
    assert shown and shown <= lao
    results = client.get("/api/search", params={"q": "ການປະກັນສຸຂະພາບ", "language": ["lo"]}).json()["results"]
    assert results and {h["document_id"] for h in results} <= lao
    english = client.get("/api/search", params={"q": "ການປະກັນສຸຂະພາບ health insurance", "language": "en"}).json()["results"]
    assert english and not {h["document_id"] for h in english} & lao
    bad = client.post("/api/ask", json={"question": QUESTION, "filters": {"language": "Lao language"}})
    assert bad.status_code == 422 and "not a language code" in str(bad.json()["detail"])


def test_ask_page_errors_keep_the_form(client: TestClient) -> None:
    r = client.get("/ask", params={"q": "   "})
    assert r.status_code == 422
    assert "<form" in r.text and "the question is empty" in r.text

    r = client.get("/ask", params={"q": "pensions", "type": "poem"}, headers=HX)
    assert r.status_code == 422 and "<html" not in r.text
    assert "poem" in r.text and "strategy" in r.text  # names the bad value and the valid ones


def test_library_page_lists_every_document(client: TestClient, kb: KnowledgeBase) -> None:
    html = client.get("/documents").text
    for doc in kb.documents():
        assert str(escape(doc.title)) in html
        assert f'href="/documents/{doc.id}"' in html and f'href="/documents/{doc.id}/file"' in html


def test_document_view_anchors_pages_and_passages(client: TestClient, kb: KnowledgeBase) -> None:
    doc = first_pdf(kb)
    r = client.get(f"/documents/{doc.id}")
    assert r.status_code == 200
    for number in range(1, doc.pages + 1):
        assert f'id="page-{number}"' in r.text
    for chunk in kb.chunks(doc.id):
        assert f'id="chunk-{chunk.id}"' in r.text


def test_document_view_of_a_non_paged_file(client: TestClient, kb: KnowledgeBase) -> None:
    doc = next(d for d in kb.documents() if d.media_type == "text/html")
    html = client.get(f"/documents/{doc.id}").text
    assert all(f'id="chunk-{c.id}"' in html for c in kb.chunks(doc.id))
    assert 'id="page-' not in html


def test_unknown_document_is_404(client: TestClient) -> None:
    page = client.get("/documents/no-such-doc")
    assert page.status_code == 404 and "no-such-doc" in page.text and "<html" in page.text
    assert client.get("/documents/no-such-doc/file").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_file_route_serves_the_pdf_inline(client: TestClient, kb: KnowledgeBase) -> None:
    doc = first_pdf(kb)
    r = client.get(f"/documents/{doc.id}/file")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.content.startswith(b"%PDF")


def test_html_originals_are_sandboxed(client: TestClient, kb: KnowledgeBase) -> None:
    doc = next(d for d in kb.documents() if d.media_type == "text/html")
    r = client.get(f"/documents/{doc.id}/file")
    assert r.status_code == 200 and r.headers["content-security-policy"].split(";")[0] == "sandbox"


def test_pages_load_nothing_from_other_hosts(client: TestClient, kb: KnowledgeBase) -> None:
    doc = first_pdf(kb)
    paths = ["/", f"/ask?q={QUESTION}", f"/ask?q={NONSENSE}", "/documents", f"/documents/{doc.id}", "/nowhere"]
    for path in paths:
        html = client.get(path).text
        external = [u for u in re.findall(r"(?:https?:)?//[^\s\"'<>]+", html) if "//testserver" not in u]
        assert not external, (path, external)
        for attr in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert attr.startswith(("/", "#")), (path, attr)


def test_vendor_assets_are_served_when_installed(client: TestClient) -> None:
    html = client.get("/").text
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(url).status_code == 200, url
    assert client.get("/static/app.css").status_code == 200


def test_app_starts_without_node_modules(kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="web.app"):
        app = create_app(kb.settings, kb=kb, node_modules=tmp_path / "missing")
    assert "npm ci --prefix web" in caplog.text
    with TestClient(app) as c:
        html = c.get("/").text
        assert "/static/vendor/" not in html and 'action="/ask"' in html
        assert c.get("/ask", params={"q": QUESTION}).status_code == 200


# -- API -----------------------------------------------------------------------------------------
def test_api_ask_returns_the_contract(client: TestClient, kb: KnowledgeBase) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    for key, kind in CONTRACT.items():
        assert isinstance(body[key], kind), key
    assert body["citations"]
    for c in body["citations"]:
        for key, kinds in CITATION.items():
            assert isinstance(c[key], kinds), key
        assert isinstance(c["highlights"], list) and isinstance(c["ocr"], bool) and isinstance(c["superseded"], bool)
    assert body == kb.ask(QUESTION).to_dict()


def test_api_ask_takes_top_k_and_filters(client: TestClient) -> None:
    body = {"question": QUESTION, "top_k": 2, "filters": {"doc_type": ["strategy", "review"], "date_from": "2015"}}
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200
    cited = r.json()["citations"] + r.json()["related"]
    assert len(cited) <= 2 and {c["doc_type"] for c in cited} <= {"strategy", "review"}
    r = client.post("/api/ask", json={"question": QUESTION, "filters": {"doc_type": "decree"}})
    assert {c["doc_type"] for c in r.json()["citations"] + r.json()["related"]} <= {"decree"}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"question": ""}, "empty"),
        ({"question": " \n\t "}, "empty"),
        ({"question": "x" * 5000}, "limit"),
        ({"question": QUESTION, "filters": {"doc_type": "poem"}}, "valid types are: strategy"),
        ({"question": QUESTION, "filters": {"date_from": "last year"}}, "YYYY"),
        ({"question": QUESTION, "top_k": 0}, "top_k"),
        ({"question": QUESTION, "top_k": 21}, "top_k"),
        ({}, "question"),
    ],
)
def test_api_ask_rejects_bad_requests(client: TestClient, body: dict[str, object], needle: str) -> None:
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422
    assert needle in str(r.json()["detail"])


def test_api_search(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "health insurance", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "health insurance" and 0 < len(body["results"]) <= 3
    assert {"document_id", "title", "page", "text", "score", "chunk_id"} <= set(body["results"][0])
    assert all(client.get(h["url"]).status_code == 200 and h["url"].startswith(f"/documents/{h['document_id']}/passages/")
               for h in body["results"])
    r = client.get("/api/search", params={"q": "health insurance", "doc_type": "decree"})
    assert {h["doc_type"] for h in r.json()["results"]} == {"decree"}
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    assert client.get("/api/search", params={"q": "x", "doc_type": "poem"}).status_code == 422


def test_api_documents_and_health(client: TestClient, kb: KnowledgeBase) -> None:
    docs = client.get("/api/documents").json()["documents"]
    assert docs == [d.to_dict() for d in kb.documents()]
    health = client.get("/api/health").json()
    stats = kb.stats()
    assert health == {
        "status": "ok",
        "documents": stats.documents,
        "chunks": stats.chunks,
        "last_updated": stats.last_updated,
    }


def test_api_errors_are_json(client: TestClient) -> None:
    r = client.get("/api/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert client.get("/openapi.json").json()["paths"]["/api/ask"]["post"]
    assert client.get("/docs").status_code == 200


def test_core_failures_become_500(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise KBError("the index in /data is unreadable")

    with TestClient(create_app(kb.settings, kb=kb), raise_server_exceptions=False) as c:
        monkeypatch.setattr(kb, "stats", broken)
        api = c.get("/api/health")
        assert api.status_code == 500 and api.json()["detail"] == "the index in /data is unreadable"
        page = c.get("/")
        assert page.status_code == 500 and "unreadable" in page.text and "<html" in page.text
        fragment = c.get("/", headers=HX)
        assert fragment.status_code == 500 and "<html" not in fragment.text


# -- rendering -----------------------------------------------------------------------------------
def test_highlight_escapes_and_marks_spans() -> None:
    text = "<b>Benefits</b> & grants. Second sentence."
    html = highlight(text, [[16, 24], [0, 3], [1, 2], [41, 99]])
    assert str(html) == (
        "<mark>&lt;b&gt;</mark>Benefits&lt;/b&gt; <mark>&amp; grants</mark>. Second sentence<mark>.</mark>"
    )
    assert str(highlight("plain", [])) == "plain"


def test_link_markers_link_known_citations_only() -> None:
    html = str(link_markers("A <script> [1] and [7].", [1]))
    assert "&lt;script&gt;" in html and 'href="#cite-1"' in html and "[7]" in html and "#cite-7" not in html


def test_answer_fragment_shows_badges_and_escapes() -> None:
    doc = Document(
        id="old",
        source="old.pdf",
        title="Old <Strategy>",
        doc_type="strategy",
        date="2011-01-01",
        media_type="application/pdf",
        superseded_by="new",
    )
    chunk = Chunk("old", 0, "Scanned & read <text>. Benefits go to mothers.", 3, "Pillar 3", 0, 46, ocr=True, id=9)
    answer = Answer(
        question="Who gets <benefits>?",
        answer="Benefits go to mothers. [1]",
        abstained=False,
        citations=[Citation(1, Hit(chunk, doc, 0.9), highlights=[(23, 46)])],
    )
    template = create_templates({"vendor": {}}).get_template("_fragments/answer.html")
    html = template.render(answer=answer)
    assert "Old &lt;Strategy&gt;" in html and "Who gets &lt;benefits&gt;?" in html
    assert "Scanned &amp; read &lt;text&gt;. <mark>Benefits go to mothers.</mark>" in html
    assert ">OCR<" in html and ">superseded<" in html
    assert "2011-01-01" in html and "page 3" in html and "Pillar 3" in html and "strategy" in html
    assert 'href="/documents/old/file#page=3"' in html and 'href="#cite-1"' in html


def test_an_abstention_says_why_on_the_page_and_in_the_api(client: TestClient) -> None:
    question = "What was the monthly benefit of the mother and early childhood grant in Luang Namtha?"
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["abstained"] and body["reason"] and "Namtha" in body["reason"]
    assert body["answer"].endswith(f"({body['reason']})")
    html = client.get("/ask", params={"q": question}, headers=HX).text
    assert escape(body["reason"]) in html
    assert client.post("/api/ask", json={"question": QUESTION}).json()["reason"] is None


def test_a_passage_that_continues_a_table_shows_its_columns() -> None:
    doc = Document(id="r", source="r.pdf", title="Review", doc_type="review", media_type="application/pdf")
    row = "Children reached by school meals | 140,000 | 185,000"
    chunk = Chunk("r", 0, row, 4, "3 Indicators", 0, len(row), id=3, table_header="Indicator | 2020 | <2023>")
    answer = Answer(question="How many?", answer=f"{row} [1]", abstained=False, citations=[Citation(1, Hit(chunk, doc, 0.9))])
    html = create_templates({"vendor": {}}).get_template("_fragments/answer.html").render(answer=answer)
    assert "Table continued; its columns: Indicator | 2020 | &lt;2023&gt;" in html
    chunk.table_header = None
    html = create_templates({"vendor": {}}).get_template("_fragments/answer.html").render(answer=answer)
    assert "Table continued" not in html


def test_a_citation_names_the_numbered_headings_above_its_section() -> None:
    doc = Document(id="r", source="r.pdf", title="Review", doc_type="review", media_type="application/pdf")
    text = "The pilot reached 140,000 children."
    chunk = Chunk("r", 0, text, 4, "3.1.1 Background", 0, len(text), id=3, parent="3 Case studies › 3.1 Town <A>")
    answer = Answer(question="How many?", answer=f"{text} [1]", abstained=False, citations=[Citation(1, Hit(chunk, doc, 0.9))])
    template = create_templates({"vendor": {}}).get_template("_fragments/answer.html")
    shown = '§ <span class="parent">3 Case studies › 3.1 Town &lt;A&gt; › </span>3.1.1 Background'
    assert shown in template.render(answer=answer)
    assert Citation(1, Hit(chunk, doc, 0.9)).to_dict()["parent"] == "3 Case studies › 3.1 Town <A>"
    chunk.parent = None
    assert "class=\"parent\"" not in template.render(answer=answer)
