"""Periodic evaluation through `seqio.Evaluator`: decode a split, score it with the task's metrics.

    evaluator = TaskEvaluator("gec_wi_fce", {"inputs": 128, "targets": 128},
                              seq2seq_greedy_decode_fn(max_decode_length=128),
                              log_dir=model_dir / "eval", max_examples=512)
    scores = evaluator.evaluate(model, step)     # {task: {metric: value}}

SeqIO reads the split once (its first `max_examples` examples of each task, in order), converts it
with `EncDecFeatureConverter(pack=False)` and calls our predict_fn with the enumerated dataset;
predictions are decoded by the vocabulary, postprocessed by the task's postprocess_fn and scored
by its metric_fns. Loggers: TensorBoard scalars (`summaries.ScalarSummaryLogger`) under
`log_dir/<task>/` and SeqIO's JSON files
(`<task>-metrics.jsonl`, `<task>-<step>.jsonl` with every input, prediction and target).

`decode_fn(model, features) -> int [b, L]` is pluggable (greedy, beam, an edit model's inference);
it gets static-shape batches of `batch_size` rows (the last one padded with empty rows, dropped
afterwards), so its XLA program compiles once. Decoding runs
outside `strategy.run`: fine for the default, mirrored and multiworker strategies (variables are
read from the first replica); under TPUStrategy use the evaluation tool on a CPU/GPU host instead.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import seqio
import tensorflow as tf

from textedit.training.summaries import ScalarSummaryLogger

DecodeFn = Callable[[object, dict], tf.Tensor]


@dataclasses.dataclass
class EvalConfig:
    """Which tasks a run evaluates on, and how much of them.

    Attributes:
      mixture_or_task_names: tasks or mixtures (each through its own seqio.Evaluator); empty = no
        evaluation.
      split: the split decoded and scored.
      max_examples: the first N examples of each task (None = all); keeps periodic eval cheap.
      batch_size: rows decoded at once.
      task_feature_lengths: {"inputs": L, "targets": T} of the evaluated tasks; None = the
        training lengths (an EdiT5 run trains on `edit5_<task>` with "decoder_targets" and is
        evaluated on the plain `<task>`, so its lengths differ).
      feature_converter: None = EncDecFeatureConverter(pack=False); a model that reads more
        than tokens (an image tower: ImageEncDecFeatureConverter) needs its own.
    """

    mixture_or_task_names: Sequence[str] = ()
    split: str = "validation"
    max_examples: int | None = None
    batch_size: int = 32
    task_feature_lengths: Mapping[str, int] | None = None
    feature_converter: seqio.FeatureConverter | None = None


def seq2seq_greedy_decode_fn(max_decode_length: int) -> DecodeFn:
    """Greedy decoding of `encoder_input_tokens` with the cached, XLA-compiled T5 decoder."""
    from textedit.decoding.greedy import greedy_decode

    def decode(model, features):
        return greedy_decode(model, features["encoder_input_tokens"], max_decode_length)

    return decode


def _pad_rows(features: Mapping[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    padded = {}
    for name, value in features.items():
        missing = rows - value.shape[0]
        padded[name] = np.concatenate(
            [value, np.zeros((missing,) + value.shape[1:], value.dtype)]) if missing else value
    return padded


def make_predict_fn(model, decode_fn: DecodeFn, batch_size: int):
    """A SeqIO predict_fn: enumerated dataset of model features -> [(index, token ids [L])].

    Rows keep their full static length (SeqIO stacks them into one array); the vocabulary's
    decode stops at the first EOS."""

    def predict_fn(dataset: tf.data.Dataset):
        predictions = []
        for indices, features in dataset.batch(batch_size).as_numpy_iterator():
            tokens = np.asarray(decode_fn(model, _pad_rows(features, batch_size)))
            rows = tokens[:len(indices)]  # padding rows dropped
            predictions += [(int(i), row.tolist()) for i, row in zip(indices, rows, strict=True)]
        return predictions

    return predict_fn


class TaskEvaluator:
    """Runs `seqio.Evaluator` on one task or mixture (module docstring)."""

    def __init__(self, mixture_or_task_name: str, task_feature_lengths: Mapping[str, int],
                 decode_fn: DecodeFn, log_dir: str | os.PathLike | None = None,
                 split: str = "validation", max_examples: int | None = None,
                 batch_size: int = 32, feature_converter: seqio.FeatureConverter | None = None):
        self.name = mixture_or_task_name
        self.decode_fn = decode_fn
        self.batch_size = batch_size
        loggers = (ScalarSummaryLogger, seqio.JSONLogger) if log_dir else ()
        self.evaluator = seqio.Evaluator(
            mixture_or_task_name,
            feature_converter or seqio.EncDecFeatureConverter(pack=False),
            eval_split=split,
            sequence_length=dict(task_feature_lengths),
            num_examples=max_examples,
            logger_cls=loggers,
            log_dir=str(log_dir) if log_dir else None,
            async_compute_metrics=False,
        )

    @property
    def num_examples(self) -> dict[str, int]:
        """Examples scored per task."""
        return {name: int(dataset.cardinality())
                for name, dataset in self.evaluator.cached_task_datasets.items()}

    def evaluate(self, model, step: int) -> dict[str, dict[str, float]]:
        """Decodes and scores; returns {task: {metric: value}} (also written by the loggers)."""
        if not self.evaluator.eval_tasks:
            return {}
        metrics, _ = self.evaluator.evaluate(
            compute_metrics=True, step=step,
            predict_fn=make_predict_fn(model, self.decode_fn, self.batch_size))
        return {task: {k: _scalar(v) for k, v in values.items()}
                for task, values in metrics.result().items()}


def _scalar(value) -> float:
    """SeqIO metric values may be seqio.metrics.Scalar objects or plain numbers."""
    return float(getattr(value, "value", value))
