"""J-BOND and REINFORCE with an EdiT5 policy (`edit5_policy`): eagerly, a step's gradient reaches
the edit model through its sampled edits' log-probability, every log ratio is 0 at the start, and
(slow: one XLA compilation of the RL step) the same step runs through the trainer."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.decoding.edit_policy import edit5_policy
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model
from textedit.models.t5.t5_config import T5Config
from textedit.objectives.ngram_f1_reward import ngram_f1_reward
from textedit.training.online_rl import jbond_objective, reinforce_objective
from textedit.training.optimizers import make_optimizer
from textedit.training.trainer import TrainConfig, train

# ids 3 .. 14 are <pos_0> .. <pos_11>, 15 .. 31 words; inputs: 6 words, EOS, one padding.
VOCAB, POSITIONS, LENGTH, INSERT = 32, 12, 8, 6
CONFIG = Edit5Config(
    t5=T5Config.named("tiny", vocab_size=VOCAB, dropout_rate=0.0, d_model=16, d_ff=16,
                      num_heads=2, num_encoder_layers=1, num_decoder_layers=1),
    num_position_tokens=POSITIONS, max_input_length=LENGTH)


def dataset_fn(seed, shard_info, batch_size):
    words = np.random.default_rng(0).integers(15, VOCAB, size=(8, 6)).astype(np.int32)
    prompts = np.concatenate([words, np.ones((8, 1), np.int32), np.zeros((8, 1), np.int32)], 1)
    targets = np.concatenate([words[:, :3], np.ones((8, 1), np.int32)], axis=1)
    data = tf.data.Dataset.from_tensor_slices(
        {"encoder_input_tokens": prompts, "decoder_target_tokens": targets})
    return data.shuffle(8, seed=seed).batch(batch_size, drop_remainder=True)


def copies(count):
    keras.utils.set_random_seed(0)
    features = next(iter(dataset_fn(0, None, 2))) | {
        "tags": tf.ones([2, LENGTH], tf.int32), "pointers": tf.zeros([2, LENGTH], tf.int32),
        "decoder_input_tokens": tf.zeros([2, INSERT], tf.int32)}
    models = []
    for _ in range(count):
        models.append(Edit5Model(CONFIG))
        models[-1](features)  # builds the weights
        models[-1].set_weights(models[0].get_weights())
    return models


def objective_of(kind, models):
    policy = edit5_policy(max_insert_length=INSERT)
    if kind == "jbond":
        return jbond_objective(models[2], models[1], ngram_f1_reward(), eta=0.25, policy=policy)
    return reinforce_objective(models[1], ngram_f1_reward(), kl_weight=0.1, policy=policy)


@pytest.mark.parametrize("kind", [pytest.param("jbond", marks=pytest.mark.slow), "reinforce"])
def test_eager_edit5_step_reaches_the_policy(kind):
    models = copies(3)
    objective = objective_of(kind, models)
    batch = next(iter(dataset_fn(0, None, 4)))
    policy = models[0]
    with tf.GradientTape() as tape:
        out = objective.loss_fn(objective.forward(policy, batch, True), batch)
    grads = tape.gradient(out.loss_sum, policy.trainable_variables)
    present = [tf.convert_to_tensor(g).numpy() for g in grads if g is not None]
    assert all(np.all(np.isfinite(g)) for g in present)
    assert len(present) > len(grads) // 2 and any(np.abs(g).max() > 0 for g in present)
    assert 0.0 <= float(out.metrics["reward"]) <= float(out.normalizer)
    # At the start π = π_anchor = π_ref: the teacher-forced log ratios of the edits are 0.
    assert float(out.metrics["kl_to_reference"]) == pytest.approx(0.0, abs=1e-3)
    assert float(out.metrics["response_tokens"]) > 0


@pytest.mark.slow
def test_edit5_reinforce_runs_through_the_trainer(tmp_path):
    models = copies(2)
    before = [v.numpy().copy() for v in models[0].trainable_variables]
    result = train(TrainConfig(tmp_path, train_steps=2, batch_size=4, log_every=1),
                   lambda: models[0], objective_of("reinforce", models),
                   lambda: make_optimizer("adamw", 1e-2, weight_decay=0.0), dataset_fn,
                   log=lambda line: None)
    assert np.isfinite(result.stats["loss"]) and 0.0 <= result.stats["reward"] <= 1.0
    variables = models[0].trainable_variables
    after = [v.numpy() for v in variables]
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    # The order is decoded, not drawn: the pointer's weights get a zero gradient and stay put.
    pointer = [i for i, v in enumerate(variables) if "/pointer/" in v.path]
    assert pointer and all(np.array_equal(before[i], after[i]) for i in pointer)
