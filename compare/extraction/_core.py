"""Shared machinery of the Boolean extraction methods (private).

`NetView` holds a float64 copy of an MLP's weights, the domain points, and a pruning state: per linear
layer an edge mask ``M`` and a fill value ``F`` per edge (what a removed edge carries instead of its
source's activation: 0 for zero-ablation, the source's mean for mean-ablation -- either way a constant
folded into the bias, so the pruned network is a smaller network, not an approximation). Candidate edits
are scored incrementally (one column at a time) against the full network's labels.

`discretise` picks per-neuron thresholds; `assemble` re-synthesises each kept neuron's Boolean function
of its kept parents with `synth` and writes one `synth.Program`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import synth

from ..errors import CompareError
from ..networks.activations import get_activation
from ..networks.tasks import Task
from .circuit import Circuit


def domain_points(task: Task, max_points: int, seed: int) -> tuple[np.ndarray, bool, str]:
    """Domain indices to be faithful on: all of them up to ``max_points``, else train points + a seeded sample."""
    size = task.domain_size
    if size <= max_points:
        return np.arange(size, dtype=np.int64), True, f"all {size} points of the domain"
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7]))
    extra = rng.choice(size, size=max_points, replace=False)
    idx = np.unique(np.concatenate([task.train_idx, task.test_idx, extra])).astype(np.int64)
    return idx, False, (f"{len(idx)} of {size} points (the train and held-out points plus a seeded uniform "
                        f"sample of {max_points}); faithfulness is checked on these only")


class NetView:
    """Float64 copy of a Boolean-task MLP with an edge-mask pruning state, evaluated on fixed points."""

    def __init__(self, model: Any, task: Task, idx: np.ndarray) -> None:
        if task.domain != "bool":
            raise CompareError(f"extract: task {task.name!r} is a Z_p task; use compare.analysis.fourier for Z_p "
                               "networks")
        linears = getattr(model, "linears", None)
        if linears is None or len(linears) < 2:
            raise CompareError("extract: the network needs at least one hidden layer (input -> hidden ... -> "
                               f"one logit), got {type(model).__name__} with "
                               f"{len(linears) if linears is not None else 0} linear layer(s)")
        act = getattr(model, "activation", None) or getattr(model, "config", {}).get("activation")
        self.act_name = act
        self.act = get_activation(act, "extract").numpy
        self.W = [lin.weight.detach().double().numpy().copy() for lin in linears]
        self.b = [(lin.bias.detach().double().numpy().copy() if lin.bias is not None
                   else np.zeros(lin.weight.shape[0])) for lin in linears]
        if self.W[0].shape[1] != task.n_inputs:
            raise CompareError(f"extract: model reads {self.W[0].shape[1]} inputs but task {task.name!r} has "
                               f"{task.n_inputs}")
        if self.W[-1].shape[0] != 1:
            raise CompareError(f"extract: Boolean extraction needs one output logit, got {self.W[-1].shape[0]}")
        self.task = task
        self.idx = idx
        self.raw = task.inputs(idx)                       # 0/1 inputs (m, n)
        enc = self.raw.astype(np.float64)
        self.X = enc * 2 - 1 if task.encoding == "pm1" else enc
        self.L = len(self.W) - 1                          # index of the output linear
        self.M = [np.ones_like(w, dtype=bool) for w in self.W]
        self.F = [np.zeros_like(w) for w in self.W]
        self.Z: list[np.ndarray] = []
        self.H: list[np.ndarray] = []
        self._full_forward()
        self.ref = self.Z[self.L][:, 0] > 0               # the full network's labels on the points
        self.means = [self.X.mean(0)] + [h.mean(0) for h in self.H]   # per source unit, full network
        self.checks = 0

    # ----------------------------------------------------------------------------- forward passes
    def source(self, k: int) -> np.ndarray:
        """Activations feeding linear ``k`` (inputs for k = 0)."""
        return self.X if k == 0 else self.H[k - 1]

    def _pre(self, k: int, A: np.ndarray) -> np.ndarray:
        W, M, F = self.W[k], self.M[k], self.F[k]
        return A @ (W * M).T + (W * ~M * F).sum(1) + self.b[k]

    def _full_forward(self) -> None:
        self.Z, self.H = [], []
        A = self.X
        for k in range(self.L + 1):
            z = self._pre(k, A)
            self.Z.append(z)
            if k < self.L:
                A = self.act(z)
                self.H.append(A)

    def _forward_from(self, k: int, z: np.ndarray) -> np.ndarray:
        """Logits when linear ``k``'s pre-activation is ``z`` (later layers recomputed)."""
        while k < self.L:
            k += 1
            z = self._pre(k, self.act(z))
        return z[:, 0]

    def _column_logits(self, k: int, j: int, zcol: np.ndarray) -> np.ndarray:
        """Logits when only pre-activation column ``j`` of linear ``k`` changes to ``zcol``."""
        if k == self.L:
            return zcol
        dh = self.act(zcol) - self.H[k][:, j]
        w = self.W[k + 1][:, j] * self.M[k + 1][:, j]
        z_next = self.Z[k + 1] + np.outer(dh, w)
        if k + 1 == self.L:
            return z_next[:, 0]
        return self._forward_from(k + 1, z_next)

    def faithful(self, logits: np.ndarray) -> bool:
        self.checks += 1
        return bool(np.array_equal(logits > 0, self.ref))

    # ----------------------------------------------------------------------------- edits
    def _commit_next(self, k: int, z_next: np.ndarray) -> None:
        """Linear ``k``'s pre-activation becomes ``z_next``; later layers are recomputed."""
        self.Z[k] = z_next
        while k < self.L:
            self.H[k] = self.act(self.Z[k])
            k += 1
            self.Z[k] = self._pre(k, self.H[k - 1])

    def try_remove_neuron(self, k: int, j: int, fills: tuple[str, ...] = ("zero", "mean")) -> bool:
        """Remove hidden neuron j of layer k (its outgoing edges carry a constant) if labels stay equal."""
        cols = self.M[k + 1][:, j].copy()
        if not cols.any():
            return True
        h = self.H[k][:, j]
        w = self.W[k + 1][:, j] * cols
        for fill in fills:
            c = 0.0 if fill == "zero" else float(self.means[k + 1][j])
            z_next = self.Z[k + 1] + np.outer(c - h, w)
            logits = z_next[:, 0] if k + 1 == self.L else self._forward_from(k + 1, z_next)
            if self.faithful(logits):
                self.M[k + 1][:, j] = False
                self.F[k + 1][cols, j] = c
                self._commit_next(k + 1, z_next)
                return True
        return False

    def try_remove_edge(self, k: int, j: int, i: int, fills: tuple[str, ...] = ("zero", "mean")) -> bool:
        """Remove edge (source i -> unit j of linear k) if the labels stay equal."""
        if not self.M[k][j, i]:
            return True
        a = self.source(k)[:, i]
        for fill in fills:
            c = 0.0 if fill == "zero" else float(self.means[k][i])
            zcol = self.Z[k][:, j] + self.W[k][j, i] * (c - a)
            if self.faithful(self._column_logits(k, j, zcol)):
                self.M[k][j, i] = False
                self.F[k][j, i] = c
                if k == self.L:
                    self.Z[k][:, j] = zcol
                else:
                    dh = self.act(zcol) - self.H[k][:, j]
                    self.Z[k][:, j] = zcol
                    self.H[k][:, j] += dh
                    w = self.W[k + 1][:, j] * self.M[k + 1][:, j]
                    self._commit_next(k + 1, self.Z[k + 1] + np.outer(dh, w))
                return True
        return False

    def refresh(self) -> None:
        """Recompute every layer from scratch (drops the rounding drift of incremental updates)."""
        self._full_forward()

    def set_masks(self, M: list[np.ndarray], F: list[np.ndarray] | None = None) -> bool:
        """Replace the whole pruning state; True when the result is faithful (the state is kept either way)."""
        self.M = [m.copy() for m in M]
        self.F = [np.zeros_like(w) for w in self.W] if F is None else [f.copy() for f in F]
        self._full_forward()
        return self.faithful(self.Z[self.L][:, 0])

    # ----------------------------------------------------------------------------- structure
    def live(self) -> list[np.ndarray]:
        """Per hidden layer, the neurons that (through unmasked edges) reach the output."""
        live = [np.zeros(w.shape[0], dtype=bool) for w in self.W[:-1]]
        need = np.ones(1, dtype=bool)
        for k in range(self.L, 0, -1):
            live[k - 1] = (self.M[k][need]).any(0)
            need = live[k - 1]
        return live

    def parents(self, k: int, j: int, live_prev: np.ndarray | None) -> list[int]:
        """Kept sources of unit j of linear k (inputs for k = 0; live neurons of layer k-1 otherwise)."""
        row = self.M[k][j].copy()
        if live_prev is not None:
            row &= live_prev
        return [int(i) for i in np.flatnonzero(row)]

    def n_edges(self) -> int:
        live = self.live()
        total = 0
        for k in range(self.L + 1):
            rows = np.ones(1, bool) if k == self.L else live[k]
            cols = np.ones(self.W[0].shape[1], bool) if k == 0 else live[k - 1]
            total += int((self.M[k][np.ix_(rows, cols)]).sum())
        return total


# --------------------------------------------------------------------------------------------- discretise

def _pattern(bits: list[np.ndarray], m: int) -> np.ndarray:
    code = np.zeros(m, dtype=np.int64)
    for i, b in enumerate(bits):
        code |= b.astype(np.int64) << i
    return code


def _lookup(code: np.ndarray, target: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Majority value of ``target`` per parent pattern: (table over 2**k patterns, seen mask, circuit bits)."""
    size = 1 << k
    ones = np.bincount(code, weights=target.astype(np.float64), minlength=size)
    seen = np.bincount(code, minlength=size)
    table = ones * 2 > seen          # ties -> 0
    return table, seen > 0, table[code]


class Discretiser:
    """Per-neuron thresholds and the composed Boolean circuit they induce on the domain points.

    Each kept neuron gets one threshold (bit = activation > threshold), chosen by coordinate ascent on the
    circuit's fidelity. When one bit per neuron cannot reach fidelity 1 (a neuron whose graded value
    matters downstream), up to ``max_levels`` thresholds are allowed per neuron, one level at a time and
    only where a level raises fidelity; each level is one more Boolean unit of the circuit.
    """

    def __init__(self, view: NetView, max_candidates: int = 32, max_levels: int = 3) -> None:
        self.view = view
        self.max_candidates = max_candidates
        self.max_levels = max(1, int(max_levels))
        live = view.live()
        self.neurons = [(k, int(j)) for k in range(view.L) for j in np.flatnonzero(live[k])]
        self.parents: dict = {}
        for k, j in self.neurons:
            self.parents[(k, j)] = [("x", i) for i in view.parents(k, j, None)] if k == 0 else \
                [("h", (k - 1, i)) for i in view.parents(k, j, live[k - 1])]
        self.out_parents = [("h", (view.L - 1, i)) for i in view.parents(view.L, 0, live[view.L - 1])]
        self.thresholds: dict = {nu: (self._natural(nu),) for nu in self.neurons}

    def _values(self, nu: tuple[int, int]) -> np.ndarray:
        return self.view.H[nu[0]][:, nu[1]]

    def _natural(self, nu: tuple[int, int]) -> float:
        v = self._values(nu)
        if self.view.act_name in ("relu", "tanh", "gelu"):
            return 0.0 if (v.min() <= 0.0 < v.max()) else self._gap(v)
        return self._gap(v)

    @staticmethod
    def _gap(v: np.ndarray) -> float:
        u = np.unique(v)
        if len(u) < 2:
            return float(u[0])
        i = int(np.argmax(np.diff(u)))
        return float((u[i] + u[i + 1]) / 2)

    def candidates(self, nu: tuple[int, int]) -> list[float]:
        u = np.unique(np.round(self._values(nu), 12))
        if len(u) < 2:
            return [float(u[0])]
        mids = (u[:-1] + u[1:]) / 2
        if len(mids) > self.max_candidates:
            mids = np.quantile(mids, np.linspace(0, 1, self.max_candidates))
        return [float(x) for x in mids]

    def expand(self, ps: list, th: dict | None = None) -> list:
        """Parent units with every level of each parent neuron: ("x", i) or ("h", (neuron, level))."""
        th = self.thresholds if th is None else th
        out = []
        for kind, i in ps:
            out += [(kind, i)] if kind == "x" else [("h", (i, lvl)) for lvl in range(len(th[i]))]
        return out

    def units(self, th: dict | None = None) -> list:
        """(unit key, expanded parents) in evaluation order; unit keys are (neuron, level) and "out"."""
        th = self.thresholds if th is None else th
        us = [((nu, lvl), self.expand(self.parents[nu], th)) for nu in self.neurons for lvl in range(len(th[nu]))]
        return us + [("out", self.expand(self.out_parents, th))]

    def run(self, thresholds: dict | None = None) -> dict[str, Any]:
        """Circuit bits, per-unit tables over parents and the fidelity for the given thresholds."""
        th = self.thresholds if thresholds is None else thresholds
        v = self.view
        m = len(v.ref)
        bits: dict[Any, np.ndarray] = {}
        tables: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
        circ = v.ref
        for key, ps in self.units(th):
            if len(ps) > 20:
                raise CompareError(f"extract: {key} keeps {len(ps)} parent bits after pruning; a unit's function "
                                   "is re-synthesised over its parents, so at most 20 are supported (train "
                                   "longer / with more weight decay, or use net_function for the function alone)")
            pb = [v.raw[:, i].astype(bool) if kind == "x" else bits[i] for kind, i in ps]
            target = v.ref if key == "out" else self._values(key[0]) > sorted(th[key[0]])[key[1]]
            table, seen, circ = _lookup(_pattern(pb, m), target, len(ps))
            tables[key] = (table, seen)
            bits[key] = circ
        fid = float((circ == v.ref).mean())
        return {"bits": bits, "tables": tables, "fidelity": fid, "output_bits": circ,
                "thresholds": {nu: tuple(sorted(t)) for nu, t in th.items()}}

    def optimise(self, sweeps: int = 2) -> dict[str, Any]:
        """Coordinate ascent on one threshold per neuron, then extra levels while they raise fidelity."""
        best = self.run()
        for _ in range(sweeps):
            if best["fidelity"] == 1.0:
                break
            improved = False
            for nu in self.neurons:
                for c in self.candidates(nu):
                    trial = {**self.thresholds, nu: (c,)}
                    res = self.run(trial)
                    if res["fidelity"] > best["fidelity"] + 1e-12:
                        best, self.thresholds, improved = res, trial, True
            if not improved:
                break
        while best["fidelity"] < 1.0:
            step = None
            for nu in self.neurons:
                if len(self.thresholds[nu]) >= self.max_levels:
                    continue
                for c in self.candidates(nu):
                    if any(abs(c - t) < 1e-12 for t in self.thresholds[nu]):
                        continue
                    trial = {**self.thresholds, nu: tuple(sorted(self.thresholds[nu] + (c,)))}
                    res = self.run(trial)
                    if res["fidelity"] > (step[0]["fidelity"] if step else best["fidelity"]) + 1e-12:
                        step = (res, trial)
            if step is None:
                break
            best, self.thresholds = step
        self.thresholds = best["thresholds"]
        return best


# --------------------------------------------------------------------------------------------- assemble

def _table_int(bits: np.ndarray) -> int:
    return int(sum(1 << int(t) for t in np.flatnonzero(bits)))


def synth_unit(table: np.ndarray, seen: np.ndarray, *, basis: str, budget: int | None,
               budget_s: float | None, where: str, memo: dict | None = None) -> tuple[Any, bool, bool]:
    """Minimal formula (a `synth.Program` over len(parents) inputs) for one unit, within ``budget`` work
    units (``budget_s``: an optional wall-clock valve); (program, exact, deterministic)."""
    k = int(np.log2(len(table)))
    tab, care = _table_int(table & seen), _table_int(seen)
    if memo is not None:
        key = (k, tab, care)
        if key not in memo:
            memo[key] = synth_unit(table, seen, basis=basis, budget=budget, budget_s=budget_s, where=where)
        return memo[key]

    if k == 0 or care == 0 or (tab & care) in (0, care):
        value = "1" if (care and (tab & care) == care) else "0"
        return synth.Program.from_nodes(max(k, 1), [(value, ())], basis=basis), True, True
    spec = synth.Spec.from_table(tab, k, care=care)
    try:
        res = synth.synthesize(spec, basis=basis, mode="formula", top_k=1, budget=budget, budget_s=budget_s,
                               slack=0)
    except synth.SynthError as exc:
        raise CompareError(f"extract: synthesis of {where} over {k} parents failed: {exc}") from exc
    if not res.shortest:
        raise CompareError(f"extract: synthesis of {where} over {k} parents found no program within the "
                           f"budget ({budget} work units); raise [extract] budget or prune harder")
    return res.shortest[0], bool(res.exact), bool(res.deterministic)


def assemble(view: NetView, disc: Discretiser, result: dict[str, Any], *, basis: str, budget: int | None,
             budget_s: float | None, method: str, exhaustive: bool, domain_note: str, t0: float,
             extra: dict | None = None) -> Any:
    """Re-synthesise every kept unit and write the whole circuit as one `synth.Program`."""


    n = view.task.n_inputs
    nodes: list[tuple[str, tuple[int, ...]]] = []
    ref_of: dict[Any, int] = {}
    neuron_programs: dict = {}
    memo: dict = {}          # neurons with the same function over their parents are synthesised once
    exact = True
    deterministic = True

    def parent_ref(kind: str, i: Any) -> int:
        return int(i) if kind == "x" else ref_of[i]

    def splice(prog: Any, prefs: list[int]) -> int:
        k_in = prog.n_inputs
        base = n + len(nodes)

        def remap(r: int) -> int:
            return prefs[r] if r < k_in else base + (r - k_in)

        for op, args in prog.nodes:
            nodes.append((op, tuple(remap(a) for a in args)))
        out = prog.output if prog.output is not None else k_in + len(prog.nodes) - 1
        return remap(out)

    level_programs: dict = {}
    for key, ps in disc.units():
        table, seen = result["tables"][key]
        where = "the output" if key == "out" else f"neuron {key[0]} (level {key[1]})"
        prog, ok, det = synth_unit(table, seen, basis=basis, budget=budget, budget_s=budget_s, where=where,
                                   memo=memo)
        exact &= ok
        deterministic &= det
        prefs = [parent_ref(kind, i) for kind, i in ps]
        if not ps:   # a constant unit: its program reads one dummy input it never uses
            prefs = [0]
        ref_of[key] = splice(prog, prefs)
        if key != "out":
            level_programs[key] = (tuple(prefs if ps else ()), prog)
            if key[1] == 0:
                neuron_programs[key[0]] = level_programs[key]
    out_ref = ref_of["out"]
    try:
        program = synth.Program.from_nodes(n, nodes, out_ref, basis=basis)
    except synth.SynthError as exc:
        raise CompareError(f"extract: could not assemble the circuit program: {exc}") from exc
    pred = np.asarray(program.evaluate(view.raw)).astype(bool)
    fidelity = float((pred == view.ref).mean())
    neurons = tuple(nu for nu in disc.neurons)
    return Circuit(program=program, fidelity=fidelity, support=tuple(sorted(int(i) for i in program.support)),
                   neurons=neurons, n_edges=view.n_edges(), n_points=len(view.ref), exhaustive=exhaustive,
                   method=method, basis=basis if isinstance(basis, str) else basis.name, exact=exact,
                   deterministic=deterministic,
                   pruned_fidelity=float(((view.Z[view.L][:, 0] > 0) == view.ref).mean()),
                   neuron_refs={nu: ref_of[(nu, 0)] for nu in neurons}, nodes=tuple(nodes), output=out_ref,
                   neuron_programs=neuron_programs, thresholds=dict(disc.thresholds), domain_note=domain_note,
                   seconds=time.perf_counter() - t0,
                   level_programs=level_programs,
                   extra={"discretised_fidelity": result["fidelity"], "checks": view.checks,
                          "levels": {nu: len(t) for nu, t in disc.thresholds.items()}, **(extra or {})})
