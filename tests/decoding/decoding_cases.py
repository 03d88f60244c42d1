"""Shared cases of the decoding tests: sizes, the EOS processor, the non-cached reference.

Random tiny models rarely choose EOS, so the tests share `eos_processor`: a logits processor that
makes EOS likely after a generated id divisible by 3 (from step 2 on). It depends only on a row's
own tokens, so rows still decode independently, and the rows end at different steps. Sharing one
model and one processor object lets the compiled functions be reused across tests.
"""

import numpy as np
from keras import ops

VOCAB = 64
MAX_LENGTH = 10
LENGTHS = (7, 4, 2)


def eos_processor(logits, index, generated):
    """Adds 8 to EOS's logit when index >= 2 and the last generated id is divisible by 3."""
    last = ops.take(generated, ops.maximum(index - 1, 0), axis=1)  # [b]
    boost = ops.where(ops.logical_and(index >= 2, last % 3 == 0), 8.0, 0.0)
    return logits + boost[:, None] * ops.one_hot(1, logits.shape[-1])[None, :]


def reference_greedy(model, encoder_tokens, max_length, logits_processor=None) -> np.ndarray:
    """Greedy decoding without a cache: the full decoder runs on the prefix at every step."""
    hidden, mask = model.encode(encoder_tokens)
    batch = encoder_tokens.shape[0]
    generated = np.zeros((batch, max_length), np.int32)
    finished = np.zeros(batch, bool)
    for index in range(max_length):
        prefix = np.concatenate([np.zeros((batch, 1), np.int32), generated[:, :index]], axis=1)
        logits = model.decode(prefix, hidden, mask)[:, -1]
        if logits_processor is not None:
            logits = logits_processor(logits, ops.convert_to_tensor(index), generated)
        token = np.where(finished, 0, np.argmax(logits, axis=-1))
        generated[:, index] = token
        finished |= token == 1
        if finished.all():
            break
    return generated
