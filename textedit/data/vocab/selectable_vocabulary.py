"""The tasks' vocabulary, whose directory a run can select after the tasks are registered.

    VOCABULARY = SelectableVocabulary()              # tasks/features.py: $TEXTEDIT_VOCAB_DIR
    with VOCABULARY.selected("ckpt/flan-t5-small"):  # a run warm-started from a T5 checkpoint
        ...                                          # every task tokenises with its spiece.model

Every SeqIO task holds this one object as the vocabulary of its features, so selecting a
directory re-points all of them at once: the training task, the evaluation tasks and their
`edit5_` twins (whose position ids come from the selected directory's manifest). Tasks register at
import, before a command has read its gin files; `textedit train` selects the run's vocabulary
(VOCAB_DIR, or INIT_CHECKPOINT's when that is a Hugging Face T5 directory) for the duration of
the run and restores the previous one after. Datasets built before a switch keep the vocabulary
they were built with: select first, then build.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import seqio

from textedit.data.vocab.vocabulary import NUM_SENTINELS, default_vocab_dir, vocabulary_model_file


class SelectableVocabulary(seqio.SentencePieceVocabulary):
    """A `seqio.SentencePieceVocabulary` over a vocabulary directory that can be changed: a
    project vocabulary (textedit.model + manifest.json) or a Hugging Face T5 directory."""

    def __init__(self, vocab_dir: str | os.PathLike | None = None,
                 extra_ids: int = NUM_SENTINELS):
        self.vocab_dir = Path(vocab_dir) if vocab_dir else default_vocab_dir()
        super().__init__(str(vocabulary_model_file(self.vocab_dir)), extra_ids=extra_ids)

    def select(self, vocab_dir: str | os.PathLike) -> Path:
        """Points the vocabulary at `vocab_dir` (loaded on first use); returns the previous one."""
        previous = self.vocab_dir
        # SeqIO's own constructor, again: the new model file, nothing of the old model kept.
        self.__init__(vocab_dir, extra_ids=self.extra_ids)
        return previous

    @contextlib.contextmanager
    def selected(self, vocab_dir: str | os.PathLike | None) -> Iterator[SelectableVocabulary]:
        """`vocab_dir` while the block runs (None: the current one), then the previous again."""
        if vocab_dir is None:
            yield self
            return
        previous = self.select(vocab_dir)
        try:
            yield self
        finally:
            self.select(previous)
