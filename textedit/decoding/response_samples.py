"""Sampled responses of a seq2seq policy and their teacher-forced log-probabilities: what online
RL (REINFORCE, J-BOND) and Best-of-N need from a model.

    tokens = sample_responses(model, prompts, max_length, seed)            # [n, t]
    inputs, weights = response_features(tokens, model.config.decoder_start_id)
    log_pi = response_log_probs(model, prompts, tokens)                    # [n], differentiable

A sampled row reads `tokens..., EOS, 0, 0, ...` (or has no EOS when it reached max_length). Its
log-probability counts every token up to and including EOS, which is exactly what the sampler
drew, so log π from teacher forcing equals the sampler's own sum (tested) and the policy gradient
∇ log π(y|x) is that of the distribution the samples came from.
"""

from __future__ import annotations

from keras import ops

from textedit.decoding.decode_loop import EOS_ID, start_decoding
from textedit.decoding.sampling import sampling_loop
from textedit.objectives.sequence_log_prob import sequence_log_probs


def sample_responses(model, prompts, max_length: int, seed, *, temperature: float = 1.0,
                     return_log_probs: bool = False):
    """One sample per prompt row with the model's cached decoder (traceable; call inside a
    compiled graph or through `sample_decode_xla`-style wrappers).

    Args:
      model: a seq2seq model with `encode`, `init_cache`, `decode_step`, `config`.
      prompts: int [n, s], 0 = padding (repeat rows for several samples per prompt).
      max_length: response length and maximum number of steps (static).
      seed: int32 [2], a stateless seed.
      temperature: > 0 (static); RL samples at 1, so that the samples follow π itself.
      return_log_probs: also return the sampler's log π of each row, float32 [n].

    Returns:
      int32 [n, max_length], or (tokens, log-probs) with return_log_probs.
    """
    cache, rows = start_decoding(model, prompts, max_length)
    return sampling_loop(model.decode_step, cache, rows, max_length, seed,
                         temperature=temperature, start_id=model.config.decoder_start_id,
                         return_log_probs=return_log_probs)


def response_features(tokens, start_id: int, eos_id: int = EOS_ID):
    """Teacher-forcing features of sampled rows.

    Args:
      tokens: int [n, t] as `sample_responses` returns them.

    Returns:
      (decoder_input_tokens int32 [n, t]: start id then tokens shifted right,
       weights float32 [n, t]: 1 up to and including the first EOS, 0 after it).
    """
    tokens = ops.cast(tokens, "int32")
    inputs = ops.concatenate([ops.full_like(tokens[:, :1], start_id), tokens[:, :-1]], axis=1)
    is_eos = ops.cast(ops.equal(tokens, eos_id), "int32")
    eos_before = ops.cumsum(is_eos, axis=1) - is_eos  # EOS strictly before this position
    weights = ops.cast(ops.equal(eos_before, 0), "float32")
    return inputs, weights


def response_log_probs(model, prompts, tokens, training: bool = False):
    """log π(tokens | prompts) by teacher forcing, float32 [n]; prompts int [n, s], tokens int
    [n, t] as sampled. Differentiable in the model's weights."""
    inputs, weights = response_features(tokens, model.config.decoder_start_id)
    logits = model({"encoder_input_tokens": prompts, "decoder_input_tokens": inputs},
                   training=training)
    return sequence_log_probs(logits, tokens, weights)
