"""Headless Chromium renders the HTML report: screenshot, no console errors, no external requests."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import DATA, XSS, hostile

from kinres.report.html import render_report_html
from kinres.report.json import load_report, parse_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium not installed (Debian: apt-get install chromium)")


def _chromium(tmp_path: Path, html_path: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", *extra, html_path.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)


def _console_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line or "Failed to load resource" in line or "net::ERR" in line
            or "Uncaught" in line]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chromium")
    t2, t1 = (load_report(DATA / f"serial_plasma_{t}.report.json") for t in ("t2", "t1"))
    page = tmp / "report.html"
    page.write_text(render_report_html(t2, [t1]))
    shot = tmp / "shot.png"
    run = _chromium(tmp, page, f"--screenshot={shot}", "--window-size=1200,3000")
    dom = _chromium(tmp, page, "--dump-dom")
    return run, shot, dom


def test_screenshot_written(rendered):
    run, shot, _ = rendered
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a real page, not blank


def test_no_console_errors_or_failed_loads(rendered):
    run, _, dom = rendered
    assert _console_problems(run.stderr) == []
    assert _console_problems(dom.stderr) == []


def test_dom_has_key_text_and_no_external_refs(rendered):
    _, _, dom = rendered
    text = dom.stdout
    for key in ("P002-P2", "Result", "lorlatinib", "ALK G1202R", "Serial samples of patient P002",
                "support, not replace"):
        assert key in text, key
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.IGNORECASE)
    assert "<script" not in text.lower()


def test_injected_markup_stays_text(tmp_path):
    page = tmp_path / "x.html"
    page.write_text(render_report_html(parse_report(hostile())))
    dom = _chromium(tmp_path, page, "--dump-dom").stdout
    assert "<script>alert(1)</script>" not in dom  # never parsed into an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text
    assert XSS not in dom


@pytest.mark.parametrize("name", ["alk_g1202r_tissue", "serial_plasma_t2", "ntrk3_etv6_g623r"])
@pytest.mark.parametrize("width", [794, 1100])  # A4 at 96 dpi, and a desktop window
def test_nothing_overflows_its_box(tmp_path, name, width):
    from layout_checks import chromium_overflow

    page = tmp_path / name / "report.html"
    page.parent.mkdir()
    page.write_text(render_report_html(load_report(DATA / f"{name}.report.json")))
    assert chromium_overflow(page, tmp_path, width) == []
