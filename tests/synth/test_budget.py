"""Work budgets (`synth.budget`): the same spec and budget give the same result; an unfinished search
returns proven bounds and a consistent program; the wall-clock valve is reported when it fires."""

from __future__ import annotations

import time

import numpy as np
import pytest

from synth import Spec, SynthError, synthesize
from synth.budget import CLAUSE_WORK, CONFLICT_WORK, VALVE_NOTE, Budget, BudgetExceeded, as_budget

from reference import ref_formula_sizes

# ----------------------------------------------------------------------------------------------
# the Budget object
# ----------------------------------------------------------------------------------------------


def test_charging_and_limits():
    b = Budget(work=100)
    b.charge_candidates(10, words=4)
    assert (b.used, b.candidates, b.remaining(), b.fired) == (40, 10, 60, None)
    b.charge_conflicts(0)
    with pytest.raises(BudgetExceeded, match="work budget of 100"):
        b.charge(61)
    assert b.fired == "work" and b.deterministic and b.exhausted()
    assert b.as_dict() == {"work": 100, "seconds": None, "used": 101, "candidates": 10, "conflicts": 0,
                           "clauses": 0, "fired": "work", "valve_fired": False}
    c = Budget(work=5 * CONFLICT_WORK)
    assert c.conflicts_left() == 5
    with pytest.raises(BudgetExceeded):
        c.charge_conflicts(6)
    assert c.conflicts == 6 and c.used == 6 * CONFLICT_WORK
    d = Budget(work=10 * CLAUSE_WORK)
    d.sub().charge_clauses(4)
    assert (d.clauses, d.used, d.conflicts) == (4, 4 * CLAUSE_WORK, 0)
    with pytest.raises(BudgetExceeded):
        d.charge_clauses(7)
    unlimited = Budget()
    unlimited.charge(10 ** 15)
    assert unlimited.remaining() is None and not unlimited.exhausted()


def test_memory_and_valve():
    b = Budget(max_entries=10)
    with pytest.raises(BudgetExceeded, match="memory"):
        b.charge(1, entries=11)
    assert b.fired == "memory" and b.deterministic
    c = Budget(max_clauses=10)
    c.sub().check(clauses=10)                                  # a share has its parent's cap
    with pytest.raises(BudgetExceeded, match="10 clauses held by SAT solvers"):
        c.sub().check(clauses=11)
    assert c.fired == "memory"
    with pytest.raises(SynthError, match="max_clauses"):
        Budget(max_clauses=0)
    v = Budget(seconds=1e-9)
    time.sleep(0.001)
    with pytest.raises(BudgetExceeded, match="valve"):
        v.check()
    assert v.fired == "seconds" and v.valve_fired and not v.deterministic


def test_shares_charge_their_parent():
    root = Budget(work=1000)
    part = root.sub(300)
    part.charge_candidates(200)
    assert (root.used, root.candidates, part.remaining(), root.remaining()) == (200, 200, 100, 800)
    with pytest.raises(BudgetExceeded):
        part.charge(150)
    # the share's own limit stops the share only: the parent goes on (the portfolio's next engine)
    assert part.fired == "work" and root.fired is None and root.remaining() == 650
    # the valve is recorded up the chain, even after another limit fired first
    root.seconds = 0.0
    with pytest.raises(BudgetExceeded):
        part.check()
    assert root.fired == "seconds" and root.valve_fired and not root.deterministic
    # a share never exceeds what its parent has left
    assert Budget(work=50).sub(1000).remaining() == 50
    tight = Budget(work=10)
    with pytest.raises(BudgetExceeded):
        tight.sub(1000).charge(11)
    assert tight.fired == "work"


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "100", float("inf")])
def test_bad_work_budgets_are_refused(value):
    with pytest.raises(SynthError, match="budget"):
        as_budget(value)


def test_as_budget():
    assert as_budget(2e6, 3).as_dict()["work"] == 2_000_000
    assert as_budget(None).work is None
    shared = Budget(work=10)
    assert as_budget(shared, 5) is shared and shared.seconds == 5
    with pytest.raises(SynthError, match="budget_s"):
        as_budget(10, -1)


# ----------------------------------------------------------------------------------------------
# synthesize under a work budget
# ----------------------------------------------------------------------------------------------

def _strip_timing(d: dict) -> dict:
    d = dict(d)
    d["stats"] = {k: v for k, v in d["stats"].items() if k not in ("seconds", "peak_memory_mb")}
    return d


@pytest.mark.parametrize("basis,mode,budget", [("aon", "formula", 20_000), ("mig", "formula", 3_000),
                                               ("aig", "circuit", 300_000), ("xag", "formula", None)])
def test_same_spec_and_budget_give_the_same_result(basis, mode, budget):
    rng = np.random.default_rng(7)
    X = rng.integers(0, 2, size=(40, 6))
    y = X[:, 0] & X[:, 1] | X[:, 2] ^ X[:, 3] & X[:, 4]
    spec = Spec.from_examples(X, y, queries=rng.integers(0, 2, size=(8, 6)))
    one = synthesize(spec, basis=basis, mode=mode, budget=budget)
    two = synthesize(spec, basis=basis, mode=mode, budget=budget)
    assert _strip_timing(one.as_dict()) == _strip_timing(two.as_dict())
    assert one.deterministic and one.stats["budget"]["work"] == budget
    if budget is not None:
        assert one.stats["budget"]["used"] > 0


def test_a_budget_that_stops_mid_level_gives_bounds_and_a_consistent_program():
    """Parity of 3 in aon: minimum formula 11 (brute force). A budget that stops while a level is being
    built: exact=False, lower <= 11 <= upper, and the upper-bound program computes the function."""
    true_min = ref_formula_sizes(3, "aon")[0x96]
    spec = Spec.from_table(0x96, 3)
    full = synthesize(spec, basis="aon", slack=0)
    assert full.exact and full.min_size == true_min
    need = full.stats["budget"]["used"]
    r = synthesize(spec, basis="aon", budget=need // 3)
    assert not r.exact and r.stats["budget"]["fired"] == "work"
    assert r.stats["budget"]["used"] < need                 # stopped inside a level, not at its end
    assert r.lower_bound == r.searched_size + 1 <= true_min <= r.min_size
    assert r.shortest and all(p.truth_table() == 0x96 and p.size == r.min_size for p in r.shortest)
    assert r.stats["fallback"]["used"] <= r.stats["fallback"]["work"] + 10 ** 6
    assert any("between" in n for n in r.notes)


def test_parity4_aig_circuit_small_budget_returns_bounds_quickly():
    """Issue 9: 0x6996 in aig circuit mode ran 14 minutes and printed "sizes up to -1". Its minimum
    circuit has 9 AND gates (3 XORs of 3 ANDs each), now read from the exact census without work; parity
    of 5 (12 gates) under the same budget stops with proven bounds and a consistent circuit."""
    r = synthesize(Spec.from_table(0x6996, 4), basis="aig", mode="circuit", budget=2_000_000)
    assert r.exact and r.min_size == 9 and r.stats["budget"]["used"] == 0
    t0 = time.perf_counter()
    r = synthesize(Spec.from_table(0x96696996, 5), basis="aig", mode="circuit", budget=2_000_000)
    assert time.perf_counter() - t0 < 30
    assert not r.exact and r.searched_size >= 0
    assert 1 <= r.lower_bound <= 12 <= r.min_size
    p = r.shortest[0]
    assert p.truth_table() == 0x96696996 and p.size == r.min_size
    assert r.stats["budget"]["fired"] == "work" and r.deterministic


def test_valve_is_reported():
    r = synthesize(Spec.from_table(0x96, 3), basis="aon", budget_s=1e-9)
    assert not r.exact and not r.deterministic
    assert VALVE_NOTE in r.notes and r.as_dict()["deterministic"] is False
    assert r.stats["budget"]["valve_fired"] and r.stats["budget"]["fired"] == "seconds"
    assert r.shortest and r.shortest[0].truth_table() == 0x96    # still bounds and a program
    quiet = synthesize(Spec.from_table(0x96, 3), basis="xag", budget_s=60)
    assert quiet.exact and quiet.deterministic and VALVE_NOTE not in quiet.notes


def test_circuit_mode_beyond_the_census_under_a_budget():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 2, size=(64, 8))
    y = (X[:, 0] + X[:, 1] + X[:, 2] >= 2).astype(int)          # majority of 3 among 8: circuit 4 in full
    spec = Spec.from_examples(X, y)
    one = synthesize(spec, basis="full", mode="circuit", budget=50_000)
    two = synthesize(spec, basis="full", mode="circuit", budget=50_000)
    assert _strip_timing(one.as_dict()) == _strip_timing(two.as_dict())
    assert one.lower_bound <= 4 and (one.min_size is None or one.min_size >= one.lower_bound)
    if one.shortest:
        assert (one.shortest[0].evaluate(X) == y.astype(bool)).all()


def test_zp_under_a_budget():
    a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    X = np.stack([a.ravel(), b.ravel()], axis=1)
    y = (X[:, 0] * X[:, 0] * X[:, 1] + 3 * X[:, 1] + 1) % 5
    spec = Spec.from_examples(X, y, p=5)
    r = synthesize(spec, basis="zp", budget=2_000)
    assert not r.exact and r.lower_bound >= 1 and r.stats["budget"]["fired"] == "work"
    again = synthesize(spec, basis="zp", budget=2_000)
    assert _strip_timing(again.as_dict()) == _strip_timing(r.as_dict())
