"""The installed environment: pinned seqio, no nightly packages, pip check clean except t5."""

import importlib.metadata
import re
import subprocess
import sys

# t5 is installed with --no-deps on purpose; these are its requirements we do not install.
T5_OMITTED = {"mesh-tensorflow", "seqio-nightly", "tfds-nightly", "transformers"}


def test_no_nightly_packages():
    installed = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}
    assert not installed & {"seqio-nightly", "tfds-nightly", "tf-nightly"}


def test_pinned_versions():
    assert importlib.metadata.version("seqio") == "0.0.20"
    assert importlib.metadata.version("t5") == "0.9.4"
    assert importlib.metadata.version("tensorflow-text") == "2.21.1"
    assert importlib.metadata.version("tensorflow").startswith("2.21.")


def test_pip_check_reports_only_t5_omissions():
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True,
                            text=True)
    problems = [line for line in result.stdout.splitlines() if line.strip()]
    unexpected = []
    for line in problems:
        match = re.match(r"t5 0\.9\.4 requires ([\w.-]+)", line)
        if not (match and match.group(1).lower() in T5_OMITTED):
            unexpected.append(line)
    assert not unexpected, "\n".join(unexpected)


def test_t5_parts_we_use_import():
    import t5.data.preprocessors
    import t5.evaluation.metrics

    assert callable(t5.data.preprocessors.span_corruption)
    assert callable(t5.evaluation.metrics.bleu)
