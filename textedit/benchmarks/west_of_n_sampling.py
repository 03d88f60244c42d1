"""West-of-N synthetic pairs from a trained policy and a trained reward model (Pace et al., 2024;
docs/algorithms.md#reward-models): sample N responses per prompt, score them, keep best vs worst.

    settings = WestOfNSettings(n=4, keep_share=0.5, temperature=1.0, top_p=1.0)
    result = west_of_n_pairs(policy_run, reward_run, prompts, settings, log=print)
    result.pairs        # [FilePair(prompt, chosen, rejected, margin, source="west_of_n")]
    result.counts       # prompts, tied, below_share, kept, policy_inputs_cut, scored_texts_cut

Steps, with their shapes (b = batch_size prompts, N = n, s = input_length, t = decode_length):
1. The policy reads `policy_prompt(prompt)` (the prompt's last 600 characters), tokenised
   outside compiled code, EOS appended and cut to the first s pieces exactly as the SFT task's
   feature converter cut it in training (cuts are counted): int [b, s].
2. Each row is repeated N times, adjacent, and one compiled `sample_decode` call draws all
   b·N responses (temperature / top-p / top-k): int [b·N, t], tokens, EOS, 0-padding. The last
   batch is padded with empty prompts so every call has the same shape (one compilation); the
   seed differs per batch, so the draws of a prompt differ and a rerun repeats them. Decoded
   responses get back the leading space of HH responses (`hh_response`).
3. The reward model scores `scored_text(prompt, response)` (`score_texts`): float [p, N].
4. `select_west_of_n` keeps the best and worst response of each prompt when their margin is in
   the top `keep_share` of margins (textedit/data/west_of_n.py).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from textedit.data.preference_views import policy_prompt, scored_text
from textedit.data.readers.pair_file_reader import FilePair
from textedit.data.west_of_n import select_west_of_n

SOURCE = "west_of_n"


@dataclasses.dataclass(frozen=True)
class WestOfNSettings:
    """How responses are drawn and pairs kept; each field is `textedit west_of_n`'s flag."""

    n: int = 4
    keep_share: float = 0.5
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    input_length: int = 192  # the policy's (its run.json)
    decode_length: int = 64
    score_length: int = 192  # the reward model's
    batch_size: int = 16  # prompts per sampling call (b·N sampled rows)
    seed: int = 0

    def __post_init__(self):
        if self.n < 2:
            raise ValueError(f"n={self.n}: West-of-N needs at least 2 responses per prompt")
        if not 0.0 < self.keep_share <= 1.0:
            raise ValueError(f"keep_share={self.keep_share}: expected a value in (0, 1]")
        if self.temperature <= 0.0:
            raise ValueError(f"temperature={self.temperature}: expected > 0")


@dataclasses.dataclass(frozen=True)
class WestOfNResult:
    """Kept pairs, every sampled response and score, and the counts."""

    pairs: list[FilePair]
    responses: list[list[str]]  # [p][N]
    scores: np.ndarray  # float [p, N]
    counts: dict[str, int]
    seconds: dict[str, float]


def encode_cut(vocabulary, texts: Sequence[str], length: int) -> tuple[np.ndarray, int]:
    """int32 [len(texts), length]: pieces + EOS, cut to the first `length` (as the training
    feature converter cuts) and 0-padded; and how many texts were cut."""
    rows = np.zeros([len(texts), length], np.int32)
    cut = 0
    for i, text in enumerate(texts):
        ids = [*vocabulary.encode(text), vocabulary.eos_id]
        cut += len(ids) > length
        rows[i, :min(len(ids), length)] = ids[:length]
    return rows, cut


def _until_eos(row: np.ndarray, eos_id: int) -> list[int]:
    ids = row.tolist()
    return ids[:ids.index(eos_id)] if eos_id in ids else [i for i in ids if i]


def hh_response(decoded: str) -> str:
    """A decoded policy output as an HH response: with its leading space. SentencePiece drops a
    leading space on decoding, but HH responses start with one (`prompt + response` is the
    dialogue, the prompt ending in "Assistant:"), and "Assistant:Hello" tokenises differently
    from "Assistant: Hello", so without it the reward model would read every synthetic pair in
    another tokenisation than the human pairs it trains beside."""
    return decoded if not decoded or decoded[0].isspace() else " " + decoded


def sample_responses(run, prompts: Sequence[str], settings: WestOfNSettings,
                     log: Callable[[str], None] | None = None) -> tuple[list[list[str]], int]:
    """N sampled responses per prompt ([p][N] texts) and how many policy inputs were cut.

    Args:
      run: a `LoadedRun` of a seq2seq (T5) policy, e.g. an `hh_sft_policy` run.
      prompts: HH prompts (the dialogue up to its last "Assistant:"); the policy reads
        `policy_prompt(prompt)`, as it was trained.
      log: called with a progress line after each batch (prompts done, prompts/s, ETA).
    """
    from textedit.decoding.sampling import sample_decode

    model, vocabulary = run.model, run.vocabulary
    tokens, cut = encode_cut(vocabulary, [policy_prompt(p) for p in prompts],
                             settings.input_length)
    b, n = settings.batch_size, settings.n
    responses: list[list[str]] = []
    start = time.perf_counter()
    for batch_index, begin in enumerate(range(0, len(prompts), b)):
        batch = np.zeros([b, settings.input_length], np.int32)
        rows = tokens[begin:begin + b]
        batch[:len(rows)] = rows
        repeated = np.repeat(batch, n, axis=0)  # [b·N, s], a prompt's draws adjacent
        sampled = np.asarray(sample_decode(
            model, repeated, settings.decode_length, seed=settings.seed * 1_000_003 + batch_index,
            temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p))
        for i in range(len(rows)):
            responses.append([hh_response(vocabulary.decode(
                _until_eos(sampled[i * n + j], vocabulary.eos_id))) for j in range(n)])
        if log is not None:
            done, elapsed = len(responses), time.perf_counter() - start
            rate = done / max(elapsed, 1e-9)
            log(f"sampled {done}/{len(prompts)} prompts x {n}  {rate:.2f} prompts/s  "
                f"ETA {(len(prompts) - done) / max(rate, 1e-9):.0f}s"
                + ("  (incl. compilation)" if batch_index == 0 else ""))
    return responses, cut


def west_of_n_pairs(policy_run, reward_run, prompts: Sequence[str], settings: WestOfNSettings,
                    log: Callable[[str], None] | None = None) -> WestOfNResult:
    """Samples, scores and selects (module docstring); pairs in prompt order."""
    from textedit.benchmarks.reward_model_eval import score_texts

    prompts = list(prompts)
    began = time.perf_counter()
    responses, inputs_cut = sample_responses(policy_run, prompts, settings, log)
    sampled = time.perf_counter()
    texts = [scored_text(p, r) for p, rs in zip(prompts, responses, strict=True) for r in rs]
    flat, texts_cut = score_texts(reward_run.model, reward_run.vocabulary, texts,
                                  settings.score_length, batch_size=32)
    scores = np.asarray(flat, np.float64).reshape(len(prompts), settings.n)
    scored = time.perf_counter()
    selection = select_west_of_n(prompts, responses, scores, settings.keep_share)
    pairs = [FilePair(prompt, chosen, rejected, margin, SOURCE)
             for prompt, chosen, rejected, margin in selection.pairs]
    counts = {**selection.counts, "policy_inputs_cut": inputs_cut, "scored_texts_cut": texts_cut,
              "distinct_responses": sum(len(set(rs)) for rs in responses)}
    seconds = {"sampling": sampled - began, "scoring": scored - sampled}
    return WestOfNResult(pairs, responses, scores, counts, seconds)
