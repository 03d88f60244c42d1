"""The preference objectives wired to tiny models: a policy equal to its reference gives the
losses' known values at ρ = 0, and a zero-initialised reward head ties every pair."""

import math

import numpy as np
import pytest
import tensorflow as tf

from textedit.models.reward import PolicyWithValue, T5ScalarModel
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.bradley_terry import reward_model_objective
from textedit.objectives.dpo import dpo_objective
from textedit.objectives.dro import dro_v_objective
from textedit.objectives.kto import kto_objective

CONFIG = T5Config.named("tiny", vocab_size=40, dropout_rate=0.0, d_model=16, d_ff=16,
                        num_heads=2, num_encoder_layers=1, num_decoder_layers=1)
RNG = np.random.default_rng(0)


def tokens(shape):
    return tf.constant(RNG.integers(2, 40, size=shape), tf.int32)


def side(prefix=""):
    targets = tokens((2, 3))
    return {prefix + "decoder_input_tokens": tf.pad(targets[:, :-1], [[0, 0], [1, 0]]),
            prefix + "decoder_target_tokens": targets,
            prefix + "decoder_loss_weights": tf.ones((2, 3))}


def run(objective, model, batch):
    objective.check_features(list(batch))
    return objective.loss_fn(objective.forward(model, batch, False), batch)


@pytest.fixture(scope="module")
def policy_and_reference():
    policy = T5EncoderDecoder(CONFIG)
    reference = T5EncoderDecoder(CONFIG)
    reference.set_weights(policy.get_weights())
    return policy, reference


def test_dpo_and_ipo_at_the_reference(policy_and_reference):
    policy, reference = policy_and_reference
    paired = {"encoder_input_tokens": tokens((2, 4)), **side("chosen_"), **side("rejected_")}
    out = run(dpo_objective(reference, beta=0.1), policy, paired)
    assert float(out.loss_sum / out.normalizer) == pytest.approx(math.log(2), rel=1e-5)
    out = run(dpo_objective(reference, beta=0.1, kind="ipo"), policy, paired)
    assert float(out.loss_sum / out.normalizer) == pytest.approx(25.0, rel=1e-4)  # (1/(2β))²



def test_kto_and_dro_v_at_the_reference(policy_and_reference):
    policy, reference = policy_and_reference
    single = {"encoder_input_tokens": tokens((2, 4)), **side(), "reward": tf.constant([1., -1.])}
    out = run(kto_objective(reference, beta=0.1), policy, single)
    assert float(out.loss_sum) == pytest.approx(1.0, rel=1e-5)  # 2 × (1 − σ(0))
    assert float(out.metrics["desirable"]) == 1.0

    model = PolicyWithValue(policy, T5ScalarModel(CONFIG))
    out = run(dro_v_objective(reference, tau=1.0, reward_mean=0.5, reward_std=2.0), model, single)
    # ρ = 0 and V = 0 (zero head): value losses ½ r² with r = (±1 − 0.5) / 2 = 0.25, −0.75.
    assert float(out.metrics["log_ratio"]) == pytest.approx(0.0, abs=1e-5)
    assert float(out.metrics["value"]) == 0.0
    assert float(out.metrics["value_loss"]) == pytest.approx(0.5 * (0.25**2 + 0.75**2), rel=1e-5)
    assert float(out.loss_sum) == pytest.approx(
        float(out.metrics["policy_loss"] + out.metrics["value_loss"]), rel=1e-6)


def test_reward_model_objective_ties_at_init():
    batch = {"chosen_encoder_input_tokens": tokens((3, 5)),
             "rejected_encoder_input_tokens": tokens((3, 5))}
    out = run(reward_model_objective(), T5ScalarModel(CONFIG), batch)
    assert float(out.loss_sum / out.normalizer) == pytest.approx(math.log(2), rel=1e-6)
    assert float(out.metrics["pairwise_accuracy"]) == 1.5  # three ties, half right each
