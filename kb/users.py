"""Users, their API tokens and their sign-in sessions, in the library's database; passwords hashed with argon2."""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kb.access import ROLES, check_role
from kb.errors import KBError
from kb.saved_answers import forget_user_lists
from kb.store import Store, utc_now

USERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE ON UPDATE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE ON UPDATE CASCADE,
    csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
MIN_PASSWORD = 8
TOKEN_PREFIX = "kb_"


@dataclass(frozen=True)
class User:
    """A person who may sign in, with the role that decides what they see."""

    name: str
    role: str
    created_at: str = ""


@dataclass(frozen=True)
class Token:
    """An API token as listed: never the token itself, which is shown once and stored hashed."""

    id: int
    user: str
    label: str
    created_at: str
    last_used: str | None


def _digest(secret: str) -> str:
    # Tokens and session ids are 256 random bits: a fast hash is enough, argon2 is for guessable passwords.
    return hashlib.sha256(secret.encode()).hexdigest()


class UserStore:
    """Adds, checks and removes users, tokens and sessions in a library's SQLite database."""

    def __init__(self, store: Store) -> None:
        from argon2 import PasswordHasher

        self.store = store
        self._hasher = PasswordHasher()
        # A hash to check against when the user does not exist, so a wrong name costs as long as a wrong password.
        self._dummy = self._hasher.hash(secrets.token_hex(16))
        with store.connect() as db:
            db.executescript(USERS_SCHEMA)

    def _db(self):  # type: ignore[no-untyped-def]
        return self.store.connect()

    # -- users ---------------------------------------------------------------------------
    def count(self) -> int:
        """Return how many users exist (none: the server runs in single-user mode)."""
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])

    def users(self) -> list[User]:
        """Return every user, by name."""
        with self._db() as db:
            rows = db.execute("SELECT name, role, created_at FROM users ORDER BY name").fetchall()
        return [User(r[0], r[1], r[2]) for r in rows]

    def user(self, name: str) -> User | None:
        """Return one user, or None."""
        with self._db() as db:
            r = db.execute("SELECT name, role, created_at FROM users WHERE name = ?", (name,)).fetchone()
        return None if r is None else User(r[0], r[1], r[2])

    def add(self, name: str, role: str, password: str) -> User:
        """Add a user; raise KBError when the name is taken or invalid, the role unknown or the password short."""
        if not USER_NAME.fullmatch(name or ""):
            raise KBError(f"user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
        check_role(role, f"user {name}")
        self._check_password(password)
        try:
            with self._db() as db:
                db.execute("INSERT INTO users VALUES (?, ?, ?, ?)", (name, role, self._hasher.hash(password), utc_now()))
        except sqlite3.IntegrityError as exc:
            raise KBError(f"user {name!r} already exists") from exc
        return User(name, role)

    def set_password(self, name: str, password: str) -> None:
        """Change a user's password and end their sessions."""
        self._check_password(password)
        with self._db() as db:
            if db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name)).rowcount == 0:
                raise KBError(f"no user named {name!r}")
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def set_role(self, name: str, role: str) -> None:
        """Change a user's role; the last admin cannot be demoted. Their sessions see the new role at once."""
        check_role(role, f"user {name}")
        with self._db() as db:
            current = db.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if current is None:
                raise KBError(f"no user named {name!r}")
            if current[0] == "admin" and role != "admin" and self._admins(db) == 1:
                raise KBError(f"{name!r} is the last admin; make another user admin first")
            db.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))

    def remove(self, name: str) -> None:
        """Remove a user with their tokens, sessions and saved answers, in one transaction; the last admin goes only
        with the last user.

        The saved answers go too: a new user given the same name later must not find the old one's list.
        """
        with self._db() as db:
            current = db.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if current is None:
                raise KBError(f"no user named {name!r}")
            others = int(db.execute("SELECT COUNT(*) FROM users WHERE name != ?", (name,)).fetchone()[0])
            if current[0] == "admin" and self._admins(db) == 1 and others:
                raise KBError(f"{name!r} is the last admin and other users remain; make another user admin first")
            forget_user_lists(db, name)
            # The foreign keys cascade these too; deleted here so it does not depend on the connection's pragma.
            db.execute("DELETE FROM api_tokens WHERE user = ?", (name,))
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
            db.execute("DELETE FROM users WHERE name = ?", (name,))

    def verify(self, name: str, password: str) -> User | None:
        """Return the user when the password is theirs, else None (in about the same time either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        with self._db() as db:
            r = db.execute("SELECT name, role, password_hash, created_at FROM users WHERE name = ?", (name,)).fetchone()
        try:
            self._hasher.verify(r[2] if r else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if r is None:
            return None
        if self._hasher.check_needs_rehash(r[2]):
            with self._db() as db:
                db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name))
        return User(r[0], r[1], r[3])

    @staticmethod
    def _admins(db: sqlite3.Connection) -> int:
        return int(db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0])

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise KBError(f"the password is too short: use at least {MIN_PASSWORD} characters")

    # -- API tokens ----------------------------------------------------------------------
    def create_token(self, name: str, label: str = "") -> tuple[int, str]:
        """Return (id, token) of a new API token for a user; the token is not kept, only its hash."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
                raise KBError(f"no user named {name!r}")
            cur = db.execute(
                "INSERT INTO api_tokens (user, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
                (name, _digest(token), label, utc_now()),
            )
        return int(cur.lastrowid or 0), token

    def tokens(self, name: str | None = None) -> list[Token]:
        """Return the API tokens (of one user, or all), without the tokens themselves."""
        where, params = ("WHERE user = ?", (name,)) if name else ("", ())
        with self._db() as db:
            rows = db.execute(f"SELECT id, user, label, created_at, last_used FROM api_tokens {where} ORDER BY id", params)
            return [Token(*r) for r in rows.fetchall()]

    def revoke_token(self, token_id: int) -> None:
        """Delete an API token; raise KBError when there is none with that id."""
        with self._db() as db:
            if db.execute("DELETE FROM api_tokens WHERE id = ?", (token_id,)).rowcount == 0:
                raise KBError(f"no API token with id {token_id}")

    def token_user(self, token: str) -> User | None:
        """Return the user an API token belongs to, or None for an unknown or revoked token."""
        with self._db() as db:
            r = db.execute(
                "SELECT u.name, u.role, u.created_at, t.id, t.last_used FROM api_tokens t JOIN users u ON u.name = t.user "
                "WHERE t.token_hash = ?",
                (_digest(token),),
            ).fetchone()
            if r is None:
                return None
            now = utc_now()
            # Written at most once a minute: a request is a read, and a write on each would queue behind an ingest.
            if r[4] is None or r[4][:16] != now[:16]:
                db.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (now, r[3]))
        return User(r[0], r[1], r[2])

    # -- sessions ------------------------------------------------------------------------
    def start_session(self, name: str, hours: float) -> tuple[str, str]:
        """Return (session id, CSRF token) of a new sign-in that lasts `hours`."""
        session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (utc_now(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(session), name, csrf, expires))
        return session, csrf

    def session(self, session: str) -> tuple[User, str] | None:
        """Return (user, CSRF token) of a live session, or None when it is unknown, ended or expired."""
        with self._db() as db:
            r = db.execute(
                "SELECT u.name, u.role, u.created_at, s.csrf FROM sessions s JOIN users u ON u.name = s.user "
                "WHERE s.id_hash = ? AND s.expires_at > ?",
                (_digest(session), utc_now()),
            ).fetchone()
        return None if r is None else (User(r[0], r[1], r[2]), r[3])

    def end_session(self, session: str) -> None:
        """Forget a session (sign out)."""
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_digest(session),))


__all__ = ["ROLES", "Token", "User", "UserStore"]
