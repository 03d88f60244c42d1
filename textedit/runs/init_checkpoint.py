"""Initialising a model from another run's checkpoint (`INIT_CHECKPOINT`), with a report.

    report = load_initial_weights("runs/pretrain", model)   # a run directory or a ckpt prefix
    print(report.summary())

Only trainable variables are initialised (weights, not optimiser state, step or RNG states).
A variable is loaded when the checkpoint has its key (`variable_keys.variable_key`) with the same
shape; otherwise it keeps its fresh initialisation and is listed as missing (or mismatched). Model
variables in the checkpoint that this model lacks are listed as unused. E.g. initialising a
"slim" 1-layer-decoder model from a full one loads the encoder and decoder block 0 and lists
decoder blocks 1.. as unused.

EdiT5 from a seq2seq run (the warm start of gin/experiments/edit5_pretrain_edit_noise.gin): the
EdiT5 backbone is a T5EncoderDecoder sub-model that creates its weights in its own constructor, so
its variable paths start at its own name (`backbone/shared/embeddings`) and their keys are a plain
T5's (`shared/embeddings`, `encoder/...`, `decoder/block_0/...`, `lm_head/kernel`), whatever the
two models are called. So the backbone loads from a T5 run, the EdiT5 heads (tagger, pointer,
re-order) are listed as missing, and the T5's extra decoder blocks as unused (tested).

A run that kept a moving average of its weights (EMA_DECAY; textedit/training/weight_average.py)
stores it under `average/<key>` beside `model/<key>`; the averages are what is loaded then (for
inference as for initial weights: they are the run's result), and the report says so.
`weights="trained"` takes the last step's weights instead.

A Hugging Face T5 directory (config.json, weights, spiece.model) is accepted too: its weights go
to the model's T5 backbone by Hugging Face name (`hf_warm_start`), with the same kind of report.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import tensorflow as tf

from textedit.runs.variable_keys import checkpoint_key, keyed_variables, keys_in_checkpoint


@dataclasses.dataclass
class InitReport:
    checkpoint: str
    loaded: list[str]
    missing: list[str]  # trainable variables of the model absent from the checkpoint
    mismatched: list[str]  # "key: checkpoint [..] vs model [..]"
    unused: list[str]  # checkpoint model variables the model does not have (trainable or not)
    loaded_parameters: int
    notes: list[str] = dataclasses.field(default_factory=list)  # choices made while loading
    weights: str = "trained"  # "average": the run's weight average was loaded (EMA_DECAY)

    def summary(self, limit: int = 10) -> str:
        lines = [f"initialised from {self.checkpoint}: {len(self.loaded)} variables loaded "
                 f"({self.loaded_parameters:,} parameters), {len(self.missing)} missing, "
                 f"{len(self.mismatched)} shape mismatches, {len(self.unused)} unused"]
        for label, items in (("missing (fresh initialisation)", self.missing),
                             ("shape mismatch (fresh initialisation)", self.mismatched),
                             ("unused", self.unused)):
            if items:
                more = f" ... and {len(items) - limit} more" if len(items) > limit else ""
                lines.append(f"  {label}: " + ", ".join(items[:limit]) + more)
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def resolve_checkpoint(path: str | os.PathLike) -> str:
    """A checkpoint prefix from a prefix, a checkpoint directory or a run directory."""
    path = Path(path)
    for directory in (path, path / "checkpoints"):
        if directory.is_dir():
            latest = tf.train.latest_checkpoint(str(directory))
            if latest:
                return latest
    if Path(str(path) + ".index").exists():
        return str(path)
    raise FileNotFoundError(f"INIT_CHECKPOINT {path}: no checkpoint there (expected a run "
                            f"directory, its checkpoints/ directory, a ckpt-N prefix or a "
                            f"Hugging Face T5 directory with config.json)")


WEIGHTS = ("average", "trained")


def load_initial_weights(path: str | os.PathLike, model, weights: str = "average") -> InitReport:
    """Assigns the checkpoint's values to the model's matching trainable variables; `path` may
    also be a Hugging Face T5 directory (`hf_warm_start.load_hf_initial_weights`).

    `weights`: "average" = the run's weight average where the checkpoint has one, else its
    trained weights; "trained" = the trained weights of the checkpoint's step."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights={weights!r}: expected one of {WEIGHTS}")
    from textedit.data.vocab.hf_vocabulary import is_hf_t5_dir

    if is_hf_t5_dir(path):
        from textedit.runs.hf_warm_start import load_hf_initial_weights

        return load_hf_initial_weights(path, model)
    prefix = resolve_checkpoint(path)
    reader = tf.train.load_checkpoint(prefix)
    names = reader.get_variable_to_shape_map()
    stored = keys_in_checkpoint(names, "model")
    averaged = keys_in_checkpoint(names, "average")
    source = "average" if weights == "average" and averaged else "model"
    values = averaged if source == "average" else stored
    variables = keyed_variables(model.variables)
    trainable = {id(v) for v in model.trainable_variables}
    loaded, missing, mismatched = [], [], []
    parameters = 0
    for key, variable in variables.items():
        if id(variable) not in trainable:
            continue
        if key not in values:
            missing.append(key)
        elif values[key] != list(variable.shape):
            mismatched.append(f"{key}: checkpoint {values[key]} vs model {list(variable.shape)}")
        else:
            variable.assign(reader.get_tensor(checkpoint_key(source, key)))
            loaded.append(key)
            parameters += math.prod(variable.shape)
    unused = sorted(set(stored) - set(variables))
    notes = (["weights: the run's moving average (EMA_DECAY), not the last step's trained "
              "weights"] if source == "average" else [])
    return InitReport(prefix, loaded, missing, mismatched, unused, parameters, notes,
                      weights="average" if source == "average" else "trained")
