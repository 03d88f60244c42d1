"""Scores predictions for one split of a SeqIO task with that task's own metric_fns.

What `seqio.Evaluator` does with a model's decoded outputs, minus the model and the tokeniser:

    split examples (task order) -> targets    = postprocess_fn(targets_pretokenized, is_target=True)
    predictions (one per example) -> predictions = postprocess_fn(prediction, is_target=False)
    for each predict metric_fn: metric_fn(targets, predictions) -> {name: score}

Examples come from the task's data source with `shuffle=False`, through the task's preprocessors
*up to* its first tokenising one (`seqio.preprocessors.tokenize`); `*_pretokenized` fields are then
copied from the text as `tokenize` would copy them. Later preprocessors work on token ids and
leave that text alone, so no vocabulary is needed and scoring a file is quick. Nothing after the
tokeniser runs: a length filter there (e.g. the edit tasks') does not drop examples here, so every
example of the split is scored, as published numbers are.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import seqio

# The preprocessors that turn text into token ids; text-level preprocessing stops at the first.
_TOKENIZERS = (seqio.preprocessors.tokenize, seqio.preprocessors.tokenize_and_append_eos)


@dataclasses.dataclass
class SplitExamples:
    """One split of a task as its metrics see it: the raw examples and postprocessed targets."""

    task: str
    split: str
    examples: list[dict[str, Any]]  # numpy examples with `<feature>_pretokenized` text fields
    targets: list[Any]  # postprocess_fn(target, example, is_target=True), e.g. {source, references}

    def __len__(self) -> int:
        return len(self.examples)

    def sources(self) -> list[str]:
        """The input text of each example: what the copy baseline outputs."""
        if self.examples and "inputs_pretokenized" not in self.examples[0]:
            raise ValueError(f"task {self.task} has no 'inputs' text; the copy baseline needs one.")
        return [_text(e["inputs_pretokenized"]) for e in self.examples]


@dataclasses.dataclass
class MetricResult:
    """The scores of one metric_fn and how long it took."""

    name: str
    scores: dict[str, float]
    seconds: float


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _is_tokenizer(preprocessor: Any) -> bool:
    # functools.partial(tokenize, ...) counts too.
    return getattr(preprocessor, "func", preprocessor) in _TOKENIZERS


def _text_preprocessors(task: seqio.Task) -> list[Any]:
    """The task's preprocessors before its first tokeniser (cache placeholders left out)."""
    text_level = []
    for preprocessor in task.preprocessors:
        if _is_tokenizer(preprocessor):
            return text_level
        if not isinstance(preprocessor, seqio.CacheDatasetPlaceholder):
            text_level.append(preprocessor)
    raise ValueError(
        f"task {task.name} has no seqio.preprocessors.tokenize step, so its text features cannot "
        f"be told apart from later ones; evaluate it with seqio.Evaluator instead."
    )


def read_split(task_name: str, split: str) -> SplitExamples:
    """The examples and postprocessed targets of `split`, in the order SeqIO evaluates them."""
    task = seqio.get_mixture_or_task(task_name)
    if not isinstance(task, seqio.Task):
        raise ValueError(f"{task_name} is a mixture; evaluate each of its tasks: "
                         f"{', '.join(t.name for t in task.tasks)}")
    if split not in task.splits:
        raise ValueError(f"task {task_name} has no split {split!r}; it has {list(task.splits)}")
    dataset = task.source.get_dataset(split=split, shuffle=False)
    for preprocessor in _text_preprocessors(task):
        dataset = seqio.utils.add_kwargs_to_transform(
            preprocessor, sequence_length=None, output_features=task.output_features)(dataset)
    examples = []
    for example in dataset.as_numpy_iterator():
        for feature in task.output_features:
            if feature in example:  # as `tokenize` keeps the text it tokenises
                example[f"{feature}_pretokenized"] = example[feature]
        examples.append(example)
    targets = [_postprocess(task, _text(e["targets_pretokenized"]), e, True) for e in examples]
    return SplitExamples(task_name, split, examples, targets)


def _postprocess(task: seqio.Task, value: Any, example: dict, is_target: bool) -> Any:
    if task.postprocess_fn is None:
        return value
    return task.postprocess_fn(value, example=example, is_target=is_target)


def postprocess_predictions(split: SplitExamples, predictions: Sequence[str]) -> list[Any]:
    """The task's postprocess_fn applied to each prediction, as SeqIO applies it to decodes."""
    if len(predictions) != len(split):
        raise ValueError(f"{len(predictions)} predictions for the {len(split)} examples of "
                         f"{split.task} {split.split}.")
    task = seqio.get_mixture_or_task(split.task)
    return [_postprocess(task, p, e, False)
            for p, e in zip(predictions, split.examples, strict=True)]


def metric_fns(task_name: str, names: Sequence[str] | None = None) -> list[Any]:
    """The task's prediction metric_fns, or those among them named in `names` (their __name__)."""
    task = seqio.get_mixture_or_task(task_name)
    available = {_name(fn): fn for fn in task.predict_metric_fns}
    if names is None:
        return list(available.values())
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"task {task_name} has no metric {', '.join(map(repr, unknown))}; "
                         f"its metrics are {', '.join(available)}")
    return [available[n] for n in names]


def _name(metric_fn: Any) -> str:
    return getattr(metric_fn, "__name__", type(metric_fn).__name__)


def score(
    split: SplitExamples, predictions: Sequence[str], metric_names: Sequence[str] | None = None
) -> list[MetricResult]:
    """Runs each metric_fn of the task (or the named ones) on the postprocessed predictions."""
    fns = metric_fns(split.task, metric_names)
    processed = postprocess_predictions(split, predictions)
    results = []
    for fn in fns:
        start = time.perf_counter()
        scores = fn(split.targets, processed)
        results.append(MetricResult(_name(fn), dict(scores), time.perf_counter() - start))
    return results


# ERRANT's true / false positive and false negative counts: shown as integers.
COUNT_SUFFIXES = ("_tp", "_fp", "_fn")


def format_score(key: str, value: float) -> str:
    """A score as reports show it: counts (keys ending in COUNT_SUFFIXES) as integers, every other
    score with two decimals."""
    return f"{value:.0f}" if key.endswith(COUNT_SUFFIXES) else f"{value:.2f}"
