"""The trained vocabulary: reserved ids, manifest, SeqIO wrapper, round trip on JFLEG dev."""

import json

from textedit.data.data_dir import data_path
from textedit.data.vocab.vocabulary import (
    EOS_ID,
    MANIFEST_FILE,
    PAD_ID,
    UNK_ID,
    default_vocab_dir,
    get_vocabulary,
    normalize_text,
    position_token,
)
from textedit.data.vocab.vocabulary_corpus import training_files


def test_reserved_ids_and_sentinels(tiny_vocab):
    vocab = get_vocabulary()
    sp = vocab.tokenizer
    assert (sp.id_to_piece(PAD_ID), sp.id_to_piece(EOS_ID), sp.id_to_piece(UNK_ID)) == (
        "<pad>", "</s>", "<unk>")
    last = tiny_vocab.num_position_tokens - 1
    assert sp.id_to_piece(tiny_vocab.position_id(0)) == "<pos_0>"
    assert sp.id_to_piece(tiny_vocab.position_id(last)) == position_token(last)
    # T5 convention: sentinels at the very top, <extra_id_0> highest.
    assert vocab.vocab_size == tiny_vocab.vocab_size == tiny_vocab.sentencepiece_size + 100
    assert vocab.decode([vocab.vocab_size - 1]) == "<extra_id_0>"
    assert vocab.encode("<extra_id_99>") == [tiny_vocab.sentencepiece_size]
    first_learnt = tiny_vocab.reserved_ranges()["bytes"][1]
    assert first_learnt < tiny_vocab.sentencepiece_size


def test_position_tokens_cannot_come_from_text(tiny_vocab):
    vocab = get_vocabulary()
    positions = range(*tiny_vocab.reserved_ranges()["positions"])
    ids = vocab.encode("insert <pos_3> here <pos_0>")
    assert not set(ids) & set(positions)
    assert vocab.decode(ids) == "insert <pos_3> here <pos_0>"


def test_manifest_records_ranges_and_files(tiny_vocab):
    manifest = json.loads((default_vocab_dir() / MANIFEST_FILE).read_text())
    assert manifest["vocab_size"] == tiny_vocab.vocab_size
    assert manifest["reserved_ranges"]["positions"] == [3, 3 + tiny_vocab.num_position_tokens]
    assert manifest["reserved_ranges"]["sentinels"][1] == manifest["vocab_size"]
    assert list(manifest["training_files"]) == ["gec/wi.A.train.m2"]
    assert len(manifest["training_files"]["gec/wi.A.train.m2"]) == 64  # sha256 hex


def test_normalisation_rules():
    assert normalize_text("  two   spaces\tand a tab  ") == "two spaces and a tab"
    assert normalize_text("café ½ “quotes”") == "café ½ “quotes”"  # no Unicode normalisation


def test_round_trip_every_jfleg_dev_line(tiny_vocab):
    vocab = get_vocabulary()
    lines = data_path("gec/jfleg.dev.src").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 754
    failures = [s for s in lines if vocab.decode(vocab.encode(s)) != normalize_text(s)]
    assert not failures, failures[:3]


def test_round_trip_unseen_characters_use_byte_fallback(tiny_vocab):
    vocab = get_vocabulary()
    text = "Zürich 東京 ½ — ok"
    ids = vocab.encode(text)
    assert UNK_ID not in ids
    assert vocab.decode(ids) == text


def test_tf_and_python_encoders_agree(tiny_vocab):
    vocab = get_vocabulary()
    text = "I has a apple , she said ."
    assert list(vocab.encode_tf(text).numpy()) == vocab.encode(text)


def test_vocabulary_never_reads_validation_or_test_files():
    """Files used only by validation/test splits are never read for the vocabulary.

    (Data sets hash-split from one file share that file; their train split holds only the
    train-side examples, which tests/test_tasks.py checks never meet validation.)"""
    from textedit.data.dataset_catalog import DATASETS, TRAIN

    train_files, held_out = set(), set()
    for spec in DATASETS.values():
        for split in spec.splits:
            files = {str(data_path(f)) for f in spec.files(split) if _exists(f)}
            (train_files if split == TRAIN else held_out).update(files)
    held_out -= train_files
    assert any("jfleg.dev" in f for f in held_out) and any("wi.A.dev" in f for f in held_out)
    assert not held_out & {str(p) for p in training_files()}


def _exists(relative):
    try:
        data_path(relative)
        return True
    except FileNotFoundError:
        return False
