"""Figures and report.md of a posterior study (`compare.studies.posterior`): per target the log–log plots of
P_SGD against P_B and against P_len and the mass at each minimal size; across targets the distances
against their noise nulls and the difference that decides which posterior the networks are closer to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.stats import fmt_statistic as _ci
from ..output.figures import PALETTE, pyplot, save_png

if TYPE_CHECKING:      # annotations only: compare.studies.posterior imports this module (run_posterior_study writes it)
    from .posterior import PosteriorStudy

__all__ = ["figures", "render"]


def figures(study: PosteriorStudy, fig_dir: Path) -> list[str]:
    """The per-target figures and the summary across targets (PNG files in ``fig_dir``); their paths."""
    plt = pyplot()
    cfg = study.config
    files = []
    for r in study.results:
        c = r["comparison"]
        v = c["_vectors"]
        p = v["p"]
        R, A = c["runs"], c["accepted"]
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
        floor_s, floor_b = 0.5 / max(R, 1), 0.5 / max(A, 1)
        # (a) SGD vs B
        ax = axes[0]
        s, b = p["sgd"], p["bayes"]
        both = (s > 0) & (b > 0)
        ax.loglog(b[both], s[both], "o", ms=4, alpha=0.6, color=PALETTE[0], label="seen by both")
        only_s = (s > 0) & (b == 0)
        only_b = (b > 0) & (s == 0)
        ax.loglog(np.full(only_s.sum(), floor_b), s[only_s], ">", ms=4, alpha=0.6, color=PALETTE[3],
                  label=f"SGD only ({int(only_s.sum())}; at P_B = 1/(2·{A:,}))")
        ax.loglog(b[only_b], np.full(only_b.sum(), floor_s), "^", ms=4, alpha=0.6, color=PALETTE[4],
                  label=f"B only ({int(only_b.sum())}; at P_SGD = 1/(2·{R:,}))")
        lo = min(floor_s, floor_b) / 1.5
        ax.plot([lo, 1], [lo, 1], "--", color="0.4", lw=0.8, label="P_SGD = P_B")
        st = c["stats"]
        ax.set_title(f"SGD vs the network's Bayesian posterior\nρ = {_ci(st, 'rho_sgd_bayes', '+.2f')} "
                     f"({c['rho_functions']['sgd_bayes']} functions), TV = {_ci(st, 'tv_sgd_bayes', '.3f')}",
                     fontsize=9)
        ax.set_xlabel(f"P_B(f|S): rejection sampling, {A:,} accepted")
        ax.set_ylabel(f"P_SGD(f|S): {R:,} trained networks")
        ax.legend(fontsize=7, loc="lower right")
        # (b) SGD vs len
        ax = axes[1]
        L = p["len"]
        both = (s > 0) & (L > 0)
        ax.loglog(L[both], s[both], "o", ms=4, alpha=0.6, color=PALETTE[2], label="enumerated by synth")
        only = (s > 0) & (L == 0)
        floor_l = max(1e-12, L[L > 0].min() / 10) if (L > 0).any() else 1e-12
        ax.loglog(np.full(only.sum(), floor_l), s[only], ">", ms=4, alpha=0.6, color=PALETTE[3],
                  label=f"beyond the enumeration ({int(only.sum())})")
        if c.get("beta") is not None:
            pb = p["len_beta"]
            ok = (s > 0) & (pb > 0)
            ax.loglog(pb[ok], s[ok], "x", ms=4, alpha=0.6, color=PALETTE[1],
                      label=f"tempered length prior, β = {c['beta']:.2f}")
        ax.plot([floor_l, 1], [floor_l, 1], "--", color="0.4", lw=0.8, label="equal")
        ax.set_title(f"SGD vs the length posterior ({cfg.basis})\nρ = {_ci(st, 'rho_sgd_len', '+.2f')} "
                     f"({c['rho_functions']['sgd_len']} functions), TV = {_ci(st, 'tv_sgd_len', '.3f')}",
                     fontsize=9)
        ax.set_xlabel(f"P_len(f|S) ∝ 2^-bits, basis {cfg.basis}")
        ax.set_ylabel("P_SGD(f|S)")
        ax.legend(fontsize=7, loc="lower right")
        # (c) mass by minimal size
        ax = axes[2]
        keys = [k for k in ("sgd", "bayes", "len", "len_beta") if k in p]
        names = {"sgd": "SGD", "bayes": "P_B", "len": "P_len", "len_beta": "P_len, tempered"}
        sizes = list(c["mass_by_size"]["sgd"].keys())
        x = np.arange(len(sizes))
        width = 0.8 / len(keys)
        for j, k in enumerate(keys):
            if k == "len_beta":
                size = v["size"]
                vals = [float(p[k][size == int(sz)].sum()) if sz != "beyond" else float(p[k][size < 0].sum())
                        for sz in sizes]
            else:
                vals = [c["mass_by_size"][k][sz] for sz in sizes]
            ax.bar(x + (j - (len(keys) - 1) / 2) * width, vals, width, color=PALETTE[[0, 4, 2, 1][j]],
                   label=names[k])
        ax.set_xticks(x, [s_ if s_ != "beyond" else f"> {r['len']['searched_size']}" for s_ in sizes])
        ax.set_xlabel(f"minimal formula size of the function in {cfg.basis} (gates)")
        ax.set_ylabel("posterior mass")
        ax.set_title(f"Mass on the shortest consistent functions: SGD {st['shortest_sgd']['value']:.2f}, "
                     f"P_B {st['shortest_bayes']['value']:.2f}, P_len {st['shortest_len']['value']:.2f}", fontsize=9)
        ax.legend(fontsize=7)
        lead = c["verdict"].split(";")[0]
        fig.suptitle(f"{r['target']} (table {r['table']}), |S| = {cfg.train_count} of {1 << cfg.n_inputs}: "
                     f"{lead[0].upper() + lead[1:]}\n{cfg.net.label}; {cfg.optimizer} lr {cfg.lr:g}; seed "
                     f"{study.seed}", fontsize=9)
        fig.tight_layout()
        name = f"{cfg.slugs[r['target']]}.png"
        save_png(fig, fig_dir / name)
        files.append(f"figures/{name}")
    # summary across targets
    if study.results:
        fig, axes = plt.subplots(1, 2, figsize=(3.0 + 3.0 * len(study.results), 4.4))
        x = np.arange(len(study.results))
        ax = axes[0]
        for j, (key, lab) in enumerate((("sgd_bayes", "TV(P_SGD, P_B)"), ("sgd_len", "TV(P_SGD, P_len)"))):
            tests = [r["comparison"]["noise_test"][key] for r in study.results]
            obs = [t["observed"] if t["observed"] is not None else np.nan for t in tests]
            null = [t["null_95"] if t["null_95"] is not None else np.nan for t in tests]
            ax.plot(x + (j - 0.5) * 0.25, obs, "o", ms=7, color=PALETTE[[0, 2][j]], label=f"{lab}, observed")
            ax.plot(x + (j - 0.5) * 0.25, null, "_", ms=16, mew=2, color=PALETTE[[0, 2][j]], alpha=0.6,
                    label=f"{lab}: 95th percentile if SGD sampled it")
        ax.set_xticks(x, [r["target"] for r in study.results], fontsize=8)
        ax.set_xlim(-0.6, len(study.results) - 0.4)
        ax.set_ylabel("total variation distance (plug-in; 0 = same)")
        ax.set_ylim(0, 1.02)
        ax.set_title("Distances against what sampling noise alone would give", fontsize=9)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
        ax = axes[1]
        d = [r["comparison"]["stats"]["tv_difference"] for r in study.results]
        y = np.array([t["corrected"] if t.get("corrected") is not None else np.nan for t in d], float)
        err = np.clip(np.array([[yv - t["lo"] if t["lo"] is not None else 0 for yv, t in zip(y, d)],
                                [t["hi"] - yv if t["hi"] is not None else 0 for yv, t in zip(y, d)]]), 0, None)
        ax.errorbar(x, y, yerr=err, fmt="o", capsize=4, color=PALETTE[1])
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xticks(x, [r["target"] for r in study.results], fontsize=8)
        ax.set_xlim(-0.6, len(study.results) - 0.4)
        ax.set_ylabel("TV(SGD, len) − TV(SGD, B)  (> 0: closer to P_B)")
        ax.set_title("Which posterior the trained networks are closer to (95% bootstrap intervals)", fontsize=9)
        closer_b = sum(1 for r in study.results if r["comparison"]["closer"] == "bayes")
        closer_l = sum(1 for r in study.results if r["comparison"]["closer"] == "len")
        fig.suptitle(f"Trained networks are closer to P_B on {closer_b} and to P_len on {closer_l} of "
                     f"{len(study.results)} targets\n{cfg.net.label}; {cfg.runs:,} runs, {cfg.optimizer} lr {cfg.lr:g}; "
                     f"seed {study.seed}", fontsize=9)
        fig.tight_layout()
        save_png(fig, fig_dir / "summary.png")
        files.insert(0, "figures/summary.png")
    return files


def render(study: PosteriorStudy) -> str:
    """report.md of a posterior study."""
    cfg = study.config
    L = ["# Posterior study: do trained networks sample the Bayesian posterior or the length posterior?", "",
         f"{cfg.net.label}; {cfg.n_inputs} inputs, |S| = {cfg.train_count} training points, "
         f"{(1 << cfg.n_inputs) - cfg.train_count} held out; seed {study.seed}.", "",
         "- **P_SGD(f|S)**: networks drawn from the initialisation prior and trained "
         f"({cfg.optimizer}, lr {cfg.lr:g}, {'full batch' if cfg.batch_size is None else f'batch {cfg.batch_size}'}) "
         "until they fit S; the function at the first step with every training point right.",
         "- **P_B(f|S)**: the same network's prior conditioned on fitting S, by rejection sampling (exact for "
         "this finite network; no Gaussian-process approximation).",
         f"- **P_len(f|S)** ∝ 2^-bits(shortest program of f in `{cfg.basis}`) over the consistent functions "
         "`synth` enumerated (minimal-program term); *tempered* P_len ∝ 2^-β·bits with β fitted to SGD.", "",
         "## Findings", ""]
    for r in study.results:
        L.append(f"- **{r['target']}** (table `{r['table']}`): {r['comparison']['verdict']}.")
    L += ["", "## Summary", "",
          "| target | runs fitted | P_B accepted / sampled | distinct SGD / B / len | TV(SGD, B) | TV(SGD, len) | "
          "TV(SGD, len) − TV(SGD, B) | TV(SGD, P_len exactly) | noise test p (B, len) | ρ(log P_SGD, log P_B) | "
          "ρ(log P_SGD, log P_len) |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in study.results:
        c = r["comparison"]
        st, nt = c["stats"], c["noise_test"]
        pval = ", ".join("n/a" if nt[k]["p"] is None else f"{nt[k]['p']:.2g}" for k in ("sgd_bayes", "sgd_len"))
        L.append(f"| {r['target']} | {r['sgd']['fitted']:,} / {cfg.runs:,} | {r['bayes']['accepted']:,} / "
                 f"{r['bayes']['samples']:,} | {c['distinct']['sgd']} / {c['distinct']['bayes']} / "
                 f"{c['distinct']['len']} | {_ci(st, 'tv_sgd_bayes', '.3f')} | "
                 f"{_ci(st, 'tv_sgd_len', '.3f')} | {_ci(st, 'tv_difference', '+.3f')} | "
                 f"{_ci(st, 'tv_sgd_len_exact', '.3f')} | {pval} | "
                 f"{_ci(st, 'rho_sgd_bayes', '+.2f')} ({c['rho_functions']['sgd_bayes']}) | "
                 f"{_ci(st, 'rho_sgd_len', '+.2f')} ({c['rho_functions']['sgd_len']}) |")
    L += ["", "Coarser views, less affected by sampling noise: TV over minimal-size classes, the mean |difference| "
          "of the predictive P(y = 1 | x) over held-out points, expected held-out accuracy and the mass on the "
          "shortest consistent functions.", "",
          "| target | size-class TV (SGD, B) | size-class TV (SGD, len) | predictive Δ (SGD, B) | "
          "predictive Δ (SGD, len) | held-out acc SGD | B | len | mass shortest SGD | B | len | β |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in study.results:
        c = r["comparison"]
        st = c["stats"]
        def f3(k: str) -> str:
            return _ci(st, k)
        L.append(f"| {r['target']} | {f3('size_tv_sgd_bayes')} | {f3('size_tv_sgd_len')} | {f3('pred_sgd_bayes')} | "
                 f"{f3('pred_sgd_len')} | {f3('acc_sgd')} | {f3('acc_bayes')} | {st['acc_len']['value']:.3f} | "
                 f"{f3('shortest_sgd')} | {f3('shortest_bayes')} | {st['shortest_len']['value']:.3f} | "
                 f"{'n/a' if c['beta'] is None else format(c['beta'], '.2f')} |")
    L += ["", "How to read it. TV(SGD, B) compares two samples (the trained runs and the accepted networks); "
          "TV(SGD, len) compares the runs with a sample of P_len of the same size as P_B's, so that both carry "
          "the same sampling noise and their difference is fair; TV against P_len exactly is shown beside it. "
          "Intervals are 95 % basic bootstrap intervals (runs, accepted networks and the P_len sample resampled "
          f"as multinomials; {cfg.bootstrap} resamples); distances and correlations are shown bias-corrected "
          "(2·plug-in − bootstrap mean; plug-in values in posterior.json), because sampling noise inflates "
          "plug-in distances. Noise tests: SGD vs B is a two-sample permutation test of TV (exact under "
          "'same distribution'); SGD vs len a goodness-of-fit test against P_len (TV of R draws from P_len); "
          "p < 0.05 says the difference is beyond sampling noise, a larger p only that none was detected. "
          "ρ is over the functions both distributions give mass to (count in brackets), as in the log–log "
          "plots of Mingard et al. (2021). The tempered β is fitted on the same runs it is compared with.", "",
          "What the data do not say: P_len is over the functions within "
          f"{cfg.len_slack} gates of the minimum (its mass beyond is at most the truncation mass below), and "
          "only the minimal-program term of each function is counted; P_SGD and P_B are estimated from finite "
          "samples, so functions seen once sit at the resolution floor; one training set per target.", ""]
    for r in study.results:
        c = r["comparison"]
        ln = r["len"]
        L += [f"## {r['target']}", "",
              f"Target `{r['table']}` ({r['task']['program'] or 'no program given'}); training points "
              f"{r['train_idx']}.", "",
              f"- P_SGD: {r['sgd']['fitted']:,} of {cfg.runs:,} runs fitted S (median {r['sgd']['median_steps']} "
              f"steps); {r['sgd']['not_fitted']} did not within {cfg.max_steps} steps.",
              f"- P_B: {r['bayes']['accepted']:,} of {r['bayes']['samples']:,} random networks fitted S "
              f"(acceptance {r['bayes']['acceptance']:.3g}, 95% CI "
              f"[{r['bayes']['acceptance_ci'][0]:.3g}, {r['bayes']['acceptance_ci'][1]:.3g}]).",
              f"- P_len: {ln['distinct']:,} consistent functions of size {ln['min_size']}..{ln['searched_size']} in "
              f"`{ln['basis']}`; truncation mass ≤ {ln['truncation_mass']:.2g}. SGD put "
              f"{c['sgd_mass_not_enumerated']:.3f} of its mass and P_B {c['bayes_mass_not_enumerated']:.3f} on "
              "functions beyond the enumeration.", "",
              "| table | SGD runs | B samples | P_SGD | P_B | P_len | size | shortest program | held-out acc |",
              "|---|---|---|---|---|---|---|---|---|"]
        for row in c["table"][:15]:
            L.append(f"| `{row['table']}` | {row['sgd']} | {row['bayes']} | {row['p_sgd']:.3g} | {row['p_bayes']:.3g} | "
                     f"{row['p_len']:.3g} | {row['size'] if row['size'] is not None else '>' + str(ln['searched_size'])} | "
                     f"{'`' + row['program'] + '`' if row['program'] else '—'} | {row['held_out_accuracy']:.3f} |")
        L.append("")
    L += ["## Configuration", "", "| key | value |", "|---|---|"]
    L += [f"| {k} | `{v}` |" for k, v in cfg.as_dict().items()]
    L += ["", "## Figures", ""] + [f"![{x}]({x})" for x in study.figures]
    L += ["", "## Time", "", ", ".join(f"{k} {v:.1f} s" for k, v in study.seconds.items()), ""]
    return "\n".join(L)
