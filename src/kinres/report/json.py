"""Read report.json at the edge: parse, schema-validate, cross-check and build typed views.

The report renderers never look inside the interpret package; they read the contract
(shared/design/report-contract.md, schema_version "1") through `load_report`. Unknown extra
fields are allowed by the contract ("extend freely"): they are ignored by the typed views but
kept in `Report.data`, which is what `write_report_json` copies through.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jsonschema import Draft202012Validator

from kinres.config import schema_validator
from kinres.enums import (
    AltKind,
    Build,
    DrugCallValue,
    EvidenceType,
    MatchLevel,
    MechanismClass,
    Origin,
    Phase,
    Progression,
    Role,
    Specimen,
    StructuralClass,
)
from kinres.errors import InputError
from kinres.models import (
    QC,
    Alteration,
    ClinicalFigure,
    DrugCall,
    FusionSummary,
    InputFile,
    Mechanism,
    NotDetected,
    PhaseEvidence,
    ReportReference,
    ReportSample,
    SignOut,
    TherapyOption,
)
from kinres.serialize import dumps

SCHEMA_NAME = "report.schema.json"
SCHEMA_VERSION = "1"

# Ordered best → worst; the project's evidence scale (see report.schema.json "level").
EVIDENCE_LEVELS: tuple[tuple[str, str], ...] = (
    ("CLIN-approved", "approved therapy / guideline for this biomarker (AMP I-A, OncoKB 1-2)"),
    ("CLIN-cohort", "clinical cohort or trial data (AMP I-B/II-C, OncoKB 3A)"),
    ("CASE", "case reports or small case series (AMP II-C/D)"),
    ("PRE", "preclinical data only: cell lines, Ba/F3, xenografts (AMP II-D)"),
    ("INF", "inferred from a paralogous residue or structure (AMP III)"),
    ("NONE", "no evidence row in the knowledge table"),
)


@dataclass(frozen=True)
class ReportCaveat:
    """Caveat view; `code` stays a string because the contract lets producers add codes."""

    code: str
    text: str


@dataclass(frozen=True)
class ReportProvenance:
    knowledge_version: str
    knowledge_sha256: str
    inputs: tuple[InputFile, ...]
    reference: ReportReference
    created_by: str
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Report:
    """Typed, read-only view of one report.json."""

    path: str
    schema_version: str
    kinres_version: str
    sample: ReportSample
    qc: QC
    alterations: tuple[Alteration, ...]
    mechanisms: tuple[Mechanism, ...]
    drug_calls: tuple[DrugCall, ...]
    therapy_options: tuple[TherapyOption, ...]
    caveats: tuple[ReportCaveat, ...]
    not_detected: tuple[NotDetected, ...]
    provenance: ReportProvenance
    signout: SignOut | None = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def alteration(self, alt_id: str) -> Alteration | None:
        """The alteration with this report id, or None."""
        for alt in self.alterations:
            if alt.id == alt_id:
                return alt
        return None


@cache
def _validator() -> Draft202012Validator:
    return schema_validator(SCHEMA_NAME)


def _location(parts) -> str:
    return "/".join(str(p) for p in parts) or "(top level)"


def validate_report_data(data: Any, path: str | Path) -> None:
    """Raise InputError naming the first schema violation, then check internal references."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(path, f"report does not match {SCHEMA_NAME}: {err.message}{more}",
                         record=_location(err.absolute_path))
    ids = [a["id"] for a in data["alterations"]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(path, f"duplicate alteration id(s) {', '.join(dup)}", record="alterations")
    known = set(ids)
    # A drug call or mechanism pointing at a missing alteration would print an unsupported claim.
    for section, key in (("mechanisms", "alteration_ids"), ("drug_calls", "based_on")):
        for i, rec in enumerate(data[section]):
            missing = [x for x in rec[key] if x not in known]
            if missing:
                raise InputError(path, f"{key} refers to unknown alteration id(s) "
                                       f"{', '.join(missing)}", record=f"{section}/{i}")


def _pick(cls: type, mapping: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in mapping.items() if k in names}


def _opt_enum(enum_cls, value):
    return None if value is None else enum_cls(value)


def _alteration(rec: Mapping[str, Any]) -> Alteration:
    kw = _pick(Alteration, rec)
    kw["kind"] = AltKind(rec["kind"])
    kw["role"] = Role(rec["role"])
    kw["structural_class"] = _opt_enum(StructuralClass, rec.get("structural_class"))
    kw["flags"] = tuple(rec.get("flags") or ())
    fus = rec.get("fusion")
    kw["fusion"] = FusionSummary(**_pick(FusionSummary, fus)) if fus else None
    level = rec.get("match_level")
    kw["match_level"] = MatchLevel(level) if level in {m.value for m in MatchLevel} else None
    kw["knowledge_ids"] = tuple(str(x) for x in rec.get("knowledge_ids") or ())
    kw["origin"] = _opt_enum(Origin, rec.get("origin"))
    if kw.get("pos") is not None:
        kw["pos"] = int(kw["pos"])
    for key in ("chrom", "ref", "alt"):
        if kw.get(key) is not None:
            kw[key] = str(kw[key])
    return Alteration(**kw)


def _figures(rec: Mapping[str, Any]) -> tuple[ClinicalFigure, ...]:
    return tuple(ClinicalFigure(**{**_pick(ClinicalFigure, f), "citations": tuple(f.get("citations") or ())})
                 for f in rec.get("figures") or ())


def _build(data: Mapping[str, Any], path: str) -> Report:
    s = data["sample"]
    try:
        cdate = _dt.date.fromisoformat(s["collection_date"]) if s["collection_date"] else None
    except ValueError:
        raise InputError(path, f"collection_date {s['collection_date']!r} is not a real date",
                         record="sample/collection_date") from None
    sample = ReportSample(
        id=s["id"], patient_id=s["patient_id"], specimen=Specimen(s["specimen"]),
        tumor_type=s["tumor_type"], genome_build=Build(s["genome_build"]), collection_date=cdate,
        prior_therapies=tuple(s["prior_therapies"]), current_therapy=s["current_therapy"],
        age_years=s.get("age_years"), progression=_opt_enum(Progression, s.get("progression")),
        histology=s.get("histology"), orthogonal=s.get("orthogonal"),
        accession=s.get("accession"), ordering_clinician=s.get("ordering_clinician"))
    so = data.get("signout") or {}
    signout = SignOut(status=so.get("status"), reviewed_by=so.get("reviewed_by"),
                      review_date=_dt.date.fromisoformat(so["review_date"])
                      if so.get("review_date") else None) if so else None
    q = data["qc"]
    qc = QC(tumor_fraction=q["tumor_fraction"], tumor_fraction_method=q["tumor_fraction_method"],
                  informative_negative=q["informative_negative"], mean_depth=q["mean_depth"],
                  warnings=tuple(q["warnings"]))
    mechanisms = tuple(
        Mechanism(mechanism_class=MechanismClass(m["class"]), label=m["label"],
                  alteration_ids=tuple(m["alteration_ids"]), compound=m["compound"],
                  phase=_opt_enum(Phase, m["phase"]), evidence=tuple(m["evidence"]),
                  note=m.get("note"),
                  phase_evidence=tuple(PhaseEvidence(**{**_pick(PhaseEvidence, e), "phase": Phase(e["phase"])})
                                       for e in m.get("phase_evidence") or ()),
                  figures=_figures(m))
        for m in data["mechanisms"])
    drug_calls = tuple(
        DrugCall(drug=d["drug"], call=DrugCallValue(d["call"]),
                 evidence_type=EvidenceType(d["evidence_type"]), level=d["level"],
                 based_on=tuple(d["based_on"]), citations=tuple(d["citations"]),
                 rationale=d.get("rationale"), figures=_figures(d),
                 clinical_status=d.get("clinical_status"), clinical_note=d.get("clinical_note"))
        for d in data["drug_calls"])
    options = tuple(
        TherapyOption(rank=t["rank"], option=t["option"], rationale=t["rationale"],
                      evidence_level=t["evidence_level"], investigational=t["investigational"],
                      citations=tuple(t["citations"]))
        for t in sorted(data["therapy_options"], key=lambda t: t["rank"]))
    p = data["provenance"]
    ref = p["reference"]
    provenance = ReportProvenance(
        knowledge_version=p["knowledge_version"], knowledge_sha256=p["knowledge_sha256"],
        inputs=tuple(InputFile(path=i["path"], sha256=i["sha256"]) for i in p["inputs"]),
        reference=ReportReference(build=Build(ref["build"]), annotation=ref["annotation"],
                                  fasta=ref["fasta"]),
        created_by=p["created_by"],
        parameters=tuple(sorted((str(k), v if isinstance(v, str) else json.dumps(v, sort_keys=True))
                                for k, v in p["parameters"].items())))
    return Report(
        path=path, schema_version=data["schema_version"], kinres_version=data["kinres_version"],
        sample=sample, qc=qc, alterations=tuple(_alteration(a) for a in data["alterations"]),
        mechanisms=mechanisms, drug_calls=drug_calls, therapy_options=options,
        caveats=tuple(ReportCaveat(code=c["code"], text=c["text"]) for c in data["caveats"]),
        not_detected=tuple(NotDetected(**_pick(NotDetected, n)) for n in data["not_detected"]),
        provenance=provenance, signout=signout, data=MappingProxyType(copy.deepcopy(dict(data))))


def parse_report(data: Any, path: str | Path = "<report.json>") -> Report:
    """Validate an already-parsed report mapping and return its typed view."""
    validate_report_data(data, path)
    return _build(data, str(path))


def load_report(path: str | Path) -> Report:
    """Read, validate and convert one report.json; InputError names file and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "report file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read report: {exc}") from None
    return _parse_text(str(path), text)


@lru_cache(maxsize=64)
def _parse_text(path: str, text: str) -> Report:
    """Same path and bytes -> the same (immutable) Report: a patient job renders each sample
    with its siblings' reports, so a 3-sample patient loaded and schema-validated 9 reports for
    3 files (~0.01 CPU-s each). Failures are not cached."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Path(path), f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    return parse_report(data, Path(path))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def report_json_text(path: str | Path) -> str:
    """The report at `path` as deterministic JSON text, after schema and cross-checks."""
    report = load_report(path)
    data = _plain(report.data)
    validate_report_data(data, report.path)
    return dumps(data)


def write_report_json(report: Report, path: str | Path) -> None:
    """Copy the report mapping through (re-validated against the schema) atomically."""
    from kinres.atomic import atomic_write_text

    data = _plain(report.data)
    validate_report_data(data, report.path)
    atomic_write_text(path, dumps(data))
