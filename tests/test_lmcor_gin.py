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
        assert gin.query_parameter("t5_config.lmcor_segments") is not None
        assert gin.query_parameter("%LMCOR_SEGMENTS") == 2
        if experiment == "lmcor_edit5_gec.gin":  # validates as the experiment decodes
            from textedit.benchmarks.lmcor_experiment import (
                EDIT5_DELETE_THRESHOLD,
                EDIT5_INSERT_BIAS,
            )
            assert (gin.query_parameter("edit5_decode_fn.insert_bias"),
                    gin.query_parameter("edit5_decode_fn.delete_threshold")) == (
                EDIT5_INSERT_BIAS, EDIT5_DELETE_THRESHOLD)
    finally:
        gin.clear_config()


def test_lmcor_segments_read_the_vocabulary_sentinels(tiny_vocab):
    from textedit.cli.gin_configurables import t5_config
    from textedit.data.vocab.vocabulary import read_manifest

    manifest = read_manifest()
    config = t5_config("tiny", lmcor_segments=2)
    assert (config.num_segments, config.first_separator_id, config.num_separators) == (
        2, manifest.sentencepiece_size, manifest.num_sentinels)
    assert t5_config("tiny").num_segments == 0
