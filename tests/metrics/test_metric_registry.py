"""The metric registry, the shared input checks, and a cheap package import."""

import subprocess
import sys

import pytest

from textedit.metrics import METRICS, get_metric


def test_registry_names_the_six_metrics():
    assert set(METRICS) == {"gleu", "errant", "sari", "exact_match", "bleu", "cer"}
    assert get_metric("sari") is METRICS["sari"]


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(KeyError, match="known metrics"):
        get_metric("rouge")


@pytest.mark.parametrize("name", sorted(METRICS))
def test_mismatched_lengths_name_the_counts(name):
    with pytest.raises(ValueError, match="2 sources, 1 predictions and 2 reference lists"):
        get_metric(name)(["a", "b"], ["a"], [["a"], ["b"]])


@pytest.mark.parametrize("name", sorted(METRICS))
def test_each_example_needs_a_reference(name):
    with pytest.raises(ValueError, match="example 1 has no reference"):
        get_metric(name)(["a", "b"], ["a", "b"], [["a"], []])


@pytest.mark.parametrize("name", sorted(METRICS))
def test_flat_reference_strings_are_refused(name):
    with pytest.raises(ValueError, match="is a string"):
        get_metric(name)(["a"], ["a"], ["a"])


def test_importing_the_package_does_not_load_spacy_or_errant():
    code = ("import sys, textedit.metrics; "
            "print(sorted(m for m in ('spacy', 'errant') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
