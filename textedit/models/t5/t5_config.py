"""`T5Config`: the hyper-parameters of a T5 encoder-decoder, with named sizes.

One dataclass covers both T5 generations, so Hugging Face checkpoints of either load and give the
same logits (see `t5_hf_names.py` for the weight names):

    generation   feed_forward_proj   tie_word_embeddings   HF checkpoints
    T5 v1.0      "relu"              True                  t5-small, t5-base, ...
    T5 v1.1      "gated-gelu"        False                 google/t5-v1_1-*, flan-t5-*

Named sizes (`T5Config.named(size, **overrides)`), all T5 v1.1 semantics:

    size    d_model  heads x d_kv  d_ff   layers (enc+dec)  parameters (16,128-id vocabulary)
    tiny    32       4 x 8         64     2 + 2             1.08 M  (tests pass a small vocabulary)
    small   256      4 x 64        768    6 + 6             20.1 M  (14.5 M with a 1-layer decoder)
    base    768      12 x 64       2048   12 + 12           223.0 M (T5-base v1.1 shapes; 247.6 M
                                                                     with T5's 32,128 ids)

The default vocabulary size, 16,128, is the project's 16,000 SentencePiece pieces plus 100 T5
sentinels (16,100 ids) rounded up to a multiple of 128, as T5 rounds 32,100 up to 32,128. EdiT5
and "slim" seq2seq models override `num_decoder_layers=1`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

FEED_FORWARD_PROJECTIONS = ("gated-gelu", "relu")

_SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(d_model=32, d_kv=8, d_ff=64, num_heads=4, num_encoder_layers=2,
                 num_decoder_layers=2),
    "small": dict(d_model=256, d_kv=64, d_ff=768, num_heads=4, num_encoder_layers=6,
                  num_decoder_layers=6),
    "base": dict(d_model=768, d_kv=64, d_ff=2048, num_heads=12, num_encoder_layers=12,
                 num_decoder_layers=12),
}

# transformers' T5Config defaults: a config.json leaves out what equals them (t5-small's has no
# feed_forward_proj and no relative_attention_max_distance), so absent keys mean these values.
HF_T5_DEFAULTS: dict[str, Any] = dict(
    vocab_size=32128, d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_heads=8,
    relative_attention_num_buckets=32, relative_attention_max_distance=128, dropout_rate=0.1,
    layer_norm_epsilon=1e-6, feed_forward_proj="relu", pad_token_id=0, eos_token_id=1,
    decoder_start_token_id=0)


@dataclasses.dataclass(frozen=True)
class T5Config:
    """Shapes and semantics of a T5 encoder-decoder. Field names follow Hugging Face's T5Config,
    except that the encoder's depth is `num_encoder_layers` (HF: `num_layers`).

    Attributes:
      vocab_size: rows of the shared embedding (and columns of the logits).
      d_model: width of the residual stream.
      d_kv: width of one attention head (queries, keys and values).
      d_ff: inner width of the feed-forward layers.
      num_heads: attention heads per attention layer.
      num_encoder_layers: encoder blocks.
      num_decoder_layers: decoder blocks, set independently (EdiT5 and "slim" seq2seq use 1).
      relative_attention_num_buckets: buckets of the relative position bias (T5: 32).
      relative_attention_max_distance: distance beyond which positions share a bucket (T5: 128).
      dropout_rate: dropout on embeddings, attention weights, the feed-forward hidden layer, every
        sub-layer output before the residual sum and the final layer norm's output (as HF T5).
      layer_norm_epsilon: RMSNorm epsilon (T5: 1e-6).
      feed_forward_proj: "gated-gelu" (T5 v1.1: wi_0, wi_1, wo with tanh-approximated GELU, HF's
        "gelu_new") or "relu" (T5 v1.0: wi, wo).
      tie_word_embeddings: True (T5 v1.0): the logits are the decoder output scaled by
        d_model**-0.5 times the shared embedding transposed; False (T5 v1.1): a separate `lm_head`
        without scaling.
      pad_id: padding id; the encoder mask is `tokens != pad_id`.
      eos_id: end-of-sequence id.
      decoder_start_id: first decoder input (T5 uses the pad id, 0).
      num_segments: 0 (T5), or the number of learned segment embeddings added to the encoder's
        token embeddings. A separator id (`first_separator_id` .. + `num_separators` - 1) opens
        the next segment: segment = min(separators up to and including the position,
        num_segments - 1). LMCor inputs (x <extra_id_0> c_1 <extra_id_1> ...) then tell the
        source (segment 0) from the candidates without the encoder having to find the
        separators first (docs/algorithms.md#lmcor). Initialised as the shared embedding
        (N(0, 1)); a zero start stayed too small beside the token embeddings to be learnt.
      first_separator_id, num_separators: the separator ids (the vocabulary's T5 sentinels).
      absolute_positions: False (T5), or True: sinusoidal absolute position encodings are added
        to the encoder's and the decoder's input embeddings, so that cross-attention can align
        by position (textedit/models/t5/absolute_positions.py). No weights.
    """

    vocab_size: int = 16128
    d_model: int = 768
    d_kv: int = 64
    d_ff: int = 2048
    num_heads: int = 12
    num_encoder_layers: int = 12
    num_decoder_layers: int = 12
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    dropout_rate: float = 0.1
    layer_norm_epsilon: float = 1e-6
    feed_forward_proj: str = "gated-gelu"
    tie_word_embeddings: bool = False
    pad_id: int = 0
    eos_id: int = 1
    decoder_start_id: int = 0
    num_segments: int = 0
    first_separator_id: int = 0
    num_separators: int = 0
    absolute_positions: bool = False

    def __post_init__(self):
        if self.feed_forward_proj not in FEED_FORWARD_PROJECTIONS:
            raise ValueError(f"feed_forward_proj={self.feed_forward_proj!r}: expected one of "
                             f"{FEED_FORWARD_PROJECTIONS}")
        for name in ("vocab_size", "d_model", "d_kv", "d_ff", "num_heads", "num_encoder_layers",
                     "num_decoder_layers", "relative_attention_num_buckets"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: expected a positive integer")
        if self.num_segments < 0 or (self.num_segments and self.num_separators < 1):
            raise ValueError(f"num_segments={self.num_segments} needs num_separators >= 1 "
                             f"(got {self.num_separators})")
        if not 0.0 <= self.dropout_rate < 1.0:
            raise ValueError(f"dropout_rate={self.dropout_rate}: expected a value in [0, 1)")

    @property
    def is_gated(self) -> bool:
        """True for the gated feed-forward of T5 v1.1 (wi_0, wi_1, wo)."""
        return self.feed_forward_proj.startswith("gated-")

    @property
    def inner_dim(self) -> int:
        """num_heads * d_kv, the width of the attention projections."""
        return self.num_heads * self.d_kv

    @classmethod
    def named(cls, size: str, **overrides: Any) -> T5Config:
        """A named size ("tiny", "small", "base") with fields overridden, e.g.
        `T5Config.named("small", vocab_size=16128, num_decoder_layers=1)`."""
        if size not in _SIZES:
            raise ValueError(f"unknown T5 size {size!r}: expected one of {sorted(_SIZES)}")
        return cls(**{**_SIZES[size], **overrides})

    @classmethod
    def from_hf_config(cls, hf: Mapping[str, Any]) -> T5Config:
        """The config of a Hugging Face T5 checkpoint, from its `config.json` as a dict.

        Keys the file leaves out (or sets to null) take transformers' defaults (`HF_T5_DEFAULTS`:
        the shapes of t5-small, "relu"), not this class's. `num_layers` becomes
        `num_encoder_layers`; `num_decoder_layers` defaults to it as in HF.
        Whether the logits use the tied, scaled embedding is read from `tie_word_embeddings`
        (absent means True, HF's default); recent `transformers` releases always write True there
        and keep the answer in `scale_decoder_outputs`, which wins when present.
        """
        tied = hf.get("scale_decoder_outputs", hf.get("tie_word_embeddings", True))
        hf = {**HF_T5_DEFAULTS, **{k: v for k, v in hf.items() if v is not None}}
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in hf.items() if k in fields}
        values["num_encoder_layers"] = hf["num_layers"]
        values["num_decoder_layers"] = hf.get("num_decoder_layers") or values["num_encoder_layers"]
        values["tie_word_embeddings"] = bool(tied)
        values.pop("decoder_start_id", None)
        values["decoder_start_id"] = hf["decoder_start_token_id"]
        values["pad_id"] = hf["pad_token_id"]
        if isinstance(hf["eos_token_id"], int):
            values["eos_id"] = hf["eos_token_id"]
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
