"""EdiT5 edit tasks `edit5_<name>`, one beside each seq2seq text task, sharing its data.

    import tasks  # registers edit5_gec_wi_fce, edit5_gec_jfleg, ..., edit5_simplify_turk
    ds = seqio.get_dataset("edit5_gec_jfleg", {"inputs": 128, "decoder_targets": 64},
                           EditFeatureConverter(), dataset_split="validation")

An edit task is its seq2seq task with other preprocessors: the same source, postprocess_fn and
metric_fns (taken from the registered seq2seq task with `seqio.Task.replace`, so a change there
reaches both), the same `inputs` / `targets` features, plus `decoder_targets`. Preprocessing
(textedit/data/edit5/edit_preprocessors.py):

    tokenize -> append_eos -> convert_to_edit_features -> CacheDatasetPlaceholder
             -> filter_edit_lengths

Every edit task converts word-aware by default (`WORD_AWARE`; textedit.edits.convert_words): whole
words are kept, deleted or inserted, never part of one, so the model never learns mid-word edits;
and only runs of at least `MIN_MOVED_RUN` = 2 words are moved (a single word is deleted and
inserted). `register_edit_task(..., word_aware=False, min_moved_run=1)` gives the piece-level
conversion that keeps the most pieces.

Pairs needing more position tokens than the vocabulary has, and examples longer than the requested
feature lengths, are filtered and counted (`edit_preprocessors.SKIPPED`), never truncated.
Your own task: `register_parallel_task("my_gec", ...)` then `register_edit_task("my_gec")`.

Teacher variants `edit5_<name>_with_teacher` (one per edit task here; `register_edit_task(...,
teacher_features=True)`): the same examples plus `decoder_target_positions` (the target index of
each insertion piece), for distillation from a seq2seq teacher with
`EditFeatureConverter(teacher_features=True)` (gin/experiments/distill_edit5_gec.gin). They also
filter targets longer than the requested "targets" length. A separate name, so the plain edit
tasks' features and caches do not change.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import seqio

from tasks import fusion, gec, simplification  # noqa: F401  (the text tasks must exist first)
from textedit.data.edit5.edit_preprocessors import convert_to_edit_features, filter_edit_lengths

EDIT_TASK_PREFIX = "edit5_"
TEACHER_TASK_SUFFIX = "_with_teacher"
# Built-in text tasks that get an edit twin (clean_text is pre-training material, source == target).
EDIT_SOURCE_TASKS = (
    "gec_wi_fce", "gec_jfleg", "gec_conll", "fusion_wikisplit", "fusion_bisect",
    "simplify_asset", "simplify_turk",
)


def edit_task_name(seq2seq_name: str) -> str:
    return EDIT_TASK_PREFIX + seq2seq_name


def teacher_task_name(seq2seq_name: str) -> str:
    """`gec_wi_fce` -> `edit5_gec_wi_fce_with_teacher` (its edit task with teacher features)."""
    return edit_task_name(seq2seq_name) + TEACHER_TASK_SUFFIX


def seq2seq_task_name(name: str) -> str:
    """`edit5_gec_jfleg` (or `edit5_gec_jfleg_with_teacher`) -> `gec_jfleg`; a seq2seq name is
    returned unchanged."""
    if name.startswith(EDIT_TASK_PREFIX):
        return name.removeprefix(EDIT_TASK_PREFIX).removesuffix(TEACHER_TASK_SUFFIX)
    return name


# Conversion defaults of every edit task (measured on gec_wi_fce: docs/algorithms.md, conversion).
# min_moved_run 2 (words): single moved words are mostly a "the" or "," fetched from elsewhere
# instead of inserted; re-ordered pairs 6.3% -> 0.6% for 0.12 more decoder steps per pair.
WORD_AWARE = True
MIN_MOVED_RUN = 2


def register_edit_task(
    seq2seq_name: str, min_moved_run: int = MIN_MOVED_RUN, word_aware: bool = WORD_AWARE,
    teacher_features: bool = False, extra_preprocessors: Sequence = (), segmented: bool = False,
    borrow: bool = True,
) -> seqio.Task:
    """Registers `edit5_<seq2seq_name>` (replacing an earlier one) over a registered text task.

    `word_aware`, `min_moved_run`, `segmented` and `borrow` are passed to
    `convert_to_edit_features` (`segmented`: inputs are LMCor segments, x first; its words are
    preferred; `borrow=False`: the later segments lend none, the words x lacks are inserted).
    `teacher_features`: register `edit5_<seq2seq_name>_with_teacher` instead, whose examples also
    carry `decoder_target_positions` and whose length filter also checks `targets`.
    `extra_preprocessors`: run last, after the cache and the length filter, so that what they add
    (edit5_ocr_correct's line image, tasks/ocr_correct.py) is never cached or converted.
    """
    seq2seq = seqio.get_mixture_or_task(seq2seq_name)
    name = (teacher_task_name if teacher_features else edit_task_name)(seq2seq_name)
    # Only the teacher variants get the options: the plain tasks' preprocessors stay as they were.
    teacher_options = {"target_positions": True} if teacher_features else {}
    teacher_filter = {"check_targets": True} if teacher_features else {}
    vocabulary = seq2seq.output_features["targets"].vocabulary
    output_features = {
        **seq2seq.output_features,
        "inputs": seqio.Feature(vocabulary=vocabulary, add_eos=True),  # required here
        # Built with its EOS by convert_to_edit_features (append_eos runs before it exists).
        "decoder_targets": seqio.Feature(vocabulary=vocabulary, add_eos=True),
    }
    task = seq2seq.replace(
        name=name,
        output_features=output_features,
        preprocessors=[
            seqio.preprocessors.tokenize,
            seqio.preprocessors.append_eos,
            functools.partial(
                convert_to_edit_features, label=name, min_moved_run=min_moved_run,
                word_aware=word_aware, segmented=segmented, borrow=borrow,
                **teacher_options),
            seqio.CacheDatasetPlaceholder(),
            functools.partial(filter_edit_lengths, label=name, **teacher_filter),
            *extra_preprocessors,
        ],
    )
    seqio.TaskRegistry.remove(name)
    seqio.TaskRegistry.add_provider(name, task)
    return task


for _name in EDIT_SOURCE_TASKS:
    register_edit_task(_name)
    register_edit_task(_name, teacher_features=True)
