"""Batch outputs: results/batch/summary.html + summary.tsv, kinres_mqc.tsv, patient timelines."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.enums import Role
from kinres.errors import InputError
from kinres.failure import Failure
from kinres.report import labels, plots, signout
from kinres.report.html import environment, stylesheet
from kinres.report.json import Report
from kinres.report.multiqc import write_multiqc
from kinres.report.settings import Settings
from kinres.report.summary import SampleSummary, sample_summary
from kinres.report.text import clinical_text
from kinres.report.timeline import build_timeline, group_by_patient
from kinres.report.tsv import write_tsv

log = logging.getLogger(__name__)

SUMMARY_COLUMNS = (
    "sample_id", "patient_id", "specimen", "collection_date", "tumor_type", "tumor_fraction",
    "informative_negative", "mechanism_classes", "mechanisms", "driver", "resistance_alterations",
    "bypass_alterations", "flagged_alterations", "top_option", "top_option_level",
    "resistant_drugs", "sensitive_drugs", "caveat_codes", "n_alterations", "report_link",
)
MATRIX_ROLES = (Role.DRIVER, Role.ON_TARGET_RESISTANCE, Role.BYPASS, Role.TRANSFORMATION_MARKER)


@dataclass(frozen=True)
class BatchResult:
    samples: int
    patients: int
    timelines: int
    warnings: tuple[str, ...]
    outputs: tuple[Path, ...]


def report_link(report: Report, outdir: Path) -> tuple[str, str | None]:
    """Relative link from outdir to the sample's report.html (report.json if no HTML yet)."""
    src = Path(report.path).resolve()
    html = src.with_name("report.html") if src.name == "report.json" else src.with_suffix(".html")
    warning = None
    target = html
    if not html.is_file():
        target = src
        warning = f"{report.sample.id}: no HTML report at {html}; linking {src.name}"
    # Percent-encode so spaces, '#', '?' or ':' in paths cannot change what the link means.
    rel = Path(os.path.relpath(target, outdir.resolve())).as_posix()
    return urllib.parse.quote(rel), warning


# Matrix cells: detected (with VAF / CN), assessed and not detected, or not tested (the input
# that would show it was not supplied) -- three different glyphs, never one dash for two meanings.
DETECTED, NOT_DETECTED, NOT_TESTED = "detected", "not_detected", "not_tested"
GLYPHS = {DETECTED: "\u25cf", NOT_DETECTED: "\u25cb", NOT_TESTED: "\u2205"}  # ● ○ ∅


def _stage_for(alt) -> str:
    if alt.fusion is not None:
        return "fusions"
    if alt.kind.value in ("amplification", "deletion_cn") or (
            alt.copy_number is not None and not alt.hgvs_p):
        return "cnv"
    return "variants"


def _stages_run(report: Report) -> set[str]:
    params = report.data.get("provenance", {}).get("parameters", {})
    return {k for k in ("variants", "fusions", "cnv", "coverage") if k in params}


def _matrix(reports: Sequence[Report]):
    """Columns = key alterations (driver/resistance/bypass/transformation) seen in any sample;
    cells = (state, text). A sample carrying the event in another role (e.g. a fusion that is not
    actionable) shows it as detected with that role, as its row lists it under "flagged"."""
    columns: list[str] = []
    stage_of: dict[str, str] = {}
    for r in reports:
        for a in r.alterations:
            key = labels.alteration_key(a)
            if a.role in MATRIX_ROLES and key not in columns:
                columns.append(key)
                stage_of[key] = _stage_for(a)
    rows = []
    for r in reports:
        ran = _stages_run(r)
        cells = []
        for key in columns:
            hits = [a for a in r.alterations if labels.alteration_key(a) == key]
            hit = next((a for a in hits if a.role in MATRIX_ROLES), hits[0] if hits else None)
            if hit is not None:
                text = (labels.fmt_pct(hit.vaf) if hit.vaf is not None
                        else f"CN {labels.fmt_cn(hit.copy_number)}" if hit.copy_number is not None
                        else "detected")
                if hit.role not in MATRIX_ROLES:  # seen, but not a key finding here (row: "flagged")
                    text += f" ({labels.ROLE_SHORT.get(hit.role, hit.role.value).lower()})"
                cells.append((DETECTED, text))
            elif stage_of[key] not in ran:
                cells.append((NOT_TESTED, f"no {stage_of[key]} input"))
            else:
                cells.append((NOT_DETECTED, "not detected"))
        rows.append(cells)
    return columns, rows


def overview(reports: Sequence[Report], rows: Sequence[SampleSummary],
             failed: Sequence[Failure]) -> dict[str, object]:
    """Counts by mechanism and specimen, run-level QC and versions for the lab lead."""
    mech: dict[str, int] = {}
    for row in rows:
        for m in row.mechanism_classes or ("none_identified",):
            mech[m] = mech.get(m, 0) + 1
    specimen: dict[str, int] = {}
    for row in rows:
        specimen[row.specimen] = specimen.get(row.specimen, 0) + 1
    tfs = sorted(r.qc.tumor_fraction for r in reports if r.qc.tumor_fraction is not None)
    median = tfs[len(tfs) // 2] if len(tfs) % 2 else (sum(tfs[len(tfs) // 2 - 1:len(tfs) // 2 + 1]) / 2
                                                      if tfs else None)
    qc = [
        ("Samples reported", str(len(rows)), ""),
        ("Samples failed (no report)", str(len(failed)), ", ".join(f.sample_id for f in failed)),
        ("Negative result not informative", str(sum(r.qc.informative_negative is False for r in reports)),
         ", ".join(r.sample.id for r in reports if r.qc.informative_negative is False)),
        ("Without BAM (hotspots not assessable)", str(sum("coverage" not in _stages_run(r) for r in reports)),
         ""),
        ("Samples with input warnings", str(sum(bool(r.qc.warnings) for r in reports)),
         ", ".join(f"{r.sample.id} ({len(r.qc.warnings)})" for r in reports if r.qc.warnings)),
        ("Median tumour fraction / purity", labels.fmt_pct(median), f"{len(tfs)} of {len(reports)} known"),
    ]
    versions = [
        ("kinres", sorted({r.provenance.created_by for r in reports})),
        ("Knowledge tables", sorted({r.provenance.knowledge_version for r in reports})),
        ("report.json schema", sorted({r.schema_version for r in reports})),
    ]
    return {"mechanism_counts": sorted(mech.items(), key=lambda kv: (-kv[1], kv[0])),
            "specimen_counts": sorted(specimen.items()), "run_qc": qc, "versions": versions}


FAILED_COLUMNS = ("sample_id", "patient_id", "step", "error", "blocked_by")


def write_batch(reports: Sequence[Report], outdir: str | Path,
                settings: Settings | None = None, failed: Sequence[Failure] = ()) -> BatchResult:
    """Write summary.html, summary.tsv, kinres_mqc.tsv and failed_samples.tsv into outdir.

    `failed` are samples without a report (kinres.failure): listed with their error in the
    summary and in failed_samples.tsv (header only when none failed), so a batch with a failing
    sample still gets its summary.
    """
    settings = settings or Settings()
    outdir = Path(outdir)
    if not reports and not failed:
        raise InputError(None, "no report.json files given to kinres batch")
    seen: dict[str, str] = {}
    for r in reports:
        if r.sample.id in seen:
            raise InputError(r.path, f"sample {r.sample.id!r} also in {seen[r.sample.id]}",
                             record="sample/id")
        seen[r.sample.id] = r.path
    groups = group_by_patient(list(reports))
    ordered = [r for g in groups.values() for r in g]
    warnings: list[str] = []
    rows: list[SampleSummary] = []
    for r in ordered:
        link, warn = report_link(r, outdir)
        if warn:
            warnings.append(warn)
        rows.append(sample_summary(r, link))
    columns, matrix = _matrix(ordered)
    timelines = []
    for patient, group in groups.items():
        if len(group) > 1:
            tl = build_timeline(group)
            timelines.append((patient, tl, plots.vaf_timeline(tl)))
    html = environment().get_template("batch.html.j2").render(
        css=stylesheet(), lab_name=signout.lab(settings).name, report_date=_dt.date.today().isoformat(),
        rows=rows, columns=columns, matrix=matrix, timelines=timelines, failed=list(failed),
        patients=len(groups), trend_titles=plots.TREND_TITLES, glyphs=GLYPHS,
        clean=clinical_text, **overview(ordered, rows, failed))
    outputs = (outdir / "summary.html", outdir / "summary.tsv", outdir / "kinres_mqc.tsv",
               outdir / "failed_samples.tsv")
    atomic_write_text(outputs[0], html)
    write_tsv(outputs[1], SUMMARY_COLUMNS,
              ([getattr(row, c) for c in SUMMARY_COLUMNS] for row in rows))
    write_multiqc(rows, outputs[2])
    write_tsv(outputs[3], FAILED_COLUMNS, ([f.sample_id, f.patient_id, f.step, f.error, f.blocked_by]
                                           for f in failed))
    return BatchResult(samples=len(rows), patients=len(groups), timelines=len(timelines),
                       warnings=tuple(warnings), outputs=outputs)
