"""End to end: the Snakemake workflow on the bundled demo batch (config/config.yaml).

The run happens once per session into a temporary results folder (`--config results=...`);
each test then checks one clinical expectation of the demo (see .test/README.md for the cases).
A failing job makes every test here fail with the job's log, so it is clear which `kinres`
command broke.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kinres.io.samplesheet import read_samplesheet

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
OUTPUTS = ("report.json", "report.html", "report.pdf", "alterations.tsv", "drug_calls.tsv")

# demo sample IDs (scripts/make_demo.py writes them; .test/README.md describes them)
G1202R_SERIAL = ("P01-PL1", "P01-PL2", "P01-PL3")
BYPASS = "P02-T1"
CSF = "P03-CSF1"
ROS1 = "P04-T1"
NTRK3 = "P05-T1"
CHIP = "P06-PL1"
COMPOUND = "P07-T1"
TRANSFORMATION = "P08-PL1"
NTRK1_XDFG = "P09-T1"
OUT_OF_FRAME = "P10-T1"


def _snakemake(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def _failed_logs(results: Path) -> str:
    parts = []
    for log in sorted((results / "logs").rglob("*.log")):
        text = log.read_text(errors="replace").strip()
        if "error" in text.lower() or "Traceback" in text:
            parts.append(f"--- {log.relative_to(results)}\n{text[-1500:]}")
    return "\n".join(parts[:8])


@pytest.fixture(scope="session")
def demo_sheet():
    return read_samplesheet(REPO / "config" / "samples.tsv")


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kinres_e2e") / "results"
    proc = _snakemake("--cores", "2", "--nolock", "--keep-going", "--rerun-incomplete",
                      "--config", f"results={out}")
    if proc.returncode != 0:
        pytest.fail("demo workflow failed (each kinres command must honour the CLI contract in "
                    f"docs/architecture.md)\n{proc.stderr[-4000:]}\n{_failed_logs(out)}",
                    pytrace=False)
    return out


def _report(results: Path, sample: str) -> dict:
    return json.loads((results / sample / "report.json").read_text())


def _alteration(report: dict, gene: str, hgvs_p: str | None = None, kind: str | None = None):
    for alt in report["alterations"]:
        if alt["gene"] == gene and (hgvs_p is None or alt["hgvs_p"] == hgvs_p) \
                and (kind is None or alt["kind"] == kind):
            return alt
    raise AssertionError(f"no {gene} {hgvs_p or kind or ''} alteration in "
                         f"{[(a['gene'], a['hgvs_p'], a['kind']) for a in report['alterations']]}")


def _mechanism_for(report: dict, alteration_id: str) -> dict:
    for mech in report["mechanisms"]:
        if alteration_id in mech["alteration_ids"]:
            return mech
    raise AssertionError(f"no mechanism cites {alteration_id}: {report['mechanisms']}")


def _calls(report: dict) -> dict[str, str]:
    return {c["drug"]: c["call"] for c in report["drug_calls"]}


def test_every_sample_has_every_output(results, demo_sheet):
    assert len(demo_sheet.samples) >= 12
    for sample in demo_sheet.samples:
        for name in OUTPUTS:
            path = results / sample.sample_id / name
            assert path.is_file() and path.stat().st_size > 0, path
        assert (results / sample.sample_id / "report.pdf").read_bytes()[:5] == b"%PDF-"
        report = _report(results, sample.sample_id)
        assert report["schema_version"] == "1"
        assert report["sample"]["id"] == sample.sample_id
        assert report["sample"]["specimen"] == sample.specimen.value
        assert report["sample"]["prior_therapies"] == list(sample.prior_therapies)


def test_reports_match_the_shipped_report_schema(results, demo_sheet):
    from jsonschema import Draft202012Validator

    candidates = [p for p in (REPO / "workflow" / "schemas").glob("*.json")
                  if "report" in p.name]
    if not candidates:
        pytest.fail("no report JSON schema under workflow/schemas/ (report contract asks for one)")
    schema = json.loads(candidates[0].read_text())
    validator = Draft202012Validator(schema)
    for sample in demo_sheet.samples:
        errors = list(validator.iter_errors(_report(results, sample.sample_id)))
        assert not errors, f"{sample.sample_id}: {errors[0].message}"


def test_alk_g1202r_is_on_target_and_lorlatinib_sensitive(results):
    report = _report(results, G1202R_SERIAL[-1])
    alt = _alteration(report, "ALK", "p.G1202R")
    assert alt["role"] == "on_target_resistance"
    assert alt["structural_class"] == "solvent_front" and alt["in_kinase_domain"] is True
    assert alt["hgvs_c"].endswith("c.3604G>A")
    assert _mechanism_for(report, alt["id"])["class"] == "on_target"
    calls = _calls(report)
    assert calls["lorlatinib"] == "sensitive"
    assert calls["alectinib"] == "resistant"
    assert report["therapy_options"], "a resistance mechanism must come with options"


def test_serial_plasma_g1202r_vaf_rises(results):
    vafs = [_alteration(_report(results, s), "ALK", "p.G1202R")["vaf"] for s in G1202R_SERIAL]
    assert vafs == sorted(vafs) and vafs[0] < vafs[-1], vafs


def test_chip_only_plasma_has_no_resistance_mechanism(results):
    report = _report(results, CHIP)
    alt = _alteration(report, "DNMT3A", "p.R882H")
    assert "possible_chip" in alt["flags"]
    assert alt["role"] not in ("on_target_resistance", "bypass")
    assert all(m["class"] in ("none_identified",) for m in report["mechanisms"]), \
        report["mechanisms"]
    codes = {c["code"] for c in report["caveats"]}
    assert "POSSIBLE_CHIP" in codes
    assert {"LOW_TUMOR_FRACTION", "NOT_INFORMATIVE"} & codes


def test_bypass_met_amplification_and_kras(results):
    report = _report(results, BYPASS)
    met = _alteration(report, "MET", kind="amplification")
    assert met["role"] == "bypass" and met["copy_number"] >= 6
    assert _mechanism_for(report, met["id"])["class"] == "off_target"
    kras = _alteration(report, "KRAS", "p.G12C")
    assert kras["role"] == "bypass"
    fusion = _alteration(report, "ALK", kind="fusion")
    assert fusion["role"] == "driver"
    assert fusion["fusion"]["five_prime_gene"] == "EML4"
    assert fusion["fusion"]["three_prime_exon"] == 20


def test_csf_alk_i1171n_on_grch37_maf(results):
    report = _report(results, CSF)
    assert report["sample"]["specimen"] == "csf"
    assert report["sample"]["genome_build"] == "GRCh37"
    alt = _alteration(report, "ALK", "p.I1171N")
    assert alt["role"] == "on_target_resistance"
    assert _calls(report)["alectinib"] == "resistant"


def test_ros1_g2032r_after_crizotinib(results):
    report = _report(results, ROS1)
    alt = _alteration(report, "ROS1", "p.G2032R")
    assert alt["role"] == "on_target_resistance" and alt["structural_class"] == "solvent_front"
    fusion = _alteration(report, "ROS1", kind="fusion")
    assert fusion["fusion"]["five_prime_gene"] == "CD74"
    assert _calls(report)["crizotinib"] == "resistant"


def test_ntrk3_g623r_after_larotrectinib(results):
    report = _report(results, NTRK3)
    alt = _alteration(report, "NTRK3", "p.G623R")
    assert alt["role"] == "on_target_resistance"
    fusion = _alteration(report, "NTRK3", kind="fusion")
    assert fusion["fusion"]["five_prime_gene"] == "ETV6" and fusion["role"] == "driver"
    calls = _calls(report)
    assert calls["larotrectinib"] == "resistant"
    assert calls.get("repotrectinib") == "sensitive"
    # P05 is an infant (age_years 0.8): repotrectinib/zurletrectinib are approved from 12 years, so
    # they stay listed but after the age-appropriate options, with an AGE_OUTSIDE_APPROVAL caveat
    options = [o["option"] for o in report["therapy_options"]]
    assert options[0] not in ("repotrectinib", "zurletrectinib") and "repotrectinib" in options
    age = [c["text"] for c in report["caveats"] if c["code"] == "AGE_OUTSIDE_APPROVAL"]
    assert any(t.startswith("repotrectinib:") and "12 years" in t for t in age), report["caveats"]


def _option_text(option: dict) -> str:
    return " ".join([option["option"], option.get("rationale") or "", *option["drugs"]]).lower()


def test_compound_l1196m_g1202r_in_cis_after_lorlatinib(results):
    report = _report(results, COMPOUND)
    l1196m = _alteration(report, "ALK", "p.L1196M")
    g1202r = _alteration(report, "ALK", "p.G1202R")
    assert l1196m["hgvs_c"].endswith("c.3586C>A") and g1202r["hgvs_c"].endswith("c.3604G>A")
    compound = [m for m in report["mechanisms"] if m["compound"]]
    assert len(compound) == 1, report["mechanisms"]
    mech = compound[0]
    assert mech["class"] == "on_target" and mech["phase"] == "cis"
    assert set(mech["alteration_ids"]) == {l1196m["id"], g1202r["id"]}
    # a cis compound is one mechanism: the single mutations are not reported separately
    assert [m for m in report["mechanisms"] if m["class"] == "on_target"] == compound
    calls = _calls(report)
    assert calls["lorlatinib"] == "resistant"  # knowledge compounds row (Yoda 2018)
    assert not [d for d, c in calls.items() if c == "sensitive"], calls
    top = report["therapy_options"][0]
    assert "trial" in _option_text(top) or "platinum" in _option_text(top), top
    assert "lorlatinib" not in top["drugs"]


def test_compound_phase_and_hotspot_depths_come_from_the_bam(results):
    cov = json.loads((results / COMPOUND / "coverage.json").read_text())
    assert len(cov["phases"]) == 1
    phase = cov["phases"][0]
    assert phase["phase"] == "cis" and phase["gene"] == "ALK"
    assert {phase["variant_a"], phase["variant_b"]} == {"2:29220747:C>T", "2:29220765:G>T"}
    assert phase["reads_both"] == 48 and phase["reads_a_only"] == phase["reads_b_only"] == 0
    depth = {h["hgvs_p"]: h for h in cov["hotspots"] if h["gene"] == "ALK"}
    assert depth["p.G1202R"]["depth"] == depth["p.L1196M"]["depth"] == 120
    assert depth["p.G1202R"]["alt_reads"] == depth["p.L1196M"]["alt_reads"] == 48
    assert depth["p.D1203N"]["alt_reads"] == 0 and depth["p.D1203N"]["depth"] == 120
    assert depth["p.I1171N"]["depth"] == 0  # outside exon 23: no synthetic reads there
    # every codon the reads cover translates to the knowledge's reference residue
    assert not [w for w in cov["warnings"] if "not the reference" in w], cov["warnings"]
    report = _report(results, COMPOUND)
    assert report["qc"]["mean_depth"] is not None


def test_plasma_tp53_rb1_loss_suggests_small_cell_transformation(results):
    report = _report(results, TRANSFORMATION)
    fusion = _alteration(report, "ALK", kind="fusion")
    assert fusion["fusion"]["five_prime_gene"] == "EML4" and "dna_only" in fusion["flags"]
    tp53 = _alteration(report, "TP53", "p.R213*")
    rb1 = _alteration(report, "RB1")
    assert rb1["kind"] in ("deletion_cn", "deep_deletion") and rb1["copy_number"] <= 0.5
    mech = _mechanism_for(report, rb1["id"])
    assert mech["class"] == "phenotypic" and tp53["id"] in mech["alteration_ids"]
    assert "small-cell" in mech["label"].lower()
    assert not [m for m in report["mechanisms"] if m["class"] == "on_target"]
    codes = {c["code"] for c in report["caveats"]}
    assert "HISTOLOGY_REQUIRED" in codes and "DNA_ONLY_FUSION" in codes
    top = report["therapy_options"][0]
    assert "small-cell" in _option_text(top) or "etoposide" in _option_text(top), top
    assert "biopsy" in json.dumps(report).lower()


def test_ntrk1_g667c_xdfg_after_larotrectinib(results):
    report = _report(results, NTRK1_XDFG)
    alt = _alteration(report, "NTRK1", "p.G667C")
    assert alt["role"] == "on_target_resistance" and alt["structural_class"] == "xdfg"
    assert alt["hgvs_c"].endswith("c.1999G>T")
    fusion = _alteration(report, "NTRK1", kind="fusion")
    assert fusion["fusion"]["five_prime_gene"] == "TPM3" and fusion["role"] == "driver"
    assert fusion["fusion"]["five_prime_exon"] == 8 and fusion["fusion"]["three_prime_exon"] == 10
    calls = _calls(report)
    assert calls["larotrectinib"] == "resistant"
    assert calls["repotrectinib"] in ("resistant", "reduced")
    assert calls["selitrectinib"] in ("resistant", "reduced")
    assert calls.get("cabozantinib") == "sensitive"  # type II rationale (Cocco 2019)
    top = report["therapy_options"][0]
    assert "trial" in _option_text(top) or "type ii" in _option_text(top), top
    assert not {"repotrectinib", "selitrectinib", "larotrectinib"} & set(top["drugs"])


def test_out_of_frame_fusion_supports_no_targeted_option(results):
    report = _report(results, OUT_OF_FRAME)
    fusion = _alteration(report, "ALK", kind="fusion")
    assert fusion["fusion"]["in_frame"] is False
    assert fusion["fusion"]["five_prime_exon"] == 7 and fusion["fusion"]["three_prime_exon"] == 20
    assert fusion["role"] != "driver" and "not_actionable_fusion" in fusion["flags"]
    assert report["drug_calls"] == []
    alk_tkis = {"crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib"}
    for option in report["therapy_options"]:
        assert not alk_tkis & set(option["drugs"]), option
    assert all(m["class"] == "none_identified" for m in report["mechanisms"])
    assert any("rna" in _option_text(o) or "fish" in _option_text(o)
               for o in report["therapy_options"]), report["therapy_options"]


def _warnings(results: Path, sample: str) -> list[str]:
    return _report(results, sample)["qc"]["warnings"]


def test_noise_records_are_counted_in_qc_warnings(results):
    """Filtered, multiallelic, off-panel and intronic records are never silently dropped."""
    p02 = _warnings(results, BYPASS)
    assert any("1 record(s) failed FILTER" in w and "weak_evidence x1" in w for w in p02), p02
    # two off-panel records and the LMNA intronic SNV (56 bp into the intron) are not read
    assert any("3 record(s) outside the panel target regions" in w for w in p02), p02
    p04 = _warnings(results, ROS1)
    assert any("2 record(s) failed FILTER" in w and "multiallelic x1" in w
               and "strand_bias x1" in w for w in p04), p04
    p08 = _warnings(results, TRANSFORMATION)
    assert any("weak_evidence x1" in w for w in p08), p08
    assert any("2 record(s) outside the panel" in w for w in p08), p08
    assert any("SV record(s) failed the caller's FILTER" in w for w in p08), p08
    assert any("CNV record(s) not PASS" in w for w in p08), p08
    assert any("LowEVS x1" in w for w in _warnings(results, NTRK1_XDFG))
    # caller-filtered and off-panel records are counted in qc.warnings; they are not unparsable
    # records, so UNPARSED_RECORDS (records that could not be parsed or used) is not raised
    for sample in (BYPASS, ROS1, TRANSFORMATION, NTRK1_XDFG):
        codes = {c["code"] for c in _report(results, sample)["caveats"]}
        assert "UNPARSED_RECORDS" not in codes, sample


def test_noise_does_not_change_the_clinical_calls(results):
    report = _report(results, BYPASS)
    # the filtered BRAF V600E is not an alteration; the synonymous gatekeeper change and the
    # TP53 passenger are reported but are no resistance mechanism
    assert not [a for a in report["alterations"] if a["gene"] == "BRAF"]
    syn = _alteration(report, "ALK", "p.L1196=")
    assert syn["role"] not in ("on_target_resistance", "bypass")
    tp53 = _alteration(report, "TP53", "p.V272M")
    assert tp53["role"] not in ("on_target_resistance", "bypass", "transformation_marker")
    cited = {i for m in report["mechanisms"] for i in m["alteration_ids"]}
    assert syn["id"] not in cited and tp53["id"] not in cited
    assert not [m for m in report["mechanisms"] if m["class"] in ("on_target", "phenotypic")]
    ros1 = _report(results, ROS1)
    assert not [a for a in ros1["alterations"] if a["gene"] in ("EGFR", "KRAS")]


def test_tables_agree_with_report_json(results):
    report = _report(results, G1202R_SERIAL[-1])
    with open(results / G1202R_SERIAL[-1] / "drug_calls.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert {r["drug"]: r["call"] for r in rows} == _calls(report)
    assert "p.G1202R" in (results / G1202R_SERIAL[-1] / "alterations.tsv").read_text()


def test_batch_summary_has_a_row_per_sample(results, demo_sheet):
    with open(results / "batch" / "summary.tsv", newline="") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")),
                                   delimiter="\t"))
    ids = [next(v for k, v in r.items() if k and "sample" in k.lower()) for r in rows]
    assert sorted(ids) == sorted(demo_sheet.sample_ids)
    assert (results / "batch" / "summary.html").stat().st_size > 0


def test_rerun_is_a_no_op(results):
    proc = _snakemake("-n", "--nolock", "--config", f"results={results}", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr


# --------------------------------------------------------------------------- fast checks
def test_demo_files_are_current():
    """The committed demo inputs are exactly what scripts/make_demo.py derives from the panel."""
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo.py"), "--check"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_demo_covers_the_required_cases(demo_sheet):
    samples = {s.sample_id: s for s in demo_sheet.samples}
    assert {s.specimen.value for s in samples.values()} == {"tissue", "plasma", "csf"}
    serial = [s for s in samples.values() if s.patient_id == "P01"]
    assert len(serial) == 3 and all(s.specimen.value == "plasma" for s in serial)
    assert [s.collection_date for s in serial] == sorted(s.collection_date for s in serial)
    formats = {s.fusion_format.value for s in samples.values() if s.fusion_format}
    assert formats == {"arriba", "star_fusion", "fusioncatcher", "sv_vcf"}
    assert {s.cnv_format.value for s in samples.values() if s.cnv_format} == {"cnvkit", "vcf"}
    assert [s.sample_id for s in samples.values() if s.bam] == ["P07-T1"]
    callers = {s.sample_id: s.vcf.read_text()[:20000] for s in samples.values()
               if str(s.vcf).endswith(".vcf")}
    assert any("##source=strelka" in h for h in callers.values())
    assert any("##DRAGENVersion" in h for h in callers.values())
    assert any(s.cnv_format and s.cnv_format.value == "cnvkit" for s in samples.values())
    assert any(str(s.vcf).endswith(".maf") for s in samples.values())
    headers = {s.sample_id: s.vcf.read_text()[:20000] for s in samples.values()
               if str(s.vcf).endswith(".vcf")}
    assert any("Consequence annotations from Ensembl VEP" in h for h in headers.values())
    assert any("##SnpEffVersion" in h for h in headers.values())


# --------------------------------------------------------------------------- dry runs (fast)
@pytest.mark.parametrize("profile", ["default", "slurm"])
def test_profile_dry_run(tmp_path, demo_sheet, profile):
    if profile == "slurm":
        pytest.importorskip("snakemake_executor_plugin_slurm")
    # as the README says: plain --profile (profiles/default, auto-loaded as the workflow
    # profile, cannot override the SLURM profile: tests/unit/test_profiles.py)
    proc = _snakemake("-n", "--profile", f"profiles/{profile}", "--nolock",
                      "--config", f"results={tmp_path / 'out'}", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = proc.stdout + proc.stderr
    # one job per patient (all stages in one process), PDFs in batches, the batch summary
    patients = {s.patient_id for s in demo_sheet.samples}
    for patient in patients:
        assert f"rule patient_{patient}:" in text, patient
    for rule in ("pdf_0", "batch"):
        assert f"rule {rule}:" in text, rule
    assert text.count("report.json") >= len(demo_sheet.samples)


def test_bad_config_fails_cleanly(tmp_path):
    proc = _snakemake("-n", "--cores", "1", "--nolock",
                      "--config", f"results={tmp_path}", "resluts=x", timeout=300)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "resluts" in text and "Additional properties" in text and "Traceback" not in text



def test_batch_summary_links_resolve_and_serial_patient_has_timeline(results, demo_sheet):
    """Issue 5: every link in summary.html resolves; the serial-plasma patient gets a timeline."""
    import re
    from urllib.parse import unquote

    html = (results / "batch" / "summary.html").read_text()
    hrefs = re.findall(r'href="([^"#]+)"', html)
    assert hrefs, "summary.html links to no report"
    for href in hrefs:
        assert not href.startswith(("http:", "https:", "//")), href
        assert (results / "batch" / unquote(href)).resolve().is_file(), f"broken link {href}"
    linked = {Path(unquote(h)).parent.name for h in hrefs}
    assert set(demo_sheet.sample_ids) <= linked
    timelines = html[html.index('id="timelines"'):]
    assert "Patient P01 (3 samples)" in timelines
    assert "ALK G1202R" in timelines and "rising" in timelines
    # the per-sample report of the latest timepoint carries the same trajectory
    assert 'id="timeline"' in (results / "P01-PL3" / "report.html").read_text()


def test_sample_reports_are_self_contained(results, demo_sheet):
    """No external resource may be loaded by a report (clinical networks are often offline)."""
    import re

    for sid in demo_sheet.sample_ids:
        html = (results / sid / "report.html").read_text()
        external = [u for u in re.findall(r'(?:src|href)="([^"]+)"', html)
                    if not u.startswith(("#", "data:"))]
        assert external == [], (sid, external)
        assert "<script" not in html.lower()
        assert sid in html


def test_clinician_facing_files_have_no_internal_codes(results, demo_sheet):
    """Issue 11: no rule code ('N9:', 'A11/MET_AMP'), digest or seed in any file a reader sees;
    the rule ids stay in report.json only."""
    from layout_checks import internal_code_leaks

    files = [results / "batch" / name for name in ("summary.html", "summary.tsv", "kinres_mqc.tsv")]
    for sid in demo_sheet.sample_ids:
        files += [results / sid / n for n in ("report.html", "report.pdf", "alterations.tsv",
                                              "drug_calls.tsv")]
    found = {str(f.relative_to(results)): leaks for f in files if f.exists()
             and (leaks := internal_code_leaks(f))}
    assert found == {}
    assert any("N9" in json.dumps(_report(results, s)) or "A11" in json.dumps(_report(results, s))
               for s in demo_sheet.sample_ids)  # traceability kept in report.json


def test_demo_reports_print_fractions_as_percent_and_name_specimens(results, demo_sheet):
    """Tumour-board review: no raw fraction beside percentages ('VAF 0.003', 'tumor fraction 0.35'),
    British 'tumour', 'CSF sample', a repeated caveat title shown once, a synonymous change not drawn
    as resistance and a prognostic TP53 not also called 'uncertain significance'."""
    import re

    raw = re.compile(r"(?i)\b(?:VAF|AF|tumou?r fraction|purity|minimum)\s+0\.\d+(?!\d*%)")
    for sid in demo_sheet.sample_ids:
        html = (results / sid / "report.html").read_text()
        assert not raw.search(html), (sid, raw.search(html).group(0))
        assert "tumor fraction" not in html.lower() and "Csf" not in html, sid
    assert "CSF sample" in (results / CSF / "report.html").read_text()
    bypass = (results / BYPASS / "report.html").read_text()
    assert bypass.count("Availability differs by country") == 1
    assert 'data-synonymous="1"' in bypass
    row = re.search(r"<strong>TP53 V272M</strong>.*?</tr>", bypass, re.DOTALL).group(0)
    assert "Uncertain significance" not in row


@pytest.mark.parametrize("sample, max_pages", [(ROS1, 3), (COMPOUND, 3), (TRANSFORMATION, 3),
                                               (BYPASS, 4)])
def test_demo_reports_fit_three_pages_inside_the_page_box(results, sample, max_pages, tmp_path):
    """Issue 11: typical reports are <= 3 A4 pages (the two-bypass case with four options may take
    a fourth); no word leaves the page (pdftotext -bbox), the page images' right margins stay
    blank (pdftoppm), and nothing overflows in Chromium."""
    from layout_checks import (
        chromium_overflow,
        chromium_screenshot,
        inked_right_margin,
        pdf_pages,
        words_outside_page,
    )

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes((results / sample / "report.pdf").read_bytes())
    assert pdf_pages(pdf) <= max_pages
    assert words_outside_page(pdf) == []
    assert inked_right_margin(pdf) == []
    html = results / sample / "report.html"
    assert chromium_overflow(html, tmp_path, 794) == []
    shot = chromium_screenshot(html, tmp_path / "shot.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
