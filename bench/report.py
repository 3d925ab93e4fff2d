"""Benchmark: one sample annotate -> interpret -> HTML + JSON + TSVs (target <= 2 s), PDF (<= 3 s).

The sample is a demo-batch row (default P02-T1: snpEff VCF, Arriba fusions, CNVkit segments),
run through the same functions the `kinres variants/fusions/cnv/interpret/report` commands call.
Ratios are against baselines measured in the same run: rendering an empty page with the report
stylesheet, and a minimal PDF. A report.json fixture can still be timed alone with --report.

    python bench/report.py [--repeat 5] [--sample P02-T1] [--report tests/data/report/x.json]
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
    parser.add_argument("--sample", default="P02-T1", help="demo sample run end to end")
    parser.add_argument("--config", type=Path, default=ROOT / "config/config.yaml")
    parser.add_argument("--report", type=Path, default=None,
                        help="time rendering of this report.json instead of the full pipeline")
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

    from kinres.annotate.transcripts import Panel
    from kinres.commands import cnv as cnv_cmd
    from kinres.commands import fusions as fusions_cmd
    from kinres.commands import variants as variants_cmd
    from kinres.config import load_config
    from kinres.interpret.cn_calls import Settings as CnvSettings
    from kinres.interpret.report_json import Stages, build_report, write_report
    from kinres.interpret.settings import Settings as InterpretSettings
    from kinres.io.fusions import Settings as FusionSettings
    from kinres.io.samplesheet import get_sample
    from kinres.knowledge import load_knowledge

    config = load_config(args.config)
    sample = get_sample(ROOT / config.data["samples"], args.sample)

    def pipeline_report():
        """annotate -> interpret for one sample; returns the path of its report.json."""
        panel = Panel.load(sample.genome_build)
        stages = Stages(
            variants=variants_cmd.build_result(sample, config, panel) if sample.vcf else None,
            fusions=fusions_cmd.build_result(
                sample, FusionSettings.from_mapping(config.section("fusions")), panel)
            if sample.fusions else None,
            cnv=cnv_cmd.build_result(sample, CnvSettings.from_mapping(config.section("cnv")))
            if sample.cnv else None)
        report = build_report(sample, stages, load_knowledge(),
                              InterpretSettings.from_mapping(config.section("interpret")))
        write_report(out / "interpreted.json", report)
        return out / "interpreted.json"

    def sample_html():
        report = load_report(args.report or pipeline_report())
        html = render_report_html(report)
        (out / "report.html").write_text(html)
        write_report_json(report, out / "report.json")
        write_alterations_tsv(report, out / "alterations.tsv")
        write_drug_calls_tsv(report, out / "drug_calls.tsv")
        return html

    t_cold = time.perf_counter()
    html = sample_html()  # cold: loads the panel and knowledge tables once
    cold = time.perf_counter() - t_cold
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
    print(f"first sample (cold caches): {cold:.3f} s")
    print(f"baseline empty HTML : {b_html * 1000:8.2f} ms")
    print(f"sample {'render' if args.report else 'annotate..HTML'}+JSON+TSV: {s_html * 1000:8.2f} ms  ratio {s_html / b_html:6.1f}x  "
          f"target <= 2 s: {'OK' if s_html <= 2 else 'SLOW'}")
    print(f"baseline minimal PDF: {b_pdf * 1000:8.2f} ms")
    print(f"sample PDF          : {s_pdf * 1000:8.2f} ms  ratio {s_pdf / b_pdf:6.1f}x  "
          f"target <= 3 s: {'OK' if s_pdf <= 3 else 'SLOW'}")
    return 0 if s_html <= 2 and s_pdf <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
