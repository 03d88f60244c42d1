"""Synthetic grammatical errors on clean sentences, at the rates learners make them.

Two parts, both pure Python:

1. `estimate_error_rates(m2_paths)` counts the ERRANT edit types of annotated learner text (the
   W&I training M2 files) per source token and groups them into the generator's error families:

       article      R:DET M:DET U:DET         preposition  R:PREP M:PREP U:PREP
       punctuation  R:PUNCT M:PUNCT U:PUNCT   verb_form    R:VERB:FORM R:VERB:TENSE R:VERB:INFL
       noun_number  R:NOUN:NUM R:NOUN:INFL    agreement    R:VERB:SVA
       missing_word every other M:*           extra_word   every other U:*
       spelling     R:SPELL

   Within a family the R/M/U counts set the mix of what the generator does to the clean text
   (substitute / drop / insert: a learner's missing article, M:DET, is made by dropping one).
   Other types (R:OTHER, R:ORTH, R:NOUN, R:VERB, R:WO, UNK, ...) are lexical or need a parser;
   they are kept in the raw counts but not generated.

2. `GecNoiser(rates, seed).corrupt(sentence)` makes those errors on whitespace tokens. For each
   family it draws a number of errors ~ Poisson(rate x tokens), then puts each at a random place
   where the family's rule applies (gec_noise_rules.py), never twice on one token.
   The draws come from a generator seeded by SHA-256 of (seed, key, sentence): the output is a
   function of its inputs, whatever the order or process, and sentences without errors remain
   (about a third, as in W&I).

    >>> rates = ErrorRates({"R:DET": 30, "M:PREP": 10, "R:SPELL": 10}, tokens=1000)
    >>> rates.family_rates()
    {'article': 0.03, 'preposition': 0.01, 'spelling': 0.01}
    >>> noiser = GecNoiser(rates, seed=0, noise_scale=10.0)
    >>> noiser.corrupt("She lives in a small house near the river .")  # doctest: +SKIP
    'She lives a small house near teh river .'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from textedit.data.noise.gec_noise_rules import FAMILIES, RULES, Sentence, capitalise_first
from textedit.data.readers.m2_reader import read_m2

_POS_FAMILIES = {"DET": "article", "PREP": "preposition", "PUNCT": "punctuation"}
_OPS = {"R": "substitute", "M": "drop", "U": "insert"}
_REPLACEMENT_FAMILIES = {
    "VERB:FORM": "verb_form", "VERB:TENSE": "verb_form", "VERB:INFL": "verb_form",
    "NOUN:NUM": "noun_number", "NOUN:INFL": "noun_number", "VERB:SVA": "agreement",
    "SPELL": "spelling",
}
# What counts as one token when a sentence is not tokenised like the M2 files ("don't" is one).
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")


def error_family(errant_type: str) -> tuple[str, str] | None:
    """(family, op) the generator makes for an ERRANT type, or None when it makes none.

    >>> error_family("M:DET"), error_family("U:VERB:TENSE"), error_family("R:OTHER")
    (('article', 'drop'), ('extra_word', 'insert'), None)
    """
    prefix, _, pos = errant_type.partition(":")
    if prefix not in _OPS or not pos:
        return None  # noop, UNK, Um
    if pos in _POS_FAMILIES:
        return _POS_FAMILIES[pos], _OPS[prefix]
    if prefix == "R":
        return (_REPLACEMENT_FAMILIES[pos], "substitute") if pos in _REPLACEMENT_FAMILIES else None
    return ("missing_word", "drop") if prefix == "M" else ("extra_word", "insert")


@dataclasses.dataclass(frozen=True)
class ErrorRates:
    """Edit counts by ERRANT type over `tokens` source tokens (summed over annotators)."""

    type_counts: Mapping[str, int]  # every edit type but noop, as counted
    tokens: int
    sentences: int = 0
    files: tuple[str, ...] = ()  # file names the counts come from

    def op_counts(self) -> dict[tuple[str, str], int]:
        """(family, op) -> edits, for the mapped types."""
        counts: Counter = Counter()
        for errant_type, n in self.type_counts.items():
            mapped = error_family(errant_type)
            if mapped:
                counts[mapped] += n
        return dict(counts)

    def family_counts(self) -> dict[str, int]:
        """Family -> edits, most frequent first."""
        counts: Counter = Counter()
        for (family, _), n in self.op_counts().items():
            counts[family] += n
        return dict(counts.most_common())

    def family_rates(self) -> dict[str, float]:
        """Family -> edits per source token, most frequent first."""
        return {f: n / self.tokens for f, n in self.family_counts().items()}

    def unmapped_counts(self) -> dict[str, int]:
        """Edit types the generator does not make, most frequent first."""
        unmapped = Counter({t: n for t, n in self.type_counts.items() if not error_family(t)})
        return dict(unmapped.most_common())

    def table(self) -> str:
        """A plain-text table: family, edits, edits per 1,000 tokens, op mix."""
        lines = [f"{'family':<13} {'edits':>7} {'per 1k tok':>10}  ops"]
        ops = self.op_counts()
        for family, n in self.family_counts().items():
            mix = ", ".join(f"{op} {c}" for (f, op), c in sorted(ops.items()) if f == family)
            lines.append(f"{family:<13} {n:>7} {1000 * n / self.tokens:>10.2f}  {mix}")
        lines.append(f"{'unmapped':<13} {sum(self.unmapped_counts().values()):>7}  "
                     f"(of {sum(self.type_counts.values())} edits, {self.tokens} tokens)")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"type_counts": dict(sorted(self.type_counts.items())),
                           "tokens": self.tokens, "sentences": self.sentences,
                           "files": list(self.files)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> ErrorRates:
        data = json.loads(text)
        return cls(dict(data["type_counts"]), int(data["tokens"]), int(data.get("sentences", 0)),
                   tuple(data.get("files", ())))


def estimate_error_rates(m2_paths: Iterable[str | os.PathLike]) -> ErrorRates:
    """Counts every annotator's edits by type and the source tokens they annotated.

    Malformed M2 input raises MalformedInputError (file, line, what was expected).
    """
    counts: Counter = Counter()
    tokens = sentences = 0
    names = []
    for path in m2_paths:
        names.append(os.path.basename(os.fspath(path)))
        for sentence in read_m2(path):
            sentences += 1
            tokens += len(sentence.tokens) * len(sentence.annotators())
            counts.update(edit.type for edit in sentence.edits if edit.type != "noop")
    if not tokens:
        raise ValueError(f"no tokens in the M2 files {names}: nothing to estimate rates from")
    return ErrorRates(dict(counts), tokens, sentences, tuple(names))


@dataclasses.dataclass(frozen=True)
class AppliedError:
    """One generated error: token `index` of the clean sentence became `after` (words)."""

    family: str
    op: str
    index: int
    before: str
    after: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Corruption:
    text: str
    errors: tuple[AppliedError, ...]
    drawn: int  # errors drawn; those with no place to go in this sentence are not made


def count_tokens(sentence: str) -> int:
    """Tokens as the M2 files count them (punctuation apart; a contraction counts once)."""
    return len(_TOKEN.findall(sentence))


def _poisson(mean: float, rng: random.Random) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class GecNoiser:
    """Makes learner-like errors in clean sentences at `noise_scale` x the estimated rates."""

    def __init__(self, rates: ErrorRates, seed: int = 0, noise_scale: float = 1.0):
        if noise_scale < 0:
            raise ValueError(f"noise_scale must be >= 0, got {noise_scale}")
        self.rates = rates
        self.seed = seed
        self.noise_scale = noise_scale
        ops = rates.op_counts()
        # Families in the rules' order, so that the draws do not depend on the counts' order.
        family_rates = rates.family_rates()
        self._family_rates = {f: family_rates[f] * noise_scale for f in FAMILIES
                              if f in family_rates}
        self._ops = {f: sorted(((op, n) for (g, op), n in ops.items() if g == f),
                               key=lambda item: (-item[1], item[0]))
                     for f in self._family_rates}

    def rng(self, sentence: str, key: int | str = "") -> random.Random:
        """The generator for one example: seeded by SHA-256 of (seed, key, sentence)."""
        digest = hashlib.sha256(f"{self.seed}\x1f{key}\x1f{sentence}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def corrupt(self, sentence: str, key: int | str = "", rng: random.Random | None = None) -> str:
        """The sentence with errors; `key` tells apart copies of one sentence (e.g. its
        occurrence number), `rng` replaces the seeded generator."""
        return self.noise(sentence, key, rng).text

    def noise(self, sentence: str, key: int | str = "", rng: random.Random | None = None
              ) -> Corruption:
        """The corrupted sentence and the errors made.

        With errors, tokens are joined by single spaces; without, the sentence is returned as
        it is (so `text == sentence` says "unchanged").
        """
        rng = rng or self.rng(sentence, key)
        size = count_tokens(sentence)
        counts = [(family, _poisson(rate * size, rng))
                  for family, rate in self._family_rates.items() if rate > 0]
        drawn = sum(n for _, n in counts)
        if not drawn:
            return Corruption(sentence, (), 0)
        parsed = Sentence(sentence)
        used: dict[int, AppliedError] = {}
        for family, n in counts:
            for _ in range(n):
                error = self._place(parsed, family, rng, used)
                if error:
                    used[error.index] = error
        if not used:
            return Corruption(sentence, (), drawn)
        pieces = []
        for i, token in enumerate(parsed.tokens):
            pieces.extend(used[i].after if i in used else [token.text])
        first_dropped = 0 in used and not used[0].after
        pieces = capitalise_first(pieces, first_dropped and parsed.tokens[0].core[:1].isupper())
        return Corruption(" ".join(pieces), tuple(used[i] for i in sorted(used)), drawn)

    def _place(self, parsed: Sentence, family: str, rng: random.Random,
               used: Mapping[int, AppliedError]) -> AppliedError | None:
        """One error of `family` at a free token: the drawn op first, then the others."""
        ops = self._ops[family]
        first = rng.choices([op for op, _ in ops], [n for _, n in ops])[0]
        for op in [first] + [op for op, _ in ops if op != first]:
            rule = RULES.get((family, op))
            if rule is None:
                continue
            sites = [i for i in rule.sites(parsed) if i not in used]
            while sites:
                i = sites.pop(rng.randrange(len(sites)))
                after = rule.apply(parsed, i, rng)
                if after is not None:
                    return AppliedError(family, op, i, parsed.tokens[i].text, tuple(after))
        return None

