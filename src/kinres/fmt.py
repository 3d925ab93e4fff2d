"""The one number formatter of every clinician-facing text (report, summary, caveats, QC notes).

It lives outside kinres.report so that interpret/ can word its caveat and QC texts with it:
a fraction is always printed as a percentage ("0.60%", "35.0%"), never as a raw fraction next to
a percentage elsewhere in the same report. report.json numeric fields stay numbers.
"""

from __future__ import annotations


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """0.214 -> '21.4%'; None -> 'n/a'; small values keep two significant decimals."""
    if value is None:
        return "n/a"
    pct = value * 100
    if 0 < pct < 1:
        return f"{pct:.2f}%"
    return f"{pct:.{digits}f}%"


def fmt_num(value: float | None, digits: int = 1) -> str:
    """The one number formatter of every clinician-facing output: 23.548 -> '23.5', 1200 -> '1,200'."""
    if value is None:
        return "n/a"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"
