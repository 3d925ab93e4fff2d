"""Gene-level copy-number calls, corrected for tumour purity / tumour fraction and ploidy.

Mixture model (the one CNVkit's ``call --purity`` uses): a sample with tumour content p reads

    observed CN = ploidy * (1 - p) + p * tumour CN      =>   tumour CN = (observed - ploidy*(1-p)) / p

with ``observed CN = ploidy * 2**log2`` for log2 ratios. p is the sheet's purity for tissue and
its tumour fraction for plasma/CSF (digest 5.6: plasma CN ~ 2 + TF x (tumour CN - 2)). Without p
the observed CN is used and the record says so. Calls on the (adjusted) CN:

    amplification  >= amplification_cn and focal (segment <= focal_max_bp), or
                   >= broad_amplification_cn whatever the size
    gain           >= gain_cn * ploidy/2       (also: >= amplification_cn but broad)
    deep_deletion  <= deep_deletion_cn
    loss           <= loss_cn * ploidy/2
    neutral        otherwise

A liquid biopsy (plasma/CSF) cannot show that something is *absent* at low or unknown tumour
fraction: below ``min_tumor_fraction_for_negative`` neutral, loss and deep-deletion results
become ``not_assessable``; amplification/gain calls are kept but every liquid CN call carries
PLASMA_CNV_INSENSITIVE (plus LOW_TUMOR_FRACTION when TF is low or unknown).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kinres.config import section_values
from kinres.enums import CaveatCode, CopyNumberCall
from kinres.errors import ConfigError
from kinres.fmt import fmt_pct
from kinres.io.cnv import CnObservation, CnvTable
from kinres.models import CopyNumber, Sample

DEFAULT_PLOIDY = 2.0

_SEVERITY = {
    CopyNumberCall.AMPLIFICATION: 4, CopyNumberCall.DEEP_DELETION: 4,
    CopyNumberCall.GAIN: 2, CopyNumberCall.LOSS: 2,
    CopyNumberCall.NEUTRAL: 0, CopyNumberCall.NOT_ASSESSABLE: 0,
}
_UP = {CopyNumberCall.AMPLIFICATION, CopyNumberCall.GAIN}
_DOWN = {CopyNumberCall.LOSS, CopyNumberCall.DEEP_DELETION}


@dataclass(frozen=True)
class Settings:
    """`cnv` config section (workflow/schemas/config/cnv.schema.json)."""

    amplification_cn: float = 6.0
    broad_amplification_cn: float = 12.0
    gain_cn: float = 3.0
    loss_cn: float = 1.5
    deep_deletion_cn: float = 0.5
    focal_max_bp: int = 10_000_000
    min_tumor_fraction_for_negative: float = 0.2
    min_observed_shift: float = 0.25
    input_purity_adjusted: bool = False
    pass_only: bool = True
    panel_genes_only: bool = True

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> Settings:
        s = section_values(cls, mapping, "cnv")
        if not (0 <= s.deep_deletion_cn < s.loss_cn < s.gain_cn <= s.amplification_cn
                <= s.broad_amplification_cn):
            raise ConfigError(None, "cnv: thresholds must satisfy deep_deletion_cn < loss_cn < "
                                    "gain_cn <= amplification_cn <= broad_amplification_cn")
        return s


@dataclass(frozen=True)
class GeneSpan:
    """Genomic extent of a panel gene's reporting transcript (1-based inclusive)."""

    gene: str
    chrom: str
    start: int
    end: int


@dataclass(frozen=True)
class TumourContent:
    """Which purity/TF and ploidy a sample's CN calls use, and where they came from."""

    fraction: float | None
    source: str | None  # "purity" | "tumor_fraction" | None
    ploidy: float
    ploidy_from_sheet: bool
    liquid: bool


def tumour_content(sample: Sample) -> TumourContent:
    """Tissue uses purity (else a sheet TF); plasma/CSF use the sheet tumour fraction only."""
    liquid = sample.specimen.is_liquid
    if liquid:
        fraction, source = sample.tumor_fraction, "tumor_fraction"
    elif sample.purity is not None:
        fraction, source = sample.purity, "purity"
    else:
        fraction, source = sample.tumor_fraction, "tumor_fraction"
    if fraction is None:
        source = None
    ploidy = sample.ploidy if sample.ploidy else DEFAULT_PLOIDY
    return TumourContent(fraction, source, ploidy, sample.ploidy is not None, liquid)


def chrom_key(chrom: str) -> str:
    """Compare contigs without the 'chr' prefix (chrM == MT)."""
    c = chrom[3:] if chrom.lower().startswith("chr") else chrom
    return "MT" if c.upper() in ("M", "MT") else c.upper()


def spans_from_panel(panel: Any) -> tuple[GeneSpan, ...]:
    """Transcript spans (tx_start..tx_end) of every panel gene."""
    out = []
    for gene in panel.genes:
        tx = panel.transcript(gene)
        out.append(GeneSpan(gene, tx.chrom, int(tx.tx_start), int(tx.tx_end)))
    return tuple(out)


# --------------------------------------------------------------------------- arithmetic
def observed_copy_number(obs: CnObservation, ploidy: float) -> float | None:
    """Observed (sample-level) CN: the file's CN, or ploidy * 2**log2."""
    if obs.copy_number is not None:
        return obs.copy_number
    if obs.log2 is not None:
        return ploidy * 2.0 ** obs.log2
    return None


def adjusted_copy_number(observed: float, fraction: float | None, ploidy: float) -> float:
    """Tumour CN from the mixture model; returns `observed` when the fraction is unknown."""
    if fraction is None or fraction >= 1.0:
        return observed
    if fraction <= 0.0:
        raise ValueError("tumour fraction must be > 0 to adjust copy number")
    return max(0.0, (observed - ploidy * (1.0 - fraction)) / fraction)


def classify(cn: float, focal: bool | None, ploidy: float, s: Settings) -> CopyNumberCall:
    """Threshold a tumour copy number (see module docstring)."""
    scale = ploidy / 2.0
    if cn >= s.broad_amplification_cn or (cn >= s.amplification_cn and focal is not False):
        return CopyNumberCall.AMPLIFICATION
    if cn >= min(s.gain_cn * scale, s.amplification_cn):  # broad high CN lands here too
        return CopyNumberCall.GAIN
    if cn <= s.deep_deletion_cn:
        return CopyNumberCall.DEEP_DELETION
    if cn <= s.loss_cn * scale:
        return CopyNumberCall.LOSS
    return CopyNumberCall.NEUTRAL


# --------------------------------------------------------------------------- calling
def call_observation(obs: CnObservation, gene: str, content: TumourContent,
                     s: Settings) -> CopyNumber:
    """One gene's call from one observation, with caveats and the purity actually used."""
    notes: list[str] = []
    size = obs.size
    focal = None if size is None else size <= s.focal_max_bp
    observed = observed_copy_number(obs, content.ploidy)
    adjusted = None
    used = None
    if obs.discrete is not None:
        call = obs.discrete
        notes.append("discrete (GISTIC-style) call from the input; no copy number given")
    else:
        assert observed is not None
        if obs.tumour_absolute or s.input_purity_adjusted:
            adjusted = observed
            notes.append("input copy number is already tumour-specific; not re-adjusted")
        elif content.fraction is None:
            adjusted = observed
            notes.append(f"{'tumour fraction' if content.liquid else 'purity'} unknown: "
                         "observed copy number used unadjusted")
        elif abs(observed - content.ploidy) < s.min_observed_shift:
            # within measurement noise of the baseline: dividing by a small p would turn
            # noise into a call
            adjusted = observed
            used = content.fraction
            notes.append(f"observed CN {observed:.2f} within {s.min_observed_shift} of ploidy "
                         f"{content.ploidy:g}: treated as baseline")
        else:
            adjusted = adjusted_copy_number(observed, content.fraction, content.ploidy)
            used = content.fraction
        call = classify(adjusted, focal, content.ploidy, s)
        if call is CopyNumberCall.GAIN and adjusted >= s.amplification_cn and focal is False:
            notes.append(f"high copy number over a broad segment ({size:,} bp > "
                         f"{s.focal_max_bp:,} bp): reported as gain, not focal amplification")

    caveats: list[CaveatCode] = []
    if content.liquid:
        low = content.fraction is None or content.fraction < s.min_tumor_fraction_for_negative
        caveats.append(CaveatCode.PLASMA_CNV_INSENSITIVE)
        if low:
            caveats.append(CaveatCode.LOW_TUMOR_FRACTION)
            if call not in _UP:
                tf = "unknown" if content.fraction is None else fmt_pct(content.fraction)
                notes.append(f"tumour fraction {tf} < {fmt_pct(s.min_tumor_fraction_for_negative)}: "
                             f"a {call} result cannot be called from a liquid biopsy")
                call = CopyNumberCall.NOT_ASSESSABLE
    return CopyNumber(
        gene=gene, call=call, chrom=obs.chrom, start=obs.start, end=obs.end,
        copy_number=_round(observed), log2=_round(obs.log2),
        adjusted_copy_number=_round(adjusted), focal=focal, segment_size=size,
        caveats=tuple(caveats), source=obs.source, purity_used=used,
        purity_source=content.source if used is not None else None,
        ploidy_used=content.ploidy, note="; ".join(notes) or None)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _overlap(obs: CnObservation, span: GeneSpan) -> int:
    if obs.chrom is None or chrom_key(obs.chrom) != chrom_key(span.chrom):
        return 0
    return max(0, min(obs.end, span.end) - max(obs.start, span.start) + 1)


def call_copy_numbers(table: CnvTable, sample: Sample, spans: Sequence[GeneSpan] | None,
                      settings: Settings = Settings()) -> tuple[tuple[CopyNumber, ...],
                                                                tuple[str, ...]]:
    """Gene-level calls for panel genes; returns (calls sorted by gene, warnings).

    Segments are assigned to every panel gene whose transcript span they overlap; gene-level
    rows keep their gene (restricted to panel genes when `spans` is given and
    `settings.panel_genes_only`). When several records hit one gene the most severe call wins
    (ties: larger overlap, then earlier line) and conflicting directions are warned about.
    """
    content = tumour_content(sample)
    span_by_gene = {sp.gene: sp for sp in spans} if spans is not None else None
    candidates: dict[str, list[tuple[CopyNumber, int]]] = defaultdict(list)
    off_panel: set[str] = set()
    unmapped = 0
    for obs in table.observations:
        targets: list[tuple[str, int]] = []
        if obs.chrom is not None and span_by_gene is not None:
            targets = [(sp.gene, ov) for sp in span_by_gene.values()
                       if (ov := _overlap(obs, sp)) > 0]
            if not targets and obs.genes:
                # gene-level row whose coordinates miss the panel span: trust the name only
                # if the gene is on the panel (and then say so in the warnings)
                targets = [(g, 0) for g in obs.genes if g in span_by_gene]
        elif obs.genes:
            targets = [(g, 0) for g in obs.genes]
        else:
            unmapped += 1
            continue
        for gene, ov in targets:
            if span_by_gene is not None and settings.panel_genes_only and gene not in span_by_gene:
                off_panel.add(gene)
                continue
            candidates[gene].append((call_observation(obs, gene, content, settings), ov))
    warnings = list(table.warnings)
    if off_panel:
        warnings.append(f"{table.path.name}: {len(off_panel)} gene(s) not on the panel ignored")
    if unmapped:
        warnings.append(f"{table.path.name}: {unmapped} record(s) without coordinates or gene "
                        "could not be placed")
    calls = []
    for gene in sorted(candidates):
        options = candidates[gene]
        best = max(options, key=lambda o: (_SEVERITY[o[0].call], o[1],
                                           -(o[0].source.line or 0)))[0]
        directions = {o[0].call for o in options}
        if directions & _UP and directions & _DOWN:
            lines = ", ".join(str(o[0].source.line) for o in options)
            warnings.append(f"{gene}: conflicting copy-number records (lines {lines}); "
                            f"reported the most severe ({best.call})")
        calls.append(best)
    return tuple(calls), tuple(warnings)
