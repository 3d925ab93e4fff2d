"""MultiQC custom-content table (`kinres_mqc.tsv`): one row per sample.

MultiQC picks up files named *_mqc.tsv; the leading '#' lines are a YAML header (id,
section_name, description, plot_type 'table', pconfig, headers) as described in MultiQC's
custom-content documentation. Only our own constant text goes into that YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kinres.atomic import atomic_write_text
from kinres.report.summary import SampleSummary
from kinres.report.text import clinical_text
from kinres.report.tsv import cell

# (column, title, description, extra YAML lines)
COLUMNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("patient_id", "Patient", "Patient identifier", ()),
    ("specimen", "Specimen", "tissue, plasma or csf", ()),
    ("tumor_fraction", "TF / purity", "Tumour fraction (plasma/CSF) or tumour purity (tissue), 0-1",
     ("min: 0", "max: 1", "format: '{:,.3f}'")),
    ("mechanism_class", "Mechanism class", "on target, off target, phenotypic or none identified", ()),
    ("negative_result", "Negative result",
     "Whether a negative result is informative; n/a when a mechanism was found", ()),
    ("mechanisms", "Mechanisms", "Resistance mechanisms identified", ()),
    ("key_alterations", "Key alterations", "Driver, on-target resistance and bypass alterations", ()),
    ("top_option", "Top option", "Best-ranked therapy option and evidence level", ()),
    ("n_alterations", "Alterations", "Detected alterations", ("format: '{:,.0f}'",)),
    ("n_caveats", "Caveats", "Number of report caveats", ("format: '{:,.0f}'",)),
)
# General Statistics columns (a second custom-content file of plot_type 'generalstats').
GENERAL_STATS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("kinres_tf_pct", "TF %", "kinres: tumour fraction (plasma/CSF) or purity (tissue), percent",
     ("min: 0", "max: 100", "suffix: '%'", "format: '{:,.1f}'", "scale: 'Blues'")),
    ("kinres_alterations", "Alterations", "kinres: detected alterations",
     ("min: 0", "format: '{:,.0f}'", "scale: 'Greens'")),
    ("kinres_mechanism", "Mechanism", "kinres: resistance mechanism class(es)", ()),
)
GENERAL_STATS_HEADER = """# id: 'kinres_general_stats'
# plot_type: 'generalstats'
# headers:
"""

HEADER = """# id: 'kinres'
# section_name: 'kinres resistance summary'
# description: 'Targeted-therapy resistance interpretation per sample (ALK/ROS1/NTRK); see each sample report for details.'
# plot_type: 'table'
# pconfig:
#     id: 'kinres_table'
#     title: 'kinres: resistance summary'
#     namespace: 'kinres'
# headers:
"""


def _text(values) -> str | None:
    """Lists as readable text ('a; b'): MultiQC shows cells as they are, so no bare ';'."""
    return "; ".join(values) if values else None


def negative_result(row: SampleSummary) -> str:
    """Text, not a boolean: MultiQC draws true/false as coloured badges, and 'false' on a sample
    with a finding would read as a failure."""
    if any(m != "none_identified" for m in row.mechanism_classes):
        return "n/a (finding reported)"
    if row.informative_negative is None:
        return "not assessed"
    return "informative" if row.informative_negative else "not informative"


def mechanism_class(row: SampleSummary) -> str:
    return "; ".join(m.replace("_", " ") for m in row.mechanism_classes) or "none identified"


def _value(row: SampleSummary, name: str) -> object:
    if name == "top_option":
        return f"{row.top_option} ({row.top_option_level})" if row.top_option else None
    if name == "n_caveats":
        return len(row.caveat_codes)
    if name == "negative_result":
        return negative_result(row)
    if name == "mechanism_class":
        return mechanism_class(row)
    if name in ("mechanisms", "key_alterations"):
        return _text([clinical_text(v) for v in getattr(row, name)])
    if name == "top_option":
        return clinical_text(_value(row, name))
    return getattr(row, name)


def _header_lines(header: str, columns) -> list[str]:
    lines = [header.rstrip("\n")]
    for name, title, desc, extra in columns:
        lines.append(f"#     {name}:")
        lines.append(f"#         title: '{title}'")
        lines.append(f"#         description: '{desc}'")
        lines.extend(f"#         {e}" for e in extra)
    return lines


def mqc_text(rows: Sequence[SampleSummary]) -> str:
    """The custom-content table text, one row per sample."""
    lines = _header_lines(HEADER, COLUMNS)
    lines.append("\t".join(["Sample"] + [c[0] for c in COLUMNS]))
    for row in rows:
        lines.append("\t".join([cell(row.sample_id)] + [cell(_value(row, c[0])) for c in COLUMNS]))
    return "\n".join(lines) + "\n"


def general_stats_text(rows: Sequence[SampleSummary]) -> str:
    """The General Statistics custom-content text (tumour fraction %, alterations, mechanism)."""
    lines = _header_lines(GENERAL_STATS_HEADER, GENERAL_STATS)
    lines.append("\t".join(["Sample"] + [c[0] for c in GENERAL_STATS]))
    for row in rows:
        tf = None if row.tumor_fraction is None else round(row.tumor_fraction * 100, 2)
        lines.append("\t".join([cell(row.sample_id), cell(tf), cell(row.n_alterations),
                                cell(mechanism_class(row))]))
    return "\n".join(lines) + "\n"


def general_stats_path(path: str | Path) -> Path:
    return Path(path).with_name("kinres_general_stats_mqc.tsv")


def write_multiqc(rows: Sequence[SampleSummary], path: str | Path) -> None:
    """Write kinres_mqc.tsv and, beside it, kinres_general_stats_mqc.tsv atomically."""
    atomic_write_text(path, mqc_text(rows))
    atomic_write_text(general_stats_path(path), general_stats_text(rows))
