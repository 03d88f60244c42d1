"""`textedit edit --constraint`: MuCoCO decoding of a seq2seq run directory through the edit tool
(a tiny random T5 made here), each JSONL record carrying its constraint record, and the errors
for runs and flags it does not apply to."""

import json
import os

import pytest
from run_dirs import built_tiny_t5, save_run

from textedit.cli.main import main as cli

SOURCES = ["She go to school yesterday .", "For not use car .", "He have two cat ."]


@pytest.fixture(scope="module")
def seq2seq_run(tiny_vocab, tmp_path_factory):
    from textedit.runs.run_settings import RunSettings, write_run_settings

    run_dir = tmp_path_factory.mktemp("edit_constraints_run")
    save_run(run_dir, built_tiny_t5(seed=3), os.environ["TEXTEDIT_VOCAB_DIR"])
    write_run_settings(run_dir, RunSettings(input_length=16, decode_length=12))
    return run_dir


def edit(run_dir, path, capsys, *flags):
    assert cli(["edit", str(path), "--model", str(run_dir), *flags]) == 0
    captured = capsys.readouterr()
    return [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_constrained_outputs_carry_their_constraint_records(seq2seq_run, tmp_path, capsys):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"source": s, "id": i}) + "\n"
                             for i, s in enumerate(SOURCES)))
    greedy, _ = edit(seq2seq_run, jsonl, capsys)
    assert all("constraints" not in r for r in greedy)
    constrained, err = edit(seq2seq_run, jsonl, capsys, "--constraint", "length:1.0",
                            "--constraint", "close:0.1")
    assert [r["id"] for r in constrained] == [0, 1, 2]
    for before, after in zip(greedy, constrained, strict=True):
        record = after["constraints"]
        assert record["epsilons"] == {"length": 1.0, "close": pytest.approx(0.9)}
        assert record["satisfied"] == (record["values"]["length"] <= 1.0 + 1e-4
                                       and record["values"]["close"] <= 0.9 + 1e-4)
        if record["initial_satisfied"] or not record["satisfied"]:
            assert after["output"] == before["output"]  # greedy's output, kept or flagged
        else:
            assert after["output"] != before["output"]  # MuCoCO found a satisfying output
    # The random model's greedy outputs are too long; MuCoCO shortens at least one.
    assert any(r["constraints"]["satisfied"] and not r["constraints"]["initial_satisfied"]
               for r in constrained)
    satisfied = sum(r["constraints"]["satisfied"] for r in constrained)
    initially = sum(r["constraints"]["initial_satisfied"] for r in constrained)
    assert f"constraints: {satisfied}/3 satisfied ({initially} already by greedy decoding)" in err


def test_explain_shows_the_constraint_values(seq2seq_run, tmp_path, capsys):
    text = tmp_path / "in.txt"
    text.write_text(SOURCES[0] + "\n")
    assert cli(["edit", str(text), "--model", str(seq2seq_run), "--explain", "--constraint",
                "length:1.0"]) == 0
    shown = capsys.readouterr().out
    assert "constraints  " in shown and "length " in shown and "(bound 1)" in shown


@pytest.mark.parametrize("flags, message", [
    (["--constraint", "shorter:2"], "--constraint: constraint 'shorter:2': expected one of"),
    (["--classifier", "RUN"], "--classifier is only used with --constraint"),
])
def test_bad_constraint_flags_are_errors(seq2seq_run, tmp_path, capsys, flags, message):
    text = tmp_path / "in.txt"
    text.write_text("a b c\n")
    assert cli(["edit", str(text), "--model", str(seq2seq_run), *flags]) == 2
    assert message in capsys.readouterr().err


def test_constraints_on_an_edit5_run_are_refused(tiny_edit5_run, tmp_path, capsys):
    run_dir, _ = tiny_edit5_run
    text = tmp_path / "in.txt"
    text.write_text("a b c\n")
    assert cli(["edit", str(text), "--model", str(run_dir), "--constraint", "length:1"]) == 2
    assert "constrained (MuCoCO) decoding works on seq2seq T5 runs" in capsys.readouterr().err
