"""Independent SAT-based exact synthesis of minimum Boolean chains (python-sat baseline).

This module is a *baseline*: it shares no code with ``synth`` so that its answers can be used to
check the fast enumerator (DESIGN.md, section 6 of the benchmark brief).  It computes the minimum
**circuit** size (gates may be shared) of an n-input Boolean function in Knuth's ``full`` basis
(TAOCP 4A, section 7.1.2, "Boolean chains"): every step is an arbitrary two-input Boolean operation
of two earlier nodes (inputs or steps) and costs 1; inputs, constants and negation are free.

Because negation is free, f and NOT f have equal cost, so we synthesise the *normal* function
``f' = f if f(0) == 0 else NOT f`` with *normal* steps (each operation maps (0, 0) to 0), which is
the encoding of Knuth (7.1.2, exact synthesis by SAT) and of Kojevnikov, Kulikov and Yaroslavtsev,
"Finding efficient circuits using SAT-solvers" (SAT 2009):

* ``x[i][t]``   value of step i on truth-table row t (rows 1 .. 2^n - 1; row 0 is 0 by normality);
* ``g[i][p]``   operation of step i on operand pattern p = a + 2 b in {1, 2, 3} (pattern 0 maps to 0);
* ``s[i][j,k]`` step i reads nodes j < k (inputs 0..n-1, step i' is node n + i').

Main clauses: for every i, (j, k), row t and (a, b, c) in {0,1}^3,
``s[i][j,k] AND v_j(t) = a AND v_k(t) = b AND g[i][a + 2b] = c  ->  x[i][t] = c`` (with
``g[i][0] = 0``; the values of inputs are constants, so those literals are folded away).  The output
(the last step) is fixed to f' by unit clauses.  Symmetry breaking, all valid for *minimum* chains:
every step is non-trivial (not 0 and not a projection), every step but the last is used by a later
step, exactly one operand pair per step, and steps are in co-lexicographic order of their operand
pairs ``(k, j)`` unless a step reads the step just before it (an independent adjacent pair can always
be swapped; Haaswijk et al., "SAT-based exact synthesis: encodings, topology families, and
parallelism", 2020).  ``symmetry_breaking=False`` switches off the last two (for cross-checks).

Truth-table convention (as everywhere in the project): bit t of ``table`` is f(x) with
x_i = (t >> i) & 1 (n = 4: x0 = 0xaaaa, x1 = 0xcccc, x2 = 0xf0f0, x3 = 0xff00).

A decoded chain is a list of steps ``(op, j, k)``: ``op`` is a 4-bit table of the operation with
the same convention, bit (a + 2 b) = op(a, b) where a is the value of node j and b that of node k
(so AND = 0x8, XOR = 0x6, OR = 0xE, a AND NOT b = 0x2); refs 0..n-1 are inputs and n + i is step i.
The output is the last step, complemented when f(0) = 1.  An empty chain (size 0) means f' is the
constant 0 or an input x_i (then f is a constant or a literal).

Run ``python bench/sat_baseline.py [--k 20] [--seed 0] [--json out.json]`` to time a sample of
4-input NPN classes.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import sys
import time
from typing import Iterable

import numpy as np

__all__ = [
    "input_table",
    "normal_form",
    "sat_min_circuit_size",
    "sat_chain_of_size",
    "verify_chain",
    "eval_chain",
    "npn_canonical_all",
    "npn_class_reps",
    "sample_npn_classes",
]

Step = tuple[int, int, int]


# ----------------------------------------------------------------------------------------------
# Truth tables and chain evaluation (plain Python ints)
# ----------------------------------------------------------------------------------------------


def _mask(n: int) -> int:
    return (1 << (1 << n)) - 1


def input_table(i: int, n: int) -> int:
    """Truth table of input x_i among n inputs (bit t is (t >> i) & 1)."""
    if not 0 <= i < n:
        raise ValueError(f"input index {i} out of range for n={n}")
    return sum(1 << t for t in range(1 << n) if (t >> i) & 1)


def normal_form(table: int, n: int) -> tuple[int, bool]:
    """Return ``(f', complemented)`` with f' = f if f(0) = 0 else NOT f."""
    _check_table(table, n)
    if table & 1:
        return table ^ _mask(n), True
    return table, False


def _check_table(table: int, n: int) -> None:
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0 <= table <= _mask(n):
        raise ValueError(f"table {table:#x} does not fit in 2^{n} bits")


def _apply_op(op: int, a: int, b: int, mask: int) -> int:
    """Bit-parallel value of the 2-input operation ``op`` (4-bit table) on tables a, b."""
    out = 0
    for p in range(4):
        if (op >> p) & 1:
            ta = a if p & 1 else ~a & mask
            tb = b if p & 2 else ~b & mask
            out |= ta & tb
    return out


def eval_chain(n: int, steps: Iterable[Step]) -> list[int]:
    """Truth tables of all nodes (inputs then steps) of a chain; raises ValueError if malformed."""
    mask = _mask(n)
    vals = [input_table(i, n) for i in range(n)]
    for i, (op, j, k) in enumerate(steps):
        if not 0 <= op < 16:
            raise ValueError(f"step {i}: operation {op} is not a 4-bit table")
        if not (0 <= j < n + i and 0 <= k < n + i):
            raise ValueError(f"step {i}: operand refs ({j}, {k}) must be < {n + i}")
        vals.append(_apply_op(op, vals[j], vals[k], mask))
    return vals


def verify_chain(table: int, n: int, steps: list[Step]) -> bool:
    """True iff the chain computes ``table``.

    The output is the last step, complemented when f(0) = 1; an empty chain is accepted when f' is
    the constant 0 or an input (f a constant or a literal).  Malformed chains give False.
    """
    _check_table(table, n)
    fn, compl = normal_form(table, n)
    if not steps:
        return fn == 0 or any(fn == input_table(i, n) for i in range(n))
    try:
        vals = eval_chain(n, steps)
    except (ValueError, TypeError):
        return False
    out = vals[-1] ^ (_mask(n) if compl else 0)
    return out == table


# ----------------------------------------------------------------------------------------------
# SAT encoding
# ----------------------------------------------------------------------------------------------


class _Encoding:
    """CNF for "a normal chain of exactly r steps whose last step computes f'" (f' normal)."""

    def __init__(self, fn: int, n: int, r: int, symmetry_breaking: bool = True) -> None:
        self.n, self.r = n, r
        rows = 1 << n
        self.nv = 0
        # x[i][t] for rows t >= 1 (index t directly; entry 0 unused).
        self.x = [[0] + [self._new() for _ in range(1, rows)] for _ in range(r)]
        # g[i][p] for patterns p = 1, 2, 3 (index p directly; entry 0 unused).
        self.g = [[0] + [self._new() for _ in range(3)] for _ in range(r)]
        # s[i][(j, k)] for 0 <= j < k < n + i.
        self.s: list[dict[tuple[int, int], int]] = []
        for i in range(r):
            self.s.append({(j, k): self._new() for k in range(n + i) for j in range(k)})
        cl: list[list[int]] = []
        self.clauses = cl
        in_bits = [[(t >> j) & 1 for t in range(rows)] for j in range(n)]

        def lit_eq(node: int, t: int, v: int) -> int | bool:
            """Literal for 'node has value v on row t'; a bool when it is a constant."""
            if node < n:
                return in_bits[node][t] == v
            var = self.x[node - n][t]
            return var if v else -var

        for i in range(r):
            sel = self.s[i]
            g = self.g[i]
            # Exactly one operand pair.
            cl.append(list(sel.values()))
            vs = list(sel.values())
            for a_idx in range(len(vs)):
                for b_idx in range(a_idx + 1, len(vs)):
                    cl.append([-vs[a_idx], -vs[b_idx]])
            # Non-trivial operation: not constant 0, not projection a (g = 0b1010), not b (0b1100).
            cl.append([g[1], g[2], g[3]])
            cl.append([g[1], -g[2], -g[3]])   # excludes g1=0, g2=1, g3=1 (projection a)
            cl.append([-g[1], g[2], -g[3]])   # excludes g1=1, g2=0, g3=1 (projection b)
            # Main clauses.
            for (j, k), sv in sel.items():
                for t in range(1, rows):
                    xi = self.x[i][t]
                    for a in (0, 1):
                        la = lit_eq(j, t, a)
                        if la is False:
                            continue
                        for b in (0, 1):
                            lb = lit_eq(k, t, b)
                            if lb is False:
                                continue
                            base = [-sv]
                            if la is not True:
                                base.append(-la)
                            if lb is not True:
                                base.append(-lb)
                            p = a + 2 * b
                            if p == 0:
                                cl.append(base + [-xi])
                            else:
                                cl.append(base + [-g[p], xi])
                                cl.append(base + [g[p], -xi])
        # Output: the last step equals f'.
        for t in range(1, rows):
            v = self.x[r - 1][t]
            cl.append([v] if (fn >> t) & 1 else [-v])
        if symmetry_breaking:
            # Every step but the last is used by a later step.
            for i in range(r - 1):
                node = n + i
                users = [
                    sv
                    for i2 in range(i + 1, r)
                    for (j, k), sv in self.s[i2].items()
                    if j == node or k == node
                ]
                cl.append(users)
            # Co-lexicographic order of operand pairs of adjacent steps: if step i+1 does not read
            # step i then (k_i, j_i) <= (k_{i+1}, j_{i+1}).  A pair of step i+1 that is colex-smaller
            # than one of step i cannot contain node n+i (all of step i's operands are < n+i).
            for i in range(r - 1):
                for (j, k), sv in self.s[i].items():
                    for (j2, k2), sv2 in self.s[i + 1].items():
                        if (k2, j2) < (k, j):
                            cl.append([-sv, -sv2])

    def _new(self) -> int:
        self.nv += 1
        return self.nv

    def decode(self, model: list[int]) -> list[Step]:
        true = {v for v in model if v > 0}
        steps: list[Step] = []
        for i in range(self.r):
            pair = next(jk for jk, sv in self.s[i].items() if sv in true)
            op = sum(1 << p for p in (1, 2, 3) if self.g[i][p] in true)
            steps.append((op, pair[0], pair[1]))
        return steps


def sat_chain_of_size(
    table: int,
    n: int,
    r: int,
    *,
    solver: str = "cadical153",
    symmetry_breaking: bool = True,
) -> list[Step] | None:
    """A chain of exactly r >= 1 normal steps computing ``table`` (up to output negation), or None.

    ``None`` means UNSAT: no chain of r steps exists (with the symmetry breaking, none of minimum
    size r; for r below the minimum size this is the same statement).
    """
    from pysat.solvers import Solver  # local import: the module imports without pysat

    _check_table(table, n)
    if r < 1:
        raise ValueError("r must be >= 1 (size 0 is decided without SAT)")
    fn, _ = normal_form(table, n)
    enc = _Encoding(fn, n, r, symmetry_breaking=symmetry_breaking)
    with Solver(name=solver, bootstrap_with=enc.clauses) as s:
        if not s.solve():
            return None
        model = s.get_model()
    assert model is not None
    return enc.decode(model)


def sat_min_circuit_size(
    table: int,
    n: int,
    *,
    max_size: int = 12,
    solver: str = "cadical153",
    symmetry_breaking: bool = True,
) -> tuple[int, list[Step]]:
    """Minimum number of steps of a Boolean chain computing ``table`` in the ``full`` basis.

    Tries r = 0, 1, 2, ... and returns the first satisfiable r with the decoded chain (a list of
    ``(op, j, k)`` steps; see the module docstring).  r = 0 (empty chain) when f is a constant or a
    literal.  Raises ``RuntimeError`` when no chain of at most ``max_size`` steps exists.
    """
    _check_table(table, n)
    fn, _ = normal_form(table, n)
    if fn == 0 or any(fn == input_table(i, n) for i in range(n)):
        return 0, []
    for r in range(1, max_size + 1):
        chain = sat_chain_of_size(table, n, r, solver=solver, symmetry_breaking=symmetry_breaking)
        if chain is not None:
            if not verify_chain(table, n, chain):  # pragma: no cover - would be an encoding bug
                raise AssertionError(f"decoded chain {chain} does not compute {table:#x}")
            return r, chain
    raise RuntimeError(f"no chain of at most {max_size} steps computes {table:#x} (n={n})")


# ----------------------------------------------------------------------------------------------
# NPN classes (brute force, numpy)
# ----------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _npn_canonical_cached(n: int) -> np.ndarray:
    rows = 1 << n
    tables = np.arange(1 << rows, dtype=np.int64)
    full = (1 << rows) - 1
    best = np.minimum(tables, tables ^ full)
    chunk = min(rows, 8)  # tables are split into bytes; each byte is mapped by a 256-entry lookup
    pieces = [(tables >> c) & ((1 << chunk) - 1) for c in range(0, rows, chunk)]
    for perm in itertools.permutations(range(n)):
        for neg in range(1 << n):
            # g(x) = f(y) with y_{perm[i]} = x_i ^ neg_i: bit t of g is bit src(t) of f, so bit y
            # of f moves to bit dst[y] of g.
            dst = [0] * rows
            for t in range(rows):
                y = 0
                for i in range(n):
                    if ((t >> i) & 1) ^ ((neg >> i) & 1):
                        y |= 1 << perm[i]
                dst[y] = t
            g = np.zeros_like(tables)
            for ci, c in enumerate(range(0, rows, chunk)):
                lut = np.zeros(1 << chunk, dtype=np.int64)
                for b in range(1 << chunk):
                    lut[b] = sum(1 << dst[c + y] for y in range(chunk) if (b >> y) & 1)
                g |= lut[pieces[ci]]
            np.minimum(best, g, out=best)
            np.minimum(best, g ^ full, out=best)
    best.setflags(write=False)
    return best


def npn_canonical_all(n: int = 4) -> np.ndarray:
    """Canonical NPN representative of every n-input function (index = table), n <= 4.

    Brute force over the n! * 2^n input permutations/negations and the output negation; the
    representative is the smallest table in the class.  The (read-only) result is cached.
    """
    if not 0 <= n <= 4:
        raise ValueError("npn_canonical_all supports n <= 4")
    return _npn_canonical_cached(n)


def npn_class_reps(n: int = 4) -> list[int]:
    """Sorted list of NPN class representatives (222 for n = 4, 14 for n = 3)."""
    return sorted(int(v) for v in np.unique(npn_canonical_all(n)))


def _anf_proxy(table: int, n: int) -> tuple[int, int, int]:
    """Cheap difficulty proxy: (support size, GF(2) degree, number of ANF monomials)."""
    rows = 1 << n
    coef = [(table >> t) & 1 for t in range(rows)]
    for i in range(n):  # Moebius transform
        for t in range(rows):
            if (t >> i) & 1:
                coef[t] ^= coef[t ^ (1 << i)]
    monos = [t for t in range(rows) if coef[t]]
    support = 0
    for m in monos:
        support |= m
    deg = max((bin(m).count("1") for m in monos), default=0)
    return bin(support).count("1"), deg, len(monos)


def sample_npn_classes(n: int = 4, k: int = 20, seed: int = 0) -> list[int]:
    """A deterministic sample of k NPN class representatives, spread over difficulty.

    The classes are sorted by a cheap proxy of circuit size (support size, GF(2) degree, number of
    monomials of the algebraic normal form, then the table) and one class is taken from each of k
    equal-width strata of that order, at a position within the stratum chosen by ``seed``.  The
    proxy is not the circuit size itself (that would need the answer), but it puts constants and
    literals first and dense high-degree functions (where the cost-7 classes are) last, so the
    sample covers small and large sizes.  Returned in ascending proxy order.
    """
    reps = npn_class_reps(n)
    order = sorted(reps, key=lambda f: (_anf_proxy(f, n), f))
    k = max(0, min(k, len(order)))
    if k == 0:
        return []
    rng = np.random.default_rng(seed)
    out: list[int] = []
    m = len(order)
    for s in range(k):
        lo = (s * m) // k
        hi = ((s + 1) * m) // k
        out.append(order[lo + int(rng.integers(0, max(1, hi - lo)))])
    return out


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


def _format_chain(n: int, steps: list[Step]) -> str:
    """Straight-line text of a chain, e.g. ``t0 = xor(x0, x1); t1 = and(x2, t0)``."""
    names = {0x2: "andn", 0x6: "xor", 0x8: "and", 0xE: "or"}

    def ref(v: int) -> str:
        return f"x{v}" if v < n else f"t{v - n}"

    parts = []
    for i, (op, j, k) in enumerate(steps):
        if op == 0x4:  # (not a) and b = andn(b, a)
            op, j, k = 0x2, k, j
        parts.append(f"t{i} = {names.get(op, f'op{op:x}')}({ref(j)}, {ref(k)})")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Time ``sat_min_circuit_size`` on a sample of NPN classes; print a table, optionally JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--k", type=int, default=20, help="number of NPN classes (all if >= 222)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solver", default="cadical153")
    ap.add_argument("--no-symmetry", action="store_true", help="switch off symmetry breaking")
    ap.add_argument("--json", default=None, help="write the rows to this JSON file")
    ap.add_argument("--chains", action="store_true", help="print the decoded chains")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    sample = sample_npn_classes(args.n, args.k, args.seed)
    t_npn = time.perf_counter() - t0
    print(f"# {len(sample)} NPN classes of {args.n}-input functions (sampled in {t_npn:.2f} s), "
          f"solver {args.solver}, symmetry breaking {'off' if args.no_symmetry else 'on'}")
    print(f"{'table':>8} {'size':>4} {'seconds':>8}")
    rows = []
    for f in sample:
        t1 = time.perf_counter()
        size, chain = sat_min_circuit_size(
            f, args.n, solver=args.solver, symmetry_breaking=not args.no_symmetry
        )
        dt = time.perf_counter() - t1
        assert verify_chain(f, args.n, chain)
        width = (1 << args.n) // 4
        print(f"{f:#0{width + 2}x} {size:>4} {dt:>8.3f}" + (f"  {_format_chain(args.n, chain)}" if args.chains else ""))
        rows.append({"table": f, "size": size, "seconds": dt, "chain": chain})
        sys.stdout.flush()
    secs = [r["seconds"] for r in rows]
    if secs:
        hist: dict[int, int] = {}
        for r in rows:
            hist[r["size"]] = hist.get(r["size"], 0) + 1
        print(f"# total {sum(secs):.2f} s, mean {np.mean(secs):.3f} s/class, median "
              f"{np.median(secs):.3f}, max {max(secs):.3f}; sizes {dict(sorted(hist.items()))}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": args.n, "solver": args.solver, "seed": args.seed,
                       "symmetry_breaking": not args.no_symmetry, "rows": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
