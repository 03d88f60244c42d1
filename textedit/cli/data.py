"""The data side: trains the vocabulary, then prints the task table (or EdiT5 edit statistics).

    textedit data                       # defaults: ../shared/data, workdir/vocab
    textedit data --data_dir /my/data --tasks gec_jfleg,fusion_wikisplit
    textedit data --gin_file my_tasks.gin   # + your own tasks (user_parallel_tasks)

Step 1 (vocabulary): trains a SentencePiece model on the *training* splits of every built-in data
set plus GSM8K and the HH dialogues (never a validation or test file), with reserved ids for pad,
eos, unk, EdiT5 position tokens and T5 sentinels; writes it with a manifest. A vocabulary whose
manifest already matches the options and the training files' hashes is reused. Without a data
directory the vocabulary is trained on the embedded default data (textedit/data/embedded/) and
step 2 lists only its task, gec_embedded.

Step 2 (task table): builds every task split through its SeqIO pipeline and prints examples, mean
source and target length in vocabulary pieces (EOS not counted) and the share of examples whose
source equals the (first) target. Splits whose files are absent (e.g. test sets) are listed as such.

`--edit_stats TASK` replaces step 2 by the EdiT5 conversion statistics of one task (a seq2seq name
such as gec_wi_fce or its edit5_ twin), split by split: pairs, conversion failures (pairs needing
more position tokens than the vocabulary has, each with the count it needs), mean source / target /
inserted pieces, kept share, re-ordered share, a histogram of inserted pieces and the decoder steps
per pair, and how the plans respect words (insertions inside a word, partly deleted words);
`--show N` adds N edited pairs per split as readable alignments. The conversion is the edit tasks'
(word-aware, their `min_moved_run`); `--piece_level` and `--min_moved_run N` measure another one.
With --edit_stats an existing vocabulary is used as it is (statistics describe the vocabulary in
use; no reuse check, no retraining); one is trained only when there is none.

    textedit data --edit_stats gec_wi_fce --show 2
    textedit data --edit_stats gec_wi_fce --piece_level --min_moved_run 2
"""

from __future__ import annotations

import argparse
import time

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "train the vocabulary; print the task table, or EdiT5 edit statistics of a task"
ACCEPTS_GIN = True  # gin files register user tasks (user_parallel_tasks)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_flags(parser)
    parser.add_argument("--vocab_size", type=int, default=16000,
                        help="SentencePiece pieces incl. reserved ones (default %(default)s)")
    parser.add_argument("--max_input_length", type=int, default=512,
                        help="longest input in pieces; reserves max_input_length + 1 position "
                        "tokens (default %(default)s)")
    parser.add_argument("--retrain_vocab", action="store_true",
                        help="train the vocabulary even if an up-to-date one exists")
    parser.add_argument("--tasks", help="comma-separated tasks for the table (default: all)")
    parser.add_argument("--no_table", action="store_true", help="only prepare the vocabulary")
    parser.add_argument("--edit_stats", metavar="TASK",
                        help="print EdiT5 conversion statistics of TASK per split instead of the "
                        "task table; uses an existing vocabulary as it is")
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="with --edit_stats: print N edited pairs per split as alignments")
    parser.add_argument("--piece_level", action="store_true",
                        help="with --edit_stats: piece-level conversion instead of the edit "
                        "tasks' word-aware one")
    parser.add_argument("--min_moved_run", type=int, default=None, metavar="N",
                        help="with --edit_stats: shortest moved run (default: the edit tasks')")


def run(args: argparse.Namespace) -> int:

    from textedit.cli.task_stats import print_task_table
    from textedit.data.data_dir import find_data_dir
    from textedit.data.vocab.vocabulary import MANIFEST_FILE, default_vocab_dir, read_manifest
    from textedit.data.vocab.vocabulary_corpus import ensure_vocabulary

    if (args.show or args.piece_level or args.min_moved_run is not None) and not args.edit_stats:
        raise SystemExit("--show, --piece_level and --min_moved_run need --edit_stats TASK")
    apply_data_flags(args)
    data_dir = find_data_dir()
    print(f"data directory: {data_dir or 'none found: the embedded default data'}", flush=True)
    vocab_dir = default_vocab_dir()
    if args.edit_stats and (vocab_dir / MANIFEST_FILE).exists() and not args.retrain_vocab:
        manifest = read_manifest(vocab_dir)
        print(f"vocabulary: using {vocab_dir} as it is ({manifest.vocab_size} ids)", flush=True)
    else:
        manifest = ensure_vocabulary(
            vocab_dir, args.vocab_size, args.max_input_length + 1, args.retrain_vocab,
            args.skip_bad_lines)
    if args.no_table:
        return 0

    import seqio

    import tasks
    from textedit.cli import gin_configurables

    register_tasks(args)
    configurable = gin_configurables.user_parallel_tasks_configurable()
    gin_configurables.apply_gin(args.gin_files, args.gin_bindings)
    user_tasks = configurable()
    if args.edit_stats:
        return print_edit_stats_of(args.edit_stats, manifest, args.show,
                                   word_aware=not args.piece_level,
                                   min_moved_run=args.min_moved_run)
    builtin = list(tasks.BUILTIN_TASKS) if data_dir is not None else ["gec_embedded"]
    names = args.tasks.split(",") if args.tasks else builtin + user_tasks
    unknown = [n for n in names if n not in seqio.TaskRegistry.names()]
    if unknown:
        raise SystemExit(f"unknown task(s) {unknown}; known: {sorted(seqio.TaskRegistry.names())}")
    start = time.time()
    print_task_table(names, manifest)
    print(f"task table built in {time.time() - start:.0f}s", flush=True)
    return 0


def print_edit_stats_of(name: str, manifest, show: int, word_aware: bool | None = None,
                        min_moved_run: int | None = None) -> int:
    """`--edit_stats`: a seq2seq task or its edit5_ twin (which reads the same pairs).

    `word_aware` / `min_moved_run` default (None) to the edit tasks' conversion.
    """
    import seqio

    from tasks.edit_tasks import MIN_MOVED_RUN, WORD_AWARE, seq2seq_task_name
    from textedit.cli.edit_task_stats import print_edit_stats

    known = seqio.TaskRegistry.names()
    task = name if name in known else seq2seq_task_name(name)
    if task not in known:
        raise SystemExit(f"unknown task {name!r}; known: {sorted(known)}")
    start = time.time()
    print_edit_stats(task, manifest, show=show,
                     word_aware=WORD_AWARE if word_aware is None else word_aware,
                     min_moved_run=MIN_MOVED_RUN if min_moved_run is None else min_moved_run)
    print(f"edit statistics computed in {time.time() - start:.0f}s", flush=True)
    return 0

