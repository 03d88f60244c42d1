"""EdiT5 edits in pure Python (no TensorFlow): alignment, conversion, realisation, statistics.

    plan = convert(source_tokens, target_tokens)          # tags, pointers, insertions
    assert realise(source_tokens, plan) == list(target_tokens)
    decoder_target(plan, position_token)                  # <pos_k> span <pos_m> span ...
    decoder_target_sources(plan)                          # per decoder token: target index / -1

    # word-aware: whole words kept / deleted / inserted (flags: piece starts a word)
    plan = convert_words(source_ids, target_ids, source_word_start, target_word_start)
    # segmented source (LMCor: x <sep> c_1 <sep> ...): words from x first, then c_1, ...
    plan = convert_segments(source_ids, target_ids, source_word_start, target_word_start,
                            separator)

See `edit_plan` for the pointer convention and `alignment` for the algorithm and its complexity.
"""

from textedit.edits.alignment import Alignment, align
from textedit.edits.conversion import (
    TooManyPositionsError,
    convert,
    plan_from_alignment,
    realise,
)
from textedit.edits.decoder_target import (
    decoder_target,
    decoder_target_sources,
    parse_decoder_output,
)
from textedit.edits.edit_plan import DELETE, KEEP, START_SLOT, EditPlan, InvalidPlanError
from textedit.edits.edit_stats import (
    ConversionFailure,
    ConversionReport,
    EditStats,
    convert_all,
    edit_stats,
    format_alignment,
)
from textedit.edits.segment_conversion import align_segments, convert_segments
from textedit.edits.word_conversion import (
    align_words,
    convert_words,
    word_spans,
    word_violations,
    words_of,
)

__all__ = [
    "DELETE",
    "KEEP",
    "START_SLOT",
    "Alignment",
    "ConversionFailure",
    "ConversionReport",
    "EditPlan",
    "EditStats",
    "InvalidPlanError",
    "TooManyPositionsError",
    "align",
    "align_segments",
    "align_words",
    "convert",
    "convert_all",
    "convert_segments",
    "convert_words",
    "decoder_target",
    "decoder_target_sources",
    "edit_stats",
    "format_alignment",
    "parse_decoder_output",
    "plan_from_alignment",
    "realise",
    "word_spans",
    "word_violations",
    "words_of",
]
