"""The project's SentencePiece vocabulary: reserved ids, training, manifest, SeqIO wrapper.

Id layout (the manifest written next to the model records the exact ranges):

    0                   <pad>
    1                   </s>    (eos)
    2                   <unk>
    3 .. 3+P-1          <pos_0> .. <pos_{P-1}>   EdiT5 position tokens (control symbols)
    then                256 byte pieces (byte fallback) and the learnt pieces
    V .. V+S-1          <extra_id_{S-1}> .. <extra_id_0>   T5 sentinels, added by SeqIO

Position tokens are SentencePiece *control* symbols: text can never encode to them (a user typing
"<pos_3>" gets ordinary pieces), and the edit pipeline inserts them by id. `<pos_k>` means "insert
after the k-th re-ordered kept token", so an input of L pieces needs P = L + 1 of them.
Sentinels stay where T5 puts them, at the top of the id range counting down, so
`t5.data.preprocessors.span_corruption` works unchanged.

Normalisation (what `decode(encode(s))` gives back, tested on every line of jfleg.dev.src):
no Unicode normalisation (rule `identity`), unknown characters are spelled as UTF-8 bytes (byte
fallback), and whitespace is canonicalised: runs of spaces collapse to one and leading/trailing
spaces go. So `decode(encode(s)) == normalize_text(s)`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

PAD_ID, EOS_ID, UNK_ID = 0, 1, 2
FIRST_POSITION_ID = 3
NUM_SENTINELS = 100
MODEL_FILE = "textedit.model"
MANIFEST_FILE = "manifest.json"
ENV_VAR = "TEXTEDIT_VOCAB_DIR"
DEFAULT_VOCAB_DIR = Path(__file__).resolve().parents[3] / "workdir" / "vocab"

_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def normalize_text(text: str) -> str:
    """What the vocabulary's round trip preserves: whitespace runs collapsed, ends stripped."""
    return _SPACES.sub(" ", text).strip(" ")


def position_token(k: int) -> str:
    return f"<pos_{k}>"


def default_vocab_dir() -> Path:
    return Path(os.environ[ENV_VAR]).expanduser() if os.environ.get(ENV_VAR) else DEFAULT_VOCAB_DIR


@dataclasses.dataclass(frozen=True)
class VocabularyManifest:
    """What `manifest.json` records about a trained vocabulary."""

    sentencepiece_size: int  # pieces in the .model file (pad/eos/unk, positions, bytes, learnt)
    num_position_tokens: int
    num_sentinels: int
    training_files: dict[str, str]  # path -> sha256
    training_lines: int
    options: dict
    # id of <pos_0>: 3 in the project's vocabulary; a Hugging Face T5 checkpoint's vocabulary
    # appends the position tokens after its embedding rows (data/vocab/hf_vocabulary.py).
    first_position_id: int = FIRST_POSITION_ID

    @property
    def vocab_size(self) -> int:
        """All ids the model sees: SentencePiece pieces plus the sentinels."""
        return self.sentencepiece_size + self.num_sentinels

    def position_id(self, k: int) -> int:
        if not 0 <= k < self.num_position_tokens:
            raise ValueError(f"position {k} outside the {self.num_position_tokens} reserved tokens")
        return self.first_position_id + k

    def reserved_ranges(self) -> dict[str, list[int]]:
        """Half-open [start, end) id ranges of every reserved block."""
        if self.first_position_id != FIRST_POSITION_ID:  # a checkpoint's: positions appended
            return {"pad": [PAD_ID, PAD_ID + 1], "eos": [EOS_ID, EOS_ID + 1],
                    "unk": [UNK_ID, UNK_ID + 1],
                    "sentinels": [self.sentencepiece_size, self.vocab_size],
                    "positions": [self.first_position_id,
                                  self.first_position_id + self.num_position_tokens]}
        first_learnt = FIRST_POSITION_ID + self.num_position_tokens
        return {
            "pad": [PAD_ID, PAD_ID + 1],
            "eos": [EOS_ID, EOS_ID + 1],
            "unk": [UNK_ID, UNK_ID + 1],
            "positions": [FIRST_POSITION_ID, first_learnt],
            "bytes": [first_learnt, first_learnt + 256],
            "sentinels": [self.sentencepiece_size, self.vocab_size],
        }

    def to_json(self) -> dict:
        return {
            "vocab_size": self.vocab_size,
            "sentencepiece_size": self.sentencepiece_size,
            "num_position_tokens": self.num_position_tokens,
            "first_position_id": self.first_position_id,
            "num_sentinels": self.num_sentinels,
            "reserved_ranges": self.reserved_ranges(),
            "training_files": self.training_files,
            "training_lines": self.training_lines,
            "options": self.options,
        }

    @classmethod
    def from_json(cls, data: dict) -> VocabularyManifest:
        return cls(
            sentencepiece_size=data["sentencepiece_size"],
            num_position_tokens=data["num_position_tokens"],
            num_sentinels=data["num_sentinels"],
            training_files=data["training_files"],
            training_lines=data["training_lines"],
            options=data["options"],
            first_position_id=data.get("first_position_id", FIRST_POSITION_ID),
        )


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def train_vocabulary(
    texts: Iterable[str],
    output_dir: str | os.PathLike,
    *,
    training_files: dict[str, str],
    vocab_size: int = 16000,
    num_position_tokens: int = 513,
    num_sentinels: int = NUM_SENTINELS,
    max_training_lines: int = 1_000_000,
    seed: int = 0,
) -> VocabularyManifest:
    """Trains a unigram SentencePiece model on `texts` and writes model + manifest to output_dir.

    Args:
      texts: training text, one example per item (only training splits, never dev/test).
      output_dir: receives `textedit.model`, `textedit.vocab` and `manifest.json`.
      training_files: the files `texts` came from, name -> sha256 (see `file_sha256`).
      vocab_size: SentencePiece pieces, reserved ones included (sentinels come on top).
      num_position_tokens: EdiT5 `<pos_k>` tokens; the longest input of L pieces needs L + 1.
      max_training_lines: SentencePiece samples at most this many lines.
      seed: seeds SentencePiece's sampling, so the same inputs give the same model.
    """
    import sentencepiece as spm

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    options = dict(
        model_type="unigram",
        vocab_size=vocab_size,
        pad_id=PAD_ID,
        eos_id=EOS_ID,
        unk_id=UNK_ID,
        bos_id=-1,
        byte_fallback=True,
        normalization_rule_name="identity",
        character_coverage=0.9995,
        input_sentence_size=max_training_lines,
        shuffle_input_sentence=True,
        seed_sentencepiece_size=200_000,
        max_sentence_length=8192,
        num_threads=os.cpu_count() or 1,
    )
    lines = 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        with open(corpus, "w", encoding="utf-8") as f:
            for text in texts:
                for line in text.splitlines():  # SentencePiece reads one line per sentence
                    line = normalize_text(line)
                    if line:
                        f.write(line + "\n")
                        lines += 1
        if not lines:
            raise ValueError("train_vocabulary got no text to train on")
        spm.set_random_generator_seed(seed)
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(output_dir / "textedit"),
            control_symbols=[position_token(k) for k in range(num_position_tokens)],
            minloglevel=2,
            **options,
        )
    processor = spm.SentencePieceProcessor(model_file=str(output_dir / MODEL_FILE))
    manifest = VocabularyManifest(
        sentencepiece_size=processor.get_piece_size(),
        num_position_tokens=num_position_tokens,
        num_sentinels=num_sentinels,
        training_files=dict(training_files),
        training_lines=lines,
        options=options,
    )
    _check_layout(processor, manifest)
    (output_dir / MANIFEST_FILE).write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
    return manifest


def _check_layout(processor, manifest: VocabularyManifest) -> None:
    """Fails loudly if SentencePiece did not put the reserved pieces where the manifest says."""
    expected = {PAD_ID: "<pad>", EOS_ID: "</s>", UNK_ID: "<unk>"}
    for k in (0, manifest.num_position_tokens - 1):
        expected[manifest.position_id(k)] = position_token(k)
    for token_id, piece in expected.items():
        if processor.id_to_piece(token_id) != piece:
            raise RuntimeError(
                f"id {token_id} is {processor.id_to_piece(token_id)!r}, expected {piece!r}"
            )


def read_manifest(vocab_dir: str | os.PathLike | None = None) -> VocabularyManifest:
    """The manifest of a vocabulary directory; for a Hugging Face T5 checkpoint directory, the
    one computed from its config.json and spiece.model (data/vocab/hf_vocabulary.py)."""
    vocab_dir = Path(vocab_dir) if vocab_dir else default_vocab_dir()
    path = vocab_dir / MANIFEST_FILE
    from textedit.data.vocab.hf_vocabulary import hf_vocabulary_manifest, is_hf_t5_dir

    if is_hf_t5_dir(vocab_dir):
        return hf_vocabulary_manifest(vocab_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"No vocabulary at {vocab_dir} ({MANIFEST_FILE} missing). Train one with "
            f"`textedit data` or point {ENV_VAR} at an existing one."
        )
    return VocabularyManifest.from_json(json.loads(path.read_text()))


def get_vocabulary(vocab_dir: str | os.PathLike | None = None, num_sentinels: int = NUM_SENTINELS):
    """The vocabulary as a `seqio.SentencePieceVocabulary` (loaded lazily on first use).

    The model file need not exist yet when this is called (tasks are registered at import time);
    it must exist when the vocabulary first encodes or decodes. `vocab_dir` may be a Hugging
    Face T5 checkpoint directory: its spiece.model is the vocabulary.
    """
    import seqio

    return seqio.SentencePieceVocabulary(str(vocabulary_model_file(vocab_dir)),
                                         extra_ids=num_sentinels)


def vocabulary_model_file(vocab_dir: str | os.PathLike | None = None) -> Path:
    """The SentencePiece model of a vocabulary directory: its textedit.model, or the spiece.model
    of a Hugging Face T5 checkpoint directory (FileNotFoundError if that has none)."""
    from textedit.data.vocab.hf_vocabulary import hf_spiece_file, is_hf_t5_dir

    vocab_dir = Path(vocab_dir) if vocab_dir else default_vocab_dir()
    return hf_spiece_file(vocab_dir) if is_hf_t5_dir(vocab_dir) else vocab_dir / MODEL_FILE


WORD_START_MARK = "\u2581"  # SentencePiece's "▁": the piece begins a new (space-separated) word
_SENTINEL = re.compile(r"<extra_id_\d+>")


def word_start_table(vocabulary) -> np.ndarray:
    """bool [vocab_size]: True for the ids whose piece begins a word (it starts with "▁").

    A T5 sentinel `<extra_id_N>` is True too: it is a word of its own (LMCor separates the
    source and its candidates with sentinels, textedit/data/lmcor_inputs.py, and each word around
    one must be copyable without it). Every other id - a word-internal piece, a byte-fallback
    piece, a control symbol (pad, EOS, `<pos_k>`) - is False. A word is then a piece marked True
    followed by the unmarked pieces after it (the first piece of a sequence opens a word whatever
    its mark); word-aware EdiT5 conversion and inference group pieces this way.

    Args:
      vocabulary: a `seqio.SentencePieceVocabulary` (its model file must exist).
    """
    processor = vocabulary.tokenizer
    table = np.zeros(vocabulary.vocab_size, dtype=bool)
    for piece_id in range(processor.get_piece_size()):
        if processor.is_control(piece_id) or processor.is_unknown(piece_id):
            continue
        piece = processor.id_to_piece(piece_id)
        table[piece_id] = piece.startswith(WORD_START_MARK) or bool(_SENTINEL.fullmatch(piece))
    return table


def sentinel_table(vocabulary) -> np.ndarray:
    """bool [vocab_size]: True for the T5 sentinels `<extra_id_N>` (with or without the word
    mark "▁" that SentencePiece may give them), the LMCor segment separators.

    Args:
      vocabulary: a `seqio.SentencePieceVocabulary` (its model file must exist).
    """
    processor = vocabulary.tokenizer
    table = np.zeros(vocabulary.vocab_size, dtype=bool)
    for piece_id in range(processor.get_piece_size()):
        piece = processor.id_to_piece(piece_id).removeprefix(WORD_START_MARK)
        table[piece_id] = bool(_SENTINEL.fullmatch(piece))
    return table
