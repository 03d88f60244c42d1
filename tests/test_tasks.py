"""SeqIO tasks: registration, split sizes, non-overlapping splits, multi-reference evaluation,
absent test files, and user tasks from TSV / JSONL / line-aligned files (also via gin)."""

import json

import pytest
import seqio

import tasks
from tasks.registration import LOADED, SETTINGS
from tasks.user_data import register_parallel_task
from textedit.data.data_dir import DataFileNotFoundError
from textedit.data.dataset_catalog import DATASETS, TRAIN, VALIDATION, load_split
from textedit.data.readers.malformed_input import MalformedInputError

# Sizes from ../shared/data/README.md (validation splits that are whole published files).
PUBLISHED_VALIDATION = {
    "gec_wi_fce": 1037 + 1290 + 1069,
    "gec_jfleg": 754,
    "gec_conll": 1381,
    "fusion_wikisplit": 5000,
}


def test_every_builtin_task_is_registered_with_metrics_and_postprocessor():
    assert set(tasks.BUILTIN_TASKS) == {
        "gec_wi_fce", "gec_jfleg", "gec_conll", "fusion_wikisplit", "fusion_bisect",
        "simplify_asset", "simplify_turk", "clean_text"}
    for name in tasks.BUILTIN_TASKS:
        task = seqio.get_mixture_or_task(name)
        assert task.metric_fns and task.postprocess_fn is not None
        assert set(task.output_features) == {"inputs", "targets"}


@pytest.mark.parametrize("name", sorted(PUBLISHED_VALIDATION))
def test_validation_sizes_match_the_data_readme(name):
    assert len(load_split(name, VALIDATION).examples) == PUBLISHED_VALIDATION[name]


@pytest.mark.parametrize("name,published,references", [
    ("fusion_bisect", 9079, 1), ("simplify_asset", 2000, 10), ("simplify_turk", 2000, 8)])
def test_hash_split_covers_every_source_once(name, published, references):
    train = load_split(name, TRAIN)
    validation = load_split(name, VALIDATION).examples
    assert train.removed_overlap == 0
    # Train holds one example per reference of each train-side source.
    assert len(train.examples) == (published - len(validation)) * references
    assert 0.15 < len(validation) / published < 0.25
    assert all(len(e.references) == references for e in validation)


@pytest.mark.parametrize("name", [n for n, s in DATASETS.items() if TRAIN in s.splits])
def test_train_and_validation_never_share_a_source(name):
    train = load_split(name, TRAIN)
    validation = {e.source for e in load_split(name, VALIDATION).examples}
    assert train.examples and validation
    assert not validation & {e.source for e in train.examples}


def test_wi_fce_train_counts_everything_it_read():
    train = load_split("gec_wi_fce", TRAIN)
    wi_sentences = 10493 + 13032 + 10783
    # Every W&I and FCE training sentence is either kept or counted as removed.
    from textedit.data import readers
    from textedit.data.data_dir import data_path

    fce = len(readers.read_fce_pairs(data_path("gec/fce.train.json")))
    assert len(train.examples) + train.removed_overlap == wi_sentences + fce
    # Greetings, titles and prompt sentences shared with dev essays: a few hundred examples.
    assert 0 < train.removed_overlap < 0.02 * (wi_sentences + fce)


def test_absent_test_split_is_a_clear_error():
    task = seqio.get_mixture_or_task("gec_jfleg")
    with pytest.raises(DataFileNotFoundError, match=r"jfleg\.test\.src.*TEXTEDIT_DATA_DIR"):
        task.get_dataset(None, split="test", shuffle=False)


def test_multi_reference_validation_through_the_pipeline(tiny_vocab):
    task = seqio.get_mixture_or_task("gec_jfleg")
    examples = list(task.get_dataset(None, split="validation", shuffle=False).as_numpy_iterator())
    assert len(examples) == 754
    first = examples[0]
    assert first["inputs"][-1] == 1 and first["targets"][-1] == 1  # EOS appended
    target = task.postprocess_fn(first["targets_pretokenized"], example=first, is_target=True)
    assert len(target["references"]) == 4 and target["source"] == first[
        "inputs_pretokenized"].decode()
    targets = [task.postprocess_fn(e["targets_pretokenized"], example=e, is_target=True)
               for e in examples]
    predictions = [t["references"][2] for t in targets]  # a perfect system, via reference 2
    exact_match = next(fn for fn in task.metric_fns if fn.__name__ == "exact_match")
    scores = exact_match(targets, predictions)
    assert scores["exact_match"] == pytest.approx(100.0)


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def test_user_task_from_tsv_jsonl_and_line_aligned_files(tmp_path, tiny_vocab):
    train = _write(tmp_path / "train.tsv", ["he go home\the goes home", "ok\tok"])
    dev = _write(tmp_path / "dev.jsonl", [
        json.dumps({"source": "a apple", "target": ["an apple", "one apple"]})])
    test_src = _write(tmp_path / "test.src", ["she run", "fine"])
    test_ref = _write(tmp_path / "test.ref", ["she runs", "fine"])
    task = register_parallel_task(
        "user_test_task", train=train, validation=dev, test=(test_src, test_ref))
    assert set(task.splits) == {"train", "validation", "test"}
    got = {split: list(task.get_dataset(None, split=split, shuffle=False).as_numpy_iterator())
           for split in task.splits}
    assert [e["targets_pretokenized"] for e in got["train"]] == [b"he goes home", b"ok"]
    assert list(got["validation"][0]["references"]) == [b"an apple", b"one apple"]
    assert [e["inputs_pretokenized"] for e in got["test"]] == [b"she run", b"fine"]


def test_user_task_malformed_line_names_file_and_line(tmp_path):
    bad = _write(tmp_path / "bad.tsv", ["fine\tok", "no tab here"])
    task = register_parallel_task("user_bad_task", train=bad)
    with pytest.raises(MalformedInputError, match=r"bad\.tsv:2: expected source<TAB>target"):
        task.get_dataset(None, split="train", shuffle=False)
    SETTINGS.skip_bad_lines = True
    try:
        examples = list(task.get_dataset(None, split="train", shuffle=False).as_numpy_iterator())
        assert len(examples) == 1
        reports = [v.skipped for k, v in LOADED.items() if k[0] == "user_bad_task" and k[3]]
        assert reports and reports[0].skipped == 1 and "bad.tsv:2" in reports[0].examples[0]
    finally:
        SETTINGS.skip_bad_lines = False


def test_user_task_from_gin(tmp_path):
    import gin

    from textedit.cli import gin_configurables
    from textedit.cli.flags import split_gin_args

    train = _write(tmp_path / "train.tsv", ["a b\ta c"])
    configurable = gin_configurables.user_parallel_tasks_configurable()
    files, bindings, rest = split_gin_args(
        [f"--gin.user_parallel_tasks.tasks=[{{'name': 'user_gin_task', 'train': '{train}'}}]",
         "--other"])
    assert rest == ["--other"]
    try:
        gin_configurables.apply_gin(files, bindings)
        assert configurable() == ["user_gin_task"]
    finally:
        gin.clear_config()
    assert seqio.get_mixture_or_task("user_gin_task").splits == ("train",)


def test_task_table_rows(tiny_vocab, capsys):
    from textedit.cli.task_stats import print_task_table
    from textedit.data.data_dir import data_path

    rows = print_task_table(["gec_jfleg"])
    validation, test = rows
    src = [" ".join(x.split()) for x in data_path("gec/jfleg.dev.src").read_text().splitlines()]
    ref0 = [" ".join(x.split()) for x in data_path("gec/jfleg.dev.ref0").read_text().splitlines()]
    assert validation.examples == 754
    assert validation.unchanged_share == pytest.approx(
        sum(s == r for s, r in zip(src, ref0, strict=True)) / 754)
    assert 10 < validation.mean_source_pieces < 60
    assert test.note.startswith("absent: ") and test.note.endswith("jfleg.test.src")
    printed = capsys.readouterr().out
    assert "gec_jfleg" in printed and "754" in printed and "absent" in printed


def test_user_jsonl_rejects_non_string_targets(tmp_path):
    from textedit.data.readers.user_parallel_reader import read_jsonl_pairs

    bad = _write(tmp_path / "bad.jsonl", [
        json.dumps({"source": "a", "target": "b"}), json.dumps({"source": "a", "target": 5}),
        "not json", json.dumps({"source": "a", "target": ["x", 3]})])
    with pytest.raises(MalformedInputError, match=r"bad\.jsonl:2: expected a JSON object"):
        read_jsonl_pairs(bad)
    from textedit.data.readers.malformed_input import SkipReport

    skip = SkipReport()
    assert [e.references for e in read_jsonl_pairs(bad, skip=skip)] == [("b",)]
    assert skip.skipped == 3
