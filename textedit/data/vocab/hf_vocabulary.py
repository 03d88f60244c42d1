"""A Hugging Face T5 checkpoint directory used as a vocabulary (its `spiece.model`).

    is_hf_t5_dir("ckpt/flan-t5-small")              # config.json beside the weights
    manifest = hf_vocabulary_manifest("ckpt/flan-t5-small")
    manifest.first_position_id, manifest.num_position_tokens   # 32128, 513
    write_hf_vocabulary("ckpt/flan-t5-small", "runs/x/vocab")  # textedit.model + manifest.json

A T5 checkpoint's ids are those of its SentencePiece model (pad 0, eos 1, unk 2, then the pieces;
T5 v1.1 / Flan-T5: 32,000) plus the 100 sentinels SeqIO adds on top (`<extra_id_0>` = the highest),
and its embedding has a few more rows, rounded up to a multiple of 128 (32,128). EdiT5's position
tokens `<pos_0>` .. `<pos_512>` are not in that vocabulary: they are appended as new embedding
rows after the checkpoint's, ids `rows` .. `rows + 512` (docs/hf_warm_start.md#position-tokens).
So the manifest of such a vocabulary records `first_position_id = rows`; nothing else changes for
the edit pipeline, which reads the position ids from the manifest. 513 position tokens let an
input have up to 512 pieces (EOS included), the same as the project's own vocabulary.

Nothing is written into the checkpoint directory: the manifest is computed from config.json and
spiece.model whenever it is read, and a run directory keeps a copy of both
(`write_hf_vocabulary`, called by `textedit.runs.run_artifacts.copy_vocabulary`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from textedit.data.vocab.vocabulary import (
    EOS_ID,
    MANIFEST_FILE,
    MODEL_FILE,
    NUM_SENTINELS,
    PAD_ID,
    UNK_ID,
    VocabularyManifest,
    file_sha256,
)

HF_CONFIG_FILE = "config.json"
HF_SPIECE_FILE = "spiece.model"
# <pos_0> .. <pos_512>: inputs of up to 512 pieces (EOS included), as with the project's vocabulary.
HF_NUM_POSITION_TOKENS = 513
# T5 rounds its ids up to a multiple of this many embedding rows (32,100 ids -> 32,128 rows).
ROW_ROUNDING = 128
SOURCE = "hugging_face_t5"


def is_hf_t5_dir(path: str | os.PathLike | None) -> bool:
    """True for a directory holding a Hugging Face `config.json` (a `save_pretrained` directory)
    and no project vocabulary manifest."""
    if path is None:
        return False
    path = Path(path)
    return (path / HF_CONFIG_FILE).is_file() and not (path / MANIFEST_FILE).exists()


def hf_spiece_file(directory: str | os.PathLike) -> Path:
    """The checkpoint's SentencePiece model; FileNotFoundError naming what is there instead."""
    directory = Path(directory)
    path = directory / HF_SPIECE_FILE
    if path.is_file():
        return path
    others = sorted(p.name for p in directory.glob("tokenizer*.json"))
    found = f"; it has {', '.join(others)}, which is not a SentencePiece model" if others else ""
    raise FileNotFoundError(
        f"{directory}: no vocabulary: {HF_SPIECE_FILE} missing{found}. A T5 checkpoint's "
        f"vocabulary is its SentencePiece model: download {HF_SPIECE_FILE} with the weights "
        "(e.g. `hf download google/flan-t5-small --local-dir DIR`)")


def hf_embedding_rows(directory: str | os.PathLike) -> int:
    """Rows of the checkpoint's shared embedding: config.json's `vocab_size` (T5 default 32128)."""
    path = Path(directory) / HF_CONFIG_FILE
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    rows = config.get("vocab_size") or 32128
    if not isinstance(rows, int) or rows < 1:
        raise ValueError(f"{path}: vocab_size {rows!r} is not a positive integer")
    return rows


def hf_vocabulary_manifest(directory: str | os.PathLike,
                           num_position_tokens: int = HF_NUM_POSITION_TOKENS
                           ) -> VocabularyManifest:
    """The manifest of a checkpoint's vocabulary: its pieces, 100 sentinels, and the position
    tokens appended after the embedding rows (module docstring).

    Raises:
      FileNotFoundError: no spiece.model (the message says what the directory has instead).
      ValueError: the SentencePiece model does not fit the embedding: its ids (pieces + 100
        sentinels) exceed the rows, or fall short of them by a whole rounding step of 128 or more
        (the model belongs to another checkpoint), or pad / eos / unk are not T5's 0 / 1 / 2.
    """
    import sentencepiece as spm

    directory = Path(directory)
    spiece = hf_spiece_file(directory)
    rows = hf_embedding_rows(directory)
    processor = spm.SentencePieceProcessor(model_file=str(spiece))
    pieces = processor.get_piece_size()
    ids = pieces + NUM_SENTINELS
    if not ids <= rows < ids + ROW_ROUNDING:
        raise ValueError(
            f"{spiece}: {pieces} pieces + {NUM_SENTINELS} sentinels = {ids} ids do not match the "
            f"{rows} embedding rows of {directory / HF_CONFIG_FILE} (expected rows in "
            f"[{ids}, {ids + ROW_ROUNDING}): the ids rounded up to a multiple of {ROW_ROUNDING}); "
            "is it the SentencePiece model of another checkpoint?")
    special = {"pad": (processor.pad_id(), PAD_ID), "eos": (processor.eos_id(), EOS_ID),
               "unk": (processor.unk_id(), UNK_ID)}
    wrong = [f"{name} {got} (expected {want})" for name, (got, want) in special.items()
             if got != want]
    if wrong:
        raise ValueError(f"{spiece}: special ids {', '.join(wrong)}; T5 models use pad 0, eos 1, "
                         "unk 2")
    return VocabularyManifest(
        sentencepiece_size=pieces, num_position_tokens=num_position_tokens,
        num_sentinels=NUM_SENTINELS, training_files={HF_SPIECE_FILE: file_sha256(spiece)},
        training_lines=0, options={"source": SOURCE, "embedding_rows": rows},
        first_position_id=rows)


def write_hf_vocabulary(directory: str | os.PathLike, target: str | os.PathLike) -> None:
    """Copies the checkpoint's spiece.model to target/textedit.model and writes its manifest, so
    the target is a vocabulary directory like any other (a run's vocab/)."""
    manifest = hf_vocabulary_manifest(directory)
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    source = hf_spiece_file(directory)
    if not (target / MODEL_FILE).exists() or (
            (target / MODEL_FILE).read_bytes() != source.read_bytes()):
        shutil.copyfile(source, target / MODEL_FILE)
    text = json.dumps(manifest.to_json(), indent=2) + "\n"
    if not (target / MANIFEST_FILE).exists() or (target / MANIFEST_FILE).read_text() != text:
        (target / MANIFEST_FILE).write_text(text)
