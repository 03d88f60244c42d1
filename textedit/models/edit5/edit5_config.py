"""`Edit5Config`: the hyper-parameters of an EdiT5 model (docs/algorithms.md#edit5-model).

    config = Edit5Config(t5=T5Config.named("small", num_decoder_layers=1), sinkhorn_iterations=3)
    model = Edit5Model(config)

The backbone is a T5 encoder-decoder (`t5`): its encoder reads the source, its decoder (1 layer in
every model of the paper) is the insertion decoder. The EdiT5 heads add, each as one T5 encoder
block with its own relative position bias and final RMSNorm:

    tagger       block + KEEP/DELETE classifier                     (TaggerHead)
    pointer key  block + dense; the query is one dense layer        (PointerHead)
    re-order     block over tag-conditioned states + position embedding

Position tokens `<pos_k>` are reserved ids `first_position_id + k`, k < num_position_tokens (the
project's vocabulary: ids 3 .. 3 + P - 1, `textedit.data.vocab.vocabulary`). An input of L pieces
(EOS included) needs at most L position tokens (k = 0 .. L - 1 kept pieces).

Loss (`textedit.objectives.edit5_loss`): L = λ1·L_tag + λ2·L_point + λ3·L_ins, each part reduced
by "mean" (per token / per pointer row / per decoder token) or "sum" (summed per example, then
averaged over the batch: the paper's choice for GEC tags and pointers, "λ = number of tokens").
`loss_reduction` is one name for all parts or a per-part mapping such as
`{"tag": "sum", "pointer": "sum", "insertion": "mean"}`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from textedit.models.image_tower.image_tower_config import ImageTowerConfig
from textedit.models.t5.t5_config import T5Config

LOSS_PARTS = ("tag", "pointer", "insertion")
REDUCTIONS = ("mean", "sum")


def _default_t5() -> T5Config:
    return T5Config(num_decoder_layers=1)


@dataclasses.dataclass(frozen=True)
class Edit5Config:
    """EdiT5 = a T5 backbone (encoder + 1-layer insertion decoder) + tagger, pointer, re-order.

    Attributes:
      t5: the backbone; `num_decoder_layers` is the insertion decoder's depth (the paper: 1).
      sinkhorn_iterations: K log-space Sinkhorn iterations (each: normalise columns, then rows);
        0 = none, the pointer scores are only normalised per row (a softmax per row). The paper
        does not give K; 3 is a common choice for small matrices.
      pointer_dim: width of the pointer query and key (default: d_model); scores are scaled by
        pointer_dim**-0.5.
      pointer_position_bias: add a learnt bias per relative-position bucket to the pointer
        scores (not in the paper, see PointerHead), initialised to 0 except the +1 bucket.
      next_position_prior: the +1 bucket's initial bias: an untrained pointer follows the
        source order (PointerHead explains why).
      start_prior: a constant added to the score START -> first source position (the other end
        of that order); 0 = none.
      tag_embedding_dim: width of the KEEP/DELETE embedding fused with the encoder states
        (default: d_model).
      max_input_length: longest input (pieces + EOS) the re-order position embedding covers; it
        has max_input_length rows (re-ordered positions 0 .. max_input_length - 1; longer inputs
        clip to the last row).
      first_position_id: id of `<pos_0>`.
      num_position_tokens: how many `<pos_k>` ids are reserved (k = 0 .. num_position_tokens - 1).
      position_logits: add to each `<pos_k>` logit of the insertion decoder a dot product of
        its state with the re-ordered state of the k-th kept piece (k = 0: START), so a
        position token is scored by what it would follow, not by an id-specific output row it
        must learn for every k (not in the paper; see Edit5Model.position_keys).
      position_inputs: add to the insertion decoder's input embedding of each `<pos_k>` a
        projection of the re-ordered state of the k-th kept piece, so the tokens of a span are
        decoded knowing the words around it instead of an id-specific input row learnt for every
        k (not in the paper; see Edit5Model.position_inputs).
      position_successors: with position_logits / position_inputs, what `<pos_k>` reads is the
        k-th kept piece's state plus a projection of the state of the source piece right after
        it (for START: the first source piece), so a position token also sees what its gap
        holds: a deleted word to replace or the next word (not in the paper; see
        Edit5Model.successor_states).
      tag_loss_weight, pointer_loss_weight, insertion_loss_weight: λ1, λ2, λ3.
      loss_reduction: "mean", "sum", or a mapping part -> reduction (parts: LOSS_PARTS).
      image_tower: an optional line-image tower (ImageTowerConfig; docs/algorithms.md#input-towers):
        the encoder then reads [<image>] P vectors [</image>] before the text, the tagger and
        pointer see the text positions only, and the insertion decoder attends to the image too.
        None (the default): exactly the text-only model, and to_dict leaves the key out so
        text-only configs serialise as before.
    """

    t5: T5Config = dataclasses.field(default_factory=_default_t5)
    sinkhorn_iterations: int = 3
    pointer_dim: int | None = None
    pointer_position_bias: bool = True
    next_position_prior: float = 3.0
    start_prior: float = 3.0
    tag_embedding_dim: int | None = None
    max_input_length: int = 512
    first_position_id: int = 3
    num_position_tokens: int = 513
    position_logits: bool = False
    position_inputs: bool = False
    position_successors: bool = False
    tag_loss_weight: float = 1.0
    pointer_loss_weight: float = 1.0
    insertion_loss_weight: float = 1.0
    loss_reduction: str | Mapping[str, str] = "mean"
    image_tower: ImageTowerConfig | None = None

    def __post_init__(self):
        if isinstance(self.t5, Mapping):  # from_dict / gin pass the backbone as a dict
            object.__setattr__(self, "t5", T5Config(**self.t5))
        if isinstance(self.image_tower, Mapping):  # from_dict: the tower as a dict
            object.__setattr__(self, "image_tower", ImageTowerConfig(**self.image_tower))
        if self.sinkhorn_iterations < 0:
            raise ValueError(f"sinkhorn_iterations={self.sinkhorn_iterations}: expected >= 0")
        for name in ("max_input_length", "num_position_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: expected a positive integer")
        for name in ("pointer_dim", "tag_embedding_dim"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name}={value}: expected a positive integer or None")
        if self.first_position_id < 0 or (
                self.first_position_id + self.num_position_tokens > self.t5.vocab_size):
            raise ValueError(
                f"position ids {self.first_position_id} .. "
                f"{self.first_position_id + self.num_position_tokens - 1} do not fit the "
                f"vocabulary of {self.t5.vocab_size} ids")
        special = {self.t5.pad_id, self.t5.eos_id}
        if any(self.is_position_id(i) for i in special):
            raise ValueError(f"position ids overlap pad/eos ids {sorted(special)}")
        if self.position_successors and not (self.position_logits or self.position_inputs):
            raise ValueError("position_successors needs position_logits or position_inputs "
                             "(it changes what the position tokens read)")
        self.reductions()  # validates loss_reduction

    @property
    def resolved_pointer_dim(self) -> int:
        return self.pointer_dim or self.t5.d_model

    @property
    def resolved_tag_embedding_dim(self) -> int:
        return self.tag_embedding_dim or self.t5.d_model

    def is_position_id(self, token_id: int) -> bool:
        """Whether `token_id` is some `<pos_k>`."""
        return 0 <= token_id - self.first_position_id < self.num_position_tokens

    def position_id(self, k: int) -> int:
        """The id of `<pos_k>`."""
        if not 0 <= k < self.num_position_tokens:
            raise ValueError(f"position {k} outside the {self.num_position_tokens} reserved tokens")
        return self.first_position_id + k

    def loss_weights(self) -> dict[str, float]:
        """{"tag": λ1, "pointer": λ2, "insertion": λ3}."""
        return {"tag": self.tag_loss_weight, "pointer": self.pointer_loss_weight,
                "insertion": self.insertion_loss_weight}

    def reductions(self) -> dict[str, str]:
        """The reduction of each loss part, {"tag": ..., "pointer": ..., "insertion": ...}."""
        return resolve_reductions(self.loss_reduction)

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        if isinstance(self.loss_reduction, Mapping):
            values["loss_reduction"] = dict(self.loss_reduction)
        if not self.position_successors:  # configs without it serialise as before
            del values["position_successors"]
        if self.image_tower is None:  # text-only configs (run files, checkpoints) stay as before
            del values["image_tower"]
        else:
            values["image_tower"] = self.image_tower.to_dict()
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Edit5Config:
        return cls(**values)


def resolve_reductions(reduction: str | Mapping[str, str]) -> dict[str, str]:
    """"mean" / "sum" for every part, or a mapping naming some parts (the rest: "mean")."""
    if isinstance(reduction, str):
        reductions = dict.fromkeys(LOSS_PARTS, reduction)
    else:
        unknown = set(reduction) - set(LOSS_PARTS)
        if unknown:
            raise ValueError(f"loss_reduction names unknown parts {sorted(unknown)}: expected "
                             f"some of {LOSS_PARTS}")
        reductions = {part: reduction.get(part, "mean") for part in LOSS_PARTS}
    for part, value in reductions.items():
        if value not in REDUCTIONS:
            raise ValueError(f"loss_reduction for {part} is {value!r}: expected one of "
                             f"{REDUCTIONS}")
    return reductions
