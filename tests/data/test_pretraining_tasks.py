"""Pre-training tasks on the real clean_text (tasks/pretraining.py) and the edit noise behind them
(textedit/data/noise/span_noise.py): noise fixed per sentence in any process, each span operation as
documented, edit-noise plans that realise the clean sentence, and T5 span corruption that masks
15% of the pieces behind sentinels at the top of the vocabulary."""

import collections

import numpy as np
import pytest
import seqio
from t5.data.preprocessors import random_spans_helper

import tasks.pretraining as pretraining
from tasks.edit_tasks import edit_task_name
from textedit.data.dataset_catalog import VALIDATION, load_split
from textedit.data.edit5.edit_features import plan_from_features
from textedit.data.noise.span_noise import (
    SpanNoiseConfig,
    noise_sentence,
    noise_words,
    sentence_rng,
)
from textedit.data.vocab.vocabulary import EOS_ID
from textedit.edits import realise

SENTENCE = "the quick brown fox jumps over the lazy dog near the old river bank today"
DONORS = ["alpha beta gamma delta", "epsilon zeta"]


@pytest.fixture(scope="module")
def clean_sentences():
    return [e.source for e in load_split("clean_text", VALIDATION).examples]


def _is_subsequence(short, long):
    rest = iter(long)
    return all(word in rest for word in short)


def test_noise_is_fixed_per_sentence_in_every_process():
    """SHA-256 seeding: a golden output (Python's salted hash() would change it per process)."""
    config = SpanNoiseConfig(drop_rate=0.15, swap_rate=0.15, add_rate=0.15, seed=7)
    noised = noise_sentence(SENTENCE, config, DONORS)
    assert noised == "the jumps the lazy epsilon dog near alpha the old river epsilon bank today"
    assert noise_sentence(SENTENCE, config, DONORS) == noised
    assert noise_sentence(SENTENCE, SpanNoiseConfig(seed=0), DONORS) == (
        "brown fox the quick jumps over the lazy dog near the old river bank today")
    assert noise_sentence(SENTENCE, SpanNoiseConfig(0, 0, 0), DONORS) == SENTENCE


def test_each_operation_alone_on_real_sentences(clean_sentences):
    """Drops leave a subsequence, swaps a permutation, additions a supersequence whose extra words
    come from the corpus; at rate r each touches about 2r words per clean word (spans 1-3)."""
    sentences = clean_sentences[:3000]
    vocabulary = {w for s in sentences for w in s.split()}
    totals = collections.Counter()
    for text in sentences:
        words = text.split()
        totals["words"] += len(words)
        dropped = noise_words(words, sentence_rng(text), SpanNoiseConfig(0.03, 0, 0), sentences)
        assert _is_subsequence(dropped, words) and dropped
        totals["dropped"] += len(words) - len(dropped)
        swapped = noise_words(words, sentence_rng(text), SpanNoiseConfig(0, 0.03, 0), sentences)
        assert sorted(swapped) == sorted(words)
        totals["swapped"] += swapped != words
        added = noise_words(words, sentence_rng(text), SpanNoiseConfig(0, 0, 0.03), sentences)
        assert _is_subsequence(words, added) and set(added) <= vocabulary
        totals["added"] += len(added) - len(words)
    assert 0.045 < totals["dropped"] / totals["words"] < 0.07
    assert 0.045 < totals["added"] / totals["words"] < 0.07
    assert totals["swapped"] > 0.3 * len(sentences)
    with pytest.raises(ValueError, match="sum to at most 1"):
        SpanNoiseConfig(0.5, 0.5, 0.5)


def test_edit_noise_task_pairs_noised_and_clean_sentences(tiny_vocab, clean_sentences):
    task = seqio.get_mixture_or_task(pretraining.EDIT_NOISE_TASK)
    assert task.metric_fns and task.postprocess_fn is not None
    examples = pretraining.noised_split(VALIDATION).examples
    assert [e.references[0] for e in examples] == clean_sentences
    changed = sum(e.source != " ".join(e.references[0].split()) for e in examples)
    assert 0.55 < changed / len(examples) < 0.85  # short sentences often stay clean
    assert pretraining.noised_split(VALIDATION).examples == examples
    first = next(task.get_dataset(None, split=VALIDATION, shuffle=False).as_numpy_iterator())
    assert first["inputs_pretokenized"].decode() == examples[0].source
    assert first["targets_pretokenized"].decode() == clean_sentences[0]


def test_edit5_twin_plans_realise_the_clean_sentences(tiny_vocab):
    """Deleted added spans, re-ordered swaps and inserted drops reproduce the target exactly."""
    task = seqio.get_mixture_or_task(edit_task_name(pretraining.EDIT_NOISE_TASK))
    seen = collections.Counter()
    dataset = task.get_dataset(None, split=VALIDATION, shuffle=False).take(300)
    for example in dataset.as_numpy_iterator():
        plan = plan_from_features(
            example["tags"], example["pointers"], example["decoder_targets"],
            num_inputs=len(example["inputs"]), first_position_id=tiny_vocab.position_id(0),
            num_position_tokens=tiny_vocab.num_position_tokens, eos_id=EOS_ID)
        source = example["inputs"][:-1].tolist()
        assert realise(source, plan) == example["targets"][:-1].tolist()
        seen["examples"] += 1
        seen["deletes"] += int((example["tags"] == 0).any())
        seen["moves"] += plan.order() != sorted(plan.order())
        seen["insertions"] += bool(plan.insertions)
    assert seen["examples"] == 300
    assert min(seen["deletes"], seen["moves"], seen["insertions"]) > 30, seen


def test_span_corruption_masks_15_percent_behind_top_sentinels(tiny_vocab, clean_sentences):
    task = seqio.get_mixture_or_task(pretraining.SPAN_CORRUPTION_TASK)
    vocabulary = task.output_features["targets"].vocabulary
    top_sentinel = vocabulary.vocab_size - 1  # <extra_id_0>
    lengths = {"inputs": 64, "targets": 16}
    chunk, targets_length = random_spans_helper(64, 0.15, 3.0, 1, 1)  # 70 pieces, 14 targets

    def examples(seed):
        dataset = task.get_dataset(lengths, split=VALIDATION, shuffle=False, seed=seed)
        return list(dataset.take(6).as_numpy_iterator())

    first = examples(seed=1)
    # Sentences are tokenised and concatenated (128 at a time), then cut into chunks.
    stream = [i for s in clean_sentences[:128] for i in vocabulary.encode(s)]
    for k, example in enumerate(first):
        inputs, targets = example["inputs"].tolist(), example["targets"].tolist()
        assert inputs[-1] == targets[-1] == EOS_ID and len(inputs) <= 64
        assert len(targets) <= targets_length and targets[0] == top_sentinel
        # Put the target spans back behind their sentinels: the original chunk.
        spans, current = {}, None
        for i in targets[:-1]:
            if i >= tiny_vocab.sentencepiece_size:
                current = spans.setdefault(i, [])
            else:
                current.append(i)
        restored = [piece for i in inputs[:-1] for piece in spans.get(i, [i])]
        assert restored == stream[k * chunk:(k + 1) * chunk]
        assert sum(len(s) for s in spans.values()) == round(0.15 * chunk)
    same, other = examples(seed=1), examples(seed=2)  # the same seed, the same masks
    assert all(np.array_equal(a["inputs"], b["inputs"]) for a, b in zip(first, same, strict=True))
    assert any(not np.array_equal(a["inputs"], b["inputs"])
               for a, b in zip(first, other, strict=True))
    # Evaluation: the targets carry no text, the postprocessor and metric still work.
    target = task.postprocess_fn(vocabulary.decode(first[0]["targets"]), example=first[0],
                                 is_target=True)
    prediction = task.postprocess_fn(vocabulary.decode(first[0]["targets"]), example=first[0])
    assert task.metric_fns[0]([target], [prediction]) == {"exact_match": 100.0}
