"""kinres variants: small-variant VCF/BCF/MAF -> panel variants with consequences (variants.json)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from kinres.checksum import input_file
from kinres.commands._stage import add_stage_arguments
from kinres.config import Config, load_config
from kinres.errors import InputError
from kinres.models import Sample, StageResult, Variant
from kinres.serialize import write_json

HELP = "Read a sample's small variants (VCF/BCF/MAF), keep panel genes, attach consequences."
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_stage_arguments(parser, "variants.json")


def require_reference(path: Path, sample: Sample, ref) -> None:
    """A raw (unannotated) VCF needs the build's FASTA and GFF3/GTF; say what to configure."""
    if not ref.get("fasta") or not ref.get("annotation"):
        b = sample.genome_build
        raise InputError(path, f"no consequence annotation (CSQ/ANN/BCSQ) and no reference "
                               f"configured; set reference.{b}.fasta and reference.{b}.annotation "
                               "in config.yaml or supply a VEP/snpEff-annotated VCF")


def preflight(sample: Sample, config: Config) -> None:
    """Cheap checks `kinres validate` runs: header-level problems that would fail the variants step.

    A raw VCF without a configured reference, and a multi-sample MAF without `vcf_sample`, are
    reported before the workflow starts. Deeper problems are left to the variants step itself.
    """
    path = sample.vcf
    if path is None:
        return
    if is_maf(path):
        from kinres.annotate.transcripts import Panel
        from kinres.io.maf import read_maf

        read_maf(path, sample.genome_build, Panel.load(sample.genome_build), sample=sample.vcf_sample)
        return
    from cyvcf2 import VCF

    try:
        header = VCF(str(path)).raw_header
    except Exception:  # noqa: BLE001 - unreadable files get their precise error in `kinres variants`
        return
    if not any(f"##INFO=<ID={tag}," in header for tag in ("CSQ", "ANN", "BCSQ")):
        ref = (config.section("reference") or {}).get(sample.genome_build.value) or {}
        require_reference(path, sample, ref)


def is_maf(path: Path) -> bool:
    """MAF by name, or a tab-separated text whose header has Hugo_Symbol (not a VCF)."""
    name = path.name.lower()
    if name.endswith((".maf", ".maf.txt", ".maf.tsv")):
        return True
    if name.endswith((".vcf", ".vcf.gz", ".bcf", ".vcf.bgz")):
        return False
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:2] == b"\x1f\x8b" or head.startswith((b"##fileformat=VCF", b"BCF")):
        return False
    for raw in head.decode("utf-8", "replace").splitlines():
        if raw.startswith("#"):
            continue
        return "Hugo_Symbol" in raw.split("\t")
    return False


def check_fasta_build(fasta: Path, build) -> None:
    """InputError when a primary chromosome of the FASTA does not have its `build` length.

    The REF check alone cannot catch a wrong-build FASTA: a SNV's REF matches another build's
    base often enough by chance, and codons would then be read from the wrong sequence.
    """
    import pysam

    from kinres.io.fusions.contigs import CHROM_LENGTHS, primary_name

    if not fasta.is_file():
        raise InputError(fasta, f"reference FASTA not found (reference.{build}.fasta)")
    try:
        with pysam.FastaFile(str(fasta)) as fa:
            contigs = list(zip(fa.references, fa.lengths))
    except (OSError, ValueError) as exc:
        raise InputError(fasta, f"cannot open FASTA (is it indexed/bgzipped?): {exc}") from None
    expected = CHROM_LENGTHS[build]
    for name, length in contigs:
        key = primary_name(name)
        if key is None or key == "MT" or key not in expected or length == expected[key]:
            continue
        others = [str(b) for b, table in CHROM_LENGTHS.items()
                  if b != build and table.get(key) == length]
        hint = f" (the {others[0]} length)" if others else ""
        raise InputError(fasta, f"contig {name} is {length:,} bp{hint} but {build} chromosome "
                                f"{key} is {expected[key]:,} bp: reference.{build}.fasta must be "
                                f"a {build} FASTA", record=name)


def ingest(sample: Sample, config: Config, panel) -> tuple[tuple[Variant, ...], tuple[str, ...],
                                                           tuple[tuple[str, str], ...]]:
    """Variants, warnings and the parameters used for one sample's small-variant file.

    Records repeated in the input (same chrom/pos/ref/alt) are merged with a warning, whatever
    the format, so one mutation is never reported twice.
    """
    from kinres.io.duplicates import merge_duplicates

    variants, warnings, params = _ingest(sample, config, panel)
    variants, dup_warnings = merge_duplicates(variants, sample.vcf)
    return variants, tuple(warnings) + dup_warnings, params


def _ingest(sample: Sample, config: Config, panel) -> tuple[tuple[Variant, ...], tuple[str, ...],
                                                            tuple[tuple[str, str], ...]]:
    from kinres.io.vcf import VariantSettings, read_vcf

    settings = VariantSettings.from_mapping(config.section("variants"))
    params = [(f"variants.{k}", ",".join(v) if isinstance(v, tuple) else str(v))
              for k, v in sorted(dataclasses.asdict(settings).items())]
    path = Path(sample.vcf)
    if not path.exists():
        raise InputError(path, "small-variant file not found")
    if is_maf(path):
        from kinres.io.maf import read_maf

        res = read_maf(path, sample.genome_build, panel, sample=sample.vcf_sample)
        return res.variants, res.warnings, tuple(params + [("variants.source", "MAF")])
    vcf = read_vcf(path, sample.genome_build, sample=sample.vcf_sample, settings=settings,
                   panel=panel)
    warnings = list(vcf.warnings)
    params += [("variants.caller", vcf.caller or "unknown"),
               ("variants.vcf_sample", vcf.sample or ""),
               ("variants.index_used", str(vcf.used_index))]
    if vcf.annotation_tags:
        from kinres.annotate.isoform import ReferenceCodons
        from kinres.annotate.preannotated import (
            PreannotationHeader,
            annotate_preannotated,
        )

        header = PreannotationHeader(tags=vcf.annotation_tags, csq_fields=vcf.csq_fields)
        # a configured FASTA lets changes annotated on another isoform be checked codon by codon
        ref_cfg = (config.section("reference") or {}).get(str(sample.genome_build)) or {}
        fasta = ref_cfg.get("fasta")
        reference = ReferenceCodons(fasta) if fasta and Path(fasta).is_file() else None
        try:
            variants, more = annotate_preannotated(
                vcf.variants, vcf.raw_annotations, vcf.record_alts, vcf.alt_index, header, panel,
                reference)
        except ValueError as exc:
            raise InputError(path, f"unparsable {'/'.join(vcf.annotation_tags)} annotation: "
                                   f"{exc}") from None
        params.append(("variants.annotation", "+".join(vcf.annotation_tags)))
        return variants, tuple(warnings + list(more)), tuple(params)
    ref = (config.section("reference") or {}).get(str(sample.genome_build)) or {}
    fasta, annotation = ref.get("fasta"), ref.get("annotation")
    require_reference(path, sample, ref)
    from kinres.annotate.consequence import annotate_variants

    check_fasta_build(Path(fasta), sample.genome_build)
    annotated, more = annotate_variants(vcf.variants, fasta, annotation, panel)
    kept = tuple(v for v in annotated if v.annotation is not None)
    if len(kept) < len(annotated):
        warnings.append(f"{len(annotated) - len(kept)} variant(s) outside panel genes not reported")
    params.append(("variants.annotation", "kinres"))
    return kept, tuple(warnings + list(more)), tuple(params)


def build_result(sample: Sample, config: Config, panel) -> StageResult:
    """The variants StageResult (empty with a warning when the sample has no variant file)."""
    if sample.vcf is None:
        return StageResult(stage="variants", sample_id=sample.sample_id,
                           warnings=("no small-variant input: small variants not assessed",))
    variants, warnings, params = ingest(sample, config, panel)
    return StageResult(stage="variants", sample_id=sample.sample_id, variants=variants,
                       warnings=warnings, inputs=(input_file(sample.vcf),), parameters=params)


def run(args: argparse.Namespace) -> int:
    from kinres.io.samplesheet import get_sample

    config = load_config(args.config)
    sample = get_sample(args.sample_sheet, args.sample)
    panel = None
    if sample.vcf is not None:
        from kinres.annotate.transcripts import Panel

        panel = Panel.load(sample.genome_build)
    result = build_result(sample, config, panel)
    write_json(args.out, result)
    log.info("%s: %d panel variant(s), %d warning(s) -> %s", sample.sample_id,
             len(result.variants), len(result.warnings), args.out)
    return 0
