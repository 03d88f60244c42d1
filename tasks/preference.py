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

Both have splits train and validation, the fixed hash split by prompt. Pairs with identical
chosen and rejected dialogues are dropped and counted, and malformed lines raise file:line errors
or are counted under --skip_bad_lines (PreferenceSplit.anomalies).
"""

from __future__ import annotations

import random

import seqio
import tensorflow as tf

from tasks.features import VOCABULARY
from tasks.registration import SETTINGS, register_text_task
from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit
from textedit.data.examples import MultiReferenceExample
from textedit.data.preference_views import load_preferences, scored_text, sft_examples

SIDES = ("chosen", "rejected")
PAIR_FEATURES = {side: seqio.Feature(vocabulary=VOCABULARY, add_eos=True) for side in SIDES}


def load_sft_split(split: str, skip_bad_lines: bool = False) -> LoadedSplit:
    """(prompt, chosen) examples of a split, with the reader's skip report."""
    data = load_preferences(split, skip_bad_lines)
    examples = [MultiReferenceExample(prompt, (response,))
                for prompt, response in sft_examples(data.pairs)]
    return LoadedSplit(examples, data.files, data.skip)


def _pairs_dataset(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
    pairs = load_preferences(split, SETTINGS.skip_bad_lines).pairs
    records = [{side: scored_text(p.prompt, getattr(p, side)) for side in SIDES} for p in pairs]
    if shuffle_files:  # in memory, so this is the file-level shuffle (as examples_source)
        random.Random(seed).shuffle(records)
    return tf.data.Dataset.from_generator(
        lambda: iter(records),
        output_signature={side: tf.TensorSpec([], tf.string) for side in SIDES})


register_text_task("hh_sft", [TRAIN, VALIDATION], load_sft_split)
seqio.TaskRegistry.remove("hh_pairs")
seqio.TaskRegistry.add(
    "hh_pairs",
    source=seqio.FunctionDataSource(_pairs_dataset, splits=[TRAIN, VALIDATION]),
    preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos],
    output_features=PAIR_FEATURES,
)
