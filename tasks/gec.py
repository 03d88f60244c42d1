"""Grammatical error correction tasks: W&I + FCE, JFLEG, CoNLL.

Exact match for now; the metrics issue adds ERRANT F0.5 (W&I, CoNLL) and GLEU (JFLEG).
"""

from tasks.registration import register_catalog_task

for _name in ("gec_wi_fce", "gec_jfleg", "gec_conll"):
    register_catalog_task(_name)
