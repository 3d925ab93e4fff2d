"""One fusion frame rule for every caller, read-through by genomic neighbours, DRAGEN input.

The EML4-ALK event of issue 10: EML4 exon 14 (ends chr2:42301392, +) joined 56 bp before ALK
exon 20 (starts chr2:29223528, -; so the ALK breakpoint is intronic, 29223584). Arriba called it
in-frame (driver), STAR-Fusion FRAMESHIFT with the v7 label, FusionCatcher (real example file:
EML4 42301391, ALK 29223587) 'CDS(truncated)/intronic' = frame unknown. One rule now: intronic
breakpoints snap to the exon boundary, exonic ones within `exon_boundary_tolerance_bp` too, and
the frame is kinres's own on the panel CDS (E14 ends in phase 0, A20 starts in phase 1: out of
frame) with FUSION_FRAME_CONFLICT where a caller says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.test_fusions_ingest import ARRIBA_HEADER, arriba_row

from kinres.annotate.fusion_structure import annotate_all
from kinres.annotate.transcripts import Panel
from kinres.enums import Build, Specimen
from kinres.errors import InputError
from kinres.interpret.report_json import Stages, build_report, report_to_jsonable, validate_report
from kinres.io.fusions import Settings, detect_format, read_fusions
from kinres.knowledge import load_knowledge
from kinres.models import Sample, StageResult
from kinres.report.html import render_report_html
from kinres.report.json import parse_report

PANEL = Panel.load(Build.GRCh38)
STAR_HEADER = ("#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\t"
               "LeftBreakpoint\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\tannots\t"
               "PROT_FUSION_TYPE")
FC_HEADER = ("Gene_1_symbol(5end_fusion_partner)\tGene_2_symbol(3end_fusion_partner)\t"
             "Fusion_description\tCounts_of_common_mapping_reads\tSpanning_pairs\t"
             "Spanning_unique_reads\tLongest_anchor_found\tFusion_finding_method\t"
             "Fusion_point_for_gene_1(5end_fusion_partner)\t"
             "Fusion_point_for_gene_2(3end_fusion_partner)\tGene_1_id(5end_fusion_partner)\t"
             "Gene_2_id(3end_fusion_partner)\tExon_1_id(5end_fusion_partner)\t"
             "Exon_2_id(3end_fusion_partner)\tFusion_sequence\tPredicted_effect")
DRAGEN_HEADER = ("#FusionGene\tScore\tLeftBreakpoint\tRightBreakpoint\tGene1Location\t"
                 "Gene2Location\tGene1Sense\tGene2Sense\tGene1Id\tGene2Id\tNumSplitReads\t"
                 "NumSoftClippedReads\tNumPairedReads\tReadNames")
CORPUS = Path(__file__).resolve().parents[1] / "data" / "fusions"


def _write(tmp_path: Path, name: str, *lines: str) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def _eml4_alk_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "arriba": _write(tmp_path, "fusions.tsv", ARRIBA_HEADER, arriba_row(
            b1="2:42301392", b2="2:29223584", frame="in-frame", sr1="30", sr2="20", dm="10")),
        "star_fusion": _write(tmp_path, "star-fusion.fusion_predictions.tsv", STAR_HEADER, "\t".join([
            "EML4--ALK", "40", "20", "INCL_NON_REF_SPLICE", "EML4^ENSG1", "chr2:42301392:+",
            "ALK^ENSG2", "chr2:29223584:-", "YES_LDAS", "1.0", "[]", "FRAMESHIFT"])),
        "fusioncatcher": _write(tmp_path, "final-list_candidate-fusion-genes.txt", FC_HEADER, "\t".join([
            "EML4", "ALK", "known,oncogene", "0", "4", "4", "33", "BOWTIE+STAR", "2:42301391:+",
            "2:29223587:-", "ENSG00000143924", "ENSG00000171094", "", "", "A*G",
            "CDS(truncated)/intronic"])),
        "dragen": _write(tmp_path, "s.fusion_candidates.final", DRAGEN_HEADER, "\t".join([
            "EML4--ALK", "0.98", "chr2:42301392:+", "chr2:29223584:-", "IntactExon", "Intron",
            "True", "True", "ENSG00000143924", "ENSG00000171094", "25", "5", "10", "r1;r2"])),
    }


def _one(path: Path):
    read = read_fusions(path, None, Build.GRCh38, panel=PANEL)
    fusions, _ = annotate_all(read.fusions, PANEL, Settings())
    (f,) = [x for x in fusions if (x.five_prime_gene, x.three_prime_gene) == ("EML4", "ALK")]
    return f


def test_same_breakpoint_same_call_from_every_caller(tmp_path):
    calls = {name: _one(p) for name, p in _eml4_alk_files(tmp_path).items()}
    for name, f in calls.items():
        assert f.junction_label == "EML4 exon 14 :: ALK exon 20", name
        assert (f.in_frame, f.frame_source, f.actionable) == (False, "computed", False), name
        assert f.variant_label == "v7" and "out of frame" in f.not_actionable_reasons, name
    # only Arriba claimed in-frame: its disagreement is kept for the report
    assert "frame_conflict_caller_vs_computed" in calls["arriba"].flags
    assert "caller_frame:in-frame" in calls["arriba"].flags
    for name in ("star_fusion", "fusioncatcher", "dragen"):
        assert "frame_conflict_caller_vs_computed" not in calls[name].flags, name


def _report(fusion):
    sample = Sample("S1", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38,
                    prior_therapies=("alectinib",), current_therapy="alectinib")
    stages = Stages(variants=StageResult("variants", "S1"),
                    fusions=StageResult("fusions", "S1", fusions=(fusion,)),
                    cnv=StageResult("cnv", "S1"))
    data = report_to_jsonable(build_report(sample, stages, load_knowledge()))
    validate_report(data)
    return data


def test_frame_conflict_caveat_in_report_json_and_html(tmp_path):
    f = _one(_eml4_alk_files(tmp_path)["arriba"])
    data = _report(f)
    (cav,) = [c for c in data["caveats"] if c["code"] == "FUSION_FRAME_CONFLICT"]
    assert "in-frame" in cav["text"] and "out of frame" in cav["text"]
    assert "EML4 exon 14 :: ALK exon 20" in cav["text"] and "not treated as a target" in cav["text"]
    html = render_report_html(parse_report(data))
    assert "FUSION_FRAME_CONFLICT" in html and "reports in-frame" in html
    # no conflict, no caveat
    g = _one(_eml4_alk_files(tmp_path)["star_fusion"])
    assert not [c for c in _report(g)["caveats"] if c["code"] == "FUSION_FRAME_CONFLICT"]


def test_exonic_breakpoint_beyond_tolerance_is_counted_base_by_base(tmp_path):
    # EML4 3 bp before the end of exon 13 (42295513) joined to ALK exon 20 start: with snapping
    # off, E13 end phase 1 minus 3 bases is still phase 1 -> in frame, exons undetermined
    p = _write(tmp_path, "fusions.tsv", ARRIBA_HEADER, arriba_row(b1="2:42295513", frame="."))
    read = read_fusions(p, None, Build.GRCh38, panel=PANEL)
    (f,) = annotate_all(read.fusions, PANEL, Settings(exon_boundary_tolerance_bp=0))[0]
    assert f.in_frame is True and f.frame_source == "computed"
    assert f.variant_label == "variant undetermined"
    p2 = _write(tmp_path, "f2.tsv", ARRIBA_HEADER, arriba_row(b1="2:42295514", frame="."))
    (g,) = annotate_all(read_fusions(p2, None, Build.GRCh38, panel=PANEL).fusions, PANEL,
                        Settings(exon_boundary_tolerance_bp=0))[0]
    assert g.in_frame is False  # one base fewer than a codon multiple


def test_gopc_ros1_read_through_label_does_not_overrule_a_non_neighbour(tmp_path):
    # Arriba types the ~240 kb GOPC-ROS1 deletion 'deletion/read-through'; GOPC ends ~134 kb
    # from ROS1's 5' end (6q22), so they are not neighbours: in frame, 77 reads, actionable.
    p = _write(tmp_path, "fusions.tsv", ARRIBA_HEADER, arriba_row(
        g1="GOPC", g2="ROS1", s1="-/-", s2="-/-", b1="6:117566854", b2="6:117321394",
        typ="deletion/read-through", sr1="40", sr2="30", dm="7", frame="in-frame"))
    read = read_fusions(p, None, Build.GRCh38, panel=PANEL)
    assert "read_through" in read.fusions[0].flags  # what the caller said
    (f,), warnings = annotate_all(read.fusions, PANEL, Settings())
    assert any("read-through label not applied to GOPC-ROS1" in w for w in warnings)
    assert f.supporting_reads == 77 and f.in_frame is True and f.kinase_domain_retained is True
    assert "read_through" not in f.flags and "caller_read_through" in f.flags
    assert f.actionable and not f.not_actionable_reasons
    # with a neighbour distance above the gap, the same call is a read-through (not a target)
    (g,) = annotate_all(read.fusions, PANEL, Settings(read_through_max_distance=200_000))[0]
    assert "read_through" in g.flags and not g.actionable


def test_dragen_real_files_and_layouts():
    new = CORPUS / "dragen_v3.9.3.fusion_candidates.final"
    old = CORPUS / "dragen_v3.7.5.fusion_candidates.final"
    assert detect_format(new) == "dragen" == detect_format(old)
    res = read_fusions(new, None, Build.GRCh38, panel=PANEL)
    assert res.format == "dragen" and res.records == 2 and not res.warnings
    atad2, nrip1 = res.fusions
    assert (atad2.five_prime_gene, atad2.three_prime_gene) == ("ATAD2", "FBXO32")
    assert (atad2.split_reads, atad2.spanning_reads, atad2.supporting_reads) == (14, 1, 15)
    assert atad2.five_prime_breakpoint.pos == 123380529 and atad2.five_prime_breakpoint.strand == "-"
    assert nrip1.three_prime_gene == "AF127577.4" and "multiple_genes_at_breakpoint" in nrip1.flags
    res = read_fusions(old, None, Build.GRCh38, panel=PANEL)
    assert res.records == 2 and res.fusions[0].supporting_reads is None
    assert any("NumSplitReads" in w for w in res.warnings)
    # explicit fusion_format works too
    assert read_fusions(new, "dragen", Build.GRCh38, panel=PANEL).records == 2


def test_unknown_format_names_the_formats_tried(tmp_path):
    p = _write(tmp_path, "x.tsv", "#Fusion\tReads\tJunction", "A--B\t3\tchr1:1")
    with pytest.raises(InputError) as err:
        read_fusions(p, None, Build.GRCh38, panel=PANEL)
    text = str(err.value)
    assert "unrecognised fusion file format" in text and "formats tried" in text
    for name in ("arriba", "star_fusion", "fusioncatcher", "dragen", "sv_vcf", "generic"):
        assert name in text


def test_kinres_fusions_command_on_dragen_file(tmp_path):
    from tests.unit.test_fusions_command import _setup, main

    from kinres.models import StageResult
    from kinres.serialize import read_json

    src = _eml4_alk_files(tmp_path)["dragen"]
    config, sheet = _setup(tmp_path, str(src))
    out = tmp_path / "results/S1/fusions.json"
    assert main(["fusions", "--config", str(config), "--sample-sheet", str(sheet),
                 "--sample", "S1", "--out", str(out)]) == 0
    result = read_json(out, StageResult)
    assert ("fusions.format", "dragen") in result.parameters
    (f,) = result.fusions
    assert f.caller == "dragen" and f.supporting_reads == 40
    assert f.junction_label == "EML4 exon 14 :: ALK exon 20"


def test_exonic_dna_breakpoint_is_neither_snapped_nor_counted(tmp_path):
    from tests.unit.test_fusions_ingest import GENERIC_HEADER

    # 3 bp inside EML4 exon 13 at DNA level: how the transcript is spliced is not known
    p = _write(tmp_path, "calls.tsv", GENERIC_HEADER,
               "EML4\tALK\t2:42295513:+\t2:29223600:-\t30\tunknown\tdna\t.\t.")
    (f,) = annotate_all(read_fusions(p, None, Build.GRCh38, panel=PANEL).fusions, PANEL,
                        Settings())[0]
    assert f.in_frame is None and not f.actionable and f.variant_label == "variant undetermined"
    # the same position as an RNA junction is snapped to the exon 13 end (v1, in frame)
    q = _write(tmp_path, "calls_rna.tsv", GENERIC_HEADER,
               "EML4\tALK\t2:42295513:+\t2:29223528:-\t30\tunknown\trna\t.\t.")
    (g,) = annotate_all(read_fusions(q, None, Build.GRCh38, panel=PANEL).fusions, PANEL,
                        Settings())[0]
    assert g.variant_label == "v1" and g.in_frame is True
