"""Alterations with their role, and the resistance mechanisms they form.

Every detected event becomes an Alteration (nothing is dropped: passengers and uncertain events
are listed); only driver / on-target / bypass / transformation roles feed mechanisms, and only
when the event passed the caller's filters. An origin hint (possible germline / possible CH,
interpret/origin.py) never removes an event from this reasoning: the report's caveat says which
conclusion rests on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kinres.annotate import met_exon14
from kinres.annotate.met_exon14 import Exon14Event
from kinres.enums import (
    AltKind,
    Consequence,
    CopyNumberCall,
    MatchLevel,
    MechanismClass,
    Origin,
    Phase,
    Role,
)
from kinres.errors import KinresError
from kinres.interpret import ctdna
from kinres.interpret import origin as origin_model
from kinres.interpret.compound import group_phase
from kinres.knowledge.hgvs import is_substitution, normalise_p, position
from kinres.knowledge.loader import DRIVER_GENES, KnowledgeBase
from kinres.knowledge.records import BypassRule, CompoundMatch, FusionVariant, Match
from kinres.models import (
    Alteration,
    CopyNumber,
    Fusion,
    FusionSummary,
    Mechanism,
    PhaseCall,
    Sample,
    Variant,
)

LOF = {Consequence.STOP_GAINED, Consequence.FRAMESHIFT, Consequence.SPLICE_ACCEPTOR,
       Consequence.SPLICE_DONOR, Consequence.START_LOST}
SILENT = {Consequence.SYNONYMOUS, Consequence.INTRON, Consequence.UTR5, Consequence.UTR3,
          Consequence.NON_CODING, Consequence.UPSTREAM, Consequence.DOWNSTREAM, Consequence.INTERGENIC,
          Consequence.STOP_RETAINED}
TP53_DBD = (94, 312)  # DNA-binding domain: missense here is usually inactivating


@dataclass
class Finding:
    """Working record for one detected event (internal to interpret)."""

    order: tuple
    alteration: Alteration
    variant: Variant | None = None
    fusion: Fusion | None = None
    copy: CopyNumber | None = None
    match: Match | None = None
    bypass: BypassRule | None = None
    actionable_driver: bool = False
    usable: bool = True  # False for filtered events (origin hints keep it True)
    origin: origin_model.OriginCall | None = None  # small variants only
    inactivating: bool = False
    fusion_variants: tuple[FusionVariant, ...] = ()
    flags: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    met_exon14: Exon14Event | None = None  # MET exon 14 class from the genomic position

    @property
    def id(self) -> str:
        return self.alteration.id


@dataclass(frozen=True)
class OnTargetGroup:
    """On-target mutations of one driver gene, with their phase and any compound rows."""

    gene: str
    findings: tuple[Finding, ...]
    phase: Phase | None  # None for a single mutation
    compound: CompoundMatch | None

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(f.alteration.hgvs_p or "" for f in self.findings)

    @property
    def is_cis_compound(self) -> bool:
        return self.phase is Phase.CIS and len(self.findings) > 1


def _indication(sample: Sample) -> str:
    return "neuroblastoma" if "neuroblastoma" in sample.tumor_type.lower() else "fusion"


def fusion_gate(fusion: Fusion) -> tuple[bool, list[str]]:
    """Actionability gate (digest section 1): kinase 3', in frame, whole kinase domain kept."""
    reasons = list(fusion.not_actionable_reasons)
    kinase = fusion.kinase_gene or fusion.three_prime_gene
    if fusion.three_prime_gene != kinase:
        reasons.append("kinase is not the 3' partner")
    if fusion.in_frame is None:
        reasons.append("reading frame unknown")
    elif fusion.in_frame is False:
        reasons.append("out of frame")
    if fusion.kinase_domain_retained is None:
        reasons.append("kinase-domain retention unknown")
    elif fusion.kinase_domain_retained is False:
        reasons.append("kinase domain not retained")
    for flag in ("read_through", "known_artefact"):
        if flag in fusion.flags:
            reasons.append(flag.replace("_", " "))
    ok = fusion.actionable and not reasons
    if not fusion.actionable and not reasons:
        reasons.append("not actionable per fusion caller stage")
    return ok, sorted(set(reasons))


def _bypass_matches(rule: BypassRule, gene: str, v: Variant | None, cn: CopyNumber | None,
                    drivers: set[str]) -> bool:
    if gene not in rule.genes:
        return False
    pattern = rule.pattern
    if cn is not None:
        if pattern == "amplification":
            return cn.call is CopyNumberCall.AMPLIFICATION
        if pattern == "driver_amplification":
            return cn.call is CopyNumberCall.AMPLIFICATION and gene in drivers
        if pattern == "loss":
            return cn.call is CopyNumberCall.DEEP_DELETION
        return False
    if v is None or v.annotation is None:
        return False
    ann = v.annotation
    cons = set(ann.consequences)
    hgvs = normalise_p(ann.hgvs_p)
    if pattern == "loss":
        return bool(cons & LOF)
    if pattern == "exon14_skipping":
        # normally decided from the genomic position (met_exon14, in build_findings); this is
        # the fallback when the panel's MET transcript is unavailable: the annotator's exon 14
        # acceptor (intron 13) or donor (exon 14 / intron 14) site
        return bool((Consequence.SPLICE_ACCEPTOR in cons and ann.intron == 13)
                    or (Consequence.SPLICE_DONOR in cons and (ann.exon == 14 or ann.intron == 14)))
    for part in pattern.split(";"):
        kind, _, arg = part.partition(":")
        if kind == "hotspots" and hgvs in arg.split(","):
            return True
        if kind == "codons" and hgvs and is_substitution(hgvs) and Consequence.MISSENSE in cons:
            pos = position(hgvs)
            if pos and str(pos[1]) in arg.split(","):
                return True
        if kind == "inframe_exon" and ann.exon == int(arg) and cons & {
                Consequence.INFRAME_DELETION, Consequence.PROTEIN_ALTERING}:
            return True
        if kind == "inframe_ins_exon" and ann.exon == int(arg) and Consequence.INFRAME_INSERTION in cons:
            return True
    return False


def _met_transcript(sample: Sample, variants: list[Variant]):
    """The panel's MET transcript for the sample's build, loaded only when MET variants exist."""
    if not any(v.annotation is not None and v.annotation.gene == "MET" for v in variants):
        return None
    try:
        from kinres.annotate.transcripts import Panel

        return Panel.load(sample.genome_build).transcript("MET")
    except (KinresError, KeyError, OSError):
        return None  # panel tables unavailable: the annotator-based rule applies


def _inactivating(gene: str, v: Variant | None, cn: CopyNumber | None) -> bool:
    if cn is not None:
        return cn.call is CopyNumberCall.DEEP_DELETION
    if v is None or v.annotation is None:
        return False
    cons = set(v.annotation.consequences)
    if cons & LOF:
        return True
    if gene == "TP53" and Consequence.MISSENSE in cons:
        pos = position(v.annotation.hgvs_p)
        return bool(pos and TP53_DBD[0] <= pos[1] <= TP53_DBD[1])
    return False


def build_findings(sample: Sample, variants: list[Variant], fusions: list[Fusion],
                   copies: list[CopyNumber], kb: KnowledgeBase, settings) -> list[Finding]:
    """Classify every detected event; ids are assigned by the caller after sorting."""
    indication = _indication(sample)
    findings: list[Finding] = []
    # ---- fusions
    for fu in fusions:
        kinase = fu.kinase_gene or fu.three_prime_gene
        ok, reasons = fusion_gate(fu)
        flags = set()
        is_driver_kinase = kinase in DRIVER_GENES
        if not ok:
            flags.add("not_actionable_fusion")
        if fu.molecule == "dna":
            flags.add("dna_only")
        flags.update(f for f in fu.flags if f in ("read_through", "known_artefact"))
        role = Role.DRIVER if (ok and is_driver_kinase) else Role.UNCERTAIN
        summary = FusionSummary(
            five_prime_gene=fu.five_prime_gene, three_prime_gene=fu.three_prime_gene,
            five_prime_exon=fu.five_prime_exon, three_prime_exon=fu.three_prime_exon,
            junction_label=fu.junction_label or _junction(fu), variant_label=fu.variant_label,
            in_frame=fu.in_frame, kinase_domain_retained=fu.kinase_domain_retained,
            supporting_reads=fu.supporting_reads, caller=fu.caller)
        fm = kb.match_fusion(fu) if is_driver_kinase else None
        alt = Alteration(id="", kind=AltKind.FUSION, gene=kinase, role=role, fusion=summary,
                         vaf=fu.fusion_af, knowledge_ids=tuple(sorted(v.id for v in fm.variants)) if fm else (),
                         match_level=MatchLevel.FUSION_VARIANT if fm and fm.variants else None)
        f = Finding(order=(0, kinase, fu.five_prime_gene, fu.five_prime_exon or 0, fu.three_prime_exon or 0),
                    alteration=alt, fusion=fu, actionable_driver=role is Role.DRIVER, flags=flags,
                    fusion_variants=fm.variants if fm else (),
                    usable=role is Role.DRIVER)
        if not ok:
            f.notes.append("rearrangement of uncertain functional significance: " + "; ".join(reasons))
        findings.append(f)
    drivers = {f.alteration.gene for f in findings if f.actionable_driver}
    amplified = {c.gene for c in copies if c.call is CopyNumberCall.AMPLIFICATION}

    met_tx = _met_transcript(sample, variants)
    exon14_rule = next((r for r in kb.bypass_rules() if r.pattern == "exon14_skipping"), None)
    # ---- small variants: first pass for tumour signal (for CH 'careful' genes and subclonality)
    matches: dict[str, Match | None] = {}
    for v in variants:
        ann = v.annotation
        matches[v.key] = (kb.match_variant(ann.gene, ann.hgvs_p, ann.protein_start, None, indication)
                          if ann and ann.is_protein_altering else
                          (kb.match_variant(ann.gene, None, ann.protein_start, False, indication) if ann else None))

    def strong(v: Variant) -> bool:
        m = matches.get(v.key)
        return bool(m and m.level is MatchLevel.EXACT and any(r.evidence.confidence.value in "HM" for r in m.rows))

    copy_by_gene = {c.gene: c for c in copies}

    def germline(v: Variant) -> origin_model.OriginCall | None:
        gene = v.annotation.gene if v.annotation else ""
        return origin_model.germline_hint(v, sample, copy_by_gene.get(gene), settings, strong_somatic=strong(v),
                                    amplified=gene in amplified)

    def tumour_signal(exclude: Variant | None) -> float | None:
        vals = [v.vaf for v in variants if v is not exclude and v.vaf is not None and ctdna.passed(v)
                and v.annotation is not None
                and v.annotation.gene not in settings.chip_genes
                and v.annotation.gene not in settings.chip_careful_genes
                and v.annotation.gene not in amplified
                and germline(v) is None]
        vals += [f.fusion_af for f in fusions if f.fusion_af is not None]
        return max(vals) if vals else None

    for v in variants:
        ann = v.annotation
        gene = ann.gene if ann else "."
        flags: set[str] = set()
        usable = ctdna.passed(v)
        if not usable:
            flags.add("filtered")
        call = origin_model.classify(v, sample, copy_by_gene.get(gene), settings, strong_somatic=strong(v),
                               amplified=gene in amplified, tumour_max_vaf=tumour_signal(v))
        if call.origin is Origin.POSSIBLE_CH:
            flags.add(ctdna.FLAG_CHIP)
        elif call.origin is Origin.POSSIBLE_GERMLINE:
            flags.add(ctdna.FLAG_GERMLINE)
        m = matches.get(v.key)
        hgvs = normalise_p(ann.hgvs_p) if ann else None
        role = Role.PASSENGER
        bypass = None
        ex14 = met_exon14.classify(v, met_tx) if gene == "MET" and met_tx is not None else None
        if ex14 is not None and exon14_rule is not None and gene in exon14_rule.genes:
            # whatever consequence the annotator wrote (missense, intron, coding_sequence...)
            role, bypass = Role.BYPASS, exon14_rule
        elif ann is None or set(ann.consequences) <= SILENT or not ann.consequences:
            role = Role.PASSENGER
        elif m is not None and m.level in (MatchLevel.EXACT, MatchLevel.CODON):
            if m.requested_indication == "neuroblastoma" and gene not in drivers:
                # full-length ALK mutation in neuroblastoma is the primary driver, also when only
                # fusion-context rows exist for the change (those rows are not transferred: drugs.py)
                role = Role.DRIVER
            else:
                role = Role.ON_TARGET_RESISTANCE
        else:
            role = Role.UNCERTAIN
            bypass = next((r for r in kb.bypass_rules() if _bypass_matches(r, gene, v, None, drivers)
                           and not (r.pattern == "exon14_skipping" and met_tx is not None)), None)
            if bypass is not None:
                role = Role.BYPASS
        if not usable and role in (Role.ON_TARGET_RESISTANCE, Role.BYPASS, Role.DRIVER):
            role = Role.UNCERTAIN
        pos = position(hgvs) if hgvs else None
        aa_pos = ann.protein_start if ann and ann.protein_start else (pos[1] if pos else None)
        dom = kb.kinase_domain(gene)
        in_kd = (dom[0] <= aa_pos <= dom[1]) if (dom and aa_pos) else (False if dom else None)
        alt = Alteration(
            id="", kind=v.kind, gene=gene, role=role, transcript=ann.transcript if ann else None,
            hgvs_c=ann.hgvs_c if ann else None,
            # a change only expressible on another isoform is shown with its transcript ID
            hgvs_p=hgvs or (ann.isoform_hgvs_p if ann else None), exon=ann.exon if ann else None,
            vaf=v.vaf, depth=v.depth, alt_reads=v.alt_reads, in_kinase_domain=in_kd,
            structural_class=kb.structural_class(gene, aa_pos) if dom else None,
            match_level=m.level if m else None, knowledge_ids=m.knowledge_ids if m else (),
            chrom=v.chrom, pos=v.pos, ref=v.ref, alt=v.alt, origin=call.origin, origin_note=call.reason)
        f = Finding(order=(1, gene, aa_pos or 0, v.chrom, v.pos, v.ref, v.alt), alteration=alt, variant=v,
                    match=m, bypass=bypass, usable=usable, flags=flags, origin=call,
                    inactivating=_inactivating(gene, v, None), met_exon14=ex14)
        if ex14 is not None:
            f.notes.append(ex14.label)
        if m is not None and m.note:
            f.notes.append(m.note)
        findings.append(f)

    # ---- copy number
    for c in copies:
        if c.call in (CopyNumberCall.NEUTRAL, CopyNumberCall.NOT_ASSESSABLE):
            continue
        kind = {CopyNumberCall.AMPLIFICATION: AltKind.AMPLIFICATION, CopyNumberCall.GAIN: AltKind.AMPLIFICATION,
                CopyNumberCall.DEEP_DELETION: AltKind.DELETION_CN, CopyNumberCall.LOSS: AltKind.DELETION_CN}[c.call]
        flags = set()
        if c.call is CopyNumberCall.GAIN:
            flags.add("low_level_gain")
        if c.call is CopyNumberCall.LOSS:
            flags.add("shallow_loss")
        bypass = next((r for r in kb.bypass_rules() if _bypass_matches(r, c.gene, None, c, drivers)), None)
        role = Role.BYPASS if bypass and bypass.mechanism_class is MechanismClass.OFF_TARGET else (
            Role.ON_TARGET_RESISTANCE if bypass else Role.UNCERTAIN)
        if c.call is CopyNumberCall.GAIN and sample.specimen.is_liquid and any(
                r.pattern == "amplification" and c.gene in r.genes for r in kb.bypass_rules()):
            flags.add("possible_amplification_diluted")
        alt = Alteration(id="", kind=kind, gene=c.gene, role=role,
                         copy_number=c.adjusted_copy_number if c.adjusted_copy_number is not None else c.copy_number,
                         flags=())
        findings.append(Finding(order=(2, c.gene, c.chrom or "", c.start or 0), alteration=alt, copy=c,
                                bypass=bypass, flags=flags, inactivating=_inactivating(c.gene, None, c)))

    # ---- TP53 + RB1 co-inactivation: transformation marker (phenotypic)
    rule = next((r for r in kb.bypass_rules() if r.pattern.startswith("co_inactivation:")), None)
    if rule is not None:
        needed = rule.pattern.split(":", 1)[1].split("+")
        hits = {g: [f for f in findings if f.alteration.gene == g and f.inactivating and f.usable] for g in needed}
        if all(hits.values()):
            for g in needed:
                for f in hits[g]:
                    f.bypass = rule
                    f.alteration = replace(f.alteration, role=Role.TRANSFORMATION_MARKER)
    return findings


def _junction(fu: Fusion) -> str | None:
    if fu.five_prime_exon is None or fu.three_prime_exon is None:
        return None
    return f"{fu.five_prime_gene} exon {fu.five_prime_exon} :: {fu.three_prime_gene} exon {fu.three_prime_exon}"


def on_target_groups(findings: list[Finding], phases: list[PhaseCall], kb: KnowledgeBase) -> list[OnTargetGroup]:
    """Usable on-target mutations grouped per gene, with phase and compound rows (cis only)."""
    groups = []
    genes = sorted({f.alteration.gene for f in findings
                    if f.usable and f.alteration.role is Role.ON_TARGET_RESISTANCE and f.variant is not None})
    for gene in genes:
        members = tuple(sorted((f for f in findings if f.usable and f.variant is not None
                                and f.alteration.gene == gene and f.alteration.role is Role.ON_TARGET_RESISTANCE),
                               key=lambda f: f.order))
        if len(members) == 1:
            groups.append(OnTargetGroup(gene, members, None, None))
            continue
        phase = group_phase([f.variant.key for f in members], phases)  # type: ignore[union-attr]
        compound = kb.match_compound(gene, [f.alteration.hgvs_p or "" for f in members]) if phase is Phase.CIS else None
        groups.append(OnTargetGroup(gene, members, phase, compound))
    return groups


def _fusion_association(findings: list[Finding], gene: str, hgvs_p: str | None) -> str | None:
    """Partner/junction-specific association of the driver fusion with this mutation (e.g. EML4-ALK v3)."""
    for f in findings:
        if f.fusion is None or not f.actionable_driver or f.alteration.gene != gene:
            continue
        for fv in f.fusion_variants:
            if fv.associated_mutation and fv.associated_mutation == hgvs_p:
                return f"{fv.id}: {fv.association} ({'; '.join(fv.citations)})"
    return None


def _cites(rows) -> tuple[str, ...]:
    return tuple(sorted({c for r in rows for c in r.evidence.citations}))


def build_mechanisms(findings: list[Finding], groups: list[OnTargetGroup], sample: Sample,
                     naive: bool, informative: bool | None, *, variants_assessed: bool = True,
                     fusions_assessed: bool = True) -> list[Mechanism]:
    """on_target / off_target / phenotypic mechanisms; none_identified when there are none.

    variants_assessed / fusions_assessed: False when the sample had no small-variant / fusion
    input, so the bypass note says "not assessed" instead of claiming a negative.
    """
    mechs: list[Mechanism] = []
    drivers = [f for f in findings if f.actionable_driver]
    driver_text = (", ".join(sorted(f"{f.fusion.five_prime_gene}-{f.fusion.three_prime_gene}" for f in drivers
                                    if f.fusion)) or "driver point mutation") if drivers else None
    for g in groups:
        changes = " + ".join(g.changes)
        if len(g.findings) == 1:
            f = g.findings[0]
            sc = f.alteration.structural_class.label if f.alteration.structural_class else "kinase domain"
            label = f"{g.gene} {changes} ({sc})"
            rows = f.match.rows if f.match else ()
            note = None if rows else "effect of this substitution is not in the knowledge tables"
            assoc = _fusion_association(findings, g.gene, f.alteration.hgvs_p)
            if assoc:
                note = "; ".join(x for x in (note, assoc) if x)
            mechs.append(Mechanism(MechanismClass.ON_TARGET, label, (f.id,), evidence=_cites(rows),
                                   knowledge_ids=f.alteration.knowledge_ids, note=note))
            continue
        ids = tuple(f.id for f in g.findings)
        rows = [r for f in g.findings if f.match for r in f.match.rows]
        if g.phase is Phase.CIS:
            label = f"{g.gene} compound mutation {changes} (cis)"
            kids = (g.compound.key,) if g.compound else ()
            cites = tuple(sorted({c for r in (g.compound.rows if g.compound else ()) for c in r.evidence.citations}))
            note = None if g.compound else "no compound-specific knowledge row: most conservative single-mutant calls used"
            mechs.append(Mechanism(MechanismClass.ON_TARGET, label, ids, compound=True, phase=Phase.CIS,
                                   evidence=cites or _cites(rows), knowledge_ids=kids, note=note))
        elif g.phase is Phase.TRANS:
            mechs.append(Mechanism(MechanismClass.ON_TARGET, f"{g.gene} mutations {changes} in trans (separate populations)",
                                   ids, compound=False, phase=Phase.TRANS, evidence=_cites(rows),
                                   note="each mutation handled by its own call; combined call = intersection of sensitivities"))
        else:
            mechs.append(Mechanism(MechanismClass.ON_TARGET,
                                   f"{len(g.findings)} {g.gene} mutations ({changes}), phase undetermined",
                                   ids, compound=False, phase=Phase.UNKNOWN, evidence=_cites(rows),
                                   note="no compound-specific call; conservative combination of single-mutant calls"))
    on_target_present = bool(groups)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        if f.bypass is not None and f.usable and f.alteration.role in (
                Role.BYPASS, Role.TRANSFORMATION_MARKER, Role.ON_TARGET_RESISTANCE):
            by_rule.setdefault(f.bypass.id, []).append(f)
    for rule_id in sorted(by_rule):
        fs = sorted(by_rule[rule_id], key=lambda f: f.order)
        rule = fs[0].bypass
        assert rule is not None
        if driver_text:
            driver_note = f"driver fusion still detected ({driver_text})"
        elif fusions_assessed:
            driver_note = "driver fusion not detected in this sample"
        else:
            driver_note = "driver fusion not assessed (no fusion input)"
        if on_target_present:
            on_target_note = "on-target mutation co-exists (heterogeneity)"
        elif variants_assessed:
            on_target_note = "on-target mutation not detected"
        else:
            # absence of evidence: no small-variant file was given, so nothing was tested
            on_target_note = "on-target mutation not assessed (no small-variant input)"
        statement = (f"{driver_note}; {on_target_note}; "
                     f"evidence {rule.level} ({rule.evidence_type.value}, confidence {rule.confidence.value})")
        if rule.mechanism_class is MechanismClass.OFF_TARGET:
            # a bypass is treated by adding an agent to the driver TKI (a combination); a phenotypic
            # change (small-cell transformation) is treated with chemotherapy: no combination wording
            statement += "; combinations carry overlapping toxicity and are usually investigational"
        label = rule.label
        if rule.pattern == "exon14_skipping" and fs and all(
                f.met_exon14 is not None and not f.met_exon14.skipping for f in fs):
            label = "MET Y1003 substitution: CBL-binding site lost (acts like exon 14 skipping; bypass)"
        mechs.append(Mechanism(rule.mechanism_class, label, tuple(f.id for f in fs), evidence=rule.citations,
                               knowledge_ids=(f"bypass:{rule.id}",), note=statement))
    if not mechs:
        if naive:
            label = "none identified (treatment-naive sample)"
        elif informative is False:
            label = "none identified (negative result not informative at this tumour fraction)"
        else:
            label = "none identified"
        mechs.append(Mechanism(MechanismClass.NONE_IDENTIFIED, label, ()))
    return mechs
