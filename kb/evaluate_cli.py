"""`kb eval beir` and `kb eval questions`: CLI wiring that builds indexes through the ingest pipeline."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

EMBED_BATCH = 256


def add_eval_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add `kb eval beir` and `kb eval questions` to the `kb` command."""
    p = subparsers.add_parser("eval", help="measure retrieval (BEIR) or answers (question set)")
    sub = p.add_subparsers(dest="eval_command", required=True)

    b = sub.add_parser("beir", parents=[common], help="nDCG@10, recall and MRR on a BEIR dataset folder")
    b.add_argument("dir", type=Path, help="folder with corpus.jsonl, queries.jsonl and qrels")
    b.add_argument("--split", default="test")
    b.add_argument("--run", type=Path, help="write the hybrid top-100 here in TREC format")
    b.add_argument("--json", action="store_true", help="print the report as JSON")
    b.add_argument("--limit-docs", type=int, help="only the first N documents (and queries judged on them)")
    b.add_argument("--limit-queries", type=int, help="only the first N queries")
    b.add_argument(
        "--embed-cache", type=Path,
        help="folder keeping passage embeddings between runs (by content hash and model); default: none",
    )
    b.set_defaults(func=cmd_eval_beir)

    q = sub.add_parser("questions", parents=[common], help="hit@k, MRR and abstention on a question set")
    q.add_argument("file", type=Path, help="questions YAML (see tests/data/questions.yaml)")
    q.add_argument("--split", choices=("test", "tune", "all"), default="test")
    q.add_argument("--json", action="store_true")
    q.add_argument("--corpus", type=Path, help="folder to ingest (default: KB_CORPUS_DIR)")
    q.set_defaults(func=cmd_eval_questions)

    from kb.commitments.cli import add_eval_commitments_parser

    add_eval_commitments_parser(sub, common)


def _progress_enabled(args: argparse.Namespace) -> bool:
    return not getattr(args, "json", False) and sys.stderr.isatty()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parsed_index_builder(
    settings: Any, embedder: Any, *, multilingual: Any = None, embed_cache: Path | None = None, progress: bool = False
) -> Callable[[list[tuple[str, Any]]], Any]:
    """Return a builder: parsed documents → a KnowledgeBase, through `Ingestor.stage` + `finish`.

    Passages are embedded up front in large batches and put in the store's embedding cache, so
    `stage` finds every vector cached and the stored chunks and texts are exactly production's.
    """

    def build(docs: list[tuple[str, Any]]) -> Any:
        from ingest.chunk import chunk_pages, embedding_text
        from ingest.discover import Entry, document_id
        from ingest.pipeline import Ingestor, IngestReport
        from kb.errors import ParseError
        from kb.knowledge_base import KnowledgeBase
        from kb.store import Store

        root = "beir"
        ingestor = Ingestor(settings, embedder, multilingual=multilingual, parser=_no_parser)
        texts: dict[str, str] = {}
        for source, parsed in _bar(docs, progress, "chunk", "doc"):
            title = parsed.title or Path(source).stem.replace("_", " ").replace("-", " ")  # as stage
            chunks = chunk_pages(
                parsed.pages, document_id=document_id(root, source), count_tokens=ingestor.count_tokens,
                size=settings.chunk_tokens, overlap=settings.chunk_overlap,
            )
            for chunk in chunks:
                text = embedding_text(title, chunk)
                texts[_sha(text)] = text
        cache = Store(embed_cache) if embed_cache else None
        for model in ingestor.embedders:
            vectors = cache.cached_vectors(list(texts), model.name) if cache else {}
            todo = [h for h in texts if h not in vectors]
            batches = [todo[i : i + EMBED_BATCH] for i in range(0, len(todo), EMBED_BATCH)]
            for batch in _bar(batches, progress, f"embed {model.name[:12]}", "batch"):
                fresh = dict(zip(batch, model.embed([texts[h] for h in batch], kind="passage"), strict=True))
                vectors.update(fresh)
                if cache:
                    cache.cache_vectors(fresh, model.name)
            ingestor.store.cache_vectors(vectors, model.name)
        report = IngestReport()
        for source, parsed in _bar(docs, progress, "store", "doc"):
            text = "\n".join(p.text for p in parsed.pages)
            try:
                ingestor.stage(
                    parsed, root=root, source=source, entry=Entry(), sha=_sha(f"{parsed.title}\n{text}"),
                    report=report,
                )
            except ParseError:
                continue  # an empty document: nothing to index
        ingestor.finish(report)
        ingestor.close()
        if report.chunks_embedded:
            import logging

            logging.getLogger(__name__).warning(
                "%d passages were embedded by the pipeline itself: the batch pre-embedding missed them",
                report.chunks_embedded,
            )
        return KnowledgeBase(settings, embedder=embedder, multilingual=multilingual)

    return build


def _no_parser(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the evaluation index is built from parsed documents; no file is parsed")


def _bar(items: Any, enabled: bool, desc: str, unit: str) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, leave=False)


def cmd_eval_beir(args: argparse.Namespace) -> int:
    """Index a BEIR dataset in a throw-away folder and print dense, keyword and hybrid metrics."""
    from kb.config import Settings
    from kb.eval_beir import evaluate_beir, load_beir
    from kb.evaluate import write_trec_run
    from kb.knowledge_base import load_embedders

    data = load_beir(args.dir, split=args.split, limit_docs=args.limit_docs, limit_queries=args.limit_queries)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        settings = Settings(data_dir=Path(args.data_dir) if args.data_dir else Path(tmp))  # type: ignore[call-arg]
        embedder, multilingual = load_embedders(settings)
        progress = _progress_enabled(args)
        build = parsed_index_builder(
            settings, embedder, multilingual=multilingual, embed_cache=args.embed_cache, progress=progress
        )
        report = evaluate_beir(data, build, progress=progress)
    if args.run:
        write_trec_run(report.runs["hybrid"], args.run, tag="nsps-kb-hybrid")
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.table())
        if args.run:
            print(f"hybrid run written to {args.run}")
    return 0


def cmd_eval_questions(args: argparse.Namespace) -> int:
    """Ingest the corpus (production path) and score the answers on the question set."""
    from ingest.pipeline import ingest_paths
    from kb.config import Settings
    from kb.eval_questions import evaluate_questions, load_questions
    from kb.knowledge_base import KnowledgeBase, load_embedders

    questions = load_questions(args.file)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        # --data-dir keeps (and on later runs reuses, incrementally) the index; otherwise it is thrown away.
        settings = Settings(data_dir=Path(args.data_dir) if args.data_dir else Path(tmp))  # type: ignore[call-arg]
        corpus = args.corpus or settings.corpus_dir
        embedder, multilingual = load_embedders(settings)
        progress = _progress_enabled(args)
        ingest = ingest_paths(
            [corpus], settings=settings, embedder=embedder, multilingual=multilingual, progress=progress
        )
        for item in ingest.failed:
            print(f"kb eval: warning: {item['source']} was not ingested: {item['reason']}", file=sys.stderr)
        kb = KnowledgeBase(settings, embedder=embedder, multilingual=multilingual)
        report = evaluate_questions(kb, questions, split=args.split, progress=progress)
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.text())
    return 0
