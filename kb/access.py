"""Who may see what: roles, document visibility, and an admin's visibility changes kept across re-ingests."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kb.errors import DocumentNotFound, KBError
from kb.store import Store, utc_now
from kb.types import Document
from kb.versions import link_versions

VISIBILITIES = ("public", "internal")
ROLES = ("admin", "staff", "partner")

# What each kind of viewer may read. "owner" is the one person of a server that has no users yet (single-user
# mode, loopback only); "anonymous" is a visitor who has not signed in.
_SEES = {
    "admin": VISIBILITIES,
    "staff": VISIBILITIES,
    "owner": VISIBILITIES,
    "partner": ("public",),
    "anonymous": ("public",),
}

OVERRIDES_SCHEMA = """
CREATE TABLE IF NOT EXISTS visibility_overrides (
    document_id TEXT PRIMARY KEY,
    visibility TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Viewer:
    """The person behind a request: a user with a role, the single-user owner, or an anonymous visitor."""

    role: str
    name: str | None = None

    @property
    def visibilities(self) -> tuple[str, ...]:
        """Return the visibilities of the documents this viewer may read."""
        return _SEES.get(self.role, ("public",))

    @property
    def sees_everything(self) -> bool:
        """Return True when no document is hidden from this viewer."""
        return set(self.visibilities) == set(VISIBILITIES)

    @property
    def is_admin(self) -> bool:
        """Return True for the admins (and the owner of a server with no users), who may change visibility."""
        return self.role in ("admin", "owner")

    @property
    def is_staff(self) -> bool:
        """Return True for staff and admins (and the owner of a server with no users), who keep the tracker's statuses."""
        return self.role in ("admin", "staff", "owner")

    @property
    def signed_in(self) -> bool:
        """Return True for a user who signed in (not the owner of a single-user server, not anonymous)."""
        return self.name is not None


OWNER = Viewer("owner")
ANONYMOUS = Viewer("anonymous")


def check_visibility(value: object, where: str) -> str:
    """Return the visibility if it is one of VISIBILITIES, else raise KBError naming `where`."""
    if value not in VISIBILITIES:
        raise KBError(f"{where}: visibility {value!r} is not one of {', '.join(VISIBILITIES)}")
    return str(value)


def check_role(value: object, where: str = "role") -> str:
    """Return the role if it is one of ROLES, else raise KBError naming `where`."""
    if value not in ROLES:
        raise KBError(f"{where}: role {value!r} is not one of {', '.join(ROLES)}")
    return str(value)


def _overrides(db: sqlite3.Connection) -> None:
    db.executescript(OVERRIDES_SCHEMA)


def visibility_override(store: Store, doc_id: str) -> str | None:
    """Return the visibility an admin set for a document (kept across re-ingests), or None."""
    with store.connect() as db:
        _overrides(db)
        row = db.execute("SELECT visibility FROM visibility_overrides WHERE document_id = ?", (doc_id,)).fetchone()
    return None if row is None else str(row[0])


def set_visibility(store: Store, doc_id: str, visibility: str, *, by: str) -> None:
    """Change a document's visibility now, without re-ingesting, and keep the change across re-ingests."""
    check_visibility(visibility, "set-visibility")
    with store.connect() as db:
        _overrides(db)
        if db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        db.execute("UPDATE documents SET visibility = ? WHERE id = ?", (visibility, doc_id))
        db.execute("UPDATE passage_history SET visibility = ? WHERE document_id = ?", (visibility, doc_id))
        db.execute(
            "INSERT OR REPLACE INTO visibility_overrides VALUES (?, ?, ?, ?)", (doc_id, visibility, by, utc_now())
        )
        # The generation moves on, so every server's snapshot (what each role may search) is rebuilt.
        store._bump(db)


def visible_documents(docs: list[Document], visibilities: tuple[str, ...]) -> list[Document]:
    """Return the documents of these visibilities, their versions linked among themselves only.

    A public document replaced by an internal one is not marked superseded for someone who may not see the
    newer one, and names no internal file as the one it replaces.
    """
    shown = [d for d in docs if d.visibility in visibilities]
    sources = {(d.root, d.source) for d in shown}
    for d in shown:
        d.superseded_by = None
        if d.supersedes and (d.root, d.supersedes) not in sources:
            d.supersedes = None
    link_versions(shown)
    return shown
