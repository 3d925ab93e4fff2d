"""Inline SVG figures for the reports (no plotting library, no external resources).

Every piece of input-derived text goes through markupsafe.escape before it enters the SVG, and
each function returns Markup so Jinja2 (autoescape on) embeds it without double escaping.
Colours are paired with shapes/text so figures still read in greyscale.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from markupsafe import Markup, escape

from kinres.enums import Build, Role, StructuralClass
from kinres.models import Alteration
from kinres.report.labels import (
    CLASS_TITLES,
    ROLE_TITLES,
    alteration_label,
    fmt_pct,
    protein_position,
    specimen_label,
    synonymous,
    yes_no,
)
from kinres.report.timeline import PatientTimeline

log = logging.getLogger(__name__)

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
CLASS_COLOURS = {
    StructuralClass.SOLVENT_FRONT: "#c0392b",
    StructuralClass.GATEKEEPER: "#1f5fa8",
    StructuralClass.XDFG: "#7b3294",
    StructuralClass.ALPHA_C_HELIX: "#d68910",
    StructuralClass.ACTIVATION_LOOP: "#138d75",
    StructuralClass.OTHER_KINASE_DOMAIN: "#5d6d7e",
    None: "#95a5a6",
}
ROLE_COLOURS = {
    Role.DRIVER: "#1f5fa8",
    Role.ON_TARGET_RESISTANCE: "#c0392b",
    Role.BYPASS: "#d68910",
    Role.TRANSFORMATION_MARKER: "#7b3294",
    Role.UNCERTAIN: "#7f8c8d",
    Role.PASSENGER: "#b3b6b7",
}
TREND_TITLES = {"emerging": "emerging \u2197", "rising": "rising \u2191", "falling": "falling \u2193",
                "clearing": "clearing \u2198", "stable": "stable \u2192", "single": "single point"}
# Distinct dash patterns per series so overlapping lines separate in greyscale.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")


@dataclass(frozen=True)
class ProteinModel:
    """What the lollipop needs from the panel: length and kinase-domain residues."""

    gene: str
    length: int | None
    kinase_domain: tuple[int, int] | None


def protein_model(gene: str, build: Build | str) -> ProteinModel:
    """Protein length/kinase domain from the panel API; unknowns stay None (never invented)."""
    try:
        from kinres.annotate.transcripts import Panel  # owned by annotate; may not exist yet
        tx = Panel.load(Build(build)).transcript(gene)
    except Exception as exc:  # noqa: BLE001 - a figure must not break the report
        log.debug("no panel model for %s (%s): %s", gene, build, exc)
        return ProteinModel(gene, None, None)
    length = getattr(tx, "protein_length", None)
    kd = getattr(tx, "kinase_domain", None)
    return ProteinModel(gene, int(length) if length else None,
                        (int(kd[0]), int(kd[1])) if kd else None)


def _t(x: float, y: float, text: str, size: float = 11, anchor: str = "start",
       weight: str = "normal", fill: str = "#222", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}"{extra}>{escape(text)}</text>')


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="figure" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-family="{FONT}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


# --------------------------------------------------------------------------- fusion diagram
def fusion_diagram(alt: Alteration) -> Markup:
    """5' partner exons joined to the 3' kinase exons, breakpoint, kinase domain status."""
    f = alt.fusion
    if f is None:
        raise ValueError(f"{alt.id} is not a fusion")
    w, h = 640, 150
    x0, mid, x1, y, bh = 20, 330, 620, 52, 34
    e5 = f"exons 1\u2013{f.five_prime_exon}" if f.five_prime_exon else "exon undetermined"
    e3 = f"exon {f.three_prime_exon}\u2013end" if f.three_prime_exon else "exon undetermined"
    kd = f.kinase_domain_retained
    body = [
        _t(x0, 18, f"{f.five_prime_gene} (5\u2032)", 12, weight="bold"),
        _t(x1, 18, f"{f.three_prime_gene} (3\u2032)", 12, anchor="end", weight="bold"),
        f'<rect x="{x0}" y="{y}" width="{mid - x0}" height="{bh}" rx="3" fill="#d6e4f0" stroke="#1f5fa8"/>',
        _t((x0 + mid) / 2, y + 21, f"{f.five_prime_gene} {e5}", 11, anchor="middle"),
        f'<rect x="{mid}" y="{y}" width="{x1 - mid}" height="{bh}" rx="3" fill="#fbe3d6" stroke="#a04000"/>',
    ]
    # Kinase domain box sits in the 3' partner; hatched outline when not retained.
    kx, kw = mid + 120, 150
    if kd is True:
        body.append(f'<rect x="{kx}" y="{y + 4}" width="{kw}" height="{bh - 8}" fill="#a04000" '
                    f'fill-opacity="0.85" stroke="#6e2c00"/>')
        body.append(_t(kx + kw / 2, y + 21, "kinase domain", 11, anchor="middle", fill="#fff",
                       weight="bold"))
    else:
        body.append(f'<rect x="{kx}" y="{y + 4}" width="{kw}" height="{bh - 8}" fill="none" '
                    f'stroke="#6e2c00" stroke-dasharray="4 3"/>')
        body.append(_t(kx + kw / 2, y + 21, "kinase domain ?" if kd is None else "domain lost",
                       11, anchor="middle", fill="#6e2c00"))
    body.append(_t(mid + 8, y + 21, e3, 10, fill="#6e2c00"))
    body.append(f'<line x1="{mid}" y1="{y - 14}" x2="{mid}" y2="{y + bh + 14}" stroke="#222" '
                f'stroke-width="2" stroke-dasharray="5 3"/>')
    body.append(_t(mid, y - 18, "breakpoint", 10, anchor="middle"))
    junction = f.junction_label or "exon pair undetermined"
    label = f"{junction}" + (f"  (variant {f.variant_label})" if f.variant_label else "")
    body.append(_t(w / 2, y + bh + 32, label, 12, anchor="middle", weight="bold"))
    status = (f"in frame: {yes_no(f.in_frame)} \u00b7 kinase domain retained: {yes_no(kd)} \u00b7 "
              f"supporting reads: {f.supporting_reads if f.supporting_reads is not None else 'n/a'}"
              f" \u00b7 caller: {f.caller}")
    body.append(_t(w / 2, y + bh + 50, status, 10, anchor="middle", fill="#444"))
    return _svg(w, h, body, f"Fusion {f.five_prime_gene}::{f.three_prime_gene}: {junction}")


# --------------------------------------------------------------------------- lollipop
def lollipop(gene: str, alterations: list[Alteration] | tuple[Alteration, ...],
             model: ProteinModel | None = None) -> Markup:
    """Kinase-domain lollipop: detected protein changes of `gene` coloured by structural class."""
    muts = [(protein_position(a.hgvs_p), a) for a in alterations
            if a.gene == gene and a.fusion is None and protein_position(a.hgvs_p) is not None]
    model = model or ProteinModel(gene, None, None)
    w, h = 640, 190
    left, right, axis_y = 30, 610, 140
    top = max([p for p, _ in muts] + [1])
    length = model.length or int(top * 1.1) + 1
    # Zoom on the kinase domain when it is known: that is where resistance residues sit.
    if model.kinase_domain:
        lo = max(1, min([model.kinase_domain[0]] + [p for p, _ in muts]) - 40)
        hi = min(length, max([model.kinase_domain[1]] + [p for p, _ in muts]) + 40)
    else:
        lo, hi = 1, length
    span = max(hi - lo, 1)

    def sx(pos: float) -> float:
        return left + (pos - lo) / span * (right - left)

    body = [(f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#555" '
             f'stroke-width="6" stroke-linecap="round"/>')]
    if model.kinase_domain:
        a, b = model.kinase_domain
        body.append(f'<rect x="{sx(a):.1f}" y="{axis_y - 9}" width="{sx(b) - sx(a):.1f}" height="18" '
                    f'rx="3" fill="#f5cba7" stroke="#a04000"/>')
        body.append(_t((sx(a) + sx(b)) / 2, axis_y + 4, f"kinase domain {a}\u2013{b}", 10,
                       anchor="middle", fill="#6e2c00"))
    else:
        body.append(_t(right, axis_y + 24, "kinase-domain coordinates unavailable", 9, anchor="end",
                       fill="#777"))
    body.append(_t(left, axis_y + 24, f"aa {lo}", 9, fill="#555"))
    body.append(_t(right, axis_y + 36, f"aa {hi}" + (f" of {model.length}" if model.length else ""),
                   9, anchor="end", fill="#555"))
    placed: list[float] = []
    for pos, alt in sorted(muts, key=lambda m: m[0]):
        x = sx(pos)
        # Stagger heads of nearby mutations so labels do not overprint.
        level = sum(1 for px in placed if abs(px - x) < 60)
        placed.append(x)
        head_y = 70 - level * 26
        vaf = f" ({fmt_pct(alt.vaf)})" if alt.vaf is not None else ""
        text = f"{alteration_label(alt).split(' ', 1)[-1]}{vaf}"
        if synonymous(alt):
            # A synonymous change at a resistance residue is not a resistance mutation: grey,
            # hollow, dashed stem, labelled as synonymous and kept out of the class legend.
            body.append(f'<line x1="{x:.1f}" y1="{axis_y - 9}" x2="{x:.1f}" y2="{head_y}" stroke="#999" '
                        f'stroke-dasharray="3 2"/>')
            body.append(f'<circle cx="{x:.1f}" cy="{head_y}" r="6" fill="none" stroke="#999" '
                        f'stroke-width="2" data-synonymous="1"/>')
            text += ", synonymous"
            fill = "#777"
        else:
            colour = CLASS_COLOURS.get(alt.structural_class, CLASS_COLOURS[None])
            body.append(f'<line x1="{x:.1f}" y1="{axis_y - 9}" x2="{x:.1f}" y2="{head_y}" stroke="#444"/>')
            body.append(f'<circle cx="{x:.1f}" cy="{head_y}" r="8" fill="{colour}" stroke="#222"/>')
            fill = "#222"
        # Labels near the right edge go on the left of the head so they stay inside the figure.
        if x > right - 120:
            body.append(_t(x - 11, head_y + 4, text, 10, anchor="end", fill=fill))
        else:
            body.append(_t(x + 11, head_y + 4, text, 10, fill=fill))
    classes = [c for c in CLASS_TITLES
               if any(a.structural_class is c and not synonymous(a) for _, a in muts)]
    lx = left
    for c in classes:
        body.append(f'<circle cx="{lx + 5}" cy="{h - 8}" r="5" fill="{CLASS_COLOURS[c]}" stroke="#222"/>')
        body.append(_t(lx + 14, h - 4, CLASS_TITLES[c], 10))
        lx += 24 + 7 * len(CLASS_TITLES[c])
    if not muts:
        body.append(_t(w / 2, 70, f"no {gene} protein changes detected", 11, anchor="middle",
                       fill="#777"))
    return _svg(w, h, body, f"{gene} kinase-domain mutations")


# --------------------------------------------------------------------------- VAF bars
def vaf_bars(alterations: list[Alteration] | tuple[Alteration, ...],
             tumor_fraction: float | None = None) -> Markup:
    """Horizontal VAF bars per alteration, coloured by role; dashed line at TF/2 if known."""
    rows = [a for a in alterations if a.vaf is not None]
    w = 640
    label_w, x0, x1 = 190, 200, 600
    h = 40 + 24 * max(len(rows), 1) + 24
    top = max([a.vaf for a in rows] + [tumor_fraction / 2 if tumor_fraction else 0, 0.05])
    scale = min(1.0, (int(top * 20) + 1) / 20)  # round the axis up to the next 5%

    def sx(v: float) -> float:
        return x0 + v / scale * (x1 - x0)

    body = []
    for i in range(6):
        v = scale * i / 5
        body.append(f'<line x1="{sx(v):.1f}" y1="24" x2="{sx(v):.1f}" y2="{h - 24}" stroke="#ddd"/>')
        body.append(_t(sx(v), h - 10, fmt_pct(v, 0 if scale >= 0.1 else 1), 9, anchor="middle",
                       fill="#555"))
    for i, a in enumerate(rows):
        y = 30 + 24 * i
        body.append(_t(label_w, y + 12, alteration_label(a), 10, anchor="end"))
        colour = ROLE_COLOURS[a.role]
        pattern = ' stroke-dasharray="3 2"' if a.flags else ""
        body.append(f'<rect x="{x0}" y="{y}" width="{max(sx(a.vaf) - x0, 1.5):.1f}" height="16" '
                    f'fill="{colour}" stroke="#333"{pattern}/>')
        body.append(_t(sx(a.vaf) + 4, y + 12, fmt_pct(a.vaf), 9))
    if not rows:
        body.append(_t(w / 2, 46, "no alterations with a measured VAF", 11, anchor="middle",
                       fill="#777"))
    if tumor_fraction:
        x = sx(tumor_fraction / 2)
        body.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{h - 24}" stroke="#222" '
                    f'stroke-dasharray="5 3"/>')
        text = f"TF/2 = {fmt_pct(tumor_fraction / 2)} (clonal heterozygous)"
        # right half: anchor the label at its end so it stays inside the figure
        body.append(_t(x - 3, 18, text, 9, anchor="end") if x > (x0 + x1) / 2 else _t(x + 3, 18, text, 9))
    return _svg(w, h, body, "Variant allele fractions")


# --------------------------------------------------------------------------- VAF over time
def vaf_timeline(timeline: PatientTimeline, highlight: str | None = None) -> Markup:
    """VAF (%) per alteration across a patient's samples, ordered by collection date."""
    pts = timeline.points
    w, h = 640, 250 + 16 * len(timeline.series)
    x0, x1, y0, y1 = 70, 560, 30, 200  # side margins keep date labels inside the figure
    vals = [v for s in timeline.series for v in s.values if v is not None]
    top = max(vals + [0.01])
    scale = min(1.0, (int(top * 20) + 1) / 20)

    def sx(i: int) -> float:
        return (x0 + x1) / 2 if len(pts) == 1 else x0 + i * (x1 - x0) / (len(pts) - 1)

    def sy(v: float) -> float:
        return y1 - v / scale * (y1 - y0)

    body = [f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#555"/>',
            f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#555"/>',
            _t(14, (y0 + y1) / 2, "VAF", 10, anchor="middle",
               extra=f' transform="rotate(-90 14 {(y0 + y1) / 2:.0f})"')]
    for i in range(6):
        v = scale * i / 5
        body.append(f'<line x1="{x0}" y1="{sy(v):.1f}" x2="{x1}" y2="{sy(v):.1f}" stroke="#eee"/>')
        body.append(_t(x0 - 4, sy(v) + 3, fmt_pct(v, 0 if scale >= 0.1 else 1), 9, anchor="end",
                       fill="#555"))
    for i, p in enumerate(pts):
        bold = "bold" if p.sample_id == highlight else "normal"
        body.append(_t(sx(i), y1 + 16, p.sample_id, 10, anchor="middle", weight=bold))
        date = p.collection_date.isoformat() if p.collection_date else "date unknown"
        body.append(_t(sx(i), y1 + 29, f"{date} \u00b7 {specimen_label(p.specimen)}", 9, anchor="middle", fill="#555"))
        body.append(_t(sx(i), y1 + 41, f"TF {fmt_pct(p.tumor_fraction)}", 9, anchor="middle",
                       fill="#555"))
    for k, s in enumerate(timeline.series):
        colour = ROLE_COLOURS[s.role]
        dash = DASHES[k % len(DASHES)]
        coords = [(sx(i), sy(v)) for i, v in enumerate(s.values) if v is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                        + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for i, v in enumerate(s.values):
            if v is None:
                continue
            fill = colour if v > 0 else "#fff"  # hollow marker = assessed, not detected
            body.append(f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="4" fill="{fill}" '
                        f'stroke="{colour}" stroke-width="2"/>')
        ly = y1 + 62 + 16 * k
        body.append(f'<line x1="{x0}" y1="{ly - 4}" x2="{x0 + 26}" y2="{ly - 4}" stroke="{colour}" '
                    f'stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        flags = f" [{', '.join(s.flags)}]" if s.flags else ""
        values = " \u2192 ".join("n/a" if v is None else ("ND" if v == 0 else fmt_pct(v))
                                 for v in s.values)
        body.append(_t(x0 + 32, ly, f"{s.key}{flags}: {values} \u2014 {TREND_TITLES[s.trend]} "
                       f"({ROLE_TITLES[s.role].split(' (')[0].lower()})", 10))
    return _svg(w, h, body, f"VAF over time, patient {timeline.patient_id}")
