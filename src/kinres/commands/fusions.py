"""kinres fusions: a sample's fusion file -> annotated fusions (results/<sample>/fusions.json)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from kinres.checksum import input_file
from kinres.config import load_config
from kinres.errors import InputError
from kinres.models import Sample, StageResult
from kinres.serialize import write_json

HELP = "Parse a sample's fusion calls and annotate exon junction, frame and kinase-domain retention."
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="config/config.yaml")
    parser.add_argument("--sample-sheet", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--sample", required=True, help="sample_id in the sheet")
    parser.add_argument("--out", required=True, type=Path, help="results/<sample>/fusions.json")


def _sample(sheet: Path, sample_id: str) -> Sample:
    from kinres.io.samplesheet import load_samplesheet

    for sample in load_samplesheet(sheet):
        if sample.sample_id == sample_id:
            return sample
    raise InputError(sheet, f"sample '{sample_id}' is not in the sample sheet")


def build_result(sample: Sample, settings, panel=None) -> StageResult:
    """The fusions StageResult for one sample (empty, with a warning, without a fusion file)."""
    from kinres.annotate.fusion_structure import annotate_all
    from kinres.io.fusions import read_fusions

    params = tuple((f"fusions.{k}", ",".join(v) if isinstance(v, tuple) else str(v))
                   for k, v in sorted(dataclasses.asdict(settings).items()))
    if sample.fusions is None:
        return StageResult(stage="fusions", sample_id=sample.sample_id,
                           warnings=("no fusion input: fusions not assessed",), parameters=params)
    if panel is None:
        from kinres.annotate.transcripts import Panel
        panel = Panel.load(sample.genome_build)
    read = read_fusions(sample.fusions, sample.fusion_format, sample.genome_build,
                        sample_name=sample.vcf_sample or sample.sample_id, settings=settings,
                        panel=panel)
    fusions, warnings = annotate_all(read.fusions, panel, settings)
    return StageResult(stage="fusions", sample_id=sample.sample_id, fusions=fusions,
                       warnings=read.warnings + warnings, inputs=(input_file(sample.fusions),),
                       parameters=params + (("fusions.format", read.format),
                                            ("fusions.records", str(read.records))))


def run(args: argparse.Namespace) -> int:
    from kinres.io.fusions import Settings

    config = load_config(args.config)
    settings = Settings.from_mapping(config.section("fusions"))
    sample = _sample(args.sample_sheet, args.sample)
    result = build_result(sample, settings)
    write_json(args.out, result)
    log.info("fusions %s: %d kinase fusion(s), %d actionable, %d warning(s) -> %s",
             sample.sample_id, len(result.fusions), sum(f.actionable for f in result.fusions),
             len(result.warnings), args.out)
    return 0
