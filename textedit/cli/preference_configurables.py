"""gin names for preference learning (docs/algorithms.md#reward-models, #dro):

    t5_scalar_model          T5 encoder + scalar head: a reward model or a value network
    policy_with_value        DRO-V's policy and value network as one trained model (the value
                             network's factory is called under the model's value scope)
    reward_model_objective   Bradley–Terry on paired (chosen / rejected) token sequences
    PairedScoreFeatureConverter  the paired batch of task hh_pairs
    TrajectoryFeatureConverter   the single-trajectory batch (+ float "reward") of hh_trajectories
    PairedPolicyFeatureConverter the paired policy batch (prompt, chosen, rejected) of
                                 hh_policy_pairs
    dro_v_objective          DRO-V (reference = @teacher_from_run(), the frozen SFT run)
    kto_objective            KTO, the single-trajectory baseline
    dpo_objective            DPO, or IPO with kind = "ipo", on the paired view

The reference policy is read with `teacher_from_run` (textedit.cli.gin_decoder_only): a trained
run's model at its latest checkpoint, frozen.
"""

from __future__ import annotations

import functools

import gin


def t5_scalar_model(config, name: str | None = None):
    """A `T5ScalarModel` of a `t5_config`."""
    from textedit.models.reward import T5ScalarModel

    return T5ScalarModel(config, name=name)


def policy_with_value(policy, value):
    """DRO-V's model: a seq2seq `policy` and a value network built by the factory `value`
    (`policy_with_value.value = @t5_scalar_model`, uncalled).

    The factory runs under `value_scope()` with the name `VALUE_NAME`, so the value network's
    checkpoint keys are `value/...` and the policy's stay a plain T5 run's: INIT_CHECKPOINT = the
    SFT run initialises the policy, and the value network starts fresh (listed as missing).
    """
    import keras

    from textedit.models.reward import PolicyWithValue
    from textedit.models.reward.policy_with_value import VALUE_NAME, value_scope

    if isinstance(value, keras.Model):
        raise ValueError("policy_with_value.value is a factory (e.g. @t5_scalar_model, without "
                         "'()'): a value network built outside the model's value scope would "
                         "share the policy's checkpoint keys")
    with value_scope():
        value_model = value(name=VALUE_NAME)
    return PolicyWithValue(policy, value_model)


@functools.cache
def register_preference() -> None:
    """Registers the configurables of the module docstring (idempotent)."""
    from textedit.data.paired_policy_features import PairedPolicyFeatureConverter
    from textedit.data.paired_score_features import PairedScoreFeatureConverter
    from textedit.data.trajectory_features import TrajectoryFeatureConverter
    from textedit.objectives.bradley_terry import reward_model_objective
    from textedit.objectives.dpo import dpo_objective
    from textedit.objectives.dro import dro_v_objective
    from textedit.objectives.kto import kto_objective

    for function, name in (
            (t5_scalar_model, "t5_scalar_model"), (policy_with_value, "policy_with_value"),
            (reward_model_objective, "reward_model_objective"),
            (dro_v_objective, "dro_v_objective"), (kto_objective, "kto_objective"),
            (dpo_objective, "dpo_objective"),
            (PairedScoreFeatureConverter, "PairedScoreFeatureConverter"),
            (TrajectoryFeatureConverter, "TrajectoryFeatureConverter"),
            (PairedPolicyFeatureConverter, "PairedPolicyFeatureConverter")):
        gin.external_configurable(function, name=name)
