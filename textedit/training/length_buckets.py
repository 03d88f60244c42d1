"""Length buckets: batches of similar lengths, each cut to its bucket's shape.

    dataset_fn = bucketed(seqio_train_dataset("edit5_gec_wi_fce", {"inputs": 64,
                                                                  "decoder_targets": 32}),
                          buckets=[{"inputs": 24, "decoder_targets": 8},
                                   {"inputs": 40, "decoder_targets": 16}],
                          full_lengths={"inputs": 64, "decoder_targets": 32})

Why: the task lengths must hold the longest examples, but most are much shorter. On W&I + FCE
(edit5_gec_wi_fce) inputs average 19 of 64 pieces and insertion targets 4 of 32 ids, so a batch
padded to the full lengths spends most of a step on padding: the encoder, the pointer's L x L
Sinkhorn and the insertion decoder's output layer over every padded position. 70% of those
examples fit (24, 8) and 95% fit (40, 16), and a mini EdiT5 step at (24, 8) takes about a quarter
of the time of one at (64, 32) (docs/algorithms.md#length-buckets has the measurements).

How: each example goes to the first bucket that holds it (its unpadded encoder length and decoder
length; the full task lengths are the implicit last bucket), examples are grouped per bucket in
arrival order (`tf.data.Dataset.group_by_window`) and every batch is sliced to its bucket's
lengths. A batch therefore has one of len(buckets) + 1 shapes, and XLA compiles the train step
once per shape (the trainer keeps those compiling steps out of its time budget). The stream stays
a deterministic function of the seed, so resuming by skipping batches is exact. Per epoch each
bucket drops its last partial batch (fewer than `batch_size` examples), as the unbucketed stream
drops one.

Which feature has which length: features named `decoder_*` take the length of the task feature
that is not "inputs" (`targets` for seq2seq, `decoder_targets` for EdiT5); every other feature
(encoder tokens, mask, EdiT5 tags and pointers) takes the length of "inputs". Padding is 0 in
`encoder_input_tokens` and `decoder_target_tokens`, which define an example's lengths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tensorflow as tf

INPUTS = "inputs"
ENCODER_TOKENS = "encoder_input_tokens"
DECODER_TOKENS = "decoder_target_tokens"


def _decoder_key(lengths: Mapping[str, int]) -> str:
    others = [key for key in lengths if key != INPUTS]
    if INPUTS not in lengths or len(others) != 1:
        raise ValueError(f"length buckets need task lengths with 'inputs' and one target "
                         f"feature, got {dict(lengths)}")
    return others[0]


def check_buckets(buckets: Sequence[Mapping[str, int]],
                  full_lengths: Mapping[str, int]) -> list[tuple[int, int]]:
    """(encoder length, decoder length) of each bucket, then of the full lengths; raises on a
    bucket with other keys than the task lengths or longer than them."""
    decoder_key = _decoder_key(full_lengths)
    shapes = []
    for bucket in buckets:
        if set(bucket) != set(full_lengths):
            raise ValueError(f"length bucket {dict(bucket)} must name exactly the task's "
                             f"features {sorted(full_lengths)}")
        if any(not 0 < int(bucket[key]) <= int(full_lengths[key]) for key in full_lengths):
            raise ValueError(f"length bucket {dict(bucket)} must be positive and within the "
                             f"task lengths {dict(full_lengths)}")
        shapes.append((int(bucket[INPUTS]), int(bucket[decoder_key])))
    shapes.append((int(full_lengths[INPUTS]), int(full_lengths[decoder_key])))
    return shapes


def _used_length(tokens: tf.Tensor) -> tf.Tensor:
    """int32 []: one past the last non-zero position of tokens [n] (0 if all are padding)."""
    positions = tf.range(1, tf.shape(tokens)[0] + 1)
    return tf.reduce_max(tf.where(tokens != 0, positions, 0))


def bucket_batches(dataset: tf.data.Dataset, buckets: Sequence[Mapping[str, int]],
                   full_lengths: Mapping[str, int], batch_size: int) -> tf.data.Dataset:
    """Unbatched examples padded to `full_lengths` -> batches of `batch_size`, each sliced to
    the first bucket holding all of its examples (module docstring).

    Args:
      dataset: examples {feature: int [full length]} (a feature converter's output).
      buckets: e.g. [{"inputs": 24, "decoder_targets": 8}, ...], in the order tried.
      full_lengths: the task feature lengths (the last bucket).
      batch_size: examples per batch; each bucket's final partial batch is dropped.

    Returns:
      batches {feature: int [batch_size, bucket length]}.
    """
    shapes = tf.constant(check_buckets(buckets, full_lengths), tf.int32)  # [n_buckets, 2]

    def bucket_of(example):
        used = tf.stack([_used_length(example[ENCODER_TOKENS]),
                         _used_length(example[DECODER_TOKENS])])
        fits = tf.reduce_all(used[None, :] <= shapes, axis=1)
        return tf.cast(tf.argmax(tf.cast(fits, tf.int32)), tf.int64)  # the last always fits

    def to_batches(key, examples):
        encoder_length, decoder_length = shapes[key][0], shapes[key][1]

        def cut(batch):
            return {name: value[:, :decoder_length] if name.startswith("decoder_")
                    else value[:, :encoder_length] for name, value in batch.items()}

        return examples.batch(batch_size, drop_remainder=True).map(cut)

    return dataset.group_by_window(bucket_of, to_batches, window_size=batch_size)


def bucketed(dataset_fn, buckets: Sequence[Mapping[str, int]], full_lengths: Mapping[str, int]):
    """A `DatasetFn` (textedit.training.train_data) whose epochs come in length buckets: the
    inner `dataset_fn` is asked for unbatched examples (batch size None)."""
    check_buckets(buckets, full_lengths)

    def dataset_fn_bucketed(seed: int, shard_info, batch_size: int) -> tf.data.Dataset:
        return bucket_batches(dataset_fn(seed, shard_info, None), buckets, full_lengths,
                              batch_size)

    return dataset_fn_bucketed
