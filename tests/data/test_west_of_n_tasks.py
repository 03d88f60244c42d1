"""The West-of-N experiment's reward-model tasks (tasks/preference_files.py): policy-half human
pairs + file pairs, and the control's first K judge-half human pairs; and their gin files."""

import json
from pathlib import Path

import gin
import pytest

import tasks  # noqa: F401  (register)
from tasks.preference import half_pairs
from tasks.preference_files import (
    hh_pairs_policy_plus_file,
    hh_pairs_policy_plus_judge,
    judge_extra_pairs,
    register_pairs_plus_judge_task,
)
from textedit.data.preference_views import scored_text
from textedit.data.readers.malformed_input import MalformedInputError

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "\n\nHuman: which colour?\n\nAssistant:"
FILE_PAIRS = [(PROMPT, " Blue, because it is calm.", " dunno"),
              (PROMPT + " x", " Red.", " Green?")]


def _rows(name: str, split: str = "train", shuffle: bool = False) -> list[tuple[str, str]]:
    import seqio

    source = seqio.get_mixture_or_task(name).source
    return [(r["chosen"].decode(), r["rejected"].decode())
            for r in source.get_dataset(split, shuffle=shuffle, seed=3).as_numpy_iterator()]


def _expected(pairs) -> list[tuple[str, str]]:
    return [(scored_text(p.prompt, p.chosen), scored_text(p.prompt, p.rejected)) for p in pairs]


@pytest.fixture(scope="module")
def pair_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "west_of_n.jsonl"
    path.write_text("".join(json.dumps({"prompt": p, "chosen": c, "rejected": r, "margin": 1.0,
                                        "source": "west_of_n"}) + "\n"
                            for p, c, r in FILE_PAIRS))
    return path


def test_human_half_plus_file_pairs(pair_file):
    policy = half_pairs("train", "policy").pairs
    name = hh_pairs_policy_plus_file([str(pair_file)])
    assert name == "hh_pairs_policy_plus_file"
    rows = _rows(name)
    assert len(rows) == len(policy) + len(FILE_PAIRS)
    assert rows[:len(policy)] == _expected(policy)
    assert rows[len(policy):] == [(scored_text(p, c), scored_text(p, r))
                                  for p, c, r in FILE_PAIRS]
    assert _rows(name, "validation") == _rows("hh_pairs", "validation")
    shuffled = _rows(name, shuffle=True)
    assert sorted(shuffled) == sorted(rows) and shuffled != rows


def test_bad_pair_file_stops_at_registration(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"prompt": PROMPT, "chosen": " a", "rejected": " b"}) + "\n{\n")
    with pytest.raises(MalformedInputError, match=f"{path}:2:"):
        hh_pairs_policy_plus_file([str(path)])
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        hh_pairs_policy_plus_file([str(tmp_path / "missing.jsonl")])


def test_control_adds_the_first_k_judge_pairs(pair_file):
    policy = half_pairs("train", "policy").pairs
    judge = half_pairs("train", "judge").pairs
    assert judge_extra_pairs(3) == judge[:3]
    name = register_pairs_plus_judge_task(3).name
    assert name == "hh_pairs_policy_plus_judge3"
    rows = _rows(name)
    assert rows == _expected(policy) + _expected(judge[:3])
    assert _rows(name) == rows  # deterministic
    # K from the West-of-N file: as many human pairs as it holds.
    assert hh_pairs_policy_plus_judge(same_count_as=[str(pair_file)]) == (
        f"hh_pairs_policy_plus_judge{len(FILE_PAIRS)}")
    with pytest.raises(ValueError, match="the half has"):
        judge_extra_pairs(len(judge) + 1)
    with pytest.raises(ValueError, match="exactly one"):
        hh_pairs_policy_plus_judge()


def test_gin_files_name_the_tasks(pair_file):
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()
    for experiment, expected in (("rm_hh_west_of_n.gin", "hh_pairs_policy_plus_file"),
                                 ("rm_hh_human_extra.gin", "hh_pairs_policy_plus_judge2")):
        gin.clear_config()
        try:
            gin.parse_config_files_and_bindings(
                [str(ROOT / "gin/experiments" / experiment)],
                [f"WEST_OF_N_PAIRS = ['{pair_file}']"], finalize_config=False)
            assert gin.query_parameter("%TRAIN_STEPS") == 1000  # rm_hh.gin's, as the base
            reference = gin.query_parameter("%MIXTURE_OR_TASK_NAME")
            assert reference.scoped_configurable_fn() == expected
        finally:
            gin.clear_config()
