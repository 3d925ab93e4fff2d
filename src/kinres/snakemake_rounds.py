"""Keep Snakemake's scheduling rounds proportional to job events, not to jobs x wall time.

Snakemake 9's scheduler (`snakemake.scheduling.job_scheduler.JobScheduler`) ends every
scheduling round that had ready jobs by starting a `threading.Timer` that triggers another round
after the rate-limit timespan (`--max-jobs-per-timespan`, default 100/1s). Rounds are counted
on a semaphore, so every job start or finish adds one more self-renewing timer chain: after k
finished jobs, k rounds run every second while ready jobs wait for a core. Each round validates
every ready job and stats every declared input of every ready job (`update_input_sizes`). In a
2,000-sample batch this was most of Snakemake's own CPU (docs/scaling.md).

`coalesce_reevaluation_timers()` keeps at most one pending re-evaluation timer per scheduler. A
round still runs at every job event, and a round still follows within one timespan of any round,
so jobs the rate limit held back are scheduled as before; only the duplicate rounds go.
"""

from __future__ import annotations

import threading
from typing import Any

_MARK = "_kinres_coalesced"


def coalesce_reevaluation_timers() -> bool:
    """Patch the installed Snakemake's scheduler in this process; False if its shape is unknown.

    Safe to call more than once. Called by the Snakefile, i.e. only in Snakemake's own process.
    """
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return False
    original = getattr(JobScheduler, "_schedule_reevalutation", None)  # (sic) Snakemake's spelling
    if original is None:
        return False
    if getattr(original, _MARK, False):
        return True
    JobScheduler._schedule_reevalutation = _coalesced  # type: ignore[method-assign]
    return True


def _coalesced(self: Any, delay: float) -> None:
    lock = self.__dict__.setdefault("_kinres_timer_lock", threading.Lock())
    with lock:
        if self.__dict__.get("_kinres_timer_pending"):
            return
        self._kinres_timer_pending = True

    def fire() -> None:
        with lock:
            self._kinres_timer_pending = False
        self._open_jobs.release()

    timer = threading.Timer(delay, fire)
    timer.daemon = True  # a pending timer need not delay the end of the run (a release is harmless)
    timer.start()


setattr(_coalesced, _MARK, True)
