"""A Hugging Face T5 `config.json` as a `T5Config`, refusing what this backbone cannot express.

    config = read_hf_t5_config("ckpt/flan-t5-small")   # T5Config (gated-gelu, untied, 8 + 8)

The backbone (`T5EncoderDecoder`) implements T5 v1.0 and v1.1 exactly (logits equal transformers'
within 1e-4): one relative position bias per stack (shared by its layers), RMSNorm before every
sub-layer, a ReLU or tanh-GELU-gated feed-forward. A checkpoint that needs anything else would
load weights into a model that computes something different, so it is an error naming the file,
the field and what is supported:

    model_type          "t5" or "mt5" ("umt5" has a bias per layer; "longt5" other attention)
    is_encoder_decoder  true
    feed_forward_proj   "relu" (T5 v1.0) or "gated-gelu" (T5 v1.1, Flan-T5, mT5); not
                        "gated-silu", "gelu", ...
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from textedit.models.t5.t5_config import FEED_FORWARD_PROJECTIONS, T5Config

SUPPORTED_MODEL_TYPES = ("t5", "mt5")


def read_hf_t5_config(directory: str | os.PathLike) -> T5Config:
    """The `T5Config` of a checkpoint directory's config.json.

    Raises:
      FileNotFoundError: no config.json in `directory`.
      ValueError: not JSON, or a config this backbone cannot express (module docstring); the
        message names the file and the field.
    """
    path = Path(directory) / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no config.json in the checkpoint directory")
    try:
        hf_config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    model_type = hf_config.get("model_type", "t5")
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise ValueError(f"{path}: model_type {model_type!r} cannot be expressed by this T5 "
                         f"backbone; expected one of {SUPPORTED_MODEL_TYPES}")
    if hf_config.get("is_encoder_decoder", True) is False:
        raise ValueError(f"{path}: is_encoder_decoder is false; this backbone is a T5 "
                         "encoder-decoder")
    projection = hf_config.get("feed_forward_proj") or "relu"  # transformers' default
    if projection not in FEED_FORWARD_PROJECTIONS:
        raise ValueError(f"{path}: feed_forward_proj {projection!r} cannot be expressed by this "
                         f"T5 backbone; supported: {', '.join(FEED_FORWARD_PROJECTIONS)} (T5 "
                         "v1.0, and v1.1 / Flan-T5 / mT5)")
    try:
        return T5Config.from_hf_config(hf_config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None
