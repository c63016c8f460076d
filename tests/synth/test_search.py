"""synth.synthesize on examples: minimal programs, don't-cares and the posterior, the frontier, budgets,
argument errors and determinism."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import synth
from synth import Program, Spec, SynthError, synthesize

from reference import ref_circuit_sizes, ref_formula_sizes


def _all_points(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)))[:, ::-1]   # row t = point t


def _errors(prog: Program, spec: Spec) -> int:
    return int((prog.evaluate(spec.X) != spec.y.astype(bool)).sum())


@pytest.fixture
def fresh_circuit_cache(monkeypatch):
    """Budget-limited circuit searches run against an empty census cache, so that they neither reuse
    an exact table (the budget would never bite) nor leave a partial one for later tests."""
    import synth.census_store as cs
    import synth.circuits as sc
    if hasattr(sc, "_CACHE"):
        monkeypatch.setattr(sc, "_CACHE", {})
    monkeypatch.setattr(cs, "_LOADED", {})


# ----------------------------------------------------------------------------------------------
# minimal programs from examples
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def parity_spec() -> Spec:
    rng = np.random.default_rng(12345)
    X = rng.integers(0, 2, size=(256, 10))
    return Spec.from_examples(X, X[:, 0] ^ X[:, 1] ^ X[:, 2])


def test_parity_of_three_among_ten_inputs(parity_spec):
    r = synthesize(parity_spec, basis="xag")
    assert r.min_size == 2 and r.exact
    assert r.shortest
    allX = _all_points(10)
    target = (allX[:, 0] ^ allX[:, 1] ^ allX[:, 2]).astype(bool)
    for p in r.shortest:
        assert p.size == 2 and p.n_inputs == 10 and p.support == frozenset({0, 1, 2})
        assert np.array_equal(p.evaluate(allX), target), str(p)
        assert _errors(p, parity_spec) == 0


def test_parity_in_circuit_mode_beyond_census_is_flagged(parity_spec):
    """Circuit mode with 10 inputs (beyond the exact census) still returns correct programs; here the
    size is 2, which is tight: no single gate computes the parity of three inputs."""
    r = synthesize(parity_spec, basis="xag", mode="circuit")
    assert r.shortest and all(_errors(p, parity_spec) == 0 for p in r.shortest)
    assert r.min_size == 2          # two XORs cannot be beaten: one gate is never parity of three
    assert r.lower_bound <= 2


def test_majority_in_mig_is_one_gate():
    for mode in ("formula", "circuit"):
        r = synthesize(Spec.from_table(0xE8, 3), basis="mig", mode=mode)
        assert r.min_size == 1 and r.exact
        assert [str(p) for p in r.shortest] == ["maj(x0, x1, x2)"]


def test_mux_and_xor_sizes():
    assert synthesize(Spec.from_table(0xD8, 3), basis="mux").min_size == 1         # ite(x0, x1, x2)
    assert synthesize(Spec.from_table(0x6, 2), basis="aig").min_size == 3          # XOR = 3 ANDs
    assert synthesize(Spec.from_table(0x6, 2), basis="aon").min_size == 4
    assert synthesize(Spec.from_table(0x6, 2), basis="xag").min_size == 1


def test_constant_and_literal_specs():
    for table, expected in [(0x00, "0"), (0xFF, "1"), (0xAA, "x0"), (0xF0, "x2")]:
        r = synthesize(Spec.from_table(table, 3), basis="aon")
        assert r.min_size == 0 and r.exact and str(r.shortest[0]) == expected
    r = synthesize(Spec.from_table(0x55, 3), basis="aon")       # NOT x0 costs 1 in aon ...
    assert r.min_size == 1 and str(r.shortest[0]) == "not(x0)"
    r = synthesize(Spec.from_table(0x55, 3), basis="xag")       # ... and nothing in xag
    assert r.min_size == 0 and r.shortest[0].truth_table() == 0x55


def test_top_k_limits_shortest():
    spec = Spec.from_table(0x96, 3, care=0x03)       # f(000) = 0, f(100) = 1: x0 and more
    r1 = synthesize(spec, basis="aon", top_k=1)
    r5 = synthesize(spec, basis="aon", top_k=5)
    assert len(r1.shortest) == 1 and 1 <= len(r5.shortest) <= 5
    assert r1.min_size == r5.min_size == 0 and str(r1.shortest[0]) == "x0"


def test_zp_synthesis():
    a, b = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
    X = np.stack([a.ravel(), b.ravel()], axis=1)
    r = synthesize(Spec.from_examples(X, (X[:, 0] ** 2 + X[:, 1]) % 7, p=7), basis="zp")
    assert r.min_size == 2 and r.exact
    for p in r.shortest:
        assert np.array_equal(p.value_table(), (a * a + b) % 7)


# ----------------------------------------------------------------------------------------------
# don't-cares, consistent functions and the posterior
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["formula", "circuit"])
def test_dont_cares_all_consistent_functions(mode):
    spec = Spec.from_table(0x96, 3, care=0x0F)      # points 0..3 known, 4..7 free: 16 completions
    ref = (ref_formula_sizes if mode == "formula" else ref_circuit_sizes)(3, "xag")
    completions = [0x06 | (q << 4) for q in range(16)]
    biggest = max(ref[f] for f in completions)
    r = synthesize(spec, basis="xag", mode=mode, max_size=biggest, top_k=100)
    assert r.exact and r.min_size == min(ref[f] for f in completions) == 1
    got = {c.program.truth_table(): c for c in r.consistent}
    assert sorted(got) == sorted(completions)                    # every consistent function, once
    assert r.truncation_mass == 0
    for f, c in got.items():
        assert c.size == ref[f]                                  # its minimal size
        assert c.program.size == c.size
        assert _errors(c.program, spec) == 0                     # agrees with every example
        assert c.query_outputs.tolist() == c.program.evaluate(spec.queries).astype(int).tolist()
    # shortest = the consistent functions of minimal size
    assert {p.truth_table() for p in r.shortest} == {f for f in completions if ref[f] == r.min_size}
    # posterior: probabilities, weights summing to one, equal to the length-prior formula
    post = r.posterior()
    assert post.shape == (4,) and np.all((post >= 0) & (post <= 1))
    model = r.posterior_model()
    assert model.weights.sum() == pytest.approx(1.0)
    w = np.array([2.0 ** -c.bits for c in r.consistent])
    outs = np.array([c.query_outputs for c in r.consistent], dtype=float)
    assert np.allclose(post, (w / w.sum()) @ outs)
    # explicit queries give the same numbers
    assert np.allclose(r.posterior(spec.queries), post)
    # x0 XOR x1 (one gate) dominates the posterior
    assert np.allclose(post.round(), [0, 1, 1, 0])


def test_default_slack_posterior_and_truncation():
    spec = Spec.from_table(0x96, 3, care=0x0F)
    r = synthesize(spec, basis="xag")
    assert r.exact and r.min_size == 1
    assert 0 < len(r.consistent) < 16
    assert all(_errors(c.program, spec) == 0 for c in r.consistent)
    assert len({c.program.truth_table() for c in r.consistent}) == len(r.consistent)
    assert all(r.min_size <= c.size <= r.min_size + 1 for c in r.consistent)
    assert 0 < r.truncation_mass < 1
    post = r.posterior()
    assert np.all((post >= 0) & (post <= 1))
    assert r.posterior_model().weights.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("mode", ["formula", "circuit"])
def test_queries_that_are_examples_and_repeated_queries(mode):
    X = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 1]]
    spec = Spec.from_examples(X, [0, 1, 1, 1], queries=[[1, 0, 0], [1, 0, 0], [0, 0, 1], [1, 1, 0]])
    assert spec.queries.tolist() == [[1, 0, 0], [0, 0, 1], [1, 1, 0]]     # repeats dropped, order kept
    r = synthesize(spec, basis="aig", mode=mode)
    post = r.posterior()
    assert post.shape == (3,) and post[0] == pytest.approx(1.0)          # a query that is an example
    assert r.posterior([1, 0, 0]) == pytest.approx([1.0])
    assert r.posterior([[0, 0, 0], [0, 0, 1]]) == pytest.approx([0.0, post[1]])
    for c in r.consistent:
        assert c.query_outputs.tolist() == c.program.evaluate(spec.queries).astype(int).tolist()


def test_posterior_on_program_split():
    target = Program.parse("xor(x0, and(x1, x2))", 4)
    spec = Spec.from_program(target, 0.75, seed=1)
    r = synthesize(spec, basis="xag")
    assert r.exact and r.min_size <= 2
    model = r.posterior_model()
    assert model.weights.sum() == pytest.approx(1.0)
    d = model.distribution()
    assert d.shape == (spec.n_queries, 2) and np.allclose(d.sum(axis=1), 1.0)
    assert np.allclose(d[:, 1], r.posterior())
    assert all(_errors(c.program, spec) == 0 for c in r.consistent)


# ----------------------------------------------------------------------------------------------
# frontier
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["formula", "circuit"])
@pytest.mark.parametrize("table,care,basis", [
    (0x96, None, "xag"), (0x96, None, "aon"), (0xE8, 0x7E, "aig"), (0x1E, None, "mux"), (0x6A, 0xF3, "aoxn"),
])
def test_frontier_strictly_decreasing_to_zero(table, care, basis, mode):
    spec = Spec.from_table(table, 3, care=care)
    r = synthesize(spec, basis=basis, mode=mode)
    fr = r.frontier
    assert fr, "empty frontier"
    sizes = [e.size for e in fr]
    errors = [e.errors for e in fr]
    assert sizes == sorted(set(sizes))
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] == 0 and sizes[-1] == r.min_size
    for e in fr:
        assert e.program.size == e.size
        assert _errors(e.program, spec) == e.errors


def test_frontier_on_examples(parity_spec):
    r = synthesize(parity_spec, basis="xag")
    errors = [e.errors for e in r.frontier]
    assert all(a > b for a, b in zip(errors, errors[1:])) and errors[-1] == 0
    for e in r.frontier:
        assert _errors(e.program, parity_spec) == e.errors


# ----------------------------------------------------------------------------------------------
# budgets: inexact, never wrong
# ----------------------------------------------------------------------------------------------

def _check_never_wrong(r, table: int, n: int, true_min: int) -> None:
    assert r.lower_bound <= true_min
    if r.exact:
        assert r.min_size == true_min
    if r.min_size is not None:
        assert r.min_size >= true_min
        for p in r.shortest:
            assert p.size == r.min_size and p.truth_table() == table
    assert isinstance(r.notes, list)


@pytest.mark.parametrize("budget", [dict(budget=500), dict(budget=5_000), dict(budget_s=1e-9),
                                    dict(max_entries=1, budget=5_000), dict(max_entries=40, budget=5_000)])
def test_formula_budget_is_flagged(budget):
    true_min = ref_formula_sizes(3, "aon")[0x96]          # 11
    r = synthesize(Spec.from_table(0x96, 3), basis="aon", **budget)
    assert not r.exact
    assert r.notes                                         # says why
    assert r.searched_size < true_min
    _check_never_wrong(r, 0x96, 3, true_min)
    # an unfinished search still gives a consistent upper bound, never "sizes up to -1"
    assert r.min_size is not None and r.lower_bound <= true_min <= r.min_size
    assert r.shortest[0].truth_table() == 0x96 and r.lower_bound == r.searched_size + 1


# a basis with aig's gates under another name: its census is not shipped, so it is built within the budget
AIG_UNSHIPPED = synth.Basis("my_aig", dict(synth.BASES["aig"].costs))


def test_circuit_budget_is_flagged(fresh_circuit_cache):
    true_min = ref_circuit_sizes(3, "aig")[0x96]           # 6
    r = synthesize(Spec.from_table(0x96, 3), basis=AIG_UNSHIPPED, mode="circuit", budget=1_000)
    assert not r.exact and r.stats["budget"]["fired"] == "work"
    _check_never_wrong(r, 0x96, 3, true_min)
    assert r.lower_bound <= true_min <= r.min_size and r.shortest[0].truth_table() == 0x96


def test_budget_limited_call_does_not_spoil_a_later_unlimited_call(fresh_circuit_cache):
    """A census cut short by a budget must not be reused by a later call without a budget."""
    true_min = ref_circuit_sizes(3, "aig")[0x96]
    r = synthesize(Spec.from_table(0x96, 3), basis=AIG_UNSHIPPED, mode="circuit", budget=1_000)
    assert not r.exact
    r = synthesize(Spec.from_table(0x96, 3), basis=AIG_UNSHIPPED, mode="circuit")
    assert r.exact and r.min_size == true_min and r.proved_by == "census"


def test_budget_on_hard_examples(parity_spec):
    # the enumerator stops at once (memory); the upper-bound construction gives a consistent program and
    # restriction to the core {x0, x1, x2} proves the parity's 11 minimal (the census of 3 inputs)
    r = synthesize(parity_spec, basis="aon", max_entries=50, budget=1_000_000)
    assert r.exact and r.min_size == 11 and r.proved_by == "restriction"
    assert r.stats["restriction"]["core"] == [0, 1, 2]
    assert all(_errors(p, parity_spec) == 0 and p.size == r.min_size for p in r.shortest)
    tiny = synthesize(parity_spec, basis="aon", max_entries=50, budget=20_000)    # too little for it
    assert not tiny.exact and tiny.min_size is not None and tiny.lower_bound < 11 <= tiny.min_size
    assert all(_errors(p, parity_spec) == 0 for p in tiny.shortest)


def test_max_size_below_minimum():
    r = synthesize(Spec.from_table(0x96, 3), basis="xag", max_size=1)
    assert r.min_size is None and not r.exact and not r.shortest and r.consistent == []
    assert r.notes


# ----------------------------------------------------------------------------------------------
# argument errors
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,fragment", [
    (dict(basis="nope"), "unknown basis"),
    (dict(mode="dag"), "mode"),
    (dict(max_size=-1), "max_size"),
    (dict(max_size=1.5), "max_size"),
    (dict(top_k=0), "top_k"),
    (dict(budget_s=-1.0), "budget_s"),
    (dict(budget_s=0), "budget_s"),
    (dict(budget=0), "budget"),
    (dict(budget=-5), "budget"),
    (dict(budget=1.5), "budget"),
    (dict(budget="lots"), "budget"),
    (dict(basis="zp"), "domain"),
])
def test_bad_arguments(kwargs, fragment):
    with pytest.raises(SynthError) as e:
        synthesize(Spec.from_table(0x96, 3), **kwargs)
    assert fragment in str(e.value)


def test_negative_memory_budget_is_an_error():
    """budget_s <= 0 and max_size < 0 are refused; a memory budget that cannot be met is too."""
    with pytest.raises(SynthError, match="max_entries"):
        synthesize(Spec.from_table(0x96, 3), max_entries=-5)


def test_zp_spec_with_boolean_basis():
    spec = Spec.from_examples([[0, 1], [2, 3]], [1, 5], p=7)
    with pytest.raises(SynthError, match="Z_7"):
        synthesize(spec, basis="xag")


def test_not_a_spec():
    with pytest.raises(SynthError):
        synthesize(0x96)


def test_census_errors():
    with pytest.raises(SynthError):
        synth.census(3, "nope", "formula")
    with pytest.raises(SynthError):
        synth.census(3, "xag", "dag")
    with pytest.raises(SynthError):
        synth.census(0, "xag", "formula")
    with pytest.raises(SynthError):
        synth.census(9, "xag", "circuit")


# ----------------------------------------------------------------------------------------------
# determinism
# ----------------------------------------------------------------------------------------------

def _stable(d: dict) -> dict:
    d = dict(d)
    d["stats"] = {k: v for k, v in d["stats"].items() if "second" not in k and "memory" not in k}
    return d


@pytest.mark.parametrize("mode", ["formula", "circuit"])
def test_same_call_same_result(mode):
    spec = Spec.from_program(Program.parse("or(and(x0, x1), xor(x1, x2))", 3), 0.6, seed=5)
    a = synthesize(spec, basis="aig", mode=mode).as_dict()
    b = synthesize(spec, basis="aig", mode=mode).as_dict()
    assert _stable(a) == _stable(b)
    assert a["spec"] == b["spec"]
    import json
    json.dumps(a)                                   # JSON-ready


def test_census_histograms():
    c = synth.census(3, "xag", "formula")
    assert c.exact and sum(c.histogram().values()) == 256
    assert c.size(0x96) == 2 and c.program(0x96).truth_table() == 0x96
    assert sum(c.npn_histogram().values()) == 14            # 14 NPN classes of 3-input functions
    d = synth.census(2, "aon", "circuit")
    assert sum(d.histogram().values()) == 16
    assert sum(d.npn_histogram().values()) == 12            # P classes: 16 functions, 4 swapped pairs
    assert math.isfinite(c.seconds)


def test_a_huge_max_size_ends_when_the_enumeration_is_complete():
    """`--max-size 1e12` built empty levels one by one (they cost no work units, so no budget stopped
    them): quadratic time, minutes at 5000. The search now stops once no larger size can add a function,
    with the same answer as a small max_size."""
    import time
    t = time.perf_counter()
    big = synthesize(Spec.from_table(0x96, 3), basis="xag", max_size=10**12)
    small = synthesize(Spec.from_table(0x96, 3), basis="xag", max_size=6)
    assert time.perf_counter() - t < 20
    assert big.exact and big.min_size == small.min_size == 2
    assert [str(p) for p in big.shortest] == [str(p) for p in small.shortest]
    assert big.searched_size < 100 and any("enumeration is complete" in n for n in big.notes)
    assert big.stats["saturated"] and big.truncation_mass == 0.0
    wide = synthesize(Spec.from_table(0x96, 3), basis="xag", slack=10**12)       # a case's synth.slack
    assert wide.exact and wide.min_size == 2 and wide.stats["saturated"]
    zp = Spec.from_examples([[0, 0], [1, 1], [2, 1]], [0, 2, 0], p=3)
    r = synthesize(zp, basis="zp", max_size=10**12)
    assert r.exact and r.min_size == synthesize(zp, basis="zp", max_size=5).min_size
    assert any("enumeration is complete" in n for n in r.notes)


def test_a_target_the_basis_cannot_build_is_an_answer_not_a_hang():
    """NOT in a basis of AND and OR only (monotone): no size gives it. The enumeration ran forever (and
    with a budget, the SAT stage crashed); now it answers that no consistent program exists."""
    mono = synth.define_basis("and_or_only", {"and": 1, "or": 1})
    r = synthesize(Spec.from_table(0b01, 1), basis=mono, budget=10**6)
    assert r.min_size is None and not r.exact and r.stats["saturated"]
    assert any("no size can give a consistent program" in n for n in r.notes)
    ok = synthesize(Spec.from_table(0b1000, 2), basis=mono, budget=10**6)     # and(x0, x1): reachable
    assert ok.exact and ok.min_size == 1
    # Z_4 (not a field): not every function of the points is a polynomial
    r = synthesize(Spec.from_examples([[0, 0], [1, 1], [2, 1], [3, 3]], [1, 2, 0, 1], p=4), basis="zp")
    assert r.min_size is None and any("no size can give a consistent program" in n for n in r.notes)
