"""Beam-cached SeqIO tasks (textedit/data/task_cache.py) and the trainer's use_cached switch.

The caching test runs SeqIO's cache pipeline with Beam's DirectRunner on an EdiT5 task over a
small parallel file (the toy copy task of conftest.py) and reads the cache back through the
trainer's pipeline: the cached examples are the uncached ones (same inputs, tags, pointers and
decoder targets, in another order). Apache Beam comes with the `beam` extra (setup.py), which
`tools/bootstrap.py` installs: without Beam the test fails in CI (CI=true) and under
TEXTEDIT_REQUIRE_REFERENCES=1 (what `tools/bootstrap.py test` sets), as the reference comparisons
do (tests/reference_packages.py), and is skipped only on a developer's machine without the extra.
Slow: Beam's start-up and the pipeline take about a minute on 2 shared cores.
"""

import importlib
import json
import sys

import numpy as np
import pytest
from reference_packages import references_required

from textedit.training.train_data import TrainDataConfig, check_cached


def _require_beam():
    """Imports apache_beam; without it, fails where references are required (module docstring)
    and skips otherwise."""
    try:
        return importlib.import_module("apache_beam")
    except ImportError as error:
        message = (f"apache-beam is not installed ({error}); the Beam cache test needs it: "
                   "pip install -e .[beam]")
        if references_required():
            pytest.fail(message + " (required: CI=true or TEXTEDIT_REQUIRE_REFERENCES=1)",
                        pytrace=False)
        pytest.skip(message)


@pytest.mark.parametrize("env, outcome", [({"CI": "true"}, pytest.fail.Exception),
                                          ({"CI": ""}, pytest.skip.Exception)])
def test_missing_beam_fails_in_ci_and_skips_locally(monkeypatch, env, outcome):
    monkeypatch.delenv("TEXTEDIT_REQUIRE_REFERENCES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(sys.modules, "apache_beam", None)  # `import apache_beam` now fails
    with pytest.raises(outcome, match=r"apache-beam is not installed.*pip install -e \.\[beam\]"):
        _require_beam()


@pytest.fixture(scope="module")
def edit_copy_task(copy_task):
    from tasks.edit_tasks import register_edit_task

    return register_edit_task(copy_task).name  # edit5_toy_copy


def _examples(dataset):
    """The examples as sorted JSON lines (a multiset: order-free, duplicates counted)."""
    return sorted(json.dumps({k: v.tolist() for k, v in example.items()  # the id features
                              if isinstance(v, np.ndarray) and v.dtype.kind in "iu"},
                             sort_keys=True)
                  for example in dataset.as_numpy_iterator())


def test_use_cached_without_a_cache_names_the_command(edit_copy_task, tmp_path):
    with pytest.raises(ValueError, match=f"textedit cache_tasks --tasks {edit_copy_task}"):
        check_cached(edit_copy_task, [str(tmp_path)])
    config = TrainDataConfig(edit_copy_task, {"inputs": 16, "decoder_targets": 16},
                             use_cached=True, cache_dirs=[str(tmp_path)])
    with pytest.raises(ValueError, match="no cache of"):
        config.dataset_fn()


@pytest.mark.slow
def test_beam_cache_holds_the_uncached_examples(edit_copy_task, copy_task, tmp_path):
    _require_beam()
    import seqio

    from textedit.data.task_cache import add_cache_steps, cache_size_bytes, cache_tasks

    with pytest.raises(ValueError, match="no CacheDatasetPlaceholder"):
        add_cache_steps(None, [copy_task], tmp_path)  # the plain text task cannot be cached
    written = cache_tasks([edit_copy_task], tmp_path)
    assert len(written) == 1 and (tmp_path / edit_copy_task / "COMPLETED").exists()
    assert cache_size_bytes(written[0]) > 10_000
    assert cache_tasks([edit_copy_task], tmp_path) == []  # already cached: skipped

    task = seqio.get_mixture_or_task(edit_copy_task)
    uncached = _examples(task.get_dataset(None, "train", use_cached=False, shuffle=False))
    check_cached(edit_copy_task, [str(tmp_path)])  # registers the directory; now cached
    cached = _examples(task.get_dataset(None, "train", use_cached=True, shuffle=False))
    stats = json.loads((tmp_path / edit_copy_task / "stats.train.json").read_text())
    assert len(uncached) > 50 and cached == uncached
    assert stats["examples"] == len(uncached)

    # The trainer's pipeline over the cache: batches of the EdiT5 features.
    from textedit.data.edit5.edit_feature_converter import EditFeatureConverter

    config = TrainDataConfig(edit_copy_task, {"inputs": 16, "decoder_targets": 16},
                             use_cached=True, cache_dirs=[str(tmp_path)],
                             feature_converter=EditFeatureConverter())
    batch = next(iter(config.dataset_fn()(0, None, 8)))
    assert batch["encoder_input_tokens"].shape == (8, 16)
    assert set(batch) >= {"encoder_input_tokens", "decoder_target_tokens"}
