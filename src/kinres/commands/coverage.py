"""kinres coverage: hotspot depth/LoD and read-backed phasing from the sample's BAM/CRAM."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from kinres.checksum import input_file
from kinres.config import load_config
from kinres.errors import InputError
from kinres.io.coverage import (
    Hotspot,
    Settings,
    assess_hotspots,
    hotspots_from_knowledge,
    open_alignment,
    parse_hotspot,
)
from kinres.io.phasing import candidate_pairs, kinase_domain_check, phase_pairs
from kinres.io.samplesheet import get_sample
from kinres.models import StageResult
from kinres.serialize import read_json, write_json

HELP = "Hotspot depth, alt reads and limit of detection, and cis/trans phasing, from a BAM/CRAM."
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="config/config.yaml")
    parser.add_argument("--sample-sheet", required=True, type=Path, help="samples.tsv")
    parser.add_argument("--sample", required=True, help="sample_id in the sheet")
    parser.add_argument("--variants", type=Path, help="results/<sample>/variants.json "
                        "(pairs of mutations in one gene are phased)")
    parser.add_argument("--hotspots", type=Path, help="TSV with columns gene and hgvs_p "
                        "(default: the knowledge base's hotspots)")
    parser.add_argument("--out", required=True, type=Path, help="results/<sample>/coverage.json")


def read_hotspot_table(path: Path) -> list[Hotspot]:
    """Hotspots from a TSV with a header naming `gene` and `hgvs_p` columns."""
    from kinres.io.opener import read_lines

    lines = read_lines(path, "hotspot table")
    if not lines:
        raise InputError(path, "hotspot table is empty")
    header = [h.strip().lower() for h in lines[0].split("\t")]
    if "gene" not in header or "hgvs_p" not in header:
        raise InputError(path, "hotspot table needs 'gene' and 'hgvs_p' columns", line=1)
    gi, hi = header.index("gene"), header.index("hgvs_p")
    out = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        try:
            out.append(parse_hotspot(cells[gi].strip(), cells[hi].strip()))
        except (ValueError, IndexError) as exc:
            raise InputError(path, str(exc), line=n) from None
    return out


def knowledge_hotspots() -> tuple[list[Hotspot], list[str]]:
    """Hotspots of the knowledge base, or none with a warning when it is not available."""
    try:
        from kinres.knowledge import load_knowledge
    except ImportError:
        return [], ["knowledge base unavailable: hotspot depth not assessed"]
    return hotspots_from_knowledge(load_knowledge().hotspots())


def build_result(sample, config, variants_path: Path | None = None,
                 hotspots_path: Path | None = None, panel=None) -> StageResult:
    """The coverage StageResult for one sample (empty with a warning when it has no BAM)."""
    settings = Settings.from_mapping(config.section("coverage"))
    params = tuple((f"coverage.{k}", str(v))
                   for k, v in sorted(dataclasses.asdict(settings).items()))
    if sample.bam is None:
        return StageResult(stage="coverage", sample_id=sample.sample_id, parameters=params,
                           warnings=("no BAM: hotspot depth not assessed",))
    build = sample.genome_build
    fasta = ((config.section("reference") or {}).get(str(build)) or {}).get("fasta")
    if panel is None:
        from kinres.annotate.transcripts import Panel

        panel = Panel.load(build)

    def transcript_for(gene: str):
        try:
            return panel.transcript(gene)
        except (KeyError, LookupError):
            return None

    if hotspots_path is not None:
        hotspots, warnings = read_hotspot_table(hotspots_path), []
    else:
        hotspots, warnings = knowledge_hotspots()
    variants = read_json(variants_path, StageResult).variants if variants_path else ()
    with open_alignment(sample.bam, fasta, build) as aln:
        records, mean_depth, more = assess_hotspots(aln, hotspots, transcript_for, settings)
        phases = phase_pairs(aln, candidate_pairs(variants, kinase_domain_check(panel)),
                             settings)
    inputs = [input_file(sample.bam)] + ([input_file(variants_path)] if variants_path else [])
    return StageResult(stage="coverage", sample_id=sample.sample_id, hotspots=records,
                       phases=phases, mean_depth=mean_depth,
                       warnings=tuple(warnings) + more, inputs=tuple(inputs),
                       parameters=params)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    sample = get_sample(args.sample_sheet, args.sample)
    result = build_result(sample, config, args.variants, args.hotspots)
    write_json(args.out, result)
    log.info("coverage %s: %d hotspot(s), %d phased pair(s), mean depth %s", sample.sample_id,
             len(result.hotspots), len(result.phases), result.mean_depth)
    return 0
