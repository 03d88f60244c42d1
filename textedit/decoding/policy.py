"""What online RL and Best-of-N need from a policy model, for any kind of model.

    responses, sample = policy.sample(model, prompts, max_length, seed)   # [n, t], opaque
    log_pi = policy.log_probs(model, prompts, sample)                     # [n], differentiable

`responses` are realised ids (text, EOS, padding) that rewards read; `sample` is what the
policy's log-probability needs (a seq2seq policy: the same ids; an EdiT5 policy: the sampled tags,
chain and insertions, textedit/decoding/edit_policy.py). `log_probs` scores a sample of this
policy's kind under any model of that kind (the policy, its anchor, the frozen reference).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from textedit.decoding.response_samples import response_log_probs, sample_responses


class Policy(NamedTuple):
    """sample(model, prompts int [n, s], max_length, seed int32 [2], temperature=1.0) ->
    (responses int32 [n, max_length], sample); log_probs(model, prompts, sample,
    training=False) -> float32 [n] (the untempered log-probability)."""

    name: str
    sample: Callable
    log_probs: Callable


def seq2seq_policy() -> Policy:
    """A seq2seq T5 policy: one sampled response per row at temperature 1; its sample is the
    response itself (textedit/decoding/response_samples.py)."""

    def sample(model, prompts, max_length: int, seed, temperature: float = 1.0):
        tokens = sample_responses(model, prompts, max_length, seed, temperature=temperature)
        return tokens, tokens

    def log_probs(model, prompts, tokens, training: bool = False):
        return response_log_probs(model, prompts, tokens, training=training)

    return Policy("seq2seq", sample, log_probs)
