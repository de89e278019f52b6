"""Train the reader (kb/read/reader_weights.json) on the development question sets, and report it.

    .venv/bin/python scripts/train_reader.py [--data-dir /tmp/reader-train] [--budget 0.04] [--c 1.0]

Libraries are ingested through the production pipeline (kept in --data-dir, so a second run only re-reads what
changed): corpus/ with its question sets (tests/data/questions.yaml, dev6-dev12 and the opened sealed sets
sealed/corpus*.yaml), the real reports of ../shared/pdfs/policy with the opened sealed sets sealed/policy*.yaml,
four out-of-domain PDFs of ../shared/pdfs/nasty with tests/data/train_outside.yaml, and the opened sets over Debian
documents (tests/data/sealed/outside*.yaml, their libraries rebuilt by scripts/debian_library.py). Every answer
unit read for every question gets its features and a label (does it hold an answer phrase, in the right document
and page). A logistic regression is cross-validated with folds grouped by document; the abstention threshold is
the highest one whose out-of-fold false abstention stays within the budget; the final weights are fitted on
everything. Sealed sets (tests/data/sealed/) are read only once opened (their header says when), and only those
named below.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Opened sealed sets only (their header says when): sealed/corpus and sealed/policy 2026-12-05 23:07 UTC, 2-4
# 2026-12-06 03:20, 5 2026-12-06 05:13, 6 and 7 2026-12-06 06:10, 8 2026-12-06 07:20, 9 2026-12-06 07:45, 11
# 2026-12-06 17:35, 12 2026-12-06 20:20, 13 2026-12-06 21:01, 14 2026-12-06 21:33, 15 2026-12-06 21:54, 17
# 2026-12-06 23:25, 18 2026-12-07 00:03, 19 2026-12-07 01:36, 20 2026-12-07
# 02:16, 21 2026-12-07 03:44, 22 and 23 2026-12-07 06:14, 24 2026-12-07 07:08, 25 2026-12-07 13:02, 26 2026-12-07
# 13:43 (round 16 was lost unopened). Every other sealed set stays unread.
CORPUS_SETS = ("questions", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "sealed/corpus",
               "sealed/corpus2", "sealed/corpus3", "sealed/corpus4", "sealed/corpus5", "sealed/corpus6",
               "sealed/corpus7", "sealed/corpus8", "sealed/corpus9", "sealed/corpus11", "sealed/corpus12",
               "sealed/corpus13", "sealed/corpus14", "sealed/corpus15", "sealed/corpus17", "sealed/corpus18",
               "sealed/corpus19", "sealed/corpus20", "sealed/corpus21",
               "sealed/corpus22", "sealed/corpus23", "sealed/corpus24", "sealed/corpus25", "sealed/corpus26")
POLICY_SETS = ("sealed/policy", "sealed/policy2", "sealed/policy3", "sealed/policy4", "sealed/policy5",
               "sealed/policy6", "sealed/policy7", "sealed/policy8", "sealed/policy9", "sealed/policy11",
               "sealed/policy12", "sealed/policy13", "sealed/policy14", "sealed/policy15", "sealed/policy17",
               "sealed/policy18", "sealed/policy19", "sealed/policy20", "sealed/policy21",
               "sealed/policy22", "sealed/policy23", "sealed/policy24", "sealed/policy25", "sealed/policy26")
# Opened sets over libraries outside the domain, each over its own Debian documents (rebuilt from the set's
# SOURCES list by scripts/debian_library.py); they count as the "outside" library with the four nasty/ PDFs.
DEBIAN_SETS = ("outside11", "outside12", "outside13", "outside14", "outside15", "outside17", "outside18",
               "outside19", "outside20", "outside21", "outside22", "outside23", "outside24", "outside25", "outside26")
LIBRARIES = ("corpus", "policy", "outside")
OUTSIDE_FILES = (
    "bad-startxref-failure-after-repair.pdf", "gao-invalid-structure-pdfminer.pdf",
    "copy-protected-owner-pw-only.pdf", "scanned-book-2col-ocr-vicksburg.pdf",
)


def library(base: Path, name: str, folder: Path, **parts):  # type: ignore[no-untyped-def]
    """Return a KnowledgeBase over `folder`, ingested into base/name: an untrained reader unless `parts` say."""
    from ingest.pipeline import ingest_paths
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase, load_embedders
    from kb.read.ranker import RetrievalOrder
    from kb.train_reader import NullReader

    settings = Settings(data_dir=base / name, _env_file=None)  # type: ignore[call-arg]
    embedder, multilingual = load_embedders(settings)
    report = ingest_paths([folder], settings=settings, embedder=embedder, multilingual=multilingual)
    for item in report.failed:
        print(f"warning: {item['source']} not ingested: {item['reason']}", file=sys.stderr)
    parts = {"reader": NullReader(), "ranker": RetrievalOrder()} | parts
    return KnowledgeBase(settings, embedder=embedder, multilingual=multilingual, **parts)


def outside_folder(base: Path) -> Path:
    """Return a folder holding copies of the four out-of-domain PDFs (ingest skips links that leave the folder)."""
    import shutil

    folder = base / "outside-files"
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTSIDE_FILES:
        copy = folder / name
        if copy.is_symlink():
            copy.unlink()
        if not copy.exists():
            shutil.copyfile(ROOT.parent / "shared" / "pdfs" / "nasty" / name, copy)
    return folder


def debian_folder(base: Path, name: str) -> Path:
    """Return the Debian library of an opened out-of-domain set, assembled once from its SOURCES list."""
    import subprocess

    folder = base / f"{name}-files"
    sources = ROOT / "tests" / "data" / "sealed" / f"{name}-SOURCES.md"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "debian_library.py"), str(sources), str(folder)], check=True)
    return folder


def main() -> int:
    """Collect, cross-validate, choose the threshold, fit, save and report."""
    from tqdm import tqdm

    from kb.eval_questions import load_questions
    from kb.read.features import FEATURES
    from kb.read.scorer import WEIGHTS_FILE, LinearReader
    from kb.train_reader import choose_threshold, collect, fit, out_of_fold, outcomes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/reader-train"))
    parser.add_argument("--budget", type=float, default=0.04, help="false abstention allowed on held-out folds")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "reader-training.json")
    args = parser.parse_args()

    data = ROOT / "tests" / "data"
    corpus_kb = library(args.data_dir, "corpus", ROOT / "corpus")
    policy_kb = library(args.data_dir, "policy", ROOT.parent / "shared" / "pdfs" / "policy")
    outside_kb = library(args.data_dir, "outside", outside_folder(args.data_dir))
    bar = lambda items: tqdm(items, leave=False)  # noqa: E731
    examples = []
    for name in CORPUS_SETS:
        examples += collect(corpus_kb, load_questions(data / f"{name}.yaml"), library="corpus", progress=bar)
    for name in POLICY_SETS:
        examples += collect(policy_kb, load_questions(data / f"{name}.yaml"), library="policy", progress=bar)
    examples += collect(outside_kb, load_questions(data / "train_outside.yaml"), library="outside", progress=bar)
    for name in DEBIAN_SETS:
        debian_kb = library(args.data_dir, name, debian_folder(args.data_dir, name))
        examples += collect(debian_kb, load_questions(data / "sealed" / f"{name}.yaml"), library="outside", progress=bar)

    oof = out_of_fold(examples, c=args.c)
    threshold = choose_threshold(examples, oof, budget=args.budget)
    held_out = outcomes(examples, oof, threshold)
    by_library = {
        lib: outcomes([e for e in examples if e.group.startswith(lib)],
                      [p for e, p in zip(examples, oof, strict=True) if e.group.startswith(lib)], threshold)
        for lib in LIBRARIES
    }
    weights = fit(examples, c=args.c)
    info = {
        "trained_on": [f"tests/data/{n}.yaml (corpus/)" for n in CORPUS_SETS]
        + [f"tests/data/{n}.yaml (../shared/pdfs/policy)" for n in POLICY_SETS] + ["tests/data/train_outside.yaml"]
        + [f"tests/data/sealed/{n}.yaml (its Debian documents)" for n in DEBIAN_SETS],
        "questions": len(examples),
        "units": int(sum(len(e.labels) for e in examples)),
        "positives": int(sum(int(e.labels.sum()) for e in examples)),
        "budget": args.budget,
        "c": args.c,
        "held_out_folds": held_out,
        "held_out_by_library": by_library,
    }
    LinearReader(weights=weights, threshold=threshold, info=info).save(WEIGHTS_FILE)
    args.out.write_text(json.dumps({**info, "threshold": threshold,
                                    "weights": dict(zip(FEATURES, map(float, weights), strict=True))}, indent=2) + "\n")
    print(json.dumps({"threshold": round(threshold, 4), **info}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
