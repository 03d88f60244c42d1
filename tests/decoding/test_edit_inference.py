"""EdiT5 inference: edit_step under XLA, the position constraint with a random model, realisation,
and the end-to-end check - overfit real converted examples, then edit_step + realise_batch must
give back the training targets."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.data import readers
from textedit.data.data_dir import data_path
from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
from textedit.data.edit5.edit_features import plan_to_features
from textedit.decoding.edit_inference import edit_batch, edit_step, realise_batch
from textedit.edits import KEEP, convert
from textedit.models import T5Config
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model
from textedit.objectives.edit5_loss import edit5_loss


def tiny_config(vocab_size, num_position_tokens, max_input_length, **t5) -> Edit5Config:
    t5 = T5Config.named("tiny", **{"vocab_size": vocab_size, "num_decoder_layers": 1,
                                   "dropout_rate": 0.0, **t5})
    return Edit5Config(t5=t5, num_position_tokens=num_position_tokens,
                       max_input_length=max_input_length)


# A random model whose vocabulary is mostly position tokens: ids 3 .. 32 are <pos_0> .. <pos_29>,
# 33 .. 39 are words, so untrained insertion logits pick position tokens often.
RANDOM_VOCAB, RANDOM_POSITIONS, WORDS = 40, 30, range(33, 40)
BATCH, LENGTH, INSERT = 12, 10, 12


@pytest.fixture(scope="module")
def random_model():
    keras.utils.set_random_seed(11)
    return Edit5Model(tiny_config(RANDOM_VOCAB, RANDOM_POSITIONS, LENGTH))


@pytest.fixture(scope="module")
def random_inputs():
    rng = np.random.default_rng(0)
    tokens = rng.choice(list(WORDS), size=(BATCH, LENGTH)).astype(np.int32)
    for row, length in enumerate(rng.integers(1, LENGTH + 1, size=BATCH)):
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    tokens[0, :] = 0  # an all-padding row
    return tokens


@pytest.fixture(scope="module")
def random_outputs(random_model, random_inputs):
    return edit_step(random_model, tf.constant(random_inputs), INSERT)


def test_edit_step_compiles_with_static_shapes(random_outputs):
    assert [tuple(x.shape) for x in random_outputs] == [(BATCH, LENGTH)] * 3 + [(BATCH, INSERT)]
    assert all(x.dtype == tf.int32 for x in random_outputs)
    assert edit_step._jit_compile  # one XLA computation, not a graph of separate kernels


def test_tags_and_pointers_are_a_valid_chain(random_outputs, random_inputs):
    tags, pointers, order = (x.numpy() for x in random_outputs[:3])
    mask = random_inputs != 0
    for row in range(BATCH):
        n = int(mask[row].sum())
        assert not tags[row, n:].any()
        if n:
            assert tags[row, n - 1] == KEEP  # START (EOS) is always kept
        kept = [j for j in range(n - 1) if tags[row, j] == KEEP]
        assert sorted(o for o in order[row] if o >= 0) == kept
        assert sorted(pointers[row]) == list(range(LENGTH))


def test_random_model_never_breaks_the_position_constraint(random_outputs, random_inputs):
    tags = random_outputs.tags.numpy()
    tokens = random_outputs.insertion_tokens.numpy()
    first = 3
    emitted = 0
    for row in range(BATCH):
        num_kept = max(int(tags[row].sum()) - 1, 0)  # START excluded
        previous = 0
        for token in tokens[row]:
            if token == 1:
                break
            if first <= token < first + RANDOM_POSITIONS:
                k = int(token) - first
                assert previous <= k <= num_kept, (row, tokens[row], num_kept)
                previous = k
                emitted += 1
    assert emitted >= BATCH  # not vacuous: the random model does emit position tokens


def test_realise_batch_of_random_outputs_gives_valid_plans(random_outputs, random_inputs):
    edits = realise_batch(random_inputs, *(x.numpy() for x in random_outputs[:2]),
                          random_outputs.insertion_tokens.numpy(), first_position_id=3,
                          num_position_tokens=RANDOM_POSITIONS)
    assert len(edits) == BATCH and edits[0].tokens == [] and edits[0].plan.tags == ()
    for row, edit in enumerate(edits):
        kept = [int(random_inputs[row, j]) for j in edit.plan.validate()]
        inserted = sum(len(span) for _, span in edit.plan.insertions)
        assert len(edit.tokens) == len(kept) + inserted


def test_realise_batch_of_the_docstring_example():
    # "A long user query" -> "The user query is very long" (edit_features' docstring).
    edits = realise_batch([[10, 11, 12, 13, 1, 0]], [[0, 1, 1, 1, 1, 0]], [[0, 4, 3, 1, 2, 5]],
                          [[3, 20, 5, 21, 22, 1, 0]], first_position_id=3, num_position_tokens=9)
    assert edits[0].tokens == [20, 12, 13, 21, 22, 11]
    assert edits[0].plan.order() == (2, 3, 1)


# End to end ---------------------------------------------------------------------------------------

# Short W&I dev pairs with insertions, deletions, replacements and two re-orderings, as word ids.
SOURCES = [
    "There are many local foods very popular .",
    "He read in the newspaper an interesting noticie .",
    "I am waiting yours answer .",
    "The first place was gotting by us .",
    "My favourite sport is football game .",
    "The lessons are very funny",
]
LENGTHS = {"inputs": 12, "decoder_targets": 10}
POSITIONS = 12


@pytest.fixture(scope="module")
def overfit():
    """A tiny EdiT5 trained for 40 XLA steps on the converted pairs; its losses and data."""
    pairs = {p.source: p.target for p in readers.read_m2_pairs(data_path("gec/wi.A.dev.m2"))}
    targets = [pairs[source].split() for source in SOURCES]
    words = sorted({w for source, target in zip(SOURCES, targets, strict=True)
                    for w in source.split() + target})
    ids = {word: 3 + POSITIONS + i for i, word in enumerate(words)}
    examples, target_ids, plans = [], [], []
    for source, target in zip(SOURCES, targets, strict=True):
        source_ids, target_ids_row = [ids[w] for w in source.split()], [ids[w] for w in target]
        plan = convert(source_ids, target_ids_row, max_positions=POSITIONS)
        features = plan_to_features(plan, position_id=lambda k: 3 + k, eos_id=1)
        examples.append({"inputs": np.asarray(source_ids + [1], np.int32), "tags": features["tags"],
                         "pointers": features["pointers"],
                         "decoder_targets": features["decoder_targets"]})
        target_ids.append(target_ids_row)
        plans.append(plan)
    assert sum(plan.is_reordered() for plan in plans) == 2
    assert all(plan.insertions for plan in plans[1:4]) and not plans[4].insertions
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(examples),
        output_signature={name: tf.TensorSpec([None], tf.int32) for name in examples[0]})
    batch = next(EditFeatureConverter()(dataset, LENGTHS).batch(len(examples)).as_numpy_iterator())
    batch = {name: tf.constant(value) for name, value in batch.items()}

    keras.utils.set_random_seed(0)
    config = tiny_config(3 + POSITIONS + len(words), POSITIONS, LENGTHS["inputs"],
                         num_encoder_layers=1)
    model = Edit5Model(config)
    optimizer = keras.optimizers.Adam(1e-2)
    optimizer.build(model.trainable_variables)

    @tf.function(jit_compile=True)
    def train_step(batch):
        with tf.GradientTape() as tape:
            total, parts = edit5_loss(model(batch, training=True), batch,
                                      config.loss_weights(), reduction="sum")
        gradients = tape.gradient(total, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return total, parts

    history = [train_step(batch) for _ in range(40)]
    return {"model": model, "batch": batch, "targets": target_ids, "history": history}


def test_overfitting_drives_every_loss_down(overfit):
    history = overfit["history"]
    first, (last_total, last_parts) = history[0][0], history[-1]
    assert float(last_total) < 0.02 * float(first)
    for part in ("tag", "pointer", "insertion"):
        assert float(last_parts[f"{part}_accuracy"]) == 1.0, part


def test_edit_step_after_overfitting_reproduces_the_targets(overfit):
    batch = overfit["batch"]
    edits = edit_batch(overfit["model"], batch["encoder_input_tokens"],
                       LENGTHS["decoder_targets"])
    assert [edit.tokens for edit in edits] == overfit["targets"]
    # The predicted triple is the gold one, not just the same text.
    outputs = edit_step(overfit["model"], batch["encoder_input_tokens"],
                        LENGTHS["decoder_targets"])
    np.testing.assert_array_equal(outputs.tags.numpy(), batch["tags"].numpy())
    np.testing.assert_array_equal(outputs.pointers.numpy(), batch["pointers"].numpy())
    np.testing.assert_array_equal(outputs.insertion_tokens.numpy(),
                                  batch["decoder_target_tokens"].numpy())
