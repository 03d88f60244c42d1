"""Vocabulary and output features shared by every text task.

The vocabulary directory is `TEXTEDIT_VOCAB_DIR` (default `workdir/vocab`) when this module is
imported; the model file itself is read on first use, so tasks register before `textedit data`
has trained it. A run may select another directory for every task at once (`VOCABULARY.selected`,
textedit/data/vocab/selectable_vocabulary.py), e.g. a Hugging Face T5 checkpoint's.
"""

import seqio

from textedit.data.vocab.selectable_vocabulary import SelectableVocabulary

VOCABULARY = SelectableVocabulary()

OUTPUT_FEATURES = {
    "inputs": seqio.Feature(vocabulary=VOCABULARY, add_eos=True, required=False),
    "targets": seqio.Feature(vocabulary=VOCABULARY, add_eos=True),
}
