"""The progress line: rate and ETA from the steps since the last update; a time budget that ends
the run first gives the ETA instead."""

import io

from textedit.training.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def line_after(seconds: float, steps: int, **kwargs) -> str:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(total_steps=1000, start_step=0, batch_size=4, stream=stream, clock=clock)
    clock.now = seconds
    progress.update(steps, {"loss": 1.0}, **kwargs)
    return stream.getvalue()


def test_eta_from_the_step_rate():
    # 100 steps in 10 s: 900 steps left take 90 s; 400 examples in 10 s.
    line = line_after(10.0, 100)
    assert "step 100/1000 (10.0%)" in line and "40.0 ex/s" in line
    assert "ETA 0:01:30" in line and "time budget" not in line


def test_a_time_budget_that_ends_first_gives_the_eta():
    assert "ETA 0:00:30 (time budget)" in line_after(10.0, 100, budget_left=30.0)
    # A budget that outlasts the steps leaves the step ETA.
    line = line_after(10.0, 100, budget_left=3600.0)
    assert "ETA 0:01:30" in line and "time budget" not in line
