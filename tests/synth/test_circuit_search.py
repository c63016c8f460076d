"""Tests of synth.circuit_search: exact minimum circuits for a spec by a search over gate sets.

The oracle is the exact census of synth.circuits (every function of n <= 4 inputs); for n >= 5 known
minimum circuits are used (parities, majority: Knuth TAOCP 4A 7.1.2).
"""

from __future__ import annotations

import numpy as np
import pytest

from synth import Program, Spec
from synth.circuit_search import CircuitSearchResult, small_circuit_search
from synth.circuits import exact_circuits
from synth.errors import SynthError


def _check_programs(spec: Spec, r: CircuitSearchResult) -> None:
    assert len(r.programs) == len(r.signatures) >= 1
    outs = r.outputs()
    pts = spec.points()
    for prog, row in zip(r.programs, outs):
        assert prog.size == r.min_size
        assert np.array_equal(prog.evaluate(spec.X), spec.y.astype(bool))
        assert np.array_equal(prog.evaluate(pts), row)
    assert len({row.tobytes() for row in outs}) == len(outs)   # distinct functions


@pytest.mark.parametrize("basis,max_size", [("full", 9), ("xag", 9), ("mux", 9), ("aon", 5)])
def test_agrees_with_census_n3(basis, max_size):
    ct = exact_circuits(3, basis)
    for f in range(256):
        if ct.sizes[f] > max_size:
            continue
        spec = Spec.from_table(f, 3)
        r = small_circuit_search(spec, basis)
        assert r.exact and r.min_size == ct.sizes[f] == r.lower_bound, (basis, hex(f))
        assert len(r.programs) == 1          # the full table: one consistent function
        _check_programs(spec, r)


@pytest.mark.parametrize("basis", ["full", "xag"])
def test_agrees_with_census_n4_sample(basis):
    ct = exact_circuits(4, basis)
    rng = np.random.default_rng(7)
    fs = [int(f) for f in rng.integers(0, 1 << 16, size=4000)]
    picked = [f for f in fs if ct.sizes[f] <= 3][:6] + [f for f in fs if ct.sizes[f] == 4][:6]
    for f in picked:
        spec = Spec.from_table(f, 4)
        r = small_circuit_search(spec, basis)
        assert r.exact and r.min_size == ct.sizes[f], hex(f)
        _check_programs(spec, r)


@pytest.mark.parametrize("basis", ["xag", "mux", "aoxn"])
def test_dont_cares_give_every_cheapest_completion(basis):
    """Held-out points: min size is the least census size over completions, and the functions returned
    are exactly the completions of that size."""
    ct = exact_circuits(3, basis)
    rng = np.random.default_rng(3)
    for _ in range(25):
        f = int(rng.integers(0, 256))
        care = int(rng.integers(1, 256))
        spec = Spec.from_table(f, 3, care=care)
        r = small_circuit_search(spec, basis)
        comps = [g for g in range(256) if (g ^ f) & care == 0]
        best = min(int(ct.sizes[g]) for g in comps)
        assert r.exact and r.min_size == best
        want = {g for g in comps if ct.sizes[g] == best}
        weights = 1 << np.arange(3)
        t = spec.points().astype(np.int64) @ weights
        got = {int(sum(1 << int(ti) for ti, b in zip(t, row) if b)) for row in r.outputs()}
        assert got == want, (hex(f), hex(care))
        _check_programs(spec, r)


def test_parity3_among_10_inputs_xag():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(256, 10))
    y = X[:, 1] ^ X[:, 4] ^ X[:, 7]
    spec = Spec.from_examples(X, y)
    r = small_circuit_search(spec, "xag")
    assert r.exact and r.min_size == 2
    assert str(r.programs[0]) == "xor(x1, xor(x4, x7))"
    _check_programs(spec, r)


def test_majority_of_3_among_6_inputs_full():
    t = Program.parse("maj(x0, x2, x5)", 6).truth_table()
    spec = Spec.from_table(t, 6)
    r = small_circuit_search(spec, "full")
    assert r.exact and r.min_size == 4          # Knuth: C(<x y z>) = 4
    _check_programs(spec, r)
    assert small_circuit_search(spec, "mig").min_size == 1


def test_parity5_xag_and_max_cost():
    t = Program.parse("xor(x0, xor(x1, xor(x2, xor(x3, x4))))", 5).truth_table()
    spec = Spec.from_table(t, 5)
    r = small_circuit_search(spec, "xag")
    assert r.exact and r.min_size == 4 and r.lower_bound == 4
    _check_programs(spec, r)
    cut = small_circuit_search(spec, "xag", max_cost=3)
    assert cut.min_size is None and not cut.exact and cut.lower_bound == 4 and cut.programs == []


def test_budgets_give_a_correct_lower_bound():
    ct = exact_circuits(3, "aon")
    f = int(np.flatnonzero(ct.sizes == 8)[0])
    spec = Spec.from_table(f, 3)
    r = small_circuit_search(spec, "aon", max_states=2000)
    assert not r.exact and r.min_size is None
    assert 1 <= r.lower_bound <= 8
    r = small_circuit_search(spec, "aon", budget=20_000)
    assert not r.exact and r.lower_bound <= 8 and r.work >= 20_000
    assert any("stopped" in n for n in r.notes)
    again = small_circuit_search(spec, "aon", budget=20_000)      # work budgets stop at the same place
    assert (again.lower_bound, again.work, again.states_per_level) == (r.lower_bound, r.work, r.states_per_level)
    valve = small_circuit_search(spec, "aon", budget_s=1e-9)        # the wall-clock valve still stops it
    assert not valve.exact and valve.lower_bound <= 8


def test_cost_zero_and_constants():
    spec = Spec.from_examples([[0, 1], [1, 1]], [1, 0])        # NOT x0 (free in xag, 1 in aon)
    assert small_circuit_search(spec, "xag").min_size == 0
    r = small_circuit_search(spec, "aon")
    assert r.min_size == 1 and str(r.programs[0]) == "not(x0)"
    spec = Spec.from_examples([[0, 1], [1, 1]], [1, 1], queries=[[0, 0]])
    r = small_circuit_search(spec, "xag")
    assert r.min_size == 0 and len(r.programs) == 2             # x1 or the constant 1
    _check_programs(spec, r)


def test_rejects_bad_arguments():
    spec = Spec.from_table(0x6, 2)
    with pytest.raises(SynthError):
        small_circuit_search(spec, "zp")
    with pytest.raises(SynthError):
        small_circuit_search(spec, "xag", max_cost=-1)
    with pytest.raises(SynthError):
        small_circuit_search("not a spec", "xag")
