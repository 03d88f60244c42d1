"""Training progress on the terminal: step, loss, learning rate, examples/s and ETA.

    progress = Progress(total_steps=1000, start_step=0, batch_size=64)
    progress.update(step, {"loss": 2.31, "learning_rate": 1e-3})   # every log_every steps
    progress.update(step, stats, budget_left=540.0)   # a run that a time budget ends

Rates are measured over the steps since the previous update (wall clock, data loading included;
time spent in checkpoints and evaluations is left out with `paused()`, so the ETA counts
training steps only). The first line after a start includes the compilation of the step and says
so. A run with a time budget (MAX_TRAIN_SECONDS) passes the budget's seconds left: the ETA is
then the sooner of the two ends and says "(time budget)" when the budget ends first (the step
count of such runs is often a placeholder, 10,000,000). On a terminal the line is rewritten in
place; otherwise (a log file, CI) one line per update.
"""

from __future__ import annotations

import contextlib
import sys
import time


def format_duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class Progress:
    """Prints one progress line per `update` (module docstring)."""

    def __init__(self, total_steps: int, start_step: int, batch_size: int, stream=None,
                 clock=time.perf_counter):
        self.total_steps = total_steps
        self.batch_size = batch_size
        self.stream = stream or sys.stderr
        self.clock = clock
        self.in_place = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_step = start_step
        self._last_time = clock()
        self._first = True
        self._paused = 0.0
        self.examples_per_second = 0.0

    def update(self, step: int, stats: dict[str, float], budget_left: float | None = None
               ) -> float:
        """Prints the line for `step`; returns examples/s since the previous update.
        `budget_left`: seconds of a time budget left (None: no budget)."""
        now = self.clock()
        steps = step - self._last_step
        elapsed = max(now - self._last_time - self._paused, 1e-9)
        self.examples_per_second = steps * self.batch_size / elapsed
        remaining = (self.total_steps - step) * elapsed / max(steps, 1)
        shown = [f"step {step}/{self.total_steps} ({100.0 * step / self.total_steps:.1f}%)"]
        shown += [f"{k} {_format_value(v)}" for k, v in stats.items()]
        eta = f"ETA {format_duration(remaining)}"
        if budget_left is not None and budget_left < remaining:
            eta = f"ETA {format_duration(budget_left)} (time budget)"
        shown += [f"{self.examples_per_second:,.1f} ex/s", eta]
        if self._first:
            shown.append("(incl. compilation)")
        line = "  ".join(shown)
        if self.in_place:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last_step, self._last_time, self._first = step, self.clock(), False
        self._paused = 0.0
        return self.examples_per_second

    @contextlib.contextmanager
    def paused(self):
        """Time spent inside (a checkpoint, an evaluation) does not count towards the rate."""
        start = self.clock()
        try:
            yield
        finally:
            self._paused += self.clock() - start

    def message(self, text: str) -> None:
        """A line of its own (e.g. checkpoint saved, eval scores), not overwritten."""
        self.stream.write(("\n" if self.in_place else "") + text + "\n")
        self.stream.flush()


def _format_value(value: float) -> str:
    if isinstance(value, int):  # a count (examples so far), not a measurement
        return f"{value:,}"
    return f"{value:.3e}" if 0 < abs(value) < 1e-3 else f"{value:.4f}"
