"""lm_clean_text (tasks/language_model.py) on the real clean_text validation split: plain text
with no inputs, every token of the sentence predicted under the LM feature converter; and the
decoder-only formatting of a text-to-text task (prompt = source + EOS, loss on the target only)."""

import numpy as np
import seqio

import tasks.language_model  # noqa: F401  (registers lm_clean_text)
from textedit.data.dataset_catalog import VALIDATION, load_split
from textedit.data.vocab.vocabulary import EOS_ID


def test_lm_task_is_the_clean_sentences_as_targets(tiny_vocab):
    task = seqio.get_mixture_or_task("lm_clean_text")
    assert set(task.output_features) == {"targets"}
    sentences = [e.source for e in load_split("clean_text", VALIDATION).examples]
    dataset = seqio.get_dataset("lm_clean_text", {"targets": 256},
                                seqio.LMFeatureConverter(pack=False), dataset_split=VALIDATION,
                                shuffle=False)
    vocabulary = task.output_features["targets"].vocabulary
    for sentence, example in zip(sentences, dataset.take(3).as_numpy_iterator(), strict=False):
        targets, weights = example["decoder_target_tokens"], example["decoder_loss_weights"]
        length = int(weights.sum())
        assert targets[length - 1] == EOS_ID and np.all(weights[:length] == 1)
        assert vocabulary.decode(targets[:length - 1].tolist()) == sentence
        np.testing.assert_array_equal(example["decoder_input_tokens"][1:length],
                                      targets[:length - 1])  # shifted right, 0 first


def test_decoder_only_formatting_scores_the_target_only(tiny_vocab):
    import tasks.pretraining  # noqa: F401  (pretrain_edit_noise: a text-to-text task)

    converter = seqio.PrefixLMFeatureConverter(pack=False, loss_on_targets_only=True)
    dataset = seqio.get_dataset("pretrain_edit_noise", {"inputs": 96, "targets": 96}, converter,
                                dataset_split=VALIDATION, shuffle=False)
    example = next(dataset.as_numpy_iterator())
    plain = next(seqio.get_mixture_or_task("pretrain_edit_noise").get_dataset(
        {"inputs": 96, "targets": 96}, split=VALIDATION, shuffle=False).as_numpy_iterator())
    inputs, targets = plain["inputs"], plain["targets"]
    sequence = np.concatenate([inputs, targets])
    n = len(sequence)
    np.testing.assert_array_equal(example["decoder_target_tokens"][:n], sequence)
    np.testing.assert_array_equal(example["decoder_loss_weights"][:n],
                                  [0] * len(inputs) + [1] * len(targets))
    assert inputs[-1] == EOS_ID  # the token the first decoding step feeds (decoder_start_id)
