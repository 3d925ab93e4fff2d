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
from kinres.report.tsv import cell

# (column, title, description, extra YAML lines)
COLUMNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("patient_id", "Patient", "Patient identifier", ()),
    ("specimen", "Specimen", "tissue, plasma or csf", ()),
    ("tumor_fraction", "TF", "Tumour fraction (0-1)", ("min: 0", "max: 1", "format: '{:,.3f}'")),
    ("informative_negative", "Informative negative", "A negative result is informative (adequate tumour fraction)", ()),
    ("mechanisms", "Mechanisms", "Resistance mechanisms identified", ()),
    ("key_alterations", "Key alterations", "Driver, on-target resistance and bypass alterations", ()),
    ("top_option", "Top option", "Best-ranked therapy option and evidence level", ()),
    ("n_alterations", "Alterations", "Detected alterations", ("format: '{:,.0f}'",)),
    ("n_caveats", "Caveats", "Number of report caveats", ("format: '{:,.0f}'",)),
)

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


def _value(row: SampleSummary, name: str) -> object:
    if name == "top_option":
        return f"{row.top_option} ({row.top_option_level})" if row.top_option else None
    if name == "n_caveats":
        return len(row.caveat_codes)
    return getattr(row, name)


def mqc_text(rows: Sequence[SampleSummary]) -> str:
    """The custom-content file text, one row per sample."""
    lines = [HEADER.rstrip("\n")]
    for name, title, desc, extra in COLUMNS:
        lines.append(f"#     {name}:")
        lines.append(f"#         title: '{title}'")
        lines.append(f"#         description: '{desc}'")
        lines.extend(f"#         {e}" for e in extra)
    lines.append("\t".join(["Sample"] + [c[0] for c in COLUMNS]))
    for row in rows:
        lines.append("\t".join([cell(row.sample_id)] + [cell(_value(row, c[0])) for c in COLUMNS]))
    return "\n".join(lines) + "\n"


def write_multiqc(rows: Sequence[SampleSummary], path: str | Path) -> None:
    """Write kinres_mqc.tsv atomically."""
    atomic_write_text(path, mqc_text(rows))
