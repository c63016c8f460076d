"""Tests of synth.circuits: exact minimum circuits and NPN canonical forms.

The oracle is a deliberately simple breadth-first search over sets of computed functions (Python ints,
frozensets), closed under the basis' cost-0 gates, with no normalisation and no negation tricks; the
only shortcut is that sets are identified up to input permutations (which map circuits to circuits of
the same cost in every basis).

pyproject.toml (owned elsewhere) should register the marker:
    [tool.pytest.ini_options]
    markers = ["slow: long tests"]
Run: python -m pytest tests/test_circuits.py -q -m "not slow"   (and -m slow for the long ones)
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from synth.circuits import (
    Transform,
    exact_circuits,
    npn_canonical,
    npn_classes,
    npn_histogram,
    npn_transforms,
)
from synth.dsl import BASES, GATES, define_basis, get_basis
from synth.errors import SynthError

NAMED = ["full", "aig", "xag", "aon", "aoxn", "mig", "mux"]


# ------------------------------------------------------------------------------------------------
# independent helpers
# ------------------------------------------------------------------------------------------------


def inputs(n: int) -> list[int]:
    return [sum(1 << t for t in range(1 << n) if (t >> i) & 1) for i in range(n)]


def gate_eval(table: int, args: list[int], mask: int) -> int:
    """Bit-parallel evaluation of a gate given by its truth table (arg i = variable i)."""
    out = 0
    for bit in range(mask.bit_length()):
        idx = 0
        for i, a in enumerate(args):
            idx |= ((a >> bit) & 1) << i
        out |= ((table >> idx) & 1) << bit
    return out


def run_circuit(nodes, output: int, n: int) -> int:
    """Our own evaluator for the (nodes, output) form."""
    mask = (1 << (1 << n)) - 1
    vals = inputs(n)
    for name, args in nodes:
        assert all(0 <= a < len(vals) for a in args), "argument refers forward"
        if name == "0":
            vals.append(0)
        elif name == "1":
            vals.append(mask)
        else:
            assert len(args) == GATES[name].arity
            vals.append(gate_eval(GATES[name].table, [vals[a] for a in args], mask))
    return vals[output]


def cost_of(nodes, basis) -> int:
    return sum(basis.costs[name] for name, _ in nodes if name not in ("0", "1"))


def permute_inputs(f: int, n: int, perm) -> int:
    out = 0
    for t in range(1 << n):
        u = 0
        for i in range(n):
            u |= ((t >> perm[i]) & 1) << i
        out |= ((f >> u) & 1) << t
    return out


def int_gate(table: int, arity: int, mask: int):
    """The gate as a function on bit-parallel ints (OR of its minterms)."""
    minterms = [t for t in range(1 << arity) if (table >> t) & 1]

    def g(*args: int) -> int:
        out = 0
        for t in minterms:
            term = mask
            for i, a in enumerate(args):
                term &= a if (t >> i) & 1 else ~a & mask
            out |= term
        return out

    return g


def brute_force(n: int, basis, max_cost: int | None = None) -> dict[int, int]:
    """Minimum circuit cost of every function reachable with cost <= max_cost (all when None).

    Breadth-first over sets of functions (cost of the set = cost of the gates that made it); a set is
    expanded by one gate on any arguments drawn from the set; cost-0 gates are applied to closure.
    Per level: first every output is recorded, and only if some function is still missing are the
    next level's sets built.
    """
    mask = (1 << (1 << n)) - 1
    gates = [(int_gate(GATES[g].table, GATES[g].arity, mask), GATES[g].arity, c) for g, c in basis.costs.items()]
    free = [(g, r) for g, r, c in gates if c == 0]
    paid = [(g, r, c) for g, r, c in gates if c > 0]
    perms = list(itertools.permutations(range(n)))
    pcache: dict = {}

    def perm_images(f):
        if f not in pcache:
            pcache[f] = [permute_inputs(f, n, p) for p in perms]
        return pcache[f]

    def close(s: set) -> frozenset:
        changed = bool(free)
        while changed:
            changed = False
            for g, r in free:
                for args in itertools.product(list(s), repeat=r):
                    f = g(*args)
                    if f not in s:
                        s.add(f)
                        changed = True
        return frozenset(s)

    def canon(s: frozenset) -> tuple:
        imgs = [perm_images(f) for f in s]
        return min(tuple(sorted(im[j] for im in imgs)) for j in range(len(perms)))

    def outputs(s: frozenset, g, r):
        return {g(*args) for args in itertools.product(list(s), repeat=r)} - s

    start = close(set(inputs(n)) | {0, mask})
    size = {f: 0 for f in start}
    levels = {0: [start]}
    total = 1 << (1 << n)
    top = max(c for _, _, c in paid)
    c = 0
    while len(size) < total:
        c += 1
        if (max_cost is not None and c > max_cost) or not any(levels.get(c - d) for d in range(top + 1)):
            break
        for g, r, gc in paid:  # outputs of level c
            for s in levels.get(c - gc, []):
                for f in outputs(s, g, r):
                    for h in close(set(s) | {f}) - s:
                        for img in perm_images(h):
                            size.setdefault(img, c)
        if len(size) == total or (max_cost is not None and c == max_cost):
            break
        seen = set()
        cur = []
        for g, r, gc in paid:  # sets of level c
            for s in levels.get(c - gc, []):
                for f in outputs(s, g, r):
                    new = close(set(s) | {f})
                    key = canon(new)
                    if key not in seen:
                        seen.add(key)
                        cur.append(new)
        levels[c] = cur
    return size


# ------------------------------------------------------------------------------------------------
# agreement with the oracle
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", NAMED)
def test_n2_every_function_every_basis(basis):
    ct = exact_circuits(2, basis)
    ref = brute_force(2, BASES[basis])
    assert ct.exact
    for f in range(16):
        assert ct.sizes[f] == ref.get(f, -1), (basis, f)


# aon and aig reach cost 8 / 6 at n = 3; the oracle is only fast up to a bound there (rest: slow test)
FAST_BOUND = {"aon": 5, "aig": 4}


@pytest.mark.parametrize("basis", NAMED)
def test_n3_every_function_every_basis(basis):
    ct = exact_circuits(3, basis)
    bound = FAST_BOUND.get(basis)
    ref = brute_force(3, BASES[basis], bound)
    assert ct.exact
    for f in range(256):
        if f in ref:
            assert ct.sizes[f] == ref[f], (basis, f)
        else:  # the oracle proved cost > bound; the witness test proves the upper bound
            assert bound is not None and ct.sizes[f] > bound, (basis, f)


@pytest.mark.slow
@pytest.mark.parametrize("basis", sorted(FAST_BOUND))
def test_n3_unbounded_oracle(basis):
    ct = exact_circuits(3, basis)
    ref = brute_force(3, BASES[basis])
    assert all(ct.sizes[f] == ref[f] for f in range(256))


@pytest.mark.parametrize("basis", NAMED)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_witnesses_every_function(n, basis):
    ct = exact_circuits(n, basis)
    b = BASES[basis]
    for f in range(1 << (1 << n)):
        nodes, out = ct.witness(f)
        assert run_circuit(nodes, out, n) == f
        assert cost_of(nodes, b) == ct.sizes[f]
        for name, _ in nodes:
            assert name in ("0", "1") or name in b.costs


def test_witnesses_sample_n4_full():
    ct = exact_circuits(4, "full")
    rng = random.Random(1)
    sample = rng.sample(range(1 << 16), 300) + [0x6996, 0xffff, 0, 0xaaaa, 0x5555]
    sample += [f for f in range(1 << 16) if ct.sizes[f] == 7][:50]
    for f in sample:
        nodes, out = ct.witness(f)
        assert run_circuit(nodes, out, 4) == f
        assert cost_of(nodes, BASES["full"]) == ct.sizes[f]


def test_knuth_census_n4_full():
    ct = exact_circuits(4, "full")
    assert ct.exact
    counts = np.bincount(ct.sizes, minlength=8).tolist()
    assert counts == [10, 60, 456, 2474, 10624, 24184, 25008, 2720]
    assert npn_histogram(ct) == {0: 2, 1: 2, 2: 5, 3: 20, 4: 34, 5: 75, 6: 72, 7: 12}
    assert ct.sizes[0x6996] == 3 and ct.sizes[0xe8e8 & 0xffff] >= 0


def test_known_small_values():
    assert exact_circuits(2, "aig").sizes[0b0110] == 3  # xor needs three ANDs
    assert exact_circuits(2, "aon").sizes[0b0110] == 4  # and(or(a,b), not(and(a,b)))
    assert exact_circuits(3, "full").sizes[0xe8] == 4  # majority of three: 4 gates
    assert exact_circuits(3, "mig").sizes[0xe8] == 1
    assert exact_circuits(3, "mux").sizes[0xca] == 1


# ------------------------------------------------------------------------------------------------
# NPN
# ------------------------------------------------------------------------------------------------


def test_npn_class_counts():
    assert len(set(npn_classes(1).tolist())) == 2
    assert len(set(npn_classes(2).tolist())) == 4
    assert len(set(npn_classes(3).tolist())) == 14
    assert len(set(npn_classes(4).tolist())) == 222


def test_npn_transforms_shape():
    assert npn_transforms(3).shape == (2 * 6 * 8, 5)
    assert npn_transforms(4).shape == (2 * 24 * 16, 6)


def all_images(f: int, n: int) -> set[int]:
    rows = npn_transforms(n)
    return {Transform(tuple(int(v) for v in r[:n]), int(r[n]), bool(r[n + 1])).apply(f, n) for r in rows}


@pytest.mark.parametrize("n", [2, 3])
def test_npn_canonical_is_min_and_maps_back(n):
    for f in range(1 << (1 << n)):
        rep, tr = npn_canonical(f, n)
        assert rep == min(all_images(f, n))
        assert tr.apply(rep, n) == f


def test_npn_canonical_n4_sample_and_n5():
    rng = random.Random(7)
    for f in rng.sample(range(1 << 16), 20):
        rep, tr = npn_canonical(f, 4)
        assert tr.apply(rep, 4) == f and rep <= f
        assert npn_canonical(rep, 4)[0] == rep
    f = rng.getrandbits(32)
    rep, tr = npn_canonical(f, 5)
    assert tr.apply(rep, 5) == f and rep <= f


# ------------------------------------------------------------------------------------------------
# user bases, budgets, errors
# ------------------------------------------------------------------------------------------------


def test_user_basis_nand_only():
    b = define_basis("nand_only_test", {"nand": 1})
    ct = exact_circuits(2, b)
    ref = brute_force(2, b)
    assert ct.exact and all(ct.sizes[f] == ref[f] for f in range(16))
    assert ct.sizes[0b0101] == 1  # not x0 = nand(x0, x0)
    for f in range(16):
        nodes, out = ct.witness(f)
        assert run_circuit(nodes, out, 2) == f and cost_of(nodes, b) == ct.sizes[f]


def test_user_basis_mixed_costs():
    b = define_basis("mixed_test", {"and": 1, "xor": 2, "not": 0})
    ct = exact_circuits(3, b)
    ref = brute_force(3, b)
    assert ct.exact and all(ct.sizes[f] == ref[f] for f in range(256))


def test_user_basis_monotone_not_computable():
    b = define_basis("mono_test", {"and": 1, "or": 1})
    ct = exact_circuits(2, b)
    assert ct.exact
    assert ct.sizes[0b0110] == -1 and ct.sizes[0b1000] == 1
    with pytest.raises(SynthError):
        ct.witness(0b0110)


def test_budget_gives_inexact_result():
    ct = exact_circuits(4, "aon", budget=4_000_000)
    assert not ct.exact and ct.work >= 4_000_000
    known = ct.sizes >= 0
    assert known.any() and not known.all()
    assert (ct.upper[known] == ct.sizes[known]).all()
    # every function of unknown size costs more than the last complete level
    assert ct.complete_level >= int(ct.sizes.max())
    again = exact_circuits(4, "aon", budget=4_000_000)          # a work budget stops at the same place
    assert again.work == ct.work and np.array_equal(again.sizes, ct.sizes)
    assert np.array_equal(again.upper, ct.upper)
    # a best-so-far circuit of an open function computes it at its upper-bound cost
    f = int(np.flatnonzero((ct.sizes < 0) & (ct.upper >= 0))[0])
    nodes, out = ct.upper_witness(f)
    assert run_circuit(nodes, out, 4) == f and cost_of(nodes, get_basis("aon")) == ct.upper[f]


def test_cached_census_charges_its_work():
    """A census kept from an earlier call is reused only by a budget that could pay for it, and its work
    is charged, so a call's result does not depend on what ran before it."""
    from synth.budget import Budget
    full = exact_circuits(3, "xag")
    assert full.exact and full.work > 0
    b = Budget(work=full.work + 10)
    assert exact_circuits(3, "xag", budget=b) is full and b.used == full.work
    small = exact_circuits(3, "xag", budget=full.work // 4)
    assert not small.exact


def test_errors():
    with pytest.raises(SynthError):
        exact_circuits(5, "full")
    with pytest.raises(SynthError):
        exact_circuits(2, "zp")
    with pytest.raises(SynthError):
        npn_canonical(1 << 16, 4)
