"""Run directories as `textedit train` leaves them, for models made inside a test."""


def save_run(run_dir, model, vocab_dir, step: int = 1) -> None:
    """Writes model.json, vocab/ (copied from `vocab_dir`) and checkpoints/ckpt-`step` (with a
    built AdamW optimizer) for a built Keras `model` into `run_dir`."""
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.training.checkpoints import RunCheckpoints
    from textedit.training.optimizers import make_optimizer

    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    write_model_config(run_dir, model)
    copy_vocabulary(run_dir, vocab_dir)
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(step)


TINY_VOCAB_ROWS = 2176  # the tiny test vocabulary's 2,000 pieces + position tokens, rounded up


def tiny_t5_config():
    """T5 "tiny" over the tiny test vocabulary: one decoder layer, no dropout."""
    from textedit.models import T5Config

    return T5Config.named("tiny", vocab_size=TINY_VOCAB_ROWS, num_decoder_layers=1,
                          dropout_rate=0.0)


def built_tiny_t5(seed: int = 0):
    """A randomly initialised, built `T5EncoderDecoder` of `tiny_t5_config()` (seeded)."""
    import keras
    import tensorflow as tf

    from textedit.models import T5EncoderDecoder

    keras.utils.set_random_seed(seed)
    model = T5EncoderDecoder(tiny_t5_config())
    model({"encoder_input_tokens": tf.zeros([1, 8], tf.int32),
           "decoder_input_tokens": tf.zeros([1, 4], tf.int32)})
    return model
