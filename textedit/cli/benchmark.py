"""`textedit benchmark {train,decode,latency,edits}`: speed measurements.

    textedit benchmark train                     # tokens/s and MFU of a T5 small train step
    textedit benchmark train --size small --batch_size 32 --input_length 128 \\
        --target_length 128 --precision mixed_bfloat16 --steps 10
    textedit benchmark decode --threads 1 2      # our XLA greedy decoding vs transformers
    textedit benchmark decode --threads 1 --batch_sizes 32 --profile   # + where our time goes
    textedit benchmark latency --num_examples 200 --json latency.json
    textedit benchmark latency --edit5_run RUN --seq2seq_run RUN --slim_run RUN
    textedit benchmark edits --dataset wikisplit_fusion --examples 3
    textedit benchmark random                    # stateless generators under XLA
    textedit benchmark top_p                     # top-p filtering: tiers vs a full sort

  train    tokens/s and model-FLOP utilisation of the compiled T5 seq2seq train step on random
           tokens, beside transformers' T5 train step (textedit/benchmarks/train_throughput.py,
           train_peer.py; needs torch + transformers unless --skip_transformers)
  decode   greedy decoding speed of our compiled T5 against transformers' generate, same weights
           (textedit/benchmarks/decode_speed.py; CPU; needs torch + transformers unless
           --skip_transformers)
  latency  EdiT5 vs seq2seq (full and 1-layer decoder) inference latency and throughput on W&I
           dev, random init with forced lengths or trained runs (textedit/benchmarks/latency.py)
  edits    EdiT5 edit conversion (alignment + plan) speed and statistics on a real data set
           (textedit/benchmarks/edit_conversion.py)
  input    the trainer's input pipeline, a task uncached vs its Apache Beam cache: examples/s
           and cache size (textedit/benchmarks/input_pipeline.py)
  random   TensorFlow's stateless random generators under XLA (dropout masks, sampling noise)
           against a multiply of the same size (textedit/benchmarks/random_numbers.py)
  top_p    top-p filtering under XLA, the nucleus looked for in tiers against a full sort
           (textedit/benchmarks/top_p_filter.py)

`textedit benchmark SUBCOMMAND --help` explains each one in full.
"""

from __future__ import annotations

import argparse
import json
import os

from textedit.cli import flags

HELP = ("speed: train step (and transformers'), decoding, EdiT5 vs seq2seq latency, edit "
        "conversion, input pipeline")

_FORMATTER = argparse.RawDescriptionHelpFormatter

TRAIN_DOC = """\
`textedit benchmark train`: tokens/s and model-FLOP utilisation (MFU) of a T5 train step,
beside transformers' T5 training step (the peer).

    textedit benchmark train                       # T5 small, float32, ours and transformers
    textedit benchmark train --size base --threads 1 --batch_size 8 --steps 3
    textedit benchmark train --size small --batch_size 32 --skip_transformers \\
        --input_length 128 --target_length 128 --precision mixed_bfloat16 --steps 10

Times the compiled train step (textedit/training/train_step.py: forward, seq2seq loss, backward,
global-norm clipping, AdamW update; XLA) of a T5 model of the named size on a fixed batch of random
tokens, so the data pipeline is not measured. After `--warmup` steps (compilation included) it
times `--steps` steps and reports the median step time, training tokens/s (input plus target
positions per second; target tokens/s alone too), and model-FLOP utilisation (MFU): the step's
matmul FLOPs (textedit/training/model_flops.py: 3 x the forward pass) per second divided by the
peak. The peak is measured in the same run on the same device: the best of several XLA-compiled
square matrix products (`--matmul_size`) in the step's compute dtype.

Unless --skip_transformers, transformers' T5ForConditionalGeneration then trains the same network
from the same initial weights on the same batch (same loss, clipping, AdamW and dropout; eager
PyTorch), each side in a process of its own with --threads threads, and the report gives both
rows and the MFU ratio (textedit/benchmarks/train_peer.py).
"""

DECODE_EXAMPLES = """\
    textedit benchmark decode                    # T5 small, batch 1 and 32
    textedit benchmark decode --threads 1 2      # both thread counts
    textedit benchmark decode --batch_sizes 1 8 32 --decode_length 64 --json

"""

LATENCY_EXAMPLES = """\
    textedit benchmark latency                          # random init, forced lengths
    textedit benchmark latency --num_examples 200 --json latency.json
    textedit benchmark latency --edit5_run RUN --seq2seq_run RUN --slim_run RUN

"""

EDITS_EXAMPLES = """\
    textedit benchmark edits                      # all W&I train pairs
    textedit benchmark edits --dataset wikisplit_fusion --examples 3
    textedit benchmark edits --max_positions 33 --min_moved_run 2

"""


INPUT_EXAMPLES = """\
    textedit cache_tasks --tasks edit5_gec_wi_fce --cache_dir workdir/seqio_cache
    textedit benchmark input --task edit5_gec_wi_fce --cache_dir workdir/seqio_cache
    textedit benchmark input --cache_dir workdir/seqio_cache --batch_size 32 --step_ms 900

"""


def _description(title: str, examples: str, doc: str) -> str:
    """A subcommand's --help text: its title, its examples, then its library module's docstring
    after that one's first paragraph (the library's own introduction)."""
    return f"{title}\n\n{examples}{doc.partition(chr(10) * 2)[2]}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # The library modules are light (TensorFlow is imported inside their functions).
    from textedit.benchmarks import (
        decode_speed,
        edit_conversion,
        input_pipeline,
        latency,
        random_numbers,
        top_p_filter,
        train_throughput,
    )

    commands = parser.add_subparsers(dest="benchmark", metavar="SUBCOMMAND", required=True)

    train = commands.add_parser("train", help="tokens/s and MFU of the T5 seq2seq train step",
                                description=TRAIN_DOC, formatter_class=_FORMATTER)
    train.add_argument("--size", default="small", choices=train_throughput.SIZES)
    train.add_argument("--vocab_size", type=int, default=16128)
    train.add_argument("--num_decoder_layers", type=int, help="override (1 = the slim model)")
    train.add_argument("--batch_size", type=int, default=32)
    train.add_argument("--input_length", type=int, default=128)
    train.add_argument("--target_length", type=int, default=128)
    train.add_argument("--precision", default="float32", choices=train_throughput.PRECISIONS)
    train.add_argument("--warmup", type=int, default=2, help="untimed steps (compilation)")
    train.add_argument("--steps", type=int, default=5, help="timed steps")
    train.add_argument("--matmul_size", type=int, default=2048, help="n of the n x n peak test")
    train.add_argument("--dropout_rate", type=float,
                       help="dropout on both sides (default: the size's, 0.1)")
    train.add_argument("--threads", type=int, default=os.cpu_count(),
                       help="intra-op and inter-op threads of both TensorFlow and torch")
    train.add_argument("--skip_transformers", action="store_true",
                       help="time ours only (no torch / transformers needed)")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.set_defaults(benchmark_run=_run_train)

    decode = commands.add_parser(
        "decode", help="greedy decoding: our XLA decoder vs transformers' generate (CPU)",
        description=_description(
            "`textedit benchmark decode`: greedy decoding speed of our compiled T5 against\n"
            "transformers' generate.", DECODE_EXAMPLES, decode_speed.__doc__),
        formatter_class=_FORMATTER)
    decode.add_argument("--size", default="small", choices=train_throughput.SIZES)
    decode.add_argument("--vocab_size", type=int, default=16128)
    decode.add_argument("--batch_sizes", type=int, nargs="+", default=[1, 32])
    decode.add_argument("--input_length", type=int, default=32)
    decode.add_argument("--decode_length", type=int, default=32, help="generated tokens per row")
    decode.add_argument("--warmup", type=int, default=1, help="untimed calls after compilation")
    decode.add_argument("--repeats", type=int, default=5, help="timed calls (median reported)")
    decode.add_argument("--threads", type=int, nargs="+", default=[os.cpu_count()],
                        help="intra-op and inter-op threads of both TensorFlow and torch; several "
                             "values run the whole comparison once for each")
    decode.add_argument("--skip_transformers", action="store_true",
                        help="time ours only (no torch / transformers needed)")
    decode.add_argument("--json", action="store_true", help="print one JSON object")
    decode.add_argument("--decoder_only_size", choices=["tiny", "mini", "small", "base"],
                        help="also compare a Gemma 2 decoder-only model of this size "
                             "(textedit/benchmarks/decoder_only_decode_speed.py)")
    decode.add_argument("--profile", action="store_true",
                        help="also time the parts of our decode per batch size (encoder + cache, "
                             "decoder stack steps, output layer + argmax) at --decode_length and "
                             "twice it, with the first --threads value "
                             "(textedit/benchmarks/decode_profile.py)")
    decode.set_defaults(benchmark_run=_run_decode)

    timing = commands.add_parser(
        "latency", help="EdiT5 vs seq2seq (full, slim) latency and throughput on W&I dev",
        description=_description(
            "`textedit benchmark latency`: EdiT5 vs seq2seq inference latency and throughput "
            "on W&I dev.", LATENCY_EXAMPLES, latency.__doc__),
        formatter_class=_FORMATTER)
    timing.add_argument("--num_examples", type=int, default=500,
                        help="the first N W&I dev sources (skipped ones counted, not replaced)")
    timing.add_argument("--buckets", type=int, nargs="+", default=list(latency.DEFAULT_BUCKETS),
                        help="padded input lengths (one XLA compilation per bucket and batch)")
    # Not the shared --batch_size / --max_insert_length (flags.add_model_flags): these size the
    # throughput batch and the insertion buffer of models that need no --model.
    timing.add_argument("--batch_size", type=int, default=32, help="the throughput batch")
    timing.add_argument("--repeats", type=int, default=1,
                        help="timed calls per example at batch 1 (their median counts)")
    timing.add_argument("--warmup", type=int, default=1,
                        help="untimed calls per bucket and batch size after compilation")
    timing.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="TensorFlow intra-op and inter-op threads")
    timing.add_argument("--size", default="small", choices=train_throughput.SIZES,
                        help="T5 size of the models built without a run")
    timing.add_argument("--vocab_size", type=int, default=16128,
                        help="embedding rows of the models built without a run")
    timing.add_argument("--edit5_run", help="a trained EdiT5 run directory (else random init)")
    timing.add_argument("--seq2seq_run", help="a trained full seq2seq run directory")
    timing.add_argument("--slim_run", help="a trained 1-layer-decoder seq2seq run directory")
    timing.add_argument("--max_decode_length", type=int,
                        help="seq2seq decode buffer (default: the bucket length)")
    timing.add_argument("--max_insert_length", type=int,
                        help="EdiT5 insertion buffer (default: the bucket length)")
    timing.add_argument("--insertion_vocabulary", metavar="TASK", dest="insertion_vocabulary_task",
                        help="also time the EdiT5 model with an insertion vocabulary: only the "
                             "pieces inserted in TASK's training edits, e.g. gec_wi_fce "
                             "(docs/algorithms.md#insertion-vocabulary), tokenised with "
                             "--edit5_run's vocabulary when it is given")
    timing.add_argument("--insertion_vocabulary_size", type=int, metavar="N",
                        help="with --insertion_vocabulary: only its N most frequent pieces")
    flags.add_data_flags(timing)  # --vocab_dir: the vocabulary when no run brings its own
    timing.add_argument("--json", metavar="FILE", help="also write the report as JSON here")
    timing.add_argument("--profile", action="store_true",
                        help="instead of the benchmark, time the parts of EdiT5's batch-1 "
                             "computation (encoder, tagger, pointer, order loop, re-order, "
                             "insertion decoder stack, output layer) at --size, one input of "
                             "--profile_pieces pieces in a --profile_bucket bucket with "
                             "--profile_insert_steps insertion steps, and seq2seq full at "
                             "--profile_target_steps (textedit/benchmarks/edit5_profile.py)")
    timing.add_argument("--profile_bucket", type=int, default=32)
    timing.add_argument("--profile_pieces", type=int, default=20)
    timing.add_argument("--profile_insert_steps", type=int, default=6)
    timing.add_argument("--profile_target_steps", type=int, default=22)
    timing.set_defaults(benchmark_run=_run_latency)

    edits = commands.add_parser(
        "edits", help="EdiT5 edit conversion speed and statistics on a real data set",
        description=_description(
            "`textedit benchmark edits`: EdiT5 edit conversion (textedit.edits) on a real data\n"
            "set, timed, with its statistics.", EDITS_EXAMPLES, edit_conversion.__doc__),
        formatter_class=_FORMATTER)
    flags.add_data_flags(edits, vocab_dir=False)
    edits.add_argument("--dataset", choices=edit_conversion.DATASETS, default="wi_train",
                       help="which pairs to convert (default %(default)s)")
    edits.add_argument("--annotator", type=int, default=0,
                       help="GEC annotator whose target is used (default %(default)s)")
    edits.add_argument("--max_positions", type=int, default=None,
                       help="position tokens available; pairs needing more are reported as "
                       "failures (default: unlimited)")
    edits.add_argument("--min_moved_run", type=int, default=1,
                       help="shortest run the alignment may re-order (default %(default)s = keep "
                       "the most tokens)")
    edits.add_argument("--repeat", type=int, default=1,
                       help="convert this many times and report the fastest (default 1)")
    edits.add_argument("--examples", type=int, default=0,
                       help="print this many re-ordered pairs with format_alignment")
    edits.set_defaults(benchmark_run=_run_edits)

    pipeline = commands.add_parser(
        "input", help="input pipeline examples/s: a task uncached vs its Apache Beam cache",
        description=_description(
            "`textedit benchmark input`: the trainer's input pipeline, preprocessed on the fly\n"
            "against read from the task's Apache Beam cache.", INPUT_EXAMPLES,
            input_pipeline.__doc__),
        formatter_class=_FORMATTER)
    flags.add_data_flags(pipeline)
    pipeline.add_argument("--task", default="edit5_gec_wi_fce")
    pipeline.add_argument("--cache_dir", action="append", required=True,
                          help="a directory `textedit cache_tasks` wrote (repeatable)")
    pipeline.add_argument("--input_length", type=int, default=128)
    pipeline.add_argument("--target_length", type=int, default=64,
                          help="decoder_targets (edit5_*) or targets length")
    pipeline.add_argument("--batch_size", type=int, default=64)
    pipeline.add_argument("--batches", type=int, default=50, help="timed batches per side")
    pipeline.add_argument("--step_ms", type=float,
                          help="a train step's time at this batch (from `benchmark train`)")
    pipeline.add_argument("--json", action="store_true", help="print one JSON object")
    pipeline.set_defaults(benchmark_run=_run_input)

    generators = commands.add_parser(
        "random", help="stateless random generators under XLA: dropout masks, sampling noise",
        description=random_numbers.__doc__, formatter_class=_FORMATTER)
    generators.add_argument("--shapes", nargs="+", default=["1280x512", "32x16128"],
                            help="tensor shapes as AxB (default: a mini model's dropout mask "
                                 "at batch 32 x 40 and d_ff 512, one sampling step's noise at "
                                 "batch 32 over 16,128 ids)")
    generators.add_argument("--repeats", type=int, default=20)
    generators.add_argument("--threads", type=int, default=1)
    generators.add_argument("--json", action="store_true", help="print one JSON object")
    generators.set_defaults(benchmark_run=_run_random)

    nucleus = commands.add_parser(
        "top_p", help="top-p filtering under XLA: the nucleus looked for in tiers vs a full sort",
        description=top_p_filter.__doc__, formatter_class=_FORMATTER)
    nucleus.add_argument("--batch", type=int, default=32)
    nucleus.add_argument("--vocab", type=int, default=16128)
    nucleus.add_argument("--top_p", type=float, default=0.9)
    nucleus.add_argument("--repeats", type=int, default=20)
    nucleus.add_argument("--threads", type=int, default=1)
    nucleus.add_argument("--json", action="store_true", help="print one JSON object")
    nucleus.set_defaults(benchmark_run=_run_top_p)


def _run_train(args: argparse.Namespace) -> int:
    from textedit.benchmarks import train_peer

    report = train_peer.benchmark_train_with_peer(
        threads=args.threads, skip_transformers=args.skip_transformers,
        size=args.size, vocab_size=args.vocab_size, num_decoder_layers=args.num_decoder_layers,
        batch_size=args.batch_size, input_length=args.input_length,
        target_length=args.target_length, precision=args.precision, warmup=args.warmup,
        steps=args.steps, matmul_size=args.matmul_size, dropout_rate=args.dropout_rate)
    print(json.dumps(report) if args.json else train_peer.format_peer_report(report), flush=True)
    return 0


def _run_decode(args: argparse.Namespace) -> int:
    from textedit.benchmarks import decode_speed

    report = decode_speed.benchmark_decode(
        size=args.size, vocab_size=args.vocab_size, batch_sizes=args.batch_sizes,
        input_length=args.input_length, decode_length=args.decode_length, warmup=args.warmup,
        repeats=args.repeats, threads=args.threads, skip_transformers=args.skip_transformers)
    print(json.dumps(report) if args.json else decode_speed.format_report(report), flush=True)
    if args.decoder_only_size:
        from textedit.benchmarks.decoder_only_decode_speed import benchmark_decoder_only_decode

        report = benchmark_decoder_only_decode(
            size=args.decoder_only_size, vocab_size=args.vocab_size,
            batch_sizes=args.batch_sizes, input_length=args.input_length,
            decode_length=args.decode_length, warmup=args.warmup, repeats=args.repeats,
            threads=args.threads, skip_transformers=args.skip_transformers)
        print(json.dumps(report) if args.json else "\n" + decode_speed.format_report(report),
              flush=True)
    if args.profile:
        from textedit.benchmarks.decode_profile import format_profile, profile_decode

        for batch in args.batch_sizes:
            report = decode_speed.in_own_process(
                profile_decode, args.size, args.vocab_size, batch, args.input_length,
                (args.decode_length, 2 * args.decode_length), args.threads[0], args.warmup,
                args.repeats)
            print(json.dumps(report) if args.json else "\n" + format_profile(report), flush=True)
    return 0


def _run_latency(args: argparse.Namespace) -> int:
    import dataclasses

    from textedit.benchmarks import latency

    if args.profile:
        from pathlib import Path

        from textedit.benchmarks import edit5_profile

        report = edit5_profile.profile_edit5(
            size=args.size, vocab_size=args.vocab_size, input_length=args.profile_bucket,
            source_pieces=args.profile_pieces, insert_steps=args.profile_insert_steps,
            target_steps=args.profile_target_steps, threads=args.threads)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(edit5_profile.format_edit5_profile(report), flush=True)
        return 0
    flags.apply_data_flags(args)
    args.insertion_vocabulary = args.insertion_vocabulary_source = None
    if args.insertion_vocabulary_size is not None and not args.insertion_vocabulary_task:
        raise SystemExit("--insertion_vocabulary_size needs --insertion_vocabulary")
    if args.insertion_vocabulary_task:
        latency.configure_threads(args.threads)  # before reading the task starts TensorFlow
        try:
            args.insertion_vocabulary, args.insertion_vocabulary_source = (
                _task_insertion_vocabulary(args))
        except ValueError as error:  # an unknown task, a size below 1
            raise SystemExit(f"error: --insertion_vocabulary: {error}") from None
    settings = latency.LatencySettings(**{field.name: getattr(args, field.name)
                                          for field in dataclasses.fields(latency.LatencySettings)})
    report = latency.run(settings)  # --json FILE: written there too
    print(latency.format_report(report), flush=True)  # Markdown
    return 0


def _task_insertion_vocabulary(args: argparse.Namespace) -> tuple[list[int], str]:
    """The pieces inserted in --insertion_vocabulary TASK's training edits, and a description.
    The pairs are tokenised with the vocabulary the EdiT5 model has: --edit5_run's copy (as
    `textedit edit` does), else the default one that the random-init models are built for."""
    from textedit.cli.edit_task_stats import inserted_pieces, most_inserted
    from textedit.data.vocab.vocabulary import get_vocabulary, read_manifest
    from textedit.runs.run_artifacts import RUN_VOCAB_DIR, run_dir_of

    flags.register_tasks(args)
    task = args.insertion_vocabulary_task
    vocab_dir = args.vocab_dir
    if args.edit5_run:  # any path load_run takes: a run, its checkpoints/, a ckpt-N prefix
        vocab_dir = run_dir_of(args.edit5_run) / RUN_VOCAB_DIR
    counts = inserted_pieces(task, read_manifest(vocab_dir).num_position_tokens,
                             vocabulary=get_vocabulary(vocab_dir))
    pieces = most_inserted(counts, args.insertion_vocabulary_size)
    share = sum(counts[p] for p in pieces) / max(sum(counts.values()), 1)
    which = ("the" if len(pieces) == len(counts) else
             f"the {len(pieces)} most frequent ({100 * share:.1f}% of insertions) of the")
    return pieces, (f"{which} {len(counts)} distinct pieces inserted in {task} train's "
                    f"{sum(counts.values())} inserted pieces, plus padding, EOS, UNK and the "
                    "position tokens")


def _run_edits(args: argparse.Namespace) -> int:
    from textedit.benchmarks import edit_conversion

    flags.apply_data_flags(args)
    edit_conversion.benchmark_edits(
        args.dataset, annotator=args.annotator, max_positions=args.max_positions,
        min_moved_run=args.min_moved_run, repeat=args.repeat, examples=args.examples,
        skip_bad_lines=args.skip_bad_lines)
    return 0


def _run_input(args: argparse.Namespace) -> int:
    from textedit.benchmarks import input_pipeline

    flags.apply_data_flags(args)
    flags.register_tasks(args)
    edit_task = args.task.startswith("edit5_")
    converter = None
    if edit_task:
        from textedit.data.edit5.edit_feature_converter import EditFeatureConverter

        converter = EditFeatureConverter()
    lengths = {"inputs": args.input_length,
               "decoder_targets" if edit_task else "targets": args.target_length}
    try:
        report = input_pipeline.benchmark_input(
            args.task, lengths, cache_dirs=args.cache_dir, feature_converter=converter,
            batch_size=args.batch_size, batches=args.batches, step_ms=args.step_ms)
    except ValueError as error:
        raise SystemExit(f"textedit benchmark input: {error}") from None
    print(json.dumps(report) if args.json else input_pipeline.format_report(report), flush=True)
    return 0


def _run_random(args: argparse.Namespace) -> int:
    from textedit.benchmarks import random_numbers

    try:
        shapes = [[int(n) for n in shape.split("x")] for shape in args.shapes]
    except ValueError:
        raise SystemExit(f"textedit benchmark random: --shapes {' '.join(args.shapes)}: "
                         "expected shapes like 1280x512") from None
    report = random_numbers.time_generators(shapes, args.repeats, args.threads)
    print(json.dumps(report) if args.json else random_numbers.format_generators(report),
          flush=True)
    return 0


def _run_top_p(args: argparse.Namespace) -> int:
    from textedit.benchmarks import top_p_filter

    if not 0.0 < args.top_p < 1.0 or args.batch < 1 or args.vocab < 2:
        raise SystemExit("textedit benchmark top_p: expected 0 < --top_p < 1, --batch >= 1, "
                         f"--vocab >= 2; got {args.top_p}, {args.batch}, {args.vocab}")
    report = top_p_filter.time_top_p(args.batch, args.vocab, args.top_p, args.repeats,
                                     args.threads)
    print(json.dumps(report) if args.json else top_p_filter.format_top_p(report), flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    return args.benchmark_run(args)
