"""Sentence simplification tasks: ASSET and TurkCorpus, hash-split into train/validation.

The test splits read the published test files when present: ASSET `asset.test.{orig,simp.0..9}`
(10 references) and TurkCorpus `turk.test.{norm,turk.0..7}` (8 references), whole files.

Metrics as EASSE reports them: corpus SARI (lower-cased, 13a-tokenised, against every reference)
with its add / keep / delete parts, and sacrebleu BLEU.
"""

from tasks.registration import register_catalog_task

for _name in ("simplify_asset", "simplify_turk"):
    register_catalog_task(_name, ["sari", "bleu"])
