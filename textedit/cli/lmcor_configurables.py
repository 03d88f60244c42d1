"""Gin configurables of the LMCor corrector tasks.

`register_lmcor()` (called by `gin_configurables.register_training`) registers:

    lmcor_task   registers `lmcor_<task>` (or its `edit5_` twin) over candidate files and returns
                 its name (tasks/lmcor.py): MIXTURE_OR_TASK_NAME = @lmcor_task()
    lmcor_cross_fit_task   registers `<task>_xfit<i>of<n>` (a generator's training task for
                 cross-fitting, tasks/lmcor.py) and returns its name
"""

from __future__ import annotations

import functools

import gin


@functools.cache
def register_lmcor() -> None:
    """Registers the configurables listed in the module docstring (idempotent)."""
    from tasks.lmcor import lmcor_cross_fit_task, lmcor_task

    gin.external_configurable(lmcor_task, name="lmcor_task")
    gin.external_configurable(lmcor_cross_fit_task, name="lmcor_cross_fit_task")
