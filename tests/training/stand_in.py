"""A tiny stand-in seq2seq model and in-memory data for the trainer tests (no SeqIO, no T5)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

VOCAB = 32
INPUT_LENGTH = 6
TARGET_LENGTH = 5


class StandInSeq2Seq(keras.Model):
    """logits[b, t] = f(embedding(decoder token t) + mean embedding of the encoder tokens)."""

    def __init__(self, vocab: int = VOCAB, width: int = 16, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = keras.layers.Embedding(vocab, width, name="embedding")
        self.hidden = keras.layers.Dense(width, activation="relu", name="hidden")
        self.dropout = keras.layers.Dropout(dropout, name="dropout")
        self.out = keras.layers.Dense(vocab, name="out")

    def call(self, inputs, training=False):
        encoder = self.embedding(inputs["encoder_input_tokens"])  # [b, s, w]
        context = ops.mean(encoder, axis=1, keepdims=True)
        decoder = self.embedding(inputs["decoder_input_tokens"]) + context  # [b, t, w]
        return self.out(self.dropout(self.hidden(decoder), training=training))


def copy_task_arrays(examples: int = 64, seed: int = 0) -> dict[str, np.ndarray]:
    """Targets = the first TARGET_LENGTH - 1 input tokens then EOS (1), as EncDecFeatureConverter
    lays them out (decoder inputs = targets shifted right with 0 in front)."""
    rng = np.random.RandomState(seed)
    inputs = rng.randint(2, VOCAB, size=(examples, INPUT_LENGTH)).astype(np.int32)
    targets = np.concatenate(
        [inputs[:, :TARGET_LENGTH - 1], np.ones((examples, 1), np.int32)], axis=1)
    decoder_inputs = np.concatenate([np.zeros((examples, 1), np.int32), targets[:, :-1]], axis=1)
    return {
        "encoder_input_tokens": inputs,
        "decoder_input_tokens": decoder_inputs,
        "decoder_target_tokens": targets,
        "decoder_loss_weights": np.ones_like(targets),
    }


def in_memory_dataset_fn(arrays: dict[str, np.ndarray]):
    """A trainer DatasetFn: one epoch of `arrays` shuffled by `seed`, batched, remainder dropped."""

    def dataset_fn(seed: int, shard_info, batch_size: int) -> tf.data.Dataset:
        dataset = tf.data.Dataset.from_tensor_slices(arrays)
        if shard_info is not None:
            dataset = dataset.shard(shard_info.num_shards, shard_info.index)
        dataset = dataset.shuffle(len(next(iter(arrays.values()))), seed=seed)
        return dataset.batch(batch_size, drop_remainder=True)

    return dataset_fn
