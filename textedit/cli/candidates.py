"""Writes an LMCor candidate file: k outputs of a trained seq2seq or EdiT5 run for every
example of a task split (`textedit candidates`).

    textedit candidates --model workdir/runs/seq2seq_gec --task gec_jfleg --split validation \\
        --k 4 --method sample --temperature 0.7 --top_p 0.9 --output workdir/lmcor/jfleg.val.jsonl

Each line: {"source", "candidates": [k], "target": references, "scores": [k] generator
log-probabilities, "greedy": the greedy output, "index": the example's position in the split}
(textedit/data/readers/candidates_reader.py), in task order. `--method beam` keeps the k best
beams instead of sampling (seq2seq runs; an EdiT5 run samples its edits, and --decode_length is
its insertion length). `--part i/n` takes only the examples whose index is i mod n, so that a
generator trained on the other parts writes the candidates of this one (cross-fitting: the
training candidates then carry the errors the generator makes on unseen text).
`--method read --k 1` with a run that has an image tower writes what the tower reads alone
from each example's line image (rendered from its reference, as `ocr_correct` renders it).
`--baselines DIR` also writes DIR/<selector>.txt (greedy, rerank, majority, mbr, oracle;
textedit/benchmarks/lmcor_selection.py), one line per example in task order, to score with
`textedit evaluate --task TASK --predictions DIR/rerank.txt` (only without --part/--limit).
The corrector trains on such files (`lmcor_<task>`, tasks/lmcor.py); an external LLM's file in
the same format works alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "write k candidate outputs per example of a task split (LMCor candidate file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a seq2seq or EdiT5 run directory")
    parser.add_argument("--task", required=True, help="a registered text task")
    parser.add_argument("--split", default="validation", help="default %(default)s")
    parser.add_argument("--output", required=True, help="the candidate JSONL file to write")
    parser.add_argument("--k", type=int, default=4, help="candidates per example (%(default)s)")
    parser.add_argument("--method", choices=["sample", "beam", "read"], default="sample",
                        help="sample / beam: the run's outputs; read: what a run's image tower "
                             "reads from each example's line image (k = 1; OCR tasks)")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top_p", type=float, default=1.0)
    parser.add_argument("--top_k", type=int, default=0)
    parser.add_argument("--input_length", type=int, default=128)
    parser.add_argument("--decode_length", type=int, default=128)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", default=None, metavar="I/N",
                        help="only the examples with index = I mod N (cross-fitting)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many examples")
    parser.add_argument("--baselines", default=None, metavar="DIR",
                        help="also write DIR/<selector>.txt for every selection baseline")
    add_data_flags(parser, vocab_dir=False)


def parse_part(part: str | None) -> tuple[int, int]:
    """'I/N' -> (I, N); None -> (0, 1). SystemExit for a malformed value."""
    if part is None:
        return 0, 1
    try:
        i, n = (int(x) for x in part.split("/"))
    except ValueError:
        raise SystemExit(f"--part {part!r}: expected I/N, e.g. 0/2") from None
    if not 0 <= i < n:
        raise SystemExit(f"--part {part!r}: expected 0 <= I < N")
    return i, n


def split_examples(task_name: str, split: str) -> list[tuple[str, list[str]]]:
    """(source, references) of every example of a text task's split, in task order."""
    import seqio

    def text(value) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    dataset = seqio.get_mixture_or_task(task_name).source.get_dataset(split, shuffle=False)
    return [(text(row["inputs"]), [text(r) for r in row["references"]])
            for row in dataset.as_numpy_iterator()]


def run(args: argparse.Namespace) -> int:
    apply_data_flags(args)
    register_tasks(args)
    from textedit.benchmarks.lmcor_candidates import CandidateSettings, generate_candidates
    from textedit.benchmarks.lmcor_selection import SELECTORS, select
    from textedit.data.readers.candidates_reader import write_candidates
    from textedit.runs.run_artifacts import load_run

    part, parts = parse_part(args.part)
    rows = [(index, *row) for index, row in enumerate(split_examples(args.task, args.split))
            if index % parts == part][:args.limit]
    settings = CandidateSettings(
        k=args.k, method=args.method, temperature=args.temperature, top_p=args.top_p,
        top_k=args.top_k, input_length=args.input_length, decode_length=args.decode_length,
        batch_size=args.batch_size, seed=args.seed)
    loaded = load_run(args.model)
    start = time.perf_counter()
    print(f"sampling {args.k} candidates for {len(rows)} examples of {args.task} "
          f"{args.split} with {args.model} (step {loaded.step})", flush=True)
    examples = generate_candidates(loaded, [r[1] for r in rows], [r[2] for r in rows], settings,
                                   progress_every=10)
    examples = [dataclasses.replace(e, extra={**e.extra, "index": index})
                for e, (index, _, _) in zip(examples, rows, strict=True)]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    count = write_candidates(args.output, examples)
    print(f"wrote {count} records of {args.k} candidates to {args.output} "
          f"({time.perf_counter() - start:.1f} s)")
    if args.baselines:
        out = Path(args.baselines)
        out.mkdir(parents=True, exist_ok=True)
        for selector in SELECTORS:
            (out / f"{selector}.txt").write_text(
                "".join(line.replace("\n", " ") + "\n" for line in select(examples, selector)),
                encoding="utf-8")
        print(f"wrote {', '.join(SELECTORS)} predictions to {out}")
    return 0
