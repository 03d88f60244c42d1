"""EdiT5 edit tasks: plan <-> features, the SeqIO preprocessors on the paper example and on a whole
real split, skipped pairs counted (too many position tokens, too long), and `--edit_stats`."""

import dataclasses

import numpy as np
import seqio
import tensorflow as tf

import tasks  # noqa: F401  (registers the edit5_ tasks)
from tasks.edit_tasks import EDIT_SOURCE_TASKS, edit_task_name, register_edit_task
from tasks.user_data import register_parallel_task
from textedit.cli.edit_task_stats import edit_split_stats
from textedit.data.edit5.edit_features import plan_from_features, plan_to_features
from textedit.data.edit5.edit_preprocessors import (
    INPUTS_TOO_LONG,
    SKIPPED,
    TOO_MANY_POSITIONS,
    convert_to_edit_features,
    filter_edit_lengths,
)
from textedit.data.vocab.vocabulary import (
    EOS_ID,
    FIRST_POSITION_ID,
    VocabularyManifest,
    word_start_table,
)
from textedit.edits import convert, realise, word_violations

# "A long user query" -> "The user query is very long" as made-up ids
# (docs/algorithms.md#edit5-conversion).
A, LONG, USER, QUERY, THE, IS, VERY = 10, 11, 12, 13, 20, 21, 22
PAPER_SOURCE = [A, LONG, USER, QUERY]
PAPER_TARGET = [THE, USER, QUERY, IS, VERY, LONG]
PAPER_FEATURES = {
    "inputs": [A, LONG, USER, QUERY, EOS_ID],
    "tags": [0, 1, 1, 1, 1],  # the EOS/START position is always KEEP
    "pointers": [0, 4, 3, 1, 2],  # EOS -> user -> query -> long -> EOS; A -> A (deleted)
    "decoder_targets": [FIRST_POSITION_ID + 0, THE, FIRST_POSITION_ID + 2, IS, VERY, EOS_ID],
}


def _manifest(num_position_tokens: int) -> VocabularyManifest:
    return VocabularyManifest(100, num_position_tokens, 0, {}, 0, {})


def _plan_of(example, manifest):
    return plan_from_features(
        example["tags"], example["pointers"], example["decoder_targets"],
        num_inputs=len(example["inputs"]), first_position_id=manifest.position_id(0),
        num_position_tokens=manifest.num_position_tokens, eos_id=EOS_ID)


def _run_preprocessor(pairs, manifest, label="test"):
    """convert_to_edit_features over (source ids, target ids) pairs; EOS appended here."""
    def generate():
        for source, target in pairs:
            yield {"inputs": [*source, EOS_ID], "targets": [*target, EOS_ID]}

    spec = tf.TensorSpec([None], tf.int32)
    dataset = tf.data.Dataset.from_generator(
        generate, output_signature={"inputs": spec, "targets": spec})
    features = {"inputs": seqio.Feature(seqio.PassThroughVocabulary(100, eos_id=EOS_ID))}
    dataset = convert_to_edit_features(dataset, features, manifest=manifest, label=label)
    return list(dataset.as_numpy_iterator())


def test_paper_example_features_and_back():
    plan = convert(PAPER_SOURCE, PAPER_TARGET)
    manifest = _manifest(8)
    features = plan_to_features(plan, position_id=manifest.position_id, eos_id=EOS_ID)
    for name in ("tags", "pointers", "decoder_targets"):
        assert features[name].tolist() == PAPER_FEATURES[name], name
    rebuilt = _plan_of({**features, "inputs": PAPER_FEATURES["inputs"]}, manifest)
    assert rebuilt == plan
    assert realise(PAPER_SOURCE, rebuilt) == PAPER_TARGET


def test_paper_example_through_the_preprocessor():
    (example,) = _run_preprocessor([(PAPER_SOURCE, PAPER_TARGET)], _manifest(8))
    for name, expected in PAPER_FEATURES.items():
        assert example[name].tolist() == expected, name
        assert example[name].dtype == np.int32
    assert example["targets"].tolist() == [*PAPER_TARGET, EOS_ID]  # kept for seq2seq metrics


def test_paper_example_as_text_through_an_edit_task(tmp_path, tiny_vocab):
    path = tmp_path / "paper.tsv"
    path.write_text("A long user query\tThe user query is very long\n", encoding="utf-8")
    register_parallel_task("user_paper", validation=str(path))
    task = register_edit_task("user_paper", min_moved_run=1)  # the paper moves the single "long"
    (example,) = task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator()
    vocabulary = task.output_features["inputs"].vocabulary
    plan = _plan_of(example, tiny_vocab)
    source = example["inputs"][:-1].tolist()
    assert vocabulary.decode([source[j] for j in plan.order()]) == "user query long"
    assert [vocabulary.decode(list(span)) for _, span in plan.insertions] == ["The", "is very"]
    assert vocabulary.decode(realise(source, plan)) == "The user query is very long"
    # The edit tasks' default (min_moved_run 2): a single word is deleted and inserted, not moved.
    task = register_edit_task("user_paper")
    (example,) = task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator()
    plan = _plan_of(example, tiny_vocab)
    assert vocabulary.decode([source[j] for j in plan.order()]) == "user query"
    assert [vocabulary.decode(list(span)) for _, span in plan.insertions] == [
        "The", "is very long"]


def test_every_text_task_has_an_edit_twin_with_the_same_source_and_metrics():
    for name in EDIT_SOURCE_TASKS:
        seq2seq, edit = (seqio.get_mixture_or_task(n) for n in (name, edit_task_name(name)))
        assert edit.source is seq2seq.source
        assert edit.postprocessor is seq2seq.postprocessor
        assert edit.metric_fns == seq2seq.metric_fns
        assert set(edit.output_features) == {"inputs", "targets", "decoder_targets"}


def test_whole_jfleg_validation_realises_its_targets(tiny_vocab):
    """All 754 pairs: converted ones reproduce their target, the rest are counted; the edit task
    converts word-aware (no insertion inside a word, no partly deleted word), unlike pieces."""
    SKIPPED.reset()
    task = seqio.get_mixture_or_task("edit5_gec_jfleg")
    examples = list(task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator())
    skipped = SKIPPED.get("edit5_gec_jfleg", TOO_MANY_POSITIONS)
    assert len(examples) + skipped == 754
    table = word_start_table(task.output_features["inputs"].vocabulary)
    piece_violations = 0
    for example in examples:
        source, target = example["inputs"][:-1], example["targets"][:-1]
        starts = (table[source].tolist(), table[target].tolist())
        plan = _plan_of(example, tiny_vocab)
        assert word_violations(source.tolist(), target.tolist(), *starts, plan) == (0, 0)
        piece_plan = convert(source.tolist(), target.tolist())
        piece_violations += sum(word_violations(source.tolist(), target.tolist(), *starts,
                                                piece_plan))
        n = len(example["inputs"])
        assert example["inputs"][-1] == EOS_ID and example["tags"][-1] == 1
        assert len(example["tags"]) == len(example["pointers"]) == n
        assert sorted(example["pointers"]) == list(range(n))  # a permutation, for Sinkhorn
        assert example["decoder_targets"][-1] == EOS_ID
        plan = _plan_of(example, tiny_vocab)
        assert realise(example["inputs"][:-1].tolist(), plan) == example["targets"][:-1].tolist()
    assert piece_violations > 0  # what word-aware conversion avoids
    # The statistics tool (Python encoder) sees the same pieces and the same failures.
    stats = edit_split_stats("gec_jfleg", "validation", tiny_vocab).stats
    assert (stats.pairs, stats.failures) == (754, skipped)
    assert (stats.inside_word_insertion_share, stats.partly_deleted_word_share) == (0, 0)
    pieces = edit_split_stats("gec_jfleg", "validation", tiny_vocab, word_aware=False).stats
    assert pieces.inside_word_insertion_share > 0 and pieces.partly_deleted_word_share > 0
    assert pieces.mean_inserted_tokens < stats.mean_inserted_tokens


def test_word_aware_is_the_edit_task_default_and_can_be_turned_off(tmp_path, tiny_vocab):
    path = tmp_path / "suffix.tsv"
    path.write_text("he walk to school\the walks to school\n", encoding="utf-8")
    register_parallel_task("user_suffix", validation=str(path))
    plans = {}
    for word_aware in (True, False):
        task = register_edit_task("user_suffix", word_aware=word_aware)
        (example,) = task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator()
        plans[word_aware] = plan = _plan_of(example, tiny_vocab)
        source = example["inputs"][:-1].tolist()
        assert realise(source, plan) == example["targets"][:-1].tolist()
    vocabulary = task.output_features["inputs"].vocabulary
    assert [vocabulary.decode([i]) for i in source] == "he walk to school".split()  # 1 piece each
    inserted = [vocabulary.decode(list(span)) for _, span in plans[True].insertions]
    assert plans[True].tags == (1, 0, 1, 1) and inserted == ["walks"]
    # Piece-level: "walks" is "▁walk s" in the tiny vocabulary, so "▁walk" is kept and "s" inserted.
    assert plans[False].tags == (1, 1, 1, 1)


def test_pairs_needing_too_many_positions_are_counted_not_silently_dropped(caplog):
    SKIPPED.reset()
    pairs = [
        (PAPER_SOURCE, PAPER_TARGET),  # needs <pos_0> and <pos_2>: 3 positions
        ([A, LONG, USER], [A, LONG, USER, THE]),  # needs <pos_3>: 4 positions
        ([A], [A]),
    ]
    with caplog.at_level("WARNING"):
        examples = _run_preprocessor(pairs, _manifest(3), label="tiny")
    assert [e["inputs"].tolist() for e in examples] == [PAPER_FEATURES["inputs"], [A, EOS_ID]]
    assert SKIPPED.get("tiny", TOO_MANY_POSITIONS) == 1
    assert "needs <pos_3>, i.e. 4 position tokens, but only 3" in caplog.text


def test_examples_longer_than_the_feature_lengths_are_filtered_and_counted():
    SKIPPED.reset()
    examples = _run_preprocessor([(PAPER_SOURCE, PAPER_TARGET), ([A], [A])], _manifest(8))
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(examples),
        output_signature={k: tf.TensorSpec([None], tf.int32) for k in examples[0]})
    kept = list(filter_edit_lengths(dataset, {"inputs": 4, "decoder_targets": 6},
                                    label="short").as_numpy_iterator())
    assert [e["inputs"].tolist() for e in kept] == [[A, EOS_ID]]
    assert SKIPPED.get("short", INPUTS_TOO_LONG) == 1
    assert len(list(filter_edit_lengths(dataset, None).as_numpy_iterator())) == 2


def test_edit_stats_tool_prints_every_split(tiny_vocab, capsys):
    from textedit.cli.main import main as cli

    assert cli(["data", "--edit_stats", "edit5_gec_jfleg", "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "vocabulary: using" in out  # the tiny vocabulary as it is, not retrained
    assert "== edit5_gec_jfleg / validation" in out and "pairs                 754" in out
    for line in ("conversion failures", "mean inserted tokens", "kept share", "re-ordered pairs",
                 "inserted tokens histogram", "decoder steps/pair", "-- example 2"):
        assert line in out
    assert "source  " in out and "{+" in out and "[-" in out  # a readable alignment
    assert "== edit5_gec_jfleg / test: absent" in out


def test_edit_stats_reports_the_position_tokens_a_failed_pair_needs(tiny_vocab):
    few = dataclasses.replace(tiny_vocab, num_position_tokens=8)
    stats = edit_split_stats("gec_jfleg", "validation", few).stats
    assert stats.failures > 0 and stats.max_positions_needed > 8
    assert f"needs {stats.failure_examples[0].positions_needed} > 8" in stats.format()
