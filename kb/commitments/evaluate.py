"""Scoring extracted commitments against hand labels: precision, recall, owners and deadlines right."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.commitments.types import KINDS, Commitment
from kb.errors import KBError

# A leading item number or bullet that labels and records may or may not repeat ("R5.", "A2", "1)", "•").
_LEADING = re.compile(r"^(?:[•▪*–-]\s*)?(?:(?:recommendation|decision|action(?: point| item)?|target)\s+"
                      r"(?:no\.?\s*)?[a-z]?\d{1,3}[a-z]?\s*[.:–—-]\s+|"
                      r"\(?(?:[a-z]{1,3}\s?\d{1,3}|\d{1,3}(?:\.\d{1,2})?|[a-z])[.):]\s+|[a-z]{1,3}\d{1,3}\s+)", re.I)


@dataclass(frozen=True)
class Label:
    """One hand-labelled commitment."""

    document: str
    kind: str | None
    number: str | None
    text_start: str
    owner: str | None
    due: str | None
    due_text: str | None


@dataclass
class Score:
    """Precision, recall and field accuracy of records against labels, with what was missed and extra."""

    labels: int = 0
    records: int = 0
    matched: int = 0
    owners_right: int = 0
    dues_right: int = 0
    kinds_right: int = 0
    missed: list[Label] = field(default_factory=list)
    extra: list[Commitment] = field(default_factory=list)
    wrong: list[dict[str, Any]] = field(default_factory=list)

    def _ratio(self, a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        """Return the share of records that match a label."""
        return self._ratio(self.matched, self.records)

    @property
    def recall(self) -> float:
        """Return the share of labels that a record matches."""
        return self._ratio(self.matched, self.labels)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures and the differences as JSON."""
        return {
            "labels": self.labels, "records": self.records, "matched": self.matched,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "owner_accuracy": round(self._ratio(self.owners_right, self.matched), 4),
            "due_accuracy": round(self._ratio(self.dues_right, self.matched), 4),
            "kind_accuracy": round(self._ratio(self.kinds_right, self.matched), 4),
            "missed": [{"document": m.document, "text_start": m.text_start} for m in self.missed],
            "extra": [{"document": r.source, "kind": r.kind, "text": r.text[:120]} for r in self.extra],
            "wrong": self.wrong,
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def load_labels(path: Path) -> list[Label]:
    """Return the labels of a YAML file (a list, or a mapping with a `commitments` list); bad entries are errors."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KBError(f"{path}: cannot read the labels: {exc}") from None
    items = data.get("commitments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise KBError(f"{path}: expected a list of labels (or a 'commitments:' list)")
    labels = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise KBError(f"{path}: label {i} is not a mapping")
        for key in ("document", "text_start"):
            if not _text(item.get(key)):
                raise KBError(f"{path}: label {i} has no {key!r}")
        kind = _text(item.get("kind"))
        if kind is not None and kind.lower() not in KINDS:
            raise KBError(f"{path}: label {i}: kind {kind!r} is not one of {', '.join(KINDS)}")
        due = _text(item.get("due"))
        if due is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", due):
            raise KBError(f"{path}: label {i}: due {due!r} is not an ISO date (yyyy-mm-dd) or null")
        labels.append(Label(
            document=str(item["document"]).strip(), kind=kind.lower() if kind else None,
            number=_text(item.get("number")), text_start=str(item["text_start"]).strip(),
            owner=_text(item.get("owner")), due=due, due_text=_text(item.get("due_text")),
        ))
    return labels


def words(text: str) -> list[str]:
    """Return the lower-case words of a text after its leading item number or bullet."""
    text = _LEADING.sub("", text.strip())
    return re.findall(r"[^\W_]+", text.lower())


def text_overlap(text_start: str, text: str) -> float:
    """Return how much of a label's first words open a record's text (1.0: all of them, in place)."""
    start, body = words(text_start), words(text)
    if not start:
        return 0.0
    if body[: len(start)] == start:
        return 1.0
    window = body[: len(start) + 8]
    return sum(1 for w in start if w in window) / len(start)


def same_owner(label: str | None, record: str | None) -> bool:
    """Return True when two owners name the same body, however the article, case or punctuation differ."""
    if label is None or record is None:
        return label is None and record is None
    a = [w for w in re.findall(r"[^\W_]+", label.lower()) if w not in ("the", "a", "an")]
    b = [w for w in re.findall(r"[^\W_]+", record.lower()) if w not in ("the", "a", "an")]
    if not a or not b:
        return False
    if " ".join(a) in " ".join(b) or " ".join(b) in " ".join(a):
        return True
    return len(set(a) & set(b)) / max(len(set(a)), len(set(b))) >= 0.6


def _same_document(source: str, document: str) -> bool:
    """Return True when a label names a record's file: its path in the folder, or its name alone."""
    return source == document or ("/" not in document and Path(source).name == document)


def score(labels: Sequence[Label], records: Iterable[Commitment], *, threshold: float = 0.6) -> Score:
    """Match records to labels one to one (same document, best text overlap first) and count."""
    records = list(records)
    result = Score(labels=len(labels), records=len(records))
    pairs = []
    for li, label in enumerate(labels):
        for ri, record in enumerate(records):
            if _same_document(record.source, label.document):
                overlap = text_overlap(label.text_start, record.text)
                if overlap >= threshold:
                    pairs.append((overlap, -abs(li - ri), li, ri))
    used_l: set[int] = set()
    used_r: set[int] = set()
    for _, _, li, ri in sorted(pairs, reverse=True):
        if li in used_l or ri in used_r:
            continue
        used_l.add(li)
        used_r.add(ri)
        label, record = labels[li], records[ri]
        result.matched += 1
        owner_ok, due_ok = same_owner(label.owner, record.owner), label.due == record.due
        result.owners_right += owner_ok
        result.dues_right += due_ok
        result.kinds_right += label.kind is None or label.kind == record.kind
        if not (owner_ok and due_ok):
            result.wrong.append({
                "document": label.document, "text_start": label.text_start,
                "owner": [label.owner, record.owner], "due": [label.due, record.due],
            })
    result.missed = [label for i, label in enumerate(labels) if i not in used_l]
    result.extra = [record for i, record in enumerate(records) if i not in used_r]
    return result


def format_score(s: Score) -> str:
    """Return the figures as the lines `kb eval commitments` prints."""
    d = s.to_dict()
    lines = [
        f"labels {s.labels} · records {s.records} · matched {s.matched}",
        f"precision {d['precision']:.3f} · recall {d['recall']:.3f} · owners right {d['owner_accuracy']:.3f} · "
        f"due dates right {d['due_accuracy']:.3f} · kinds right {d['kind_accuracy']:.3f}",
    ]
    lines += [f"  missed  {m.document}: {m.text_start}" for m in s.missed]
    lines += [f"  extra   {r.source}: [{r.kind}] {r.text[:100]}" for r in s.extra]
    lines += [f"  wrong   {w['document']}: {w['text_start'][:50]} owner {w['owner']} due {w['due']}" for w in s.wrong]
    return "\n".join(lines)
