"""A sample that could not be reported: results/<sample>/FAILED.json.

Written by `kinres sample` when a sample's input (or a bug) stops it, so that the batch summary
can list the sample with its error. It is deliberately not named like any report output: no
file of a failed sample can pass for a complete report. A sample of the same patient as a failed
one is marked failed too ("blocked"): the patient's samples are interpreted together
(timeline, cross-sample reasoning), so reporting the others without it would silently drop a
timepoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kinres.atomic import atomic_write_text

FAILED_NAME = "FAILED.json"


@dataclass(frozen=True)
class Failure:
    sample_id: str
    patient_id: str
    step: str            # variants, fusions, cnv, coverage, interpret, report, or "patient"
    error: str           # the kinres error message (file, line, problem)
    blocked_by: str = ""  # the failed sample of the same patient, when this one is only blocked
    same_patient: bool = True  # False: blocked only because it shared a workflow job

    @property
    def message(self) -> str:
        if self.blocked_by and self.same_patient:
            return f"not reported: {self.blocked_by} of the same patient failed ({self.error})"
        if self.blocked_by:
            return (f"not reported: {self.blocked_by} in the same workflow job failed "
                    f"({self.error}); rerun once it is fixed (or use patients_per_job: 1)")
        return f"{self.step}: {self.error}"


def failed_path(sample_dir: str | Path) -> Path:
    return Path(sample_dir) / FAILED_NAME


def write_failure(sample_dir: str | Path, failure: Failure) -> Path:
    path = failed_path(sample_dir)
    data = {"status": "failed", "sample_id": failure.sample_id,
            "patient_id": failure.patient_id, "step": failure.step, "error": failure.error,
            "blocked_by": failure.blocked_by or None, "same_patient": failure.same_patient,
            "message": failure.message}
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def clear_failure(sample_dir: str | Path) -> None:
    failed_path(sample_dir).unlink(missing_ok=True)


def read_failure(path: str | Path) -> Failure:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Failure(sample_id=str(data["sample_id"]), patient_id=str(data.get("patient_id") or ""),
                   step=str(data.get("step") or ""), error=str(data.get("error") or ""),
                   blocked_by=str(data.get("blocked_by") or ""),
                   same_patient=bool(data.get("same_patient", True)))


def read_failures(paths: Iterable[str | Path]) -> list[Failure]:
    return [read_failure(p) for p in paths]
