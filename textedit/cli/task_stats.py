"""Per task and split: examples, mean source / target length in pieces, share unchanged.

Numbers come from the task's own SeqIO pipeline (the tokenised `inputs` / `targets` the model
will see), so they describe exactly what training and evaluation read. Lengths exclude EOS.
"""

from __future__ import annotations

import dataclasses

import seqio

from textedit.data.data_dir import DataFileNotFoundError


@dataclasses.dataclass
class SplitStats:
    task: str
    split: str
    examples: int = 0
    mean_source_pieces: float = 0.0
    mean_target_pieces: float = 0.0
    unchanged_share: float = 0.0  # source == (first) target, as text
    note: str = ""
    skipped_examples: list[str] = dataclasses.field(default_factory=list)  # first few reasons


def split_stats(task_name: str, split: str) -> SplitStats:
    """Streams the split once through the task's pipeline and summarises it."""
    task = seqio.get_mixture_or_task(task_name)
    dataset = task.get_dataset(None, split=split, shuffle=False, use_cached=False, num_epochs=1)
    sources, targets, unchanged, count = 0, 0, 0, 0
    for example in dataset.as_numpy_iterator():
        count += 1
        sources += len(example["inputs"]) - 1  # minus EOS
        targets += len(example["targets"]) - 1
        unchanged += bool(example["inputs_pretokenized"] == example["targets_pretokenized"])
    stats = SplitStats(task_name, split, count)
    if count:
        stats.mean_source_pieces = sources / count
        stats.mean_target_pieces = targets / count
        stats.unchanged_share = unchanged / count
    return stats


def task_split_stats(task_name: str) -> list[SplitStats]:
    """Stats of every split of a task; a split whose files are absent gets a note instead."""
    from tasks.registration import LOADED  # what each split read, removed and skipped

    results = []
    for split in seqio.get_mixture_or_task(task_name).splits:
        try:
            stats = split_stats(task_name, split)
        except DataFileNotFoundError as error:
            results.append(SplitStats(task_name, split, note=f"absent: {error.path or error}"))
            continue
        notes = []
        for (name, loaded_split, *_), loaded in LOADED.items():
            if (name, loaded_split) == (task_name, split):
                if loaded.removed_overlap:
                    notes.append(f"{loaded.removed_overlap} removed (source in validation)")
                if loaded.skipped is not None and loaded.skipped.skipped:
                    notes.append(f"{loaded.skipped.skipped} malformed line(s) skipped")
                    stats.skipped_examples = loaded.skipped.examples
        stats.note = "; ".join(notes)
        results.append(stats)
    return results


def format_row(s: SplitStats) -> str:
    if s.note.startswith("absent"):
        return f"{s.task:<20} {s.split:<11} {'-':>8} {'-':>8} {'-':>8} {'-':>10}  {s.note}"
    return (f"{s.task:<20} {s.split:<11} {s.examples:>8,} {s.mean_source_pieces:>8.1f} "
            f"{s.mean_target_pieces:>8.1f} {100 * s.unchanged_share:>9.1f}%  {s.note}")


HEADER = (f"{'task':<20} {'split':<11} {'examples':>8} {'src len':>8} {'tgt len':>8} "
          f"{'unchanged':>10}  notes")


def print_task_table(task_names: list[str], manifest=None) -> list[SplitStats]:
    """Prints the table row by row (each row can take seconds) and returns the stats."""
    if manifest is not None:
        print(f"\nvocabulary: {manifest.vocab_size} ids; lengths in pieces, EOS excluded")
    print(HEADER)
    print("-" * len(HEADER))
    rows = []
    for name in task_names:
        for stats in task_split_stats(name):
            print(format_row(stats), flush=True)
            rows.append(stats)
    for stats in rows:
        if stats.skipped_examples:
            print(f"\n{stats.task} {stats.split}: {stats.note}; the first of them:")
            print("\n".join(f"  {reason}" for reason in stats.skipped_examples))
    return rows
