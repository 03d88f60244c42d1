"""`PolicyWithValue`: DRO-V's policy π_θ and its separate value network V_φ as one Keras model.

    model = PolicyWithValue(T5EncoderDecoder(config), T5ScalarModel(config))
    logits, value = model({"encoder_input_tokens": x, "decoder_input_tokens": y})
    # logits float32 [b, t, vocab] (the policy's), value float32 [b] (V(x) from the prompt x)

One model so that the trainer's single optimiser updates θ and φ together (their losses touch
disjoint variables, docs/algorithms.md#dro). The two networks share nothing: V reads only the
prompt, so it cannot peek at the response it is a baseline for. `policy` is an ordinary seq2seq
model, so decoding and export use `model.policy`.

Checkpoint keys (textedit/runs/variable_keys.py) drop a variable path's first part, so a T5
policy's keys are a plain T5 run's (`shared/embeddings`, `encoder/...`: INIT_CHECKPOINT fills the
policy from the SFT run) and a value network built bare would collide with them. Build the value
as `value_scope()`'s `VALUE_NAME` model: its paths `policy_with_value/value/...` give the keys
`value/...` (`from_config` does the same, so a DRO-V run reloads):

    with value_scope():
        value = T5ScalarModel(config, name=VALUE_NAME)
"""

from __future__ import annotations

import keras

VALUE_NAME = "value"


def value_scope():
    """The name scope the value network is built in (module docstring)."""
    return keras.name_scope("policy_with_value")


@keras.saving.register_keras_serializable(package="textedit")
class PolicyWithValue(keras.Model):
    """A seq2seq `policy` and a scalar `value` model over the prompt tokens."""

    def __init__(self, policy, value, **kwargs):
        super().__init__(**kwargs)
        self.policy = policy
        self.value = value

    def call(self, inputs, training=False):
        """inputs {"encoder_input_tokens": [b, s], "decoder_input_tokens": [b, t]}
        -> (logits float32 [b, t, vocab], value float32 [b])."""
        logits = self.policy(inputs, training=training)
        value = self.value({"encoder_input_tokens": inputs["encoder_input_tokens"]},
                           training=training)
        return logits, value

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "policy": keras.saving.serialize_keras_object(self.policy),
                "value": keras.saving.serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        policy = keras.saving.deserialize_keras_object(config.pop("policy"))
        with value_scope():
            value = keras.saving.deserialize_keras_object(config.pop("value"))
        return cls(policy, value, **config)
