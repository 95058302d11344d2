"""OCR accuracy: the scanned fixture read by OCR against the faithful PDF's text layer, page by page.

    python bench/ocr_accuracy.py [--resolution 200] [--corpus ../shared/corpus] [--documents]

Per page, both sides go through the same read_page: the faithful page from its text layer, the scanned
page from its OCR'd image. Character accuracy is 1 − edit distance / reference length over the page's
text (lines and table cells; whitespace and 目录 dot leaders dropped); table cells count as recovered when the OCR'd grid has
exactly the reference text at the same row and column. With --documents both files are also parsed whole
and the parsed table rows compared: (table, row label, column, value) found exactly.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber
import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.parse import ParseSettings, parse_pdf  # noqa: E402
from qa.parse.ocr import ocr_page  # noqa: E402
from qa.parse.pdf import Line, read_page  # noqa: E402

SCANNED = "fixtures/yangquan2_2026_budget_scanned.pdf"
FAITHFUL = "fixtures/yangquan2_2026_budget.pdf"


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_LEADER = re.compile(r"[.…·]{3,}")  # 目录 dot leaders: drawn, not read, by OCR


def page_text(blocks) -> str:
    parts = [b.text if isinstance(b, Line) else "".join(c or "" for row in b.grid for c in row) for b in blocks]
    return _LEADER.sub("", "".join("".join(parts).split()))


def grid_cells(blocks) -> list[list[list[str | None]]]:
    return [b.grid for b in blocks if not isinstance(b, Line)]


def cells_recovered(ref_grids, ocr_grids) -> tuple[int, int]:
    """(reference non-empty cells, of them found with the same text at the same place in the same table)."""
    total = same = 0
    for t, grid in enumerate(ref_grids):
        other = ocr_grids[t] if t < len(ocr_grids) else []
        for i, row in enumerate(grid):
            for j, cell in enumerate(row):
                if not cell:
                    continue
                total += 1
                same += i < len(other) and j < len(other[i]) and other[i][j] == cell
    return total, same


def row_values(doc) -> set[tuple]:
    return {(t.title, r.label, c.header, c.raw) for t in doc.tables for r in t.rows for c in r.cells}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--resolution", type=int, default=ParseSettings().ocr_resolution)
    ap.add_argument("--documents", action="store_true", help="also parse both files whole and compare table rows")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    settings = ParseSettings(ocr_resolution=args.resolution)
    print("page\tref_chars\tchar_acc\tcells\tcells_exact\tconfidence\tocr_s")
    tot_ref = tot_dist = tot_cells = tot_same = 0
    seconds = []
    with pdfplumber.open(corpus / FAITHFUL) as ref_pdf, pdfplumber.open(corpus / SCANNED) as scan_pdf:
        for n, (ref_page, scan_page) in enumerate(zip(ref_pdf.pages, scan_pdf.pages), start=1):
            ref = read_page(ref_page, n, settings).blocks
            t0 = time.perf_counter()
            read = ocr_page(scan_page, settings.ocr_resolution)
            got = read_page(read.page, n, settings).blocks
            seconds.append(time.perf_counter() - t0)
            a, b = page_text(ref), page_text(got)
            dist = edit_distance(b, a)
            cells, same = cells_recovered(grid_cells(ref), grid_cells(got))
            tot_ref, tot_dist, tot_cells, tot_same = tot_ref + len(a), tot_dist + dist, tot_cells + cells, tot_same + same
            print(f"{n}\t{len(a)}\t{1 - dist / max(len(a), 1):.4f}\t{cells}\t{same}\t{read.confidence:.4f}\t{seconds[-1]:.1f}")
    print(f"all\t{tot_ref}\t{1 - tot_dist / tot_ref:.4f}\t{tot_cells}\t{tot_same}\t\t{sum(seconds):.1f}")
    print(f"resolution {args.resolution} dpi: character accuracy {1 - tot_dist / tot_ref:.2%}, table cells exact "
          f"{tot_same}/{tot_cells} ({tot_same / max(tot_cells, 1):.2%}), {sum(seconds) / len(seconds):.1f} s/page")
    if args.documents:
        with tempfile.TemporaryDirectory() as tmp:
            # the faithful file cut to the scanned file's pages, so both documents cover the same pages
            src = pypdfium2.PdfDocument(corpus / FAITHFUL)
            cut = pypdfium2.PdfDocument.new()
            cut.import_pages(src, list(range(len(seconds))))
            cut.save(Path(tmp) / "faithful.pdf")
            ref_rows = row_values(parse_pdf(Path(tmp) / "faithful.pdf", settings))
        got_rows = row_values(parse_pdf(corpus / SCANNED, settings))
        found = len(ref_rows & got_rows)
        print(f"documents: table row values (table, label, column, value) recovered exactly {found}/{len(ref_rows)} "
              f"({found / max(len(ref_rows), 1):.2%}); {len(got_rows - ref_rows)} OCR values not in the reference")


if __name__ == "__main__":
    main()
