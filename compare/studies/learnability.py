"""Learnability study: is a target's minimal program size what predicts how well a network generalises?

Across many Boolean targets of ``n`` inputs (issue 5, part 3):

- targets of known minimal formula size in a basis, ``targets_per_size`` of each size 0 .. ``max_size``
  (drawn from the levels of `synth.enumerate`'s length-ordered enumeration on all 2^n points, so each
  size is exact), plus ``random_targets`` uniformly random truth tables (a negative control: nothing to
  learn, held-out accuracy should sit at 0.5);
- for each network *regime* (activation, σ_w) — by default ReLU σ_w=1, tanh σ_w=1 and tanh σ_w=8, the
  chaotic regime, a negative control whose prior is close to uniform (Mingard et al. 2025) — and each
  training fraction, ``seeds`` networks per target are trained full-batch with Adam on a random subset of
  the 2^n points and scored on the rest;
- statistics per regime: Spearman of minimal size with held-out accuracy at ``fixed_fraction`` and with
  the smallest training fraction reaching ``threshold`` mean held-out accuracy, each with a seeded
  permutation test; the same for the controls entropy and average sensitivity, and the size correlation
  with sensitivity partialled out (rank residuals).

All networks of one (regime, fraction) are trained at once: their weights are stacked and every layer is
one ``baddbmm`` (Adam is elementwise, so the networks stay independent).

>>> cfg = LearnabilityConfig(n_inputs=3, widths=(8,), max_size=1, targets_per_size=2, random_targets=1,
...                          seeds=2, train_fractions=(0.5,), fixed_fraction=0.5, epochs=20, permutations=50)
>>> st = run_learnability_study(cfg, seed=0)
>>> sorted(st.results)                     # one result per regime
['relu σw=1', 'tanh σw=1', 'tanh σw=8']
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

import synth
from synth import complexity as cx
from synth.budget import Budget, BudgetExceeded
from synth.enumerate import Enumerator
from synth.semantics import input_words

from ..analysis.stats import (bootstrap_ci, bootstrap_many, fmt_ci, partial_spearman, permutation_spearman, spearman,
                              spearman_ci)
from ..errors import CompareError
from ..networks.batched import NetPrior, all_inputs, train_batch
from ..networks.nets import ACTIVATIONS
from ..output.figures import PALETTE, pyplot, save_png
from ..output.runfolder import atomic_write_json, atomic_write_text, check_out, versions
from .prior import isin_rows

PROTOCOLS = ("epochs", "first_fit")

__all__ = ["LearnabilityConfig", "LearnabilityStudy", "select_targets", "run_learnability_study"]


# work units (synth.budget) for enumerating targets by minimal size: about 60 CPU seconds on the reference
# machine (2 shared cores; about 15 million units per CPU second)
ENUMERATION_BUDGET = 900_000_000


@dataclass(frozen=True)
class LearnabilityConfig:
    """Parameters of one learnability study (travels into the JSON and report).

    regimes : (activation, σ_w) pairs; default ReLU σ_w=1, tanh σ_w=1 and tanh σ_w=8 (chaotic control).
    train_fractions : fractions of the 2^n points used for training (the grid for the 'needed' size).
    fixed_fraction : the training fraction at which held-out accuracy is compared across targets.
    threshold : held-out accuracy that counts as learned (mean over seeds).
    epochs, lr, protocol : full-batch Adam; ``protocol="epochs"`` scores every network after ``epochs`` steps,
        ``"first_fit"`` at its first step with every training point right (Mingard et al.'s protocol).
    permutations, bootstrap : resamples for the permutation p-values and the bootstrap intervals over targets.
    """

    n_inputs: int = 5
    widths: tuple[int, ...] = (64,)
    regimes: tuple[tuple[str, float], ...] = (("relu", 1.0), ("tanh", 1.0), ("tanh", 8.0))
    sigma_b: float = 0.0
    basis: str = "xag"
    max_size: int = 5
    targets_per_size: int = 6
    random_targets: int = 6
    train_fractions: tuple[float, ...] = (0.25, 0.5, 0.75)
    fixed_fraction: float = 0.5
    threshold: float = 0.95
    seeds: int = 8
    epochs: int = 500
    protocol: str = "epochs"
    lr: float = 0.01
    permutations: int = 5000
    bootstrap: int = 1000
    enumeration_budget: int = ENUMERATION_BUDGET
    enumeration_budget_s: float | None = None

    def __post_init__(self) -> None:
        def bad(key, why):
            return CompareError(f"LearnabilityConfig.{key}: {why}, got {getattr(self, key)!r}")
        for key, lo in (("n_inputs", 2), ("max_size", 0), ("targets_per_size", 1), ("random_targets", 0),
                        ("seeds", 1), ("epochs", 1), ("permutations", 10),
                        ("bootstrap", 0)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise bad(key, f"must be an int >= {lo}")
        if self.n_inputs > 10:
            raise bad("n_inputs", "must be <= 10 (every point of the domain is scored)")
        try:
            object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
            regimes = tuple((str(a), float(s)) for a, s in self.regimes)
            fr = tuple(float(f) for f in self.train_fractions)
        except (TypeError, ValueError):
            raise CompareError("LearnabilityConfig: widths, regimes and train_fractions must be sequences "
                               "(regimes of (activation, sigma_w) pairs)") from None
        if not self.widths or any(w < 1 for w in self.widths):
            raise bad("widths", "must be positive ints (at least one hidden layer)")
        if not regimes or any(a not in ACTIVATIONS or not s > 0 for a, s in regimes):
            raise bad("regimes", f"must be (activation in {ACTIVATIONS}, sigma_w > 0) pairs")
        object.__setattr__(self, "regimes", regimes)
        if not fr or any(not 0 < f < 1 for f in fr):
            raise bad("train_fractions", "must be fractions strictly between 0 and 1")
        object.__setattr__(self, "train_fractions", tuple(sorted(set(fr))))
        if self.fixed_fraction not in self.train_fractions:
            raise bad("fixed_fraction", f"must be one of train_fractions {self.train_fractions}")
        for key in ("threshold", "lr", "sigma_b", "enumeration_budget_s"):
            v = getattr(self, key)
            if v is None and key == "enumeration_budget_s":
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise bad(key, "must be a finite number >= 0")
        v = self.enumeration_budget
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer() or v < 1:
            raise bad("enumeration_budget", "must be a whole number of work units >= 1")
        object.__setattr__(self, "enumeration_budget", int(v))
        if self.protocol not in PROTOCOLS:
            raise bad("protocol", f"must be one of {PROTOCOLS}")
        if not 0.5 < self.threshold <= 1:
            raise bad("threshold", "must be in (0.5, 1]")
        try:
            if synth.get_basis(self.basis).domain != "bool":
                raise bad("basis", "must be a Boolean basis")
        except synth.SynthError as e:
            raise CompareError(f"LearnabilityConfig.basis: {e}") from None

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["widths"] = list(self.widths)
        d["regimes"] = [list(r) for r in self.regimes]
        d["train_fractions"] = list(self.train_fractions)
        return d


def _regime_name(act: str, sw: float) -> str:
    return f"{act} σw={sw:g}"


# ---------------------------------------------------------------------------------------------------
# targets


@dataclass
class Target:
    table: int
    size: int              # minimal formula size (exact), or the first size not enumerated for random targets
    exact: bool
    kind: str              # "structured" | "random"
    entropy: float
    sensitivity: float


def select_targets(cfg: LearnabilityConfig, seed: int) -> list[Target]:
    """``targets_per_size`` functions of each minimal size 0..max_size (constants excluded) and
    ``random_targets`` uniform random tables, all seeded."""

    n, m = cfg.n_inputs, 1 << cfg.n_inputs
    full = (1 << m) - 1
    b = synth.get_basis(cfg.basis)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x7A1]))
    en = Enumerator(input_words(n), m, b, budget=Budget(work=cfg.enumeration_budget,
                                                        seconds=cfg.enumeration_budget_s))
    chosen: list[tuple[int, int]] = []
    try:
        for s in range(cfg.max_size + 1):
            lv = en.build_level(s)
            tabs = [int.from_bytes(r.astype("<u8").tobytes(), "little") for r in lv.sigs]
            tabs = [t for t in tabs if t not in (0, full)]
            if not tabs:
                continue
            pick = rng.choice(len(tabs), size=min(cfg.targets_per_size, len(tabs)), replace=False)
            for i in sorted(pick):
                t = tabs[i]
                if b.free_not and rng.random() < 0.5:     # either polarity is equally simple
                    t ^= full
                chosen.append((t, s))
    except BudgetExceeded as e:
        raise CompareError(f"LearnabilityConfig.max_size = {cfg.max_size}: enumeration in {cfg.basis!r} "
                           f"stopped ({e}); lower max_size or raise enumeration_budget") from None
    out = [Target(t, s, True, "structured", cx.entropy(t, n), cx.average_sensitivity(t, n)) for t, s in chosen]
    if cfg.random_targets:
        words = rng.integers(0, 2, size=(cfg.random_targets, m))
        rtabs = [int(sum(int(v) << i for i, v in enumerate(w))) for w in words]
        # sizes of random targets: found in an enumerated level (exact), else > max_size (a lower bound)
        words = max(1, (m + 63) // 64)
        keys = np.array([[((t ^ full if b.free_not and t & 1 else t) >> (64 * j)) & 0xFFFFFFFFFFFFFFFF
                          for j in range(words)] for t in rtabs], dtype=np.uint64).reshape(len(rtabs), words)
        sizes = np.full(len(rtabs), cfg.max_size + 1)
        exact = np.zeros(len(rtabs), bool)
        for s, lv in enumerate(en.levels):
            if len(lv):
                hit = isin_rows(keys, lv.sigs) & ~exact
                sizes[hit], exact[hit] = s, True
        out += [Target(t, int(s), bool(e), "random", cx.entropy(t, n), cx.average_sensitivity(t, n))
                for t, s, e in zip(rtabs, sizes, exact)]
    return out


# ---------------------------------------------------------------------------------------------------
# the study


@dataclass
class LearnabilityStudy:
    """Result of `run_learnability_study`; ``results[regime]`` holds per-target accuracies and statistics."""

    config: LearnabilityConfig
    seed: int
    targets: list[Target]
    results: dict[str, dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)

    def headline(self) -> str:
        parts = []
        for name, r in self.results.items():
            s = r["stats"]["size_vs_accuracy"]
            if s["rho"] is None:
                continue
            txt = (f"{name}: ρ(size, held-out acc @ {self.config.fixed_fraction:g}) = {fmt_ci(s, 'rho')} "
                   f"(perm. p = {s['p_perm']:.2g})")
            if r["random_mean_accuracy"] is not None:
                txt += f"; random targets {r['random_mean_accuracy']:.2f}"
            parts.append(txt)
        return "; ".join(parts)

    def verdict(self) -> list[str]:
        """What the data support and what they do not, one sentence per point, with effect sizes."""
        out = []
        cfg = self.config
        for name, r in self.results.items():
            st = r["stats"]
            s = st["size_vs_accuracy"]
            if s["rho"] is None:
                out.append(f"{name}: no correlation measurable (constant accuracy or sizes).")
                continue
            strong = s["p_perm"] < 0.05 and s["hi"] is not None and s["hi"] < 0
            ps = st["size_vs_accuracy_partial_sensitivity"]
            sens = st["sensitivity_vs_accuracy"]
            line = (f"{name}: " + ("simpler targets generalise better" if strong else
                                   "the data do not show that simpler targets generalise better")
                    + f" — ρ(minimal size, held-out accuracy) = {fmt_ci(s, 'rho')}, permutation p = "
                    f"{s['p_perm']:.2g}, over {s['points']} targets; average sensitivity alone gives ρ = "
                    f"{fmt_ci(sens, 'rho')}")
            if ps is not None:
                line += (f", and size with sensitivity partialled out {fmt_ci(ps, 'rho')}"
                         + (" (size adds to sensitivity)" if ps.get("hi") is not None and ps["hi"] < 0 else
                            " (no evidence that size adds to sensitivity)"))
            if r["random_mean_accuracy"] is not None and r.get("random_se_accuracy") is not None:
                line += (f"; random targets reach {r['random_mean_accuracy']:.3f} ± {r['random_se_accuracy']:.3f} "
                         "(chance 0.5)")
            out.append(line + ".")
        chaotic = [n for n, r in self.results.items() if r["activation"] == "tanh" and r["sigma_w"] >= 4]
        ref = next(iter(self.results))
        for name in chaotic:
            v = self.results[name].get("versus")
            if not v or name == ref or ref in chaotic:
                continue
            for key, what in (("rho_difference", "ρ(size, accuracy)"),
                              ("partial_difference", "ρ(size, accuracy | sensitivity)")):
                d = v[key]
                if d["value"] is None:
                    continue
                weaker = d["lo"] is not None and d["lo"] > 0
                out.append(f"Negative control, {what}: the chaotic regime ({name}) minus {ref} = "
                           f"{fmt_ci(d, 'value')} (paired bootstrap over targets): "
                           + ("the size effect is weaker in the chaotic regime, as a bias that comes from the "
                              "parameter–function map predicts" if weaker else
                              "these data do not show it weaker there") + ".")
        out.append(f"Not tested here: other input sizes than n = {cfg.n_inputs}, other architectures than "
                   f"widths {list(cfg.widths)}, and targets larger than size {cfg.max_size} in {cfg.basis}.")
        return out

    def as_dict(self) -> dict[str, Any]:
        n = self.config.n_inputs
        digits = max(1, (1 << n) // 4)
        return {"study": "learnability", "config": self.config.as_dict(), "seed": self.seed,
                "headline": self.headline(), "verdict": self.verdict(),
                "targets": [{"table": f"{t.table:0{digits}x}", "size": t.size, "exact": t.exact, "kind": t.kind,
                             "entropy": round(t.entropy, 4), "sensitivity": t.sensitivity} for t in self.targets],
                "results": self.results, "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
                "figures": self.figures, "versions": versions()}


def _corr(x, y, cfg: LearnabilityConfig, seed: int, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Spearman ρ over targets: permutation p-value and a percentile bootstrap interval (targets resampled;
    ``progress`` told its resamples)."""
    out = permutation_spearman(x, y, permutations=cfg.permutations, seed=seed)
    ci = spearman_ci(x, y, reps=cfg.bootstrap, seed=seed, progress=progress)
    out.update(lo=ci["lo"], hi=ci["hi"])
    return out


def _partial(x, y, z, cfg: LearnabilityConfig, seed: int,
             progress: Callable[[str], None] | None = None) -> dict[str, Any] | None:
    """Partial Spearman of x and y given z, with a percentile bootstrap interval over targets."""
    x, y, z = (np.asarray(v, float) for v in (x, y, z))
    rho = partial_spearman(x, y, z)
    if rho is None:
        return None

    def stat(rng: np.random.Generator) -> float | None:
        i = rng.integers(0, len(x), len(x))
        return partial_spearman(x[i], y[i], z[i])

    ci = bootstrap_ci(stat, reps=cfg.bootstrap, seed=seed, progress=progress)
    return {"rho": rho, "lo": ci["lo"], "hi": ci["hi"]}


def _regime_differences(results: dict[str, dict], accuracy: dict[str, np.ndarray], size: np.ndarray,
                        sen: np.ndarray, cfg: LearnabilityConfig, seed: int,
                        progress: Callable[[str], None] | None = None) -> None:
    """For each regime after the first: how much ρ(size, accuracy) and ρ(size, accuracy | sensitivity)
    differ from the first regime's, with a paired bootstrap over targets (the regimes share the targets)
    — the test the negative control needs, sharper than comparing two intervals."""
    names = list(accuracy)
    ref = names[0]

    def both(i: np.ndarray | slice, name: str) -> dict[str, float]:
        r = spearman(size[i], accuracy[name][i])[0] - spearman(size[i], accuracy[ref][i])[0]
        pa, pb = partial_spearman(size[i], accuracy[name][i], sen[i]), partial_spearman(size[i], accuracy[ref][i], sen[i])
        return {"rho_difference": r, "partial_difference": float("nan") if pa is None or pb is None else pa - pb}

    for k, name in enumerate(names[1:], 1):
        observed = both(slice(None), name)
        results[name]["versus"] = {"regime": ref, **bootstrap_many(
            lambda rng: both(rng.integers(0, len(size), len(size)), name), observed, reps=cfg.bootstrap,
            seed=seed + 100 + k, bounds={"rho_difference": (-2.0, 2.0), "partial_difference": (-2.0, 2.0)},
            progress=progress)}


def run_learnability_study(config: LearnabilityConfig, seed: int = 0, out_dir: str | os.PathLike | None = None,
                           *, progress=None) -> LearnabilityStudy:
    """Select targets, train every (regime, fraction) batch, compute the statistics; with ``out_dir``
    write report.md, learnability.json and figures/ (atomically)."""
    if not isinstance(config, LearnabilityConfig):
        raise CompareError(f"run_learnability_study needs a LearnabilityConfig, got {type(config).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise CompareError(f"seed must be an int >= 0, got {seed!r}")
    if out_dir is not None:
        check_out(out_dir, "out_dir")                    # before the training, not after it
    say = progress or (lambda s: None)
    secs = {}
    t0 = time.perf_counter()
    targets = select_targets(config, seed)
    secs["targets"] = time.perf_counter() - t0
    n, m = config.n_inputs, 1 << config.n_inputs
    X = all_inputs(n, "01")
    T, S = len(targets), config.seeds
    Y1 = torch.tensor([[(t.table >> i) & 1 for i in range(m)] for t in targets], dtype=torch.float32)
    Y = Y1.repeat_interleave(S, 0)                                  # (T*S, m)
    results: dict[str, dict[str, Any]] = {}
    accuracy: dict[str, np.ndarray] = {}
    for ri, (act, sw) in enumerate(config.regimes):
        name = _regime_name(act, sw)
        t1 = time.perf_counter()
        acc = np.zeros((len(config.train_fractions), T, S))
        fit = np.zeros_like(acc)
        for fi, frac in enumerate(config.train_fractions):
            k = max(1, min(m - 1, round(frac * m)))
            init_seed = int(np.random.SeedSequence([seed, ri, fi]).generate_state(1)[0])
            # the same training subsets for every regime: seeded by (seed, fraction) only
            gs = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 999, fi]).generate_state(1)[0]))
            order = torch.argsort(torch.rand(T * S, m, generator=gs), dim=1)
            mask = torch.zeros(T * S, m, dtype=torch.bool)
            mask.scatter_(1, order[:, :k], True)
            prior = NetPrior(n, config.widths, act, sw, config.sigma_b)
            tr = train_batch(prior, X, Y, mask, seed=init_seed, optimizer="adam", lr=config.lr,
                             max_steps=config.epochs,
                             stop="max_steps" if config.protocol == "epochs" else "all_fit")
            # "epochs": every network trains exactly `epochs` steps; "first_fit": the function at the first
            # step that fits the training points (else after the last step). Either way a network's result
            # does not depend on how long the other networks of its batch trained.
            labels = (tr.logits > 0 if config.protocol == "epochs" else
                      torch.where(tr.fitted[:, None], tr.fit_labels.bool(), tr.logits > 0))
            held = ~mask
            a = ((labels == Y.bool()) & held).sum(1) / held.sum(1)
            acc[fi] = a.numpy().reshape(T, S)
            fit[fi] = (tr.train_accuracy >= 1.0).float().numpy().reshape(T, S)
        secs[name] = time.perf_counter() - t1
        mean = acc.mean(2)                                          # (F, T)
        fi0 = config.train_fractions.index(config.fixed_fraction)
        needed = []
        for j in range(T):
            ok = [f for fi, f in enumerate(config.train_fractions) if mean[fi, j] >= config.threshold]
            needed.append(min(ok) if ok else None)
        struct = [j for j, t in enumerate(targets) if t.kind == "structured"]
        rand = [j for j, t in enumerate(targets) if t.kind == "random"]
        size = np.array([targets[j].size for j in struct], float)
        accf = mean[fi0, struct]
        cens = max(config.train_fractions) + 0.25                  # 'not reached' ranks above every grid value
        need = np.array([needed[j] if needed[j] is not None else cens for j in struct])
        ent = np.array([targets[j].entropy for j in struct])
        sen = np.array([targets[j].sensitivity for j in struct])
        stats = {
            "size_vs_accuracy": _corr(size, accf, config, seed, progress),
            "size_vs_needed_fraction": _corr(size, need, config, seed + 1, progress),
            "entropy_vs_accuracy": _corr(ent, accf, config, seed + 2, progress),
            "sensitivity_vs_accuracy": _corr(sen, accf, config, seed + 3, progress),
            "size_vs_accuracy_partial_sensitivity": _partial(size, accf, sen, config, seed + 4, progress),
            "size_vs_accuracy_partial_entropy": _partial(size, accf, ent, config, seed + 5, progress),
        }
        results[name] = {
            "activation": act, "sigma_w": sw,
            "mean_accuracy": [[round(float(v), 4) for v in row] for row in mean],   # [fraction][target]
            "sd_accuracy": [[round(float(v), 4) for v in row] for row in acc.std(2)],
            "train_fit_fraction": round(float((fit >= 1.0).mean()), 4),
            "needed_fraction": needed,
            "random_mean_accuracy": round(float(mean[fi0, rand].mean()), 4) if rand else None,
            # spread across random targets (seeds of one target share its labels, so targets are the unit)
            "random_se_accuracy": round(float(mean[fi0, rand].std(ddof=1) / math.sqrt(len(rand))), 4)
            if len(rand) > 1 else None,
            "structured_mean_accuracy": round(float(accf.mean()), 4),
            "stats": stats,
        }
        say(f"{name}: {stats['size_vs_accuracy']}, random targets {results[name]['random_mean_accuracy']}, "
            f"{secs[name]:.1f} s")
        accuracy[name] = accf
    _regime_differences(results, accuracy, size, sen, config, seed, progress)
    study = LearnabilityStudy(config, int(seed), targets, results, secs)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        study.figures = _figures(study, out / "figures")
        atomic_write_json(out / "learnability.json", study.as_dict())
        atomic_write_text(out / "report.md", _report(study))
    return study


def _figures(study: LearnabilityStudy, fig_dir: Path) -> list[str]:
    plt = pyplot()

    cfg = study.config
    fi0 = cfg.train_fractions.index(cfg.fixed_fraction)
    struct = [j for j, t in enumerate(study.targets) if t.kind == "structured"]
    rand = [j for j, t in enumerate(study.targets) if t.kind == "random"]
    xr = cfg.max_size + 1.5
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    rng = np.random.default_rng(0)
    for ri, (name, r) in enumerate(study.results.items()):
        c = PALETTE[ri % 8]
        mean = np.array(r["mean_accuracy"])[fi0]
        xs = np.array([study.targets[j].size for j in struct], float)
        off = (ri - (len(study.results) - 1) / 2) * 0.18
        axes[0].plot(xs + off + rng.uniform(-0.04, 0.04, len(xs)), mean[struct], "o", ms=3.5, color=c, alpha=0.7,
                     label=f"{name}: ρ = {r['stats']['size_vs_accuracy']['rho']:+.2f}"
                     if r["stats"]["size_vs_accuracy"]["rho"] is not None else name)
        u = np.unique(xs)
        axes[0].plot(u + off, [mean[struct][xs == s].mean() for s in u], "-", color=c, lw=1.2)
        if rand:
            axes[0].plot(np.full(len(rand), xr) + off, mean[rand], "x", ms=5, color=c,
                         label="random targets (negative control)" if ri == 0 else None)
        need = [r["needed_fraction"][j] for j in struct]
        nv = np.array([v if v is not None else max(cfg.train_fractions) + 0.15 for v in need])
        axes[1].plot(xs + off + rng.uniform(-0.04, 0.04, len(xs)), nv, "o", ms=3.5, color=c, alpha=0.7, label=name)
    axes[0].axhline(0.5, color="0.5", lw=0.8, ls=":", label="chance")
    axes[0].axhline(cfg.threshold, color="0.5", lw=0.8, ls="--")
    ticks = list(range(cfg.max_size + 1)) + ([xr] if rand else [])
    axes[0].set_xticks(ticks, [str(t) for t in range(cfg.max_size + 1)] + (["random"] if rand else []))
    axes[0].set_xlabel(f"minimal formula size of the target in {cfg.basis} (gates)")
    axes[0].set_ylabel(f"held-out accuracy (train fraction {cfg.fixed_fraction:g}; mean of {cfg.seeds} seeds)")
    axes[0].set_ylim(0.3, 1.02)
    axes[0].legend(fontsize=7, loc="lower left")
    axes[1].axhline(max(cfg.train_fractions) + 0.15, color="0.5", lw=0.8, ls=":")
    axes[1].set_yticks(list(cfg.train_fractions) + [max(cfg.train_fractions) + 0.15],
                       [f"{f:g}" for f in cfg.train_fractions] + ["not reached"])
    axes[1].set_xlabel(f"minimal formula size of the target in {cfg.basis} (gates)")
    axes[1].set_ylabel(f"smallest train fraction with mean held-out acc ≥ {cfg.threshold:g}")
    axes[1].legend(fontsize=7, loc="lower right")
    first = next(iter(study.results.values()))["stats"]["size_vs_accuracy"]["rho"]
    verdict = ("Simpler targets generalise better" if first is not None and first < -0.3
               else "Minimal size does not clearly predict generalisation")
    fig.suptitle(f"{verdict} (n = {cfg.n_inputs}, widths {list(cfg.widths)}; {len(struct)} structured + "
                 f"{len(rand)} random targets × {cfg.seeds} seeds; seed {study.seed})", fontsize=9)
    fig.tight_layout()
    save_png(fig, fig_dir / "learnability.png")
    return ["figures/learnability.png"]


def _report(study: LearnabilityStudy) -> str:
    cfg = study.config
    L = ["# Learnability study: does a target's minimal program size predict how well networks learn it?", "",
         "## Findings", ""] + [f"- {v}" for v in study.verdict()] + ["",
         "## Configuration", "", "| key | value |", "|---|---|"]
    L += [f"| {k} | `{v}` |" for k, v in cfg.as_dict().items()]
    L += ["", "## Statistics per regime (structured targets; p from a permutation test; 95 % bootstrap "
          "intervals over targets in brackets)", "",
          "| regime | ρ(size, acc) | p | ρ(size, needed fraction) | p | ρ(entropy, acc) | ρ(sensitivity, acc) | "
          "ρ(size, acc \\| sensitivity) | mean acc structured | mean acc random (± s.e. over targets) | nets fitting train set |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    f = (lambda v, s: "n/a" if v is None else format(v, s))
    for name, r in study.results.items():
        st = r["stats"]
        L.append(f"| {name} | {fmt_ci(st['size_vs_accuracy'], 'rho')} | {f(st['size_vs_accuracy']['p_perm'], '.3g')} | "
                 f"{fmt_ci(st['size_vs_needed_fraction'], 'rho')} | "
                 f"{f(st['size_vs_needed_fraction']['p_perm'], '.3g')} | "
                 f"{fmt_ci(st['entropy_vs_accuracy'], 'rho')} | {fmt_ci(st['sensitivity_vs_accuracy'], 'rho')} | "
                 f"{fmt_ci(st['size_vs_accuracy_partial_sensitivity'], 'rho')} | {r['structured_mean_accuracy']:.3f} | "
                 f"{f(r['random_mean_accuracy'], '.3f')} ± {f(r.get('random_se_accuracy'), '.3f')} | "
                 f"{r['train_fit_fraction']:.2f} |")
    L += ["", "Negative controls: random-function targets and tanh with σ_w = 8 (the chaotic regime, whose "
          "prior is close to uniform over functions). Over random targets the expected held-out accuracy "
          "of any learner is 0.5; a single random target can sit above it when its ones and zeros are "
          "unbalanced (predicting the training majority then helps), so the control is read with its "
          "standard error over targets.", "",
          "## Figures", ""] + [f"![{x}]({x})" for x in study.figures]
    L += ["", "## Time", "", ", ".join(f"{k} {v:.1f} s" for k, v in study.seconds.items()), ""]
    return "\n".join(L)
