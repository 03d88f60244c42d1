"""`Objective`: what the trainer needs to know about a loss, so that new losses plug in unchanged.

An objective names the batch features it reads and maps (model outputs, batch) to a `LossOutput`
of *sums* over the local batch. The trainer adds the sums of every replica before dividing, so the
loss of a global batch is the same on one device and on many (see textedit/training/train_step.py):

    outputs = objective.forward(model, batch, training=True)     # default: model({features})
    out = objective.loss_fn(outputs, batch)                       # LossOutput of local sums
    loss = sum_over_replicas(out.loss_sum) / sum_over_replicas(out.normalizer)

Seq2seq (textedit/objectives/seq2seq.py) is one instance; distillation, reward models, BOND or
DRO are others: each a new `Objective`, no change to the trainer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# A metric is a sum over the local batch, reported divided by the objective's normalizer, or a
# (sum, count) pair reported as sum / count (both summed over replicas first).
MetricValue = Any


@dataclasses.dataclass(frozen=True)
class LossOutput:
    """Local-batch sums of one training step.

    Attributes:
      loss_sum: float32 [] the quantity to minimise, summed over the local batch (e.g. over tokens).
      normalizer: float32 [] what loss_sum is divided by once summed over replicas (e.g. the number
        of target tokens); must not depend on the model's parameters. None: loss_sum is already
        divided by the global normalisers the objective's `normalizers_fn` gave (its share of the
        global loss; summed over replicas as it is).
      metrics: name -> float32 [] sum (reported / normalizer) or a (sum, count) pair.
    """

    loss_sum: Any
    normalizer: Any
    metrics: Mapping[str, MetricValue] = dataclasses.field(default_factory=dict)


def call_model(model, batch: Mapping[str, Any], features: Sequence[str], training: bool):
    """The default forward pass: `model({name: batch[name] for name in features})`."""
    return model({name: batch[name] for name in features}, training=training)


@dataclasses.dataclass(frozen=True)
class Objective:
    """A pluggable training loss.

    Attributes:
      name: shown in logs and summaries.
      model_features: batch features the model is called with (as a dict).
      loss_features: batch features the loss reads besides the model outputs.
      loss_fn: (model outputs, batch) -> LossOutput; traced inside the compiled step.
      forward_fn: optional (model, batch, training) -> outputs replacing the default call, e.g.
        for objectives that run the model twice (chosen / rejected responses).
      normalizers_fn: optional batch -> {name: float32 []} counts taken from the batch alone
        (never from the model); the trainer sums them over replicas and then calls
        `loss_fn(outputs, batch, normalizers)` (for losses with several normalisers).
      after_update_fn: optional model -> None run inside the compiled step right after the
        optimiser update, e.g. moving an EMA anchor towards the new weights (J-BOND).
      state: {name: variables} the objective keeps across steps (an anchor's weights, a sample
        counter); the trainer checkpoints them with the run (`objective/<name>/...`) so that a
        resumed run continues with the same state.
      trained_variables_fn: optional model -> the variables the optimiser updates, when the
        objective trains part of the model only (e.g. an image tower learning to read while the
        T5 stays as warm-started); default: all of `model.trainable_variables`. The others keep
        their values and are still checkpointed with the run.
    """

    name: str
    model_features: tuple[str, ...]
    loss_features: tuple[str, ...]
    loss_fn: Callable[[Any, Mapping[str, Any]], LossOutput]
    forward_fn: Callable[[Any, Mapping[str, Any], bool], Any] | None = None
    normalizers_fn: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    after_update_fn: Callable[[Any], None] | None = None
    state: Mapping[str, Sequence[Any]] = dataclasses.field(default_factory=dict)
    trained_variables_fn: Callable[[Any], Sequence[Any]] | None = None

    @property
    def features(self) -> tuple[str, ...]:
        """Every batch feature the objective reads, model inputs first."""
        return tuple(dict.fromkeys(self.model_features + self.loss_features))

    def trained_variables(self, model) -> list:
        """The variables this objective's steps update (`trained_variables_fn`, else all of the
        model's trainable variables)."""
        if self.trained_variables_fn is None:
            return list(model.trainable_variables)
        variables = list(self.trained_variables_fn(model))
        if not variables:
            raise ValueError(f"objective {self.name!r} trains no variables of this model")
        return variables

    def forward(self, model, batch: Mapping[str, Any], training: bool):
        if self.forward_fn is not None:
            return self.forward_fn(model, batch, training)
        return call_model(model, batch, self.model_features, training)

    def check_features(self, available: Sequence[str]) -> None:
        """Fails naming the features the data lacks."""
        missing = [f for f in self.features if f not in available]
        if missing:
            raise ValueError(
                f"objective {self.name!r} needs features {missing}, which the training data does "
                f"not have (it has {sorted(available)}); check the feature converter.")
