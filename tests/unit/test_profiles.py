"""Snakemake profiles: the auto-loaded workflow profile (profiles/default) cannot silently
override profiles/slurm, and the SLURM profile picks sacct only where accounting answers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# keys profiles/default may set although profiles/slurm differs: cluster submissions ignore them
LOCAL_ONLY = {"cores"}


def profile(name: str) -> dict:
    data = yaml.safe_load((REPO / "profiles" / name / "config.yaml").read_text())
    return {k: v for k, v in data.items() if not k.startswith("__")}


def test_default_profile_cannot_override_the_slurm_profile():
    default, slurm = profile("default"), profile("slurm")
    clashes = {k: (v, slurm[k]) for k, v in default.items()
               if k in slurm and slurm[k] != v and k not in LOCAL_ONLY}
    unknown = set(default) - set(slurm) - LOCAL_ONLY
    assert not clashes, f"profiles/default would override profiles/slurm: {clashes}"
    assert not unknown, (f"profiles/default sets {sorted(unknown)}, which profiles/slurm "
                         "does not: Snakemake applies them to SLURM runs too")


def _parse(*argv: str, path: str | None = None):
    cli = pytest.importorskip("snakemake.cli")
    pytest.importorskip("snakemake_executor_plugin_slurm")
    old_cwd, old_path = os.getcwd(), os.environ["PATH"]
    try:
        os.chdir(REPO)
        if path is not None:
            os.environ["PATH"] = path
        _, args = cli.parse_args(list(argv))
    finally:
        os.chdir(old_cwd)
        os.environ["PATH"] = old_path
    return args


def test_slurm_profile_settings_survive_the_workflow_profile():
    args = _parse("--profile", "profiles/slurm")  # as documented: no --workflow-profile none
    assert args.latency_wait == 60
    assert args.retries >= 1
    assert args.group_components.get("samples", 0) >= 1
    assert "cpus_per_task" in args.default_resources
    assert args.jobs == 50 and args.executor == "slurm"
    # the rate limit Snakemake applies (its deprecated max-jobs-per-second key is ignored when
    # set from a profile: the CLI default of max-jobs-per-timespan, 100/1s, wins)
    assert args.max_jobs_per_second is None
    limit = args.max_jobs_per_timespan
    assert (limit.max_jobs, limit.timespan) == (5, 1)


def _fake_sacct(tmp_path: Path, body: str | None) -> str:
    """PATH whose `sacct` runs `body` (None: no sacct at all), followed by the system's."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    if body is not None:
        script = bindir / "sacct"
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    rest = [p for p in os.environ["PATH"].split(os.pathsep)
            if not (Path(p) / "sacct").exists()]
    return os.pathsep.join([str(bindir), *rest])


@pytest.mark.parametrize("body, expected", [
    (None, "squeue"),                                                   # no sacct binary
    ("echo 'sacct: error: Slurm accounting storage is disabled' >&2; exit 1", "squeue"),
    ("echo 'sacct: error: Problem talking to the database' >&2; exit 0", "squeue"),
    ("echo 123; exit 0", "sacct"),                                      # slurmdbd answers
])
def test_status_command_follows_accounting(tmp_path, body, expected):
    args = _parse("--profile", "profiles/slurm", path=_fake_sacct(tmp_path, body))
    assert args.slurm_status_command == expected
