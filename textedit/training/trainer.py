"""The training loop: build under a strategy, resume or initialise, step, log, checkpoint, evaluate.

    result = train(TrainConfig(model_dir="runs/x", train_steps=1000, batch_size=32),
                   model_fn=lambda: T5EncoderDecoder(T5Config.named("small")),
                   objective=seq2seq_objective(),
                   optimizer_fn=lambda: make_optimizer("adamw", WarmupDecay(1e-3, 100)),
                   dataset_fn=seqio_train_dataset("gec_wi_fce", {"inputs": 128, "targets": 128}),
                   evaluators=[TaskEvaluator(...)])

Model-agnostic: any Keras model whose call takes the objective's `model_features` (or whatever
its `forward_fn` needs) and any `Objective`. The run directory holds:

    model.json                  the model's Keras config (textedit/runs/run_artifacts.py)
    checkpoints/ckpt-<step>.*   every `checkpoint_every` steps and at the last step, `keep` kept
    train/                      TensorBoard: loss, learning_rate, grad_norm, the objective's
                                metrics, examples_per_second, every `log_every` steps
    eval/<task>/, eval/*.jsonl  TensorBoard and SeqIO JSON logs of each evaluation (of the
                                weight average when `ema_decay` is set)

Restarting with the same arguments resumes from the latest checkpoint (model, optimiser, step,
data position, dropout RNG) and stops at `train_steps`: a run killed at any moment repeats at most
the steps since its last checkpoint and ends with the same number of steps. A fresh run (no
checkpoint in the directory) may start from `init_checkpoint` (weights only, with a report).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import tensorflow as tf

from textedit.objectives.objective import Objective
from textedit.runs.init_checkpoint import InitReport, load_initial_weights
from textedit.runs.run_artifacts import write_model_config
from textedit.training.multiworker import is_chief, peer_failures, run_checkpoints, summary_writer
from textedit.training.progress import Progress
from textedit.training.summaries import write_scalar
from textedit.training.train_data import DatasetFn, EpochBatches
from textedit.training.train_step import TrainStep
from textedit.training.weight_average import WeightAverage

PRECISIONS = ("float32", "mixed_bfloat16")


@dataclasses.dataclass
class TrainConfig:
    """What one run does.

    Attributes:
      model_dir: the run directory (module docstring).
      train_steps: total optimisation steps of the run (not steps to add on resume).
      batch_size: global batch size (all replicas together).
      checkpoint_every: steps between checkpoints (the last step is always saved).
      keep_checkpoints: checkpoints kept; older ones are deleted.
      eval_every: steps between evaluations; 0 = only after the last step.
      log_every: steps between progress lines and train summaries.
      clip_grad_norm: clip the global gradient norm to this (None or 0: no clipping).
      precision: "float32" or "mixed_bfloat16" (bfloat16 compute, float32 variables; no loss
        scaling needed). float16 is not offered: it needs loss scaling.
      data_seed: seed of the data order (epoch e uses data_seed + e).
      init_seed: seed of the initial weights (keras.utils.set_random_seed before the model is
        built); None = unseeded, every fresh run starts from other weights. A resumed run reads
        its weights from the checkpoint either way.
      init_checkpoint: another run's directory or checkpoint to take the weights from when this
        run has no checkpoint yet.
      ema_decay: keep a moving average of the trained weights with this decay (e.g. 0.995:
        a horizon of about 200 steps), evaluate with it, store it in every checkpoint and use it
        when the run is loaded (textedit/training/weight_average.py); None = no average.
      max_train_seconds: a wall-clock budget for this process's training steps and their input
        pipeline (the first, compiling step, checkpoints and evaluation excluded): the run
        stops after the first step past it, saves and evaluates as at its last step (None = no
        budget). For comparisons at equal CPU
        budget; a rerun resumes and spends a new budget.
    """

    model_dir: str | os.PathLike
    train_steps: int
    batch_size: int
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    eval_every: int = 0
    log_every: int = 100
    clip_grad_norm: float | None = 1.0
    precision: str = "float32"
    data_seed: int = 0
    init_seed: int | None = None
    init_checkpoint: str | None = None
    ema_decay: float | None = None
    max_train_seconds: float | None = None

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r}: expected one of {PRECISIONS}")
        for name in ("train_steps", "batch_size", "checkpoint_every", "keep_checkpoints",
                     "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: expected a positive integer")
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"ema_decay={self.ema_decay}: expected None or a number in (0, 1)")


@dataclasses.dataclass
class TrainResult:
    step: int  # steps completed (== config.train_steps at the end of a run)
    start_step: int  # where this process started (> 0 after a resume)
    stats: dict[str, float]  # the last logged train statistics
    eval_scores: dict[str, dict[str, float]]  # the last evaluation, {task: {metric: value}}
    checkpoints: list[int]  # steps of the checkpoints kept
    init_report: InitReport | None = None


@contextlib.contextmanager
def dtype_policy(precision: str):
    """Sets Keras's global dtype policy while the model is built."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _build_if_needed(model, objective: Objective, element_spec, strategy) -> None:
    """Creates the variables of a lazily built model with one forward pass on zeros."""
    if model.built:
        return
    # Length-bucketed streams leave lengths unknown (None); any length builds the same weights.
    zeros = {name: tf.zeros([1] + [d or 1 for d in spec.shape[1:].as_list()], spec.dtype)
             for name, spec in element_spec.items()}
    with strategy.scope():
        objective.forward(model, zeros, training=False)


def train(config: TrainConfig, model_fn: Callable[[], keras.Model], objective: Objective,
          optimizer_fn: Callable[[], keras.optimizers.Optimizer], dataset_fn: DatasetFn,
          strategy: tf.distribute.Strategy | None = None, evaluators: Sequence = (),
          log: Callable[[str], None] | None = None) -> TrainResult:
    """Trains (or resumes) the run described by `config`; see the module docstring."""
    strategy = strategy or tf.distribute.get_strategy()
    model_dir = Path(config.model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    log = log or Progress(config.train_steps, 0, config.batch_size).message

    if config.init_seed is not None:
        keras.utils.set_random_seed(config.init_seed)
    with dtype_policy(config.precision), strategy.scope():
        model = model_fn()
        optimizer = optimizer_fn()
    stream = EpochBatches(dataset_fn, strategy, config.batch_size, config.data_seed)
    spec = stream.element_spec
    objective.check_features(list(spec))
    _build_if_needed(model, objective, spec, strategy)
    chief = is_chief(strategy)  # the one process of a multi-worker run that writes model_dir
    if chief and not write_model_config(model_dir, model):
        log(f"note: {type(model).__name__} has no Keras config; {model_dir} gets no model.json")
    trained = objective.trained_variables(model)
    with strategy.scope():
        optimizer.build(trained)
    parameters = sum(math.prod(v.shape) for v in model.trainable_variables)
    trained_parameters = sum(math.prod(v.shape) for v in trained)
    part = ("" if trained_parameters == parameters
            else f" ({trained_parameters:,} of them trained by the objective, the rest frozen)")
    log(f"model: {parameters:,} trainable parameters{part}; objective {objective.name}; "
        f"{strategy.num_replicas_in_sync} replica(s) under {type(strategy).__name__}; "
        f"precision {config.precision}")

    average = None
    if config.ema_decay:
        with strategy.scope():
            average = WeightAverage(model, config.ema_decay)
    checkpoints = run_checkpoints(strategy, model_dir / "checkpoints", model, optimizer,
                                  config.keep_checkpoints, objective.state,
                                  average.averages if average else None)
    start_step = checkpoints.restore_latest()
    init_report = None
    if start_step:
        epoch, offset = int(checkpoints.data_epoch.numpy()), int(checkpoints.data_offset.numpy())
        log(f"resumed from {checkpoints.latest} at step {start_step}; data: epoch {epoch}, "
            f"skipping {offset} batches already used in it")
        skip_start = time.perf_counter()
        stream.start(epoch, offset)
    elif config.init_checkpoint:  # a fresh run (its data stream is at epoch 0, batch 0 already)
        init_report = load_initial_weights(config.init_checkpoint, model)
        log(init_report.summary())
        if average:
            average.reset()
    train_step = TrainStep(model, objective, optimizer, strategy, config.clip_grad_norm, average)
    writer = summary_writer(strategy, model_dir / "train")
    evaluators = evaluators if chief else ()
    progress = Progress(config.train_steps, start_step, config.batch_size)
    stats: dict[str, float] = {}
    eval_scores: dict[str, dict[str, float]] = {}

    step = start_step
    if step >= config.train_steps:
        log(f"nothing to do: the run has {step} of {config.train_steps} steps")
    budget = TrainingClock(config.max_train_seconds)
    last = False
    # A lost peer of a multi-worker run fails here with a message, not a hang.
    with peer_failures(strategy, lambda: step, lambda: checkpoints.latest):
        while step < config.train_steps and not last:
            with budget.timing() as timed:  # data included: part of the cost
                batch = next(stream)
                # A step compiles when it is the first or its batch has a new shape (length
                # buckets); compilation is not training time.
                timed.compiles = budget.new_shape(batch) or step == start_step
                if step == start_step and start_step:
                    log(f"data position restored in {time.perf_counter() - skip_start:.1f}s")
                step_stats = train_step(batch)
                if config.max_train_seconds:
                    step_stats = {k: v.numpy() for k, v in step_stats.items()}  # wait for the step
            step += 1
            last = step == config.train_steps or budget.spent()
            if last and step < config.train_steps:
                log(f"time budget of {config.max_train_seconds:.0f}s spent at step {step} "
                    f"({budget.seconds:.0f}s of training steps)")
            if step % config.log_every == 0 or last or step == start_step + 1:
                stats = {k: float(v) for k, v in step_stats.items() if k != "normalizer"}
                examples_per_second = progress.update(step, stats, budget.left())
                with writer.as_default():
                    for name, value in stats.items():
                        write_scalar(name, value, step)
                    if step > start_step + 1:  # the first interval includes compilation
                        write_scalar("examples_per_second", examples_per_second, step)
            if step % config.checkpoint_every == 0 or last:
                with progress.paused():
                    path = checkpoints.save(step, *stream.position)
                log(f"saved {path}")
            if evaluators and ((config.eval_every and step % config.eval_every == 0) or last):
                with progress.paused(), (average.swapped_in() if average
                                         else contextlib.nullcontext()):
                    eval_scores = _evaluate(evaluators, model, step, log)
    writer.flush()
    return TrainResult(step, start_step, stats, eval_scores, checkpoints.all_steps(), init_report)


class TrainingClock:
    """Seconds spent in train steps and their data against a budget; steps that compile (the
    first, and the first of each new batch shape) are excluded."""

    def __init__(self, budget: float | None):
        self.budget = budget
        self.seconds = 0.0
        self._shapes: set = set()

    def new_shape(self, batch) -> bool:
        """Whether `batch` (a nest of tensors or per-replica values) has shapes not seen yet."""
        shapes = tuple(tuple(getattr(value, "shape", ())) for value in tf.nest.flatten(
            batch, expand_composites=True))
        if shapes in self._shapes:
            return False
        self._shapes.add(shapes)
        return True

    @contextlib.contextmanager
    def timing(self):
        """Times the block unless the yielded record's `compiles` is set True inside it."""
        record = types.SimpleNamespace(compiles=False)
        start = time.perf_counter()
        yield record
        if not record.compiles:
            self.seconds += time.perf_counter() - start

    def spent(self) -> bool:
        return bool(self.budget) and self.seconds >= self.budget

    def left(self) -> float | None:
        """Seconds of the budget left (None without a budget)."""
        return max(self.budget - self.seconds, 0.0) if self.budget else None


def _evaluate(evaluators, model, step: int, log) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for evaluator in evaluators:
        start = time.perf_counter()
        result = evaluator.evaluate(model, step)
        scores.update(result)
        for task, values in result.items():
            shown = ", ".join(f"{k} {v:.4g}" for k, v in values.items())
            log(f"eval step {step} {task} ({time.perf_counter() - start:.0f}s): {shown}")
    return scores
