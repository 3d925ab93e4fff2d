"""Orchestration behind `kinres report` and `kinres batch` (the commands stay thin).

Each step logs one line with counts so a Snakemake log shows what was written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kinres.atomic import atomic_write_text
from kinres.config import load_config
from kinres.report.html import check_patient_reports, render_report_html
from kinres.report.json import Report, load_report, write_report_json
from kinres.report.settings import Settings
from kinres.report.tsv import write_alterations_tsv, write_drug_calls_tsv

if TYPE_CHECKING:  # imported where used: a patient job never writes a batch, pysam only for a VCF
    from kinres.report.batch import BatchResult
    from kinres.report.vcf_out import VcfAnnotationResult

log = logging.getLogger("kinres.report")


@dataclass(frozen=True)
class SampleOutputs:
    report_json: Path
    html: Path
    alterations_tsv: Path
    drug_calls_tsv: Path
    pdf: Path | None = None
    vcf: Path | None = None
    vcf_result: VcfAnnotationResult | None = None


def settings_from(config: str | Path | None) -> Settings:
    """Report settings from a config file's `report` section (defaults without a config)."""
    if config is None:
        return Settings()
    return Settings.from_mapping(load_config(config).section("report"))


def safe_name(sample_id: str) -> str:
    """Sample id as a file-name component (ids are free text in the contract)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", sample_id).lstrip(".") or "sample"


def render_sample(report_path: str | Path, outdir: str | Path, *, vcf: str | Path | None = None,
                  pdf: bool | None = None, patient_reports: Sequence[str | Path] = (),
                  config: str | Path | None = None, settings: Settings | None = None) -> SampleOutputs:
    """All per-sample outputs for one report.json (each written atomically)."""
    settings = settings or settings_from(config)
    want_pdf = settings.pdf if pdf is None else pdf
    outdir = Path(outdir)
    report = load_report(report_path)
    sid = report.sample.id
    log.info("%s: loaded %s (%d alterations, %d mechanisms, %d drug calls, %d options)", sid,
             report_path, len(report.alterations), len(report.mechanisms), len(report.drug_calls),
             len(report.therapy_options))
    others = check_patient_reports(report, [load_report(p) for p in patient_reports])
    if others:
        log.info("%s: %d other sample(s) of patient %s for the timeline", sid, len(others),
                 report.sample.patient_id)

    json_out = outdir / "report.json"
    if json_out.resolve() == Path(report_path).resolve():
        log.info("%s: report.json validated in place", sid)
    else:
        write_report_json(report, json_out)
        log.info("%s: wrote %s (re-validated copy)", sid, json_out)

    html = render_report_html(report, others, settings)
    html_out = outdir / "report.html"
    atomic_write_text(html_out, html)
    log.info("%s: wrote %s (%d bytes)", sid, html_out, len(html.encode()))

    alt_tsv, drug_tsv = outdir / "alterations.tsv", outdir / "drug_calls.tsv"
    n_alt = write_alterations_tsv(report, alt_tsv)
    n_drug = write_drug_calls_tsv(report, drug_tsv)
    log.info("%s: wrote %s (%d rows) and %s (%d rows)", sid, alt_tsv, n_alt, drug_tsv, n_drug)

    pdf_out = None
    if want_pdf:
        from kinres.report.pdf import write_pdf

        pdf_out = outdir / "report.pdf"
        write_pdf(html, pdf_out)
        log.info("%s: wrote %s", sid, pdf_out)

    vcf_out = vcf_result = None
    if vcf is not None:
        from kinres.report.vcf_out import annotate_vcf

        vcf_out = outdir / f"{safe_name(sid)}.kinres.vcf"
        vcf_result = annotate_vcf(vcf, report, vcf_out, records=settings.vcf_records)
        log.info("%s: wrote %s (%d of %d records written, %d annotated, %d alteration(s) matched)",
                 sid, vcf_out, vcf_result.records_out, vcf_result.records_in,
                 vcf_result.annotated_records, len(vcf_result.matched_alterations))
        for warning in vcf_result.warnings:
            log.warning("%s: %s", sid, warning)
    return SampleOutputs(report_json=json_out, html=html_out, alterations_tsv=alt_tsv,
                         drug_calls_tsv=drug_tsv, pdf=pdf_out, vcf=vcf_out, vcf_result=vcf_result)


def render_batch(report_paths: Sequence[str | Path], outdir: str | Path, *,
                 config: str | Path | None = None, settings: Settings | None = None,
                 failed_paths: Sequence[str | Path] = ()) -> BatchResult:
    """Batch summary outputs for many report.json files (and FAILED.json of failed samples)."""
    from kinres.failure import read_failures
    from kinres.report.batch import write_batch

    settings = settings or settings_from(config)
    failed = read_failures(failed_paths)
    reports: list[Report] = []
    for path in report_paths:
        report = load_report(path)
        reports.append(report)
        log.info("batch: loaded %s (%s, patient %s, %d alterations)", path, report.sample.id,
                 report.sample.patient_id, len(report.alterations))
    result = write_batch(reports, outdir, settings, failed=failed)
    for failure in failed:
        log.error("batch: %s failed: %s", failure.sample_id, failure.message)
    for warning in result.warnings:
        log.warning("batch: %s", warning)
    log.info("batch: wrote %s (%d samples, %d patients, %d timeline(s), %d failed)",
             ", ".join(str(p) for p in result.outputs), result.samples, result.patients,
             result.timelines, len(failed))
    return result
