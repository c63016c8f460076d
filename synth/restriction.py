"""Lower bounds on the size of consistent formulas by restriction to a forced core of inputs.

A formula ``F`` consistent with the examples reads some set ``S`` of inputs. ``S`` must tell apart every
two examples with different outputs (it *hits* their difference), and a formula of cost below ``L`` reads
at most ``M`` inputs (a tree of binary gates has one more leaf than gates). The *core* ``T`` is the set of
inputs every such hitting set of at most ``M`` inputs contains (a SAT question per input, python-sat with
a cardinality constraint). Every consistent formula cheaper than ``L`` then reads ``S = T + E`` for some
``E`` of at most ``M - |T|`` other inputs.

For one such ``E``, fix the inputs of ``E`` to constants ``e``: ``F`` becomes a formula over ``T`` that is
no more costly, has no more leaves on ``T`` and (with monotone gates only) no more NOTs, and agrees with
the examples whose ``E``-part is ``e`` -- a *partial* function ``P_e`` of the ``|T| <= 4`` core inputs,
whose least formula cost, least leaf count and need for a NOT the exact formula census of ``|T|`` inputs
answers (`synth.census`). So

    cost(F) >= max_e cost(P_e),  and  cost(F) >= c * (leaves - 1) / (arity - 1) + not_cost * nots,
    with leaves >= max_e leaves(P_e) + |E|  and  nots >= [some P_e is not monotone]   (monotone gates),

where ``c`` is the cheapest gate. The least of these bounds over every ``E`` is a proven lower bound on
the cost of every consistent formula (capped at ``L``). It settles, for instance, the parity of 3 inputs
among 20 from 1000 examples in ``aon``: cost 11, where SAT needs minutes per refuted size.

A core of 5 or 6 inputs has no exact census; there, in bases of equal-cost 2-input gates with NOT free
(xag, aig, full), the SAT engine bounds each slice ``P_e`` (at most 64 rows of a few inputs: far easier
than the whole spec), raising the bound one level at a time so that a budget that runs out leaves a
proven level (`_sat_core_bound`). It proves, for instance, that the 6-input
multiplexer is a least xag formula (9) for half of its truth table among 8 inputs. Each slice's SAT
search gets *read limits* (`fixed_input_bounds`): fixing one input of the slice leaves a partial function
whose least cost bounds how often a formula can read that input. The SAT engine reuses its searches on
slices within a process (`synth.sat`), charging the work they recorded, and keeps each slice's instances
alive from one level to the next (`synth.sat.SatSession`).

>>> import numpy as np
>>> from synth import Spec
>>> rng = np.random.default_rng(0)
>>> X = rng.integers(0, 2, size=(400, 12))
>>> spec = Spec.from_examples(X, X[:, 0] ^ X[:, 1] ^ X[:, 2])
>>> b = restriction_bound(spec, "aon", 11)
>>> b.lower, b.core
(11, (0, 1, 2))
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from .budget import Budget, BudgetExceeded, as_budget
from .census_store import SHIPPED_N, circuit_census, shipped_path
from .exhaustive import census
from .dsl import BASES, GATES, Basis, Program, define_basis, get_basis, is_monotone
from .errors import SynthError
from .sat import MODES, SatSession, essential_inputs, read_limits_apply, sat_basis_check, sat_minimum
from .spec import Spec

__all__ = ["RestrictionBound", "restriction_bound", "fixed_input_bounds", "read_limits", "MAX_CORE", "MAX_SAT_CORE",
           "MAX_SUPPORTS", "MAX_SAT_SUPPORTS", "FIXED_DEPTH"]

MAX_CORE = 4               # core inputs: the formula census of 4 inputs has 2^16 functions
MAX_SAT_CORE = 6           # core inputs whose slices the SAT engine bounds instead (64 rows at most each)
MAX_SAT_SUPPORTS = 256     # supports T + E examined at most with a SAT core (each needs SAT calls)
MAX_SUPPORTS = 400_000     # supports T + E examined at most (each is a few numpy passes over the examples)
MAX_CONFLICTS = 1_000_000  # example pairs with different outputs fed to the hitting-set question
CORE_CENSUS_WORK = 100_000_000  # work of one core census: 3 inputs need ~1e5; 4 inputs finish in xag and full
                                # (~1e7), not in aig, aon or mig. Charged to the caller's budget on every call
FIXED_DEPTH = 2            # inputs fixed in turn above the census: sub-specs of MAX_CORE + 2 inputs get a bound
FIXED_SAT_WORK = 300_000_000   # SAT work of one `fixed_input_bounds` call (at most a quarter of what is left)
# clauses the SAT sessions of a core's slices keep alive between levels, at most (about 2 GB; the oldest
# session is closed past it). Keeping a slice's session alive halves the conflicts of its next level:
# the 6-input multiplexer in aon, sizes 7-10 one call each: 0.48 M conflicts and 7.1 M clauses in one
# session, 1.02 M and 11.5 M with a fresh search per size
SESSION_CLAUSES = 15_000_000
SOLVER = "cd195"
CHUNK_CELLS = 4_000_000    # (support, example) cells handled per numpy pass


@dataclass(frozen=True)
class RestrictionBound:
    """``lower``: every formula consistent with the spec costs at least this (never above the
    ``target`` asked for). ``core``: the inputs every consistent formula cheaper than the target reads
    (empty when the bound did not get that far); ``supports``: how many supports T + E were examined;
    ``reason``: one sentence on what decided the bound."""

    lower: int
    target: int
    core: tuple[int, ...]
    supports: int
    reason: str
    program: Program | None = None     # a least formula over the core alone, when the core explains the data

    def as_dict(self) -> dict:
        return {"lower": self.lower, "target": self.target, "core": list(self.core),
                "supports": self.supports, "reason": self.reason,
                "program": None if self.program is None else str(self.program),
                "n_inputs": None if self.program is None else self.program.n_inputs,
                "basis": None if self.program is None else self.program.basis_name}

    @classmethod
    def from_dict(cls, d: dict) -> "RestrictionBound":
        prog = None if d.get("program") is None else Program.parse(d["program"], int(d["n_inputs"]),
                                                                    basis=d["basis"])
        return cls(int(d["lower"]), int(d["target"]), tuple(int(v) for v in d["core"]), int(d["supports"]),
                   str(d["reason"]), prog)


@dataclass(frozen=True)
class _Costs:
    """What the bound needs of a basis."""

    arity: int          # largest gate arity (NOT aside)
    cheapest: int       # least gate cost (NOT aside)
    not_cost: int       # 0 where negation is free
    monotone: bool      # every gate but NOT is monotone (a restriction then never adds a NOT)


def _costs(b: Basis) -> _Costs:
    gates = {g: c for g, c in b.costs.items() if g != "not"}
    if not gates:
        raise SynthError(f"basis {b.name!r} has no gate besides NOT")
    if min(gates.values()) <= 0:
        raise SynthError(f"basis {b.name!r}: a gate besides NOT costs 0; restriction_bound needs every "
                         "other gate to cost at least 1")
    arity = max(GATES[g].arity for g in gates)
    monotone = all(is_monotone(GATES[g].table, GATES[g].arity) for g in gates)
    return _Costs(arity, min(gates.values()), int(b.costs.get("not", 0)), monotone)


@lru_cache(maxsize=32)
def _core_census(name: str, costs: tuple, k: int):
    """(census, work): the exact formula census of k inputs (None when it does not finish within
    `CORE_CENSUS_WORK`) and the work it took (the same on every call: the caller is charged it even when
    this process has it cached, so results never depend on what ran before)."""
    c = census(k, define_basis(name, dict(costs)), "formula", budget=CORE_CENSUS_WORK)
    return (c if c.exact else None), int(c.budget["used"])


@lru_cache(maxsize=32)
def _core_tables(name: str, costs: tuple, k: int):
    """(cost, leaves, work) of the least formula of every function of k inputs, from the exact formula
    census; cost None when the census does not finish within `CORE_CENSUS_WORK`. Leaves: for gates of
    arity 2, one more than the least number of gates with negation free (None otherwise)."""
    b = define_basis(name, dict(costs))
    cost, work = _core_census(name, costs, k)
    if cost is None:
        return None, None, work
    arity = max(GATES[g].arity for g in b.costs if g != "not")
    if arity != 2:
        return cost.sizes.astype(np.int32), None, work
    unit = define_basis(f"{name}_gates", {**{g: 1 for g in b.costs if g != "not"}, "not": 0})
    gates = census(k, unit, "formula", budget=CORE_CENSUS_WORK)
    work += int(gates.budget["used"])
    if not gates.exact:
        return cost.sizes.astype(np.int32), None, work
    return cost.sizes.astype(np.int32), gates.sizes.astype(np.int32) + 1, work


@lru_cache(maxsize=64)
def _partial_tables(name: str, costs: tuple, k: int):
    """For k <= 3, lookup tables indexed by ``mask << 2^k | values`` (a partial function of the core:
    the rows in ``mask`` hold ``values``): least cost, least leaves (or None) and "not monotone"."""
    cost, leaves, _ = _core_tables(name, costs, k)
    if cost is None:
        return None
    m = 1 << k
    funcs = np.arange(1 << m, dtype=np.int64)
    big = np.iinfo(np.int32).max
    cost_t = np.empty((1 << m, 1 << m), dtype=np.int32)
    leaf_t = None if leaves is None else np.empty_like(cost_t)
    nonmono = np.zeros_like(cost_t, dtype=bool)
    vals = np.arange(1 << m, dtype=np.int64)
    for mask in range(1 << m):
        agree = ((funcs[None, :] ^ vals[:, None]) & mask) == 0          # [values, function]
        cost_t[mask] = np.where(agree, cost[None, :], big).min(axis=1)
        if leaves is not None:
            leaf_t[mask] = np.where(agree, leaves[None, :], big).min(axis=1)
        nonmono[mask] = [_partial_nonmonotone(mask, v, k) for v in range(1 << m)]
    cost_t = cost_t.reshape(-1)
    leaf_t = None if leaf_t is None else leaf_t.reshape(-1)
    return cost_t, leaf_t, nonmono.reshape(-1)


# ------------------------------------------------------------------------------------------------------
# read limits for the SAT engine: bounds on the cost of a spec with one input fixed
# ------------------------------------------------------------------------------------------------------

def _read_limit_ok(b: Basis) -> bool:
    """Gates of two inputs at one cost, with NOT free (xag, aig, full) or every gate AND- or OR-like (aon):
    fixing an input removes every gate that reads it (`synth.sat.read_limits_apply`)."""
    return b.domain == "bool" and _sat_ok(b) and read_limits_apply(b)


def fixed_input_bounds(spec: Spec, basis: str | Basis, mode: str = "formula", *,
                       budget: Budget | int | None = None) -> tuple[int, ...]:
    """Per input a: a proven lower bound on the cost of every program (``mode``: formula or circuit)
    consistent with the examples that have x_a = c, the larger over c = 0, 1 -- the read limits of
    `synth.sat.sat_search` (``restricted``): a program of r gates reads x_a at most r - bound / cost
    times. All zeros outside bases of equal-cost 2-input gates with NOT free, for several outputs and for
    Z_p specs.

    Each restricted spec drops the inputs constant on its examples (fixing them in a program costs
    nothing more). Up to `MAX_CORE` inputs left, its least cost over every completion comes from the exact
    census (formula census; shipped circuit census, its proven lower bounds where a class is open). Up to
    MAX_CORE + `FIXED_DEPTH` inputs, the same argument one level down: a program of s >= 1 gates (a
    literal needs none) reads every essential input and no input a more than s - bound_a times, and a
    formula of s gates has s + 1 leaves, so ``(k - 1) s >= sum_a bound_a + 1`` over its k inputs
    (Subbotovskaya's counting). Larger restricted specs get the connectivity bound: (essential inputs -
    1) gates.

    ``budget`` (work units or a shared `synth.budget.Budget`; None: no SAT here): a restricted spec of
    MAX_CORE + 1 .. `MAX_SAT_CORE` inputs is then solved by the SAT engine, with its own read limits,
    from the bound above, within `FIXED_SAT_WORK` (and at most a quarter of what the budget has left)
    for all of them; its exact least cost, or the lower bound SAT proved when that ran out, is the bound
    (the 6-input multiplexer with a data input fixed: 7, where the counting gives 6).

    >>> from synth import Spec
    >>> fixed_input_bounds(Spec.from_table(0xfee8e880, 5), "xag")   # majority of 5: threshold 2 or 3 of 4
    (7, 7, 7, 7, 7)
    """
    if mode not in MODES:
        raise SynthError(f"mode must be one of {MODES}, got {mode!r}")
    b = get_basis(basis)
    n = spec.n_inputs
    if spec.p is not None or spec.n_outputs != 1 or not _read_limit_ok(b):
        return (0,) * n
    unit = min(c for g, c in b.costs.items() if g != "not")
    X = spec.X.astype(np.uint8)
    y = spec.y.astype(np.uint8).reshape(-1)
    bud = None
    if budget is not None:
        budget = as_budget(budget)
        left = budget.remaining()
        bud = budget.sub(FIXED_SAT_WORK if left is None else min(FIXED_SAT_WORK, left // 4))
    memo: dict = {}
    out = []
    for a in range(n):
        best = 0
        for c in (0, 1):
            rows = X[:, a] == c
            best = max(best, _restricted_bound(np.delete(X[rows], a, axis=1), y[rows], b, mode, unit, memo,
                                               bud))
        out.append(best)
    return tuple(out)


def read_limits(spec: Spec, basis: str | Basis, mode: str = "formula", *,
                budget: Budget | int | None = None) -> dict[str, tuple[int, ...] | None]:
    """The read limits of `synth.sat.sat_search` for ``spec``, as its keyword arguments: ``restricted``
    (`fixed_input_bounds` in ``basis``) and, where NOT is a costed flag (aon), ``restricted_steps`` (the
    same bounds for the gates alone: with NOT free and each gate at cost 1, an aig bound for aon, whose
    AND/OR gates form an aig program). None where a bound says nothing; ``budget`` is shared by both.

    >>> from synth import Spec
    >>> read_limits(Spec.from_table(0xfee8e880, 5), "aon")          # majority of 5
    {'restricted': (7, 7, 7, 7, 7), 'restricted_steps': (7, 7, 7, 7, 7)}
    """
    b = get_basis(basis)
    costs = fixed_input_bounds(spec, b, mode, budget=budget)
    steps = (0,) * spec.n_inputs
    if b.costs.get("not", 0) > 0 and _read_limit_ok(b):
        gates = define_basis(f"{b.name}_gates", {**{g: 1 for g in b.costs if g != "not"}, "not": 0})
        steps = fixed_input_bounds(spec, gates, mode, budget=budget)
    return {"restricted": costs if any(costs) else None, "restricted_steps": steps if any(steps) else None}


def _restricted_bound(X: np.ndarray, y: np.ndarray, b: Basis, mode: str, unit: int, memo: dict,
                      bud: Budget | None) -> int:
    if len(y) == 0 or y.min() == y.max():
        return 0
    keep = [i for i in range(X.shape[1]) if X[:, i].min() != X[:, i].max()]
    if len(keep) > MAX_CORE + FIXED_DEPTH:
        return unit * max(0, len(essential_inputs(Spec.from_examples(X, y))) - 1)
    k = len(keep)
    idx = (X[:, keep].astype(np.int64) << np.arange(k)).sum(axis=1)
    mask = vals = 0
    for t, v in zip(idx.tolist(), y.tolist()):
        mask |= 1 << t
        vals |= int(v) << t
    low = _partial_bound(mask, vals, k, b, mode, unit, memo)
    if bud is None or k <= MAX_CORE or k > MAX_SAT_CORE or bud.exhausted():
        return low
    key = ("sat", mask, vals, k)
    if key not in memo:
        sub = _partial_spec(mask, vals, k)
        r = sat_minimum(sub, b, mode=mode, lower=low, budget=bud, **read_limits(sub, b, mode))
        memo[key] = max(low, r.lower_bound)
    return memo[key]


def _restrict_partial(mask: int, vals: int, k: int, a: int, c: int) -> tuple[int, int]:
    """The partial function (mask, values) of k inputs with input a fixed to c: k - 1 inputs."""
    m2 = v2 = 0
    for t in range(1 << k):
        if (mask >> t) & 1 and ((t >> a) & 1) == c:
            u = (t & ((1 << a) - 1)) | ((t >> (a + 1)) << a)
            m2 |= 1 << u
            v2 |= ((vals >> t) & 1) << u
    return m2, v2


def _partial_bound(mask: int, vals: int, k: int, b: Basis, mode: str, unit: int, memo: dict) -> int:
    """A proven lower bound on the least cost of a partial function of k inputs (see
    `fixed_input_bounds`)."""
    key = (mask, vals, k)
    if key in memo:
        return memo[key]
    if vals & mask in (0, mask):
        memo[key] = 0
        return 0
    # inputs constant on the rows: fix them (no cost)
    for a in range(k):
        sides = [_restrict_partial(mask, vals, k, a, c) for c in (0, 1)]
        if sides[0][0] == 0 or sides[1][0] == 0:
            m2, v2 = sides[1] if sides[0][0] == 0 else sides[0]
            memo[key] = _partial_bound(m2, v2, k - 1, b, mode, unit, memo)
            return memo[key]
    essential = [a for a in range(k)
                 if any((mask >> t) & (mask >> (t | 1 << a)) & 1 and ((vals >> t) ^ (vals >> (t | 1 << a))) & 1
                        for t in range(1 << k) if not (t >> a) & 1)]
    gates = max(0, len(essential) - 1)
    table = _census_costs(b, mode, k) if k <= MAX_CORE else None
    if table is not None:
        funcs = np.arange(1 << (1 << k), dtype=np.int64)
        value = int(table[((funcs ^ vals) & mask) == 0].min())
    elif MAX_CORE < k <= MAX_CORE + FIXED_DEPTH:
        # a literal has no gate above its leaf: the argument below needs at least one gate
        for a in range(k):
            col = sum(1 << t for t in range(1 << k) if (t >> a) & 1)
            if (vals ^ col) & mask == 0 or (vals ^ ~col) & mask == 0:
                memo[key] = 0
                return 0
        low = [max(_partial_bound(*_restrict_partial(mask, vals, k, a, c), k - 1, b, mode, unit, memo)
                   for c in (0, 1)) for a in range(k)]
        if b.costs.get("not", 0) == 0:
            g = [-(-v // unit) for v in low]
            s = max([gates] + [g[a] + 1 for a in essential] + g)
            if mode == "formula":
                s = max(s, -(-(sum(g) + 1) // (k - 1)))
            value = s * unit
        else:
            # NOT costed (aon): a program of cost C reads x_a at most (C - low_a) / unit times, but its
            # gate count is not C / unit, so a formula's leaves give only: sum_a reads_a >= its essential
            # inputs, hence k C >= sum(low) + unit * essential
            value = max([gates * unit] + [low[a] + unit for a in essential] + low)
            if mode == "formula":
                value = max(value, -(-(sum(low) + unit * len(essential)) // k))
    else:
        value = gates * unit
    memo[key] = value
    return value


# named bases whose circuit census may not be shipped: shipped censuses whose costs bound theirs from below
# (the AND/OR gates of an aon circuit form an aig circuit; aon's gates are among aoxn's)
_CIRCUIT_LOWER_BY = {"aon": ("aig", "aoxn")}


def _census_costs(b: Basis, mode: str, k: int) -> np.ndarray | None:
    """Least cost (a proven lower bound) of every function of k inputs, or None: the formula census
    (`_core_tables`), or the shipped circuit census of a named basis."""
    if mode == "formula":
        return _core_tables(b.name, tuple(sorted(b.costs.items())), k)[0]
    named = BASES.get(b.name)
    if named is None or named.costs != b.costs or k > max(SHIPPED_N):
        return None                   # a user basis would build its census here: minutes
    if b.name in _CIRCUIT_LOWER_BY and not shipped_path(b.name, k).exists():
        # not shipped (it would be built here: minutes): the larger of the bounds from shipped censuses
        return np.max([circuit_census(o, k).lower for o in _CIRCUIT_LOWER_BY[b.name]], axis=0)
    return circuit_census(b, k).lower


def _forced_core(masks: list[int], n: int, most: int) -> tuple[bool, tuple[int, ...]]:
    """(feasible, core): whether some set of at most ``most`` inputs hits every mask, and the inputs in
    every such set."""
    clauses = [[i + 1 for i in range(n) if (mk >> i) & 1] for mk in masks]
    card = CardEnc.atmost(list(range(1, n + 1)), bound=most, top_id=n, encoding=EncType.seqcounter)
    with Solver(name=SOLVER, bootstrap_with=clauses + card.clauses) as s:
        if not s.solve():
            return False, ()
        return True, tuple(i for i in range(n) if not s.solve(assumptions=[-(i + 1)]))


def restriction_bound(spec: Spec, basis: str | Basis, target: int, *, known_lower: int = 0,
                      budget: Budget | int | None = None, sat_core: bool = True) -> RestrictionBound:
    """A proven lower bound on the cost of every *formula* consistent with ``spec`` (one Boolean
    output), up to ``target`` (typically the cost of a consistent formula in hand: ``lower == target``
    then proves it minimal). See the module docstring for the argument.

    ``known_lower``: a bound already proven; the search stops as soon as it cannot beat it.
    ``budget``: work units (one per example per support examined, plus the core question); when it runs
    out, the result is ``known_lower`` with a reason saying so (never a guess).
    ``sat_core``: bound the slices of a core of MAX_CORE + 1 .. MAX_SAT_CORE inputs by SAT (False: such a
    core gives ``known_lower``; `synthesize` leaves it to SAT on the whole spec where NOT is costed).
    """
    if not isinstance(spec, Spec):
        raise SynthError(f"restriction_bound needs a synth.Spec, got {type(spec).__name__}")
    if spec.p is not None or spec.n_outputs != 1:
        raise SynthError("restriction_bound takes a Boolean spec of one output")
    for what, v in (("target", target), ("known_lower", known_lower)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise SynthError(f"{what} must be an int >= 0, got {v!r}")
    if not isinstance(sat_core, bool):
        raise SynthError(f"sat_core must be a bool, got {sat_core!r}")
    target, known_lower = int(target), int(known_lower)
    b = get_basis(basis)
    if b.domain != "bool":
        raise SynthError(f"basis {b.name!r} is a {b.domain} basis; restriction_bound is for Boolean formulas")
    bc = _costs(b)
    bud = as_budget(budget)

    def result(lower: int, core=(), supports: int = 0, reason: str = "", program=None) -> RestrictionBound:
        return RestrictionBound(min(max(lower, known_lower), target), target, tuple(core), supports, reason,
                                program)

    if known_lower >= target:
        return result(known_lower, reason="the known lower bound already meets the target")
    X = spec.X.astype(np.uint8)
    y = spec.y.astype(np.uint8).reshape(-1)
    n = X.shape[1]
    if n > 62:
        return result(known_lower, reason=f"{n} inputs: more than this bound handles (62)")
    words = X.astype(np.int64) @ (np.int64(1) << np.arange(n, dtype=np.int64))
    pos, neg = np.unique(words[y == 1]), np.unique(words[y == 0])
    if len(pos) == 0 or len(neg) == 0:
        return result(known_lower, reason="a constant fits the examples")
    # any subset of the conflicts gives a valid (weaker) core: every hitting set of all hits the subset
    take = max(1, MAX_CONFLICTS // len(neg))
    pairs_pos = pos[:take, None]
    masks = np.unique((pairs_pos ^ neg[None, :]).ravel()).tolist()
    if not _charge(bud, len(masks)):
        return result(known_lower, reason="the budget ran out before the core was found")
    # with monotone gates only, a positive example below a negative one needs a NOT in every formula
    below = bool(((pairs_pos & ~neg[None, :]) == 0).any())       # a positive example below a negative one
    if below and bc.monotone and "not" not in b.costs:
        return result(target, (), 0, "no formula fits: the gates are monotone, there is no NOT, and a "
                                     "positive example lies below a negative one")
    need_not = bc.monotone and bc.not_cost > 0 and below

    def leaves_below(t: int) -> int:
        """At most this many input leaves in a formula of cost <= t - 1."""
        gates = (t - 1 - (bc.not_cost if need_not else 0)) // bc.cheapest
        return min(n, (bc.arity - 1) * max(gates, 0) + 1)

    most = leaves_below(target)
    feasible, core = _forced_core(masks, n, most)
    if not feasible:
        return result(target, (), 0, f"no set of at most {most} inputs tells the examples apart")
    k = len(core)
    use_sat = sat_core and _read_limit_ok(b)
    if k == 0 or (k == n and (k <= MAX_SAT_CORE or not use_sat)):
        return result(known_lower, core, 0, f"the forced core has {k} of the {n} inputs (the bound needs "
                                            f"some, and other inputs to restrict)")
    if k > MAX_CORE:
        if not sat_core:
            return result(known_lower, core, 0, f"the forced core has {k} inputs: beyond the census ({MAX_CORE}), "
                                                "and SAT on its slices was not asked for (sat_core=False)")
        if not use_sat:
            return result(known_lower, core, 0, f"the forced core has {k} inputs: beyond the census ({MAX_CORE}), "
                                                "SAT bounds the slices only where every gate takes two inputs at one "
                                                "cost, with NOT free or every gate AND- or OR-like (aon)")
        # keep the MAX_SAT_CORE inputs of the core that tell most example pairs apart; the rest of the core
        # is read by every consistent formula too, so it is restricted in every support
        ones, zeros = set(words[y == 1].tolist()), words[y == 0].tolist()
        flips = {i: sum((w ^ (1 << i)) in ones for w in zeros) for i in core}     # pairs told apart by i alone
        keep = tuple(sorted(sorted(core, key=lambda i: (-flips[i], i))[:MAX_SAT_CORE]))
        return _sat_core_bound(X, y, keep, tuple(i for i in core if i not in keep), target, known_lower, b, bc,
                               bud, leaves_below, result)
    if k == n:
        return result(known_lower, core, 0, f"the forced core has all {n} inputs: none to restrict")
    costs = tuple(sorted(b.costs.items()))
    left = bud.remaining()
    if k == 4 and left is not None and left < 2 * CORE_CENSUS_WORK:
        return result(known_lower, core, 0, f"the census of a 4-input core may need {CORE_CENSUS_WORK} "
                                            f"units; {left} are left")
    cost_t, leaf_t, work = _core_tables(b.name, costs, k)
    if not _charge(bud, work):
        return result(known_lower, core, 0, "the budget ran out in the census of the core")
    tables = _partial_tables(b.name, costs, k) if k <= 3 and cost_t is not None else None
    big_tables = (cost_t, leaf_t) if k == 4 and cost_t is not None else None
    if tables is None and big_tables is None:
        return result(known_lower, core, 0, f"the formula census of {k} inputs in {b.name!r} is not exact "
                                            "within its budget")
    # the core alone may explain the examples: then its least formula is a consistent program, and the
    # bound need only reach its cost
    program = _core_program(X, y, core, _core_census(b.name, costs, k)[0], b)
    if program is not None and program.size < target:
        target = program.size
        if known_lower >= target:
            return result(known_lower, core, 0, "the known lower bound meets the core's least formula",
                          program)
        most = leaves_below(target)
    rest = [i for i in range(n) if i not in core]
    extra = max(0, min(most - k, len(rest)))
    count = sum(math.comb(len(rest), j) for j in range(extra + 1))
    if count > MAX_SUPPORTS:
        return result(known_lower, core, 0, f"{count} supports to examine (more than {MAX_SUPPORTS})", program)
    left = bud.remaining()
    if left is not None and count * len(y) > left:
        return result(known_lower, core, 0, f"{count} supports x {len(y)} examples is more work than the "
                                            f"{left} units left", program)
    pat = (X[:, list(core)].astype(np.int64) << np.arange(k)).sum(axis=1)
    cols = X.T.astype(np.int64)                      # (n, examples)
    cache: dict[tuple[int, int], tuple[int, int, bool]] = {}
    best = target
    examined = 0
    for j in range(extra + 1):
        combos = (np.array(list(itertools.combinations(rest, j)), dtype=np.int64) if j else
                  np.zeros((1, 0), dtype=np.int64))
        chunk = max(1, CHUNK_CELLS // (len(y) * max(j, 1)))
        for lo in range(0, len(combos), chunk):
            E = combos[lo:lo + chunk]
            if bud.exhausted() or not _charge(bud, len(E) * len(y)):
                return result(known_lower, core, examined, f"the budget ran out after {examined} of "
                                                            f"{count} supports", program)
            examined += len(E)
            bounds = _support_bounds(E, cols, pat, y, k, j, tables, big_tables, cache, bc, need_not)
            low = int(bounds.min())
            if low < best:
                best = low
                if best <= known_lower:
                    return result(known_lower, core, examined,
                                  f"a support of {k + j} inputs allows cost {low}: no better than known",
                                  program)
    return result(best, core, examined, f"every consistent formula cheaper than {target} reads the inputs "
                                        f"{list(core)}; restricting the other inputs of each of {examined} "
                                        f"supports gives at least {best}", program)


def _charge(bud: Budget, units: int) -> bool:
    """Charge work; False when the budget ran out (the bound then claims nothing new)."""
    try:
        bud.charge(units)
    except BudgetExceeded:
        return False
    return True


def _sat_ok(b: Basis) -> bool:
    try:
        sat_basis_check(b)
    except SynthError:
        return False
    return True


class _OutOfBudget(Exception):
    """The shared budget ran out inside a SAT call of `_sat_core_bound` (control flow only)."""


def _core_slices(X: np.ndarray, y: np.ndarray, core: tuple[int, ...], E: tuple[int, ...]
                 ) -> list[tuple[int, int]] | None:
    """The partial functions (mask, values) of the core, one per value of the inputs ``E`` among the
    examples, most rows first (ties: by value of ``E``); None when two examples that agree on the core and
    on ``E`` have different outputs (no formula reads exactly the core and ``E``). Masks are Python ints:
    a core of 6 inputs has 64 rows."""
    k, j = len(core), len(E)
    pat = (X[:, list(core)].astype(np.int64) << np.arange(k)).sum(axis=1)
    grp = (X[:, list(E)].astype(np.int64) << np.arange(j)).sum(axis=1) if j else np.zeros(len(y), np.int64)
    masks: dict[int, list[int]] = {}
    for g, t, v in zip(grp.tolist(), pat.tolist(), y.tolist()):
        mv = masks.setdefault(g, [0, 0])
        if (mv[0] >> t) & 1 and ((mv[1] >> t) & 1) != v:
            return None
        mv[0] |= 1 << t
        mv[1] |= v << t
    order = sorted(masks, key=lambda g: (-bin(masks[g][0]).count("1"), g))
    return [(masks[g][0], masks[g][1]) for g in order]


def _partial_spec(mask: int, vals: int, k: int) -> Spec:
    rows = [t for t in range(1 << k) if (mask >> t) & 1]
    Xs = np.array([[(t >> i) & 1 for i in range(k)] for t in rows], dtype=np.uint8)
    return Spec.from_examples(Xs, np.array([(vals >> t) & 1 for t in rows], dtype=np.uint8))


def _sat_core_bound(X: np.ndarray, y: np.ndarray, core: tuple[int, ...], forced: tuple[int, ...], target: int,
                    known_lower: int, b: Basis, bc: _Costs, bud: Budget, leaves_below, result) -> RestrictionBound:
    """`restriction_bound` for a core of MAX_CORE + 1 .. MAX_SAT_CORE inputs, where no census is exact:
    the least cost of each slice (a partial function of the core, at most 64 rows) is bounded by the SAT
    engine (`synth.sat.sat_minimum`, formulas), which on the core's few inputs and rows refutes sizes far
    faster than on the whole spec (the 6-input multiplexer among 8 inputs from 128 examples, xag: size 8
    refuted on the 62 core rows in about a minute, where the whole spec needs minutes for size 7).

    Only for bases whose gates all take two inputs and cost the same, with NOT free (xag, aig, full): a
    slice's least cost is then its least number of gates times that cost, and each input of ``E`` read
    adds a gate, so support ``T + E`` costs at least ``max_e cost(P_e) + c |E|``. (With a costed NOT or
    gates of three inputs the slices need refutations as hard as the whole spec's: measured on the
    majority and multiplexer cases, aon and mig bounds came out one lower than SAT on the whole spec at
    the same budget.) The bound rises one level at a time: level L is proven when every support has a
    slice whose bound reaches L, so a budget that runs out leaves the last level proven, never a guess.
    When the least formula of the whole core projection (``E = ()``) costs less than L, it is a
    consistent program, and its cost is the minimum. ``forced``: inputs of the forced core beyond the
    MAX_SAT_CORE kept in ``core`` (every consistent formula reads them too), restricted in every support:
    so a function of 8 essential inputs that is the multiplexer wherever two of them are 0 costs at
    least 9 + 2 in xag."""
    n = X.shape[1]
    k = len(core)
    full = tuple(sorted(core + forced))
    rest = [i for i in range(n) if i not in full]
    extra = max(0, min(leaves_below(target) - k - len(forced), len(rest)))
    supports = [tuple(sorted(forced + E)) for j in range(extra + 1) for E in itertools.combinations(rest, j)]
    if len(supports) > MAX_SAT_SUPPORTS:
        return result(known_lower, full, 0, f"{len(supports)} supports to examine with a SAT core (more than "
                                            f"{MAX_SAT_SUPPORTS})")
    if not _charge(bud, len(supports) * len(y)):
        return result(known_lower, full, 0, "the budget ran out before the supports were sliced")
    slices: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for E in supports:
        sl = _core_slices(X, y, core, E)
        if sl is not None:                            # else no consistent formula reads exactly T + E
            slices[E] = sl
    state: dict[tuple[int, int], list] = {}            # (mask, values) -> [lower, exact or None]
    programs: dict[tuple[int, int], Program] = {}
    limits: dict[tuple[int, int], dict] = {}          # per slice: its read limits (bounds with one input fixed)
    sessions: OrderedDict[tuple[int, int], SatSession] = OrderedDict()   # per slice, kept between levels

    def session(mk: int, vl: int) -> tuple[SatSession, int]:
        """The slice's SAT session and the clauses the other sessions hold; the oldest others are closed
        while they hold more than SESSION_CLAUSES (or half the budget's max_clauses), and the slice's
        search gets what they leave of max_clauses, so all of them together stay within it."""
        if (mk, vl) not in sessions:
            ps = _partial_spec(mk, vl, k)
            if (mk, vl) not in limits:
                limits[mk, vl] = read_limits(ps, b, "formula", budget=bud)
            sessions[mk, vl] = SatSession(ps, b, mode="formula", **limits[mk, vl])
        sessions.move_to_end((mk, vl))
        keep = min(SESSION_CLAUSES, bud.max_clauses // 2)
        others = sum(x.live_clauses for x in list(sessions.values())[:-1])
        while others > keep:                     # the current session is last: never closed here
            old = sessions.popitem(last=False)[1]
            others -= old.live_clauses
            old.close()
        return sessions[mk, vl], others

    def slice_bound(mk: int, vl: int, need: int) -> int:
        """A proven lower bound on the least cost of the slice, raised to ``need`` if it is that high (its
        exact least cost when lower)."""
        st = state.setdefault((mk, vl), [0, None])
        if st[1] is not None:
            return st[1]
        if st[0] >= need:
            return st[0]
        s, others = session(mk, vl)
        r = s.minimum(lower=st[0], upper=need, budget=bud.sub(max_clauses=max(1, bud.max_clauses - others)))
        if r.stopped is not None or not r.exact:
            st[0] = max(st[0], r.lower_bound)
            raise _OutOfBudget
        if r.program is not None:
            st[1] = r.min_size
            programs[mk, vl] = r.program
            return st[1]
        st[0] = need
        return need

    # every input of T + E is read: at least k + |E| leaves, so k + |E| - 1 gates
    value = {E: bc.cheapest * (k + len(E) - 1) for E in slices}

    def reaches(E: tuple[int, ...], L: int) -> bool:
        """Whether some slice of support E proves its bound at least L (False: every slice's least cost
        is known and the support allows cost value[E] < L)."""
        if value[E] >= L or k + len(E) > leaves_below(L):
            return True                               # too many inputs for a formula cheaper than L
        j = bc.cheapest * len(E)                      # the gates that read E
        for mk, vl in slices[E]:
            value[E] = max(value[E], slice_bound(mk, vl, L - j) + j)
            if value[E] >= L:
                return True
        return False

    level, stop = known_lower, None
    try:
        for L in range(known_lower + 1, target + 1):
            stop = next((E for E in slices if not reaches(E, L)), None)
            if stop is not None:
                break
            level = L
    except _OutOfBudget:
        return result(level, full, len(slices), f"every consistent formula cheaper than {target} reads the inputs "
                                                f"{list(core)}; SAT on the slices of the {len(slices)} supports "
                                                f"proved {level} before the budget ran out")
    finally:
        for x in sessions.values():
            x.close()
    if stop == ():                                    # the least formula over the core alone fits every example
        program = programs[slices[()][0]].embedded(n, list(core), basis=b)
        return result(level, full, len(slices), f"the least formula over the core inputs {list(core)} costs "
                                                f"{level}, and SAT on the slices of the {len(slices)} supports "
                                                f"proved every other cost at least that", program)
    if stop is not None:
        return result(level, full, len(slices), f"a support of the core {list(core)} and the inputs "
                                                f"{list(stop)} allows cost {level + 1}; SAT on the slices "
                                                f"proved {level}")
    return result(level, full, len(slices), f"every consistent formula cheaper than {target} reads the inputs "
                                            f"{list(core)}; SAT on the slices of each of {len(slices)} supports "
                                            f"gives at least {level}")


def _core_program(X: np.ndarray, y: np.ndarray, core: tuple[int, ...], cen, b: Basis) -> Program | None:
    """A least formula over the core inputs that fits every example (None when two examples that
    agree on the core have different outputs)."""
    k = len(core)
    pat = (X[:, list(core)].astype(np.int64) << np.arange(k)).sum(axis=1)
    ones, zeros = set(pat[y == 1].tolist()), set(pat[y == 0].tolist())
    if ones & zeros:
        return None
    mask = sum(1 << t for t in ones | zeros)
    vals = sum(1 << t for t in ones)
    funcs = np.arange(1 << (1 << k), dtype=np.int64)
    agree = np.flatnonzero(((funcs ^ vals) & mask) == 0)
    best = int(agree[np.argmin(cen.sizes[agree])])        # the first least one: deterministic
    return cen.program(best).embedded(X.shape[1], list(core), basis=b)


def _support_bounds(E: np.ndarray, cols: np.ndarray, pat: np.ndarray, y: np.ndarray, k: int, j: int,
                    tables, big_tables, cache: dict, bc: _Costs, need_not: bool) -> np.ndarray:
    """The bound of each support T + E (a row of ``E``); supports that do not tell two examples with
    different outputs apart get a large value (no consistent formula reads exactly them)."""
    rows, m = len(E), len(y)
    group = (cols[E] << np.arange(j, dtype=np.int64)[None, :, None]).sum(axis=1) if j else \
        np.zeros((rows, m), dtype=np.int64)
    shift = j + k + 1                                  # bits of one row's key: group, core pattern, output
    keys = (np.arange(rows, dtype=np.int64)[:, None] << shift) | (((group << k) | pat[None, :]) << 1) | y[None, :]
    u = np.sort(keys, axis=1).ravel()                  # rows stay in order (the row is the high bits)
    u = u[np.r_[True, u[1:] != u[:-1]]]                # np.unique's hashing is ~15x slower here
    row_of = u >> shift
    cells = u >> 1
    clash = np.zeros(rows, dtype=bool)
    clash[row_of[1:][cells[1:] == cells[:-1]]] = True          # one cell, both outputs
    gk = u >> (k + 1)                                          # (row, group), sorted
    first = np.flatnonzero(np.r_[True, gk[1:] != gk[:-1]])
    g = gk[first]
    bit = np.int64(1) << (cells & ((1 << k) - 1))
    mask = np.bitwise_or.reduceat(bit, first)
    vals = np.bitwise_or.reduceat(bit * (u & 1), first)
    cost, leaves, nonmono = _lookup(tables, big_tables, mask, vals, k, cache)
    starts = np.flatnonzero(np.r_[True, (g[1:] >> j) != (g[:-1] >> j)])   # every row has a group
    cost_r = np.maximum.reduceat(cost, starts)
    if leaves is None:
        leaves_r = np.full(rows, k, dtype=np.int64)
    else:
        leaves_r = np.maximum(np.maximum.reduceat(leaves, starts).astype(np.int64), k)   # T is read
    if need_not:
        nots = bc.not_cost
    else:
        nots = bc.not_cost * np.logical_or.reduceat(nonmono, starts) if bc.monotone else 0
    gates = -(-(leaves_r + j - 1) // (bc.arity - 1))
    bound = np.maximum(cost_r, bc.cheapest * gates + nots)
    return np.where(clash, np.iinfo(np.int32).max, bound)


def _lookup(tables, big_tables, mask: np.ndarray, vals: np.ndarray, k: int, cache: dict):
    """(least cost, least leaves or None, not monotone) of each partial function (mask, vals) of the
    core, per entry."""
    if tables is not None:
        cost_t, leaf_t, nonmono_t = tables
        idx = (mask << (1 << k)) | vals
        return cost_t[idx], (None if leaf_t is None else leaf_t[idx]), nonmono_t[idx]
    cost_f, leaf_f = big_tables
    funcs = np.arange(1 << (1 << k), dtype=np.int64)
    pairs, back = np.unique(np.stack([mask, vals], axis=1), axis=0, return_inverse=True)
    out = np.zeros((len(pairs), 3), dtype=np.int64)
    for q, (mk, vl) in enumerate(pairs.tolist()):
        got = cache.get((mk, vl))
        if got is None:
            agree = ((funcs ^ vl) & mk) == 0
            got = (int(cost_f[agree].min()), int(leaf_f[agree].min()) if leaf_f is not None else 0,
                   _partial_nonmonotone(mk, vl, k))
            cache[mk, vl] = got
        out[q] = got
    back = back.reshape(-1)
    return out[back, 0], (None if leaf_f is None else out[back, 1]), out[back, 2].astype(bool)


def _partial_nonmonotone(mask: int, vals: int, k: int) -> bool:
    m = 1 << k
    return any((mask >> u) & (mask >> v) & 1 and (vals >> u) & 1 and not (vals >> v) & 1
               for u in range(m) for v in range(m) if u != v and u & v == u)
