"""`textedit diagnose` on a tiny random EdiT5 run: the report names every stage with numbers in
range, and --json holds the same numbers."""

import json
import math

from textedit.cli.main import main


def test_diagnose_reports_every_stage(tiny_edit5_run, tmp_path, capsys):
    run_dir, _ = tiny_edit5_run
    out = tmp_path / "diag.json"
    assert main(["diagnose", "--model", str(run_dir), "--max_examples", "6", "--batch_size", "3",
                 "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for stage in ("tagger: DELETE AUC", "pointer: accuracy", "insertion EOS", "insertion every "
                  "<pos_k>", "insertion content pieces"):
        assert stage in printed
    numbers = json.loads(out.read_text())
    assert numbers["examples"] == 6 and numbers["step"] == 7
    assert 0.0 <= numbers["tag_auc"] <= 1.0 or math.isnan(numbers["tag_auc"])
    for key in ("pointer_accuracy", "insertion_eos_accuracy", "insertion_content_accuracy"):
        assert 0.0 <= numbers[key] <= 1.0
    assert numbers["insertion_eos_count"] == 6  # one EOS ends every example's insertions


def test_diagnose_refuses_a_run_that_is_not_edit5(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="model.json|checkpoint"):
        main(["diagnose", "--model", str(tmp_path), "--max_examples", "2"])
