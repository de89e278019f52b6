"""The Lao interface in Chromium: the switch turns the pages into Lao, a reload keeps them so, and Lao text (the
interface, an answer, its passages) is drawn with the Noto Sans Lao font served from node_modules. The screenshot goes
to docs/screenshots/lao-interface.png with KB_SCREENSHOTS=1, else to a temporary folder."""

from __future__ import annotations

from typing import Any

import pytest
from test_browser import CHROMIUM
from test_viewer_browser import SCREENSHOTS, browser, serving  # noqa: F401  (browser: a fixture)

from kb.knowledge_base import KnowledgeBase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

LAO_QUESTION = "ເປົ້າໝາຍ"  # "goals": the Lao summary of the library answers it


def fonts_of(page: Any, selector: str) -> dict[str, int]:
    """Return the fonts Chromium actually drew an element's text with (family -> glyphs), via the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no element {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts if f.get("isCustomFont")}


def test_the_switch_turns_the_interface_lao_and_a_reload_keeps_it(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    requested: list[str] = []
    errors: list[str] = []
    with serving(kb) as server:
        context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/documents")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").text_content() == "Library"

        page.locator(".locale-switch a[lang=lo]").click()  # the switch sends the reader back to the same page
        page.wait_for_url(f"{server}/documents")
        assert page.locator("html").get_attribute("lang") == "lo"
        assert page.locator("h1").text_content() == "ຄັງເອກະສານ"

        page.reload()
        assert page.locator("html").get_attribute("lang") == "lo" and page.locator("h1").text_content() == "ຄັງເອກະສານ"
        page.goto(f"{server}/")  # and on every other page
        assert page.locator("h1").text_content() == "ຖາມຄັງເອກະສານນະໂຍບາຍ"

        # A Lao question through the form (htmx): the answer and its passages are Lao, in the Lao font.
        page.fill("#q", LAO_QUESTION)
        page.select_option("#lang", "lo")
        page.locator("form[role=search] button").click()
        page.wait_for_selector("#answer .answer-text, #answer .abstention", timeout=30_000)
        assert page.locator("#answer h2").first.text_content() == "ແຫຼ່ງທີ່ມາ"
        page.evaluate("() => document.fonts.ready")
        assert fonts_of(page, "h1").get("Noto Sans Lao", 0) > 0
        assert fonts_of(page, ".answer-text p[lang=lo]").get("Noto Sans Lao", 0) > 0
        assert fonts_of(page, "#cite-1 blockquote.passage").get("Noto Sans Lao", 0) > 0
        assert page.locator("#cite-1 blockquote.passage").get_attribute("lang") == "lo"
        # Latin letters keep the interface's usual font: the Lao face only covers Lao script.
        assert fonts_of(page, ".locale-switch a[lang=en]").get("Noto Sans Lao", 0) == 0  # "English"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lao-interface.png"), full_page=True)

        # The switch after an answer htmx drew (no reload): back to the same answer, in English, and again in Lao.
        answer_url = page.url
        assert "/ask?" in answer_url
        page.locator(".locale-switch a[lang=en]").click()
        page.wait_for_selector("html[lang=en]")
        assert page.url == answer_url and page.locator("#answer h2").first.text_content() == "Sources"
        page.locator(".locale-switch a[lang=lo]").click()
        page.wait_for_selector("html[lang=lo]")
        assert page.url == answer_url

        page.reload()  # the answer's URL (pushed by htmx) reloads as a whole page, still in Lao
        assert page.locator("html").get_attribute("lang") == "lo"
        assert page.locator("#answer h2").first.text_content() == "ແຫຼ່ງທີ່ມາ"

        # The cited PDF page opens in the viewer, its pdf.js status in Lao (the words come from the template).
        page.locator("#cite-1 a.open").click()
        page.wait_for_selector("#pdf-view[data-state=rendered], #pdf-view[data-state=failed]", timeout=30_000)
        status = page.locator(".pdf-status").text_content() or ""
        assert status.startswith("ໜ້າ ") and "(ໜ້າທີ່ອ້າງອີງ)" in status, status
        assert page.locator("button[data-step='1']").text_content() == "ໜ້າຕໍ່ໄປ"
        page.go_back()
        page.wait_for_selector("#answer .answer-text")

        page.locator(".locale-switch a[lang=en]").click()  # and back
        page.wait_for_selector("html[lang=en]")
        assert page.locator("#answer h2").first.text_content() == "Sources"
        context.close()
    assert not errors, errors
    assert all(url.startswith(server) for url in requested), [u for u in requested if not u.startswith(server)]
    assert any(u.endswith("/static/vendor/noto-sans-lao/files/noto-sans-lao-lao-400-normal.woff2") for u in requested)


def test_a_lao_browser_gets_lao_on_its_first_visit(browser, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with serving(kb) as server:
        context = browser.new_context(locale="lo-LA")
        page = context.new_page()
        page.goto(f"{server}/commitments")
        assert page.locator("html").get_attribute("lang") == "lo"
        assert page.locator("h1").text_content() == "ຂໍ້ຜູກພັນ"
        context.close()
