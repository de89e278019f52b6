"""Roles in Chromium: sign in and out, what a partner and staff are answered, a forged form, a hostile document.

Real uvicorn, Debian's Chromium driven by Playwright; every page is checked for Content-Security-Policy violations.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from serving import serve_app

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase
from kb.users import UserStore
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "browser-password-1"
HOSTILE = (
    "Hostile note\n\nThe board wrote <script>window.__xss = 1; alert('xss')</script> in its minutes, and "
    'an image <img src="x" onerror="window.__xss = 2; alert(\'img\')"> beside it. Zanzibar ferries run daily.\n'
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]




@pytest.fixture(scope="module")
def library(fake_library: Settings, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The sample library plus a public note full of markup, with a partner and a staff member."""
    data = tmp_path_factory.mktemp("browser-roles") / "data"
    shutil.copytree(fake_library.data_dir, data)
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile-note.txt").write_text(HOSTILE)
    settings = fake_library.model_copy(update={"data_dir": data})
    ingest_paths([folder], settings=settings, embedder=FakeEmbedder(), visibility="public")
    kb = KnowledgeBase(settings, embedder=FakeEmbedder())
    users = UserStore(kb.store)
    users.add("lena", "partner", PASSWORD)
    users.add("sam", "staff", PASSWORD)
    users.add("amara", "admin", PASSWORD)
    return kb


@pytest.fixture(scope="module")
def server(library: KnowledgeBase) -> Iterator[str]:
    with serve_app(create_app(library.settings, kb=library)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def watched_page(browser: Any, problems: list[str]) -> Any:
    """Return a new page that records CSP violations, page errors and dialogs into `problems`."""
    page = browser.new_context().new_page()
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page


def sign_in(page: Any, server: str, name: str) -> None:
    page.goto(server + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")


def test_partner_and_staff_see_what_their_role_allows(server: str, library: KnowledgeBase, browser: Any) -> None:
    from playwright.sync_api import expect

    internal = [d for d in library.documents() if d.visibility == "internal"]
    chunk = library.chunks(internal[0].id)[1]
    question = " ".join(chunk.text.split()[:14])  # the opening words of an internal passage
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(server + "/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, server, "lena")
    expect(page.locator("nav .who")).to_have_text("lena · partner")
    page.fill("#q", question)
    page.press("#q", "Enter")
    expect(page.locator("#answer section.answer")).to_be_visible(timeout=15_000)
    partner_text = page.locator("#answer").inner_text()
    assert not any(d.title in partner_text for d in internal)
    page.goto(server + "/documents")
    assert not any(d.title in page.content() for d in internal)
    assert page.goto(f"{server}/documents/{internal[0].id}").status == 404

    page.locator("form.signout button").click()
    page.wait_for_url(server + "/")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, server, "sam")
    page.fill("#q", question)
    page.press("#q", "Enter")
    expect(page.locator("#answer .citation").first).to_be_visible(timeout=15_000)
    assert internal[0].title in page.locator("#answer").inner_text()
    expect(page.locator("#answer .badge.internal").first).to_be_visible()
    assert page.goto(f"{server}/documents/{internal[0].id}").status == 200
    for path in ("/", "/documents", "/docs"):
        page.goto(server + path)
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("NSPS Knowledge Base", timeout=15_000)
    assert not problems, problems


def test_a_forged_form_is_refused(server: str, browser: Any) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    sign_in(page, server, "lena")
    page.evaluate("() => { document.querySelector('form.signout input[name=csrf_token]').value = 'forged'; }")
    page.locator("form.signout button").click()
    page.wait_for_load_state()
    assert "security token" in page.content()
    page.goto(server + "/")
    assert "lena · partner" in page.locator("nav").inner_text()  # still signed in: the forged sign-out did nothing
    assert not problems, problems


def test_markup_in_a_document_is_shown_as_text(server: str, library: KnowledgeBase, browser: Any) -> None:
    doc = next(d for d in library.documents() if d.source == "hostile-note.txt")
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(f"{server}/documents/{doc.id}")
    text = page.locator(".page-text").inner_text()
    assert "<script>window.__xss = 1;" in text and '<img src="x" onerror=' in text
    page.goto(f"{server}/ask?q=Zanzibar+ferries+board+script")
    assert "<script>" in page.locator("#answer").inner_text()
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#answer img, .page-text img").count() == 0
    assert not problems, problems



def test_an_admin_makes_a_document_internal_and_a_partner_loses_it(server: str, library: KnowledgeBase, browser: Any) -> None:
    from playwright.sync_api import expect

    doc = next(d for d in library.documents() if d.source == "hostile-note.txt")
    problems: list[str] = []
    partner = watched_page(browser, problems)
    sign_in(partner, server, "lena")
    assert partner.goto(f"{server}/documents/{doc.id}").status == 200
    admin = watched_page(browser, problems)
    sign_in(admin, server, "amara")
    admin.goto(f"{server}/documents/{doc.id}")
    admin.select_option("#visibility", "internal")
    admin.locator("form.visibility button").click()
    expect(admin.locator("h1 + p .badge.internal")).to_be_visible()
    try:
        assert partner.goto(f"{server}/documents/{doc.id}").status == 404
        partner.goto(server + "/documents")
        assert doc.title not in partner.content()
    finally:
        admin.select_option("#visibility", "public")
        admin.locator("form.visibility button").click()
        expect(admin.locator("h1 + p .badge.internal")).to_have_count(0)
    assert partner.goto(f"{server}/documents/{doc.id}").status == 200
    staff = watched_page(browser, problems)
    sign_in(staff, server, "sam")
    staff.goto(f"{server}/documents/{doc.id}")
    expect(staff.locator("form.visibility")).to_have_count(0)  # only admins see the form
    assert not problems, problems


def test_the_tracker_and_the_viewer_for_a_partner_and_for_staff(server: str, library: KnowledgeBase, browser: Any) -> None:
    """A partner sees public commitments only and no status form, opens a public PDF's passage (pdf.js under the
    policy) and gets a 404 for an internal one; staff set a status in their own name. No CSP violation anywhere."""
    from playwright.sync_api import expect

    from kb.passage_keys import passage_key, passage_path

    internal = [d for d in library.documents() if d.visibility == "internal"]
    pdf = next(d for d in library.documents() if d.visibility == "public" and d.media_type == "application/pdf")
    chunk = next(c for c in library.chunks(pdf.id) if c.page and not c.ocr and len(c.text) > 200)
    hidden = passage_path(internal[0].id, passage_key(library.chunks(internal[0].id)[0].text))
    problems: list[str] = []
    page = watched_page(browser, problems)
    sign_in(page, server, "lena")
    page.goto(server + "/commitments")
    page.wait_for_function("() => window.htmx !== undefined")
    expect(page.locator("table.commitments tbody tr").first).to_be_visible()
    tracker = page.content()
    assert not any(d.title in tracker or d.id in tracker for d in internal) and "Set status" not in tracker
    page.select_option("select[name=kind]", "recommendation")  # htmx filters in place under the policy
    expect(page.locator("#commitments .summary")).to_contain_text("recommendations")
    page.goto(server + passage_path(pdf.id, passage_key(chunk.text)))
    page.wait_for_selector("#pdf-view[data-state=rendered]", timeout=30_000)
    assert page.locator("#pdf-view mark.kb-hit").count() > 0
    assert page.goto(server + hidden).status == 404

    page.locator("form.signout button").click()
    page.wait_for_url(server + "/")
    sign_in(page, server, "sam")
    assert page.goto(server + hidden).status == 200
    page.goto(server + "/commitments")
    row = page.locator("table.commitments tbody tr").first
    row.locator("details.set-status summary").click()
    row.locator("select[name=status]").select_option("in progress")
    row.locator("input[name=note]").fill("Draft seen in the Chromium test")
    assert row.locator("input[name=by]").count() == 0  # who sets it is the signed-in user
    row.get_by_role("button", name="Save").click()
    page.wait_for_url("**/commitments#c-*")
    record_id = page.url.rsplit("#c-", 1)[1]
    expect(page.locator(f"tr[id='c-{record_id}'] p.manual")).to_contain_text("Set to in progress by sam")
    assert [n.by for n in library.commitment_history(record_id)] == ["sam"]
    assert not problems, problems
