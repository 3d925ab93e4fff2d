"""kinres fusions: a sample's fusion file -> annotated fusions (results/<sample>/fusions.json)."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from kinres.checksum import input_file
from kinres.commands._stage import add_stage_arguments, run_stage
from kinres.models import Sample, StageResult

HELP = "Parse a sample's fusion calls and annotate exon junction, frame and kinase-domain retention."
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_stage_arguments(parser, "fusions.json")


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

    result = run_stage(args, "fusions", Settings, build_result)
    log.info("fusions %s: %d kinase fusion(s), %d actionable, %d warning(s) -> %s",
             result.sample_id, len(result.fusions), sum(f.actionable for f in result.fusions),
             len(result.warnings), args.out)
    return 0
