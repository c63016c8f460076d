"""Tests for the python-sat exact-synthesis baseline in bench/sat_baseline.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("pysat")

_PATH = Path(__file__).resolve().parents[2] / "bench" / "sat_baseline.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sat_baseline", _PATH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("sat_baseline", mod)
    spec.loader.exec_module(mod)
    return mod


sb = _load()

NORMAL_OPS = (0x2, 0x4, 0x6, 0x8, 0xE)  # the non-trivial normal 2-input operations (op(0,0) = 0)


def _apply(op: int, a: int, b: int, mask: int) -> int:
    out = 0
    for p in range(4):
        if (op >> p) & 1:
            out |= (a if p & 1 else ~a & mask) & (b if p & 2 else ~b & mask)
    return out


def brute_force_costs(n: int) -> dict[int, int]:
    """Minimum chain length of every normal function of n inputs, by brute force.

    Iterative deepening over chains of normal steps, done level by level: the states at depth d are
    the sets of step values of all chains of d steps (the order of the steps does not matter for what
    can be computed next, so equal sets are merged); a function's cost is the first depth at which it
    is a step of some chain (a chain computing it at an earlier step can be truncated).
    """
    mask = (1 << (1 << n)) - 1
    inputs = tuple(sb.input_table(i, n) for i in range(n))
    n_normal = 1 << ((1 << n) - 1)
    cost: dict[int, int] = {0: 0}
    for x in inputs:
        cost[x] = 0
    states: set[frozenset[int]] = {frozenset()}
    depth = 0
    while len(cost) < n_normal:
        depth += 1
        nxt: set[frozenset[int]] = set()
        for st in states:
            nodes = inputs + tuple(st)
            for a_i in range(len(nodes)):
                for b_i in range(a_i + 1, len(nodes)):
                    for op in NORMAL_OPS:
                        v = _apply(op, nodes[a_i], nodes[b_i], mask)
                        if v in st or v in inputs:
                            continue
                        cost.setdefault(v, depth)
                        nxt.add(st | {v})
        states = nxt
    return cost


@pytest.mark.parametrize(
    ("table", "n", "size"),
    [
        (0x6, 2, 1),  # xor
        (0x8, 2, 1),  # and
        (0x9, 2, 1),  # xnor (negation is free)
        (0xAA, 3, 0),  # x0
        (0x55, 3, 0),  # not x0
        (0x0, 3, 0),
        (0xFF, 3, 0),
        (0x96, 3, 2),  # parity of 3
        (0xE8, 3, 4),  # majority of 3: C(maj3) = 4 in the full basis (Knuth 7.1.2)
        (0x6996, 4, 3),  # parity of 4
        (0x8000, 4, 3),  # and of 4
    ],
)
def test_known_sizes(table: int, n: int, size: int) -> None:
    got, chain = sb.sat_min_circuit_size(table, n)
    assert got == size
    assert len(chain) == size
    assert sb.verify_chain(table, n, chain)


def test_brute_force_reference_sanity() -> None:
    cost = brute_force_costs(3)
    assert len(cost) == 128
    assert cost[0x96] == 2 and cost[0xE8] == 4
    hist = [0] * 5
    for f in range(256):
        fn = f ^ 0xFF if f & 1 else f
        hist[cost[fn]] += 1
    # By hand: cost 0 = 2 constants + 6 literals; cost 1 = 3 pairs x 5 normal ops x 2 polarities.
    assert hist[0] == 8 and hist[1] == 30 and sum(hist) == 256


def test_all_3_input_functions_agree_with_brute_force() -> None:
    cost = brute_force_costs(3)
    for f in range(256):
        fn = f ^ 0xFF if f & 1 else f
        size, chain = sb.sat_min_circuit_size(f, 3)
        assert size == cost[fn], f"{f:#04x}: sat {size} vs brute force {cost[fn]}"
        assert sb.verify_chain(f, 3, chain), f"{f:#04x}: {chain}"
        # Steps are normal and refs are in range.
        for i, (op, j, k) in enumerate(chain):
            assert op & 1 == 0 and 0 <= j < k < 3 + i


def test_no_symmetry_breaking_agrees_on_3_inputs() -> None:
    cost = brute_force_costs(3)
    for f in range(0, 256, 2):
        size, chain = sb.sat_min_circuit_size(f, 3, symmetry_breaking=False)
        assert size == cost[f]
        assert sb.verify_chain(f, 3, chain)


def test_unsat_below_minimum() -> None:
    assert sb.sat_chain_of_size(0xE8, 3, 3) is None
    chain = sb.sat_chain_of_size(0xE8, 3, 4)
    assert chain is not None and sb.verify_chain(0xE8, 3, chain)


def test_max_size_exceeded() -> None:
    with pytest.raises(RuntimeError):
        sb.sat_min_circuit_size(0xE8, 3, max_size=3)


def test_verify_chain_rejects_wrong_chains() -> None:
    assert sb.verify_chain(0x6, 2, [(0x6, 0, 1)])
    assert sb.verify_chain(0x9, 2, [(0x6, 0, 1)])  # complemented output
    assert not sb.verify_chain(0x8, 2, [(0x6, 0, 1)])
    assert not sb.verify_chain(0x6, 2, [(0x6, 0, 2)])  # forward reference
    assert not sb.verify_chain(0x6, 2, [])
    assert sb.verify_chain(0x33, 3, [])  # not x1
    assert sb.verify_chain(0xFF, 3, [])


def test_npn_classes() -> None:
    assert len(sb.npn_class_reps(3)) == 14
    reps4 = sb.npn_class_reps(4)
    assert len(reps4) == 222
    canon = sb.npn_canonical_all(4)
    assert int(canon[0x6996]) == int(canon[0x9669]) == min(0x6996, 0x9669)
    assert int(canon[0xF0F0]) == int(canon[0x5555]) == 0x00FF  # literals
    sample = sb.sample_npn_classes(4, k=20, seed=0)
    assert len(sample) == 20 == len(set(sample))
    assert set(sample) <= set(reps4)
    assert sample == sb.sample_npn_classes(4, k=20, seed=0)


@pytest.mark.slow
def test_census_4_inputs_matches_knuth() -> None:
    """All 222 NPN classes of 4 inputs (about 2-3 min): Knuth's counts by cost 0..7 (TAOCP 7.1.2)."""
    from collections import Counter

    canon = sb.npn_canonical_all(4)
    size = {f: sb.sat_min_circuit_size(f, 4)[0] for f in sb.npn_class_reps(4)}
    hist = Counter(size[int(c)] for c in canon)
    assert [hist[c] for c in range(8)] == [10, 60, 456, 2474, 10624, 24184, 25008, 2720]
