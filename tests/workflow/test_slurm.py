"""SLURM end to end: a throw-away one-node SLURM cluster on this host runs a small demo batch
through the Snakemake SLURM executor (profiles/slurm, as documented: no extra flags), and the
results equal a local run byte for byte.

The cluster (munged, slurmctld, slurmd; no slurmdbd, so job status comes from squeue) is
configured in a temporary folder on free ports and stopped by PID afterwards; nothing under
/etc is written. Needs root and the Debian packages `slurm-wlm munge` (.ci/run installs them);
skips with the reason otherwise. Opt-in (KINRES_SLURM_TEST=1, set by .ci/run): on a shared
development machine several test runs would otherwise start clusters side by side (and share
one munged). The logic follows scripts/slurm_smoke.sh (docs/slurm.md).
"""

from __future__ import annotations

import contextlib
import csv
import filecmp
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
BINARIES = ("slurmctld", "slurmd", "sbatch", "squeue", "srun", "scontrol", "sinfo", "scancel",
            "munged", "munge", "unmunge")
# 3 patients, one with a BAM (coverage + phasing), fusions and CNV from several callers
SAMPLES = ("P02-T1", "P04-T1", "P07-T1")
IGNORED_DIRS = {"logs", "benchmarks"}  # timings and per-job logs legitimately differ
REUSE_STORE = (".kinres", "reuse")  # a cache of hard links to the outputs compared below


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, seconds: float, logs: Path) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                      for p in sorted(logs.glob("*.log")))
    pytest.fail(f"{what} did not come up within {seconds:.0f}s\n{tails}", pytrace=False)


def _ok(cmd: list[str], env: dict | None = None, **kw) -> bool:
    try:
        return subprocess.run(cmd, check=False, env=env, capture_output=True, timeout=20,
                              **kw).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _munge_works() -> bool:
    return _ok(["sh", "-c", "munge -n | unmunge"])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if os.environ.get("KINRES_SLURM_TEST") != "1":
        pytest.skip("SLURM end-to-end test is opt-in: set KINRES_SLURM_TEST=1 (.ci/run does); "
                    "it starts SLURM daemons on this host and takes 2-5 minutes")
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        pytest.skip(f"SLURM not installed ({', '.join(missing)} missing): apt-get install "
                    "slurm-wlm munge (.ci/run does)")
    if os.geteuid() != 0:
        pytest.skip("a throw-away SLURM cluster needs root (slurmd and munged)")
    pytest.importorskip("snakemake_executor_plugin_slurm")
    work = tmp_path_factory.mktemp("slurm")
    logs = work / "log"
    for sub in ("log", "ctld", "spool", "bin"):
        (work / sub).mkdir()
    host = socket.gethostname().split(".")[0]
    cpus = os.cpu_count() or 1
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    conf = work / "slurm.conf"
    conf.write_text(f"""\
ClusterName=kinres-test
SlurmctldHost={host}
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
AuthType=auth/munge
StateSaveLocation={work}/ctld
SlurmdSpoolDir={work}/spool
SlurmctldPidFile={work}/slurmctld.pid
SlurmdPidFile={work}/slurmd.pid
SlurmctldLogFile={logs}/slurmctld.log
SlurmdLogFile={logs}/slurmd.log
# no cgroups in containers; no slurmdbd (status from squeue, see profiles/slurm)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# finished jobs stay visible to squeue for 5 minutes, so the executor sees COMPLETED/FAILED
MinJobAge=300
NodeName={host} CPUs={cpus} RealMemory={int(mem_kb / 1024 * 0.9)} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
    # The executor's job step drops SLURM_CONF before calling srun; this wrapper, first on the
    # PATH that sbatch exports to the job, puts it back (docs/slurm.md, "SLURM_CONF and srun").
    wrapper = work / "bin" / "srun"
    wrapper.write_text(f"#!/bin/sh\nexport SLURM_CONF={conf}\nexec {shutil.which('srun')} \"$@\"\n")
    wrapper.chmod(0o755)
    env = dict(os.environ, SLURM_CONF=str(conf),
               PATH=f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"),
                                                        os.environ.get("PYTHONPATH")])))
    daemons: list[subprocess.Popen] = []

    def start(name: str, cmd: list[str]) -> None:
        out = open(logs / f"{name}.out.log", "w")  # noqa: SIM115 - closed with the process
        daemons.append(subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT))

    try:
        if not _munge_works():
            if not Path("/etc/munge/munge.key").is_file():
                subprocess.run(["setpriv", "--reuid=munge", "--regid=munge", "--init-groups",
                                "mungekey", "-c"], check=True, timeout=60)
            subprocess.run(["install", "-d", "-o", "munge", "-g", "munge", "-m", "0755",
                            "/run/munge"], check=True)
            start("munged", ["setpriv", "--reuid=munge", "--regid=munge", "--init-groups",
                             "munged", "-F"])
            _wait("munged", _munge_works, 15, logs)
        start("slurmctld", ["slurmctld", "-D", "-f", str(conf)])
        _wait("slurmctld", lambda: _ok(["scontrol", "ping"], env), 30, logs)
        start("slurmd", ["slurmd", "-D", "-f", str(conf), "-N", host])

        def idle() -> bool:
            out = subprocess.run(["sinfo", "-h", "-n", host, "-o", "%T"], check=False, env=env,
                                 capture_output=True, text=True, timeout=20).stdout.split()
            return "idle" in out

        _wait(f"node {host} idle", idle, 60, logs)
        yield {"env": env, "work": work, "logs": logs}
    finally:
        if len(daemons) >= 2:  # our slurmctld: cancel whatever is left of our jobs
            ids = subprocess.run(["squeue", "-h", "-o", "%i"], check=False, env=env,
                                 capture_output=True,
                                 text=True, timeout=20).stdout.split()
            if ids:
                subprocess.run(["scancel", *ids], check=False, env=env, capture_output=True,
                               timeout=20)
        for proc in reversed(daemons):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        _reap_jobs(work / "spool")


def _reap_jobs(spool: Path) -> None:
    """Kill what is left of this cluster's jobs (their batch scripts live in our private spool
    folder; with proctrack/linuxproc stopping slurmd does not end them), by PID, with their
    descendants. Nothing else on the host matches that path."""
    parent: dict[int, int] = {}
    roots = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent[int(entry.name)] = int(stat_fields[1])
            if str(spool) in (entry / "cmdline").read_bytes().decode(errors="replace"):
                roots.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    doomed, frontier = set(roots), list(roots)
    while frontier:
        pid = frontier.pop()
        children = [c for c, pp in parent.items() if pp == pid and c not in doomed]
        doomed.update(children)
        frontier.extend(children)
    for pid in doomed:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _sheet(tmp_path: Path) -> Path:
    """The demo sheet's rows for SAMPLES, with input paths made absolute."""
    src = REPO / "config" / "samples.tsv"
    lines = src.read_text().splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.reader([line for line in lines if not line.startswith("#")],
                           delimiter="\t"))
    header, body = rows[0], [r for r in rows[1:] if r and r[0] in SAMPLES]
    assert [r[0] for r in body] == sorted(SAMPLES), "demo sheet changed: pick other samples"
    out = []
    for row in body:
        out.append([str((src.parent / c).resolve()) if c.startswith(("../", "./")) else c
                    for c in row])
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("\n".join(comments + ["\t".join(r) for r in [header, *out]]) + "\n")
    return sheet


def _run(args: list[str], env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, *args], check=False, cwd=REPO, env=env,
                          capture_output=True,
                          text=True, timeout=timeout)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and not set(p.relative_to(root).parts) & IGNORED_DIRS
            and p.relative_to(root).parts[:2] != REUSE_STORE}


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")


def _same(a: Path, b: Path) -> bool:
    if filecmp.cmp(a, b, shallow=False):
        return True
    # timestamps (if a format writes any) may differ; nothing else may
    return _STAMP.sub(b"<time>", a.read_bytes()) == _STAMP.sub(b"<time>", b.read_bytes())


def test_slurm_batch_equals_local_run(cluster, tmp_path):
    env, work = cluster["env"], cluster["work"]
    sheet = _sheet(tmp_path)
    run_dir = tmp_path / "results"  # both runs write here: reports record absolute paths
    common = ["--nolock", "--config", f"results={run_dir}", f"samples={sheet}"]

    t0 = time.monotonic()
    # as documented (profiles/slurm, nothing else) plus: 2 samples per job, polls every 3 s
    slurm = _run(["--profile", "profiles/slurm", "--group-components", "samples=2",
                  "--seconds-between-status-checks", "3",
                  "--slurm-logdir", str(work / "slurm_logs"), "--slurm-keep-successful-logs",
                  *common], env)
    slurm_secs = time.monotonic() - t0
    text = slurm.stdout + slurm.stderr
    assert slurm.returncode == 0, f"SLURM run failed:\n{text[-5000:]}"
    job_ids = re.findall(r"submitted with SLURM jobid (\d+)", text)
    assert job_ids, f"no job went through sbatch:\n{text[-3000:]}"
    states = subprocess.run(["squeue", "-h", "--states=all", "-o", "%i %T", "-j",
                             ",".join(job_ids)], check=False, env=env, capture_output=True, text=True,
                            timeout=30).stdout.split("\n")
    seen = dict(line.split() for line in states if line.strip())
    assert set(seen) == set(job_ids) and set(seen.values()) == {"COMPLETED"}, seen
    slurm_results = tmp_path / "slurm_results"
    run_dir.rename(slurm_results)

    t0 = time.monotonic()
    local = _run(["--profile", "profiles/default", *common], env)
    local_secs = time.monotonic() - t0
    assert local.returncode == 0, f"local run failed:\n{(local.stdout + local.stderr)[-5000:]}"
    local_results = tmp_path / "local_results"
    run_dir.rename(local_results)

    files = _files(local_results)
    reports = [f for f in files if f.endswith("report.json")]
    assert len(reports) == len(SAMPLES)
    assert _files(slurm_results) == files
    differ = sorted(f for f in files if not _same(slurm_results / f, local_results / f))
    assert not differ, f"SLURM and local outputs differ: {differ}"
    print(f"\nSLURM: {len(job_ids)} job(s), {slurm_secs:.0f}s; local {local_secs:.0f}s; "
          f"{len(files)} identical files")
