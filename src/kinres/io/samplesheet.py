"""Read and validate the tab-separated sample sheet into typed `Sample` records.

Each row is converted (numbers, booleans, dates), validated against
workflow/schemas/samples.schema.json and checked for things a schema cannot see (duplicate IDs,
missing input files, format columns without their file). Every problem is an InputError naming
the sheet and its line; unknown drug names are only warnings because the list of drugs a patient
may have received is open-ended.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from kinres.config import schema_validator
from kinres.enums import Build, CnvFormat, FusionFormat, GermlineStatus, Progression, Specimen
from kinres.errors import InputError
from kinres.io.orthogonal import OrthogonalError, parse_orthogonal
from kinres.models import Sample, SourceRef

log = logging.getLogger(__name__)

SCHEMA_NAME = "samples.schema.json"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# results/<sample_id>/ is a sample's folder; these names are the workflow's own folders there
# (batch summary, job logs); compared case-insensitively for case-insensitive filesystems.
# Hidden names (.kinres, .snakemake) are already refused by SAFE_ID.
RESERVED_IDS = frozenset({"batch", "logs"})
FILE_COLUMNS = ("vcf", "fusions", "cnv", "bam")
NUMBER_COLUMNS = ("tumor_fraction", "purity", "ploidy", "age_years")
# fractions may be written as percentages; an age may not ("50%" is not an age)
PERCENT_COLUMNS = ("tumor_fraction", "purity")
BOOL_COLUMNS = ("cns_involvement",)
# targeted NGS of these cancers is younger than this; earlier dates are typos ("1024", "1800")
EARLIEST_COLLECTION = _dt.date(1990, 1, 1)
# cells that mean "no value" in hand-edited sheets
_EMPTY = {"", "na", "n/a", "nan", ".", "-", "none", "null"}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
# a format column only makes sense beside its file column
_DEPENDS = {"vcf_sample": "vcf", "fusion_format": "fusions", "cnv_format": "cnv"}

# Drugs a kinase-resistance sheet plausibly lists (lower-case INN). Unknown names are kept as
# written and warned about, so a typo ("lorlatinb") is visible before it silently fails a
# knowledge-table match.
KNOWN_DRUGS = frozenset({
    # ALK / ROS1 / NTRK TKIs (approved and investigational)
    "crizotinib", "ceritinib", "alectinib", "brigatinib", "ensartinib", "lorlatinib",
    "iruplinalkib", "envonalkib", "neladalkib", "gilteritinib", "entrectinib", "repotrectinib",
    "taletrectinib", "zidesamtinib", "larotrectinib", "selitrectinib", "zurletrectinib",
    "cabozantinib",
    # bypass-directed drugs
    "capmatinib", "tepotinib", "savolitinib", "amivantamab", "trametinib", "dabrafenib",
    "binimetinib", "encorafenib", "sotorasib", "adagrasib", "osimertinib", "erlotinib",
    "gefitinib", "afatinib", "selpercatinib", "pralsetinib",
    # anti-angiogenics
    "bevacizumab", "anlotinib", "ramucirumab",
    # chemotherapy and immunotherapy
    "carboplatin", "cisplatin", "pemetrexed", "etoposide", "docetaxel", "paclitaxel",
    "nab-paclitaxel", "gemcitabine", "vinorelbine", "ifosfamide", "doxorubicin",
    "vincristine", "actinomycin-d", "cyclophosphamide", "irinotecan", "temozolomide",
    "pembrolizumab", "nivolumab", "atezolizumab", "durvalumab", "ipilimumab",
})
# brand and code names seen on requisition forms -> INN
DRUG_ALIASES = {
    "xalkori": "crizotinib", "zykadia": "ceritinib", "alecensa": "alectinib",
    "alunbrig": "brigatinib", "ensacove": "ensartinib", "lorbrena": "lorlatinib",
    "lorviqua": "lorlatinib", "vitrakvi": "larotrectinib", "rozlytrek": "entrectinib",
    "augtyro": "repotrectinib", "ibtrozi": "taletrectinib", "loxo-101": "larotrectinib",
    "loxo-195": "selitrectinib", "tpx-0005": "repotrectinib", "ab-106": "taletrectinib",
    "nvl-655": "neladalkib", "pf-06463922": "lorlatinib", "x-396": "ensartinib",
    "ap26113": "brigatinib", "ldk378": "ceritinib", "ch5424802": "alectinib",
    "tabrecta": "capmatinib", "tepmetko": "tepotinib", "avastin": "bevacizumab",
}


@dataclass(frozen=True)
class SampleSheet:
    """A validated sheet: samples in sheet order plus non-fatal warnings."""

    path: Path
    samples: tuple[Sample, ...]
    warnings: tuple[str, ...] = ()

    @property
    def sample_ids(self) -> tuple[str, ...]:
        return tuple(s.sample_id for s in self.samples)

    def get(self, sample_id: str) -> Sample:
        for sample in self.samples:
            if sample.sample_id == sample_id:
                return sample
        raise InputError(self.path, f"sample {sample_id!r} is not in the sample sheet "
                                    f"(has: {', '.join(self.sample_ids) or 'none'})")


def normalise_drug(name: str) -> str:
    """Lower-case INN for a drug name as written on a sheet (brand/code names mapped)."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    return DRUG_ALIASES.get(key, key)


def _schema():
    return schema_validator(SCHEMA_NAME)


def _columns() -> tuple[str, ...]:
    return tuple(_schema().schema["properties"])


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
    # spreadsheet exports quote some cells; the quotes are not part of the value
    return [c[1:-1].strip() if len(c) >= 2 and c[0] == c[-1] == '"' else c for c in cells]


def _coerce(column: str, value: str, path: Path, line: int):
    """Convert one non-empty cell to the type the schema expects (strings left for the schema)."""
    if column in NUMBER_COLUMNS:
        text = value.removesuffix("%") if column in PERCENT_COLUMNS else value
        try:
            number = float(text)
        except ValueError:
            raise InputError(path, f"column {column}: {value!r} is not a number",
                             line=line) from None
        if not math.isfinite(number):
            raise InputError(path, f"column {column}: {value!r} is not a number", line=line)
        return number / 100 if value.endswith("%") else number
    if column == "progression":  # case and '-' vs '_' are not worth an error
        return value.lower().replace("-", "_")
    if column in BOOL_COLUMNS:
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise InputError(path, f"column {column}: {value!r} is not true/false/yes/no", line=line)
    return value


def _schema_problem(err) -> str:
    column = err.absolute_path[0] if err.absolute_path else None
    if column in ("sample_id", "patient_id") and err.validator == "pattern":
        return (f"unsafe {column} {err.instance!r}: use 1-64 letters, digits, '.', '_' or '-', "
                f"starting with a letter or digit (no spaces or path separators)")
    if column == "collection_date" and err.validator == "pattern":
        return f"bad date {err.instance!r} in collection_date: use ISO YYYY-MM-DD"
    if err.validator == "anyOf" and not err.absolute_path:
        return "no input file: give at least one of vcf, fusions, cnv, bam"
    if err.validator == "required":
        return f"missing required value: {err.message}"
    if err.validator == "enum" and column:
        allowed = ", ".join(map(str, err.validator_value))
        return f"column {column}: {err.instance!r} is not one of {allowed}"
    return f"column {column}: {err.message}" if column else err.message


def _drugs(text: str | None, column: str, path: Path, line: int,
           warnings: list[str]) -> tuple[str, ...]:
    if not text:
        return ()
    out = []
    for raw in text.split(";"):
        if not raw.strip():
            continue
        drug = normalise_drug(raw)
        if drug not in KNOWN_DRUGS:
            warnings.append(f"{path}, line {line}: unknown drug name {raw.strip()!r} in "
                            f"{column} (kept as {drug!r}; check the spelling)")
        out.append(drug)
    return tuple(out)


def _date(row: dict, column: str, path: Path, line: int, sample_id: str) -> _dt.date | None:
    if column not in row:
        return None
    try:
        return _dt.date.fromisoformat(row[column])
    except ValueError as exc:
        raise InputError(path, f"bad date {row[column]!r} in {column}: {exc}", line=line,
                         record=sample_id) from None


def _resolve(sheet_dir: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else Path(os.path.normpath(sheet_dir / p))


def _check_baseline(path: Path, sample: Sample, samples: list[Sample], check_files: bool) -> Sample:
    """`baseline` names a same-patient sample of this sheet or an earlier report.json (resolved)."""
    value = sample.baseline
    if value is None:
        return sample
    line = sample.source.line if sample.source else None
    by_id = {s.sample_id: s for s in samples}
    if value in by_id:
        other = by_id[value]
        if other.sample_id == sample.sample_id:
            raise InputError(path, f"baseline {value!r} is the sample itself", line=line, record=sample.sample_id)
        if other.patient_id != sample.patient_id:
            raise InputError(path, f"baseline {value!r} belongs to patient {other.patient_id!r}, not "
                                   f"{sample.patient_id!r}", line=line, record=sample.sample_id)
        return sample
    if not value.lower().endswith(".json"):
        raise InputError(path, f"baseline {value!r} is neither a sample_id in this sheet nor the path of an "
                               "earlier report.json", line=line, record=sample.sample_id)
    resolved = _resolve(path.parent, value)
    if check_files and not resolved.is_file():
        raise InputError(path, f"baseline report not found: {resolved}", line=line, record=sample.sample_id)
    return replace(sample, baseline=str(resolved))


def _check_input(sheet: Path, line: int, sample_id: str, column: str, resolved: Path) -> None:
    """The sheet's line for a missing, unreadable, folder, FIFO or over-long input path."""
    from kinres.io.opener import check_file

    try:
        check_file(resolved, f"{column} file")
    except InputError as exc:
        problem = exc.problem.replace(f"{column} file not found", "file not found")
        raise InputError(sheet, f"column {column}: {problem}: {resolved}", line=line,
                         record=sample_id) from None


def read_samplesheet(path: str | Path, check_files: bool = True) -> SampleSheet:
    """Parse and validate a sample sheet; raise InputError(sheet, problem, line=...) on bad rows.

    check_files=False skips the input-existence check (e.g. to list sample IDs on a head node
    whose data lives elsewhere).
    """
    from kinres.io.opener import read_text

    path = Path(path)
    text = read_text(path, "sample sheet")  # BOM, CRLF, non-UTF-8 (with its line), odd files
    allowed = _columns()
    validator = _schema()
    header: list[str] | None = None
    header_line = 0
    seen: dict[str, int] = {}
    samples: list[Sample] = []
    warnings: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = _cells(line)
        if header is None:
            header, header_line = cells, lineno
            unknown = [c for c in header if c not in allowed]
            if unknown:
                raise InputError(path, f"unknown column(s) {', '.join(map(repr, unknown))}; "
                                       f"allowed: {', '.join(allowed)}", line=lineno)
            dup = sorted({c for c in header if header.count(c) > 1})
            if dup:
                raise InputError(path, f"duplicate column(s) {', '.join(dup)}", line=lineno)
            missing = [c for c in validator.schema["required"] if c not in header]
            if missing:
                raise InputError(path, f"missing required column(s) {', '.join(missing)}",
                                 line=lineno)
            continue
        if len(cells) != len(header):
            raise InputError(path, f"row has {len(cells)} tab-separated fields but the header "
                                   f"(line {header_line}) has {len(header)}", line=lineno)
        row = {}
        for column, value in zip(header, cells):
            # "none" is a progression value (no progression), not an empty cell
            if value.lower() not in _EMPTY or (column == "progression" and value.lower() == "none"):
                row[column] = _coerce(column, value, path, lineno)
        record = row.get("sample_id") if isinstance(row.get("sample_id"), str) else None
        errors = sorted(validator.iter_errors(row),
                        key=lambda e: (list(map(str, e.absolute_path)), e.validator != "pattern"))
        if errors:
            raise InputError(path, _schema_problem(errors[0]), line=lineno, record=record)
        sample_id = row["sample_id"]
        if sample_id.lower() in RESERVED_IDS:
            raise InputError(path, f"sample_id {sample_id!r} is reserved: results/{sample_id}/ "
                                   f"holds the workflow's own outputs (reserved: "
                                   f"{', '.join(sorted(RESERVED_IDS))})", line=lineno,
                             record=sample_id)
        if sample_id in seen:
            raise InputError(path, f"duplicate sample_id {sample_id!r} (first on line "
                                   f"{seen[sample_id]})", line=lineno, record=sample_id)
        seen[sample_id] = lineno
        for column, needs in _DEPENDS.items():
            if column in row and needs not in row:
                raise InputError(path, f"column {column} is set but {needs} is empty",
                                 line=lineno, record=sample_id)
        date = _date(row, "collection_date", path, lineno, sample_id)
        if date is not None:
            latest = _dt.date.today() + _dt.timedelta(days=1)  # a sheet written in another zone
            if not EARLIEST_COLLECTION <= date <= latest:
                raise InputError(path, f"collection_date {date.isoformat()} is implausible "
                                       f"(before {EARLIEST_COLLECTION.isoformat()} or in the "
                                       "future); check the year", line=lineno, record=sample_id)
        files = {}
        for column in FILE_COLUMNS:
            if column in row:
                resolved = _resolve(path.parent, row[column])
                if check_files:
                    _check_input(path, lineno, sample_id, column, resolved)
                files[column] = resolved
        try:
            orthogonal = parse_orthogonal(row["orthogonal"]) if "orthogonal" in row else ()
        except OrthogonalError as exc:
            raise InputError(path, f"column orthogonal: {exc}", line=lineno, record=sample_id) from None
        current = _drugs(row.get("current_therapy"), "current_therapy", path, lineno, warnings)
        if len(current) > 1:
            raise InputError(path, "current_therapy names more than one drug (';'); give the "
                                   "targeted drug the sample was collected on",
                             line=lineno, record=sample_id)
        samples.append(Sample(
            sample_id=sample_id,
            patient_id=row["patient_id"],
            specimen=Specimen(row["specimen"]),
            tumor_type=row["tumor_type"],
            genome_build=Build(row["genome_build"]),
            collection_date=date,
            prior_therapies=_drugs(row.get("prior_therapies"), "prior_therapies", path,
                                   lineno, warnings),
            current_therapy=current[0] if current else None,
            vcf=files.get("vcf"),
            vcf_sample=row.get("vcf_sample"),
            fusions=files.get("fusions"),
            fusion_format=FusionFormat(row["fusion_format"]) if "fusion_format" in row else None,
            cnv=files.get("cnv"),
            cnv_format=CnvFormat(row["cnv_format"]) if "cnv_format" in row else None,
            bam=files.get("bam"),
            tumor_fraction=row.get("tumor_fraction"),
            purity=row.get("purity"),
            ploidy=row.get("ploidy"),
            cns_involvement=row.get("cns_involvement"),
            age_years=row.get("age_years"),
            progression=Progression(row["progression"]) if "progression" in row else None,
            histology=row.get("histology"),
            orthogonal=orthogonal,
            accession=row.get("accession"),
            ordering_clinician=row.get("ordering_clinician"),
            report_status=row.get("report_status"),
            reviewed_by=row.get("reviewed_by"),
            review_date=_date(row, "review_date", path, lineno, sample_id),
            source=SourceRef(str(path), lineno),
            baseline=row.get("baseline"),
            germline_status=GermlineStatus(row["germline_status"]) if "germline_status" in row else None,
        ))
    if header is None:
        raise InputError(path, "sample sheet is empty (no header line)")
    if not samples:
        raise InputError(path, "sample sheet has a header but no samples", line=header_line)
    samples = [_check_baseline(path, s, samples, check_files) for s in samples]
    return SampleSheet(path=path, samples=tuple(samples), warnings=tuple(warnings))


def load_samplesheet(path: str | Path, check_files: bool = True) -> list[Sample]:
    """Samples of a validated sheet, in sheet order (warnings are logged)."""
    sheet = read_samplesheet(path, check_files=check_files)
    for warning in sheet.warnings:
        log.warning(warning)
    return list(sheet.samples)


def get_sample(path: str | Path, sample_id: str, check_files: bool = True) -> Sample:
    """The one sample `sample_id` from the sheet at `path` (InputError if absent)."""
    return read_samplesheet(path, check_files=check_files).get(sample_id)
