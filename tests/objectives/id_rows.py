"""Rows of word ids for the in-graph metric reward tests: each row, then EOS (1), then 0s."""

import tensorflow as tf


def padded(rows, length=10):
    """int32 [len(rows), length]."""
    return tf.constant([row + [1] + [0] * (length - len(row) - 1) for row in rows], tf.int32)
