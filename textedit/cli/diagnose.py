"""Teacher-forced diagnostics of a trained EdiT5 run: each stage under gold inputs.

    textedit diagnose --model workdir/runs/edit5_gec_main
    textedit diagnose --model workdir/runs/x/checkpoints/ckpt-2000 --task edit5_gec_wi_fce \\
        --split validation --max_examples 1024 --json diag.json

Runs the model with the gold tags, order and insertion inputs of the task's examples (the way it
trains) and prints, per stage (textedit/metrics/edit_diagnostics.py): the tagger's ROC AUC of
P(DELETE) with its calibration and precision / recall by threshold, the pointer's accuracy, and
the insertion decoder's accuracy on EOS, on `<pos_k>` (first of a span list and all) and on content
pieces, and each part's negative log-likelihood with the whole gold edit's per example (the
validation loss, e.g. of a distilled student against its cross-entropy twin). A model that copies
shows here which stage holds it back.
"""

from __future__ import annotations

import argparse
import json
import time

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = ("teacher-forced accuracy and NLL of each EdiT5 stage (tagger AUC, pointer, <pos_k>, "
        "content)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True,
                        help="an EdiT5 run directory (latest checkpoint) or <run>/checkpoints/"
                        "ckpt-N")
    parser.add_argument("--task", default="edit5_gec_wi_fce",
                        help="an edit5_ task (default %(default)s)")
    parser.add_argument("--split", default="validation", help="split (default %(default)s)")
    parser.add_argument("--inputs_length", type=int, default=64,
                        help="input pieces (default %(default)s; longer inputs are truncated)")
    parser.add_argument("--insertion_length", type=int, default=32,
                        help="insertion target ids (default %(default)s)")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--max_examples", type=int, default=1024,
                        help="the split's first N examples (0 = all; default %(default)s)")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    add_data_flags(parser)


def run(args: argparse.Namespace) -> int:
    apply_data_flags(args)
    register_tasks(args)
    import numpy as np
    import seqio
    from keras import ops

    from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
    from textedit.metrics.edit_diagnostics import EditDiagnostics
    from textedit.models.edit5.edit5_config import LOSS_PARTS
    from textedit.objectives.edit5_loss import edit5_loss
    from textedit.runs.run_artifacts import load_run

    loaded = load_run(args.model)
    config = getattr(loaded.model, "config", None)
    if not hasattr(config, "first_position_id"):
        raise SystemExit(f"{args.model} is not an EdiT5 run (its model has no <pos_k> tokens)")
    dataset = seqio.get_dataset(
        args.task, {"inputs": args.inputs_length, "decoder_targets": args.insertion_length},
        EditFeatureConverter(), dataset_split=args.split, shuffle=False, verbose=False)
    if args.max_examples:
        dataset = dataset.take(args.max_examples)
    stats = EditDiagnostics(config.first_position_id, config.num_position_tokens)
    start = time.perf_counter()
    for batch in dataset.batch(args.batch_size).as_numpy_iterator():
        outputs = loaded.model(batch, training=False)
        delete_prob = np.asarray(ops.softmax(outputs["tag_logits"], axis=-1))[..., 0]
        stats.add(delete_prob, batch["tags"], batch["encoder_mask"],
                  np.asarray(ops.argmax(outputs["pointer_logits"], axis=-1)), batch["pointers"],
                  np.asarray(ops.argmax(outputs["insertion_logits"], axis=-1)),
                  batch["decoder_target_tokens"], batch["decoder_loss_weights"])
        _, parts = edit5_loss(outputs, batch)
        stats.add_nll({part: parts[f"{part}_sum"] for part in LOSS_PARTS},
                      {part: parts[f"{part}_count"] for part in LOSS_PARTS})
    seconds = time.perf_counter() - start
    print(f"{args.model} (step {loaded.step}) on {args.task} {args.split}, teacher forced "
          f"({seconds:.0f}s):")
    for line in stats.lines():
        print("  " + line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "step": loaded.step, "task": args.task,
                       "split": args.split, **stats.summary()}, f, indent=1)
    return 0
