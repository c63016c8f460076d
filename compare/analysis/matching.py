"""The comparator: does a network (or an extracted circuit) implement the shortest program fitting its data?

`match(net_or_circuit, synthesis, task)` returns a `Comparison` with four groups of numbers (frozen
dataclasses `FunctionFindings`, `BaselineFindings`, `ComplexityFindings`, `StructureFindings`; JSON through
``Comparison.as_dict()`` and back through ``Comparison.from_dict``), and a one-sentence verdict that quotes them:

* **function** -- on the task's held-out inputs, agreement of the network's labels with (a) the shortest
  consistent program(s) (best and mean over ties), (b) the posterior predictive of the 2^-bits length
  prior (agreement with its most probable label, expected agreement, mean log2 score), (c) the target;
* **baselines** -- the same agreement for a uniformly random consistent function (1/2 per Boolean point,
  1/p per Z_p point; exact one-sided binomial p-value of the observed agreement with the shortest program
  against it), Hamming nearest neighbour, the majority label, and the minimum-degree Fourier interpolator
  of Abbe et al. (2023);
* **complexity** -- size of the extracted circuit, minimal size of the function the network computes
  (re-synthesised over its support), minimal size of the target, and the rank of the network's function
  among the consistent functions ordered by minimal size (then description bits);
* **structure** -- input support (Jaccard with the shortest program's), shared intermediate functions
  (fraction of the shortest program's internal gate functions that some kept neuron computes, up to
  negation), graph edit distance (networkx, time-bounded) and isomorphism of the circuit graphs.

>>> import synth
>>> from compare import make_task
>>> task = make_task("parity", n=6, k=3, train_fraction=0.5, seed=0)
>>> syn = synth.synthesize(task.train_spec(), basis="xag")
>>> c = match(synth.Program.parse("xor(x0, xor(x1, x2))", 6), syn, task)
>>> c.function.shortest_best, c.complexity.rank, c.structure.isomorphic
(1.0, 1, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from itertools import combinations
from typing import Any, Sequence

import numpy as np

import synth

from ..errors import CompareError
from ..extraction import extract
from ..networks.training import predict
from .function import FUNCTION_BUDGET, MinProgram, function_min_program, function_support
from .structure import program_graph

__all__ = ["Comparison", "FunctionFindings", "BaselineFindings", "ComplexityFindings", "StructureFindings",
           "NetworkComparison", "match", "compare_network", "compare_programs",
           "binomial_log10_sf", "nearest_neighbour", "min_degree_interpolator", "majority_label"]

_SAMPLE_POINTS = 1 << 14      # points used to compare node functions when the domain is larger than 2**16


# --------------------------------------------------------------------------------------------- baselines

def binomial_log10_sf(k: int, n: int, p: float) -> float:
    """log10 P(X >= k) for X ~ Binomial(n, p), exact (summed in log space; no underflow)."""
    if n < 0 or not 0 <= k <= n + 1 or not 0.0 < p < 1.0:
        raise CompareError(f"binomial_log10_sf: need 0 <= k <= n and 0 < p < 1, got k={k}, n={n}, p={p}")
    if k <= 0:
        return 0.0
    if k > n:
        return -math.inf
    j = np.arange(k, n + 1, dtype=float)
    lg = np.vectorize(math.lgamma)
    logs = (math.lgamma(n + 1) - lg(j + 1) - lg(n - j + 1) + j * math.log(p) + (n - j) * math.log1p(-p))
    mx = logs.max()
    return float((mx + math.log(np.exp(logs - mx).sum())) / math.log(10))


def majority_label(y_train: np.ndarray, n_query: int) -> np.ndarray:
    """The most common training label (ties: the smallest) repeated at every query."""
    y = np.asarray(y_train, dtype=np.int64)
    lab = int(np.argmax(np.bincount(y))) if len(y) else 0
    return np.full(n_query, lab, dtype=np.int64)


def nearest_neighbour(X_train: np.ndarray, y_train: np.ndarray, X_query: np.ndarray, *,
                      chunk: int = 512) -> np.ndarray:
    """Hamming nearest-neighbour labels (ties between equally near points: their majority, then 0)."""
    Xt = np.asarray(X_train, dtype=np.int64)
    yt = np.asarray(y_train, dtype=np.int64)
    Xq = np.asarray(X_query, dtype=np.int64)
    out = np.zeros(len(Xq), dtype=np.int64)
    for s in range(0, len(Xq), chunk):
        d = (Xq[s:s + chunk, None, :] != Xt[None, :, :]).sum(-1)
        near = d == d.min(1, keepdims=True)
        ones = (near & (yt[None, :] == 1)).sum(1)
        out[s:s + chunk] = (2 * ones > near.sum(1)).astype(np.int64)
    return out


def _chi(X: np.ndarray, subsets: list[tuple[int, ...]]) -> np.ndarray:
    s = 1.0 - 2.0 * np.asarray(X, dtype=float)            # x in {0,1} -> +-1
    cols = [np.prod(s[:, list(S)], axis=1) if S else np.ones(len(s)) for S in subsets]
    return np.stack(cols, 1)


def min_degree_interpolator(X_train: np.ndarray, y_train: np.ndarray, X_query: np.ndarray, *,
                            max_terms: int = 6000) -> tuple[np.ndarray | None, int | None]:
    """Labels of the minimum-degree interpolator (Abbe et al. 2023) at the queries, and its degree.

    The training labels (as +-1) are interpolated by Fourier characters chi_S of the smallest degree D
    that can interpolate them; among those interpolators the one with the least weight on high degrees
    is taken (a minimum-norm solution with degree-d columns scaled by 10^(D-d), the degree-profile order
    of Abbe et al.). Returns (None, None) when more than ``max_terms`` characters would be needed.
    """
    X = np.asarray(X_train)
    n = X.shape[1]
    y = 2.0 * np.asarray(y_train, dtype=float) - 1.0
    subsets: list[tuple[int, ...]] = []
    for D in range(0, n + 1):
        new = list(combinations(range(n), D))
        if len(subsets) + len(new) > max_terms:
            return None, None
        subsets += new
        degs = np.array([len(S) for S in subsets])
        scale = 10.0 ** (D - degs)
        A = _chi(X, subsets) * scale
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        if np.max(np.abs(A @ coef - y)) < 1e-6:
            pred = (_chi(X_query, subsets) * scale) @ coef
            return (pred > 0).astype(np.int64), D
    return None, None


# --------------------------------------------------------------------------------------------- functions

def _labels_on(obj: Any, task: Any, idx: np.ndarray | None = None) -> np.ndarray:
    """Labels (ints) of a Program, Circuit, TrainedNet or model on the task's points ``idx`` (all if None)."""

    X = task.inputs(idx)
    prog = obj if isinstance(obj, synth.Program) else (
        obj.program if hasattr(obj, "program") and hasattr(obj, "fidelity") else None)   # a Circuit
    if prog is not None:
        return np.asarray(prog.evaluate(X if prog.p else X[:, :prog.n_inputs])).astype(np.int64)
    model = getattr(obj, "model", obj)
    return np.asarray(predict(model, task, task.encode(X))).astype(np.int64)


# --------------------------------------------------------------------------------------------- structure

def _node_refs(program: Any) -> list[int]:
    """Refs (n_inputs + i) of the gate nodes reachable from the output, output excluded."""
    n = program.n_inputs
    seen, stack = set(), [program.output]
    while stack:
        r = stack.pop()
        if r < n or r in seen:
            continue
        seen.add(r)
        stack.extend(program.nodes[r - n][1])
    seen.discard(program.output)
    return sorted(r for r in seen if not program.nodes[r - n][0].isdigit())


def _node_values(nodes: Sequence, n: int, refs: Sequence[int], X: np.ndarray, basis: str) -> dict[int, np.ndarray]:

    out = {r: np.asarray(X[:, r]).astype(bool) for r in refs if r < n}
    gates = [r for r in refs if r >= n]
    if gates:       # one evaluation with every gate an output (one program per gate was quadratic)
        prog = synth.Program.from_nodes(n, list(nodes), outputs=gates, basis=basis)
        vals = np.asarray(prog.evaluate(X)).astype(bool).reshape(len(X), len(gates))
        out.update({r: vals[:, j] for j, r in enumerate(gates)})
    return {r: out[r] for r in refs}


def _node_match(a: dict, b: dict) -> bool:
    return a.get("op") == b.get("op") and a.get("index") == b.get("index")


GED_EXACT_NODES = 14  # graphs this small (both together) get the exact distance, without a clock


def _ged(G1: Any, G2: Any, timeout: float) -> tuple[float | None, bool]:
    """Graph edit distance (ops and input indices must match), decided without a clock so that the
    same seed gives the same numbers: exact (search run to the end) when the two graphs have at most
    `GED_EXACT_NODES` nodes together; otherwise the first distance the search finds, an upper bound,
    flagged not exact; None above 24 nodes. ``timeout`` is kept for the API and not used.
    """
    import networkx as nx

    del timeout
    total = G1.number_of_nodes() + G2.number_of_nodes()
    if total > 24:
        return None, False
    if nx.is_isomorphic(G1, G2, node_match=_node_match):
        return 0.0, True
    # a lower bound: every node or edge count difference costs at least one edit
    lower = abs(G1.number_of_nodes() - G2.number_of_nodes()) + abs(G1.number_of_edges() - G2.number_of_edges())
    best = None
    for v in nx.optimize_graph_edit_distance(G1, G2, node_match=_node_match):
        best = v
        if v <= max(lower, 1):
            return float(best), True
        if total > GED_EXACT_NODES:
            return float(best), False   # deterministic upper bound: the search's first answer
    return (None if best is None else float(best)), True


def _jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    a, b = set(a), set(b)
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def compare_programs(a: Any, b: Any, *, n_inputs: int | None = None, ged_timeout: float = 2.0,
                     p: int | None = None) -> dict[str, Any]:
    """Functional and structural comparison of two programs (objects or text): agreement, sizes, GED, ..."""
    import networkx as nx


    def prog(x: Any, name: str) -> Any:
        if isinstance(x, synth.Program):
            return x
        try:
            return synth.Program.parse(str(x), n_inputs, p=p) if p else synth.Program.parse(str(x), n_inputs)
        except synth.SynthError as exc:
            raise CompareError(f"compare_programs: cannot parse program {name} {x!r}: {exc}") from None

    if isinstance(ged_timeout, bool) or not isinstance(ged_timeout, (int, float)) or \
            not math.isfinite(ged_timeout) or ged_timeout <= 0:
        raise CompareError(f"compare_programs: ged_timeout must be a positive number of seconds, got {ged_timeout!r}")
    A, B = prog(a, "A"), prog(b, "B")
    if (A.p is None) != (B.p is None) or A.p != B.p:
        raise CompareError("compare_programs: the programs are over different domains")
    n = max(A.n_inputs, B.n_inputs) if n_inputs is None else n_inputs
    if A.p is None:
        if n > 20:
            raise CompareError(f"compare_programs: n_inputs={n} exceeds 20 (the whole domain is enumerated)")
        t = np.arange(1 << n, dtype=np.int64)
        X = ((t[:, None] >> np.arange(n)) & 1).astype(np.uint8)
    else:
        t = np.arange(A.p * A.p, dtype=np.int64)
        X = np.stack([t // A.p, t % A.p], 1)
    ya = np.asarray(A.evaluate(X[:, :A.n_inputs]))
    yb = np.asarray(B.evaluate(X[:, :B.n_inputs]))
    GA, GB = program_graph(A), program_graph(B)
    ged, complete = _ged(GA, GB, ged_timeout)
    shared = None
    if A.p is None:
        refs_a = _node_refs(A)
        va = _node_values(A.nodes, A.n_inputs, refs_a, X[:, :A.n_inputs], A.basis_name)
        refs_b = _node_refs(B) + [B.output]
        vb = list(_node_values(B.nodes, B.n_inputs, refs_b, X[:, :B.n_inputs], B.basis_name).values())
        hits = sum(any(np.array_equal(v, w) or np.array_equal(v, ~w) for w in vb) for v in va.values())
        shared = hits / len(va) if va else None
    return {
        "a": str(A), "b": str(B), "n_inputs": n, "points": int(len(X)),
        "agreement": float((ya == yb).mean()), "equivalent": bool(np.array_equal(ya, yb)),
        "size_a": int(A.size), "size_b": int(B.size), "basis_a": A.basis_name, "basis_b": B.basis_name,
        "bits_a": round(float(A.bits), 3), "bits_b": round(float(B.bits), 3),
        "depth_a": int(A.depth), "depth_b": int(B.depth),
        "support_a": sorted(A.support), "support_b": sorted(B.support),
        "support_jaccard": _jaccard(A.support, B.support),
        "shared_intermediate": shared,
        "isomorphic": bool(nx.is_isomorphic(GA, GB, node_match=_node_match)),
        "graph_edit_distance": ged, "ged_exact": complete,
    }


# --------------------------------------------------------------------------------------------- Comparison

class _Findings:
    """as_dict / from_dict shared by the four groups of a `Comparison`: sequences are tuples inside and lists
    in JSON; a field named in ``_OPTIONAL`` is written only when not None (and may be absent when read)."""

    _OPTIONAL: tuple[str, ...] = ()     # fields written to JSON only when not None

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, list):
                object.__setattr__(self, f.name, tuple(v))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values, keys in field order (tuples as lists)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None and f.name in self._OPTIONAL:
                continue
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Any:
        """The inverse of `as_dict`; a missing or unknown key raises `CompareError` naming it."""
        if not isinstance(d, dict):
            raise CompareError(f"{cls.__name__}.from_dict: expected a dict, got {type(d).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = [k for k in d if k not in names]
        missing = [k for k in names if k not in d and k not in cls._OPTIONAL]
        if unknown or missing:
            what = f"unknown key {unknown[0]!r}" if unknown else f"no key {missing[0]!r}"
            raise CompareError(f"{cls.__name__}.from_dict: {what}")
        return cls(**d)


@dataclass(frozen=True)
class FunctionFindings(_Findings):
    """Agreement of the network's labels on the held-out inputs with the shortest consistent program(s)
    (best, mean, per tie), the length-prior posterior and the target (None where the target is unknown)."""

    shortest_best: float | None
    shortest_mean: float | None
    shortest_per_tie: tuple[float | None, ...]
    n_shortest: int
    best_shortest_program: str | None
    posterior_map: float | None
    posterior_expected: float | None
    posterior_log2_score: float | None
    truncation_mass: float | None
    target: float | None
    train_accuracy: float | None
    n_agree_shortest: int | None


@dataclass(frozen=True)
class BaselineFindings(_Findings):
    """The same agreement for a random consistent function (and the binomial log10 p-value of the shortest
    program's agreement against it), nearest neighbour, the majority label, the minimum-degree interpolator."""

    random_consistent: float
    shortest_log10_p: float | None
    nearest_neighbour: float | None
    majority: float | None
    min_degree: float | None
    min_degree_degree: int | None


@dataclass(frozen=True)
class ComplexityFindings(_Findings):
    """Sizes: the shortest program's bounds, the extracted circuit, the network's function and the target
    (minimal sizes), and the rank of the network's function among the consistent functions."""

    shortest_lower_bound: int
    shortest_upper_bound: int | None
    circuit_size: int | None
    circuit_basis: str | None
    circuit_fidelity: float | None
    net_min_size: int | None
    net_min_exact: bool
    net_min_program: str | None
    net_min_lower_bound: int
    target_min_size: int | None
    target_min_exact: bool
    shortest_size: int | None
    shortest_exact: bool
    n_consistent_enumerated: int
    rank: int | None
    rank_note: str
    equals_target: bool | None
    valve_fired: bool


@dataclass(frozen=True)
class StructureFindings(_Findings):
    """Input supports and their Jaccard indices, shared intermediate functions, graph edit distance and
    isomorphism of the circuit and the shortest program (None where there is no circuit or no shortest)."""

    _OPTIONAL = ("shared_note",)

    support_net: tuple[int, ...] | None
    support_circuit: tuple[int, ...] | None
    support_shortest: tuple[int, ...] | None
    support_jaccard: float | None
    circuit_support_jaccard: float | None
    shared_intermediate: float | None
    n_intermediate: int | None
    graph_edit_distance: float | None
    ged_exact: bool | None
    isomorphic: bool | None
    shared_note: str | None = None


_COMPARISON_KEYS = ("task", "basis", "mode", "n_heldout", "function", "baselines", "complexity", "structure",
                    "implements_shortest", "verdict", "notes")


@dataclass(frozen=True)
class Comparison:
    """The result of `match`: four groups of JSON-ready numbers and a verdict that quotes them."""

    task: str
    basis: str
    mode: str
    n_heldout: int
    function: FunctionFindings
    baselines: BaselineFindings
    complexity: ComplexityFindings
    structure: StructureFindings
    verdict: str
    implements_shortest: bool | None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(self.notes))

    def as_dict(self) -> dict[str, Any]:
        """Every number as JSON-ready values."""
        return {"task": self.task, "basis": self.basis, "mode": self.mode, "n_heldout": self.n_heldout,
                "function": self.function.as_dict(), "baselines": self.baselines.as_dict(),
                "complexity": self.complexity.as_dict(), "structure": self.structure.as_dict(),
                "implements_shortest": self.implements_shortest, "verdict": self.verdict,
                "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Comparison:
        """The inverse of `as_dict` (e.g. a comparison of a per-seed ``metrics.json``); a missing or unknown
        key raises `CompareError` naming it."""
        if not isinstance(d, dict):
            raise CompareError(f"Comparison.from_dict: expected a dict, got {type(d).__name__}")
        unknown = [k for k in d if k not in _COMPARISON_KEYS]
        missing = [k for k in _COMPARISON_KEYS if k not in d]
        if unknown or missing:
            what = f"unknown key {unknown[0]!r}" if unknown else f"no key {missing[0]!r}"
            raise CompareError(f"Comparison.from_dict: {what}")
        return cls(task=d["task"], basis=d["basis"], mode=d["mode"], n_heldout=d["n_heldout"],
                   function=FunctionFindings.from_dict(d["function"]),
                   baselines=BaselineFindings.from_dict(d["baselines"]),
                   complexity=ComplexityFindings.from_dict(d["complexity"]),
                   structure=StructureFindings.from_dict(d["structure"]),
                   verdict=d["verdict"], implements_shortest=d["implements_shortest"], notes=tuple(d["notes"]))


def _r(x: float | None, nd: int = 6) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def match(net_or_circuit: Any, synthesis: Any, task: Any, *, circuit: Any = None,
          labels: np.ndarray | None = None, ged_timeout: float = 1.0, budget: int | None = FUNCTION_BUDGET,
          budget_s: float | None = None, baselines: bool = True, cache: dict | None = None,
          memo: dict | None = None) -> Comparison:
    """Compare a network (TrainedNet or model), an extracted `Circuit` or a `synth.Program` with a synthesis.

    Parameters
    ----------
    net_or_circuit : what is judged; its labels on the whole domain define "the network's function".
    synthesis : a `synth.SynthesisResult` for ``task.train_spec()`` (its basis names "shortest").
    task : the `Task` whose held-out points are scored.
    circuit : the extracted `Circuit` (for circuit size and structure) when ``net_or_circuit`` is a network.
    labels : the network's labels on the whole domain, if already computed (saves a forward pass).
    ged_timeout : seconds for the graph edit distance search (the best distance found is reported).
    budget : work units (see `synth.budget`) for the minimal program of the network's function and of the
        target, each; ``budget_s`` an optional wall-clock valve for those searches (when it fires,
        ``complexity.valve_fired`` is True: the numbers then depend on machine speed).
    baselines : compute nearest-neighbour and minimum-degree baselines (the slowest part on big tasks).
    cache : a dict kept across calls for the same network and task (several bases): basis-independent
        numbers (baselines, the target's support) are computed once, and the bounds proven for the
        network's function and the target in one basis carry to the next (`synth.KnownBounds`).
    memo : a dict kept across networks (the seeds of a case): the minimal-program searches of equal
        functions are run once (`compare.analysis.function.memo_synthesize`).
    """

    if not isinstance(synthesis, synth.SynthesisResult):
        raise CompareError(f"match: synthesis must be a synth.SynthesisResult, got {type(synthesis).__name__}")
    if task.domain == "bool" and synthesis.spec.n_inputs != task.n_inputs:
        raise CompareError(f"match: the synthesis has {synthesis.spec.n_inputs} inputs but task {task.name!r} "
                           f"has {task.n_inputs}")
    if circuit is None and hasattr(net_or_circuit, "program") and hasattr(net_or_circuit, "fidelity"):
        circuit = net_or_circuit
    is_program = isinstance(net_or_circuit, synth.Program)
    if is_program and circuit is None:
        circuit_prog = net_or_circuit
    else:
        circuit_prog = circuit.program if circuit is not None else None
    notes: list[str] = []
    if labels is None:
        labels = _labels_on(net_or_circuit, task)
    labels = np.asarray(labels).astype(np.int64)
    if labels.shape != (task.domain_size,):
        raise CompareError(f"match: labels must cover the whole domain ({task.domain_size} points), got "
                           f"shape {labels.shape}")
    te, tr = task.test_idx, task.train_idx
    yq = labels[te]
    n_q = int(len(te))
    Xq = task.inputs(te)
    k_vals = task.n_classes

    # ---- function
    # only a proven minimum is "the shortest program"; an unfinished search's program is an upper bound
    shortest = list(synthesis.shortest) if synthesis.exact else []
    if synthesis.shortest and not synthesis.exact:
        notes.append(f"the search in basis {synthesis.basis} did not prove a minimum: its program (size "
                     f"{synthesis.min_size}) is an upper bound and is not scored as the shortest program")
    agree_short = [float((np.asarray(p.evaluate(Xq)).astype(np.int64) == yq).mean()) for p in shortest] \
        if n_q else []
    best_i = int(np.argmax(agree_short)) if agree_short else None
    post = {"map": None, "expected": None, "log2_score": None}
    if synthesis.consistent and n_q:
        pm = synthesis.posterior_model()
        dist = pm.distribution(k_vals)
        post["map"] = float((dist.argmax(1) == yq).mean())
        post["expected"] = float(dist[np.arange(n_q), yq].mean())
        post["log2_score"] = float(np.mean(np.log2(np.clip(dist[np.arange(n_q), yq], 1e-300, 1.0))))
    train_acc = float((labels[tr] == task.labels[tr].astype(np.int64)).mean())
    function = {
        "shortest_best": _r(max(agree_short)) if agree_short else None,
        "shortest_mean": _r(float(np.mean(agree_short))) if agree_short else None,
        "shortest_per_tie": [_r(a) for a in agree_short],
        "n_shortest": len(shortest),
        "best_shortest_program": str(shortest[best_i]) if best_i is not None else None,
        "posterior_map": _r(post["map"]), "posterior_expected": _r(post["expected"]),
        "posterior_log2_score": _r(post["log2_score"]),
        "truncation_mass": _r(synthesis.truncation_mass),
        "target": _r(float((yq == task.labels[te].astype(np.int64)).mean()))
        if n_q and _target_known_at(task, te) else None,
        "train_accuracy": _r(train_acc),
        "n_agree_shortest": int(round(max(agree_short) * n_q)) if agree_short else None,
    }

    # ---- baselines
    chance = 1.0 / k_vals
    base = {"random_consistent": chance, "shortest_log10_p": None, "nearest_neighbour": None,
            "majority": None, "min_degree": None, "min_degree_degree": None}
    if agree_short:
        base["shortest_log10_p"] = _r(binomial_log10_sf(function["n_agree_shortest"], n_q, chance), 3)
    cache = {} if cache is None else cache
    if n_q:
        if "baselines" not in cache:
            found: dict[str, Any] = {}
            ytr = task.labels[tr].astype(np.int64)
            found["majority"] = majority_label(ytr, n_q)
            if baselines and task.domain == "bool":
                Xtr = task.inputs(tr)
                found["nearest_neighbour"] = nearest_neighbour(Xtr, ytr, Xq)
                found["min_degree"], found["min_degree_degree"] = min_degree_interpolator(Xtr, ytr, Xq)
            cache["baselines"] = found
        found = cache["baselines"]
        base["majority"] = _r(float((found["majority"] == yq).mean()))
        if found.get("nearest_neighbour") is not None:
            base["nearest_neighbour"] = _r(float((found["nearest_neighbour"] == yq).mean()))
        if found.get("min_degree") is not None:
            base["min_degree"] = _r(float((found["min_degree"] == yq).mean()))
            base["min_degree_degree"] = found["min_degree_degree"]
        elif baselines and task.domain == "bool":
            notes.append("minimum-degree interpolator skipped: more than 6000 Fourier characters needed")

    # ---- complexity
    basis, mode = synthesis.basis, synthesis.mode
    # bounds proven for the network's function and the target in the bases matched before (same network)
    known = cache.setdefault("function_bounds", [])
    fmin = function_min_program(labels, task, basis=basis, mode=mode, budget=budget, budget_s=budget_s, memo=memo,
                                known=tuple(known))
    target_known = _target_known_at(task, None)
    if target_known:
        tmin = function_min_program(task.labels.astype(np.int64), task, basis=basis, mode=mode, budget=budget,
                                    budget_s=budget_s, memo=memo, known=tuple(known))
    else:
        tmin = MinProgram(None, False, "the target is unknown outside the labelled points")
        notes.append("the target is known only on the labelled points (a task from examples): no agreement "
                     "with it is quoted where it is unknown, and it has no minimal size")
    known.extend(m.bounds for m in (fmin, tmin) if m.bounds is not None)
    fprog, fexact, fnote = fmin.program, fmin.exact, fmin.note
    tprog, texact = tmin.program, tmin.exact
    if fnote:
        notes.append(f"network's function: {fnote}")
    rank, rank_note = None, ""
    if train_acc < 1.0:
        rank_note = f"the network misfits {int(round((1 - train_acc) * len(tr)))} training points: not consistent"
    else:
        for i, c in enumerate(synthesis.consistent):
            if np.array_equal(np.asarray(c.query_outputs, dtype=np.int64), yq):
                rank = 1 + sum(1 for d in synthesis.consistent if d.size < c.size)
                break
        if rank is None:
            rank_note = (f"beyond the {len(synthesis.consistent)} consistent functions enumerated "
                         f"(sizes <= {synthesis.searched_size})")
    upper = [v for v in (synthesis.min_size, int(tprog.size) if tprog is not None else None,
                         int(fprog.size) if fprog is not None and train_acc == 1.0 else None) if v is not None]
    lower = int(synthesis.lower_bound) if synthesis.lower_bound is not None else 0
    complexity = {
        "shortest_lower_bound": lower, "shortest_upper_bound": min(upper) if upper else None,
        "circuit_size": int(circuit_prog.size) if circuit_prog is not None else None,
        "circuit_basis": circuit_prog.basis_name if circuit_prog is not None else None,
        "circuit_fidelity": _r(getattr(circuit, "fidelity", None)) if circuit is not None
        else (1.0 if circuit_prog is not None else None),
        "net_min_size": int(fprog.size) if fprog is not None else None,
        "net_min_exact": fexact, "net_min_program": str(fprog) if fprog is not None else None,
        "net_min_lower_bound": int(fprog.size) if (fprog is not None and fexact) else int(fmin.lower_bound),
        "target_min_size": int(tprog.size) if tprog is not None else None, "target_min_exact": texact,
        "shortest_size": synthesis.min_size if synthesis.exact else None,
        "shortest_exact": bool(synthesis.exact),
        "n_consistent_enumerated": len(synthesis.consistent),
        "rank": rank, "rank_note": rank_note,
        "equals_target": bool(np.array_equal(labels, task.labels.astype(np.int64))) if target_known else None,
        "valve_fired": not (fmin.deterministic and tmin.deterministic),
    }

    # ---- structure
    structure: dict[str, Any] = {"support_net": None, "support_circuit": None, "support_shortest": None,
                                 "support_jaccard": None, "circuit_support_jaccard": None,
                                 "shared_intermediate": None, "n_intermediate": None,
                                 "graph_edit_distance": None, "ged_exact": None, "isomorphic": None}
    if task.domain == "bool" and shortest:
        sp = shortest[best_i] if best_i is not None else shortest[0]
        net_sup = function_support(labels.astype(bool), task.n_inputs)
        structure["support_net"] = list(net_sup)
        structure["support_shortest"] = sorted(sp.support)
        structure["support_jaccard"] = _r(_jaccard(net_sup, sp.support))
        if circuit_prog is not None:
            structure["support_circuit"] = sorted(circuit_prog.support)
            structure["circuit_support_jaccard"] = _r(_jaccard(circuit_prog.support, sp.support))
            # node functions compared on the whole domain (or a seeded sample of it)
            if task.domain_size <= (1 << 16):
                X = task.inputs()
                where = "whole domain"
            else:
                rng = np.random.default_rng(np.random.SeedSequence(task.seed, spawn_key=(7,)))
                X = task.inputs(np.sort(rng.choice(task.domain_size, _SAMPLE_POINTS, replace=False)))
                where = f"a seeded sample of {_SAMPLE_POINTS} points"
            refs = _node_refs(sp)
            sp_vals = _node_values(sp.nodes, sp.n_inputs, refs, X, sp.basis_name)
            if circuit is not None and getattr(circuit, "neuron_refs", None):
                nvals = list(_node_values(circuit.nodes, task.n_inputs, list(circuit.neuron_refs.values()), X,
                                          circuit.basis).values())
                units = "kept neuron"
            else:
                cr = _node_refs(circuit_prog) + [circuit_prog.output]
                nvals = list(_node_values(circuit_prog.nodes, circuit_prog.n_inputs, cr, X,
                                          circuit_prog.basis_name).values())
                units = "gate"
            hits = sum(any(np.array_equal(v, w) or np.array_equal(v, ~w) for w in nvals) for v in sp_vals.values())
            structure["n_intermediate"] = len(sp_vals)
            structure["shared_intermediate"] = _r(hits / len(sp_vals)) if sp_vals else None
            structure["shared_note"] = (f"fraction of the shortest program's {len(sp_vals)} internal gate "
                                        f"functions (up to negation) that some {units} computes, on {where}")
            import networkx as nx
            G1, G2 = program_graph(circuit_prog), program_graph(sp)
            ged, complete = _ged(G1, G2, ged_timeout)
            structure["graph_edit_distance"] = _r(ged, 3)
            structure["ged_exact"] = complete
            structure["isomorphic"] = bool(nx.is_isomorphic(G1, G2, node_match=_node_match))
    # True: the network fits the training data and computes a shortest consistent function
    # (a shortest consistent function's held-out outputs equal the network's, or the network's function has
    # a program no larger than the proven lower bound); False: misfits the data, its proven minimal size
    # exceeds a known consistent program's size, or every consistent function of the minimal size is
    # listed and none is the network's; None: undetermined
    known = [v for v in (synthesis.min_size, int(tprog.size) if tprog is not None else None) if v is not None]
    flower = complexity["net_min_lower_bound"]
    ties = [c for c in synthesis.consistent if synthesis.exact and c.size == synthesis.min_size]
    listed_all = bool(synthesis.exact and synthesis.searched_size >= synthesis.min_size)
    # (the proven lower bound is checked before the agreement: the held-out queries may be a sample, and a
    # function larger than a consistent program is not a shortest one wherever it differs)
    if train_acc < 1.0:
        implements: bool | None = False
    elif known and flower > min(known):
        implements = False
    elif (agree_short and max(agree_short) == 1.0) or \
            any(np.array_equal(np.asarray(c.query_outputs, dtype=np.int64), yq) for c in ties):
        implements = True
    elif fprog is not None and int(fprog.size) <= lower:
        implements = True
    elif listed_all and shortest:
        implements = False
    else:
        implements = None
    comp = Comparison(task=task.name, basis=basis, mode=mode, n_heldout=n_q,
                      function=FunctionFindings.from_dict(function), baselines=BaselineFindings.from_dict(base),
                      complexity=ComplexityFindings.from_dict(complexity),
                      structure=StructureFindings.from_dict(structure), verdict="", implements_shortest=implements,
                      notes=tuple(notes))
    return Comparison(**{**comp.__dict__, "verdict": verdict(comp)})


def _target_known_at(task: Any, idx: np.ndarray | None) -> bool:
    """Whether the task's target is known at the points ``idx`` (the whole domain when None)."""
    known = getattr(task, "known", None)
    return known is None or bool((known if idx is None else known[idx]).all())


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _target_unknown(k: ComplexityFindings) -> bool:
    """The target is not known on the whole domain (a task from examples): ``equals_target`` is None."""
    return k.equals_target is None


def _target_size(k: ComplexityFindings) -> str:
    if _target_unknown(k):
        return "unknown"
    return str(k.target_min_size) if k.target_min_exact else f"at most {k.target_min_size}"


def _net_size(k: ComplexityFindings) -> str:
    """The network's function's minimal size as proven: exact, bracketed or bounded below."""
    if k.net_min_size is None:
        return f"minimal size at least {k.net_min_lower_bound} (not synthesised)"
    if k.net_min_exact:
        return f"minimal size {k.net_min_size}"
    return f"minimal size between {k.net_min_lower_bound} (proven) and {k.net_min_size}"


def _with_target(f: FunctionFindings, k: ComplexityFindings) -> str:
    """`` and 97.0% with the target``, or that the target is unknown on the held-out inputs."""
    if f.target is None and _target_unknown(k):
        return "; the target is unknown on the held-out inputs"
    return f" and {_pct(f.target)} with the target"


def verdict(c: Comparison) -> str:
    """One sentence that quotes the comparison's numbers."""
    f, b, k, s = c.function, c.baselines, c.complexity, c.structure
    if f.shortest_best is None:
        lo, hi = k.shortest_lower_bound, k.shortest_upper_bound
        status = {True: "the network computes a shortest consistent function",
                  False: "the network does NOT implement a shortest program",
                  None: "it is undetermined whether the network implements the shortest program"}
        net = _net_size(k)
        target = (f"and agrees {_pct(f.target)} with the target on {c.n_heldout} held-out inputs"
                  if not (f.target is None and _target_unknown(k)) else
                  f"and is scored on {c.n_heldout} held-out inputs where the target is unknown")
        return (f"In basis {c.basis} the search budget ran out before the shortest size was proven, so "
                f"the shortest consistent program has size between {lo} (proven) and {hi} (a known "
                f"consistent program); the network's function has {net} (target "
                f"{_target_size(k)}) {target}: {status[c.implements_shortest]}.")
    head = ("the network implements the shortest program" if c.implements_shortest else
            "the network does NOT implement the shortest program")
    p = b.shortest_log10_p
    ptxt = "" if p is None else (f", p < 1e{int(math.floor(p)) + 1}" if p < -3 else f", p = {10 ** p:.2g}")
    parts = [f"In basis {c.basis}, {head}: on {c.n_heldout} held-out inputs it agrees {_pct(f.shortest_best)} "
             f"with the shortest consistent program (size {k.shortest_size}) vs {_pct(b.random_consistent)} "
             f"for a random consistent function{ptxt}, {_pct(f.posterior_map)} with the length-prior "
             f"posterior{_with_target(f, k)}"]
    if k.net_min_size is not None:
        rank = k.rank if k.rank is not None else "n/a"
        parts.append(f"its function has {_net_size(k)} (target {_target_size(k)}; "
                     f"rank {rank} among consistent functions)")
    elif k.net_min_lower_bound and k.shortest_size is not None \
            and k.net_min_lower_bound > k.shortest_size:
        parts.append(f"its function has minimal size at least {k.net_min_lower_bound} (proven; it reads "
                     f"{len(s.support_net or [])} inputs on the whole domain), above the shortest")
    if k.circuit_size is not None:
        iso = "isomorphic to" if s.isomorphic else "not isomorphic to"
        sh = "n/a" if s.shared_intermediate is None else f"{s.shared_intermediate:.2f}"
        fid = "" if k.circuit_fidelity is None else f", fidelity {k.circuit_fidelity:.3f}"
        parts.append(f"the extracted circuit (size {k.circuit_size}{fid}) "
                     f"is {iso} it, with support Jaccard {s.circuit_support_jaccard:.2f} and shared "
                     f"intermediate functions {sh}")
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------------------------- a whole network

@dataclass(frozen=True)
class NetworkComparison:
    """`compare_network` in one basis: the synthesis of the training data, the extracted circuit (None
    when extraction was not asked for or failed: ``extraction_error`` says why) and the `Comparison`."""

    basis: str
    synthesis: Any
    circuit: Any
    comparison: Comparison
    extraction_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the shortest programs, the circuit's summary and the comparison."""
        syn = self.synthesis
        return {"basis": self.basis,
                "synthesis": {"shortest": [str(p) for p in syn.shortest], "min_size": syn.min_size,
                              "exact": bool(syn.exact), "lower_bound": syn.lower_bound},
                "circuit": self.circuit.summary() if self.circuit is not None else None,
                "extraction_error": self.extraction_error, "comparison": self.comparison.as_dict()}


def compare_network(model: Any, task: Any, *, bases: Sequence[str] = ("xag",), mode: str = "formula",
                    method: str = "prune_discretise", synth_budget: int | None = None,
                    synth_budget_s: float | None = None, top_k: int = 10, slack: int = 1,
                    extract_options: dict | None = None, function_budget: int | None = FUNCTION_BUDGET,
                    function_budget_s: float | None = None, ged_timeout: float = 1.0,
                    progress: Any = None) -> dict[str, NetworkComparison]:
    """Synthesise the task's training data, extract a circuit from ``model`` and `match` them, per basis.

    ``model``: a `TrainedNet`, an `MLP` or any network `compare.networks.nets.as_mlp` reads. ``method``: an
    extraction method of `compare.METHODS`, or "none" (Boolean tasks only; a failed extraction is
    recorded, not raised). ``synth_budget`` work units per basis (None: `synth.synthesize`'s default).
    ``progress``: an optional callable receiving one line per step.
    """

    say = progress or (lambda line: None)
    bases = list(bases) if not isinstance(bases, str) else [bases]
    if not bases:
        raise CompareError("compare_network: bases is empty: name at least one basis (e.g. xag)")
    # the network's labels, once for every basis; a network that does not fit the task fails here,
    # before any synthesis
    labels = _labels_on(model, task)
    out: dict[str, NetworkComparison] = {}
    cache: dict = {}
    known: list[synth.KnownBounds] = []     # bounds proven in the bases before carry to the next
    for b in bases:
        say(f"synthesising in basis {b} ...")
        kw = {} if synth_budget is None else {"budget": synth_budget}
        if known and task.domain == "bool":
            kw["known"] = tuple(known)
        res = synth.synthesize(task.train_spec(), basis=b, mode=mode, budget_s=synth_budget_s, top_k=top_k,
                               slack=slack, **kw)
        known.append(synth.KnownBounds.of(res))
        circuit, err = None, ""
        if task.domain == "bool" and method != "none":
            say(f"extracting a circuit in basis {b} ...")
            try:
                circuit = extract(model, task, method=method, basis=b, **(extract_options or {}))
            except CompareError as exc:
                err = str(exc)
                say(f"extraction failed: {exc}")
        say(f"comparing in basis {b} ...")
        comp = match(model, res, task, circuit=circuit, labels=labels, budget=function_budget,
                     budget_s=function_budget_s, ged_timeout=ged_timeout, cache=cache)
        out[b] = NetworkComparison(b, res, circuit, comp, err)
    return out
