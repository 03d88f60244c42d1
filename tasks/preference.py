"""Preference-learning tasks over the HH data (textedit/data/preference_views.py).

    hh_sft    prompt (the dialogue up to its last "Assistant:") -> the chosen response: the SFT
              task that trains the reference policy π_ref of DRO-V, KTO and DPO. Metric: exact
              match (a sanity check; policies are judged by a reward model,
              docs/algorithms.md#dro).
    hh_pairs  reward-model pairs: features "chosen" and "rejected", each the prompt's last
              PROMPT_TAIL_CHARS (400) characters followed by the response, so that a length
              cut (SeqIO keeps the first tokens) removes old turns rather than the response.
              Read with
              `PairedScoreFeatureConverter` (gin/experiments/rm_hh.gin).

    hh_trajectories
              the single-trajectory view for DRO-V and KTO (`trajectories`): features "inputs"
              (`policy_prompt`), "targets" (the response) and a float scalar "reward" (+1
              chosen, −1 rejected); each pair gives two rows. Read with
              `TrajectoryFeatureConverter` (gin/experiments/dro_v_hh.gin, kto_hh.gin).
    hh_policy_pairs
              the paired view for DPO / IPO: "inputs" (`policy_prompt`), "chosen", "rejected"
              (the responses alone). Read with `PairedPolicyFeatureConverter`
              (gin/experiments/dpo_hh.gin).

    hh_sft_policy, hh_pairs_policy, hh_pairs_judge
              the same, with train restricted to one hash half of the prompts
              (`judge_half`): policies (SFT and the preference objectives) train on the policy
              half, the reward model that judges them on the judge half, so the judge never
              scored a policy's training prompt. Validation is the whole validation split.
              hh_trajectories and hh_policy_pairs train on the policy half too.
              hh_sft_policy's input is the prompt's last POLICY_PROMPT_CHARS (600) characters
              (`policy_prompt`), so a length cut keeps the final turns.

All have splits train and validation, the fixed hash split by prompt. Pairs with identical
chosen and rejected dialogues are dropped and counted, and malformed lines raise file:line errors
or are counted under --skip_bad_lines (PreferenceSplit.anomalies).
"""

from __future__ import annotations

import dataclasses
import functools
import random

import seqio
import tensorflow as tf

from tasks.features import VOCABULARY
from tasks.registration import SETTINGS, register_text_task
from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit
from textedit.data.examples import MultiReferenceExample
from textedit.data.preference_views import (
    PreferenceSplit,
    judge_half,
    load_preferences,
    policy_prompt,
    scored_text,
    sft_examples,
    trajectories,
)

SIDES = ("chosen", "rejected")
PAIR_FEATURES = {side: seqio.Feature(vocabulary=VOCABULARY, add_eos=True) for side in SIDES}
# The reward is a number, not text: a pass-through "vocabulary" leaves it as it is through
# seqio's tokenize step.
TRAJECTORY_FEATURES = {
    "inputs": seqio.Feature(vocabulary=VOCABULARY, add_eos=True),
    "targets": seqio.Feature(vocabulary=VOCABULARY, add_eos=True),
    "reward": seqio.Feature(vocabulary=seqio.PassThroughVocabulary(size=0), add_eos=False,
                            dtype=tf.float32, rank=0)}
POLICY_PAIR_FEATURES = {name: seqio.Feature(vocabulary=VOCABULARY, add_eos=True)
                        for name in ("inputs",) + SIDES}


POLICY_HALF, JUDGE_HALF = "policy", "judge"
HALVES = (None, POLICY_HALF, JUDGE_HALF)


def half_pairs(split: str, half: str | None, skip_bad_lines: bool = False) -> PreferenceSplit:
    """The split's pairs; on train, only those of one prompt half when `half` is set."""
    if half not in HALVES:
        raise ValueError(f"half {half!r}: expected one of {HALVES}")
    data = load_preferences(split, skip_bad_lines)
    if half is None or split != TRAIN:
        return data
    keep = [p for p in data.pairs if judge_half(p.prompt) == (half == JUDGE_HALF)]
    return dataclasses.replace(data, pairs=keep)


def load_sft_split(split: str, skip_bad_lines: bool = False, half: str | None = None
                   ) -> LoadedSplit:
    """(prompt, chosen) examples of a split, with the reader's skip report."""
    data = half_pairs(split, half, skip_bad_lines)
    # The half tasks are the policies' (short inputs): they read the prompt's tail.
    tail = policy_prompt if half else (lambda prompt: prompt)
    examples = [MultiReferenceExample(tail(prompt), (response,))
                for prompt, response in sft_examples(data.pairs)]
    return LoadedSplit(examples, data.files, data.skip)


def _pairs_dataset(split: str, shuffle_files: bool, seed: int | None = None,
                   half: str | None = None) -> tf.data.Dataset:
    pairs = half_pairs(split, half, SETTINGS.skip_bad_lines).pairs
    records = [{side: scored_text(p.prompt, getattr(p, side)) for side in SIDES} for p in pairs]
    if shuffle_files:  # in memory, so this is the file-level shuffle (as examples_source)
        random.Random(seed).shuffle(records)
    return tf.data.Dataset.from_generator(
        lambda: iter(records),
        output_signature={side: tf.TensorSpec([], tf.string) for side in SIDES})


def trajectory_records(split: str) -> list[dict]:
    """hh_trajectories' rows in file order: {"inputs", "targets", "reward"} per trajectory,
    chosen then rejected for each policy-half pair."""
    pairs = half_pairs(split, POLICY_HALF, SETTINGS.skip_bad_lines).pairs
    return [{"inputs": policy_prompt(t.prompt), "targets": t.response, "reward": t.reward}
            for t in trajectories(pairs)]


def policy_pair_records(split: str) -> list[dict]:
    """hh_policy_pairs' rows in file order: {"inputs", "chosen", "rejected"} per pair."""
    pairs = half_pairs(split, POLICY_HALF, SETTINGS.skip_bad_lines).pairs
    return [{"inputs": policy_prompt(p.prompt), "chosen": p.chosen, "rejected": p.rejected}
            for p in pairs]


def _records_dataset(records_fn, signature: dict, split: str, shuffle_files: bool,
                     seed: int | None = None) -> tf.data.Dataset:
    records = records_fn(split)
    if shuffle_files:
        # In memory, so this is the file-level shuffle; it also parts each pair's chosen and
        # rejected rows, so a batch mixes prompts and rewards (KTO's batch mean and z).
        random.Random(seed).shuffle(records)
    return tf.data.Dataset.from_generator(lambda: iter(records), output_signature=signature)


_TEXT = tf.TensorSpec([], tf.string)
_POLICY_VIEWS = {
    "hh_trajectories": (trajectory_records, TRAJECTORY_FEATURES,
                        {"inputs": _TEXT, "targets": _TEXT,
                         "reward": tf.TensorSpec([], tf.float32)}),
    "hh_policy_pairs": (policy_pair_records, POLICY_PAIR_FEATURES,
                        {name: _TEXT for name in ("inputs",) + SIDES}),
}
for _name, (_records_fn, _features, _signature) in _POLICY_VIEWS.items():
    seqio.TaskRegistry.remove(_name)
    seqio.TaskRegistry.add(
        _name,
        source=seqio.FunctionDataSource(
            functools.partial(_records_dataset, _records_fn, _signature),
            splits=[TRAIN, VALIDATION]),
        preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos],
        output_features=_features,
    )

for _half in HALVES:
    _suffix = f"_{_half}" if _half else ""
    register_text_task(f"hh_sft{_suffix}", [TRAIN, VALIDATION],
                       functools.partial(load_sft_split, half=_half))
    seqio.TaskRegistry.remove(f"hh_pairs{_suffix}")
    seqio.TaskRegistry.add(
        f"hh_pairs{_suffix}",
        source=seqio.FunctionDataSource(functools.partial(_pairs_dataset, half=_half),
                                        splits=[TRAIN, VALIDATION]),
        preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos],
        output_features=PAIR_FEATURES,
    )
