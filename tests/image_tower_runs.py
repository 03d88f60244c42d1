"""Tiny seq2seq runs with an image tower for inference tests: a run directory as `textedit train`
leaves it (model.json, run.json, vocab/, checkpoints/ckpt-7), randomly initialised.

Images are 16 x 64 (`render_line(text, *IMAGE_SHAPE)` draws them) so the tower is 8 patches and
compiles quickly; the production size (32 x 512) goes through the same code.
"""

from textedit.models import ImageTowerConfig, T5Config

IMAGE_SHAPE = (16, 64)
TINY_TOWER = ImageTowerConfig(image_height=16, image_width=64, patch_height=16, patch_width=8,
                              width=16, num_layers=1, num_heads=2, mlp_dim=32)
INPUT_LENGTH, DECODE_LENGTH = 16, 8
TEXTS = ["The rnodern office is c1osed .", "She go to school .", "Ok ."]


def tiny_t5_config(vocab_rows: int = 2176) -> T5Config:
    return T5Config.named("tiny", vocab_size=vocab_rows, num_decoder_layers=1, dropout_rate=0.0)


def make_seq2seq_run(run_dir, vocab_dir, tower: ImageTowerConfig | None = TINY_TOWER,
                     seed: int = 0):
    """Writes the run into `run_dir` and returns its model (T5WithImageTower; without a tower
    it equals a T5EncoderDecoder)."""
    import keras

    from textedit.models import T5WithImageTower
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.runs.run_settings import RunSettings, write_run_settings
    from textedit.training.checkpoints import RunCheckpoints
    from textedit.training.optimizers import make_optimizer

    keras.utils.set_random_seed(seed)
    model = T5WithImageTower(tiny_t5_config(), tower, name="t5")
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    write_model_config(run_dir, model)
    write_run_settings(run_dir, RunSettings(task="ocr_correct", input_length=INPUT_LENGTH,
                                            decode_length=DECODE_LENGTH))
    copy_vocabulary(run_dir, vocab_dir)
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(7)
    return model


def write_line_png(path, text: str) -> None:
    """`render_line(text)` at the tiny tower's size, saved as an 8-bit grayscale PNG."""
    from PIL import Image

    from textedit.data.ocr import render_line

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(render_line(text, *IMAGE_SHAPE), mode="L").save(path)
