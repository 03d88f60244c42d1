"""Sentence fusion tasks: reversed WikiSplit and reversed BiSECT (split sentences in, one out).

Test splits, when the files are present: `wikisplit.test.tsv` (reversed, as validation) and
`bisect.test.{src,dst}.gz` (reversed, the whole file).

Metrics as DiscoFuse reports fusion quality: exact match (cased, and lower-cased as DiscoFuse's
"Exact"), SARI (how well the connectives and pronouns the fusion needs are added and the rest
kept), and BLEU for comparison with the WikiSplit / BiSECT papers.
"""

from tasks.registration import register_catalog_task
from textedit.metrics.seqio_adapters import seqio_metric, suffixed_metric

for _name in ("fusion_wikisplit", "fusion_bisect"):
    register_catalog_task(_name, [
        "exact_match",
        suffixed_metric(seqio_metric("exact_match", lowercase=True), "_lowercase"),
        "sari",
        "bleu",
    ])
