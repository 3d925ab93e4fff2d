"""`kinres batch`: summary.html/.tsv, MultiQC table and patient timelines over many reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from kinres.errors import KinresError
from kinres.report.render import render_batch

HELP = "summarise many report.json files into results/batch (summary.html/.tsv, kinres_mqc.tsv)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reports", nargs="*", default=[], type=Path, metavar="JSON",
                        help="results/*/report.json")
    parser.add_argument("--failed", nargs="*", default=[], type=Path, metavar="JSON",
                        help="results/*/FAILED.json of samples that could not be reported "
                             "(listed with their error)")
    parser.add_argument("--fail-if-failed", action="store_true",
                        help="exit non-zero (naming the samples) after writing the summary when "
                             "--failed lists any sample")
    parser.add_argument("--outdir", required=True, type=Path, help="output folder (results/batch)")
    parser.add_argument("--config", type=Path, default=None,
                        help="config.yaml whose 'report' section sets defaults")


def run(args: argparse.Namespace) -> int:
    render_batch(args.reports, args.outdir, config=args.config, failed_paths=args.failed)
    if args.failed and args.fail_if_failed:
        from kinres.failure import read_failures

        names = ", ".join(f.sample_id for f in read_failures(args.failed))
        raise KinresError(f"{len(args.failed)} sample(s) failed and have no report: {names} "
                          f"(errors in {args.outdir / 'failed_samples.tsv'})")
    return 0
