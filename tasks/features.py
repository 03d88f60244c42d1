"""Vocabulary and output features shared by every text task.

The vocabulary path is fixed when this module is imported (`TEXTEDIT_VOCAB_DIR`, default
`workdir/vocab`); the model file itself is read on first use, so tasks register before
`textedit data` has trained it.
"""

import seqio

from textedit.data.vocab.vocabulary import get_vocabulary

VOCABULARY = get_vocabulary()

OUTPUT_FEATURES = {
    "inputs": seqio.Feature(vocabulary=VOCABULARY, add_eos=True, required=False),
    "targets": seqio.Feature(vocabulary=VOCABULARY, add_eos=True),
}
