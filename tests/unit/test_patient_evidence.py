"""Patient-level reasoning (interpret/patient.py), evidence beside claims (interpret/evidence.py) and
caveat hygiene (interpret/caveats.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from kinres.enums import Build, Consequence, CopyNumberCall, Phase, Specimen
from kinres.interpret.caveats import skipped_records, unparsed_caveat
from kinres.interpret.evidence import cn_threshold
from kinres.interpret.patient import PatientInputs, observed_from_stages
from kinres.interpret.report_json import (
    Stages,
    build_report,
    report_to_jsonable,
    validate_report,
    write_report,
)
from kinres.interpret.settings import Settings
from kinres.knowledge import load_knowledge
from kinres.models import (
    CopyNumber,
    Fusion,
    PhaseCall,
    ProteinAnnotation,
    Sample,
    StageResult,
    Variant,
)

KB = load_knowledge()
DAY = dt.date(2025, 3, 1)


def smp(sid, specimen, date=DAY, **kw):
    return Sample(sid, "P1", Specimen(specimen), "lung adenocarcinoma", Build.GRCh38, collection_date=date,
                  prior_therapies=("alectinib",), **kw)


def snv(gene, p, vaf, pos, tx="ENST00000389048"):
    aa = int("".join(c for c in p if c.isdigit()))
    return Variant("2", pos, "C", "T", vaf=vaf, depth=1000, alt_reads=int(1000 * vaf),
                   annotation=ProteinAnnotation(gene, tx, (Consequence.MISSENSE,), hgvs_p=p, protein_start=aa))


def eml4_alk(af=None, molecule="rna"):
    return Fusion("EML4", "ALK", "arriba", molecule, kinase_gene="ALK", five_prime_exon=13, three_prime_exon=20,
                  in_frame=True, kinase_domain_retained=True, actionable=True, supporting_reads=30, fusion_af=af)


def stages_of(sid, variants=(), fusions=(), copies=None, phases=()):
    return Stages(variants=StageResult("variants", sid, variants=tuple(variants)),
                  fusions=StageResult("fusions", sid, fusions=tuple(fusions)),
                  cnv=StageResult("cnv", sid, copy_numbers=tuple(copies)) if copies is not None else None,
                  coverage=StageResult("coverage", sid, phases=tuple(phases)) if phases else None)


def report(sample, stages, patient=None, settings=None):
    data = report_to_jsonable(build_report(sample, stages, KB, settings, patient=patient))
    validate_report(data)
    return data


def codes(d):
    return {c["code"] for c in d["caveats"]}


G1202R = snv("ALK", "p.G1202R", 0.08, 29220829)


# --------------------------------------------------------------------------- patient
def _plasma_csf_pair():
    plasma = smp("PL1", "plasma", cns_involvement=True)
    csf = smp("CSF1", "csf", cns_involvement=True)
    csf_stages = stages_of("CSF1", [G1202R], [eml4_alk(0.2, "dna")])
    return plasma, csf, csf_stages


def test_plasma_report_mentions_csf_finding_and_does_not_advise_csf_testing():
    plasma, csf, csf_stages = _plasma_csf_pair()
    alone = report(plasma, stages_of("PL1", [], [eml4_alk(0.01, "dna")]))
    # reported alone, a negative plasma with brain disease advises CSF genotyping
    assert any("CSF" in o["option"] for o in alone["therapy_options"])
    other = observed_from_stages(csf, [csf_stages.variants, csf_stages.fusions])
    d = report(plasma, stages_of("PL1", [], [eml4_alk(0.01, "dna")]), PatientInputs([other]))
    statements = " ".join(d["patient"]["statements"])
    assert "CSF sample CSF1" in statements and "ALK p.G1202R" in statements
    assert "not informative" in statements
    assert not any("CSF" in o["option"] for o in d["therapy_options"])
    cns = next(c["text"] for c in d["caveats"] if c["code"] == "CNS_DISEASE_PLASMA")
    assert "brain MRI" in cns and "reported separately" in cns and "genotyping" not in cns
    assert d["patient"]["batch_specimens"] == ["csf"]


def test_csf_report_mentions_plasma_sample():
    plasma, csf, csf_stages = _plasma_csf_pair()
    pl = observed_from_stages(plasma, [StageResult("fusions", "PL1", fusions=(eml4_alk(0.01, "dna"),))])
    d = report(csf, csf_stages, PatientInputs([pl]))
    text = " ".join(d["patient"]["statements"])
    assert "plasma sample PL1" in text and "detected here but not there: ALK p.G1202R" in text


def test_acquired_vs_pre_existing_against_baseline_sample():
    base = smp("T0", "tissue", date=dt.date(2024, 1, 10))
    now = smp("T1", "tissue", baseline="T0")
    tp53 = snv("TP53", "p.R248Q", 0.3, 7674220, tx="ENST00000269305")
    base_obs = observed_from_stages(base, [StageResult("variants", "T0", variants=(tp53,)),
                                           StageResult("fusions", "T0", fusions=(eml4_alk(),))])
    d = report(now, stages_of("T1", [G1202R, tp53], [eml4_alk()]), PatientInputs([base_obs], base_obs))
    acq = {(a["gene"], a["hgvs_p"] or a["kind"]): a["acquisition"] for a in d["alterations"]}
    assert acq[("ALK", "p.G1202R")] == "acquired"
    assert acq[("TP53", "p.R248Q")] == "pre_existing" and acq[("ALK", "fusion")] == "pre_existing"
    assert any(s.startswith("Relative to baseline T0: acquired ALK p.G1202R") for s in d["patient"]["statements"])
    assert d["patient"]["other_samples"][0]["is_baseline"] is True


def test_earlier_sample_is_the_reference_without_baseline_and_alone_has_no_labels():
    early = smp("PL0", "plasma", date=dt.date(2024, 6, 1))
    obs = observed_from_stages(early, [StageResult("variants", "PL0", variants=())])
    d = report(smp("PL1", "plasma"), stages_of("PL1", [G1202R], [eml4_alk(0.2, "dna")]), PatientInputs([obs]))
    assert {a["acquisition"] for a in d["alterations"]} == {"acquired"}
    assert "liquid biopsy" in d["patient"]["statements"][-1]
    alone = report(smp("PL1", "plasma"), stages_of("PL1", [G1202R], [eml4_alk(0.2, "dna")]))
    assert alone["patient"] is None and {a["acquisition"] for a in alone["alterations"]} == {None}


def test_uninformative_plasma_with_tissue_in_batch_does_not_advise_tissue_biopsy():
    tissue = observed_from_stages(smp("T1", "tissue"), [StageResult("fusions", "T1", fusions=(eml4_alk(),))])
    d = report(smp("PL1", "plasma"), stages_of("PL1", [], [eml4_alk(0.01, "dna")]), PatientInputs([tissue]))
    assert not any("tissue biopsy" in o["option"].lower() for o in d["therapy_options"])


# --------------------------------------------------------------------------- cli + baseline report
def _write_stage(path: Path, st: StageResult) -> Path:
    from kinres.serialize import write_json

    write_json(path, st)
    return path


def test_cli_patient_stages_and_baseline_report(tmp_path: Path):
    from kinres.cli import main

    (tmp_path / "config.yaml").write_text("samples: samples.tsv\nknowledge: {}\n")
    (tmp_path / "x").write_text("x\n")
    base = smp("T0", "tissue", date=dt.date(2024, 1, 10))
    write_report(tmp_path / "old.report.json", build_report(base, stages_of("T0", [], [eml4_alk()]), KB))
    (tmp_path / "samples.tsv").write_text(
        "sample_id\tpatient_id\tspecimen\ttumor_type\tgenome_build\tcollection_date\tfusions\tbaseline\n"
        "PL1\tP1\tplasma\tNSCLC\tGRCh38\t2025-03-01\tx\told.report.json\n"
        "CSF1\tP1\tcsf\tNSCLC\tGRCh38\t2025-03-02\tx\t\n"
        "Q1\tP2\ttissue\tNSCLC\tGRCh38\t2025-03-02\tx\t\n")
    pl = _write_stage(tmp_path / "PL1.fusions.json", StageResult("fusions", "PL1", fusions=(eml4_alk(0.01, "dna"),)))
    csf = _write_stage(tmp_path / "CSF1.variants.json", StageResult("variants", "CSF1", variants=(G1202R,)))
    q1 = _write_stage(tmp_path / "Q1.variants.json", StageResult("variants", "Q1"))
    args = ["interpret", "--config", str(tmp_path / "config.yaml"), "--sample-sheet", str(tmp_path / "samples.tsv"),
            "--sample", "PL1", "--fusions", str(pl), "--out", str(tmp_path / "r.json")]
    assert main([*args, "--patient-stages", str(csf)]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["patient"]["baseline"].endswith("old.report.json")
    assert any("baseline T0" in s for s in data["patient"]["statements"])
    assert data["alterations"][0]["acquisition"] == "pre_existing"
    assert main([*args, "--patient-stages", str(q1)]) == 2  # another patient's stage: clean error


# --------------------------------------------------------------------------- evidence
def test_phase_read_counts_and_transcript_refseq():
    lm = snv("ALK", "p.L1196M", 0.1, 29220847)
    ph = PhaseCall(G1202R.key, lm.key, Phase.CIS, 40, 1, 2, 300)
    d = report(smp("T1", "tissue", current_therapy="lorlatinib"), stages_of("T1", [G1202R, lm], [eml4_alk()],
                                                                            phases=[ph]))
    m = next(x for x in d["mechanisms"] if x["compound"])
    ev = m["phase_evidence"][0]
    assert (ev["reads_both"], ev["reads_a_only"], ev["reads_b_only"], ev["reads_neither"]) == (40, 1, 2, 300)
    alts = {a["hgvs_p"]: a for a in d["alterations"]}
    assert ev["alteration_a"] == alts["p.G1202R"]["id"]
    assert alts["p.G1202R"]["refseq"] == "NM_004304.5" and alts["p.G1202R"]["protein_length"] == 1620


@pytest.mark.parametrize("tx", ["ENST00000360948", "NM_001012338.3"])
def test_ntrk3_transcript_is_shown_with_refseq_and_length(tx):
    s = dataclasses.replace(smp("T1", "tissue"), tumor_type="secretory carcinoma")
    v = snv("NTRK3", "p.G623R", 0.2, 88000000, tx=tx)
    d = report(s, stages_of("T1", [v], [Fusion("ETV6", "NTRK3", "arriba", "rna", kinase_gene="NTRK3",
                                                 five_prime_exon=5, three_prime_exon=15, in_frame=True,
                                                 kinase_domain_retained=True, actionable=True)]))
    a = next(a for a in d["alterations"] if a["hgvs_p"] == "p.G623R")
    assert a["refseq"] == "NM_001012338" and a["protein_length"] == 839


def test_cn_threshold_beside_call():
    params = {"cnv.amplification_cn": "6.0", "cnv.broad_amplification_cn": "12.0", "cnv.gain_cn": "3.0",
              "cnv.loss_cn": "1.5", "cnv.deep_deletion_cn": "0.5", "cnv.focal_max_bp": "10000000",
              "cnv.purity_used": "0.6", "cnv.purity_source": "purity", "cnv.ploidy": "2 (default)"}
    text = cn_threshold(CopyNumberCall.AMPLIFICATION, params)
    assert ">= 6 copies" in text and "10 Mb" in text and "purity 60.0%" in text
    assert cn_threshold(CopyNumberCall.DEEP_DELETION, params).startswith("deep deletion: <= 0.5")
    st = stages_of("T1", [], [eml4_alk()], copies=[CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=12.0)])
    st = dataclasses.replace(st, cnv=dataclasses.replace(st.cnv, parameters=tuple(params.items())))
    d = report(smp("T1", "tissue"), st)
    met = next(a for a in d["alterations"] if a["gene"] == "MET")
    assert met["cn_threshold"].startswith("amplification: >= 6 copies")


# --------------------------------------------------------------------------- caveats
def test_negative_plasma_states_lod_from_assay_config():
    settings = Settings(assay_lod_plasma=0.004)
    d = report(smp("PL1", "plasma", tumor_fraction=0.2), stages_of("PL1", [], [eml4_alk(0.1, "dna")]),
               settings=settings)
    assert "0.40% VAF" in next(c["text"] for c in d["caveats"] if c["code"] == "DETECTION_LIMIT")
    assert "0.40% VAF" in d["mechanisms"][0]["note"]
    nd = d["not_detected"][0]
    assert nd["lod_vaf"] == 0.004 and nd["lod_source"] == "assay" and nd["assessable"] is True
    assert "LIQUID_OFF_TARGET_INSENSITIVE" in codes(d)
    unset = report(smp("PL1", "plasma", tumor_fraction=0.2), stages_of("PL1", [], [eml4_alk(0.1, "dna")]))
    assert "not stated" in next(c["text"] for c in unset["caveats"] if c["code"] == "DETECTION_LIMIT")
    assert unset["not_detected"][0]["assessable"] is False


def test_tissue_has_no_liquid_caveats():
    d = report(smp("T1", "tissue"), stages_of("T1", [], [eml4_alk()]))
    assert not codes(d) & {"LIQUID_OFF_TARGET_INSENSITIVE", "DETECTION_LIMIT", "CNS_DISEASE_PLASMA"}


@pytest.mark.parametrize("warnings, n", [
    (["variants: a.vcf: 3 record(s) outside the panel target regions (panel exons +/- 20 bp) not read"], 0),
    (["variants: a.vcf: no variant records"], 0),
    (["variants: a.vcf: 2 record(s) failed FILTER (reasons: x); accepted: PASS"], 0),
    (["cnv: c.vcf: 1 CNV record(s) not PASS, not used"], 0),
    (["variants: a.vcf: 4 symbolic/breakend ALT allele(s) skipped", "fusions: 2 record(s) could not be parsed"], 6),
    (["variants: 2:29220829:C>C: ALT equals REF, not annotated"], 1),
    (["variants: a.vcf: 3 record(s) carry no CSQ annotation",
      "cnv: c.cns: 2 CNVkit segment(s) with no probes or end before start skipped (line 4, 9)"], 5),
    # facts and deliberate choices are not unparsed records
    (["sample sheet: s.tsv, line 3: unknown drug name 'lorlatinb'",
      "variants: a.vcf: 2 out-of-range value(s) replaced: AF 1.2",
      "variants: m.maf line 7: re-expressed on the reporting transcript",
      "variants: duplicate record 2:29220747 C>T at line 12 and line 13: merged into one variant",
      "variants: a.vcf: stale index; the whole file was read instead"], 0),
])
def test_unparsed_records_counts_records_not_lines(warnings, n):
    assert skipped_records(warnings) == n
    cav = unparsed_caveat(warnings)
    assert (cav is None) if n == 0 else (cav.text.startswith(f"{n} input record"))


def test_every_caveat_code_is_documented_once_in_docs_and_schema():
    import re

    from kinres.enums import CaveatCode
    from kinres.paths import PROJECT_ROOT, SCHEMAS

    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    assert schema["$defs"]["caveat_codes"]["enum"] == [c.value for c in CaveatCode]
    doc = (PROJECT_ROOT / "docs" / "report-json.md").read_text()
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", doc, re.MULTILINE)
    assert sorted(rows) == sorted(c.value for c in CaveatCode)


def test_html_shows_evidence_origin_and_patient_statements(tmp_path: Path):
    from kinres.report.html import render_report_html
    from kinres.report.json import load_report

    lm = snv("ALK", "p.L1196M", 0.1, 29220847)
    ph = PhaseCall(G1202R.key, lm.key, Phase.CIS, 40, 1, 2, 300)
    tp53 = snv("TP53", "p.R248Q", 0.5, 7674220, tx="ENST00000269305")
    base = observed_from_stages(smp("T0", "tissue", date=dt.date(2024, 1, 1)),
                                [StageResult("fusions", "T0", fusions=(eml4_alk(),))])
    st = stages_of("T1", [G1202R, lm, tp53], [eml4_alk()],
                   copies=[CopyNumber("MET", CopyNumberCall.AMPLIFICATION, copy_number=12.0)], phases=[ph])
    st = dataclasses.replace(st, cnv=dataclasses.replace(st.cnv, parameters=(("cnv.amplification_cn", "6.0"),)))
    sample = smp("T1", "tissue", current_therapy="lorlatinib", baseline="T0")
    write_report(tmp_path / "report.json", build_report(sample, st, KB, patient=PatientInputs([base], base)))
    html = render_report_html(load_report(tmp_path / "report.json"))
    assert "fragments with both 40, only the first 1, only the second 2, neither 300" in html
    assert "NM_004304.5 (1620 aa)" in html
    assert "amplification: &gt;= 6 copies" in html
    assert "origin: possible germline" in html
    assert "Relative to baseline T0: acquired" in html and ">acquired<" in html
    from kinres.report.tsv import write_alterations_tsv

    write_alterations_tsv(load_report(tmp_path / "report.json"), tmp_path / "a.tsv")
    header, *body = [ln.split("\t") for ln in (tmp_path / "a.tsv").read_text().splitlines()]
    rows = [dict(zip(header, r)) for r in body]
    g = next(r for r in rows if r["hgvs_p"] == "p.G1202R")
    assert g["refseq"] == "NM_004304.5" and g["protein_length"] == "1620" and g["acquisition"] == "acquired"
    assert next(r for r in rows if r["hgvs_p"] == "p.R248Q")["origin"] == "possible_germline"



def test_summary_states_lod_and_does_not_call_flagged_variants_unused(tmp_path: Path):
    from kinres.report.json import load_report
    from kinres.report.summary import summary_text

    dnmt3a = snv("DNMT3A", "p.R882H", 0.01, 25234373, tx="ENST00000321117")
    tissue = observed_from_stages(smp("T1", "tissue"), [StageResult("fusions", "T1", fusions=(eml4_alk(),))])
    write_report(tmp_path / "r.json", build_report(
        smp("PL1", "plasma"), stages_of("PL1", [dnmt3a], []), KB, Settings(assay_lod_plasma=0.004),
        patient=PatientInputs([tissue])))
    text = summary_text(load_report(tmp_path / "r.json"))
    assert "limit of detection 0.40% VAF" in text
    assert "tissue sample of this patient" in text and "tissue re-biopsy" not in text
    assert "not used as tumour evidence" not in text and "possible clonal haematopoiesis" in text


def test_row_file_round_trips_baseline_and_germline_status(tmp_path: Path):
    from kinres.enums import GermlineStatus
    from kinres.io.sample_row import read_row, write_row

    s = smp("T1", "tissue", baseline="T0", germline_status=GermlineStatus.PENDING)
    write_row(s, tmp_path / "T1.json")
    back = read_row(tmp_path / "T1.json").sample
    assert back.baseline == "T0" and back.germline_status is GermlineStatus.PENDING


def test_other_isoform_gets_no_reporting_refseq():
    """ENST00000394480 is a different NTRK3 isoform: its numbering is not NM_001012338's."""
    s = dataclasses.replace(smp("T1", "tissue"), tumor_type="secretory carcinoma")
    d = report(s, stages_of("T1", [snv("NTRK3", "p.G623R", 0.2, 88000000, tx="ENST00000394480")], []))
    a = next(a for a in d["alterations"] if a["gene"] == "NTRK3")
    assert a["refseq"] is None and a["protein_length"] is None


def test_on_treatment_reference_says_persisting_and_vaf_trend_rising():
    """Review defect C: serial plasma all on alectinib (P01-PL1/2/3): G1202R seen in an earlier
    on-treatment plasma is 'persisting' (present since its date), never 'pre-existing', and the
    rising VAF 0.3% -> 1.5% -> 4.9% is stated."""
    def pl(sid, date, vaf):
        s = smp(sid, "plasma", date=date, current_therapy="alectinib")
        return s, snv("ALK", "p.G1202R", vaf, 29220831)
    (s1, v1), (s2, v2), (s3, v3) = (pl("PL1", dt.date(2023, 2, 1), 0.003), pl("PL2", dt.date(2023, 5, 3), 0.015),
                                    pl("PL3", dt.date(2023, 8, 2), 0.049))
    o1 = observed_from_stages(s1, [StageResult("variants", "PL1", variants=(v1,))])
    o2 = observed_from_stages(s2, [StageResult("variants", "PL2", variants=(v2,))])
    d = report(s3, stages_of("PL3", [v3], []), PatientInputs([o1, o2]))
    g = next(a for a in d["alterations"] if a["hgvs_p"] == "p.G1202R")
    assert g["acquisition"] == "persisting"
    text = " | ".join(d["patient"]["statements"])
    assert "pre-existing" not in text
    assert "present since 2023-02-01 (persisting) ALK p.G1202R" in text  # earliest sample that had it
    assert ("VAF trend ALK p.G1202R: 0.30% (2023-02-01 PL1) -> 1.5% (2023-05-03 PL2) -> 4.9% (2023-08-02 this sample): "
            "rising") in text


def test_pre_treatment_reference_keeps_pre_existing():
    naive = Sample("T0", "P1", Specimen.TISSUE, "lung adenocarcinoma", Build.GRCh38, collection_date=dt.date(2022, 1, 1))
    o = observed_from_stages(naive, [StageResult("variants", "T0", variants=(snv("TP53", "p.R248Q", 0.3, 7674220,
                                                                                  tx="ENST00000269305"),))])
    d = report(smp("T1", "tissue"), stages_of("T1", [snv("TP53", "p.R248Q", 0.2, 7674220, tx="ENST00000269305")], []),
               PatientInputs([o]))
    assert d["alterations"][0]["acquisition"] == "pre_existing"
    assert any("VAF trend TP53 p.R248Q: 30.0% (2022-01-01 T0) -> 20.0% (" in s and s.endswith("falling")
               for s in d["patient"]["statements"])
