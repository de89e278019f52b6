"""The tracker's exports: a CSV of the records and a DOCX briefing that lists them with their sources."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from kb.commitments.types import Commitment

CSV_COLUMNS = ("id", "kind", "number", "text", "owner", "due", "due_text", "status", "document", "source", "page",
               "section", "evidence")


def where(record: Commitment) -> str:
    """Return a record's source as a citation names it: title, page or section, file."""
    parts = [record.title]
    if record.page:
        parts.append(f"p. {record.page}")
    if record.section:
        parts.append(record.section)
    return ", ".join(parts) + f" ({record.source})"


def evidence_line(record: Commitment) -> str:
    """Return the record's evidence on one line: what each later document says, and where."""
    return " | ".join(
        f"[{e.signal}] {e.title}{f' p. {e.page}' if e.page else ''} ({e.date or 'undated'}): {e.sentence}"
        for e in record.evidence
    )


def to_csv(records: Sequence[Commitment]) -> str:
    """Return the records as CSV, one row each, with their source and evidence."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow([r.id, r.kind, r.number or "", " ".join(r.text.split()), r.owner or "", r.due or "",
                         r.due_text or "", r.status, r.title, r.source, r.page or "", r.section or "",
                         evidence_line(r)])
    return out.getvalue()


def to_docx(records: Sequence[Commitment], *, title: str, subtitle: str, today: str) -> bytes:
    """Return a Word briefing: the filters used, then each record with its owner, deadline, status and source."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, 0)
    document.add_paragraph(f"{subtitle} · {len(records)} item{'s' if len(records) != 1 else ''} · prepared {today}")
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    if counts:
        document.add_paragraph(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for r in records:
        label = " · ".join(filter(None, (r.number, r.kind, r.status)))
        document.add_heading(label, 2)
        document.add_paragraph(" ".join(r.text.split()))
        facts = document.add_paragraph()
        facts.add_run("Owner: ").bold = True
        facts.add_run(r.owner or "not named")
        facts.add_run("   Due: ").bold = True
        facts.add_run(r.due or "no date")
        if r.due_text and r.due_text != r.due:
            facts.add_run(f" ({r.due_text})")
        source = document.add_paragraph()
        source.add_run("Source: ").bold = True
        source.add_run(where(r))
        if r.manual is not None:
            note = document.add_paragraph()
            note.add_run("Status set by hand: ").bold = True
            note.add_run(f"{r.manual.status} by {r.manual.by} on {r.manual.at[:10]}"
                         + (f" — {r.manual.note}" if r.manual.note else ""))
        for e in r.evidence:
            item = document.add_paragraph(style="List Bullet")
            item.add_run(f"{e.signal}: ").bold = True
            item.add_run(f"“{e.sentence}” — {e.title}{f', p. {e.page}' if e.page else ''} ({e.date or 'undated'})")
            for run in item.runs:
                run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
