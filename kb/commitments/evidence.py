"""Evidence of a commitment's progress: passages of later documents that speak of it, by similarity and date."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from kb.commitments.store import read_commitments, replace_evidence
from kb.commitments.types import Commitment, Evidence
from kb.embed import Embedder
from kb.store import Store
from kb.vectors import chunk_of

log = logging.getLogger(__name__)

_STOP = set(
    "a an the and or of to in on for by with from at as is are was were be been will shall should must this that "
    "these those its their it they all each every any per into than then also not no more most such which who "
    "whom what when where how there here our we us its has have had do does did can could may might would".split()
)
_DONE = re.compile(
    r"\b(?:(?:was|were|has been|have been|had been|is now|are now)\s+(?:\w+ly\s+)?(?:established|completed|"
    r"adopted|approved|endorsed|validated|launched|issued|published|held|handed over|set up|created|finali[sz]ed|"
    r"signed|submitted|delivered|achieved|reached|done|implemented|enacted|introduced|circulated|shared|sent|"
    r"managed|opened|merged|costed|met)|completed|achieved|endorsed|validated|handed over|reached)\b",
    re.I,
)
_PROGRESS = re.compile(
    r"\b(?:has started|have started|started|began|begun|is being|are being|under ?way|ongoing|in progress|"
    r"behind schedule|not yet|partly|partially|continues?|is preparing|are preparing|first steps|on track|"
    r"still|remain(?:s)?|will not be)\b",
    re.I,
)
_NEGATION = re.compile(r"\b(?:not|no longer|yet to|never|without|cannot|lack)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n(?=[•▪*-]\s)|\n(?=[^\n]*\|)")
_RANK = {"done": 0, "in progress": 1, "mention": 2}
_BRACKETED_FIELDS = re.compile(r"\((?:responsib|lead|owner|deadline|due)[^)]*\)", re.I)


@dataclass(frozen=True)
class EvidenceParams:
    """How close a later passage must be to count as speaking of a commitment."""

    min_cosine: float = 0.35
    min_shared: int = 3  # content words the record and the sentence share
    min_cover: float = 0.35  # share of the record's content words the sentence holds
    done_cover: float = 0.5  # a sentence saying "done" must be this much about the record to count as done
    passages: int = 8  # nearest later passages read per record
    keep: int = 3  # evidence kept per record
    min_score: float = 0.45  # the mean of the cosine and the share of words, under which a passage is not kept


def content_words(text: str) -> set[str]:
    """Return the words that carry meaning (no function words, no single letters), lower-case."""
    return {w for w in re.findall(r"[^\W_]+", text.lower()) if len(w) > 1 and w not in _STOP and not w.isdigit()}


def signal_of(sentence: str) -> str:
    """Return what a sentence says of a commitment: "done", "in progress" or only a "mention"."""
    done = _DONE.search(sentence)
    if done and not _NEGATION.search(sentence[max(0, done.start() - 30) : done.end()]):
        return "done"
    if _PROGRESS.search(sentence) or done:
        return "in progress"
    return "mention"


def _sentences(text: str) -> list[str]:
    """Return a passage's sentences: a heading line, a table row and a list item each stand apart."""
    units: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:  # a blank line ends a paragraph: nothing joins across it
            units.append("")
            continue
        previous = units[-1] if units else ""
        joins = previous and not re.search(r"[.!?:;]['\")]?$", previous) and len(previous) > 60 \
            and "|" not in line and "|" not in previous and not re.match(r"[•▪*-]\s", line)
        if joins:
            units[-1] = f"{previous} {line}"
        else:
            units.append(line)
    # A line that is neither a sentence nor a table row is a heading: it names a subject, it reports nothing.
    units = [u for u in units if "|" in u or re.search(r"[.!?:;]['\")]?$", u) or len(u.split()) >= 20]
    return [s.strip() for unit in units for s in _SENTENCE.split(unit) if len(s.split()) >= 4]


def _key(sentence: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", sentence.lower()))[:80]


def find_evidence(record: Commitment, vector: np.ndarray, candidates: list[tuple[int, np.ndarray]],
                  chunks: dict[int, dict], params: EvidenceParams, restated: frozenset[str] = frozenset()) -> list[Evidence]:
    """Return the later passages' sentences that speak of a record, best first (at most `params.keep`)."""
    if not candidates:
        return []
    ids = np.array([c for c, _ in candidates])
    matrix = np.stack([v for _, v in candidates])
    cosines = matrix @ vector
    words = content_words(_BRACKETED_FIELDS.sub("", record.text))
    if not words:
        return []
    found: dict[int, Evidence] = {}
    for i in np.argsort(-cosines)[: params.passages * 3]:
        chunk_id, cosine = int(ids[i]), float(cosines[i])
        if cosine < params.min_cosine or chunk_id in found:
            continue
        chunk = chunks[chunk_id]
        best: tuple[float, str] | None = None
        for sentence in _sentences(chunk["text"]):
            key = _key(sentence)
            if any(r in key for r in restated):  # another document's commitment says what is to be done, not what was
                continue
            shared = words & content_words(sentence)
            cover = len(shared) / len(words)
            if len(shared) >= min(params.min_shared, len(words)) and cover >= params.min_cover:
                if best is None or cover > best[0]:
                    best = (cover, sentence)
        if best is None:
            continue
        # A sentence that says the work was done or is under way needs less to be kept than a mere mention.
        if 0.5 * cosine + 0.5 * best[0] < params.min_score - (0.05 if signal_of(best[1]) != "mention" else 0.0):
            continue
        found[chunk_id] = Evidence(
            document_id=chunk["document_id"], title=chunk["title"], source=chunk["source"], date=chunk["date"],
            chunk_id=chunk_id, page=chunk["page"], section=chunk["section"], sentence=" ".join(best[1].split()),
            score=0.5 * cosine + 0.5 * best[0], signal=signal_of(best[1]),
        )
        if found[chunk_id].signal == "done" and best[0] < params.done_cover:
            found[chunk_id].signal = "mention"
        if len(found) >= params.passages:
            break
    # What says most about the status first (done, then in progress), then the latest.
    ranked = sorted(found.values(), key=lambda e: (_RANK[e.signal], -e.score))[: params.keep]
    latest_first = sorted(ranked, key=lambda e: e.date or "", reverse=True)
    return sorted(latest_first, key=lambda e: _RANK[e.signal])


def link_evidence(store: Store, embedder: Embedder, params: EvidenceParams | None = None) -> int:
    """Recompute every record's evidence from the passages of documents dated after its own; return the links made."""
    params = params or EvidenceParams()
    with store.connect() as db:
        records = read_commitments(db)
        rows = db.execute(
            "SELECT c.id, c.document_id, c.text, c.page, c.section, d.title, d.source, d.date "
            "FROM chunks c JOIN documents d ON d.id = c.document_id"
        ).fetchall()
    if not records:
        with store.connect() as db:
            replace_evidence(db, {})
        return 0
    chunks = {r["id"]: dict(r) for r in rows}
    ids, vectors = store.chunk_vectors(embedder.name, embedder.dim)
    best: dict[int, np.ndarray] = {}
    for cid, vec in zip(chunk_of(ids).tolist(), vectors, strict=True):
        if cid in chunks and cid not in best:  # a passage's own vector comes before its rows'
            best[cid] = vec
    # Sentences that are themselves a recommendation, decision or action restate a commitment; a target's row
    # (with its measured values) may report progress and stays.
    restated = frozenset(_key(s) for r in records if r.kind != "target" for s in [r.text, *_sentences(r.text)])
    texts = [_BRACKETED_FIELDS.sub("", r.text) for r in records]
    record_vectors = embedder.embed(texts, kind="query")
    links: dict[str, list[Evidence]] = {}
    for record, vector in zip(records, record_vectors, strict=True):
        if not record.doc_date:
            continue
        later = [(cid, vec) for cid, vec in best.items()
                 if chunks[cid]["document_id"] != record.document_id
                 and (chunks[cid]["date"] or "") > record.doc_date]
        if evidence := find_evidence(record, np.asarray(vector), later, chunks, params, restated):
            links[record.id] = evidence
    with store.connect() as db:
        replace_evidence(db, links)
    log.info("commitments: %d of %d records have evidence", len(links), len(records))
    return sum(len(v) for v in links.values())
