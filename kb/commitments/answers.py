"""Answers about a commitment carry its tracked record: the item's owner, deadline and status beside the quote.

An official asking "what did we promise on X, by when, and has it been done?" gets the quoted item from the
reader; the tracker knows the rest (its status from later documents, a status set by hand). Each quoted citation
whose quote is a tracked item gets the record's summary; nothing else of the answer changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from kb.commitments.tracker import commitment_for_passage
from kb.commitments.types import Commitment
from kb.store import Store
from kb.types import Answer


def summary(record: Commitment) -> dict[str, Any]:
    """Return what an answer shows of a record, with the tracker's page filtered to it."""
    done = next((e for e in record.evidence if e.signal == "done"), None)
    query = {"document": record.document_id, "q": record.number or " ".join(record.text.split()[:8])}
    return {
        "id": record.id, "kind": record.kind, "number": record.number, "owner": record.owner, "due": record.due,
        "due_text": record.due_text, "status": record.status,
        "status_by_hand": record.manual is not None,
        "done_in": {"document_id": done.document_id, "title": done.title, "date": done.date} if done else None,
        "url": "/commitments?" + urlencode(query),
    }


def attach_commitments(store: Store, answer: Answer, *, visible: Sequence[str] | None = None) -> Answer:
    """Give each quoted citation of the answer the record its quote belongs to, when it is a tracked item.

    `visible`: the visibilities the asker may see; the record's status and "done in" come from those documents only.
    """
    if answer.abstained:
        return answer
    for citation in answer.citations:
        chunk = citation.hit.chunk
        if not citation.highlights or chunk.id is None:
            continue
        quoted = " ".join(chunk.text[start:end] for start, end in citation.highlights)
        record = commitment_for_passage(store, chunk.id, quoted, visible=visible)
        if record is not None:
            citation.commitment = summary(record)
    return answer
