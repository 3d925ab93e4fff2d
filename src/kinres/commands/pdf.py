"""`kinres pdf`: report.pdf for many report.html files in one process (WeasyPrint loaded once)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kinres.errors import InputError

HELP = "render report.pdf next to each given report.html, many in one process"
log = logging.getLogger("kinres.pdf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", required=True, nargs="+", type=Path, metavar="HTML",
                        help="results/<sample>/report.html (report.pdf is written beside it)")


def run(args: argparse.Namespace) -> int:
    for path in args.html:
        if not path.is_file():
            raise InputError(path, "report.html not found")
    from kinres.report.pdf import write_pdfs

    for out in write_pdfs(args.html):
        log.info("wrote %s", out)
    return 0
