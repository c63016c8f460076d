"""Exact minimum `aon` circuits (AND, OR, NOT each cost 1) by SAT over aig skeletons with polarities.

Used by `bench/make_census4.py` to finish the n = 4 `aon` census where the breadth-first census stops.
An aon circuit without redundant gates is an aig circuit (its g AND/OR gates, negation free) plus the NOT
gates: every aig gate computes an AND of two literals, possibly complemented, and is built either as the
AND of the literals or as the OR of their complements (then it carries its complement); a signal that some
reader (or the output) needs in the polarity it is not built in costs one NOT gate, shared by all its
readers. So the aon size of f is the least g + k such that some aig circuit of g gates computes f with k
such NOTs; g >= aig(f) and k >= Markov's bound (see `make_census4.markov_nots`).

`polarity_instance(f, n, g, k)` asks one SAT question: is there an aig circuit of exactly g gates, each
used, computing f with at most k NOTs? Encoding (after Knuth's normal chains, TAOCP 7.1.2, and
Kojevnikov-Kulikov-Yaroslavtsev, SAT 2009): step i reads nodes j < k (``s[i,j,k]``), computes the *normal*
AND-type operation ``((a ^ al) & (b ^ be)) ^ (al & be)`` (AND, a AND NOT b, NOT a AND b, OR) on every
row t >= 1 of the truth table (row 0 is 0); ``d[i]`` says it is built as an OR (then its physical
polarity ``p[i] = d[i] ^ (al & be)``); ``m[j]`` says node j needs a NOT. Readers force ``m[j]`` when the
polarity they read differs from ``p[j]`` (inputs have p = 0); the output is the last step, read in
polarity f(0); a cardinality constraint bounds the m's by k. Symmetry breaking valid for minimum
circuits: every step but the last is read by a later one; adjacent steps that do not read each other
take operand pairs in increasing co-lexicographic order (swapping them changes nothing).

`aon_minimum(f, n, lower, upper)` walks the cost s = lower, lower + 1, ... and answers the least s for
which some split g + k = s (g >= aig(f), k >= markov(f)) is satisfiable; every returned circuit is
evaluated and costed here.
"""

from __future__ import annotations

import itertools

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool
from pysat.solvers import Solver

__all__ = ["polarity_instance", "aon_minimum"]

SOLVER = "cd195"


def _inputs(n: int) -> list[int]:
    return [sum(1 << t for t in range(1 << n) if (t >> i) & 1) for i in range(n)]


def polarity_instance(f: int, n: int, g: int, k: int, *, conflicts: int | None = None):
    """A circuit of g aig steps and <= k NOTs for f as aon ``(nodes, output)``, None when there is none
    ("unsat"), or "unknown" when the conflict budget ran out. f must need at least one gate."""
    full = (1 << (1 << n)) - 1
    neg_out = f & 1                     # the last step is normal (0 on row 0): f is it, complemented if f(0)
    target = f ^ (full if neg_out else 0)
    rows = range(1, 1 << n)
    pool = IDPool()
    s = lambda i, j, kk: pool.id(("s", i, j, kk))   # noqa: E731
    x = lambda i, t: pool.id(("x", i, t))          # noqa: E731
    al = lambda i: pool.id(("al", i))              # noqa: E731
    be = lambda i: pool.id(("be", i))              # noqa: E731
    ga = lambda i: pool.id(("ga", i))              # noqa: E731  al & be
    d = lambda i: pool.id(("d", i))                # noqa: E731  built as OR
    p = lambda i: pool.id(("p", i))                # noqa: E731  physical polarity = d ^ ga
    m = lambda j: pool.id(("m", j))                # noqa: E731  node j needs a NOT
    cls: list[list[int]] = []
    ins = _inputs(n)

    def val(j: int, t: int):
        """Literal (or constant bool) of node j on row t."""
        return bool((ins[j] >> t) & 1) if j < n else x(j - n, t)

    for i in range(g):
        node = n + i
        pairs = [(j, kk) for kk in range(node) for j in range(kk)]
        cls.append([s(i, j, kk) for j, kk in pairs])
        cls += [[-ga(i), al(i)], [-ga(i), be(i)], [ga(i), -al(i), -be(i)]]
        # p = d xor ga
        cls += [[-p(i), d(i), ga(i)], [-p(i), -d(i), -ga(i)], [p(i), -d(i), ga(i)], [p(i), d(i), -ga(i)]]
        for j, kk in pairs:
            sv = s(i, j, kk)
            for t in rows:
                for a, b in itertools.product((0, 1), repeat=2):
                    va, vb = val(j, t), val(kk, t)
                    if isinstance(va, bool) and va != a or isinstance(vb, bool) and vb != b:
                        continue
                    cond = [-sv]
                    if not isinstance(va, bool):
                        cond.append(-va if a else va)
                    if not isinstance(vb, bool):
                        cond.append(-vb if b else vb)
                    # out = ((a^al) & (b^be)) ^ ga, enumerated over al, be
                    for A, B in itertools.product((0, 1), repeat=2):
                        out = ((a ^ A) & (b ^ B)) ^ (A & B)
                        c = cond + [-al(i) if A else al(i), -be(i) if B else be(i)]
                        cls.append(c + [x(i, t) if out else -x(i, t)])
            # readers force NOTs: operand j read in polarity al ^ d, operand kk in be ^ d
            for op, sel in ((j, al(i)), (kk, be(i))):
                for A, D in itertools.product((0, 1), repeat=2):
                    c = [-sv, -sel if A else sel, -d(i) if D else d(i)]
                    want = A ^ D
                    if op < n:
                        if want != 0:
                            cls.append(c + [m(op)])
                    else:
                        q = p(op - n)
                        cls.append(c + [q if want else -q, m(op)])
        if i < g - 1:                 # every step but the last is read later
            cls.append([s(i2, j, node) for i2 in range(i + 1, g) for j in range(node)] +
                       [s(i2, node, kk) for i2 in range(i + 1, g) for kk in range(node + 1, n + i2)])
        if 0 < i:                     # adjacent independent steps in increasing colex order of (kk, j)
            prev = [(j, kk) for kk in range(node - 1) for j in range(kk)]
            for j2, k2 in prev:
                for j, kk in pairs:
                    if kk == node - 1 or j == node - 1:
                        continue
                    if (kk, j) < (k2, j2):
                        cls.append([-s(i - 1, j2, k2), -s(i, j, kk)])
    last = g - 1
    for t in rows:
        cls.append([x(last, t)] if (target >> t) & 1 else [-x(last, t)])
    # the output: node n + last read in polarity neg_out
    cls.append([p(last), m(n + last)] if neg_out else [-p(last), m(n + last)])
    ms = [m(j) for j in range(n + g)]
    card = CardEnc.atmost(lits=ms, bound=k, vpool=pool, encoding=EncType.seqcounter)
    cls += card.clauses
    with Solver(name=SOLVER, bootstrap_with=cls) as solver:
        if conflicts is not None:
            solver.conf_budget(conflicts)
            status = solver.solve_limited()
        else:
            status = solver.solve()
        if status is None:
            return "unknown"
        if not status:
            return None
        model = set(v for v in solver.get_model() if v > 0)
    return _decode(model, pool, n, g, neg_out, f)


def _decode(model: set, pool: IDPool, n: int, g: int, neg_out: int, f: int):
    on = lambda key: pool.id(key) in model       # noqa: E731
    steps = []
    for i in range(g):
        node = n + i
        j, kk = next((j, kk) for kk in range(node) for j in range(kk) if on(("s", i, j, kk)))
        steps.append((j, kk, int(on(("al", i))), int(on(("be", i))), int(on(("d", i)))))
    # physical polarity of each node and the aon circuit
    pol = [0] * n + [d ^ (a & b) for _, _, a, b, d in steps]
    nodes: list[tuple[str, tuple[int, ...]]] = []
    ref = list(range(n)) + [None] * g
    negref: dict[int, int] = {}

    def phys(j: int, want: int) -> int:
        if want == pol[j]:
            return ref[j]
        if j not in negref:
            nodes.append(("not", (ref[j],)))
            negref[j] = n + len(nodes) - 1
        return negref[j]

    for i, (j, kk, a, b, dd) in enumerate(steps):
        nodes.append(("or" if dd else "and", (phys(j, a ^ dd), phys(kk, b ^ dd))))
        ref[n + i] = n + len(nodes) - 1
    out = phys(n + g - 1, neg_out)
    return nodes, out


def aon_minimum(f: int, n: int, *, lower: int, upper: int | None, aig_size: int, markov: int,
                conflicts: int | None = None, max_size: int = 30):
    """``(size, lower, circuit)``: the aon size of f when it lies below ``upper`` (with a circuit; None
    when ``upper`` is proven minimal), walking s = lower, lower + 1, ...; ``size`` is None when a conflict
    budget ran out, and ``lower`` is then the proven lower bound reached."""
    top = upper if upper is not None else max_size
    for size in range(lower, top):
        unknown = False
        for g in range(aig_size, size - markov + 1):
            res = polarity_instance(f, n, g, size - g, conflicts=conflicts)
            if res == "unknown":
                unknown = True
            elif res is not None:
                return size, size, res
        if unknown:
            return None, size, None
    return (upper, upper, None) if upper is not None else (None, top, None)
