"""EdiT5: T5 encoder, tagger, Sinkhorn pointer, re-order embedding and a small insertion decoder.
Public names are re-exported by `textedit.models`."""
