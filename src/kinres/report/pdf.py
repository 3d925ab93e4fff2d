"""PDF rendering of the HTML report with WeasyPrint (A4; page numbers and sample ID in the
footer come from the @page rules in templates/report.css, the ID via CSS string-set so no
input text is ever spliced into CSS).

Cost (issue 12): layout is WeasyPrint's pure-Python work proportional to the boxes on the pages, so
the renderer keeps everything that does not depend on the report warm for the whole process: the
font configuration, the parsed report stylesheet, and the garbage collector away from the
long-lived objects (see `_RenderSession`). Print-only CSS (templates/report.css, `@media print`)
avoids the layout features WeasyPrint measures twice (inline-block tags).
"""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from pathlib import Path

from kinres.atomic import atomic_write_bytes

# WeasyPrint and fontTools are chatty at INFO/WARNING about font subsetting details.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)


_FONT_CONFIG = None
_STYLESHEET = None  # (the <style> element text as the report embeds it, its parsed CSS)
# Objects a report render allocates live until the render ends; a generation-0 collection every
# 700 allocations (the default) re-walks them hundreds of times per report for nothing (~8 % of
# layout time). Collections stay on, just rarer, and a full collection runs between reports.
_RENDER_GC_THRESHOLD = (50_000, 20, 100)


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


def _report_stylesheet():
    """The packaged report stylesheet, parsed once per process (~6 % of a report's render).

    Returned with the exact `<style>...</style>` text the report template embeds, so a report is
    rendered with the pre-parsed sheet only when it carries exactly this stylesheet; any other
    HTML (an older report, a batch page) is rendered as it is.
    """
    global _STYLESHEET
    if _STYLESHEET is None:
        from weasyprint import CSS

        from kinres.report.html import stylesheet

        css = str(stylesheet())
        _STYLESHEET = (f"<style>{css}</style>", CSS(string=css))
    return _STYLESHEET


def render_document(html: str, base_url: str | None = None):
    """Lay the report out (HTML parse, cascade, boxes, pages): WeasyPrint's `render()`.

    Split from writing the PDF so bench/pdf.py can time layout and PDF writing apart."""
    # Imported lazily: WeasyPrint is slow to import and not needed for HTML/TSV outputs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class _NoFetch(URLFetcher):
        """A report must not pull external resources: every fetch fails (non-fatally)."""

        def fetch(self, url, headers=None):
            raise ValueError(f"kinres reports do not load external resources ({url[:80]})")

    style_element, parsed = _report_stylesheet()
    stylesheets = None
    if html.count(style_element) == 1:
        # Same cascade: the document's only author sheet, now given pre-parsed instead of inline.
        html = html.replace(style_element, "", 1)
        stylesheets = [parsed]
    with _render_gc():
        return HTML(string=html, base_url=base_url, url_fetcher=_NoFetch()).render(
            font_config=_font_config(), stylesheets=stylesheets)


def document_to_pdf(document) -> bytes:
    """Paint a laid-out document and write the PDF bytes (fonts subset, streams compressed)."""
    with _render_gc():
        return document.write_pdf()


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render self-contained report HTML to PDF bytes; any external URL is refused."""
    return document_to_pdf(render_document(html, base_url))


@contextmanager
def _render_gc():
    previous = gc.get_threshold()
    gc.set_threshold(*_RENDER_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def write_pdf(html: str, path: str | Path) -> None:
    """Render and write the PDF atomically."""
    atomic_write_bytes(path, html_to_pdf(html))


def write_pdfs(html_paths, name: str = "report.pdf") -> list[Path]:
    """PDF next to each report.html, all in this process (WeasyPrint is imported once).

    The PDF is rendered from the HTML file `kinres report`/`kinres sample` wrote, so it shows the
    same content; WeasyPrint output is deterministic, so re-rendering an unchanged HTML keeps the
    PDF's bytes. After the first report, the long-lived objects (WeasyPrint's modules, font and
    stylesheet caches) are frozen out of the collector, so later collections only walk what one
    report allocated.
    """
    written = []
    try:
        for i, html_path in enumerate(html_paths):
            html_path = Path(html_path)
            out = html_path.with_name(name)
            write_pdf(html_path.read_text(encoding="utf-8"), out)
            written.append(out)
            gc.collect()
            if i == 0:
                gc.freeze()
    finally:
        gc.unfreeze()
    return written
