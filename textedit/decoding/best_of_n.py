"""Best-of-N decoding: sample N responses per prompt, keep the one of highest reward.

    tokens, rewards = best_of_n_decode(model, prompts, max_length=64, n=8, reward=reward,
                                       seed=0, references=targets)
    decode = best_of_n_decode_fn(max_decode_length=64, n=8, reward=reward)  # DECODE_FN

A seq2seq model samples responses with its cached decoder; an EdiT5 model samples edits (tags
per word, insertions; textedit/decoding/edit_policy.py) realised in the same XLA computation
(`policy=`; `best_of_n_decode_fn` picks the policy from the model).

`reward(prompts [m, s], responses [m, t], references [m, r] or None) -> float32 [m]` is any of
the online-RL rewards (textedit/objectives/ngram_f1_reward.py, reward_model_reward.py); it runs
inside the same XLA computation as the sampling. Best-of-N's distribution is the one J-BOND
distils; its KL to the sampling policy is at most log N − (N − 1)/N (Beirami et al. 2024).

With `ngram_f1_reward` the choice reads the reference (the task's target): an oracle selection
for measurements (reward-vs-KL points, upper bounds), not a deployable corrector. A learned
reward model needs no reference.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.decoding.decode_loop import xla_function
from textedit.decoding.policy import Policy, seq2seq_policy

_SEQ2SEQ = seq2seq_policy()


def _best_of_n(model, prompts, references, seed, max_length, n, reward, temperature, policy):
    repeated = ops.repeat(prompts, n, axis=0)  # [b n, s], a prompt's samples adjacent
    tokens, _ = policy.sample(model, repeated, max_length, seed, temperature=temperature)
    rewards = reward(repeated, tokens,
                     None if references is None else ops.repeat(references, n, axis=0))
    rewards = ops.reshape(ops.cast(rewards, "float32"), (-1, n))  # [b, n]
    best = ops.cast(ops.argmax(rewards, axis=-1), "int32")  # [b], the first on ties
    per_prompt = ops.reshape(tokens, (-1, n, max_length))
    chosen = ops.take_along_axis(per_prompt, best[:, None, None], axis=1)[:, 0]
    return chosen, rewards


_best_of_n_xla = xla_function(_best_of_n)


def best_of_n_decode(model, prompts, max_length: int, n: int, reward: Callable, seed,
                     references=None, temperature: float = 1.0, policy: Policy | None = None):
    """The best of `n` samples per prompt, compiled with XLA.

    Args:
      model: a seq2seq model with the cached decoder (`decode_loop` module docstring), or the
        model of `policy`.
      prompts: int [b, s], 0 = padding.
      max_length: response length (static).
      n: samples per prompt, >= 1 (static).
      reward: see the module docstring (static: a new reward compiles again).
      seed: a Python int or an int [2] tensor.
      references: int [b, r] for a metric reward, else None.
      temperature: sampling temperature (static).
      policy: how the model samples (textedit/decoding/policy.py); None: seq2seq. Static: make
        it once (a new policy object compiles again).

    Returns:
      (tokens int32 [b, max_length], rewards float32 [b, n] of every sample).
    """
    if n < 1:
        raise ValueError(f"n={n}: expected at least 1 sample per prompt")
    if isinstance(seed, int):
        seed = [seed % 2**31, 0]
    prompts = tf.convert_to_tensor(prompts, tf.int32)
    if references is not None:
        references = tf.convert_to_tensor(references, tf.int32)
    return _best_of_n_xla(model, prompts, references, tf.convert_to_tensor(seed, tf.int32),
                          int(max_length), int(n), reward, float(temperature),
                          policy or _SEQ2SEQ)


def best_of_n_decode_fn(max_decode_length: int, n: int = 4, reward: Callable | None = None,
                        seed: int = 0, temperature: float = 1.0, word_start_table=None,
                        max_insert_length: int = 64):
    """A DECODE_FN (as `seq2seq_greedy_decode_fn`): Best-of-N of `features` batches; the reward
    reads `decoder_target_tokens` when the batch has them. Batch i samples with seed (seed, i),
    so a rerun gives the same outputs. `decode.rewards` keeps each batch's [b, n] rewards.

    An EdiT5 model (one with `condition_on_tags`) samples edits under the word guards of
    `word_start_table` (bool [V'], the task vocabulary's; `textedit infer` passes it) with at
    most `max_insert_length` insertion steps; any other model samples as a seq2seq one."""
    if reward is None:
        raise ValueError("Best-of-N needs a reward (e.g. ngram_f1_reward() or "
                         "reward_model_reward(model))")
    from textedit.decoding.edit_policy import edit5_policy

    edit5 = edit5_policy(max_insert_length, word_start_table=word_start_table)
    batches = [0]

    def decode(model, features):
        policy = edit5 if hasattr(model, "condition_on_tags") else _SEQ2SEQ
        seed_pair = tf.constant([seed, batches[0]], tf.int32)
        batches[0] += 1
        tokens, rewards = best_of_n_decode(model, features["encoder_input_tokens"],
                                           max_decode_length, n, reward, seed_pair,
                                           features.get("decoder_target_tokens"), temperature,
                                           policy)
        decode.rewards.append(np.asarray(rewards))
        return tokens

    decode.rewards = []
    return decode
