"""A trained run as `textedit report` sees it: checked, its own evaluation settings, text
predictions.

    run = load_report_run("workdir/runs/edit5_gec")     # NotARunError when it is not a run dir
    run.kind, run.step, run.parameters, run.eval_tasks  # "EdiT5" / "seq2seq", from the run's files
    run.predict(["She go to school ."])                 # texts in, texts out (either kind)

Settings come from the run's `run.json` (written by `textedit train`; runs/run_settings.py): the
tasks it is evaluated on (else its training task), the input length, the seq2seq decode length
and the EdiT5 insertion length. A run without run.json gets the defaults and no tasks.

Decoding is what the run's own evaluation does with texts: EdiT5 through `Editor` (length buckets,
inputs longer than the input length passed through unchanged), seq2seq through greedy decoding to
the model's EOS (`greedy_decode`, inputs in the same length buckets; longer ones cut to the input
length as the SeqIO tasks cut them: EOS appended, then trimmed, so a cut input has no EOS).
Batches always have `batch_size` rows (so each bucket compiles once); outputs are detokenised and
whitespace-normalised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from textedit.runs.run_artifacts import MODEL_CONFIG_FILE
from textedit.runs.run_settings import RunSettings, read_run_settings

RUN_DIR_EXPECTED = ("a run directory written by `textedit train` (model.json and "
                    "checkpoints/ckpt-N)")
BUCKETS = (16, 32, 64, 128)
EDIT5, SEQ2SEQ = "EdiT5", "seq2seq"


class NotARunError(ValueError):
    """A path that is not a run directory; the message names the path and what was expected."""


def run_settings(run_dir: str | Path) -> RunSettings:
    """The run's run.json, with its training task standing in for absent evaluation tasks."""
    settings = read_run_settings(run_dir)
    if not settings.eval_tasks and settings.task:
        settings = dataclasses.replace(settings, eval_tasks=(settings.task,))
    return settings


def check_run_dir(path: str | Path) -> Path:
    """`path` if it holds model.json and a checkpoint, else NotARunError saying what is missing."""
    import tensorflow as tf

    path = Path(path)
    if not path.is_dir():
        missing = "no such directory"
    elif not (path / MODEL_CONFIG_FILE).exists():
        missing = f"no {MODEL_CONFIG_FILE}"
    elif not (path / "checkpoints").is_dir() or not tf.train.latest_checkpoint(
            str(path / "checkpoints")):
        missing = "no checkpoint in checkpoints/"
    else:
        return path
    raise NotARunError(f"{path}: {missing}; expected {RUN_DIR_EXPECTED}")


class Seq2SeqPredictor:
    """Texts -> greedy decodes of a `T5EncoderDecoder` (module docstring)."""

    def __init__(self, model, vocabulary, *, input_length: int, decode_length: int,
                 batch_size: int = 32, buckets: Sequence[int] = BUCKETS):
        self.model, self.vocabulary = model, vocabulary
        self.max_input_length, self.decode_length = input_length, decode_length
        self.buckets = tuple(sorted({b for b in buckets if b < input_length} | {input_length}))
        self.batch_size = batch_size
        self.truncated = 0  # inputs of the last call cut to the input length

    def bucket(self, length: int) -> int:
        """The smallest bucket holding `length` ids (EOS included)."""
        return next(b for b in self.buckets if b >= length)

    def __call__(self, texts: Sequence[str]) -> list[str]:
        import tensorflow as tf

        from textedit.data.vocab.vocabulary import normalize_text
        from textedit.decoding.greedy import greedy_decode

        config = self.model.config
        by_bucket: dict[int, list[tuple[int, list[int]]]] = {}
        self.truncated = 0
        for index, text in enumerate(texts):
            ids = [*self.vocabulary.encode(text), config.eos_id]
            if len(ids) > self.max_input_length:  # cut as SeqIO cuts (append_eos, then trim)
                ids, self.truncated = ids[:self.max_input_length], self.truncated + 1
            by_bucket.setdefault(self.bucket(len(ids)), []).append((index, ids))
        outputs: list[str] = [""] * len(texts)
        for length, items in sorted(by_bucket.items()):
            for start in range(0, len(items), self.batch_size):
                chunk = items[start:start + self.batch_size]
                tokens = np.full((self.batch_size, length), config.pad_id, np.int32)
                for row, (_, ids) in enumerate(chunk):
                    tokens[row, :len(ids)] = ids
                decoded = greedy_decode(self.model, tf.constant(tokens), self.decode_length,
                                        eos_id=config.eos_id).numpy()
                for (index, _), row in zip(chunk, decoded, strict=False):
                    # seqio's decode stops at the first EOS.
                    outputs[index] = normalize_text(self.vocabulary.decode(row.tolist()))
        return outputs


@dataclasses.dataclass
class ReportRun:
    """A loaded run (module docstring).

    Attributes:
      name: the run directory's name.
      path: the run directory.
      kind: EDIT5 or SEQ2SEQ.
      model: the Keras model with the latest checkpoint's weights.
      vocabulary: the run's own vocabulary (its vocab/ copy).
      step: the checkpoint's train step.
      parameters: the model's parameter count.
      settings: from the run's run.json.
      predictor: `Editor` (EdiT5) or `Seq2SeqPredictor`; both have `bucket(length)` and
        `max_input_length`.
      decode_buffer: EdiT5 insertion buffer or seq2seq decode length (the steps' upper bound).
      long_inputs: inputs of the last `predict` longer than the input length (EdiT5: passed
        through unchanged; seq2seq: cut).
    """

    name: str
    path: Path
    kind: str
    model: object
    vocabulary: object
    step: int
    parameters: int
    settings: RunSettings
    predictor: object
    decode_buffer: int
    long_inputs: int = 0

    @property
    def eval_tasks(self) -> tuple[str, ...]:
        return self.settings.eval_tasks

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Each text's prediction, in order."""
        if self.kind == EDIT5:
            outputs = self.predictor.edit(list(texts))
            self.long_inputs = self.predictor.stats.too_long
        else:
            outputs = self.predictor(texts)
            self.long_inputs = self.predictor.truncated
        return outputs


def load_report_run(path: str | Path, batch_size: int = 32) -> ReportRun:
    """Checks, loads (latest checkpoint) and wraps a run directory; NotARunError if it is not one
    or its files do not fit together."""
    from textedit.inference.editor import Editor
    from textedit.models.edit5.edit5_model import Edit5Model
    from textedit.runs.run_artifacts import load_run

    path = check_run_dir(path)
    try:
        run = load_run(path)
    except (FileNotFoundError, ValueError) as error:
        raise NotARunError(f"{path}: {error}") from error
    settings = run_settings(path)
    model = run.model
    if isinstance(model, Edit5Model):
        kind, buffer = EDIT5, settings.insert_length
        predictor = Editor.from_model(model, run.vocabulary, max_input_length=settings.input_length,
                                      max_insert_length=buffer, batch_size=batch_size)
    else:
        kind, buffer = SEQ2SEQ, settings.decode_length
        predictor = Seq2SeqPredictor(model, run.vocabulary, input_length=settings.input_length,
                                     decode_length=buffer, batch_size=batch_size)
    return ReportRun(path.resolve().name, path, kind, model, run.vocabulary, run.step,
                     int(model.count_params()), settings, predictor, buffer)
