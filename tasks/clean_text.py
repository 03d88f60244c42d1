"""Clean text for pre-training: one sentence per example, source and target identical.

`clean_text` is the raw material of edit-noise and span-corruption pre-training (the warm-start
issue adds the noised variants); as a text-to-text task it is the identity mapping.
"""

from tasks.registration import register_catalog_task

register_catalog_task("clean_text")
