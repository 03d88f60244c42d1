"""EdiT5 with an image tower: two trainer steps on tiny in-memory data (the edit5 objective
passes "encoder_image" on), then edit_batch with the images, and its refusal without them."""

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from stand_in import in_memory_dataset_fn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
from edit5_cases import POSITIONS, VOCAB, features  # noqa: E402

from textedit.decoding.edit_inference import edit5_decode_fn, edit_batch  # noqa: E402
from textedit.models import T5Config  # noqa: E402
from textedit.models.edit5.edit5_config import Edit5Config  # noqa: E402
from textedit.models.edit5.edit5_model import Edit5Model  # noqa: E402
from textedit.models.image_tower import ImageTowerConfig  # noqa: E402
from textedit.objectives.edit5_loss import edit5_objective  # noqa: E402
from textedit.training.optimizers import make_optimizer  # noqa: E402
from textedit.training.trainer import TrainConfig, train  # noqa: E402

# About 30 s (the XLA train step and two decoders compile): slow tier. The default tier keeps
# the tower through the model tests, the export's edit_step equality and the edit tool's test.
pytestmark = pytest.mark.slow

TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32)


def make_model():
    t5 = T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1, dropout_rate=0.0)
    return Edit5Model(Edit5Config(t5=t5, num_position_tokens=POSITIONS, max_input_length=16,
                                  position_logits=True, position_inputs=True,
                                  image_tower=TOWER), name="edit5")


def arrays(copies=4):
    batch = {name: np.tile(value, (copies, 1)) for name, value in features().items()}
    rng = np.random.default_rng(0)
    batch["encoder_image"] = rng.random((2 * copies, 8, 32)).astype(np.float32)
    return batch


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    keras.utils.set_random_seed(0)
    holder = {}

    def model_fn():
        holder["model"] = make_model()
        return holder["model"]

    result = train(TrainConfig(str(tmp_path_factory.mktemp("run")), train_steps=2, batch_size=4,
                               checkpoint_every=2, log_every=1),
                   model_fn, edit5_objective(),
                   lambda: make_optimizer("adamw", 1e-3), in_memory_dataset_fn(arrays()),
                   log=lambda line: None)
    return result, holder["model"]


def test_two_trainer_steps_update_the_tower(trained):
    result, model = trained
    assert result.step == 2 and np.isfinite(result.stats["loss"])
    assert any("image_tower" in v.path for v in model.weights)


def test_edit_batch_with_images_and_without(trained):
    _, model = trained
    batch = arrays(1)
    tokens, images = batch["encoder_input_tokens"], batch["encoder_image"]
    edits = edit_batch(model, tokens, 6, images=images)
    assert len(edits) == 2
    for row, edit in enumerate(edits):  # every source piece is kept or deleted, START last
        assert len(edit.plan.tags) == int((tokens[row] != 0).sum()) - 1
    decoded = edit5_decode_fn(10, 6)(model, {"encoder_input_tokens": tokens,
                                             "encoder_image": images})
    assert decoded.shape == (2, 10)
    with pytest.raises(ValueError, match="image tower"):
        edit_batch(model, tokens, 6)
