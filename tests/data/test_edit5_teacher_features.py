"""Teacher features of the EdiT5 data (distillation from a seq2seq teacher): the target position of
every inserted piece, computed in the conversion and checked; the converter's teacher features;
the `edit5_<task>_with_teacher` tasks on real GEC data, whose `inputs` / `targets` are the seq2seq
task's; everything off by default."""

import itertools

import numpy as np
import pytest
import seqio
import tensorflow as tf

import tasks  # noqa: F401  (registers the edit5_ tasks and their teacher variants)
from tasks.edit_tasks import seq2seq_task_name, teacher_task_name
from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
from textedit.data.edit5.edit_features import (
    check_decoder_target_positions,
    decoder_target_positions,
    plan_from_features,
)
from textedit.data.edit5.edit_preprocessors import (
    SKIPPED,
    TARGETS_TOO_LONG,
    convert_to_edit_features,
    filter_edit_lengths,
)
from textedit.data.vocab.vocabulary import EOS_ID, FIRST_POSITION_ID, VocabularyManifest
from textedit.edits import convert, decoder_target, decoder_target_sources, realise

# "A long user query" -> "The user query is very long" (docs/algorithms.md#edit5-conversion).
A, LONG, USER, QUERY, THE, IS, VERY = 10, 11, 12, 13, 20, 21, 22
SOURCE, TARGET = [A, LONG, USER, QUERY], [THE, USER, QUERY, IS, VERY, LONG]
MANIFEST = VocabularyManifest(100, 8, 0, {}, 0, {})


def test_sources_of_the_paper_example():
    plan = convert("A long user query".split(), "The user query is very long".split())
    tokens = decoder_target(plan, lambda k: f"<pos_{k}>")
    sources = decoder_target_sources(plan)
    assert sources == [-1, 0, -1, 3, 4]
    target = realise("A long user query".split(), plan)
    assert [target[j] for j in sources if j >= 0] == [t for t in tokens if "<" not in t]
    assert decoder_target_positions(plan).tolist() == [-1, 0, -1, 3, 4, -1]  # EOS: -1


def test_sources_hold_on_random_pairs():
    """Moves, deletions, insertions at the start and the end, empty sides."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        source = rng.integers(0, 6, size=rng.integers(0, 9)).tolist()
        target = rng.integers(0, 6, size=rng.integers(0, 9)).tolist()
        plan = convert(source, target)
        tokens = decoder_target(plan, lambda k: ("pos", k))
        realised = realise(source, plan)
        for token, j in zip(tokens, decoder_target_sources(plan), strict=True):
            assert (j == -1) == isinstance(token, tuple)
            assert j == -1 or realised[j] == token


def _preprocessed(pairs, **options):
    spec = tf.TensorSpec([None], tf.int32)
    dataset = tf.data.Dataset.from_generator(
        lambda: ({"inputs": [*s, EOS_ID], "targets": [*t, EOS_ID]} for s, t in pairs),
        output_signature={"inputs": spec, "targets": spec})
    features = {"inputs": seqio.Feature(seqio.PassThroughVocabulary(100, eos_id=EOS_ID))}
    return list(convert_to_edit_features(dataset, features, manifest=MANIFEST, label="teacher",
                                         **options).as_numpy_iterator())


def test_the_preprocessor_adds_positions_only_when_asked():
    (plain,) = _preprocessed([(SOURCE, TARGET)])
    assert "decoder_target_positions" not in plain
    (example,) = _preprocessed([(SOURCE, TARGET)], target_positions=True)
    assert example["decoder_target_positions"].tolist() == [-1, 0, -1, 3, 4, -1]
    assert example["decoder_target_positions"].dtype == np.int32
    for name in plain:
        assert example[name].tolist() == plain[name].tolist(), name


def test_the_check_catches_a_wrong_index():
    decoder = [FIRST_POSITION_ID, THE, FIRST_POSITION_ID + 2, IS, VERY, EOS_ID]
    targets = [*TARGET, EOS_ID]
    marker = lambda t: t == EOS_ID or t >= FIRST_POSITION_ID and t < FIRST_POSITION_ID + 8  # noqa: E731
    check_decoder_target_positions(targets, decoder, [-1, 0, -1, 3, 4, -1], marker)
    with pytest.raises(ValueError, match="maps to target position 4"):
        check_decoder_target_positions(targets, decoder, [-1, 0, -1, 4, 3, -1])
    with pytest.raises(ValueError, match="out of range"):
        check_decoder_target_positions(targets, decoder, [-1, 0, -1, 3, 40, -1])
    with pytest.raises(ValueError, match="-1 must mark exactly"):
        check_decoder_target_positions(targets, decoder, [-1, -1, -1, 3, 4, -1], marker)


EXAMPLE = {  # EditFeatureConverter's docstring example, with the teacher's task features
    "inputs": [10, 11, 12, 13, 1],
    "tags": [0, 1, 1, 1, 1],
    "pointers": [0, 4, 3, 1, 2],
    "decoder_targets": [3, 20, 5, 21, 22, 1],
    "targets": [20, 12, 13, 21, 22, 11, 1],
    "decoder_target_positions": [-1, 0, -1, 3, 4, -1],
}
LENGTHS = {"inputs": 8, "decoder_targets": 8, "targets": 8}


def _dataset(*examples):
    return tf.data.Dataset.from_generator(
        lambda: iter(examples),
        output_signature={k: tf.TensorSpec([None], tf.int32) for k in examples[0]})


def test_converter_teacher_features_docstring_example():
    converter = EditFeatureConverter(teacher_features=True)
    (converted,) = converter(_dataset(EXAMPLE), LENGTHS).as_numpy_iterator()
    assert converted["teacher_decoder_target_tokens"].tolist() == [20, 12, 13, 21, 22, 11, 1, 0]
    assert converted["teacher_decoder_input_tokens"].tolist() == [0, 20, 12, 13, 21, 22, 11, 1]
    assert converted["decoder_target_positions"].tolist() == [-1, 0, -1, 3, 4, -1, -1, -1]
    (plain,) = EditFeatureConverter()(_dataset(EXAMPLE), {"inputs": 8, "decoder_targets": 8}
                                      ).as_numpy_iterator()
    assert set(converted) - set(plain) == {"teacher_decoder_target_tokens",
                                           "teacher_decoder_input_tokens",
                                           "decoder_target_positions"}
    for name in plain:  # the EdiT5 features are unchanged
        assert converted[name].tolist() == plain[name].tolist(), name


def test_converter_needs_the_target_length_and_never_truncates():
    converter = EditFeatureConverter(teacher_features=True, apply_length_check=False)
    with pytest.raises(ValueError, match="add \"targets\""):
        converter(_dataset(EXAMPLE), {"inputs": 8, "decoder_targets": 8})
    with pytest.raises(tf.errors.InvalidArgumentError, match="targets longer than 6"):
        list(converter(_dataset(EXAMPLE), {**LENGTHS, "targets": 6}).as_numpy_iterator())
    trimmed = {**EXAMPLE, "targets": EXAMPLE["targets"][:4]}  # as SeqIO's trimming would leave it
    with pytest.raises(tf.errors.InvalidArgumentError, match="point past the end"):
        list(converter(_dataset(trimmed), LENGTHS).as_numpy_iterator())


def test_the_length_filter_checks_targets_when_asked():
    SKIPPED.reset()
    dataset = _dataset(EXAMPLE, {**EXAMPLE, "targets": [20, 1]})
    lengths = {"inputs": 8, "decoder_targets": 8, "targets": 4}
    assert len(list(filter_edit_lengths(dataset, lengths).as_numpy_iterator())) == 2
    kept = list(filter_edit_lengths(dataset, lengths, label="short", check_targets=True)
                .as_numpy_iterator())
    assert [e["targets"].tolist() for e in kept] == [[20, 1]]
    assert SKIPPED.get("short", TARGETS_TOO_LONG) == 1


def test_teacher_task_names():
    assert teacher_task_name("gec_wi_fce") == "edit5_gec_wi_fce_with_teacher"
    assert seq2seq_task_name("edit5_gec_wi_fce_with_teacher") == "gec_wi_fce"
    assert seq2seq_task_name("edit5_gec_wi_fce") == "gec_wi_fce"
    teacher = seqio.get_mixture_or_task("edit5_gec_wi_fce_with_teacher")
    plain = seqio.get_mixture_or_task("edit5_gec_wi_fce")
    assert teacher.source is plain.source and teacher.metric_fns == plain.metric_fns


GEC_LENGTHS = {"inputs": 128, "decoder_targets": 64, "targets": 128}
EXAMPLES = 300


def test_real_gec_examples_line_up_with_the_teacher(tiny_vocab):
    """gec_wi_fce validation (W&I dev): every inserted piece is the target piece its index
    names, -1 sits exactly on <pos_k> / EOS / padding, the plan realises the target, and the
    teacher reads what a seq2seq task feeds it (same encoder ids, same decoder ids)."""
    converter = EditFeatureConverter(teacher_features=True)
    dataset = seqio.get_dataset("edit5_gec_wi_fce_with_teacher", GEC_LENGTHS, converter,
                                dataset_split="validation", shuffle=False)
    examples = list(dataset.take(EXAMPLES).as_numpy_iterator())
    seq2seq = seqio.get_dataset("gec_wi_fce", {"inputs": 128, "targets": 128},
                                seqio.EncDecFeatureConverter(pack=False),
                                dataset_split="validation", shuffle=False)
    reference = seq2seq.as_numpy_iterator()
    first, count = tiny_vocab.position_id(0), tiny_vocab.num_position_tokens
    content_pieces = 0
    for features in examples:
        tokens = features["decoder_target_tokens"]
        positions = features["decoder_target_positions"]
        targets = features["teacher_decoder_target_tokens"]
        marker = (tokens == EOS_ID) | (tokens == 0) | ((tokens >= first) & (tokens < first + count))
        assert ((positions == -1) == marker).all()
        content = positions >= 0
        assert (targets[positions[content]] == tokens[content]).all()
        content_pieces += int(content.sum())
        assert (features["teacher_decoder_input_tokens"][1:] == targets[:-1]).all()
        n = int(features["encoder_mask"].sum())
        plan = plan_from_features(features["tags"], features["pointers"], tokens, num_inputs=n,
                                  first_position_id=first, num_position_tokens=count,
                                  eos_id=EOS_ID)
        source = features["encoder_input_tokens"][: n - 1].tolist()
        assert realise(source, plan) + [EOS_ID] == targets[targets != 0].tolist()
        # The seq2seq task's next example with these inputs (filtered pairs are skipped).
        twin = next(r for r in reference
                    if (r["encoder_input_tokens"] == features["encoder_input_tokens"]).all())
        assert (twin["decoder_input_tokens"] == features["teacher_decoder_input_tokens"]).all()
        assert (twin["decoder_target_tokens"] == targets).all()
    assert content_pieces > EXAMPLES  # GEC inserts something in most sentences


def test_the_plain_edit_task_is_unchanged(tiny_vocab):
    plain = seqio.get_mixture_or_task("edit5_gec_wi_fce").get_dataset(
        None, split="validation", shuffle=False)
    teacher = seqio.get_mixture_or_task("edit5_gec_wi_fce_with_teacher").get_dataset(
        None, split="validation", shuffle=False)
    for a, b in itertools.islice(zip(plain.as_numpy_iterator(), teacher.as_numpy_iterator(),
                                     strict=False), 50):
        assert set(b) - set(a) == {"decoder_target_positions"}
        for name in a:  # ids and the raw text features alike
            assert np.array_equal(a[name], b[name]), name
