"""LMCor corrector inputs: assembly with separators, its inverse, shuffling, the SeqIO source."""

import itertools
import random

import pytest

from textedit.data import lmcor_inputs
from textedit.data.lmcor_source import candidates_source, postprocess_lmcor
from textedit.data.readers.candidates_reader import CandidateExample


def test_assemble_puts_a_numbered_separator_before_each_candidate():
    text = lmcor_inputs.assemble(" He go home . ", ["He goes home .", "He went home ."])
    assert text == "He go home . <extra_id_0> He goes home . <extra_id_1> He went home ."
    assert lmcor_inputs.split(text) == ("He go home .", ["He goes home .", "He went home ."])


def test_empty_candidates_keep_their_slot():
    text = lmcor_inputs.assemble("a", ["", "c"])
    assert text == "a <extra_id_0> <extra_id_1> c"
    assert lmcor_inputs.split(text) == ("a", ["", "c"])


@pytest.mark.parametrize("source, candidates, message", [
    ("a", [], "at least one candidate"),
    ("a", ["x"] * 101, "at most 100 candidates"),
    ("a <extra_id_3> b", ["x"], "contains a separator token"),
    ("a", ["x <extra_id_0>"], "contains a separator token"),
])
def test_assemble_rejects_bad_inputs(source, candidates, message):
    with pytest.raises(ValueError, match=message):
        lmcor_inputs.assemble(source, candidates)


@pytest.mark.parametrize(
    "text", ["no separators", "a <extra_id_1> b", "a <extra_id_0> b <extra_id_0> c"])
def test_split_rejects_missing_or_disordered_separators(text):
    with pytest.raises(ValueError, match="expected separators"):
        lmcor_inputs.split(text)


def test_strip_separators_removes_sentinels_a_generator_emitted():
    assert lmcor_inputs.strip_separators("a<extra_id_79> b  <extra_id_0>c") == "a b c"


def test_shuffled_reaches_every_order_and_is_seeded():
    rng = random.Random(0)
    orders = {tuple(lmcor_inputs.shuffled("abc", rng)) for _ in range(200)}
    assert orders == set(itertools.permutations("abc"))
    assert lmcor_inputs.shuffled("abcd", random.Random(5)) == lmcor_inputs.shuffled(
        "abcd", random.Random(5))


EXAMPLES = [CandidateExample(f"s{i}", ("c1", "c2", "c3"), (f"r{i}", f"r{i}b")) for i in range(8)]


def _pass(dataset):
    return [(e["inputs"].decode(), e["source"].decode(), e["targets"].decode())
            for e in dataset.as_numpy_iterator()]


def test_source_shuffles_training_candidates_anew_each_pass_and_keeps_validation_order():
    source = candidates_source(lambda split: EXAMPLES, ["train", "validation"], default_seed=3)
    validation = _pass(source.get_dataset("validation", shuffle=False))
    assert validation[0] == ("s0 <extra_id_0> c1 <extra_id_1> c2 <extra_id_2> c3", "s0", "r0")
    assert {lmcor_inputs.split(x)[1][0] for x, _, _ in validation} == {"c1"}

    train = source.get_dataset("train", shuffle=False).repeat(2)
    two_passes = _pass(train)
    first, second = two_passes[:8], two_passes[8:]
    # Same examples and targets in the same order, the candidate order drawn per example.
    assert [(s, t) for _, s, t in first] == [(f"s{i}", f"r{i}") for i in range(8)]
    assert all(sorted(lmcor_inputs.split(x)[1]) == ["c1", "c2", "c3"] for x, _, _ in first)
    assert len({lmcor_inputs.split(x)[1][0] for x, _, _ in first}) > 1
    assert [x for x, _, _ in first] != [x for x, _, _ in second]
    # Deterministic: the same seed gives the same two passes.
    again = candidates_source(lambda split: EXAMPLES, ["train"], default_seed=3)
    assert _pass(again.get_dataset("train", shuffle=False).repeat(2)) == two_passes
    # SeqIO's own seeded call (it checks the dataset_fn's argument names): a seeded file shuffle.
    seeded = _pass(again.get_dataset("train", shuffle=True, seed=9))
    assert sorted(s for _, s, _ in seeded) == sorted(s for _, s, _ in first)


def test_postprocess_gives_metrics_the_original_source():
    example = {"inputs_pretokenized": b"s0 <extra_id_0> c1", "references": [b"r0", b"r0b"],
               "source": b"s0"}
    assert postprocess_lmcor(b" r0 ", example, is_target=True) == {
        "source": "s0", "references": ["r0", "r0b"]}
    assert postprocess_lmcor(b" fixed ", example) == "fixed"
