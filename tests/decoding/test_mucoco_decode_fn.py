"""MuCoCO from gin and the command line: constraint specs, `--constraint` bindings, the gin run
file gin/runs/mucoco.gin, and the per-example records of the DECODE_FN."""

import argparse
import json
from pathlib import Path

import gin
import numpy as np
import pytest
from decoding_cases import MAX_LENGTH, VOCAB

from textedit.cli.constraint_configurables import register_constrained_decoding
from textedit.cli.constraint_flags import constraint_bindings, write_constraint_records
from textedit.decoding.constraint_specs import parse_spec
from textedit.decoding.mucoco_decode_fn import MucocoDecodeFn, mucoco_decode_fn
from textedit.models.constraints import LengthBudget

GIN_RUN_FILE = Path(__file__).resolve().parents[2] / "gin" / "runs" / "mucoco.gin"


def test_specs_take_defaults_and_reject_bad_values():
    assert parse_spec("simple") == ("simple", "0.5")
    assert parse_spec("close:0.7") == ("close", "0.7")
    assert parse_spec("keyword:river+bank") == ("keyword", "river+bank")
    for bad, message in [("shorter", "expected one of"), ("simple:2", r"in \(0, 1\]"),
                         ("length:x", "expected a number"), ("keyword", "keyword:WORD")]:
        with pytest.raises(ValueError, match=message):
            parse_spec(bad)


def test_constraint_flags_become_gin_bindings_that_the_run_file_accepts():
    args = argparse.Namespace(constraint=["simple:0.7", "close:0.8"], classifier="runs/cls")
    bindings = constraint_bindings(args)
    assert bindings[0] == "DECODE_FN = @mucoco_decode_fn"
    register_constrained_decoding()
    with gin.unlock_config():
        gin.clear_config()
        gin.parse_config_files_and_bindings([str(GIN_RUN_FILE)], bindings, finalize_config=False)
        decode = gin.get_configurable("mucoco_decode_fn")(max_decode_length=16)
        gin.parse_config_files_and_bindings([], ["MUCOCO_TOP_K = 5"], finalize_config=False)
        top_k = gin.get_configurable("mucoco_decode_fn")(max_decode_length=16).settings.top_k
        gin.clear_config()
    assert decode.specs == ["simple:0.7", "close:0.8"] and decode.classifier_dir == "runs/cls"
    assert (decode.settings.steps, decode.settings.initial, decode.max_decode_length) == (
        40, "greedy", 16)
    assert (decode.settings.top_k, top_k) == (None, 5)
    with pytest.raises(SystemExit, match="--constraint"):
        constraint_bindings(argparse.Namespace(constraint=["simple:5"], classifier=None))
    with pytest.raises(SystemExit, match="only used with"):
        constraint_bindings(argparse.Namespace(constraint=[], classifier="x"))
    assert constraint_bindings(argparse.Namespace(constraint=[], classifier=None)) == []


def test_decode_fn_records_one_line_per_real_row(model, encoder_tokens, tmp_path):
    decode = mucoco_decode_fn(MAX_LENGTH, constraints=["length:4"], steps=2)
    assert isinstance(decode, MucocoDecodeFn) and decode.settings.steps == 2
    # The spec needs a vocabulary; the test supplies the built constraint (pieces count 1 each).
    decode._built = (model, [LengthBudget(np.ones(VOCAB), epsilon=4.0, relative=False)])
    padded = np.concatenate([encoder_tokens, np.zeros((1, encoder_tokens.shape[1]), np.int32)])
    tokens = decode(model, {"encoder_input_tokens": padded})
    assert tokens.shape == (4, MAX_LENGTH) and len(decode.records) == 3
    for row, record in enumerate(decode.records):
        length = list(tokens[row]).index(1) + 1 if 1 in tokens[row] else MAX_LENGTH
        assert record["values"]["length"] == length
        assert record["satisfied"] == (length <= 4) and record["epsilons"] == {"length": 4.0}
    path = write_constraint_records(decode, tmp_path / "t-validation-7.txt", 3)
    assert path.name == "t-validation-7.constraints.jsonl" and decode.records == []
    assert [json.loads(line)["values"]["length"] for line in path.read_text().splitlines()] == [
        r for r in (list(t).index(1) + 1 if 1 in t else MAX_LENGTH for t in tokens[:3])]
