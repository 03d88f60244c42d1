"""An exponential moving average of the trained weights, for evaluation and inference.

    average = WeightAverage(model, decay=0.995)     # under the strategy's scope, model built
    average.update()                                # after each optimiser step (in the train step)
    with average.swapped_in():                      # the model holds the averages inside the block
        evaluate(model)

θ̄ ← d · θ̄ + (1 − d) · θ after every step, for every trainable variable, starting from the
weights training starts from; 1 / (1 − d) steps is its horizon (0.995: about 200). A short run at
a constant learning rate ends wherever the last steps pushed it, and what it corrects changes from
checkpoint to checkpoint; the average smooths that out at the cost of one more copy of the weights
(docs/algorithms.md#weight-average).

Checkpoints store the averages under `average/<key>` beside the trained weights (`model/<key>`):
resuming restores both, and loading a run for inference or as initial weights takes the averages
when the checkpoint has them (textedit/runs/init_checkpoint.py).
"""

from __future__ import annotations

import contextlib

import keras

from textedit.runs.variable_keys import keyed_variables
from textedit.training.ema_anchor import ema_update


class WeightAverage:
    """The moving average of a built model's trainable variables (module docstring).

    Attributes:
      decay: d in (0, 1).
      averages: {checkpoint key: non-trainable variable}, one per trainable model variable.
    """

    def __init__(self, model, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"weight average decay {decay}: expected a number in (0, 1)")
        self.decay = float(decay)
        trained = keyed_variables(model.trainable_variables)
        # Every replica computes the same update from the same all-reduced gradients, so the
        # first replica's value is the value (as for the optimiser's own slots).
        self.averages = {
            key: keras.Variable(variable.numpy(), trainable=False, dtype=variable.dtype,
                                aggregation="only_first_replica", name=f"average_{i}")
            for i, (key, variable) in enumerate(trained.items())}
        self._pairs = [(self.averages[key], variable) for key, variable in trained.items()]

    def update(self) -> None:
        """θ̄ ← d θ̄ + (1 − d) θ (traceable: called inside the compiled train step)."""
        ema_update(self._pairs, 1.0 - self.decay)

    def reset(self) -> None:
        """θ̄ ← θ: after the model's weights were replaced (initial weights of another run)."""
        for average, variable in self._pairs:
            average.assign(variable.value)

    @contextlib.contextmanager
    def swapped_in(self):
        """The model holds the averages inside the block and its trained weights again after."""
        trained = [variable.numpy() for _, variable in self._pairs]
        for average, variable in self._pairs:
            variable.assign(average.value)
        try:
            yield
        finally:
            for (_, variable), value in zip(self._pairs, trained, strict=True):
                variable.assign(value)
