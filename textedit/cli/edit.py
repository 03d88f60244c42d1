"""Edits text with a trained EdiT5 model: one output per input, in input order.

    textedit edit --model workdir/runs/edit5_gec input.txt > output.txt
    echo "She go to school yesterday ." | textedit edit --model RUN --explain
    textedit edit --model workdir/export/edit5_gec requests.jsonl -o out.jsonl

--model: a training run directory (its latest checkpoint), a `<run>/checkpoints/ckpt-N` prefix, or
a SavedModel written by `textedit export`.

Input (a file, or standard input when omitted or `-`), UTF-8; `--format` (default: from the file
name, `.jsonl` / `.tsv`, else text):
  text   one input per line; writes one output line per input line.
  jsonl  one JSON object per line with a "source" string; every other key is passed through and
         "output" is added (with --explain also "edit": pieces, tags, order, insertions).
         With a "candidates" list (an LMCor corrector, docs/algorithms.md#lmcor) the model reads
         the source and the candidates joined by separator tokens.
  tsv    tab-separated; the source is column --source_column (default 0); the line is written
         back with the output appended as a last column.
Empty lines (text, tsv) give empty outputs. An input longer than the model's input length
(--max_input_length pieces, EOS included) is passed through unchanged and counted in a warning:
truncating it would make the model delete its tail. Bytes that are not UTF-8 stop the tool with
the file and line.

--explain (text format): for every input, the pieces kept and [-deleted-], the new order (`<<`
marks a piece moved before the one it followed), the insertions as `<pos_k> span` (after the k-th
kept piece), the output, and a word diff ([-removed-] {+added+}, coloured on a terminal).
Outputs go to --output (default standard output); with --explain and no --output the
explanations are written instead of the plain outputs. A summary goes to standard error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

from textedit.cli.flags import add_model_flags

HELP = "edit text (files, JSONL, TSV or standard input) with a trained EdiT5 run or export"
FORMATS = ("text", "jsonl", "tsv")
RED, GREEN, RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


class InputError(ValueError):
    """A record the tool cannot read: the message names the file and line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", default="-",
                        help="input file ('-' or omitted: standard input)")
    add_model_flags(parser)
    parser.add_argument("--format", choices=("auto",) + FORMATS, default="auto",
                        help="input format (default %(default)s: by the file's extension)")
    parser.add_argument("--source_column", type=int, default=0,
                        help="tsv: the column holding the source (default %(default)s)")
    parser.add_argument("-o", "--output", help="output file (default: standard output)")
    parser.add_argument("--explain", action="store_true",
                        help="show kept/deleted pieces, order, insertions and a diff per input")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the --explain diff (auto: when writing to a terminal)")


def input_format(args: argparse.Namespace) -> str:
    if args.format != "auto":
        return args.format
    suffix = Path(args.input).suffix.lower()
    return {".jsonl": "jsonl", ".json": "jsonl", ".tsv": "tsv"}.get(suffix, "text")


def read_input_lines(path: str) -> list[str]:
    """The input's lines (UTF-8; MalformedInputError naming the first bad line)."""
    from textedit.data.readers.text_lines import decode_text, read_bytes, split_lines

    if path == "-":
        return split_lines(decode_text(sys.stdin.buffer.read(), "<stdin>"))
    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    return split_lines(decode_text(read_bytes(path), path))


def _model_input(record: dict, name: str, number: int) -> str:
    """The record's source, or with "candidates" an LMCor corrector's input: the source and the
    candidates joined by separator tokens (textedit/data/lmcor_inputs.py)."""
    if "candidates" not in record:
        return record["source"]
    from textedit.data.lmcor_inputs import assemble

    candidates = record["candidates"]
    if not (isinstance(candidates, list) and all(isinstance(c, str) for c in candidates)):
        raise InputError(f'{name}:{number}: expected "candidates" to be a list of strings')
    try:
        return assemble(record["source"], candidates)
    except ValueError as error:
        raise InputError(f"{name}:{number}: {error}") from None


def sources_of(lines: list[str], fmt: str, name: str, column: int) -> tuple[list[str], list]:
    """(source texts, per-line records to write back): JSON objects for jsonl, column lists
    for tsv, None for text."""
    sources, records = [], []
    for number, line in enumerate(lines, start=1):
        if fmt == "text":
            sources.append(line)
            records.append(None)
        elif fmt == "tsv":
            columns = line.split("\t")
            if line and column >= len(columns):
                raise InputError(f"{name}:{number}: expected at least {column + 1} tab-separated "
                                 f"columns, got {len(columns)}")
            sources.append(columns[column] if line else "")
            records.append(columns if line else [])
        else:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{name}:{number}: expected a JSON object, got {line[:80]!r} "
                                 f"({error.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("source"), str):
                raise InputError(f"{name}:{number}: expected a JSON object with a \"source\" "
                                 f"string, got {line[:80]!r}")
            sources.append(_model_input(record, name, number))
            records.append(record)
    return sources, records


def word_diff(source: str, output: str, color: bool) -> str:
    """Word-level diff: [-removed-] {+added+}, or red / green when `color`."""
    before, after = source.split(), output.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after,
                                                       autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(" ".join(before[i1:i2]))
            continue
        if i2 > i1:
            removed = " ".join(before[i1:i2])
            parts.append(f"{RED}{removed}{RESET}" if color else f"[-{removed}-]")
        if j2 > j1:
            added = " ".join(after[j1:j2])
            parts.append(f"{GREEN}{added}{RESET}" if color else f"{{+{added}+}}")
    return " ".join(parts)


def explain_block(number: int, result, color: bool) -> str:
    lines = [f"[{number}] {result.source}"]
    lines += ["    " + line for line in result.explanation().splitlines()]
    if result.plan is not None:
        lines.append(f"    diff    {word_diff(result.source, result.output, color)}")
    return "\n".join(lines)


def output_lines(results, records, fmt: str, explain: bool) -> list[str]:
    lines = []
    for result, record in zip(results, records, strict=True):
        if fmt == "text":
            lines.append(result.output)
        elif fmt == "tsv":
            lines.append("\t".join(record + [result.output]) if record else "")
        else:
            record = {**record, "output": result.output}
            if explain:
                record["edit"] = result.to_json()
            lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def run(args: argparse.Namespace) -> int:
    from textedit.data.readers.malformed_input import MalformedInputError

    fmt = input_format(args)
    name = "<stdin>" if args.input == "-" else args.input
    try:
        lines = read_input_lines(args.input)
        sources, records = sources_of(lines, fmt, name, args.source_column)
    except (InputError, MalformedInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not Path(args.model).exists() and not Path(args.model + ".index").exists():
        print(f"error: --model {args.model}: no such run, checkpoint or export", file=sys.stderr)
        return 2

    from textedit.inference.editor import Editor

    start = time.perf_counter()
    try:
        editor = Editor.load(args.model, max_input_length=args.max_input_length,
                             max_insert_length=args.max_insert_length,
                             batch_size=args.batch_size)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model: {editor.source}; input lengths {editor.buckets}", file=sys.stderr)
    loaded = time.perf_counter()
    results = editor.edit(sources, explain=True)
    elapsed = time.perf_counter() - loaded

    def write_explanations(stream) -> None:
        color = args.color == "always" or (args.color == "auto" and stream.isatty())
        for number, result in enumerate(results, start=1):
            print(explain_block(number, result, color), file=stream)

    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.explain and fmt == "text" and not args.output:
            write_explanations(out)
        else:
            for line in output_lines(results, records, fmt, args.explain):
                print(line, file=out)
            if args.explain and fmt != "jsonl":  # jsonl carries the explanation in its records
                write_explanations(sys.stderr)
    finally:
        if args.output:
            out.close()
    stats = editor.stats
    changed = sum(r.status == "edited" and r.output != " ".join(r.source.split())
                  for r in results)
    rate = stats.edited / elapsed if elapsed > 0 else 0.0  # compilation included
    print(f"{len(results)} inputs: {stats.edited} edited ({changed} changed), {stats.empty} "
          f"empty; {elapsed:.1f}s incl. compiling each input length ({rate:.1f} inputs/s); "
          f"model loaded in "
          f"{loaded - start:.1f}s)", file=sys.stderr)
    if stats.too_long:
        print(f"warning: {stats.too_long} input(s) longer than {editor.max_input_length - 1} "
              "pieces passed through unchanged", file=sys.stderr)
    return 0
