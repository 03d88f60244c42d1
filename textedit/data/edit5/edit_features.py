"""EditPlan <-> per-position model features over vocabulary ids (numpy, no TensorFlow).

The model sees the source as `inputs` = source pieces + EOS, n + 1 positions. The EOS position
doubles as the START slot of the pointer chain, so tags and pointers live on exactly the encoder
positions (no extra START token):

    position        0 .. n-1            n
    inputs          source pieces       EOS
    tags            KEEP 1 / DELETE 0   KEEP (the chain always passes through START)
    pointers        next position       position of the first kept piece (n if none kept)

`pointers[p]` is the position of the piece that follows p in the output; the last kept piece points
back to n (EOS/START); a deleted piece points to itself. So `pointers` is a permutation of
0 .. n (one cycle through START and the kept pieces, a fixed point per deleted piece), the
doubly-stochastic target Sinkhorn normalisation expects. `EditPlan` numbers the same chain by slots
(slot 0 = START, slot i + 1 = source token i; see textedit/edits/edit_plan.py); here position
p = slot - 1 for source slots and n for slot 0.

`decoder_targets` = `<pos_k> span <pos_m> span ... EOS` as ids (`<pos_k>` = position_id(k)).

`decoder_target_positions` (optional, for distillation from a seq2seq teacher) has the length of
`decoder_targets`: per inserted piece, its index j in the target pieces (`targets[j]` is that
piece), -1 at `<pos_k>` and EOS.

Example ("A long user query" -> "The user query is very long", ids A=10 long=11 user=12 query=13
The=20 is=21 very=22, <pos_k> = 3 + k, EOS=1):

    inputs           [10, 11, 12, 13, 1]
    tags             [ 0,  1,  1,  1, 1]
    pointers         [ 0,  4,  3,  1, 2]    EOS->user->query->long->EOS, A->A
    decoder_targets  [3, 20, 5, 21, 22, 1]  <pos_0> The <pos_2> is very </s>
    decoder_target_positions [-1, 0, -1, 3, 4, -1]   targets = The user query is very long </s>
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from textedit.edits import (
    KEEP,
    START_SLOT,
    EditPlan,
    decoder_target,
    decoder_target_sources,
    parse_decoder_output,
)


def _slot_to_position(slot: int, num_source: int) -> int:
    return num_source if slot == START_SLOT else slot - 1


def _position_to_slot(position: int, num_source: int) -> int:
    return START_SLOT if position == num_source else position + 1


def plan_to_features(
    plan: EditPlan[int], *, position_id: Callable[[int], int], eos_id: int
) -> dict[str, np.ndarray]:
    """Per-position features of a plan over a source of n pieces.

    Args:
      plan: the plan (its insertions hold vocabulary ids).
      position_id: k -> the id of `<pos_k>`, e.g. `VocabularyManifest.position_id`.
      eos_id: the end-of-sequence id.

    Returns:
      `tags` int32 [n + 1], `pointers` int32 [n + 1] (the last entry is the EOS/START position),
      `decoder_targets` int32 [len(decoder target) + 1] ending in `eos_id`.
    """
    n = plan.num_source
    tags = np.asarray([*plan.tags, KEEP], np.int32)
    pointers = np.empty(n + 1, np.int32)
    for slot, next_slot in enumerate(plan.pointers):
        pointers[_slot_to_position(slot, n)] = _slot_to_position(next_slot, n)
    decoder = [*decoder_target(plan, position_id), eos_id]
    return {"tags": tags, "pointers": pointers, "decoder_targets": np.asarray(decoder, np.int32)}


def decoder_target_positions(plan: EditPlan[int]) -> np.ndarray:
    """int32 [len(decoder target) + 1]: per `decoder_targets` position the index of its piece in
    the target (`textedit.edits.decoder_target_sources`), -1 at `<pos_k>` and at the final EOS."""
    return np.asarray([*decoder_target_sources(plan), -1], np.int32)


def check_decoder_target_positions(
    targets: Sequence[int],
    decoder_targets: Sequence[int],
    positions: Sequence[int],
    is_marker: Callable[[int], bool] | None = None,
) -> None:
    """ValueError unless every content position i has `targets[positions[i]] ==
    decoder_targets[i]`, and (with `is_marker`) -1 sits exactly on the markers.

    Args:
      targets: the target pieces (with or without EOS), [m (+ 1)].
      decoder_targets, positions: [d + 1] each, as `plan_to_features` and
        `decoder_target_positions` make them.
      is_marker: id -> whether it is a `<pos_k>` or EOS (no target counterpart); None: only the
        content positions are checked.
    """
    if len(positions) != len(decoder_targets):
        raise ValueError(f"{len(positions)} target positions for {len(decoder_targets)} "
                         "decoder targets")
    for i, (token, j) in enumerate(zip(decoder_targets, positions, strict=True)):
        token, j = int(token), int(j)
        if is_marker is not None and is_marker(token) != (j == -1):
            raise ValueError(f"decoder target {i} ({token}) has target position {j}: -1 must "
                             "mark exactly the <pos_k> and EOS positions")
        if j == -1:
            continue
        if not 0 <= j < len(targets) or int(targets[j]) != token:
            found = int(targets[j]) if 0 <= j < len(targets) else "out of range"
            raise ValueError(f"decoder target {i} ({token}) maps to target position {j} "
                             f"({found}): the plan does not realise the target")


def plan_from_features(
    tags: Sequence[int],
    pointers: Sequence[int],
    decoder_targets: Sequence[int],
    *,
    num_inputs: int,
    first_position_id: int,
    num_position_tokens: int,
    eos_id: int,
) -> EditPlan[int]:
    """The plan that `plan_to_features` encoded; padding after the first `num_inputs` is ignored.

    Args:
      tags, pointers: `[>= num_inputs]` per-position features (possibly padded).
      decoder_targets: `[T]` ids; read up to the first EOS (padding after it is ignored).
      num_inputs: n + 1, the unpadded input length (pieces + EOS).
      first_position_id, num_position_tokens: the id range of `<pos_k>`.
      eos_id: the end-of-sequence id.
    """
    n = num_inputs - 1
    plan_pointers = [0] * num_inputs
    for position in range(num_inputs):
        next_slot = _position_to_slot(int(pointers[position]), n)
        plan_pointers[_position_to_slot(position, n)] = next_slot
    insertions = parse_decoder_output(
        (int(t) for t in decoder_targets),
        lambda t: first_position_id <= t < first_position_id + num_position_tokens,
        lambda t: t - first_position_id,
        end_token=eos_id,
    )
    return EditPlan(
        tags=tuple(int(t) for t in tags[:n]),
        pointers=tuple(plan_pointers),
        insertions=insertions,
    )
