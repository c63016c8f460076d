"""Restriction lower bounds on formula size (`synth.restriction`): sound against exact minima found by
the enumerator, and decisive on sparse parity where SAT alone is slow."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth import Program, Spec, SynthError, synthesize
from synth.restriction import RestrictionBound, restriction_bound


def _parity_spec(n=20, k=3, m=1000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(m, n))
    return Spec.from_examples(X, X[:, :k].sum(axis=1) % 2)


def test_sparse_parity_aon_proven_eleven_with_a_core_formula():
    spec = _parity_spec()
    rb = restriction_bound(spec, "aon", 14)
    assert rb.core == (0, 1, 2)
    assert rb.program is not None and rb.program.size == 11
    assert rb.lower == rb.target == 11
    assert np.array_equal(rb.program.evaluate(spec.X), spec.y.reshape(-1))
    assert RestrictionBound.from_dict(rb.as_dict()) == rb


def test_portfolio_proves_sparse_parity_aon_by_restriction():
    res = synthesize(_parity_spec(), basis="aon", budget=75_000_000)
    assert res.exact and res.min_size == 11 and res.lower_bound == 11
    assert res.proved_by == "restriction"
    assert res.shortest[0].size == 11 and res.shortest[0].is_tree()


def test_xor_of_two_among_six_is_four_in_aon():
    # xor(x0, x1) among 6 inputs: and(or(x0, x1), not(and(x0, x1))) costs 4, and the core {x0, x1} with
    # every restriction of the other inputs shows nothing cheaper fits
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(200, 6))
    spec = Spec.from_examples(X, X[:, 0] ^ X[:, 1])
    rb = restriction_bound(spec, "aon", 9)
    assert rb.core == (0, 1) and rb.lower == 4 and rb.program.size == 4


def test_known_lower_and_budget_never_overclaim():
    spec = _parity_spec(n=12, m=300)
    assert restriction_bound(spec, "aon", 11, known_lower=11).lower == 11
    starved = restriction_bound(spec, "aon", 11, known_lower=4, budget=1000)
    assert starved.lower == 4 and "budget ran out" in starved.reason
    short = restriction_bound(spec, "aon", 11, known_lower=4, budget=400_000)     # 502 supports x 291 examples
    assert short.lower == 4 and "units left" in short.reason and short.core == (0, 1, 2)


def test_bad_arguments_are_synth_errors():
    spec = _parity_spec(n=6, m=40)
    with pytest.raises(SynthError, match="target"):
        restriction_bound(spec, "aon", -1)
    with pytest.raises(SynthError, match="Boolean"):
        restriction_bound(spec, "zp", 5)
    with pytest.raises(SynthError, match="one output"):
        restriction_bound(Spec.from_tables([0x6, 0x8], 2), "aon", 3)


_FORMULAS = ["and(x0, or(x1, x2))", "xor(x0, and(x1, x3))", "or(and(x0, x1), and(x2, not(x3)))",
             "maj(x0, x1, x2)", "xor(x0, xor(x1, x2))", "and(not(x0), x4)", "ite(x0, x1, x2)"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=st.sampled_from(_FORMULAS), basis=st.sampled_from(["aon", "xag", "aig", "mig", "aoxn"]),
       n=st.integers(5, 6), m=st.integers(6, 40), seed=st.integers(0, 10**6), slack=st.integers(0, 3))
def test_bound_never_exceeds_the_exact_minimum(formula, basis, n, m, seed, slack):
    """Soundness against an independent oracle: the enumerator's proven minimum over all inputs."""
    rng = np.random.default_rng(seed)
    p = Program.parse(formula, n)
    X = np.unique(rng.integers(0, 2, size=(m, n)), axis=0)
    spec = Spec.from_examples(X, np.asarray(p.evaluate(X)).reshape(-1))
    exact = synthesize(spec, basis=basis, sat=False, budget=400_000_000)
    assume_exact = exact.exact
    if not assume_exact:
        return
    rb = restriction_bound(spec, basis, exact.min_size + slack)
    assert rb.lower <= exact.min_size
    if rb.program is not None:
        assert rb.program.size >= exact.min_size
        assert np.array_equal(np.asarray(rb.program.evaluate(spec.X)).reshape(-1), spec.y.reshape(-1))


def test_degenerate_bases_get_clear_answers():
    spec = _parity_spec(n=6, m=60)
    with pytest.raises(SynthError, match="costs 0"):
        restriction_bound(spec, synth.define_basis("free_xor", {"and": 1, "xor": 0}), 5)
    rb = restriction_bound(spec, synth.define_basis("monotone", {"and": 1, "or": 1}), 7)
    assert rb.lower == 7 and "no formula fits" in rb.reason


def test_work_is_charged_the_same_with_a_warm_cache():
    spec = _parity_spec(n=12, m=300)
    used = []
    for _ in range(2):
        bud = synth.Budget(work=10**9)
        restriction_bound(spec, "aon", 11, budget=bud)
        used.append(bud.used)
    assert used[0] == used[1] > 0


# ---------------------------------------------------------------------- cores of 5 and 6 inputs (SAT slices)

def _embedded_spec(formula: str, k: int, n: int, m: int, seed: int) -> Spec:
    rng = np.random.default_rng(seed)
    X = np.unique(rng.integers(0, 2, size=(m, n)), axis=0)
    return Spec.from_examples(X, np.asarray(Program.parse(formula, k).evaluate(X[:, :k])).reshape(-1))


def test_parity_of_five_among_eight_is_four_in_xag_by_sat_on_the_core():
    spec = _embedded_spec("xor(x0, xor(x1, xor(x2, xor(x3, x4))))", 5, 8, 300, 0)
    rb = restriction_bound(spec, "xag", 9)
    assert rb.core == (0, 1, 2, 3, 4)
    assert rb.lower == 4 and rb.program is not None and rb.program.size == 4 and rb.program.is_tree()
    assert "least formula over the core inputs" in rb.reason
    assert np.array_equal(np.asarray(rb.program.evaluate(spec.X)).reshape(-1), spec.y.reshape(-1))
    # (4 is the minimum: a formula reading 5 inputs has 5 leaves, so 4 gates of two inputs)


def test_core_of_five_is_proven_with_its_program_in_aig_and_aon_and_mig_is_left_to_sat():
    spec = _embedded_spec("or(and(and(x0, x1), and(x2, x3)), x4)", 5, 7, 120, 3)
    for basis in ("aig", "aon"):      # aon: NOT costed, but AND and OR with a constant leave no new NOT
        rb = restriction_bound(spec, basis, 8)
        assert rb.core == (0, 1, 2, 3, 4) and rb.lower == 4 and rb.program.size == 4
        exact = synthesize(spec, basis=basis, sat=False, budget=400_000_000)
        assert exact.exact and exact.min_size == 4
    # 3-input gates: fixing an input keeps the gate (maj(0, a, b) is AND), so no bound from slices here
    mig = restriction_bound(spec, "mig", 8)
    assert mig.lower == 0 and mig.core == (0, 1, 2, 3, 4) and "AND- or OR-like" in mig.reason


def test_sat_core_can_be_left_out_and_synthesize_leaves_it_to_whole_spec_sat_where_not_costs():
    spec = _embedded_spec("or(and(and(x0, x1), and(x2, x3)), x4)", 5, 7, 120, 3)
    off = restriction_bound(spec, "aig", 8, known_lower=2, sat_core=False)
    assert off.lower == 2 and off.core == (0, 1, 2, 3, 4) and "sat_core=False" in off.reason
    with pytest.raises(SynthError, match="sat_core"):
        restriction_bound(spec, "aig", 8, sat_core=1)
    # aon (NOT costed): the 5-input core is left to SAT on the whole spec, which proves 8 (the enumerator's
    # minimum, 28 s without SAT)
    spec = _embedded_spec("ite(x0, and(x1, x2), xor(x3, x4))", 5, 7, 60, 7)
    r = synthesize(spec, basis="aon", budget=300_000_000)
    assert "sat_core=False" in r.stats["restriction"]["reason"]
    assert r.exact and r.min_size == 8 and r.proved_by == "sat"


def test_slice_sessions_kept_or_closed_give_the_same_proven_minimum(monkeypatch):
    # the SAT session of each slice stays alive between levels (fewer clauses built, fewer conflicts);
    # past SESSION_CLAUSES the oldest are closed, and a closed slice starts afresh: the same bound
    spec = _embedded_spec("ite(x0, and(x1, x2), xor(x3, x4))", 5, 7, 60, 7)
    kept_budget, closed_budget = synth.Budget(), synth.Budget()
    kept = restriction_bound(spec, "aon", 14, budget=kept_budget)
    monkeypatch.setattr(synth.restriction, "SESSION_CLAUSES", 0)
    closed = restriction_bound(spec, "aon", 14, budget=closed_budget)
    assert kept.lower == closed.lower == 8 == kept.program.size     # the enumerator proves 8 (28 s)
    assert kept_budget.clauses < closed_budget.clauses


def test_a_sat_core_bound_stopped_by_its_budget_keeps_the_last_level_proven():
    spec = _embedded_spec("ite(x0, ite(x1, x5, x4), ite(x1, x3, x2))", 6, 8, 128, 0)
    rb = restriction_bound(spec, "xag", 9, known_lower=3, budget=synth.Budget(work=30_000_000))
    assert rb.core == (0, 1, 2, 3, 4, 5)
    assert 3 <= rb.lower < 9 and "before the budget ran out" in rb.reason and rb.program is None
    again = restriction_bound(spec, "xag", 9, known_lower=3, budget=synth.Budget(work=30_000_000))
    assert again == rb                      # work, not time: the same bound every time


_CORE5 = ["xor(x0, xor(x1, and(x2, or(x3, x4))))", "or(and(x0, x1), and(x2, and(x3, x4)))",
          "maj(x0, x1, maj(x2, x3, x4))", "ite(x0, and(x1, x2), xor(x3, x4))", "and(x0, xor(x1, xor(x2, or(x3, x4))))"]


def test_sat_core_bound_proves_what_the_enumerator_cannot():
    # the enumerator stops at its budget with 7 in hand; the SAT-sliced bound proves 7 (aig)
    spec = _embedded_spec("ite(x0, and(x1, x2), xor(x3, x4))", 5, 7, 60, 7)
    res = synthesize(spec, basis="aig", sat=False, budget=30_000_000)
    assert not res.exact and res.min_size == 7
    rb = restriction_bound(spec, "aig", 7, known_lower=res.lower_bound)
    assert rb.core == (0, 1, 2, 3, 4) and rb.lower == 7


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=st.sampled_from(_CORE5), basis=st.sampled_from(["xag", "aon", "aig", "mig"]),
       n=st.integers(6, 7), m=st.integers(30, 90), seed=st.integers(0, 10**6), slack=st.integers(0, 2))
def test_sat_core_bound_never_exceeds_the_exact_minimum(formula, basis, n, m, seed, slack):
    """Soundness of the SAT-sliced bound against the enumerator's proven minimum over all inputs."""
    spec = _embedded_spec(formula, 5, n, m, seed)
    exact = synthesize(spec, basis=basis, sat=False, budget=100_000_000)
    if not exact.exact:
        return
    rb = restriction_bound(spec, basis, exact.min_size + slack, budget=synth.Budget(work=300_000_000))
    assert rb.lower <= exact.min_size
    if rb.program is not None:
        assert rb.program.size >= exact.min_size
        assert np.array_equal(np.asarray(rb.program.evaluate(spec.X)).reshape(-1), spec.y.reshape(-1))


def test_a_core_larger_than_six_restricts_its_least_influential_inputs():
    # g = ite(x0, and(x1, x2), xor(x3, x4)) costs 7 in aig; f flips g where x1, x2, x5, x6 are all 1, so all
    # 7 inputs are essential (a leaf bound of 6 gates). Keeping the 6 most influential inputs and fixing x6
    # leaves g on the slice x6 = 0: f costs at least 7 + 1
    X = np.array([[(t >> i) & 1 for i in range(7)] for t in range(128)], dtype=np.uint8)
    g = np.asarray(Program.parse("ite(x0, and(x1, x2), xor(x3, x4))", 7).evaluate(X)).reshape(-1)
    spec = Spec.from_examples(X, g ^ (X[:, 1] & X[:, 2] & X[:, 5] & X[:, 6]))
    rb = restriction_bound(spec, "aig", 9)
    assert rb.core == tuple(range(7)) and rb.lower == 9


# ------------------------------------------------------------------------------------------------------
# read limits: bounds on the spec with one input fixed (`fixed_input_bounds`) and their use by SAT
# ------------------------------------------------------------------------------------------------------

def _restricted_min(spec: Spec, a: int, c: int, basis: str, mode: str) -> int:
    """The exact least cost of the examples with x_a = c (x_a dropped), by the enumerator or the census."""
    rows = spec.X[:, a] == c
    X = np.delete(spec.X[rows], a, axis=1)
    y = spec.y.reshape(-1)[rows]
    if len(y) == 0 or y.min() == y.max():
        return 0
    r = synthesize(Spec.from_examples(X, y), basis=basis, mode=mode, budget=None)
    assert r.exact
    return r.min_size


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.integers(0, 2**16 - 1), rows=st.integers(4, 16), seed=st.integers(0, 10**6),
       basis=st.sampled_from(["xag", "full", "aig"]), mode=st.sampled_from(["formula", "circuit"]))
def test_fixed_input_bounds_of_four_inputs_are_the_exact_restricted_minima(table, rows, seed, basis, mode):
    # with three inputs left the bound is the census' exact least cost over every completion
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(16, size=rows, replace=False))
    X = np.array([[(t >> i) & 1 for i in range(4)] for t in pick], dtype=np.uint8)
    spec = Spec.from_examples(X, np.array([(table >> t) & 1 for t in pick], dtype=np.uint8))
    want = tuple(max(_restricted_min(spec, a, c, basis, mode) for c in (0, 1)) for a in range(4))
    assert synth.restriction.fixed_input_bounds(spec, basis, mode) == want


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.integers(0, 2**16 - 1), rows=st.integers(4, 16), seed=st.integers(0, 10**6),
       mode=st.sampled_from(["formula", "circuit"]))
def test_fixed_input_bounds_in_aon(table, rows, seed, mode):
    # formulas: the shipped aon census, exact; circuits (aon's census of 4 is not shipped): the larger of
    # aig's and aoxn's, a lower bound
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(16, size=rows, replace=False))
    X = np.array([[(t >> i) & 1 for i in range(4)] for t in pick], dtype=np.uint8)
    spec = Spec.from_examples(X, np.array([(table >> t) & 1 for t in pick], dtype=np.uint8))
    want = tuple(max(_restricted_min(spec, a, c, "aon", mode) for c in (0, 1)) for a in range(4))
    got = synth.restriction.fixed_input_bounds(spec, "aon", mode)
    if mode == "formula":
        assert got == want
    else:
        assert all(g <= w for g, w in zip(got, want))


def test_fixed_input_bounds_of_majority_of_five_and_where_they_do_not_apply():
    maj5 = Spec.from_table(0xfee8e880, 5)     # fixing an input leaves a threshold-2 or -3 function of 4: 7
    for basis, mode in (("xag", "formula"), ("full", "circuit"), ("aig", "circuit"), ("aon", "formula")):
        assert synth.restriction.fixed_input_bounds(maj5, basis, mode) == (7,) * 5
    for basis in ("mig", "aoxn"):             # 3-input gates, or XOR with a constant a new NOT: a gate may stay
        assert synth.restriction.fixed_input_bounds(maj5, basis) == (0,) * 5
    with pytest.raises(SynthError, match="mode"):
        synth.restriction.fixed_input_bounds(maj5, "xag", "tree")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=st.sampled_from(_CORE5 + ["ite(x0, xor(x1, x2), and(x3, x4))", "maj(x0, x1, xor(x2, x3))"]),
       m=st.integers(10, 32), seed=st.integers(0, 10**6), basis=st.sampled_from(["xag", "full"]))
def test_fixed_input_bounds_one_level_down_never_exceed_the_restricted_minima(formula, m, seed, basis):
    # six inputs: each restricted spec has five, bounded by the counting argument over the census of four
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(m, 6)).astype(np.uint8)
    prog = Program.parse(formula, 6)
    spec = Spec.from_examples(X, prog.evaluate(X))
    got = synth.restriction.fixed_input_bounds(spec, basis, "formula")
    for a in range(6):
        assert got[a] <= max(_restricted_min(spec, a, c, basis, "formula") for c in (0, 1))


def test_reused_sat_searches_give_the_numbers_of_a_fresh_run(monkeypatch):
    # with the memo warm, the bound, the budget used and the conflicts charged equal a run with an empty
    # memo: a bound that finishes (aig core of 5) and the multiplexer's slices stopped by a small budget
    cases = [(_embedded_spec("ite(x0, and(x1, x2), xor(x3, x4))", 5, 7, 60, 7), "aig", 7, 0, None),
             (_embedded_spec("ite(x0, ite(x1, x5, x4), ite(x1, x3, x2))", 6, 8, 128, 0), "xag", 9, 3, 30_000_000)]
    for spec, basis, target, known, work in cases:
        runs = []
        for clear in (True, False, True):
            if clear:
                monkeypatch.setattr(synth.sat, "_MEMO", type(synth.sat._MEMO)())
            bud = synth.Budget(work=work)
            rb = restriction_bound(spec, basis, target, known_lower=known, budget=bud)
            runs.append((rb, bud.used, bud.conflicts))
        assert runs[0] == runs[1] == runs[2] and runs[0][2] > 0
        assert (runs[0][0].lower == target) == (work is None)     # the small budget stopped the bound


@pytest.mark.slow
def test_read_limits_prove_the_multiplexer_among_eight_with_a_quarter_of_the_conflicts():
    # all 256 rows of the 6-input multiplexer among 8 inputs, xag: before the read limits the slices
    # took 1.26 M conflicts (bench/restriction_bench.py); a data input fixed leaves a function of 7
    spec = _embedded_spec("ite(x0, ite(x1, x5, x4), ite(x1, x3, x2))", 6, 8, 4000, 0)
    assert spec.n_examples == 256
    bud = synth.Budget()
    rb = restriction_bound(spec, "xag", 9, known_lower=6, budget=bud)
    assert rb.lower == 9 and rb.core == (0, 1, 2, 3, 4, 5)
    assert bud.conflicts < 600_000
