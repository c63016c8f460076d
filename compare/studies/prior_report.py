"""Figures and report.md of a prior study (`compare.studies.prior`): the rank plot, log P against minimal size
per basis and against the compression proxies, the correlations within entropy strata, and the tables."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.stats import fmt_ci
from ..output.figures import PALETTE, pyplot, save_png
from ..output.runfolder import atomic_write_json, atomic_write_text
from .prior_findings import RESOLVED
from .prior_findings import findings as _findings, resolved_key as _resolved_key

if TYPE_CHECKING:      # annotations only: compare.studies.prior imports this module (run_prior_study writes the report)
    from .prior import PriorStudy

__all__ = ["write_outputs"]


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
               "Within entropy strata the correlation is weak or absent" if ms else
               "No within-stratum correlation measurable")
    ax.set_title(f"{finding}\n{cfg.label}", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    ax.text(0.02, 0.03, tag + f"; strata with ≥ {next(iter(study.strata.values()))['min_points']} functions"
            if study.strata else tag, transform=ax.transAxes, fontsize=7, color="0.3")
    save_png(fig, fig_dir / "strata.png")
    files.append("figures/strata.png")
    return files


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
                 f"{fmt_ci(c, _resolved_key(c), '+.3f')} ({c.get('functions_resolved')}) | "
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
                 f"a seeded uniform sample of them (the correlations over every function seen use it) and the "
                 f"most frequent ones (every function seen at least {RESOLVED} times, up to half of "
                 "`max_measured`).")
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


def write_outputs(study: PriorStudy, out: Path) -> None:
    """figures/, functions.json, prior.json and report.md of a prior study in ``out`` (each atomically)."""
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
