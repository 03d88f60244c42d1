"""Reader for Anthropic HH-RLHF style preference pairs (gzip JSON lines, `chosen` / `rejected`).

Each side is a whole dialogue, `"\\n\\nHuman: ...\\n\\nAssistant: ..."`, and the two differ only
in the last assistant turn. The prompt is the longest common prefix of the two dialogues cut back
to just after its last `"\\n\\nAssistant:"`; each response is the rest of its dialogue, exactly
(`prompt + chosen == chosen_full`, so a response usually starts with a space).

Why the common prefix rather than each side's last `"\\n\\nAssistant:"`: in 8 of the 6,198 pairs
(harmless-base 5, helpful-rejection-sampled 3) a response itself contains further turns
(`"... drag kings.  Human: Then how ..."`, `"\\n\\nAssistant: Human: Okay, ..."`), so the two
sides' last markers disagree. Those pairs keep the shared prompt and the whole responses, turns
included; `responses_contain_turns` flags them so a caller can count or drop them. A pair whose
common prefix holds no `"\\n\\nAssistant:"` has no prompt and is malformed.

Other quirks kept as they are: 34 pairs have identical chosen and rejected dialogues (2 in
helpful-online, 32 in helpful-rejection-sampled) and a few responses are empty.
"""

from __future__ import annotations

import dataclasses
import os

from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_json_objects

ASSISTANT_MARK = "\n\nAssistant:"
HUMAN_MARK = "\n\nHuman:"
_FORMAT = (
    'a JSON object with string "chosen" and "rejected" dialogues sharing a prefix that ends '
    f"with {ASSISTANT_MARK!r}"
)


@dataclasses.dataclass(frozen=True)
class PreferencePair:
    """A shared prompt, the preferred and the dispreferred response, and both whole dialogues."""

    prompt: str
    chosen: str
    rejected: str
    chosen_full: str
    rejected_full: str
    line: int

    @property
    def responses_contain_turns(self) -> bool:
        """True when a response holds its own Human/Assistant markers (see the module doc)."""
        return any(
            mark in response
            for response in (self.chosen, self.rejected)
            for mark in (ASSISTANT_MARK, HUMAN_MARK)
        )


def split_prompt(chosen_full: str, rejected_full: str) -> PreferencePair | None:
    """The pair split at the end of the shared prompt; None when there is no shared prompt."""
    common = os.path.commonprefix([chosen_full, rejected_full])
    cut = common.rfind(ASSISTANT_MARK)
    if cut < 0:
        return None
    end = cut + len(ASSISTANT_MARK)
    return PreferencePair(
        chosen_full[:end], chosen_full[end:], rejected_full[end:], chosen_full, rejected_full, 0
    )


def read_hh_preferences(
    path: str | os.PathLike, skip: SkipReport | None = None
) -> list[PreferencePair]:
    """Every preference pair of an HH-RLHF file (`.jsonl.gz` or plain `.jsonl`)."""
    pairs = []
    for number, record, line in read_json_objects(path):
        chosen = record.get("chosen") if record else None
        rejected = record.get("rejected") if record else None
        pair = (
            split_prompt(chosen, rejected)
            if isinstance(chosen, str) and isinstance(rejected, str)
            else None
        )
        if pair is None:
            handle(MalformedInputError(path, number, _FORMAT, line), skip)
            continue
        pairs.append(dataclasses.replace(pair, line=number))
    return pairs
