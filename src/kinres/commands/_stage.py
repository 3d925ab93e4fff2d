"""Arguments shared by the per-sample stage commands (variants, fusions, cnv, coverage)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_stage_arguments(parser: argparse.ArgumentParser, output: str) -> None:
    """--config, --sample-sheet, --sample and --out (`output` names the stage file)."""
    parser.add_argument("--config", required=True, type=Path, help="config/config.yaml")
    parser.add_argument("--sample-sheet", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--sample", required=True, help="sample_id in the sheet")
    parser.add_argument("--out", required=True, type=Path, help=f"results/<sample>/{output}")
