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

    hh_sft_policy, hh_pairs_policy, hh_pairs_judge
              the same, with train restricted to one hash half of the prompts
              (`judge_half`): policies (SFT and the preference objectives) train on the policy
              half, the reward model that judges them on the judge half, so the judge never
              scored a policy's training prompt. Validation is the whole validation split.
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
)

SIDES = ("chosen", "rejected")
PAIR_FEATURES = {side: seqio.Feature(vocabulary=VOCABULARY, add_eos=True) for side in SIDES}


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
