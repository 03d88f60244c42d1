"""The embedded default data: a few hundred clean English sentences that ship with the package,
made into learner-error pairs by the project's own noise generator.

    from textedit.data import embedded
    embedded.embedded_pairs("validation")[0]   # MultiReferenceExample(noised, (clean,))

What `textedit main` trains and evaluates on when no data directory is found (see
textedit/data/data_dir.py): enough to run the whole path from data to edited text without any
download, far too little to learn grammatical error correction.

Text: `sentences.txt`, 318 plain sentences written for this package (public domain): learner-essay
topics (school, family, travel, work, technology, city life, health, hobbies, the environment,
letters, opinions) and a few in the manner of 19th-century prose. Tokenised like the GEC data
(punctuation stands alone), so a noised sentence differs from its clean one only by the edits.

Splits: every VALIDATION_EVERY-th sentence (the 10th, 20th, ...) is validation, the others train;
no sentence is in both. Errors: `GecNoiser(ERROR_RATES, seed)` (textedit/data/noise/gec_noise.py)
at hand-set rates of about 13 errors per 100 tokens, a little above learner text, so most pairs
have something to correct. Each training sentence is noised TRAIN_COPIES times (keys 0, 1, ...;
identical pairs kept once), each validation sentence once (key 0). Deterministic: the pairs are a
function of the text, the seed and the keys, whatever the process or order.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from textedit.data.examples import MultiReferenceExample
from textedit.data.noise.gec_noise import ErrorRates, GecNoiser

SENTENCES_FILE = "sentences.txt"
# How the file is named in a vocabulary manifest (training files are keyed by relative path).
MANIFEST_NAME = "embedded/" + SENTENCES_FILE
TRAIN, VALIDATION = "train", "validation"
SPLITS = (TRAIN, VALIDATION)
VALIDATION_EVERY = 10
TRAIN_COPIES = 4
NOISE_SEED = 0
# Learnt SentencePiece pieces a vocabulary trained on this text gets (it supports up to ~880).
LEARNT_PIECES = 508


def max_vocab_size(num_position_tokens: int = 513) -> int:
    """SentencePiece pieces of a vocabulary trained on this text: pad / eos / unk, the position
    tokens, 256 byte pieces and LEARNT_PIECES."""
    return 3 + num_position_tokens + 256 + LEARNT_PIECES


# With the default 513 position tokens: 1,280 pieces + 100 sentinels = 1,380 ids, below the 1,408
# rows of gin/experiments/edit5_gec_embedded.gin.
VOCAB_SIZE = max_vocab_size()
# Errors per 10,000 tokens by ERRANT type (hand-set; ~13.4 per 100 tokens over the families).
ERROR_RATES = ErrorRates(
    {
        "R:DET": 100, "M:DET": 120, "U:DET": 60,
        "R:PREP": 120, "M:PREP": 50, "U:PREP": 40,
        "R:PUNCT": 40, "M:PUNCT": 120, "U:PUNCT": 30,
        "R:VERB:FORM": 80, "R:VERB:TENSE": 100,
        "R:NOUN:NUM": 120,
        "R:VERB:SVA": 80,
        "M:VERB": 40, "M:PRON": 40,
        "U:VERB": 30, "U:PRON": 20,
        "R:SPELL": 150,
    },
    tokens=10_000,
    files=("hand-set rates of textedit.data.embedded",),
)


def _resource():
    return resources.files(__name__) / SENTENCES_FILE


def sentences_bytes() -> bytes:
    return _resource().read_bytes()


def sentences_sha256() -> str:
    return hashlib.sha256(sentences_bytes()).hexdigest()


@functools.cache
def clean_sentences() -> tuple[str, ...]:
    """Every embedded sentence, in file order."""
    text = sentences_bytes().decode("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def split_sentences(split: str) -> list[str]:
    """The clean sentences of `split` ("train" or "validation")."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} of the embedded data; known: {SPLITS}")
    validation = split == VALIDATION
    return [s for i, s in enumerate(clean_sentences())
            if ((i + 1) % VALIDATION_EVERY == 0) == validation]


def noiser(seed: int = NOISE_SEED) -> GecNoiser:
    return GecNoiser(ERROR_RATES, seed=seed)


@functools.cache
def embedded_pairs(split: str, seed: int = NOISE_SEED) -> tuple[MultiReferenceExample, ...]:
    """(noised source, (clean target,)) pairs of `split`; train has up to TRAIN_COPIES noised
    versions of each sentence (identical pairs once), validation one."""
    noise = noiser(seed)
    copies = TRAIN_COPIES if split == TRAIN else 1
    pairs: dict[tuple[str, str], None] = {}
    for clean in split_sentences(split):
        for key in range(copies):
            pairs.setdefault((noise.corrupt(clean, key=key), clean))
    return tuple(MultiReferenceExample(source, (target,)) for source, target in pairs)


def training_texts() -> list[str]:
    """What a vocabulary trained on the embedded data reads: both sides of the train pairs."""
    texts = []
    for pair in embedded_pairs(TRAIN):
        texts.append(pair.source)
        texts.extend(pair.references)
    return texts


def training_texts_sha256() -> str:
    """Fingerprint of `training_texts()` (text, noise rates, seed and copies): the vocabulary
    manifest's record of what it was trained on."""
    return hashlib.sha256("\n".join(training_texts()).encode("utf-8")).hexdigest()


def describe() -> str:
    """One line: sentences, pairs per split and how many of them carry errors."""
    parts = []
    for split in SPLITS:
        pairs = embedded_pairs(split)
        changed = sum(p.source != p.references[0] for p in pairs)
        parts.append(f"{split} {len(pairs)} pairs ({changed} with errors)")
    return (f"{len(clean_sentences())} embedded English sentences with synthetic learner errors: "
            + ", ".join(parts))
