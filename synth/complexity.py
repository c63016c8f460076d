"""Complexity measures of the simplicity-bias literature, for Boolean functions given as truth tables.

Truth-table convention (the project's): a function of ``n`` inputs is an int ``table`` whose bit ``t`` is
f(x) with x_i = (t >> i) & 1, so for n = 3 the projections are x0 = 0xaa, x1 = 0xcc, x2 = 0xf0.  The
truth-table *string* is the 2^n characters f(0) f(1) ... f(2^n - 1).

Measures:

- ``lz_complexity``: the Lempel–Ziv measure C_LZ of Dingle, Camargo & Louis (Nat. Commun. 9, 761, 2018)
  and Valle-Pérez, Camargo & Louis (ICLR 2019), applied to the truth-table string;
- ``sop_size`` / ``pos_size``: AND/OR/NOT operator count of sympy's ``SOPform`` / ``POSform``;
- ``entropy``: binary entropy of the fraction of ones;
- ``average_sensitivity``: mean number of sensitive coordinates (total influence).

This module never imports torch.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import sympy
from sympy.logic.boolalg import And, Not, Or, POSform, SOPform

from .errors import SynthError

__all__ = [
    "MAX_INPUTS",
    "average_sensitivity",
    "entropy",
    "lz76_words",
    "lz_complexity",
    "measures",
    "pos_size",
    "sop_size",
]

#: Largest number of inputs accepted (a truth table of 2^20 bits).
MAX_INPUTS = 20


# ---------------------------------------------------------------------------------------------------
# argument checking and truth-table helpers


def _check(table: int, n: int) -> tuple[int, int]:
    """Validate ``(table, n)`` and return them as plain ints, or raise SynthError naming the argument."""
    if isinstance(n, bool):
        raise SynthError(f"n must be an integer in [0, {MAX_INPUTS}], got {n!r}")
    try:
        n = operator.index(n)
    except TypeError:
        raise SynthError(f"n must be an integer in [0, {MAX_INPUTS}], got {n!r}") from None
    if not 0 <= n <= MAX_INPUTS:
        raise SynthError(f"n must be an integer in [0, {MAX_INPUTS}], got {n}")
    if isinstance(table, bool):
        raise SynthError(f"table must be an integer in [0, 2**(2**{n})), got {table!r}")
    try:
        table = operator.index(table)
    except TypeError:
        raise SynthError(f"table must be an integer in [0, 2**(2**{n})), got {table!r}") from None
    if not 0 <= table < (1 << (1 << n)):
        raise SynthError(f"table must be an integer in [0, 2**(2**{n})) for n={n}, got {table:#x}")
    return table, n


def _bits(table: int, n: int) -> np.ndarray:
    """The truth table as a uint8 array of length 2^n, element t = f(t)."""
    size = 1 << n
    raw = table.to_bytes((size + 7) // 8, "little")
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[:size]


def _string(table: int, n: int) -> str:
    """The truth-table string f(0) f(1) ... f(2^n - 1) (bit 0 first)."""
    return format(table, f"0{1 << n}b")[::-1]


# ---------------------------------------------------------------------------------------------------
# Lempel–Ziv


def lz76_words(s: str) -> int:
    """Number of words in the Lempel–Ziv (1976) exhaustive parsing of ``s`` (Kaspar–Schuster algorithm).

    >>> lz76_words("0001101001000101")  # 0 . 001 . 10 . 100 . 1000 . 101
    6
    """
    # Hand-written on purpose.  The brief assumed no maintained library provides this; that is not
    # quite right (antropy.lziv_complexity and the Rust-backed `lzcomplexity` package compute LZ76
    # factor counts), but this module may depend on numpy/sympy only, and C_LZ must reproduce the
    # Kaspar & Schuster (Phys. Rev. A 36, 842, 1987) counting convention of the code published
    # with Dingle et al. 2018 / Valle-Perez et al. 2019 exactly (a copy that runs into the end of
    # the text counts as a word), which packages differ on (e.g. `lempel_ziv_complexity` >= 0.2
    # counts distinct LZ78-style phrases instead).  The algorithm is twenty lines.
    #
    # The parsing: the first symbol is a word; each later word is the shortest prefix w of the
    # remaining text such that w is *not* a substring of (text so far + w without its last symbol),
    # i.e. the longest copy from the history (overlap allowed) plus one new symbol.  A copy that runs
    # into the end of the text is counted as a final (incomplete) word.  Cost O(len(s)^2) worst case.
    if not isinstance(s, str):
        raise SynthError(f"s must be a str, got {type(s).__name__}")
    size = len(s)
    if size <= 1:
        return size
    words = 1  # s[0] is the first word
    start = 1  # s[:start] has been parsed; the current word starts at `start`
    src = 0  # candidate start in the history of a copy of the current word
    match = 1  # length of the match being extended, plus one (the symbol now compared)
    longest = 1  # longest match (plus one) found for the current word so far
    while True:
        if s[src + match - 1] == s[start + match - 1]:
            match += 1
            if start + match > size:  # the copy reaches the end of the text: last word
                words += 1
                break
        else:
            longest = max(longest, match)
            src += 1
            if src == start:  # every history position tried: emit copy + new symbol
                words += 1
                start += longest
                if start + 1 > size:
                    break
                src, match, longest = 0, 1, 1
            else:
                match = 1
    return words


def lz_complexity(table: int, n: int) -> float:
    """C_LZ of the truth-table string (Dingle et al. 2018): log2 N, or log2 N times the mean LZ76 word count of it and its reverse.

    Pure Python, quadratic in the string length 2^n: about 0.3 s at n = 12 and 4 s at n = 14 for a
    random table; impractical beyond n = 16.

    >>> lz_complexity(0xaa, 3)  # "01010101": 0 . 1 . 010101, both directions 3 words
    9.0
    """
    table, n = _check(table, n)
    s = _string(table, n)
    log_len = float(n)  # log2(2^n)
    if table == 0 or table == (1 << (1 << n)) - 1:
        return log_len
    return log_len * (lz76_words(s) + lz76_words(s[::-1])) / 2.0


# ---------------------------------------------------------------------------------------------------
# two-level forms


def _variables(n: int) -> list[sympy.Symbol]:
    return list(sympy.symbols(f"x0:{n}")) if n else []


def _points(table: int, n: int, value: int) -> list[list[int]]:
    """Input points (as [x0, ..., x_{n-1}]) where f takes ``value``."""
    return [[(t >> i) & 1 for i in range(n)] for t in range(1 << n) if (table >> t) & 1 == value]


def _sop_expr(table: int, n: int) -> sympy.Basic:
    """sympy's SOPform of the function, over symbols x0..x{n-1} (constants give true/false)."""
    table, n = _check(table, n)
    if table == 0:
        return sympy.false
    if table == (1 << (1 << n)) - 1:
        return sympy.true
    return SOPform(_variables(n), _points(table, n, 1))


def _pos_expr(table: int, n: int) -> sympy.Basic:
    """sympy's POSform of the function, over symbols x0..x{n-1} (constants give true/false)."""
    table, n = _check(table, n)
    if table == 0:
        return sympy.false
    if table == (1 << (1 << n)) - 1:
        return sympy.true
    return POSform(_variables(n), _points(table, n, 1))


def _operator_count(expr: sympy.Basic) -> int:
    """AND/OR/NOT count: a k-ary And or Or costs k-1, each Not costs 1, symbols and constants 0."""
    if isinstance(expr, (And, Or)):
        return len(expr.args) - 1 + sum(_operator_count(a) for a in expr.args)
    if isinstance(expr, Not):
        return 1 + _operator_count(expr.args[0])
    return 0


def sop_size(table: int, n: int) -> int:
    """Operator count of sympy's SOPform: (k-1) ANDs per k-literal term + (m-1) ORs for m terms + 1 NOT per negated literal.

    The sum of products is what ``sympy.SOPform`` returns: Quine–McCluskey prime implicants with
    sympy's prime-implicant-table cover (dominance reduction plus a greedy tie-break), which is
    minimal in the usual cases but not guaranteed minimal in general.  Constants give 0.
    Cost grows exponentially with n; intended for n up to about 8.

    >>> sop_size(0xe8, 3)  # majority: x0 x1 + x0 x2 + x1 x2 = 3 ANDs + 2 ORs
    5
    """
    return _operator_count(_sop_expr(table, n))


def pos_size(table: int, n: int) -> int:
    """Operator count of sympy's POSform: (k-1) ORs per k-literal clause + (m-1) ANDs for m clauses + 1 NOT per negated literal.

    Same caveats as ``sop_size`` (sympy's cover of the zeros; constants give 0).

    >>> pos_size(0x6, 2)  # xor: (x0 | x1) & (~x0 | ~x1) = 2 ORs + 1 AND + 2 NOTs
    5
    """
    return _operator_count(_pos_expr(table, n))


# ---------------------------------------------------------------------------------------------------
# entropy, sensitivity


def entropy(table: int, n: int) -> float:
    """Binary entropy in bits of the fraction of ones, H(k / 2^n); 0 for constants.

    >>> entropy(0x8, 2)  # AND: one 1 in four, H(1/4)
    0.8112781244591328
    """
    table, n = _check(table, n)
    p = bin(table).count("1") / (1 << n)
    if p in (0.0, 1.0):
        return 0.0
    return float(-p * math.log2(p) - (1.0 - p) * math.log2(1.0 - p))


def average_sensitivity(table: int, n: int) -> float:
    """Mean over inputs x of the number of i with f(x) != f(x with bit i flipped) (total influence).

    >>> average_sensitivity(0x96, 3)  # parity of 3 bits is sensitive to every bit
    3.0
    """
    table, n = _check(table, n)
    f = _bits(table, n)
    size = 1 << n
    flips = 0
    for i in range(n):
        # Pair x (bit i = 0) with x ^ (1 << i): axis 1 of this view is bit i.
        pairs = f.reshape(size >> (i + 1), 2, 1 << i)
        flips += int(np.count_nonzero(pairs[:, 0, :] != pairs[:, 1, :]))
    # each differing pair is one sensitive (x, i) at both of its ends
    return 2.0 * flips / size


def measures(table: int, n: int) -> dict[str, float]:
    """All measures by function name: lz_complexity, sop_size, pos_size, entropy, average_sensitivity.

    >>> measures(0x8, 2)["sop_size"]
    1.0
    """
    table, n = _check(table, n)
    return {
        "lz_complexity": lz_complexity(table, n),
        "sop_size": float(sop_size(table, n)),
        "pos_size": float(pos_size(table, n)),
        "entropy": entropy(table, n),
        "average_sensitivity": average_sensitivity(table, n),
    }
