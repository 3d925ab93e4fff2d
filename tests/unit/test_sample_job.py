"""Per-sample row files, `kinres sample` (one process per patient), FAILED.json, `kinres pdf`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kinres.cli import main
from kinres.failure import read_failure
from kinres.io.sample_row import read_row, row_path, write_row
from kinres.io.samplesheet import read_samplesheet

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "config" / "samples.tsv"


@pytest.fixture(scope="module")
def demo():
    return {s.sample_id: s for s in read_samplesheet(DEMO).samples}


def test_row_file_round_trips_and_is_rewritten_only_on_change(tmp_path, demo):
    sample = demo["P02-T1"]
    path = row_path(tmp_path, sample.sample_id)
    assert write_row(sample, path) is True
    mtime = path.stat().st_mtime_ns
    assert write_row(sample, path) is False and path.stat().st_mtime_ns == mtime
    back = read_row(path).sample
    assert back.sample_id == sample.sample_id and back.vcf == sample.vcf
    assert back.source.line is None  # inserting a sheet row above must not change this file
    import dataclasses

    assert write_row(dataclasses.replace(sample, purity=0.5), path) is True
    assert write_row(sample, path, ("sheet, line 3: unknown drug name 'x'",)) is True
    assert read_row(path).sheet_warnings == ("sheet, line 3: unknown drug name 'x'",)


def test_row_file_follows_its_input_files_sizes_and_times(tmp_path, demo):
    """A replaced data file rewrites the row file (the job's declared input), so the patient
    reruns although the data files are not declared inputs (issue 12)."""
    import os

    from kinres.io.sample_row import input_signature

    sample = demo["P02-T1"]
    data = tmp_path / "calls.tsv"
    data.write_text("a\n")
    path = tmp_path / "row.json"
    assert write_row(sample, path, inputs=input_signature([data])) is True
    assert write_row(sample, path, inputs=input_signature([data])) is False
    os.utime(data, (data.stat().st_mtime + 5,) * 2)
    assert write_row(sample, path, inputs=input_signature([data])) is True
    data.write_text("ab\n")  # same second, other size
    os.utime(data, (data.stat().st_mtime,) * 2)
    assert write_row(sample, path, inputs=input_signature([data])) is True
    assert read_row(path).sample.sample_id == "P02-T1"  # jobs read the row as before
    missing = input_signature([tmp_path / "gone.vcf"])
    assert missing == [{"path": str(tmp_path / "gone.vcf"), "missing": True}]


def test_bad_row_file_is_an_input_error(tmp_path):
    from kinres.errors import InputError

    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(InputError):
        read_row(bad)
    with pytest.raises(InputError):
        read_row(tmp_path / "missing.json")


def _rows(tmp_path, demo, ids, mutate=None):
    paths = []
    for sid in ids:
        sample = demo[sid] if mutate is None else mutate(demo[sid])
        path = row_path(tmp_path / "res", sid)
        write_row(sample, path)
        paths.append(str(path))
    return paths


def test_sample_command_writes_every_stage_and_report(tmp_path, demo):
    rows = _rows(tmp_path, demo, ["P02-T1"])
    rc = main(["-q", "sample", "--config", str(REPO / "config" / "config.yaml"), "--rows", *rows,
               "--results", str(tmp_path / "res"), "--no-pdf"])
    assert rc == 0
    out = tmp_path / "res" / "P02-T1"
    for name in ("variants.json", "fusions.json", "cnv.json", "report.json", "report.html",
                 "alterations.tsv", "drug_calls.tsv"):
        assert (out / name).stat().st_size > 0, name
    assert not (out / "FAILED.json").exists() and not (out / "report.pdf").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["sample"]["id"] == "P02-T1"


def test_failed_sample_gets_failed_json_and_sibling_is_blocked(tmp_path, demo):
    """A broken input: FAILED.json names the file and problem, no report; siblings blocked."""
    import dataclasses

    broken = tmp_path / "broken.vcf"
    broken.write_text(demo["P01-PL1"].vcf.read_text().replace("\tPASS\t", "\tPASS\t", 1)
                      .replace("##fileformat=VCFv4.2", "##fileformat=VCFv4.2", 1))
    lines = broken.read_text().splitlines()
    body = [i for i, ln in enumerate(lines) if ln and not ln.startswith("#")]
    cells = lines[body[0]].split("\t")
    cells[1] = "notanumber"
    lines[body[0]] = "\t".join(cells)
    broken.write_text("\n".join(lines) + "\n")

    def mutate(s):
        return dataclasses.replace(s, vcf=broken) if s.sample_id == "P01-PL2" else s

    rows = _rows(tmp_path, demo, ["P01-PL1", "P01-PL2"], mutate)
    rc = main(["-q", "sample", "--config", str(REPO / "config" / "config.yaml"), "--rows", *rows,
               "--results", str(tmp_path / "res"), "--no-pdf"])
    assert rc == 2
    bad = read_failure(tmp_path / "res" / "P01-PL2" / "FAILED.json")
    assert "broken.vcf" in bad.error and bad.blocked_by == ""
    sibling = read_failure(tmp_path / "res" / "P01-PL1" / "FAILED.json")
    assert sibling.blocked_by == "P01-PL2" and "P01-PL2" in sibling.message
    for sid in ("P01-PL1", "P01-PL2"):
        assert not (tmp_path / "res" / sid / "report.html").exists()
    # fixed input: the rerun clears FAILED.json
    rows = _rows(tmp_path, demo, ["P01-PL1", "P01-PL2"])
    assert main(["-q", "sample", "--config", str(REPO / "config" / "config.yaml"), "--rows",
                 *rows, "--results", str(tmp_path / "res"), "--no-pdf"]) == 0
    assert not (tmp_path / "res" / "P01-PL2" / "FAILED.json").exists()


def test_batch_lists_failed_samples_and_can_fail(tmp_path, demo):
    rows = _rows(tmp_path, demo, ["P02-T1"])
    assert main(["-q", "sample", "--config", str(REPO / "config" / "config.yaml"), "--rows",
                 *rows, "--results", str(tmp_path / "res"), "--no-pdf"]) == 0
    from kinres.failure import Failure, write_failure

    failed = write_failure(tmp_path / "res" / "X1", Failure("X1", "PX", "input",
                                                            "x.vcf, line 3: POS is not a number"))
    outdir = tmp_path / "res" / "batch"
    args = ["-q", "batch", "--reports", str(tmp_path / "res" / "P02-T1" / "report.json"),
            "--failed", str(failed), "--outdir", str(outdir)]
    assert main(args) == 0
    assert main(args + ["--fail-if-failed"]) == 1
    assert "X1" in (outdir / "failed_samples.tsv").read_text()
    html = (outdir / "summary.html").read_text()
    assert "X1" in html and "POS is not a number" in html
    for name in ("summary.tsv", "kinres_mqc.tsv"):
        assert (outdir / name).stat().st_size > 0
    # only failed samples: the summary is still written
    shutil.rmtree(outdir)
    assert main(["-q", "batch", "--failed", str(failed), "--outdir", str(outdir)]) == 0
    assert "X1" in (outdir / "summary.html").read_text()


def test_pdf_command_renders_many_in_one_process_deterministically(tmp_path):
    pytest.importorskip("weasyprint")
    html = "<html><body><h1>kinres</h1><p>report</p></body></html>"
    paths = []
    for sid in ("A", "B"):
        (tmp_path / sid).mkdir()
        (tmp_path / sid / "report.html").write_text(html)
        paths.append(str(tmp_path / sid / "report.html"))
    assert main(["-q", "pdf", "--html", *paths]) == 0
    first = (tmp_path / "A" / "report.pdf").read_bytes()
    assert first[:5] == b"%PDF-" and (tmp_path / "B" / "report.pdf").exists()
    assert main(["-q", "pdf", "--html", paths[0]]) == 0
    assert (tmp_path / "A" / "report.pdf").read_bytes() == first
    assert main(["-q", "pdf", "--html", str(tmp_path / "missing.html")]) == 2


def test_failure_in_a_multi_patient_job_marks_the_other_patients(tmp_path, demo):
    """patients_per_job > 1: the workflow discards the whole job, so every sample says why."""
    import dataclasses

    broken = tmp_path / "broken.maf"
    broken.write_text("not a maf\n")

    def mutate(s):
        return dataclasses.replace(s, vcf=broken) if s.sample_id == "P03-CSF1" else s

    rows = _rows(tmp_path, demo, ["P02-T1", "P03-CSF1"], mutate)
    rc = main(["-q", "sample", "--config", str(REPO / "config" / "config.yaml"), "--rows", *rows,
               "--results", str(tmp_path / "res"), "--no-pdf"])
    assert rc != 0
    own = read_failure(tmp_path / "res" / "P03-CSF1" / "FAILED.json")
    assert own.blocked_by == "" and "broken.maf" in own.error
    other = read_failure(tmp_path / "res" / "P02-T1" / "FAILED.json")
    assert other.blocked_by == "P03-CSF1" and not other.same_patient
    assert "same workflow job" in other.message
    # FAILED.json and a report never share a folder
    for name in ("report.json", "report.html", "alterations.tsv", "P02-T1.kinres.vcf"):
        assert not (tmp_path / "res" / "P02-T1" / name).exists(), name
