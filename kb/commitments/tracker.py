"""The tracker's view of the records: status from evidence, dates and hand-set notes; filters; lookups."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from kb.commitments.evidence import content_words
from kb.commitments.store import add_status, read_commitments, status_history
from kb.commitments.types import KINDS, STATUSES, Commitment, StatusNote
from kb.errors import DocumentNotFound, QueryError
from kb.store import Store, utc_now

SOON_DAYS = 30


def derive_status(record: Commitment, today: str) -> str:
    """Return a record's status: set by hand, else done or in progress by evidence or its table, else by its date.

    Overdue: the deadline has passed and nothing says it was done (evidence of progress does not stop the clock).
    """
    if record.manual is not None:
        return record.manual.status
    signals = {e.signal for e in record.evidence}
    if "done" in signals or record.given_status == "done":
        return "done"
    if record.due and record.due < today:
        return "overdue"
    if "in progress" in signals or record.given_status == "in progress":
        return "in progress"
    return "open"


@dataclass(frozen=True)
class CommitmentFilters:
    """What the tracker page, the API and the CLI narrow the list by."""

    kind: str | None = None
    owner: str | None = None
    status: str | None = None
    document_id: str | None = None
    due_before: str | None = None
    q: str | None = None
    soon: bool = False  # due in the next 30 days, or overdue

    def check(self) -> CommitmentFilters:
        """Return the filters, or raise QueryError naming the field that is not valid."""
        if self.kind and self.kind not in KINDS:
            raise QueryError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.status and self.status not in STATUSES:
            raise QueryError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")
        if self.due_before:
            try:
                dt.date.fromisoformat(self.due_before)
            except ValueError:
                raise QueryError(f"due_before {self.due_before!r} is not a date (yyyy-mm-dd)") from None
        return self


def _matches(record: Commitment, f: CommitmentFilters, today: str) -> bool:
    if f.kind and record.kind != f.kind:
        return False
    if f.owner and f.owner.lower() not in (record.owner or "").lower():
        return False
    if f.status and record.status != f.status:
        return False
    if f.document_id and record.document_id != f.document_id:
        return False
    if f.due_before and not (record.due and record.due <= f.due_before):
        return False
    if f.soon:
        horizon = (dt.date.fromisoformat(today) + dt.timedelta(days=SOON_DAYS)).isoformat()
        if not (record.status == "overdue" or (record.status != "done" and record.due and today <= record.due <= horizon)):
            return False
    if f.q:
        haystack = " ".join(filter(None, (record.text, record.owner, record.section, record.title, record.number)))
        words = re.findall(r"[^\W_]+", f.q.lower())
        if not all(w in haystack.lower() for w in words):
            return False
    return True


def list_commitments(store: Store, filters: CommitmentFilters | None = None, *, today: str | None = None,
                     visible: Sequence[str] | None = None) -> list[Commitment]:
    """Return the records that pass the filters, each with its status, soonest deadline first.

    `visible` lists the document visibilities the asker may see (None: all): only records of those documents, and
    only evidence from them, are given; a status is read from that evidence (a hidden document saying "done" is
    not told by the status either).
    """
    f = (filters or CommitmentFilters()).check()
    today = today or dt.date.today().isoformat()
    with store.connect() as db:
        records = read_commitments(db)
        shown = _visible_ids(db, visible)
    out = []
    for record in records:
        if shown is not None and record.document_id not in shown:
            continue
        if shown is not None:
            record.evidence = [e for e in record.evidence if e.document_id in shown]
        record.status = derive_status(record, today)
        if _matches(record, f, today):
            out.append(record)
    # Soonest deadline first; records without one after, in their documents' order.
    return sorted(out, key=lambda r: r.due or "9999")


class CommitmentNotFound(DocumentNotFound):
    """No commitment with that id, or none the asker may see (the two are told apart by no one)."""


def _visible_ids(db: sqlite3.Connection, visible: Sequence[str] | None) -> set[str] | None:
    """Return the ids of the documents of these visibilities (None: every document, no filtering)."""
    if visible is None:
        return None
    return {row[0] for row in db.execute("SELECT id, visibility FROM documents") if row[1] in visible}


def find_commitment(store: Store, commitment_id: str, visible: Sequence[str] | None = None) -> Commitment:
    """Return one record with its visible evidence, or raise CommitmentNotFound (hidden ones too)."""
    found = next((r for r in list_commitments(store, visible=visible) if r.id == commitment_id), None)
    if found is None:
        raise CommitmentNotFound(f"no commitment with id {commitment_id!r}")
    return found


def owners(records: Sequence[Commitment]) -> list[str]:
    """Return the owners the records name, for the filter's choices."""
    return sorted({r.owner for r in records if r.owner}, key=str.lower)


def set_status(store: Store, commitment_id: str, status: str, *, note: str, by: str) -> StatusNote:
    """Record a status set by hand on one record, with who and why; return it."""
    if status not in STATUSES:
        raise QueryError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if not by.strip():
        raise QueryError("say who sets the status (--by)")
    with store.connect() as db:
        if db.execute("SELECT 1 FROM commitments WHERE id = ?", (commitment_id,)).fetchone() is None:
            raise CommitmentNotFound(f"no commitment with id {commitment_id!r}")
        entry = StatusNote(status=status, note=note.strip(), by=by.strip(), at=utc_now())
        add_status(db, commitment_id, entry)
    return entry


def commitment_history(store: Store, commitment_id: str, visible: Sequence[str] | None = None) -> list[StatusNote]:
    """Return the statuses set by hand on one record, oldest first; CommitmentNotFound for one not there or hidden."""
    find_commitment(store, commitment_id, visible)
    return history(store, commitment_id)


def history(store: Store, commitment_id: str) -> list[StatusNote]:
    """Return the statuses set by hand on one record, oldest first."""
    with store.connect() as db:
        return status_history(db, commitment_id)


def commitment_for_passage(store: Store, chunk_id: int, text: str | None = None, *,
                           visible: Sequence[str] | None = None) -> Commitment | None:
    """Return the record whose item a cited passage (or a unit of it) holds, for answers about a commitment.

    With `text` (the unit an answer quotes), the record of the passage's document that shares most of its words
    with it (70 % of the shorter one's content words); without, the first record that starts in the passage.
    """
    with store.connect() as db:
        row = db.execute("SELECT document_id FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        if row is None:
            return None
        records = read_commitments(db, row[0])  # on an answer's path: the cited document's records only
        shown = _visible_ids(db, visible)
    if shown is not None:
        records = [r for r in records if r.document_id in shown]
    today = dt.date.today().isoformat()
    for r in records:
        if shown is not None:
            r.evidence = [e for e in r.evidence if e.document_id in shown]
        r.status = derive_status(r, today)
    if text is None:
        return next((r for r in records if r.chunk_id == chunk_id), None)
    unit = content_words(text)

    def shared(r: Commitment) -> float:
        words = content_words(r.text)
        return len(unit & words) / max(1, min(len(words), len(unit)))

    # The unit quotes the item (or the item is a part of the unit): most of the shorter one's words are in the other.
    best = max(records, key=shared, default=None)
    return best if best is not None and shared(best) >= 0.7 else None
