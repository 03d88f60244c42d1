"""Online RL objectives for seq2seq and EdiT5 policies: J-BOND and REINFORCE as ordinary
`Objective`s, so `textedit train` runs them like every other variant (checkpoints, resume,
summaries).

    objective = jbond_objective(reference, anchor, reward, beta=0.5, gamma=0.0, eta=0.02)
    objective = reinforce_objective(reference, reward, kl_weight=0.1)

Each train step, inside the one compiled XLA step (textedit/training/train_step.py):
  1. sample responses at temperature 1 with the policy's `sample` (textedit/decoding/policy.py:
     a seq2seq model's cached decoder, or an EdiT5 model's sampled edit realised in-graph,
     textedit/decoding/edit_policy.py): J-BOND 1 from the policy and 2 from the anchor per
     prompt, REINFORCE `samples` (2) from the policy per prompt;
  2. score them with the pluggable `reward(prompts, responses, references) -> [n]`
     (`ngram_f1_reward` against the batch's targets, or `reward_model_reward`);
  3. teacher-force log π (differentiable), log π_anchor and log π_ref (frozen) of the samples;
  4. the loss of textedit/objectives/jbond.py or reinforce.py; the trainer steps the optimiser;
  5. after the update (`after_update_fn`): the anchor moves by EMA towards the new policy
     (θ_anchor ← (1 − η) θ_anchor + η θ) and the sample counter advances.

Batch: `encoder_input_tokens` [b, s] (the prompts) and `decoder_target_tokens` [b, t] (the
references the metric reward reads; their length t is the response length unless
`max_decode_length` is set). The model is the policy itself (a `T5EncoderDecoder`, or an
`Edit5Model` with `policy=edit5_policy()`, trained on the plain text task's batches), so
decoding, evaluation, `textedit infer` and export read an RL run like a supervised one. The
anchor, the frozen reference and the sample counter are the objective's `state`: checkpointed
with the run under `objective/` and restored on resume.

The anchor and reference must start from the weights the policy starts from (gin:
`@teacher_from_run()` on INIT_CHECKPOINT's run). Log-probabilities are taken with training=False
(no dropout), so that they are those of the distribution the samples came from.
Samples are a stateless function of (seed, step), so a resumed run draws what it would have.
"""

from __future__ import annotations

import tensorflow as tf
from keras import ops

from textedit.decoding.policy import Policy, seq2seq_policy
from textedit.objectives.jbond import best_anchor_index, jbond_losses
from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.reinforce import reinforce_losses
from textedit.training.ema_anchor import ema_update, matched_variables
from textedit.training.sample_counter import SampleCounter


def _response_length(batch, max_decode_length):
    return max_decode_length or batch["decoder_target_tokens"].shape[1]


def _frozen_log_probs(policy: Policy, model, prompts, sample):
    return ops.stop_gradient(policy.log_probs(model, prompts, sample, training=False))


def _take_rows(sample, rows):
    """The rows `rows` (int [n]) of every tensor of a policy's sample (None stays None)."""
    return tf.nest.map_structure(lambda x: None if x is None else ops.take(x, rows, axis=0),
                                 sample)


def _concatenate(first, second):
    """Two samples of one policy, rows of `first` then rows of `second`."""
    return tf.nest.map_structure(
        lambda a, b: None if a is None else ops.concatenate([a, b], axis=0), first, second)


def _frozen(model, role: str):
    """Freezes a reference / anchor model (its weights move only by EMA, never by gradients)."""
    if model is None:
        raise ValueError(f"the {role} model is required")
    model.trainable = False


def reinforce_objective(reference, reward, kl_weight: float = 0.1, samples: int = 2,
                        max_decode_length: int | None = None, seed: int = 0,
                        policy: Policy | None = None) -> Objective:
    """REINFORCE with a leave-one-out baseline over `samples` per prompt and a KL penalty
    kl_weight · (log π − log π_ref) (module docstring). Loss per prompt (normalizer = prompts).
    `policy`: how the model samples and scores responses (textedit/decoding/policy.py); None: a
    seq2seq policy; `edit5_policy()` for an EdiT5 model.

    Metrics per prompt: reward, kl_to_reference (mean log π − log π_ref of the samples),
    response_tokens.
    """
    _frozen(reference, "reference")
    policy = policy or seq2seq_policy()
    if samples < 2:
        raise ValueError(f"samples={samples}: the leave-one-out baseline needs at least 2")
    counter = SampleCounter(seed)

    def forward_fn(model, batch, training):
        del training  # log-probabilities are those of the sampling distribution (no dropout)
        prompts = ops.repeat(batch["encoder_input_tokens"], samples, axis=0)  # [b k, s]
        references = ops.repeat(batch["decoder_target_tokens"], samples, axis=0)
        tokens, sample = policy.sample(model, prompts,
                                       _response_length(batch, max_decode_length),
                                       counter.seed_for(0))
        return {"log_pi": policy.log_probs(model, prompts, sample, training=False),
                "log_ref": _frozen_log_probs(policy, reference, prompts, sample),
                "reward": ops.stop_gradient(reward(prompts, tokens, references)),
                "tokens": tokens}

    def loss_fn(outputs, batch) -> LossOutput:
        def per_prompt(x):
            return ops.reshape(x, (-1, samples))

        terms = reinforce_losses(per_prompt(outputs["log_pi"]), per_prompt(outputs["log_ref"]),
                                 per_prompt(outputs["reward"]), kl_weight)
        prompts = ops.cast(ops.shape(terms.loss)[0], "float32")
        length = ops.sum(ops.cast(outputs["tokens"] > 0, "float32"))
        return LossOutput(loss_sum=ops.sum(terms.loss) / samples, normalizer=prompts, metrics={
            "reward": ops.sum(outputs["reward"]) / samples,
            "kl_to_reference": ops.sum(terms.log_ratio) / samples,
            "response_tokens": length / samples})

    def after_update_fn(model):
        del model
        counter.advance()

    state = {"reference": list(reference.variables), "rl_sample_step": [counter.variable]}
    return Objective("reinforce", ("encoder_input_tokens",), ("decoder_target_tokens",),
                     loss_fn, forward_fn=forward_fn, after_update_fn=after_update_fn,
                     state=state)


def jbond_objective(reference, anchor, reward, beta: float = 0.5, gamma: float = 0.0,
                    eta: float = 0.02, max_decode_length: int | None = None,
                    seed: int = 0, policy: Policy | None = None) -> Objective:
    """J-BOND (module docstring; textedit/objectives/jbond.py). Loss per prompt.

    Args:
      reference: the frozen π_ref (only measured against: kl_to_reference).
      anchor: the EMA anchor, a model of the policy's architecture and starting weights.
      reward: (prompts, responses, references) -> float32 [n].
      beta, gamma: the Jeffreys mix and the extra KL(π‖π_anchor) weight.
      eta: the anchor's EMA rate.
      policy: as `reinforce_objective`'s (the anchor's samples are scored under the policy
        with the anchor's own decisions, e.g. an EdiT5 anchor's chain).

    Metrics per prompt: reward (policy sample), anchor_reward (mean of the two), lost_to_anchor
    (share of policy samples worse than both), kl_to_anchor, kl_to_reference, forward_loss,
    backward_loss, response_tokens.
    """
    _frozen(reference, "reference")
    _frozen(anchor, "anchor")
    policy = policy or seq2seq_policy()
    if anchor is reference:
        raise ValueError("the anchor and the reference must be two copies: the anchor moves by "
                         "EMA, the reference stays frozen (gin: two scopes of teacher_from_run)")
    if not 0.0 <= eta <= 1.0:
        raise ValueError(f"eta={eta}: expected a value in [0, 1]")
    jbond_losses(ops.zeros([2]), ops.zeros([2]), ops.zeros([2]), ops.zeros([2]),
                 ops.zeros([2, 2]), beta, gamma)  # fails now on bad beta / gamma, not in a step
    counter = SampleCounter(seed)
    pairs_by_model: dict[int, list] = {}

    def forward_fn(model, batch, training):
        del training  # as reinforce_objective
        prompts, references = batch["encoder_input_tokens"], batch["decoder_target_tokens"]
        length = _response_length(batch, max_decode_length)
        policy_tokens, policy_sample = policy.sample(model, prompts, length,
                                                     counter.seed_for(0))  # [b, t]
        twice = ops.repeat(prompts, 2, axis=0)
        anchor_tokens, anchor_sample = policy.sample(anchor, twice, length,
                                                     counter.seed_for(1))  # [2b, t]
        policy_reward = ops.stop_gradient(reward(prompts, policy_tokens, references))
        anchor_reward = ops.reshape(ops.stop_gradient(
            reward(twice, anchor_tokens, ops.repeat(references, 2, axis=0))), (-1, 2))
        best = best_anchor_index(anchor_reward)  # [b]
        b = ops.shape(prompts)[0]
        best_sample = _take_rows(anchor_sample, 2 * ops.arange(b, dtype="int32")
                                 + ops.cast(best, "int32"))
        # One policy call on the policy sample and the best anchor sample together.
        log_pi = policy.log_probs(model, ops.concatenate([prompts, prompts], axis=0),
                                  _concatenate(policy_sample, best_sample))
        return {"log_pi": log_pi[:b], "log_pi_best": log_pi[b:],
                "log_anchor": _frozen_log_probs(policy, anchor, prompts, policy_sample),
                "log_ref": _frozen_log_probs(policy, reference, prompts, policy_sample),
                "reward": policy_reward, "anchor_reward": anchor_reward,
                "tokens": policy_tokens}

    def loss_fn(outputs, batch) -> LossOutput:
        terms = jbond_losses(outputs["log_pi"], outputs["log_pi_best"], outputs["log_anchor"],
                             outputs["reward"], outputs["anchor_reward"], beta, gamma)
        prompts = ops.cast(ops.shape(terms.loss)[0], "float32")
        return LossOutput(loss_sum=ops.sum(terms.loss), normalizer=prompts, metrics={
            "reward": ops.sum(outputs["reward"]),
            "anchor_reward": ops.sum(outputs["anchor_reward"]) / 2.0,
            "lost_to_anchor": ops.sum(ops.cast(terms.jbond_reward < 0, "float32")),
            "kl_to_anchor": ops.sum(terms.log_ratio),
            "kl_to_reference": ops.sum(ops.stop_gradient(outputs["log_pi"] - outputs["log_ref"])),
            "forward_loss": ops.sum(terms.forward), "backward_loss": ops.sum(terms.backward),
            "response_tokens": ops.sum(ops.cast(outputs["tokens"] > 0, "float32"))})

    def after_update_fn(model):
        # Matched once per policy model, in Python at trace time (keys, not tensor values).
        if id(model) not in pairs_by_model:
            pairs_by_model[id(model)] = matched_variables(anchor, model)
        pairs = pairs_by_model[id(model)]
        ema_update(pairs, eta)
        counter.advance()

    state = {"anchor": list(anchor.variables), "reference": list(reference.variables),
             "rl_sample_step": [counter.variable]}
    return Objective("jbond", ("encoder_input_tokens",), ("decoder_target_tokens",), loss_fn,
                     forward_fn=forward_fn, after_update_fn=after_update_fn, state=state)
