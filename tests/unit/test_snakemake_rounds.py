"""kinres.snakemake_rounds: at most one pending scheduling re-evaluation timer."""

from __future__ import annotations

import threading
import time

import pytest

from kinres import snakemake_rounds


class FakeScheduler:
    def __init__(self) -> None:
        self._open_jobs = threading.Semaphore(0)


def _rounds(scheduler: FakeScheduler) -> int:
    n = 0
    while scheduler._open_jobs.acquire(blocking=False):
        n += 1
    return n


def test_many_requests_while_one_is_pending_give_one_round():
    scheduler = FakeScheduler()
    for _ in range(20):  # e.g. 20 job events within one timespan
        snakemake_rounds._coalesced(scheduler, 0.05)
    time.sleep(0.3)
    assert _rounds(scheduler) == 1
    # once it has fired, the next request starts a new timer: a round still follows every round
    snakemake_rounds._coalesced(scheduler, 0.05)
    time.sleep(0.3)
    assert _rounds(scheduler) == 1


def test_patches_the_installed_snakemake_once(monkeypatch):
    job_scheduler = pytest.importorskip("snakemake.scheduling.job_scheduler")
    original = job_scheduler.JobScheduler._schedule_reevalutation
    monkeypatch.setattr(job_scheduler.JobScheduler, "_schedule_reevalutation", original)
    assert snakemake_rounds.coalesce_reevaluation_timers()
    assert job_scheduler.JobScheduler._schedule_reevalutation is snakemake_rounds._coalesced
    assert snakemake_rounds.coalesce_reevaluation_timers()  # idempotent
    assert job_scheduler.JobScheduler._schedule_reevalutation is snakemake_rounds._coalesced


def test_unknown_snakemake_shape_is_left_alone(monkeypatch):
    job_scheduler = pytest.importorskip("snakemake.scheduling.job_scheduler")
    monkeypatch.delattr(job_scheduler.JobScheduler, "_schedule_reevalutation")
    assert not snakemake_rounds.coalesce_reevaluation_timers()
    assert not hasattr(job_scheduler.JobScheduler, "_schedule_reevalutation")
