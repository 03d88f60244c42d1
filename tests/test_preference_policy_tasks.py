"""hh_trajectories and hh_policy_pairs from the real HH files: two rows per pair, the policy half
of train, all of validation, rows equal to the data views, and train shuffled with its seed."""

import seqio

import tasks  # noqa: F401  (register)
from tasks.preference import (
    POLICY_HALF,
    half_pairs,
    policy_pair_records,
    trajectory_records,
)
from textedit.data.preference_views import (
    CHOSEN_REWARD,
    REJECTED_REWARD,
    load_preferences,
    policy_prompt,
    trajectories,
)


def test_trajectory_rows_are_the_single_trajectory_view_of_the_policy_half():
    policy = half_pairs("train", POLICY_HALF).pairs
    assert len(trajectory_records("train")) == 2 * len(policy)
    validation = load_preferences("validation").pairs
    records = trajectory_records("validation")
    assert len(records) == 2 * len(validation)
    for record, view in zip(records[:4], trajectories(validation[:2]), strict=True):
        assert record == {"inputs": policy_prompt(view.prompt), "targets": view.response,
                          "reward": view.reward}
    assert [r["reward"] for r in records[:2]] == [CHOSEN_REWARD, REJECTED_REWARD]
    pairs = policy_pair_records("validation")
    assert len(pairs) == len(validation)
    assert pairs[0] == {"inputs": policy_prompt(validation[0].prompt),
                        "chosen": validation[0].chosen, "rejected": validation[0].rejected}
    assert len(policy_pair_records("train")) == len(policy)


def test_tasks_tokenise_with_eos_and_shuffle_train_with_the_seed(tiny_vocab):
    lengths = {"inputs": 64, "targets": 32}
    task = seqio.get_mixture_or_task("hh_trajectories")
    first = next(iter(task.get_dataset(lengths, "validation", shuffle=False)))
    record = trajectory_records("validation")[0]
    assert first["inputs_pretokenized"].numpy().decode() == record["inputs"]
    assert first["targets_pretokenized"].numpy().decode() == record["targets"]
    assert first["reward"].numpy() == CHOSEN_REWARD and first["reward"].dtype == "float32"
    eos = task.output_features["targets"].vocabulary.eos_id
    full = task.get_dataset(None, "validation", shuffle=False)
    assert next(iter(full))["targets"].numpy()[-1] == eos

    pairs = seqio.get_mixture_or_task("hh_policy_pairs")
    row = next(iter(pairs.get_dataset(None, "validation", shuffle=False)))
    assert all(row[name].numpy()[-1] == eos for name in ("inputs", "chosen", "rejected"))

    source = task.source
    order = [r["targets"].numpy() for r in source.get_dataset("train", shuffle=True, seed=3)
             .take(200)]
    again = [r["targets"].numpy() for r in source.get_dataset("train", shuffle=True, seed=3)
             .take(200)]
    rewards = [float(r["reward"]) for r in source.get_dataset("train", shuffle=True, seed=3)
               .take(200)]
    assert order == again  # seeded
    assert order != [r["targets"].encode() for r in trajectory_records("train")[:200]]
    assert 50 < sum(r > 0 for r in rewards) < 150  # a batch mixes rewards
