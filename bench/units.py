"""Unit-name routing benchmark: does a question reach the unit it names, and only that unit?

    python bench/units.py [--jobs 2] [--synthetic 10000]

The registry is what ingest would build: every PDF of ../shared/corpus (or $QA_CORPUS) parsed, its unit name and
the names it gives itself (加挂牌子) read by the parser (cached in bench/.cache/units.json by file content).
The mentions are eval/units/mentions.jsonl, written by hand as people name units (人社局, 普陀司法局, 市委宣传部,
万里街道 …), and its traps: another city's or district's same department, a parent or subordinate of an indexed
unit, a unit that is not indexed. Printed:
- routing accuracy: a mention routed to exactly its unit's documents;
- wrong-unit answers: a mention or trap routed to any other document (the failure that gives another unit's figures);
- traps refused: nothing routed; and how often the refusal names the near unit the index does hold;
- resolution time (CPU time of the resolving thread) against a registry of N units synthesised from the corpus's
  organisation names × real city names.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.ingest import pipeline_version  # noqa: E402
from qa.parse import ParseError, parse_pdf  # noqa: E402
from qa.places import gazetteer  # noqa: E402
from qa.units import Status, UnitRegistry, read_name  # noqa: E402

CORPUS = Path(os.environ.get("QA_CORPUS", ROOT.parent / "shared" / "corpus"))
MENTIONS = ROOT / "eval" / "units" / "mentions.jsonl"
SPLIT = ROOT / "eval" / "split.tsv"  # thresholds are chosen on fit mentions; validation ones show they hold
UNITS_TSV = ROOT / "eval" / "units" / "units.tsv"  # the files the mentions were written for (image-only scans left out)
CACHE = ROOT / "bench" / ".cache" / "units.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _read_unit(path: str) -> tuple[str, dict]:
    p = Path(path)
    try:
        doc = parse_pdf(p)
        return path, {"unit": doc.unit, "aliases": doc.aliases, "members": doc.members, "year": doc.year, "kind": doc.kind}
    except ParseError as e:
        return path, {"unit": None, "aliases": [], "error": str(e)}


def corpus_units(jobs: int) -> dict[str, dict]:
    """corpus-relative path → {unit, aliases, …} as the parser reads them (parsing only files not cached)."""
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    files = sorted(p for sub in ("fixtures", "real", "scale") for p in (CORPUS / sub).glob("*.pdf"))
    version = pipeline_version()  # the parser's fingerprint: other parsing code reads names anew
    keys = {str(p): f"{p.relative_to(CORPUS)}@{_sha(p)}@{version}" for p in files}
    todo = [str(p) for p in files if keys[str(p)] not in cache]
    if todo:
        print(f"parsing {len(todo)} files for their unit names (cached in {CACHE.relative_to(ROOT)})", file=sys.stderr)
        with Pool(jobs) as pool:
            for path, meta in pool.imap_unordered(_read_unit, todo):
                cache[keys[path]] = meta
                CACHE.parent.mkdir(parents=True, exist_ok=True)
                CACHE.write_text(json.dumps(cache, ensure_ascii=False, indent=0))
    return {k.split("@")[0]: cache[k] for k in keys.values()}


def routed_docs(registry: UnitRegistry, question: str, docs_of: dict[str, list[str]]) -> tuple[set[str], list]:
    res = registry.resolve(question)
    return {d for r in res for u in r.units for d in docs_of.get(u, [])}, res


def split_of(record: dict, splits: dict[str, str]) -> str:
    """A mention's split is its documents'; a trap's, that of the near documents it must not reach."""
    docs = record["docs"] or record.get("near") or []
    return "validation" if any(splits.get(d) == "validation" for d in docs) else "fit"


def evaluate(registry: UnitRegistry, docs_of: dict[str, list[str]], records: list[dict]) -> dict:
    by_form: dict[str, Counter] = defaultdict(Counter)
    misses: list[str] = []
    times: list[float] = []
    for r in records:
        t0 = time.thread_time()  # CPU time: what a resolution costs, whatever else this shared machine runs
        got, res = routed_docs(registry, r["question"], docs_of)
        times.append((time.thread_time() - t0) * 1000)
        expected = set(r["docs"])
        group = r.get("form") or f"trap:{r['trap']}"
        for c in (by_form[group], by_form[f"split:{r['split']}:{'trap' if not expected else 'mention'}"]):
            _count(c, r, got, expected, res, docs_of)
        if got != expected:
            states = "; ".join(f"{x.mention}→{x.status.value}:{x.units or x.candidates}" for x in res) or "no mention"
            misses.append(f"{r['id']} [{group}] {r['question']}  expected {sorted(expected) or 'refusal'}  got {states}")
    return {"by_form": by_form, "misses": misses, "times": times}


def _count(c: Counter, r: dict, got: set[str], expected: set[str], res: list, docs_of: dict[str, list[str]]) -> None:
    c["n"] += 1
    if expected:
        c["right"] += got == expected
        c["wrong"] += bool(got - expected)
        c["refused"] += not got
    else:
        c["refused"] += not got
        c["wrong"] += bool(got)
        near_units = {u for u, ds in docs_of.items() if set(ds) & set(r.get("near", []))}
        c["named_near"] += bool(near_units & {u for x in res for u in x.candidates})


def synthetic_registry(real_units: list[str], n: int, seed: int = 7) -> list[str]:
    """n unit names: the corpus's organisation names under real city names (上海市审计局 → 兰州市审计局 …)."""
    gaz = gazetteer()
    cities = [p.name for p in gaz.by_code.values() if p.code.endswith("00") and not p.code.endswith("0000")]
    orgs = sorted({read_name(u, gaz).org for u in real_units if read_name(u, gaz).region})
    rng = random.Random(seed)
    names = {f"{c}{o}" for c in cities for o in orgs}
    return rng.sample(sorted(names), min(n, len(names)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="processes parsing uncached files")
    ap.add_argument("--synthetic", type=int, default=10000, help="units in the timing registry")
    ap.add_argument("--misses", type=int, default=40, help="misses to print")
    ap.add_argument("--no-synthetic", action="store_true", help="skip the timing registry")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS} (set QA_CORPUS)")
    meta = corpus_units(args.jobs)
    written_for = {line.split("\t")[0] for line in UNITS_TSV.read_text().splitlines()[1:]}
    docs_of: dict[str, list[str]] = defaultdict(list)
    aliases: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for path, m in meta.items():
        if m.get("unit") and path in written_for:
            docs_of[m["unit"]].append(path)
            aliases[m["unit"]].update(m.get("aliases") or [])
            members[m["unit"]].update(m.get("members") or [])
    splits = dict(line.split("\t") for line in SPLIT.read_text().splitlines() if line and not line.startswith("#"))
    records = [json.loads(line) for line in MENTIONS.read_text().splitlines() if line.strip()]
    for r in records:
        r["split"] = split_of(r, splits)
    t0 = time.perf_counter()
    registry = UnitRegistry(aliases, members)
    build_s = time.perf_counter() - t0
    out = evaluate(registry, docs_of, records)

    print(f"registry: {len(registry.keys)} units from {sum(len(d) for d in docs_of.values())} of {len(meta)} corpus "
          f"files (built in {build_s * 1000:.0f} ms); {len(records)} questions ({sum(1 for r in records if r['docs'])}"
          f" mentions, {sum(1 for r in records if not r['docs'])} traps)\n")
    print(f"{'form / trap':<22}{'n':>6}{'routed right':>14}{'wrong unit':>12}{'refused':>10}{'near named':>12}")
    totals: Counter = Counter()
    trap_totals: Counter = Counter()
    for group, c in sorted(out["by_form"].items(), key=lambda kv: (kv[0].split(":")[0], kv[0])):
        if group.startswith("split:"):
            continue
        n = c["n"]
        trap = group.startswith("trap")
        (trap_totals if trap else totals).update(c)
        right = "" if trap else f"{c['right'] / n:.3f}"
        near = f"{c['named_near'] / n:.3f}" if trap else ""
        print(f"{group:<22}{n:>6}{right:>14}{c['wrong'] / n:>12.3f}{c['refused'] / n:>10.3f}{near:>12}")
    n_m, n_t = totals["n"], trap_totals["n"]
    wrong = (totals["wrong"] + trap_totals["wrong"]) / (n_m + n_t)
    print(f"\nrouting accuracy (mentions): {totals['right'] / n_m:.4f}  (target ≥ 0.99)")
    print(f"wrong-unit answers (all):   {wrong:.4f}  (target ≤ 0.005)")
    print(f"traps refused:               {trap_totals['refused'] / n_t:.4f}  (target ≥ 0.98); naming the near unit "
          f"{trap_totals['named_near'] / n_t:.3f}")
    for split in ("fit", "validation"):
        m, t = out["by_form"][f"split:{split}:mention"], out["by_form"][f"split:{split}:trap"]
        print(f"  {split:<11} mentions {m['n']:>4}: routed right {m['right'] / m['n']:.4f}, wrong unit "
              f"{m['wrong'] / m['n']:.4f};  traps {t['n']:>3}: refused {t['refused'] / t['n']:.4f}")
    print(f"resolution at {len(registry.keys)} units: p50 {statistics.median(out['times']):.2f} ms, "
          f"max {max(out['times']):.2f} ms")

    if args.no_synthetic:
        return _print_misses(out["misses"], args.misses)
    big = synthetic_registry(list(docs_of), args.synthetic)
    t0 = time.perf_counter()
    large = UnitRegistry({**{u: () for u in big if u not in aliases}, **aliases}, members)
    build_s = time.perf_counter() - t0
    timed = evaluate(large, docs_of, records)
    ts = sorted(timed["times"])
    c = Counter()
    for group, cc in timed["by_form"].items():
        if not group.startswith("split:"):
            c.update(cc)
    print(f"resolution at {len(large.keys)} units (built in {build_s:.1f} s): p50 {ts[len(ts) // 2]:.2f} ms, "
          f"p95 {ts[int(len(ts) * 0.95)]:.2f} ms, max {ts[-1]:.2f} ms (target ≤ 5 ms); wrong-unit answers there "
          f"{c['wrong'] / c['n']:.4f}")
    _print_misses(out["misses"], args.misses)


def _print_misses(misses: list[str], n: int) -> None:
    if misses:
        print(f"\nmisses ({len(misses)}, first {n}):")
        for line in misses[:n]:
            print("  " + line)


if __name__ == "__main__":
    main()
