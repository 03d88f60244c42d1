"""Sentence fusion tasks: reversed WikiSplit and reversed BiSECT (split sentences in, one out).

Exact match, as DiscoFuse reports fusion quality.
"""

from tasks.registration import register_catalog_task

for _name in ("fusion_wikisplit", "fusion_bisect"):
    register_catalog_task(_name)
