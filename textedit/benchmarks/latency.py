"""Inference latency (`textedit benchmark latency`): EdiT5 vs seq2seq latency and throughput on
W&I dev. `run(LatencySettings(...))` measures and returns the report, `format_report` makes it
Markdown; the settings are the command's flags, named alike.

Three models with the same vocabulary, d_model and encoder (by default T5 "small": d_model 256,
6 encoder layers): EdiT5 (1-layer insertion decoder plus tagger, pointer and re-order blocks),
seq2seq with the full 6-layer decoder, and seq2seq "slim" with a 1-layer decoder. With
`--insertion_vocabulary TASK` a fourth row, "EdiT5 + insertion vocabulary": the same EdiT5
model (same weights, same forced lengths) whose insertion decoder scores only the pieces TASK's
training edits insert (textedit.decoding.insertion_vocabulary).

Inputs: the first `--num_examples` W&I A/B/C dev sources (`gec_wi_fce` validation, gold target =
the first annotator's correction), tokenised beforehand (tokenisation is NOT timed), EOS appended,
padded to the smallest `--buckets` length that holds the source + EOS, the gold target + EOS and
the gold insertion target (`<pos_k>` pieces ... EOS); XLA compiles once per bucket and batch size.
Examples longer than the largest bucket, or whose edit needs more position tokens than the
vocabulary has, are skipped and counted. The decode buffers (seq2seq `max_decode_length`, EdiT5
`max_insert_length`) are the bucket length unless `--max_decode_length` / `--max_insert_length`.

Lengths. A model given a trained run (`--edit5_run`, `--seq2seq_run`, `--slim_run`: a run
directory of `textedit train`) decodes until its own EOS; nothing is forced. A model without one is
freshly initialised (seed 0), and its decoding is made to do the work a trained model would:
  - seq2seq full / slim: EOS forced exactly after the gold target's pieces (gold pieces + 1 steps);
  - EdiT5: the insertion decoder's EOS forced exactly at the gold insertion target's length
    (`<pos_k>`, pieces, EOS: len(decoder_targets) steps; 1 step when nothing is inserted).
EdiT5's encoder, tagger, pointer (Sinkhorn), order decoding (a fixed L-step loop), re-order layer
and position-constrained insertion decoding all run as in `edit_step`; its tags and order are the
model's own predictions (not forced). `textedit/decoding/forced_length.py` does the forcing.

Timed: what a user pays per call, from token ids in host memory (numpy) to output ids in host
memory: the XLA computation (`greedy_decode` / `edit_step`, or their forced twins), the copy back,
and the host post-processing (EdiT5: `realise_batch`, edit plans and realised ids, Python, also
reported on its own; seq2seq: ids cut at EOS). Each model's output layer is transposed once
before timing, as `Editor` and `Seq2SeqEditor` do (`output_layer_by_vocab`), not in every call.
First calls (tracing + XLA compilation) and
`--warmup` calls per bucket and batch size are not timed; they are reported separately
(TensorFlow's "triggered tf.function retracing" warnings then are these expected compilations).
Batch 1: every example once per `--repeats` (its median), mean / median / p95 (linear
interpolation, numpy's default) over the examples. Batch `--batch_size` (32): each bucket's
examples in batches of 32, a bucket's last batch filled up with repeats of its own rows; throughput
counts each real example once (so the filler rows' work is paid, not counted). The models take
turns example by example (and batch by batch), so a change in machine load hits all of them alike.
Decoder steps per example: seq2seq generated tokens including EOS, EdiT5 insertion decoder steps
including EOS (from the batch-1 outputs; without EOS, the buffer length).

Threads: `--threads` sets TensorFlow's intra-op and inter-op threads (default: all cores); the
1-minute load average before and after is reported, since other jobs sharing the cores slow every
model down.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

DEFAULT_BUCKETS = (16, 32, 64, 128)
MODEL_NAMES = ("EdiT5", "seq2seq full", "seq2seq slim")
LISTED_NAME = "EdiT5 + insertion vocabulary"
RUN_FLAGS = dict(zip(MODEL_NAMES, ("edit5_run", "seq2seq_run", "slim_run"), strict=True))
SKIP_TOO_LONG = "longer_than_largest_bucket"
SKIP_POSITIONS = "too_many_position_tokens"


@dataclasses.dataclass
class LatencySettings:
    """What `run` measures (module docstring); each field is the flag of the same name.

    Attributes:
      num_examples: the first N W&I dev sources (skipped ones counted, not replaced).
      buckets: padded input lengths (one XLA compilation per bucket and batch).
      batch_size: the throughput batch.
      repeats: timed calls per example at batch 1 (their median counts).
      warmup: untimed calls per bucket and batch size after compilation.
      threads: TensorFlow intra-op and inter-op threads (None: all cores).
      size: T5 size of the models built without a run.
      vocab_size: embedding rows of the models built without a run.
      edit5_run, seq2seq_run, slim_run: trained run directories (None: random init).
      max_decode_length: seq2seq decode buffer (None: the bucket length).
      max_insert_length: EdiT5 insertion buffer (None: the bucket length).
      vocab_dir: the vocabulary when no run brings its own (None: the default one).
      insertion_vocabulary: piece ids EdiT5's insertion decoder may emit (`shortlist_ids` adds
        padding, EOS, UNK and `<pos_k>`); given, the same EdiT5 model is also timed with it, as
        "EdiT5 + insertion vocabulary" (textedit.decoding.insertion_vocabulary).
      insertion_vocabulary_source: where those ids came from, for the report.
      skip_bad_lines: skip malformed W&I dev lines instead of failing.
      json: also write the report as JSON to this file.
    """

    num_examples: int = 500
    buckets: Sequence[int] = DEFAULT_BUCKETS
    batch_size: int = 32
    repeats: int = 1
    warmup: int = 1
    threads: int | None = None
    size: str = "small"
    vocab_size: int = 16128
    edit5_run: str | None = None
    seq2seq_run: str | None = None
    slim_run: str | None = None
    max_decode_length: int | None = None
    max_insert_length: int | None = None
    vocab_dir: str | None = None
    insertion_vocabulary: Sequence[int] | None = None
    insertion_vocabulary_source: str | None = None
    skip_bad_lines: bool = False
    json: str | None = None


# Examples -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LatencyExample:
    """One source with its gold lengths.

    Attributes:
      source: int32 [n + 1], source pieces + EOS (unpadded).
      target_steps: seq2seq decoder steps of the gold target (pieces + EOS).
      insertion_steps: EdiT5 insertion decoder steps of the gold edit (len(decoder_targets)).
      bucket: the padded length used for this example's input and decode buffers.
    """

    source: np.ndarray
    target_steps: int
    insertion_steps: int
    bucket: int


def prepare_examples(
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]], *, buckets: Sequence[int],
    num_position_tokens: int, first_position_id: int, eos_id: int = 1,
) -> tuple[list[LatencyExample], dict[str, int]]:
    """Gold lengths and buckets of tokenised (source, target) pairs (no EOS on either).

    Returns:
      (examples in input order, skipped counts by reason).
    """
    from textedit.edits import TooManyPositionsError, convert, decoder_target

    buckets = sorted(buckets)
    examples, skipped = [], collections.Counter()
    for source, target in pairs:
        source, target = [int(t) for t in source], [int(t) for t in target]
        try:
            plan = convert(source, target, max_positions=num_position_tokens)
        except TooManyPositionsError:
            skipped[SKIP_POSITIONS] += 1
            continue
        insertion_steps = len(decoder_target(plan, lambda k: first_position_id + k)) + 1
        needed = max(len(source) + 1, len(target) + 1, insertion_steps)
        bucket = next((b for b in buckets if b >= needed), None)
        if bucket is None:
            skipped[SKIP_TOO_LONG] += 1
            continue
        examples.append(LatencyExample(np.asarray([*source, eos_id], np.int32),
                                       len(target) + 1, insertion_steps, bucket))
    return examples, dict(skipped)


def load_wi_dev_pairs(vocabulary, num_examples: int, skip_bad_lines: bool = False
                      ) -> list[tuple[list[int], list[int]]]:
    """The first `num_examples` W&I dev (source, first reference) pairs as vocabulary ids."""
    from textedit.data.dataset_catalog import VALIDATION, load_split

    examples = load_split("gec_wi_fce", VALIDATION, skip_bad_lines).examples[:num_examples]
    return [(list(vocabulary.encode(e.source)), list(vocabulary.encode(e.references[0])))
            for e in examples]


def pad_batch(examples: Sequence[LatencyExample], length: int) -> np.ndarray:
    """int32 [len(examples), length]: each source, then padding 0."""
    batch = np.zeros((len(examples), length), np.int32)
    for row, example in enumerate(examples):
        batch[row, :len(example.source)] = example.source
    return batch


# Statistics -----------------------------------------------------------------------------------


def latency_summary(seconds: Sequence[float]) -> dict:
    """Mean, median, p95 (numpy's linear interpolation), min and max in milliseconds."""
    ms = 1000.0 * np.asarray(seconds, np.float64)
    return {"count": int(ms.size), "mean_ms": float(ms.mean()),
            "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "min_ms": float(ms.min()), "max_ms": float(ms.max())}


def cut_at_eos(tokens: np.ndarray, eos_id: int = 1) -> list[list[int]]:
    """Each row's ids before its first EOS (all of them without one), tokens int [b, T]."""
    steps = decoder_steps(tokens, eos_id)
    has_eos = (np.asarray(tokens) == eos_id).any(axis=1)
    return [row[:n - 1 if eos else n].tolist()
            for row, n, eos in zip(tokens, steps, has_eos, strict=True)]


def decoder_steps(tokens: np.ndarray, eos_id: int = 1) -> np.ndarray:
    """Steps each row ran: the first EOS's index + 1, or the row length without EOS.
    tokens int [b, T] -> int [b]."""
    tokens = np.asarray(tokens)
    is_eos = tokens == eos_id
    return np.where(is_eos.any(axis=1), is_eos.argmax(axis=1) + 1, tokens.shape[1])


# Models ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class CallResult:
    """One timed call: outputs in host memory and where the time went."""

    steps: np.ndarray  # int [b]: decoder steps per row
    ended: np.ndarray  # bool [b]: the row produced EOS (else it ran to the buffer's end)
    device_seconds: float  # tokens to device, XLA computation, outputs back to numpy
    host_seconds: float  # post-processing in Python (realise_batch / cut at EOS)

    @property
    def seconds(self) -> float:
        return self.device_seconds + self.host_seconds


@dataclasses.dataclass
class TimedModel:
    """A model under test and how it decodes.

    Attributes:
      name: shown in the report.
      model: `Edit5Model` when `edit5`, else `T5EncoderDecoder`.
      edit5: EdiT5 inference (`edit_step` + `realise_batch`) instead of greedy decoding.
      forced: decode the gold number of steps (forced_length.py) instead of to the model's EOS.
      max_length: the decode buffer (None: the bucket length).
      source: "random init (seed 0)" or the run directory and step.
      insertion_vocabulary: an `InsertionVocabulary` of `model` (EdiT5 only): a list, or the
        whole output layer made once (`whole_output_layer`, as `Editor` does); None: none.
      output_layer: seq2seq only: `output_layer_by_vocab()` made once (as `Seq2SeqEditor`
        does), or None (tied models; the output layer then needs no transpose).
    """

    name: str
    model: object
    edit5: bool
    forced: bool
    max_length: int | None = None
    source: str = "random init (seed 0)"
    insertion_vocabulary: object = None
    output_layer: object = None

    def buffer_length(self, bucket: int) -> int:
        return self.max_length or bucket

    def gold_steps(self, examples: Sequence[LatencyExample]) -> np.ndarray:
        return np.asarray([e.insertion_steps if self.edit5 else e.target_steps
                           for e in examples], np.int32)

    def __call__(self, tokens: np.ndarray, lengths: np.ndarray | None,
                 buffer: int) -> CallResult:
        """Decodes `tokens` int32 [b, L] (numpy); `lengths` int [b] when forced."""
        import tensorflow as tf

        from textedit.decoding import edit_step, greedy_decode, realise_batch
        from textedit.decoding.forced_length import forced_edit_step, forced_greedy_decode

        start = time.perf_counter()
        inputs = tf.constant(tokens)
        if self.edit5:
            config = self.model.config
            listed = ({} if self.insertion_vocabulary is None
                      else {"insertion_vocabulary": self.insertion_vocabulary})
            if self.forced:
                outputs = forced_edit_step(self.model, inputs, tf.constant(lengths), buffer,
                                           **listed)
            else:
                outputs = edit_step(self.model, inputs, buffer, **listed)
            tags, pointers = outputs.tags.numpy(), outputs.pointers.numpy()
            insertions = outputs.insertion_tokens.numpy()
            computed = time.perf_counter()
            realise_batch(tokens, tags, pointers, insertions,
                          first_position_id=config.first_position_id,
                          num_position_tokens=config.num_position_tokens,
                          eos_id=config.t5.eos_id, pad_id=config.t5.pad_id)
            eos_id, generated = config.t5.eos_id, insertions
        else:
            layer = self.output_layer
            if self.forced:
                generated = forced_greedy_decode(self.model, inputs, tf.constant(lengths), buffer,
                                                 output_layer=layer)
            else:
                generated = greedy_decode(self.model, inputs, buffer, output_layer=layer)
            generated = generated.numpy()
            computed = time.perf_counter()
            eos_id = self.model.config.eos_id
            cut_at_eos(generated, eos_id)  # the ids a caller gets
        done = time.perf_counter()
        return CallResult(decoder_steps(generated, eos_id), (generated == eos_id).any(axis=1),
                          computed - start, done - computed)


def build_models(args: LatencySettings, num_position_tokens: int,
                 first_position_id: int) -> tuple[list[TimedModel], object | None]:
    """The three models (from runs or random init) and the vocabulary of the runs (None when no
    run was given). Runs must share one vocabulary (the same SentencePiece model file)."""
    import keras

    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.models.edit5.edit5_config import Edit5Config
    from textedit.models.edit5.edit5_model import Edit5Model
    from textedit.runs.run_artifacts import load_run

    models, vocabulary, vocab_bytes = [], None, None
    for name, flag in RUN_FLAGS.items():
        run_dir = getattr(args, flag)
        edit5 = name == "EdiT5"
        max_length = args.max_insert_length if edit5 else args.max_decode_length
        if run_dir:
            run = load_run(run_dir)
            expected = Edit5Model if edit5 else T5EncoderDecoder
            if not isinstance(run.model, expected):
                raise ValueError(f"--{flag} {run_dir}: expected a {expected.__name__}, got "
                                 f"{type(run.model).__name__}")
            model_file = Path(run.vocabulary.sentencepiece_model_file).read_bytes()
            if vocab_bytes is not None and model_file != vocab_bytes:
                raise ValueError(f"{run_dir} has another vocabulary than the other runs")
            vocabulary, vocab_bytes = run.vocabulary, model_file
            models.append(TimedModel(name, run.model, edit5, False, max_length,
                                     f"{run.run_dir} (step {run.step})"))
            continue
        keras.utils.set_random_seed(0)
        layers = {} if name == "seq2seq full" else {"num_decoder_layers": 1}
        t5 = T5Config.named(args.size, vocab_size=args.vocab_size, dropout_rate=0.0, **layers)
        if edit5:
            model = Edit5Model(Edit5Config(t5=t5, num_position_tokens=num_position_tokens,
                                           first_position_id=first_position_id,
                                           max_input_length=max(512, max(args.buckets))))
        else:
            model = T5EncoderDecoder(t5)
        models.append(TimedModel(name, model, edit5, True, max_length))
    from textedit.decoding.insertion_vocabulary import (
        insertion_vocabulary,
        shortlist_ids,
        whole_output_layer,
    )

    # Each model's output layer is made once, as the Editors do, not transposed in every call.
    models = [dataclasses.replace(m, insertion_vocabulary=whole_output_layer(m.model)) if m.edit5
              else dataclasses.replace(m, output_layer=m.model.output_layer_by_vocab())
              for m in models]
    if args.insertion_vocabulary is not None:
        edit5 = models[0]
        ids = shortlist_ids(args.insertion_vocabulary, edit5.model.config)
        models.insert(1, dataclasses.replace(
            edit5, name=LISTED_NAME,
            insertion_vocabulary=insertion_vocabulary(edit5.model, ids)))
    return models, vocabulary


def describe(model: TimedModel) -> dict:
    t5 = model.model.config.t5 if model.edit5 else model.model.config
    listed = model.insertion_vocabulary
    return {"name": model.name, "weights": model.source, "forced_lengths": model.forced,
            "insertion_vocabulary_size": (None if listed is None or listed.index is None
                                          else int(listed.rows.shape[0])),
            "parameters": int(model.model.count_params()), "d_model": t5.d_model,
            "encoder_layers": t5.num_encoder_layers, "decoder_layers": t5.num_decoder_layers,
            "vocab_size": t5.vocab_size}


# The benchmark --------------------------------------------------------------------------------


def _rotated(models: Sequence[TimedModel], turn: int) -> list[TimedModel]:
    turn %= len(models)
    return list(models[turn:]) + list(models[:turn])


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_benchmark(models: Sequence[TimedModel], examples: Sequence[LatencyExample], *,
                  batch_size: int = 32, repeats: int = 1, warmup: int = 1,
                  progress: Callable[[str], None] = _progress) -> dict:
    """Times every model at batch 1 and at `batch_size` (module docstring); returns per model
    its latency summary, throughput, decoder steps and compile times."""
    by_bucket: dict[int, list[LatencyExample]] = collections.defaultdict(list)
    for example in examples:
        by_bucket[example.bucket].append(example)
    results = {m.name: {"compile_seconds": {}, "batch1": [], "batch1_host": [],
                        "steps": [], "without_eos": 0,
                        "batches": []} for m in models}

    def lengths_for(model: TimedModel, rows: Sequence[LatencyExample], buffer: int):
        return np.minimum(model.gold_steps(rows), buffer).astype(np.int32) if model.forced else None

    # Compilation and warm-up, per bucket and batch size.
    start = time.perf_counter()
    for bucket, rows in sorted(by_bucket.items()):
        for batch in sorted({1, batch_size}):
            chosen = [rows[i % len(rows)] for i in range(batch)]
            tokens = pad_batch(chosen, bucket)
            for model in models:
                buffer = model.buffer_length(bucket)
                lengths = lengths_for(model, chosen, buffer)
                began = time.perf_counter()
                model(tokens, lengths, buffer)
                results[model.name]["compile_seconds"][f"{bucket}x{batch}"] = (
                    time.perf_counter() - began)
                for _ in range(warmup):
                    model(tokens, lengths, buffer)
        progress(f"compiled bucket {bucket} (batch 1 and {batch_size}) for {len(models)} models; "
                 f"{time.perf_counter() - start:.0f}s so far")

    # Batch 1: every example, the models taking turns.
    start = time.perf_counter()
    for index, example in enumerate(examples):
        tokens = pad_batch([example], example.bucket)
        for model in _rotated(models, index):
            buffer = model.buffer_length(example.bucket)
            lengths = lengths_for(model, [example], buffer)
            calls = [model(tokens, lengths, buffer) for _ in range(repeats)]
            if lengths is not None and not all((c.steps == lengths).all() for c in calls):
                raise AssertionError(f"{model.name}: forced {lengths.tolist()} steps, decoded "
                                     f"{[c.steps.tolist() for c in calls]}")
            median = int(np.argsort([c.seconds for c in calls])[len(calls) // 2])
            result = results[model.name]
            result["batch1"].append(calls[median].seconds)
            result["batch1_host"].append(calls[median].host_seconds)
            result["steps"].append(int(calls[median].steps[0]))
            result["without_eos"] += int(not calls[median].ended[0])
        done = index + 1
        if done % 25 == 0 or done == len(examples):
            elapsed = time.perf_counter() - start
            progress(f"batch 1: {done}/{len(examples)} examples, "
                     f"{done / elapsed:.1f} examples/s (all models), "
                     f"ETA {elapsed / done * (len(examples) - done):.0f}s")

    # Batch `batch_size`: each bucket in full batches, the last one filled with its own rows.
    turn = 0
    for bucket, rows in sorted(by_bucket.items()):
        for first in range(0, len(rows), batch_size):
            real = rows[first:first + batch_size]
            chosen = [real[i % len(real)] for i in range(batch_size)]
            tokens = pad_batch(chosen, bucket)
            for model in _rotated(models, turn):
                buffer = model.buffer_length(bucket)
                lengths = lengths_for(model, chosen, buffer)
                call = model(tokens, lengths, buffer)
                if lengths is not None and not (call.steps == lengths).all():
                    raise AssertionError(f"{model.name}: forced lengths not decoded at batch "
                                         f"{batch_size}")
                results[model.name]["batches"].append(
                    {"bucket": bucket, "real_examples": len(real), "seconds": call.seconds,
                     "host_seconds": call.host_seconds, "max_steps": int(call.steps.max())})
            turn += 1
        progress(f"batch {batch_size}: bucket {bucket} done")

    report = {"models": []}
    for model in models:
        result = results[model.name]
        batches = result["batches"]
        total = sum(b["seconds"] for b in batches)
        real = sum(b["real_examples"] for b in batches)
        steps = np.asarray(result["steps"])
        gold = model.gold_steps(examples)
        buffers = np.asarray([model.buffer_length(e.bucket) for e in examples])
        report["models"].append({
            **describe(model),
            "batch1": latency_summary(result["batch1"]),
            "batch1_host": latency_summary(result["batch1_host"]),
            "batch1_seconds": result["batch1"],
            "throughput": {
                "batch_size": batch_size, "batches": len(batches), "examples": real,
                "filler_rows": len(batches) * batch_size - real,
                "examples_per_second": real / total,
                "ms_per_batch_mean": 1000 * total / len(batches),
                "host_ms_per_batch_mean": 1000 * sum(b["host_seconds"] for b in batches)
                / len(batches)},
            "decoder_steps_mean": float(steps.mean()),
            "gold_decoder_steps_mean": float(gold.mean()),
            "rows_without_eos": result["without_eos"],
            "forced_lengths_clamped": int((gold > buffers).sum()) if model.forced else 0,
            "compile_seconds": result["compile_seconds"],
            "compile_seconds_total": float(sum(result["compile_seconds"].values())),
        })
    by_name = {m["name"]: m for m in report["models"]}
    for name, key in (("EdiT5", "edit5_speedup"), (LISTED_NAME, "listed_speedup")):
        if name not in by_name:
            continue
        edit5 = by_name[name]
        report[key] = {
            other: {"p95": by_name[other]["batch1"]["p95_ms"] / edit5["batch1"]["p95_ms"],
                    "mean": by_name[other]["batch1"]["mean_ms"] / edit5["batch1"]["mean_ms"],
                    "median": by_name[other]["batch1"]["median_ms"]
                    / edit5["batch1"]["median_ms"],
                    "throughput": edit5["throughput"]["examples_per_second"]
                    / by_name[other]["throughput"]["examples_per_second"],
                    "decoder_steps": by_name[other]["decoder_steps_mean"]
                    / edit5["decoder_steps_mean"]}
            for other in by_name if other not in ("EdiT5", LISTED_NAME)}
    return report


def configure_threads(threads: int | None) -> None:
    """Sets TensorFlow's intra- and inter-op threads (None: all cores) unless they already are;
    once TensorFlow runs they cannot change, and the report shows the ones in effect."""
    import tensorflow as tf

    threads = threads or os.cpu_count()
    current = (tf.config.threading.get_intra_op_parallelism_threads(),
               tf.config.threading.get_inter_op_parallelism_threads())
    if current == (threads, threads):
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already running in this process: the report says so
        _progress("TensorFlow already initialised; --threads ignored")


def run(args: LatencySettings) -> dict:
    """Builds the models, loads and tokenises W&I dev, times everything; the full report. The data
    directory is the current one (`textedit.data.data_dir.set_data_dir`)."""
    import tensorflow as tf

    configure_threads(args.threads)
    import keras

    from textedit.data.vocab.vocabulary import FIRST_POSITION_ID, get_vocabulary, read_manifest

    load_before = os.getloadavg()
    manifest = read_manifest(args.vocab_dir)
    models, run_vocabulary = build_models(args, manifest.num_position_tokens, FIRST_POSITION_ID)
    vocabulary = run_vocabulary or get_vocabulary(args.vocab_dir)
    if run_vocabulary is not None:
        manifest = read_manifest(Path(run_vocabulary.sentencepiece_model_file).parent)
    pairs = load_wi_dev_pairs(vocabulary, args.num_examples, args.skip_bad_lines)
    examples, skipped = prepare_examples(
        pairs, buckets=args.buckets, num_position_tokens=manifest.num_position_tokens,
        first_position_id=FIRST_POSITION_ID, eos_id=vocabulary.eos_id)
    if not examples:
        raise SystemExit("no W&I dev example fits the buckets; raise --buckets")
    _progress(f"{len(examples)} of {len(pairs)} W&I dev examples "
              f"(skipped: {skipped or 'none'}); models: "
              + ", ".join(f"{m.name} ({'forced' if m.forced else 'own EOS'})" for m in models))
    report = run_benchmark(models, examples, batch_size=args.batch_size, repeats=args.repeats,
                           warmup=args.warmup)
    report.update(
        data="W&I A/B/C dev (gec_wi_fce validation), first reference as gold",
        examples_requested=args.num_examples, examples_read=len(pairs),
        examples_timed=len(examples), skipped=skipped,
        bucket_counts={str(b): sum(e.bucket == b for e in examples) for b in args.buckets},
        source_pieces_mean=float(np.mean([len(e.source) - 1 for e in examples])),
        buckets=list(args.buckets), repeats=args.repeats, warmup=args.warmup,
        max_decode_length=args.max_decode_length, max_insert_length=args.max_insert_length,
        threads={"tf_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                 "tf_inter_op": tf.config.threading.get_inter_op_parallelism_threads()},
        cpu=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        devices=[d.name for d in tf.config.list_logical_devices()],
        tensorflow=tf.__version__, keras=keras.__version__,
        load_average_before=list(load_before), load_average_after=list(os.getloadavg()),
        tokenisation_timed=False,
        insertion_vocabulary_source=args.insertion_vocabulary_source)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return report


# Output ---------------------------------------------------------------------------------------


def format_report(r: dict) -> str:
    """The report as Markdown."""
    forced = [m["name"] for m in r["models"] if m["forced_lengths"]]
    lines = [
        f"## Inference latency on {r['data']}",
        "",
        f"{r['examples_timed']} of the first {r['examples_read']} sources timed "
        f"(skipped: {r['skipped'] or 'none'}); mean source length "
        f"{r['source_pieces_mean']:.1f} pieces; buckets "
        + ", ".join(f"{b}: {n}" for b, n in r["bucket_counts"].items()) + ".",
        f"CPU: {r['cpu']}; TensorFlow {r['tensorflow']}, Keras {r['keras']}, XLA; "
        f"threads intra/inter-op {r['threads']['tf_intra_op']}/{r['threads']['tf_inter_op']}; "
        f"1-minute load average {r['load_average_before'][0]:.2f} before, "
        f"{r['load_average_after'][0]:.2f} after (other jobs on these cores slow all models).",
        "Timed: token ids in host memory -> output ids in host memory (XLA decode, copy back, "
        "host post-processing; EdiT5 includes realise_batch). Tokenisation and compilation "
        "are not timed.",
    ]
    if forced:
        lines.append(
            "Forced lengths (random-init models: " + ", ".join(forced) + "): seq2seq emits EOS "
            "exactly after the gold target's pieces; EdiT5's insertion decoder emits EOS exactly "
            "at the gold insertion target's length (<pos_k>, pieces, EOS). EdiT5 tags and order "
            "are the model's own. Trained models (if any) stop at their own EOS.")
    shapes = {(m["d_model"], m["encoder_layers"], m["vocab_size"]) for m in r["models"]}
    if len(shapes) > 1:
        lines.append("WARNING: the models differ in d_model, encoder layers or vocabulary size: "
                     + ", ".join(f"{m['name']} {m['d_model']}/{m['encoder_layers']}/"
                                 f"{m['vocab_size']}" for m in r["models"]))
    batch = r["models"][0]["throughput"]["batch_size"]
    lines += [
        "",
        f"| model | weights | params | enc+dec layers | b=1 mean ms | b=1 median ms | b=1 p95 ms "
        f"| b={batch} examples/s | ms per {batch}-batch | decoder steps/example | compile s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in r["models"]:
        b1, tp = m["batch1"], m["throughput"]
        weights = "random, forced lengths" if m["forced_lengths"] else m["weights"]
        lines.append(
            f"| {m['name']} | {weights} | {m['parameters'] / 1e6:.1f} M | "
            f"{m['encoder_layers']}+{m['decoder_layers']} | {b1['mean_ms']:.1f} | "
            f"{b1['median_ms']:.1f} | {b1['p95_ms']:.1f} | {tp['examples_per_second']:.1f} | "
            f"{tp['ms_per_batch_mean']:.0f} | {m['decoder_steps_mean']:.2f} | "
            f"{m['compile_seconds_total']:.0f} |")
    lines.append("")
    for m in r["models"]:
        if m["name"] == "EdiT5":
            share = m["batch1_host"]["mean_ms"] / m["batch1"]["mean_ms"]
            lines.append(f"EdiT5 host post-processing (realise_batch): "
                         f"{m['batch1_host']['mean_ms']:.2f} ms mean at batch 1 "
                         f"({100 * share:.1f}% of its latency), "
                         f"{m['throughput']['host_ms_per_batch_mean']:.1f} ms per {batch}-batch.")
        extra = []
        if m["rows_without_eos"]:
            extra.append(f"{m['rows_without_eos']} examples reached the buffer end without EOS")
        if m["forced_lengths_clamped"]:
            extra.append(f"{m['forced_lengths_clamped']} forced lengths clamped to the buffer")
        if extra:
            lines.append(f"{m['name']}: " + "; ".join(extra) + ".")
    if r.get("insertion_vocabulary_source"):
        size = next(m["insertion_vocabulary_size"] for m in r["models"]
                    if m["name"] == LISTED_NAME)
        lines.append(f"{LISTED_NAME}: the same EdiT5 model, its insertion decoder scoring "
                     f"{size} of {r['models'][0]['vocab_size']} ids "
                     f"({r['insertion_vocabulary_source']}).")
    speedups = [("EdiT5", s) for s in r.get("edit5_speedup", {}).items()]
    speedups += [(LISTED_NAME, s) for s in r.get("listed_speedup", {}).items()]
    for name, (other, s) in speedups:
        verdict = ""
        if other == "seq2seq full":
            verdict = " (target >= 10x: " + ("met" if s["p95"] >= 10 else "NOT met") + ")"
        lines.append(f"{name} vs {other}: p95 latency {s['p95']:.1f}x lower{verdict}, "
                     f"mean {s['mean']:.1f}x, median {s['median']:.1f}x; "
                     f"batch-{batch} throughput {s['throughput']:.1f}x; "
                     f"decoder steps {s['decoder_steps']:.1f}x fewer.")
    return "\n".join(lines)
