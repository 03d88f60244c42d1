"""The T5 (v1.0 / v1.1) encoder-decoder: attention with caches, blocks, stacks, Hugging Face
names and checkpoint import. Public names are re-exported by `textedit.models`."""
