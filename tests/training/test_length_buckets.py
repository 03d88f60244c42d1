"""Length buckets: every example lands in the first bucket that holds it, whole and unchanged."""

import numpy as np
import pytest
import tensorflow as tf

from textedit.training.length_buckets import bucket_batches, bucketed, check_buckets

FULL = {"inputs": 12, "decoder_targets": 6}
BUCKETS = [{"inputs": 4, "decoder_targets": 2}, {"inputs": 8, "decoder_targets": 6}]


def _examples(n=200, seed=0):
    """EdiT5-like padded features; the encoder tokens of example i start with i + 100."""
    rng = np.random.RandomState(seed)
    out = []
    for i in range(n):
        used_in, used_dec = rng.randint(1, 13), rng.randint(1, 7)
        tokens = np.zeros(12, np.int32)
        tokens[:used_in] = rng.randint(5, 50, used_in)
        tokens[0] = i + 100
        targets = np.zeros(6, np.int32)
        targets[:used_dec] = rng.randint(5, 50, used_dec)
        out.append({"encoder_input_tokens": tokens, "encoder_mask": (tokens > 0).astype(np.int32),
                    "tags": (tokens > 0).astype(np.int32),
                    "pointers": np.arange(12, dtype=np.int32),
                    "decoder_target_tokens": targets,
                    "decoder_input_tokens": np.concatenate([[0], targets[:-1]]).astype(np.int32),
                    "decoder_loss_weights": (targets > 0).astype(np.int32)})
    return out


def _dataset(examples):
    return tf.data.Dataset.from_tensor_slices(
        {k: np.stack([e[k] for e in examples]) for k in examples[0]})


def _bucket(example):
    used_in = int(np.max(np.nonzero(example["encoder_input_tokens"])[0]) + 1)
    used_dec = int(np.max(np.nonzero(example["decoder_target_tokens"])[0]) + 1)
    for b in BUCKETS + [FULL]:
        if used_in <= b["inputs"] and used_dec <= b["decoder_targets"]:
            return b["inputs"], b["decoder_targets"]


def test_each_batch_is_cut_to_the_first_bucket_holding_its_examples():
    examples = _examples()
    batches = list(bucket_batches(_dataset(examples), BUCKETS, FULL, 4).as_numpy_iterator())
    by_id = {int(e["encoder_input_tokens"][0]): e for e in examples}
    seen = []
    for batch in batches:
        length = batch["encoder_input_tokens"].shape[1]
        dec_length = batch["decoder_input_tokens"].shape[1]
        assert batch["tags"].shape == batch["pointers"].shape == (4, length)
        assert batch["decoder_loss_weights"].shape == (4, dec_length)
        for row in range(4):
            original = by_id[int(batch["encoder_input_tokens"][row, 0])]
            seen.append(int(batch["encoder_input_tokens"][row, 0]))
            assert _bucket(original) == (length, dec_length)
            for name, value in batch.items():  # the cut keeps every non-padding value
                np.testing.assert_array_equal(value[row], original[name][:value.shape[1]])
                # Padding positions point to themselves; the shifted decoder input's last
                # token feeds only a position without loss weight (also cut, and zero).
                if name not in ("pointers", "decoder_input_tokens"):
                    assert not original[name][value.shape[1]:].any(), name
    # Only each bucket's last partial batch is dropped.
    counts = {}
    for e in examples:
        counts[_bucket(e)] = counts.get(_bucket(e), 0) + 1
    assert len(seen) == len(set(seen)) == sum(4 * (c // 4) for c in counts.values())
    assert len({(b["tags"].shape[1]) for b in batches}) == 3


def test_bucketed_dataset_fn_is_deterministic_and_asks_for_unbatched_examples():
    asked = []

    def dataset_fn(seed, shard, batch_size):
        asked.append(batch_size)
        return _dataset(_examples(seed=seed))

    fn = bucketed(dataset_fn, BUCKETS, FULL)
    first = [b["encoder_input_tokens"][:, 0].tolist() for b in fn(3, None, 4).as_numpy_iterator()]
    again = [b["encoder_input_tokens"][:, 0].tolist() for b in fn(3, None, 4).as_numpy_iterator()]
    assert first == again and asked == [None, None]


@pytest.mark.parametrize("buckets, message", [
    ([{"inputs": 4}], "must name exactly"),
    ([{"inputs": 20, "decoder_targets": 2}], "within the task lengths"),
    ([{"inputs": 0, "decoder_targets": 2}], "positive"),
])
def test_bad_buckets_are_refused(buckets, message):
    with pytest.raises(ValueError, match=message):
        check_buckets(buckets, FULL)


def test_the_task_lengths_are_the_last_bucket():
    assert check_buckets(BUCKETS, FULL) == [(4, 2), (8, 6), (12, 6)]


def test_the_epoch_stream_resumes_a_bucketed_epoch_exactly():
    """EpochBatches over a bucketed DatasetFn: batches of several shapes, and restarting at a
    stored position gives the batch an uninterrupted stream gives there."""
    from textedit.training.train_data import EpochBatches

    fn = bucketed(lambda seed, shard, batch_size: _dataset(_examples(seed=seed)), BUCKETS, FULL)
    strategy = tf.distribute.get_strategy()
    stream = EpochBatches(fn, strategy, global_batch_size=4, seed=1)
    straight = [next(stream) for _ in range(12)]
    assert len({b["tags"].shape[1] for b in straight}) > 1
    assert stream.element_spec["tags"].shape.as_list() == [4, None]
    resumed = EpochBatches(fn, strategy, global_batch_size=4, seed=1)
    resumed.start(0, 7)
    for expected in straight[7:]:
        got = next(resumed)
        for name in expected:
            np.testing.assert_array_equal(got[name].numpy(), expected[name].numpy())


def test_the_clock_leaves_out_each_new_shape_once():
    """Steps whose batch has a shape not seen before compile: the budget does not count them."""
    from textedit.training.trainer import TrainingClock

    clock = TrainingClock(budget=10.0)
    shapes = [(4, 8), (4, 8), (4, 16), (4, 8), (4, 16)]
    seen = [clock.new_shape({"tags": tf.zeros(shape)}) for shape in shapes]
    assert seen == [True, False, True, False, False]
    with clock.timing() as timed:
        timed.compiles = True
    assert clock.seconds == 0.0
    with clock.timing():
        pass
    assert clock.seconds > 0.0 and not clock.spent()
