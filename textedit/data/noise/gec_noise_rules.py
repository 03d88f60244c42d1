"""The rule of each error family of the synthetic GEC generator: where it applies, what it writes.

A rule is a pair of functions over a `Sentence` (its whitespace tokens, parsed):

    sites(sentence) -> [token index, ...]       where the rule can make its error
    apply(sentence, i, rng) -> [str, ...] | None  what replaces token i (None: nothing to do here)

`apply` returns [] to drop token i, [x] to replace it, [x, token i] or [token i, x] to insert x
before or after it. Every rule changes the text when it returns a list. `RULES[(family, op)]`
holds them; `op` says what the generator does to the clean text (ERRANT's R: substitute, M: drop,
U: insert):

    >>> import random
    >>> s = Sentence("He goes to the school every day .")
    >>> RULES[("article", "drop")].sites(s)
    [3]
    >>> RULES[("agreement", "substitute")].apply(s, 1, random.Random(0))
    ['go']
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple

from textedit.data.noise import gec_noise_tables as tables
from textedit.data.noise.gec_noise_words import (
    THIRD_PERSON_TO_BASE,
    Token,
    change_number,
    keyboard_typo,
    match_case,
    third_person,
    verb_bases,
    verb_forms,
)

_INTENSIFIERS = frozenset({"very", "too", "so", "more", "most", "really", "quite", "less"})
_FUNCTION_WORDS = (tables.DETERMINERS | tables.PREPOSITIONS | tables.MISSING_WORDS
                   | _INTENSIFIERS | tables.VERB_PRECEDERS | tables.FUNCTION_ADVERBS
                   | tables.OBJECT_PRONOUNS
                   | frozenset(tables.AGREEMENT_SWAPS) | frozenset(
                       "not no i me my mine am an as than then when where what how why whose "
                       "whom while".split()))
_CLAUSE_PUNCTUATION = (",", ";", ":")
_FINAL_PERIOD_DROP = 0.2


class Sentence:
    """A sentence's whitespace tokens, parsed once; `tokenised` when punctuation stands alone."""

    def __init__(self, text: str):
        self.tokens = [Token.parse(t) for t in text.split()]
        self.tokenised = any(not t.core for t in self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def lower(self, i: int) -> str:
        return self.tokens[i].lower if 0 <= i < len(self.tokens) else ""

    def content_word(self, i: int) -> bool:
        """A bare lower-case word that is no function word (a noun, verb, adjective...)."""
        t = self.tokens[i]
        return t.bare and t.core.islower() and t.lower not in _FUNCTION_WORDS

    def follows_word(self, i: int) -> bool:
        """Token i-1 exists and is a word with nothing after it (no comma between)."""
        return i > 0 and self.tokens[i - 1].is_word and not self.tokens[i - 1].trail


class Rule(NamedTuple):
    sites: Callable[[Sentence], list[int]]
    apply: Callable[[Sentence, int, random.Random], list[str] | None]


def _where(predicate: Callable[[Sentence, int], bool]) -> Callable[[Sentence], list[int]]:
    return lambda s: [i for i in range(len(s)) if predicate(s, i)]


def _drop(s: Sentence, i: int, rng: random.Random) -> list[str]:
    return []


def _insert(words: tuple[str, ...]) -> Callable[[Sentence, int, random.Random], list[str] | None]:
    def apply(s: Sentence, i: int, rng: random.Random) -> list[str] | None:
        choices = [w for w in words if w not in (s.lower(i - 1), s.lower(i))]
        return [rng.choice(choices), s.tokens[i].text] if choices else None
    return apply


# --- articles -----------------------------------------------------------------------------------

def _swap_article(s: Sentence, i: int, rng: random.Random) -> list[str]:
    choices = [a for a in tables.ARTICLES if a != s.lower(i)]
    return [s.tokens[i].replace(rng.choice(choices))]


def _insert_article(s: Sentence, i: int, rng: random.Random) -> list[str]:
    article = "the" if rng.random() < 0.6 else ("an" if s.lower(i)[0] in "aeiou" else "a")
    return [article, s.tokens[i].text]


def _article_site(s: Sentence, i: int) -> bool:
    return s.tokens[i].bare and s.lower(i) in tables.ARTICLES


def _article_insert_site(s: Sentence, i: int) -> bool:
    """Before a content word that is no adverb or participle, not after a determiner or a word
    that a verb follows ("will", "to")."""
    word = s.lower(i)
    inflected_verb = any(word != base for base in verb_bases(word))
    return (s.content_word(i) and not word.endswith(("ly", "ing", "ed")) and not inflected_verb
            and s.follows_word(i) and s.lower(i - 1) not in tables.VERB_PRECEDERS
            and not {s.lower(i - 1), s.lower(i - 2)} & tables.DETERMINERS)


# --- prepositions -------------------------------------------------------------------------------

def _preposition_site(s: Sentence, i: int) -> bool:
    return s.tokens[i].bare and s.lower(i) in tables.PREPOSITIONS


def _swap_preposition(s: Sentence, i: int, rng: random.Random) -> list[str]:
    return [s.tokens[i].replace(rng.choice(tables.PREPOSITION_CONFUSIONS[s.lower(i)]))]


def _preposition_insert_site(s: Sentence, i: int) -> bool:
    """Between a content word and a determiner or a noun-like word ("discuss [about] the")."""
    return (s.tokens[i].bare and s.follows_word(i) and s.content_word(i - 1)
            and not s.lower(i - 1).endswith("ly")
            and (s.lower(i) in tables.DETERMINERS
                 or (s.content_word(i) and not s.lower(i).endswith(("ly", "ed")))))


# --- punctuation --------------------------------------------------------------------------------

def _has_clause_mark(t: Token) -> bool:
    return (not t.core and t.lead in _CLAUSE_PUNCTUATION) or t.trail[:1] in _CLAUSE_PUNCTUATION


def _final_period(s: Sentence, i: int) -> bool:
    t = s.tokens[i]
    return i == len(s) - 1 and i > 0 and (t.text == "." or bool(t.core and t.trail == "."))


def _punctuation_drop_sites(s: Sentence) -> list[int]:
    """Commas, semicolons and colons; the final period only in a sentence without them."""
    marks = [i for i, t in enumerate(s.tokens) if _has_clause_mark(t)]
    return marks or [i for i in range(len(s) - 1, len(s)) if _final_period(s, i)]


def _drop_punctuation(s: Sentence, i: int, rng: random.Random) -> list[str] | None:
    t = s.tokens[i]
    # W&I's missing commas outnumber its missing periods 15 to 1: most final periods stay.
    if _final_period(s, i) and rng.random() >= _FINAL_PERIOD_DROP:
        return None
    return [] if not t.core else [t.lead + t.core + t.trail[1:]]


def _swap_punctuation(s: Sentence, i: int, rng: random.Random) -> list[str]:
    t = s.tokens[i]
    mark = t.lead if not t.core else t.trail[0]
    new = rng.choice({",": ".;", ";": ",", ":": ",;"}[mark])
    return [new] if not t.core else [t.lead + t.core + new + t.trail[1:]]


def _comma_insert_site(s: Sentence, i: int) -> bool:
    """After a word (no determiner or preposition), before a conjunction or a subject pronoun."""
    return (i + 1 < len(s) and s.tokens[i].bare and s.tokens[i + 1].bare
            and s.lower(i + 1) in tables.COMMA_BEFORE
            and s.lower(i) not in tables.DETERMINERS | tables.PREPOSITIONS)


def _insert_comma(s: Sentence, i: int, rng: random.Random) -> list[str]:
    word = s.tokens[i].text
    return [word, ","] if s.tokenised else [word + ","]


# --- verbs --------------------------------------------------------------------------------------

def _verb_site(s: Sentence, i: int) -> bool:
    return (s.tokens[i].bare and bool(verb_bases(s.lower(i)))
            and s.lower(i - 1) not in tables.DETERMINERS)


def _change_verb_form(s: Sentence, i: int, rng: random.Random) -> list[str] | None:
    word = s.lower(i)
    if word in tables.BE_FORM_CHANGES:
        return [s.tokens[i].replace(rng.choice(tables.BE_FORM_CHANGES[word]))]
    forms = [f for base in verb_bases(word) for f in verb_forms(base) if f != word]
    return [s.tokens[i].replace(rng.choice(forms))] if forms else None


def _agreement_site(s: Sentence, i: int) -> bool:
    t, word, before = s.tokens[i], s.lower(i), s.lower(i - 1)
    if not t.is_word or before in tables.DETERMINERS:
        return False
    if word in tables.AGREEMENT_SWAPS:
        return True
    if word in THIRD_PERSON_TO_BASE and verb_bases(word):
        return True
    return bool(verb_forms(word)) and before in tables.PRONOUN_SUBJECTS_PLURAL  # a base form


def _break_agreement(s: Sentence, i: int, rng: random.Random) -> list[str]:
    word = s.lower(i)
    if word in tables.AGREEMENT_SWAPS:
        new = tables.AGREEMENT_SWAPS[word]
    elif word in THIRD_PERSON_TO_BASE:
        new = THIRD_PERSON_TO_BASE[word]  # "he goes" -> "he go"
    else:
        new = third_person(word)  # "they go" -> "they goes"
    return [s.tokens[i].replace(new)]


# --- nouns --------------------------------------------------------------------------------------

def noun_sites(s: Sentence) -> list[int]:
    """Likely nouns: the last content word within 3 words after a determiner or a number, and
    the nouns of the irregular and uncountable tables anywhere."""
    sites = set()
    for i, t in enumerate(s.tokens):
        if t.trail or not (t.lower in tables.DETERMINERS or t.core.isdigit()):
            continue
        noun = None
        for j in range(i + 1, min(i + 4, len(s))):
            if s.lower(j) in _INTENSIFIERS:
                continue
            if not (s.tokens[j].is_word and s.tokens[j].core.islower() and not s.tokens[j].lead
                    and s.lower(j) not in _FUNCTION_WORDS):
                break
            if noun is not None and (verb_bases(s.lower(j)) or s.lower(j).endswith("ed")):
                break  # "our nation united", "the people go": the noun came before
            noun = j
            if s.tokens[j].trail:
                break
        if noun is not None:
            sites.add(noun)
    irregular = tables.UNCOUNTABLE_NOUNS | {w for pair in tables.IRREGULAR_NOUNS for w in pair}
    sites |= {i for i, t in enumerate(s.tokens) if t.is_word and t.lower in irregular}
    return sorted(i for i in sites if change_number(s.lower(i)))


def _change_noun_number(s: Sentence, i: int, rng: random.Random) -> list[str] | None:
    new = change_number(s.lower(i))
    return [s.tokens[i].replace(new)] if new and new != s.lower(i) else None


# --- words and letters --------------------------------------------------------------------------

def _missing_word_site(s: Sentence, i: int) -> bool:
    return s.tokens[i].bare and s.lower(i) in tables.MISSING_WORDS and len(s) > 2


def _extra_word_site(s: Sentence, i: int) -> bool:
    return i > 0 and s.tokens[i].is_word and not s.tokens[i].lead


def _insert_extra_word(s: Sentence, i: int, rng: random.Random) -> list[str] | None:
    before = s.tokens[i - 1]
    if before.bare and rng.random() < 0.3:  # a repeated word: "the the"
        return [before.core.lower() if before.core != "I" else "I", s.tokens[i].text]
    return _insert(tables.EXTRA_WORDS)(s, i, rng)


def _spelling_site(s: Sentence, i: int) -> bool:
    t = s.tokens[i]
    return t.is_word and t.core.isalpha() and len(t.core) >= 3


def _typo(s: Sentence, i: int, rng: random.Random) -> list[str]:
    t = s.tokens[i]
    return [t.lead + keyboard_typo(t.core, rng) + t.trail]


RULES: dict[tuple[str, str], Rule] = {
    ("article", "substitute"): Rule(_where(_article_site), _swap_article),
    ("article", "drop"): Rule(_where(_article_site), _drop),
    ("article", "insert"): Rule(_where(_article_insert_site), _insert_article),
    ("preposition", "substitute"): Rule(_where(_preposition_site), _swap_preposition),
    ("preposition", "drop"): Rule(_where(_preposition_site), _drop),
    ("preposition", "insert"): Rule(_where(_preposition_insert_site),
                                    _insert(tables.EXTRA_PREPOSITIONS)),
    ("punctuation", "substitute"): Rule(
        _where(lambda s, i: _has_clause_mark(s.tokens[i])), _swap_punctuation),
    ("punctuation", "drop"): Rule(_punctuation_drop_sites, _drop_punctuation),
    ("punctuation", "insert"): Rule(_where(_comma_insert_site), _insert_comma),
    ("verb_form", "substitute"): Rule(_where(_verb_site), _change_verb_form),
    ("agreement", "substitute"): Rule(_where(_agreement_site), _break_agreement),
    ("noun_number", "substitute"): Rule(noun_sites, _change_noun_number),
    ("missing_word", "drop"): Rule(_where(_missing_word_site), _drop),
    ("extra_word", "insert"): Rule(_where(_extra_word_site), _insert_extra_word),
    ("spelling", "substitute"): Rule(_where(_spelling_site), _typo),
}
FAMILIES = tuple(dict.fromkeys(family for family, _ in RULES))


def capitalise_first(tokens: list[str], was_capitalised: bool) -> list[str]:
    """Capitalises the first word again after the sentence's first word was dropped."""
    if was_capitalised and tokens and tokens[0][:1].islower():
        tokens[0] = match_case(tokens[0], "X")
    return tokens
