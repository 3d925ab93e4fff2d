"""kinres cnv: copy-number file -> gene-level calls (results/<sample>/cnv.json)."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from kinres.checksum import input_file
from kinres.commands._stage import add_stage_arguments, run_stage
from kinres.interpret.cn_calls import Settings, call_copy_numbers, spans_from_panel, tumour_content
from kinres.io.cnv import read_cnv
from kinres.models import Sample, StageResult

HELP = "Parse a copy-number file and call amplification/gain/loss per panel gene."
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_stage_arguments(parser, "cnv.json")


def panel_spans(build):
    """Gene spans from the panel tables; None (with a reason) when the panel is missing."""
    try:
        from kinres.annotate.transcripts import Panel
    except ImportError:
        return None, "panel tables unavailable: genes taken from the file's gene column"
    return spans_from_panel(Panel.load(build)), None


def build_result(sample: Sample, settings: Settings) -> StageResult:
    """The cnv StageResult for one sample (empty with a warning when it has no CNV file)."""
    content = tumour_content(sample)
    params = [(f"cnv.{k}", str(v)) for k, v in sorted(dataclasses.asdict(settings).items())]
    params += [("cnv.purity_used", "none" if content.fraction is None else f"{content.fraction:g}"),
               ("cnv.purity_source", content.source or "none"),
               ("cnv.ploidy", f"{content.ploidy:g}" + ("" if content.ploidy_from_sheet
                                                       else " (default)"))]
    if sample.cnv is None:
        return StageResult(stage="cnv", sample_id=sample.sample_id,
                           warnings=("no copy-number input: copy number not assessed",),
                           parameters=tuple(params))
    table = read_cnv(sample.cnv, sample.cnv_format, sample.sample_id, settings.pass_only)
    spans, why = panel_spans(sample.genome_build)
    calls, warnings = call_copy_numbers(table, sample, spans, settings)
    params.append(("cnv.layout", str(table.layout)))
    if table.sample_column:
        params.append(("cnv.sample_column", table.sample_column))
    return StageResult(stage="cnv", sample_id=sample.sample_id, copy_numbers=calls,
                       warnings=tuple(([why] if why else []) + list(warnings)),
                       inputs=(input_file(sample.cnv),), parameters=tuple(params))


def run(args: argparse.Namespace) -> int:
    result = run_stage(args, "cnv", Settings, build_result)
    log.info("cnv %s: %d gene call(s), %d warning(s) -> %s", result.sample_id,
             len(result.copy_numbers), len(result.warnings), args.out)
    return 0
