"""Bradley–Terry, DPO / IPO and KTO on hand-built log-probabilities and scores, plus the
pairwise accuracy and calibration metrics."""

import math

import numpy as np
import pytest
from keras import ops

from textedit.metrics.preference_metrics import expected_calibration_error, pairwise_accuracy
from textedit.objectives.bradley_terry import bradley_terry_sums
from textedit.objectives.dpo import preference_losses
from textedit.objectives.kto import kto_losses


def softplus(x):
    return math.log1p(math.exp(x))


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def t(values):
    return ops.convert_to_tensor(np.asarray(values, dtype=np.float32))


def test_bradley_terry_on_hand_built_scores():
    sums = bradley_terry_sums(t([2.0, 0.0, -1.0]), t([0.0, 0.0, 1.0]))  # margins 2, 0, -2
    assert float(sums.loss) == pytest.approx(softplus(-2) + math.log(2) + softplus(2), rel=1e-6)
    assert float(sums.correct) == 1.5  # the tie counts half
    assert float(sums.margin) == 0.0
    assert float(sums.pairs) == 3.0


def test_pairwise_accuracy_and_calibration():
    assert pairwise_accuracy([2.0, 0.0, -1.0], [0.0, 0.0, 1.0]) == pytest.approx(0.5)
    ln3 = math.log(3.0)  # σ(ln 3) = 0.75
    # Three 75%-sure calls right and one wrong: perfectly calibrated.
    assert expected_calibration_error([ln3, ln3, ln3, -ln3], [0, 0, 0, 0]) == pytest.approx(0.0)
    # Four 75%-sure calls, all right: under-confident by 0.25.
    assert expected_calibration_error([ln3] * 4, [0] * 4) == pytest.approx(0.25)
    # Two bins: {0.75-sure, right} and {~0.982-sure (ln 54), wrong}, half the pairs each.
    ece = expected_calibration_error([ln3, -math.log(54.0)], [0.0, 0.0])
    assert ece == pytest.approx(0.5 * 0.25 + 0.5 * (54 / 55))
    with pytest.raises(ValueError, match="expected two equal"):
        pairwise_accuracy([1.0, 2.0], [1.0])


def test_dpo_and_ipo_known_cases():
    zero = t([0.0, 0.0])
    dpo, h = preference_losses(zero, zero, zero, zero, beta=0.5)
    np.testing.assert_allclose(ops.convert_to_numpy(dpo), [math.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(h), [0.0, 0.0])
    # h = (-1 - -2) - (-3 - -2) = 2 and h = -1.
    dpo, h = preference_losses(t([-1.0, -2.0]), t([-3.0, -1.0]), t([-2.0, -2.0]), t([-2.0, -2.0]),
                               beta=0.5)
    np.testing.assert_allclose(ops.convert_to_numpy(h), [2.0, -1.0])
    np.testing.assert_allclose(ops.convert_to_numpy(dpo), [softplus(-1.0), softplus(0.5)],
                               rtol=1e-6)
    ipo, _ = preference_losses(t([-1.0, -2.0]), t([-3.0, -1.0]), t([-2.0, -2.0]), t([-2.0, -2.0]),
                               beta=0.5, kind="ipo")
    np.testing.assert_allclose(ops.convert_to_numpy(ipo), [1.0, 4.0], rtol=1e-6)  # (h - 1)^2
    with pytest.raises(ValueError, match="kind='kto'"):
        preference_losses(zero, zero, zero, zero, beta=0.5, kind="kto")


def test_kto_known_cases():
    # ρ = [1, -1]: mean 0, so z = 0; the +1 row is desirable, the -1 row not.
    losses, desirable = kto_losses(t([1.0, -1.0]), t([0.0, 0.0]), t([1.0, -1.0]), beta=2.0)
    assert ops.convert_to_numpy(desirable).tolist() == [True, False]
    np.testing.assert_allclose(ops.convert_to_numpy(losses), [1 - sigmoid(2.0)] * 2, rtol=1e-6)
    # ρ = [2, 0]: z = 1; reward 0.3 > mean 0.2 is desirable, 0.1 is not; weights λ_D=2, λ_U=1.
    losses, desirable = kto_losses(t([2.0, 0.0]), t([0.0, 0.0]), t([0.3, 0.1]), beta=1.0,
                                   desirable_weight=2.0)
    np.testing.assert_allclose(ops.convert_to_numpy(losses),
                               [2 * (1 - sigmoid(1.0)), 1 - sigmoid(1.0)], rtol=1e-6)
    # ρ with a negative mean: z is clipped at 0.
    losses, _ = kto_losses(t([-1.0, -3.0]), t([0.0, 0.0]), t([1.0, -1.0]), beta=1.0)
    np.testing.assert_allclose(ops.convert_to_numpy(losses),
                               [1 - sigmoid(-1.0), 1 - sigmoid(3.0)], rtol=1e-6)
