"""Writes a trained teacher's top-k log-probabilities for a task split, once, with a manifest.

    textedit teacher_logits --teacher workdir/runs/gemma2_small_lm --task lm_clean_text \\
        --converter lm --targets_length 128 --top_k 16 --output workdir/teacher/lm_top16

Each example of the split (in its fixed order) is converted (`--converter`: enc_dec for T5,
prefix_lm for a decoder-only model on a text-to-text task, lm for plain text), scored by the
teacher, and written with the k most probable ids per position and their log-probabilities at
`--temperature` (textedit/training/stored_teacher_data.py: TFRecord files + manifest.json, with
the bytes written and the mean remaining mass 1 - Σ top-k). Train from it with
gin/experiments/distill_top_k_gemma2_lm_clean_text.gin (`StoredTeacherData` and
`stored_top_k_objective`): the teacher is not run again.
"""

from __future__ import annotations

import argparse
import time

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "store a teacher's top-k log-probabilities for a task split (distillation)"


def add_converter_flags(parser: argparse.ArgumentParser) -> None:
    """--task, --split, --converter, --inputs_length, --targets_length, --batch_size,
    --max_examples (shared with `textedit nll`)."""
    parser.add_argument("--task", required=True, help="SeqIO task name")
    parser.add_argument("--split", default="train", help="split (default %(default)s)")
    parser.add_argument("--converter", default="enc_dec", choices=["enc_dec", "prefix_lm", "lm"],
                        help="feature converter of the model (default %(default)s)")
    parser.add_argument("--inputs_length", type=int, default=128)
    parser.add_argument("--targets_length", type=int, default=128)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--max_examples", type=int, default=None,
                        help="the split's first N examples (default: all)")
    add_data_flags(parser)


def run_and_dataset(args: argparse.Namespace, run_dir: str):
    """Applies the data flags, then (the run at run_dir with its latest weights, the unbatched
    converted features of the split in order, the task lengths, the features the model reads)."""
    apply_data_flags(args)
    register_tasks(args)
    import seqio

    from textedit.cli.gin_decoder_only import feature_converter
    from textedit.runs.run_artifacts import load_run

    loaded = load_run(run_dir)

    converter, model_features = feature_converter(args.converter)
    lengths = {"targets": args.targets_length}
    if args.converter != "lm":
        lengths["inputs"] = args.inputs_length
    dataset = seqio.get_dataset(args.task, lengths, converter, dataset_split=args.split,
                                shuffle=False, verbose=False)
    if args.max_examples is not None:
        dataset = dataset.take(args.max_examples)
    return loaded, dataset, lengths, model_features


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teacher", required=True, help="the teacher's run directory")
    parser.add_argument("--output", required=True, help="new directory for the stored logits")
    parser.add_argument("--top_k", type=int, default=16, help="ids kept per position")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="temperature of the stored log-probabilities (the student's "
                        "TEMPERATURE must equal it)")
    add_converter_flags(parser)


def run(args: argparse.Namespace) -> int:
    teacher, dataset, lengths, model_features = run_and_dataset(args, args.teacher)
    from textedit.training.stored_teacher_data import write_teacher_top_k

    start = time.perf_counter()
    manifest = write_teacher_top_k(
        teacher.model, dataset, args.output, k=args.top_k, temperature=args.temperature,
        teacher_features=model_features, batch_size=args.batch_size,
        source={"task": args.task, "split": args.split, "task_feature_lengths": lengths,
                "feature_converter": args.converter, "max_examples": args.max_examples,
                "teacher": str(teacher.run_dir),
                "teacher_step": teacher.step})
    print(f"wrote {manifest['examples']} examples, {manifest['bytes'] / 2**20:.1f} MiB, to "
          f"{args.output} in {time.perf_counter() - start:.0f}s; mean remaining mass "
          f"{manifest['mean_remaining_mass']:.4f}", flush=True)
    return 0
