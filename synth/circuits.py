"""Exact minimum circuits (Boolean chains with shared gates) for every function of n <= 4 inputs.

The cost of a circuit is the sum of the costs of its gates in a basis (`synth.dsl.BASES` or a user
`Basis`); inputs and the constants 0 and 1 are free leaves. `exact_circuits` runs a breadth-first search
over *states* (the set of functions computed by the gates so far), level by level in total cost, with
states canonicalised under the symmetry group of the basis: input permutations and input negations, with
every function normalised so that f(0) = 0, when negation is free (NPN symmetry); input permutations only
when it is not (P symmetry). Each level is exhaustive, so the first level at which a function appears is
its exact minimum cost.

Work is charged to a `synth.budget.Budget` after every chunk of states expanded or canonicalised: one unit
per truth table computed (at most 16 bits, one machine word). Where a budget stops the census depends
only on ``(n, basis, budget)``.

Truth tables follow the project convention: bit ``t`` of a table is ``f(x)`` with ``x_i = (t >> i) & 1``.

>>> ct = exact_circuits(2, "full")
>>> int(ct.sizes[0b0110]), int(ct.sizes[0b1000]), int(ct.sizes[0b1010])   # xor, and, x0
(1, 1, 0)
>>> nodes, out = ct.witness(0b0110)
>>> nodes, out
([('xor', (0, 1))], 2)
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, NamedTuple

import numpy as np

from .budget import Budget, BudgetExceeded, as_budget
from .dsl import GATES, Basis, get_basis
from .errors import SynthError

__all__ = [
    "Transform",
    "npn_transforms",
    "npn_canonical",
    "npn_classes",
    "CircuitTable",
    "exact_circuits",
    "npn_histogram",
    "circuit_cost",
    "evaluate_circuit",
]

MAX_N = 4  # exhaustive census; npn_canonical itself works up to n = 6


# ---------------------------------------------------------------------------------------------
# Symmetry: transforms of truth tables
# ---------------------------------------------------------------------------------------------


class Transform(NamedTuple):
    """An NPN transform g = T(f): ``g(x) = neg_output XOR f(z)`` with ``z_i = x_{perm[i]} XOR neg_i``.

    Variable i of ``f`` is fed by the literal ``x_{perm[i]}``, negated when bit i of ``neg_inputs``
    is set. So a circuit for ``f`` becomes one for ``g`` by rewiring input i to that literal.

    >>> Transform((1, 0), 0, False).apply(0b0010, 2)   # x0 AND NOT x1  ->  x1 AND NOT x0
    4
    """

    perm: tuple[int, ...]
    neg_inputs: int
    neg_output: bool

    def apply(self, table: int, n: int) -> int:
        """The transformed truth table (see the class docstring); ``table`` has ``n`` inputs."""
        out = 0
        for t in range(1 << n):
            z = 0
            for i in range(n):
                z |= (((t >> self.perm[i]) & 1) ^ ((self.neg_inputs >> i) & 1)) << i
            out |= ((table >> z) & 1) << t
        if self.neg_output:
            out ^= (1 << (1 << n)) - 1
        return out


def _check_n(n: int, hi: int = MAX_N) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 0 <= n <= hi:
        raise SynthError(f"number of inputs must be an int in 0..{hi}, got {n!r}")


def _check_table(table: int, n: int) -> int:
    if not isinstance(table, (int, np.integer)) or isinstance(table, bool):
        raise SynthError(f"truth table must be an int, got {table!r}")
    table = int(table)
    if not 0 <= table < (1 << (1 << n)):
        raise SynthError(f"truth table {table:#x} does not fit {n} inputs (needs 0 <= t < 2^{1 << n})")
    return table


@lru_cache(maxsize=None)
def npn_transforms(n: int) -> np.ndarray:
    """All NPN transforms of n inputs as rows ``(perm_0..perm_{n-1}, neg_inputs, neg_output)``.

    There are ``n! * 2^n * 2`` rows; the identity is row 0. Turn a row into a `Transform` with
    ``Transform(tuple(row[:n]), row[n], bool(row[n+1]))``.

    >>> npn_transforms(2).shape
    (16, 4)
    >>> npn_transforms(2)[0].tolist()
    [0, 1, 0, 0]
    """
    _check_n(n, 6)
    rows = [(*p, m, o) for o in (0, 1) for p in itertools.permutations(range(n)) for m in range(1 << n)]
    arr = np.array(rows, dtype=np.int64).reshape(len(rows), n + 2)
    arr.setflags(write=False)
    return arr


def _source_positions(n: int, perms_negs: np.ndarray) -> np.ndarray:
    """(G, 2^n) array: bit t of T(f) is bit src[g, t] of f (no output negation)."""
    t = np.arange(1 << n)
    src = np.zeros((len(perms_negs), 1 << n), dtype=np.int64)
    for i in range(n):
        bit = (t[None, :] >> perms_negs[:, i : i + 1]) & 1
        src |= (bit ^ ((perms_negs[:, n : n + 1] >> i) & 1)) << i
    return src


def _all_tables_dtype(n: int):
    return np.uint8 if n <= 3 else np.uint16


@lru_cache(maxsize=None)
def _input_transform_table(n: int, negations: bool) -> np.ndarray:
    """(G, 2^(2^n)) table of T(f) for every input transform (perms, with input negations if asked)."""
    pn = [(*p, m) for p in itertools.permutations(range(n)) for m in (range(1 << n) if negations else [0])]
    pn_arr = np.array(pn, dtype=np.int64).reshape(len(pn), n + 1)
    src = _source_positions(n, pn_arr)
    dt = _all_tables_dtype(n)
    f = np.arange(1 << (1 << n), dtype=np.int64)
    out = np.zeros((len(pn), f.size), dtype=dt)
    for g in range(len(pn)):
        acc = np.zeros(f.size, dtype=np.int64)
        for t in range(1 << n):
            acc |= ((f >> int(src[g, t])) & 1) << t
        out[g] = acc.astype(dt)
    out.setflags(write=False)
    return out


def _input_transform_params(n: int, negations: bool) -> list[tuple[tuple[int, ...], int]]:
    return [(p, m) for p in itertools.permutations(range(n)) for m in (range(1 << n) if negations else [0])]


@lru_cache(maxsize=None)
def _npn_classes_cached(n: int) -> np.ndarray:
    tab = _input_transform_table(n, True)
    mask = (1 << (1 << n)) - 1
    reps = np.minimum(tab.min(axis=0).astype(np.int64), mask - tab.max(axis=0).astype(np.int64))
    reps.setflags(write=False)
    return reps


def npn_classes(n: int) -> np.ndarray:
    """Canonical NPN representative (the smallest table of the class) of every function of n <= 4 inputs.

    >>> len(set(npn_classes(3).tolist())), len(set(npn_classes(4).tolist()))
    (14, 222)
    """
    _check_n(n)
    return _npn_classes_cached(n)


def _all_npn_images(table: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Images of ``table`` under every NPN transform (rows of npn_transforms(n)), as Python-int-safe arrays."""
    rows = npn_transforms(n)
    src = _source_positions(n, rows[:, : n + 1])
    bits = np.array([(table >> t) & 1 for t in range(1 << n)], dtype=np.uint8)
    img_bits = bits[src] ^ rows[:, n + 1 : n + 2].astype(np.uint8)  # (G, 2^n)
    return rows, img_bits


def npn_canonical(table: int, n: int) -> tuple[int, Transform]:
    """Canonical NPN representative of ``table`` (the smallest table in its class) and a `Transform`
    that maps the representative back to ``table`` (n <= 6).

    >>> rep, tr = npn_canonical(0b0100, 2)    # NOT x0 AND x1
    >>> rep, tr.apply(rep, 2)
    (1, 4)
    """
    _check_n(n, 6)
    table = _check_table(table, n)
    if n <= MAX_N:
        rep = int(_npn_classes_cached(n)[table])
    else:
        _, img = _all_npn_images(table, n)
        weights = np.left_shift(np.uint64(1), np.arange(1 << n, dtype=np.uint64))
        rep = int((img.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64).min())
    rows, img = _all_npn_images(rep, n)
    target = np.array([(table >> t) & 1 for t in range(1 << n)], dtype=np.uint8)
    g = int(np.nonzero((img == target).all(axis=1))[0][0])
    row = rows[g]
    return rep, Transform(tuple(int(v) for v in row[:n]), int(row[n]), bool(row[n + 1]))


# ---------------------------------------------------------------------------------------------
# Gate variants: each basis gate with negated arguments / output (free negation), reduced to the
# arguments it depends on, closed under argument permutations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    table: int  # truth table over `arity` reduced arguments
    arity: int
    cost: int
    gate: str  # basis gate implementing it
    slots: tuple[int, ...]  # for each gate argument: index of the reduced argument, or -1 (don't care)
    neg: tuple[int, ...]  # for each gate argument: 1 when the argument is negated
    out_neg: int  # 1 when the gate output is negated


def _depends(table: int, arity: int, i: int) -> bool:
    return any(((table >> t) & 1) != ((table >> (t ^ (1 << i))) & 1) for t in range(1 << arity))


def _restrict(table: int, arity: int, keep: list[int]) -> int:
    """Table over the arguments ``keep`` (in that order), the others fixed to 0 (they don't matter)."""
    out = 0
    for u in range(1 << len(keep)):
        t = 0
        for j, i in enumerate(keep):
            t |= ((u >> j) & 1) << i
        out |= ((table >> t) & 1) << u
    return out


def _permute_table(table: int, arity: int, perm: tuple[int, ...]) -> int:
    """h(y) = table(z) with z_i = y_{perm[i]}."""
    out = 0
    for u in range(1 << arity):
        z = 0
        for i in range(arity):
            z |= ((u >> perm[i]) & 1) << i
        out |= ((table >> z) & 1) << u
    return out


def _variants(basis: Basis) -> list[_Variant]:
    """All useful gate variants of a basis (cheapest per (table, arity)), closed under arg permutations."""
    free = basis.free_not
    best: dict[tuple[int, int], _Variant] = {}
    for name, cost in basis.costs.items():
        gate = GATES[name]
        if gate.table is None:
            raise SynthError(f"basis {basis.name!r}: gate {name!r} is not Boolean")
        if free and name == "not":
            continue  # negation is free: handled by normalisation
        r = gate.arity
        if r > 3:
            raise SynthError(f"basis {basis.name!r}: gates of arity {r} > 3 are not supported")
        for negmask in range(1 << r) if free else [0]:
            for out_neg in (0, 1) if free else [0]:
                tab = 0
                for t in range(1 << r):
                    tab |= (((gate.table >> (t ^ negmask)) & 1) ^ out_neg) << t
                if free and tab & 1:
                    continue  # keep the normalised variant (f(0) = 0)
                keep = [i for i in range(r) if _depends(tab, r, i)]
                if free and len(keep) < 2:
                    continue  # constants, literals: free anyway
                if not free:
                    if not keep:
                        continue  # constant
                    if len(keep) == 1 and _restrict(tab, r, keep) == 0b10:
                        continue  # identity
                red = _restrict(tab, r, keep)
                k = len(keep)
                for perm in itertools.permutations(range(k)):
                    # reduced arg j of the permuted variant is reduced arg perm^-1 ... : build explicitly
                    ptab = _permute_table(red, k, perm)
                    # ptab(y) = red(z), z_i = y_{perm[i]}: gate arg keep[i] receives reduced arg perm[i]
                    slots = [-1] * r
                    for i, gi in enumerate(keep):
                        slots[gi] = perm[i]
                    v = _Variant(ptab, k, cost, name, tuple(slots),
                                 tuple((negmask >> i) & 1 for i in range(r)), out_neg)
                    key = (ptab, k)
                    if key not in best or best[key].cost > cost:
                        best[key] = v
    return sorted(best.values(), key=lambda v: (v.arity, v.cost, v.table))


def _eval_variant_ints(table: int, args: list[int], mask: int) -> int:
    out = 0
    r = len(args)
    for t in range(1 << r):
        if (table >> t) & 1:
            term = mask
            for i, a in enumerate(args):
                term &= a if (t >> i) & 1 else ~a & mask
            out |= term
    return out


# ---------------------------------------------------------------------------------------------
# The search
# ---------------------------------------------------------------------------------------------


@dataclass
class _Bucket:
    """Canonical states of one (level, size) with their provenance (for witnesses)."""

    level: int
    k: int
    vals: np.ndarray  # (N, k) canonical states (sorted ascending)
    parent_bucket: np.ndarray  # (N,) int16 index into the bucket list
    parent: np.ndarray  # (N,) int64 index into the parent bucket
    tau: np.ndarray  # (N,) int32 transform: canonical = tau(parent + [newval])
    newval: np.ndarray  # (N,) value added to the parent state (parent frame)
    gcost: np.ndarray  # (N,) int16 cost of the added gate


@dataclass
class CircuitTable:
    """Minimum circuit cost of every function of ``n`` inputs in one basis (see `exact_circuits`).

    ``sizes[t]`` is the minimum cost of truth table ``t`` (-1 when unknown or not computable);
    ``exact`` is False when a budget stopped the search (then ``upper`` holds upper bounds, -1 where
    none, and every function of unknown size costs more than ``complete_level``). ``witness(t)`` gives
    a minimal circuit, ``upper_witness(t)`` a circuit of cost ``upper[t]``. ``work``: units the search
    charged; ``seconds``: how long it took (a measurement, never used to decide anything).
    """

    n: int
    basis: str
    sizes: np.ndarray
    exact: bool
    seconds: float
    states_per_level: list[int]
    upper: np.ndarray | None = None
    note: str = ""
    work: int = 0
    complete_level: int = -1
    _engine: "_Engine | None" = field(default=None, repr=False, compare=False)

    def witness(self, table: int) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
        """A minimal circuit ``(nodes, output)`` for ``table``: nodes are ``(gate, args)``, refs
        0..n-1 are the inputs, ``n + i`` is node i; constants are nodes ``("0", ())`` / ``("1", ())``.

        >>> exact_circuits(2, "aig").witness(0b1110)      # x0 OR x1 = NOT(NOT x0 AND NOT x1)
        ([('not', (0,)), ('not', (1,)), ('and', (2, 3)), ('not', (4,))], 5)
        """
        table = _check_table(table, self.n)
        if self.sizes[table] < 0:
            why = "is not computable in this basis" if self.exact else "is unknown (the search was cut short)"
            raise SynthError(f"the minimum circuit of {table:#x} in basis {self.basis!r} {why}")
        assert self._engine is not None
        return self._engine.witness(table, int(self.sizes[table]))

    def upper_witness(self, table: int) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
        """A circuit of cost ``upper[table]`` (the best found) when the search was cut short; the
        minimal one (`witness`) otherwise."""
        table = _check_table(table, self.n)
        if self.upper is None or self.sizes[table] >= 0:
            return self.witness(table)
        if self.upper[table] < 0:
            raise SynthError(f"no circuit of {table:#x} in basis {self.basis!r} was found before the search "
                             "stopped")
        assert self._engine is not None
        return self._engine.witness(table, int(self.upper[table]))

    def cost(self, table: int) -> int:
        """Minimum cost of one function (-1 when unknown)."""
        return int(self.sizes[_check_table(table, self.n)])


class _Stop(Exception):
    """More candidate states than ``max_states`` at one level."""


class _Engine:
    def __init__(self, n: int, basis: Basis):
        self.n = n
        self.basis = basis
        self.free = basis.free_not
        self.mask = (1 << (1 << n)) - 1
        self.dtype = _all_tables_dtype(n)
        self.variants = _variants(basis)
        self.arities = sorted({v.arity for v in self.variants})
        self.cmin = min((v.cost for v in self.variants), default=1)
        inputs = [sum(1 << t for t in range(1 << n) if (t >> i) & 1) for i in range(n)]
        self.inputs = inputs
        self.leaves = ([0] if self.free else [0, self.mask]) + inputs
        # transform table on states and class ids
        T = _input_transform_table(n, self.free)
        if self.free:
            T = np.where((T & 1).astype(bool), T ^ self.dtype(self.mask), T).astype(self.dtype)
        self.T = np.ascontiguousarray(T)
        self.params = _input_transform_params(n, self.free)
        cls = T.min(axis=0).astype(np.int64)
        if self.free:
            allf = np.arange(self.mask + 1)
            cls = cls[np.where(allf & 1, allf ^ self.mask, allf)]
        _, self.classid = np.unique(cls, return_inverse=True)
        self.nclasses = int(self.classid.max()) + 1
        self.class_rep = np.zeros(self.nclasses, dtype=np.int64)
        self.class_rep[self.classid[::-1]] = np.arange(self.mask + 1)[::-1]  # smallest member
        self.tent = np.full(self.nclasses, np.iinfo(np.int64).max, dtype=np.int64)
        # class witnesses: bucket, state index, value (state frame), gate cost (-1 bucket: cost 0 leaf)
        self.wit_bucket = np.full(self.nclasses, -2, dtype=np.int64)
        self.wit_state = np.zeros(self.nclasses, dtype=np.int64)
        self.wit_val = np.zeros(self.nclasses, dtype=np.int64)
        self.wit_cost = np.zeros(self.nclasses, dtype=np.int64)
        self.wit_h = np.full(self.nclasses, -1, dtype=np.int64)
        self.wit_hcost = np.zeros(self.nclasses, dtype=np.int64)
        # for canonicalisation: smallest image of each function and the transforms reaching it
        self.rep_norm = self.T.min(axis=0)
        hit = self.T == self.rep_norm[None, :]
        self.stab_count = hit.sum(axis=0).astype(np.int64)
        self.stab_start = np.r_[0, np.cumsum(self.stab_count)[:-1]]
        self.stab_flat = np.nonzero(hit.T)[1].astype(np.int64)
        del hit
        leafcls = self.classid[np.array(self.leaves + ([self.mask] if self.free else []))]
        self.tent[leafcls] = 0
        self.wit_bucket[leafcls] = -1
        self.bits = (1 << n) - (1 if self.free else 0)
        self.shift = 1 if self.free else 0
        self.per_word = max(1, 64 // self.bits)
        self.buckets: list[_Bucket] = []
        self._tuple_cache: dict[tuple[int, int], np.ndarray] = {}

    # -- helpers -------------------------------------------------------------------------------
    def tuples(self, m: int, r: int) -> np.ndarray:
        key = (m, r)
        if key not in self._tuple_cache:
            tl = list(itertools.combinations_with_replacement(range(m), r))
            self._tuple_cache[key] = np.array(tl, dtype=np.int64).reshape(len(tl), r)
        return self._tuple_cache[key]

    def expand(self, nodes: np.ndarray, variants: list[_Variant],
               tuples: dict[int, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Outputs of every variant on every arg tuple: (B, P) values, (P,) variant ids, (P,) tuple ids."""
        B, m = nodes.shape
        outs, vids, tids = [], [], []
        mask = self.dtype(self.mask)
        for r in self.arities:
            vs = [(i, v) for i, v in enumerate(variants) if v.arity == r]
            if not vs:
                continue
            tup = self.tuples(m, r) if tuples is None else tuples[r]
            if len(tup) == 0:
                continue
            args = [nodes[:, tup[:, j]] for j in range(r)]  # each (B, P)
            nargs = [a ^ mask for a in args]
            minterms = []
            for t in range(1 << r):
                term = args[0] if t & 1 else nargs[0]
                for j in range(1, r):
                    term = term & (args[j] if (t >> j) & 1 else nargs[j])
                minterms.append(term)
            for i, v in vs:
                ones = [t for t in range(1 << r) if (v.table >> t) & 1]
                acc = minterms[ones[0]].copy()
                for t in ones[1:]:
                    acc |= minterms[t]
                outs.append(acc)
                vids.append(np.full(tup.shape[0], i, dtype=np.int64))
                tids.append(np.arange(tup.shape[0], dtype=np.int64))
        if not outs:
            z = np.zeros(0, dtype=np.int64)
            return np.zeros((B, 0), dtype=self.dtype), z, z
        return np.concatenate(outs, axis=1), np.concatenate(vids), np.concatenate(tids)

    def _words(self, vals: np.ndarray) -> np.ndarray:
        """(M, nw) uint64 packing of rows (lexicographic order of rows = order of word tuples)."""
        M, k = vals.shape
        nw = -(-k // self.per_word)
        words = np.zeros((M, nw), dtype=np.uint64)
        for w in range(nw):
            acc = np.zeros(M, dtype=np.uint64)
            for i in range(w * self.per_word, min(k, (w + 1) * self.per_word)):
                acc = (acc << np.uint64(self.bits)) | (vals[:, i] >> self.shift).astype(np.uint64)
            words[:, w] = acc
        return words

    @staticmethod
    def _first_unique(words: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """Indices of the first occurrence of each distinct row of ``words`` not present in ``prior``."""
        M, nw = words.shape
        if nw == 0:
            return np.zeros(min(M, 1) if prior is None or len(prior) == 0 else 0, dtype=np.int64)
        if prior is not None and len(prior):
            allw = np.concatenate([prior, words])
            tag = np.concatenate([np.zeros(len(prior), np.int8), np.ones(M, np.int8)])
        else:
            allw, tag = words, np.ones(M, np.int8)
        if nw == 1:
            order = np.argsort(allw[:, 0], kind="stable")
            sw = allw[order]
            new_group = np.r_[True, sw[1:, 0] != sw[:-1, 0]]
        else:
            order = np.lexsort(tuple(allw[:, j] for j in range(nw - 1, -1, -1)))
            sw = allw[order]
            new_group = np.r_[True, (sw[1:] != sw[:-1]).any(axis=1)]
        # within a group prior rows sort first when stable (lexsort is stable)
        keep = new_group & (tag[order] == 1)
        idx = order[keep]
        if prior is not None and len(prior):
            idx = idx - len(prior)
        return np.sort(idx)

    def canon(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Canonical form of each state row (the lexicographically smallest sorted image under the group)
        and the id of a transform reaching it. Only transforms sending a member with the smallest class
        representative to that representative can win, so only those are tried."""
        M, k = rows.shape
        if k == 0 or M == 0:
            return rows.copy(), np.zeros(M, dtype=np.int32)
        out = np.empty_like(rows)
        taus = np.empty(M, dtype=np.int32)
        step = 200_000
        for s in range(0, M, step):
            blk = rows[s : s + step]
            b = len(blk)
            R = self.rep_norm[blk]
            mr = R.min(axis=1)
            ri, ci = np.nonzero(R == mr[:, None])
            f = blk[ri, ci].astype(np.int64)
            cnt = self.stab_count[f]
            pr = np.repeat(ri, cnt)
            starts = np.repeat(self.stab_start[f] - (np.cumsum(cnt) - cnt), cnt)
            tau = self.stab_flat[starts + np.arange(len(pr))]
            X = self.T[tau[:, None], blk[pr]]
            self._charge(X.size)
            X.sort(axis=1)
            words = self._words(X[:, 1:])
            seg = np.flatnonzero(np.r_[True, pr[1:] != pr[:-1]])
            seglen = np.diff(np.r_[seg, len(pr)])
            sel = np.ones(len(pr), dtype=bool)
            big = np.uint64(np.iinfo(np.uint64).max)
            for w in range(words.shape[1]):
                wv = np.where(sel, words[:, w], big)
                mn = np.minimum.reduceat(wv, seg)
                sel &= wv == np.repeat(mn, seglen)
            idx = np.flatnonzero(sel)
            first = idx[np.r_[True, pr[idx][1:] != pr[idx][:-1]]]
            out[s : s + b] = X[first]
            taus[s : s + b] = tau[first]
        return out, taus

    # -- the level loop ----------------------------------------------------------------------------
    def run(self, budget: Budget, progress: Callable[[str], None] | None,
            max_states: int) -> tuple[bool, list[int], str]:
        self.t0 = time.perf_counter()
        self.budget = budget
        self.work = 0
        dt = self.dtype
        root = _Bucket(0, 0, np.zeros((1, 0), dtype=dt), np.full(1, -1, np.int16), np.zeros(1, np.int64),
                       np.zeros(1, np.int32), np.zeros(1, dt), np.zeros(1, np.int16))
        self.buckets.append(root)
        pending: dict[tuple[int, int], list] = {(0, 0): None}
        seen: dict[int, np.ndarray] = {}
        states_per_level: list[int] = []
        self.done_level = -1
        uniform = all(v.cost == 1 for v in self.variants)
        zero_cost = [v for v in self.variants if v.cost == 0]
        big = np.iinfo(np.int64).max
        level = 0
        try:
            while True:
                count = 0
                level_buckets = []
                while True:
                    ks = sorted(k for (L, k) in pending if L == level)
                    if not ks:
                        break
                    k = ks[0]
                    chunks = pending.pop((level, k))
                    b_id = 0 if chunks is None else self._materialise(level, k, chunks, seen, uniform)
                    if b_id is None:
                        continue
                    count += len(self.buckets[b_id].vals)
                    level_buckets.append(b_id)
                    if self._outputs_pass(b_id):
                        self.done_level = big
                        states_per_level.append(count)
                        return True, states_per_level, ""
                    if zero_cost:
                        self._states_pass(b_id, pending, zero_cost, max_states)
                states_per_level.append(count)
                # every output of cost <= level + cmin has been generated
                self.done_level = level + self.cmin
                remaining = self.tent > self.done_level
                self._report(progress, f"level {level} done, {count} states")
                if not remaining.any():
                    return True, states_per_level, ""
                if uniform and count and remaining.sum() * 3 <= self.nclasses:
                    if self._depth2_pass(level_buckets, remaining):
                        self.done_level = big
                        self._report(progress, f"level {level + 2} found by lookahead")
                        return True, states_per_level, ""
                positive = [v for v in self.variants if v.cost > 0]
                for b_id in level_buckets:
                    self._states_pass(b_id, pending, positive, max_states)
                level += 1
                if not any(L >= level for (L, _k) in pending):
                    # no state left: tentative costs are final; classes never reached are not computable
                    self.done_level = big
                    note = ("some functions are not computable in this basis"
                            if (self.tent == big).any() else "")
                    return True, states_per_level, note
        except (_Stop, BudgetExceeded) as e:
            return False, states_per_level, str(e)

    def _report(self, progress, msg: str) -> None:
        if progress:
            known = int((self.tent <= self.done_level).sum())
            progress(f"{self.basis.name} n={self.n}: {msg}, {known}/{self.nclasses} classes known, "
                     f"{time.perf_counter() - self.t0:.1f}s")

    def _charge(self, outputs: int) -> None:
        """Charge truth tables computed or moved (gate outputs, state members canonicalised): one unit
        each (a truth table fits one word)."""
        self.work += int(outputs)
        self.budget.charge_candidates(outputs)

    def _materialise(self, level: int, k: int, chunks: list, seen: dict, uniform: bool) -> int | None:
        vals = np.concatenate([c[0] for c in chunks])
        rest = [np.concatenate([c[i] for c in chunks]) for i in range(1, 6)]
        words = self._words(vals)
        idx = self._first_unique(words, None if uniform else seen.get(k))
        if len(idx) == 0:
            return None
        if not uniform:
            seen[k] = np.concatenate([seen[k], words[idx]]) if k in seen else words[idx]
        b = _Bucket(level, k, vals[idx], rest[0][idx].astype(np.int16), rest[1][idx], rest[2][idx],
                    rest[3][idx], rest[4][idx].astype(np.int16))
        self.buckets.append(b)
        return len(self.buckets) - 1

    def _chunks(self, b_id: int, variants: list[_Variant], chunk_outputs: int = 3_000_000):
        """Yield (start, S, nodes, si, pi, vals_new, variant ids) for chunks of a bucket: new outputs only.
        Each chunk's outputs are charged to the budget before it is yielded."""
        b = self.buckets[b_id]
        N, k = b.vals.shape
        m = len(self.leaves) + k
        n_out = sum(len(self.tuples(m, r)) * sum(1 for v in variants if v.arity == r) for r in self.arities)
        chunk = max(1, chunk_outputs // max(1, n_out * max(1, m // 4)))
        leaves = np.array(self.leaves, dtype=self.dtype)
        for s in range(0, N, chunk):
            S = b.vals[s : s + chunk]
            B = len(S)
            nodes = np.concatenate([np.broadcast_to(leaves, (B, len(leaves))), S], axis=1)
            outs, vids, _ = self.expand(nodes, variants)
            self._charge(outs.size)
            present = np.zeros(outs.shape, dtype=bool)
            for j in range(m):
                present |= outs == nodes[:, j : j + 1]
            if self.free:
                present |= outs == 0
            si, pi = np.nonzero(~present)
            yield s, S, nodes, si, pi, outs[si, pi], vids[pi]

    def _record(self, cls: np.ndarray, lev: int, b_id: int, state: np.ndarray, val: np.ndarray,
                cost: np.ndarray, h: np.ndarray | None = None, hcost: np.ndarray | None = None) -> None:
        better = self.tent[cls] > lev
        if not better.any():
            return
        bi = np.nonzero(better)[0]
        ucls, first = np.unique(cls[bi], return_index=True)
        w = bi[first]
        self.tent[ucls] = lev
        self.wit_bucket[ucls] = b_id
        self.wit_state[ucls] = state[w]
        self.wit_val[ucls] = val[w]
        self.wit_cost[ucls] = cost[w]
        self.wit_h[ucls] = -1 if h is None else h[w]
        self.wit_hcost[ucls] = 0 if hcost is None else hcost[w]

    def _outputs_pass(self, b_id: int) -> bool:
        """Record the outputs of one gate on every state of the bucket; True when every class is final."""
        b = self.buckets[b_id]
        vcost = np.array([v.cost for v in self.variants], dtype=np.int64)
        for s, S, nodes, si, pi, vals_new, vids in self._chunks(b_id, self.variants):
            gc = vcost[vids]
            for c in np.unique(gc):
                sel = np.nonzero(gc == c)[0]
                self._record(self.classid[vals_new[sel]], b.level + int(c), b_id, s + si[sel],
                             vals_new[sel], gc[sel])
            if (self.tent <= b.level + self.cmin).all():
                return True
        return False

    def _states_pass(self, b_id: int, pending: dict, variants: list[_Variant], max_states: int) -> None:
        """Canonical states one gate beyond the bucket's states (only where they may still help)."""
        b = self.buckets[b_id]
        k = b.k
        vcost = np.array([v.cost for v in variants], dtype=np.int64)
        for s, S, nodes, si, pi, vals_new, vids in self._chunks(b_id, variants):
            gc = vcost[vids]
            worst = self.tent.max()
            for c in np.unique(gc):
                lev = b.level + int(c)
                if lev + self.cmin >= worst:
                    continue  # no class can improve from there
                sel = np.nonzero(gc == c)[0]
                rows = np.concatenate([S[si[sel]], vals_new[sel, None]], axis=1)
                self._charge(rows.size)
                rows.sort(axis=1)
                first = self._first_unique(self._words(rows))
                rows, src = rows[first], sel[first]
                crow, tau = self.canon(rows)
                first = self._first_unique(self._words(crow))
                src = src[first]
                lst = pending.setdefault((lev, k + 1), [])
                lst.append((crow[first], np.full(len(first), b_id, np.int64), s + si[src], tau[first],
                            vals_new[src], np.full(len(first), c, np.int64)))
                total = sum(len(ch[0]) for ch in lst)
                if total > max_states:
                    raise _Stop(f"more than {max_states} candidate states at level {lev}")

    def _depth2_pass(self, level_buckets: list[int], remaining: np.ndarray) -> bool:
        """Look two unit-cost gates ahead of the level's states for the remaining classes, without
        storing states; True when all of them were found (then at their exact cost level + 2)."""
        remaining = remaining.copy()
        for b_id in level_buckets:
            b = self.buckets[b_id]
            m = len(self.leaves) + b.k
            tuples = {}
            for r in self.arities:
                tl = [t for t in itertools.combinations_with_replacement(range(m + 1), r) if t[-1] == m]
                tuples[r] = np.array(tl, dtype=np.int64).reshape(len(tl), r)
            for s, S, nodes, si, pi, h, vids in self._chunks(b_id, self.variants, 1_000_000):
                nodes2 = np.concatenate([nodes[si], h[:, None]], axis=1)
                outs, _, _ = self.expand(nodes2, self.variants, tuples)
                self._charge(outs.size)
                hit = remaining[self.classid[outs]]
                if not hit.any():
                    continue
                qi, oi = np.nonzero(hit)
                f = outs[qi, oi]
                ones = np.ones(len(qi), dtype=np.int64)
                self._record(self.classid[f], b.level + 2, b_id, s + si[qi], f, ones, h[qi], ones)
                remaining[self.classid[f]] = False
                if not remaining.any():
                    return True
        return False

    # -- witnesses -----------------------------------------------------------------------------------
    def state_chain(self, b_id: int, idx: int) -> list[tuple[int, int]]:
        """(value, gate cost) steps computing the state's functions, in the state's frame."""
        b = self.buckets[b_id]
        if b.k == 0:
            return []
        pchain = self.state_chain(int(b.parent_bucket[idx]), int(b.parent[idx]))
        steps = pchain + [(int(b.newval[idx]), int(b.gcost[idx]))]
        T = self.T[int(b.tau[idx])]
        return [(int(T[v]), c) for v, c in steps]

    def witness(self, table: int, size: int) -> tuple[list[tuple[str, tuple[int, ...]]], int]:
        norm = table ^ self.mask if (self.free and table & 1) else table
        cid = int(self.classid[table])
        wb = int(self.wit_bucket[cid])
        if wb == -1:
            steps: list[tuple[int, int]] = []
        else:
            steps = self.state_chain(wb, int(self.wit_state[cid]))
            if self.wit_h[cid] >= 0:
                steps.append((int(self.wit_h[cid]), int(self.wit_hcost[cid])))
            steps.append((int(self.wit_val[cid]), int(self.wit_cost[cid])))
            last = steps[-1][0]
            g = int(np.nonzero(self.T[:, last] == norm)[0][0])
            steps = [(int(self.T[g, v]), c) for v, c in steps]
        return self._build(steps, table, size)

    def _build(self, steps: list[tuple[int, int]], table: int, size: int):
        n, mask = self.n, self.mask
        nodes: list[tuple[str, tuple[int, ...]]] = []
        lit: dict[int, int] = {}  # actual function -> ref
        for i, x in enumerate(self.inputs):
            lit[x] = i

        def ref_of(f: int) -> int:
            if f in lit:
                return lit[f]
            if f == 0 or f == mask:
                nodes.append(("0" if f == 0 else "1", ()))
                lit[f] = n + len(nodes) - 1
                return lit[f]
            if self.free and (f ^ mask) in lit:
                nodes.append(("not", (lit[f ^ mask],)))
                lit[f] = n + len(nodes) - 1
                return lit[f]
            raise AssertionError(f"value {f:#x} not available")

        avail = list(self.leaves)  # normalised values (free) or actual values
        for val, c in steps:
            arr = np.array([avail], dtype=self.dtype)
            cand = [(i, v) for i, v in enumerate(self.variants) if v.cost <= c]
            found = None
            for i, v in sorted(cand, key=lambda iv: iv[1].cost):
                outs, _, _ = self.expand(arr, [v])
                hit = np.nonzero(outs[0] == val)[0]
                if len(hit):
                    found = (v, self.tuples(len(avail), v.arity)[hit[0]])
                    break
            assert found is not None, "witness step not reproducible"
            v, tup = found
            gate = GATES[v.gate]
            args = []
            for j in range(gate.arity):
                a = avail[tup[v.slots[j]]] if v.slots[j] >= 0 else 0
                args.append(ref_of(a ^ (mask if v.neg[j] else 0)))
            nodes.append((v.gate, tuple(args)))
            r = n + len(nodes) - 1
            actual = val ^ (mask if v.out_neg else 0)
            lit.setdefault(actual, r)
            avail.append(val)
        out = ref_of(table)
        return nodes, out


_CACHE: dict[tuple[int, str, tuple], CircuitTable] = {}


def exact_circuits(n: int, basis: str | Basis, *, budget: Budget | int | None = None,
                   budget_s: float | None = None, progress: Callable[[str], None] | None = None,
                   max_states: int = 40_000_000) -> CircuitTable:
    """Minimum circuit cost of every function of ``n <= 4`` inputs in ``basis``.

    ``budget``: work units (or a shared `synth.budget.Budget`; None: no limit); ``budget_s``: optional
    wall-clock safety valve. A census cut short has ``exact=False``. An exact census is kept for the
    process and reused by later calls whose budget could have paid for it (its work is charged to them,
    so a call's result and accounting do not depend on what ran before it); other calls recompute.

    >>> ct = exact_circuits(3, "full")
    >>> ct.exact, int(ct.sizes.max()), int(ct.sizes[0x96])      # 3-input parity: two XORs
    (True, 4, 2)
    """
    _check_n(n)
    b = get_basis(basis)
    if b.domain != "bool":
        raise SynthError(f"basis {b.name!r} is not Boolean; exact circuits need a Boolean basis")
    bud = as_budget(budget, budget_s)
    key = (n, b.name, tuple(sorted(b.costs.items())))
    hit = _CACHE.get(key)
    if hit is not None:
        left = bud.remaining()
        if left is None or left >= hit.work:
            try:
                bud.charge_candidates(hit.work)
            except BudgetExceeded:       # only the wall-clock valve can fire here
                pass
            else:
                return hit
    t0 = time.perf_counter()
    eng = _Engine(n, b)
    exact, spl, note = eng.run(bud, progress, max_states)
    final = eng.tent.astype(np.float64) <= eng.done_level
    cls_size = np.where(final, eng.tent, -1).astype(np.int16)
    sizes = cls_size[eng.classid]
    upper = None
    if not exact:
        up = np.where(eng.tent < np.iinfo(np.int64).max, eng.tent, -1).astype(np.int16)
        upper = up[eng.classid]
    complete = int(sizes.max()) if exact else int(eng.done_level)
    ct = CircuitTable(n, b.name, sizes, exact, time.perf_counter() - t0, spl, upper, note, eng.work, complete,
                      eng)
    if exact:
        _CACHE[key] = ct
    return ct


def npn_histogram(table: CircuitTable) -> dict[int, int]:
    """Number of symmetry classes per minimum cost: NPN classes when negation is free, else P classes
    (input permutations only). Unknown costs are counted under -1.

    >>> npn_histogram(exact_circuits(2, "full"))
    {0: 2, 1: 2}
    """
    eng = table._engine
    assert eng is not None
    reps = eng.class_rep
    sizes = table.sizes[reps]
    vals, counts = np.unique(sizes, return_counts=True)
    return {int(v): int(c) for v, c in zip(vals, counts)}


def evaluate_circuit(nodes: list[tuple[str, tuple[int, ...]]], output: int, n: int) -> int:
    """Truth table computed by a circuit ``(nodes, output)`` (refs as in `CircuitTable.witness`).

    >>> evaluate_circuit([("and", (0, 1)), ("not", (2,))], 3, 2)
    7
    """
    mask = (1 << (1 << n)) - 1
    vals = [sum(1 << t for t in range(1 << n) if (t >> i) & 1) for i in range(n)]
    for name, args in nodes:
        if name in ("0", "1"):
            vals.append(0 if name == "0" else mask)
            continue
        g = GATES[name]
        vals.append(_eval_variant_ints(g.table, [vals[a] for a in args], mask))
    return vals[output]


def circuit_cost(nodes: list[tuple[str, tuple[int, ...]]], basis: str | Basis) -> int:
    """Sum of the gate costs of a circuit in a basis (constants cost nothing).

    >>> circuit_cost([("and", (0, 1)), ("not", (2,))], "aig")
    1
    """
    b = get_basis(basis)
    return sum(b.cost(name) for name, _ in nodes if name not in ("0", "1"))
