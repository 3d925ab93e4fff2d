"""The demo batch with one broken sample, then fixed, then one row edited (issues 10.6, 11.6, 12.4).

1. One sample's VCF has a broken POS: the run exits non-zero naming it, but the batch summary,
   the MultiQC table and failed_samples.tsv are written; the failed sample has FAILED.json with
   the error and no report; every other patient's samples are reported.
2. Input fixed: the rerun runs only that patient and the batch; the other reports keep bytes.
3. One input file replaced in place: a dry run plans only that patient's job, its PDF job and
   the batch (the file's size and time are in the sample's row file).
4. One row edited: a dry run plans only that patient's job, the PDF job holding its sample
   and the batch.
5. kinres_mqc.tsv is a declared output: deleting it plans the batch job again.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "config" / "samples.tsv"
BROKEN = "P05-T1"
COPIED = "P10-T1"  # its fusion file is a copy in the test folder
FILE_COLUMNS = ("vcf", "fusions", "cnv", "bam")


def _snakemake(config: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--nolock",
                           "--keep-going", "--configfile", str(config), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _sheet(folder: Path, overrides: dict[str, dict[str, str]]) -> Path:
    lines = [ln for ln in DEMO.read_text().splitlines() if ln and not ln.startswith("#")]
    header = lines[0].split("\t")
    out = [lines[0]]
    for line in lines[1:]:
        cells = dict(zip(header, line.split("\t") + [""] * len(header)))
        for col in FILE_COLUMNS:
            if cells.get(col):
                cells[col] = str((DEMO.parent / cells[col]).resolve())
        if cells["sample_id"] == COPIED:  # an input file the tests may replace in place
            copy = folder / Path(cells["fusions"]).name
            if not copy.exists():
                copy.write_bytes(Path(cells["fusions"]).read_bytes())
            cells["fusions"] = str(copy)
        cells.update(overrides.get(cells["sample_id"], {}))
        out.append("\t".join(cells[h] for h in header))
    path = folder / "samples.tsv"
    path.write_text("\n".join(out) + "\n")
    return path


def _broken_vcf(folder: Path) -> Path:
    good = (DEMO.parent / f"../.test/data/{BROKEN}.snpeff.vcf").resolve()
    lines = good.read_text().splitlines()
    first = next(i for i, ln in enumerate(lines) if ln and not ln.startswith("#"))
    cells = lines[first].split("\t")
    cells[1] = "notanumber"
    lines[first] = "\t".join(cells)
    path = folder / "broken.vcf"
    path.write_text("\n".join(lines) + "\n")
    return path


def _planned(proc: subprocess.CompletedProcess) -> set[str]:
    """Rule names of the jobs a (dry) run lists; the PDF batch jobs as one entry "pdf" (the
    batch holding the changed sample reruns: at most one)."""
    rules = set(re.findall(r"^\s*(?:local)?rule (\S+):", proc.stdout + proc.stderr, re.M))
    pdf = {r for r in rules if r.startswith("pdf_")}
    assert len(pdf) <= 1, pdf
    return (rules - pdf) | ({"pdf"} if pdf else set())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resilience")
    config = folder / "config.yaml"
    broken = _broken_vcf(folder)
    config.write_text(yaml.safe_dump({
        "samples": str(_sheet(folder, {BROKEN: {"vcf": str(broken)}})),
        "results": str(folder / "results"), "pdf_per_job": 4}))
    first = _snakemake(config)
    return folder, config, first


def test_broken_sample_fails_the_run_but_the_batch_summary_is_written(run):
    folder, _, proc = run
    results = folder / "results"
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0, text[-3000:]
    assert BROKEN in text and "notanumber" in text
    failed = json.loads((results / BROKEN / "FAILED.json").read_text())
    assert failed["status"] == "failed" and "broken.vcf" in failed["error"]
    assert not (results / BROKEN / "report.json").exists()
    assert not (results / BROKEN / "report.html").exists()
    for name in ("summary.html", "summary.tsv", "kinres_mqc.tsv", "failed_samples.tsv"):
        assert (results / "batch" / name).stat().st_size > 0, name
    listed = (results / "batch" / "failed_samples.tsv").read_text()
    assert BROKEN in listed and "notanumber" in listed
    assert BROKEN in (results / "batch" / "summary.html").read_text()
    mqc = (results / "batch" / "kinres_mqc.tsv").read_text()
    assert "P02-T1" in mqc
    # every other patient is reported, PDFs included (also those batched with the failed one)
    for sid in ("P01-PL1", "P01-PL2", "P01-PL3", "P02-T1", "P03-CSF1", "P04-T1", "P06-PL1",
                "P07-T1", "P08-PL1", "P09-T1", "P10-T1"):
        assert (results / sid / "report.html").stat().st_size > 0, sid
        assert (results / sid / "report.pdf").read_bytes()[:5] == b"%PDF-", sid
    assert not (results / BROKEN / "report.pdf").exists()


def test_fixed_input_reruns_only_that_patient_and_keeps_other_bytes(run):
    folder, config, _ = run
    results = folder / "results"
    before = {p: p.read_bytes() for p in results.glob("*/report.json")}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    _sheet(folder, {})  # the good VCF again
    proc = _snakemake(config)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert _planned(proc) == {"patient_P05", "pdf", "batch", "all"}
    assert not (results / BROKEN / "FAILED.json").exists()
    assert (results / BROKEN / "report.html").exists()
    for path, data in before.items():
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtimes[path], path
    assert BROKEN not in (results / "batch" / "failed_samples.tsv").read_text()


def test_replaced_input_file_plans_only_that_patient(run):
    """Data files are not declared job inputs (Snakemake would stat them all in every scheduling
    round); their sizes and times are in the row file, so replacing one still reruns its patient."""
    import os

    folder, config, _ = run
    copy = folder / "P10-T1.arriba.tsv"
    later = copy.stat().st_mtime + 5
    copy.write_bytes(copy.read_bytes())
    os.utime(copy, (later, later))
    planned = _planned(_snakemake(config, "-n"))
    assert planned == {"patient_P10", "pdf", "batch", "all"}, planned
    proc = _snakemake(config)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def test_editing_one_row_plans_only_that_patient(run):
    folder, config, _ = run
    assert "Nothing to be done" in (lambda p: p.stdout + p.stderr)(_snakemake(config, "-n"))
    _sheet(folder, {"P04-T1": {"purity": "0.55"}})
    planned = _planned(_snakemake(config, "-n"))
    assert planned == {"patient_P04", "pdf", "batch", "all"}, planned


def test_multiqc_table_is_a_declared_output(run):
    folder, config, _ = run
    _sheet(folder, {})
    assert _snakemake(config).returncode == 0
    (folder / "results" / "batch" / "kinres_mqc.tsv").unlink()
    planned = _planned(_snakemake(config, "-n"))
    assert planned == {"batch", "all"}, planned


# --- grouped jobs (patients_per_job > 1, as `auto` does above 50 patients) ---------------------

EDITED = "P04-T1"  # patients_per_job 4 puts P04 in one job with P05 and P07 (crc32 of the ID)


def _outputs(results: Path) -> dict[Path, tuple[int, bytes]]:
    names = ("report.json", "report.html", "report.pdf", "alterations.tsv", "drug_calls.tsv")
    return {p: (p.stat().st_ino, p.read_bytes())
            for name in names for p in results.glob(f"*/{name}")}


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grouped")
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({
        "samples": str(_sheet(folder, {})), "results": str(folder / "results"),
        "patients_per_job": 4, "pdf_per_job": 4}))
    proc = _snakemake(config)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return folder, config


def test_grouped_rerun_recomputes_only_the_edited_patient(grouped):
    """Issue 12.4 with grouped jobs: one edited row reruns its job, but the job's other patients
    and the PDFs of unchanged reports get their earlier files back (same inode, same bytes)."""
    folder, config = grouped
    results = folder / "results"
    before = _outputs(results)
    _sheet(folder, {EDITED: {"purity": "0.55"}})
    proc = _snakemake(config)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    ran = set(re.findall(r"^\s*(?:local)?rule (\S+):", text, re.M))
    jobs = [r for r in ran if r.startswith("patients_")]
    assert len(jobs) == 1, jobs
    log = (results / "logs" / "sample" / f"{jobs[0]}.log").read_text()
    assert "earlier outputs reused (P05-T1)" in log and "earlier outputs reused (P07-T1)" in log
    after = _outputs(results)
    assert set(after) == set(before)
    changed = {p for p in before if after[p] != before[p]}
    assert changed, "the edited sample must be computed again"
    assert {p.parent.name for p in changed} == {EDITED}, sorted(map(str, changed))
    assert after[results / EDITED / "report.json"][1] != before[results / EDITED / "report.json"][1]
    # the reused outputs count as new for Snakemake: the next run has nothing to do
    assert "Nothing to be done" in (lambda p: p.stdout + p.stderr)(_snakemake(config, "-n"))


def test_reuse_can_be_switched_off(grouped):
    folder, config = grouped
    results = folder / "results"
    before = _outputs(results)
    proc = _snakemake(config, "--config", "reuse_outputs=False")  # a config change reruns all
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    after = _outputs(results)
    assert all(after[p][0] != before[p][0] for p in before)  # every file written anew
    assert "reused" not in "".join(p.read_text() for p in (results / "logs").rglob("*.log"))
