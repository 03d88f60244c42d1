"""`Gemma2Config`: the hyper-parameters of a Gemma 2 decoder-only model, with named small sizes.

Gemma 2 (Gemma Team 2024) is a decoder-only transformer with: the token embedding scaled by
sqrt(d_model) and tied to the output layer; RMSNorm (zero-centred scale, `1 + w`) before *and*
after both attention and the MLP; a GeGLU MLP; rotary position embeddings; layers alternating
sliding-window (local) and global attention; grouped-query attention; soft-capping of the
attention logits and of the final logits; queries scaled by `query_pre_attn_scalar**-0.5`.

Named sizes (`Gemma2Config.named(size, **overrides)`), for the CPUs of this project:

    size    d_model  heads / kv heads x head_dim  d_ff   layers  window  parameters (16,128 ids)
    tiny    32       4 / 2 x 8                    64     2       4       tests (small vocabulary)
    mini    128      4 / 2 x 32                   384    2       64      2.5 M (embedding 2.1 M)
    small   256      4 / 2 x 64                   1024   8       64      12.0 M (embedding 4.1 M)
    base    512      8 / 4 x 64                   2048   12      128     55.5 M

"small" is 4.9x "mini": the teacher / student pair of the distillation comparison. Field names
follow this project (`d_model`, `num_layers`, ...); `from_hf_config` maps transformers'
`Gemma2Config` names onto them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

LOCAL = "sliding_attention"
GLOBAL = "full_attention"
LAYER_TYPES = (LOCAL, GLOBAL)

_SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(d_model=32, num_heads=4, num_kv_heads=2, head_dim=8, d_ff=64, num_layers=2,
                 sliding_window=4, query_pre_attn_scalar=8),
    "mini": dict(d_model=128, num_heads=4, num_kv_heads=2, head_dim=32, d_ff=384, num_layers=2,
                 sliding_window=64, query_pre_attn_scalar=32),
    "small": dict(d_model=256, num_heads=4, num_kv_heads=2, head_dim=64, d_ff=1024, num_layers=8,
                  sliding_window=64, query_pre_attn_scalar=64),
    "base": dict(d_model=512, num_heads=8, num_kv_heads=4, head_dim=64, d_ff=2048,
                 num_layers=12, sliding_window=128, query_pre_attn_scalar=64),
}

# transformers' Gemma2Config defaults (gemma-2-2b shapes): keys a config.json leaves out.
HF_GEMMA2_DEFAULTS: dict[str, Any] = dict(
    vocab_size=256000, hidden_size=2304, intermediate_size=9216, num_hidden_layers=26,
    num_attention_heads=8, num_key_value_heads=4, head_dim=256,
    hidden_activation="gelu_pytorch_tanh", rms_norm_eps=1e-6, pad_token_id=0, eos_token_id=1,
    bos_token_id=2, tie_word_embeddings=True, attention_bias=False, query_pre_attn_scalar=256,
    sliding_window=4096, final_logit_softcapping=30.0, attn_logit_softcapping=50.0,
    rope_theta=10000.0)
_TANH_GELU = ("gelu_pytorch_tanh", "gelu_new", "gelu_fast")


def alternating_layer_types(num_layers: int) -> tuple[str, ...]:
    """Gemma 2's pattern: local (sliding-window) first, then global, alternating."""
    return tuple(LOCAL if i % 2 == 0 else GLOBAL for i in range(num_layers))


@dataclasses.dataclass(frozen=True)
class Gemma2Config:
    """Shapes and semantics of a Gemma 2 decoder.

    Attributes:
      vocab_size: rows of the (tied) embedding and columns of the logits.
      d_model: width of the residual stream (HF hidden_size).
      num_layers: decoder blocks (HF num_hidden_layers).
      num_heads: query heads (HF num_attention_heads).
      num_kv_heads: key/value heads, shared by num_heads / num_kv_heads query heads each
        (grouped-query attention; HF num_key_value_heads).
      head_dim: width of one head.
      d_ff: inner width of the GeGLU MLP (HF intermediate_size).
      sliding_window: a local layer's query at position q sees keys k with q - k < window.
      layer_types: per layer LOCAL ("sliding_attention") or GLOBAL ("full_attention"); None =
        alternating, local first (HF's default).
      attn_logit_softcap: attention logits become cap * tanh(logits / cap); None = no cap.
      final_logit_softcap: the same for the output logits.
      query_pre_attn_scalar: queries are scaled by query_pre_attn_scalar**-0.5.
      rope_theta: base wavelength of the rotary embedding.
      rms_norm_eps: RMSNorm epsilon.
      dropout_rate: dropout on the embeddings and on each sub-layer's output before the residual
        sum (Gemma 2 itself trains without; small-data runs may want some).
      pad_id, eos_id: ids of the project's vocabulary (0, 1).
      decoder_start_id: the token fed at the first generation step after a prompt: the prompt's
        closing EOS (the decoder-only formatting puts source + EOS before the completion).
    """

    vocab_size: int = 16128
    d_model: int = 256
    num_layers: int = 8
    num_heads: int = 4
    num_kv_heads: int = 2
    head_dim: int = 64
    d_ff: int = 1024
    sliding_window: int = 64
    layer_types: tuple[str, ...] | None = None
    attn_logit_softcap: float | None = 50.0
    final_logit_softcap: float | None = 30.0
    query_pre_attn_scalar: float = 64.0
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-6
    dropout_rate: float = 0.0
    pad_id: int = 0
    eos_id: int = 1
    decoder_start_id: int = 1

    def __post_init__(self):
        for name in ("vocab_size", "d_model", "num_layers", "num_heads", "num_kv_heads",
                     "head_dim", "d_ff", "sliding_window"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: expected a positive integer")
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_heads={self.num_heads} is not a multiple of num_kv_heads="
                             f"{self.num_kv_heads} (each kv head serves a whole group)")
        if self.head_dim % 2:
            raise ValueError(f"head_dim={self.head_dim}: rotary embeddings need an even width")
        types = (alternating_layer_types(self.num_layers) if self.layer_types is None
                 else tuple(self.layer_types))
        if len(types) != self.num_layers or any(t not in LAYER_TYPES for t in types):
            raise ValueError(f"layer_types={self.layer_types!r}: expected {self.num_layers} "
                             f"entries, each one of {LAYER_TYPES}")
        object.__setattr__(self, "layer_types", types)  # frozen: normalise once
        if not 0.0 <= self.dropout_rate < 1.0:
            raise ValueError(f"dropout_rate={self.dropout_rate}: expected a value in [0, 1)")

    @property
    def num_groups(self) -> int:
        """Query heads per key/value head."""
        return self.num_heads // self.num_kv_heads

    def is_local(self, layer: int) -> bool:
        return self.layer_types[layer] == LOCAL

    @classmethod
    def named(cls, size: str, **overrides: Any) -> Gemma2Config:
        """A named size ("tiny", "mini", "small", "base") with fields overridden."""
        if size not in _SIZES:
            raise ValueError(f"unknown Gemma 2 size {size!r}: expected one of {sorted(_SIZES)}")
        return cls(**{**_SIZES[size], **overrides})

    @classmethod
    def from_hf_config(cls, hf: Mapping[str, Any]) -> Gemma2Config:
        """The config of a Hugging Face Gemma 2 checkpoint, from its `config.json` as a dict.

        Absent keys take transformers' defaults (`HF_GEMMA2_DEFAULTS`). The rotary base is read
        from `rope_parameters.rope_theta` (transformers >= 5) or `rope_theta` (older files).

        Raises:
          ValueError: a feature this implementation does not have (untied output layer,
            attention biases, an activation other than tanh-GELU, RoPE scaling).
        """
        rope = hf.get("rope_parameters") or hf.get("rope_scaling") or {}
        # A cap written as null means "no cap": read the caps before defaults fill the gaps.
        caps = {key: hf.get(key, HF_GEMMA2_DEFAULTS[key])
                for key in ("attn_logit_softcapping", "final_logit_softcapping")}
        if rope.get("rope_type", "default") != "default":
            raise ValueError(f"rope type {rope.get('rope_type')!r}: only the default RoPE is "
                             "implemented")
        hf = {**HF_GEMMA2_DEFAULTS, **{k: v for k, v in hf.items() if v is not None}}
        activation = hf.get("hidden_activation") or hf.get("hidden_act")
        if activation not in _TANH_GELU:
            raise ValueError(f"hidden_activation={activation!r}: expected one of {_TANH_GELU}")
        if not hf["tie_word_embeddings"] or hf["attention_bias"]:
            raise ValueError("Gemma 2 ties the output layer to the embedding and has no "
                             "attention biases; this config.json says otherwise")
        eos = hf["eos_token_id"]
        return cls(
            vocab_size=hf["vocab_size"], d_model=hf["hidden_size"],
            num_layers=hf["num_hidden_layers"], num_heads=hf["num_attention_heads"],
            num_kv_heads=hf["num_key_value_heads"], head_dim=hf["head_dim"],
            d_ff=hf["intermediate_size"], sliding_window=hf["sliding_window"],
            layer_types=_optional_tuple(hf.get("layer_types")),
            attn_logit_softcap=caps["attn_logit_softcapping"],
            final_logit_softcap=caps["final_logit_softcapping"],
            query_pre_attn_scalar=float(hf["query_pre_attn_scalar"]),
            rope_theta=float(rope.get("rope_theta", hf["rope_theta"])),
            rms_norm_eps=hf["rms_norm_eps"], pad_id=hf["pad_token_id"],
            eos_id=eos if isinstance(eos, int) else eos[0])

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["layer_types"] = list(self.layer_types)
        return values


def _optional_tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)
