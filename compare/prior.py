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

Networks are drawn and run by `compare.batched` (``NetPrior`` / ``NetBatch``): the initialisation
conventions ``standard`` and ``mingard2025`` (the bias convention of the code published with Mingard et
al. 2025, checked against it) are described there.

>>> cfg = PriorConfig(n_inputs=3, widths=(8,), samples=2000, bases=("xag",), measures=())
>>> counts = count_functions(cfg, seed=0)
>>> counts.samples, int(counts.counts.sum())
(2000, 2000)
>>> sorted(hex(t) for t in counts.tables[:2])  # σ_b = 0 fixes f(0) = 0; the constant 0 and OR lead
['0x0', '0xfe']
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .batched import (INITS, INPUT_ENCODINGS, BatchRunner, NetBatch, NetPrior, pack_tables, parse_widths,
                      validate_net_fields)
from .errors import CompareError
from .figures import PALETTE, pyplot, save_png
from .nets import ACTIVATIONS
from .runfolder import atomic_write_json, atomic_write_text, versions
from .stats import fmt_ci, spearman

__all__ = [
    "INITS", "PriorConfig", "FunctionCounts", "PriorStudy",
    "sample_functions", "count_functions", "minimal_sizes", "spearman", "run_prior_study",
    "add_prior_arguments", "prior_from_args",
]

MEASURES = ("lz", "sop")



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
    bootstrap : resamples of the networks for the intervals of the correlations (0: none).
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
    batch: int = 512
    bases: tuple[str, ...] = ("xag", "aig")
    mode: str = "formula"
    measures: tuple[str, ...] = ("lz", "sop")
    size_budget_s: float = 120.0
    size_levels: int | None = None
    max_measured: int = 20_000
    bootstrap: int = 200

    def __post_init__(self) -> None:
        def bad(key: str, why: str) -> CompareError:
            return CompareError(f"PriorConfig.{key}: {why}, got {getattr(self, key)!r}")

        validate_net_fields(self, "PriorConfig")
        if not isinstance(self.size_budget_s, (int, float)) or isinstance(self.size_budget_s, bool) \
                or not math.isfinite(self.size_budget_s) or self.size_budget_s < 0:
            raise bad("size_budget_s", "must be a finite number >= 0")
        object.__setattr__(self, "size_budget_s", float(self.size_budget_s))
        for key, lo in (("samples", 1), ("batch", 1), ("max_measured", 1), ("bootstrap", 0)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise bad(key, f"must be an int >= {lo}")
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
    def net(self) -> NetPrior:
        """The architecture and initialisation distribution (`compare.batched.NetPrior`)."""
        return NetPrior(self.n_inputs, self.widths, self.activation, self.sigma_w, self.sigma_b, self.bias,
                        self.init, self.inputs)

    @property
    def label(self) -> str:
        """Short description, e.g. ``5-40-40-1 relu, standard init, σw=1, σb=0``."""
        return self.net.label


# ---------------------------------------------------------------------------------------------------
# batched sampling


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CompareError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


class _Sampler:
    """Truth tables of batches of networks of a `PriorConfig`, on a `compare.batched.BatchRunner`."""

    def __init__(self, cfg: PriorConfig, seed: int, threads: int) -> None:
        self.cfg, self.seed = cfg, seed
        self.X = cfg.net.all_inputs()
        self.words = max(1, ((1 << cfg.n_inputs) + 63) // 64)
        self.runner = BatchRunner(cfg.net, cfg.batch, threads)

    def __enter__(self) -> "_Sampler":
        self.runner.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.runner.__exit__(*exc)

    def submit(self, first: int, last: int) -> Callable[[], np.ndarray]:
        """Start batches first .. last-1; returns a function that waits and gives their tables (rows,
        words). A last partial batch is drawn whole and cut, so the first N networks do not depend on
        ``samples``."""
        cfg = self.cfg
        lo = first * cfg.batch
        hi = min(cfg.samples, last * cfg.batch)
        out = np.empty((max(0, hi - lo), self.words), dtype=np.uint64)

        def one(nets: NetBatch, bi: int) -> None:
            k = min(cfg.batch, cfg.samples - bi * cfg.batch)
            s = bi * cfg.batch - lo
            out[s:s + k] = pack_tables(nets.draw(self.seed, bi).labels(self.X)[:k].numpy())

        futs = [self.runner.submit(one, bi) for bi in range(first, last) if bi * cfg.batch < cfg.samples]

        def result() -> np.ndarray:
            for f in futs:
                f.result()
            return out
        return result


def _default_threads(threads: int | None) -> int:
    return torch.get_num_threads() if threads is None else threads


def sample_functions(config: PriorConfig, seed: int) -> np.ndarray:
    """Truth tables of the ``config.samples`` random networks, in sampling order: (samples, words) uint64.

    Row i, word j holds bits 64j .. 64j+63 of network i's truth table. (`count_functions` gives the
    counts without keeping every row.)
    """
    if not isinstance(config, PriorConfig):
        raise CompareError(f"sample_functions needs a PriorConfig, got {type(config).__name__}")
    seed = _check_seed(seed)
    with _Sampler(config, seed, _default_threads(None)) as sampler:
        return sampler.submit(0, -(-config.samples // config.batch))()


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


def _row_ints(rows: np.ndarray) -> list[int]:
    """Rows of 64-bit words (least significant first) as Python ints."""
    if rows.shape[1] == 1:
        return rows[:, 0].tolist()
    acc = rows[:, -1].astype(object)
    for j in range(rows.shape[1] - 2, -1, -1):
        acc = (acc << 64) | rows[:, j].astype(object)
    return acc.tolist()


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                dtype=np.uint64)


def _unique_rows_inverse(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a (k, words) uint64 array and the inverse index (rows = distinct[inverse]).

    One word: `numpy.unique`. Several words: unique over a 64-bit hash of each row, then every row is
    checked against its group's first row; only on a hash collision (never seen) does it fall back to
    `numpy.unique` over whole rows, which sorts bytes and is about 10x slower.
    """
    if rows.shape[1] == 1:
        u, inv = np.unique(rows[:, 0], return_inverse=True)
        return u[:, None], inv.ravel()
    mix = np.resize(_MIX, rows.shape[1])
    with np.errstate(over="ignore"):
        h = (rows * mix).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(29)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.ravel()
    keys = rows[first]
    if (keys[inv] == rows).all():
        return keys, inv
    v = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
    u, inv = np.unique(v, return_inverse=True)
    return u.view(rows.dtype).reshape(-1, rows.shape[1]), inv.ravel()


def _merge(keys: np.ndarray, counts: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add the rows (one count each) to (keys, counts)."""
    keys, inv = _unique_rows_inverse(np.concatenate([keys, rows]))
    w = np.concatenate([counts, np.ones(len(rows), np.int64)])
    return keys, np.bincount(inv, weights=w, minlength=len(keys)).astype(np.int64)


def _count_batches(cfg: PriorConfig, seed: int, first: int, last: int, per_chunk: int, threads: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the functions of batches first .. last-1; chunk c+1 is sampled while chunk c is merged."""
    words = max(1, ((1 << cfg.n_inputs) + 63) // 64)
    keys, counts = np.zeros((0, words), np.uint64), np.zeros(0, np.int64)
    with _Sampler(cfg, seed, threads) as sampler:
        pending = None
        for b0 in range(first, last, per_chunk):
            nxt = sampler.submit(b0, min(last, b0 + per_chunk))
            if pending is not None:
                keys, counts = _merge(keys, counts, pending())
            pending = nxt
        if pending is not None:
            keys, counts = _merge(keys, counts, pending())
    return keys, counts


def count_functions(config: PriorConfig, seed: int, *, workers: int = 1, threads: int | None = None,
                    chunk: int = 1 << 20) -> FunctionCounts:
    """Sample ``config.samples`` networks and count their functions.

    ``threads``: sampling threads per process (default: torch's thread count; one thread per worker
    process when ``workers`` > 1). ``workers`` > 1 splits the batches among that many processes.
    Neither changes the result: batch i is drawn from stream (seed, i) and labelled the same way on any
    number of threads (`compare.batched.NetBatch.labels`). Memory: two chunks (about ``chunk`` truth
    tables each) at a time per process.
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
        keys, counts = _count_batches(config, seed, 0, n_batches, per_chunk, _default_threads(threads))
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
    # most frequent first, ties by the table's value (last lexsort key = primary)
    order = np.lexsort((*(keys[:, j] for j in range(keys.shape[1])), -counts))
    return FunctionCounts(config.n_inputs, config.samples, _row_ints(keys[order]), counts[order],
                          time.perf_counter() - t0)


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
                parts.append(f"Spearman(log P, {name}) = {c['rho']:+.3f} (resolved functions: "
                             f"{fmt_ci(c, 'rho_resolved', '+.3f')})")
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
            "headline": self.headline(), "findings": _findings(self),
            "correlations": self.correlations, "envelopes": self.envelopes, "zipf": self.zipf,
            "strata": self.strata, "size_info": self.size_info, "top_functions": top,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "figures": self.figures, "versions": versions(),
        }


def _choose_measured(counts: FunctionCounts, limit: int, seed: int) -> np.ndarray:
    d = len(counts.tables)
    if d <= limit:
        return np.arange(d)
    head = min(100, limit)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EED]))
    rest = rng.choice(np.arange(head, d), size=limit - head, replace=False)
    return np.sort(np.concatenate([np.arange(head), rest]))


RESOLVED = 10   # functions seen at least this often have a resolved P (relative s.e. <= 1/sqrt(10))


def _bootstrap_correlations(corr: dict[str, dict], counts: FunctionCounts, idx: np.ndarray,
                            measures: dict[str, np.ndarray], reps: int, seed: int) -> None:
    """Add to each correlation ρ over the *resolved* functions (seen >= `RESOLVED` times) with a 95 %
    percentile bootstrap interval: the networks are resampled (counts drawn as a multinomial from the
    observed frequencies). ρ over every function seen depends on the sample size itself — functions
    seen once or twice enter and leave with the sample, and a resample of size N keeps only about 63 %
    of the singletons — so it gets no interval; over resolved functions that effect is negligible."""
    N = counts.samples
    c0 = counts.counts[idx]
    lp0 = np.log10(np.maximum(c0, 1) / N)
    observed = {}
    for k, v in corr.items():
        ok = c0 >= RESOLVED
        r, _ = spearman(lp0[ok], measures[k][ok])
        v.update(rho_resolved=None if math.isnan(r) else round(r, 4), functions_resolved=int(ok.sum()),
                 min_count=RESOLVED, lo=None, hi=None)
        if not math.isnan(r):
            observed[k] = r
    if reps < 1 or not observed:
        return
    p = counts.counts / N

    def resample(rng: np.random.Generator) -> dict[str, float]:
        c = rng.multinomial(N, p)[idx]
        ok = c >= RESOLVED
        lp = np.log10(c[ok] / N)
        return {k: spearman(lp, measures[k][ok])[0] for k in observed}

    vals: dict[str, list[float]] = {k: [] for k in observed}
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xB007]))
    for _ in range(reps):
        for k, r in resample(rng).items():
            if not math.isnan(r):
                vals[k].append(r)
    for k, v in vals.items():
        if v:
            lo, hi = np.quantile(v, [0.025, 0.975])
            corr[k].update(lo=round(float(lo), 4), hi=round(float(hi), 4))


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
    t = time.perf_counter()
    _bootstrap_correlations(corr, counts, idx, {**{f"size_{b}": sizes[b] for b in config.bases}, **meas},
                            config.bootstrap, seed)
    secs["bootstrap"] = time.perf_counter() - t
    study = PriorStudy(config, int(seed), counts, idx, sizes, exact, info, meas, corr, env,
                       _zipf_fit(counts.counts, counts.samples), strata, secs)
    if out_dir is not None:
        _write_outputs(study, Path(out_dir))
    return study


# ---------------------------------------------------------------------------------------------------
# output


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
    plt = pyplot()

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
    ax.loglog(r, p, ".", ms=3, color=PALETTE[0], label="sampled functions")
    z = study.zipf
    if z.get("slope") is not None:
        rr = np.array([1, z["ranks_fitted"]])
        ax.loglog(rr, 10 ** (z["intercept"] + z["slope"] * np.log10(rr)), "-", color=PALETTE[1],
                  label=f"fit P ∝ rank^{z['slope']:.2f} (count ≥ {z['min_count']})")
    ax.axhline(1 / N, color="0.5", lw=0.8, ls=":", label="one sample (resolution floor)")
    ax.set_xlabel("rank of function (by frequency)")
    ax.set_ylabel("P_NN(f)  (fraction of networks)")
    slope = f"{z['slope']:.2f}" if z.get("slope") is not None else "n/a"
    ax.set_title(f"P_NN falls with rank as rank^{slope} (fit); the most frequent function has P = {p[0]:.2g}\n"
                 f"{cfg.label}", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.text(0.02, 0.10, tag, transform=ax.transAxes, fontsize=7, color="0.3")
    save_png(fig, fig_dir / "rank.png")
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
            ax.plot(s[ex] + jit[ex], logp[ex], ".", ms=2.5, alpha=0.5, color=PALETTE[0],
                    label="exact minimal size")
            if (~ex).any():
                ax.plot(s[~ex] + jit[~ex], logp[~ex], "^", ms=3, alpha=0.5, color=PALETTE[3],
                        label=f"not reached: size ≥ {int(s[~ex].min())} ({int((~ex).sum())})")
            e = study.envelopes[f"size_{b}"]
            ax.plot(e["sizes"], e["max_log10_p"], "s-", ms=4, color=PALETTE[1], lw=1,
                    label="upper envelope (max per size)")
            if e.get("slope") is not None:
                xs = np.array([min(e["sizes"]), max(e["sizes"])], float)
                ax.plot(xs, e["intercept"] + e["slope"] * xs, "--", color=PALETTE[2], lw=1,
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
        save_png(fig, fig_dir / "size.png")
        files.append("figures/size.png")

    # 3. other measures
    if study.measures:
        names = {"lz": "Lempel–Ziv complexity C_LZ of the truth table", "sop": "SOP size (sympy, AND/OR/NOT ops)"}
        fig, axes = plt.subplots(1, len(study.measures), figsize=(5.2 * len(study.measures), 4.4),
                                 squeeze=False, sharey=True)
        for j, (ax, (k, v)) in enumerate(zip(axes[0], study.measures.items())):
            jit = rng.uniform(-0.2, 0.2, len(v)) * (1 if k == "sop" else 0.5)
            ax.plot(v + jit, logp, ".", ms=2.5, alpha=0.5, color=PALETTE[0] if k == "lz" else PALETTE[2],
                    zorder=3, label="sampled functions")
            e = study.envelopes[k]
            ax.plot(e["sizes"], e["max_log10_p"], "-", color=PALETTE[1], lw=1, alpha=0.8, zorder=2,
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
        save_png(fig, fig_dir / "proxies.png")
        files.append("figures/proxies.png")

    # 4. within entropy strata
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for j, (name, st) in enumerate(study.strata.items()):
        rows = [r for r in st["strata"] if r["rho"] is not None and r["functions"] >= st["min_points"]]
        if not rows:
            continue
        ax.plot([r["k"] for r in rows], [r["rho"] for r in rows], "o-", ms=4, color=PALETTE[j % 8],
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
    save_png(fig, fig_dir / "strata.png")
    files.append("figures/strata.png")
    return files


def _findings(study: PriorStudy) -> list[str]:
    """What the data support and what they do not, with effect sizes and intervals."""
    cfg, counts = study.config, study.counts
    out = []
    for b in study.sizes:
        c = study.correlations[f"size_{b}"]
        if c["rho"] is None:
            out.append(f"Basis {b}: no correlation measurable.")
            continue
        e = study.envelopes[f"size_{b}"]
        lead = (f"Simpler functions are more probable in {b}" if c.get("hi") is not None and c["hi"] < 0 else
                f"Not assessed in {b} (no interval: too few functions seen {c.get('min_count')} times or more, "
                "or no resamples)" if c.get("hi") is None else
                f"The data do not show that simpler functions (in {b}) are more probable")
        txt = (lead
               + f": ρ(log P, minimal {cfg.mode} size) = {c['rho']:+.3f} over the {c['functions']:,} functions "
               f"seen, {fmt_ci(c, 'rho_resolved', '+.3f')} over the {c['functions_resolved']:,} seen at least "
               f"{c['min_count']} times")
        if e.get("bits_per_gate") is not None:
            txt += (f"; the most probable function of each size falls by {e['bits_per_gate']:.2f} bits per gate "
                    f"(upper-envelope fit; P <~ 2^-{e['bits_per_gate']:.2f}·size)")
        ex = study.exact[b]
        if (~ex).any():
            txt += (f"; {int((~ex).sum()):,} functions beyond the enumeration enter at their lower bound "
                    f"(ρ over exact sizes only: {c.get('rho_exact_only')})")
        st = study.strata.get(f"size_{b}", {})
        if st.get("weighted_mean_rho") is not None:
            txt += (f"; at fixed entropy (number of ones) the mean within-stratum ρ is {st['weighted_mean_rho']:+.2f}, "
                    + ("so the bias is not only a preference for unbalanced functions" if st["weighted_mean_rho"] < -0.1
                       else "so what remains at fixed entropy is weak"))
        out.append(txt + ".")
    for k in study.measures:
        c = study.correlations[k]
        if c["rho"] is not None:
            name = {"lz": "Lempel–Ziv complexity", "sop": "SOP size"}[k]
            out.append(f"{name}: ρ = {c['rho']:+.3f} over the functions seen, {fmt_ci(c, 'rho_resolved', '+.3f')} "
                       "over the resolved ones.")
    z = study.zipf
    if z.get("slope") is not None:
        out.append(f"Rank plot: P falls as rank^{z['slope']:.2f} over the {z['ranks_fitted']:,} functions seen at least "
                   f"{z['min_count']} times.")
    out.append(f"Not measured: functions with P below 1/N = {1 / counts.samples:.1g} (never sampled) — "
               f"{len(counts.tables):,} of the 2^{1 << cfg.n_inputs} functions were seen; the correlations are over "
               "functions seen at least once, whose P is noisy near the floor (the intervals resample the networks).")
    return out


def _report(study: PriorStudy) -> str:
    cfg, counts = study.config, study.counts
    d = study.as_dict()
    L = [f"# Prior study: {cfg.label}", "", "## Findings", ""] + [f"- {x}" for x in _findings(study)] + ["",
         "P_NN(f) is the fraction of randomly initialised networks computing f on all "
         f"{1 << cfg.n_inputs} inputs; it is resolved down to 1/N = {1 / counts.samples:.2g}, so the "
         "many functions seen once sit on that floor and the correlations are over the functions seen.", "",
         "## Configuration", "", "| key | value |", "|---|---|"]
    L += [f"| {k} | `{v}` |" for k, v in cfg.as_dict().items()]
    L += [f"| seed | `{study.seed}` |", "",
          "## Correlation of log P with complexity (one point per distinct function)", "",
          "| measure | Spearman ρ | p (normal approx.) | functions | ρ over resolved functions [95 % bootstrap] "
          "(functions) | ρ, exact sizes only | envelope slope (log10 P / unit) | bits per unit |",
          "|---|---|---|---|---|---|---|---|"]
    for k, c in study.correlations.items():
        e = study.envelopes[k]
        fmt = (lambda v, f: "n/a" if v is None else format(v, f))
        L.append(f"| {k} | {fmt(c['rho'], '+.3f')} | {fmt(c['p'], '.2g')} | {c['functions']} | "
                 f"{fmt_ci(c, 'rho_resolved', '+.3f')} ({c.get('functions_resolved')}) | "
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
    atomic_write_json(out / "functions.json", _functions_table(study))
    atomic_write_json(out / "prior.json", study.as_dict())
    atomic_write_text(out / "report.md", _report(study))


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
    parser.add_argument("--widths", default=",".join(map(str, d.widths)),
                        help="hidden widths, e.g. 40,40 or 64x10 (ten layers of 64)")
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
    parser.add_argument("--bootstrap", type=int, default=d.bootstrap, help="resamples for the intervals")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="sampling processes (results do not depend on it)")
    parser.add_argument("--out", required=True, help="output folder")


def prior_from_args(args: Any, progress: Callable[[str], None] | None = None) -> PriorStudy:
    """Run the study from parsed `add_prior_arguments` arguments (``progress`` gets a line per stage)."""
    samples = args.samples
    if samples != int(samples):
        raise CompareError(f"--samples: expected a whole number, got {samples!r}")
    cfg = PriorConfig(n_inputs=args.n, widths=parse_widths(args.widths), activation=args.activation,
                      sigma_w=args.sigma_w, sigma_b=args.sigma_b, bias=not args.no_bias, init=args.init,
                      inputs=args.inputs, samples=int(samples), batch=args.batch,
                      bases=tuple(b for b in args.bases.split(",") if b), mode=args.mode,
                      measures=tuple(m for m in args.measures.split(",") if m),
                      size_budget_s=args.size_budget, size_levels=args.size_levels,
                      max_measured=args.max_measured, bootstrap=args.bootstrap)
    return run_prior_study(cfg, args.seed, args.out, workers=args.workers, progress=progress)
