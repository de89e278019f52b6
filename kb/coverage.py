"""What a question searched: how many documents, of which kinds, formats and languages, under which filters, as of when.

An official reading "the library has no passage that answers this" needs to know what "the library" was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kb.types import Document, Filters

# The formats a reader names, by the media type recorded at ingest.
FORMATS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "text/html": "HTML",
    "text/markdown": "Markdown",
    "text/x-markdown": "Markdown",
    "text/plain": "text",
}
# By extension, where the system's media types do not know the file (".md" is often application/octet-stream).
EXTENSIONS = {"pdf": "PDF", "docx": "Word", "html": "HTML", "htm": "HTML", "md": "Markdown", "markdown": "Markdown",
              "txt": "text", "png": "image", "jpg": "image", "jpeg": "image", "tif": "image", "tiff": "image"}
LANGUAGE_NAMES = {"en": "English", "lo": "Lao"}


def format_of(doc: Document) -> str:
    """Return the file format of a document in words ('PDF', 'Word', 'image', ...)."""
    media = doc.media_type or ""
    if media in FORMATS:
        return FORMATS[media]
    if media.startswith("image/"):
        return "image"
    extension = doc.source.rsplit(".", 1)[-1].lower() if "." in doc.source else ""
    return EXTENSIONS.get(extension, extension.upper() or "other")


@dataclass(frozen=True)
class Coverage:
    """The documents a question was answered from, and how current the library is."""

    documents: int
    library_documents: int
    kinds: dict[str, int]  # document type -> count, among those searched
    formats: dict[str, int]  # file format -> count
    languages: dict[str, int]  # language code -> count
    filters: dict[str, Any]  # the filters in force (empty when none)
    as_of: str | None  # the latest date of a document searched
    last_ingest: str | None  # when a document searched was last ingested

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form given with every answer as `coverage`."""
        return {
            "documents": self.documents,
            "library_documents": self.library_documents,
            "kinds": self.kinds,
            "formats": self.formats,
            "languages": self.languages,
            "filters": self.filters,
            "as_of": self.as_of,
            "as_of_basis": "the latest document date among the documents searched",
            "last_ingest": self.last_ingest,
        }

    def describe(self) -> str:
        """Return the coverage line shown under an answer."""
        if not self.documents:
            return f"No document of the {self.library_documents} in the library passes the filters ({self.describe_filters()})."
        what = f"Searched {self.documents} of {self.library_documents} documents"
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.kinds.items())
        formats = ", ".join(f"{n} {fmt}" for fmt, n in self.formats.items())
        languages = " and ".join(LANGUAGE_NAMES.get(code, code) for code in self.languages)
        line = f"{what} ({kinds}; {formats}) in {languages}; {self.describe_filters()}."
        if self.as_of:
            line += f" Library as of {self.as_of} (the latest document date)"
            line += f", last ingested {self.last_ingest[:10]}." if self.last_ingest else "."
        return line

    def describe_filters(self) -> str:
        """Return the filters in force in words, or 'no filters'."""
        parts = []
        if kinds := self.filters.get("doc_types"):
            parts.append("type " + " or ".join(kinds))
        if langs := self.filters.get("languages"):
            parts.append("language " + " or ".join(LANGUAGE_NAMES.get(c, c) for c in langs))
        if self.filters.get("date_from"):
            parts.append(f"dated from {self.filters['date_from']}")
        if self.filters.get("date_to"):
            parts.append(f"dated to {self.filters['date_to']}")
        return "filters: " + ", ".join(parts) if parts else "no filters"


def _counts(values: Sequence[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def coverage_of(documents: Sequence[Document], filters: Filters | None) -> Coverage:
    """Return what a search under `filters` covers of `documents` (the library)."""
    filters = filters or Filters()
    searched = [d for d in documents if filters.allows(d)]
    in_force: dict[str, Any] = {}
    if filters.doc_types:
        in_force["doc_types"] = list(filters.doc_types)
    if filters.languages:
        in_force["languages"] = list(filters.languages)
    if filters.date_from:
        in_force["date_from"] = filters.date_from
    if filters.date_to:
        in_force["date_to"] = filters.date_to
    return Coverage(
        documents=len(searched),
        library_documents=len(documents),
        kinds=_counts([d.doc_type for d in searched]),
        formats=_counts([format_of(d) for d in searched]),
        languages=_counts([d.language for d in searched]),
        filters=in_force,
        as_of=max((d.date for d in searched if d.date), default=None),
        last_ingest=max((d.ingested_at for d in searched if d.ingested_at), default=None),
    )
