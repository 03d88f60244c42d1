"""LMCor corrector tasks `lmcor_<task>` (and their EdiT5 twins) over candidate files.

    from tasks.lmcor import register_lmcor_task
    register_lmcor_task("gec_jfleg", train="cands/jfleg_train.jsonl",
                        validation="cands/jfleg_validation.jsonl")      # -> lmcor_gec_jfleg
    register_lmcor_task("gec_jfleg", ..., edit5=True)                    # -> edit5_lmcor_gec_jfleg
    register_lmcor_task("gec_wi_fce", train=["part0.jsonl", "part1.jsonl"], ...)  # files joined

From gin: `MIXTURE_OR_TASK_NAME = @lmcor_task()` (gin/experiments/lmcor_*.gin).

Cross-fitting the generator: `register_cross_fit_task("gec_wi_fce", held_out=0, parts=2)`
registers `gec_wi_fce_xfit0of2`, whose train split leaves out the examples with index 0 mod 2;
a generator trained on it writes the candidates of exactly those examples
(`textedit candidates --task gec_wi_fce --split train --part 0/2`), and the generator trained on
`gec_wi_fce_xfit1of2` those of the other half, so every training candidate carries the errors of
a generator that never saw its example.

Input = source <extra_id_0> candidate 1 ... <extra_id_{k-1}> candidate k
(textedit/data/lmcor_inputs.py), candidate order shuffled per example and per pass in training;
target = the reference. An input longer than the input length keeps the source and the
candidates that fit, whole (`fit_whole_candidates`); the EdiT5 twin's training drops such
examples instead (its length filter). The candidate files are JSONL
(textedit/data/readers/candidates_reader.py) and need a "target" on every line; `textedit
candidates` writes them from a project model, and a file of an external LLM's outputs works
alike. Metrics and postprocessing are those of the base task, with the original source (not the
long corrector input) handed to the metrics, so GLEU and ERRANT score the corrector exactly as
they score the base task's models.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import seqio
import tensorflow as tf

from tasks import edit_tasks
from tasks.features import OUTPUT_FEATURES
from tasks.registration import SETTINGS
from textedit.data.dataset_catalog import TRAIN, VALIDATION
from textedit.data.lmcor_source import candidates_source, fit_whole_candidates, postprocess_lmcor
from textedit.data.readers.candidates_reader import CandidateExample, read_candidates
from textedit.data.readers.malformed_input import SkipReport

LMCOR_PREFIX = "lmcor_"
# A split's candidate file, or several read one after the other (cross-fitting halves).
CandidateFiles = str | os.PathLike | Sequence[str | os.PathLike] | None
# Skipped records of each (path, k) read under --skip_bad_lines, for reports.
SKIPPED: dict[tuple[str, int | None], SkipReport] = {}


def lmcor_task_name(base_task: str, edit5: bool = False) -> str:
    name = LMCOR_PREFIX + base_task
    return edit_tasks.edit_task_name(name) if edit5 else name


@functools.cache
def _read(path: str, k: int | None, skip_bad_lines: bool) -> list[CandidateExample]:
    skip = SkipReport() if skip_bad_lines else None
    examples = read_candidates(path, k=k, require_target=True, skip=skip)
    if skip is not None:
        SKIPPED[(path, k)] = skip
    return examples


def _paths(paths: CandidateFiles) -> tuple[str, ...]:
    """One file or a list of files -> a tuple of path strings."""
    if isinstance(paths, str | os.PathLike):
        return (str(paths),)
    return tuple(str(path) for path in paths)


def register_lmcor_task(
    base_task: str,
    train: CandidateFiles = None,
    validation: CandidateFiles = None,
    k: int | None = None,
    edit5: bool = False,
    name: str | None = None,
    seed: int = 0,
    prefer_source: bool = True,
    borrow_from_candidates: bool = True,
) -> seqio.Task:
    """Registers (replacing) `lmcor_<base_task>`, or its `edit5_` twin when `edit5`.

    Args:
      base_task: a registered text task; its metric_fns score the corrector.
      train, validation: the candidate JSONL file of each split (at least one split), or a
        list of files read one after the other (e.g. the two cross-fitting halves).
      k: candidates per example, checked on every line; None: the first line's count.
      edit5: also register the EdiT5 twin and return it (the pointer may then copy words of the
        source and of every candidate; tags delete the rest and the separators).
      name: the seq2seq task's name instead of `lmcor_<base_task>`.
      seed: the candidate-shuffle seed of the training split.
      prefer_source: the EdiT5 twin's conversion takes each target word from the source if it
        has it, else from the first candidate in input order that does
        (`textedit.edits.convert_segments`); False: from any copy (`convert_words`), which makes
        the tags arbitrary between near-identical candidates (docs/algorithms.md#lmcor).
      borrow_from_candidates: with `prefer_source`, whether the candidates lend the words the
        source lacks; False: the EdiT5 twin's plans keep and re-order source words only and
        insert the rest, so the candidates are read, never copied (the pointer then never has
        to choose between the k copies of a word; docs/algorithms.md#lmcor).
    """
    files = {split: _paths(paths) for split, paths in ((TRAIN, train), (VALIDATION, validation))
             if paths is not None}
    if not files or not all(files.values()):
        raise ValueError(f"register_lmcor_task({base_task!r}) needs a train or validation file")
    for path in (p for paths in files.values() for p in paths):
        if not os.path.exists(path):
            raise FileNotFoundError(f"candidate file {path} does not exist")
    base = seqio.get_mixture_or_task(base_task)
    name = name or lmcor_task_name(base_task)

    def load(split: str) -> list[CandidateExample]:
        return [example for path in files[split]
                for example in _read(path, k, SETTINGS.skip_bad_lines)]

    seqio.TaskRegistry.remove(name)
    task = seqio.TaskRegistry.add(
        name,
        source=candidates_source(load, list(files), shuffled_splits=(TRAIN,), default_seed=seed),
        preprocessors=[seqio.preprocessors.tokenize, fit_whole_candidates,
                       seqio.preprocessors.append_eos],
        output_features=OUTPUT_FEATURES,
        postprocess_fn=postprocess_lmcor,
        metric_fns=list(base.metric_fns),
    )
    if not edit5:
        return task
    if not (prefer_source or borrow_from_candidates):
        raise ValueError("borrow_from_candidates=False needs prefer_source=True")
    return edit_tasks.register_edit_task(name, segmented=prefer_source,
                                         borrow=borrow_from_candidates)


def lmcor_task(base_task: str, train: CandidateFiles = None, validation: CandidateFiles = None,
               k: int | None = None, edit5: bool = False, seed: int = 0,
               prefer_source: bool = True, borrow_from_candidates: bool = True) -> str:
    """`register_lmcor_task` for gin: returns the registered task's name."""
    return register_lmcor_task(base_task, train, validation, k=k, edit5=edit5, seed=seed,
                               prefer_source=prefer_source,
                               borrow_from_candidates=borrow_from_candidates).name


def cross_fit_task_name(base_task: str, held_out: int, parts: int) -> str:
    return f"{base_task}_xfit{held_out}of{parts}"


def register_cross_fit_task(base_task: str, held_out: int, parts: int = 2) -> seqio.Task:
    """Registers (replacing) `<base>_xfit<held_out>of<parts>` and its edit twin: the base task
    whose train split drops the examples with index `held_out` mod `parts` (index: position in
    the unshuffled split, as `textedit candidates --part` counts). Other splits are the base's."""
    if not 0 <= held_out < parts or parts < 2:
        raise ValueError(f"expected 0 <= held_out < parts and parts >= 2, got {held_out}/{parts}")
    base = seqio.get_mixture_or_task(base_task)
    name = cross_fit_task_name(base_task, held_out, parts)

    def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
        # Unshuffled first, so that the parts do not depend on the seed; shuffled after.
        dataset = base.source.get_dataset(split, shuffle=False)
        if split == TRAIN:
            dataset = (dataset.enumerate()
                       .filter(lambda index, _: index % parts != held_out)
                       .map(lambda _, example: example))
        return dataset.shuffle(10_000, seed=seed) if shuffle_files else dataset

    task = base.replace(name=name, source=seqio.FunctionDataSource(
        dataset_fn, splits=list(base.source.splits)))
    seqio.TaskRegistry.remove(name)
    seqio.TaskRegistry.add_provider(name, task)
    edit_tasks.register_edit_task(name)
    return task


def lmcor_cross_fit_task(base_task: str, held_out: int, parts: int = 2,
                         edit5: bool = False) -> str:
    """`register_cross_fit_task` for gin: returns the task's name, or with `edit5` its edit
    twin's (`edit5_<task>`, for an EdiT5 generator)."""
    name = register_cross_fit_task(base_task, held_out, parts).name
    return edit_tasks.edit_task_name(name) if edit5 else name
