"""`textedit experiment mucoco`'s paired SARI differences (benchmarks/mucoco_experiment.py): the
same sentences as the experiment decodes, the task's own SARI, and an error when the orders
differ. The decoding itself is covered by tests/decoding/test_mucoco.py."""

import pytest

import tasks  # noqa: F401  (registers simplify_asset, as the command does)
from textedit.benchmarks.mucoco_experiment import differences_table, paired_sari
from textedit.data.dataset_catalog import VALIDATION, load_split
from textedit.metrics.sari import sari_score


def test_paired_sari_compares_each_mucoco_row_with_greedy_and_rerank_on_the_same_sentences():
    examples = load_split("simplify_asset", VALIDATION).examples[:40]
    sources = [e.source for e in examples]
    references = [list(e.references) for e in examples]
    first_reference = [refs[0] for refs in references]
    predictions = {"greedy": sources, "rerank": first_reference,
                   "mucoco P=0.5": first_reference}
    found = paired_sari("simplify_asset", sources, predictions, resamples=50, log=lambda _: None)
    assert [(task, name) for task, name, _ in found] == [
        ("simplify_asset", "mucoco P=0.5 − greedy"), ("simplify_asset", "mucoco P=0.5 − rerank")]
    against_greedy, against_rerank = (d for _, _, d in found)
    copy_sari = sari_score(sources, sources, references)["sari"]
    reference_sari = sari_score(sources, first_reference, references)["sari"]
    assert against_greedy.a == pytest.approx(reference_sari)
    assert against_greedy.b == pytest.approx(copy_sari)
    assert against_greedy.low <= against_greedy.difference <= against_greedy.high
    assert against_greedy.difference > 5  # a human simplification beats copying
    assert (against_rerank.difference, against_rerank.low, against_rerank.high) == (0, 0, 0)
    table = differences_table(found)
    assert "| simplify_asset | mucoco P=0.5 − greedy | +" in table and "50 bootstrap" in table


def test_paired_sari_refuses_sentences_in_another_order():
    examples = load_split("simplify_asset", VALIDATION).examples[:5]
    sources = [e.source for e in examples][::-1]
    with pytest.raises(ValueError, match="not in the order"):
        paired_sari("simplify_asset", sources, {"greedy": sources, "rerank": sources},
                    resamples=5, log=lambda _: None)
