#!/usr/bin/env python3
"""Prepares the data side of textedit: trains the vocabulary, then prints the task table.

    python tools/prepare_data.py                       # defaults: ../shared/data, workdir/vocab
    python tools/prepare_data.py --data_dir /my/data --tasks gec_jfleg,fusion_wikisplit
    python tools/prepare_data.py --gin_file my_tasks.gin   # + your own tasks (user_parallel_tasks)

Step 1 (vocabulary): trains a SentencePiece model on the *training* splits of every built-in data
set plus GSM8K and the HH dialogues (never a validation or test file), with reserved ids for pad,
eos, unk, EdiT5 position tokens and T5 sentinels; writes it with a manifest. A vocabulary whose
manifest already matches the options and the training files' hashes is reused.

Step 2 (task table): builds every task split through its SeqIO pipeline and prints examples, mean
source and target length in vocabulary pieces (EOS not counted) and the share of examples whose
source equals the (first) target. Splits whose files are absent (e.g. test sets) are listed as such.

`--edit_stats TASK` replaces step 2 by the EdiT5 conversion statistics of one task (a seq2seq name
such as gec_wi_fce or its edit5_ twin), split by split: pairs, conversion failures (pairs needing
more position tokens than the vocabulary has, each with the count it needs), mean source / target /
inserted pieces, kept share, re-ordered share, a histogram of inserted pieces and the decoder steps
per pair; `--show N` adds N edited pairs per split as readable alignments. With --edit_stats an
existing vocabulary is used as it is (statistics describe the vocabulary in use; no reuse check,
no retraining); one is trained only when there is none.

    python tools/prepare_data.py --edit_stats gec_wi_fce --show 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import gin_flags  # noqa: E402
from tools.common_flags import add_data_flags  # noqa: E402


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str], list[str]]:
    gin_files, gin_bindings, rest = gin_flags.split_gin_args(argv)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Gin: --gin_file FILE (repeatable) and --gin.NAME=VALUE register user tasks.",
    )
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
    return parser.parse_args(rest), gin_files, gin_bindings


def main(argv: list[str]) -> int:
    args, gin_files, gin_bindings = parse_args(argv)
    if args.vocab_dir:  # before `tasks` is imported: the task features read it at import
        os.environ["TEXTEDIT_VOCAB_DIR"] = str(Path(args.vocab_dir).resolve())

    from textedit.data.data_dir import get_data_dir, set_data_dir
    from textedit.data.task_stats import print_task_table
    from textedit.data.vocabulary import MANIFEST_FILE, default_vocab_dir, read_manifest
    from textedit.data.vocabulary_corpus import ensure_vocabulary

    if args.show and not args.edit_stats:
        raise SystemExit("--show needs --edit_stats TASK")
    set_data_dir(args.data_dir)
    print(f"data directory: {get_data_dir()}", flush=True)
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
    from tasks.registration import SETTINGS

    SETTINGS.skip_bad_lines = args.skip_bad_lines
    configurable = gin_flags.user_parallel_tasks_configurable()
    gin_flags.apply_gin(gin_files, gin_bindings)
    user_tasks = configurable()
    if args.edit_stats:
        return print_edit_stats_of(args.edit_stats, manifest, args.show)
    names = args.tasks.split(",") if args.tasks else list(tasks.BUILTIN_TASKS) + user_tasks
    unknown = [n for n in names if n not in seqio.TaskRegistry.names()]
    if unknown:
        raise SystemExit(f"unknown task(s) {unknown}; known: {sorted(seqio.TaskRegistry.names())}")
    start = time.time()
    print_task_table(names, manifest)
    print(f"task table built in {time.time() - start:.0f}s", flush=True)
    return 0


def print_edit_stats_of(name: str, manifest, show: int) -> int:
    """`--edit_stats`: a seq2seq task or its edit5_ twin (which reads the same pairs)."""
    import seqio

    from tasks.edit_tasks import seq2seq_task_name
    from textedit.data.edit_task_stats import print_edit_stats

    known = seqio.TaskRegistry.names()
    task = name if name in known else seq2seq_task_name(name)
    if task not in known:
        raise SystemExit(f"unknown task {name!r}; known: {sorted(known)}")
    start = time.time()
    print_edit_stats(task, manifest, show=show)
    print(f"edit statistics computed in {time.time() - start:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
