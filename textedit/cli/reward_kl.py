"""Reward against KL(π ‖ π_ref) of RL runs on held-out prompts, with Best-of-N points, as a
Markdown table and a plot (docs/algorithms.md#bond; textedit/benchmarks/reward_kl.py).

    textedit reward_kl --reference workdir/runs/sft --run jbond=workdir/runs/jbond \\
        --run reinforce=workdir/runs/reinforce --task simplify_asset --split validation \\
        --max_examples 64 --inputs_length 64 --targets_length 64 --best_of_n 2,4,8,16 \\
        --output reward_kl.md --plot reward_kl.png

Every checkpoint a run keeps is a point (name@step), so `CHECKPOINT_EVERY` during training gives
the curve. The reward is a metric against the task's target, `--reward ngram_f1` (the default,
as in the RL experiments) or `gleu` (sentence GLEU), or a reward model (`--reward_model RUN`).
The reference is the SFT run the RL runs started from; it is also the step-0 point (KL 0).
Each run's point also carries its win rate against π_ref (per prompt, the reward of its sample
against π_ref's, ties one half; Wilson 95% interval): with a judge reward model trained on other
prompts, the DRO paper's comparison (docs/algorithms.md#dro). A DRO-V run (policy + value
network) is read through its policy. EdiT5 runs (gin/experiments/*_edit5_gec.gin) sample
edits under the task vocabulary's word guards; their log π is that of the sampled tags and
insertions (textedit/decoding/edit_policy.py).

`--steps 200,600,1000` keeps only those steps of each run (a run that keeps none of them is an
error naming the steps it keeps): each point samples every prompt, so 20 kept checkpoints cost 20
passes over the split.

`--compare A:B` (repeatable) adds the paired difference of two points, e.g.
`--compare jbond@150:reinforce@200` or `--compare jbond@150:π_ref`: the mean of the per-prompt
reward differences with its standard error, 95% interval and A's win rate over B. Every point
samples the same prompts with the same seeds, so this is far tighter than comparing two rows.
`--compare_curves A:B` (repeatable; A and B are --run names) pairs every point of run A with the
point of run B nearest in KL and reports their paired differences with both KLs: the BOND
paper's "A above B at equal KL", with the pairs fixed by KL before any reward is read.
`--samples 4` draws four samples per prompt for every point (π_ref, runs, Best-of-N) and averages
them per prompt: the paired differences keep the prompt as their unit, with less sampling noise.
Prompts are sampled `--batch_size` rows (prompt draws) at a time (default 256): a whole
validation split at once holds [prompts, length, vocabulary] logits, gigabytes.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from textedit.cli.best_of_n_flags import METRIC_REWARDS
from textedit.cli.teacher_logits import add_converter_flags, run_and_dataset

HELP = ("reward vs KL(π‖π_ref) of RL runs on held-out prompts, with Best-of-N points and paired "
        "comparisons")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference", required=True, help="the SFT run (π_ref)")
    parser.add_argument("--run", dest="runs", action="append", default=[], metavar="NAME=DIR",
                        help="an RL run; each kept checkpoint is a point (repeatable)")
    parser.add_argument("--best_of_n", default="2,4,8,16",
                        help="N of the Best-of-N points, comma-separated ('' for none)")
    parser.add_argument("--reward", default="ngram_f1", choices=METRIC_REWARDS,
                        help="metric reward against the task's target (default %(default)s)")
    parser.add_argument("--reward_model", default=None,
                        help="a reward-model run, used instead of --reward")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=1,
                        help="draws per prompt for every point, averaged per prompt (default "
                        "%(default)s): less sampling noise in each point and each paired "
                        "difference, at that many times the sampling cost")
    parser.add_argument("--max_insert_length", type=int, default=32,
                        help="EdiT5 runs: insertion steps per sampled edit (default "
                        "%(default)s; as RL_INSERT_LENGTH of gin/experiments/*_edit5_gec.gin)")
    parser.add_argument("--steps", default="",
                        help="only these steps of each run's kept checkpoints, comma-separated "
                        "(default: every kept checkpoint)")
    parser.add_argument("--compare_curves", action="append", default=[], metavar="A:B",
                        help="every point of run A against the point of run B nearest in KL, "
                        "paired, e.g. 'jbond:reinforce' (repeatable)")
    parser.add_argument("--compare", action="append", default=[], metavar="A:B",
                        help="also the paired reward difference of point A minus point B on the "
                        "same prompts, by their names in the table, e.g. "
                        "'jbond@150:reinforce@200' (repeatable)")
    parser.add_argument("--output", default=None, help="also write the table to this file")
    parser.add_argument("--plot", default=None, help="also draw the points into this PNG")
    add_converter_flags(parser)
    # --batch_size: rows (prompt draws) sampled at a time (Best-of-N: batch_size / N rows, N
    # samples each).
    parser.set_defaults(split="validation", max_examples=64, batch_size=256)


REFERENCE_NAME = "π_ref"  # how --compare names the reference's point


def _step_of(path) -> int:
    """The step of a kept checkpoint's path, `.../ckpt-N`."""
    return int(re.search(r"ckpt-(\d+)$", str(path)).group(1))


def select_steps(runs, steps: str):
    """Keeps each run's checkpoints at `steps` ("200,600"; "" keeps all). SystemExit, before any
    sampling, for a run that keeps none of them or a step no run keeps."""
    wanted = {int(x) for x in steps.split(",") if x.strip()}
    if not wanted:
        return runs
    selected, seen = [], set()
    for name, directory, paths in runs:
        kept = [p for p in paths if _step_of(p) in wanted]
        if not kept:
            raise SystemExit(f"--steps {steps}: run {name} ({directory}) keeps none of them; it "
                             f"keeps steps {[_step_of(p) for p in paths]}")
        seen |= {_step_of(p) for p in kept}
        selected.append((name, directory, kept))
    if wanted - seen:
        raise SystemExit(f"--steps {steps}: no run keeps step(s) {sorted(wanted - seen)}")
    return selected


def _draws(samples: int) -> str:
    """How each point samples, for the table's heading."""
    if samples == 1:
        return "one sample each at temperature 1"
    return f"{samples} samples each at temperature 1, averaged per prompt"


def check_comparisons(comparisons, runs) -> None:
    """SystemExit before any sampling when a --compare name is not a point of the table:
    π_ref or NAME@STEP of a run's kept checkpoint (read from the checkpoint file names)."""
    names = {REFERENCE_NAME} | {f"{name}@{_step_of(path)}" for name, _, paths in runs
                                for path in paths}
    unknown = sorted({n for pair in comparisons for n in pair} - names)
    if unknown:
        raise SystemExit(f"--compare: no point named {unknown}; the points are {sorted(names)}")


def check_curve_comparisons(specs, runs) -> list[tuple[str, str]]:
    """(A, B) of each --compare_curves A:B, SystemExit before any sampling unless A and B are
    two different --run names."""
    names = [name for name, _, _ in runs]
    pairs = []
    for spec in specs:
        a, _, b = spec.partition(":")
        if not a or not b or a == b or a not in names or b not in names:
            raise SystemExit(f"--compare_curves {spec!r}: expected A:B, two different --run "
                             f"names of {names}")
        pairs.append((a, b))
    return pairs


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import tensorflow as tf

    from textedit.benchmarks.reward_kl import (
        best_of_n_point,
        markdown_table,
        nearest_kl_pairs,
        paired_difference,
        paired_table,
        plot,
        reward_and_kl,
        win_rate,
    )
    from textedit.runs.run_artifacts import build_model_from_run, restore_trained_weights

    start = time.perf_counter()
    if args.samples < 1:
        raise SystemExit(f"--samples {args.samples}: at least one draw per prompt")
    comparisons = [spec.split(":") for spec in args.compare]
    for spec, names in zip(args.compare, comparisons, strict=True):
        if len(names) != 2 or not all(names):
            raise SystemExit(f"--compare {spec!r}: expected A:B, two point names")
    runs = []
    for spec in args.runs:
        name, _, directory = spec.partition("=")
        state = tf.train.get_checkpoint_state(str(Path(directory) / "checkpoints"))
        if state is None:
            raise SystemExit(f"{directory}: no checkpoints")
        runs.append((name, directory, list(state.all_model_checkpoint_paths)))
    runs = select_steps(runs, args.steps)
    check_comparisons(comparisons, runs)
    curve_pairs = check_curve_comparisons(args.compare_curves, runs)
    loaded, dataset, lengths, _ = run_and_dataset(args, args.reference)
    batch = next(iter(dataset.batch(10**6)))
    prompts, references = batch["encoder_input_tokens"], batch["decoder_target_tokens"]
    reference = loaded.model
    if args.reward_model:
        from textedit.objectives.reward_model_reward import reward_model_reward
        from textedit.runs.run_artifacts import load_run

        reward = reward_model_reward(load_run(args.reward_model).model)
    else:
        from textedit.objectives.metric_rewards import metric_reward

        reward = metric_reward(args.reward)
    length = lengths["targets"]
    kind = None
    if hasattr(reference, "condition_on_tags"):  # an EdiT5 run: sampled edits, word guards on
        import seqio

        from textedit.data.vocab.vocabulary import word_start_table
        from textedit.decoding.edit_policy import edit5_policy

        vocabulary = seqio.get_mixture_or_task(args.task).output_features["inputs"].vocabulary
        kind = edit5_policy(args.max_insert_length, word_start_table(vocabulary))
    points = [reward_and_kl(reference, reference, prompts, references, reward, length,
                            args.seed, f"π_ref (step {loaded.step})", "π_ref", kind,
                            args.batch_size, args.samples)]
    for name, directory, paths in runs:
        model = build_model_from_run(directory)
        policy = getattr(model, "policy", model)  # DRO-V: PolicyWithValue
        for path in paths:
            _, step = restore_trained_weights(path, model, directory)
            points.append(reward_and_kl(policy, reference, prompts, references, reward, length,
                                        args.seed, f"{name}@{step}", name, kind,
                                        args.batch_size, args.samples))
            points[-1].win = win_rate(points[-1].rewards, points[0].rewards)
            print(f"{points[-1]}", flush=True)
    for n in [int(x) for x in args.best_of_n.split(",") if x.strip()]:
        points.append(best_of_n_point(reference, prompts, references, reward, n, length,
                                      args.seed, kind, max(1, args.batch_size // n),
                                      args.samples))
    table = (f"Reward vs KL(π‖π_ref): {args.task} {args.split}, {int(np.shape(prompts)[0])} "
             f"prompts, {_draws(args.samples)}, reward "
             f"{'reward model ' + args.reward_model if args.reward_model else args.reward}"
             f"\n\n" + markdown_table(points))
    if comparisons:
        by_name = {p.name: p for p in points[1:]} | {REFERENCE_NAME: points[0]}
        table += ("\nPaired differences (the same prompts and sampling seed):\n\n"
                  + paired_table([paired_difference(by_name[a], by_name[b])
                                  for a, b in comparisons]))
    for a, b in curve_pairs:
        pairs = nearest_kl_pairs(points, a, b)
        table += (f"\nCurve {a} against curve {b} at the nearest KL (paired):\n\n"
                  + paired_table([paired_difference(p, q) for p, q in pairs],
                                 [(p.kl, q.kl) for p, q in pairs]))
    print(table, flush=True)
    if args.output:
        Path(args.output).write_text(table, encoding="utf-8")
    if args.plot:
        plot(points, args.plot, f"{args.task} {args.split}: reward vs KL")
    print(f"done in {time.perf_counter() - start:.0f}s", flush=True)
    return 0
