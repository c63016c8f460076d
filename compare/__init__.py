"""compare: train small networks, extract circuits written in `synth`'s DSL, and analyse Z_p networks.

Public API (everything else is private)::

    task = compare.make_task("parity", n=20, k=3, train_count=1000, seed=0)
    net = compare.train(task, compare.MLP(20, [128], seed=0), compare.TrainConfig(...), seed=0)
    circuit = compare.extract(net)                 # Circuit: .program (synth.Program), .fidelity, ...
    fn = compare.net_function(net)                 # the network's truth table and its minimal program
    report = compare.fourier_report(zp_net)        # key frequencies of a Z_p network
"""

from .errors import CompareError
from .tasks import TARGETS, Dataset, Target, Task, make_task
from .nets import ACTIVATIONS, MLP, ZpMLP, gromov_weights
from .train import TrainConfig, TrainedNet, default_cache_dir, predict, train
from .extract import METHODS, Circuit, ExtractionMethod, extract, register_method
from .function import NetFunction, embed_program, net_function
from .fourier import FourierReport, fourier_report, frequency_power, key_frequencies, restricted_accuracy

__all__ = [
    "CompareError",
    "TARGETS", "Dataset", "Target", "Task", "make_task",
    "ACTIVATIONS", "MLP", "ZpMLP", "gromov_weights",
    "TrainConfig", "TrainedNet", "default_cache_dir", "predict", "train",
    "METHODS", "Circuit", "ExtractionMethod", "extract", "register_method",
    "NetFunction", "embed_program", "net_function",
    "FourierReport", "fourier_report", "frequency_power", "key_frequencies", "restricted_accuracy",
]
