"""Per-sample HTML report: one self-contained file (inline CSS and SVG, no scripts or fonts).

Jinja2 autoescape is on for every template, so all report.json text is escaped; figures are
built in plots.py, which escapes its own text and hands back Markup.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from kinres.enums import DrugCallValue, MechanismClass, Role
from kinres.errors import InputError
from kinres.interpret.therapy import age_text
from kinres.report import labels, plots, signout
from kinres.report.json import EVIDENCE_LEVELS, Report
from kinres.report.settings import Settings
from kinres.report.summary import answer_sentences, summary_text
from kinres.report.text import clinical_text, public_citations, strip_alteration_ids
from kinres.report.timeline import build_timeline

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """The report Jinja2 environment (autoescape always on, undefined names are errors)."""
    from kinres.cache import jinja_bytecode_cache

    options = dict(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    # compiling the 18 templates from source cost every job ~0.2 CPU-s; the bytecode cache keys
    # on each template's source checksum, so an edited template is recompiled
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      bytecode_cache=jinja_bytecode_cache(sorted(options.items())), **options)
    env.globals.update(
        pct=labels.fmt_pct, num=labels.fmt_num, age=age_text, specimen=labels.specimen_label,
        label=labels.alteration_label,
        detail=labels.alteration_detail, role_title=lambda r: labels.ROLE_TITLES[r],
        role_short=lambda r: labels.ROLE_SHORT.get(r, labels.ROLE_TITLES[r]),
        class_title=lambda c: labels.CLASS_TITLES[c],
        flag_title=lambda f: labels.FLAG_TITLES.get(f, f.replace("_", " ")),
        call_symbol=lambda c: labels.CALL_SYMBOLS[c], call_title=lambda c: labels.CALL_TITLES[c],
        call_legend=tuple(DrugCallValue), levels=EVIDENCE_LEVELS, cn=labels.fmt_cn,
        caveat_title=labels.caveat_title, caveat_groups=caveat_groups, synonymous=labels.synonymous,
        prognostic_role=labels.PROGNOSTIC_ROLE,
        cites=lambda c: "; ".join(public_citations(c)) or "—",
    )
    return env


@cache
def stylesheet() -> Markup:
    """Our own CSS file (trusted), inlined into <style>."""
    return Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))


def _ordered(report: Report):
    """Alterations by role (driver, resistance, bypass, ... passenger), report order within a role."""
    return [a for role in labels.ROLE_ORDER for a in report.alterations if a.role is role]


def _lollipop_genes(report: Report) -> list[str]:
    """Genes with protein changes in or tied to a kinase domain (drivers' kinases first)."""
    genes: list[str] = []
    for a in report.alterations:
        if a.fusion is None and labels.protein_position(a.hgvs_p) is not None and (
                a.in_kinase_domain or a.structural_class is not None
                or a.role is Role.ON_TARGET_RESISTANCE) and a.gene not in genes:
            genes.append(a.gene)
    return genes


def figures(report: Report, patient_reports: Iterable[Report] = (),
            timeline: bool = True) -> dict[str, object]:
    """The report's inline SVG figures, keyed by template slot."""
    fusion_figs = [plots.fusion_diagram(a) for a in report.alterations if a.fusion is not None]
    lollipops = [plots.lollipop(g, report.alterations,
                                plots.protein_model(g, report.sample.genome_build))
                 for g in _lollipop_genes(report)]
    has_vaf = any(a.vaf is not None for a in report.alterations)
    vaf_fig = plots.vaf_bars(report.alterations, report.qc.tumor_fraction) if has_vaf else None
    others = list(patient_reports)
    tl_fig = None
    if timeline and others:
        tl_fig = plots.vaf_timeline(build_timeline([report, *others]), highlight=report.sample.id)
    return {"fusion_figures": fusion_figs, "lollipop_figures": lollipops, "vaf_figure": vaf_fig,
            "timeline_figure": tl_fig}


def check_patient_reports(report: Report, others: Iterable[Report]) -> list[Report]:
    """Other samples of the same patient; a different patient or a duplicate sample is an error."""
    kept = []
    seen = {report.sample.id}
    for other in others:
        if other.sample.patient_id != report.sample.patient_id:
            raise InputError(other.path, f"patient {other.sample.patient_id!r} differs from "
                             f"{report.sample.patient_id!r} of sample {report.sample.id}",
                             record="sample/patient_id")
        if other.sample.id in seen:
            raise InputError(other.path, f"sample {other.sample.id!r} given twice",
                             record="sample/id")
        seen.add(other.sample.id)
        kept.append(other)
    return kept


def _course_notes(report: Report) -> list[tuple[str, str, str]]:
    """(drugs, status, note) with drugs sharing one note listed together (e.g. five earlier-
    generation TKIs after lorlatinib failure), in drug-call order."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for d in report.drug_calls:
        if d.clinical_status and d.clinical_note:
            grouped.setdefault((d.clinical_status, d.clinical_note), []).append(d.drug)
    return [(", ".join(drugs), labels.CLINICAL_STATUS_TITLES.get(st, st.replace("_", " ")), note)
            for (st, note), drugs in grouped.items()]
def _key_caveats(report: Report, limit: int = 3):
    """The caveats that matter most for a decision, most important first (page one)."""
    order = {code: i for i, code in enumerate(labels.CAVEAT_PRIORITY)}
    ranked = sorted(report.caveats, key=lambda c: order.get(c.code, len(order)))
    # `limit` distinct codes, each with all its texts (shown under one title, never repeated)
    codes = list(dict.fromkeys(c.code for c in ranked))[:limit]
    return [c for c in ranked if c.code in codes]


def caveat_groups(caveats) -> list[tuple[str, list[str]]]:
    """(code, texts) in first-seen order: a code that recurs (e.g. availability for three drugs)
    gets its title once with its texts listed under it; identical texts are shown once."""
    groups: dict[str, list[str]] = {}
    for c in caveats:
        texts = groups.setdefault(c.code, [])
        if c.text not in texts:
            texts.append(c.text)
    return list(groups.items())


def drug_call_groups(report: Report):
    """Drug calls with the same call, evidence, basis and citations share one detail row."""
    groups: dict[tuple, list] = {}
    for d in report.drug_calls:
        key = (d.call, d.evidence_type, d.level, d.based_on, public_citations(d.citations),
               tuple(f.text for f in getattr(d, "figures", ())), d.clinical_status)
        groups.setdefault(key, []).append(d.drug)
    names = ("call", "evidence_type", "level", "based_on", "citations", "figures", "clinical_status")
    return [{"drugs": drugs, **dict(zip(names, k))} for k, drugs in groups.items()]


def hotspot_summary(report: Report) -> dict[str, object]:
    """Counts behind the hotspot section and the informative-negative line."""
    nd = report.not_detected
    assessable = [n for n in nd if n.assessable]
    genes = sorted({n.gene for n in nd if not n.assessable})
    return {"total": len(nd), "assessable": assessable, "not_assessable": len(nd) - len(assessable),
            "not_assessable_genes": genes, "mostly_unassessable": bool(nd) and 2 * len(assessable) < len(nd)}


def render_report_html(report: Report, patient_reports: Iterable[Report] = (),
                       settings: Settings | None = None,
                       report_date: _dt.date | None = None) -> str:
    """Render the clinical-style HTML for one report (other samples of the patient optional)."""
    settings = settings or Settings()
    others = check_patient_reports(report, patient_reports)
    none_found = all(m.mechanism_class is MechanismClass.NONE_IDENTIFIED for m in report.mechanisms)
    clinical = dict(report.data.get("clinical_context") or {})
    alt_labels = {a.id: labels.alteration_label(a) for a in report.alterations}
    alt_ids = tuple(alt_labels)

    def clean(text: str | None) -> str:
        return strip_alteration_ids(clinical_text(text), alt_ids)

    context = dict(
        r=report, s=report.sample, qc=report.qc, p=report.provenance, css=stylesheet(),
        lab=signout.lab(settings), assay=signout.assay(settings, report),
        signout=signout.signout(settings, report), report_date=signout.report_date(report_date),
        methods=signout.methods(report), limitations=signout.limitations(report),
        purity_label=signout.purity_label(report), has_bam=signout.has_bam(report),
        hotspots=hotspot_summary(report), key_caveats=_key_caveats(report),
        drug_groups=drug_call_groups(report),
        used_levels={d.level for d in report.drug_calls} | {t.evidence_level for t in report.therapy_options},
        answer=answer_sentences(report), clean=clean,
        summary=summary_text(report), uninformative=none_found and report.qc.informative_negative is False,
        mechanisms=report.mechanisms, alterations=_ordered(report), patient=report.data.get("patient"),
        alt_label=lambda i: alt_labels.get(i, i),
        # treatment-naive frame: no resistance section and no hotspot table (nothing to resist yet)
        naive_frame=clinical.get("frame") == "treatment_naive" and none_found,
        prognostic_ids=labels.prognostic_ids(report.alterations, clinical.get("notes")),
        context_notes=list(clinical.get("notes") or ()), excluded=list(report.data.get("excluded_options") or ()),
        course_text=labels.PROGRESSION_TITLES.get(report.sample.progression, "not stated"),
        status_title=lambda st: labels.CLINICAL_STATUS_TITLES.get(st, st.replace("_", " ")),
        course_notes=_course_notes(report),
        **figures(report, others, timeline=settings.timeline),
    )
    return environment().get_template("report.html.j2").render(**context)
