"""J-BOND and REINFORCE on a tiny T5: eagerly, a step's gradient reaches the policy and the
anchor follows by EMA; the objective's state is checkpointed and restored; and (slow: one XLA
compilation of the whole RL step, 40-60 s on a shared CPU core) the same through the trainer."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from rl_tiny_models import RL_TINY_CONFIG, prompts_and_references

from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.ngram_f1_reward import ngram_f1_reward
from textedit.runs.variable_keys import keyed_variables
from textedit.training.checkpoints import RunCheckpoints
from textedit.training.online_rl import jbond_objective, reinforce_objective
from textedit.training.optimizers import make_optimizer
from textedit.training.trainer import TrainConfig, train

ETA = 0.25


def dataset_fn(seed, shard_info, batch_size):
    prompts, targets = prompts_and_references(8)
    data = tf.data.Dataset.from_tensor_slices(
        {"encoder_input_tokens": prompts, "decoder_target_tokens": targets})
    return data.shuffle(8, seed=seed).batch(batch_size, drop_remainder=True)


def copies(count):
    keras.utils.set_random_seed(0)
    first = T5EncoderDecoder(RL_TINY_CONFIG)
    models = [first]
    for _ in range(count - 1):
        models.append(T5EncoderDecoder(RL_TINY_CONFIG))
        models[-1].set_weights(first.get_weights())
    return models


def run(model_dir, objective, policy, steps):
    return train(TrainConfig(model_dir, train_steps=steps, batch_size=4, log_every=1),
                 lambda: policy, objective,
                 lambda: make_optimizer("adamw", 1e-2, weight_decay=0.0), dataset_fn,
                 log=lambda line: None)


def values(model):
    """{key: array} of every weight (the anchor and the reference are frozen: not trainable)."""
    return {k: v.numpy().copy() for k, v in keyed_variables(model.weights).items()}


def eager_step(objective, policy):
    """One J-BOND / REINFORCE loss and gradient outside the trainer (no XLA compilation)."""
    batch = next(iter(dataset_fn(0, None, 4)))
    with tf.GradientTape() as tape:
        out = objective.loss_fn(objective.forward(policy, batch, True), batch)
    grads = tape.gradient(out.loss_sum, policy.trainable_variables)
    return out, [None if g is None else tf.convert_to_tensor(g).numpy() for g in grads]


@pytest.mark.parametrize("kind", ["jbond", "reinforce"])
def test_eager_step_reaches_every_policy_weight(kind):
    policy, anchor, reference = copies(3)
    start = values(anchor)
    if kind == "jbond":
        objective = jbond_objective(reference, anchor, ngram_f1_reward(), eta=ETA)
    else:
        objective = reinforce_objective(reference, ngram_f1_reward(), kl_weight=0.1)
    out, grads = eager_step(objective, policy)
    assert all(g is not None and np.all(np.isfinite(g)) for g in grads)
    assert any(np.abs(g).max() > 0 for g in grads)
    assert 0.0 <= float(out.metrics["reward"]) <= float(out.normalizer)
    # At the start π = π_anchor = π_ref, so every log ratio is 0.
    assert float(out.metrics["kl_to_reference"]) == pytest.approx(0.0, abs=1e-4)
    for variable in policy.trainable_variables:
        variable.assign_add(tf.ones_like(variable))
    objective.after_update_fn(policy)
    assert int(objective.state["rl_sample_step"][0].numpy()) == 1
    if kind == "jbond":  # θ_anchor = (1 − η) θ_0 + η (θ_0 + 1) = θ_0 + η
        moved = values(anchor)
        for key in values(policy):
            np.testing.assert_allclose(moved[key], start[key] + ETA, rtol=1e-5, atol=1e-6)


def test_objective_state_is_checkpointed_and_restored(tmp_path):
    policy, anchor, reference = copies(3)
    objective = jbond_objective(reference, anchor, ngram_f1_reward(), eta=ETA)
    optimizer = make_optimizer("adamw", 1e-2)
    optimizer.build(policy.trainable_variables)
    checkpoints = RunCheckpoints(tmp_path, policy, optimizer, 1, objective.state)
    for variable in anchor.weights:
        variable.assign(tf.fill(variable.shape, 0.5))
    objective.state["rl_sample_step"][0].assign(7)
    checkpoints.save(3)
    saved = values(anchor)

    policy2, anchor2, reference2 = copies(3)
    objective2 = jbond_objective(reference2, anchor2, ngram_f1_reward(), eta=ETA)
    optimizer2 = make_optimizer("adamw", 1e-2)
    optimizer2.build(policy2.trainable_variables)
    assert RunCheckpoints(tmp_path, policy2, optimizer2, 1, objective2.state).restore_latest() == 3
    for key, value in values(anchor2).items():
        np.testing.assert_array_equal(value, saved[key])
    assert int(objective2.state["rl_sample_step"][0].numpy()) == 7


@pytest.mark.slow
def test_jbond_step_moves_policy_and_ema_anchor_and_checkpoints_it(tmp_path):
    policy, anchor, reference = copies(3)
    start = values(policy)
    objective = jbond_objective(reference, anchor, ngram_f1_reward(), eta=ETA)
    result = run(tmp_path, objective, policy, 1)
    assert {"reward", "kl_to_anchor", "kl_to_reference", "lost_to_anchor"} <= set(result.stats)
    after, anchored = values(policy), values(anchor)
    assert any(not np.allclose(start[k], after[k]) for k in start)
    for key in start:  # one step: θ_anchor = (1 − η) θ_0 + η θ_1
        np.testing.assert_allclose(anchored[key], (1 - ETA) * start[key] + ETA * after[key],
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(values(reference)["shared/embeddings"],
                                  start["shared/embeddings"])

    stored = tf.train.load_checkpoint(str(tmp_path / "checkpoints" / "ckpt-1"))
    anchor_keys = [name for name in stored.get_variable_to_shape_map()
                   if name.startswith("objective/anchor")]
    assert len(anchor_keys) >= len(start)

    # A resumed run with a fresh anchor (θ_0) gets the checkpointed EMA anchor back.
    policy2, anchor2, reference2 = copies(3)
    resumed = run(tmp_path, jbond_objective(reference2, anchor2, ngram_f1_reward(), eta=ETA),
                  policy2, 1)
    assert resumed.start_step == 1
    for key, value in values(anchor2).items():
        np.testing.assert_array_equal(value, anchored[key])


@pytest.mark.slow
def test_reinforce_step_changes_the_policy(tmp_path):
    policy, reference = copies(2)
    start = values(policy)
    result = run(tmp_path, reinforce_objective(reference, ngram_f1_reward(), kl_weight=0.1),
                 policy, 1)
    assert np.isfinite(result.stats["loss"]) and 0.0 <= result.stats["reward"] <= 1.0
    assert any(not np.allclose(start[k], v) for k, v in values(policy).items())
