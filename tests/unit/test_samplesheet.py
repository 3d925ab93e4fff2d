"""Sample sheet parsing/validation and `kinres validate` error reporting."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from kinres.enums import Build, CnvFormat, FusionFormat, Specimen
from kinres.errors import InputError
from kinres.io.samplesheet import get_sample, load_samplesheet, normalise_drug, read_samplesheet

HEADER = ("sample_id\tpatient_id\tspecimen\ttumor_type\tcollection_date\tgenome_build\t"
          "prior_therapies\tcurrent_therapy\tvcf\tfusions\tfusion_format\tcnv\tcnv_format\t"
          "tumor_fraction\tcns_involvement")


def _row(sample_id="S1", patient="P1", specimen="plasma", tumor="NSCLC", date="2024-03-01",
         build="GRCh38", prior="crizotinib;Alecensa", current="lorlatinib", vcf="data/s1.vcf",
         fusions="", fusion_format="", cnv="", cnv_format="", tf="0.12", cns="") -> str:
    return "\t".join([sample_id, patient, specimen, tumor, date, build, prior, current, vcf,
                      fusions, fusion_format, cnv, cnv_format, tf, cns])


@pytest.fixture
def sheet_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("f.tsv", "c.cns"):
        (data / name).write_text("x\n")
    # `kinres validate` parses the inputs: a header-only VEP VCF is valid (with a warning)
    for name in ("s1.vcf", "s2.vcf"):
        (data / name).write_text(
            "##fileformat=VCFv4.2\n##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence "
            "annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL|Feature|HGVSc|"
            "HGVSp\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    return tmp_path


def _write(folder: Path, *rows: str, header: str = HEADER) -> Path:
    path = folder / "samples.tsv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_samplesheet(path)
    return info.value


def test_valid_sheet_types_paths_and_drug_normalisation(sheet_dir):
    path = _write(sheet_dir,
                  "# comment lines and blank lines are ignored",
                  _row(),
                  "",
                  _row("S2", specimen="csf", vcf="", fusions="data/f.tsv",
                       fusion_format="arriba", cnv="data/c.cns", cnv_format="cnvkit", tf="8%",
                       prior="Xalkori", current="", cns="yes", date=""))
    sheet = read_samplesheet(path)
    s1, s2 = sheet.samples
    assert sheet.sample_ids == ("S1", "S2") and sheet.warnings == ()
    assert s1.specimen is Specimen.PLASMA and s1.genome_build is Build.GRCh38
    assert s1.collection_date == dt.date(2024, 3, 1)
    assert s1.prior_therapies == ("crizotinib", "alectinib")  # brand name mapped, order kept
    assert s1.current_therapy == "lorlatinib"
    assert s1.vcf == sheet_dir / "data" / "s1.vcf"  # relative to the sheet's folder
    assert s1.tumor_fraction == pytest.approx(0.12)
    assert s1.source.line == 3
    assert s2.vcf is None and s2.fusions == sheet_dir / "data" / "f.tsv"
    assert s2.fusion_format is FusionFormat.ARRIBA and s2.cnv_format is CnvFormat.CNVKIT
    assert s2.tumor_fraction == pytest.approx(0.08) and s2.cns_involvement is True
    assert s2.collection_date is None and s2.current_therapy is None
    assert s2.source.line == 5
    assert get_sample(path, "S2") == s2
    assert [s.sample_id for s in load_samplesheet(path)] == ["S1", "S2"]


def test_unknown_column_names_the_header_line(sheet_dir):
    path = _write(sheet_dir, _row() + "\tx", header=HEADER + "\tsmaple_note")
    err = _error(path)
    assert err.line == 1 and "smaple_note" in err.problem and str(path) in err.message()


@pytest.mark.parametrize("bad_id", ["../etc", "a/b", "with space", "-leading", "x" * 65])
def test_unsafe_sample_id(sheet_dir, bad_id):
    path = _write(sheet_dir, _row(), _row(bad_id))
    err = _error(path)
    assert err.line == 3 and "unsafe sample_id" in err.problem


def test_bad_specimen_lists_allowed_values(sheet_dir):
    err = _error(_write(sheet_dir, _row(specimen="blood")))
    assert err.line == 2 and "'blood'" in err.problem and "plasma" in err.problem
    assert err.record == "S1"


def test_missing_file_names_file_and_line(sheet_dir):
    err = _error(_write(sheet_dir, _row(), _row("S2", vcf="data/absent.vcf.gz")))
    assert err.line == 3 and "absent.vcf.gz" in err.problem and "not found" in err.problem
    # listing IDs on a machine without the data is still possible
    assert len(read_samplesheet(sheet_dir / "samples.tsv", check_files=False).samples) == 2


def test_duplicate_sample_id_names_both_lines(sheet_dir):
    err = _error(_write(sheet_dir, _row(), _row("S2", vcf="data/s2.vcf"), _row()))
    assert err.line == 4 and "duplicate sample_id 'S1'" in err.problem and "line 2" in err.problem


@pytest.mark.parametrize("date", ["2024-02-30", "01/03/2024", "2024-3-1"])
def test_bad_date(sheet_dir, date):
    err = _error(_write(sheet_dir, _row(date=date)))
    assert err.line == 2 and "bad date" in err.problem and date in err.problem


@pytest.mark.parametrize("kwargs, fragment", [
    ({"vcf": ""}, "at least one of vcf, fusions, cnv, bam"),
    ({"tf": "1.7"}, "tumor_fraction"),
    ({"tf": "high"}, "not a number"),
    ({"cns": "maybe"}, "cns_involvement"),
    ({"build": "hg19"}, "GRCh37"),
    ({"fusion_format": "arriba"}, "fusions is empty"),
    ({"patient": ""}, "patient_id"),
    ({"current": "lorlatinib;bevacizumab"}, "more than one drug"),
])
def test_bad_values(sheet_dir, kwargs, fragment):
    err = _error(_write(sheet_dir, _row(**kwargs)))
    assert err.line == 2 and fragment in err.problem


def test_age_years_optional_decimal_and_validated(sheet_dir):
    header = HEADER + "\tage_years"
    path = _write(sheet_dir, _row() + "\t0.5", _row("S2") + "\t", _row("S3") + "\t67",
                  header=header)
    infant, unknown, adult = read_samplesheet(path).samples
    assert infant.age_years == pytest.approx(0.5)
    assert unknown.age_years is None
    assert adult.age_years == pytest.approx(67.0)
    assert read_samplesheet(_write(sheet_dir, _row())).samples[0].age_years is None  # column absent
    for bad, fragment in (("-1", "age_years"), ("ten", "not a number"), ("50%", "not a number"),
                          ("200", "age_years")):
        err = _error(_write(sheet_dir, _row() + "\t" + bad, header=header))
        assert err.line == 2 and fragment in err.problem, (bad, err.problem)


def test_crlf_bom_and_quoted_cells(sheet_dir):
    path = sheet_dir / "samples.tsv"
    row = _row(tumor='"NSCLC"', prior='"crizotinib;alectinib"')
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + row + "\r\n").encode("utf-8"))
    (sample,) = read_samplesheet(path).samples
    assert sample.tumor_type == "NSCLC" and sample.prior_therapies == ("crizotinib", "alectinib")


def test_row_with_wrong_field_count(sheet_dir):
    err = _error(_write(sheet_dir, "S1\tP1\tplasma"))
    assert err.line == 2 and "fields" in err.problem


def test_unknown_drug_is_a_warning_not_an_error(sheet_dir):
    sheet = read_samplesheet(_write(sheet_dir, _row(prior="crizotinib;lorlatinb")))
    assert sheet.samples[0].prior_therapies == ("crizotinib", "lorlatinb")
    assert len(sheet.warnings) == 1 and "lorlatinb" in sheet.warnings[0]
    assert "line 2" in sheet.warnings[0]


def test_sample_not_in_sheet(sheet_dir):
    with pytest.raises(InputError, match="'S9' is not in the sample sheet"):
        get_sample(_write(sheet_dir, _row()), "S9")


def test_empty_and_header_only_sheets(sheet_dir):
    (sheet_dir / "samples.tsv").write_text("# nothing\n")
    assert "empty" in _error(sheet_dir / "samples.tsv").problem
    assert "no samples" in _error(_write(sheet_dir)).problem


def test_normalise_drug():
    assert normalise_drug("  Lorbrena ") == "lorlatinib"
    assert normalise_drug("LOXO-195") == "selitrectinib"
    assert normalise_drug("Crizotinib") == "crizotinib"


# --------------------------------------------------------------------------- kinres validate
def _validate(config: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kinres.cli", "validate", "--config", str(config)],
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def _config(folder: Path, extra: str = "") -> Path:
    path = folder / "config.yaml"
    path.write_text(f"samples: samples.tsv\nresults: out\n{extra}")
    return path


def test_validate_command_prints_summary(sheet_dir):
    _write(sheet_dir, _row(), _row("S2", vcf="data/s2.vcf", prior="lorlatinb"))
    proc = _validate(_config(sheet_dir), sheet_dir)
    assert proc.returncode == 0, proc.stderr
    assert "2 sample(s), 1 patient(s)" in proc.stdout and "S2" in proc.stdout
    assert "lorlatinb" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("rows, extra, expect", [
    ([_row(), _row("../S2", vcf="data/s2.vcf")], "", "line 3"),
    ([_row()], "resluts: x\n", "resluts"),
    ([_row(specimen="blood")], "", "line 2"),
    ([_row(vcf="data/none.vcf")], "", "none.vcf"),
    ([_row(), _row()], "", "duplicate sample_id"),
])
def test_validate_command_errors_are_clean(sheet_dir, rows, extra, expect):
    _write(sheet_dir, *rows)
    proc = _validate(_config(sheet_dir, extra), sheet_dir)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kinres error: ") and expect in proc.stderr


def test_germline_status_and_baseline_columns(sheet_dir):
    from kinres.enums import GermlineStatus

    (sheet_dir / "old.report.json").write_text("{}\n")
    header = HEADER + "\tgermline_status\tbaseline"
    path = _write(sheet_dir, _row("T0", specimen="tissue") + "\tmatched_normal\t",
                  _row("PL1") + "\tpending\tT0", _row("PL2") + "\t\told.report.json", header=header)
    t0, pl1, pl2 = read_samplesheet(path).samples
    assert t0.germline_status is GermlineStatus.MATCHED_NORMAL and t0.baseline is None
    assert pl1.germline_status is GermlineStatus.PENDING and pl1.baseline == "T0"
    assert pl2.germline_status is None and pl2.baseline == str(sheet_dir / "old.report.json")
    for rows, line, fragment in (
            ((_row() + "\tunknown\t",), 2, "germline_status"),
            ((_row() + "\t\tS1",), 2, "the sample itself"),
            ((_row() + "\t\tS9",), 2, "neither a sample_id"),
            ((_row() + "\t\tmissing.json",), 2, "baseline report not found"),
            ((_row("S1"), _row("S2", patient="P2") + "\t\tS1"), 3, "belongs to patient 'P1'")):
        rows = tuple(r if r.count("\t") == header.count("\t") else r + "\t\t" for r in rows)
        err = _error(_write(sheet_dir, *rows, header=header))
        assert err.line == line and fragment in err.problem, (rows, err.problem)


@pytest.mark.parametrize("reserved", ["batch", "logs", "Batch", ".kinres"])
def test_reserved_sample_ids_are_sheet_errors(sheet_dir, reserved):
    """results/batch and results/logs are the workflow's folders; a sample must not write there."""
    err = _error(_write(sheet_dir, _row(), _row(reserved)))
    assert err.line == 3
    assert "reserved" in err.problem or "unsafe sample_id" in err.problem


def test_report_only_columns_accession_clinician_and_signout(sheet_dir):
    header = HEADER + "\taccession\tordering_clinician\treport_status\treviewed_by\treview_date"
    row = _row() + "\tACC-1\tDr O. Ncologist\tfinal\tDr R\t2024-03-05"
    s = load_samplesheet(_write(sheet_dir, row, header=header))[0]
    assert (s.accession, s.ordering_clinician, s.report_status, s.reviewed_by, s.review_date) == (
        "ACC-1", "Dr O. Ncologist", "final", "Dr R", dt.date(2024, 3, 5))
    bad = _row() + "\tACC-1\tDr O\tsigned\tDr R\t2024-03-05"
    with pytest.raises(InputError, match="report_status"):
        load_samplesheet(_write(sheet_dir, bad, header=header))
    bad = _row() + "\tACC-1\tDr O\tfinal\tDr R\t2024-02-30"
    with pytest.raises(InputError, match="review_date"):
        load_samplesheet(_write(sheet_dir, bad, header=header))
