"""Length-ordered bottom-up enumeration of formulas with observational equivalence.

Level ``s`` holds every distinct *signature* (the packed outputs of a formula on the search points)
whose minimum formula size is ``s``; the first formula found for a signature is kept (observational
equivalence), which is exact for formula size because a gate's output depends only on its operands'
signatures. Levels are built by combining earlier levels with every operation of the basis, one numpy
operation per chunk of operand pairs (64 points per machine word). Where negation is free, a
signature and its complement cost the same, so only the representative with point 0 equal to 0 is
stored; operations are then the basis gates under every choice of operand polarity.

The last level is never built in full: `Enumerator.consistent_at` finds the formulas of that size that
fit the data by meeting in the middle on the last gate (for XOR the missing operand is known exactly and
looked up; for AND-like gates both operands must cover the ones of the target, which filters them).

Work is charged to a `synth.budget.Budget` after every chunk of candidates (``W + CANDIDATE_OVERHEAD``
units per candidate of ``W`` machine words), so a search stops at the same place on any machine.

Nothing here is specific to a `Spec`; `synth.synthesize` drives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .budget import CANDIDATE_OVERHEAD, Budget
from .dsl import Basis, Program, get_basis, negate_inputs
from .errors import SynthError
from .semantics import bool_op, n_words
from .simplify import simplify_negations

__all__ = ["SearchOp", "search_ops", "Enumerator", "recipes"]

_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_CHUNK = 1 << 21  # candidate signatures computed per numpy call (rows x words)


# ----------------------------------------------------------------------------------------------------
# Search operations derived from a basis
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchOp:
    """One way to combine operand signatures: a table over the operands (after any free negations)."""

    table: int
    arity: int
    cost: int
    symmetric: bool
    fn: Callable[..., np.ndarray]

    @property
    def kind(self) -> str:
        if self.arity == 2 and self.table in (0x6, 0x9):
            return "xor"
        if self.arity == 2 and bin(self.table).count("1") in (1, 3):
            return "and"
        return "other"


def _depends_on_all(table: int, arity: int) -> bool:
    for i in range(arity):
        if all(((table >> t) & 1) == ((table >> (t ^ (1 << i))) & 1) for t in range(1 << arity)):
            return False
    return True


def _swap01(table: int, arity: int) -> int:
    """Table with operands 0 and 1 exchanged."""
    out = 0
    for t in range(1 << arity):
        a, b = t & 1, (t >> 1) & 1
        u = (t & ~3) | (a << 1) | b
        out |= ((table >> u) & 1) << t
    return out


def search_ops(basis: Basis) -> list[SearchOp]:
    """The operations a search combines operands with, for a basis (free negations folded in).

    AND under each operand polarity (up to output negation: nor, a&~b, ~a&b, nand) and XOR:

    >>> sorted(hex(op.table) for op in search_ops(get_basis("xag")))
    ['0x1', '0x2', '0x4', '0x6', '0x7']
    """
    if basis.domain != "bool":
        raise SynthError(f"search_ops is for Boolean bases; {basis.name!r} is {basis.domain}")
    best: dict[int, tuple[int, int]] = {}  # canonical table -> (cost, arity)
    full_masks = {1: 0b11, 2: 0xF, 3: 0xFF}
    for g in basis.gates:
        c = basis.cost(g.name)
        if g.name == "not" and c == 0:
            continue
        if c == 0:
            raise SynthError(f"basis {basis.name!r}: gate {g.name!r} has cost 0; only 'not' may be free "
                             "in a search (a free gate makes levels infinite)")
        polarities = range(1 << g.arity) if basis.free_not else [0]
        for mask in polarities:
            t = negate_inputs(g.table, g.arity, mask)
            if not _depends_on_all(t, g.arity):
                continue
            key = min(t, t ^ full_masks[g.arity]) if basis.free_not else t
            if key not in best or best[key][0] > c:
                best[key] = (c, g.arity)
    ops = []
    for table, (c, arity) in sorted(best.items()):
        sym = arity >= 2 and _swap01(table, arity) == table
        if arity >= 2 and not sym and basis.free_not:
            sym = _swap01(table, arity) == (table ^ full_masks[arity])
        ops.append(SearchOp(table, arity, c, sym, bool_op(table, arity)))
    return ops


# ----------------------------------------------------------------------------------------------------
# Seen sets
# ----------------------------------------------------------------------------------------------------

def _void(rows: np.ndarray) -> np.ndarray:
    rows = np.ascontiguousarray(rows)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


class _Seen:
    """Exact set of signatures: a bitmap when signatures are one word of <= 26 bits, else sorted runs of
    keys (uint64 words, or packed rows as np.void) of geometrically decreasing length, so that adding a
    chunk costs O(chunk log total) amortised and a lookup one binary search per run."""

    def __init__(self, n_points: int, words: int):
        self.bitmap = np.zeros(1 << n_points, dtype=bool) if (words == 1 and n_points <= 26) else None
        self.words = words
        self.runs: list[np.ndarray] = []
        self.count = 0

    def _keys(self, rows: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(rows[:, 0]) if self.words == 1 else _void(rows)

    def new_mask(self, rows: np.ndarray) -> np.ndarray:
        if self.bitmap is not None:
            return ~self.bitmap[rows[:, 0]]
        keys = self._keys(rows)
        seen = np.zeros(len(keys), dtype=bool)
        for run in self.runs:
            seen |= _member(run, keys)
        return ~seen

    def add(self, rows: np.ndarray) -> None:
        """Add rows that are distinct and not in the set yet."""
        self.count += len(rows)
        if self.bitmap is not None:
            self.bitmap[rows[:, 0]] = True
            return
        run = np.sort(self._keys(rows).copy())
        while self.runs and len(self.runs[-1]) <= 2 * len(run):
            run = np.sort(np.concatenate([self.runs.pop(), run]))
        self.runs.append(run)


def _member(sorted_arr: np.ndarray, x: np.ndarray) -> np.ndarray:
    if len(sorted_arr) == 0:
        return np.zeros(len(x), dtype=bool)
    pos = np.searchsorted(sorted_arr, x)
    pos[pos == len(sorted_arr)] = 0
    return sorted_arr[pos] == x


def _unique_first(rows: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct row."""
    if rows.shape[1] == 1:
        _, idx = np.unique(rows[:, 0], return_index=True)
    else:
        _, idx = np.unique(_void(rows), return_index=True)
    return np.sort(idx)


# ----------------------------------------------------------------------------------------------------
# Levels
# ----------------------------------------------------------------------------------------------------

@dataclass
class Level:
    """Signatures first reached at one size, with back-pointers to the operands that made them."""

    size: int
    sigs: np.ndarray                  # (k, W) uint64, normalised when negation is free
    op: np.ndarray                    # (k,) int16 op index; -1 input, -2 constant
    arg_level: np.ndarray             # (k, 3) int16
    arg_index: np.ndarray             # (k, 3) int64 (for leaves: arg_index[:, 0] = input index / value)
    inv: np.ndarray                   # (k,) bool: the stored signature is the complement of the op's output

    def __len__(self) -> int:
        return len(self.sigs)

    @staticmethod
    def empty(size: int, words: int) -> "Level":
        return Level(size, np.zeros((0, words), np.uint64), np.zeros(0, np.int16),
                     np.zeros((0, 3), np.int16), np.zeros((0, 3), np.int64), np.zeros(0, bool))


def _pair_chunks(na: int, nb: int, nc: int, words: int) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
    """Chunks of the (a, b) index pairs and of the c range such that pairs x c x words <= _CHUNK."""
    per_c = max(1, min(nc, _CHUNK // max(1, words)))
    pairs = max(1, _CHUNK // max(1, per_c * words))
    total = na * nb
    for p0 in range(0, total, pairs):
        flat = np.arange(p0, min(total, p0 + pairs), dtype=np.int64)
        ia, ib = flat // nb, flat % nb
        for c0 in range(0, nc, per_c):
            yield ia, ib, c0, min(nc, c0 + per_c)


class Enumerator:
    """Bottom-up formula enumeration over packed signatures on a fixed set of points.

    ``inputs``: (n, W) packed input values on the points; ``n_points``: how many points are valid.
    Use `build_level` for s = 0, 1, 2, ... and `consistent_at` to search one size for a target without
    building it. `program(level, index)` rebuilds a formula.
    """

    def __init__(self, inputs: np.ndarray, n_points: int, basis: str | Basis, *,
                 budget: Budget | None = None, progress: Callable[[str], None] | None = None):
        self.basis = get_basis(basis)
        self.ops = search_ops(self.basis)
        self.n = inputs.shape[0]
        self.m = n_points
        self.W = n_words(n_points)
        self.inputs = np.ascontiguousarray(inputs, dtype=np.uint64).reshape(self.n, self.W)
        valid = np.full(self.W, _ONES, dtype=np.uint64)
        if n_points % 64:
            valid[-1] = np.uint64((1 << (n_points % 64)) - 1)
        self.valid = valid
        self.free_not = self.basis.free_not
        self.levels: list[Level] = []
        self.seen = _Seen(n_points, self.W)
        self.budget = budget or Budget()
        self.progress = progress
        self.candidates = 0
        self.stop_when_seen: int | None = None  # a census stops a level once every function is seen
        self.max_cost = max(op.cost for op in self.ops)

    def charge(self, candidates: int) -> None:
        """Count ``candidates`` signatures just computed and charge them to the budget (``W +
        CANDIDATE_OVERHEAD`` units each); raises `synth.budget.BudgetExceeded` when a limit is passed."""
        self.candidates += int(candidates)
        self.budget.charge_candidates(candidates, words=self.W + CANDIDATE_OVERHEAD, entries=self.seen.count)

    # -- normalisation ----------------------------------------------------------------------------
    def _normalise(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mask padding bits; where negation is free, complement rows whose point 0 is 1. Returns the
        rows (in place) and a per-row flip word (all ones where complemented, else 0)."""
        rows &= self.valid
        if not self.free_not:
            return rows, np.zeros(len(rows), dtype=np.uint64)
        flip = np.uint64(0) - (rows[:, 0] & np.uint64(1))   # 0 or all ones (unsigned wrap-around)
        rows ^= flip[:, None] & self.valid
        return rows, flip

    # -- level 0 ----------------------------------------------------------------------------------
    def _leaves(self) -> Level:
        rows = [self.inputs[i] for i in range(self.n)]
        op = [-1] * self.n
        idx = list(range(self.n))
        consts = [0] if self.free_not else [0, 1]
        for v in consts:
            rows.append(np.full(self.W, _ONES if v else 0, dtype=np.uint64))
            op.append(-2)
            idx.append(v)
        sigs = np.array(rows, dtype=np.uint64).reshape(-1, self.W)
        sigs, flip = self._normalise(sigs.copy())
        inv = flip != 0
        keep = _unique_first(sigs)
        keep = keep[self.seen.new_mask(sigs[keep])]
        lv = Level(0, sigs[keep], np.array(op, np.int16)[keep], np.zeros((len(keep), 3), np.int16),
                   np.zeros((len(keep), 3), np.int64), inv[keep])
        lv.arg_index[:, 0] = np.array(idx, np.int64)[keep]
        self.seen.add(lv.sigs)
        return lv

    # -- combinations -----------------------------------------------------------------------------
    def _splits(self, op: SearchOp, total: int) -> Iterator[tuple[int, ...]]:
        """Size tuples for the operands of `op` summing to `total`, each an existing level."""
        top = len(self.levels) - 1
        if op.arity == 1:
            if total <= top:
                yield (total,)
            return
        if op.arity == 2:
            for s1 in range(0, total + 1):
                s2 = total - s1
                if s1 > top or s2 > top:
                    continue
                if op.symmetric and s1 > s2:
                    continue
                yield (s1, s2)
            return
        for s1 in range(total + 1):
            for s2 in range(total + 1 - s1):
                s3 = total - s1 - s2
                if max(s1, s2, s3) <= top:
                    if op.symmetric and s1 > s2:  # maj: symmetric in all three; ite: only canonical pairs
                        continue
                    yield (s1, s2, s3)

    def _products(self, op: SearchOp, split: tuple[int, ...]
                  ) -> Iterator[tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]]:
        """Yield (signatures, decode) for every operand tuple of one split, in chunks; ``decode`` maps
        positions in the chunk to operand-index rows (built only for the few signatures kept)."""
        lv = [self.levels[s] for s in split]
        if any(len(x) == 0 for x in lv):
            return
        if op.arity == 1:
            A = lv[0].sigs
            for i0 in range(0, len(A), _CHUNK):
                yield op.fn(A[i0:i0 + _CHUNK]), (lambda f, i0=i0: (f + i0)[:, None])
            return
        if op.arity == 2:
            A, B = lv[0].sigs, lv[1].sigs
            diag = op.symmetric and split[0] == split[1]
            rows = max(1, _CHUNK // max(1, len(B) * self.W))
            for i0 in range(0, len(A), rows):
                a = A[i0:i0 + rows]
                # on the diagonal of a symmetric op only pairs j >= i0 are needed; the few (j, i)
                # duplicates left inside the block are removed by deduplication
                j0 = i0 if diag else 0
                b = B[j0:]
                res = op.fn(a[:, None, :], b[None, :, :]).reshape(-1, self.W)
                nb = len(b)
                yield res, (lambda f, i0=i0, j0=j0, nb=nb: np.stack([i0 + f // nb, j0 + f % nb], axis=1))
            return
        A, B, C = lv[0].sigs, lv[1].sigs, lv[2].sigs
        for ia, ib, c0, c1 in _pair_chunks(len(A), len(B), len(C), self.W):
            res = op.fn(A[ia][:, None, :], B[ib][:, None, :], C[c0:c1][None, :, :]).reshape(-1, self.W)
            nc = c1 - c0
            yield res, (lambda f, ia=ia, ib=ib, c0=c0, nc=nc:
                        np.stack([ia[f // nc], ib[f // nc], c0 + f % nc], axis=1))

    def _candidates(self, size: int):
        for k, op in enumerate(self.ops):
            if op.cost > size:
                continue
            for split in self._splits(op, size - op.cost):
                for res, decode in self._products(op, split):
                    yield k, op, split, res, decode

    def build_level(self, size: int) -> Level:
        """Build the next level (``size`` must be ``len(levels)``): all signatures of minimal size ``size``."""
        if size != len(self.levels):
            raise SynthError(f"levels are built in order: next is {len(self.levels)}, asked for {size}")
        if size == 0:
            lv = self._leaves()
            self.levels.append(lv)
            return lv
        parts: list[Level] = []
        for k, op, split, res, decode in self._candidates(size):
            n_res = len(res)
            res, flip = self._normalise(res)
            new = np.flatnonzero(self.seen.new_mask(res))
            if not len(new):
                self.charge(n_res)
                continue
            res = res[new]
            first = _unique_first(res)
            pos = new[first]
            res = res[first]
            inv = flip[pos] != 0
            idx = decode(pos.astype(np.int64))
            self.seen.add(res)
            al = np.zeros((len(res), 3), np.int16)
            ai = np.zeros((len(res), 3), np.int64)
            al[:, :op.arity] = np.array(split, np.int16)
            ai[:, :op.arity] = idx
            parts.append(Level(size, res, np.full(len(res), k, np.int16), al, ai, inv))
            self.charge(n_res)
            if self.stop_when_seen is not None and self.seen.count >= self.stop_when_seen:
                break  # every function has been seen: the rest of the level can add nothing
        if parts:
            lv = Level(size, np.concatenate([p.sigs for p in parts]), np.concatenate([p.op for p in parts]),
                       np.concatenate([p.arg_level for p in parts]),
                       np.concatenate([p.arg_index for p in parts]), np.concatenate([p.inv for p in parts]))
        else:
            lv = Level.empty(size, self.W)
        self.levels.append(lv)
        if self.progress:
            self.progress(f"size {size}: {len(lv)} new signatures ({self.seen.count} in all, "
                          f"{self.candidates:.3g} candidates)")
        return lv

    def saturated(self) -> bool:
        """True when no level after those built can hold a new signature: every signature the basis builds
        on these points has been enumerated. A minimal formula's operands are minimal formulas of their
        own signatures, so a signature first seen at size s is one gate over operands first seen at sizes
        summing to s - cost; once the levels up to ``max_cost + max_arity * last`` are built (``last`` the
        largest size that added a signature) and those past ``last`` are empty, a new signature would need
        an operand new past ``last`` too, and the smallest such signature cannot exist. (Without this, a
        search with a large ``max_size``, or for a target the basis cannot build, such as NOT in a basis of
        AND and OR, would build empty levels forever: they cost no work.)"""
        last = max((s for s, lv in enumerate(self.levels) if len(lv)), default=-1)
        arity = max(op.arity for op in self.ops)
        return last >= 0 and len(self.levels) - 1 >= self.max_cost + arity * last

    # -- targeted search of one size (meet in the middle on the last gate) ------------------------
    def consistent_at(self, size: int, y: np.ndarray, care: np.ndarray,
                      limit: int = 1_000_000) -> list[tuple[np.ndarray, tuple]]:
        """Formulas of exactly ``size`` whose output equals ``y`` on ``care`` (or its complement where
        negation is free), found from the built levels < size without building level ``size``.

        Returns [(signature (W,), recipe)] with recipe = (op index, split, operand indices, inv);
        signatures may repeat and may include ones of smaller minimal size (callers deduplicate).
        The work (operands filtered, pairs tested) is charged to the budget as candidates."""
        if size > len(self.levels):
            raise SynthError(f"consistent_at({size}) needs levels 0..{size - 1} built")
        y = y & self.valid
        care = care & self.valid
        targets = [y]
        if self.free_not:
            targets.append(~y & self.valid)
        found: list[tuple[np.ndarray, tuple]] = []
        for k, op in enumerate(self.ops):
            if op.cost > size:
                continue
            for split in self._splits(op, size - op.cost):
                if op.arity == 1:
                    A = self.levels[split[0]].sigs
                    out = op.fn(A) & self.valid
                    for z in targets:
                        hit = np.nonzero(~((out ^ z) & care).any(axis=1))[0]
                        found += [(self._finish(out[i]), (k, split, (int(i),))) for i in hit[:limit]]
                    self.charge(len(A) * len(targets))
                elif op.kind == "xor":
                    found += self._xor_hits(k, op, split, targets, care, limit)
                elif op.kind == "and":
                    found += self._and_hits(k, op, split, targets, care, limit)
                elif op.arity == 3:
                    found += self._gate3_hits(k, op, split, targets, care, limit)
                else:
                    raise SynthError(f"no targeted search for an operation of arity {op.arity}")
                if len(found) >= limit:
                    return found[:limit]
        return found

    def _finish(self, sig: np.ndarray) -> np.ndarray:
        return sig & self.valid

    def _operand_variants(self, sigs: np.ndarray) -> list[tuple[np.ndarray, bool]]:
        """An operand level as stored, plus complemented when negation is free (rep, ~rep)."""
        out = [(sigs, False)]
        if self.free_not:
            out.append((sigs ^ self.valid, True))
        return out

    def _xor_hits(self, k, op, split, targets, care, limit):
        A = self.levels[split[0]].sigs
        B = self.levels[split[1]].sigs
        if len(A) == 0 or len(B) == 0:
            return []
        hits = []
        # index B by its projection on the care points; the complement of the target (in `targets`
        # when negation is free) covers complemented operands, since xor(a, not b) = not xor(a, b)
        flip_out = np.uint64(0) if op.table == 0x6 else _ONES
        pb = B & care
        key = _void(pb) if self.W > 1 else pb[:, 0]
        order = np.argsort(key, kind="stable")
        skey = key[order]
        self.charge(len(B))
        for z in targets:
            need = ((A ^ z ^ flip_out) & care)
            nk = _void(need) if self.W > 1 else need[:, 0]
            lo = np.searchsorted(skey, nk, side="left")
            hi = np.searchsorted(skey, nk, side="right")
            self.charge(len(A) + int((hi - lo).sum()))
            for i in np.nonzero(hi > lo)[0]:
                for j in order[lo[i]:hi[i]]:
                    sig = op.fn(A[i], B[j]) & self.valid
                    hits.append((sig, (k, split, (int(i), int(j)))))
                    if len(hits) >= limit:
                        return hits
        return hits

    def _and_hits(self, k, op, split, targets, care, limit):
        A = self.levels[split[0]].sigs
        B = self.levels[split[1]].sigs
        if len(A) == 0 or len(B) == 0:
            return []
        t = op.table
        pout = 1 if bin(t).count("1") == 3 else 0
        minterm = next(i for i in range(4) if ((t >> i) & 1) != pout)
        na, nb = not (minterm & 1), not (minterm & 2)   # operand is used negated
        la = (A ^ self.valid) if na else A
        lb = (B ^ self.valid) if nb else B
        hits = []
        for z in targets:
            u = (~z & self.valid) if pout else z
            ok_a = np.nonzero(~((~la & u & care).any(axis=1)))[0]
            ok_b = np.nonzero(~((~lb & u & care).any(axis=1)))[0]
            self.charge(len(la) + len(lb))
            if len(ok_a) == 0 or len(ok_b) == 0:
                continue
            bad = care & ~u
            fb = lb[ok_b]
            rows = max(1, _CHUNK // max(1, len(ok_b) * self.W))
            for i0 in range(0, len(ok_a), rows):
                ia = ok_a[i0:i0 + rows]
                clash = (la[ia][:, None, :] & fb[None, :, :] & bad).any(axis=2)
                self.charge(clash.size)
                for r, c in zip(*np.nonzero(~clash)):
                    i, j = int(ia[r]), int(ok_b[c])
                    sig = op.fn(A[i], B[j]) & self.valid
                    hits.append((sig, (k, split, (i, j))))
                    if len(hits) >= limit:
                        return hits
        return hits

    def _gate3_hits(self, k, op, split, targets, care, limit):
        """3-input gates: for each operand pair (a, b), the points where the output does not depend on
        c must already agree with the target, and on the others c is forced; scan the third level for
        that c. Pairs are filtered in chunks before any scan."""
        A, B, C = (self.levels[s].sigs for s in split)
        if len(A) == 0 or len(B) == 0 or len(C) == 0:
            return []
        zero = np.zeros((1, self.W), np.uint64)
        hits = []
        for ia, ib, _, _ in _pair_chunks(len(A), len(B), 1, self.W):
            a, b = A[ia], B[ib]
            out0 = op.fn(a, b, zero) & self.valid
            out1 = op.fn(a, b, zero ^ self.valid) & self.valid
            det = ~(out0 ^ out1) & care
            free = (out0 ^ out1) & care
            self.charge(len(ia))
            for z in targets:
                ok = np.nonzero(~(((out0 ^ z) & det).any(axis=1)))[0]
                self.charge(len(ok) * len(C))
                for r in ok:
                    need = (out0[r] ^ z) & free[r]
                    match = np.nonzero(~(((C & free[r]) ^ need).any(axis=1)))[0]
                    for j in match:
                        i_a, i_b = int(ia[r]), int(ib[r])
                        sig = op.fn(A[i_a], B[i_b], C[j]) & self.valid
                        hits.append((sig, (k, split, (i_a, i_b, int(j)))))
                        if len(hits) >= limit:
                            return hits
        return hits

    # -- reconstruction ---------------------------------------------------------------------------
    def program(self, size: int, index: int, *, negate: bool = False) -> Program:
        """The formula stored at ``levels[size][index]`` (its complement when ``negate``)."""
        b = _Builder(self)
        out = b.entry(size, index, negate)
        return b.finish(out)

    def program_from_recipe(self, recipe: tuple, sig: np.ndarray, negate: bool = False) -> Program:
        """A formula from a `consistent_at` recipe: op over the given operands (complement if asked)."""
        k, split, idx = recipe
        b = _Builder(self)
        out = b.apply(k, split, idx, negate)
        return b.finish(out)

    def entry_value(self, size: int, index: int) -> np.ndarray:
        return self.levels[size].sigs[index]


class _Builder:
    """Turns back-pointers into a `Program`, writing free negations with the basis's own gates."""

    def __init__(self, en: Enumerator):
        self.en = en
        self.nodes: list[tuple[str, tuple[int, ...]]] = []
        self.n = en.n
        self.recipes = recipes(en.basis)

    def _add(self, op: str, args: tuple[int, ...]) -> int:
        self.nodes.append((op, args))
        return self.n + len(self.nodes) - 1

    def negate(self, ref: int) -> int:
        if ref >= self.n:
            op, args = self.nodes[ref - self.n]
            if op == "not":
                return args[0]
            if op in ("0", "1"):
                return self._add("1" if op == "0" else "0", ())
        if "not" not in self.en.basis:
            raise SynthError(f"basis {self.en.basis.name!r} has no 'not' to negate with")
        return self._add("not", (ref,))

    def entry(self, size: int, index: int, negate: bool) -> int:
        lv = self.en.levels[size]
        op = int(lv.op[index])
        neg = bool(lv.inv[index]) ^ negate
        if op == -1:
            r = int(lv.arg_index[index, 0])
            return self.negate(r) if neg else r
        if op == -2:
            v = int(lv.arg_index[index, 0]) ^ int(neg)
            return self._add(str(v), ())
        ar = self.en.ops[op].arity
        split = tuple(int(s) for s in lv.arg_level[index, :ar])
        idx = tuple(int(i) for i in lv.arg_index[index, :ar])
        return self.apply(op, split, idx, neg)

    def apply(self, k: int, split: tuple, idx: tuple, negate: bool) -> int:
        op = self.en.ops[k]
        full = (1 << (1 << op.arity)) - 1
        want = op.table ^ (full if negate else 0)
        gate, in_mask, out_neg = self.recipes[(op.arity, want)]
        args = []
        for pos, (s, i) in enumerate(zip(split, idx)):
            args.append(self.entry(s, i, bool((in_mask >> pos) & 1)))
        ref = self._add(gate, tuple(args))
        return self.negate(ref) if out_neg else ref

    def finish(self, out: int) -> Program:
        return simplify_negations(Program(self.n, self.nodes, out, basis=self.en.basis))


_RECIPE_CACHE: dict[str, dict] = {}


def recipes(basis: Basis) -> dict[tuple[int, int], tuple[str, int, int]]:
    """For each (arity, table over operands): the basis gate, operand negations and output negation
    that realise it at the least cost (gate cost plus the cost of its `not` nodes), then with the
    fewest `not` nodes. Negations are used wherever the basis has `not`, free or paid."""
    key = basis.name + repr(sorted(basis.costs.items()))
    if key in _RECIPE_CACHE:
        return _RECIPE_CACHE[key]
    best: dict[tuple[int, int], tuple[tuple[int, int], tuple[str, int, int]]] = {}
    has_not = "not" in basis
    not_cost = basis.cost("not") if has_not else 0
    for g in basis.gates:
        if g.name == "not" and basis.free_not:
            continue  # free negations are written by the callers themselves
        full = (1 << (1 << g.arity)) - 1
        for mask in (range(1 << g.arity) if has_not else [0]):
            t = negate_inputs(g.table, g.arity, mask)
            for out_neg in ((0, 1) if has_not else (0,)):
                nots = bin(mask).count("1") + out_neg
                k = (g.arity, t ^ (full if out_neg else 0))
                score = (basis.cost(g.name) + nots * not_cost, nots)
                if k not in best or best[k][0] > score:
                    best[k] = (score, (g.name, mask, out_neg))
    out = {k: v[1] for k, v in best.items()}
    _RECIPE_CACHE[key] = out
    return out

