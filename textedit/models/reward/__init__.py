"""Scalar heads for preference learning: `T5ScalarModel` (reward model R(x, y) over prompt and
response tokens, or value network V(x) over the prompt) and `PolicyWithValue` (DRO-V's policy and
separate value network trained as one Keras model)."""

from textedit.models.reward.policy_with_value import PolicyWithValue
from textedit.models.reward.t5_scalar_model import T5ScalarModel

__all__ = ["PolicyWithValue", "T5ScalarModel"]
