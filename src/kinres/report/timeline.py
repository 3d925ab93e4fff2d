"""Serial samples of one patient: per-alteration VAF series and their trend.

A timepoint where the alteration is absent counts as 0 (not detected) only if the hotspot was
assessable there; if that sample lists it as not assessable the point is a gap (None), because
"not detected" is not "absent" (resistance-digest §5.4).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from kinres.enums import Role
from kinres.report.json import Report
from kinres.report.labels import alteration_key, short_p


@dataclass(frozen=True)
class TimePoint:
    sample_id: str
    collection_date: _dt.date | None
    specimen: str
    tumor_fraction: float | None


@dataclass(frozen=True)
class VafSeries:
    key: str  # alteration_key, e.g. "ALK G1202R"
    role: Role
    flags: tuple[str, ...]
    values: tuple[float | None, ...]  # one per TimePoint; 0.0 = assessed, not detected
    trend: str  # emerging | rising | falling | clearing | stable | single


@dataclass(frozen=True)
class PatientTimeline:
    patient_id: str
    points: tuple[TimePoint, ...]
    series: tuple[VafSeries, ...]


# A change counts as real only if it is both relative and absolute: ctDNA VAFs near the LoD jitter.
RISE_RATIO = 1.5
MIN_ABS_CHANGE = 0.005


def classify_trend(values: tuple[float | None, ...]) -> str:
    """emerging / rising / falling / clearing / stable from first to last assessable value."""
    seen = [v for v in values if v is not None]
    if len(seen) < 2:
        return "single"
    first, last = seen[0], seen[-1]
    if first == 0 and last > 0:
        return "emerging"
    if first > 0 and last == 0:
        return "clearing"
    if first == 0 and last == 0:
        return "stable"
    if last >= first * RISE_RATIO and last - first >= MIN_ABS_CHANGE:
        return "rising"
    if last <= first / RISE_RATIO and first - last >= MIN_ABS_CHANGE:
        return "falling"
    return "stable"


def _sort_key(report: Report):
    d = report.sample.collection_date
    return (d is None, d or _dt.date.min, report.sample.id)


def build_timeline(reports: list[Report] | tuple[Report, ...]) -> PatientTimeline:
    """Timeline of one patient's reports, ordered by collection_date (undated last, by id)."""
    patients = {r.sample.patient_id for r in reports}
    if len(patients) != 1:
        raise ValueError(f"timeline needs reports of one patient, got {sorted(patients)}")
    ordered = sorted(reports, key=_sort_key)
    points = tuple(TimePoint(r.sample.id, r.sample.collection_date, r.sample.specimen.value,
                             r.qc.tumor_fraction) for r in ordered)
    keys: dict[str, tuple[Role, tuple[str, ...]]] = {}
    for r in ordered:
        for alt in r.alterations:
            if alt.vaf is not None:
                keys.setdefault(alteration_key(alt), (alt.role, alt.flags))
    series = []
    for key, (role, flags) in keys.items():
        values: list[float | None] = []
        for r in ordered:
            hit = next((a for a in r.alterations if alteration_key(a) == key), None)
            if hit is not None:
                values.append(hit.vaf)
                continue
            unassessable = any(f"{n.gene} {short_p(n.hgvs_p)}" == key and not n.assessable
                               for n in r.not_detected)
            values.append(None if unassessable else 0.0)
        series.append(VafSeries(key=key, role=role, flags=flags, values=tuple(values),
                                trend=classify_trend(tuple(values))))
    return PatientTimeline(patient_id=ordered[0].sample.patient_id, points=points,
                           series=tuple(series))


def group_by_patient(reports: list[Report]) -> dict[str, list[Report]]:
    """Reports grouped by patient_id, each group ordered by collection date."""
    groups: dict[str, list[Report]] = {}
    for r in reports:
        groups.setdefault(r.sample.patient_id, []).append(r)
    return {p: sorted(g, key=_sort_key) for p, g in sorted(groups.items())}
