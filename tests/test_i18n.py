"""The Lao and English interface: the catalogue is complete, the reader's language is chosen and remembered, every
main page renders in Lao with lang="lo", and the interface's sentences read in English exactly as kb/'s."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from kb.access import ROLES, VISIBILITIES
from kb.commitments.types import KINDS, STATUSES
from kb.coverage import EXTENSIONS, FORMATS, coverage_of
from kb.errors import KBError
from kb.knowledge_base import KnowledgeBase
from kb.links import LinkTarget
from kb.types import DOC_TYPES, Filters
from web.i18n import COOKIE, compile_po, load_translations, negotiate, safe_next
from web.routes import commitments as commitment_routes
from web.wording import KIND_PLURALS, TERMS, describe_commitment_filters, describe_coverage, link_notice

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
LAO_PO = WEB / "translations" / "lo" / "LC_MESSAGES" / "messages.po"
LAO = re.compile(r"[\u0E80-\u0EFF]")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}|%%|<[^>]+>")


def extracted_msgids() -> set[str | tuple[str, str]]:
    """Return every msgid babel.cfg extracts from web/ (as `pybabel extract` would)."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    skip = {"node_modules", "static", "translations", "__pycache__"}
    found: set[str | tuple[str, str]] = set()

    def wanted(path: str) -> bool:  # unlike Babel's default, "_fragments" is read
        return Path(path).name not in skip and not Path(path).name.startswith(".")

    for _file, _line, message, _comments, _context in extract_from_dir(WEB, method_map, options_map, directory_filter=wanted):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_string_of_the_interface_has_a_lao_translation() -> None:
    ids = extracted_msgids()
    assert len(ids) > 150  # templates, fragments and web/*.py all extracted (the _fragments folder too)
    assert "Copy reference" in ids and "The library has no passage that answers this question." in ids
    with LAO_PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for msgid in sorted(ids, key=str):
        entry = catalog.get(msgid if isinstance(msgid, str) else msgid[0])
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(msgid)
    assert not missing, f"{LAO_PO}: no Lao translation for {missing} (see README: adding a string)"


# Words the templates may leave as they are in any language: names of formats and techniques.
UNTRANSLATED = {"OCR", "CSV"}


def test_no_template_shows_text_outside_the_catalogue() -> None:
    """Text a reader sees (between tags, or in title/placeholder/aria-label/alt) is in _() or {% trans %}."""
    for path in sorted((WEB / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        shown = re.findall(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"', text)
        shown.append(re.sub(r"<[^>]*>", " ", text))
        words = {w for chunk in shown for w in re.findall(r"[A-Za-z][A-Za-z']+", chunk)} - UNTRANSLATED
        assert not words, f"{path.relative_to(ROOT)}: text outside the catalogue: {sorted(words)}"


def test_lao_translations_keep_every_placeholder_and_tag() -> None:
    with LAO_PO.open("rb") as fh:
        catalog = read_po(fh)
    for entry in catalog:
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[1]
        for text in [entry.string] if isinstance(entry.string, str) else entry.string:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (entry.id, text)
            if any(c.isalpha() for c in source) and not re.fullmatch(r"[A-Z]+|Word|Markdown|PDF|HTML", source):
                assert LAO.search(text), f"{entry.id!r} is not written in Lao: {text!r}"


def test_the_controlled_words_shown_are_all_marked_for_translation() -> None:
    words = set(TERMS)
    assert set(DOC_TYPES) <= words and set(KINDS) <= words and set(STATUSES) <= words and set(KIND_PLURALS) == set(KINDS)
    assert set(FORMATS.values()) | set(EXTENSIONS.values()) <= words
    assert {"done", "in progress", "mention"} <= words  # the evidence signals
    assert set(VISIBILITIES) <= words and set(ROLES) <= words


def test_a_broken_catalogue_is_an_error_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "lo" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    broken.write_text('msgid "Ask"\nmsgstr "ຖາມ"\nthis line is not a catalogue entry\n', encoding="utf-8")
    with pytest.raises(KBError, match="messages.po"):
        compile_po(broken)
    broken.write_text('#, python-format\nmsgid "Page %(page)s"\nmsgstr "ໜ້າ %(pgae)s"\n', encoding="utf-8")
    with pytest.raises(KBError, match=r"messages.po, line \d+: msgid 'Page %\(page\)s'"):
        compile_po(broken)  # a misspelt placeholder would fail only when the page is drawn
    with pytest.raises(KBError, match="catalogue is missing"):
        load_translations(tmp_path / "none")


def test_fuzzy_entries_are_left_in_english(tmp_path: Path) -> None:
    po = tmp_path / "messages.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n#, fuzzy\nmsgid "Ask"\nmsgstr "ຖາມ"\n\n'
                  'msgid "Library"\nmsgstr "ຄັງເອກະສານ"\n', encoding="utf-8")
    t = compile_po(po)
    assert t.gettext("Ask") == "Ask" and t.gettext("Library") == "ຄັງເອກະສານ"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("lo-LA,lo;q=0.9,en;q=0.8", "lo"), ("fr-FR, en;q=0.5", "en"), ("fr", None), ("en;q=0.8, lo", "lo"),
     ("lo;q=0, en;q=0.1", "en"), ("", None), ("garbage;;q=x", None), ("th, LO;q=0.7", "lo")],
)
def test_accept_language_picks_the_offered_language_preferred(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/ask?q=x&type=brief", "/ask?q=x&type=brief"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
     ("/\\evil.example", "/"), ("", "/"), ("documents", "/")],
)
def test_the_switch_only_goes_back_to_a_page_of_this_site(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_in_english_the_interface_says_what_kb_says(kb: KnowledgeBase) -> None:
    english = gettext.NullTranslations()
    docs = kb.documents()
    for filters in (None, Filters(doc_types=("minutes", "brief"), languages=("en", "lo")),
                    Filters(date_from="2020", date_to="2024-12-31"), Filters(date_from="2099")):
        coverage = coverage_of(docs, filters)
        assert describe_coverage(coverage, english) == coverage.describe()
    doc = docs[0]
    for status in ("exact", "changed", "superseded", "replaced", "removed", "unknown"):
        for similarity in (None, 0.734):
            target = LinkTarget(status, "0" * 16, doc, None, doc.title, "text", similarity=similarity)
            assert link_notice(target, english) == target.notice


@pytest.mark.parametrize(
    "params",
    [{}, {"view": "soon"}, {"kind": "recommendation", "status": "open"}, {"kind": "action", "owner": "Ministry"},
     {"document": "doc-1", "due_before": "2025-01-01", "q": "health"}],
)
def test_in_english_the_commitment_filters_read_as_the_export_says_them(params: dict[str, str]) -> None:
    full = {"kind": "", "owner": "", "status": "", "document": "", "due_before": "", "q": "", "view": ""} | params
    documents = {"doc-1": "A report"}
    expected = commitment_routes._describe(commitment_routes._filters(**full), documents)
    assert describe_commitment_filters(full, documents, gettext.NullTranslations()) == expected


def test_in_lao_the_coverage_line_is_lao(kb: KnowledgeBase) -> None:
    lao = load_translations()["lo"]
    line = describe_coverage(coverage_of(kb.documents(), Filters(languages=("lo",))), lao)
    assert line.startswith("ຄົ້ນຫາໃນເອກະສານ") and "ພາສາລາວ" in line and "Searched" not in line


# -- the web interface -----------------------------------------------------------------------------
LAO_BROWSER = {"Accept-Language": "lo-LA,lo;q=0.9,en;q=0.5"}


def assert_lao_page(html: str, *strings: str) -> None:
    """The page is marked Lao, carries the Lao strings given, and keeps scripts and styles in files."""
    assert '<html lang="lo">' in html
    for s in strings:
        assert s in html, s
    assert "Ask the policy library" not in html and "Answers quote the documents" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "an inline script"
    assert not re.search(r"<style|\sstyle=", html), "an inline style"
    assert "/static/app.css" in html  # which names the Lao web font


def test_the_main_pages_render_in_lao(client: TestClient, kb: KnowledgeBase) -> None:
    client.cookies.set(COOKIE, "lo")
    doc = next(d for d in kb.documents() if d.media_type == "application/pdf" and d.pages > 1)
    assert_lao_page(client.get("/").text, "ຖາມຄັງເອກະສານນະໂຍບາຍ", "ຄັງຄວາມຮູ້ NSPS", "ທຸກປະເພດ", "ບົດທົບທວນ")
    answer = client.get("/ask", params={"q": "What are the three pillars of the strategy?"}).text
    assert_lao_page(answer, "ແຫຼ່ງທີ່ມາ", "ຄົ້ນຫາໃນເອກະສານ", "ສຳເນົາການອ້າງອີງ", 'data-copied="ສຳເນົາແລ້ວ"')
    refused = client.get("/ask", params={"q": "zebra xylophone quasar marmalade"}).text
    assert_lao_page(refused, "ຄັງເອກະສານບໍ່ມີຂໍ້ຄວາມໃດທີ່ຕອບຄຳຖາມນີ້.")
    assert_lao_page(client.get("/documents").text, "ຊື່ເອກະສານ", "ຕົ້ນສະບັບ")
    assert_lao_page(client.get(f"/documents/{doc.id}").text, "ແຫຼ່ງທີ່ມາ", "ໜ້າ 1")
    assert_lao_page(client.get("/commitments").text, "ຂໍ້ຜູກພັນທັງໝົດ", "ຜູ້ຮັບຜິດຊອບ", "ກັ່ນຕອງ")
    assert_lao_page(client.get("/login").text, "ຊື່ຜູ້ໃຊ້", "ລະຫັດຜ່ານ", "ເຂົ້າລະບົບ")
    assert "ໂໝດຜູ້ໃຊ້ຄົນດຽວ" in client.get("/").text  # the test server has no accounts: the single-user notice
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert_lao_page(missing.text, "ບໍ່ພົບ", "ບໍ່ມີໜ້າໃດຢູ່ທີ່ຢູ່ນີ້.")
    fragment = client.get("/ask", params={"q": "What are the three pillars?"}, headers={"HX-Request": "true"}).text
    assert "ແຫຼ່ງທີ່ມາ" in fragment and "<html" not in fragment


def test_a_lao_passage_link_opens_the_viewer_in_lao(client: TestClient, kb: KnowledgeBase) -> None:
    answer = kb.ask("What are the three pillars of the strategy?")
    url = answer.citations[0].url
    assert url
    html = client.get(url + "?view=text", headers=LAO_BROWSER).text
    assert_lao_page(html, "ເອກະສານທັງໝົດ", "ໄຟລ໌ຕົ້ນສະບັບ")


def test_the_first_visit_follows_the_browser_then_the_switch_is_remembered(client: TestClient) -> None:
    assert '<html lang="lo">' in client.get("/", headers=LAO_BROWSER).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr, en;q=0.5"}).text
    assert '<html lang="en">' in client.get("/").text  # no preference: English
    switched = client.get("/locale/en", params={"next": "/documents?x=1"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/documents?x=1"
    assert f"{COOKIE}=en" in switched.headers["set-cookie"] and "Max-Age=" in switched.headers["set-cookie"]
    page = client.get("/documents", headers=LAO_BROWSER).text  # the cookie outranks the browser now
    assert '<html lang="en">' in page and "Library" in page
    client.get("/locale/lo", params={"next": "/"})
    assert '<html lang="lo">' in client.get("/documents").text
    # The switch on every page links back to the page it is on, in the other language.
    assert 'href="/locale/en?next=/documents"' in client.get("/documents").text.replace("%2F", "/")
    assert client.get("/locale/fr", follow_redirects=False).status_code == 404
    assert client.get("/locale/lo", params={"next": "//evil.example"}, follow_redirects=False).headers["location"] == "/"


def test_the_lao_font_is_served_from_node_modules(client: TestClient) -> None:
    css = client.get("/static/app.css").text
    font_urls = re.findall(r'url\("(/static/vendor/noto-sans-lao/[^"]+)"\)', css)
    assert font_urls and "Noto Sans Lao" in css
    for url in font_urls:
        r = client.get(url)
        assert r.status_code == 200 and r.content[:4] == b"wOF2", url


def test_errors_worded_by_the_interface_are_lao_and_the_api_stays_english(client: TestClient) -> None:
    client.cookies.set(COOKIE, "lo")
    page = client.get("/ask", params={"q": "goals", "type": "poem"})
    assert page.status_code == 422
    assert_lao_page(page.text, "ບໍ່ຮູ້ຈັກປະເພດເອກະສານ &#39;poem&#39;", "ຄຳຖາມບໍ່ຖືກຕ້ອງ")
    fragment = client.get("/ask", params={"q": "goals", "lang": "L@O"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "ບໍ່ແມ່ນລະຫັດພາສາ" in fragment.text
    missing = client.get("/documents/nope/passages/not-a-key")
    assert missing.status_code == 404 and "ບໍ່ແມ່ນລະຫັດຂໍ້ຄວາມ" in missing.text
    api = client.post("/api/ask", json={"question": "goals", "filters": {"doc_type": "poem"}})
    assert api.status_code == 422 and "unknown document type 'poem'" in api.json()["detail"]


def test_pages_vary_with_the_language_and_the_session_but_the_api_does_not(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "lo"})
    vary = {v.strip().lower() for v in page.headers.get("vary", "").split(",")}
    assert {"cookie", "accept-language"} <= vary
    fragment = client.get("/ask", params={"q": "school meals"}, headers={"HX-Request": "true"})
    vary = {v.strip().lower() for v in fragment.headers.get("vary", "").split(",")}
    assert {"hx-request", "cookie", "accept-language"} <= vary
    assert "accept-language" not in client.get("/api/health").headers.get("vary", "").lower()
