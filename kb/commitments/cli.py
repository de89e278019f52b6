"""`kb commitments`, `kb commitment-status` and `kb eval commitments`: CLI wiring of the tracker."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from kb.commitments.types import KINDS, STATUSES, Commitment


def add_commitments_parsers(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add `kb commitments` and `kb commitment-status` to the `kb` command."""
    p = subparsers.add_parser("commitments", parents=[common],
                              help="list recommendations, decisions, actions and targets with owner, deadline, status")
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--owner", help="only records whose owner contains these words")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--due-before", help="only records due on or before this date (yyyy-mm-dd)")
    p.add_argument("--document", help="only records of this document id")
    p.add_argument("--soon", action="store_true", help="only records due in the next 30 days, or overdue")
    p.add_argument("-q", "--query", help="only records whose words include these")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_commitments)

    s = subparsers.add_parser("commitment-status", parents=[common], help="set a commitment's status by hand")
    s.add_argument("id", help="the record's id (kb commitments --json shows it)")
    s.add_argument("status", choices=STATUSES)
    s.add_argument("--note", default="", help="why: what shows it")
    s.add_argument("--by", default=None, help="who sets it (default: the local user)")
    s.set_defaults(func=cmd_commitment_status)


def add_eval_commitments_parser(eval_sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `kb eval commitments LABELS --corpus DIR`."""
    e = eval_sub.add_parser("commitments", parents=[common],
                            help="precision, recall, owners and deadlines of the extracted commitments")
    e.add_argument("labels", type=Path, help="labels YAML (see tests/data/commitments.yaml)")
    e.add_argument("--corpus", type=Path, help="folder of the labelled documents (default: KB_CORPUS_DIR)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_eval_commitments)


def _line(r: Commitment) -> str:
    number = f"{r.number} " if r.number else ""
    due = r.due or (f"({r.due_text})" if r.due_text else "no deadline")
    where = f"p. {r.page}" if r.page else (r.section or "")
    return (f"{r.status:11}  {due:12}  {r.kind:14}  {number}{' '.join(r.text.split())[:110]}\n"
            f"{'':13}owner: {r.owner or '—'} · {r.title} {where} [{r.source}]")


def cmd_commitments(args: argparse.Namespace) -> int:
    """Print the commitments that pass the filters."""
    from kb.cli import _settings
    from kb.commitments.tracker import CommitmentFilters, list_commitments
    from kb.store import Store

    filters = CommitmentFilters(kind=args.kind, owner=args.owner, status=args.status, document_id=args.document,
                                due_before=args.due_before, q=args.query, soon=args.soon)
    records = list_commitments(Store(_settings(args).data_dir), filters)
    if args.json:
        print(json.dumps({"commitments": [r.to_dict() for r in records]}, ensure_ascii=False, indent=2))
        return 0
    for r in records:
        print(_line(r))
    print(f"{len(records)} commitment{'s' if len(records) != 1 else ''}")
    return 0


def cmd_commitment_status(args: argparse.Namespace) -> int:
    """Set a record's status by hand, with a note and who set it."""
    from kb.cli import _settings
    from kb.commitments.tracker import set_status
    from kb.store import Store

    entry = set_status(Store(_settings(args).data_dir), args.id, args.status, note=args.note,
                       by=args.by or getpass.getuser())
    print(f"{args.id}: {entry.status} (set by {entry.by} at {entry.at}){' — ' + entry.note if entry.note else ''}")
    return 0


def extract_folder(folder: Path, settings: Any) -> list[Commitment]:
    """Return the records the extractor reads from every file of a folder, as ingest would (no index built)."""
    from ingest.commitments import extract_commitments
    from ingest.discover import discover_files, read_manifest
    from ingest.metadata import infer_metadata
    from ingest.parse.worker import parse_isolated
    from kb.errors import ParseError

    manifest = read_manifest(folder)
    records: list[Commitment] = []
    for source in discover_files(folder, manifest):
        entry = manifest.entries.get(source)
        try:
            parsed = parse_isolated(folder / source, source=source, password=entry.password if entry else None,
                                    ocr=settings.ocr, ocr_languages=settings.ocr_languages,
                                    timeout_s=settings.parse_timeout_s, memory_mb=settings.parse_memory_mb)
        except ParseError as exc:
            print(f"kb eval commitments: {source} not read: {exc.reason}", file=sys.stderr)
            continue
        date = (entry.date if entry else None) or infer_metadata(parsed, source=source).date
        for record in extract_commitments(parsed.pages, reference=date):
            record.source = source
            records.append(record)
    return records


def cmd_eval_commitments(args: argparse.Namespace) -> int:
    """Print precision, recall and the owners and deadlines right, for a labels file over a folder."""
    from kb.cli import _settings
    from kb.commitments.evaluate import format_score, load_labels, score

    settings = _settings(args)
    folder = args.corpus or settings.corpus_dir
    if not Path(folder).is_dir():
        print(f"kb eval commitments: error: no such folder: {folder}", file=sys.stderr)
        return 2
    labels = load_labels(args.labels)
    result = score(labels, extract_folder(Path(folder), settings))
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if args.json else format_score(result))
    return 0
