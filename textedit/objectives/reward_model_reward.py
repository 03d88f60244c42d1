"""A learned reward inside the compiled step: a `T5ScalarModel` (textedit/models/reward) scoring
the prompt followed by the sampled response.

    reward = reward_model_reward(reward_model, max_length=192)
    r = reward(prompts, responses, references)       # float32 [n]

The reward model was trained on text = the prompt's tail + the response (`scored_text`), tokenised
as one string. Here the same sequence is built from ids: the prompt's words (its EOS dropped), then
the response up to its EOS, shifted left so that the last `max_length` tokens are kept (the
prompt's tail and the whole response when it fits). Joining ids rather than text can tokenise the
seam differently from `scored_text` (one SentencePiece boundary); everything else is the same.
"""

from __future__ import annotations

from collections.abc import Callable

from keras import ops

FIRST_WORD_ID = 2  # T5 ids: 0 padding, 1 EOS


def prompt_then_response(prompts, responses, max_length: int):
    """int32 [n, max_length]: prompt words, then the response (EOS kept), the tail kept, 0-padded.

    Args:
      prompts: int [n, s], words then EOS then padding.
      responses: int [n, t], `tokens..., EOS, 0, ...`.
    """
    prompts = ops.cast(prompts, "int32")
    responses = ops.cast(responses, "int32")
    prompt_length = ops.sum(ops.cast(prompts >= FIRST_WORD_ID, "int32"), axis=1)  # [n]
    response_length = ops.sum(ops.cast(responses > 0, "int32"), axis=1)
    total = prompts.shape[1] + responses.shape[1]
    position = ops.arange(total, dtype="int32")[None, :]  # [1, s + t]
    in_prompt = position < prompt_length[:, None]
    from_prompt = ops.take_along_axis(
        ops.pad(prompts, [[0, 0], [0, responses.shape[1]]]), ops.broadcast_to(
            position, (ops.shape(prompts)[0], total)), axis=1)
    response_index = ops.clip(position - prompt_length[:, None], 0, responses.shape[1] - 1)
    from_response = ops.take_along_axis(responses, response_index, axis=1)
    # Past the response the clipped index would repeat its last token: those positions are 0.
    after = position - prompt_length[:, None] >= response_length[:, None]
    joined = ops.where(in_prompt, from_prompt, ops.where(after, 0, from_response))
    # Keep the last max_length tokens of prompt + response: start at (length - max_length)+.
    start = ops.maximum(prompt_length + response_length - max_length, 0)[:, None]
    window = ops.clip(start + ops.arange(max_length, dtype="int32")[None, :], 0, total - 1)
    kept = ops.take_along_axis(joined, window, axis=1)
    inside = (start + ops.arange(max_length, dtype="int32")[None, :]) < total
    return ops.where(inside, kept, 0)


def reward_model_reward(reward_model, max_length: int = 192) -> Callable:
    """The reward (prompts, responses, references) -> float32 [n] of the module docstring;
    `reward_model` is frozen (its scores carry no gradient)."""
    reward_model.trainable = False

    def reward(prompts, responses, references):
        del references  # a learned reward needs none
        tokens = prompt_then_response(prompts, responses, max_length)
        return ops.stop_gradient(reward_model({"encoder_input_tokens": tokens}, training=False))

    return reward
