"""On-policy token-level distillation (generalised KD, Agarwal et al. 2024): the student writes
part of each batch's targets itself and the teacher scores every token it wrote,
docs/algorithms.md#distillation.

Supervised distillation (textedit/objectives/distill.py) only ever shows the student prefixes of
the references, while at decoding time it conditions on its own outputs. Here, each train step:

  1. the first m = round(λ b) rows of the batch (λ = `on_policy_fraction`) get a target sampled
     from the current student with its cached decoder (textedit/decoding/response_samples.py), the
     same length t as the references, weights 1 up to and including its EOS;
  2. the student and the frozen teacher are both run teacher-forced on the whole batch, whose
     rows are now m student samples followed by b − m references (one forward pass each);
  3. per target position with weight w_t:

        sampled rows:    τ² · KL(p_T || p_S)                                 (no reference)
        reference rows:  (1 − α) · ce_t + α · τ² · KL(p_T || p_S)            (as `distill`)

     summed and divided by Σ w over all rows. The z-loss is taken on the reference rows.

λ = 0 is supervised distillation exactly; λ = 1 is purely on-policy (the references are only
read for their length). Samples are drawn at `sample_temperature` (1: the student's own
distribution) from a stateless seed of (seed, step) kept in the checkpoint, so a resumed run draws
what it would have. The model is a seq2seq T5 (`encode` / `init_cache` / `decode_step`).

Metrics: cross_entropy (reference rows), kl (all rows), on_policy_kl (sampled rows),
sample_tokens (mean tokens per sample, EOS included), token_accuracy (reference rows).
"""

from __future__ import annotations

from keras import ops

from textedit.decoding.response_samples import response_features, sample_responses
from textedit.objectives.distill import check_distill_settings, kl_divergence, log_softmax
from textedit.objectives.objective import LossOutput, Objective, call_model
from textedit.objectives.seq2seq import (
    SEQ2SEQ_LOSS_FEATURES,
    SEQ2SEQ_MODEL_FEATURES,
    seq2seq_cross_entropy,
)
from textedit.training.sample_counter import SampleCounter


def sampled_rows(batch_size: int, on_policy_fraction: float) -> int:
    """m = round(λ b), the number of rows whose targets the student samples."""
    if batch_size is None:
        raise ValueError("on-policy distillation needs a static batch size (the trainer's "
                         "per-replica batch); got an unknown one")
    return int(round(on_policy_fraction * batch_size))


def mix_in_samples(batch, samples, start_id: int):
    """The batch with its first m rows' decoder features replaced by the student's samples.

    Args:
      batch: decoder_input_tokens, decoder_target_tokens, decoder_loss_weights, all [b, t].
      samples: int32 [m, t] sampled rows (`sample_responses`), m <= b.

    Returns:
      (decoder_input_tokens int32 [b, t], targets int32 [b, t], weights float32 [b, t],
       is_sampled float32 [b, 1]: 1 on the m sampled rows).
    """
    m = samples.shape[0]
    b = batch["decoder_target_tokens"].shape[0]
    sample_inputs, sample_weights = response_features(samples, start_id)

    def joined(sampled, reference, dtype):
        return ops.concatenate([ops.cast(sampled, dtype), ops.cast(reference[m:], dtype)], axis=0)

    inputs = joined(sample_inputs, batch["decoder_input_tokens"], "int32")
    targets = joined(samples, batch["decoder_target_tokens"], "int32")
    weights = joined(sample_weights, batch["decoder_loss_weights"], "float32")
    is_sampled = ops.reshape(ops.cast(ops.arange(b) < m, "float32"), (b, 1))
    return inputs, targets, weights, is_sampled


def on_policy_distill_objective(teacher, *, on_policy_fraction: float = 0.5,
                                kl_weight: float = 0.5, temperature: float = 1.0,
                                sample_temperature: float = 1.0, label_smoothing: float = 0.0,
                                z_loss: float = 1e-4, seed: int = 0) -> Objective:
    """Distillation on a mix of the student's samples and the references (module docstring).

    Args:
      teacher: a built seq2seq model of the student's vocabulary; frozen here.
      on_policy_fraction: λ in [0, 1], the share of each batch's rows the student samples.
      kl_weight, temperature: α and τ of `distill` (reference rows); the sampled rows have no
        cross-entropy, so their loss is τ² · KL whatever α is.
      sample_temperature: > 0, the temperature the student samples at.
      label_smoothing, z_loss: of the cross-entropy on the reference rows.
      seed: the run's sampling seed.
    """
    check_distill_settings(kl_weight, temperature)
    if not 0.0 <= on_policy_fraction <= 1.0:
        raise ValueError(f"on_policy_fraction={on_policy_fraction}: expected a value in [0, 1]")
    if sample_temperature <= 0.0:
        raise ValueError(f"sample_temperature={sample_temperature}: expected a positive value")
    teacher.trainable = False
    counter = SampleCounter(seed, name="distill_sample_step")

    def forward_fn(model, batch, training):
        prompts = batch["encoder_input_tokens"]
        m = sampled_rows(prompts.shape[0], on_policy_fraction)
        length = batch["decoder_target_tokens"].shape[1]
        if m > 0:
            samples = ops.stop_gradient(sample_responses(
                model, prompts[:m], length, counter.seed_for(0), temperature=sample_temperature))
            inputs, targets, weights, is_sampled = mix_in_samples(
                batch, samples, model.config.decoder_start_id)
        else:
            inputs, targets = batch["decoder_input_tokens"], batch["decoder_target_tokens"]
            weights = ops.cast(batch["decoder_loss_weights"], "float32")
            is_sampled = ops.zeros((prompts.shape[0], 1), "float32")
        features = {"encoder_input_tokens": prompts, "decoder_input_tokens": inputs}
        student_logits = call_model(model, features, SEQ2SEQ_MODEL_FEATURES, training)
        teacher_logits = ops.stop_gradient(
            call_model(teacher, features, SEQ2SEQ_MODEL_FEATURES, False))
        return {"student": student_logits, "teacher": teacher_logits, "targets": targets,
                "weights": weights, "is_sampled": is_sampled}

    def loss_fn(outputs, batch) -> LossOutput:
        del batch  # the mixed targets and weights come with the outputs
        weights, is_sampled = outputs["weights"], outputs["is_sampled"]
        reference_weights = weights * (1.0 - is_sampled)
        ce = seq2seq_cross_entropy(outputs["student"], outputs["targets"], reference_weights,
                                   label_smoothing, z_loss)
        kl = kl_divergence(log_softmax(outputs["teacher"], temperature),
                           log_softmax(outputs["student"], temperature))  # [b, t]
        kl_reference = ops.sum(kl * reference_weights)
        kl_sampled = ops.sum(kl * weights * is_sampled)
        loss = ((1.0 - kl_weight) * ce.cross_entropy + kl_weight * temperature**2 * kl_reference
                + temperature**2 * kl_sampled + ce.z_loss)
        sampled_weight = ops.sum(weights * is_sampled)
        return LossOutput(loss_sum=loss, normalizer=ops.sum(weights), metrics={
            "cross_entropy": (ce.cross_entropy, ce.weight),
            "token_accuracy": (ce.correct, ce.weight),
            "kl": kl_reference + kl_sampled,
            "on_policy_kl": (kl_sampled, sampled_weight),
            "sample_tokens": (sampled_weight, ops.sum(is_sampled)),
            "z_loss": ce.z_loss})

    def after_update_fn(model):
        del model
        counter.advance()

    return Objective("on_policy_distill", ("encoder_input_tokens",),
                     SEQ2SEQ_LOSS_FEATURES + ("decoder_input_tokens",), loss_fn,
                     forward_fn=forward_fn, after_update_fn=after_update_fn,
                     state={"distill_sample_step": [counter.variable]})
