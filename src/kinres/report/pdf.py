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


_FONT_CONFIG = None


def _font_config():
    """One FontConfiguration per process: a new one per report reloads fontconfig and starts
    Pango's font map (glyph and shaping caches) cold, ~10 % of a report's layout time. Reports
    declare no @font-face, so sharing it cannot leak fonts between reports; the PDF bytes are
    identical either way (checked on the demo batch)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render self-contained report HTML to PDF bytes; any external URL is refused."""
    # Imported lazily: WeasyPrint is slow to import and not needed for HTML/TSV outputs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class _NoFetch(URLFetcher):
        """A report must not pull external resources: every fetch fails (non-fatally)."""

        def fetch(self, url, headers=None):
            raise ValueError(f"kinres reports do not load external resources ({url[:80]})")

    return HTML(string=html, base_url=base_url, url_fetcher=_NoFetch()).write_pdf(
        font_config=_font_config())


def write_pdf(html: str, path: str | Path) -> None:
    """Render and write the PDF atomically."""
    atomic_write_bytes(path, html_to_pdf(html))


def write_pdfs(html_paths, name: str = "report.pdf") -> list[Path]:
    """PDF next to each report.html, all in this process (WeasyPrint is imported once).

    The PDF is rendered from the HTML file `kinres report`/`kinres sample` wrote, so it shows the
    same content; WeasyPrint output is deterministic, so re-rendering an unchanged HTML keeps the
    PDF's bytes.
    """
    written = []
    for html_path in html_paths:
        html_path = Path(html_path)
        out = html_path.with_name(name)
        write_pdf(html_path.read_text(encoding="utf-8"), out)
        written.append(out)
    return written
