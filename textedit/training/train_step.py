"""The compiled train step: forward, loss, gradients, all-reduce, clipping, optimiser update.

    step = TrainStep(model, objective, optimizer, strategy, clip_grad_norm=1.0,
                     weight_average=None)   # or a training.weight_average.WeightAverage
    stats = step(distributed_batch)   # {"loss", "grad_norm", "learning_rate", metrics...}: []

Per replica (r = 1..R, each with its slice of the global batch):

    out_r = objective.loss_fn(objective.forward(model, batch_r), batch_r)      local sums
    g_r   = d out_r.loss_sum / d params       (objective.trained_variables(model): all by default)
    G, L, N = sum_r g_r, sum_r out_r.loss_sum, sum_r out_r.normalizer          all-reduce
    update with clip_by_global_norm(G / N, clip_grad_norm); loss = L / N
    objective.after_update_fn(model)                      (if any: e.g. J-BOND's EMA anchor)
    weight_average.update()                               (if any: the run's EMA_DECAY average)

An objective whose loss mixes parts with different normalisers (EdiT5: per tag, per pointer row,
per decoder token) gives a `normalizers_fn(batch)`; the step sums those over replicas first and
passes them to `loss_fn(outputs, batch, normalizers)`, which returns a loss already divided by
them (`LossOutput.normalizer = None`), so the replicas' shares add up to the global loss.

Because sums are reduced before dividing, a global batch gives the same loss and update on one
device as on R replicas, up to floating-point summation order (the MirroredStrategy test checks
1e-5 relative). Keras's optimiser would all-reduce the gradients again inside `apply_gradients`;
the step reduces them itself (it needs the reduced gradient's norm to clip), so the optimiser's
own reduction is switched off (`_disable_keras_gradient_reduction`).

XLA (`jit_compile=True`): under the default strategy the whole step, optimiser update included,
is one XLA computation. Under a distribution strategy the per-replica forward and backward pass
is compiled with XLA and the all-reduce and update run in the surrounding tf.function (Keras and
tf.distribute do not support cross-replica collectives inside an XLA cluster on CPU/GPU; on TPU
the whole replica function is compiled by the TPU compiler anyway).
"""

from __future__ import annotations

import tensorflow as tf

from textedit.objectives.objective import LossOutput, Objective
from textedit.training.distribution import is_distributed


def _disable_keras_gradient_reduction(optimizer) -> None:
    """Keras 3's TF optimiser sums gradients over replicas in apply_gradients; ours are summed
    already. Fails loudly if a Keras upgrade renames the hook (the MirroredStrategy test would
    otherwise catch doubled gradients)."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if not hasattr(inner, "_all_reduce_sum_gradients"):
        raise RuntimeError("this Keras version's optimiser has no _all_reduce_sum_gradients; "
                           "the train step cannot avoid a second gradient all-reduce")
    inner._all_reduce_sum_gradients = lambda grads_and_vars: list(grads_and_vars)


def _split_metrics(out: LossOutput) -> tuple[dict, dict]:
    """{name: sum}, {name: count or None (= normalizer)}."""
    sums, counts = {}, {}
    for name, value in out.metrics.items():
        if isinstance(value, tuple):
            sums[name], counts[name] = value
        else:
            sums[name], counts[name] = value, None
    return sums, counts


class TrainStep:
    """One optimisation step of `model` on a distributed batch (module docstring)."""

    def __init__(self, model, objective: Objective, optimizer, strategy: tf.distribute.Strategy,
                 clip_grad_norm: float | None = 1.0, weight_average=None):
        self.model = model
        self.weight_average = weight_average
        self.objective = objective
        self.optimizer = optimizer
        self.strategy = strategy
        self.clip_grad_norm = clip_grad_norm
        # All trainable variables, or the part the objective trains (Objective.trained_variables).
        self.variables = objective.trained_variables(model)
        self.distributed = is_distributed(strategy)
        _disable_keras_gradient_reduction(optimizer)
        if self.distributed:
            self._gradients = tf.function(self._local_gradients, jit_compile=True)
            self._step = tf.function(self._distributed_step)
        else:
            self._gradients = self._local_gradients
            self._step = tf.function(self._replica_step, jit_compile=True)

    def _local_gradients(self, batch, normalizers=None):
        """Local sums and the gradient of the local loss sum, float32. `normalizers` (global,
        summed over replicas) go to objectives with a `normalizers_fn`."""
        variables = self.variables
        with tf.GradientTape() as tape:
            outputs = self.objective.forward(self.model, batch, training=True)
            if normalizers is None:
                out = self.objective.loss_fn(outputs, batch)
            else:
                out = self.objective.loss_fn(outputs, batch, normalizers)
            loss_sum = tf.cast(out.loss_sum, tf.float32)
        grads = tape.gradient(loss_sum, variables)
        missing = [v.path for v, g in zip(variables, grads, strict=True) if g is None]
        if missing:
            raise ValueError(f"objective {self.objective.name!r} gives no gradient for {missing}")
        sums, counts = _split_metrics(out)
        local = {
            "loss": loss_sum,
            "sums": {k: tf.cast(v, tf.float32) for k, v in sums.items()},
            "counts": {k: tf.cast(v, tf.float32) for k, v in counts.items() if v is not None},
        }
        if out.normalizer is not None:
            local["normalizer"] = tf.cast(out.normalizer, tf.float32)
        return local, [tf.cast(g, tf.float32) for g in grads]

    def _global_normalizers(self, batch):
        """The objective's `normalizers_fn(batch)` summed over replicas (None without one)."""
        if self.objective.normalizers_fn is None:
            return None
        normalizers = {k: tf.cast(v, tf.float32)
                       for k, v in self.objective.normalizers_fn(batch).items()}
        if self.distributed:
            context = tf.distribute.get_replica_context()
            normalizers = context.all_reduce(tf.distribute.ReduceOp.SUM, normalizers)
        return normalizers

    def _replica_step(self, batch):
        normalizers = self._global_normalizers(batch)
        if normalizers is None:
            local, grads = self._gradients(batch)
        else:
            local, grads = self._gradients(batch, normalizers)
        context = tf.distribute.get_replica_context()
        if self.distributed:
            local, grads = context.all_reduce(tf.distribute.ReduceOp.SUM, (local, grads))
        # Without a normalizer the loss is already divided by global normalizers (the sum over
        # replicas of each replica's share is the loss).
        normalizer = tf.maximum(local.get("normalizer", tf.constant(1.0)), 1e-9)
        grads = [g / normalizer for g in grads]
        grad_norm = tf.linalg.global_norm(grads)
        if self.clip_grad_norm:
            grads, _ = tf.clip_by_global_norm(grads, self.clip_grad_norm, use_norm=grad_norm)
        learning_rate = self._learning_rate()
        self.optimizer.apply_gradients(zip(grads, self.variables, strict=True))
        if self.objective.after_update_fn is not None:
            self.objective.after_update_fn(self.model)
        if self.weight_average is not None:
            self.weight_average.update()
        stats = {"loss": local["loss"] / normalizer, "grad_norm": grad_norm,
                 "learning_rate": learning_rate, "normalizer": normalizer}
        for name, value in local["sums"].items():
            count = local["counts"].get(name, normalizer)
            stats[name] = value / tf.maximum(count, 1e-9)
        return stats

    def _learning_rate(self):
        """The rate the coming update uses (the schedule at the optimiser's iteration count)."""
        rate = self.optimizer.learning_rate
        return tf.cast(tf.convert_to_tensor(rate), tf.float32)

    def _distributed_step(self, batch):
        stats = self.strategy.run(self._replica_step, args=(batch,))
        # Every replica holds the same reduced values; take the first.
        return {k: self.strategy.experimental_local_results(v)[0] for k, v in stats.items()}

    def __call__(self, batch) -> dict[str, tf.Tensor]:
        """Runs one step on a distributed batch; returns its statistics as scalar tensors (read
        them only when needed: reading waits for the device)."""
        return self._step(batch)
