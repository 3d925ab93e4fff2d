"""Structural-variant VCF (Manta, DELLY, GRIDSS; DNA / ctDNA) -> Fusion records.

Each SV record gives one or two junctions. A junction joins the side kept at breakpoint A to the
side kept at breakpoint B (VCF 4.x BND bracket notation, or DEL/DUP/INV geometry, or DELLY's CT).
With the genes' strands from the panel, the gene keeping its 5' part is the 5' partner. Genes
not in the panel are named "intergenic/unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions.contigs import (
    CHROM_LENGTHS,
    ContigChecker,
    is_secondary_contig,
    primary_name,
)
from kinres.io.fusions.orientation import FIVE, LEFT, RIGHT, THREE, gene_portion
from kinres.io.fusions.table import FusionReadResult, open_text
from kinres.models import Breakpoint, Fusion, SourceRef

INTERGENIC = "intergenic/unknown"
_BND = re.compile(r"^(?P<pre>[A-Za-z.*]*)(?P<b>[\[\]])(?P<chrom>[^:\[\]]+):(?P<pos>[^\[\]]+)"
                  r"(?P=b)(?P<post>[A-Za-z.*]*)$")
_CONTIG = re.compile(r"##contig=<(?P<body>.*)>")
# DELLY CT: which end of breakpoint 1 joins which end of breakpoint 2 ("3" = left kept)
_DELLY_CT = {"3to5": (LEFT, RIGHT), "5to3": (RIGHT, LEFT), "3to3": (LEFT, LEFT),
             "5to5": (RIGHT, RIGHT)}


@dataclass(frozen=True)
class Junction:
    a: Breakpoint
    keeps_a: str
    b: Breakpoint
    keeps_b: str


def bnd_junction(alt: str) -> tuple[str, str, str, str] | None:
    """(mate chrom, mate pos text, kept side here, kept side at mate) from VCF BND ALT."""
    m = _BND.match(alt.strip())
    if not m or (m.group("pre") and m.group("post")) or not (m.group("pre") or m.group("post")):
        return None
    bracket, chrom, pos = m.group("b"), m.group("chrom"), m.group("pos")
    if m.group("pre"):  # t[p[ / t]p] : sequence continues after t, so the left side is kept here
        return chrom, pos, LEFT, RIGHT if bracket == "[" else LEFT
    return chrom, pos, RIGHT, LEFT if bracket == "]" else RIGHT  # ]p]t / [p[t


def _info(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if text in ("", "."):
        return out
    for item in text.split(";"):
        key, _, value = item.partition("=")
        out[key] = value if _ else "1"
    return out


def _ints(text: str | None) -> list[int] | None:
    if text in (None, "", "."):
        return None
    try:
        return [int(x) for x in text.split(",") if x not in ("", ".")]
    except ValueError:
        return None


_FMT_COUNTS = ("PR", "SR", "DV", "RV", "RR", "DR", "VF", "REF", "REFPAIR")
_INFO_COUNTS = ("SR", "PE")
_MAX_READS = 10**9


def _check_counts(path: Path, n: int, rec: str, values: dict[str, str], tags: tuple[str, ...],
                  where: str) -> None:
    """Read-support cells must be '.' or whole numbers >= 0: a garbled "abc" must not read as
    "no support" (which changes whether a fusion is called)."""
    for tag in tags:
        text = values.get(tag)
        if text is None:
            continue
        for item in text.split(","):
            if item in ("", "."):
                continue
            if not item.isdigit() or int(item) > _MAX_READS:
                raise InputError(path, f"{where}/{tag} {text[:40]!r} is not a read count "
                                       "(whole numbers >= 0)", line=n, record=rec)


def _support(fmt: dict[str, str], info: dict[str, str]) -> tuple[int | None, int | None, int | None, int | None]:
    """(split alt, pair alt, split ref, pair ref) from Manta PR/SR, DELLY RV/DV/RR/DR or GRIDSS."""
    pr, sr = _ints(fmt.get("PR")), _ints(fmt.get("SR"))
    if pr or sr:  # Manta: PR=ref,alt SR=ref,alt
        return (sr[1] if sr and len(sr) > 1 else None, pr[1] if pr and len(pr) > 1 else None,
                sr[0] if sr else None, pr[0] if pr else None)
    if any(k in fmt for k in ("DV", "RV")):  # DELLY
        g = lambda k: (_ints(fmt.get(k)) or [None])[0]
        return g("RV"), g("DV"), g("RR"), g("DR")
    if "VF" in fmt:  # GRIDSS: VF variant fragments, REF/REFPAIR reference reads/pairs
        g = lambda k: (_ints(fmt.get(k)) or [None])[0]
        sr_alt = (_ints(fmt.get("SR")) or [None])[0]
        vf = g("VF")
        return sr_alt, (vf - sr_alt) if (vf is not None and sr_alt is not None) else vf, g("REF"), g("REFPAIR")
    for src in (info,):  # tumour-only callers sometimes put counts in INFO
        s, p = _ints(src.get("SR")), _ints(src.get("PE"))
        if s or p:
            return (s[-1] if s else None), (p[-1] if p else None), None, None
    return None, None, None, None


def _caller(header_text: str) -> str:
    low = header_text.lower()
    for name in ("fusioncatcher", "manta", "delly", "gridss", "svaba", "lumpy", "dragen"):
        if name in low:
            return name
    return "sv_vcf"


def parse(path: str | Path, build: Build, sample_name: str | None = None,
          pass_only: bool = True, panel=None) -> FusionReadResult:
    """Read an SV VCF; `panel` defaults to kinres.annotate.transcripts.Panel.load(build)."""
    if panel is None:
        from kinres.annotate.transcripts import Panel  # panel tables are only needed here
        panel = Panel.load(build)
    path = Path(path)
    check = ContigChecker(str(path), build)
    header_lines: list[str] = []
    samples: list[str] = []
    column: int | None = None
    fusions: list[Fusion] = []
    counts = {"records": 0, "filtered": 0, "no_gene": 0, "secondary": 0, "unsupported": 0,
              "no_transcript": 0, "single": 0, "mates": 0, "intronic_intragenic": 0,
              "synthetic": 0}
    seen_ids: set[str] = set()
    caller = "sv_vcf"
    with open_text(path) as fh:
        for n, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if n == 1 and not line.startswith("##fileformat=VCF"):
                raise InputError(path, "not a VCF: first line must be ##fileformat=VCF...", line=1)
            if line.startswith("##"):
                header_lines.append(line)
                _check_contig(path, build, line, n)
                continue
            if line.startswith("#CHROM"):
                cols = line.split("\t")
                samples = cols[9:]
                column = _pick_sample(samples, sample_name)
                caller = _caller("\n".join(header_lines))
                continue
            if not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) < 8:
                raise InputError(path, f"VCF record has {len(cells)} columns, expected >= 8",
                                 line=n, record=line[:80])
            counts["records"] += 1
            chrom, pos_text, vid, _ref, alt, _qual, filt, info_text = cells[:8]
            info = _info(info_text)
            if pass_only and filt not in ("PASS", "."):
                counts["filtered"] += 1
                continue
            if vid != "." and vid in seen_ids:
                counts["mates"] += 1
                continue
            if is_secondary_contig(chrom):
                counts["secondary"] += 1
                continue
            if any(info.get(k, "").startswith("ENSG09") for k in ("GENS5", "GENS3")):
                # FusionCatcher's synthetic IG loci (IGH@ ...) sit on pseudo-coordinates
                counts["synthetic"] += 1
                continue
            rec = f"{chrom}:{pos_text} {vid}"
            if caller == "fusioncatcher":
                # FusionCatcher's RNA VCF: BND brackets follow transcript, not genome, orientation;
                # GENE5/GENE3 and the 5' record (END=5) say which partner is which.
                if info.get("END") == "5":
                    fusions.append(_fusioncatcher_record(check, chrom, pos_text, alt, info, path,
                                                         n, rec))
                continue
            try:
                junctions = _junctions(check, chrom, pos_text, alt, info, n, rec)
            except _Unsupported:
                counts["unsupported"] += 1
                continue
            except _Single:
                counts["single"] += 1
                continue
            except _Secondary:
                counts["secondary"] += 1
                continue
            mate = info.get("MATEID")
            if mate:
                seen_ids.update(mate.split(","))
            if vid != ".":
                seen_ids.add(vid)
            fmt = {}
            if column is not None and len(cells) > 9 + column:
                fmt = dict(zip(cells[8].split(":"), cells[9 + column].split(":")))
            _check_counts(path, n, rec, fmt, _FMT_COUNTS, "FORMAT")
            _check_counts(path, n, rec, info, _INFO_COUNTS, "INFO")
            split_alt, pair_alt, split_ref, pair_ref = _support(fmt, info)
            alt_total = (split_alt or 0) + (pair_alt or 0) if (split_alt is not None or pair_alt is not None) else None
            af = None
            if alt_total is not None and (split_ref is not None or pair_ref is not None):
                denom = alt_total + (split_ref or 0) + (pair_ref or 0)
                af = round(alt_total / denom, 4) if denom else None
            for j in junctions:
                fusion = _to_fusion(j, panel, caller, path, n, counts)
                if fusion is None:
                    continue
                flags = list(fusion.flags)
                if "IMPRECISE" in info:
                    flags.append("imprecise")
                fusions.append(replace(fusion, flags=tuple(flags), supporting_reads=alt_total,
                                       split_reads=split_alt, spanning_reads=pair_alt,
                                       fusion_af=af))
    if counts["records"] == 0 and not header_lines:
        raise InputError(path, "fusion VCF is empty")
    warnings = _warnings(path, counts)
    return FusionReadResult(tuple(fusions), warnings, FusionFormat.SV_VCF.value,
                            counts["records"])


def _fusioncatcher_record(check: ContigChecker, chrom: str, pos_text: str, alt: str,
                          info: dict[str, str], path: Path, n: int, rec: str) -> Fusion:
    parsed = bnd_junction(alt)
    if parsed is None:
        raise InputError(path, f"BND ALT {alt!r} is not VCF bracket notation", line=n, record=rec)
    five = check.breakpoint(chrom, pos_text, None, n, rec)
    three = check.breakpoint(parsed[0], parsed[1], None, n, rec)
    _check_counts(path, n, rec, info, ("SR", "SP"), "INFO")
    split, pairs = (_ints(info.get("SR")) or [0])[0], (_ints(info.get("SP")) or [0])[0]
    in_frame = {"in-frame": True, "out-of-frame": False}.get(info.get("EFFECT", ""))
    return Fusion(five_prime_gene=info.get("GENE5") or INTERGENIC,
                  three_prime_gene=info.get("GENE3") or INTERGENIC, caller="fusioncatcher",
                  molecule="rna", five_prime_breakpoint=five, three_prime_breakpoint=three,
                  in_frame=in_frame, frame_source="caller" if in_frame is not None else None,
                  supporting_reads=split + pairs, split_reads=split, spanning_reads=pairs,
                  source=SourceRef(str(path), n))


class _Unsupported(Exception):
    pass


class _Single(Exception):
    pass


class _Secondary(Exception):
    pass


def _check_contig(path: Path, build: Build, line: str, n: int) -> None:
    m = _CONTIG.match(line)
    if not m:
        return
    fields = dict(kv.partition("=")[::2] for kv in m.group("body").split(","))
    name = primary_name(fields.get("ID", ""))
    length = fields.get("length")
    if name and length and length.isdigit() and name != "MT":
        expected = CHROM_LENGTHS[build][name]
        if int(length) != expected:
            raise InputError(path, f"header contig {fields['ID']} has length {length}, but "
                             f"{build} chromosome {name} is {expected} bp; VCF from another "
                             "genome build?", line=n)


def _pick_sample(samples: list[str], wanted: str | None) -> int | None:
    if not samples:
        return None
    if wanted and wanted in samples:
        return samples.index(wanted)
    for i, s in enumerate(samples):
        if s.upper() in ("TUMOR", "TUMOUR"):
            return i
    # Manta/DELLY somatic VCFs list the normal first and the tumour last
    return len(samples) - 1


def _junctions(check: ContigChecker, chrom: str, pos_text: str, alt: str,
               info: dict[str, str], n: int, rec: str) -> list[Junction]:
    svtype = info.get("SVTYPE", "").upper()
    here = check.breakpoint(chrom, pos_text, None, n, rec)
    here = Breakpoint(here.chrom, here.pos, None, _ci(info.get("CIPOS")))
    if svtype == "BND" or alt.startswith(("[", "]")) or alt.endswith(("[", "]")):
        parsed = bnd_junction(alt)
        if parsed is not None:
            mchrom, mpos, keep_here, keep_mate = parsed
            if is_secondary_contig(mchrom):
                raise _Secondary()
            mate = check.breakpoint(mchrom, mpos, None, n, rec)
            return [Junction(here, keep_here, mate, keep_mate)]
        if alt.startswith(".") or alt.endswith("."):
            raise _Single()  # single breakend: partner unknown
        if "CHR2" in info and info.get("CT") in _DELLY_CT:  # DELLY translocation without brackets
            mpos = info.get("POS2") or info.get("END")
            if is_secondary_contig(info["CHR2"]):
                raise _Secondary()
            mate = check.breakpoint(info["CHR2"], mpos or "", None, n, rec)
            ka, kb = _DELLY_CT[info["CT"]]
            return [Junction(here, ka, mate, kb)]
        raise InputError(check.path, f"BND ALT {alt!r} is not VCF bracket notation", line=n,
                         record=rec)
    if svtype in ("DEL", "DUP", "INV", "DUP:TANDEM"):
        end_text = info.get("END")
        if end_text is None:
            raise InputError(check.path, f"{svtype} record lacks INFO END", line=n, record=rec)
        end = check.breakpoint(chrom, end_text, None, n, rec)
        end = Breakpoint(end.chrom, end.pos, None, _ci(info.get("CIEND")))
        if end.pos < here.pos:
            raise InputError(check.path, f"END {end.pos} is before POS {here.pos}", line=n,
                             record=rec)
        ct = info.get("CT")
        if ct in _DELLY_CT:
            ka, kb = _DELLY_CT[ct]
            return [Junction(here, ka, end, kb)]
        if svtype == "DEL":
            return [Junction(here, LEFT, end, RIGHT)]
        if svtype.startswith("DUP"):
            return [Junction(end, LEFT, here, RIGHT)]
        if "INV3" in info:
            return [Junction(here, LEFT, end, LEFT)]
        if "INV5" in info:
            return [Junction(here, RIGHT, end, RIGHT)]
        return [Junction(here, LEFT, end, LEFT), Junction(here, RIGHT, end, RIGHT)]
    raise _Unsupported()  # INS, CNV, ...


def _ci(text: str | None) -> tuple[int, int]:
    vals = _ints(text)
    if not vals or len(vals) != 2:
        return (0, 0)
    return (vals[0], vals[1])


def _gene_at(panel, bp: Breakpoint):
    hits = panel.overlapping(bp.chrom, bp.pos)
    return hits[0] if hits else None


def _strand_text(tx) -> str:
    return "+" if tx.strand in (1, "+") else "-"


def _to_fusion(j: Junction, panel, caller: str, path: Path, line: int,
               counts: dict[str, int]) -> Fusion | None:
    ta, tb = _gene_at(panel, j.a), _gene_at(panel, j.b)
    if ta is None and tb is None:
        counts["no_gene"] += 1
        return None
    pa = gene_portion(ta.strand, j.keeps_a) if ta else None
    pb = gene_portion(tb.strand, j.keeps_b) if tb else None
    a = Breakpoint(j.a.chrom, j.a.pos, _strand_text(ta) if ta else None, j.a.ci)
    b = Breakpoint(j.b.chrom, j.b.pos, _strand_text(tb) if tb else None, j.b.ci)
    if ta is not None and tb is not None:
        if pa == FIVE and pb == THREE:
            order = (ta.gene, a, tb.gene, b)
        elif pa == THREE and pb == FIVE:
            order = (tb.gene, b, ta.gene, a)
        else:
            counts["no_transcript"] += 1  # head-to-head / tail-to-tail: no chimeric transcript
            return None
        if ta.gene == tb.gene:
            if ta.intron_at(j.a.pos) is not None and ta.intron_at(j.a.pos) == ta.intron_at(j.b.pos):
                counts["intronic_intragenic"] += 1  # both ends in one intron: no exon change
                return None
    elif ta is not None:
        order = (ta.gene, a, INTERGENIC, b) if pa == FIVE else (INTERGENIC, b, ta.gene, a)
    else:
        order = (tb.gene, b, INTERGENIC, a) if pb == FIVE else (INTERGENIC, a, tb.gene, b)
    flags = ("dna_only",) + (("intragenic",) if order[0] == order[2] else ())
    return Fusion(five_prime_gene=order[0], three_prime_gene=order[2], caller=caller,
                  molecule="dna", five_prime_breakpoint=order[1], three_prime_breakpoint=order[3],
                  flags=flags, source=SourceRef(str(path), line))


# why a counted SV record is not reported, in the order the warnings are listed
_SKIP_REASONS: tuple[tuple[str, str], ...] = (
    ("filtered", "SV record(s) failed the caller's FILTER; not reported"),
    ("secondary", "SV record(s) involve unplaced/alt/decoy contigs; not assessed"),
    ("unsupported", "SV record(s) of types that cannot form a fusion (INS/CNV/...); not reported"),
    ("single", "single-breakend record(s) without a partner; not reported"),
    ("synthetic", ("record(s) on FusionCatcher's synthetic immunoglobulin loci (no genome "
                   "position); not reported")),
    ("no_gene", "SV junction(s) touch no panel gene; not reported"),
    ("no_transcript", ("SV junction(s) join two panel genes head-to-head or tail-to-tail (no "
                       "fusion transcript); not reported")),
    ("intronic_intragenic", "intragenic SV(s) with both ends in the same intron; not reported"),
)


def _warnings(path: Path, c: dict[str, int]) -> tuple[str, ...]:
    return tuple(f"{path.name}: {c[key]} {text}" for key, text in _SKIP_REASONS if c[key])
