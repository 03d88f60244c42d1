"""Loading Hugging Face Gemma 2 checkpoints (a local `save_pretrained` directory of
`Gemma2ForCausalLM`: config.json + model.safetensors, sharded or not, or the PyTorch format).

    model = load_hf_gemma2("/path/to/gemma-2-tiny")           # Gemma2DecoderOnly, weights loaded
    config, state = read_hf_gemma2_checkpoint(path)           # Gemma2Config, {hf_key: array}
    report = load_hf_gemma2_weights(model, state)             # HFLoadReport (as the T5 import)

The files are read by the T5 importer's reader (`textedit.models.t5.hf_t5_import`: safetensors
through numpy, bfloat16 widened, no torch needed). `hf_gemma2_variables` maps each HF key to its
Keras variable; `lm_head.weight`, when a checkpoint stores it, is the tied embedding again and is
listed as an alias. Nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from textedit.models.gemma2.gemma2_block import MLP_PROJECTIONS, NORMS
from textedit.models.gemma2.gemma2_config import Gemma2Config
from textedit.models.gemma2.gemma2_model import Gemma2DecoderOnly
from textedit.models.t5.hf_t5_import import HFLoadReport, _read_weights, assign_hf_arrays

ALIAS_KEYS = ("lm_head.weight",)


def hf_gemma2_variables(model: Gemma2DecoderOnly) -> dict[str, tuple]:
    """HF state-dict key -> (Keras variable, transpose: bool), in HF's order."""
    out: dict[str, tuple] = {"model.embed_tokens.weight": (model.embed_tokens.embeddings, False)}
    for i, block in enumerate(model.blocks):
        prefix = f"model.layers.{i}"
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            out[f"{prefix}.self_attn.{name}.weight"] = (getattr(block.self_attn, name).kernel,
                                                        True)
        for name in MLP_PROJECTIONS:
            out[f"{prefix}.mlp.{name}.weight"] = (getattr(block, name).kernel, True)
        for name in NORMS:
            out[f"{prefix}.{name}.weight"] = (getattr(block, name).scale, False)
    out["model.norm.weight"] = (model.norm.scale, False)
    return out


def load_hf_gemma2_weights(model: Gemma2DecoderOnly, state_dict: Mapping[str, Any]
                           ) -> HFLoadReport:
    """Assigns a HF Gemma 2 state dict (key -> array, HF layout) to `model`'s variables.

    Raises:
      ValueError: a shape differs from the model's (the message names the key and both shapes);
        nothing is assigned then.
    """
    report = HFLoadReport()
    targets = hf_gemma2_variables(model)
    assign_hf_arrays(targets, state_dict, report)
    for key in state_dict:
        if key not in targets:
            (report.aliases if key in ALIAS_KEYS else report.unexpected).append(key)
    return report


def read_hf_gemma2_checkpoint(path: str | os.PathLike
                              ) -> tuple[Gemma2Config, dict[str, np.ndarray]]:
    """Reads a local HF Gemma 2 directory -> (Gemma2Config, {HF key: array}).

    Raises:
      FileNotFoundError: not a local directory, or no config.json / weights file in it.
      ValueError: config.json is not a Gemma 2 config, or uses a feature not implemented here.
    """
    directory = os.fspath(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"{directory!r} is not a local directory: load_hf_gemma2 reads a checkpoint saved on "
            "disk (config.json and model.safetensors) and never downloads")
    config_path = os.path.join(directory, "config.json")
    if not os.path.isfile(config_path):
        raise FileNotFoundError(f"{config_path}: no config.json in the checkpoint directory")
    with open(config_path, encoding="utf-8") as f:
        hf_config = json.load(f)
    if hf_config.get("model_type") != "gemma2":
        raise ValueError(f"{config_path}: model_type {hf_config.get('model_type')!r}, expected "
                         "'gemma2'")
    try:
        config = Gemma2Config.from_hf_config(hf_config)
    except ValueError as error:
        raise ValueError(f"{config_path}: {error}") from error
    return config, _read_weights(directory)


def load_hf_gemma2(path: str | os.PathLike, *, strict: bool = True, dtype: Any = None
                   ) -> Gemma2DecoderOnly:
    """A `Gemma2DecoderOnly` built from a local HF Gemma 2 directory, weights loaded.

    Args:
      path: a directory written by `Gemma2ForCausalLM.save_pretrained`.
      strict: raise when weights are missing or unexpected keys are present (default); when
        False, print the report's summary and keep missing weights at their initial values.
      dtype: optional Keras dtype policy (e.g. "mixed_bfloat16").
    """
    config, state = read_hf_gemma2_checkpoint(path)
    model = (Gemma2DecoderOnly(config, dtype=dtype) if dtype
             else Gemma2DecoderOnly(config))
    report = load_hf_gemma2_weights(model, state)
    if not report.complete:
        message = f"{os.fspath(path)}: {report.summary()}"
        if strict:
            raise ValueError(message + "\n(pass strict=False to keep the partial model)")
        print(message, flush=True)
    return model
