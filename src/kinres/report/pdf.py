"""PDF rendering of the HTML report with WeasyPrint (A4; page numbers and sample ID in the
footer come from the @page rules in templates/report.css, the ID via CSS string-set so no
input text is ever spliced into CSS)."""

from __future__ import annotations

import logging
from pathlib import Path

from kinres.atomic import atomic_write_bytes

# WeasyPrint and fontTools are chatty at INFO/WARNING about font subsetting details.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def _no_fetch(url: str, *args, **kwargs):
    """URL fetcher that refuses everything: a report must not pull external resources."""
    raise ValueError(f"kinres reports do not load external resources ({url[:80]})")


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render self-contained report HTML to PDF bytes."""
    from weasyprint import HTML  # imported lazily: slow to import, not needed for HTML/TSV

    return HTML(string=html, base_url=base_url, url_fetcher=_no_fetch).write_pdf()


def write_pdf(html: str, path: str | Path) -> None:
    """Render and write the PDF atomically."""
    atomic_write_bytes(path, html_to_pdf(html))
