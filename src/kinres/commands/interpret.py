"""`kinres interpret`: stage results of one sample -> report.json (contract schema_version 1)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from kinres.checksum import input_file
from kinres.config import load_config
from kinres.errors import InputError
from kinres.interpret.report_json import Reference, Stages, build_report, write_report
from kinres.interpret.settings import Settings
from kinres.io.samplesheet import get_sample
from kinres.knowledge import load_knowledge
from kinres.knowledge.settings import Settings as KnowledgeSettings
from kinres.models import StageResult
from kinres.serialize import read_json
from kinres.workflow_settings import Settings as WorkflowSettings

log = logging.getLogger(__name__)
HELP = "interpret one sample's variants/fusions/cnv/coverage JSON into report.json"
STAGES = ("variants", "fusions", "cnv", "coverage")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="config YAML")
    parser.add_argument("--sample-sheet", type=Path, default=None, help="sample sheet (default: the config's)")
    parser.add_argument("--sample", required=True, help="sample_id in the sheet")
    for stage in STAGES:
        parser.add_argument(f"--{stage}", type=Path, default=None, help=f"{stage}.json from `kinres {stage}`")
    parser.add_argument("--out", required=True, type=Path, help="report.json to write")


def _read_stage(path: Path, stage: str, sample_id: str) -> StageResult:
    if not path.is_file():
        raise InputError(path, f"{stage} stage file not found")
    try:
        result = read_json(path, StageResult)
    except (json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
        raise InputError(path, f"not a kinres {stage} stage result: {exc}") from None
    if result.stage != stage:
        raise InputError(path, f"expected a '{stage}' stage result, found '{result.stage}'")
    if result.sample_id != sample_id:
        raise InputError(path, f"stage result is for sample '{result.sample_id}', not '{sample_id}'")
    return result


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    wf = WorkflowSettings.from_mapping(config.data)
    sample = get_sample(args.sample_sheet or wf.samples, args.sample, check_files=False)
    kb = load_knowledge(KnowledgeSettings.from_mapping(config.section("knowledge")).path)
    settings = Settings.from_mapping(config.section("interpret"))
    loaded = {s: _read_stage(getattr(args, s), s, sample.sample_id) for s in STAGES if getattr(args, s) is not None}
    files = tuple(input_file(getattr(args, s)) for s in STAGES if getattr(args, s) is not None)
    ref = wf.reference_for(sample.genome_build)
    reference = Reference(sample.genome_build, ref.annotation, str(ref.fasta) if ref.fasta else None)
    report = build_report(sample, Stages(files=files, **loaded), kb, settings, reference)
    write_report(args.out, report)
    top = report.therapy_options[0].option if report.therapy_options else "none"
    log.info("interpret %s: %d alteration(s); mechanism(s): %s; top option: %s -> %s", sample.sample_id,
             len(report.alterations), "; ".join(m.label for m in report.mechanisms) or "none",
             top[:80], args.out)
    return 0
