"""Z_p arithmetic synthesis: shortest programs over inputs a, b with add, sub, mul, neg (mod p).

The same length-ordered scheme as the Boolean enumerator, on value vectors instead of bit vectors: level
``s`` holds every distinct vector of outputs on the search points (examples, then queries) whose
minimum program size is ``s``; constants 0 and 1 are free leaves. Vectors are compared exactly (rows
of int32, deduplicated with numpy's sort-based unique), never by hash. Work is charged to a
`synth.budget.Budget` after every chunk: a candidate of m int32 values costs ``ceil(m / 2) +
CANDIDATE_OVERHEAD`` units (its machine words plus bookkeeping), as in the Boolean enumerator.

>>> import numpy as np
>>> from synth.spec import Spec
>>> a, b = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
>>> X = np.stack([a.ravel(), b.ravel()], axis=1)
>>> r = synthesize_zp(Spec.from_examples(X, (X[:, 0] * X[:, 1] + X[:, 0]) % 7, p=7), basis="zp")
>>> r.min_size, str(r.shortest[0])
(2, 'add(a, mul(a, b))')
"""

from __future__ import annotations

import numpy as np

from .budget import CANDIDATE_OVERHEAD, Budget, BudgetExceeded, as_budget
from .dsl import ZP_GATES, Basis, Program, get_basis
from .errors import SynthError
from .posterior import MINIMAL_TERM, min_bits_for_size, truncation_bound, unseen_count_log2
from .spec import Spec
from .result import ConsistentFunction, FrontierEntry, SynthesisResult, pareto, saturation_note

__all__ = ["synthesize_zp"]

_CHUNK = 1 << 22  # values per numpy call
MAX_ENTRIES = 2_000_000  # stored value vectors (memory), unless the caller's budget allows fewer


def _void(rows: np.ndarray) -> np.ndarray:
    rows = np.ascontiguousarray(rows)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def synthesize_zp(spec: Spec, *, basis: str | Basis = "zp", max_size: int | None = None, top_k: int = 10,
                  budget: Budget | int | None = None, slack: int = 1, progress=None):
    """Shortest Z_p programs consistent with a Z_p spec (called by `synth.synthesize`). ``budget``: work
    units or a shared `synth.budget.Budget`. An unfinished search returns its proven lower bound and no
    program (no cheap construction of a consistent Z_p program is small enough to be useful)."""
    b = get_basis(basis)
    p = spec.p
    if spec.n_inputs != 2:
        raise SynthError(f"Z_p specs have two inputs (a, b); this one has {spec.n_inputs}")
    parent = as_budget(budget)
    budget = parent.sub(max_entries=min(parent.max_entries, MAX_ENTRIES))
    words = -(-spec.points().shape[0] // 2)    # int32 values: two per 64-bit word
    pts = spec.points().astype(np.int64) % p
    m = len(pts)
    ne = spec.n_examples
    y = spec.y.astype(np.int64) % p
    ops = [(name, ZP_GATES[name], b.cost(name)) for name in b.costs]
    if any(c <= 0 for _, _, c in ops):
        raise SynthError(f"basis {b.name!r}: every Z_p gate must cost at least 1 for a search")
    # level 0: a, b, constants 0 and 1
    leaves = [("in", 0), ("in", 1), ("const", 0), ("const", 1)]
    vals = np.stack([pts[:, 0], pts[:, 1], np.zeros(m, np.int64), np.ones(m, np.int64) % p]).astype(np.int32)
    _, first = np.unique(_void(vals), return_index=True)
    first = np.sort(first)
    levels = [(vals[first], [(leaves[i],) for i in first])]
    seen = _void(vals[first]).copy()
    seen.sort()
    found: dict[bytes, tuple[int, tuple]] = {}
    frontier_best: dict[int, tuple[int, tuple]] = {}
    candidates = 0
    exact = True
    notes: list[str] = []
    min_size = None

    def note_level(s: int) -> None:
        nonlocal min_size
        V, refs = levels[s]
        if not len(V):
            return
        err = (V[:, :ne] != y[None, :]).sum(axis=1)
        i = int(np.argmin(err))
        frontier_best[s] = (int(err[i]), refs[i])
        for j in np.nonzero(err == 0)[0]:
            found.setdefault(V[j].tobytes(), (s, refs[j]))
        if min_size is None and (err == 0).any():
            min_size = s

    note_level(0)
    s = 0
    saturated = False
    max_cost, max_arity = max(c for _, _, c in ops), max(g.arity for _, g, _ in ops)
    try:
        while True:
            limit = max_size if max_size is not None else (None if min_size is None else min_size + slack)
            if limit is not None and s >= limit:
                break
            s += 1
            parts_v, parts_r = [], []
            for name, g, c in ops:
                if c > s:
                    continue
                rest = s - c
                if g.arity == 1:
                    if rest < len(levels):
                        V, refs = levels[rest]
                        out = g.zp(V.astype(np.int64), p).astype(np.int32)
                        candidates += len(out)
                        budget.charge_candidates(len(out), words=words + CANDIDATE_OVERHEAD)
                        parts_v.append(out)
                        parts_r.extend((name, (rest, i)) for i in range(len(V)))
                    continue
                for s1 in range(rest + 1):
                    s2 = rest - s1
                    if s1 >= len(levels) or s2 >= len(levels) or (g.commutative and s1 > s2):
                        continue
                    A, B = levels[s1][0], levels[s2][0]
                    rows = max(1, _CHUNK // max(1, len(B) * m))
                    for i0 in range(0, len(A), rows):
                        a = A[i0:i0 + rows].astype(np.int64)
                        out = g.zp(a[:, None, :], B[None, :, :].astype(np.int64), p).astype(np.int32)
                        out = out.reshape(-1, m)
                        ii = np.repeat(np.arange(i0, i0 + len(a)), len(B))
                        jj = np.tile(np.arange(len(B)), len(a))
                        candidates += len(out)
                        key = _void(out)
                        pos = np.searchsorted(seen, key)
                        pos[pos == len(seen)] = 0
                        new = seen[pos] != key if len(seen) else np.ones(len(out), bool)
                        parts_v.append(out[new])
                        parts_r.extend((name, (s1, int(i)), (s2, int(j))) for i, j in zip(ii[new], jj[new]))
                        budget.charge_candidates(len(out), words=words + CANDIDATE_OVERHEAD,
                                                 entries=len(seen) + sum(len(v) for v in parts_v))
            if parts_v:
                V = np.concatenate(parts_v)
                key = _void(V)
                pos = np.searchsorted(seen, key)
                pos[pos == len(seen)] = 0
                new = seen[pos] != key if len(seen) else np.ones(len(V), bool)
                _, first = np.unique(key[new], return_index=True)
                keep = np.nonzero(new)[0][np.sort(first)]
                V = V[keep]
                refs = [parts_r[i] for i in keep]
                seen = np.union1d(seen, _void(V))
            else:
                V, refs = np.zeros((0, m), np.int32), []
            levels.append((V, refs))
            if progress:
                progress(f"size {s}: {len(V)} new value vectors ({len(seen)} in all)")
            note_level(s)
            # every value vector the gates build on these points is known (`Enumerator.saturated`: a new
            # one would need a new operand past the last level that added one): larger sizes add none
            last = max(i for i, lv in enumerate(levels) if len(lv[0]))
            complete = s >= max_cost + max_arity * last
            if complete and (limit is None or s < limit):
                notes.append(saturation_note(b.name, "value vector", last, s, min_size is not None))
                saturated = True
                break
    except BudgetExceeded as e:
        exact = False
        notes.append(f"search stopped: {e}; sizes up to {len(levels) - 1} were searched completely")
    searched = len(levels) - 1

    def build(s: int, ref) -> Program:
        nodes: list[tuple[str, tuple[int, ...]]] = []

        def emit(s: int, r) -> int:
            head = r[0]
            if isinstance(head, tuple):  # leaf
                kind, v = head
                if kind == "in":
                    return v
                nodes.append((str(v), ()))
                return 2 + len(nodes) - 1
            args = [emit(ls, levels[ls][1][i]) for ls, i in r[1:]]
            nodes.append((head, tuple(args)))
            return 2 + len(nodes) - 1
        out = emit(s, ref)
        return Program(2, nodes, out, basis=b, p=p)

    qpos = np.arange(ne, m)
    index = {r.tobytes(): i for i, r in enumerate(pts.astype(spec.queries.dtype))}
    qpos = np.array([index[r.tobytes()] for r in spec.queries], dtype=np.int64)
    consistent = []
    for key, (sz, ref) in found.items():
        v = np.frombuffer(key, dtype=np.int32)
        consistent.append(ConsistentFunction(sz, build(sz, ref), v[qpos].astype(np.int64)))
    consistent.sort(key=lambda c: (c.size, c.bits, str(c.program)))
    shortest = [c.program for c in consistent if c.size == min_size][:top_k]
    if min_size is None:
        exact = False
        notes.append(f"no consistent program of size <= {searched} (lower bound {searched + 1})")
    frontier = pareto([FrontierEntry(sz, e, build(sz, r)) for sz, (e, r) in frontier_best.items()])
    n_unseen = unseen_count_log2(p, m - ne, len(consistent))
    trunc = 0.0 if saturated else truncation_bound(np.array([c.bits for c in consistent]), n_unseen,
                                                   min_bits_for_size(searched + 1, 2, b, n_const=p))
    stats = {"candidates": int(candidates), "distinct_functions": int(len(seen)),
             "levels": [len(v) for v, _ in levels], "points": m}
    if exact and min_size is not None:
        notes.append(MINIMAL_TERM)
    return SynthesisResult(spec, b.name, "formula", min_size, shortest, frontier, consistent,
                           exact and min_size is not None, searched, trunc, stats, notes,
                           lower_bound=min_size if (exact and min_size is not None) else searched + 1)
