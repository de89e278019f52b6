"""`kb users`, `kb tokens` and `kb documents set-visibility`: who may sign in, and what each document shows to whom."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from kb.errors import KBError

EXIT_OK = 0


def _stores(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kb.config import Settings
    from kb.store import Store
    from kb.users import UserStore

    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    store = Store(Settings(**overrides).data_dir)
    return store, UserStore(store)


def read_password(args: argparse.Namespace) -> str:
    """Return the password from standard input (`--password-stdin`) or from a prompt typed twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise KBError("no terminal to ask the password on: pass it with --password-stdin")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise KBError("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    """Add, list, remove users or change their role or password."""
    _, users = _stores(args)
    if args.users_command == "add":
        user = users.add(args.name, args.role, read_password(args))
        print(f"added {user.name} ({user.role})")
    elif args.users_command == "remove":
        users.remove(args.name)
        print(f"removed {args.name} with their API tokens, sessions and saved answers"
              + ("" if users.count() else "; no user is left: the server is single-user again"))
    elif args.users_command == "set-role":
        users.set_role(args.name, args.role)
        print(f"{args.name} is now {args.role}")
    elif args.users_command == "set-password":
        users.set_password(args.name, read_password(args))
        print(f"changed the password of {args.name}; their sessions are ended")
    else:
        listed = users.users()
        if args.json:
            print(json.dumps({"users": [{"name": u.name, "role": u.role, "created_at": u.created_at} for u in listed]}))
        for u in [] if args.json else listed:
            print(f"{u.name:24} {u.role:8} {u.created_at}")
        if not listed and not args.json:
            print("no users: the server runs in single-user mode (loopback only). Add the first admin with\n"
                  "  kb users add NAME --role admin")
    return EXIT_OK


def cmd_tokens(args: argparse.Namespace) -> int:
    """Create, list or revoke API tokens."""
    _, users = _stores(args)
    if args.tokens_command == "create":
        token_id, token = users.create_token(args.name, args.label or "")
        print(f"token {token_id} for {args.name} (shown once; send it as 'Authorization: Bearer <token>'):",
              file=sys.stderr)
        print(token)
    elif args.tokens_command == "revoke":
        users.revoke_token(args.id)
        print(f"revoked token {args.id}")
    else:
        for t in users.tokens(args.name):
            print(f"{t.id:5}  {t.user:20} {t.label or '-':20} created {t.created_at}  last used {t.last_used or 'never'}")
    return EXIT_OK


def cmd_set_visibility(args: argparse.Namespace) -> int:
    """Change a document's visibility without re-ingesting it."""
    from kb.access import set_visibility

    store, _ = _stores(args)
    set_visibility(store, args.id, args.visibility, by="command line")
    doc = store.document(args.id)
    print(f"{doc.title} [{doc.source}] is now {doc.visibility}")
    return EXIT_OK


def add_access_parsers(sub: Any, common: argparse.ArgumentParser, documents: argparse.ArgumentParser) -> None:
    """Add `kb users`, `kb tokens` and `kb documents set-visibility` to the command line."""
    from kb.access import ROLES, VISIBILITIES

    # A sub-command's own --data-dir must not reset one given before it ("kb users --data-dir D add ...").
    leaf = argparse.ArgumentParser(add_help=False)
    leaf.add_argument("--data-dir", default=argparse.SUPPRESS, help="data directory (default: KB_DATA_DIR or ./data)")
    users = sub.add_parser("users", parents=[common], help="add, list and remove users (admin, staff, partner)")
    users.set_defaults(func=cmd_users, users_command="list", json=False)
    actions = users.add_subparsers(dest="users_command")
    p = actions.add_parser("add", parents=[leaf], help="add a user; the password is asked for (or read from stdin)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = actions.add_parser("list", parents=[leaf], help="list the users")
    p.add_argument("--json", action="store_true")
    p = actions.add_parser("remove", parents=[leaf], help="remove a user with their tokens and sessions")
    p.add_argument("name")
    p = actions.add_parser("set-role", parents=[leaf], help="change a user's role")
    p.add_argument("name")
    p.add_argument("role", choices=ROLES)
    p = actions.add_parser("set-password", parents=[leaf], help="change a user's password (ends their sessions)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")

    tokens = sub.add_parser("tokens", parents=[common], help="API tokens: create (printed once), list, revoke")
    tokens.set_defaults(func=cmd_tokens, tokens_command="list", name=None)
    actions = tokens.add_subparsers(dest="tokens_command")
    p = actions.add_parser("create", parents=[leaf], help="create a token for a user and print it once")
    p.add_argument("name", help="the user the token acts as")
    p.add_argument("--label", help="what the token is for")
    p = actions.add_parser("list", parents=[leaf], help="list tokens (never the tokens themselves)")
    p.add_argument("name", nargs="?")
    p = actions.add_parser("revoke", parents=[leaf], help="revoke a token by its id")
    p.add_argument("id", type=int)

    actions = documents.add_subparsers(dest="documents_command")
    p = actions.add_parser("set-visibility", parents=[leaf], help="make a document public or internal, at once")
    p.add_argument("id", help="the document's id (kb documents --json)")
    p.add_argument("visibility", choices=VISIBILITIES)
    p.set_defaults(func=cmd_set_visibility)
