"""Version and commit of this kinres installation.

The version comes from git tags through setuptools-scm when the package is built or installed
(`src/kinres/_version.py`, not committed); a checkout imported without installation asks git
directly; with neither, FALLBACK_VERSION. The commit is recorded in report provenance so a
report can be traced to the exact code that wrote it.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

FALLBACK_VERSION = "0.2.0.dev0"  # keep equal to [tool.setuptools_scm] fallback_version
_HERE = Path(__file__).resolve().parent


@cache
def _in_own_checkout() -> bool:
    """True only when this package is `src/kinres` of a git work tree: an installed copy inside
    some other repository (a venv within a project) must not report that project's commit."""
    top = _git_raw("rev-parse", "--show-toplevel")
    return bool(top) and Path(top).resolve() / "src" / "kinres" == _HERE


def _git(*args: str) -> str | None:
    return _git_raw(*args) if _in_own_checkout() else None


def _git_raw(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(_HERE), *args], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


@cache
def version() -> str:
    try:
        from kinres._version import version as built  # written by setuptools-scm at install
    except ImportError:
        built = None
    described = _git("describe", "--tags", "--match", "v[0-9]*", "--dirty")
    if described:  # running from a checkout: its own tag + distance wins over a stale install
        m = re.match(r"^v(\d+(?:\.\d+)*)(?:-(\d+)-g([0-9a-f]+))?(-dirty)?$", described)
        if m:
            base, distance, sha, dirty = m.groups()
            if not distance:
                return base + ("+dirty" if dirty else "")
            return f"{base}.post{distance}+g{sha}" + (".dirty" if dirty else "")
    return built or FALLBACK_VERSION


@cache
def commit() -> str | None:
    """Short commit id of the code (git checkout, else the +g<sha> of a built version)."""
    sha = _git("rev-parse", "--short=12", "HEAD")
    if sha:
        return sha
    m = re.search(r"\+g([0-9a-f]{7,40})", version())
    return m.group(1) if m else None


def created_by() -> str:
    sha = commit()
    return f"kinres {version()}" + (f" (commit {sha})" if sha else "")
