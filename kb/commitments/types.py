"""A commitment record: one recommendation, decision, action or target, with its owner, deadline and source."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

KINDS = ("recommendation", "decision", "action", "target")
STATUSES = ("open", "in progress", "done", "overdue")


@dataclass
class Evidence:
    """A later passage that speaks of a commitment: what it says, where, and what it tells of its status."""

    document_id: str
    title: str
    source: str
    date: str | None
    chunk_id: int | None
    page: int | None
    section: str | None
    sentence: str
    score: float
    signal: str  # "done", "in progress" or "mention"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form listed under a commitment's "evidence"."""
        return {
            "document_id": self.document_id, "title": self.title, "source": self.source, "date": self.date,
            "chunk_id": self.chunk_id, "page": self.page, "section": self.section, "text": self.sentence,
            "score": round(self.score, 4), "signal": self.signal,
        }


@dataclass
class StatusNote:
    """A status set by hand, with who set it, when and why."""

    status: str
    note: str
    by: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of a hand-set status."""
        return {"status": self.status, "note": self.note, "by": self.by, "at": self.at}


@dataclass
class Commitment:
    """One record read from a document's structure, with the provenance of a citation."""

    document_id: str
    kind: str
    text: str
    number: str | None = None
    owner: str | None = None
    due: str | None = None  # ISO yyyy-mm-dd
    due_text: str | None = None  # the document's own words for the deadline
    page: int | None = None
    section: str | None = None
    char_start: int = 0  # where the item starts in its page's text
    page_index: int = 0  # the page's ordinal in the document (pages without numbers too)
    chunk_ordinal: int | None = None  # the passage that holds the item's start
    chunk_id: int | None = None
    passage: str | None = None
    given_status: str | None = None  # a status column of the source table, as a status word
    # Filled when read back with the document and the status:
    title: str = ""
    source: str = ""
    doc_date: str | None = None
    visibility: str = "public"
    status: str = "open"
    evidence: list[Evidence] = field(default_factory=list)
    manual: StatusNote | None = None
    stored_id: str | None = None  # the id it was stored under (two identical items in a document differ)

    @property
    def key(self) -> str:
        """Return a key that stays the same when the document is ingested again unchanged in this item."""
        words = " ".join(re.findall(r"\w+", self.text.lower()))[:300]
        return hashlib.sha1(f"{self.kind}\0{self.number or ''}\0{words}".encode()).hexdigest()[:12]

    @property
    def id(self) -> str:
        """Return the record's id: its document's id and its key."""
        return self.stored_id or f"{self.document_id}~{self.key}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of `GET /api/commitments` and `kb commitments --json`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "number": self.number,
            "text": self.text,
            "owner": self.owner,
            "due": self.due,
            "due_text": self.due_text,
            "status": self.status,
            "source": {
                "document_id": self.document_id, "title": self.title, "source": self.source, "page": self.page,
                "section": self.section, "chunk_id": self.chunk_id, "date": self.doc_date,
            },
            "evidence": [e.to_dict() for e in self.evidence],
            "status_set_by_hand": None if self.manual is None else self.manual.to_dict(),
        }
