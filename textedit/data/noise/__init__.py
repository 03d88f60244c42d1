"""Synthetic noise: span noise for pre-training (`span_noise`) and learner-error noise for GEC
(`gec_noise` with its rule, word and rate tables)."""
