"""The reward-vs-KL measurement on a tiny model: a policy against itself has KL 0, Best-of-N's
bound, and the Markdown table."""

import math

import pytest
from rl_tiny_models import RL_TINY_CONFIG, prompts_and_references

from textedit.benchmarks.reward_kl import (
    RewardKlPoint,
    best_of_n_kl_bound,
    best_of_n_point,
    markdown_table,
    nearest_kl_pairs,
    paired_difference,
    paired_table,
    plot,
    reward_and_kl,
    win_rate,
)
from textedit.metrics.answer_accuracy import wilson_interval
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.ngram_f1_reward import ngram_f1_reward


def test_policy_against_itself_has_zero_kl():
    model = T5EncoderDecoder(RL_TINY_CONFIG)
    prompts, references = prompts_and_references(4, seed=2)
    point = reward_and_kl(model, model, prompts, references, ngram_f1_reward(), 4, name="x")
    assert point.kl == pytest.approx(0.0, abs=1e-4) and point.kl_stderr < 1e-4
    assert 0.0 <= point.reward <= 1.0 and 1.0 <= point.response_tokens <= 4.0
    # Same seed, same model: the same samples, so every prompt ties.
    assert point.rewards.shape == (4,)
    assert win_rate(point.rewards, point.rewards)[0] == 0.5


def test_prompts_in_chunks_pad_the_last_and_keep_the_first_chunks_seed():
    import numpy as np

    model = T5EncoderDecoder(RL_TINY_CONFIG)
    prompts, references = prompts_and_references(5, seed=3)
    reward = ngram_f1_reward()
    chunked = reward_and_kl(model, model, prompts, references, reward, 4, batch_size=2)
    assert chunked.rewards.shape == (5,) and chunked.kl == pytest.approx(0.0, abs=1e-4)
    # Chunk 0 draws with the seed a single batch uses: the first two prompts alone, unchunked,
    # sample the same.
    first = reward_and_kl(model, model, prompts[:2], references[:2], reward, 4)
    np.testing.assert_array_equal(first.rewards, chunked.rewards[:2])
    # Best-of-N likewise (each chunk's prompts with their n samples).
    best = best_of_n_point(model, prompts, references, reward, 2, 4, batch_size=2)
    assert best.rewards.shape == (5,) and best.reward == pytest.approx(best.rewards.mean())
    first = best_of_n_point(model, prompts[:2], references[:2], reward, 2, 4)
    np.testing.assert_array_equal(first.rewards, best.rewards[:2])


def test_several_samples_per_prompt_are_averaged_per_prompt():
    import numpy as np

    model = T5EncoderDecoder(RL_TINY_CONFIG)
    prompts, references = prompts_and_references(3, seed=4)
    reward = ngram_f1_reward()
    averaged = reward_and_kl(model, model, prompts, references, reward, 4, batch_size=4,
                             samples=3)
    assert averaged.rewards.shape == (3,) and averaged.kl == pytest.approx(0.0, abs=1e-4)
    # The same rows drawn one by one: each prompt three times in a row, prompt-major.
    draws = reward_and_kl(model, model, np.repeat(prompts, 3, axis=0),
                          np.repeat(references, 3, axis=0), reward, 4, batch_size=4)
    np.testing.assert_allclose(averaged.rewards, draws.rewards.reshape(3, 3).mean(axis=1))
    assert np.ptp(draws.rewards.reshape(3, 3), axis=1).max() > 0  # the draws differ
    assert averaged.reward_stderr == pytest.approx(
        averaged.rewards.std(ddof=1) / math.sqrt(3))  # over prompts, not draws
    best = best_of_n_point(model, prompts, references, reward, 2, 4, batch_size=4, samples=3)
    best_draws = best_of_n_point(model, np.repeat(prompts, 3, axis=0),
                                 np.repeat(references, 3, axis=0), reward, 2, 4, batch_size=4)
    np.testing.assert_allclose(best.rewards, best_draws.rewards.reshape(3, 3).mean(axis=1))
    with pytest.raises(ValueError, match="samples per prompt must be >= 1"):
        reward_and_kl(model, model, prompts, references, reward, 4, samples=0)


def test_win_rate_counts_ties_as_half_with_wilson_interval():
    rate, low, high = win_rate([1.0, 0.2, 0.5, 0.0], [0.5, 0.5, 0.5, 0.5])
    assert rate == pytest.approx(1.5 / 4)  # one win, one tie, two losses
    assert (low, high) == pytest.approx(wilson_interval(1.5, 4))
    assert low < rate < high
    with pytest.raises(ValueError, match="one shape"):
        win_rate([1.0, 2.0], [1.0])


def test_best_of_n_bound_table_and_plot(tmp_path):
    assert best_of_n_kl_bound(1) == 0.0
    assert best_of_n_kl_bound(4) == pytest.approx(math.log(4) - 0.75)
    points = [RewardKlPoint("π_ref", 0.4, 0.0, curve="π_ref"),
              RewardKlPoint("jbond@20", 0.5, 0.1234, kl_stderr=0.01, response_tokens=9.0,
                            reward_stderr=0.02, curve="jbond"),
              RewardKlPoint("best-of-2", 0.6, best_of_n_kl_bound(2), True, curve="best-of-N")]
    table = markdown_table(points)
    assert "| jbond@20 | 0.5000 ± 0.0200 | 0.123 ± 0.010 | 9.0 |" in table
    assert "≤ 0.193 (bound)" in table
    points[1].win = (0.625, 0.4, 0.8)
    with_wins = markdown_table(points)
    assert "| 62.5% [40.0, 80.0] |" in with_wins and "win rate vs π_ref" in with_wins
    plot(points, tmp_path / "reward_kl.png", "title")
    assert (tmp_path / "reward_kl.png").read_bytes()[:4] == b"\x89PNG"


def test_paired_difference_removes_the_spread_between_prompts():
    import numpy as np

    # Prompts differ a lot (0.1 .. 0.9); a beats b by 0.02 on every prompt but one.
    base = np.linspace(0.1, 0.9, 50)
    a = RewardKlPoint("a@1", 0.0, 0.0, rewards=base + 0.02)
    b = RewardKlPoint("b@1", 0.0, 0.0, rewards=base.copy())
    a.rewards[7] -= 0.04  # one prompt where a loses by 0.02
    pair = paired_difference(a, b)
    differences = a.rewards - b.rewards
    assert pair.difference == pytest.approx(differences.mean())
    assert pair.stderr == pytest.approx(differences.std(ddof=1) / math.sqrt(50))
    assert pair.stderr < 0.05 * (base.std(ddof=1) / math.sqrt(50))  # far below the unpaired
    assert pair.low > 0 and pair.high == pytest.approx(pair.difference + 1.96 * pair.stderr)
    assert pair.win == win_rate(a.rewards, b.rewards) and pair.win[0] == pytest.approx(49 / 50)
    assert "| a@1 − b@1 | +0.0192 ± 0.0008 [+0.0176, +0.0208] | 98.0% [" in paired_table([pair])
    with pytest.raises(ValueError, match="per-prompt rewards"):
        paired_difference(a, RewardKlPoint("best-of-2", 0.0, 0.0, True))


def test_compare_names_are_checked_before_any_sampling():
    from textedit.cli.reward_kl import check_comparisons

    runs = [("jbond", "runs/jbond", ["runs/jbond/checkpoints/ckpt-100",
                                     "runs/jbond/checkpoints/ckpt-200"])]
    check_comparisons([["jbond@200", "π_ref"], ["jbond@100", "jbond@200"]], runs)
    with pytest.raises(SystemExit, match=r"no point named \['jbond@150'\]"):
        check_comparisons([["jbond@150", "π_ref"]], runs)


def test_steps_keep_only_the_named_checkpoints_of_each_run():
    from textedit.cli.reward_kl import select_steps

    runs = [("a", "runs/a", [f"runs/a/checkpoints/ckpt-{s}" for s in (100, 200, 300)]),
            ("b", "runs/b", [f"runs/b/checkpoints/ckpt-{s}" for s in (200, 400)])]
    assert select_steps(runs, "") == runs
    assert select_steps(runs, "200, 300") == [
        ("a", "runs/a", ["runs/a/checkpoints/ckpt-200", "runs/a/checkpoints/ckpt-300"]),
        ("b", "runs/b", ["runs/b/checkpoints/ckpt-200"])]
    with pytest.raises(SystemExit, match=r"run b \(runs/b\) keeps none of them; it keeps "
                                         r"steps \[200, 400\]"):
        select_steps(runs, "100,300")
    with pytest.raises(SystemExit, match=r"no run keeps step\(s\) \[500\]"):
        select_steps(runs, "200,500")


@pytest.mark.slow  # two XLA compilations of the sampled edit, about 24 s
def test_edit5_policy_against_itself_has_zero_kl_and_against_another_not():
    import keras
    import numpy as np

    from textedit.decoding.edit_policy import edit5_policy
    from textedit.models.edit5.edit5_config import Edit5Config
    from textedit.models.edit5.edit5_model import Edit5Model
    from textedit.models.t5.t5_config import T5Config

    config = Edit5Config(t5=T5Config.named("tiny", vocab_size=32, dropout_rate=0.0, d_model=16,
                                           d_ff=16, num_heads=2, num_encoder_layers=1,
                                           num_decoder_layers=1),
                         num_position_tokens=12, max_input_length=8)
    keras.utils.set_random_seed(1)
    model, other = Edit5Model(config), Edit5Model(config)
    words = np.random.default_rng(0).integers(15, 32, size=(6, 6)).astype(np.int32)
    prompts = np.concatenate([words, np.ones((6, 1), np.int32), np.zeros((6, 1), np.int32)], 1)
    references = np.concatenate([words[:, :3], np.ones((6, 1), np.int32)], axis=1)
    kind = edit5_policy(max_insert_length=4)
    same = reward_and_kl(model, model, prompts, references, ngram_f1_reward(), 12, kind=kind)
    assert same.kl == pytest.approx(0.0, abs=1e-4) and 0.0 <= same.reward <= 1.0
    assert same.response_tokens > 0
    apart = reward_and_kl(model, other, prompts, references, ngram_f1_reward(), 12, kind=kind)
    assert abs(apart.kl) > 1e-2  # another model gives the same edits another probability


def test_curves_are_paired_at_the_nearest_kl():
    import numpy as np

    rewards = np.linspace(0.0, 1.0, 8)
    points = [RewardKlPoint("π_ref", 0.0, 0.0, curve="π_ref", rewards=rewards)]
    for name, kl in [("jbond@1", 0.40), ("jbond@2", 0.90), ("reinforce@1", 0.30),
                     ("reinforce@2", 0.60), ("reinforce@3", 1.00)]:
        points.append(RewardKlPoint(name, 0.0, kl, curve=name.split("@")[0],
                                    rewards=rewards + kl))
    points.append(RewardKlPoint("best-of-2", 0.0, 0.19, True, curve="best-of-N"))
    pairs = nearest_kl_pairs(points, "jbond", "reinforce")
    assert [(p.name, q.name) for p, q in pairs] == [("jbond@1", "reinforce@1"),
                                                    ("jbond@2", "reinforce@3")]
    table = paired_table([paired_difference(p, q) for p, q in pairs],
                         [(p.kl, q.kl) for p, q in pairs])
    assert "| a − b | KL a vs b | reward difference" in table
    assert "| jbond@2 − reinforce@3 | 0.900 vs 1.000 | -0.1000 ± 0.0000" in table
    with pytest.raises(ValueError, match="no points of curve 'dro'"):
        nearest_kl_pairs(points, "jbond", "dro")


def test_compare_curves_names_two_runs_before_any_sampling():
    from textedit.cli.reward_kl import check_curve_comparisons

    runs = [("jbond", "runs/jbond", []), ("reinforce", "runs/reinforce", [])]
    assert check_curve_comparisons(["jbond:reinforce"], runs) == [("jbond", "reinforce")]
    for spec in ["jbond:jbond", "jbond", "jbond:dro", "π_ref:jbond"]:
        with pytest.raises(SystemExit, match="two different --run names"):
            check_curve_comparisons([spec], runs)
