"""synth.dsl / syntax / semantics: Program construction, canonical form, text round trip, measures,
evaluation, exports, Z_p programs, and error messages."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from synth import BASES, GATES, ZP_GATES, Program, SynthError

from reference import NAMED_BASES, gate_value, input_table

BOOL_BASES = NAMED_BASES + ("any",)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------------------------
# strategies
# ----------------------------------------------------------------------------------------------

@st.composite
def bool_programs(draw, bases=BOOL_BASES, max_inputs=5, max_nodes=9):
    """A random Boolean Program via from_nodes: random gates of a basis, random earlier refs,
    occasionally constants and an output that is not the last node."""
    basis = draw(st.sampled_from(bases))
    n = draw(st.integers(1, max_inputs))
    gates = sorted(BASES[basis].costs)
    nodes = []
    for i in range(draw(st.integers(0, max_nodes))):
        if draw(st.integers(0, 9)) == 0:
            nodes.append((draw(st.sampled_from(["0", "1"])), ()))
            continue
        g = draw(st.sampled_from(gates))
        nodes.append((g, tuple(draw(st.integers(0, n + i - 1)) for _ in range(GATES[g].arity))))
    if not nodes or draw(st.booleans()):
        output = draw(st.integers(0, n + len(nodes) - 1))
    else:
        output = None
    return Program.from_nodes(n, nodes, output, basis=basis), (n, nodes, output, basis)


@st.composite
def zp_programs(draw, max_nodes=7):
    p = draw(st.sampled_from([2, 3, 5, 7, 11]))
    nodes = []
    for i in range(draw(st.integers(1, max_nodes))):
        if draw(st.integers(0, 6)) == 0:
            nodes.append((str(draw(st.integers(0, p - 1))), ()))
            continue
        g = draw(st.sampled_from(sorted(ZP_GATES)))
        nodes.append((g, tuple(draw(st.integers(0, 2 + i - 1)) for _ in range(ZP_GATES[g].arity))))
    return Program.from_nodes(2, nodes, p=p)


def _table_of_nodes(n: int, nodes, output) -> int:
    """Truth table of raw nodes (before canonicalisation), with the reference's gate evaluation."""
    full = (1 << (1 << n)) - 1
    vals = [input_table(i, n) for i in range(n)]
    for op, args in nodes:
        if op in ("0", "1"):
            vals.append(full if op == "1" else 0)
        else:
            vals.append(gate_value(GATES[op].table, GATES[op].arity, [vals[a] for a in args], full))
    return vals[n + len(nodes) - 1 if output is None else output]


def _reorder(n, nodes, output, rnd: random.Random):
    """The same DAG written differently: another topological order of the nodes and the arguments of
    commutative gates shuffled."""
    deps = {i: {a - n for a in args if a >= n} for i, (_, args) in enumerate(nodes)}
    order, placed = [], set()
    while len(order) < len(nodes):
        i = rnd.choice([j for j in range(len(nodes)) if j not in placed and deps[j] <= placed])
        order.append(i)
        placed.add(i)
    pos = {old: new for new, old in enumerate(order)}

    def ref(a):
        return a if a < n else n + pos[a - n]
    out_nodes = []
    for old in order:
        op, args = nodes[old]
        args = [ref(a) for a in args]
        if op not in ("0", "1") and GATES[op].commutative:
            rnd.shuffle(args)
        out_nodes.append((op, tuple(args)))
    out = n + len(nodes) - 1 if output is None else output
    return out_nodes, ref(out)


def _structural_keys(n, nodes):
    """A structural key per node (commutative arguments unordered), to spot duplicated sub-DAGs."""
    keys = [("in", i) for i in range(n)]
    for op, args in nodes:
        ks = [keys[a] for a in args]
        if op not in ("0", "1") and GATES[op].commutative:
            ks = sorted(ks, key=repr)
        keys.append((op, tuple(ks)))
    return keys[n:]


# ----------------------------------------------------------------------------------------------
# round trip and canonical form
# ----------------------------------------------------------------------------------------------

@SETTINGS
@given(bool_programs())
def test_parse_format_round_trip(prog_raw):
    p, (n, nodes, output, basis) = prog_raw
    text = str(p)
    q = Program.parse(text, p.n_inputs, basis=p.basis)
    assert q == p, text
    assert hash(q) == hash(p)
    assert str(q) == text
    assert q.truth_table() == p.truth_table() == _table_of_nodes(n, nodes, output)


@SETTINGS
@given(zp_programs())
def test_zp_parse_format_round_trip(p):
    q = Program.parse(str(p), p=p.p)
    assert q == p, str(p)
    assert np.array_equal(q.value_table(), p.value_table())


@SETTINGS
@given(bool_programs(), st.integers(0, 2**32 - 1))
def test_canonical_form_ignores_node_order_and_commutative_argument_order(prog_raw, seed):
    p, (n, nodes, output, basis) = prog_raw
    keys = _structural_keys(n, nodes)
    assume(len(set(keys)) == len(keys))   # duplicated sub-DAGs: see the explicit test below
    new_nodes, new_out = _reorder(n, nodes, output, random.Random(seed))
    q = Program.from_nodes(n, new_nodes, new_out, basis=basis)
    assert q == p and hash(q) == hash(p), (str(p), str(q))


def test_canonical_form_commutative_argument_order():
    assert Program.parse("and(x1, x0)") == Program.parse("and(x0, x1)")
    assert hash(Program.parse("and(x1, x0)")) == hash(Program.parse("and(x0, x1)"))
    assert str(Program.parse("and(x1, x0)")) == "and(x0, x1)"
    a = Program.parse("maj(x2, and(x1, x0), x0)", 3)
    b = Program.parse("maj(x0, x2, and(x0, x1))", 3)
    assert a == b and hash(a) == hash(b)
    assert Program.parse("xor(x0, and(x2, x1))") == Program.parse("xor(and(x1, x2), x0)")
    # non-commutative gates keep their order
    assert Program.parse("andn(x0, x1)") != Program.parse("andn(x1, x0)")
    assert Program.parse("ite(x0, x1, x2)") != Program.parse("ite(x0, x2, x1)")
    # node numbering does not matter
    a = Program.from_nodes(3, [("and", (1, 2)), ("or", (0, 1)), ("xor", (3, 4))], basis="aoxn")
    b = Program.from_nodes(3, [("or", (1, 0)), ("and", (2, 1)), ("xor", (4, 3))], basis="aoxn")
    assert a == b and hash(a) == hash(b)
    # unreachable nodes are dropped
    c = Program.from_nodes(2, [("or", (0, 1)), ("and", (0, 1))], basis="aig")
    assert c == Program.parse("and(x0, x1)", basis="aig") and c.size == 1


@pytest.mark.parametrize("a,b,basis", [
    ("t0 = not(x0); t1 = not(x0); out = or(and(t0, t1), t1)",
     "t0 = not(x0); t1 = not(x0); out = or(and(t1, t0), t1)", "aon"),
    ("t0 = not(x0); t1 = not(x0); out = and(and(t0, t1), or(t0, t1))",
     "t0 = not(x0); t1 = not(x0); out = and(and(t0, t1), or(t1, t0))", "aon"),
    ("t0 = not(x1); t1 = not(x1); out = maj(t0, t1, maj(x0, t0, t1))",
     "t0 = not(x1); t1 = not(x1); out = maj(t0, t1, maj(x0, t1, t0))", "mig"),
], ids=["or-and", "and-or", "maj-maj"])
def test_canonical_form_with_duplicated_identical_nodes(a, b, basis):
    """Two structurally identical nodes t0, t1 (both not(x)): swapping the arguments of a commutative
    gate over them writes the same program, which must compare equal."""
    pa, pb = Program.parse(a, basis=basis), Program.parse(b, basis=basis)
    assert pa.truth_table() == pb.truth_table()
    assert pa == pb, (str(pa), str(pb))
    assert hash(pa) == hash(pb)


def test_programs_are_immutable_and_hashable():
    p = Program.parse("xor(x0, x1)")
    with pytest.raises(AttributeError):
        p.n_inputs = 3
    assert len({p, Program.parse("xor(x1, x0)"), Program.parse("and(x0, x1)")}) == 2
    assert p != Program.parse("xor(x0, x1)", 3)            # different number of inputs
    assert p != Program.parse("xor(x0, x1)", basis="xag")  # measured in another basis


def test_straight_line_form():
    text = "t0 = and(x1, x2); out = or(xor(x0, t0), t0)"
    p = Program.parse(text)
    assert p.n_inputs == 3 and p.n_gates == 3 and not p.is_tree()
    assert str(p) == "t0 = and(x1, x2); t1 = xor(x0, t0); out = or(t0, t1)"
    assert Program.parse(str(p)) == p
    assert p.truth_table() == ((0xAA ^ (0xCC & 0xF0)) | (0xCC & 0xF0))
    # newlines, comments and blank lines work as separators
    q = Program.parse("# shared AND\nt0 = and(x1, x2)\n\nout = or(xor(x0, t0), t0)  # done\n")
    assert q == p
    # the same function as a tree is a different (bigger) program
    tree = Program.parse("or(xor(x0, and(x1, x2)), and(x1, x2))")
    assert tree.truth_table() == p.truth_table() and tree.size == 4 and p.size == 3 and tree.is_tree()


# ----------------------------------------------------------------------------------------------
# measures
# ----------------------------------------------------------------------------------------------

def test_measures_on_hand_examples():
    p = Program.parse("xor(x0, and(x1, x2))", 3, basis="xag")
    assert (p.size, p.depth, p.support) == (2, 2, frozenset({0, 1, 2}))
    assert p.n_gates == 2 and p.is_tree()
    assert p.truth_table() == 0x6A == 0xAA ^ (0xCC & 0xF0)
    assert Program.parse("not(x0)", basis="xag").size == 0
    assert Program.parse("not(x0)", basis="aon").size == 1
    assert Program.parse("not(x0)", basis="xag").depth == 0
    assert Program.parse("not(x0)", basis="aon").depth == 1
    assert Program.parse("and(x0, x3)", 5).support == frozenset({0, 3})
    assert Program.parse("x2", 4).support == frozenset({2}) and Program.parse("x2", 4).size == 0
    assert Program.parse("and(x0, 1)", 2, basis="aig").support == frozenset({0})
    assert Program.parse("maj(x0, x1, x2)", basis="mig").size == 1
    assert Program.parse("maj(not(x0), x1, 0)", basis="mig").size == 1
    assert Program.parse("ite(x0, not(x1), x1)", basis="mux").truth_table() == 0x66 & 0xF
    # the same program measured in two bases
    q = Program.parse("or(x0, not(x1))", basis="aon")
    assert q.size == 2 and q.with_basis("aig").size == 1
    with pytest.raises(SynthError, match="not in basis"):
        q.with_basis("mig")


def test_bits_description_length():
    """bits = per node, log2(#gates + #constants) + log2(refs available) per argument (DESIGN.md)."""
    p = Program.parse("xor(x0, and(x1, x2))", 3, basis="xag")
    ops = len(BASES["xag"].costs) + 2
    expected = (math.log2(ops) + 2 * math.log2(3)) + (math.log2(ops) + 2 * math.log2(4))
    assert p.bits == pytest.approx(expected)
    assert Program.parse("and(x0, x1)", 2, basis="aig").bits < p.bits
    # more inputs to choose from: more bits for the same expression
    assert Program.parse("and(x0, x1)", 5, basis="aig").bits > Program.parse("and(x0, x1)", 2,
                                                                             basis="aig").bits


@SETTINGS
@given(bool_programs())
def test_measures_are_consistent(prog_raw):
    p, _ = prog_raw
    b = BASES[p.basis_name]
    assert p.size == sum(b.costs[nd.op] for nd in p.nodes if not nd.is_const)
    assert 0 <= p.depth <= p.n_gates
    assert p.support <= frozenset(range(p.n_inputs))
    assert p.bits >= 0
    # a function does not depend on an input outside its syntactic support
    t = p.truth_table()
    for i in set(range(p.n_inputs)) - set(p.support):
        for x in range(1 << p.n_inputs):
            assert (t >> x) & 1 == (t >> (x ^ (1 << i))) & 1


# ----------------------------------------------------------------------------------------------
# semantics
# ----------------------------------------------------------------------------------------------

def test_truth_table_convention():
    assert [Program.parse(f"x{i}", 3).truth_table() for i in range(3)] == [0xAA, 0xCC, 0xF0]
    assert [Program.parse(f"x{i}", 5).truth_table() for i in range(5)] == \
        [0xAAAAAAAA, 0xCCCCCCCC, 0xF0F0F0F0, 0xFF00FF00, 0xFFFF0000]
    assert Program.parse("x6", 7).truth_table() == ((1 << 64) - 1) << 64   # beyond one machine word
    assert Program.parse("and(x0, x1)", 2).truth_table() == 0b1000
    assert Program.parse("andn(x0, x1)", 2).truth_table() == 0b0010
    assert Program.parse("0", 2).truth_table() == 0 and Program.parse("1", 2).truth_table() == 0xF
    assert Program.parse("maj(x0, x1, x2)").truth_table() == 0xE8
    assert Program.parse("ite(x0, x1, x2)").truth_table() == (0xAA & 0xCC) | (~0xAA & 0xF0 & 0xFF)


@SETTINGS
@given(bool_programs(max_inputs=8), st.integers(0, 2**32 - 1))
def test_evaluate_agrees_with_truth_table(prog_raw, seed):
    p, _ = prog_raw
    n = p.n_inputs
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(int(rng.integers(1, 200)), n))
    out = p.evaluate(X)
    t = p.truth_table()
    idx = X @ (1 << np.arange(n))
    assert out.dtype == bool and out.shape == (len(X),)
    assert out.tolist() == [bool((t >> int(i)) & 1) for i in idx]


def test_evaluate_many_points_bit_parallel():
    """More than 64 points: several packed words."""
    p = Program.parse("xor(x0, xor(x1, and(x2, x9)))", 10)
    X = np.array(list(itertools.product([0, 1], repeat=10)))
    expected = X[:, 0] ^ X[:, 1] ^ (X[:, 2] & X[:, 9])
    assert np.array_equal(p.evaluate(X), expected.astype(bool))


def test_evaluate_errors():
    p = Program.parse("and(x0, x1)")
    with pytest.raises(SynthError):
        p.evaluate(np.zeros((4, 3), dtype=int))
    with pytest.raises(SynthError):
        p.evaluate(np.array([[0, 2]]))


def test_zp_programs():
    p = Program.parse("add(mul(a, a), b)", p=7)
    a, b = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
    assert np.array_equal(p.value_table(), (a * a + b) % 7)
    assert p.size == 2 and p.p == 7 and p.basis_name == "zp"
    q = Program.parse("sub(neg(a), mul(3, b))", p=5)
    a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    assert np.array_equal(q.value_table(), (-a - 3 * b) % 5)
    assert np.array_equal(q.evaluate(np.array([[1, 2], [4, 4]])), np.array([(-1 - 6) % 5, (-4 - 12) % 5]))
    assert Program.parse("add(a, b)", p=7) == Program.parse("add(b, a)", p=7)
    assert Program.parse("sub(a, b)", p=7) != Program.parse("sub(b, a)", p=7)
    with pytest.raises(SynthError):
        Program.parse("add(a, 9)", p=7)           # constant outside Z_7
    with pytest.raises(SynthError):
        Program.parse("and(a, b)", p=7)           # Boolean gate in Z_p
    with pytest.raises(SynthError):
        p.truth_table()


# ----------------------------------------------------------------------------------------------
# exports
# ----------------------------------------------------------------------------------------------

def test_to_networkx():
    p = Program.parse("xor(x0, and(x1, x2))", 3, basis="xag")
    g = p.to_networkx()
    assert isinstance(g, nx.DiGraph)
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 4
    ops = sorted(op for _, op in g.nodes(data="op"))
    assert ops == ["and", "input", "input", "input", "xor"]
    assert nx.is_directed_acyclic_graph(g)
    out = [v for v in g if g.out_degree(v) == 0]
    assert len(out) == 1 and g.nodes[out[0]]["op"] == "xor"
    shared = Program.parse("t0 = and(x1, x2); out = or(xor(x0, t0), t0)").to_networkx()
    assert shared.number_of_nodes() == 6 and shared.number_of_edges() == 6
    # only inputs the program uses appear
    assert Program.parse("and(x0, x3)", 5).to_networkx().number_of_nodes() == 3


@SETTINGS
@given(bool_programs())
def test_to_networkx_matches_program(prog_raw):
    p, _ = prog_raw
    g = p.to_networkx()
    gate_nodes = [v for v, op in g.nodes(data="op") if op != "input"]
    assert len(gate_nodes) == len(p.nodes)
    assert sum(1 for _, op in g.nodes(data="op") if op == "input") == len(p.support)
    assert sorted(op for v, op in g.nodes(data="op") if op != "input") == sorted(nd.op for nd in p.nodes)
    assert nx.is_directed_acyclic_graph(g)


def test_to_dot_and_sympy():
    p = Program.parse("xor(x0, and(x1, x2))", 3, basis="xag")
    dot = p.to_dot()
    assert "digraph" in dot and "xor" in dot and "and" in dot and dot.rstrip().endswith("}")
    import sympy
    x0, x1, x2 = sympy.symbols("x0 x1 x2")
    assert sympy.simplify_logic(p.to_sympy() ^ (x0 ^ (x1 & x2))) == sympy.false


# ----------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,fragment", [
    ("xor(x0, and(x1, x2)", "line 1, column"),       # unclosed parenthesis
    ("xor(x0,, x1)", "line 1, column 8"),
    ("and(x0, x1) extra", "line 1, column"),
    ("", "empty"),
    ("foo(x0, x1)", "unknown gate 'foo'"),
    ("and(x0)", "takes 2 argument"),
    ("maj(x0, x1)", "takes 3 argument"),
    ("and(x0, y)", "unknown name 'y'"),
    ("t0 = and(x0, x1); t0 = or(x0, x1); out = t0", "defined twice"),
    ("and(x0, 2)", "constant 2"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(SynthError) as e:
        Program.parse(text)
    assert fragment in str(e.value)
    assert isinstance(e.value, ValueError)


def test_parse_error_line_number_on_later_line():
    with pytest.raises(SynthError, match="line 2, column"):
        Program.parse("t0 = and(x0, x1)\nout = or(t0, )")


@pytest.mark.parametrize("build,fragment", [
    (lambda: Program.from_nodes(2, [("and", (0, 1))], output=5), "out of range"),
    (lambda: Program.from_nodes(2, [("and", (0, 2))]), "not an input or an earlier node"),
    (lambda: Program.from_nodes(2, [("frob", (0, 1))]), "unknown gate"),
    (lambda: Program.from_nodes(2, [("and", (0,))]), "takes 2 argument"),
    (lambda: Program.from_nodes(2, [("maj", (0, 1, 1))], basis="xag"), "not in basis 'xag'"),
    (lambda: Program.parse("maj(x0, x1, x2)", basis="aig"), "not in basis 'aig'"),
    (lambda: Program.parse("and(x0, x5)", 3), "n_inputs is 3"),
    (lambda: Program.parse("and(x0, x1)", basis="nope"), "unknown basis"),
    (lambda: Program.from_nodes(2, [("2", ())]), "outside the domain"),
    (lambda: Program.from_nodes(-1, []), "n_inputs"),
])
def test_construction_errors(build, fragment):
    with pytest.raises(SynthError) as e:
        build()
    assert fragment in str(e.value)
