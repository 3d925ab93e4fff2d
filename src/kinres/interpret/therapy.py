"""Therapy options to consider, ranked by context (knowledge therapies.tsv, digest section 4).

A rule fires when all its trigger conditions hold. Drug rules propose each listed drug only if its
call in this sample is 'sensitive' and the tumour did not progress on it (prior or current therapy),
unless the deciding row documents re-sensitisation. Ranking key: rule priority
(curated; CNS rules outrank others when brain/CSF disease is known), where an option whose drug is
approved only from an age above the patient's is kept, labelled off-label/trial and moved to
AGE_OUTSIDE_PRIORITY: after every age-appropriate treatment option, still before generic advice
(re-biopsy); then approved before investigational, CNS penetration (when relevant), evidence level,
order within the rule. Options are "to consider", never a prescription.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kinres.enums import CaveatCode, DrugCallValue, MechanismClass, Progression, Role, Specimen
from kinres.interpret.course import course_of
from kinres.interpret.frames import (  # noqa: F401 (PAEDIATRIC_WORDS, is_paediatric_entity re-exported)
    PAEDIATRIC_WORDS,
    indication_of,
    is_lung,
    is_paediatric_entity,
    small_cell_evidence,
)
from kinres.interpret.mechanisms import Finding, OnTargetGroup
from kinres.knowledge.loader import KnowledgeBase
from kinres.knowledge.records import Drug, level_rank
from kinres.models import Caveat, DrugCall, Mechanism, Sample, TherapyOption


# Priority an age-outside-approval option is moved to: after every curated treatment option
# (priorities below this in therapies.tsv) and before generic advice such as re-biopsy (85, 90),
# so a drug the patient is too young for never ranks below "re-biopsy".
AGE_OUTSIDE_PRIORITY = 80


def _rank_key(too_young: bool, priority: int, *rest) -> tuple:
    """Sort key of one option: effective priority (age penalty applied), then the rest."""
    effective = max(priority, AGE_OUTSIDE_PRIORITY) if too_young else priority
    return (effective, too_young, priority, *rest)


# Pivotal trials named in therapies.tsv citations, with the drug each tested: a rule citing several
# drugs' trials (e.g. "CROWN;ALEX;ALTA-1L") must not cite another drug's trial on a single-drug option.
TRIAL_DRUGS = (("CROWN", "lorlatinib"), ("ALEX", "alectinib"), ("J-ALEX", "alectinib"), ("ALTA", "brigatinib"),
               ("eXalt3", "ensartinib"), ("PROFILE", "crizotinib"), ("ASCEND", "ceritinib"),
               ("TRIDENT", "repotrectinib"), ("TRUST", "taletrectinib"), ("STARTRK", "entrectinib"),
               ("CodeBreaK", "sotorasib"), ("KRYSTAL", "adagrasib"))


def citations_for_drug(drug: str, citations, kb: KnowledgeBase) -> tuple[str, ...]:
    """The citations relevant to one drug: drops a citation that names only other drugs (by name or
    by their pivotal trial); keeps generic ones (guidelines, PMIDs, the drug's own trials)."""
    names = tuple(kb.drugs)
    out = []
    for c in citations:
        low = c.lower()
        named = {n for n in names if re.search(rf"\b{re.escape(n.lower())}\b", low)}
        named |= {d for trial, d in TRIAL_DRUGS if re.search(rf"\b{re.escape(trial.lower())}\b", low)}
        if named and drug not in named:
            continue
        out.append(c)
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class Context:
    driver: str | None  # ALK / ROS1 / NTRK1..3 (first driver) or None
    prior: tuple[str, ...]  # progressed-on therapies (prior + current), lower-case
    naive: bool
    cns: bool
    indication: str
    groups: tuple[OnTargetGroup, ...]
    bypass_ids: tuple[str, ...]
    transformation: bool
    no_mechanism: bool
    not_actionable_fusion: bool
    uninformative_negative: bool
    liquid: bool
    age_years: float | None = None  # patient age from the sample sheet; None = not given
    paediatric_entity: bool = False  # tumour type is (almost) only seen in children
    # specimens of the patient's other samples of the same episode in this batch: never advise
    # testing a specimen that is already there (interpret/patient.py)
    batch_specimens: frozenset[str] = frozenset()
    lung: bool = True  # NSCLC: ALK/ROS1 sequencing rules apply only here (frames.py)
    progression: str | None = None  # sheet progression pattern (course: triggers)
    current: str | None = None  # current therapy (named in course-specific options)
    # same-target drugs not expected to work after failure of a more potent one (course.py)
    withheld: tuple[tuple[str, str], ...] = ()


def age_text(years: float) -> str:
    """Readable age: "7 days", "1 month", "12 years"; below one year in whole months (days below one)."""
    if years < 1:
        months = round(years * 12)
        if months < 1:
            days = round(years * 365.25)
            return f"{days} day{'s' if days != 1 else ''}"
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{years:g} year{'s' if years != 1 else ''}"


def age_restrictions(ctx: Context, drug: Drug | None) -> float | None:
    """The drug's youngest approved age for this driver when it is above zero (None: none known)."""
    if drug is None or ctx.driver is None:
        return None
    min_age = drug.min_age_for(ctx.driver)
    return min_age if min_age else None


def outside_approval(ctx: Context, drug: Drug | None) -> float | None:
    """Youngest approved age when the patient is known to be younger than it, else None."""
    min_age = age_restrictions(ctx, drug)
    if min_age is None or ctx.age_years is None or ctx.age_years >= min_age:
        return None
    return min_age


@dataclass(frozen=True)
class Excluded:
    option: str
    reason: str


def build_context(sample: Sample, findings: list[Finding], groups: list[OnTargetGroup],
                  mechanisms: list[Mechanism], drivers: list[str], kb: KnowledgeBase,
                  informative: bool | None, withheld: dict[str, str] | None = None) -> Context:
    course = course_of(sample)
    prior = course.progressed_on  # a current drug without progression is not "progressed on"
    targeted = [d for d in course.exposed if (drug := kb.drug(d)) is not None and drug.core_for]
    fusion_drivers = [f.alteration.gene for f in findings if f.actionable_driver]
    driver = (sorted(fusion_drivers) or drivers or [None])[0]
    bypass_ids = tuple(sorted({f.bypass.id for f in findings if f.bypass is not None and f.usable
                               and f.alteration.role is Role.BYPASS}))
    # genomic flag (TP53 + RB1) or small-cell histology reported in the sheet
    transformation = any(m.mechanism_class is MechanismClass.PHENOTYPIC for m in mechanisms) \
        or small_cell_evidence(sample) is not None
    no_mech = all(m.mechanism_class is MechanismClass.NONE_IDENTIFIED for m in mechanisms)
    nafus = any("not_actionable_fusion" in f.flags for f in findings if f.fusion is not None) and not fusion_drivers
    return Context(
        driver=driver, prior=prior, naive=not targeted and not groups,
        cns=sample.specimen is Specimen.CSF or bool(sample.cns_involvement)
        or sample.progression is Progression.CNS_ONLY,
        indication=indication_of(sample),
        groups=tuple(groups), bypass_ids=bypass_ids, transformation=transformation, no_mechanism=no_mech,
        not_actionable_fusion=nafus,
        uninformative_negative=sample.specimen.is_liquid and informative is False and no_mech,
        liquid=sample.specimen.is_liquid, age_years=sample.age_years,
        paediatric_entity=is_paediatric_entity(sample.tumor_type), lung=is_lung(sample.tumor_type),
        progression=sample.progression.value if sample.progression else None, current=course.current,
        withheld=tuple(sorted((withheld or {}).items())))


def _holds(cond: str, ctx: Context, calls: dict[str, DrugCall], kb: KnowledgeBase) -> bool:
    name, _, arg = cond.partition(":")
    args = tuple(a for a in arg.split(",") if a)
    changes = {c for g in ctx.groups for c in g.changes}
    if name == "always":
        return True
    if name == "manual":
        return False
    if name == "progression":
        return bool(ctx.prior)
    if name == "naive":
        return ctx.naive
    if name == "cns":
        return ctx.cns
    if name == "after":
        return any(a in ctx.prior for a in args)
    if name == "mutation":
        return bool(changes & set(args))
    if name == "class":
        return any(f.alteration.structural_class is not None and f.alteration.structural_class.value in args
                   and f.match is not None and f.match.rows for g in ctx.groups for f in g.findings)
    if name == "compound":  # lorlatinib_resistant
        lor = calls.get("lorlatinib")
        return any(len(g.findings) > 1 for g in ctx.groups) and lor is not None and lor.call is DrugCallValue.RESISTANT
    if name == "compound_with":
        return arg in changes
    if name == "bypass":
        return bool(set(args) & set(ctx.bypass_ids))
    if name == "any_bypass":
        return bool(ctx.bypass_ids)
    if name == "transformation":
        return ctx.transformation
    if name == "no_mechanism":
        return ctx.no_mechanism
    if name == "no_on_target":
        return not ctx.groups
    if name == "min_prior_tkis":
        return sum(1 for d in ctx.prior if (x := kb.drug(d)) is not None and x.core_for) >= int(arg)
    if name == "not_actionable_fusion":
        return ctx.not_actionable_fusion
    if name == "uninformative_negative":
        return ctx.uninformative_negative and "tissue" not in ctx.batch_specimens
    if name == "cns_liquid_negative":
        return ctx.cns and ctx.liquid and ctx.no_mechanism and "csf" not in ctx.batch_specimens
    if name == "indication":
        return ctx.indication == arg
    if name == "course":  # sheet progression pattern, e.g. course:oligoprogression
        return ctx.progression in args
    raise ValueError(f"unknown therapy trigger {cond!r}")


@dataclass
class _Cand:
    key: tuple
    option: TherapyOption


def therapy_options(ctx: Context, calls: list[DrugCall], kb: KnowledgeBase,
                    findings: list[Finding]) -> tuple[list[TherapyOption], list[Excluded], list[Caveat]]:
    """Ranked options, options withheld (and why), and therapy caveats."""
    by_drug = {c.drug: c for c in calls}
    rules = kb.therapy_rules(ctx.driver) if ctx.driver else kb.therapy_rules("*")
    if ctx.driver is None:
        rules = tuple(r for r in rules if r.driver_gene == "*")
    fired = [r for r in rules if all(_holds(c, ctx, by_drug, kb) for c in r.trigger) and _applies(r, ctx)]
    withheld = dict(ctx.withheld)
    specific_bypass = {b for r in fired for c in r.trigger if c.startswith("bypass:")
                       for b in c.split(":", 1)[1].split(",") if b in ctx.bypass_ids}
    cands: dict[str, _Cand] = {}
    excluded: dict[str, Excluded] = {}
    caveats: list[Caveat] = []
    # options that combine agents, from structured data: a 'combination' rule, or a bypass option
    # (an agent added to the continued driver TKI): never from '+' in the text ("+/-" is no combination)
    combination: set[str] = set()

    def add(key: tuple, opt: TherapyOption) -> None:
        old = cands.get(opt.option)
        if len(opt.drugs) == 1 and opt.option == opt.drugs[0]:
            # merged from several rules: keep only what cites this drug (or no drug in particular)
            opt = TherapyOption(rank=0, option=opt.option, rationale=opt.rationale, evidence_level=opt.evidence_level,
                                investigational=opt.investigational,
                                citations=citations_for_drug(opt.drugs[0], opt.citations, kb),
                                rule_ids=opt.rule_ids, drugs=opt.drugs)
        if old is None or key < old.key:
            merged_rules = tuple(sorted(set(opt.rule_ids) | set(old.option.rule_ids if old else ())))
            merged_cites = tuple(sorted(set(opt.citations) | set(old.option.citations if old else ())))
            opt = TherapyOption(rank=0, option=opt.option, rationale=opt.rationale, evidence_level=opt.evidence_level,
                                investigational=opt.investigational, citations=merged_cites,
                                rule_ids=merged_rules, drugs=opt.drugs)
            cands[opt.option] = _Cand(key, opt)
        else:
            o = old.option
            cands[opt.option] = _Cand(old.key, TherapyOption(
                rank=0, option=o.option, rationale=o.rationale, evidence_level=o.evidence_level,
                investigational=o.investigational, citations=tuple(sorted(set(o.citations) | set(opt.citations))),
                rule_ids=tuple(sorted(set(o.rule_ids) | set(opt.rule_ids))), drugs=o.drugs))

    for rule in fired:
        if rule.kind == "drug":
            for idx, name in enumerate(rule.drugs):
                call = by_drug.get(name)
                drug = kb.drug(name)
                if call is None or drug is None or call.call is not DrugCallValue.SENSITIVE:
                    continue
                resens = "re-sensitisation documented" in (call.rationale or "")
                if name in withheld and not resens:
                    excluded[name] = Excluded(name, withheld[name])
                    continue
                if name in ctx.prior and not resens:
                    current = name == ctx.current
                    excluded[name] = Excluded(name, f"tumour {'is progressing' if current else 'progressed'} on "
                                                    f"{name} ({'current' if current else 'prior'} therapy); not "
                                                    "re-proposed")
                    continue
                cns_key = (drug.cns_rank if drug.cns_rank is not None and drug.brain_penetrant == "yes" else 99) \
                    if ctx.cns else 0
                too_young = outside_approval(ctx, drug)
                key = _rank_key(too_young is not None, rule.priority, drug.investigational, cns_key,
                                level_rank(call.level), idx, name)
                text = f"{rule.rule_id}: {rule.option}. {name}: {call.call.value} ({call.level}, {call.evidence_type.value})"
                if resens and name in ctx.prior:
                    text += "; previously received, re-proposed because re-sensitisation is documented"
                if ctx.cns and drug.brain_penetrant == "yes":
                    text += "; CNS-penetrant"
                if drug.investigational:
                    text += "; investigational (trial only)"
                if too_young is not None:
                    text += (f"; approved from age {age_text(too_young)}: off-label / trial for this patient "
                             f"(aged {age_text(ctx.age_years)}), ranked after age-appropriate treatment options")
                add(key, TherapyOption(rank=0, option=name, rationale=text, evidence_level=call.level,
                                       investigational=drug.investigational,
                                       citations=tuple(sorted(set(rule.citations) | set(call.citations))),
                                       rule_ids=(rule.rule_id,), drugs=(name,)))
        elif any(c == "any_bypass" for c in rule.trigger):
            for bid in ctx.bypass_ids:
                if bid in specific_bypass:
                    continue
                b = next(x for x in kb.bypass_rules() if x.id == bid)
                combination.add(b.option)
                key = _rank_key(_any_outside(ctx, b.option_drugs, kb), rule.priority, b.investigational, 0,
                                level_rank(b.level), 0, b.option)
                add(key, TherapyOption(rank=0, option=b.option, rationale=f"{rule.rule_id}/{b.id}: {b.label}; {rule.option}",
                                       evidence_level=b.level, investigational=b.investigational,
                                       citations=tuple(sorted(set(rule.citations) | set(b.citations))),
                                       rule_ids=(rule.rule_id, f"bypass:{b.id}"), drugs=b.option_drugs))
        else:
            if rule.kind == "combination":
                combination.add(rule.option)
            key = _rank_key(_any_outside(ctx, rule.drugs, kb), rule.priority, rule.investigational, 0,
                            level_rank(rule.evidence_level), 0, rule.option)
            why = rule.note or rule.option
            if any(c.startswith("course:") for c in rule.trigger) and ctx.current:
                why += f" (current therapy: {ctx.current})"
            add(key, TherapyOption(rank=0, option=rule.option, rationale=f"{rule.rule_id}: {why}",
                                   evidence_level=rule.evidence_level, investigational=rule.investigational,
                                   citations=rule.citations, rule_ids=(rule.rule_id,), drugs=rule.drugs))
    ordered = sorted(cands.values(), key=lambda c: c.key)
    options = [TherapyOption(rank=i, option=c.option.option, rationale=c.option.rationale,
                             evidence_level=c.option.evidence_level, investigational=c.option.investigational,
                             citations=c.option.citations, rule_ids=c.option.rule_ids, drugs=c.option.drugs)
               for i, c in enumerate(ordered, start=1)]
    # caveats the options imply
    # a combination carries overlapping toxicity; a single investigational agent is a different statement
    combos = [o for o in options if o.investigational and o.option in combination]
    if combos:
        caveats.append(Caveat(CaveatCode.INVESTIGATIONAL_COMBINATION,
                              "Investigational combination(s), clinical trial preferred; combinations carry "
                              f"overlapping toxicity: {'; '.join(o.option for o in combos)}"))
    singles = [o for o in options if o.investigational and o not in combos]
    if singles:
        caveats.append(Caveat(CaveatCode.INVESTIGATIONAL_AGENT,
                              f"Investigational agent(s), available in clinical trials: {'; '.join(o.option for o in singles)}"))
    juris = sorted({(d, kb.drug(d).jurisdiction_note) for o in options for d in o.drugs
                    if kb.drug(d) is not None and kb.drug(d).jurisdiction_note})
    for d, note in juris:
        caveats.append(Caveat(CaveatCode.JURISDICTION_AVAILABILITY, f"{d}: {note}"))
    caveats += age_caveats(ctx, options, kb)
    return options, sorted(excluded.values(), key=lambda e: e.option), caveats


# ALK/ROS1 rules are NSCLC sequencing rules (digest section 4); other indications get only
# rules written for them (indication:/course: triggers) and the tumour-agnostic '*' rules
_NSCLC_RULE_GENES = ("ALK", "ROS1")


def _applies(rule, ctx: Context) -> bool:
    if ctx.lung or rule.driver_gene not in _NSCLC_RULE_GENES:
        return True
    return any(c.startswith(("indication:", "course:")) for c in rule.trigger)


def _any_outside(ctx: Context, drugs: tuple[str, ...], kb: KnowledgeBase) -> bool:
    return any(outside_approval(ctx, kb.drug(d)) is not None for d in drugs)


def age_caveats(ctx: Context, options: list[TherapyOption], kb: KnowledgeBase) -> list[Caveat]:
    """AGE_OUTSIDE_APPROVAL per option drug the patient is too young for; AGE_NOT_GIVEN when a
    paediatric tumour type has no age and an option drug's approval is age-restricted."""
    out: list[Caveat] = []
    family = ("NTRK" if ctx.driver.startswith("NTRK") else ctx.driver) if ctx.driver else ""
    names = sorted({d for o in options for d in o.drugs})
    if ctx.age_years is not None:
        for name in names:
            min_age = outside_approval(ctx, kb.drug(name))
            if min_age is not None:
                out.append(Caveat(CaveatCode.AGE_OUTSIDE_APPROVAL,
                                  f"{name}: approved for {family}-driven tumours from age {age_text(min_age)}; "
                                  f"patient aged {age_text(ctx.age_years)}: off-label / clinical-trial use for this "
                                  "patient (ranked after age-appropriate options)"))
    elif ctx.paediatric_entity:
        restricted = [(n, a) for n in names if (a := age_restrictions(ctx, kb.drug(n))) is not None]
        if restricted:
            listed = "; ".join(f"{n} from {age_text(a)}" for n, a in restricted)
            out.append(Caveat(CaveatCode.AGE_NOT_GIVEN,
                              f"Paediatric tumour type but patient age not given: approvals are age-restricted "
                              f"({listed}); options were ranked without age, check eligibility"))
    return out
