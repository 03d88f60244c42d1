"""The hh_sft task: registered, and its split is the prompt -> chosen view of the HH pairs."""

import seqio

import tasks  # noqa: F401  (register)
from tasks.preference import load_sft_split
from textedit.data.preference_views import load_preferences


def test_hh_sft_task():
    assert "hh_sft" in seqio.TaskRegistry.names()
    pairs = load_preferences("validation").pairs
    loaded = load_sft_split("validation")
    assert len(loaded.examples) == len(pairs)
    first = loaded.examples[0]
    assert (first.source, first.references) == (pairs[0].prompt, (pairs[0].chosen,))
    assert first.source.endswith("\n\nAssistant:")
    assert [f.rsplit("/", 1)[-1] for f in loaded.files] == [
        "hh.harmless-base.jsonl.gz", "hh.helpful-online.jsonl.gz",
        "hh.helpful-rejection-sampled.jsonl.gz"]


def test_half_tasks_split_train_prompts_and_share_validation():
    from tasks.preference import half_pairs
    from textedit.data.preference_views import judge_half

    every = load_preferences("train").pairs
    policy, judge = half_pairs("train", "policy").pairs, half_pairs("train", "judge").pairs
    assert len(policy) + len(judge) == len(every) and policy and judge
    assert not {p.prompt for p in policy} & {p.prompt for p in judge}
    assert all(judge_half(p.prompt) for p in judge)
    assert len(half_pairs("validation", "judge").pairs) == len(load_preferences("validation").pairs)
    for name in ("hh_sft_policy", "hh_pairs_policy", "hh_pairs_judge"):
        assert name in seqio.TaskRegistry.names()
    policy_sft = load_sft_split("train", half="policy")
    assert [e.source for e in policy_sft.examples] == [p.prompt[-600:] for p in policy]
