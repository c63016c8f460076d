"""Posterior study: which distribution over functions do trained networks follow — the network's own
Bayesian posterior, the length prior's posterior, or neither? (Mingard et al. 2021, "Is SGD a Bayesian
sampler? Well, almost", with this project's length prior as a third party.)

For each target (a Boolean function of ``n`` inputs) and one seeded training set S of ``train_count``
points, three distributions over the functions that fit S, each function identified by its outputs on
the held-out points:

``P_SGD(f|S)``
    ``runs`` networks drawn from the initialisation prior (`compare.networks.batched.NetPrior`) and trained side by
    side (`compare.networks.batched.train_batch`) until each fits S; the function a run returns is its function at
    the first step at which all training points are right (the "train to 100 % training accuracy" protocol
    of Mingard et al.). Runs that never fit within ``max_steps`` are counted and left out.
``P_B(f|S)``
    The Bayesian posterior of the *same finite* network: networks drawn from the same prior, kept when
    they fit S (rejection sampling — exact for this network, no Gaussian-process approximation), until
    ``accepted`` are kept or ``max_samples`` drawn. P_B(f|S) ∝ P_NN(f) on functions consistent with S.
``P_len(f|S)``
    The length prior of `synth`: ∝ 2^-bits(p_f), p_f the shortest program for f in ``basis`` (the
    minimal-program term, `synth.posterior`), over the consistent functions `synth.synthesize`
    enumerates up to ``len_slack`` gates beyond the minimum (the rest of the posterior mass is at most
    the reported truncation mass). Also fitted: the *tempered* length prior ∝ 2^-β·bits with the β that
    best explains the trained networks' functions (maximum likelihood), which says how many bits per
    gate the networks' own bias amounts to.

Comparisons, per target: total variation distance TV(P_SGD, Q) for Q = P_B and P_len with bootstrap
intervals (runs and accepted samples resampled), a test against sampling noise (the distribution of TV
if the trained networks *were* sampling from Q, by parametric bootstrap), Spearman's ρ of log
probabilities over the functions both distributions give mass to (the log–log plot of Mingard et al.),
the mass each distribution puts on the shortest consistent functions and at each minimal size, and the
expected held-out accuracy under each.

>>> cfg = PosteriorConfig(targets=("and:k=2",), n_inputs=3, train_count=4, widths=(8,), runs=200,
...                       accepted=200, max_samples=400_000, batch=4096, bootstrap=50)
>>> study = run_posterior_study(cfg, seed=0)
>>> r = study.results[0]
>>> r["sgd"]["fitted"], r["bayes"]["accepted"] >= 200
(200, True)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

import synth

from ..analysis.stats import bootstrap_many, fmt_statistic, spearman, total_variation
from ..errors import CompareError
from ..networks.batched import (OPTIMIZERS, BatchRunner, NetBatch, NetFields, NetPrior,
                                pack_tables, table_ints, train_batch, validate_net_fields)
from ..networks.tasks import TARGETS, Task, make_task
from ..output.runfolder import atomic_write_json, atomic_write_text, check_out, versions
from .posterior_report import figures, render

__all__ = ["PosteriorConfig", "PosteriorStudy", "target_task", "sgd_functions", "bayes_functions",
           "length_posterior", "compare_distributions", "run_posterior_study"]

MAX_INPUTS = 10
BETA_MAX = 16.0   # the tempered length prior's β is searched in [0, BETA_MAX]


# ---------------------------------------------------------------------------------------------------
# configuration


# work units (synth.budget) of the length prior's enumeration: about 60 CPU seconds on the reference machine
# (2 shared cores; about 15 million units per CPU second)
LEN_BUDGET = 900_000_000


@dataclass(frozen=True)
class PosteriorConfig(NetFields):
    """Everything that defines one posterior study; travels into the JSON and report.

    Parameters
    ----------
    targets : target functions, each ``name`` or ``name:key=value,...`` from `compare.networks.tasks.TARGETS`
        (``n`` is ``n_inputs``), a truth table ``0x...``, or program text such as ``or(x0, and(x1, x2))``.
    n_inputs, train_count, split_seed : the domain {0,1}^n, the size of the training set S and the seed
        of its choice; every other point is held out.
    widths, activation, sigma_w, sigma_b, bias, init, inputs : the network and its initialisation
        distribution (`compare.networks.batched.NetPrior`), shared by the trained runs and the rejection sampler.
    runs : networks trained (P_SGD); optimizer, lr, batch_size (None: full batch), max_steps.
    accepted, max_samples, batch : rejection sampling of P_B stops after ``accepted`` networks that fit
        S or ``max_samples`` drawn, in batches of ``batch``.
    basis, len_slack, len_budget, len_budget_s : the length prior: consistent functions up to ``len_slack``
        gates beyond the minimum size in ``basis``, within ``len_budget`` work units (`synth.budget`);
        ``len_budget_s`` an optional wall-clock valve (None: none).
    bootstrap : resamples for intervals and the sampling-noise test.
    """

    targets: tuple[str, ...] = ("and:k=2", "majority:k=3")
    train_count: int = 12
    split_seed: int = 0
    sigma_b: float = 1.0          # the other network fields keep their `NetFields` defaults
    runs: int = 5000
    optimizer: str = "adam"
    lr: float = 0.003
    batch_size: int | None = None
    max_steps: int = 3000
    accepted: int = 5000
    max_samples: int = 50_000_000
    batch: int = 4096
    basis: str = "xag"
    len_slack: int = 3
    len_budget: int = LEN_BUDGET
    len_budget_s: float | None = None
    bootstrap: int = 1000

    def __post_init__(self) -> None:
        def bad(key: str, why: str) -> CompareError:
            return CompareError(f"PosteriorConfig.{key}: {why}, got {getattr(self, key)!r}")

        targets = (self.targets,) if isinstance(self.targets, str) else tuple(self.targets)
        if not targets or not all(isinstance(t, str) and t.strip() for t in targets):
            raise bad("targets", "must be one or more non-empty target specs")
        object.__setattr__(self, "targets", tuple(t.strip() for t in targets))
        if len(set(self.targets)) != len(self.targets):
            raise bad("targets", "must be distinct")
        validate_net_fields(self, "PosteriorConfig")
        if self.n_inputs > MAX_INPUTS:
            raise bad("n_inputs", f"must be <= {MAX_INPUTS} (functions are kept as whole truth tables)")
        m = 1 << self.n_inputs
        for key, lo in (("train_count", 1), ("split_seed", 0), ("runs", 2), ("max_steps", 1), ("accepted", 1),
                        ("max_samples", 1), ("batch", 1), ("len_slack", 0), ("bootstrap", 0)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise bad(key, f"must be an int >= {lo}")
            object.__setattr__(self, key, int(v))
        if self.train_count >= m:
            raise bad("train_count", f"must leave held-out points: < 2^n = {m}")
        if self.optimizer not in OPTIMIZERS:
            raise bad("optimizer", f"must be one of {', '.join(OPTIMIZERS)}")
        if self.batch_size is not None and (isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int)
                                            or self.batch_size < 1):
            raise bad("batch_size", "must be None (full batch) or an int >= 1")
        for key in ("lr", "len_budget_s"):
            v = getattr(self, key)
            if v is None and key == "len_budget_s":
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise bad(key, "must be a finite number > 0")
            object.__setattr__(self, key, float(v))
        v = self.len_budget
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer() or v < 1:
            raise bad("len_budget", "must be a whole number of work units >= 1")
        object.__setattr__(self, "len_budget", int(v))
        try:
            if synth.get_basis(self.basis).domain != "bool":
                raise bad("basis", "must be a Boolean basis")
        except synth.SynthError as e:
            raise CompareError(f"PosteriorConfig.basis: {e}") from None
        for t in self.targets:                      # fail early, naming the target
            target_task(t, self.n_inputs, self.train_count, self.split_seed)

    @property
    def slugs(self) -> dict[str, str]:
        """A file-name stem for each target, distinct even when two targets' texts reduce to one stem."""
        out: dict[str, str] = {}
        for t in self.targets:
            base = _slug(t)
            stem, k = base, 2
            while stem in out.values():
                stem, k = f"{base}-{k}", k + 1
            out[t] = stem
        return out



def _param_value(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def target_task(spec: str, n: int, train_count: int, split_seed: int) -> Task:
    """The `Task` of a target spec (see `PosteriorConfig.targets`) on n inputs with a seeded training set.

    >>> t = target_task("majority:k=3", 5, 12, 0)
    >>> hex(t.table), len(t.train_idx), len(t.test_idx)
    ('0xe8e8e8e8', 12, 20)
    >>> target_task("0x96", 3, 4, 0).name
    'table(0x96, n=3)'
    """
    s = spec.strip()
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", s):
            return Task.from_table(int(s, 16), n, train_count=train_count, seed=split_seed)
        if "(" in s:
            return Task.from_program(s, n, train_count=train_count, seed=split_seed)
        name, _, rest = s.partition(":")
        if name not in TARGETS or TARGETS[name].domain != "bool":
            known = ", ".join(k for k, v in TARGETS.items() if v.domain == "bool")
            raise CompareError(f"unknown Boolean target {name!r} (known: {known}; or a table 0x..., or "
                               "program text)")
        params: dict[str, Any] = {}
        for item in filter(None, (x.strip() for x in rest.split(","))):
            k, eq, v = item.partition("=")
            if not eq or not k.strip():
                raise CompareError(f"parameter {item!r} is not key=value")
            params[k.strip()] = _param_value(v.strip())
        if "n" in params and params["n"] != n:
            raise CompareError(f"n={params['n']} differs from the study's n_inputs = {n}")
        params["n"] = n
        return make_task(name, train_count=train_count, seed=split_seed, **params)
    except CompareError as e:
        raise CompareError(f"target {spec!r}: {e}") from None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:40] or "target"


# ---------------------------------------------------------------------------------------------------
# the three distributions


def _train_mask(task: Task, rows: int) -> torch.Tensor:
    mask = torch.zeros(rows, task.domain_size, dtype=torch.bool)
    mask[:, torch.as_tensor(np.array(task.train_idx))] = True
    return mask


def _tables(labels: torch.Tensor) -> list[int]:
    return table_ints(pack_tables(labels.bool().numpy()))


def sgd_functions(task: Task, net: NetPrior, *, runs: int, seed: int, optimizer: str = "adam", lr: float = 0.003,
                  batch_size: int | None = None, max_steps: int = 3000, chunk: int = 2000) -> dict[str, Any]:
    """P_SGD: train ``runs`` networks on the task's training points; count the functions they return.

    Returns {"counts": Counter(table -> runs), "fitted", "not_fitted", "median_steps", "seconds"}. The
    runs are trained ``chunk`` at a time (chunk c from initialisation batch c of stream ``seed``).
    """
    t0 = time.perf_counter()
    X = net.all_inputs()
    y = torch.as_tensor(np.array(task.labels, dtype=np.float32))
    counts: Counter = Counter()
    steps: list[int] = []
    not_fitted = 0
    for c, lo in enumerate(range(0, runs, chunk)):
        k = min(chunk, runs - lo)
        tr = train_batch(net, X, y.expand(k, -1), _train_mask(task, k), seed=seed, optimizer=optimizer, lr=lr,
                         batch_size=batch_size, max_steps=max_steps, init_index=c)
        ok = tr.fitted
        not_fitted += int((~ok).sum())
        counts.update(_tables(tr.fit_labels[ok]))
        steps += tr.fit_step[ok].tolist()
    return {"counts": counts, "fitted": int(sum(counts.values())), "not_fitted": not_fitted,
            "median_steps": float(np.median(steps)) if steps else None,
            "seconds": time.perf_counter() - t0}


def bayes_functions(task: Task, net: NetPrior, *, accepted: int, max_samples: int, seed: int, batch: int = 4096,
                    threads: int | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """P_B by rejection sampling: draw networks from the prior in batches, keep those that fit the
    training points, until ``accepted`` are kept or ``max_samples`` drawn.

    Batches are labelled on ``threads`` threads but consumed in index order, so the result depends on
    the seed only. Returns {"counts", "accepted", "samples", "acceptance", "acceptance_ci", "shortfall",
    "seconds"}; ``acceptance_ci`` is the exact binomial interval for ``samples`` fixed draws (approximate,
    since sampling stops once ``accepted`` are kept); ``shortfall`` is True when ``max_samples`` ran out
    first.
    """
    from scipy.stats import binomtest

    t0 = time.perf_counter()
    X = net.all_inputs()
    tr = torch.as_tensor(np.array(task.train_idx))
    Xs = X[tr]
    ys = torch.as_tensor(np.array(task.labels[task.train_idx], dtype=bool))
    n_batches = -(-max_samples // batch)

    def one(nets: NetBatch, bi: int) -> tuple[int, list[int]]:
        k = min(batch, max_samples - bi * batch)
        nets.draw(seed, bi)
        fit = (nets.labels(Xs)[:k] == ys).all(1).nonzero().squeeze(1)
        if not len(fit):
            return k, []
        full = nets.labels(X, fit)
        full[:, tr] = ys            # accepted on the training labels of the first pass; keep them
        return k, _tables(full)

    counts: Counter = Counter()
    samples = 0
    last_say = time.perf_counter()
    with BatchRunner(net, batch, threads) as runner:
        window = 2 * runner.threads
        futs: dict[int, Any] = {}
        nxt = 0
        for bi in range(n_batches):
            while nxt < n_batches and nxt < bi + window:
                futs[nxt] = runner.submit(one, nxt)
                nxt += 1
            k, tabs = futs.pop(bi).result()
            samples += k
            counts.update(tabs)
            if progress and time.perf_counter() - last_say > 10:
                last_say = time.perf_counter()
                progress(f"  P_B: {sum(counts.values()):,} accepted of {samples:,} sampled")
            if sum(counts.values()) >= accepted:
                break
        for f in futs.values():
            f.cancel()
    acc = int(sum(counts.values()))
    ci = binomtest(acc, samples).proportion_ci(0.95, method="exact") if samples else None
    return {"counts": counts, "accepted": acc, "samples": samples, "acceptance": acc / samples if samples else None,
            "acceptance_ci": [ci.low, ci.high] if ci else None, "shortfall": acc < accepted,
            "seconds": time.perf_counter() - t0}


def length_posterior(task: Task, *, basis: str = "xag", slack: int = 3, budget: int | None = LEN_BUDGET,
                     budget_s: float | None = None) -> dict[str, Any]:
    """P_len: the consistent functions `synth.synthesize` enumerates on the task's training examples, each
    with its minimal size, description bits and shortest program, within ``budget`` work units
    (``budget_s``: an optional wall-clock valve).

    Returns {"functions": {table: (size, bits, program text)}, "min_size", "searched_size", "exact",
    "truncation_mass", "notes", "deterministic", "seconds"}.
    """
    t0 = time.perf_counter()
    # the enumerator alone: P_len needs every consistent function up to the minimum plus slack, which the
    # SAT stage of the portfolio does not list
    res = synth.synthesize(task.train_spec(), basis=basis, mode="formula", slack=slack, budget=budget,
                           budget_s=budget_s, sat=False)
    funcs = {}
    for c in res.consistent:
        funcs[int(c.program.truth_table())] = (int(c.size), float(c.bits), str(c.program))
    return {"functions": funcs, "min_size": res.min_size, "searched_size": res.searched_size, "exact": res.exact,
            "truncation_mass": float(res.truncation_mass), "notes": list(res.notes),
            "deterministic": res.deterministic, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------------------
# comparison


def _tempered_beta(bits: np.ndarray, counts: np.ndarray) -> float | None:
    """β maximising Σ counts·log P_β, P_β ∝ 2^(-β·bits) over the given functions (None when undefined)."""
    from scipy.optimize import minimize_scalar
    if counts.sum() == 0 or np.ptp(bits) == 0:
        return None

    def nll(beta: float) -> float:
        logw = -beta * bits * math.log(2)
        mx = logw.max()
        logz = mx + math.log(np.exp(logw - mx).sum())
        return -float((counts * (logw - logz)).sum())

    r = minimize_scalar(nll, bounds=(0.0, BETA_MAX), method="bounded", options={"xatol": 1e-5})
    return float(r.x)


def _log_rho(p: np.ndarray, q: np.ndarray) -> tuple[float, int]:
    both = (p > 0) & (q > 0)
    if both.sum() < 3:
        return float("nan"), int(both.sum())
    return spearman(np.log(p[both]), np.log(q[both]))[0], int(both.sum())


_PAIRS = {"sgd_bayes": ("sgd", "bayes"), "sgd_len": ("sgd", "len"), "bayes_len": ("bayes", "len")}
_BOUNDS = {**{f"tv_{k}": (0.0, 1.0) for k in _PAIRS}, "tv_sgd_len_exact": (0.0, 1.0),
           **{f"size_tv_{k}": (0.0, 1.0) for k in _PAIRS}, **{f"pred_{k}": (0.0, 1.0) for k in _PAIRS},
           **{f"rho_{k}": (-1.0, 1.0) for k in _PAIRS}, "tv_difference": (-1.0, 1.0),
           **{f"acc_{k}": (0.0, 1.0) for k in ("sgd", "bayes", "len")}, "acc_sgd_minus_bayes": (-1.0, 1.0),
           **{f"shortest_{k}": (0.0, 1.0) for k in ("sgd", "bayes", "len")}}
_NAN = float("nan")


def _statistics(emp: dict[str, np.ndarray | None], p_len: np.ndarray, size_class: np.ndarray, n_classes: int,
                outputs: np.ndarray, acc: np.ndarray, shortest: np.ndarray) -> dict[str, float]:
    """Every compared quantity. ``emp``: the empirical distributions of the SGD runs, the P_B samples and a
    sample of P_len of P_B's size (None when that sample is empty); ``p_len``: P_len itself.

    Function-level distances use the sample of P_len, so that TV(SGD, B) and TV(SGD, len) carry the same
    sampling noise (a plug-in TV between two samples is inflated by the noise of both); everything else
    — ρ, the size classes, the predictive, accuracy, the mass on the shortest functions — uses P_len itself.
    """
    exact = {"sgd": emp["sgd"], "bayes": emp["bayes"], "len": p_len}
    st: dict[str, float] = {}
    marg = {k: None if v is None else v @ outputs for k, v in exact.items()}
    mass = {k: None if v is None else np.bincount(size_class, weights=v, minlength=n_classes)
            for k, v in exact.items()}
    for key, (a, b) in _PAIRS.items():
        ok = exact[a] is not None and exact[b] is not None
        st[f"tv_{key}"] = total_variation(emp[a], emp[b]) if emp[a] is not None and emp[b] is not None else _NAN
        st[f"size_tv_{key}"] = total_variation(mass[a], mass[b]) if ok else _NAN
        st[f"pred_{key}"] = float(np.abs(marg[a] - marg[b]).mean()) if ok and outputs.shape[1] else _NAN
        st[f"rho_{key}"] = _log_rho(exact[a], exact[b])[0] if ok else _NAN
    st["tv_sgd_len_exact"] = total_variation(emp["sgd"], p_len) if emp["sgd"] is not None else _NAN
    st["tv_difference"] = st["tv_sgd_len"] - st["tv_sgd_bayes"]
    for k, v in exact.items():
        st[f"acc_{k}"] = float(v @ acc) if v is not None else _NAN
        st[f"shortest_{k}"] = float(v[shortest].sum()) if v is not None else _NAN
    st["acc_sgd_minus_bayes"] = st["acc_sgd"] - st["acc_bayes"]
    return st


def _noise_tests(c_s: np.ndarray, c_b: np.ndarray, p_len: np.ndarray, observed: dict[str, float], reps: int,
                 seed: int) -> dict[str, dict[str, Any]]:
    """Is the SGD sample distinguishable from the P_B sample, and from P_len, beyond sampling noise?

    SGD vs B: a two-sample permutation test (exact under "same distribution"): the pooled R + A draws are
    split at random into R and A (a multivariate hypergeometric draw) and TV recomputed. SGD vs len: P_len
    is known, so R draws from it give the null distribution of TV(sample, P_len) (a goodness-of-fit test).
    p = (#null >= observed + 1) / (reps + 1). A large p means no difference was detected at this sample
    size, not that there is none.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5A11]))
    R, A = int(c_s.sum()), int(c_b.sum())
    pool = (c_s + c_b).astype(np.int64)
    null_b, null_len = [], []
    for _ in range(reps):
        if R and A:
            x = rng.multivariate_hypergeometric(pool, R)
            null_b.append(total_variation(x / R, (pool - x) / A))
        if R and p_len.sum() > 0:
            null_len.append(total_variation(rng.multinomial(R, p_len) / R, p_len))

    def test(obs: float, null: list[float], what: str) -> dict[str, Any]:
        if not null or math.isnan(obs):
            return {"p": None, "observed": None, "null_median": None, "null_95": None, "test": what}
        a = np.array(null)
        return {"p": (int((a >= obs - 1e-12).sum()) + 1) / (len(a) + 1), "observed": round(obs, 4),
                "null_median": round(float(np.median(a)), 4), "null_95": round(float(np.quantile(a, 0.95)), 4),
                "test": what}

    return {"sgd_bayes": test(observed["tv_sgd_bayes"], null_b, "two-sample permutation test of TV"),
            "sgd_len": test(observed["tv_sgd_len_exact"], null_len, "goodness of fit to P_len (TV)")}


def compare_distributions(task: Task, sgd: Counter, bayes: Counter, length: dict[int, tuple[int, float, str]], *,
                          bootstrap: int = 1000, seed: int = 0,
                          progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Distances, correlations, tests and summaries of P_SGD, P_B and P_len (module docstring).

    ``stats[name]`` = {"value", "corrected", "lo", "hi"}: the statistic, its bias-corrected estimate and
    its 95 % basic bootstrap interval (the SGD runs, the P_B samples and a sample of P_len of P_B's size
    resampled as multinomials). Names: ``tv_<pair>`` (total variation over functions, between samples of
    matched size — see `_statistics`), ``tv_sgd_len_exact`` (against P_len itself), ``size_tv_<pair>``
    (over minimal-size classes), ``pred_<pair>`` (mean |difference| of P(y = 1 | x) over held-out points),
    ``rho_<pair>`` (Spearman of log P over functions both give mass to), ``tv_difference`` =
    TV(SGD, len) − TV(SGD, B) (> 0: closer to P_B), ``acc_<dist>`` (expected held-out accuracy),
    ``shortest_<dist>`` (mass on the shortest consistent functions); pairs sgd_bayes, sgd_len, bayes_len.
    A statistic of an empty sample (no run fitted, no network accepted) is None. ``progress``: told the
    bootstrap's resamples (`bootstrap_many`).
    """
    U = sorted(set(sgd) | set(bayes) | set(length))
    c_s = np.array([sgd.get(t, 0) for t in U], float)
    c_b = np.array([bayes.get(t, 0) for t in U], float)
    R, A = int(c_s.sum()), int(c_b.sum())
    bits = np.array([length[t][1] if t in length else np.nan for t in U])
    size = np.array([length[t][0] if t in length else -1 for t in U])
    enumerated = ~np.isnan(bits)
    p_len = np.zeros(len(U))
    if enumerated.any():
        lw = -bits[enumerated] * math.log(2)
        w = np.exp(lw - lw.max())
        p_len[enumerated] = w / w.sum()
    # a sample of P_len as large as P_B's, so both function-level distances carry the same noise
    L = A if A else R
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x1E4]))
    c_l = rng.multinomial(L, p_len).astype(float) if L and enumerated.any() else np.zeros(len(U))
    emp = {"sgd": c_s / R if R else None, "bayes": c_b / A if A else None,
           "len": c_l / L if L and c_l.sum() else None}
    test = np.array(task.test_idx, dtype=np.int64)
    outputs = np.array([[(t >> int(i)) & 1 for i in test] for t in U], dtype=float).reshape(len(U), len(test))
    truth = np.array(task.labels, dtype=float)[test]
    acc = (outputs == truth).mean(1) if len(test) else np.ones(len(U))
    min_size = int(size[enumerated].min()) if enumerated.any() else None
    shortest = (size == min_size) if min_size is not None else np.zeros(len(U), bool)
    sizes = sorted({int(x) for x in size[enumerated]})
    size_class = np.array([sizes.index(int(x)) if x >= 0 else len(sizes) for x in size], dtype=np.int64)
    args = (p_len, size_class, len(sizes) + 1, outputs, acc, shortest)
    observed = _statistics(emp, *args)

    def resample(rng: np.random.Generator) -> dict[str, float]:
        e = {k: None if v is None else rng.multinomial(n, v) / n
             for (k, v), n in zip(emp.items(), (R, A, L))}
        return _statistics(e, *args)

    stats = bootstrap_many(resample, observed, reps=bootstrap, seed=seed, bounds=_BOUNDS, progress=progress)
    dists = {"sgd": emp["sgd"] if R else np.zeros(len(U)), "bayes": emp["bayes"] if A else np.zeros(len(U)),
             "len": p_len}
    out: dict[str, Any] = {"functions": len(U), "runs": R, "accepted": A, "len_sample": L,
                           "distinct": {"sgd": int((c_s > 0).sum()), "bayes": int((c_b > 0).sum()),
                                        "len": int(enumerated.sum())},
                           "stats": stats,
                           "rho_functions": {k: _log_rho(dists[a], dists[b])[1] for k, (a, b) in _PAIRS.items()},
                           "min_size": min_size}
    out["mass_by_size"] = {k: {**{str(sz): round(float(v[size == sz].sum()), 6) for sz in sizes},
                               "beyond": round(float(v[~enumerated].sum()), 6)} for k, v in dists.items()}
    out["sgd_mass_not_enumerated"] = float(dists["sgd"][~enumerated].sum())
    out["bayes_mass_not_enumerated"] = float(dists["bayes"][~enumerated].sum())
    # the length prior tempered to the trained networks' functions (those the enumeration reached)
    beta = _tempered_beta(bits[enumerated], c_s[enumerated]) if enumerated.any() and R else None
    out["beta"] = beta
    out["beta_at_bound"] = beta is not None and beta >= BETA_MAX - 1e-3
    if beta is not None:
        lw = -beta * bits[enumerated] * math.log(2)
        w = np.exp(lw - lw.max())
        p_beta = np.zeros(len(U))
        p_beta[enumerated] = w / w.sum()
        dists["len_beta"] = p_beta
        out["tv_sgd_len_beta"] = round(total_variation(dists["sgd"], p_beta), 4)   # in-sample: β fitted here
    out["noise_test"] = _noise_tests(c_s, c_b, p_len, observed, bootstrap, seed)
    order = np.lexsort((np.arange(len(U)), -p_len, -dists["bayes"], -dists["sgd"]))
    digits = max(1, (1 << task.n_inputs) // 4)
    out["table"] = [{"table": f"{U[i]:0{digits}x}", "sgd": int(c_s[i]), "bayes": int(c_b[i]),
                     "p_sgd": float(dists["sgd"][i]), "p_bayes": float(dists["bayes"][i]), "p_len": float(p_len[i]),
                     "size": int(size[i]) if size[i] >= 0 else None,
                     "bits": None if np.isnan(bits[i]) else round(float(bits[i]), 3),
                     "program": length[U[i]][2] if U[i] in length else None,
                     "held_out_accuracy": round(float(acc[i]), 4)} for i in order]
    d = stats["tv_difference"]
    out["closer"] = ("bayes" if d["lo"] is not None and d["lo"] > 0 else
                     "len" if d["hi"] is not None and d["hi"] < 0 else None)
    out["verdict"] = _verdict(out)
    out["_vectors"] = {"tables": U, "p": dists, "size": size}
    return out


def _verdict(d: dict[str, Any]) -> str:
    st, nt = d["stats"], d["noise_test"]
    if not d["runs"] or not d["accepted"]:
        missing = "no trained run fitted the training set" if not d["runs"] else \
            "no sampled network fitted the training set (P_B not estimated; raise max_samples)"
        return f"nothing to compare: {missing}"
    parts = [{"bayes": "the trained networks are closer to the network's Bayesian posterior P_B than to the "
                       "length posterior P_len",
              "len": "the trained networks are closer to the length posterior P_len than to P_B",
              None: "the data do not tell whether the trained networks are closer to P_B or to P_len"}[d["closer"]]]
    parts.append(f"TV(SGD, B) = {fmt_statistic(st, 'tv_sgd_bayes', '.3f')}, TV(SGD, len) = {fmt_statistic(st, 'tv_sgd_len', '.3f')} "
                 f"(difference {fmt_statistic(st, 'tv_difference', '+.3f')}; P_len sampled {d['len_sample']:,} times to match "
                 "P_B's sampling noise)")
    for key, name in (("sgd_bayes", "P_B"), ("sgd_len", "P_len")):
        t = nt[key]
        if t["p"] is None:
            continue
        verb = ("no difference from {} detected" if t["p"] >= 0.05 else "SGD differs from {} beyond sampling noise")
        parts.append(verb.format(name) + f" (plug-in TV {t['observed']:.3f} vs 95th percentile {t['null_95']:.3f} "
                     f"under {'the permutation null' if key == 'sgd_bayes' else 'sampling from P_len'}, "
                     f"p = {t['p']:.2g})")
    if d["sgd_mass_not_enumerated"] > 0:
        parts.append(f"SGD puts {d['sgd_mass_not_enumerated']:.3f} of its mass beyond the enumerated sizes, where "
                     "P_len has at most its truncation mass")
    if st["rho_sgd_bayes"]["value"] is not None:
        parts.append(f"ρ(log P_SGD, log P_B) = {fmt_statistic(st, 'rho_sgd_bayes', '+.2f')} over "
                     f"{d['rho_functions']['sgd_bayes']} functions")
    parts.append(f"expected held-out accuracy SGD {fmt_statistic(st, 'acc_sgd', '.3f')}, B "
                 f"{fmt_statistic(st, 'acc_bayes', '.3f')}, len {st['acc_len']['value']:.3f}")
    parts.append(f"mass on the shortest consistent functions: SGD {fmt_statistic(st, 'shortest_sgd', '.3f')}, "
                 f"B {fmt_statistic(st, 'shortest_bayes', '.3f')}, len {st['shortest_len']['value']:.3f}")
    if d.get("beta") is not None:
        b = f"β ≥ {BETA_MAX:g} (the search bound)" if d["beta_at_bound"] else f"β = {d['beta']:.2f}"
        parts.append(f"the length prior tempered to {b} fits SGD best (in-sample TV {d['tv_sgd_len_beta']:.3f})")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------------
# the study


@dataclass
class PosteriorStudy:
    """Result of `run_posterior_study`: one entry of ``results`` per target (JSON-ready through `as_dict`)."""

    config: PosteriorConfig
    seed: int
    results: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)

    def headline(self) -> str:
        parts = []
        for r in self.results:
            c = r["comparison"]
            closer = {"bayes": "closer to P_B", "len": "closer to P_len", None: "undecided"}[c["closer"]]
            st = c["stats"]
            parts.append(f"{r['target']}: TV(SGD, B) {fmt_statistic(st, 'tv_sgd_bayes', '.3f')} vs TV(SGD, len) "
                         f"{fmt_statistic(st, 'tv_sgd_len', '.3f')} ({closer}); held-out accuracy SGD "
                         f"{st['acc_sgd']['value']:.3f}, B {st['acc_bayes']['value']:.3f}, len "
                         f"{st['acc_len']['value']:.3f}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        res = []
        for r in self.results:
            r = dict(r)
            r["comparison"] = {k: v for k, v in r["comparison"].items() if not k.startswith("_")}
            res.append(r)
        return {"study": "posterior", "config": self.config.as_dict(), "seed": self.seed,
                "headline": self.headline(), "results": res,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()}, "figures": self.figures,
                "versions": versions()}


def _seed(seed: int, spec: str, part: int) -> int:
    """Seed of one part (1 SGD, 2 P_B, 3 statistics) of one target: from the target's text, not its place
    in the list, so a target's results do not depend on the other targets."""
    return int(np.random.SeedSequence([int(seed), zlib.crc32(spec.encode()), part]).generate_state(1, np.uint32)[0])


def _raw_key(config: PosteriorConfig, seed: int, spec: str) -> str:
    """What the samples of one target depend on: the configuration except the target list and the
    statistics' resamples, the seed and the target."""
    d = config.as_dict()
    for k in ("targets", "bootstrap"):
        d.pop(k)
    return hashlib.sha256(json.dumps([d, int(seed), spec], sort_keys=True).encode()).hexdigest()[:16]


def _counts_json(c: Counter, digits: int) -> list[list]:
    return [[f"{t:0{digits}x}", int(n)] for t, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]


def _save_raw(path: Path, key: str, spec: str, sgd: dict, bayes: dict, length: dict, digits: int) -> None:
    """The samples of one target (so an interrupted study resumes and the counts can be re-analysed)."""
    atomic_write_json(path, {
        "key": key, "target": spec,
        "sgd": {k: v for k, v in sgd.items() if k != "counts"} | {"counts": _counts_json(sgd["counts"], digits)},
        "bayes": {k: v for k, v in bayes.items() if k != "counts"} | {"counts": _counts_json(bayes["counts"], digits)},
        "len": {k: v for k, v in length.items() if k != "functions"} | {
            "functions": [[f"{t:0{digits}x}", *v] for t, v in sorted(length["functions"].items())]}})


def _load_raw(path: Path, key: str) -> tuple[dict, dict, dict] | None:
    """The samples saved by `_save_raw` when they were made with the same ``key``; else None."""
    try:
        d = json.loads(path.read_text())
        if d.get("key") != key:
            return None
        sgd, bayes, length = d["sgd"], d["bayes"], d["len"]
        sgd["counts"] = Counter({int(t, 16): int(n) for t, n in sgd["counts"]})
        bayes["counts"] = Counter({int(t, 16): int(n) for t, n in bayes["counts"]})
        length["functions"] = {int(t, 16): (int(sz), float(b), str(p)) for t, sz, b, p in length["functions"]}
        return sgd, bayes, length
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_posterior_study(config: PosteriorConfig, seed: int = 0, out_dir: str | os.PathLike | None = None, *,
                        threads: int | None = None, progress: Callable[[str], None] | None = None
                        ) -> PosteriorStudy:
    """Run P_SGD, P_B and P_len for every target and compare them; with ``out_dir`` write report.md,
    posterior.json, figures/ and targets/<target>.json (each target's samples) there, every file atomically.

    A target whose samples are already in ``out_dir/targets/`` from the same configuration and seed is not
    sampled again, so an interrupted study resumes where it stopped (and ``bootstrap`` can be changed
    without redoing the samples).
    """
    if not isinstance(config, PosteriorConfig):
        raise CompareError(f"run_posterior_study needs a PosteriorConfig, got {type(config).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CompareError(f"seed must be an int >= 0, got {seed!r}")
    if out_dir is not None:
        check_out(out_dir, "out_dir")                    # before the sampling, not after it
    say = progress or (lambda s: None)
    net = config.net
    out = None if out_dir is None else Path(out_dir)
    digits = max(1, (1 << config.n_inputs) // 4)
    results, secs = [], {}
    for spec in config.targets:
        task = target_task(spec, config.n_inputs, config.train_count, config.split_seed)
        say(f"{spec}: target {task.table:#x}, {len(task.train_idx)} training points, {len(task.test_idx)} held out")
        key = _raw_key(config, seed, spec)
        raw_path = None if out is None else out / "targets" / f"{config.slugs[spec]}.json"
        saved = None if raw_path is None else _load_raw(raw_path, key)
        if saved is not None:
            sgd, bayes, length = saved
            say(f"  samples read from {raw_path} (same configuration and seed)")
        else:
            sgd = sgd_functions(task, net, runs=config.runs, seed=_seed(seed, spec, 1), optimizer=config.optimizer,
                                lr=config.lr, batch_size=config.batch_size, max_steps=config.max_steps)
            say(f"  P_SGD: {sgd['fitted']:,} of {config.runs:,} runs fitted S, {len(sgd['counts']):,} distinct "
                f"functions ({sgd['seconds']:.1f} s)")
            bayes = bayes_functions(task, net, accepted=config.accepted, max_samples=config.max_samples,
                                    seed=_seed(seed, spec, 2), batch=config.batch, threads=threads, progress=say)
            say(f"  P_B: {bayes['accepted']:,} accepted of {bayes['samples']:,} sampled "
                f"(acceptance {bayes['acceptance']:.2g}), {len(bayes['counts']):,} distinct functions "
                f"({bayes['seconds']:.1f} s)" + (f"; max_samples ran out before {config.accepted:,} were accepted"
                                                 if bayes["shortfall"] else ""))
            length = length_posterior(task, basis=config.basis, slack=config.len_slack,
                                      budget=config.len_budget, budget_s=config.len_budget_s)
            say(f"  P_len: {len(length['functions']):,} consistent functions up to size {length['searched_size']} "
                f"in {config.basis} (minimum {length['min_size']}; truncation mass "
                f"{length['truncation_mass']:.2g}; {length['seconds']:.1f} s)")
            if raw_path is not None:
                _save_raw(raw_path, key, spec, sgd, bayes, length, digits)
        t = time.perf_counter()
        comp = compare_distributions(task, sgd["counts"], bayes["counts"], length["functions"],
                                     bootstrap=config.bootstrap, seed=_seed(seed, spec, 3), progress=progress)
        say(f"  {comp['verdict']}")
        secs[f"{spec}: sgd"] = sgd["seconds"]
        secs[f"{spec}: bayes"] = bayes["seconds"]
        secs[f"{spec}: len"] = length["seconds"]
        secs[f"{spec}: statistics"] = time.perf_counter() - t
        results.append({
            "target": spec, "task": task.to_dict(), "table": f"{task.table:#x}",
            "train_idx": [int(i) for i in task.train_idx],
            "sgd": {k: v for k, v in sgd.items() if k != "counts"} | {"distinct": len(sgd["counts"])},
            "bayes": {k: v for k, v in bayes.items() if k != "counts"} | {"distinct": len(bayes["counts"])},
            "len": {k: v for k, v in length.items() if k != "functions"} | {"basis": config.basis,
                                                                            "distinct": len(length["functions"])},
            "comparison": comp,
        })
    study = PosteriorStudy(config, int(seed), results, secs)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        study.figures = figures(study, out / "figures")
        atomic_write_json(out / "posterior.json", study.as_dict())
        atomic_write_text(out / "report.md", render(study))
    return study
