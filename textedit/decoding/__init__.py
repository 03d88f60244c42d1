"""Cached autoregressive decoding compiled with XLA: greedy, beam search, sampling.

    tokens = greedy_decode(model, encoder_tokens, max_decode_length=64)
    sequences, scores = beam_search_decode(model, encoder_tokens, 64, beam_size=4, alpha=0.6)
    tokens = sample_decode(model, encoder_tokens, 64, seed=0, temperature=0.7, top_p=0.9)

Each `*_decode` runs encoder, cache set-up and the loop as one `tf.function(jit_compile=True)`;
the `*_loop` functions are the traceable cores for use inside other compiled graphs. EdiT5:
`edit_step` (encode, tag, point, order, constrained insertion decoding in one XLA function) and
`realise_batch` (edit plans and output tokens); `edit_batch` runs both. Outputs read
tokens, EOS (1), then pad (0). The hooks and conventions are in `decode_loop`.
"""

from textedit.decoding.beam_search import (
    beam_search_decode,
    beam_search_decode_xla,
    beam_search_loop,
    length_penalty,
)
from textedit.decoding.decode_loop import (
    EOS_ID,
    PAD_ID,
    START_ID,
    decode_loop,
    start_decoding,
    token_loop,
    xla_function,
)
from textedit.decoding.edit_inference import edit_batch, edit_step, realise_batch
from textedit.decoding.greedy import greedy_decode, greedy_decode_xla, greedy_loop
from textedit.decoding.sampling import (
    filter_logits,
    gumbel_argmax,
    sample_decode,
    sample_decode_xla,
    sampling_loop,
)

__all__ = [
    "EOS_ID",
    "PAD_ID",
    "START_ID",
    "beam_search_decode",
    "beam_search_decode_xla",
    "beam_search_loop",
    "decode_loop",
    "edit_batch",
    "edit_step",
    "filter_logits",
    "greedy_decode",
    "greedy_decode_xla",
    "greedy_loop",
    "gumbel_argmax",
    "length_penalty",
    "realise_batch",
    "sample_decode",
    "sample_decode_xla",
    "sampling_loop",
    "start_decoding",
    "token_loop",
    "xla_function",
]
