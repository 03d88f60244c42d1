"""Losses as functions of tensors, one module per family (`seq2seq`, `edit5_loss`), wrapped as
`Objective`s for the trainer; docs/architecture.md#an-objective says how to add one."""
