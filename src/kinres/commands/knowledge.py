"""`kinres knowledge compare`: curator's comparison of the knowledge tables with public exports."""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.errors import InputError

HELP = "curator tools for the knowledge tables (compare with OncoKB / CIViC / CGI / MOA exports)"
log = logging.getLogger("kinres")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = sub.add_parser("compare", help="compare with public knowledge-base exports; write a TSV and a summary",
                       description="Reads OncoKB allActionableVariants.txt / allAnnotatedVariants.txt, CIViC "
                                   "ClinicalEvidenceSummaries.tsv, CGI cgi_biomarkers_per_variant.tsv or a MOA "
                                   "JSON export (format detected from the content) and lists agreements and "
                                   "disagreements per variant and drug.")
    c.add_argument("sources", nargs="+", type=Path, help="export file(s)")
    c.add_argument("--out", required=True, type=Path, help="comparison TSV to write")
    c.add_argument("--summary", type=Path, default=None,
                   help="readable summary (Markdown); default: --out with suffix .summary.md")
    c.add_argument("--format", dest="fmt", default=None,
                   choices=("oncokb_actionable", "oncokb_annotated", "civic", "cgi", "moa"),
                   help="force the export format instead of detecting it")
    c.add_argument("--knowledge-dir", type=Path, default=None, help="knowledge tables (default: bundled)")


def run(args: argparse.Namespace) -> int:
    from kinres.knowledge import load_knowledge
    from kinres.knowledge.compare import CATEGORIES, TITLES, compare_files, summary_markdown, write_tsv

    kb = load_knowledge(args.knowledge_dir) if args.knowledge_dir else load_knowledge()
    for path in (args.out, args.summary):
        if path is not None and not path.parent.is_dir():
            raise InputError(path, "output directory does not exist")
    results = compare_files(kb, args.sources, args.fmt)
    summary_path = args.summary or args.out.with_name(args.out.stem + ".summary.md")
    write_tsv(args.out, results)
    atomic_write_text(summary_path, summary_markdown(results, kb, args.sources))
    counts = Counter(r.category for r in results)
    print(f"knowledge {kb.version}: {len(results)} statement(s) from {len(args.sources)} file(s)")
    for cat in CATEGORIES:
        print(f"  {counts.get(cat, 0):>6}  {TITLES[cat]}")
    print(f"table   {args.out}\nsummary {summary_path}")
    return 0
