"""EpochBatches: a position restores the exact batch sequence; too-small data fails clearly."""

import numpy as np
import pytest
import tensorflow as tf
from stand_in import copy_task_arrays, in_memory_dataset_fn

from textedit.training.train_data import EmptyEpochError, EpochBatches


def _stream(examples=40, batch=16):
    return EpochBatches(in_memory_dataset_fn(copy_task_arrays(examples)),
                        tf.distribute.get_strategy(), batch, seed=5)


def _tokens(batch):
    return batch["encoder_input_tokens"].numpy()


def test_restored_position_continues_with_the_same_batches():
    stream = _stream()  # 2 full batches per epoch (8 examples dropped)
    sequence = [(stream.position, _tokens(next(stream))) for _ in range(7)]
    # (epoch, batches consumed in it) before each batch; (0, 2) = epoch 0 used up
    assert [p for p, _ in sequence] == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]
    assert not np.array_equal(sequence[0][1], sequence[2][1])  # each epoch has its own order
    for index in (1, 2, 3, 4):
        restored = _stream()
        restored.start(*sequence[index][0])
        for position, tokens in sequence[index:]:
            assert restored.position == position
            np.testing.assert_array_equal(_tokens(next(restored)), tokens)


def test_epoch_end_counts_as_the_next_epoch_start():
    stream = _stream()
    stream.start(0, 2)  # a checkpoint taken after the last batch of epoch 0
    reference = _stream()
    reference.start(1, 0)
    np.testing.assert_array_equal(_tokens(next(stream)), _tokens(next(reference)))
    assert stream.position == (1, 1)


def test_data_smaller_than_one_batch_fails():
    with pytest.raises(EmptyEpochError, match="no full batch of 16"):
        next(_stream(examples=10))
