"""Usable by everyone, in Chromium: axe-core finds no serious or critical violation on any page, the console stays
clean, the keyboard reaches the answer's citations, and at phone width nothing overflows sideways.

Screenshots of a phone-width answer and viewer go to docs/screenshots/ with KB_SCREENSHOTS=1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from a11y_pages import AXE, Visit, axe_violations, chromium, library_with_admin, new_context, settle, visits
from fakes import FakeEmbedder
from test_browser import CHROMIUM, QUESTION
from test_viewer_browser import SCREENSHOTS, serving

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci --prefix web`"),
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def library(fake_library: Settings, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return library_with_admin(fake_library, tmp_path_factory.mktemp("a11y") / "data")


@pytest.fixture(scope="module")
def server(library: KnowledgeBase) -> Iterator[str]:
    with serving(library) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def open_visit(browser: Any, server: str, visit: Visit, **options: Any) -> tuple[Any, list[str]]:
    """Open the visit's page in a fresh context; return the page and the console errors it logged."""
    context = new_context(browser, server, admin=visit.admin, locale=visit.locale, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    response = page.goto(server + visit.path)
    assert response is not None and response.status == visit.status, (visit, response and response.status)
    settle(page)
    return page, errors


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


def test_no_page_has_a_serious_accessibility_violation_or_a_console_error(
    browser: Any, server: str, library: KnowledgeBase
) -> None:
    found: dict[str, str] = {}
    console: dict[str, list[str]] = {}
    for visit in visits(library):
        page, errors = open_visit(browser, server, visit)
        assert page.locator("html").get_attribute("lang") == visit.locale
        if violations := axe_violations(page):
            found[visit.name] = describe(violations)
        # The error page's own status is logged as a failed load; anything else is a fault.
        if unexpected := [e for e in errors if visit.status == 200 or not e.endswith(f"({server}{visit.path})")]:
            console[visit.name] = unexpected
        page.context.close()
    assert not found, "\n\n".join(f"== {name}\n{text}" for name, text in found.items())
    assert not console, console


def test_in_the_dark_colour_scheme_the_pages_keep_their_contrast(browser: Any, server: str, library: KnowledgeBase) -> None:
    wanted = {"answer (admin)", "search results (no answer, related passages)", "a document (admin)",
              "viewer: a text document", "commitments (admin)", "upload", "error page"}
    found: dict[str, str] = {}
    for visit in (v for v in visits(library) if v.name in wanted):
        page, _ = open_visit(browser, server, visit, color_scheme="dark")
        if violations := axe_violations(page):
            found[visit.name] = describe(violations)
        page.context.close()
    assert not found, "\n\n".join(f"== {name}\n{text}" for name, text in found.items())


def test_axe_reports_a_broken_page(browser: Any, server: str) -> None:
    # The check above is only worth something if axe, as run here, sees faults: a nameless button, an unlabelled field.
    page = browser.new_page()
    page.goto(server + "/")
    page.evaluate("() => { document.querySelector('main').insertAdjacentHTML('beforeend',"
                  " '<button id=\"mute\"></button><input id=\"bare\" type=\"text\">'); }")
    ids = {v["id"] for v in axe_violations(page)}
    page.close()
    assert {"button-name", "label"} <= ids, ids


def test_the_keyboard_goes_from_the_question_to_ask_and_on_to_a_citation(browser: Any, server: str) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.keyboard.press("Tab")  # the skip link comes first, and leads to the content
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.focus("#q")
    page.keyboard.type(QUESTION)
    path = tab_until(page, "form[role=search] button[type=submit]")
    assert path[0] in ("type", "lang"), path  # past the filters, in the order they are shown
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer #cite-1", timeout=15_000)
    path = tab_until(page, "#cite-1 a.open")
    assert "marker" in path, path  # the answer's [n] links come before the sources
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline
    target = page.locator("#cite-1 a.open").get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.startswith(server + target.split("#")[0]))
    assert page.locator("#passage").count() == 1
    page.close()


def tab_until(page: Any, selector: str, limit: int = 60) -> list[str]:
    """Press Tab until `selector` has the focus; return the id or first class of each element passed."""
    path: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return path
        path.append(page.evaluate("() => document.activeElement.id || document.activeElement.classList[0] || "
                                  "document.activeElement.tagName"))
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab: {path}")


def test_at_phone_width_nothing_overflows_sideways(browser: Any, server: str, library: KnowledgeBase) -> None:
    wide: dict[str, int] = {}
    for visit in visits(library):
        page, _ = open_visit(browser, server, visit, viewport=PHONE, is_mobile=True, device_scale_factor=2)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[visit.name] = width
        if visit.name in ("answer (admin)", "viewer: a PDF"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # docs/screenshots with KB_SCREENSHOTS=1
            name = "phone-answer.png" if visit.name.startswith("answer") else "phone-viewer.png"
            if name == "phone-answer.png":  # the answer, its coverage line and the first source on one screen
                page.evaluate("() => document.getElementById('answer').scrollIntoView()")
            page.screenshot(path=str(SCREENSHOTS / name))
            readable(page, "#answer .answer-text p, #answer blockquote.passage" if name == "phone-answer.png"
                     else "#pdf-view canvas")
        if visit.name == "home":  # the measure sees a page that does overflow
            page.evaluate("() => { const d = document.createElement('div'); d.style.width = '600px';"
                          " d.textContent = 'wide'; document.querySelector('main').append(d); }")
            assert page.evaluate("() => document.documentElement.scrollWidth") > PHONE["width"]
        page.context.close()
    assert not wide, f"wider than {PHONE['width']} px: {wide}"


def readable(page: Any, selector: str) -> None:
    """Assert each element fits the phone's width and its text is at least 12 px."""
    boxes = page.evaluate(
        "(s) => [...document.querySelectorAll(s)].map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.right, parseFloat(getComputedStyle(e).fontSize)]; })", selector)
    assert boxes, selector
    for left, right, size in boxes:
        assert left >= 0 and right <= PHONE["width"] + 0.5 and size >= 12, (selector, left, right, size)


def test_the_single_user_pages_and_a_saved_answer_have_no_serious_violation(
    browser: Any, fake_library: Settings, tmp_path: Path
) -> None:
    # A server with no users shows its own banner; the line a save leaves under the answer is checked here too.
    shutil.copytree(fake_library.data_dir, tmp_path / "data")  # the save writes to the library's database
    kb = KnowledgeBase(fake_library.model_copy(update={"data_dir": tmp_path / "data"}), embedder=FakeEmbedder())
    found: dict[str, str] = {}
    with serving(kb) as server:
        page = browser.new_page()
        page.goto(server + "/ask?q=" + quote(QUESTION))
        settle(page)
        assert page.locator(".single-user-mode").is_visible()
        if violations := axe_violations(page):
            found["answer, single-user"] = describe(violations)
        page.get_by_role("button", name="Save to briefing").click()
        page.wait_for_selector(".saved-to-briefing")
        if violations := axe_violations(page):
            found["answer saved"] = describe(violations)
        page.close()
    assert not found, "\n\n".join(f"== {name}\n{text}" for name, text in found.items())
