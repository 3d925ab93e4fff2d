#!/usr/bin/env python3
"""Regenerate resources/knowledge/MANIFEST.{json,tsv} from the tables on disk.

Usage: scripts/update_knowledge_manifest.py [--version V] [--date YYYY-MM-DD] [--dir DIR]
Version and date default to the ones already recorded; bump --version whenever a call changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from kinres.errors import KnowledgeError
from kinres.knowledge import manifest
from kinres.paths import KNOWLEDGE_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=KNOWLEDGE_DIR)
    parser.add_argument("--version", help="knowledge version, e.g. 2026.1")
    parser.add_argument("--date", help="release date (ISO); default: recorded date or today")
    args = parser.parse_args(argv)
    try:
        old = manifest.read(args.dir)
    except KnowledgeError:  # first run: nothing recorded yet
        old = None
    version = args.version or (old.version if old else "0.1.0")
    date = args.date or (old.date if old and not args.version else dt.date.today().isoformat())
    dt.date.fromisoformat(date)
    new = manifest.compute(args.dir, version, date)
    manifest.write(args.dir, new)
    print(f"knowledge {new.version} ({new.date}): {len(new.tables)} tables, set sha256 {new.sha256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
