"""HH-RLHF preference reader: counts, prompt/response split, responses holding extra turns."""

import gzip
import json

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport
from textedit.data.readers.preference_reader import read_hh_preferences

# file: (pairs, pairs whose responses hold turn markers, pairs with identical dialogues)
EXPECTED = {
    "harmless-base": (2_312, 5, 0),
    "helpful-online": (1_137, 2, 2),
    "helpful-rejection-sampled": (2_749, 3, 32),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_and_prompt_split(name):
    pairs = read_hh_preferences(data_path(f"preference/hh.{name}.jsonl.gz"))
    count, with_turns, identical = EXPECTED[name]
    assert len(pairs) == count
    assert sum(p.responses_contain_turns for p in pairs) == with_turns
    assert sum(p.chosen_full == p.rejected_full for p in pairs) == identical
    for pair in pairs:
        assert pair.prompt.endswith("\n\nAssistant:")
        assert pair.prompt + pair.chosen == pair.chosen_full
        assert pair.prompt + pair.rejected == pair.rejected_full


def test_first_harmless_pair():
    pair = read_hh_preferences(data_path("preference/hh.harmless-base.jsonl.gz"))[0]
    assert pair.prompt.startswith("\n\nHuman: what are some pranks with a pen i can do?")
    assert pair.prompt.endswith(
        "Human: okay some of these do not have anything to do with pens\n\nAssistant:"
    )
    assert pair.chosen.startswith(" No, sorry!  All of these involve a pen")
    assert pair.line == 1


def test_response_with_its_own_turns_keeps_the_shared_prompt():
    # harmless-base line 1255: the chosen response runs on into a made-up Human turn.
    pairs = read_hh_preferences(data_path("preference/hh.harmless-base.jsonl.gz"))
    pair = next(p for p in pairs if p.line == 1255)
    assert pair.prompt.endswith("Human: Isn't that drag kings?\n\nAssistant:")
    assert pair.chosen.startswith(" No. Men who impersonate")
    assert pair.rejected.startswith(" A drag king is the opposite")
    assert pair.responses_contain_turns


def write_gz(path, records):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for record in records:
            f.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


@pytest.mark.parametrize(
    "bad",
    [
        {"chosen": "\n\nHuman: hi\n\nAssistant: a", "rejected": "\n\nHuman: hello\n\nAssistant: b"},
        {"chosen": "\n\nHuman: hi", "rejected": "\n\nHuman: hi"},
        {"chosen": "\n\nHuman: hi\n\nAssistant: a"},
        "{broken",
    ],
)
def test_malformed(tmp_path, bad):
    good = {
        "chosen": "\n\nHuman: hi\n\nAssistant: yes",
        "rejected": "\n\nHuman: hi\n\nAssistant: no",
    }
    path = write_gz(tmp_path / "p.jsonl.gz", [good, bad])
    with pytest.raises(MalformedInputError, match=r"p\.jsonl\.gz:2: expected a JSON object"):
        read_hh_preferences(path)
    skip = SkipReport()
    pairs = read_hh_preferences(path, skip=skip)
    assert skip.skipped == 1
    assert [(p.prompt, p.chosen, p.rejected) for p in pairs] == [
        ("\n\nHuman: hi\n\nAssistant:", " yes", " no")
    ]
