"""Synthetic grammatical errors: rates estimated from W&I train, one rule per error family,
reproducibility, the realised noise rate on clean text, and the `gec_synthetic` task."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import TRAIN, VALIDATION, load_split
from textedit.data.noise import gec_noise_tables as tables
from textedit.data.noise.gec_noise import (
    ErrorRates,
    GecNoiser,
    count_tokens,
    error_family,
    estimate_error_rates,
)
from textedit.data.noise.gec_noise_words import verb_forms

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WI_TRAIN = [f"gec/wi.{level}.train.m2" for level in "ABC"]


@pytest.fixture(scope="module")
def wi_rates():
    return estimate_error_rates([data_path(f) for f in WI_TRAIN])


@pytest.fixture(scope="module")
def clean_sentences():
    return [e.source for e in load_split("clean_text", VALIDATION).examples[:1000]]


def _count_m2(paths):
    """Edit types and source tokens, read straight from the files (not through read_m2)."""
    types, tokens = Counter(), 0
    for path in paths:
        for line in open(path, encoding="utf-8"):
            if line.startswith("S "):
                tokens += len(line.split()) - 1
            elif line.startswith("A "):
                edit_type = line.split("|||")[1]
                if edit_type != "noop":
                    types[edit_type] += 1
    return types, tokens


def test_rates_count_every_wi_train_edit(wi_rates):
    types, tokens = _count_m2([data_path(f) for f in WI_TRAIN])
    assert dict(wi_rates.type_counts) == dict(types)
    assert wi_rates.tokens == tokens  # W&I train has one annotator
    assert wi_rates.sentences == 10493 + 13032 + 10783
    assert wi_rates.files == ("wi.A.train.m2", "wi.B.train.m2", "wi.C.train.m2")
    families = wi_rates.family_counts()
    assert families["article"] == types["R:DET"] + types["M:DET"] + types["U:DET"]
    assert families["preposition"] == types["R:PREP"] + types["M:PREP"] + types["U:PREP"]
    assert families["agreement"] == types["R:VERB:SVA"]
    assert families["spelling"] == types["R:SPELL"]
    assert families["noun_number"] == types["R:NOUN:NUM"] + types["R:NOUN:INFL"]
    # Every edit is either in a family or unmapped (lexical R:* types, UNK), none twice.
    assert sum(families.values()) + sum(wi_rates.unmapped_counts().values()) == sum(types.values())
    assert {"R:OTHER", "R:ORTH", "R:WO", "UNK"} <= set(wi_rates.unmapped_counts())
    assert all(t.startswith("R:") or t == "UNK" for t in wi_rates.unmapped_counts())


def test_rates_are_plausible(wi_rates):
    rates = wi_rates.family_rates()
    top = list(rates)[:4]
    assert "article" in top and "preposition" in top
    assert set(rates) == {"article", "preposition", "punctuation", "verb_form", "noun_number",
                          "agreement", "missing_word", "extra_word", "spelling"}
    assert 0.005 < rates["article"] < 0.02 and 0.0015 < rates["spelling"] < 0.01
    assert 0.03 < sum(rates.values()) < 0.12  # a few errors per hundred tokens
    # Within a family the op mix follows R / M / U: learners drop articles more than they swap.
    ops = wi_rates.op_counts()
    assert ops[("article", "drop")] > ops[("article", "substitute")]
    assert ops[("preposition", "substitute")] > ops[("preposition", "drop")]
    assert ErrorRates.from_json(wi_rates.to_json()) == wi_rates
    assert "article" in wi_rates.table()


def test_error_family_mapping():
    assert error_family("R:DET") == ("article", "substitute")
    assert error_family("M:PREP") == ("preposition", "drop")
    assert error_family("U:PUNCT") == ("punctuation", "insert")
    assert error_family("R:VERB:TENSE") == ("verb_form", "substitute")
    assert error_family("M:PRON") == ("missing_word", "drop")
    assert error_family("U:VERB") == ("extra_word", "insert")
    assert error_family("R:OTHER") is None and error_family("noop") is None


def _forced(errant_type, seed=0):
    """A noiser making only `errant_type`'s errors, as many as the sentence has places for."""
    return GecNoiser(ErrorRates({errant_type: 10}, tokens=1), seed=seed)


@pytest.mark.parametrize("errant_type,sentence,allowed", [
    ("R:DET", "I saw the cat .", {"I saw a cat .", "I saw an cat ."}),
    ("M:DET", "I saw the cat .", {"I saw cat ."}),
    ("U:DET", "I like music .", {"I like the music .", "I like a music ."}),
    ("R:PREP", "We met in Paris .", {f"We met {p} Paris ." for p in ("on", "at", "into")}),
    ("M:PREP", "We met in Paris .", {"We met Paris ."}),
    ("U:PREP", "We discussed the plan .",
     {f"We discussed {p} the plan ." for p in tables.EXTRA_PREPOSITIONS}),
    ("M:PUNCT", "Yes , I know", {"Yes I know"}),
    ("R:PUNCT", "Yes, I know", {"Yes. I know", "Yes; I know"}),
    ("U:PUNCT", "I know he left", {"I know, he left"}),
    ("R:VERB:FORM", "They walked home .",
     {f"They {f} home ." for f in ("walk", "walks", "walking")}),
    ("R:VERB:TENSE", "She went home .", {f"She {f} home ." for f in verb_forms("go")} - {
        "She went home ."}),
    ("R:NOUN:NUM", "I have a dog .", {"I have a dogs ."}),
    ("R:NOUN:NUM", "Several women came .", {"Several woman came ."}),
    ("R:VERB:SVA", "He goes home .", {"He go home ."}),
    ("R:VERB:SVA", "They play chess .", {"They plays chess ."}),
    ("R:VERB:SVA", "The children are here .", {"The children is here ."}),
    ("M:PRON", "It rains today", {"Rains today"}),  # the new first word is capitalised
    ("M:VERB:TENSE", "Prices will rise", {"Prices rise"}),
])
def test_each_rule_makes_its_error(errant_type, sentence, allowed):
    family = error_family(errant_type)[0]
    seen = set()
    for seed in range(12):
        result = _forced(errant_type, seed).noise(sentence)
        assert result.text in allowed, (seed, result.text)
        assert {e.family for e in result.errors} == {family}
        seen.add(result.text)
    assert len(seen) > 1 or len(allowed) == 1  # the seed picks among the allowed errors


def test_extra_word_and_typo_rules():
    for seed in range(20):
        extra = _forced("U:OTHER", seed).noise("Birds sing")
        first, word, last = extra.text.split()
        assert (first, last) == ("Birds", "sing")
        assert word in tables.EXTRA_WORDS or word == "birds"  # an extra word or a repeat

        typo = _forced("R:SPELL", seed).corrupt("Wonderful")
        assert typo != "Wonderful" and abs(len(typo) - len("Wonderful")) <= 1
        if len(typo) == len("Wonderful"):
            diff = [(a, b) for a, b in zip("Wonderful", typo, strict=True) if a != b]
            if len(diff) == 1:  # a neighbouring key, keeping the case
                (old, new), = diff
                assert new.lower() in tables.KEYBOARD_NEIGHBOURS[old.lower()]
            else:  # two letters swapped
                assert sorted(typo) == sorted("Wonderful")


def test_same_seed_same_errors_whatever_the_order(clean_sentences, wi_rates):
    sentences = clean_sentences[:300]
    first = [GecNoiser(wi_rates, seed=1).corrupt(s) for s in sentences]
    again = GecNoiser(wi_rates, seed=1)
    assert [again.corrupt(s) for s in reversed(sentences)] == first[::-1]
    other = [GecNoiser(wi_rates, seed=2).corrupt(s) for s in sentences]
    assert sum(a != b for a, b in zip(first, other, strict=True)) > 50
    keyed = [GecNoiser(wi_rates, seed=1).corrupt(s, key=1) for s in sentences]
    assert keyed != first  # copies of a sentence (another key) get their own errors


def test_errors_do_not_depend_on_the_python_hash_seed(wi_rates, tmp_path):
    sentences = ["She lives in a small house near the river .",
                 "We have discussed the plans for the new school, and they are good."] * 5
    rates_file = tmp_path / "rates.json"
    rates_file.write_text(wi_rates.to_json())
    script = (
        "import json, sys\n"
        "from textedit.data.noise.gec_noise import ErrorRates, GecNoiser\n"
        "rates = ErrorRates.from_json(open(sys.argv[1]).read())\n"
        "noiser = GecNoiser(rates, seed=3, noise_scale=5.0)\n"
        "sentences = json.loads(sys.argv[2])\n"
        "print(json.dumps([noiser.corrupt(s, key=i) for i, s in enumerate(sentences)]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script, str(rates_file), json.dumps(sentences)],
                         env=env, capture_output=True, text=True, check=True,
                         cwd=REPO_ROOT).stdout
    noiser = GecNoiser(wi_rates, seed=3, noise_scale=5.0)
    assert json.loads(out) == [noiser.corrupt(s, key=i) for i, s in enumerate(sentences)]


def test_noise_rate_on_clean_text_matches_the_estimate(clean_sentences, wi_rates):
    noiser = GecNoiser(wi_rates, seed=0)
    results = [noiser.noise(s) for s in clean_sentences]
    tokens = sum(count_tokens(s) for s in clean_sentences)
    made = sum(len(r.errors) for r in results)
    expected = sum(wi_rates.family_rates().values())
    assert 0.6 * expected < made / tokens < 1.3 * expected
    # Like learner text: many sentences untouched, most with an error.
    unchanged = sum(r.text == s for r, s in zip(results, clean_sentences, strict=True))
    assert 0.15 < unchanged / len(clean_sentences) < 0.6
    assert {e.family for r in results for e in r.errors} == set(wi_rates.family_rates())
    # noise_scale scales the rate; 0 leaves every sentence as it is.
    doubled = GecNoiser(wi_rates, seed=0, noise_scale=2.0)
    made_doubled = sum(len(doubled.noise(s).errors) for s in clean_sentences)
    assert 1.6 * made < made_doubled < 2.4 * made
    silent = GecNoiser(wi_rates, seed=0, noise_scale=0.0)
    assert [silent.corrupt(s) for s in clean_sentences[:50]] == clean_sentences[:50]


def test_gec_synthetic_task_pairs_noised_and_clean_sentences():
    import seqio

    import tasks.gec_synthetic as gec_synthetic

    task = seqio.get_mixture_or_task("gec_synthetic")
    assert "edit5_gec_synthetic" in seqio.TaskRegistry.names()
    assert task.output_features == seqio.get_mixture_or_task("gec_wi_fce").output_features
    assert len(task.metric_fns) == 2 and task.postprocess_fn is not None
    assert gec_synthetic.wi_train_error_rates().files == tuple(
        os.path.basename(f) for f in WI_TRAIN)

    def pairs(name):
        dataset = seqio.get_mixture_or_task(name).source.get_dataset(TRAIN, shuffle=False)
        return [(e["inputs"].decode(), e["targets"].decode())
                for e in dataset.take(400).as_numpy_iterator()]

    first = pairs("gec_synthetic")
    import tasks.clean_text  # noqa: F401  (its split is read once, shared with gec_synthetic)

    assert [target for _, target in first] == [target for _, target in pairs("clean_text")]
    changed = sum(source != target for source, target in first) / len(first)
    assert 0.4 < changed < 0.85
    assert pairs("gec_synthetic") == first
    # A variant with another seed and more noise: same targets, other (and more) errors.
    gec_synthetic.register_gec_synthetic_task("gec_synthetic_x3", seed=7, noise_scale=3.0,
                                              edit_task=False)
    try:
        noisier = pairs("gec_synthetic_x3")
    finally:
        seqio.TaskRegistry.remove("gec_synthetic_x3")
    assert [t for _, t in noisier] == [t for _, t in first]
    assert sum(s != t for s, t in noisier) > sum(s != t for s, t in first)


@pytest.mark.slow  # ~35 s: noises all of clean_text train
def test_wi_fce_with_synthetic_pairs_trains_on_both_and_validates_on_wi_fce():
    import seqio

    from tasks.gec_synthetic import UNION_NAME, load_noised_split, load_union_split
    from tasks.registration import loaded_split
    from textedit.data import dataset_catalog

    assert f"edit5_{UNION_NAME}" in seqio.TaskRegistry.names()
    human = loaded_split("gec_wi_fce", TRAIN, lambda s, skip: dataset_catalog.load_split(
        "gec_wi_fce", s, skip_bad_lines=skip))
    synthetic = load_noised_split(TRAIN)
    union = load_union_split(TRAIN)
    # Human pairs first, then the synthetic ones (none of these sources is a W&I dev source).
    assert union.examples[:len(human.examples)] == list(human.examples)
    extra = union.examples[len(human.examples):]
    assert len(extra) == len(synthetic.examples) - (union.removed_overlap - human.removed_overlap)
    assert extra[:100] == synthetic.examples[:100]
    assert set(human.files + synthetic.files) == set(union.files)
    validation = load_union_split("validation")
    wi_validation = dataset_catalog.load_split("gec_wi_fce", "validation")
    assert validation.examples == wi_validation.examples
    task = seqio.get_mixture_or_task(UNION_NAME)
    assert len(task.metric_fns) == len(seqio.get_mixture_or_task("gec_wi_fce").metric_fns)
