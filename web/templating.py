"""The Jinja environment: where templates live and the filters that build HTML safely from passages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.templating import Jinja2Templates

from kb.types import Chunk, Citation, Document
from web.i18n import N_, i18n_context, install_i18n
from web.wording import TEMPLATE_FILTERS, TEMPLATE_GLOBALS

TEMPLATES_DIR = Path(__file__).parent / "templates"

_MARKER = re.compile(r"\[(\d+)\]")

PDF_MEDIA_TYPE = "application/pdf"


def merge_spans(spans: Iterable[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Return the spans clipped to [0, length], sorted, with overlapping or touching ones merged."""
    clipped = sorted(
        (max(0, int(s[0])), min(length, int(s[1]))) for s in spans if len(s) >= 2 and int(s[1]) > int(s[0])
    )
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: Iterable[Sequence[int]]) -> Markup:
    """Return `text` escaped, with each [start, end) span wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in merge_spans(spans, len(text)):
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def link_markers(answer: str, numbers: Iterable[int], prefix: str = "cite-", label: str = "citation") -> Markup:
    """Return the answer escaped, with each [n] that names a citation linked to its anchor (named `label` n)."""
    known = set(numbers)

    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return f'<a class="marker" href="#{prefix}{n}" aria-label="{escape(label)} {n}">[{n}]</a>'

    # Escaping never touches "[", digits or "]", so the markers survive it intact.
    return Markup(_MARKER.sub(repl, str(escape(answer))))


def is_pdf(doc: Document) -> bool:
    """Return True when the original file is a PDF (so the browser can open it at a page)."""
    return doc.media_type == PDF_MEDIA_TYPE or doc.source.lower().endswith(".pdf")


def citation_href(citation: Citation) -> str:
    """Return the link that opens a cited passage where it is: the PDF page, or the passage's anchor."""
    doc, chunk = citation.hit.document, citation.hit.chunk
    if is_pdf(doc) and chunk.page is not None:
        return f"/documents/{doc.id}/file#page={chunk.page}"
    if chunk.id is not None:
        return f"/documents/{doc.id}#chunk-{chunk.id}"
    return f"/documents/{doc.id}"


def chunk_text_href(doc: Document, chunk: Chunk) -> str:
    """Return the link to a passage in the document's text view."""
    return f"/documents/{doc.id}#chunk-{chunk.id}" if chunk.id is not None else f"/documents/{doc.id}"


def when(value: str | None) -> str:
    """Return an ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (or the value itself if it is not one)."""
    if not value:
        return "never"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:  # a plain date
        return value
    offset = moment.utcoffset()
    text = moment.strftime("%Y-%m-%d %H:%M")
    return f"{text} UTC" if offset is not None and not offset else text


def lang_of(language: str | None) -> str:
    """Return the HTML lang code for a stored language ('lo' for Lao, else the value or 'en')."""
    return {"lao": "lo"}.get(language or "en", language or "en")


@pass_context
def when_translated(context: Context, value: str | None) -> str:
    """Return `when(value)`, with "never" in the reader's language."""
    return when(value) if value else str(context.call(context.resolve("_"), N_("never")))


def create_templates(
    globals_: dict[str, Any] | None = None, context_processors: list[Callable[[Any], dict[str, Any]]] | None = None
) -> Jinja2Templates:
    """Return the templates with the project's filters, the given globals and per-request context installed."""
    # The reader's language comes first, so any other processor's context is rendered in it.
    processors = [i18n_context, *(context_processors or [])]
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=processors)
    env = templates.env
    install_i18n(env)
    env.filters.update(highlight=highlight, link_markers=link_markers, when=when_translated, lang=lang_of)
    env.globals.update(citation_href=citation_href, chunk_text_href=chunk_text_href, is_pdf=is_pdf)
    env.filters.update(TEMPLATE_FILTERS)
    env.globals.update(TEMPLATE_GLOBALS)
    env.globals.update(globals_ or {})
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
