"""Log-probability of whole responses under a seq2seq policy: the quantity preference losses use.

    log_pi = sequence_log_probs(logits, targets, weights)      # [b]

logits float [b, t, vocab] (teacher-forced), targets int [b, t], weights [b, t] (1 on response
tokens, EOS included; 0 on padding) -> float32 [b], Σ_t w_t · log softmax(logits_t)[target_t].
"""

from __future__ import annotations

from keras import ops

SEQ_FEATURES = ("decoder_target_tokens", "decoder_loss_weights")


def sequence_log_probs(logits, targets, weights):
    """Σ_t w_t log p(target_t), float32 [b] (module docstring)."""
    logits = ops.cast(logits, "float32")
    log_z = ops.logsumexp(logits, axis=-1)
    target_logit = ops.squeeze(
        ops.take_along_axis(logits, ops.expand_dims(ops.cast(targets, "int32"), -1), axis=-1), -1)
    return ops.sum((target_logit - log_z) * ops.cast(weights, "float32"), axis=-1)


def batch_log_probs(logits, batch, prefix: str = ""):
    """`sequence_log_probs` of `batch[prefix + "decoder_target_tokens"]` and its weights."""
    return sequence_log_probs(logits, batch[prefix + "decoder_target_tokens"],
                              batch[prefix + "decoder_loss_weights"])
