"""compare: train small networks, extract circuits written in `synth`'s DSL, and analyse Z_p networks.

Public API (everything else is private)::

    task = compare.make_task("parity", n=20, k=3, train_count=1000, seed=0)
    net = compare.train(task, compare.MLP(20, [128], seed=0), compare.TrainConfig(...), seed=0)
    circuit = compare.extract(net)                 # Circuit: .program (synth.Program), .fidelity, ...
    fn = compare.net_function(net)                 # the network's truth table and its minimal program
    report = compare.fourier_report(zp_net)        # key frequencies of a Z_p network

Names are imported on first use (PEP 562), so ``occam synth ...`` and ``import compare`` do not pay
for importing torch until a network is touched.
"""

from __future__ import annotations

import importlib

from .errors import CompareError

_EXPORTS = {
    "TARGETS": "tasks", "Dataset": "tasks", "Target": "tasks", "Task": "tasks", "make_task": "tasks",
    "ACTIVATIONS": "nets", "MLP": "nets", "ZpMLP": "nets", "gromov_weights": "nets",
    "TrainConfig": "train", "TrainedNet": "train", "default_cache_dir": "train", "predict": "train",
    "train": "train",
    "METHODS": "extract", "Circuit": "extract", "ExtractionMethod": "extract", "extract": "extract",
    "register_method": "extract",
    "NetFunction": "function", "embed_program": "function", "net_function": "function",
    "FourierReport": "fourier", "fourier_report": "fourier", "frequency_power": "fourier",
    "key_frequencies": "fourier", "restricted_accuracy": "fourier",
}

__all__ = ["CompareError", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'compare' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
