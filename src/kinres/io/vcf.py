"""Small-variant VCF/BCF ingestion (cyvcf2): tumour column, per-allele AF/depth, FILTER, panel regions.

Allele fractions are read the way each caller writes them (Mutect2/DRAGEN/VarDict FORMAT AF+AD,
Strelka2 tier-1 AU..TU / TIR+TAR, FreeBayes AO/RO, LoFreq INFO AF+DP4, smCounter2-style UMI
VMF/VMT/UMT, PCGR TVAF/TDP). A record whose AF cannot be obtained is kept with vaf=None and
counted in a warning: a missing AF must never become 0.
"""

from __future__ import annotations

import math
import re
import warnings as warnings_mod
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinres.enums import Build
from kinres.errors import InputError
from kinres.io import opener
from kinres.models import SourceRef, Variant

ANNOTATION_TAGS = ("CSQ", "ANN", "BCSQ")  # preference order when a file carries several

# Primary-assembly contig lengths that tell the builds apart.
_BUILD_LENGTHS = {
    "1": {249250621: Build.GRCh37, 248956422: Build.GRCh38},
    "2": {243199373: Build.GRCh37, 242193529: Build.GRCh38},
    "7": {159138663: Build.GRCh37, 159345973: Build.GRCh38},
}
_MISSING_INT = -2147483640  # cyvcf2 int missing / vector-end sentinels are below this


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


# --------------------------------------------------------------------------- header helpers
def _plain(chrom: str) -> str:
    try:
        from kinres.annotate.transcripts import normalise_chrom
    except ImportError:  # panel module not present yet: same rule, kept minimal
        return chrom[3:] if chrom.lower().startswith("chr") else chrom
    return normalise_chrom(chrom)


def detect_caller(raw_header: str) -> str | None:
    """Caller name from ##source= / tool-specific header lines."""
    sources = [m.group(1).strip() for m in re.finditer(r"^##source=(.*)$", raw_header, re.MULTILINE)]
    text = " ".join(sources).lower()
    checks = (
        ("mutect2", "Mutect2"), ("strelka", "Strelka2"), ("vardict", "VarDict"),
        ("lofreq", "LoFreq"), ("freebayes", "FreeBayes"), ("dragen", "DRAGEN"),
        ("smcounter", "smCounter2"), ("vardictumi", "VarDict"), ("octopus", "Octopus"),
        ("varscan", "VarScan2"), ("haplotypecaller", "HaplotypeCaller"),
    )
    for needle, name in checks:
        if needle in text:
            return name
    if "##GATKCommandLine=<ID=Mutect2" in raw_header or re.search(r"^##tumor_sample=", raw_header, re.MULTILINE):
        return "Mutect2"
    if "##DRAGENCommandLine" in raw_header or "##DRAGENVersion" in raw_header:
        return "DRAGEN"
    if "##GATKCommandLine=<ID=HaplotypeCaller" in raw_header:
        return "HaplotypeCaller"
    if "ID=UMT," in raw_header and "ID=VMF," in raw_header:
        return "smCounter2"
    if "ID=TIR," in raw_header or "ID=TU," in raw_header:
        return "Strelka2"
    if "ID=DP4," in raw_header and "lofreq" in raw_header.lower():
        return "LoFreq"
    if "ID=TVAF," in raw_header:
        return "PCGR-input"
    return sources[0].split()[0] if sources else None


def _header_defs(raw_header: str, kind: str) -> dict[str, dict[str, str]]:
    out = {}
    for m in re.finditer(rf"^##{kind}=<ID=([^,>]+),(.*)>$", raw_header, re.MULTILINE):
        attrs = dict(re.findall(r'(\w+)=("[^"]*"|[^,]*)', m.group(2)))
        out[m.group(1)] = {k: v.strip('"') for k, v in attrs.items()}
    return out


def _contigs(raw_header: str) -> dict[str, int | None]:
    out = {}
    for m in re.finditer(r"^##contig=<(.*)>$", raw_header, re.MULTILINE):
        attrs = dict(re.findall(r'(\w+)=("[^"]*"|[^,]*)', m.group(1)))
        if "ID" in attrs:
            length = attrs.get("length")
            out[attrs["ID"]] = int(length) if length and length.isdigit() else None
    return out


def detect_build(raw_header: str) -> Build | None:
    """Build from ##contig lengths (chr1/chr2/chr7) or ##reference / assembly= text."""
    for name, length in _contigs(raw_header).items():
        hit = _BUILD_LENGTHS.get(_plain(name), {}).get(length or -1)
        if hit:
            return hit
    ref = " ".join(re.findall(r"^##(?:reference|assembly)=(.*)$", raw_header, re.MULTILINE)).lower()
    ref += " " + " ".join(re.findall(r"assembly=([^,>]+)", raw_header)).lower()
    if re.search(r"grch38|hg38|hs38", ref):
        return Build.GRCh38
    if re.search(r"grch37|hg19|hs37|b37|human_g1k_v37", ref):
        return Build.GRCh37
    return None


def choose_sample(path: Path, samples: Sequence[str], raw_header: str, explicit: str | None,
                  caller: str | None) -> tuple[str | None, int | None]:
    """Tumour column: explicit > ##tumor_sample= (Mutect2) > Strelka's TUMOR > the only one."""
    if not samples:
        return None, None
    if explicit:
        if explicit not in samples:
            raise InputError(path, f"sample {explicit!r} is not in the VCF; its samples are: "
                                   f"{', '.join(samples)}")
        return explicit, list(samples).index(explicit)
    m = re.search(r"^##tumor_sample=(.+)$", raw_header, re.MULTILINE)
    if m and m.group(1).strip() in samples:
        name = m.group(1).strip()
        return name, list(samples).index(name)
    if caller == "Strelka2" and "TUMOR" in samples:
        return "TUMOR", list(samples).index("TUMOR")
    if len(samples) == 1:
        return samples[0], 0
    raise InputError(path, f"{len(samples)} samples ({', '.join(samples)}) and no tumour column "
                           "chosen; set vcf_sample in the sample sheet or variants.tumor_sample")


# --------------------------------------------------------------------------- value helpers
def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or f < _MISSING_INT:
        return None
    return f


def _fmt_row(rec, tag: str, si: int) -> list[float | None] | None:
    """FORMAT values of one sample as floats (None for missing); None if the tag is absent."""
    try:
        arr = rec.format(tag)
    except KeyError:
        return None
    if arr is None:
        return None
    row = arr[si]
    if isinstance(row, (str, bytes)) or getattr(row, "dtype", None) is not None and row.dtype.kind in "SUO":
        text = row.decode() if isinstance(row, bytes) else str(row)
        return [_num(t) if t not in (".", "") else None for t in text.split(",")]
    return [_num(v) for v in row]


def _info_list(rec, tag: str) -> list[float | None] | None:
    v = rec.INFO.get(tag)
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return [_num(x) for x in v]
    if isinstance(v, str):
        return [_num(x) for x in v.split(",")]
    return [_num(v)]


def _pick(values: list[float | None] | None, i: int) -> float | None:
    if not values or i >= len(values):
        return None
    return values[i]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _int_or_none(x: float | None) -> int | None:
    return None if x is None else round(x)


@dataclass(frozen=True)
class _AfPlan:
    """Which tags to read, decided once from the header."""

    fmt: frozenset[str]
    info: frozenset[str]
    caller: str | None
    af_tag: str | None
    depth_tag: str | None


def allele_metrics(rec, si: int | None, ai: int, plan: _AfPlan
                   ) -> tuple[float | None, int | None, int | None]:
    """(vaf, depth, alt_reads) for ALT index `ai` (0-based) of the chosen sample."""
    fmt, info = plan.fmt, plan.info
    vaf = depth = alt = None
    has_sample = si is not None

    def f(tag: str) -> list[float | None] | None:
        return _fmt_row(rec, tag, si) if has_sample and tag in fmt else None

    def i(tag: str) -> list[float | None] | None:
        return _info_list(rec, tag) if tag in info else None

    if plan.depth_tag:
        depth = _pick(f(plan.depth_tag) or i(plan.depth_tag), 0)
    if plan.af_tag:
        vals = f(plan.af_tag) or i(plan.af_tag)
        vaf = _pick(vals, ai) if vals and len(vals) > 1 else _pick(vals, 0)
    # Strelka2 somatic: tier-1 counts per base (SNV) or TIR/TAR (indel)
    if vaf is None and "TIR" in fmt and "TAR" in fmt and len(rec.REF) != len(rec.ALT[ai]):
        tir, tar = f("TIR"), f("TAR")
        if tir and tar and tir[0] is not None and tar[0] is not None:
            alt, tot = tir[0], tir[0] + tar[0]
            vaf = alt / tot if tot else None
            depth = depth if depth is not None else tot
    if vaf is None and "AU" in fmt and len(rec.REF) == 1 and len(rec.ALT[ai]) == 1:
        ref_t, alt_t = f(rec.REF.upper() + "U"), f(rec.ALT[ai].upper() + "U")
        if ref_t and alt_t and ref_t[0] is not None and alt_t[0] is not None:
            alt, tot = alt_t[0], ref_t[0] + alt_t[0]
            vaf = alt / tot if tot else None
    if vaf is None and "AF" in fmt:  # Mutect2, DRAGEN, VarDict
        vaf = _pick(f("AF"), ai)
    ad = f("AD") if "AD" in fmt else None
    if ad is None and "ADT" in fmt:  # PCGR tumour allelic depths
        ad = f("ADT")
    ad_total = sum(ad) if ad and all(x is not None for x in ad) else None  # type: ignore[arg-type]
    if ad and alt is None:
        alt = _pick(ad, ai + 1)
    if vaf is None and "AO" in fmt and "RO" in fmt:  # FreeBayes observation counts
        ao, ro = f("AO"), f("RO")
        alt = alt if alt is not None else _pick(ao, ai)
        if ao and ro and ro[0] is not None and all(x is not None for x in ao):
            tot = ro[0] + sum(ao)  # type: ignore[arg-type]
            vaf = _pick(ao, ai) / tot if tot and _pick(ao, ai) is not None else None
    if alt is None and "VD" in fmt:  # VarDict variant depth
        alt = _pick(f("VD"), 0)
    if vaf is None and "VMF" in info:  # smCounter2: variant UMI fraction
        vaf = _pick(i("VMF"), ai)
        alt = alt if alt is not None else _pick(i("VMT"), ai)
        depth = depth if depth is not None else _pick(i("UMT"), 0)
    if vaf is None and "TVAF" in info:  # PCGR input convention
        vaf = _pick(i("TVAF"), ai)
    if vaf is None and "AF" in info and plan.caller in ("LoFreq", "VarDict", "smCounter2",
                                                         "DRAGEN", "Octopus"):
        # INFO AF is a read fraction for these callers; for GATK germline it is a genotype
        # frequency (0.5/1.0), so it is not used for unknown callers
        vaf = _pick(i("AF"), ai)
    if vaf is None and alt is not None and ad_total:
        vaf = alt / ad_total  # AD-only callers: fraction of allele-informative reads
    if depth is None:
        depth = _pick(f("DP"), 0) if "DP" in fmt else None
    if depth is None and "DPT" in fmt:
        depth = _pick(f("DPT"), 0)
    if depth is None and ad_total is not None:
        depth = ad_total
    if depth is None and "TDP" in info:
        depth = _pick(i("TDP"), 0)
    if depth is None and "DP" in info:
        depth = _pick(i("DP"), 0)
    if alt is None and "DP4" in info:  # LoFreq: ref-fwd, ref-rev, alt-fwd, alt-rev
        dp4 = i("DP4")
        if dp4 and len(dp4) == 4 and dp4[2] is not None and dp4[3] is not None:
            alt = dp4[2] + dp4[3]
    if vaf is not None and not 0.0 <= vaf <= 1.0:
        if 1.0 < vaf <= 100.0 and plan.af_tag:
            vaf = vaf / 100.0  # a configured percentage tag (e.g. VarScan FREQ)
        else:
            # out of range: never "no allele fraction" while AD still gives one
            raise _BadValue(f"allele fraction {vaf:g} is outside 0..1",
                            alt / ad_total if alt is not None and ad_total and
                            0 <= alt <= ad_total else None)
    return _round(vaf), _int_or_none(depth), _int_or_none(alt)


class _BadValue(ValueError):
    """An out-of-range FORMAT/INFO value; `fallback` is the AD-based fraction if there is one."""

    def __init__(self, problem: str, fallback: float | None = None):
        super().__init__(problem)
        self.problem, self.fallback = problem, fallback


_MAX_READS = 10**9  # more reads than any sequencer yields for one position: a corrupt value


def checked_metrics(rec, si: int | None, ai: int, plan: _AfPlan, path: Path, line: int | None,
                    where: str, notes: list[str]) -> tuple[float | None, int | None, int | None]:
    """allele_metrics with range checks: InputError (file, line, record, field) on nonsense.

    An AF outside 0..1 with usable AD counts falls back to AD and is noted; without AD it is
    an error. Negative or absurd depths/read counts are errors.
    """
    try:
        vaf, depth, alt = allele_metrics(rec, si, ai, plan)
    except _BadValue as bad:
        if bad.fallback is None:
            raise InputError(path, f"{bad.problem} and no usable AD to replace it",
                             line=line, record=where) from None
        notes.append(f"{where}{'' if line is None else f' (line {line})'}: {bad.problem}; "
                     f"allele fraction {bad.fallback:.3f} taken from AD")
        vaf, depth, alt = _round(bad.fallback), *allele_metrics_counts(rec, si, ai, plan)
    for name, value in (("depth (DP)", depth), ("alt read count (AD/AO/VD)", alt)):
        if value is not None and value < 0:
            raise InputError(path, f"negative {name}: {value}", line=line, record=where)
        if value is not None and value > _MAX_READS:
            raise InputError(path, f"implausible {name}: {value:.3g} reads", line=line,
                             record=where)
    return vaf, depth, alt


def allele_metrics_counts(rec, si, ai, plan: _AfPlan) -> tuple[int | None, int | None]:
    """(depth, alt reads) when the AF itself was unusable (AF tags ignored)."""
    no_af = _AfPlan(fmt=plan.fmt - {"AF"}, info=plan.info - {"AF", "VMF", "TVAF"},
                    caller=plan.caller, af_tag=None, depth_tag=plan.depth_tag)
    try:
        _, depth, alt = allele_metrics(rec, si, ai, no_af)
    except _BadValue:
        return None, None
    return depth, alt


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


def _has_index(path: Path) -> bool:
    return any(Path(str(path) + s).exists() for s in (".tbi", ".csi"))


def _index_problem(path: Path, vcf, text: bool) -> str | None:
    """Why the .tbi/.csi beside `path` must not be trusted, or None.

    A stale index (older than the data: the file was rewritten after indexing) or a foreign one
    (another file's) makes region queries return nothing, which would silently drop every panel
    variant and make a negative look informative. Checked: modification times, index contigs
    against the header's, and that the first record is found where the index says.
    """
    idx = next(Path(str(path) + s) for s in (".tbi", ".csi") if Path(str(path) + s).exists())
    try:
        if idx.stat().st_mtime + 1 < path.stat().st_mtime:
            return f"index {idx.name} is older than the data file (stale)"
        index_contigs = set(vcf.seqnames or ())
    except Exception:  # noqa: BLE001 - unreadable index
        return f"index {idx.name} cannot be read"
    header = set(_contigs(vcf.raw_header))
    if header and index_contigs and not index_contigs <= header:
        extra = sorted(index_contigs - header)[:3]
        return (f"index {idx.name} names contigs absent from the VCF header "
                f"({', '.join(extra)}): it belongs to another file")
    first = _first_record(path, text)
    if first is None:
        return None
    chrom, pos = first
    import cyvcf2

    try:
        probe = cyvcf2.VCF(str(path), lazy=True)
        try:
            with warnings_mod.catch_warnings():
                warnings_mod.simplefilter("ignore", UserWarning)
                found = any(r.POS == pos for r in probe(f"{chrom}:{pos}-{pos}"))
        finally:
            probe.close()
    except Exception:  # noqa: BLE001 - htslib cannot use it at all
        found = False
    if not found:
        return (f"index {idx.name} does not match the data (the first record {chrom}:{pos} is "
                "not where the index points)")
    return None


def _first_record(path: Path, text: bool) -> tuple[str, int] | None:
    """CHROM and POS of the first record (None if there is none or it is malformed)."""
    try:
        if text:
            for _, line in opener.iter_lines(path, "VCF file"):
                if line and not line.startswith("#"):
                    cols = line.split("\t", 2)
                    return (cols[0], int(cols[1])) if len(cols) > 2 else None
            return None
        import cyvcf2

        first = cyvcf2.VCF(str(path), lazy=True)
        try:
            rec = next(iter(first), None)
            return None if rec is None else (rec.CHROM, rec.POS)
        finally:
            first.close()
    except (InputError, ValueError, StopIteration):
        return None
    except Exception:  # noqa: BLE001 - cyvcf2's bare Exception: the read itself will report it
        return None


def _regions_for(panel, padding: int) -> list[tuple[str, int, int]]:
    """Panel regions as (chrom without chr, 1-based start, 1-based end), merged."""
    raw = panel.regions(padding=padding)
    ivs = []
    for r in raw:
        chrom = getattr(r, "chrom", None)
        if chrom is None:
            chrom, start, end = r[0], r[1], r[2]
            start = int(start) + 1  # BED-like: 0-based half-open
        else:
            start = int(r.start) + (0 if getattr(r, "one_based", False) else 1)
        end = int(getattr(r, "end", None) or r[2])
        ivs.append((_plain(str(chrom)), start, end))
    ivs.sort()
    merged: list[list] = []
    for c, s, e in ivs:
        if merged and merged[-1][0] == c and s <= merged[-1][2] + 1:
            merged[-1][2] = max(merged[-1][2], e)
        else:
            merged.append([c, s, e])
    return [(c, s, e) for c, s, e in merged]


_QUERY_GAP = 20_000  # panel intervals closer than this share one index query


def _windows(regions: Sequence[tuple[str, int, int]], gap: int) -> list[tuple[str, int, int]]:
    """Merge nearby intervals so a gene's exons cost one index query instead of dozens."""
    out: list[list] = []
    for c, s, e in regions:
        if out and out[-1][0] == c and s - out[-1][2] <= gap:
            out[-1][2] = max(out[-1][2], e)
        else:
            out.append([c, s, e])
    return [(c, s, e) for c, s, e in out]


class _IntervalIndex:
    """Sorted per-chromosome intervals: is a (chrom, pos) in the panel? (bisect, no parsing)."""

    def __init__(self, regions: list[tuple[str, int, int]]):
        import bisect

        self._bisect = bisect.bisect_right
        self.by_chrom: dict[str, tuple[list[int], list[int]]] = {}
        for c, s, e in regions:
            starts, ends = self.by_chrom.setdefault(c, ([], []))
            starts.append(s)
            ends.append(e)

    def contains(self, chrom: str, pos: int, end: int) -> bool:
        iv = self.by_chrom.get(chrom)
        if iv is None:
            return False
        starts, ends = iv
        k = self._bisect(starts, end) - 1
        return k >= 0 and ends[k] >= pos



_BLOCK = 4 << 20


def _iter_text_blocks(path: Path):
    """Decompressed text in ~4 MB blocks, each ending at a line boundary."""
    import gzip

    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    fh = gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115 - closed below
    with fh:
        carry = b""
        while True:
            block = fh.read(_BLOCK)
            if not block:
                break
            block = carry + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry = block
                continue
            carry = block[cut:]
            yield block[:cut]
        if carry:
            yield carry if carry.endswith(b"\n") else carry + b"\n"


def _readable_lines(path: Path) -> int:
    """Complete lines of a damaged gzip/bgzip file that decompress before the error."""
    import gzip

    n = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(1 << 13):
                n += chunk.count(b"\n")
    except (OSError, EOFError, zlib.error):
        pass
    return n


def prescan_text(path: Path, regions: Sequence[tuple[str, int, int]], header_lines: int
                 ) -> tuple[list[tuple[int, bytes]], int]:
    """(line number, raw line) of records overlapping `regions`, and the number of records.

    Works on raw text with numpy: per block it finds line starts and the first tabs, parses POS
    and the REF length, and tests [POS, POS+len(REF)-1] against the merged intervals. Records
    with a non-numeric POS or fewer than 8 columns raise InputError with their line number.
    """
    import numpy as np

    by_chrom: dict[bytes, tuple[Any, Any]] = {}
    for c, s, e in regions:
        for name in {c, "chr" + c, "chrM" if c == "MT" else c}:
            starts, ends = by_chrom.setdefault(name.encode(), ([], []))
            starts.append(s)
            ends.append(e)
    iv = {k: (np.asarray(s_, dtype=np.int64), np.asarray(e_, dtype=np.int64))
          for k, (s_, e_) in by_chrom.items()}
    hits: list[tuple[int, bytes]] = []
    line_base = 0  # lines (header included) before the current block
    records = 0
    pow10 = 10 ** np.arange(11, dtype=np.int64)
    blocks = _iter_text_blocks(path)
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            break
        except (OSError, EOFError, zlib.error) as exc:
            # the failing block is ~4 MB: count the lines that do decompress so the message
            # points at the damage rather than at the start of that block
            good = max(line_base, _readable_lines(path))
            raise InputError(path, f"compressed data truncated or corrupt after line {good} "
                                   f"({exc})", line=good + 1) from None
        arr = np.frombuffer(block, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], nl[:-1] + 1))
        line_no = line_base + np.arange(1, len(starts) + 1)
        line_base += len(starts)
        data = arr[starts] != 35  # '#': header lines
        data &= starts < nl  # empty lines are not records
        if not data.any():
            continue
        starts, ends, line_no = starts[data], nl[data], line_no[data]
        records += len(starts)
        tabs = np.flatnonzero(arr == 9)
        first = np.searchsorted(tabs, starts)
        ntabs = np.searchsorted(tabs, ends) - first
        bad = np.flatnonzero(ntabs < 7)
        if len(bad):
            raise InputError(path, f"record has {int(ntabs[bad[0]]) + 1} tab-separated columns, "
                                   "a VCF record needs at least 8", line=int(line_no[bad[0]]))
        t1, t2, t3, t4 = (tabs[first + k] for k in (0, 1, 2, 3))  # after CHROM, POS, ID, REF
        plen = t2 - t1 - 1
        k = np.arange(11)
        mask = k[None, :] < plen[:, None]
        digits = arr[np.minimum(t1[:, None] + 1 + k[None, :], len(arr) - 1)].astype(np.int64) - 48
        badpos = ((plen < 1) | (plen > 10) | ((mask & ((digits < 0) | (digits > 9))).any(axis=1)))
        if badpos.any():
            i = int(np.flatnonzero(badpos)[0])
            text = block[t1[i] + 1:t2[i]].decode(errors="replace")
            raise InputError(path, f"POS is not a positive integer: {text!r}",
                             line=int(line_no[i]))
        weights = np.where(mask, pow10[np.maximum(plen[:, None] - 1 - k[None, :], 0)], 0)
        pos = (digits * weights).sum(axis=1)
        end = pos + (t4 - t3 - 1) - 1
        clen = t1 - starts
        # chromosome key: the first 8 bytes + length identifies every panel chromosome name
        key_bytes = arr[np.minimum(starts[:, None] + np.arange(8)[None, :], len(arr) - 1)]
        key_bytes = np.where(np.arange(8)[None, :] < clen[:, None], key_bytes, 0)
        keys = key_bytes.astype(np.uint64) @ (256 ** np.arange(8, dtype=np.uint64))
        for name, (s_arr, e_arr) in iv.items():
            if len(name) > 8:
                continue
            nkey = np.uint64(sum(b << (8 * j) for j, b in enumerate(name)))
            sel = np.flatnonzero((keys == nkey) & (clen == len(name)))
            if not len(sel):
                continue
            j = np.searchsorted(s_arr, end[sel], side="right") - 1
            ok = (j >= 0) & (e_arr[np.maximum(j, 0)] >= pos[sel])
            for i in sel[ok]:
                hits.append((int(line_no[i]), block[starts[i]:ends[i] + 1]))
    hits.sort()
    return hits, records


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


def _indexed_record_count(path: Path) -> int | None:
    """Total records from the .tbi/.csi index (`bcftools index -n`), None if unavailable."""
    try:
        import pysam.bcftools

        return int(str(pysam.bcftools.index("-n", str(path))).strip())
    except Exception:  # noqa: BLE001 - old index without counts, or bcftools error
        return None


def iter_regions(regions: Sequence[tuple[str, int, int]], style: str) -> Iterator[str]:
    """Region strings in the file's naming style (used by the benchmark too)."""
    for c, s, e in regions:
        yield f"{'chr' + c if style == 'chr' else c}:{s}-{e}"
