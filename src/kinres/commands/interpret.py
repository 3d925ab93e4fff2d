"""`kinres interpret`: stage results of one sample -> report.json (contract schema_version 1)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from kinres.checksum import input_file
from kinres.config import load_config
from kinres.errors import InputError
from kinres.interpret.patient import PatientInputs, observed_from_report, observed_from_stages
from kinres.interpret.report_json import Reference, Stages, build_report, write_report
from kinres.interpret.settings import Settings
from kinres.io.sample_row import row_warnings
from kinres.io.samplesheet import SampleSheet, read_samplesheet
from kinres.knowledge import load_knowledge
from kinres.knowledge.settings import Settings as KnowledgeSettings
from kinres.models import Sample, StageResult
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
    parser.add_argument("--patient-stages", nargs="*", type=Path, default=[], metavar="JSON",
                        help="stage JSONs (variants/fusions/cnv) of the patient's other samples in the batch, "
                             "for acquired/pre-existing and specimen-discordance statements")
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


def _read_any_stage(path: Path) -> StageResult:
    if not path.is_file():
        raise InputError(path, "patient stage file not found")
    try:
        result = read_json(path, StageResult)
    except (json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
        raise InputError(path, f"not a kinres stage result: {exc}") from None
    if result.stage not in ("variants", "fusions", "cnv", "coverage"):
        raise InputError(path, f"unknown stage {result.stage!r}")
    return result


def patient_inputs(sample: Sample, sheet: SampleSheet, paths: list[Path]) -> PatientInputs:
    """The patient's other samples (grouped stage results + sheet rows) and the baseline."""
    by_sample: dict[str, list[StageResult]] = {}
    for path in paths:
        st = _read_any_stage(path)
        if st.sample_id == sample.sample_id:
            raise InputError(path, f"--patient-stages lists a stage result of {sample.sample_id} itself")
        other = sheet.get(st.sample_id)
        if other.patient_id != sample.patient_id:
            raise InputError(path, f"stage result of {other.sample_id!r} (patient {other.patient_id!r}) given "
                                   f"for patient {sample.patient_id!r}")
        if st.stage != "coverage":
            by_sample.setdefault(st.sample_id, []).append(st)
    others = [observed_from_stages(sheet.get(sid), sts) for sid, sts in sorted(by_sample.items())]
    baseline = None
    if sample.baseline is not None:
        if sample.baseline in sheet.sample_ids:
            baseline = next((o for o in others if o.sample_id == sample.baseline), None)
            if baseline is None:
                raise InputError(sheet.path, f"baseline {sample.baseline!r} of {sample.sample_id}: no stage results "
                                             "given (--patient-stages)", record=sample.sample_id)
        else:
            baseline = observed_from_report(Path(sample.baseline), sample.patient_id)
    return PatientInputs(others, baseline)


def interpret_sample(sample, stage_paths: dict[str, Path], config, kb=None,
                     sheet: SampleSheet | None = None, patient_stages: list[Path] = (),
                     sheet_warnings: tuple[str, ...] = ()):
    """report.json content (a Report) for one sample from its stage files (`kinres sample` too).

    `sheet` holds (at least) the patient's samples; `patient_stages` the stage JSONs of the
    patient's other samples (see patient_inputs).
    """
    wf = WorkflowSettings.from_mapping(config.data)
    if kb is None:
        kb = load_knowledge(KnowledgeSettings.from_mapping(config.section("knowledge")).path)
    settings = Settings.from_mapping(config.section("interpret"))
    present = [s for s in STAGES if stage_paths.get(s) is not None]
    loaded = {s: _read_stage(stage_paths[s], s, sample.sample_id) for s in present}
    files = tuple(input_file(stage_paths[s]) for s in present)
    ref = wf.reference_for(sample.genome_build)
    reference = Reference(sample.genome_build, ref.annotation, str(ref.fasta) if ref.fasta else None)
    patient = None
    if patient_stages or sample.baseline:
        sheet = sheet if sheet is not None else SampleSheet(Path("<rows>"), (sample,))
        patient = patient_inputs(sample, sheet, list(patient_stages))
    return build_report(sample, Stages(files=files, **loaded), kb, settings, reference,
                        patient=patient, sheet_warnings=tuple(sheet_warnings))


def log_report(report, out) -> None:
    top = report.therapy_options[0].option if report.therapy_options else "none"
    log.info("interpret %s: %d alteration(s); mechanism(s): %s; top option: %s -> %s",
             report.sample.id,
             len(report.alterations), "; ".join(m.label for m in report.mechanisms) or "none",
             top[:80], out)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    wf = WorkflowSettings.from_mapping(config.data)
    sheet = read_samplesheet(args.sample_sheet or wf.samples, check_files=False)
    sample = sheet.get(args.sample)
    # the sheet's warnings about this sample's line (unknown drug names) belong in qc.warnings
    report = interpret_sample(sample, {s: getattr(args, s) for s in STAGES}, config,
                              sheet=sheet, patient_stages=list(args.patient_stages),
                              sheet_warnings=row_warnings(sample, sheet.warnings))
    write_report(args.out, report)
    log_report(report, args.out)
    return 0
