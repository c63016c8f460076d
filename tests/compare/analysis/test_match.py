"""The comparator: planted programs and networks whose answers are known."""

import math

import numpy as np
import pytest

import synth
from compare import CompareError, make_task
from compare.analysis.matching import (binomial_log10_sf, compare_programs, match, min_degree_interpolator,
                                       nearest_neighbour)


@pytest.fixture(scope="module")
def parity6():
    task = make_task("parity", n=6, k=3, train_fraction=0.5, seed=0)
    return task, synth.synthesize(task.train_spec(), basis="xag")


def test_binomial_tail_against_direct_sum():
    for k, n in [(0, 5), (3, 5), (5, 5), (7, 20)]:
        direct = sum(math.comb(n, j) for j in range(k, n + 1)) / 2 ** n
        assert binomial_log10_sf(k, n, 0.5) == pytest.approx(math.log10(direct), abs=1e-9)
    assert binomial_log10_sf(4096, 4096, 0.5) == pytest.approx(-4096 * math.log10(2))


def test_shortest_program_itself_matches_everything(parity6):
    task, syn = parity6
    c = match(synth.Program.parse("xor(x0, xor(x1, x2))", 6), syn, task)
    assert c.implements_shortest
    assert c.function.shortest_best == 1.0 and c.function.target == 1.0
    assert c.complexity.net_min_size == 2 == c.complexity.shortest_size
    assert c.complexity.rank == 1
    assert c.structure.isomorphic and c.structure.support_jaccard == 1.0
    assert c.structure.graph_edit_distance == 0.0
    assert "implements the shortest program" in c.verdict and "100.0%" in c.verdict
    assert c.baselines.random_consistent == 0.5 and c.baselines.shortest_log10_p < -5


def test_a_different_function_is_not_the_shortest(parity6):
    task, syn = parity6
    c = match(synth.Program.parse("xor(x0, x1)", 6), syn, task)     # misfits training points
    assert not c.implements_shortest
    assert c.function.train_accuracy < 1.0
    assert c.complexity.rank is None and "not consistent" in c.complexity.rank_note
    assert c.structure.support_jaccard == pytest.approx(2 / 3)
    assert "does NOT implement" in c.verdict


def test_shared_intermediate_functions_up_to_negation(parity6):
    task, syn = parity6
    # xnor(x1, x2) is the negation of the shortest program's inner xor(x1, x2)
    c = match(synth.Program.parse("xnor(x0, xnor(x1, x2))", 6, basis="xag"), syn, task)
    assert c.structure.shared_intermediate == 1.0


def test_baselines_on_known_data():
    X = np.array([[0, 0], [1, 1]])
    y = np.array([0, 1])
    assert nearest_neighbour(X, y, np.array([[0, 1], [1, 1]])).tolist() == [0, 1]   # tie -> majority -> 0
    Xa = ((np.arange(8)[:, None] >> np.arange(3)) & 1)
    ya = Xa[:, 0] ^ Xa[:, 1]
    pred, deg = min_degree_interpolator(Xa[:6], ya[:6], Xa[6:])
    assert deg == 2 and pred.tolist() == ya[6:].tolist()


def test_compare_programs_equivalent_but_different_structure():
    d = compare_programs("xor(x0, x1)", "or(and(x0, not(x1)), and(not(x0), x1))", n_inputs=2)
    assert d["equivalent"] and d["agreement"] == 1.0
    assert not d["isomorphic"] and d["size_a"] < d["size_b"]
    with pytest.raises(CompareError, match="cannot parse program A"):
        compare_programs("xor(x0,", "x1")


def test_match_rejects_wrong_inputs(parity6):
    task, syn = parity6
    with pytest.raises(CompareError, match="SynthesisResult"):
        match(synth.Program.parse("x0", 6), "not a synthesis", task)
    with pytest.raises(CompareError, match="inputs"):
        match(synth.Program.parse("x0", 4), syn, make_task("parity", n=4, k=2))



def test_verdict_consistent_but_larger_function_is_no(parity6):
    """A function that fits the training half but is larger than the shortest: its proven minimal size
    exceeds the shortest consistent size, so the verdict is "no"."""
    task, syn = parity6
    labels = task.labels.astype(np.int64).copy()
    held = np.setdiff1d(np.arange(task.domain_size), task.train_idx)
    labels[held[:3]] ^= 1                               # differs from parity on three held-out points
    c = match(synth.Program.parse("xor(x0, xor(x1, x2))", 6), syn, task, labels=labels)
    assert c.function.train_accuracy == 1.0
    assert c.complexity.net_min_lower_bound > c.complexity.shortest_size == 2   # proven, exact or not
    assert c.implements_shortest is False


def test_verdict_tie_beyond_top_k_is_yes():
    """A shortest consistent function that `shortest` does not list (top_k=1 keeps one of the ties) is
    still a shortest program: the verdict reads the consistent functions, not the top-k list."""
    task = make_task("parity", n=4, k=2, train_fraction=0.25, seed=1)
    syn = synth.synthesize(task.train_spec(), basis="xag", top_k=1)
    X = task.inputs()
    ties = [c for c in syn.consistent if c.size == syn.min_size]
    assert syn.exact and len(syn.shortest) == 1 and len(ties) > 1
    other = next(c.program for c in ties
                 if not np.array_equal(c.program.evaluate(X), syn.shortest[0].evaluate(X)))
    c = match(other, syn, task)
    assert c.implements_shortest is True and c.function.shortest_best < 1.0


def test_verdict_no_when_the_function_reads_too_many_inputs():
    """A network function consistent with the training half that differs from the parity at one held-out
    point reads all 12 inputs: too many to synthesise (max_support 10), but any program reading 12 inputs
    through 2-input gates has at least 11 gates, above the proven shortest size 2: "no", not undetermined."""
    task = make_task("parity", n=12, k=3, train_fraction=0.5, seed=0)
    syn = synth.synthesize(task.train_spec(), basis="xag")
    labels = task.labels.astype(np.int64).copy()
    labels[np.setdiff1d(np.arange(task.domain_size), task.train_idx)[0]] ^= 1
    c = match(synth.Program.parse("xor(x0, xor(x1, x2))", 12), syn, task, labels=labels)
    assert c.function.train_accuracy == 1.0 and c.complexity.net_min_size is None
    assert c.complexity.net_min_lower_bound == 11 and c.implements_shortest is False


def test_verdict_says_when_the_functions_minimal_size_is_only_bracketed(parity6):
    """With too little budget to prove the network's function minimal, the verdict gives its proven
    bracket, never a bare "minimal size" that was not proven."""
    task, syn = parity6
    labels = task.labels.astype(np.int64).copy()
    held = np.setdiff1d(np.arange(task.domain_size), task.train_idx)
    labels[held[:3]] ^= 1
    c = match(synth.Program.parse("xor(x0, xor(x1, x2))", 6), syn, task, labels=labels, budget=200_000)
    k = c.complexity
    assert not k.net_min_exact and k.net_min_size is not None
    assert (f"minimal size between {k.net_min_lower_bound} (proven) and {k.net_min_size}" in c.verdict)


def test_bounds_of_the_networks_function_carry_from_basis_to_basis(parity6):
    """`match` with one cache for several bases (as a case run does): the xag minimum of the network's
    function (2) and Markov's bound (parity needs a NOT) give its aon formula a lower bound of 3, which the
    aon search alone does not reach within a tiny budget."""
    task, syn = parity6
    aon = synth.synthesize(task.train_spec(), basis="aon", budget=1000, known=[synth.KnownBounds.of(syn)])
    assert aon.lower_bound == 3 and any("from other bases" in n for n in aon.notes)
    prog = synth.Program.parse("xor(x0, xor(x1, x2))", 6)
    cache: dict = {}
    assert match(prog, syn, task, cache=cache).complexity.net_min_size == 2
    carried = match(prog, aon, task, cache=cache, budget=1000).complexity
    alone = match(prog, aon, task, budget=1000).complexity
    assert (carried.net_min_lower_bound, alone.net_min_lower_bound) == (3, 2)
    assert carried.net_min_size == alone.net_min_size == 12
    assert [kb.basis for kb in cache["function_bounds"]] == ["xag", "xag", "aon", "aon"]   # function, target
