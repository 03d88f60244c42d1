"""EdiT5 edits in pure Python (no TensorFlow): alignment, conversion, realisation, statistics.

    plan = convert(source_tokens, target_tokens)          # tags, pointers, insertions
    assert realise(source_tokens, plan) == list(target_tokens)
    decoder_target(plan, position_token)                  # <pos_k> span <pos_m> span ...

See `edit_plan` for the pointer convention and `alignment` for the algorithm and its complexity.
"""

from textedit.edits.alignment import Alignment, align
from textedit.edits.conversion import (
    TooManyPositionsError,
    convert,
    plan_from_alignment,
    realise,
)
from textedit.edits.decoder_target import decoder_target, parse_decoder_output
from textedit.edits.edit_plan import DELETE, KEEP, START_SLOT, EditPlan, InvalidPlanError
from textedit.edits.edit_stats import (
    ConversionFailure,
    ConversionReport,
    EditStats,
    convert_all,
    edit_stats,
    format_alignment,
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
    "convert",
    "convert_all",
    "decoder_target",
    "edit_stats",
    "format_alignment",
    "parse_decoder_output",
    "plan_from_alignment",
    "realise",
]
