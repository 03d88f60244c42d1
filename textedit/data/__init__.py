"""Data: readers for the dataset formats (pure Python; index in `readers`), data directory
resolution, malformed-input bookkeeping, vocabularies and SeqIO sources."""
