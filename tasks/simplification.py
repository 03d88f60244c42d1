"""Sentence simplification tasks: ASSET and TurkCorpus, hash-split into train/validation.

Exact match for now; the metrics issue adds SARI.
"""

from tasks.registration import register_catalog_task

for _name in ("simplify_asset", "simplify_turk"):
    register_catalog_task(_name)
