"""Which training pairs a low-resource share keeps (pure Python; tasks/low_resource.py uses it).

    share_size(5000, 1)        # 50
    share_indices(5000, 1)     # 50 sorted indices, all among share_indices(5000, 10)
"""

from __future__ import annotations

import random


def share_task_name(base: str, percent: float) -> str:
    """`fusion_wikisplit`, 1 -> `fusion_wikisplit_1pct`; 0.5 -> `fusion_wikisplit_0.5pct`."""
    return f"{base}_{percent:g}pct"


def share_size(num_examples: int, percent: float) -> int:
    """Pairs a `percent` share of `num_examples` keeps: rounded, and at least one."""
    if not 0 < percent <= 100:
        raise ValueError(f"a training share is a percentage in (0, 100], got {percent}")
    return max(1, round(num_examples * percent / 100))


def share_indices(num_examples: int, percent: float, seed: int = 0) -> list[int]:
    """Sorted indices of the pairs a `percent` share keeps: a prefix of one seeded permutation.

    Prefixes of one permutation make the shares nested: a smaller share's pairs are all in a
    larger one's (same `num_examples` and `seed`).
    """
    keep = share_size(num_examples, percent)
    order = list(range(num_examples))
    random.Random(seed).shuffle(order)
    return sorted(order[:keep])
