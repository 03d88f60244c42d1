"""Runs command-line jobs that depend on each other on a few CPU cores, one job per core.

    jobs = [Job("pretrain", ["python", "train.py", ...]),
            Job("finetune", [...], needs=("pretrain",))]
    outcome = run_jobs(jobs, workers=2, log_dir=out / "logs")   # {name: "done" | "failed" | ...}

A job starts once every job it `needs` is done, on a free worker slot; ready jobs start in list
order, so put the long chain first. Slot k runs its job under `taskset -c k` when there are no
more slots than cores (training on a shared core would make a time budget mean less). Each job's
stdout and stderr go to `log_dir/<name>.log`; a failed job's log tail is printed, and the jobs
that need it are skipped (never run on missing inputs), while the others go on. A job whose
`done_marker` file exists is not run again, so an interrupted run of the queue resumes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclasses.dataclass
class Job:
    name: str
    command: list[str]
    needs: tuple[str, ...] = ()
    done_marker: Path | None = None  # written on success (JSON: seconds, command)
    expected_seconds: float = 0.0  # for the ETA


def print_plan(jobs: Sequence[Job], workers: int, what: str, noun: str = "jobs") -> None:
    """The queue's size and its ETA from the jobs' expected seconds."""
    total = sum(job.expected_seconds for job in jobs) / 60
    print(f"[{what}] {len(jobs)} {noun} on {workers} workers, about {total / workers:.0f} min "
          "if they pack evenly", flush=True)


def print_commands(jobs: Sequence[Job]) -> None:
    """Every job, its dependencies and its command line (a dry run)."""
    import shlex

    for job in jobs:
        print(f"\n# {job.name} (after {', '.join(job.needs) or 'nothing'})\n"
              + shlex.join(job.command))


def plan_or_run(jobs: Sequence[Job], workers: int, what: str, log_dir: Path, dry_run: bool,
                cwd: Path | None = None) -> dict[str, str] | None:
    """An experiment's queue: prints the plan, then either every command (`dry_run`: returns
    None) or runs the jobs (`run_jobs`: returns each job's outcome)."""
    print_plan(jobs, workers, what)
    if dry_run:
        print_commands(jobs)
        return None
    return run_jobs(jobs, workers, log_dir, cwd=cwd)


def _say(message: str) -> None:
    print(f"[queue {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _pinning(slot: int, workers: int) -> list[str]:
    """taskset for a worker slot: one core each, taken from the cores this process may use (so
    a queue started under `taskset -c 1` keeps its jobs on core 1)."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if shutil.which("taskset") and allowed and workers <= len(allowed):
        return ["taskset", "-c", str(allowed[slot])]
    return []


def run_jobs(jobs: Sequence[Job], workers: int, log_dir: Path, cwd: Path | None = None
             ) -> dict[str, str]:
    """Runs `jobs`; returns each job's outcome: "done", "failed" or "skipped" (a need failed)."""
    names = [j.name for j in jobs]
    unknown = {n for j in jobs for n in j.needs} - set(names)
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"jobs need unknown jobs {sorted(unknown)} or repeat a name: {names}")
    log_dir.mkdir(parents=True, exist_ok=True)
    outcome: dict[str, str] = {}
    for job in jobs:
        if job.done_marker is not None and job.done_marker.exists():
            outcome[job.name] = DONE
            _say(f"{job.name}: already done ({job.done_marker})")
    waiting = [j for j in jobs if j.name not in outcome]
    running: dict[int, tuple[Job, subprocess.Popen, float, object]] = {}
    start = time.monotonic()
    while waiting or running:
        for job in list(waiting):  # skip what can no longer run
            if any(outcome.get(n) in (FAILED, SKIPPED) for n in job.needs):
                outcome[job.name] = SKIPPED
                waiting.remove(job)
                _say(f"{job.name}: skipped, a job it needs did not finish")
        free = [s for s in range(workers) if s not in running]
        for slot in free:
            ready = next((j for j in waiting if all(outcome.get(n) == DONE for n in j.needs)),
                         None)
            if ready is None:
                break
            waiting.remove(ready)
            log = open(log_dir / f"{ready.name}.log", "w")  # noqa: SIM115 (closed on exit)
            command = _pinning(slot, workers) + ready.command
            log.write("$ " + " ".join(command) + "\n")
            log.flush()
            process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
            running[slot] = (ready, process, time.monotonic(), log)
            _say(f"{ready.name}: started on slot {slot} (log {log_dir / (ready.name + '.log')})")
        time.sleep(1.0)
        for slot, (job, process, began, log) in list(running.items()):
            if process.poll() is None:
                continue
            del running[slot]
            log.close()
            seconds = time.monotonic() - began
            if process.returncode == 0:
                outcome[job.name] = DONE
                if job.done_marker is not None:
                    job.done_marker.parent.mkdir(parents=True, exist_ok=True)
                    job.done_marker.write_text(json.dumps(
                        {"seconds": round(seconds, 1), "command": job.command}, indent=1))
            else:
                outcome[job.name] = FAILED
                _say(f"{job.name}: FAILED (exit {process.returncode}); end of its log:\n"
                     + _tail(log_dir / f"{job.name}.log"))
            left = sum(j.expected_seconds for j in waiting) + sum(
                max(0.0, j.expected_seconds - (time.monotonic() - b))
                for j, _, b, _ in running.values())
            _say(f"{job.name}: {outcome[job.name]} in {seconds / 60:.1f} min; "
                 f"{len(outcome)}/{len(jobs)} jobs ended, {(time.monotonic() - start) / 60:.1f} "
                 f"min so far, about {left / 60 / workers:.0f} min left")
    return outcome
