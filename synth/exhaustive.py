"""`synth.census` (this module is `synth.exhaustive`): the minimum size of every Boolean function of n inputs, in a basis and a mode.

Formula mode enumerates formulas level by level on the full truth table (`synth.enumerate`) until every
function has been seen; circuit mode reads the persistent circuit census of `synth.census_store`
(shipped for the named bases, else built by `synth.circuits` and SAT, and cached; n <= 4). Both are exact when ``exact`` is True.

>>> c = census(3, "xag", "formula")
>>> c.exact, c.histogram()[0], sum(c.histogram().values())
(True, 8, 256)
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .budget import VALVE_NOTE, Budget, BudgetExceeded, as_budget
from .census_store import circuit_census, shipped_formula_sizes
from .circuits import npn_classes
from .dsl import Basis, Program, get_basis
from .enumerate import Enumerator
from .errors import SynthError
from .sat import Symmetry, sat_search
from .semantics import input_words
from .simplify import simplify_negations
from .spec import Spec

__all__ = ["Census", "census"]

PROGRAM_SAT_WORK = 200_000_000     # SAT work (200k conflicts) for one program of a shipped formula census

MAX_CENSUS_INPUTS = {"formula": 5, "circuit": 4}
TARGETED_REMAINING = 512  # search the last functions one by one when at most this many are left


def _targeted_cost(en: Enumerator, size: int) -> float:
    """Rough work of one targeted search at ``size``: operand filters for 2-input operations (linear in
    the level sizes), operand pairs for 3-input ones."""
    total = 0.0
    for op in en.ops:
        if op.cost > size:
            continue
        for split in en._splits(op, size - op.cost):
            sizes = [len(en.levels[s]) for s in split]
            total += sizes[0] * sizes[1] if op.arity == 3 else sum(sizes)
    return total


def _next_level_cost(en: Enumerator, size: int) -> float:
    """Candidates the full level ``size`` would evaluate (product of operand level sizes)."""
    total = 0.0
    for op in en.ops:
        if op.cost > size:
            continue
        for split in en._splits(op, size - op.cost):
            prod = 1.0
            for s in split:
                prod *= len(en.levels[s])
            total += prod
    return total


@dataclass
class Census:
    """Minimum size per function: ``sizes[t]`` for truth table t (-1 where the search did not reach).
    ``budget``: the work used and the limit that fired (`synth.budget.Budget.as_dict`); ``seconds`` is a
    measurement only."""

    n_inputs: int
    basis: str
    mode: str
    sizes: np.ndarray
    exact: bool
    seconds: float
    candidates: int = 0
    notes: list[str] = field(default_factory=list)
    budget: dict = field(default_factory=dict)
    _program: Callable[[int], Program] | None = field(default=None, repr=False)

    def histogram(self) -> dict[int, int]:
        """Number of functions of each minimum size (functions not reached are left out)."""
        vals, counts = np.unique(self.sizes[self.sizes >= 0], return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, counts)}

    def npn_histogram(self) -> dict[int, int]:
        """Number of NPN classes of each minimum size (P classes where negation is not free: then the
        classes are those of input permutations only, since negations cost)."""
        b = get_basis(self.basis)
        classes = npn_classes(self.n_inputs) if b.free_not else p_classes(self.n_inputs)
        reps, first = np.unique(classes, return_index=True)
        sz = self.sizes[first]
        vals, counts = np.unique(sz[sz >= 0], return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, counts)}

    def size(self, table: int) -> int:
        """Minimum size of one function."""
        if not 0 <= table < len(self.sizes):
            raise SynthError(f"table {table:#x} is not a function of {self.n_inputs} inputs")
        return int(self.sizes[table])

    def program(self, table: int) -> Program:
        """A minimum program for one function."""
        if self._program is None:
            raise SynthError("this census holds sizes only")
        return self._program(table)

    def as_dict(self) -> dict:
        return {"n_inputs": self.n_inputs, "basis": self.basis, "mode": self.mode, "exact": self.exact,
                "seconds": round(self.seconds, 4), "candidates": self.candidates, "budget": self.budget,
                "histogram": self.histogram(), "npn_histogram": self.npn_histogram()
                if self.n_inputs <= 4 else None, "notes": self.notes}


def p_classes(n: int) -> np.ndarray:
    """Smallest table among the input permutations of each function of n <= 4 inputs (P classes)."""
    m = 1 << n
    tables = np.arange(1 << m, dtype=np.int64)
    bits = (tables[:, None] >> np.arange(m)) & 1
    best = tables.copy()
    for perm in itertools.permutations(range(n)):
        # point t of the permuted function reads point u of the original, u_i = t_{perm[i]}
        src = np.array([sum(((t >> perm[i]) & 1) << i for i in range(n)) for t in range(m)])
        permuted = (bits[:, src] << np.arange(m)).sum(axis=1)
        best = np.minimum(best, permuted)
    return best


def census(n_inputs: int, basis: str | Basis = "full", mode: str = "formula", *,
           budget: Budget | int | None = None, budget_s: float | None = None,
           progress: Callable[[str], None] | None = None, shipped: bool = True) -> Census:
    """Minimum size of every function of ``n_inputs`` inputs (exact for n <= 4 in both modes).

    ``budget``: work units (or a `synth.budget.Budget`; None: no limit); ``budget_s``: an optional
    wall-clock safety valve (when it fires, a note says the census depends on machine speed).
    ``shipped``: in formula mode, read the package's census file where there is one (aig, aon, mig and
    mux at 4 inputs take 3e9 to 3e10 work units to enumerate), its programs found by the SAT engine at
    their known size; False enumerates."""
    b = get_basis(basis)
    if b.domain != "bool":
        raise SynthError(f"census is for Boolean bases; {b.name!r} is {b.domain}")
    if mode not in MAX_CENSUS_INPUTS:
        raise SynthError(f"mode must be 'formula' or 'circuit', got {mode!r}")
    if not isinstance(n_inputs, int) or n_inputs < 1 or n_inputs > MAX_CENSUS_INPUTS[mode]:
        raise SynthError(f"census in {mode} mode takes 1 <= n_inputs <= {MAX_CENSUS_INPUTS[mode]}, "
                         f"got {n_inputs!r}")
    bud = as_budget(budget, budget_s)
    t0 = time.perf_counter()
    if mode == "circuit":
        table = circuit_census(b, n_inputs, budget=bud, progress=progress)    # shipped, cached or built

        def prog(t: int) -> Program:
            nodes, out = table.witness(t)
            return simplify_negations(Program(n_inputs, nodes, out, basis=b))
        c = Census(n_inputs, b.name, mode, table.sizes.astype(np.int16), bool(table.exact),
                   time.perf_counter() - t0, candidates=int(bud.candidates),
                   notes=[table.note] if table.note else [], _program=prog)
    elif shipped and (stored := shipped_formula_sizes(b, n_inputs)) is not None:
        enumerated: list[Census] = []

        def least(t: int) -> Program:
            # the file holds sizes: a least formula comes from the SAT engine at its known size (one
            # instance per step count: a formula of 15 gates has thousands of tree shapes), or, when that
            # takes more than PROGRAM_SAT_WORK, from the enumerated census (seconds, gigabytes)
            if not 0 <= t < len(stored):
                raise SynthError(f"table {t:#x} is not a function of {n_inputs} inputs")
            out = sat_search(Spec.from_table(int(t), n_inputs), b, int(stored[t]), mode="formula",
                             symmetry=Symmetry(shapes=False), budget=PROGRAM_SAT_WORK)
            if out.status == "sat":
                return simplify_negations(out.program)
            if out.status == "unknown":
                if not enumerated:
                    enumerated.append(_formula_census(n_inputs, b, as_budget(None), None, time.perf_counter()))
                prog = enumerated[0].program(int(t))
                if prog.size == stored[t]:
                    return prog
            raise SynthError(f"the shipped formula census says {t:#x} costs {stored[t]} in {b.name!r}, but "
                             f"no formula of that cost was found: the file is wrong")
        c = Census(n_inputs, b.name, mode, stored.astype(np.int16), True, time.perf_counter() - t0,
                   notes=["read from the shipped formula census"], _program=least)
    else:
        c = _formula_census(n_inputs, b, bud, progress, t0)
    c.budget = bud.as_dict()
    if not bud.deterministic:
        c.notes.append(VALVE_NOTE)
    return c


def _formula_census(n: int, b: Basis, budget: Budget, progress, t0) -> Census:
    m = 1 << n
    total = 1 << m
    if total > 1 << 32:
        raise SynthError(f"a formula census of {n} inputs has 2^{m} functions: too many")
    en = Enumerator(input_words(n), m, b, budget=budget, progress=progress)
    en.stop_when_seen = total // 2 if en.free_not else total
    sizes = np.full(total, -1, dtype=np.int16)
    where: dict[int, tuple[int, int]] = {}
    recipes: dict[int, tuple[tuple, np.ndarray]] = {}   # functions found by targeted search
    exact = True
    notes = []
    s = 0
    all_pts = en.valid.copy()
    try:
        while True:
            remaining = np.flatnonzero(sizes < 0)
            if en.free_not:
                remaining = remaining[(remaining & 1) == 0]
            if s > 0 and 0 < len(remaining) <= TARGETED_REMAINING and \
                    len(remaining) * _targeted_cost(en, s) < _next_level_cost(en, s):
                # few functions left and the next level is expensive: search for each one directly
                # (meet in the middle on the last gate) instead of building the level
                for t in remaining:
                    y = np.array([t], dtype=np.uint64)
                    hits = en.consistent_at(s, y, all_pts, limit=1)
                    if hits:
                        sig, rec = hits[0]
                        sizes[t] = s
                        if en.free_not:
                            sizes[t ^ (total - 1)] = s
                        recipes[int(t)] = (rec, sig)
                if (sizes >= 0).all():
                    break
                # not everything was found at this size: the level is needed after all
            lv = en.build_level(s)
            t = lv.sigs[:, 0].astype(np.int64)
            new = sizes[t] < 0
            sizes[t[new]] = s
            if en.free_not:
                comp = t ^ (total - 1)
                sizes[comp[sizes[comp] < 0]] = s
            if (sizes >= 0).all():
                break
            if s > 64:
                raise SynthError(f"census did not finish by size {s}: is every function reachable in "
                                 f"basis {b.name!r}?")
            s += 1
    except BudgetExceeded as e:
        exact = False
        notes.append(f"stopped: {e}; sizes up to {len(en.levels) - 1} are complete")

    def prog(table: int) -> Program:
        s = int(sizes[table])
        if s < 0:
            raise SynthError(f"function {table:#x} was not reached by the census")
        key = table
        neg = False
        if en.free_not and table & 1:
            key, neg = table ^ (total - 1), True
        if key not in where and key not in recipes:
            lv = en.levels[s]
            idx = np.nonzero(lv.sigs[:, 0] == np.uint64(key))[0]
            where[key] = (s, int(idx[0]))
        if key in recipes:
            rec, sig = recipes[key]
            flip = bool(int(sig[0]) != key)
            return simplify_negations(en.program_from_recipe(rec, sig, negate=flip ^ neg))
        s_, i = where[key]
        return simplify_negations(en.program(s_, i, negate=neg))
    return Census(n, b.name, "formula", sizes, exact, time.perf_counter() - t0, int(en.candidates), notes,
                  _program=prog)
