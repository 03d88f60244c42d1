"""Pre-training tasks for warm starts, both made from `clean_text`
(docs/algorithms.md#span-corruption).

    import tasks.pretraining  # registers the three tasks below (tasks/__init__.py imports it)

- `pretrain_span_corruption`: T5's objective for the backbone (encoder, shared embedding,
  decoder): `t5.data.preprocessors.span_corruption` with noise density 0.15 and mean span 3, as
  T5 pre-training. The clean sentences are tokenised, concatenated (in batches of 128) and cut
  into chunks that fill `inputs` after corruption (141 tokens for inputs 128; targets need 29),
  so an example spans sentence boundaries. Noise spans are replaced by sentinels, which sit at the
  top of our vocabulary as in T5 (textedit/data/vocab/vocabulary.py):

      inputs   ... as the session which declared all - out <extra_id_0> poverty and
               unemployment in these United States ; <extra_id_1> the session which ... </s>
      targets  <extra_id_0> war on human <extra_id_1> as <extra_id_2> ... </s>

  The masks are drawn by SeqIO's seeded random ops: the same seed (the trainer's epoch seed, the
  evaluator's fixed 42) gives the same examples. Metric: exact match of the decoded target (the
  examples keep no text, so sentinels decode as unknown pieces on both sides).
- `pretrain_edit_noise`: EdiT5's pre-training text task: source = the sentence corrupted by
  dropping, swapping and adding word spans (textedit/data/noise/span_noise.py, rates in
  `EDIT_NOISE`, added words from the same split), target = the clean sentence. Noise is fixed per
  sentence (SHA-256 seeded). Metrics: exact match and SARI. E.g. (validation)

      "January 8, normal life , 1964"                                    -> "January 8, 1964"
      "Mr. Speaker, Mr. President, Members the of House and Senate, ..." -> "... Members of the
                                                                            House and Senate, ..."
- `edit5_pretrain_edit_noise`: its EdiT5 twin (tasks/edit_tasks.py): the edit conversion of
  (noisy, clean) gives the plan - tags delete added spans, pointers undo swaps, the insertion
  decoder restores dropped words.

Warm start (gin/experiments/pretrain_span_corruption.gin, then
gin/experiments/edit5_pretrain_edit_noise.gin): train a T5 on span corruption, start the EdiT5
edit-noise run from it with `INIT_CHECKPOINT` (encoder, shared embedding, decoder block 0,
lm_head; the EdiT5 backbone's checkpoint keys are a plain T5's), then fine-tune EdiT5 from that
run with `INIT_CHECKPOINT` again (everything loads).
"""

from __future__ import annotations

import dataclasses
import functools

import seqio
import t5.data.preprocessors as t5_preprocessors

from tasks import clean_text  # noqa: F401  (clean_text is registered first; same loader)
from tasks.edit_tasks import register_edit_task
from tasks.features import OUTPUT_FEATURES
from tasks.registration import as_metric_fn, loaded_split, register_text_task
from textedit.data import dataset_catalog
from textedit.data.dataset_catalog import LoadedSplit
from textedit.data.examples import MultiReferenceExample
from textedit.data.noise.span_noise import SpanNoiseConfig, noise_sentence
from textedit.data.seqio_sources import examples_source, postprocess_text

SOURCE_TASK = "clean_text"
SPAN_CORRUPTION_TASK = "pretrain_span_corruption"
EDIT_NOISE_TASK = "pretrain_edit_noise"
NOISE_DENSITY = 0.15
MEAN_NOISE_SPAN_LENGTH = 3.0
EDIT_NOISE = SpanNoiseConfig(drop_rate=0.03, swap_rate=0.02, add_rate=0.03, max_span=3, seed=0)


def _clean_split(split: str) -> LoadedSplit:
    """clean_text's split, read once per data directory (shared with the clean_text task)."""
    return loaded_split(SOURCE_TASK, split, lambda s, skip: dataset_catalog.load_split(
        SOURCE_TASK, s, skip_bad_lines=skip))


def _splits() -> list[str]:
    return list(dataset_catalog.get_dataset(SOURCE_TASK).splits)


def postprocess_span_corruption(output, example=None, is_target: bool = False):
    """Like `postprocess_text`, without the example: span-corruption examples are token chunks
    of several sentences and keep no `inputs_pretokenized` (targets -> one-reference dicts)."""
    del example
    return postprocess_text(output, None, is_target)


def register_span_corruption_task(
    name: str = SPAN_CORRUPTION_TASK,
    noise_density: float = NOISE_DENSITY,
    mean_noise_span_length: float = MEAN_NOISE_SPAN_LENGTH,
) -> seqio.Task:
    """Registers T5 span corruption over clean_text as `name` (replacing an earlier one).

    Preprocessors, as T5's `c4_v220_span_corruption`: rekey (the sentence becomes `targets`),
    tokenize, CacheDatasetPlaceholder, span_corruption, append_eos_after_trim.
    """
    source = examples_source(lambda split: _clean_split(split).examples, _splits())
    seqio.TaskRegistry.remove(name)
    return seqio.TaskRegistry.add(
        name,
        source=source,
        preprocessors=[
            functools.partial(seqio.preprocessors.rekey,
                              key_map={"inputs": None, "targets": "targets"}),
            seqio.preprocessors.tokenize,
            seqio.CacheDatasetPlaceholder(),
            functools.partial(t5_preprocessors.span_corruption, noise_density=noise_density,
                              mean_noise_span_length=mean_noise_span_length),
            seqio.preprocessors.append_eos_after_trim,
        ],
        output_features=OUTPUT_FEATURES,
        postprocess_fn=postprocess_span_corruption,
        metric_fns=[as_metric_fn("exact_match")],
    )


def noised_split(split: str, config: SpanNoiseConfig = EDIT_NOISE) -> LoadedSplit:
    """clean_text's `split` as (noised sentence -> clean sentence) pairs; the added spans come
    from the same split's sentences (in file order, so the result is deterministic)."""
    clean = _clean_split(split)
    donors = [e.source for e in clean.examples]
    examples = [MultiReferenceExample(noise_sentence(s, config, donors), (s,)) for s in donors]
    return dataclasses.replace(clean, examples=examples)


def register_edit_noise_task(name: str = EDIT_NOISE_TASK,
                             config: SpanNoiseConfig = EDIT_NOISE) -> seqio.Task:
    """Registers the text task `name` (noised -> clean) and its EdiT5 twin `edit5_<name>`."""
    task = register_text_task(name, _splits(), lambda split, skip: noised_split(split, config),
                              metric_names=("exact_match", "sari"))
    register_edit_task(name)
    return task


register_span_corruption_task()
register_edit_noise_task()
