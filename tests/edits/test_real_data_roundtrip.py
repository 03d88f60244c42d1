"""The conversion invariant on every pair of the real data sets: realise(convert(s, t)) == t.

Word tokens (whitespace split). Multi-reference sets contribute one pair per reference. The whole
sweep (~130k pairs) converts in a few seconds, so it is part of the default run.
"""

import pytest

from textedit.data.data_dir import DataFileNotFoundError, data_path
from textedit.data.readers.fce_reader import read_fce_pairs
from textedit.data.readers.fusion_readers import read_bisect_fusion, read_wikisplit_fusion
from textedit.data.readers.line_aligned_reader import read_line_aligned
from textedit.data.readers.m2_reader import read_m2_references
from textedit.edits import convert, convert_all, edit_stats, realise


def every_reference(examples):
    return [(e.source, reference) for e in examples for reference in e.references]


def m2(*names):
    return every_reference([e for name in names for e in read_m2_references(data_path(name))])


def line_aligned(source, references):
    return every_reference(read_line_aligned(data_path(source), [data_path(r) for r in references]))


def pairs_of(examples):
    return [(e.source, e.target) for e in examples]


DATASETS = {
    "wi_train": lambda: m2("gec/wi.A.train.m2", "gec/wi.B.train.m2", "gec/wi.C.train.m2"),
    "wi_dev": lambda: m2("gec/wi.A.dev.m2", "gec/wi.B.dev.m2", "gec/wi.C.dev.m2"),
    "fce_train": lambda: pairs_of(read_fce_pairs(data_path("gec/fce.train.json"))),
    "jfleg_dev": lambda: line_aligned(
        "gec/jfleg.dev.src", [f"gec/jfleg.dev.ref{i}" for i in range(4)]
    ),
    "conll13": lambda: m2("gec/conll13.test.m2"),
    "asset_valid": lambda: line_aligned(
        "simplification/asset.valid.orig",
        [f"simplification/asset.valid.simp.{i}" for i in range(10)],
    ),
    "turk_tune": lambda: line_aligned(
        "simplification/turk.tune.norm", [f"simplification/turk.tune.turk.{i}" for i in range(8)]
    ),
    "wikisplit_fusion": lambda: pairs_of(
        read_wikisplit_fusion(data_path("fusion/wikisplit.tune.tsv"))
        + read_wikisplit_fusion(data_path("fusion/wikisplit.validation.tsv"))
    ),
    "bisect_fusion": lambda: pairs_of(
        read_bisect_fusion(
            data_path("fusion/bisect.valid.src.gz"), data_path("fusion/bisect.valid.dst.gz")
        )
    ),
}
# Pairs each set must yield (references counted), so a reader that silently loses lines fails here.
MINIMUM_PAIRS = {
    "wi_train": 34_308,
    "wi_dev": 3_396,
    "fce_train": 28_000,
    "jfleg_dev": 4 * 754,
    "conll13": 1_381,
    "asset_valid": 10 * 2_000,
    "turk_tune": 8 * 2_000,
    "wikisplit_fusion": 10_000,
    "bisect_fusion": 9_079,
}


def load_word_pairs(name):
    try:
        pairs = DATASETS[name]()
    except DataFileNotFoundError as error:
        pytest.skip(str(error))
    return [(source.split(), target.split()) for source, target in pairs]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_pair_round_trips(name):
    pairs = load_word_pairs(name)
    assert len(pairs) >= MINIMUM_PAIRS[name]
    failures = []
    for index, (source, target) in enumerate(pairs):
        plan = convert(source, target)
        if realise(source, plan) != target:
            failures.append((index, " ".join(source), " ".join(target)))
    assert not failures, f"{len(failures)} of {len(pairs)} pairs do not round-trip: {failures[:3]}"


def test_pairs_needing_too_many_positions_are_reported_not_dropped():
    pairs = load_word_pairs("wi_dev")
    max_positions = 16
    report = convert_all(pairs, max_positions=max_positions)
    assert len(report.plans) == len(pairs)
    unlimited = [convert(source, target) for source, target in pairs]
    too_long = [i for i, plan in enumerate(unlimited) if plan.positions_needed() > max_positions]
    assert too_long  # W&I dev has insertions after the 16th kept word
    assert [f.index for f in report.failures] == too_long
    assert all(f.positions_needed > max_positions for f in report.failures)
    assert all((report.plans[i] is None) == (i in set(too_long)) for i in range(len(pairs)))
    assert edit_stats(pairs, report).failures == len(too_long)
