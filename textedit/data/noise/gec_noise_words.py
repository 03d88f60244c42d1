"""Word-level pieces of the synthetic grammatical-error generator: tokens, case, inflection, typos.

Pure Python. A whitespace token splits into leading punctuation, a core and trailing punctuation,
so rules work on the word of `"coasts,"` and put the comma back:

    >>> Token.parse('"Hello,')
    Token(lead='"', core='Hello', trail=',')
    >>> match_case("the", "A"), match_case("nasa", "UN")
    ('The', 'NASA')
    >>> verb_forms("study")
    ('study', 'studies', 'studied', 'studying')
    >>> pluralise("city"), singularise("boxes"), pluralise("child")
    ('cities', 'box', 'children')
"""

from __future__ import annotations

import dataclasses
import random
import re

from textedit.data.noise import gec_noise_tables as tables

_SPLIT = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclasses.dataclass(frozen=True)
class Token:
    """A whitespace token: `lead + core + trail`; core is empty for pure punctuation."""

    lead: str
    core: str
    trail: str
    lower: str = dataclasses.field(init=False, repr=False, compare=False)
    is_word: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Computed once: rules ask for them many times per sentence.
        object.__setattr__(self, "lower", self.core.lower())
        # An ASCII word, optionally with one inner apostrophe ("don't"), no digits.
        object.__setattr__(self, "is_word", _WORD.fullmatch(self.core) is not None)

    @classmethod
    def parse(cls, text: str) -> Token:
        lead, core, trail = _SPLIT.match(text).groups()
        if not core:  # pure punctuation: keep it whole in lead
            return cls(text, "", "")
        return cls(lead, core, trail)

    @property
    def text(self) -> str:
        return self.lead + self.core + self.trail

    @property
    def bare(self) -> bool:
        """A word with no punctuation attached."""
        return self.is_word and not self.lead and not self.trail

    def replace(self, core: str) -> str:
        """This token's text with `core` (cased like the old core) in place of the core."""
        return self.lead + match_case(core, self.core) + self.trail


def match_case(new: str, old: str) -> str:
    """`new` in the case pattern of `old`: UPPER (2+ letters), Capitalised, or as given."""
    if len(old) > 1 and old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _consonant_y(word: str) -> bool:
    return len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou"


def third_person(base: str) -> str:
    if _consonant_y(base):
        return base[:-1] + "ies"
    if base.endswith(("s", "x", "z", "ch", "sh", "o")):
        return base + "es"
    return base + "s"


def _regular_past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if _consonant_y(base):
        return base[:-1] + "ied"
    if base in tables.DOUBLING_VERBS:
        return base + base[-1] + "ed"
    return base + "ed"


def _ing(base: str) -> str:
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")) and base != "be":
        return base[:-1] + "ing"
    if base in tables.DOUBLING_VERBS or base in {"run", "swim", "win", "begin", "sit", "get"}:
        return base + base[-1] + "ing"
    return base + "ing"


def verb_forms(base: str) -> tuple[str, ...]:
    """Every distinct form of a verb in the tables (base, -s, past, participle, -ing)."""
    return _VERB_FORMS_BY_BASE.get(base, ())


def _build_verbs() -> dict[str, tuple[str, ...]]:
    verbs = {base: (base, third_person(base), _regular_past(base), _ing(base))
             for base in tables.REGULAR_VERBS}
    for base, past, participle in tables.IRREGULAR_VERBS:
        verbs[base] = tuple(dict.fromkeys((base, third_person(base), past, participle,
                                           _ing(base))))
    for forms in tables.SPECIAL_VERBS:
        verbs[forms[0]] = forms
    return verbs


_VERB_FORMS_BY_BASE = _build_verbs()
# Surface form -> the bases it is a form of ("found" is a form of "find" only; "left" is ignored).
_BASES_BY_FORM: dict[str, list[str]] = {}
for _base, _forms in _VERB_FORMS_BY_BASE.items():
    for _form in _forms:
        _BASES_BY_FORM.setdefault(_form, []).append(_base)
for _form in tables.NOT_VERB_FORMS:
    _BASES_BY_FORM.pop(_form, None)
THIRD_PERSON_TO_BASE = {third_person(b): b for b in _VERB_FORMS_BY_BASE
                        if b not in {"be", "have", "do"}}


def verb_bases(word: str) -> list[str]:
    """The bases of which `word` (lower case) is a known form; [] for other words."""
    return _BASES_BY_FORM.get(word, [])


_PLURAL_OF = dict(tables.IRREGULAR_NOUNS)
_SINGULAR_OF = {plural: singular for singular, plural in tables.IRREGULAR_NOUNS}


def pluralise(word: str) -> str:
    if word in _PLURAL_OF:
        return _PLURAL_OF[word]
    if _consonant_y(word):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def singularise(word: str) -> str:
    if word in _SINGULAR_OF:
        return _SINGULAR_OF[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


def is_plural(word: str) -> bool:
    """Looks plural: an irregular plural, or -s but not -ss / -us / -is."""
    return word in _SINGULAR_OF or (
        word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3)


def change_number(word: str) -> str | None:
    """The other number of a (lower-case) noun; None for words the rules do not know."""
    if word in tables.NOT_NOUNS or word.endswith("ly"):
        return None
    if word in tables.UNCOUNTABLE_NOUNS:
        return word + "s"  # the learner's "informations"
    return singularise(word) if is_plural(word) else pluralise(word)


def keyboard_typo(word: str, rng: random.Random) -> str:
    """A typo of `word` (3+ letters): a neighbouring key, two letters swapped, one dropped or
    doubled; always differs from `word`."""
    for _ in range(8):
        kind = rng.choices(("neighbour", "swap", "drop", "double"), (4, 2, 2, 2))[0]
        i = rng.randrange(len(word))
        char = word[i]
        if kind == "neighbour" and char.lower() in tables.KEYBOARD_NEIGHBOURS:
            new = rng.choice(tables.KEYBOARD_NEIGHBOURS[char.lower()])
            typo = word[:i] + (new.upper() if char.isupper() else new) + word[i + 1:]
        elif kind == "swap" and i + 1 < len(word):
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "drop" and len(word) > 3:
            typo = word[:i] + word[i + 1:]
        elif kind == "double":
            typo = word[:i + 1] + char.lower() + word[i + 1:]
        else:
            continue
        if typo != word:
            return typo
    return word[:-1] + word[-1] * 2  # doubling the last letter always changes the word
