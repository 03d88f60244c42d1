"""gin names of the West-of-N experiment's reward-model tasks (tasks/preference_files.py):

    hh_pairs_policy_plus_file    policy-half human pairs + pair files (West-of-N output); returns
                                 the task name: MIXTURE_OR_TASK_NAME = @hh_pairs_policy_plus_file()
    hh_pairs_policy_plus_judge   policy-half human pairs + the first K judge-half human pairs
                                 (K = extra_pairs, or the pair count of same_count_as files)
"""

from __future__ import annotations

import functools

import gin


@functools.cache
def register_west_of_n() -> None:
    """Registers the configurables of the module docstring (idempotent)."""
    from tasks.preference_files import hh_pairs_policy_plus_file, hh_pairs_policy_plus_judge

    gin.external_configurable(hh_pairs_policy_plus_file, name="hh_pairs_policy_plus_file")
    gin.external_configurable(hh_pairs_policy_plus_judge, name="hh_pairs_policy_plus_judge")
