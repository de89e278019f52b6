"""The isolated parser: limits, crashes, overhead, and every shared real PDF through it."""

from __future__ import annotations

import os
import pickle
import signal
import time
from pathlib import Path

import pytest

from ingest.parse.worker import parse_isolated
from kb.errors import ParseError
from kb.types import Heading, Page, ParsedDocument

PDFS = Path(__file__).resolve().parents[2] / "shared" / "pdfs"
TIMEOUT_S = 60.0
PASSWORDS = {"asdfzxcv": "asdfzxcv", "aes256-pw-password": "password", "openpassword": "openpassword"}


# Test doubles run in the child process, so they must be importable module-level functions.
def sleep_forever(path: Path, **_: object) -> ParsedDocument:
    """Hang like a parser stuck in a loop."""
    time.sleep(3600)
    raise AssertionError("unreachable")


def allocate_too_much(path: Path, **_: object) -> ParsedDocument:
    """Allocate far more than the memory limit."""
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]
    return ParsedDocument(pages=[Page(None, str(len(blocks)))])


def segfault(path: Path, **_: object) -> ParsedDocument:
    """Die the way a crashing C extension does."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    raise AssertionError("unreachable")


def echo(path: Path, **kwargs: object) -> ParsedDocument:
    """Return a small document naming the path it was given."""
    return ParsedDocument(pages=[Page(None, path.name, (Heading(0, path.name),))], title=str(kwargs["source"]))


def test_parsed_document_pickles() -> None:
    doc = ParsedDocument(pages=[Page(1, "text", (Heading(0, "text", 2),), ocr=True)], title="t", warnings=["w"])
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_timeout_kills_the_child(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ParseError) as info:
        parse_isolated(tmp_path / "x.pdf", source="x.pdf", timeout_s=1.5, target=sleep_forever)
    assert info.value.reason == "timed out after 1.5 s"
    assert time.monotonic() - started < 10


def test_memory_limit(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as info:
        parse_isolated(tmp_path / "x.pdf", source="x.pdf", memory_mb=512, target=allocate_too_much)
    assert info.value.reason == "used more than 512 MiB"


def test_crash_reports_exit_code(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as info:
        parse_isolated(tmp_path / "x.pdf", source="x.pdf", target=segfault)
    assert "crashed" in info.value.reason and "SIGSEGV" in info.value.reason


def test_parse_errors_cross_the_process_boundary(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ParseError) as info:
        parse_isolated(path, source="empty.txt")
    assert info.value.source == "empty.txt" and info.value.reason == "empty file (0 bytes)"


def test_per_file_overhead_is_small(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("NOTE\n\nshort text")
    parse_isolated(path, source="warm-up")  # starts the forkserver once
    runs = 10
    started = time.monotonic()
    for _ in range(runs):
        doc = parse_isolated(path, source="note.txt")
    per_file = (time.monotonic() - started) / runs
    print(f"per-file worker overhead: {per_file * 1000:.0f} ms")
    assert doc.pages[0].text == "NOTE\n\nshort text"
    assert per_file < 0.5


@pytest.mark.skipif(not PDFS.is_dir(), reason=f"shared PDFs not found at {PDFS}")
@pytest.mark.parametrize("path", sorted((PDFS / "policy").glob("*.pdf")), ids=lambda p: p.name)
def test_policy_pdfs_parse(path: Path) -> None:
    doc = parse_isolated(path, source=path.name, timeout_s=TIMEOUT_S)
    assert doc.pages and all(page.number == i for i, page in enumerate(doc.pages, start=1))
    assert sum(len(page.text) for page in doc.pages) > 1000
    for page in doc.pages:
        for heading in page.headings:  # a label's title may join the lines under it ("Section 1" + "Introduction")
            at = page.text[heading.offset : heading.offset + 2 * len(heading.title) + 8]
            assert " ".join(at.split()).startswith(heading.title)


@pytest.mark.skipif(not PDFS.is_dir(), reason=f"shared PDFs not found at {PDFS}")
@pytest.mark.parametrize("path", sorted((PDFS / "nasty").glob("*.pdf")), ids=lambda p: p.name)
def test_nasty_pdfs_parse_or_fail_clearly(path: Path) -> None:
    password = next((pw for key, pw in PASSWORDS.items() if key in path.name), None)
    started = time.monotonic()
    try:
        doc = parse_isolated(path, source=path.name, password=password, timeout_s=TIMEOUT_S)
    except ParseError as exc:
        assert exc.reason and exc.source == path.name
        assert path.name == "empty-0-bytes.pdf", exc.reason  # the only file expected to fail
    else:
        assert doc.pages
    assert time.monotonic() - started < TIMEOUT_S


@pytest.mark.skipif(not PDFS.is_dir(), reason=f"shared PDFs not found at {PDFS}")
@pytest.mark.parametrize("key", sorted(PASSWORDS))
def test_encrypted_pdfs_need_their_password(key: str) -> None:
    (path,) = [p for p in (PDFS / "nasty").glob("encrypted-*.pdf") if key in p.name]
    with pytest.raises(ParseError) as info:
        parse_isolated(path, source=path.name, ocr=False)
    assert info.value.reason == "encrypted PDF: password required (set `password:` in the manifest)"
    with pytest.raises(ParseError) as info:
        parse_isolated(path, source=path.name, password="not-it", ocr=False)
    assert info.value.reason == "encrypted PDF: wrong password"
    doc = parse_isolated(path, source=path.name, password=PASSWORDS[key], ocr=False)
    assert any(page.text for page in doc.pages)


@pytest.mark.skipif(not PDFS.is_dir(), reason=f"shared PDFs not found at {PDFS}")
def test_owner_password_only_pdf_opens_without_one() -> None:
    path = PDFS / "nasty" / "copy-protected-owner-pw-only.pdf"
    doc = parse_isolated(path, source=path.name, ocr=False)
    assert len(doc.pages) == 2 and "LayoutParser" in doc.pages[0].text


def test_injected_target_gets_the_arguments(tmp_path: Path) -> None:
    doc = parse_isolated(tmp_path / "a.pdf", source="a.pdf", target=echo)
    assert doc.title == "a.pdf" and doc.pages[0].text == "a.pdf"


def start_a_grandchild(path: Path, **kwargs: object) -> ParsedDocument:
    """Start a long-lived process (as OCR starts Tesseract), note its pid, then hang or return."""
    import subprocess

    child = subprocess.Popen(["sleep", "300"])
    path.write_text(str(child.pid))
    if kwargs["source"] == "hang":
        time.sleep(3600)
    return ParsedDocument(pages=[Page(None, "done")])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("source", ["hang", "return"])
def test_no_process_the_parser_started_outlives_it(tmp_path: Path, source: str) -> None:
    note = tmp_path / "pid"
    if source == "hang":
        with pytest.raises(ParseError, match="timed out"):
            parse_isolated(note, source=source, timeout_s=2, target=start_a_grandchild)
    else:
        parse_isolated(note, source=source, timeout_s=20, target=start_a_grandchild)
    pid = int(note.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), f"the parser's child {pid} outlived it"
