"""gin: the LMCor experiment files register the corrector tasks over the candidate files given
as macros (seq2seq: lmcor_<task>; EdiT5: trains on edit5_lmcor_<task>, evaluates lmcor_<task>)."""

import json
import sys
from pathlib import Path

import gin
import pytest

ROOT = Path(__file__).resolve().parents[1]


@gin.configurable
def _lmcor_probe(train_task=gin.REQUIRED, eval_tasks=()):
    return train_task, list(eval_tasks)


@pytest.mark.parametrize("experiment, train_task, eval_tasks", [
    ("lmcor_seq2seq_gec.gin", "lmcor_gec_jfleg", ["lmcor_gec_jfleg"]),
    ("lmcor_edit5_gec.gin", "edit5_lmcor_gec_jfleg", ["lmcor_gec_jfleg"]),
])
def test_experiment_registers_the_corrector_tasks(tmp_path, experiment, train_task, eval_tasks):
    sys.path.insert(0, str(ROOT))
    import tasks  # noqa: F401  (gec_jfleg, the base task)
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"source": "a", "candidates": ["b", "c"], "target": "b"}) + "\n",
                    encoding="utf-8")
    gin_configurables.register_training()
    configurable_train()
    gin.clear_config()
    try:
        gin.parse_config_files_and_bindings(
            [str(ROOT / "gin/experiments" / experiment)],
            ["LMCOR_BASE_TASK = 'gec_jfleg'", f"LMCOR_TRAIN = '{path}'",
             f"LMCOR_VALIDATION = '{path}'", "LMCOR_K = 2",
             "_lmcor_probe.train_task = %MIXTURE_OR_TASK_NAME",
             "_lmcor_probe.eval_tasks = %EVAL_MIXTURE_OR_TASK_NAMES"],
            finalize_config=False)
        assert _lmcor_probe() == (train_task, eval_tasks)
        assert gin.query_parameter("%TASK_FEATURE_LENGTHS")["inputs"] == 256
    finally:
        gin.clear_config()
