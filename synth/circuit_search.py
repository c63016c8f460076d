"""Exact minimum *circuits* (shared gates) for a spec of any number of inputs, when the answer is small.

`synth.circuits` knows the minimum circuit of every function of n <= 4 inputs; this module answers the
question for one spec (examples over n inputs, possibly with held-out queries) by a breadth-first search
over **states**: sets of gate signatures, a signature being a gate's packed outputs on the spec's points
(examples first, then queries; 64 points per uint64 word). Level c holds every state of total gate cost
c, deduplicated exactly (a state is a sorted row of signature ids). When negation is free, a signature
and its complement are one (the stored form has point 0 equal to 0). A state whose new gate equals an
input, a constant or one of its members is dropped: it can never be part of a minimal circuit.

"Is there a consistent circuit of cost c?" is decided without building level c: for every state at level
c - cost(op), every operand tuple drawn from (inputs, constants, the state's members) with at least one
member is tried as the output gate, vectorised over states; the output is compared with the target on
the care points (the examples), and with its complement when negation is free. The answer is the first
such c; it is exact because every level below it was complete. Circuits agreeing on all the points are
interchangeable, so deduplication on the points loses nothing: every consistent function (on examples
and queries) of minimum cost is found.

Pruning: every gate of a minimal circuit is used, so each state carries its *sinks* (members no other
member uses; when a state is reached in several ways, the members that are sinks in all of them). The
search is iterative deepening on the target cost c: a state of cost k may keep at most
1 + (c - k) // min_cost * (max_arity - 1) sinks, and the output gate must use every sink.

Work is charged to a `synth.budget.Budget` after every chunk of (state, operand tuple) pairs: ``W + k +
CANDIDATE_OVERHEAD`` units per pair (W machine words of signature, a state of k members). A budget (work units, the optional wall-clock valve, states per
level) that runs out returns ``exact=False`` with the proven lower bound (every cost below it was
searched completely and had no consistent circuit).

>>> from synth import Spec
>>> r = small_circuit_search(Spec.from_table(0xe8, 3), "full")    # majority of 3: Knuth's C = 4
>>> r.min_size, r.exact, r.programs[0].size
(4, True, 4)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .budget import CANDIDATE_OVERHEAD, Budget, BudgetExceeded, as_budget
from .dsl import Basis, Program, get_basis
from .simplify import permute_table
from .enumerate import SearchOp, recipes, search_ops
from .errors import SynthError
from .semantics import eval_words, n_words, pack_bits, unpack_bits
from .simplify import simplify_negations
from .spec import Spec

__all__ = ["CircuitSearchResult", "small_circuit_search"]

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_CHUNK_WORDS = 1 << 22      # candidate words computed per numpy call
_MERGE_ROWS = 4_000_000     # pending state rows merged (deduplicated) when they exceed this
_LUT_BITS = 22              # signatures of at most this many points are looked up in a dense array
_HASH = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                  0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
                 dtype=np.uint64)


class _Stop(Exception):
    """A level has more states than ``max_states``."""


@dataclass
class CircuitSearchResult:
    """What `small_circuit_search` found.

    ``min_size``: the minimum circuit cost of a program consistent with the examples (None when none
    was found within the budget or ``max_cost``); ``exact``: True when it is proven minimal;
    ``lower_bound``: no consistent circuit costs less (proven). ``programs``: one minimal program per
    distinct consistent function of cost ``min_size``; ``signatures`` (F, W) uint64: their packed
    outputs on ``spec.points()`` (examples, then queries), in the same order; ``complete``: False when
    more than ``max_functions`` functions were consistent at that cost and only the first were kept.
    ``states_per_level[c]``: states of total cost c that were built; ``work``: units charged.
    """

    min_size: int | None
    exact: bool
    lower_bound: int
    programs: list[Program]
    signatures: np.ndarray
    states_per_level: list[int]
    work: int
    basis: str = ""
    n_points: int = 0
    complete: bool = True
    notes: list[str] = field(default_factory=list)

    def outputs(self) -> np.ndarray:
        """(F, n_points) bool: each consistent function's outputs on ``spec.points()``."""
        return unpack_bits(self.signatures, self.n_points)

    def __repr__(self) -> str:
        best = str(self.programs[0]) if self.programs else None
        return (f"CircuitSearchResult(basis={self.basis!r}, min_size={self.min_size}, exact={self.exact}, "
                f"lower_bound={self.lower_bound}, functions={len(self.programs)}, program={best!r}, "
                f"states_per_level={self.states_per_level}, work={self.work})")


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------

def _void(rows: np.ndarray) -> np.ndarray:
    rows = np.ascontiguousarray(rows)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def _unique_rows_and(rows: np.ndarray, flags: np.ndarray, id_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of one occurrence of each distinct row of a small-int matrix (N, K), and for each the AND
    of ``flags`` (N, F) over its duplicates. Rows are packed into one uint64 key when they fit (exact);
    otherwise sorted by a 64-bit hash with equal neighbours compared in full (a hash collision can only
    leave a duplicate, never merge two different rows)."""
    N, K = rows.shape
    if N == 0:
        return np.zeros(0, np.int64), flags[:0]
    if K == 0:
        return np.zeros(1, np.int64), flags[:1]
    r = rows.astype(np.uint64)
    key = np.zeros(N, np.uint64)
    exact = K * id_bits <= 64
    for j in range(K):
        if exact:
            key |= r[:, j] << np.uint64(id_bits * j)
        else:
            key = (key ^ r[:, j]) * _HASH[j % len(_HASH)]
            key ^= key >> np.uint64(29)
    order = np.argsort(key)
    sk = key[order]
    same = sk[1:] == sk[:-1]
    if not exact:
        sr = rows[order]
        same &= (sr[1:] == sr[:-1]).all(axis=1)
    starts = np.flatnonzero(np.r_[True, ~same])
    merged = np.logical_and.reduceat(flags[order], starts, axis=0) if flags.shape[1] else flags[order[starts]]
    return order[starts], merged



class _SigTable:
    """Exact map signature -> id (ids 0, 1, 2, ... in order of first sight): a dense array indexed by the
    signature when it has at most 22 bits, else sorted keys (uint64 words, or raw bytes when longer)."""

    def __init__(self, words: int, n_points: int):
        self.W = words
        self.lut = np.full(1 << n_points, -1, np.int64) if n_points <= _LUT_BITS else None
        self.sigs = np.zeros((1024, words), np.uint64)
        self.count = 0
        self.main_keys = self._keys(np.zeros((0, words), np.uint64))
        self.main_ids = np.zeros(0, np.int64)
        self.delta_keys = self.main_keys.copy()
        self.delta_ids = np.zeros(0, np.int64)

    def _keys(self, rows: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(rows[:, 0]) if self.W == 1 else _void(rows)

    @staticmethod
    def _find(keys: np.ndarray, ids: np.ndarray, q: np.ndarray) -> np.ndarray:
        out = np.full(len(q), -1, np.int64)
        if len(keys) == 0 or len(q) == 0:
            return out
        pos = np.searchsorted(keys, q)
        pos[pos == len(keys)] = 0
        hit = keys[pos] == q
        out[hit] = ids[pos[hit]]
        return out

    def _grow(self, need: int) -> None:
        if need > len(self.sigs):
            grown = np.zeros((max(need, 2 * len(self.sigs)), self.W), np.uint64)
            grown[:self.count] = self.sigs[:self.count]
            self.sigs = grown

    def ids(self, rows: np.ndarray) -> np.ndarray:
        """Ids of the rows (M, W), new signatures added."""
        if self.lut is not None:
            keys = rows[:, 0].astype(np.int64)
            found = self.lut[keys]
            miss = found < 0
            if miss.any():
                new = np.unique(keys[miss])
                self._grow(self.count + len(new))
                self.lut[new] = np.arange(self.count, self.count + len(new))
                self.sigs[self.count:self.count + len(new), 0] = new.astype(np.uint64)
                self.count += len(new)
                found = self.lut[keys]
            return found
        keys = self._keys(rows)
        u, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        found = self._find(self.main_keys, self.main_ids, u)
        miss = found < 0
        if miss.any():
            found[miss] = self._find(self.delta_keys, self.delta_ids, u[miss])
        new = np.flatnonzero(found < 0)
        if len(new):
            new_ids = np.arange(self.count, self.count + len(new), dtype=np.int64)
            found[new] = new_ids
            need = self.count + len(new)
            self._grow(need)
            self.sigs[self.count:need] = rows[first[new]]
            self.count = need
            # u[new] is sorted: merge into the delta, and the delta into the main table when large
            dk = np.concatenate([self.delta_keys, u[new]])
            di = np.concatenate([self.delta_ids, new_ids])
            order = np.argsort(dk, kind="stable")
            self.delta_keys, self.delta_ids = dk[order], di[order]
            if len(self.delta_keys) > max(1 << 16, len(self.main_keys) // 4):
                mk = np.concatenate([self.main_keys, self.delta_keys])
                mi = np.concatenate([self.main_ids, self.delta_ids])
                order = np.argsort(mk, kind="stable")
                self.main_keys, self.main_ids = mk[order], mi[order]
                self.delta_keys, self.delta_ids = self.delta_keys[:0], self.delta_ids[:0]
        return found[inv.ravel()]


@dataclass
class _Level:
    """States of one total cost: sorted rows of member ids, with one way each was built."""

    cost: int
    rows: np.ndarray      # (N, k) int32, ascending
    sinks: np.ndarray     # (N, k) bool: the member is used by no other member (in the way it was built)
    parent: np.ndarray    # (N,) int64 index into level cost - op cost
    op: np.ndarray        # (N,) int16 index into engine.ops
    args: np.ndarray      # (N, 3) int16 operand positions in the parent's operand list
    newid: np.ndarray     # (N,) int64 id of the added gate

    def __len__(self) -> int:
        return len(self.rows)


# ----------------------------------------------------------------------------------------------------
# the engine
# ----------------------------------------------------------------------------------------------------

class _Engine:
    def __init__(self, inputs: np.ndarray, m: int, basis: Basis, y: np.ndarray, care: np.ndarray,
                 budget: Budget, max_states: int, progress):
        self.basis = basis
        self.free = basis.free_not
        self.n = inputs.shape[0]
        self.m = m
        self.W = n_words(m)
        valid = np.full(self.W, _ONES, dtype=np.uint64)
        if m % 64:
            valid[-1] = np.uint64((1 << (m % 64)) - 1)
        self.valid = valid
        self.inputs = np.ascontiguousarray(inputs, dtype=np.uint64).reshape(self.n, self.W)
        self.y = y & valid
        self.care = care & valid
        self.budget = budget
        self.work = 0
        self.max_states = max_states
        self.progress = progress
        self.ops = self._make_ops(search_ops(basis))
        self.min_cost = min(op.cost for op, _ in self.ops) if self.ops else 1
        self.max_cost = max(op.cost for op, _ in self.ops) if self.ops else 1
        self.max_arity = max(op.arity for op, _ in self.ops) if self.ops else 1
        # leaves: inputs, then constants (0 only when negation is free: 1 is its complement)
        rows = [self.inputs[i] for i in range(self.n)]
        self.leaf_kind = [("x", i) for i in range(self.n)]
        for v in ([0] if self.free else [0, 1]):
            rows.append(np.full(self.W, _ONES if v else 0, dtype=np.uint64))
            self.leaf_kind.append(("c", v))
        leaves = np.array(rows, dtype=np.uint64).reshape(-1, self.W)
        self.leaf_sigs, self.leaf_inv = self._normalise(leaves.copy())
        self.nleaf = len(self.leaf_sigs)
        self.table = _SigTable(self.W, m)
        self.leaf_ids = self.table.ids(self.leaf_sigs)
        self.levels: dict[int, _Level] = {}
        self._tuple_cache: dict[tuple, np.ndarray] = {}
        self.recipes = recipes(basis)
        uniform = len({op.cost for op, _ in self.ops}) <= 1
        self.seen_by_k: dict[int, np.ndarray] | None = None if uniform else {}

    # -- set-up -----------------------------------------------------------------------------------
    def _make_ops(self, ops: list[SearchOp]) -> list[tuple[SearchOp, bool]]:
        """Operations to try, each with a flag 'operands 0 and 1 may be ordered (i < j)'. An operation
        that is an operand permutation of an earlier one of no lower cost is dropped: the earlier one is
        tried on every ordered tuple."""
        full = {1: 0b11, 2: 0xF, 3: 0xFF}
        kept: list[tuple[SearchOp, bool]] = []
        for op in ops:
            if op.arity > 3:
                raise SynthError(f"basis {self.basis.name!r}: gates of arity {op.arity} > 3 are not supported")
            twin = False
            for perm in itertools.permutations(range(op.arity)):
                t = permute_table(op.table, op.arity, perm)
                cands = {t, t ^ full[op.arity]} if self.free else {t}
                if any(k.table in cands and k.arity == op.arity and k.cost <= op.cost for k, _ in kept):
                    twin = True
                    break
            if twin:
                continue
            sym = False
            if op.arity >= 2:
                s = permute_table(op.table, op.arity, (1, 0) + tuple(range(2, op.arity)))
                sym = s == op.table or (self.free and s == op.table ^ full[op.arity])
            kept.append((op, sym))
        return kept

    def _normalise(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mask padding bits; with free negation complement rows whose point 0 is 1. Returns the rows and
        a bool per row (True where complemented)."""
        rows &= self.valid
        if not self.free:
            return rows, np.zeros(rows.shape[:-1], dtype=bool)
        bit = (rows[..., 0] & np.uint64(1)).astype(bool)
        rows[bit] ^= self.valid
        return rows, bit

    def _tuples(self, arity: int, sym: bool, L: int, need_member: bool) -> np.ndarray:
        """Operand position tuples (T, arity) over L operands (leaves first). Two-input gates skip
        constants and repeated operands (both give literals); three-input gates keep them."""
        key = (arity, sym, L, need_member)
        if key in self._tuple_cache:
            return self._tuple_cache[key]
        consts = {i for i, (kind, _) in enumerate(self.leaf_kind) if kind == "c"}
        out = []
        for tup in itertools.product(range(L), repeat=arity):
            if need_member and max(tup) < self.nleaf:
                continue
            if arity == 2 and (tup[0] == tup[1] or tup[0] in consts or tup[1] in consts):
                continue
            if arity == 2 and sym and tup[0] > tup[1]:
                continue
            if arity == 3:
                if len(set(tup)) == 1 or (sym and tup[0] > tup[1]):
                    continue
            out.append(tup)
        arr = np.array(out, dtype=np.int64).reshape(len(out), arity)
        self._tuple_cache[key] = arr
        return arr

    def charge(self, pairs: int, k: int) -> None:
        """Charge ``pairs`` (state, operand tuple) pairs evaluated on states of ``k`` members: ``W + k +
        CANDIDATE_OVERHEAD`` units each (the new gate's words, then the state row it makes)."""
        each = self.W + k + CANDIDATE_OVERHEAD
        self.work += int(pairs) * each
        self.budget.charge_candidates(pairs, words=each)

    def _operands(self, rows: np.ndarray) -> np.ndarray:
        """(N, L, W): the leaves then the members of each state."""
        N, k = rows.shape
        V = np.empty((N, self.nleaf + k, self.W), np.uint64)
        V[:, :self.nleaf] = self.leaf_sigs[None]
        if k:
            V[:, self.nleaf:] = self.table.sigs[rows]
        return V

    # -- building a level ------------------------------------------------------------------------
    def sink_bound(self, level: int, target: int) -> int:
        """Most unused gates (sinks) a state of cost ``level`` may have and still finish as a circuit of
        cost ``target`` in which every gate is used: each later gate uses at most ``max arity`` sinks and
        is one itself, and at the end only the output is."""
        later = (target - level) // self.min_cost
        return 1 + later * (self.max_arity - 1)

    def _pairs(self, rows: np.ndarray, sinks: np.ndarray, tup: np.ndarray, uses: np.ndarray,
               level: int, target: int, final: bool) -> tuple[np.ndarray, np.ndarray]:
        """(state, tuple) index pairs allowed: the final gate must use every sink; an inner gate must
        leave at most ``sink_bound`` sinks."""
        N, k = rows.shape
        if k == 0:
            si, ti = np.nonzero(np.ones((N, len(tup)), bool))
            return si, ti
        used = uses[:, self.nleaf:].astype(np.int32)               # (T, k): tuple t uses member j
        consumed = sinks.astype(np.int32) @ used.T                   # (N, T)
        s = sinks.sum(axis=1, dtype=np.int32)[:, None]
        if final:
            ok = consumed == s
        else:
            ok = s - consumed + 1 <= self.sink_bound(level, target)
        return np.nonzero(ok)

    def _uses(self, tup: np.ndarray, L: int) -> np.ndarray:
        uses = np.zeros((len(tup), L), bool)
        for a in range(tup.shape[1]):
            uses[np.arange(len(tup)), tup[:, a]] = True
        return uses

    def _chunks(self, c: int, target: int, *, final: bool):
        """For each op and each chunk of the states of level c - cost(op), the (state, operand tuple)
        pairs that `_pairs` keeps: (op index, op, state width, tuples, their use flags, chunk start,
        rows, sinks, state indices, tuple indices). ``final``: the output gate of a cost-c circuit
        (every sink used); otherwise a gate added towards ``target``."""
        for oi, (op, sym) in enumerate(self.ops):
            src = self.levels.get(c - op.cost)
            if src is None or len(src) == 0:
                continue
            k = src.rows.shape[1]
            L = self.nleaf + k
            tup = self._tuples(op.arity, sym, L, need_member=final and c - op.cost > 0)
            if len(tup) == 0:
                continue
            uses = self._uses(tup, L)
            step = max(1, _CHUNK_WORDS // max(1, len(tup) * self.W * 2))
            for s0 in range(0, len(src), step):
                rows, sinks = src.rows[s0:s0 + step], src.sinks[s0:s0 + step]
                if final:
                    si, ti = self._pairs(rows, sinks, tup, uses, c - op.cost, c, final=True)
                else:
                    si, ti = self._pairs(rows, sinks, tup, uses, c, target, final=False)
                self.charge(len(rows) + len(si), k)
                if len(si):
                    yield oi, op, k, tup, uses, s0, rows, sinks, si, ti

    def build(self, c: int, target: int) -> bool:
        """Build level c (states of cost c with few enough sinks for ``target``) from the levels
        c - cost(op). False when it would exceed max_states."""
        pend_rows: list[np.ndarray] = []
        pend_meta: list[np.ndarray] = []   # (M, 6): parent, op, a0, a1, a2, newid
        pending = 0
        k_new = None
        for op, _ in self.ops:   # the state width of the level being built (as the last source sets it)
            src = self.levels.get(c - op.cost)
            if src is not None and len(src):
                k_new = src.rows.shape[1] + 1
        for oi, op, k, tup, uses, s0, rows, sinks, si, ti in self._chunks(c, target, final=False):
            V = self._operands(rows)
            out = op.fn(*(V[si, tup[ti, a]] for a in range(op.arity)))    # (P, W)
            out, _ = self._normalise(out)
            nid = self.table.ids(out)
            useless = np.isin(nid, self.leaf_ids)
            if k:
                useless |= (rows[si] == nid[:, None]).any(axis=1)
            keep = ~useless
            si, ti, nid = si[keep], ti[keep], nid[keep]
            if not len(si):
                continue
            new_rows = np.concatenate([rows[si], nid[:, None].astype(np.int32)], axis=1)
            new_sinks = np.concatenate([sinks[si] & ~uses[ti, self.nleaf:],
                                        np.ones((len(si), 1), bool)], axis=1)
            order = np.argsort(new_rows, axis=1, kind="stable")
            new_rows = np.take_along_axis(new_rows, order, axis=1)
            new_sinks = np.take_along_axis(new_sinks, order, axis=1)
            first, new_sinks = _unique_rows_and(new_rows, new_sinks, self.id_bits())
            meta = np.zeros((len(first), 6), np.int64)
            meta[:, 0] = s0 + si[first]
            meta[:, 1] = oi
            meta[:, 2:2 + op.arity] = tup[ti[first]]
            meta[:, 5] = nid[first]
            pend_rows.append(np.concatenate([new_rows[first], new_sinks], axis=1))
            pend_meta.append(meta)
            pending += len(first)
            if pending > _MERGE_ROWS:
                r, mt = self._merge(pend_rows, pend_meta, k_new)
                pend_rows, pend_meta, pending = [r], [mt], len(r)
                if pending > self.max_states:
                    return False
        if k_new is None or not pend_rows:
            kk = k_new or 0
            self.levels[c] = _Level(c, np.zeros((0, kk), np.int32), np.zeros((0, kk), bool),
                                    np.zeros(0, np.int64), np.zeros(0, np.int16), np.zeros((0, 3), np.int16),
                                    np.zeros(0, np.int64))
            return True
        both, meta = self._merge(pend_rows, pend_meta, k_new)
        self.budget.check()
        order = np.lexsort(both.T[::-1])
        both, meta = both[order], meta[order]      # a deterministic order, whatever the chunking
        if self.seen_by_k is not None:
            # costs differ: a state already built more cheaply is dropped
            keys = _void(np.ascontiguousarray(both[:, :k_new]))
            prev = self.seen_by_k.get(both.shape[1])
            if prev is not None:
                keep = ~np.isin(keys, prev)
                both, meta, keys = both[keep], meta[keep], keys[keep]
            self.seen_by_k[both.shape[1]] = keys.copy() if prev is None else np.union1d(prev, keys)
        if len(both) > self.max_states:
            return False
        self.levels[c] = _Level(c, both[:, :k_new].astype(np.int32), both[:, k_new:].astype(bool),
                                meta[:, 0], meta[:, 1].astype(np.int16), meta[:, 2:5].astype(np.int16),
                                meta[:, 5])
        return True

    def id_bits(self) -> int:
        return max(1, int(self.table.count).bit_length())

    def _merge(self, rows_list, meta_list, k: int):
        """Deduplicate states (ids, then sink flags); a state built in several ways keeps as sinks the
        members that are sinks in all of them (a relaxation: every bound stays a necessary condition)."""
        both = np.concatenate(rows_list)
        meta = np.concatenate(meta_list)
        first, sinks = _unique_rows_and(both[:, :k], both[:, k:].astype(bool), self.id_bits())
        return np.concatenate([both[first, :k], sinks.astype(both.dtype)], axis=1), meta[first]

    # -- the targeted last step --------------------------------------------------------------------
    def matches(self, c: int, limit: int) -> tuple[list[tuple], bool]:
        """Consistent circuits of cost c whose output gate is tried on the states of level c - cost(op)
        (using every sink of the state). Returns ([(signature bytes, level, state, op index, operand
        positions, negate)], complete)."""
        found: dict[bytes, tuple] = {}
        complete = True
        y, care = self.y, self.care
        for oi, op, k, tup, uses, s0, rows, sinks, si, ti in self._chunks(c, c, final=True):
            V = self._operands(rows)
            out = op.fn(*(V[si, tup[ti, a]] for a in range(op.arity))) & self.valid   # (P, W)
            d = (out ^ y) & care
            hit = ~d.any(axis=1)
            neg = np.zeros_like(hit)
            if self.free:
                neg = (d == care).all(axis=1) & ~hit
                hit |= neg
            h = np.flatnonzero(hit)
            if not len(h):
                continue
            ng = neg[h]
            sigs = (out[h] ^ np.where(ng[:, None], self.valid[None, :], np.uint64(0))) & self.valid
            _, first = np.unique(_void(sigs), return_index=True)
            for f in np.sort(first).tolist():
                key = sigs[f].tobytes()
                if key in found:
                    continue
                if len(found) >= limit:
                    complete = False
                    break
                found[key] = (key, c - op.cost, s0 + int(si[h[f]]), oi,
                              tuple(int(a) for a in tup[ti[h[f]]]), bool(ng[f]))
        return list(found.values()), complete

    # -- programs ------------------------------------------------------------------------------------
    def program(self, level: int, state: int, oi: int, args: tuple[int, ...], negate: bool) -> Program:
        """Rebuild the circuit: the gates of the state (in the order they were added), then the output."""
        chain = []
        lev, s = level, state
        while lev > 0:
            lv = self.levels[lev]
            op, _ = self.ops[int(lv.op[s])]
            plev, p = lev - op.cost, int(lv.parent[s])
            pids = self._operand_ids(plev, p)
            chain.append((int(lv.newid[s]), int(lv.op[s]),
                          tuple(pids[int(a)] for a in lv.args[s][:op.arity])))
            lev, s = plev, p
        chain.reverse()
        nodes: list[tuple[str, tuple[int, ...]]] = []
        n = self.n
        ref: dict[int, tuple[int, bool]] = {}       # sig id -> (ref, ref holds the complement)
        negs: dict[int, int] = {}

        def add(op: str, a: tuple[int, ...]) -> int:
            nodes.append((op, a))
            return n + len(nodes) - 1

        def negate_ref(r: int) -> int:
            if r in negs:
                return negs[r]
            if r >= n:
                op, a = nodes[r - n]
                if op == "not":
                    return a[0]
                if op in ("0", "1"):
                    negs[r] = add("1" if op == "0" else "0", ())
                    return negs[r]
            negs[r] = add("not", (r,))
            return negs[r]

        def leaf_ref(pos: int) -> tuple[int, bool]:
            kind, v = self.leaf_kind[pos]
            inv = bool(self.leaf_inv[pos])
            if kind == "x":
                return v, inv
            return add(str(v), ()), inv

        for pos in range(self.nleaf):
            sid = int(self.leaf_ids[pos])
            if sid not in ref:
                ref[sid] = leaf_ref(pos)

        def operand(sid: int, want_neg: bool) -> int:
            r, inv = ref[sid]
            return negate_ref(r) if inv != want_neg else r

        def gate(oi: int, sids: tuple[int, ...], out_neg: bool) -> int:
            """Ref computing op(sigs) (complemented when out_neg)."""
            op, _ = self.ops[oi]
            name, mask, oneg = self.recipes[(op.arity, op.table)]
            r = add(name, tuple(operand(s, bool((mask >> i) & 1)) for i, s in enumerate(sids)))
            return negate_ref(r) if bool(oneg) != out_neg else r

        for sid, oi2, sids in chain:
            op, _ = self.ops[oi2]
            vals = [self.table.sigs[s] for s in sids]
            actual = op.fn(*vals) & self.valid
            r = gate(oi2, sids, False)
            ref[sid] = (r, bool(actual[0] & np.uint64(1)) and self.free)
        sids = tuple(self._operand_ids(level, state)[a] for a in args)
        out = gate(oi, sids, negate)
        return simplify_negations(Program(n, nodes, out, basis=self.basis))

    def _operand_ids(self, level: int, state: int) -> list[int]:
        ids = [int(i) for i in self.leaf_ids]
        if level > 0:
            ids += [int(i) for i in self.levels[level].rows[state]]
        return ids


# ----------------------------------------------------------------------------------------------------
# the entry point
# ----------------------------------------------------------------------------------------------------

def _pack(spec: Spec) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    pts = spec.points()
    m = len(pts)
    inputs = pack_bits(pts.T.astype(bool)).reshape(spec.n_inputs, n_words(m))
    ybits = np.zeros(m, dtype=bool)
    ybits[:spec.n_examples] = spec.y.astype(bool)
    carebits = np.zeros(m, dtype=bool)
    carebits[:spec.n_examples] = True
    return inputs, m, pack_bits(ybits), pack_bits(carebits)


def small_circuit_search(spec: Spec, basis: str | Basis = "xag", *, max_cost: int | None = None,
                         budget: Budget | int | None = None, budget_s: float | None = None,
                         max_states: int = 5_000_000,
                         max_functions: int = 10_000,
                         progress: Callable[[str], None] | None = None) -> CircuitSearchResult:
    """Minimum-cost circuits (shared gates) consistent with a Boolean spec, exact when small.

    Parameters
    ----------
    spec : examples (and held-out queries) over any number of inputs.
    basis : a Boolean basis (name or `Basis`); costs are gate costs in it (``not`` free when
        ``basis.free_not``).
    max_cost : search no cost beyond this (None: until found or a budget runs out).
    budget : work units (or a shared `synth.budget.Budget`); when it runs out the result has
        ``exact=False`` and a proven lower bound. None: no limit on work.
    budget_s : optional wall-clock safety valve (seconds); when it fires the result depends on machine speed
        (the Budget's ``fired`` is "seconds").
    max_states : most states kept at one level; a larger level stops the search like the budget.
    max_functions : most distinct consistent functions collected at the minimum cost.
    progress : called with a line of text per cost searched.
    """
    if not isinstance(spec, Spec):
        raise SynthError(f"small_circuit_search needs a synth.Spec, got {type(spec).__name__}")
    b = get_basis(basis)
    if spec.p is not None or b.domain != "bool":
        raise SynthError("small_circuit_search is for Boolean specs and bases "
                         f"(got a {'Z_%d' % spec.p if spec.p else 'Boolean'} spec and basis {b.name!r})")
    if max_cost is not None and (not isinstance(max_cost, int) or max_cost < 0):
        raise SynthError(f"max_cost must be an int >= 0, got {max_cost!r}")
    if not isinstance(max_states, int) or max_states < 1:
        raise SynthError(f"max_states must be an int >= 1, got {max_states!r}")
    bud = as_budget(budget, budget_s)
    inputs, m, y, care = _pack(spec)
    eng = _Engine(inputs, m, b, y, care, bud, max_states, progress)
    notes: list[str] = []
    W = eng.W

    def result(min_size, exact, lower, hits=(), complete=True) -> CircuitSearchResult:
        programs, sigs = [], []
        for hit in hits:
            key = hit[0]
            prog = hit[1] if isinstance(hit[1], Program) else eng.program(*hit[1:])
            sig = np.frombuffer(key, dtype=np.uint64)
            got = eval_words(prog, inputs) & eng.valid
            if not np.array_equal(got, sig) or prog.size != min_size:   # internal consistency
                raise SynthError(f"internal error: rebuilt circuit {prog} does not reproduce its "
                                 f"signature / cost {min_size}")
            programs.append(prog)
            sigs.append(sig)
        order = sorted(range(len(programs)), key=lambda i: (programs[i].bits, str(programs[i])))
        programs = [programs[i] for i in order]
        sig_arr = np.array([sigs[i] for i in order], dtype=np.uint64).reshape(len(order), W)
        spl = [len(eng.levels[c]) if c in eng.levels else 0 for c in range(max(eng.levels, default=-1) + 1)]
        return CircuitSearchResult(min_size, exact, lower, programs, sig_arr, spl, eng.work, b.name, m,
                                   complete, notes)

    # cost 0: an input or a constant (or a complement, when negation is free)
    hits0 = []
    for pos in range(eng.nleaf):
        actual = eng.leaf_sigs[pos] ^ (eng.valid if eng.leaf_inv[pos] else np.uint64(0))
        for ng in ((False, True) if eng.free else (False,)):
            val = (actual ^ (eng.valid if ng else np.uint64(0))) & eng.valid
            if ((val ^ y) & care).any():
                continue
            kind, v = eng.leaf_kind[pos]
            if kind == "x":
                prog = Program(spec.n_inputs, [("not", (v,))], basis=b) if ng else \
                    Program(spec.n_inputs, [], v, basis=b)
            else:
                prog = Program(spec.n_inputs, [(str(v ^ int(ng)), ())], basis=b)
            hits0.append((val.tobytes(), prog))
    if hits0:
        uniq = {h[0]: h for h in hits0}
        return result(0, True, 0, list(uniq.values()))
    root = _Level(0, np.zeros((1, 0), np.int32), np.zeros((1, 0), bool), np.zeros(1, np.int64),
                  np.zeros(1, np.int16), np.zeros((1, 3), np.int16), np.zeros(1, np.int64))
    c = 0          # costs <= c are proven to have no consistent circuit
    try:
        while max_cost is None or c < max_cost:
            target = c + 1
            # the levels below target, each pruned to states that can still finish at cost target
            eng.levels = {0: root}
            if eng.seen_by_k is not None:
                eng.seen_by_k = {}
            for lev in range(1, target - eng.min_cost + 1):
                if not eng.build(lev, target):
                    raise _Stop(f"level {lev} has more than {max_states} states (max_states)")
            if target > eng.max_cost and all(
                    len(eng.levels.get(lev, ())) == 0 and eng.sink_bound(lev, target) >= lev
                    for lev in range(target - eng.max_cost, target)):
                notes.append(f"no states left at cost {target}: no circuit in basis {b.name!r} fits the "
                             "examples")
                return result(None, True, target, [])
            hits, complete = eng.matches(target, max_functions)
            if progress:
                progress(f"cost {target}: {len(hits)} consistent functions; states per level "
                         f"{[len(eng.levels[k]) for k in sorted(eng.levels)]}; {eng.work} units")
            if hits:
                if not complete:
                    notes.append(f"more than {max_functions} consistent functions at cost {target}; "
                                 "the first are kept")
                return result(target, True, target, hits, complete)
            c = target
    except (_Stop, BudgetExceeded) as e:
        notes.append(f"circuit search stopped: {e}; no consistent circuit of cost <= {c}")
        return result(None, False, c + 1, [])
    notes.append(f"no consistent circuit of cost <= {max_cost} (max_cost)")
    return result(None, False, c + 1, [])
