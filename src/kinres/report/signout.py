"""Sign-out content of a report: laboratory, assay, status/reviewer, and methods and limitations
generated from what was actually run for the sample (inputs present, callers, BAM or not)."""

from __future__ import annotations

import base64
import csv
import datetime as _dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kinres.enums import Specimen
from kinres.errors import ConfigError
from kinres.paths import PANEL_DIR
from kinres.report.json import Report
from kinres.report.settings import Settings

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}
LOGO_MAX_BYTES = 512 * 1024
ROLE_GROUPS = (("kinase", "Target kinases (mutations, fusions, amplification)"),
               ("bypass", "Bypass / off-target genes"),
               ("tumour_suppressor", "Tumour suppressors (transformation and loss of function)"),
               ("chip", "CH-associated genes (flagged as possible CH in plasma/CSF)"),
               ("partner", "Fusion partners recognised"))
STATUS_TITLES = {"draft": "DRAFT — not signed out", "final": "FINAL", "amended": "AMENDED"}


@dataclass(frozen=True)
class Lab:
    name: str
    configured: bool
    address: str
    accreditation: tuple[str, ...]
    contact: str
    logo_uri: str | None


@dataclass(frozen=True)
class Assay:
    name: str
    configured: bool
    version: str
    lod: str
    genes: tuple[tuple[str, tuple[str, ...]], ...]  # (group title, "GENE (NM_...)" entries)


@dataclass(frozen=True)
class SignOutView:
    status: str  # draft | final | amended
    status_title: str
    reviewed_by: str
    review_date: str


def logo_data_uri(path: str) -> str | None:
    """The configured logo as a data: URI (the report stays one self-contained file)."""
    if not path:
        return None
    p = Path(path)
    mime = LOGO_TYPES.get(p.suffix.lower())
    if mime is None:
        raise ConfigError(None, f"report.lab_logo {path!r}: use a .png, .jpg or .svg file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConfigError(None, f"report.lab_logo {path!r}: cannot read ({exc.strerror})") from None
    if len(data) > LOGO_MAX_BYTES:
        raise ConfigError(None, f"report.lab_logo {path!r}: {len(data)} bytes; at most "
                                f"{LOGO_MAX_BYTES} allowed in a self-contained report")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def lab(settings: Settings) -> Lab:
    name = settings.lab_name.strip()
    return Lab(name=name or "Laboratory not configured (set report.lab_name)",
               configured=bool(name), address=settings.lab_address.strip(),
               accreditation=tuple(a for a in settings.lab_accreditation if a.strip()),
               contact=settings.lab_contact.strip(), logo_uri=logo_data_uri(settings.lab_logo))


@cache
def panel_genes(build: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Genes interpreted by kinres, grouped by panel role, from resources/panel/<build>.transcripts.tsv."""
    groups: dict[str, list[str]] = {}
    with open(PANEL_DIR / f"{build}.transcripts.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            entry = row["gene"] + (f" ({row['refseq']})" if row["role"] == "kinase" and row["refseq"]
                                   else "")
            groups.setdefault(row["role"], []).append(entry)
    return tuple((title, tuple(groups[role])) for role, title in ROLE_GROUPS if groups.get(role))


def assay(settings: Settings, report: Report) -> Assay:
    name = settings.assay_name.strip()
    return Assay(name=name or "Assay not configured (set report.assay_name)", configured=bool(name),
                 version=settings.assay_version.strip(), lod=settings.assay_lod.strip(),
                 genes=panel_genes(report.sample.genome_build.value))


def signout(settings: Settings, report: Report) -> SignOutView:
    """Sheet values (report.json `signout`) override the config defaults."""
    so = report.signout
    status = (so.status if so and so.status else None) or settings.status
    reviewer = (so.reviewed_by if so and so.reviewed_by else None) or settings.reviewed_by
    date = (so.review_date.isoformat() if so and so.review_date else None) or settings.review_date
    return SignOutView(status=status, status_title=STATUS_TITLES[status],
                       reviewed_by=reviewer or "", review_date=date or "")


def _stage_parameters(report: Report) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for stage in ("variants", "fusions", "cnv", "coverage"):
        raw = report.data.get("provenance", {}).get("parameters", {}).get(stage)
        if isinstance(raw, dict):
            out[stage] = {k.split(".", 1)[-1]: str(v) for k, v in raw.items()}
    return out


def purity_label(report: Report) -> str:
    """Tissue purity is not a tumour fraction: label the number by what it is."""
    return "Tumour purity" if report.sample.specimen is Specimen.TISSUE else "Tumour fraction"


def has_bam(report: Report) -> bool:
    return "coverage" in _stage_parameters(report)


def methods(report: Report) -> list[str]:
    """Methods sentences for exactly the inputs this sample had."""
    stages = _stage_parameters(report)
    out = []
    v = stages.get("variants")
    if v is not None:
        source = v.get("source") or v.get("annotation") or "VCF"
        caller = v.get("caller")
        source_text = {"ANN": "snpEff-annotated VCF", "CSQ": "VEP-annotated VCF",
                       "MAF": "MAF (vcf2maf)"}.get(source, f"{source} input")
        out.append(f"Small variants: {source_text}" + (f" from {caller}" if caller and caller != "None" else "")
                   + f"; FILTER values accepted: {v.get('filters', 'PASS')}; protein changes re-expressed "
                   "on the reporting transcripts listed below.")
    else:
        out.append("Small variants: no variant file was supplied, so kinase-domain and bypass "
                   "mutations were not assessed.")
    f = stages.get("fusions")
    if f is not None:
        out.append(f"Fusions: {f.get('format', 'fusion caller')} calls; a fusion is a target only when "
                   "the kinase is the 3′ partner, in frame and keeps the whole kinase domain.")
    else:
        out.append("Fusions: no fusion calls were supplied; rearrangements were not assessed.")
    c = stages.get("cnv")
    if c is not None:
        purity = c.get("purity_used")
        out.append(f"Copy number: {c.get('layout', 'segment')} input; amplification at adjusted copy "
                   f"number ≥ {c.get('amplification_cn', '6')} (focal)"
                   + (f", corrected for tumour content {purity}" if purity and purity != "None" else "")
                   + ".")
    else:
        out.append("Copy number: no copy-number calls were supplied; amplifications and deletions "
                   "were not assessed.")
    if has_bam(report):
        cov = stages["coverage"]
        out.append("Reads: hotspot depth, limit of detection (≥ "
                   f"{cov.get('min_alt_reads', '3')} alt reads at {cov.get('lod_confidence', '0.95')} "
                   "probability) and cis/trans phase were read from the BAM.")
    else:
        out.append("Reads: no BAM was supplied, so hotspot depth, limits of detection and the phase "
                   "of co-occurring mutations could not be assessed.")
    out.append(f"Interpretation: knowledge table version {report.provenance.knowledge_version}; "
               "drug calls come only from knowledge-table rows and state their evidence type.")
    return out


def limitations(report: Report) -> list[str]:
    """Limitations that apply to this sample's inputs and specimen."""
    stages = _stage_parameters(report)
    out = []
    if report.sample.specimen.is_liquid:
        out.append("Liquid biopsy: sensitivity for fusions and copy-number changes is lower than in "
                   "tissue and falls with tumour fraction; a negative result does not exclude a "
                   "mechanism below the assay's limit of detection.")
    if not has_bam(report):
        out.append("Without reads, absence of a resistance hotspot cannot be confirmed, and two "
                   "mutations in one gene are not phased (cis vs trans).")
    missing = [name for name, stage in (("small variants", "variants"), ("fusions", "fusions"),
                                        ("copy number", "cnv")) if stage not in stages]
    if missing:
        out.append("Not assessed for lack of input: " + ", ".join(missing) + ".")
    out.append("Evidence for many drug calls is preclinical or from case series.")
    return out


def report_date(value: _dt.date | None) -> str:
    return (value or _dt.date.today()).isoformat()
