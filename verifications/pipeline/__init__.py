"""The verification pipeline: claim a job, run the checks, score, decide; and the sweeper that
makes sure every accepted job reaches a terminal state."""

from __future__ import annotations

from verifications.pipeline.run import run_checks, verification_retry, verification_run
from verifications.pipeline.sweeper import SweepResult, pipeline_jobs_sweep

__all__ = [
    "SweepResult",
    "pipeline_jobs_sweep",
    "run_checks",
    "verification_retry",
    "verification_run",
]
