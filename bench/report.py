"""Benchmark: one sample report.json -> HTML + JSON + TSVs (target <= 2 s) and PDF (<= 3 s).

The interpret stage has no public API yet, so this starts from a report.json fixture
(tests/data/report/) rather than running annotate -> interpret. Ratios are against baselines
measured in the same run: rendering an empty page with the report stylesheet, and a minimal PDF.

    python bench/report.py [--repeat 5] [--report tests/data/report/serial_plasma_t2.report.json]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--report", type=Path,
                        default=ROOT / "tests/data/report/serial_plasma_t2.report.json")
    parser.add_argument("--patient-report", type=Path,
                        default=ROOT / "tests/data/report/serial_plasma_t1.report.json")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from kinres.report.html import environment, render_report_html, stylesheet
    from kinres.report.json import load_report, write_report_json
    from kinres.report.pdf import html_to_pdf
    from kinres.report.tsv import write_alterations_tsv, write_drug_calls_tsv
    html_to_pdf("<p>warm-up</p>")  # import + font setup, paid once per process
    startup = time.perf_counter() - t0

    out = Path(tempfile.mkdtemp(prefix="kinres-bench-"))
    empty = environment().from_string("<!DOCTYPE html><html><head><style>{{ css }}</style></head>"
                                      "<body><p>{{ text }}</p></body></html>")

    def baseline_html():
        (out / "empty.html").write_text(empty.render(css=stylesheet(), text="empty"))

    def sample_html():
        report = load_report(args.report)
        other = load_report(args.patient_report)
        html = render_report_html(report, [other])
        (out / "report.html").write_text(html)
        write_report_json(report, out / "report.json")
        write_alterations_tsv(report, out / "alterations.tsv")
        write_drug_calls_tsv(report, out / "drug_calls.tsv")
        return html

    html = sample_html()
    minimal = empty.render(css=stylesheet(), text="minimal")

    def baseline_pdf():
        (out / "minimal.pdf").write_bytes(html_to_pdf(minimal))

    def sample_pdf():
        (out / "report.pdf").write_bytes(html_to_pdf(html))

    b_html = _time(baseline_html, args.repeat)
    s_html = _time(sample_html, args.repeat)
    b_pdf = _time(baseline_pdf, args.repeat)
    s_pdf = _time(sample_pdf, args.repeat)
    print(f"start-up (imports, WeasyPrint warm-up): {startup:.3f} s")
    print(f"baseline empty HTML : {b_html * 1000:8.2f} ms")
    print(f"sample HTML+JSON+TSV: {s_html * 1000:8.2f} ms  ratio {s_html / b_html:6.1f}x  "
          f"target <= 2 s: {'OK' if s_html <= 2 else 'SLOW'}")
    print(f"baseline minimal PDF: {b_pdf * 1000:8.2f} ms")
    print(f"sample PDF          : {s_pdf * 1000:8.2f} ms  ratio {s_pdf / b_pdf:6.1f}x  "
          f"target <= 3 s: {'OK' if s_pdf <= 3 else 'SLOW'}")
    return 0 if s_html <= 2 and s_pdf <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
