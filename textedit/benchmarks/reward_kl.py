"""Reward against KL(π ‖ π_ref) on held-out prompts: the BOND paper's comparison of J-BOND,
REINFORCE and Best-of-N.

    point = reward_and_kl(policy, reference, prompts, references, reward, max_length=64)
    bon = best_of_n_point(reference, prompts, references, reward, n=4, max_length=64)
    print(markdown_table([point, bon]))
    plot([point, bon], "reward_kl.png")

For a policy: one sample y ~ π per prompt (temperature 1; `samples` > 1 draws several and
averages them per prompt), the sampler's own log π(y|x) and the teacher-forced log π_ref(y|x);
KL(π ‖ π_ref) ≈ mean over prompts of log π(y|x) − log π_ref(y|x) (an unbiased Monte-Carlo
estimate: E_π[log π − log π_ref]), reward = mean r(y). For Best-of-N of
π_ref: the mean reward of the kept sample, and KL ≤ log N − (N − 1)/N (Beirami et al. 2024; the
analytic bound, which is what the BOND paper plots). prompts int [b, s], references int [b, r].

Win rate against π_ref (the DRO paper's comparison, judged by a reward model): per prompt, the
policy's sample wins when the judge scores it above π_ref's sample for the same prompt, a tie
counts one half; `win_rate` gives the share with its Wilson 95% interval. Both samples use the
same seed, so a policy equal to π_ref ties everywhere (0.5 exactly). `paired_difference` compares
two points the same way on their mean reward: the per-prompt differences carry a standard error
far below either point's own (which is mostly the spread between prompts).

`kind` is how the models sample and score (textedit/decoding/policy.py): seq2seq by default, or
`edit5_policy()` for EdiT5 runs, whose log π is that of the sampled tags and insertions.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

from textedit.decoding.best_of_n import best_of_n_decode
from textedit.decoding.policy import Policy, seq2seq_policy
from textedit.metrics.answer_accuracy import wilson_interval


@dataclasses.dataclass
class RewardKlPoint:
    """One point of the plot: a policy (or Best-of-N) with its mean reward and KL to π_ref."""

    name: str
    reward: float
    kl: float
    kl_is_bound: bool = False  # Best-of-N: the analytic upper bound, not an estimate
    kl_stderr: float = 0.0  # standard error of the Monte-Carlo KL estimate
    response_tokens: float = 0.0
    reward_stderr: float = 0.0  # standard error of the mean reward over prompts
    curve: str = ""  # the line it belongs to in the plot (a run's name, "best-of-N")
    rewards: np.ndarray | None = dataclasses.field(default=None, repr=False, compare=False)
    win: tuple[float, float, float] | None = None  # win rate vs π_ref, Wilson 95% interval


def _stderr(values) -> float:
    values = np.asarray(values, np.float64).reshape(-1)
    return float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def _sample_and_score(policy, reference, prompts, references, seed, max_length, reward, kind):
    tokens, sample = kind.sample(policy, prompts, max_length, seed)
    log_pi = kind.log_probs(policy, prompts, sample)  # equals the sampler's own (tested)
    log_ref = kind.log_probs(reference, prompts, sample)
    length = tf.reduce_sum(tf.cast(tokens > 0, tf.float32), axis=1)
    return log_pi - log_ref, reward(prompts, tokens, references), length


_sample_and_score_xla = tf.function(_sample_and_score, jit_compile=True)
_SEQ2SEQ = seq2seq_policy()


def _chunks(total: int, batch_size: int | None):
    """(chunk index, row indices int [size], how many of them are real) over `total` prompts,
    `batch_size` at a time (None or >= total: one chunk); the last chunk is padded with its own
    first row so that every chunk has one shape (one XLA compilation)."""
    size = total if not batch_size or batch_size >= total else int(batch_size)
    for index, start in enumerate(range(0, total, size)):
        rows = np.arange(start, min(start + size, total))
        yield index, np.concatenate([rows, np.full(size - len(rows), rows[0])]), len(rows)


def _repeated(prompts, references, samples: int):
    """Each prompt (and its reference) `samples` times in a row: int [b * samples, ...]."""
    if samples < 1:
        raise ValueError(f"samples per prompt must be >= 1, got {samples}")
    return (np.repeat(np.asarray(prompts, np.int32), samples, axis=0),
            np.repeat(np.asarray(references, np.int32), samples, axis=0))


def _per_prompt(values: np.ndarray, samples: int) -> np.ndarray:
    """float [b * samples] (prompt-major) -> the mean of each prompt's samples, float [b]."""
    return values.reshape(-1, samples).mean(axis=1)


def reward_and_kl(policy, reference, prompts, references, reward: Callable, max_length: int,
                  seed: int = 0, name: str = "policy", curve: str = "",
                  kind: Policy | None = None, batch_size: int | None = None,
                  samples: int = 1) -> RewardKlPoint:
    """A policy's point (module docstring); compiled once per (policy, reference, reward, kind)
    objects, so restoring other checkpoints into the same models does not recompile.

    `samples` draws per prompt: the prompt's reward and log-ratio are their means, so the
    standard errors, win rates and paired differences stay per prompt (the prompts are the
    independent units) while the sampling noise in each shrinks.

    `batch_size` samples that many rows (prompt draws) at a time (None: all at once; sampling
    holds [rows, max_length, vocabulary] logits, gigabytes for a whole validation split). Chunk
    i draws with seed (seed, 1 + i) and the last chunk is padded with its own first rows (their
    results dropped), so one compiled shape serves every chunk and two policies scored with the
    same seed, batch size and samples see the same noise on the same prompt.
    """
    prompts, references = _repeated(prompts, references, samples)
    results = []
    for index, rows, kept in _chunks(len(prompts), batch_size):
        outputs = _sample_and_score_xla(
            policy, reference, tf.constant(prompts[rows]), tf.constant(references[rows]),
            tf.constant([seed, 1 + index], tf.int32), int(max_length), reward,
            kind or _SEQ2SEQ)
        results.append([np.asarray(x, np.float64).reshape(-1)[:kept] for x in outputs])
    log_ratio, rewards, length = (_per_prompt(np.concatenate(parts), samples)
                                  for parts in zip(*results, strict=True))
    return RewardKlPoint(name, float(np.mean(rewards)), float(np.mean(log_ratio)),
                         kl_stderr=_stderr(log_ratio), response_tokens=float(np.mean(length)),
                         reward_stderr=_stderr(rewards), curve=curve or name, rewards=rewards)


def win_rate(rewards, baseline_rewards) -> tuple[float, float, float]:
    """(share of prompts where `rewards` beats `baseline_rewards`, ties one half; Wilson 95%
    interval low, high), from per-prompt float [n] rewards of the same prompts."""
    rewards, baseline = np.asarray(rewards, np.float64), np.asarray(baseline_rewards, np.float64)
    if rewards.shape != baseline.shape or rewards.ndim != 1 or not len(rewards):
        raise ValueError(f"win_rate: per-prompt rewards of one shape [n] expected, got "
                         f"{rewards.shape} and {baseline.shape}")
    wins = float(np.sum(rewards > baseline) + 0.5 * np.sum(rewards == baseline))
    low, high = wilson_interval(wins, len(rewards))
    return wins / len(rewards), low, high


@dataclasses.dataclass
class PairedDifference:
    """Mean reward of point a minus point b on the same prompts, with its paired standard error,
    a normal 95% interval, and a's win rate over b (ties one half, Wilson interval)."""

    a: str
    b: str
    difference: float
    stderr: float
    low: float
    high: float
    win: tuple[float, float, float]


def paired_difference(a: RewardKlPoint, b: RewardKlPoint) -> PairedDifference:
    """a's rewards minus b's, prompt by prompt. Both points sample the same prompts with the same
    seed, so the difference's variance is that of the per-prompt differences: the prompts' own
    spread (most of each point's standard error) cancels."""
    if a.rewards is None or b.rewards is None:
        raise ValueError(f"paired_difference: {a.name} and {b.name} need per-prompt rewards "
                         "(a point built by hand may have none)")
    differences = a.rewards - b.rewards
    mean, stderr = float(differences.mean()), _stderr(differences)
    return PairedDifference(a.name, b.name, mean, stderr, mean - 1.96 * stderr,
                            mean + 1.96 * stderr, win_rate(a.rewards, b.rewards))


def paired_table(pairs: Sequence[PairedDifference],
                 kls: Sequence[tuple[float, float]] | None = None) -> str:
    """| a − b | reward difference (± s.e.) [95% CI] | win rate of a over b [95% CI] |, with a
    "KL a vs b" column when `kls` gives each pair's two KLs."""
    lines = ["| a − b |" + (" KL a vs b |" if kls else "")
             + " reward difference (± paired s.e.) [95% CI] | a wins [95% CI] |",
             "|---|" + ("---|" if kls else "") + "---:|---:|"]
    for p, (kl_a, kl_b) in zip(pairs, kls or [(None, None)] * len(pairs), strict=True):
        kl = f" {kl_a:.3f} vs {kl_b:.3f} |" if kls else ""
        lines.append(f"| {p.a} − {p.b} |{kl} {p.difference:+.4f} ± {p.stderr:.4f} "
                     f"[{p.low:+.4f}, {p.high:+.4f}] | {100 * p.win[0]:.1f}% "
                     f"[{100 * p.win[1]:.1f}, {100 * p.win[2]:.1f}] |")
    return "\n".join(lines) + "\n"


def nearest_kl_pairs(points: Sequence[RewardKlPoint], a: str, b: str
                     ) -> list[tuple[RewardKlPoint, RewardKlPoint]]:
    """Curve a against curve b at (nearly) equal KL, the BOND paper's comparison: every point of
    curve `a` with the point of curve `b` whose KL estimate is nearest (ties: the earlier one).
    Pairs are fixed by KL alone, before any reward is looked at."""
    first = [p for p in points if p.curve == a and not p.kl_is_bound]
    second = [p for p in points if p.curve == b and not p.kl_is_bound]
    if not first or not second:
        raise ValueError(f"nearest_kl_pairs: no points of curve {a if not first else b!r}")
    return [(p, min(second, key=lambda q: abs(q.kl - p.kl))) for p in first]


def best_of_n_kl_bound(n: int) -> float:
    """KL(π_BoN ‖ π_ref) ≤ log n − (n − 1)/n."""
    return math.log(n) - (n - 1) / n


def best_of_n_point(reference, prompts, references, reward: Callable, n: int, max_length: int,
                    seed: int = 0, kind: Policy | None = None,
                    batch_size: int | None = None, samples: int = 1) -> RewardKlPoint:
    """Best-of-n sampling from the reference: mean kept reward, KL bound (module docstring).

    `samples` independent Best-of-n draws per prompt, averaged per prompt as in
    `reward_and_kl`. `batch_size` rows at a time (each with its n samples; None: all at once),
    the last chunk padded as in `reward_and_kl`; chunk i draws with seed (seed, 2 + 1000 i)."""
    prompts, references = _repeated(prompts, references, samples)
    kept = []
    for index, rows, count in _chunks(len(prompts), batch_size):
        _, rewards = best_of_n_decode(reference, prompts[rows], max_length, n, reward,
                                      [seed, 2 + 1000 * index], references=references[rows],
                                      policy=kind)
        kept.append(np.asarray(rewards).max(axis=1)[:count])
    kept = _per_prompt(np.concatenate(kept).astype(np.float64), samples)
    return RewardKlPoint(f"best-of-{n} (π_ref)", float(kept.mean()), best_of_n_kl_bound(n),
                         kl_is_bound=True, reward_stderr=_stderr(kept), curve="best-of-N",
                         rewards=kept)


def markdown_table(points: Sequence[RewardKlPoint]) -> str:
    """| policy | reward | KL(π‖π_ref) | ... | rows in the given order."""
    wins = any(p.win is not None for p in points)
    lines = ["| policy | reward (± s.e.) | KL(π‖π_ref) (± s.e.) | response tokens |"
             + (" win rate vs π_ref [95% CI] |" if wins else ""),
             "|---|---:|---:|---:|" + ("---:|" if wins else "")]
    for p in points:
        kl = f"≤ {p.kl:.3f} (bound)" if p.kl_is_bound else f"{p.kl:.3f} ± {p.kl_stderr:.3f}"
        tokens = "" if p.kl_is_bound else f"{p.response_tokens:.1f}"
        row = f"| {p.name} | {p.reward:.4f} ± {p.reward_stderr:.4f} | {kl} | {tokens} |"
        if wins:
            row += (f" {100 * p.win[0]:.1f}% [{100 * p.win[1]:.1f}, {100 * p.win[2]:.1f}] |"
                    if p.win is not None else " |")
        lines.append(row)
    return "\n".join(lines) + "\n"


def plot(points: Sequence[RewardKlPoint], path, title: str = "") -> None:
    """Reward against KL(π‖π_ref): a line per curve in the order given (a run's checkpoints by
    step, starting from π_ref at KL 0), Best-of-N at its KL bound, standard errors as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    start = next((p for p in points if not p.kl_is_bound and p.kl == 0.0), None)
    for curve in dict.fromkeys(p.curve for p in points):
        members = [p for p in points if p.curve == curve]
        if start is not None and start not in members and not members[0].kl_is_bound:
            members = [start, *members]
        axis.errorbar([p.kl for p in members], [p.reward for p in members],
                      xerr=[p.kl_stderr for p in members],
                      yerr=[p.reward_stderr for p in members], marker="o", capsize=2,
                      linestyle="--" if members[0].kl_is_bound else "-", label=curve)
    axis.set_xlabel("KL(π‖π_ref) (nats; Best-of-N: upper bound)")
    axis.set_ylabel("reward")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    if title:
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
