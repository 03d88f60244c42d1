"""Hugging Face compatibility: random tiny HF T5 models (v1.0 and v1.1) loaded through
`hf_t5_variables` give the same logits; the relative position buckets equal HF's.

Nothing is downloaded: HF builds the models here from configs.
"""

import numpy as np
import pytest
from reference_packages import require_reference

torch = require_reference("torch")
transformers = require_reference("transformers")

from transformers.models.t5 import modeling_t5  # noqa: E402

from textedit.models import (  # noqa: E402
    T5Config,
    T5EncoderDecoder,
    hf_t5_variables,
    relative_position_bucket,
)


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("num_buckets, max_distance", [(32, 128), (16, 32), (64, 256)])
def test_buckets_equal_hf(bidirectional, num_buckets, max_distance):
    relative = torch.arange(-3000, 3001)
    expected = modeling_t5.T5Attention._relative_position_bucket(
        relative, bidirectional=bidirectional, num_buckets=num_buckets, max_distance=max_distance)
    ours = relative_position_bucket(relative.numpy(), bidirectional, num_buckets, max_distance)
    np.testing.assert_array_equal(np.asarray(ours), expected.numpy())


@pytest.mark.parametrize("feed_forward_proj, tied", [("gated-gelu", False), ("relu", True)])
def test_logits_equal_hf(feed_forward_proj, tied):
    torch.manual_seed(0)
    hf_config = transformers.T5Config(
        vocab_size=64, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_decoder_layers=1,
        num_heads=4, relative_attention_num_buckets=8, relative_attention_max_distance=20,
        feed_forward_proj=feed_forward_proj, tie_word_embeddings=tied, dropout_rate=0.0)
    hf = modeling_t5.T5ForConditionalGeneration(hf_config).eval()
    if not tied:  # recent transformers tie lm_head at construction; give v1.1 its own
        hf.lm_head.weight = torch.nn.Parameter(torch.randn(64, 32) * 0.2)
    state = hf.state_dict()

    config = T5Config.from_hf_config(hf_config.to_dict())
    assert (config.tie_word_embeddings, config.feed_forward_proj) == (tied, feed_forward_proj)
    model = T5EncoderDecoder(config)
    for key, (variable, transpose) in hf_t5_variables(model).items():
        array = state[key].numpy()
        variable.assign(array.T if transpose else array)

    rng = np.random.default_rng(0)
    source = rng.integers(2, 64, size=(3, 30))
    source[1, 20:] = 0
    source[2, 5:] = 0
    target = rng.integers(2, 64, size=(3, 25))  # longer than max_distance: log buckets used
    target[:, 0] = 0
    with torch.no_grad():
        expected = hf(input_ids=torch.tensor(source), attention_mask=torch.tensor(source != 0),
                      decoder_input_ids=torch.tensor(target)).logits.numpy()
    logits = model({"encoder_input_tokens": source, "decoder_input_tokens": target})
    np.testing.assert_allclose(logits, expected, atol=2e-5, rtol=1e-5)
