"""Evidence kinres computed, put beside the claim it supports: read counts behind a phase call,
the reporting transcript's RefSeq ID and protein length, the copy-number threshold behind a call."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from kinres.enums import Build, CopyNumberCall
from kinres.fmt import fmt_pct
from kinres.models import Alteration, Mechanism, PhaseCall, PhaseEvidence


def with_transcript_info(alt: Alteration, build: Build) -> Alteration:
    """RefSeq ID and protein length of the reporting transcript (e.g. NTRK3 NM_001012338, 839 aa)."""
    try:
        from kinres.annotate.transcripts import Panel

        panel = Panel.load(build)
    except (ImportError, OSError, KeyError):  # panel tables unavailable: leave the fields empty
        return alt
    tx = panel.by_id(alt.transcript) if alt.transcript else None
    if tx is None and alt.gene in panel:
        reporting = panel.transcript(alt.gene)
        # fusions / CN name no transcript; an annotator's protein-identical isoform ID (e.g. NTRK3
        # ENST00000394480 for NM_001012338) is numbered like the reporting transcript
        if alt.transcript is None or alt.fusion is not None or \
                panel.protein_identical(alt.transcript, reporting.transcript_id):
            tx = reporting
    if tx is None:
        return alt
    return replace(alt, refseq=tx.refseq or None, protein_length=tx.protein_length)


def _num(params: dict[str, str], key: str) -> float | None:
    try:
        return float(params[key].split()[0])
    except (KeyError, ValueError, IndexError):
        return None


def cn_threshold(call: CopyNumberCall, params: dict[str, str]) -> str | None:
    """The rule behind a copy-number call, from the cnv stage's recorded parameters."""
    amp, broad = _num(params, "cnv.amplification_cn"), _num(params, "cnv.broad_amplification_cn")
    gain, loss, deep = _num(params, "cnv.gain_cn"), _num(params, "cnv.loss_cn"), _num(params, "cnv.deep_deletion_cn")
    ploidy = _num(params, "cnv.ploidy") or 2.0
    focal = _num(params, "cnv.focal_max_bp")
    purity = params.get("cnv.purity_used", "none")
    source = params.get("cnv.purity_source", "none")
    used = _num(params, "cnv.purity_used")
    # British spelling and a percentage, as everywhere else clinician-facing ("tumour fraction 35.0%")
    basis = ("observed copy number (not purity-adjusted)" if purity in ("none", "", None)
             else f"copy number adjusted for {source.replace('_', ' ').replace('tumor', 'tumour')} "
                  f"{fmt_pct(used) if used is not None else purity}")
    if call is CopyNumberCall.AMPLIFICATION and amp is not None:
        size = f" and focal (<= {focal / 1e6:g} Mb)" if focal else ""
        rule = f">= {amp:g} copies{size}" + (f", or >= {broad:g} at any size" if broad else "")
    elif call is CopyNumberCall.GAIN and gain is not None:
        rule = f">= {gain * ploidy / 2:g} copies (below the amplification threshold)"
    elif call is CopyNumberCall.LOSS and loss is not None:
        rule = f"<= {loss * ploidy / 2:g} copies"
    elif call is CopyNumberCall.DEEP_DELETION and deep is not None:
        rule = f"<= {deep:g} copies"
    else:
        return None
    return f"{call.value.replace('_', ' ')}: {rule}; {basis}"


def phase_evidence(mechanism: Mechanism, keys: dict[str, str], phases: list[PhaseCall]) -> Mechanism:
    """Read counts (both / only A / only B / neither) for every pair of the mechanism's variants."""
    if len(mechanism.alteration_ids) < 2:
        return mechanism
    lookup = {frozenset((p.variant_a, p.variant_b)): p for p in phases}
    out = []
    for a, b in combinations(mechanism.alteration_ids, 2):
        if a not in keys or b not in keys:
            continue
        p = lookup.get(frozenset((keys[a], keys[b])))
        if p is None:
            continue
        first, second = (a, b) if p.variant_a == keys[a] else (b, a)
        out.append(PhaseEvidence(first, second, p.phase, p.reads_both, p.reads_a_only, p.reads_b_only,
                                 p.reads_neither, p.note))
    return replace(mechanism, phase_evidence=tuple(out)) if out else mechanism
