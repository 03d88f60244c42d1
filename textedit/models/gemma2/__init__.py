"""Gemma 2: a decoder-only backbone (local/global attention, GQA, soft-capping, tied scaled
embedding), its Hugging Face import and cached decoding steps. Public names are re-exported by
`textedit.models`."""
