"""Sentence simplification tasks: ASSET and TurkCorpus, hash-split into train/validation.

Metrics as EASSE reports them: corpus SARI (lower-cased, 13a-tokenised, against every reference)
with its add / keep / delete parts, and sacrebleu BLEU.
"""

from tasks.registration import register_catalog_task

for _name in ("simplify_asset", "simplify_turk"):
    register_catalog_task(_name, ["sari", "bleu"])
