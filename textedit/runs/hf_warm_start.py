"""Warm start from a Hugging Face T5 directory (`INIT_CHECKPOINT` = a `save_pretrained` directory).

    report = load_hf_initial_weights("ckpt/flan-t5-small", model)   # InitReport, as for a run
    print(report.summary())

`model` is a `T5EncoderDecoder` (seq2seq) or a model whose `backbone` is one (EdiT5). Its backbone
must have the checkpoint's architecture - build it from the checkpoint's config.json
(`gin/models/t5_hf.gin`, `gin/models/edit5_hf.gin`); a difference is an error naming each field,
never a silent partial load. Two differences are allowed:

- fewer decoder blocks (EdiT5's 1-layer insertion decoder): blocks 0.. load, the checkpoint's
  other blocks are reported unused;
- more embedding rows than the checkpoint (EdiT5's `<pos_k>` tokens appended after them,
  docs/hf_warm_start.md#position-tokens): the checkpoint's rows load, the extra rows of the shared
  embedding (and of the untied output layer) are drawn from a normal distribution with the
  per-dimension mean and standard deviation of the checkpoint's rows, so that each position token
  starts as a distinct, typical token rather than as zeros or as noise of another scale.

The report lists model variables (checkpoint keys, `variable_keys`) loaded and missing (EdiT5's
tagger, pointer and re-order layers: fresh initialisation), and the Hugging Face keys unused.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from textedit.data.vocab.hf_vocabulary import hf_vocabulary_manifest
from textedit.models.t5.hf_t5_import import load_hf_t5_weights, read_hf_t5_checkpoint
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.models.t5.t5_hf_names import hf_t5_variables
from textedit.runs.init_checkpoint import InitReport
from textedit.runs.variable_keys import variable_key

# Fields of T5Config that must equal the checkpoint's (num_decoder_layers and vocab_size may not).
SAME_FIELDS = ("d_model", "d_kv", "d_ff", "num_heads", "num_encoder_layers",
               "relative_attention_num_buckets", "relative_attention_max_distance",
               "layer_norm_epsilon", "feed_forward_proj", "tie_word_embeddings", "pad_id",
               "eos_id", "decoder_start_id")
ROW_KEYS = ("shared.weight", "lm_head.weight")  # [rows, d_model] in the HF layout


def t5_backbone(model) -> T5EncoderDecoder:
    """The T5EncoderDecoder inside `model` (the model itself for seq2seq, `.backbone` for EdiT5)."""
    if isinstance(model, T5EncoderDecoder):
        return model
    backbone = getattr(model, "backbone", None)
    if not isinstance(backbone, T5EncoderDecoder):
        raise ValueError(f"a Hugging Face T5 checkpoint initialises a T5 backbone; "
                         f"{type(model).__name__} has none (no T5EncoderDecoder `backbone`)")
    return backbone


def appended_rows(rows: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """float32 [count, d]: draws from N(mean, diag(std**2)) of `rows` [n, d] (module docstring)."""
    rows = np.asarray(rows, np.float32)
    rng = np.random.default_rng(seed)
    return (rows.mean(0) + rows.std(0) * rng.standard_normal((count, rows.shape[1]))
            ).astype(np.float32)


def check_backbone_config(path: str, checkpoint, model) -> None:
    """ValueError listing every field where the model's backbone cannot take the checkpoint."""
    problems = [f"{name}: checkpoint {getattr(checkpoint, name)!r}, model {getattr(model, name)!r}"
                for name in SAME_FIELDS if getattr(checkpoint, name) != getattr(model, name)]
    if model.num_decoder_layers > checkpoint.num_decoder_layers:
        problems.append(f"num_decoder_layers: checkpoint {checkpoint.num_decoder_layers}, model "
                        f"{model.num_decoder_layers} (a model may have fewer, not more)")
    if model.vocab_size < checkpoint.vocab_size:
        problems.append(f"vocab_size: checkpoint {checkpoint.vocab_size} rows, model "
                        f"{model.vocab_size} (a model may append rows, not drop them)")
    if problems:
        raise ValueError(
            f"INIT_CHECKPOINT {path}: the model's T5 backbone does not have the checkpoint's "
            "architecture:\n  " + "\n  ".join(problems) + "\nBuild it from the checkpoint's "
            "config.json: gin/models/t5_hf.gin (seq2seq) or gin/models/edit5_hf.gin (EdiT5).")


def load_hf_initial_weights(path: str | os.PathLike, model, seed: int = 0) -> InitReport:
    """Initialises `model`'s T5 backbone from a Hugging Face T5 directory (module docstring).

    Raises:
      FileNotFoundError: no config.json, weights or spiece.model (the vocabulary the checkpoint's
        embedding rows belong to); the message names the file.
      ValueError: a config the backbone cannot express, a spiece.model that does not fit the
        embedding, or a backbone whose architecture differs (each field named).
    """
    path = os.fspath(path)
    hf_vocabulary_manifest(path)  # the checkpoint's vocabulary must be there and fit its rows
    checkpoint_config, state = read_hf_t5_checkpoint(path)
    backbone = t5_backbone(model)
    check_backbone_config(path, checkpoint_config, backbone.config)
    extra = backbone.config.vocab_size - checkpoint_config.vocab_size
    notes = []
    if extra:
        state = dict(state)
        padded = [key for key in ROW_KEYS if key in state]
        for offset, key in enumerate(padded):
            rows = np.asarray(state[key], np.float32)
            state[key] = np.concatenate([rows, appended_rows(rows, extra, seed + offset)])
        notes.append(f"{extra} embedding rows appended after the checkpoint's "
                     f"{checkpoint_config.vocab_size} (ids {checkpoint_config.vocab_size}.."
                     f"{backbone.config.vocab_size - 1}) in {', '.join(padded)}: drawn from the "
                     "mean and standard deviation of the checkpoint's rows")
    hf_report = load_hf_t5_weights(backbone, state)
    targets = hf_t5_variables(backbone)
    loaded_ids = {id(targets[key][0]) for key in hf_report.loaded}
    loaded, missing, parameters = [], [], 0
    for variable in model.trainable_variables:
        if id(variable) in loaded_ids:
            loaded.append(variable_key(variable.path))
            parameters += math.prod(variable.shape)
        else:
            missing.append(variable_key(variable.path))
    notes += hf_report.notes
    if hf_report.aliases:
        notes.append(f"{len(hf_report.aliases)} keys skipped as aliases of loaded weights: "
                     + ", ".join(hf_report.aliases))
    return dataclasses.replace(
        InitReport(path, loaded, missing, [], sorted(hf_report.unexpected), parameters),
        notes=notes)


def hf_model_config(config, path: str | os.PathLike):
    """`config` (a T5Config or an Edit5Config, as a model file builds it) with the architecture of
    the checkpoint in `path` (its config.json) as backbone.

    A T5Config becomes the checkpoint's, keeping only `dropout_rate`. An Edit5Config keeps its
    heads, its insertion decoder depth and dropout; its backbone gets the checkpoint's shapes and
    `num_position_tokens` rows appended after the checkpoint's embedding rows, where
    `first_position_id` then points (docs/hf_warm_start.md#position-tokens).
    """
    from textedit.models.t5.hf_t5_config_reader import read_hf_t5_config
    from textedit.models.t5.t5_config import T5Config

    checkpoint = read_hf_t5_config(path)
    if isinstance(config, T5Config):
        return dataclasses.replace(checkpoint, dropout_rate=config.dropout_rate)
    backbone = getattr(config, "t5", None)
    if not isinstance(backbone, T5Config) or not hasattr(config, "first_position_id"):
        raise ValueError(f"hf_model_config takes a T5Config or an Edit5Config, got "
                         f"{type(config).__name__}")
    if backbone.num_decoder_layers > checkpoint.num_decoder_layers:
        raise ValueError(f"{path}: the checkpoint has {checkpoint.num_decoder_layers} decoder "
                         f"layers, the EdiT5 config asks for {backbone.num_decoder_layers}")
    t5 = dataclasses.replace(
        checkpoint, num_decoder_layers=backbone.num_decoder_layers,
        dropout_rate=backbone.dropout_rate,
        vocab_size=checkpoint.vocab_size + config.num_position_tokens)
    return dataclasses.replace(config, t5=t5, first_position_id=checkpoint.vocab_size)
