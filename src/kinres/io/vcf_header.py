"""VCF header reading: caller, genome build, ##INFO/##FORMAT/##contig definitions, tumour column."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from kinres.enums import Build
from kinres.errors import InputError

# Primary-assembly contig lengths that tell the builds apart.
_BUILD_LENGTHS = {
    "1": {249250621: Build.GRCh37, 248956422: Build.GRCh38},
    "2": {243199373: Build.GRCh37, 242193529: Build.GRCh38},
    "7": {159138663: Build.GRCh37, 159345973: Build.GRCh38},
}


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
