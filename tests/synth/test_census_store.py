"""Tests of synth.census_store: the shipped exact circuit censuses (n = 3 and 4, every named basis),
their files, the user cache, and lookups.

Oracles: the n = 3 brute force of `tests/reference.py` (shares no search code with synth); evaluation
of every stored circuit; orderings between bases that hold function by function because one basis'
gates stand in for another's at no more cost; the duality invariance of `aon`; x3-free functions of
4 inputs against the n = 3 census; Knuth's published table for `full`; and, in the slow tests, sizes
re-proven from scratch (the independent SAT baseline for `full`, the SAT engine for the others).

Run: python -m pytest tests/test_census_store.py -q   (add -m slow for the re-proofs)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth.census_store as cs
from synth import Spec, census
from synth.budget import Budget
from synth.restriction import fixed_input_bounds
from synth.sat import sat_minimum
from synth.circuits import circuit_cost, evaluate_circuit, exact_circuits, npn_canonical
from synth.dsl import define_basis
from synth.errors import SynthError

from reference import NAMED_BASES, ref_circuit_sizes

BENCH = Path(__file__).resolve().parents[2] / "bench"
KNUTH_FUNCTIONS = {0: 10, 1: 60, 2: 456, 3: 2474, 4: 10624, 5: 24184, 6: 25008, 7: 2720}
KNUTH_CLASSES = {0: 2, 1: 2, 2: 5, 3: 20, 4: 34, 5: 75, 6: 72, 7: 12}
CLASSES = {("npn", 3): 14, ("npn", 4): 222, ("p", 3): 80, ("p", 4): 3984, ("pd", 3): 46, ("pd", 4): 2032}
SHIPPED = [(b, n) for n in cs.SHIPPED_N for b in NAMED_BASES if cs.shipped_path(b, n).exists()]


def shipped(basis: str, n: int) -> cs.CircuitCensus:
    if not cs.shipped_path(basis, n).exists():
        pytest.skip(f"no shipped census for {basis} n={n}")
    return cs.circuit_census(basis, n)


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    """A private user cache folder and an empty in-process cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cs, "_LOADED", {})
    return tmp_path / "cache" / "occam-circuits"


# ------------------------------------------------------------------------------------------------
# shipped data
# ------------------------------------------------------------------------------------------------


# What the package ships today. aon at n = 4 is not shipped: the SAT proofs of its open classes take hours
# (a query builds what it needs within its budget, then SAT).
NOT_SHIPPED = {("aon", 4)}


def test_shipped_files():
    missing = {(b, n) for n in cs.SHIPPED_N for b in NAMED_BASES if not cs.shipped_path(b, n).exists()}
    assert missing == NOT_SHIPPED


@pytest.mark.parametrize("basis,n", SHIPPED)
def test_shipped_census_loads_and_verifies(basis, n):
    cc = shipped(basis, n)
    assert cc.n == n and cc.basis == basis
    assert cc.exact and cc.upper is None
    assert cc.sizes.shape == (1 << (1 << n),) and cc.sizes.dtype == np.int16 and cc.sizes.min() >= 0
    assert not cc.sizes.flags.writeable
    assert len(cc.class_reps) == CLASSES[cc.symmetry, n]
    assert sum(cc.histogram().values()) == 1 << (1 << n)
    assert set(cc.proof_counts()) <= set(cs.PROOFS)
    cs.verify_circuit_census(cc, basis)   # every stored circuit computes its class at its stored size


def test_aig_has_the_class_histogram_of_mockturtles_database():
    """The aig census (41 of its classes proven by SAT) counts as many NPN classes per size as mockturtle's
    npn4_aig.db (not claimed optimal there; ours is proven, and no class is cheaper in either)."""
    assert shipped("aig", 4).class_histogram() == _bench("make_census4").AIG_DATABASE_CLASSES
    assert shipped("aig", 4).proof_counts() == {"census": 136, "census-level": 45, "sat": 41}
    assert shipped("aig", 4).cost(0x1681) == 10 and shipped("aig", 4).cost(0x6996) == 9


def test_full_reproduces_knuths_table():
    cc = shipped("full", 4)
    assert cc.histogram() == KNUTH_FUNCTIONS
    assert cc.class_histogram() == KNUTH_CLASSES
    assert cc.cost(0x6996) == 3 and cc.cost(0x8000) == 3 and cc.cost(0xaaaa) == 0


@pytest.mark.parametrize("basis", [b for b in NAMED_BASES if b != "aon"])
def test_n3_equals_brute_force(basis):
    ref = ref_circuit_sizes(3, basis)
    assert [int(s) for s in shipped(basis, 3).sizes] == [ref[t] for t in range(256)]


@pytest.mark.slow
def test_n3_aon_equals_brute_force():
    ref = ref_circuit_sizes(3, "aon")
    assert [int(s) for s in shipped("aon", 3).sizes] == [ref[t] for t in range(256)]


@pytest.mark.parametrize("n", cs.SHIPPED_N)
def test_orderings_between_bases(n):
    """Substituting one basis' gates for another's never costs more: xag <= aig (aig's gates are xag's),
    mig <= aig (maj(a, b, 0) = AND), mux <= aig (ite(a, b, 0) = AND), aig <= aon, xag <= aoxn,
    aoxn <= aon; full = xag (with free negation every 2-input gate is AND-like or XOR-like)."""
    s = {b: shipped(b, n).sizes for b in NAMED_BASES if cs.shipped_path(b, n).exists()}
    for a, b in [("xag", "aig"), ("mig", "aig"), ("mux", "aig"), ("aig", "aon"), ("xag", "aoxn"),
                 ("aoxn", "aon")]:
        if a in s and b in s:
            assert (s[a] <= s[b]).all(), (a, b)
    assert (s["full"] == s["xag"]).all()


def test_aon_is_invariant_under_duality():
    """Swapping AND and OR computes NOT f(NOT x) at the same cost: checked on the census engine's own
    sizes (it classes aon functions by input permutations only), which justifies the "pd" classes."""
    sizes = exact_circuits(3, "aon").sizes
    f = np.arange(256)
    dual = np.zeros_like(f)
    for t in range(8):
        dual |= (1 - ((f >> (t ^ 7)) & 1)) << t
    assert (sizes == sizes[dual]).all()
    assert (shipped("aon", 3).sizes == sizes).all()


@pytest.mark.parametrize("basis", NAMED_BASES)
def test_functions_ignoring_x3_cost_as_with_three_inputs(basis):
    t3 = np.arange(256)
    assert (shipped(basis, 4).sizes[t3 | (t3 << 8)] == shipped(basis, 3).sizes[t3]).all()   # none open


def test_symmetry_of_each_basis():
    """NPN where negation is free; aon is self-dual (AND <-> OR), aoxn is not (XOR's dual is XNOR)."""
    assert {b: shipped(b, 3).symmetry for b in NAMED_BASES} == {
        "full": "npn", "aig": "npn", "xag": "npn", "mig": "npn", "mux": "npn", "aon": "pd", "aoxn": "p"}


@pytest.mark.parametrize("basis,n", [(b, 4) for b in NAMED_BASES] + [("aon", 3), ("aoxn", 3)])
def test_random_witnesses_compute_their_function_at_their_size(basis, n):
    cc = shipped(basis, n)
    full = (1 << (1 << n)) - 1
    rng = np.random.default_rng(0)
    for f in [0, full, 0xaaaa & full, 0x5555 & full, 0x6996 & full, 0xe8e8 & full] + \
            rng.integers(0, full + 1, 200).tolist():
        nodes, out = cc.witness(int(f))
        assert evaluate_circuit(nodes, out, n) == f
        assert circuit_cost(nodes, basis) == cc.cost(int(f))
        p = cc.program(int(f))
        assert p.truth_table() == f and p.size == cc.cost(int(f))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 0xffff))
def test_class_transform_agrees_with_npn_canonical(f):
    rep, tr = cs.class_transform(f, 4, "npn")
    assert rep == npn_canonical(f, 4)[0] and tr.apply(rep, 4) == f
    rep_p, tr_p = cs.class_transform(f, 4, "p")
    assert tr_p.neg_inputs == 0 and not tr_p.neg_output and tr_p.apply(rep_p, 4) == f and rep_p <= f
    rep_d, tr_d = cs.class_transform(f, 4, "pd")
    assert tr_d.apply(rep_d, 4) == f and rep_d <= rep_p
    assert (tr_d.neg_inputs, tr_d.neg_output) in ((0, False), (0xf, True))


def test_lookup_errors():
    cc = shipped("full", 4)
    for bad in (-1, 1 << 16, 1.5, True, "0x1"):
        with pytest.raises(SynthError, match="truth table"):
            cc.cost(bad)
    with pytest.raises(SynthError, match="not Boolean"):
        cs.circuit_census("zp")
    with pytest.raises(SynthError, match="number of inputs"):
        cs.circuit_census("full", 5)
    with pytest.raises(SynthError, match="unknown basis"):
        cs.circuit_census("nope")


def test_dict_round_trip():
    cc = shipped("mux", 3)
    back = cs.CircuitCensus.from_dict(json.loads(json.dumps(cc.as_dict())))
    assert np.array_equal(back.sizes, cc.sizes) and back.costs == cc.costs
    assert [back.circuit(k) for k in range(len(back.class_reps))] == \
        [cc.circuit(k) for k in range(len(cc.class_reps))]


# ------------------------------------------------------------------------------------------------
# the aon proof arguments of bench/make_census4.py, checked where everything is known (n = 3)
# ------------------------------------------------------------------------------------------------


def _bench(name: str):
    sys.path.insert(0, str(BENCH))
    return __import__(name)


def test_aon_lower_bounds_hold_at_three_inputs():
    m = _bench("make_census4")
    aon, aig, aoxn = (shipped(b, 3).sizes for b in ("aon", "aig", "aoxn"))
    aon2 = cs.circuit_census("aon", 2).sizes
    inputs = {0xaa, 0xcc, 0xf0}
    for f in range(256):
        assert aig[f] + m.markov_nots(f, 3) <= aon[f] and aoxn[f] <= aon[f]
        if f not in inputs:
            for i in range(3):
                if m.restrict(f, 3, i, 0) != m.restrict(f, 3, i, 1):
                    assert 1 + max(aon2[m.restrict(f, 3, i, c)] for c in (0, 1)) <= aon[f], (hex(f), i)
    # monotone functions need no NOT; parity drops once along a chain of 3 inputs, twice along 4
    assert m.markov_nots(0xe8, 3) == 0 and m.markov_nots(0x55, 3) == 1 and m.markov_nots(0x96, 3) == 1
    assert m.markov_nots(0x6996, 4) == 2


def test_aig_to_aon_and_the_polarity_sat_agree_with_the_census():
    m, ax = _bench("make_census4"), _bench("aon_exact")
    aon, aig = shipped("aon", 3), shipped("aig", 3)
    for f in np.random.default_rng(4).choice(aon.class_reps, 12, replace=False).tolist():
        nodes, out = m.aig_to_aon(*aig.witness(f), 3)
        assert evaluate_circuit(nodes, out, 3) == f and circuit_cost(nodes, "aon") >= aon.cost(f)
        if aig.cost(f) == 0:
            continue
        size, lower, circ = ax.aon_minimum(f, 3, lower=int(aig.cost(f)) + m.markov_nots(f, 3), upper=None,
                                           aig_size=int(aig.cost(f)), markov=m.markov_nots(f, 3))
        assert size == lower == aon.cost(f), hex(f)
        assert evaluate_circuit(*circ, 3) == f and circuit_cost(circ[0], "aon") == size


# ------------------------------------------------------------------------------------------------
# files and the user cache
# ------------------------------------------------------------------------------------------------


def test_damaged_shipped_file_is_a_clear_error(tmp_path):
    src = cs.shipped_path("xag", 3)
    cases = {
        "truncated": src.read_bytes()[:200],
        "garbage": b"not a zip file at all",
        "empty": b"",
    }
    for name, data in cases.items():
        p = tmp_path / f"{name}.npz"
        p.write_bytes(data)
        with pytest.raises(SynthError, match=str(p)):
            cs.load_circuit_census(p, "xag")
    # a readable file with an array of the wrong shape, or a size that disagrees with its class
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for key, value, why in [("sizes", arrays["sizes"][:100], "array 'sizes'"),
                            ("class_sizes", arrays["class_sizes"] + 1, "disagree"),
                            ("class_reps", arrays["class_reps"].astype(np.int64), "array 'class_reps'")]:
        p = tmp_path / f"bad_{key}.npz"
        np.savez_compressed(p, **{**arrays, key: value})
        with pytest.raises(SynthError, match=why):
            cs.load_circuit_census(p, "xag")
    with pytest.raises(SynthError, match="does not exist"):
        cs.load_circuit_census(tmp_path / "missing.npz")


def test_file_for_other_costs_is_never_read_as_this_basis():
    with pytest.raises(SynthError, match="stale"):
        cs.load_circuit_census(cs.shipped_path("xag", 3), "aig")
    renamed = define_basis("xag", {"and": 1, "xor": 2, "not": 0})   # same name, other costs
    with pytest.raises(SynthError, match="stale"):
        cs.load_circuit_census(cs.shipped_path("xag", 3), renamed)


def test_user_basis_is_built_cached_and_rebuilt_when_damaged(user_cache):
    b = define_basis("and_xor", {"and": 1, "xor": 1})   # NOT costs (xor with the free constant 1)
    cc = cs.circuit_census(b, 3)
    assert cc.exact and cc.symmetry == "p" and cc.cost(0x55) == 1 and cc.cost(0x96) == 2
    files = list(user_cache.glob("circuits3_and_xor_*.npz"))
    assert len(files) == 1 and not list(user_cache.glob(".*.tmp"))
    cs.verify_circuit_census(cs.load_circuit_census(files[0], b), b)
    # a new process reads the file instead of building
    cs._LOADED.clear()
    again = cs.circuit_census(b, 3)
    assert again.source == str(files[0]) and np.array_equal(again.sizes, cc.sizes)
    # a damaged cache file is rebuilt, and rewritten whole
    files[0].write_bytes(files[0].read_bytes()[:100])
    cs._LOADED.clear()
    rebuilt = cs.circuit_census(b, 3)
    assert rebuilt.source == "" and np.array_equal(rebuilt.sizes, cc.sizes)
    assert cs.load_circuit_census(files[0], b).exact
    # other costs under the same name get their own file
    cs.circuit_census(define_basis("and_xor", {"and": 1, "xor": 2}), 3)
    assert len(list(user_cache.glob("circuits3_and_xor_*.npz"))) == 2


def test_partial_census_keeps_proven_bounds(tmp_path):
    """A census cut short (tiny census budget, a prover that gives up) keeps what is proven: exact sizes
    where the census finished, proven bounds elsewhere, and it round-trips through a file."""
    def give_up(rep, lower, upper):
        return None, lower, None, 0
    cc = cs.build_circuit_census("aon", 3, census_budget=20_000, prover=give_up)
    assert not cc.exact and cc.upper is not None and "classes without a proven size" in cc.note
    full = exact_circuits(3, "aon").sizes
    known = cc.sizes >= 0
    assert known.any() and (~known).any() and (cc.sizes[known] == full[known]).all()
    assert (full[~known] > cc.complete_level).all()
    for f in np.flatnonzero(~known)[:20].tolist():
        lo, up = cc.bounds(f)
        assert lo <= full[f] and (up < 0 or full[f] <= up)
        with pytest.raises(SynthError, match="not proven"):
            cc.witness(f)
    back = cs.load_circuit_census(cs.save_circuit_census(cc, tmp_path / "partial.npz"), "aon")
    cs.verify_circuit_census(back, "aon")
    assert np.array_equal(back.class_lower, cc.class_lower) and np.array_equal(back.sizes, cc.sizes)


def test_prover_in_worker_processes_gives_the_same_census(tmp_path):
    """The open classes proven by `SatProver` in two worker processes give the census one process gives,
    and both equal the exhaustive census; a checkpoint written on the way holds every open class."""
    ckpt = tmp_path / "aon3.jsonl"
    one = cs.build_circuit_census("aon", 3, census_budget=20_000)
    two = cs.build_circuit_census("aon", 3, census_budget=20_000, jobs=2, checkpoint=ckpt)
    assert two.stages["open_classes"] > 10 and one.exact and two.exact
    assert np.array_equal(one.sizes, two.sizes) and np.array_equal(one.sizes, exact_circuits(3, "aon").sizes)
    assert len(ckpt.read_text().splitlines()) == two.stages["open_classes"]
    with pytest.raises(SynthError, match="jobs must be a positive int"):
        cs.build_circuit_census("aon", 3, jobs=0)
    with pytest.raises(SynthError, match="a shared Budget cannot be shared across worker processes"):
        cs.build_circuit_census("aon", 3, jobs=2, sat_budget=Budget(work=10**9))


class _FailingProver:
    """A prover for worker processes that records each call in a file, then raises."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self, rep, lower, upper):
        with open(self.path, "a") as fh:
            fh.write(f"{rep}\n")
        raise RuntimeError(f"prover failed on {rep:#x}")


def test_a_failing_worker_stops_the_build_without_proving_the_rest(tmp_path):
    calls = tmp_path / "calls.txt"
    with pytest.raises(RuntimeError, match="prover failed on"):
        cs.build_circuit_census("aon", 3, census_budget=20_000, prover=_FailingProver(calls), jobs=2)
    open_classes = cs.build_circuit_census("aon", 3, census_budget=20_000).stages["open_classes"]
    assert open_classes > 10 and len(calls.read_text().splitlines()) < open_classes


def test_checkpoint_resumes_a_class_left_open(tmp_path):
    """A class the prover left open is checkpointed with its proven lower bound; a rerun starts there (the
    second prover is asked from that bound up) and a settled class is not proven again."""
    ckpt = tmp_path / "aon3.jsonl"
    asked = []

    def first(rep, lower, upper):       # SAT at the cost it is given only: a circuit, or that cost refuted
        size, lo, circ, used = cs.SatProver("aon", 3)(rep, lower, lower + 1)
        return (size if circ is not None else None), lo, circ, used

    def second(rep, lower, upper):
        asked.append((rep, lower))
        return cs.SatProver("aon", 3)(rep, lower, upper)

    a = cs.build_circuit_census("aon", 3, census_budget=20_000, prover=first, checkpoint=ckpt)
    opened = {int(r): int(lo) for r, lo, sz in zip(a.class_reps, a.class_lower, a.class_sizes) if sz < 0}
    lines = [json.loads(line) for line in ckpt.read_text().splitlines()]
    assert {d["lower_proof"] for d in lines if d["proof"] == "open"} == {"sat"}     # the prover raised them
    assert opened and not a.exact and all(lo >= a.stages["census_complete_level"] + 2 for lo in opened.values())
    b = cs.build_circuit_census("aon", 3, census_budget=20_000, prover=second, checkpoint=ckpt)
    assert b.exact and np.array_equal(b.sizes, exact_circuits(3, "aon").sizes)
    assert {r for r, _ in asked} <= set(opened) and all(lo == opened[r] for r, lo in asked)
    cs.build_circuit_census("aon", 3, census_budget=20_000, prover=second, checkpoint=ckpt)
    assert len(asked) == len(set(asked))           # the third run proves nothing again
    ckpt.write_text(ckpt.read_text() + '{"n": 3, "costs": {}, "rep": 1\n')
    with pytest.raises(SynthError, match="line .* is damaged"):
        cs.build_circuit_census("aon", 3, census_budget=20_000, prover=second, checkpoint=ckpt)


@pytest.mark.parametrize("probe", [0, cs.PROBE_WORK])
def test_sat_prover_from_a_loose_upper_bound(probe):
    """`SatProver` handed a circuit far above the minimum (the probes without symmetry breaking walk it
    down, or the walk up refutes from the lower bound) returns the brute-force minimum and a circuit of
    that cost computing the function; a shared Budget is charged for the probes."""
    ref = ref_circuit_sizes(3, "aig")
    prover = cs.SatProver("aig", 3, probe=probe)
    for f in (0x96, 0xe8, 0x6b, 0x1e):
        size, lower, circ, used = prover(f, 1, ref[f] + 4)
        assert size == lower == ref[f] and used > 0
        assert evaluate_circuit(circ[0], circ[1], 3) == f and circuit_cost(circ[0], "aig") == ref[f]
    bud = Budget(work=None)
    cs.SatProver("aig", 3, bud, probe=probe)(0x96, 1, 12)
    assert bud.used > 0
    # unequal costs: a probe's "unsat" at cost 7 (3 steps at most) is no proof; two XORs cost 6
    ax = define_basis("ax", {"and": 2, "xor": 3, "not": 0})
    want = int(exact_circuits(3, ax).sizes[0x96])
    assert want == 6 and cs.SatProver(ax, 3, probe=probe)(0x96, 1, 8)[:2] == (want, want)


@pytest.mark.parametrize("basis", ["aig", "xag"])
def test_fixed_input_lower_is_the_cofactor_minimum(basis):
    """`fixed_input_lower`: per input, the larger brute-force minimum of the two cofactors (n = 3 from the
    independent reference); `cofactor` against evaluation row by row."""
    ref = ref_circuit_sizes(2, basis)
    rng = np.random.default_rng(3)
    for f in rng.integers(0, 256, 40).tolist():
        for a in range(3):
            for c in (0, 1):
                g = cs.cofactor(f, 3, a, c)
                rows = [t for t in range(8) if (t >> a) & 1 == c]
                assert [(g >> i) & 1 for i in range(4)] == [(f >> t) & 1 for t in rows]
        want = tuple(max(int(ref[cs.cofactor(f, 3, a, c)]) for c in (0, 1)) for a in range(3))
        assert cs.fixed_input_lower(f, 3, basis) == want
    for f in rng.integers(0, 1 << 16, 40).tolist():  # the truth-table case of the restriction engine's bound
        assert cs.fixed_input_lower(f, 4, basis) == fixed_input_bounds(Spec.from_table(f, 4), basis, "circuit")


def test_nothing_is_written_into_the_package(user_cache):
    before = sorted(p.name for p in cs.DATA_DIR.iterdir())
    cs.circuit_census(define_basis("or_xor", {"or": 1, "xor": 1}), 3)
    assert sorted(p.name for p in cs.DATA_DIR.iterdir()) == before


def test_warm_lookup_is_cached_in_process():
    a = shipped("full", 4)
    assert cs.circuit_census("full", 4) is a


# ------------------------------------------------------------------------------------------------
# slow: sizes re-proven from scratch
# ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_full_sizes_reproven_by_the_independent_sat_baseline():
    sat_baseline = _bench("sat_baseline")
    cc = shipped("full", 4)
    for f in np.random.default_rng(1).integers(0, 1 << 16, 200).tolist():
        assert sat_baseline.sat_min_circuit_size(int(f), 4)[0] == cc.cost(int(f)), hex(f)


@pytest.mark.slow
@pytest.mark.parametrize("basis", [b for b in NAMED_BASES if b != "full"])
def test_sizes_reproven_by_the_sat_engine(basis):
    sat = pytest.importorskip("synth.sat")
    from synth.spec import Spec
    cc = shipped(basis, 4)
    for f in np.random.default_rng(2).integers(0, 1 << 16, 200).tolist():
        if basis == "aig" and cc.cost(int(f)) > 8:
            continue          # 9 or 10 gates: SAT minutes each from cost 0 (the build's 41 "sat" classes)
        res = sat.sat_minimum(Spec.from_table(int(f), 4), basis, mode="circuit")
        assert res.exact and res.min_size == cc.cost(int(f)), hex(f)
        assert res.program is None or res.program.truth_table() == f


# ------------------------------------------------------------------------------------------------
# shipped formula censuses (4 inputs: aig, aon, mig, mux; bench/make_formulas4.py)
# ------------------------------------------------------------------------------------------------

FORMULA_SHIPPED = ("aig", "aon", "mig", "mux")


def test_formula_census_files_are_shipped_and_load():
    for b in FORMULA_SHIPPED:
        sizes = cs.load_formula_sizes(cs.formula_path(b, 4), b)
        assert sizes.shape == (1 << 16,) and sizes.min() == 0
        assert sizes[0xAAAA] == 0 and sizes[0x8888] == 1          # x0; x0 AND x1


@pytest.mark.parametrize("basis", FORMULA_SHIPPED)
def test_shipped_formula_sizes_are_the_sat_minima(basis):
    # the SAT engine (another engine than the enumerator that built the file) on a seeded sample
    rng = np.random.default_rng(7)
    sizes = cs.shipped_formula_sizes(basis, 4)
    funcs = [int(t) for t in rng.integers(0, 1 << 16, 200) if sizes[t] <= {"aon": 8}.get(basis, 6)][:6]
    assert len(funcs) >= 3
    for t in funcs:
        r = sat_minimum(Spec.from_table(t, 4), basis, mode="formula")
        assert r.exact and r.min_size == sizes[t], hex(t)


def test_formula_census_orderings_and_aon_duality():
    s = {b: census(4, b, "formula").sizes.astype(int) for b in ("xag", "aoxn") + FORMULA_SHIPPED}
    for lo, hi in [("xag", "aig"), ("mig", "aig"), ("mux", "aig"), ("aig", "aon"), ("aoxn", "aon")]:
        assert (s[lo] <= s[hi]).all(), (lo, hi)
    m = 16
    t = np.arange(1 << m, dtype=np.int64)
    dual = sum((1 - ((t >> (u ^ (m - 1))) & 1)) << u for u in range(m))
    assert (s["aon"] == s["aon"][dual]).all()
    for b in ("aig", "mig", "mux"):               # a circuit costs no more than a formula
        assert (cs.circuit_census(b, 4).lower <= s[b]).all()


def test_census_reads_the_shipped_formula_file_and_finds_its_programs():
    c = census(4, "aon", "formula")
    assert c.exact and "shipped" in c.notes[0] and c.budget["used"] == 0
    rng = np.random.default_rng(3)
    small = [int(t) for t in rng.integers(0, 1 << 16, 400) if 4 <= c.size(int(t)) <= 7][:3]
    for t in [0xE8E8] + small:
        p = c.program(t)
        assert p.size == c.size(t) and p.is_tree()
        assert p.truth_table() == t
    # the same sizes, by enumeration, for the functions of 3 inputs embedded in 4
    three = census(3, "aon", "formula")
    for t3 in range(256):
        assert c.size(t3 | t3 << 8) == three.size(t3)


def test_a_basis_with_the_same_steps_shares_the_formula_file():
    # AND and OR at cost 1 with NOT free are aig's steps: the same census
    gates = define_basis("and_or_free_not", {"and": 1, "or": 1, "not": 0})
    assert np.array_equal(cs.shipped_formula_sizes(gates, 4), cs.shipped_formula_sizes("aig", 4))
    assert cs.shipped_formula_sizes(define_basis("and_or_not2", {"and": 1, "or": 1, "not": 2}), 4) is None
    assert cs.shipped_formula_sizes("xag", 4) is None and cs.shipped_formula_sizes("aig", 3) is None


def test_damaged_or_foreign_formula_file_is_a_clear_error(tmp_path):
    for name, data in {"garbage": b"not a zip", "empty": b""}.items():
        p = tmp_path / f"{name}.npz"
        p.write_bytes(data)
        with pytest.raises(SynthError, match=str(p)):
            cs.load_formula_sizes(p, "aig")
    with pytest.raises(SynthError, match="built for costs"):
        cs.load_formula_sizes(cs.formula_path("aig", 4), "aon")
    sizes = cs.load_formula_sizes(cs.formula_path("aig", 4), "aig")
    p = cs.save_formula_sizes(sizes, "aig", 4, 0, tmp_path / "ok.npz")
    assert np.array_equal(cs.load_formula_sizes(p, "aig"), sizes)
    with np.load(p, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    bad = tmp_path / "short.npz"
    np.savez_compressed(bad, **{**arrays, "sizes": arrays["sizes"][:10]})
    with pytest.raises(SynthError, match="damaged"):
        cs.load_formula_sizes(bad, "aig")
    with pytest.raises(SynthError, match="sizes >= 0"):
        cs.save_formula_sizes(sizes[:10], "aig", 4, 0, tmp_path / "no.npz")
