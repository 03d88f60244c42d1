"""textedit/benchmarks/job_queue.py (`textedit experiment`'s queue): dependencies order the jobs,
a failure skips what needs it, done jobs are not run again."""

import json
import sys

from textedit.benchmarks.job_queue import DONE, FAILED, SKIPPED, Job, run_jobs


def _append(path, text, fail=False):
    code = f"open({str(path)!r}, 'a').write({text!r} + '\\n')" + ("; raise SystemExit(3)"
                                                                  if fail else "")
    return [sys.executable, "-c", code]


def test_jobs_run_after_what_they_need_and_failures_skip_their_dependents(tmp_path):
    trace = tmp_path / "trace.txt"
    jobs = [Job("a", _append(trace, "a")),
            Job("b", _append(trace, "b"), needs=("a",), done_marker=tmp_path / "b.done"),
            Job("broken", _append(trace, "broken", fail=True)),
            Job("c", _append(trace, "c"), needs=("b", "broken")),
            Job("d", _append(trace, "d"), needs=("c",))]
    outcome = run_jobs(jobs, workers=2, log_dir=tmp_path / "logs")
    assert outcome == {"a": DONE, "b": DONE, "broken": FAILED, "c": SKIPPED, "d": SKIPPED}
    order = trace.read_text().split()
    assert sorted(order) == ["a", "b", "broken"] and order.index("a") < order.index("b")
    assert json.loads((tmp_path / "b.done").read_text())["command"] == jobs[1].command
    assert "$ " in (tmp_path / "logs" / "broken.log").read_text()  # the command is logged

    trace.unlink()
    again = run_jobs([Job("b", _append(trace, "b"), done_marker=tmp_path / "b.done")],
                     workers=1, log_dir=tmp_path / "logs")
    assert again == {"b": DONE} and not trace.exists()  # resumed: not run twice


def test_unknown_needs_are_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="unknown"):
        run_jobs([Job("a", ["true"], needs=("missing",))], workers=1, log_dir=tmp_path)


def test_worker_slots_are_pinned_within_the_allowed_cores():
    """A queue started under taskset keeps its jobs on the cores it was given."""
    import os
    import shutil

    from textedit.benchmarks.job_queue import _pinning

    allowed = sorted(os.sched_getaffinity(0))
    if not shutil.which("taskset"):
        assert _pinning(0, 1) == []
        return
    assert _pinning(0, 1) == ["taskset", "-c", str(allowed[0])]
    assert _pinning(len(allowed) - 1, len(allowed)) == ["taskset", "-c", str(allowed[-1])]
    assert _pinning(0, len(allowed) + 1) == []  # more workers than cores: no pinning
