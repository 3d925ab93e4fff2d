"""Layout checks shared by the unit and workflow tests: PDF page count, word boxes inside the
page (pdftotext -bbox), blank page margins in pdftoppm images, and element widths in headless
Chromium. Each helper needs a system tool; `require(tool)` skips the test with the reason."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kinres.report.text import leaks

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install "
                    f"{'poppler-utils' if any(t.startswith('pdf') for t in missing) else 'chromium'})")


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("chromium not installed (Debian: apt-get install chromium)")


def pdf_pages(pdf: Path) -> int:
    require("pdfinfo")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def words_outside_page(pdf: Path) -> list[str]:
    """Words whose box leaves the page (pdftotext -bbox coordinates are in points)."""
    require("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    bad = []
    width = height = 0.0
    for line in out.splitlines():
        page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if page:
            width, height = float(page.group(1)), float(page.group(2))
            continue
        word = re.search(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                         r'yMax="([-\d.]+)">(.*)</word>', line)
        if word:
            x0, y0, x1, y1 = map(float, word.groups()[:4])
            if x0 < 0 or y0 < 0 or x1 > width + 0.5 or y1 > height + 0.5:
                bad.append(f"{html.unescape(word.group(5))!r} at x {x0:.0f}-{x1:.0f} of {width:.0f}")
    return bad


def inked_right_margin(pdf: Path, margin_mm: float = 6.0, dpi: int = 40) -> list[int]:
    """Pages (1-based) with ink in the outer right margin strip of their pdftoppm image."""
    require("pdftoppm")
    with_ink = []
    tmp = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(tmp) + "-pg"], check=True,
                   capture_output=True)
    images = sorted(pdf.parent.glob(tmp.name + "-pg*.pgm"))
    for i, image in enumerate(images, start=1):
        data = image.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        w, h = int(m.group(1)), int(m.group(2))
        pixels = data[m.end():]
        strip = max(1, round(margin_mm / 25.4 * dpi))
        for y in range(h):
            row = pixels[y * w:(y + 1) * w]
            if min(row[w - strip:]) < 200:
                with_ink.append(i)
                break
    return with_ink


# Run in a temporary copy only: reports themselves never carry scripts.
_PROBE = """<script>
(function () {
  var vw = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > vw + 1) bad.push("page scrolls sideways: " + document.documentElement.scrollWidth + ">" + vw);
  document.querySelectorAll("main *, header *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width === 0) return;
    if (r.right > vw + 1) bad.push(el.tagName + " right edge " + Math.round(r.right) + ">" + vw + ": " + (el.textContent || "").slice(0, 40));
    if ((el.tagName === "TD" || el.tagName === "TH" || el.tagName === "DD") && el.scrollWidth > el.clientWidth + 1)
      bad.push(el.tagName + " content wider than its cell: " + (el.textContent || "").slice(0, 40));
  });
  var out = document.createElement("pre"); out.id = "kinres-overflow";
  out.textContent = "OVERFLOW[" + bad.join(" | ") + "]"; document.body.appendChild(out);
})();
</script>"""


def chromium_overflow(html_path: Path, tmp: Path, width: int = 794) -> list[str]:
    """Elements that overflow the viewport or their table cell at this window width (A4 = 794)."""
    exe = chromium()
    probe = tmp / f"probe-{html_path.parent.name}-{width}.html"
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"),
                     encoding="utf-8")
    proc = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", f"--user-data-dir={tmp / 'profile'}",
                           f"--window-size={width},1200", "--dump-dom", probe.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    m = re.search(r'<pre id="kinres-overflow">OVERFLOW\[(.*?)\]</pre>', proc.stdout, re.DOTALL)
    assert m, f"chromium did not run the probe: {proc.stderr[-800:]}"
    return [p for p in html.unescape(m.group(1)).split(" | ") if p]


def chromium_screenshot(html_path: Path, png: Path, width: int = 794) -> bytes:
    exe = chromium()
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", f"--user-data-dir={png.parent / 'profile-shot'}",
                    f"--window-size={width},3000", f"--screenshot={png}", html_path.as_uri()],
                   capture_output=True, text=True, timeout=120, check=False)
    return png.read_bytes()


def visible_text(path: Path) -> str:
    """Text a reader sees in a clinician-facing file (HTML tags and scripts stripped, PDF via pdftotext)."""
    if path.suffix == ".pdf":
        require("pdftotext")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".html", ".htm"):
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def internal_code_leaks(path: Path) -> list[str]:
    return leaks(visible_text(path))
