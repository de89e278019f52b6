"""Answer quality on a question set: hit@k, MRR, abstention, beside the retrieval floor.

A citation is a hit when it comes from the question's document (same source path), from its page (when
the question names one), and its text contains one of the answer phrases (case, spacing, ligatures and the
typographic forms of quotes and dashes ignored).

Beside the answer's figures the report gives the **retrieval floor**: the same rates when the top passages a
plain search returns are cited as they come and nothing is refused. An answer layer that scores below its
floor loses passages the search had already found.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.knowledge_base import KnowledgeBase
from kb.types import Hit

SPLITS = ("tune", "test")


@dataclass(frozen=True)
class Question:
    """One question of the set; `answerable=False` ones should be refused."""

    id: str
    question: str
    kind: str
    split: str
    document: str | None = None
    page: int | None = None
    answers: tuple[str, ...] = ()
    answerable: bool = True
    also: tuple[tuple[str, int | None], ...] = ()  # other (document, page) that state the same answer


@dataclass
class Outcome:
    """What the knowledge base did with one question."""

    question: Question
    abstained: bool
    rank: int | None  # 1-based rank of the first citation that is a hit
    retrieved_rank: int | None = None  # the same among the passages retrieved (before the answer picks)
    answer: str = ""  # what the knowledge base said, for reading the misses
    cited: tuple[str, ...] = ()  # "source p.N" of the answer's first citations
    floor_rank: int | None = None  # the same for the plain search's top passages (the retrieval floor)
    quoted: bool = False  # the answer's own words (its quotes) hold an answer phrase

    @property
    def reciprocal_rank(self) -> float:
        """Return 1/rank of the first hit, 0 when none."""
        return 0.0 if self.rank is None else 1.0 / self.rank


def load_questions(path: Path) -> list[Question]:
    """Return the questions of a YAML file (a list, or a mapping with a `questions` list)."""
    import yaml

    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KBError(f"{path}: cannot read the question set ({exc})") from exc
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise KBError(f"{path}: expected a list of questions")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("question"):
            raise KBError(f"{path}: item {i} has no 'question'")
        answerable = bool(item.get("answerable", True))
        split = str(item.get("split") or "test")
        if split not in SPLITS:
            raise KBError(f"{path}: {item.get('id', i)}: split {split!r} is not one of {', '.join(SPLITS)}")
        answers = item.get("answers") or []
        if isinstance(answers, str):
            answers = [answers]
        if answerable and (not item.get("document") or not answers):
            raise KBError(f"{path}: {item.get('id', i)}: an answerable question needs 'document' and 'answers'")
        page = item.get("page")
        out.append(
            Question(
                id=str(item.get("id", i)), question=str(item["question"]), kind=str(item.get("kind") or "other"),
                split=split, document=item.get("document"), page=None if page is None else int(page),
                answers=tuple(str(a) for a in answers), answerable=answerable,
                also=tuple((str(a["document"]), None if a.get("page") is None else int(a["page"]))
                           for a in item.get("also") or []),
            )
        )
    return out


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                              "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u00ad": None})


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _norm_passage(text: str) -> str:
    """Return a passage's text as answer phrases are written: a table's cells ("MoF | 15 December 2023") read as
    words in a row ("MoF 15 December 2023"), as they stand on the page."""
    return _norm(re.sub(r"\s*\|\s*", " ", text))


def is_hit(question: Question, hit: Hit) -> bool:
    """Return True when the passage is from the right document and page and holds an answer phrase."""
    if not question.answerable or question.document is None:
        return False
    source = hit.document.source.replace("\\", "/")
    places = [(question.document, question.page), *question.also]
    if not any(
        (source == doc or source.endswith("/" + doc)) and (page is None or hit.chunk.page == page) for doc, page in places
    ):
        return False
    # A phrase is read as the passage is: a shell pipe in it ("ls | grep x") would never meet a passage whose cell
    # bars are taken out.
    text = _norm_passage(hit.chunk.text)
    return any(_norm_passage(a) in text for a in question.answers)


def _place(source: str | None, page: int | None) -> str:
    return f"{source} p.{page}" if page is not None else str(source)


def first_hit_rank(question: Question, hits: Sequence[Hit]) -> int | None:
    """Return the 1-based rank of the first hit among `hits`, or None."""
    return next((i for i, h in enumerate(hits, 1) if is_hit(question, h)), None)


def _select(questions: Iterable[Question], split: str) -> list[Question]:
    return [q for q in questions if split == "all" or q.split == split]


@dataclass
class QuestionReport:
    """Rates overall, by kind and by split."""

    split: str
    groups: dict[str, dict[str, float]]
    outcomes: list[Outcome] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON printed by `kb eval questions --json`."""
        return {
            "split": self.split,
            "groups": self.groups,
            "misses": [
                {"id": o.question.id, "split": o.question.split, "question": o.question.question,
                 "expected": _place(o.question.document, o.question.page) if o.question.answerable else None,
                 "abstained": o.abstained, "rank": o.rank, "retrieved_rank": o.retrieved_rank,
                 "answer": o.answer, "cited": list(o.cited)}
                for o in self.outcomes
                if (o.question.answerable and o.rank != 1) or (not o.question.answerable and not o.abstained)
            ],
        }

    def text(self) -> str:
        """Return the rates as a plain-text table."""
        cols = ("n", "hit@1", "hit@3", "mrr", "quoted", "retrieved@k", "false_abstention", "n_unanswerable", "abstention",
                "floor_hit@1", "floor_hit@3", "floor_mrr")
        rows = [f"{'group':24}" + "".join(f"{c:>17}" for c in cols)]
        for name, g in self.groups.items():
            cells = "".join(
                f"{g[c]:17d}" if c in ("n", "n_unanswerable") else ("{:>17}".format("-") if g[c] is None else f"{g[c]:17.3f}")
                for c in cols
            )
            rows.append(f"{name:24}{cells}")
        return "\n".join(rows)


def rates(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Return hit@1, hit@3, MRR, quoted, retrieved@k and false abstention over answerable; abstention over
    unanswerable.

    `retrieved@k` is the share of answerable questions whose answer passage was among the top_k
    retrieved at all, answered or not: what a perfect sentence picker could cite.
    """
    ans = [o for o in outcomes if o.question.answerable]
    una = [o for o in outcomes if not o.question.answerable]

    def mean(values: list[float]) -> float | None:
        return round(statistics.fmean(values), 4) if values else None

    return {
        "n": len(ans),
        "hit@1": mean([float(o.rank == 1) for o in ans]),
        "hit@3": mean([float(o.rank is not None and o.rank <= 3) for o in ans]),
        "mrr": mean([o.reciprocal_rank for o in ans]),
        "false_abstention": mean([float(o.abstained) for o in ans]),
        # What the reader sees first: the quoted text itself holds an answer phrase, not only a cited passage.
        "quoted": mean([float(o.quoted) for o in ans]),
        "retrieved@k": mean([float(o.retrieved_rank is not None) for o in ans]),
        "n_unanswerable": len(una),
        "abstention": mean([float(o.abstained) for o in una]),
        # The retrieval floor: the plain search's top passages cited, nothing refused.
        "floor_hit@1": mean([float(o.floor_rank == 1) for o in ans]),
        "floor_hit@3": mean([float(o.floor_rank is not None and o.floor_rank <= 3) for o in ans]),
        "floor_mrr": mean([0.0 if o.floor_rank is None else 1.0 / o.floor_rank for o in ans]),
    }


def group_rates(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    """Return rates for all outcomes, then per split, then per kind."""
    groups = {"all": rates(outcomes)}
    for split in SPLITS:
        part = [o for o in outcomes if o.question.split == split]
        if part and len(part) != len(outcomes):
            groups[f"split={split}"] = rates(part)
    for kind in sorted({o.question.kind for o in outcomes}):
        groups[f"kind={kind}"] = rates([o for o in outcomes if o.question.kind == kind])
    return groups


def evaluate_questions(
    kb: KnowledgeBase, questions: Sequence[Question], *, split: str = "test", progress: bool = False
) -> QuestionReport:
    """Ask every question of the split through `KnowledgeBase.ask` and score its citations, beside the floor."""
    outcomes = []
    for q in _progress(_select(questions, split), progress):
        floor = first_hit_rank(q, kb.search(q.question, k=kb.settings.top_k))
        answer = kb.ask(q.question)
        hits = [c.hit for c in answer.citations]
        # The passages the answer chose from: citations plus related reading are all the hits retrieved.
        retrieved = first_hit_rank(q, hits + [c.hit for c in answer.related])
        cited = tuple(_place(h.document.source, h.chunk.page) for h in hits[:3])
        rank = None if answer.abstained else first_hit_rank(q, hits)
        quoted = not answer.abstained and any(_norm(a) in _norm_passage(answer.answer) for a in q.answers)
        outcomes.append(
            Outcome(q, answer.abstained, rank, retrieved, answer=answer.answer, cited=cited, floor_rank=floor,
                    quoted=quoted)
        )
    return QuestionReport(split=split, groups=group_rates(outcomes), outcomes=outcomes)


def _progress(items: list[Any], enabled: bool) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="questions", unit="q", leave=False)
