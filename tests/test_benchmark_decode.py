"""`textedit benchmark decode` end to end on a tiny model (slow: two spawned processes), and its
`--profile` ablations in process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reference_packages import require_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_decode_benchmark_runs_both_sides_with_equal_token_counts():
    require_reference("torch")
    require_reference("transformers")
    result = subprocess.run(
        [sys.executable, "-m", "textedit", "benchmark", "decode", "--size", "tiny",
         "--vocab_size", "128", "--batch_sizes", "1", "3", "--input_length", "6",
         "--decode_length", "5", "--repeats", "2", "--threads", "1", "--json"],
        capture_output=True, text=True, check=True, timeout=600, cwd=ROOT)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [row["batch"] for row in report["rows"]] == [1, 3]
    for row in report["rows"]:
        assert row["ours_s"] > 0 and row["transformers_s"] > 0
        assert row["threads"] == {"tf_intra_op": 1, "tf_inter_op": 1, "torch_intra_op": 1,
                                  "torch_inter_op": 1}
        # The same weights on both sides: greedy decoding picks the same tokens, every one.
        assert row["token_agreement"] == 1.0


@pytest.mark.slow  # ~15 s, as the EdiT5 profile test (tests/test_benchmark_edit5_profile.py)
def test_decode_profile_times_each_part_of_a_tiny_model():
    from textedit.benchmarks.decode_profile import format_profile, profile_decode

    report = profile_decode(size="tiny", vocab_size=64, batch_size=2, input_length=4,
                            decode_lengths=(3, 6), threads=None, warmup=0, repeats=1)
    assert [row["decode_length"] for row in report["rows"]] == [3, 6]
    for row in report["rows"]:
        assert min(row["full_ms"], row["encode_cache_ms"], row["no_output_layer_ms"]) > 0
        per_step = row["decoder_steps_ms"] / row["decode_length"]
        assert row["decoder_step_ms"] == pytest.approx(per_step)
    table = format_profile(report).splitlines()
    assert table[0].startswith("profile: T5 tiny") and len(table) == 4
