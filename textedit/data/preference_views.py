"""The HH preference data as the views preference learning reads (docs/algorithms.md#reward-models).

    data = load_preferences("train")            # PreferenceSplit: pairs + counted anomalies
    data.pairs                                  # paired view: (prompt, chosen, rejected)
    trajectories(data.pairs)                    # single-trajectory view: (prompt, response, ±1)
    sft_examples(data.pairs)                    # SFT view: prompt -> chosen

Splits. train and validation come from harmless-base, helpful-online and helpful-rejection-sampled,
by the catalog's fixed hash rule on the *prompt* (`dataset_catalog.in_validation`), so one prompt
never lands in both. `test` reads `preference/hh.helpful-base.jsonl.gz` when the data directory
has it (it raises FileNotFoundError otherwise). Within train, `judge_half(prompt)` draws a second,
independent hash half: a reward model used as a *judge* of policies trains on one half and the
policies on the other, so the judge never scored the policies' training prompts.

Anomalies are counted, never dropped silently (`PreferenceSplit.anomalies`):
  - `responses_contain_turns`: the two dialogues' last `Assistant:` markers differ because a
    response runs on into turns of its own (the reader keeps the shared prompt; kept here too);
  - `identical`: chosen == rejected, which carries no preference (dropped from the paired and
    single-trajectory views, and counted);
  - `skipped_malformed`: lines the reader rejected under `skip_bad_lines` (file:line examples in
    `skip.examples`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib

from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import TEST, TRAIN, VALIDATION, in_validation
from textedit.data.readers.malformed_input import SkipReport
from textedit.data.readers.preference_reader import PreferencePair, read_hh_preferences

TRAIN_FILES = tuple(f"preference/hh.{name}.jsonl.gz"
                    for name in ("harmless-base", "helpful-online", "helpful-rejection-sampled"))
TEST_FILE = "preference/hh.helpful-base.jsonl.gz"
CHOSEN_REWARD, REJECTED_REWARD = 1.0, -1.0  # thumbs up / thumbs down
# A reward model reads the prompt's tail and the response: dialogues run to thousands of
# characters, and a length cut (which keeps the first tokens) must remove old turns, never the
# response being scored.
PROMPT_TAIL_CHARS = 400
# A policy reads a longer tail (the last turns decide the answer), still short enough that the
# final "Assistant:" survives a 192-piece input cut.
POLICY_PROMPT_CHARS = 600


@dataclasses.dataclass
class PreferenceSplit:
    """One split's usable pairs and what was counted on the way (module docstring)."""

    pairs: list[PreferencePair]
    files: list[str]
    anomalies: dict[str, int]
    skip: SkipReport | None = None

    def report(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(self.anomalies.items()))
        return f"{len(self.pairs)} pairs from {len(self.files)} files; counted: {counts}"


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """One (prompt, response, reward) example of the single-trajectory view."""

    prompt: str
    response: str
    reward: float


def judge_half(prompt: str) -> bool:
    """True for the hash half of prompts reserved to train a judge reward model."""
    digest = hashlib.sha1(("judge:" + prompt).encode("utf-8")).hexdigest()
    return int(digest, 16) % 2 == 0


def load_preferences(split: str, skip_bad_lines: bool = False) -> PreferenceSplit:
    """The split's pairs (identical pairs dropped and counted), read from the data directory."""
    if split not in (TRAIN, VALIDATION, TEST):
        raise ValueError(f"split {split!r}: expected one of {TRAIN}, {VALIDATION}, {TEST}")
    files = [TEST_FILE] if split == TEST else list(TRAIN_FILES)
    skip = SkipReport() if skip_bad_lines else None
    anomalies = {"responses_contain_turns": 0, "identical": 0, "skipped_malformed": 0}
    pairs = []
    paths = [str(data_path(name)) for name in files]
    for path in paths:
        for pair in _read(path, skip):
            if split != TEST and in_validation(pair.prompt) != (split == VALIDATION):
                continue
            if pair.chosen_full == pair.rejected_full:
                anomalies["identical"] += 1
                continue
            anomalies["responses_contain_turns"] += pair.responses_contain_turns
            pairs.append(pair)
    anomalies["skipped_malformed"] = skip.skipped if skip else 0
    return PreferenceSplit(pairs, paths, anomalies, skip)


def _read(path: str, skip: SkipReport | None) -> tuple[PreferencePair, ...]:
    # Both splits read the same three files; a strict read (no SkipReport) is cached so that
    # loading train and validation parses each file once.
    return _read_strict(path) if skip is None else tuple(read_hh_preferences(path, skip=skip))


@functools.lru_cache(maxsize=8)
def _read_strict(path: str) -> tuple[PreferencePair, ...]:
    return tuple(read_hh_preferences(path))


def trajectories(pairs: list[PreferencePair],
                 rewards: list[tuple[float, float]] | None = None) -> list[Trajectory]:
    """Single-trajectory view: each pair gives (prompt, chosen, +1) and (prompt, rejected, -1),
    or the (chosen, rejected) scalar rewards a reward model gave, one tuple per pair."""
    if rewards is not None and len(rewards) != len(pairs):
        raise ValueError(f"{len(rewards)} reward tuples for {len(pairs)} pairs")
    out = []
    for i, pair in enumerate(pairs):
        good, bad = rewards[i] if rewards is not None else (CHOSEN_REWARD, REJECTED_REWARD)
        out.append(Trajectory(pair.prompt, pair.chosen, float(good)))
        out.append(Trajectory(pair.prompt, pair.rejected, float(bad)))
    return out


def scored_text(prompt: str, response: str) -> str:
    """What a reward model reads: the prompt's last PROMPT_TAIL_CHARS characters, then the
    response."""
    return prompt[-PROMPT_TAIL_CHARS:] + response


def policy_prompt(prompt: str) -> str:
    """What a policy of the half tasks reads: the prompt's last POLICY_PROMPT_CHARS characters."""
    return prompt[-POLICY_PROMPT_CHARS:]


def sft_examples(pairs: list[PreferencePair]) -> list[tuple[str, str]]:
    """SFT view for the reference policy: (prompt, chosen response) per pair."""
    return [(pair.prompt, pair.chosen) for pair in pairs]
