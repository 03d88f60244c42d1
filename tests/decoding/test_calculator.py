"""The GSM8K calculator: it reproduces every written result of the real training annotations,
fires only on an open annotation, and in decoding writes `result>>result` where the model wrote
`=`."""

import re
from fractions import Fraction

import numpy as np
import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.gsm8k_reader import read_gsm8k
from textedit.decoding.calculator_text import (
    calculator_result,
    evaluate_expression,
    expression_value,
    format_result,
    open_expression,
    written_result_agrees,
)

ANNOTATION = re.compile(r"<<([^<>]*)=([^<>=]*)>>")


def test_reproduces_the_written_results_of_every_training_annotation():
    annotations = [m.groups() for p in read_gsm8k(data_path("math/gsm8k.train.jsonl"))
                   for m in ANNOTATION.finditer(p.answer)]
    assert len(annotations) == 23_716
    assert all(written_result_agrees(expression, written) for expression, written in annotations)
    # Written exactly as the calculator writes it (integers bare, else up to 2 decimals): the
    # rest are "5.00"-style money amounts and "0.33"-style roundings of the same values.
    same = sum(evaluate_expression(e) == w for e, w in annotations)
    assert same == 23_048
    assert all(evaluate_expression(e) == format_result(Fraction(w.replace(",", "")))
               for e, w in annotations if "." in w and evaluate_expression(e) != w
               and len(w.split(".")[1]) <= 2 and w.replace(".", "").isdigit()
               and Fraction(w) == expression_value(e))


@pytest.mark.parametrize("expression, result", [
    ("48/2", "24"), ("48+24", "72"), ("2*(3+4)", "14"), ("1,000*3", "3000"), ("1/3", "0.33"),
    ("2**3", "8"), ("560//10", "56"), ("-5+2", "-3"), ("0.1+0.2", "0.3"), ("7/2", "3.5"),
    ("5/0", None), ("x+1", None), ("__import__('os')", None), ("2**1000", None), ("", None)])
def test_evaluate_expression(expression, result):
    assert evaluate_expression(expression) == result


def test_fires_only_at_the_equals_of_an_open_annotation():
    assert open_expression("She sold 48/2 = <<48/2=") == "48/2"
    assert calculator_result("She sold 48/2 = <<48/2=") == "24"
    assert calculator_result("She sold 48/2 =") is None                 # no annotation
    assert calculator_result("<<48/2=24>>24 and 3 =") is None            # closed before
    assert calculator_result("<<48/2=24") is None                       # answered already
    assert calculator_result("<<48/x=") is None                         # not arithmetic


# --- decoding ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def math_vocabulary(tmp_path_factory):
    """A 400-piece vocabulary trained on the first 1,500 GSM8K solutions."""
    from textedit.data.vocab.selectable_vocabulary import SelectableVocabulary
    from textedit.data.vocab.vocabulary import file_sha256, train_vocabulary

    path = data_path("math/gsm8k.train.jsonl")
    texts = [p.answer for p in read_gsm8k(path)[:1500]]
    directory = tmp_path_factory.mktemp("math_vocab")
    train_vocabulary(texts, directory, training_files={"gsm8k": file_sha256(path)},
                     vocab_size=400, num_position_tokens=8)
    return SelectableVocabulary(directory)


class TrigramModel:
    """A stand-in decoder: the next piece is a fixed function of the last two (`successor`
    [vocab, vocab], the one before kept in the cache), enough to follow a script and to show
    what the calculator changed."""

    def __init__(self, successor: np.ndarray):
        import tensorflow as tf

        self.table = tf.constant(successor, tf.int32)
        self.config = type("Config", (), {"decoder_start_id": 0,
                                          "vocab_size": len(successor)})()

    def encode(self, tokens):
        import tensorflow as tf

        return tf.zeros(tf.shape(tokens), tf.float32)[..., None], tf.ones(tf.shape(tokens))

    def init_cache(self, rows, max_length, hidden, mask):
        import tensorflow as tf

        return {"previous": tf.zeros([rows], tf.int32)}

    def decode_step(self, token, cache, index):
        import tensorflow as tf

        pairs = tf.stack([cache["previous"], token[:, 0]], axis=1)
        following = tf.gather_nd(self.table, pairs)
        return (tf.one_hot(following, self.config.vocab_size) * 10.0,
                {"previous": token[:, 0]})


def script_model(vocabulary, *scripts: str) -> TrigramModel:
    """A TrigramModel that writes `scripts[0]` from the start, then EOS; the other scripts
    (texts the calculator forces, and how the model goes on) only add missing transitions."""
    rows = vocabulary.vocab_size
    successor = np.ones((rows, rows), np.int32)  # EOS after anything off the scripts
    for number, script in enumerate(scripts):
        pieces = [0, 0] + list(vocabulary.encode(script)) + [1]
        for a, b, c in zip(pieces, pieces[1:], pieces[2:], strict=False):
            assert number or successor[a, b] in (1, c), f"{script!r} repeats a pair of pieces"
            if successor[a, b] == 1:
                successor[a, b] = c
    return TrigramModel(successor)


def decoded(vocabulary, tokens) -> list[str]:
    return [vocabulary.decode(row.tolist()) for row in np.asarray(tokens)]


def test_calculator_decode_writes_the_result(math_vocabulary):
    from textedit.decoding.calculator import calculator_decode
    from textedit.decoding.greedy import greedy_decode

    vocabulary = math_vocabulary
    script = "Tom pays 2 times 3 = <<2*3=5>>5 in all."
    # The model's own copy after ">>" would be wrong ("5"); the calculator writes "6>>6".
    corrected = "Tom pays 2 times 3 = <<2*3=6>>6"
    bare = "Tom pays 2 times 3 = <<2*3=6>>"
    # After the calculator's text, the model goes on with " in all." (transitions the corrected
    # texts' pieces need, since the calculator encodes the text again); without the repeated
    # result it writes its own copy, "5", as it learnt to.
    model = script_model(vocabulary, script, corrected + " in all.", bare + "5 in all.")
    sources = np.ones((2, 3), np.int32)
    plain = decoded(vocabulary, greedy_decode(model, sources, 40))
    assert plain == [script, script]
    calls = []
    tokens = calculator_decode(model, vocabulary, sources, 40, calls=calls)
    assert decoded(vocabulary, tokens) == [corrected + " in all."] * 2
    assert calls == [1, 1]
    assert np.asarray(tokens).shape == (2, 40) and (np.asarray(tokens)[:, -1] == 0).all()
    tokens = calculator_decode(model, vocabulary, sources, 40, repeat_result=False)
    assert decoded(vocabulary, tokens) == [bare + "5 in all."] * 2


def test_calculator_decode_without_annotations_equals_greedy(math_vocabulary):
    from textedit.decoding.calculator import calculator_decode
    from textedit.decoding.greedy import greedy_decode

    vocabulary = math_vocabulary
    model = script_model(vocabulary, "So x = 5 and the total is 12.")
    sources = np.ones((1, 3), np.int32)
    calls = []
    tokens = calculator_decode(model, vocabulary, sources, 48, calls=calls)
    np.testing.assert_array_equal(tokens, np.asarray(greedy_decode(model, sources, 48)))
    assert calls == [0]
