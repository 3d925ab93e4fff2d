"""Annotated VCF: the input VCF's records with kinres INFO fields on those matching a report
alteration (by chrom/pos/ref/alt after trimming shared bases, per ALT allele).

Report alterations carry `chrom`, `pos`, `ref`, `alt` (contract extension on small variants).
Alterations with coordinates that match no input record, and small variants without
coordinates, are returned (and logged by the command) - never dropped silently.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from kinres.annotate.normalize import trim
from kinres.atomic import atomic_path
from kinres.enums import AltKind
from kinres.errors import InputError
from kinres.models import Alteration
from kinres.report.json import Report
from kinres.report.settings import VCF_RECORD_CHOICES

log = logging.getLogger(__name__)

SMALL_KINDS = {AltKind.SNV, AltKind.MNV, AltKind.INSERTION, AltKind.DELETION, AltKind.DELINS,
               AltKind.SPLICE, AltKind.LOSS_OF_FUNCTION}
INFO_FIELDS = (
    ("KINRES_GENE", "kinres reporting gene (HGNC symbol)"),
    ("KINRES_HGVSP", "kinres HGVS p. on the reporting transcript (1-letter short form)"),
    ("KINRES_ROLE", "kinres role: driver, on_target_resistance, bypass, transformation_marker, passenger, uncertain"),
    ("KINRES_CLASS", "kinres kinase-domain structural class (solvent_front, gatekeeper, xdfg, ...)"),
    ("KINRES_ALT_ID", "kinres report alteration id (report.json alterations[].id)"),
)
# VCF 4.3 §1.2: these characters must be percent-encoded inside INFO values.
_ENCODE = {"%": "%25", ":": "%3A", ";": "%3B", "=": "%3D", ",": "%2C", " ": "%20",
           "\t": "%09", "\n": "%0A", "\r": "%0D"}
_ENCODE_RE = re.compile("[%:;=, \t\n\r]")


def encode_info(value: str | None) -> str | None:
    """Percent-encode a value for a VCF INFO String field ('.' stays missing)."""
    if value is None or value == "":
        return None
    return _ENCODE_RE.sub(lambda m: _ENCODE[m.group(0)], value)


def _plain_chrom(chrom: str) -> str:
    try:
        from kinres.annotate.transcripts import normalise_chrom
    except ImportError:  # panel module not present yet: the same rule, minimal
        c = chrom[3:] if chrom.lower().startswith("chr") else chrom
        return "MT" if c.upper() == "M" else c
    return normalise_chrom(chrom)


def _key(chrom: str, pos: int, ref: str, alt: str) -> tuple[str, int, str, str]:
    e = trim(_plain_chrom(chrom), pos, ref, alt)
    return (e.chrom, e.start, e.deleted, e.inserted)


@dataclass(frozen=True)
class VcfAnnotationResult:
    records_in: int
    records_out: int
    annotated_records: int
    matched_alterations: tuple[str, ...]
    unmatched_alterations: tuple[str, ...]  # had coordinates, no input record matched
    without_coordinates: tuple[str, ...]  # small variants the producer gave no coordinates

    @property
    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.unmatched_alterations:
            out.append(f"{len(self.unmatched_alterations)} alteration(s) with coordinates not found "
                       f"in the input VCF: {', '.join(self.unmatched_alterations)}")
        if self.without_coordinates:
            out.append(f"{len(self.without_coordinates)} small-variant alteration(s) without "
                       f"coordinates, not annotated: {', '.join(self.without_coordinates)}")
        return tuple(out)


def _index(report: Report) -> tuple[dict[tuple, Alteration], list[str]]:
    by_key: dict[tuple, Alteration] = {}
    missing = []
    for a in report.alterations:
        if None in (a.chrom, a.pos, a.ref, a.alt):
            if a.kind in SMALL_KINDS and a.fusion is None:
                missing.append(a.id)
            continue
        by_key[_key(a.chrom, a.pos, a.ref, a.alt)] = a
    return by_key, missing


def annotate_vcf(vcf_in: str | Path, report: Report, out_path: str | Path,
                 records: str = "all") -> VcfAnnotationResult:
    """Write `out_path` (bgzipped if it ends in .gz) with KINRES_* INFO on matched alleles."""
    import pysam

    if records not in VCF_RECORD_CHOICES:
        raise ValueError(f"records must be one of {VCF_RECORD_CHOICES}")
    vcf_in = Path(vcf_in)
    if not vcf_in.is_file():
        raise InputError(vcf_in, "VCF file not found")
    by_key, missing = _index(report)
    matched: set[str] = set()
    n_in = n_out = n_ann = 0
    try:
        src = pysam.VariantFile(str(vcf_in))
    except (OSError, ValueError) as exc:
        raise InputError(vcf_in, f"cannot open VCF: {exc}") from None
    with src:
        header = src.header.copy()
        for tag, desc in INFO_FIELDS:
            if tag in header.info:
                raise InputError(vcf_in, f"input VCF already defines INFO/{tag}; "
                                         "refusing to overwrite kinres annotations")
            header.info.add(tag, "A", "String", desc)
        safe = re.sub(r"[^\w .:+/-]", "_", report.provenance.knowledge_version)
        header.add_line(f"##kinres_knowledge_version={safe}")
        mode = "wz" if str(out_path).endswith(".gz") else "w"
        with atomic_path(out_path) as tmp, pysam.VariantFile(str(tmp), mode, header=header) as dst:
            while True:
                try:
                    rec = next(src)
                except StopIteration:
                    break
                except (OSError, ValueError) as exc:
                    raise InputError(vcf_in, f"unreadable record after record {n_in}: {exc}",
                                     record=f"record {n_in + 1}") from None
                n_in += 1
                hits = [by_key.get(_key(rec.chrom, rec.pos, rec.ref, a)) if a else None
                        for a in (rec.alts or ())]
                if not any(hits) and records == "annotated":
                    continue
                rec.translate(dst.header)
                if any(hits):
                    n_ann += 1
                    for tag, getter in (
                            ("KINRES_GENE", lambda a: a.gene),
                            ("KINRES_HGVSP", lambda a: a.hgvs_p),
                            ("KINRES_ROLE", lambda a: a.role.value),
                            ("KINRES_CLASS", lambda a: a.structural_class and a.structural_class.value),
                            ("KINRES_ALT_ID", lambda a: a.id)):
                        rec.info[tag] = tuple(
                            (encode_info(getter(a)) or ".") if a else "." for a in hits)
                    matched.update(a.id for a in hits if a)
                dst.write(rec)
                n_out += 1
    unmatched = tuple(a.id for a in by_key.values() if a.id not in matched)
    return VcfAnnotationResult(records_in=n_in, records_out=n_out, annotated_records=n_ann,
                               matched_alterations=tuple(sorted(matched)),
                               unmatched_alterations=unmatched,
                               without_coordinates=tuple(missing))
