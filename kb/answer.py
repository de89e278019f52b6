"""Extractive answers from the reader's output: quote the units that answer, cite their passages, or refuse.

The reader (`kb.read`) has given every answer unit of the passages read a probability of answering, and the
passage ranker an order of the passages. The answer leads with the likeliest unit of the passage the ranker
puts first, quoted whole (a recommendation with its lead and deadline, a table row with its columns), adds up to
two more that score close to it (or, when none of them gives the figure or date asked for, the likeliest that
does), and cites their passages first; the other passages follow in the ranker's
order as further sources, and the rest are related reading. It refuses when a
general check does (a source the library does not hold, a name, year or figure the question insists on that no
passage read holds, an amount, figure, share, frequency or name none of the likeliest units gives), or when the
probability that some unit answers is under the calibrated threshold; each refusal says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.read.abstain import refusal_by_checks, weak_refusal
from kb.read.evidence import gives_any
from kb.read.kinds import FIGURE_TYPES
from kb.read.reading import Reading
from kb.read.units import Unit
from kb.types import Answer, Citation

ABSTAIN_MESSAGE = (
    "The library has no passage that answers this question. "
    "The nearest passages are listed below as related reading, not as an answer."
)


@dataclass(frozen=True)
class AnswerParams:
    """Knobs of the extractive answer."""

    threshold: float  # the answer probability under which the question is refused
    max_units: int = 3
    max_chars: int = 700
    # A further unit is quoted when its probability is at least this share of the lead's.
    follow_ratio: float = 0.7
    # A passage not quoted is cited as a further source when the reader gives its best unit at least this share of
    # the threshold; the others are related reading.
    source_ratio: float = 0.5
    min_sources: int = 3
    list_items: int = 6
    # Quotes come from at most this many passages, so the search's best passages keep their place among the first
    # citations when the reader's lead comes from further down.
    max_passages: int = 2
    # When no unit quoted gives the figure, share, amount or date asked for, the likeliest that does is quoted too if
    # its probability is at least this share of the lead's.
    typed_ratio: float = 0.35


def build_answer(reading: Reading, params: AnswerParams) -> Answer:
    """Return an answer whose every quote cites its passage, or a refusal that says why."""
    question, hits = reading.frame.text, reading.hits
    shown = reading.shown()
    reason = refusal_by_checks(reading)
    if reason is None and (not reading.units or reading.answer_probability < params.threshold):
        reason = weak_refusal(reading)
    if reason is not None:
        related = [Citation(n=k + 1, hit=hits[i]) for k, i in enumerate(shown)]
        return Answer(question=question, answer=f"{ABSTAIN_MESSAGE} ({reason})", abstained=True, citations=[],
                      related=related, reason=reason)
    picks = _in_reading_order(_picks(reading, params))
    citations: list[Citation] = []
    by_hit: dict[int, Citation] = {}
    parts = []
    for unit in picks:
        cit = by_hit.get(unit.hit)
        if cit is None:
            cit = by_hit[unit.hit] = Citation(n=len(citations) + 1, hit=hits[unit.hit])
            citations.append(cit)
        cit.highlights.extend(unit.spans)
        parts.append(f"{unit.quote(hits[unit.hit].chunk)} [{cit.n}]")
    # Up to `min_sources`, the search's best of the other passages follow: what a plain search would show first,
    # which the answer should not cite less of (on libraries the reader was not trained on, the reader's choice of
    # further passages lost the right one: policy2 hit@3 0.742 -> 0.774, its floor; corpus/ sets lost one question
    # each). Then the passages the reader found likely enough, in retrieval's order.
    rest = [i for i in shown if i not in by_hit]
    bar = params.source_ratio * params.threshold
    further = rest[: max(0, params.min_sources - len(citations))]
    further += [i for i in rest if i not in further and reading.passage_probability(i) >= bar]
    citations += [Citation(n=len(citations) + k + 1, hit=hits[i]) for k, i in enumerate(further)]
    others = [i for i in rest if i not in further]
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations,
                  related=[Citation(n=len(citations) + k + 1, hit=hits[i]) for k, i in enumerate(others)])


def _picks(reading: Reading, params: AnswerParams) -> list[Unit]:
    """Return the units to quote: the lead (with the list it introduces), then close seconds from up to two passages."""
    first = reading.lead()
    lead = reading.units[first]
    lead_p = float(reading.probabilities[first])
    picks = [lead, *_list_after(reading, lead, params.list_items)]
    seen = {_key(reading, u) for u in picks}
    length = sum(len(u.text(reading.hits[u.hit].chunk)) for u in picks)
    for i in (i for i in reading.ranked() if i != first):
        if len(picks) >= params.max_units or reading.probabilities[i] < params.follow_ratio * lead_p:
            break
        unit = reading.units[i]
        text = unit.text(reading.hits[unit.hit].chunk)
        if _key(reading, unit) in seen or length + len(text) > params.max_chars or _overlaps(unit, picks):
            continue
        if unit.hit not in {p.hit for p in picks} and len({p.hit for p in picks}) >= params.max_passages:
            continue
        picks.append(unit)
        seen.add(_key(reading, unit))
        length += len(text)
    if len(picks) < params.max_units and (typed := _typed_unit(reading, picks, params.typed_ratio * lead_p, params)):
        picks.append(typed)
    return picks


def _in_reading_order(picks: list[Unit]) -> list[Unit]:
    """Return the picks with each run of neighbouring units of one passage put back in the order it is written in.

    Units next to each other are one excerpt ("A survey team visited the districts … That team then reported …"): in the
    reader's order the second would come first and lose what it refers to. Units apart keep the reader's order,
    the likeliest first.
    """
    runs: list[list[Unit]] = []
    for unit in picks:
        run = next((r for r in runs if any(u.hit == unit.hit and abs(u.position - unit.position) == 1 for u in r)), None)
        if run is None:
            runs.append([unit])
        else:
            run.append(unit)
    return [u for run in runs for u in sorted(run, key=lambda u: u.position)]


def _typed_unit(reading: Reading, picks: list[Unit], floor: float, params: AnswerParams) -> Unit | None:
    """Return the likeliest unit that gives the figure, share, amount or date the question asks for, when no unit
    picked gives one ("by when?" answered by a sentence without its deadline), among those likely enough."""
    wanted = reading.frame.answer_types & FIGURE_TYPES
    if not wanted or any(gives_any(wanted, u.text(reading.hits[u.hit].chunk)) for u in picks):
        return None
    passages = {p.hit for p in picks}
    quoted = {_key(reading, p) for p in picks}
    for i in reading.ranked():
        if reading.probabilities[i] < floor:
            break
        unit = reading.units[i]
        if _key(reading, unit) in quoted or _overlaps(unit, picks):
            continue
        if unit.hit not in passages and len(passages) >= params.max_passages:
            continue
        if gives_any(wanted, unit.text(reading.hits[unit.hit].chunk)):
            return unit
    return None


def _list_after(reading: Reading, lead: Unit, limit: int) -> list[Unit]:
    """Return the items of the list a unit introduces ("… three pillars:"), from its passage."""
    chunk = reading.hits[lead.hit].chunk
    if not chunk.text[lead.start : lead.end].rstrip().endswith(":"):
        return []
    after = sorted((u for u in reading.units if u.hit == lead.hit and u.position > lead.position), key=lambda u: u.position)
    # A list that runs on into the next passage of the same document (when it was read) goes on there; the
    # passages overlap, so an item already taken is skipped.
    following = next((i for i, h in enumerate(reading.hits)
                      if h.chunk.document_id == chunk.document_id and h.chunk.ordinal == chunk.ordinal + 1), None)
    if following is not None:
        after += sorted((u for u in reading.units if u.hit == following), key=lambda u: u.position)
    items: list[Unit] = []
    seen: set[str] = set()
    for unit in after:
        if len(items) >= limit or unit.kind not in ("item", "row"):
            break
        if (key := _key(reading, unit)) not in seen:
            items.append(unit)
            seen.add(key)
    return items


def _key(reading: Reading, unit: Unit) -> str:
    """Return a unit's text as compared for repeats (passages overlap, so the same unit is read twice)."""
    return " ".join(unit.text(reading.hits[unit.hit].chunk).split()).casefold()


def _overlaps(unit: Unit, picks: list[Unit]) -> bool:
    """Return True when the unit shares a span with a unit already picked from the same passage."""
    return any(p.hit == unit.hit and p.start < unit.end and unit.start < p.end for p in picks)
