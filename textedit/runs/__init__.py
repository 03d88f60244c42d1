"""Run directories, below both training and inference: `model.json`, `run.json` and the
vocabulary copy (`run_artifacts`), checkpoint variable keys (`variable_keys`) and strict or
warm-start weight loading (`init_checkpoint`)."""
