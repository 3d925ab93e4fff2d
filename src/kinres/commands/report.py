"""`kinres report`: render one report.json into HTML, PDF, TSVs, annotated VCF and a JSON copy."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kinres.report.render import render_sample

HELP = "render report.html/.pdf, alterations.tsv, drug_calls.tsv and an annotated VCF from report.json"
log = logging.getLogger("kinres.report")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", required=True, type=Path, help="results/<sample>/report.json")
    parser.add_argument("--outdir", required=True, type=Path, help="output folder (results/<sample>)")
    parser.add_argument("--vcf", type=Path, default=None,
                        help="input VCF to copy with KINRES_* INFO fields -> <sample>.kinres.vcf")
    parser.add_argument("--pdf", dest="pdf", action="store_true", default=None,
                        help="also write report.pdf (default: config report.pdf, true)")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false")
    parser.add_argument("--patient-reports", nargs="*", type=Path, default=[], metavar="JSON",
                        help="report.json of other samples of the same patient (VAF-over-time chart)")
    parser.add_argument("--config", type=Path, default=None,
                        help="config.yaml whose 'report' section sets defaults")


def run(args: argparse.Namespace) -> int:
    render_sample(args.report, args.outdir, vcf=args.vcf, pdf=args.pdf,
                  patient_reports=args.patient_reports, config=args.config)
    return 0
