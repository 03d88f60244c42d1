"""The decoder-only row of `textedit benchmark decode` on a tiny Gemma 2 (slow: two spawned
processes): both sides generate the same tokens from the same weights, so our prefill + cached XLA
decoding equals transformers' `Gemma2ForCausalLM.generate` with its sliding-window cache."""

import pytest
from reference_packages import require_reference


@pytest.mark.slow
def test_decoder_only_benchmark_agrees_with_transformers_generate():
    require_reference("torch")
    require_reference("transformers")
    from textedit.benchmarks.decoder_only_decode_speed import benchmark_decoder_only_decode

    # window 4 (the tiny size) < 6 input + 8 generated tokens: local layers wrap their caches.
    report = benchmark_decoder_only_decode(size="tiny", vocab_size=128, batch_sizes=(1, 3),
                                           input_length=6, decode_length=8, repeats=2,
                                           threads=(1,))
    assert [row["batch"] for row in report["rows"]] == [1, 3]
    for row in report["rows"]:
        assert row["ours_s"] > 0 and row["transformers_s"] > 0
        assert row["token_agreement"] == 1.0
