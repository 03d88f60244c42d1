"""`textedit benchmark latency` (textedit/benchmarks/latency.py): forced decoding lengths, gold
lengths, statistics and the report, on tiny models (no timing assertions)."""

import dataclasses
import json

import keras
import numpy as np
import pytest

from textedit.benchmarks import latency
from textedit.benchmarks.latency import (
    SKIP_POSITIONS,
    SKIP_TOO_LONG,
    LatencyExample,
    TimedModel,
    cut_at_eos,
    decoder_steps,
    latency_summary,
    pad_batch,
    prepare_examples,
)
from textedit.data.edit5.edit_features import plan_to_features
from textedit.edits import convert
from textedit.models import T5Config, T5EncoderDecoder
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model

# Ids 3 .. 32 are <pos_0> .. <pos_29>, 33 .. 47 words: an untrained insertion decoder picks
# position tokens often, so forcing has to work together with the position constraint.
VOCAB, FIRST_POSITION, POSITIONS, WORDS = 48, 3, 30, np.arange(33, 48)


def test_latency_summary_on_known_numbers():
    summary = latency_summary([i / 1000 for i in range(1, 21)])  # 1 .. 20 ms
    assert summary["count"] == 20
    assert summary["mean_ms"] == pytest.approx(10.5)
    assert summary["median_ms"] == pytest.approx(10.5)
    assert summary["p95_ms"] == pytest.approx(19.05)  # 19 + 0.05 * (20 - 19), linear
    assert (summary["min_ms"], summary["max_ms"]) == pytest.approx((1.0, 20.0))
    assert latency_summary([0.004, 0.002, 0.003])["p95_ms"] == pytest.approx(3.9)


def test_decoder_steps_count_through_the_first_eos():
    tokens = np.array([[5, 6, 1, 0], [1, 0, 0, 0], [5, 0, 6, 7], [7, 1, 9, 1]])
    assert decoder_steps(tokens).tolist() == [3, 1, 4, 2]
    assert cut_at_eos(tokens) == [[5, 6], [], [5, 0, 6, 7], [7]]


def test_prepare_examples_gold_lengths_buckets_and_skips():
    pairs = [
        ([40, 41, 42], [40, 41, 42]),  # copy: insertion target is EOS alone
        ([40, 41, 42], [44, 40, 42, 45, 46]),  # insert, delete, insert
        (list(range(33, 47)), [33]),  # 15 input positions
        ([40] * 20, [40] * 20),  # longer than the largest bucket
        ([40, 41, 42, 43, 44], [40, 41, 42, 43, 44, 45]),  # needs <pos_5>, only 4 here
    ]
    examples, skipped = prepare_examples(pairs, buckets=[16, 8], num_position_tokens=5,
                                         first_position_id=FIRST_POSITION)
    assert skipped == {SKIP_TOO_LONG: 1, SKIP_POSITIONS: 1}
    assert len(examples) == 3
    for example, (source, target) in zip(examples, pairs, strict=False):
        plan = convert(source, target)
        gold = plan_to_features(plan, position_id=lambda k: FIRST_POSITION + k, eos_id=1)
        assert example.source.tolist() == [*source, 1]
        assert example.target_steps == len(target) + 1
        assert example.insertion_steps == len(gold["decoder_targets"])
    assert [e.insertion_steps for e in examples[:2]] == [1, 6]  # <pos_0> 44 <pos_2> 45 46 EOS
    assert [e.bucket for e in examples] == [8, 8, 16]


@pytest.fixture(scope="module")
def tiny_models():
    def t5(**layers):
        return T5Config.named("tiny", vocab_size=VOCAB, dropout_rate=0.0, **layers)

    keras.utils.set_random_seed(3)
    edit5 = Edit5Model(Edit5Config(t5=t5(num_decoder_layers=1), num_position_tokens=POSITIONS,
                                   first_position_id=FIRST_POSITION, max_input_length=32))
    return [TimedModel("EdiT5", edit5, edit5=True, forced=True),
            TimedModel("seq2seq full", T5EncoderDecoder(t5()), edit5=False, forced=True),
            TimedModel("seq2seq slim", T5EncoderDecoder(t5(num_decoder_layers=1)), edit5=False,
                       forced=True)]


def synthetic_examples(count: int, bucket: int) -> list[LatencyExample]:
    rng = np.random.default_rng(0)
    examples = []
    for i in range(count):
        length = int(rng.integers(1, bucket - 1))
        source = np.append(rng.choice(WORDS, length), 1).astype(np.int32)
        # Gold lengths from 1 (EOS at once) to the whole buffer.
        target_steps, insertion_steps = (bucket, 1) if i == 0 else (
            int(rng.integers(1, bucket + 1)), int(rng.integers(1, bucket + 1)))
        examples.append(LatencyExample(source, target_steps, insertion_steps, bucket))
    return examples


@pytest.mark.slow  # ~30 s; the end-to-end latency test keeps the command in the default tier
def test_forced_lengths_give_exactly_the_gold_decoder_steps(tiny_models):
    examples = synthetic_examples(6, bucket=12)
    for model in tiny_models:
        gold = model.gold_steps(examples)
        # Batch 1 and batches of 2 (the shapes test_run_benchmark_report compiles as well).
        for rows in ([examples[0]], [examples[1]], *(examples[i:i + 2] for i in (0, 2, 4))):
            call = model(pad_batch(rows, 12), model.gold_steps(rows), 12)
            assert call.steps.tolist() == model.gold_steps(rows).tolist(), model.name
            assert call.device_seconds > 0 and call.host_seconds >= 0
        assert len(set(gold.tolist())) > 2  # the lengths really differ between rows


def test_run_benchmark_report(tiny_models):
    examples = synthetic_examples(5, bucket=12)
    report = latency.run_benchmark(tiny_models, examples, batch_size=2, warmup=0,
                                   progress=lambda message: None)
    assert [m["name"] for m in report["models"]] == ["EdiT5", "seq2seq full", "seq2seq slim"]
    for m, model in zip(report["models"], tiny_models, strict=True):
        assert m["forced_lengths"] and m["d_model"] == 32 and m["encoder_layers"] == 2
        assert m["batch1"]["count"] == 5 and len(m["batch1_seconds"]) == 5
        for key in ("mean_ms", "median_ms", "p95_ms"):
            assert m["batch1"][key] > 0
        assert m["decoder_steps_mean"] == pytest.approx(model.gold_steps(examples).mean())
        assert m["decoder_steps_mean"] == pytest.approx(m["gold_decoder_steps_mean"])
        throughput = m["throughput"]
        assert (throughput["batches"], throughput["examples"], throughput["filler_rows"]) == (
            3, 5, 1)
        assert throughput["examples_per_second"] > 0 and throughput["ms_per_batch_mean"] > 0
        assert set(m["compile_seconds"]) == {"12x1", "12x2"}
        assert m["forced_lengths_clamped"] == 0
        assert m["rows_without_eos"] == 0  # example 0 ends exactly at the buffer's end
    assert m["decoder_layers"] == 1 and report["models"][1]["decoder_layers"] == 2
    assert set(report["edit5_speedup"]) == {"seq2seq full", "seq2seq slim"}
    assert set(report["edit5_speedup"]["seq2seq full"]) == {"p95", "mean", "median",
                                                            "throughput", "decoder_steps"}


def test_latency_command_end_to_end_on_wi_dev(tiny_vocab, tmp_path, capsys):
    """The command on the real W&I dev file with tiny random models: report fields, Markdown,
    JSON."""
    from textedit.cli.main import main

    assert main([
        "benchmark", "latency", "--num_examples", "4", "--buckets", "64", "--batch_size", "1",
        "--warmup", "0", "--size", "tiny", "--vocab_size", str(tiny_vocab.vocab_size),
        "--json", str(tmp_path / "latency.json")]) == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "latency.json").read_text())
    assert report["examples_read"] == 4
    assert report["examples_timed"] + sum(report["skipped"].values()) == 4
    assert report["tokenisation_timed"] is False
    for m in report["models"]:
        assert m["forced_lengths"] and m["vocab_size"] == tiny_vocab.vocab_size
        assert m["decoder_steps_mean"] == pytest.approx(m["gold_decoder_steps_mean"])
    # EdiT5 inserts little of a GEC target; seq2seq decodes all of it.
    steps = {m["name"]: m["decoder_steps_mean"] for m in report["models"]}
    assert steps["EdiT5"] < steps["seq2seq full"] == steps["seq2seq slim"]
    text = latency.format_report(report)
    assert "| EdiT5 |" in text and "p95" in text and "Forced lengths" in text
    assert text in printed  # the command prints the Markdown
    assert report["models"][0]["name"] == "EdiT5"


def test_the_listed_edit5_model_is_timed_beside_the_plain_one(tiny_models):
    """`--insertion_vocabulary`: the same EdiT5 model with an insertion vocabulary, forced to
    the same gold lengths (run_benchmark checks them), gets its own row and speed-ups."""
    from textedit.decoding.insertion_vocabulary import insertion_vocabulary, shortlist_ids

    edit5 = tiny_models[0]
    ids = shortlist_ids(WORDS[:3], edit5.model.config)
    listed = dataclasses.replace(edit5, name=latency.LISTED_NAME,
                                 insertion_vocabulary=insertion_vocabulary(edit5.model, ids))
    models = [edit5, listed, *tiny_models[1:]]
    report = latency.run_benchmark(models, synthetic_examples(3, bucket=12), batch_size=2,
                                   warmup=0, progress=lambda message: None)
    rows = {m["name"]: m for m in report["models"]}
    assert rows[latency.LISTED_NAME]["insertion_vocabulary_size"] == len(ids)
    assert rows["EdiT5"]["insertion_vocabulary_size"] is None
    assert set(report["listed_speedup"]) == set(report["edit5_speedup"]) == {
        "seq2seq full", "seq2seq slim"}
    report.update(insertion_vocabulary_source="three words", examples_timed=3, examples_read=3,
                  skipped={}, source_pieces_mean=5.0, bucket_counts={"12": 3}, cpu="cpu",
                  tensorflow="tf", keras="keras", threads={"tf_intra_op": 1, "tf_inter_op": 1},
                  load_average_before=[0.0], load_average_after=[0.0],
                  data="synthetic examples")
    text = latency.format_report(report)
    assert f"scoring {len(ids)} of {VOCAB} ids (three words)" in text
    assert f"{latency.LISTED_NAME} vs seq2seq full: p95 latency" in text
