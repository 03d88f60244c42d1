"""The trainer: compiled train step, checkpoints, resumable data, evaluation, summaries, strategies.

    from textedit.training.trainer import TrainConfig, train
    result = train(TrainConfig("runs/x", train_steps=1000, batch_size=32), model_fn, objective,
                   optimizer_fn, dataset_fn, strategy=None, evaluators=[...])

Model-agnostic: any Keras model plus an `Objective` (textedit/objectives/objective.py). The gin
entry point is `textedit train` (textedit/cli/train.py); this package imports no gin.
"""
