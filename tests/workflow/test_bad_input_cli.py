"""Bad input through the real CLI (subprocess): the user sees one clear message, never a traceback.

Every case asserts the CLI contract (docs/architecture.md, kinres.errors): exit code 2
(InputError), stderr starting with "kinres error:" that names the file, the line or record where
one exists, and the problem; no "Traceback"; the --out file not created and no temporary file
left in the output folder. Raw VCFs are read against the synthetic GRCh38 reference of
tests/realcoord.py (real chr2 length and ALK coordinates).
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realcoord import (
    GRCH37_LENGTHS,
    Call,
    cached_alk_reference,
    mutect2_text,
    write_mutect2_vcf,
)

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
KINRES = [sys.executable, "-m", "kinres.cli"]
# the column order of config/samples.tsv
SHEET_COLUMNS = ("sample_id", "patient_id", "specimen", "tumor_type", "collection_date",
                 "genome_build", "prior_therapies", "current_therapy", "vcf", "vcf_sample",
                 "fusions", "fusion_format", "cnv", "cnv_format", "tumor_fraction", "purity",
                 "cns_involvement")


def kinres(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*KINRES, *map(str, args)], check=False, capture_output=True, text=True,
                          timeout=120, cwd=REPO)


@pytest.fixture(scope="session")
def alk_ref(tmp_path_factory):
    return cached_alk_reference(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def alk_calls(alk_ref):
    """G1202R and L1196M with the FASTA's reference bases (minus strand: c.G = g.C)."""
    return [Call("2", alk_ref.genomic(3604), "C", "T"),
            Call("2", alk_ref.genomic(3586), "G", "T", tumor_ad=(190, 50))]


def sheet(path: Path, *rows: dict) -> Path:
    """A sample sheet in the format of config/samples.tsv."""
    lines = ["\t".join(SHEET_COLUMNS)]
    for r in rows:
        row = {"patient_id": "PT1", "specimen": "tissue", "tumor_type": "NSCLC",
               "collection_date": "2024-03-01", "genome_build": "GRCh38",
               "prior_therapies": "crizotinib;alectinib", "current_therapy": "alectinib", **r}
        lines.append("\t".join(str(row.get(c, "")) for c in SHEET_COLUMNS))
    path.write_text("\n".join(lines) + "\n")
    return path


def config(path: Path, alk_ref, samples: Path, extra: str = "") -> Path:
    path.write_text(f"samples: {samples}\nresults: {path.parent / 'results'}\nreference:\n"
                    f"  GRCh38:\n    fasta: {alk_ref.fasta}\n    annotation: {alk_ref.gff3}\n"
                    + extra)
    return path


def out_path(tmp_path: Path, name: str) -> Path:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return out / name


def assert_input_error(proc: subprocess.CompletedProcess, out: Path | None, names: Path,
                       *problem: str, line: int | str | None = None, record: str | None = None
                       ) -> None:
    """Exit 2, one 'kinres error:' line naming file/line/record/problem, no traceback, no output."""
    err = proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}\n{err}"
    assert "Traceback" not in err, err
    assert "kinres error: " in err, err
    message = err[err.index("kinres error: "):]
    assert str(names) in message, f"file {names} not named:\n{err}"
    if line == "any":
        assert re.search(r"line \d+", message), f"no line number:\n{err}"
    elif line is not None:
        assert f"line {line}" in message, f"line {line} not named:\n{err}"
    if record is not None:
        assert record in message, f"record {record} not named:\n{err}"
    for text in problem:
        assert text.lower() in message.lower(), f"problem {text!r} not stated:\n{err}"
    if out is not None:
        assert not out.exists(), f"{out} was written despite the error"
        assert not any(out.parent.iterdir()), f"stray files: {list(out.parent.iterdir())}"


def run_variants(tmp_path: Path, alk_ref, vcf: Path, vcf_sample: str = "TUMOR",
                 extra_config: str = "") -> tuple[subprocess.CompletedProcess, Path]:
    samples = sheet(tmp_path / "samples.tsv",
                    {"sample_id": "S1", "vcf": vcf, "vcf_sample": vcf_sample})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples, extra_config)
    out = out_path(tmp_path, "variants.json")
    return kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", out), out


def _line_of(text: str, prefix: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(prefix))


# ------------------------------------------------------------------------------ small variants
def _many_records(alk_ref, n: int = 4000) -> list[Call]:
    """n SNVs across the ALK span (REF from the FASTA), enough for several BGZF blocks."""
    lo = alk_ref.span_start
    step = len(alk_ref.span_seq) // n
    out = []
    for i in range(n):
        pos = lo + i * step
        ref = alk_ref.base(pos)
        out.append(Call("2", pos, ref, "A" if ref != "A" else "G"))
    return out


@pytest.mark.parametrize("compression", ["bgzip", "gzip"])
def test_truncated_gzip_vcf(tmp_path, alk_ref, compression):
    text = mutect2_text(_many_records(alk_ref))
    if compression == "bgzip":
        full = write_mutect2_vcf(tmp_path / "full.vcf.gz", _many_records(alk_ref)).read_bytes()
    else:
        full = gzip.compress(text.encode())
    vcf = tmp_path / "tumor.vcf.gz"
    vcf.write_bytes(full[:len(full) * 2 // 3])  # a copy interrupted mid-transfer
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, "truncated", line="any")
    # the line named is where the damage is (past the header, before the end), not line 1
    good = int(re.search(r"after line (\d+)", proc.stderr).group(1))
    header = sum(t.startswith("#") for t in text.splitlines())
    assert header < good < len(text.splitlines()), (header, good)
    assert f"line {good + 1}" in proc.stderr


def test_chr_prefixed_vcf_against_plain_fasta_is_read(tmp_path, alk_ref, alk_calls):
    # chr2 vs 2 is a naming convention, not a different sequence: kinres maps it (same build)
    vcf = write_mutect2_vcf(tmp_path / "chr.vcf", [Call("chr2", c.pos, c.ref, c.alt)
                                                   for c in alk_calls], chrom_prefix="chr")
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert sorted(v["annotation"]["hgvs_p"] for v in doc["variants"]) == ["p.G1202R", "p.L1196M"]


def test_unknown_contig_naming(tmp_path, alk_ref, alk_calls):
    # RefSeq accessions (NC_000002.12) are neither "2" nor "chr2": nothing can match the panel
    lengths = {"NC_000002.12": 242193529, "NC_000007.14": 159345973}
    text = mutect2_text([Call("NC_000002.12", c.pos, c.ref, c.alt) for c in alk_calls],
                        lengths={"2": 242193529})
    text = text.replace("##contig=<ID=2,length=242193529,assembly=GRCh38>",
                        "\n".join(f"##contig=<ID={k},length={v}>" for k, v in lengths.items()))
    vcf = tmp_path / "refseq_names.vcf"
    vcf.write_text(text)
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, "contig", "NC_000002.12")


def test_grch37_contig_lengths_in_a_grch38_sample(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "b37.vcf", alk_calls, lengths=GRCH37_LENGTHS)
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, "GRCh37", "GRCh38")


def test_fasta_of_a_different_assembly(tmp_path, alk_ref, alk_calls):
    # REF checks alone could pass by chance; the FASTA's chromosome length must fit the build
    fasta = tmp_path / "short.fa"
    fasta.write_text(">2\n" + "ACGT" * 250 + "\n")
    import pysam

    pysam.faidx(str(fasta))
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf})
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"reference:\n  GRCh38:\n    fasta: {fasta}\n    annotation: {alk_ref.gff3}\n")
    out = out_path(tmp_path, "variants.json")
    proc = kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", out)
    assert_input_error(proc, out, fasta, "1,000 bp", "242,193,529", "GRCh38", record="2")


def test_ref_not_matching_the_fasta(tmp_path, alk_ref, alk_calls):
    g1202r, l1196m = alk_calls
    bad = Call("2", g1202r.pos, "G", "T")  # the FASTA has C
    vcf = write_mutect2_vcf(tmp_path / "ref_mismatch.vcf", [bad, l1196m] if bad.pos < l1196m.pos
                            else [l1196m, bad])
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, "does not match", "has C",
                       line=_line_of(vcf.read_text(), f"2\t{bad.pos}\t"),
                       record=f"2:{bad.pos}")


def test_missing_af_with_require_af(tmp_path, alk_ref, alk_calls):
    # no AF and no AD: nothing to compute a fraction from
    vcf = write_mutect2_vcf(tmp_path / "no_af.vcf", alk_calls, format_keys=("GT", "DP"))
    proc, out = run_variants(tmp_path, alk_ref, vcf, extra_config="variants:\n  require_af: true\n")
    first = min(c.pos for c in alk_calls)
    assert_input_error(proc, out, vcf, "allele fraction", "require_af",
                       line=_line_of(vcf.read_text(), f"2\t{first}\t"), record=f"2:{first}")


def test_missing_af_without_require_af_is_a_warning(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "no_af.vcf", alk_calls, format_keys=("GT", "DP"))
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert [v["vaf"] for v in doc["variants"]] == [None, None]  # unknown, never 0
    assert any("allele fraction" in w for w in doc["warnings"])


def test_empty_vcf(tmp_path, alk_ref):
    vcf = tmp_path / "empty.vcf"
    vcf.write_bytes(b"")
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, "empty")


def test_header_only_vcf_is_valid_with_a_warning(tmp_path, alk_ref):
    vcf = write_mutect2_vcf(tmp_path / "header_only.vcf", [])
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["variants"] == []
    assert any("no variant records" in w for w in doc["warnings"]), doc["warnings"]


@pytest.mark.parametrize("damage", ["no_fileformat", "no_chrom_line", "bad_meta_line"])
def test_malformed_header(tmp_path, alk_ref, alk_calls, damage):
    text = mutect2_text(alk_calls)
    if damage == "no_fileformat":
        text = text.replace("##fileformat=VCFv4.2\n", "")
        expect, line = ("fileformat",), 1
    elif damage == "no_chrom_line":
        text = "\n".join(t for t in text.splitlines() if not t.startswith("#CHROM")) + "\n"
        expect, line = ("#CHROM",), _line_of(text, "2\t")
    else:  # a FORMAT definition cut short (unterminated '<')
        text = text.replace('##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths',
                            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths\n')
        expect, line = ("header",), None
    vcf = tmp_path / "bad_header.vcf"
    vcf.write_text(text)
    proc, out = run_variants(tmp_path, alk_ref, vcf)
    assert_input_error(proc, out, vcf, *expect, line=line)


def test_vcf_sample_not_in_the_vcf(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    proc, out = run_variants(tmp_path, alk_ref, vcf, vcf_sample="PATIENT_7_TUMOUR")
    assert_input_error(proc, out, vcf, "PATIENT_7_TUMOUR", "TUMOR", "NORMAL")


# ------------------------------------------------------------------------------ sample sheet
@pytest.mark.parametrize("bad_id", ["../x", "a/b"])
def test_unsafe_sample_id(tmp_path, alk_ref, alk_calls, bad_id):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "OK1", "vcf": vcf},
                    {"sample_id": bad_id, "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    proc = kinres("validate", "--config", cfg)
    assert_input_error(proc, None, samples, "sample_id", line=3, record=bad_id)
    # the stage commands read the same sheet and refuse it the same way, before any output
    out = out_path(tmp_path, "variants.json")
    proc = kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "OK1",
                  "--out", out)
    assert_input_error(proc, out, samples, "sample_id", line=3)


def test_missing_input_file(tmp_path, alk_ref):
    missing = tmp_path / "data" / "not_there.vcf"
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": missing})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    proc = kinres("validate", "--config", cfg)
    assert_input_error(proc, None, samples, "not found", str(missing), line=2)
    out = out_path(tmp_path, "variants.json")
    proc = kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", out)
    assert_input_error(proc, out, samples, "not found", line=2)


# ------------------------------------------------------------------------------ other stages
def test_fusions_unknown_format(tmp_path, alk_ref):
    calls = tmp_path / "fusions.txt"
    calls.write_text("left\tright\treads\nEML4\tALK\t12\n")  # a spreadsheet export
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "fusions": calls})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    out = out_path(tmp_path, "fusions.json")
    proc = kinres("fusions", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", out)
    assert_input_error(proc, out, calls, "unrecognised fusion file format", "left", line=1)


def test_cnv_negative_copy_number(tmp_path, alk_ref):
    cns = tmp_path / "tumor.call.cns"
    cns.write_text(
        "chromosome\tstart\tend\tgene\tlog2\tcn\tdepth\tprobes\tweight\n"
        "2\t29192773\t29921586\tALK\t0.02\t2\t512.1\t60\t58.2\n"
        "7\t116672195\t116798377\tMET\t2.5\t-3\t1840.7\t45\t44.1\n")
    samples = sheet(tmp_path / "samples.tsv",
                    {"sample_id": "S1", "cnv": cns, "cnv_format": "cnvkit", "purity": "0.6"})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    out = out_path(tmp_path, "cnv.json")
    proc = kinres("cnv", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", out)
    assert_input_error(proc, out, cns, "negative copy number", line=3)


def test_interpret_rejects_a_stage_file_of_another_sample(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf},
                    {"sample_id": "S2", "patient_id": "PT2", "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    stage = tmp_path / "S1.variants.json"
    proc = kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", stage)
    assert proc.returncode == 0, proc.stderr
    out = out_path(tmp_path, "report.json")
    proc = kinres("interpret", "--config", cfg, "--sample-sheet", samples, "--sample", "S2",
                  "--variants", stage, "--out", out)
    assert_input_error(proc, out, stage, "S1", "S2")


@pytest.mark.parametrize("missing", ["sample_sheet", "stage_file"])
def test_missing_sheet_or_stage_file(tmp_path, alk_ref, alk_calls, missing):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    out = out_path(tmp_path, "report.json")
    gone = tmp_path / "nowhere" / ("samples.tsv" if missing == "sample_sheet" else "variants.json")
    if missing == "sample_sheet":
        proc = kinres("interpret", "--config", cfg, "--sample-sheet", gone, "--sample", "S1",
                      "--out", out)
    else:
        proc = kinres("interpret", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                      "--variants", gone, "--out", out)
    assert_input_error(proc, out, gone, "not found")


def test_validate_catches_raw_vcf_without_reference_and_multi_sample_maf(tmp_path, alk_calls,
                                                                          shared_dir):
    """`kinres validate` reports, before any run, what would fail the variants step."""
    vcf = write_mutect2_vcf(tmp_path / "raw.vcf", alk_calls)
    samples = sheet(tmp_path / "s.tsv", {"sample_id": "S1", "vcf": vcf})
    bare = tmp_path / "bare.yaml"
    bare.write_text(f"samples: {samples}\nresults: {tmp_path / 'results'}\n")
    proc = kinres("validate", "--config", bare)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "raw.vcf" in proc.stderr and "reference.GRCh38.fasta" in proc.stderr

    maf = shared_dir / "data/examples/oncokb-annotator/example_maf_grch38.txt"
    samples = sheet(tmp_path / "m.tsv", {"sample_id": "M1", "vcf": maf})
    cfg = tmp_path / "m.yaml"
    cfg.write_text(f"samples: {samples}\nresults: {tmp_path / 'results'}\n")
    proc = kinres("validate", "--config", cfg)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "example_maf_grch38.txt" in proc.stderr and "vcf_sample" in proc.stderr
    samples = sheet(tmp_path / "m2.tsv", {"sample_id": "M1", "vcf": maf,
                                          "vcf_sample": "TCGA-05-4417-01"})
    cfg.write_text(f"samples: {samples}\nresults: {tmp_path / 'results'}\n")
    assert kinres("validate", "--config", cfg).returncode == 0


# ------------------------------------------------------------------------------ issue 10 (inputs)
def test_validate_parses_records_not_just_headers(tmp_path, alk_ref, alk_calls):
    """A sheet that validates must not fail later on format: a bad record fails validate."""
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    text = vcf.read_text().splitlines()
    bad_line = len(text)
    text[-1] = text[-1].rsplit("\t", 1)[0] + "\t0/1:180,60:0.25:-7"  # TUMOR DP -7
    vcf.write_text("\n".join(text) + "\n")
    cnv = tmp_path / "s.cns"
    cnv.write_text("chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"
                   "7\t-100\t55300000\tEGFR\t3.2\t800\t40\t30\n")
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf},
                    {"sample_id": "S2", "patient_id": "PT2", "cnv": cnv, "cnv_format": "cnvkit"})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    proc = kinres("validate", "--config", cfg)
    assert_input_error(proc, None, vcf, line=bad_line)
    assert "s.cns" in proc.stderr and "negative value -100" in proc.stderr  # S2 listed too


def test_validate_refuses_results_that_is_a_file(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    (tmp_path / "results").write_text("not a folder")
    assert_input_error(kinres("validate", "--config", cfg), None, cfg, "existing file")


def test_duplicate_config_key_fails_validate(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples, f"results: {tmp_path / 'other'}\n")
    assert_input_error(kinres("validate", "--config", cfg), None, cfg, "given twice",
                       line="any")


def test_unknown_drug_reaches_qc_warnings(tmp_path, alk_ref, alk_calls):
    vcf = write_mutect2_vcf(tmp_path / "tumor.vcf", alk_calls)
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf,
                                               "prior_therapies": "crizotinib;lorlatinb"})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    proc = kinres("validate", "--config", cfg)
    assert proc.returncode == 0, proc.stderr
    assert "line 2: unknown drug name 'lorlatinb'" in proc.stderr
    stage = tmp_path / "variants.json"
    assert kinres("variants", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--out", stage).returncode == 0
    out = tmp_path / "report.json"
    proc = kinres("interpret", "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                  "--variants", stage, "--out", out)
    assert proc.returncode == 0, proc.stderr
    qc = json.loads(out.read_text())["qc"]["warnings"]
    assert any(w.startswith("sample sheet: ") and "lorlatinb" in w and "line 2" in w for w in qc)


def test_no_contig_plain_gzip_vcf_through_report(tmp_path, alk_ref, alk_calls):
    """VEP/VAtools-style VCF without ##contig, plain gzip: variants, interpret and the report's
    annotated VCF copy all work (htslib used to exit in the report step)."""
    text = "".join(line + "\n" for line in mutect2_text(alk_calls).splitlines()
                   if not line.startswith("##contig"))
    vcf = tmp_path / "nocontig.vcf.gz"
    vcf.write_bytes(gzip.compress(text.encode()))
    samples = sheet(tmp_path / "samples.tsv", {"sample_id": "S1", "vcf": vcf})
    cfg = config(tmp_path / "config.yaml", alk_ref, samples)
    stage, report = tmp_path / "variants.json", tmp_path / "report.json"
    for args in (("variants", "--out", stage),
                 ("interpret", "--variants", stage, "--out", report)):
        proc = kinres(args[0], "--config", cfg, "--sample-sheet", samples, "--sample", "S1",
                      *args[1:])
        assert proc.returncode == 0, proc.stderr
    outdir = tmp_path / "S1"
    proc = kinres("report", "--config", cfg, "--report", report, "--outdir", outdir,
                  "--vcf", vcf)
    assert proc.returncode == 0, proc.stderr
    copy = (outdir / "S1.kinres.vcf").read_text()
    assert "KINRES_HGVSP=p.G1202R" in copy and "##INFO=<ID=KINRES_GENE" in copy
