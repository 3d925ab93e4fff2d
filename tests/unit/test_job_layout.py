"""Workflow job layout helpers: patients_per_job (auto) and sheet warnings per row file."""

from __future__ import annotations

from kinres.io.sample_row import row_warnings, warnings_by_line
from kinres.models import Sample, SourceRef
from kinres.workflow_settings import AUTO_GROUP_MAX, AUTO_PER_PATIENT_MAX, Settings


def test_auto_is_one_job_per_patient_for_small_batches():
    auto = Settings()
    assert auto.patients_per_job == "auto"
    assert auto.patient_job_count(10) is None
    assert auto.patient_job_count(AUTO_PER_PATIENT_MAX) is None


def test_auto_groups_large_batches_into_stable_job_counts():
    auto = Settings()
    counts = {n: auto.patient_job_count(n) for n in (51, 400, 1000, 1001, 4300)}
    assert counts == {51: 50, 400: 50, 1000: 50, 1001: 100, 4300: 400}
    for n, jobs in counts.items():
        assert n / jobs <= AUTO_GROUP_MAX
    # adding a few patients keeps the job count, so the other patients do not regroup
    assert auto.patient_job_count(420) == auto.patient_job_count(430)


def test_explicit_patients_per_job():
    assert Settings.from_mapping({"patients_per_job": 1}).patient_job_count(5000) is None
    assert Settings.from_mapping({"patients_per_job": 10}).patient_job_count(95) == 10
    assert Settings.from_mapping({"patients_per_job": "auto"}) == Settings()


def _sample(line):
    return Sample(sample_id=f"S{line}", patient_id="P", specimen="tissue", tumor_type="NSCLC",
                  genome_build="GRCh38", source=SourceRef("s.tsv", line))


def test_warnings_by_line_matches_row_warnings():
    warnings = ["s.tsv, line 2: unknown drug name 'x'", "s.tsv, line 12: unknown drug 'y'",
                "s.tsv, line 2: another", "sheet-wide note", "s.tsv, line 3: z (see line 2)"]
    by_line = warnings_by_line(warnings)
    for line in (2, 3, 12, 1, 21):
        assert by_line.get(line, ()) == row_warnings(_sample(line), warnings)
