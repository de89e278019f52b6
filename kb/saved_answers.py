"""Answers saved for a briefing: each reader's list of questions (with the filters they were asked under).

A saved answer is its question and filters, not its text: the briefing answers them again when it is exported, from
what the reader may see then, so it never carries a passage the reader may no longer read (a role changed, a document
was made internal) and it quotes the library as it is. The list belongs to an owner key the web layer chooses: a
signed-in user's name (kept across sessions) or a browser's session (anonymous and single-user readers).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kb.errors import QueryError
from kb.store import Store, utc_now

SAVED_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_answers (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    question TEXT NOT NULL,
    doc_type TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',
    saved_at TEXT NOT NULL,
    UNIQUE (owner, question, doc_type, lang)
);
CREATE INDEX IF NOT EXISTS saved_answers_owner ON saved_answers(owner, id);
"""
MAX_SAVED = 50
MAX_QUESTION = 1000
# A browser's list is forgotten a while after its session could have ended; a user's is kept (until the user is removed).
BROWSER_PREFIX = "browser:"
USER_PREFIX = "user:"
BROWSER_KEEP = timedelta(days=30)


def user_owner(name: str) -> str:
    """Return the owner key of a signed-in user's list."""
    return USER_PREFIX + name


def forget_user_lists(db: sqlite3.Connection, name: str) -> int:
    """Delete a user's saved answers inside the caller's transaction (removing the user); return how many."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'saved_answers'").fetchone() is None:
        return 0  # no list was ever saved in this library
    return db.execute("DELETE FROM saved_answers WHERE owner = ?", (user_owner(name),)).rowcount


class SavedAnswerError(QueryError):
    """A save that cannot be kept: an empty or overlong question, or a full list."""


@dataclass(frozen=True)
class SavedAnswer:
    """A question saved for the briefing, with the filters it was asked under."""

    id: int
    question: str
    doc_type: str
    lang: str
    saved_at: str


class SavedAnswers:
    """Each owner's saved questions, in the library's SQLite database, oldest first."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.connect() as db:
            db.executescript(SAVED_SCHEMA)

    def list(self, owner: str) -> list[SavedAnswer]:
        """Return the owner's saved answers in the order they were saved."""
        with self.store.connect() as db:
            rows = db.execute("SELECT id, question, doc_type, lang, saved_at FROM saved_answers WHERE owner = ? "
                              "ORDER BY id", (owner,)).fetchall()
        return [SavedAnswer(r["id"], r["question"], r["doc_type"], r["lang"], r["saved_at"]) for r in rows]

    def save(self, owner: str, question: str, doc_type: str = "", lang: str = "") -> bool:
        """Add a question to the owner's list; return False when it was there already (under the same filters)."""
        question = " ".join(question.split())
        if not question:
            raise SavedAnswerError("question: empty; there is nothing to save")
        if len(question) > MAX_QUESTION:
            raise SavedAnswerError(f"question: {len(question)} characters, more than the {MAX_QUESTION} a saved one may have")
        with self.store.connect() as db:
            self._forget_old_browsers(db)
            count = db.execute("SELECT COUNT(*) FROM saved_answers WHERE owner = ?", (owner,)).fetchone()[0]
            if count >= MAX_SAVED:
                raise SavedAnswerError(f"the briefing holds {MAX_SAVED} answers already; remove one to save another")
            cursor = db.execute(
                "INSERT OR IGNORE INTO saved_answers (owner, question, doc_type, lang, saved_at) VALUES (?, ?, ?, ?, ?)",
                (owner, question, doc_type, lang, utc_now()),
            )
            return cursor.rowcount == 1

    def remove(self, owner: str, saved_id: int) -> bool:
        """Remove one of the owner's saved answers; return False when the owner has none with that id."""
        with self.store.connect() as db:
            cursor = db.execute("DELETE FROM saved_answers WHERE owner = ? AND id = ?", (owner, saved_id))
            return cursor.rowcount == 1

    def _forget_old_browsers(self, db) -> None:  # type: ignore[no-untyped-def]
        cutoff = (datetime.now(UTC) - BROWSER_KEEP).isoformat(timespec="seconds")
        db.execute("DELETE FROM saved_answers WHERE owner LIKE ? AND saved_at < ?", (BROWSER_PREFIX + "%", cutoff))
