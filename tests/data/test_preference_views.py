"""Preference views on the real HH files: hash split by prompt, counted anomalies, the paired,
single-trajectory and SFT views, and the judge half."""

import pytest

from textedit.data.data_dir import DataFileNotFoundError
from textedit.data.preference_views import (
    judge_half,
    load_preferences,
    sft_examples,
    trajectories,
)

ALL_PAIRS = 2_312 + 1_137 + 2_749  # tests/data/test_preference_reader.py
IDENTICAL = 2 + 32
WITH_TURNS = 5 + 2 + 3


@pytest.fixture(scope="module")
def splits():
    return load_preferences("train"), load_preferences("validation")


def test_split_counts_and_anomalies(splits):
    train, validation = splits
    assert len(train.pairs) + len(validation.pairs) == ALL_PAIRS - IDENTICAL
    assert train.anomalies["identical"] + validation.anomalies["identical"] == IDENTICAL
    assert (train.anomalies["responses_contain_turns"]
            + validation.anomalies["responses_contain_turns"]) == WITH_TURNS
    assert train.anomalies["skipped_malformed"] == 0
    # The hash rule keeps one prompt in five for validation (catalog modulus 5): about 20%.
    assert 0.17 < len(validation.pairs) / (ALL_PAIRS - IDENTICAL) < 0.23
    assert not {p.prompt for p in train.pairs} & {p.prompt for p in validation.pairs}
    assert train.report().startswith(f"{len(train.pairs)} pairs from 3 files; counted: ")


def test_views(splits):
    pairs = splits[1].pairs[:3]
    triplets = trajectories(pairs)
    assert [t.reward for t in triplets] == [1.0, -1.0] * 3
    assert [(t.prompt, t.response) for t in triplets[:2]] == [
        (pairs[0].prompt, pairs[0].chosen), (pairs[0].prompt, pairs[0].rejected)]
    scored = trajectories(pairs, rewards=[(0.5, 0.25)] * 3)
    assert [t.reward for t in scored] == [0.5, 0.25] * 3
    with pytest.raises(ValueError, match="2 reward tuples for 3 pairs"):
        trajectories(pairs, rewards=[(0.0, 0.0)] * 2)
    assert sft_examples(pairs)[1] == (pairs[1].prompt, pairs[1].chosen)


def test_judge_half_is_a_fixed_half(splits):
    prompts = {p.prompt for p in splits[0].pairs}
    share = sum(judge_half(p) for p in prompts) / len(prompts)
    assert 0.45 < share < 0.55
    assert judge_half("\n\nHuman: hi\n\nAssistant:") == judge_half("\n\nHuman: hi\n\nAssistant:")


def test_test_split_needs_helpful_base():
    with pytest.raises(DataFileNotFoundError, match="hh.helpful-base"):
        load_preferences("test")
    with pytest.raises(ValueError, match="split 'dev'"):
        load_preferences("dev")
