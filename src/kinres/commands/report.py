"""`kinres report`: render one report.json into HTML, PDF, TSVs, annotated VCF and a JSON copy."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kinres.errors import KinresError
from kinres.report.json import report_json_text
from kinres.report.render import render_sample

HELP = "render report.html/.pdf, alterations.tsv, drug_calls.tsv and an annotated VCF from report.json"
log = logging.getLogger("kinres.report")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", required=True, type=Path, help="results/<sample>/report.json")
    parser.add_argument("--outdir", type=Path, default=None,
                        help="output folder (results/<sample>); required unless --json")
    parser.add_argument("--json", action="store_true",
                        help="print the validated report.json (contract schema_version 1) to stdout")
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
    if args.json:
        # the contract's "same content through `kinres report --json`": validated, deterministic
        sys.stdout.write(report_json_text(args.report))
        if args.outdir is None:
            return 0
    if args.outdir is None:
        raise KinresError("kinres report: --outdir is required unless --json is given")
    render_sample(args.report, args.outdir, vcf=args.vcf, pdf=args.pdf,
                  patient_reports=args.patient_reports, config=args.config)
    return 0
