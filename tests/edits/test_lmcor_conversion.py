"""EdiT5 conversion over LMCor inputs (source <extra_id_0> c_1 ... c_k) on real JFLEG text.

The candidates are real corrections of each JFLEG dev sentence (references 1-3: human outputs,
standing in for a generator's; reference 0 is the target). Every pair must round-trip
(realise(convert(input, target)) == target), the separators must always be deleted, and pointing
over the candidates must need fewer inserted words than editing the source alone: the corrector's
pointer copies words from the candidates.
"""

from textedit.data.data_dir import data_path
from textedit.data.lmcor_inputs import assemble
from textedit.data.readers.line_aligned_reader import read_line_aligned
from textedit.edits import DELETE, convert, realise

MIN_MOVED_RUN = 2  # the edit tasks' default (tasks/edit_tasks.py)


def _jfleg_dev():
    return read_line_aligned(data_path("gec/jfleg.dev.src"),
                             [data_path(f"gec/jfleg.dev.ref{i}") for i in range(4)])


def _inserted_words(plan) -> int:
    return sum(len(span) for _, span in plan.insertions)


def test_conversion_over_concatenated_candidates_round_trips_and_copies_from_them():
    examples = _jfleg_dev()
    assert len(examples) == 754
    inserted_lmcor = inserted_source = kept_from_candidates = 0
    for example in examples:
        target = example.references[0].split()
        tokens = assemble(example.source, example.references[1:]).split()
        plan = convert(tokens, target, min_moved_run=MIN_MOVED_RUN)
        assert realise(tokens, plan) == target, example.source
        separators = [i for i, t in enumerate(tokens) if t.startswith("<extra_id_")]
        assert len(separators) == 3 and all(plan.tags[i] == DELETE for i in separators)
        kept_from_candidates += sum(tag != DELETE for tag in plan.tags[separators[0]:])
        inserted_lmcor += _inserted_words(plan)
        inserted_source += _inserted_words(
            convert(example.source.split(), target, min_moved_run=MIN_MOVED_RUN))
    assert kept_from_candidates > 0
    # Candidates hold most of the target's words: far fewer words to write than from the source.
    assert inserted_lmcor < 0.5 * inserted_source, (inserted_lmcor, inserted_source)
