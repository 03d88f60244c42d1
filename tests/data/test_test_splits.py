"""Test splits of the built-in tasks: read from the published test files when they are present.

The shared data directory holds no test set (its README: "test sets ... are kept apart"), so these
tests write small files in the published formats into a temporary data directory, point the
project at it (`set_data_dir`) and check each task's `test` split against counts and first lines
computed here from the raw files; a split whose files are absent stays declared but reads as
absent (DataFileNotFoundError, "absent: <file>" in the task table), as gec_jfleg's test does.
"""

import gzip
import json

import pytest
import seqio

import tasks  # noqa: F401  (registers the tasks)
from textedit.data import dataset_catalog
from textedit.data.data_dir import DataFileNotFoundError, set_data_dir
from textedit.data.dataset_catalog import TEST, TRAIN, VALIDATION, load_split
from textedit.metrics import task_evaluation

N_ASSET, N_TURK, N_WIKISPLIT, N_BISECT = 7, 6, 5, 4

WORDS = ("committee council river museum village teacher garden report engine harbour "
         "festival doctor mountain library station").split()


def _sentence(i, variant=0):
    a, b = WORDS[i % len(WORDS)], WORDS[(3 * i + variant + 1) % len(WORDS)]
    return f"The {a} of the town , which was built in {1800 + i} , replaced the old {b} ."


def _simple(i, variant):
    a, b = WORDS[i % len(WORDS)], WORDS[(i + variant + 2) % len(WORDS)]
    return f"The {a} was built in {1800 + i}{' .' if variant % 2 else '.'} It replaced a {b}."


def _write_lines(path, lines, final_newline=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")


def _write_gz(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


# FCE: one essay per line; newlines are sentence boundaries, so each line of `text` is a sentence
# and the counts below need no sentence splitter.
FCE_ESSAYS = [
    ("I have just recieved the letter .\nI am very happy to go there .\nThank you .",
     [("recieved", "received"), ("very ", "")]),
    ("Dear Sir\nThe show was not good and we were angry .",
     [("was not good", "was bad")]),
]
FCE_FIRST_TARGET = "I have just received the letter ."


def _fce_line(text, replacements, essay_id):
    edits = []
    for old, new in replacements:
        start = text.index(old)
        edits.append([start, start + len(old), new, "R"])
    return json.dumps({"text": text, "edits": [[0, edits]], "id": essay_id})


def _write_test_files(root, *, asset=True, asset_refs=10, turk=True, wikisplit=True,
                      bisect_dst=True, fce=True):
    simp = root / "simplification"
    if asset:  # ASSET's files end without a final newline
        _write_lines(simp / "asset.test.orig", [_sentence(i) for i in range(N_ASSET)], False)
        for r in range(asset_refs):
            _write_lines(simp / f"asset.test.simp.{r}",
                         [_simple(i, r) for i in range(N_ASSET)], False)
    if turk:
        _write_lines(simp / "turk.test.norm", [_sentence(i).lower() for i in range(N_TURK)])
        for r in range(8):
            _write_lines(simp / f"turk.test.turk.{r}",
                         [_simple(i, r).lower() for i in range(N_TURK)])
    fusion = root / "fusion"
    if wikisplit:
        _write_lines(fusion / "wikisplit.test.tsv", [
            f"{_sentence(i)}\t{_simple(i, 0).replace('. It', '. <::::> It')}"
            for i in range(N_WIKISPLIT)])
    _write_gz(fusion / "bisect.test.src.gz", [_sentence(i, 1) for i in range(N_BISECT)])
    if bisect_dst:
        _write_gz(fusion / "bisect.test.dst.gz",
                  [_simple(i, 1).replace(". It", ". <SEP> It") for i in range(N_BISECT)])
    if fce:
        _write_lines(root / "gec" / "fce.test.json",
                     [_fce_line(t, e, f"T{k}") for k, (t, e) in enumerate(FCE_ESSAYS)])
    _write_lines(root / "math" / "gsm8k.test.jsonl", [json.dumps(
        {"question": f"Tom has {n} apples and eats 2. How many are left?",
         "answer": f"Tom has {n} - 2 = <<{n}-2={n - 2}>>{n - 2} apples left.\n#### {n - 2}"})
        for n in (5, 9, 12)])
    return root


@pytest.fixture(scope="module")
def test_data(tmp_path_factory):
    return _write_test_files(tmp_path_factory.mktemp("data_with_tests"))


@pytest.fixture
def in_data_dir():
    """Calls `set_data_dir(path)`; the default data directory comes back afterwards."""
    yield set_data_dir
    set_data_dir(None)


def _lines(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def _collapse(text):
    return " ".join(text.split())


def _expected(root, task):
    """(count, first source, first references) computed from the raw test files."""
    if task in ("simplify_asset", "simplify_turk"):
        stem, src, refs = (("asset", "orig", [f"simp.{r}" for r in range(10)])
                           if task == "simplify_asset"
                           else ("turk", "norm", [f"turk.{r}" for r in range(8)]))
        base = root / "simplification"
        sources = _lines(base / f"{stem}.test.{src}")
        return (len(sources), sources[0].strip(),
                [_lines(base / f"{stem}.test.{r}")[0].strip() for r in refs])
    if task == "fusion_wikisplit":
        lines = _lines(root / "fusion" / "wikisplit.test.tsv")
        complex_sentence, split = lines[0].split("\t")
        return len(lines), _collapse(split.replace("<::::>", " ")), [_collapse(complex_sentence)]
    if task == "fusion_bisect":
        src = _lines(root / "fusion" / "bisect.test.src.gz")
        dst = _lines(root / "fusion" / "bisect.test.dst.gz")
        assert len(src) == len(dst)
        return len(src), _collapse(dst[0].replace("<SEP>", " ")), [_collapse(src[0])]
    if task == "gec_wi_fce":
        essays = [json.loads(line) for line in _lines(root / "gec" / "fce.test.json")]
        count = sum(len([s for s in e["text"].split("\n") if s.strip()]) for e in essays)
        return count, essays[0]["text"].split("\n")[0], [FCE_FIRST_TARGET]
    raise KeyError(task)


TEST_TASKS = ["simplify_asset", "simplify_turk", "fusion_wikisplit", "fusion_bisect",
              "gec_wi_fce"]


def _references(example):
    return [r.decode() for r in example["references"]]


@pytest.mark.parametrize("task", TEST_TASKS)
def test_test_split_matches_the_raw_files(task, test_data, in_data_dir):
    in_data_dir(test_data)
    count, source, references = _expected(test_data, task)
    assert dataset_catalog.TEST in seqio.get_mixture_or_task(task).splits
    split = task_evaluation.read_split(task, TEST)
    assert len(split) == count
    first = split.examples[0]
    assert first["inputs_pretokenized"].decode() == source
    assert _references(first) == references
    assert first["targets_pretokenized"].decode() == references[0]
    loaded = load_split(task, TEST)
    assert len(loaded.examples) == count and loaded.removed_overlap == 0
    assert all(str(test_data) in f and ".test." in f for f in loaded.files)


def test_expected_sizes_of_the_written_files(test_data, in_data_dir):
    """The independent counts above are the sizes written, not something the readers chose."""
    assert [_expected(test_data, t)[0] for t in TEST_TASKS] == [
        N_ASSET, N_TURK, N_WIKISPLIT, N_BISECT, 5]
    assert len(_expected(test_data, "simplify_asset")[2]) == 10
    assert len(_expected(test_data, "simplify_turk")[2]) == 8


def test_shares_and_edit_twins_have_the_base_test_split(test_data, in_data_dir):
    in_data_dir(test_data)
    base = task_evaluation.read_split("fusion_wikisplit", TEST)
    for name in ("fusion_wikisplit_1pct", "fusion_wikisplit_10pct", "edit5_fusion_wikisplit",
                 "edit5_fusion_wikisplit_1pct"):
        twin = task_evaluation.read_split(name, TEST)
        assert twin.sources() == base.sources() and twin.targets == base.targets, name
    for task in TEST_TASKS:
        edit = task_evaluation.read_split("edit5_" + task, TEST)
        assert edit.sources() == task_evaluation.read_split(task, TEST).sources()


# (task, what the partial data directory leaves out, the first file reported missing)
ABSENT = [
    ("simplify_asset", {"asset_refs": 9}, "simplification/asset.test.simp.9"),
    ("simplify_turk", {"turk": False}, "simplification/turk.test.norm"),
    ("fusion_wikisplit", {"wikisplit": False}, "fusion/wikisplit.test.tsv"),
    ("fusion_bisect", {"bisect_dst": False}, "fusion/bisect.test.dst.gz"),
    ("gec_wi_fce", {"fce": False}, "gec/fce.test.json"),
]


@pytest.mark.parametrize("task,missing,path", ABSENT)
def test_absent_test_files_make_an_absent_split(task, missing, path, tmp_path, in_data_dir):
    from textedit.cli.task_stats import task_split_stats

    root = _write_test_files(tmp_path, **missing)
    in_data_dir(root)
    with pytest.raises(DataFileNotFoundError) as error:
        load_split(task, TEST)
    assert error.value.path == root / path
    with pytest.raises(DataFileNotFoundError, match="TEXTEDIT_DATA_DIR"):
        task_evaluation.read_split("edit5_" + task, TEST)
    # The task table lists it as absent, naming the file (train / validation are absent too here).
    rows = {row.split: row for row in task_split_stats(task)}
    assert rows[TEST].note == f"absent: {root / path}"


def test_task_table_counts_a_present_test_split(test_data, in_data_dir, tiny_vocab):
    from textedit.cli.task_stats import format_row, task_split_stats

    in_data_dir(test_data)
    rows = {row.split: row for row in task_split_stats("simplify_turk")}
    assert rows[TEST].examples == N_TURK and rows[TEST].note == ""
    assert rows[TRAIN].note.startswith("absent: ")  # only test files in this directory
    assert f"{N_TURK:>8,}" in format_row(rows[TEST])


def test_copy_baseline_metrics_on_a_test_split(test_data, in_data_dir):
    from textedit.metrics import bleu_score, sari_score

    in_data_dir(test_data)
    split = task_evaluation.read_split("simplify_asset", TEST)
    sources = split.sources()
    results = {r.name: r.scores for r in task_evaluation.score(split, sources)}
    assert set(results) == {"sari", "bleu"}
    raw_sources = [s.strip() for s in _lines(test_data / "simplification/asset.test.orig")]
    raw_refs = [[_lines(test_data / f"simplification/asset.test.simp.{r}")[i].strip()
                 for r in range(10)] for i in range(N_ASSET)]
    direct = sari_score(raw_sources, raw_sources, raw_refs)
    assert results["sari"] == pytest.approx(direct)
    assert results["bleu"] == pytest.approx(bleu_score(raw_sources, raw_sources, raw_refs))
    assert 0 < results["sari"]["sari"] < 100


def test_fce_test_is_scored_with_errant_from_its_references(test_data, in_data_dir):
    """W&I dev is scored against its gold M2; FCE test (JSON) against edits ERRANT extracts."""
    from textedit.metrics import errant_score

    in_data_dir(test_data)
    split = task_evaluation.read_split("gec_wi_fce", TEST)
    sources = split.sources()
    references = [t["references"] for t in split.targets]
    predictions = [references[0][0]] + sources[1:]  # the first sentence corrected, others copied
    results = {r.name: r.scores for r in task_evaluation.score(split, predictions, ["errant"])}
    direct = errant_score(sources, predictions, references, tokenise=True)
    assert results["errant"] == pytest.approx(direct)
    assert direct["errant_tp"] == 1 and direct["errant_fn"] == 2  # recieved; "very", "not good"


def test_gsm8k_reader_reads_the_test_file(test_data, in_data_dir):
    from textedit.data import readers

    path = test_data / "math" / "gsm8k.test.jsonl"
    examples = readers.read_gsm8k(path)
    raw = [json.loads(line) for line in _lines(path)]
    assert len(examples) == len(raw) == 3
    assert examples[0].question == raw[0]["question"] and examples[0].final_answer == "3"
    # The gsm8k task's test split is that file.
    in_data_dir(test_data)
    assert dataset_catalog.TEST in seqio.get_mixture_or_task("gsm8k").splits
    split = task_evaluation.read_split("gsm8k", TEST)
    assert len(split) == 3 and split.sources()[0] == raw[0]["question"]


def test_vocabulary_reads_train_splits_only(monkeypatch):
    """No test (or validation) file is a vocabulary training file, and `training_texts` asks
    the catalog for `train` splits only."""
    from textedit.data.data_dir import get_data_dir
    from textedit.data.vocab import vocabulary_corpus

    root = get_data_dir()
    held_out, train = set(), set()
    for spec in dataset_catalog.DATASETS.values():
        for split in spec.splits:
            (train if split == TRAIN else held_out).update(str(root / f) for f in spec.files(split))
    test_files = {str(root / f) for spec in dataset_catalog.DATASETS.values()
                  if TEST in spec.splits for f in spec.files(TEST)}
    assert {"asset.test.orig", "turk.test.norm", "wikisplit.test.tsv", "bisect.test.src.gz",
            "fce.test.json", "jfleg.test.src", "conll14.test.m2"} <= {
                f.rsplit("/", 1)[1] for f in test_files}
    assert not test_files & train
    assert not (held_out - train) & {str(p) for p in vocabulary_corpus.training_files()}

    asked, extra = [], []
    monkeypatch.setattr(dataset_catalog, "load_split",
                        lambda name, split, **_: asked.append(split) or
                        dataset_catalog.LoadedSplit([], []))
    monkeypatch.setattr(vocabulary_corpus.readers, "read_gsm8k",
                        lambda path, skip=None: extra.append(str(path)) or [])
    monkeypatch.setattr(vocabulary_corpus.readers, "read_hh_preferences",
                        lambda path, skip=None: extra.append(str(path)) or [])
    assert list(vocabulary_corpus.training_texts()) == []
    assert asked and set(asked) == {TRAIN}
    assert extra and all(".test." not in f and "validation" not in f for f in extra)
    assert not {VALIDATION, TEST} & set(asked)
