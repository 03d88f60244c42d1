"""What DRO-V and KTO share: the single-trajectory batch and the frozen reference's log-probs.

Batch (single-trajectory seq2seq view, one (prompt, response, reward) per row):
`encoder_input_tokens` [b, s], `decoder_input_tokens`, `decoder_target_tokens`,
`decoder_loss_weights` [b, t], `reward` float [b] (+1 thumbs up / −1 down, or a reward model's
score). π_ref is a frozen copy of the SFT policy run in the same step (its log-probs a stopped
gradient).
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import call_model
from textedit.objectives.seq2seq import SEQ2SEQ_LOSS_FEATURES, SEQ2SEQ_MODEL_FEATURES
from textedit.objectives.sequence_log_prob import batch_log_probs

TRAJECTORY_LOSS_FEATURES = SEQ2SEQ_LOSS_FEATURES + ("reward",)


def reference_log_probs(reference, batch):
    """log π_ref(y|x), float32 [b], a stopped gradient."""
    logits = call_model(reference, batch, SEQ2SEQ_MODEL_FEATURES, False)
    return ops.stop_gradient(batch_log_probs(logits, batch))


def normalized_rewards(batch, reward_mean: float, reward_std: float):
    """(reward − mean) / std, float32 [b]; mean and std are the training data's (gin-set)."""
    if reward_std <= 0.0:
        raise ValueError(f"reward_std={reward_std}: expected a positive value")
    return (ops.cast(batch["reward"], "float32") - reward_mean) / reward_std
