"""Low-resource share tasks: nested, seeded subsets of the real WikiSplit training pairs; the
validation split and metrics are the base task's; a data epoch can be several passes."""

import numpy as np
import pytest
import seqio

import tasks  # noqa: F401  (registers the share tasks)
from tasks.low_resource import register_train_share_task, share_task_name
from textedit.data.train_share import share_indices
from textedit.training.train_data import seqio_train_dataset


def _sources(task: str, split: str) -> list[bytes]:
    source = seqio.get_mixture_or_task(task).source
    return [e["inputs"].numpy() for e in source.get_dataset(split=split, shuffle=False)]


def test_share_indices_are_nested_sized_and_seeded():
    one, ten = share_indices(5000, 1), share_indices(5000, 10)
    assert (len(one), len(ten), len(share_indices(5000, 100))) == (50, 500, 5000)
    assert set(one) <= set(ten) and one == sorted(one)
    assert share_indices(5000, 1, seed=1) != one
    assert len(share_indices(30, 1)) == 1  # never empty
    with pytest.raises(ValueError, match="percentage"):
        share_indices(10, 0)


def test_builtin_shares_hold_their_pairs_of_the_real_training_split():
    full = _sources("fusion_wikisplit", "train")
    one = _sources("fusion_wikisplit_1pct", "train")
    ten = _sources("fusion_wikisplit_10pct", "train")
    assert (len(full), len(one), len(ten)) == (5000, 50, 500)
    assert one == [full[i] for i in share_indices(5000, 1)]  # file order kept
    assert set(one) <= set(ten)
    # Validation and metrics are the base task's: every share is scored on the same pairs.
    assert _sources("fusion_wikisplit_1pct", "validation") == _sources(
        "fusion_wikisplit", "validation")
    base = seqio.get_mixture_or_task("fusion_wikisplit")
    share = seqio.get_mixture_or_task("fusion_wikisplit_1pct")
    assert share.metric_fns == base.metric_fns
    assert _sources("edit5_fusion_wikisplit_1pct", "train") == one  # the edit twin's pairs


def test_a_new_share_registers_with_its_edit_twin():
    register_train_share_task("fusion_bisect", 0.5)
    name = share_task_name("fusion_bisect", 0.5)
    assert name == "fusion_bisect_0.5pct"
    n = len(_sources("fusion_bisect", "train"))
    share = _sources(name, "train")
    assert len(share) == round(n * 0.005)
    assert _sources("edit5_" + name, "train") == share  # the edit twin reads the same pairs


def test_an_epoch_of_several_passes_holds_each_pair_once_per_pass_in_a_seeded_order(tiny_vocab):
    lengths = {"inputs": 128, "targets": 128}
    one_pass = seqio_train_dataset("fusion_wikisplit_1pct", lengths)(0, None, 10)
    three = seqio_train_dataset("fusion_wikisplit_1pct", lengths, passes_per_epoch=3)(0, None, 10)
    rows = np.concatenate([b["encoder_input_tokens"].numpy() for b in three])
    assert len(list(one_pass)) == 5 and rows.shape[0] == 150
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    assert len(unique) == 50 and set(counts) == {3}  # every pair once per pass
    again = np.concatenate([b["encoder_input_tokens"].numpy() for b in seqio_train_dataset(
        "fusion_wikisplit_1pct", lengths, passes_per_epoch=3)(0, None, 10)])
    np.testing.assert_array_equal(rows, again)  # seeded: the same order
    with pytest.raises(ValueError, match="at least 1"):
        seqio_train_dataset("fusion_wikisplit_1pct", lengths, passes_per_epoch=0)
