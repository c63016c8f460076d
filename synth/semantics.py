"""Bit-parallel evaluation: Boolean values packed 64 points to a uint64 word; Z_p value vectors.

A set of m points is a matrix X of shape (m, n); its packed form holds, for each input i, the m bits
X[:, i] in ceil(m / 64) words (point j is bit j % 64 of word j // 64). One numpy operation on the words
then evaluates a gate on 64 points at once.

>>> import numpy as np
>>> words = input_words(3)          # the 8 points of {0,1}^3 in truth-table order
>>> [hex(int(w[0])) for w in words]
['0xaa', '0xcc', '0xf0']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .errors import SynthError
from .gates import GATES, ZP_GATES

if TYPE_CHECKING:      # annotations only: `synth.dsl` imports this module (Program.evaluate, ...)
    from .dsl import Program

__all__ = [
    "MAX_TABLE_INPUTS",
    "MAX_EVAL_BYTES",
    "n_words",
    "input_words",
    "pack_bits",
    "unpack_bits",
    "words_to_int",
    "int_to_words",
    "bool_op",
    "eval_words",
    "evaluate",
    "truth_table",
    "value_table",
    "popcount",
]

MAX_TABLE_INPUTS = 24  # 2^24 points = 2 MiB of packed table; beyond that a full table is refused
_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_PATTERNS = [0xAAAAAAAAAAAAAAAA, 0xCCCCCCCCCCCCCCCC, 0xF0F0F0F0F0F0F0F0,
             0xFF00FF00FF00FF00, 0xFFFF0000FFFF0000, 0xFFFFFFFF00000000]


def n_words(m: int) -> int:
    """Words needed for m points."""
    return max(1, (m + 63) // 64)


def _check_table_inputs(n: int) -> None:
    if n > MAX_TABLE_INPUTS:
        raise SynthError(f"n = {n} inputs is too many for a full truth table (2^{n} points); the limit "
                         f"is {MAX_TABLE_INPUTS}: give examples instead")


def input_words(n: int) -> np.ndarray:
    """Packed values of x0..x{n-1} on all 2^n points in truth-table order: shape (n, words)."""
    _check_table_inputs(n)
    m = 1 << n
    w = n_words(m)
    out = np.empty((n, w), dtype=np.uint64)
    word_index = np.arange(w, dtype=np.uint64)
    for i in range(n):
        if i < 6:
            out[i, :] = np.uint64(_PATTERNS[i])
        else:
            out[i, :] = np.where((word_index >> np.uint64(i - 6)) & np.uint64(1), _ONES, np.uint64(0))
    if m < 64:
        out &= np.uint64((1 << m) - 1)
    return out


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack a bool array (..., m) into uint64 words (..., ceil(m/64)); bit j of the result is bits[..., j]."""
    bits = np.asarray(bits, dtype=bool)
    m = bits.shape[-1]
    w = n_words(m)
    pad = w * 64 - m
    if pad:
        bits = np.concatenate([bits, np.zeros(bits.shape[:-1] + (pad,), dtype=bool)], axis=-1)
    by = np.packbits(bits, axis=-1, bitorder="little")
    return np.ascontiguousarray(by).view("<u8").astype(np.uint64, copy=False)


def unpack_bits(words: np.ndarray, m: int) -> np.ndarray:
    """Inverse of `pack_bits`: (..., W) uint64 → (..., m) bool."""
    words = np.ascontiguousarray(np.asarray(words, dtype=np.uint64)).astype("<u8", copy=False)
    by = words.view(np.uint8)
    return np.unpackbits(by, axis=-1, bitorder="little")[..., :m].astype(bool)


def words_to_int(words: np.ndarray) -> int:
    """A packed row (W,) as one Python int (word 0 is least significant)."""
    return int.from_bytes(np.asarray(words, dtype="<u8").tobytes(), "little")


def int_to_words(value: int, m: int) -> np.ndarray:
    """A Python int holding m bits as packed words (W,)."""
    w = n_words(m)
    if value < 0 or value >> max(m, 1) and m > 0:
        raise SynthError(f"table {value:#x} has bits beyond the {m} points")
    return np.frombuffer(int(value).to_bytes(8 * w, "little"), dtype="<u8").astype(np.uint64)


_POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount(words: np.ndarray) -> np.ndarray:
    """Number of set bits along the last axis of a uint64 array."""
    words = np.ascontiguousarray(words, dtype=np.uint64)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)
    return _POPCOUNT8[words.view(np.uint8)].reshape(words.shape + (8,)).sum(axis=(-1, -2), dtype=np.int64)


# Two-input gates as direct numpy expressions; other tables through their minterms.
_OPS2: dict[int, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    0x8: lambda a, b: a & b, 0x2: lambda a, b: a & ~b, 0x4: lambda a, b: ~a & b, 0x1: lambda a, b: ~(a | b),
    0x6: lambda a, b: a ^ b, 0x9: lambda a, b: ~(a ^ b), 0xE: lambda a, b: a | b, 0x7: lambda a, b: ~(a & b),
    0xB: lambda a, b: a | ~b, 0xD: lambda a, b: ~a | b, 0xA: lambda a, b: a.copy(), 0xC: lambda a, b: b.copy(),
    0x5: lambda a, b: ~a, 0x3: lambda a, b: ~b, 0x0: lambda a, b: np.zeros_like(a),
    0xF: lambda a, b: np.full_like(a, _ONES),
}
_OPS3: dict[int, Callable[..., np.ndarray]] = {
    0xE8: lambda a, b, c: (a & b) | (c & (a | b)),
    0xD8: lambda s, a, b: (s & a) | (~s & b),
}


def bool_op(table: int, arity: int) -> Callable[..., np.ndarray]:
    """A numpy function on packed words computing the gate with this truth table (bits beyond the
    valid points may be set; callers mask)."""
    if arity == 1:
        return {0b01: lambda a: ~a, 0b10: lambda a: a.copy()}.get(table) or _minterms(table, 1)
    if arity == 2 and table in _OPS2:
        return _OPS2[table]
    if arity == 3 and table in _OPS3:
        return _OPS3[table]
    return _minterms(table, arity)


def _minterms(table: int, arity: int) -> Callable[..., np.ndarray]:
    def op(*args: np.ndarray) -> np.ndarray:
        args = np.broadcast_arrays(*args)
        out = np.zeros_like(args[0])
        for t in range(1 << arity):
            if (table >> t) & 1:
                term = np.full_like(args[0], _ONES)
                for i, a in enumerate(args):
                    term &= a if (t >> i) & 1 else ~a
                out |= term
        return out
    return op


MAX_EVAL_BYTES = 1 << 32
"""Most memory an evaluation may hold in node values at once (4 GiB, a sixth of the 24 GiB machine):
values are freed after their last use, and the peak (live values x points) is checked before starting."""


def _plan(prog: Program, bytes_per_value: int) -> list[list[int]]:
    """For each node, the node refs whose last use it is (freed once it is computed); refuses an
    evaluation whose peak of live values would pass `MAX_EVAL_BYTES`."""
    n = prog.n_inputs
    last: dict[int, int] = {}
    for i, nd in enumerate(prog.nodes):
        for a in nd.args:
            if a >= n:
                last[a] = i
    keep = set(prog.outputs)
    free_at: list[list[int]] = [[] for _ in prog.nodes]
    for r, i in last.items():
        if r not in keep:
            free_at[i].append(r)
    live = peak = 0
    for i in range(len(prog.nodes)):
        live += 1
        peak = max(peak, live)
        live -= len(free_at[i])
    if peak * bytes_per_value > MAX_EVAL_BYTES:
        raise SynthError(f"evaluating this program holds {peak} values of {bytes_per_value} bytes at once, "
                         f"more than the limit synth.semantics.MAX_EVAL_BYTES = {MAX_EVAL_BYTES}; "
                         "evaluate fewer points at a time")
    return free_at


def eval_words(prog: Program, inputs: np.ndarray) -> np.ndarray:
    """Evaluate a Boolean program on packed inputs (n, W) → packed outputs: (W,) for one output, (k, W)
    for k outputs (padding bits arbitrary)."""
    if prog.p is not None:
        raise SynthError("eval_words is for Boolean programs; use evaluate() for Z_p")
    inputs = np.asarray(inputs, dtype=np.uint64)
    if inputs.shape[0] != prog.n_inputs:
        raise SynthError(f"program has {prog.n_inputs} inputs but {inputs.shape[0]} input rows were given")
    n = prog.n_inputs
    w = inputs.shape[1] if inputs.ndim == 2 else 1
    free_at = _plan(prog, 8 * w)
    vals: list = list(inputs) + [None] * len(prog.nodes)
    for i, nd in enumerate(prog.nodes):
        if nd.is_const:
            vals[n + i] = np.full(w, _ONES if nd.op == "1" else 0, dtype=np.uint64)
        else:
            g = GATES[nd.op]
            vals[n + i] = bool_op(g.table, g.arity)(*(vals[a] for a in nd.args))
        for r in free_at[i]:
            vals[r] = None
    if len(prog.outputs) == 1:
        return vals[prog.outputs[0]]
    return np.stack([np.broadcast_to(vals[o], (w,)) for o in prog.outputs])


def _as_points(X, n: int, what: str = "X") -> np.ndarray:
    """X as an (m, n) numeric array: ragged, non-numeric, non-finite or non-integral values refused."""
    try:
        X = np.asarray(X)
    except ValueError:
        raise SynthError(f"{what}: rows of different lengths (expected shape (m, {n}))") from None
    if X.ndim == 1 and n == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != n:
        raise SynthError(f"{what} must have shape (m, {n}), got {X.shape}")
    if X.dtype.kind not in "biuf":
        raise SynthError(f"{what} must hold integers, got values of type {X.dtype}")
    if X.dtype.kind == "f" and X.size:
        finite = np.isfinite(X)
        bad = ~finite
        bad[finite] = np.mod(X[finite], 1) != 0
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise SynthError(f"{what} must hold integers; found {X[i, j]} at row {i}, column {j}")
    return X


def evaluate(prog: Program, X) -> np.ndarray:
    """Outputs of a program on the rows of X ((m, n) 0/1 → bool; Z_p: (m, n) ints → int64, reduced
    mod p): shape (m,) for one output, (m, k) for k outputs."""
    X = _as_points(X, prog.n_inputs)
    if prog.p is not None:
        return _eval_zp(prog, np.mod(X, prog.p).astype(np.int64))
    if X.size and not ((X == 0) | (X == 1)).all():
        i, j = np.argwhere((X != 0) & (X != 1))[0]
        raise SynthError(f"X: Boolean inputs must be 0/1; found {X[i, j]} at row {i}, column {j}")
    m = X.shape[0]
    if prog.n_inputs:
        words = pack_bits(X.T.astype(bool))
    else:
        words = np.zeros((0, n_words(m)), dtype=np.uint64)
    out = eval_words(prog, words)
    return unpack_bits(out, m) if out.ndim == 1 else unpack_bits(out, m).T


def truth_table(prog: Program):
    """The function of a Boolean program as an int (bit t = f(x), x_i = (t >> i) & 1); a tuple of ints,
    one per output, for several outputs."""
    if prog.p is not None:
        raise SynthError("truth_table() is for Boolean programs; use value_table() for Z_p")
    n = prog.n_inputs
    _check_table_inputs(n)
    words = input_words(n) if n else np.zeros((0, 1), dtype=np.uint64)
    out = eval_words(prog, words)
    m = 1 << n
    if m < 64:
        out = out & np.uint64((1 << m) - 1)
    if out.ndim == 1:
        return words_to_int(out)
    return tuple(words_to_int(row) for row in out)


def _eval_zp(prog: Program, X: np.ndarray) -> np.ndarray:
    p = prog.p
    n = prog.n_inputs
    m = X.shape[0]
    free_at = _plan(prog, 8 * m)
    vals: list = [X[:, i] for i in range(n)] + [None] * len(prog.nodes)
    for i, nd in enumerate(prog.nodes):
        if nd.is_const:
            vals[n + i] = np.full(m, int(nd.op) % p, dtype=np.int64)
        else:
            vals[n + i] = ZP_GATES[nd.op].zp(*(vals[a] for a in nd.args), p)
        for r in free_at[i]:
            vals[r] = None
    if len(prog.outputs) == 1:
        return np.asarray(vals[prog.outputs[0]], dtype=np.int64) % p
    return np.stack([np.asarray(vals[o], dtype=np.int64) % p for o in prog.outputs], axis=1)


def value_table(prog: Program) -> np.ndarray:
    """Z_p program with inputs a, b: the (p, p) table T[a, b] ((p, p, k) for k outputs)."""
    if prog.p is None or prog.n_inputs != 2:
        raise SynthError("value_table() is for Z_p programs of two inputs a, b")
    p = prog.p
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    out = _eval_zp(prog, np.stack([a.ravel(), b.ravel()], axis=1))
    return out.reshape((p, p) + out.shape[1:])
