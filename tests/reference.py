"""A deliberately simple reference for minimum formula and circuit sizes, independent of synth's search.

Nothing here imports synth's enumeration, circuits or census code. From synth it reads only, per basis,
the gate names and their costs (``synth.dsl.BASES[name].costs``) and, per gate, its truth table and
arity (``synth.dsl.GATES[name].table`` / ``.arity``); `test_synth_reference` checks those tables against
hand-written definitions, so the semantics here do not silently inherit a bug.

Truth tables: an int whose bit t is f(x) with x_i = (t >> i) & 1 (n = 3: x0 = 0xaa, x1 = 0xcc, x2 = 0xf0).
Leaves (inputs and the constants 0 and 1) cost 0. When ``not`` costs 0 in the basis, negation is free:
every level is closed under complement.

- `ref_formula_sizes(n, basis)`: minimum FORMULA (tree) cost of every function, by dynamic programming
  over cost: ``S[c]`` is the set of functions whose cheapest formula costs c; a formula of cost c is a
  gate of cost g applied to formulas whose costs add up to c - g, and sub-formulas of a tree are
  independent, so combining cheapest operands is exact. Plain Python loops over sets of ints.
- `ref_circuit_sizes(n, basis)`: minimum CIRCUIT cost (gates may be shared) by brute force. A circuit's
  *state* is the set of functions its gates compute. A minimal circuit never computes a leaf, nor the
  same function twice (nor, with free negation, a function and its complement), so a circuit of k unit-cost
  gates is a set of k distinct functions that can be ordered so that each is a gate applied to leaves and
  earlier members. Level k holds every such set (breadth-first, duplicates removed), and the minimum cost of
  f is the first level at which f is a member. That is the whole algorithm; numpy only does the bulk set
  arithmetic (level 7 of `aon` at n = 3 has 1.3 million sets: ~10 s). One exact shortcut: with free
  negation, gates that differ only by negated inputs/output (AND, NOR, and-not, ...) give the same sets,
  so one of each is tried. Unit gate costs only; a basis without free negation whose circuits need many
  gates (e.g. NAND alone at n = 3) takes minutes.
"""

from __future__ import annotations

import itertools

import numpy as np

from synth.dsl import BASES, GATES

__all__ = ["input_table", "gate_value", "ref_formula_sizes", "ref_circuit_sizes", "basis_gates",
           "NAMED_BASES"]

NAMED_BASES = ("full", "aig", "xag", "aon", "aoxn", "mig", "mux")

_FORMULA_CACHE: dict[tuple, dict[int, int]] = {}    # keyed by (n, sorted gate costs)
_CIRCUIT_CACHE: dict[tuple, dict[int, int]] = {}


def input_table(i: int, n: int) -> int:
    """Truth table of input x_i over n inputs (n = 3: 0xaa, 0xcc, 0xf0)."""
    return sum(1 << t for t in range(1 << n) if (t >> i) & 1)


def gate_value(table: int, arity: int, args, full: int):
    """Apply a gate given by its truth table (argument i is variable i) to operand tables, as a sum of
    minterms. Works on Python ints and, elementwise, on numpy int arrays."""
    out = args[0] & 0
    for t in range(1 << arity):
        if (table >> t) & 1:
            term = full
            for i, a in enumerate(args):
                term = term & (a if (t >> i) & 1 else ~a)
            out = out | term
    return out & full


def _costs(basis) -> dict[str, int]:
    """Gate name -> cost, for a named basis or any object with a ``costs`` mapping (a user basis)."""
    return dict(BASES[basis].costs if isinstance(basis, str) else basis.costs)


def _key(n: int, basis) -> tuple:
    return (n, tuple(sorted(_costs(basis).items())))


def basis_gates(basis) -> tuple[list[tuple[str, int, int, int]], bool]:
    """The gates of a basis that cost something, as (name, arity, table, cost), and whether NOT is free."""
    costs = _costs(basis)
    free_not = costs.get("not") == 0
    gates = []
    for name, cost in costs.items():
        if name == "not" and cost == 0:
            continue
        if cost <= 0:
            raise ValueError(f"reference: only 'not' may cost 0 ({basis}: {name} costs {cost})")
        gates.append((name, GATES[name].arity, GATES[name].table, cost))
    return gates, free_not


def _leaves(n: int, free_not: bool) -> set[int]:
    full = (1 << (1 << n)) - 1
    leaves = {input_table(i, n) for i in range(n)} | {0, full}
    if free_not:
        leaves |= {f ^ full for f in leaves}
    return leaves


# ------------------------------------------------------------------------------------------------
# formulas
# ------------------------------------------------------------------------------------------------

def _compositions(total: int, parts: int):
    """Ordered tuples of `parts` ints >= 0 adding up to `total`."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


def ref_formula_sizes(n: int, basis) -> dict[int, int]:
    """Minimum formula cost of every function of n inputs in a basis (a name or a user `Basis`)."""
    key = _key(n, basis)
    if key in _FORMULA_CACHE:
        return _FORMULA_CACHE[key]
    full = (1 << (1 << n)) - 1
    n_funcs = 1 << (1 << n)
    gates, free_not = basis_gates(basis)
    best: dict[int, int] = {}
    levels: list[list[int]] = []          # levels[c] = functions whose cheapest formula costs c
    level0 = _leaves(n, free_not)
    for f in level0:
        best[f] = 0
    levels.append(sorted(level0))
    c = 0
    while len(best) < n_funcs:
        c += 1
        if c > 64:
            raise RuntimeError(f"reference formula DP for {basis}, n={n}: not every function reached")
        new: set[int] = set()
        for name, arity, table, cost in gates:
            if cost > c:
                continue
            for parts in _compositions(c - cost, arity):
                if any(p >= len(levels) for p in parts):
                    continue
                for args in itertools.product(*(levels[p] for p in parts)):
                    f = gate_value(table, arity, args, full)
                    if f not in best:
                        new.add(f)
        if free_not:
            new |= {f ^ full for f in new if f ^ full not in best}
        for f in new:
            best[f] = c
        levels.append(sorted(new))
    _FORMULA_CACHE[key] = best
    return best


# ------------------------------------------------------------------------------------------------
# circuits
# ------------------------------------------------------------------------------------------------

def _is_symmetric(table: int, arity: int) -> bool:
    """True when the gate's value does not depend on the order of its arguments."""
    for t in range(1 << arity):
        for perm in itertools.permutations(range(arity)):
            u = sum(((t >> perm[i]) & 1) << i for i in range(arity))
            if ((table >> t) & 1) != ((table >> u) & 1):
                return False
    return True


def _distinct_gates(gates, free_not: bool):
    """With free negation and complement-closed operands, gates that differ only by negated inputs or
    output yield the same canonical values: keep one of each such class (e.g. `aig` keeps only AND)."""
    if not free_not:
        return gates
    kept, seen = [], set()
    for name, arity, table, cost in gates:
        full = (1 << (1 << arity)) - 1
        variants = set()
        for neg in range(1 << arity):
            t = sum(((table >> (u ^ neg)) & 1) << u for u in range(1 << arity))
            variants |= {(arity, t), (arity, t ^ full)}
        if (arity, table) not in seen:
            kept.append((name, arity, table, cost))
            seen |= variants
    return kept


def ref_circuit_sizes(n: int, basis, *, chunk: int = 4096) -> dict[int, int]:
    """Minimum circuit cost (shared gates) of every function of n <= 3 inputs: {table: cost}.

    Breadth-first over the sets of functions a circuit computes (see the module docstring). Every gate
    of the basis must cost 1 (negation may be free), as in all named bases.
    """
    key = _key(n, basis)
    if key in _CIRCUIT_CACHE:
        return _CIRCUIT_CACHE[key]
    if n > 3:
        raise ValueError("the reference circuit search is for n <= 3")
    full = (1 << (1 << n)) - 1
    n_funcs = 1 << (1 << n)
    gates, free_not = basis_gates(basis)
    if any(cost != 1 for *_, cost in gates):
        raise ValueError("the reference circuit search handles unit gate costs only")

    def canon(f):                            # with free negation, f and NOT f are one function
        return np.minimum(f, f ^ full) if free_not else f

    leaves = np.array(sorted(_leaves(n, free_not)), dtype=np.int16)
    is_leaf = np.zeros(n_funcs, dtype=bool)
    is_leaf[canon(leaves)] = True
    best: dict[int, int] = {int(f): 0 for f in leaves}
    bits = (n_funcs - 1).bit_length()

    def first_of_each(rows: np.ndarray) -> np.ndarray:
        """Index of the first occurrence of each distinct row of sorted members (a set of functions)."""
        if rows.shape[1] * bits <= 63:            # pack the sorted members into one int
            packed = np.zeros(len(rows), dtype=np.int64)
            for j in range(rows.shape[1]):
                packed |= rows[:, j].astype(np.int64) << (bits * j)
            return np.unique(packed, return_index=True)[1]
        return np.unique(rows, axis=0, return_index=True)[1]

    # level 0: one state, the empty set of gate functions
    cols = np.zeros((1, 0), dtype=np.int16)   # one row per state: its members, sorted (canonical values)
    k = 0
    while len(best) < n_funcs:
        k += 1
        if k > 12:
            raise RuntimeError(f"reference circuit search for {basis}, n={n}: beyond 12 gates")
        m = len(leaves) + cols.shape[1] * (2 if free_not else 1)   # operands available in a state
        combos = []
        for name, arity, table, _ in _distinct_gates(gates, free_not):
            if _is_symmetric(table, arity):
                tuples = itertools.combinations_with_replacement(range(m), arity)
            else:
                tuples = itertools.product(range(m), repeat=arity)
            idx = np.array(list(tuples), dtype=np.int64).reshape(-1, arity)
            combos.append((table, arity, idx))

        def candidates(lo: int, hi: int):
            """Canonical values of every one-gate extension of states lo..hi, and which are new
            (neither a leaf nor already a member of the state)."""
            c = cols[lo:hi]
            parts = [np.broadcast_to(leaves, (hi - lo, len(leaves))), c]
            if free_not:
                parts.append(c ^ full)
            avail = np.concatenate(parts, axis=1)
            vals = np.concatenate([gate_value(table, arity, [avail[:, idx[:, i]] for i in range(arity)],
                                              full) for table, arity, idx in combos], axis=1)
            vals = canon(vals)
            member = np.zeros((hi - lo, n_funcs), dtype=bool)
            member[np.arange(hi - lo)[:, None], c] = True
            member = member[np.arange(hi - lo)[:, None], vals]
            return vals, ~is_leaf[vals] & ~member

        # pass 1: functions first reached with k gates
        reached = np.zeros(n_funcs, dtype=bool)
        for lo in range(0, len(cols), chunk):
            vals, ok = candidates(lo, min(lo + chunk, len(cols)))
            reached[vals[ok]] = True
        for f in np.nonzero(reached)[0].tolist():
            best.setdefault(f, k)
            if free_not:
                best.setdefault(f ^ full, k)
        if len(best) == n_funcs:
            break
        # pass 2: the states of k gates (sets of k functions), duplicates removed
        rows_k = []
        for lo in range(0, len(cols), chunk):
            hi = min(lo + chunk, len(cols))
            vals, ok = candidates(lo, hi)
            r, w = np.nonzero(ok)
            v = vals[r, w]
            nc = np.sort(np.concatenate([cols[lo:hi][r], v[:, None]], axis=1), axis=1)
            rows_k.append(nc[first_of_each(nc)])
        rows_all = np.concatenate(rows_k)
        keep = first_of_each(rows_all)
        cols = rows_all[keep]
    _CIRCUIT_CACHE[key] = best
    return best


def tiny_case(name: str) -> str:
    """The TOML of a case that runs in a second or two (and of 2 of 3 inputs, one seed, xag only): the
    shared fixture of the CLI, run-folder and replay tests."""
    return f'''
[case]
name = "{name}"
[task]
target = "and"
params = {{ n = 3, k = 2 }}
train_fraction = 0.75
[net]
widths = [4]
[train]
lr = 0.05
loss = "hinge"
epochs = 200
cleanup_epochs = 50
eval_every = 20
[synth]
bases = ["xag"]
[run]
seeds = 1
'''


# a two-seed parity case of 4 inputs that runs in seconds: the study and sweep tests
TINY_PARITY = """
[case]
name = "tiny_parity"
title = "Tiny parity"
claim = "A small MLP computes XOR of 2 of 4 inputs."
expect = "Full agreement."
[task]
target = "parity"
params = { n = 4, k = 2 }
train_fraction = 0.75
[net]
widths = [8]
[train]
optimizer = "adamw"
lr = 0.05
loss = "hinge"
weight_decay = 0.01
epochs = 400
cleanup_epochs = 100
eval_every = 20
[extract]
budget = 5e6
[synth]
bases = ["xag", "aon"]
budget = 5e6
function_budget = 2e6
[run]
seeds = 2
ged_timeout = 5
"""
