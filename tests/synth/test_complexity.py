"""Tests for synth.complexity against independent oracles (hand parses, brute force, sympy's printer)."""

from __future__ import annotations

import ast
import doctest
import itertools
import math
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import synth.complexity as cx
from synth.complexity import (
    average_sensitivity,
    entropy,
    lz76_words,
    lz_complexity,
    measures,
    pos_size,
    sop_size,
)
from synth.errors import SynthError

N3 = range(256)  # every function of 3 inputs


def full(n: int) -> int:
    return (1 << (1 << n)) - 1


def parity(n: int) -> int:
    return sum(1 << t for t in range(1 << n) if bin(t).count("1") % 2)


def projection(i: int, n: int) -> int:
    # the block 0^(2^i) 1^(2^i) repeated 2^(n-i-1) times (a geometric series, fast for n = 20)
    block = ((1 << (1 << i)) - 1) << (1 << i)
    return block * (full(n) // ((1 << (2 << i)) - 1))


tables = st.integers(4, 6).flatmap(lambda n: st.tuples(st.integers(0, full(n)), st.just(n)))


# --------------------------------------------------------------------------------------------------
# oracles


def naive_lz76_words(s: str) -> int:
    """LZ76 exhaustive parsing straight from the definition: each word is the shortest prefix w of the
    rest such that w is not a substring of (parsed text + w minus its last symbol); a copy that hits
    the end of the text is a last word."""
    words, p = 0, 0
    while p < len(s):
        length = 1
        while p + length <= len(s) and s[p : p + length] in s[: p + length - 1]:
            length += 1
        words += 1
        p += length
    return words


def truth_string(table: int, n: int) -> str:
    return "".join(str((table >> t) & 1) for t in range(1 << n))


def brute_entropy(table: int, n: int) -> float:
    ones = 0
    for t in range(1 << n):
        ones += (table >> t) & 1
    p = ones / (1 << n)
    return 0.0 if p in (0, 1) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def brute_sensitivity(table: int, n: int) -> float:
    total = 0
    for x in range(1 << n):
        for i in range(n):
            if (table >> x) & 1 != (table >> (x ^ (1 << i))) & 1:
                total += 1
    return total / (1 << n)


def _cube_points(cube: tuple[int, ...], n: int) -> frozenset[int]:
    """cube[i] in {0: literal ~x_i, 1: literal x_i, 2: x_i absent}."""
    return frozenset(
        t for t in range(1 << n) if all(v == 2 or ((t >> i) & 1) == v for i, v in enumerate(cube))
    )


def brute_min_two_level(points: frozenset[int], n: int, negated_value: int) -> tuple[int, int]:
    """(min operator count, min literal count) over all two-level covers of `points` by cubes inside it.

    For SOP cover the ones (negated_value=0: a 0 in a cube is ~x); for POS cover the zeros
    (negated_value=1: a maxterm clause negates the variables that are 1).  Operators: k-1 per k-literal
    term, m-1 joining m terms, 1 per negated literal.  Only prime cubes are needed (dropping a literal
    never costs more), so exhaustive search over subsets of primes is exact.
    """
    cubes = [(c, _cube_points(c, n)) for c in itertools.product((0, 1, 2), repeat=n)]
    inside = [(c, p) for c, p in cubes if p <= points]
    primes = [(c, p) for c, p in inside if not any(p < q for _, q in inside)]
    best_ops = best_lits = None
    for r in range(1, len(primes) + 1):
        for sel in itertools.combinations(primes, r):
            if frozenset().union(*(p for _, p in sel)) != points:
                continue
            lits = sum(sum(v != 2 for v in c) for c, _ in sel)
            nots = sum(sum(v == negated_value for v in c) for c, _ in sel)
            ops = (lits - r) + (r - 1) + nots
            best_ops = ops if best_ops is None else min(best_ops, ops)
            best_lits = lits if best_lits is None else min(best_lits, lits)
    return best_ops, best_lits


def ones(table: int, n: int) -> frozenset[int]:
    return frozenset(t for t in range(1 << n) if (table >> t) & 1)


def zeros(table: int, n: int) -> frozenset[int]:
    return frozenset(t for t in range(1 << n) if not (table >> t) & 1)


def printed_ops(expr: sympy.Basic) -> tuple[int, int]:
    """(AND+OR count, total count) read off sympy's printed form: each binary &/| and each ~ is one."""
    text = str(expr)
    and_or = text.count("&") + text.count("|")
    return and_or, and_or + text.count("~")


def evaluates_to(expr: sympy.Basic, table: int, n: int) -> bool:
    xs = sympy.symbols(f"x0:{n}")
    for t in range(1 << n):
        value = expr.subs({xs[i]: bool((t >> i) & 1) for i in range(n)})
        if bool(value) != bool((table >> t) & 1):
            return False
    return True


# --------------------------------------------------------------------------------------------------
# Lempel–Ziv


@pytest.mark.parametrize(
    "s, words",
    [
        ("", 0),
        ("0", 1),
        ("1", 1),
        ("00", 2),  # 0 . 0 (copy reaching the end counts)
        ("01", 2),  # 0 . 1
        ("0000", 2),  # 0 . 000
        ("0001101001000101", 6),  # Kaspar & Schuster 1987: 0 . 001 . 10 . 100 . 1000 . 101
        ("1001111011000010", 6),  # 1 . 0 . 01 . 1110 . 1100 . 0010
        ("01010101", 3),  # 0 . 1 . 010101 (overlapping copy of "01" runs to the end)
        ("00001111", 3),  # 0 . 0001 . 111
        ("01101001", 5),  # 0 . 1 . 10 . 100 . 1
        ("10010110", 5),  # 1 . 0 . 01 . 011 . 0
        ("abcabcabc", 4),  # a . b . c . abcabc (any alphabet)
    ],
)
def test_lz76_words_hand_parses(s, words):
    assert naive_lz76_words(s) == words  # the oracle agrees with the hand parse
    assert lz76_words(s) == words


def test_lz76_words_matches_definition_on_all_short_binary_strings():
    for length in range(1, 11):
        for bits in itertools.product("01", repeat=length):
            s = "".join(bits)
            assert lz76_words(s) == naive_lz76_words(s), s


@given(st.text(alphabet="012", min_size=1, max_size=80))
@settings(max_examples=150, deadline=None)
def test_lz76_words_matches_definition_random(s):
    assert lz76_words(s) == naive_lz76_words(s)


def test_lz_complexity_hand_values():
    # x0 for n=3 is "01010101": 3 words forwards, "10101010" 3 backwards -> log2(8) * 3 = 9
    assert lz_complexity(0xAA, 3) == 9.0
    # x2 is "00001111": 0 . 0001 . 111 both ways -> 9
    assert lz_complexity(0xF0, 3) == 9.0
    # parity "01101001": 5 words, reversed "10010110": 5 words -> 3 * 5 = 15
    assert lz_complexity(0x96, 3) == 15.0
    # majority "00010111": 0 . 001 . 01 . 11 (4); reversed "11101000": 1 . 110 . 10 . 00 (4) -> 12
    assert naive_lz76_words("00010111") == naive_lz76_words("11101000") == 4
    assert lz_complexity(0xE8, 3) == 12.0
    # xor n=2 "0110": 0 . 1 . 10 (3); reversed the same string -> 2 * 3 = 6
    assert lz_complexity(0x6, 2) == 6.0


@pytest.mark.parametrize("n", range(0, 9))
def test_lz_constants_give_log2_length(n):
    assert lz_complexity(0, n) == float(n)
    assert lz_complexity(full(n), n) == float(n)


@pytest.mark.parametrize("n", range(3, 10))
def test_lz_ordering_constant_projection_parity(n):
    const, proj, par = lz_complexity(0, n), lz_complexity(projection(0, n), n), lz_complexity(parity(n), n)
    assert const < proj < par
    assert proj == 3.0 * n  # "0101...": 3 words each way
    # parity's string is a Thue–Morse prefix; its parse has 2n - 1 words both ways
    assert naive_lz76_words(truth_string(parity(n), n)) == 2 * n - 1
    assert par == n * (2 * n - 1)


def test_lz_matches_formula_with_naive_parser_all_n3():
    for table in N3:
        s = truth_string(table, 3)
        if table in (0, 255):
            expected = 3.0
        else:
            expected = 3.0 * (naive_lz76_words(s) + naive_lz76_words(s[::-1])) / 2
        assert lz_complexity(table, 3) == expected, hex(table)


@given(tables)
@settings(max_examples=60, deadline=None)
def test_lz_symmetries(args):
    table, n = args
    size = 1 << n
    reversed_table = sum(((table >> t) & 1) << (size - 1 - t) for t in range(size))  # f(~x)
    value = lz_complexity(table, n)
    assert lz_complexity(reversed_table, n) == value  # reversal of the string
    assert lz_complexity(full(n) ^ table, n) == value  # 0 <-> 1 relabelling
    s = truth_string(table, n)
    if 0 < table < full(n):
        assert value == n * (naive_lz76_words(s) + naive_lz76_words(s[::-1])) / 2


# --------------------------------------------------------------------------------------------------
# SOP / POS


@pytest.mark.parametrize(
    "table, n, sop, pos",
    [
        (0x0, 3, 0, 0),  # constants
        (0xFF, 3, 0, 0),
        (0x0, 0, 0, 0),
        (0x1, 0, 0, 0),
        (0xAA, 3, 0, 0),  # x0
        (0x55, 3, 1, 1),  # ~x0
        (0x8, 2, 1, 1),  # x0 & x1
        (0xE, 2, 1, 1),  # x0 | x1
        (0x7, 2, 3, 3),  # ~x0 | ~x1: 1 OR + 2 NOT; POS the single clause, same
        (0x6, 2, 5, 5),  # xor: (x0&~x1)|(~x0&x1): 2 AND + 1 OR + 2 NOT; (x0|x1)&(~x0|~x1) likewise
        (0xE8, 3, 5, 5),  # majority: x0x1+x0x2+x1x2 = 3 AND + 2 OR; (x0|x1)(x0|x2)(x1|x2) = 3 OR + 2 AND
        (0x80, 3, 2, 2),  # x0 & x1 & x2: 2 AND; POS three unit clauses joined by 2 AND
        # parity-3: 4 minterms of 3 literals: 8 AND + 3 OR + 6 NOT (001, 010, 100 have two zeros each)
        (0x96, 3, 17, 17),
    ],
)
def test_two_level_known_functions(table, n, sop, pos):
    assert sop_size(table, n) == sop
    assert pos_size(table, n) == pos


@pytest.mark.parametrize("n", range(1, 6))
def test_parity_two_level_closed_form(n):
    # SOP of parity = its 2^(n-1) minterms; NOTs = zeros in odd-weight points.
    odd = [t for t in range(1 << n) if bin(t).count("1") % 2]
    even = [t for t in range(1 << n) if not bin(t).count("1") % 2]
    terms = 1 << (n - 1)
    and_or = terms * (n - 1) + terms - 1
    assert sop_size(parity(n), n) == and_or + sum(n - bin(t).count("1") for t in odd)
    assert pos_size(parity(n), n) == and_or + sum(bin(t).count("1") for t in even)


def test_sop_pos_against_sympy_printer_and_brute_force_all_n3():
    """For every n=3 function: the count equals the operators in sympy's printed SOPform/POSform
    (built here independently), the expression computes the function, the AND+OR part is the
    brute-force minimum, and the total is within one NOT of the brute-force minimum.

    sympy minimises terms and literals but not negations: e.g. 0xad gets
    (x0&x2)|(x1&~x2)|(~x0&~x2) = 8 where (x0&x2)|(x0&x1)|(~x0&~x2) = 7.
    """
    xs = list(sympy.symbols("x0:3"))
    above = 0
    for table in range(1, 255):
        points = [[(t >> i) & 1 for i in range(3)] for t in range(8) if (table >> t) & 1]
        sop = sympy.SOPform(xs, points)
        pos = sympy.POSform(xs, points)
        assert evaluates_to(sop, table, 3) and evaluates_to(pos, table, 3), hex(table)
        sop_and_or, sop_total = printed_ops(sop)
        pos_and_or, pos_total = printed_ops(pos)
        assert sop_size(table, 3) == sop_total, hex(table)
        assert pos_size(table, 3) == pos_total, hex(table)
        min_sop_ops, min_sop_lits = brute_min_two_level(ones(table, 3), 3, negated_value=0)
        min_pos_ops, min_pos_lits = brute_min_two_level(zeros(table, 3), 3, negated_value=1)
        assert sop_and_or == min_sop_lits - 1, hex(table)
        assert pos_and_or == min_pos_lits - 1, hex(table)
        assert min_sop_ops <= sop_total <= min_sop_ops + 1, hex(table)
        assert min_pos_ops <= pos_total <= min_pos_ops + 1, hex(table)
        above += (sop_total > min_sop_ops) + (pos_total > min_pos_ops)
    assert sop_size(0xAD, 3) == 8 and brute_min_two_level(ones(0xAD, 3), 3, 0)[0] == 7
    assert above > 0  # documents that the count is sympy's, not the true minimum


def test_sop_pos_duality():
    # De Morgan: POS(f) is SOP(~f) with AND/OR swapped and every literal complemented, so the
    # &-count of one is the |-count of the other and their NOT counts add up to the literal count.
    for table in range(1, 255):
        sop_not_f = str(cx._sop_expr(255 ^ table, 3))
        pos_f = str(cx._pos_expr(table, 3))
        assert sop_not_f.count("&") == pos_f.count("|"), hex(table)
        assert sop_not_f.count("|") == pos_f.count("&"), hex(table)
        assert sop_not_f.count("~") + pos_f.count("~") == sop_not_f.count("x"), hex(table)
        assert evaluates_to(cx._pos_expr(table, 3), table, 3)


# --------------------------------------------------------------------------------------------------
# entropy and sensitivity


def test_entropy_and_sensitivity_all_n3():
    for table in N3:
        assert entropy(table, 3) == pytest.approx(brute_entropy(table, 3), abs=1e-12)
        assert average_sensitivity(table, 3) == pytest.approx(brute_sensitivity(table, 3), abs=1e-12)


@given(tables)
@settings(max_examples=100, deadline=None)
def test_entropy_and_sensitivity_random(args):
    table, n = args
    assert entropy(table, n) == pytest.approx(brute_entropy(table, n), abs=1e-12)
    assert average_sensitivity(table, n) == pytest.approx(brute_sensitivity(table, n), abs=1e-12)


def test_entropy_values():
    assert entropy(0, 4) == 0.0 and entropy(full(4), 4) == 0.0
    assert entropy(0xAA, 3) == 1.0
    assert entropy(0x8, 2) == pytest.approx(2 - 0.75 * math.log2(3))  # H(1/4)
    assert entropy(0, 0) == 0.0 and entropy(1, 0) == 0.0


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 12, 16])
def test_parity_sensitivity_is_n(n):
    assert average_sensitivity(parity(n), n) == float(n)
    assert average_sensitivity(full(n) ^ parity(n), n) == float(n)


def test_projection_helper():
    assert [projection(i, 3) for i in range(3)] == [0xAA, 0xCC, 0xF0]


def test_sensitivity_simple_functions():
    assert average_sensitivity(0, 5) == 0.0
    assert average_sensitivity(projection(3, 5), 5) == 1.0  # a dictator
    assert average_sensitivity(0xE8, 3) == 1.5  # majority-3: 3 * P(other two disagree) = 3/2
    assert average_sensitivity(0x80, 3) == 0.75  # AND-3: x=111 has 3, the 3 weight-2 points 1 each


def test_sensitivity_n20_runs():
    assert average_sensitivity(projection(19, 20), 20) == 1.0


# --------------------------------------------------------------------------------------------------
# measures, errors, module hygiene


def test_measures_collects_everything():
    m = measures(0xE8, 3)
    assert m == {
        "lz_complexity": 12.0,
        "sop_size": 5.0,
        "pos_size": 5.0,
        "entropy": 1.0,
        "average_sensitivity": 1.5,
    }
    assert all(type(v) is float for v in m.values())


@pytest.mark.parametrize(
    "table, n, argument",
    [
        (0, -1, "n"),
        (0, 21, "n"),
        (0, 3.0, "n"),
        (0, "3", "n"),
        (0, True, "n"),
        (-1, 3, "table"),
        (256, 3, "table"),
        (4, 1, "table"),
        (2, 0, "table"),
        (1.0, 2, "table"),
        (None, 2, "table"),
    ],
)
@pytest.mark.parametrize(
    "fn", [lz_complexity, sop_size, pos_size, entropy, average_sensitivity, measures]
)
def test_bad_arguments_raise_synth_error(fn, table, n, argument):
    with pytest.raises(SynthError, match=rf"^{argument} must be") as info:
        fn(table, n)
    assert isinstance(info.value, ValueError)
    assert (str(table) if argument == "table" else str(n)) in str(info.value) or (
        argument == "table" and hex(table) in str(info.value)
    )


def test_bounds_accepted():
    assert entropy(full(20), 20) == 0.0
    assert average_sensitivity(1, 0) == 0.0


def test_lz76_words_rejects_non_string():
    with pytest.raises(SynthError, match="s must be a str"):
        lz76_words([0, 1])


def test_doctests():
    result = doctest.testmod(cx, raise_on_error=False)
    assert result.attempted >= 7 and result.failed == 0


def test_module_imports_only_numpy_sympy_stdlib():
    tree = ast.parse(Path(cx.__file__).read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    assert roots <= {"__future__", "math", "operator", "numpy", "sympy"}
    assert set(cx.__all__) >= {
        "lz_complexity",
        "lz76_words",
        "sop_size",
        "pos_size",
        "entropy",
        "average_sensitivity",
        "measures",
    }
