"""A language-model task on clean text, for decoder-only models (docs/algorithms.md#gemma2).

    lm_clean_text    targets = one clean sentence + EOS (no inputs); State of the Union,
                     inaugural addresses and MASC, split by file as `clean_text`

Trained with `seqio.LMFeatureConverter(pack=False)`: every token of the sentence is predicted
(decoder_loss_weights 1 up to EOS). Its measure is the validation NLL per token
(`textedit.training.validation_loss`); there is nothing to decode, so no metric_fns. The
decoder-only formatting of the text-to-text tasks (prompt = source, loss on the completion only)
needs no task of its own: `seqio.PrefixLMFeatureConverter(loss_on_targets_only=True)` over the
existing tasks (gin/models/gemma2_*.gin binds it).
"""

from __future__ import annotations

import functools

import seqio

from tasks import clean_text  # noqa: F401  (clean_text is registered first; same loader)
from tasks.features import OUTPUT_FEATURES
from tasks.registration import loaded_split
from textedit.data import dataset_catalog
from textedit.data.seqio_sources import examples_source, postprocess_text

SOURCE_TASK = "clean_text"
LM_TASK = "lm_clean_text"


def register_lm_task(name: str = LM_TASK, source_task: str = SOURCE_TASK) -> seqio.Task:
    """Registers `name`: the references of `source_task` (a catalog data set) as plain text."""
    source = examples_source(
        lambda split: loaded_split(source_task, split, lambda s, skip: dataset_catalog.load_split(
            source_task, s, skip_bad_lines=skip)).examples,
        list(dataset_catalog.get_dataset(source_task).splits))
    seqio.TaskRegistry.remove(name)
    return seqio.TaskRegistry.add(
        name,
        source=source,
        preprocessors=[
            functools.partial(seqio.preprocessors.rekey,
                              key_map={"targets": "targets"}),
            seqio.preprocessors.tokenize,
            seqio.preprocessors.append_eos,
        ],
        output_features={"targets": OUTPUT_FEATURES["targets"]},
        postprocess_fn=postprocess_text,
        metric_fns=[],
    )


register_lm_task()
