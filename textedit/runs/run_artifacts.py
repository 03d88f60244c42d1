"""What makes a run directory self-contained: the model's config and its vocabulary, beside the
checkpoints, so that a tool can rebuild the model without the gin files it was trained with.

    write_model_config(model_dir, model)      # the trainer, once the model is built
    copy_vocabulary(model_dir, vocab_dir)     # textedit train, from the task vocabulary
    run = load_run("workdir/runs/edit5_gec")             # model + latest weights + vocabulary
    run.model, run.vocabulary, run.step, run.checkpoint

Layout added to the run directory (textedit/training/trainer.py documents the rest):

    model.json      keras.saving.serialize_keras_object(model): class and config
    vocab/          a copy of the SentencePiece model and manifest trained with
                    (textedit/data/vocab/vocabulary.py), so a later vocabulary retrain cannot change
                    what the ids mean; for a run warm-started from a Hugging Face T5 directory,
                    the checkpoint's spiece.model and its manifest (data/vocab/hf_vocabulary.py)
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

MODEL_CONFIG_FILE = "model.json"
RUN_VOCAB_DIR = "vocab"


def run_dir_of(checkpoint: str | os.PathLike) -> Path:
    """The run directory of a path a tool was given: a run directory, its checkpoints/ directory
    or a `<run>/checkpoints/ckpt-N` prefix."""
    path = Path(checkpoint)
    if path.name == "checkpoints":
        return path.parent
    return path.parent.parent if path.parent.name == "checkpoints" else path


def write_model_config(model_dir: str | os.PathLike, model) -> bool:
    """Writes model_dir/model.json (atomically); False for a model Keras cannot serialise (a
    subclassed model without get_config: the run trains, but tools cannot rebuild it alone)."""
    import keras

    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    try:
        serialized = json.dumps(keras.saving.serialize_keras_object(model), indent=1)
    except (NotImplementedError, TypeError, ValueError):
        return False
    temporary = model_dir / (MODEL_CONFIG_FILE + ".tmp")
    temporary.write_text(serialized + "\n")
    os.replace(temporary, model_dir / MODEL_CONFIG_FILE)
    return True


def copy_vocabulary(model_dir: str | os.PathLike, vocab_dir: str | os.PathLike) -> None:
    """Copies the vocabulary's model and manifest into model_dir/vocab/; a Hugging Face T5
    directory's spiece.model becomes vocab/textedit.model, beside its computed manifest."""
    from textedit.data.vocab.hf_vocabulary import is_hf_t5_dir, write_hf_vocabulary
    from textedit.data.vocab.vocabulary import MANIFEST_FILE, MODEL_FILE

    if is_hf_t5_dir(vocab_dir):
        write_hf_vocabulary(vocab_dir, Path(model_dir) / RUN_VOCAB_DIR)
        return
    target = Path(model_dir) / RUN_VOCAB_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_FILE, MANIFEST_FILE):
        source = Path(vocab_dir) / name
        if not source.exists():
            raise FileNotFoundError(f"vocabulary file {source} missing (train the vocabulary "
                                    "with `textedit data`)")
        if not (target / name).exists() or (target / name).read_bytes() != source.read_bytes():
            shutil.copyfile(source, target / name)


def build_model_from_run(model_dir: str | os.PathLike):
    """The model of a run, freshly initialised, from its model.json."""
    import keras

    import textedit.models  # noqa: F401  (registers the serialisable model classes)

    path = Path(model_dir) / MODEL_CONFIG_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: {model_dir} is not a run directory written by "
                                "`textedit train` (or the run predates model.json)")
    return keras.saving.deserialize_keras_object(json.loads(path.read_text()))


# Config fields that do not change what a trained model computes at inference: dropout (off at
# inference) and the loss's weights and reduction.
_INFERENCE_NEUTRAL_KEYS = ("dropout_rate", "loss_reduction")


def _leaves(value, path: str = "") -> dict:
    """{dotted path: leaf value} of a (nested) dataclass config, every field, nested configs by
    their dotted path ("absolute_positions", "t5.absolute_positions" for EdiT5's backbone),
    inference-neutral fields left out; leaves as JSON would give them back (tuples as lists)."""
    if not dataclasses.is_dataclass(value):
        return {path: json.loads(json.dumps(value, default=repr))}
    leaves = {}
    for field in dataclasses.fields(value):
        if field.name not in _INFERENCE_NEUTRAL_KEYS and not field.name.endswith("_loss_weight"):
            leaves |= _leaves(getattr(value, field.name),
                              f"{path}.{field.name}" if path else field.name)
    return leaves


def model_config_differences(run_dir: str | os.PathLike, model) -> list[str]:
    """Where `model` (built from gin files) differs from the run's model.json, one
    'field: run R, built B' line per setting; [] when they agree, when the run has no model.json,
    or for a model without a dataclass config (`model.config`).

    Weights reveal a missing option only when the option has weights (restore_trained_weights);
    this catches the rest, such as T5Config.absolute_positions or EdiT5's pointer priors,
    without which a checkpoint would load and decode as another model. The run's config is read
    back through the config class, so a model.json written before a field existed compares as
    that field's default. Dropout and loss settings are skipped."""
    config = getattr(model, "config", None)
    path = Path(run_dir) / MODEL_CONFIG_FILE
    if not path.exists() or not dataclasses.is_dataclass(config):
        return []
    saved = json.loads(path.read_text())
    if saved.get("class_name") != type(model).__name__:
        return [f"model class: run {saved.get('class_name')}, built {type(model).__name__}"]
    cls = type(config)
    try:
        values = saved["config"]["config"]
        run_config = cls.from_dict(values) if hasattr(cls, "from_dict") else cls(**values)
    except (KeyError, TypeError, ValueError):  # a model.json of another layout: nothing to say
        return []
    run, built = _leaves(run_config), _leaves(config)
    return [f"{key}: run {run.get(key, '(absent)')}, built {built.get(key, '(absent)')}"
            for key in sorted(run.keys() | built.keys()) if run.get(key) != built.get(key)]


@dataclasses.dataclass
class LoadedRun:
    """A trained model ready for inference.

    Attributes:
      model: the Keras model with the checkpoint's weights.
      vocabulary: seqio.SentencePieceVocabulary of the run (its vocab/ copy).
      step: the checkpoint's train step.
      checkpoint: the checkpoint prefix the weights came from.
      run_dir: the run directory.
    """

    model: object
    vocabulary: object
    step: int
    checkpoint: str
    run_dir: Path


def restore_trained_weights(path: str | os.PathLike, model, model_description: str = "the model"):
    """Every trainable variable of `model` from the checkpoint at `path` (a run directory, its
    checkpoints/ directory or a ckpt-N prefix), each with its shape; returns (InitReport, the
    checkpoint's train step). ValueError listing what does not fit `model_description`: missing
    or mis-shaped variables, and model weights of the checkpoint that the model lacks (a model
    built with other options than the trained one, e.g. without EdiT5's POSITION_INPUTS, would
    otherwise decode without them)."""
    import tensorflow as tf

    from textedit.runs.init_checkpoint import load_initial_weights

    report = load_initial_weights(path, model)
    if report.missing or report.mismatched or report.unused:
        raise ValueError(f"{report.checkpoint} does not fit {model_description}:\n"
                         + report.summary())
    step = int(tf.train.load_checkpoint(report.checkpoint).get_tensor(
        "step/.ATTRIBUTES/VARIABLE_VALUE"))
    return report, step


def load_run(path: str | os.PathLike) -> LoadedRun:
    """A run directory's model with the weights of its latest checkpoint (or of a given
    `<run>/checkpoints/ckpt-N` prefix), and its vocabulary. Every trainable variable must be in
    the checkpoint with its shape."""
    from textedit.data.vocab.vocabulary import get_vocabulary
    from textedit.runs.init_checkpoint import resolve_checkpoint

    path = Path(path)
    run_dir = run_dir_of(path)
    checkpoint = resolve_checkpoint(path)  # first: "no checkpoint" before "no model.json"
    model = build_model_from_run(run_dir)
    report, step = restore_trained_weights(checkpoint, model, str(run_dir / MODEL_CONFIG_FILE))
    vocab_dir = run_dir / RUN_VOCAB_DIR
    if not (vocab_dir / "manifest.json").exists():
        raise FileNotFoundError(f"{vocab_dir} missing: the run has no copy of its vocabulary")
    return LoadedRun(model, get_vocabulary(vocab_dir), step, report.checkpoint, run_dir)
