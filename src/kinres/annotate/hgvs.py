"""Pure sequence and HGVS helpers: genetic code, amino-acid codes, reverse complement and
HGVS c./p. string formatting/parsing. No I/O, no panel knowledge."""

from __future__ import annotations

import re

__all__ = [
    "AA1_TO_AA3", "AA3_TO_AA1", "CODON_TABLE", "STOP", "aa1", "aa3", "complement", "format_c",
    "format_p_long", "format_p_short", "p_long_to_short", "parse_p_short", "revcomp", "translate",
]

STOP = "*"
_BASES = "TCAG"
# Standard genetic code (NCBI table 1), codons in TCAG order.
_AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE: dict[str, str] = {
    a + b + c: _AAS[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES) for j, b in enumerate(_BASES) for k, c in enumerate(_BASES)
}

AA3_TO_AA1: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U", "Pyl": "O", "Ter": "*", "Xaa": "X",
}
AA1_TO_AA3: dict[str, str] = {v: k for k, v in AA3_TO_AA1.items()}

_COMPLEMENT = str.maketrans("ACGTNacgtnRYKMSWBDHVrykmswbdhv", "TGCANtgcanYRMKSWVHDByrmkswvhdb")


def complement(seq: str) -> str:
    """Base-wise complement (IUPAC aware), same orientation."""
    return seq.translate(_COMPLEMENT)


def revcomp(seq: str) -> str:
    """Reverse complement (IUPAC aware; case kept)."""
    return seq.translate(_COMPLEMENT)[::-1]


def translate(seq: str, to_stop: bool = False) -> str:
    """Translate a coding sequence (length need not be a multiple of 3: a trailing partial codon
    is dropped). Codons with non-ACGT bases give "X"."""
    seq = seq.upper().replace("U", "T")
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = CODON_TABLE.get(seq[i:i + 3], "X")
        if to_stop and aa == STOP:
            break
        out.append(aa)
    return "".join(out)


def aa1(three: str) -> str:
    """Three-letter to one-letter code(s): "Gly" -> "G", "GlyArg" -> "GR", "Ter"/"*" -> "*"."""
    s = three.strip()
    if s in ("*", "X") or s in AA1_TO_AA3 and len(s) == 1:
        return s
    if len(s) % 3:
        raise ValueError(f"not a three-letter amino-acid string: {three!r}")
    out = []
    for i in range(0, len(s), 3):
        code = s[i:i + 3].capitalize()
        if code not in AA3_TO_AA1:
            raise ValueError(f"unknown amino acid {s[i:i + 3]!r} in {three!r}")
        out.append(AA3_TO_AA1[code])
    return "".join(out)


def aa3(one: str) -> str:
    """One-letter to three-letter code(s): "G" -> "Gly", "GR" -> "GlyArg", "*" -> "Ter"."""
    try:
        return "".join(AA1_TO_AA3[c] for c in one.strip().upper())
    except KeyError as exc:
        raise ValueError(f"unknown one-letter amino acid {exc.args[0]!r} in {one!r}") from None


def format_c(start: str, ref: str, alt: str, end: str | None = None) -> str:
    """HGVS c. string from c. position label(s) (as Transcript.c_position gives) and
    coding-strand alleles: substitution "c.3604G>A", deletion "c.100_102del",
    insertion "c.100_101insGT", duplication is left to the caller, delins "c.100_101delinsTT"."""
    span = start if end is None or end == start else f"{start}_{end}"
    if len(ref) == 1 and len(alt) == 1:
        return f"c.{start}{ref}>{alt}"
    if ref and not alt:
        return f"c.{span}del"
    if alt and not ref:
        if end is None:
            raise ValueError("an insertion needs the two flanking positions")
        return f"c.{start}_{end}ins{alt}"
    return f"c.{span}delins{alt}"


def format_p_short(ref_aa: str, pos: int, alt_aa: str, kind: str = "missense",
                   end_pos: int | None = None, end_ref_aa: str | None = None) -> str:
    """One-letter short HGVS p. form used in reports.

    kind: "missense" -> p.G1202R; "synonymous" -> p.G1202=; "nonsense" -> p.R100*;
    "frameshift" -> p.R100fs; "deletion" -> p.E746_A750del (or p.E746del);
    "insertion" -> p.A767_V769insASV (pos/end_pos are the flanking residues);
    "delins" -> p.L747_T751delinsP; "duplication" -> p.A767_V769dup;
    "start_lost" -> p.M1?; "stop_lost" -> p.*189Qext*? (alt_aa = new residue).
    """
    def span() -> str:
        if end_pos is None or end_pos == pos:
            return f"{ref_aa}{pos}"
        return f"{ref_aa}{pos}_{end_ref_aa}{end_pos}"

    if kind == "missense" or kind == "nonsense":
        return f"p.{ref_aa}{pos}{alt_aa}"
    if kind == "synonymous":
        return f"p.{ref_aa}{pos}="
    if kind == "frameshift":
        return f"p.{ref_aa}{pos}fs"
    if kind == "deletion":
        return f"p.{span()}del"
    if kind == "insertion":
        if end_pos is None or end_ref_aa is None:
            raise ValueError("insertion needs both flanking residues")
        return f"p.{ref_aa}{pos}_{end_ref_aa}{end_pos}ins{alt_aa}"
    if kind == "delins":
        return f"p.{span()}delins{alt_aa}"
    if kind == "duplication":
        return f"p.{span()}dup"
    if kind == "start_lost":
        return f"p.{ref_aa}{pos}?"
    if kind == "stop_lost":
        return f"p.*{pos}{alt_aa}ext*?"
    raise ValueError(f"unknown protein change kind {kind!r}")


def format_p_long(short: str) -> str:
    """"p.G1202R" -> "p.Gly1202Arg" (three-letter form of a short p. string)."""
    if not short.startswith("p."):
        raise ValueError(f"not a p. string: {short!r}")
    # HGVS keywords (fs, del, ins, dup, ext) are lower case, so only residues are upper case
    return "p." + re.sub(r"[A-Z*]", lambda m: aa3(m.group(0)), short[2:])


_SHORT_RE = re.compile(r"^p\.\(?([A-Z*])(\d+)([A-Z*]|=|fs|del|dup)?\)?$")
_LONG_TOKEN = re.compile(r"(Ala|Arg|Asn|Asp|Cys|Gln|Glu|Gly|His|Ile|Leu|Lys|Met|Phe|Pro|Ser|Thr|Trp|Tyr|Val|Sec|Pyl|Ter|Xaa)")


def p_long_to_short(p: str) -> str:
    """"p.Gly1202Arg" / "p.(Gly1202Arg)" -> "p.G1202R"; short forms pass through (parentheses
    for predicted consequences are dropped)."""
    s = p.strip()
    if s.startswith("p.(") and s.endswith(")"):
        s = "p." + s[3:-1]
    return _LONG_TOKEN.sub(lambda m: AA3_TO_AA1[m.group(0)], s)


def parse_p_short(p: str) -> tuple[str, int, str | None]:
    """Parse a simple short p. string: "p.G1202R" -> ("G", 1202, "R"); "p.G1202" -> ("G", 1202,
    None); also "=", "fs", "del", "dup" as the third item. ValueError for anything else."""
    m = _SHORT_RE.match(p_long_to_short(p))
    if not m:
        raise ValueError(f"not a simple one-residue p. string: {p!r}")
    return m.group(1), int(m.group(2)), m.group(3)
