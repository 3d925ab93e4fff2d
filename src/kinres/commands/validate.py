"""`kinres validate`: check the config, the sample sheet and every input file before a run."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kinres.config import load_config
from kinres.errors import ConfigError
from kinres.io.samplesheet import read_samplesheet
from kinres.workflow_settings import Settings

HELP = ("check config, sample sheet and every input file (parsed with the run's readers); "
        "print a summary")
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
    check_results_folder(args.config, settings.results)
    from kinres.commands.variants import preflight

    for sample in sheet.samples:
        preflight(sample, config)
    parse_inputs(sheet.samples, config)
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


def check_results_folder(config_path: Path, results: Path) -> None:
    """`results` must be a folder (or not exist yet): a file there fails every output later."""
    try:
        is_file = results.exists() and not results.is_dir()
    except OSError as exc:
        from kinres.io.opener import os_problem

        raise ConfigError(config_path, f"results: {results}: {os_problem(exc)}") from None
    if is_file:
        raise ConfigError(config_path, f"results: {results} is an existing file, not a folder")


def parse_inputs(samples, config) -> None:
    """Read every input with the readers the run uses (records too, not just headers), so a
    sheet that validates does not fail later on format. Every sample is checked; the problems
    are logged and the first is raised."""
    from kinres.errors import KinresError

    errors: list[KinresError] = []
    for sample in samples:
        for check in (_variants, _fusions, _cnv, _bam):
            try:
                check(sample, config)
            except KinresError as exc:
                log.error("%s: %s", sample.sample_id, exc.message())
                errors.append(exc)
    if errors:
        if len(errors) > 1:
            log.error("%d input problem(s) in the sample sheet's files (listed above)",
                      len(errors))
        raise errors[0]


def _panel(sample):
    from kinres.annotate.transcripts import Panel

    return Panel.load(sample.genome_build)


def _variants(sample, config) -> None:
    if sample.vcf is None:
        return
    from kinres.commands.variants import build_result, is_maf
    from kinres.io.opener import sniff

    sniff(sample.vcf, "small-variant file")
    if is_maf(sample.vcf):
        build_result(sample, config, _panel(sample))
        return
    from kinres.io.vcf import VariantSettings, read_vcf

    settings = VariantSettings.from_mapping(config.section("variants"))
    res = read_vcf(sample.vcf, sample.genome_build, sample=sample.vcf_sample, settings=settings,
                   panel=_panel(sample))
    if res.annotation_tags:  # pre-annotated: the annotation parse is cheap, run it too
        build_result(sample, config, _panel(sample))
        return
    # raw VCF: the run needs the build's FASTA + GFF (the same decision as the run's: on the
    # header as read, not on a text search that a BOM or a damaged ##INFO line can fool)
    from kinres.commands.variants import check_fasta_build, require_reference

    ref = (config.section("reference") or {}).get(str(sample.genome_build)) or {}
    require_reference(sample.vcf, sample, ref)
    check_fasta_build(Path(ref["fasta"]), sample.genome_build)


def _fusions(sample, config) -> None:
    if sample.fusions is None:
        return
    from kinres.commands.fusions import build_result
    from kinres.io.fusions import Settings as FusionSettings

    build_result(sample, FusionSettings.from_mapping(config.section("fusions")), _panel(sample))


def _cnv(sample, config) -> None:
    if sample.cnv is None:
        return
    from kinres.commands.cnv import build_result
    from kinres.interpret.cn_calls import Settings as CnvSettings

    build_result(sample, CnvSettings.from_mapping(config.section("cnv")))


def _bam(sample, config) -> None:
    """BAM/CRAM header, build and index only (reads are the coverage step's work)."""
    if sample.bam is None:
        return
    from kinres.io.coverage import open_alignment

    fasta = ((config.section("reference") or {}).get(str(sample.genome_build)) or {}).get("fasta")
    with open_alignment(sample.bam, fasta, sample.genome_build):
        pass
