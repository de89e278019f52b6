"""Content sniffing: decide how to parse a file from its bytes, not its name."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import filetype

from kb.errors import ParseError

KINDS = ("pdf", "docx", "html", "markdown", "text", "image")
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_CLAIMED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
_LABELS = {"pdf": "a PDF", "docx": "a DOCX", "image": "an image"}
_DESCRIBE = {
    "pdf": "a PDF",
    "docx": "a DOCX document",
    "html": "HTML",
    "markdown": "Markdown text",
    "text": "plain text",
    "image": "an image",
}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.I | re.S)
_HTML_ANY = re.compile(rb"<(html|head|body|div|p|h[1-6]|table|title)[\s>]", re.I)
_OFFICE_ZIPS = {
    "xl/workbook.xml": "an Excel workbook (.xlsx)",
    "ppt/presentation.xml": "a PowerPoint presentation (.pptx)",
    "content.xml": "an OpenDocument file (.odt/.ods)",
}


def _zip_kind(path: Path, source: str) -> str:
    """Return 'docx' for a Word zip, else raise ParseError naming what the zip is."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(source, f"damaged ZIP/DOCX file: {exc}") from None
    if "word/document.xml" in names:
        return "docx"
    for member, what in _OFFICE_ZIPS.items():
        if member in names:
            raise ParseError(source, f"unsupported file type: {what}")
    raise ParseError(source, "unsupported file type: a ZIP archive")


def _sniff(path: Path, head: bytes, source: str) -> str:
    """Return the kind the bytes show, or raise ParseError for unsupported content."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, source)
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ParseError(
            source, "unsupported file type: a legacy Microsoft Office file (.doc/.xls); save it as DOCX or PDF"
        )
    text_like = head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head
    if not text_like:
        guess = filetype.guess(head)
        what = f"{guess.mime} (.{guess.extension})" if guess else "binary data"
        raise ParseError(source, f"unsupported file type: {what}")
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) or (
        path.suffix.lower() in {".html", ".htm", ".xhtml"} and _HTML_ANY.search(head)
    ):
        return "html"
    return "markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES else "text"


def detect_type(path: Path, *, source: str) -> str:
    """Return one of KINDS for the file's content, or raise ParseError with a human reason."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise ParseError(source, f"cannot read file: {exc.strerror or exc}") from None
    if not head:
        raise ParseError(source, "empty file (0 bytes)")
    kind = _sniff(path, head, source)
    claimed = _CLAIMED.get(path.suffix.lower())
    if claimed and claimed != kind:
        raise ParseError(source, f"not {_LABELS[claimed]}: the file is {_DESCRIBE[kind]}")
    return kind
