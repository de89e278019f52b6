"""What an answer's citations carry beyond the passage: a lasting link, a reference to paste, and the coverage line.

The answer layer builds the citations; this adds to them afterwards, so the CLI, the API and the pages all get the
same `url`, `reference` and `coverage`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.coverage import coverage_of
from kb.passage_keys import passage_key, passage_path
from kb.store import Store
from kb.types import Answer, Chunk, Citation, Document, Filters

# A section heading's number: "3.2 Health insurance" -> "3.2", "R4. Financing" -> "R4", "Annex 2: Tables" -> "Annex 2".
_SECTION_NUMBER = re.compile(
    r"^\s*(?:((?i:annex|appendix|chapter|part|section|article))\s+)?([A-Z]?\d{1,3}(?:\.\d{1,3})*|[IVXL]+)\b[.):]?\s"
)


def section_number(section: str | None) -> str | None:
    """Return the number a section heading starts with ('3.2', 'Annex 2'), or None when it has none."""
    if not section:
        return None
    match = _SECTION_NUMBER.match(section + " ")
    if match is None:
        return None
    word, number = match.groups()
    return f"{word.capitalize()} {number}" if word else number


def reference(doc: Document, chunk: Chunk, page_label: str | None = None) -> str:
    """Return the citation to paste: "Title, § 3.2, p. 22" (the printed page label where the PDF defines one)."""
    parts = [doc.title.strip()]
    number = section_number(chunk.section)
    if number and number[0].isalpha() and " " in number:
        parts.append(number)  # "Annex 2"
    elif number:
        parts.append(f"§ {number}")
    elif chunk.section and chunk.section.strip() != doc.title.strip():
        parts.append(f"“{chunk.section.strip()}”")
    if chunk.page is not None:
        parts.append(f"p. {page_label or chunk.page}")
    return ", ".join(parts)


def cite(citation: Citation, labels: dict[int, str]) -> None:
    """Give one citation its lasting `url` and its `reference`."""
    doc, chunk = citation.hit.document, citation.hit.chunk
    citation.url = passage_path(doc.id, passage_key(chunk.text))
    citation.reference = reference(doc, chunk, labels.get(chunk.page) if chunk.page is not None else None)


def annotate_answer(
    store: Store, answer: Answer, filters: Filters | None, documents: Sequence[Document] | None = None
) -> Answer:
    """Return the answer with each citation's `url` and `reference`, and the answer's `coverage`.

    `documents` is the library the asker may see (default: every document): the coverage counts only those.
    """
    labels: dict[str, dict[int, str]] = {}
    for citation in [*answer.citations, *answer.related]:
        doc_id = citation.hit.document.id
        if doc_id not in labels:
            labels[doc_id] = store.page_labels(doc_id)
        cite(citation, labels[doc_id])
    answer.coverage = coverage_of(store.documents() if documents is None else documents, filters)
    return answer
