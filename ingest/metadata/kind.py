"""The kind of a document (strategy, review, minutes, …) from the words its title and title page use for it."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words for kinds of documents in English and Lao, never the name of a particular document, place or body.
# Lao spellings are those of the sample library's Lao summary (ດຳລັດ, ຍຸດທະສາດ, ການທົບທວນ, ກອງປະຊຸມ).
_ENGLISH: dict[str, tuple[str, ...]] = {
    "review": (r"mid[-\s]?term\s+review", r"review", r"evaluation", r"assessment"),
    # "30 minutes" is a duration, not a record of a meeting.
    "minutes": (r"(?<!\d)(?<!\d\s)minutes", r"record\s+of\s+(?:the\s+)?meeting"),
    "decree": (r"decree", r"decision\s+no\b\.?", r"law\s+on", r"regulations?", r"proposed\s+rules?"),
    "strategy": (r"strateg(?:y|ies)", r"strategic\s+plan", r"action\s+plan", r"national\s+plan"),
    "brief": (r"policy\s+brief", r"brief", r"fact\s*-?\s*sheet", r"one[-\s]?pager", r"at\s+a\s+glance"),
    "note": (r"concept\s+note", r"note", r"memo(?:randum)?"),
}
_LAO: dict[str, tuple[str, ...]] = {
    "review": ("ການທົບທວນ", "ທົບທວນ", "ການປະເມີນຜົນ", "ການປະເມີນ"),
    "minutes": ("ບົດບັນທຶກກອງປະຊຸມ",),
    "decree": ("ລັດຖະດຳລັດ", "ດຳລັດ", "ຂໍ້ຕົກລົງ", "ກົດໝາຍວ່າດ້ວຍ", "ລະບຽບການ"),
    "strategy": ("ແຜນຍຸດທະສາດ", "ຍຸດທະສາດ", "ແຜນດຳເນີນງານ", "ແຜນປະຕິບັດງານ"),
    "brief": (),
    "note": ("ບົດບັນທຶກ(?!ກອງປະຊຸມ)",),
}
_CUES: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(rf"\b(?:{pattern})\b", re.I)) for kind, patterns in _ENGLISH.items() for pattern in patterns
] + [(kind, re.compile(pattern)) for kind, patterns in _LAO.items() for pattern in patterns]
# Where an English title's head noun phrase ends: "Review | of the Strategy", "Strategy | : Vision 2030".
_HEAD_END = re.compile(r"\s(?:of|on|for|to|in|about|concerning|regarding|from)\s|:|\s[–—-]\s|\(", re.I)
_LAO_LETTER = re.compile(r"[\u0e80-\u0eff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

TITLE_WEIGHT = 3.0  # one cue in the title outweighs everything the title page can add (capped below it)
TOP_WEIGHT = 1.0
HEADING_WEIGHT = 0.5
PAGE_CAP = 2.0


def _matches(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) of every cue in `text`, a longer cue winning over one it contains."""
    found = sorted(
        ((m.start(), m.end(), kind) for kind, pattern in _CUES for m in pattern.finditer(text)),
        key=lambda t: (t[0], -t[1]),
    )
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, kind))
    return kept


def head_kind(text: str) -> str | None:
    """Return the kind a title-like line names for itself ('Review of the … Strategy' is a review), or None."""
    matches = _matches(text)
    if not matches:
        return None
    # Lao puts the head noun first ("ການທົບທວນ ຍຸດທະສາດ", review of the strategy).
    if len(_LAO_LETTER.findall(text)) > len(_LATIN_LETTER.findall(text)):
        return matches[0][2]
    # English puts it last in the first noun phrase ("Strategy Review", "Mid-Term Review of …"); a title
    # whose first phrase names no kind ("Summary of the Regulation") takes the first kind it names.
    end = _HEAD_END.search(text)
    head = [m for m in matches if m[0] < (end.start() if end else len(text))]
    return (head[-1] if head else matches[0])[2]


def infer_kind(
    title: str | None,
    top_lines: Iterable[str] = (),
    headings: Iterable[str] = (),
    *,
    file_name: str = "",
) -> str:
    """Return the document's kind from its title, its title page's lines and headings, else its file name."""
    scores: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    kind = head_kind(title or "")
    if kind is not None:
        scores[kind] = TITLE_WEIGHT
        first_seen[kind] = 0
    page: dict[str, float] = {}
    weighted = [(t, TOP_WEIGHT) for t in dict.fromkeys(top_lines)] + [(h, HEADING_WEIGHT) for h in dict.fromkeys(headings)]
    for text, weight in weighted:
        kind = head_kind(text)
        if kind is not None:
            page[kind] = min(PAGE_CAP, page.get(kind, 0.0) + weight)
            first_seen.setdefault(kind, len(first_seen))
    for kind, score in page.items():
        scores[kind] = scores.get(kind, 0.0) + score
    if scores:
        return max(scores, key=lambda k: (scores[k], -first_seen[k]))
    # A file name is the weakest evidence: people name files "final-v2" as often as "minutes-2023".
    return head_kind(re.sub(r"[_.\s-]+", " ", file_name)) or "other"
