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

Networks are drawn and run by `compare.networks.batched` (``NetPrior`` / ``NetBatch``): the initialisation
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

import concurrent.futures as cf
import math
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

import synth
from synth import complexity as cx
from synth.budget import Budget, BudgetExceeded
from synth.enumerate import Enumerator
from synth.semantics import input_words

from ..analysis.stats import bootstrap_many, fmt_ci, spearman
from ..errors import CompareError
from ..networks.batched import (INITS, BatchRunner, NetBatch, NetFields, pack_tables,
                                table_ints, validate_net_fields)
from ..output.runfolder import check_out, versions
from .prior_findings import RESOLVED, findings, resolved_key
from .prior_report import write_outputs

__all__ = [
    "INITS", "PriorConfig", "FunctionCounts", "PriorStudy",
    "sample_functions", "count_functions", "minimal_sizes", "spearman", "run_prior_study",
]

MEASURES = ("lz", "sop")
MAX_SAMPLES = 10**10   # networks per study: about 32 hours at the measured 86k networks per second



# ---------------------------------------------------------------------------------------------------
# configuration

# work units (synth.budget) per basis for minimal sizes when n >= 5: 120 CPU seconds of the formula
# enumeration on all 32 points of n = 5 on the reference machine (2 shared cores; measured 13-18 million
# units per CPU second in xag and aig)
SIZE_BUDGET = 1_800_000_000


@dataclass(frozen=True)
class PriorConfig(NetFields):
    """Everything that defines one prior study; travels into the JSON and report.

    Parameters
    ----------
    n_inputs, widths, activation, sigma_w, sigma_b, bias, init, inputs : the network and its
        initialisation distribution (`compare.networks.batched.NetFields`); the networks are evaluated on all 2^n
        inputs.
    samples : number of networks sampled.
    batch : networks per batched forward pass (part of the random stream: same seed and batch, same counts).
    bases : DSL bases in which minimal sizes are computed (at least one; the study asks for two).
    mode : ``formula`` or ``circuit`` (circuit mode only for n <= 4).
    measures : other complexity measures: ``lz`` (Lempel–Ziv) and/or ``sop`` (sympy SOP operator count).
    size_budget : work units (`synth.budget`) per basis for minimal sizes when n >= 5 (enumeration is
        stopped there); the censoring it causes is the same on any machine.
    size_budget_s : optional wall-clock safety valve per basis (None: none); when it fires the censoring
        depends on the machine's speed, and the study's info says so.
    size_levels : when n >= 5, enumerate no size beyond this one (None: only the work budget).
    max_measured : most distinct functions given sizes / measures; beyond, a seeded uniform sample of them
        plus the most frequent ones (every function seen at least 10 times, up to half) — stated in the
        report.
    bootstrap : resamples of the networks for the intervals of the correlations (0: none).
    """

    samples: int = 100_000
    batch: int = 512
    bases: tuple[str, ...] = ("xag", "aig")
    mode: str = "formula"
    measures: tuple[str, ...] = ("lz", "sop")
    size_budget: int = SIZE_BUDGET
    size_budget_s: float | None = None
    size_levels: int | None = None
    max_measured: int = 20_000
    bootstrap: int = 200

    def __post_init__(self) -> None:
        def bad(key: str, why: str) -> CompareError:
            return CompareError(f"PriorConfig.{key}: {why}, got {getattr(self, key)!r}")

        validate_net_fields(self, "PriorConfig")
        if self.size_budget_s is not None:
            if not isinstance(self.size_budget_s, (int, float)) or isinstance(self.size_budget_s, bool) \
                    or not math.isfinite(self.size_budget_s) or self.size_budget_s <= 0:
                raise bad("size_budget_s", "must be None or a finite number of seconds > 0")
            object.__setattr__(self, "size_budget_s", float(self.size_budget_s))
        sb = self.size_budget
        if isinstance(sb, bool) or not isinstance(sb, (int, float)) or not float(sb).is_integer() or sb < 1:
            raise bad("size_budget", "must be a whole number of work units >= 1")
        object.__setattr__(self, "size_budget", int(sb))
        for key, lo in (("samples", 1), ("batch", 1), ("max_measured", 1), ("bootstrap", 0)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise bad(key, f"must be an int >= {lo}")
        if self.samples > MAX_SAMPLES:
            raise bad("samples", f"must be at most compare.studies.prior.MAX_SAMPLES = {MAX_SAMPLES:.0e} "
                                 "(days of sampling)")
        bases = (self.bases,) if isinstance(self.bases, str) else tuple(self.bases)
        object.__setattr__(self, "bases", bases)
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



# ---------------------------------------------------------------------------------------------------
# batched sampling


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CompareError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


class _Sampler:
    """Truth tables of batches of networks of a `PriorConfig`, on a `compare.networks.batched.BatchRunner`."""

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


def _count_batches(cfg: PriorConfig, seed: int, first: int, last: int, per_chunk: int, threads: int,
                   progress: Callable[[str], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the functions of batches first .. last-1; chunk c+1 is sampled while chunk c is merged.
    ``progress`` gets "sampled k/n batches" after each chunk."""
    words = max(1, ((1 << cfg.n_inputs) + 63) // 64)
    keys, counts = np.zeros((0, words), np.uint64), np.zeros(0, np.int64)
    with _Sampler(cfg, seed, threads) as sampler:
        pending = None
        for b0 in range(first, last, per_chunk):
            nxt = sampler.submit(b0, min(last, b0 + per_chunk))
            if pending is not None:
                keys, counts = _merge(keys, counts, pending())
                if progress is not None:
                    progress(f"sampled {b0 - first}/{last - first} batches")
            pending = nxt
        if pending is not None:
            keys, counts = _merge(keys, counts, pending())
            if progress is not None:
                progress(f"sampled {last - first}/{last - first} batches")
    return keys, counts


def count_functions(config: PriorConfig, seed: int, *, workers: int = 1, threads: int | None = None,
                    chunk: int = 1 << 20, progress: Callable[[str], None] | None = None) -> FunctionCounts:
    """Sample ``config.samples`` networks and count their functions (``progress``: called with a line
    "sampled k/n batches" as chunks finish, or "sampled k/n parts" with several workers).

    ``threads``: sampling threads per process (default: torch's thread count; one thread per worker
    process when ``workers`` > 1). ``workers`` > 1 splits the batches among that many processes.
    Neither changes the result: batch i is drawn from stream (seed, i) and labelled the same way on any
    number of threads (`compare.networks.batched.NetBatch.labels`). Memory: two chunks (about ``chunk`` truth
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
        keys, counts = _count_batches(config, seed, 0, n_batches, per_chunk, _default_threads(threads), progress)
    else:
        bounds = np.linspace(0, n_batches, min(workers, n_batches) + 1).astype(int)
        with cf.ProcessPoolExecutor(len(bounds) - 1, mp_context=mp.get_context("spawn")) as ex:
            futs = [ex.submit(_count_batches, config, seed, int(a), int(b), per_chunk, threads or 1)
                    for a, b in zip(bounds[:-1], bounds[1:])]
            for k, _ in enumerate(cf.as_completed(futs), 1):
                if progress is not None:
                    progress(f"sampled {k}/{len(futs)} parts")
            parts = [f.result() for f in futs]
        words = parts[0][0].shape[1]
        keys, inv = _unique_rows_inverse(np.concatenate([p[0] for p in parts]).reshape(-1, words))
        counts = np.bincount(inv, weights=np.concatenate([p[1] for p in parts]),
                             minlength=len(keys)).astype(np.int64)
    # most frequent first, ties by the table's value (last lexsort key = primary)
    order = np.lexsort((*(keys[:, j] for j in range(keys.shape[1])), -counts))
    return FunctionCounts(config.n_inputs, config.samples, table_ints(keys[order]), counts[order],
                          time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------------
# minimal sizes


_CENSUS_CACHE: dict[tuple[int, str, str], np.ndarray] = {}


def minimal_sizes(tables: Sequence[int], n: int, basis: str, mode: str = "formula", *,
                  budget: int | None = SIZE_BUDGET, budget_s: float | None = None, max_entries: int = 60_000_000,
                  max_level: int | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """Minimal size of each function in ``basis``: (sizes, exact, info).

    n <= 4: ``synth.census`` (every function, exact). n >= 5 (formula mode only): formulas are enumerated
    by size on the full truth table until every requested function is found, size ``max_level`` is done
    or the budget (``budget`` work units, stored signatures; ``budget_s`` an optional wall-clock valve,
    reported in ``info["valve_fired"]``) ends; a
    function not found has ``exact[i] = False`` and ``sizes[i]`` = the first size not finished (a lower
    bound). ``info`` says how far the enumeration got.

    >>> s, ok, _ = minimal_sizes([0xe8, 0x96, 0xaa], 3, "xag")
    >>> s.tolist(), bool(ok.all())
    ([4, 2, 0], True)
    """
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
    bud = Budget(work=budget, seconds=budget_s, max_entries=max_entries)
    en = Enumerator(input_words(n), m, b, budget=bud)
    finished = -1
    note = "all functions found"
    s = 0
    try:
        while (sizes < 0).any():
            lv = en.build_level(s)
            open_ = np.flatnonzero(sizes < 0)
            if len(lv):
                hit = isin_rows(tgt[open_], lv.sigs)
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
                          "censored": int((~exact).sum()), "note": note, "budget": bud.as_dict(),
                          "valve_fired": bud.valve_fired, "seconds": round(time.perf_counter() - t0, 3)}


def isin_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each row of ``a`` is a row of ``b`` (2-D uint64 arrays of equal width), as a bool array
    (also used by `compare.studies.learnability`)."""
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
                             f"{fmt_ci(c, resolved_key(c), '+.3f')})")
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
            "headline": self.headline(), "findings": findings(self),
            "correlations": self.correlations, "envelopes": self.envelopes, "zipf": self.zipf,
            "strata": self.strata, "size_info": self.size_info, "top_functions": top,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "figures": self.figures, "versions": versions(),
        }


def _choose_measured(counts: FunctionCounts, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The functions given sizes and measures, as (indices, uniform): all of them when there are at most
    ``limit``; else a seeded uniform sample of the distinct functions (half the limit) together with the
    most frequent ones (every function seen `RESOLVED` times or more, at least 100, at most half the
    limit). ``uniform`` marks the uniform sample (all of them when all are measured): correlations over
    "every function seen" use it, so adding the frequent ones does not weight the estimate towards them."""
    d = len(counts.tables)
    if d <= limit:
        return np.arange(d), np.ones(d, bool)
    head = np.arange(min(max(100, int((counts.counts >= RESOLVED).sum())), limit // 2))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EED]))
    uni = rng.choice(d, size=limit - len(head), replace=False)
    idx = np.union1d(head, uni)
    return idx, np.isin(idx, uni)


def _bootstrap_correlations(corr: dict[str, dict], counts: FunctionCounts, idx: np.ndarray,
                            measures: dict[str, np.ndarray], reps: int, seed: int,
                            progress: Callable[[str], None] | None = None) -> None:
    """Add to each correlation ρ over the *resolved* functions (seen >= `RESOLVED` times) with its
    bias-corrected value and a 95 % basic bootstrap interval: the networks are resampled (counts drawn as
    a multinomial from the observed frequencies) and ρ recomputed over the same functions. The noise in
    the counts attenuates ρ, and resampling adds that noise once more, which is what the basic interval
    and the correction undo to first order. ρ over every function seen gets no interval: it depends on
    the sample size itself (functions seen once or twice enter and leave with the sample)."""
    N = counts.samples
    c0 = counts.counts[idx]
    ok = c0 >= RESOLVED
    lp0 = np.log10(c0[ok] / N)
    observed = {}
    for k, v in corr.items():
        r, _ = spearman(lp0, measures[k][ok])
        v.update(rho_resolved=None if math.isnan(r) else round(r, 4), functions_resolved=int(ok.sum()),
                 min_count=RESOLVED, corrected=None, lo=None, hi=None)
        if not math.isnan(r):
            observed[k] = r
    if reps < 1 or not observed:
        return
    p = counts.counts / N

    def resample(rng: np.random.Generator) -> dict[str, float]:
        lp = np.log10(np.maximum(rng.multinomial(N, p)[idx][ok], 0.5) / N)
        return {k: spearman(lp, measures[k][ok])[0] for k in observed}

    cis = bootstrap_many(resample, observed, reps=reps, seed=seed, bounds={k: (-1.0, 1.0) for k in observed},
                         progress=progress)
    for k, ci in cis.items():
        corr[k].update(corrected=ci["corrected"], lo=ci["lo"], hi=ci["hi"])


def run_prior_study(config: PriorConfig, seed: int = 0, out_dir: str | os.PathLike | None = None, *,
                    workers: int = 1, progress=None) -> PriorStudy:
    """Sample, count, measure and analyse; with ``out_dir``, write report.md, prior.json, functions.json
    and figures/ there (every file atomically).

    ``workers``: processes for sampling (the counts do not depend on it). ``progress``: optional callable
    taking a line of text.
    """
    if not isinstance(config, PriorConfig):
        raise CompareError(f"run_prior_study needs a PriorConfig, got {type(config).__name__}")
    if out_dir is not None:
        check_out(out_dir, "out_dir")                    # before the sampling, not after it
    say = progress or (lambda s: None)
    secs: dict[str, float] = {}
    t = time.perf_counter()
    counts = count_functions(config, seed, workers=workers, progress=progress)
    secs["sampling"] = time.perf_counter() - t
    say(f"sampled {counts.samples:,} networks in {secs['sampling']:.1f} s "
        f"({counts.samples / max(secs['sampling'], 1e-9):,.0f} nets/s): {len(counts.tables):,} distinct functions")
    n, m = config.n_inputs, 1 << config.n_inputs
    idx, uniform = _choose_measured(counts, config.max_measured, seed)
    tables = [counts.tables[i] for i in idx]
    logp = np.log10(counts.counts[idx] / counts.samples)
    sizes, exact, info = {}, {}, {}
    for b in config.bases:
        t = time.perf_counter()
        sizes[b], exact[b], info[b] = minimal_sizes(tables, n, b, config.mode, budget=config.size_budget,
                                                    budget_s=config.size_budget_s, max_level=config.size_levels)
        secs[f"sizes_{b}"] = time.perf_counter() - t
        say(f"minimal sizes in {b}: {info[b]}")
    meas: dict[str, np.ndarray] = {}
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
        rho, p = spearman(logp[uniform], vals[uniform])
        entry = {"rho": None if math.isnan(rho) else round(rho, 4), "p": None if math.isnan(p) else p,
                 "functions": int(uniform.sum())}
        if name.startswith("size_"):
            ex = exact[name[5:]] & uniform
            r2, p2 = spearman(logp[ex], vals[ex])
            entry["rho_exact_only"] = None if math.isnan(r2) else round(r2, 4)
            entry["functions_exact"] = int(ex.sum())
        corr[name] = entry
        env[name] = _envelope_fit(np.asarray(vals), logp)
        strata[name] = _strata(ones[uniform], m, np.asarray(vals, float)[uniform], logp[uniform])
    t = time.perf_counter()
    _bootstrap_correlations(corr, counts, idx, {**{f"size_{b}": sizes[b] for b in config.bases}, **meas},
                            config.bootstrap, seed, progress)
    secs["bootstrap"] = time.perf_counter() - t
    study = PriorStudy(config, int(seed), counts, idx, sizes, exact, info, meas, corr, env,
                       _zipf_fit(counts.counts, counts.samples), strata, secs)
    if out_dir is not None:
        write_outputs(study, Path(out_dir))
    return study
