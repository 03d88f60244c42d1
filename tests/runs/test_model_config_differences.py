"""`model_config_differences`: a model built from gin files that differs from its run's
model.json in a setting without weights (absolute positions, EdiT5's pointer priors) is named,
and `textedit infer`/`eval` refuse it instead of decoding as another model."""

import keras
import pytest

from textedit.cli.infer import load_trained_weights
from textedit.models import Edit5Config, Edit5Model, T5Config, T5EncoderDecoder
from textedit.runs.run_artifacts import model_config_differences, write_model_config
from textedit.training.checkpoints import RunCheckpoints
from textedit.training.optimizers import make_optimizer


def tiny_t5(**options) -> T5EncoderDecoder:
    keras.utils.set_random_seed(0)
    return T5EncoderDecoder(T5Config.named("tiny", vocab_size=64, **options))


def test_a_weightless_setting_is_named_and_neutral_ones_are_not(tmp_path):
    assert write_model_config(tmp_path, tiny_t5(absolute_positions=True, dropout_rate=0.1))
    assert model_config_differences(tmp_path, tiny_t5(absolute_positions=True,
                                                      dropout_rate=0.0)) == []
    assert model_config_differences(tmp_path, tiny_t5(absolute_positions=False)) == [
        "absolute_positions: run True, built False"]
    assert model_config_differences(tmp_path / "no_run", tiny_t5()) == []  # no model.json


def test_edit5_settings_without_weights_are_named_with_their_path(tmp_path):
    def edit5(prior: float, absolute: bool) -> Edit5Model:
        t5 = T5Config.named("tiny", vocab_size=64, num_decoder_layers=1,
                            absolute_positions=absolute)
        return Edit5Model(Edit5Config(t5=t5, max_input_length=16, num_position_tokens=17,
                                      next_position_prior=prior,
                                      pointer_loss_weight=2.0 if absolute else 1.0))

    write_model_config(tmp_path, edit5(3.0, absolute=True))
    # The loss weight differs too, but does not act at inference.
    assert model_config_differences(tmp_path, edit5(1.0, absolute=False)) == [
        "next_position_prior: run 3.0, built 1.0", "t5.absolute_positions: run True, built False"]


def test_infer_refuses_a_model_that_differs_from_its_run(tmp_path):
    trained = tiny_t5(absolute_positions=True)
    write_model_config(tmp_path, trained)
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(trained.trainable_variables)
    RunCheckpoints(tmp_path / "checkpoints", trained, optimizer).save(7)
    assert load_trained_weights(str(tmp_path), tiny_t5(absolute_positions=True)) == 7
    # Every weight fits (absolute positions have none), yet the model is another one.
    with pytest.raises(SystemExit, match=r"(?s)absolute_positions: run True, built "
                                         r"False.*--gin.t5_config.absolute_positions=True"):
        load_trained_weights(str(tmp_path), tiny_t5(absolute_positions=False))


def test_a_model_json_from_before_a_field_existed_reads_as_its_default(tmp_path):
    import json

    write_model_config(tmp_path, tiny_t5())
    saved = json.loads((tmp_path / "model.json").read_text())
    del saved["config"]["config"]["absolute_positions"]  # as written before the field existed
    (tmp_path / "model.json").write_text(json.dumps(saved))
    assert model_config_differences(tmp_path, tiny_t5()) == []
    assert model_config_differences(tmp_path, tiny_t5(absolute_positions=True)) == [
        "absolute_positions: run False, built True"]
