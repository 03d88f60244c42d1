"""LMCor tasks over a candidate file of real JFLEG text: inputs with one-id separators, the base
task's metrics given the original source, and the EdiT5 twin's conversion round-tripping over the
concatenated candidates (piece ids, word-aware, sentinels as words of their own)."""

import numpy as np
import pytest
import seqio

import tasks  # noqa: F401  (registers gec_jfleg)
from tasks.lmcor import register_lmcor_task
from textedit.data.data_dir import data_path
from textedit.data.edit5.edit_features import plan_from_features
from textedit.data.edit5.edit_preprocessors import SKIPPED, TOO_MANY_POSITIONS
from textedit.data.readers.candidates_reader import CandidateExample, write_candidates
from textedit.data.readers.line_aligned_reader import read_line_aligned
from textedit.data.vocab.vocabulary import EOS_ID, sentinel_table, word_start_table
from textedit.edits import DELETE, convert_words, realise, word_violations

N = 16


def _candidate_file(tmp_path):
    """The first N JFLEG dev sentences: references 1-3 as candidates, reference 0 as target."""
    examples = read_line_aligned(data_path("gec/jfleg.dev.src"),
                                 [data_path(f"gec/jfleg.dev.ref{i}") for i in range(4)])[:N]
    path = tmp_path / "jfleg_candidates.jsonl"
    write_candidates(path, [CandidateExample(e.source, e.references[1:], e.references[:1])
                            for e in examples])
    return path, examples


def _round_trip(row, vocab):
    """(source ids, target ids, plan) of an EdiT5 twin's row; the plan must realise the target."""
    source, target = row["inputs"][:-1].tolist(), row["targets"][:-1].tolist()
    plan = plan_from_features(
        row["tags"], row["pointers"], row["decoder_targets"], num_inputs=len(row["inputs"]),
        first_position_id=vocab.position_id(0), num_position_tokens=vocab.num_position_tokens,
        eos_id=EOS_ID)
    assert realise(source, plan) == target
    return source, target, plan


def test_lmcor_task_inputs_metrics_and_edit_twin(tmp_path, tiny_vocab):
    path, examples = _candidate_file(tmp_path)
    task = register_lmcor_task("gec_jfleg", validation=path)
    assert task.name == "lmcor_gec_jfleg"
    assert task.metric_fns == seqio.get_mixture_or_task("gec_jfleg").metric_fns
    vocabulary = task.output_features["inputs"].vocabulary
    separators = [vocabulary.encode(f"<extra_id_{i}>") for i in range(3)]
    assert all(len(ids) == 1 for ids in separators)  # one id each
    separator_ids = [ids[0] for ids in separators]
    table = word_start_table(vocabulary)
    assert table[separator_ids].all()  # each a word of its own
    sentinels = sentinel_table(vocabulary)
    assert sentinels[separator_ids].all() and sentinels.sum() == 100  # the 100 T5 sentinels

    rows = list(task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator())
    assert len(rows) == N
    first = rows[0]
    assert [i for i in first["inputs"].tolist() if i in separator_ids] == separator_ids
    target = task.postprocess_fn(first["targets_pretokenized"], example=first, is_target=True)
    assert target == {"source": examples[0].source, "references": [examples[0].references[0]]}

    SKIPPED.reset()
    edit_task = register_lmcor_task("gec_jfleg", validation=path, edit5=True)
    assert edit_task.name == "edit5_lmcor_gec_jfleg"
    edit_rows = list(edit_task.get_dataset(None, split="validation", shuffle=False)
                     .as_numpy_iterator())
    assert len(edit_rows) + SKIPPED.get(edit_task.name, TOO_MANY_POSITIONS) == N
    assert len(edit_rows) >= N // 2
    copied_after_separator = 0
    for row in edit_rows:
        source, target, plan = _round_trip(row, tiny_vocab)
        positions = [j for j, i in enumerate(source) if i in separator_ids]
        assert len(positions) == 3 and all(plan.tags[j] == DELETE for j in positions)
        starts = table[np.asarray(source)].tolist(), table[np.asarray(target)].tolist()
        assert word_violations(source, target, *starts, plan) == (0, 0)
        copied_after_separator += sum(t != DELETE for t in plan.tags[positions[0]:])
        # The source's words are preferred: its tags are those of converting it alone.
        x = source[:positions[0]]
        alone = convert_words(x, target, table[np.asarray(x)].tolist(), starts[1],
                              min_moved_run=2)
        assert plan.tags[:len(x)] == alone.tags
    assert copied_after_separator > 0


def test_edit_twin_without_borrowing_inserts_what_the_source_lacks(tmp_path, tiny_vocab):
    """borrow_from_candidates=False: every plan round-trips, keeps no candidate piece, and is
    the plan of converting the source alone (tags and inserted words)."""
    path, _ = _candidate_file(tmp_path)
    with pytest.raises(ValueError, match="needs prefer_source"):
        register_lmcor_task("gec_jfleg", validation=path, edit5=True, prefer_source=False,
                            borrow_from_candidates=False)
    SKIPPED.reset()
    edit_task = register_lmcor_task("gec_jfleg", validation=path, edit5=True,
                                    borrow_from_candidates=False)
    rows = list(edit_task.get_dataset(None, split="validation", shuffle=False)
                .as_numpy_iterator())
    assert len(rows) + SKIPPED.get(edit_task.name, TOO_MANY_POSITIONS) == N
    assert len(rows) >= N // 2
    table = word_start_table(edit_task.output_features["inputs"].vocabulary)
    sentinels = sentinel_table(edit_task.output_features["inputs"].vocabulary)
    inserted = 0
    for row in rows:
        source, target, plan = _round_trip(row, tiny_vocab)
        first = next(j for j, i in enumerate(source) if sentinels[i])
        assert all(tag == DELETE for tag in plan.tags[first:])
        x = source[:first]
        alone = convert_words(x, target, table[np.asarray(x)].tolist(),
                              table[np.asarray(target)].tolist(), min_moved_run=2)
        assert plan.tags[:first] == alone.tags and plan.insertions == alone.insertions
        inserted += sum(len(span) for _, span in plan.insertions)
    assert inserted > 0


def test_cross_fit_tasks_leave_out_complementary_parts(tmp_path):
    from tasks.lmcor import register_cross_fit_task
    from tasks.user_data import register_parallel_task

    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"s{i}\tt{i}\n" for i in range(7)), encoding="utf-8")
    register_parallel_task("xfit_base", train=str(path))
    kept = {}
    for held_out in (0, 1):
        task = register_cross_fit_task("xfit_base", held_out, 2)
        assert seqio.get_mixture_or_task(f"edit5_xfit_base_xfit{held_out}of2").name
        rows = task.source.get_dataset("train", shuffle=False).as_numpy_iterator()
        kept[held_out] = [row["inputs"].decode() for row in rows]
    assert kept[0] == ["s1", "s3", "s5"] and kept[1] == ["s0", "s2", "s4", "s6"]
    shuffled = task.source.get_dataset("train", shuffle=True, seed=4).as_numpy_iterator()
    assert sorted(row["inputs"].decode() for row in shuffled) == kept[1]


def test_lmcor_task_reads_a_list_of_files_in_order(tmp_path, tiny_vocab):
    """Several candidate files of one split (the two cross-fitting halves) are read in order."""
    path, examples = _candidate_file(tmp_path)
    second = tmp_path / "second.jsonl"
    write_candidates(second, [CandidateExample("An other source .", ("a", "b", "c"), ("c",))])
    task = register_lmcor_task("gec_jfleg", train=[path, str(second)], validation=second)
    rows = list(task.source.get_dataset("train", shuffle=False).as_numpy_iterator())
    assert len(rows) == N + 1
    assert rows[0]["source"].decode() == examples[0].source
    assert rows[-1]["source"].decode() == "An other source ."


def test_long_inputs_keep_whole_candidates(tmp_path, tiny_vocab):
    path, examples = _candidate_file(tmp_path)
    task = register_lmcor_task("gec_jfleg", validation=path)
    vocabulary = task.output_features["inputs"].vocabulary
    sentinels = sentinel_table(vocabulary)
    full = list(task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator())
    length = 60
    fitted = list(task.get_dataset({"inputs": length, "targets": 64}, split="validation",
                                   shuffle=False).as_numpy_iterator())
    cut = 0
    for whole, fit in zip(full, fitted, strict=True):
        ids, kept = whole["inputs"].tolist(), fit["inputs"].tolist()
        if len(ids) <= length:  # fits: untouched
            assert kept == ids
            continue
        separators = [i for i, token in enumerate(ids) if sentinels[token]]
        if separators[0] > length - 1:  # the source alone is too long: left to SeqIO's trim
            assert kept == ids[:length]
            continue
        cut += 1
        # The source and whole candidates, up to the last separator that leaves room for EOS.
        end = max(p for p in separators if p <= length - 1)
        assert kept == ids[:end] + [EOS_ID]
        assert len(kept) <= length and sentinels[ids[end]]
    assert cut >= N // 2  # three JFLEG references as candidates exceed 60 pieces
