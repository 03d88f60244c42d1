"""Binary cross-entropy of a sentence classifier on a parallel task's pairs: the source (the
encoder input) is the negative class, its target the positive one.

    objective = pair_classifier_objective()     # e.g. simple (target) vs complex (source)

The batch is SeqIO's EncDecFeatureConverter output; the classifier (a
`textedit.models.constraints.SimplicityClassifier`) maps tokens int [b, t] -> logits float32 [b]
and is run twice, once on `encoder_input_tokens` and once on `decoder_target_tokens`. Both
sequences end with EOS, as the outputs MuCoCO scores do. Pairs whose target equals the source
(ASSET annotators sometimes kept a sentence) count in both classes; they cap the accuracy below
1 and are left in, since they are what "simple enough already" looks like.
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import LossOutput, Objective

PAIR_FEATURES = ("encoder_input_tokens", "decoder_target_tokens")


def pair_classifier_forward(model, batch, training: bool):
    """-> (logits of the sources [b], logits of the targets [b])."""
    return (model(batch["encoder_input_tokens"], training=training),
            model(batch["decoder_target_tokens"], training=training))


def binary_cross_entropy_sums(negative_logits, positive_logits):
    """Sums over the batch: -log sigmoid(positive) - log sigmoid(-negative), and the count of
    correctly classified sentences (logit > 0 for positives, <= 0 for negatives)."""
    loss = ops.sum(ops.softplus(-positive_logits)) + ops.sum(ops.softplus(negative_logits))
    correct = (ops.sum(ops.cast(positive_logits > 0, "float32"))
               + ops.sum(ops.cast(negative_logits <= 0, "float32")))
    return loss, correct


def pair_classifier_objective() -> Objective:
    """Loss per sentence (normalizer = 2 per pair); metric: accuracy."""

    def loss_fn(outputs, batch) -> LossOutput:
        negative, positive = outputs
        loss, correct = binary_cross_entropy_sums(negative, positive)
        count = ops.cast(2 * ops.shape(negative)[0], "float32")
        return LossOutput(loss_sum=loss, normalizer=count, metrics={"accuracy": correct})

    return Objective(name="pair_classifier", model_features=PAIR_FEATURES, loss_features=(),
                     loss_fn=loss_fn, forward_fn=pair_classifier_forward)
