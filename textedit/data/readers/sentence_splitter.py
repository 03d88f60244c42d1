"""A small rule-based sentence splitter for untokenised English prose (essays, speeches).

`split_sentences(text)` returns character spans `(start, end)` into `text`, one per sentence,
without surrounding whitespace. The rules, in order:

1. A newline always ends a sentence: each line is a paragraph (FCE essays, the State of the Union
   and inaugural files put one paragraph per line). Blank lines give no sentence.
2. Inside a line, a sentence ends after a run of `.`, `!`, `?` or `…`, plus any closing quotes or
   brackets, when whitespace follows and the next word (after any opening quotes or brackets)
   starts with an uppercase letter or a digit. No whitespace, no split ("on.Our" stays whole);
   a lowercase next word, no split.
3. A single `.` does not end a sentence after
   - a known abbreviation that rarely ends one: titles (Mr, Mrs, Dr, St, Gen, ...), `e.g.`,
     `i.e.`, `vs`, `cf`, month abbreviations (Jan, Feb, ...), and, before a digit, `No`, `p`,
     `pp`, `Vol`, `Fig`, ...;
   - an initial or a dotted initialism (`S.` in "Harry S. Truman", `U.S.`, `p.m.`), unless the
     next word is a common sentence starter (I, We, The, But, ..., or an opening bracket):
     "World War I. Then", "Washington, D.C. We";
   - a number that is the first word of the sentence (a list marker, "1. Draw ...").
   `!`, `?` and an ellipsis (`...`, `…`) end a sentence whatever precedes them; `etc.` does too.

When a rule is unsure it keeps the text together: for the readers a missed split only joins two
sentences, while a wrong split cuts one in half. The rules make no attempt to split sentences that
start with a lowercase letter, which is the main source of missed splits in learner essays.
"""

from __future__ import annotations

import re

# Titles and other abbreviations that (almost) never end a sentence, lower-cased, without the dot.
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms messrs mme mlle dr prof rev hon gen col lt maj sgt capt cmdr adm gov sen rep "
        "pres supt insp st mt ft jr sr vs cf viz e.g i.e "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    ).split()
)
# Abbreviations that do not end a sentence when a number follows ("No. 5", "pp. 12").
ABBREVIATIONS_BEFORE_NUMBER = frozenset(
    "no nos p pp vol vols fig figs art arts ch chap sec sect para ed op tel ext approx ca".split()
)

# Words that start sentences far more often than they follow an initial or an initialism; after
# "U.S." or a single-letter initial they decide that the sentence has ended.
COMMON_SENTENCE_STARTERS = frozenset(
    "( I We You He She It They This That These Those There The A An Our My Your His Her Their Its "
    "But And So Yet Or Now Then In On At For If When As Let What How Why Today Tonight Thank All "
    "Each Every No Not Some Many Most One".split()
)

_END = re.compile(r"[.!?…]+[\"'”’)\]}»]*(?=\s)")
_OPENERS = "\"'“‘([{«"
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_NUMBER = re.compile(r"\d+")


def _next_word(line: str, position: int) -> str:
    """The word at `position`, without trailing punctuation; "(" for an opening bracket."""
    if line[position] in "([{":
        return "("
    end = position
    while end < len(line) and not line[end].isspace():
        end += 1
    return line[position:end].lstrip(_OPENERS).rstrip(".,;:!?\"'”’)]}")


def _word_before(line: str, dot: int) -> str:
    """The whitespace-delimited word that ends at `dot` (exclusive), without opening quotes."""
    start = dot
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return line[start:dot].lstrip(_OPENERS)


def _starts_sentence(line: str, position: int) -> tuple[bool, str]:
    """Whether the word at `position` can start a sentence; also returns its first character."""
    while position < len(line) and line[position] in _OPENERS:
        position += 1
    first = line[position : position + 1]
    return (first.isupper() or first.isdigit()), first


def _ends_sentence(line: str, match: re.Match, sentence_start: int) -> bool:
    next_word = match.end()
    while next_word < len(line) and line[next_word].isspace():
        next_word += 1
    if next_word >= len(line):
        return False  # only whitespace follows: the line's end closes the sentence anyway
    can_start, first = _starts_sentence(line, next_word)
    if not can_start:
        return False
    run = match.group(0).rstrip("\"'”’)]}»")
    if run != ".":
        return True  # "!", "?", "?!", "..." or "…"
    word = _word_before(line, match.start())
    lowered = word.lower().rstrip(".")
    if lowered in ABBREVIATIONS:
        return False
    if lowered in ABBREVIATIONS_BEFORE_NUMBER and first.isdigit():
        return False
    if _INITIALS.fullmatch(word):
        # "S. Truman", "U.S. Government" go on; "World War I. Then", "D.C. We" end.
        return _next_word(line, next_word) in COMMON_SENTENCE_STARTERS
    word_start = match.start() - len(word)
    if _NUMBER.fullmatch(word) and not line[sentence_start:word_start].strip():
        return False  # a list marker at the start of the sentence
    return True


def _split_line(line: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    start = len(line) - len(line.lstrip())
    for match in _END.finditer(line):
        if match.start() < start:
            continue
        if _ends_sentence(line, match, start):
            spans.append((offset + start, offset + match.end()))
            start = match.end()
            while start < len(line) and line[start].isspace():
                start += 1
    end = len(line.rstrip())
    if start < end:
        spans.append((offset + start, offset + end))
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences in `text`, in order, never empty.

    `text[start:end]` has no leading or trailing whitespace and never contains a newline.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend(_split_line(line, offset))
        offset += len(line) + 1
    return spans
