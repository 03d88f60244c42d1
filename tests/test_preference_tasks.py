"""The hh_sft task: registered, and its split is the prompt -> chosen view of the HH pairs."""

import seqio

import tasks  # noqa: F401  (register)
from tasks.preference import load_sft_split
from textedit.data.preference_views import load_preferences


def test_hh_sft_task():
    assert "hh_sft" in seqio.TaskRegistry.names()
    pairs = load_preferences("validation").pairs
    loaded = load_sft_split("validation")
    assert len(loaded.examples) == len(pairs)
    first = loaded.examples[0]
    assert (first.source, first.references) == (pairs[0].prompt, (pairs[0].chosen,))
    assert first.source.endswith("\n\nAssistant:")
    assert [f.rsplit("/", 1)[-1] for f in loaded.files] == [
        "hh.harmless-base.jsonl.gz", "hh.helpful-online.jsonl.gz",
        "hh.helpful-rejection-sampled.jsonl.gz"]
