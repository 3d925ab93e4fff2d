"""Primary-assembly contig lengths and per-file breakpoint sanity checks.

Lengths are the GRC primary assembly values (GRCh37.p13 / GRCh38.p14 chromosome lengths, which
do not change between patches). They catch coordinates from the wrong build: a breakpoint beyond
the chromosome end of the sample's build cannot be right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kinres.enums import Build
from kinres.errors import InputError
from kinres.models import Breakpoint

CHROM_LENGTHS: dict[Build, dict[str, int]] = {
    Build.GRCh37: {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566, "MT": 16569,
    },
    Build.GRCh38: {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415, "MT": 16569,
    },
}

# Unplaced/alt/decoy/viral contigs that SV callers legitimately report (hs37d5, GL000..., KI27...,
# chrUn_..., *_alt, HLA-..., chrEBV). A record there is counted, not an input error.
_SECONDARY = re.compile(
    r"^(chr)?(Un_|GL\d|KI\d|JH\d|KN\d|KQ\d|KV\d|KZ\d|ML\d|MU\d|NC_0\d+|hs37d5|EBV|HLA-|.*_random$|"
    r".*_alt$|.*_decoy$|.*_fix$|.*v\d+_(alt|random)$)", re.IGNORECASE)


def primary_name(chrom: str) -> str | None:
    """'chr7' / '7' / 'chrM' -> '7' / '7' / 'MT'; None when not a primary chromosome name."""
    c = chrom[3:] if chrom.lower().startswith("chr") else chrom
    if c in ("M", "m", "Mt", "mt"):
        c = "MT"
    if c.upper() in ("X", "Y"):
        c = c.upper()
    return c if c in CHROM_LENGTHS[Build.GRCh38] else None


def is_secondary_contig(chrom: str) -> bool:
    """True for unplaced, alt, decoy and viral contigs (not an error, but not assessable)."""
    return bool(_SECONDARY.match(chrom))


@dataclass
class ContigChecker:
    """Checks breakpoints of one file against one build; remembers the file's chr naming."""

    path: str
    build: Build
    _prefixed: bool | None = field(default=None, init=False)
    _first_line: int | None = field(default=None, init=False)

    def breakpoint(self, chrom: str, pos: str | int, strand: str | None, line: int,
                   record: str | None = None) -> Breakpoint:
        """Validated Breakpoint with the chromosome normalised to the panel style ("7", "MT")."""
        chrom = chrom.strip()
        name = primary_name(chrom)
        if name is None:
            raise InputError(self.path, f"contig {chrom!r} is not a chromosome of {self.build}",
                             line=line, record=record)
        prefixed = chrom.lower().startswith("chr")
        if self._prefixed is None:
            self._prefixed, self._first_line = prefixed, line
        elif prefixed != self._prefixed:
            style = "'chr'-prefixed" if self._prefixed else "unprefixed"
            raise InputError(self.path, f"chromosome naming is inconsistent: {chrom!r} here but "
                             f"{style} names from line {self._first_line}; mixed references?",
                             line=line, record=record)
        try:
            ipos = int(str(pos).strip())
        except ValueError:
            raise InputError(self.path, f"breakpoint position {pos!r} is not an integer",
                             line=line, record=record) from None
        if ipos <= 0:
            raise InputError(self.path, f"breakpoint position {ipos} must be >= 1",
                             line=line, record=record)
        length = CHROM_LENGTHS[self.build][name]
        if ipos > length:
            raise InputError(self.path, f"breakpoint {chrom}:{ipos} lies beyond the end of "
                             f"chromosome {name} in {self.build} ({length} bp); wrong genome "
                             "build?", line=line, record=record)
        if strand is not None:
            strand = strand.strip()
            if strand in ("", "."):
                strand = None
            elif strand not in ("+", "-"):
                raise InputError(self.path, f"strand {strand!r} must be '+', '-' or '.'",
                                 line=line, record=record)
        return Breakpoint(chrom=name, pos=ipos, strand=strand)

    def parse(self, text: str, line: int, record: str | None = None,
              strand_required: bool = False) -> Breakpoint:
        """Parse 'chr:pos' or 'chr:pos:strand' (STAR-Fusion, FusionCatcher, generic TSV)."""
        parts = text.strip().split(":")
        if len(parts) not in (2, 3) or not parts[0]:
            raise InputError(self.path, f"breakpoint {text!r} is not chrom:pos[:strand]",
                             line=line, record=record)
        if strand_required and len(parts) != 3:
            raise InputError(self.path, f"breakpoint {text!r} lacks its strand (chrom:pos:strand)",
                             line=line, record=record)
        return self.breakpoint(parts[0], parts[1], parts[2] if len(parts) == 3 else None,
                               line, record)
