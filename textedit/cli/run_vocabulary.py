"""Which vocabulary the tasks of a `textedit train` run are tokenised with.

    with run_vocabulary(vocab_dir=None, init_checkpoint="ckpt/flan-t5-small"):
        ...   # every task (training, evaluation, edit5_ twins) uses the checkpoint's spiece.model

In order: VOCAB_DIR (gin, gin/runs/train.gin) when set; else INIT_CHECKPOINT's own vocabulary when
that is a Hugging Face T5 directory (its embedding rows are ids of its spiece.model, so no other
vocabulary can go with it); else the vocabulary the tasks were registered with (--vocab_dir,
$TEXTEDIT_VOCAB_DIR, workdir/vocab). A VOCAB_DIR whose SentencePiece model is not the checkpoint's
is an error naming both. The previous vocabulary is restored when the run ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def run_vocabulary(vocab_dir: str | os.PathLike | None,
                   init_checkpoint: str | os.PathLike | None) -> Iterator[Path]:
    """Selects the run's vocabulary for every task while the block runs; yields the SentencePiece
    model file the tasks use."""
    from tasks.features import VOCABULARY
    from textedit.data.vocab.hf_vocabulary import hf_spiece_file, is_hf_t5_dir

    checkpoint_vocabulary = init_checkpoint if is_hf_t5_dir(init_checkpoint) else None
    with VOCABULARY.selected(vocab_dir or checkpoint_vocabulary):
        model_file = Path(VOCABULARY.sentencepiece_model_file)
        if checkpoint_vocabulary is not None:
            spiece = hf_spiece_file(checkpoint_vocabulary)  # names the directory if it has none
            if not model_file.is_file() or model_file.read_bytes() != spiece.read_bytes():
                raise SystemExit(
                    f"INIT_CHECKPOINT {init_checkpoint} is a Hugging Face T5 directory: its "
                    f"embedding rows are ids of {spiece}, but VOCAB_DIR {vocab_dir} tokenises "
                    f"with {model_file}; leave VOCAB_DIR unset (the checkpoint's vocabulary is "
                    "then used) or point it at the checkpoint")
            print(f"vocabulary: the tasks are tokenised with {spiece} (INIT_CHECKPOINT's)",
                  flush=True)
        elif vocab_dir:
            print(f"vocabulary: the tasks are tokenised with {model_file} (VOCAB_DIR)",
                  flush=True)
        yield model_file
