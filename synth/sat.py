"""Exact synthesis by SAT: minimum circuits (DAGs) and formulas (trees) consistent with examples.

A candidate program of ``r`` steps is encoded as a SAT instance (Knuth, TAOCP 7.1.2 and 7.2.2.2,
exercises 477-478; Kojevnikov, Kulikov and Yaroslavtsev, "Finding efficient circuits using
SAT-solvers", SAT 2009; Haaswijk et al., "SAT-based exact synthesis: encodings, topology families, and
parallelism", TCAD 2020). Nodes are the inputs ``x0..x{n-1}`` and then the steps; step ``i`` reads a
*tuple* of earlier nodes (sorted, distinct) and applies an *operation*, a truth table over the tuple's
positions (bit ``k`` of the row index is operand ``k``):

* ``s[i][T]``  step i reads tuple T;  ``g[i][a][p]``  row p of step i's table when it reads a tuples;
* ``x[i][t]``  value of step i on example t: ``s[i][T] and operands(t) = p  ->  x[i][t] = g[i][a][p]``.

The operations of a basis (`step_ops`) are its gates with constants fed to some arguments (``maj(a, b, 0)``
is AND; one operand may feed several arguments: ``ite(a, NOT b, b)`` is XOR) and, where negation is free,
every polarity of the arguments and the output, reduced to the arguments they depend on; constants and
free negations never cost a step. Where negation is free every step is *normal* (value 0 on the all-zero
input, ``g[i][a][0] = 0``) and each output is a step or its complement (Knuth's normal chains). Where NOT
costs (``aon``, ``aoxn``), a NOT is a *flag* on a node, paid once however many steps or outputs read the
node's complement (in a formula, once per negated read), and the steps are the gates of arity >= 2 with
some operands read negated. A (table, negations) pair outside the basis is excluded by a blocking clause.
Cost: a step's cost over the cheapest gate (unequal costs) and the NOT flags are unary literals whose
count is bounded by a totalizer (`pysat.card`); the bound is an assumption, so one instance of ``r``
steps serves every cost, and a refutation that does not use it retires ``r`` for good.

Symmetry breaking and implied constraints (`Symmetry`), each valid for shortest programs (so every answer
is exact): every step is used; adjacent steps that do not read each other read tuples in increasing
order (tuples are ordered by largest node, arity, then co-lexicographically), and two steps reading the
same tuple apply operations in increasing order (strictly in circuit mode); no step re-applies an
operation to operands of a step it reads when the result is one operation of no greater cost; inputs
the examples cannot tell apart (swapping ``x_p`` and ``x_q`` maps the examples onto themselves with equal
outputs) are first read in index order; and the inputs read: every *essential* input (two examples
differ only there and have different outputs), for every two examples with different outputs an input
where they differ, and at most ``(arity - 1) r + k`` inputs (a program is connected to its ``k``
outputs). "unsat" for ``size`` thus means: no shortest consistent program has cost ``size``.

Read limits (``restricted``, ``restricted_steps``, valid for every consistent program): in bases of
equal-cost 2-input gates with NOT free, or with NOT costed and every gate AND- or OR-like (aon; not
aoxn, whose XOR with a constant is a new NOT), fixing an input to a constant turns each step that reads
it into a wire, a negation or a constant, and NOT flags only move; so a program of r steps and cost s
reading ``x_a`` t times leaves r - t steps and cost s - t c consistent with the examples that fix
``x_a``. Given proven bounds on those (`synth.restriction.read_limits`: the exact census when four
inputs are left), t is capped by cardinality constraints (the cost one, with NOT flags, an
assumption). In a formula, whose r + 1 leaves are the reads, this decides much: the majority of 5 as an
xag formula of 9 gates is refuted in 2.4 M conflicts with it, against 508 s without; of 8 gates, in
3.6 k conflicts against 1.1 M; in aon, 9 gates in 50 k conflicts against 255 k.

Examples enter by counterexample-guided inductive synthesis (CEGIS): a few examples (a seeded choice)
first; each candidate is evaluated on all examples and the first disagreeing ones (in the seeded order)
join the same incremental solver. Work is counted in SAT conflicts and in clauses built (a formula
search builds one instance per tree shape, thousands of them at 12 gates), charged to a shared
`synth.budget.Budget`, so the same input gives the same answer and the same work anywhere, and the work
bounds the time. Where each size is a search of its own (at most 64 examples, equal gate costs, NOT
free), a finished search is reused within the process and charges the work it recorded (`_memo_solve`):
the same numbers as running it again.

>>> from synth import Spec
>>> m = sat_minimum(Spec.from_table(0x96, 3), "xag")      # 3-input parity: two XORs
>>> m.min_size, m.exact, str(m.program), [t.status for t in m.sizes_tried]
(2, True, 'xor(x2, xor(x0, x1))', ['unsat', 'sat'])
"""

from __future__ import annotations

import hashlib
import itertools
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from pysat.card import CardEnc, EncType, ITotalizer
from pysat.solvers import Solver

from .budget import CLAUSE_WORK, CONFLICT_WORK, Budget, BudgetExceeded, as_budget
from .dsl import GATES, Basis, Program, get_basis
from .errors import SynthError
from .spec import Spec

__all__ = [
    "SOLVER",
    "CONFLICT_ROUND",
    "read_limits_apply",
    "MODES",
    "StepOp",
    "step_ops",
    "sat_basis_check",
    "Symmetry",
    "SizeTrial",
    "SatOutcome",
    "SatMinimum",
    "input_symmetries",
    "essential_inputs",
    "sat_search",
    "sat_minimum",
    "SatSession",
    "TreeShape",
    "tree_shapes",
]

SOLVER = "cd195"         # CaDiCaL 1.9.5 (python-sat name); measured against Glucose 4, MiniSat 2.2
MODES = ("circuit", "formula")
INITIAL_EXAMPLES = 16    # examples in the first CEGIS instance (all of them when there are at most 64)
ALL_EXAMPLES_UP_TO = 64
COUNTEREXAMPLES = 16     # disagreeing examples added per CEGIS round (measured: 1, 4, 16)
CONFLICT_ROUND = 20_000  # conflicts per solver call (the wall-clock valve is looked at between calls)
SHAPE_TURN = CONFLICT_ROUND  # conflicts per turn of a formula shape's instance (see _solve_size)
MEMO_ENTRIES = 4096      # finished searches of one size kept per process (see _memo_solve)
_NOT_FLAGS = True        # NOT as a flag on nodes (True) or as a step of arity 1; measured, see _model


# ----------------------------------------------------------------------------------------------------
# Operations of a basis
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepOp:
    """One operation a step may apply: a truth table over its operand positions and how a basis gate
    implements it. ``args[j]`` feeds gate argument j: operand position ``k >= 0`` (one operand may feed
    several arguments), or ``-1`` / ``-2`` for the constant 0 / 1; bit j of ``neg`` negates argument j
    and ``out_neg`` the gate's output (both only where negation is free)."""

    table: int
    arity: int
    cost: int
    gate: str
    args: tuple[int, ...]
    neg: int = 0
    out_neg: bool = False

    @property
    def repeated(self) -> int:
        """Mask of the operand positions that feed more than one gate argument (a formula may not
        read a step twice, so there such a position must hold an input)."""
        return sum(1 << k for k in range(self.arity) if self.args.count(k) > 1)


@dataclass(frozen=True, eq=False)
class _OpSet:
    free_not: bool
    by_arity: dict          # arity -> {table: (StepOp, ...)}: cheapest realisations, distinct `repeated`
    cost_min: int
    cost_max: int

    @property
    def arities(self) -> tuple[int, ...]:
        return tuple(sorted(self.by_arity))


def _depends(table: int, arity: int, k: int) -> bool:
    return any(((table >> u) & 1) != ((table >> (u ^ (1 << k))) & 1) for u in range(1 << arity))


def step_ops(basis: str | Basis) -> dict[int, dict[int, StepOp]]:
    """The operations a step may apply in a basis, by arity and table (the cheapest gate per table).

    >>> sorted(hex(t) for t in step_ops("aig")[2])                 # normal AND-type tables
    ['0x2', '0x4', '0x8', '0xe']
    >>> sorted(step_ops("mig")), len(step_ops("mig")[3])           # maj(a, b, 0) is AND
    ([2, 3], 4)
    >>> {a: sorted(hex(t) for t in ops) for a, ops in step_ops("aon").items()}
    {1: ['0x1'], 2: ['0x8', '0xe']}
    """
    return {a: {t: real[0] for t, real in ops.items()} for a, ops in _opset(get_basis(basis)).by_arity.items()}


def sat_basis_check(basis: str | Basis) -> None:
    """Raise `SynthError` (saying why) when the SAT engine cannot encode the basis: not Boolean, a free
    gate other than ``not``, or no gate beyond literals and constants.

    >>> sat_basis_check("mig")
    >>> sat_basis_check("zp")
    Traceback (most recent call last):
    ...
    synth.errors.SynthError: basis 'zp' is a zp basis; the SAT engine synthesises Boolean programs
    """
    _opset(get_basis(basis))


def _opset(b: Basis) -> _OpSet:
    return _opset_cached(b.name, tuple(b.costs.items()), b.domain)


@lru_cache(maxsize=64)
def _opset_cached(name: str, costs: tuple, domain: str) -> _OpSet:
    if domain != "bool":
        raise SynthError(f"basis {name!r} is a {domain} basis; the SAT engine synthesises Boolean programs")
    free = dict(costs).get("not") == 0
    found: dict[tuple[int, int], list[StepOp]] = {}
    for gname, cost in costs:
        if gname == "not" and free:
            continue
        if cost == 0:
            raise SynthError(f"basis {name!r}: gate {gname!r} costs 0; the SAT engine allows only 'not' "
                             "to be free")
        gate = GATES[gname]
        r = gate.arity
        # each gate argument is fed an operand position (one operand may feed several arguments:
        # ite(a, NOT b, b) is XOR) or a constant (-1: 0, -2: 1)
        for feed in itertools.product(range(-2, r), repeat=r):
            k = 1 + max(feed)
            if k <= 0 or set(range(k)) - set(feed):
                continue
            for neg in (range(1 << r) if free else [0]):
                if any((neg >> j) & 1 for j in range(r) if feed[j] < 0):
                    continue                                     # constants are not negated
                tab = 0
                for u in range(1 << k):
                    z = 0
                    for j in range(r):
                        bit = ((u >> feed[j]) & 1) ^ ((neg >> j) & 1) if feed[j] >= 0 else -1 - feed[j]
                        z |= bit << j
                    tab |= ((gate.table >> z) & 1) << u
                out_neg = False
                if free and tab & 1:
                    tab ^= (1 << (1 << k)) - 1
                    out_neg = True
                if not all(_depends(tab, k, j) for j in range(k)):
                    continue                  # a variant with a constant there gives the same operation
                if k == 1 and (free or tab == 0b10):
                    continue                  # a literal or the identity: never a step
                op = StepOp(tab, k, cost, gname, feed, neg, out_neg)
                found.setdefault((k, tab), []).append(op)
    if not found:
        raise SynthError(f"basis {name!r} has no gate that computes anything beyond literals and constants")
    by_arity: dict[int, dict[int, tuple[StepOp, ...]]] = {}
    for (k, t), ops in sorted(found.items()):
        # the cheapest realisations, one per set of repeated operands (fewest repeats first), each with
        # the fewest negations (and(x0, x1) rather than nor(not(x0), not(x1)))
        cheapest = min(o.cost for o in ops)
        real: dict[int, StepOp] = {}
        for o in sorted((o for o in ops if o.cost == cheapest),
                        key=lambda o: (bin(o.repeated).count("1"), bin(o.neg).count("1") + o.out_neg)):
            real.setdefault(o.repeated, o)
        by_arity.setdefault(k, {})[t] = tuple(real.values())
    cs = [real[0].cost for ops in by_arity.values() for real in ops.values()]
    return _OpSet(free, by_arity, min(cs), max(cs))


@lru_cache(maxsize=4096)
def _rewrite_ok(opset: _OpSet, tree: bool, a_t: int, pos_j: int, a_u: int, where: tuple[int, ...]) -> bool:
    """True when a step reading a tuple T (arity a_t, step j at position pos_j, its other operands at
    positions ``where`` of j's tuple U) always equals one operation on U's nodes of no greater cost (or
    a literal, a constant), for every pair of operations: then such a step is never needed. In a tree
    (``tree``) the operation must read each operand once."""
    ops_t = [real[0] for real in opset.by_arity.get(a_t, {}).values()]
    ops_u = [real[0] for real in opset.by_arity.get(a_u, {}).values()]
    for h in ops_t:
        for g in ops_u:
            comp = 0
            for u in range(1 << a_u):
                idx = ((g.table >> u) & 1) << pos_j
                others = [k for k in range(a_t) if k != pos_j]
                for k, w in zip(others, where):
                    idx |= ((u >> w) & 1) << k
                comp |= ((h.table >> idx) & 1) << u
            dep = [k for k in range(a_u) if _depends(comp, a_u, k)]
            if not dep:
                continue
            red = 0
            for v in range(1 << len(dep)):
                u = sum(((v >> i) & 1) << k for i, k in enumerate(dep))
                red |= ((comp >> u) & 1) << v
            if len(dep) == 1 and (opset.free_not or red == 0b10):
                continue
            alt = opset.by_arity.get(len(dep), {}).get(red)
            if alt is None or alt[0].cost > h.cost or (tree and alt[0].repeated):
                return False
    return True


@dataclass(frozen=True, eq=False)
class _Model:
    """What a step may do in a basis. ``combos[a][(table, mask)]``: realisations (cheapest first) of an
    operation of arity ``a`` whose operands at the positions in ``mask`` are read negated. Where negation
    is free, tables are normal and masks 0. Where NOT costs (``flag_cost``), a NOT is a *flag* on a node
    (input or step): every reader of the node's complement shares it (in a formula each negated read of
    an input pays); steps are then the gates of arity >= 2 with any operands negated."""

    free: bool
    arities: tuple[int, ...]
    combos: dict
    flag_cost: int | None
    cost_min: int
    cost_max: int
    not_op: StepOp | None = None      # how the basis negates, where NOT costs

    def rows(self, arity: int) -> tuple[int, ...]:
        """Rows of a table that are variables (row 0 of a normal table is 0)."""
        return tuple(range(1 if self.free else 0, 1 << arity))

    @property
    def cheapest(self) -> int:
        """Least cost of anything beyond a literal (a step, or a NOT of an input)."""
        return min([self.cost_min] + ([self.flag_cost] if self.flag_cost is not None else []))


def _negated_table(table: int, arity: int, mask: int) -> int:
    return sum(((table >> (u ^ mask)) & 1) << u for u in range(1 << arity))


@lru_cache(maxsize=64)
def _model(opset: _OpSet, not_flags: bool) -> _Model:
    nots = opset.by_arity.get(1, {})
    not_op = nots[0b01][0] if 0b01 in nots else None
    if opset.free_not or not not_flags or not_op is None:       # NOT free, or a step of arity 1
        combos = {a: {(t, 0): real for t, real in ops.items()} for a, ops in opset.by_arity.items()}
        return _Model(opset.free_not, opset.arities, combos, None, opset.cost_min, opset.cost_max, not_op)
    combos: dict[int, dict[tuple[int, int], tuple[StepOp, ...]]] = {}
    for a, ops in sorted(opset.by_arity.items()):
        if a < 2:
            continue
        best: dict[tuple[int, int], tuple[StepOp, ...]] = {}
        for t, real in ops.items():
            for mask in range(1 << a):
                key = (_negated_table(t, a, mask), mask)
                if key not in best or best[key][0].cost > real[0].cost:
                    best[key] = real
        combos[a] = dict(sorted(best.items()))
    costs = [real[0].cost for ops in combos.values() for real in ops.values()]
    return _Model(False, tuple(sorted(combos)), combos, not_op.cost, min(costs, default=0),
                  max(costs, default=0), not_op)


# ----------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Symmetry:
    """Which symmetry-breaking constraints to add (all on by default; ``Symmetry.none()`` for
    cross-checks). Each is valid for shortest programs; see the module docstring."""

    used: bool = True            # every step is read by a later step or an output
    colex: bool = True           # adjacent independent steps read tuples in increasing order
    op_order: bool = True        # adjacent steps reading one tuple apply operations in increasing order
    noreapply: bool = True       # no step re-applies an operation to the operands of a step it reads
    inputs: bool = True          # interchangeable inputs are first read in index order
    essential: bool = True       # inputs read: essential ones, one per differing pair, at most (a-1) r + k
    shapes: bool = True          # formulas: one instance per tree shape, sibling subtrees of one shape ordered

    @classmethod
    def none(cls) -> "Symmetry":
        return cls(False, False, False, False, False, False, False)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> "Symmetry":
        return cls(**{f.name: bool(d[f.name]) for f in fields(cls) if f.name in d})


@dataclass(frozen=True)
class SizeTrial:
    """One size tried: "sat", "unsat" (no shortest program has this cost) or "unknown" (budget)."""

    size: int
    status: str
    conflicts: int
    examples_used: int

    def as_dict(self) -> dict:
        return {"size": self.size, "status": self.status, "conflicts": self.conflicts,
                "examples_used": self.examples_used}

    @classmethod
    def from_dict(cls, d: dict) -> "SizeTrial":
        return cls(int(d["size"]), str(d["status"]), int(d["conflicts"]), int(d["examples_used"]))


def _program_dict(p: Program | None) -> dict | None:
    return None if p is None else {"text": str(p), "n_inputs": p.n_inputs, "basis": p.basis_name}


def _program_from(d: dict | None, basis: str | Basis | None) -> Program | None:
    if d is None:
        return None
    return Program.parse(d["text"], int(d["n_inputs"]), basis=basis if basis is not None else d["basis"])


@dataclass(frozen=True)
class SatOutcome:
    """Answer of `sat_search` for one size. ``status``: "sat" (``program`` fits every example and costs
    at most ``size``; exactly ``size`` when no smaller program exists), "unsat" (no shortest consistent
    program costs ``size``) or "unknown" (the budget ran out; ``stopped`` names the limit)."""

    status: str
    size: int
    program: Program | None
    conflicts: int
    examples_used: int
    stopped: str | None = None

    def as_dict(self) -> dict:
        return {"status": self.status, "size": self.size, "program": _program_dict(self.program),
                "conflicts": self.conflicts, "examples_used": self.examples_used, "stopped": self.stopped}

    @classmethod
    def from_dict(cls, d: dict, basis: str | Basis | None = None) -> "SatOutcome":
        """Inverse of `as_dict`; pass ``basis`` when the program's basis is not a registered name."""
        return cls(str(d["status"]), int(d["size"]), _program_from(d["program"], basis), int(d["conflicts"]),
                   int(d["examples_used"]), d.get("stopped"))


@dataclass(frozen=True)
class SatMinimum:
    """Answer of `sat_minimum`: ``lower_bound <= minimum <= upper_bound`` is proven, and ``exact`` when
    they meet (then ``min_size`` is the minimum). ``program``: a consistent program of cost
    ``upper_bound`` when this search found one (None when the caller's ``upper`` was proven minimal or
    nothing was found). ``sizes_tried``: per size, what the solver said; ``conflicts``: their sum."""

    min_size: int | None
    exact: bool
    lower_bound: int
    upper_bound: int | None
    program: Program | None
    conflicts: int
    examples_used: int
    sizes_tried: tuple[SizeTrial, ...]
    mode: str
    basis: str
    stopped: str | None = None

    def as_dict(self) -> dict:
        return {"min_size": self.min_size, "exact": self.exact, "lower_bound": self.lower_bound,
                "upper_bound": self.upper_bound, "program": _program_dict(self.program),
                "conflicts": self.conflicts, "examples_used": self.examples_used,
                "sizes_tried": [t.as_dict() for t in self.sizes_tried], "mode": self.mode, "basis": self.basis,
                "stopped": self.stopped}

    @classmethod
    def from_dict(cls, d: dict, basis: str | Basis | None = None) -> "SatMinimum":
        """Inverse of `as_dict`; pass ``basis`` when the program's basis is not a registered name."""
        return cls(d["min_size"], bool(d["exact"]), int(d["lower_bound"]), d["upper_bound"],
                   _program_from(d["program"], basis), int(d["conflicts"]), int(d["examples_used"]),
                   tuple(SizeTrial.from_dict(t) for t in d["sizes_tried"]), str(d["mode"]), str(d["basis"]),
                   d.get("stopped"))


# ----------------------------------------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------------------------------------

@dataclass
class _Problem:
    """Examples as arrays and what the search keeps across sizes."""

    X: np.ndarray              # (m, n) uint8
    Y: np.ndarray              # (m, k) uint8
    basis: Basis
    opset: _OpSet
    model: _Model
    mode: str
    symmetry: Symmetry
    solver: str
    order: np.ndarray          # seeded order in which examples join
    active: list[int] = field(default_factory=list)
    trivial: dict = field(default_factory=dict)      # output -> ("const", v) | ("input", a, negated)
    pairs: tuple = ()
    essential: tuple = ()      # inputs every consistent program reads (for the hard outputs)
    encodings: dict = field(default_factory=dict)     # steps (, shape) -> live _Encoding (across costs)
    dead: set = field(default_factory=set)            # keys of encodings refuted whatever the cost
    restricted: tuple = ()     # per input: a proven lower bound on the cost of the spec with it fixed
    restricted_steps: tuple = ()   # NOT flags: per input, a proven lower bound on the steps with it fixed
    memo_key: tuple | None = None  # set when each size is a search of its own (see _memo_solve)
    held: int = 0              # clauses in the live instances' solvers (a proxy for their memory)
    peak: int = 0              # the most held since `_memo_solve` last reset it

    def close(self) -> None:
        for enc in self.encodings.values():
            enc.close()
        self.encodings.clear()

    def hold(self, n: int) -> None:
        """Count ``n`` clauses more (or fewer) in the live solvers."""
        self.held += n
        self.peak = max(self.peak, self.held)

    @property
    def n(self) -> int:
        return self.X.shape[1]

    @property
    def hard(self) -> list[int]:
        return [h for h in range(self.Y.shape[1]) if h not in self.trivial]


def _rows(spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """The examples as (m, n) and (m, k) uint8 arrays."""
    return spec.X.astype(np.uint8), spec.y.astype(np.uint8).reshape(spec.n_examples, -1)


def _keys(A: np.ndarray) -> np.ndarray:
    """One comparable key per row."""
    A = np.ascontiguousarray(A)
    return A.view(np.dtype((np.void, A.dtype.itemsize * A.shape[1]))).ravel()


def input_symmetries(spec: Spec) -> tuple[tuple[int, int], ...]:
    """Pairs ``(p, q)``, p < q, of inputs the examples cannot tell apart: swapping x_p and x_q maps the
    set of examples onto itself with equal outputs.

    >>> from synth import Spec
    >>> input_symmetries(Spec.from_table(0xe8, 3))          # majority of 3: totally symmetric
    ((0, 1), (0, 2), (1, 2))
    """
    X, Y = _rows(spec)
    have = np.sort(_keys(np.concatenate([X, Y], axis=1)))
    out = []
    for p, q in itertools.combinations(range(X.shape[1]), 2):
        Z = X.copy()
        Z[:, [p, q]] = X[:, [q, p]]
        if np.isin(_keys(np.concatenate([Z, Y], axis=1)), have).all():
            out.append((p, q))
    return tuple(out)


def essential_inputs(spec: Spec) -> tuple[int, ...]:
    """Inputs every consistent program reads: two examples differ only in that input and have different
    outputs.

    >>> from synth import Spec
    >>> essential_inputs(Spec.from_table(0b1000_1000, 3))    # x0 AND x1
    (0, 1)
    """
    X, Y = _rows(spec)
    return _essential(X, Y)


def _essential(X: np.ndarray, Y: np.ndarray) -> tuple[int, ...]:
    out = []
    for a in range(X.shape[1]):
        Z = X.copy()
        Z[:, a] = 0
        keys = _keys(Z)
        order = np.argsort(keys, kind="stable")
        same = keys[order[1:]] == keys[order[:-1]]
        differ = (Y[order[1:]] != Y[order[:-1]]).any(axis=1)
        if (same & differ).any():
            out.append(a)
    return tuple(out)


def _break_pairs(pairs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Consecutive members of each class of interchangeable inputs (transpositions that are symmetries
    form classes; ordering consecutive members orders the class)."""
    parent: dict[int, int] = {}

    def root(a: int) -> int:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for p, q in pairs:
        parent[root(q)] = root(p)
    classes: dict[int, list[int]] = {}
    for v in sorted({v for pq in pairs for v in pq}):
        classes.setdefault(root(v), []).append(v)
    return tuple((c[i], c[i + 1]) for c in classes.values() for i in range(len(c) - 1))


def _trivial_outputs(X: np.ndarray, Y: np.ndarray, free: bool) -> dict:
    """Outputs that are a constant or an input literal on every example (cost 0)."""
    out = {}
    for h in range(Y.shape[1]):
        y = Y[:, h]
        if (y == y[0]).all():
            out[h] = ("const", int(y[0]))
            continue
        for a in range(X.shape[1]):
            if np.array_equal(X[:, a], y):
                out[h] = ("input", a, False)
                break
            if free and np.array_equal(X[:, a], 1 - y):
                out[h] = ("input", a, True)
                break
    return out


# ----------------------------------------------------------------------------------------------------
# The encoding
# ----------------------------------------------------------------------------------------------------

def _tuple_key(t: tuple[int, ...]) -> tuple:
    return (t[-1], len(t)) + tuple(reversed(t[:-1]))


@lru_cache(maxsize=64)
def _tuples(n_nodes: int, arities: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """All sorted operand tuples over nodes 0..n_nodes-1, ordered by (largest node, arity, colex), so the
    tuples of a step are a prefix of those of any later step."""
    ts = [t for a in arities for t in itertools.combinations(range(n_nodes), a)]
    return tuple(sorted(ts, key=_tuple_key))


@dataclass(frozen=True)
class TreeShape:
    """The shape of a formula of ``r`` steps: ``children[i]``, the steps step i reads (steps are numbered
    in post-order, so the root is step r - 1 and every subtree is a block of consecutive steps), and
    ``twins``: pairs (a, b) of the first steps of two sibling subtrees of the same shape."""

    children: tuple[tuple[int, ...], ...]
    twins: tuple[tuple[int, int], ...]


@lru_cache(maxsize=None)
def _trees(r: int, degree: int) -> tuple[tuple, ...]:
    """Every rooted unordered tree of r nodes in which a node has at most ``degree`` children, each as
    the sorted tuple of its children's trees (a canonical form: two trees are isomorphic iff equal)."""
    if r == 1:
        return ((),)
    smaller = [t for k in range(1, r) for t in _trees(k, degree)]
    rank = {t: i for i, t in enumerate(smaller)}
    out = []

    def grow(left: int, lo: int, kids: list) -> None:
        if left == 0:
            out.append(tuple(sorted(kids, key=rank.__getitem__)))
            return
        if len(kids) == degree:
            return
        for i in range(lo, len(smaller)):
            t = smaller[i]
            size = _tree_size(t)
            if size <= left:
                grow(left - size, i, kids + [t])

    grow(r - 1, 0, [])
    return tuple(out)


@lru_cache(maxsize=None)
def _tree_size(t: tuple) -> int:
    return 1 + sum(_tree_size(c) for c in t)


@lru_cache(maxsize=None)
def tree_shapes(r: int, degree: int) -> tuple[TreeShape, ...]:
    """The shapes of formulas of r steps whose steps read at most ``degree`` steps each.

    Written here because the count is what matters (the Wedderburn-Etherington numbers for degree 2:
    1, 1, 2, 3, 6, 11, 23, 46, 98, 207 shapes of 1..10 steps) and networkx's tree generators give
    labelled or free trees, not rooted trees of bounded degree in post-order."""
    if r == 0:
        return ()
    shapes = []
    for tree in _trees(r, degree):
        children: list[tuple[int, ...]] = []
        twins: list[tuple[int, int]] = []

        def number(t: tuple) -> tuple[int, int]:
            """Number t's nodes in post-order; (first step, root step) of its block."""
            kids = [number(c) for c in t]
            for (a, _), (b, _), ca, cb in zip(kids, kids[1:], t, t[1:]):
                if ca == cb:
                    twins.append((a, b))
            children.append(tuple(root for _, root in kids))
            i = len(children) - 1
            return (kids[0][0] if kids else i), i

        number(tree)
        shapes.append(TreeShape(tuple(children), tuple(twins)))
    return tuple(shapes)


class _Encoding:
    """CNF for "r steps compute the hard outputs on the added examples"; `assumptions` bound the cost."""

    def __init__(self, prob: _Problem, r: int, shape: TreeShape | None = None):
        self.prob = prob
        self.r = r
        self.shape = shape
        self.key = r if shape is None else (r, shape)
        md = prob.model
        self.md = md
        n = prob.n
        self.n = n
        self.free = md.free
        self.flags_on = md.flag_cost is not None
        self.tree = prob.mode == "formula"
        self.hard = prob.hard
        self.single = len(self.hard) == 1 and r >= 1
        self.nv = 0
        cl: list[list[int]] = []
        self.clauses = cl
        sym = prob.symmetry
        arities = md.arities
        self.tuples = [_tuples(n + i, arities) for i in range(r)]
        if shape is not None:       # step i reads exactly its children in the shape, and inputs
            self.tuples = [tuple(t for t in ts if tuple(v - n for v in t if v >= n) == shape.children[i])
                           for i, ts in enumerate(self.tuples)]
        self.s = [[self._new() for _ in self.tuples[i]] for i in range(r)]
        # g[i][a][p]: row p of step i's table when it reads an a-tuple (None: row 0 of a normal table);
        # neg[i][a][k]: operand k is read negated (NOT as a flag); A[i][a]: step i reads an a-tuple
        self.g = [{a: [None if (self.free and p == 0) else self._new() for p in range(1 << a)]
                   for a in arities} for i in range(r)]
        self.neg = [{a: ([self._new() for _ in range(a)] if self.flags_on else []) for a in arities}
                    for i in range(r)]
        multi_arity = len(arities) > 1
        self.A = [{a: (self._new() if multi_arity else None) for a in arities} for i in range(r)]
        self.x: list[list[int]] = [[] for _ in range(r)]
        self.points: list[int] = []
        # outputs: one -> the last step; several -> one-hot u[h][v] over the steps (and the inputs, read
        # negated, where NOT costs); complement c[h] where negation is free or a flag pays for it
        self.out_nodes = list(range(n + r)) if (self.flags_on and not self.single) else list(range(n, n + r))
        self.c = {h: (self._new() if (self.free or self.flags_on) else None) for h in self.hard}
        self.u = {} if self.single else {h: [self._new() for _ in self.out_nodes] for h in self.hard}

        readers: list[list[int]] = [[] for _ in range(r)]        # selection literals reading step j
        for i in range(r):
            for q, t in enumerate(self.tuples[i]):
                for v in t:
                    if v >= n:
                        readers[v - n].append(self.s[i][q])
        for h in self.u:
            for k, v in enumerate(self.out_nodes):
                if v >= n:
                    readers[v - n].append(self.u[h][k])

        for i in range(r):
            cl.append(list(self.s[i]))                               # reads some tuple
            if multi_arity:
                for q, t in enumerate(self.tuples[i]):
                    cl.append([-self.s[i][q], self.A[i][len(t)]])
            for a in arities:
                self._allowed(i, a)
        for h, us in self.u.items():
            cl.append(list(us))
            cl.extend([-us[i], -us[j]] for i, j in itertools.combinations(range(len(us)), 2))

        # cost: base cost over the cheapest gate (unary levels per step) and NOT flags, bounded in total
        costly: list[int] = []
        for i in range(r):
            e = [self._new() for _ in range(md.cost_max - md.cost_min)]
            costly.extend(e)
            for a in arities:
                for (t, m), real in md.combos[a].items():
                    for lvl in range(real[0].cost - md.cost_min):
                        cl.append(self._mismatch(i, a, t, m) + [e[lvl]])
        if self.flags_on:
            for lit in self._flags():
                costly.append(lit)
                for _ in range(md.flag_cost - 1):       # a NOT costing w counts w times
                    copy = self._new()
                    cl.append([-lit, copy])
                    costly.append(copy)
        # the bound on `costly` is an assumption (a totalizer's output), so one instance serves every
        # cost, and a refutation that does not use it holds for every cost
        self.costly = costly
        self.found: Program | None = None
        self.cost_free = False
        self.rhs: list[int] = []
        if costly:
            tot = ITotalizer(lits=costly, ubound=len(costly), top_id=self.nv)
            cl.extend(tot.cnf.clauses)
            self.rhs = list(tot.rhs)
            self.nv = max(self.nv, tot.top_id)
            tot.delete()

        last = r - 1 if self.single else r
        if sym.used or self.tree:
            for j in range(last):
                cl.append(list(readers[j]))
        if self.tree:
            self._read_once()
            for j in range(last):
                if len(readers[j]) > 1:
                    card = CardEnc.atmost(readers[j], bound=1, top_id=self.nv, encoding=EncType.seqcounter)
                    self.nv = max(self.nv, card.nv)
                    cl.extend(card.clauses)
        # with a fixed shape, reordering steps is not a symmetry: only swapping twin subtrees is
        if sym.colex and shape is None:
            self._colex()
        if sym.op_order and shape is None:
            self._op_order(strict=not self.tree)
        if sym.noreapply and not self.flags_on:
            self._noreapply()
        if sym.inputs and shape is None:
            for p, q in prob.pairs:
                self._symvar(p, q)
        if shape is not None:
            for a, b in shape.twins:
                self._twins(a, b)
        # read[a]: input a is read (by a step, or negated by an output). A shortest program reads at
        # most (arity - 1) r + k inputs (it is connected to its k outputs), every essential input, and,
        # for two examples with different outputs, an input where they differ (added with the examples).
        self.read = None
        step_users: list[list[int]] = [[] for _ in range(n)]     # selection literals of steps reading x_v
        for i in range(r):
            for q, t in enumerate(self.tuples[i]):
                for v in t:
                    if v < n:
                        step_users[v].append(self.s[i][q])
        if sym.essential:
            self.read = [self._new() for _ in range(n)]
            users = [list(us) for us in step_users]
            for h, us in self.u.items():
                for k, v in enumerate(self.out_nodes):
                    if v < n:
                        users[v].append(us[k])
            for a in range(n):
                cl.extend([-lit, self.read[a]] for lit in users[a])
                cl.append([-self.read[a]] + users[a])
            for a in prob.essential:
                cl.append([self.read[a]])
            most = (max(arities, default=2) - 1) * r + len(self.hard)
            if most < n:
                card = CardEnc.atmost(self.read, bound=most, top_id=self.nv, encoding=EncType.seqcounter)
                self.nv = max(self.nv, card.nv)
                cl.extend(card.clauses)
        self.read_rhs: list[tuple[int, list[int]]] = []     # NOT flags: (restricted[a], totalizer outputs)
        if prob.restricted or prob.restricted_steps:
            self._read_limits(step_users)
        self.solver = Solver(name=prob.solver, bootstrap_with=cl)
        self.pending = len(cl)         # clauses built and not yet charged to a budget (see `charge`)
        self.built = len(cl)           # clauses in the solver (a proxy for its memory)
        prob.hold(len(cl))
        self.clauses = []

    def _new(self) -> int:
        self.nv += 1
        return self.nv

    def _read_limits(self, users: list[list[int]]) -> None:
        """Read limits (``prob.restricted``, ``prob.restricted_steps``): fixing input a to a constant
        removes every step that reads it (it becomes a wire, a negation where NOT is free, or a constant;
        NOT flags only move to the wire's source), so a program of cost ``size`` and r steps whose steps
        read x_a t times leaves one of cost size - t c and r - t steps for the examples with x_a fixed:
        t <= r - restricted_steps[a] and t <= (size - restricted[a]) / c. With NOT free, size = r c: both
        are one cardinality constraint; with NOT flags the second depends on the cost, so it is an
        assumption on a totalizer of the reads (`assumptions`). ``users[a]``: selection literals of the
        steps reading x_a."""
        cl, unit, prob = self.clauses, self.md.cost_min, self.prob
        for a, low in enumerate(prob.restricted):
            steps = prob.restricted_steps[a] if prob.restricted_steps else 0
            if not self.flags_on:
                steps = max(steps, -(-low // unit))
            most = self.r - steps
            if most < 0:
                cl.append([])                      # fewer steps than the spec with x_a fixed needs
                return
            if most < len(users[a]):
                card = CardEnc.atmost(users[a], bound=most, top_id=self.nv, encoding=EncType.seqcounter)
                self.nv = max(self.nv, card.nv)
                cl.extend(card.clauses)
            if self.flags_on and low > 0 and users[a]:
                tot = ITotalizer(lits=users[a], ubound=len(users[a]), top_id=self.nv)
                cl.extend(tot.cnf.clauses)
                self.read_rhs.append((low, list(tot.rhs)))
                self.nv = max(self.nv, tot.top_id)
                tot.delete()

    def assumptions(self, size: int) -> list[int] | None:
        """Assumptions for "total cost <= size" (None: impossible with r steps), with the read limits
        that depend on the cost."""
        spare = size - self.r * self.md.cost_min
        if spare < 0:
            return None
        out = [-self.rhs[spare]] if spare < len(self.rhs) else []
        for low, rhs in self.read_rhs:
            most = (size - low) // self.md.cost_min
            if most < 0:
                return None
            if most < len(rhs):
                out.append(-rhs[most])
        return out

    def _mismatch(self, i: int, a: int, table: int, mask: int = 0) -> list[int]:
        """Literals of which one is true unless step i reads an a-tuple with this table and mask."""
        lits = [] if self.A[i][a] is None else [-self.A[i][a]]
        for p, v in enumerate(self.g[i][a]):
            if v is not None:
                lits.append(-v if (table >> p) & 1 else v)
        for k, v in enumerate(self.neg[i][a]):
            lits.append(-v if (mask >> k) & 1 else v)
        return lits

    def _allowed(self, i: int, a: int) -> None:
        """Block every (table, mask) the basis cannot realise."""
        rows = self.md.rows(a)
        masks = range(1 << a) if self.flags_on else [0]
        allowed = self.md.combos[a]
        for combo in range(1 << len(rows)):
            table = sum(((combo >> k) & 1) << p for k, p in enumerate(rows))
            for mask in masks:
                if (table, mask) not in allowed:
                    self.clauses.append(self._mismatch(i, a, table, mask))

    def _flags(self) -> list[int]:
        """Literals that each pay for one NOT: a flag per node whose complement is read (a circuit shares
        it); in a formula, one per negated read of an input."""
        n, cl = self.n, self.clauses
        f = [self._new() for _ in range(n + self.r)]
        paid = list(f)
        for i in range(self.r):
            for q, t in enumerate(self.tuples[i]):
                for k, v in enumerate(t):
                    if self.tree and v < n:
                        continue
                    cl.append([-self.s[i][q], -self.neg[i][len(t)][k], f[v]])
            if self.tree:                               # negated input reads of step i, per position
                for a in self.md.arities:
                    for k in range(a):
                        lit = self._new()
                        paid.append(lit)
                        for q, t in enumerate(self.tuples[i]):
                            if len(t) == a and t[k] < n:
                                cl.append([-self.s[i][q], -self.neg[i][a][k], lit])
        for h in self.hard:
            if self.single:
                cl.append([-self.c[h], f[n + self.r - 1]])
                continue
            for k, v in enumerate(self.out_nodes):
                if self.tree and v < n:
                    lit = self._new()
                    paid.append(lit)
                    cl.append([-self.u[h][k], -self.c[h], lit])
                else:
                    cl.append([-self.u[h][k], -self.c[h], f[v]])
        return paid

    def _read_once(self) -> None:
        """Formulas: no operation that needs a step operand twice (ite(a, NOT s, s))."""
        forbidden: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for a, ops in self.md.combos.items():
            for on_steps in range(1 << a):
                forbidden[a, on_steps] = [key for key, real in ops.items()
                                          if all(o.repeated & on_steps for o in real)]
        for i in range(self.r):
            for q, t in enumerate(self.tuples[i]):
                on_steps = sum(1 << k for k, v in enumerate(t) if v >= self.n)
                for table, mask in forbidden[len(t), on_steps]:
                    self.clauses.append([-self.s[i][q]] + self._mismatch(i, len(t), table, mask))

    def _colex(self) -> None:
        cl = self.clauses
        for i in range(self.r - 1):
            m = len(self.tuples[i])
            L = [self._new() for _ in range(m)]        # L[q]: step i's tuple is at position <= q
            cl.append([-L[0], self.s[i][0]])
            for q in range(1, m):
                cl.append([-L[q], L[q - 1], self.s[i][q]])
            for q in range(m):                          # tuples of step i+1 not reading step i
                cl.append([-self.s[i + 1][q], L[q]])

    def _twins(self, a: int, b: int) -> None:
        """Sibling subtrees of one shape whose first steps are a < b: step a's tuple comes no later than
        step b's (swapping the two subtrees, and the parent's operands, changes nothing; first steps read
        only inputs, so both steps choose from the same list of tuples)."""
        cl = self.clauses
        m = len(self.tuples[a])
        L = [self._new() for _ in range(m)]            # L[q]: step a's tuple is at position <= q
        cl.append([-L[0], self.s[a][0]])
        for q in range(1, m):
            cl.append([-L[q], L[q - 1], self.s[a][q]])
        for q in range(m):
            cl.append([-self.s[b][q], L[q]])

    def _op_order(self, strict: bool) -> None:
        """Steps i, i+1 reading one tuple: (table, mask) increasing (lexicographic, highest bit first)."""
        cl = self.clauses
        for i in range(self.r - 1):
            for a in self.md.arities:
                qs = [q for q, t in enumerate(self.tuples[i]) if len(t) == a]
                if not qs:
                    continue
                eq = self._new()                        # steps i, i+1 read the same a-tuple
                for q in qs:
                    cl.append([-self.s[i][q], -self.s[i + 1][q], eq])
                bits = [(self.g[i][a][p], self.g[i + 1][a][p]) for p in reversed(range(1 << a))
                        if self.g[i][a][p] is not None]
                bits += list(zip(reversed(self.neg[i][a]), reversed(self.neg[i + 1][a])))
                for gi, gj in bits:
                    cl.append([-eq, -gi, gj])
                    nxt = self._new()
                    cl.append([-eq, gi, gj, nxt])
                    cl.append([-eq, -gi, -gj, nxt])
                    eq = nxt
                if strict:
                    cl.append([-eq])

    def _noreapply(self) -> None:
        n, cl = self.n, self.clauses
        opset = self.prob.opset
        for j in range(self.r - 1):
            by_subset: dict[tuple[int, ...], list[int]] = {}
            for qu, u in enumerate(self.tuples[j]):
                for size in range(len(u) + 1):
                    for sub in itertools.combinations(u, size):
                        by_subset.setdefault(sub, []).append(qu)
            node = n + j
            for i in range(j + 1, self.r):
                for q, t in enumerate(self.tuples[i]):
                    if node not in t:
                        continue
                    pos = t.index(node)
                    other = t[:pos] + t[pos + 1:]
                    for qu in by_subset.get(other, ()):
                        u = self.tuples[j][qu]
                        if _rewrite_ok(opset, self.tree, len(t), pos, len(u), tuple(u.index(v) for v in other)):
                            cl.append([-self.s[i][q], -self.s[j][qu]])

    def _symvar(self, p: int, q: int) -> None:
        """Input q is read no earlier than input p (they are interchangeable)."""
        cl = self.clauses
        prev = None                                     # p is read by some step before i
        for i in range(self.r):
            with_p = [self.s[i][k] for k, t in enumerate(self.tuples[i]) if p in t]
            for k, t in enumerate(self.tuples[i]):
                if q in t and p not in t:
                    cl.append([-self.s[i][k]] + ([] if prev is None else [prev]))
            cur = self._new()
            cl.append([-cur] + ([] if prev is None else [prev]) + with_p)
            prev = cur

    # -- examples ------------------------------------------------------------------------------------
    def sync(self) -> None:
        """Add the problem's active examples this instance does not hold yet."""
        have = set(self.points)
        self.add_points([t for t in self.prob.active if t not in have])

    def add_points(self, idx: Iterable[int]) -> None:
        X, Y, n = self.prob.X, self.prob.Y, self.n
        cl: list[list[int]] = []
        for t in idx:
            xrow = X[t]
            xt = []
            for i in range(self.r):
                xt.append(self._new())
                self.x[i].append(xt[i])
            for i in range(self.r):
                xi = xt[i]
                gi = self.g[i]
                for q, tup in enumerate(self.tuples[i]):
                    sv = self.s[i][q]
                    base = 0
                    steps = []
                    for k, v in enumerate(tup):
                        if v < n:
                            base |= int(xrow[v]) << k
                        else:
                            steps.append((k, xt[v - n]))
                    g = gi[len(tup)]
                    for combo in range(1 << len(steps)):
                        pat = base
                        lits = [-sv]
                        for b, (k, var) in enumerate(steps):
                            bit = (combo >> b) & 1
                            pat |= bit << k
                            lits.append(-var if bit else var)
                        gp = g[pat]
                        if gp is None:
                            lits.append(-xi)
                            cl.append(lits)
                        else:
                            cl.append(lits + [-gp, xi])
                            cl.append(lits + [gp, -xi])
            for h in self.hard:
                y = int(Y[t, h])
                ch = self.c[h]
                outs = [(None, n + self.r - 1)] if self.single else list(zip(self.u[h], self.out_nodes))
                for sel, v in outs:
                    pre = [] if sel is None else [-sel]
                    if v < n:                           # an input: value known, so the complement is
                        cl.append(pre + ([ch] if int(xrow[v]) != y else [-ch]))
                        continue
                    xv = xt[v - n]
                    if ch is None:
                        cl.append(pre + [xv if y else -xv])
                    else:   # x xor c = y
                        cl.append(pre + [xv, ch] if y else pre + [-xv, ch])
                        cl.append(pre + [-xv, -ch] if y else pre + [xv, -ch])
            if self.read is not None:
                for u in self.points:
                    if (Y[u, self.hard] != Y[t, self.hard]).any():
                        cl.append([self.read[a] for a in np.flatnonzero(X[u] != xrow)])
            self.points.append(int(t))
        self.solver.append_formula(cl)
        self.pending += len(cl)
        self.built += len(cl)
        self.prob.hold(len(cl))

    # -- solving ------------------------------------------------------------------------------------
    def charge(self, budget: Budget) -> bool:
        """Charge ``budget`` the clauses built since the last charge (building a large instance takes
        longer than many conflicts, so it is work like them); False when that used the budget up."""
        n, self.pending = self.pending, 0
        try:
            budget.charge_clauses(n)
        except BudgetExceeded:
            return False
        return True

    def solve(self, budget: Budget, assumptions: list[int]) -> str:
        """"sat" | "unsat" | "unknown"; the clauses built since the last call are charged to the budget
        first ("unknown" when that uses it up), then the conflicts used. The solver runs in
        rounds of at most `CONFLICT_ROUND` conflicts (the same rounds on every machine), and the
        wall-clock valve is looked at between rounds. An answer the solver gave stands even when its
        conflicts overrun the budget. After "unsat", ``cost_free`` says whether the refutation holds
        whatever the cost bound."""
        s = self.solver
        if not self.charge(budget):
            return "unknown"
        while True:
            if budget.exhausted():
                return "unknown"
            left = budget.conflicts_left()
            s.conf_budget(CONFLICT_ROUND if left is None else max(1, min(CONFLICT_ROUND, left)))
            before = s.accum_stats().get("conflicts", 0)
            res = s.solve_limited(assumptions=assumptions)
            try:
                budget.charge_conflicts(s.accum_stats().get("conflicts", 0) - before)
            except BudgetExceeded:
                pass
            if res is not None:
                break
        if res is False:
            self.cost_free = not (set(s.get_core() or ()) & set(assumptions))
        return "sat" if res else "unsat"

    def decode(self) -> tuple[list[tuple[tuple[int, ...], StepOp, int]], dict[int, tuple[int, bool]]]:
        """Steps as (tuple, realisation, negated operands mask) and outputs as (node ref, complemented)."""
        model = self.solver.get_model()
        true = np.zeros(self.nv + 2, dtype=bool)
        pos = np.array([v for v in model if 0 < v <= self.nv], dtype=np.int64)
        true[pos] = True
        steps = []
        for i in range(self.r):
            q = next(q for q, v in enumerate(self.s[i]) if true[v])
            t = self.tuples[i][q]
            a = len(t)
            table = sum(1 << p for p, v in enumerate(self.g[i][a]) if v is not None and true[v])
            mask = sum(1 << k for k, v in enumerate(self.neg[i][a]) if true[v])
            on_steps = sum(1 << k for k, v in enumerate(t) if v >= self.n)
            real = self.md.combos[a][table, mask]
            if self.tree:
                real = [o for o in real if not o.repeated & on_steps]
            steps.append((t, real[0], mask))
        outs = {}
        for h in self.hard:
            if self.single:
                node = self.n + self.r - 1
            else:
                node = next(v for v, lit in zip(self.out_nodes, self.u[h]) if true[lit])
            outs[h] = (node, self.c[h] is not None and bool(true[self.c[h]]))
        return steps, outs

    def close(self) -> None:
        self.solver.delete()
        self.prob.hold(-self.built)
        self.built = 0


# ----------------------------------------------------------------------------------------------------
# Decoding into programs
# ----------------------------------------------------------------------------------------------------

def _decode(prob: _Problem, steps, outs) -> Program:
    """A `Program` from decoded steps: gates with their constants and negations made explicit (in
    formula mode every negation node is read once, so the program is a tree)."""
    n = prob.n
    nodes: list[tuple[str, tuple[int, ...]]] = []
    cache: dict[tuple, int] = {}
    raw: list[tuple[int, bool]] = []          # per step: gate node ref, whether its value is negated
    tree = prob.mode == "formula"

    def emit(op: str, args: tuple[int, ...]) -> int:
        key = (op, args)
        if key in cache and (op in ("0", "1") or not tree):    # a circuit shares equal nodes
            return cache[key]
        nodes.append(key)
        cache[key] = n + len(nodes) - 1
        return cache[key]

    def negation(ref: int) -> int:
        op = prob.model.not_op
        if prob.model.free or op is None:
            return emit("not", (ref,))
        return emit(op.gate, tuple(ref if a >= 0 else emit("0" if a == -1 else "1", ()) for a in op.args))

    def lit(node: int, negate: bool) -> int:
        ref, inv = (node, False) if node < n else raw[node - n]
        return negation(ref) if inv != negate else ref

    for t, op, mask in steps:
        args = []
        for j, a in enumerate(op.args):
            if a < 0:
                args.append(emit("0" if a == -1 else "1", ()))
            else:
                args.append(lit(t[a], bool((op.neg >> j) & 1) != bool((mask >> a) & 1)))
        raw.append((emit(op.gate, tuple(args)), op.out_neg))
    refs = []
    for h in range(prob.Y.shape[1]):
        triv = prob.trivial.get(h)
        if triv is None:
            node, comp = outs[h]
            refs.append(lit(node, comp))
        elif triv[0] == "const":
            refs.append(emit(str(triv[1]), ()))
        else:
            refs.append(lit(triv[1], triv[2]))
    return Program(n, nodes, outputs=tuple(refs), basis=prob.basis)


def _outputs(prob: _Problem, prog: Program) -> np.ndarray:
    """(m, k) uint8 outputs of a program on every example."""
    return np.asarray(prog.evaluate(prob.X), dtype=np.uint8).reshape(prob.Y.shape)


def _checked(prob: _Problem, prog: Program, size: int) -> Program:
    """The answer, checked on every example (a failure here is a bug, not a user error)."""
    if not np.array_equal(_outputs(prob, prog), prob.Y) or prog.size > size:     # pragma: no cover
        raise AssertionError(f"SAT engine bug: decoded program {prog} (size {prog.size}, at most {size} "
                             "claimed) disagrees with the examples")
    if prob.mode == "formula" and not prog.is_tree():                            # pragma: no cover
        raise AssertionError(f"SAT engine bug: formula-mode program {prog} is not a tree")
    return prog


# ----------------------------------------------------------------------------------------------------
# Search
# ----------------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _solver_ok(name: str) -> bool:
    """True when python-sat has this solver with limited solving under assumptions."""
    try:
        with Solver(name=name, bootstrap_with=[[1, 2]]) as s:
            s.conf_budget(10)
            return s.solve_limited(assumptions=[-1]) is True and "conflicts" in s.accum_stats()
    except Exception:                      # an unknown name or a solver without these features
        return False


def _make_problem(spec, basis, mode, symmetry, seed, solver, initial, restricted=None,
                  restricted_steps=None) -> _Problem:
    if mode not in MODES:
        raise SynthError(f"mode must be one of {MODES}, got {mode!r}")
    if not isinstance(solver, str) or not _solver_ok(solver):
        raise SynthError(f"solver {solver!r} is not a python-sat solver with budgeted solving under "
                         f"assumptions (e.g. {SOLVER!r}, 'g4', 'm22')")
    b = get_basis(basis)
    opset = _opset(b)
    if isinstance(symmetry, bool):
        symmetry = Symmetry() if symmetry else Symmetry.none()
    if not isinstance(symmetry, Symmetry):
        raise SynthError(f"symmetry must be a bool or a synth.sat.Symmetry, got {symmetry!r}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise SynthError(f"seed must be an int, got {seed!r}")
    if not isinstance(spec, Spec):
        raise SynthError(f"the SAT engine needs a synth.Spec, got {type(spec).__name__}")
    if spec.p is not None:
        raise SynthError(f"the SAT engine synthesises Boolean programs; the spec is over Z_{spec.p}")
    X, Y = _rows(spec)
    m = X.shape[0]
    order = np.random.default_rng(np.random.SeedSequence(int(seed))).permutation(m)
    prob = _Problem(X, Y, b, opset, _model(opset, _NOT_FLAGS), mode, symmetry, solver, order)
    prob.trivial = _trivial_outputs(X, Y, opset.free_not)
    if symmetry.inputs:
        prob.pairs = _break_pairs(input_symmetries(spec))
    hard = prob.hard
    prob.essential = _essential(X, Y[:, hard]) if hard else ()
    if initial is None:
        initial = m if m <= ALL_EXAMPLES_UP_TO else INITIAL_EXAMPLES
    if not isinstance(initial, int) or initial < 1:
        raise SynthError(f"initial (examples in the first CEGIS instance) must be an int >= 1, got {initial!r}")
    prob.active = [int(t) for t in order[:min(initial, m)]]
    if restricted is not None or restricted_steps is not None:
        prob.restricted = _check_restricted(restricted, prob, "restricted")
        prob.restricted_steps = _check_restricted(restricted_steps, prob, "restricted_steps")
    md = prob.model
    if len(prob.active) == m and md.flag_cost is None and md.cost_min == md.cost_max:
        h = hashlib.sha256(repr((X.shape, Y.shape, b.name, sorted(b.costs.items()), mode, symmetry, solver,
                                 int(seed), initial, prob.restricted, prob.restricted_steps)).encode())
        h.update(X.tobytes())
        h.update(Y.tobytes())
        prob.memo_key = (h.hexdigest(),)
    return prob


def _limits_hold(md: _Model) -> bool:
    """Whether fixing an input to a constant removes every step that reads it and costs nothing new: steps
    of two inputs at one cost, and NOT free, or NOT a flag and every gate AND- or OR-like (fixing an operand
    leaves a constant or the other operand, never its complement: aon, not aoxn's XOR)."""
    if md.arities != (2,) or md.cost_min != md.cost_max:
        return False
    if md.free:
        return True
    if md.flag_cost is None:
        return False
    for (t, mask), _ in md.combos[2].items():
        pos = _negated_table(t, 2, mask)            # the gate's own table, operands unnegated
        for k in (0, 1):
            for c in (0, 1):
                rest = [(pos >> (c << k | v << (1 - k))) & 1 for v in (0, 1)]
                if rest == [1, 0]:                  # the other operand's complement: a new NOT
                    return False
    return True


def read_limits_apply(basis: str | Basis) -> bool:
    """Whether `sat_search` takes read limits (``restricted``) in this basis: gates of two inputs at one
    cost with NOT free (xag, aig, full), or NOT costed and every gate AND- or OR-like (aon).

    >>> [read_limits_apply(b) for b in ("xag", "aon", "aoxn", "mig")]
    [True, True, False, False]
    """
    return _limits_hold(_model(_opset(get_basis(basis)), _NOT_FLAGS))


def _check_restricted(vals, prob: _Problem, what: str) -> tuple[int, ...]:
    if not _limits_hold(prob.model):
        raise SynthError(f"{what} (read limits) needs a basis whose gates all take two inputs at one cost, "
                         f"with NOT free (xag, aig, full) or every gate AND- or OR-like (aon); "
                         f"{prob.basis.name!r} is not one")
    if vals is None:
        return (0,) * prob.n
    vals = tuple(vals)
    if len(vals) != prob.n:
        raise SynthError(f"{what} needs one bound per input ({prob.n}), got {len(vals)}")
    return tuple(_check_int(v, f"{what}[{a}]") for a, v in enumerate(vals))


def _disagreeing(prob: _Problem, prog: Program) -> list[int]:
    """Examples the program gets wrong, in the seeded order (at most COUNTEREXAMPLES)."""
    wrong = (_outputs(prob, prog) != prob.Y).any(axis=1)
    bad = wrong[prob.order]
    return [int(t) for t in prob.order[bad][:COUNTEREXAMPLES]]


def _step_counts(prob: _Problem, size: int) -> range:
    """Numbers of steps a program of cost ``size`` may have (NOTs paid as flags take the rest)."""
    md = prob.model
    if not md.arities:
        return range(0, 1)
    low = 0 if md.flag_cost is not None else -(-size // md.cost_max)
    # a program whose steps read d essential inputs and feed k outputs has >= (d - k) / (arity - 1) steps
    need = -(-(len(prob.essential) - len(prob.hard)) // (max(md.arities) - 1))
    if md.flag_cost is None:
        need = max(need, 1)             # a hard output is a step
    return range(max(low, need, 0), size // md.cost_min + 1)


def _cegis(prob: _Problem, enc: _Encoding, budget: Budget, assumptions: list[int],
           size: int | None = None) -> str:
    """Solve one instance, adding disagreeing examples until its answer holds on every example. "sat":
    ``enc.found`` is the program (only when ``size`` is given); "unsat" with a refutation that holds
    whatever the cost retires the step count."""
    while True:
        enc.sync()
        try:                # memory: the clauses held count against the budget's max_clauses
            budget.check(clauses=prob.held)
        except BudgetExceeded:
            return "unknown"
        status = enc.solve(budget, assumptions)
        if status == "unknown":
            return status
        if status == "unsat":
            if enc.cost_free:
                prob.dead.add(enc.key)
                enc.close()
                del prob.encodings[enc.key]
            return status
        prog = _decode(prob, *enc.decode())
        bad = _disagreeing(prob, prog)
        if not bad:
            if size is not None:
                enc.found = _checked(prob, prog, size)
            return status
        prob.active.extend(bad)


# (status, program, conflicts, clauses built, most clauses held above those held before) of a finished
# search of one size
_MEMO: "OrderedDict[tuple, tuple[str, Program | None, int, int, int]]" = OrderedDict()


def _memo_solve(prob: _Problem, size: int, budget: Budget) -> tuple[str, Program | None]:
    """`_solve_size`, reused within the process when the same search of this size finished before.

    Only where each size is a search of its own: every example in the instance from the start, and one
    step count per cost with no NOT flags (equal gate costs, NOT free), so no instance or CEGIS example
    carries over from another size. Then the searches the restriction bound makes on the slices of a core
    recur across the seeds of a case and between a case's spec and its network's function. A reused search
    charges ``budget`` the work it recorded (conflicts and clauses built), and only when ``budget`` has
    room for it plus one solver round and its ``max_clauses`` admits the clauses the search held: the
    rounds would then run exactly as recorded, so the answer and the work are those of running it again
    (same seed, same numbers, memo or not). A search that starts with one of its instances alive (a
    `SatSession` keeps them after a call the budget stopped) is neither reused nor recorded."""
    if prob.memo_key is None:
        return _solve_size(prob, size, budget)
    counts = _step_counts(prob, size)
    _drop_below(prob, counts.start)
    if any((k if isinstance(k, int) else k[0]) in counts for k in prob.encodings):
        return _solve_size(prob, size, budget)            # warm: neither replayed nor recorded
    key = prob.memo_key + (size,)
    hit = _MEMO.get(key)
    left = budget.remaining()
    base = prob.held
    if hit is not None and base + hit[4] <= budget.max_clauses and \
            (left is None or left >= (hit[2] + CONFLICT_ROUND) * CONFLICT_WORK + hit[3] * CLAUSE_WORK):
        _MEMO.move_to_end(key)
        try:
            budget.charge_clauses(hit[3])
            budget.charge_conflicts(hit[2])
        except BudgetExceeded:     # only the wall-clock valve can fire here; the caller sees it fired
            pass
        return hit[0], hit[1]
    before = (budget.conflicts, budget.clauses)
    prob.peak = base
    status, prog = _solve_size(prob, size, budget)
    if status != "unknown":
        _MEMO[key] = (status, prog, budget.conflicts - before[0], budget.clauses - before[1], prob.peak - base)
        if len(_MEMO) > MEMO_ENTRIES:
            _MEMO.popitem(last=False)
    return status, prog


def _drop_below(prob: _Problem, r: int) -> None:
    """Close the instances of fewer than ``r`` steps (sizes only rise: never needed again)."""
    for key in [k for k, e in prob.encodings.items() if e.r < r]:
        prob.encodings.pop(key).close()


def _solve_size(prob: _Problem, size: int, budget: Budget) -> tuple[str, Program | None]:
    """CEGIS at one cost: ("sat", program) | ("unsat", None) | ("unknown", None)."""
    if not prob.hard:
        return ("sat", _checked(prob, _decode(prob, [], {}), 0)) if size == 0 else ("unsat", None)
    counts = _step_counts(prob, size)
    _drop_below(prob, counts.start)
    shaped = prob.mode == "formula" and prob.symmetry.shapes and len(prob.hard) == 1
    degree = max(prob.model.arities, default=2)
    if not shaped:
        for r in counts:
            enc = _live_encoding(prob, r, r, None)
            assumptions = None if enc is None else enc.assumptions(size)
            if assumptions is None:
                continue
            status = _cegis(prob, enc, budget, assumptions, size)
            if status != "unsat":
                return status, (enc.found if status == "sat" else None)
        return "unsat", None
    # formulas: one instance per tree shape, solved in turns of SHAPE_TURN conflicts each (in shape order)
    # until one is satisfiable or all are refuted: a shape that admits a formula is often found in a few
    # thousand conflicts, while refuting the shapes before it one after the other takes millions (the
    # majority of 5 as an xag formula of 10 gates: 25 M conflicts one shape after the other)
    live = []
    for r in counts:
        for key, shape in ([((r, sh), sh) for sh in tree_shapes(r, degree)] if r else [(r, None)]):
            enc = _live_encoding(prob, key, r, shape)
            if enc is not None and not enc.charge(budget):      # thousands of shapes: building is work
                return "unknown", None
            try:                # and memory: the clauses held count against the budget's max_clauses
                budget.check(clauses=prob.held)
            except BudgetExceeded:
                return "unknown", None
            assumptions = None if enc is None else enc.assumptions(size)
            if assumptions is not None:
                live.append((enc, assumptions))
    while live:
        still = []
        for enc, assumptions in live:
            if budget.exhausted():
                return "unknown", None
            turn = budget.sub(SHAPE_TURN * CONFLICT_WORK)
            status = _cegis(prob, enc, turn, assumptions, size)
            if status == "sat":
                return status, enc.found
            if status == "unknown":
                if turn.fired == "memory":         # a turn ends at its work share; memory ends the search
                    return "unknown", None
                still.append((enc, assumptions))
        live = still
    return "unsat", None


def _live_encoding(prob: _Problem, key, r: int, shape: TreeShape | None) -> "_Encoding | None":
    """The instance of ``r`` steps (and ``shape``), built on first use; None when it was refuted for
    every cost."""
    if key in prob.dead:
        return None
    enc = prob.encodings.get(key)
    if enc is None:
        enc = prob.encodings[key] = _Encoding(prob, r, shape)
    return enc


def _check_int(v, what: str, lo: int = 0) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
        raise SynthError(f"{what} must be an int >= {lo}, got {v!r}")
    return int(v)


def sat_search(spec: Spec, basis: str | Basis, size: int, *, mode: str = "circuit",
               budget: Budget | int | None = None, budget_s: float | None = None, seed: int = 0,
               symmetry: bool | Symmetry = True, solver: str = SOLVER, initial: int | None = None,
               restricted: Sequence[int] | None = None,
               restricted_steps: Sequence[int] | None = None) -> SatOutcome:
    """Is there a consistent program of cost ``size`` that could be a shortest one?

    "sat": ``program`` fits every example of ``spec`` (all its outputs, as one circuit sharing gates)
    and costs ``size`` (or less, when a smaller one exists); "unsat": no shortest consistent program
    costs ``size``, so when none is smaller, none costs ``size`` or less; "unknown": the budget ran out.

    Parameters
    ----------
    spec : the examples (held-out queries impose nothing); one output or several.
    basis : a basis name or `Basis`: any Boolean basis whose only free gate is ``not``.
    size : the cost to try.
    mode : "circuit" (gates may be shared) or "formula" (every gate is read once).
    budget : a `synth.budget.Budget` (shared with other engines) or work units; None: unlimited.
    budget_s : a wall-clock safety valve in seconds (when it fires, ``stopped`` is "seconds").
    seed : which examples the first CEGIS instance holds (the status never depends on it).
    symmetry : symmetry breaking on (True), off (False) or a `Symmetry` choosing constraints.
    solver : a python-sat solver name.
    initial : examples in the first instance (default: all when there are at most 64, else 16).
    restricted : per input a, a proven lower bound on the cost of every program consistent with the
        examples that have x_a = c (the larger over c = 0, 1; 0 says nothing), e.g. from
        `synth.restriction.read_limits`. In bases whose gates all take two inputs at one cost c, with
        NOT free (xag, aig, full) or every gate AND- or OR-like (aon), a program of cost ``size`` then
        reads x_a at most (size - restricted[a]) / c times (each read is a step that fixing x_a
        removes); other bases: an error (`read_limits_apply`).
    restricted_steps : the same for the number of steps (gates of two inputs, NOT free: in aon, an aig
        bound): a program of r steps reads x_a at most r - restricted_steps[a] times.

    >>> from synth import Spec
    >>> [sat_search(Spec.from_table(0x8, 2), "aon", s).status for s in (0, 1)]
    ['unsat', 'sat']
    """
    prob = _make_problem(spec, basis, mode, symmetry, seed, solver, initial, restricted, restricted_steps)
    size = _check_int(size, "size")
    b = as_budget(budget, budget_s)
    before = b.conflicts
    try:
        status, prog = _memo_solve(prob, size, b)
    finally:
        prob.close()
    return SatOutcome(status, size, prog, b.conflicts - before, len(prob.active),
                      (b.fired or "work") if status == "unknown" else None)


def sat_minimum(spec: Spec, basis: str | Basis, *, mode: str = "circuit", lower: int = 0,
                upper: int | None = None, budget: Budget | int | None = None, budget_s: float | None = None,
                seed: int = 0, symmetry: bool | Symmetry = True, solver: str = SOLVER,
                initial: int | None = None, restricted: Sequence[int] | None = None,
                restricted_steps: Sequence[int] | None = None) -> SatMinimum:
    """The minimum cost of a program consistent with ``spec``, by SAT at costs ``lower``, ``lower + 1``,
    ... until one is satisfiable (each "unsat" raises the proven lower bound by one).

    ``lower``: a proven lower bound to start from (e.g. from an enumerator); ``upper``: the cost of a
    consistent program the caller already has: the walk stops there (then, with every smaller cost
    refuted, ``min_size = upper`` and ``program`` is None). A budget that runs out leaves ``exact``
    False with the proven ``lower_bound`` and the caller's ``upper_bound``. Several outputs are solved
    as one circuit sharing gates. Other parameters as in `sat_search`.

    >>> from synth import Spec
    >>> r = sat_minimum(Spec.from_table(0xe8, 3), "aon", mode="formula")    # majority of 3 as a tree
    >>> r.min_size, r.exact, str(r.program), [t.status for t in r.sizes_tried]
    (4, True, 'and(or(x1, x2), or(x0, and(x1, x2)))', ['unsat', 'unsat', 'unsat', 'sat'])
    >>> half_adder = Spec.from_tables([0x6, 0x8], 2)
    >>> str(sat_minimum(half_adder, "xag").program)
    'out0 = xor(x0, x1); out1 = and(x0, x1)'
    """
    with SatSession(spec, basis, mode=mode, seed=seed, symmetry=symmetry, solver=solver, initial=initial,
                    restricted=restricted, restricted_steps=restricted_steps) as session:
        return session.minimum(lower=lower, upper=upper, budget=budget, budget_s=budget_s)


class SatSession:
    """`sat_minimum` on one spec, asked several times: its instances, their learned clauses and the
    examples CEGIS added stay alive between calls, so asking for cost L + 1 after L was refuted builds
    only the instances that cost L + 1 adds. With NOT flags one instance serves every cost, so a walk
    that is cut into single sizes (the restriction bound raises the bound on a slice one level at a time)
    pays its instance building once. Every answer is what a fresh `sat_minimum` would prove (a refutation
    is a refutation); the work it takes depends on the calls before it, and the same calls in the same
    order give the same numbers. Close it (or use ``with``) to free the solvers.

    >>> from synth import Spec
    >>> with SatSession(Spec.from_table(0xe8, 3), "aon", mode="formula") as s:
    ...     first = s.minimum(upper=3)          # costs 1 and 2 refuted
    ...     then = s.minimum(lower=3)           # 3 refuted with the same instances, 4 found
    >>> [t.status for t in first.sizes_tried + then.sizes_tried], then.min_size
    (['unsat', 'unsat', 'unsat', 'sat'], 4)
    """

    def __init__(self, spec: Spec, basis: str | Basis, *, mode: str = "circuit", seed: int = 0,
                 symmetry: bool | Symmetry = True, solver: str = SOLVER, initial: int | None = None,
                 restricted: Sequence[int] | None = None, restricted_steps: Sequence[int] | None = None):
        self.prob = _make_problem(spec, basis, mode, symmetry, seed, solver, initial, restricted,
                                  restricted_steps)
        self.mode = mode

    def __enter__(self) -> "SatSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.prob.close()

    @property
    def live_clauses(self) -> int:
        """Clauses held in this session's solvers (a proxy for its memory, about 130 bytes each)."""
        return self.prob.held

    def minimum(self, *, lower: int = 0, upper: int | None = None, budget: Budget | int | None = None,
                budget_s: float | None = None) -> SatMinimum:
        """As `sat_minimum` (same ``lower``, ``upper``, ``budget``, ``budget_s``) on this session's
        spec."""
        prob = self.prob
        lo = _check_int(lower, "lower")
        if upper is not None:
            upper = _check_int(upper, "upper")
        b = as_budget(budget, budget_s)
        before = b.conflicts
        if prob.hard:
            lo = max(lo, prob.model.cheapest)      # a gate is needed
        tried: list[SizeTrial] = []
        prog = None
        stopped = None
        size = lo
        while upper is None or size < upper:
            start = b.conflicts
            status, prog = _memo_solve(prob, size, b)
            tried.append(SizeTrial(size, status, b.conflicts - start, len(prob.active)))
            if status == "unknown":
                stopped = b.fired or "work"
            if status != "unsat":
                break
            size += 1
        # every cost in lo..size-1 is refuted; at `size` a program was found, or the budget ran out
        upper_bound = prog.size if prog is not None else upper
        exact = prog is not None or (upper is not None and size >= upper)
        lower_bound = upper_bound if exact else size
        return SatMinimum(upper_bound if exact else None, exact, lower_bound, upper_bound, prog,
                          b.conflicts - before, len(prob.active), tuple(tried), self.mode, prob.basis.name,
                          stopped)
