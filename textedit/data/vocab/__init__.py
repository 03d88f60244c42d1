"""The SentencePiece vocabulary with EdiT5 position tokens and T5 sentinels (`vocabulary`) and
the corpus it is trained on (`vocabulary_corpus`)."""
