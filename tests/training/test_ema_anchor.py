"""The EMA anchor update over Keras variables, matched by checkpoint key."""

import numpy as np
import pytest

from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.training.ema_anchor import ema_update, matched_variables

CONFIG = T5Config.named("tiny", vocab_size=24, dropout_rate=0.0, d_model=8, d_ff=8,
                        num_heads=2, num_encoder_layers=1, num_decoder_layers=1)


def test_ema_update_moves_the_anchor_eta_of_the_way():
    policy, anchor = T5EncoderDecoder(CONFIG), T5EncoderDecoder(CONFIG)
    pairs = matched_variables(anchor, policy)
    assert len(pairs) == len(policy.trainable_variables)
    before = [a.numpy().copy() for a, _ in pairs]
    ema_update(pairs, 0.25)
    for (anchor_var, policy_var), old in zip(pairs, before, strict=True):
        np.testing.assert_allclose(anchor_var.numpy(), 0.75 * old + 0.25 * policy_var.numpy(),
                                   rtol=1e-6, atol=1e-7)
    ema_update(pairs, 1.0)  # η = 1: the anchor becomes the policy
    for anchor_var, policy_var in pairs:
        np.testing.assert_array_equal(anchor_var.numpy(), policy_var.numpy())


def test_matched_variables_rejects_a_different_architecture():
    other = T5EncoderDecoder(T5Config.named("tiny", vocab_size=24, d_model=16, d_ff=8,
                                            num_heads=2, num_encoder_layers=1,
                                            num_decoder_layers=1))
    with pytest.raises(ValueError, match="does not match"):
        matched_variables(other, T5EncoderDecoder(CONFIG))
