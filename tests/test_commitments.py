"""The commitments tracker: extraction from structure, deadlines, storage with the document, status, scoring."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import docx
import pytest
from conftest import CORPUS
from fakes import FakeEmbedder

from ingest.commitments import extract_commitments
from ingest.commitments.due import resolve_due
from ingest.parse import parse_file
from ingest.pipeline import ingest_paths
from kb.commitments.evaluate import load_labels, score
from kb.commitments.tracker import CommitmentFilters, derive_status, list_commitments, set_status
from kb.commitments.types import Commitment, Evidence
from kb.errors import KBError, QueryError
from kb.store import Store

LABELS = Path(__file__).parent / "data" / "commitments.yaml"


def _extract(path: Path, reference: str | None = "2025-01-15") -> list[Commitment]:
    return extract_commitments(parse_file(path, source=path.name, ocr=False).pages, reference=reference)


@pytest.mark.parametrize(("words", "iso"), [
    ("31 December 2024", "2024-12-31"), ("June 30, 2025", "2025-06-30"), ("Q3 2024", "2024-09-30"),
    ("first quarter of 2025", "2025-03-31"), ("by end of 2024", "2024-12-31"), ("2025", "2025-12-31"),
    ("in time for the 2025 budget", "2024-12-31"), ("in time for the 2025 budget, October 2024", "2024-10-31"),
    ("second half of 2024", "2024-12-31"), ("mid-2025", "2025-06-30"), ("15/03/2025", "2025-03-15"),
    ("next meeting", None), ("2026–2030", None), ("by June", "2025-06-30"),
    ("within three months", "2025-04-15"), ("within 2 weeks of the meeting", "2025-01-29"),
    ("by the end of the year", "2025-12-31"), ("by the end of next year", "2026-12-31"),
])
def test_deadlines_in_words_resolve_to_the_end_of_the_period_they_name(words: str, iso: str | None) -> None:
    assert resolve_due(words, reference="2025-01-15") == iso


def test_the_sample_library_is_read_as_labelled_by_hand() -> None:
    """Precision and recall of records, owners and deadlines against tests/data/commitments.yaml."""
    from kb.commitments.cli import extract_folder
    from kb.config import Settings

    settings = Settings(corpus_dir=CORPUS, ocr=False, _env_file=None)  # type: ignore[call-arg]
    result = score(load_labels(LABELS), extract_folder(CORPUS, settings)).to_dict()
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result
    assert result["owner_accuracy"] >= 0.9 and result["due_accuracy"] >= 0.9, result


def test_a_recommendations_table_in_html_gives_one_record_per_row(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_text(
        "<html><body><h1>Evaluation of the cash grant</h1><p>The evaluation found delays.</p>"
        "<h2>Annex 2</h2><table><tr><th>#</th><th>Recommendation</th><th>Lead agency</th><th>Timeline</th></tr>"
        "<tr><td>1</td><td>Pay benefits monthly instead of every second month</td><td>Department of Welfare</td>"
        "<td>Q2 2026</td></tr><tr><td>2</td><td>Publish a grievance hotline number on every payment slip</td>"
        "<td>Finance Office</td><td>end of 2026</td></tr>"
        "</table><p>Contact the unit for copies.</p></body></html>"
    )
    records = _extract(page)
    assert [(r.kind, r.number, r.owner, r.due) for r in records] == [
        ("recommendation", "1", "Department of Welfare", "2026-06-30"),
        ("recommendation", "2", "Finance Office", "2026-12-31"),
    ]
    assert records[0].text.startswith("Pay benefits monthly")



def test_a_table_goes_on_across_group_rows_that_span_its_columns(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_text(
        "<html><body><h1>Review of the pension scheme</h1><table><thead><tr><th>Ref.</th><th>What we advise</th>"
        "<th>Lead responsibility</th><th>Target date</th></tr></thead><tbody>"
        "<tr><td colspan='4'>A. Coverage</td></tr>"
        "<tr><td>P1</td><td>Index the pension to prices every year</td><td>Pension Fund</td><td>Q1 2027</td></tr>"
        "<tr><td colspan='4'>B. Administration</td></tr>"
        "<tr><td>P2</td><td>Pay pensions into bank accounts</td><td>Treasury</td><td>By June 2027</td></tr>"
        "<tr><td>P3</td><td>Publish the fund's accounts</td><td>Pension Fund</td><td>2028</td></tr>"
        "</tbody></table></body></html>"
    )
    records = _extract(page)
    assert [(r.number, r.owner, r.due) for r in records] == [
        ("P1", "Pension Fund", "2027-03-31"), ("P2", "Treasury", "2027-06-30"), ("P3", "Pension Fund", "2028-12-31"),
    ]
    assert records[1].text.startswith("Pay pensions") and not any("Administration" in r.text for r in records)

def test_action_items_in_prose_are_told_from_the_discussion_around_them(tmp_path: Path) -> None:
    note = tmp_path / "minutes.md"
    note.write_text(
        "# Minutes of the coordination meeting\n\n## Discussion\n\n"
        "The Director noted that the budget will be tight next year. Members discussed the pilot at length.\n\n"
        "## Follow-up\n\n"
        "The group reviewed the draft calendar. The Planning Office will circulate the revised calendar to all "
        "members by 15 March 2026. Several members felt the timetable was ambitious.\n\n"
        "UNICEF agreed to share the survey data before the end of April 2026. It will also brief the provinces.\n\n"
        "The Chair thanked everyone for attending.\n"
    )
    records = _extract(note)
    assert [(r.kind, r.owner, r.due) for r in records] == [
        ("action", "Planning Office", "2026-03-15"), ("action", "UNICEF", "2026-04-30"),
    ]
    assert records[1].text.endswith("It will also brief the provinces."), "a sentence that carries the item on joins it"


def test_a_word_numbered_list_keeps_its_numbers_owners_and_deadlines(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Decisions of the steering committee", 1)
    document.add_paragraph("The committee met on 3 February 2026 and agreed on the following.")
    for text in (
        "The secretariat shall prepare terms of reference for the evaluation (Responsible: Secretariat; Due: 31 May 2026).",
        "Provinces will submit their caseload figures by Q2 2026.",
        "The committee approves the revised workplan.",
    ):
        document.add_paragraph(text, style="List Number")
    path = tmp_path / "decisions.docx"
    document.save(str(path))
    records = _extract(path)
    assert [(r.kind, r.number, r.owner, r.due) for r in records] == [
        ("decision", "1", "Secretariat", "2026-05-31"), ("decision", "2", "Provinces", "2026-06-30"),
        ("decision", "3", None, None),
    ]


def test_rules_and_decree_articles_are_not_commitments() -> None:
    assert _extract(CORPUS / "other-vehicle-fleet-policy.md") == []
    assert _extract(CORPUS / "decree-224-pm-2020-summary.txt") == []


def _library(tmp_path: Path, text: str) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir(exist_ok=True)
    (lib / "minutes.md").write_text(text)
    return lib


MINUTES = "# Minutes\n\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n" \
          "| Draft the costing note | Budget Office | 30 June 2024 |\n| Share the survey data | UNICEF | 31 December 2099 |\n"


def test_records_are_stored_with_their_document_replaced_and_removed_with_it(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library(tmp_path, MINUTES)
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    store = Store(settings.data_dir)
    records = list_commitments(store, today="2025-01-01")
    assert [(r.text, r.owner, r.due, r.status) for r in records] == [
        ("Draft the costing note", "Budget Office", "2024-06-30", "overdue"),
        ("Share the survey data", "UNICEF", "2099-12-31", "open"),
    ]
    assert records[0].chunk_id is not None and "Draft the costing note" in (records[0].passage or "")
    (lib / "minutes.md").write_text(MINUTES.replace("Share the survey data", "Share the census data"))
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    assert [r.text for r in list_commitments(store)] == ["Draft the costing note", "Share the census data"]
    (lib / "minutes.md").unlink()
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    with sqlite3.connect(settings.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM commitments").fetchone()[0] == 0


def test_a_status_set_by_hand_wins_is_kept_with_who_and_when_and_outlives_a_reingest(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = _library(tmp_path, MINUTES)
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    store = Store(settings.data_dir)
    first = list_commitments(store, today="2025-01-01")[0]
    set_status(store, first.id, "done", note="Note sent on 2 July", by="somsack")
    (lib / "minutes.md").write_text(MINUTES + "\nNext meeting in July.\n")
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    again = list_commitments(store, today="2025-01-01")[0]
    assert again.id == first.id and again.status == "done"
    assert again.manual is not None and (again.manual.by, again.manual.note) == ("somsack", "Note sent on 2 July")
    with pytest.raises(QueryError):
        set_status(store, first.id, "finished", note="", by="x")
    with pytest.raises(KBError):
        set_status(store, "no-such-id", "done", note="", by="x")


def test_status_follows_evidence_then_the_deadline() -> None:
    record = Commitment(document_id="d", kind="action", text="Draft the note", due="2024-06-30")
    assert derive_status(record, "2024-01-01") == "open"
    assert derive_status(record, "2024-07-01") == "overdue"
    record.evidence = [
        Evidence("e", "Later minutes", "m.md", "2024-05-01", 1, None, None, "The note is being drafted.", 0.8, "in progress")
    ]
    assert derive_status(record, "2024-01-01") == "in progress"
    assert derive_status(record, "2024-07-01") == "overdue", "progress does not stop the clock"
    record.evidence.append(Evidence("e", "Report", "r.md", "2024-08-01", 2, None, None, "The note was completed.", 0.8, "done"))
    assert derive_status(record, "2024-09-01") == "done"


def test_filters_narrow_the_list_and_bad_values_are_named(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest_paths([_library(tmp_path, MINUTES)], settings=settings, embedder=FakeEmbedder())
    store = Store(settings.data_dir)
    assert [r.owner for r in list_commitments(store, CommitmentFilters(owner="unicef"))] == ["UNICEF"]
    overdue = list_commitments(store, CommitmentFilters(status="overdue"), today="2025-01-01")
    assert [r.owner for r in overdue] == ["Budget Office"]
    assert [r.owner for r in list_commitments(store, CommitmentFilters(due_before="2024-12-31"))] == ["Budget Office"]
    assert [r.owner for r in list_commitments(store, CommitmentFilters(q="survey"))] == ["UNICEF"]
    soon = list_commitments(store, CommitmentFilters(soon=True), today="2024-06-10")
    assert [r.owner for r in soon] == ["Budget Office"]
    with pytest.raises(QueryError, match="due_before"):
        list_commitments(store, CommitmentFilters(due_before="next week"))
    with pytest.raises(QueryError, match="kind"):
        list_commitments(store, CommitmentFilters(kind="promise"))


def test_labels_with_a_bad_field_are_refused_naming_the_file_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "labels.yaml"
    bad.write_text("- document: a.pdf\n  text_start: Do it\n  due: soon\n")
    with pytest.raises(KBError, match=r"labels.yaml: label 1: due 'soon'"):
        load_labels(bad)
    bad.write_text("- document: a.pdf\n  kind: promise\n  text_start: Do it\n")
    with pytest.raises(KBError, match="kind 'promise'"):
        load_labels(bad)


def test_kb_eval_commitments_prints_the_figures(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kb.cli import main

    lib = _library(tmp_path, MINUTES)
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "- document: minutes.md\n  kind: action\n  number: null\n  text_start: Draft the costing note\n"
        "  owner: Budget Office\n  due: 2024-06-30\n  due_text: 30 June 2024\n"
        "- document: minutes.md\n  kind: action\n  number: null\n  text_start: Call the provinces\n"
        "  owner: null\n  due: null\n  due_text: null\n"
    )
    assert main(["eval", "commitments", str(labels), "--corpus", str(lib), "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert (out["matched"], out["precision"], out["recall"], out["owner_accuracy"]) == (1, 0.5, 0.5, 1.0)


def test_a_later_document_saying_it_was_done_is_linked_as_evidence_and_an_earlier_one_is_not(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "manifest.yaml").write_text(
        "documents:\n  - {file: minutes.md, date: 2024-01-10}\n  - {file: report.md, date: 2024-09-01}\n"
        "  - {file: old.md, date: 2023-05-01}\n"
    )
    (lib / "minutes.md").write_text(
        "# Minutes\n\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n"
        "| Publish the annual progress report on social protection | Secretariat | 30 June 2024 |\n"
        "| Train district welfare officers in grievance handling | Welfare Department | 31 May 2024 |\n"
    )
    (lib / "report.md").write_text(
        "# Progress report\n\nThe annual progress report on social protection was published in March 2024 by the "
        "Secretariat.\n\nTraining of district welfare officers in grievance handling has started in two provinces.\n"
    )
    (lib / "old.md").write_text("# Plan\n\nThe welfare officers in every district were trained in grievance handling.\n")
    ingest_paths([lib], settings=settings, embedder=FakeEmbedder())
    records = list_commitments(Store(settings.data_dir), today="2024-05-01")
    published = next(r for r in records if r.text.startswith("Publish"))
    training = next(r for r in records if r.text.startswith("Train"))
    assert published.status == "done"
    assert [(e.source, e.signal) for e in published.evidence] == [("report.md", "done")]
    assert published.evidence[0].chunk_id is not None and "was published" in published.evidence[0].sentence
    assert training.status == "in progress" and {e.source for e in training.evidence} == {"report.md"}
    later = list_commitments(Store(settings.data_dir), today="2024-07-01")
    assert [r.status for r in later if r.text.startswith("Train")] == ["overdue"]


def test_findings_after_a_reporting_lead_in_and_meeting_arrangements_are_not_commitments(tmp_path: Path) -> None:
    note = tmp_path / "review.md"
    note.write_text(
        "# Review\n\n## Recommendations\n\nThe review found:\n\n- payments arrive late in remote districts\n"
        "- staff turnover is high in the north\n\nThe review therefore recommends:\n\n"
        "1. Pay through mobile money where a network exists.\n"
        "2. The revised workplan will be circulated by the Planning Office by 15 March 2026.\n\n"
        "The next coordination meeting will be held on 20 May 2026.\n"
    )
    records = _extract(note)
    assert [(r.kind, r.number, r.owner, r.due) for r in records] == [
        ("recommendation", "1", None, None),
        ("recommendation", "2", "Planning Office", "2026-03-15"),  # the passive's agent is the owner
    ]


def test_kb_commitments_lists_filters_and_sets_a_status(settings, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from kb.cli import main

    ingest_paths([_library(tmp_path, MINUTES)], settings=settings, embedder=FakeEmbedder())
    data = ["--data-dir", str(settings.data_dir)]
    assert main(["commitments", *data, "--owner", "unicef", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["commitments"]
    assert (record["text"], record["due"], record["source"]["source"]) == ("Share the survey data", "2099-12-31", "minutes.md")
    assert main(["commitment-status", record["id"], "in progress", "--note", "Data cleaned", "--by", "noy", *data]) == 0
    assert "in progress (set by noy" in capsys.readouterr().out
    assert main(["commitments", *data, "--status", "in progress"]) == 0
    out = capsys.readouterr().out
    assert "Share the survey data" in out and "Draft the costing note" not in out and out.rstrip().endswith("1 commitment")
    assert main(["commitments", *data, "--due-before", "tomorrow"]) == 1
    assert "due_before 'tomorrow'" in capsys.readouterr().err


def test_owners_and_dates_set_off_by_dashes_or_brackets_are_read(tmp_path: Path) -> None:
    note = tmp_path / "actions.md"
    note.write_text(
        "# Meeting note\n\n## Next steps\n\n"
        "- Ministry of Health – finalise the costing of the package – by 30 June 2025\n"
        "- Share the draft guidelines with the provinces (Planning Department, 15 August 2025)\n"
        "- Update the list of focal points (see Annex 2)\n"
    )
    assert [(r.kind, r.owner, r.due) for r in _extract(note)] == [
        ("action", "Ministry of Health", "2025-06-30"), ("action", "Planning Department", "2025-08-15"),
        ("action", None, None),
    ]


def test_decision_making_label_lines_and_hypotheses_do_not_make_commitments(tmp_path: Path) -> None:
    note = tmp_path / "brief.md"
    note.write_text(
        "# Brief\n\n## Using data for decision making\n\nThe project will work with ministries on the registry.\n\n"
        "## ACTION: Notice of a proposed programme change\n\n- Installing new software on the payment servers.\n\n"
        "## Outlook\n\nThe Government would also be able to automate enrolment by the end of 2026.\n"
    )
    assert _extract(note) == []


def test_word_numbering_shows_its_own_marker_text_and_start(tmp_path: Path) -> None:
    """A Word list numbered "R%1." from 4 reads as R4, R5 — the numbers the reader of the document sees."""
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading("Recommendations", 1)
    for text in ("Adopt the costed plan (Lead: Ministry of Finance; by Q2 2026).", "Train the district staff in 2026."):
        document.add_paragraph(text, style="List Number")
    style_num = document.styles["List Number"].element.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == style_num)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    level = next(lvl for lvl in abstract.iter(qn("w:lvl")) if lvl.get(qn("w:ilvl")) == "0")
    level.find(qn("w:lvlText")).set(qn("w:val"), "R%1.")
    level.find(qn("w:start")).set(qn("w:val"), "4")
    path = tmp_path / "recs.docx"
    document.save(str(path))
    assert [(r.number, r.owner, r.due) for r in _extract(path)] == [
        ("R4", "Ministry of Finance", "2026-06-30"), ("R5", None, None),
    ]


def test_labels_match_records_whatever_number_prefix_and_folder_they_give() -> None:
    from kb.commitments.evaluate import Label

    record = Commitment(document_id="d", kind="recommendation", text="Pay benefits monthly in all districts.",
                        number="1", owner="The Welfare Department", due="2026-06-30")
    record.source = "reports/review.pdf"
    labels = [Label("review.pdf", "recommendation", "1", "Recommendation 1: Pay benefits monthly", "Welfare Department",
                    "2026-06-30", "June 2026"),
              Label("review.pdf", "recommendation", "2", "Publish the registry", None, None, None)]
    result = score(labels, [record])
    assert (result.matched, result.owners_right, result.dues_right, len(result.missed)) == (1, 1, 1, 1)


def test_minutes_decide_and_give_tasks_under_agenda_items_named_for_their_subject(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Water Board\n\n## Minutes of the 3rd meeting\n\n### 1. Opening\n\nThe Chair welcomed members and agreed "
        "with the agenda.\n\n### 2. Tariffs\n\nThe utility reported that arrears rose by a tenth. In the view of the "
        "utility, most arrears would fall once meters were read monthly. The Board approved the revised tariff "
        "schedule for 2026. The Chair asked the Regulator to publish the schedule by 15 March 2026. The Finance Ministry "
        "undertook to confirm the subsidy ceiling before the end of April 2026.\n"
    )
    records = _extract(notes)
    got = [(r.kind, r.owner, r.due) for r in records]
    assert got == [("decision", None, None), ("action", "Regulator", "2026-03-15"), ("action", "Finance Ministry", "2026-04-30")]
    assert records[0].text.startswith("The Board approved")
