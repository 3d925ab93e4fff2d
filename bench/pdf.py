"""Benchmark: PDF layout CPU-seconds per report in one warm process, as `kinres pdf` runs it.

Renders every results/<sample>/report.html given (or found under --results) with
kinres.report.pdf (render_document, then document_to_pdf) after one warm-up render (WeasyPrint
import and first-use costs are paid once per `kinres pdf` job, not per report). Per report it
keeps the lowest CPU time of --repeat runs (CPU time, not wall time: the machine is shared) and
prints the median over the reports. The reference, measured in the same run, is a minimal
one-page HTML document with the same stylesheet; the ratio is the honest number on a loaded
machine. Target (issue 12): layout <= 0.5 CPU-s per typical report; layout (WeasyPrint's render():
HTML parse, cascade, boxes, pages) and painting + writing the PDF are printed apart.

    snakemake --profile profiles/default --config results=/tmp/r   # the 12 demo reports
    python bench/pdf.py --results /tmp/r [--repeat 3] [--profile 30]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
from pathlib import Path


def _cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def _reference_html(report_html: str) -> str:
    """A one-page document carrying the reports' own <style> block and one paragraph."""
    style = re.search(r"<style>.*?</style>", report_html, re.DOTALL)
    return (f"<!doctype html><html><head>{style.group(0) if style else ''}</head>"
            "<body><p>kinres</p></body></html>")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="results directory of a finished run")
    parser.add_argument("html", nargs="*", type=Path, help="report.html files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also print the N most expensive functions (cProfile, cumulative)")
    args = parser.parse_args()
    paths = list(args.html)
    if args.results:
        paths += sorted(args.results.glob("*/report.html"))
    if not paths:
        parser.error("no report.html given (run the demo workflow first, see --help)")
    htmls = [p.read_text(encoding="utf-8") for p in paths]

    t0 = time.process_time()
    from weasyprint import HTML

    from kinres.report.pdf import _font_config, document_to_pdf, html_to_pdf, render_document

    html_to_pdf(htmls[0])
    print(f"import + first render: {time.process_time() - t0:.2f} CPU-s (once per kinres pdf job)")

    def plain(h):
        """WeasyPrint as documented, same font configuration: the floor kinres started from."""
        return HTML(string=h).write_pdf(font_config=_font_config())

    reference = _reference_html(htmls[0])
    ref = min(_cpu(lambda: html_to_pdf(reference)) for _ in range(max(3, args.repeat)))
    # Plain WeasyPrint first: kinres' renderer freezes the collector for the rest of the process.
    per_plain = [min(_cpu(lambda h=h: plain(h)) for _ in range(args.repeat)) for h in htmls]
    gc.collect()
    gc.freeze()  # what kinres.report.pdf.write_pdfs does after its first report
    per_report, per_layout, per_write = [], [], []
    for h in htmls:
        runs = []
        for _ in range(args.repeat):
            t0 = time.process_time()
            document = render_document(h)
            t1 = time.process_time()
            document_to_pdf(document)
            t2 = time.process_time()
            runs.append((t2 - t0, t1 - t0, t2 - t1))
            del document
        best = min(runs)
        per_report.append(best[0])
        per_layout.append(min(r[1] for r in runs))
        per_write.append(min(r[2] for r in runs))
    median = statistics.median(per_report)
    print(f"reports: {len(htmls)}; per report CPU-s: median {median:.3f}, "
          f"min {min(per_report):.3f}, max {max(per_report):.3f}")
    print(f"  of which layout (parse, cascade, boxes, pages; WeasyPrint render()): median "
          f"{statistics.median(per_layout):.3f}, max {max(per_layout):.3f}; "
          f"painting + writing the PDF: median {statistics.median(per_write):.3f}")
    print(f"plain WeasyPrint on the same HTML: median {statistics.median(per_plain):.3f} CPU-s; "
          f"ratio kinres/plain: {median / statistics.median(per_plain):.2f}")
    print(f"reference (one-paragraph page, same stylesheet): {ref:.3f} CPU-s; "
          f"ratio report/reference: {median / ref:.1f}")

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for h in htmls:
            html_to_pdf(h)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
