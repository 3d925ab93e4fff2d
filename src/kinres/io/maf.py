"""vcf2maf / oncokb-annotator style MAF ingestion.

MAF alleles are kept as written (Variant.allele_convention = "maf"): a deletion is
Start_Position + deleted bases with Tumor_Seq_Allele2 '-', an insertion is the base before the
insertion with Reference_Allele '-'. Converting those to anchored VCF alleles needs the
reference FASTA, which this stage does not require, so it is not attempted. SNVs and MNVs have
the same coordinates in both conventions.

The protein change comes from HGVSp_Short (annotator "MAF"). When Transcript_ID names another
isoform than the panel's reporting transcript, its numbering is used only if the panel says the
proteins are identical, else the change is re-expressed from its genomic position
(kinres.annotate.isoform); without a Transcript_ID column the MAF's numbering is taken as the
reporting transcript's (vcf2maf and oncokb-annotator use canonical isoforms) and that is noted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from kinres.annotate.isoform import reexpress
from kinres.annotate.preannotated import (
    MAF,
    consequence_from_short_p,
    map_terms,
    parse_short_p,
    plausible_short_p,
    short_hgvs_p,
    strip_version,
)
from kinres.enums import Build
from kinres.errors import InputError
from kinres.io import opener
from kinres.models import ProteinAnnotation, SourceRef, Variant

REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
            "Tumor_Seq_Allele2", "HGVSp_Short")


@dataclass(frozen=True)
class MafReadResult:
    path: str
    variants: tuple[Variant, ...]
    warnings: tuple[str, ...]
    sample: str | None
    rows_read: int


def _blank(v: str | None) -> bool:
    return v is None or v.strip() in ("", ".", "NA", "N/A")


_MAX_COUNT = 10**9  # reads at one position beyond any sequencer: a corrupt cell
_MAX_POSITION = 300_000_000  # longer than any human chromosome


def _int(v: str | None, path: Path, line: int, column: str, *, minimum: int = 0,
         maximum: int = _MAX_COUNT) -> int | None:
    """Whole number cell in [minimum, maximum] (InputError naming line and column)."""
    if _blank(v):
        return None
    try:
        number = float(v)  # some exporters write 25398285.0
    except ValueError:
        raise InputError(path, f"{column} is not a number: {v!r}", line=line) from None
    if not math.isfinite(number) or not number.is_integer():
        raise InputError(path, f"{column} is not a whole number: {v!r}", line=line)
    if not minimum <= number <= maximum:
        raise InputError(path, f"{column} {v.strip()} is out of range ({minimum}..{maximum:,})",
                         line=line)
    return int(number)


def _hgvsp(raw: str | None, path: Path, line: int) -> str | None:
    """HGVSp_Short in one-letter form; a non-blank cell that is not p. notation is an error
    (a garbled cell must not silently become "no protein change")."""
    if _blank(raw) or raw.strip() == "-":
        return None
    short = short_hgvs_p(raw)
    if not short or not plausible_short_p(short):
        raise InputError(path, f"HGVSp_Short {raw.strip()[:60]!r} is not HGVS protein notation "
                               "(e.g. p.G1202R)", line=line)
    return short


def read_maf(path: str | Path, build: Build | str, panel, sample: str | None = None
             ) -> MafReadResult:
    """Read panel-gene rows of a MAF into Variants with ProteinAnnotation from HGVSp_Short."""
    path = Path(path)
    build = Build(str(build))
    lines = opener.read_lines(path, "MAF file")
    header_at = next((i for i, t in enumerate(lines) if t.strip() and not t.startswith("#")), None)
    if header_at is None:
        raise InputError(path, "empty MAF: no header line")
    header = lines[header_at].split("\t")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(path, f"missing MAF column(s): {', '.join(missing)}", line=header_at + 1)
    rows = []
    for i in range(header_at + 1, len(lines)):
        if not lines[i].strip() or lines[i].startswith("#"):
            continue
        fields = lines[i].split("\t")
        if len(fields) > len(header):
            raise InputError(path, f"{len(fields)} columns, header has {len(header)}", line=i + 1)
        short = [c for c in REQUIRED if header.index(c) >= len(fields)]
        if short:
            hint = " (spaces instead of tabs?)" if "  " in lines[i] or len(fields) == 1 else ""
            raise InputError(path, f"{len(fields)} tab-separated cell(s), so required column(s) "
                                   f"{', '.join(short)} are missing{hint}", line=i + 1)
        fields += [""] * (len(header) - len(fields))  # trailing empty cells are often cut
        for column in ("Hugo_Symbol", "Chromosome", "Start_Position"):
            cell = fields[header.index(column)]
            if len(cell.split()) > 1:  # "ALK 2 29220747": cells joined by spaces
                raise InputError(path, f"{column} {cell[:40]!r} contains spaces (spaces "
                                       "instead of tabs?)", line=i + 1)
        rows.append((i + 1, dict(zip(header, fields))))

    barcodes = sorted({r.get("Tumor_Sample_Barcode", "") for _, r in rows} - {""})
    if sample is not None:
        if sample not in barcodes:
            raise InputError(path, f"sample {sample!r} is not a Tumor_Sample_Barcode in the MAF; "
                                   f"barcodes: {', '.join(barcodes) or '(none)'}")
        rows = [(n, r) for n, r in rows if r.get("Tumor_Sample_Barcode") == sample]
    elif len(barcodes) > 1:
        raise InputError(path, f"{len(barcodes)} tumour samples ({', '.join(barcodes)}) and no "
                               "choice; set vcf_sample in the sample sheet to the barcode")
    chosen = sample or (barcodes[0] if barcodes else None)

    panel_genes = set(getattr(panel, "genes", ()) or ())
    variants: list[Variant] = []
    warnings: list[str] = []
    not_panel = 0
    no_coords: list[str] = []
    no_af: list[str] = []
    filtered: dict[str, int] = {}
    unmapped: dict[str, int] = {}
    for line, r in rows:
        row_build = (r.get("NCBI_Build") or "").strip()
        if row_build and row_build not in ("", "NA"):
            norm = {"hg19": "GRCh37", "37": "GRCh37", "hg38": "GRCh38", "38": "GRCh38"}.get(
                row_build, row_build)
            if norm != build.value:
                raise InputError(path, f"NCBI_Build {row_build} does not match the sample's "
                                       f"genome build {build}", line=line)
        gene = r["Hugo_Symbol"].strip()
        if gene not in panel_genes:
            not_panel += 1
            continue
        filt = (r.get("FILTER") or "").strip()
        if filt and filt not in ("PASS", "."):
            for f in filt.split(";"):
                filtered[f] = filtered.get(f, 0) + 1
            continue
        hgvs_p = _hgvsp(r.get("HGVSp_Short"), path, line)
        chrom, pos = r["Chromosome"].strip(), _int(r["Start_Position"], path, line,
                                                     "Start_Position", minimum=1,
                                                     maximum=_MAX_POSITION)
        ref, alt = r["Reference_Allele"].strip(), r["Tumor_Seq_Allele2"].strip()
        if _blank(chrom) or pos is None or _blank(ref) or _blank(alt):
            no_coords.append(f"{gene} {hgvs_p or '?'} (line {line})")
            continue
        if ref.upper() == alt.upper():
            raise InputError(path, f"Tumor_Seq_Allele2 {alt} equals Reference_Allele (not a "
                                   "variant)", line=line, record=f"{gene} {hgvs_p or ''}".strip())
        depth = _int(r.get("t_depth"), path, line, "t_depth")
        alt_reads = _int(r.get("t_alt_count"), path, line, "t_alt_count")
        if depth is None and alt_reads is not None and not _blank(r.get("t_ref_count")):
            depth = alt_reads + (_int(r.get("t_ref_count"), path, line, "t_ref_count") or 0)
        if depth is not None and alt_reads is not None and alt_reads > depth:
            raise InputError(path, f"t_alt_count {alt_reads} is larger than t_depth {depth}",
                             line=line, record=f"{gene} {hgvs_p or ''}".strip())
        vaf = round(alt_reads / depth, 6) if depth and alt_reads is not None else None
        if vaf is None:
            no_af.append(f"{gene} {hgvs_p or ''} (line {line})".replace("  ", " "))
        ann, other = _annotation(r, gene, hgvs_p, panel, unmapped)
        variant = Variant(
            chrom=chrom[3:] if chrom.lower().startswith("chr") else chrom, pos=pos, ref=ref,
            alt=alt, vaf=vaf, depth=depth, alt_reads=alt_reads,
            filters=(filt or "PASS",), caller=(r.get("Center") or None),
            source=SourceRef(str(path), line), annotation=ann,
            allele_convention="maf" if "-" in (ref, alt) else "vcf")
        if other is not None:  # annotated on another isoform: re-express from the position
            ann, problem = reexpress(other, variant, panel.transcript(gene), ann)
            variant = replace(variant, annotation=ann)
            if problem:
                warnings.append(f"{path} line {line}: {problem}")
        variants.append(variant)
    if not_panel:
        warnings.append(f"{path}: {not_panel} row(s) in genes outside the panel not reported")
    if filtered:
        reasons = ", ".join(f"{k} x{v}" for k, v in sorted(filtered.items()))
        warnings.append(f"{path}: {sum(filtered.values())} row(s) failed FILTER (reasons: {reasons})")
    if no_coords:
        warnings.append(f"{path}: {len(no_coords)} panel-gene row(s) without genomic coordinates "
                        f"not ingested: {'; '.join(no_coords)}")
    if no_af:
        warnings.append(f"{path}: {len(no_af)} variant(s) without t_depth/t_alt_count (allele "
                        f"fraction unknown): {'; '.join(no_af[:10])}")
    if unmapped:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unmapped.items()))
        warnings.append(f"{path}: Variant_Classification values not mapped to SO: {listed}")
    return MafReadResult(path=str(path), variants=tuple(variants), warnings=tuple(warnings),
                         sample=chosen, rows_read=len(rows))


@dataclass(frozen=True)
class _Isoform:
    """A MAF row's own transcript and HGVS, when that is not the reporting transcript."""

    transcript: str
    hgvs_c: str | None
    hgvs_p: str | None
    annotator: str = MAF


def _annotation(r: dict[str, str], gene: str, hgvs_p: str | None, panel,
                unmapped: dict[str, int]) -> tuple[ProteinAnnotation, _Isoform | None]:
    rep = panel.transcript(gene)
    vc = (r.get("Variant_Classification") or "").strip()
    if vc:
        cons, bad = map_terms([vc])
        for b in bad:
            unmapped[b] = unmapped.get(b, 0) + 1
    else:
        cons = consequence_from_short_p(hgvs_p)
    if hgvs_p and hgvs_p.endswith("_splice"):
        hgvs_p_out = None  # 'p.X1445_splice' is a MAF convention, not HGVS
    else:
        hgvs_p_out = hgvs_p
    pc = parse_short_p(hgvs_p)
    tx = strip_version(r.get("Transcript_ID") or None)
    hgvs_c = (r.get("HGVSc") or "").rsplit(":", 1)[-1] or None
    exon = None
    exon_raw = (r.get("Exon_Number") or "").split("/")[0]
    if exon_raw.isdigit():
        exon = int(exon_raw)
    ids = {strip_version(getattr(rep, "transcript_id", None)),
           strip_version(getattr(rep, "refseq", None))}
    note = None
    keep = True
    other = None
    if tx is None:
        note = ("MAF has no Transcript_ID; HGVSp_Short taken as numbered on the reporting "
                f"transcript {rep.transcript_id}")
    elif tx not in ids:
        fn = getattr(panel, "protein_identical", None)
        same = bool(fn(rep.transcript_id, tx)) if fn is not None else False
        if same:
            note = (f"numbering from {tx} (MAF); its protein is identical to the reporting "
                    f"transcript {rep.transcript_id}")
            exon = None
        else:
            keep = False
            other = _Isoform(tx, hgvs_c, hgvs_p_out)
            note = (f"annotated on {tx}{f' ({hgvs_p} there)' if hgvs_p else ''}, not the reporting "
                    f"transcript {rep.transcript_id}; protein numbering may differ")
    if hgvs_p and hgvs_p.endswith("_splice"):
        note = "; ".join(n for n in (note, f"MAF splice notation {hgvs_p}") if n)
    return ProteinAnnotation(
        gene=gene, transcript=rep.transcript_id, consequences=cons,
        hgvs_c=hgvs_c if keep else None, hgvs_p=hgvs_p_out if keep else None,
        protein_start=pc.start if keep else None, protein_end=pc.end if keep else None,
        ref_aa=pc.ref_aa if keep and hgvs_p_out else None,
        alt_aa=pc.alt_aa if keep and hgvs_p_out else None, exon=exon if keep else None,
        refseq=getattr(rep, "refseq", None), annotator=MAF, note=note), other
