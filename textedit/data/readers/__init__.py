"""Index of the data readers: every public reader function and record type, in one namespace.

    from textedit.data import readers
    pairs = readers.read_m2_pairs(data_path("gec/wi.A.train.m2"))

Every reader takes a path and `skip: SkipReport | None = None`, returns a list, and raises
`MalformedInputError` (file, 1-based line, what was expected) for a bad record unless `skip` is
given, in which case the record is counted there.
"""

from textedit.data.examples import MultiReferenceExample, ParallelExample
from textedit.data.readers.corpus_readers import (
    TaggedSentence,
    decode_corpus_text,
    read_corpus_dir,
    read_plain_corpus,
    read_tagged_corpus,
)
from textedit.data.readers.fce_reader import (
    CharEdit,
    EssaySentence,
    FCEEssay,
    apply_char_edits,
    read_fce_essays,
    read_fce_pairs,
    split_essay,
)
from textedit.data.readers.fusion_readers import read_bisect_fusion, read_wikisplit_fusion
from textedit.data.readers.gsm8k_reader import GSM8KExample, read_gsm8k
from textedit.data.readers.line_aligned_reader import LineCountMismatchError, read_line_aligned
from textedit.data.readers.m2_reader import (
    M2Edit,
    M2Sentence,
    read_m2,
    read_m2_pairs,
    read_m2_references,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport
from textedit.data.readers.preference_reader import PreferencePair, read_hh_preferences
from textedit.data.readers.sentence_splitter import split_sentences

__all__ = [
    "CharEdit",
    "EssaySentence",
    "FCEEssay",
    "GSM8KExample",
    "LineCountMismatchError",
    "M2Edit",
    "M2Sentence",
    "MalformedInputError",
    "MultiReferenceExample",
    "ParallelExample",
    "PreferencePair",
    "SkipReport",
    "TaggedSentence",
    "apply_char_edits",
    "decode_corpus_text",
    "read_bisect_fusion",
    "read_corpus_dir",
    "read_fce_essays",
    "read_fce_pairs",
    "read_gsm8k",
    "read_hh_preferences",
    "read_line_aligned",
    "read_m2",
    "read_m2_pairs",
    "read_m2_references",
    "read_plain_corpus",
    "read_tagged_corpus",
    "read_wikisplit_fusion",
    "split_essay",
    "split_sentences",
]
