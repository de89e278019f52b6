"""What the accessibility tests visit: every page of the app as an anonymous reader or an admin, and axe-core to run.

axe-core (npm, a dev dependency in web/package.json) is read from web/node_modules and evaluated in the page by
the test: it is never served to users.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fakes import FakeEmbedder
from test_browser import CHROMIUM, CHROMIUM_ARGS, QUESTION

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.passage_keys import passage_key, passage_path
from kb.saved_answers import SavedAnswers
from kb.users import UserStore

AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN, PASSWORD = "amara", "a11y-password-1"
UNANSWERABLE = "How many kilometres of railway were built on the moon?"
LAO_QUESTION = "ເປົ້າໝາຍ"


@dataclass(frozen=True)
class Visit:
    """A page to check: its name, its path, who opens it, and the interface language."""

    name: str
    path: str
    admin: bool = False
    locale: str = "en"
    status: int = 200


def library_with_admin(fake_library: Settings, data: Path) -> KnowledgeBase:
    """Return a copy of the sample library at `data` with one admin (so the sign-in page and roles exist)."""
    shutil.copytree(fake_library.data_dir, data)
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": data}), embedder=FakeEmbedder())
    UserStore(kb.store).add(ADMIN, "admin", PASSWORD)
    SavedAnswers(kb.store).save(f"user:{ADMIN}", QUESTION)  # so the briefing page lists something
    SavedAnswers(kb.store).save(f"user:{ADMIN}", LAO_QUESTION, lang="lo")
    return kb


def visits(kb: KnowledgeBase) -> list[Visit]:
    """Return every page of the app once: the anonymous reader's pages, the admin's, and the Lao interface."""
    docs = kb.documents()
    public = next(d for d in docs if d.visibility == "public" and d.media_type == "application/pdf")
    pdf = next(d for d in docs if d.media_type == "application/pdf" and not any(c.ocr for c in kb.chunks(d.id)))
    scan = next(d for d in docs if d.media_type == "application/pdf" and any(c.ocr for c in kb.chunks(d.id)))
    text = next(d for d in docs if d.source.endswith(".html"))

    def passage(doc_id: str, ocr: bool | None = None) -> str:
        chunk = next(c for c in kb.chunks(doc_id) if ocr is None or c.ocr == ocr)
        return passage_path(doc_id, passage_key(chunk.text))

    return [
        Visit("home", "/"),
        Visit("answer", "/ask?q=" + quote(QUESTION)),
        Visit("search results (no answer, related passages)", "/ask?q=" + quote(UNANSWERABLE)),
        Visit("documents", "/documents"),
        Visit("a document", f"/documents/{public.id}"),
        Visit("commitments", "/commitments"),
        Visit("sign in", "/login"),
        Visit("error page", "/no/such/page", status=404),
        Visit("home in Lao", "/", locale="lo"),
        Visit("answer in Lao", "/ask?lang=lo&q=" + quote(LAO_QUESTION), locale="lo"),
        Visit("answer (admin)", "/ask?q=" + quote(QUESTION), admin=True),
        Visit("a document (admin)", f"/documents/{text.id}", admin=True),
        Visit("viewer: a PDF", passage(pdf.id, ocr=False) + "#passage", admin=True),
        Visit("viewer: a scan", passage(scan.id, ocr=True) + "#passage", admin=True),
        Visit("viewer: a text document", passage(text.id) + "#passage", admin=True),
        Visit("commitments (admin)", "/commitments", admin=True),
        Visit("upload", "/upload", admin=True),
        Visit("briefing", "/briefing", admin=True),
        Visit("briefing (empty)", "/briefing"),
    ]


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Any, server: str, *, admin: bool, locale: str = "en", **options: Any) -> Any:
    """Return a browser context with the interface language chosen and, for an admin, signed in."""
    context = browser.new_context(**options)
    page = context.new_page()
    if locale != "en":
        page.goto(f"{server}/locale/{locale}?next=/")
    if admin:
        page.goto(server + "/login")
        page.fill("#name", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server + "/")
    page.close()
    return context


def settle(page: Any) -> None:
    """Wait until the page's scripts are done: the PDF view drawn, fonts loaded."""
    if page.locator("#pdf-view, #image-view").count():
        page.wait_for_selector(":is(#pdf-view, #image-view):is([data-state=rendered], [data-state=failed])", timeout=30_000)
    page.evaluate("() => document.fonts.ready.then(() => true)")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Return axe-core's serious and critical violations on the page (WCAG 2.1 A and AA, and best practice)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by DevTools, not a <script>: the CSP stands
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary).slice(0, 5)})))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
