"""compare: train small networks, extract circuits written in `synth`'s DSL, and analyse Z_p networks.

Public API (everything else is private)::

    task = compare.make_task("parity", n=20, k=3, train_count=1000, seed=0)
    net = compare.train(task, compare.MLP(20, [128], seed=0), compare.TrainConfig(...), seed=0)
    circuit = compare.extract(net)                 # Circuit: .program (synth.Program), .fidelity, ...
    fn = compare.net_function(net)                 # the network's truth table and its minimal program

    # your own examples and network (nn.Linear layers and elementwise activations; one logit or two classes)
    task = compare.Task.from_examples(X, y)        # or Task.from_csv("data.csv"); the target is unknown elsewhere
    found = compare.compare_network(my_sequential, task, bases=["xag"])   # extraction, synthesis, comparison
    report = compare.fourier_report(zp_net)        # key frequencies of a Z_p network

    # simplicity-bias studies (each writes report.md, JSON and figures to out_dir)
    compare.run_prior_study(compare.PriorConfig(n_inputs=5, samples=10**6), seed=0, out_dir="runs/prior")
    compare.run_posterior_study(compare.PosteriorConfig(), seed=0, out_dir="runs/posterior")
    compare.run_learnability_study(compare.LearnabilityConfig(), seed=0, out_dir="runs/learnability")

Names are imported on first use (PEP 562), so ``occam synth ...`` and ``import compare`` do not pay
for importing torch until a network is touched.
"""

from __future__ import annotations

import importlib

from .errors import CompareError

_EXPORTS = {
    "TARGETS": "tasks", "Dataset": "tasks", "Target": "tasks", "Task": "tasks", "make_task": "tasks",
    "ACTIVATIONS": "nets", "MLP": "nets", "ZpMLP": "nets", "gromov_weights": "nets",
    "TrainConfig": "training", "TrainedNet": "training", "default_cache_dir": "training",
    "predict": "training", "train": "training",
    "METHODS": "extraction", "Circuit": "extraction", "ExtractionMethod": "extraction",
    "extract": "extraction", "register_method": "extraction",
    "NetFunction": "function", "embed_program": "function", "net_function": "function",
    "FourierReport": "fourier", "fourier_report": "fourier", "frequency_power": "fourier",
    "key_frequencies": "fourier", "restricted_accuracy": "fourier",
    "match": "matching", "Comparison": "matching", "compare_programs": "matching",
    "compare_network": "matching", "NetworkComparison": "matching", "as_mlp": "nets", "load_network": "nets",
    "load_case": "cases", "Case": "cases", "list_cases": "cases",
    "run_case": "study", "RunResult": "study", "write_report": "report",
    "PriorConfig": "prior", "PriorStudy": "prior", "FunctionCounts": "prior", "count_functions": "prior",
    "sample_functions": "prior", "minimal_sizes": "prior", "run_prior_study": "prior",
    "LearnabilityConfig": "learnability", "LearnabilityStudy": "learnability",
    "run_learnability_study": "learnability",
    "PosteriorConfig": "posterior", "PosteriorStudy": "posterior", "run_posterior_study": "posterior",
    "NetPrior": "batched", "NetBatch": "batched", "train_batch": "batched",
    "Job": "sweep", "SweepResult": "sweep", "plan_sweep": "sweep", "run_sweep": "sweep",
    "parse_seeds": "sweep",
    "PROBES": "probes", "Probe": "probes", "register_probe": "probes", "run_probes": "probes",
    "LLCConfig": "llc", "LLCEstimate": "llc", "estimate_llc": "llc",
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
