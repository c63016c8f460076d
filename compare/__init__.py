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

# where each public name is defined (a module under compare/), loaded on first use
_PUBLIC = {
    "networks.tasks": ("TARGETS", "Dataset", "Target", "Task", "make_task"),
    "networks.nets": ("ACTIVATIONS", "MLP", "ZpMLP", "gromov_weights", "as_mlp", "load_network"),
    "networks.batched": ("NetPrior", "NetBatch", "train_batch"),
    "networks.training": ("TrainConfig", "TrainedNet", "default_cache_dir", "predict", "train"),
    "extraction": ("METHODS", "Circuit", "ExtractionMethod", "extract", "register_method"),
    "analysis.function": ("NetFunction", "embed_program", "net_function"),
    "analysis.fourier": ("FourierReport", "fourier_report", "frequency_power", "key_frequencies",
                         "restricted_accuracy"),
    "analysis.matching": ("match", "Comparison", "compare_programs", "compare_network", "NetworkComparison"),
    "analysis.probes": ("PROBES", "Probe", "register_probe", "run_probes"),
    "analysis.llc": ("LLCConfig", "LLCEstimate", "estimate_llc"),
    "runs.cases": ("load_case", "Case", "list_cases"),
    "runs.study": ("run_case", "RunResult"),
    "runs.sweep": ("Job", "SweepResult", "plan_sweep", "run_sweep", "parse_seeds"),
    "runs.report": ("write_report",),
    "studies.prior": ("PriorConfig", "PriorStudy", "FunctionCounts", "count_functions", "sample_functions",
                      "minimal_sizes", "run_prior_study"),
    "studies.posterior": ("PosteriorConfig", "PosteriorStudy", "run_posterior_study"),
    "studies.learnability": ("LearnabilityConfig", "LearnabilityStudy", "run_learnability_study"),
}
_EXPORTS = {name: module for module, names in _PUBLIC.items() for name in names}

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
