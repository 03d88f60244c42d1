"""Keras 3 models: the T5 (v1.0 / v1.1) encoder-decoder and its layers, and EdiT5.

    config = T5Config.named("small", vocab_size=16128)        # or "tiny", "base"
    model = T5EncoderDecoder(config)
    logits = model({"encoder_input_tokens": x, "decoder_input_tokens": y})

Layers use `keras.ops`; shapes are in each docstring. HF checkpoint names: `hf_t5_variables`;
local HF checkpoints (safetensors or PyTorch format): `load_hf_t5(directory)`.
EdiT5 (tagger, Sinkhorn pointer, 1-layer insertion decoder): `Edit5Model(Edit5Config(...))`.
Gemma 2 decoder-only: `Gemma2DecoderOnly(Gemma2Config.named("mini"))`, `load_hf_gemma2(directory)`.
Image input tower (OCR post-correction): `T5WithImageTower(config, ImageTowerConfig())`.
Preference learning: `T5ScalarModel(config)` (reward / value), `PolicyWithValue(policy, value)`.
"""

from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model
from textedit.models.gemma2.gemma2_config import Gemma2Config
from textedit.models.gemma2.gemma2_model import Gemma2DecoderOnly
from textedit.models.gemma2.hf_gemma2_import import (
    hf_gemma2_variables,
    load_hf_gemma2,
    load_hf_gemma2_weights,
    read_hf_gemma2_checkpoint,
)
from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower, ViTImageTower
from textedit.models.reward import PolicyWithValue, T5ScalarModel
from textedit.models.t5.hf_t5_import import (
    HFLoadReport,
    load_hf_t5,
    load_hf_t5_weights,
    read_hf_t5_checkpoint,
)
from textedit.models.t5.relative_position_bias import RelativePositionBias, relative_position_bucket
from textedit.models.t5.rms_norm import RMSNorm
from textedit.models.t5.t5_attention import T5Attention
from textedit.models.t5.t5_block import T5Block
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_decoder import T5Decoder
from textedit.models.t5.t5_encoder import T5Encoder
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.models.t5.t5_feed_forward import T5FeedForward
from textedit.models.t5.t5_hf_names import hf_t5_variables

__all__ = [
    "Edit5Config",
    "Edit5Model",
    "Gemma2Config",
    "Gemma2DecoderOnly",
    "HFLoadReport",
    "ImageTowerConfig",
    "PolicyWithValue",
    "RMSNorm",
    "RelativePositionBias",
    "T5Attention",
    "T5Block",
    "T5Config",
    "T5Decoder",
    "T5Encoder",
    "T5EncoderDecoder",
    "T5FeedForward",
    "T5ScalarModel",
    "T5WithImageTower",
    "ViTImageTower",
    "hf_gemma2_variables",
    "hf_t5_variables",
    "load_hf_gemma2",
    "load_hf_gemma2_weights",
    "load_hf_t5",
    "load_hf_t5_weights",
    "read_hf_gemma2_checkpoint",
    "read_hf_t5_checkpoint",
    "relative_position_bucket",
]
