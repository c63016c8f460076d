"""Networks and their data: tasks (`tasks`: `Task`, `make_task`), the activation table (`activations`), the
MLPs and any ``nn.Linear`` + activation model (`nets`: `MLP`, `ZpMLP`, `as_mlp`), many small nets at once
(`batched`) and training (`training`: `train`, `TrainedNet`, the model cache).

The bottom layer of `compare`: it imports `synth` (a task's specification), `compare.errors` and
`compare.output`, nothing else of `compare`. The package imports nothing itself (the public names are
`compare.<name>`).
"""
