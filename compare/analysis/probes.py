"""Probes: measures of a network at one checkpoint, kept in a registry like the extraction methods.

A probe is ``fn(model, task, *, config=None, seed=0, **options) -> result``; the result is a small frozen
dataclass with ``as_dict()`` (JSON-ready: tuples as lists, NaN as None) and ``from_dict()``. `PROBES` maps
a name to a `Probe` (name, function, domain, result type, doc); `run_probes` runs the ones that apply to a
task's domain. ``config`` is the `TrainConfig` the network was trained with (its loss, default
cross-entropy); ``seed`` drives every sample a probe draws.

Any task:

* ``fit`` -- train / held-out accuracy and loss (the training loss of ``config``).
* ``weight_norm`` -- L2 norm of all parameters, and per parameter tensor.

Boolean tasks (the network's function: label = logit > 0):

* ``function`` -- influences, support and average sensitivity on the whole domain (up to 2**16 points
  by default) or on a seeded sample.
* ``min_size`` -- minimal formula size of the network's function in each basis, as `synth.synthesize`
  reports it under a work budget (``min_size``, ``lower_bound``, ``exact``).
* ``circuit`` -- the extracted circuit's size and fidelity (`compare.extract`).

Z_p tasks (Nanda et al. 2023, "Progress measures for grokking via mechanistic interpretability";
Gromov 2023, "Grokking modular arithmetic"):

* ``key_frequencies`` -- the fewest frequencies, by decreasing power, holding a share of the input
  weights' non-constant Fourier power (`compare.analysis.fourier.frequency_power`).
* ``progress`` -- Nanda's restricted loss (held-out) and excluded loss (train) for given frequencies.
* ``neuron_purity`` -- per hidden neuron, the share of its input-weight Fourier power in its top
  frequency (1 for every neuron of Gromov's closed-form network).

>>> from compare.networks.nets import MLP
>>> from compare.networks.tasks import make_task
>>> import torch
>>> task = make_task("and", n=3, k=2, train_fraction=1.0)
>>> net = MLP(3, [1], seed=0)
>>> with torch.no_grad():
...     _ = net.linears[0].weight.copy_(torch.tensor([[1.0, 1.0, 0.0]]))
...     _ = net.linears[0].bias.fill_(-1.0); _ = net.linears[1].weight.fill_(1.0)
...     _ = net.linears[1].bias.fill_(-0.5)
>>> r = run_probes(net, task, ["function", "min_size"], options={"min_size": {"bases": ("xag",)}})
>>> r["function"].support, r["function"].average_sensitivity, r["min_size"].sizes[0].min_size
((0, 1), 1.0, 1)
"""

from __future__ import annotations

import contextvars
import dataclasses
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

import synth

from ..errors import CompareError
from ..extraction import extract
from ..networks.tasks import Task, bool_inputs, table_from_labels
from ..networks.training import TrainConfig, predict, task_loss
from .fourier import fourier_basis, frequency_power
from .function import FUNCTION_BUDGET, net_function

__all__ = ["Probe", "PROBES", "register_probe", "run_probes", "result_from_dict",
           "Fit", "WeightNorm", "FunctionShape", "MinimalSize", "MinimalSizes", "CircuitSize",
           "KeyFrequencies", "ProgressMeasures", "NeuronPurity",
           "fit", "weight_norm", "function_shape", "minimal_sizes", "circuit_size", "key_frequencies_by_share",
           "progress_measures", "neuron_purity", "neuron_frequency_power"]

_MAX_EXHAUSTIVE = 20          # net_function's limit: it enumerates at most 2**20 points


# ----------------------------------------------------------------------------------------------- results

def _json(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, _Result):
        return v.as_dict()
    if isinstance(v, (tuple, list)):
        return [_json(x) for x in v]
    return v


def _tuples(v: Any) -> Any:
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


class _Result:
    """as_dict / from_dict shared by the probe results (flat fields: numbers, strings, tuples)."""

    def as_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (tuples as lists, NaN as None)."""
        return {f.name: _json(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """The inverse of `as_dict` (None stays None); an unknown key is an error listing the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CompareError(f"{cls.__name__}: unknown key(s) {unknown} (known: {sorted(known)})")
        return cls(**{k: _tuples(v) for k, v in d.items()})


@dataclass(frozen=True)
class Fit(_Result):
    """Accuracy and loss (``loss``: the training loss's name) on the train and held-out points.

    Held-out fields are None when the task holds nothing out."""

    train_accuracy: float
    heldout_accuracy: float | None
    train_loss: float
    heldout_loss: float | None
    loss: str


@dataclass(frozen=True)
class WeightNorm(_Result):
    """``total`` = sqrt(sum of squares of every parameter); ``per_tensor`` in the order of ``names``."""

    total: float
    names: tuple[str, ...]
    per_tensor: tuple[float, ...]


@dataclass(frozen=True)
class FunctionShape(_Result):
    """The network's Boolean function: support and average sensitivity.

    ``influences[i]`` = Pr_x[f(x) != f(x with bit i flipped)] (x uniform on {0,1}^n), ``average_sensitivity``
    their sum (total influence: the expected number of inputs whose flip changes the label; 1.0 for
    x0 AND x1, k for a k-input parity). ``support`` = the inputs with positive influence,
    ``major_support`` those with influence above ``influence_at`` (a trained network often keeps a tiny
    dependence on every input). With ``exhaustive`` False they are estimated on ``n_points`` seeded
    uniform points and their n neighbours: the support is then the inputs *seen* to matter (a subset of
    the true support)."""

    support: tuple[int, ...]
    major_support: tuple[int, ...]
    influence_at: float
    average_sensitivity: float
    influences: tuple[float, ...]
    n_points: int
    exhaustive: bool


@dataclass(frozen=True)
class MinimalSize(_Result):
    """Minimal formula size of the network's function in one basis, as `synth.synthesize` reports it.

    ``min_size`` is the smallest size found (None: none found within the budget), ``lower_bound`` the
    proven bound below it, ``exact`` whether they meet; ``work`` the units spent and ``fired`` the limit that
    stopped the search (None when it finished). The function synthesised (truth table ``table``, input j =
    ``support[j]``) is the network's read on the sub-cube where every input outside ``support`` (the inputs
    with influence above ``influence_at``) is 0; ``agreement`` is its agreement with the network on the
    points evaluated (1.0 with ``influence_at`` 0 on an enumerated domain: it *is* the network's function)."""

    basis: str
    min_size: int | None
    lower_bound: int
    exact: bool
    support: tuple[int, ...]
    table: str
    agreement: float | None
    influence_at: float
    work: int | None
    fired: str | None
    note: str = ""


@dataclass(frozen=True)
class MinimalSizes(_Result):
    """One `MinimalSize` per basis, in the order asked for."""

    sizes: tuple[MinimalSize, ...]

    def by_basis(self) -> dict[str, MinimalSize]:
        return {s.basis: s for s in self.sizes}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "MinimalSizes":
        return cls(tuple(MinimalSize.from_dict(s) for s in d["sizes"]))


@dataclass(frozen=True)
class CircuitSize(_Result):
    """Size (``program.size`` in ``basis``) and fidelity of the circuit `compare.extract` returns.

    ``error`` holds the extraction's message when it failed (every other number is then None)."""

    method: str
    basis: str
    size: int | None
    fidelity: float | None
    n_neurons: int | None
    n_edges: int | None
    support: tuple[int, ...]
    exact: bool | None
    program: str | None
    error: str | None = None


@dataclass(frozen=True)
class KeyFrequencies(_Result):
    """Key frequencies by the share rule: the fewest frequencies, by decreasing power, whose power adds up
    to at least ``share`` of the non-constant Fourier power of the input weights (``power[k]`` for k = 1 ..
    p // 2, from `compare.analysis.fourier.frequency_power`). ``held`` is the share they actually hold."""

    frequencies: tuple[int, ...]
    share: float
    held: float
    power: tuple[float, ...]


@dataclass(frozen=True)
class ProgressMeasures(_Result):
    """Nanda et al. (2023) restricted and excluded loss for ``frequencies`` (see `progress_measures`).

    ``restricted_*`` are measured on the held-out points (all points when none is held out), ``excluded_*``
    on the training points; losses are the training loss ``loss``."""

    frequencies: tuple[int, ...]
    restricted_loss: float
    restricted_accuracy: float
    excluded_loss: float
    excluded_accuracy: float
    loss: str


@dataclass(frozen=True)
class NeuronPurity(_Result):
    """Per live hidden neuron: the share of its input-weight Fourier power (k >= 1, a and b together) in its
    top frequency (``purity``) and that frequency (``top_frequency``); ``neurons`` are their indices.

    A neuron is live when its non-constant input power is at least ``live_threshold`` times the largest
    neuron's. ``mean`` / ``median`` / ``minimum`` summarise ``purity``; ``pure_share`` is the share of live
    neurons with purity >= ``pure_at``; ``n_frequencies`` the number of distinct top frequencies."""

    neurons: tuple[int, ...]
    purity: tuple[float, ...]
    top_frequency: tuple[int, ...]
    mean: float
    median: float
    minimum: float
    pure_share: float
    pure_at: float
    n_frequencies: int
    live_threshold: float


# ----------------------------------------------------------------------------------------------- helpers

def _module(model: Any) -> torch.nn.Module:
    return getattr(model, "model", model)


def _need_domain(task: Task, domain: str, probe: str) -> None:
    if task.domain != domain:
        kind = "Boolean" if domain == "bool" else "Z_p"
        raise CompareError(f"probe {probe!r}: needs a {kind} task, got {task.name!r} ({task.domain} domain)")


def _config(config: TrainConfig | None) -> TrainConfig:
    return TrainConfig() if config is None else config


def _outputs(model: torch.nn.Module, X: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(X)


def _accuracy(out: torch.Tensor, y: torch.Tensor, task: Task) -> float:
    pred = (out > 0).long() if task.domain == "bool" else out.argmax(-1)
    return float((pred == y).double().mean())


def _bool_labels(model: Any, task: Task, samples: int, seed: int, max_exhaustive: int
                 ) -> tuple[np.ndarray, np.ndarray, bool]:
    """(points, labels on them, exhaustive): the whole domain up to 2**max_exhaustive points, else
    ``samples`` seeded uniform points."""
    n = task.n_inputs
    if n <= min(max_exhaustive, _MAX_EXHAUSTIVE):
        labels = net_function(model, task, synthesize=False).labels
        return np.arange(1 << n, dtype=np.int64), labels, True
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 11]))
    idx = rng.integers(0, 1 << n, size=int(samples), dtype=np.int64)
    return idx, predict(_module(model), task, task.encode(bool_inputs(idx, n))).astype(bool), False


def _flipped_labels(model: Any, task: Task, idx: np.ndarray, labels: np.ndarray, exhaustive: bool,
                    i: int) -> np.ndarray:
    """Labels at the points ``idx`` with input i flipped."""
    if exhaustive:
        return labels[idx ^ (1 << i)]
    flipped = idx ^ (1 << i)
    return predict(_module(model), task, task.encode(bool_inputs(flipped, task.n_inputs))).astype(bool)


# ----------------------------------------------------------------------------------------------- any task

def fit(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0) -> Fit:
    """Accuracy and ``config``'s training loss on the task's train and held-out points."""
    config = _config(config)
    net = _module(model)
    Xtr, ytr, Xte, yte = task.dataset()
    out_tr = _outputs(net, Xtr)
    tr_loss = float(task_loss(out_tr, ytr, task, config))
    if len(yte):
        out_te = _outputs(net, Xte)
        te_acc, te_loss = _accuracy(out_te, yte, task), float(task_loss(out_te, yte, task, config))
    else:
        te_acc = te_loss = None
    return Fit(train_accuracy=_accuracy(out_tr, ytr, task), heldout_accuracy=te_acc, train_loss=tr_loss,
               heldout_loss=te_loss, loss=config.loss)


def weight_norm(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0) -> WeightNorm:
    """L2 norm of every parameter together and of each parameter tensor."""
    named = [(name, float(p.detach().double().norm())) for name, p in _module(model).named_parameters()]
    total = math.sqrt(sum(v * v for _, v in named))
    return WeightNorm(total=total, names=tuple(n for n, _ in named), per_tensor=tuple(v for _, v in named))


# ----------------------------------------------------------------------------------------------- Boolean

def function_shape(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0,
                   samples: int = 4096, max_exhaustive: int = 16, influence_at: float = 0.01) -> FunctionShape:
    """Support, influences and average sensitivity of the network's function (see `FunctionShape`).

    Exact on domains of up to 2**max_exhaustive points (at most 2**20); above that, estimated on ``samples``
    seeded uniform points and their n neighbours each."""
    _need_domain(task, "bool", "function")
    return _shape(model, task, samples, seed, max_exhaustive, influence_at)[0]


# Within one `run_probes` call (one network, one task) the probes that read the network's function on the
# same points (``function``, ``min_size``, ``circuit`` with max_support) share one evaluation: key
# (samples, seed, max_exhaustive) -> (points, labels, exhaustive, influences). None outside run_probes.
_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("occam_probe_shared", default=None)


def _influences(model: Any, task: Task, samples: int, seed: int, max_exhaustive: int
                ) -> tuple[np.ndarray, np.ndarray, bool, tuple[float, ...]]:
    shared = _SHARED.get()
    key = ("influences", int(samples), int(seed), int(max_exhaustive))
    if shared is not None and key in shared:
        return shared[key]
    idx, labels, exhaustive = _bool_labels(model, task, samples, seed, max_exhaustive)
    infl = tuple(float(np.mean(labels != _flipped_labels(model, task, idx, labels, exhaustive, i)))
                 for i in range(task.n_inputs))
    if shared is not None:
        shared[key] = (idx, labels, exhaustive, infl)
    return idx, labels, exhaustive, infl


def _shape(model: Any, task: Task, samples: int, seed: int, max_exhaustive: int, influence_at: float
           ) -> tuple[FunctionShape, np.ndarray, np.ndarray]:
    if not 0.0 <= influence_at < 1.0:
        raise CompareError(f"function: influence_at must be in [0, 1), got {influence_at!r}")
    idx, labels, exhaustive, infl = _influences(model, task, samples, seed, max_exhaustive)
    shape = FunctionShape(support=tuple(i for i, v in enumerate(infl) if v > 0),
                          major_support=tuple(i for i, v in enumerate(infl) if v > influence_at),
                          influence_at=float(influence_at), average_sensitivity=float(sum(infl)), influences=infl,
                          n_points=int(len(idx)), exhaustive=exhaustive)
    return shape, idx, labels


def _sub_index(idx: np.ndarray, support: tuple[int, ...]) -> np.ndarray:
    """Row of each domain point ``idx`` in a truth table over ``support`` (bit j = input support[j])."""
    out = np.zeros(len(idx), dtype=np.int64)
    for j, i in enumerate(support):
        out |= ((idx >> i) & 1) << j
    return out


def minimal_sizes(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0,
                  bases: Sequence[str] = ("xag",), budget: int | None = FUNCTION_BUDGET,
                  budget_s: float | None = None, max_support: int = 10, influence_at: float = 0.0,
                  samples: int = 4096, max_exhaustive: int = 16) -> MinimalSizes:
    """Minimal formula size of the network's function in each basis (`synth.synthesize`, ``budget`` work
    units per basis; ``budget_s`` an optional wall-clock safety valve).

    The function is read over the inputs whose influence exceeds ``influence_at`` (default 0: its whole
    support, so the program is the network's function) on the sub-cube where every other input is 0;
    ``agreement`` says on what share of the points `function_shape` evaluated that reading equals the
    network. A support larger than ``max_support`` inputs is not synthesised (``min_size`` None, with a
    note); a constant function has size 0."""
    _need_domain(task, "bool", "min_size")
    shape, idx, labels = _shape(model, task, samples, seed, max_exhaustive, influence_at)
    support = shape.major_support
    k = len(support)
    table, agreement, note = None, None, f"support of {k} inputs exceeds max_support={max_support}"
    if k <= max_support:
        corner = np.zeros(1 << k, dtype=np.int64)            # the sub-cube: every input outside support 0
        for j, i in enumerate(support):
            corner |= ((np.arange(1 << k) >> j) & 1) << i
        sub = (labels[corner] if shape.exhaustive else
               predict(_module(model), task, task.encode(bool_inputs(corner, task.n_inputs))).astype(bool))
        table = table_from_labels(sub)
        agreement = float(np.mean(sub[_sub_index(idx, support)] == labels))
        note = "" if shape.exhaustive else f"support and agreement from {shape.n_points} sampled points"
    out = []
    unknown = [b for b in bases if b not in synth.BASES or synth.BASES[b].domain != "bool"]
    if unknown:
        raise CompareError(f"min_size: unknown Boolean basis {unknown[0]!r} (known: "
                           f"{', '.join(b for b, v in synth.BASES.items() if v.domain == 'bool')})")
    for b in bases:
        if table is None:
            out.append(MinimalSize(b, None, 0, False, support, "", None, influence_at, None, None, note))
        elif k == 0:
            out.append(MinimalSize(b, 0, 0, True, support, f"{table:#x}", agreement, influence_at, 0, None,
                                   "constant function"))
        else:
            res = synth.synthesize(synth.Spec.from_table(table, k), basis=b, mode="formula", top_k=1, slack=0,
                                   budget=budget, budget_s=budget_s)
            used = res.stats.get("budget", {})
            out.append(MinimalSize(b, res.min_size, int(res.lower_bound), bool(res.exact), support, f"{table:#x}",
                                   agreement, influence_at, used.get("used"), used.get("fired"), note))
    return MinimalSizes(tuple(out))


def circuit_size(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0,
                 method: str = "prune_discretise", basis: str = "xag", max_support: int | None = None,
                 influence_at: float = 0.01, samples: int = 4096, **options: Any) -> CircuitSize:
    """Size and fidelity of the circuit `compare.extract` returns (``options`` go to the method).

    An extraction that fails with a `CompareError` (e.g. a memorising network whose output keeps more
    parents than a unit can be re-synthesised over) is recorded in ``error``, so one checkpoint does not
    stop a trajectory. Such a failure can take minutes on a wide network; with ``max_support`` set, the
    extraction is skipped (and the reason recorded) when more than that many inputs have influence above
    ``influence_at`` (`function_shape` on ``samples`` points when the domain exceeds 2**16)."""
    _need_domain(task, "bool", "circuit")
    if max_support is not None:
        shape = function_shape(model, task, seed=seed, samples=samples, influence_at=influence_at)
        if len(shape.major_support) > max_support:
            return CircuitSize(method, basis, None, None, None, None, (), None, None,
                               f"skipped: {len(shape.major_support)} inputs have influence above {influence_at} "
                               f"(max_support={max_support})")
    try:
        c = extract(_module(model), task, method=method, basis=basis, seed=seed, **options)
    except CompareError as exc:
        return CircuitSize(method, basis, None, None, None, None, (), None, None, str(exc))
    return CircuitSize(method=method, basis=basis, size=int(c.n_gates), fidelity=float(c.fidelity),
                       n_neurons=int(c.n_neurons), n_edges=int(c.n_edges), support=tuple(int(i) for i in c.support),
                       exact=bool(c.exact), program=str(c.program))


# ----------------------------------------------------------------------------------------------- Z_p

def key_frequencies_by_share(model: Any, task: Task | None = None, *, config: TrainConfig | None = None,
                             seed: int = 0, share: float = 0.8) -> KeyFrequencies:
    """The fewest frequencies, by decreasing power, holding at least ``share`` of the input weights'
    non-constant Fourier power (ties broken by the smaller frequency).

    Nanda et al. (2023) read the key frequencies off the Fourier norms of the embedding; here the
    "embedding" is the first layer's weights per token (`ZpMLP.input_weights`, a and b together)."""
    if not 0.0 < share <= 1.0:
        raise CompareError(f"key_frequencies: share must be in (0, 1], got {share!r}")
    if task is not None:
        _need_domain(task, "zp", "key_frequencies")
    power = frequency_power(_module(model))[1:]
    if power.sum() <= 0:
        return KeyFrequencies((), float(share), 0.0, tuple(float(x) for x in power))
    order = np.argsort(-power, kind="stable")
    cum = np.cumsum(power[order])
    count = int(np.searchsorted(cum, share - 1e-12) + 1)
    keys = tuple(int(k) + 1 for k in order[:min(count, len(order))])
    return KeyFrequencies(frequencies=keys, share=float(share), held=float(power[[k - 1 for k in keys]].sum()),
                          power=tuple(float(x) for x in power))


def _sum_directions(p: int, frequencies: Sequence[int]) -> np.ndarray:
    """Orthonormal vectors over the p*p grid (row t = (a, b) = (t // p, t % p)): cos and sin of
    2 pi w (a + b) / p for each w (columns; a sin that vanishes, w = p / 2, is left out)."""
    t = np.arange(p * p)
    s = (t // p + t % p) % p
    cols = []
    for w in frequencies:
        for v in (np.cos(2 * np.pi * w * s / p), np.sin(2 * np.pi * w * s / p)):
            norm = np.linalg.norm(v)
            if norm > 1e-9:
                cols.append(v / norm)
    return np.stack(cols, 1) if cols else np.zeros((p * p, 0))


def progress_measures(model: Any, task: Task, *, config: TrainConfig | None = None, seed: int = 0,
                      frequencies: Sequence[int] | None = None, share: float = 0.8) -> ProgressMeasures:
    """Restricted and excluded loss of Nanda et al. (2023), section 5.1, for a Z_p network.

    The logits on all p*p pairs are read, per output class, as functions of (a, b). *Restricted*: keep only
    their constant part and their components along cos(w (a + b)) and sin(w (a + b)) for the key frequencies
    w, and measure the loss on the held-out points. *Excluded*: remove those components (keep the rest) and
    measure the loss on the training points. Nanda et al. project the last hidden layer's activations; when
    the readout is linear (as in `ZpMLP`) that is the same as projecting the logits, done here.
    ``frequencies`` default to `key_frequencies_by_share` of this network; to follow a training run, pass
    the final checkpoint's, as Nanda et al. do.

    Caveat (measured on `cases` grokking_modular): the projection is taken over the whole grid, train
    points included, and a function of a + b is an average along the diagonal a + b = s. So a held-out
    point's restricted logits average those of the training points on its diagonal, and memorised labels
    leak into it: a lookup table (one-hot label on the training points, 0 elsewhere) has held-out
    restricted accuracy 1.0 with every frequency kept, and the grokking case's network at its fit epoch
    0.96 with 23 of 29 (its held-out accuracy: 0.005). Read the restricted loss with few frequencies."""
    _need_domain(task, "zp", "progress")
    config = _config(config)
    p = int(task.p)
    if frequencies is None:
        frequencies = key_frequencies_by_share(model, task, share=share).frequencies
    freqs = tuple(int(w) for w in frequencies)
    bad = [w for w in freqs if not 1 <= w <= p // 2]
    if bad:
        raise CompareError(f"progress: frequencies must be in 1..{p // 2}, got {bad}")
    logits = _outputs(_module(model), task.encode(task.inputs())).double().numpy()      # (p*p, p)
    U = _sum_directions(p, freqs)
    along = U @ (U.T @ logits)
    restricted = logits.mean(0, keepdims=True) + along
    excluded = logits - along
    held = task.test_idx if len(task.test_idx) else np.arange(task.domain_size)

    def measure(L: np.ndarray, idx: np.ndarray) -> tuple[float, float]:
        out, y = torch.as_tensor(L[idx]), torch.as_tensor(task.labels[idx])
        return float(task_loss(out, y, task, config)), _accuracy(out, y, task)

    r_loss, r_acc = measure(restricted, held)
    e_loss, e_acc = measure(excluded, task.train_idx)
    return ProgressMeasures(frequencies=freqs, restricted_loss=r_loss, restricted_accuracy=r_acc,
                            excluded_loss=e_loss, excluded_accuracy=e_acc, loss=config.loss)


def neuron_frequency_power(model: Any) -> np.ndarray:
    """Per hidden neuron (rows) the Fourier power of its input weights (a and b together) at k = 0 .. p // 2."""
    net = _module(model)
    if not hasattr(net, "input_weights") or not hasattr(net, "p"):
        raise CompareError(f"neuron_purity: needs a ZpMLP (with input_weights and p), got {type(net).__name__}")
    W_a, W_b = (w.double().numpy() for w in net.input_weights())
    p = int(net.p)
    B, freq = fourier_basis(p)
    coef = (W_a @ B) ** 2 + (W_b @ B) ** 2                                    # (width, p)
    onehot = freq[:, None] == np.arange(p // 2 + 1)[None, :]
    return coef @ onehot


def neuron_purity(model: Any, task: Task | None = None, *, config: TrainConfig | None = None, seed: int = 0,
                  live_threshold: float = 0.01, pure_at: float = 0.9) -> NeuronPurity:
    """Per-neuron frequency purity (Gromov 2023: each neuron of the closed-form solution carries one
    frequency): share of a neuron's non-constant input-weight power in its top frequency (see `NeuronPurity`)."""
    if task is not None:
        _need_domain(task, "zp", "neuron_purity")
    power = neuron_frequency_power(model)[:, 1:]
    total = power.sum(1)
    live = np.flatnonzero(total >= live_threshold * total.max()) if total.max() > 0 else np.zeros(0, int)
    if len(live) == 0:
        nan = float("nan")
        return NeuronPurity((), (), (), nan, nan, nan, nan, float(pure_at), 0, float(live_threshold))
    pur = power[live].max(1) / total[live]
    top = power[live].argmax(1) + 1
    return NeuronPurity(neurons=tuple(int(j) for j in live), purity=tuple(float(x) for x in pur),
                        top_frequency=tuple(int(k) for k in top), mean=float(pur.mean()),
                        median=float(np.median(pur)), minimum=float(pur.min()),
                        pure_share=float((pur >= pure_at).mean()), pure_at=float(pure_at),
                        n_frequencies=len(set(top.tolist())), live_threshold=float(live_threshold))


# ----------------------------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class Probe:
    """A named probe: ``fn(model, task, *, config, seed, **options) -> result`` for tasks of ``domain``
    ("bool", "zp" or "any"); ``result`` is the result type (for `result_from_dict`)."""

    name: str
    fn: Callable[..., Any]
    domain: str
    result: type
    doc: str = ""


_PROBES: dict[str, Probe] = {p.name: p for p in (
    Probe("fit", fit, "any", Fit, "train / held-out accuracy and loss"),
    Probe("weight_norm", weight_norm, "any", WeightNorm, "L2 norm of the parameters"),
    Probe("function", function_shape, "bool", FunctionShape, "support and average sensitivity of the function"),
    Probe("min_size", minimal_sizes, "bool", MinimalSizes, "minimal formula size of the function per basis"),
    Probe("circuit", circuit_size, "bool", CircuitSize, "extracted circuit's size and fidelity"),
    Probe("key_frequencies", key_frequencies_by_share, "zp", KeyFrequencies,
          "frequencies holding a share of the input weights' Fourier power"),
    Probe("progress", progress_measures, "zp", ProgressMeasures, "Nanda et al.'s restricted and excluded loss"),
    Probe("neuron_purity", neuron_purity, "zp", NeuronPurity, "per-neuron share of power in the top frequency"),
)}
PROBES: Mapping[str, Probe] = MappingProxyType(_PROBES)


def register_probe(probe: Probe, *, replace: bool = False) -> None:
    """Add a probe to `PROBES` (``replace=True`` to overwrite one of the same name)."""
    if probe.domain not in ("bool", "zp", "any"):
        raise CompareError(f"register_probe: domain must be 'bool', 'zp' or 'any', got {probe.domain!r}")
    if probe.name in _PROBES and not replace:
        raise CompareError(f"probe {probe.name!r} already exists (pass replace=True)")
    _PROBES[probe.name] = probe


def _lookup(name: str) -> Probe:
    try:
        return _PROBES[name]
    except KeyError:
        raise CompareError(f"unknown probe {name!r} (known: {', '.join(_PROBES)})") from None


def run_probes(model: Any, task: Task, names: Sequence[str] | None = None, *, config: TrainConfig | None = None,
               seed: int = 0, options: Mapping[str, Mapping[str, Any]] | None = None,
               threads: int | None = 1) -> dict[str, Any]:
    """Run probes on one network: ``names`` (default: every probe for the task's domain), in that order.

    ``options[name]`` are keyword options of that probe. Naming a probe of the other domain, an unknown
    probe or an unknown option is a `CompareError`. ``threads`` is torch's intra-op thread count while the
    probes run (restored afterwards; None leaves it alone): as in training, 1 is fastest for these small
    models on a shared machine (measured 8x faster than 2 threads at load 7 on 2 cores)."""
    if threads is not None and threads < 1:
        raise CompareError(f"run_probes: threads must be None (torch's setting) or >= 1, got {threads}")
    old = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    token = _SHARED.set({})
    try:
        return _run(model, task, names, config, seed, dict(options or {}))
    finally:
        _SHARED.reset(token)
        torch.set_num_threads(old)


def _run(model: Any, task: Task, names: Sequence[str] | None, config: TrainConfig | None, seed: int,
         options: dict[str, Mapping[str, Any]]) -> dict[str, Any]:
    chosen = [p.name for p in _PROBES.values() if p.domain in ("any", task.domain)] if names is None else list(names)
    extra = sorted(set(options) - set(chosen))
    if extra:
        raise CompareError(f"run_probes: options for probes not run: {extra} (running: {chosen})")
    out: dict[str, Any] = {}
    for name in chosen:
        probe = _lookup(name)
        if probe.domain not in ("any", task.domain):
            raise CompareError(f"probe {name!r} is for {probe.domain} tasks; task {task.name!r} is {task.domain}")
        try:
            out[name] = probe.fn(model, task, config=config, seed=seed, **dict(options.get(name, {})))
        except TypeError as exc:
            if "unexpected keyword" in str(exc):
                raise CompareError(f"probe {name!r}: {exc}") from None
            raise
    return out


def result_from_dict(name: str, d: Mapping[str, Any]) -> Any:
    """Rebuild probe ``name``'s result from its `as_dict` form."""
    return _lookup(name).result.from_dict(d)
