"""The portfolio in `synthesize`: the enumerator (or the census) proves the small sizes within its share of
the work, SAT the rest; the result names the engine that proved the minimum. Oracles: the enumerator alone
(unlimited memory) and brute-force reference tables (`reference.py`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth import Spec, synthesize
import synth.census_store as cs
import synth.portfolio as portfolio
from synth.portfolio import ENUMERATOR_SHARE

from reference import ref_circuit_sizes, ref_formula_sizes

STARVED = dict(max_entries=1)     # the enumerator stops at once (memory), SAT does not store signatures


def _fits(prog, spec: Spec) -> bool:
    return bool(np.array_equal(np.asarray(prog.evaluate(spec.X)).astype(np.int64), spec.y.astype(np.int64)))


@pytest.mark.parametrize("table,basis,size", [(0xE8, "aon", 4), (0x96, "xag", 2), (0x96, "mig", 3),
                                              (0xCA, "mux", 1), (0x6A, "aoxn", 2)])
def test_sat_proves_what_the_starved_enumerator_cannot(table, basis, size):
    assert ref_formula_sizes(3, basis)[table] == size                 # the oracle
    r = synthesize(Spec.from_table(table, 3), basis=basis, **STARVED)
    assert r.exact and r.min_size == size and r.lower_bound == size and r.proved_by == "sat"
    assert r.shortest[0].truth_table() == table and r.shortest[0].size == size and r.shortest[0].is_tree()
    tried = r.stats["sat"]["sizes_tried"]              # every smaller size refuted, then a program found
    assert r.stats["sat"]["exact"] and all(t["status"] == "unsat" for t in tried if t["size"] < size)
    assert any("proven by the SAT engine" in n for n in r.notes)


def test_enumerator_proves_small_sizes_without_sat():
    r = synthesize(Spec.from_table(0xE8, 3), basis="aon")
    assert r.exact and r.min_size == 4 and r.proved_by == "enumerator" and "sat" not in r.stats
    assert r.stats["budget"]["conflicts"] == 0


def test_census_proves_circuits_up_to_four_inputs():
    r = synthesize(Spec.from_table(0x6996, 4), basis="xag", mode="circuit")
    assert r.exact and r.min_size == 3 and r.proved_by == "census"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 255), st.integers(1, 255), st.sampled_from(["xag", "aig", "aon", "mig", "mux", "aoxn"]),
       st.sampled_from(["formula", "circuit"]))
def test_portfolio_equals_enumerator_on_partial_specs(table, care, basis, mode):
    rows = [t for t in range(8) if (care >> t) & 1]
    X = np.array([[(t >> i) & 1 for i in range(3)] for t in rows])
    y = np.array([(table >> t) & 1 for t in rows])
    spec = Spec.from_examples(X, y)
    full = synthesize(spec, basis=basis, mode=mode, budget=None)
    sat = synthesize(spec, basis=basis, mode=mode, **STARVED) if mode == "formula" else full
    assert full.exact and sat.exact and sat.min_size == full.min_size
    assert _fits(sat.shortest[0], spec) and sat.shortest[0].size == sat.min_size


def test_unfinished_portfolio_keeps_bounds_and_a_program():
    spec = Spec.from_table(0x96, 3)
    r = synthesize(spec, basis="aon", budget=200_000)                 # too little for either engine
    assert not r.exact and r.lower_bound <= 11 <= r.min_size and _fits(r.shortest[0], spec)
    assert r.proved_by is None and r.searched_size == r.lower_bound - 1


def test_the_split_of_the_work():
    spec = Spec.from_table(0x96, 3)
    work = 600_000             # the enumerator alone needs about 245,000 units here: its share is 150,000
    r = synthesize(spec, basis="aon", budget=work)
    used = r.stats["budget"]
    assert used["used"] <= work + synth.budget.CONFLICT_WORK * 20_000     # one SAT round may overrun
    # the enumerator stopped at its share; SAT used the rest (building its instances: clauses are work)
    assert used["candidates"] > 0 and used["clauses"] > 0 and "sat" in r.stats
    sat_work = used["conflicts"] * synth.budget.CONFLICT_WORK + used["clauses"] * synth.budget.CLAUSE_WORK
    assert used["used"] - sat_work <= work * ENUMERATOR_SHARE + 10_000
    assert r.lower_bound <= 11 <= r.min_size


def test_same_call_same_result_with_sat():
    spec = Spec.from_table(0x96, 3)
    a = synthesize(spec, basis="aon", budget=3_000_000).as_dict()
    b = synthesize(spec, basis="aon", budget=3_000_000).as_dict()
    for d in (a, b):
        d["stats"].pop("seconds"), d["stats"].pop("peak_memory_mb")
    assert a == b


def test_posterior_after_sat_covers_the_consistent_functions():
    X = np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]])
    spec = Spec.from_examples(X, [0, 0, 0, 0, 1], queries=[[1, 0, 0], [0, 1, 0]])
    r = synthesize(spec, basis="aon", **STARVED)
    assert r.exact and r.proved_by == "sat" and r.consistent
    p = r.posterior()
    assert p.shape == (2,) and ((0 <= p) & (p <= 1)).all()
    assert r.searched_size == r.min_size - 1          # the list need not hold every function of min size


def _adder_spec() -> Spec:
    X = (np.arange(16)[:, None] >> np.arange(4)) & 1          # a = x0 + 2 x1, b = x2 + 2 x3
    total = X[:, 0] + 2 * X[:, 1] + X[:, 2] + 2 * X[:, 3]
    return Spec.from_examples(X, np.stack([(total >> k) & 1 for k in range(3)], axis=1))


def test_two_bit_adder_through_synthesize():
    spec = _adder_spec()
    r = synthesize(spec, basis="xag", mode="circuit")
    assert r.exact and r.proved_by == "sat" and r.min_size == 7 and r.program.n_outputs == 3
    assert np.array_equal(np.asarray(r.program.evaluate(spec.X)), spec.y)       # every input checked
    assert r.consistent == [] and r.as_dict()["posterior"] is None


def test_several_outputs_unfinished_side_by_side_upper_bound():
    spec = _adder_spec()
    r = synthesize(spec, basis="aig", mode="circuit", budget=20_000)
    assert not r.exact and r.proved_by is None and r.lower_bound <= r.min_size
    assert np.array_equal(np.asarray(r.program.evaluate(spec.X)), spec.y)
    assert any("side by side" in n for n in r.notes)


def test_several_outputs_need_a_boolean_basis():
    with pytest.raises(synth.SynthError, match="several outputs"):
        synthesize(_adder_spec(), basis="zp")


def test_cli_examples_with_several_outputs(tmp_path, capsys):
    from synth.cli import main
    spec = _adder_spec()
    path = tmp_path / "adder.csv"
    np.savetxt(path, np.hstack([spec.X, spec.y]), fmt="%d", delimiter=",")
    assert main(["examples", str(path), "--outputs", "3", "--basis", "xag", "--mode", "circuit"]) == 0
    out = capsys.readouterr().out
    assert "min size 7 (exact: proven minimal)" in out and "out2 = " in out


def test_partial_census_never_claims_an_unproven_minimum(monkeypatch):
    """A partial census that proves the class of f = 0x16 (6 aig gates) but leaves others open with lower
    bound 4 (census cut at cost 3, a prover that gives up elsewhere). On the 7 points where f and a
    one-point change g of it agree, the minimum is the smaller brute-force size (4 where g costs 4), not
    the 6 the census proves for f (found by the review of the portfolio on the then partial aig census)."""
    ref = ref_circuit_sizes(3, "aig")
    f = 0x16
    full = cs.circuit_census("aig", 3)
    rep = int(full.class_reps[full.class_of(f)[0]])

    def only_f(r, lower, upper):
        return cs.SatProver("aig", 3)(r, lower, upper) if r == rep else (None, lower, None, 0)

    part = cs.build_circuit_census("aig", 3, census_budget=2_000, prover=only_f)
    assert not part.exact and part.cost(f) == ref[f] == 6
    monkeypatch.setattr(portfolio, "circuit_census", lambda *a, **k: part)
    wants = []
    for t in range(8):
        g = f ^ (1 << t)
        assert part.cost(g) == -1 and part.bounds(g)[0] == 4
        rows = [r for r in range(8) if r != t]
        X = (np.array(rows)[:, None] >> np.arange(3)) & 1
        spec = Spec.from_examples(X, [(f >> r) & 1 for r in rows])
        r = synthesize(spec, basis="aig", mode="circuit", budget=2_000_000)
        want = min(ref[f], ref[g])
        assert r.lower_bound <= want and (not r.exact or r.min_size == want)
        assert _fits(r.shortest[0], spec) and r.shortest[0].size == r.min_size
        wants.append(want)
    assert wants == [4] * 7 + [6]        # g = 0x96 (the last) costs 6 too


def test_the_enumerators_share_is_capped_on_large_budgets(monkeypatch):
    import synth.portfolio as portfolio
    seen = []
    real = portfolio._ENGINES["formula"]

    def spy(spec, b, **kw):
        seen.append(kw["budget"].remaining())
        return real(spec, b, **kw)

    monkeypatch.setitem(portfolio._ENGINES, "formula", spy)
    spec = synth.Spec.from_table(0x96, 3)
    for work, share in ((40_000_000, 10_000_000), (8_000_000_000, portfolio.ENUMERATOR_WORK)):
        seen.clear()
        synth.synthesize(spec, basis="xag", budget=work)
        assert seen == [share]
