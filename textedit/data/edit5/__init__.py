"""EdiT5 features for SeqIO: preprocessors that turn tokenised pairs into tags, pointers and
position-tagged insertions (`edit_preprocessors`, `edit_features`), and the feature converter
that pads them to static lengths (`edit_feature_converter`)."""
