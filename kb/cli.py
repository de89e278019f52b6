"""The `kb` command: the one composition root wiring ingest/, kb/ and web/ together."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from kb.errors import KBError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kb.config import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)


def _kb(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kb.knowledge_base import KnowledgeBase

    return KnowledgeBase(_settings(args))


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from kb.types import Filters

    return Filters(
        doc_types=tuple(args.type or ()),
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
        languages=tuple(code.lower() for code in getattr(args, "language", None) or ()),
    )


def _visible(args: argparse.Namespace) -> tuple[str, ...] | None:
    """Return what `--as ROLE` may see (None: everything, the command line's own view)."""
    from kb.access import Viewer

    return Viewer(args.as_role).visibilities if args.as_role else None


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest folders or files and print the summary."""
    from ingest.pipeline import ingest_paths
    from kb.knowledge_base import load_embedders

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"kb ingest: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.wait is not None and args.wait < 0:
        print(f"kb ingest: error: --wait {args.wait:g}: give a number of seconds, 0 or more", file=sys.stderr)
        return EXIT_USAGE
    embedder, multilingual = load_embedders(settings)
    wait = settings.ingest_wait_s if args.wait is None else args.wait

    def say_waiting(holder: Any) -> None:
        who = f" ({holder.describe()})" if holder else ""
        print(f"kb ingest: another ingest is writing {settings.data_dir}{who}; waiting up to {wait:g} s for it to "
              "finish…", file=sys.stderr, flush=True)

    report = ingest_paths(
        paths, settings=settings, embedder=embedder, multilingual=multilingual,
        progress=not args.json and sys.stderr.isatty(), visibility=args.visibility,
        lock_wait_s=wait, on_lock_wait=say_waiting,
    )
    if args.json:
        # A file name that is not UTF-8 keeps its bytes as \udcXX escapes: valid JSON, and os.fsencode gives the name back.
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        print(re.sub("[\udc80-\udcff]", lambda m: f"\\u{ord(m.group()):04x}", text))
    else:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        print(
            f"added {len(report.added)} · updated {len(report.updated)} · unchanged {len(report.unchanged)} · "
            f"removed {len(report.removed)} · failed {len(report.failed)} · skipped {len(report.skipped)}  "
            f"({report.chunks_embedded} chunks embedded in {report.seconds:.1f} s)"
        )
        for item in report.failed:
            print(f"  failed  {item['source']}: {item['reason']}")
        for item in report.warnings:
            print(f"  warning {item['source']}: {item['warning']}")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove the documents ingested from files or folders (they need not exist any more) and print the summary."""
    from ingest.remove import remove_paths
    from kb.knowledge_base import load_embedders

    if args.wait is not None and args.wait < 0:
        print(f"kb remove: error: --wait {args.wait:g}: give a number of seconds, 0 or more", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(args)
    embedder, multilingual = load_embedders(settings)
    report = remove_paths(
        [Path(p) for p in args.paths], settings=settings, embedder=embedder, multilingual=multilingual,
        lock_wait_s=args.wait,
    )
    if args.json:
        print(json.dumps({"removed": report.removed, "failed": report.failed}, ensure_ascii=False, indent=2))
    else:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        print(f"removed {len(report.removed)} document{'s' * (len(report.removed) != 1)}")
        for source in report.removed:
            print(f"  removed {source}")
        for item in report.failed:
            print(f"  failed  {item['source']}: {item['reason']}")
    return EXIT_OK if report.ok else EXIT_FAILED


def tracked_line(record: dict[str, Any]) -> str:
    """Return one line on a quoted item the tracker holds: its owner, deadline and status."""
    name = f" {record['number']}" if record.get("number") else ""
    due = record.get("due_text") or record.get("due") or "no deadline"
    done = f" ({record['done_in']['title']}, {record['done_in']['date']})" if record.get("done_in") else ""
    return (f"tracked {record['kind']}{name}: owner {record.get('owner') or 'not named'}; due {due}; "
            f"status {record['status']}{done}")


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer a question with citations."""
    answer = _kb(args).ask(args.question, top_k=args.top_k, filters=_filters(args), visible=_visible(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(answer.answer)
    for cit in answer.citations:
        if (record := cit.commitment) is not None:
            print(f"[{cit.n}] {tracked_line(record)}")
    print()
    for cit in answer.citations or answer.related:
        hit = cit.hit
        where = f"p. {hit.chunk.page}" if hit.chunk.page else (hit.chunk.section or "")
        label = "" if answer.citations else "related "
        print(f"{label}[{cit.n}] {hit.document.title} ({hit.document.doc_type}) {where}".rstrip())
        section = " › ".join(s for s in (hit.chunk.parent, hit.chunk.section) if s) if hit.chunk.section else ""
        print(f"    {hit.document.source}" + (f" · {section}" if section else ""))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Print the best passages for a query."""
    hits = _kb(args).search(args.query, k=args.k, filters=_filters(args), visible=_visible(args))
    if args.json:
        print(json.dumps({"query": args.query, "results": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    for rank, hit in enumerate(hits, 1):
        page = f" p. {hit.chunk.page}" if hit.chunk.page else ""
        print(f"{rank:2d}. {hit.score:.3f}  {hit.document.title}{page} — {hit.chunk.section or ''}")
        print(f"     {' '.join(hit.chunk.text.split())[:160]}")
    return EXIT_OK


def cmd_documents(args: argparse.Namespace) -> int:
    """List the library's documents (no model is loaded to list them)."""
    from kb.store import Store

    docs = Store(_settings(args).data_dir).documents()
    if args.json:
        print(json.dumps({"documents": [d.to_dict() for d in docs]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    for d in docs:
        when = d.date or "----------"
        # Where the file was ingested from, whole: what `kb remove` takes, and what tells two copies apart.
        where = Path(d.root) / d.source if d.root else d.source
        print(f"{when:10}  {d.doc_type:9}  {d.visibility:8}  {d.pages:3}p {d.chunks:4}c  {d.title}  [{where}]")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web app and API with uvicorn."""
    import uvicorn

    from kb.store import Store
    from kb.users import UserStore
    from web.app import create_app
    from web.security import is_loopback

    settings = _settings(args)
    host = args.host or settings.host
    port = args.port or settings.port
    if not is_loopback(host) and not UserStore(Store(settings.data_dir)).count():
        print(
            f"kb serve: error: no users exist, so everything is visible to whoever connects: a server with no users "
            f"listens on the loopback address only, not on {host}.\nAdd the first admin, then serve again:\n"
            f"  kb users add NAME --role admin" + (f" --data-dir {args.data_dir}" if args.data_dir else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = settings.model_copy(update={"host": host, "port": port})
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every sub-command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (default: KB_DATA_DIR or ./data)")
    parser = argparse.ArgumentParser(prog="kb", description="NSPS Knowledge Base: ask the policy library.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="ingest folders or files (default: the corpus folder)")
    p.add_argument("paths", nargs="*")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--visibility", choices=("public", "internal"),
                   help="for files the manifest gives no visibility (default: KB_DEFAULT_VISIBILITY, internal)")
    p.add_argument("--wait", type=float, metavar="SECONDS",
                   help="how long to wait for another ingest of the data directory to end (default: KB_INGEST_WAIT_S, 600)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("remove", parents=[common],
                       help="take out the documents ingested from files or folders (moved or deleted ones too)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="print what was removed as JSON")
    p.add_argument("--wait", type=float, metavar="SECONDS",
                   help="how long to wait for an ingest of the data directory to end (default: KB_INGEST_WAIT_S, 600)")
    p.set_defaults(func=cmd_remove)

    def add_filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--type", action="append", help="only this document type (repeatable)")
        p.add_argument("--date-from", help="only documents dated on or after (YYYY[-MM[-DD]])")
        p.add_argument("--date-to", help="only documents dated on or before (YYYY[-MM[-DD]])")
        p.add_argument("--language", action="append", help="only documents in this language, e.g. lo (repeatable)")
        p.add_argument("--as", dest="as_role", choices=("admin", "staff", "partner", "anonymous"),
                       help="see only what this role may see (partner, anonymous: public documents only)")

    p = sub.add_parser("ask", parents=[common], help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("--top-k", type=int, default=None)
    add_filters(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", parents=[common], help="list the best passages for a query")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--k", type=int, default=10)
    add_filters(p)
    p.set_defaults(func=cmd_search)

    documents = sub.add_parser("documents", parents=[common], help="list the documents in the library")
    documents.add_argument("--json", action="store_true")
    documents.set_defaults(func=cmd_documents)

    p = sub.add_parser("serve", parents=[common], help="serve the web app")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)

    from kb.access_cli import add_access_parsers

    add_access_parsers(sub, common, documents)
    try:
        from kb.evaluate_cli import add_eval_parser
    except ImportError:
        pass
    else:
        add_eval_parser(sub, common)
    from kb.commitments.cli import add_commitments_parsers

    add_commitments_parsers(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from kb.types import DOC_TYPES, LANGUAGE_CODE

    for t in getattr(args, "type", None) or ():
        if t not in DOC_TYPES:
            parser.error(f"--type {t!r} is not one of {', '.join(DOC_TYPES)}")
    for code in getattr(args, "language", None) or ():
        if not LANGUAGE_CODE.fullmatch(code.lower()):
            parser.error(f"--language {code!r} is not a language code; use a code such as en or lo")
    try:
        return int(args.func(args))
    except KBError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader of our output went away (`kb documents | head`): stop quietly, as other command-line tools do.
        # What is still buffered would fail again at exit, so standard output goes to nowhere from here on.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # no file descriptor to redirect (output captured in-process)
            pass
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
