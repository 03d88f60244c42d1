"""`textedit benchmark latency --profile` (textedit/benchmarks/edit5_profile.py) on a tiny model:
every part is timed and the parts add up to the full computation (no timing is asserted)."""

import numpy as np
import pytest


@pytest.mark.slow  # ~15 s: seven ablations compile one after another
def test_edit5_profile_times_each_part_of_a_tiny_model():
    from textedit.benchmarks.edit5_profile import STAGES, format_edit5_profile, profile_edit5

    report = profile_edit5(size="tiny", vocab_size=64, input_length=8, source_pieces=5,
                           insert_steps=3, target_steps=4, threads=None, warmup=0, repeats=2)
    assert list(report["parts"]) == [*STAGES, "insertion decoder stack",
                                     "output layer + constraint + argmax"]
    for ms in [*report["prefix_ms"].values(), report["full_ms"], report["seq2seq_full_ms"]]:
        assert ms > 0
    assert sum(report["parts"].values()) == pytest.approx(report["full_ms"], rel=1e-6)
    table = format_edit5_profile(report).splitlines()
    assert table[0].startswith("profile: EdiT5 tiny") and "seq2seq full" in table[-1]


def test_the_no_output_ablation_runs_the_forced_steps():
    import keras
    import tensorflow as tf

    from textedit.benchmarks.edit5_profile import edit5_prefix, edit5_without_output_layer
    from textedit.decoding.forced_length import forced_edit_step
    from textedit.models import T5Config
    from textedit.models.edit5.edit5_config import Edit5Config
    from textedit.models.edit5.edit5_model import Edit5Model

    keras.utils.set_random_seed(0)
    t5 = T5Config.named("tiny", vocab_size=64, dropout_rate=0.0, num_decoder_layers=1)
    model = Edit5Model(Edit5Config(t5=t5, num_position_tokens=20, first_position_id=3,
                                   max_input_length=16))
    tokens = tf.constant([[30, 31, 32, 33, 1, 0, 0, 0], [40, 41, 1, 0, 0, 0, 0, 0]], tf.int32)
    lengths = tf.constant([3, 5], tf.int32)
    out = edit5_without_output_layer(model, tokens, lengths, 8).numpy()
    assert [int(np.argmax(row == 1)) for row in out] == [2, 4]
    # The order prefix sums exactly what the real edit step decodes.
    full = forced_edit_step(model, tokens, lengths, 8)
    expected = sum(float(np.sum(x.numpy())) for x in (full.pointers, full.order))
    decoded = float(edit5_prefix(model, tokens, "order", 8))
    assert decoded >= expected  # plus the new positions (all >= 0)
