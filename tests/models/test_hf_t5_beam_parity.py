"""Beam search against transformers' `generate(num_beams=k)` on the same weights: the same k
beams, in the same order, with the same scores.

The two length penalties differ in form (ours GNMT's ((5 + n) / 6) ** alpha, HF's n ** lp), so the
comparison runs where they agree: no penalty (alpha = 0, length_penalty = 0.0), which ranks by
summed log-probability. HF's `early_stopping=False` then stops a row when its best running beam
cannot beat its worst finished one, our rule too, and at the last step both keep the best
continuations whether they end in EOS or not. Models: test_hf_t5_import's tiny random v1.1 and
v1.0 checkpoints (its fixtures), nothing downloaded.
"""

import numpy as np
import pytest
from test_hf_t5_import import _inputs, hf, saved  # noqa: F401  (hf, saved: fixtures)

from textedit.decoding import beam_search_decode
from textedit.models import load_hf_t5

MAX_NEW_TOKENS = 10


# One case in the default run (the XLA compile of each beam size takes ~6 s here), the rest slow.
@pytest.mark.parametrize("variant, beam_size", [
    ("v1_1", 3),
    pytest.param("v1_1", 2, marks=pytest.mark.slow),
    pytest.param("v1_0", 2, marks=pytest.mark.slow),
    pytest.param("v1_0", 4, marks=pytest.mark.slow),
])
def test_beams_equal_transformers_generate(hf, saved, variant, beam_size):  # noqa: F811
    torch, _ = hf
    reference, directory = saved[variant, "safetensors"]
    model = load_hf_t5(directory)
    source = _inputs(11, [11, 6, 3, 9], 11)
    with torch.no_grad():
        out = reference.generate(
            input_ids=torch.tensor(source), attention_mask=torch.tensor(source != 0),
            do_sample=False, num_beams=beam_size, num_return_sequences=beam_size,
            length_penalty=0.0, early_stopping=False, max_new_tokens=MAX_NEW_TOKENS,
            min_new_tokens=0, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0,
            output_scores=True, return_dict_in_generate=True)
    expected = out.sequences.numpy()
    assert (expected[:, 0] == 0).all()  # the start token
    expected = expected[:, 1:]
    # HF fills finished beams with EOS (its fill value is `pad_token_id or eos_token_id`, and the
    # pad id 0 is falsy); ours with padding after the first EOS.
    after_eos = np.cumsum(np.cumsum(expected == 1, axis=1), axis=1) > 1
    expected = np.where(after_eos, 0, expected)
    expected = np.pad(expected, ((0, 0), (0, MAX_NEW_TOKENS - expected.shape[1])))
    expected = expected.reshape(len(source), beam_size, MAX_NEW_TOKENS)

    sequences, scores = beam_search_decode(model, source, MAX_NEW_TOKENS, beam_size=beam_size,
                                           alpha=0.0)
    np.testing.assert_array_equal(sequences.numpy(), expected)
    np.testing.assert_allclose(scores.numpy(), out.sequences_scores.numpy().reshape(
        len(source), beam_size), atol=1e-4)
    # Not vacuous: the beams of a row differ; v1.1's end with EOS before the limit or run to it
    # (both kinds of finished beam), v1.0's (tied, scaled) run to the limit.
    assert all(len({tuple(beam) for beam in row}) == beam_size for row in expected)
    ends = (expected == 1).any(axis=-1)
    assert (ends.any() and not ends.all()) if variant == "v1_1" else not ends.any(), ends
