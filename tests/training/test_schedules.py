"""WarmupDecay: warm-up ramp, each decay's values at chosen steps, and bad settings."""

import math

import pytest

from textedit.training.schedules import WarmupDecay


def _at(schedule, step):
    return float(schedule(step))


def test_linear_warmup_reaches_peak():
    schedule = WarmupDecay(1e-3, warmup_steps=10)
    assert _at(schedule, 0) == pytest.approx(1e-4)
    assert _at(schedule, 4) == pytest.approx(5e-4)
    assert _at(schedule, 9) == pytest.approx(1e-3)
    assert _at(schedule, 500) == pytest.approx(1e-3)  # constant afterwards


def test_cosine_decays_to_final_fraction():
    schedule = WarmupDecay(1.0, warmup_steps=10, decay="cosine", decay_steps=110,
                           final_fraction=0.1)
    assert _at(schedule, 9) == pytest.approx(1.0)
    halfway = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5))
    assert _at(schedule, 59) == pytest.approx(halfway, rel=1e-5)
    assert _at(schedule, 109) == pytest.approx(0.1, rel=1e-5)
    assert _at(schedule, 1000) == pytest.approx(0.1, rel=1e-5)


def test_linear_and_rsqrt_decays():
    linear = WarmupDecay(2.0, warmup_steps=0, decay="linear", decay_steps=100)
    assert _at(linear, 49) == pytest.approx(1.0)
    rsqrt = WarmupDecay(1.0, warmup_steps=100, decay="rsqrt")
    assert _at(rsqrt, 399) == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs", [dict(decay="cosine"), dict(decay="warp"),
                                    dict(decay="rsqrt", warmup_steps=0),
                                    dict(decay="linear", warmup_steps=10, decay_steps=5)])
def test_bad_settings_fail(kwargs):
    with pytest.raises(ValueError):
        WarmupDecay(1.0, **kwargs)
