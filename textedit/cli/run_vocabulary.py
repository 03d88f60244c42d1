"""Which vocabulary the tasks of a `textedit train` run are tokenised with.

    with run_vocabulary(vocab_dir=None, init_checkpoint="ckpt/flan-t5-small"):
        ...   # every task (training, evaluation, edit5_ twins) uses the checkpoint's spiece.model

In order: VOCAB_DIR (gin, gin/runs/train.gin) when set; else INIT_CHECKPOINT's own vocabulary when
that is a Hugging Face T5 directory (its embedding rows are ids of its spiece.model, so no other
vocabulary can go with it); else the vocabulary the tasks were registered with (--vocab_dir,
$TEXTEDIT_VOCAB_DIR, workdir/vocab). A VOCAB_DIR whose SentencePiece model is not the checkpoint's
is an error naming both. The previous vocabulary is restored when the run ends.

`textedit infer` / `eval` decode with the vocabulary the run was trained with:

    with trained_run_vocabulary("workdir/runs/edit5_gec"):   # CHECKPOINT_PATH
        ...   # every task uses workdir/runs/edit5_gec/vocab/ (written by `textedit train`)

that is the run's vocab/ copy, for every run (its ids are the ones the model learnt), unless
--vocab_dir / $TEXTEDIT_VOCAB_DIR names a vocabulary: that one is used, with a warning when it is
not the run's.
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
            if not same_file(model_file, spiece):
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


def same_file(first: Path, second: Path) -> bool:
    """Whether both files exist with the same bytes (two copies of one SentencePiece model)."""
    return first.is_file() and second.is_file() and first.read_bytes() == second.read_bytes()


@contextlib.contextmanager
def trained_run_vocabulary(checkpoint: str | os.PathLike) -> Iterator[Path]:
    """Selects, for every task while the block runs, the vocabulary the run at `checkpoint` was
    trained with (its vocab/ copy), unless --vocab_dir / $TEXTEDIT_VOCAB_DIR names one; yields the
    SentencePiece model file the tasks use. A run without a vocab/ copy gets the registered one."""
    from tasks.features import VOCABULARY
    from textedit.data.vocab.vocabulary import (
        ENV_VAR,
        MANIFEST_FILE,
        MODEL_FILE,
        default_vocab_dir,
    )
    from textedit.runs.run_artifacts import RUN_VOCAB_DIR, run_dir_of

    run_vocab = run_dir_of(checkpoint) / RUN_VOCAB_DIR
    has_copy = (run_vocab / MANIFEST_FILE).is_file()
    # --vocab_dir has been put into $TEXTEDIT_VOCAB_DIR by apply_data_flags; selected again here
    # so that a second command in one process reads the directory it was given.
    given = default_vocab_dir() if os.environ.get(ENV_VAR) else None
    with VOCABULARY.selected(given or (run_vocab if has_copy else None)):
        model_file = Path(VOCABULARY.sentencepiece_model_file)
        if given is None:
            source = "the run's own copy" if has_copy else (
                f"the run has no {RUN_VOCAB_DIR}/ copy, so the default one")
            print(f"vocabulary: the tasks are tokenised with {model_file} ({source})", flush=True)
        elif has_copy and not same_file(model_file, run_vocab / MODEL_FILE):
            print(f"warning: the tasks are tokenised with {model_file} (--vocab_dir / {ENV_VAR}), "
                  f"which is not the vocabulary the run was trained with "
                  f"({run_vocab / MODEL_FILE}): the model will read ids it did not learn. Drop "
                  f"--vocab_dir and unset {ENV_VAR} to use the run's.", flush=True)
        yield model_file
