"""Release hygiene (issue 11): licence, changelog, citation, versions, constraints, environment,
fresh-machine README and CI."""

from __future__ import annotations

import re

import tomllib
import yaml


def _pyproject(repo_root):
    return tomllib.loads((repo_root / "pyproject.toml").read_text())


def test_license_changelog_citation(repo_root):
    assert (repo_root / "LICENSE").read_text().startswith("MIT License")
    assert _pyproject(repo_root)["project"]["license"]["text"] == "MIT"
    cff = yaml.safe_load((repo_root / "CITATION.cff").read_text())
    assert cff["cff-version"] and cff["license"] == "MIT" and cff["title"].startswith("kinres")
    assert f"## [{cff['version']}]" in (repo_root / "CHANGELOG.md").read_text()


def test_version_from_tags_with_fallback(repo_root):
    from kinres._build_info import FALLBACK_VERSION, created_by, version

    project = _pyproject(repo_root)
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools_scm"]["fallback_version"] == FALLBACK_VERSION
    assert re.match(r"^\d+\.\d+\.\d+", version())
    assert created_by().startswith(f"kinres {version()}")


def test_commit_in_report_provenance_when_run_from_a_checkout(repo_root):
    import subprocess

    from kinres._build_info import commit, created_by

    head = subprocess.run(["git", "-C", str(repo_root), "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()
    if head:
        assert commit() == head and f"(commit {head})" in created_by()


def test_pandas_is_not_a_runtime_dependency(repo_root):
    deps = " ".join(_pyproject(repo_root)["project"]["dependencies"])
    assert "pandas" not in deps
    for path in (repo_root / "src").rglob("*.py"):
        assert not re.search(r"^\s*(import|from) pandas", path.read_text(), re.MULTILINE), path


def test_constraints_pin_every_dependency(repo_root):
    pins = {}
    for line in (repo_root / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, ver = line.partition("==")
            assert ver, line
            pins[re.sub(r"[-_.]+", "-", name).lower()] = ver
    project = _pyproject(repo_root)["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    for req in wanted:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ \[]", req)[0]).lower()
        assert name in pins, name


def test_environment_yml_has_what_the_tests_need(repo_root):
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    names = {re.split(r"[<>= ]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
    assert {"pytest", "pytest-timeout", "multiqc", "pandas", "pyarrow", "poppler", "weasyprint",
            "snakemake", "bcftools"} <= names


def test_fresh_machine_readme_and_ci_venv(repo_root):
    readme = (repo_root / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    apt = re.search(r"apt-get install ([^`]+)`", quick).group(1).split()
    assert {"poppler-utils", "chromium", "bcftools", "tabix", "python3-venv",
            "libpango-1.0-0", "fonts-dejavu-core"} <= set(apt)
    ci = (repo_root / ".ci/run").read_text()
    assert "python3 -m venv .venv-ci" in ci and "system-site-packages" not in ci.replace(
        "WITHOUT system site-packages", "")
    assert 'PIP_CONSTRAINT="$PWD/constraints.txt"' in ci
    for tool in ("poppler-utils", "chromium"):
        assert tool in ci
