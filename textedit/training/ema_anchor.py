"""The J-BOND anchor: an exponential moving average of the policy's weights.

    anchor_pairs = matched_variables(anchor_model, policy_model)   # once, outside compiled code
    ema_update(anchor_pairs, eta=0.02)                             # after each optimiser step

θ_anchor ← (1 − η) · θ_anchor + η · θ for every trainable policy variable. Variables are matched by
their checkpoint key (textedit/runs/variable_keys.py), not by position or object identity, so an
anchor loaded from a run directory pairs with the policy the trainer builds (whose Keras name may
carry a `_1` suffix). The anchor's own non-trainable state (dropout RNG) is left alone.
"""

from __future__ import annotations

from keras import ops

from textedit.runs.variable_keys import keyed_variables


def matched_variables(anchor, policy) -> list[tuple[object, object]]:
    """[(anchor variable, policy variable)] for every trainable policy variable, by key.

    Fails naming the keys the anchor lacks or whose shapes differ."""
    anchor_vars = keyed_variables(anchor.variables)
    pairs, problems = [], []
    for key, variable in keyed_variables(policy.trainable_variables).items():
        match = anchor_vars.get(key)
        if match is None:
            problems.append(f"{key}: not in the anchor")
        elif tuple(match.shape) != tuple(variable.shape):
            problems.append(f"{key}: anchor {tuple(match.shape)}, policy {tuple(variable.shape)}")
        else:
            pairs.append((match, variable))
    if problems:
        raise ValueError("the anchor does not match the policy: " + "; ".join(problems[:8]))
    return pairs


def ema_update(pairs, eta) -> None:
    """θ_anchor ← (1 − η) θ_anchor + η θ for each (anchor, policy) pair; eta float in [0, 1]."""
    for anchor, policy in pairs:
        anchor.assign((1.0 - eta) * anchor + eta * ops.cast(policy, anchor.dtype))
