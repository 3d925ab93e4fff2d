"""`kinres validate`: check the config, the sample sheet and every input file before a run."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kinres.config import load_config
from kinres.io.samplesheet import read_samplesheet
from kinres.workflow_settings import Settings

HELP = "check config, sample sheet and that every input file exists; print a summary"
log = logging.getLogger("kinres")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="config YAML (config/config.yaml)")
    parser.add_argument("--sample-sheet", type=Path, default=None,
                        help="sample sheet to check instead of the config's `samples`")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = Settings.from_mapping(config.data)
    settings.check_reference_files(args.config)
    sheet = read_samplesheet(args.sample_sheet or settings.samples, check_files=True)
    for warning in sheet.warnings:
        log.warning(warning)
    print(f"config   {args.config}: valid")
    print(f"sheet    {sheet.path}: {len(sheet.samples)} sample(s), "
          f"{len({s.patient_id for s in sheet.samples})} patient(s)")
    print(f"results  {settings.results}")
    from kinres.commands.variants import preflight

    for sample in sheet.samples:
        preflight(sample, config)
    for sample in sheet.samples:
        inputs = ", ".join(f"{name}={getattr(sample, name).name}"
                           for name in ("vcf", "fusions", "cnv", "bam")
                           if getattr(sample, name) is not None)
        date = sample.collection_date.isoformat() if sample.collection_date else "-"
        print(f"  {sample.sample_id:<20} {sample.patient_id:<12} {sample.specimen.value:<7} "
              f"{sample.genome_build.value} {date:<10} {inputs}")
    if sheet.warnings:
        print(f"{len(sheet.warnings)} warning(s) (see above)")
    return 0
