"""The word-aware EdiT5 conversion is exact on ocr_correct pairs (edit5_ocr_correct's data):
realise(convert_words(s, t)) == t with no edit inside a word, on the first 2,000 train pairs and
every validation pair, in SentencePiece ids of the tiny vocabulary (conftest)."""

import pytest

from textedit.edits import convert_words, realise, word_violations


@pytest.mark.slow
def test_word_round_trip_on_ocr_correct(tiny_vocab):
    from tasks.ocr_correct import load_ocr_split
    from textedit.data.data_dir import DataFileNotFoundError
    from textedit.data.vocab.vocabulary import get_vocabulary, word_start_table

    table = word_start_table(get_vocabulary()).tolist()
    encoder = get_vocabulary().tokenizer
    for split, limit, minimum in (("train", 2000, 2000), ("validation", None, 1993)):
        try:
            examples = load_ocr_split(split, skip_bad_lines=False).examples[:limit]
        except DataFileNotFoundError as error:
            pytest.skip(str(error))
        assert len(examples) >= minimum
        sources = encoder.encode([e.source for e in examples])
        targets = encoder.encode([e.references[0] for e in examples])
        failures = []
        for source, target in zip(sources, targets, strict=True):
            source_start = [table[i] for i in source]
            target_start = [table[i] for i in target]
            plan = convert_words(source, target, source_start, target_start, min_moved_run=2)
            if realise(source, plan) != target or word_violations(
                    source, target, source_start, target_start, plan) != (0, 0):
                failures.append((encoder.decode(source), encoder.decode(target)))
        assert not failures, f"{split}: {len(failures)} of {len(examples)}: {failures[:3]}"
