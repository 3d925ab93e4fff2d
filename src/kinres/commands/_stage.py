"""Arguments shared by the per-sample stage commands (variants, fusions, cnv, coverage)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def add_stage_arguments(parser: argparse.ArgumentParser, output: str) -> None:
    """--config, --sample-sheet, --sample and --out (`output` names the stage file)."""
    parser.add_argument("--config", required=True, type=Path, help="config/config.yaml")
    parser.add_argument("--sample-sheet", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--sample", required=True, help="sample_id in the sheet")
    parser.add_argument("--out", required=True, type=Path, help=f"results/<sample>/{output}")


def run_stage(args: argparse.Namespace, section: str, settings_type: Any,
              build_result: Callable[[Any, Any], Any]) -> Any:
    """Load the sample row and the config `section` as `settings_type`, build the stage result
    and write it to --out (atomic JSON); returns the result for the command's log line."""
    # imported here: the CLI imports every command module at start-up (lazy imports)
    from kinres.config import load_config
    from kinres.io.samplesheet import get_sample
    from kinres.serialize import write_json

    config = load_config(args.config)
    settings = settings_type.from_mapping(config.section(section))
    sample = get_sample(args.sample_sheet, args.sample)
    result = build_result(sample, settings)
    write_json(args.out, result)
    return result
