"""Small-variant VCF/BCF ingestion (cyvcf2): tumour column, per-allele AF/depth, FILTER, panel regions.

Header/tumour-column choice lives in vcf_header, caller-specific AF/depth extraction in
vcf_metrics, panel-region restriction and indexed/pre-scanned reading in vcf_regions; this module
ties them together. A record whose AF cannot be obtained is kept with vaf=None and counted in a
warning: a missing AF must never become 0.
"""

from __future__ import annotations

import warnings as warnings_mod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinres.enums import Build
from kinres.errors import InputError
from kinres.io import opener
from kinres.io.vcf_header import (
    _contigs,
    _header_defs,
    _plain,
    choose_sample,
    detect_build,
    detect_caller,
)
from kinres.io.vcf_metrics import _AfPlan, checked_metrics
from kinres.io.vcf_regions import (  # noqa: F401 - _readable_lines/prescan_text re-exported
    _QUERY_GAP,
    _has_index,
    _index_problem,
    _indexed_record_count,
    _IntervalIndex,
    _readable_lines,
    _regions_for,
    _windows,
    iter_regions,
    prescan_text,
)
from kinres.models import SourceRef, Variant

ANNOTATION_TAGS = ("CSQ", "ANN", "BCSQ")  # preference order when a file carries several


@dataclass(frozen=True)
class VariantSettings:
    """Config section `variants` (workflow/schemas/config/variants.schema.json)."""

    tumor_sample: str | None = None
    filters: tuple[str, ...] = ("PASS",)
    # FILTER "." means "no filter applied" (VEP/VAtools VCFs, unfiltered callers), not "failed":
    # it is accepted wherever PASS is, unless the lab switches this off.
    unfiltered_as_pass: bool = True
    require_af: bool = False
    af_tag: str | None = None
    depth_tag: str | None = None
    restrict_to_panel: bool = True
    region_padding: int = 20

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> VariantSettings:
        m = dict(mapping or {})
        filters = m.get("filters", ["PASS"])
        return cls(tumor_sample=m.get("tumor_sample"), filters=tuple(str(f) for f in filters),
                   unfiltered_as_pass=bool(m.get("unfiltered_as_pass", True)),
                   require_af=bool(m.get("require_af", False)), af_tag=m.get("af_tag"),
                   depth_tag=m.get("depth_tag"),
                   restrict_to_panel=bool(m.get("restrict_to_panel", True)),
                   region_padding=int(m.get("region_padding", 20)))


@dataclass(frozen=True)
class VcfReadResult:
    """What read_vcf found. `raw_annotations[i]` is (tag, value) of variants[i]'s record."""

    path: str
    variants: tuple[Variant, ...]
    warnings: tuple[str, ...]
    caller: str | None
    sample: str | None
    contig_style: str  # "chr" | "plain"
    annotation_tags: tuple[str, ...]  # CSQ/ANN/BCSQ present in the header
    csq_fields: tuple[str, ...] = ()
    raw_annotations: tuple[tuple[str, str] | None, ...] = ()
    record_alts: tuple[tuple[str, ...], ...] = ()
    alt_index: tuple[int, ...] = ()
    records_read: int = 0
    used_index: bool = False


@dataclass
class _Counts:
    filtered: dict[str, int] = field(default_factory=dict)
    unfiltered: int = 0  # accepted records whose FILTER is "."
    no_af: list[str] = field(default_factory=list)
    symbolic: int = 0
    no_call: int = 0
    value_notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading
def _open(path: Path):
    import cyvcf2

    sniffed = opener.sniff(path, "VCF file")  # missing, folder, FIFO, unreadable, bad gzip
    head = sniffed.head
    if not head:
        raise InputError(path, "VCF file is empty (no header, no records)")
    if not (head.startswith((b"##fileformat=VCF", b"BCF"))):
        raise InputError(path, "malformed header: first line is not '##fileformat=VCF...'",
                         line=1)
    if not sniffed.bcf:
        # header text must be UTF-8 (sample names, descriptions): name the line, not a codec error
        try:
            for _, text in opener.iter_lines(path, "VCF file"):
                if not text.startswith("#") or text.startswith("#CHROM"):
                    break
        except InputError as exc:
            if "UTF-8" in exc.problem:
                raise
            # damaged compression: the record pass names the last good line precisely
    try:
        return cyvcf2.VCF(str(path), lazy=True)
    except Exception as exc:  # noqa: BLE001 - cyvcf2 raises bare Exception on bad headers
        written = _file_header(path)
        if written is not None and not written[0].splitlines()[-1].startswith("#CHROM"):
            # htslib only says "cannot parse": name the missing line and where it was expected
            raise InputError(path, "malformed header: no '#CHROM POS ID REF ALT ...' line before "
                                   "the first record", line=written[1] + 1) from None
        raise InputError(path, f"cannot parse VCF header ({exc})") from None


def _file_header(path: Path) -> tuple[str, int] | None:
    """The header exactly as written (htslib adds ##contig lines from the index to its copy)
    and its line count, for record line numbers. None for BCF (binary: record numbers only)."""
    import gzip

    with open(path, "rb") as raw:
        opener = gzip.open if raw.read(2) == b"\x1f\x8b" else open
    lines = []
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            for text in fh:
                if not text.startswith("#"):
                    break
                lines.append(text)
                if text.startswith("#CHROM"):
                    break
    except (OSError, EOFError, UnicodeDecodeError):
        return None
    if lines and lines[0].startswith("##fileformat=VCF"):
        return "".join(lines), len(lines)
    return None


def read_vcf(path: str | Path, build: Build | str, sample: str | None = None,
             settings: VariantSettings = VariantSettings(), panel=None) -> VcfReadResult:
    """Read the tumour column of a VCF/BCF into one Variant per ALT allele.

    With `panel` (and settings.restrict_to_panel) only records in panel regions are read: by
    index queries when a .tbi/.csi exists, else by a streaming pass that checks the position
    before touching INFO/FORMAT. Raises InputError naming file, line/record and problem.
    """
    path = Path(path)
    build = Build(str(build))
    if opener.sniff(path, "VCF file").head.startswith(opener.BOM):
        return _read_without_bom(path, build, sample, settings, panel)
    vcf = _open(path)
    try:
        return _read(vcf, path, build, sample, settings, panel)
    except UnicodeDecodeError as exc:  # cyvcf2 decodes sample names / strings itself
        raise InputError(path, f"not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    finally:
        vcf.close()


def _read_without_bom(path: Path, build: Build, sample, settings, panel) -> VcfReadResult:
    """A UTF-8 byte-order mark (Windows editors) hides '##fileformat' from htslib: read a copy
    without it and report everything against the original path (line numbers are unchanged)."""
    import dataclasses
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kinres-vcf-") as tmp:
        clean = Path(tmp) / "input.vcf"
        with open(clean, "wb") as fh:
            blocks = opener.iter_blocks(path, "VCF file")
            fh.writelines(block.removeprefix(opener.BOM) if i == 0 else block
                          for i, block in enumerate(blocks))
        try:
            res = read_vcf(clean, build, sample, settings, panel)
        except InputError as exc:
            raise InputError(path, exc.problem.replace(str(clean), str(path)), line=exc.line,
                             record=exc.record) from None
    fix = str(clean)
    variants = tuple(dataclasses.replace(v, source=SourceRef(str(path), v.source.line))
                     if v.source is not None else v for v in res.variants)
    return dataclasses.replace(res, path=str(path), variants=variants,
                               warnings=tuple(w.replace(fix, str(path)) for w in res.warnings))


def _read(vcf, path: Path, build: Build, sample: str | None, settings: VariantSettings,
          panel) -> VcfReadResult:
    written = _file_header(path)
    raw_header = written[0] if written else vcf.raw_header
    n_header_lines = written[1] if written else 0  # BCF: line numbers are record numbers
    if not raw_header.rstrip("\n").splitlines()[-1].startswith("#CHROM"):
        raise InputError(path, "malformed header: no #CHROM line", line=n_header_lines)
    caller = detect_caller(raw_header)
    file_build = detect_build(raw_header)
    if file_build is not None and file_build is not build:
        raise InputError(path, f"genome build mismatch: the VCF header describes {file_build} "
                               f"(##contig lengths / ##reference) but the sample is {build}")
    samples = list(vcf.samples)
    chosen, si = choose_sample(path, samples, raw_header, sample or settings.tumor_sample, caller)
    info_defs, fmt_defs = _header_defs(raw_header, "INFO"), _header_defs(raw_header, "FORMAT")
    tags = tuple(t for t in ANNOTATION_TAGS if t in info_defs)
    csq_fields: tuple[str, ...] = ()
    if "CSQ" in tags:
        from kinres.annotate.preannotated import csq_fields_from_description
        try:
            csq_fields = csq_fields_from_description(info_defs["CSQ"].get("Description", ""))
        except ValueError as exc:
            raise InputError(path, f"malformed header: {exc}") from None
    for tag, defs, where in ((settings.af_tag, None, "AF"), (settings.depth_tag, None, "depth")):
        if tag and tag not in info_defs and tag not in fmt_defs:
            raise InputError(path, f"variants.{where}_tag {tag!r} is not declared in the header "
                                   "(no ##INFO or ##FORMAT line with that ID)")
    plan = _AfPlan(fmt=frozenset(fmt_defs), info=frozenset(info_defs), caller=caller,
                   af_tag=settings.af_tag, depth_tag=settings.depth_tag)

    # without ##contig lines only an index names the contigs (asking cyvcf2 for seqnames
    # without one makes htslib print "Could not retrieve index file")
    header_contigs = list(_contigs(raw_header)) or (
        list(getattr(vcf, "seqnames", []) or []) if _has_index(path) else [])
    style = "chr" if any(c.lower().startswith("chr") for c in header_contigs) else "plain"

    regions = None
    if panel is not None and settings.restrict_to_panel:
        regions = _regions_for(panel, settings.region_padding)
        if header_contigs:
            plain_names = {_plain(c) for c in header_contigs}
            if not any(c in plain_names for c, _, _ in regions):
                raise InputError(path, "contig names do not match the panel chromosomes "
                                       f"(header has e.g. {', '.join(header_contigs[:3])}; "
                                       f"expected {build} names like 2/chr2)")

    counts = _Counts()
    variants: list[Variant] = []
    raws: list[tuple[str, str] | None] = []
    rec_alts: list[tuple[str, ...]] = []
    alt_idx: list[int] = []
    accept = set(settings.filters)
    if settings.unfiltered_as_pass and "PASS" in accept:
        accept.add(".")
    records = 0
    used_index = False
    outside: int | None = None  # records outside the panel regions (None: not known)

    def handle(rec, line: int | None) -> None:
        filt = rec.FILTERS or ["."]  # cyvcf2 gives [] for a '.' FILTER
        if not set(filt) <= accept:
            for f in filt:
                counts.filtered[f] = counts.filtered.get(f, 0) + 1
            return
        if filt == ["."]:
            counts.unfiltered += 1
        alts = tuple(rec.ALT)
        chrom = _plain(rec.CHROM)
        raw = None
        for tag in tags:
            val = rec.INFO.get(tag)
            if val is not None:
                raw = (tag, val if isinstance(val, str) else ",".join(map(str, val)))
                break
        for ai, alt in enumerate(alts):
            if alt.startswith("<") or alt in ("*", ".") or "[" in alt or "]" in alt:
                counts.symbolic += 1
                continue
            where = f"{rec.CHROM}:{rec.POS} {rec.REF}>{alt}"
            if alt.upper() == rec.REF.upper():
                raise InputError(path, f"ALT allele {alt} equals REF (not a variant)",
                                 line=line, record=where)
            vaf, depth, alt_reads = checked_metrics(rec, si, ai, plan, path, line, where,
                                                    counts.value_notes)
            if vaf is None:
                if settings.require_af:
                    raise InputError(path, "no allele fraction obtainable for this record "
                                           "(variants.require_af is true)", line=line, record=where)
                counts.no_af.append(where if line is None else f"{where} (line {line})")
            variants.append(Variant(
                chrom=chrom, pos=rec.POS, ref=rec.REF, alt=alt, vaf=vaf, depth=depth,
                alt_reads=alt_reads, filters=tuple(filt), caller=caller,
                source=SourceRef(str(path), line)))
            raws.append(raw)
            rec_alts.append(alts)
            alt_idx.append(ai)

    index_warning = None
    if regions is not None and _has_index(path):
        index_warning = _index_problem(path, vcf, written is not None)
    try:
        if regions is not None and _has_index(path) and index_warning is None:
            used_index = True
            index_contigs = set(vcf.seqnames)
            seen: set[tuple[str, int, str, str]] = set()
            index = _IntervalIndex(regions)
            for c, s, e in _windows(regions, _QUERY_GAP):
                name = ("chr" + c if style == "chr" and c != "MT" else
                        "chrM" if style == "chr" else c)
                if name not in index_contigs:
                    continue  # no records on that chromosome
                with warnings_mod.catch_warnings():
                    # cyvcf2 warns "no intervals found" for panel genes without records
                    warnings_mod.simplefilter("ignore", UserWarning)
                    recs = list(vcf(f"{name}:{s}-{e}"))
                in_window: set[tuple[str, int, str, str]] = set()
                for rec in recs:
                    if not index.contains(_plain(rec.CHROM), rec.POS, rec.end):
                        continue  # between two panel intervals of one query window
                    key = (rec.CHROM, rec.POS, rec.REF, ",".join(rec.ALT))
                    if key in seen and key not in in_window:
                        continue  # a record spanning two query windows, already read
                    # a repeat inside one window is a duplicated record: kept, so that the
                    # duplicate merge names it in a warning instead of it vanishing silently
                    seen.add(key)
                    in_window.add(key)
                    records += 1
                    handle(rec, None)
            total = _indexed_record_count(path)
            outside = total - records if total is not None and total >= records else None
        elif regions is not None and written is not None:
            # unindexed text VCF: positions are checked on raw text (numpy, per block) and only
            # panel lines are handed to htslib, so INFO/FORMAT of other records are never parsed
            hits, records = prescan_text(path, regions, n_header_lines)
            outside = records - len(hits)
            if hits:
                import tempfile

                import cyvcf2

                with tempfile.TemporaryDirectory(prefix="kinres-vcf-") as tmp:
                    sub = Path(tmp) / "panel.vcf"
                    with open(sub, "wb") as fh:
                        fh.write(raw_header.encode())
                        fh.writelines(text for _, text in hits)
                    subvcf = cyvcf2.VCF(str(sub), lazy=True)
                    done = 0
                    try:
                        for (line_no, _), rec in zip(hits, subvcf):
                            handle(rec, line_no)
                            done += 1
                    except InputError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - cyvcf2's bare Exception
                        raise InputError(path, f"cannot parse this record: {exc}",
                                         line=hits[done][0]) from None
                    finally:
                        subvcf.close()
        else:
            index = _IntervalIndex(regions) if regions is not None else None
            line = n_header_lines
            outside = 0 if index is not None else None
            for rec in vcf:
                line += 1
                records += 1
                if index is not None and not index.contains(_plain(rec.CHROM), rec.POS, rec.end):
                    outside += 1
                    continue
                handle(rec, line)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - cyvcf2 raises bare Exception on bad records
        where = f"after record {records}" if records else "at the first record"
        raise InputError(path, f"cannot read the VCF ({where}): {exc}",
                         line=None if used_index else n_header_lines + records + 1) from None

    warnings: list[str] = []
    if index_warning:
        warnings.append(f"{path}: {index_warning}; the whole file was read instead (re-index "
                        "with 'tabix -f -p vcf' or 'bcftools index -f')")
    if records == 0:
        warnings.append(f"{path}: no variant records" +
                        (" in the panel regions" if regions is not None else ""))
    if outside:
        # not an error (a whole-exome VCF is mostly off-panel), but never silent
        warnings.append(f"{path}: {outside} record(s) outside the panel target regions (panel "
                        f"exons +/- {settings.region_padding} bp) not read "
                        "(variants.restrict_to_panel)")
    if counts.filtered:
        reasons = ", ".join(f"{k} x{v}" for k, v in sorted(counts.filtered.items()))
        total = sum(counts.filtered.values())
        warnings.append(f"{path}: {total} record(s) failed FILTER (reasons: {reasons}); "
                        f"accepted: {', '.join(sorted(accept))}")
    if counts.unfiltered and "." not in settings.filters:
        warnings.append(f"{path}: {counts.unfiltered} record(s) with FILTER '.' (no filter "
                        "applied by the caller) read as PASS (variants.unfiltered_as_pass)")
    if counts.no_af:
        shown = "; ".join(counts.no_af[:10]) + (" ..." if len(counts.no_af) > 10 else "")
        warnings.append(f"{path}: {len(counts.no_af)} variant(s) without an obtainable allele "
                        f"fraction (kept with vaf unknown): {shown}")
    if counts.value_notes:
        warnings.append(f"{path}: {len(counts.value_notes)} out-of-range value(s) replaced: "
                        + "; ".join(counts.value_notes[:10])
                        + (" ..." if len(counts.value_notes) > 10 else ""))
    if counts.symbolic:
        warnings.append(f"{path}: {counts.symbolic} symbolic/breakend ALT allele(s) skipped "
                        "(structural variants are read by the fusion/CNV stages)")
    return VcfReadResult(
        path=str(path), variants=tuple(variants), warnings=tuple(warnings), caller=caller,
        sample=chosen, contig_style=style, annotation_tags=tags, csq_fields=csq_fields,
        raw_annotations=tuple(raws), record_alts=tuple(rec_alts), alt_index=tuple(alt_idx),
        records_read=records, used_index=used_index)
