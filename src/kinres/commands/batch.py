"""`kinres batch`: summary.html/.tsv, MultiQC table and patient timelines over many reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from kinres.report.render import render_batch

HELP = "summarise many report.json files into results/batch (summary.html/.tsv, kinres_mqc.tsv)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reports", nargs="+", required=True, type=Path, metavar="JSON",
                        help="results/*/report.json")
    parser.add_argument("--outdir", required=True, type=Path, help="output folder (results/batch)")
    parser.add_argument("--config", type=Path, default=None,
                        help="config.yaml whose 'report' section sets defaults")


def run(args: argparse.Namespace) -> int:
    render_batch(args.reports, args.outdir, config=args.config)
    return 0
