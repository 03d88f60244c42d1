"""EdiT5 conversion statistics of a text task, split by split (`textedit data --edit_stats`).

Pairs are the task's (source, first reference) texts, tokenised with the task's own SentencePiece
model (the Python encoder: the same pieces as the SeqIO pipeline, much faster) and converted with
`textedit.edits.convert_all` on piece ids, with the vocabulary's number of position tokens and the
edit tasks' conversion (word-aware, `min_moved_run`: tasks/edit_tasks.py), i.e. exactly the plans
`convert_to_edit_features` builds; `word_aware` / `min_moved_run` override it (e.g. `textedit data
--edit_stats gec_wi_fce --piece_level`). Whatever the conversion, it also reports the share of
insertion spans that start or end inside a word and of pairs with a partly deleted word.
Per split it prints `EditStats.format()` (pairs, conversion failures with the position tokens each
needs, mean source / target / inserted pieces, insertion spans, kept share, re-ordered share, the
word measures, inserted-pieces histogram) and the decoder steps per pair:
seq2seq (target + EOS) against EdiT5 (`<pos_k>` tokens + inserted pieces + EOS).
`show=N` adds N edited pairs (source != target) per split as alignments (`format_alignment`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import seqio

from textedit.data.data_dir import DataFileNotFoundError
from textedit.data.vocab.vocabulary import VocabularyManifest, word_start_table
from textedit.edits import EditPlan, EditStats, convert_all, edit_stats, format_alignment

Pair = tuple[list[int], list[int]]


@dataclasses.dataclass
class EditSplitStats:
    """What `--edit_stats` found in one split; `stats` is None when the split's files are absent."""

    task: str
    split: str
    stats: EditStats | None
    seq2seq_steps: float = 0.0  # mean decoder steps of seq2seq: target pieces + EOS
    edit_steps: float = 0.0  # mean decoder steps of EdiT5: position tokens + inserted + EOS
    examples: list[str] = dataclasses.field(default_factory=list)  # formatted alignments
    note: str = ""


def task_pairs(task_name: str, split: str, vocabulary: seqio.Vocabulary | None = None
               ) -> tuple[list[Pair], seqio.Vocabulary]:
    """(source ids, target ids) of every example of a split, EOS excluded, and the vocabulary
    (the task's, unless `vocabulary` is given: e.g. a run's)."""
    task = seqio.get_mixture_or_task(task_name)
    vocabulary = vocabulary or task.output_features["inputs"].vocabulary
    dataset = task.source.get_dataset(split=split, shuffle=False)
    sources, targets = [], []
    for example in dataset.as_numpy_iterator():
        sources.append(example["inputs"].decode("utf-8"))
        targets.append(example["targets"].decode("utf-8"))
    encoder = vocabulary.tokenizer
    return list(zip(encoder.encode(sources), encoder.encode(targets), strict=True)), vocabulary


def edit_split_stats(
    task_name: str, split: str, manifest: VocabularyManifest, *, show: int = 0,
    min_moved_run: int | None = None, word_aware: bool | None = None,
) -> EditSplitStats:
    """Converts one split and summarises it (see the module docstring).

    `min_moved_run` / `word_aware` default (None) to the edit tasks' conversion.
    """
    try:
        pairs, vocabulary, word_starts, report = convert_split(
            task_name, split, manifest.num_position_tokens, min_moved_run, word_aware)
    except DataFileNotFoundError as error:
        return EditSplitStats(task_name, split, None, note=f"absent: {error.path or error}")
    result = EditSplitStats(task_name, split,
                            edit_stats(pairs, report, word_starts=word_starts))
    plans = [(pair, plan) for pair, plan in zip(pairs, report.plans, strict=True) if plan]
    if plans:
        result.seq2seq_steps = sum(len(target) + 1 for (_, target), _ in plans) / len(plans)
        result.edit_steps = sum(
            len(plan.insertions) + plan.num_inserted_tokens() + 1 for _, plan in plans
        ) / len(plans)
    edited = [(source, plan) for (source, target), plan in plans if source != target]
    for source, plan in edited[:show]:
        result.examples.append(format_pieces(source, plan, vocabulary.tokenizer.id_to_piece))
    return result


def convert_split(task_name: str, split: str, num_position_tokens: int,
                  min_moved_run: int | None = None, word_aware: bool | None = None,
                  vocabulary: seqio.Vocabulary | None = None):
    """The split's pairs converted as the edit tasks convert them (`min_moved_run` / `word_aware`
    default to theirs), in `vocabulary`'s pieces (None: the task's): (pairs, vocabulary, word
    starts per pair, `ConversionReport`)."""
    from tasks.edit_tasks import MIN_MOVED_RUN, WORD_AWARE

    min_moved_run = MIN_MOVED_RUN if min_moved_run is None else min_moved_run
    word_aware = WORD_AWARE if word_aware is None else word_aware
    pairs, vocabulary = task_pairs(task_name, split, vocabulary)
    table = word_start_table(vocabulary)
    word_starts = [([bool(table[i]) for i in source], [bool(table[i]) for i in target])
                   for source, target in pairs]
    report = convert_all(pairs, max_positions=num_position_tokens, min_moved_run=min_moved_run,
                         word_starts=word_starts if word_aware else None)
    return pairs, vocabulary, word_starts, report


def inserted_pieces(task_name: str, num_position_tokens: int, split: str = "train",
                    vocabulary: seqio.Vocabulary | None = None) -> Counter:
    """How often each piece id is inserted in the split's edits (the edit tasks' conversion, in
    `vocabulary`'s pieces, None: the task's): what an EdiT5 insertion decoder trained on
    `edit5_<task_name>` learns to emit (textedit.decoding.insertion_vocabulary). `task_name` is
    the text task (gec_wi_fce)."""
    _, _, _, report = convert_split(task_name, split, num_position_tokens,
                                    vocabulary=vocabulary)
    counts: Counter = Counter()
    for plan in report.plans:
        for _, span in plan.insertions if plan else ():
            counts.update(span)
    return counts


def most_inserted(counts: Counter, size: int | None = None) -> list[int]:
    """The ids of `counts` (`inserted_pieces`), sorted; with `size`, the `size` most frequent
    (ties by id). size < 1 is refused."""
    if size is None:
        return sorted(counts)
    if size < 1:
        raise ValueError(f"an insertion vocabulary size is at least 1, got {size}")
    ranked = sorted(counts, key=lambda piece: (-counts[piece], piece))
    return sorted(ranked[:size])


def format_pieces(source: list[int], plan: EditPlan[int], id_to_piece) -> str:
    """`format_alignment` with pieces shown as strings instead of ids."""
    pieces = [id_to_piece(i) for i in source]
    insertions = tuple((k, tuple(id_to_piece(i) for i in span)) for k, span in plan.insertions)
    return format_alignment(pieces, dataclasses.replace(plan, insertions=insertions))


def format_split(result: EditSplitStats) -> str:
    header = f"== {result.task} / {result.split}"
    if result.stats is None:
        return f"{header}: {result.note}"
    lines = [header, result.stats.format()]
    if result.edit_steps:
        lines.append(
            f"decoder steps/pair    seq2seq {result.seq2seq_steps:.2f} -> EdiT5 "
            f"{result.edit_steps:.2f} ({result.seq2seq_steps / result.edit_steps:.1f}x fewer)")
    for n, example in enumerate(result.examples, 1):
        lines.append(f"-- example {n}\n{example}")
    return "\n".join(lines)


def print_edit_stats(
    task_name: str, manifest: VocabularyManifest, *, show: int = 0, min_moved_run: int = 1,
    word_aware: bool = True,
) -> list[EditSplitStats]:
    """Prints (and returns) the statistics of every split of `task_name`, split by split."""
    conversion = "word-aware" if word_aware else "piece-level"
    print(f"\nEdiT5 conversion of {task_name}: vocabulary pieces (EOS excluded), "
          f"{manifest.num_position_tokens} position tokens, {conversion}, min_moved_run "
          f"{min_moved_run}; means over converted pairs", flush=True)
    results = []
    for split in seqio.get_mixture_or_task(task_name).splits:
        result = edit_split_stats(task_name, split, manifest, show=show,
                                  min_moved_run=min_moved_run, word_aware=word_aware)
        print(format_split(result), flush=True)
        results.append(result)
    return results
