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

--model may also be a seq2seq run or export (T5EncoderDecoder: greedy decoding up to the run's
decode_length; no edit plan, so --explain shows the output and the diff). A run with an image
tower (T5WithImageTower, e.g. gin/experiments/seq2seq_ocr_correct_image.gin, or an EdiT5 run
with Edit5Config.image_tower), or the export of one, reads JSONL only, every line with an
"image" beside the source: a line image file (PNG or anything Pillow reads; grayscale, the
tower's size, ink 255 on background 0, as `textedit.data.ocr.render_line` draws), its path
relative to the JSONL file's directory unless absolute:
    {"source": "The rnodern office is c1osed .", "image": "lines/0.png"}
A missing or unreadable image, an "image" key for a run without a tower, or a line without one
for a run with a tower stops the tool with the file and line.
Empty lines (text, tsv) give empty outputs. An input longer than the model's input length
(--max_input_length pieces, EOS included) is passed through unchanged and counted in a warning:
truncating it would make the model delete its tail. Bytes that are not UTF-8 stop the tool with
the file and line.

--explain (text format): for every input, the pieces kept and [-deleted-], the new order (`<<`
marks a piece moved before the one it followed), the insertions as `<pos_k> span` (after the k-th
kept piece), the output, and a word diff ([-removed-] {+added+}, coloured on a terminal).
--constraint SPEC (repeatable; --classifier RUN for simple:P) decodes a seq2seq run directory with
MuCoCO under the constraints (docs/algorithms.md#mucoco; specs as for `textedit infer`:
simple[:P], close[:C], length[:R], keyword:WORD[+WORD]). Each JSONL record gets "constraints":
its values, bounds, whether the output satisfies them and whether greedy decoding already did
(where MuCoCO finds no satisfying output, the greedy one is kept with "satisfied": false);
--explain shows them too, and the summary counts the satisfied outputs.
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

from textedit.cli.constraint_flags import add_constraint_flags, check_constraint_flags
from textedit.cli.flags import add_model_flags

HELP = ("edit text (files, JSONL, TSV or standard input) with a trained EdiT5 or seq2seq "
        "run or export (JSONL with line images for an image-tower run)")
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
    parser.add_argument("--insertion_vocabulary", metavar="TASK",
                        help="EdiT5 runs: let the insertion decoder emit only the pieces "
                             "inserted in TASK's training edits (e.g. gec_wi_fce, read from the "
                             "data directory): faster, the same edits wherever the model's "
                             "choice is among them (docs/algorithms.md#insertion-vocabulary)")
    parser.add_argument("--insertion_vocabulary_size", type=int, metavar="N",
                        help="with --insertion_vocabulary: only the N pieces inserted most "
                             "often (faster still; edits may change where the model wanted "
                             "another piece)")
    parser.add_argument("--insert_bias", type=float, metavar="B",
                        help="EdiT5 runs: added to every insertion-slot logit, so the model "
                             "inserts more readily (default 0: the argmax; an LMCor EdiT5 "
                             "corrector was measured with 1.5, README LMCor)")
    parser.add_argument("--delete_threshold", type=float, metavar="T",
                        help="EdiT5 runs: delete a word only when its P(DELETE) is above T "
                             "(default 0.5, or what an export was made with; 0.9 with "
                             "--insert_bias 1.5 for an LMCor corrector)")
    add_constraint_flags(parser)


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


def read_record_images(records: list, fmt: str, name: str, base_dir: Path) -> list:
    """Per input line: the uint8 pixels of its JSONL "image" file (read with Pillow), or None
    (no "image" key, or not JSONL). The path is relative to `base_dir` (the JSONL file's
    directory) unless absolute. InputError naming the file and line for a bad path or image."""
    from textedit.inference.line_images import read_line_image_file

    images = []
    for number, record in enumerate(records, start=1):
        if fmt != "jsonl" or "image" not in record:
            images.append(None)
            continue
        path = record["image"]
        if not isinstance(path, str) or not path:
            raise InputError(f'{name}:{number}: expected "image" to be an image file path, got '
                             f"{path!r}")
        try:
            images.append(read_line_image_file(base_dir / path))  # an absolute path stays
        except (FileNotFoundError, ValueError) as error:
            raise InputError(f"{name}:{number}: {error}") from None
    return images


def check_images_fit(images: list, records: list, editor, fmt: str, name: str) -> list | None:
    """The images to pass to `editor.edit` (None for a run without a tower). InputError naming
    the file and line where an image is missing (a tower run), given (a run without a tower) or
    of the wrong size."""
    shape = getattr(editor, "image_shape", None)
    if shape is None:
        for number, image in enumerate(images, start=1):
            if image is not None:
                raise InputError(f'{name}:{number}: "image" given, but the model has no image '
                                 "tower (it reads text only); drop the key or use a run trained "
                                 "with one")
        return None
    if fmt != "jsonl":
        raise InputError(f"{name}: the model has an image tower: give JSONL input with an "
                         '"image" file beside each "source" (this input is ' + fmt + ")")
    for number, image in enumerate(images, start=1):
        if image is None:
            raise InputError(f'{name}:{number}: the model has an image tower: expected an '
                             '"image" key (a line image file) beside "source"')
        if image.shape != tuple(shape):
            raise InputError(f"{name}:{number}: image {records[number - 1]['image']}: expected "
                             f"{shape[0]} x {shape[1]} pixels (height x width, the tower's input "
                             f"size), got {image.shape[0]} x {image.shape[1]}")
    return images


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
    if result.status == "edited":  # EdiT5 (with a plan) and seq2seq (without) outputs
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
            if result.constraints is not None:
                record["constraints"] = result.constraints
            if explain:
                record["edit"] = result.to_json()
            lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def restrict_insertions(editor, args: argparse.Namespace) -> str:
    """Gives an EdiT5 editor the insertion vocabulary of --insertion_vocabulary TASK (its
    training edits tokenised with the run's own vocabulary); a line saying what it scores."""
    from textedit.cli.edit_task_stats import inserted_pieces, most_inserted
    from textedit.cli.flags import register_tasks
    from textedit.inference.editor import Editor

    if not isinstance(editor, Editor):
        raise ValueError(f"{editor.source} is a seq2seq model; the insertion vocabulary is "
                         "for EdiT5's insertion decoder")
    register_tasks(args)
    task = args.insertion_vocabulary
    counts = inserted_pieces(task, editor.positions["num_position_tokens"],
                             vocabulary=editor.vocabulary)
    pieces = most_inserted(counts, args.insertion_vocabulary_size)
    size = editor.set_insertion_vocabulary(pieces)
    which = (f"the {len(pieces)} pieces inserted in" if len(pieces) == len(counts) else
             f"the {len(pieces)} most frequent of the {len(counts)} pieces inserted in")
    return (f"insertion vocabulary: {size} ids scored ({which} {task} train, plus padding, EOS, "
            "UNK and the position tokens)")


def run(args: argparse.Namespace) -> int:
    from textedit.data.data_dir import DataFileNotFoundError
    from textedit.data.readers.malformed_input import MalformedInputError

    fmt = input_format(args)
    name = "<stdin>" if args.input == "-" else args.input
    try:
        lines = read_input_lines(args.input)
        sources, records = sources_of(lines, fmt, name, args.source_column)
        base_dir = Path.cwd() if args.input == "-" else Path(args.input).parent
        images = read_record_images(records, fmt, name, base_dir)
    except (InputError, MalformedInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        check_constraint_flags(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.insertion_vocabulary_size is not None and not args.insertion_vocabulary:
        print("error: --insertion_vocabulary_size needs --insertion_vocabulary", file=sys.stderr)
        return 2
    if not Path(args.model).exists() and not Path(args.model + ".index").exists():
        print(f"error: --model {args.model}: no such run, checkpoint or export", file=sys.stderr)
        return 2

    from textedit.inference.editor import Editor

    start = time.perf_counter()
    try:
        editor = Editor.load(args.model, max_input_length=args.max_input_length,
                             max_insert_length=args.max_insert_length,
                             batch_size=args.batch_size, constraints=args.constraint,
                             classifier=args.classifier, insert_bias=args.insert_bias,
                             delete_threshold=args.delete_threshold)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.insertion_vocabulary:
        try:
            print(restrict_insertions(editor, args), file=sys.stderr)
        except (DataFileNotFoundError, ValueError) as error:
            print(f"error: --insertion_vocabulary {args.insertion_vocabulary}: {error}",
                  file=sys.stderr)
            return 2
    try:
        images = check_images_fit(images, records, editor, fmt, name)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model: {editor.source}; input lengths {editor.buckets}", file=sys.stderr)
    loaded = time.perf_counter()
    results = editor.edit(sources, explain=True, images=images)
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
    if args.constraint:
        records = [r.constraints for r in results if r.constraints is not None]
        print(f"constraints: {sum(r['satisfied'] for r in records)}/{len(records)} satisfied "
              f"({sum(r['initial_satisfied'] for r in records)} already by greedy decoding)",
              file=sys.stderr)
    if stats.too_long:
        print(f"warning: {stats.too_long} input(s) longer than {editor.max_input_length - 1} "
              "pieces passed through unchanged", file=sys.stderr)
    return 0
