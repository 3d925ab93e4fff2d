"""Raw (unannotated) Mutect2 VCF on real GRCh38 ALK coordinates, through the CLI and Snakemake.

The reference is synthetic (tests/realcoord.py: real chr2 length, real ENST00000389048 exon/CDS
coordinates, random sequence with the real G1202/L1196 codons) because no genome sequence is
available offline. kinres itself must annotate the records (FASTA + GFF3 in config `reference`),
so this exercises VCF ingestion -> normalisation/REF check -> consequence/HGVS on the minus strand
-> interpretation -> report, with nothing pre-annotated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bam_builder import Read, write_alignments
from realcoord import GRCH38_LENGTHS, Call, cached_alk_reference, revcomp, write_mutect2_vcf

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
KINRES = [sys.executable, "-m", "kinres.cli"]
SHEET_COLUMNS = ("sample_id", "patient_id", "specimen", "tumor_type", "collection_date",
                 "genome_build", "prior_therapies", "current_therapy", "vcf", "vcf_sample", "bam")
COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}
INTRON_OFFSET = 12  # inside the default variants.region_padding (20), beyond splice_region (3-8)


def kinres(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*KINRES, *map(str, args)], check=False, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


@pytest.fixture(scope="session")
def alk_ref(tmp_path_factory):
    """ref.fa (chr2 at full GRCh38 length, ALK span only) + alk.gff3, built once per session."""
    return cached_alk_reference(tmp_path_factory.getbasetemp())


def _other(base: str) -> str:
    return "A" if base != "A" else "G"


@pytest.fixture(scope="session")
def calls(alk_ref):
    """The four records of the raw VCF with what each must be annotated as."""
    t = alk_ref.transcript
    g1202, g1196, syn = alk_ref.genomic(3604), alk_ref.genomic(3586), alk_ref.genomic(3750)
    # the FASTA must carry the reference alleles the literature gives (minus strand: c.G = g.C)
    assert (alk_ref.base(g1202), alk_ref.base(g1196)) == ("C", "G")
    intr = alk_ref.intron_position(22, INTRON_OFFSET)
    exon22_end_c = t.c_position(t.exons[21].start)  # minus strand: exon 22 ends at its low end
    ib = alk_ref.base(intr)
    deep = alk_ref.intron_position(22, 300)
    sb = alk_ref.base(syn)
    syn_alt = {"A": "G", "G": "A", "C": "T", "T": "C"}[sb]  # transition at a 3rd codon base
    return {
        "G1202R": (Call("2", g1202, "C", "T", tumor_ad=(180, 60)), "c.3604G>A", "p.G1202R"),
        "L1196M": (Call("2", g1196, "G", "T", tumor_ad=(190, 50)), "c.3586C>A", "p.L1196M"),
        "intron": (Call("2", intr, ib, _other(ib)),
                   f"c.{exon22_end_c}+{INTRON_OFFSET}{COMP[ib]}>{COMP[_other(ib)]}", None),
        "synonymous": (Call("2", syn, sb, syn_alt), f"c.3750{COMP[sb]}>{COMP[syn_alt]}",
                       "p.L1250="),
        # 300 bp into intron 22: outside the panel target regions (CDS exons +/- 20 bp)
        "deep_intron": (Call("2", deep, alk_ref.base(deep), _other(alk_ref.base(deep))),
                        None, None),
    }


def write_config(path: Path, alk_ref, results: Path, samples: Path, extra: str = "") -> Path:
    path.write_text(
        f"samples: {samples}\nresults: {results}\n"
        "reference:\n  GRCh38:\n"
        f"    fasta: {alk_ref.fasta}\n    annotation: {alk_ref.gff3}\n"
        "report:\n  pdf: false\n" + extra)
    return path


def write_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = ["\t".join(SHEET_COLUMNS)]
    lines += ["\t".join(str(r.get(c, "")) for c in SHEET_COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def sample_row(sample_id: str, vcf: Path, bam: Path | None = None,
               patient: str | None = None) -> dict[str, str]:
    return {"sample_id": sample_id, "patient_id": patient or f"PT-{sample_id}",
            "specimen": "tissue", "tumor_type": "NSCLC", "collection_date": "2024-03-01",
            "genome_build": "GRCh38", "prior_therapies": "crizotinib;alectinib",
            "current_therapy": "alectinib", "vcf": str(vcf), "vcf_sample": "TUMOR",
            "bam": str(bam) if bam else ""}


@pytest.fixture(scope="session")
def raw_vcf(tmp_path_factory, calls):
    d = tmp_path_factory.mktemp("raw_vcf")
    recs = sorted((c for c, _, _ in calls.values()), key=lambda c: c.pos)
    return write_mutect2_vcf(d / "tumor.mutect2.vcf", recs)


# ------------------------------------------------------------------------------ kinres variants
@pytest.fixture(scope="session")
def variants_json(tmp_path_factory, alk_ref, raw_vcf):
    d = tmp_path_factory.mktemp("variants_cli")
    sheet = write_sheet(d / "samples.tsv", [sample_row("S1", raw_vcf)])
    config = write_config(d / "config.yaml", alk_ref, d / "results", sheet)
    out = d / "out" / "variants.json"
    proc = kinres("variants", "--config", config, "--sample-sheet", sheet, "--sample", "S1",
                  "--out", out)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def _by_pos(doc: dict) -> dict[int, dict]:
    return {v["pos"]: v for v in doc["variants"]}


@pytest.mark.parametrize("name", ["G1202R", "L1196M"])
def test_raw_vcf_missense_on_the_reporting_transcript(variants_json, calls, alk_ref, name):
    call, hgvs_c, hgvs_p = calls[name]
    v = _by_pos(variants_json)[call.pos]
    ann = v["annotation"]
    assert (v["chrom"], v["ref"], v["alt"]) == ("2", call.ref, call.alt)
    assert ann["transcript"] == "ENST00000389048" and ann["gene"] == "ALK"
    assert ann["refseq"] == "NM_004304.5"
    assert ann["hgvs_c"] == hgvs_c and ann["hgvs_p"] == hgvs_p
    assert ann["consequences"] == ["missense_variant"]
    assert ann["exon"] == alk_ref.transcript.exon_at(call.pos) == 23
    assert ann["annotator"] == "kinres"
    assert v["caller"] == "Mutect2"
    assert v["vaf"] == pytest.approx(call.tumor_ad[1] / sum(call.tumor_ad), abs=1e-3)
    assert v["depth"] == sum(call.tumor_ad)  # the TUMOR column, not the NORMAL one


def test_raw_vcf_intronic_and_synonymous(variants_json, calls, alk_ref):
    by_pos = _by_pos(variants_json)
    call, hgvs_c, _ = calls["intron"]
    ann = by_pos[call.pos]["annotation"]
    assert ann["consequences"] == ["intron_variant"]
    assert ann["hgvs_c"] == hgvs_c and ann["hgvs_p"] is None
    assert ann["intron"] == 22 and ann["exon"] is None
    call, hgvs_c, hgvs_p = calls["synonymous"]
    ann = by_pos[call.pos]["annotation"]
    assert ann["consequences"] == ["synonymous_variant"]
    assert (ann["hgvs_c"], ann["hgvs_p"]) == (hgvs_c, hgvs_p)
    assert ann["exon"] == alk_ref.transcript.exon_at(call.pos)
    assert len(variants_json["variants"]) == 4
    # the deep-intronic record is not read (variants.restrict_to_panel) but never silently
    assert calls["deep_intron"][0].pos not in by_pos
    assert any("1 record(s) outside the panel" in w for w in variants_json["warnings"]), \
        variants_json["warnings"]
    assert ("variants.annotation", "kinres") in map(tuple, variants_json["parameters"])


def test_ref_mismatch_is_an_input_error(tmp_path, alk_ref, calls):
    good, _, _ = calls["G1202R"]
    bad = Call("2", good.pos, "A", "T")  # the FASTA has C here
    vcf = write_mutect2_vcf(tmp_path / "mismatch.vcf", [calls["L1196M"][0], bad])
    sheet = write_sheet(tmp_path / "samples.tsv", [sample_row("S1", vcf)])
    config = write_config(tmp_path / "config.yaml", alk_ref, tmp_path / "results", sheet)
    out = tmp_path / "out" / "variants.json"
    proc = kinres("variants", "--config", config, "--sample-sheet", sheet, "--sample", "S1",
                  "--out", out)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(vcf) in proc.stderr
    line = next(i for i, t in enumerate(vcf.read_text().splitlines(), 1)
                if t.startswith(f"2\t{good.pos}\t"))
    assert f"line {line}" in proc.stderr
    assert f"2:{good.pos}" in proc.stderr and "has C" in proc.stderr
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


# ------------------------------------------------------------------------------ Snakemake
def _cis_bam(path: Path, alk_ref, calls) -> Path:
    """Reads spanning c.3586 and c.3604: 40 fragments carry both mutations, 80 neither."""
    a, b = calls["L1196M"][0], calls["G1202R"][0]
    lo, hi = min(a.pos, b.pos), max(a.pos, b.pos)
    start0 = lo - 60  # 0-based start so both positions sit mid-read
    length = hi - lo + 120
    ref = "".join(alk_ref.base(p) for p in range(start0 + 1, start0 + length + 1))
    mut = list(ref)
    for c in (a, b):
        assert mut[c.pos - 1 - start0] == c.ref
        mut[c.pos - 1 - start0] = c.alt
    reads = []
    for i in range(120):
        seq = "".join(mut) if i < 40 else ref
        reads.append(Read(f"frag{i:03d}", "2", start0, seq, reverse=bool(i % 2)))
    contigs = [(c, n) for c, n in GRCH38_LENGTHS.items()]
    return write_alignments(path, contigs, reads)


def _snakemake(config: Path, sheet: Path, results: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", "--configfile", str(config),
         "--config", f"samples={sheet}", f"results={results}"],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def workflow_results(tmp_path_factory, alk_ref, raw_vcf, calls):
    d = tmp_path_factory.mktemp("raw_workflow")
    bam = _cis_bam(d / "tumor.bam", alk_ref, calls)
    sheet = write_sheet(d / "samples.tsv", [sample_row("RAW1", raw_vcf),
                                            sample_row("RAW2", raw_vcf, bam=bam)])
    results = d / "results"
    config = write_config(d / "config.yaml", alk_ref, results, sheet)
    proc = _snakemake(config, sheet, results)
    if proc.returncode != 0:
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}"
                         for p in sorted((results / "logs").rglob("*.log")))
        pytest.fail(f"workflow failed:\n{proc.stderr[-3000:]}\n{logs}", pytrace=False)
    return results


def _report(results: Path, sample: str) -> dict:
    return json.loads((results / sample / "report.json").read_text())


def _alt(report: dict, hgvs_p: str) -> dict:
    hits = [a for a in report["alterations"] if a["gene"] == "ALK" and a["hgvs_p"] == hgvs_p]
    assert len(hits) == 1, [(a["gene"], a["hgvs_p"]) for a in report["alterations"]]
    return hits[0]


def _calls(report: dict) -> dict[str, str]:
    return {c["drug"]: c["call"] for c in report["drug_calls"]}


def test_workflow_raw_vcf_reports_on_target_resistance(workflow_results, calls):
    report = _report(workflow_results, "RAW1")
    g1202r, l1196m = _alt(report, "p.G1202R"), _alt(report, "p.L1196M")
    for alt, hgvs_c in ((g1202r, "c.3604G>A"), (l1196m, "c.3586C>A")):
        assert alt["hgvs_c"].endswith(hgvs_c)
        assert alt["transcript"].startswith("ENST00000389048")
        assert alt["in_kinase_domain"] is True
    assert g1202r["role"] == "on_target_resistance"
    assert g1202r["structural_class"] == "solvent_front"
    classes = {m["class"] for m in report["mechanisms"] if g1202r["id"] in m["alteration_ids"]}
    assert classes == {"on_target"}
    # no BAM: phase unknown, so no compound-specific call (digest rule 1); single-mutation
    # knowledge rows apply: G1202R is alectinib-resistant, lorlatinib-sensitive
    (mech,) = [m for m in report["mechanisms"] if g1202r["id"] in m["alteration_ids"]]
    assert l1196m["id"] in mech["alteration_ids"]
    assert mech["phase"] == "unknown" and mech["compound"] is False
    assert "ALK:p.L1196M+p.G1202R" not in mech["knowledge_ids"]
    assert "COMPOUND_PHASE_UNKNOWN" in {c["code"] for c in report["caveats"]}
    drugs = _calls(report)
    assert drugs["alectinib"] == "resistant"
    assert drugs["lorlatinib"] == "sensitive"
    roles = {a["hgvs_c"].split(":")[-1]: a["role"] for a in report["alterations"]}
    # the intronic and synonymous records are reported as passengers, not dropped
    assert roles[calls["intron"][1]] == roles[calls["synonymous"][1]] == "passenger"


def test_workflow_bam_phases_compound_in_cis(workflow_results):
    report = _report(workflow_results, "RAW2")
    g1202r, l1196m = _alt(report, "p.G1202R"), _alt(report, "p.L1196M")
    compound = [m for m in report["mechanisms"]
                if {g1202r["id"], l1196m["id"]} <= set(m["alteration_ids"])]
    assert len(compound) == 1, report["mechanisms"]
    mech = compound[0]
    assert mech["class"] == "on_target" and mech["compound"] is True and mech["phase"] == "cis"
    # knowledge compounds.tsv: ALK p.L1196M+p.G1202R is lorlatinib-resistant (Yoda 2018)
    assert "ALK:p.L1196M+p.G1202R" in mech["knowledge_ids"]
    assert _calls(report)["lorlatinib"] == "resistant"
    coverage = json.loads((workflow_results / "RAW2" / "coverage.json").read_text())
    (phase,) = coverage["phases"]
    assert phase["phase"] == "cis" and phase["gene"] == "ALK"
    assert (phase["reads_both"], phase["reads_a_only"], phase["reads_b_only"],
            phase["reads_neither"]) == (40, 0, 0, 80)


def test_workflow_writes_every_output(workflow_results):
    for sample in ("RAW1", "RAW2"):
        for name in ("report.json", "report.html", "alterations.tsv", "drug_calls.tsv"):
            assert (workflow_results / sample / name).stat().st_size > 0
    assert "p.G1202R" in (workflow_results / "RAW1" / "alterations.tsv").read_text()
    assert (workflow_results / "batch" / "summary.tsv").is_file()


def test_bam_reads_carry_the_fasta_sequence(alk_ref):
    # guards the BAM builder above: a read of the reference must match the FASTA
    import pysam

    pos = alk_ref.genomic(3604)
    with pysam.FastaFile(str(alk_ref.fasta)) as fa:
        assert fa.fetch(alk_ref.chrom, pos - 3, pos + 2) == "".join(
            alk_ref.base(p) for p in range(pos - 2, pos + 3))
    # CDS as written on the minus strand translates with G at 1202 and L at 1196
    assert alk_ref.cds[3603:3606] == "GGG" and alk_ref.cds[3585:3588] == "CTG"
    assert revcomp(alk_ref.cds[3603:3606]) == "".join(
        alk_ref.base(p) for p in sorted(alk_ref.transcript.codon_positions(1202)))
