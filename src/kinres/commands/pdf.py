"""`kinres pdf`: report.pdf for many report.html files in one process (WeasyPrint loaded once)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kinres.errors import InputError

HELP = "render report.pdf next to each given report.html, many in one process"
log = logging.getLogger("kinres.pdf")
PDF_NAME = "report.pdf"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", required=True, nargs="+", type=Path, metavar="HTML",
                        help="results/<sample>/report.html (report.pdf is written beside it)")
    parser.add_argument("--reuse-dir", type=Path, default=None, metavar="DIR",
                        help="keep each PDF here (hard link) and put it back instead of "
                             "rendering again when its report.html and the renderer are "
                             "byte-identical (the workflow passes <results>/.kinres/reuse/pdf)")


def pdf_key(html: Path) -> str:
    """What a PDF is made from: the HTML's bytes (the stylesheet is inside it) and the code,
    WeasyPrint included (kinres.reuse.code_fingerprint). System fonts are not in the key."""
    from kinres.cache import digest
    from kinres.reuse import code_fingerprint

    return digest("pdf-1", code_fingerprint(), html.read_bytes())


def run(args: argparse.Namespace) -> int:
    from kinres.reuse import ReuseStore

    for path in args.html:
        if not path.is_file():
            raise InputError(path, "report.html not found")
    store = ReuseStore(getattr(args, "reuse_dir", None))
    todo: list[tuple[Path, str | None]] = []
    for path in args.html:
        key = pdf_key(path) if store.root is not None else None
        if key is not None and store.restore(str(path.resolve()), key, path.parent) is not None:
            log.info("reused %s (its report.html is unchanged)", path.with_name(PDF_NAME))
            continue
        todo.append((path, key))
    if not todo:
        return 0
    from kinres.report.pdf import write_pdfs

    for out, (path, key) in zip(write_pdfs([p for p, _ in todo], PDF_NAME), todo):
        log.info("wrote %s", out)
        if key is not None:
            store.save(str(path.resolve()), key, path.parent, [out])
    return 0
