"""Gin configurables of the Gemma 2 backbone, decoder-only training and distillation.

`register_decoder_only()` (called by `gin_configurables.register_training`) registers, once:

    gemma2_config                 Gemma2Config.named(size, **overrides) (gin/models/gemma2_*.gin)
    gemma2_decoder_only           Gemma2DecoderOnly(config)
    decoder_only_objective        textedit.objectives.decoder_only.decoder_only_objective
    prefix_lm_feature_converter   seqio.PrefixLMFeatureConverter(pack=False,
                                  loss_on_targets_only=True): prompt = source, loss on the
                                  completion only (the decoder-only formatting of a task)
    lm_feature_converter          seqio.LMFeatureConverter(pack=False) (plain text: lm_clean_text)
    distill_objective             textedit.objectives.distill.distill_objective
    edit5_distill_objective       an EdiT5 student, a seq2seq teacher on its insertions
                                  (textedit.objectives.edit5_distill)
    edit5_edit_distill_objective  an EdiT5 student, an EdiT5 teacher on tags, pointers and
                                  insertions (textedit.objectives.edit5_edit_distill)
    on_policy_distill_objective   distillation on the student's own samples mixed with the
                                  references (textedit.training.on_policy_distill)
    teacher_from_run              a trained run's model (latest checkpoint), frozen: the teacher
    stored_top_k_objective        distillation from stored top-k teacher log-probabilities
    StoredTeacherData             the training data of a stored-logits directory
"""

from __future__ import annotations

import functools
from typing import Any

import gin


def gemma2_config(size: str = "mini", **overrides: Any):
    """`Gemma2Config.named(size, **overrides)`."""
    from textedit.models.gemma2.gemma2_config import Gemma2Config

    return Gemma2Config.named(size, **overrides)


def gemma2_decoder_only(config):
    """A `Gemma2DecoderOnly` for `config` (a Gemma2Config, e.g. @gemma2_config())."""
    from textedit.models.gemma2.gemma2_model import Gemma2DecoderOnly

    return Gemma2DecoderOnly(config, name="gemma2")


def prefix_lm_feature_converter():
    import seqio

    return seqio.PrefixLMFeatureConverter(pack=False, loss_on_targets_only=True)


def lm_feature_converter():
    import seqio

    return seqio.LMFeatureConverter(pack=False)


def feature_converter(name: str):
    """("enc_dec" | "prefix_lm" | "lm") -> (seqio feature converter without packing, the batch
    features the model reads)."""
    import seqio

    from textedit.objectives.decoder_only import DECODER_ONLY_MODEL_FEATURES
    from textedit.objectives.seq2seq import SEQ2SEQ_MODEL_FEATURES

    if name == "enc_dec":
        return seqio.EncDecFeatureConverter(pack=False), SEQ2SEQ_MODEL_FEATURES
    if name == "prefix_lm":
        return prefix_lm_feature_converter(), DECODER_ONLY_MODEL_FEATURES
    if name == "lm":
        return lm_feature_converter(), DECODER_ONLY_MODEL_FEATURES
    raise ValueError(f"feature converter {name!r}: expected enc_dec, prefix_lm or lm")


def teacher_from_run(model_dir: str):
    """The model of the run at `model_dir` with its latest checkpoint's weights, frozen."""
    from textedit.runs.run_artifacts import load_run

    run = load_run(model_dir)
    run.model.trainable = False
    print(f"teacher: {run.run_dir} at step {run.step} "
          f"({run.model.count_params():,} parameters)", flush=True)
    return run.model


@functools.cache
def register_decoder_only() -> None:
    """Registers the configurables of the module docstring (idempotent)."""
    from textedit.objectives.decoder_only import decoder_only_objective
    from textedit.objectives.distill import distill_objective
    from textedit.objectives.edit5_distill import edit5_distill_objective
    from textedit.objectives.edit5_edit_distill import edit5_edit_distill_objective
    from textedit.objectives.top_k_teacher import stored_top_k_objective
    from textedit.training.on_policy_distill import on_policy_distill_objective
    from textedit.training.stored_teacher_data import StoredTeacherData

    for function, name in (
            (gemma2_config, "gemma2_config"), (gemma2_decoder_only, "gemma2_decoder_only"),
            (decoder_only_objective, "decoder_only_objective"),
            (prefix_lm_feature_converter, "prefix_lm_feature_converter"),
            (lm_feature_converter, "lm_feature_converter"),
            (distill_objective, "distill_objective"),
            (edit5_distill_objective, "edit5_distill_objective"),
            (edit5_edit_distill_objective, "edit5_edit_distill_objective"),
            (on_policy_distill_objective, "on_policy_distill_objective"),
            (teacher_from_run, "teacher_from_run"),
            (stored_top_k_objective, "stored_top_k_objective"),
            (StoredTeacherData, "StoredTeacherData")):
        gin.external_configurable(function, name=name)
