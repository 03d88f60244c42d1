"""`textedit west_of_n` end to end on a tiny random seq2seq policy and a tiny random reward model
(run directories made here): N=2 samples on 4 judge-half prompts, and every written pair is the
best and the worst sample by the reward model's own scores (recomputed with `score_texts`)."""

import json
import math
import os

import pytest
from run_dirs import built_tiny_t5, save_run, tiny_t5_config

from textedit.data.preference_views import scored_text

N, PROMPTS, SCORE_LENGTH = 2, 4, 64


@pytest.fixture(scope="module")
def tiny_runs(tiny_vocab, tmp_path_factory):
    """(policy run, reward-model run): random tiny T5 and T5ScalarModel run directories."""
    import tensorflow as tf

    from textedit.models.reward import T5ScalarModel

    policy = built_tiny_t5(seed=0)
    reward = T5ScalarModel(tiny_t5_config())
    reward({"encoder_input_tokens": tf.zeros([1, 8], tf.int32)})
    head = reward.score_head.kernel  # a zero-initialised head would score every text alike
    head.assign(tf.random.stateless_normal(head.shape, seed=(0, 1)))
    runs = tmp_path_factory.mktemp("west_of_n_runs")
    vocab_dir = os.environ["TEXTEDIT_VOCAB_DIR"]
    save_run(runs / "policy", policy, vocab_dir, step=5)
    save_run(runs / "reward", reward, vocab_dir, step=5)
    return runs / "policy", runs / "reward"


@pytest.mark.slow
def test_west_of_n_writes_best_and_worst_by_the_reward_model(tiny_runs, tmp_path, capsys):
    from textedit.benchmarks.reward_model_eval import score_texts
    from textedit.cli.main import main
    from textedit.cli.west_of_n import distinct_prompts
    from textedit.data.readers.pair_file_reader import read_pair_file
    from textedit.runs.run_artifacts import load_run

    policy, reward = tiny_runs
    output, samples = tmp_path / "pairs.jsonl", tmp_path / "samples.jsonl"
    assert main(["west_of_n", f"--policy={policy}", f"--reward_model={reward}", f"--n={N}",
                 "--keep_share=0.5", f"--max_prompts={PROMPTS}", "--input_length=192",
                 "--decode_length=8", f"--score_length={SCORE_LENGTH}", "--batch_size=3",
                 f"--output={output}", f"--samples={samples}",
                 f"--json={tmp_path / 'counts.json'}"]) == 0
    printed = capsys.readouterr().out
    assert "West-of-N pairs" in printed and "kept" in printed

    prompts = distinct_prompts("train", "judge")[:PROMPTS]
    records = [json.loads(line) for line in samples.read_text().splitlines()]
    assert [r["prompt"] for r in records] == prompts
    assert all(len(r["responses"]) == N for r in records)
    assert all(y.startswith(" ") for r in records for y in r["responses"] if y)
    # The reward model's own scores, recomputed outside the command.
    loaded = load_run(reward)
    texts = [scored_text(r["prompt"], y) for r in records for y in r["responses"]]
    scores, _ = score_texts(loaded.model, loaded.vocabulary, texts, SCORE_LENGTH)
    scores = scores.reshape(PROMPTS, N)
    for record, row in zip(records, scores, strict=True):
        assert record["scores"] == pytest.approx(row.tolist(), abs=1e-4)

    pairs = read_pair_file(output)
    counts = json.loads((tmp_path / "counts.json").read_text())["counts"]
    untied = sum(max(row) > min(row) for row in scores)
    assert len(pairs) == counts["kept"] == math.ceil(0.5 * untied) >= 1
    by_prompt = {r["prompt"]: (r, row) for r, row in zip(records, scores, strict=True)}
    for pair in pairs:
        record, row = by_prompt[pair.prompt]
        assert pair.source == "west_of_n"
        assert pair.chosen == record["responses"][row.argmax()]
        assert pair.rejected == record["responses"][row.argmin()]
        assert pair.margin == pytest.approx(row.max() - row.min(), abs=1e-4)
    # The kept pairs are those of the largest margins.
    margins = sorted((row.max() - row.min() for row in scores), reverse=True)
    assert min(p.margin for p in pairs) == pytest.approx(margins[len(pairs) - 1], abs=1e-4)


def test_responses_get_the_leading_space_of_hh_responses():
    from textedit.benchmarks.west_of_n_sampling import hh_response

    assert [hh_response(t) for t in ("Hello.", " Hi.", "\nList:", "")] == [
        " Hello.", " Hi.", "\nList:", ""]
