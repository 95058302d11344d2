"""The `qa` command: a thin layer over qa.Assistant (and the parser for `show`)."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import click

from .chunk import table_caption
from .embedding import DEVICES

_index = click.option("--index", "index_dir", envvar="QA_INDEX", default=None, help="index folder (default ./index, env QA_INDEX)")
_chroma = click.option("--chroma-url", envvar="QA_CHROMA_URL", default=None, help="Chroma server URL instead of the embedded store")
_model = click.option("--embed-model", envvar="QA_EMBED_MODEL", default=None,
                      help="sentence-transformers name or folder, '+int8' to quantize (default multilingual-e5-small, offline)")
_device = click.option("--device", envvar="QA_DEVICE", type=click.Choice(DEVICES), default=None,
                       help="where to embed: cuda, cpu, or auto (default: cuda where torch sees a GPU; env QA_DEVICE)")


_workers = click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
                        help="processes parsing files while this one writes (on a CPU, half as many more embed)")


def _assistant(index_dir, chroma_url, embed_model, device=None):
    from .assistant import Assistant
    from .store import IndexModelMismatch

    try:
        return Assistant(index_dir=index_dir, chroma_url=chroma_url, embed_model=embed_model, device=device)
    except IndexModelMismatch as e:
        raise click.ClickException(str(e)) from e


@click.group()
def main() -> None:
    """预决算公开问答 — ask Chinese budget/final-account disclosures for exact figures and their sources."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_index
@_chroma
@_model
@_device
@click.option("--json", "as_json", is_flag=True, help="one JSON line per file")
@_workers
def ingest(paths, index_dir, chroma_url, embed_model, device, as_json, workers):
    """Parse and index PDF files or folders (recursive). Bad files are reported and skipped."""
    a = _assistant(index_dir, chroma_url, embed_model, device)
    results = a.ingest(paths, progress=not as_json, workers=workers)
    for r in results:
        if as_json:
            click.echo(json.dumps(r.to_dict(), ensure_ascii=False))
        elif r.ok:
            embedded = f", {r.embedded} embedded" if r.status in ("added", "replaced") else ""  # the others were stored
            click.echo(f"{r.status:9s} {r.file}  [{r.unit or '?'} {r.year or '?'}] {r.pages} pages, {r.tables} tables, "
                       f"{r.chunks} chunks{embedded}")
        else:
            click.echo(f"FAILED    {r.file}  ({r.reason}) {r.message}", err=True)
    failed = [r for r in results if not r.ok]
    counts = {s: sum(r.status == s for r in results) for s in ("added", "replaced", "unchanged", "duplicate", "failed")}
    if not as_json:
        click.echo("summary: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    sys.exit(1 if failed else 0)


@main.command()
@_index
@_chroma
@click.option("--json", "as_json", is_flag=True)
def docs(index_dir, chroma_url, as_json):
    """List the indexed documents."""
    from .store import ChunkStore, make_client

    recs = ChunkStore(make_client(index_dir, chroma_url)).documents()
    if as_json:
        for r in recs:
            click.echo(json.dumps(r.__dict__, ensure_ascii=False))
        return
    click.echo(f"{'id':16s}  {'unit':30s} {'year':>4s} {'kind':6s} {'pages':>5s} {'tables':>6s} {'chunks':>6s}  file")
    for r in recs:
        kind = f"{r.scope or ''}{r.kind or ''}"
        click.echo(f"{r.id:16s}  {(r.unit or '?'):30s} {r.year or '?':>4} {kind:6s} {r.pages:5d} {r.tables:6d} {r.chunks:6d}  {r.file}")
    click.echo(f"{len(recs)} documents")


@main.command()
@click.argument("doc")
@_index
@_chroma
def remove(doc, index_dir, chroma_url):
    """Remove a document (id, id prefix, file name or path) and its chunks."""
    from .store import ChunkStore, index_path, make_client

    store = ChunkStore(make_client(index_dir, chroma_url), lock_dir=None if chroma_url else index_path(index_dir))
    found = store.find_documents(doc)
    if len(found) != 1:
        click.echo(f"{'no' if not found else len(found)} documents match '{doc}'" + "".join(f"\n  {r.id} {r.file}" for r in found), err=True)
        sys.exit(1)
    with store.writing():
        store.remove_document(found[0].id)
    click.echo(f"removed {found[0].id} {found[0].file}")


@main.command()
@_index
@_chroma
def compact(index_dir, chroma_url):
    """Rebuild the chunk collection without the vectors of deleted chunks, which slow searches within a document
    (an embedded index does it by itself once more were deleted than it holds; on a server, run it while no one writes)."""
    from .store import ChunkStore, index_path, make_client

    store = ChunkStore(make_client(index_dir, chroma_url), lock_dir=None if chroma_url else index_path(index_dir))
    start = time.perf_counter()
    with store.writing():
        kept = store.compact()
    click.echo(f"compacted: {kept} chunks kept ({time.perf_counter() - start:.1f} s)")


@main.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False))
@click.option("--tables", "only_tables", is_flag=True, help="only the tables, every row")
@click.option("--json", "as_json", is_flag=True, help="the whole document model as JSON")
def show(pdf, only_tables, as_json):
    """Print the parsed document model of a PDF (for debugging a layout)."""
    from dataclasses import asdict

    from .parse import ParseError, parse_pdf

    try:
        d = parse_pdf(pdf)
    except ParseError as e:
        click.echo(f"cannot parse ({e.reason}): {e}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(asdict(d), ensure_ascii=False, default=str, indent=1))
        return
    click.echo(f"{d.title}\n单位: {d.unit}  年度: {d.year}  类型: {d.scope or ''}{d.kind or ''}  页数: {d.page_count}  id: {d.id}")
    for w in d.warnings:
        click.echo(f"warning: {w}")
    if not only_tables:
        for s in d.sections:
            p0, p1 = s.pages
            click.echo(f"\n§ {s.heading or '(无标题)'}  [p{p0}-{p1}]")
            for para in s.paragraphs:
                click.echo(f"  p{para.page}: {para.text}")
    for t in d.tables:
        click.echo(f"\n表 {table_caption(t)}  pages {t.pages}  单位名称: {t.unit_name or '-'}" + ("  (空表)" if t.empty else ""))
        if t.headers:
            click.echo("  columns: " + " | ".join(h or "-" for h in t.headers))
        for r in t.rows:
            cells = "; ".join(f"{c.header}={c.raw}" for c in r.cells) or "(空)"
            click.echo(f"  p{r.page} {r.path}: {cells}")
        for f in t.fields:
            click.echo(f"  p{f.page} {f.label}: {f.value}")
        for n in t.notes:
            click.echo(f"  {n}")


@main.command()
@click.argument("question", required=False)
@_index
@_chroma
@_model
@click.option("--json", "as_json", is_flag=True, help="one JSON object per question, one per line")
@click.option("-k", "k", default=5, show_default=True, help="how many sources to return")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True)
def ask(question, index_dir, chroma_url, embed_model, as_json, k, mode):
    """Answer a question; with no QUESTION, answer each line of standard input in turn."""
    a = _assistant(index_dir, chroma_url, embed_model)
    a.warm()  # the model and the lexical index load once, before the first question: elapsed_ms is answering alone
    questions = [question] if question else (line.strip() for line in sys.stdin)
    for text in questions:
        if not text:
            continue
        ans = a.ask(text, k=k, mode=mode)
        if as_json:
            click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
            continue
        click.echo(f"问：{ans.question}\n答：{ans.answer}")
        for w in ans.warnings:
            click.echo(f"  ⚠ {w}")
        for f in ans.figures[:5]:
            click.echo(f"  · {f.label} {f.column or ''} {f.raw}{f.unit or ''}  [{f.table or '说明'} 第{f.page}页 {f.doc}]")
        for i, s in enumerate(ans.sources, 1):
            where = s.table or s.section or ""
            click.echo(f"  [{i}] {s.unit} {s.year or ''} {where} 第{s.page}页  ({s.doc})")
        click.echo(f"  ({ans.elapsed_ms:.0f} ms)\n")


@main.command()
@click.argument("doc")
@_index
@_chroma
@click.option("--json", "as_json", is_flag=True, help="one JSON object per finding, one per line")
def check(doc, index_dir, chroma_url, as_json):
    """Consistency findings (勾稽校验) of a document: a PDF path, or an indexed document's id, file or unit name.

    Exits 1 when a finding has error severity (for a reviewer's script), 2 when the document cannot be read or found."""
    from .check import check_document
    from .finding import Finding, Severity

    if Path(doc).is_file() and doc.lower().endswith(".pdf"):
        from .parse import ParseError, parse_pdf

        try:
            parsed = parse_pdf(doc)
        except ParseError as e:
            click.echo(f"cannot parse ({e.reason}): {e}", err=True)
            sys.exit(2)
        name, found = f"{parsed.unit or ''} {parsed.year or ''} {parsed.file}", check_document(parsed)
    else:
        from .store import ChunkStore, make_client

        recs = ChunkStore(make_client(index_dir, chroma_url)).documents()
        hits = [r for r in recs if r.id.startswith(doc) or doc in (r.file, r.path)] or [r for r in recs if r.unit and doc in r.unit]
        if len(hits) != 1:
            click.echo(f"{'no' if not hits else len(hits)} indexed documents match '{doc}'" + "".join(f"\n  {r.id} {r.unit} {r.year} {r.file}" for r in hits), err=True)
            sys.exit(2)
        name, found = f"{hits[0].unit or ''} {hits[0].year or ''} {hits[0].file}", [Finding.from_dict(d) for d in hits[0].findings]
    if as_json:
        for f in found:
            click.echo(json.dumps(f.to_dict(), ensure_ascii=False))
    else:
        click.echo(f"{name}: {len(found)} 处勾稽问题")
        for f in found:
            pages = f"第{'、'.join(map(str, f.pages))}页" if f.pages else "全文"
            click.echo(f"  [{f.severity}] {f.kind} {pages}：{f.message}")
    if any(f.severity == Severity.ERROR for f in found):
        sys.exit(1)


@main.command("eval")
@click.option("--questions", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="question files (repeatable; default eval/questions.jsonl and eval/questions/*.jsonl, "
                   "only eval/questions.jsonl with --small)")
@click.option("--corpus", "corpus_list", type=click.Path(exists=True, dir_okay=False), default=None,
              help="file listing the PDFs to index first (default the documents of the questions, "
                   "eval/corpus_small.txt with --small)")
@click.option("--corpus-root", type=click.Path(), default="../shared/corpus", show_default=True, envvar="QA_CORPUS")
@click.option("--index", "index_dir", default="eval/.index", show_default=True, help="the eval's own index folder")
@click.option("--small", is_flag=True, help="the CI subset: small corpus, questions marked small")
@click.option("--split", "split_name", type=click.Choice(["fit", "validation", "all"]), default="all", show_default=True,
              help="the documents of eval/split.tsv to ask about")
@click.option("--types", default=None, help="only these question types, comma-separated (followed questions are "
                                              "still asked first, unscored)")
@click.option("--mode", "modes", multiple=True, type=click.Choice(["hybrid", "lexical", "dense"]), help="default: all three")
@click.option("--min-accuracy", type=float, default=None, help="exit 1 if hybrid answer@1 is below this")
@click.option("--failures", type=click.Path(), default=None, help="write each failed question as JSON lines here")
@click.option("--json", "json_out", type=click.Path(), default=None,
              help="write every question's result (id, split, type, right, answer, first figure) as JSON lines here")
@_workers
@_chroma
@_model
@_device
def eval_cmd(questions, corpus_list, corpus_root, index_dir, small, split_name, types, modes, min_accuracy, failures,
             json_out, workers, chroma_url, embed_model, device):
    """Run the eval set with the lexical, dense and hybrid retrievers side by side, on fit and validation documents."""
    from .evaluate import SPLITS, format_splits, format_table, item_docs, load_items, read_split, run_eval

    paths = [Path(q) for q in questions] or [Path("eval/questions.jsonl")] + (
        [] if small else sorted(Path("eval/questions").glob("*.jsonl")))
    root = Path(corpus_root)
    listing = corpus_list or ("eval/corpus_small.txt" if small else None)
    rels = ([line.strip() for line in Path(listing).read_text(encoding="utf-8").splitlines() if line.strip()]
            if listing else list(dict.fromkeys(d for p in paths for d in item_docs(p))))
    files = [root / rel for rel in rels]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        click.echo(f"corpus files missing (set --corpus-root or QA_CORPUS): {missing[:3]}…", err=True)
        sys.exit(2)
    try:
        a = _assistant(index_dir, chroma_url, embed_model, device)
    except click.ClickException as e:
        if chroma_url or not Path(index_dir).is_dir():
            raise
        # the eval's own folder is a cache of the corpus: rebuild it for another embedding model
        click.echo(f"note: {e.message}; rebuilding {index_dir}", err=True)
        shutil.rmtree(index_dir)
        a = _assistant(index_dir, chroma_url, embed_model, device)
    for r in a.ingest(files, progress=False, workers=workers):
        if not r.ok:
            click.echo(f"note: {r.file} not indexed ({r.reason})", err=True)
    split = read_split(Path("eval/split.tsv"))
    pool = [item for p in paths for item in load_items(p, small=small, split=split)]
    wanted = set(types.split(",")) if types else None
    items = [i for i in pool if split_name in ("all", i.split) and (wanted is None or i.type in wanted)]
    with open(json_out or os.devnull, "w", encoding="utf-8") as results:
        def write(mode, result):  # as each answer is judged: a run stopped early keeps what it measured
            results.write(json.dumps({"mode": mode, **result.to_dict()}, ensure_ascii=False) + "\n")
            results.flush()

        reports = run_eval(a, items, modes=modes or ("lexical", "dense", "hybrid"), pool=pool, on_result=write)
    click.echo(f"{len(items)} questions over {len(a.documents())} documents\n" + format_table(reports))
    click.echo("\n" + format_splits(reports, SPLITS if split_name == "all" else (split_name,)))
    if failures:
        with open(failures, "w", encoding="utf-8") as fh:
            for rep in reports.values():
                for row in rep.failures:
                    fh.write(json.dumps({"mode": rep.mode, **row}, ensure_ascii=False) + "\n")
    hybrid = reports.get("hybrid")
    if min_accuracy is not None and hybrid is not None:
        acc = hybrid.row()["answer@1"] or 0.0
        if acc < min_accuracy:
            click.echo(f"FAIL: hybrid answer@1 {acc} < {min_accuracy}", err=True)
            sys.exit(1)


if __name__ == "__main__":
    main()
