"""`textedit experiment mucoco` (benchmarks/mucoco_experiment.py, cli/experiment_mucoco.py):
constraint sets from the flags, the paired SARI and satisfied-share differences on the same
sentences, and one whole run of a tiny random T5 run under two length sets, where greedy and
rerank are judged under each set's own bounds. The decoding itself is covered by
tests/decoding/test_mucoco.py and tests/decoding/test_constraint_rerank.py."""

import argparse
import json
import os

import numpy as np
import pytest
from run_dirs import built_tiny_t5, save_run

import tasks  # noqa: F401  (registers simplify_asset, as the command does)
from textedit.benchmarks.mucoco_experiment import (
    MucocoExperimentSettings,
    differences_table,
    paired_differences,
    paired_share_difference,
    run_mucoco_experiment,
)
from textedit.cli import experiment_mucoco
from textedit.data.dataset_catalog import VALIDATION, load_split
from textedit.metrics.sari import sari_score


def parse(*flags):
    parser = argparse.ArgumentParser()
    experiment_mucoco.add_arguments(parser)
    return parser.parse_args(["--model", "RUN", *flags])


def test_constraint_sets_come_from_constraints_flags_else_one_per_simple_bound():
    assert experiment_mucoco.constraint_sets(parse("--simple", "0.5", "0.9", "--close", "0.3")) \
        == (("simple:0.5", "close:0.3"), ("simple:0.9", "close:0.3"))
    args = parse("--constraints", "length:0.9", "close:0.8", "--constraints", "keyword:and")
    assert experiment_mucoco.constraint_sets(args) == (("length:0.9", "close:0.8"),
                                                       ("keyword:and",))
    assert parse("--simplifier", "OLD").model == "OLD"  # the flag's former name still works
    with pytest.raises(ValueError, match="expected one of"):
        experiment_mucoco.constraint_sets(parse("--constraints", "shorter:0.5"))


def test_the_command_refuses_simple_constraints_without_a_classifier():
    with pytest.raises(SystemExit, match="need --classifier"):
        experiment_mucoco.run(parse("--simple", "0.5"))


def test_paired_share_difference_is_the_difference_of_shares_with_an_interval():
    a = np.array([True] * 30 + [False] * 10)
    b = np.array([True] * 20 + [False] * 20)
    d = paired_share_difference(a, b, resamples=200)
    assert (d.a, d.b, d.difference) == pytest.approx((75.0, 50.0, 25.0))
    assert d.low <= 25.0 <= d.high and d.low > 0 and d.not_above == 0.0
    same = paired_share_difference(a, a, resamples=20)
    assert (same.difference, same.low, same.high) == (0, 0, 0)
    with pytest.raises(ValueError, match="one length"):
        paired_share_difference(a, b[:5], resamples=5)


def test_paired_differences_compare_mucoco_with_greedy_and_rerank_on_the_same_sentences():
    examples = load_split("simplify_asset", VALIDATION).examples[:40]
    sources = [e.source for e in examples]
    references = [list(e.references) for e in examples]
    first_reference = [refs[0] for refs in references]
    predictions = {"greedy": sources, "rerank": first_reference, "mucoco": first_reference}
    satisfied = {"greedy": np.zeros(40, bool), "rerank": np.arange(40) < 30,
                 "mucoco": np.arange(40) < 30}
    found = paired_differences("simplify_asset", "simple:0.5", sources, predictions, satisfied,
                               resamples=50, log=lambda _: None)
    assert [(task, label, name) for task, label, name, _, _ in found] == [
        ("simplify_asset", "simple:0.5", "mucoco − greedy"),
        ("simplify_asset", "simple:0.5", "mucoco − rerank")]
    (_, _, _, sari_greedy, share_greedy), (_, _, _, sari_rerank, share_rerank) = found
    assert sari_greedy.a == pytest.approx(sari_score(sources, first_reference, references)["sari"])
    assert sari_greedy.b == pytest.approx(sari_score(sources, sources, references)["sari"])
    assert sari_greedy.difference > 5  # a human simplification beats copying
    assert (sari_rerank.difference, sari_rerank.low, sari_rerank.high) == (0, 0, 0)
    assert share_greedy.difference == pytest.approx(75.0) and share_rerank.difference == 0
    table = differences_table(found)
    assert "| simplify_asset | simple:0.5 | mucoco − greedy | +" in table
    assert "| +75.0 [" in table and "50 bootstrap" in table


def test_paired_differences_refuse_sentences_in_another_order():
    examples = load_split("simplify_asset", VALIDATION).examples[:5]
    sources = [e.source for e in examples][::-1]
    with pytest.raises(ValueError, match="not in the order"):
        paired_differences("simplify_asset", "close:0.8", sources,
                           {m: sources for m in ("greedy", "rerank", "mucoco")},
                           {m: np.ones(5, bool) for m in ("greedy", "rerank", "mucoco")},
                           resamples=5, log=lambda _: None)


@pytest.fixture(scope="module")
def tiny_seq2seq_run(tiny_vocab, tmp_path_factory):
    model = built_tiny_t5(seed=0)
    run_dir = tmp_path_factory.mktemp("mucoco_experiment_run")
    save_run(run_dir, model, os.environ["TEXTEDIT_VOCAB_DIR"])
    return run_dir


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_experiment_judges_every_method_under_each_sets_own_bounds(tiny_seq2seq_run, tmp_path):
    sets = (("length:2.5",), ("length:1.0",))
    settings = MucocoExperimentSettings(
        model=str(tiny_seq2seq_run), tasks=("simplify_asset",), constraint_sets=sets,
        max_examples=6, batch_size=3, max_length=16, steps=3, resamples=20,
        length_offsets=(0, -2), out_dir=str(tmp_path))
    table = run_mucoco_experiment(settings, log=lambda _: None)
    for label in ("length:2.5", "length:1.0"):
        for method in ("greedy", "rerank", "mucoco"):
            assert f"| simplify_asset | {label} | {method} |" in table
        assert f"| simplify_asset | {label} | mucoco − rerank |" in table
    assert "called simple" not in table  # no classifier given
    assert "length offsets [0, -2]" in table
    greedy = {label: read_jsonl(tmp_path / f"simplify_asset.{label}.greedy.jsonl")
              for label in ("length:2.5", "length:1.0")}
    # Greedy is decoded once; each set judges it by its own bound (the random model's outputs
    # are longer than their sources: the loose set passes some, the tight one none).
    assert 0 < sum(r["satisfied"] for r in greedy["length:2.5"]) < 6
    assert not any(r["satisfied"] for r in greedy["length:1.0"])
    assert [r["output"] for r in greedy["length:2.5"]] == [r["output"]
                                                           for r in greedy["length:1.0"]]
    for label, bound in (("length:2.5", 2.5), ("length:1.0", 1.0)):
        for method in ("greedy", "rerank", "mucoco"):
            records = read_jsonl(tmp_path / f"simplify_asset.{label}.{method}.jsonl")
            assert len(records) == 6
            assert [r["satisfied"] for r in records] == [r["values"]["length"] <= bound + 1e-4
                                                         for r in records]
        # MuCoCO from greedy keeps every satisfying greedy output and finds more.
        mucoco = read_jsonl(tmp_path / f"simplify_asset.{label}.mucoco.jsonl")
        for before, after in zip(greedy[label], mucoco, strict=True):
            if before["satisfied"]:
                assert after == before
        assert sum(r["satisfied"] for r in mucoco) > sum(r["satisfied"] for r in greedy[label])
    assert (tmp_path / "table.md").read_text(encoding="utf-8") == table


def test_mucoco_from_the_experiments_reranked_beam_equals_its_own_start(tiny_seq2seq_run,
                                                                        tmp_path):
    """The experiment passes the beam it re-ranked as MuCoCO's start; mucoco_decode re-ranking
    its own beam gives the same outputs."""
    from textedit.benchmarks.mucoco_experiment import decode_outputs, encode_sources
    from textedit.decoding.constraint_specs import build_constraints
    from textedit.decoding.mucoco import MucocoSettings, mucoco_decode
    from textedit.runs.run_artifacts import load_run

    settings = MucocoExperimentSettings(
        model=str(tiny_seq2seq_run), tasks=("simplify_asset",), constraint_sets=(("length:1.0",),),
        max_examples=6, batch_size=3, max_length=16, steps=3, resamples=0, initial="rerank",
        out_dir=str(tmp_path))
    run_mucoco_experiment(settings, log=lambda _: None)
    written = [r["output"] for r in read_jsonl(tmp_path / "simplify_asset.length:1.0.mucoco.jsonl")]
    run = load_run(tiny_seq2seq_run)
    sources = [e.source for e in load_split("simplify_asset", VALIDATION).examples[:6]]
    encoded = encode_sources(run.vocabulary, sources, 16)
    constraints = build_constraints(["length:1.0"], run.model, run.vocabulary)
    own = np.concatenate([mucoco_decode(
        run.model, encoded[i:i + 3], 16, constraints,
        settings=MucocoSettings(steps=3, learning_rate=0.5, multiplier_learning_rate=3.0,
                                confidence=3.0, initial="rerank")).tokens for i in (0, 3)])
    assert written == decode_outputs(run.vocabulary, own)
