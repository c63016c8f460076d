"""Random-initialisation prior over Boolean functions: sample networks, count functions, P_NN(f).

The study of Valle-Pérez et al. (ICLR 2019) and Mingard et al. (Nat. Commun. 16, 220, 2025), with this
project's sharper measure: the exact minimal size of each function in a named DSL basis.

1. Sample ``samples`` randomly initialised MLPs (`PriorConfig`: widths, activation, σ_w, σ_b, bias,
   initialisation convention), evaluate each on all 2^n inputs and read the function as a truth table
   (bit t = [logit(x) > 0], x_i = (t >> i) & 1). Counting gives P_NN(f) = count(f) / samples.
2. Attach to every distinct function its minimal size in each basis (``synth.census`` for n <= 4, exact;
   for n >= 5 a length-ordered enumeration of formulas stopped by a budget, with functions not reached
   reported as *censored* — size > the last finished level), its LZ complexity and SOP size.
3. Analyse: rank plot (Zipf slope), Spearman correlations of log P with each measure, an upper-envelope
   fit of max log P per size, and the same correlations within strata of entropy (number of ones).

The fast path samples a whole batch of networks at once: the first layer is one matrix product
``X (2^n, n) @ W1 (n, batch * h1)`` and every later layer one ``baddbmm`` over the batch; there is no
per-network Python loop (see ``bench/prior_bench.py`` for the speed-up over a loop).

Initialisation conventions (``init``):

``standard``
    W ~ N(0, σ_w² / fan_in), b ~ N(0, σ_b²) — as `compare.MLP` (and the published code of Valle-Pérez
    et al., ``guillefix/nn-pacbayes``: ``VarianceScaling(scale=sigmaw**2, mode='fan_in')`` weights and
    ``RandomNormal(stddev=sigmab)`` biases, found with the project's code search).
``mingard2025``
    W ~ N(0, σ_w² / fan_in), b ~ N(0, (σ_b σ_w / fan_out)²), the bias convention that issue 5 attributes
    to the code published with Mingard et al. 2025. We could *not* find that code in the stored public
    repositories (searched: ``guillefix/nn-pacbayes``, ``guillefix/nnbias``, code and page search for
    the paper, "sigmab*sigmaw", "fan_out"); this is the issue's stated formula, implemented literally
    (fan_out = the layer's output width; 1 for the last layer). Check it against their code before
    claiming a reproduction of their figures.

>>> cfg = PriorConfig(n_inputs=3, widths=(8,), samples=2000, bases=("xag",), measures=())
>>> counts = count_functions(cfg, seed=0)
>>> counts.samples, int(counts.counts.sum())
(2000, 2000)
>>> counts.tables[0] in (0x00, 0xff)       # constants are the most probable functions at this scale
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from .errors import CompareError
from .nets import ACTIVATIONS, activation_fn

__all__ = [
    "INITS", "PriorConfig", "FunctionCounts", "PriorStudy",
    "sample_functions", "count_functions", "minimal_sizes", "spearman", "run_prior_study",
    "add_prior_arguments", "prior_from_args",
]

INITS = ("standard", "mingard2025")
INPUT_ENCODINGS = ("01", "pm1")
MEASURES = ("lz", "sop")
MAX_SAMPLE_INPUTS = 16

# Okabe–Ito colour-blind-safe palette
_PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


# ---------------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class PriorConfig:
    """Everything that defines one prior study; travels into the JSON and report.

    Parameters
    ----------
    n_inputs : Boolean inputs (the networks are evaluated on all 2^n of them).
    widths : hidden layer widths, e.g. ``(40, 40)`` for the 7-40-40-1 network of Valle-Pérez et al.
    activation : one of `compare.nets.ACTIVATIONS`.
    sigma_w, sigma_b : initialisation scales (see ``init``).
    bias : whether layers have biases.
    init : ``standard`` or ``mingard2025`` (module docstring).
    inputs : ``01`` (x in {0,1}^n) or ``pm1`` (x in {-1,+1}^n).
    samples : number of networks sampled.
    batch : networks per batched forward pass (part of the random stream: same seed and batch, same counts).
    bases : DSL bases in which minimal sizes are computed (at least one; the study asks for two).
    mode : ``formula`` or ``circuit`` (circuit mode only for n <= 4).
    measures : other complexity measures: ``lz`` (Lempel–Ziv) and/or ``sop`` (sympy SOP operator count).
    size_budget_s : seconds per basis for minimal sizes when n >= 5 (enumeration is stopped there).
    size_levels : when n >= 5, enumerate no size beyond this one (None: only the time budget). A time
        budget makes the censoring depend on the machine's speed; a level cap that binds first does not.
    max_measured : most distinct functions given sizes / measures; beyond, the 100 most frequent plus a
        seeded uniform sample of the others (stated in the report).
    """

    n_inputs: int = 5
    widths: tuple[int, ...] = (40, 40)
    activation: str = "relu"
    sigma_w: float = 1.0
    sigma_b: float = 0.0
    bias: bool = True
    init: str = "standard"
    inputs: str = "01"
    samples: int = 100_000
    batch: int = 2048
    bases: tuple[str, ...] = ("xag", "aig")
    mode: str = "formula"
    measures: tuple[str, ...] = ("lz", "sop")
    size_budget_s: float = 120.0
    size_levels: int | None = None
    max_measured: int = 20_000

    def __post_init__(self) -> None:
        def bad(key: str, why: str) -> CompareError:
            return CompareError(f"PriorConfig.{key}: {why}, got {getattr(self, key)!r}")

        if isinstance(self.n_inputs, bool) or not isinstance(self.n_inputs, int) \
                or not 1 <= self.n_inputs <= MAX_SAMPLE_INPUTS:
            raise bad("n_inputs", f"must be an int in 1..{MAX_SAMPLE_INPUTS}")
        try:
            widths = tuple(int(w) for w in self.widths)
        except (TypeError, ValueError):
            raise bad("widths", "must be a sequence of positive ints") from None
        if any(w < 1 for w in widths) or any(float(w) != float(v) for w, v in zip(widths, self.widths)):
            raise bad("widths", "must be a sequence of positive ints")
        object.__setattr__(self, "widths", widths)
        if self.activation not in ACTIVATIONS:
            raise bad("activation", f"must be one of {', '.join(ACTIVATIONS)}")
        for key in ("sigma_w", "sigma_b", "size_budget_s"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise bad(key, "must be a finite number >= 0")
            object.__setattr__(self, key, float(v))
        if self.sigma_w <= 0:
            raise bad("sigma_w", "must be > 0")
        if not isinstance(self.bias, bool):
            raise bad("bias", "must be True or False")
        if self.init not in INITS:
            raise bad("init", f"must be one of {', '.join(INITS)}")
        if self.inputs not in INPUT_ENCODINGS:
            raise bad("inputs", f"must be one of {', '.join(INPUT_ENCODINGS)}")
        for key in ("samples", "batch", "max_measured"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise bad(key, "must be an int >= 1")
        bases = (self.bases,) if isinstance(self.bases, str) else tuple(self.bases)
        object.__setattr__(self, "bases", bases)
        import synth
        for b in bases:
            try:
                if synth.get_basis(b).domain != "bool":
                    raise bad("bases", f"basis {b!r} is not Boolean")
            except synth.SynthError as e:
                raise CompareError(f"PriorConfig.bases: {e}") from None
        if self.size_levels is not None and (isinstance(self.size_levels, bool)
                                             or not isinstance(self.size_levels, int) or self.size_levels < 0):
            raise bad("size_levels", "must be None or an int >= 0")
        if self.mode not in ("formula", "circuit"):
            raise bad("mode", "must be 'formula' or 'circuit'")
        if self.mode == "circuit" and self.n_inputs > 4 and bases:
            raise bad("mode", f"circuit-mode minimal sizes are exact only for n <= 4 (n_inputs = "
                              f"{self.n_inputs}); use mode='formula'")
        measures = (self.measures,) if isinstance(self.measures, str) else tuple(self.measures)
        if any(m not in MEASURES for m in measures):
            raise bad("measures", f"must be a subset of {MEASURES}")
        object.__setattr__(self, "measures", measures)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for k in ("widths", "bases", "measures"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PriorConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CompareError(f"PriorConfig: unknown key(s) {unknown} (known: {sorted(known)})")
        d = dict(d)
        for k in ("widths", "bases", "measures"):
            if k in d and not isinstance(d[k], str):
                d[k] = tuple(d[k])
        return cls(**d)

    @property
    def label(self) -> str:
        """Short description, e.g. ``5-40-40-1 relu, standard init, σw=1, σb=0``."""
        arch = "-".join(str(x) for x in (self.n_inputs, *self.widths, 1))
        b = f"σb={self.sigma_b:g}" if self.bias else "no bias"
        return f"{arch} {self.activation}, {self.init} init, σw={self.sigma_w:g}, {b}"


# ---------------------------------------------------------------------------------------------------
# batched sampling


def _inputs(n: int, encoding: str, dtype=torch.float32) -> torch.Tensor:
    """All 2^n inputs, row t = (x_0, ..., x_{n-1}) with x_i = (t >> i) & 1 (or ±1)."""
    t = torch.arange(1 << n)
    x = ((t[:, None] >> torch.arange(n)[None, :]) & 1).to(dtype)
    return x * 2 - 1 if encoding == "pm1" else x


def _layer_dims(cfg: PriorConfig) -> list[tuple[int, int]]:
    dims = [cfg.n_inputs, *cfg.widths, 1]
    return list(zip(dims[:-1], dims[1:]))


def _sample_layers(cfg: PriorConfig, count: int, gen: torch.Generator
                   ) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
    """Weights of ``count`` networks, layer by layer: (W (count, fan_in, fan_out), b (count, fan_out) or None).

    W[i] is the transpose of `compare.MLP`'s ``linears[k].weight`` for network i. All numbers of a
    batch come from one ``randn`` call; the first layer's weights are laid out (fan_in, count, fan_out)
    in memory so that `_forward` multiplies them for every network in one matrix product.
    """
    dims = _layer_dims(cfg)
    total = sum(count * a * b + (count * b if cfg.bias else 0) for a, b in dims)
    flat = torch.randn(total, generator=gen)
    out = []
    pos = 0
    for k, (fan_in, fan_out) in enumerate(dims):
        w = flat[pos:pos + count * fan_in * fan_out]
        pos += w.numel()
        w.mul_(cfg.sigma_w / math.sqrt(fan_in))
        W = w.view(fan_in, count, fan_out).transpose(0, 1) if k == 0 else w.view(count, fan_in, fan_out)
        b = None
        if cfg.bias:
            sd = cfg.sigma_b if cfg.init == "standard" else cfg.sigma_b * cfg.sigma_w / fan_out
            b = flat[pos:pos + count * fan_out].view(count, fan_out).mul_(sd)
            pos += count * fan_out
        out.append((W, b))
    return out


_INPLACE = {"relu": torch.Tensor.relu_, "tanh": torch.Tensor.tanh_}


def _forward(layers: list[tuple[torch.Tensor, torch.Tensor | None]], X: torch.Tensor, activation: str
             ) -> torch.Tensor:
    """Logits (count, 2^n) of a batch of networks on the input rows X (2^n, n).

    Layer 1 is one matrix product X (2^n, n) @ W (n, count * h1) for the whole batch; each later layer
    is one ``baddbmm`` over the batch. No Python loop over networks.
    """
    act_ = _INPLACE.get(activation)
    act = activation_fn(activation)
    W1, b1 = layers[0]
    N, n, h = W1.shape
    m = X.shape[0]
    A = W1.transpose(0, 1).reshape(n, N * h)             # free when laid out by _sample_layers
    H = X @ A if b1 is None else torch.addmm(b1.reshape(N * h), X, A)
    if len(layers) == 1:                                  # a perceptron: no hidden layer
        return H.T
    H = act_(H) if act_ else act(H)
    H = H.view(m, N, h).transpose(0, 1)                   # (N, m, h), a view
    last = len(layers) - 1
    for k, (W, b) in enumerate(layers[1:], 1):
        H = torch.bmm(H, W) if b is None else torch.baddbmm(b.unsqueeze(1), H, W)
        if k < last:
            H = act_(H) if act_ else act(H)
    return H.squeeze(-1)


def _pack(labels: np.ndarray) -> np.ndarray:
    """Boolean labels (count, 2^n) -> truth tables as (count, words) uint64, bit t of the table = labels[:, t]."""
    count, m = labels.shape
    words = max(1, (m + 63) // 64)
    packed = np.packbits(labels, axis=1, bitorder="little")
    buf = np.zeros((count, words * 8), dtype=np.uint8)
    buf[:, :packed.shape[1]] = packed
    return buf.view("<u8").reshape(count, words)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CompareError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


def _batch_generator(seed: int, batch_index: int) -> torch.Generator:
    """The generator of batch ``batch_index``: seeded from SeedSequence([seed, batch_index]), so a batch's
    networks do not depend on how batches are split among chunks or worker processes."""
    state = np.random.SeedSequence([int(seed), int(batch_index)]).generate_state(2, np.uint32)
    g = torch.Generator(device="cpu")
    g.manual_seed(int(state[0]) << 31 ^ int(state[1]))
    return g


def _tables_of_batches(cfg: PriorConfig, seed: int, first: int, last: int) -> np.ndarray:
    """Truth tables (rows, words) of the networks of batches first .. last-1."""
    X = _inputs(cfg.n_inputs, cfg.inputs)
    words = max(1, ((1 << cfg.n_inputs) + 63) // 64)
    lo = first * cfg.batch
    hi = min(cfg.samples, last * cfg.batch)
    out = np.empty((max(0, hi - lo), words), dtype=np.uint64)
    with torch.no_grad():
        for bi in range(first, last):
            s = bi * cfg.batch - lo
            k = min(cfg.batch, cfg.samples - bi * cfg.batch)
            if k <= 0:
                break
            logits = _forward(_sample_layers(cfg, k, _batch_generator(seed, bi)), X, cfg.activation)
            out[s:s + k] = _pack((logits > 0).numpy())
    return out


def sample_functions(config: PriorConfig, seed: int) -> np.ndarray:
    """Truth tables of the ``config.samples`` random networks, in sampling order: (samples, words) uint64.

    Row i, word j holds bits 64j .. 64j+63 of network i's truth table. (`count_functions` gives the
    counts without keeping every row.)
    """
    if not isinstance(config, PriorConfig):
        raise CompareError(f"sample_functions needs a PriorConfig, got {type(config).__name__}")
    seed = _check_seed(seed)
    return _tables_of_batches(config, seed, 0, -(-config.samples // config.batch))


@dataclass
class FunctionCounts:
    """Distinct functions seen and how often, most frequent first (ties: smaller table first)."""

    n_inputs: int
    samples: int
    tables: list[int]
    counts: np.ndarray
    seconds: float = 0.0

    @property
    def probabilities(self) -> np.ndarray:
        return self.counts / self.samples

    def as_dict(self) -> dict[str, Any]:
        digits = max(1, (1 << self.n_inputs) // 4)
        return {"n_inputs": self.n_inputs, "samples": self.samples, "distinct": len(self.tables),
                "functions": [[f"{t:0{digits}x}", int(c)] for t, c in zip(self.tables, self.counts)]}


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if rows.shape[1] == 1:
        u, c = np.unique(rows[:, 0], return_counts=True)
        return u[:, None], c
    v = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
    u, c = np.unique(v, return_counts=True)
    return u.view(rows.dtype).reshape(-1, rows.shape[1]), c


def _row_ints(rows: np.ndarray) -> list[int]:
    if rows.shape[1] == 1:
        return [int(x) for x in rows[:, 0]]
    return [int.from_bytes(r.astype("<u8").tobytes(), "little") for r in rows]


def _merge(keys: np.ndarray, counts: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u, c = _unique_rows(rows)
    keys, inv = _unique_rows_inverse(np.concatenate([keys, u]))
    return keys, np.bincount(inv, weights=np.concatenate([counts, c]), minlength=len(keys)).astype(np.int64)


def _count_batches(cfg: PriorConfig, seed: int, first: int, last: int, per_chunk: int, threads: int | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    if threads is not None:
        torch.set_num_threads(threads)
    words = max(1, ((1 << cfg.n_inputs) + 63) // 64)
    keys, counts = np.zeros((0, words), np.uint64), np.zeros(0, np.int64)
    for b0 in range(first, last, per_chunk):
        keys, counts = _merge(keys, counts, _tables_of_batches(cfg, seed, b0, min(last, b0 + per_chunk)))
    return keys, counts


def count_functions(config: PriorConfig, seed: int, *, workers: int = 1, threads: int | None = None,
                    chunk: int = 1 << 20) -> FunctionCounts:
    """Sample ``config.samples`` networks and count their functions.

    ``workers`` > 1 splits the batches among that many processes (each with one torch thread unless
    ``threads`` says otherwise); ``threads`` sets torch's intra-op threads in this process (and is
    restored afterwards). Neither changes the result: batch i always uses generator (seed, i).
    Memory: one chunk (about ``chunk`` truth tables) at a time per process.
    """
    t0 = time.perf_counter()
    if not isinstance(config, PriorConfig):
        raise CompareError(f"count_functions needs a PriorConfig, got {type(config).__name__}")
    seed = _check_seed(seed)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise CompareError(f"workers must be an int >= 1, got {workers!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise CompareError(f"threads must be None or an int >= 1, got {threads!r}")
    n_batches = -(-config.samples // config.batch)
    per_chunk = max(1, chunk // config.batch)
    if workers == 1 or n_batches < 2:
        old = torch.get_num_threads()
        try:
            keys, counts = _count_batches(config, seed, 0, n_batches, per_chunk, threads)
        finally:
            torch.set_num_threads(old)
    else:
        import concurrent.futures as cf
        import multiprocessing as mp
        bounds = np.linspace(0, n_batches, min(workers, n_batches) + 1).astype(int)
        with cf.ProcessPoolExecutor(len(bounds) - 1, mp_context=mp.get_context("spawn")) as ex:
            futs = [ex.submit(_count_batches, config, seed, int(a), int(b), per_chunk, threads or 1)
                    for a, b in zip(bounds[:-1], bounds[1:])]
            parts = [f.result() for f in futs]
        words = parts[0][0].shape[1]
        keys, inv = _unique_rows_inverse(np.concatenate([p[0] for p in parts]).reshape(-1, words))
        counts = np.bincount(inv, weights=np.concatenate([p[1] for p in parts]),
                             minlength=len(keys)).astype(np.int64)
    tables = _row_ints(keys)
    order = sorted(range(len(tables)), key=lambda i: (-counts[i], tables[i]))
    return FunctionCounts(config.n_inputs, config.samples, [tables[i] for i in order],
                          counts[order], time.perf_counter() - t0)


def _unique_rows_inverse(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if rows.shape[1] == 1:
        u, inv = np.unique(rows[:, 0], return_inverse=True)
        return u[:, None], inv.ravel()
    v = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
    u, inv = np.unique(v, return_inverse=True)
    return u.view(rows.dtype).reshape(-1, rows.shape[1]), inv.ravel()


# ---------------------------------------------------------------------------------------------------
# minimal sizes


_CENSUS_CACHE: dict[tuple[int, str, str], np.ndarray] = {}


def minimal_sizes(tables: Sequence[int], n: int, basis: str, mode: str = "formula", *,
                  budget_s: float = 120.0, max_entries: int = 60_000_000, max_level: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray, dict]:
    """Minimal size of each function in ``basis``: (sizes, exact, info).

    n <= 4: ``synth.census`` (every function, exact). n >= 5 (formula mode only): formulas are enumerated
    by size on the full truth table until every requested function is found, size ``max_level`` is done
    or the budget (seconds, stored signatures) ends; a
    function not found has ``exact[i] = False`` and ``sizes[i]`` = the first size not finished (a lower
    bound). ``info`` says how far the enumeration got.

    >>> s, ok, _ = minimal_sizes([0xe8, 0x96, 0xaa], 3, "xag")
    >>> s.tolist(), bool(ok.all())
    ([4, 2, 0], True)
    """
    import synth
    tables = [int(t) for t in tables]
    m = 1 << n
    if any(t < 0 or t >> m for t in tables):
        raise CompareError(f"minimal_sizes: a table does not fit {n} inputs")
    t0 = time.perf_counter()
    if n <= 4:
        key = (n, basis, mode)
        if key not in _CENSUS_CACHE:
            _CENSUS_CACHE[key] = np.asarray(synth.census(n, basis, mode).sizes, dtype=np.int64)
        sizes = _CENSUS_CACHE[key][np.asarray(tables, dtype=np.int64)]
        return sizes.astype(np.int64), sizes >= 0, {"method": f"synth.census({n}, {basis!r}, {mode!r})",
                                                    "exact": bool((sizes >= 0).all()),
                                                    "seconds": round(time.perf_counter() - t0, 3)}
    if mode != "formula":
        raise CompareError(f"minimal_sizes: circuit mode is available for n <= 4 only, got n = {n}")
    from synth.enumerate import Budget, BudgetExceeded, Enumerator
    from synth.semantics import input_words
    b = synth.get_basis(basis)
    words = max(1, (m + 63) // 64)
    full = (1 << m) - 1
    targets = []
    for t in tables:
        if b.free_not and t & 1:        # signatures are stored with f(0) = 0 when negation is free
            t ^= full
        targets.append([(t >> (64 * j)) & 0xFFFFFFFFFFFFFFFF for j in range(words)])
    tgt = np.array(targets, dtype=np.uint64).reshape(len(tables), words)
    sizes = np.full(len(tables), -1, np.int64)
    en = Enumerator(input_words(n), m, b, budget=Budget(seconds=budget_s, max_entries=max_entries))
    finished = -1
    note = "all functions found"
    s = 0
    try:
        while (sizes < 0).any():
            lv = en.build_level(s)
            open_ = np.flatnonzero(sizes < 0)
            if len(lv):
                hit = _isin_rows(tgt[open_], lv.sigs)
                sizes[open_[hit]] = s
            finished = s
            s += 1
            if s > 64 or (max_level is not None and s > max_level):
                note = f"stopped after size {finished} (max_level)" if (sizes < 0).any() else note
                break
    except BudgetExceeded as e:
        note = f"stopped while building size {s}: {e}"
    exact = sizes >= 0
    sizes[~exact] = finished + 1
    return sizes, exact, {"method": f"formula enumeration on all {m} points (synth.enumerate)",
                          "last_complete_size": finished, "exact": bool(exact.all()),
                          "censored": int((~exact).sum()), "note": note,
                          "seconds": round(time.perf_counter() - t0, 3)}


def _isin_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape[1] == 1:
        return np.isin(a[:, 0], b[:, 0])
    dt = np.dtype((np.void, 8 * a.shape[1]))
    av = np.ascontiguousarray(a).view(dt)[:, 0]
    bv = np.ascontiguousarray(b).view(dt)[:, 0]
    bs = np.sort(bv)
    pos = np.clip(np.searchsorted(bs, av), 0, len(bs) - 1)
    return bs[pos] == av


# ---------------------------------------------------------------------------------------------------
# statistics


def _rank(x: np.ndarray) -> np.ndarray:
    """Ranks 1..k with ties given their average rank."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x), float)
    i = 0
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], len(xs)]
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + e + 1) / 2.0
        i = e
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Spearman's rank correlation and a two-sided p-value (normal approximation, z = ρ √(k−1)).

    NaN when fewer than 3 points or a variable is constant.

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 45])[0]
    1.0
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(x) != len(y):
        raise CompareError(f"spearman: x and y differ in length ({len(x)} vs {len(y)})")
    if len(x) < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan"), float("nan")
    rx, ry = _rank(x), _rank(y)
    rho = float(np.corrcoef(rx, ry)[0, 1])
    z = abs(rho) * math.sqrt(len(x) - 1)
    return rho, float(math.erfc(z / math.sqrt(2)))


def _zipf_fit(counts: np.ndarray, samples: int, min_count: int = 10) -> dict[str, Any]:
    """Least-squares slope of log10 P against log10 rank over ranks whose count >= min_count."""
    p = counts / samples
    use = counts >= min_count
    k = int(use.sum())
    if k < 3:
        return {"slope": None, "intercept": None, "ranks_fitted": k, "min_count": min_count}
    r = np.arange(1, k + 1)
    slope, icpt = np.polyfit(np.log10(r), np.log10(p[:k]), 1)
    return {"slope": float(slope), "intercept": float(icpt), "ranks_fitted": k, "min_count": min_count}


def _envelope_fit(sizes: np.ndarray, logp: np.ndarray) -> dict[str, Any]:
    """Upper envelope: the largest log10 P at each size, and a straight line through those maxima.

    ``bits_per_gate`` = −slope · log2(10): the simplicity-bias bound P(f) <~ 2^(−a·size + b) reads a.
    """
    u = np.unique(sizes)
    mx = np.array([logp[sizes == s].max() for s in u])
    out: dict[str, Any] = {"sizes": u.tolist(), "max_log10_p": [round(float(v), 4) for v in mx]}
    if len(u) >= 2:
        slope, icpt = np.polyfit(u.astype(float), mx, 1)
        out.update(slope=float(slope), intercept=float(icpt), bits_per_gate=float(-slope * math.log2(10)))
    else:
        out.update(slope=None, intercept=None, bits_per_gate=None)
    return out


def _strata(ones: np.ndarray, m: int, measure: np.ndarray, logp: np.ndarray, min_points: int = 8
            ) -> dict[str, Any]:
    """Spearman(log P, measure) within each entropy stratum k = min(#ones, 2^n − #ones)."""
    k = np.minimum(ones, m - ones)
    rows = []
    for s in np.unique(k):
        sel = k == s
        rho, p = spearman(logp[sel], measure[sel])
        rows.append({"k": int(s), "functions": int(sel.sum()),
                     "rho": None if math.isnan(rho) else round(rho, 4),
                     "p": None if math.isnan(p) else float(p)})
    good = [r for r in rows if r["rho"] is not None and r["functions"] >= min_points]
    w = sum(r["functions"] for r in good)
    mean = sum(r["rho"] * r["functions"] for r in good) / w if w else None
    return {"strata": rows, "weighted_mean_rho": None if mean is None else round(mean, 4),
            "strata_used": len(good), "min_points": min_points}


# ---------------------------------------------------------------------------------------------------
# the study


@dataclass
class PriorStudy:
    """Result of `run_prior_study` (JSON-ready through `as_dict`)."""

    config: PriorConfig
    seed: int
    counts: FunctionCounts
    measured: np.ndarray                       # indices into counts.tables given sizes / measures
    sizes: dict[str, np.ndarray]               # basis -> minimal size of each measured function
    exact: dict[str, np.ndarray]               # basis -> whether that size is exact (else a lower bound)
    size_info: dict[str, dict]
    measures: dict[str, np.ndarray]            # "lz" / "sop" -> value per measured function
    correlations: dict[str, dict]              # measure -> {"rho", "p", "functions"}
    envelopes: dict[str, dict]
    zipf: dict[str, Any]
    strata: dict[str, dict]
    seconds: dict[str, float] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)

    def headline(self) -> str:
        parts = [f"{self.config.label}: {self.counts.samples:,} nets, {len(self.counts.tables):,} distinct "
                 "functions"]
        for name, c in self.correlations.items():
            if c["rho"] is not None:
                parts.append(f"Spearman(log P, {name}) = {c['rho']:+.3f}")
        if self.zipf.get("slope") is not None:
            parts.append(f"Zipf slope {self.zipf['slope']:.2f}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        n = self.config.n_inputs
        digits = max(1, (1 << n) // 4)
        top = []
        pos = {int(i): j for j, i in enumerate(self.measured)}
        for i in range(min(30, len(self.counts.tables))):
            row: dict[str, Any] = {"table": f"{self.counts.tables[i]:0{digits}x}",
                                   "count": int(self.counts.counts[i]),
                                   "p": float(self.counts.counts[i] / self.counts.samples)}
            if i in pos:
                for b in self.sizes:
                    row[f"size_{b}"] = int(self.sizes[b][pos[i]])
                    row[f"exact_{b}"] = bool(self.exact[b][pos[i]])
                for k, v in self.measures.items():
                    row[k] = float(v[pos[i]])
            top.append(row)
        return {
            "study": "prior", "config": self.config.as_dict(), "seed": self.seed,
            "samples": self.counts.samples, "distinct_functions": len(self.counts.tables),
            "measured_functions": int(len(self.measured)),
            "headline": self.headline(),
            "correlations": self.correlations, "envelopes": self.envelopes, "zipf": self.zipf,
            "strata": self.strata, "size_info": self.size_info, "top_functions": top,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "figures": self.figures, "versions": _versions(),
        }


def _versions() -> dict[str, str]:
    import sympy
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "sympy": sympy.__version__}


def _choose_measured(counts: FunctionCounts, limit: int, seed: int) -> np.ndarray:
    d = len(counts.tables)
    if d <= limit:
        return np.arange(d)
    head = min(100, limit)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EED]))
    rest = rng.choice(np.arange(head, d), size=limit - head, replace=False)
    return np.sort(np.concatenate([np.arange(head), rest]))


def run_prior_study(config: PriorConfig, seed: int = 0, out_dir: str | os.PathLike | None = None, *,
                    workers: int = 1, progress=None) -> PriorStudy:
    """Sample, count, measure and analyse; with ``out_dir``, write report.md, prior.json, functions.json
    and figures/ there (every file atomically).

    ``workers``: processes for sampling (the counts do not depend on it). ``progress``: optional callable
    taking a line of text.
    """
    if not isinstance(config, PriorConfig):
        raise CompareError(f"run_prior_study needs a PriorConfig, got {type(config).__name__}")
    say = progress or (lambda s: None)
    secs: dict[str, float] = {}
    t = time.perf_counter()
    counts = count_functions(config, seed, workers=workers)
    secs["sampling"] = time.perf_counter() - t
    say(f"sampled {counts.samples:,} networks in {secs['sampling']:.1f} s "
        f"({counts.samples / max(secs['sampling'], 1e-9):,.0f} nets/s): {len(counts.tables):,} distinct functions")
    n, m = config.n_inputs, 1 << config.n_inputs
    idx = _choose_measured(counts, config.max_measured, seed)
    tables = [counts.tables[i] for i in idx]
    logp = np.log10(counts.counts[idx] / counts.samples)
    sizes, exact, info = {}, {}, {}
    for b in config.bases:
        t = time.perf_counter()
        sizes[b], exact[b], info[b] = minimal_sizes(tables, n, b, config.mode, budget_s=config.size_budget_s,
                                                    max_level=config.size_levels)
        secs[f"sizes_{b}"] = time.perf_counter() - t
        say(f"minimal sizes in {b}: {info[b]}")
    meas: dict[str, np.ndarray] = {}
    from synth import complexity as cx
    t = time.perf_counter()
    if "lz" in config.measures:
        meas["lz"] = np.array([cx.lz_complexity(tb, n) for tb in tables])
    secs["lz"] = time.perf_counter() - t
    t = time.perf_counter()
    if "sop" in config.measures:
        meas["sop"] = np.array([cx.sop_size(tb, n) for tb in tables], dtype=float)
    secs["sop"] = time.perf_counter() - t
    ones = np.array([bin(tb).count("1") for tb in tables])
    corr, env, strata = {}, {}, {}
    for name, vals in [*((f"size_{b}", sizes[b]) for b in config.bases), *meas.items()]:
        rho, p = spearman(logp, vals)
        entry = {"rho": None if math.isnan(rho) else round(rho, 4), "p": None if math.isnan(p) else p,
                 "functions": int(len(vals))}
        if name.startswith("size_"):
            ex = exact[name[5:]]
            r2, p2 = spearman(logp[ex], vals[ex])
            entry["rho_exact_only"] = None if math.isnan(r2) else round(r2, 4)
            entry["functions_exact"] = int(ex.sum())
        corr[name] = entry
        env[name] = _envelope_fit(np.asarray(vals), logp)
        strata[name] = _strata(ones, m, np.asarray(vals, float), logp)
    study = PriorStudy(config, int(seed), counts, idx, sizes, exact, info, meas, corr, env,
                       _zipf_fit(counts.counts, counts.samples), strata, secs)
    if out_dir is not None:
        _write_outputs(study, Path(out_dir))
    return study


# ---------------------------------------------------------------------------------------------------
# output


def _atomic_bytes(path: Path, data: bytes) -> None:
    from .runfolder import atomic_write_bytes
    atomic_write_bytes(path, data)


def _atomic_json(path: Path, obj: Any) -> None:
    _atomic_bytes(path, (json.dumps(obj, indent=1, default=_json_default) + "\n").encode())


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def _save_fig(fig, path: Path) -> None:
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    _atomic_bytes(path, buf.getvalue())


def _verdict_sizes(rhos: list) -> str:
    r = [x for x in rhos if x is not None]
    if not r:
        return "No correlation measurable"
    if max(r) <= -0.3:
        return "Simpler functions are more probable"
    if max(r) < -0.1:
        return "Weak simplicity bias"
    return "No consistent simplicity bias"


def _figures(study: PriorStudy, fig_dir: Path) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg, counts = study.config, study.counts
    N = counts.samples
    tag = f"N = {N:,} networks, {len(counts.tables):,} distinct functions; seed {study.seed}"
    files = []
    rng = np.random.default_rng(0)
    logp = np.log10(counts.counts[study.measured] / N)

    # 1. rank plot
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    p = counts.counts / N
    r = np.arange(1, len(p) + 1)
    ax.loglog(r, p, ".", ms=3, color=_PALETTE[0], label="sampled functions")
    z = study.zipf
    if z.get("slope") is not None:
        rr = np.array([1, z["ranks_fitted"]])
        ax.loglog(rr, 10 ** (z["intercept"] + z["slope"] * np.log10(rr)), "-", color=_PALETTE[1],
                  label=f"fit P ∝ rank^{z['slope']:.2f} (count ≥ {z['min_count']})")
    ax.axhline(1 / N, color="0.5", lw=0.8, ls=":", label="one sample (resolution floor)")
    ax.set_xlabel("rank of function (by frequency)")
    ax.set_ylabel("P_NN(f)  (fraction of networks)")
    slope = f"{z['slope']:.2f}" if z.get("slope") is not None else "n/a"
    ax.set_title(f"P_NN falls with rank as rank^{slope} (fit); the most frequent function has P = {p[0]:.2g}\n"
                 f"{cfg.label}", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.text(0.02, 0.10, tag, transform=ax.transAxes, fontsize=7, color="0.3")
    _save_fig(fig, fig_dir / "rank.png")
    plt.close(fig)
    files.append("figures/rank.png")

    # 2. log P vs minimal size, one panel per basis
    bases = list(study.sizes)
    if bases:
        fig, axes = plt.subplots(1, len(bases), figsize=(5.2 * len(bases), 4.4), squeeze=False,
                                 sharey=True)
        titles = []
        for j, (ax, b) in enumerate(zip(axes[0], bases)):
            s = study.sizes[b].astype(float)
            ex = study.exact[b]
            jit = rng.uniform(-0.25, 0.25, len(s))
            ax.plot(s[ex] + jit[ex], logp[ex], ".", ms=2.5, alpha=0.5, color=_PALETTE[0],
                    label="exact minimal size")
            if (~ex).any():
                ax.plot(s[~ex] + jit[~ex], logp[~ex], "^", ms=3, alpha=0.5, color=_PALETTE[3],
                        label=f"not reached: size ≥ {int(s[~ex].min())} ({int((~ex).sum())})")
            e = study.envelopes[f"size_{b}"]
            ax.plot(e["sizes"], e["max_log10_p"], "s-", ms=4, color=_PALETTE[1], lw=1,
                    label="upper envelope (max per size)")
            if e.get("slope") is not None:
                xs = np.array([min(e["sizes"]), max(e["sizes"])], float)
                ax.plot(xs, e["intercept"] + e["slope"] * xs, "--", color=_PALETTE[2], lw=1,
                        label=f"envelope fit: {e['bits_per_gate']:.2f} bits/gate")
            c = study.correlations[f"size_{b}"]
            rho = c["rho"]
            titles.append(f"{rho:+.2f} ({b})" if rho is not None else f"n/a ({b})")
            ax.set_title(f"basis {b} ({cfg.mode}); Spearman ρ = "
                         + (f"{rho:+.2f}" if rho is not None else "n/a"), fontsize=9)
            ax.axhline(math.log10(1 / N), color="0.5", lw=0.8, ls=":", label="one sample (resolution floor)")
            ax.set_xlabel(f"minimal {cfg.mode} size in {b} (gates)")
            if j == 0:
                ax.set_ylabel("log10 P_NN(f)")
            ax.legend(fontsize=7, loc="upper right")
        rhos = [study.correlations[f"size_{b}"]["rho"] for b in bases]
        fig.suptitle(f"{_verdict_sizes(rhos)}: Spearman ρ(log P, minimal size) = {', '.join(titles)}\n"
                     f"{cfg.label}; {tag}", fontsize=9)
        fig.tight_layout()
        _save_fig(fig, fig_dir / "size.png")
        plt.close(fig)
        files.append("figures/size.png")

    # 3. other measures
    if study.measures:
        names = {"lz": "Lempel–Ziv complexity C_LZ of the truth table", "sop": "SOP size (sympy, AND/OR/NOT ops)"}
        fig, axes = plt.subplots(1, len(study.measures), figsize=(5.2 * len(study.measures), 4.4),
                                 squeeze=False, sharey=True)
        for j, (ax, (k, v)) in enumerate(zip(axes[0], study.measures.items())):
            jit = rng.uniform(-0.2, 0.2, len(v)) * (1 if k == "sop" else 0.5)
            ax.plot(v + jit, logp, ".", ms=2.5, alpha=0.5, color=_PALETTE[0] if k == "lz" else _PALETTE[2],
                    zorder=3, label="sampled functions")
            e = study.envelopes[k]
            ax.plot(e["sizes"], e["max_log10_p"], "-", color=_PALETTE[1], lw=1, alpha=0.8, zorder=2,
                    label="upper envelope (max per value)")
            rho = study.correlations[k]["rho"]
            ax.axhline(math.log10(1 / N), color="0.5", lw=0.8, ls=":", label="one sample (resolution floor)")
            ax.set_title(f"Spearman ρ = {rho:+.2f}" if rho is not None else "ρ n/a", fontsize=9)
            ax.set_xlabel(names[k])
            if j == 0:
                ax.set_ylabel("log10 P_NN(f)")
            ax.legend(fontsize=7)
        parts = [f"{k.upper()} ρ = {study.correlations[k]['rho']:+.2f}" for k in study.measures
                 if study.correlations[k]["rho"] is not None]
        prx = [study.correlations[k]["rho"] for k in study.measures]
        fig.suptitle(f"{_verdict_sizes(prx)} by compression proxies too: {', '.join(parts)}\n{cfg.label}; {tag}",
                     fontsize=9)
        fig.tight_layout()
        _save_fig(fig, fig_dir / "proxies.png")
        plt.close(fig)
        files.append("figures/proxies.png")

    # 4. within entropy strata
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for j, (name, st) in enumerate(study.strata.items()):
        rows = [r for r in st["strata"] if r["rho"] is not None and r["functions"] >= st["min_points"]]
        if not rows:
            continue
        ax.plot([r["k"] for r in rows], [r["rho"] for r in rows], "o-", ms=4, color=_PALETTE[j % 8],
                label=f"{name.replace('size_', 'min. size ')} (weighted mean {st['weighted_mean_rho']:+.2f})")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("entropy stratum k = min(#ones, 2^n − #ones)")
    ax.set_ylabel("Spearman ρ(log P, measure) within stratum")
    ax.set_ylim(-1.05, 1.05)
    ms = [st["weighted_mean_rho"] for st in study.strata.values() if st["weighted_mean_rho"] is not None]
    finding = ("Bias toward simplicity persists at fixed entropy" if ms and max(ms) < -0.1 else
               "Within entropy strata the correlation is weak or absent")
    ax.set_title(f"{finding}\n{cfg.label}", fontsize=10)
    ax.legend(fontsize=7)
    ax.text(0.02, 0.03, tag + f"; strata with ≥ {next(iter(study.strata.values()))['min_points']} functions"
            if study.strata else tag, transform=ax.transAxes, fontsize=7, color="0.3")
    _save_fig(fig, fig_dir / "strata.png")
    plt.close(fig)
    files.append("figures/strata.png")
    return files


def _report(study: PriorStudy) -> str:
    cfg, counts = study.config, study.counts
    d = study.as_dict()
    L = [f"# Prior study: {cfg.label}", "",
         f"**Finding.** {d['headline']}.", "",
         "P_NN(f) is the fraction of randomly initialised networks computing f on all "
         f"{1 << cfg.n_inputs} inputs; it is resolved down to 1/N = {1 / counts.samples:.2g}, so the "
         "many functions seen once sit on that floor and the correlations are over the functions seen.", "",
         "## Configuration", "", "| key | value |", "|---|---|"]
    L += [f"| {k} | `{v}` |" for k, v in cfg.as_dict().items()]
    L += [f"| seed | `{study.seed}` |", "",
          "## Correlation of log P with complexity (one point per distinct function)", "",
          "| measure | Spearman ρ | p (normal approx.) | functions | ρ, exact sizes only | envelope slope (log10 P / unit) | bits per unit |",
          "|---|---|---|---|---|---|---|"]
    for k, c in study.correlations.items():
        e = study.envelopes[k]
        fmt = (lambda v, f: "n/a" if v is None else format(v, f))
        L.append(f"| {k} | {fmt(c['rho'], '+.3f')} | {fmt(c['p'], '.2g')} | {c['functions']} | "
                 f"{fmt(c.get('rho_exact_only'), '+.3f') if k.startswith('size_') else '—'} | "
                 f"{fmt(e.get('slope'), '+.3f')} | {fmt(e.get('bits_per_gate'), '.2f')} |")
    z = study.zipf
    L += ["", f"Zipf: log10 P = {z['intercept']:.2f} {z['slope']:+.2f}·log10 rank over the "
              f"{z['ranks_fitted']} functions seen ≥ {z['min_count']} times." if z.get("slope") is not None
          else "Zipf fit: too few functions seen ≥ 10 times.", "",
          "## Within entropy strata", "",
          "| measure | weighted mean ρ | strata used | per stratum k: ρ (functions) |", "|---|---|---|---|"]
    for k, st in study.strata.items():
        per = ", ".join(f"{r['k']}: {r['rho']:+.2f} ({r['functions']})" for r in st["strata"]
                        if r["rho"] is not None)
        wm = st["weighted_mean_rho"]
        L.append(f"| {k} | {'n/a' if wm is None else f'{wm:+.3f}'} | {st['strata_used']} | {per} |")
    L += ["", "## Minimal sizes", ""]
    for b, inf in study.size_info.items():
        L.append(f"- **{b}**: {inf}")
    if len(study.measured) < len(counts.tables):
        L.append(f"- Only {len(study.measured):,} of {len(counts.tables):,} distinct functions were measured: "
                 "the 100 most frequent and a seeded uniform sample of the rest (`max_measured`).")
    L += ["- SOP size is the operator count of sympy's `SOPform` (not guaranteed minimal); C_LZ is the "
          "Dingle et al. (2018) measure on the truth-table string.",
          "- Censored sizes (functions the enumeration did not reach) enter the correlations at their lower "
          "bound; the column 'exact sizes only' leaves them out.", "",
          "## Most frequent functions", "", "| table (hex, bit t = f(t)) | count | P | sizes | " +
          " | ".join(study.measures) + " |", "|---|---|---|---|" + "---|" * len(study.measures)]
    for row in d["top_functions"][:15]:
        sz = ", ".join(f"{b} {row[f'size_{b}']}{'' if row[f'exact_{b}'] else '+'}" for b in study.sizes
                       if f"size_{b}" in row)
        L.append(f"| `{row['table']}` | {row['count']} | {row['p']:.3g} | {sz} | "
                 + " | ".join(f"{row.get(k, float('nan')):g}" for k in study.measures) + " |")
    L += ["", "## Figures", ""] + [f"![{f}]({f})" for f in study.figures]
    L += ["", "## Time", "", ", ".join(f"{k} {v:.1f} s" for k, v in study.seconds.items()), ""]
    return "\n".join(L)


def _write_outputs(study: PriorStudy, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    study.figures = _figures(study, out / "figures")
    _atomic_json(out / "functions.json", _functions_table(study))
    _atomic_json(out / "prior.json", study.as_dict())
    _atomic_bytes(out / "report.md", _report(study).encode())


def _functions_table(study: PriorStudy) -> dict[str, Any]:
    d = study.counts.as_dict()
    n = study.config.n_inputs
    digits = max(1, (1 << n) // 4)
    cols = ["table", "count"] + [f"size_{b}" for b in study.sizes] + [f"exact_{b}" for b in study.sizes] \
        + list(study.measures)
    rows = []
    for j, i in enumerate(study.measured):
        rows.append([f"{study.counts.tables[i]:0{digits}x}", int(study.counts.counts[i])]
                    + [int(study.sizes[b][j]) for b in study.sizes] + [bool(study.exact[b][j]) for b in study.sizes]
                    + [float(study.measures[k][j]) for k in study.measures])
    return {"all_functions": d, "measured": {"columns": cols, "rows": rows}}


# ---------------------------------------------------------------------------------------------------
# command line (wired into `occam prior` by compare/cli.py)


def add_prior_arguments(parser) -> None:
    """Arguments of ``occam prior`` on an argparse parser."""
    d = PriorConfig()
    parser.add_argument("--n", type=int, default=d.n_inputs, help="number of Boolean inputs")
    parser.add_argument("--widths", default=",".join(map(str, d.widths)), help="hidden widths, e.g. 40,40")
    parser.add_argument("--activation", default=d.activation, choices=ACTIVATIONS)
    parser.add_argument("--sigma-w", type=float, default=d.sigma_w)
    parser.add_argument("--sigma-b", type=float, default=d.sigma_b)
    parser.add_argument("--no-bias", action="store_true", help="layers without biases")
    parser.add_argument("--init", default=d.init, choices=INITS)
    parser.add_argument("--inputs", default=d.inputs, choices=INPUT_ENCODINGS)
    parser.add_argument("--samples", type=float, default=d.samples, help="networks to sample (1e6 accepted)")
    parser.add_argument("--batch", type=int, default=d.batch)
    parser.add_argument("--bases", default=",".join(d.bases))
    parser.add_argument("--mode", default=d.mode, choices=("formula", "circuit"))
    parser.add_argument("--measures", default=",".join(d.measures), help="lz,sop (or empty)")
    parser.add_argument("--size-budget", type=float, default=d.size_budget_s, help="seconds per basis (n >= 5)")
    parser.add_argument("--size-levels", type=int, default=None,
                        help="n >= 5: enumerate sizes up to this one only (reproducible censoring)")
    parser.add_argument("--max-measured", type=int, default=d.max_measured)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="sampling processes (results do not depend on it)")
    parser.add_argument("--out", required=True, help="output folder")


def prior_from_args(args) -> PriorStudy:
    """Run the study from parsed `add_prior_arguments` arguments; prints progress and the headline."""
    def ints(s: str, key: str) -> tuple[int, ...]:
        try:
            return tuple(int(x) for x in s.split(",") if x.strip())
        except ValueError:
            raise CompareError(f"--{key}: expected comma-separated integers, got {s!r}") from None
    samples = args.samples
    if samples != int(samples):
        raise CompareError(f"--samples: expected a whole number, got {samples!r}")
    cfg = PriorConfig(n_inputs=args.n, widths=ints(args.widths, "widths"), activation=args.activation,
                      sigma_w=args.sigma_w, sigma_b=args.sigma_b, bias=not args.no_bias, init=args.init,
                      inputs=args.inputs, samples=int(samples), batch=args.batch,
                      bases=tuple(b for b in args.bases.split(",") if b), mode=args.mode,
                      measures=tuple(m for m in args.measures.split(",") if m),
                      size_budget_s=args.size_budget, size_levels=args.size_levels,
                      max_measured=args.max_measured)
    study = run_prior_study(cfg, args.seed, args.out, workers=args.workers, progress=print)
    print(study.headline())
    print(f"wrote {args.out}/report.md")
    return study
