"""Bounds carried between bases (`synth.transfer`) against brute force and the shipped censuses."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from reference import NAMED_BASES, ref_circuit_sizes, ref_formula_sizes
from synth import BASES, Basis, KnownBounds, Program, Spec, SynthError, synthesize
from synth import portfolio
from synth.census_store import circuit_census
from synth.portfolio import WARM_SIZES
from synth.transfer import lower_bound_carries, negations_needed, transfer_bounds


def bounds(source: str, mode: str, spec: Spec, lower: int, prog, deterministic: bool = True) -> KnownBounds:
    return KnownBounds(source, tuple(sorted(BASES[source].costs.items())), mode, spec.digest(examples_only=True),
                       lower, prog, deterministic)


def chain_drops(f: int, n: int) -> int:
    """The most 1-to-0 drops of f along a maximal chain 0 < ... < 1..1 (inputs switched on one at a time
    in every order): every chain of points refines to a maximal one with at least as many drops."""
    best = 0
    for order in itertools.permutations(range(n)):
        x, drops = 0, 0
        for i in order:
            y = x | (1 << i)
            drops += ((f >> x) & 1) and not ((f >> y) & 1)
            x = y
        best = max(best, drops)
    return best


def markov(f: int, n: int) -> int:
    return chain_drops(f, n).bit_length()      # ceil(log2(d + 1))


def test_negations_needed_equals_markov_on_every_function_of_3_inputs():
    assert [negations_needed(Spec.from_table(f, 3)) for f in range(256)] == [markov(f, 3) for f in range(256)]


def test_negations_needed_on_random_4_input_functions():
    rng = np.random.default_rng(4)
    for f in rng.integers(0, 1 << 16, size=60).tolist():
        assert negations_needed(Spec.from_table(f, 4)) == markov(f, 4), hex(f)
    assert negations_needed(Spec.from_table(0x6996, 4)) == 2         # parity of 4: 0,1,0,1,0 along a chain


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 255), st.integers(1, 255))
def test_negations_needed_of_a_partial_spec_holds_for_every_completion(f, rows):
    """Examples from a subset of the rows: the bound is at most Markov's number of every consistent function
    (brute force over the completions), and equals it for the function on all rows."""
    pts = [t for t in range(8) if (rows >> t) & 1]
    X = np.array([[(t >> i) & 1 for i in range(3)] for t in pts])
    y = np.array([(f >> t) & 1 for t in pts])
    bound = negations_needed(Spec.from_examples(X, y))
    free = [t for t in range(8) if not (rows >> t) & 1]
    least = min(markov((f & ~sum(1 << t for t in free)) | sum(1 << t for j, t in enumerate(free) if (c >> j) & 1), 3)
                for c in range(1 << len(free)))
    assert bound <= least
    if not free:
        assert bound == markov(f, 3)


def test_markov_bound_holds_in_the_aon_census():
    """The theorem behind the bound, on real data: an aon circuit of f has at least aig(f) AND/OR gates
    plus negations_needed(f) NOTs, for every function of 3 inputs (the shipped exact censuses)."""
    aon, aig = circuit_census("aon", 3), circuit_census("aig", 3)
    gaps = [int(aon.sizes[f]) - int(aig.sizes[f]) - negations_needed(Spec.from_table(f, 3)) for f in range(256)]
    assert min(gaps) == 0          # never below, and tight for some functions
    assert all(g >= 0 for g in gaps)


def test_which_lower_bounds_carry():
    carries = {(s, t) for s in NAMED_BASES for t in NAMED_BASES if lower_bound_carries(s, t)}
    # a source must have NOT free and each target gate must be a source gate up to negations: mig's and
    # mux's 3-input gates are no 2-input gate, and full's constant and projection gates are no xag gate
    assert carries == {("full", "xag"), ("full", "aig"), ("full", "aon"), ("full", "aoxn"), ("xag", "aig"),
                       ("xag", "aon"), ("xag", "aoxn"), ("aig", "aon")}


@pytest.mark.parametrize("mode", ["formula", "circuit"])
def test_transfer_is_sound_for_every_function_of_3_inputs(mode):
    """For each source basis that carries to aon: the carried lower bound is at most aon's exact minimum
    (brute force) and the translated program computes f and costs at least that minimum."""
    ref = ref_formula_sizes if mode == "formula" else ref_circuit_sizes
    aon = ref(3, "aon")
    sample = np.random.default_rng(3).choice(256, size=48, replace=False).tolist()
    for source, functions in (("xag", range(256)), ("aig", sample), ("full", sample)):
        src = ref(3, source)
        census = circuit_census(source, 3)
        tight = 0
        for f in functions:
            spec = Spec.from_table(f, 3)
            prog = census.program(f) if mode == "circuit" else synthesize(spec, basis=source, sat=False).program
            assert prog.size == src[f]
            t = transfer_bounds(spec, "aon", mode, [bounds(source, mode, spec, src[f], prog)])
            assert t.lower == src[f] + negations_needed(spec, mode) <= aon[f]
            assert t.program.basis_name == "aon" and t.program.size >= aon[f]
            assert int(t.program.evaluate(spec.X).astype(int) @ (1 << np.arange(8))) == f
            tight += t.lower == aon[f]
        assert tight >= len(functions) // 5, (source, tight)


def test_synthesize_proves_a_minimum_from_another_basis():
    """x0 AND NOT x1 among 12 inputs: xag proves 1 gate; aon's lower bound is then 1 + one NOT (the
    examples put a 1 below a 0: one drop, so one NOT in a formula), met by the translated and(x0, not(x1)); the enumerator, stopped at once,
    did not get there."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(400, 12))
    spec = Spec.from_examples(X, X[:, 0] & (1 - X[:, 1]))
    xag = synthesize(spec, basis="xag")
    assert (xag.exact, xag.min_size) == (True, 1)
    alone = synthesize(spec, basis="aon", budget=50, sat=False)
    assert not alone.exact and alone.lower_bound < 2
    r = synthesize(spec, basis="aon", budget=50, sat=False, known=[KnownBounds.of(xag)])
    assert (r.exact, r.min_size, r.lower_bound, r.proved_by) == (True, 2, 2, "transfer")
    assert str(r.program) == "and(x0, not(x1))"
    assert r.stats["transfer"]["lower"] == 2
    assert any("need 1 NOT gate (one per drop" in note for note in r.notes)


def test_known_bounds_never_change_an_exact_answer():
    rng = np.random.default_rng(1)
    for f in rng.integers(0, 256, size=12).tolist():
        spec = Spec.from_table(f, 3)
        kb = KnownBounds.of(synthesize(spec, basis="xag"))
        for b in ("aon", "aig", "aoxn"):
            assert synthesize(spec, basis=b, known=[kb]).min_size == synthesize(spec, basis=b).min_size


def test_known_bounds_of_another_spec_are_an_error_before_any_search():
    kb = KnownBounds.of(synthesize(Spec.from_table(0x6, 2), basis="xag"))
    with pytest.raises(SynthError, match="other examples"):
        synthesize(Spec.from_table(0x8, 2), basis="aon", known=[kb])
    with pytest.raises(SynthError, match="KnownBounds"):
        synthesize(Spec.from_table(0x8, 2), basis="aon", known=[{"basis": "xag"}])
    with pytest.raises(SynthError, match="sequence"):
        synthesize(Spec.from_table(0x8, 2), basis="aon", known=kb)


def test_known_bounds_round_trip():
    kb = KnownBounds.of(synthesize(Spec.from_table(0x96, 3), basis="xag"))
    assert KnownBounds.from_dict(kb.as_dict()) == kb
    assert kb.lower == 2 and str(kb.program) == "xor(x0, xor(x1, x2))"
    empty = KnownBounds("aig", tuple(sorted(BASES["aig"].costs.items())), "formula", "0" * 64, 3, None, False)
    assert KnownBounds.from_dict(empty.as_dict()) == empty


def test_negations_needed_rejects_what_it_cannot_bound():
    with pytest.raises(SynthError):
        negations_needed(Spec.from_tables([0x6, 0x8], 2))
    with pytest.raises(SynthError):
        negations_needed("0x6")


def test_translated_program_from_a_formula_is_a_circuit_upper_bound():
    spec = Spec.from_table(0x6996, 4)
    kb = bounds("xag", "formula", spec, 3, Program.parse("xor(xor(x0, x1), xor(x2, x3))", basis="xag"))
    t = transfer_bounds(spec, "aon", "circuit", [kb])
    assert t.lower == 0                     # a formula's lower bound says nothing about circuits
    assert t.program is not None and t.program.size >= int(circuit_census("aon", 3).sizes[0x96])


def test_sat_walk_warms_up_below_a_carried_bound(monkeypatch):
    """Parity of 4 in aon with xag's minimum (3) known: the carried bound is 3 + 2 NOTs = 5. With enough
    work left (WARM_WORK, here lowered to fit a test) the SAT walk starts at the enumerator's bound (2), at
    most WARM_SIZES below 5, refuting sizes it need not (they warm its session up); with less it starts at
    5. Either way the result keeps the carried bound, and the notes do not credit SAT with it."""
    spec = Spec.from_table(0x6996, 4)
    xag = synthesize(spec, basis="xag")
    cold = synthesize(spec, basis="aon", budget=2000, known=[KnownBounds.of(xag)])
    assert cold.stats["transfer"]["raised_from"] == 2 and cold.lower_bound == 5 and not cold.exact
    assert [t["size"] for t in cold.stats["sat"]["sizes_tried"]] == [5]
    assert any("did not raise the lower bound" in n for n in cold.notes)
    monkeypatch.setattr(portfolio, "WARM_WORK", 1000)
    warm = synthesize(spec, basis="aon", budget=2000, known=[KnownBounds.of(xag)])
    tried = warm.stats["sat"]["sizes_tried"]
    assert tried[0]["size"] == max(2, 5 - WARM_SIZES) == 2 and tried[0]["status"] == "unsat"
    assert warm.lower_bound == 5 and not warm.exact


def test_formula_negations_are_one_per_drop():
    """In a formula the NOTs are at least the drops d (not only log2(d + 1)): checked against brute force,
    the exact aon and aig formula minima of every 3-input function (aon >= aig + d, tight for some)."""
    aon, aig = ref_formula_sizes(3, "aon"), ref_formula_sizes(3, "aig")
    d = [negations_needed(Spec.from_table(f, 3), "formula") for f in range(256)]
    assert d == [chain_drops(f, 3) for f in range(256)]
    gaps = [aon[f] - aig[f] - d[f] for f in range(256)]
    assert min(gaps) == 0 and max(d) == 2
    assert negations_needed(Spec.from_table(0x6996, 4), "formula") == 2
    parity6 = sum(1 << t for t in range(64) if bin(t).count("1") % 2)
    assert negations_needed(Spec.from_table(parity6, 6), "formula") == 3
    assert negations_needed(Spec.from_table(parity6, 6), "circuit") == 2


def test_a_user_basis_carries_by_its_costs_not_its_name():
    """A user basis may reuse a built-in name: its bounds carry by its own costs (here AND costs 5, more
    than aon's 1, so nothing carries), and an unregistered name works."""
    spec = Spec.from_table(0x8, 2)                               # x0 AND x1
    costly = Basis("xag", {g: 5 for g in BASES["xag"].costs if g != "not"} | {"not": 0})
    res = synthesize(spec, basis=costly)
    assert (res.min_size, res.exact) == (5, True)
    r = synthesize(spec, basis="aon", known=[KnownBounds.of(res)])
    assert (r.min_size, r.exact, r.lower_bound) == (1, True, 1)
    assert synthesize(spec, basis="aon", max_size=0, known=[KnownBounds.of(res)]).lower_bound <= 1
    mine = Basis("mine", {"and": 1, "or": 1, "xor": 1, "not": 0})
    kb = KnownBounds.of(synthesize(Spec.from_table(0x6, 2), basis=mine))
    assert kb.basis_object.costs == mine.costs
    t = transfer_bounds(Spec.from_table(0x6, 2), "aoxn", "formula", [kb])
    assert t.lower == 1 and t.program is not None


def test_a_basis_without_a_translation_still_answers():
    spec = Spec.from_table(0xe8, 3)                              # majority: monotone
    mono = Basis("mono", {"and": 1, "or": 1})
    kb = KnownBounds.of(synthesize(spec, basis="mig"))
    r = synthesize(spec, basis=mono, known=[kb])
    assert (r.min_size, r.exact) == (4, True)


def test_bounds_from_a_valve_stopped_search_make_the_result_machine_dependent():
    spec = Spec.from_table(0x6996, 4)
    xag = synthesize(spec, basis="xag")
    kb = bounds("xag", "formula", spec, xag.min_size, xag.program, deterministic=False)
    r = synthesize(spec, basis="aon", budget=2000, known=[kb])
    assert r.lower_bound == 5 and r.deterministic is False
    assert any("wall-clock valve" in n for n in r.notes)


def test_known_bounds_whose_program_does_not_fit_are_an_error():
    spec = Spec.from_table(0x8, 2)
    with pytest.raises(SynthError, match="does not fit"):
        synthesize(spec, basis="aon", known=[bounds("xag", "formula", spec, 1, Program.parse("xor(x0, x1)", 2))])
    with pytest.raises(SynthError, match="below the lower bound"):
        synthesize(spec, basis="aon", known=[bounds("xag", "formula", spec, 3, Program.parse("and(x0, x1)", 2))])
    assert synthesize(spec, basis="aon", known=None).min_size == 1


def test_bounds_carry_between_specs_with_the_same_examples():
    """The bounds depend on the examples only: the same examples with other held-out queries accept them."""
    X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    a = Spec.from_examples(X, X[:, 0] ^ X[:, 1])
    b = Spec.from_examples(X, X[:, 0] ^ X[:, 1], queries=np.array([[1, 1, 0]]))
    assert a.digest() != b.digest() and a.digest(examples_only=True) == b.digest(examples_only=True)
    kb = KnownBounds.of(synthesize(a, basis="xag"))
    assert synthesize(b, basis="aon", known=[kb]).min_size is not None
