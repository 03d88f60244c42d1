"""TaskEvaluator: SeqIO evaluation of decoded tokens, with batches padded to a static size."""

import json

import numpy as np
import tensorflow as tf

from textedit.training.evaluation import TaskEvaluator, make_predict_fn
from textedit.training.summaries import read_scalars


def oracle_decode(model, features):
    """Returns the reference tokens: exact match must be 100."""
    assert features["encoder_input_tokens"].shape[0] == 5  # always a full, static batch
    return tf.constant(features["decoder_target_tokens"])


def test_oracle_predictions_score_100_and_are_logged(copy_task, tmp_path):
    evaluator = TaskEvaluator(copy_task, {"inputs": 32, "targets": 32}, oracle_decode,
                              log_dir=tmp_path, max_examples=12, batch_size=5)
    assert evaluator.num_examples == {copy_task: 12}  # 12 = 5 + 5 + 2 (padded to 5)
    scores = evaluator.evaluate(model=None, step=7)
    assert scores == {copy_task: {"exact_match": 100.0}}
    assert read_scalars(tmp_path / copy_task) == {"eval/exact_match": [(7, 100.0)]}
    lines = (tmp_path / f"{copy_task}-000007.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 12 and first["prediction"] == first["target"]["references"][0]


def test_predict_fn_keeps_indices_and_drops_padding_rows():
    dataset = tf.data.Dataset.from_tensor_slices(
        {"encoder_input_tokens": np.arange(7, dtype=np.int32)[:, None] + 2}).enumerate()

    def decode(model, features):
        return tf.constant(np.concatenate([features["encoder_input_tokens"],
                                           np.ones_like(features["encoder_input_tokens"])], 1))

    predictions = make_predict_fn(None, decode, batch_size=3)(dataset)
    assert predictions == [(i, [i + 2, 1]) for i in range(7)]
