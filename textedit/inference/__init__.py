"""The product API over trained EdiT5 runs: `Editor` (load a run or an export, edit strings),
SavedModel export (`edit_export`) and the TF realisation it serves with (`realise_tf`)."""
